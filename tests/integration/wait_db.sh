#!/bin/bash
# wait-db against a real PostgreSQL server that this test starts on
# loopback: the happy path, a server started late, a wrong password, a
# missing role and database (all fail fast with a message that says which),
# an unreachable server and an unresolvable name (retried until the deadline).
#
# Usage: tests/integration/wait_db.sh BINARY
set -eu

bin=${1:?usage: wait_db.sh BINARY}
# shellcheck source=tests/lib/pgserver.sh
. "$(dirname "$0")/../lib/pgserver.sh"

scratch_dir
port=$((20000 + RANDOM % 20000))
stop_waiter() { [ -z "${waiter:-}" ] || kill "$waiter" 2>/dev/null; }
at_exit stop_waiter
CHECK_DETAIL=$tmp/err

now_ms() { date +%s%3N; }

# wait_db [NAME=VALUE...]: run wait-db with the test server's settings,
# overridden by the arguments.
wait_db() {
	set +e
	env -i PATH=/usr/bin:/bin DB_ADDR=127.0.0.1 DB_PORT="$port" DB_DATABASE=keycloak \
		DB_USER=keycloak DB_PASSWORD='pa ss"word' BIND=10.0.0.5 DB_WAIT_TIMEOUT=30 \
		"$@" "$bin" wait-db >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
}

pg_init "$tmp/pg" "$port"
pg_start "$tmp/pg"
pg_psql "$tmp/pg" "CREATE ROLE keycloak LOGIN PASSWORD 'pa ss\"word'"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"

# 1. Happy path: exit 0 at once, and say so.
t0=$(now_ms)
wait_db
t1=$(now_ms)
if [ "$rc" = 0 ] && grep -q "database keycloak on 127.0.0.1:$port accepts the login of keycloak" "$tmp/err"; then pass; else fail "happy path (rc=$rc)"; fi
echo "wait-db: happy path took $((t1 - t0)) ms"

# 1b. Several servers (DB_ADDR=host:port,...): the first that accepts the
# login counts; a closed port before it is passed over.
wait_db DB_ADDR="127.0.0.1:1,127.0.0.1:$port"
if [ "$rc" = 0 ]; then pass; else fail "second of two servers (rc=$rc)"; fi
# The user name is always given explicitly: a process running as a UID
# without a passwd entry (as OpenShift runs images) has no default for
# libpq to take. Needs root to switch to such a UID.
if [ "$(id -u)" = 0 ] && ! getent passwd 54321 >/dev/null; then
	set +e
	env -i PATH=/usr/bin:/bin DB_ADDR=127.0.0.1 DB_PORT="$port" DB_PASSWORD='pa ss"word' \
		BIND=10.0.0.5 DB_WAIT_TIMEOUT=10 \
		setpriv --reuid=54321 --regid=0 --clear-groups "$bin" wait-db >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	if [ "$rc" = 0 ]; then pass; else fail "as UID 54321 without a passwd entry (rc=$rc)"; fi
fi

# 2. Wrong password: refused at once (exit 77), says so, never shows it.
t0=$(now_ms)
wait_db DB_PASSWORD=wrong-secret-xyz
t1=$(now_ms)
if [ "$rc" = 77 ] && grep -q "refused the login of user keycloak: password authentication failed" "$tmp/err" \
	&& ! grep -q wrong-secret-xyz "$tmp/err" && [ $((t1 - t0)) -lt 5000 ]; then pass; else fail "wrong password (rc=$rc, $((t1 - t0)) ms)"; fi

# 3. Missing role: refused at once.
wait_db DB_USER=nobody
if [ "$rc" = 77 ] && grep -q "refused the login of user nobody" "$tmp/err"; then pass; else fail "missing role (rc=$rc)"; fi

# 4. Missing database: refused at once, names the database.
wait_db DB_DATABASE=nosuchdb
if [ "$rc" = 77 ] && grep -q 'database nosuchdb does not exist on' "$tmp/err"; then pass; else fail "missing database (rc=$rc)"; fi

# 5. A server started late is waited for.
pg_stop "$tmp/pg"
t0=$(now_ms)
(wait_db; echo "$rc" >"$tmp/late.rc") &
waiter=$!
sleep 3
pg_start "$tmp/pg"
started=$(now_ms)
for _ in $(seq 1 300); do [ -f "$tmp/late.rc" ] && break; sleep 0.1; done
wait "$waiter" 2>/dev/null || true
waiter=
t1=$(now_ms)
if [ "$(cat "$tmp/late.rc" 2>/dev/null)" = 0 ] && grep -q "waiting for database on 127.0.0.1:$port" "$tmp/err"; then pass; else fail "late server"; fi
echo "wait-db: late server: up after $((started - t0)) ms, wait-db returned $((t1 - started)) ms after pg_ctl said it was up"

# 6. Unreachable until the deadline: exit 69 after about DB_WAIT_TIMEOUT.
pg_stop "$tmp/pg"
t0=$(now_ms)
wait_db DB_WAIT_TIMEOUT=2
t1=$(now_ms)
if [ "$rc" = 69 ] && grep -q "not reachable within 2 s (DB_WAIT_TIMEOUT)" "$tmp/err" \
	&& [ $((t1 - t0)) -ge 1900 ] && [ $((t1 - t0)) -lt 8000 ]; then pass; else fail "unreachable (rc=$rc, $((t1 - t0)) ms)"; fi

# 7. A name that does not resolve (yet) is retried, then exit 69.
wait_db DB_ADDR=no-such-host.invalid DB_WAIT_TIMEOUT=2
if [ "$rc" = 69 ] && grep -q 'could not translate host name' "$tmp/err"; then pass; else fail "unresolvable (rc=$rc)"; fi

# 8. A server that answers but is not accepting connections yet (SQLSTATE
# 57P03): a standby in recovery with hot_standby off says so to every login
# until it is promoted. The wait goes on through it, and succeeds once the
# server is promoted.
pg_stop "$tmp/pg"
pg_as touch "$tmp/pg/data/standby.signal"
echo "hot_standby = off" >>"$tmp/pg/data/postgresql.conf"
pg_start "$tmp/pg"
t0=$(now_ms)
wait_db DB_WAIT_TIMEOUT=2
if [ "$rc" = 69 ] && grep -q '(SQLSTATE 57P03)' "$tmp/err"; then pass; else fail "57P03 until the deadline (rc=$rc)"; fi
(wait_db; echo "$rc" >"$tmp/standby.rc") &
waiter=$!
sleep 2
pg_as "$PG_BIN/pg_ctl" -D "$tmp/pg/data" -w -t 30 promote >/dev/null
for _ in $(seq 1 300); do [ -f "$tmp/standby.rc" ] && break; sleep 0.1; done
wait "$waiter" 2>/dev/null || true
waiter=
if [ "$(cat "$tmp/standby.rc" 2>/dev/null)" = 0 ]; then pass; else fail "57P03, then promoted"; fi

summary wait_db
