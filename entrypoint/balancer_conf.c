#include "balancer_conf.h"

#include <arpa/inet.h>
#include <stdbool.h>

static bool is_ipv4(const char *host)
{
	struct in_addr a;

	return inet_pton(AF_INET, host, &a) == 1;
}

static void write_global(const struct balancer_settings *s, struct buf *out)
{
	buf_adds(out, "# Written by keycloak-ha-postgres from the BALANCER_* settings at every\n"
		      "# start of the balancer; changes made here are lost.\n"
		      "global\n"
		      "\tlog stdout format raw local0 info\n"
		      "\tmaxconn 4096\n"
		      /* A stop (SIGUSR1, the image's STOPSIGNAL) lets requests
		       * in flight finish, for at most this long. */
		      "\thard-stop-after 30s\n"
		      "\n"
		      "defaults\n"
		      "\tmode http\n"
		      "\tlog global\n"
		      "\toption httplog\n"
		      "\toption dontlognull\n"
		      "\toption forwardfor\n"
		      /* A request stuck to a node that is down goes to another
		       * at once, and so does each retry. */
		      "\toption redispatch 1\n"
		      "\tretries 3\n"
		      /* Only failures where Keycloak cannot have answered: the
		       * node refused the connection, closed it without a byte
		       * (it stopped), or is shutting down. */
		      "\tretry-on conn-failure empty-response 503\n"
		      "\ttimeout connect 2s\n"
		      "\ttimeout client 60s\n"
		      "\ttimeout server 60s\n"
		      "\ttimeout http-request 10s\n"
		      "\ttimeout http-keep-alive 10s\n"
		      "\ttimeout queue 30s\n");
	/* A node that takes longer than the interval to say it is ready is
	 * not. */
	buf_addf(out, "\ttimeout check %ums\n", s->check_interval_ms);
}

static void write_frontends(const struct balancer_settings *s, struct buf *out)
{
	buf_addf(out, "\n"
		      "frontend keycloak\n"
		      "\tbind :%u\n"
		      /* Keycloak trusts these headers (proxy-headers=xforwarded):
		       * only the balancer may set them. */
		      "\thttp-request del-header X-Forwarded-For\n"
		      "\thttp-request del-header X-Forwarded-Port\n"
		      "\thttp-request del-header X-Forwarded-Prefix\n"
		      "\thttp-request del-header Forwarded\n"
		      "\thttp-request set-header X-Forwarded-Proto http\n"
		      "\thttp-request set-header X-Forwarded-Host %%[req.hdr(host)]\n"
		      "%s"
		      "\tdefault_backend nodes\n"
		      "\n"
		      "frontend stats\n"
		      "\tbind :%u\n"
		      "\tmonitor-uri /health\n"
		      "\tstats enable\n"
		      "\tstats uri /\n"
		      "\tstats refresh 5s\n",
		 s->port,
		 /* When no node says it is ready, the ones that are alive serve
		  * rather than none: Keycloak 26 reports every node not ready
		  * for half a minute after its cluster's coordinator crashed. */
		 s->live_path ? "\tuse_backend live-nodes if { nbsrv(nodes) eq 0 }\n" : "",
		 s->stats_port);
}

/* Names are resolved while the balancer runs, not once at its start: a node
 * that is recreated comes back with a new address, and one that does not
 * resolve yet waits in maintenance instead of keeping HAProxy from
 * starting. */
static void write_resolvers(struct buf *out)
{
	buf_adds(out, "\n"
		      "resolvers nodes\n"
		      "\tparse-resolv-conf\n"
		      /* Nodes that scale in or out are seen within a few
		       * seconds. */
		      "\thold valid 2s\n"
		      "\thold obsolete 10s\n"
		      "\tresolve_retries 3\n"
		      "\ttimeout resolve 1s\n"
		      "\ttimeout retry 1s\n");
}

/* A backend of every node, which sends requests to those whose endpoint
 * path answers 200. */
static void write_backend(const struct balancer_settings *s, struct buf *out, const char *name,
			  const char *path)
{
	buf_addf(out, "\n"
		      "backend %s\n"
		      "\tbalance roundrobin\n"
		      "\tstick-table type string len 128 size 100k expire 30m\n"
		      "\tstick on req.cook(AUTH_SESSION_ID)\n"
		      "\tstick store-response res.cook(AUTH_SESSION_ID)\n"
		      "\toption httpchk GET %s\n"
		      "\thttp-check expect status 200\n"
		      "\tdefault-server check inter %u fall 2 rise 2",
		 name, path, s->check_interval_ms);
	if (s->health_port)
		buf_addf(out, " port %u", s->health_port);
	buf_adds(out, "\n");
	if (s->dns_name[0]) {
		buf_addf(out, "\tserver-template node 1-%u %s:%u resolvers nodes init-addr none "
			      "resolve-prefer ipv4\n",
			 s->max_nodes, s->dns_name, s->node_port);
		return;
	}
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct balancer_node *n = &s->nodes[i];
		buf_addf(out, "\tserver node%zu %s:%u", i + 1, n->host, n->port);
		if (!is_ipv4(n->host))
			buf_adds(out, " resolvers nodes init-addr last,libc,none "
				      "resolve-prefer ipv4");
		buf_adds(out, "\n");
	}
}

void balancer_conf_write(const struct balancer_settings *s, struct buf *out)
{
	write_global(s, out);
	write_frontends(s, out);
	write_resolvers(out);
	write_backend(s, out, "nodes", s->health_path);
	if (s->live_path)
		write_backend(s, out, "live-nodes", s->live_path);
}
