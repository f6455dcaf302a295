/*
 * Settings: what the user configured, parsed and validated once, into one
 * struct that no later stage changes. It speaks of the user's cluster, not
 * of a Keycloak generation: the backends (backend.h) turn it into a
 * server's files and command line.
 *
 * Only the settings modules read the environment (settings.c and the
 * modules it uses: settings_lookup.c, settings_file.c, settings_names.c,
 * check.c). Every later stage takes a const struct settings *.
 */
#ifndef KHP_SETTINGS_H
#define KHP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct provenance;

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

/* PostgreSQL: where it is, who logs in, how. */
struct db_settings {
	char *host;		/* the first server: host name or address */
	unsigned port;		/* its port, 1..65535 */
	struct db_address *addrs;	/* every server, in order; NULL: host only */
	size_t n_addrs;
	char *name;		/* the database */
	char *schema;		/* NULL: the server's default (public) */
	char *user;
	char *password;		/* secret */
	char *sslmode;		/* NULL: libpq's and the driver's default */
	char *sslrootcert;	/* path of the CA certificates; NULL: default */
	char *jdbc_params;	/* extra JDBC URL parameters, without '?' */
	unsigned wait_timeout;	/* seconds; 0 = wait forever */
};

/* The initial admin user of the master realm; both NULL or both set. */
struct admin_settings {
	char *user;
	char *password;		/* secret */
};

/* How browsers and clients reach the server. */
struct frontend_settings {
	char *url;		/* KEYCLOAK_FRONTEND_URL */
	char *hostname;		/* KEYCLOAK_HOSTNAME */
	unsigned http_port;	/* with it: 0 = the request's */
	unsigned https_port;
	enum tristate always_https;
	enum tristate proxy_address_forwarding;
};

/* The cluster: this node, how it finds the others, how sessions are kept. */
struct cluster_settings {
	char *node_name;	/* unique per node */
	char *bind_address;	/* public interface (HTTP) */
	char *bind_private;	/* cluster traffic; never loopback or any */
	/* JDBC_PING, PING, MPING, TCPPING, dns.DNS_PING, kubernetes.KUBE_PING */
	char *protocol;
	char *stack;		/* "tcp" or "udp" */
	struct property *properties;
	size_t n_properties;
	char *multicast_address; /* NULL: the distribution's */
	/* Seconds without a heartbeat before a member is suspected (FD_ALL,
	 * FD_ALL3); 0: the distribution's. */
	unsigned failure_detection_timeout;
	unsigned cache_owners;		/* owners of the session caches */
	unsigned cache_owners_auth;	/* owners of authenticationSessions */
};

/* The server program: where it is, how its JVM runs, what it loads. */
struct server_settings {
	char *home;		/* the distribution's directory */
	char *state_dir;	/* what the server writes; NULL: the backend's default */
	char *java_home;	/* NULL: find "java" on PATH */
	char *java_opts;	/* NULL: the distribution's defaults */
	char *java_opts_append;
	char *import_files;	/* KEYCLOAK_IMPORT: absolute paths, comma-separated */
	char *log_level;	/* KEYCLOAK_LOGLEVEL, upper case; NULL: as shipped */
	char *root_log_level;	/* ROOT_LOGLEVEL */
};

/* A Keycloak option the user gave in Keycloak's own way (Keycloak 26):
 * KC_NAME or KC_NAME_FILE in the environment, or --name=value after "run",
 * when no setting of the project reads it. The backend checks it against
 * the settings it overlaps and hands on what the server would otherwise not
 * get: the secrets, which leave the server's environment, and the values
 * of KC_NAME_FILE, which Keycloak itself does not read. */
struct keycloak_option {
	char *key;		/* the option's name: "https-key-store-password" */
	char *value;
	char *source;		/* "KC_NAME", "KC_NAME_FILE", "run argument" */
	bool secret;		/* a password or secret: never shown */
	bool from_file;		/* KC_NAME_FILE */
	bool from_cmdline;	/* --name=value */
};

struct keycloak_options {
	struct keycloak_option *v;
	size_t n;
};

struct settings {
	struct db_settings db;
	struct admin_settings admin;
	struct frontend_settings frontend;
	struct cluster_settings cluster;
	struct server_settings server;
	struct keycloak_options keycloak;
	enum log_level log_level;	/* the entrypoint's own messages */
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
	/* The arguments given to the server after "run": those of the form
	 * --name=value are Keycloak options, above every other source
	 * (Keycloak's own precedence: command line, environment, file). */
	char *const *server_args;
	size_t n_server_args;
};

/* The configuration file read when neither --config nor KEYCLOAK_HA_CONFIG
 * names one; a missing file there is not an error. */
#define SETTINGS_DEFAULT_CONFIG "/etc/keycloak-ha-postgres/keycloak-ha.conf"

/*
 * Load the Keycloak role's settings into s, and where each came from into
 * shown. Returns 0, or an exit code after logging one line that names the
 * variable and what is wrong. Whatever the result, the caller frees s with
 * settings_free and shown with provenance_free (both start zeroed).
 */
int settings_load(struct settings *s, struct provenance *shown, const struct settings_input *in);

void settings_free(struct settings *s);

#endif
