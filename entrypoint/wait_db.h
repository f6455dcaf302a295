/*
 * Waiting for PostgreSQL: until it accepts the configured login to the
 * configured database and answers a query, or until the deadline.
 */
#ifndef KHP_WAIT_DB_H
#define KHP_WAIT_DB_H

#include "settings.h"

#include <libpq-fe.h>

/*
 * Returns 0 when a login with the configured credentials ran "SELECT 1";
 * EXIT_DB_REFUSED at once when the server refuses the login or has no such
 * database (waiting would not change that); EXIT_DB_UNAVAILABLE when the
 * server was not reachable, or still starting, until the deadline.
 */
int wait_for_database(const struct settings *s);

/*
 * libpq's connection parameters for the settings (servers, database, user,
 * password, TLS), shared by every connection the entrypoint makes. The
 * struct owns the host and port lists the values point to.
 */
struct db_params {
	const char *keys[12];
	const char *values[12];
	char hosts[64 * 260];
	char ports[64 * 8];
	char options[96];
};
void db_params_init(struct db_params *p, const struct settings *s);

/*
 * A blocking connection with those parameters, bounded by a connect
 * timeout of 10 s, for the questions asked after the wait has shown that
 * the server answers. The caller checks PQstatus and calls PQfinish.
 */
PGconn *db_connect(const struct settings *s);

/* The server's (or libpq's) message msg as one line for the log: without
 * the severity and SQLSTATE prefix, with the SQLSTATE at the end. */
void db_message_line(const char *msg, char *buf, size_t len);

/* The outcome of one attempt, exposed for tests. */
enum attempt_outcome { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_REFUSED, ATTEMPT_NO_DATABASE };

/* Classify a failed connection by the SQLSTATE in libpq's verbose message
 * ("FATAL:  28P01: ..."); no SQLSTATE means the server was not reached. */
enum attempt_outcome classify_connection_error(const char *message);

#endif
