#!/bin/bash
# End-to-end test: a PostgreSQL container and two Keycloak nodes, started the
# way the README starts them, form one cluster on one database.
#
# Checks: both nodes' logs show a two-member cluster view; both answer HTTP
# on 8080; an admin token obtained from node 1 is accepted by node 2's admin
# API (the user session lives in the clustered cache, so this only passes
# when the nodes really share state); every container and the network are
# gone afterwards.
#
# Builds nothing: KEYCLOAK_IMAGE and POSTGRES_IMAGE name the images to test.
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
# "ISPN000094: Received new cluster view for channel ejb: [kc1|1] (2) [kc1, kc2]".
# Both host names must be listed, in either order.
view_regex='Received new cluster view.*\(2\) \[(kc1, kc2|kc2, kc1)\]'
for node in "$node1" "$node2"; do
	remaining=$((boot_timeout - (SECONDS - start)))
	[ "$remaining" -gt 10 ] || remaining=10
	if engine_wait_log "$node" "$view_regex" "$remaining"; then
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
		"http://$ip:8080/auth/"; then
		ok "$node answers HTTP 200 on $ip:8080/auth/"
	else
		fail "$node answers HTTP 200 on $ip:8080/auth/"
	fi
done

# Log in on node 1, use the token on node 2.
token_response=$(curl --silent --max-time 30 --connect-to "$kc_host:8080:$ip1:8080" \
	--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
	--data-urlencode "username=$kc_admin_user" --data-urlencode "password=$kc_admin_password" \
	"http://$kc_host:8080/auth/realms/master/protocol/openid-connect/token" || true)
token=$(printf '%s' "$token_response" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
if [ -n "$token" ]; then
	ok "admin login on node 1 gives an access token"
else
	fail "admin login on node 1 gives an access token (response: ${token_response:0:200})"
fi

code=$(http_code "http://$kc_host:8080/auth/admin/realms/master" \
	--connect-to "$kc_host:8080:$ip2:8080" -H "Authorization: Bearer $token")
if [ "$code" = 200 ]; then
	ok "node 2 admin API accepts node 1's token (GET /auth/admin/realms/master: 200)"
else
	fail "node 2 admin API accepts node 1's token (GET /auth/admin/realms/master: $code)"
fi
# The same request without a token must be refused, or the check above
# proves nothing.
code=$(http_code "http://$kc_host:8080/auth/admin/realms/master" \
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

# Lose a node: sessions created through node 1 must survive its death on
# node 2, since every session cache has two owners. Ten sessions, so that
# one owner per session (about half of them on node 1 alone) could not pass
# by chance.
token_url="http://$kc_host:8080/auth/realms/master/protocol/openid-connect/token"
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
views_before=$(engine logs "$node2" 2>&1 | grep -c 'Received new cluster view' || true)
engine kill --signal KILL "$node1" >/dev/null
killed=$SECONDS
detected=""
while [ $((SECONDS - killed)) -lt 120 ]; do
	if engine logs "$node2" 2>&1 | grep 'Received new cluster view' | tail -n +"$((views_before + 1))" |
		grep -q '(1)'; then
		detected=$((SECONDS - killed))
		break
	fi
	sleep 1
done
if [ -n "$detected" ]; then
	ok "node 2 sees the one-member view after node 1 was killed"
	echo "timing: node 2 detected the loss of node 1 after ${detected}s"
else
	fail "node 2 sees the one-member view after node 1 was killed"
fi
refreshed=0
for refresh_token in "${refresh_tokens[@]}"; do
	[ -n "$refresh_token" ] || continue
	response=$(curl --silent --max-time 30 --connect-to "$kc_host:8080:$ip2:8080" \
		--data-urlencode grant_type=refresh_token --data-urlencode client_id=admin-cli \
		--data-urlencode "refresh_token=$refresh_token" "$token_url" || true)
	case $response in *'"access_token"'*) refreshed=$((refreshed + 1)) ;; esac
done
if [ "$refreshed" = 10 ]; then
	ok "all 10 sessions created on node 1 are refreshed on node 2 after node 1 died"
else
	fail "sessions created on node 1 refreshed on node 2 after node 1 died: $refreshed of 10"
fi

# Tear down now, so that its result can be checked (kc_tear_down names
# what is left behind).
if kc_tear_down; then
	ok "containers and network removed"
else
	fail "containers and network removed"
fi
