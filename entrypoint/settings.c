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

#include <libconfig.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A secret file larger than this is certainly not a password. */
#define SECRET_FILE_MAX 65536
/* A configuration file larger than this is a mistake. */
#define CONFIG_FILE_MAX (1024 * 1024)
/* Settings in it, group members included: far more than there are, and
 * few enough that libconfig's quadratic duplicate check stays cheap. */
#define CONFIG_MAX_SETTINGS 1000
/* Properties of the discovery protocol: each is checked against the
 * earlier ones, so their number is bounded too. */
#define MAX_PROPERTIES 256
/* Servers in DB_ADDR. */
#define MAX_DB_ADDRS 64
/* Values are echoed in messages at most this long. */
#define ECHO_MAX 64

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

/* Every setting of the Keycloak role. */
static const struct var_names
	v_vendor = { { "DB_VENDOR" }, 0 },
	v_host = { { "DB_ADDR", "POSTGRES_PORT_5432_TCP_ADDR", "POSTGRES_SERVICE_SERVICE_HOST" }, 0 },
	v_port = { { "DB_PORT", "POSTGRES_PORT_5432_TCP_PORT", "POSTGRES_SERVICE_SERVICE_PORT" }, 0 },
	v_database = { { "DB_DATABASE", "POSTGRES_DATABASE" }, 0 },
	v_schema = { { "DB_SCHEMA" }, 0 },
	v_user = { { "DB_USER", "POSTGRES_USER", "POSTGRES_USERNAME" }, V_FILE },
	v_password = { { "DB_PASSWORD", "POSTGRES_PASSWORD" }, V_SECRET | V_FILE },
	v_sslmode = { { "DB_SSLMODE" }, 0 },
	v_sslrootcert = { { "DB_SSLROOTCERT" }, 0 },
	v_params = { { "JDBC_PARAMS" }, V_EMPTY_OK },
	v_timeout = { { "DB_WAIT_TIMEOUT" }, 0 },
	v_admin_user = { { "KEYCLOAK_USER" }, V_FILE },
	v_admin_password = { { "KEYCLOAK_PASSWORD" }, V_SECRET | V_FILE },
	v_import = { { "KEYCLOAK_IMPORT" }, 0 },
	v_frontend = { { "KEYCLOAK_FRONTEND_URL" }, 0 },
	v_hostname = { { "KEYCLOAK_HOSTNAME" }, 0 },
	v_http_port = { { "KEYCLOAK_HTTP_PORT" }, 0 },
	v_https_port = { { "KEYCLOAK_HTTPS_PORT" }, 0 },
	v_always_https = { { "KEYCLOAK_ALWAYS_HTTPS" }, 0 },
	v_proxy = { { "PROXY_ADDRESS_FORWARDING" }, 0 },
	v_loglevel = { { "KEYCLOAK_LOGLEVEL" }, 0 },
	v_root_loglevel = { { "ROOT_LOGLEVEL" }, 0 },
	v_node = { { "KEYCLOAK_NODE_NAME" }, 0 },
	v_bind = { { "BIND" }, 0 },
	v_protocol = { { "JGROUPS_DISCOVERY_PROTOCOL" }, 0 },
	v_properties = { { "JGROUPS_DISCOVERY_PROPERTIES" }, 0 },
	v_stack = { { "JGROUPS_TRANSPORT_STACK" }, 0 },
	v_mcast = { { "JGROUPS_MULTICAST_ADDRESS" }, 0 },
	v_owners = { { "CACHE_OWNERS_COUNT" }, 0 },
	v_owners_auth = { { "CACHE_OWNERS_AUTH_SESSIONS_COUNT" }, 0 },
	v_home = { { "KEYCLOAK_HOME", "JBOSS_HOME" }, 0 },
	v_java_home = { { "JAVA_HOME" }, 0 },
	v_opts = { { "JAVA_OPTS" }, V_EMPTY_OK },
	v_opts_append = { { "JAVA_OPTS_APPEND" }, V_EMPTY_OK },
	v_state = { { "KEYCLOAK_STATE_DIR" }, 0 },
	v_config = { { "KEYCLOAK_HA_CONFIG" }, 0 };

static const struct var_names *const all_settings[] = {
	&v_vendor, &v_host, &v_port, &v_database, &v_schema, &v_user, &v_password,
	&v_sslmode, &v_sslrootcert, &v_params, &v_timeout, &v_admin_user,
	&v_admin_password, &v_import, &v_frontend, &v_hostname, &v_http_port,
	&v_https_port, &v_always_https, &v_proxy, &v_loglevel, &v_root_loglevel,
	&v_node, &v_bind, &v_protocol, &v_properties, &v_stack, &v_mcast, &v_owners,
	&v_owners_auth, &v_home, &v_state, &v_java_home, &v_opts, &v_opts_append, &v_config,
};

/*
 * One source of variables. The environment and the command line are lists
 * of NAME=value; the configuration file is turned into one (see
 * load_config_file), with the line of each entry for messages.
 */
struct layer {
	char *const *vars;
	const int *lines;	/* file: line of vars[i]; else NULL */
	const char *where;	/* NULL: environment; "--set"; the file's path */
	int cmdline;
};

/* The layers of the settings being loaded, highest precedence first. */
static struct layer layers[3];
static size_t n_layers;

const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int env_index(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return i;
	return -1;
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

/* Keep a string for as long as the settings live. */
static const char *keep(struct settings *s, char *str)
{
	char **grown = realloc(s->owned, (s->n_owned + 1) * sizeof(*grown));
	if (!grown)
		die(EXIT_OSERR, "out of memory");
	s->owned = grown;
	s->owned[s->n_owned++] = str;
	return str;
}

/* The name of where a value came from, as messages and --print show it. */
static const char *source_name(struct settings *s, const struct layer *l, const char *var,
			       int line)
{
	char buf[PATH_MAX + 160];

	if (!l->where)
		return keep(s, xstrdup(var));
	if (l->cmdline)
		snprintf(buf, sizeof(buf), "%s (--set)", var);
	else
		snprintf(buf, sizeof(buf), "%s (%s:%d)", var, l->where, line);
	return keep(s, xstrdup(buf));
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
 * Find the value of one setting among its synonyms in one layer. On success
 * *value is a malloc'd copy (NULL when no variable is set) and *source where
 * it came from. Conflicting synonyms and NAME with NAME_FILE are errors.
 */
static int lookup_layer(struct settings *s, const struct layer *l, const struct var_names *v,
			char **value, const char **source)
{
	const char *found = NULL, *found_name = NULL;
	char *owned = NULL;
	int found_line = 0;
	char file_names[4][128];
	char ebuf1[ECHO_MAX * 4 + 16], ebuf2[ECHO_MAX * 4 + 16];

	*value = NULL;
	*source = NULL;
	for (size_t i = 0; i < 4 && v->names[i]; i++) {
		const char *name = v->names[i];
		int idx = env_index(l->vars, name);
		const char *val = idx >= 0 ? l->vars[idx] + strlen(name) + 1 : NULL;
		const char *val_name = name;
		char *file_val = NULL;
		char *file_name = file_names[i];

		if (val && l->cmdline && (v->flags & V_SECRET)) {
			free(owned);
			log_error("%s (--set): a secret on the command line is visible to every "
				  "process; use --set %s_FILE=PATH", name, name);
			return EXIT_CONFIG;
		}
		if (v->flags & V_FILE) {
			snprintf(file_name, sizeof(file_names[i]), "%s_FILE", name);
			int fidx = env_index(l->vars, file_name);
			const char *path = fidx >= 0 ? l->vars[fidx] + strlen(file_name) + 1 : NULL;
			if (path && val) {
				free(owned);
				log_error("%s and %s are both set; set only one", name, file_name);
				return EXIT_CONFIG;
			}
			if (path) {
				const char *src = source_name(s, l, file_name,
							      l->lines ? l->lines[fidx] : 0);
				if (!*path) {
					free(owned);
					log_error("%s: is empty; expected the path of a file", src);
					return EXIT_CONFIG;
				}
				int rc = read_secret_file(src, path, &file_val);
				if (rc) {
					free(owned);
					return rc;
				}
				val = file_val;
				val_name = file_name;
				idx = fidx;
			}
		}
		if (!val)
			continue;
		if (!found) {
			found = val;
			found_name = val_name;
			found_line = l->lines && idx >= 0 ? l->lines[idx] : 0;
			if (file_val)
				owned = file_val;
			continue;
		}
		if (strcmp(found, val) != 0) {
			if (v->flags & V_SECRET)
				log_error("%s conflicts with %s: both are set and differ; "
					  "set only one", found_name, val_name);
			else
				log_error("%s=%s conflicts with %s=%s; set only one, or make them equal",
					  found_name, echo(found, ebuf1, sizeof(ebuf1)), val_name,
					  echo(val, ebuf2, sizeof(ebuf2)));
			free(file_val);
			free(owned);
			return EXIT_CONFIG;
		}
		free(file_val);
	}
	if (!found)
		return 0;
	*source = source_name(s, l, found_name, found_line);
	if (!*found && !(v->flags & V_EMPTY_OK)) {
		free(owned);
		log_error("%s: is empty", *source);
		return EXIT_CONFIG;
	}
	*value = owned ? owned : xstrdup(found);
	return 0;
}

/* Find the value of one setting: the first layer that has it wins. */
static int lookup(struct settings *s, const struct var_names *v, char **value,
		  const char **source)
{
	for (size_t i = 0; i < n_layers; i++) {
		int rc = lookup_layer(s, &layers[i], v, value, source);
		if (rc || *value)
			return rc;
	}
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

/* The source of the setting shown last, for messages about its value. */
static const char *last_source(const struct settings *s)
{
	return s->shown[s->n_shown - 1].source;
}

static bool has_control_chars(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v == 0x7f)
			return true;
	return false;
}

/* Generic text setting: no control characters, bounded length. */
static int get_text(struct settings *s, const struct var_names *v,
		    const char *def, size_t max, char **out)
{
	const char *source;
	char ebuf[ECHO_MAX * 4 + 16];
	int rc = lookup(s, v, out, &source);

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
		free(*out);
		*out = NULL;
		return EXIT_CONFIG;
	} else if (strlen(*out) > max) {
		log_error("%s: is longer than %zu bytes", source, max);
		free(*out);
		*out = NULL;
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

/*
 * Look a number up; when no layer has it, *out is def, shown as shown_def
 * (NULL: "not set"), and *val is NULL.
 */
static int lookup_number(struct settings *s, const struct var_names *v, unsigned def,
			 const char *shown_def, unsigned *out, char **val, const char **source)
{
	int rc = lookup(s, v, val, source);

	if (rc == 0 && !*val) {
		*out = def;
		show(s, v->names[0], shown_def, "default", false);
	}
	return rc;
}

static int get_uint(struct settings *s, const struct var_names *v,
		    unsigned def, unsigned long min, unsigned long max, const char *what,
		    unsigned *out)
{
	char *val;
	const char *source;
	char ebuf[ECHO_MAX * 4 + 16], num[16];

	snprintf(num, sizeof(num), "%u", def);
	/* A default outside the range means "not set". */
	int rc = lookup_number(s, v, def, def < min ? NULL : num, out, &val, &source);
	if (rc || !val)
		return rc;
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
 * A duration: a number of seconds, or a number with the unit s, m or h
 * ("90", "90s", "5m", "1h").
 */
static int get_duration(struct settings *s, const struct var_names *v, unsigned def,
			unsigned long max, unsigned *out)
{
	char *val;
	const char *source;
	char ebuf[ECHO_MAX * 4 + 16], shown_def[16];

	snprintf(shown_def, sizeof(shown_def), "%us", def);
	int rc = lookup_number(s, v, def, shown_def, out, &val, &source);
	if (rc || !val)
		return rc;
	size_t n = strlen(val);
	unsigned long unit = 1;
	char last = n ? val[n - 1] : '\0';
	if (last == 's' || last == 'm' || last == 'h') {
		unit = last == 's' ? 1 : last == 'm' ? 60 : 3600;
		val[n - 1] = '\0';
	}
	unsigned num;
	if (parse_uint(val, 0, max / unit, &num) != 0) {
		if (unit != 1 || last == 's')
			val[n - 1] = last;
		log_error("%s: expected a duration such as 300, 90s, 5m or 1h (at most %lu s), "
			  "got %s", source, max, echo(val, ebuf, sizeof(ebuf)));
		free(val);
		return EXIT_CONFIG;
	}
	*out = num * (unsigned)unit;
	char shown_val[24];
	snprintf(shown_val, sizeof(shown_val), "%us", *out);
	show(s, v->names[0], shown_val, source, false);
	free(val);
	return 0;
}

/*
 * An enumeration, compared without regard to case; *out is the choice as
 * spelled in choices, NULL when unset and def is NULL.
 */
static int get_choice(struct settings *s, const struct var_names *v, const char *def,
		      const char *const *choices, const char *expected, char **out)
{
	char ebuf[ECHO_MAX * 4 + 16];
	int rc = get_text(s, v, def, 64, out);

	if (rc || !*out)
		return rc;
	for (const char *const *c = choices; *c; c++) {
		if (strcasecmp(*out, *c) == 0) {
			free(*out);
			*out = xstrdup(*c);
			struct shown_setting *sh = &s->shown[s->n_shown - 1];
			free(sh->value);
			sh->value = xstrdup(*c);
			return 0;
		}
	}
	log_error("%s: expected %s, got %s", last_source(s), expected,
		  echo(*out, ebuf, sizeof(ebuf)));
	free(*out);
	*out = NULL;
	return EXIT_CONFIG;
}

/* A boolean: true or false (also yes/no, 1/0). */
static int get_bool(struct settings *s, const struct var_names *v, enum tristate *out)
{
	static const char *const choices[] = { "true", "false", "yes", "no", "1", "0", NULL };
	char *val;
	int rc = get_choice(s, v, NULL, choices, "true or false", &val);

	if (rc)
		return rc;
	*out = !val ? TRI_UNSET : (strcmp(val, "true") == 0 || strcmp(val, "yes") == 0 ||
				   strcmp(val, "1") == 0) ? TRI_TRUE : TRI_FALSE;
	free(val);
	return 0;
}

/* An absolute path to an existing, readable regular file. */
static int check_readable_file(const char *source, const char *path)
{
	struct stat st;

	if (path[0] != '/') {
		log_error("%s: expected an absolute path, got a relative one", source);
		return EXIT_CONFIG;
	}
	if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
		log_error("%s: cannot read %s: %s", source, path, strerror(errno));
		return EXIT_NOINPUT;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("%s: %s is not a regular file", source, path);
		return EXIT_NOINPUT;
	}
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
			if (vlen && v[vlen - 1] == ',') {
				log_error("%s: ends with a comma", var);
				return EXIT_CONFIG;
			}
		}
		if (s->n_jgroups_properties == MAX_PROPERTIES) {
			log_error("%s: more than %d properties", var, MAX_PROPERTIES);
			return EXIT_CONFIG;
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

/*
 * DB_ADDR: one server or several, "host[:port][,host[:port]...]", an IPv6
 * address in brackets when a port follows it. Servers without a port use
 * DB_PORT.
 */
static int parse_db_addrs(struct settings *s, const char *source, const char *list)
{
	char ebuf[ECHO_MAX * 4 + 16];
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char item[300], host[300];
		unsigned port = 0;

		if (n == 0 || n >= sizeof(item)) {
			log_error("%s: expected host[:port][,host[:port]...], got %s", source,
				  echo(list, ebuf, sizeof(ebuf)));
			return EXIT_CONFIG;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		char *colon = NULL;
		if (item[0] == '[') {
			char *close = strchr(item, ']');
			if (!close || (close[1] && close[1] != ':')) {
				log_error("%s: expected [IPv6]:port, got %s", source,
					  echo(item, ebuf, sizeof(ebuf)));
				return EXIT_CONFIG;
			}
			*close = '\0';
			snprintf(host, sizeof(host), "%s", item + 1);
			colon = close[1] ? close + 1 : NULL;
			struct in6_addr a6;
			if (inet_pton(AF_INET6, host, &a6) != 1) {
				log_error("%s: %s is not an IPv6 address", source,
					  echo(host, ebuf, sizeof(ebuf)));
				return EXIT_CONFIG;
			}
		} else {
			colon = strchr(item, ':');
			if (colon && strchr(colon + 1, ':'))
				colon = NULL;	/* a bare IPv6 address */
			snprintf(host, sizeof(host), "%.*s",
				 colon ? (int)(colon - item) : (int)n, item);
		}
		if (!valid_host(host)) {
			log_error("%s: expected a host name or an IP address, got %s", source,
				  echo(host, ebuf, sizeof(ebuf)));
			return EXIT_CONFIG;
		}
		if (colon && parse_uint(colon + 1, 1, 65535, &port) != 0) {
			log_error("%s: expected a port number (1-65535) after %s, got %s", source,
				  host, echo(colon + 1, ebuf, sizeof(ebuf)));
			return EXIT_CONFIG;
		}
		if (s->n_db_addrs == MAX_DB_ADDRS) {
			log_error("%s: more than %d servers", source, MAX_DB_ADDRS);
			return EXIT_CONFIG;
		}
		struct db_address *grown = realloc(s->db_addrs,
						   (s->n_db_addrs + 1) * sizeof(*grown));
		if (!grown)
			die(EXIT_OSERR, "out of memory");
		s->db_addrs = grown;
		grown[s->n_db_addrs].host = xstrdup(host);
		grown[s->n_db_addrs++].port = port;
		if (!end)
			return 0;
		p = end + 1;
	}
}

/* JDBC_PARAMS: "name=value&name=value", a URL query without the '?'. */
static int check_jdbc_params(const char *source, const char *params)
{
	char ebuf[ECHO_MAX * 4 + 16];
	const char *p = params;

	while (*p) {
		size_t name = 0;
		while (isalnum((unsigned char)p[name]) || p[name] == '_' || p[name] == '.')
			name++;
		if (name == 0 || p[name] != '=') {
			log_error("%s: expected name=value[&name=value...], got %s", source,
				  echo(params, ebuf, sizeof(ebuf)));
			return EXIT_CONFIG;
		}
		const char *amp = strchr(p, '&');
		if (!amp)
			break;
		p = amp + 1;
		if (!*p) {
			log_error("%s: ends with '&'", source);
			return EXIT_CONFIG;
		}
	}
	return 0;
}

/* A PostgreSQL schema name as the server's connectionsJpa takes it. */
static bool valid_identifier(const char *v)
{
	if (!*v || strlen(v) > 63 || !(isalpha((unsigned char)v[0]) || v[0] == '_'))
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '_' && *v != '$')
			return false;
	return true;
}

static int load_database(struct settings *s)
{
	static const char *const vendors[] = { "postgres", "postgresql", NULL };
	static const char *const sslmodes[] = { "disable", "allow", "prefer", "require",
		"verify-ca", "verify-full", NULL };
	char ebuf[ECHO_MAX * 4 + 16];
	char *vendor, *hosts;
	int rc;

	/* Only PostgreSQL: another vendor must not fall back to anything. */
	if ((rc = get_text(s, &v_vendor, "postgres", 64, &vendor)))
		return rc;
	bool pg = is_one_of(vendor, vendors);
	if (!pg) {
		for (const char *const *c = vendors; *c; c++)
			pg |= strcasecmp(vendor, *c) == 0;
		if (!pg)
			log_error("%s: this image supports PostgreSQL only (postgres), got %s",
				  last_source(s), echo(vendor, ebuf, sizeof(ebuf)));
	}
	free(vendor);
	if (!pg)
		return EXIT_CONFIG;

	if ((rc = get_text(s, &v_host, "postgres", 4096, &hosts)))
		return rc;
	rc = parse_db_addrs(s, last_source(s), hosts);
	free(hosts);
	if (rc)
		return rc;
	if ((rc = get_uint(s, &v_port, 5432, 1, 65535, "a port number", &s->db_port)))
		return rc;
	for (size_t i = 0; i < s->n_db_addrs; i++)
		if (!s->db_addrs[i].port)
			s->db_addrs[i].port = s->db_port;
	s->db_host = xstrdup(s->db_addrs[0].host);
	s->db_port = s->db_addrs[0].port;
	if ((rc = get_text(s, &v_database, "keycloak", 63, &s->db_name)))
		return rc;
	if ((rc = get_text(s, &v_schema, NULL, 63, &s->db_schema)))
		return rc;
	if (s->db_schema && !valid_identifier(s->db_schema)) {
		log_error("%s: expected a schema name (a letter or '_', then letters, digits, "
			  "'_', '$'; at most 63), got %s", last_source(s),
			  echo(s->db_schema, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	/* The user name is not a secret, but it may come from DB_USER_FILE
	 * like the password (the jboss/keycloak image allowed that). */
	if ((rc = get_text(s, &v_user, "keycloak", 63, &s->db_user)))
		return rc;
	if ((rc = get_text(s, &v_password, NULL, 1024, &s->db_password)))
		return rc;
	if (!s->db_password) {
		log_error("DB_PASSWORD: is not set; set DB_PASSWORD, POSTGRES_PASSWORD "
			  "or DB_PASSWORD_FILE to the database user's password");
		return EXIT_CONFIG;
	}
	if ((rc = get_choice(s, &v_sslmode, NULL, sslmodes, "one of disable, allow, prefer, "
			     "require, verify-ca, verify-full", &s->db_sslmode)))
		return rc;
	if ((rc = get_text(s, &v_sslrootcert, NULL, PATH_MAX / 2, &s->db_sslrootcert)))
		return rc;
	if (s->db_sslrootcert &&
	    (rc = check_readable_file(last_source(s), s->db_sslrootcert)))
		return rc;
	if ((rc = get_text(s, &v_params, NULL, 1024, &s->jdbc_params)))
		return rc;
	if (s->jdbc_params && s->jdbc_params[0] == '?')
		memmove(s->jdbc_params, s->jdbc_params + 1, strlen(s->jdbc_params));
	if (s->jdbc_params && !*s->jdbc_params) {
		free(s->jdbc_params);
		s->jdbc_params = NULL;
	}
	if (s->jdbc_params && (rc = check_jdbc_params(last_source(s), s->jdbc_params)))
		return rc;
	return get_duration(s, &v_timeout, 300, 7 * 86400, &s->db_wait_timeout);
}

static int load_admin(struct settings *s)
{
	int rc;

	if ((rc = get_text(s, &v_admin_user, NULL, 255, &s->admin_user)))
		return rc;
	if ((rc = get_text(s, &v_admin_password, NULL, 1024, &s->admin_password)))
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

/* http(s)://host[:port][/path], as a browser would be sent to it. */
static bool valid_url(const char *u)
{
	const char *p;

	if (strncmp(u, "https://", 8) == 0)
		p = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		p = u + 7;
	else
		return false;
	size_t n = strcspn(p, "/?#");
	char host[300];
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	char *port = NULL;
	if (host[0] == '[') {
		char *close = strchr(host, ']');
		if (!close || (close[1] && close[1] != ':'))
			return false;
		port = close[1] ? close + 2 : NULL;
		*close = '\0';
		struct in6_addr a6;
		if (inet_pton(AF_INET6, host + 1, &a6) != 1)
			return false;
	} else {
		port = strchr(host, ':');
		if (port)
			*port++ = '\0';
		if (!valid_host(host) || strchr(host, ':'))
			return false;
	}
	unsigned pn;
	if (port && parse_uint(port, 1, 65535, &pn) != 0)
		return false;
	for (p += n; *p; p++)
		if ((unsigned char)*p <= 0x20 || strchr("\"<>\\^`{|}", *p))
			return false;
	return true;
}

static int load_server_features(struct settings *s)
{
	static const char *const levels[] = { "ALL", "TRACE", "DEBUG", "INFO", "WARN",
		"ERROR", "FATAL", "OFF", NULL };
	static const char *const level_list = "one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, "
		"FATAL, OFF";
	char ebuf[ECHO_MAX * 4 + 16];
	int rc;

	if ((rc = get_text(s, &v_import, NULL, 4096, &s->import_files)))
		return rc;
	if (s->import_files) {
		/* Keycloak takes a comma-separated list of files. */
		const char *source = last_source(s);
		char *copy = xstrdup(s->import_files), *save = NULL;
		for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save))
			if ((rc = check_readable_file(source, f)))
				break;
		free(copy);
		if (rc)
			return rc;
	}
	if ((rc = get_text(s, &v_frontend, NULL, 2048, &s->frontend_url)))
		return rc;
	if (s->frontend_url && !valid_url(s->frontend_url)) {
		log_error("%s: expected a URL http(s)://host[:port][/path], got %s",
			  last_source(s), echo(s->frontend_url, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if ((rc = get_text(s, &v_hostname, NULL, 253, &s->hostname)))
		return rc;
	if (s->hostname && !valid_host(s->hostname)) {
		log_error("%s: expected a host name, got %s", last_source(s),
			  echo(s->hostname, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if (s->hostname && s->frontend_url) {
		log_error("KEYCLOAK_HOSTNAME and KEYCLOAK_FRONTEND_URL are both set; set only one "
			  "(KEYCLOAK_FRONTEND_URL also carries the scheme, port and path)");
		return EXIT_CONFIG;
	}
	if ((rc = get_uint(s, &v_http_port, 0, 1, 65535, "a port number", &s->http_port)) ||
	    (rc = get_uint(s, &v_https_port, 0, 1, 65535, "a port number", &s->https_port)) ||
	    (rc = get_bool(s, &v_always_https, &s->always_https)))
		return rc;
	if (!s->hostname && (s->http_port || s->https_port || s->always_https != TRI_UNSET)) {
		log_error("KEYCLOAK_HOSTNAME: is not set, but KEYCLOAK_HTTP_PORT, "
			  "KEYCLOAK_HTTPS_PORT or KEYCLOAK_ALWAYS_HTTPS is; they apply to it");
		return EXIT_CONFIG;
	}
	if ((rc = get_bool(s, &v_proxy, &s->proxy_address_forwarding)))
		return rc;
	if ((rc = get_choice(s, &v_loglevel, NULL, levels, level_list, &s->log_level)))
		return rc;
	return get_choice(s, &v_root_loglevel, NULL, levels, level_list, &s->root_log_level);
}

static int load_cluster(struct settings *s)
{
	static const char *const stacks[] = { "tcp", "udp", NULL };
	char ebuf[ECHO_MAX * 4 + 16];
	char detected[INET6_ADDRSTRLEN];
	int rc;

	if ((rc = get_text(s, &v_node, NULL, 64, &s->node_name)))
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

	if ((rc = get_text(s, &v_bind, NULL, 64, &s->bind_address)))
		return rc;
	struct in6_addr a6;
	struct in_addr a4;
	if (s->bind_address && inet_pton(AF_INET, s->bind_address, &a4) != 1 &&
	    inet_pton(AF_INET6, s->bind_address, &a6) != 1) {
		log_error("%s: expected an IPv4 or IPv6 address, got %s", last_source(s),
			  echo(s->bind_address, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if (s->bind_address && address_is_loopback(s->bind_address)) {
		log_error("%s: %s is a loopback address; cluster peers cannot reach it",
			  last_source(s), s->bind_address);
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

	if ((rc = get_text(s, &v_protocol, "JDBC_PING", 128, &s->jgroups_protocol)))
		return rc;
	if (!valid_protocol(s->jgroups_protocol)) {
		log_error("%s: expected a JGroups protocol name (letters, digits, '_', '.'), "
			  "got %s", last_source(s), echo(s->jgroups_protocol, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	char *props;
	if ((rc = get_text(s, &v_properties, NULL, 1 << 20, &props)))
		return rc;
	if (props) {
		rc = parse_properties(last_source(s), props, s);
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
	if ((rc = get_text(s, &v_stack, default_stack, 8, &s->jgroups_stack)))
		return rc;
	if (!is_one_of(s->jgroups_stack, stacks)) {
		log_error("%s: expected tcp or udp, got %s", last_source(s),
			  echo(s->jgroups_stack, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if (strcmp(s->jgroups_protocol, "PING") == 0 && strcmp(s->jgroups_stack, "udp") != 0) {
		log_error("JGROUPS_DISCOVERY_PROTOCOL: PING needs JGROUPS_TRANSPORT_STACK=udp "
			  "(use MPING for multicast discovery on tcp)");
		return EXIT_CONFIG;
	}
	if ((rc = get_text(s, &v_mcast, NULL, 64, &s->multicast_address)))
		return rc;
	if (s->multicast_address && !address_is_multicast(s->multicast_address)) {
		log_error("%s: expected a multicast address (224.0.0.0/4 or ff00::/8), got %s",
			  last_source(s), echo(s->multicast_address, ebuf, sizeof(ebuf)));
		return EXIT_CONFIG;
	}
	if ((rc = get_uint(s, &v_owners, 2, 1, 1000, "a number of owners", &s->cache_owners)))
		return rc;
	return get_uint(s, &v_owners_auth, 2, 1, 1000, "a number of owners",
			&s->cache_owners_auth);
}

static int get_path(struct settings *s, const struct var_names *v, const char *def,
		    char **out)
{
	int rc = get_text(s, v, def, PATH_MAX / 2, out);

	if (rc == 0 && *out && (*out)[0] != '/') {
		log_error("%s: expected an absolute path", last_source(s));
		return EXIT_CONFIG;
	}
	return rc;
}

static int load_server(struct settings *s)
{
	int rc;

	if ((rc = get_path(s, &v_home, "/opt/keycloak", &s->keycloak_home)) ||
	    (rc = get_path(s, &v_state, NULL, &s->state_dir)))
		return rc;
	if (!s->state_dir) {
		/* The distribution's own layout. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/standalone", s->keycloak_home);
		s->state_dir = xstrdup(dir);
		s->shown[s->n_shown - 1].value = xstrdup(s->state_dir);
	}
	if ((rc = get_path(s, &v_java_home, NULL, &s->java_home)) ||
	    (rc = get_text(s, &v_opts, NULL, 8192, &s->java_opts)))
		return rc;
	return get_text(s, &v_opts_append, NULL, 8192, &s->java_opts_append);
}

/* ---------------------------------------------------------------------------
 * The configuration file.
 */

void settings_config_free(struct config_entries *f)
{
	for (size_t i = 0; i < f->n; i++) {
		volatile char *v = f->vars[i];
		while (*v)
			*v++ = '\0';
		free(f->vars[i]);
	}
	free(f->vars);
	free(f->lines);
	memset(f, 0, sizeof(*f));
}

static void file_vars_add(struct config_entries *f, char *var, int line)
{
	char **v = realloc(f->vars, (f->n + 2) * sizeof(*v));
	if (v)
		f->vars = v;
	int *l = realloc(f->lines, (f->n + 1) * sizeof(*l));
	if (l)
		f->lines = l;
	if (!v || !l)
		die(EXIT_OSERR, "out of memory");
	f->vars[f->n] = var;
	f->lines[f->n++] = line;
	f->vars[f->n] = NULL;
}

/* Append text to a growing string. */
static void str_add(char **buf, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *grown = realloc(*buf, *len + n + 1);
	if (!grown)
		die(EXIT_OSERR, "out of memory");
	memcpy(grown + *len, text, n + 1);
	*buf = grown;
	*len += n;
}

/* One scalar (string, integer, boolean) as the text a variable would hold. */
static int scalar_text(const config_setting_t *c, char *num, size_t len, const char **out)
{
	switch (config_setting_type(c)) {
	case CONFIG_TYPE_STRING:
		*out = config_setting_get_string(c);
		return 0;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(num, len, "%lld", (long long)config_setting_get_int64(c));
		*out = num;
		return 0;
	case CONFIG_TYPE_BOOL:
		*out = config_setting_get_bool(c) ? "true" : "false";
		return 0;
	default:
		return -1;
	}
}

/*
 * One entry of the file as NAME=value. A list or an array of scalars is
 * joined with ',' (DB_ADDR = ["db1:5432", "db2:5432"]); a group is
 * name=value pairs (JGROUPS_DISCOVERY_PROPERTIES = { initial_hosts = "..." }).
 */
static int file_entry(const char *path, const config_setting_t *c, struct config_entries *f)
{
	const char *name = config_setting_name(c);
	int line = (int)config_setting_source_line(c);
	char num[32];
	const char *text;
	char *var = NULL;
	size_t len = 0;

	str_add(&var, &len, name);
	str_add(&var, &len, "=");
	if (scalar_text(c, num, sizeof(num), &text) == 0) {
		str_add(&var, &len, text);
	} else if (config_setting_is_aggregate(c)) {
		bool group = config_setting_type(c) == CONFIG_TYPE_GROUP;
		int n = config_setting_length(c);
		for (int i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(c, (unsigned)i);
			if (scalar_text(e, num, sizeof(num), &text) != 0) {
				free(var);
				log_error("%s:%d: %s: expected strings, numbers or booleans inside",
					  path, (int)config_setting_source_line(e), name);
				return EXIT_CONFIG;
			}
			if (i)
				str_add(&var, &len, ",");
			if (group) {
				str_add(&var, &len, config_setting_name(e));
				str_add(&var, &len, "=");
			}
			/* A property value with a comma is quoted, as in the
			 * variable's own syntax. */
			bool quote = group && strchr(text, ',');
			if (quote)
				str_add(&var, &len, "\"");
			str_add(&var, &len, text);
			if (quote)
				str_add(&var, &len, "\"");
		}
	} else {
		free(var);
		log_error("%s:%d: %s: expected a string, a number, a boolean, a list or a group",
			  path, line, name);
		return EXIT_CONFIG;
	}
	file_vars_add(f, var, line);
	return 0;
}

/* Only the one file: an @include would read files nobody named. */
static const char **refuse_include(config_t *cfg, const char *dir, const char *path,
				   const char **error)
{
	(void)cfg;
	(void)dir;
	(void)path;
	*error = "@include is not supported; put every setting in this file";
	return NULL;
}

/*
 * The number of settings in a configuration file: its '=' and ':' outside
 * strings and comments. libconfig checks each new setting against every
 * earlier one of its group, so its time grows with the square of that
 * number; the file is refused before it is parsed when there are too many.
 */
static size_t count_assignments(const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				break;
		} else if (*p == '#' || (*p == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		} else if (*p == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			if (!end)
				break;
			p = end + 1;
		} else if (*p == '=' || *p == ':') {
			n++;
		}
	}
	return n;
}

/*
 * Parse a configuration file's text (libconfig syntax) into NAME=value
 * entries. Every name must be a variable some setting reads. A file that
 * others can read must not hold a secret.
 */
int settings_parse_config(const char *path, const char *text, int world_readable,
			  struct config_entries *f)
{
	config_t cfg;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (count_assignments(text) > CONFIG_MAX_SETTINGS) {
		log_error("%s: more than %d settings", path, CONFIG_MAX_SETTINGS);
		return EXIT_CONFIG;
	}
	config_init(&cfg);
	config_set_include_func(&cfg, refuse_include);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		log_error("%s:%d: %s", path, config_error_line(&cfg),
			  config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
		config_destroy(&cfg);
		return EXIT_CONFIG;
	}
	const config_setting_t *root = config_root_setting(&cfg);
	int n = config_setting_length(root);
	for (int i = 0; i < n && !rc; i++) {
		const config_setting_t *c = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(c);
		int line = (int)config_setting_source_line(c);
		if (!settings_is_known(name)) {
			const char *near = settings_closest(name);
			log_error("%s:%d: %s is not a setting%s%s%s", path, line, name,
				  near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
			rc = EXIT_CONFIG;
			break;
		}
		if (world_readable && settings_is_secret(name)) {
			log_error("%s:%d: %s is a secret, but the file can be read by every user; "
				  "make it readable by its owner only, or use %s_FILE", path, line,
				  name, name);
			rc = EXIT_CONFIG;
			break;
		}
		rc = file_entry(path, c, f);
	}
	config_destroy(&cfg);
	if (rc)
		settings_config_free(f);
	return rc;
}

static int load_config_file(const char *path, bool required, struct config_entries *f)
{
	char *text;
	size_t len;
	struct stat st;

	memset(f, 0, sizeof(*f));
	int e = read_file(path, CONFIG_FILE_MAX, &text, &len);
	if (e == ENOENT && !required)
		return 0;
	if (e == EFBIG) {
		log_error("%s: larger than %d bytes", path, CONFIG_FILE_MAX);
		return EXIT_CONFIG;
	}
	if (e) {
		log_error("%s: cannot read: %s", path, strerror(e));
		return EXIT_NOINPUT;
	}
	if (memchr(text, '\0', len)) {
		free(text);
		log_error("%s: contains a NUL byte", path);
		return EXIT_CONFIG;
	}
	int world = stat(path, &st) == 0 && (st.st_mode & S_IROTH);
	int rc = settings_parse_config(path, text, world, f);
	free(text);
	return rc;
}

/* ---------------------------------------------------------------------------
 * Known variables, and the typos of them.
 */

static bool is_file_variant(const char *name, const struct var_names *v, size_t i)
{
	size_t n = strlen(v->names[i]);
	return (v->flags & V_FILE) && strncmp(name, v->names[i], n) == 0 &&
	       strcmp(name + n, "_FILE") == 0;
}

int settings_is_known(const char *name)
{
	for (size_t k = 0; k < sizeof(all_settings) / sizeof(all_settings[0]); k++)
		for (size_t i = 0; i < 4 && all_settings[k]->names[i]; i++)
			if (strcmp(name, all_settings[k]->names[i]) == 0 ||
			    is_file_variant(name, all_settings[k], i))
				return 1;
	return 0;
}

int settings_is_secret(const char *name)
{
	for (size_t k = 0; k < sizeof(all_settings) / sizeof(all_settings[0]); k++)
		for (size_t i = 0; i < 4 && all_settings[k]->names[i]; i++)
			if ((all_settings[k]->flags & V_SECRET) &&
			    strcmp(name, all_settings[k]->names[i]) == 0)
				return 1;
	return 0;
}

/* Edit distance, bounded: names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *settings_closest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4;	/* farther than 3 edits is no likely typo */

	for (size_t k = 0; k < sizeof(all_settings) / sizeof(all_settings[0]); k++) {
		const char *known = all_settings[k]->names[0];
		size_t d = distance(name, known);
		if (d < best_d) {
			best_d = d;
			best = known;
		}
	}
	return best;
}

/*
 * Variables that look like the project's but are not: the prefixes of its
 * settings. Names the engines inject (Docker links, Kubernetes services)
 * share them and are skipped.
 */
void settings_warn_unknown(char *const *envp)
{
	static const char *const prefixes[] = { "DB_", "KEYCLOAK_", "JGROUPS_", "CACHE_",
		"JDBC_", "JAVA_OPTS", "PROXY_", "ROOT_LOG", NULL };
	static const char *const injected[] = { "POSTGRES_PORT", "POSTGRES_ENV_",
		"POSTGRES_NAME", "POSTGRES_SERVICE_", NULL };

	for (char *const *e = envp; e && *e; e++) {
		char name[128];
		size_t n = strcspn(*e, "=");
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, *e, n);
		name[n] = '\0';
		bool ours = false, skip = false;
		for (const char *const *p = prefixes; *p; p++)
			ours |= strncmp(name, *p, strlen(*p)) == 0;
		for (const char *const *p = injected; *p; p++)
			skip |= strncmp(name, *p, strlen(*p)) == 0;
		if (!ours || skip || settings_is_known(name))
			continue;
		const char *near = settings_closest(name);
		if (near)
			log_warn("%s is set but no setting reads it; did you mean %s?", name, near);
		else
			log_warn("%s is set but no setting reads it", name);
	}
}

/* ---------------------------------------------------------------------------
 * Loading.
 */

int settings_load_input(struct settings *s, const struct settings_input *in)
{
	struct config_entries file = {0};
	const char *config = in->config_file;
	int rc;

	memset(s, 0, sizeof(*s));
	n_layers = 0;
	if (in->overrides)
		layers[n_layers++] = (struct layer){ .vars = in->overrides, .where = "--set",
						     .cmdline = 1 };
	layers[n_layers++] = (struct layer){ .vars = in->envp };

	/* The file's path itself comes from the command line or the
	 * environment, never from the file. */
	const char *config_source = config ? "--config" : "default";
	if (!config) {
		char *from_env = NULL;
		const char *src;
		if ((rc = lookup(s, &v_config, &from_env, &src)))
			return rc;
		if (from_env) {
			config = keep(s, from_env);
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
	if ((rc = load_config_file(config, required, &file)))
		return rc;
	if (file.n || required) {
		layers[n_layers++] = (struct layer){ .vars = file.vars, .lines = file.lines,
						     .where = config };
		show(s, "KEYCLOAK_HA_CONFIG", config, config_source, false);
	}

	if ((rc = load_database(s)) || (rc = load_admin(s)) ||
	    (rc = load_server_features(s)) || (rc = load_cluster(s)) ||
	    (rc = load_server(s)))
		goto out;

	/* Names on the command line are typed on purpose: an unknown one is
	 * an error, not a warning. */
	for (char *const *o = in->overrides; o && *o; o++) {
		char name[128];
		size_t n = strcspn(*o, "=");
		snprintf(name, sizeof(name), "%.*s", (int)(n < 127 ? n : 127), *o);
		if (!(*o)[n] || n == 0) {
			log_error("--set %s: expected NAME=VALUE", name);
			rc = EXIT_USAGE;
			goto out;
		}
		if (!settings_is_known(name)) {
			const char *near = settings_closest(name);
			log_error("--set %s: not a setting%s%s%s", name, near ? "; did you mean " : "",
				  near ? near : "", near ? "?" : "");
			rc = EXIT_USAGE;
			goto out;
		}
	}
out:
	settings_config_free(&file);
	n_layers = 0;
	return rc;
}

int settings_load(struct settings *s, char *const *envp)
{
	struct settings_input in = { .envp = envp };

	return settings_load_input(s, &in);
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
	for (size_t i = 0; i < s->n_db_addrs; i++)
		fprintf(out, "DB_ADDR[%zu]=%s port %u\n", i, s->db_addrs[i].host,
			s->db_addrs[i].port);
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
	for (size_t i = 0; i < s->n_db_addrs; i++)
		free(s->db_addrs[i].host);
	free(s->db_addrs);
	free(s->db_schema);
	free(s->db_sslrootcert);
	free(s->db_name);
	free(s->db_user);
	free_secret(s->db_password);
	free(s->db_sslmode);
	free(s->jdbc_params);
	free(s->admin_user);
	free_secret(s->admin_password);
	free(s->import_files);
	free(s->frontend_url);
	free(s->hostname);
	free(s->log_level);
	free(s->root_log_level);
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
	free(s->state_dir);
	free(s->java_home);
	free(s->java_opts);
	free(s->java_opts_append);
	for (size_t i = 0; i < s->n_shown; i++)
		free(s->shown[i].value);
	for (size_t i = 0; i < s->n_owned; i++)
		free(s->owned[i]);
	free(s->owned);
	memset(s, 0, sizeof(*s));
}
