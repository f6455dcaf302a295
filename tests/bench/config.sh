#!/bin/bash
# Benchmark 1: configuration at container start.
#
# The same changes to the distribution's standalone-ha.xml (PostgreSQL
# datasource and driver, channel ee on TCP with JDBC_PING, cache owners)
# made three ways: the entrypoint's `render`, an XSLT transform with
# xsltproc (baseline/keycloak-ha.xsl), and offline jboss-cli sessions
# (baseline/*.cli), once as one batch and once per feature. Each sample of
# render and xsltproc is the mean of BENCH_INNER runs (they take
# milliseconds, so one run is mostly noise); jboss-cli runs inside the
# Keycloak image (it needs Java), timed there by the same clock source.
# Then the three results are compared by meaning (facts.sh), not by bytes.
#
# Environment: BENCH_OUT, BENCH_REPS (default 5), BENCH_INNER (default 20),
#   BENCH_CLI_REPS (jboss-cli repetitions per mode, default 3),
#   KEYCLOAK_IMAGE (for jboss-cli; without it that baseline is skipped),
#   BENCH_CLI_MODES (default "batch per-feature").
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_inputs

reps=${BENCH_REPS:-5}
inner=${BENCH_INNER:-20}
cli_modes=${BENCH_CLI_MODES:-batch per-feature}
cli_reps=${BENCH_CLI_REPS:-3}
scratch_dir
container=""
remove_container() { [ -z "$container" ] || engine_remove "$container"; }
at_exit remove_container

db_host=db.example
db_user=keycloak
db_password=bench-secret
db_url="jdbc:postgresql://$db_host:5432/keycloak"
tsv=$BENCH_OUT/config.tsv
printf 'what\tms\n' >"$tsv"

home=$tmp/render
mkdir -p "$home/standalone/configuration"
cp "$dist/standalone/configuration/standalone-ha.xml" \
	"$home/standalone/configuration/standalone-ha.xml.dist"

render_once() {
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" DB_ADDR="$db_host" DB_USER="$db_user" \
		DB_PASSWORD="$db_password" BIND=192.0.2.10 "$khp" render 2>/dev/null
}
xslt_once() {
	xsltproc --stringparam db_url "$db_url" --stringparam db_user "$db_user" \
		--stringparam db_password "$db_password" --stringparam owners 2 \
		--stringparam auth_owners 2 --output "$tmp/xslt.xml" \
		"$bench_dir/baseline/keycloak-ha.xsl" "$dist/standalone/configuration/standalone-ha.xml"
}

# time_inner FUNCTION: the mean time of one call over BENCH_INNER calls, ms.
time_inner() {
	local start i
	start=$(now_us)
	for ((i = 0; i < inner; i++)); do "$1"; done
	awk -v t="$(ms_since "$start")" -v n="$inner" 'BEGIN { printf "%.3f\n", t / n }'
}

render_once && xslt_once
for ((r = 0; r < reps; r++)); do
	printf 'render\t%s\n' "$(time_inner render_once)" >>"$tsv"
	printf 'xsltproc\t%s\n' "$(time_inner xslt_once)" >>"$tsv"
done
cp "$home/standalone/configuration/standalone-ha.xml" "$tmp/render.xml"

# jboss-cli inside the Keycloak image: every repetition starts from the
# pristine file; the last result of each mode is kept for the comparison.
if [ -n "${KEYCLOAK_IMAGE:-}" ] && [ -n "$cli_modes" ]; then
	engine_detect
	mkdir -p "$tmp/cli"
	chmod 0777 "$tmp/cli"
	container=$(engine_unique_name khp-bench-cli)
	# Bounded: a jboss-cli session takes seconds; allow ten minutes in all.
	# The script is expanded by the container's shell.
	# shellcheck disable=SC2016
	ENGINE_CALL_TIMEOUT=600 engine run --rm --name "$container" --network none --user 1000 \
		-v "$bench_dir/baseline:/bench:ro" -v "$tmp/cli:/out" \
		-e DB_URL="$db_url" -e DB_USER="$db_user" -e DB_PASSWORD="$db_password" \
		-e OWNERS=2 -e AUTH_OWNERS=2 -e REPS="$cli_reps" -e MODES="$cli_modes" \
		--entrypoint /bin/bash "$KEYCLOAK_IMAGE" -c '
			set -eu
			conf=/opt/keycloak/standalone/configuration
			for mode in $MODES; do
				for ((r = 0; r < REPS; r++)); do
					cp "$conf/standalone-ha.xml.dist" "$conf/standalone-ha.xml"
					rm -rf "$conf/standalone_xml_history"
					s=${EPOCHREALTIME/./}
					/bench/configure.sh "$mode" /opt/keycloak /bench
					e=${EPOCHREALTIME/./}
					printf "jboss-cli %s\t%s\n" "$mode" "$(( (e - s) / 1000 ))" >>/out/times.tsv
				done
				cp "$conf/standalone-ha.xml" "/out/$mode.xml"
			done' >"$tmp/cli.log" 2>&1 || {
		cat "$tmp/cli.log" >&2
		echo "config: jboss-cli in $KEYCLOAK_IMAGE failed" >&2
		exit 1
	}
	container=""
	cat "$tmp/cli/times.tsv" >>"$tsv"
fi

# Meaning: every result must print the same facts as render's.
"$bench_dir/facts.sh" "$tmp/render.xml" >"$tmp/render.facts"
same=yes
compared="xsltproc"
"$bench_dir/facts.sh" "$tmp/xslt.xml" >"$tmp/xsltproc.facts"
diff -u "$tmp/render.facts" "$tmp/xsltproc.facts" >"$BENCH_OUT/config-xsltproc.diff" || same=no
for mode in $cli_modes; do
	[ -f "$tmp/cli/$mode.xml" ] || continue
	compared="$compared, jboss-cli $mode"
	"$bench_dir/facts.sh" "$tmp/cli/$mode.xml" >"$tmp/cli-$mode.facts"
	diff -u "$tmp/render.facts" "$tmp/cli-$mode.facts" >"$BENCH_OUT/config-cli-$mode.diff" || same=no
done
cp "$tmp/render.facts" "$BENCH_OUT/config.facts"
# The facts hold the password; it is a throwaway value of this benchmark.
nfacts=$(wc -l <"$tmp/render.facts")

read -r r_med r_min r_max _ < <(values_of "$tsv" render ms | stats)
{
	echo "### 1. Configuration at container start"
	echo
	echo "The same changes to the distribution's \`standalone-ha.xml\` (PostgreSQL datasource and"
	echo "driver, channel \`ee\` on TCP with JDBC_PING, owners of seven caches). render and"
	echo "xsltproc: each sample is the mean of $inner runs, process start included; jboss-cli runs"
	echo "in the Keycloak image (one offline \`embed-server\` per session), timed inside the"
	echo "container, container start excluded. $reps samples each ($cli_reps for jboss-cli)."
	echo
	echo "| method | median | min | max | median / render |"
	echo "|---|---|---|---|---|"
	echo "| \`keycloak-ha-postgres render\` | $(fmt_ms "$r_med") | $(fmt_ms "$r_min") | $(fmt_ms "$r_max") | 1x |"
	for what in xsltproc "jboss-cli batch" "jboss-cli per-feature"; do
		values_of "$tsv" "$what" ms | grep -q . || continue
		read -r med min max _ < <(values_of "$tsv" "$what" ms | stats)
		label=$what
		case $what in
		xsltproc) label="XSLT with xsltproc (baseline b)" ;;
		"jboss-cli batch") label="jboss-cli, one batch (baseline a)" ;;
		"jboss-cli per-feature") label="jboss-cli, one session per feature (3 sessions)" ;;
		esac
		echo "| $label | $(fmt_ms "$med") | $(fmt_ms "$min") | $(fmt_ms "$max") | $(ratio "$med" "$r_med") |"
	done
	echo
	echo "Same meaning: **$same**. render's result was compared with: $compared; $nfacts facts"
	echo "each (datasource URL, driver, credentials, pool, validation, retries; the driver's module and"
	echo "XA class; the channel's stack; the TCP stack's protocols in order; JDBC_PING's data"
	echo "source and properties; the owners of every cache of the \`keycloak\` container), read"
	echo "with XPath by local name, a value left out read as the schema's default."
	echo
} | bench_section config
[ "$same" = yes ] || { echo "config: the results differ in meaning (see $BENCH_OUT/config-*.diff)" >&2; exit 1; }
