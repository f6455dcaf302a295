/*
 * The initial admin user of the master realm (KEYCLOAK_USER and
 * KEYCLOAK_PASSWORD), handed to the server as keycloak-add-user.json: the
 * file Keycloak reads at boot from jboss.server.config.dir, imports (a user
 * that exists already is logged and skipped) and deletes.
 *
 * Before writing it, the entrypoint asks the database whether the master
 * realm has that user already. When it has, the file is not written (a
 * stale one is removed: the password hash never lingers on disk) and one
 * log line says so; a restart with the same settings is then a no-op. An
 * empty database (first start: Keycloak creates its tables at boot) is the
 * normal case, not an error; if the question cannot be answered, the file
 * is written and Keycloak's own check decides.
 */
#ifndef KHP_ADMIN_USER_H
#define KHP_ADMIN_USER_H

#include <stddef.h>

/* PBKDF2 parameters; the server re-hashes on login if its policy differs. */
#define ADMIN_HASH_ITERATIONS 27500
#define ADMIN_SALT_BYTES 16
#define ADMIN_KEY_BYTES 64

/*
 * Build the JSON document for user/password with the given salt. Returns a
 * malloc'd string, or NULL when hashing fails.
 */
char *admin_user_json(const char *user, const char *password,
		      const unsigned char salt[ADMIN_SALT_BYTES]);

/* Write it, mode 0600, atomically, into config_dir. Returns 0 or an exit code. */
int write_admin_user(const char *config_dir, const char *user, const char *password);

struct settings;

/* Whether the master realm has the admin user, as far as the database can
 * tell (an empty database: not yet; no answer: unknown, logged). */
enum admin_state { ADMIN_UNKNOWN, ADMIN_ABSENT, ADMIN_PRESENT };
enum admin_state admin_user_state(const struct settings *s);

/* Write the file into config_dir unless the database has the admin user
 * already. Returns 0 or an exit code. */
int provide_admin_user(const struct settings *s, const char *config_dir);

#endif
