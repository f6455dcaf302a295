#!/bin/bash
# The entrypoint and the unit test programs under valgrind (builds without
# sanitizers). The entrypoint: rendering the
# real distribution's file, printing settings, a bad setting, a secret file,
# a database wait that times out, and health checks of servers that are
# not there. Any memory error or leak fails.
#
# Usage: tests/unit/valgrind.sh BINARY KEYCLOAK_HOME
set -eu

bin=${1:?usage: valgrind.sh BINARY KEYCLOAK_HOME}
dist_home=${2:?usage: valgrind.sh BINARY KEYCLOAK_HOME}
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir

mkdir -p "$tmp/home/standalone/configuration"
cp "$dist_home/standalone/configuration/standalone-ha.xml" "$tmp/home/standalone/configuration/"
printf 'file-secret\n' >"$tmp/pw"
cat >"$tmp/kc.conf" <<'CONF'
DB_ADDR = ["db1:5433", "[fd00::1]:5434", "db3"];
JGROUPS_DISCOVERY_PROTOCOL = "TCPPING";
JGROUPS_DISCOVERY_PROPERTIES = { initial_hosts = "a[7600],b[7600]"; port_range = 0; };
PROXY_ADDRESS_FORWARDING = true;
CACHE_OWNERS_COUNT = 3;
CONF
printf 'DB_PORT = ;\n' >"$tmp/bad.conf"

# vg EXPECTED_RC [NAME=VALUE...] -- ARGS...
vg() {
	local want=$1
	shift
	local -a vars=()
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	set +e
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$tmp/home" BIND=10.0.0.1 "${vars[@]}" \
		valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	set -e
	CHECK_DETAIL=$tmp/err check "valgrind $* (rc=$rc, want $want)" [ "$rc" = "$want" ]
}

vg 0 DB_PASSWORD=x -- render
vg 0 DB_PASSWORD=x 'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=a[7600],b[7600],port_range=1' \
	JGROUPS_DISCOVERY_PROTOCOL=TCPPING -- render --print
vg 0 DB_PASSWORD_FILE="$tmp/pw" KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=pw -- render
vg 78 DB_PASSWORD=x DB_PORT=nope -- render
vg 78 DB_PASSWORD=x POSTGRES_PASSWORD=y -- render
vg 66 DB_PASSWORD_FILE="$tmp/missing" -- render
vg 69 DB_PASSWORD=x DB_ADDR=127.0.0.1 DB_PORT=1 DB_WAIT_TIMEOUT=1 -- wait-db
vg 64 -- nonsense
# The health check: nothing listens on the loopback port it is sent to.
vg 1 DB_PASSWORD=x BIND=0.0.0.0 JAVA_OPTS_APPEND=-Djboss.http.port=1 -- health --timeout 2
vg 1 POSTGRES_PASSWORD=x PGPORT=1 -- health postgres --timeout 2
# The configuration file, the command line and every optional part of the
# rendering; a file with a syntax error; a typo warning.
vg 0 DB_PASSWORD=x DB_SCHEMA=kc KEYCLOAK_LOGLEVEL=debug ROOT_LOGLEVEL=warn \
	KEYCLOAK_HOSTNAME=sso.example.com KEYCLOAK_HTTPS_PORT=443 KEYCLOAK_ALWAYS_HTTPS=true \
	DB_SSLMODE=verify-full DB_SSLROOTCERT="$tmp/pw" KEYCLOAK_IMPORT="$tmp/pw" DB_PROT=1 \
	-- --config "$tmp/kc.conf" --set CACHE_OWNERS_AUTH_SESSIONS_COUNT=2 render
vg 0 DB_PASSWORD=x KEYCLOAK_FRONTEND_URL=https://sso.example.com/auth -- --config "$tmp/kc.conf" render --print
vg 78 DB_PASSWORD=x -- --config "$tmp/bad.conf" render
vg 64 DB_PASSWORD=x -- --set NOPE=1 render

# The Keycloak 26 backend: keycloak.conf, the cache configuration, Keycloak's
# own options and names, the command line.
if [ -n "${KEYCLOAK_DIST:-}" ]; then
	mkdir -p "$tmp/home-26/lib"
	cp -r "$KEYCLOAK_DIST/conf" "$tmp/home-26/"
	: >"$tmp/home-26/lib/quarkus-run.jar"
	k26=("KEYCLOAK_HOME=$tmp/home-26" "KEYCLOAK_STATE_DIR=$tmp/state-26")
	vg 0 "${k26[@]}" DB_PASSWORD=x KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=pw \
		KC_SPI_X_PASSWORD_FILE="$tmp/pw" KC_FEATURES=x -- render
	vg 0 "${k26[@]}" DB_PASSWORD=x JGROUPS_DISCOVERY_PROTOCOL=TCPPING \
		'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=a[7800],b[7800]' -- render
	vg 0 "${k26[@]}" KC_DB_URL='jdbc:postgresql://db1,db2:5433/k%20c?ssl=true' DB_PASSWORD=x \
		-- render --print
	vg 0 "${k26[@]}" DB_PASSWORD=x JAVA_HOME=/nonexistent -- run --dry-run --http-port=1 -Dx=y
	vg 78 "${k26[@]}" DB_PASSWORD=x KC_DB_PASSWORD=y -- render
	vg 78 "${k26[@]}" DB_PASSWORD=x CACHE_OWNERS_COUNT=3 -- render
	vg 1 "${k26[@]}" DB_PASSWORD=x KC_HTTP_MANAGEMENT_PORT=1 -- health --timeout 2
else
	fail "valgrind of the Keycloak 26 backend: KEYCLOAK_DIST (its home) is not set"
fi

# The unit test programs, built without sanitizers next to the program.
for t in "$(dirname "$bin")"/plain/test_*; do
	[ -x "$t" ] || continue
	# The tests of the Keycloak 26 backend read that distribution's cache
	# configuration (KEYCLOAK_DIST: its home, from tests/run).
	input=$dist_home/standalone/configuration/standalone-ha.xml
	case ${t##*/} in
	test_quarkus*)
		if [ -z "${KEYCLOAK_DIST:-}" ]; then
			fail "valgrind ${t##*/}: KEYCLOAK_DIST (the home of Keycloak 26) is not set"
			continue
		fi
		input=$KEYCLOAK_DIST/conf/cache-ispn.xml
		;;
	esac
	set +e
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect "$t" "$input" "$tmp" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	if [ "$rc" = 0 ]; then
		pass
	else
		fail "valgrind ${t##*/} (rc=$rc)"
		tail -n 20 "$tmp/err" >&2
	fi
done

summary valgrind
