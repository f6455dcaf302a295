/*
 * Keycloak 26's discovery table, JGROUPS_PING (its jdbc-ping stack: one row
 * per member, with the address:port of the member's cluster transport in
 * "ip"), and the removal of rows of members that are gone.
 *
 * A member that crashed leaves its row, and a crashed coordinator's row
 * says "coordinator" until the next coordinator is chosen: a node that
 * starts after the whole cluster crashed sends its join requests to that
 * dead coordinator ten times before it forms a cluster alone (about 18 s).
 * Keycloak rewrites the rows only every 30 s, so watching them (as for the
 * WildFly generation's table, jdbc_ping.h) would cost that long; instead
 * each row's transport is asked: a member whose cluster port refuses a TCP
 * connection, or does not answer within a second, is gone.
 */
#ifndef KHP_JGROUPS_PING_H
#define KHP_JGROUPS_PING_H

#include "settings.h"

/* Milliseconds one row's transport has to accept a connection. */
#define JGROUPS_PING_PROBE_MS 1000

/* Delete the rows of JGROUPS_PING whose member does not accept a TCP
 * connection. A database that cannot answer costs one warning and nothing
 * else; the server starts either way. */
void remove_dead_jgroups_ping_rows(const struct settings *s);

#endif
