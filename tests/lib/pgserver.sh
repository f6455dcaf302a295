#!/bin/bash
# A private PostgreSQL server for tests: its own data directory in a
# temporary folder, listening on 127.0.0.1 only, started and stopped by pid,
# and stopped at exit. Source this file (it sources testlib.sh); it defines
# pg_init, pg_start, pg_stop, pg_psql.
# Needs Debian's postgresql-15 (PG_BIN overrides where its programs are).
# shellcheck shell=bash

# shellcheck source=tests/lib/testlib.sh
. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"

PG_BIN=${PG_BIN:-$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)}

# Run a command as the postgres user when we are root (initdb refuses root).
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_init DIR PORT: create a cluster with a superuser "postgres" (trust over
# the socket only) and scram-sha-256 for TCP; its server is stopped at exit.
pg_init() {
	local dir=$1 port=$2
	mkdir -p "$dir"
	at_exit pg_stop "$dir"
	if [ "$(id -u)" = 0 ]; then
		# The postgres user must be able to reach the directory.
		chmod 755 "$(dirname "$dir")"
		chown postgres "$dir"
	fi
	if ! pg_as "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
		--auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		return 1
	fi
	{
		echo "port = $port"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$dir'"
	} >>"$dir/data/postgresql.conf"
}

# pg_start DIR: start the server and wait (bounded) until it answers.
pg_start() {
	local dir=$1
	pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null
}

# pg_stop DIR: fast shutdown of the server whose pid is in postmaster.pid.
pg_stop() {
	local dir=$1 pid
	[ -f "$dir/data/postmaster.pid" ] || return 0
	pid=$(head -n 1 "$dir/data/postmaster.pid")
	kill -INT "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# pg_psql DIR SQL: run SQL as the superuser over the socket.
pg_psql() {
	local dir=$1
	shift
	local port
	port=$(sed -n 's/^port = //p' "$dir/data/postgresql.conf" | tail -n 1)
	pg_as "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c "$*"
}
