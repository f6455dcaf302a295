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

struct settings {
	/* Database (PostgreSQL). */
	char *db_host;		/* host name or address */
	unsigned db_port;	/* 1..65535 */
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
	char *state_dir;	/* what the server writes; default KEYCLOAK_HOME/standalone */
	char *java_home;	/* NULL: find "java" on PATH */
	char *java_opts;	/* NULL: the distribution's defaults */
	char *java_opts_append;

	/* Where each value came from, for "render --print"; secrets masked. */
	struct shown_setting {
		const char *name;	/* the setting's canonical variable */
		char *value;		/* NULL for a secret */
		const char *source;	/* variable it was read from, or "default" */
	} shown[40];
	size_t n_shown;
};

/*
 * Load the Keycloak role's settings from a name=value environment (as in
 * environ). Returns 0, or an exit code after logging one line that names the
 * variable and what is wrong.
 */
int settings_load(struct settings *s, char *const *envp);
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
