#!/bin/bash
# The server's command line (run --dry-run) against the real distribution:
# every module-system option of the distribution's own bin/common.sh, the
# defaults of bin/standalone.conf, the addresses and node name, the user's
# JAVA_OPTS / JAVA_OPTS_APPEND and server arguments, and no secret.
#
# Usage: tests/unit/launch.sh BINARY KEYCLOAK_HOME
set -eu

bin=${1:?usage: launch.sh BINARY KEYCLOAK_HOME}
home=$(cd "${2:?usage: launch.sh BINARY KEYCLOAK_HOME}" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir
# A Java home as the launcher sees it: bin/java and the "release" file that
# names the version (nothing is executed by --dry-run).
make_java_home() {
	mkdir -p "$1/bin"
	printf '#!/bin/sh\nexit 0\n' >"$1/bin/java"
	chmod +x "$1/bin/java"
	printf 'JAVA_VERSION="%s"\n' "$2" >"$1/release"
}
java_home=$tmp/jdk11
make_java_home "$java_home" 11.0.24
make_java_home "$tmp/jdk8" 1.8.0_412

dry_run() {
	# A failing run leaves no arguments: the checks below then fail.
	env -i PATH=/usr/bin:/bin JAVA_HOME="$java_home" KEYCLOAK_HOME="$home" \
		DB_PASSWORD=top-secret-pw KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=admin-secret-pw \
		BIND=10.1.2.3 KEYCLOAK_NODE_NAME=node-a "$@" >"$tmp/args" 2>"$tmp/err" || true
}

has() {
	check "argument missing: $1 (case: $case)" arg_is_there "$1"
}

arg_is_there() {
	[ -s "$tmp/args" ] && grep -qxF -- "$1" "$tmp/args"
}

hasnt() {
	check "argument present: $1 (case: $case)" arg_is_absent "$1"
}

arg_is_absent() {
	[ -s "$tmp/args" ] && ! grep -qF -- "$1" "$tmp/args"
}

case=defaults
dry_run "$bin" run --dry-run
has "$java_home/bin/java"
# Every module option that the distribution's own scripts would add.
opts=$(grep -o -- '--add-\(opens\|exports\)=[^ "]*' "$home/bin/common.sh" | sort -u)
[ -n "$opts" ] || fail "no module options found in bin/common.sh"
for o in $opts; do has "$o"; done
# standalone.conf's defaults, read from the distribution's file.
for o in -Xms64m -XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m \
	-Djava.net.preferIPv4Stack=true -Djava.awt.headless=true; do
	if grep -qF -- "$o" "$home/bin/standalone.conf"; then has "$o"; else
		fail "$o is not in standalone.conf"; fi
done
has "-jar"
has "$home/jboss-modules.jar"
has "-mp"
has "$home/modules"
has "org.jboss.as.standalone"
has "-Djboss.home.dir=$home"
has "-Djboss.server.base.dir=$home/standalone"
has "-Dlogging.configuration=file:$home/standalone/configuration/logging.properties"
has "-Djava.security.properties=$home/standalone/configuration/keycloak-ha-java.security"
has "standalone-ha.xml"
has "-Djboss.bind.address=10.1.2.3"
has "-Djboss.bind.address.private=10.1.2.3"
has "-Djboss.node.name=node-a"
hasnt top-secret-pw
hasnt admin-secret-pw
for f in "$home/jboss-modules.jar" "$home/modules"; do
	check "$f missing" [ -e "$f" ]
done

case=java_opts
dry_run JAVA_OPTS="-Xmx1g -Dfoo=bar" JAVA_OPTS_APPEND="-Dappended=1" "$bin" run --dry-run -- -Dserver.arg=x
has -Xmx1g
has -Dfoo=bar
has -Dappended=1
has -Dserver.arg=x
# The entrypoint's security properties come before JAVA_OPTS: a file named
# there is the one java reads.
check "security properties after JAVA_OPTS" \
	[ "$(grep -n -- '^-Djava.security.properties=' "$tmp/args" | cut -d: -f1)" -lt \
	"$(grep -n -- '^-Dfoo=bar$' "$tmp/args" | cut -d: -f1)" ]
hasnt -Xms64m
# The server's own arguments come last, so they win over the entrypoint's.
check "server arguments are not last" [ "$(tail -n 1 "$tmp/args")" = "-Dserver.arg=x" ]

case=wildcard_bind
dry_run BIND=0.0.0.0 "$bin" run --dry-run
has "-Djboss.bind.address=0.0.0.0"
# The private (cluster) address is never the wildcard.
hasnt "-Djboss.bind.address.private=0.0.0.0"

case=java8
dry_run JAVA_HOME="$tmp/jdk8" "$bin" run --dry-run
has "$tmp/jdk8/bin/java"
# Java 8 has no module system: none of its options.
hasnt "--add-opens"

case=multicast
dry_run JGROUPS_MULTICAST_ADDRESS=230.0.0.4 "$bin" run --dry-run
has "-Djboss.default.multicast.address=230.0.0.4"

case=server_args_only
# "docker run IMAGE -b 0.0.0.0" passes server options straight to run.
env -i PATH=/usr/bin:/bin JAVA_HOME="$java_home" KEYCLOAK_HOME="$home" DB_PASSWORD=x BIND=10.1.2.3 \
	"$bin" --dry-run -Dfrom.cmd=1 >"$tmp/args" 2>"$tmp/err" || true
has -Dfrom.cmd=1

summary launch
