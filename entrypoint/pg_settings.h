/*
 * The PostgreSQL image's settings, from the environment (the envp given,
 * never getenv):
 *   PGDATA                     data directory, absolute path
 *                              (default /var/lib/postgresql/data)
 *   POSTGRES_PASSWORD          superuser password; or
 *   POSTGRES_PASSWORD_FILE     a file holding it (one trailing newline is
 *                              stripped); setting both is an error
 *   POSTGRES_USER              superuser role name (default postgres)
 *   POSTGRES_DB                database to create (default: the user name);
 *   POSTGRES_DATABASE          the same, older name; both set and different
 *                              is an error
 *   POSTGRES_HOST_AUTH_METHOD  scram-sha-256 (default), md5 or trust; only
 *                              trust allows initialising without a password
 *   POSTGRES_INITDB_ARGS       extra initdb words, split on spaces
 *   POSTGRES_LISTEN_ADDRESSES  listen_addresses of the final server
 *                              (default *)
 *   TMPDIR                     where the private temporary directory goes
 *                              (default /tmp)
 *   KEYCLOAK_HA_LOG_LEVEL      the entrypoint's own messages (log.h)
 * The password is needed only to initialise; an existing data directory is
 * used as it is.
 */
#ifndef KHP_PG_SETTINGS_H
#define KHP_PG_SETTINGS_H

#include <limits.h>

#include "log.h"

/* initdb runs in PGDATA/INIT; PGDATA/READY is a complete cluster whose move
 * into PGDATA is not finished (pgdata.h). */
#define PG_INIT_DIR_NAME ".keycloak-ha-postgres-init"
#define PG_READY_DIR_NAME ".keycloak-ha-postgres-ready"
/* PostgreSQL's NAMEDATALEN is 64, including the terminating NUL. */
#define PG_IDENTIFIER_MAX 63
/* The temporary server's socket is DIR/.s.PGSQL.5432, and sun_path holds
 * 107 bytes; leave room for the file name. */
#define PG_SOCKET_DIR_MAX 80

struct pg_settings {
	char pgdata[PATH_MAX];
	char init_dir[PATH_MAX];
	char ready_dir[PATH_MAX];
	const char *user;
	const char *database;
	const char *auth_method;
	const char *initdb_args;	/* NULL: none */
	const char *listen_addresses;
	const char *tmpdir;
	char *password;			/* secret; NULL: none given */
	enum log_level log_level;
};

/* Returns 0, or an exit code after logging one line that names the
 * variable. The caller frees with pg_settings_free whatever the result. */
int pg_settings_load(struct pg_settings *s, char *const *envp);
void pg_settings_free(struct pg_settings *s);

#endif
