/*
 * Rendering of the clustered server configuration: a pure function from the
 * settings and the distribution's own standalone-ha.xml to a new document.
 */
#ifndef KHP_RENDER_H
#define KHP_RENDER_H

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

#endif
