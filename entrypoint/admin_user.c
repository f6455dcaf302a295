#include "admin_user.h"

#include "db.h"
#include "fsutil.h"
#include "log.h"
#include "settings.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <openssl/evp.h>

static void base64(const unsigned char *in, size_t len, char *out)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Append s as the body of a JSON string. (The nested JSON strings,
 * secretData and credentialData, hold only base64 and numbers.) */
static void json_escape(char *out, size_t *o, size_t cap, const char *s)
{
	for (; *s && *o + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[(*o)++] = '\\';
			out[(*o)++] = (char)c;
		} else if (c < 0x20) {
			*o += (size_t)snprintf(out + *o, cap - *o, "\\u%04x", c);
		} else {
			out[(*o)++] = (char)c;
		}
	}
	out[*o] = '\0';
}

char *admin_user_json(const char *user, const char *password,
		      const unsigned char salt[ADMIN_SALT_BYTES])
{
	unsigned char key[ADMIN_KEY_BYTES];
	char salt64[ADMIN_SALT_BYTES * 2 + 4], key64[ADMIN_KEY_BYTES * 2 + 4];

	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, ADMIN_SALT_BYTES,
			      ADMIN_HASH_ITERATIONS, EVP_sha256(), sizeof(key), key) != 1)
		return NULL;
	base64(salt, ADMIN_SALT_BYTES, salt64);
	base64(key, sizeof(key), key64);

	size_t cap = strlen(user) * 6 + 1024, o = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	o += (size_t)snprintf(out, cap, "[{\"realm\":\"master\",\"users\":[{\"username\":\"");
	json_escape(out, &o, cap, user);
	o += (size_t)snprintf(out + o, cap - o,
		"\",\"enabled\":true,\"credentials\":[{\"type\":\"password\","
		"\"secretData\":\"{\\\"value\\\":\\\"%s\\\",\\\"salt\\\":\\\"%s\\\","
		"\\\"additionalParameters\\\":{}}\","
		"\"credentialData\":\"{\\\"hashIterations\\\":%d,"
		"\\\"algorithm\\\":\\\"pbkdf2-sha256\\\",\\\"additionalParameters\\\":{}}\"}],"
		"\"realmRoles\":[\"admin\"]}]}]\n",
		key64, salt64, ADMIN_HASH_ITERATIONS);
	return out;
}

int write_admin_user(const char *config_dir, const char *user, const char *password)
{
	unsigned char salt[ADMIN_SALT_BYTES];
	char path[PATH_MAX];

	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt)) {
		log_error("getrandom: %s", strerror(errno));
		return EXIT_OSERR;
	}
	char *json = admin_user_json(user, password, salt);
	if (!json) {
		log_error("KEYCLOAK_PASSWORD: cannot hash the password");
		return EXIT_SOFTWARE;
	}
	snprintf(path, sizeof(path), "%s/keycloak-add-user.json", config_dir);
	int e = write_file_atomic(path, json, strlen(json), 0600);
	free(json);
	if (e) {
		log_error("cannot write %s: %s", path, strerror(e));
		return EXIT_CANTCREAT;
	}
	log_info("admin user %s will be added to the master realm unless it exists", user);
	return 0;
}

/* The tables Keycloak creates (Liquibase changelog, since Keycloak 1.x). */
static const char schema_query[] =
	"SELECT to_regclass('realm') IS NOT NULL AND to_regclass('user_entity') IS NOT NULL";
/* Keycloak stores user names in lower case. */
static const char user_query[] =
	"SELECT 1 FROM user_entity u JOIN realm r ON u.realm_id = r.id "
	"WHERE r.name = 'master' AND u.username = lower($1)";

enum admin_state admin_user_state(const struct settings *s)
{
	/* The same servers, user and TLS as the wait; bounded, since the
	 * wait has just shown that the server answers. */
	PGconn *conn = db_connect(&s->db);
	enum admin_state state = ADMIN_UNKNOWN;
	char msg[512];
	if (PQstatus(conn) != CONNECTION_OK) {
		db_message_line(conn ? PQerrorMessage(conn) : "out of memory", msg, sizeof(msg));
		log_warn("cannot ask the database whether admin user %s exists: %s",
			 s->admin.user, msg);
		PQfinish(conn);
		return ADMIN_UNKNOWN;
	}
	PGresult *r = PQexec(conn, schema_query);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		db_message_line(PQresultErrorMessage(r), msg, sizeof(msg));
		log_warn("cannot ask the database whether admin user %s exists: %s",
			 s->admin.user, msg);
	} else if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		state = ADMIN_ABSENT;	/* no schema yet: a first start */
	} else {
		PQclear(r);
		const char *params[] = { s->admin.user };
		r = PQexecParams(conn, user_query, 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			db_message_line(PQresultErrorMessage(r), msg, sizeof(msg));
			log_warn("cannot ask the database whether admin user %s exists: %s",
				 s->admin.user, msg);
		} else {
			state = PQntuples(r) > 0 ? ADMIN_PRESENT : ADMIN_ABSENT;
		}
	}
	PQclear(r);
	PQfinish(conn);
	return state;
}

int provide_admin_user(const struct settings *s, const char *config_dir)
{
	char path[PATH_MAX];

	if (admin_user_state(s) != ADMIN_PRESENT)
		return write_admin_user(config_dir, s->admin.user, s->admin.password);
	/* A file left by a start that never got as far as importing it. */
	snprintf(path, sizeof(path), "%s/keycloak-add-user.json", config_dir);
	if (unlink(path) != 0 && errno != ENOENT) {
		log_error("cannot remove %s: %s", path, strerror(errno));
		return EXIT_CANTCREAT;
	}
	log_info("admin user %s exists in the master realm; not adding it", s->admin.user);
	return 0;
}
