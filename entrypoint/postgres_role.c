/*
 * The PostgreSQL image's role: settings from the environment, the data
 * directory checked, root privileges dropped, the cluster initialised if the
 * directory is empty, then exec postgres so that it receives the container's
 * signals directly.
 *
 * Nothing half-written: an initialised data directory is one that holds
 * PG_VERSION, and PostgreSQL writes that file early, so initdb must never
 * run in PGDATA itself. It runs in PGDATA/.keycloak-ha-postgres-init (inside
 * PGDATA, so that it is on the same file system even when PGDATA is a mount
 * point, and needs no write access to PGDATA's parent). Password, database
 * and pg_hba.conf are set up there, behind a temporary server that listens
 * on a private unix socket only. When all of that has succeeded, the
 * directory is renamed to .keycloak-ha-postgres-ready (atomic: this is the
 * commit point), then its entries are renamed into PGDATA one by one,
 * PG_VERSION last. So at every instant PGDATA is in one of these states,
 * each of which the next start recognises:
 *   - no PG_VERSION, only an ".../init" directory (or lost+found): a killed
 *     or failed initialisation; the directory is removed and initdb runs
 *     again;
 *   - no PG_VERSION, a ".../ready" directory: a complete cluster whose move
 *     was interrupted; the move is finished;
 *   - PG_VERSION: a complete cluster; an empty ".../ready" left by a kill
 *     right after the last rename is removed.
 * Anything else without PG_VERSION is someone else's data and is refused
 * without being touched.
 *
 * The password is written to a 0600 file in a private 0700 directory and
 * given to initdb with --pwfile, so it never appears in an argv, in SQL
 * text or in a log; the file is removed as soon as initdb has exited, and
 * POSTGRES_PASSWORD is left out of the environment of initdb and postgres.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* explicit_bzero, setgroups, nftw */
#endif

#include "postgres_role.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "clock.h"
#include "log.h"
#include "settings.h"

#define INIT_DIR_NAME ".keycloak-ha-postgres-init"
#define READY_DIR_NAME ".keycloak-ha-postgres-ready"
#define DEFAULT_PGDATA "/var/lib/postgresql/data"
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
/* PostgreSQL's NAMEDATALEN is 64, including the terminating NUL. */
#define IDENTIFIER_MAX 63
/* A password is a line of text; 64 KiB is far beyond any real one and
 * bounds what a wrong POSTGRES_PASSWORD_FILE (say, a device) can make us
 * read. */
/* The temporary server's socket is DIR/.s.PGSQL.5432, and sun_path holds
 * 107 bytes; leave room for the file name. */
#define SOCKET_DIR_MAX 80
#define TEMP_PORT "5432"
#define INITDB_TIMEOUT_MS (10 * 60 * 1000)
#define READY_TIMEOUT_MS (60 * 1000)
#define STOP_TIMEOUT_MS (60 * 1000)
#define POLL_MS 100

struct role_settings {
	char pgdata[PATH_MAX];
	char init_dir[PATH_MAX];
	char ready_dir[PATH_MAX];
	const char *user;
	const char *database;
	const char *auth_method;
	const char *initdb_args;	/* NULL: none */
	const char *listen_addresses;
	const char *tmpdir;
	char *password;			/* secret; NULL: none given */
};

enum pgdata_state {
	PGDATA_MISSING,
	PGDATA_EMPTY,	/* maybe with lost+found or a failed init directory */
	PGDATA_CLUSTER,	/* has PG_VERSION */
	PGDATA_READY,	/* initialised, move into place not finished */
	PGDATA_FOREIGN,	/* non-empty, not ours */
};

enum wait_result { WAIT_EXITED, WAIT_TIMEOUT, WAIT_INTERRUPTED };

/* execve takes char *const argv[]: the fixed arguments are modifiable
 * arrays so that no const needs casting away. */
static char arg_initdb[] = "initdb";
static char arg_postgres[] = "postgres";
static char arg_data_dir[] = "-D";
static char arg_port[] = "-p";
static char arg_temp_port[] = TEMP_PORT;
static char arg_setting[] = "-c";
static char arg_no_listen[] = "listen_addresses=";
static char arg_auth_local[] = "--auth-local=trust";
static char arg_encoding[] = "--encoding=UTF8";
/* Its hint names the staging directory, which is of no use to anyone. */
static char arg_no_instructions[] = "--no-instructions";

/* Set by SIGTERM/SIGINT during initialisation so that a container stop
 * ends it cleanly instead of leaving the temporary server behind. */
static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Every path here is PGDATA or the temporary directory plus a short name,
 * and both are length-checked in load_settings, so truncation means a bug;
 * it is reported rather than acted on. */
static int join_path(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		log_error("path too long: %s/%s", dir, name);
		return -1;
	}
	return 0;
}

static bool has_control_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int check_identifier(const char *var, const char *value)
{
	if (value[0] == '\0') {
		log_error("%s is empty", var);
		return EXIT_CONFIG;
	}
	if (strlen(value) > IDENTIFIER_MAX) {
		log_error("%s is longer than %d bytes", var, IDENTIFIER_MAX);
		return EXIT_CONFIG;
	}
	if (has_control_char(value)) {
		log_error("%s contains a control character", var);
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

static int load_settings(struct role_settings *s, char *const *envp)
{
	const char *v;
	int code;

	memset(s, 0, sizeof(*s));

	v = env_get(envp, "PGDATA");
	if (!v)
		v = DEFAULT_PGDATA;
	if (v[0] != '/') {
		log_error("PGDATA=%s: not an absolute path", v);
		return EXIT_CONFIG;
	}
	if (has_control_char(v)) {
		log_error("PGDATA contains a control character");
		return EXIT_CONFIG;
	}
	if (strlen(v) + sizeof("/" READY_DIR_NAME "/pg_hba.conf") >
	    sizeof(s->pgdata)) {
		log_error("PGDATA is too long");
		return EXIT_CONFIG;
	}
	/* A trailing slash would only make messages and paths uglier. */
	size_t len = strlen(v);
	while (len > 1 && v[len - 1] == '/')
		len--;
	memcpy(s->pgdata, v, len);
	s->pgdata[len] = '\0';
	if (join_path(s->init_dir, sizeof(s->init_dir), s->pgdata,
		      INIT_DIR_NAME) < 0 ||
	    join_path(s->ready_dir, sizeof(s->ready_dir), s->pgdata,
		      READY_DIR_NAME) < 0)
		return EXIT_SOFTWARE;

	s->user = env_get(envp, "POSTGRES_USER");
	if (!s->user)
		s->user = "postgres";
	if ((code = check_identifier("POSTGRES_USER", s->user)))
		return code;
	if (strncmp(s->user, "pg_", 3) == 0) {
		log_error("POSTGRES_USER=%s: names beginning with pg_ are "
			  "reserved by PostgreSQL", s->user);
		return EXIT_CONFIG;
	}

	const char *db = env_get(envp, "POSTGRES_DB");
	const char *database = env_get(envp, "POSTGRES_DATABASE");
	if (db && database && strcmp(db, database) != 0) {
		log_error("POSTGRES_DB and POSTGRES_DATABASE are both set and "
			  "differ; set only one");
		return EXIT_CONFIG;
	}
	if (db) {
		if ((code = check_identifier("POSTGRES_DB", db)))
			return code;
		s->database = db;
	} else if (database) {
		if ((code = check_identifier("POSTGRES_DATABASE", database)))
			return code;
		s->database = database;
	} else {
		s->database = s->user;
	}

	s->auth_method = env_get(envp, "POSTGRES_HOST_AUTH_METHOD");
	if (!s->auth_method)
		s->auth_method = "scram-sha-256";
	if (strcmp(s->auth_method, "scram-sha-256") != 0 &&
	    strcmp(s->auth_method, "md5") != 0 &&
	    strcmp(s->auth_method, "trust") != 0) {
		log_error("POSTGRES_HOST_AUTH_METHOD=%s: must be scram-sha-256, "
			  "md5 or trust", s->auth_method);
		return EXIT_CONFIG;
	}

	s->initdb_args = env_get(envp, "POSTGRES_INITDB_ARGS");
	if (s->initdb_args && has_control_char(s->initdb_args)) {
		log_error("POSTGRES_INITDB_ARGS contains a control character");
		return EXIT_CONFIG;
	}

	s->listen_addresses = env_get(envp, "POSTGRES_LISTEN_ADDRESSES");
	if (!s->listen_addresses)
		s->listen_addresses = "*";
	if (has_control_char(s->listen_addresses)) {
		log_error("POSTGRES_LISTEN_ADDRESSES contains a control character");
		return EXIT_CONFIG;
	}

	s->tmpdir = env_get(envp, "TMPDIR");
	if (!s->tmpdir || s->tmpdir[0] == '\0')
		s->tmpdir = "/tmp";
	if (strlen(s->tmpdir) + sizeof("/keycloak-ha-postgres.XXXXXX") >
	    SOCKET_DIR_MAX) {
		log_error("TMPDIR=%s: too long for a unix socket path",
			  s->tmpdir);
		return EXIT_CONFIG;
	}

	const char *password = env_get(envp, "POSTGRES_PASSWORD");
	const char *password_file = env_get(envp, "POSTGRES_PASSWORD_FILE");
	if (password && password_file) {
		log_error("POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are both "
			  "set; set only one");
		return EXIT_CONFIG;
	}
	const char *source = "POSTGRES_PASSWORD";
	if (password_file) {
		source = "POSTGRES_PASSWORD_FILE";
		if ((code = read_secret_file("POSTGRES_PASSWORD_FILE", password_file,
					     &s->password)))
			return code;
	} else if (password) {
		s->password = strdup(password);
		if (!s->password) {
			log_error("out of memory");
			return EXIT_OSERR;
		}
	}
	if (s->password) {
		if (s->password[0] == '\0') {
			log_error("%s: the password is empty", source);
			return EXIT_CONFIG;
		}
		/* initdb reads one line from --pwfile and strips CR/LF. */
		if (strpbrk(s->password, "\r\n")) {
			log_error("%s: the password contains a line break",
				  source);
			return EXIT_CONFIG;
		}
	}
	return EXIT_OK;
}

static void free_settings(struct role_settings *s)
{
	if (s->password) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
		s->password = NULL;
	}
}

static bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Only reads: a directory that turns out not to be ours must be left
 * exactly as it was. */
static int classify_pgdata(const struct role_settings *s,
			   enum pgdata_state *state)
{
	char path[PATH_MAX];
	struct stat st;

	if (stat(s->pgdata, &st) < 0) {
		if (errno == ENOENT) {
			*state = PGDATA_MISSING;
			return EXIT_OK;
		}
		log_error("PGDATA=%s: %s", s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("PGDATA=%s: not a directory", s->pgdata);
		return EXIT_CONFIG;
	}
	if (join_path(path, sizeof(path), s->pgdata, "PG_VERSION") < 0)
		return EXIT_SOFTWARE;
	if (path_exists(path)) {
		*state = PGDATA_CLUSTER;
		return EXIT_OK;
	}
	if (path_exists(s->ready_dir)) {
		*state = PGDATA_READY;
		return EXIT_OK;
	}
	DIR *dir = opendir(s->pgdata);
	if (!dir) {
		log_error("PGDATA=%s: cannot list: %s", s->pgdata,
			  strerror(errno));
		return EXIT_OSERR;
	}
	*state = PGDATA_EMPTY;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "lost+found") == 0 ||
		    strcmp(e->d_name, INIT_DIR_NAME) == 0)
			continue;
		*state = PGDATA_FOREIGN;
		break;
	}
	int err = errno;
	closedir(dir);
	if (!e && err) {
		log_error("PGDATA=%s: cannot list: %s", s->pgdata, strerror(err));
		return EXIT_OSERR;
	}
	return EXIT_OK;
}

static int make_directories(const char *path, mode_t last_mode)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, last_mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* postgres refuses a data directory that others may read or that belongs
 * to someone else; say so here, in terms of PGDATA, and fix the mode when
 * the directory is ours. */
static int restrict_pgdata_mode(const struct role_settings *s)
{
	struct stat st;

	if (stat(s->pgdata, &st) < 0) {
		log_error("PGDATA=%s: %s", s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	if (st.st_uid != geteuid()) {
		log_error("PGDATA=%s: owned by user id %u, but the server runs as "
			  "user id %u", s->pgdata, (unsigned)st.st_uid,
			  (unsigned)geteuid());
		return EXIT_CONFIG;
	}
	mode_t mode = st.st_mode & 07777;
	if (mode != 0700 && mode != 0750 && chmod(s->pgdata, 0700) < 0) {
		log_error("PGDATA=%s: cannot change mode to 0700: %s", s->pgdata,
			  strerror(errno));
		return EXIT_OSERR;
	}
	return EXIT_OK;
}

/* As root: PGDATA exists, belongs to postgres with mode 0700 (postgres
 * refuses anything looser), then root is given up for good. Not root: the
 * directory is created if missing and otherwise used as it is. */
static int prepare_pgdata(const struct role_settings *s)
{
	if (geteuid() != 0) {
		if (make_directories(s->pgdata, 0700) < 0) {
			log_error("PGDATA=%s: cannot create: %s", s->pgdata,
				  strerror(errno));
			return EXIT_CANTCREAT;
		}
		return restrict_pgdata_mode(s);
	}
	errno = 0;
	struct passwd *pw = getpwnam("postgres");
	if (!pw) {
		log_error("no user \"postgres\" in the user database (needed to "
			  "give up root): %s",
			  errno ? strerror(errno) : "not found");
		return EXIT_CONFIG;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (make_directories(s->pgdata, 0700) < 0) {
		log_error("PGDATA=%s: cannot create: %s", s->pgdata,
			  strerror(errno));
		return EXIT_CANTCREAT;
	}
	if (chown(s->pgdata, uid, gid) < 0) {
		log_error("PGDATA=%s: cannot change owner to postgres: %s",
			  s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	if (chmod(s->pgdata, 0700) < 0) {
		log_error("PGDATA=%s: cannot change mode to 0700: %s", s->pgdata,
			  strerror(errno));
		return EXIT_OSERR;
	}
	/* Groups first, then group, then user: once the user is changed, the
	 * other two can no longer be. */
	if (setgroups(1, &gid) < 0) {
		log_error("setgroups: %s", strerror(errno));
		return EXIT_OSERR;
	}
	if (setgid(gid) < 0) {
		log_error("setgid(%u): %s", (unsigned)gid, strerror(errno));
		return EXIT_OSERR;
	}
	if (setuid(uid) < 0) {
		log_error("setuid(%u): %s", (unsigned)uid, strerror(errno));
		return EXIT_OSERR;
	}
	if (uid != 0 && setuid(0) == 0) {
		log_error("setuid: root privileges could be regained");
		return EXIT_SOFTWARE;
	}
	return EXIT_OK;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT) {
		log_warn("cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int remove_tree(const char *path)
{
	if (!path_exists(path))
		return 0;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static int sync_directory(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int err = errno;
	close(fd);
	errno = err;
	return rc;
}

/* Returns 0, or ENOENT / EACCES as execvp would report them. */
static int find_program(const char *name, char *const *envp, char *out,
			size_t out_size)
{
	const char *path = env_get(envp, "PATH");
	int result = ENOENT;

	if (!path || !*path)
		path = DEFAULT_PATH;
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		int n;
		if (len == 0)
			n = snprintf(out, out_size, "./%s", name);
		else
			n = snprintf(out, out_size, "%.*s/%s", (int)len, path,
				     name);
		if (n > 0 && (size_t)n < out_size) {
			struct stat st;
			if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
				if (access(out, X_OK) == 0)
					return 0;
				result = EACCES;
			}
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return result;
}

/* The environment of initdb and postgres: the given one, without the
 * password (a process's environment is readable by its user). */
static char **make_child_env(char *const *envp)
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	char **env = calloc(n + 1, sizeof(*env));
	if (!env)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], "POSTGRES_PASSWORD=", 18) != 0)
			env[j++] = envp[i];
	env[j] = NULL;
	return env;
}

/* Children write to stderr only: stdout stays free for whoever runs the
 * entrypoint, and the container log gets both. */
static pid_t spawn(const char *path, char *const *argv, char *const *env)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
	    dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		log_error("cannot set up the standard streams of %s: %s", path,
			  strerror(errno));
		_exit(EXIT_OSERR);
	}
	if (null_fd > STDERR_FILENO)
		close(null_fd);
	execve(path, argv, env);
	log_error("cannot execute %s: %s", path, strerror(errno));
	_exit(errno == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED);
}

/* Unlike clock.h's sleep_ms, a signal ends this sleep early, so that the
 * loops below see stop_requested at once, before the child that got the
 * same signal is reaped as a plain failure. */
static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static enum wait_result wait_child(pid_t pid, long timeout_ms, int *status,
				   bool interruptible)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return WAIT_EXITED;
		if (r < 0 && errno != EINTR) {
			/* Not our child any more: nothing left to wait for. */
			*status = 0;
			return WAIT_EXITED;
		}
		if (interruptible && stop_requested)
			return WAIT_INTERRUPTED;
		if (now_ms() >= deadline)
			return WAIT_TIMEOUT;
		nap_ms(POLL_MS);
	}
}

/* Sends sig, waits up to timeout_ms, then kills. Returns the status. */
static int stop_child(pid_t pid, int sig, long timeout_ms, bool *timed_out)
{
	int status = 0;

	*timed_out = false;
	kill(pid, sig);
	if (wait_child(pid, timeout_ms, &status, false) == WAIT_EXITED)
		return status;
	*timed_out = true;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %d", status);
}

static int write_password_file(const char *path, const char *password)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	size_t len = strlen(password);
	const char *p = password;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || close(fd) < 0)
		return -1;
	return 0;
}

/*
 * initdb refuses to run as a user id without a passwd entry (an arbitrary
 * uid, as some platforms assign), and the root filesystem may be read-only.
 * nss_wrapper (Debian's libnss-wrapper, in the image) answers the lookup
 * from files of our own: give initdb alone - postgres does not ask - an
 * environment that preloads it with a one-line passwd file in the private
 * temporary directory. Returns env itself when the uid has an entry, a new
 * array otherwise (NULL on failure, after logging).
 */
static char **initdb_environment(const struct role_settings *s, char *const *env,
				 const char *temp_dir, char *storage, size_t storage_len)
{
	char passwd[PATH_MAX], group[PATH_MAX];
	FILE *f;

	if (getpwuid(geteuid()))
		return (char **)env;
	if (join_path(passwd, sizeof(passwd), temp_dir, "passwd") < 0 ||
	    join_path(group, sizeof(group), temp_dir, "group") < 0)
		return NULL;
	if (!(f = fopen(passwd, "wx")) ||
	    fprintf(f, "postgres:x:%u:%u:PostgreSQL:%s:/bin/false\n",
		    (unsigned)geteuid(), (unsigned)getegid(), s->pgdata) < 0 ||
	    fclose(f) != 0 || !(f = fopen(group, "wx")) ||
	    fprintf(f, "postgres:x:%u:\n", (unsigned)getegid()) < 0 || fclose(f) != 0) {
		log_error("%s: cannot write a user database for initdb: %s", temp_dir,
			  strerror(errno));
		return NULL;
	}
	size_t n = 0;
	while (env[n])
		n++;
	char **out = calloc(n + 4, sizeof(*out));
	if (!out) {
		log_error("out of memory");
		return NULL;
	}
	memcpy(out, env, n * sizeof(*out));
	int len = snprintf(storage, storage_len, "LD_PRELOAD=libnss_wrapper.so%c"
			   "NSS_WRAPPER_PASSWD=%s%cNSS_WRAPPER_GROUP=%s", '\0', passwd, '\0', group);
	if (len < 0 || (size_t)len >= storage_len) {
		free(out);
		log_error("%s: path too long", temp_dir);
		return NULL;
	}
	out[n] = storage;
	out[n + 1] = storage + strlen(storage) + 1;
	out[n + 2] = out[n + 1] + strlen(out[n + 1]) + 1;
	log_info("user id %u has no passwd entry: initdb runs with nss_wrapper",
		 (unsigned)geteuid());
	return out;
}

static int run_initdb(struct role_settings *s, const char *initdb,
		      const char *password_file, char *const *env)
{
	char user_arg[IDENTIFIER_MAX + sizeof("--username=")];
	char pwfile_arg[PATH_MAX + sizeof("--pwfile=")];
	char auth_arg[64];
	char *extra = NULL;
	size_t max_args = 16;

	snprintf(user_arg, sizeof(user_arg), "--username=%s", s->user);
	snprintf(pwfile_arg, sizeof(pwfile_arg), "--pwfile=%s",
		 password_file ? password_file : "");
	snprintf(auth_arg, sizeof(auth_arg), "--auth-host=%s", s->auth_method);
	if (s->initdb_args) {
		extra = strdup(s->initdb_args);
		if (!extra) {
			log_error("out of memory");
			return EXIT_OSERR;
		}
		max_args += strlen(extra) / 2 + 1;
	}
	char **argv = calloc(max_args, sizeof(*argv));
	if (!argv) {
		free(extra);
		log_error("out of memory");
		return EXIT_OSERR;
	}
	size_t n = 0;
	argv[n++] = arg_initdb;
	argv[n++] = arg_data_dir;
	argv[n++] = s->init_dir;
	argv[n++] = user_arg;
	if (password_file)
		argv[n++] = pwfile_arg;
	argv[n++] = arg_auth_local;
	argv[n++] = auth_arg;
	argv[n++] = arg_encoding;
	argv[n++] = arg_no_instructions;
	if (extra) {
		char *save = NULL;
		for (char *w = strtok_r(extra, " ", &save); w;
		     w = strtok_r(NULL, " ", &save))
			argv[n++] = w;
	}
	argv[n] = NULL;

	int code = EXIT_OK;
	pid_t pid = spawn(initdb, argv, env);
	if (pid < 0) {
		log_error("cannot start %s: %s", initdb, strerror(errno));
		code = EXIT_OSERR;
		goto out;
	}
	int status = 0;
	bool timed_out = false;
	switch (wait_child(pid, INITDB_TIMEOUT_MS, &status, true)) {
	case WAIT_EXITED:
		break;
	case WAIT_TIMEOUT:
		status = stop_child(pid, SIGTERM, STOP_TIMEOUT_MS, &timed_out);
		log_error("initdb did not finish within %d s",
			  INITDB_TIMEOUT_MS / 1000);
		code = EXIT_CANTCREAT;
		goto out;
	case WAIT_INTERRUPTED:
		status = stop_child(pid, SIGTERM, STOP_TIMEOUT_MS, &timed_out);
		log_error("initialisation of PGDATA=%s interrupted by a signal",
			  s->pgdata);
		code = EXIT_CANTCREAT;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char what[64];
		describe_status(status, what, sizeof(what));
		errno = 0;
		if (!getpwuid(geteuid()))
			log_error("initdb failed (%s): user id %u has no entry "
				  "in the user database, which initdb needs",
				  what, (unsigned)geteuid());
		else
			log_error("initdb failed (%s); its messages are above",
				  what);
		code = EXIT_CANTCREAT;
	}
out:
	free(argv);
	free(extra);
	return code;
}

/* Clients connect over TCP, which initdb's --auth-host covers only for
 * loopback addresses. */
static int allow_network_clients(const struct role_settings *s)
{
	char path[PATH_MAX];
	char line[128];

	if (join_path(path, sizeof(path), s->init_dir, "pg_hba.conf") < 0)
		return EXIT_SOFTWARE;
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
	return EXIT_OK;
}

/* libpq messages end with a newline and may have several lines; a log
 * line takes the first. */
static const char *first_line(const char *msg, char *buf, size_t size)
{
	size_t len = strcspn(msg, "\n");

	if (len >= size)
		len = size - 1;
	memcpy(buf, msg, len);
	buf[len] = '\0';
	return buf;
}

static int wait_for_server(const struct role_settings *s, pid_t server,
			   const char *socket_dir, PGconn **out)
{
	const char *const keys[] = { "host", "port", "dbname", "user",
				     "connect_timeout", "sslmode",
				     "gssencmode", "application_name", NULL };
	const char *const values[] = { socket_dir, TEMP_PORT, "postgres",
				       s->user, "5", "disable", "disable",
				       "keycloak-ha-postgres", NULL };
	long long deadline = now_ms() + READY_TIMEOUT_MS;
	char last_error[256] = "no attempt";

	for (;;) {
		int status;
		if (waitpid(server, &status, WNOHANG) == server) {
			char what[64];
			describe_status(status, what, sizeof(what));
			log_error("the temporary server exited (%s) before "
				  "accepting connections; its messages are above",
				  what);
			return -1;
		}
		if (stop_requested) {
			log_error("initialisation of PGDATA=%s interrupted by a "
				  "signal", s->pgdata);
			return EXIT_CANTCREAT;
		}
		PGconn *conn = PQconnectdbParams(keys, values, 0);
		if (conn && PQstatus(conn) == CONNECTION_OK) {
			*out = conn;
			return EXIT_OK;
		}
		first_line(conn ? PQerrorMessage(conn) : "out of memory",
			   last_error, sizeof(last_error));
		PQfinish(conn);
		if (now_ms() >= deadline) {
			log_error("the temporary server did not accept "
				  "connections within %d s: %s",
				  READY_TIMEOUT_MS / 1000, last_error);
			return EXIT_DB_UNAVAILABLE;
		}
		nap_ms(200);
	}
}

static int create_database(const struct role_settings *s, PGconn *conn)
{
	char msg[256];
	const char *params[] = { s->database };
	PGresult *res = PQexecParams(conn,
				     "SELECT 1 FROM pg_database WHERE datname = $1",
				     1, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("cannot look up database %s: %s", s->database,
			  first_line(PQerrorMessage(conn), msg, sizeof(msg)));
		PQclear(res);
		return EXIT_CANTCREAT;
	}
	bool exists = PQntuples(res) > 0;
	PQclear(res);
	if (exists)
		return EXIT_OK;

	char *db = PQescapeIdentifier(conn, s->database, strlen(s->database));
	char *owner = PQescapeIdentifier(conn, s->user, strlen(s->user));
	char *sql = NULL;
	int code = EXIT_OK;
	if (!db || !owner ||
	    asprintf(&sql, "CREATE DATABASE %s OWNER %s", db, owner) < 0) {
		sql = NULL;
		log_error("cannot quote database or user name: %s",
			  first_line(PQerrorMessage(conn), msg, sizeof(msg)));
		code = EXIT_CANTCREAT;
		goto out;
	}
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("cannot create database %s (POSTGRES_DB): %s",
			  s->database,
			  first_line(PQerrorMessage(conn), msg, sizeof(msg)));
		code = EXIT_CANTCREAT;
	}
	PQclear(res);
out:
	free(sql);
	PQfreemem(db);
	PQfreemem(owner);
	return code;
}

/* The temporary server: no TCP listener, so no client can ever see a
 * cluster whose database or password is not set up yet; its socket is in
 * our private directory. */
static int set_up_cluster(struct role_settings *s, const char *postgres,
			  const char *socket_dir, char *const *env)
{
	char socket_arg[SOCKET_DIR_MAX + sizeof("unix_socket_directories=")];
	int len = snprintf(socket_arg, sizeof(socket_arg),
			   "unix_socket_directories=%s", socket_dir);

	if (len < 0 || (size_t)len >= sizeof(socket_arg)) {
		log_error("%s: path too long for a unix socket", socket_dir);
		return EXIT_SOFTWARE;
	}
	char *const argv[] = { arg_postgres, arg_data_dir, s->init_dir,
			       arg_port, arg_temp_port,
			       arg_setting, arg_no_listen,
			       arg_setting, socket_arg, NULL };
	pid_t server = spawn(postgres, argv, env);
	if (server < 0) {
		log_error("cannot start %s: %s", postgres, strerror(errno));
		return EXIT_OSERR;
	}
	PGconn *conn = NULL;
	int code = wait_for_server(s, server, socket_dir, &conn);
	bool exited = code < 0;
	if (code < 0)
		code = EXIT_CANTCREAT;
	if (code == EXIT_OK)
		code = create_database(s, conn);
	PQfinish(conn);
	if (exited)
		return code;

	bool timed_out;
	int status = stop_child(server, SIGINT, STOP_TIMEOUT_MS, &timed_out);
	if (code != EXIT_OK)
		return code;
	if (timed_out) {
		log_error("the temporary server did not stop within %d s",
			  STOP_TIMEOUT_MS / 1000);
		return EXIT_CANTCREAT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char what[64];
		describe_status(status, what, sizeof(what));
		log_error("the temporary server stopped with %s", what);
		return EXIT_CANTCREAT;
	}
	return EXIT_OK;
}

static int initialise(struct role_settings *s, char *const *env)
{
	char initdb[PATH_MAX], postgres[PATH_MAX];
	char temp_dir[PATH_MAX], password_file[PATH_MAX];
	int err;

	if ((err = find_program("initdb", env, initdb, sizeof(initdb)))) {
		log_error("initdb: not found on PATH: %s", strerror(err));
		return err == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED;
	}
	if ((err = find_program("postgres", env, postgres, sizeof(postgres)))) {
		log_error("postgres: not found on PATH: %s", strerror(err));
		return err == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED;
	}
	/* A start killed during initialisation left this behind. */
	if (remove_tree(s->init_dir) < 0) {
		log_error("%s: cannot remove the remains of an earlier "
			  "initialisation", s->init_dir);
		return EXIT_CANTCREAT;
	}
	if (join_path(temp_dir, sizeof(temp_dir), s->tmpdir,
		      "keycloak-ha-postgres.XXXXXX") < 0)
		return EXIT_SOFTWARE;
	if (!mkdtemp(temp_dir)) {
		log_error("TMPDIR=%s: cannot create a private directory: %s",
			  s->tmpdir, strerror(errno));
		return EXIT_CANTCREAT;
	}
	if (join_path(password_file, sizeof(password_file), temp_dir,
		      "pwfile") < 0) {
		rmdir(temp_dir);
		return EXIT_SOFTWARE;
	}

	struct sigaction sa = { .sa_handler = request_stop };
	struct sigaction old_term, old_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);

	log_info("initialising PGDATA=%s: user %s, database %s, host "
		 "authentication %s",
		 s->pgdata, s->user, s->database, s->auth_method);
	int code = EXIT_OK;
	if (s->password && write_password_file(password_file, s->password) < 0) {
		log_error("%s: cannot write the password file: %s",
			  password_file, strerror(errno));
		code = EXIT_CANTCREAT;
	}
	char nss_storage[3 * PATH_MAX];
	char **initdb_env = NULL;
	if (code == EXIT_OK &&
	    !(initdb_env = initdb_environment(s, env, temp_dir, nss_storage,
					      sizeof(nss_storage))))
		code = EXIT_CANTCREAT;
	if (code == EXIT_OK)
		code = run_initdb(s, initdb, s->password ? password_file : NULL,
				  initdb_env);
	if (initdb_env && initdb_env != (char **)env)
		free(initdb_env);
	if (s->password && unlink(password_file) < 0 && errno != ENOENT) {
		log_error("%s: cannot remove the password file: %s",
			  password_file, strerror(errno));
		if (code == EXIT_OK)
			code = EXIT_OSERR;
	}
	if (code == EXIT_OK)
		code = allow_network_clients(s);
	if (code == EXIT_OK)
		code = set_up_cluster(s, postgres, temp_dir, env);
	if (remove_tree(temp_dir) < 0 && code == EXIT_OK) {
		log_error("%s: cannot remove the temporary directory", temp_dir);
		code = EXIT_OSERR;
	}
	/* The commit point: from here on, the next start finishes the job. */
	if (code == EXIT_OK && rename(s->init_dir, s->ready_dir) < 0) {
		log_error("%s: cannot rename to %s: %s", s->init_dir,
			  s->ready_dir, strerror(errno));
		code = EXIT_CANTCREAT;
	}
	if (code == EXIT_OK && sync_directory(s->pgdata) < 0) {
		log_error("PGDATA=%s: fsync: %s", s->pgdata, strerror(errno));
		code = EXIT_OSERR;
	}
	if (code != EXIT_OK && remove_tree(s->init_dir) < 0)
		log_warn("%s: could not remove the incomplete cluster; the next "
			 "start removes it", s->init_dir);

	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	return code;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Moves every entry of the ready directory into PGDATA, PG_VERSION last,
 * so that PGDATA is a cluster only once it is a whole one. */
static int move_into_place(const struct role_settings *s)
{
	DIR *dir = opendir(s->ready_dir);

	if (!dir) {
		log_error("%s: cannot list: %s", s->ready_dir, strerror(errno));
		return EXIT_OSERR;
	}
	/* Names are collected first: renaming entries out of a directory
	 * while reading it may make readdir skip or repeat some. */
	char **names = NULL;
	size_t n = 0, cap = 0;
	bool has_version = false;
	int code = EXIT_OK;
	struct dirent *e;
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strcmp(e->d_name, "PG_VERSION") == 0) {
			has_version = true;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				code = EXIT_OSERR;
				break;
			}
			names = grown;
		}
		if (!(names[n] = strdup(e->d_name))) {
			code = EXIT_OSERR;
			break;
		}
		n++;
	}
	closedir(dir);
	if (code != EXIT_OK) {
		log_error("out of memory");
		goto out;
	}
	if (!has_version) {
		log_error("PGDATA=%s: %s has no PG_VERSION; remove it or empty "
			  "PGDATA", s->pgdata, s->ready_dir);
		code = EXIT_CONFIG;
		goto out;
	}
	if (names)
		qsort(names, n, sizeof(*names), compare_names);
	char from[PATH_MAX], to[PATH_MAX];
	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : "PG_VERSION";
		if (join_path(from, sizeof(from), s->ready_dir, name) < 0 ||
		    join_path(to, sizeof(to), s->pgdata, name) < 0) {
			code = EXIT_SOFTWARE;
			goto out;
		}
		if (i == n && sync_directory(s->pgdata) < 0) {
			log_error("PGDATA=%s: fsync: %s", s->pgdata,
				  strerror(errno));
			code = EXIT_OSERR;
			goto out;
		}
		if (rename(from, to) < 0) {
			log_error("%s: cannot move into PGDATA: %s", from,
				  strerror(errno));
			code = EXIT_CANTCREAT;
			goto out;
		}
	}
	if (rmdir(s->ready_dir) < 0 || sync_directory(s->pgdata) < 0) {
		log_error("%s: %s", s->ready_dir, strerror(errno));
		code = EXIT_OSERR;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return code;
}

static int exec_postgres(struct role_settings *s, int argc, char **argv,
			 char *const *env)
{
	char path[PATH_MAX];
	char listen_arg[1024];
	int err = find_program("postgres", env, path, sizeof(path));

	if (err) {
		log_error("postgres: not found on PATH: %s", strerror(err));
		return err == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED;
	}
	int n = snprintf(listen_arg, sizeof(listen_arg), "listen_addresses=%s",
			 s->listen_addresses);
	if (n < 0 || (size_t)n >= sizeof(listen_arg)) {
		log_error("POSTGRES_LISTEN_ADDRESSES is too long");
		return EXIT_CONFIG;
	}
	char **args = calloc((size_t)argc + 6, sizeof(*args));
	if (!args) {
		log_error("out of memory");
		return EXIT_OSERR;
	}
	size_t i = 0;
	args[i++] = arg_postgres;
	args[i++] = arg_data_dir;
	args[i++] = s->pgdata;
	args[i++] = arg_setting;
	args[i++] = listen_arg;
	for (int a = 1; a < argc; a++)
		args[i++] = argv[a];
	args[i] = NULL;
	log_info("starting postgres on PGDATA=%s", s->pgdata);
	execve(path, args, env);
	err = errno;
	free(args);
	log_error("cannot execute %s: %s", path, strerror(err));
	return err == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED;
}

int postgres_role_main(int argc, char **argv, char *const *envp)
{
	struct role_settings s;
	enum pgdata_state state;
	char **env = NULL;
	int code;

	/* Every setting is checked before anything is touched, so that a
	 * mistake costs nothing but a restart. */
	if ((code = load_settings(&s, envp)))
		goto out;
	if ((code = classify_pgdata(&s, &state)))
		goto out;
	if (state == PGDATA_FOREIGN) {
		log_error("PGDATA=%s: not empty and not a PostgreSQL data "
			  "directory (no PG_VERSION); refusing to touch it",
			  s.pgdata);
		code = EXIT_CONFIG;
		goto out;
	}
	bool must_init = state == PGDATA_MISSING || state == PGDATA_EMPTY;
	if (must_init && !s.password && strcmp(s.auth_method, "trust") != 0) {
		log_error("PGDATA=%s is empty and POSTGRES_PASSWORD (or "
			  "POSTGRES_PASSWORD_FILE) is not set; set it, or set "
			  "POSTGRES_HOST_AUTH_METHOD=trust to allow logins "
			  "without a password", s.pgdata);
		code = EXIT_CONFIG;
		goto out;
	}

	/* Root is needed only to give PGDATA to postgres; nothing else runs
	 * with it. */
	if ((code = prepare_pgdata(&s)))
		goto out;
	if (!(env = make_child_env(envp))) {
		log_error("out of memory");
		code = EXIT_OSERR;
		goto out;
	}
	if (must_init) {
		if ((code = initialise(&s, env)))
			goto out;
		state = PGDATA_READY;
	}
	if (state == PGDATA_READY && (code = move_into_place(&s)))
		goto out;
	if (state == PGDATA_CLUSTER && rmdir(s.ready_dir) < 0 &&
	    errno != ENOENT)
		log_warn("%s: cannot remove: %s", s.ready_dir, strerror(errno));
	free_settings(&s);
	code = exec_postgres(&s, argc, argv, env);
out:
	free_settings(&s);
	free(env);
	return code;
}
