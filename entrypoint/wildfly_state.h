/*
 * The WildFly generation's state directory: where the server writes
 * (configuration, data, log, tmp), apart from the distribution it runs from.
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
#ifndef KHP_WILDFLY_STATE_H
#define KHP_WILDFLY_STATE_H

#include <stddef.h>

#include "settings.h"

/* No file of the distribution's configuration directory, standalone-ha.xml
 * included, is larger than this. */
#define WILDFLY_DIST_FILE_MAX (16 * 1024 * 1024)

/* The configuration directory the server reads: STATE/configuration. The
 * settings bound the state directory's length, so it always fits a
 * PATH_MAX buffer. */
void wildfly_config_dir(const struct settings *s, char *buf, size_t len);

/*
 * Create the state directory's subdirectories, copy the distribution's
 * configuration files into it (not standalone-ha.xml, which is rendered,
 * nor the admin user file) and link its deployments. Nothing to do when
 * the state directory is the server directory.
 */
int wildfly_state_prepare(const struct settings *s);

#endif
