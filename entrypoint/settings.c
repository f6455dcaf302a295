/*
 * Settings of the Keycloak role, from the environment.
 *
 * Each setting has one or more variable names: the project's own (DB_ADDR),
 * the 2015 guide's (POSTGRES_USER, POSTGRES_USERNAME), and the ones a
 * container engine injects (Docker link and Kubernetes service variables).
 * The names of one setting are synonyms, listed in order of precedence. When
 * several are set they must agree: a conflict is an error, never a silent
 * choice, because a container that quietly talks to the wrong database is
 * worse than one that does not start. Secrets may also come from NAME_FILE.
 *
 * Every value is validated before anything is written or started; a bad
 * value ends the program with one line that names the variable and what was
 * expected, and never shows a secret.
 */
#include "settings.h"

#include "log.h"
#include "fsutil.h"
#include "netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A secret file larger than this is certainly not a password. */
#define SECRET_FILE_MAX 65536
/* Values are echoed in messages at most this long. */
#define ECHO_MAX 64
/* An initial_hosts list of a few thousand peers ("10.1.2.3[7600]," is 16
 * bytes a peer); the kernel caps one environment string at 128 KiB anyway. */
#define DISCOVERY_PROPERTIES_MAX 65536

enum {
	V_FILE = 1 << 0,	/* may come from NAME_FILE (Docker, Kubernetes secrets) */
	V_SECRET = 1 << 1,	/* never shown nor echoed in a message */
	V_EMPTY_OK = 1 << 2,	/* an empty value is a legitimate value */
};

/* The variables of one setting, highest precedence first. */
struct var_names {
	const char *names[4];
	unsigned flags;
};

const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/*
 * Render a value for a message: quoted, control characters escaped, cut at
 * ECHO_MAX bytes, so that a value with a newline cannot forge a log line.
 */
static const char *echo(const char *v, char *buf, size_t len)
{
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; v[i] && o + 6 < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (i >= ECHO_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		} else if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		die(EXIT_OSERR, "out of memory");
	return d;
}

/*
 * Read NAME_FILE: the whole file, one trailing newline (LF or CRLF) removed,
 * as Docker and Kubernetes secrets are usually written with one.
 */
int read_secret_file(const char *var, const char *path, char **value)
{
	char *data;
	size_t len;
	int e = read_file(path, SECRET_FILE_MAX, &data, &len);

	if (e == EFBIG) {
		log_error("%s: %s is larger than %d bytes", var, path, SECRET_FILE_MAX);
		return EXIT_CONFIG;
	}
	if (e) {
		log_error("%s: cannot read %s: %s", var, path, strerror(e));
		return EXIT_NOINPUT;
	}
	if (memchr(data, '\0', len)) {
		free(data);
		log_error("%s: %s contains a NUL byte", var, path);
		return EXIT_CONFIG;
	}
	if (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	if (len > 0 && data[len - 1] == '\r')
		data[--len] = '\0';
	*value = data;
	return 0;
}

/*
 * Find the value of one setting among its synonyms. On success *value is a
 * malloc'd copy (NULL when no variable is set) and *source the variable it
 * came from. Conflicting synonyms and NAME with NAME_FILE are errors.
 */
static int lookup(char *const *envp, const struct var_names *v, char **value,
		  const char **source)
{
	const char *found = NULL, *found_name = NULL;
	char *owned = NULL;
	char ebuf1[ECHO_MAX * 4 + 16], ebuf2[ECHO_MAX * 4 + 16];

	*value = NULL;
	*source = NULL;
	for (size_t i = 0; i < 4 && v->names[i]; i++) {
		const char *name = v->names[i];
		const char *val = env_get(envp, name);
		char *file_val = NULL;

		if (v->flags & V_FILE) {
			char file_name[128];
			snprintf(file_name, sizeof(file_name), "%s_FILE", name);
			const char *path = env_get(envp, file_name);
			if (path && val) {
				free(owned);
				log_error("%s and %s are both set; set only one", name, file_name);
				return EXIT_CONFIG;
			}
			if (path) {
				if (!*path) {
					free(owned);
					log_error("%s: is empty; expected the path of a file", file_name);
					return EXIT_CONFIG;
				}
				int rc = read_secret_file(file_name, path, &file_val);
				if (rc) {
					free(owned);
					return rc;
				}
				val = file_val;
			}
		}
		if (!val)
			continue;
		if (!found) {
			found = val;
			found_name = name;
			if (file_val)
				owned = file_val;
			continue;
		}
		if (strcmp(found, val) != 0) {
			if (v->flags & V_SECRET)
				log_error("%s conflicts with %s: both are set and differ; "
					  "set only one", found_name, name);
			else
				log_error("%s=%s conflicts with %s=%s; set only one, or make them equal",
					  found_name, echo(found, ebuf1, sizeof(ebuf1)), name,
					  echo(val, ebuf2, sizeof(ebuf2)));
			free(file_val);
			free(owned);
			return EXIT_CONFIG;
		}
		free(file_val);
	}
	if (!found)
		return 0;
	if (!*found && !(v->flags & V_EMPTY_OK)) {
		free(owned);
		log_error("%s: is empty", found_name);
		return EXIT_CONFIG;
	}
	*value = owned ? owned : xstrdup(found);
	*source = found_name;
	return 0;
}

static void show(struct settings *s, const char *name, const char *value,
		 const char *source, bool secret)
{
	if (s->n_shown >= sizeof(s->shown) / sizeof(s->shown[0]))
		die(EXIT_SOFTWARE, "too many settings to show");
	struct shown_setting *sh = &s->shown[s->n_shown++];
	sh->name = name;
	sh->value = (secret || !value) ? NULL : xstrdup(value);
	sh->source = source;
}

static bool has_control_chars(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v == 0x7f)
			return true;
	return false;
}

/* Generic text setting: no control characters, bounded length. */
static int get_text(struct settings *s, char *const *envp, const struct var_names *v,
		    const char *def, size_t max, char **out)
{
	const char *source;
	char ebuf[ECHO_MAX * 4 + 16];
	int rc = lookup(envp, v, out, &source);

	if (rc)
		return rc;
	if (!*out) {
		*out = def ? xstrdup(def) : NULL;
		source = "default";
	} else if (has_control_chars(*out)) {
		if (v->flags & V_SECRET)
			log_error("%s: contains a control character", source);
		else
			log_error("%s: contains a control character: %s", source,
				  echo(*out, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	} else if (strlen(*out) > max) {
		log_error("%s: is longer than %zu bytes", source, max);
		return EXIT_CONFIG;
	}
	show(s, v->names[0], *out, source, v->flags & V_SECRET);
	return 0;
}

static int parse_uint(const char *v, unsigned long min, unsigned long max, unsigned *out)
{
	if (!*v || strlen(v) > 10)
		return -1;
	for (const char *p = v; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	unsigned long n = strtoul(v, NULL, 10);
	if (n < min || n > max)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int get_uint(struct settings *s, char *const *envp, const struct var_names *v,
		    unsigned def, unsigned long min, unsigned long max, const char *what,
		    unsigned *out)
{
	char *val;
	const char *source;
	char ebuf[ECHO_MAX * 4 + 16];
	int rc = lookup(envp, v, &val, &source);

	if (rc)
		return rc;
	if (!val) {
		*out = def;
		char num[16];
		snprintf(num, sizeof(num), "%u", def);
		show(s, v->names[0], num, "default", false);
		return 0;
	}
	if (parse_uint(val, min, max, out) != 0) {
		log_error("%s: expected %s (%lu-%lu), got %s", source, what, min, max,
			  echo(val, ebuf, sizeof(ebuf)));
		free(val);
		return EXIT_CONFIG;
	}
	show(s, v->names[0], val, source, false);
	free(val);
	return 0;
}

/*
 * A host name (RFC 1123 labels, which also covers container and Kubernetes
 * service names) or an IPv4 or IPv6 literal.
 */
static bool valid_host(const char *h)
{
	struct in6_addr a6;
	size_t len = strlen(h), label = 0;

	if (inet_pton(AF_INET6, h, &a6) == 1)
		return true;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
		} else if (isalnum((unsigned char)c) || c == '-' || c == '_') {
			if (label == 0 && c == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 || h[len - 1] == '.';
}

/* A JGroups protocol name: letters, digits, '_' and '.'. */
static bool valid_protocol(const char *p)
{
	if (!*p || strlen(p) > 128)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			return false;
	return true;
}

static bool valid_property_name(const char *p, size_t n)
{
	if (n == 0 || n > 128 || !(isalpha((unsigned char)p[0]) || p[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '.')
			return false;
	return true;
}

/* Does a property "name=" start at p? */
static bool property_starts(const char *p)
{
	size_t n = 0;

	while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.'))
		n++;
	return n > 0 && p[n] == '=' && valid_property_name(p, n);
}

/*
 * JGROUPS_DISCOVERY_PROPERTIES: "name=value,name=value", as the jboss/keycloak
 * image took it. A comma separates properties only when the next property's
 * "name=" follows it, so a value may hold commas (initial_hosts=a[7600],b[7600]).
 * A value may also be in double quotes.
 */
static int parse_properties(const char *var, const char *text, struct settings *s)
{
	const char *p = text;
	char ebuf[ECHO_MAX * 4 + 16];

	while (*p) {
		const char *eq = strchr(p, '=');
		if (!eq || !valid_property_name(p, (size_t)(eq - p))) {
			log_error("%s: expected name=value[,name=value...], got %s", var,
				  echo(p, ebuf, sizeof(ebuf)));
			return EXIT_CONFIG;
		}
		const char *v = eq + 1, *end;
		size_t vlen;
		bool quoted = *v == '"';
		if (quoted) {
			const char *close = strchr(v + 1, '"');
			if (!close || (close[1] && close[1] != ',')) {
				log_error("%s: unterminated quote in %s", var,
					  echo(p, ebuf, sizeof(ebuf)));
				return EXIT_CONFIG;
			}
			v++;
			vlen = (size_t)(close - v);
			end = close + 1;
		} else {
			end = v;
			while (*end && !(*end == ',' && property_starts(end + 1)))
				end++;
			vlen = (size_t)(end - v);
		}
		struct property *grown = realloc(s->jgroups_properties,
			(s->n_jgroups_properties + 1) * sizeof(*grown));
		if (!grown)
			die(EXIT_OSERR, "out of memory");
		s->jgroups_properties = grown;
		struct property *pr = &grown[s->n_jgroups_properties++];
		pr->name = strndup(p, (size_t)(eq - p));
		pr->value = strndup(v, vlen);
		if (!pr->name || !pr->value)
			die(EXIT_OSERR, "out of memory");
		for (size_t i = 0; i + 1 < s->n_jgroups_properties; i++)
			if (strcmp(grown[i].name, pr->name) == 0) {
				log_error("%s: property %s is given twice", var, pr->name);
				return EXIT_CONFIG;
			}
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p) {
			log_error("%s: ends with a comma", var);
			return EXIT_CONFIG;
		}
	}
	return 0;
}

static bool is_one_of(const char *v, const char *const *choices)
{
	for (; *choices; choices++)
		if (strcmp(v, *choices) == 0)
			return true;
	return false;
}

static int load_database(struct settings *s, char *const *envp)
{
	static const struct var_names host = { { "DB_ADDR", "POSTGRES_PORT_5432_TCP_ADDR",
		"POSTGRES_SERVICE_SERVICE_HOST" }, 0 };
	static const struct var_names port = { { "DB_PORT", "POSTGRES_PORT_5432_TCP_PORT",
		"POSTGRES_SERVICE_SERVICE_PORT" }, 0 };
	static const struct var_names database = { { "DB_DATABASE", "POSTGRES_DATABASE" }, 0 };
	static const struct var_names user = { { "DB_USER", "POSTGRES_USER",
		"POSTGRES_USERNAME" }, V_FILE };
	static const struct var_names password = { { "DB_PASSWORD", "POSTGRES_PASSWORD" },
		V_SECRET | V_FILE };
	static const struct var_names sslmode = { { "DB_SSLMODE" }, 0 };
	static const struct var_names params = { { "JDBC_PARAMS" }, V_EMPTY_OK };
	static const struct var_names timeout = { { "DB_WAIT_TIMEOUT" }, 0 };
	static const char *const sslmodes[] = { "disable", "allow", "prefer", "require",
		"verify-ca", "verify-full", NULL };
	char ebuf[ECHO_MAX * 4 + 16];
	int rc;

	if ((rc = get_text(s, envp, &host, "postgres", 253, &s->db_host)))
		return rc;
	if (!valid_host(s->db_host)) {
		log_error("%s: expected a host name or an IP address, got %s",
			  s->shown[s->n_shown - 1].source, echo(s->db_host, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if ((rc = get_uint(s, envp, &port, 5432, 1, 65535, "a port number", &s->db_port)))
		return rc;
	if ((rc = get_text(s, envp, &database, "keycloak", 63, &s->db_name)))
		return rc;
	/* The user name is not a secret, but it may come from DB_USER_FILE
	 * like the password (the jboss/keycloak image allowed that). */
	if ((rc = get_text(s, envp, &user, "keycloak", 63, &s->db_user)))
		return rc;
	if ((rc = get_text(s, envp, &password, NULL, 1024, &s->db_password)))
		return rc;
	if (!s->db_password) {
		log_error("DB_PASSWORD: is not set; set DB_PASSWORD, POSTGRES_PASSWORD "
			  "or DB_PASSWORD_FILE to the database user's password");
		return EXIT_CONFIG;
	}
	if ((rc = get_text(s, envp, &sslmode, NULL, 16, &s->db_sslmode)))
		return rc;
	if (s->db_sslmode && !is_one_of(s->db_sslmode, sslmodes)) {
		log_error("DB_SSLMODE: expected one of disable, allow, prefer, require, "
			  "verify-ca, verify-full; got %s", echo(s->db_sslmode, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if ((rc = get_text(s, envp, &params, NULL, 1024, &s->jdbc_params)))
		return rc;
	if (s->jdbc_params && s->jdbc_params[0] == '?')
		memmove(s->jdbc_params, s->jdbc_params + 1, strlen(s->jdbc_params));
	if (s->jdbc_params && !*s->jdbc_params) {
		free(s->jdbc_params);
		s->jdbc_params = NULL;
	}
	return get_uint(s, envp, &timeout, 300, 0, 86400, "a number of seconds",
			&s->db_wait_timeout);
}

static int load_admin(struct settings *s, char *const *envp)
{
	static const struct var_names user = { { "KEYCLOAK_USER" }, V_FILE };
	static const struct var_names password = { { "KEYCLOAK_PASSWORD" }, V_SECRET | V_FILE };
	int rc;

	if ((rc = get_text(s, envp, &user, NULL, 255, &s->admin_user)))
		return rc;
	if ((rc = get_text(s, envp, &password, NULL, 1024, &s->admin_password)))
		return rc;
	if (s->admin_user && !s->admin_password) {
		log_error("KEYCLOAK_PASSWORD: is not set, but KEYCLOAK_USER is; set both or neither");
		return EXIT_CONFIG;
	}
	if (!s->admin_user && s->admin_password) {
		log_error("KEYCLOAK_USER: is not set, but KEYCLOAK_PASSWORD is; set both or neither");
		return EXIT_CONFIG;
	}
	return 0;
}

static int load_cluster(struct settings *s, char *const *envp)
{
	static const struct var_names node = { { "KEYCLOAK_NODE_NAME" }, 0 };
	static const struct var_names bind = { { "BIND" }, 0 };
	static const struct var_names protocol = { { "JGROUPS_DISCOVERY_PROTOCOL" }, 0 };
	static const struct var_names properties = { { "JGROUPS_DISCOVERY_PROPERTIES" }, 0 };
	static const struct var_names stack = { { "JGROUPS_TRANSPORT_STACK" }, 0 };
	static const struct var_names mcast = { { "JGROUPS_MULTICAST_ADDRESS" }, 0 };
	static const struct var_names owners = { { "CACHE_OWNERS_COUNT" }, 0 };
	static const struct var_names owners_auth = { { "CACHE_OWNERS_AUTH_SESSIONS_COUNT" }, 0 };
	static const char *const stacks[] = { "tcp", "udp", NULL };
	char ebuf[ECHO_MAX * 4 + 16];
	char detected[INET6_ADDRSTRLEN];
	int rc;

	if ((rc = get_text(s, envp, &node, NULL, 64, &s->node_name)))
		return rc;
	if (!s->node_name) {
		char host[256];
		if (gethostname(host, sizeof(host)) != 0 || !host[0]) {
			log_error("KEYCLOAK_NODE_NAME: is not set and the host name is unknown");
			return EXIT_CONFIG;
		}
		host[sizeof(host) - 1] = '\0';
		s->node_name = xstrdup(host);
		s->shown[s->n_shown - 1].value = xstrdup(host);
		s->shown[s->n_shown - 1].source = "host name";
	}
	if (!valid_host(s->node_name) || strchr(s->node_name, ':')) {
		log_error("KEYCLOAK_NODE_NAME: expected letters, digits, '-', '_' and '.', got %s",
			  echo(s->node_name, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}

	if ((rc = get_text(s, envp, &bind, NULL, 64, &s->bind_address)))
		return rc;
	struct in6_addr a6;
	struct in_addr a4;
	if (s->bind_address && inet_pton(AF_INET, s->bind_address, &a4) != 1 &&
	    inet_pton(AF_INET6, s->bind_address, &a6) != 1) {
		log_error("BIND: expected an IPv4 or IPv6 address, got %s",
			  echo(s->bind_address, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if (s->bind_address && address_is_loopback(s->bind_address)) {
		log_error("BIND: %s is a loopback address; cluster peers cannot reach it",
			  s->bind_address);
		return EXIT_CONFIG;
	}
	/* The private interface carries JGroups: peers connect to the address
	 * it advertises, so it must be a real address of this container, never
	 * the wildcard nor loopback. */
	if (!s->bind_address || address_is_any(s->bind_address)) {
		if (own_address(detected, sizeof(detected)) != 0) {
			log_error("BIND: is not set and this container has no non-loopback "
				  "IPv4 address; set BIND to the address peers can reach");
			return EXIT_CONFIG;
		}
		s->bind_private = xstrdup(detected);
		if (!s->bind_address) {
			s->bind_address = xstrdup(detected);
			s->shown[s->n_shown - 1].value = xstrdup(detected);
			s->shown[s->n_shown - 1].source = "own address";
		}
	} else {
		s->bind_private = xstrdup(s->bind_address);
	}
	show(s, "BIND (private)", s->bind_private,
	     strcmp(s->bind_private, s->bind_address) ? "own address" : "BIND", false);

	if ((rc = get_text(s, envp, &protocol, "JDBC_PING", 128, &s->jgroups_protocol)))
		return rc;
	if (!valid_protocol(s->jgroups_protocol)) {
		log_error("JGROUPS_DISCOVERY_PROTOCOL: expected a JGroups protocol name "
			  "(letters, digits, '_', '.'), got %s",
			  echo(s->jgroups_protocol, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	char *props;
	if ((rc = get_text(s, envp, &properties, NULL, DISCOVERY_PROPERTIES_MAX, &props)))
		return rc;
	if (props) {
		rc = parse_properties("JGROUPS_DISCOVERY_PROPERTIES", props, s);
		free(props);
		if (rc)
			return rc;
	}
	/* The protocols that cannot discover anything without a property. */
	static const struct { const char *protocol, *property; } required[] = {
		{ "TCPPING", "initial_hosts" },
		{ "dns.DNS_PING", "dns_query" },
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (strcmp(s->jgroups_protocol, required[i].protocol) != 0)
			continue;
		bool found = false;
		for (size_t j = 0; j < s->n_jgroups_properties; j++)
			found |= strcmp(s->jgroups_properties[j].name, required[i].property) == 0;
		if (!found) {
			log_error("JGROUPS_DISCOVERY_PROPERTIES: %s needs %s=...",
				  required[i].protocol, required[i].property);
			return EXIT_CONFIG;
		}
	}
	/* PING discovers through the UDP transport's multicast; every other
	 * protocol runs on TCP, which works on any network. */
	const char *default_stack = strcmp(s->jgroups_protocol, "PING") ? "tcp" : "udp";
	if ((rc = get_text(s, envp, &stack, default_stack, 8, &s->jgroups_stack)))
		return rc;
	if (!is_one_of(s->jgroups_stack, stacks)) {
		log_error("JGROUPS_TRANSPORT_STACK: expected tcp or udp, got %s",
			  echo(s->jgroups_stack, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if (strcmp(s->jgroups_protocol, "PING") == 0 && strcmp(s->jgroups_stack, "udp") != 0) {
		log_error("JGROUPS_DISCOVERY_PROTOCOL: PING needs JGROUPS_TRANSPORT_STACK=udp "
			  "(use MPING for multicast discovery on tcp)");
		return EXIT_CONFIG;
	}
	if ((rc = get_text(s, envp, &mcast, NULL, 64, &s->multicast_address)))
		return rc;
	if (s->multicast_address && !address_is_multicast(s->multicast_address)) {
		log_error("JGROUPS_MULTICAST_ADDRESS: expected a multicast address "
			  "(224.0.0.0/4 or ff00::/8), got %s",
			  echo(s->multicast_address, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if ((rc = get_uint(s, envp, &owners, 2, 1, 1000, "a number of owners", &s->cache_owners)))
		return rc;
	return get_uint(s, envp, &owners_auth, 2, 1, 1000, "a number of owners",
			&s->cache_owners_auth);
}

static int load_server(struct settings *s, char *const *envp)
{
	static const struct var_names home = { { "KEYCLOAK_HOME", "JBOSS_HOME" }, 0 };
	static const struct var_names java_home = { { "JAVA_HOME" }, 0 };
	static const struct var_names opts = { { "JAVA_OPTS" }, V_EMPTY_OK };
	static const struct var_names opts_append = { { "JAVA_OPTS_APPEND" }, V_EMPTY_OK };
	int rc;

	if ((rc = get_text(s, envp, &home, "/opt/keycloak", PATH_MAX / 2, &s->keycloak_home)))
		return rc;
	if (s->keycloak_home[0] != '/') {
		log_error("KEYCLOAK_HOME: expected an absolute path");
		return EXIT_CONFIG;
	}
	if ((rc = get_text(s, envp, &java_home, NULL, PATH_MAX / 2, &s->java_home)))
		return rc;
	if ((rc = get_text(s, envp, &opts, NULL, 8192, &s->java_opts)))
		return rc;
	return get_text(s, envp, &opts_append, NULL, 8192, &s->java_opts_append);
}

int settings_load(struct settings *s, char *const *envp)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = load_database(s, envp)) || (rc = load_admin(s, envp)) ||
	    (rc = load_cluster(s, envp)) || (rc = load_server(s, envp)))
		return rc;
	return 0;
}

void settings_print(const struct settings *s, FILE *out)
{
	for (size_t i = 0; i < s->n_shown; i++) {
		const struct shown_setting *sh = &s->shown[i];
		if (sh->value)
			fprintf(out, "%s=%s\t(%s)\n", sh->name, sh->value, sh->source);
		else if (strcmp(sh->source, "default") == 0)
			fprintf(out, "%s is not set\t(%s)\n", sh->name, sh->source);
		else
			fprintf(out, "%s=********\t(%s)\n", sh->name, sh->source);
	}
	for (size_t i = 0; i < s->n_jgroups_properties; i++)
		fprintf(out, "JGROUPS_DISCOVERY_PROPERTIES[%s]=%s\n",
			s->jgroups_properties[i].name, s->jgroups_properties[i].value);
}

static void free_secret(char *p)
{
	if (p) {
		/* Do not leave the secret in freed heap memory. */
		volatile char *v = p;
		while (*v)
			*v++ = '\0';
		free(p);
	}
}

void settings_free(struct settings *s)
{
	free(s->db_host);
	free(s->db_name);
	free(s->db_user);
	free_secret(s->db_password);
	free(s->db_sslmode);
	free(s->jdbc_params);
	free(s->admin_user);
	free_secret(s->admin_password);
	free(s->node_name);
	free(s->bind_address);
	free(s->bind_private);
	free(s->jgroups_protocol);
	free(s->jgroups_stack);
	for (size_t i = 0; i < s->n_jgroups_properties; i++) {
		free(s->jgroups_properties[i].name);
		free(s->jgroups_properties[i].value);
	}
	free(s->jgroups_properties);
	free(s->multicast_address);
	free(s->keycloak_home);
	free(s->java_home);
	free(s->java_opts);
	free(s->java_opts_append);
	for (size_t i = 0; i < s->n_shown; i++)
		free(s->shown[i].value);
	memset(s, 0, sizeof(*s));
}
