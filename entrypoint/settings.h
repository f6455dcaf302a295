/*
 * Settings: everything the entrypoint needs to know, parsed and validated
 * once, from the environment (and secret files), into one struct. Only
 * settings.c reads the environment; every later stage takes a
 * const struct settings *.
 */
#ifndef KHP_SETTINGS_H
#define KHP_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

/* A "key=value" property of the JGroups discovery protocol. */
struct property {
	char *name;
	char *value;
};

/* A boolean setting that may also be left unset. */
enum tristate { TRI_UNSET = 0, TRI_FALSE, TRI_TRUE };

/* One server of DB_ADDR. */
struct db_address {
	char *host;		/* host name or address (IPv6 without brackets) */
	unsigned port;		/* 1..65535 */
};

struct settings {
	/* Database (PostgreSQL). */
	char *db_host;		/* the first server: host name or address */
	unsigned db_port;	/* its port, 1..65535 */
	struct db_address *db_addrs;	/* every server, in order; NULL: db_host only */
	size_t n_db_addrs;
	char *db_schema;	/* NULL: the server's default (public) */
	char *db_sslrootcert;	/* path of the CA certificates; NULL: default */
	char *db_name;
	char *db_user;
	char *db_password;	/* secret */
	char *db_sslmode;	/* NULL: libpq's and the driver's default */
	char *jdbc_params;	/* extra JDBC URL parameters, without '?' */
	unsigned db_wait_timeout;	/* seconds; 0 = wait forever */

	/* Initial admin user of the master realm; both NULL or both set. */
	char *admin_user;
	char *admin_password;	/* secret */

	/* Cluster. */
	char *node_name;	/* jboss.node.name, unique per node */
	char *bind_address;	/* public interface (HTTP) */
	char *bind_private;	/* private interface (JGroups); never loopback or any */
	char *jgroups_protocol;	/* JDBC_PING, PING, MPING, TCPPING, dns.DNS_PING, kubernetes.KUBE_PING */
	char *jgroups_stack;	/* "tcp" or "udp" */
	struct property *jgroups_properties;
	size_t n_jgroups_properties;
	char *multicast_address; /* jboss.default.multicast.address, NULL = distribution's */
	unsigned cache_owners;		/* owners of the session caches */
	unsigned cache_owners_auth;	/* owners of authenticationSessions */

	/* Server. */
	char *keycloak_home;	/* the distribution's directory */
	char *java_home;	/* NULL: find "java" on PATH */
	char *java_opts;	/* NULL: the distribution's defaults */
	char *java_opts_append;
	char *import_files;	/* KEYCLOAK_IMPORT: absolute paths, comma-separated */
	char *frontend_url;	/* KEYCLOAK_FRONTEND_URL */
	char *hostname;		/* KEYCLOAK_HOSTNAME: the fixed hostname provider */
	unsigned http_port;	/* with it: 0 = the request's */
	unsigned https_port;
	enum tristate always_https;
	enum tristate proxy_address_forwarding;
	char *log_level;	/* KEYCLOAK_LOGLEVEL, upper case; NULL: as shipped */
	char *root_log_level;	/* ROOT_LOGLEVEL */

	/* Where each value came from, for "render --print"; secrets masked. */
	struct shown_setting {
		const char *name;	/* the setting's canonical variable */
		char *value;		/* NULL for a secret */
		const char *source;	/* where it was read, or "default" */
	} shown[64];
	size_t n_shown;
	/* Strings the settings own (sources of values); freed with them. */
	char **owned;
	size_t n_owned;
};

/*
 * Where settings come from, highest precedence first: the command line
 * (NAME=value pairs given with --set), the environment (with NAME_FILE),
 * the configuration file, the built-in defaults.
 */
struct settings_input {
	char *const *envp;		/* as environ */
	char *const *overrides;		/* NAME=value from --set; NULL: none */
	const char *config_file;	/* --config; NULL: KEYCLOAK_HA_CONFIG, else
					 * the default path when that file exists */
};

/* The configuration file read when neither --config nor KEYCLOAK_HA_CONFIG
 * names one; a missing file there is not an error. */
#define SETTINGS_DEFAULT_CONFIG "/etc/keycloak-ha-postgres/keycloak-ha.conf"

/*
 * Load the Keycloak role's settings from a name=value environment (as in
 * environ). Returns 0, or an exit code after logging one line that names the
 * variable and what is wrong.
 */
int settings_load(struct settings *s, char *const *envp);
int settings_load_input(struct settings *s, const struct settings_input *in);

/*
 * Warn, one line each, about variables with the project's prefixes that no
 * setting reads, naming the closest known one: probably typos.
 */
void settings_warn_unknown(char *const *envp);

/* Whether name is a variable some setting reads (NAME_FILE included). */
int settings_is_known(const char *name);
/* Whether name is a variable that holds a secret. */
int settings_is_secret(const char *name);
/* The known setting closest to name (a likely typo of it), or NULL. */
const char *settings_closest(const char *name);

/* The entries of a configuration file, as NAME=value with their lines. */
struct config_entries {
	char **vars;	/* NULL-terminated */
	int *lines;
	size_t n;
};

/*
 * Parse the text of a configuration file (libconfig syntax; path only names
 * it in messages). Each entry is a known variable's name with a string,
 * number, boolean, list (joined with ',') or group (name=value pairs).
 * Returns 0, or an exit code after logging one line "PATH:LINE: ...".
 */
int settings_parse_config(const char *path, const char *text, int world_readable,
			  struct config_entries *f);
void settings_config_free(struct config_entries *f);
void settings_print(const struct settings *s, FILE *out);
void settings_free(struct settings *s);

/*
 * Read the secret in the file path named by the variable var (NAME_FILE):
 * one trailing newline removed, NUL bytes and files over 64 KiB refused.
 * Returns 0 with a malloc'd *value, or an exit code after logging one line.
 */
int read_secret_file(const char *var, const char *path, char **value);

/* Look a variable up in a name=value environment; NULL when unset. */
const char *env_get(char *const *envp, const char *name);

#endif
