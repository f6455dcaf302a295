/*
 * The PostgreSQL image's role: initialise an empty data directory once
 * (superuser password, database, pg_hba.conf), then exec postgres so that it
 * receives the container's signals directly. Settings: pg_settings.h; the
 * data directory's states: pgdata.h; initialisation: initdb.h.
 *
 * Exit codes (enum exit_code): EXIT_CONFIG for a bad setting, a missing
 * password or a non-empty PGDATA that is not a cluster; EXIT_NOINPUT for an
 * unreadable password file; EXIT_CANTCREAT when initialisation fails;
 * EXIT_DB_UNAVAILABLE when the temporary server does not come up;
 * EXIT_OSERR when a system call fails; EXIT_EXEC_NOTFOUND /
 * EXIT_EXEC_FAILED when postgres cannot be executed.
 */
#ifndef KHP_POSTGRES_ROLE_H
#define KHP_POSTGRES_ROLE_H

/*
 * argv[0] is the role's name ("postgres"); argv[1..argc-1] are passed to the
 * server after "-D PGDATA -c listen_addresses=...", so a "-c name=value"
 * there overrides those (postgres keeps the last value given). Never returns
 * on success: the process becomes postgres. On failure logs one error line
 * and returns an exit code.
 */
int postgres_role_main(int argc, char **argv, char *const *envp);

#endif
