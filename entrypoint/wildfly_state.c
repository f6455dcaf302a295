#include "wildfly_state.h"

#include "fsutil.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* Is the state directory the distribution's KEYCLOAK_HOME/standalone? */
static bool state_is_server_dir(const struct settings *s)
{
	char own[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

	snprintf(own, sizeof(own), "%s/standalone", s->server.home);
	if (strcmp(s->server.state_dir, own) == 0)
		return true;
	/* The same directory under another spelling (a trailing slash, a
	 * link). */
	return realpath(s->server.state_dir, a) && realpath(own, b) && strcmp(a, b) == 0;
}

void wildfly_config_dir(const struct settings *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/configuration", s->server.state_dir);
}

/* Private: the configuration holds secrets, and nobody but the server's
 * user needs the rest. */
static int make_state_dir(const char *path)
{
	int e = make_dir(path, 0700);

	if (e) {
		log_error("KEYCLOAK_STATE_DIR: cannot create %s: %s", path, strerror(e));
		return EXIT_CANTCREAT;
	}
	return 0;
}

/* Files of the configuration directory that are not copied: the rendered
 * configuration, its pristine copy, and the admin user file, which the
 * entrypoint writes itself when the admin does not exist yet. */
static bool skipped(const char *name)
{
	return strcmp(name, "standalone-ha.xml") == 0 ||
	       strcmp(name, "standalone-ha.xml.dist") == 0 ||
	       strcmp(name, "keycloak-add-user.json") == 0;
}

static int copy_configuration(const char *from, const char *to)
{
	char src[PATH_MAX], dst[PATH_MAX];
	DIR *d = opendir(from);

	if (!d) {
		log_error("cannot read %s: %s", from, strerror(errno));
		return EXIT_NOINPUT;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		if (de->d_name[0] == '.' || skipped(de->d_name))
			continue;
		if (path_join(src, sizeof(src), from, de->d_name) ||
		    path_join(dst, sizeof(dst), to, de->d_name))
			continue;
		/* Regular files only: standalone_xml_history is the server's. */
		if (stat(src, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		char *data;
		size_t len;
		int e = read_file(src, WILDFLY_DIST_FILE_MAX, &data, &len);
		if (e) {
			log_error("cannot read %s: %s", src, strerror(e));
			rc = EXIT_NOINPUT;
			break;
		}
		/* 0600: some hold password hashes (mgmt-users.properties). */
		e = write_file_atomic(dst, data, len, 0600);
		free(data);
		if (e) {
			log_error("cannot write %s: %s", dst, strerror(e));
			rc = EXIT_CANTCREAT;
		}
	}
	closedir(d);
	return rc;
}

/* Link every file of the shipped deployments directory; a link already
 * there (from an earlier start) is kept. */
static int link_deployments(const char *from, const char *to)
{
	char src[PATH_MAX], dst[PATH_MAX];
	DIR *d = opendir(from);

	if (!d)
		return 0;	/* a distribution without one */
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (path_join(src, sizeof(src), from, de->d_name) ||
		    path_join(dst, sizeof(dst), to, de->d_name))
			continue;
		if (symlink(src, dst) != 0 && errno != EEXIST) {
			log_error("cannot link %s: %s", dst, strerror(errno));
			rc = EXIT_CANTCREAT;
		}
	}
	closedir(d);
	return rc;
}

int wildfly_state_prepare(const struct settings *s)
{
	static const char *const subdirs[] = { "configuration", "data", "deployments", "log",
		"tmp", NULL };
	char path[PATH_MAX], from[PATH_MAX];
	int rc;

	if (state_is_server_dir(s))
		return 0;
	if ((rc = make_state_dir(s->server.state_dir)))
		return rc;
	/* The settings bound the state directory to PATH_MAX / 2. */
	for (const char *const *sub = subdirs; *sub; sub++) {
		path_join(path, sizeof(path), s->server.state_dir, *sub);
		if ((rc = make_state_dir(path)))
			return rc;
	}
	snprintf(from, sizeof(from), "%s/standalone/configuration", s->server.home);
	wildfly_config_dir(s, path, sizeof(path));
	if ((rc = copy_configuration(from, path)))
		return rc;
	snprintf(from, sizeof(from), "%s/standalone/deployments", s->server.home);
	path_join(path, sizeof(path), s->server.state_dir, "deployments");
	return link_deployments(from, path);
}
