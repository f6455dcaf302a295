/*
 * Tests of the standalone-ha.xml renderer against the real distribution's
 * file (argv[1]): each edited element is read back from the output with the
 * XML scanner, everything else is compared byte for byte with the input,
 * and each refusal (bad setting, unsupported schema, missing element,
 * malformed or truncated file) is checked for its exit code and message.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "log.h"
#include "render.h"
#include "xml.h"

static char *dist;
static size_t dist_len;
static const char *out_dir = "out";

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			data = realloc(data, cap);
			if (!data)
				exit(2);
		}
		size_t k = fread(data + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	*len = n;
	return data;
}

static struct property no_props[1];

static struct settings base_settings(void)
{
	struct settings s = {0};

	s.db_host = "db.example";
	s.db_port = 5432;
	s.db_name = "keycloak";
	s.db_user = "kc";
	s.db_password = "secret";
	s.jgroups_protocol = "JDBC_PING";
	s.jgroups_stack = "tcp";
	s.jgroups_properties = no_props;
	s.n_jgroups_properties = 0;
	s.cache_owners = 2;
	s.cache_owners_auth = 3;
	return s;
}

/* A rendered document, parsed back. */
struct rendered {
	char *text;
	size_t len;
	struct xml_doc doc;
	struct xml_element root;
	int code;
	char err[512];
};

static int render_text(const struct settings *s, const char *in, size_t in_len,
		       struct rendered *r)
{
	memset(r, 0, sizeof(*r));
	r->code = render_standalone_ha(s, in, in_len, &r->text, &r->len, r->err,
				       sizeof(r->err));
	if (r->code == 0 &&
	    xml_parse(&r->doc, r->text, r->len, &r->root) != 0) {
		fprintf(stderr, "output not well-formed at %zu: %s\n",
			r->doc.err_offset, r->doc.err_msg);
		r->code = -1;
	}
	if (r->code != 0 && r->code != -1 && !r->err[0])
		fprintf(stderr, "no message for exit code %d\n", r->code);
	return r->code;
}

static int render(const struct settings *s, struct rendered *r)
{
	return render_text(s, dist, dist_len, r);
}

static void release(struct rendered *r)
{
	free(r->text);
	r->text = NULL;
}

/* Find a chain of elements from the root: name, attr, value triples. */
static int walk(struct xml_doc *doc, const struct xml_element *root,
		struct xml_element *found, const char *const *path)
{
	struct xml_element cur = *root;

	for (; path[0]; path += 3) {
		enum xml_match how = XML_EXACT;
		const char *value = path[2];

		if (value && value[0] == '^') {
			how = XML_PREFIX;
			value++;
		}
		if (xml_find_child(doc, &cur, path[0], path[1], value, how,
				   &cur) != 1)
			return 0;
	}
	*found = cur;
	return 1;
}

#define PATH(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const ds_path[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:datasources:",
	"datasources", NULL, NULL, NULL};

/* The text content of el's child named name, decoded. */
static int child_text(struct xml_doc *doc, const struct xml_element *el,
		      const char *name, char *buf, size_t size)
{
	struct xml_element c;

	buf[0] = '\0';
	if (xml_find_child(doc, el, name, NULL, NULL, XML_EXACT, &c) != 1)
		return 0;
	return xml_unescape(doc->text + c.tag_end, c.content_end - c.tag_end,
			    buf, size) == 0;
}

static int get_datasource(struct xml_doc *doc, const struct xml_element *root,
			  const char *pool, struct xml_element *ds)
{
	struct xml_element dss;

	return walk(doc, root, &dss, ds_path) &&
	       xml_find_child(doc, &dss, "datasource", "pool-name", pool,
			      XML_EXACT, ds) == 1;
}

/* The span of the subsystem whose xmlns starts with prefix. */
static struct xml_span subsystem_span(struct xml_doc *doc,
				      const struct xml_element *root,
				      const char *prefix)
{
	struct xml_element profile, sub;

	if (xml_find_child(doc, root, "profile", NULL, NULL, XML_EXACT,
			   &profile) != 1 ||
	    xml_find_child(doc, &profile, "subsystem", "xmlns", prefix,
			   XML_PREFIX, &sub) != 1)
		return (struct xml_span){0, 0};
	return (struct xml_span){sub.start, sub.end};
}

static void test_datasource(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_doc in;
	struct xml_element in_root, ds, in_ds, dss, drivers, drv;
	char buf[512];

	CHECK(render(&s, &r) == 0);
	CHECK(xml_parse(&in, dist, dist_len, &in_root) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://db.example:5432/keycloak");
	CHECK(child_text(&r.doc, &ds, "driver", buf, sizeof(buf)));
	CHECK_STR(buf, "postgresql");
	{
		struct xml_element sec, pool, val, vc, tmo;

		CHECK(xml_find_child(&r.doc, &ds, "security", NULL, NULL,
				     XML_EXACT, &sec) == 1);
		CHECK(child_text(&r.doc, &sec, "user-name", buf, sizeof(buf)));
		CHECK_STR(buf, "kc");
		CHECK(child_text(&r.doc, &sec, "password", buf, sizeof(buf)));
		CHECK_STR(buf, "secret");
		CHECK(xml_find_child(&r.doc, &ds, "pool", NULL, NULL, XML_EXACT,
				     &pool) == 1);
		CHECK(child_text(&r.doc, &pool, "min-pool-size", buf, sizeof(buf)));
		CHECK_STR(buf, "0");
		CHECK(child_text(&r.doc, &pool, "max-pool-size", buf, sizeof(buf)));
		CHECK_STR(buf, "20");
		CHECK(child_text(&r.doc, &pool, "flush-strategy", buf, sizeof(buf)));
		CHECK_STR(buf, "IdleConnections");
		CHECK(xml_find_child(&r.doc, &ds, "validation", NULL, NULL,
				     XML_EXACT, &val) == 1);
		CHECK(child_text(&r.doc, &val, "validate-on-match", buf,
				 sizeof(buf)));
		CHECK_STR(buf, "true");
		CHECK(xml_find_child(&r.doc, &val, "valid-connection-checker",
				     "class-name",
				     "org.jboss.jca.adapters.jdbc.extensions."
				     "postgres.PostgreSQLValidConnectionChecker",
				     XML_EXACT, &vc) == 1);
		CHECK(xml_find_child(&r.doc, &val, "exception-sorter",
				     "class-name",
				     "org.jboss.jca.adapters.jdbc.extensions."
				     "postgres.PostgreSQLExceptionSorter",
				     XML_EXACT, &vc) == 1);
		/* A connection that cannot be opened is tried again, once
		 * a second for 15 s. */
		CHECK(xml_find_child(&r.doc, &ds, "timeout", NULL, NULL,
				     XML_EXACT, &tmo) == 1);
		CHECK(child_text(&r.doc, &tmo, "allocation-retry", buf,
				 sizeof(buf)));
		CHECK_STR(buf, "15");
		CHECK(child_text(&r.doc, &tmo, "allocation-retry-wait-millis",
				 buf, sizeof(buf)));
		CHECK_STR(buf, "1000");
	}
	/* Same start tag (jndi-name, pool-name, enabled, ...) as before. */
	CHECK(get_datasource(&in, &in_root, "KeycloakDS", &in_ds));
	CHECK(ds.tag_end - ds.start == in_ds.tag_end - in_ds.start &&
	      memcmp(r.text + ds.start, dist + in_ds.start,
		     ds.tag_end - ds.start) == 0);
	CHECK(xml_attr_matches(&r.doc, &ds, "jndi-name",
			       "java:jboss/datasources/KeycloakDS", XML_EXACT));

	/* ExampleDS is unchanged, byte for byte. */
	CHECK(get_datasource(&in, &in_root, "ExampleDS", &in_ds));
	CHECK(get_datasource(&r.doc, &r.root, "ExampleDS", &ds));
	CHECK(ds.end - ds.start == in_ds.end - in_ds.start &&
	      memcmp(r.text + ds.start, dist + in_ds.start, ds.end - ds.start) == 0);

	/* Drivers: h2 stays, postgresql is added once. */
	CHECK(walk(&r.doc, &r.root, &dss, ds_path));
	CHECK(xml_find_child(&r.doc, &dss, "drivers", NULL, NULL, XML_EXACT,
			     &drivers) == 1);
	CHECK(xml_find_child(&r.doc, &drivers, "driver", "name", "h2",
			     XML_EXACT, &drv) == 1);
	CHECK(xml_find_child(&r.doc, &drivers, "driver", "name", "postgresql",
			     XML_EXACT, &drv) == 1);
	CHECK(xml_attr_matches(&r.doc, &drv, "module", "org.postgresql.jdbc",
			       XML_EXACT));
	CHECK(child_text(&r.doc, &drv, "xa-datasource-class", buf, sizeof(buf)));
	CHECK_STR(buf, "org.postgresql.xa.PGXADataSource");
	{
		size_t cursor = 0, n_pg = 0;
		struct xml_element c;

		while (xml_next_child(&r.doc, &drivers, &cursor, &c) == 1)
			if (xml_attr_matches(&r.doc, &c, "name", "postgresql",
					     XML_EXACT))
				n_pg++;
		CHECK(n_pg == 1);
	}

	/* Everything outside the three subsystems is byte-identical. */
	{
		static const char *const prefixes[] = {
			"urn:jboss:domain:datasources:",
			"urn:jboss:domain:infinispan:",
			"urn:jboss:domain:jgroups:",
		};
		struct xml_span a[3], b[3];
		size_t pa = 0, pb = 0;

		for (int i = 0; i < 3; i++) {
			a[i] = subsystem_span(&in, &in_root, prefixes[i]);
			b[i] = subsystem_span(&r.doc, &r.root, prefixes[i]);
			CHECK(a[i].end > a[i].start && b[i].end > b[i].start);
		}
		/* In this file they come in this order. */
		CHECK(a[0].end < a[1].start && a[1].end < a[2].start);
		for (int i = 0; i < 3; i++) {
			CHECK(a[i].start - pa == b[i].start - pb &&
			      memcmp(dist + pa, r.text + pb, a[i].start - pa) == 0);
			pa = a[i].end;
			pb = b[i].end;
		}
		CHECK(dist_len - pa == r.len - pb &&
		      memcmp(dist + pa, r.text + pb, dist_len - pa) == 0);
	}
	release(&r);
}

static void test_url(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element ds;
	char buf[512];

	s.db_host = "::1";
	s.db_port = 6543;
	s.db_name = "my db/\xC3\xBC+x";
	s.jdbc_params = "ApplicationName=kc one&options=-c x=1#";
	s.db_sslmode = "verify-full";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://[::1]:6543/my%20db%2F%C3%BC%2Bx"
		       "?ApplicationName=kc%20one&options=-c%20x=1%23"
		       "&sslmode=verify-full");
	release(&r);

	s = base_settings();
	s.db_host = "fe80::1";
	s.db_sslmode = "require";
	s.jdbc_params = "";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://[fe80::1]:5432/keycloak?sslmode=require");
	release(&r);

	s = base_settings();
	s.db_host = "10.0.0.5";
	s.jdbc_params = "a=%2F%zz";
	CHECK(render(&s, &r) == 0);
	CHECK(get_datasource(&r.doc, &r.root, "KeycloakDS", &ds));
	CHECK(child_text(&r.doc, &ds, "connection-url", buf, sizeof(buf)));
	CHECK_STR(buf, "jdbc:postgresql://10.0.0.5:5432/keycloak?a=%2F%25zz");
	release(&r);
}

/* A password with every XML special character and a non-ASCII letter
 * survives, and the written file passes xmllint. */
static void test_escaping(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element ds, sec;
	char buf[512], path[512], cmd[1100];
	char pw[] = "p<&>\"' \xC3\xBC";

	s.db_password = pw;
	s.db_user = "u&<\"'>";
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

	snprintf(path, sizeof(path), "%s/test_render.standalone-ha.xml", out_dir);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(r.text, 1, r.len, f) == r.len);
		CHECK(fclose(f) == 0);
		if (system("command -v xmllint >/dev/null 2>&1") == 0) {
			snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
			CHECK(system(cmd) == 0);
		} else {
			fprintf(stderr, "test_render: xmllint not found, "
					"checked by the built-in parser only\n");
		}
	}
	release(&r);

	/* WildFly reads "${...}" as an expression; "$$" is its literal '$'. */
	s = base_settings();
	s.db_password = "a${x}b$c";
	CHECK(render(&s, &r) == 0);
	CHECK(strstr(r.text, "<password>a$${x}b$$c</password>") != NULL);
	release(&r);
	s.db_password = "a$b{c}";
	CHECK(render(&s, &r) == 0);
	CHECK(strstr(r.text, "<password>a$b{c}</password>") != NULL);
	release(&r);
}

static void expect_refusal(const struct settings *s, const char *in,
			   size_t in_len, int code, const char *needle,
			   const char *secret)
{
	struct rendered r;
	int got = render_text(s, in, in_len, &r);

	CHECK(got == code);
	CHECK(r.text == NULL);
	CHECK(r.err[0] != '\0' && strchr(r.err, '\n') == NULL);
	CHECK(!needle || strstr(r.err, needle) != NULL);
	if (needle && !strstr(r.err, needle))
		fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", r.err, needle);
	if (secret)
		CHECK(strstr(r.err, secret) == NULL);
	if (got != code)
		fprintf(stderr, "  got %d (%s), want %d\n", got, r.err, code);
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
	s.db_password = "sec\x01ret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "sec");
	s.db_password = "sec\x1b[31mret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "ret");
	s.db_password = "sec\xffret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "ret");
	s.db_password = " secret";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_PASSWORD", "secret");
	s = base_settings();
	s.db_user = "a\x7f\x02";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "DB_USER", NULL);
	s = base_settings();
	s.jgroups_protocol = "PING";	/* the tcp stack's transport: no multicast */
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG,
		       "JGROUPS_DISCOVERY_PROTOCOL", NULL);
	s = base_settings();
	s.jgroups_stack = "nosuch";
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG, "JGROUPS_TRANSPORT_STACK",
		       NULL);
	s = base_settings();
	props[0] = (struct property){"x", "va\x01lue"};
	s.jgroups_properties = props;
	s.n_jgroups_properties = 1;
	expect_refusal(&s, dist, dist_len, EXIT_CONFIG,
		       "JGROUPS_DISCOVERY_PROPERTIES", "lue");

	/* Names are escaped, never trusted: markup in one stays text. */
	s = base_settings();
	s.jgroups_protocol = "X\"/><evil";
	props[0] = (struct property){"n\"/><p", "1"};
	s.jgroups_properties = props;
	s.n_jgroups_properties = 1;
	CHECK(render(&s, &r) == 0);
	CHECK(r.text && strstr(r.text, "type=\"X&quot;/&gt;&lt;evil\"") != NULL);
	CHECK(r.text && strstr(r.text, "name=\"n&quot;/&gt;&lt;p\"") != NULL);
	CHECK(r.text && strstr(r.text, "<evil") == NULL);
	release(&r);
}

/* dist with the first occurrence of from replaced by to. */
static char *replace_once(const char *from, const char *to, size_t *len)
{
	const char *hit = strstr(dist, from);
	size_t nf = strlen(from), nt = strlen(to);
	char *copy;

	if (!hit)
		return NULL;
	*len = dist_len - nf + nt;
	copy = malloc(*len + 1);
	if (!copy)
		exit(2);
	memcpy(copy, dist, (size_t)(hit - dist));
	memcpy(copy + (hit - dist), to, nt);
	memcpy(copy + (hit - dist) + nt, hit + nf,
	       dist_len - (size_t)(hit - dist) - nf);
	copy[*len] = '\0';
	return copy;
}

static void expect_bad_dist(const char *from, const char *to, int code,
			    const char *needle)
{
	struct settings s = base_settings();
	size_t len;
	char *copy = replace_once(from, to, &len);

	CHECK(copy != NULL);
	if (!copy) {
		fprintf(stderr, "  \"%s\" not in the distribution file\n", from);
		return;
	}
	expect_refusal(&s, copy, len, code, needle, NULL);
	free(copy);
}

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

	/* Truncated at many points, including inside each subsystem: every
	 * prefix that ends before the root's end tag is refused cleanly. */
	{
		struct xml_doc doc;
		struct xml_element root;
		size_t step = dist_len / 500 + 1, refused = 0, tried = 0;

		CHECK(xml_parse(&doc, dist, dist_len, &root) == 0);
		for (size_t len = 0; len < root.end; len += step) {
			char *copy = malloc(len ? len : 1);
			char *out = NULL;
			size_t out_len = 0;
			char err[256];

			if (!copy)
				exit(2);
			memcpy(copy, dist, len);
			tried++;
			if (render_standalone_ha(&s, copy, len, &out, &out_len,
						 err, sizeof(err)) == EXIT_NOINPUT &&
			    out == NULL && err[0])
				refused++;
			free(out);
			free(copy);
		}
		CHECK(refused == tried);
		/* Without the trailing newline the document is still whole. */
		{
			char *out = NULL;
			size_t out_len;
			char err[256];

			CHECK(render_standalone_ha(&s, dist, root.end, &out,
						   &out_len, err,
						   sizeof(err)) == 0);
			free(out);
		}
	}
}

/* The discovery element right after the transport of stack in r. */
static int discovery_of(struct rendered *r, const char *stack,
			struct xml_element *proto)
{
	struct xml_element st;
	size_t cursor = 0;
	struct xml_element first;

	if (!walk(&r->doc, &r->root, &st,
		  PATH("profile", NULL, NULL,
		       "subsystem", "xmlns", "^urn:jboss:domain:jgroups:",
		       "stacks", NULL, NULL, "stack", "name", stack)))
		return 0;
	return xml_next_child(&r->doc, &st, &cursor, &first) == 1 &&
	       xml_name_is(&r->doc, &first, "transport") &&
	       xml_next_child(&r->doc, &st, &cursor, proto) == 1;
}

static int property_is(struct rendered *r, const struct xml_element *proto,
		       const char *name, const char *value)
{
	struct xml_element p;
	char buf[512];

	if (xml_find_child(&r->doc, proto, "property", "name", name, XML_EXACT,
			   &p) != 1)
		return 0;
	if (xml_unescape(r->doc.text + p.tag_end, p.content_end - p.tag_end,
			 buf, sizeof(buf)) != 0)
		return 0;
	if (strcmp(buf, value) != 0)
		fprintf(stderr, "  property %s = \"%s\"\n", name, buf);
	return strcmp(buf, value) == 0;
}

static int count_properties(struct rendered *r, const struct xml_element *proto)
{
	size_t cursor = 0;
	struct xml_element c;
	int n = 0;

	while (xml_next_child(&r->doc, proto, &cursor, &c) == 1)
		n++;
	return n;
}

static int channel_stack_is(struct rendered *r, const char *stack)
{
	struct xml_element ch;

	return walk(&r->doc, &r->root, &ch,
		    PATH("profile", NULL, NULL,
			 "subsystem", "xmlns", "^urn:jboss:domain:jgroups:",
			 "channels", NULL, NULL, "channel", "name", "ee")) &&
	       xml_attr_matches(&r->doc, &ch, "stack", stack, XML_EXACT);
}

/* The stack that was not chosen is left exactly as it was. */
static int stack_unchanged(struct rendered *r, const char *stack)
{
	struct xml_doc in;
	struct xml_element in_root, a, b;
	const char *const *path =
		PATH("profile", NULL, NULL,
		     "subsystem", "xmlns", "^urn:jboss:domain:jgroups:",
		     "stacks", NULL, NULL, "stack", "name", stack);

	return xml_parse(&in, dist, dist_len, &in_root) == 0 &&
	       walk(&in, &in_root, &a, path) && walk(&r->doc, &r->root, &b, path) &&
	       a.end - a.start == b.end - b.start &&
	       memcmp(dist + a.start, r->text + b.start, a.end - a.start) == 0;
}

static void test_jgroups(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element p;
	struct property props[3];

	/* Default: JDBC_PING over tcp on KeycloakDS. */
	s.jgroups_protocol = NULL;
	s.jgroups_stack = NULL;
	CHECK(render(&s, &r) == 0);
	CHECK(channel_stack_is(&r, "tcp"));
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_name_is(&r.doc, &p, "jdbc-protocol"));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "JDBC_PING", XML_EXACT));
	CHECK(xml_attr_matches(&r.doc, &p, "data-source", "KeycloakDS", XML_EXACT));
	CHECK(property_is(&r, &p, "initialize_sql",
			  "CREATE TABLE IF NOT EXISTS JGROUPSPING ("
			  "own_addr varchar(200) NOT NULL, "
			  "cluster_name varchar(200) NOT NULL, "
			  "ping_data bytea, "
			  "updated timestamptz NOT NULL DEFAULT now(), "
			  "constraint PK_JGROUPSPING "
			  "PRIMARY KEY (own_addr, cluster_name)); "
			  "ALTER TABLE JGROUPSPING ADD COLUMN IF NOT EXISTS "
			  "updated timestamptz NOT NULL DEFAULT now()"));
	/* Rows nobody rewrote for 10 s are not read: the coordinator
	 * rewrites them every 2 s at most, for ever. */
	CHECK(property_is(&r, &p, "select_all_pingdata_sql",
			  "SELECT ping_data, own_addr, cluster_name FROM "
			  "JGROUPSPING WHERE cluster_name=? AND updated > now() "
			  "- interval '10 seconds'"));
	CHECK(property_is(&r, &p, "info_writer_sleep_time", "2000"));
	CHECK(property_is(&r, &p, "info_writer_max_writes_after_view",
			  "2147483647"));
	/* Each write of a row deletes the cluster's rows nobody rewrote for
	 * 10 s, in the one statement, with the insert's three parameters. */
	CHECK(property_is(&r, &p, "insert_single_sql",
			  "WITH written AS (INSERT INTO JGROUPSPING "
			  "(own_addr, cluster_name, ping_data) VALUES (?, ?, ?) "
			  "RETURNING cluster_name) DELETE FROM JGROUPSPING "
			  "USING written WHERE JGROUPSPING.cluster_name = "
			  "written.cluster_name AND now() - interval "
			  "'10 seconds' > JGROUPSPING.updated"));
	/* Not true: JGroups 4.2 would empty the table with a connection it
	 * does not check, and fail the view change when the database
	 * cannot be reached. */
	CHECK(property_is(&r, &p, "remove_all_data_on_view_change", "false"));
	CHECK(property_is(&r, &p, "remove_old_coords_on_view_change", "true"));
	CHECK(property_is(&r, &p, "update_store_on_view_change", "true"));
	CHECK(count_properties(&r, &p) == 8);
	CHECK(stack_unchanged(&r, "udp"));
	release(&r);

	/* A user's property replaces the default of the same name. */
	props[0] = (struct property){"initialize_sql", ""};
	props[1] = (struct property){"info_writer_sleep_time", "500"};
	s.jgroups_properties = props;
	s.n_jgroups_properties = 2;
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(property_is(&r, &p, "initialize_sql", ""));
	CHECK(property_is(&r, &p, "info_writer_sleep_time", "500"));
	CHECK(count_properties(&r, &p) == 8);
	release(&r);

	/* MPING on tcp. */
	s = base_settings();
	s.jgroups_protocol = "MPING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_name_is(&r.doc, &p, "socket-protocol"));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "MPING", XML_EXACT));
	CHECK(xml_attr_matches(&r.doc, &p, "socket-binding", "jgroups-mping",
			       XML_EXACT));
	CHECK(p.self_closing);
	release(&r);

	/* TCPPING with its hosts, escaped. */
	props[0] = (struct property){"initial_hosts", "a[7600],b[7600]"};
	props[1] = (struct property){"port_range", "0"};
	props[2] = (struct property){"x", "<&>"};
	s.jgroups_protocol = "TCPPING";
	s.jgroups_properties = props;
	s.n_jgroups_properties = 3;
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_name_is(&r.doc, &p, "protocol"));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "TCPPING", XML_EXACT));
	CHECK(property_is(&r, &p, "initial_hosts", "a[7600],b[7600]"));
	CHECK(property_is(&r, &p, "port_range", "0"));
	CHECK(property_is(&r, &p, "x", "<&>"));
	CHECK(count_properties(&r, &p) == 3);
	release(&r);

	/* DNS_PING and KUBE_PING; an unknown but well-formed name too. */
	props[0] = (struct property){"dns_query", "kc.ns.svc.cluster.local"};
	s.n_jgroups_properties = 1;
	s.jgroups_protocol = "dns.DNS_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "dns.DNS_PING", XML_EXACT));
	CHECK(property_is(&r, &p, "dns_query", "kc.ns.svc.cluster.local"));
	release(&r);
	s.n_jgroups_properties = 0;
	s.jgroups_protocol = "kubernetes.KUBE_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_name_is(&r.doc, &p, "protocol"));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "kubernetes.KUBE_PING",
			       XML_EXACT));
	CHECK(p.self_closing);
	release(&r);
	s.jgroups_protocol = "azure.AZURE_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "azure.AZURE_PING",
			       XML_EXACT));
	release(&r);

	/* PING and JDBC_PING on udp: the udp stack's PING is replaced. */
	s = base_settings();
	s.jgroups_stack = "udp";
	s.jgroups_protocol = "PING";
	CHECK(render(&s, &r) == 0);
	CHECK(channel_stack_is(&r, "udp"));
	CHECK(discovery_of(&r, "udp", &p));
	CHECK(xml_name_is(&r.doc, &p, "protocol") && p.self_closing);
	CHECK(xml_attr_matches(&r.doc, &p, "type", "PING", XML_EXACT));
	CHECK(stack_unchanged(&r, "tcp"));
	release(&r);
	s.jgroups_protocol = "JDBC_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "udp", &p));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "JDBC_PING", XML_EXACT));
	CHECK(stack_unchanged(&r, "tcp"));
	release(&r);
}

static void test_owners(void)
{
	static const char *const caches[] = {
		"sessions", "offlineSessions", "clientSessions",
		"offlineClientSessions", "loginFailures", "actionTokens",
		"authenticationSessions",
	};
	struct settings s = base_settings();
	struct rendered r;

	s.cache_owners = 4;
	s.cache_owners_auth = 7;
	CHECK(render(&s, &r) == 0);
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		struct xml_element c;
		int auth = strcmp(caches[i], "authenticationSessions") == 0;

		CHECK(walk(&r.doc, &r.root, &c,
			   PATH("profile", NULL, NULL,
				"subsystem", "xmlns", "^urn:jboss:domain:infinispan:",
				"cache-container", "name", "keycloak",
				"distributed-cache", "name", caches[i])));
		CHECK(xml_attr_matches(&r.doc, &c, "owners", auth ? "7" : "4",
				       XML_EXACT));
	}
	/* Other containers' caches keep their settings. */
	{
		struct xml_element c;
		struct xml_span v;

		CHECK(walk(&r.doc, &r.root, &c,
			   PATH("profile", NULL, NULL,
				"subsystem", "xmlns", "^urn:jboss:domain:infinispan:",
				"cache-container", "name", "web",
				"distributed-cache", "name", "dist")));
		CHECK(xml_attr(&r.doc, &c, "owners", &v) == 0);
	}
	release(&r);
}

/* Same input, same bytes; rendering the output again changes nothing. */
/* Attribute attr of the element at path, into buf; 1 found. */
static int attr_at(struct rendered *r, const char *const *path, const char *attr,
		   char *buf, size_t len)
{
	struct xml_element el;

	return walk(&r->doc, &r->root, &el, path) &&
	       xml_attr_value(&r->doc, &el, attr, buf, len) == 1;
}

/* The settings beyond the database and the cluster: each edits its
 * subsystem, and each left unset leaves the distribution's value. */
static void test_server_settings(void)
{
	static struct db_address addrs[] = { { "db1", 5432 }, { "fd00::2", 5433 } };
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element ds, el;
	char buf[512];
	const char *const jpa_schema[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
		"spi", "name", "connectionsJpa", "provider", "name", "default",
		"properties", NULL, NULL, "property", "name", "schema", NULL};
	const char *const hostname_spi[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
		"spi", "name", "hostname", NULL};
	const char *const fixed_host[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
		"spi", "name", "hostname", "provider", "name", "fixed",
		"properties", NULL, NULL, "property", "name", "hostname", NULL};
	const char *const frontend[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:keycloak-server:",
		"spi", "name", "hostname", "provider", "name", "default",
		"properties", NULL, NULL, "property", "name", "frontendUrl", NULL};
	const char *const http_listener[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:undertow:",
		"server", "name", "default-server", "http-listener", "name", "default", NULL};
	const char *const https_listener[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:undertow:",
		"server", "name", "default-server", "https-listener", "name", "https", NULL};
	const char *const kc_level[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:logging:",
		"logger", "category", "org.keycloak", "level", NULL, NULL, NULL};
	const char *const root_level[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:logging:",
		"root-logger", NULL, NULL, "level", NULL, NULL, NULL};
	const char *const console_level[] = {
		"profile", NULL, NULL,
		"subsystem", "xmlns", "^urn:jboss:domain:logging:",
		"console-handler", "name", "CONSOLE", "level", NULL, NULL, NULL};

	/* Unset: the distribution's own values stay. */
	CHECK(render(&s, &r) == 0);
	CHECK(!walk(&r.doc, &r.root, &el, jpa_schema));
	CHECK(attr_at(&r, frontend, "value", buf, sizeof(buf)));
	CHECK_STR(buf, "${keycloak.frontendUrl:}");
	CHECK(!attr_at(&r, http_listener, "proxy-address-forwarding", buf, sizeof(buf)));
	CHECK(!walk(&r.doc, &r.root, &el, kc_level));
	CHECK(attr_at(&r, console_level, "name", buf, sizeof(buf)));
	CHECK_STR(buf, "INFO");
	release(&r);

	s.db_addrs = addrs;
	s.n_db_addrs = 2;
	s.db_sslrootcert = "/etc/ssl/db ca.pem";
	s.db_schema = "kc";
	s.frontend_url = "https://sso.example.com/auth?a=1&b=${x}";
	s.proxy_address_forwarding = TRI_TRUE;
	s.log_level = "DEBUG";
	s.root_log_level = "WARN";
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

	/* The fixed hostname provider, and a quieter level: the console is
	 * not made quieter than the distribution's. */
	s = base_settings();
	s.hostname = "sso.example.com";
	s.https_port = 8443;
	s.always_https = TRI_FALSE;
	s.proxy_address_forwarding = TRI_FALSE;
	s.root_log_level = "ERROR";
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

/* The rows the entrypoint watches are the project's only when no property
 * changes where or how JDBC_PING writes them. */
static void test_keeps_rows(void)
{
	static const char *const theirs[] = {
		"insert_single_sql", "select_all_pingdata_sql", "initialize_sql",
		"delete_single_sql", "clear_sql", "connection_url",
		"connection_username", "datasource_jndi_name",
		"datasource_injecter_class", "info_writer_sleep_time",
		"info_writer_max_writes_after_view",
	};
	struct property props[2];
	struct settings s = base_settings();

	CHECK(jdbc_ping_keeps_rows(&s));
	s.jgroups_protocol = NULL;	/* the default */
	CHECK(jdbc_ping_keeps_rows(&s));
	s.jgroups_protocol = "TCPPING";
	CHECK(!jdbc_ping_keeps_rows(&s));
	s.jgroups_protocol = "dns.DNS_PING";
	CHECK(!jdbc_ping_keeps_rows(&s));

	s = base_settings();
	s.jgroups_properties = props;
	s.n_jgroups_properties = 2;
	props[0] = (struct property){"remove_old_coords_on_view_change", "true"};
	props[1] = (struct property){"num_discovery_runs", "3"};
	CHECK(jdbc_ping_keeps_rows(&s));
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		props[1] = (struct property){(char *)theirs[i], "x"};
		CHECK(!jdbc_ping_keeps_rows(&s));
	}
}

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
	if (argc < 2) {
		fprintf(stderr, "usage: %s standalone-ha.xml [output-dir]\n",
			argv[0]);
		return 2;
	}
	if (argc > 2)
		out_dir = argv[2];
	dist = read_file(argv[1], &dist_len);
	if (!dist) {
		perror(argv[1]);
		return 2;
	}
	test_datasource();
	test_url();
	test_escaping();
	test_bad_settings();
	test_bad_dist();
	test_jgroups();
	test_owners();
	test_server_settings();
	test_keeps_rows();
	test_deterministic();
	free(dist);
	return harness_summary("test_render");
}
