/*
 * The PostgreSQL image's role, as phases: settings from the environment,
 * the data directory checked, root privileges dropped, the cluster
 * initialised if the directory is empty (or its interrupted move finished),
 * then exec postgres.
 */
#include "postgres_role.h"

#include "initdb.h"
#include "launch.h"
#include "log.h"
#include "pg_settings.h"
#include "pgdata.h"
#include "process.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int exec_postgres(const struct pg_settings *s, int argc, char **argv, char *const *env)
{
	struct argv_list args = { 0 };
	char path[PATH_MAX];
	int code = find_program("postgres", env, NULL, path, sizeof(path));

	if (code)
		return code;
	if (strlen(s->listen_addresses) > 1000) {
		log_error("POSTGRES_LISTEN_ADDRESSES is too long");
		return EXIT_CONFIG;
	}
	argv_push(&args, path);
	argv_push(&args, "-D");
	argv_push(&args, s->pgdata);
	argv_push(&args, "-c");
	argv_pushf(&args, "listen_addresses=%s", s->listen_addresses);
	for (int a = 1; a < argc; a++)
		argv_push(&args, argv[a]);
	log_info("starting postgres on PGDATA=%s", s->pgdata);
	code = exec_program(&args, env);
	argv_free(&args);
	return code;
}

/* Every setting is checked, and PGDATA looked at, before anything is
 * touched, so that a mistake costs nothing but a restart. */
static int check_before_touching(const struct pg_settings *s, enum pgdata_state *state)
{
	int code = pgdata_classify(s, state);

	if (code)
		return code;
	if (*state == PGDATA_FOREIGN) {
		log_error("PGDATA=%s: not empty and not a PostgreSQL data directory (no "
			  "PG_VERSION); refusing to touch it", s->pgdata);
		return EXIT_CONFIG;
	}
	bool must_init = *state == PGDATA_MISSING || *state == PGDATA_EMPTY;
	if (must_init && !s->password && strcmp(s->auth_method, "trust") != 0) {
		log_error("PGDATA=%s is empty and POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) "
			  "is not set; set it, or set POSTGRES_HOST_AUTH_METHOD=trust to allow "
			  "logins without a password", s->pgdata);
		return EXIT_CONFIG;
	}
	return 0;
}

int postgres_role_main(int argc, char **argv, char *const *envp)
{
	struct pg_settings s;
	enum pgdata_state state;
	char **env = NULL;
	int code;

	if ((code = pg_settings_load(&s, envp)))
		goto out;
	log_set_level(s.log_level);
	if ((code = check_before_touching(&s, &state)))
		goto out;
	/* Root is needed only to give PGDATA to postgres; nothing else runs
	 * with it. */
	if ((code = pgdata_prepare(&s)))
		goto out;
	/* initdb and postgres do not need the password in their environment,
	 * which a process's user can read. */
	env = env_without_secrets(envp);
	if (state == PGDATA_MISSING || state == PGDATA_EMPTY) {
		if ((code = pgdata_initialise(&s, env)))
			goto out;
		state = PGDATA_READY;
	}
	if (state == PGDATA_READY && (code = pgdata_move_into_place(&s)))
		goto out;
	if (state == PGDATA_CLUSTER && rmdir(s.ready_dir) < 0 && errno != ENOENT)
		log_warn("%s: cannot remove: %s", s.ready_dir, strerror(errno));
	pg_settings_free(&s);
	code = exec_postgres(&s, argc, argv, env);
out:
	pg_settings_free(&s);
	free(env);
	return code;
}
