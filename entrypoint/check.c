#include "check.h"

#include "log.h"
#include "text.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Servers in DB_ADDR: more than any replicated PostgreSQL has. */
#define MAX_DB_ADDRS 64
/* Properties of the discovery protocol: each is checked against the
 * earlier ones, so their number is bounded. */
#define MAX_PROPERTIES 256

bool parse_uint(const char *v, unsigned long min, unsigned long max, unsigned *out)
{
	if (!*v || strlen(v) > 10)
		return false;
	for (const char *p = v; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	unsigned long n = strtoul(v, NULL, 10);
	if (n < min || n > max)
		return false;
	*out = (unsigned)n;
	return true;
}

bool valid_host(const char *h)
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

/* The authority of a URL, host[:port] with an IPv6 host in brackets. */
static bool valid_authority(char *host)
{
	char *port = NULL;
	unsigned pn;

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
	return !port || parse_uint(port, 1, 65535, &pn);
}

bool valid_url(const char *u)
{
	const char *p;
	char host[300];

	if (strncmp(u, "https://", 8) == 0)
		p = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		p = u + 7;
	else
		return false;
	size_t n = strcspn(p, "/?#");
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	if (!valid_authority(host))
		return false;
	for (p += n; *p; p++)
		if ((unsigned char)*p <= 0x20 || strchr("\"<>\\^`{|}", *p))
			return false;
	return true;
}

bool valid_identifier(const char *v)
{
	if (!*v || strlen(v) > 63 || !(isalpha((unsigned char)v[0]) || v[0] == '_'))
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '_' && *v != '$')
			return false;
	return true;
}

bool valid_protocol(const char *p)
{
	if (!*p || strlen(p) > 128)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			return false;
	return true;
}

bool is_one_of(const char *v, const char *const *choices)
{
	for (; *choices; choices++)
		if (strcmp(v, *choices) == 0)
			return true;
	return false;
}

int check_readable_file(const char *source, const char *path)
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

int check_jdbc_params(const char *source, const char *params)
{
	char q[QUOTE_BUF];
	const char *p = params;

	while (*p) {
		size_t name = 0;
		while (isalnum((unsigned char)p[name]) || p[name] == '_' || p[name] == '.')
			name++;
		if (name == 0 || p[name] != '=') {
			log_error("%s: expected name=value[&name=value...], got %s", source,
				  quote_value(params, q, sizeof(q)));
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

/* One item of DB_ADDR: host (IPv6 without brackets) and port (0: none). */
static int parse_db_addr(const char *source, const char *item, char *host, size_t host_len,
			 unsigned *port)
{
	char q[QUOTE_BUF], copy[300];
	const char *colon = NULL;

	snprintf(copy, sizeof(copy), "%s", item);
	if (copy[0] == '[') {
		char *close = strchr(copy, ']');
		if (!close || (close[1] && close[1] != ':')) {
			log_error("%s: expected [IPv6]:port, got %s", source,
				  quote_value(copy, q, sizeof(q)));
			return EXIT_CONFIG;
		}
		*close = '\0';
		snprintf(host, host_len, "%s", copy + 1);
		colon = close[1] ? close + 1 : NULL;
		struct in6_addr a6;
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			log_error("%s: %s is not an IPv6 address", source,
				  quote_value(host, q, sizeof(q)));
			return EXIT_CONFIG;
		}
	} else {
		colon = strchr(copy, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;	/* a bare IPv6 address */
		snprintf(host, host_len, "%.*s",
			 colon ? (int)(colon - copy) : (int)strlen(copy), copy);
	}
	if (!valid_host(host)) {
		log_error("%s: expected a host name or an IP address, got %s", source,
			  quote_value(host, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	*port = 0;
	if (colon && !parse_uint(colon + 1, 1, 65535, port)) {
		log_error("%s: expected a port number (1-65535) after %s, got %s", source, host,
			  quote_value(colon + 1, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	return 0;
}

int parse_db_addrs(const char *source, const char *list, struct db_address **addrs, size_t *n)
{
	char q[QUOTE_BUF];
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char item[300], host[300];
		unsigned port;

		if (len == 0 || len >= sizeof(item)) {
			log_error("%s: expected host[:port][,host[:port]...], got %s", source,
				  quote_value(list, q, sizeof(q)));
			return EXIT_CONFIG;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		int rc = parse_db_addr(source, item, host, sizeof(host), &port);
		if (rc)
			return rc;
		if (*n == MAX_DB_ADDRS) {
			log_error("%s: more than %d servers", source, MAX_DB_ADDRS);
			return EXIT_CONFIG;
		}
		*addrs = xrealloc(*addrs, (*n + 1) * sizeof(**addrs));
		(*addrs)[*n].host = xstrdup(host);
		(*addrs)[(*n)++].port = port;
		if (!end)
			return 0;
		p = end + 1;
	}
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

/* The value of the property whose value starts at v: its length, and where
 * the property ends (at the ',' before the next, or at the end). */
static int property_value(const char *source, const char *p, const char *v, size_t *vlen,
			  const char **end)
{
	char q[QUOTE_BUF];

	if (*v == '"') {
		const char *close = strchr(v + 1, '"');
		if (!close || (close[1] && close[1] != ',')) {
			log_error("%s: unterminated quote in %s", source,
				  quote_value(p, q, sizeof(q)));
			return EXIT_CONFIG;
		}
		*vlen = (size_t)(close - v - 1);
		*end = close + 1;
		return 0;
	}
	*end = v;
	while (**end && !(**end == ',' && property_starts(*end + 1)))
		(*end)++;
	*vlen = (size_t)(*end - v);
	if (*vlen && v[*vlen - 1] == ',') {
		log_error("%s: ends with a comma", source);
		return EXIT_CONFIG;
	}
	return 0;
}

int parse_properties(const char *source, const char *text, struct property **props, size_t *n)
{
	char q[QUOTE_BUF];
	const char *p = text;

	while (*p) {
		const char *eq = strchr(p, '=');
		if (!eq || !valid_property_name(p, (size_t)(eq - p))) {
			log_error("%s: expected name=value[,name=value...], got %s", source,
				  quote_value(p, q, sizeof(q)));
			return EXIT_CONFIG;
		}
		const char *end;
		size_t vlen;
		int rc = property_value(source, p, eq + 1, &vlen, &end);
		if (rc)
			return rc;
		if (*n == MAX_PROPERTIES) {
			log_error("%s: more than %d properties", source, MAX_PROPERTIES);
			return EXIT_CONFIG;
		}
		*props = xrealloc(*props, (*n + 1) * sizeof(**props));
		struct property *pr = &(*props)[(*n)++];
		pr->name = xstrndup(p, (size_t)(eq - p));
		pr->value = xstrndup(eq + 1 + (eq[1] == '"'), vlen);
		for (size_t i = 0; i + 1 < *n; i++) {
			if (strcmp((*props)[i].name, pr->name) == 0) {
				log_error("%s: property %s is given twice", source, pr->name);
				return EXIT_CONFIG;
			}
		}
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p) {
			log_error("%s: ends with a comma", source);
			return EXIT_CONFIG;
		}
	}
	return 0;
}
