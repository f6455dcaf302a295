/*
 * Wait for PostgreSQL with a real login.
 *
 * PQping (and pg_isready) report a server that rejects the password as
 * "accepting connections", so the wait logs in with the configured user,
 * password and database and runs a trivial query. Failures fall in two
 * groups: the server is not reachable yet, its name does not resolve yet,
 * or it is starting up (SQLSTATE 57P03) - retried with capped exponential
 * backoff and jitter until the deadline; or it answers and refuses - wrong
 * password, unknown role, no such database - which no amount of waiting
 * fixes, so the wait ends at once with a message that says which.
 *
 * libpq reports the SQLSTATE of a connection failure only inside its
 * message, and only in verbose mode, so the connection is made with the
 * non-blocking API: that gives a PGconn to set the verbosity on before the
 * server's answer is read. It also lets this code bound each attempt itself
 * (connect_timeout applies to the blocking calls only).
 */
#include "wait_db.h"

#include "clock.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#define INITIAL_DELAY_MS 100
/* Short: a server that comes up is noticed within a quarter of a second
 * (a refused TCP connection costs the server nothing). */
#define MAX_DELAY_MS 250
#define ATTEMPT_TIMEOUT_MS 10000

/* Find "XXXXX: " after a severity ("FATAL:  ", "ERROR:  "). */
static bool find_sqlstate(const char *msg, char state[6])
{
	for (const char *p = msg; (p = strstr(p, ":  ")) != NULL; p++) {
		const char *c = p + 3;
		int i;
		for (i = 0; i < 5; i++)
			if (!isdigit((unsigned char)c[i]) && !isupper((unsigned char)c[i]))
				break;
		if (i == 5 && c[5] == ':') {
			memcpy(state, c, 5);
			state[5] = '\0';
			return true;
		}
	}
	return false;
}

enum attempt_outcome classify_connection_error(const char *message)
{
	char state[6];

	/* TLS that cannot succeed: the server's certificate is not trusted or
	 * names another host, or the server has no TLS while it is required. */
	static const char *const tls_refusals[] = { "certificate verify failed",
		"does not match host name", "server does not support SSL",
		"root certificate file", NULL };
	for (const char *const *t = tls_refusals; *t; t++)
		if (strstr(message, *t))
			return ATTEMPT_REFUSED;
	if (!find_sqlstate(message, state))
		return ATTEMPT_RETRY;
	/* Class 28: invalid authorization (wrong password, unknown role, no
	 * pg_hba.conf entry); 42501: no CONNECT privilege on the database. */
	if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0)
		return ATTEMPT_REFUSED;
	if (strcmp(state, "3D000") == 0)
		return ATTEMPT_NO_DATABASE;
	/* 57P03 cannot_connect_now (starting up, shutting down, in recovery),
	 * 53300 too_many_connections, 57P01 admin_shutdown and anything else
	 * are states a server leaves by itself. */
	return ATTEMPT_RETRY;
}

void db_message_line(const char *msg, char *buf, size_t len)
{
	char state[6];
	const char *start = msg;
	bool has_state = find_sqlstate(msg, state);

	if (has_state) {
		const char *p = strstr(msg, state);
		if (p)
			start = p + 7;
	}
	/* Room for " (SQLSTATE XXXXX)" at the end. */
	if (len < 32)
		has_state = false;
	else if (has_state)
		len -= 17;
	size_t o = 0;
	for (const char *p = start; *p && o + 1 < len; p++) {
		if (*p == '\n') {
			/* Keep the first line only: libpq adds LOCATION lines in
			 * verbose mode. */
			break;
		}
		buf[o++] = (*p == '\t' || (unsigned char)*p >= 0x20) ? *p : ' ';
	}
	buf[o] = '\0';
	if (has_state)
		snprintf(buf + o, 18, " (SQLSTATE %s)", state);
}

void db_params_init(struct db_params *p, const struct settings *s)
{
	/* libpq takes several servers as comma-separated hosts and ports. */
	size_t ho = 0, po = 0, n = 0;

	if (s->n_db_addrs) {
		for (size_t i = 0; i < s->n_db_addrs; i++) {
			ho += (size_t)snprintf(p->hosts + ho, sizeof(p->hosts) - ho, "%s%s",
					       i ? "," : "", s->db_addrs[i].host);
			po += (size_t)snprintf(p->ports + po, sizeof(p->ports) - po, "%s%u",
					       i ? "," : "", s->db_addrs[i].port);
			if (ho >= sizeof(p->hosts) || po >= sizeof(p->ports))
				break;
		}
	} else {
		snprintf(p->hosts, sizeof(p->hosts), "%s", s->db_host);
		snprintf(p->ports, sizeof(p->ports), "%u", s->db_port);
	}
#define PARAM(k, v) (p->keys[n] = (k), p->values[n++] = (v))
	PARAM("host", p->hosts);
	PARAM("port", p->ports);
	PARAM("dbname", s->db_name);
	/* The user is always given: a container running as an arbitrary UID
	 * has no passwd entry for libpq to take a default from. */
	PARAM("user", s->db_user);
	PARAM("password", s->db_password);
	PARAM("application_name", "keycloak-ha-postgres");
	if (s->db_schema) {
		/* Keycloak's tables are found where the server puts them. */
		snprintf(p->options, sizeof(p->options), "-c search_path=%s", s->db_schema);
		PARAM("options", p->options);
	}
	if (s->db_sslmode)
		PARAM("sslmode", s->db_sslmode);
	if (s->db_sslrootcert)
		PARAM("sslrootcert", s->db_sslrootcert);
	/* As the datasource does: the server that accepts writes. */
	if (s->n_db_addrs > 1)
		PARAM("target_session_attrs", "read-write");
#undef PARAM
	p->keys[n] = NULL;
	p->values[n] = NULL;
}

PGconn *db_connect(const struct settings *s)
{
	struct db_params p;
	size_t n = 0;

	db_params_init(&p, s);
	while (p.keys[n])
		n++;
	p.keys[n] = "connect_timeout";
	p.values[n++] = "10";
	p.keys[n] = NULL;
	p.values[n] = NULL;
	PGconn *conn = PQconnectdbParams(p.keys, p.values, 0);
	/* For db_message_line: the SQLSTATE is in verbose messages only. */
	if (conn)
		PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
	return conn;
}

/*
 * One login attempt, bounded by timeout_ms. Returns the outcome and leaves
 * the server's (or libpq's) message in msg.
 */
static enum attempt_outcome attempt(const struct settings *s, long long timeout_ms,
				    char *msg, size_t msg_len)
{
	struct db_params p;
	db_params_init(&p, s);
	PGconn *conn = PQconnectStartParams(p.keys, p.values, 0);
	if (!conn) {
		snprintf(msg, msg_len, "out of memory");
		return ATTEMPT_RETRY;
	}
	PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);

	long long deadline = now_ms() + timeout_ms;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
	       st != PGRES_POLLING_FAILED) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			snprintf(msg, msg_len, "no answer within %lld ms", timeout_ms);
			PQfinish(conn);
			return ATTEMPT_RETRY;
		}
		struct pollfd pfd = { .fd = PQsocket(conn),
			.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT };
		if (pfd.fd >= 0) {
			int r = poll(&pfd, 1, (int)left);
			if (r < 0 && errno != EINTR) {
				snprintf(msg, msg_len, "poll: %s", strerror(errno));
				PQfinish(conn);
				return ATTEMPT_RETRY;
			}
			if (r == 0)
				continue;
		}
		st = PQconnectPoll(conn);
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *err = PQerrorMessage(conn);
		enum attempt_outcome o = classify_connection_error(err);
		db_message_line(err, msg, msg_len);
		PQfinish(conn);
		return o;
	}

	/* A login alone is not the whole proof: a server in some states
	 * accepts the startup and then fails the first query. */
	PGresult *res = PQexec(conn, "SELECT 1");
	enum attempt_outcome o = ATTEMPT_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_message_line(PQerrorMessage(conn), msg, msg_len);
		o = ATTEMPT_RETRY;
	}
	PQclear(res);
	PQfinish(conn);
	return o;
}

int wait_for_database(const struct settings *s)
{
	long long start = now_ms();
	long long deadline = s->db_wait_timeout ? start + (long long)s->db_wait_timeout * 1000 : 0;
	long long delay = INITIAL_DELAY_MS;
	char msg[512], last[512] = "";
	unsigned attempts = 0;
	unsigned seed = (unsigned)start ^ (unsigned)getpid();

	for (;;) {
		long long budget = ATTEMPT_TIMEOUT_MS;
		if (deadline && deadline - now_ms() < budget)
			budget = deadline - now_ms() > 1000 ? deadline - now_ms() : 1000;
		attempts++;
		msg[0] = '\0';
		switch (attempt(s, budget, msg, sizeof(msg))) {
		case ATTEMPT_OK:
			log_info("database %s on %s:%u accepts the login of %s (%.1f s, %u attempt%s)",
				 s->db_name, s->db_host, s->db_port, s->db_user,
				 (double)(now_ms() - start) / 1000.0, attempts,
				 attempts == 1 ? "" : "s");
			return EXIT_OK;
		case ATTEMPT_REFUSED:
			log_error("database on %s:%u refused the login of user %s: %s",
				  s->db_host, s->db_port, s->db_user, msg);
			return EXIT_DB_REFUSED;
		case ATTEMPT_NO_DATABASE:
			log_error("database %s does not exist on %s:%u: %s", s->db_name,
				  s->db_host, s->db_port, msg);
			return EXIT_DB_REFUSED;
		case ATTEMPT_RETRY:
			break;
		}
		/* Say what is happening when it changes, not on every attempt. */
		if (strcmp(msg, last) != 0) {
			log_info("waiting for database on %s:%u: %s", s->db_host, s->db_port, msg);
			snprintf(last, sizeof(last), "%s", msg);
		}
		long long now = now_ms();
		if (deadline && now >= deadline) {
			log_error("database on %s:%u not reachable within %u s (DB_WAIT_TIMEOUT): %s",
				  s->db_host, s->db_port, s->db_wait_timeout, last);
			return EXIT_DB_UNAVAILABLE;
		}
		/* Full delay plus up to 20 % jitter, so that nodes started
		 * together do not knock in step. */
		long long pause = delay + (long long)(rand_r(&seed) % (int)(delay / 5 + 1));
		if (deadline && now + pause > deadline)
			pause = deadline - now;
		sleep_ms(pause);
		delay = delay * 2 > MAX_DELAY_MS ? MAX_DELAY_MS : delay * 2;
	}
}
