/*
 * The names of the settings: every variable the Keycloak role reads, grouped
 * by setting, and what can be asked of a name (is it known, is it a secret,
 * which known name is it a typo of).
 *
 * A setting has one or more variable names: the project's own (DB_ADDR),
 * the 2015 guide's (POSTGRES_USER, POSTGRES_USERNAME), and the ones a
 * container engine injects (Docker link and Kubernetes service variables).
 * They are synonyms, listed in order of precedence; settings.c requires
 * that the ones set agree.
 */
#ifndef KHP_SETTINGS_NAMES_H
#define KHP_SETTINGS_NAMES_H

#include <stdbool.h>

enum {
	V_FILE = 1 << 0,	/* may come from NAME_FILE (Docker, Kubernetes secrets) */
	V_SECRET = 1 << 1,	/* never shown nor echoed in a message */
	V_EMPTY_OK = 1 << 2,	/* an empty value is a legitimate value */
};

#define SETTING_MAX_NAMES 4

/* The variables of one setting, highest precedence first. */
struct setting_vars {
	const char *names[SETTING_MAX_NAMES];
	unsigned flags;
};

extern const struct setting_vars sv_db_vendor, sv_db_addr, sv_db_port, sv_db_database,
	sv_db_url, sv_db_schema, sv_db_user, sv_db_password, sv_db_sslmode, sv_db_sslrootcert,
	sv_jdbc_params, sv_db_wait_timeout, sv_admin_user, sv_admin_password, sv_import,
	sv_frontend_url, sv_hostname, sv_http_port, sv_https_port, sv_always_https,
	sv_proxy_forwarding, sv_keycloak_log_level, sv_root_log_level, sv_node_name, sv_bind,
	sv_discovery_protocol, sv_discovery_properties, sv_transport_stack, sv_multicast_address,
	sv_failure_detection_timeout, sv_cache_owners, sv_cache_owners_auth, sv_home,
	sv_java_home, sv_java_opts,
	sv_java_opts_append, sv_state_dir, sv_config_file, sv_log_level;

/* Whether name is a variable some setting reads (NAME_FILE included). */
bool settings_is_known(const char *name);
/* Whether name is a variable that holds a secret. */
bool settings_is_secret(const char *name);
/* The known setting closest to name (a likely typo of it), or NULL. */
const char *settings_closest(const char *name);

/*
 * Warn, one line each, about variables with the project's prefixes that no
 * setting reads, naming the closest known one: probably typos.
 */
void settings_warn_unknown(char *const *envp);

#endif
