/*
 * The WildFly backend's steps on disk: standalone-ha.xml rendered into the
 * server's configuration directory, the JVM security properties next to it,
 * and the initial admin user file; and the backend itself (wildfly.h).
 *
 * The configuration is regenerated at every start from a pristine copy of
 * the distribution's file, standalone-ha.xml.dist (the images ship it; the
 * first render keeps it when it is missing), so a restart with changed
 * settings gets a configuration that reflects exactly them, and no
 * "already configured" marker is needed. Every file is written atomically.
 */
#include "wildfly.h"

#include "admin_user.h"
#include "fsutil.h"
#include "jdbc_ping.h"
#include "jvm.h"
#include "log.h"
#include "provenance.h"
#include "text.h"
#include "wildfly_state.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The distribution's file: the pristine copy, else standalone-ha.xml
 * itself (then *have_dist is false). */
static int read_distribution(const char *src_dir, char **text, size_t *len, bool *have_dist)
{
	char dist[PATH_MAX], source[PATH_MAX];

	path_join(dist, sizeof(dist), src_dir, "standalone-ha.xml.dist");
	path_join(source, sizeof(source), src_dir, "standalone-ha.xml");
	int e = read_file(dist, WILDFLY_DIST_FILE_MAX, text, len);
	*have_dist = e == 0;
	if (e == ENOENT)
		e = read_file(source, WILDFLY_DIST_FILE_MAX, text, len);
	if (e) {
		log_error("cannot read %s: %s", e == ENOENT && !*have_dist ? source : dist,
			  strerror(e));
		return EXIT_NOINPUT;
	}
	return 0;
}

static int write_or_say(const char *path, const char *data, size_t len, mode_t mode)
{
	int e = write_file_atomic(path, data, len, mode);

	if (e) {
		log_error("cannot write %s: %s", path, strerror(e));
		return EXIT_CANTCREAT;
	}
	return 0;
}

/*
 * Render standalone-ha.xml into dst_dir from the distribution's file in
 * src_dir (both configuration directories; the same one unless the server
 * writes to a state directory of its own).
 */
static int render_into(const struct settings *s, const char *src_dir, const char *dst_dir)
{
	char dist[PATH_MAX], target[PATH_MAX], security[PATH_MAX];
	char *text, *out;
	size_t len, out_len;
	bool have_dist;
	int rc = read_distribution(src_dir, &text, &len, &have_dist);

	if (rc)
		return rc;
	if ((rc = render_standalone_ha(s, text, len, &out, &out_len))) {
		free(text);
		return rc;
	}
	/* Rendering elsewhere leaves the source as it is: it stays pristine. */
	path_join(dist, sizeof(dist), src_dir, "standalone-ha.xml.dist");
	if (!have_dist && strcmp(src_dir, dst_dir) == 0)
		rc = write_or_say(dist, text, len, 0644);
	free(text);
	/* 0600: the file holds the database password. */
	path_join(target, sizeof(target), dst_dir, "standalone-ha.xml");
	if (rc == 0)
		rc = write_or_say(target, out, out_len, 0600);
	free_secret(out);
	/* The JVM's security properties that the server needs changed; the
	 * command line points java at this file (wildfly_launch.c). */
	path_join(security, sizeof(security), dst_dir, WILDFLY_SECURITY_FILE);
	if (rc == 0)
		rc = write_or_say(security, jvm_security_properties, jvm_security_properties_len,
				  0600);
	if (rc == 0)
		log_info("wrote %s (datasource %s@%s:%u, discovery %s on %s, %u session owners)",
			 target, s->db.name, s->db.host, s->db.port, s->cluster.protocol,
			 s->cluster.stack, s->cluster.cache_owners);
	return rc;
}

/* Into the server's own configuration directory, or into the state
 * directory after preparing it. dir: a server directory given to render.
 * The settings bound KEYCLOAK_HOME and the directories to PATH_MAX / 2. */
static int wildfly_configure(const struct settings *s, const char *dir)
{
	char src[PATH_MAX], dst[PATH_MAX];

	path_join(src, sizeof(src), dir ? dir : s->server.home, "standalone/configuration");
	if (dir)
		return render_into(s, src, src);
	int rc = wildfly_state_prepare(s);
	if (rc)
		return rc;
	wildfly_config_dir(s, dst, sizeof(dst));
	return render_into(s, src, dst);
}

static bool wildfly_recognises(const char *home)
{
	char path[PATH_MAX];

	return path_join(path, sizeof(path), home, "jboss-modules.jar") == 0 &&
	       access(path, F_OK) == 0;
}

/* The state directory is the distribution's own layout unless set. */
static int wildfly_complete(struct settings *s, struct provenance *shown)
{
	char dir[PATH_MAX];

	if (s->server.state_dir)
		return 0;
	path_join(dir, sizeof(dir), s->server.home, "standalone");
	s->server.state_dir = xstrdup(dir);
	provenance_record(shown, "KEYCLOAK_STATE_DIR", dir, "default");
	return 0;
}

/* Rows of members that are gone leave the discovery table (a failure
 * costs a warning: the rows' own expiry still applies). Keycloak reads
 * keycloak-add-user.json from its configuration directory at boot; the
 * entrypoint writes it unless the admin exists. */
static int wildfly_before_exec(const struct settings *s)
{
	char config_dir[PATH_MAX];

	remove_dead_ping_rows(s);
	if (!s->admin.user)
		return 0;
	wildfly_config_dir(s, config_dir, sizeof(config_dir));
	return provide_admin_user(s, config_dir);
}

const struct backend wildfly_backend = {
	.name = "WildFly",
	.recognises = wildfly_recognises,
	.complete = wildfly_complete,
	.configure = wildfly_configure,
	.server_argv = wildfly_server_argv,
	.before_exec = wildfly_before_exec,
	.readiness = wildfly_readiness,
};
