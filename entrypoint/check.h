/*
 * Checks of values, and the parsers of the settings that are lists. What is
 * valid here is what the backends can write safely; the backends escape
 * what they write, but rely on these shapes (a host is a host name or an
 * address literal, a property name is a name).
 *
 * The predicates return bool. The functions that log (check_*, parse_*)
 * return 0 or EXIT_CONFIG / EXIT_NOINPUT after one line that starts with
 * source, the name of where the value came from (log.h).
 */
#ifndef KHP_CHECK_H
#define KHP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

/* A decimal number of at most 10 digits in [min, max]. */
bool parse_uint(const char *v, unsigned long min, unsigned long max, unsigned *out);

/* A host name (RFC 1123 labels, which covers container and Kubernetes
 * service names) or an IPv4 or IPv6 literal. */
bool valid_host(const char *h);

/* http(s)://host[:port][/path], as a browser would be sent to it. */
bool valid_url(const char *u);

/* A PostgreSQL schema name as Keycloak takes it: a letter or '_', then
 * letters, digits, '_', '$'; at most 63 bytes. */
bool valid_identifier(const char *v);

/* A JGroups protocol name: letters, digits, '_' and '.'. */
bool valid_protocol(const char *p);

bool is_one_of(const char *v, const char *const *choices);

/* An absolute path to an existing, readable regular file. */
int check_readable_file(const char *source, const char *path);

/* JDBC_PARAMS: "name=value&name=value", a URL query without the '?'. */
int check_jdbc_params(const char *source, const char *params);

/*
 * DB_ADDR: "host[:port][,host[:port]...]", an IPv6 address in brackets when
 * a port follows it; a server without a port gets port 0 (the caller fills
 * in DB_PORT). Appends to *addrs.
 */
int parse_db_addrs(const char *source, const char *list, struct db_address **addrs, size_t *n);

/*
 * JGROUPS_DISCOVERY_PROPERTIES: "name=value,name=value", as the
 * jboss/keycloak image took it. A comma separates properties only when the
 * next property's "name=" follows it, so a value may hold commas
 * (initial_hosts=a[7600],b[7600]). A value may also be in double quotes.
 * Appends to *props.
 */
int parse_properties(const char *source, const char *text, struct property **props, size_t *n);

#endif
