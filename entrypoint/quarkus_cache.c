/*
 * The cache configuration of Keycloak 26 for a discovery other than its
 * own jdbc-ping stack (quarkus.h).
 *
 * Keycloak 26 configures its caches in code; its conf/cache-ispn.xml holds
 * only the keycloak container and its transport. A JGroups stack of the
 * project's ("keycloak-ha") goes in front of that container: Infinispan's
 * tcp stack (or udp) with its discovery protocol replaced by the settings'
 * one (or combined with it, when it is the same: MPING on tcp, PING on udp)
 * and the settings' properties as the protocol's attributes; the transport
 * names the stack.
 * Every other byte stays as the distribution wrote it.
 */
#include "quarkus.h"

#include "log.h"
#include "xml.h"

#include <stdlib.h>
#include <string.h>

#define STACK_NAME "keycloak-ha"

/* A cache stack or file given as a Keycloak option decides instead. */
bool quarkus_uses_jdbc_ping(const struct settings *s)
{
	for (size_t i = 0; i < s->keycloak.n; i++) {
		const struct keycloak_option *o = &s->keycloak.v[i];
		if (strcmp(o->key, "cache-config-file") == 0 ||
		    (strcmp(o->key, "cache-stack") == 0 && strcmp(o->value, "jdbc-ping") != 0))
			return false;
	}
	return !s->cluster.protocol || strcmp(s->cluster.protocol, "JDBC_PING") == 0;
}

/* The protocol element, its discovery protocol in place of the base's. */
static int add_protocol(const struct settings *s, struct buf *b, const char *indent)
{
	const struct cluster_settings *c = &s->cluster;
	bool udp = strcmp(c->stack, "udp") == 0;
	const char *base_discovery = udp ? "PING" : "MPING";
	bool same = strcmp(c->protocol, base_discovery) == 0;

	buf_addf(b, "%s<jgroups>\n%s    <stack name=\"" STACK_NAME "\" extends=\"%s\">\n", indent,
		 indent, udp ? "udp" : "tcp");
	/* Infinispan refuses a position with COMBINE (ISPN000543): the
	 * protocol of the same name is the one combined. */
	if (same)
		buf_addf(b, "%s        <%s stack.combine=\"COMBINE\"", indent, c->protocol);
	else
		buf_addf(b, "%s        <%s stack.combine=\"REPLACE\" stack.position=\"%s\"",
			 indent, c->protocol, base_discovery);
	for (size_t i = 0; i < c->n_properties; i++) {
		buf_addf(b, " %s=\"", c->properties[i].name);
		const char *v = c->properties[i].value ? c->properties[i].value : "";
		enum xml_escape_result e = xml_escape(b, v, strlen(v));
		if (e == XML_ESCAPE_CONTROL || e == XML_ESCAPE_UTF8) {
			log_error("JGROUPS_DISCOVERY_PROPERTIES: %s is not text XML can carry",
				  c->properties[i].name);
			return EXIT_CONFIG;
		}
		buf_adds(b, "\"");
	}
	buf_adds(b, "/>\n");
	/* The settings' failure detection timeout, heartbeats five times per
	 * timeout as in JGroups' defaults (40 s and 8 s). */
	unsigned long timeout_ms = c->failure_detection_timeout * 1000UL;
	if (timeout_ms)
		buf_addf(b, "%s        <FD_ALL3 stack.combine=\"COMBINE\" timeout=\"%lu\" "
			 "interval=\"%lu\"/>\n", indent, timeout_ms, timeout_ms / 5);
	buf_addf(b, "%s    </stack>\n%s</jgroups>\n", indent, indent);
	return 0;
}

/* The keycloak container and its transport in the distribution's file. */
static int find_transport(struct xml_doc *doc, struct xml_element *container,
			  struct xml_element *transport)
{
	struct xml_element root;

	if (xml_parse(doc, doc->text, doc->len, &root) != 0) {
		log_error("cache-ispn.xml is not well-formed XML at byte %zu: %s", doc->err_offset,
			  doc->err_msg);
		return EXIT_NOINPUT;
	}
	if (!xml_name_is(doc, &root, "infinispan") ||
	    xml_find_child(doc, &root, "cache-container", "name", "keycloak", XML_EXACT,
			   container) != 1 ||
	    xml_find_child(doc, container, "transport", NULL, NULL, XML_EXACT, transport) != 1) {
		log_error("cache-ispn.xml has no <cache-container name=\"keycloak\"> with a "
			  "<transport> in <infinispan>");
		return EXIT_NOINPUT;
	}
	return 0;
}

int quarkus_render_cache(const struct settings *s, const char *dist, size_t len, char **out,
			 size_t *out_len)
{
	struct xml_doc doc = { .text = dist, .len = len };
	struct xml_element container, transport;
	struct buf b = { 0 };
	char indent[65] = "";
	int rc = find_transport(&doc, &container, &transport);

	*out = NULL;
	if (rc)
		return rc;
	/* The new lines are indented like the container's. */
	size_t line = container.start;
	while (line > 0 && (dist[line - 1] == ' ' || dist[line - 1] == '\t') &&
	       container.start - line < sizeof(indent) - 5)
		line--;
	if (line > 0 && dist[line - 1] == '\n')
		memcpy(indent, dist + line, container.start - line);
	/* Inside <infinispan>, in front of the container; its own indentation
	 * stays in front of it. */
	buf_add(&b, dist, line);
	rc = add_protocol(s, &b, indent[0] ? indent : "    ");
	buf_add(&b, dist + line, transport.start - line);
	if (rc == 0 && xml_set_attr(&doc, &transport, "stack", STACK_NAME, &b) != XML_ESCAPE_OK)
		rc = b.failed ? EXIT_OSERR : EXIT_NOINPUT;
	buf_add(&b, dist + transport.tag_end, len - transport.tag_end);
	if (rc == 0 && b.failed) {
		log_error("out of memory writing cache-ispn.xml");
		rc = EXIT_OSERR;
	}
	if (rc) {
		buf_free(&b);
		return rc;
	}
	*out = b.data;
	*out_len = b.len;
	return 0;
}
