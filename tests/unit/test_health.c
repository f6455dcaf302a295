/*
 * The health check's pure parts: the HTTP response parser (status line,
 * headers, where the body starts, what is refused, what needs more bytes),
 * Keycloak's "status" read from the body, and the readiness endpoint each
 * backend derives from the settings (ports, relative paths, host, TLS).
 */
#include "harness.h"
#include "http_probe.h"
#include "log.h"
#include "quarkus.h"
#include "wildfly.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int parse(const char *text, struct http_response *r)
{
	return http_parse_response(text, strlen(text), r);
}

static void test_parser(void)
{
	struct http_response r;
	const char *down = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json"
			   "\r\nCONTENT-LENGTH: 17\r\n\r\n{\"status\":\"DOWN\"}";

	CHECK(parse(down, &r) == 1);
	CHECK(r.status == 503);
	CHECK(r.content_length == 17);
	CHECK(!r.chunked);
	CHECK_STR(down + r.body, "{\"status\":\"DOWN\"}");
	/* Bare LF line ends, a status line without a reason, chunked. */
	CHECK(parse("HTTP/1.0 200\nTransfer-Encoding: gzip, Chunked\n\nx", &r) == 1);
	CHECK(r.status == 200 && r.chunked && r.content_length == -1);
	CHECK(parse("HTTP/1.1 204 No Content\r\n\r\n", &r) == 1 && r.status == 204);
	/* More bytes needed: every prefix of a complete head. */
	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
	int need_more = 0;
	for (size_t n = 0; n < strlen(head); n++)
		need_more += http_parse_response(head, n, &r) == 0;
	CHECK(need_more == (int)strlen(head));
	/* Refused: not HTTP at all (known from the first byte), a bad status,
	 * a header without a name, a bad length, headers that never end. */
	CHECK(parse("SSH-2.0-OpenSSH_9.2", &r) == -1);
	CHECK(parse("\x16\x03\x01", &r) == -1);
	CHECK(parse("HTTP/2 200\r\n\r\n", &r) == -1);
	CHECK(parse("HTTP/1.1 20 OK\r\n\r\n", &r) == -1);
	CHECK(parse("HTTP/1.1 2000 OK\r\n\r\n", &r) == -1);
	CHECK(parse("HTTP/1.1 099 Odd\r\n\r\n", &r) == -1);
	CHECK(parse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", &r) == -1);
	CHECK(parse("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", &r) == -1);
	CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", &r) == -1);
	CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999\r\n\r\n", &r) == -1);
	static char big[9000];
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', sizeof(big) - 21);
	CHECK(http_parse_response(big, sizeof(big) - 1, &r) == -1);
}

static void test_json_status(void)
{
	char out[32];
	const char *kc = "{\n    \"status\": \"DOWN\",\n    \"checks\": [\n        {\n            "
			 "\"name\": \"Keycloak database connections health check\",\n            "
			 "\"status\": \"UP\"\n        }\n    ]\n}";

	CHECK(http_json_status(kc, strlen(kc), out, sizeof(out)));
	CHECK_STR(out, "DOWN");
	CHECK(http_json_status("{\"status\":\"UP\"}", 15, out, sizeof(out)));
	CHECK_STR(out, "UP");
	/* A "status" that is not a string member is passed over. */
	const char *odd = "{\"x\": \"status\", \"status\": 3, \"y\": {\"status\" : \"UP\"}}";
	CHECK(http_json_status(odd, strlen(odd), out, sizeof(out)));
	CHECK_STR(out, "UP");
	CHECK(!http_json_status("{\"status\": \"DO", 14, out, sizeof(out)));
	CHECK(!http_json_status("<html>status</html>", 19, out, sizeof(out)));
	CHECK(!http_json_status("", 0, out, sizeof(out)));
	/* Truncated to the buffer, control characters replaced. */
	char small[4];
	CHECK(http_json_status("{\"status\":\"DO\x01WN\"}", 18, small, sizeof(small)));
	CHECK_STR(small, "DO?");
}

static struct keycloak_option options[8];

static int readiness_26(struct http_target *t, size_t n, ...)
{
	struct settings s = { 0 };
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		options[i].key = va_arg(ap, char *);
		options[i].value = va_arg(ap, char *);
		options[i].source = "KC_TEST";
		options[i].from_file = va_arg(ap, int);
	}
	va_end(ap);
	s.keycloak.v = options;
	s.keycloak.n = n;
	return quarkus_readiness(&s, t);
}

static void test_quarkus_readiness(void)
{
	struct http_target t;

	CHECK(readiness_26(&t, 0) == 0);
	CHECK_STR(t.host, "127.0.0.1");
	CHECK(t.port == 9000 && !t.tls);
	CHECK_STR(t.path, "/health/ready");
	CHECK(readiness_26(&t, 3, "http-management-port", "9001", 0, "http-relative-path", "/auth/",
			   0, "http-host", "::", 0) == 0);
	CHECK(t.port == 9001);
	CHECK_STR(t.path, "/auth/health/ready");
	CHECK_STR(t.host, "127.0.0.1");
	CHECK(readiness_26(&t, 3, "http-management-relative-path", "mgmt", 0, "http-relative-path",
			   "/auth", 0, "http-management-host", "10.1.2.3", 0) == 0);
	CHECK_STR(t.path, "/mgmt/health/ready");
	CHECK_STR(t.host, "10.1.2.3");
	/* TLS: the server's certificate and key (as KC_..._FILE variables or
	 * as options), a key store, unless the scheme is http. */
	CHECK(readiness_26(&t, 2, "https-certificate", "PEM", 1, "https-certificate-key", "PEM",
			   1) == 0 && t.tls);
	CHECK(readiness_26(&t, 2, "https-certificate-file", "/c", 0,
			   "https-management-certificate-key-file", "/k", 0) == 0 && t.tls);
	CHECK(readiness_26(&t, 1, "https-certificate-file", "/c", 0) == 0 && !t.tls);
	CHECK(readiness_26(&t, 1, "https-key-store-file", "/ks", 0) == 0 && t.tls);
	CHECK(readiness_26(&t, 2, "https-key-store-file", "/ks", 0, "http-management-scheme",
			   "http", 0) == 0 && !t.tls);
	/* Health on the HTTP port when the management interface has none. */
	CHECK(readiness_26(&t, 3, "http-management-health-enabled", "false", 0, "http-port", "8181",
			   0, "https-key-store-file", "/ks", 0) == 0);
	CHECK(t.port == 8181 && !t.tls);
	/* Refused, with a message naming the variable. */
	CHECK(readiness_26(&t, 1, "http-management-port", "0", 0) == EXIT_CONFIG);
	CHECK(readiness_26(&t, 1, "http-management-port", "+9000", 0) == EXIT_CONFIG);
	CHECK(readiness_26(&t, 1, "http-management-host", "kc.example", 0) == EXIT_CONFIG);
}

static void test_wildfly_readiness(void)
{
	struct settings s = { 0 };
	struct http_target t;

	s.cluster.bind_address = "10.1.2.3";
	CHECK(wildfly_readiness(&s, &t) == 0);
	CHECK_STR(t.host, "10.1.2.3");
	CHECK(t.port == 8080 && !t.tls);
	CHECK_STR(t.path, "/auth/realms/master");
	s.cluster.bind_address = "0.0.0.0";
	s.server.java_opts = "-Xmx1g -Djboss.http.port=8180 -Dx.jboss.http.port=1";
	s.server.java_opts_append = "-Djboss.socket.binding.port-offset=10";
	CHECK(wildfly_readiness(&s, &t) == 0);
	CHECK_STR(t.host, "127.0.0.1");
	CHECK(t.port == 8190);
	s.server.java_opts_append = "-Djboss.socket.binding.port-offset=60000";
	CHECK(wildfly_readiness(&s, &t) == EXIT_CONFIG);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_stream = tmpfile();
	test_parser();
	test_json_status();
	test_quarkus_readiness();
	test_wildfly_readiness();
	return harness_summary("health");
}
