#include "db.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Find "XXXXX: " after a severity ("FATAL:  ", "ERROR:  "). */
static bool find_sqlstate(const char *msg, char state[6])
{
	for (const char *p = msg; (p = strstr(p, ":  ")) != NULL; p++) {
		const char *c = p + 3;
		int i;
		for (i = 0; i < 5; i++)
			if (!isdigit((unsigned char)c[i]) && !isupper((unsigned char)c[i]))
				break;
		if (i == 5 && c[5] == ':') {
			memcpy(state, c, 5);
			state[5] = '\0';
			return true;
		}
	}
	return false;
}

enum db_failure db_classify_failure(const char *message)
{
	/* TLS that cannot succeed: the server's certificate is not trusted or
	 * names another host, or the server has no TLS while it is required. */
	static const char *const tls_refusals[] = { "certificate verify failed",
		"does not match host name", "server does not support SSL",
		"root certificate file", NULL };
	char state[6];

	for (const char *const *t = tls_refusals; *t; t++)
		if (strstr(message, *t))
			return DB_REFUSED;
	if (!find_sqlstate(message, state))
		return DB_RETRY;
	/* Class 28: invalid authorization (wrong password, unknown role, no
	 * pg_hba.conf entry); 42501: no CONNECT privilege on the database. */
	if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0)
		return DB_REFUSED;
	if (strcmp(state, "3D000") == 0)
		return DB_NO_DATABASE;
	/* 57P03 cannot_connect_now (starting up, shutting down, in recovery),
	 * 53300 too_many_connections, 57P01 admin_shutdown and anything else
	 * are states a server leaves by itself. */
	return DB_RETRY;
}

void db_message_line(const char *msg, char *buf, size_t len)
{
	char state[6];
	const char *start = msg;
	bool has_state = find_sqlstate(msg, state);

	if (has_state) {
		const char *p = strstr(msg, state);
		if (p)
			start = p + 7;
	}
	/* Room for " (SQLSTATE XXXXX)" at the end. */
	if (len < 32)
		has_state = false;
	else if (has_state)
		len -= 17;
	size_t o = 0;
	/* The first line only: libpq adds LOCATION lines in verbose mode. */
	for (const char *p = start; *p && *p != '\n' && o + 1 < len; p++)
		buf[o++] = (*p == '\t' || (unsigned char)*p >= 0x20) ? *p : ' ';
	buf[o] = '\0';
	if (has_state)
		snprintf(buf + o, 18, " (SQLSTATE %s)", state);
}

/* libpq takes several servers as comma-separated hosts and ports. */
static void join_servers(struct db_params *p, const struct db_settings *db)
{
	size_t ho = 0, po = 0;

	if (!db->n_addrs) {
		snprintf(p->hosts, sizeof(p->hosts), "%s", db->host);
		snprintf(p->ports, sizeof(p->ports), "%u", db->port);
		return;
	}
	for (size_t i = 0; i < db->n_addrs; i++) {
		ho += (size_t)snprintf(p->hosts + ho, sizeof(p->hosts) - ho, "%s%s",
				       i ? "," : "", db->addrs[i].host);
		po += (size_t)snprintf(p->ports + po, sizeof(p->ports) - po, "%s%u",
				       i ? "," : "", db->addrs[i].port);
		if (ho >= sizeof(p->hosts) || po >= sizeof(p->ports))
			break;
	}
}

void db_params_init(struct db_params *p, const struct db_settings *db)
{
	size_t n = 0;

	join_servers(p, db);
#define PARAM(k, v) (p->keys[n] = (k), p->values[n++] = (v))
	PARAM("host", p->hosts);
	PARAM("port", p->ports);
	PARAM("dbname", db->name);
	/* The user is always given: a container running as an arbitrary UID
	 * has no passwd entry for libpq to take a default from. */
	PARAM("user", db->user);
	PARAM("password", db->password);
	PARAM("application_name", "keycloak-ha-postgres");
	if (db->schema) {
		/* Keycloak's tables are found where the server puts them. */
		snprintf(p->options, sizeof(p->options), "-c search_path=%s", db->schema);
		PARAM("options", p->options);
	}
	if (db->sslmode)
		PARAM("sslmode", db->sslmode);
	if (db->sslrootcert)
		PARAM("sslrootcert", db->sslrootcert);
	/* As the datasource does: the server that accepts writes. */
	if (db->n_addrs > 1)
		PARAM("target_session_attrs", "read-write");
#undef PARAM
	p->keys[n] = NULL;
	p->values[n] = NULL;
}

PGconn *db_connect(const struct db_settings *db)
{
	struct db_params p;
	size_t n = 0;

	db_params_init(&p, db);
	while (p.keys[n])
		n++;
	p.keys[n] = "connect_timeout";
	p.values[n++] = "10";
	p.keys[n] = NULL;
	p.values[n] = NULL;
	PGconn *conn = PQconnectdbParams(p.keys, p.values, 0);
	/* For db_message_line: the SQLSTATE is in verbose messages only. */
	if (conn)
		PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
	return conn;
}
