# The one pass/fail library of the test scripts, and their shared opening.
# Source it from bash (the domain libraries kc-cluster.sh and bench/lib.sh
# source it too; a second source is a no-op). It counts in the globals
# passed and failed, and sets the EXIT trap (HUP, INT and TERM end the
# script through it): a script adds to what happens at exit with at_exit,
# not with a trap of its own.
#
# Counting:
#   pass                    count a pass
#   ok WHAT                 count a pass and say so: "ok - WHAT" on stdout
#   fail WHAT               count a failure: "FAIL: WHAT" on stderr, then the
#                           file CHECK_DETAIL, indented, when set and not empty
#   check WHAT COMMAND...   run COMMAND: a pass, or a failure named WHAT
#   fails COMMAND...        succeeds when COMMAND fails, for "check WHAT fails ..."
#   summary NAME            print "NAME: N passed, N failed" (what tests/run
#                           adds up); fails when a check failed
#
# The entrypoint's command line, table-driven: each case runs the binary with
# exactly the environment it gives (env -i) and checks the exit code and the
# first line on stderr (or a line of stdout); they need scratch_dir.
#   run COMMAND [ARGS...] [NAME=VALUE...]   sets rc, $tmp/out, $tmp/err
#   expect CODE 'first stderr line (fixed string, may be a prefix)' -- ARGS...
#   expect_out CODE 'stdout line (exact)' -- ARGS...
#   never_shows SECRET -- ARGS...   the secret is neither on stdout nor stderr
#
# The opening:
#   scratch_dir             tmp: a new directory, removed at exit, after every
#                           at_exit command (rights are restored first, so a
#                           test may take them away inside it)
#   at_exit COMMAND [ARGS...]   run COMMAND at exit, in the order given, the
#                           words as they are now (a function for what must
#                           be read at exit); its failure is ignored
#   summary_at_exit NAME    at exit: a run that ends with a non-zero status
#                           before any failure was counted counts as one
#                           ("test aborted"); then the at_exit commands, the
#                           scratch directory's removal, and summary NAME,
#                           whose status is the script's
# shellcheck shell=bash

[ -z "${testlib_loaded:-}" ] || return 0
testlib_loaded=yes

passed=0
failed=0
testlib_exit_commands=()
testlib_scratch=""
testlib_summary_name=""

pass() {
	passed=$((passed + 1))
}

ok() {
	pass
	echo "ok - $*"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL: $*" >&2
	if [ -n "${CHECK_DETAIL:-}" ] && [ -s "$CHECK_DETAIL" ]; then
		sed 's/^/    /' "$CHECK_DETAIL" >&2
	fi
}

check() {
	local what=$1
	shift
	if "$@"; then pass; else fail "$what"; fi
}

fails() {
	! "$@"
}

summary() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}

run() {
	local -a cmd=() vars=()
	local w
	for w in "$@"; do
		if [[ $w =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
			vars+=("$w")
		else
			cmd+=("$w")
		fi
	done
	set +e
	env -i PATH=/usr/bin:/bin "${vars[@]}" "${cmd[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
}

expect() {
	local code=$1 want=$2
	shift 3
	run "$@"
	local first
	first=$(head -n 1 "$tmp/err")
	if [ "$rc" = "$code" ] && [ "${first#"$want"}" != "$first" ]; then
		pass
	else
		fail "$*"
		echo "  want: $code '$want'" >&2
		echo "  got:  $rc '$first'" >&2
	fi
}

expect_out() {
	local code=$1 want=$2
	shift 3
	run "$@"
	if [ "$rc" = "$code" ] && grep -qxF -- "$want" "$tmp/out"; then
		pass
	else
		fail "$*"
		echo "  want: $code, stdout line '$want'" >&2
		echo "  got:  $rc; stdout:" >&2
		sed 's/^/    /' "$tmp/out" >&2
		sed 's/^/    err: /' "$tmp/err" >&2
	fi
}

never_shows() {
	local secret=$1
	shift 2
	run "$@"
	if [ "$rc" -ge 126 ] || grep -qF -- "$secret" "$tmp/out" "$tmp/err"; then
		fail "secret shown: $*"
	else
		pass
	fi
}

scratch_dir() {
	tmp=$(mktemp -d)
	testlib_scratch=$tmp
}

at_exit() {
	testlib_exit_commands+=("$(printf '%q ' "$@")")
}

summary_at_exit() {
	testlib_summary_name=$1
}

testlib_exit() {
	local status=$? i
	trap - EXIT
	# Every step runs, whatever an earlier one did.
	set +eu
	if [ -n "$testlib_summary_name" ] && [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
		failed=$((failed + 1))
		echo "FAIL: test aborted (exit status $status)" >&2
	fi
	for ((i = 0; i < ${#testlib_exit_commands[@]}; i++)); do
		eval "${testlib_exit_commands[i]}"
	done
	if [ -n "$testlib_scratch" ]; then
		chmod -R u+rwX "$testlib_scratch" 2>/dev/null
		rm -rf "$testlib_scratch"
	fi
	if [ -n "$testlib_summary_name" ]; then
		summary "$testlib_summary_name"
		# Inside the trap, a bare exit would give the status from
		# before it.
		exit $?
	fi
	exit "$status"
}
trap testlib_exit EXIT
trap 'exit 1' HUP INT TERM
