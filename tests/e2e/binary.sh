#!/bin/bash
# The program as shipped: copied out of the three built images (Keycloak
# 26, the legacy Keycloak, PostgreSQL), it must be statically linked (no
# interpreter, no dynamic section), the same in all three, and pass the
# command-line table and the real-PostgreSQL wait tests that the sanitizer
# build passes (musl's resolver and the static libpq with TLS are what run
# in production, not the host's). It runs once, not per generation.
#
# Usage: tests/e2e/binary.sh   (KEYCLOAK_IMAGE, KEYCLOAK_LEGACY_IMAGE and
#   POSTGRES_IMAGE set)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/engine.sh
. "$here/../lib/engine.sh"
# shellcheck source=tests/lib/testlib.sh
. "$here/../lib/testlib.sh"
engine_detect
: "${KEYCLOAK_IMAGE:?}" "${KEYCLOAK_LEGACY_IMAGE:?}" "${POSTGRES_IMAGE:?}"

scratch_dir
holders=()
remove_holders() { engine_remove "${holders[@]}" >/dev/null 2>&1; }
at_exit remove_holders

# copy_out IMAGE DEST: the program from a created (never started) container.
copy_out() {
	local name
	name=$(engine_unique_name khp-binary)
	holders+=("$name")
	engine create --name "$name" "$1" >/dev/null
	engine cp "$name:/usr/local/bin/keycloak-ha-postgres" "$2"
	engine rm --volumes "$name" >/dev/null
}

copy_out "$KEYCLOAK_IMAGE" "$tmp/keycloak-ha-postgres"
copy_out "$KEYCLOAK_LEGACY_IMAGE" "$tmp/keycloak-ha-postgres.legacy"
copy_out "$POSTGRES_IMAGE" "$tmp/keycloak-ha-postgres.db"
bin=$tmp/keycloak-ha-postgres

# One name each: the Keycloak 26 image's, .legacy and .db.
for program in "$bin" "$tmp/keycloak-ha-postgres.legacy" "$tmp/keycloak-ha-postgres.db"; do
	what=${program##*/}
	check "$what: statically linked ($(file -b "$program"))" \
		bash -c "file -b '$program' | grep -q 'statically linked'"
	check "$what: no dynamic section" \
		bash -c "readelf -d '$program' 2>&1 | grep -q 'no dynamic section'"
	check "$what: no program interpreter" \
		fails bash -c "readelf -l '$program' | grep -q 'program interpreter'"
done
check "the legacy Keycloak image ships the same program" cmp -s "$bin" "$tmp/keycloak-ha-postgres.legacy"
check "the PostgreSQL image ships the same program" cmp -s "$bin" "$tmp/keycloak-ha-postgres.db"
echo "binary: $(stat -c %s "$bin") bytes, $(file -b "$bin" | cut -d, -f1-3)"

status=0
summary binary || status=1
"$here/../unit/cli.sh" "$bin" || status=1
"$here/../integration/wait_db.sh" "$bin" || status=1
# TLS is linked into the static program: the same checks of the server.
"$here/../integration/tls.sh" "$bin" || status=1
[ "$status" = 0 ]
