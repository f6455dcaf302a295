#!/bin/bash
# Keycloak 26's command line (run --dry-run) against the distribution's own
# bin/kc.sh: every argument kc.sh gives java for "start --optimized" comes in
# the same order (but -Dkc.script.pid, which only serves kc.sh's own warning
# about not being process 1), for the defaults, JAVA_OPTS, JAVA_OPTS_APPEND
# and -D arguments; then what the entrypoint adds, and no secret.
#
# Usage: tests/unit/launch_26.sh BINARY KEYCLOAK_HOME (of Keycloak 26)
set -eu

bin=${1:?usage: launch_26.sh BINARY KEYCLOAK_HOME}
home=$(cd "${2:?usage: launch_26.sh BINARY KEYCLOAK_HOME}" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir

# A java that records its arguments, one a line, for kc.sh; and a Java home
# for the entrypoint (--dry-run executes nothing).
mkdir -p "$tmp/jdk/bin"
cat >"$tmp/jdk/bin/java" <<'STANDIN'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >"$RECORD"
STANDIN
chmod +x "$tmp/jdk/bin/java"
printf 'JAVA_VERSION="25.0.5"\n' >"$tmp/jdk/release"

# kc_sh CASE [NAME=VALUE...]: kc.sh's arguments for java into $tmp/CASE.kc.
kc_sh() {
	local c=$1
	shift
	env -i PATH=/usr/bin:/bin RECORD="$tmp/$c.kc" JAVA="$tmp/jdk/bin/java" "$@" \
		bash "$home/bin/kc.sh" start --optimized -Dprobe.property=1 >"$tmp/$c.kc.out" 2>&1 ||
		fail "$c: kc.sh failed: $(tail -n 3 "$tmp/$c.kc.out")"
	# kc.sh names its home as bin/..; the entrypoint names it as it is.
	grep -v '^-Dkc\.script\.pid=' "$tmp/$c.kc" | sed "s|$home/bin/\.\.|$home|g" \
		>"$tmp/$c.want" || true
}

# ours CASE [NAME=VALUE...]: the entrypoint's arguments into $tmp/CASE.ours.
ours() {
	local c=$1
	shift
	env -i PATH=/usr/bin:/bin JAVA_HOME="$tmp/jdk" KEYCLOAK_HOME="$home" \
		KEYCLOAK_STATE_DIR="$tmp/state" DB_PASSWORD=top-secret-pw KEYCLOAK_USER=admin \
		KEYCLOAK_PASSWORD=admin-secret-pw BIND=10.1.2.3 KEYCLOAK_NODE_NAME=node-a "$@" \
		"$bin" run --dry-run -Dprobe.property=1 >"$tmp/$c.ours" 2>"$tmp/$c.err" || true
}

# in_order WANT GOT: every line of WANT is in GOT, in the same order.
in_order() {
	awk 'BEGIN { i = 0; n = 0 } NR == FNR { want[n++] = $0; next }
		i < n && $0 == want[i] { i++ }
		END { if (i < n) { print "missing or out of order: " want[i] > "/dev/stderr"; exit 1 } }' \
		"$1" "$2"
}

compare() {
	local c=$1
	shift
	kc_sh "$c" "$@"
	ours "$c" "$@"
	check "$c: kc.sh gave arguments" test -s "$tmp/$c.want"
	CHECK_DETAIL=$tmp/$c.err check "$c: kc.sh's arguments, in order" \
		in_order "$tmp/$c.want" "$tmp/$c.ours"
}

compare defaults
compare java-opts JAVA_OPTS="-Xmx300m -Dexample=1"
compare java-opts-append JAVA_OPTS_APPEND="-Dappended=yes -XX:+PrintFlagsFinal"

# The defaults of kc.sh are those of the distribution in hand: the heap
# outside a container, and the thread factory that Quarkus needs.
c=defaults
has() {
	check "$c: argument missing: $1" grep -qxF -- "$1" "$tmp/$c.ours"
}
has -Djava.util.concurrent.ForkJoinPool.common.threadFactory=io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory
has "--config-file=$tmp/state/keycloak.conf"
has "-Djava.io.tmpdir=$tmp/state/tmp"
has "-Dquarkus.transaction-manager.object-store.directory=$tmp/state/transaction-logs"
has "-Djava.security.properties=$tmp/state/keycloak-ha-java.security"
has -Dprobe.property=1
# The configuration file comes before the command: after it Keycloak
# refuses the option.
# shellcheck disable=SC2016 # an awk program
check "$c: --config-file before start" awk -v f="--config-file=$tmp/state/keycloak.conf" \
	'$0 == f { seen = 1 } $0 == "start" { exit !seen }' "$tmp/$c.ours"
check "$c: no secret on the command line" fails grep -qE 'top-secret-pw|admin-secret-pw' \
	"$tmp/$c.ours"

# Server arguments other than -D come after "start --optimized".
ours args --http-port=8181 -Dx=1
# shellcheck disable=SC2016 # an awk program
check "args: --http-port after --optimized" awk \
	'$0 == "--optimized" { seen = 1 } $0 == "--http-port=8181" { exit !seen }' "$tmp/args.ours"

# KEYCLOAK_IMPORT: the import directory and the flag.
printf '{"realm":"r"}\n' >"$tmp/r.json"
c=import
ours import KEYCLOAK_IMPORT="$tmp/r.json"
has --import-realm
has "-Dkeycloak.migration.dir=$tmp/state/import"

summary_at_exit launch_26
