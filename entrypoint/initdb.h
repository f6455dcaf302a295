/*
 * Initialising a cluster in PGDATA/PG_INIT_DIR_NAME: initdb with the
 * superuser's password, pg_hba.conf for network clients, and the database,
 * created through a temporary server that listens on a private unix socket
 * only; then the rename to PG_READY_DIR_NAME, the commit point (pgdata.h).
 *
 * The password is written to a 0600 file in a private 0700 directory and
 * given to initdb with --pwfile, so it never appears in an argv, in SQL text
 * or in a log; the file is removed as soon as initdb has exited.
 *
 * SIGTERM and SIGINT during initialisation end it cleanly (the temporary
 * server is stopped, the incomplete cluster removed) instead of leaving the
 * temporary server behind.
 */
#ifndef KHP_INITDB_H
#define KHP_INITDB_H

#include "pg_settings.h"

/* env: the environment of initdb and postgres (without secrets). */
int pgdata_initialise(const struct pg_settings *s, char *const *env);

#endif
