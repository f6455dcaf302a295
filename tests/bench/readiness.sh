#!/bin/bash
# Benchmark 2: readiness.
#
# How long after PostgreSQL starts accepting the configured login does the
# waiter return? A private server on loopback (tests/lib/pgserver.sh) is
# stopped; two waiters start side by side: `keycloak-ha-postgres wait-db`
# and the baseline, a loop that tries a TCP connection to the port once a
# second (what wait-for-it, dockerize and the like do). After a random
# delay (0 to BENCH_READY_MAX_DELAY seconds) the server starts. The moment
# it accepts logins is the timestamp of its "ready to accept connections"
# log line (log_line_prefix %n, milliseconds); each waiter's delay is the
# time from that moment to its return. A negative delay means the waiter
# returned before logins were accepted (a TCP port opens before that).
#
# Environment: BENCH_OUT, BENCH_READY_RUNS (default 30),
#   BENCH_READY_MAX_DELAY (seconds, default 4).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/pgserver.sh
. "$repo_dir/tests/lib/pgserver.sh"
bench_inputs

runs=${BENCH_READY_RUNS:-30}
max_delay=${BENCH_READY_MAX_DELAY:-4}
scratch_dir
port=$((20000 + RANDOM % 20000))
waiters=()
stop_waiters() {
	local pid
	for pid in "${waiters[@]}"; do kill "$pid" 2>/dev/null || true; done
}
at_exit stop_waiters

pg_init "$tmp/pg" "$port"
echo "log_line_prefix = '%n '" >>"$tmp/pg/data/postgresql.conf"
pg_start "$tmp/pg"
pg_psql "$tmp/pg" "CREATE ROLE keycloak LOGIN PASSWORD 'bench-secret'"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"
pg_stop "$tmp/pg"

# The baseline: a TCP connection attempt once a second, bounded.
poll_port() {
	local i
	for ((i = 0; i < 120; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 1
	done
	return 1
}

tsv=$BENCH_OUT/readiness.tsv
printf 'what\tms\tserver_start_ms\n' >"$tsv"
for ((r = 0; r < runs; r++)); do
	rm -f "$tmp/khp.t" "$tmp/poll.t"
	: >"$tmp/pg/server.log"
	start=$(now_us)
	(
		env -i PATH=/usr/bin:/bin DB_ADDR=127.0.0.1 DB_PORT="$port" DB_DATABASE=keycloak \
			DB_USER=keycloak DB_PASSWORD=bench-secret BIND=192.0.2.10 DB_WAIT_TIMEOUT=60 \
			"$khp" wait-db 2>"$tmp/khp.err"
		echo "$(now_us) $?" >"$tmp/khp.t"
	) &
	waiters=($!)
	(
		poll_port
		echo "$(now_us) $?" >"$tmp/poll.t"
	) &
	waiters+=($!)
	delay=$(awk -v m="$max_delay" -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f\n", rand() * m }')
	sleep "$delay"
	server_start=$(ms_since "$start")
	pg_start "$tmp/pg"
	wait "${waiters[@]}"
	waiters=()
	ready=$(sed -n 's/^\([0-9]*\)\.\([0-9]*\) .*ready to accept connections.*/\1\2/p' \
		"$tmp/pg/server.log" | tail -n 1)
	if [ -z "$ready" ]; then
		echo "readiness: no 'ready to accept connections' line in the server log" >&2
		exit 1
	fi
	for w in khp poll; do
		read -r t status <"$tmp/$w.t"
		if [ "$status" != 0 ]; then
			echo "readiness: waiter $w failed (status $status)" >&2
			cat "$tmp/khp.err" >&2
			exit 1
		fi
		# ready is in milliseconds, t in microseconds.
		printf '%s\t%s\t%s\n' "$w" "$(awk -v t="$t" -v r="$ready" 'BEGIN { printf "%.1f\n", t / 1000 - r }')" \
			"$server_start" >>"$tsv"
	done
	pg_stop "$tmp/pg"
done

# row WHAT LABEL [FILTER]: one table line for the waiter WHAT.
row() {
	local what=$1 label=$2 med min max n p90 early
	read -r med min max n < <(values_of "$tsv" "$what" ms | stats)
	p90=$(values_of "$tsv" "$what" ms | percentile 90)
	early=$(values_of "$tsv" "$what" ms | awk '$1 < 0 { n++ } END { print n + 0 }')
	echo "| $label | $(fmt_ms "$med") | $(fmt_ms "$p90") | $(fmt_signed "$min") | $(fmt_ms "$max") | $early of $n |"
}
fmt_signed() {
	awk -v v="$1" 'BEGIN { if (v < 0) printf "%.1f ms (early)\n", v; else printf "%.1f ms\n", v }'
}
# by_start WHAT LOW HIGH: median delay of WHAT over runs whose server started
# between LOW and HIGH ms after the waiters.
by_start() {
	awk -F '\t' -v w="$1" -v lo="$2" -v hi="$3" 'NR > 1 && $1 == w && $3 >= lo && $3 < hi { print $2 }' \
		"$tsv" | stats
}

read -r khp_med _ < <(values_of "$tsv" khp ms | stats)
read -r poll_med _ < <(values_of "$tsv" poll ms | stats)
{
	echo "### 2. Readiness: from \"PostgreSQL accepts the login\" to \"the waiter returns\""
	echo
	echo "$runs runs; in each the server starts 0 to $max_delay s (random) after both waiters,"
	echo "which run side by side. The moment logins are accepted is the server's own"
	echo "\"ready to accept connections\" log timestamp (ms). \"Early\" counts returns before that"
	echo "moment: the waiter said ready while a login would still have failed."
	echo
	echo "| waiter | median | 90th percentile | min | max | early |"
	echo "|---|---|---|---|---|---|"
	row khp "\`keycloak-ha-postgres wait-db\` (login + \`SELECT 1\`, retried after 100 ms, 200 ms, then every 250 ms)"
	row poll "TCP connect once a second (baseline)"
	echo
	echo "Median delay: wait-db $(fmt_ms "$khp_med"), baseline $(fmt_ms "$poll_med");"
	echo "baseline / wait-db: $(ratio "$poll_med" "$khp_med")."
	echo
	echo "By when the server started (median delay, runs):"
	echo
	echo "| server started after | wait-db | TCP once a second |"
	echo "|---|---|---|"
	for range in "0 1000" "1000 2000" "2000 3000" "3000 60000"; do
		read -r lo hi <<<"$range"
		read -r k_med _ _ k_n < <(by_start khp "$lo" "$hi")
		read -r p_med _ _ _ < <(by_start poll "$lo" "$hi")
		[ "$k_n" != 0 ] || continue
		label="$((lo / 1000))-$((hi / 1000)) s"
		[ "$hi" -lt 60000 ] || label="$((lo / 1000)) s or more"
		echo "| $label ($k_n runs) | $(fmt_ms "$k_med") | $(fmt_ms "$p_med") |"
	done
	echo
	echo "wait-db tries again 100 ms, 200 ms and then every 250 ms after a failed login, so"
	echo "it notices a database within about a quarter of a second whenever it comes up; a"
	echo "one-second poll takes up to a second, and it reports a port that is open, not a"
	echo "login that works."
	echo
} | bench_section readiness
