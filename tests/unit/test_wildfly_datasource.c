/*
 * Tests of the standalone-ha.xml renderer's datasource against the real
 * distribution's file (argv[1]): the KeycloakDS datasource and the
 * PostgreSQL driver are read back from the output with the XML scanner,
 * everything outside the edited subsystems is compared byte for byte with
 * the input, the JDBC URL and the credentials are checked for their
 * escaping, and each refusal (bad setting, unsupported schema, missing
 * element, malformed or truncated file) is checked for its exit code and
 * message.
 */
#include <stdlib.h>
#include <string.h>

#include "render_harness.h"

/* The connection: URL, driver and credentials. */
static void test_datasource_connection(struct rendered *r, const struct xml_element *ds)
{
	struct xml_element sec;
	char buf[512];

	CHECK(child_text(&r->doc, ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://db.example:5432/keycloak");
	CHECK(child_text(&r->doc, ds, "driver", buf, sizeof(buf)));
	CHECK_STR(buf, "postgresql");
	CHECK(xml_find_child(&r->doc, ds, "security", NULL, NULL,
			     XML_EXACT, &sec) == 1);
	CHECK(child_text(&r->doc, &sec, "user-name", buf, sizeof(buf)));
	CHECK_STR(buf, "kc");
	CHECK(child_text(&r->doc, &sec, "password", buf, sizeof(buf)));
	CHECK_STR(buf, "secret");
}

/* The pool, the validation of its connections and the retries. */
static void test_datasource_pool(struct rendered *r, const struct xml_element *ds)
{
	struct xml_element pool, val, vc, tmo;
	char buf[512];

	CHECK(xml_find_child(&r->doc, ds, "pool", NULL, NULL, XML_EXACT,
			     &pool) == 1);
	CHECK(child_text(&r->doc, &pool, "min-pool-size", buf, sizeof(buf)));
	CHECK_STR(buf, "0");
	CHECK(child_text(&r->doc, &pool, "max-pool-size", buf, sizeof(buf)));
	CHECK_STR(buf, "20");
	CHECK(child_text(&r->doc, &pool, "flush-strategy", buf, sizeof(buf)));
	CHECK_STR(buf, "IdleConnections");
	CHECK(xml_find_child(&r->doc, ds, "validation", NULL, NULL,
			     XML_EXACT, &val) == 1);
	CHECK(child_text(&r->doc, &val, "validate-on-match", buf,
			 sizeof(buf)));
	CHECK_STR(buf, "true");
	CHECK(xml_find_child(&r->doc, &val, "valid-connection-checker",
			     "class-name",
			     "org.jboss.jca.adapters.jdbc.extensions."
			     "postgres.PostgreSQLValidConnectionChecker",
			     XML_EXACT, &vc) == 1);
	CHECK(xml_find_child(&r->doc, &val, "exception-sorter",
			     "class-name",
			     "org.jboss.jca.adapters.jdbc.extensions."
			     "postgres.PostgreSQLExceptionSorter",
			     XML_EXACT, &vc) == 1);
	/* A connection that cannot be opened is tried again, once
	 * a second for 15 s. */
	CHECK(xml_find_child(&r->doc, ds, "timeout", NULL, NULL,
			     XML_EXACT, &tmo) == 1);
	CHECK(child_text(&r->doc, &tmo, "allocation-retry", buf,
			 sizeof(buf)));
	CHECK_STR(buf, "15");
	CHECK(child_text(&r->doc, &tmo, "allocation-retry-wait-millis",
			 buf, sizeof(buf)));
	CHECK_STR(buf, "1000");
}

/* KeycloakDS keeps its start tag; ExampleDS is not touched. */
static void test_datasource_kept(struct rendered *r, const struct xml_element *ds,
				 struct xml_doc *in, const struct xml_element *in_root)
{
	struct xml_element in_ds, example;

	/* Same start tag (jndi-name, pool-name, enabled, ...) as before. */
	CHECK(get_datasource(in, in_root, "KeycloakDS", &in_ds));
	CHECK(ds->tag_end - ds->start == in_ds.tag_end - in_ds.start &&
	      memcmp(r->text + ds->start, dist + in_ds.start,
		     ds->tag_end - ds->start) == 0);
	CHECK(xml_attr_matches(&r->doc, ds, "jndi-name",
			       "java:jboss/datasources/KeycloakDS", XML_EXACT));

	/* ExampleDS is unchanged, byte for byte. */
	CHECK(get_datasource(in, in_root, "ExampleDS", &in_ds));
	CHECK(get_datasource(&r->doc, &r->root, "ExampleDS", &example));
	CHECK(example.end - example.start == in_ds.end - in_ds.start &&
	      memcmp(r->text + example.start, dist + in_ds.start,
		     example.end - example.start) == 0);
}

/* Drivers: h2 stays, postgresql is added once. */
static void test_datasource_drivers(struct rendered *r)
{
	struct xml_element dss, drivers, drv, c;
	size_t cursor = 0, n_pg = 0;
	char buf[512];

	CHECK(walk(&r->doc, &r->root, &dss, ds_path));
	CHECK(xml_find_child(&r->doc, &dss, "drivers", NULL, NULL, XML_EXACT,
			     &drivers) == 1);
	CHECK(xml_find_child(&r->doc, &drivers, "driver", "name", "h2",
			     XML_EXACT, &drv) == 1);
	CHECK(xml_find_child(&r->doc, &drivers, "driver", "name", "postgresql",
			     XML_EXACT, &drv) == 1);
	CHECK(xml_attr_matches(&r->doc, &drv, "module", "org.postgresql.jdbc",
			       XML_EXACT));
	CHECK(child_text(&r->doc, &drv, "xa-datasource-class", buf, sizeof(buf)));
	CHECK_STR(buf, "org.postgresql.xa.PGXADataSource");
	while (xml_next_child(&r->doc, &drivers, &cursor, &c) == 1)
		if (xml_attr_matches(&r->doc, &c, "name", "postgresql",
				     XML_EXACT))
			n_pg++;
	CHECK(n_pg == 1);
}

/* Everything outside the three subsystems is byte-identical. */
static void test_datasource_outside(struct rendered *r, struct xml_doc *in,
				    const struct xml_element *in_root)
{
	static const char *const prefixes[] = {
		"urn:jboss:domain:datasources:",
		"urn:jboss:domain:infinispan:",
		"urn:jboss:domain:jgroups:",
	};
	struct xml_span a[3], b[3];
	size_t pa = 0, pb = 0;

	for (int i = 0; i < 3; i++) {
		a[i] = subsystem_span(in, in_root, prefixes[i]);
		b[i] = subsystem_span(&r->doc, &r->root, prefixes[i]);
		CHECK(a[i].end > a[i].start && b[i].end > b[i].start);
	}
	/* In this file they come in this order. */
	CHECK(a[0].end < a[1].start && a[1].end < a[2].start);
	for (int i = 0; i < 3; i++) {
		CHECK(a[i].start - pa == b[i].start - pb &&
		      memcmp(dist + pa, r->text + pb, a[i].start - pa) == 0);
		pa = a[i].end;
		pb = b[i].end;
	}
	CHECK(dist_len - pa == r->len - pb &&
	      memcmp(dist + pa, r->text + pb, dist_len - pa) == 0);
}

/* One rendering of the base settings, checked part by part. */
static void test_datasource(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_doc in;
	struct xml_element in_root, ds;

	CHECK(render(&s, &r) == 0);
	CHECK(xml_parse(&in, dist, dist_len, &in_root) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	test_datasource_connection(&r, &ds);
	test_datasource_pool(&r, &ds);
	test_datasource_kept(&r, &ds, &in, &in_root);
	test_datasource_drivers(&r);
	test_datasource_outside(&r, &in, &in_root);
	release(&r);
}

static void test_url(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element ds;
	char buf[512];

	s.db.host = "::1";
	s.db.port = 6543;
	s.db.name = "my db/\xC3\xBC+x";
	s.db.jdbc_params = "ApplicationName=kc one&options=-c x=1#";
	s.db.sslmode = "verify-full";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://[::1]:6543/my%20db%2F%C3%BC%2Bx"
		       "?ApplicationName=kc%20one&options=-c%20x=1%23"
		       "&sslmode=verify-full");
	release(&r);

	s = base_settings();
	s.db.host = "fe80::1";
	s.db.sslmode = "require";
	s.db.jdbc_params = "";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://[fe80::1]:5432/keycloak?sslmode=require");
	release(&r);

	s = base_settings();
	s.db.host = "10.0.0.5";
	s.db.jdbc_params = "a=%2F%zz";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://10.0.0.5:5432/keycloak?a=%2F%25zz");
	release(&r);
}

/* The rendering r written to out_dir passes xmllint, if there is one. */
static void test_escaping_xmllint(const struct rendered *r)
{
	char path[512], cmd[1100];

	snprintf(path, sizeof(path), "%s/test_wildfly_datasource.standalone-ha.xml",
		 out_dir);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(r->text, 1, r->len, f) == r->len);
	CHECK(fclose(f) == 0);
	if (system("command -v xmllint >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
		CHECK(system(cmd) == 0);
	} else {
		fprintf(stderr, "test_wildfly_datasource: xmllint not found, "
				"checked by the built-in parser only\n");
	}
}

/* A password with every XML special character and a non-ASCII letter
 * survives, and the written file passes xmllint. */
static void test_escaping(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element ds, sec;
	char buf[512];
	char pw[] = "p<&>\"' \xC3\xBC";

	s.db.password = pw;
	s.db.user = "u&<\"'>";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(xml_find_child(&r.doc, &ds, "security", NULL, NULL, XML_EXACT,
			     &sec) == 1);
	CHECK(child_text(&r.doc, &sec, "password", buf, sizeof(buf)));
	CHECK_STR(buf, pw);
	CHECK(strstr(r.text, "<password>p&lt;&amp;&gt;&quot;&apos; \xC3\xBC"
			     "</password>") != NULL);
	CHECK(child_text(&r.doc, &sec, "user-name", buf, sizeof(buf)));
	CHECK_STR(buf, "u&<\"'>");
	test_escaping_xmllint(&r);
	release(&r);

	/* WildFly reads "${...}" as an expression; "$$" is its literal '$'. */
	s = base_settings();
	s.db.password = "a${x}b$c";
	CHECK(render(&s, &r) == 0);
	CHECK(strstr(r.text, "<password>a$${x}b$$c</password>") != NULL);
	release(&r);
	s.db.password = "a$b{c}";
	CHECK(render(&s, &r) == 0);
	CHECK(strstr(r.text, "<password>a$b{c}</password>") != NULL);
	release(&r);
}

/*
 * Values settings.c lets through but the datasource or XML cannot carry:
 * control characters (XML 1.0 has no way to write them), invalid UTF-8,
 * credentials with blanks at either end (WildFly trims them), and PING on a
 * stack whose transport is not UDP. The range and syntax of every setting
 * is settings.c's job and tested there (tests/unit/cli.sh).
 */
static void test_bad_settings(void)
{
	struct settings s;
	struct property props[1];
	struct rendered r;

	s = base_settings();
	s.db.password = "sec\x01ret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "sec");
	s.db.password = "sec\x1b[31mret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "ret");
	s.db.password = "sec\xffret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "ret");
	s.db.password = " secret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "secret");
	s = base_settings();
	s.db.user = "a\x7f\x02";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_USER", NULL);
	s = base_settings();
	s.cluster.protocol = "PING";	/* the tcp stack's transport: no multicast */
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG,
		       "JGROUPS_DISCOVERY_PROTOCOL", NULL);
	s = base_settings();
	s.cluster.stack = "nosuch";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "JGROUPS_TRANSPORT_STACK",
		       NULL);
	s = base_settings();
	props[0] = (struct property){"x", "va\x01lue"};
	s.cluster.properties = props;
	s.cluster.n_properties = 1;
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG,
		       "JGROUPS_DISCOVERY_PROPERTIES", "lue");

	/* Names are escaped, never trusted: markup in one stays text. */
	s = base_settings();
	s.cluster.protocol = "X\"/><evil";
	props[0] = (struct property){"n\"/><p", "1"};
	s.cluster.properties = props;
	s.cluster.n_properties = 1;
	CHECK(render(&s, &r) == 0);
	CHECK(r.text && strstr(r.text, "type=\"X&quot;/&gt;&lt;evil\"") != NULL);
	CHECK(r.text && strstr(r.text, "name=\"n&quot;/&gt;&lt;p\"") != NULL);
	CHECK(r.text && strstr(r.text, "<evil") == NULL);
	release(&r);
}

/* An unsupported schema, a missing element, or a malformed file. */
static void test_bad_dist(void)
{
	struct settings s = base_settings();

	expect_bad_dist("urn:jboss:domain:datasources:7.0",
			"urn:jboss:domain:datasources:8.0", EXIT_NOINPUT,
			"datasources:8.0");
	expect_bad_dist("urn:jboss:domain:datasources:7.0",
			"urn:jboss:domain:datasources:4.0", EXIT_NOINPUT,
			"5.0 to 7.0");
	expect_bad_dist("urn:jboss:domain:jgroups:8.0",
			"urn:jboss:domain:jgroups:9.0", EXIT_NOINPUT,
			"jgroups:9.0");
	expect_bad_dist("urn:jboss:domain:jgroups:8.0",
			"urn:jboss:domain:jgroups:4.0", EXIT_NOINPUT,
			"5.0 to 8.0");
	expect_bad_dist("pool-name=\"KeycloakDS\"", "pool-name=\"OtherDS\"",
			EXIT_NOINPUT, "KeycloakDS");
	expect_bad_dist("<cache-container name=\"keycloak\"",
			"<cache-container name=\"keycloak2\"", EXIT_NOINPUT,
			"keycloak");
	expect_bad_dist("<distributed-cache name=\"actionTokens\"",
			"<distributed-cache name=\"actionTokenz\"",
			EXIT_NOINPUT, "actionTokens");
	expect_bad_dist("<channel name=\"ee\"", "<channel name=\"ef\"",
			EXIT_NOINPUT, "channel");
	expect_bad_dist("urn:jboss:domain:jgroups:", "urn:example:jgroups:",
			EXIT_NOINPUT, "jgroups");
	/* Malformed: mismatched tag, stray '<', bad entity. */
	expect_bad_dist("</drivers>", "</driverz>", EXIT_NOINPUT, "byte");
	expect_bad_dist("<drivers>", "<drivers <", EXIT_NOINPUT, "byte");
	expect_bad_dist("<driver>h2</driver>", "<driver>&h2;</driver>",
			EXIT_NOINPUT, "byte");
	expect_refusal(&s, "", 0, EXIT_NOINPUT, "well-formed", NULL);
	expect_refusal(&s, "<server/>", 9, EXIT_NOINPUT, "profile", NULL);
	expect_refusal(&s, "<other/>", 8, EXIT_NOINPUT, "server", NULL);
}

/* Truncated at many points, including inside each subsystem: every
 * prefix that ends before the root's end tag is refused cleanly. */
static void test_bad_dist_truncated(void)
{
	struct settings s = base_settings();
	struct xml_doc doc;
	struct xml_element root;
	size_t step = dist_len / 500 + 1, refused = 0, tried = 0;
	char *out = NULL;
	size_t out_len;
	char err[256];

	CHECK(xml_parse(&doc, dist, dist_len, &root) == 0);
	for (size_t len = 0; len < root.end; len += step) {
		char *copy = malloc(len ? len : 1);

		if (!copy)
			exit(2);
		memcpy(copy, dist, len);
		tried++;
		out = NULL;
		out_len = 0;
		if (render_capturing(&s, copy, len, &out, &out_len, err,
				     sizeof(err)) == EXIT_NOINPUT &&
		    out == NULL && err[0])
			refused++;
		free(out);
		free(copy);
	}
	CHECK(refused == tried);
	/* Without the trailing newline the document is still whole. */
	out = NULL;
	CHECK(render_capturing(&s, dist, root.end, &out, &out_len, err,
			       sizeof(err)) == 0);
	free(out);
}

int main(int argc, char **argv)
{
	int code = render_harness_init(argc, argv);

	if (code)
		return code;
	test_datasource();
	test_url();
	test_escaping();
	test_bad_settings();
	test_bad_dist();
	test_bad_dist_truncated();
	free(dist);
	return harness_summary("test_wildfly_datasource");
}
