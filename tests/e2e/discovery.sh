#!/bin/bash
# End-to-end test: every discovery choice of JGROUPS_DISCOVERY_PROTOCOL forms
# a real two-node cluster.
#
# One PostgreSQL container serves every case; for each protocol two Keycloak
# nodes start together and both logs must show the two-member view naming
# both. The time from starting the nodes to the view in both logs is printed
# as "figure: form_<case> = N s".
#
#   udp_ping   PING over UDP multicast, on a multicast address that is not
#              the default one (JGROUPS_MULTICAST_ADDRESS)
#   mping      MPING on the TCP stack
#   tcpping    TCPPING with a static host list
#   dns_ping   dns.DNS_PING: both nodes share one network alias, so the
#              engine's DNS answers that name with both addresses (the way a
#              Kubernetes headless service does)
#   jdbc_ping  JDBC_PING, the default, then both nodes are killed with
#              SIGKILL (their rows stay in JGROUPSPING: nobody is left to
#              remove them) and started again at once: the entrypoints must
#              delete the rows of the dead members before the servers start,
#              so that they do not delay the new cluster
#   kube_ping_generated_only  kubernetes.KUBE_PING: no Kubernetes API is
#              reachable here, so only the generated protocol element is
#              checked, against the KUBE_PING class of the image's own module
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE,
#   E2E_BOOT_TIMEOUT (seconds, default 600), E2E_LOG_DIR.
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"

kc_finish_on_exit e2e-discovery

kc_init khp-disc
check "postgres ready" kc_start_db

# form CASE RUN_ARGS...: start CASE-a and CASE-b with RUN_ARGS; both must
# log the two-member view naming both. Prints the time it took.
form() {
	local case=$1 start node view
	shift
	start=$SECONDS
	kc_start_node "$case-a" "$@"
	kc_start_node "$case-b" "$@"
	for node in "$case-a" "$case-b"; do
		view=$(kc_wait_view "$node" 2 "$kc_boot_timeout") || view=""
		case $view in
		"2 $case-a, $case-b" | "2 $case-b, $case-a") check "$case: $node sees the two-member view" true ;;
		*) check "$case: $node sees the two-member view (last: ${view:-none})" false ;;
		esac
	done
	figure "form_$case" "$((SECONDS - start))" s
}

# drop CASE: save the logs of both nodes of CASE and remove them (killed:
# a clean stop is failover.sh's business and takes longer).
drop() {
	kc_save_logs
	engine kill --signal KILL "$(kc_container "$1-a")" "$(kc_container "$1-b")" >/dev/null || true
	engine_remove "$(kc_container "$1-a")" "$(kc_container "$1-b")"
}

# java_has NAME ARG: node NAME's java (process 1) has argument ARG.
java_has() {
	engine exec "$(kc_container "$1")" cat /proc/1/cmdline | tr '\0' '\n' | grep -qxF -- "$2"
}

form udp-ping -e JGROUPS_DISCOVERY_PROTOCOL=PING -e JGROUPS_MULTICAST_ADDRESS=230.0.0.9
check "udp-ping: the server uses multicast address 230.0.0.9" \
	java_has udp-ping-a -Djboss.default.multicast.address=230.0.0.9
drop udp-ping

form mping -e JGROUPS_DISCOVERY_PROTOCOL=MPING
drop mping

form tcpping -e JGROUPS_DISCOVERY_PROTOCOL=TCPPING \
	-e 'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=tcpping-a[7600],tcpping-b[7600],port_range=0'
drop tcpping

form dns-ping -e JGROUPS_DISCOVERY_PROTOCOL=dns.DNS_PING \
	-e "JGROUPS_DISCOVERY_PROPERTIES=dns_query=$kc_alias"
drop dns-ping

# JDBC_PING last: the first cases paid for the database schema, so its
# figure is comparable to theirs. The table is there already, as an older
# image created it (without the column "updated"): the nodes must add it.
kc_sql "CREATE TABLE JGROUPSPING (own_addr varchar(200) NOT NULL,
	cluster_name varchar(200) NOT NULL, ping_data bytea,
	constraint PK_JGROUPSPING PRIMARY KEY (own_addr, cluster_name))"
form jdbc-ping
rows="$(kc_ping_rows jdbc-ping-a) $(kc_ping_rows jdbc-ping-b)"
check "jdbc-ping: JGROUPSPING holds one row per member (got $rows)" [ "$rows" = "1 1" ]
column=$(kc_sql "SELECT count(*) FROM information_schema.columns
	WHERE table_name = 'jgroupsping' AND column_name = 'updated'")
check "jdbc-ping: the nodes added the column updated to an older JGROUPSPING" [ "$column" = 1 ]

# join_timeouts NAME: join requests of NAME that got no answer.
join_timeouts() {
	engine logs "$(kc_container "$1")" 2>&1 | grep -c 'JOIN(.*timed out' || true
}

# The whole cluster crashes and comes back at once.
declare -A skip joins_before
for node in jdbc-ping-a jdbc-ping-b; do
	skip[$node]=$(kc_view_total "$node")
	joins_before[$node]=$(join_timeouts "$node")
done
engine kill --signal KILL "$(kc_container jdbc-ping-a)" "$(kc_container jdbc-ping-b)" >/dev/null
stale=$(kc_ping_rows '*')
check "jdbc-ping: the killed members' rows stay in JGROUPSPING (got $stale)" [ "$stale" = 2 ]
start=$SECONDS
engine start "$(kc_container jdbc-ping-a)" "$(kc_container jdbc-ping-b)" >/dev/null
for node in jdbc-ping-a jdbc-ping-b; do
	view=$(kc_wait_view "$node" 2 "$kc_boot_timeout" "${skip[$node]}") || view=""
	check "jdbc-ping: restarted $node sees the two-member view despite the dead rows" \
		[ "${view%% *}" = 2 ]
	# A node that believed a dead row sends its join request to the dead
	# coordinator, times out ten times, then starts alone.
	joins=$(($(join_timeouts "$node") - joins_before[$node]))
	check "jdbc-ping: restarted $node sent no join request to a dead member ($joins did)" \
		[ "$joins" = 0 ]
done
figure form_jdbc_ping_after_crash "$((SECONDS - start))" s
# Before their servers started, the entrypoints watched the rows and deleted
# the two that nobody rewrote (the restarted nodes' logs hold both boots;
# the first found no row of its own kind to remove).
removed=$(for node in jdbc-ping-a jdbc-ping-b; do engine logs "$(kc_container "$node")" 2>&1; done |
	sed -n 's/.*info: removed \([0-9]*\) rows\{0,1\} of members that are gone from JGROUPSPING.*/\1/p' |
	awk '{ n += $1 } END { print n + 0 }')
check "jdbc-ping: the restarted nodes' entrypoints removed the 2 dead rows (got $removed)" \
	[ "$removed" = 2 ]
rows=$(kc_ping_rows '*')
check "jdbc-ping: after the restart JGROUPSPING holds only the two live members (got $rows)" \
	[ "$rows" = 2 ]
drop jdbc-ping

# KUBE_PING needs a Kubernetes API server, which this machine has not: the
# generated stack is checked against the protocol class of the image.
kube_props='namespace=iam,labels=app=keycloak,port_range=0'
# The file is rendered where the image's state directory is; the variable
# is the container's, not this script's.
# shellcheck disable=SC2016
xml=$(engine run --rm --entrypoint /bin/sh -e DB_PASSWORD=x \
	-e JGROUPS_DISCOVERY_PROTOCOL=kubernetes.KUBE_PING \
	-e "JGROUPS_DISCOVERY_PROPERTIES=$kube_props" "$KEYCLOAK_IMAGE" -c \
	'keycloak-ha-postgres render >/dev/null &&
	cat "$KEYCLOAK_STATE_DIR/configuration/standalone-ha.xml"' 2>/dev/null || true)
scratch_dir
jar=$tmp/kubernetes.jar
engine run --rm --entrypoint /bin/sh "$KEYCLOAK_IMAGE" -c \
	'cat /opt/keycloak/modules/system/layers/base/org/jgroups/kubernetes/main/*.jar' \
	>"$jar" 2>/dev/null || true
# kube_check: the default channel runs on the tcp stack, whose protocol
# after the transport is kubernetes.KUBE_PING with exactly the properties
# given, each the name of a field of org.jgroups.protocols.kubernetes.KUBE_PING
# in the image's module (a made-up name is not, or the check proves nothing).
kube_check() {
	printf '%s' "$xml" | python3 -c '
import re, sys, zipfile
import xml.etree.ElementTree as ET
jar, props = sys.argv[1], dict(p.split("=", 1) for p in re.split(r",(?=[a-z_]+=)", sys.argv[2]))
doc = ET.fromstring(sys.stdin.read())
sub = next(e for e in doc.iter() if e.tag.startswith("{urn:jboss:domain:jgroups:") and e.tag.endswith("}subsystem"))
ns = sub.tag[:sub.tag.index("}") + 1]
channels = sub.find(ns + "channels")
channel = next(c for c in channels if c.get("name") == channels.get("default"))
assert channel.get("stack") == "tcp", channel.get("stack")
stack = next(s for s in sub.find(ns + "stacks") if s.get("name") == "tcp")
transport, discovery = list(stack)[:2]
assert transport.tag == ns + "transport" and transport.get("type") == "TCP"
assert discovery.tag == ns + "protocol" and discovery.get("type") == "kubernetes.KUBE_PING", discovery.attrib
got = {p.get("name"): p.text for p in discovery}
assert got == props, got
cls = zipfile.ZipFile(jar).read("org/jgroups/protocols/kubernetes/KUBE_PING.class")
def field(name):
    b = name.encode()
    return len(b).to_bytes(2, "big") + b in cls
assert all(field(n) for n in props), [n for n in props if not field(n)]
assert not field("no_such_property")
' "$jar" "$kube_props"
}
check "kube_ping_generated_only (no Kubernetes API here): KUBE_PING on the tcp stack with namespace, labels, port_range, all KUBE_PING properties" \
	kube_check
