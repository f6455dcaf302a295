/*
 * HAProxy's configuration for the balancer image, made from its settings
 * (balancer_settings.h) at every start. What it does for Keycloak:
 *   - asks each node's readiness endpoint every BALANCER_CHECK_INTERVAL and
 *     sends nothing to a node that is not ready (starting, draining on
 *     SIGTERM, gone);
 *   - keeps a browser on the node that holds its authentication session,
 *     keyed on the AUTH_SESSION_ID cookie, as Keycloak's documentation asks
 *     of a load balancer in front of a cluster;
 *   - retries a request whose node refused the connection or closed it
 *     without an answer on another node, so that a node that stops loses
 *     no request that has not reached Keycloak;
 *   - sets X-Forwarded-For, -Proto and -Host itself (a client's own are
 *     dropped), for nodes started with PROXY_ADDRESS_FORWARDING=true.
 */
#ifndef KHP_BALANCER_CONF_H
#define KHP_BALANCER_CONF_H

#include "balancer_settings.h"
#include "buf.h"

void balancer_conf_write(const struct balancer_settings *s, struct buf *out);

#endif
