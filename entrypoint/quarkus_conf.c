/*
 * keycloak.conf for Keycloak 26 (quarkus.h).
 *
 * Keycloak reads the file with java.util.Properties, then resolves
 * expressions in the values: "${name}" is replaced, and "\$" and "$$" stand
 * for "$". So a value is written with every "$" as "\$" (which no parser
 * reads as an expression) and then every backslash doubled for the
 * properties format; a leading blank is escaped, since properties drop it.
 * tests/unit/meaning_conf.sh reads files written this way with the
 * distribution's own configuration library.
 */
#include "quarkus.h"

#include "jdbc_url.h"
#include "log.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* The options the entrypoint writes from its settings; they may not come
 * from the distribution's keycloak.conf too, where they would silently
 * lose. The KC_ synonyms of settings (settings_names.c) are among them. */
static const char *const owned_options[] = {
	"db", "db-url", "db-url-host", "db-url-port", "db-url-database", "db-url-properties",
	"db-username", "db-password", "db-schema", "http-enabled", "hostname", "hostname-strict",
	"proxy-headers", "cache-stack", "cache-config-file",
	"cache-embedded-network-bind-address", "spi-cache-embedded-default-node-name",
	"log-level", "bootstrap-admin-username",
	"bootstrap-admin-password", NULL,
};

static bool is_owned(const char *key, size_t n)
{
	for (const char *const *o = owned_options; *o; o++)
		if (strlen(*o) == n && strncmp(*o, key, n) == 0)
			return true;
	return false;
}

/* key=value, the value escaped (see above); false for a value that cannot
 * be written (a control character). */
static bool add_option(struct buf *out, const char *key, const char *value)
{
	if (has_control_chars(value))
		return false;
	buf_addf(out, "%s=", key);
	if (value[0] == ' ')
		buf_adds(out, "\\");
	for (const char *c = value; *c; c++) {
		if (*c == '$')
			buf_adds(out, "\\\\$");
		else if (*c == '\\')
			buf_adds(out, "\\\\");
		else
			buf_add(out, c, 1);
	}
	buf_adds(out, "\n");
	return true;
}

/* The distribution's own options, each line as it is, but for the options
 * the entrypoint writes. */
static int add_distribution_conf(struct buf *out, const char *text, const char *path)
{
	int line_no = 0;
	bool continued = false;

	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *key = line + strspn(line, " \t\f");
		size_t key_len = strcspn(key, "=: \t\f\n");
		bool blank = key >= line + len || *key == '#' || *key == '!';
		line_no++;
		if (!continued && !blank && is_owned(key, key_len)) {
			log_error("%s:%d: %.*s is written by the entrypoint from its settings; "
				  "set it there (docs/settings.md)", path, line_no, (int)key_len,
				  key);
			return EXIT_CONFIG;
		}
		if (continued || !blank) {
			buf_add(out, line, len);
			buf_adds(out, "\n");
		}
		/* A line ending in an odd number of backslashes goes on. */
		size_t slashes = 0;
		while (slashes < len && line[len - 1 - slashes] == '\\')
			slashes++;
		continued = !blank && slashes % 2 == 1;
		line += len + (line[len] == '\n');
	}
	return 0;
}

static void add_log_level(struct buf *out, const struct server_settings *srv)
{
	char level[96];

	if (!srv->log_level && !srv->root_log_level)
		return;
	snprintf(level, sizeof(level), "%s%s%s%s", srv->root_log_level ? srv->root_log_level : "",
		 srv->root_log_level && srv->log_level ? "," : "",
		 srv->log_level ? "org.keycloak:" : "", srv->log_level ? srv->log_level : "");
	add_option(out, "log-level", level);
}

/* The database, the HTTP listener, the hostname and the proxy headers. */
static void add_server_options(struct buf *out, const struct settings *s)
{
	struct buf url = { 0 };

	jdbc_url(&s->db, &url);
	add_option(out, "db-url", url.failed ? "" : url.data);
	buf_free(&url);
	add_option(out, "db-username", s->db.user);
	add_option(out, "db-password", s->db.password);
	if (s->db.schema)
		add_option(out, "db-schema", s->db.schema);
	/* Plain HTTP behind the load balancer that terminates TLS. */
	add_option(out, "http-enabled", "true");
	const char *hostname = s->frontend.url ? s->frontend.url : s->frontend.hostname;
	if (hostname)
		add_option(out, "hostname", hostname);
	else
		add_option(out, "hostname-strict", "false");
	if (s->frontend.proxy_address_forwarding == TRI_TRUE)
		add_option(out, "proxy-headers", "xforwarded");
	add_log_level(out, &s->server);
}

/* The Keycloak options that Keycloak would not get otherwise: secrets,
 * which leave the server's environment, and KC_NAME_FILE's values. Those
 * given as arguments reach it as arguments. */
static int add_keycloak_options(struct buf *out, const struct settings *s)
{
	for (size_t i = 0; i < s->keycloak.n; i++) {
		const struct keycloak_option *o = &s->keycloak.v[i];
		if (o->from_cmdline || !(o->secret || o->from_file))
			continue;
		if (!add_option(out, o->key, o->value)) {
			log_error("%s: contains a control character", o->source);
			return EXIT_CONFIG;
		}
	}
	return 0;
}

int quarkus_render_conf(const struct settings *s, const struct quarkus_conf_input *in,
			struct buf *out)
{
	int rc;

	buf_adds(out, "# Written by keycloak-ha-postgres at every start, from its settings;\n"
		      "# Keycloak reads it through --config-file. Changes here are lost.\n");
	if (in->dist_conf) {
		buf_addf(out, "\n# From %s:\n", in->dist_conf_path);
		if ((rc = add_distribution_conf(out, in->dist_conf, in->dist_conf_path)))
			return rc;
	}
	buf_adds(out, "\n# From the settings:\n");
	add_server_options(out, s);
	if (in->cache_file)
		add_option(out, "cache-config-file", in->cache_file);
	else
		add_option(out, "cache-stack", "jdbc-ping");
	/* Keycloak refuses to start with its cluster TLS on UDP ("Cache TLS
	 * is not available with protocol UDP"); multicast worked without it
	 * on the legacy generation, and KC_CACHE_EMBEDDED_MTLS_ENABLED (the
	 * environment wins over this file) still decides. */
	if (in->cache_file && s->cluster.stack && strcmp(s->cluster.stack, "udp") == 0)
		add_option(out, "cache-embedded-mtls-enabled", "false");
	/* Peers connect to the address this node advertises. The node's name
	 * is its name in the cluster views and in the route of the
	 * AUTH_SESSION_ID cookie. */
	add_option(out, "cache-embedded-network-bind-address", s->cluster.bind_private);
	add_option(out, "spi-cache-embedded-default-node-name", s->cluster.node_name);
	if (s->admin.user && !in->admin_exists) {
		add_option(out, "bootstrap-admin-username", s->admin.user);
		add_option(out, "bootstrap-admin-password", s->admin.password);
	}
	if ((rc = add_keycloak_options(out, s)))
		return rc;
	if (out->failed) {
		log_error("out of memory writing keycloak.conf");
		return EXIT_OSERR;
	}
	return 0;
}
