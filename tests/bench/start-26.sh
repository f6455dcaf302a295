#!/bin/bash
# Keycloak 26 benchmark 1: whole start.
#
# A PostgreSQL container and two Keycloak nodes on an --internal network
# created for the run; the clock starts when the first node's container is
# started (the second one follows at once). Measured: when each node first
# answers HTTP 200 on /health/ready (the management port, 9000), and when
# both nodes' logs show a cluster view of two members (ISPN000094, or a
# merged view, ISPN000093). Three kinds of node, taking turns,
# BENCH_START_REPS times; everything is new each time (database included),
# so every start is a first start:
#   project    the project's image (KEYCLOAK_IMAGE), configured by its own
#              variables (DB_ADDR, DB_PASSWORD, KEYCLOAK_USER, ...)
#   start      BASELINE_START_IMAGE: the official way, `kc.sh start` on the
#              distribution as published, which builds at every start
#   optimized  BASELINE_OPTIMIZED_IMAGE: `kc.sh start --optimized` on a
#              distribution built (`kc.sh build`) when the image was built
# The baselines are configured with KC_ variables, as users of Keycloak's
# own image do. Every node gets the same memory limit (BENCH_NODE_MEMORY),
# so that the heap, 70 % of the limit for all three, is the same, and the
# same restart policy (on-failure, BENCH_NODE_RESTARTS times), as a
# deployment has: two Keycloak 26 nodes started at once on an empty database
# race to create its schema, and the loser exits ("relation
# databasechangelog already exists"); its restart is part of the start, and
# the restarts are counted.
#
# Environment: BENCH_OUT, KEYCLOAK_IMAGE, POSTGRES_IMAGE,
#   BASELINE_START_IMAGE, BASELINE_OPTIMIZED_IMAGE, BENCH_START_REPS
#   (default 3), BENCH_BOOT_TIMEOUT (seconds, default 900),
#   BENCH_NODE_MEMORY (default 2g; empty: no limit), BENCH_NODE_RESTARTS
#   (default 3), BENCH_START_KINDS
#   (default "project start optimized"), BENCH_REPORT_ONLY=yes (write the
#   section from an existing $BENCH_OUT/start-26.tsv, start nothing).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

reps=${BENCH_START_REPS:-3}
boot_timeout=${BENCH_BOOT_TIMEOUT:-900}
memory=${BENCH_NODE_MEMORY-2g}
restarts=${BENCH_NODE_RESTARTS:-3}
kinds=${BENCH_START_KINDS:-project start optimized}
db_password=bench-db-secret
admin_password=bench-admin-secret
tsv=$BENCH_OUT/start-26.tsv
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

ready_ok() {
	[ "$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 2 \
		"http://$1:9000/health/ready" || true)" = 200 ]
}

# two_member_view CONTAINER: the newest cluster view in its log has two
# members.
two_member_view() {
	engine logs "$1" 2>&1 | grep -E 'ISPN00009[34]: Received new.* cluster view for channel ' | tail -n 1 |
		grep -Eq '\] \(2\) \['
}

# node_gone CONTAINER: it has stopped for good: it exited with status 0, or
# its restart policy gave up.
node_gone() {
	local status code count
	read -r status code count < <(engine container inspect \
		--format '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' "$1" 2>/dev/null || echo gone 1 0)
	case $status in
	running | created | configured | initialized | stopping) return 1 ;;
	esac
	[ "$status" = gone ] || [ "$code" = 0 ] || [ "$count" -ge "$restarts" ]
}

# node_args KIND DB_IP: the options of `run` that configure a node of KIND.
node_args() {
	local kind=$1 db_ip=$2
	args=(--restart "on-failure:$restarts")
	[ -z "$memory" ] || args+=(--memory "$memory")
	if [ "$kind" = project ]; then
		args+=(-e DB_ADDR="$db_ip" -e DB_USER=keycloak -e DB_PASSWORD="$db_password"
			-e DB_DATABASE=keycloak -e KEYCLOAK_USER=admin -e KEYCLOAK_PASSWORD="$admin_password"
			"$KEYCLOAK_IMAGE")
		return
	fi
	args+=(-e KC_DB=postgres -e KC_DB_URL_HOST="$db_ip" -e KC_DB_URL_DATABASE=keycloak
		-e KC_DB_USERNAME=keycloak -e KC_DB_PASSWORD="$db_password" -e KC_HTTP_ENABLED=true
		-e KC_HOSTNAME_STRICT=false -e KC_HEALTH_ENABLED=true -e KC_METRICS_ENABLED=true
		-e KC_CACHE=ispn -e KC_BOOTSTRAP_ADMIN_USERNAME=admin
		-e KC_BOOTSTRAP_ADMIN_PASSWORD="$admin_password")
	case $kind in
	start) args+=("$BASELINE_START_IMAGE") ;;
	optimized) args+=("$BASELINE_OPTIMIZED_IMAGE") ;;
	esac
}

# cluster KIND: one start of two nodes; adds KIND-ready (one line per
# node), KIND-cluster and, for the official way, KIND-build lines (the
# build each node's kc.sh logged) to the results.
cluster() {
	local kind=$1 run_id db db_ip node start elapsed args
	run_id=$(engine_unique_name "khp-bench26-$kind")
	network=$run_id-net
	db=$run_id-postgres
	engine_network_create "$network"
	containers=("$db")
	engine_run "$db" --network "$network" --network-alias postgres \
		-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak -e POSTGRES_PASSWORD="$db_password" \
		"$POSTGRES_IMAGE"
	engine_wait_log "$db" 'database system is ready to accept connections' 120
	db_ip=$(engine_ip "$db" "$network")

	local -A ips=() ready=()
	start=$(now_us)
	for node in kc1 kc2; do
		node_args "$kind" "$db_ip"
		containers+=("$run_id-$node")
		engine_run "$run_id-$node" --network "$network" --hostname "$node" "${args[@]}"
	done
	for node in kc1 kc2; do
		ips[$node]=$(engine_ip "$run_id-$node" "$network")
	done
	local cluster_at="" views
	while :; do
		elapsed=$(awk -v t="$(ms_since "$start")" 'BEGIN { printf "%.1f\n", t / 1000 }')
		for node in kc1 kc2; do
			if [ -z "${ready[$node]:-}" ] && ready_ok "${ips[$node]}"; then
				ready[$node]=$elapsed
			fi
		done
		if [ -z "$cluster_at" ]; then
			views=0
			for node in kc1 kc2; do
				! two_member_view "$run_id-$node" || views=$((views + 1))
			done
			[ "$views" != 2 ] || cluster_at=$elapsed
		fi
		if [ -n "$cluster_at" ] && [ -n "${ready[kc1]:-}" ] && [ -n "${ready[kc2]:-}" ]; then
			break
		fi
		if awk -v e="$elapsed" -v l="$boot_timeout" 'BEGIN { exit !(e > l) }'; then
			echo "start-26: $kind: not ready on both nodes with a two-member view after ${boot_timeout}s" >&2
			for node in kc1 kc2; do
				engine logs "$run_id-$node" 2>&1 | tail -n 20 >&2 || true
			done
			return 1
		fi
		for node in kc1 kc2; do
			if node_gone "$run_id-$node"; then
				echo "start-26: $kind: $node stopped" >&2
				engine logs "$run_id-$node" 2>&1 | tail -n 30 >&2 || true
				return 1
			fi
		done
		sleep 1
	done
	printf '%s-ready\t%s\n%s-ready\t%s\n%s-cluster\t%s\n' "$kind" "${ready[kc1]}" "$kind" \
		"${ready[kc2]}" "$kind" "$cluster_at" >>"$tsv"
	local built="" ms count restarted=0
	for node in kc1 kc2; do
		count=$(engine container inspect --format '{{.RestartCount}}' "$run_id-$node")
		restarted=$((restarted + count))
	done
	printf '%s-restarts\t%s\n' "$kind" "$restarted" >>"$tsv"
	if [ "$kind" = start ]; then
		for node in kc1 kc2; do
			ms=$(engine logs "$run_id-$node" 2>&1 |
				sed -n 's/.*Quarkus augmentation completed in \([0-9]*\)ms.*/\1/p' | head -n 1)
			[ -z "$ms" ] || {
				printf '%s-build\t%s\n' "$kind" "$(awk -v m="$ms" 'BEGIN { printf "%.1f\n", m / 1000 }')" >>"$tsv"
				built="$built ${ms}ms"
			}
		done
	fi
	echo "start-26: $kind: ready after ${ready[kc1]} s and ${ready[kc2]} s, cluster after $cluster_at s${built:+ (built in$built)}, $restarted restarts"
	mkdir -p "$BENCH_OUT/start-26-logs"
	for node in kc1 kc2; do
		engine logs "$run_id-$node" >"$BENCH_OUT/start-26-logs/$kind-$node.log" 2>&1 || true
	done
	tear_down
}

if [ "${BENCH_REPORT_ONLY:-no}" != yes ]; then
	: "${KEYCLOAK_IMAGE:?}" "${POSTGRES_IMAGE:?}"
	case " $kinds " in *" start "*) : "${BASELINE_START_IMAGE:?}" ;; esac
	case " $kinds " in *" optimized "*) : "${BASELINE_OPTIMIZED_IMAGE:?}" ;; esac
	engine_detect
	at_exit tear_down
	printf 'what\ts\n' >"$tsv"
	for ((r = 0; r < reps; r++)); do
		for kind in $kinds; do
			cluster "$kind"
		done
	done
fi

# cell KIND WHAT: cell_text, "median s (min-max)" of KIND-WHAT (n/a without
# samples), and cell_med, the median.
cell() {
	local min max n
	read -r cell_med min max n < <(values_of "$tsv" "$1-$2" s | stats)
	cell_text="$cell_med s ($min-$max)"
	[ "$n" != 0 ] || cell_text="n/a"
}
row() {
	local label=$1 what=$2 p p_med a a_med b b_med
	cell project "$what"
	p=$cell_text p_med=$cell_med
	cell start "$what"
	a=$cell_text a_med=$cell_med
	cell optimized "$what"
	b=$cell_text b_med=$cell_med
	echo "| $label | $p | $a | $b | $(ratio "$a_med" "$p_med") | $(ratio "$b_med" "$p_med") |"
}
n_starts=$(values_of "$tsv" project-cluster s | wc -l)
{
	echo "### 1. Whole start: container start to ready and to a cluster of two"
	echo
	echo "PostgreSQL and two nodes on an internal network, every start a first start (new"
	echo "containers, new database: Keycloak creates its schema); the clock starts with the"
	echo "first node's container, the second is started right after it; checked once a second."
	echo "Starts of each kind: $n_starts, taking turns; each node limited to ${memory:-no limit} of memory (the"
	echo "heap is 70 % of it for all three) and restarted on failure (up to $restarts times), as in a"
	echo "deployment. Median (min-max); \"ready\" has one sample per node."
	echo "The baselines run the distribution's own \`kc.sh\`, configured with \`KC_DB=postgres\`,"
	echo "\`KC_DB_URL_HOST\`, \`KC_DB_USERNAME\`, \`KC_DB_PASSWORD\`, \`KC_HTTP_ENABLED=true\`,"
	echo "\`KC_HOSTNAME_STRICT=false\`, \`KC_HEALTH_ENABLED\`, \`KC_METRICS_ENABLED\`, \`KC_CACHE=ispn\`"
	echo "and \`KC_BOOTSTRAP_ADMIN_*\`; the project's image with \`DB_ADDR\`, \`DB_PASSWORD\`,"
	echo "\`KEYCLOAK_USER\` and \`KEYCLOAK_PASSWORD\`."
	echo
	echo "| until | this project | (a) \`kc.sh start\` (builds at every start) | (b) \`kc.sh start --optimized\` (built image) | (a) / project | (b) / project |"
	echo "|---|---|---|---|---|---|"
	row "the node is ready (200 on \`:9000/health/ready\`)" ready
	row "the cluster of two has formed (a two-member view in both logs)" cluster
	echo
	total() { values_of "$tsv" "$1-restarts" s | awk '{ n += $1 } END { print n + 0 }'; }
	echo "Nodes restarted by their restart policy (a node that lost the race to create"
	echo "Keycloak's schema on the empty database exits; its restart is part of the times above),"
	echo "in all starts: this project $(total project), (a) $(total start), (b) $(total optimized)."
	echo
	if values_of "$tsv" start-build s | grep -q .; then
		echo "Of (a)'s start, its build (\"Quarkus augmentation completed in\", each node's log):"
		cell start build
		echo "median $cell_text. The project's image and (b) ran that build once, when"
		echo "the image was built; they differ in what runs before the JVM (the project's static"
		echo "entrypoint: the wait for a working database login, the configuration file, then"
		echo "\`java\` exec'd directly; (b): \`kc.sh\`, a bash script that starts \`java\` as its child)."
		echo
	fi
} | bench_section start-26
