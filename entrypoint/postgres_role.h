/*
 * The PostgreSQL image's role: initialise an empty data directory once
 * (superuser password, database, pg_hba.conf), then exec postgres.
 *
 * Environment (read from the envp given, never from getenv):
 *   PGDATA                     data directory, absolute path
 *                              (default /var/lib/postgresql/data)
 *   POSTGRES_PASSWORD          superuser password; or
 *   POSTGRES_PASSWORD_FILE     a file holding it (one trailing newline is
 *                              stripped); setting both is an error
 *   POSTGRES_USER              superuser role name (default postgres)
 *   POSTGRES_DB                database to create (default: the user name);
 *   POSTGRES_DATABASE          the same, older name; both set and different
 *                              is an error
 *   POSTGRES_HOST_AUTH_METHOD  scram-sha-256 (default), md5 or trust; only
 *                              trust allows initialising without a password
 *   POSTGRES_INITDB_ARGS       extra initdb words, split on spaces
 *   POSTGRES_LISTEN_ADDRESSES  listen_addresses of the final server
 *                              (default *)
 *   TMPDIR                     where the private temporary directory goes
 *                              (default /tmp)
 * The password is needed only to initialise; an existing data directory is
 * used as it is. initdb and postgres are found on PATH; POSTGRES_PASSWORD is
 * removed from the environment they get.
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
