/*
 * The clustered standalone-ha.xml, rendered by splicing the distribution's
 * own file.
 *
 * The distribution's document is parsed once (xml.c) and its subsystems
 * are edited: always the datasources, JGroups and Infinispan ones; the
 * keycloak-server (schema, hostname), undertow (proxy headers) and logging
 * ones only for the settings that ask for it, so that an unset setting
 * leaves the distribution's choice in place. Each edit replaces one byte
 * range (an element, or a start tag
 * whose attribute changes) or inserts text at one offset. The edits are
 * collected first, then applied in order while copying the original, so
 * everything outside them (comments, layout, the other subsystems) stays
 * byte for byte as the distribution wrote it, and the same input always
 * gives the same output. The result is parsed again before it is returned.
 *
 * Values from the settings are checked before they are written: XML cannot
 * carry control characters, WildFly resolves "${...}" in most values (so a
 * literal "${" in a credential is escaped the way WildFly unescapes it), the
 * JDBC URL is percent-encoded where the driver decodes it, and names that
 * become element or attribute content must look like names. Messages name
 * the setting, never its value.
 */
#include "render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xml.h"

/* The names users know the settings by, for messages. */
#define SETTING_DB_HOST "DB_ADDR"
#define SETTING_DB_USER "DB_USER"
#define SETTING_DB_PASSWORD "DB_PASSWORD"
#define SETTING_JDBC_PARAMS "JDBC_PARAMS"
#define SETTING_JGROUPS_PROTOCOL "JGROUPS_DISCOVERY_PROTOCOL"
#define SETTING_JGROUPS_PROPERTIES "JGROUPS_DISCOVERY_PROPERTIES"
#define SETTING_JGROUPS_STACK "JGROUPS_TRANSPORT_STACK"

#define KEYCLOAK_POOL "KeycloakDS"
#define PG_DRIVER "postgresql"
#define PG_MODULE "org.postgresql.jdbc"
#define PG_XA_CLASS "org.postgresql.xa.PGXADataSource"
#define JCA_POSTGRES "org.jboss.jca.adapters.jdbc.extensions.postgres."
#define DS_ALLOCATION_RETRIES "15"

/* JGROUPSPING as JGroups' JDBC_PING reads and writes it (own_addr,
 * cluster_name, ping_data), in PostgreSQL's types, plus the time a row was
 * written; "IF NOT EXISTS" because every node runs it at every start, and
 * the ALTER adds the column to a table an older image created. */
#define JDBC_PING_INITIALIZE_SQL                                              \
	"CREATE TABLE IF NOT EXISTS JGROUPSPING ("                            \
	"own_addr varchar(200) NOT NULL, "                                    \
	"cluster_name varchar(200) NOT NULL, "                                \
	"ping_data bytea, "                                                   \
	"updated timestamptz NOT NULL DEFAULT now(), "                        \
	"constraint PK_JGROUPSPING PRIMARY KEY (own_addr, cluster_name)); "   \
	"ALTER TABLE JGROUPSPING ADD COLUMN IF NOT EXISTS "                   \
	"updated timestamptz NOT NULL DEFAULT now()"

/* A crashed cluster leaves its rows behind, the dead coordinator's among
 * them, and a node that finds them sends its join requests to that
 * coordinator ten times before it starts alone. The coordinator of a live
 * cluster rewrites every member's row every JDBC_PING_REFRESH_MS at most
 * (the "info writer"), so a row that has not been written for
 * JDBC_PING_STALE is no member's: discovery reads no such row, and every
 * write of a row deletes those of its cluster. (JGroups writes a row with
 * a delete and this insert; the statement is a DELETE with the INSERT in
 * its WITH, so that the three parameters stay the insert's.) A cluster
 * that comes back at once after a crash finds rows younger than that; the
 * entrypoint removes those before the server starts (ping_rows.c). The
 * comparisons are written with '>' only: the values go into XML as they
 * are. */
#define STRING_(x) #x
#define STRING(x) STRING_(x)
#define JDBC_PING_REFRESH_MS STRING(JDBC_PING_REFRESH_S) "000"
#define JDBC_PING_STALE STRING(JDBC_PING_STALE_S) " seconds"
#define JDBC_PING_SELECT_SQL                                                  \
	"SELECT ping_data, own_addr, cluster_name FROM JGROUPSPING "          \
	"WHERE cluster_name=? AND updated > now() - interval '"               \
	JDBC_PING_STALE "'"
#define JDBC_PING_INSERT_SQL                                                  \
	"WITH written AS (INSERT INTO JGROUPSPING "                           \
	"(own_addr, cluster_name, ping_data) VALUES (?, ?, ?) "               \
	"RETURNING cluster_name) "                                            \
	"DELETE FROM JGROUPSPING USING written "                              \
	"WHERE JGROUPSPING.cluster_name = written.cluster_name "              \
	"AND now() - interval '" JDBC_PING_STALE "' > JGROUPSPING.updated"

/* Edits per document: one datasource, one driver, a channel, a discovery
 * protocol, seven caches, and a few of the keycloak-server, undertow and
 * logging subsystems. */
#define MAX_EDITS 40
/* Indentation copied from the document; longer runs are not reproduced. */
#define MAX_INDENT 64

struct edit {
	size_t start;
	size_t end;
	struct xml_buf text;
};

struct render {
	const struct settings *s;
	struct xml_doc doc;
	struct xml_element profile;
	char unit[MAX_INDENT + 1];	/* one level of indentation */
	struct edit edits[MAX_EDITS];
	size_t n_edits;
	char *err;
	size_t err_len;
};

static int refuse(struct render *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct render *r, int code, const char *fmt, ...)
{
	va_list ap;

	if (r->err && r->err_len) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->err_len, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int malformed(struct render *r)
{
	return refuse(r, EXIT_NOINPUT,
		      "standalone-ha.xml is not well-formed XML at byte %zu: %s",
		      r->doc.err_offset,
		      r->doc.err_msg ? r->doc.err_msg : "unknown error");
}

static int out_of_memory(struct render *r)
{
	return refuse(r, EXIT_OSERR, "out of memory rendering standalone-ha.xml");
}

/* A new edit replacing [start, end); its text is filled by the caller. */
static struct xml_buf *add_edit(struct render *r, size_t start, size_t end)
{
	if (r->n_edits == MAX_EDITS)
		return NULL;
	struct edit *e = &r->edits[r->n_edits++];
	e->start = start;
	e->end = end;
	memset(&e->text, 0, sizeof(e->text));
	return &e->text;
}

/* Find a child element or explain, in err, what the file lacks. */
static int require_child(struct render *r, const struct xml_element *parent,
			 const char *name, const char *attr, const char *value,
			 enum xml_match how, struct xml_element *found,
			 const char *what)
{
	int x = xml_find_child(&r->doc, parent, name, attr, value, how, found);

	if (x < 0)
		return malformed(r);
	if (x == 0)
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml has no %s",
			      what);
	return 0;
}

/*
 * The subsystem whose xmlns is prefix followed by "MAJOR.0" with MAJOR in
 * [min_major, max_major] (max_major 0: any).
 */
static int find_subsystem(struct render *r, const char *prefix,
			  const char *label, unsigned min_major,
			  unsigned max_major, struct xml_element *sub)
{
	char ns[128];
	char what[64];
	unsigned major = 0;
	size_t n = strlen(prefix);
	int ok;

	snprintf(what, sizeof(what), "%s subsystem", label);
	int code = require_child(r, &r->profile, "subsystem", "xmlns", prefix,
				 XML_PREFIX, sub, what);
	if (code)
		return code;
	if (xml_attr_value(&r->doc, sub, "xmlns", ns, sizeof(ns)) != 1)
		return malformed(r);
	const char *v = ns + n;
	ok = *v >= '1' && *v <= '9';
	for (; ok && *v >= '0' && *v <= '9' && major < 1000; v++)
		major = major * 10 + (unsigned)(*v - '0');
	ok = ok && strcmp(v, ".0") == 0 && major >= min_major &&
	     (max_major == 0 || major <= max_major);
	if (!ok) {
		if (max_major)
			return refuse(r, EXIT_NOINPUT,
				      "standalone-ha.xml: %s subsystem schema "
				      "\"%.80s\" is not supported (supported: "
				      "%u.0 to %u.0)",
				      label, ns, min_major, max_major);
		return refuse(r, EXIT_NOINPUT,
			      "standalone-ha.xml: %s subsystem schema \"%.80s\" "
			      "is not supported", label, ns);
	}
	return 0;
}

/* The run of blanks before pos when pos starts a line, else empty. */
static struct xml_span line_indent(const struct xml_doc *doc, size_t pos)
{
	size_t p = pos;

	while (p > 0 && pos - p < MAX_INDENT &&
	       (doc->text[p - 1] == ' ' || doc->text[p - 1] == '\t'))
		p--;
	if (p > 0 && doc->text[p - 1] != '\n')
		p = pos;
	return (struct xml_span){p, pos};
}

/* One level of indentation: how much deeper child sits than parent. */
static void learn_unit(struct render *r, const struct xml_element *parent,
		       const struct xml_element *child)
{
	struct xml_span p = line_indent(&r->doc, parent->start);
	struct xml_span c = line_indent(&r->doc, child->start);
	size_t pl = p.end - p.start, cl = c.end - c.start;

	if (cl > pl && memcmp(r->doc.text + p.start, r->doc.text + c.start,
			      pl) == 0) {
		memcpy(r->unit, r->doc.text + c.start + pl, cl - pl);
		r->unit[cl - pl] = '\0';
	} else {
		strcpy(r->unit, "    ");
	}
}

/* A new line indented like the element at pos, plus levels units. */
static void new_line(struct render *r, struct xml_buf *b, size_t pos,
		     int levels)
{
	struct xml_span in = line_indent(&r->doc, pos);

	xml_buf_adds(b, "\n");
	xml_buf_add(b, r->doc.text + in.start, in.end - in.start);
	for (int i = 0; i < levels; i++)
		xml_buf_adds(b, r->unit);
}

/* Whether WildFly would read s as an expression: "${" with a "}" after. */
static int looks_like_expression(const char *s)
{
	const char *open = strstr(s, "${");

	return open && strchr(open + 2, '}') != NULL;
}


/* The outcome of escaping a setting's value, as a result of rendering. */
static int escape_outcome(struct render *r, enum xml_escape_result e, const char *setting)
{
	switch (e) {
	case XML_ESCAPE_OK:
		return 0;
	case XML_ESCAPE_CONTROL:
		return refuse(r, EXIT_CONFIG,
			      "%s contains a control character, which XML 1.0 "
			      "cannot carry", setting);
	case XML_ESCAPE_UTF8:
		return refuse(r, EXIT_CONFIG, "%s is not valid UTF-8", setting);
	default:
		return out_of_memory(r);
	}
}

/*
 * Append a value from the settings as XML text, to be read by WildFly
 * literally. WildFly resolves a value containing "${...}" as an expression,
 * in which "$$" stands for "$"; doubling every '$' of such a value makes it
 * resolve to itself.
 */
static int add_literal(struct render *r, struct xml_buf *b,
		       const char *setting, const char *value)
{
	struct xml_buf tmp = {0};
	const char *v = value;
	enum xml_escape_result e;

	if (looks_like_expression(value)) {
		for (const char *c = value; *c; c++) {
			xml_buf_add(&tmp, c, 1);
			if (*c == '$')
				xml_buf_add(&tmp, "$", 1);
		}
		if (tmp.failed) {
			xml_buf_free(&tmp);
			return out_of_memory(r);
		}
		v = tmp.data;
	}
	e = xml_escape(b, v, strlen(v));
	xml_buf_free(&tmp);
	return escape_outcome(r, e, setting);
}

/* Append a value that may contain WildFly expressions on purpose. */
static int add_text(struct render *r, struct xml_buf *b, const char *setting,
		    const char *value)
{
	return escape_outcome(r, xml_escape(b, value, strlen(value)), setting);
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}


static void add_percent(struct xml_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3] = {'%', hex[c >> 4], hex[c & 15]};

	xml_buf_add(b, enc, 3);
}

/* The host part of the URL: a name, an IPv4 address, or an IPv6 address
 * in brackets. settings.c has checked that it is one of those. */
static void add_url_host(const char *host, struct xml_buf *url)
{
	if (strchr(host, ':')) {
		xml_buf_adds(url, "[");
		xml_buf_adds(url, host);
		xml_buf_adds(url, "]");
	} else {
		xml_buf_adds(url, host);
	}
}

/* Append text percent-encoded where a URL query value cannot hold it. */
static void add_query_value(struct xml_buf *url, const char *v)
{
	for (const char *c = v; *c; c++) {
		if (is_alnum(*c) || strchr("-._~/", *c))
			xml_buf_add(url, c, 1);
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

/*
 * jdbc:postgresql://HOST:PORT[,HOST:PORT...]/DB[?PARAMS][&sslmode=..]. The
 * driver URL-decodes the database name and the parameter values, so the
 * name is percent-encoded whole and the parameters keep their structure
 * ('&', '=') with only characters a URL query cannot hold encoded. With
 * several servers, the pool connects to the one that accepts writes.
 */
static int build_jdbc_url(struct render *r, struct xml_buf *url)
{
	const struct settings *s = r->s;
	struct db_address one = {.host = s->db_host, .port = s->db_port};
	const struct db_address *addrs = s->n_db_addrs ? s->db_addrs : &one;
	size_t n_addrs = s->n_db_addrs ? s->n_db_addrs : 1;
	char port[16];
	const char *sep = "?";

	xml_buf_adds(url, "jdbc:postgresql://");
	for (size_t i = 0; i < n_addrs; i++) {
		if (i)
			xml_buf_adds(url, ",");
		add_url_host(addrs[i].host, url);
		snprintf(port, sizeof(port), ":%u", addrs[i].port);
		xml_buf_adds(url, port);
	}
	xml_buf_adds(url, "/");
	for (const char *c = s->db_name; *c; c++) {
		if (is_alnum(*c) || strchr("-._~", *c))
			xml_buf_add(url, c, 1);
		else
			add_percent(url, (unsigned char)*c);
	}
	if (s->jdbc_params && *s->jdbc_params) {
		xml_buf_adds(url, sep);
		sep = "&";
		for (const char *c = s->jdbc_params; *c; c++) {
			if (*c == '%' && is_hex(c[1]) && is_hex(c[2]))
				xml_buf_add(url, c, 1);
			else if (is_alnum(*c) || strchr("-._~!$&'()*+,;=:@/?", *c))
				xml_buf_add(url, c, 1);
			else
				add_percent(url, (unsigned char)*c);
		}
	}
	/* Unqualified names (JDBC_PING's table among them) go to the schema
	 * Keycloak uses. */
	if (s->db_schema && !has_param(s->jdbc_params, "currentSchema")) {
		xml_buf_adds(url, sep);
		sep = "&";
		xml_buf_adds(url, "currentSchema=");
		xml_buf_adds(url, s->db_schema);
	}
	if (n_addrs > 1 && !has_param(s->jdbc_params, "targetServerType")) {
		xml_buf_adds(url, sep);
		sep = "&";
		xml_buf_adds(url, "targetServerType=primary");
	}
	if (s->db_sslmode) {
		xml_buf_adds(url, sep);
		sep = "&";
		xml_buf_adds(url, "sslmode=");
		xml_buf_adds(url, s->db_sslmode);
	}
	if (s->db_sslrootcert) {
		xml_buf_adds(url, sep);
		xml_buf_adds(url, "sslrootcert=");
		add_query_value(url, s->db_sslrootcert);
	}
	return url->failed ? out_of_memory(r) : 0;
}

/* A credential: WildFly's datasource parser trims element text, so
 * surrounding blanks would silently change it. */
static int check_credential(struct render *r, const char *setting,
			    const char *value)
{
	size_t n = strlen(value);

	if (n && (strchr(" \t\n\r", value[0]) || strchr(" \t\n\r", value[n - 1])))
		return refuse(r, EXIT_CONFIG,
			      "%s starts or ends with white space, which the "
			      "server would strip", setting);
	return 0;
}

static int add_datasource(struct render *r, struct xml_buf *b,
			  const struct xml_element *ds)
{
	struct xml_buf url = {0};
	const struct settings *s = r->s;
	size_t at = ds->start;
	int code;

	if ((code = check_credential(r, SETTING_DB_USER, s->db_user)) ||
	    (s->db_password &&
	     (code = check_credential(r, SETTING_DB_PASSWORD, s->db_password))))
		return code;
	if ((code = build_jdbc_url(r, &url)) != 0) {
		xml_buf_free(&url);
		return code;
	}
	/* The original start tag keeps jndi-name, pool-name, enabled and
	 * the other attributes exactly as the distribution has them. */
	if (ds->self_closing) {
		xml_buf_add(b, r->doc.text + ds->start, ds->attrs_end - ds->start);
		xml_buf_adds(b, ">");
	} else {
		xml_buf_add(b, r->doc.text + ds->start, ds->tag_end - ds->start);
	}
	new_line(r, b, at, 1);
	xml_buf_adds(b, "<connection-url>");
	code = add_text(r, b, SETTING_DB_HOST, url.data);
	xml_buf_free(&url);
	if (code)
		return code;
	xml_buf_adds(b, "</connection-url>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "<driver>" PG_DRIVER "</driver>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "<pool>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<min-pool-size>0</min-pool-size>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<max-pool-size>20</max-pool-size>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<flush-strategy>IdleConnections</flush-strategy>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "</pool>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "<security>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<user-name>");
	if ((code = add_literal(r, b, SETTING_DB_USER, s->db_user)) != 0)
		return code;
	xml_buf_adds(b, "</user-name>");
	if (s->db_password) {
		new_line(r, b, at, 2);
		xml_buf_adds(b, "<password>");
		code = add_literal(r, b, SETTING_DB_PASSWORD, s->db_password);
		if (code)
			return code;
		xml_buf_adds(b, "</password>");
	}
	new_line(r, b, at, 1);
	xml_buf_adds(b, "</security>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "<validation>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<valid-connection-checker class-name=\"" JCA_POSTGRES
			"PostgreSQLValidConnectionChecker\"/>");
	new_line(r, b, at, 2);
	/* Each connection is checked as it is handed out: after PostgreSQL
	 * restarts, the pool's connections are all closed, and a check now
	 * and then would hand them to requests until each had failed once. */
	xml_buf_adds(b, "<validate-on-match>true</validate-on-match>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<exception-sorter class-name=\"" JCA_POSTGRES
			"PostgreSQLExceptionSorter\"/>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "</validation>");
	new_line(r, b, at, 1);
	/* A connection that cannot be opened is tried again, for
	 * DS_ALLOCATION_RETRIES seconds: a name lookup that fails once (an
	 * engine's DNS reloading as containers start) or a database that
	 * restarts does not fail the request, nor, at boot, the server. */
	xml_buf_adds(b, "<timeout>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<allocation-retry>" DS_ALLOCATION_RETRIES
			"</allocation-retry>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<allocation-retry-wait-millis>1000"
			"</allocation-retry-wait-millis>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "</timeout>");
	new_line(r, b, at, 0);
	xml_buf_adds(b, "</datasource>");
	return b->failed ? out_of_memory(r) : 0;
}

/* The driver element; at is the offset whose indentation it takes. */
static void add_driver(struct render *r, struct xml_buf *b, size_t at,
		       int level)
{
	xml_buf_adds(b, "<driver name=\"" PG_DRIVER "\" module=\"" PG_MODULE
			"\">");
	new_line(r, b, at, level + 1);
	xml_buf_adds(b, "<xa-datasource-class>" PG_XA_CLASS
			"</xa-datasource-class>");
	new_line(r, b, at, level);
	xml_buf_adds(b, "</driver>");
}

/* The last child element of parent; 1, 0 (none) or -1. */
static int last_child(struct render *r, const struct xml_element *parent,
		      struct xml_element *last)
{
	size_t cursor = 0;
	struct xml_element child;
	int found = 0, x;

	while ((x = xml_next_child(&r->doc, parent, &cursor, &child)) == 1) {
		*last = child;
		found = 1;
	}
	return x < 0 ? -1 : found;
}

static int render_drivers(struct render *r, const struct xml_element *dss)
{
	struct xml_element drivers, driver, last;
	struct xml_buf *b;
	int x;

	x = xml_find_child(&r->doc, dss, "drivers", NULL, NULL, XML_EXACT,
			   &drivers);
	if (x < 0)
		return malformed(r);
	if (x == 0) {
		/* No <drivers>: it comes after the datasources. */
		if (last_child(r, dss, &last) != 1)
			return malformed(r);
		if (!(b = add_edit(r, last.end, last.end)))
			return refuse(r, EXIT_SOFTWARE, "too many edits");
		new_line(r, b, last.start, 0);
		xml_buf_adds(b, "<drivers>");
		new_line(r, b, last.start, 1);
		add_driver(r, b, last.start, 1);
		new_line(r, b, last.start, 0);
		xml_buf_adds(b, "</drivers>");
		return 0;
	}
	x = xml_find_child(&r->doc, &drivers, "driver", "name", PG_DRIVER,
			   XML_EXACT, &driver);
	if (x < 0)
		return malformed(r);
	if (x == 1) {
		if (!(b = add_edit(r, driver.start, driver.end)))
			return refuse(r, EXIT_SOFTWARE, "too many edits");
		add_driver(r, b, driver.start, 0);
		return 0;
	}
	x = last_child(r, &drivers, &last);
	if (x < 0)
		return malformed(r);
	if (x == 1) {
		if (!(b = add_edit(r, last.end, last.end)))
			return refuse(r, EXIT_SOFTWARE, "too many edits");
		new_line(r, b, last.start, 0);
		add_driver(r, b, last.start, 0);
		return 0;
	}
	/* An empty <drivers/> or <drivers></drivers>: rewrite it whole. */
	if (!(b = add_edit(r, drivers.start, drivers.end)))
		return refuse(r, EXIT_SOFTWARE, "too many edits");
	xml_buf_adds(b, "<drivers>");
	new_line(r, b, drivers.start, 1);
	add_driver(r, b, drivers.start, 1);
	new_line(r, b, drivers.start, 0);
	xml_buf_adds(b, "</drivers>");
	return 0;
}

static int render_datasources(struct render *r)
{
	struct xml_element sub, dss, ds;
	struct xml_buf *b;
	int code;

	if ((code = find_subsystem(r, "urn:jboss:domain:datasources:",
				   "datasources", 5, 7, &sub)) ||
	    (code = require_child(r, &sub, "datasources", NULL, NULL, XML_EXACT,
				  &dss, "<datasources> in the datasources "
				  "subsystem")) ||
	    (code = require_child(r, &dss, "datasource", "pool-name",
				  KEYCLOAK_POOL, XML_EXACT, &ds,
				  "<datasource pool-name=\"" KEYCLOAK_POOL "\">")))
		return code;
	learn_unit(r, &dss, &ds);
	if (!(b = add_edit(r, ds.start, ds.end)))
		return refuse(r, EXIT_SOFTWARE, "too many edits");
	if ((code = add_datasource(r, b, &ds)) != 0)
		return code;
	return render_drivers(r, &dss);
}

/* Discovery protocols that the rendered one replaces when they directly
 * follow the transport. */
static int is_discovery(const char *type)
{
	size_t n = strlen(type);

	return (n >= 4 && strcmp(type + n - 4, "PING") == 0) ||
	       strcmp(type, "TCPGOSSIP") == 0;
}

static const char *find_property(const struct settings *s, const char *name)
{
	for (size_t i = 0; i < s->n_jgroups_properties; i++) {
		if (s->jgroups_properties[i].name &&
		    strcmp(s->jgroups_properties[i].name, name) == 0)
			return s->jgroups_properties[i].value
				       ? s->jgroups_properties[i].value
				       : "";
	}
	return NULL;
}

bool jdbc_ping_keeps_rows(const struct settings *s)
{
	static const char *const prefixes[] = { "connection_", "datasource_", "info_writer_" };

	if (s->jgroups_protocol && strcmp(s->jgroups_protocol, "JDBC_PING") != 0)
		return false;
	for (size_t i = 0; i < s->n_jgroups_properties; i++) {
		const char *name = s->jgroups_properties[i].name;
		size_t n = name ? strlen(name) : 0;

		if (n >= 4 && strcmp(name + n - 4, "_sql") == 0)
			return false;
		for (size_t j = 0; n && j < sizeof(prefixes) / sizeof(prefixes[0]); j++)
			if (strncmp(name, prefixes[j], strlen(prefixes[j])) == 0)
				return false;
	}
	return true;
}

static int add_property_start(struct render *r, struct xml_buf *b, size_t at,
			      const char *name)
{
	new_line(r, b, at, 1);
	xml_buf_adds(b, "<property name=\"");
	int code = add_text(r, b, SETTING_JGROUPS_PROPERTIES, name);
	xml_buf_adds(b, "\">");
	return code;
}

/*
 * The discovery protocol element for s->jgroups_protocol; at is the offset
 * whose indentation it takes, transport_type "TCP" or "UDP".
 */
static int add_discovery(struct render *r, struct xml_buf *b, size_t at,
			 const char *transport_type)
{
	static const struct {
		const char *name;
		const char *value;
	} jdbc_ping_defaults[] = {
		{"initialize_sql", JDBC_PING_INITIALIZE_SQL},
		{"insert_single_sql", JDBC_PING_INSERT_SQL},
		{"select_all_pingdata_sql", JDBC_PING_SELECT_SQL},
		/* At every view change the coordinator deletes the old
		 * coordinator's row and writes every member's (without
		 * update_store_on_view_change it only writes them when a
		 * member left, so a join would leave the table without the
		 * new member's row). Not remove_all_data_on_view_change:
		 * JGroups 4.2 empties the table with a connection it does not
		 * check, and when the database cannot be reached at that
		 * moment the view change fails with a NullPointerException;
		 * at boot that leaves the server without its channel. */
		{"remove_all_data_on_view_change", "false"},
		{"remove_old_coords_on_view_change", "true"},
		{"update_store_on_view_change", "true"},
		/* The info writer stops after this many writes: never, here. */
		{"info_writer_sleep_time", JDBC_PING_REFRESH_MS},
		{"info_writer_max_writes_after_view", "2147483647"},
	};
	const struct settings *s = r->s;
	const char *proto = s->jgroups_protocol ? s->jgroups_protocol : "JDBC_PING";
	const char *element = "protocol";
	int jdbc = 0, code;
	size_t n_props = 0;

	/* PING needs the UDP transport's multicast. settings.c pairs it
	 * with the udp stack; this checks that the distribution's stack of
	 * that name really has a UDP transport. */
	if (strcmp(proto, "PING") == 0 && strcmp(transport_type, "UDP") != 0)
		return refuse(r, EXIT_CONFIG, SETTING_JGROUPS_PROTOCOL
			      " PING needs multicast, which only a UDP "
			      "transport has; use MPING or JDBC_PING");
	if (strcmp(proto, "JDBC_PING") == 0) {
		element = "jdbc-protocol";
		jdbc = 1;
	} else if (strcmp(proto, "MPING") == 0) {
		element = "socket-protocol";
	}

	xml_buf_adds(b, "<");
	xml_buf_adds(b, element);
	xml_buf_adds(b, " type=\"");
	if ((code = add_text(r, b, SETTING_JGROUPS_PROTOCOL, proto)))
		return code;
	xml_buf_adds(b, "\"");
	if (jdbc)
		xml_buf_adds(b, " data-source=\"" KEYCLOAK_POOL "\"");
	if (strcmp(proto, "MPING") == 0)
		xml_buf_adds(b, " socket-binding=\"jgroups-mping\"");
	if (jdbc) {
		for (size_t i = 0; i < sizeof(jdbc_ping_defaults) /
					   sizeof(jdbc_ping_defaults[0]); i++) {
			/* A property the user sets replaces the default. */
			if (find_property(s, jdbc_ping_defaults[i].name))
				continue;
			if (n_props++ == 0)
				xml_buf_adds(b, ">");
			if ((code = add_property_start(r, b, at,
						       jdbc_ping_defaults[i].name)))
				return code;
			xml_buf_adds(b, jdbc_ping_defaults[i].value);
			xml_buf_adds(b, "</property>");
		}
	}
	for (size_t i = 0; i < s->n_jgroups_properties; i++) {
		const struct property *p = &s->jgroups_properties[i];

		if (n_props++ == 0)
			xml_buf_adds(b, ">");
		if ((code = add_property_start(r, b, at, p->name)))
			return code;
		/* Property values may use WildFly expressions on purpose,
		 * e.g. initial_hosts="${env.PEERS}". */
		code = add_text(r, b, SETTING_JGROUPS_PROPERTIES,
				p->value ? p->value : "");
		if (code)
			return code;
		xml_buf_adds(b, "</property>");
	}
	if (n_props == 0) {
		xml_buf_adds(b, "/>");
	} else {
		new_line(r, b, at, 0);
		xml_buf_adds(b, "</");
		xml_buf_adds(b, element);
		xml_buf_adds(b, ">");
	}
	return b->failed ? out_of_memory(r) : 0;
}

static int render_jgroups(struct render *r)
{
	struct xml_element sub, channels, channel, stacks, stack, transport;
	struct xml_element next;
	char channel_name[128] = "ee", transport_type[32], type[128];
	const char *stack_name = r->s->jgroups_stack ? r->s->jgroups_stack : "tcp";
	struct xml_buf *b;
	size_t cursor = 0;
	int code, x;

	if ((code = find_subsystem(r, "urn:jboss:domain:jgroups:", "jgroups",
				   5, 8, &sub)) ||
	    (code = require_child(r, &sub, "channels", NULL, NULL, XML_EXACT,
				  &channels, "<channels> in the jgroups "
				  "subsystem")))
		return code;
	if (xml_attr_value(&r->doc, &channels, "default", channel_name,
			   sizeof(channel_name)) < 0)
		return malformed(r);
	if ((code = require_child(r, &channels, "channel", "name", channel_name,
				  XML_EXACT, &channel,
				  "<channel> for the default channel")) ||
	    (code = require_child(r, &sub, "stacks", NULL, NULL, XML_EXACT,
				  &stacks, "<stacks> in the jgroups subsystem")))
		return code;
	x = xml_find_child(&r->doc, &stacks, "stack", "name", stack_name,
			   XML_EXACT, &stack);
	if (x < 0)
		return malformed(r);
	if (x == 0)
		return refuse(r, EXIT_CONFIG, SETTING_JGROUPS_STACK
			      ": the distribution has no stack named \"%s\"",
			      stack_name);

	if (!(b = add_edit(r, channel.start, channel.tag_end)))
		return refuse(r, EXIT_SOFTWARE, "too many edits");
	if (xml_set_attr(&r->doc, &channel, "stack", stack_name, b) != 0)
		return b->failed ? out_of_memory(r) : malformed(r);

	x = xml_next_child(&r->doc, &stack, &cursor, &transport);
	if (x < 0)
		return malformed(r);
	if (x == 0 || !xml_name_is(&r->doc, &transport, "transport"))
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml: stack \"%s\" "
			      "does not start with <transport>", stack_name);
	if (xml_attr_value(&r->doc, &transport, "type", transport_type,
			   sizeof(transport_type)) != 1)
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml: the transport "
			      "of stack \"%s\" has no type", stack_name);

	x = xml_next_child(&r->doc, &stack, &cursor, &next);
	if (x < 0)
		return malformed(r);
	if (x == 1 && xml_attr_value(&r->doc, &next, "type", type,
				     sizeof(type)) == 1 && is_discovery(type)) {
		if (!(b = add_edit(r, next.start, next.end)))
			return refuse(r, EXIT_SOFTWARE, "too many edits");
		return add_discovery(r, b, next.start, transport_type);
	}
	/* No discovery protocol yet: it goes right after the transport. */
	if (!(b = add_edit(r, transport.end, transport.end)))
		return refuse(r, EXIT_SOFTWARE, "too many edits");
	new_line(r, b, transport.start, 0);
	return add_discovery(r, b, transport.start, transport_type);
}

static int render_caches(struct render *r)
{
	static const struct {
		const char *cache;
		int auth;
	} caches[] = {
		{"sessions", 0}, {"authenticationSessions", 1},
		{"offlineSessions", 0}, {"clientSessions", 0},
		{"offlineClientSessions", 0}, {"loginFailures", 0},
		{"actionTokens", 0},
	};
	struct xml_element sub, container, cache;
	char what[96], owners[16];
	int code;

	if ((code = find_subsystem(r, "urn:jboss:domain:infinispan:",
				   "infinispan", 1, 0, &sub)) ||
	    (code = require_child(r, &sub, "cache-container", "name",
				  "keycloak", XML_EXACT, &container,
				  "<cache-container name=\"keycloak\">")))
		return code;
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		struct xml_buf *b;

		snprintf(what, sizeof(what),
			 "<distributed-cache name=\"%s\"> in the keycloak "
			 "cache container", caches[i].cache);
		if ((code = require_child(r, &container, "distributed-cache",
					  "name", caches[i].cache, XML_EXACT,
					  &cache, what)))
			return code;
		snprintf(owners, sizeof(owners), "%u",
			 caches[i].auth ? r->s->cache_owners_auth
					: r->s->cache_owners);
		if (!(b = add_edit(r, cache.start, cache.tag_end)))
			return refuse(r, EXIT_SOFTWARE, "too many edits");
		if (xml_set_attr(&r->doc, &cache, "owners", owners, b) != 0)
			return b->failed ? out_of_memory(r) : malformed(r);
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * The keycloak-server subsystem: database schema, hostname.
 */

/* A subsystem by the prefix of its namespace, any version. */
static int find_any_subsystem(struct render *r, const char *prefix,
			      const char *label, struct xml_element *sub)
{
	char what[96];

	snprintf(what, sizeof(what), "%s subsystem", label);
	return require_child(r, &r->profile, "subsystem", "xmlns", prefix,
			     XML_PREFIX, sub, what);
}

/* Append <property name="NAME" value="VALUE"/>, the value literal. */
static int add_property(struct render *r, struct xml_buf *b, const char *setting,
			const char *name, const char *value)
{
	xml_buf_adds(b, "<property name=\"");
	xml_buf_adds(b, name);
	xml_buf_adds(b, "\" value=\"");
	int code = add_literal(r, b, setting, value);
	xml_buf_adds(b, "\"/>");
	return code ? code : b->failed ? out_of_memory(r) : 0;
}

/* connectionsJpa's schema property, replacing one that is there. */
static int render_schema(struct render *r, const struct xml_element *sub)
{
	struct xml_element spi, provider, props, prop, last;
	struct xml_buf *b;
	int code, x;

	if ((code = require_child(r, sub, "spi", "name", "connectionsJpa", XML_EXACT, &spi,
				  "<spi name=\"connectionsJpa\">")) ||
	    (code = require_child(r, &spi, "provider", "name", "default", XML_EXACT,
				  &provider, "connectionsJpa <provider name=\"default\">")) ||
	    (code = require_child(r, &provider, "properties", NULL, NULL, XML_EXACT, &props,
				  "connectionsJpa <properties>")))
		return code;
	x = xml_find_child(&r->doc, &props, "property", "name", "schema", XML_EXACT, &prop);
	if (x < 0)
		return malformed(r);
	if (x == 1) {
		if (!(b = add_edit(r, prop.start, prop.end)))
			return refuse(r, EXIT_SOFTWARE, "too many edits");
	} else {
		if (last_child(r, &props, &last) != 1)
			return refuse(r, EXIT_NOINPUT,
				      "standalone-ha.xml: connectionsJpa has no properties");
		if (!(b = add_edit(r, last.end, last.end)))
			return refuse(r, EXIT_SOFTWARE, "too many edits");
		new_line(r, b, last.start, 0);
	}
	return add_property(r, b, "DB_SCHEMA", "schema", r->s->db_schema);
}

/*
 * The hostname SPI, rewritten whole: the default provider with the
 * frontend URL, or the fixed provider (KEYCLOAK_HOSTNAME and its ports).
 */
static int render_hostname(struct render *r, const struct xml_element *sub)
{
	const struct settings *s = r->s;
	struct xml_element spi;
	struct xml_buf *b;
	char num[16];
	size_t at;
	int code;

	if ((code = require_child(r, sub, "spi", "name", "hostname", XML_EXACT, &spi,
				  "<spi name=\"hostname\">")))
		return code;
	if (!(b = add_edit(r, spi.start, spi.end)))
		return refuse(r, EXIT_SOFTWARE, "too many edits");
	at = spi.start;
	xml_buf_adds(b, "<spi name=\"hostname\">");
	new_line(r, b, at, 1);
	xml_buf_adds(b, s->hostname ? "<default-provider>fixed</default-provider>"
				    : "<default-provider>default</default-provider>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "<provider name=\"default\" enabled=\"true\">");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "<properties>");
	new_line(r, b, at, 3);
	if (s->frontend_url)
		code = add_property(r, b, "KEYCLOAK_FRONTEND_URL", "frontendUrl",
				    s->frontend_url);
	else
		xml_buf_adds(b, "<property name=\"frontendUrl\" value=\"${keycloak.frontendUrl:}\"/>");
	if (code)
		return code;
	new_line(r, b, at, 3);
	xml_buf_adds(b, "<property name=\"forceBackendUrlToFrontendUrl\" value=\"false\"/>");
	new_line(r, b, at, 2);
	xml_buf_adds(b, "</properties>");
	new_line(r, b, at, 1);
	xml_buf_adds(b, "</provider>");
	if (s->hostname) {
		new_line(r, b, at, 1);
		xml_buf_adds(b, "<provider name=\"fixed\" enabled=\"true\">");
		new_line(r, b, at, 2);
		xml_buf_adds(b, "<properties>");
		new_line(r, b, at, 3);
		if ((code = add_property(r, b, "KEYCLOAK_HOSTNAME", "hostname", s->hostname)))
			return code;
		if (s->http_port) {
			snprintf(num, sizeof(num), "%u", s->http_port);
			new_line(r, b, at, 3);
			add_property(r, b, "KEYCLOAK_HTTP_PORT", "httpPort", num);
		}
		if (s->https_port) {
			snprintf(num, sizeof(num), "%u", s->https_port);
			new_line(r, b, at, 3);
			add_property(r, b, "KEYCLOAK_HTTPS_PORT", "httpsPort", num);
		}
		if (s->always_https != TRI_UNSET) {
			new_line(r, b, at, 3);
			add_property(r, b, "KEYCLOAK_ALWAYS_HTTPS", "alwaysHttps",
				     s->always_https == TRI_TRUE ? "true" : "false");
		}
		new_line(r, b, at, 2);
		xml_buf_adds(b, "</properties>");
		new_line(r, b, at, 1);
		xml_buf_adds(b, "</provider>");
	}
	new_line(r, b, at, 0);
	xml_buf_adds(b, "</spi>");
	return b->failed ? out_of_memory(r) : 0;
}

static int render_keycloak_server(struct render *r)
{
	struct xml_element sub;
	int code;

	if (!r->s->db_schema && !r->s->hostname && !r->s->frontend_url)
		return 0;
	if ((code = find_any_subsystem(r, "urn:jboss:domain:keycloak-server:",
				       "keycloak-server", &sub)))
		return code;
	if (r->s->db_schema && (code = render_schema(r, &sub)))
		return code;
	if (r->s->hostname || r->s->frontend_url)
		return render_hostname(r, &sub);
	return 0;
}

/* PROXY_ADDRESS_FORWARDING on every HTTP and HTTPS listener. */
static int render_undertow(struct render *r)
{
	struct xml_element sub, server, l;
	size_t cursor = 0;
	int code, x;

	if (r->s->proxy_address_forwarding == TRI_UNSET)
		return 0;
	if ((code = find_any_subsystem(r, "urn:jboss:domain:undertow:", "undertow", &sub)) ||
	    (code = require_child(r, &sub, "server", NULL, NULL, XML_EXACT, &server,
				  "<server> in the undertow subsystem")))
		return code;
	while ((x = xml_next_child(&r->doc, &server, &cursor, &l)) == 1) {
		if (!xml_name_is(&r->doc, &l, "http-listener") &&
		    !xml_name_is(&r->doc, &l, "https-listener"))
			continue;
		struct xml_buf *b = add_edit(r, l.start, l.tag_end);
		if (!b)
			return refuse(r, EXIT_SOFTWARE, "too many edits");
		if (xml_set_attr(&r->doc, &l, "proxy-address-forwarding",
				 r->s->proxy_address_forwarding == TRI_TRUE ? "true" : "false",
				 b) != 0)
			return b->failed ? out_of_memory(r) : malformed(r);
	}
	return x < 0 ? malformed(r) : 0;
}

/* Levels from the most verbose; a handler passes what is at least its level. */
static int level_rank(const char *level)
{
	static const char *const order[] = { "ALL", "TRACE", "DEBUG", "INFO", "WARN",
		"ERROR", "FATAL", "OFF" };

	for (int i = 0; i < 8; i++)
		if (strcmp(level, order[i]) == 0)
			return i;
	return 3;
}

/* Replace the <level name=".."/> child of el. */
static int set_level(struct render *r, const struct xml_element *el, const char *level,
		     const char *what)
{
	struct xml_element lv;
	struct xml_buf *b;
	int code;

	if ((code = require_child(r, el, "level", NULL, NULL, XML_EXACT, &lv, what)))
		return code;
	if (!(b = add_edit(r, lv.start, lv.tag_end)))
		return refuse(r, EXIT_SOFTWARE, "too many edits");
	if (xml_set_attr(&r->doc, &lv, "name", level, b) != 0)
		return b->failed ? out_of_memory(r) : malformed(r);
	return 0;
}

/*
 * KEYCLOAK_LOGLEVEL (category org.keycloak) and ROOT_LOGLEVEL; the console
 * handler is opened as far as the more verbose of them, or it would drop
 * what they let through.
 */
static int render_logging(struct render *r)
{
	const struct settings *s = r->s;
	struct xml_element sub, root, logger, console, lv;
	char current[16];
	int code, x;

	if (!s->log_level && !s->root_log_level)
		return 0;
	if ((code = find_any_subsystem(r, "urn:jboss:domain:logging:", "logging", &sub)) ||
	    (code = require_child(r, &sub, "root-logger", NULL, NULL, XML_EXACT, &root,
				  "<root-logger> in the logging subsystem")))
		return code;
	if (s->root_log_level &&
	    (code = set_level(r, &root, s->root_log_level, "<level> in <root-logger>")))
		return code;
	if (s->log_level) {
		x = xml_find_child(&r->doc, &sub, "logger", "category", "org.keycloak", XML_EXACT,
				   &logger);
		if (x < 0)
			return malformed(r);
		if (x == 1) {
			if ((code = set_level(r, &logger, s->log_level,
					      "<level> in the org.keycloak logger")))
				return code;
		} else {
			struct xml_buf *b = add_edit(r, root.start, root.start);
			if (!b)
				return refuse(r, EXIT_SOFTWARE, "too many edits");
			xml_buf_adds(b, "<logger category=\"org.keycloak\">");
			new_line(r, b, root.start, 1);
			xml_buf_adds(b, "<level name=\"");
			xml_buf_adds(b, s->log_level);
			xml_buf_adds(b, "\"/>");
			new_line(r, b, root.start, 0);
			xml_buf_adds(b, "</logger>");
			new_line(r, b, root.start, 0);
		}
	}
	const char *most = s->log_level ? s->log_level : s->root_log_level;
	if (s->root_log_level && level_rank(s->root_log_level) < level_rank(most))
		most = s->root_log_level;
	x = xml_find_child(&r->doc, &sub, "console-handler", "name", "CONSOLE", XML_EXACT,
			   &console);
	if (x < 0)
		return malformed(r);
	if (x == 0)
		return 0;
	x = xml_find_child(&r->doc, &console, "level", NULL, NULL, XML_EXACT, &lv);
	if (x < 0 || (x == 1 && xml_attr_value(&r->doc, &lv, "name", current,
					      sizeof(current)) < 0))
		return malformed(r);
	if (x == 1 && level_rank(most) < level_rank(current))
		return set_level(r, &console, most, "<level> in the CONSOLE handler");
	return 0;
}

/* Copy the document with the edits applied, in offset order. */
static int apply_edits(struct render *r, struct xml_buf *out)
{
	size_t pos = 0;

	/* Insertion sort: a dozen edits. */
	for (size_t i = 1; i < r->n_edits; i++) {
		struct edit e = r->edits[i];
		size_t j = i;

		for (; j > 0 && r->edits[j - 1].start > e.start; j--)
			r->edits[j] = r->edits[j - 1];
		r->edits[j] = e;
	}
	for (size_t i = 0; i < r->n_edits; i++) {
		const struct edit *e = &r->edits[i];

		if (e->start < pos || e->end < e->start || e->end > r->doc.len)
			return refuse(r, EXIT_SOFTWARE,
				      "overlapping edits of standalone-ha.xml");
		if (e->text.failed)
			return out_of_memory(r);
		xml_buf_add(out, r->doc.text + pos, e->start - pos);
		xml_buf_add(out, e->text.data ? e->text.data : "", e->text.len);
		pos = e->end;
	}
	xml_buf_add(out, r->doc.text + pos, r->doc.len - pos);
	return out->failed ? out_of_memory(r) : 0;
}

int render_standalone_ha(const struct settings *s, const char *dist,
			 size_t dist_len, char **out, size_t *out_len,
			 char *err, size_t err_len)
{
	struct render r = {.s = s, .err = err, .err_len = err_len};
	struct xml_element root;
	struct xml_buf result = {0};
	int code;

	strcpy(r.unit, "    ");
	*out = NULL;
	*out_len = 0;
	if (err && err_len)
		err[0] = '\0';
	if (xml_parse(&r.doc, dist, dist_len, &root) != 0)
		return malformed(&r);
	if (!xml_name_is(&r.doc, &root, "server"))
		return refuse(&r, EXIT_NOINPUT,
			      "standalone-ha.xml: the root element is not <server>");
	if ((code = require_child(&r, &root, "profile", NULL, NULL, XML_EXACT,
				  &r.profile, "<profile>")) ||
	    (code = render_datasources(&r)) || (code = render_jgroups(&r)) ||
	    (code = render_caches(&r)) || (code = render_keycloak_server(&r)) ||
	    (code = render_undertow(&r)) || (code = render_logging(&r)) ||
	    (code = apply_edits(&r, &result)))
		goto done;

	/* The splice must not have broken the document. */
	struct xml_doc check;
	struct xml_element check_root;
	if (xml_parse(&check, result.data, result.len, &check_root) != 0) {
		code = refuse(&r, EXIT_SOFTWARE,
			      "rendered standalone-ha.xml is not well-formed at "
			      "byte %zu: %s", check.err_offset, check.err_msg);
		goto done;
	}
	*out = result.data;
	*out_len = result.len;
	result.data = NULL;
done:
	for (size_t i = 0; i < r.n_edits; i++)
		xml_buf_free(&r.edits[i].text);
	xml_buf_free(&result);
	return code;
}
