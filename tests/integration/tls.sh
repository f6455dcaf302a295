#!/bin/bash
# Database TLS with a real PostgreSQL server on loopback that this test
# starts with a certificate from its own certificate authority: wait-db
# verifies the server (DB_SSLMODE=verify-full, DB_SSLROOTCERT) and the
# server logs a TLS connection; an untrusted certificate, a certificate for
# another host name, and a server without TLS when TLS is required each end
# at once with exit 77 and a message that says why.
#
# Usage: tests/integration/tls.sh BINARY
set -eu

bin=${1:?usage: tls.sh BINARY}
# shellcheck source=tests/lib/pgserver.sh
. "$(dirname "$0")/../lib/pgserver.sh"

scratch_dir
port=$((20000 + RANDOM % 20000))
plain_port=$((port + 1))

# A CA, a server certificate for "localhost" only, and a second CA that
# signed nothing of this server's.
ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
		-keyout "$tmp/$1.key" -out "$tmp/$1.pem" 2>/dev/null
}
ca test-ca
ca other-ca
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$tmp/server.key" \
	-out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$tmp/san.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/test-ca.pem" -CAkey "$tmp/test-ca.key" \
	-CAcreateserial -days 2 -extfile "$tmp/san.ext" -out "$tmp/server.pem" 2>/dev/null

pg_init "$tmp/pg" "$port"
cp "$tmp/server.pem" "$tmp/server.key" "$tmp/pg/data/"
[ "$(id -u)" = 0 ] && chown postgres "$tmp/pg/data/server.pem" "$tmp/pg/data/server.key"
chmod 600 "$tmp/pg/data/server.key"
{
	echo "ssl = on"
	echo "ssl_cert_file = 'server.pem'"
	echo "ssl_key_file = 'server.key'"
	echo "log_connections = on"
} >>"$tmp/pg/data/postgresql.conf"
# TCP logins only over TLS.
sed -i 's/^host /hostssl /' "$tmp/pg/data/pg_hba.conf"
pg_start "$tmp/pg"
pg_psql "$tmp/pg" "CREATE ROLE keycloak LOGIN PASSWORD 'secret-pw'"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"

pg_init "$tmp/plain" "$plain_port"
pg_start "$tmp/plain"

# wait_db [NAME=VALUE...]: wait-db against the TLS server, overridden by
# the arguments; sets rc and leaves stderr in $tmp/err.
wait_db() {
	set +e
	env -i PATH=/usr/bin:/bin DB_ADDR=localhost DB_PORT="$port" DB_PASSWORD=secret-pw \
		BIND=10.0.0.5 DB_WAIT_TIMEOUT=20 "$@" "$bin" wait-db >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
}
err_has() { grep -qF -- "$1" "$tmp/err"; }
now_ms() { date +%s%3N; }

CHECK_DETAIL=$tmp/err
wait_db DB_SSLMODE=verify-full DB_SSLROOTCERT="$tmp/test-ca.pem"
check "verify-full with the right CA: exit 0" test "$rc" = 0
check "the server logged a TLS login of the entrypoint" \
	grep -q 'application_name=keycloak-ha-postgres SSL enabled' "$tmp/pg/server.log"

t0=$(now_ms)
wait_db DB_SSLMODE=verify-full DB_SSLROOTCERT="$tmp/other-ca.pem"
t1=$(now_ms)
check "untrusted certificate: exit 77" test "$rc" = 77
check "untrusted certificate: says why" err_has "certificate verify failed"
check "untrusted certificate: fails at once ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 5000

wait_db DB_ADDR=127.0.0.1 DB_SSLMODE=verify-full DB_SSLROOTCERT="$tmp/test-ca.pem"
check "certificate for another host name: exit 77" test "$rc" = 77
check "certificate for another host name: says why" err_has 'does not match host name "127.0.0.1"'

wait_db DB_ADDR=127.0.0.1 DB_SSLMODE=verify-ca DB_SSLROOTCERT="$tmp/test-ca.pem"
check "verify-ca accepts the CA's certificate under another name" test "$rc" = 0

wait_db DB_SSLMODE=disable
check "no TLS where the server requires it: exit 77" test "$rc" = 77
check "no TLS where the server requires it: says why" err_has "no encryption"

wait_db DB_PORT="$plain_port" DB_SSLMODE=require
check "TLS required, server without TLS: exit 77" test "$rc" = 77
check "TLS required, server without TLS: says why" err_has "server does not support SSL"

never() { ! grep -qF secret-pw "$tmp/err" "$tmp/out"; }
check "the password appears in no message" never

summary tls
