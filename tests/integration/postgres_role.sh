#!/bin/bash
# Integration test of the PostgreSQL image's role against real PostgreSQL
# binaries: initialisation, restart, refusals, password handling, recovery
# from an interrupted initialisation. Runs as root (the role drops to the
# "postgres" user, which must exist).
#
# Usage: tests/integration/postgres_role.sh BINARY (run as "BINARY postgres
# ARGS"). PG_BIN: the directory of initdb and postgres (default: pg_config
# --bindir).
set -eu

pg_bin=${PG_BIN:-$(pg_config --bindir)}
server_pid=
# A command prefix that runs the role as another user (empty: root).
as_user=()

# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir
# The role runs as postgres after dropping root: it must reach its files.
chmod 0755 "$tmp"
mkdir "$tmp/sock" "$tmp/tmp"
chmod 1777 "$tmp/sock" "$tmp/tmp"

stop_server() {
	[ -n "$server_pid" ] || return 0
	local pid=$server_pid i=0
	server_pid=
	kill -INT "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "server $pid did not stop within 30 s; killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || return $?
}
at_exit stop_server

bin=${1:?usage: postgres_role.sh BINARY}

# A port nobody listens on, for the servers this test starts.
port=$((20000 + $$ % 20000))
while ss -ltnH "sport = :$port" | grep -q .; do
	port=$((port + 1))
done

# The first error line the role wrote, without the program's prefix.
first_error() {
	grep -m1 '^keycloak-ha-postgres: error: ' "$1" |
		sed 's/^keycloak-ha-postgres: error: //' || true
}

# check_error CASE STDERR_FILE SUBSTRING
check_error() {
	local line
	line=$(first_error "$2")
	case $line in
	*"$3"*) pass ;;
	*) fail "$1: first error line is \"$line\", wanted \"$3\"" ;;
	esac
}

# run_role CASE [NAME=VALUE...]: runs the role in the foreground (for the
# cases that must fail); sets rc, and leaves output in $tmp/CASE.{out,err}.
run_role() {
	local name=$1
	shift
	rc=0
	timeout 60 env -i "PATH=$pg_bin:/usr/bin:/bin" "TMPDIR=$tmp/tmp" "$@" \
		"${as_user[@]}" "$bin" postgres -p "$port" -c "unix_socket_directories=$tmp/sock" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}

# start_role CASE [NAME=VALUE...] [-- ARGS...]: starts the role in the
# background and waits until the server accepts TCP connections.
start_role() {
	local name=$1 i=0
	shift
	local envs=() args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	args=("$@")
	env -i "PATH=$pg_bin:/usr/bin:/bin" "TMPDIR=$tmp/tmp" "${envs[@]}" \
		"${as_user[@]}" "$bin" postgres -p "$port" -c "unix_socket_directories=$tmp/sock" \
		"${args[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	server_pid=$!
	while [ "$i" -lt 600 ]; do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			wait "$server_pid" || true
			server_pid=
			echo "$name: the role exited before the server was ready:" >&2
			tail -n 5 "$tmp/$name.err" >&2
			return 1
		fi
		if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "$name: the server was not ready within 60 s" >&2
	return 1
}

# sql USER PASSWORD DATABASE QUERY: one query over TCP, unaligned output.
sql() {
	env -i "PATH=$pg_bin:/usr/bin:/bin" PGPASSWORD="$2" PGCONNECT_TIMEOUT=5 \
		"$pg_bin/psql" -X -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 \
		-p "$port" -U "$1" -d "$3" -c "$4"
}

# The postmaster is the process the role started: it exec'd, it did not fork.
same_pid() { [ "$(head -n1 "$1/postmaster.pid")" = "$server_pid" ]; }
is_empty_dir() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }
not_in_output() { ! grep -qaF -- "$2" "$tmp/$1.out" "$tmp/$1.err"; }
not_in_files() { ! grep -rqaF -- "$2" "$1"; }
no_staging() {
	[ ! -e "$1/.keycloak-ha-postgres-init" ] &&
		[ ! -e "$1/.keycloak-ha-postgres-ready" ]
}
owner_mode() { [ "$(stat -c %U:%a "$1")" = "$2" ]; }

echo "postgres_role: binary $bin, PostgreSQL from $pg_bin, port $port"

# --- happy path: initialise, log in over TCP, wrong password refused.
pgdata=$tmp/happy/data
password="Happy-$$-secret"
if start_role happy PGDATA="$pgdata" POSTGRES_USER=app POSTGRES_DB=keycloak \
	POSTGRES_PASSWORD="$password" -- -c listen_addresses=127.0.0.1; then
	pass
	check "happy: postgres replaced the role" same_pid "$pgdata"
	check "happy: login as app on keycloak" \
		test "$(sql app "$password" keycloak \
			'SELECT current_user || $$/$$ || current_database()')" = app/keycloak
	check "happy: create a table" sql app "$password" keycloak \
		'CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)' >/dev/null
	if sql app wrong-password keycloak 'SELECT 1' 2>"$tmp/wrong.err"; then
		fail "happy: a wrong password was accepted"
	else
		check "happy: wrong password refused" \
			grep -q 'password authentication failed' "$tmp/wrong.err"
	fi
	check "happy: pg_hba accepts every address" \
		grep -qx 'host all all all scram-sha-256' "$pgdata/pg_hba.conf"
	check "happy: password not in the server's environment" \
		not_in_files "/proc/$server_pid/environ" "$password"
	check "happy: password not in the server's argv" \
		not_in_files "/proc/$server_pid/cmdline" "$password"
	check "happy: PGDATA owned by postgres, mode 700" \
		owner_mode "$pgdata" postgres:700
	check "happy: no staging directory left" no_staging "$pgdata"
	check "happy: stopped cleanly" stop_server
	check "happy: password not in the role's output" not_in_output happy "$password"
	check "happy: password not in any file of PGDATA" not_in_files "$pgdata" "$password"
	check "happy: temporary directory removed" is_empty_dir "$tmp/tmp"
else
	fail "happy: server did not come up"
	stop_server || true
fi

# --- restart: no initialisation, no password needed, data kept.
if start_role restart PGDATA="$pgdata" POSTGRES_USER=app POSTGRES_DB=keycloak \
	-- -c listen_addresses=127.0.0.1; then
	pass
	check "restart: not initialised again" \
		not_in_output restart "initialising"
	check "restart: data kept" \
		test "$(sql app "$password" keycloak 'SELECT v FROM kept')" = 42
	check "restart: stopped cleanly" stop_server
else
	fail "restart: server did not come up"
	stop_server || true
fi

# --- an existing cluster, but no postgres on PATH.
rc=0
timeout 60 env -i PATH=/usr/bin:/bin PGDATA="$pgdata" "$bin" postgres \
	>"$tmp/noexec.out" 2>"$tmp/noexec.err" || rc=$?
check "noexec: exit 127 (got $rc)" test "$rc" = 127
check_error noexec "$tmp/noexec.err" "postgres: not found on PATH"

# --- missing password: refused, nothing created.
run_role nopass PGDATA="$tmp/nopass/data"
check "nopass: exit 78 (got $rc)" test "$rc" = 78
check_error nopass "$tmp/nopass.err" "POSTGRES_PASSWORD"
check "nopass: PGDATA not created" test ! -e "$tmp/nopass/data"
mkdir -p "$tmp/nopass2"
run_role nopass2 PGDATA="$tmp/nopass2"
check "nopass2: exit 78 (got $rc)" test "$rc" = 78
check "nopass2: PGDATA still empty" is_empty_dir "$tmp/nopass2"
check "nopass2: PGDATA still root's" owner_mode "$tmp/nopass2" root:755

# --- trust, explicitly: no password, listen addresses from the environment.
pgdata=$tmp/trust/data
if start_role trust PGDATA="$pgdata" POSTGRES_HOST_AUTH_METHOD=trust \
	POSTGRES_LISTEN_ADDRESSES=127.0.0.1; then
	pass
	check "trust: login without a password" \
		test "$(sql postgres '' postgres 'SELECT current_user')" = postgres
	check "trust: pg_hba trusts every address" \
		grep -qx 'host all all all trust' "$pgdata/pg_hba.conf"
	check "trust: stopped cleanly" stop_server
else
	fail "trust: server did not come up"
	stop_server || true
fi

# --- conflicting and invalid settings.
run_role dbconflict PGDATA="$tmp/dbconflict" POSTGRES_PASSWORD=x \
	POSTGRES_DB=one POSTGRES_DATABASE=two
check "dbconflict: exit 78 (got $rc)" test "$rc" = 78
check_error dbconflict "$tmp/dbconflict.err" "POSTGRES_DB and POSTGRES_DATABASE"
check "dbconflict: PGDATA not created" test ! -e "$tmp/dbconflict"

printf 'from-file\n' >"$tmp/pwfile"
run_role bothpw PGDATA="$tmp/bothpw" POSTGRES_PASSWORD=x \
	POSTGRES_PASSWORD_FILE="$tmp/pwfile"
check "bothpw: exit 78 (got $rc)" test "$rc" = 78
check_error bothpw "$tmp/bothpw.err" "POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE"

run_role nofile PGDATA="$tmp/nofile" POSTGRES_PASSWORD_FILE="$tmp/missing"
check "nofile: exit 66 (got $rc)" test "$rc" = 66
check_error nofile "$tmp/nofile.err" "POSTGRES_PASSWORD_FILE: cannot read $tmp/missing: No such file or directory"

run_role dirfile PGDATA="$tmp/dirfile" POSTGRES_PASSWORD_FILE="$tmp/sock"
check "dirfile: exit 66 (got $rc)" test "$rc" = 66
check_error dirfile "$tmp/dirfile.err" "POSTGRES_PASSWORD_FILE: cannot read $tmp/sock: Is a directory"

run_role badauth PGDATA="$tmp/badauth" POSTGRES_PASSWORD=x \
	POSTGRES_HOST_AUTH_METHOD=password
check "badauth: exit 78 (got $rc)" test "$rc" = 78
check_error badauth "$tmp/badauth.err" "POSTGRES_HOST_AUTH_METHOD=password"

run_role longuser PGDATA="$tmp/longuser" POSTGRES_PASSWORD=x \
	POSTGRES_USER="$(printf 'u%.0s' {1..64})"
check "longuser: exit 78 (got $rc)" test "$rc" = 78
check_error longuser "$tmp/longuser.err" "POSTGRES_USER is longer than 63 bytes"

run_role pguser PGDATA="$tmp/pguser" POSTGRES_PASSWORD=x POSTGRES_USER=pg_admin
check "pguser: exit 78 (got $rc)" test "$rc" = 78
check_error pguser "$tmp/pguser.err" "POSTGRES_USER=pg_admin: names beginning with pg_"

# A system call fails (exit 71): PGDATA lies below a regular file, so
# looking at it fails with ENOTDIR; nothing is created.
: >"$tmp/plainfile"
run_role underfile PGDATA="$tmp/plainfile/data" POSTGRES_PASSWORD=x
check "underfile: exit 71 (got $rc)" test "$rc" = 71
check_error underfile "$tmp/underfile.err" "PGDATA=$tmp/plainfile/data: Not a directory"
check "underfile: nothing created" test -f "$tmp/plainfile" -a ! -s "$tmp/plainfile"

# --- not root: the role runs as the user it is started as.
pgdata=$tmp/nobody
mkdir "$pgdata"
chown nobody "$pgdata"
as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
if start_role nobody PGDATA="$pgdata" POSTGRES_PASSWORD="$$-nobody" \
	-- -c listen_addresses=127.0.0.1; then
	pass
	check "nobody: login" \
		test "$(sql postgres "$$-nobody" postgres 'SELECT 1')" = 1
	check "nobody: files belong to nobody" \
		owner_mode "$pgdata/PG_VERSION" nobody:600
	check "nobody: PGDATA mode tightened to 700" owner_mode "$pgdata" nobody:700
	check "nobody: stopped cleanly" stop_server
else
	fail "nobody: server did not come up"
	stop_server || true
fi

# --- not root, PGDATA belonging to someone else: refused, with the reason.
mkdir -p "$tmp/notmine"
as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
run_role notmine PGDATA="$tmp/notmine" POSTGRES_PASSWORD=x
as_user=()
check "notmine: exit 78 (got $rc)" test "$rc" = 78
check_error notmine "$tmp/notmine.err" "PGDATA=$tmp/notmine: owned by user id 0"

# --- not root, with a user id that has no passwd entry: initdb cannot
# work, and the message says why.
mkdir "$tmp/nouser"
chown 54321 "$tmp/nouser"
as_user=(setpriv --reuid=54321 --regid=54321 --clear-groups)
run_role nouser PGDATA="$tmp/nouser" POSTGRES_PASSWORD=x
as_user=()
check "nouser: exit 73 (got $rc)" test "$rc" = 73
check_error nouser "$tmp/nouser.err" "user id 54321 has no entry in the user database"
check "nouser: PGDATA left empty" is_empty_dir "$tmp/nouser"

# --- non-empty PGDATA without PG_VERSION: refused, untouched.
mkdir -p "$tmp/foreign"
echo precious >"$tmp/foreign/notes.txt"
before=$(cd "$tmp/foreign" && ls -lA --time-style=full-iso . && sha256sum notes.txt)
run_role foreign PGDATA="$tmp/foreign" POSTGRES_PASSWORD=x
after=$(cd "$tmp/foreign" && ls -lA --time-style=full-iso . && sha256sum notes.txt)
check "foreign: exit 78 (got $rc)" test "$rc" = 78
check_error foreign "$tmp/foreign.err" "PGDATA=$tmp/foreign: not empty"
check "foreign: untouched" test "$before" = "$after"

# --- a password with quotes, backslash, spaces and non-ASCII, from a file;
# a database name that needs quoting, by its older variable name.
pgdata=$tmp/special/data
password=$(printf '%s' "it's a \"quoted\" \\ pass wörd €%s \$HOME")
printf '%s\n' "$password" >"$tmp/special.pw"
database='we"ird db'
if start_role special PGDATA="$pgdata" POSTGRES_USER=keycloak \
	POSTGRES_DATABASE="$database" POSTGRES_PASSWORD_FILE="$tmp/special.pw" \
	-- -c listen_addresses=127.0.0.1; then
	pass
	check "special: login with the password" \
		test "$(sql keycloak "$password" "$database" \
			'SELECT current_database()')" = "$database"
	check "special: database owned by the user" \
		test "$(sql keycloak "$password" "$database" \
			"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")" = keycloak
	if sql keycloak "${password% *}" "$database" 'SELECT 1' 2>/dev/null; then
		fail "special: a truncated password was accepted"
	else
		pass
	fi
	check "special: stopped cleanly" stop_server
	check "special: password not in the role's output" \
		not_in_output special "$password"
	check "special: password not in any file of PGDATA" \
		not_in_files "$pgdata" "$password"
else
	fail "special: server did not come up"
	stop_server || true
fi

# --- a failure half way (the temporary server cannot start): exit 73 and
# nothing half-written left in PGDATA. initdb finds its own postgres next
# to itself; only the role's lookup on PATH sees the broken one.
mkdir -p "$tmp/broken-bin" "$tmp/halfway"
ln -s "$pg_bin/initdb" "$tmp/broken-bin/initdb"
printf '#!/bin/sh\necho "broken postgres" >&2\nexit 1\n' >"$tmp/broken-bin/postgres"
chmod 0755 "$tmp/broken-bin/postgres"
rc=0
timeout 60 env -i "PATH=$tmp/broken-bin:/usr/bin:/bin" "TMPDIR=$tmp/tmp" \
	PGDATA="$tmp/halfway" POSTGRES_PASSWORD="$$-halfway" "$bin" postgres \
	>"$tmp/halfway.out" 2>"$tmp/halfway.err" || rc=$?
check "halfway: exit 73 (got $rc)" test "$rc" = 73
check_error halfway "$tmp/halfway.err" "the temporary server exited (exit status 1)"
check "halfway: PGDATA left empty" is_empty_dir "$tmp/halfway"
check "halfway: temporary directory removed" is_empty_dir "$tmp/tmp"

# --- a container stop (SIGTERM) during initialisation: initdb or the
# temporary server is stopped, nothing is left behind.
mkdir -p "$tmp/stopped"
timeout 90 env -i "PATH=$pg_bin:/usr/bin:/bin" "TMPDIR=$tmp/tmp" \
	PGDATA="$tmp/stopped" \
	POSTGRES_PASSWORD=x "$bin" postgres >"$tmp/stopped.out" \
	2>"$tmp/stopped.err" &
role_pid=$!
i=0
while [ ! -e "$tmp/stopped/.keycloak-ha-postgres-init" ] && [ "$i" -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -TERM "$role_pid"
rc=0
wait "$role_pid" || rc=$?
check "stopped: exit 73 (got $rc)" test "$rc" = 73
check_error stopped "$tmp/stopped.err" "interrupted by a signal"
check "stopped: PGDATA left empty" is_empty_dir "$tmp/stopped"
check "stopped: temporary directory removed" is_empty_dir "$tmp/tmp"

# --- a start killed during initialisation left its staging directory: the
# next start discards it and initialises.
pgdata=$tmp/leftover
mkdir -p "$pgdata/.keycloak-ha-postgres-init/base"
echo 15 >"$pgdata/.keycloak-ha-postgres-init/PG_VERSION"
chown -R postgres "$pgdata"
if start_role leftover PGDATA="$pgdata" POSTGRES_PASSWORD="$$-leftover" \
	-- -c listen_addresses=127.0.0.1; then
	pass
	check "leftover: initialised" grep -q initialising "$tmp/leftover.err"
	check "leftover: login" \
		test "$(sql postgres "$$-leftover" postgres 'SELECT 1')" = 1
	check "leftover: no staging directory left" no_staging "$pgdata"
	check "leftover: stopped cleanly" stop_server
else
	fail "leftover: server did not come up"
	stop_server || true
fi

# --- a start killed while moving the finished cluster into place: the next
# start finishes the move (PG_VERSION is moved last, so it is still staged).
pgdata=$tmp/resume
mkdir -p "$pgdata/.keycloak-ha-postgres-ready"
cp -a "$tmp/happy/data/." "$pgdata/"
rm -f "$pgdata/postmaster.pid"
for entry in PG_VERSION base global pg_hba.conf pg_wal; do
	mv "$pgdata/$entry" "$pgdata/.keycloak-ha-postgres-ready/"
done
chown -R postgres:postgres "$pgdata"
if start_role resume PGDATA="$pgdata" -- -c listen_addresses=127.0.0.1; then
	pass
	check "resume: not initialised again" not_in_output resume "initialising"
	check "resume: data kept" \
		test "$(sql app "Happy-$$-secret" keycloak 'SELECT v FROM kept')" = 42
	check "resume: no staging directory left" no_staging "$pgdata"
	check "resume: stopped cleanly" stop_server
else
	fail "resume: server did not come up"
	stop_server || true
fi

summary postgres_role
