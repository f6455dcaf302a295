#!/bin/bash
# The test library itself (tests/lib/testlib.sh), and the exit path that
# the e2e tests take through tests/lib/kc-cluster.sh (with a stand-in
# container engine): each case is a small script that sources the library,
# run in a child bash; its stdout, stderr and exit status are checked.
#
# Usage: tests/unit/testlib.sh
set -eu

lib=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$lib/testlib.sh"
scratch_dir

# script NAME BODY: a test script that sources the library, then BODY.
script() {
	printf '#!/bin/bash\nset -eu\n. %q\n%s\n' "$lib/testlib.sh" "$2" >"$tmp/$1"
}

# child NAME [ARGS...]: run it; status in rc, output in $tmp/NAME.out and .err.
child() {
	local name=$1
	shift
	rc=0
	bash "$tmp/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}
out_is() { [ "$(cat "$tmp/$1.out")" = "$2" ]; }
err_is() { [ "$(cat "$tmp/$1.err")" = "$2" ]; }
CHECK_DETAIL=$tmp/detail
detail() { { echo "stdout:"; cat "$tmp/$1.out"; echo "stderr:"; cat "$tmp/$1.err"; } >"$tmp/detail"; }

# Counting, and what a failure says.
# shellcheck disable=SC2016 # expanded by the script
script count 'pass
ok "said"
check "true passes" true
check "false fails" false
check "fails false passes" fails false
printf "line 1\nline 2\n" >"${TMPDIR:-/tmp}/testlib-detail.$$"
CHECK_DETAIL=${TMPDIR:-/tmp}/testlib-detail.$$ fail "with detail"
rm -f "${TMPDIR:-/tmp}/testlib-detail.$$"
CHECK_DETAIL=/nonexistent fail "without detail"
summary count'
child count
detail count
check "summary counts: status 1 (got $rc)" [ "$rc" = 1 ]
check "summary counts: stdout" out_is count "ok - said
count: 4 passed, 3 failed"
check "summary counts: stderr, detail indented" err_is count "FAIL: false fails
FAIL: with detail
    line 1
    line 2
FAIL: without detail"

script clean 'check "true passes" true
summary clean'
child clean
check "all passed: status 0 (got $rc)" [ "$rc" = 0 ]
check "all passed: the summary line" out_is clean "clean: 1 passed, 0 failed"

# A second source keeps the counts.
script twice "pass
. $(printf %q "$lib/testlib.sh")
pass
summary twice"
child twice
check "a second source keeps the counts" out_is twice "twice: 2 passed, 0 failed"

# The opening: the scratch directory goes at exit, even with rights taken
# away inside it; the at_exit commands run first, in order, each with its
# words as given, whatever an earlier one did (failed, or read an unset
# variable under set -u).
# shellcheck disable=SC2016 # expanded by the script
script opening 'scratch_dir
echo "$tmp" >"$1"
mkdir -p "$tmp/locked/deep"
touch "$tmp/locked/deep/file"
chmod 000 "$tmp/locked/deep" "$tmp/locked"
at_exit printf "%s|" "one word" second
at_exit false
reads_unset() { : "$never_set"; }
at_exit reads_unset
seen() { [ -d "$tmp/locked" ] && echo "seen: ${late:-unset}, scratch still there"; }
at_exit seen
at_exit echo "status kept"
late=late
exit 4'
child opening "$tmp/opening.dir"
detail opening
check "at exit: the status of the script is kept (got $rc)" [ "$rc" = 4 ]
check "at exit: commands in order, words as given, read at exit by a function" \
	out_is opening "one word|second|seen: late, scratch still there
status kept"
check "at exit: the scratch directory is gone" [ ! -e "$(cat "$tmp/opening.dir")" ]

# A signal ends the script through the same exit.
# shellcheck disable=SC2016 # expanded by the script
script signal 'scratch_dir
echo "$tmp" >"$1"
at_exit echo cleaned
kill -TERM $$
sleep 5'
child signal "$tmp/signal.dir"
detail signal
check "TERM: exit status 1 (got $rc)" [ "$rc" = 1 ]
check "TERM: the at_exit commands ran" out_is signal cleaned
check "TERM: the scratch directory is gone" [ ! -e "$(cat "$tmp/signal.dir")" ]

# summary_at_exit: an aborted run counts as a failure; the clean-up comes
# before the summary, whose status is the script's.
script aborted 'summary_at_exit aborted
at_exit echo "cleaned up"
pass
false
pass'
child aborted
detail aborted
check "aborted: status 1 (got $rc)" [ "$rc" = 1 ]
check "aborted: clean-up, then the summary" out_is aborted "cleaned up
aborted: 1 passed, 1 failed"
check "aborted: says so" err_is aborted "FAIL: test aborted (exit status 1)"

script failed_then_exit 'summary_at_exit counted
check "false fails" false
exit 1'
child failed_then_exit
detail failed_then_exit
check "a counted failure, then exit 1: no second failure" \
	out_is failed_then_exit "counted: 0 passed, 1 failed"

script finished 'summary_at_exit finished
pass'
child finished
check "finished: status 0 (got $rc)" [ "$rc" = 0 ]
check "finished: the summary at exit" out_is finished "finished: 1 passed, 0 failed"

# The table-driven checks of the entrypoint's command line, against a
# stand-in program: the environment is exactly the one given.
cat >"$tmp/program" <<'PROGRAM'
#!/bin/sh
echo "first line: $1 ${SETTING-unset} ${HOME-nohome}" >&2
echo "second line" >&2
echo "out: $1"
exit "${CODE:-0}"
PROGRAM
chmod +x "$tmp/program"
script table "scratch_dir
expect 3 'first line: a value nohome' -- $(printf %q "$tmp/program") a SETTING=value CODE=3
expect 0 'first line: b unset' -- $(printf %q "$tmp/program") b
expect_out 0 'out: c' -- $(printf %q "$tmp/program") c
never_shows hidden -- $(printf %q "$tmp/program") shown
expect 0 'second line' -- $(printf %q "$tmp/program") d
expect_out 0 'out: x' -- $(printf %q "$tmp/program") e
never_shows e -- $(printf %q "$tmp/program") e
summary table"
HOME=/root child table
detail table
check "expect, expect_out, never_shows: 4 pass, 3 fail" \
	grep -qx 'table: 4 passed, 3 failed' "$tmp/table.out"
check "expect names the case, what it wanted and what it got" \
	grep -qxF "  want: 0 'second line'" "$tmp/table.err"
check "expect_out shows stdout" grep -qxF '    out: e' "$tmp/table.err"
check "never_shows names the case" grep -qF 'FAIL: secret shown: ' "$tmp/table.err"

# kc-cluster.sh's finish, with a stand-in engine that records its calls,
# knows no container and says every image is of Keycloak 26: an aborted run
# counts as a failure, the test's hook runs, then the tear-down, then the
# summary.
mkdir -p "$tmp/repo/out"
cat >"$tmp/engine" <<'ENGINE'
#!/bin/sh
echo "$*" >>"$ENGINE_LOG"
case "$1 $2" in
"image inspect") echo 26 ;;
"container inspect" | "network inspect") exit 1 ;;
esac
exit 0
ENGINE
chmod +x "$tmp/engine"
cat >"$tmp/e2e" <<SCRIPT
#!/bin/bash
set -eu
repo_dir=$(printf %q "$tmp/repo")
. $(printf %q "$lib/kc-cluster.sh")
hook() { echo "hook ran"; }
kc_finish_on_exit e2e-stand-in hook
kc_init khp-stand-in
check "a check that passes" true
false
SCRIPT
rc=0
ENGINE="$tmp/engine" ENGINE_LOG="$tmp/engine.log" KEYCLOAK_IMAGE=kc POSTGRES_IMAGE=pg \
	bash "$tmp/e2e" >"$tmp/e2e.out" 2>"$tmp/e2e.err" || rc=$?
detail e2e
check "kc-cluster: aborted e2e run: status 1 (got $rc)" [ "$rc" = 1 ]
check "kc-cluster: hook, tear-down, summary" out_is e2e "hook ran
container logs: $tmp/repo/out/test/e2e
e2e-stand-in: 1 passed, 1 failed"
check "kc-cluster: the abort is counted" grep -qx 'FAIL: test aborted (exit status 1)' "$tmp/e2e.err"
check "kc-cluster: the network was created and looked for at the tear-down" \
	grep -q '^network inspect khp-stand-in-.*-net$' "$tmp/engine.log"

summary testlib
