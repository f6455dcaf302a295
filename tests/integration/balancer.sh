#!/bin/bash
# The balancer role with the real HAProxy (Debian's), in front of two
# stand-in nodes on loopback (tests/integration/standin_node.py: an HTTP
# port and a readiness endpoint, as a Keycloak node has; the real cluster
# behind the balancer image is tests/e2e/front_door.sh). What a user relies
# on: requests spread over the ready nodes; a browser stays on the node of
# its AUTH_SESSION_ID; a node that is not ready, or gone, gets nothing and
# costs no request; the forwarded headers are the balancer's own; bad
# settings are refused with a line that names the variable.
#
# Usage: tests/integration/balancer.sh BINARY
set -eu

bin=${1:?usage: balancer.sh BINARY}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$here/../lib/testlib.sh"
summary_at_exit balancer
scratch_dir
CHECK_DETAIL=$tmp/err

for p in haproxy python3 curl; do
	command -v "$p" >/dev/null || { echo "balancer.sh: $p is needed" >&2; exit 1; }
done
haproxy_dir=$(dirname "$(command -v haproxy)")

base=$((20000 + RANDOM % 20000))
http_port=$base management_port=$((base + 1)) port=$((base + 2)) stats_port=$((base + 3))
# Two nodes on two loopback addresses, the same ports on each, as nodes on
# a container network have.
addresses=(127.0.0.1 127.0.0.2)
names=(node-a node-b)
pids=()

start_node() {
	local i=$1
	: >"$tmp/ready-$i"
	python3 "$here/standin_node.py" "${names[$i]}" "${addresses[$i]}" "$http_port" \
		"$management_port" "$tmp/ready-$i" &
	pids[i]=$!
}
stop_pids() {
	local p
	for p in "${pids[@]}" ${balancer:-}; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
at_exit stop_pids

# --- bad settings: one line naming the variable, the documented code -----
expect 78 'keycloak-ha-postgres: error: BALANCER_NODES (host[:port],...) or BALANCER_NODES_DNS' \
	-- "$bin" balancer
expect 78 'keycloak-ha-postgres: error: BALANCER_NODES: "kc1;x" is not a host name' \
	-- "$bin" balancer BALANCER_NODES='kc1;x'
mkdir "$tmp/readonly" && chmod 500 "$tmp/readonly"
if [ "$(id -u)" != 0 ]; then
	expect 73 "keycloak-ha-postgres: error: BALANCER_STATE_DIR=$tmp/readonly/x: cannot create" \
		-- "$bin" balancer BALANCER_NODES=kc1 BALANCER_STATE_DIR="$tmp/readonly/x"
fi
: >"$tmp/file"
expect 73 "keycloak-ha-postgres: error: BALANCER_STATE_DIR=$tmp/file: cannot write haproxy.cfg" \
	-- "$bin" balancer BALANCER_NODES=kc1 BALANCER_STATE_DIR="$tmp/file"
expect 127 'keycloak-ha-postgres: error: haproxy: not found on PATH' \
	-- "$bin" balancer PATH=/nonexistent BALANCER_NODES=kc1 BALANCER_STATE_DIR="$tmp/s0"
# Every form of the settings gives a file the real HAProxy accepts.
for settings in "BALANCER_NODES=kc1,kc2:8081,10.0.0.7" \
	"BALANCER_NODES_DNS=keycloak BALANCER_MAX_NODES=3 KEYCLOAK_GENERATION=legacy" \
	"BALANCER_NODES=kc1 BALANCER_CHECK_INTERVAL=60000 BALANCER_HEALTH_PORT=9443"; do
	# shellcheck disable=SC2086 # the settings are words
	run "$bin" balancer -c -q PATH="$haproxy_dir:/usr/bin:/bin" BALANCER_STATE_DIR="$tmp/c" $settings
	check "haproxy -c accepts the configuration of: $settings" [ "$rc" = 0 ]
done
check "the configuration is private to the balancer's user (0600)" \
	[ "$(stat -c %a "$tmp/c/haproxy.cfg")" = 600 ]

# --- a running balancer ---------------------------------------------------
start_node 0
start_node 1
env -i PATH="$haproxy_dir:/usr/bin:/bin" BALANCER_NODES="127.0.0.1:$http_port,127.0.0.2:$http_port" \
	BALANCER_HEALTH_PORT="$management_port" BALANCER_PORT="$port" BALANCER_STATS_PORT="$stats_port" \
	BALANCER_CHECK_INTERVAL=200 BALANCER_STATE_DIR="$tmp/state" \
	"$bin" balancer >"$tmp/haproxy.log" 2>&1 &
balancer=$!

url=http://127.0.0.1:$port
# whoami [CURL_ARGS...]: the name of the node that answered, "" on failure.
whoami() { curl -fsS --max-time 5 "$@" "$url/whoami" 2>/dev/null | head -n 1; }
# both_ready: each node answered at least once in 10 requests.
both_ready() {
	local seen="" i
	for i in 1 2 3 4 5 6 7 8 9 10; do seen+=" $(whoami)"; done
	[[ $seen == *node-a* && $seen == *node-b* ]]
}
waited=0
until both_ready; do
	waited=$((waited + 1))
	[ "$waited" -lt 50 ] || break
	sleep 0.2
done
check "requests are spread over both ready nodes (round robin)" both_ready
check "the balancer's own health URI answers 200" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$stats_port/health")" = 200 ]

# Stickiness: the node that set AUTH_SESSION_ID gets the browser's requests.
curl -fsS --max-time 5 -c "$tmp/jar" "$url/login" >"$tmp/login"
owner=$(head -n 1 "$tmp/login")
others=0
for i in $(seq 1 10); do
	[ "$(whoami -b "$tmp/jar")" = "$owner" ] || others=$((others + 1))
done
check "10 of 10 requests with $owner's AUTH_SESSION_ID went to $owner (not: $others)" [ "$others" = 0 ]

# Forwarded headers: the client's own are replaced.
curl -fsS --max-time 5 -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Forwarded-Host: evil.example' \
	-H 'X-Forwarded-Proto: https' -H 'Forwarded: for=6.6.6.6' -H "Host: sso.example:$port" \
	"$url/whoami" >"$tmp/headers"
cp "$tmp/headers" "$tmp/err"
check "X-Forwarded-For is the client's address alone" grep -qix 'X-Forwarded-For: 127.0.0.1' "$tmp/headers"
check "X-Forwarded-Host is the Host the client asked for" \
	grep -qix "X-Forwarded-Host: sso.example:$port" "$tmp/headers"
check "X-Forwarded-Proto is the balancer's (http)" grep -qix 'X-Forwarded-Proto: http' "$tmp/headers"
check "a client's Forwarded header does not reach the node" fails grep -qi '^Forwarded:' "$tmp/headers"
: >"$tmp/err"

# Readiness: a node that says DOWN gets no request within two checks, the
# browser stuck to it included.
other_of() { [ "$1" = node-a ] && echo node-b || echo node-a; }
index_of() { [ "$1" = node-a ] && echo 0 || echo 1; }
rm "$tmp/ready-$(index_of "$owner")"
sleep 1
others=0
for i in $(seq 1 10); do
	[ "$(whoami -b "$tmp/jar")" = "$(other_of "$owner")" ] || others=$((others + 1))
done
check "a node whose readiness is DOWN gets none of 10 requests, its browser's included" \
	[ "$others" = 0 ]
: >"$tmp/ready-$(index_of "$owner")"
sleep 1
check "back in rotation once it is ready again" both_ready

# No node ready (Keycloak 26, after its coordinator crashed): the nodes that
# are alive serve, not an error page.
rm "$tmp/ready-0" "$tmp/ready-1"
sleep 1
answered=0
for i in $(seq 1 10); do
	[ -z "$(whoami)" ] || answered=$((answered + 1))
done
check "with no node ready, the live nodes answer 10 of 10 requests ($answered)" [ "$answered" = 10 ]
: >"$tmp/ready-0"
: >"$tmp/ready-1"
sleep 1

# A node that stops: no request is lost, even before the checks notice.
victim=$(index_of "$owner")
kill "${pids[$victim]}"
wait "${pids[$victim]}" 2>/dev/null || true
lost=0
for i in $(seq 1 20); do
	[ -n "$(whoami -b "$tmp/jar")" ] || lost=$((lost + 1))
done
check "0 of 20 requests lost right after a node stopped (lost: $lost)" [ "$lost" = 0 ]

# SIGUSR1 (the image's STOPSIGNAL) stops HAProxy softly.
kill -USR1 "$balancer"
stopped=""
for i in $(seq 1 50); do
	kill -0 "$balancer" 2>/dev/null || { stopped=yes; break; }
	sleep 0.1
done
check "SIGUSR1 stops the balancer within 5 s" [ -n "$stopped" ]
balancer=""
cp "$tmp/haproxy.log" "$tmp/err"
check "the entrypoint said what it balances" grep -q 'info: balancing port [0-9]* over 2 nodes' "$tmp/haproxy.log"
check "HAProxy logged requests to stdout" grep -q 'nodes/node[12]' "$tmp/haproxy.log"
