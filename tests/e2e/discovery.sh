#!/bin/bash
# End-to-end test: every discovery choice of JGROUPS_DISCOVERY_PROTOCOL forms
# a real two-node cluster, on the generation of KEYCLOAK_IMAGE (Keycloak 26
# or the legacy, WildFly-based one).
#
# One PostgreSQL container serves every case; for each protocol two Keycloak
# nodes start together and both logs must show the two-member view naming
# both. The time from starting the nodes to the view in both logs is printed
# as "figure: form_<case> = N s".
#
#   udp_ping   PING over UDP multicast, on a multicast address that is not
#              the default one (JGROUPS_MULTICAST_ADDRESS)
#   mping      MPING on the TCP stack (Keycloak 26: on a multicast address
#              of its own too)
#   tcpping    TCPPING with a static host list (the transport's port: 7600
#              legacy, 7800 Keycloak 26)
#   dns_ping   dns.DNS_PING: both nodes share one network alias, so the
#              engine's DNS answers that name with both addresses (the way a
#              Kubernetes headless service does)
#   jdbc_ping  JDBC_PING, the default, then both nodes are killed with
#              SIGKILL (their rows stay in the table: nobody is left to
#              remove them) and started again at once: the entrypoints must
#              delete the rows of the dead members before the servers start,
#              so that no node sends its join request to a dead member.
#              Keycloak 26: the rows' addresses are the containers', and the
#              same crash is repeated with the dead rows put back as soon as
#              the entrypoints have removed them (before either server starts
#              its channel), which measures what the removal saves:
#              "figure: form_jdbc_ping_after_crash_dead_rows_kept" and the
#              join requests sent to dead members, for both runs
#   kube_ping  kubernetes.KUBE_PING. Legacy: no Kubernetes API is reachable
#              here, so only the generated protocol element is checked,
#              against the KUBE_PING class of the image's own module.
#              Keycloak 26 has no KUBE_PING: the start is refused (exit 78,
#              with a message that names the alternatives)
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE,
#   E2E_BOOT_TIMEOUT (seconds, default 600), E2E_LOG_DIR,
#   E2E_DISCOVERY_SAME_ADDRESSES=1 (Keycloak 26: the crash with the dead rows
#   kept is repeated with each row's address the one its node has now).
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"

kc_finish_on_exit e2e-discovery

kc_init khp-disc
check "postgres ready" kc_start_db

# form CASE RUN_ARGS...: start CASE-a and CASE-b with RUN_ARGS (@NODE@ in
# them: the node's name); both must log the two-member view naming both.
# Prints the time it took.
form() {
	local case=$1 start node view
	shift
	start=$SECONDS
	kc_start_node "$case-a" "${@//@NODE@/$case-a}"
	kc_start_node "$case-b" "${@//@NODE@/$case-b}"
	for node in "$case-a" "$case-b"; do
		view=$(members "$(kc_wait_view "$node" 2 "$kc_boot_timeout")") || view=""
		case $view in
		"2 $case-a, $case-b" | "2 $case-b, $case-a") check "$case: $node sees the two-member view" true ;;
		*) check "$case: $node sees the two-member view (last: ${view:-none})" false ;;
		esac
	done
	figure "form_$case" "$((SECONDS - start))" s
}

# members VIEW: a view as kc_wait_view prints it ("2 kc1, kc2"), without
# what a merged view adds after its members ("], 2 subgroups: ...").
members() {
	printf '%s\n' "${1%%]*}"
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

# cache_conf_has NAME TEXT: the cache configuration NAME's entrypoint wrote
# (Keycloak 26, a discovery other than JDBC_PING) holds the line TEXT.
cache_conf_has() {
	engine cp "$(kc_container "$1"):/var/lib/keycloak/cache-ispn.xml" "$tmp/cache-$1.xml" &&
		grep -qxF -- "$2" <(sed 's/^ *//' "$tmp/cache-$1.xml")
}

# join_timeouts NAME: join requests of NAME that got no answer.
join_timeouts() {
	engine logs "$(kc_container "$1")" 2>&1 | grep -c 'JOIN(.*timed out' || true
}

# log_count NAME REGEX: lines of NAME's log (every boot) matching REGEX.
log_count() {
	engine logs "$(kc_container "$1")" 2>&1 | grep -Ec -- "$2" || true
}

# one_row_each: the discovery table holds one row per jdbc-ping node. A
# coordinator rewrites the table when the view changes, so a row can be
# missing for a moment after the view is logged: wait up to 30 s.
one_row_each() {
	rows="$(kc_ping_rows jdbc-ping-a) $(kc_ping_rows jdbc-ping-b)"
	[ "$rows" = "1 1" ]
}

# ---- Keycloak 26

# in_group NAME ADDRESS: NAME's network namespace has joined the multicast
# group ADDRESS on an interface (/proc/net/igmp writes it as the hex of the
# address in host byte order).
in_group() {
	local hex
	hex=$(echo "$2" | awk -F. '{ printf "%02X%02X%02X%02X\n", $4, $3, $2, $1 }')
	engine exec "$(kc_container "$1")" cat /proc/net/igmp | grep -qw -- "$hex"
}

# removed_rows TABLE NAME...: the rows that the entrypoints of nodes NAME...
# logged as removed from TABLE, in every boot.
removed_rows() {
	local table=$1 node
	shift
	for node in "$@"; do
		engine logs "$(kc_container "$node")" 2>&1
	done | sed -n "s/.*info: removed \([0-9]*\) rows\{0,1\} of members that are gone from $table .*/\1/p" |
		awk '{ n += $1 } END { print n + 0 }'
}

# starts_26 NAME: boots of NAME in which its entrypoint started the server.
starts_26() {
	log_count "$1" 'starting Keycloak as node'
}

starts_at_least() {
	[ "$(starts_26 "$1")" -ge "$2" ]
}

# wait_starts_26 NAME N: NAME's entrypoint has started the server N times.
wait_starts_26() {
	engine_poll "$(kc_container "$1")" "$kc_boot_timeout" 0.2 "boot $2" starts_at_least "$1" "$2"
}

# node_conf NODE NAME: the configuration file that node NODE reads at its
# default path (mounted from $tmp/conf-NODE) names it NAME in the cluster.
# Each boot of the crash cases gets a name of its own, so that the log lines
# of a join request tell a dead member from a live one.
declare -A name_of
node_conf() {
	mkdir -p "$tmp/conf-$1"
	printf 'KEYCLOAK_NODE_NAME = "%s";\n' "$2" >"$tmp/conf-$1/keycloak-ha.conf"
	chmod 755 "$tmp/conf-$1"
	chmod 644 "$tmp/conf-$1/keycloak-ha.conf"
	name_of[$1]=$2
}

# joins_to NAME DEAD...: NAME's join requests that timed out at one of the
# members named DEAD ("JOIN(jdbc-ping-a-2(v=16.0.14)) sent to jdbc-ping-b
# timed out (after 2000 ms), on try 1"), in every boot.
joins_to() {
	local name=$1 dead
	shift
	dead=$(printf '%s|' "$@")
	log_count "$name" "JOIN\(.*\) sent to (${dead%|}) timed out"
}

# crash_26 LABEL remove|keep|keep-same-addresses BOOT [LAST_TRY]: kill both JDBC_PING
# nodes (SIGKILL) and start them again at once, named NODE-BOOT. "remove":
# when the entrypoints have started the servers the two dead rows must be
# gone, removed by the entrypoints, and no node may send a join request to
# a dead member. "keep": the dead rows are put back then,
# as if nothing had removed them, as fresh as they are at worst (a crash
# right after the coordinator rewrote them and a boot that reaches
# discovery at once: Keycloak 26.7's discovery reads rows up to 60 s old);
# only measured. "keep-same-addresses": the same, with each dead row's
# address the one its node has now, as when the engine gives a restarted
# container its address back (podman here gives new ones). Prints the time
# to the two-member view, the join requests to dead members and the nodes
# that gave up joining ("too many JOIN attempts (10): becoming singleton").
# LAST_TRY 0 (a keep mode's earlier try): a server that started its channel
# before the dead rows were back is no failure; the cluster is left formed,
# without the rows put back, and the status is 2 (crash_26_kept tries again).
crash_26() {
	local label=$1 mode=$2 boot=$3 last_try=${4:-1} node view start removed_before removed stale back left rows joins ip started
	local -A skip joins_before singles_before channels_before boots dead
	local -a dead_names=()
	for node in jdbc-ping-a jdbc-ping-b; do
		dead_names+=("${name_of[$node]}")
	done
	for node in jdbc-ping-a jdbc-ping-b; do
		skip[$node]=$(kc_view_total "$node")
		joins_before[$node]=$(joins_to "$node" "${dead_names[@]}")
		singles_before[$node]=$(log_count "$node" 'too many JOIN attempts')
		channels_before[$node]=$(log_count "$node" ISPN000078)
		boots[$node]=$(starts_26 "$node")
		node_conf "$node" "$node-$boot"
	done
	removed_before=$(removed_rows JGROUPS_PING jdbc-ping-a jdbc-ping-b)
	engine kill --signal KILL "$(kc_container jdbc-ping-a)" "$(kc_container jdbc-ping-b)" >/dev/null
	stale=$(kc_ping_rows '*')
	check "$label: the killed members' rows stay in JGROUPS_PING (got $stale)" [ "$stale" = 2 ]
	figure "${label}_dead_rows_age_at_crash" \
		"$(kc_sql "SELECT extract(epoch FROM now())::bigint - min(last_update) FROM jgroups_ping")" s
	kc_sql "SET client_min_messages = warning; DROP TABLE IF EXISTS khp_dead_rows;
		CREATE TABLE khp_dead_rows AS SELECT * FROM jgroups_ping"
	start=$SECONDS
	engine start "$(kc_container jdbc-ping-a)" "$(kc_container jdbc-ping-b)" >/dev/null
	for node in jdbc-ping-a jdbc-ping-b; do
		wait_starts_26 "$node" $((boots[$node] + 1)) || true
	done
	left=$(kc_sql "SELECT count(*) FROM jgroups_ping JOIN khp_dead_rows USING (address)")
	if [ "$mode" = remove ]; then
		check "$label: when the entrypoints started the servers, no dead member's row was left (got $left)" \
			[ "$left" = 0 ]
	else
		ip=ip
		[ "$mode" = keep ] || ip="CASE name WHEN '${dead_names[0]}' THEN '$(kc_ip jdbc-ping-a):7800'
			WHEN '${dead_names[1]}' THEN '$(kc_ip jdbc-ping-b):7800' END"
		back=$(kc_sql "INSERT INTO jgroups_ping
			(address, name, cluster_name, ip, coord, last_update, coordinated_by)
			SELECT address, name, cluster_name, $ip, coord,
			extract(epoch FROM now())::bigint, coordinated_by FROM khp_dead_rows
			ON CONFLICT DO NOTHING RETURNING 1" | wc -l)
		check "$label: the 2 dead rows are back in JGROUPS_PING (got $back)" [ "$back" = 2 ]
	fi
	# The dead rows put back must be read by the servers' discovery, so
	# they have to be in before either server starts its channel. That is
	# a race with the server's boot, which a loaded machine loses now and
	# then: the case is then run again (crash_26_kept), and it fails only
	# when its last try lost too. In "remove" mode no such precondition
	# holds: the entrypoints' own log lines (counted below) tell their
	# removal from Keycloak's, however soon a fast machine starts the
	# channels.
	if [ "$mode" != remove ]; then
		started=""
		for node in jdbc-ping-a jdbc-ping-b; do
			[ "$(log_count "$node" ISPN000078)" = "${channels_before[$node]}" ] ||
				started+=" $node"
		done
		if [ -n "$started" ] && [ "$last_try" = 0 ]; then
			echo "note: $label: the server of$started started its channel before the dead rows were back; once more" >&2
			for node in jdbc-ping-a jdbc-ping-b; do
				kc_wait_view "$node" 2 "$kc_boot_timeout" "${skip[$node]}" >/dev/null || true
			done
			kc_sql "DELETE FROM jgroups_ping WHERE address IN (SELECT address FROM khp_dead_rows)" >/dev/null
			return 2
		fi
		check "$label: no server had started its channel before the dead rows were back (started:${started:- none})" \
			[ -z "$started" ]
	fi
	for node in jdbc-ping-a jdbc-ping-b; do
		view=$(members "$(kc_wait_view "$node" 2 "$kc_boot_timeout" "${skip[$node]}")") || view=""
		case $view in
		"2 jdbc-ping-a-$boot, jdbc-ping-b-$boot" | "2 jdbc-ping-b-$boot, jdbc-ping-a-$boot")
			check "$label: restarted $node sees the two-member view" true ;;
		*) check "$label: restarted $node sees the two-member view (last: ${view:-none})" false ;;
		esac
		joins=$(($(joins_to "$node" "${dead_names[@]}") - joins_before[$node]))
		figure "${label}_${node//-/_}_joins_to_dead_members" "$joins" requests
		figure "${label}_${node//-/_}_gave_up_joining" \
			"$(($(log_count "$node" 'too many JOIN attempts') - singles_before[$node]))" times
		[ "$mode" != remove ] ||
			check "$label: restarted $node sent no join request to a dead member ($joins did)" \
				[ "$joins" = 0 ]
	done
	figure "form_$label" "$((SECONDS - start))" s
	removed=$(($(removed_rows JGROUPS_PING jdbc-ping-a jdbc-ping-b) - removed_before))
	check "$label: the restarted nodes' entrypoints removed the 2 dead rows (got $removed)" \
		[ "$removed" = 2 ]
	[ "$mode" = remove ] || return 0
	left=$(kc_sql "SELECT count(*) FROM jgroups_ping JOIN khp_dead_rows USING (address)")
	check "$label: then too no dead member's row is in JGROUPS_PING (got $left)" [ "$left" = 0 ]
	rows=$(kc_sql "SELECT string_agg(name, ',' ORDER BY name) FROM jgroups_ping")
	check "$label: JGROUPS_PING holds the two live members (got $rows)" \
		[ "$rows" = "jdbc-ping-a-$boot,jdbc-ping-b-$boot" ]
}

# crash_26_kept LABEL keep|keep-same-addresses BOOT: crash_26, up to three
# tries (boots BOOT, BOOTb, BOOTc) while a server starts its channel before
# the dead rows are back.
crash_26_kept() {
	local label=$1 mode=$2 boot=$3 suffix rc
	for suffix in "" b; do
		rc=0
		crash_26 "$label" "$mode" "$boot$suffix" 0 || rc=$?
		[ "$rc" = 2 ] || return "$rc"
	done
	crash_26 "$label" "$mode" "${boot}c" 1
}

discovery_26() {
	local node ip rows out rc kube
	# Keycloak 26 refuses its cluster TLS on UDP; the entrypoint turns it
	# off for the udp stack, so the 2015-style settings alone must do.
	form udp-ping -e JGROUPS_DISCOVERY_PROTOCOL=PING -e JGROUPS_MULTICAST_ADDRESS=230.0.0.9
	check "udp-ping: the server has -Djgroups.mcast_addr=230.0.0.9" \
		java_has udp-ping-a -Djgroups.mcast_addr=230.0.0.9
	for node in udp-ping-a udp-ping-b; do
		check "udp-ping: $node joined the multicast group 230.0.0.9" in_group "$node" 230.0.0.9
	done
	drop udp-ping

	form mping -e JGROUPS_DISCOVERY_PROTOCOL=MPING -e JGROUPS_MULTICAST_ADDRESS=230.0.0.10
	for node in mping-a mping-b; do
		check "mping: $node joined the multicast group 230.0.0.10" in_group "$node" 230.0.0.10
	done
	drop mping

	# With a failure detection timeout of its own: FD_ALL3 in the stack.
	form tcpping -e JGROUPS_DISCOVERY_PROTOCOL=TCPPING \
		-e 'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=tcpping-a[7800],tcpping-b[7800],port_range=0' \
		-e JGROUPS_FAILURE_DETECTION_TIMEOUT=10s
	check "tcpping: the stack has FD_ALL3 with timeout 10000 ms" \
		cache_conf_has tcpping-a '<FD_ALL3 stack.combine="COMBINE" timeout="10000" interval="2000"/>'
	drop tcpping

	form dns-ping -e JGROUPS_DISCOVERY_PROTOCOL=dns.DNS_PING \
		-e "JGROUPS_DISCOVERY_PROPERTIES=dns_query=$kc_alias"
	drop dns-ping

	# JDBC_PING last: the first cases paid for the database schema, so its
	# figure is comparable to theirs.
	node_conf jdbc-ping-a jdbc-ping-a
	node_conf jdbc-ping-b jdbc-ping-b
	form jdbc-ping -v "$tmp/conf-@NODE@:/etc/keycloak-ha-postgres:ro"
	rows=""
	engine_poll "$(kc_container jdbc-ping-a)" 30 1 "one row per member" one_row_each || true
	check "jdbc-ping: JGROUPS_PING holds one row per member (got $rows)" [ "$rows" = "1 1" ]
	for node in jdbc-ping-a jdbc-ping-b; do
		ip=$(kc_sql "SELECT ip FROM jgroups_ping WHERE name = '$node'")
		check "jdbc-ping: $node's row has its container's address $(kc_ip "$node"):7800, not loopback (got $ip)" \
			[ "$ip" = "$(kc_ip "$node"):7800" ]
	done
	crash_26 jdbc_ping_after_crash remove 2
	crash_26_kept jdbc_ping_after_crash_dead_rows_kept keep 3
	# A measurement only (a minute): with E2E_DISCOVERY_SAME_ADDRESSES=1.
	[ "${E2E_DISCOVERY_SAME_ADDRESSES:-0}" = 0 ] ||
		crash_26_kept jdbc_ping_after_crash_dead_rows_kept_same_addresses keep-same-addresses 4
	drop jdbc-ping

	# Keycloak 26 has no KUBE_PING: refused before anything is waited for.
	kube=$(kc_container kube-ping)
	kc_containers+=("$kube")
	out=$tmp/kube-ping
	rc=0
	engine run --name "$kube" --network "$kc_network" -e DB_PASSWORD=x \
		-e JGROUPS_DISCOVERY_PROTOCOL=kubernetes.KUBE_PING \
		-e 'JGROUPS_DISCOVERY_PROPERTIES=namespace=iam,labels=app=keycloak' \
		--no-healthcheck "$KEYCLOAK_IMAGE" >"$out.out" 2>"$out.err" || rc=$?
	check "kube_ping: refused with exit 78 (got $rc)" [ "$rc" = 78 ]
	check "kube_ping: the message says Keycloak 26 has no KUBE_PING (got: $(head -n 1 "$out.err"))" \
		[ "$(cat "$out.err")" = "keycloak-ha-postgres: error: JGROUPS_DISCOVERY_PROTOCOL: Keycloak 26 has no KUBE_PING; use dns.DNS_PING with a headless service, or JDBC_PING" ]
}

scratch_dir
if [ "$kc_generation" = 26 ]; then
	discovery_26
	exit 0
fi

# ---- the legacy generation
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
rows=""
engine_poll "$(kc_container jdbc-ping-a)" 30 1 "one row per member" one_row_each || true
check "jdbc-ping: JGROUPSPING holds one row per member (got $rows)" [ "$rows" = "1 1" ]
column=$(kc_sql "SELECT count(*) FROM information_schema.columns
	WHERE table_name = 'jgroupsping' AND column_name = 'updated'")
check "jdbc-ping: the nodes added the column updated to an older JGROUPSPING" [ "$column" = 1 ]

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
# The coordinator rewrites the table after the view, as after the first
# boot.
two_rows() { rows=$(kc_ping_rows '*') && [ "$rows" = 2 ]; }
engine_poll "$(kc_container jdbc-ping-a)" 30 1 "two rows" two_rows || true
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
