/*
 * JDBC_PING's table, its statements, and the rows of members that are gone.
 *
 * A node that JDBC_PING discovers through a row of a member that crashed
 * sends its join request to that member, and when the row says "coordinator"
 * it waits for the answer ten times before it starts alone. Discovery reads
 * no row older than JDBC_PING_STALE_S, but a cluster that crashed and comes
 * back at once (a host reboot, every container killed) finds rows a few
 * seconds old, and a JVM can reach discovery sooner than they age.
 *
 * So before the server starts, the rows are read once, and each is decided
 * by watching it: a live cluster's coordinator rewrites every member's row
 * every JDBC_PING_REFRESH_S seconds, so a row that changes is a live
 * member's, and a row that stays as it was until it is JDBC_PING_DEAD_S
 * seconds old is deleted, in the same statement that checks it is still the
 * row that was read. A live cluster costs the wait for its next rewrite (two
 * seconds at most); rows of a crash cost the wait until they are five
 * seconds old; an empty table costs nothing. Deleting a live member's row by
 * mistake (its coordinator stalled) costs that member nothing: its
 * coordinator writes it again at the next rewrite.
 */
#include "jdbc_ping.h"

#include "clock.h"
#include "db.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* JGROUPSPING as JGroups' JDBC_PING reads and writes it (own_addr,
 * cluster_name, ping_data), in PostgreSQL's types, plus the time a row was
 * written; "IF NOT EXISTS" because every node runs it at every start, and
 * the ALTER adds the column to a table an older image created. */
#define JDBC_PING_INITIALIZE_SQL                                              \
	"CREATE TABLE IF NOT EXISTS JGROUPSPING ("                            \
	"own_addr varchar(200) NOT NULL, "                                    \
	"cluster_name varchar(200) NOT NULL, "                                \
	"ping_data bytea, "                                                   \
	"updated timestamptz NOT NULL DEFAULT now(), "                        \
	"constraint PK_JGROUPSPING PRIMARY KEY (own_addr, cluster_name)); "   \
	"ALTER TABLE JGROUPSPING ADD COLUMN IF NOT EXISTS "                   \
	"updated timestamptz NOT NULL DEFAULT now()"

/* A crashed cluster leaves its rows behind, the dead coordinator's among
 * them, and a node that finds them sends its join requests to that
 * coordinator ten times before it starts alone. The coordinator of a live
 * cluster rewrites every member's row every JDBC_PING_REFRESH_MS at most
 * (the "info writer"), so a row that has not been written for
 * JDBC_PING_STALE is no member's: discovery reads no such row, and every
 * write of a row deletes those of its cluster. (JGroups writes a row with
 * a delete and this insert; the statement is a DELETE with the INSERT in
 * its WITH, so that the three parameters stay the insert's.) A cluster
 * that comes back at once after a crash finds rows younger than that; the
 * entrypoint removes those before the server starts (below). The
 * comparisons are written with '>' only: the values go into XML as they
 * are. */
#define STRING_(x) #x
#define STRING(x) STRING_(x)
#define JDBC_PING_REFRESH_MS STRING(JDBC_PING_REFRESH_S) "000"
#define JDBC_PING_STALE STRING(JDBC_PING_STALE_S) " seconds"
#define JDBC_PING_SELECT_SQL                                                  \
	"SELECT ping_data, own_addr, cluster_name FROM JGROUPSPING "          \
	"WHERE cluster_name=? AND updated > now() - interval '"               \
	JDBC_PING_STALE "'"
#define JDBC_PING_INSERT_SQL                                                  \
	"WITH written AS (INSERT INTO JGROUPSPING "                           \
	"(own_addr, cluster_name, ping_data) VALUES (?, ?, ?) "               \
	"RETURNING cluster_name) "                                            \
	"DELETE FROM JGROUPSPING USING written "                              \
	"WHERE JGROUPSPING.cluster_name = written.cluster_name "              \
	"AND now() - interval '" JDBC_PING_STALE "' > JGROUPSPING.updated"

const struct jdbc_ping_property jdbc_ping_properties[] = {
	{ "initialize_sql", JDBC_PING_INITIALIZE_SQL },
	{ "insert_single_sql", JDBC_PING_INSERT_SQL },
	{ "select_all_pingdata_sql", JDBC_PING_SELECT_SQL },
	/* At every view change the coordinator deletes the old coordinator's
	 * row and writes every member's (without update_store_on_view_change it
	 * only writes them when a member left, so a join would leave the table
	 * without the new member's row). Not remove_all_data_on_view_change:
	 * JGroups 4.2 empties the table with a connection it does not check,
	 * and when the database cannot be reached at that moment the view
	 * change fails with a NullPointerException; at boot that leaves the
	 * server without its channel. */
	{ "remove_all_data_on_view_change", "false" },
	{ "remove_old_coords_on_view_change", "true" },
	{ "update_store_on_view_change", "true" },
	/* The info writer stops after this many writes: never, here. */
	{ "info_writer_sleep_time", JDBC_PING_REFRESH_MS },
	{ "info_writer_max_writes_after_view", "2147483647" },
};
const size_t n_jdbc_ping_properties =
	sizeof(jdbc_ping_properties) / sizeof(jdbc_ping_properties[0]);

bool jdbc_ping_keeps_rows(const struct cluster_settings *c)
{
	static const char *const prefixes[] = { "connection_", "datasource_", "info_writer_" };

	if (c->protocol && strcmp(c->protocol, "JDBC_PING") != 0)
		return false;
	for (size_t i = 0; i < c->n_properties; i++) {
		const char *name = c->properties[i].name;
		size_t n = name ? strlen(name) : 0;

		if (n >= 4 && strcmp(name + n - 4, "_sql") == 0)
			return false;
		for (size_t j = 0; n && j < sizeof(prefixes) / sizeof(prefixes[0]); j++)
			if (strncmp(name, prefixes[j], strlen(prefixes[j])) == 0)
				return false;
	}
	return true;
}

#define POLL_MS 250
/* Far more members than a Keycloak cluster has; more rows are left to the
 * rows' own expiry. */
#define MAX_ROWS "1024"

/* The project's table (with the column updated); an older one, or none, is
 * not watched. Names are resolved in search_path, which is DB_SCHEMA when
 * it is set, as the server's currentSchema is. */
static const char table_query[] =
	"SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = "
	"to_regclass('jgroupsping') AND attname = 'updated' AND NOT attisdropped)";
/* The text form of a timestamptz reads back as the same value. */
static const char rows_query[] =
	"SELECT own_addr, cluster_name, updated::text FROM jgroupsping LIMIT " MAX_ROWS;
/* $1, $2, $3: one row as it was read; $4: the age of a dead row. The
 * SELECT sees the table as it was before the DELETE of the same statement,
 * so "unchanged" is 1 for a row that is deleted. */
static const char decide_query[] =
	"WITH gone AS (DELETE FROM jgroupsping WHERE own_addr = $1 "
	"AND cluster_name = $2 AND updated = $3::timestamptz "
	"AND updated < now() - $4::interval RETURNING 1) "
	"SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM jgroupsping "
	"WHERE own_addr = $1 AND cluster_name = $2 AND updated = $3::timestamptz)";

static void cannot_remove(const char *why)
{
	char msg[512];

	db_message_line(why, msg, sizeof(msg));
	log_warn("cannot remove the rows of members that are gone from JGROUPSPING: %s",
		 msg[0] ? msg : "no answer");
}

/* r when it holds at least rows rows; otherwise says why and clears it. */
static PGresult *checked(PGresult *r, int rows)
{
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) >= rows)
		return r;
	cannot_remove(PQresultErrorMessage(r));
	PQclear(r);
	return NULL;
}

/* The rows of the project's table; NULL (said why) when it cannot be read,
 * an empty result when there is no such table. */
static PGresult *read_rows(PGconn *conn)
{
	PGresult *r = checked(PQexec(conn, table_query), 1);

	if (!r)
		return NULL;
	bool ours = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return checked(PQexec(conn, ours ? rows_query : "SELECT 1 WHERE false"), 0);
}

/*
 * Watch each row of rows until it changes (a live member's) or is deleted
 * for being dead, or until the deadline. Returns the number deleted; when
 * the database stops answering, the ones deleted until then (said why).
 */
static int decide_rows(PGconn *conn, const PGresult *rows)
{
	int n = PQntuples(rows), removed = 0, left = n;
	char dead_after[32], *decided = calloc((size_t)n, 1);
	bool failed = false;

	if (!decided) {
		cannot_remove("out of memory");
		return 0;
	}
	snprintf(dead_after, sizeof(dead_after), "%d seconds", JDBC_PING_DEAD_S);
	/* A row read now is JDBC_PING_DEAD_S old by this deadline at the
	 * latest; the margin covers the statements' own time. */
	long long start = now_ms(), deadline = start + JDBC_PING_DEAD_S * 1000 + 2000;
	for (;;) {
		for (int i = 0; i < n && !failed; i++) {
			if (decided[i])
				continue;
			const char *params[] = { PQgetvalue(rows, i, 0), PQgetvalue(rows, i, 1),
						 PQgetvalue(rows, i, 2), dead_after };
			PGresult *r = checked(PQexecParams(conn, decide_query, 4, NULL, params,
							   NULL, NULL, 0), 1);
			if (!r) {
				failed = true;
				break;
			}
			bool gone = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
			bool unchanged = strcmp(PQgetvalue(r, 0, 1), "0") != 0;
			PQclear(r);
			removed += gone;
			if (gone || !unchanged) {
				decided[i] = 1;
				left--;
			}
		}
		if (failed || left == 0 || now_ms() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	log_debug("JGROUPSPING: %d rows read, %d removed, %d undecided after %lld ms", n,
		  removed, left, now_ms() - start);
	free(decided);
	return removed;
}

void remove_dead_ping_rows(const struct settings *s)
{
	if (!jdbc_ping_keeps_rows(&s->cluster))
		return;
	PGconn *conn = db_connect(&s->db);
	if (PQstatus(conn) != CONNECTION_OK) {
		cannot_remove(conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return;
	}
	PGresult *rows = read_rows(conn);
	int removed = rows && PQntuples(rows) > 0 ? decide_rows(conn, rows) : 0;
	if (removed > 0)
		log_info("removed %d row%s of members that are gone from JGROUPSPING "
			 "(not rewritten for %d s)", removed, removed == 1 ? "" : "s",
			 JDBC_PING_DEAD_S);
	PQclear(rows);
	PQfinish(conn);
}
