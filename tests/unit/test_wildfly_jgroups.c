/*
 * Tests of the standalone-ha.xml renderer's cluster against the real
 * distribution's file (argv[1]): the JGroups channel's stack and its
 * discovery protocol (JDBC_PING with its statements, MPING, TCPPING, the
 * cloud PINGs, PING on udp), its failure detection timeout and the owners
 * of Keycloak's distributed caches are read back from the output with the
 * XML scanner, the stack that was not chosen is compared byte for byte
 * with the input, and the properties that make the JDBC_PING rows someone
 * else's are recognized.
 */
#include <stdlib.h>
#include <string.h>

#include "jdbc_ping.h"
#include "render_harness.h"

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

/* Default: JDBC_PING over tcp on KeycloakDS. */
static void test_jgroups_jdbc_ping(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element p;

	s.cluster.protocol = NULL;
	s.cluster.stack = NULL;
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
}

/* A user's property replaces the default of the same name. */
static void test_jgroups_user_property(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element p;
	struct property props[2];

	s.cluster.protocol = NULL;
	s.cluster.stack = NULL;
	props[0] = (struct property){"initialize_sql", ""};
	props[1] = (struct property){"info_writer_sleep_time", "500"};
	s.cluster.properties = props;
	s.cluster.n_properties = 2;
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(property_is(&r, &p, "initialize_sql", ""));
	CHECK(property_is(&r, &p, "info_writer_sleep_time", "500"));
	CHECK(count_properties(&r, &p) == 8);
	release(&r);
}

/* MPING on tcp; TCPPING with its hosts, escaped. */
static void test_jgroups_mping_tcpping(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element p;
	struct property props[3];

	s.cluster.protocol = "MPING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_name_is(&r.doc, &p, "socket-protocol"));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "MPING", XML_EXACT));
	CHECK(xml_attr_matches(&r.doc, &p, "socket-binding", "jgroups-mping",
			       XML_EXACT));
	CHECK(p.self_closing);
	release(&r);

	props[0] = (struct property){"initial_hosts", "a[7600],b[7600]"};
	props[1] = (struct property){"port_range", "0"};
	props[2] = (struct property){"x", "<&>"};
	s.cluster.protocol = "TCPPING";
	s.cluster.properties = props;
	s.cluster.n_properties = 3;
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_name_is(&r.doc, &p, "protocol"));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "TCPPING", XML_EXACT));
	CHECK(property_is(&r, &p, "initial_hosts", "a[7600],b[7600]"));
	CHECK(property_is(&r, &p, "port_range", "0"));
	CHECK(property_is(&r, &p, "x", "<&>"));
	CHECK(count_properties(&r, &p) == 3);
	release(&r);
}

/* DNS_PING and KUBE_PING; an unknown but well-formed name too. */
static void test_jgroups_cloud_pings(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element p;
	struct property props[1];

	props[0] = (struct property){"dns_query", "kc.ns.svc.cluster.local"};
	s.cluster.properties = props;
	s.cluster.n_properties = 1;
	s.cluster.protocol = "dns.DNS_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "dns.DNS_PING", XML_EXACT));
	CHECK(property_is(&r, &p, "dns_query", "kc.ns.svc.cluster.local"));
	release(&r);
	s.cluster.n_properties = 0;
	s.cluster.protocol = "kubernetes.KUBE_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_name_is(&r.doc, &p, "protocol"));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "kubernetes.KUBE_PING",
			       XML_EXACT));
	CHECK(p.self_closing);
	release(&r);
	s.cluster.protocol = "azure.AZURE_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "tcp", &p));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "azure.AZURE_PING",
			       XML_EXACT));
	release(&r);
}

/* PING and JDBC_PING on udp: the udp stack's PING is replaced. */
static void test_jgroups_udp(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element p;

	s.cluster.stack = "udp";
	s.cluster.protocol = "PING";
	CHECK(render(&s, &r) == 0);
	CHECK(channel_stack_is(&r, "udp"));
	CHECK(discovery_of(&r, "udp", &p));
	CHECK(xml_name_is(&r.doc, &p, "protocol") && p.self_closing);
	CHECK(xml_attr_matches(&r.doc, &p, "type", "PING", XML_EXACT));
	CHECK(stack_unchanged(&r, "tcp"));
	release(&r);
	s.cluster.protocol = "JDBC_PING";
	CHECK(render(&s, &r) == 0);
	CHECK(discovery_of(&r, "udp", &p));
	CHECK(xml_attr_matches(&r.doc, &p, "type", "JDBC_PING", XML_EXACT));
	CHECK(stack_unchanged(&r, "tcp"));
	release(&r);
}

/* FD_ALL of the chosen stack of standalone-ha.xml. */
static int fd_all_of(struct rendered *r, const char *stack, struct xml_element *fd)
{
	return walk(&r->doc, &r->root, fd,
		    PATH("profile", NULL, NULL,
			 "subsystem", "xmlns", "^urn:jboss:domain:jgroups:",
			 "stacks", NULL, NULL, "stack", "name", stack,
			 "protocol", "type", "FD_ALL"));
}

/* JGROUPS_FAILURE_DETECTION_TIMEOUT: FD_ALL's timeout, heartbeats five
 * times per timeout; unset, FD_ALL stays the distribution's. */
static void test_failure_detection(void)
{
	struct settings s = base_settings();
	struct rendered r;
	struct xml_element fd;

	CHECK(render(&s, &r) == 0);
	CHECK(fd_all_of(&r, "tcp", &fd) && fd.self_closing);
	release(&r);
	s.cluster.failure_detection_timeout = 10;
	CHECK(render(&s, &r) == 0);
	CHECK(fd_all_of(&r, "tcp", &fd));
	CHECK(property_is(&r, &fd, "timeout", "10000"));
	CHECK(property_is(&r, &fd, "interval", "2000"));
	CHECK(count_properties(&r, &fd) == 2);
	CHECK(stack_unchanged(&r, "udp"));
	release(&r);
	s.cluster.stack = "udp";
	s.cluster.protocol = "PING";
	s.cluster.failure_detection_timeout = 3600;
	CHECK(render(&s, &r) == 0);
	CHECK(fd_all_of(&r, "udp", &fd));
	CHECK(property_is(&r, &fd, "timeout", "3600000"));
	CHECK(property_is(&r, &fd, "interval", "720000"));
	CHECK(stack_unchanged(&r, "tcp"));
	release(&r);

	/* A distribution's stack without FD_ALL (the first one is udp's), or
	 * with an FD_ALL of its own properties, is refused, not half-set. */
	size_t len;
	char *in = replace_once("<protocol type=\"FD_ALL\"/>", "", &len);
	CHECK(in != NULL);
	if (in)
		expect_refusal(&s, in, len, EXIT_CONFIG, "JGROUPS_FAILURE_DETECTION_TIMEOUT: "
			       "the distribution's stack \"udp\" has no FD_ALL", NULL);
	free(in);
	s.cluster.stack = "tcp";
	s.cluster.protocol = "JDBC_PING";
	in = replace_once("socket-binding=\"jgroups-tcp-fd\"/>",
			  "socket-binding=\"jgroups-tcp-fd\"/><protocol type=\"FD_ALL\">"
			  "<property name=\"timeout\">5000</property></protocol>", &len);
	CHECK(in != NULL);
	if (in)
		expect_refusal(&s, in, len, EXIT_NOINPUT, "FD_ALL protocol of stack \"tcp\" "
			       "has properties already", NULL);
	free(in);
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

	s.cluster.cache_owners = 4;
	s.cluster.cache_owners_auth = 7;
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

	CHECK(jdbc_ping_keeps_rows(&s.cluster));
	s.cluster.protocol = NULL;	/* the default */
	CHECK(jdbc_ping_keeps_rows(&s.cluster));
	s.cluster.protocol = "TCPPING";
	CHECK(!jdbc_ping_keeps_rows(&s.cluster));
	s.cluster.protocol = "dns.DNS_PING";
	CHECK(!jdbc_ping_keeps_rows(&s.cluster));

	s = base_settings();
	s.cluster.properties = props;
	s.cluster.n_properties = 2;
	props[0] = (struct property){"remove_old_coords_on_view_change", "true"};
	props[1] = (struct property){"num_discovery_runs", "3"};
	CHECK(jdbc_ping_keeps_rows(&s.cluster));
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		props[1] = (struct property){(char *)theirs[i], "x"};
		CHECK(!jdbc_ping_keeps_rows(&s.cluster));
	}
}

int main(int argc, char **argv)
{
	int code = render_harness_init(argc, argv);

	if (code)
		return code;
	test_jgroups_jdbc_ping();
	test_jgroups_user_property();
	test_jgroups_mping_tcpping();
	test_jgroups_cloud_pings();
	test_jgroups_udp();
	test_failure_detection();
	test_owners();
	test_keeps_rows();
	free(dist);
	return harness_summary("test_wildfly_jgroups");
}
