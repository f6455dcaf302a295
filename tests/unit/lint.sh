#!/bin/bash
# Every shell script of the project is clean under shellcheck.
set -eu
cd "$(dirname "$0")/../.."
mapfile -t scripts < <(grep -rlE '^#!/bin/(ba)?sh' build tests .ci | sort)
passed=0
failed=0
for s in "${scripts[@]}"; do
	if shellcheck -x "$s"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "lint: $passed passed, $failed failed"
[ "$failed" = 0 ]
