/*
 * The PostgreSQL JDBC driver's URL for the database settings, as every
 * server generation's datasource takes it.
 */
#ifndef KHP_JDBC_URL_H
#define KHP_JDBC_URL_H

#include "buf.h"
#include "settings.h"

/*
 * Append jdbc:postgresql://HOST:PORT[,HOST:PORT...]/DB[?PARAMS][&...] to
 * url. The driver URL-decodes the database name and the parameter values,
 * so the name is percent-encoded whole and the parameters keep their
 * structure ('&', '=') with only characters a URL query cannot hold
 * encoded. DB_SCHEMA becomes currentSchema (so that unqualified names, the
 * discovery table's among them, go to Keycloak's schema); with several
 * servers the driver connects to the one that accepts writes; TLS settings
 * become sslmode and sslrootcert. A parameter JDBC_PARAMS sets itself is not
 * added again. Check url->failed.
 */
void jdbc_url(const struct db_settings *db, struct buf *url);

#endif
