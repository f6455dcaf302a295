/*
 * The health command (health.h). One question, one answer, one line: a
 * container engine runs it every few seconds and keeps its output, so it
 * never retries (the engine's retries do) and never waits longer than its
 * timeout.
 *
 * PostgreSQL is asked with a real login, not PQping (pg_isready): a server
 * that refuses the configured password, or lacks the database, answers a
 * ping as "accepting connections", and Keycloak could still not start. The
 * login is made with libpq's non-blocking calls, so that the timeout
 * bounds the connection, the authentication and the query together.
 */
#include "health.h"

#include "clock.h"
#include "db.h"
#include "http_probe.h"
#include "log.h"
#include "netaddr.h"
#include "pg_settings.h"
#include "settings_lookup.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

int health_keycloak(const struct backend *b, const struct settings *s, unsigned timeout_s)
{
	struct http_target t;
	struct http_answer a;
	char url[400], status[48] = "";
	int rc = b->readiness(s, &t);

	if (rc)
		return rc;
	bool v6 = strchr(t.host, ':') != NULL;
	snprintf(url, sizeof(url), "%s://%s%s%s:%u%s", t.tls ? "https" : "http", v6 ? "[" : "",
		 t.host, v6 ? "]" : "", t.port, t.path);
	/* A server that closes the connection under a write must not end
	 * the check with SIGPIPE instead of a message (OpenSSL writes with
	 * write(2)). */
	signal(SIGPIPE, SIG_IGN);
	switch (http_get(&t, (long long)timeout_s * 1000, &a)) {
	case HTTP_REFUSED:
		log_error("unhealthy: GET %s: connection refused", url);
		return HEALTH_UNHEALTHY;
	case HTTP_TIMEOUT:
		log_error("unhealthy: GET %s: no answer within %u s", url, timeout_s);
		return HEALTH_UNHEALTHY;
	case HTTP_FAILED:
		log_error("unhealthy: GET %s: %s", url, a.reason);
		return HEALTH_UNHEALTHY;
	case HTTP_ANSWERED:
		break;
	}
	if (a.json_status[0])
		snprintf(status, sizeof(status), ", status %s", a.json_status);
	if (a.response.status != 200) {
		log_error("unhealthy: GET %s: HTTP %d%s", url, a.response.status, status);
		return HEALTH_UNHEALTHY;
	}
	printf("healthy: GET %s: HTTP 200%s\n", url, status);
	return EXIT_OK;
}

/* Where the PostgreSQL image's server is asked: see health.h. */
static void postgres_host(const char *listen, char *host, size_t len)
{
	char first[64] = "";
	size_t n;

	for (const char *p = listen; *p; p += n) {
		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n == 0)
			break;
		char word[64];
		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		if (strcmp(word, "*") == 0 || strcmp(word, "localhost") == 0 ||
		    strcmp(word, "0.0.0.0") == 0) {
			snprintf(host, len, "127.0.0.1");
			return;
		}
		if (address_is_any(word) || address_is_loopback(word)) {
			snprintf(host, len, "%s", address_is_any(word) ? "::1" : word);
			return;
		}
		if (!first[0])
			snprintf(first, sizeof(first), "%s", word);
	}
	/* No address: the server listens on its socket alone. */
	snprintf(host, len, "%s", first[0] ? first : "/var/run/postgresql");
}

/* Wait for libpq's socket; false at the deadline (msg says so). */
static bool wait_socket(PGconn *conn, bool read, long long deadline, unsigned timeout_s,
			char *msg, size_t len)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			snprintf(msg, len, "no answer within %u s", timeout_s);
			return false;
		}
		struct pollfd p = { .fd = PQsocket(conn), .events = read ? POLLIN : POLLOUT };
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR) {
			snprintf(msg, len, "poll: %s", strerror(errno));
			return false;
		}
	}
}

/* The login and SELECT 1 before the deadline; false with msg. */
static bool login_and_query(PGconn *conn, long long deadline, unsigned timeout_s, char *msg,
			    size_t len)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
	       st != PGRES_POLLING_FAILED) {
		if (PQsocket(conn) >= 0 && !wait_socket(conn, st == PGRES_POLLING_READING,
							deadline, timeout_s, msg, len))
			return false;
		st = PQconnectPoll(conn);
	}
	if (PQstatus(conn) != CONNECTION_OK || !PQsendQuery(conn, "SELECT 1")) {
		db_message_line(PQerrorMessage(conn), msg, len);
		return false;
	}
	while (PQisBusy(conn)) {
		if (!wait_socket(conn, true, deadline, timeout_s, msg, len))
			return false;
		if (!PQconsumeInput(conn)) {
			db_message_line(PQerrorMessage(conn), msg, len);
			return false;
		}
	}
	bool ok = true;
	for (PGresult *res; (res = PQgetResult(conn)) != NULL; PQclear(res))
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			db_message_line(PQerrorMessage(conn), msg, len);
			ok = false;
		}
	return ok;
}

int health_postgres(char *const *envp, unsigned timeout_s)
{
	struct pg_settings ps;
	int rc = pg_settings_load(&ps, envp);
	char host[64], port[8], msg[512] = "";

	if (rc) {
		pg_settings_free(&ps);
		return rc;
	}
	const char *pgport = env_get(envp, "PGPORT");
	snprintf(port, sizeof(port), "%s", pgport && *pgport ? pgport : "5432");
	if (strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 || atoi(port) > 65535 ||
	    strlen(pgport ? pgport : "") > 5) {
		log_error("PGPORT: expected a port (1-65535)");
		pg_settings_free(&ps);
		return EXIT_CONFIG;
	}
	postgres_host(ps.listen_addresses, host, sizeof(host));
	struct db_settings db = { .host = host, .port = (unsigned)atoi(port),
		.name = (char *)ps.database, .user = (char *)ps.user, .password = ps.password };
	struct db_params p;
	db_params_init(&p, &db);
	/* A password that is not set is not an empty one: trust. */
	for (size_t i = 0; p.keys[i]; i++)
		if (strcmp(p.keys[i], "password") == 0 && !ps.password)
			p.values[i] = NULL;
	PGconn *conn = PQconnectStartParams(p.keys, p.values, 0);
	bool ok = false;
	if (conn) {
		PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
		ok = login_and_query(conn, now_ms() + (long long)timeout_s * 1000, timeout_s, msg,
				     sizeof(msg));
	} else {
		snprintf(msg, sizeof(msg), "out of memory");
	}
	if (ok)
		printf("healthy: database %s on %s:%s accepts the login of %s\n", ps.database,
		       host, port, ps.user);
	else
		log_error("unhealthy: database %s on %s:%s, user %s: %s", ps.database, host, port,
			  ps.user, msg);
	PQfinish(conn);
	pg_settings_free(&ps);
	return ok ? EXIT_OK : HEALTH_UNHEALTHY;
}
