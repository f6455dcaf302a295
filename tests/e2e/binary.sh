#!/bin/bash
# The program as shipped: copied out of the built Keycloak image, it must be
# statically linked (no interpreter, no dynamic section), the same in both
# images, and pass the command-line table and the real-PostgreSQL wait tests
# that the sanitizer build passes (musl's resolver and the static libpq with
# TLS are what run in production, not the host's).
#
# Usage: tests/e2e/binary.sh   (KEYCLOAK_IMAGE and POSTGRES_IMAGE set)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/engine.sh
. "$here/../lib/engine.sh"
# shellcheck source=tests/lib/testlib.sh
. "$here/../lib/testlib.sh"
engine_detect
: "${KEYCLOAK_IMAGE:?}" "${POSTGRES_IMAGE:?}"

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
copy_out "$POSTGRES_IMAGE" "$tmp/keycloak-ha-postgres.db"
bin=$tmp/keycloak-ha-postgres

check "statically linked ($(file -b "$bin"))" bash -c "file -b '$bin' | grep -q 'statically linked'"
check "no dynamic section" bash -c "readelf -d '$bin' 2>&1 | grep -q 'no dynamic section'"
check "no program interpreter" fails bash -c "readelf -l '$bin' | grep -q 'program interpreter'"
check "both images ship the same program" cmp -s "$bin" "$tmp/keycloak-ha-postgres.db"
echo "binary: $(stat -c %s "$bin") bytes, $(file -b "$bin" | cut -d, -f1-3)"

status=0
summary binary || status=1
"$here/../unit/cli.sh" "$bin" || status=1
"$here/../integration/wait_db.sh" "$bin" || status=1
# TLS is linked into the static program: the same checks of the server.
"$here/../integration/tls.sh" "$bin" || status=1
[ "$status" = 0 ]
