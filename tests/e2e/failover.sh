#!/bin/bash
# End-to-end test: a three-node cluster under a continuous workload of
# logins and token refreshes survives every failure users meet.
#
# The workload: E2E_WORKERS clients (default 3), each logging a user in
# (password grant of a public client in a realm the test creates) and
# refreshing one of its recent sessions, on the nodes in turn. The client
# side plays the load balancer: it sends each request to the next node of a
# rotation file that the test edits (a node leaves it when it is killed,
# drained or cut off, and comes back once it answers again), and a request
# that could not even connect is sent to the next node, as a balancer
# retries a refused connection. A request that connected and got no answer,
# or got an error, counts as failed.
#
# Scenarios, in order, on one cluster:
#   sigkill    kill node 1 (the coordinator) with SIGKILL: failed requests on
#              it at most those in flight, every session opened through it
#              still refreshes on the others (sessions lost = 0)
#   rejoin     start node 1 again: every view has three members again
#   partition  disconnect node 3 from the network and connect it again at
#              its address: one view of three, and logins work on every node;
#              legacy: the others' view shrinks within 15 s with
#              JGROUPS_FAILURE_DETECTION_TIMEOUT=8s
#   db_restart restart PostgreSQL: logins work again within a bound on every
#              node, none of which was restarted
#   sigterm / rolling  each node in turn is drained, stopped with SIGTERM
#              (the others' view shrinks at once, the JVM exits in bounded
#              time with status 143, no discovery row of it is left
#              20 s after it exits, no
#              session opened through it is lost), started and put back
# After each, every request begun afterwards must succeed. Requests
# that fail during a change on the nodes that stay are counted, not
# forbidden: while a member leaves, Infinispan can fail or stall a request
# that touches a session the leaver owned (see README, "Failures").
# Each prints its figures as "figure: NAME = VALUE UNIT".
#
# Either generation (KEYCLOAK_IMAGE's label); the figures are the same
# names for both.
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE,
#   E2E_BOOT_TIMEOUT (seconds, default 600), E2E_LOG_DIR, E2E_WORKERS.
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
workers=${E2E_WORKERS:-3}
nodes=(kc1 kc2 kc3)
realm=load
client=load-client
user=alice
user_password=alice-secret
# Bounds of the scenarios, in seconds.
leave_bound=10
sigterm_exit_bound=60
heal_bound=240
db_recover_bound=90

scratch_dir
worker_pids=()

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
	# The workload's own record, one line a request, next to the nodes' logs.
	mkdir -p "$kc_log_dir"
	cat "$tmp"/worker-*.log 2>/dev/null | sort -n >"$kc_log_dir/workload.log" || true
}
kc_finish_on_exit e2e-failover clean_up

# rotation_set NAME...: the nodes the workload uses, with their addresses.
rotation_set() {
	local name
	for name in "$@"; do
		printf '%s %s\n' "$name" "$(kc_ip "$name")"
	done >"$tmp/rotation.new"
	mv "$tmp/rotation.new" "$tmp/rotation"
}

# send NTH DATA...: one token request, to the NTH node of the rotation or,
# when it cannot connect, the next ones. Prints "NODE RESULT" and leaves the
# body in $body; RESULT is ok, failed_<http code> (000: connected, no answer)
# or nonode.
send() {
	local nth=$1 k n line name ip out
	shift
	local -a rot
	mapfile -t rot <"$tmp/rotation"
	n=${#rot[@]}
	for ((k = 0; k < n; k++)); do
		line=${rot[$(((nth + k) % n))]}
		name=${line%% *}
		ip=${line#* }
		out=$(curl --silent --output "$body" --write-out '%{http_code} %{time_connect}' \
			--connect-timeout 2 --max-time 20 --connect-to "$kc_host:8080:$ip:8080" \
			--data-urlencode "client_id=$client" "$@" "http://$kc_host:8080$token_path" ||
			true)
		case $out in
		"200 "*) echo "$name ok" && return 0 ;;
		"000 0.000000" | "000 0") continue ;;
		*) echo "$name failed_${out%% *}" && return 0 ;;
		esac
	done
	echo "- nonode"
}

# worker ID: log in and refresh until the stop file appears; one line a
# request in worker-ID.log: "END_MS OP NODE RESULT START_MS".
worker() {
	local id=$1 i=0 result rt begun
	local -a sessions=()
	local log=$tmp/worker-$id.log
	body=$tmp/body-$id
	while [ ! -e "$tmp/stop" ]; do
		i=$((i + 1))
		begun=$(kc_now_ms)
		result=$(send $((i + id)) --data-urlencode grant_type=password \
			--data-urlencode "username=$user" --data-urlencode "password=$user_password")
		echo "$(kc_now_ms) login $result $begun" >>"$log"
		rt=$(sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p' "$body" 2>/dev/null || true)
		if [ -n "$rt" ]; then
			sessions+=("$rt")
			[ "${#sessions[@]}" -le 10 ] || sessions=("${sessions[@]:1}")
		fi
		if [ "${#sessions[@]}" -gt 0 ]; then
			rt=${sessions[$((RANDOM % ${#sessions[@]}))]}
			begun=$(kc_now_ms)
			result=$(send $((i + id + 1)) --data-urlencode grant_type=refresh_token \
				--data-urlencode "refresh_token=$rt")
			echo "$(kc_now_ms) refresh $result $begun" >>"$log"
		fi
		sleep 0.2
	done
}

start_workload() {
	local id
	rm -f "$tmp/stop"
	for ((id = 1; id <= workers; id++)); do
		worker "$id" &
		worker_pids+=("$!")
	done
}

# requests FROM_MS [TO_MS]: "total failed" of the workload in that window.
requests() {
	cat "$tmp"/worker-*.log 2>/dev/null |
		awk -v from="$1" -v to="${2:-99999999999999}" '
			$1 >= from && $1 <= to { t++; if ($4 != "ok") f++ }
			END { printf "%d %d\n", t, f }'
}

# report NAME FROM_MS [NODE]: figures of the workload for requests that
# ended since FROM_MS: all of them, the failed ones, and of those the ones
# on NODE (the node the scenario stops) and on the other nodes. Sets
# failed_node and failed_others.
report() {
	local counts
	counts=$(cat "$tmp"/worker-*.log 2>/dev/null |
		awk -v from="$2" -v node="${3:--}" '
			$1 >= from { t++; if ($4 != "ok") { if ($3 == node) n++; else o++ } }
			END { printf "%d %d %d\n", t, n, o }')
	read -r total failed_node failed_others <<<"$counts"
	figure "${1}_requests" "$total" requests
	figure "${1}_failed_on_stopped_node" "$failed_node" requests
	figure "${1}_failed_on_other_nodes" "$failed_others" requests
}

# settled NAME: the workload serves without a failure again: every request
# begun from now on succeeds. Requests are logged when they end, so this
# waits 10 s, then until every worker has ended three requests begun after
# now (a worker can still be in a request begun before, which Infinispan
# stalls while a member leaves: up to curl's 20 s), 60 s at most, and then
# requires that some were logged and none failed.
settled() {
	local from counts id deadline
	from=$(kc_now_ms)
	sleep 10
	deadline=$((SECONDS + 60))
	for ((id = 1; id <= workers; id++)); do
		while [ "$SECONDS" -lt "$deadline" ] &&
			! awk -v from="$from" '$5 >= from { n++ } END { exit !(n >= 3) }' \
				"$tmp/worker-$id.log"; do
			sleep 0.5
		done
	done
	counts=$(cat "$tmp"/worker-*.log 2>/dev/null |
		awk -v from="$from" '$5 >= from { t++; if ($4 != "ok") f++ }
			END { printf "%d %d\n", t, f }')
	local ok=no
	[ "${counts#* }" = 0 ] && [ "${counts% *}" -gt 0 ] && ok=yes
	check "$1: then every request succeeds again (${counts#* } of ${counts% *} failed)" \
		[ "$ok" = yes ]
}

# probe_open NAME COUNT FILE: open COUNT sessions through node NAME, their
# refresh tokens into FILE.
probe_open() {
	local name=$1 count=$2 file=$3 i rt
	: >"$file"
	for ((i = 0; i < count; i++)); do
		# The body ends without a newline, and so would sed's output.
		rt=$(kc_curl "$name" --max-time 30 --data-urlencode "client_id=$client" \
			--data-urlencode grant_type=password --data-urlencode "username=$user" \
			--data-urlencode "password=$user_password" "http://$kc_host:8080$token_path" |
			sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p' || true)
		[ -z "$rt" ] || printf '%s\n' "$rt" >>"$file"
	done
}

# probe_lost FILE: how many of FILE's sessions no longer refresh, on the
# nodes of the rotation in turn.
probe_lost() {
	local rt i=0 lost=0 result
	body=$tmp/body-probe
	while read -r rt; do
		i=$((i + 1))
		result=$(send "$i" --data-urlencode grant_type=refresh_token \
			--data-urlencode "refresh_token=$rt")
		[ "${result#* }" = ok ] || lost=$((lost + 1))
	done <"$1"
	echo "$lost"
}

# login_on NAME: a login through node NAME works.
login_on() {
	kc_curl "$1" --max-time 20 --data-urlencode "client_id=$client" \
		--data-urlencode grant_type=password --data-urlencode "username=$user" \
		--data-urlencode "password=$user_password" "http://$kc_host:8080$token_path" |
		grep -q '"access_token"'
}

# wait_views N SECONDS NAME...: each NAME's newest view has N members;
# prints the seconds it took.
wait_views() {
	local n=$1 limit=$2 start=$SECONDS name
	shift 2
	for name in "$@"; do
		kc_wait_view "$name" "$n" "$((limit - (SECONDS - start)))" "${skip[$name]:-0}" \
			>/dev/null || return 1
	done
	echo "$((SECONDS - start))"
}

# quiet COMMAND...: COMMAND without its standard output.
quiet() {
	"$@" >/dev/null
}

# mark_views NAME...: only views logged from now on count for NAME.
declare -A skip
mark_views() {
	local name
	for name in "$@"; do
		skip[$name]=$(kc_view_total "$name")
	done
}

started_at() {
	engine container inspect --format '{{.State.StartedAt}}' "$(kc_container "$1")"
}

# ---- the cluster
kc_init khp-fo
# Failure detection as a user tunes it for a quick partition verdict: the
# legacy generation takes JGROUPS_FAILURE_DETECTION_TIMEOUT (FD_ALL's
# timeout; VERIFY_SUSPECT and the view change come on top). Keycloak 26's
# jdbc-ping stack has no such option (the entrypoint refuses the setting
# there) and keeps JGroups' 40 s: only measured.
fd_timeout="" detect_bound=""
node_env=()
if [ "$kc_generation" = legacy ]; then
	fd_timeout=8s detect_bound=15
	node_env=(-e "JGROUPS_FAILURE_DETECTION_TIMEOUT=$fd_timeout")
fi
token_path=$kc_base/realms/$realm/protocol/openid-connect/token
check "postgres ready" kc_start_db
start=$SECONDS
# The first node creates the schema alone; the others wait for its lock
# otherwise, and three first boots at once overload two CPUs.
kc_start_node kc1 "${node_env[@]}"
check "kc1 answers HTTP 200" kc_wait_http kc1 "$kc_boot_timeout"
figure boot_first_node "$((SECONDS - start))" s
start=$SECONDS
kc_start_node kc2 "${node_env[@]}"
kc_start_node kc3 "${node_env[@]}"
for name in "${nodes[@]}"; do
	check "$name sees the three-member view" quiet wait_views 3 "$kc_boot_timeout" "$name"
	check "$name answers HTTP 200" kc_wait_http "$name" "$kc_boot_timeout"
done
figure form_2_more_nodes "$((SECONDS - start))" s

# ---- the realm, its public client and its user (cheap password hashing:
# the workload measures the cluster, not PBKDF2)
admin_token=$(kc_admin_token kc1)
admin() {
	local method=$1 path=$2 data=$3
	kc_curl kc1 --max-time 30 --output /dev/null --write-out '%{http_code}' -X "$method" \
		-H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
		--data "$data" "http://$kc_host:8080$kc_base/admin/realms$path"
}
check "realm created" [ "$(admin POST "" \
	"{\"realm\":\"$realm\",\"enabled\":true,\"passwordPolicy\":\"hashIterations(1)\"}")" = 201 ]
check "client created" [ "$(admin POST "/$realm/clients" \
	"{\"clientId\":\"$client\",\"publicClient\":true,\"directAccessGrantsEnabled\":true}")" = 201 ]
check "user created" [ "$(admin POST "/$realm/users" \
	"{\"username\":\"$user\",\"enabled\":true,\"email\":\"$user@example.test\",\"firstName\":\"A\",\"lastName\":\"L\",\"credentials\":[{\"type\":\"password\",\"value\":\"$user_password\",\"temporary\":false}]}")" = 201 ]
for name in "${nodes[@]}"; do
	check "login through $name" login_on "$name"
done

rotation_set "${nodes[@]}"
start_workload
t=$(kc_now_ms)
sleep 20
report steady "$t"
check "steady workload: no failed request" [ "$failed_others" = 0 ]

# ---- sigkill: the coordinator dies
probe_open kc1 12 "$tmp/probe-kill"
check "12 sessions opened through kc1" [ "$(wc -l <"$tmp/probe-kill")" = 12 ]
mark_views kc2 kc3
t=$(kc_now_ms)
engine kill --signal KILL "$(kc_container kc1)" >/dev/null
rotation_set kc2 kc3
if detect=$(wait_views 2 120 kc2 kc3); then
	check "kc2 and kc3 see the two-member view after kc1 was killed" true
	figure sigkill_detect "$detect" s
else
	check "kc2 and kc3 see the two-member view after kc1 was killed" false
fi
sleep 5
report sigkill "$t" kc1
check "sigkill: failed requests on kc1 at most those in flight ($failed_node <= $workers)" \
	[ "$failed_node" -le "$workers" ]
settled sigkill
lost=$(probe_lost "$tmp/probe-kill")
figure sigkill_sessions_lost "$lost" sessions
check "sigkill: every session opened through kc1 refreshes on kc2/kc3 ($lost lost)" [ "$lost" = 0 ]
rows=$(kc_ping_rows '*')
figure sigkill_jgroupsping_rows "$rows" rows

# ---- rejoin
mark_views kc1 kc2 kc3
start=$SECONDS
engine start "$(kc_container kc1)" >/dev/null
if wait_views 3 "$kc_boot_timeout" kc1 kc2 kc3 >/dev/null && kc_wait_http kc1 "$kc_boot_timeout"; then
	check "rejoin: kc1 restarted, every view has three members" true
else
	check "rejoin: kc1 restarted, every view has three members" false
fi
figure rejoin "$((SECONDS - start))" s
rotation_set "${nodes[@]}"
rows=$(kc_ping_rows '*')
check "rejoin: $kc_ping_table holds the three members' rows (got $rows)" [ "$rows" = 3 ]

# ---- partition: kc3 cut off and connected again, at the same address
ip3=$(kc_ip kc3)
rotation_set kc1 kc2
mark_views kc1 kc2 kc3
t=$(kc_now_ms)
engine network disconnect "$kc_network" "$(kc_container kc3)" >/dev/null
if split=$(wait_views 2 120 kc1 kc2); then
	check "partition: kc1 and kc2 see a two-member view" true
	figure partition_detect "$split" s
	[ -z "$detect_bound" ] ||
		check "partition: detected within ${detect_bound}s with JGROUPS_FAILURE_DETECTION_TIMEOUT=$fd_timeout (took ${split}s)" \
			[ "$split" -le "$detect_bound" ]
else
	check "partition: kc1 and kc2 see a two-member view" false
fi
# kc3 itself lost its only interface: it cannot send anything, suspects
# nobody and keeps its old view until it is connected again.
engine network connect --ip "$ip3" --alias kc3 --alias "$kc_alias" "$kc_network" \
	"$(kc_container kc3)" >/dev/null
mark_views kc1 kc2 kc3
if heal=$(wait_views 3 "$heal_bound" kc1 kc2 kc3); then
	check "partition: healed into one three-member view within ${heal_bound}s" true
	figure partition_heal "$heal" s
else
	check "partition: healed into one three-member view within ${heal_bound}s" false
fi
for name in "${nodes[@]}"; do
	check "partition: login through $name after the heal" login_on "$name"
done
rotation_set "${nodes[@]}"
report partition "$t" kc3
settled partition

# ---- db_restart: PostgreSQL restarted under the running nodes
declare -A started
for name in "${nodes[@]}"; do
	started[$name]=$(started_at "$name")
done
t=$(kc_now_ms)
start=$SECONDS
engine restart --time 10 "$kc_db" >/dev/null
recovered=""
while [ $((SECONDS - start)) -lt "$db_recover_bound" ]; do
	if login_on kc1 && login_on kc2 && login_on kc3; then
		recovered=$((SECONDS - start))
		break
	fi
	sleep 1
done
check "db_restart: logins work on every node within ${db_recover_bound}s" [ -n "$recovered" ]
[ -z "$recovered" ] || figure db_restart_recover "$recovered" s
for name in "${nodes[@]}"; do
	check "db_restart: $name was not restarted" [ "$(started_at "$name")" = "${started[$name]}" ]
done
report db_restart "$t"
settled db_restart

# ---- sigterm and rolling: each node in turn is drained (out of the
# rotation), stopped with SIGTERM, started again and put back
t_roll=$(kc_now_ms)
start=$SECONDS
for name in "${nodes[@]}"; do
	others=()
	for o in "${nodes[@]}"; do
		[ "$o" = "$name" ] || others+=("$o")
	done
	probe_open "$name" 6 "$tmp/probe-$name"
	rotation_set "${others[@]}"
	sleep 2
	mark_views "${others[@]}"
	t=$(kc_now_ms)
	engine kill --signal TERM "$(kc_container "$name")" >/dev/null
	if wait_views 2 "$leave_bound" "${others[@]}" >/dev/null; then
		check "sigterm $name: the others see the two-member view within ${leave_bound}s" true
		figure "sigterm_${name}_view_shrinks" "$(($(kc_now_ms) - t))" ms
	else
		check "sigterm $name: the others see the two-member view within ${leave_bound}s" false
	fi
	deadline=$((SECONDS + sigterm_exit_bound))
	while engine_is_running "$(kc_container "$name")" && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.2
	done
	figure "sigterm_${name}_exit_time" "$(($(kc_now_ms) - t))" ms
	code=$(engine container inspect --format '{{.State.ExitCode}}' "$(kc_container "$name")")
	figure "sigterm_${name}_exit_code" "$code" status
	check "sigterm $name: exits within ${sigterm_exit_bound}s" \
		fails engine_is_running "$(kc_container "$name")"
	check "sigterm $name: exits with status 143 (got $code)" [ "$code" = 143 ]
	rows=$(kc_ping_rows "$name")
	figure "sigterm_${name}_rows_at_exit" "$rows" rows
	# The node deletes its row as it leaves; a coordinator's periodic
	# rewrite that races with the leave can write it again, and the next
	# write of any row deletes it once it is 10 s old: within 20 s no row
	# of it is left.
	deadline=$((SECONDS + 20))
	while [ "$rows" != 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 1
		rows=$(kc_ping_rows "$name" || echo err)
	done
	check "sigterm $name: within 20 s no $kc_ping_table row of it is left (got $rows)" \
		[ "$rows" = 0 ]
	report "sigterm_${name}" "$t" "$name"
	check "sigterm $name: no failed request on the drained node" [ "$failed_node" = 0 ]
	lost=$(probe_lost "$tmp/probe-$name")
	figure "sigterm_${name}_sessions_lost" "$lost" sessions
	opened=$(wc -l <"$tmp/probe-$name")
	check "sigterm $name: the $opened of 6 sessions opened through it refresh on the others ($lost lost)" \
		[ "$lost$opened" = 06 ]
	mark_views "${nodes[@]}"
	t=$(kc_now_ms)
	engine start "$(kc_container "$name")" >/dev/null
	check "rolling: $name back in a three-member view" \
		quiet wait_views 3 "$kc_boot_timeout" "${nodes[@]}"
	check "rolling: $name answers HTTP 200" kc_wait_http "$name" "$kc_boot_timeout"
	figure "rolling_${name}_back" "$(($(kc_now_ms) - t))" ms
	rotation_set "${nodes[@]}"
done
figure rolling_restart "$((SECONDS - start))" s
report rolling "$t_roll"
settled rolling
lost=0
for name in "${nodes[@]}"; do
	lost=$((lost + $(probe_lost "$tmp/probe-$name")))
done
figure rolling_sessions_lost "$lost" sessions
check "rolling: all 18 sessions opened before the restarts still refresh ($lost lost)" [ "$lost" = 0 ]

stop_workload
report total 0
