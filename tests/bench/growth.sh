#!/bin/bash
# Benchmark 5: how render's cost grows with the work.
#
# Two cases, each at several sizes N:
#   hosts  TCPPING with an initial host list of N peers in one environment
#          variable (BENCH_GROWTH_HOSTS, default 10 100 1000 3000 7000; the
#          kernel caps one environment string at 128 KiB);
#   file   a configuration file (--config) whose JGROUPS_DISCOVERY_PROPERTIES
#          group has N entries (BENCH_GROWTH_ENTRIES, default 10 50 100 250:
#          the entrypoint takes at most 256 properties and 1000 settings;
#          empty: the case is left out).
# Each sample is the mean of BENCH_INNER runs (BENCH_FILE_INNER for the file)
# of `render`, process start included; the sizes take turns within each
# repetition, so that a change in the machine's load spreads over all of
# them. CPU time (user + system) is what the verdict uses: it counts the
# work, not the waits for a busy CPU.
#
# Linear growth means a constant cost per added item: the cost per item
# measured from the smallest size to each size of at least a quarter of
# the largest must stay within a factor BENCH_GROWTH_TOLERANCE (default 2) of
# the one measured to the largest, whereas quadratic growth multiplies it by
# the ratio of the sizes. The verdict of each case is written to the report
# ("Linear: **yes**" or "**no**"); it does not stop the run.
#
# Environment: BENCH_OUT, BENCH_REPS (default 5), BENCH_INNER (default 50),
#   BENCH_FILE_INNER (default 5).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_inputs

reps=${BENCH_REPS:-5}
tolerance=${BENCH_GROWTH_TOLERANCE:-2}
scratch_dir

home=$tmp/home
conf=$home/standalone/configuration
mkdir -p "$conf"
cp "$dist/standalone/configuration/standalone-ha.xml" "$conf/standalone-ha.xml.dist"
tsv=$BENCH_OUT/growth.tsv
printf 'what\tms\tcpu_ms\n' >"$tsv"

# children_cpu_us VAR: set VAR to the CPU time (user + system, µs) of this
# shell's finished children so far, from the builtin `times`, run in this
# shell (a command substitution would be a subshell with no children).
children_cpu_us() {
	times >"$tmp/times"
	printf -v "$1" '%s' "$(tail -n 1 "$tmp/times" | awk '{
		t = 0
		for (i = 1; i <= NF; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
		printf "%.0f\n", t * 1e6 }')"
}

# host_list N: N distinct peers, 10.x.y.z[7600], comma-separated.
host_list() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "%s10.%d.%d.%d[7600]", (i > 1 ? "," : ""), int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
}

# render_hosts N: one render with the list of N peers (from hosts_N).
render_hosts() {
	local var=hosts_$1
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" DB_ADDR=db.example DB_PASSWORD=bench-secret \
		BIND=192.0.2.10 JGROUPS_DISCOVERY_PROTOCOL=TCPPING \
		JGROUPS_DISCOVERY_PROPERTIES="initial_hosts=${!var},port_range=0" "$khp" render 2>"$tmp/err"
}
prepare_hosts() {
	printf -v "hosts_$1" '%s' "$(host_list "$1")"
}
# The peers written, for the check that all of them are.
count_hosts() {
	grep -o '10\.[0-9]*\.[0-9]*\.[0-9]*\[7600\]' "$conf/standalone-ha.xml" | wc -l
}

# The file case: N entries of the discovery group (the file's own syntax,
# one a line), the host list of the first case's smallest size among them.
prepare_file() {
	{
		echo 'JGROUPS_DISCOVERY_PROTOCOL = "TCPPING";'
		echo 'JGROUPS_DISCOVERY_PROPERTIES = {'
		echo '    initial_hosts = "10.0.0.1[7600],10.0.0.2[7600]";'
		awk -v n="$1" 'BEGIN { for (i = 2; i <= n; i++) printf "    bench_entry_%d = \"value %d\";\n", i, i }'
		echo '};'
	} >"$tmp/entries-$1.conf"
}
render_file() {
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" DB_ADDR=db.example DB_PASSWORD=bench-secret \
		BIND=192.0.2.10 "$khp" --config "$tmp/entries-$1.conf" render 2>"$tmp/err"
}
count_file() {
	grep -c '<property name="\(initial_hosts\|bench_entry_[0-9]*\)">' "$conf/standalone-ha.xml"
}

# measure CASE SIZES INNER: check each size once (everything written), then
# REPS rounds of INNER runs per size; samples go to the results as
# "CASE=N".
measure() {
	local case=$1 sizes=$2 inner=$3 n r i written cpu0 cpu1 start wall
	for n in $sizes; do
		"prepare_$case" "$n"
		if ! "render_$case" "$n"; then
			echo "growth: $case: render failed at $n: $(cat "$tmp/err")" >&2
			return 1
		fi
		written=$("count_$case")
		if [ "$written" != "$n" ]; then
			echo "growth: $case: $n given, $written written" >&2
			return 1
		fi
	done
	for ((r = 0; r < reps; r++)); do
		for n in $sizes; do
			children_cpu_us cpu0
			start=$(now_us)
			for ((i = 0; i < inner; i++)); do "render_$case" "$n"; done
			wall=$(ms_since "$start")
			children_cpu_us cpu1
			# cpu0 and cpu1 are set by children_cpu_us.
			# shellcheck disable=SC2154
			printf '%s=%s\t%s\t%s\n' "$case" "$n" \
				"$(awk -v t="$wall" -v k="$inner" 'BEGIN { printf "%.4f\n", t / k }')" \
				"$(awk -v a="$cpu0" -v b="$cpu1" -v k="$inner" 'BEGIN { printf "%.4f\n", (b - a) / 1000 / k }')" >>"$tsv"
		done
	done
}

# table CASE SIZES ITEM INNER TITLE TEXT: the section of one case; sets
# verdict_CASE.
table() {
	local case=$1 sizes=$2 item=$3 inner=$4 title=$5 text=$6
	local -a size_list
	read -r -a size_list <<<"$sizes"
	local smallest=${size_list[0]} largest=${size_list[${#size_list[@]} - 1]}
	local base top slope_all linear=yes rows="" n med min max wall_med slope
	read -r base _ < <(values_of "$tsv" "$case=$smallest" cpu_ms | stats)
	read -r top _ < <(values_of "$tsv" "$case=$largest" cpu_ms | stats)
	slope_all=$(awk -v a="$base" -v b="$top" -v n0="$smallest" -v n1="$largest" \
		'BEGIN { printf "%.3f\n", (b - a) * 1000 / (n1 - n0) }')
	for n in $sizes; do
		read -r wall_med _ < <(values_of "$tsv" "$case=$n" ms | stats)
		read -r med min max _ < <(values_of "$tsv" "$case=$n" cpu_ms | stats)
		slope="-"
		if [ "$n" != "$smallest" ]; then
			slope=$(awk -v a="$base" -v b="$med" -v n0="$smallest" -v n1="$n" \
				'BEGIN { printf "%.3f\n", (b - a) * 1000 / (n1 - n0) }')
			# Sizes much smaller than the largest add not much more
			# time than the noise of a process start; only those of
			# at least a quarter of the largest are held to the
			# tolerance.
			if [ $((n * 4)) -ge "$largest" ] && ! awk -v s="$slope" -v t="$slope_all" -v f="$tolerance" \
				'BEGIN { exit !(t > 0 && s <= t * f && s >= t / f) }'; then
				linear=no
			fi
			slope="$slope µs"
		fi
		rows="$rows| $n | $(fmt_ms "$med") | $(fmt_ms "$min") | $(fmt_ms "$max") | $(ratio "$med" "$base") | $slope | $(fmt_ms "$wall_med") |
"
	done
	printf -v "verdict_$case" '%s' "$linear"
	echo "#### $title"
	echo
	echo "$text"
	echo "Each sample is the mean of $inner runs of \`render\`, process start included; $reps samples"
	echo "each. \"Per added $item\" is the CPU cost of each $item, measured from $smallest."
	echo
	echo "| N | CPU median | CPU min | CPU max | median / $smallest | per added $item | wall-clock median |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s' "$rows"
	echo
	echo "Linear: **$linear**. From $smallest to $largest each $item costs $slope_all µs of CPU; for"
	echo "linear growth the cost per $item measured to each size of at least a quarter of the largest"
	echo "stays within a factor $tolerance of that (quadratic growth multiplies it by the ratio of"
	echo "the sizes)."
	echo
}

host_sizes=${BENCH_GROWTH_HOSTS:-10 100 1000 3000 7000}
entry_sizes=${BENCH_GROWTH_ENTRIES-10 50 100 250}
measure hosts "$host_sizes" "${BENCH_INNER:-50}"
[ -z "$entry_sizes" ] || measure file "$entry_sizes" "${BENCH_FILE_INNER:-5}"

{
	echo "### 5. Growth: render's cost as the work grows"
	echo
	echo "CPU time (user + system) counts the work whatever else the machine runs;"
	echo "wall-clock time is shown too. The sizes take turns within each repetition."
	echo
	table hosts "$host_sizes" peer "${BENCH_INNER:-50}" "An initial host list of N peers" \
		"TCPPING with \`initial_hosts\` of N peers (\`10.x.y.z[7600]\`), in one environment variable."
	if [ -n "$entry_sizes" ]; then
		table file "$entry_sizes" entry "${BENCH_FILE_INNER:-5}" "A configuration file with N entries" \
			"A configuration file (\`--config\`) whose \`JGROUPS_DISCOVERY_PROPERTIES\` group has N entries, one a line."
	fi
} >"$tmp/section.md"
bench_section growth <"$tmp/section.md"
summary="hosts linear=$(sed -n 's/^Linear: \*\*\([a-z]*\)\*\*.*/\1/p' "$tmp/section.md" | head -n 1)"
[ -z "$entry_sizes" ] ||
	summary="$summary, file linear=$(sed -n 's/^Linear: \*\*\([a-z]*\)\*\*.*/\1/p' "$tmp/section.md" | sed -n 2p)"
echo "growth: $summary"
