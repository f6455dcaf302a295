/*
 * One HTTP/1.1 GET on this container's own server, bounded by a deadline,
 * over plain TCP or TLS, for the health check (health.h): what it needs
 * and no more. The answer's parsing is a pure function of the bytes, so
 * that the unit test and the fuzzer drive it without a server.
 */
#ifndef KHP_HTTP_PROBE_H
#define KHP_HTTP_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* Where a server's readiness is asked. */
struct http_target {
	char host[64];		/* numeric IPv4 or IPv6 address */
	unsigned port;
	char path[256];		/* starts with '/' */
	bool tls;		/* TLS without certificate verification: the
				 * server is this container's own */
};

/* The parts of an answer the health check looks at. */
struct http_response {
	int status;		/* the status code, 100..999 */
	size_t body;		/* offset of the body in the bytes parsed */
	long long content_length;	/* -1: not given */
	bool chunked;		/* Transfer-Encoding: chunked */
};

/*
 * Parse data[0..len) as the start of an HTTP/1.x response. Returns 1 when
 * the status line and every header are there (r filled in), 0 when more
 * bytes are needed, -1 when the bytes are not an HTTP response (a status
 * line that does not start "HTTP/1.", a status that is not three digits,
 * a header line without a colon, headers longer than the buffer can hold).
 */
int http_parse_response(const char *data, size_t len, struct http_response *r);

/*
 * The value of the first "status" member of the JSON object in
 * body[0..len) (Keycloak's health answer: {"status": "DOWN", ...}), as
 * printable ASCII into out[0..out_len); false when there is none. A
 * chunked body is read as it is: the answers are a few hundred bytes, one
 * chunk.
 */
bool http_json_status(const char *body, size_t len, char *out, size_t out_len);

/* How a GET ended. */
enum http_outcome {
	HTTP_ANSWERED,		/* a response: status and body in answer */
	HTTP_REFUSED,		/* nothing listens on the port */
	HTTP_TIMEOUT,		/* no complete answer before the deadline */
	HTTP_FAILED,		/* anything else: reason says what */
};

struct http_answer {
	struct http_response response;
	char json_status[32];	/* the body's "status", "" when none */
	char reason[160];	/* HTTP_FAILED: why */
};

/* GET t->path from t, all of it within timeout_ms. */
enum http_outcome http_get(const struct http_target *t, long long timeout_ms,
			   struct http_answer *answer);

#endif
