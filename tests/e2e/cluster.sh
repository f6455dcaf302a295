#!/bin/bash
# End-to-end test: a PostgreSQL container and two Keycloak nodes, started the
# way the README starts them, form one cluster on one database.
#
# Checks: both nodes' logs show a two-member cluster view; both answer HTTP
# on 8080; an admin token obtained from node 1 is accepted by node 2's admin
# API (the user session is shared state, so this only passes when the nodes
# really share it); java is process 1; after node 1 is killed, node 2 logs
# the one-member view and refreshes every session opened through node 1;
# Keycloak 26: after the whole cluster stopped and started again, every
# session still refreshes (they are kept in the database); every container
# and the network are gone afterwards.
#
# Builds nothing: KEYCLOAK_IMAGE and POSTGRES_IMAGE name the images to test,
# of either generation (Keycloak 26: URLs without /auth, health on the
# management port; legacy: under /auth).
# Everything runs on an --internal network created for this run, and is
# removed by name when the test ends, whatever the outcome. Requests go from
# the host to the containers' addresses on that network.
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE,
#   E2E_BOOT_TIMEOUT (seconds, default 360), E2E_LOG_DIR (default
#   out/test/e2e: container logs are saved there).
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
boot_timeout=${E2E_BOOT_TIMEOUT:-360}

kc_finish_on_exit e2e-cluster
kc_init khp-e2e
summary_at_exit "e2e-cluster-$kc_generation"
echo "Keycloak generation $kc_generation ($KEYCLOAK_IMAGE)"
node1=$(kc_container kc1)
node2=$(kc_container kc2)
kc_containers+=("$node1" "$node2")

# The database, under the name the Keycloak image looks for by default.
start=$SECONDS
if kc_start_db; then
	ok "postgres ready after $((SECONDS - start))s"
else
	fail "postgres ready"
	exit 1
fi
db_ip=$(engine_ip "$kc_db" "$kc_network")

# The two nodes, configured as the README's commands do; the link variables
# are set by hand because podman has no --link.
start=$SECONDS
for node in "$node1" "$node2"; do
	engine_run "$node" --network "$kc_network" --hostname "${node#"$kc_run"-}" \
		-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak -e POSTGRES_PASSWORD="$kc_db_password" \
		-e POSTGRES_PORT_5432_TCP_ADDR="$db_ip" -e POSTGRES_PORT_5432_TCP_PORT=5432 \
		-e KEYCLOAK_USER="$kc_admin_user" -e KEYCLOAK_PASSWORD="$kc_admin_password" \
		"$KEYCLOAK_IMAGE"
done
ip1=$(engine_ip "$node1" "$kc_network")
ip2=$(engine_ip "$node2" "$kc_network")
echo "postgres $db_ip, node 1 $ip1, node 2 $ip2"

# The view line names the member count in parentheses, e.g.
# "ISPN000094: Received new cluster view for channel ejb: [kc1|1] (2) [kc1, kc2]"
# (Keycloak 26: "... channel ISPN: [kc1(v=16.0.14)|1] (2) [kc1(v=16.0.14), ...]",
# which kc_views gives without the versions). Both host names must be
# listed, in either order.
two_member_view() {
	kc_views "$1" | grep -Eqx '2 (kc1, kc2|kc2, kc1)'
}
for node in "$node1" "$node2"; do
	remaining=$((boot_timeout - (SECONDS - start)))
	[ "$remaining" -gt 10 ] || remaining=10
	if engine_poll "$node" "$remaining" 1 "the two-member view" two_member_view "${node#"$kc_run"-}"; then
		ok "$node sees the two-member cluster view [kc1, kc2]"
		echo "timing: $node two-member view after $((SECONDS - start))s"
	else
		fail "$node sees the two-member cluster view [kc1, kc2]"
	fi
done

for node in "$node1" "$node2"; do
	ip=$ip1
	[ "$node" = "$node2" ] && ip=$ip2
	if http_wait_200 "$node" "$node" "$start" "$((start + boot_timeout - SECONDS))" \
		"http://$ip:8080$kc_base/realms/master"; then
		ok "$node answers HTTP 200 on $ip:8080$kc_base/realms/master"
	else
		fail "$node answers HTTP 200 on $ip:8080$kc_base/realms/master"
	fi
	# Keycloak 26's readiness is on the management port; a path that does
	# not exist there must not answer 200, or the check proves nothing.
	if [ "$kc_generation" = 26 ]; then
		code=$(http_code "http://$ip:9000/health/ready")
		check "$node is ready on the management port ($ip:9000/health/ready: $code)" \
			[ "$code" = 200 ]
		code=$(http_code "http://$ip:9000/health/not-a-check")
		check "$node's management port refuses an unknown path ($code)" [ "$code" != 200 ]
	fi
done

# Log in on node 1, use the token on node 2.
token_response=$(curl --silent --max-time 30 --connect-to "$kc_host:8080:$ip1:8080" \
	--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
	--data-urlencode "username=$kc_admin_user" --data-urlencode "password=$kc_admin_password" \
	"http://$kc_host:8080$kc_base/realms/master/protocol/openid-connect/token" || true)
token=$(printf '%s' "$token_response" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
if [ -n "$token" ]; then
	ok "admin login on node 1 gives an access token"
else
	fail "admin login on node 1 gives an access token (response: ${token_response:0:200})"
fi

code=$(http_code "http://$kc_host:8080$kc_base/admin/realms/master" \
	--connect-to "$kc_host:8080:$ip2:8080" -H "Authorization: Bearer $token")
if [ "$code" = 200 ]; then
	ok "node 2 admin API accepts node 1's token (GET $kc_base/admin/realms/master: 200)"
else
	fail "node 2 admin API accepts node 1's token (GET $kc_base/admin/realms/master: $code)"
fi
# The same request without a token must be refused, or the check above
# proves nothing.
code=$(http_code "http://$kc_host:8080$kc_base/admin/realms/master" \
	--connect-to "$kc_host:8080:$ip2:8080")
if [ "$code" = 401 ]; then
	ok "node 2 admin API refuses a request without a token (401)"
else
	fail "node 2 admin API refuses a request without a token (got $code)"
fi

# The entrypoint exec'd the JVM: java is the container's process 1, so the
# engine's signals reach the server directly.
for node in "$node1" "$node2"; do
	comm=$(engine exec "$node" cat /proc/1/comm 2>/dev/null || true)
	if [ "$comm" = java ]; then
		ok "$node runs java as process 1"
	else
		fail "$node runs java as process 1 (process 1 is '$comm')"
	fi
done

# refreshed_on IP: how many of the ten sessions refresh through IP.
refreshed_on() {
	local n=0 refresh_token response
	for refresh_token in "${refresh_tokens[@]}"; do
		[ -n "$refresh_token" ] || continue
		response=$(curl --silent --max-time 30 --connect-to "$kc_host:8080:$1:8080" \
			--data-urlencode grant_type=refresh_token --data-urlencode client_id=admin-cli \
			--data-urlencode "refresh_token=$refresh_token" "$token_url" || true)
		case $response in *'"access_token"'*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}

# Lose a node: sessions created through node 1 must survive its death on
# node 2, since every session cache has two owners (legacy) or the sessions
# are kept in the database (Keycloak 26). Ten sessions, so that one owner
# per session (about half of them on node 1 alone) could not pass by chance.
token_url="http://$kc_host:8080$kc_base/realms/master/protocol/openid-connect/token"
refresh_tokens=()
for _ in $(seq 1 10); do
	response=$(curl --silent --max-time 30 --connect-to "$kc_host:8080:$ip1:8080" \
		--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
		--data-urlencode "username=$kc_admin_user" --data-urlencode "password=$kc_admin_password" \
		"$token_url" || true)
	refresh_tokens+=("$(printf '%s' "$response" | sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p')")
done
# Only a view logged after the kill counts: node 2 may have logged a
# one-member view of its own while the cluster was forming.
views_before=$(kc_view_total kc2)
engine kill --signal KILL "$node1" >/dev/null
killed=$SECONDS
view=$(kc_wait_view kc2 1 120 "$views_before" || true)
if [ "$view" = "1 kc2" ]; then
	ok "node 2 sees the one-member view [kc2] after node 1 was killed"
	echo "timing: node 2 detected the loss of node 1 after $((SECONDS - killed))s"
else
	fail "node 2 sees the one-member view [kc2] after node 1 was killed (last view: ${view:-none})"
fi
refreshed=$(refreshed_on "$ip2")
if [ "$refreshed" = 10 ]; then
	ok "all 10 sessions created on node 1 are refreshed on node 2 after node 1 died"
else
	fail "sessions created on node 1 refreshed on node 2 after node 1 died: $refreshed of 10"
fi

# The whole cluster stops and starts again (Keycloak 26 keeps the sessions
# in the database; the legacy generation keeps them in memory only, which
# docs/clustering.md says).
if [ "$kc_generation" = 26 ]; then
	engine_stop "$node2" 60
	start=$SECONDS
	engine start "$node1" "$node2" >/dev/null
	for node in "$node1" "$node2"; do
		check "whole-cluster restart: $node answers HTTP 200 again" \
			http_wait_200 "$node" "$node" "$start" "$boot_timeout" \
			"http://$(engine_ip "$node" "$kc_network"):8080/realms/master"
	done
	refreshed=$(refreshed_on "$(engine_ip "$node1" "$kc_network")")
	check "whole-cluster restart: all 10 sessions still refresh ($refreshed of 10)" \
		[ "$refreshed" = 10 ]
fi

# Tear down now, so that its result can be checked (kc_tear_down names
# what is left behind).
if kc_tear_down; then
	ok "containers and network removed"
else
	fail "containers and network removed"
fi
