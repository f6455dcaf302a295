#include "jgroups_ping.h"

#include "clock.h"
#include "db.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libpq-fe.h>

/* Far more members than a Keycloak cluster has. Names are resolved in
 * search_path, which is DB_SCHEMA when it is set, as Keycloak's are. */
static const char rows_query[] = "SELECT address, ip FROM jgroups_ping LIMIT 1024";
static const char table_query[] = "SELECT to_regclass('jgroups_ping') IS NOT NULL";
static const char delete_query[] = "DELETE FROM jgroups_ping WHERE address = $1 AND ip = $2";

static void cannot_remove(const char *why)
{
	char msg[512];

	db_message_line(why, msg, sizeof(msg));
	log_warn("cannot remove the rows of members that are gone from JGROUPS_PING: %s",
		 msg[0] ? msg : "no answer");
}

/* "host:port" or "[v6]:port" into host and port; false when it is not. */
static bool split_endpoint(const char *ip, char *host, size_t len, char *port, size_t port_len)
{
	const char *colon = strrchr(ip, ':');

	if (!colon || colon == ip || !colon[1] || strlen(colon + 1) >= port_len)
		return false;
	size_t n = (size_t)(colon - ip);
	if (ip[0] == '[' && ip[n - 1] == ']') {
		ip++;
		n -= 2;
	}
	if (n == 0 || n >= len)
		return false;
	memcpy(host, ip, n);
	host[n] = '\0';
	snprintf(port, port_len, "%s", colon + 1);
	return true;
}

/* Whether something accepts a TCP connection at the address within
 * JGROUPS_PING_PROBE_MS. */
static bool accepts_connection(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool alive = false;

	if (fd < 0)
		return true;	/* cannot tell: keep the row */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		alive = true;
	} else if (errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t err_len = sizeof(err);
		if (poll(&p, 1, JGROUPS_PING_PROBE_MS) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0)
			alive = err == 0;
	}
	close(fd);
	return alive;
}

/* A member is gone when its endpoint, a numeric address, takes no
 * connection. A row whose endpoint cannot be read is left alone. */
static bool member_is_gone(const char *ip)
{
	char host[256], port[16];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;

	if (!split_endpoint(ip, host, sizeof(host), port, sizeof(port)) ||
	    getaddrinfo(host, port, &hints, &ai) != 0)
		return false;
	bool gone = !accepts_connection(ai);
	freeaddrinfo(ai);
	return gone;
}

static int delete_row(PGconn *conn, const char *address, const char *ip)
{
	const char *params[] = { address, ip };
	PGresult *r = PQexecParams(conn, delete_query, 2, NULL, params, NULL, NULL, 0);
	int deleted = -1;

	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		deleted = atoi(PQcmdTuples(r));
	else
		cannot_remove(PQresultErrorMessage(r));
	PQclear(r);
	return deleted;
}

void remove_dead_jgroups_ping_rows(const struct settings *s)
{
	PGconn *conn = db_connect(&s->db);
	int removed = 0;

	if (PQstatus(conn) != CONNECTION_OK) {
		cannot_remove(conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return;
	}
	PGresult *t = PQexec(conn, table_query);
	bool exists = PQresultStatus(t) == PGRES_TUPLES_OK && PQntuples(t) == 1 &&
		      strcmp(PQgetvalue(t, 0, 0), "t") == 0;
	PQclear(t);
	PGresult *rows = exists ? PQexec(conn, rows_query) : NULL;
	if (exists && PQresultStatus(rows) != PGRES_TUPLES_OK)
		cannot_remove(PQresultErrorMessage(rows));
	long long start = now_ms();
	for (int i = 0; exists && PQresultStatus(rows) == PGRES_TUPLES_OK &&
			i < PQntuples(rows); i++) {
		if (!member_is_gone(PQgetvalue(rows, i, 1)))
			continue;
		int n = delete_row(conn, PQgetvalue(rows, i, 0), PQgetvalue(rows, i, 1));
		if (n < 0)
			break;
		removed += n;
	}
	if (removed > 0)
		log_info("removed %d row%s of members that are gone from JGROUPS_PING (their "
			 "cluster port takes no connection; %lld ms)", removed,
			 removed == 1 ? "" : "s", now_ms() - start);
	PQclear(rows);
	PQfinish(conn);
}
