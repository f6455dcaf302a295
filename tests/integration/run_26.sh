#!/bin/bash
# The values below hold "$" and "\" on purpose.
# shellcheck disable=SC2016
# "run" with the Keycloak 26 backend, against a real PostgreSQL server that
# the test starts on loopback and the distribution's real conf/ files; the
# server program is a stand-in java that records how it was started (the
# real server runs in the image tests). Checked: keycloak.conf written
# privately with the settings, the exec in the same process with no secret
# in the server's arguments or environment, the bootstrap admin left out
# once the database has the admin, the removal of JGROUPS_PING rows whose
# member's port takes no connection (next to a live member's, a listening
# socket of the test's), the options whose own names end in -file handed on
# as paths, a discovery with its own cache configuration,
# KC_DB_URL as the database to wait for, and first boots one at a time: a
# node waits while another creates the schema, and takes over when that
# one dies.
#
# Usage: tests/integration/run_26.sh BINARY KEYCLOAK_HOME (of Keycloak 26)
set -eu

bin=${1:?usage: run_26.sh BINARY KEYCLOAK_HOME}
dist_home=${2:?usage: run_26.sh BINARY KEYCLOAK_HOME}
# shellcheck source=tests/lib/pgserver.sh
. "$(dirname "$0")/../lib/pgserver.sh"

scratch_dir
port=$((20000 + RANDOM % 20000))
CHECK_DETAIL=$tmp/err

pg_init "$tmp/pg" "$port"
pg_start "$tmp/pg"
pg_psql "$tmp/pg" "CREATE ROLE keycloak LOGIN PASSWORD 'db\$secret\${x}\\z'"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"
# sql STATEMENT: run it in the Keycloak database as the superuser.
sql() {
	pg_as "$PG_BIN/psql" -h "$tmp/pg" -p "$port" -U postgres -d keycloak -v ON_ERROR_STOP=1 \
		-qAt -c "$1"
}

# A distribution as the backend reads it: its conf/ files, and the file that
# says which generation it is.
home=$tmp/keycloak
mkdir -p "$home/lib" "$home/conf"
: >"$home/lib/quarkus-run.jar"
cp "$dist_home/conf/cache-ispn.xml" "$dist_home/conf/keycloak.conf" "$home/conf/"
cp "$dist_home/version.txt" "$home/"
version=$(sed -n 's/^Keycloak - Version //p' "$home/version.txt")
state=$tmp/state

# The stand-in java: records its pid, arguments and environment.
mkdir -p "$tmp/jdk/bin"
# STANDIN_PID: where it records its pid; STANDIN_HOLD: a file it waits for
# before it exits (a server that is booting).
cat >"$tmp/jdk/bin/java" <<STANDIN
#!/bin/sh
echo \$\$ >"\${STANDIN_PID:-$tmp/java.pid}"
printf '%s\n' "\$@" >"$tmp/java.args"
env >"$tmp/java.env"
while [ -n "\${STANDIN_HOLD:-}" ] && [ ! -e "\$STANDIN_HOLD" ]; do sleep 0.1; done
exit 0
STANDIN
chmod +x "$tmp/jdk/bin/java"
printf 'JAVA_VERSION="25.0.5"\n' >"$tmp/jdk/release"
printf 'keystore-secret\n' >"$tmp/keystore-password"

run_entrypoint() {
	rm -f "$tmp/java.pid"
	set +e
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" KEYCLOAK_STATE_DIR="$state" \
		JAVA_HOME="$tmp/jdk" POSTGRES_USER=keycloak \
		'POSTGRES_PASSWORD=db$secret${x}\z' BIND=10.9.8.7 KEYCLOAK_NODE_NAME=node-a \
		KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=admin-secret-pw \
		KC_HTTPS_KEY_STORE_PASSWORD_FILE="$tmp/keystore-password" \
		KC_SPI_TRUSTSTORE_FILE_PASSWORD=truststore-secret KC_FEATURES=token-exchange \
		DB_WAIT_TIMEOUT=20 "$@" "$bin" run >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait "$pid"
	rc=$?
	set -e
}

conf_has() {
	grep -qxF -- "$1" "$state/keycloak.conf"
}

# 1. The first start: an empty database.
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port"
check "run exits with the server's status (rc=$rc)" [ "$rc" = 0 ]
check "java was exec'd in the same process" [ "$(cat "$tmp/java.pid" 2>/dev/null)" = "$pid" ]
check "keycloak.conf is mode 600" [ "$(stat -c %a "$state/keycloak.conf")" = 600 ]
check "the database URL is the test server's" \
	conf_has "db-url=jdbc:postgresql://127.0.0.1:$port/keycloak"
check "the password is escaped for Keycloak" conf_has 'db-password=db\\$secret\\${x}\\z'
check "the bootstrap admin, on an empty database" conf_has "bootstrap-admin-username=admin"
check "a KC_NAME_FILE secret is handed on" conf_has "https-key-store-password=keystore-secret"
check "a KC_ secret leaves the environment for the file" \
	conf_has "spi-truststore-file-password=truststore-secret"
check "the node's name and address" conf_has "spi-cache-embedded-default-node-name=node-a"
check "the cluster binds to BIND" conf_has "cache-embedded-network-bind-address=10.9.8.7"
check "JDBC_PING is Keycloak's own stack" conf_has "cache-stack=jdbc-ping"
check "the state directory's tmp and transaction log store" \
	[ -d "$state/tmp" ] && [ -d "$state/transaction-logs" ]
check "java reads the file" grep -qxF -- "--config-file=$state/keycloak.conf" "$tmp/java.args"
check "no secret in the server's arguments" \
	fails grep -qE 'secret|keystore' "$tmp/java.args"
check "no secret in the server's environment" \
	fails grep -qE 'db\$secret|admin-secret|keystore-secret|truststore-secret|PASSWORD' "$tmp/java.env"
check "other KC_ variables reach Keycloak as they are" grep -qx KC_FEATURES=token-exchange "$tmp/java.env"
check "no secret in the entrypoint's output" fails grep -qE 'secret' "$tmp/err" "$tmp/out"
check "no temporary files left" bash -c "! ls '$state' | grep -q tmp\\."

# 1b. Options whose own names end in -file: KC_HTTPS_CERTIFICATE_FILE and
# its key, KC_LOG_FILE reach the server as the paths they are (Keycloak
# reads those files); KC_DB_PASSWORD_FILE and a KC_FOO_FILE, whose names
# are no such option, are still values in files.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=keycloak.example -days 2 \
	-keyout "$tmp/tls.key" -out "$tmp/tls.crt" >"$tmp/openssl.log" 2>&1
printf '%s\n' 'db$secret${x}\z' >"$tmp/db-password"
printf 'foo-value\n' >"$tmp/foo"
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port" KC_HTTPS_CERTIFICATE_FILE="$tmp/tls.crt" \
	KC_HTTPS_CERTIFICATE_KEY_FILE="$tmp/tls.key" KC_LOG_FILE="$tmp/keycloak.log" \
	KC_DB_PASSWORD_FILE="$tmp/db-password" KC_FOO_FILE="$tmp/foo"
check "-file options: rc=$rc" [ "$rc" = 0 ]
for v in KC_HTTPS_CERTIFICATE_FILE="$tmp/tls.crt" KC_HTTPS_CERTIFICATE_KEY_FILE="$tmp/tls.key" \
	KC_LOG_FILE="$tmp/keycloak.log"; do
	check "-file options: the server gets ${v%%=*} as the path" grep -qxF -- "$v" "$tmp/java.env"
done
check "-file options: no file of theirs read into keycloak.conf" \
	fails grep -qE 'BEGIN|^https-certificate|^log=' "$state/keycloak.conf"
check "-file options: KC_DB_PASSWORD_FILE is still the password (agrees with POSTGRES_PASSWORD)" \
	conf_has 'db-password=db\\$secret\\${x}\\z'
check "-file options: KC_FOO_FILE is still the option foo in a file" conf_has "foo=foo-value"
check "-file options: no secret in the server's environment" \
	fails grep -qE 'db\$secret|foo-value' "$tmp/java.env"

# 2. The database has the admin: keycloak.conf is written again without the
# bootstrap admin's password.
sql "CREATE TABLE realm (id varchar(36) PRIMARY KEY, name varchar(255))"
sql "CREATE TABLE user_entity (id varchar(36) PRIMARY KEY, realm_id varchar(255), username varchar(255))"
sql "INSERT INTO realm VALUES ('r1', 'master'); INSERT INTO user_entity VALUES ('u1', 'r1', 'admin')"
sql "ALTER TABLE realm OWNER TO keycloak; ALTER TABLE user_entity OWNER TO keycloak"
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port"
check "admin exists: rc=$rc" [ "$rc" = 0 ]
check "admin exists: the log says so" \
	grep -qF "admin user admin exists in the master realm; not bootstrapping it" "$tmp/err"
check "admin exists: no bootstrap admin in keycloak.conf" \
	fails grep -qE 'bootstrap-admin|admin-secret' "$state/keycloak.conf"

# 3. Rows of JGROUPS_PING: a live member (a socket of the test listens at its
# address) stays, a gone one (nothing listens) is removed.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.close()
' >"$tmp/live.port" &
live=$!
at_exit kill "$live"
for _ in $(seq 50); do [ -s "$tmp/live.port" ] && break; sleep 0.1; done
live_port=$(cat "$tmp/live.port")
sql "CREATE TABLE jgroups_ping (address varchar(200) PRIMARY KEY, name varchar(200),
	cluster_name varchar(200), ip varchar(200), coord boolean)"
sql "ALTER TABLE jgroups_ping OWNER TO keycloak"
sql "INSERT INTO jgroups_ping VALUES ('live', 'kc-live', 'ISPN', '127.0.0.1:$live_port', false)"
sql "INSERT INTO jgroups_ping VALUES ('gone', 'kc-gone', 'ISPN', '127.0.0.1:1', true)"
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port"
check "rows: rc=$rc" [ "$rc" = 0 ]
check "rows: the gone member's row is removed" [ "$(sql "SELECT count(*) FROM jgroups_ping WHERE address = 'gone'")" = 0 ]
check "rows: the live member's row stays" [ "$(sql "SELECT count(*) FROM jgroups_ping WHERE address = 'live'")" = 1 ]
check "rows: the log counts it" grep -qF "removed 1 row of members that are gone from JGROUPS_PING" "$tmp/err"

# 4. A role that may not delete: one warning, the server starts.
sql "INSERT INTO jgroups_ping VALUES ('gone2', 'kc-gone', 'ISPN', '127.0.0.1:1', true)"
sql "ALTER TABLE jgroups_ping OWNER TO postgres"
sql "GRANT SELECT ON jgroups_ping TO keycloak"
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port"
check "read-only rows: the server starts (rc=$rc)" [ "$rc" = 0 ] && [ -s "$tmp/java.pid" ]
check "read-only rows: one warning says why" grep -qF \
	"warning: cannot remove the rows of members that are gone from JGROUPS_PING: permission denied for table jgroups_ping" \
	"$tmp/err"

# 5. Another discovery: its cache configuration, and the rows left alone.
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port" JGROUPS_DISCOVERY_PROTOCOL=TCPPING \
	JGROUPS_DISCOVERY_PROPERTIES='initial_hosts=kc1[7800],kc2[7800]'
check "TCPPING: rc=$rc" [ "$rc" = 0 ]
check "TCPPING: keycloak.conf names the cache configuration" \
	conf_has "cache-config-file=$state/cache-ispn.xml"
check "TCPPING: no jdbc-ping stack" fails grep -q '^cache-stack=' "$state/keycloak.conf"
check "TCPPING: the stack holds the hosts" grep -qF 'initial_hosts="kc1[7800],kc2[7800]"' "$state/cache-ispn.xml"
check "TCPPING: the cache configuration is well-formed XML" xmllint --noout "$state/cache-ispn.xml"
check "TCPPING: the rows are not touched" fails grep -q "JGROUPS_PING" "$tmp/err"

# 6. KC_DB_URL names the database the entrypoint waits for.
run_entrypoint KC_DB_URL="jdbc:postgresql://127.0.0.1:$port/keycloak"
check "KC_DB_URL: rc=$rc" [ "$rc" = 0 ]
check "KC_DB_URL: the wait logged in there" grep -qF "database keycloak on 127.0.0.1:$port accepts" "$tmp/err"
run_entrypoint KC_DB_URL="jdbc:postgresql://127.0.0.1:$port/nosuchdb"
check "KC_DB_URL to a missing database: exit 77 (rc=$rc)" [ "$rc" = 77 ]
check "KC_DB_URL to a missing database: server not started" [ ! -e "$tmp/java.pid" ]

# 7. keycloak.conf cannot be written: exit 73, nothing started.
mv "$state/keycloak.conf" "$tmp/saved.conf"
mkdir "$state/keycloak.conf"
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port"
check "cannot write: exit 73 (rc=$rc)" [ "$rc" = 73 ]
check "cannot write: the message names the file" grep -qF "cannot write $state/keycloak.conf" "$tmp/err"
check "cannot write: server not started" [ ! -e "$tmp/java.pid" ]
rmdir "$state/keycloak.conf"

# 8. First boots one at a time (schema_gate.h): nodes that boot on a
# database without this version's schema wait for the one that creates it.
declare -A node_pid
# gate_node NAME: node NAME boots in the background; its stand-in server
# runs until the file release-NAME exists.
gate_node() {
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" KEYCLOAK_STATE_DIR="$tmp/state-$1" \
		JAVA_HOME="$tmp/jdk" POSTGRES_USER=keycloak 'POSTGRES_PASSWORD=db$secret${x}\z' \
		BIND=10.9.8.7 KEYCLOAK_NODE_NAME="$1" DB_ADDR=127.0.0.1 DB_PORT="$port" \
		STANDIN_PID="$tmp/java-$1.pid" STANDIN_HOLD="$tmp/release-$1" \
		"$bin" run >"$tmp/out-$1" 2>"$tmp/err-$1" &
	node_pid[$1]=$!
}
# within SECONDS COMMAND...: COMMAND succeeds within SECONDS.
within() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}
booted() { [ -s "$tmp/java-$1.pid" ]; }
logged() { grep -qsF -- "$2" "$tmp/err-$1"; }
gate_locks() { sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"; }
no_gate_lock() { [ "$(gate_locks)" = 0 ]; }
sessions_of_keycloak() { sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'keycloak'"; }
no_session_of_keycloak() { [ "$(sessions_of_keycloak)" = 0 ]; }
# finish NAME: its server ends; the node's status in finished[NAME].
declare -A finished
finish() {
	touch "$tmp/release-$1"
	finished[$1]=0
	wait "${node_pid[$1]}" 2>/dev/null || finished[$1]=$?
}
creates="this node creates the schema of Keycloak $version"
waits="another node is creating the schema of Keycloak $version; waiting for it"

check "gate: the version is the distribution's ($version)" grep -Eqx '[0-9]+\.[0-9]+\.[0-9]+' <<<"$version"
gate_node a
check "gate: the first node boots at once" within 20 booted a
check "gate: it says it creates the schema" logged a "$creates"
check "gate: it holds the lock while its server boots ($(gate_locks))" [ "$(gate_locks)" = 1 ]
gate_node b
check "gate: the second node says it waits" within 20 logged b "$waits"
sleep 2
check "gate: the second node's server has not started" fails booted b
# An older version's schema (an upgrade on its way) is not this one's.
sql "CREATE TABLE migration_model (id varchar(36) PRIMARY KEY, version varchar(36),
	update_time bigint NOT NULL DEFAULT 0);
	ALTER TABLE migration_model OWNER TO keycloak;
	INSERT INTO migration_model VALUES ('older', '26.0.0')"
sleep 2
check "gate: an older version's row does not open the gate" fails booted b
sql "INSERT INTO migration_model VALUES ('this', '$version')"
check "gate: this version's row lets the second node boot" within 10 booted b
check "gate: the second node says how long it waited" logged b "done waiting for the schema of Keycloak $version"
check "gate: the lock is free while the first server still runs" within 10 no_gate_lock
check "gate: the first node's session is closed while its server still runs" \
	within 10 no_session_of_keycloak
check "gate: the first node's server was still running" kill -0 "$(cat "$tmp/java-a.pid")"
finish a
finish b
check "gate: both nodes end with their servers' status" [ "${finished[a]} ${finished[b]}" = "0 0" ]

# The node that creates the schema dies: a waiting node takes over.
sql "DELETE FROM migration_model"
gate_node c
check "gate: node c creates the schema" within 20 booted c
gate_node d
check "gate: node d waits" within 20 logged d "$waits"
kill -KILL "$(cat "$tmp/java-c.pid")"
check "gate: when c's server dies, d creates the schema" within 10 logged d "$creates"
check "gate: and d's server starts" within 10 booted d
finish c
finish d
check "gate: d ends with its server's status" [ "${finished[d]}" = 0 ]

# The schema is there: no wait, no lock, nothing said.
sql "INSERT INTO migration_model VALUES ('this', '$version')"
check "gate: d's lock is gone with its server" within 10 no_gate_lock
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port"
check "gate: with the schema there, rc=$rc" [ "$rc" = 0 ]
check "gate: with the schema there, nothing about it is logged" fails grep -q 'schema of Keycloak' "$tmp/err"
check "gate: with the schema there, no lock is left" no_gate_lock

# A distribution without version.txt: one warning, and the server starts.
sql "DELETE FROM migration_model"
mv "$home/version.txt" "$tmp/version.txt"
run_entrypoint DB_ADDR=127.0.0.1 DB_PORT="$port"
check "gate: without version.txt, rc=$rc" [ "$rc" = 0 ] && [ -s "$tmp/java.pid" ]
check "gate: without version.txt, one warning names the file" grep -qF \
	"warning: cannot keep the first boots of Keycloak 26 nodes apart: $home/version.txt: No such file or directory" \
	"$tmp/err"
check "gate: without version.txt, no lock is taken" no_gate_lock
mv "$tmp/version.txt" "$home/version.txt"

summary run_26
