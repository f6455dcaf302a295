/*
 * The jgroups subsystem (the default channel's stack and its discovery
 * protocol) and the infinispan one (the owners of Keycloak's distributed
 * caches) of standalone-ha.xml.
 */
#include "wildfly_edit.h"

#include "jdbc_ping.h"
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Discovery protocols that the rendered one replaces when they directly
 * follow the transport. */
static bool is_discovery(const char *type)
{
	size_t n = strlen(type);

	return (n >= 4 && strcmp(type + n - 4, "PING") == 0) || strcmp(type, "TCPGOSSIP") == 0;
}

static bool user_sets_property(const struct cluster_settings *c, const char *name)
{
	for (size_t i = 0; i < c->n_properties; i++)
		if (c->properties[i].name && strcmp(c->properties[i].name, name) == 0)
			return true;
	return false;
}

/* <property name="NAME"> on a new line; the caller writes the value. */
static int add_property_start(struct render *r, struct buf *b, size_t at, const char *name)
{
	new_line(r, b, at, 1);
	buf_adds(b, "<property name=\"");
	int code = add_text(r, b, SETTING_JGROUPS_PROPERTIES, name);
	buf_adds(b, "\">");
	return code;
}

/* The properties of the discovery element: for JDBC_PING the project's
 * (jdbc_ping.h) unless the user sets one, then the user's. Returns the
 * number written in *n. */
static int add_discovery_properties(struct render *r, struct buf *b, size_t at, bool jdbc,
				    size_t *n)
{
	const struct cluster_settings *c = &r->s->cluster;
	int code;

	for (size_t i = 0; jdbc && i < n_jdbc_ping_properties; i++) {
		const struct jdbc_ping_property *p = &jdbc_ping_properties[i];
		if (user_sets_property(c, p->name))
			continue;
		if ((*n)++ == 0)
			buf_adds(b, ">");
		if ((code = add_property_start(r, b, at, p->name)))
			return code;
		/* The statements compare with '>' only: XML text as they are. */
		buf_adds(b, p->value);
		buf_adds(b, "</property>");
	}
	for (size_t i = 0; i < c->n_properties; i++) {
		const struct property *p = &c->properties[i];
		if ((*n)++ == 0)
			buf_adds(b, ">");
		/* Property values may use WildFly expressions on purpose, e.g.
		 * initial_hosts="${env.PEERS}". */
		if ((code = add_property_start(r, b, at, p->name)) ||
		    (code = add_text(r, b, SETTING_JGROUPS_PROPERTIES, p->value ? p->value : "")))
			return code;
		buf_adds(b, "</property>");
	}
	return 0;
}

/*
 * The discovery protocol element for the settings' protocol; at is the
 * offset whose indentation it takes, transport_type "TCP" or "UDP".
 */
static int add_discovery(struct render *r, struct buf *b, size_t at, const char *transport_type)
{
	const char *proto = r->s->cluster.protocol ? r->s->cluster.protocol : "JDBC_PING";
	bool jdbc = strcmp(proto, "JDBC_PING") == 0, mping = strcmp(proto, "MPING") == 0;
	const char *element = jdbc ? "jdbc-protocol" : mping ? "socket-protocol" : "protocol";
	size_t n_props = 0;
	int code;

	/* PING needs the UDP transport's multicast. settings.c pairs it with
	 * the udp stack; this checks that the distribution's stack of that
	 * name really has a UDP transport. */
	if (strcmp(proto, "PING") == 0 && strcmp(transport_type, "UDP") != 0)
		return refuse(r, EXIT_CONFIG, SETTING_JGROUPS_PROTOCOL " PING needs multicast, "
			      "which only a UDP transport has; use MPING or JDBC_PING");
	buf_addf(b, "<%s type=\"", element);
	if ((code = add_text(r, b, SETTING_JGROUPS_PROTOCOL, proto)))
		return code;
	buf_adds(b, "\"");
	if (jdbc)
		buf_adds(b, " data-source=\"" KEYCLOAK_POOL "\"");
	if (mping)
		buf_adds(b, " socket-binding=\"jgroups-mping\"");
	if ((code = add_discovery_properties(r, b, at, jdbc, &n_props)))
		return code;
	if (n_props == 0) {
		buf_adds(b, "/>");
	} else {
		new_line(r, b, at, 0);
		buf_addf(b, "</%s>", element);
	}
	return b->failed ? out_of_memory(r) : 0;
}

/* The stack's transport, and whether a discovery protocol follows it. */
static int find_transport(struct render *r, const struct xml_element *stack, const char *name,
			  struct xml_element *transport, char *type, size_t type_len,
			  struct xml_element *discovery, bool *has_discovery)
{
	char next_type[128];
	size_t cursor = 0;
	int x = xml_next_child(&r->doc, stack, &cursor, transport);

	if (x < 0)
		return malformed(r);
	if (x == 0 || !xml_name_is(&r->doc, transport, "transport"))
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml: stack \"%s\" does not start "
			      "with <transport>", name);
	if (xml_attr_value(&r->doc, transport, "type", type, type_len) != 1)
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml: the transport of stack \"%s\" "
			      "has no type", name);
	x = xml_next_child(&r->doc, stack, &cursor, discovery);
	if (x < 0)
		return malformed(r);
	*has_discovery = x == 1 && xml_attr_value(&r->doc, discovery, "type", next_type,
						  sizeof(next_type)) == 1 &&
			 is_discovery(next_type);
	return 0;
}

/* The default channel, and the stack of the settings' name. */
static int find_channel_and_stack(struct render *r, const char *stack_name,
				  struct xml_element *channel, struct xml_element *stack)
{
	struct xml_element sub, channels, stacks;
	char channel_name[128] = "ee";
	int code;

	if ((code = find_subsystem(r, "urn:jboss:domain:jgroups:", "jgroups", 5, 8, &sub)) ||
	    (code = require_child(r, &sub, "channels", NULL, NULL, XML_EXACT, &channels,
				  "<channels> in the jgroups subsystem")))
		return code;
	if (xml_attr_value(&r->doc, &channels, "default", channel_name, sizeof(channel_name)) < 0)
		return malformed(r);
	if ((code = require_child(r, &channels, "channel", "name", channel_name, XML_EXACT,
				  channel, "<channel> for the default channel")) ||
	    (code = require_child(r, &sub, "stacks", NULL, NULL, XML_EXACT, &stacks,
				  "<stacks> in the jgroups subsystem")))
		return code;
	int x = xml_find_child(&r->doc, &stacks, "stack", "name", stack_name, XML_EXACT, stack);
	if (x < 0)
		return malformed(r);
	if (x == 0)
		return refuse(r, EXIT_CONFIG, SETTING_JGROUPS_STACK
			      ": the distribution has no stack named \"%s\"", stack_name);
	return 0;
}

/*
 * FD_ALL with the settings' timeout: a member that sent no heartbeat for
 * that long is suspected (then VERIFY_SUSPECT checks it). Heartbeats go out
 * five times per timeout, JGroups' own ratio (40 s and 8 s). Only a
 * protocol element without properties is replaced, so nothing the
 * distribution set is lost.
 */
static int add_failure_detection(struct render *r, const struct xml_element *stack,
				 const char *stack_name)
{
	unsigned long timeout_ms = r->s->cluster.failure_detection_timeout * 1000UL;
	struct xml_element fd;
	int x = xml_find_child(&r->doc, stack, "protocol", "type", "FD_ALL", XML_EXACT, &fd);

	if (x < 0)
		return malformed(r);
	if (x == 0)
		return refuse(r, EXIT_CONFIG, SETTING_FAILURE_DETECTION ": the distribution's "
			      "stack \"%s\" has no FD_ALL protocol to set it on", stack_name);
	if (fd.content_end != fd.tag_end)
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml: the FD_ALL protocol of stack "
			      "\"%s\" has properties already", stack_name);
	struct buf *b = add_edit(r, fd.start, fd.end);
	buf_adds(b, "<protocol type=\"FD_ALL\">");
	new_line(r, b, fd.start, 1);
	buf_addf(b, "<property name=\"timeout\">%lu</property>", timeout_ms);
	new_line(r, b, fd.start, 1);
	buf_addf(b, "<property name=\"interval\">%lu</property>", timeout_ms / 5);
	new_line(r, b, fd.start, 0);
	buf_adds(b, "</protocol>");
	return b->failed ? out_of_memory(r) : 0;
}

int render_jgroups(struct render *r)
{
	struct xml_element channel, stack, transport, discovery;
	const char *stack_name = r->s->cluster.stack ? r->s->cluster.stack : "tcp";
	char transport_type[32];
	bool has_discovery = false;
	int code;

	if ((code = find_channel_and_stack(r, stack_name, &channel, &stack)) ||
	    (code = edit_attr(r, &channel, "stack", stack_name)) ||
	    (code = find_transport(r, &stack, stack_name, &transport, transport_type,
				   sizeof(transport_type), &discovery, &has_discovery)))
		return code;
	if (has_discovery) {
		code = add_discovery(r, add_edit(r, discovery.start, discovery.end),
				     discovery.start, transport_type);
	} else {
		/* No discovery protocol yet: it goes right after the transport. */
		struct buf *b = add_edit(r, transport.end, transport.end);
		new_line(r, b, transport.start, 0);
		code = add_discovery(r, b, transport.start, transport_type);
	}
	if (code || r->s->cluster.failure_detection_timeout == 0)
		return code;
	return add_failure_detection(r, &stack, stack_name);
}

int render_caches(struct render *r)
{
	static const struct {
		const char *cache;
		bool auth;
	} caches[] = {
		{ "sessions", false }, { "authenticationSessions", true },
		{ "offlineSessions", false }, { "clientSessions", false },
		{ "offlineClientSessions", false }, { "loginFailures", false },
		{ "actionTokens", false },
	};
	struct xml_element sub, container, cache;
	char what[96], owners[16];
	int code;

	if ((code = find_subsystem(r, "urn:jboss:domain:infinispan:", "infinispan", 1, 0, &sub)) ||
	    (code = require_child(r, &sub, "cache-container", "name", "keycloak", XML_EXACT,
				  &container, "<cache-container name=\"keycloak\">")))
		return code;
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		snprintf(what, sizeof(what),
			 "<distributed-cache name=\"%s\"> in the keycloak cache container",
			 caches[i].cache);
		if ((code = require_child(r, &container, "distributed-cache", "name",
					  caches[i].cache, XML_EXACT, &cache, what)))
			return code;
		snprintf(owners, sizeof(owners), "%u",
			 caches[i].auth ? r->s->cluster.cache_owners_auth
					: r->s->cluster.cache_owners);
		if ((code = edit_attr(r, &cache, "owners", owners)))
			return code;
	}
	return 0;
}
