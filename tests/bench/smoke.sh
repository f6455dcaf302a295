#!/bin/bash
# Smoke test of the benchmarks (part of `make test`; the full bench is
# `make bench`): runs config, readiness and growth with one or two
# repetitions (jboss-cli once, when KEYCLOAK_IMAGE names an image; no
# Keycloak boot) and checks that the scripts work and that what they write
# is well-formed. Controls: the comparison by meaning tells apart a result
# with other cache owners and refuses a broken file, and the growth verdict
# says "not linear" for a stand-in program whose work grows quadratically.
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
if [ -z "${KEYCLOAK_IMAGE:-}" ] || ! { engine_detect && engine_image_exists "$KEYCLOAK_IMAGE"; }; then
	echo "bench-smoke: no Keycloak image; the jboss-cli baseline is left out"
	unset KEYCLOAK_IMAGE
	with_cli=no
else
	with_cli=yes
fi
report=$smoke/BENCHMARKS.md
# `make test` builds the program for the host, not the static one (that is
# built inside the image); the scripts measure whichever they are given.
if [ ! -x "$OUT/bin/keycloak-ha-postgres" ]; then
	export BENCH_PROGRAM=$OUT/host/keycloak-ha-postgres-plain
fi
run_ok() {
	BENCH_OUT=$smoke BENCH_REPORT=$report tests/bench/run config readiness growth >"$tmp/detail" 2>&1
}
check "tests/bench/run config readiness growth succeeds" run_ok
cp "$tmp/detail" "$tmp/run.log"

has() { grep -Eq -- "$1" "$report"; }
check "report has the machine table" has '^\| CPU \| .+, [0-9]+ cores \|$'
check "report has the versions table" has '^\| Keycloak \| [0-9.]+ '
check "report has the shared-machine caveat" has 'machine was shared'
check "report has the configuration section" has '^## 1\. Configuration'
check "report has the readiness section" has '^## 2\. Readiness'
check "report has the growth section" has '^## 5\. Growth'
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

# The raw samples: a header, then "name<TAB>number..." lines, as many as asked.
tsv_ok() {
	local file=$1 rows=$2
	[ "$(awk -F '\t' 'NR > 1 && $2 !~ /^-?[0-9]+(\.[0-9]+)?$/' "$file" | wc -l)" = 0 ] &&
		[ "$(($(wc -l <"$file") - 1))" = "$rows" ]
}
config_rows=4
[ "$with_cli" = no ] || config_rows=5
check "config.tsv well-formed" tsv_ok "$smoke/config.tsv" "$config_rows"
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

summary bench-smoke
