/*
 * Connections to PostgreSQL as the settings describe them (servers, database,
 * user, password, TLS, schema), shared by every question the entrypoint asks
 * the database: the wait, the discovery rows, the admin user. And libpq's
 * messages made into one log line, and sorted into what waiting can fix and
 * what it cannot.
 */
#ifndef KHP_DB_H
#define KHP_DB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "settings.h"

/* libpq's connection parameters for the settings. The struct owns the host
 * and port lists the values point to. */
struct db_params {
	const char *keys[12];
	const char *values[12];
	char hosts[64 * 260];
	char ports[64 * 8];
	char options[96];
};
void db_params_init(struct db_params *p, const struct db_settings *db);

/*
 * A blocking connection, bounded by a connect timeout of 10 s, for the
 * questions asked after the wait has shown that the server answers. The
 * caller checks PQstatus and calls PQfinish.
 */
PGconn *db_connect(const struct db_settings *db);

/* The server's (or libpq's) message msg as one line for the log: without
 * the severity and SQLSTATE prefix, with the SQLSTATE at the end. */
void db_message_line(const char *msg, char *buf, size_t len);

/* What a failed connection means. */
enum db_failure {
	DB_RETRY,		/* not reachable, not resolvable, starting up: wait */
	DB_REFUSED,		/* the login or TLS is refused: waiting cannot help */
	DB_NO_DATABASE,		/* no such database */
};

/* Classify a failed connection by the SQLSTATE in libpq's verbose message
 * ("FATAL:  28P01: ..."); no SQLSTATE means the server was not reached. */
enum db_failure db_classify_failure(const char *message);

#endif
