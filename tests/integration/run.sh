#!/bin/bash
# "run" end to end on this machine, against a real PostgreSQL server that the
# test starts on loopback and the distribution's real standalone-ha.xml; the
# server program is a stand-in java (a script that records how it was
# started), because what is checked here is the hand-over: configuration
# written completely and privately, admin user file, the wait, then exec
# (same pid), with no secret in the server's arguments or environment. The
# real server is started by the image tests.
#
# Usage: tests/integration/run.sh BINARY KEYCLOAK_HOME
set -eu

bin=${1:?usage: run.sh BINARY KEYCLOAK_HOME}
dist_home=${2:?usage: run.sh BINARY KEYCLOAK_HOME}
# shellcheck source=tests/lib/pgserver.sh
. "$(dirname "$0")/../lib/pgserver.sh"

scratch_dir
port=$((20000 + RANDOM % 20000))
unmount_small() { umount "$tmp/small" 2>/dev/null; }
at_exit unmount_small
stop_writer() { [ -z "${writer:-}" ] || kill "$writer" 2>/dev/null; }
at_exit stop_writer
CHECK_DETAIL=$tmp/err

pg_init "$tmp/pg" "$port"
pg_start "$tmp/pg"
pg_psql "$tmp/pg" "CREATE ROLE keycloak LOGIN PASSWORD 'db-secret-<&>'"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"

# A server directory with the distribution's real configuration file.
home=$tmp/keycloak
mkdir -p "$home/standalone/configuration"
cp "$dist_home/standalone/configuration/standalone-ha.xml" "$home/standalone/configuration/"
orig_sum=$(sha256sum <"$home/standalone/configuration/standalone-ha.xml")

# The stand-in java: records its pid, arguments and environment.
mkdir -p "$tmp/jdk/bin"
cat >"$tmp/jdk/bin/java" <<STANDIN
#!/bin/sh
echo \$\$ >"$tmp/java.pid"
printf '%s\n' "\$@" >"$tmp/java.args"
env >"$tmp/java.env"
exit 0
STANDIN
chmod +x "$tmp/jdk/bin/java"

run_entrypoint() {
	set +e
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" JAVA_HOME="$tmp/jdk" \
		POSTGRES_DATABASE=keycloak POSTGRES_USER=keycloak 'POSTGRES_PASSWORD=db-secret-<&>' \
		DB_ADDR=127.0.0.1 DB_PORT="$port" BIND=10.9.8.7 KEYCLOAK_USER=admin \
		KEYCLOAK_PASSWORD=admin-secret-pw POSTGRES_ENV_POSTGRES_PASSWORD=db-secret-link \
		DB_WAIT_TIMEOUT=20 "$@" "$bin" run >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait "$pid"
	rc=$?
	set -e
}

# 1. The happy path: exec, same process.
run_entrypoint
conf=$home/standalone/configuration
check "run exits with the server's status (rc=$rc)" [ "$rc" = 0 ]
check "java was exec'd in the same process" [ "$(cat "$tmp/java.pid" 2>/dev/null)" = "$pid" ]
check "standalone-ha.xml is mode 600" [ "$(stat -c %a "$conf/standalone-ha.xml")" = 600 ]
check "the pristine copy is the distribution's file" [ "$(sha256sum <"$conf/standalone-ha.xml.dist")" = "$orig_sum" ]
check "the configuration is well-formed XML" xmllint --noout "$conf/standalone-ha.xml"
check "the datasource points at the test server" grep -qF "jdbc:postgresql://127.0.0.1:$port/keycloak" "$conf/standalone-ha.xml"
check "the password is XML-escaped in the file" grep -qF "<password>db-secret-&lt;&amp;&gt;</password>" "$conf/standalone-ha.xml"
check "keycloak-add-user.json is mode 600" [ "$(stat -c %a "$conf/keycloak-add-user.json")" = 600 ]
check "keycloak-add-user.json names the admin" grep -qF '"username":"admin"' "$conf/keycloak-add-user.json"
check "keycloak-add-user.json holds no clear password" fails grep -qF admin-secret-pw "$conf/keycloak-add-user.json"
check "no secret in the server's arguments" fails grep -qE 'db-secret|admin-secret' "$tmp/java.args"
check "no secret in the server's environment" fails grep -qE 'db-secret|admin-secret|PASSWORD' "$tmp/java.env"
check "no secret in the entrypoint's output" fails grep -qE 'db-secret|admin-secret' "$tmp/err" "$tmp/out"
check "the server gets its node name" grep -qx -- "-Djboss.bind.address.private=10.9.8.7" "$tmp/java.args"
check "no temporary files left" bash -c "! ls '$conf' | grep -q tmp"

# 2. A restart with other settings renders from the pristine copy again.
run_entrypoint CACHE_OWNERS_COUNT=3 JGROUPS_DISCOVERY_PROTOCOL=MPING
check "restart re-renders: owners=3" grep -qF 'name="sessions" owners="3"' "$conf/standalone-ha.xml"
check "restart re-renders: MPING, no JDBC_PING left" bash -c "grep -q MPING '$conf/standalone-ha.xml' && ! grep -q JDBC_PING '$conf/standalone-ha.xml'"
check "the pristine copy is unchanged" [ "$(sha256sum <"$conf/standalone-ha.xml.dist")" = "$orig_sum" ]

# 3. Database refuses: exit 77, the server is not started.
rm -f "$tmp/java.pid"
run_entrypoint POSTGRES_PASSWORD=wrong
check "wrong password: exit 77 (rc=$rc)" [ "$rc" = 77 ]
check "wrong password: server not started" [ ! -e "$tmp/java.pid" ]

# 4. Database unreachable: exit 69 after DB_WAIT_TIMEOUT.
run_entrypoint DB_PORT=1 DB_WAIT_TIMEOUT=1
check "unreachable: exit 69 (rc=$rc)" [ "$rc" = 69 ]
check "unreachable: server not started" [ ! -e "$tmp/java.pid" ]

# 5. Server program missing or not executable: 127 / 126.
run_entrypoint JAVA_HOME="$tmp/nojdk"
check "java missing: exit 127 (rc=$rc)" [ "$rc" = 127 ]
chmod -x "$tmp/jdk/bin/java"
run_entrypoint
check "java not executable: exit 126 (rc=$rc)" [ "$rc" = 126 ]
chmod +x "$tmp/jdk/bin/java"

# 6. Configuration cannot be written (a directory in its way makes the
# rename fail): exit 73, and no temporary file is left behind.
mv "$conf/standalone-ha.xml" "$tmp/saved.xml"
mkdir "$conf/standalone-ha.xml"
run_entrypoint
check "cannot write: exit 73 (rc=$rc)" [ "$rc" = 73 ]
check "cannot write: message names the file" grep -q "cannot write $conf/standalone-ha.xml" "$tmp/err"
check "cannot write: no temporary file left" bash -c "! ls '$conf' | grep -q tmp"
rmdir "$conf/standalone-ha.xml"
mv "$tmp/saved.xml" "$conf/standalone-ha.xml"

# 7. A full disk: the new configuration cannot be written (exit 73), and the
# previous complete file is still there, byte for byte. Needs root (a small
# tmpfs of its own).
if [ "$(id -u)" = 0 ]; then
	small=$tmp/small
	mkdir -p "$small"
	mount -t tmpfs -o size=256k tmpfs "$small"
	mkdir -p "$small/standalone/configuration"
	cp "$dist_home/standalone/configuration/standalone-ha.xml" "$small/standalone/configuration/"
	run_entrypoint KEYCLOAK_HOME="$small"
	first_rc=$rc
	before=$(sha256sum <"$small/standalone/configuration/standalone-ha.xml")
	# Leave less room than one more configuration file needs.
	avail=$(df -k --output=avail "$small" | tail -n 1)
	fill=$((avail - 16))
	if [ "$fill" -gt 0 ]; then
		dd if=/dev/zero of="$small/filler" bs=1k count="$fill" status=none 2>/dev/null || true
	fi
	run_entrypoint KEYCLOAK_HOME="$small" CACHE_OWNERS_COUNT=3
	check "full disk: first run worked (rc=$first_rc)" [ "$first_rc" = 0 ]
	check "full disk: exit 73 (rc=$rc)" [ "$rc" = 73 ]
	check "full disk: message says why" grep -q 'No space left on device' "$tmp/err"
	check "full disk: previous configuration intact" [ "$(sha256sum <"$small/standalone/configuration/standalone-ha.xml")" = "$before" ]
	check "full disk: no temporary file left" bash -c "! ls '$small/standalone/configuration' | grep -q tmp"
	umount "$small"
fi

# 8. The distribution's file is missing: exit 66.
run_entrypoint KEYCLOAK_HOME="$tmp/empty"
check "no distribution file: exit 66 (rc=$rc)" [ "$rc" = 66 ]

# 9. The admin user already exists: the entrypoint asks the database (the
# two tables and columns of Keycloak's schema it reads), says so, writes no
# admin file and removes a stale one. Keycloak keeps user names in lower case.
pg_psql "$tmp/pg" "ALTER DATABASE keycloak SET search_path = public"
pg_as "$PG_BIN/psql" -h "$tmp/pg" -p "$port" -U postgres -d keycloak -v ON_ERROR_STOP=1 -qAt -c \
	"CREATE TABLE realm (id varchar(36) PRIMARY KEY, name varchar(255));
	 CREATE TABLE user_entity (id varchar(36) PRIMARY KEY, username varchar(255), realm_id varchar(255));
	 GRANT SELECT ON realm, user_entity TO keycloak;
	 INSERT INTO realm VALUES ('r-master', 'master'), ('r-other', 'other');
	 INSERT INTO user_entity VALUES ('u1', 'admin', 'r-other')"
rm -f "$conf/keycloak-add-user.json"
run_entrypoint
check "schema without the admin: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "schema without the admin: the admin file is written" [ -f "$conf/keycloak-add-user.json" ]
pg_as "$PG_BIN/psql" -h "$tmp/pg" -p "$port" -U postgres -d keycloak -v ON_ERROR_STOP=1 -qAt -c \
	"INSERT INTO user_entity VALUES ('u2', 'admin', 'r-master')"
run_entrypoint KEYCLOAK_USER=Admin
check "admin exists: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "admin exists: one log line says so" \
	[ "$(grep -c 'admin user Admin exists in the master realm; not adding it' "$tmp/err")" = 1 ]
check "admin exists: the stale admin file is removed" [ ! -e "$conf/keycloak-add-user.json" ]
check "admin exists: the server is started" [ "$(cat "$tmp/java.pid" 2>/dev/null)" = "$pid" ]
run_entrypoint
check "admin exists, second restart: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "admin exists, second restart: no admin file" [ ! -e "$conf/keycloak-add-user.json" ]
check "no secret in the entrypoint's output" fails grep -qE 'db-secret|admin-secret' "$tmp/err" "$tmp/out"

# 10. A state directory apart from the server directory: the server
# directory is only read; the state directory gets the configuration files,
# the rendered configuration and the admin file, privately, and the server
# is told where its directories are.
state=$tmp/state
pg_psql "$tmp/pg" "DROP DATABASE keycloak"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"
cp "$dist_home/standalone/configuration/logging.properties" "$conf/"
before=$(cd "$home" && find . -type f -exec sha256sum {} + | sort)
run_entrypoint KEYCLOAK_STATE_DIR="$state"
check "state dir: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "state dir: the server directory is unchanged" \
	[ "$(cd "$home" && find . -type f -exec sha256sum {} + | sort)" = "$before" ]
check "state dir: standalone-ha.xml is rendered there, mode 600" \
	[ "$(stat -c %a "$state/configuration/standalone-ha.xml" 2>&1)" = 600 ]
check "state dir: the datasource points at the test server" \
	grep -qF "jdbc:postgresql://127.0.0.1:$port/keycloak" "$state/configuration/standalone-ha.xml"
check "state dir: configuration files are copied, mode 600" \
	[ "$(stat -c %a "$state/configuration/logging.properties" 2>&1)" = 600 ]
check "state dir: the admin file is there" [ -f "$state/configuration/keycloak-add-user.json" ]
mkdir -p "$home/standalone/deployments"
echo provider >"$home/standalone/deployments/provider.jar"
run_entrypoint KEYCLOAK_STATE_DIR="$state"
check "state dir: restart: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "state dir: deployments are linked" \
	[ "$(readlink "$state/deployments/provider.jar")" = "$home/standalone/deployments/provider.jar" ]
check "state dir: configuration, data, deployments, log, tmp are mode 700" \
	[ "$(cd "$state" && stat -c %a configuration data deployments log tmp | sort -u)" = 700 ]
for prop in "jboss.server.base.dir=$state" \
	"org.jboss.boot.log.file=$state/log/server.log" \
	"logging.configuration=file:$state/configuration/logging.properties"; do
	check "state dir: the server gets -D$prop" grep -qxF -- "-D$prop" "$tmp/java.args"
done
sec=$state/configuration/keycloak-ha-java.security
check "state dir: the JVM security properties are there, mode 600" \
	[ "$(stat -c %a "$sec" 2>&1)" = 600 ]
check "state dir: the server gets -Djava.security.properties=$sec" \
	grep -qxF -- "-Djava.security.properties=$sec" "$tmp/java.args"
# A real JVM given the file forgets failed name lookups (its own
# java.security says 10 s) and keeps an answer 5 s, not 30 s (so a database
# back at a new address is reached soon). tests/lib/host-setup installs a JDK.
if check "a JDK is installed" command -v java; then
	cat >"$tmp/Ttl.java" <<'JAVA'
public class Ttl {
	public static void main(String[] a) {
		System.out.println(java.security.Security.getProperty("networkaddress.cache.negative.ttl")
			+ " " + java.security.Security.getProperty("networkaddress.cache.ttl"));
	}
}
JAVA
	ttl=$(java -Djava.security.properties="$sec" "$tmp/Ttl.java" 2>&1)
	check "state dir: java reads networkaddress.cache.negative.ttl=0 and cache.ttl=5 from it (got $ttl)" \
		[ "$ttl" = "0 5" ]
	ttl=$(java "$tmp/Ttl.java" 2>&1)
	check "control: java without it remembers a failed lookup 10 s, an answer for its default (got $ttl)" \
		[ "$ttl" = "10 null" ]
fi
# The file cannot be written (a directory in its way): exit 73, naming it,
# and the server is not started.
rm "$sec" && mkdir "$sec" && rm -f "$tmp/java.args"
run_entrypoint KEYCLOAK_STATE_DIR="$state"
check "security properties cannot be written: exit 73 (rc=$rc)" [ "$rc" = 73 ]
check "security properties cannot be written: message names the file" \
	grep -q "cannot write $sec" "$tmp/err"
check "security properties cannot be written: the server is not started" \
	[ ! -e "$tmp/java.args" ]
rmdir "$sec"
run_entrypoint
check "default layout: the distribution's base directory" \
	grep -qxF -- "-Djboss.server.base.dir=$home/standalone" "$tmp/java.args"
run_entrypoint KEYCLOAK_STATE_DIR="$tmp/nostate/sub"
check "state dir that cannot be created: exit 73 (rc=$rc)" [ "$rc" = 73 ]
check "state dir that cannot be created: message names it" \
	grep -q "KEYCLOAK_STATE_DIR: cannot create $tmp/nostate/sub" "$tmp/err"
run_entrypoint KEYCLOAK_STATE_DIR=relative
check "relative state dir: exit 78 (rc=$rc)" [ "$rc" = 78 ]

# 11. A uid without a passwd entry (an arbitrary uid): Java would make
# user.home "?", so the server is given the state directory; a uid with an
# entry is not.
dry_run() {
	env -i PATH=/usr/bin:/bin KEYCLOAK_STATE_DIR=/state JAVA_HOME=/nojdk DB_PASSWORD=x \
		BIND=10.9.8.7 "$@" run --dry-run
}
if [ "$(id -u)" = 0 ]; then
	check "no passwd entry: user.home is the state directory" grep -qx -- -Duser.home=/state \
		<(dry_run setpriv --reuid=54321 --regid=0 --clear-groups "$bin")
fi
check "passwd entry: user.home left to Java" fails grep -q -- -Duser.home <(dry_run "$bin")

# 12. Discovery rows of members that are gone. Before the server starts,
# every JGROUPSPING row is watched: one that a live coordinator rewrites
# (JDBC_PING deletes and inserts it every 2 s) stays, one that is not
# rewritten until it is 5 s old is deleted. The table is the one the
# rendered initialize_sql creates; a loop of the same delete and insert as
# JDBC_PING's stands in for a live coordinator.
kc_sql() {
	pg_as "$PG_BIN/psql" -h "$tmp/pg" -p "$port" -U postgres -d keycloak \
		-v ON_ERROR_STOP=1 -qAt -c "$*"
}
# elapsed_run: run_entrypoint, and the seconds it took in $took.
elapsed_run() {
	local t0=$EPOCHREALTIME
	run_entrypoint
	took=$(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
}
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
ping_row() {	# ping_row SCHEMA ADDR CLUSTER AGE
	kc_sql "INSERT INTO $1.jgroupsping (own_addr, cluster_name, ping_data, updated)
		VALUES ('$2', '$3', '\\x00', now() - interval '$4')"
}
rows() { kc_sql "SELECT string_agg(own_addr, ' ' ORDER BY own_addr) FROM ${1:-public}.jgroupsping"; }

run_entrypoint
check "discovery rows: no table: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "discovery rows: no table: nothing is said about rows" fails grep -q JGROUPSPING "$tmp/err"
ddl=$(xmllint --xpath "string(//*[local-name()='property'][@name='initialize_sql'])" \
	"$conf/standalone-ha.xml")
check "discovery rows: the rendered initialize_sql creates the table" \
	pg_as "$PG_BIN/psql" -h "$tmp/pg" -p "$port" -U postgres -d keycloak -v ON_ERROR_STOP=1 \
	-qAt -c "SET client_min_messages = warning; SET ROLE keycloak; $ddl"

# A live member, rewritten every second while the entrypoint runs.
coordinator() {
	while :; do
		kc_sql "DELETE FROM $1.jgroupsping WHERE own_addr = 'live';
			INSERT INTO $1.jgroupsping (own_addr, cluster_name, ping_data)
			VALUES ('live', 'ejb', '\\x01')" || true
		sleep 1
	done
}
coordinator public &
writer=$!
ping_row public crashed-3s-ago ejb '3 seconds'
ping_row public crashed-long-ago ejb '1 hour'
ping_row public other-cluster-crashed other '1 second'
ping_row public crashed-just-now ejb '0 seconds'
elapsed_run
figure_crash=$took
check "crashed members: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "crashed members: the server is started" [ "$(cat "$tmp/java.pid" 2>/dev/null)" = "$pid" ]
check "crashed members: only the live member's row is left (got $(rows))" \
	[ "$(rows)" = live ]
check "crashed members: one line says how many rows were removed" \
	grep -qx 'keycloak-ha-postgres: info: removed 4 rows of members that are gone from JGROUPSPING (not rewritten for 5 s)' "$tmp/err"
# The newest dead row was written just before the entrypoint started, and
# is deleted once it is 5 s old by the server's clock: not at once.
check "crashed members: the newest dead row was watched until it was 5 s old ($took s)" \
	at_least "$took" 4.5
check "crashed members: and not much longer ($took s)" below "$took" 15

elapsed_run
check "live cluster: its row stays (got $(rows))" [ "$(rows)" = live ]
check "live cluster: nothing is removed" fails grep -q 'removed' "$tmp/err"
check "live cluster: the wait ends at the row's rewrite, before 5 s ($took s)" below "$took" 5
echo "figure: ping_rows_wait_crashed = $figure_crash s"
echo "figure: ping_rows_wait_live = $took s"
kill "$writer"
wait "$writer" 2>/dev/null || true
writer=

# Rows that this project's settings do not keep are left alone: another
# discovery protocol, or JDBC_PING with its writer or statements changed.
ping_row public crashed ejb '1 hour'
run_entrypoint JGROUPS_DISCOVERY_PROTOCOL=TCPPING 'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=a[7600]'
check "TCPPING: the rows are not touched (got $(rows))" [ "$(rows)" = "crashed live" ]
run_entrypoint JGROUPS_DISCOVERY_PROPERTIES=info_writer_sleep_time=60000
check "JDBC_PING with its own writer period: the rows are not touched (got $(rows))" \
	[ "$(rows)" = "crashed live" ]

# DB_SCHEMA: the rows in that schema are the server's.
kc_sql "CREATE SCHEMA kc AUTHORIZATION keycloak"
pg_as "$PG_BIN/psql" -h "$tmp/pg" -p "$port" -U postgres -d keycloak -v ON_ERROR_STOP=1 \
	-qAt -c "SET client_min_messages = warning; SET ROLE keycloak; SET search_path = kc; $ddl"
ping_row kc crashed-in-kc ejb '1 hour'
run_entrypoint DB_SCHEMA=kc
check "DB_SCHEMA: the schema's dead row is removed (got '$(rows kc)')" [ -z "$(rows kc)" ]
check "DB_SCHEMA: the rows in public are not touched (got $(rows))" [ "$(rows)" = "crashed live" ]

# An older table without the column updated: not the project's rows.
kc_sql "CREATE SCHEMA old AUTHORIZATION keycloak;
	CREATE TABLE old.jgroupsping (own_addr varchar(200), cluster_name varchar(200), ping_data bytea);
	INSERT INTO old.jgroupsping VALUES ('older', 'ejb', '\\x00');
	GRANT ALL ON old.jgroupsping TO keycloak"
run_entrypoint DB_SCHEMA=old
check "table without the column updated: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "table without the column updated: no warning" fails grep -q warning "$tmp/err"
check "table without the column updated: its row stays" \
	[ "$(kc_sql "SELECT own_addr FROM old.jgroupsping")" = older ]

# The rows cannot be deleted (the role may only read them): one warning line
# that says why, the rows stay, and the server starts anyway.
kc_sql "CREATE SCHEMA ro; GRANT USAGE ON SCHEMA ro TO keycloak"
pg_as "$PG_BIN/psql" -h "$tmp/pg" -p "$port" -U postgres -d keycloak -v ON_ERROR_STOP=1 \
	-qAt -c "SET client_min_messages = warning; SET search_path = ro; $ddl; GRANT SELECT ON ro.jgroupsping TO keycloak"
ping_row ro crashed-read-only ejb '1 hour'
run_entrypoint DB_SCHEMA=ro
check "read-only rows: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "read-only rows: the server is started" [ "$(cat "$tmp/java.pid" 2>/dev/null)" = "$pid" ]
check "read-only rows: one warning line names the table and says why" \
	grep -qx 'keycloak-ha-postgres: warning: cannot remove the rows of members that are gone from JGROUPSPING: permission denied for table jgroupsping (SQLSTATE 42501)' "$tmp/err"
check "read-only rows: the row stays" [ "$(rows ro)" = crashed-read-only ]
check "no secret in the entrypoint's output" fails grep -qE 'db-secret|admin-secret' "$tmp/err" "$tmp/out"

summary run
