# Counting checks for the test scripts. Source it, then:
#   check WHAT COMMAND...   run COMMAND; count a pass, or a failure named WHAT
#                           (with the file CHECK_DETAIL shown, when set)
#   fails COMMAND...        succeeds when COMMAND fails, for "check WHAT fails ..."
#   summary NAME            print "NAME: N passed, N failed" (what tests/run
#                           adds up); fails when a check failed
# shellcheck shell=bash

passed=0
failed=0

check() {
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $what" >&2
		if [ -n "${CHECK_DETAIL:-}" ] && [ -s "$CHECK_DETAIL" ]; then
			sed 's/^/    /' "$CHECK_DETAIL" >&2
		fi
	fi
}

fails() {
	! "$@"
}

summary() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}
