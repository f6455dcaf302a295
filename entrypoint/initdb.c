#include "initdb.h"

#include "buf.h"
#include "clock.h"
#include "db.h"
#include "fsutil.h"
#include "launch.h"
#include "log.h"
#include "process.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#define TEMP_PORT "5432"
#define INITDB_TIMEOUT_MS (10 * 60 * 1000)
#define READY_TIMEOUT_MS (60 * 1000)
#define STOP_TIMEOUT_MS (60 * 1000)

/* Set by SIGTERM/SIGINT during initialisation. A signal handler can only
 * reach the program through such a flag. */
static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The private temporary directory and the paths in it. */
struct workspace {
	char dir[PATH_MAX];
	char password_file[PATH_MAX];
	char passwd[PATH_MAX];		/* nss_wrapper's, for a uid without an entry */
	char group[PATH_MAX];
	char nss_env[3 * PATH_MAX];	/* LD_PRELOAD=...\0NSS_WRAPPER_PASSWD=...\0... */
};

/* One line, as initdb's --pwfile reads it; the directory is private. */
static int write_password_file(const char *path, const char *password)
{
	struct buf line = { 0 };
	int e;

	buf_adds(&line, password);
	buf_adds(&line, "\n");
	e = line.failed ? ENOMEM : write_file_atomic(path, line.data, line.len, 0600);
	free_secret(line.data);
	if (e) {
		log_error("%s: cannot write the password file: %s", path, strerror(e));
		return EXIT_CANTCREAT;
	}
	return 0;
}

/*
 * initdb refuses to run as a user id without a passwd entry (an arbitrary
 * uid, as some platforms assign), and the root filesystem may be read-only.
 * nss_wrapper (Debian's libnss-wrapper, in the image) answers the lookup
 * from files of our own: give initdb alone - postgres does not ask - an
 * environment that preloads it with a one-line passwd file in the private
 * temporary directory. *out is env itself when the uid has an entry, else
 * a new array (free it, not its strings).
 */
static int initdb_environment(const struct pg_settings *s, char *const *env,
			      struct workspace *w, char ***out)
{
	FILE *f;

	*out = (char **)env;
	if (getpwuid(geteuid()))
		return 0;
	if (path_join(w->passwd, sizeof(w->passwd), w->dir, "passwd") ||
	    path_join(w->group, sizeof(w->group), w->dir, "group") ||
	    !(f = fopen(w->passwd, "wx")) ||
	    fprintf(f, "postgres:x:%u:%u:PostgreSQL:%s:/bin/false\n", (unsigned)geteuid(),
		    (unsigned)getegid(), s->pgdata) < 0 ||
	    fclose(f) != 0 || !(f = fopen(w->group, "wx")) ||
	    fprintf(f, "postgres:x:%u:\n", (unsigned)getegid()) < 0 || fclose(f) != 0) {
		log_error("%s: cannot write a user database for initdb: %s", w->dir,
			  strerror(errno));
		return EXIT_CANTCREAT;
	}
	size_t n = 0;
	while (env[n])
		n++;
	char **grown = xcalloc(n + 4, sizeof(*grown));
	memcpy(grown, env, n * sizeof(*grown));
	int len = snprintf(w->nss_env, sizeof(w->nss_env), "LD_PRELOAD=libnss_wrapper.so%c"
			   "NSS_WRAPPER_PASSWD=%s%cNSS_WRAPPER_GROUP=%s", '\0', w->passwd, '\0',
			   w->group);
	if (len < 0 || (size_t)len >= sizeof(w->nss_env)) {
		free(grown);
		log_error("%s: path too long", w->dir);
		return EXIT_CANTCREAT;
	}
	grown[n] = w->nss_env;
	grown[n + 1] = grown[n] + strlen(grown[n]) + 1;
	grown[n + 2] = grown[n + 1] + strlen(grown[n + 1]) + 1;
	log_info("user id %u has no passwd entry: initdb runs with nss_wrapper",
		 (unsigned)geteuid());
	*out = grown;
	return 0;
}

static void initdb_arguments(const struct pg_settings *s, const char *initdb,
			     const char *password_file, struct argv_list *args)
{
	argv_push(args, initdb);
	argv_push(args, "-D");
	argv_push(args, s->init_dir);
	argv_pushf(args, "--username=%s", s->user);
	if (password_file)
		argv_pushf(args, "--pwfile=%s", password_file);
	argv_push(args, "--auth-local=trust");
	argv_pushf(args, "--auth-host=%s", s->auth_method);
	argv_push(args, "--encoding=UTF8");
	/* Its hint names the staging directory, which is of no use to anyone. */
	argv_push(args, "--no-instructions");
	if (s->initdb_args) {
		char *words = xstrdup(s->initdb_args), *save = NULL;
		for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			argv_push(args, w);
		free(words);
	}
}

/* How initdb ended, as a message and an exit code. */
static int initdb_outcome(const struct pg_settings *s, pid_t pid)
{
	int status = 0;
	bool timed_out;
	char what[64];

	switch (wait_child(pid, INITDB_TIMEOUT_MS, &status, &stop_requested)) {
	case WAIT_EXITED:
		break;
	case WAIT_TIMEOUT:
		stop_child(pid, SIGTERM, STOP_TIMEOUT_MS, &timed_out);
		log_error("initdb did not finish within %d s", INITDB_TIMEOUT_MS / 1000);
		return EXIT_CANTCREAT;
	case WAIT_INTERRUPTED:
		stop_child(pid, SIGTERM, STOP_TIMEOUT_MS, &timed_out);
		log_error("initialisation of PGDATA=%s interrupted by a signal", s->pgdata);
		return EXIT_CANTCREAT;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	describe_status(status, what, sizeof(what));
	if (!getpwuid(geteuid()))
		log_error("initdb failed (%s): user id %u has no entry in the user database, "
			  "which initdb needs", what, (unsigned)geteuid());
	else
		log_error("initdb failed (%s); its messages are above", what);
	return EXIT_CANTCREAT;
}

static int run_initdb(const struct pg_settings *s, const char *initdb,
		      const char *password_file, char *const *env)
{
	struct argv_list args = { 0 };
	pid_t pid;

	initdb_arguments(s, initdb, password_file, &args);
	int code = spawn(initdb, args.v, env, &pid);
	if (code == 0)
		code = initdb_outcome(s, pid);
	argv_free(&args);
	return code;
}

/* Clients connect over TCP, which initdb's --auth-host covers only for
 * loopback addresses. */
static int allow_network_clients(const struct pg_settings *s)
{
	char path[PATH_MAX], line[128];

	path_join(path, sizeof(path), s->init_dir, "pg_hba.conf");
	int len = snprintf(line, sizeof(line),
			   "\n# keycloak-ha-postgres: clients on any address\n"
			   "host all all all %s\n",
			   s->auth_method);
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)len) != len || fsync(fd) < 0) {
		log_error("%s: cannot append: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_CANTCREAT;
	}
	if (close(fd) < 0) {
		log_error("%s: cannot append: %s", path, strerror(errno));
		return EXIT_CANTCREAT;
	}
	return 0;
}

/* Until the temporary server accepts the superuser over its socket.
 * *exited tells a failure of a server that is gone (its own messages say
 * why) from one that must still be stopped. */
static int wait_for_server(const struct pg_settings *s, pid_t server, const char *socket_dir,
			   PGconn **out, bool *exited)
{
	const char *const keys[] = { "host", "port", "dbname", "user", "connect_timeout",
				     "sslmode", "gssencmode", "application_name", NULL };
	const char *const values[] = { socket_dir, TEMP_PORT, "postgres", s->user, "5",
				       "disable", "disable", "keycloak-ha-postgres", NULL };
	long long deadline = now_ms() + READY_TIMEOUT_MS;
	char last_error[256] = "no attempt", what[64];
	int status;

	for (;;) {
		if (waitpid(server, &status, WNOHANG) == server) {
			describe_status(status, what, sizeof(what));
			log_error("the temporary server exited (%s) before accepting connections; "
				  "its messages are above", what);
			*exited = true;
			return EXIT_CANTCREAT;
		}
		if (stop_requested) {
			log_error("initialisation of PGDATA=%s interrupted by a signal", s->pgdata);
			return EXIT_CANTCREAT;
		}
		PGconn *conn = PQconnectdbParams(keys, values, 0);
		if (conn && PQstatus(conn) == CONNECTION_OK) {
			*out = conn;
			return 0;
		}
		db_message_line(conn ? PQerrorMessage(conn) : "out of memory", last_error,
				sizeof(last_error));
		PQfinish(conn);
		if (now_ms() >= deadline) {
			log_error("the temporary server did not accept connections within %d s: %s",
				  READY_TIMEOUT_MS / 1000, last_error);
			return EXIT_DB_UNAVAILABLE;
		}
		nap_ms(200);
	}
}

static int create_database(const struct pg_settings *s, PGconn *conn)
{
	char msg[256];
	const char *params[] = { s->database };
	PGresult *res = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1", 1,
				     NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_message_line(PQerrorMessage(conn), msg, sizeof(msg));
		log_error("cannot look up database %s: %s", s->database, msg);
		PQclear(res);
		return EXIT_CANTCREAT;
	}
	bool exists = PQntuples(res) > 0;
	PQclear(res);
	if (exists)
		return 0;
	char *db = PQescapeIdentifier(conn, s->database, strlen(s->database));
	char *owner = PQescapeIdentifier(conn, s->user, strlen(s->user));
	struct buf sql = { 0 };
	int code = 0;
	if (db && owner)
		buf_addf(&sql, "CREATE DATABASE %s OWNER %s", db, owner);
	if (!db || !owner || sql.failed) {
		db_message_line(PQerrorMessage(conn), msg, sizeof(msg));
		log_error("cannot quote database or user name: %s", msg);
		code = EXIT_CANTCREAT;
	} else {
		res = PQexec(conn, sql.data);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			db_message_line(PQerrorMessage(conn), msg, sizeof(msg));
			log_error("cannot create database %s (POSTGRES_DB): %s", s->database, msg);
			code = EXIT_CANTCREAT;
		}
		PQclear(res);
	}
	buf_free(&sql);
	PQfreemem(db);
	PQfreemem(owner);
	return code;
}

/* Stop the temporary server; fail when it does not stop cleanly. */
static int stop_server(pid_t server)
{
	bool timed_out;
	char what[64];
	int status = stop_child(server, SIGINT, STOP_TIMEOUT_MS, &timed_out);

	if (timed_out) {
		log_error("the temporary server did not stop within %d s", STOP_TIMEOUT_MS / 1000);
		return EXIT_CANTCREAT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		describe_status(status, what, sizeof(what));
		log_error("the temporary server stopped with %s", what);
		return EXIT_CANTCREAT;
	}
	return 0;
}

/* The temporary server: no TCP listener, so no client can ever see a
 * cluster whose database or password is not set up yet; its socket is in
 * our private directory. */
static int set_up_cluster(const struct pg_settings *s, const char *postgres,
			  const char *socket_dir, char *const *env)
{
	struct argv_list args = { 0 };
	PGconn *conn = NULL;
	pid_t server;

	argv_push(&args, postgres);
	argv_push(&args, "-D");
	argv_push(&args, s->init_dir);
	argv_push(&args, "-p");
	argv_push(&args, TEMP_PORT);
	argv_push(&args, "-c");
	argv_push(&args, "listen_addresses=");
	argv_push(&args, "-c");
	argv_pushf(&args, "unix_socket_directories=%s", socket_dir);
	int code = spawn(postgres, args.v, env, &server);
	argv_free(&args);
	if (code)
		return code;
	bool exited = false;
	code = wait_for_server(s, server, socket_dir, &conn, &exited);
	if (exited)
		return code;
	if (code == 0)
		code = create_database(s, conn);
	PQfinish(conn);
	int stopped = stop_server(server);
	return code ? code : stopped;
}

/* The programs initialisation runs. */
struct programs {
	char initdb[PATH_MAX];
	char postgres[PATH_MAX];
};

/* initdb with the password file, then pg_hba.conf and the database. */
static int build_cluster(const struct pg_settings *s, const struct programs *p,
			 char *const *env, struct workspace *w)
{
	char **initdb_env = NULL;
	int code, e;

	if (s->password && (code = write_password_file(w->password_file, s->password)))
		return code;
	if ((code = initdb_environment(s, env, w, &initdb_env)) == 0)
		code = run_initdb(s, p->initdb, s->password ? w->password_file : NULL, initdb_env);
	if (initdb_env != (char **)env)
		free(initdb_env);
	if (s->password && unlink(w->password_file) < 0 && (e = errno) != ENOENT) {
		log_error("%s: cannot remove the password file: %s", w->password_file, strerror(e));
		if (code == 0)
			code = EXIT_OSERR;
	}
	if (code == 0)
		code = allow_network_clients(s);
	return code ? code : set_up_cluster(s, p->postgres, w->dir, env);
}

/* The private temporary directory. */
static int make_workspace(const struct pg_settings *s, struct workspace *w)
{
	memset(w, 0, sizeof(*w));
	/* TMPDIR's length is bounded by the settings. */
	path_join(w->dir, sizeof(w->dir), s->tmpdir, "keycloak-ha-postgres.XXXXXX");
	if (!mkdtemp(w->dir)) {
		log_error("TMPDIR=%s: cannot create a private directory: %s", s->tmpdir,
			  strerror(errno));
		return EXIT_CANTCREAT;
	}
	path_join(w->password_file, sizeof(w->password_file), w->dir, "pwfile");
	return 0;
}

/* The commit point: from here on, the next start finishes the job. */
static int commit(const struct pg_settings *s)
{
	int e;

	if (rename(s->init_dir, s->ready_dir) < 0) {
		log_error("%s: cannot rename to %s: %s", s->init_dir, s->ready_dir,
			  strerror(errno));
		return EXIT_CANTCREAT;
	}
	if ((e = sync_directory(s->pgdata))) {
		log_error("PGDATA=%s: fsync: %s", s->pgdata, strerror(e));
		return EXIT_OSERR;
	}
	return 0;
}

int pgdata_initialise(const struct pg_settings *s, char *const *env)
{
	struct programs p;
	struct workspace w;
	struct sigaction sa = { .sa_handler = request_stop }, old_term, old_int;
	int code, e;

	if ((code = find_program("initdb", env, NULL, p.initdb, sizeof(p.initdb))) ||
	    (code = find_program("postgres", env, NULL, p.postgres, sizeof(p.postgres))))
		return code;
	/* A start killed during initialisation left this behind. */
	if ((e = remove_tree(s->init_dir))) {
		log_error("%s: cannot remove the remains of an earlier initialisation: %s",
			  s->init_dir, strerror(e));
		return EXIT_CANTCREAT;
	}
	if ((code = make_workspace(s, &w)))
		return code;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	log_info("initialising PGDATA=%s: user %s, database %s, host authentication %s",
		 s->pgdata, s->user, s->database, s->auth_method);
	code = build_cluster(s, &p, env, &w);
	if ((e = remove_tree(w.dir)) && code == 0) {
		log_error("%s: cannot remove the temporary directory: %s", w.dir, strerror(e));
		code = EXIT_OSERR;
	}
	if (code == 0)
		code = commit(s);
	if (code && remove_tree(s->init_dir))
		log_warn("%s: could not remove the incomplete cluster; the next start removes it",
			 s->init_dir);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	return code;
}
