/*
 * The state directory: where the server writes (configuration, data, log,
 * tmp), apart from the distribution it runs from.
 *
 * By default it is KEYCLOAK_HOME/standalone, the distribution's own layout.
 * Set elsewhere (KEYCLOAK_STATE_DIR), it lets the server directory stay
 * read-only: it becomes the server's base directory (jboss.server.base.dir),
 * and at every start the entrypoint creates its subdirectories, copies the
 * configuration files from KEYCLOAK_HOME/standalone/configuration into it
 * and links the files of KEYCLOAK_HOME/standalone/deployments (the
 * deployment scanner writes its marker files next to them, so that
 * directory must be writable too). A volume mounted there hides nothing the
 * image ships.
 */
#ifndef KHP_STATE_DIR_H
#define KHP_STATE_DIR_H

#include "settings.h"

#include <stdbool.h>
#include <stddef.h>

/* Is the state directory the distribution's KEYCLOAK_HOME/standalone? */
bool state_dir_is_server_dir(const struct settings *s);

/* The configuration directory the server reads: STATE/configuration. */
void state_config_dir(const struct settings *s, char *buf, size_t len);

/*
 * Create the state directory's subdirectories, copy the distribution's
 * configuration files into it (not standalone-ha.xml, which is rendered,
 * nor the admin user file) and link its deployments. Nothing to do when the state directory is the
 * server directory. Returns 0 or an exit code after logging one line.
 */
int state_dir_prepare(const struct settings *s);

#endif
