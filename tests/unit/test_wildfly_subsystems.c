/*
 * Tests of the standalone-ha.xml renderer's other subsystems against the
 * real distribution's file (argv[1]): the database schema, the hostname
 * provider and its frontend URL, the listeners' proxy address forwarding,
 * the log levels and the database's several addresses are read back from
 * the output with the XML scanner, each left unset keeps the
 * distribution's value, and rendering is deterministic and idempotent.
 */
#include <stdlib.h>
#include <string.h>

#include "render_harness.h"

/* Where the settings beyond the database and the cluster are written. */
static const char *const jpa_schema[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
	"spi", "name", "connectionsJpa", "provider", "name", "default",
	"properties", NULL, NULL, "property", "name", "schema", NULL};
static const char *const hostname_spi[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
	"spi", "name", "hostname", NULL};
static const char *const fixed_host[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
	"spi", "name", "hostname", "provider", "name", "fixed",
	"properties", NULL, NULL, "property", "name", "hostname", NULL};
static const char *const frontend[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
	"spi", "name", "hostname", "provider", "name", "default",
	"properties", NULL, NULL, "property", "name", "frontendUrl", NULL};
static const char *const http_listener[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:undertow:",
	"server", "name", "default-server", "http-listener", "name", "default", NULL};
static const char *const https_listener[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:undertow:",
	"server", "name", "default-server", "https-listener", "name", "https", NULL};
static const char *const kc_level[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:logging:",
	"logger", "category", "org.keycloak", "level", NULL, NULL, NULL};
static const char *const root_level[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:logging:",
	"root-logger", NULL, NULL, "level", NULL, NULL, NULL};
static const char *const console_level[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:logging:",
	"console-handler", "name", "CONSOLE", "level", NULL, NULL, NULL};

/* Unset: the distribution's own values stay. */
static void test_server_unset(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element el;
	char buf[512];

	CHECK(render(&s, &r) == 0);
	CHECK(!walk(&r.doc, &r.root, &el, jpa_schema));
	CHECK(attr_at(&r, frontend, "value", buf, sizeof(buf)));
	CHECK_STR(buf, "${keycloak.frontendUrl:}");
	CHECK(!attr_at(&r, http_listener, "proxy-address-forwarding", buf, sizeof(buf)));
	CHECK(!walk(&r.doc, &r.root, &el, kc_level));
	CHECK(attr_at(&r, console_level, "name", buf, sizeof(buf)));
	CHECK_STR(buf, "INFO");
	release(&r);
}

/* Each set: the addresses and schema in the URL, the frontend URL, the
 * proxy address forwarding and the log levels. */
static void test_server_set(void)
{
	static struct db_address addrs[] = { { "db1", 5432 }, { "fd00::2", 5433 } };
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element ds, el;
	char buf[512];

	s.db.addrs = addrs;
	s.db.n_addrs = 2;
	s.db.sslrootcert = "/etc/ssl/db ca.pem";
	s.db.schema = "kc";
	s.frontend.url = "https://sso.example.com/auth?a=1&b=${x}";
	s.frontend.proxy_address_forwarding = TRI_TRUE;
	s.server.log_level = "DEBUG";
	s.server.root_log_level = "WARN";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://db1:5432,[fd00::2]:5433/keycloak"
		       "?currentSchema=kc&targetServerType=primary"
		       "&sslrootcert=/etc/ssl/db%20ca.pem");
	CHECK(attr_at(&r, jpa_schema, "value", buf, sizeof(buf)));
	CHECK_STR(buf, "kc");
	CHECK(attr_at(&r, frontend, "value", buf, sizeof(buf)));
	/* "${" doubled: WildFly reads the URL literally. */
	CHECK_STR(buf, "https://sso.example.com/auth?a=1&b=$${x}");
	CHECK(walk(&r.doc, &r.root, &el, hostname_spi));
	CHECK(!walk(&r.doc, &r.root, &el, fixed_host));
	CHECK(attr_at(&r, http_listener, "proxy-address-forwarding", buf, sizeof(buf)));
	CHECK_STR(buf, "true");
	CHECK(attr_at(&r, https_listener, "proxy-address-forwarding", buf, sizeof(buf)));
	CHECK_STR(buf, "true");
	CHECK(attr_at(&r, kc_level, "name", buf, sizeof(buf)));
	CHECK_STR(buf, "DEBUG");
	CHECK(attr_at(&r, root_level, "name", buf, sizeof(buf)));
	CHECK_STR(buf, "WARN");
	/* The console passes what the more verbose of the two lets through. */
	CHECK(attr_at(&r, console_level, "name", buf, sizeof(buf)));
	CHECK_STR(buf, "DEBUG");
	release(&r);
}

/* The fixed hostname provider, and a quieter level: the console is
 * not made quieter than the distribution's. */
static void test_server_fixed_hostname(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element el;
	char buf[512];

	s.frontend.hostname = "sso.example.com";
	s.frontend.https_port = 8443;
	s.frontend.always_https = TRI_FALSE;
	s.frontend.proxy_address_forwarding = TRI_FALSE;
	s.server.root_log_level = "ERROR";
	CHECK(render(&s, &r) == 0);
	CHECK(attr_at(&r, fixed_host, "value", buf, sizeof(buf)));
	CHECK_STR(buf, "sso.example.com");
	CHECK(walk(&r.doc, &r.root, &el, hostname_spi));
	CHECK(child_text(&r.doc, &el, "default-provider", buf, sizeof(buf)));
	CHECK_STR(buf, "fixed");
	CHECK(attr_at(&r, http_listener, "proxy-address-forwarding", buf, sizeof(buf)));
	CHECK_STR(buf, "false");
	CHECK(attr_at(&r, root_level, "name", buf, sizeof(buf)));
	CHECK_STR(buf, "ERROR");
	CHECK(attr_at(&r, console_level, "name", buf, sizeof(buf)));
	CHECK_STR(buf, "INFO");
	release(&r);
}

/* The settings beyond the database and the cluster: each edits its
 * subsystem, and each left unset leaves the distribution's value. */
static void test_server_settings(void)
{
	test_server_unset();
	test_server_set();
	test_server_fixed_hostname();
}

/* Same input, same bytes; rendering the output again changes nothing. */
static void test_deterministic(void)
{
	struct settings s = base_settings();
	struct rendered a, b, c;

	CHECK(render(&s, &a) == 0);
	CHECK(render(&s, &b) == 0);
	CHECK(a.len == b.len && memcmp(a.text, b.text, a.len) == 0);
	CHECK(render_text(&s, a.text, a.len, &c) == 0);
	CHECK(c.len == a.len && memcmp(c.text, a.text, a.len) == 0);
	if (c.len != a.len || memcmp(c.text, a.text, a.len) != 0)
		fprintf(stderr, "  rendering is not idempotent\n");
	release(&a);
	release(&b);
	release(&c);
}

int main(int argc, char **argv)
{
	int code = render_harness_init(argc, argv);

	if (code)
		return code;
	test_server_settings();
	test_deterministic();
	free(dist);
	return harness_summary("test_wildfly_subsystems");
}
