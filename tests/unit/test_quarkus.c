/*
 * Tests of the Keycloak 26 backend's renderers: keycloak.conf from the
 * settings (each option, the bootstrap admin, the distribution's own
 * options, the Keycloak options handed on) and the cache configuration for
 * every discovery protocol, against the distribution's conf/cache-ispn.xml
 * (argv[1]).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "log.h"
#include "quarkus.h"
#include "xml.h"

static char *dist;
static size_t dist_len;

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			data = realloc(data, cap + 1);
			if (!data)
				exit(2);
		}
		size_t k = fread(data + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	data[n] = '\0';
	*len = n;
	return data;
}

static struct db_address one_server = { "db.example", 5432 };

static struct settings base_settings(void)
{
	struct settings s = { 0 };

	s.db.host = "db.example";
	s.db.port = 5432;
	s.db.addrs = &one_server;
	s.db.n_addrs = 1;
	s.db.name = "keycloak";
	s.db.user = "kc";
	s.db.password = "secret";
	s.cluster.node_name = "node-a";
	s.cluster.bind_private = "10.0.0.5";
	s.cluster.protocol = "JDBC_PING";
	s.cluster.stack = "tcp";
	s.cluster.cache_owners = 2;
	s.cluster.cache_owners_auth = 2;
	return s;
}

/* The conf for s; NULL after a failure (the message in err). */
static char *conf(const struct settings *s, const struct quarkus_conf_input *in, char *err,
		  size_t err_len)
{
	struct buf out = { 0 };
	FILE *f = tmpfile();

	if (!f)
		exit(2);
	log_stream = f;
	int rc = quarkus_render_conf(s, in, &out);
	log_stream = NULL;
	harness_read_log(f, err, err_len);
	fclose(f);
	if (rc) {
		buf_free(&out);
		return NULL;
	}
	return out.data;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

static void test_conf_defaults(void)
{
	struct settings s = base_settings();
	struct quarkus_conf_input in = { 0 };
	char err[256];
	char *text = conf(&s, &in, err, sizeof(err));

	CHECK(text != NULL);
	CHECK(has_line(text, "db-url=jdbc:postgresql://db.example:5432/keycloak"));
	CHECK(has_line(text, "db-username=kc"));
	CHECK(has_line(text, "db-password=secret"));
	CHECK(has_line(text, "http-enabled=true"));
	CHECK(has_line(text, "hostname-strict=false"));
	CHECK(has_line(text, "cache-stack=jdbc-ping"));
	CHECK(has_line(text, "cache-embedded-network-bind-address=10.0.0.5"));
	CHECK(has_line(text, "spi-cache-embedded-default-node-name=node-a"));
	/* What is not set stays the distribution's. */
	CHECK(!strstr(text, "db-schema"));
	CHECK(!strstr(text, "proxy-headers"));
	CHECK(!strstr(text, "log-level"));
	CHECK(!strstr(text, "bootstrap-admin"));
	free(text);
}

static void test_conf_settings(void)
{
	struct settings s = base_settings();
	struct quarkus_conf_input in = { .cache_file = "/state/cache-ispn.xml" };
	char err[256];

	s.db.schema = "kc";
	s.frontend.url = "https://sso.example.com";
	s.frontend.proxy_address_forwarding = TRI_TRUE;
	s.server.log_level = "DEBUG";
	s.server.root_log_level = "WARN";
	s.admin.user = "admin";
	s.admin.password = "a$b";
	char *text = conf(&s, &in, err, sizeof(err));
	CHECK(text != NULL);
	CHECK(has_line(text, "db-schema=kc"));
	CHECK(has_line(text, "db-url=jdbc:postgresql://db.example:5432/keycloak?currentSchema=kc"));
	CHECK(has_line(text, "hostname=https://sso.example.com"));
	CHECK(!strstr(text, "hostname-strict"));
	CHECK(has_line(text, "proxy-headers=xforwarded"));
	CHECK(has_line(text, "log-level=WARN,org.keycloak:DEBUG"));
	CHECK(has_line(text, "cache-config-file=/state/cache-ispn.xml"));
	CHECK(!strstr(text, "cache-stack"));
	/* Cluster TLS stays Keycloak's default on tcp. */
	CHECK(!strstr(text, "cache-embedded-mtls-enabled"));
	CHECK(has_line(text, "bootstrap-admin-username=admin"));
	CHECK(has_line(text, "bootstrap-admin-password=a\\\\$b"));
	free(text);
	/* An admin the database has: no bootstrap, and its password is gone. */
	in.admin_exists = 1;
	text = conf(&s, &in, err, sizeof(err));
	CHECK(text != NULL && !strstr(text, "bootstrap-admin") && !strstr(text, "a\\\\$b"));
	free(text);
	/* Multicast (the udp stack): Keycloak refuses its cluster TLS there. */
	s.cluster.protocol = "PING";
	s.cluster.stack = "udp";
	text = conf(&s, &in, err, sizeof(err));
	CHECK(text != NULL && has_line(text, "cache-embedded-mtls-enabled=false"));
	free(text);
}

static void test_conf_options(void)
{
	struct keycloak_option opts[] = {
		{ "https-key-store-password", "ks", "KC_HTTPS_KEY_STORE_PASSWORD", 1, 0, 0 },
		{ "spi-x-y", "from-file", "KC_SPI_X_Y_FILE", 1, 1, 0 },
		{ "features", "token-exchange", "KC_FEATURES", 0, 0, 0 },
		{ "http-port", "8181", "run argument", 0, 0, 1 },
		{ "spi-bad-password", "a\nb", "KC_SPI_BAD_PASSWORD_FILE", 1, 1, 0 },
	};
	struct settings s = base_settings();
	struct quarkus_conf_input in = { 0 };
	char err[256];

	s.keycloak.v = opts;
	s.keycloak.n = 4;
	char *text = conf(&s, &in, err, sizeof(err));
	CHECK(text != NULL);
	/* Secrets and files are handed on; the rest reach Keycloak as the
	 * user gave them (environment, arguments). */
	CHECK(has_line(text, "https-key-store-password=ks"));
	CHECK(has_line(text, "spi-x-y=from-file"));
	CHECK(!strstr(text, "features"));
	CHECK(!strstr(text, "http-port"));
	free(text);
	s.keycloak.n = 5;
	CHECK(conf(&s, &in, err, sizeof(err)) == NULL);
	CHECK_STR(err, "KC_SPI_BAD_PASSWORD_FILE: contains a control character");
}

static void test_conf_distribution(void)
{
	struct settings s = base_settings();
	struct quarkus_conf_input in = { .dist_conf_path = "conf/keycloak.conf" };
	char err[256];

	in.dist_conf = "# a comment\n\nhttp-port=8181\nspi-long-value=a\\\n    b\n";
	char *text = conf(&s, &in, err, sizeof(err));
	CHECK(text != NULL);
	CHECK(has_line(text, "http-port=8181"));
	CHECK(has_line(text, "spi-long-value=a\\"));
	CHECK(has_line(text, "    b"));
	CHECK(!strstr(text, "# a comment"));
	free(text);
	in.dist_conf = "http-port=1\n  db-password = other\n";
	CHECK(conf(&s, &in, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "conf/keycloak.conf:2: db-password is written by the entrypoint") == err);
	/* A continued line is a value, not an option. */
	in.dist_conf = "spi-x=a\\\ndb-password\n";
	text = conf(&s, &in, err, sizeof(err));
	CHECK(text != NULL);
	free(text);
}

/* The cache configuration for the protocol, parsed back: the element of
 * the protocol in the project's stack, and the transport's stack. */
static void check_cache(const char *protocol, const char *stack, const char *combine,
			struct property *props, size_t n_props, unsigned fd_timeout)
{
	struct settings s = base_settings();
	char *out = NULL, buf[256];
	size_t len;
	struct xml_doc doc;
	struct xml_element root, el, st, proto, cc, tr;

	s.cluster.protocol = (char *)protocol;
	s.cluster.stack = (char *)stack;
	s.cluster.properties = props;
	s.cluster.n_properties = n_props;
	s.cluster.failure_detection_timeout = fd_timeout;
	CHECK(quarkus_render_cache(&s, dist, dist_len, &out, &len) == 0);
	if (!out)
		return;
	CHECK(xml_parse(&doc, out, len, &root) == 0);
	CHECK(xml_find_child(&doc, &root, "jgroups", NULL, NULL, XML_EXACT, &el) == 1);
	CHECK(xml_find_child(&doc, &el, "stack", "name", "keycloak-ha", XML_EXACT, &st) == 1);
	CHECK(xml_attr_matches(&doc, &st, "extends", stack, XML_EXACT));
	CHECK(xml_find_child(&doc, &st, protocol, NULL, NULL, XML_EXACT, &proto) == 1);
	CHECK(xml_attr_matches(&doc, &proto, "stack.combine", combine, XML_EXACT));
	/* REPLACE names the base stack's discovery protocol; Infinispan refuses
	 * a position with COMBINE (ISPN000543). */
	if (strcmp(combine, "REPLACE") == 0)
		CHECK(xml_attr_matches(&doc, &proto, "stack.position",
				       strcmp(stack, "udp") == 0 ? "PING" : "MPING", XML_EXACT));
	else
		CHECK(xml_attr_value(&doc, &proto, "stack.position", buf, sizeof(buf)) == 0);
	for (size_t i = 0; i < n_props; i++) {
		CHECK(xml_attr_value(&doc, &proto, props[i].name, buf, sizeof(buf)) == 1);
		CHECK_STR(buf, props[i].value);
	}
	/* JGROUPS_FAILURE_DETECTION_TIMEOUT: FD_ALL3 combined with the base
	 * stack's, heartbeats five times per timeout; unset, the base's. */
	if (fd_timeout) {
		char want[32];
		CHECK(xml_find_child(&doc, &st, "FD_ALL3", NULL, NULL, XML_EXACT, &el) == 1);
		CHECK(xml_attr_matches(&doc, &el, "stack.combine", "COMBINE", XML_EXACT));
		snprintf(want, sizeof(want), "%u", fd_timeout * 1000);
		CHECK(xml_attr_matches(&doc, &el, "timeout", want, XML_EXACT));
		snprintf(want, sizeof(want), "%u", fd_timeout * 200);
		CHECK(xml_attr_matches(&doc, &el, "interval", want, XML_EXACT));
	} else {
		CHECK(xml_find_child(&doc, &st, "FD_ALL3", NULL, NULL, XML_EXACT, &el) == 0);
	}
	CHECK(xml_find_child(&doc, &root, "cache-container", "name", "keycloak", XML_EXACT,
			     &cc) == 1);
	CHECK(xml_find_child(&doc, &cc, "transport", NULL, NULL, XML_EXACT, &tr) == 1);
	CHECK(xml_attr_matches(&doc, &tr, "stack", "keycloak-ha", XML_EXACT));
	/* The transport keeps the distribution's own attributes. */
	CHECK(xml_attr_matches(&doc, &tr, "lock-timeout", "60000", XML_EXACT));
	free(out);
}

static void test_cache(void)
{
	struct property tcpping[] = { { "initial_hosts", "kc1[7800],kc2[7800]" },
				      { "port_range", "0" } };
	struct property dns[] = { { "dns_query", "keycloak.svc\"<&>'" } };
	struct property mping[] = { { "mcast_port", "46000" } };

	check_cache("TCPPING", "tcp", "REPLACE", tcpping, 2, 0);
	check_cache("dns.DNS_PING", "tcp", "REPLACE", dns, 1, 0);
	check_cache("MPING", "tcp", "COMBINE", mping, 1, 0);
	check_cache("PING", "udp", "COMBINE", NULL, 0, 0);
	check_cache("TCPPING", "udp", "REPLACE", tcpping, 1, 0);
	check_cache("dns.DNS_PING", "tcp", "REPLACE", dns, 1, 10);
	check_cache("PING", "udp", "COMBINE", NULL, 0, 3600);
	CHECK(quarkus_uses_jdbc_ping(&(struct settings){ .cluster = { .protocol = "JDBC_PING" } }));
	CHECK(!quarkus_uses_jdbc_ping(&(struct settings){ .cluster = { .protocol = "TCPPING" } }));
}

static void test_cache_bad_dist(void)
{
	struct settings s = base_settings();
	char *out;
	size_t len;

	s.cluster.protocol = "TCPPING";
	log_stream = fopen("/dev/null", "w");
	CHECK(quarkus_render_cache(&s, "<infinispan/>", 13, &out, &len) == EXIT_NOINPUT);
	CHECK(quarkus_render_cache(&s, "<infinispan", 11, &out, &len) == EXIT_NOINPUT);
	CHECK(out == NULL);
	fclose(log_stream);
	log_stream = NULL;
}

/* quarkus_realm_name on text; the name, or NULL when it finds none. */
static const char *realm_of(const char *json, char *name, size_t len)
{
	FILE *f = fmemopen((void *)json, strlen(json), "r");

	if (!f)
		exit(2);
	int rc = quarkus_realm_name(f, name, len);
	fclose(f);
	return rc == 0 ? name : NULL;
}

/* The realm's name in a KEYCLOAK_IMPORT file, which names its link. */
static void test_realm_name(void)
{
	char name[64];

	CHECK_STR(realm_of("{\"realm\": \"e2e-import\", \"enabled\": true}", name, sizeof(name)),
		  "e2e-import");
	/* Not first; the keys and values before it of every kind, nested
	 * "realm" keys and strings that look like JSON included. */
	CHECK_STR(realm_of("\n{ \"id\" : \"x\", \"n\": -1.5e3, \"ok\": false, \"none\": null,\n"
			   "  \"clients\": [{\"realm\": \"inner\", \"s\": \"}]{[\\\"\"}, []],\n"
			   "  \"attributes\": {\"realm\": {\"realm\": \"deeper\"}},\n"
			   "  \"realm\":\"outer\" }\n", name, sizeof(name)),
		  "outer");
	/* Escapes decoded as Keycloak's JSON reader does; UTF-8 as it is. */
	CHECK_STR(realm_of("{\"realm\": \"caf\\u00e9-\\ud83d\\ude00-\\\"q\\\"-\\\\-\xc3\xa9\"}",
			   name, sizeof(name)),
		  "caf\xc3\xa9-\xf0\x9f\x98\x80-\"q\"-\\-\xc3\xa9");
	/* A key written with escapes is the same key; the last one wins. */
	CHECK_STR(realm_of("{\"realm\": \"first\", \"re\\u0061lm\": \"second\"}", name,
			   sizeof(name)), "second");
	CHECK_STR(realm_of("\xef\xbb\xbf{\"realm\": \"bom\"}", name, sizeof(name)), "bom");
	/* A very long key before it is skipped. */
	CHECK_STR(realm_of("{\"a-key-longer-than-the-buffer-for-keys\": 1, \"realm\": \"r\"}", name,
			   sizeof(name)), "r");
	/* None: missing, nested only, not a string, not an object, too long,
	 * malformed, NUL, a lone surrogate. */
	const char *none[] = {
		"{}", "{\"enabled\": true}", "{\"a\": {\"realm\": \"x\"}}", "{\"realm\": 5}",
		"[{\"realm\": \"x\"}]", "\"realm\"", "",
		"{\"realm\": \"a-name-longer-than-the-sixty-three-bytes-"
		"of-the-buffer-given-to-it\"}",
		"{\"realm\": \"unterminated", "{\"realm\" \"x\"}", "{\"realm\": \"x\" \"y\": 1}",
		"{\"realm\": \"x\"", "{\"realm\": \"a\\u0000b\"}", "{\"realm\": \"\\ud83d\"}",
		"{\"realm\": \"\\q\"}", "{\"realm\": \"tab\there\"}", NULL,
	};
	for (const char **j = none; *j; j++) {
		const char *got = realm_of(*j, name, sizeof(name));
		if (got)
			fprintf(stderr, "realm name %s found in %s\n", got, *j);
		CHECK(got == NULL);
	}
	/* It fits exactly, or not at all. */
	CHECK_STR(realm_of("{\"realm\": \"abc\"}", name, 4), "abc");
	CHECK(realm_of("{\"realm\": \"abcd\"}", name, 4) == NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s cache-ispn.xml\n", argv[0]);
		return 2;
	}
	dist = read_whole(argv[1], &dist_len);
	if (!dist) {
		perror(argv[1]);
		return 2;
	}
	test_conf_defaults();
	test_conf_settings();
	test_conf_options();
	test_conf_distribution();
	test_cache();
	test_cache_bad_dist();
	test_realm_name();
	free(dist);
	return harness_summary("test_quarkus");
}
