#!/bin/bash
# End-to-end test: one address in front of the cluster. PostgreSQL, two
# Keycloak nodes and the balancer image (HAProxy, configured by the
# entrypoint) on a network of this run; the nodes issue their URLs under
# the balancer's address (KEYCLOAK_FRONTEND_URL) and trust its forwarded
# headers. What a user of the one address checks:
#   - the balancer sees both nodes ready and spreads requests over them;
#   - every token says the balancer's URL, whichever node issued it;
#   - an admin logs in to the admin console, and a realm's user to the
#     account console, through the real login page in a real browser
#     (Chromium, headless; screenshots are kept with the container logs);
#   - the node holding the browser's session is killed (SIGKILL) under an
#     API workload: the browser is still logged in after a reload, and
#     requests that fail are at most those in flight;
#   - the other node is stopped with SIGTERM (drained by its readiness, as a
#     rolling restart does): no request fails;
#   - PostgreSQL restarts: logins work again soon after it accepts them.
# Figures: failed requests, and p50/p99/max latency of the requests that
# ended in the 20 s after each event, as the workload saw them.
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE, BALANCER_IMAGE (required),
#   ENGINE, E2E_BOOT_TIMEOUT, E2E_LOG_DIR, E2E_WORKERS (default 3).
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
: "${BALANCER_IMAGE:?set BALANCER_IMAGE to the balancer image to test}"
workers=${E2E_WORKERS:-3}
realm=e2e
client=load-client
user=alice
user_password=alice-secret
for p in /usr/bin/chromium /usr/bin/chromedriver python3; do
	command -v "$p" >/dev/null || { echo "front_door.sh: $p is needed" >&2; exit 1; }
done

scratch_dir
worker_pids=()
browser_pid=""

stop_workload() {
	local pid
	touch "$tmp/stop"
	for pid in "${worker_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	worker_pids=()
}
clean_up() {
	stop_workload
	if [ -n "$browser_pid" ]; then
		echo quit 1>&"${browser[1]}" 2>/dev/null || true
		wait "$browser_pid" 2>/dev/null || true
	fi
	mkdir -p "$kc_log_dir"
	cat "$tmp"/worker-*.log 2>/dev/null | sort -n >"$kc_log_dir/front-door-workload.log" || true
	cp "$tmp"/*.png "$kc_log_dir/" 2>/dev/null || true
}
kc_finish_on_exit e2e-front-door clean_up
kc_init khp-fd
summary_at_exit "e2e-front-door-$kc_generation"
echo "Keycloak generation $kc_generation ($KEYCLOAK_IMAGE), balancer $BALANCER_IMAGE"

front=http://$kc_host:8080$kc_base
token_path=$kc_base/realms/$realm/protocol/openid-connect/token
balancer=$kc_run-balancer

# fd_curl CURL_ARGS...: a request through the balancer, under kc_host.
fd_curl() {
	curl --silent --connect-to "$kc_host:8080:$balancer_ip:8080" "$@"
}
# servers_up: the balancer's nodes that are UP (statistics, CSV: column 18
# is the status), one name a line.
servers_up() {
	curl -fs --max-time 5 "http://$balancer_ip:8404/;csv" |
		awk -F, '$1 == "nodes" && $2 ~ /^node/ && $18 == "UP" { print $2 }'
}
# served NODE: how many requests the balancer has sent to NODE (column 8).
served() {
	curl -fs --max-time 5 "http://$balancer_ip:8404/;csv" |
		awk -F, -v n="$1" '$1 == "nodes" && $2 == n { print $8 }'
}
up_count_is() { [ "$(servers_up | wc -l)" = "$1" ]; }
is_up() { servers_up | grep -qx "$1"; }
quiet_view() { kc_wait_view "$1" 2 "$kc_boot_timeout" >/dev/null; }

# ---- the cluster behind the balancer
check "postgres ready" kc_start_db
kc_containers+=("$balancer")
engine_run "$balancer" --network "$kc_network" -e BALANCER_NODES=kc1:8080,kc2:8080 \
	-e KEYCLOAK_GENERATION="$kc_generation" "$BALANCER_IMAGE"
balancer_ip=$(engine_ip "$balancer" "$kc_network")
node_env=(-e KEYCLOAK_FRONTEND_URL="$front" -e PROXY_ADDRESS_FORWARDING=true)
# Keycloak 26 says "not ready" for 3 s after SIGTERM and serves on: the
# balancer (a check a second, out after two) stops sending it requests
# before it closes its port.
[ "$kc_generation" = legacy ] || node_env+=(-e KC_SHUTDOWN_DELAY=3s)
start=$SECONDS
kc_start_node kc1 "${node_env[@]}"
kc_start_node kc2 "${node_env[@]}"
for name in kc1 kc2; do
	check "$name sees the two-member view" quiet_view "$name"
done
check "the balancer sees both nodes ready" \
	engine_poll "$balancer" "$kc_boot_timeout" 1 "2 nodes UP" up_count_is 2
figure front_door_cluster_ready "$((SECONDS - start))" s
check "the balancer's own health URI answers 200" \
	[ "$(http_code "http://$balancer_ip:8404/health")" = 200 ]

# ---- tokens and requests through the one address
admin_token=$(fd_curl --max-time 30 --data-urlencode grant_type=password \
	--data-urlencode client_id=admin-cli --data-urlencode "username=$kc_admin_user" \
	--data-urlencode "password=$kc_admin_password" \
	"$front/realms/master/protocol/openid-connect/token" |
	sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
check "an admin token through the balancer" [ -n "$admin_token" ]
check "the token's issuer is the balancer's URL ($(jwt_issuer "$admin_token"))" \
	[ "$(jwt_issuer "$admin_token")" = "$front/realms/master" ]
admin() {
	local method=$1 path=$2 data=$3
	fd_curl --max-time 30 --output /dev/null --write-out '%{http_code}' -X "$method" \
		-H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
		--data "$data" "$front/admin/realms$path"
}
check "realm created through the balancer" [ "$(admin POST "" \
	"{\"realm\":\"$realm\",\"enabled\":true,\"passwordPolicy\":\"hashIterations(1)\"}")" = 201 ]
check "client created" [ "$(admin POST "/$realm/clients" \
	"{\"clientId\":\"$client\",\"publicClient\":true,\"directAccessGrantsEnabled\":true}")" = 201 ]
check "user created" [ "$(admin POST "/$realm/users" \
	"{\"username\":\"$user\",\"enabled\":true,\"email\":\"$user@example.test\",\"emailVerified\":true,\"firstName\":\"Alice\",\"lastName\":\"Front\",\"credentials\":[{\"type\":\"password\",\"value\":\"$user_password\",\"temporary\":false}]}")" = 201 ]
before1=$(served node1) before2=$(served node2)
for i in $(seq 1 20); do
	fd_curl --max-time 10 -o /dev/null "$front/realms/$realm/.well-known/openid-configuration"
done
after1=$(served node1) after2=$(served node2)
check "20 requests were spread over both nodes (kc1 $((after1 - before1)), kc2 $((after2 - before2)))" \
	[ $((after1 - before1)) -ge 5 ] && [ $((after2 - before2)) -ge 5 ]
check "the discovery document names the balancer's URL" \
	fd_curl --max-time 10 "$front/realms/$realm/.well-known/openid-configuration" -o "$tmp/oidc"
check "... as its issuer" grep -qF "\"issuer\":\"$front/realms/$realm\"" "$tmp/oidc"

# ---- a real browser through the balancer
# The consoles' scripts need a secure context (Web Crypto, for PKCE), which a
# browser gives https and localhost, not plain HTTP on the test's name: the
# browser treats the balancer's origin as a user's 127.0.0.1 or TLS one.
coproc browser { exec python3 "$repo_dir/tests/e2e/browser.py" --resolve "$kc_host=$balancer_ip" \
	--secure-origin "http://$kc_host:8080"; }
# shellcheck disable=SC2154 # coproc sets browser_PID
browser_pid=$browser_PID
# say COMMAND: one command to the browser; its answer in $answer, true when
# it begins with "ok".
say() {
	answer=""
	echo "$*" 1>&"${browser[1]}"
	read -r -t 180 answer <&"${browser[0]}" || answer="fail no answer from the browser"
	echo "browser: $1: $answer"
	[ "${answer%% *}" = ok ]
}
check "browser: the admin console shows the login page" say open "$front/admin/master/console/"
check "browser: the admin logs in through the login page" \
	say login "$kc_admin_user" "$kc_admin_password"
check "browser: the admin console is shown" say logged-in "$front/admin/master/console" master
say shot "$tmp/front-door-$kc_generation-admin-console.png" || true
check "browser: the account console of realm $realm shows the login page" \
	say open "$front/realms/$realm/account/"
check "browser: $user logs in through the login page" say login "$user" "$user_password"
check "browser: $user's account console is shown" say logged-in "$front/realms/$realm/account" Alice
say shot "$tmp/front-door-$kc_generation-account.png" || true
# The node that holds the browser's authentication session: Keycloak ends
# AUTH_SESSION_ID with it (".kc1").
victim=kc1
if say cookie AUTH_SESSION_ID && [[ $answer =~ \.(kc[12])$ ]]; then
	victim=${BASH_REMATCH[1]}
fi
survivor=$([ "$victim" = kc1 ] && echo kc2 || echo kc1)
echo "the browser's session is on $victim"

# ---- the API workload: logins and refreshes through the balancer
# worker ID: until the stop file appears; one line a request in
# worker-ID.log: "END_MS OP RESULT START_MS SECONDS".
worker() {
	local id=$1 log=$tmp/worker-$1.log body=$tmp/body-$1 out rt begun
	while [ ! -e "$tmp/stop" ]; do
		begun=$(kc_now_ms)
		out=$(fd_curl --output "$body" --write-out '%{http_code} %{time_total}' --max-time 30 \
			--data-urlencode "client_id=$client" --data-urlencode grant_type=password \
			--data-urlencode "username=$user" --data-urlencode "password=$user_password" \
			"http://$kc_host:8080$token_path" || true)
		echo "$(kc_now_ms) login $(result "$out") $begun ${out#* }" >>"$log"
		rt=$(sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p' "$body" 2>/dev/null || true)
		if [ -n "$rt" ]; then
			begun=$(kc_now_ms)
			out=$(fd_curl --output "$body" --write-out '%{http_code} %{time_total}' \
				--max-time 30 --data-urlencode "client_id=$client" \
				--data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$rt" \
				"http://$kc_host:8080$token_path" || true)
			echo "$(kc_now_ms) refresh $(result "$out") $begun ${out#* }" >>"$log"
		fi
		sleep 0.1
	done
}
result() { case $1 in "200 "*) echo ok ;; *) echo "failed_${1%% *}" ;; esac; }
start_workload() {
	local id
	rm -f "$tmp/stop"
	for ((id = 1; id <= workers; id++)); do
		worker "$id" &
		worker_pids+=("$!")
	done
}
# report NAME FROM_MS: the figures of the requests that began in the 20 s
# from FROM_MS: how many, how many failed, latency p50/p99/max; sets
# failed_in.
report() {
	local to=$(($2 + 20000)) stats
	stats=$(cat "$tmp"/worker-*.log | awk -v from="$2" -v to="$to" \
		'$4 >= from && $4 < to { print ($3 == "ok" ? 0 : 1), $5 }' | sort -k2,2g |
		awk '{ f += $1; t[NR] = $2 } END {
			if (NR == 0) { print "0 0 0 0 0"; exit }
			p99 = int(NR * 0.99); if (p99 < 1) p99 = 1
			printf "%d %d %.3f %.3f %.3f\n", NR, f, t[int((NR + 1) / 2)], t[p99], t[NR] }')
	local n p50 p99 max
	read -r n failed_in p50 p99 max <<<"$stats"
	figure "${1}_requests" "$n" requests
	figure "${1}_failed" "$failed_in" requests
	figure "${1}_latency_p50" "$p50" s
	figure "${1}_latency_p99" "$p99" s
	figure "${1}_latency_max" "$max" s
}

start_workload
t=$(kc_now_ms)
sleep 20
report steady "$t"
check "steady: no request failed through the balancer ($failed_in)" [ "$failed_in" = 0 ]

# ---- SIGKILL of the node that holds the browser's session
t=$(kc_now_ms)
engine kill --signal KILL "$(kc_container "$victim")" >/dev/null
check "browser: reloaded after $victim was killed" say reload
check "browser: $user is still logged in, served by $survivor" \
	say logged-in "$front/realms/$realm/account" Alice
say shot "$tmp/front-door-$kc_generation-after-sigkill.png" || true
sleep 20
report sigkill "$t"
check "sigkill: failed requests at most those in flight ($failed_in <= $workers)" \
	[ "$failed_in" -le "$workers" ]
victim_server=node${victim#kc} survivor_server=node${survivor#kc}
check "the balancer took $victim out" \
	engine_poll "$balancer" 30 1 "$victim_server not UP" fails is_up "$victim_server"
# Keycloak 26 says the survivor is not ready while the dead coordinator's
# discovery row is left (docs/balancer.md): the live nodes served meanwhile.
check "$survivor is ready again behind the balancer" \
	engine_poll "$balancer" 120 1 "$survivor_server UP" is_up "$survivor_server"
figure sigkill_survivor_ready_again "$((($(kc_now_ms) - t) / 1000))" s

# ---- back to two nodes, then SIGTERM of the other one, as in a rolling
# restart
start=$SECONDS
engine start "$(kc_container "$victim")" >/dev/null
check "$victim is back behind the balancer" \
	engine_poll "$balancer" "$kc_boot_timeout" 1 "2 nodes UP" up_count_is 2
figure rejoin_behind_balancer "$((SECONDS - start))" s
t=$(kc_now_ms)
start=$SECONDS
engine stop --time 60 "$(kc_container "$survivor")" >/dev/null
figure sigterm_stopped "$((SECONDS - start))" s
sleep 20
report sigterm "$t"
check "sigterm: no request failed while $survivor stopped ($failed_in)" [ "$failed_in" = 0 ]
check "browser: $user is still logged in after $survivor stopped" \
	say logged-in "$front/realms/$realm/account" Alice

# ---- PostgreSQL restarts: how long until logins work again through the
# balancer, counted from the moment PostgreSQL accepts them again.
login_works() {
	fd_curl --max-time 10 --data-urlencode "client_id=$client" \
		--data-urlencode grant_type=password --data-urlencode "username=$user" \
		--data-urlencode "password=$user_password" "http://$kc_host:8080$token_path" |
		grep -q '"access_token"'
}
t=$(kc_now_ms)
engine_stop "$kc_db" 30
engine start "$kc_db" >/dev/null
start_ms=$(kc_now_ms)
until engine exec -e PGPASSWORD="$kc_db_password" "$kc_db" psql -h 127.0.0.1 -U keycloak \
	-d keycloak -X -A -t -q -c 'SELECT 1' >/dev/null 2>&1 || [ $(($(kc_now_ms) - start_ms)) -gt 60000 ]; do
	sleep 0.2
done
db_back=$(kc_now_ms)
figure db_restart_database_back "$(((db_back - t) / 1000))" s
until login_works || [ $(($(kc_now_ms) - db_back)) -gt 120000 ]; do sleep 0.2; done
logins_back=$(($(kc_now_ms) - db_back))
figure db_restart_logins_back_after_database "$((logins_back / 1000)).$(printf '%03d' $((logins_back % 1000)))" s
check "logins work through the balancer within 30 s of PostgreSQL accepting them ($((logins_back / 1000)) s)" \
	[ "$logins_back" -le 30000 ]
report db_restart "$t"
stop_workload
