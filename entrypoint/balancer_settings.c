#include "balancer_settings.h"

#include "settings_lookup.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Letters, digits, '-', '_' and '.', as host names and IPv4 addresses are
 * written; nothing HAProxy's configuration could read as syntax. */
static bool is_host(const char *s, size_t len)
{
	if (len == 0 || len > BALANCER_HOST_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static bool parse_port(const char *s, size_t len, unsigned *port)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*port = (unsigned)v;
	return true;
}

/* One entry of BALANCER_NODES: host or host:port. */
static int parse_node(const char *entry, size_t len, struct balancer_node *node)
{
	const char *colon = memchr(entry, ':', len);
	size_t host_len = colon ? (size_t)(colon - entry) : len;
	char q[QUOTE_BUF];
	char *text = xstrndup(entry, len);
	int code = 0;

	node->port = 8080;
	if (!is_host(entry, host_len)) {
		log_error("BALANCER_NODES: %s is not a host name or IPv4 address with an optional "
			  ":port", quote_value(text, q, sizeof(q)));
		code = EXIT_CONFIG;
	} else if (colon && !parse_port(colon + 1, len - host_len - 1, &node->port)) {
		log_error("BALANCER_NODES: %s: the port must be a number from 1 to 65535",
			  quote_value(text, q, sizeof(q)));
		code = EXIT_CONFIG;
	} else {
		memcpy(node->host, entry, host_len);
		node->host[host_len] = '\0';
	}
	free(text);
	return code;
}

static int load_node_list(struct balancer_settings *s, const char *list)
{
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		/* Blanks around an entry are how people write lists. */
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			log_error("BALANCER_NODES: an empty entry; write host[:port],host[:port]");
			return EXIT_CONFIG;
		}
		if (s->n_nodes == BALANCER_NODES_MAX) {
			log_error("BALANCER_NODES: more than %d nodes", BALANCER_NODES_MAX);
			return EXIT_CONFIG;
		}
		int code = parse_node(p, len, &s->nodes[s->n_nodes]);
		if (code)
			return code;
		s->n_nodes++;
		if (!end)
			break;
		p = end + 1;
	}
	if (s->n_nodes == 0) {
		log_error("BALANCER_NODES is empty; write host[:port],host[:port]");
		return EXIT_CONFIG;
	}
	return 0;
}

/* An unsigned number from min to max, or def when unset. */
static int get_number(char *const *envp, const char *var, unsigned def, unsigned min,
		      unsigned max, unsigned *out)
{
	const char *v = env_get(envp, var);
	char q[QUOTE_BUF];

	*out = def;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end || errno || n < min || n > max) {
		log_error("%s=%s: expected a number from %u to %u", var,
			  quote_value(v, q, sizeof(q)), min, max);
		return EXIT_CONFIG;
	}
	*out = (unsigned)n;
	return 0;
}

static int load_nodes(struct balancer_settings *s, char *const *envp)
{
	const char *list = env_get(envp, "BALANCER_NODES");
	const char *dns = env_get(envp, "BALANCER_NODES_DNS");
	char q[QUOTE_BUF];
	int code;

	if (list && dns) {
		log_error("BALANCER_NODES and BALANCER_NODES_DNS are both set; set only one");
		return EXIT_CONFIG;
	}
	if (!list && !dns) {
		log_error("BALANCER_NODES (host[:port],...) or BALANCER_NODES_DNS (a name that "
			  "resolves to every node) must be set");
		return EXIT_CONFIG;
	}
	if ((code = get_number(envp, "BALANCER_MAX_NODES", 16, 1, BALANCER_NODES_MAX,
			       &s->max_nodes)) ||
	    (code = get_number(envp, "BALANCER_NODE_PORT", 8080, 1, 65535, &s->node_port)))
		return code;
	if (list)
		return load_node_list(s, list);
	if (!is_host(dns, strlen(dns))) {
		log_error("BALANCER_NODES_DNS=%s: not a host name", quote_value(dns, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	snprintf(s->dns_name, sizeof(s->dns_name), "%s", dns);
	return 0;
}

static int load_generation(struct balancer_settings *s, char *const *envp)
{
	const char *v = env_get(envp, "KEYCLOAK_GENERATION");
	char q[QUOTE_BUF];

	if (v && strcmp(v, "26") != 0 && strcmp(v, "legacy") != 0) {
		log_error("KEYCLOAK_GENERATION=%s: expected 26 or legacy",
			  quote_value(v, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	s->legacy = v && strcmp(v, "legacy") == 0;
	/* Keycloak 26 reports readiness (database included) on its management
	 * port; the WildFly-based one has no readiness endpoint, and its realm
	 * endpoint answers only once the server has booted and reaches the
	 * database. */
	s->health_path = s->legacy ? "/auth/realms/master" : "/health/ready";
	s->live_path = s->legacy ? NULL : "/health/live";
	return get_number(envp, "BALANCER_HEALTH_PORT", s->legacy ? 0 : 9000, 1, 65535,
			  &s->health_port);
}

static int load_state_dir(struct balancer_settings *s, char *const *envp)
{
	const char *v = env_get(envp, "BALANCER_STATE_DIR");
	char q[QUOTE_BUF];

	if (!v)
		v = "/var/lib/keycloak-ha-balancer";
	if (v[0] != '/' || has_control_chars(v) ||
	    strlen(v) + sizeof("/haproxy.cfg") > sizeof(s->state_dir)) {
		log_error("BALANCER_STATE_DIR=%s: not an absolute path of a directory",
			  quote_value(v, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	snprintf(s->state_dir, sizeof(s->state_dir), "%s", v);
	return 0;
}

int balancer_settings_load(struct balancer_settings *s, char *const *envp)
{
	int code;

	memset(s, 0, sizeof(*s));
	if ((code = env_log_level(envp, &s->log_level)) || (code = load_nodes(s, envp)) ||
	    (code = load_generation(s, envp)) ||
	    (code = get_number(envp, "BALANCER_PORT", 8080, 1, 65535, &s->port)) ||
	    (code = get_number(envp, "BALANCER_STATS_PORT", 8404, 1, 65535, &s->stats_port)) ||
	    (code = get_number(envp, "BALANCER_CHECK_INTERVAL", 1000, 100, 60000,
			       &s->check_interval_ms)) ||
	    (code = load_state_dir(s, envp)))
		return code;
	if (s->port == s->stats_port) {
		log_error("BALANCER_PORT and BALANCER_STATS_PORT are both %u; they must differ",
			  s->port);
		return EXIT_CONFIG;
	}
	return 0;
}
