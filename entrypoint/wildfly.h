/*
 * The WildFly-based generation of Keycloak (19.0.1 and earlier): the
 * clustered standalone-ha.xml rendered from the distribution's own, the
 * state directory, the initial admin user file, and the java command line
 * bin/standalone.sh would build.
 */
#ifndef KHP_WILDFLY_H
#define KHP_WILDFLY_H

#include <stddef.h>

#include "backend.h"
#include "settings.h"

extern const struct backend wildfly_backend;

/*
 * Build the clustered configuration from the distribution's
 * standalone-ha.xml (dist[0..dist_len)): the KeycloakDS datasource on
 * PostgreSQL with its driver, the JGroups channel stack and discovery
 * protocol, the owners of Keycloak's distributed caches, and the schema,
 * hostname, proxy and log levels the settings ask for. Every byte outside
 * the edited elements is copied unchanged. A pure function: returns 0 with
 * *out (malloc'd, NUL-terminated) and *out_len, or an exit code after
 * logging a reason that never contains a secret.
 */
int render_standalone_ha(const struct settings *s, const char *dist, size_t dist_len,
			 char **out, size_t *out_len);

/* The JVM security properties file written next to standalone-ha.xml and
 * named on the server's command line. */
#define WILDFLY_SECURITY_FILE "keycloak-ha-java.security"

/* The server's command line (wildfly_launch.c). */
int wildfly_server_argv(const struct settings *s, char *const *envp, char *const *extra,
			size_t n_extra, struct argv_list *out);

/* The readiness endpoint (wildfly_launch.c): GET /auth/realms/master on the
 * HTTP listener. */
struct http_target;
int wildfly_readiness(const struct settings *s, struct http_target *t);

#endif
