/*
 * Rendering of the clustered server configuration: a pure function from the
 * settings and the distribution's own standalone-ha.xml to a new document.
 */
#ifndef KHP_RENDER_H
#define KHP_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

/*
 * Build the clustered configuration from the distribution's
 * standalone-ha.xml (dist[0..dist_len)): the KeycloakDS datasource on
 * PostgreSQL with its driver, the JGroups channel stack and discovery
 * protocol, and the owners of Keycloak's distributed caches. Every byte
 * outside the edited elements is copied unchanged.
 *
 * Returns 0 with *out (malloc'd, NUL-terminated) and *out_len set, or an
 * exit code: EXIT_CONFIG for a setting that cannot be rendered,
 * EXIT_NOINPUT for a distribution file that is malformed or lacks an
 * expected element, EXIT_OSERR when memory runs out. err receives a
 * one-line reason that never contains a secret.
 */
int render_standalone_ha(const struct settings *s, const char *dist,
			 size_t dist_len, char **out, size_t *out_len,
			 char *err, size_t err_len);

/*
 * JDBC_PING as rendered keeps one row per member in JGROUPSPING, with the
 * time it was written: the coordinator of a live cluster rewrites every
 * member's row every JDBC_PING_REFRESH_S seconds, discovery reads no row
 * older than JDBC_PING_STALE_S seconds, and a row that was not rewritten
 * for JDBC_PING_DEAD_S seconds is no live member's (ping_rows.c).
 */
#define JDBC_PING_REFRESH_S 2
#define JDBC_PING_STALE_S 10
#define JDBC_PING_DEAD_S (2 * JDBC_PING_REFRESH_S + 1)

/*
 * Whether the rendered discovery is JDBC_PING keeping its rows that way:
 * the protocol is JDBC_PING and no JGROUPS_DISCOVERY_PROPERTIES entry
 * changes its statements, its connection or its writer.
 */
bool jdbc_ping_keeps_rows(const struct settings *s);

#endif
