/*
 * Waiting for PostgreSQL: until it accepts the configured login to the
 * configured database and answers a query, or until the deadline.
 */
#ifndef KHP_WAIT_DB_H
#define KHP_WAIT_DB_H

#include "settings.h"

/*
 * Returns 0 when a login with the configured credentials ran "SELECT 1";
 * EXIT_DB_REFUSED at once when the server refuses the login or has no such
 * database (waiting would not change that); EXIT_DB_UNAVAILABLE when the
 * server was not reachable, or still starting, until the deadline.
 */
int wait_for_database(const struct db_settings *db);

#endif
