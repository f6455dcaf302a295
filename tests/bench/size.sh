#!/bin/bash
# Benchmark 4: size and memory.
#
# The entrypoint binary's size; the peak resident memory of what runs
# before the server is exec'd: `render` and `wait-db` (against a private
# PostgreSQL on loopback) on the host, and, inside the images, `render`
# against the baseline entrypoint's first-start configuration (three
# jboss-cli sessions); and the sizes of the images. Peak memory is measured
# by peak_rss.c (static, so the same program measures on the host and in
# any image): the largest resident set of the command and of every
# descendant it waited for.
#
# Environment: BENCH_OUT, KEYCLOAK_IMAGE, BASELINE_IMAGE (without them the
#   image rows are skipped), BENCH_REPS (default 5), BENCH_CLI_REPS (runs of
#   the baseline's configuration, default 2).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/pgserver.sh
. "$repo_dir/tests/lib/pgserver.sh"
bench_inputs

reps=${BENCH_REPS:-5}
tool=$(peak_rss_tool)
scratch_dir
port=$((20000 + RANDOM % 20000))

tsv=$BENCH_OUT/size.tsv
printf 'what\tkb\n' >"$tsv"

# peak WHAT COMMAND...: run COMMAND under peak_rss, add its peak to the results.
peak() {
	local what=$1 kb
	shift
	"$@" 2>"$tmp/peak.err" >/dev/null || {
		cat "$tmp/peak.err" >&2
		echo "size: $what failed" >&2
		return 1
	}
	kb=$(sed -n 's/^peak_rss_kb=\([0-9]*\) exit=0 .*/\1/p' "$tmp/peak.err" | tail -n 1)
	[ -n "$kb" ] || { echo "size: no peak for $what" >&2; return 1; }
	printf '%s\t%s\n' "$what" "$kb" >>"$tsv"
}

home=$tmp/home
mkdir -p "$home/standalone/configuration"
cp "$dist/standalone/configuration/standalone-ha.xml" \
	"$home/standalone/configuration/standalone-ha.xml.dist"
pg_init "$tmp/pg" "$port"
pg_start "$tmp/pg"
pg_psql "$tmp/pg" "CREATE ROLE keycloak LOGIN PASSWORD 'bench-secret'"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"
khp_env=(env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" DB_ADDR=127.0.0.1 DB_PORT="$port"
	DB_USER=keycloak DB_PASSWORD=bench-secret BIND=192.0.2.10)
for ((r = 0; r < reps; r++)); do
	peak host-render "${khp_env[@]}" "$tool" "$khp" render
	peak host-wait-db "${khp_env[@]}" "$tool" "$khp" wait-db
done

have_images=no
if [ -n "${KEYCLOAK_IMAGE:-}" ] && [ -n "${BASELINE_IMAGE:-}" ]; then
	have_images=yes
	engine_detect
	for ((r = 0; r < reps; r++)); do
		peak image-render engine run --rm --network none -v "$tool:/peak_rss:ro" \
			-e DB_ADDR=db.example -e DB_PASSWORD=bench-secret -e BIND=192.0.2.10 \
			--entrypoint /peak_rss "$KEYCLOAK_IMAGE" /usr/local/bin/keycloak-ha-postgres render
	done
	# Three JVM boots each time: fewer repetitions.
	for ((r = 0; r < ${BENCH_CLI_REPS:-2}; r++)); do
		ENGINE_CALL_TIMEOUT=600 peak baseline-configure engine run --rm --network none \
			-v "$tool:/peak_rss:ro" -e DB_URL=jdbc:postgresql://db.example:5432/keycloak \
			-e DB_USER=keycloak -e DB_PASSWORD=bench-secret -e OWNERS=2 -e AUTH_OWNERS=2 \
			--entrypoint /peak_rss "$BASELINE_IMAGE" \
			/opt/keycloak/baseline/configure.sh per-feature /opt/keycloak /opt/keycloak/baseline
	done
	for image in "$KEYCLOAK_IMAGE" "$BASELINE_IMAGE"; do
		printf 'image %s\t%s\n' "$image" \
			"$(($(engine image inspect --format '{{.Size}}' "$image") / 1024))" >>"$tsv"
	done
fi

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB\n", k / 1024 }'; }
bin_kb=$(($(stat -c %s "$khp") / 1024))
read -r hr_med hr_min hr_max _ < <(values_of "$tsv" host-render kb | stats)
read -r hw_med hw_min hw_max _ < <(values_of "$tsv" host-wait-db kb | stats)
{
	echo "### 4. Size and memory"
	echo
	echo "Peak resident memory (largest resident set of the process and every descendant it"
	echo "waited for), $reps runs each (${BENCH_CLI_REPS:-2} of the baseline's configuration); median (min-max)."
	echo
	echo "| what | this project | baseline | baseline / project |"
	echo "|---|---|---|---|"
	echo "| entrypoint program | \`keycloak-ha-postgres\`, static: $bin_kb KiB | \`entrypoint.sh\` + bash + jboss-cli | |"
	echo "| peak memory of \`render\` (host) | $(mib "$hr_med") ($(mib "$hr_min")-$(mib "$hr_max")) | | |"
	echo "| peak memory of \`wait-db\` (host, real login) | $(mib "$hw_med") ($(mib "$hw_min")-$(mib "$hw_max")) | | |"
	if [ "$have_images" = yes ]; then
		read -r ir_med ir_min ir_max _ < <(values_of "$tsv" image-render kb | stats)
		read -r bc_med bc_min bc_max _ < <(values_of "$tsv" baseline-configure kb | stats)
		echo "| peak memory of the configuration step, in the image | $(mib "$ir_med") ($(mib "$ir_min")-$(mib "$ir_max")) | $(mib "$bc_med") ($(mib "$bc_min")-$(mib "$bc_max")) (3 jboss-cli sessions) | $(ratio "$bc_med" "$ir_med") |"
		p_kb=$(values_of "$tsv" "image $KEYCLOAK_IMAGE" kb)
		b_kb=$(values_of "$tsv" "image $BASELINE_IMAGE" kb)
		echo "| image size | $(mib "$p_kb") | $(mib "$b_kb") | $(ratio "$b_kb" "$p_kb") |"
	fi
	echo
	echo "Both images share the base (\`debian:bullseye-slim\`), Java 11 and the distribution,"
	echo "which make up nearly all of either size; the baseline adds bash's company (curl) and"
	echo "a shell entrypoint, the project a static program."
	echo
} | bench_section size
