/*
 * The balancer's settings and the HAProxy configuration made from them:
 * every setting's effect on the file, and each bad value refused with a
 * line that names the variable. tests/integration/balancer.sh has the real
 * HAProxy read the files and route requests.
 */
#include "balancer_conf.h"
#include "balancer_settings.h"
#include "buf.h"
#include "harness.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *log_file;
static char logged[1024];
static struct balancer_settings s;

/* Load from the NULL-terminated variables; the exit code, with the first
 * message in logged. */
static int load(char **envp)
{
	rewind(log_file);
	if (ftruncate(fileno(log_file), 0) != 0)
		perror("ftruncate");
	int code = balancer_settings_load(&s, envp);
	fflush(log_file);
	harness_read_log(log_file, logged, sizeof(logged));
	return code;
}

static char *conf(void)
{
	static struct buf b;
	buf_free(&b);
	b = (struct buf){ 0 };
	balancer_conf_write(&s, &b);
	return b.failed ? NULL : b.data;
}

static void refused(char **envp, const char *message)
{
	CHECK(load(envp) == EXIT_CONFIG);
	CHECK_STR(logged, message);
}

static void test_node_list(void)
{
	char *env[] = { "BALANCER_NODES=kc1, kc2:8081 ,10.0.0.7", NULL };
	CHECK(load(env) == 0);
	CHECK(s.n_nodes == 3);
	char *c = conf();
	CHECK(c && strstr(c, "\tserver node1 kc1:8080 resolvers nodes "
			     "init-addr last,libc,none resolve-prefer ipv4\n"));
	CHECK(c && strstr(c, "\tserver node2 kc2:8081 resolvers nodes "
			     "init-addr last,libc,none resolve-prefer ipv4\n"));
	CHECK(c && strstr(c, "\tserver node3 10.0.0.7:8080\n"));
	/* Keycloak 26: readiness on the management port. */
	CHECK(c && strstr(c, "\toption httpchk GET /health/ready\n"));
	CHECK(c && strstr(c, "\tdefault-server check inter 1000 fall 2 rise 2 port 9000\n"));
	CHECK(c && strstr(c, "\tbind :8080\n"));
	/* No node ready: the live ones serve. */
	CHECK(c && strstr(c, "\tuse_backend live-nodes if { nbsrv(nodes) eq 0 }\n"));
	CHECK(c && strstr(c, "\nbackend live-nodes\n"));
	CHECK(c && strstr(c, "\toption httpchk GET /health/live\n"));
	CHECK(c && strstr(c, "\tbind :8404\n"));
	CHECK(c && strstr(c, "\tstick on req.cook(AUTH_SESSION_ID)\n"));
	CHECK(c && strstr(c, "\tstick store-response res.cook(AUTH_SESSION_ID)\n"));
	CHECK(c && strstr(c, "\thttp-request del-header X-Forwarded-For\n"));
	CHECK(c && strstr(c, "\nresolvers nodes\n\tparse-resolv-conf\n"));
	CHECK(c && !strstr(c, "server-template"));
}

static void test_dns(void)
{
	char *env[] = { "BALANCER_NODES_DNS=keycloak", "BALANCER_MAX_NODES=5",
			"BALANCER_NODE_PORT=8443", "KEYCLOAK_GENERATION=legacy",
			"BALANCER_PORT=80", "BALANCER_STATS_PORT=81",
			"BALANCER_CHECK_INTERVAL=250", NULL };
	CHECK(load(env) == 0);
	char *c = conf();
	CHECK(c && strstr(c, "\tserver-template node 1-5 keycloak:8443 resolvers nodes "
			     "init-addr none resolve-prefer ipv4\n"));
	CHECK(c && strstr(c, "\nresolvers nodes\n\tparse-resolv-conf\n"));
	/* The legacy generation: the realm endpoint on the node's own port. */
	CHECK(c && strstr(c, "\toption httpchk GET /auth/realms/master\n"));
	CHECK(c && strstr(c, "\tdefault-server check inter 250 fall 2 rise 2\n"));
	CHECK(c && strstr(c, "\tbind :80\n"));
	CHECK(c && strstr(c, "\tbind :81\n"));
	CHECK(c && strstr(c, "\ttimeout check 250ms\n"));
	CHECK(c && !strstr(c, "\tserver node"));
	CHECK(c && !strstr(c, "live-nodes"));
	CHECK_STR(s.state_dir, "/var/lib/keycloak-ha-balancer");
}

static void test_refused(void)
{
	refused((char *[]){ NULL },
		"BALANCER_NODES (host[:port],...) or BALANCER_NODES_DNS (a name that resolves to "
		"every node) must be set");
	refused((char *[]){ "BALANCER_NODES=a", "BALANCER_NODES_DNS=b", NULL },
		"BALANCER_NODES and BALANCER_NODES_DNS are both set; set only one");
	refused((char *[]){ "BALANCER_NODES=a,,b", NULL },
		"BALANCER_NODES: an empty entry; write host[:port],host[:port]");
	refused((char *[]){ "BALANCER_NODES=", NULL },
		"BALANCER_NODES is empty; write host[:port],host[:port]");
	refused((char *[]){ "BALANCER_NODES=kc1:0", NULL },
		"BALANCER_NODES: \"kc1:0\": the port must be a number from 1 to 65535");
	refused((char *[]){ "BALANCER_NODES=kc1:http", NULL },
		"BALANCER_NODES: \"kc1:http\": the port must be a number from 1 to 65535");
	/* Nothing that HAProxy's configuration would read as syntax. */
	refused((char *[]){ "BALANCER_NODES=kc1 check backup", NULL },
		"BALANCER_NODES: \"kc1 check backup\" is not a host name or IPv4 address with an "
		"optional :port");
	refused((char *[]){ "BALANCER_NODES_DNS=a\nb", NULL },
		"BALANCER_NODES_DNS=\"a\\x0ab\": not a host name");
	refused((char *[]){ "BALANCER_NODES=a", "KEYCLOAK_GENERATION=25", NULL },
		"KEYCLOAK_GENERATION=\"25\": expected 26 or legacy");
	refused((char *[]){ "BALANCER_NODES=a", "BALANCER_CHECK_INTERVAL=10", NULL },
		"BALANCER_CHECK_INTERVAL=\"10\": expected a number from 100 to 60000");
	refused((char *[]){ "BALANCER_NODES=a", "BALANCER_PORT=-1", NULL },
		"BALANCER_PORT=\"-1\": expected a number from 1 to 65535");
	refused((char *[]){ "BALANCER_NODES_DNS=a", "BALANCER_MAX_NODES=1000", NULL },
		"BALANCER_MAX_NODES=\"1000\": expected a number from 1 to 256");
	refused((char *[]){ "BALANCER_NODES=a", "BALANCER_PORT=8404", NULL },
		"BALANCER_PORT and BALANCER_STATS_PORT are both 8404; they must differ");
	refused((char *[]){ "BALANCER_NODES=a", "KEYCLOAK_HA_LOG_LEVEL=loud", NULL },
		"KEYCLOAK_HA_LOG_LEVEL: expected one of error, warn, info, debug, got \"loud\"");
	refused((char *[]){ "BALANCER_NODES=a", "BALANCER_STATE_DIR=relative", NULL },
		"BALANCER_STATE_DIR=\"relative\": not an absolute path of a directory");
}

int main(void)
{
	log_file = tmpfile();
	log_stream = log_file;
	test_node_list();
	test_dns();
	test_refused();
	return harness_summary("balancer");
}
