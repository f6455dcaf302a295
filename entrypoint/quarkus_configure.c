/*
 * The Keycloak 26 backend's steps (quarkus.h): what the settings may not
 * ask of this generation, the state directory and the files in it, and the
 * questions asked of the database before the server starts.
 *
 * Everything the server writes or reads that the entrypoint made is in the
 * state directory (KEYCLOAK_STATE_DIR): keycloak.conf (0600, it holds the
 * database password), the JVM security properties, the cache configuration
 * when one is needed, the realms to import, tmp/ and transaction-logs/. So
 * the distribution may be read-only, and every start writes the files anew
 * from the settings: a restart with other settings gets exactly them.
 */
#include "quarkus.h"

#include "admin_user.h"
#include "fsutil.h"
#include "jgroups_ping.h"
#include "jvm.h"
#include "log.h"
#include "provenance.h"
#include "schema_gate.h"
#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* No file of the distribution's conf/ the entrypoint reads is larger. */
#define DIST_FILE_MAX (1024 * 1024)

static bool quarkus_recognises(const char *home)
{
	char path[PATH_MAX];

	return path_join(path, sizeof(path), home, "lib/quarkus-run.jar") == 0 &&
	       access(path, F_OK) == 0;
}

static bool is_set(const struct provenance *shown, const char *name)
{
	return strcmp(provenance_source(shown, name), "default") != 0;
}

/* The settings of the WildFly generation that Keycloak 26 has no place for. */
static int check_generation(const struct settings *s, const struct provenance *shown)
{
	static const char *const legacy_only[] = { "KEYCLOAK_HTTP_PORT", "KEYCLOAK_HTTPS_PORT",
						   "KEYCLOAK_ALWAYS_HTTPS", NULL };
	const struct cluster_settings *c = &s->cluster;

	for (const char *const *n = legacy_only; *n; n++) {
		if (is_set(shown, *n)) {
			log_error("%s: applies to the WildFly generation's fixed hostname; "
				  "with Keycloak 26 give the scheme and port in "
				  "KEYCLOAK_FRONTEND_URL", *n);
			return EXIT_CONFIG;
		}
	}
	if (c->cache_owners != 2 || c->cache_owners_auth != 2) {
		log_error("%s: Keycloak 26 keeps user sessions in the database and two owners of "
			  "every other cache; it cannot be changed", c->cache_owners != 2
			  ? "CACHE_OWNERS_COUNT" : "CACHE_OWNERS_AUTH_SESSIONS_COUNT");
		return EXIT_CONFIG;
	}
	if (strcmp(c->protocol, "kubernetes.KUBE_PING") == 0) {
		log_error("JGROUPS_DISCOVERY_PROTOCOL: Keycloak 26 has no KUBE_PING; use "
			  "dns.DNS_PING with a headless service, or JDBC_PING");
		return EXIT_CONFIG;
	}
	if (quarkus_uses_jdbc_ping(s) && c->failure_detection_timeout) {
		log_error("JGROUPS_FAILURE_DETECTION_TIMEOUT: Keycloak 26's jdbc-ping stack "
			  "keeps JGroups' own failure detection (40 s) and has no option for "
			  "it; the setting applies to the other discovery protocols");
		return EXIT_CONFIG;
	}
	/* Only the project's stack carries it; a stack or cache file named
	 * in Keycloak's own options would drop it without a word. */
	for (size_t i = 0; c->failure_detection_timeout && i < s->keycloak.n; i++) {
		const char *key = s->keycloak.v[i].key;
		if (strcmp(key, "cache-stack") == 0 || strcmp(key, "cache-config-file") == 0) {
			log_error("JGROUPS_FAILURE_DETECTION_TIMEOUT: applies to the stack the "
				  "entrypoint writes, not to the %s given as a Keycloak option",
				  key);
			return EXIT_CONFIG;
		}
	}
	if (quarkus_uses_jdbc_ping(s) && c->n_properties) {
		log_error("JGROUPS_DISCOVERY_PROPERTIES: Keycloak 26's JDBC_PING takes no "
			  "properties (its table and statements are Keycloak's)");
		return EXIT_CONFIG;
	}
	return 0;
}

/* The option and the setting say the same, or it is an error naming both. */
static int same_or_refuse(const struct keycloak_option *o, const char *setting,
			  const char *value)
{
	char q1[QUOTE_BUF], q2[QUOTE_BUF];

	if (strcmp(o->value, value) == 0)
		return 0;
	log_error("%s=%s conflicts with %s=%s; set only one, or make them equal", o->source,
		  quote_value(o->value, q1, sizeof(q1)), setting,
		  quote_value(value, q2, sizeof(q2)));
	return EXIT_CONFIG;
}

/* A Keycloak option the user set that overlaps a setting of the project:
 * set both and they must say the same; where their values are of different
 * kinds, only one may be set. */
static int check_option(const struct keycloak_option *o, const struct settings *s,
			const struct provenance *shown)
{
	static const struct {
		const char *option, *setting;
	} exclusive[] = {
		{ "proxy-headers", "PROXY_ADDRESS_FORWARDING" },
		{ "log-level", "KEYCLOAK_LOGLEVEL" },
		{ "log-level", "ROOT_LOGLEVEL" },
		{ "cache-stack", "JGROUPS_DISCOVERY_PROTOCOL" },
		{ "cache-config-file", "JGROUPS_DISCOVERY_PROTOCOL" },
	};
	const struct frontend_settings *fe = &s->frontend;

	if (strcmp(o->key, "hostname") == 0 && (fe->url || fe->hostname))
		return same_or_refuse(o, fe->url ? "KEYCLOAK_FRONTEND_URL" : "KEYCLOAK_HOSTNAME",
				      fe->url ? fe->url : fe->hostname);
	if (strcmp(o->key, "cache-embedded-network-bind-address") == 0 && is_set(shown, "BIND"))
		return same_or_refuse(o, "BIND", s->cluster.bind_private);
	for (size_t i = 0; i < sizeof(exclusive) / sizeof(exclusive[0]); i++) {
		if (strcmp(o->key, exclusive[i].option) == 0 &&
		    is_set(shown, exclusive[i].setting)) {
			log_error("%s and %s are both set; set only one", o->source,
				  exclusive[i].setting);
			return EXIT_CONFIG;
		}
	}
	return 0;
}

/* The state directory is the distribution's data/ unless set. */
static int quarkus_complete(struct settings *s, struct provenance *shown)
{
	char dir[PATH_MAX];
	int rc = check_generation(s, shown);

	for (size_t i = 0; rc == 0 && i < s->keycloak.n; i++)
		rc = check_option(&s->keycloak.v[i], s, shown);
	if (rc || s->server.state_dir)
		return rc;
	path_join(dir, sizeof(dir), s->server.home, "data");
	s->server.state_dir = xstrdup(dir);
	provenance_record(shown, "KEYCLOAK_STATE_DIR", dir, "default");
	return 0;
}

static int make_state_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	int e;

	/* The settings bound the state directory to PATH_MAX / 2. */
	if (sub)
		path_join(path, sizeof(path), dir, sub);
	else
		snprintf(path, sizeof(path), "%s", dir);
	if ((e = make_dir(path, 0700))) {
		log_error("KEYCLOAK_STATE_DIR: cannot create %s: %s", path, strerror(e));
		return EXIT_CANTCREAT;
	}
	return 0;
}

static int write_state_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];

	path_join(path, sizeof(path), dir, name);
	int e = write_file_atomic(path, data, len, 0600);
	if (e) {
		log_error("cannot write %s: %s", path, strerror(e));
		return EXIT_CANTCREAT;
	}
	return 0;
}

/* A file of the distribution's conf/; NULL without error when it is
 * missing and optional. */
static int read_dist_file(const struct settings *s, const char *name, bool required,
			  char **text, size_t *len, char *path, size_t path_len)
{
	snprintf(path, path_len, "%s/conf/%s", s->server.home, name);
	*text = NULL;
	int e = read_file(path, DIST_FILE_MAX, text, len);
	if (e == ENOENT && !required)
		return 0;
	if (e) {
		log_error("cannot read %s: %s", path, strerror(e));
		return EXIT_NOINPUT;
	}
	return 0;
}

/* The cache configuration, when the discovery is not jdbc-ping. */
static int write_cache_file(const struct settings *s, const char *dir, char *path, size_t len)
{
	char dist_path[PATH_MAX];
	char *dist, *out;
	size_t dist_len, out_len;
	int rc = read_dist_file(s, QUARKUS_CACHE_FILE, true, &dist, &dist_len, dist_path,
				sizeof(dist_path));

	if (rc)
		return rc;
	rc = quarkus_render_cache(s, dist, dist_len, &out, &out_len);
	free(dist);
	if (rc == 0)
		rc = write_state_file(dir, QUARKUS_CACHE_FILE, out, out_len);
	free(out);
	path_join(path, len, dir, QUARKUS_CACHE_FILE);
	return rc;
}

/* The file name Keycloak 26 imports FILE's realm under: NAME-realm.json. */
static int realm_link_name(const char *file, char *link, size_t len)
{
	char name[NAME_MAX - 10], q[QUOTE_BUF];
	FILE *f = fopen(file, "rb");

	if (!f) {
		log_error("KEYCLOAK_IMPORT: cannot read %s: %s", file, strerror(errno));
		return EXIT_NOINPUT;
	}
	int found = quarkus_realm_name(f, name, sizeof(name));
	fclose(f);
	if (found != 0) {
		log_error("KEYCLOAK_IMPORT: %s holds no realm (a JSON object with a \"realm\" "
			  "name of at most %zu bytes)", file, sizeof(name) - 1);
		return EXIT_CONFIG;
	}
	if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		log_error("KEYCLOAK_IMPORT: %s: the realm name %s cannot name a file, which "
			  "Keycloak 26 imports it from", file, quote_value(name, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	snprintf(link, len, "%s-realm.json", name);
	return 0;
}

/* The realms of KEYCLOAK_IMPORT, linked into DIR/import under the names
 * Keycloak's directory import reads, NAME-realm.json, where NAME must be
 * the realm's name in the file; links of an earlier start are replaced. */
static int link_imports(const struct settings *s, const char *dir)
{
	char import[PATH_MAX], name[NAME_MAX + 1], link[PATH_MAX + NAME_MAX + 2];
	int rc;

	path_join(import, sizeof(import), dir, "import");
	int e = remove_tree(import);
	if (e || (rc = make_state_dir(import, NULL))) {
		if (e)
			log_error("cannot remove %s: %s", import, strerror(e));
		return EXIT_CANTCREAT;
	}
	char *files = xstrdup(s->server.import_files), *save = NULL;
	rc = 0;
	for (char *f = strtok_r(files, ",", &save); f && !rc; f = strtok_r(NULL, ",", &save)) {
		if ((rc = realm_link_name(f, name, sizeof(name))))
			break;
		snprintf(link, sizeof(link), "%s/%s", import, name);
		if (symlink(f, link) != 0) {
			log_error("KEYCLOAK_IMPORT: cannot link %s to %s: %s", link, f,
				  errno == EEXIST ? "another file holds the same realm" :
				  strerror(errno));
			rc = EXIT_CANTCREAT;
		}
	}
	free(files);
	return rc;
}

/* keycloak.conf; admin_exists leaves the bootstrap admin out. */
static int write_conf(const struct settings *s, const char *dir, const char *cache_file,
		      bool admin_exists)
{
	struct quarkus_conf_input in = { .cache_file = cache_file, .admin_exists = admin_exists };
	char dist_path[PATH_MAX];
	char *dist;
	size_t dist_len;
	struct buf out = { 0 };
	int rc = read_dist_file(s, QUARKUS_CONF_FILE, false, &dist, &dist_len, dist_path,
				sizeof(dist_path));

	if (rc)
		return rc;
	in.dist_conf = dist;
	in.dist_conf_path = dist_path;
	rc = quarkus_render_conf(s, &in, &out);
	free(dist);
	if (rc == 0)
		rc = write_state_file(dir, QUARKUS_CONF_FILE, out.data, out.len);
	free_secret(out.data);
	return rc;
}

/* dir: where to write ("render DIR"), else the state directory. */
static int quarkus_configure(const struct settings *s, const char *dir)
{
	const char *state = dir ? dir : s->server.state_dir;
	char cache_path[PATH_MAX];
	int rc;

	if ((rc = make_state_dir(state, NULL)) || (rc = make_state_dir(state, "tmp")) ||
	    (rc = make_state_dir(state, "transaction-logs")) ||
	    (rc = write_state_file(state, QUARKUS_SECURITY_FILE, jvm_security_properties,
				   jvm_security_properties_len)))
		return rc;
	if (!quarkus_uses_jdbc_ping(s) &&
	    (rc = write_cache_file(s, state, cache_path, sizeof(cache_path))))
		return rc;
	if (s->server.import_files && (rc = link_imports(s, state)))
		return rc;
	if ((rc = write_conf(s, state, quarkus_uses_jdbc_ping(s) ? NULL : cache_path, false)))
		return rc;
	log_info("wrote %s/" QUARKUS_CONF_FILE " (database %s@%s:%u, discovery %s)", state,
		 s->db.name, s->db.host, s->db.port, s->cluster.protocol);
	return 0;
}

/*
 * Keycloak 26 creates the bootstrap admin only with a new master realm;
 * when the admin exists already, keycloak.conf is written again without
 * its password. Rows of members that are gone leave the discovery table.
 */
/* The distribution's version, from its version.txt ("Keycloak - Version
 * 26.7.3"); false (logged) when it cannot be read. */
static bool dist_version(const struct settings *s, char *version, size_t len)
{
	char path[PATH_MAX], *text = NULL;
	size_t n = 0;
	static const char mark[] = "Version ";

	path_join(path, sizeof(path), s->server.home, "version.txt");
	int e = read_file(path, 4096, &text, &n);
	const char *v = e ? NULL : strstr(text, mark);
	size_t k = v ? strspn(v += strlen(mark), "0123456789.-abcdefghijklmnopqrstuvwxyz"
					       "ABCDEFGHIJKLMNOPQRSTUVWXYZ") : 0;
	if (k > 0 && k < len)
		snprintf(version, len, "%.*s", (int)k, v);
	else
		log_warn("cannot keep the first boots of Keycloak 26 nodes apart: %s: %s", path,
			 e ? strerror(e) : "no version in it");
	free(text);
	return k > 0 && k < len;
}

static int quarkus_before_exec(const struct settings *s)
{
	char cache_path[PATH_MAX], version[64];

	/* First, so that a node that waits for another's first boot asks the
	 * questions below of the database that boot made. */
	if (dist_version(s, version, sizeof(version)))
		schema_gate_pass(s, version);
	if (quarkus_uses_jdbc_ping(s))
		remove_dead_jgroups_ping_rows(s);
	if (!s->admin.user || admin_user_state(s) != ADMIN_PRESENT)
		return 0;
	log_info("admin user %s exists in the master realm; not bootstrapping it", s->admin.user);
	path_join(cache_path, sizeof(cache_path), s->server.state_dir, QUARKUS_CACHE_FILE);
	return write_conf(s, s->server.state_dir, quarkus_uses_jdbc_ping(s) ? NULL : cache_path,
			  true);
}

const struct backend quarkus_backend = {
	.name = "Keycloak 26",
	.recognises = quarkus_recognises,
	.complete = quarkus_complete,
	.configure = quarkus_configure,
	.server_argv = quarkus_server_argv,
	.before_exec = quarkus_before_exec,
	.readiness = quarkus_readiness,
};
