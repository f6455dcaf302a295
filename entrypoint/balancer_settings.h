/*
 * The load balancer's settings, from the environment (the envp given, never
 * getenv). The balancer image runs HAProxy in front of the Keycloak nodes;
 * the nodes are named either as a list or as one DNS name that resolves to
 * all of them (a compose service scaled with --scale, a Kubernetes headless
 * Service), so that no configuration is kept by hand per cluster size.
 *
 *   BALANCER_NODES            host[:port],... of the nodes (port default 8080)
 *   BALANCER_NODES_DNS        or: a name whose A records are the nodes,
 *                             re-resolved while the balancer runs
 *   BALANCER_MAX_NODES        with BALANCER_NODES_DNS: how many nodes the name
 *                             may give at most (default 16)
 *   BALANCER_NODE_PORT        with BALANCER_NODES_DNS: the nodes' HTTP port
 *                             (default 8080)
 *   KEYCLOAK_GENERATION       26 (default) or legacy: where readiness is asked
 *                             (26: when no node is ready, requests go to the
 *                             nodes that are alive, /health/live)
 *   BALANCER_HEALTH_PORT      the port of the nodes' readiness endpoint
 *                             (default: 9000 on 26, the HTTP port on legacy)
 *   BALANCER_PORT             where the balancer listens (default 8080)
 *   BALANCER_STATS_PORT       HAProxy's statistics page and the balancer's own
 *                             health URI /health (default 8404)
 *   BALANCER_CHECK_INTERVAL   how often each node's readiness is asked, in ms
 *                             (default 1000); a node is out after 2 failed
 *                             checks and back after 2 good ones
 *   BALANCER_STATE_DIR        where the generated haproxy.cfg goes
 *                             (default /var/lib/keycloak-ha-balancer)
 *   KEYCLOAK_HA_LOG_LEVEL     the entrypoint's own messages (log.h)
 */
#ifndef KHP_BALANCER_SETTINGS_H
#define KHP_BALANCER_SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"

/* A host name or IPv4 address, as DNS allows it. */
#define BALANCER_HOST_MAX 253
#define BALANCER_NODES_MAX 256

struct balancer_node {
	char host[BALANCER_HOST_MAX + 1];
	unsigned port;
};

struct balancer_settings {
	struct balancer_node nodes[BALANCER_NODES_MAX]; /* BALANCER_NODES */
	size_t n_nodes;
	char dns_name[BALANCER_HOST_MAX + 1];	/* BALANCER_NODES_DNS; "" when unset */
	unsigned max_nodes;
	unsigned node_port;
	bool legacy;				/* KEYCLOAK_GENERATION=legacy */
	unsigned health_port;			/* 0: the node's HTTP port */
	const char *health_path;
	const char *live_path;			/* NULL: no fallback to live nodes */
	unsigned port;
	unsigned stats_port;
	unsigned check_interval_ms;
	char state_dir[PATH_MAX];
	enum log_level log_level;
};

/* Returns 0, or an exit code after logging one line that names the
 * variable. */
int balancer_settings_load(struct balancer_settings *s, char *const *envp);

#endif
