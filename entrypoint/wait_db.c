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
#include "db.h"
#include "log.h"

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

enum outcome { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_REFUSED, ATTEMPT_NO_DATABASE };

/*
 * One login attempt, bounded by timeout_ms. Returns the outcome and leaves
 * the server's (or libpq's) message in msg.
 */
static enum outcome attempt(const struct db_settings *db, long long timeout_ms, char *msg,
			    size_t msg_len)
{
	struct db_params p;
	db_params_init(&p, db);
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
		enum db_failure f = db_classify_failure(err);
		db_message_line(err, msg, msg_len);
		PQfinish(conn);
		return f == DB_REFUSED ? ATTEMPT_REFUSED
		       : f == DB_NO_DATABASE ? ATTEMPT_NO_DATABASE : ATTEMPT_RETRY;
	}

	/* A login alone is not the whole proof: a server in some states
	 * accepts the startup and then fails the first query. */
	PGresult *res = PQexec(conn, "SELECT 1");
	enum outcome o = ATTEMPT_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_message_line(PQerrorMessage(conn), msg, msg_len);
		o = ATTEMPT_RETRY;
	}
	PQclear(res);
	PQfinish(conn);
	return o;
}

int wait_for_database(const struct db_settings *db)
{
	long long start = now_ms();
	long long deadline = db->wait_timeout ? start + (long long)db->wait_timeout * 1000 : 0;
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
		switch (attempt(db, budget, msg, sizeof(msg))) {
		case ATTEMPT_OK:
			log_info("database %s on %s:%u accepts the login of %s "
				 "(%.1f s, %u attempt%s)",
				 db->name, db->host, db->port, db->user,
				 (double)(now_ms() - start) / 1000.0, attempts,
				 attempts == 1 ? "" : "s");
			return EXIT_OK;
		case ATTEMPT_REFUSED:
			log_error("database on %s:%u refused the login of user %s: %s",
				  db->host, db->port, db->user, msg);
			return EXIT_DB_REFUSED;
		case ATTEMPT_NO_DATABASE:
			log_error("database %s does not exist on %s:%u: %s", db->name,
				  db->host, db->port, msg);
			return EXIT_DB_REFUSED;
		case ATTEMPT_RETRY:
			break;
		}
		/* Say what is happening when it changes, not on every attempt
		 * (but for debugging). */
		log_debug("attempt %u on %s:%u: %s", attempts, db->host, db->port, msg);
		if (strcmp(msg, last) != 0) {
			log_info("waiting for database on %s:%u: %s", db->host, db->port, msg);
			snprintf(last, sizeof(last), "%s", msg);
		}
		long long now = now_ms();
		if (deadline && now >= deadline) {
			log_error("database on %s:%u not reachable within %u s "
				  "(DB_WAIT_TIMEOUT): %s",
				  db->host, db->port, db->wait_timeout, last);
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
