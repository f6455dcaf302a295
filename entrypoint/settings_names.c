#include "settings_names.h"

#include "log.h"

#include <stddef.h>
#include <string.h>

/* The KC_ names are Keycloak 26's own variables for the same settings:
 * set together with the project's name, they must agree. */
const struct setting_vars
	sv_db_vendor = { { "DB_VENDOR", "KC_DB" }, 0 },
	/* DB_ADDR, then what a Docker link named "postgres" and a
	 * Kubernetes service named "postgres-service" inject. */
	sv_db_addr = { { "DB_ADDR", "POSTGRES_PORT_5432_TCP_ADDR",
			 "POSTGRES_SERVICE_SERVICE_HOST", "KC_DB_URL_HOST" }, 0 },
	sv_db_port = { { "DB_PORT", "POSTGRES_PORT_5432_TCP_PORT",
			 "POSTGRES_SERVICE_SERVICE_PORT", "KC_DB_URL_PORT" }, 0 },
	sv_db_database = { { "DB_DATABASE", "POSTGRES_DATABASE", "KC_DB_URL_DATABASE" }, 0 },
	sv_db_url = { { "KC_DB_URL" }, 0 },
	sv_db_schema = { { "DB_SCHEMA", "KC_DB_SCHEMA" }, 0 },
	sv_db_user = { { "DB_USER", "POSTGRES_USER", "POSTGRES_USERNAME", "KC_DB_USERNAME" },
		       V_FILE },
	sv_db_password = { { "DB_PASSWORD", "POSTGRES_PASSWORD", "KC_DB_PASSWORD" },
			   V_SECRET | V_FILE },
	sv_db_sslmode = { { "DB_SSLMODE" }, 0 },
	sv_db_sslrootcert = { { "DB_SSLROOTCERT" }, 0 },
	sv_jdbc_params = { { "JDBC_PARAMS", "KC_DB_URL_PROPERTIES" }, V_EMPTY_OK },
	sv_db_wait_timeout = { { "DB_WAIT_TIMEOUT" }, 0 },
	sv_admin_user = { { "KEYCLOAK_USER", "KC_BOOTSTRAP_ADMIN_USERNAME" }, V_FILE },
	sv_admin_password = { { "KEYCLOAK_PASSWORD", "KC_BOOTSTRAP_ADMIN_PASSWORD" },
			      V_SECRET | V_FILE },
	sv_import = { { "KEYCLOAK_IMPORT" }, 0 },
	sv_frontend_url = { { "KEYCLOAK_FRONTEND_URL" }, 0 },
	sv_hostname = { { "KEYCLOAK_HOSTNAME" }, 0 },
	sv_http_port = { { "KEYCLOAK_HTTP_PORT" }, 0 },
	sv_https_port = { { "KEYCLOAK_HTTPS_PORT" }, 0 },
	sv_always_https = { { "KEYCLOAK_ALWAYS_HTTPS" }, 0 },
	sv_proxy_forwarding = { { "PROXY_ADDRESS_FORWARDING" }, 0 },
	sv_keycloak_log_level = { { "KEYCLOAK_LOGLEVEL" }, 0 },
	sv_root_log_level = { { "ROOT_LOGLEVEL" }, 0 },
	sv_node_name = { { "KEYCLOAK_NODE_NAME" }, 0 },
	sv_bind = { { "BIND" }, 0 },
	sv_discovery_protocol = { { "JGROUPS_DISCOVERY_PROTOCOL" }, 0 },
	sv_discovery_properties = { { "JGROUPS_DISCOVERY_PROPERTIES" }, 0 },
	sv_transport_stack = { { "JGROUPS_TRANSPORT_STACK" }, 0 },
	sv_multicast_address = { { "JGROUPS_MULTICAST_ADDRESS" }, 0 },
	sv_failure_detection_timeout = { { "JGROUPS_FAILURE_DETECTION_TIMEOUT" }, 0 },
	sv_cache_owners = { { "CACHE_OWNERS_COUNT" }, 0 },
	sv_cache_owners_auth = { { "CACHE_OWNERS_AUTH_SESSIONS_COUNT" }, 0 },
	sv_home = { { "KEYCLOAK_HOME", "JBOSS_HOME" }, 0 },
	sv_java_home = { { "JAVA_HOME" }, 0 },
	sv_java_opts = { { "JAVA_OPTS" }, V_EMPTY_OK },
	sv_java_opts_append = { { "JAVA_OPTS_APPEND" }, V_EMPTY_OK },
	sv_state_dir = { { "KEYCLOAK_STATE_DIR" }, 0 },
	sv_config_file = { { "KEYCLOAK_HA_CONFIG" }, 0 },
	sv_log_level = { { "KEYCLOAK_HA_LOG_LEVEL" }, 0 };

static const struct setting_vars *const all_settings[] = {
	&sv_db_vendor, &sv_db_addr, &sv_db_port, &sv_db_database, &sv_db_url, &sv_db_schema,
	&sv_db_user,
	&sv_db_password, &sv_db_sslmode, &sv_db_sslrootcert, &sv_jdbc_params,
	&sv_db_wait_timeout, &sv_admin_user, &sv_admin_password, &sv_import, &sv_frontend_url,
	&sv_hostname, &sv_http_port, &sv_https_port, &sv_always_https, &sv_proxy_forwarding,
	&sv_keycloak_log_level, &sv_root_log_level, &sv_node_name, &sv_bind,
	&sv_discovery_protocol, &sv_discovery_properties, &sv_transport_stack,
	&sv_multicast_address, &sv_failure_detection_timeout, &sv_cache_owners,
	&sv_cache_owners_auth, &sv_home, &sv_state_dir,
	&sv_java_home, &sv_java_opts, &sv_java_opts_append, &sv_config_file, &sv_log_level,
};
#define N_SETTINGS (sizeof(all_settings) / sizeof(all_settings[0]))

static bool is_file_variant(const char *name, const struct setting_vars *v, size_t i)
{
	size_t n = strlen(v->names[i]);

	return (v->flags & V_FILE) && strncmp(name, v->names[i], n) == 0 &&
	       strcmp(name + n, "_FILE") == 0;
}

bool settings_is_known(const char *name)
{
	for (size_t k = 0; k < N_SETTINGS; k++)
		for (size_t i = 0; i < SETTING_MAX_NAMES && all_settings[k]->names[i]; i++)
			if (strcmp(name, all_settings[k]->names[i]) == 0 ||
			    is_file_variant(name, all_settings[k], i))
				return true;
	return false;
}

bool settings_is_secret(const char *name)
{
	for (size_t k = 0; k < N_SETTINGS; k++)
		for (size_t i = 0; i < SETTING_MAX_NAMES && all_settings[k]->names[i]; i++)
			if ((all_settings[k]->flags & V_SECRET) &&
			    strcmp(name, all_settings[k]->names[i]) == 0)
				return true;
	return false;
}

/* Edit distance, bounded: names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *settings_closest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4;	/* farther than 3 edits is no likely typo */

	for (size_t k = 0; k < N_SETTINGS; k++) {
		const char *known = all_settings[k]->names[0];
		size_t d = distance(name, known);
		if (d < best_d) {
			best_d = d;
			best = known;
		}
	}
	return best;
}

static bool starts_with_any(const char *name, const char *const *prefixes)
{
	for (const char *const *p = prefixes; *p; p++)
		if (strncmp(name, *p, strlen(*p)) == 0)
			return true;
	return false;
}

/*
 * Variables that look like the project's but are not: the prefixes of its
 * settings. Names the engines inject (Docker links, Kubernetes services)
 * share them and are skipped.
 */
void settings_warn_unknown(char *const *envp)
{
	static const char *const prefixes[] = { "DB_", "KEYCLOAK_", "JGROUPS_", "CACHE_",
		"JDBC_", "JAVA_OPTS", "PROXY_", "ROOT_LOG", NULL };
	static const char *const injected[] = { "POSTGRES_PORT", "POSTGRES_ENV_",
		"POSTGRES_NAME", "POSTGRES_SERVICE_", NULL };

	for (char *const *e = envp; e && *e; e++) {
		char name[128];
		size_t n = strcspn(*e, "=");
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, *e, n);
		name[n] = '\0';
		if (!starts_with_any(name, prefixes) || starts_with_any(name, injected) ||
		    settings_is_known(name))
			continue;
		const char *near = settings_closest(name);
		if (near)
			log_warn("%s is set but no setting reads it; did you mean %s?", name, near);
		else
			log_warn("%s is set but no setting reads it", name);
	}
}
