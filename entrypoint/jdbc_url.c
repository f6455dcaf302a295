#include "jdbc_url.h"

#include <stdio.h>
#include <string.h>

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void add_percent(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

	buf_add(b, enc, 3);
}

/* The host part: a name, an IPv4 address, or an IPv6 address in brackets
 * (check.c has made sure it is one of those). */
static void add_host(struct buf *url, const char *host)
{
	if (strchr(host, ':'))
		buf_addf(url, "[%s]", host);
	else
		buf_adds(url, host);
}

/* Text percent-encoded except for the characters in keep. */
static void add_encoded(struct buf *url, const char *v, const char *keep)
{
	for (const char *c = v; *c; c++) {
		if (is_alnum(*c) || strchr(keep, *c))
			buf_add(url, c, 1);
		else
			add_percent(url, (unsigned char)*c);
	}
}

/* JDBC_PARAMS as given, with what a URL query cannot hold encoded (an
 * escape already there is kept). */
static void add_params(struct buf *url, const char *params)
{
	for (const char *c = params; *c; c++) {
		if (*c == '%' && is_hex(c[1]) && is_hex(c[2]))
			buf_add(url, c, 1);
		else if (is_alnum(*c) || strchr("-._~!$&'()*+,;=:@/?", *c))
			buf_add(url, c, 1);
		else
			add_percent(url, (unsigned char)*c);
	}
}

/* Whether JDBC_PARAMS already sets parameter name. */
static int has_param(const char *params, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = params; p && *p;) {
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return 1;
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return 0;
}

void jdbc_url(const struct db_settings *db, struct buf *url)
{
	struct db_address one = { .host = db->host, .port = db->port };
	const struct db_address *addrs = db->n_addrs ? db->addrs : &one;
	size_t n_addrs = db->n_addrs ? db->n_addrs : 1;
	const char *sep = "?";

	buf_adds(url, "jdbc:postgresql://");
	for (size_t i = 0; i < n_addrs; i++) {
		if (i)
			buf_adds(url, ",");
		add_host(url, addrs[i].host);
		buf_addf(url, ":%u", addrs[i].port);
	}
	buf_adds(url, "/");
	add_encoded(url, db->name, "-._~");
	if (db->jdbc_params && *db->jdbc_params) {
		buf_adds(url, sep);
		sep = "&";
		add_params(url, db->jdbc_params);
	}
	if (db->schema && !has_param(db->jdbc_params, "currentSchema")) {
		buf_addf(url, "%scurrentSchema=%s", sep, db->schema);
		sep = "&";
	}
	if (n_addrs > 1 && !has_param(db->jdbc_params, "targetServerType")) {
		buf_addf(url, "%stargetServerType=primary", sep);
		sep = "&";
	}
	if (db->sslmode) {
		buf_addf(url, "%ssslmode=%s", sep, db->sslmode);
		sep = "&";
	}
	if (db->sslrootcert) {
		buf_addf(url, "%ssslrootcert=", sep);
		add_encoded(url, db->sslrootcert, "-._~/");
	}
}
