/*
 * Keycloak 26, the Quarkus-based generation: keycloak.conf written from the
 * settings into the state directory, a cache configuration when the
 * discovery is not Keycloak's own jdbc-ping stack, and the java command
 * line bin/kc.sh would build for "start --optimized" (the image has run
 * Keycloak's build already, so every start is an optimised one).
 */
#ifndef KHP_QUARKUS_H
#define KHP_QUARKUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "backend.h"
#include "buf.h"
#include "settings.h"

extern const struct backend quarkus_backend;

/* What keycloak.conf says besides the settings. */
struct quarkus_conf_input {
	const char *cache_file;	/* the cache configuration; NULL: the jdbc-ping stack */
	bool admin_exists;	/* the master realm has the admin: no bootstrap admin */
	const char *dist_conf;	/* the distribution's conf/keycloak.conf; NULL: none */
	const char *dist_conf_path;	/* its path, for messages */
};

/*
 * The text of keycloak.conf (a pure function): the database, HTTP behind a
 * proxy, the hostname, the cache stack and the address cluster peers reach,
 * log levels, the bootstrap admin, the options the distribution's own
 * keycloak.conf sets, and the Keycloak options that must not stay in the
 * server's environment (secrets) or that Keycloak cannot read itself
 * (KC_NAME_FILE). Every value is escaped for Java's properties format and
 * Keycloak's expressions, so it reaches Keycloak as written. Returns 0 or an
 * exit code after logging.
 */
int quarkus_render_conf(const struct settings *s, const struct quarkus_conf_input *in,
			struct buf *out);

/*
 * The cache configuration for a discovery other than JDBC_PING: the
 * distribution's conf/cache-ispn.xml (dist[0..len)) with a JGroups stack
 * that extends Infinispan's tcp (or udp) stack with the settings' discovery
 * protocol and its properties, used by the keycloak container's transport.
 * A pure function: *out malloc'd. Returns 0 or an exit code after logging.
 */
int quarkus_render_cache(const struct settings *s, const char *dist, size_t len, char **out,
			 size_t *out_len);

/*
 * The name of the realm a realm file (JSON) holds: the string value of the
 * top-level "realm" key (the last one, as Keycloak's JSON reader takes it),
 * decoded into name[0..len). Keycloak 26 imports a directory's file only
 * under the name NAME-realm.json. Returns 0, or -1 when f holds no object
 * with such a string of fewer than len bytes (or is not well-formed where
 * it was read).
 */
int quarkus_realm_name(FILE *f, char *name, size_t len);

/* Whether the settings' discovery is Keycloak 26's own jdbc-ping stack. */
bool quarkus_uses_jdbc_ping(const struct settings *s);

/* The state directory's files. */
#define QUARKUS_CONF_FILE "keycloak.conf"
#define QUARKUS_CACHE_FILE "cache-ispn.xml"
#define QUARKUS_SECURITY_FILE "keycloak-ha-java.security"

/* The server's command line (quarkus_launch.c). */
int quarkus_server_argv(const struct settings *s, char *const *envp, char *const *extra,
			size_t n_extra, struct argv_list *out);

/* The readiness endpoint (quarkus_launch.c): GET /health/ready on the
 * management interface, with the port, host, relative path and TLS the
 * Keycloak options (KC_HTTP_MANAGEMENT_PORT, ...) give it. */
struct http_target;
int quarkus_readiness(const struct settings *s, struct http_target *t);

#endif
