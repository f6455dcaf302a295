/*
 * JDBC_PING's rows of members that are gone: removed before the server
 * starts, so that its discovery finds only live members.
 */
#ifndef KHP_PING_ROWS_H
#define KHP_PING_ROWS_H

#include "settings.h"

/*
 * When the rendered discovery is JDBC_PING keeping its rows the project's
 * way (render.h), delete the rows of JGROUPSPING that nobody rewrites: a
 * row that was already written JDBC_PING_DEAD_S seconds ago and is not
 * rewritten by then belongs to a member that is gone (a live cluster's
 * coordinator rewrites every member's row every JDBC_PING_REFRESH_S
 * seconds). Waits until every row is decided, JDBC_PING_DEAD_S seconds at
 * most; not at all when no row is fresh. A database that cannot answer is
 * reported and left alone: discovery ignores stale rows anyway.
 *
 * Returns the number of rows deleted, or -1 when the question could not be
 * answered (logged as a warning).
 */
int remove_dead_ping_rows(const struct settings *s);

#endif
