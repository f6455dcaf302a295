#!/bin/bash
# Keycloak 26 benchmark 2: the configuration step, its time and memory.
#
# What each way of starting Keycloak 26 runs before the server proper:
#   render      `keycloak-ha-postgres render`, which writes keycloak.conf
#               (and the JVM's security file) into the state directory, as
#               at every start of the project's image: on the host (the
#               program under test, with the distribution of `make dist`)
#               and inside the project's image
#   kc.sh build the distribution's own build (Quarkus re-augmentation) for
#               PostgreSQL, health and metrics, inside BASELINE_START_IMAGE
#               (a new container each time, so the pristine distribution):
#               what the official way (`kc.sh start` without a prior build)
#               does at every start, and what the project's image and the
#               optimised baseline did once, when the image was built
# Each run is measured by peak_rss.c: wall-clock time from fork to exit,
# CPU time (user + system) and peak resident memory of the command and
# every descendant it waited for; inside a container, container start is
# excluded. A render sample is the mean (time) and the largest (memory) of
# BENCH_INNER runs: one run takes milliseconds. Then, as a check that the
# baselines do the same work, the build-time options persisted in the
# project's image and in BASELINE_OPTIMIZED_IMAGE are compared.
#
# Environment: BENCH_OUT, KEYCLOAK_IMAGE, BASELINE_START_IMAGE,
#   BASELINE_OPTIMIZED_IMAGE (without the images, only the host rows),
#   BENCH_REPS (default 5), BENCH_INNER (default 20), BENCH_KCBUILD_REPS
#   (default 3; 0 leaves kc.sh build out), BENCH_NODE_MEMORY (the
#   container's memory limit for kc.sh build, default 2g as for the start
#   benchmark; empty: no limit), BENCH_REPORT_ONLY=yes (write the section
#   from an existing $BENCH_OUT/config-26.tsv, measure nothing).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

reps=${BENCH_REPS:-5}
inner=${BENCH_INNER:-20}
build_reps=${BENCH_KCBUILD_REPS:-3}
memory=${BENCH_NODE_MEMORY-2g}
tsv=$BENCH_OUT/config-26.tsv

# measure WHAT COMMAND...: one run of COMMAND (which runs peak_rss) adds a
# line to the results.
measure() {
	local what=$1 peak
	shift
	"$@" >"$tmp/out" 2>"$tmp/err" || {
		tail -n 30 "$tmp/out" "$tmp/err" >&2
		echo "config-26: $what failed" >&2
		return 1
	}
	peak=$(peak_of "$tmp/err")
	[ -n "$peak" ] || { echo "config-26: no measurement for $what" >&2; return 1; }
	read -r kb ms cpu <<<"$peak"
	printf '%s\t%s\t%s\t%s\n' "$what" "$ms" "$cpu" "$kb" >>"$tsv"
}

# measure_all: every measurement; the results in $tsv, the check's in
# $BENCH_OUT/config-26-same ("yes" or "no"; absent: not checked), BENCH_INNER
# and the memory limit in $BENCH_OUT/config-26.conditions.
measure_all() {
	local r i image state limit
	printf 'what\tms\tcpu_ms\tkb\n' >"$tsv"
	printf '%s\n%s\n' "$inner" "$memory" >"$BENCH_OUT/config-26.conditions"
	rm -f "$BENCH_OUT/config-26-same"
	# The host: the program and the distribution as `make` builds them.
	state=$tmp/state
	mkdir -p "$state"
	render_host() {
		env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$dist26" KEYCLOAK_STATE_DIR="$state" \
			DB_ADDR=db.example DB_USER=keycloak DB_PASSWORD=bench-secret BIND=192.0.2.10 \
			"$tool" "$khp" render
	}
	render_host >/dev/null 2>&1 || { render_host; exit 1; }
	for ((r = 0; r < reps; r++)); do
		: >"$tmp/inner.tsv"
		for ((i = 0; i < inner; i++)); do
			render_host 2>"$tmp/err" >/dev/null
			peak_of "$tmp/err" >>"$tmp/inner.tsv"
		done
		[ "$(wc -l <"$tmp/inner.tsv")" = "$inner" ] || { echo "config-26: render failed" >&2; exit 1; }
		awk -v OFS='\t' '{ if ($1 > kb) kb = $1; ms += $2; cpu += $3 }
			END { printf "render-host\t%.3f\t%.3f\t%d\n", ms / NR, cpu / NR, kb }' "$tmp/inner.tsv" >>"$tsv"
	done

	limit=()
	[ -z "$memory" ] || limit=(--memory "$memory")
	if [ -n "${KEYCLOAK_IMAGE:-}" ] && [ -n "${BASELINE_START_IMAGE:-}" ]; then
		engine_detect
		for ((r = 0; r < reps; r++)); do
			measure render-image engine run --rm --network none -v "$tool:/peak_rss:ro" \
				-e DB_ADDR=db.example -e DB_PASSWORD=bench-secret -e BIND=192.0.2.10 \
				--entrypoint /peak_rss "$KEYCLOAK_IMAGE" /usr/local/bin/keycloak-ha-postgres render
		done
		for ((r = 0; r < build_reps; r++)); do
			ENGINE_CALL_TIMEOUT=900 measure kc.sh-build engine run --rm --network none "${limit[@]}" \
				-v "$tool:/peak_rss:ro" -e KC_DB=postgres -e KC_HEALTH_ENABLED=true \
				-e KC_METRICS_ENABLED=true --entrypoint /peak_rss "$BASELINE_START_IMAGE" \
				/opt/keycloak/bin/kc.sh build
			cp "$tmp/out" "$BENCH_OUT/config-26-kcsh-build.log"
		done
		# The check: the build-time options the images persisted (Keycloak
		# keeps them in lib/quarkus/generated-bytecode.jar).
		if [ -n "${BASELINE_OPTIMIZED_IMAGE:-}" ] && command -v unzip >/dev/null; then
			echo yes >"$BENCH_OUT/config-26-same"
			for image in "$KEYCLOAK_IMAGE" "$BASELINE_OPTIMIZED_IMAGE"; do
				container=$(engine_unique_name khp-bench26-persisted)
				engine create --name "$container" "$image" >/dev/null
				engine cp "$container:/opt/keycloak/lib/quarkus/generated-bytecode.jar" "$tmp/g.jar"
				engine_remove "$container"
				container=""
				unzip -p "$tmp/g.jar" META-INF/keycloak-persisted.properties | grep '^kc\.' | sort >"$tmp/p"
				if [ "$image" = "$KEYCLOAK_IMAGE" ]; then
					cp "$tmp/p" "$BENCH_OUT/config-26-persisted.properties"
				else
					cmp -s "$tmp/p" "$BENCH_OUT/config-26-persisted.properties" ||
						echo no >"$BENCH_OUT/config-26-same"
				fi
			done
		fi
	fi
}

if [ "${BENCH_REPORT_ONLY:-no}" != yes ]; then
	bench_inputs_26
	tool=$(peak_rss_tool)
	scratch_dir
	container=""
	remove_container() { [ -z "$container" ] || engine_remove "$container"; }
	at_exit remove_container
	measure_all
fi
# The conditions of the samples: the runs of a host sample, the memory limit.
inner=$(sed -n 1p "$BENCH_OUT/config-26.conditions" 2>/dev/null || echo "$inner")
memory=$(sed -n 2p "$BENCH_OUT/config-26.conditions" 2>/dev/null || echo "$memory")
have_images=no
! values_of "$tsv" render-image ms | grep -q . || have_images=yes
same=$(cat "$BENCH_OUT/config-26-same" 2>/dev/null || true)

# cell WHAT COLUMN FORMAT: cell_text, "median (min-max)" of COLUMN for WHAT
# formatted by FORMAT (fmt_ms or mib), and med, the median.
mib() { awk -v k="$1" 'BEGIN { if (k == "nan") print "n/a"; else printf "%.1f MiB\n", k / 1024 }'; }
cell() {
	local min max n
	read -r med min max n < <(values_of "$tsv" "$1" "$2" | stats)
	cell_text="$("$3" "$med") ($("$3" "$min")-$("$3" "$max"))"
	[ "$n" != 0 ] || cell_text="n/a"
}
# row LABEL WHAT [RATIOS]: RATIOS "no" leaves the ratios out.
row() {
	local label=$1 what=$2 t c m t_med c_med m_med ratios
	cell "$what" ms fmt_ms
	t=$cell_text t_med=$med
	cell "$what" cpu_ms fmt_ms
	c=$cell_text c_med=$med
	cell "$what" kb mib
	m=$cell_text m_med=$med
	ratios="$(ratio "$t_med" "$r_ms") | $(ratio "$c_med" "$r_cpu") | $(ratio "$m_med" "$r_kb")"
	[ "${3:-}" != no ] || ratios=" |  | "
	echo "| $label | $t | $c | $m | $ratios |"
}
reference=render-image
[ "$have_images" = yes ] || reference=render-host
read -r r_ms _ < <(values_of "$tsv" "$reference" ms | stats)
read -r r_cpu _ < <(values_of "$tsv" "$reference" cpu_ms | stats)
read -r r_kb _ < <(values_of "$tsv" "$reference" kb | stats)
n_host=$(values_of "$tsv" render-host ms | wc -l)
n_image=$(values_of "$tsv" render-image ms | wc -l)
n_build=$(values_of "$tsv" kc.sh-build ms | wc -l)
{
	echo "### 2. The configuration step: time and memory"
	echo
	echo "What runs before the server: the project's \`render\` (writes \`keycloak.conf\`, at every"
	echo "start of its image) against \`kc.sh build\` for PostgreSQL, health and metrics (what"
	echo "the official way, \`kc.sh start\` without a prior build, does at every start; the"
	echo "project's image and the optimised image do it once, at image build time). Measured by"
	echo "\`peak_rss\`: wall-clock time from fork to exit, CPU time (user + system), peak resident"
	echo "memory of the command and its descendants; container start excluded. render on the"
	echo "host: each sample the mean of $inner runs (the largest peak), samples: $n_host."
	if [ "$have_images" = no ]; then
		echo "No images were given: the rows of the images are left out; the ratios are over"
		echo "render on the host."
	else
		echo "In the image, runs: $n_image. \`kc.sh build\`, runs: $n_build, each in a new container (the"
		echo "pristine distribution)${memory:+, limited to $memory of memory as the nodes of the start benchmark}."
		echo "Median (min-max); the ratios are over render in the image."
	fi
	echo
	echo "| step | wall-clock | CPU | peak memory | time / render | CPU / render | memory / render |"
	echo "|---|---|---|---|---|---|---|"
	if [ "$have_images" = yes ]; then
		row "\`keycloak-ha-postgres render\` (host)" render-host no
	else
		row "\`keycloak-ha-postgres render\` (host)" render-host
	fi
	if [ "$have_images" = yes ]; then
		row "\`keycloak-ha-postgres render\` (in the project's image)" render-image
		[ "$n_build" = 0 ] || row "\`kc.sh build\` (baseline a, in its image)" kc.sh-build
	fi
	echo
	if [ -n "$same" ]; then
		options=""
		while read -r option; do
			options="$options${options:+, }\`$option\`"
		done <"$BENCH_OUT/config-26-persisted.properties"
		echo "Same build-time options persisted in the project's image and in the optimised"
		echo "image (b): **$same** ($options)."
		echo
	fi
} | bench_section config-26
[ "$same" != no ] || {
	echo "config-26: the images persisted other build-time options (see $BENCH_OUT/config-26-persisted.properties)" >&2
	exit 1
}
