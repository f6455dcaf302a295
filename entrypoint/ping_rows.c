/*
 * Rows of JGROUPSPING that no live member owns.
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
#include "ping_rows.h"

#include "clock.h"
#include "log.h"
#include "render.h"
#include "wait_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

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

/* r when it holds at least rows rows; otherwise says why, sets *failed. */
static PGresult *checked(PGresult *r, int rows, int *failed)
{
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) >= rows)
		return r;
	cannot_remove(PQresultErrorMessage(r));
	PQclear(r);
	*failed = 1;
	return NULL;
}

int remove_dead_ping_rows(const struct settings *s)
{
	char dead_after[32];
	int failed = 0, removed = 0, left = 0;
	PGresult *rows = NULL;
	char *pending = NULL;

	if (!jdbc_ping_keeps_rows(s))
		return 0;
	PGconn *conn = db_connect(s);
	if (PQstatus(conn) != CONNECTION_OK) {
		cannot_remove(conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return -1;
	}
	PGresult *r = checked(PQexec(conn, table_query), 1, &failed);
	if (!r)
		goto out;
	int ours = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!ours)
		goto out;
	if (!(rows = checked(PQexec(conn, rows_query), 0, &failed)))
		goto out;
	int n = PQntuples(rows);
	if (n == 0)
		goto out;
	if (!(pending = malloc((size_t)n))) {
		cannot_remove("out of memory");
		failed = 1;
		goto out;
	}
	memset(pending, 1, (size_t)n);
	left = n;
	snprintf(dead_after, sizeof(dead_after), "%d seconds", JDBC_PING_DEAD_S);

	/* A row read now is JDBC_PING_DEAD_S old by this deadline at the
	 * latest; the margin covers the statements' own time. */
	long long start = now_ms();
	long long deadline = start + JDBC_PING_DEAD_S * 1000 + 2000;
	for (;;) {
		for (int i = 0; i < n; i++) {
			if (!pending[i])
				continue;
			const char *params[] = { PQgetvalue(rows, i, 0), PQgetvalue(rows, i, 1),
						 PQgetvalue(rows, i, 2), dead_after };
			r = checked(PQexecParams(conn, decide_query, 4, NULL, params, NULL,
						 NULL, 0), 1, &failed);
			if (!r)
				goto out;
			int gone = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
			int unchanged = strcmp(PQgetvalue(r, 0, 1), "0") != 0;
			PQclear(r);
			if (gone)
				removed++;
			if (gone || !unchanged) {
				pending[i] = 0;
				left--;
			}
		}
		if (left == 0 || now_ms() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	log_debug("JGROUPSPING: %d rows read, %d removed, %d undecided after %lld ms", n,
		  removed, left, now_ms() - start);
out:
	if (removed)
		log_info("removed %d row%s of members that are gone from JGROUPSPING "
			 "(not rewritten for %d s)", removed, removed == 1 ? "" : "s",
			 JDBC_PING_DEAD_S);
	free(pending);
	PQclear(rows);
	PQfinish(conn);
	return failed ? -1 : removed;
}
