#!/bin/bash
# Keycloak 26 benchmark 3: image size.
#
# The size the engine reports for the project's Keycloak 26 image and for
# the two baselines built from the same distribution on the same base and
# Java (baseline/Dockerfile.26): the conventional optimised image (b), the
# one to compare with, and the image of the official way (a); and the base
# image all three start from (the project image's
# org.opencontainers.image.base.name label), which with Java and the
# distribution makes up nearly all of each.
#
# Environment: BENCH_OUT, KEYCLOAK_IMAGE, BASELINE_OPTIMIZED_IMAGE,
#   BASELINE_START_IMAGE, BENCH_REPORT_ONLY=yes (write the section from an
#   existing $BENCH_OUT/size-26.tsv).
set -eu

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

tsv=$BENCH_OUT/size-26.tsv
if [ "${BENCH_REPORT_ONLY:-no}" != yes ]; then
	: "${KEYCLOAK_IMAGE:?}" "${BASELINE_OPTIMIZED_IMAGE:?}" "${BASELINE_START_IMAGE:?}"
	engine_detect
	size_kb() { echo $(($(engine image inspect --format '{{.Size}}' "$1") / 1024)); }
	base=$(engine image inspect --format \
		'{{ index .Config.Labels "org.opencontainers.image.base.name" }}' "$KEYCLOAK_IMAGE")
	{
		printf 'what\tkb\tname\n'
		printf 'project\t%s\t%s\n' "$(size_kb "$KEYCLOAK_IMAGE")" "$KEYCLOAK_IMAGE"
		printf 'optimized\t%s\t%s\n' "$(size_kb "$BASELINE_OPTIMIZED_IMAGE")" "$BASELINE_OPTIMIZED_IMAGE"
		printf 'start\t%s\t%s\n' "$(size_kb "$BASELINE_START_IMAGE")" "$BASELINE_START_IMAGE"
		if [ -n "$base" ] && engine_image_exists "$base"; then
			printf 'base\t%s\t%s\n' "$(size_kb "$base")" "$base"
		fi
	} >"$tsv"
fi

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB\n", k / 1024 }'; }
p_kb=$(values_of "$tsv" project kb)
row() {
	local label=$1 what=$2 kb
	kb=$(values_of "$tsv" "$what" kb)
	[ -n "$kb" ] || return 0
	echo "| $label | $(mib "$kb") | $3 |"
}
{
	echo "### 3. Image size"
	echo
	echo "As the container engine reports it. All three images hold the same distribution on"
	echo "the same base and Java; the optimised baseline has the tree once (copied from its"
	echo "build stage onto the Java stage), as the project's image does."
	echo
	echo "| image | size | baseline / project |"
	echo "|---|---|---|"
	row "this project (static entrypoint, built distribution)" project 1x
	row "(b) conventional optimised image (\`kc.sh build\` at image build; bash, \`kc.sh\`)" optimized \
		"$(ratio "$(values_of "$tsv" optimized kb)" "$p_kb")"
	row "(a) the official way (distribution as published; \`kc.sh start\` builds in the container)" start \
		"$(ratio "$(values_of "$tsv" start kb)" "$p_kb")"
	row "the base image they share (\`$(values_of "$tsv" base name)\`), for scale" base ""
	echo
} | bench_section size-26
