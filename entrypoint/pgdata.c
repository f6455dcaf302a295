#include "pgdata.h"

#include "fsutil.h"
#include "log.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A directory without PG_VERSION: empty (for our purpose) or foreign. */
static int classify_contents(const struct pg_settings *s, enum pgdata_state *state)
{
	DIR *dir = opendir(s->pgdata);

	if (!dir) {
		log_error("PGDATA=%s: cannot list: %s", s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	*state = PGDATA_EMPTY;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "lost+found") == 0 ||
		    strcmp(e->d_name, PG_INIT_DIR_NAME) == 0)
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
	return 0;
}

int pgdata_classify(const struct pg_settings *s, enum pgdata_state *state)
{
	char path[PATH_MAX];
	struct stat st;

	if (stat(s->pgdata, &st) < 0) {
		if (errno == ENOENT) {
			*state = PGDATA_MISSING;
			return 0;
		}
		log_error("PGDATA=%s: %s", s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("PGDATA=%s: not a directory", s->pgdata);
		return EXIT_CONFIG;
	}
	path_join(path, sizeof(path), s->pgdata, "PG_VERSION");
	if (path_exists(path)) {
		*state = PGDATA_CLUSTER;
		return 0;
	}
	if (path_exists(s->ready_dir)) {
		*state = PGDATA_READY;
		return 0;
	}
	return classify_contents(s, state);
}

/* postgres refuses a data directory that others may read or that belongs
 * to someone else; say so here, in terms of PGDATA, and fix the mode when
 * the directory is ours. */
static int restrict_pgdata_mode(const struct pg_settings *s)
{
	struct stat st;

	if (stat(s->pgdata, &st) < 0) {
		log_error("PGDATA=%s: %s", s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	if (st.st_uid != geteuid()) {
		log_error("PGDATA=%s: owned by user id %u, but the server runs as user id %u",
			  s->pgdata, (unsigned)st.st_uid, (unsigned)geteuid());
		return EXIT_CONFIG;
	}
	mode_t mode = st.st_mode & 07777;
	if (mode != 0700 && mode != 0750 && chmod(s->pgdata, 0700) < 0) {
		log_error("PGDATA=%s: cannot change mode to 0700: %s", s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	return 0;
}

static int create_pgdata(const struct pg_settings *s)
{
	int e = make_directories(s->pgdata, 0700);

	if (e) {
		log_error("PGDATA=%s: cannot create: %s", s->pgdata, strerror(e));
		return EXIT_CANTCREAT;
	}
	return 0;
}

/* Groups first, then group, then user: once the user is changed, the other
 * two can no longer be. */
static int drop_root(uid_t uid, gid_t gid)
{
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
	return 0;
}

int pgdata_prepare(const struct pg_settings *s)
{
	int code;

	if (geteuid() != 0)
		return (code = create_pgdata(s)) ? code : restrict_pgdata_mode(s);
	errno = 0;
	struct passwd *pw = getpwnam("postgres");
	if (!pw) {
		log_error("no user \"postgres\" in the user database (needed to give up root): %s",
			  errno ? strerror(errno) : "not found");
		return EXIT_CONFIG;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if ((code = create_pgdata(s)))
		return code;
	if (chown(s->pgdata, uid, gid) < 0) {
		log_error("PGDATA=%s: cannot change owner to postgres: %s", s->pgdata,
			  strerror(errno));
		return EXIT_OSERR;
	}
	if (chmod(s->pgdata, 0700) < 0) {
		log_error("PGDATA=%s: cannot change mode to 0700: %s", s->pgdata, strerror(errno));
		return EXIT_OSERR;
	}
	return drop_root(uid, gid);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The entries of the ready directory but PG_VERSION, sorted. Names are
 * collected first: renaming entries out of a directory while reading it
 * may make readdir skip or repeat some.
 */
static int ready_entries(const struct pg_settings *s, char ***names, size_t *n,
			 bool *has_version)
{
	DIR *dir = opendir(s->ready_dir);

	*names = NULL;
	*n = 0;
	*has_version = false;
	if (!dir) {
		log_error("%s: cannot list: %s", s->ready_dir, strerror(errno));
		return EXIT_OSERR;
	}
	struct dirent *e;
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strcmp(e->d_name, "PG_VERSION") == 0) {
			*has_version = true;
			continue;
		}
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(dir);
	if (*n)
		qsort(*names, *n, sizeof(**names), compare_names);
	return 0;
}

/* Rename each entry, then PG_VERSION after a sync of PGDATA. */
static int move_entries(const struct pg_settings *s, char **names, size_t n)
{
	char from[PATH_MAX], to[PATH_MAX];
	int e;

	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : "PG_VERSION";
		if (path_join(from, sizeof(from), s->ready_dir, name) ||
		    path_join(to, sizeof(to), s->pgdata, name)) {
			log_error("%s/%s: path too long", s->ready_dir, name);
			return EXIT_SOFTWARE;
		}
		if (i == n && (e = sync_directory(s->pgdata))) {
			log_error("PGDATA=%s: fsync: %s", s->pgdata, strerror(e));
			return EXIT_OSERR;
		}
		if (rename(from, to) < 0) {
			log_error("%s: cannot move into PGDATA: %s", from, strerror(errno));
			return EXIT_CANTCREAT;
		}
	}
	return 0;
}

int pgdata_move_into_place(const struct pg_settings *s)
{
	char **names;
	size_t n;
	bool has_version;
	int code = ready_entries(s, &names, &n, &has_version), e;

	if (code == 0 && !has_version) {
		log_error("PGDATA=%s: %s has no PG_VERSION; remove it or empty PGDATA", s->pgdata,
			  s->ready_dir);
		code = EXIT_CONFIG;
	}
	if (code == 0)
		code = move_entries(s, names, n);
	if (code == 0 && rmdir(s->ready_dir) < 0) {
		log_error("%s: %s", s->ready_dir, strerror(errno));
		code = EXIT_OSERR;
	}
	if (code == 0 && (e = sync_directory(s->pgdata))) {
		log_error("%s: %s", s->ready_dir, strerror(e));
		code = EXIT_OSERR;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return code;
}
