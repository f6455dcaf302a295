#!/bin/bash
# Benchmark 5: how render's cost grows with the work.
#
# TCPPING with an initial host list of N peers (BENCH_GROWTH_HOSTS, default
# 10 100 1000 3000; the list is one environment variable, whose size the
# kernel caps at 128 KiB). Each sample is the mean of BENCH_INNER runs, process
# start included. Linear growth means a constant cost per added peer: the
# cost per peer measured from the smallest list to each larger one must stay
# within a factor of BENCH_GROWTH_TOLERANCE (default 2) of the one measured
# to the largest list, whereas quadratic growth would multiply it by the
# ratio of the list sizes. The verdict is printed and the script fails when
# growth is not linear.
#
# Environment: BENCH_OUT, BENCH_REPS (default 5), BENCH_INNER (default 20).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_inputs

reps=${BENCH_REPS:-5}
inner=${BENCH_INNER:-50}
sizes=${BENCH_GROWTH_HOSTS:-10 100 1000 3000}
tolerance=${BENCH_GROWTH_TOLERANCE:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

home=$work/home
mkdir -p "$home/standalone/configuration"
cp "$dist/standalone/configuration/standalone-ha.xml" \
	"$home/standalone/configuration/standalone-ha.xml.dist"
tsv=$BENCH_OUT/growth.tsv

# host_list N: N distinct peers, 10.x.y.z[7600], comma-separated.
host_list() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "%s10.%d.%d.%d[7600]", (i > 1 ? "," : ""), int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
}

# children_cpu_us VAR: set VAR to the CPU time (user + system, µs) of this
# shell's finished children so far, from the builtin `times`, run in this
# shell (a command substitution would be a subshell with no children).
children_cpu_us() {
	times >"$work/times"
	printf -v "$1" '%s' "$(tail -n 1 "$work/times" | awk '{
		t = 0
		for (i = 1; i <= NF; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
		printf "%.0f\n", t * 1e6 }')"
}

# render_hosts N: one render with the list of N peers (from hosts_N).
render_hosts() {
	local var=hosts_$1
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" DB_ADDR=db.example DB_PASSWORD=bench-secret \
		BIND=192.0.2.10 JGROUPS_DISCOVERY_PROTOCOL=TCPPING \
		JGROUPS_DISCOVERY_PROPERTIES="initial_hosts=${!var},port_range=0" "$khp" render 2>"$work/err"
}

for n in $sizes; do
	printf -v "hosts_$n" '%s' "$(host_list "$n")"
	if ! render_hosts "$n"; then
		echo "growth: render failed with $n hosts: $(cat "$work/err")" >&2
		exit 1
	fi
	# The list must be in the result, all of it.
	written=$(grep -o '10\.[0-9]*\.[0-9]*\.[0-9]*\[7600\]' \
		"$home/standalone/configuration/standalone-ha.xml" | wc -l)
	if [ "$written" != "$n" ]; then
		echo "growth: $n hosts given, $written written" >&2
		exit 1
	fi
done
# Sizes take turns within each repetition, so that a change in the load
# of the machine spreads over all of them. CPU time (user + system) is what
# the verdict uses: it counts the work, not the waits for a busy CPU.
printf 'what\tms\tcpu_ms\n' >"$tsv"
for ((r = 0; r < reps; r++)); do
	for n in $sizes; do
		children_cpu_us cpu0
		start=$(now_us)
		for ((i = 0; i < inner; i++)); do render_hosts "$n"; done
		wall=$(ms_since "$start")
		children_cpu_us cpu1
		# cpu0 and cpu1 are set by children_cpu_us.
		# shellcheck disable=SC2154
		printf 'hosts=%s\t%s\t%s\n' "$n" \
			"$(awk -v t="$wall" -v k="$inner" 'BEGIN { printf "%.4f\n", t / k }')" \
			"$(awk -v a="$cpu0" -v b="$cpu1" -v k="$inner" 'BEGIN { printf "%.4f\n", (b - a) / 1000 / k }')" >>"$tsv"
	done
done

read -r -a size_list <<<"$sizes"
smallest=${size_list[0]}
largest=${size_list[${#size_list[@]} - 1]}
read -r base _ < <(values_of "$tsv" "hosts=$smallest" cpu_ms | stats)
read -r top _ < <(values_of "$tsv" "hosts=$largest" cpu_ms | stats)
# Cost per added peer, µs, from the smallest list to the largest.
slope_all=$(awk -v a="$base" -v b="$top" -v n0="$smallest" -v n1="$largest" \
	'BEGIN { printf "%.3f\n", (b - a) * 1000 / (n1 - n0) }')
linear=yes
rows=""
for n in $sizes; do
	read -r wall_med _ < <(values_of "$tsv" "hosts=$n" ms | stats)
	read -r med min max _ < <(values_of "$tsv" "hosts=$n" cpu_ms | stats)
	slope="-"
	if [ "$n" != "$smallest" ]; then
		slope=$(awk -v a="$base" -v b="$med" -v n0="$smallest" -v n1="$n" \
			'BEGIN { printf "%.3f\n", (b - a) * 1000 / (n1 - n0) }')
		# Lists much smaller than the largest add less time than the
		# noise of a process start; only those of at least a tenth of
		# the largest are held to the tolerance.
		if [ $((n * 10)) -ge "$largest" ] && ! awk -v s="$slope" -v t="$slope_all" -v f="$tolerance" \
			'BEGIN { exit !(t > 0 && s <= t * f && s >= t / f) }'; then
			linear=no
		fi
		slope="$slope µs"
	fi
	rows="$rows| $n | $(fmt_ms "$med") | $(fmt_ms "$min") | $(fmt_ms "$max") | $(ratio "$med" "$base") | $slope | $(fmt_ms "$wall_med") |
"
done

{
	echo "## 5. Growth: render with an initial host list of N peers"
	echo
	echo "TCPPING with \`initial_hosts\` of N peers (\`10.x.y.z[7600]\`, one environment"
	echo "variable); each sample is the mean of $inner runs of \`render\`, process start"
	echo "included; $reps samples each, the sizes taking turns. CPU time (user + system) counts"
	echo "the work whatever else the machine runs; wall-clock time is shown too. \"Per added"
	echo "peer\" is the CPU cost of each peer, measured from the $smallest-peer list."
	echo
	echo "| peers | CPU median | CPU min | CPU max | median / $smallest peers | per added peer | wall-clock median |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s' "$rows"
	echo
	echo "Linear: **$linear**. From $smallest to $largest peers each peer costs $slope_all µs; the"
	echo "cost per peer measured to each list of at least a tenth of the largest stays within a"
	echo "factor $tolerance of it (quadratic growth would multiply it by the ratio of the sizes)."
	echo
} | bench_section growth
echo "growth: linear=$linear, $slope_all µs per peer"
[ "$linear" = yes ]
