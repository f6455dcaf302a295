#!/bin/bash
# Benchmark 3: whole start.
#
# A PostgreSQL container and two Keycloak nodes on an --internal network
# created for the run, started the way the end-to-end test starts them; the
# clock starts when the first node's container is started (the second one
# follows at once). Measured: when each node first answers HTTP 200 on
# /auth/, and when both nodes' logs show the two-member cluster view. Once
# with the project's image, once with the baseline image (the same
# distribution configured by jboss-cli on first start, a one-second port
# poll, standalone.sh), taking turns, BENCH_START_REPS times; everything is
# new each time (database included), so every start is a first start.
#
# Environment: BENCH_OUT, KEYCLOAK_IMAGE, POSTGRES_IMAGE, BASELINE_IMAGE,
#   BENCH_START_REPS (default 3), BENCH_BOOT_TIMEOUT (seconds, default 600).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
: "${KEYCLOAK_IMAGE:?}" "${POSTGRES_IMAGE:?}" "${BASELINE_IMAGE:?}"
engine_detect

reps=${BENCH_START_REPS:-3}
boot_timeout=${BENCH_BOOT_TIMEOUT:-600}
containers=()
network=""
# The nodes first, the database last: a node stopped after its database
# waits for it until it is killed.
tear_down() {
	local i
	for ((i = ${#containers[@]} - 1; i >= 0; i--)); do
		engine_remove "${containers[i]}" || true
	done
	[ -z "$network" ] || engine_network_remove "$network" || true
	containers=()
	network=""
}
at_exit tear_down

tsv=$BENCH_OUT/start.tsv
printf 'what\ts\n' >"$tsv"

http_ok() {
	[ "$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 2 \
		"http://$1:8080/auth/" || true)" = 200 ]
}

# cluster KIND IMAGE: one start; adds KIND-http (one line per node) and
# KIND-cluster lines to the results.
cluster() {
	local kind=$1 image=$2 run_id db db_ip node start elapsed
	run_id=$(engine_unique_name "khp-bench-$kind")
	network=$run_id-net
	db=$run_id-postgres
	engine_network_create "$network"
	containers=("$db")
	engine_run "$db" --network "$network" --network-alias postgres \
		-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak -e POSTGRES_PASSWORD=password \
		"$POSTGRES_IMAGE"
	engine_wait_log "$db" 'database system is ready to accept connections' 120
	db_ip=$(engine_ip "$db" "$network")

	local -A ips=() http=()
	start=$(now_us)
	for node in kc1 kc2; do
		containers+=("$run_id-$node")
		if [ "$kind" = project ]; then
			engine_run "$run_id-$node" --network "$network" --hostname "$node" \
				-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak \
				-e POSTGRES_PASSWORD=password -e POSTGRES_PORT_5432_TCP_ADDR="$db_ip" \
				-e POSTGRES_PORT_5432_TCP_PORT=5432 "$image"
		else
			engine_run "$run_id-$node" --network "$network" --hostname "$node" \
				-e DB_ADDR="$db_ip" -e DB_PORT=5432 -e DB_DATABASE=keycloak \
				-e DB_USER=keycloak -e DB_PASSWORD=password "$image"
		fi
	done
	for node in kc1 kc2; do
		ips[$node]=$(engine_ip "$run_id-$node" "$network")
	done
	local cluster_at="" views
	while :; do
		elapsed=$(awk -v t="$(ms_since "$start")" 'BEGIN { printf "%.1f\n", t / 1000 }')
		for node in kc1 kc2; do
			if [ -z "${http[$node]:-}" ] && http_ok "${ips[$node]}"; then
				http[$node]=$elapsed
			fi
		done
		if [ -z "$cluster_at" ]; then
			views=0
			for node in kc1 kc2; do
				if engine logs "$run_id-$node" 2>&1 |
					grep -Eq 'Received new cluster view.*\(2\) \[(kc1, kc2|kc2, kc1)\]'; then
					views=$((views + 1))
				fi
			done
			[ "$views" != 2 ] || cluster_at=$elapsed
		fi
		if [ -n "$cluster_at" ] && [ -n "${http[kc1]:-}" ] && [ -n "${http[kc2]:-}" ]; then
			break
		fi
		if awk -v e="$elapsed" -v l="$boot_timeout" 'BEGIN { exit !(e > l) }'; then
			echo "start: $kind: no HTTP 200 on both nodes and two-member view after ${boot_timeout}s" >&2
			for node in kc1 kc2; do
				engine logs "$run_id-$node" 2>&1 | tail -n 20 >&2 || true
			done
			return 1
		fi
		for node in kc1 kc2; do
			if ! engine_is_running "$run_id-$node"; then
				echo "start: $kind: $node stopped" >&2
				engine logs "$run_id-$node" 2>&1 | tail -n 30 >&2 || true
				return 1
			fi
		done
		sleep 1
	done
	printf '%s-http\t%s\n%s-http\t%s\n%s-cluster\t%s\n' "$kind" "${http[kc1]}" "$kind" \
		"${http[kc2]}" "$kind" "$cluster_at" >>"$tsv"
	echo "start: $kind: HTTP after ${http[kc1]} s and ${http[kc2]} s, cluster after $cluster_at s"
	tear_down
}

for ((r = 0; r < reps; r++)); do
	cluster project "$KEYCLOAK_IMAGE"
	cluster baseline "$BASELINE_IMAGE"
done

row() {
	local label=$1 what=$2 p_med p_min p_max b_med b_min b_max
	read -r p_med p_min p_max _ < <(values_of "$tsv" "project-$what" s | stats)
	read -r b_med b_min b_max _ < <(values_of "$tsv" "baseline-$what" s | stats)
	echo "| $label | $p_med s ($p_min-$p_max) | $b_med s ($b_min-$b_max) | $(ratio "$b_med" "$p_med") |"
}
{
	echo "### 3. Whole start: container start to HTTP and to a cluster of two"
	echo
	echo "PostgreSQL and two nodes on an internal network, every start a first start (new"
	echo "containers, new database); the clock starts with the first node's container, the"
	echo "second is started right after it; checked once a second. $reps starts of each"
	echo "kind, taking turns. Median (min-max); HTTP has one sample per node."
	echo
	echo "| until | this project | baseline: jboss-cli on first start | baseline / project |"
	echo "|---|---|---|---|"
	row "the node serves HTTP (200 on \`/auth/\`)" http
	row "the cluster of two has formed (both logs)" cluster
	echo
	echo "Most of either start is the server's own boot (WildFly, Keycloak's database"
	echo "migration on an empty database); the difference is the configuration step and"
	echo "the wait for the database."
	echo
} | bench_section start
