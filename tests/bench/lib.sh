# Shared helpers of the benchmark scripts. Source it from bash.
#
# Every benchmark writes its raw samples to $BENCH_OUT/NAME.tsv and a
# Markdown section to $BENCH_OUT/NAME.md; tests/bench/run puts the sections
# together. Times are taken with bash's $EPOCHREALTIME (microseconds, no
# process started to read the clock) and reported in milliseconds. The
# scripts' opening (scratch_dir, at_exit) is tests/lib/testlib.sh's; the
# container engine is tests/lib/engine.sh's.
# shellcheck shell=bash

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$bench_dir/../.." && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$repo_dir/tests/lib/testlib.sh"
# shellcheck source=tests/lib/engine.sh
. "$repo_dir/tests/lib/engine.sh"
: "${BENCH_OUT:?BENCH_OUT must name the output directory}"
mkdir -p "$BENCH_OUT"

# now_us: the wall clock in microseconds.
now_us() {
	local t=$EPOCHREALTIME
	echo "${t/./}"
}

# ms_since START_US: milliseconds (3 decimals) from START_US to now.
ms_since() {
	local end
	end=$(now_us)
	awk -v a="$1" -v b="$end" 'BEGIN { printf "%.3f\n", (b - a) / 1000 }'
}

# stats: read numbers (one a line) on stdin; print "median min max count".
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan 0"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f %d\n", m, v[1], v[NR], NR }'
}

# percentile P: the P-th percentile (nearest rank) of the numbers on stdin.
percentile() {
	sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR
		printf "%.3f\n", v[r] }'
}

# ratio A B: how many times A is B ("12.3x"); "n/a" when B is not positive.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (b + 0 <= 0 || a == "nan" || b == "nan") { print "n/a"; exit }
		r = a / b
		if (r >= 100) printf "%.0fx\n", r; else if (r >= 10) printf "%.1fx\n", r; else printf "%.2fx\n", r }'
}

# fmt_ms MS: milliseconds for a table, with a unit that suits the size.
fmt_ms() {
	awk -v v="$1" 'BEGIN {
		if (v == "nan") print "n/a"
		else if (v < 0) printf "%.1f ms\n", v
		else if (v >= 10000) printf "%.1f s\n", v / 1000
		else if (v >= 100) printf "%.0f ms\n", v
		else if (v >= 1) printf "%.2f ms\n", v
		else printf "%.0f µs\n", v * 1000 }'
}

# column NAME TSV: the values of column NAME (header line first) of TSV,
# where the column "what" equals WHAT (third argument).
values_of() {
	local tsv=$1 what=$2 column=$3
	awk -F '\t' -v w="$what" -v c="$column" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i; next }
		$1 == w { print $col }' "$tsv"
}

# bench_section NAME: start the Markdown section NAME (stdin is its text).
bench_section() {
	cat >"$BENCH_OUT/$1.md"
}

# The program under test and the distribution, as the Makefile builds them.
bench_inputs() {
	# shellcheck source=build/versions
	. "$repo_dir/build/versions"
	OUT=${OUT:-out}
	case $OUT in /*) ;; *) OUT=$repo_dir/$OUT ;; esac
	khp=${BENCH_PROGRAM:-$OUT/bin/keycloak-ha-postgres}
	dist=$OUT/dist/keycloak-$KEYCLOAK_LEGACY_VERSION
	[ -x "$khp" ] || { echo "bench: $khp is missing (make entrypoint)" >&2; return 1; }
	[ -f "$dist/standalone/configuration/standalone-ha.xml" ] ||
		{ echo "bench: $dist is missing (make dist)" >&2; return 1; }
}

# The program under test and the Keycloak 26 distribution (dist26), as the
# Makefile builds and unpacks them.
bench_inputs_26() {
	# shellcheck source=build/versions
	. "$repo_dir/build/versions"
	OUT=${OUT:-out}
	case $OUT in /*) ;; *) OUT=$repo_dir/$OUT ;; esac
	khp=${BENCH_PROGRAM:-$OUT/bin/keycloak-ha-postgres}
	dist26=$OUT/dist/keycloak-$KEYCLOAK_VERSION
	[ -x "$khp" ] || { echo "bench: $khp is missing (make entrypoint)" >&2; return 1; }
	[ -f "$dist26/bin/kc.sh" ] || { echo "bench: $dist26 is missing (make dist)" >&2; return 1; }
}

# peak_of FILE: the "peak_rss_kb wall_ms cpu_ms" of peak_rss's report in
# FILE (its stderr) of a command that exited 0; nothing otherwise.
peak_of() {
	sed -n 's/^peak_rss_kb=\([0-9]*\) exit=0 wall_ms=\([0-9.]*\) cpu_ms=\([0-9.]*\)$/\1 \2 \3/p' \
		"$1" | tail -n 1
}

# peak_rss_tool: build (once) the static peak-memory helper; print its path.
peak_rss_tool() {
	local tool=$OUT/bench/peak_rss cc=$OUT/deps/musl/bin/musl-gcc
	if [ ! -x "$tool" ] || [ "$bench_dir/peak_rss.c" -nt "$tool" ]; then
		mkdir -p "$(dirname "$tool")"
		[ -x "$cc" ] || cc=${HOST_CC:-gcc}
		"$cc" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Os -static -s \
			-o "$tool" "$bench_dir/peak_rss.c" >&2
	fi
	echo "$tool"
}

# baseline_image NAME: build the baseline image (baseline/Dockerfile) as
# NAME from a context assembled here: the pinned distribution and driver
# (from $OUT/sources, put there by `make fetch`) and the driver's module.xml.
baseline_image() {
	local name=$1 ctx
	ctx=$(mktemp -d)
	cp "$bench_dir"/baseline/{Dockerfile,entrypoint.sh,configure.sh,datasource.cli,jgroups.cli,caches.cli} "$ctx/"
	cp "$repo_dir/images/keycloak/module.xml" "$ctx/"
	cp "$OUT/sources/$(basename "$KEYCLOAK_LEGACY_MAVEN_PATH")" "$ctx/keycloak-server-dist.tar.gz"
	cp "$OUT/sources/$(basename "$PGJDBC_MAVEN_PATH")" "$ctx/postgres-jdbc.jar"
	if ! ENGINE_CALL_TIMEOUT=1800 engine build --tag "$name" \
		--build-arg KEYCLOAK_VERSION="$KEYCLOAK_LEGACY_VERSION" "$ctx" >"$BENCH_OUT/baseline-build.log" 2>&1; then
		tail -n 30 "$BENCH_OUT/baseline-build.log" >&2
		rm -rf "$ctx"
		echo "bench: building the baseline image failed" >&2
		return 1
	fi
	rm -rf "$ctx"
}

# baseline_images_26 START OPTIMIZED: build the two Keycloak 26 baselines of
# baseline/Dockerfile.26 (its targets start and optimized) as START and
# OPTIMIZED, from a context assembled here: the Dockerfile and the pinned
# distribution (from $OUT/sources, put there by `make fetch`).
baseline_images_26() {
	local ctx target name tarball
	tarball=$OUT/sources/$(basename "$KEYCLOAK_MAVEN_PATH")
	[ -f "$tarball" ] || { echo "bench: $tarball is missing (make fetch)" >&2; return 1; }
	ctx=$(mktemp -d)
	cp "$bench_dir/baseline/Dockerfile.26" "$ctx/Dockerfile"
	cp "$tarball" "$ctx/keycloak.tar.gz"
	: >"$BENCH_OUT/baseline-26-build.log"
	for target in start optimized; do
		name=$1
		[ "$target" = start ] || name=$2
		if ! ENGINE_CALL_TIMEOUT=1800 engine build --target "$target" --tag "$name" \
			--build-arg KEYCLOAK_VERSION="$KEYCLOAK_VERSION" "$ctx" \
			>>"$BENCH_OUT/baseline-26-build.log" 2>&1; then
			tail -n 30 "$BENCH_OUT/baseline-26-build.log" >&2
			rm -rf "$ctx"
			echo "bench: building the Keycloak 26 baseline image $name (target $target) failed" >&2
			return 1
		fi
	done
	rm -rf "$ctx"
}
