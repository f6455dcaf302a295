/*
 * JGroups' JDBC_PING discovery as the project configures it: the table
 * JGROUPSPING, the statements that read and write it, how often rows are
 * rewritten and when one is stale, and the removal of rows of members that
 * are gone before the server starts.
 *
 * The table keeps one row per member with the time it was written: the
 * coordinator of a live cluster rewrites every member's row every
 * JDBC_PING_REFRESH_S seconds, discovery reads no row older than
 * JDBC_PING_STALE_S seconds, and a row that was not rewritten for
 * JDBC_PING_DEAD_S seconds is no live member's.
 */
#ifndef KHP_JDBC_PING_H
#define KHP_JDBC_PING_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

#define JDBC_PING_REFRESH_S 2
#define JDBC_PING_STALE_S 10
#define JDBC_PING_DEAD_S (2 * JDBC_PING_REFRESH_S + 1)

/* A property of the JDBC_PING protocol and the value the project gives it. */
struct jdbc_ping_property {
	const char *name;
	const char *value;
};

/* The properties that make JDBC_PING keep its rows as described above; a
 * property the user sets (JGROUPS_DISCOVERY_PROPERTIES) replaces its
 * default. */
extern const struct jdbc_ping_property jdbc_ping_properties[];
extern const size_t n_jdbc_ping_properties;

/*
 * Whether the discovery is JDBC_PING keeping its rows that way: the
 * protocol is JDBC_PING and no JGROUPS_DISCOVERY_PROPERTIES entry changes
 * its statements, its connection or its writer.
 */
bool jdbc_ping_keeps_rows(const struct cluster_settings *c);

/*
 * When the discovery keeps its rows the project's way, delete the rows of
 * JGROUPSPING that nobody rewrites: a row that was already written
 * JDBC_PING_DEAD_S seconds ago and is not rewritten by then belongs to a
 * member that is gone. Waits until every row is decided, JDBC_PING_DEAD_S
 * seconds at most; not at all when the table is empty.
 *
 * A database that cannot answer costs one warning and nothing else:
 * discovery ignores stale rows anyway, so this never stops the start.
 */
void remove_dead_ping_rows(const struct settings *s);

#endif
