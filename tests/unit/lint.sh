#!/bin/bash
# Every shell script of the project is clean under shellcheck, and the
# Dockerfile that "docker build ." reads is Dockerfile.keycloak-ha.
set -eu
cd "$(dirname "$0")/../.."
# shellcheck source=tests/lib/testlib.sh
. tests/lib/testlib.sh
mapfile -t scripts < <(grep -rlE '^#!/bin/(ba)?sh' build tests .ci | sort)
for s in "${scripts[@]}"; do
	check "shellcheck -x $s" shellcheck -x "$s"
done
# "docker build ." (the 2015 guide's command) reads Dockerfile; it is a copy
# rather than a link because Docker's builder does not follow every link.
check "Dockerfile differs from Dockerfile.keycloak-ha" cmp -s Dockerfile Dockerfile.keycloak-ha
summary lint
