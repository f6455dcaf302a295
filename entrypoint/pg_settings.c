#include "pg_settings.h"

#include "fsutil.h"
#include "settings_lookup.h"
#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_identifier(const char *var, const char *value)
{
	if (value[0] == '\0') {
		log_error("%s is empty", var);
		return EXIT_CONFIG;
	}
	if (strlen(value) > PG_IDENTIFIER_MAX) {
		log_error("%s is longer than %d bytes", var, PG_IDENTIFIER_MAX);
		return EXIT_CONFIG;
	}
	if (has_control_chars(value)) {
		log_error("%s contains a control character", var);
		return EXIT_CONFIG;
	}
	return 0;
}

/* PGDATA, without a trailing slash, and the two directories inside it. */
static int load_pgdata(struct pg_settings *s, char *const *envp)
{
	const char *v = env_get(envp, "PGDATA");

	if (!v)
		v = "/var/lib/postgresql/data";
	if (v[0] != '/') {
		log_error("PGDATA=%s: not an absolute path", v);
		return EXIT_CONFIG;
	}
	if (has_control_chars(v)) {
		log_error("PGDATA contains a control character");
		return EXIT_CONFIG;
	}
	if (strlen(v) + sizeof("/" PG_READY_DIR_NAME "/pg_hba.conf") > sizeof(s->pgdata)) {
		log_error("PGDATA is too long");
		return EXIT_CONFIG;
	}
	size_t len = strlen(v);
	while (len > 1 && v[len - 1] == '/')
		len--;
	memcpy(s->pgdata, v, len);
	s->pgdata[len] = '\0';
	/* Both fit: the length was checked above. */
	path_join(s->init_dir, sizeof(s->init_dir), s->pgdata, PG_INIT_DIR_NAME);
	path_join(s->ready_dir, sizeof(s->ready_dir), s->pgdata, PG_READY_DIR_NAME);
	return 0;
}

static int load_names(struct pg_settings *s, char *const *envp)
{
	int code;

	s->user = env_get(envp, "POSTGRES_USER");
	if (!s->user)
		s->user = "postgres";
	if ((code = check_identifier("POSTGRES_USER", s->user)))
		return code;
	if (strncmp(s->user, "pg_", 3) == 0) {
		log_error("POSTGRES_USER=%s: names beginning with pg_ are reserved by PostgreSQL",
			  s->user);
		return EXIT_CONFIG;
	}
	const char *db = env_get(envp, "POSTGRES_DB");
	const char *database = env_get(envp, "POSTGRES_DATABASE");
	if (db && database && strcmp(db, database) != 0) {
		log_error("POSTGRES_DB and POSTGRES_DATABASE are both set and differ; "
			  "set only one");
		return EXIT_CONFIG;
	}
	s->database = db ? db : database ? database : s->user;
	if (db || database)
		return check_identifier(db ? "POSTGRES_DB" : "POSTGRES_DATABASE", s->database);
	return 0;
}

static int load_server(struct pg_settings *s, char *const *envp)
{
	s->auth_method = env_get(envp, "POSTGRES_HOST_AUTH_METHOD");
	if (!s->auth_method)
		s->auth_method = "scram-sha-256";
	if (strcmp(s->auth_method, "scram-sha-256") != 0 && strcmp(s->auth_method, "md5") != 0 &&
	    strcmp(s->auth_method, "trust") != 0) {
		log_error("POSTGRES_HOST_AUTH_METHOD=%s: must be scram-sha-256, md5 or trust",
			  s->auth_method);
		return EXIT_CONFIG;
	}
	s->initdb_args = env_get(envp, "POSTGRES_INITDB_ARGS");
	if (s->initdb_args && has_control_chars(s->initdb_args)) {
		log_error("POSTGRES_INITDB_ARGS contains a control character");
		return EXIT_CONFIG;
	}
	s->listen_addresses = env_get(envp, "POSTGRES_LISTEN_ADDRESSES");
	if (!s->listen_addresses)
		s->listen_addresses = "*";
	if (has_control_chars(s->listen_addresses)) {
		log_error("POSTGRES_LISTEN_ADDRESSES contains a control character");
		return EXIT_CONFIG;
	}
	s->tmpdir = env_get(envp, "TMPDIR");
	if (!s->tmpdir || s->tmpdir[0] == '\0')
		s->tmpdir = "/tmp";
	if (strlen(s->tmpdir) + sizeof("/keycloak-ha-postgres.XXXXXX") > PG_SOCKET_DIR_MAX) {
		log_error("TMPDIR=%s: too long for a unix socket path", s->tmpdir);
		return EXIT_CONFIG;
	}
	return 0;
}

static int load_password(struct pg_settings *s, char *const *envp)
{
	const char *password = env_get(envp, "POSTGRES_PASSWORD");
	const char *password_file = env_get(envp, "POSTGRES_PASSWORD_FILE");
	const char *source = password_file ? "POSTGRES_PASSWORD_FILE" : "POSTGRES_PASSWORD";
	int code;

	if (password && password_file) {
		log_error("POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are both set; "
			  "set only one");
		return EXIT_CONFIG;
	}
	if (password_file &&
	    (code = read_secret_file("POSTGRES_PASSWORD_FILE", password_file, &s->password)))
		return code;
	if (password)
		s->password = xstrdup(password);
	if (!s->password)
		return 0;
	if (s->password[0] == '\0') {
		log_error("%s: the password is empty", source);
		return EXIT_CONFIG;
	}
	/* initdb reads one line from --pwfile and strips CR/LF. */
	if (strpbrk(s->password, "\r\n")) {
		log_error("%s: the password contains a line break", source);
		return EXIT_CONFIG;
	}
	return 0;
}

int pg_settings_load(struct pg_settings *s, char *const *envp)
{
	int code;

	memset(s, 0, sizeof(*s));
	if ((code = env_log_level(envp, &s->log_level)) || (code = load_pgdata(s, envp)) ||
	    (code = load_names(s, envp)) || (code = load_server(s, envp)))
		return code;
	return load_password(s, envp);
}

void pg_settings_free(struct pg_settings *s)
{
	free_secret(s->password);
	s->password = NULL;
}
