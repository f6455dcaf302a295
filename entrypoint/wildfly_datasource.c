/*
 * The datasources subsystem of standalone-ha.xml: Keycloak's KeycloakDS on
 * PostgreSQL, and the PostgreSQL JDBC driver it names (the image installs
 * the driver as the module org.postgresql.jdbc).
 */
#include "wildfly_edit.h"

#include "jdbc_url.h"
#include "log.h"

#include <string.h>

#define PG_DRIVER "postgresql"
#define PG_MODULE "org.postgresql.jdbc"
#define PG_XA_CLASS "org.postgresql.xa.PGXADataSource"
#define JCA_POSTGRES "org.jboss.jca.adapters.jdbc.extensions.postgres."
#define DS_ALLOCATION_RETRIES "15"

/* The datasource's pool, after its URL. */
static const struct line pool_lines[] = {
	{ 1, "<driver>" PG_DRIVER "</driver>" },
	{ 1, "<pool>" },
	{ 2, "<min-pool-size>0</min-pool-size>" },
	{ 2, "<max-pool-size>20</max-pool-size>" },
	{ 2, "<flush-strategy>IdleConnections</flush-strategy>" },
	{ 1, "</pool>" },
	{ 1, "<security>" },
};

/*
 * After the credentials. Each connection is checked as it is handed out
 * (validate-on-match): after PostgreSQL restarts, the pool's connections
 * are all closed, and a check now and then would hand them to requests
 * until each had failed once. A connection that cannot be opened is tried
 * again, for DS_ALLOCATION_RETRIES seconds: a name lookup that fails once
 * (an engine's DNS reloading as containers start) or a database that
 * restarts does not fail the request, nor, at boot, the server.
 */
static const struct line check_lines[] = {
	{ 1, "</security>" },
	{ 1, "<validation>" },
	{ 2, "<valid-connection-checker class-name=\"" JCA_POSTGRES
	     "PostgreSQLValidConnectionChecker\"/>" },
	{ 2, "<validate-on-match>true</validate-on-match>" },
	{ 2, "<exception-sorter class-name=\"" JCA_POSTGRES "PostgreSQLExceptionSorter\"/>" },
	{ 1, "</validation>" },
	{ 1, "<timeout>" },
	{ 2, "<allocation-retry>" DS_ALLOCATION_RETRIES "</allocation-retry>" },
	{ 2, "<allocation-retry-wait-millis>1000</allocation-retry-wait-millis>" },
	{ 1, "</timeout>" },
	{ 0, "</datasource>" },
};

#define N_LINES(a) (sizeof(a) / sizeof((a)[0]))

/* A credential: WildFly's datasource parser trims element text, so
 * surrounding blanks would silently change it. */
static int check_credential(struct render *r, const char *setting, const char *value)
{
	size_t n = strlen(value);

	if (n && (strchr(" \t\n\r", value[0]) || strchr(" \t\n\r", value[n - 1])))
		return refuse(r, EXIT_CONFIG,
			      "%s starts or ends with white space, which the server would strip",
			      setting);
	return 0;
}

/* <element>value</element> on a new line, the value literal. */
static int add_literal_element(struct render *r, struct buf *b, size_t at, const char *element,
			       const char *setting, const char *value)
{
	new_line(r, b, at, 2);
	buf_addf(b, "<%s>", element);
	int code = add_literal(r, b, setting, value);
	buf_addf(b, "</%s>", element);
	return code;
}

static int add_datasource(struct render *r, struct buf *b, const struct xml_element *ds)
{
	const struct db_settings *db = &r->s->db;
	struct buf url = { 0 };
	size_t at = ds->start;
	int code;

	if ((code = check_credential(r, SETTING_DB_USER, db->user)) ||
	    (db->password && (code = check_credential(r, SETTING_DB_PASSWORD, db->password))))
		return code;
	jdbc_url(db, &url);
	if (url.failed) {
		buf_free(&url);
		return out_of_memory(r);
	}
	/* The original start tag keeps jndi-name, pool-name, enabled and
	 * the other attributes exactly as the distribution has them. */
	buf_add(b, r->doc.text + ds->start,
		(ds->self_closing ? ds->attrs_end : ds->tag_end) - ds->start);
	if (ds->self_closing)
		buf_adds(b, ">");
	new_line(r, b, at, 1);
	buf_adds(b, "<connection-url>");
	code = add_text(r, b, SETTING_DB_HOST, url.data);
	buf_free(&url);
	if (code)
		return code;
	buf_adds(b, "</connection-url>");
	add_lines(r, b, at, pool_lines, N_LINES(pool_lines));
	if ((code = add_literal_element(r, b, at, "user-name", SETTING_DB_USER, db->user)) ||
	    (db->password && (code = add_literal_element(r, b, at, "password",
							 SETTING_DB_PASSWORD, db->password))))
		return code;
	add_lines(r, b, at, check_lines, N_LINES(check_lines));
	return b->failed ? out_of_memory(r) : 0;
}

/* The driver element; at is the offset whose indentation it takes. */
static void add_driver(struct render *r, struct buf *b, size_t at, int level)
{
	buf_adds(b, "<driver name=\"" PG_DRIVER "\" module=\"" PG_MODULE "\">");
	new_line(r, b, at, level + 1);
	buf_adds(b, "<xa-datasource-class>" PG_XA_CLASS "</xa-datasource-class>");
	new_line(r, b, at, level);
	buf_adds(b, "</driver>");
}

/* A <drivers> element holding only the driver, in b at pos's indentation. */
static void add_drivers(struct render *r, struct buf *b, size_t pos)
{
	buf_adds(b, "<drivers>");
	new_line(r, b, pos, 1);
	add_driver(r, b, pos, 1);
	new_line(r, b, pos, 0);
	buf_adds(b, "</drivers>");
}

static int render_drivers(struct render *r, const struct xml_element *dss)
{
	struct xml_element drivers, driver, last;
	struct buf *b;
	int x = xml_find_child(&r->doc, dss, "drivers", NULL, NULL, XML_EXACT, &drivers);

	if (x < 0)
		return malformed(r);
	if (x == 0) {
		/* No <drivers>: it comes after the datasources. */
		if (last_child(r, dss, &last) != 1)
			return malformed(r);
		b = add_edit(r, last.end, last.end);
		new_line(r, b, last.start, 0);
		add_drivers(r, b, last.start);
		return 0;
	}
	x = xml_find_child(&r->doc, &drivers, "driver", "name", PG_DRIVER, XML_EXACT, &driver);
	if (x < 0)
		return malformed(r);
	if (x == 1) {
		add_driver(r, add_edit(r, driver.start, driver.end), driver.start, 0);
		return 0;
	}
	x = last_child(r, &drivers, &last);
	if (x < 0)
		return malformed(r);
	if (x == 1) {
		b = add_edit(r, last.end, last.end);
		new_line(r, b, last.start, 0);
		add_driver(r, b, last.start, 0);
		return 0;
	}
	/* An empty <drivers/> or <drivers></drivers>: rewrite it whole. */
	add_drivers(r, add_edit(r, drivers.start, drivers.end), drivers.start);
	return 0;
}

int render_datasources(struct render *r)
{
	struct xml_element sub, dss, ds;
	int code;

	if ((code = find_subsystem(r, "urn:jboss:domain:datasources:", "datasources", 5, 7,
				   &sub)) ||
	    (code = require_child(r, &sub, "datasources", NULL, NULL, XML_EXACT, &dss,
				  "<datasources> in the datasources subsystem")) ||
	    (code = require_child(r, &dss, "datasource", "pool-name", KEYCLOAK_POOL, XML_EXACT,
				  &ds, "<datasource pool-name=\"" KEYCLOAK_POOL "\">")))
		return code;
	learn_unit(r, &dss, &ds);
	if ((code = add_datasource(r, add_edit(r, ds.start, ds.end), &ds)))
		return code;
	return render_drivers(r, &dss);
}
