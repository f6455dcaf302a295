#!/bin/bash
# Smoke test of the benchmarks (part of `make test`; the full bench is
# `make bench`): runs config, readiness and growth (legacy) and config-26
# (Keycloak 26: render on the host; no image, no kc.sh build) with one or two
# repetitions (jboss-cli once, when a legacy Keycloak image is there; no
# Keycloak boot), writes the sections of start-26 and size-26 from made-up
# samples (their report code, without images), and checks that the scripts
# work and that what they write is well-formed. Controls: the comparison by
# meaning tells apart a result with other cache owners and refuses a broken
# file, and the growth verdict says "not linear" for a stand-in program
# whose work grows quadratically. The Keycloak 26 baselines are checked to
# use the project image's base and Java.
#
# Prints "bench-smoke: N passed, N failed".
set -eu

bench_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(cd "$bench_dir/../.." && pwd)
cd "$repo_dir"
# shellcheck source=tests/lib/testlib.sh
. tests/lib/testlib.sh
# shellcheck source=tests/lib/engine.sh
. tests/lib/engine.sh
OUT=${OUT:-out}
case $OUT in /*) ;; *) OUT=$repo_dir/$OUT ;; esac
export OUT
smoke=$OUT/bench-smoke
scratch_dir
CHECK_DETAIL=$tmp/detail

# Smoke sizes: enough to exercise every path, small enough for ~1 minute.
export BENCH_REPS=2 BENCH_CLI_REPS=1 BENCH_INNER=5 BENCH_READY_RUNS=3 BENCH_READY_MAX_DELAY=2
export BENCH_GROWTH_HOSTS="10 3000" BENCH_GROWTH_ENTRIES="10 100" BENCH_FILE_INNER=2
export BENCH_CLI_MODES=batch
# The legacy image for jboss-cli: KEYCLOAK_LEGACY_IMAGE, or KEYCLOAK_IMAGE
# when it is labelled legacy (tests/run gives the legacy image so). No
# Keycloak 26 image: the smoke test builds no baseline.
legacy_image=""
if engine_detect 2>/dev/null; then
	for image in "${KEYCLOAK_LEGACY_IMAGE:-}" "${KEYCLOAK_IMAGE:-}"; do
		if [ -z "$image" ] || [ -n "$legacy_image" ]; then
			continue
		fi
		[ "$(engine image inspect --format '{{ index .Config.Labels "keycloak-ha-postgres.generation" }}' \
			"$image" 2>/dev/null)" != legacy ] || legacy_image=$image
	done
fi
unset KEYCLOAK_IMAGE KEYCLOAK_LEGACY_IMAGE
if [ -z "$legacy_image" ]; then
	echo "bench-smoke: no legacy Keycloak image; the jboss-cli baseline is left out"
	with_cli=no
else
	export KEYCLOAK_LEGACY_IMAGE=$legacy_image
	with_cli=yes
fi
report=$smoke/BENCHMARKS.md
# `make test` builds the program for the host, not the static one (that is
# built inside the image); the scripts measure whichever they are given.
if [ ! -x "$OUT/bin/keycloak-ha-postgres" ]; then
	export BENCH_PROGRAM=$OUT/host/keycloak-ha-postgres-plain
fi

# The report code of the benchmarks that need images, on made-up samples:
# 30 s to ready for the project, 90 s and 45 s for the baselines.
rm -rf "$smoke"
mkdir -p "$smoke"
printf 'what\ts\n' >"$smoke/start-26.tsv"
for kind_s in project:30 start:90 optimized:45; do
	kind=${kind_s%:*} s=${kind_s#*:}
	printf '%s-ready\t%s\n%s-ready\t%s\n%s-cluster\t%s\n' "$kind" "$s" "$kind" "$((s + 2))" "$kind" \
		"$((s - 10))" >>"$smoke/start-26.tsv"
done
printf 'start-build\t40.5\nstart-build\t41.5\nproject-restarts\t0\nstart-restarts\t1\noptimized-restarts\t0\n' \
	>>"$smoke/start-26.tsv"
printf 'what\tkb\tname\nproject\t1048576\tp\noptimized\t2097152\tb\nstart\t1048576\ta\nbase\t102400\tdebian\n' \
	>"$smoke/size-26.tsv"
report_only() { BENCH_OUT=$smoke BENCH_REPORT_ONLY=yes "tests/bench/$1.sh" >"$tmp/detail" 2>&1; }
check "start-26 writes its section from samples" report_only start-26
check "size-26 writes its section from samples" report_only size-26

run_ok() {
	BENCH_OUT=$smoke BENCH_REPORT=$report tests/bench/run --keep config-26 config readiness growth \
		>"$tmp/detail" 2>&1
}
check "tests/bench/run config-26 config readiness growth succeeds" run_ok
cp "$tmp/detail" "$tmp/run.log"
usage_error() {
	local status=0
	BENCH_OUT=$tmp/usage tests/bench/run no-such-benchmark >/dev/null 2>&1 || status=$?
	[ "$status" = 64 ]
}
check "tests/bench/run refuses an unknown benchmark (64)" usage_error

has() { grep -Eq -- "$1" "$report"; }

check "report has the machine table" has '^\| CPU \| .+, [0-9]+ cores \|$'
check "report has the versions table" has '^\| Keycloak \| [0-9.]+ .*; [0-9.]+ '
check "report has the load before the run" has '^Load average \(1 minute\) before the run began.*: [0-9.]+'
check "report has a section per generation" has '^## Keycloak 2[0-9.]+$'
check "report has the legacy generation's section" has '^## Keycloak [0-9.]+ \(legacy\)$'
order_ok() {
	local expected
	expected=$({
		printf '%s\n' '## Keycloak 26.7.3' '### 1. Whole start' '### 2. The configuration step' \
			'### 3. Image size' '## Keycloak 19.0.1 (legacy)' '### 1. Configuration at container' \
			'### 2. Readiness' '### 5. Growth: render' '#### An initial host list' '#### A configuration file'
		grep -E '^##' "$bench_dir/e2e-figures.md"
	} | cut -c1-16)
	[ "$(grep -E '^##' "$report" | cut -c1-16)" = "$expected" ]
}
check "report's sections in order, each under its generation" order_ok
check "report has the configuration section" has '^### 1\. Configuration'
check "report has the readiness section" has '^### 2\. Readiness'
check "report has the growth section" has '^### 5\. Growth'
num='[0-9.]+ (µs|ms|s)'
check "render row has median, min, max" has "^\| \`keycloak-ha-postgres render\` \| $num \| $num \| $num \| 1x \|$"
check "xsltproc row has a ratio" has "^\| XSLT with xsltproc \(baseline b\) \| $num \| $num \| $num \| [0-9.]+x \|$"
if [ "$with_cli" = yes ]; then
	check "jboss-cli row has a ratio" has "^\| jboss-cli, one batch \(baseline a\) \| $num \| $num \| $num \| [0-9.]+x \|$"
fi
check "the three configurations mean the same" has '^Same meaning: \*\*yes\*\*'
check "readiness rows for both waiters" has '^\| TCP connect once a second \(baseline\) \| [0-9.]+ ms'
check "growth rows for each size" has "^\| 3000 \| $num \| $num \| $num \| [0-9.]+x \| -?[0-9.]+ µs \| $num \|$"
check "growth rows for the file case" has "^\| 100 \| $num \| $num \| $num \| [0-9.]+x \| -?[0-9.]+ µs \| $num \|$"
host_verdict() { [ "$(grep -E '^Linear: \*\*(yes|no)\*\*' "$report" | head -n 1 | cut -c1-15)" = 'Linear: **yes**' ]; }
check "growth verdict for the host list" host_verdict
check "growth verdict for the file" has '^Linear: \*\*(yes|no)\*\*. From 10 to 100 each entry'
# Keycloak 26: the measured render row, the made-up start and size rows.
mem='[0-9.]+ MiB'
check "Keycloak 26 render row: time, CPU, memory" \
	has "^\| \`keycloak-ha-postgres render\` \(host\) \| $num \($num-$num\) \| $num \($num-$num\) \| $mem \($mem-$mem\) \| 1.00x \| 1.00x \| 1.00x \|$"
check "Keycloak 26 start: ready row with both ratios" \
	has '^\| the node is ready \(200 on .:9000/health/ready.\) \| 31.000 s \(30.000-32.000\) \| 91.000 s \(90.000-92.000\) \| 46.000 s \(45.000-47.000\) \| 2.94x \| 1.48x \|$'
check "Keycloak 26 start: cluster row with both ratios" \
	has '^\| the cluster of two has formed .* \| 20.000 s \(20.000-20.000\) \| 80.000 s .* \| 35.000 s .* \| 4.00x \| 1.75x \|$'
check "Keycloak 26 start: the restarts" has '^in all starts: this project 0, \(a\) 1, \(b\) 0\.$'
check "Keycloak 26 start: the official way's build" has '^median 41.000 s \(40.500-41.500\)\. '
check "Keycloak 26 size: the conventional image's row" \
	has '^\| \(b\) conventional optimised image .* \| 2048.0 MiB \| 2.00x \|$'
check "Keycloak 26 size: the base image's row" has '^\| the base image they share \(.debian.\), for scale \| 100.0 MiB \|  \|$'

# The raw samples: a header, then "name<TAB>number..." lines, as many as asked.
tsv_ok() {
	local file=$1 rows=$2
	[ "$(awk -F '\t' 'NR > 1 && $2 !~ /^-?[0-9]+(\.[0-9]+)?$/' "$file" | wc -l)" = 0 ] &&
		[ "$(($(wc -l <"$file") - 1))" = "$rows" ]
}
config_rows=4
[ "$with_cli" = no ] || config_rows=5
check "config.tsv well-formed" tsv_ok "$smoke/config.tsv" "$config_rows"
check "config-26.tsv well-formed" tsv_ok "$smoke/config-26.tsv" 2
peak_line() { "$OUT/bench/peak_rss" true 2>&1 | grep -Eq '^peak_rss_kb=[0-9]+ exit=0 wall_ms=[0-9.]+ cpu_ms=[0-9.]+$'; }
check "peak_rss reports memory, status, wall-clock and CPU time" peak_line
check "readiness.tsv well-formed" tsv_ok "$smoke/readiness.tsv" 6
check "growth.tsv well-formed" tsv_ok "$smoke/growth.tsv" 8

# Controls of the comparison by meaning.
# shellcheck source=build/versions
. build/versions
dist=$OUT/dist/keycloak-$KEYCLOAK_LEGACY_VERSION/standalone/configuration/standalone-ha.xml
xsltproc --stringparam db_url jdbc:postgresql://db.example:5432/keycloak \
	--stringparam db_user keycloak --stringparam db_password bench-secret \
	--stringparam owners 1 --output "$tmp/owners1.xml" tests/bench/baseline/keycloak-ha.xsl "$dist"
tests/bench/facts.sh "$tmp/owners1.xml" >"$tmp/owners1.facts"
check "facts tell apart a result with one owner" fails cmp -s "$smoke/config.facts" "$tmp/owners1.facts"
check "facts name the differing cache" grep -q '^cache.keycloak.sessions.owners=1$' "$tmp/owners1.facts"
printf '<server><unclosed>\n' >"$tmp/broken.xml"
facts_of_broken() { tests/bench/facts.sh "$tmp/broken.xml" >/dev/null 2>&1; }
check "facts refuse a malformed file" fails facts_of_broken

# Control of the growth verdict: a stand-in whose CPU work grows with the
# square of the number of peers, writing them where render would.
cat >"$tmp/quadratic" <<'STANDIN'
#!/bin/bash
set -eu
props=$JGROUPS_DISCOVERY_PROPERTIES
commas=${props//[^,]/}
n=${#commas}
for ((i = 0; i < n * n / 100; i++)); do :; done
printf '%s\n' "${props//,/$'\n'}" >"$KEYCLOAK_HOME/standalone/configuration/standalone-ha.xml"
STANDIN
chmod +x "$tmp/quadratic"
quadratic_is_not_linear() {
	BENCH_OUT=$tmp/quadratic-out BENCH_PROGRAM=$tmp/quadratic BENCH_REPS=1 BENCH_INNER=3 \
		BENCH_GROWTH_HOSTS="10 1000 4000" BENCH_GROWTH_ENTRIES="" tests/bench/growth.sh >"$tmp/detail" 2>&1 &&
		grep -q '^Linear: \*\*no\*\*' "$tmp/quadratic-out/growth.md"
}
check "growth says 'not linear' for quadratic work" quadratic_is_not_linear

# The Keycloak 26 baselines run on the project image's base and Java: the
# defaults of RUNTIME_IMAGE and JAVA_PACKAGE (of its java-26 stage).
java_26_stage() { sed -n '/^FROM .* AS java-26$/,/^FROM /p' Dockerfile.keycloak-ha; }
same_default() {
	local name=$1 project baseline
	if [ "$name" = JAVA_PACKAGE ]; then
		project=$(java_26_stage | sed -n "s/^ARG $name=//p")
	else
		project=$(sed -n "s/^ARG $name=//p" Dockerfile.keycloak-ha)
	fi
	baseline=$(sed -n "s/^ARG $name=//p" tests/bench/baseline/Dockerfile.26)
	[ -n "$project" ] && [ "$project" = "$baseline" ]
}
check "Keycloak 26 baselines: the project image's base image" same_default RUNTIME_IMAGE
check "Keycloak 26 baselines: the project image's Java" same_default JAVA_PACKAGE
targets() {
	[ "$(sed -n 's/^FROM .* AS \(start\|optimized\)$/\1/p' tests/bench/baseline/Dockerfile.26 | paste -sd ' ' -)" = \
		"start optimized" ]
}
check "Keycloak 26 baselines: targets start and optimized" targets

summary bench-smoke
