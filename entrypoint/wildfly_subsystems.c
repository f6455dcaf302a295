/*
 * The subsystems of standalone-ha.xml that only some settings change, so
 * that an unset setting leaves the distribution's choice in place:
 * keycloak-server (DB_SCHEMA, the hostname SPI), undertow
 * (PROXY_ADDRESS_FORWARDING) and logging (KEYCLOAK_LOGLEVEL, ROOT_LOGLEVEL).
 */
#include "wildfly_edit.h"

#include "log.h"

#include <stdio.h>
#include <string.h>

/* A subsystem by the prefix of its namespace, any version. */
static int find_any_subsystem(struct render *r, const char *prefix, const char *label,
			      struct xml_element *sub)
{
	char what[96];

	snprintf(what, sizeof(what), "%s subsystem", label);
	return require_child(r, &r->profile, "subsystem", "xmlns", prefix, XML_PREFIX, sub, what);
}

/* Append <property name="NAME" value="VALUE"/>, the value literal. */
static int add_property(struct render *r, struct buf *b, const char *setting, const char *name,
			const char *value)
{
	buf_addf(b, "<property name=\"%s\" value=\"", name);
	int code = add_literal(r, b, setting, value);
	buf_adds(b, "\"/>");
	return code ? code : b->failed ? out_of_memory(r) : 0;
}

/* connectionsJpa's schema property, replacing one that is there. */
static int render_schema(struct render *r, const struct xml_element *sub)
{
	struct xml_element spi, provider, props, prop, last;
	struct buf *b;
	int code, x;

	if ((code = require_child(r, sub, "spi", "name", "connectionsJpa", XML_EXACT, &spi,
				  "<spi name=\"connectionsJpa\">")) ||
	    (code = require_child(r, &spi, "provider", "name", "default", XML_EXACT, &provider,
				  "connectionsJpa <provider name=\"default\">")) ||
	    (code = require_child(r, &provider, "properties", NULL, NULL, XML_EXACT, &props,
				  "connectionsJpa <properties>")))
		return code;
	x = xml_find_child(&r->doc, &props, "property", "name", "schema", XML_EXACT, &prop);
	if (x < 0)
		return malformed(r);
	if (x == 1) {
		b = add_edit(r, prop.start, prop.end);
	} else {
		if (last_child(r, &props, &last) != 1)
			return refuse(r, EXIT_NOINPUT,
				      "standalone-ha.xml: connectionsJpa has no properties");
		b = add_edit(r, last.end, last.end);
		new_line(r, b, last.start, 0);
	}
	return add_property(r, b, "DB_SCHEMA", "schema", r->s->db.schema);
}

/* A provider's opening and closing lines around its properties. */
static const struct line provider_end[] = {
	{ 2, "</properties>" },
	{ 1, "</provider>" },
};

/* The fixed hostname provider: KEYCLOAK_HOSTNAME and its ports. */
static int add_fixed_provider(struct render *r, struct buf *b, size_t at)
{
	static const struct line start[] = {
		{ 1, "<provider name=\"fixed\" enabled=\"true\">" },
		{ 2, "<properties>" },
	};
	const struct frontend_settings *fe = &r->s->frontend;
	char num[16];
	int code;

	add_lines(r, b, at, start, 2);
	new_line(r, b, at, 3);
	if ((code = add_property(r, b, "KEYCLOAK_HOSTNAME", "hostname", fe->hostname)))
		return code;
	if (fe->http_port) {
		snprintf(num, sizeof(num), "%u", fe->http_port);
		new_line(r, b, at, 3);
		add_property(r, b, "KEYCLOAK_HTTP_PORT", "httpPort", num);
	}
	if (fe->https_port) {
		snprintf(num, sizeof(num), "%u", fe->https_port);
		new_line(r, b, at, 3);
		add_property(r, b, "KEYCLOAK_HTTPS_PORT", "httpsPort", num);
	}
	if (fe->always_https != TRI_UNSET) {
		new_line(r, b, at, 3);
		add_property(r, b, "KEYCLOAK_ALWAYS_HTTPS", "alwaysHttps",
			     fe->always_https == TRI_TRUE ? "true" : "false");
	}
	add_lines(r, b, at, provider_end, 2);
	return 0;
}

/*
 * The hostname SPI, rewritten whole: the default provider with the
 * frontend URL, and the fixed provider when KEYCLOAK_HOSTNAME is set.
 */
static int render_hostname(struct render *r, const struct xml_element *sub)
{
	static const struct line start[] = {
		{ 1, "<provider name=\"default\" enabled=\"true\">" },
		{ 2, "<properties>" },
	};
	const struct frontend_settings *fe = &r->s->frontend;
	struct xml_element spi;
	int code;

	if ((code = require_child(r, sub, "spi", "name", "hostname", XML_EXACT, &spi,
				  "<spi name=\"hostname\">")))
		return code;
	struct buf *b = add_edit(r, spi.start, spi.end);
	size_t at = spi.start;
	buf_adds(b, "<spi name=\"hostname\">");
	new_line(r, b, at, 1);
	buf_addf(b, "<default-provider>%s</default-provider>", fe->hostname ? "fixed" : "default");
	add_lines(r, b, at, start, 2);
	new_line(r, b, at, 3);
	if (fe->url)
		code = add_property(r, b, "KEYCLOAK_FRONTEND_URL", "frontendUrl", fe->url);
	else
		buf_adds(b, "<property name=\"frontendUrl\" value=\"${keycloak.frontendUrl:}\"/>");
	if (code)
		return code;
	new_line(r, b, at, 3);
	buf_adds(b, "<property name=\"forceBackendUrlToFrontendUrl\" value=\"false\"/>");
	add_lines(r, b, at, provider_end, 2);
	if (fe->hostname && (code = add_fixed_provider(r, b, at)))
		return code;
	new_line(r, b, at, 0);
	buf_adds(b, "</spi>");
	return b->failed ? out_of_memory(r) : 0;
}

int render_keycloak_server(struct render *r)
{
	const struct settings *s = r->s;
	struct xml_element sub;
	int code;

	if (!s->db.schema && !s->frontend.hostname && !s->frontend.url)
		return 0;
	if ((code = find_any_subsystem(r, "urn:jboss:domain:keycloak-server:", "keycloak-server",
				       &sub)))
		return code;
	if (s->db.schema && (code = render_schema(r, &sub)))
		return code;
	if (s->frontend.hostname || s->frontend.url)
		return render_hostname(r, &sub);
	return 0;
}

/* PROXY_ADDRESS_FORWARDING on every HTTP and HTTPS listener. */
int render_undertow(struct render *r)
{
	enum tristate forwarding = r->s->frontend.proxy_address_forwarding;
	struct xml_element sub, server, l;
	size_t cursor = 0;
	int code, x;

	if (forwarding == TRI_UNSET)
		return 0;
	if ((code = find_any_subsystem(r, "urn:jboss:domain:undertow:", "undertow", &sub)) ||
	    (code = require_child(r, &sub, "server", NULL, NULL, XML_EXACT, &server,
				  "<server> in the undertow subsystem")))
		return code;
	while ((x = xml_next_child(&r->doc, &server, &cursor, &l)) == 1) {
		if (!xml_name_is(&r->doc, &l, "http-listener") &&
		    !xml_name_is(&r->doc, &l, "https-listener"))
			continue;
		if ((code = edit_attr(r, &l, "proxy-address-forwarding",
				      forwarding == TRI_TRUE ? "true" : "false")))
			return code;
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
	int code = require_child(r, el, "level", NULL, NULL, XML_EXACT, &lv, what);

	return code ? code : edit_attr(r, &lv, "name", level);
}

/* KEYCLOAK_LOGLEVEL on the org.keycloak logger, added when it is missing. */
static int set_keycloak_level(struct render *r, const struct xml_element *sub,
			      const struct xml_element *root, const char *level)
{
	struct xml_element logger;
	int x = xml_find_child(&r->doc, sub, "logger", "category", "org.keycloak", XML_EXACT,
			       &logger);

	if (x < 0)
		return malformed(r);
	if (x == 1)
		return set_level(r, &logger, level, "<level> in the org.keycloak logger");
	struct buf *b = add_edit(r, root->start, root->start);
	buf_adds(b, "<logger category=\"org.keycloak\">");
	new_line(r, b, root->start, 1);
	buf_addf(b, "<level name=\"%s\"/>", level);
	new_line(r, b, root->start, 0);
	buf_adds(b, "</logger>");
	new_line(r, b, root->start, 0);
	return 0;
}

/* The console handler is opened as far as the more verbose of the two
 * levels, or it would drop what they let through. */
static int open_console(struct render *r, const struct xml_element *sub)
{
	const struct server_settings *srv = &r->s->server;
	const char *most = srv->log_level ? srv->log_level : srv->root_log_level;
	struct xml_element console, lv;
	char current[16];

	if (srv->root_log_level && level_rank(srv->root_log_level) < level_rank(most))
		most = srv->root_log_level;
	int x = xml_find_child(&r->doc, sub, "console-handler", "name", "CONSOLE", XML_EXACT,
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

int render_logging(struct render *r)
{
	const struct server_settings *srv = &r->s->server;
	struct xml_element sub, root;
	int code;

	if (!srv->log_level && !srv->root_log_level)
		return 0;
	if ((code = find_any_subsystem(r, "urn:jboss:domain:logging:", "logging", &sub)) ||
	    (code = require_child(r, &sub, "root-logger", NULL, NULL, XML_EXACT, &root,
				  "<root-logger> in the logging subsystem")))
		return code;
	if (srv->root_log_level &&
	    (code = set_level(r, &root, srv->root_log_level, "<level> in <root-logger>")))
		return code;
	if (srv->log_level && (code = set_keycloak_level(r, &sub, &root, srv->log_level)))
		return code;
	return open_console(r, &sub);
}
