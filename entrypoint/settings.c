/*
 * Loading the Keycloak role's settings: the layers in order of precedence,
 * then each group of settings with its own checks.
 *
 * The names of one setting are synonyms; when several are set they must
 * agree (settings_lookup.c): a conflict is an error, never a silent choice,
 * because a container that quietly talks to the wrong database is worse
 * than one that does not start. Every value is validated here, before
 * anything is written or started; a bad value ends the program with one line
 * that names the variable and what was expected, and never shows a secret.
 */
#include "settings.h"

#include "check.h"
#include "log.h"
#include "netaddr.h"
#include "provenance.h"
#include "settings_file.h"
#include "settings_keycloak.h"
#include "settings_lookup.h"
#include "settings_names.h"
#include "text.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Only PostgreSQL: another vendor must not fall back to anything. */
static int load_vendor(struct loader *ld)
{
	static const char *const vendors[] = { "postgres", "postgresql", NULL };
	char q[QUOTE_BUF], *vendor;
	int rc = get_text(ld, &sv_db_vendor, "postgres", 64, &vendor);

	if (rc)
		return rc;
	bool pg = false;
	for (const char *const *c = vendors; *c; c++)
		pg |= strcasecmp(vendor, *c) == 0;
	if (!pg)
		log_error("%s: this image supports PostgreSQL only (postgres), got %s",
			  lookup_source(ld, &sv_db_vendor), quote_value(vendor, q, sizeof(q)));
	free(vendor);
	return pg ? 0 : EXIT_CONFIG;
}

/* The first server's host and port, for messages and the wait's log. */
static void set_first_server(struct db_settings *db)
{
	db->host = xstrdup(db->addrs[0].host);
	db->port = db->addrs[0].port;
}

/* KC_DB_URL, Keycloak's own way to name the database; it replaces the
 * settings it is made of, so it may not come with them. */
static int check_url_alone(struct loader *ld)
{
	static const struct setting_vars *const parts[] = { &sv_db_addr, &sv_db_port,
							     &sv_db_database, &sv_jdbc_params };
	const char *source;
	char *value;
	int rc;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if ((rc = lookup(ld, parts[i], &value, &source)))
			return rc;
		free_secret(value);
		if (value) {
			log_error("%s and %s are both set; set only one (KC_DB_URL names the "
				  "servers, the database and the parameters)", source,
				  lookup_source(ld, &sv_db_url));
			return EXIT_CONFIG;
		}
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) with %XX escapes decoded. */
static char *percent_decode(const char *s, size_t n)
{
	char *out = xcalloc(n + 1, 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
		int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
		if (s[i] == '%' && hi >= 0 && lo >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return out;
}

/* jdbc:postgresql://HOST[:PORT][,HOST[:PORT]...]/DATABASE[?PARAMETERS] */
static int parse_db_url(struct loader *ld, const char *url, struct db_settings *db)
{
	static const char scheme[] = "jdbc:postgresql://";
	const char *source = lookup_source(ld, &sv_db_url);
	char q[QUOTE_BUF];
	int rc;

	bool ours = strncmp(url, scheme, strlen(scheme)) == 0;
	const char *hosts = ours ? url + strlen(scheme) : url, *slash = strchr(hosts, '/');
	if (!ours || !slash || slash == hosts || !slash[1] || slash[1] == '?') {
		log_error("%s: expected jdbc:postgresql://HOST[:PORT][,...]/DATABASE[?PARAMETERS], "
			  "got %s", source, quote_value(url, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	char *list = xstrndup(hosts, (size_t)(slash - hosts));
	rc = parse_db_addrs(source, list, &db->addrs, &db->n_addrs);
	if (rc == 0)
		provenance_record(ld->shown, sv_db_addr.names[0], list, source);
	free(list);
	if (rc)
		return rc;
	db->port = 5432;
	for (size_t i = 0; i < db->n_addrs; i++)
		if (!db->addrs[i].port)
			db->addrs[i].port = db->port;
	set_first_server(db);
	size_t name_len = strcspn(slash + 1, "?");
	/* The driver decodes the database name; jdbc_url() encodes it again. */
	db->name = percent_decode(slash + 1, name_len);
	if (!db->name[0] || strlen(db->name) > 63 || has_control_chars(db->name)) {
		log_error("%s: expected a database name of at most 63 bytes after the servers",
			  source);
		return EXIT_CONFIG;
	}
	const char *params = slash[1 + name_len] ? slash + 2 + name_len : NULL;
	if (params && *params && (rc = check_jdbc_params(source, params)))
		return rc;
	db->jdbc_params = params && *params ? xstrdup(params) : NULL;
	provenance_record(ld->shown, sv_db_database.names[0], db->name, source);
	provenance_record(ld->shown, sv_jdbc_params.names[0], db->jdbc_params, source);
	return 0;
}

static int load_db_url(struct loader *ld, struct db_settings *db)
{
	char *url;
	int rc = get_text(ld, &sv_db_url, NULL, 4096, &url);

	if (rc || !url)
		return rc;
	if ((rc = check_url_alone(ld)) == 0 && (rc = parse_db_url(ld, url, db)) == 0)
		ld->db_from_url = true;
	free(url);
	return rc;
}

/* DB_ADDR's servers; those without a port get DB_PORT. */
static int load_db_servers(struct loader *ld, struct db_settings *db)
{
	char *hosts;
	int rc;

	if (ld->db_from_url)
		return 0;
	if ((rc = get_text(ld, &sv_db_addr, "postgres", 4096, &hosts)))
		return rc;
	rc = parse_db_addrs(lookup_source(ld, &sv_db_addr), hosts, &db->addrs, &db->n_addrs);
	free(hosts);
	if (rc || (rc = get_uint(ld, &sv_db_port, 5432, 1, 65535, "a port number", &db->port)))
		return rc;
	for (size_t i = 0; i < db->n_addrs; i++)
		if (!db->addrs[i].port)
			db->addrs[i].port = db->port;
	set_first_server(db);
	return 0;
}

static int load_db_login(struct loader *ld, struct db_settings *db)
{
	char q[QUOTE_BUF];
	int rc;

	if ((!ld->db_from_url &&
	     (rc = get_text(ld, &sv_db_database, "keycloak", 63, &db->name))) ||
	    (rc = get_text(ld, &sv_db_schema, NULL, 63, &db->schema)))
		return rc;
	if (db->schema && !valid_identifier(db->schema)) {
		log_error("%s: expected a schema name (a letter or '_', then letters, digits, "
			  "'_', '$'; at most 63), got %s", lookup_source(ld, &sv_db_schema),
			  quote_value(db->schema, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	/* The user name is not a secret, but it may come from DB_USER_FILE
	 * like the password (the jboss/keycloak image allowed that). */
	if ((rc = get_text(ld, &sv_db_user, "keycloak", 63, &db->user)) ||
	    (rc = get_text(ld, &sv_db_password, NULL, 1024, &db->password)))
		return rc;
	if (!db->password) {
		log_error("DB_PASSWORD: is not set; set DB_PASSWORD, POSTGRES_PASSWORD "
			  "or DB_PASSWORD_FILE to the database user's password");
		return EXIT_CONFIG;
	}
	return 0;
}

static int load_db_connection(struct loader *ld, struct db_settings *db)
{
	static const char *const sslmodes[] = { "disable", "allow", "prefer", "require",
		"verify-ca", "verify-full", NULL };
	int rc;

	if ((rc = get_choice(ld, &sv_db_sslmode, NULL, sslmodes, "one of disable, allow, "
			     "prefer, require, verify-ca, verify-full", &db->sslmode)) ||
	    (rc = get_text(ld, &sv_db_sslrootcert, NULL, PATH_MAX / 2, &db->sslrootcert)))
		return rc;
	if (db->sslrootcert &&
	    (rc = check_readable_file(lookup_source(ld, &sv_db_sslrootcert), db->sslrootcert)))
		return rc;
	if (!ld->db_from_url && (rc = get_text(ld, &sv_jdbc_params, NULL, 1024, &db->jdbc_params)))
		return rc;
	if (db->jdbc_params && db->jdbc_params[0] == '?')
		memmove(db->jdbc_params, db->jdbc_params + 1, strlen(db->jdbc_params));
	if (db->jdbc_params && !*db->jdbc_params) {
		free(db->jdbc_params);
		db->jdbc_params = NULL;
	}
	if (db->jdbc_params &&
	    (rc = check_jdbc_params(lookup_source(ld, &sv_jdbc_params), db->jdbc_params)))
		return rc;
	return get_duration(ld, &sv_db_wait_timeout, 300, 7 * 86400, &db->wait_timeout);
}

static int load_admin(struct loader *ld, struct admin_settings *a)
{
	int rc;

	if ((rc = get_text(ld, &sv_admin_user, NULL, 255, &a->user)) ||
	    (rc = get_text(ld, &sv_admin_password, NULL, 1024, &a->password)))
		return rc;
	if (a->user && !a->password) {
		log_error("KEYCLOAK_PASSWORD: is not set, but KEYCLOAK_USER is; "
			  "set both or neither");
		return EXIT_CONFIG;
	}
	if (!a->user && a->password) {
		log_error("KEYCLOAK_USER: is not set, but KEYCLOAK_PASSWORD is; "
			  "set both or neither");
		return EXIT_CONFIG;
	}
	return 0;
}

/* KEYCLOAK_IMPORT: a comma-separated list of files, each readable. */
static int load_import(struct loader *ld, struct server_settings *srv)
{
	int rc = get_text(ld, &sv_import, NULL, 4096, &srv->import_files);

	if (rc || !srv->import_files)
		return rc;
	const char *source = lookup_source(ld, &sv_import);
	char *copy = xstrdup(srv->import_files), *save = NULL;
	for (char *f = strtok_r(copy, ",", &save); f && !rc; f = strtok_r(NULL, ",", &save))
		rc = check_readable_file(source, f);
	free(copy);
	return rc;
}

static int load_frontend(struct loader *ld, struct frontend_settings *fe)
{
	char q[QUOTE_BUF];
	int rc;

	if ((rc = get_text(ld, &sv_frontend_url, NULL, 2048, &fe->url)))
		return rc;
	if (fe->url && !valid_url(fe->url)) {
		log_error("%s: expected a URL http(s)://host[:port][/path], got %s",
			  lookup_source(ld, &sv_frontend_url), quote_value(fe->url, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	if ((rc = get_text(ld, &sv_hostname, NULL, 253, &fe->hostname)))
		return rc;
	if (fe->hostname && !valid_host(fe->hostname)) {
		log_error("%s: expected a host name, got %s", lookup_source(ld, &sv_hostname),
			  quote_value(fe->hostname, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	if (fe->hostname && fe->url) {
		log_error("KEYCLOAK_HOSTNAME and KEYCLOAK_FRONTEND_URL are both set; set only one "
			  "(KEYCLOAK_FRONTEND_URL also carries the scheme, port and path)");
		return EXIT_CONFIG;
	}
	if ((rc = get_uint(ld, &sv_http_port, 0, 1, 65535, "a port number", &fe->http_port)) ||
	    (rc = get_uint(ld, &sv_https_port, 0, 1, 65535, "a port number", &fe->https_port)) ||
	    (rc = get_bool(ld, &sv_always_https, &fe->always_https)))
		return rc;
	if (!fe->hostname && (fe->http_port || fe->https_port || fe->always_https != TRI_UNSET)) {
		log_error("KEYCLOAK_HOSTNAME: is not set, but KEYCLOAK_HTTP_PORT, "
			  "KEYCLOAK_HTTPS_PORT or KEYCLOAK_ALWAYS_HTTPS is; they apply to it");
		return EXIT_CONFIG;
	}
	return get_bool(ld, &sv_proxy_forwarding, &fe->proxy_address_forwarding);
}

static int load_server_log_levels(struct loader *ld, struct server_settings *srv)
{
	static const char *const levels[] = { "ALL", "TRACE", "DEBUG", "INFO", "WARN",
		"ERROR", "FATAL", "OFF", NULL };
	static const char level_list[] = "one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, "
		"FATAL, OFF";
	int rc = get_choice(ld, &sv_keycloak_log_level, NULL, levels, level_list,
			    &srv->log_level);

	return rc ? rc : get_choice(ld, &sv_root_log_level, NULL, levels, level_list,
				    &srv->root_log_level);
}

/* KEYCLOAK_NODE_NAME, by default the host name (the container's name). */
static int load_node_name(struct loader *ld, struct cluster_settings *c)
{
	char q[QUOTE_BUF], host[256];
	int rc = get_text(ld, &sv_node_name, NULL, 64, &c->node_name);

	if (rc)
		return rc;
	if (!c->node_name) {
		if (gethostname(host, sizeof(host)) != 0 || !host[0]) {
			log_error("KEYCLOAK_NODE_NAME: is not set and the host name is unknown");
			return EXIT_CONFIG;
		}
		host[sizeof(host) - 1] = '\0';
		c->node_name = xstrdup(host);
		provenance_record(ld->shown, sv_node_name.names[0], host, "host name");
	}
	if (!valid_host(c->node_name) || strchr(c->node_name, ':')) {
		log_error("KEYCLOAK_NODE_NAME: expected letters, digits, '-', '_' and '.', got %s",
			  quote_value(c->node_name, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	return 0;
}

/*
 * BIND, the public interface, and the private one that carries cluster
 * traffic: peers connect to the address it advertises, so it must be a real
 * address of this container, never the wildcard nor loopback.
 */
static int load_bind(struct loader *ld, struct cluster_settings *c)
{
	char q[QUOTE_BUF], detected[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	int rc = get_text(ld, &sv_bind, NULL, 64, &c->bind_address);

	if (rc)
		return rc;
	const char *source = lookup_source(ld, &sv_bind);
	if (c->bind_address && inet_pton(AF_INET, c->bind_address, &a4) != 1 &&
	    inet_pton(AF_INET6, c->bind_address, &a6) != 1) {
		log_error("%s: expected an IPv4 or IPv6 address, got %s", source,
			  quote_value(c->bind_address, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	if (c->bind_address && address_is_loopback(c->bind_address)) {
		log_error("%s: %s is a loopback address; cluster peers cannot reach it", source,
			  c->bind_address);
		return EXIT_CONFIG;
	}
	if (c->bind_address && !address_is_any(c->bind_address)) {
		c->bind_private = xstrdup(c->bind_address);
	} else {
		if (!own_address(detected, sizeof(detected))) {
			log_error("BIND: is not set and this container has no non-loopback "
				  "IPv4 address; set BIND to the address peers can reach");
			return EXIT_CONFIG;
		}
		c->bind_private = xstrdup(detected);
		if (!c->bind_address) {
			c->bind_address = xstrdup(detected);
			provenance_record(ld->shown, sv_bind.names[0], detected, "own address");
		}
	}
	provenance_record(ld->shown, "BIND (private)", c->bind_private,
			  strcmp(c->bind_private, c->bind_address) ? "own address" : "BIND");
	return 0;
}

/* The protocols that cannot discover anything without a property. */
static int check_required_property(const struct cluster_settings *c)
{
	static const struct { const char *protocol, *property; } required[] = {
		{ "TCPPING", "initial_hosts" },
		{ "dns.DNS_PING", "dns_query" },
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (strcmp(c->protocol, required[i].protocol) != 0)
			continue;
		bool found = false;
		for (size_t j = 0; j < c->n_properties; j++)
			found |= strcmp(c->properties[j].name, required[i].property) == 0;
		if (!found) {
			log_error("JGROUPS_DISCOVERY_PROPERTIES: %s needs %s=...",
				  required[i].protocol, required[i].property);
			return EXIT_CONFIG;
		}
	}
	return 0;
}

static int load_discovery(struct loader *ld, struct cluster_settings *c)
{
	char q[QUOTE_BUF], *props;
	int rc = get_text(ld, &sv_discovery_protocol, "JDBC_PING", 128, &c->protocol);

	if (rc)
		return rc;
	if (!valid_protocol(c->protocol)) {
		log_error("%s: expected a JGroups protocol name (letters, digits, '_', '.'), "
			  "got %s", lookup_source(ld, &sv_discovery_protocol),
			  quote_value(c->protocol, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	if ((rc = get_text(ld, &sv_discovery_properties, NULL, 1 << 20, &props)))
		return rc;
	if (props) {
		rc = parse_properties(lookup_source(ld, &sv_discovery_properties), props,
				      &c->properties, &c->n_properties);
		free(props);
		if (rc)
			return rc;
	}
	return check_required_property(c);
}

/* PING discovers through the UDP transport's multicast; every other
 * protocol runs on TCP, which works on any network. */
static int load_transport(struct loader *ld, struct cluster_settings *c)
{
	static const char *const stacks[] = { "tcp", "udp", NULL };
	char q[QUOTE_BUF];
	const char *default_stack = strcmp(c->protocol, "PING") ? "tcp" : "udp";
	int rc = get_text(ld, &sv_transport_stack, default_stack, 8, &c->stack);

	if (rc)
		return rc;
	if (!is_one_of(c->stack, stacks)) {
		log_error("%s: expected tcp or udp, got %s", lookup_source(ld, &sv_transport_stack),
			  quote_value(c->stack, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	if (strcmp(c->protocol, "PING") == 0 && strcmp(c->stack, "udp") != 0) {
		log_error("JGROUPS_DISCOVERY_PROTOCOL: PING needs JGROUPS_TRANSPORT_STACK=udp "
			  "(use MPING for multicast discovery on tcp)");
		return EXIT_CONFIG;
	}
	if ((rc = get_text(ld, &sv_multicast_address, NULL, 64, &c->multicast_address)))
		return rc;
	if (c->multicast_address && !address_is_multicast(c->multicast_address)) {
		log_error("%s: expected a multicast address (224.0.0.0/4 or ff00::/8), got %s",
			  lookup_source(ld, &sv_multicast_address),
			  quote_value(c->multicast_address, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	return 0;
}

/* Below 2 s a member that pauses for a garbage collection or a busy
 * machine is suspected although it is alive. */
static int load_failure_detection(struct loader *ld, struct cluster_settings *c)
{
	int rc = get_duration(ld, &sv_failure_detection_timeout, 0, 3600,
			      &c->failure_detection_timeout);

	if (rc == 0 && c->failure_detection_timeout == 1) {
		log_error("%s: expected at least 2 s, got 1 s",
			  lookup_source(ld, &sv_failure_detection_timeout));
		return EXIT_CONFIG;
	}
	return rc;
}

static int load_cluster(struct loader *ld, struct cluster_settings *c)
{
	int rc;

	if ((rc = load_node_name(ld, c)) || (rc = load_bind(ld, c)) ||
	    (rc = load_discovery(ld, c)) || (rc = load_transport(ld, c)) ||
	    (rc = load_failure_detection(ld, c)) ||
	    (rc = get_uint(ld, &sv_cache_owners, 2, 1, 1000, "a number of owners",
			   &c->cache_owners)))
		return rc;
	return get_uint(ld, &sv_cache_owners_auth, 2, 1, 1000, "a number of owners",
			&c->cache_owners_auth);
}

static int load_server(struct loader *ld, struct server_settings *srv)
{
	int rc;

	if ((rc = get_path(ld, &sv_home, "/opt/keycloak", &srv->home)) ||
	    (rc = get_path(ld, &sv_state_dir, NULL, &srv->state_dir)) ||
	    (rc = get_path(ld, &sv_java_home, NULL, &srv->java_home)) ||
	    (rc = get_text(ld, &sv_java_opts, NULL, 8192, &srv->java_opts)))
		return rc;
	return get_text(ld, &sv_java_opts_append, NULL, 8192, &srv->java_opts_append);
}

/* KEYCLOAK_HA_LOG_LEVEL: the entrypoint's own messages. */
static int load_log_level(struct loader *ld, enum log_level *level)
{
	static const char *const levels[] = { "error", "warn", "info", "debug", NULL };
	char *name;
	int rc = get_choice(ld, &sv_log_level, "info", levels, "one of error, warn, info, debug",
			    &name);

	if (rc == 0)
		log_level_parse(name, level);
	free(name);
	return rc;
}

/*
 * The configuration file's layer. Its path comes from the command line or
 * the environment, never from the file itself.
 */
static int add_file_layer(struct loader *ld, const struct settings_input *in,
			  struct config_entries *file)
{
	const char *config = in->config_file, *config_source = "--config";
	int rc;

	if (!config) {
		char *from_env = NULL;
		const char *src;
		if ((rc = lookup(ld, &sv_config_file, &from_env, &src)))
			return rc;
		config_source = "default";
		if (from_env) {
			config = provenance_keep(ld->shown, from_env);
			config_source = src;
		}
	}
	bool required = config != NULL;
	if (!config)
		config = SETTINGS_DEFAULT_CONFIG;
	if (required && config[0] != '/' && !in->config_file) {
		log_error("%s: expected an absolute path", config_source);
		return EXIT_CONFIG;
	}
	if (!*config) {
		log_error("%s: is empty; expected the path of a file", config_source);
		return EXIT_CONFIG;
	}
	if ((rc = settings_read_config(config, required, file)))
		return rc;
	if (file->n || required) {
		loader_add_layer(ld, (struct layer){ .vars = file->vars, .lines = file->lines,
						     .where = config });
		provenance_record(ld->shown, sv_config_file.names[0], config, config_source);
	}
	return 0;
}

/* Names on the command line are typed on purpose: an unknown one is an
 * error, not a warning. */
static int check_overrides(char *const *overrides)
{
	for (char *const *o = overrides; o && *o; o++) {
		char name[128];
		size_t n = strcspn(*o, "=");
		snprintf(name, sizeof(name), "%.*s", (int)(n < 127 ? n : 127), *o);
		if (!(*o)[n] || n == 0) {
			log_error("--set %s: expected NAME=VALUE", name);
			return EXIT_USAGE;
		}
		if (!settings_is_known(name)) {
			const char *near = settings_closest(name);
			log_error("--set %s: not a setting%s%s%s", name,
				  near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
			return EXIT_USAGE;
		}
	}
	return 0;
}

int settings_load(struct settings *s, struct provenance *shown, const struct settings_input *in)
{
	struct loader ld = { .shown = shown };
	struct config_entries file = { 0 };
	char **arguments;
	int rc;

	memset(s, 0, sizeof(*s));
	s->log_level = LOG_INFO;
	argument_layer(in, &arguments);
	if (arguments[0])
		loader_add_layer(&ld, (struct layer){ .vars = arguments, .where = "run argument",
						      .cmdline = true });
	if (in->overrides)
		loader_add_layer(&ld, (struct layer){ .vars = in->overrides, .where = "--set",
						      .cmdline = true });
	loader_add_layer(&ld, (struct layer){ .vars = in->envp });
	if ((rc = add_file_layer(&ld, in, &file)) || (rc = load_vendor(&ld)) ||
	    (rc = load_db_url(&ld, &s->db)) || (rc = load_db_servers(&ld, &s->db)) ||
	    (rc = load_db_login(&ld, &s->db)) ||
	    (rc = load_db_connection(&ld, &s->db)) || (rc = load_admin(&ld, &s->admin)) ||
	    (rc = load_import(&ld, &s->server)) || (rc = load_frontend(&ld, &s->frontend)) ||
	    (rc = load_server_log_levels(&ld, &s->server)) ||
	    (rc = load_cluster(&ld, &s->cluster)) || (rc = load_server(&ld, &s->server)) ||
	    (rc = load_log_level(&ld, &s->log_level)) ||
	    (rc = load_keycloak_options(in, &s->keycloak)))
		goto out;
	rc = check_overrides(in->overrides);
out:
	settings_config_free(&file);
	free_argument_layer(arguments);
	return rc;
}

static void free_db(struct db_settings *db)
{
	free(db->host);
	for (size_t i = 0; i < db->n_addrs; i++)
		free(db->addrs[i].host);
	free(db->addrs);
	free(db->name);
	free(db->schema);
	free(db->user);
	free_secret(db->password);
	free(db->sslmode);
	free(db->sslrootcert);
	free(db->jdbc_params);
}

static void free_cluster(struct cluster_settings *c)
{
	free(c->node_name);
	free(c->bind_address);
	free(c->bind_private);
	free(c->protocol);
	free(c->stack);
	for (size_t i = 0; i < c->n_properties; i++) {
		free(c->properties[i].name);
		free(c->properties[i].value);
	}
	free(c->properties);
	free(c->multicast_address);
}

static void free_server(struct server_settings *srv)
{
	char *const strings[] = { srv->home, srv->state_dir, srv->java_home, srv->java_opts,
				  srv->java_opts_append, srv->import_files, srv->log_level,
				  srv->root_log_level };

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(strings[i]);
}

void settings_free(struct settings *s)
{
	free_db(&s->db);
	free(s->admin.user);
	free_secret(s->admin.password);
	free(s->frontend.url);
	free(s->frontend.hostname);
	free_cluster(&s->cluster);
	free_server(&s->server);
	free_keycloak_options(&s->keycloak);
	memset(s, 0, sizeof(*s));
}
