/* One first boot at a time on Keycloak 26 (schema_gate.h). */
#include "schema_gate.h"

#include "buf.h"
#include "clock.h"
#include "db.h"
#include "log.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>

#include <libpq-fe.h>

/* The lock's two keys: advisory locks are per database, this one also per
 * schema (the connection's search_path is DB_SCHEMA). */
#define GATE_LOCK "hashtext('keycloak-ha-postgres schema gate'), hashtext(current_schema())"

static void skip_gate(const char *what, const char *message)
{
	char line[512];

	db_message_line(message, line, sizeof(line));
	log_warn("cannot keep the first boots of Keycloak 26 nodes apart (%s: %s); booting "
		 "without waiting", what, line);
}

/* Whether the database holds VERSION's schema: 1, 0, or -1 (logged). */
static int schema_ready(PGconn *c, const char *version)
{
	PGresult *r = PQexec(c, "SELECT to_regclass('migration_model') IS NOT NULL");
	int ready = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		ready = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	if (ready == 1) {
		const char *params[] = { version };
		PQclear(r);
		r = PQexecParams(c, "SELECT 1 FROM migration_model WHERE version = $1", 1, NULL,
				 params, NULL, NULL, 0);
		ready = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) > 0 : -1;
	}
	if (ready < 0)
		skip_gate("migration_model", PQresultErrorMessage(r));
	PQclear(r);
	return ready;
}

/* The lock: 1 taken, 0 held by another session, -1 (logged). */
static int take_lock(PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT pg_try_advisory_lock(" GATE_LOCK ")");
	int taken = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		taken = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	else
		skip_gate("pg_try_advisory_lock", PQresultErrorMessage(r));
	PQclear(r);
	return taken;
}

/* Send the statement that unlocks once VERSION's schema is there, and keep
 * the socket open through exec. False (logged) when the server cannot.
 * Each look is a transaction of its own (the COMMIT): within one, the
 * server's catalog cache would not see migration_model appear. */
static bool hold_through_exec(PGconn *c, const char *version)
{
	PGresult *r = PQexec(c, "SET idle_session_timeout = '2s'; "
			     "SET client_connection_check_interval = '1s'");
	bool set = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!set)
		skip_gate("PostgreSQL 14 or later needed", PQresultErrorMessage(r));
	PQclear(r);
	char *literal = set ? PQescapeLiteral(c, version, strlen(version)) : NULL;
	if (!literal)
		return false;
	struct buf sql = { 0 };
	buf_addf(&sql, "DO $gate$ DECLARE ready boolean := false; BEGIN "
		       "FOR i IN 1..%d LOOP "
		       "IF to_regclass('migration_model') IS NOT NULL THEN "
		       "EXECUTE 'SELECT EXISTS (SELECT 1 FROM migration_model WHERE version = $1)' "
		       "INTO ready USING %s; EXIT WHEN ready; END IF; "
		       "COMMIT; PERFORM pg_sleep(1); END LOOP; "
		       "PERFORM pg_advisory_unlock(" GATE_LOCK "); END $gate$",
		 SCHEMA_GATE_WAIT_S, literal);
	PQfreemem(literal);
	bool sent = !sql.failed && PQsendQuery(c, sql.data) == 1;
	buf_free(&sql);
	while (sent && PQflush(c) == 1)
		;
	int fd = PQsocket(c), flags = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
	if (!sent || flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
		skip_gate("the waiting statement", PQerrorMessage(c));
		return false;
	}
	return true;
}

void schema_gate_pass(const struct settings *s, const char *version)
{
	PGconn *c = db_connect(&s->db);
	long long start = now_ms();
	bool waited = false;

	if (PQstatus(c) != CONNECTION_OK) {
		skip_gate("connection", c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return;
	}
	for (int ready; (ready = schema_ready(c, version)) == 0;) {
		int taken = take_lock(c);
		if (taken < 0)
			break;
		/* Taken: unless its holder finished just now, this node is the
		 * one to create the schema. */
		if (taken == 1 && (ready = schema_ready(c, version)) == 0) {
			if (!hold_through_exec(c, version))
				break;
			log_info("this node creates the schema of Keycloak %s; other nodes "
				 "that boot now wait for it", version);
			return;	/* the session stays open, for the server process */
		}
		if (taken == 1)
			break;
		if (!waited)
			log_info("another node is creating the schema of Keycloak %s; waiting "
				 "for it (at most %d s)", version, SCHEMA_GATE_WAIT_S);
		waited = true;
		if (now_ms() - start >= SCHEMA_GATE_WAIT_S * 1000LL) {
			log_warn("waited %d s for another node to create the schema of "
				 "Keycloak %s; booting anyway", SCHEMA_GATE_WAIT_S, version);
			break;
		}
		sleep_ms(1000);
	}
	if (waited)
		log_info("done waiting for the schema of Keycloak %s (%.1f s)", version,
			 (double)(now_ms() - start) / 1000);
	PQfinish(c);
}
