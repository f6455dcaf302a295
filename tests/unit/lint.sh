#!/bin/bash
# Every shell script of the project is clean under shellcheck, and the
# Dockerfile that "docker build ." reads is Dockerfile.keycloak-ha.
set -eu
cd "$(dirname "$0")/../.."
mapfile -t scripts < <(grep -rlE '^#!/bin/(ba)?sh' build tests .ci | sort)
passed=0
failed=0
for s in "${scripts[@]}"; do
	if shellcheck -x "$s"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
# "docker build ." (the 2015 guide's command) reads Dockerfile; it is a copy
# rather than a link because Docker's builder does not follow every link.
if cmp -s Dockerfile Dockerfile.keycloak-ha; then passed=$((passed + 1)); else
	failed=$((failed + 1)); echo "FAIL: Dockerfile differs from Dockerfile.keycloak-ha" >&2; fi
echo "lint: $passed passed, $failed failed"
[ "$failed" = 0 ]
