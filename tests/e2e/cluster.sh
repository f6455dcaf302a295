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

test_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(cd "$test_dir/../.." && pwd)
# shellcheck source=tests/lib/engine.sh
. "$repo_dir/tests/lib/engine.sh"
# shellcheck source=tests/lib/http.sh
. "$repo_dir/tests/lib/http.sh"

: "${KEYCLOAK_IMAGE:?set KEYCLOAK_IMAGE to the Keycloak image to test}"
: "${POSTGRES_IMAGE:?set POSTGRES_IMAGE to the PostgreSQL image to test}"
boot_timeout=${E2E_BOOT_TIMEOUT:-360}
log_dir=${E2E_LOG_DIR:-$repo_dir/out/test/e2e}

admin_user="admin"
admin_password=e2e-admin-secret
# Both nodes are reached under this one name, as behind a load balancer:
# Keycloak checks that a token's issuer is the URL the request came in on.
virtual_host=keycloak.e2e.test

passed=0
failed=0

pass() {
	passed=$((passed + 1))
	echo "ok - $*"
}

fail() {
	failed=$((failed + 1))
	echo "not ok - $*"
}

engine_detect
run_id=$(engine_unique_name khp-e2e)
network=$run_id-net
db=$run_id-postgres
node1=$run_id-kc1
node2=$run_id-kc2
containers=("$db" "$node1" "$node2")

save_logs() {
	local name
	mkdir -p "$log_dir"
	for name in "${containers[@]}"; do
		if engine_container_exists "$name"; then
			engine logs "$name" >"$log_dir/${name#"$run_id"-}.log" 2>&1 || true
		fi
	done
}

tear_down() {
	save_logs
	# The nodes before their database (kc-cluster.sh says why).
	engine_remove "$node2" "$node1" "$db" || true
	engine_network_remove "$network" || true
}

finish() {
	local status=$?
	trap - EXIT
	if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
		fail "test aborted (exit status $status)"
	fi
	tear_down
	echo "container logs: $log_dir"
	echo "e2e-cluster: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
trap finish EXIT
trap 'exit 1' HUP INT TERM

# The database, under the name the Keycloak image looks for by default.
engine_network_create "$network"
engine_run "$db" --network "$network" --network-alias postgres \
	-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak -e POSTGRES_PASSWORD=password \
	"$POSTGRES_IMAGE"
start=$SECONDS
if engine_wait_log "$db" 'database system is ready to accept connections' 120; then
	pass "postgres ready after $((SECONDS - start))s"
else
	fail "postgres ready"
	exit 1
fi
db_ip=$(engine_ip "$db" "$network")

# The two nodes, configured as the README's commands do; the link variables
# are set by hand because podman has no --link.
start=$SECONDS
for node in "$node1" "$node2"; do
	engine_run "$node" --network "$network" --hostname "${node#"$run_id"-}" \
		-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak -e POSTGRES_PASSWORD=password \
		-e POSTGRES_PORT_5432_TCP_ADDR="$db_ip" -e POSTGRES_PORT_5432_TCP_PORT=5432 \
		-e KEYCLOAK_USER="$admin_user" -e KEYCLOAK_PASSWORD="$admin_password" \
		"$KEYCLOAK_IMAGE"
done
ip1=$(engine_ip "$node1" "$network")
ip2=$(engine_ip "$node2" "$network")
echo "postgres $db_ip, node 1 $ip1, node 2 $ip2"

# The view line names the member count in parentheses, e.g.
# "ISPN000094: Received new cluster view for channel ejb: [kc1|1] (2) [kc1, kc2]".
# Both host names must be listed, in either order.
view_regex='Received new cluster view.*\(2\) \[(kc1, kc2|kc2, kc1)\]'
for node in "$node1" "$node2"; do
	remaining=$((boot_timeout - (SECONDS - start)))
	[ "$remaining" -gt 10 ] || remaining=10
	if engine_wait_log "$node" "$view_regex" "$remaining"; then
		pass "$node sees the two-member cluster view [kc1, kc2]"
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
		pass "$node answers HTTP 200 on $ip:8080/auth/"
	else
		fail "$node answers HTTP 200 on $ip:8080/auth/"
	fi
done

# Log in on node 1, use the token on node 2.
token_response=$(curl --silent --max-time 30 --connect-to "$virtual_host:8080:$ip1:8080" \
	--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
	--data-urlencode "username=$admin_user" --data-urlencode "password=$admin_password" \
	"http://$virtual_host:8080/auth/realms/master/protocol/openid-connect/token" || true)
token=$(printf '%s' "$token_response" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
if [ -n "$token" ]; then
	pass "admin login on node 1 gives an access token"
else
	fail "admin login on node 1 gives an access token (response: ${token_response:0:200})"
fi

code=$(http_code "http://$virtual_host:8080/auth/admin/realms/master" \
	--connect-to "$virtual_host:8080:$ip2:8080" -H "Authorization: Bearer $token")
if [ "$code" = 200 ]; then
	pass "node 2 admin API accepts node 1's token (GET /auth/admin/realms/master: 200)"
else
	fail "node 2 admin API accepts node 1's token (GET /auth/admin/realms/master: $code)"
fi
# The same request without a token must be refused, or the check above
# proves nothing.
code=$(http_code "http://$virtual_host:8080/auth/admin/realms/master" \
	--connect-to "$virtual_host:8080:$ip2:8080")
if [ "$code" = 401 ]; then
	pass "node 2 admin API refuses a request without a token (401)"
else
	fail "node 2 admin API refuses a request without a token (got $code)"
fi

# The entrypoint exec'd the JVM: java is the container's process 1, so the
# engine's signals reach the server directly.
for node in "$node1" "$node2"; do
	comm=$(engine exec "$node" cat /proc/1/comm 2>/dev/null || true)
	if [ "$comm" = java ]; then
		pass "$node runs java as process 1"
	else
		fail "$node runs java as process 1 (process 1 is '$comm')"
	fi
done

# Lose a node: sessions created through node 1 must survive its death on
# node 2, since every session cache has two owners. Ten sessions, so that
# one owner per session (about half of them on node 1 alone) could not pass
# by chance.
token_url="http://$virtual_host:8080/auth/realms/master/protocol/openid-connect/token"
refresh_tokens=()
for _ in $(seq 1 10); do
	response=$(curl --silent --max-time 30 --connect-to "$virtual_host:8080:$ip1:8080" \
		--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
		--data-urlencode "username=$admin_user" --data-urlencode "password=$admin_password" \
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
	pass "node 2 sees the one-member view after node 1 was killed"
	echo "timing: node 2 detected the loss of node 1 after ${detected}s"
else
	fail "node 2 sees the one-member view after node 1 was killed"
fi
refreshed=0
for refresh_token in "${refresh_tokens[@]}"; do
	[ -n "$refresh_token" ] || continue
	response=$(curl --silent --max-time 30 --connect-to "$virtual_host:8080:$ip2:8080" \
		--data-urlencode grant_type=refresh_token --data-urlencode client_id=admin-cli \
		--data-urlencode "refresh_token=$refresh_token" "$token_url" || true)
	case $response in *'"access_token"'*) refreshed=$((refreshed + 1)) ;; esac
done
if [ "$refreshed" = 10 ]; then
	pass "all 10 sessions created on node 1 are refreshed on node 2 after node 1 died"
else
	fail "sessions created on node 1 refreshed on node 2 after node 1 died: $refreshed of 10"
fi

# Tear down now, so that its result can be checked.
tear_down
left=""
for name in "${containers[@]}"; do
	if engine_container_exists "$name"; then
		left="$left $name"
	fi
done
if engine_network_exists "$network"; then
	left="$left $network"
fi
if [ -z "$left" ]; then
	pass "containers and network removed"
else
	fail "left behind:$left"
fi
