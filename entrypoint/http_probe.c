/*
 * HTTP/1.1 GET with a deadline (http_probe.h). Every step - connect, the
 * TLS handshake, the request, the answer - waits with poll() for at most
 * the time left, so a server that accepts and never answers (a stopped
 * JVM: the kernel still completes the TCP handshake) ends the probe at the
 * deadline, not at a TCP timeout minutes later.
 */
#include "http_probe.h"

#include "clock.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* Longer headers than this are not a health answer. */
#define HEADER_MAX 8192
/* What is read of an answer: the status line, the headers, the start of
 * the body, where Keycloak's "status" is. */
#define ANSWER_MAX 16384

/* Case-insensitive: does the line p[0..n) start with name? */
static bool line_starts(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (tolower((unsigned char)p[i]) != tolower((unsigned char)name[i]))
			return false;
	return true;
}

/* Case-insensitive search of word in p[0..n). */
static bool line_has(const char *p, size_t n, const char *word)
{
	size_t k = strlen(word);

	for (size_t i = 0; i + k <= n; i++)
		if (line_starts(p + i, n - i, word))
			return true;
	return false;
}

/* "HTTP/1.x SSS ..." */
static bool parse_status_line(const char *p, size_t n, int *status)
{
	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)p[7]) ||
	    p[8] != ' ')
		return false;
	for (int i = 9; i < 12; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	if (n > 12 && p[12] != ' ')
		return false;
	*status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	return *status >= 100;
}

/* One header line p[0..n), without its line end. */
static bool parse_header(const char *p, size_t n, struct http_response *r)
{
	const char *colon = memchr(p, ':', n);

	if (!colon || colon == p)
		return false;
	size_t v = (size_t)(colon - p) + 1;
	while (v < n && (p[v] == ' ' || p[v] == '\t'))
		v++;
	if ((size_t)(colon - p) == 14 && line_starts(p, n, "content-length")) {
		long long cl = 0;
		if (v >= n)
			return false;
		for (; v < n && isdigit((unsigned char)p[v]); v++) {
			if (cl > ANSWER_MAX * 1000LL)
				return false;
			cl = cl * 10 + (p[v] - '0');
		}
		r->content_length = cl;
	} else if ((size_t)(colon - p) == 17 && line_starts(p, n, "transfer-encoding")) {
		r->chunked = line_has(p + v, n - v, "chunked");
	}
	return true;
}

int http_parse_response(const char *data, size_t len, struct http_response *r)
{
	size_t at = 0;
	bool first = true;

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	/* Another protocol's greeting is known from its first bytes. */
	if (memcmp(data, "HTTP/1.", len < 7 ? len : 7) != 0)
		return -1;
	for (;;) {
		const char *nl = at < len ? memchr(data + at, '\n', len - at) : NULL;
		if (!nl)
			return len >= HEADER_MAX ? -1 : 0;
		size_t end = (size_t)(nl - data), n = end - at;
		if (end >= HEADER_MAX)
			return -1;
		if (n && data[at + n - 1] == '\r')
			n--;
		if (first) {
			if (!parse_status_line(data + at, n, &r->status))
				return -1;
			first = false;
		} else if (n == 0) {
			r->body = end + 1;
			return 1;
		} else if (!parse_header(data + at, n, r)) {
			return -1;
		}
		at = end + 1;
	}
}

static size_t skip_blanks(const char *p, size_t i, size_t len)
{
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

bool http_json_status(const char *body, size_t len, char *out, size_t out_len)
{
	static const char key[] = "\"status\"";
	const size_t k = sizeof(key) - 1;

	if (out_len == 0)
		return false;
	for (size_t i = 0; i + k <= len; i++) {
		if (memcmp(body + i, key, k) != 0)
			continue;
		size_t j = skip_blanks(body, i + k, len);
		if (j >= len || body[j] != ':')
			continue;
		j = skip_blanks(body, j + 1, len);
		if (j >= len || body[j] != '"')
			continue;
		size_t o = 0;
		for (j++; j < len && body[j] != '"' && body[j] != '\\'; j++)
			if (o + 1 < out_len)
				out[o++] = isprint((unsigned char)body[j]) ? body[j] : '?';
		if (j >= len || body[j] != '"')
			continue;
		out[o] = '\0';
		return true;
	}
	return false;
}

/* One connection: the socket, and TLS over it when the target wants it. */
struct conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	long long deadline;
	struct http_answer *answer;
};

/* Wait until fd is ready for events: 1, 0 at the deadline, -1 on error. */
static int wait_ready(const struct conn *c, short events)
{
	for (;;) {
		long long left = c->deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = c->fd, .events = events };
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static enum http_outcome failed(struct conn *c, const char *what, int err)
{
	snprintf(c->answer->reason, sizeof(c->answer->reason), "%s: %s", what, strerror(err));
	return HTTP_FAILED;
}

static enum http_outcome tcp_connect(struct conn *c, const struct http_target *t)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;
	socklen_t sl;

	if (inet_pton(AF_INET, t->host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)t->port);
		sl = sizeof(*in4);
	} else if (inet_pton(AF_INET6, t->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)t->port);
		sl = sizeof(*in6);
	} else {
		snprintf(c->answer->reason, sizeof(c->answer->reason), "%s: not an address",
			 t->host);
		return HTTP_FAILED;
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return failed(c, "socket", errno);
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0)
		return HTTP_ANSWERED;
	if (errno == ECONNREFUSED)
		return HTTP_REFUSED;
	if (errno != EINPROGRESS)
		return failed(c, "connect", errno);
	int r = wait_ready(c, POLLOUT);
	if (r == 0)
		return HTTP_TIMEOUT;
	if (r < 0)
		return failed(c, "poll", errno);
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		return failed(c, "getsockopt", errno);
	if (err == ECONNREFUSED)
		return HTTP_REFUSED;
	return err ? failed(c, "connect", err) : HTTP_ANSWERED;
}

static enum http_outcome tls_failed(struct conn *c, const char *what)
{
	unsigned long e = ERR_get_error();
	char text[120];

	ERR_error_string_n(e, text, sizeof(text));
	snprintf(c->answer->reason, sizeof(c->answer->reason), "TLS %s: %s", what,
		 e ? text : "the connection was closed");
	ERR_clear_error();
	return HTTP_FAILED;
}

/* After an SSL call returned rc: wait for what it needs. 1 to retry, else
 * the outcome through *o. */
static int tls_wait(struct conn *c, int rc, const char *what, enum http_outcome *o)
{
	int e = SSL_get_error(c->ssl, rc), r;

	if (e == SSL_ERROR_WANT_READ)
		r = wait_ready(c, POLLIN);
	else if (e == SSL_ERROR_WANT_WRITE)
		r = wait_ready(c, POLLOUT);
	else {
		*o = tls_failed(c, what);
		return 0;
	}
	if (r == 0)
		*o = HTTP_TIMEOUT;
	else if (r < 0)
		*o = failed(c, "poll", errno);
	return r > 0;
}

static enum http_outcome tls_start(struct conn *c)
{
	enum http_outcome o = HTTP_ANSWERED;
	int rc;

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx || !(c->ssl = SSL_new(c->ctx)))
		return tls_failed(c, "setup");
	/* The certificate is the server's own, for its public name: this
	 * container's loopback is not what it was issued for. */
	SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	SSL_set_options(c->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	if (SSL_set_fd(c->ssl, c->fd) != 1)
		return tls_failed(c, "setup");
	while ((rc = SSL_connect(c->ssl)) != 1)
		if (!tls_wait(c, rc, "handshake", &o))
			return o;
	return HTTP_ANSWERED;
}

static enum http_outcome send_all(struct conn *c, const char *p, size_t n)
{
	enum http_outcome o = HTTP_ANSWERED;

	while (n > 0) {
		if (c->ssl) {
			int rc = SSL_write(c->ssl, p, (int)n);
			if (rc > 0) {
				p += rc;
				n -= (size_t)rc;
			} else if (!tls_wait(c, rc, "write", &o)) {
				return o;
			}
			continue;
		}
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			int r = wait_ready(c, POLLOUT);
			if (r <= 0)
				return r == 0 ? HTTP_TIMEOUT : failed(c, "poll", errno);
		} else if (w < 0 && errno != EINTR) {
			return failed(c, "send", errno);
		}
	}
	return HTTP_ANSWERED;
}

/* Read what comes into buf[*len..cap): 1 bytes read, 0 end of stream,
 * else -1 with *o set. */
static int receive(struct conn *c, char *buf, size_t *len, size_t cap, enum http_outcome *o)
{
	for (;;) {
		if (c->ssl) {
			int rc = SSL_read(c->ssl, buf + *len, (int)(cap - *len));
			if (rc > 0) {
				*len += (size_t)rc;
				return 1;
			}
			int e = SSL_get_error(c->ssl, rc);
			bool closed = e == SSL_ERROR_SYSCALL && !ERR_peek_error();
			if (e == SSL_ERROR_ZERO_RETURN || closed)
				return 0;
			if (!tls_wait(c, rc, "read", o))
				return -1;
			continue;
		}
		ssize_t r = recv(c->fd, buf + *len, cap - *len, 0);
		if (r > 0) {
			*len += (size_t)r;
			return 1;
		}
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			*o = failed(c, "recv", errno);
			return -1;
		}
		int w = wait_ready(c, POLLIN);
		if (w <= 0) {
			*o = w == 0 ? HTTP_TIMEOUT : failed(c, "poll", errno);
			return -1;
		}
	}
}

/* Whether buf[0..len), parsed as r, holds the whole answer. */
static bool complete(const char *buf, size_t len, const struct http_response *r)
{
	if (r->content_length >= 0)
		return len - r->body >= (size_t)r->content_length;
	if (r->chunked)
		return len - r->body >= 5 && memcmp(buf + len - 5, "0\r\n\r\n", 5) == 0;
	return false;
}

static enum http_outcome read_answer(struct conn *c)
{
	static char buf[ANSWER_MAX];
	struct http_response *r = &c->answer->response;
	size_t len = 0;
	enum http_outcome o = HTTP_ANSWERED;
	int parsed = 0;

	/* Until the answer is complete, the server closes, or the buffer is
	 * full: a health answer fits, and its status is at the start. */
	while (len < sizeof(buf) && receive(c, buf, &len, sizeof(buf), &o) > 0)
		if ((parsed = http_parse_response(buf, len, r)) != 0 && (parsed < 0 ||
		    complete(buf, len, r)))
			break;
	/* A deadline or an error before the headers were complete. */
	if (parsed == 0 && o != HTTP_ANSWERED)
		return o;
	parsed = http_parse_response(buf, len, r);
	if (parsed <= 0) {
		snprintf(c->answer->reason, sizeof(c->answer->reason), "%s",
			 len == 0 ? "the connection was closed without an answer"
			 : parsed < 0 ? "the answer is not HTTP"
			 : "the connection was closed in the middle of the answer");
		return HTTP_FAILED;
	}
	http_json_status(buf + r->body, len - r->body, c->answer->json_status,
			 sizeof(c->answer->json_status));
	return HTTP_ANSWERED;
}

enum http_outcome http_get(const struct http_target *t, long long timeout_ms,
			   struct http_answer *answer)
{
	struct conn c = { .fd = -1, .deadline = now_ms() + timeout_ms, .answer = answer };
	char request[512];
	enum http_outcome o;

	memset(answer, 0, sizeof(*answer));
	bool v6 = strchr(t->host, ':') != NULL;
	int n = snprintf(request, sizeof(request),
			 "GET %s HTTP/1.1\r\nHost: %s%s%s:%u\r\n"
			 "User-Agent: keycloak-ha-postgres\r\n"
			 "Accept: application/json\r\nConnection: close\r\n\r\n",
			 t->path, v6 ? "[" : "", t->host, v6 ? "]" : "", t->port);
	if (n < 0 || (size_t)n >= sizeof(request)) {
		snprintf(answer->reason, sizeof(answer->reason), "the request is too long");
		return HTTP_FAILED;
	}
	if ((o = tcp_connect(&c, t)) == HTTP_ANSWERED && (!t->tls || (o = tls_start(&c)) ==
	    HTTP_ANSWERED) && (o = send_all(&c, request, (size_t)n)) == HTTP_ANSWERED)
		o = read_answer(&c);
	if (c.ssl)
		SSL_free(c.ssl);
	if (c.ctx)
		SSL_CTX_free(c.ctx);
	if (c.fd >= 0)
		close(c.fd);
	return o;
}
