#!/bin/bash
# The health command against real servers on loopback: a PostgreSQL server
# this test starts (a login that works, a wrong password, a missing
# database, the server stopped), and, for the Keycloak side, stand-ins of
# a Keycloak readiness endpoint (a few lines of python3 on a loopback port:
# one that accepts and never answers, one that answers 503 with Keycloak's
# DOWN body, one that answers 200, over HTTP and TLS) and a port where
# nothing listens. Each unhealthy case exits 1 with one line on stderr that
# names the endpoint and the reason; healthy exits 0 with one line on
# stdout.
#
# Usage: tests/integration/health.sh BINARY KEYCLOAK_26_HOME KEYCLOAK_LEGACY_HOME
set -eu

bin=${1:?usage: health.sh BINARY KEYCLOAK_26_HOME KEYCLOAK_LEGACY_HOME}
home_26=${2:?usage: health.sh BINARY KEYCLOAK_26_HOME KEYCLOAK_LEGACY_HOME}
home_legacy=${3:?usage: health.sh BINARY KEYCLOAK_26_HOME KEYCLOAK_LEGACY_HOME}
# shellcheck source=tests/lib/pgserver.sh
. "$(dirname "$0")/../lib/pgserver.sh"

scratch_dir
summary_at_exit integration-health
CHECK_DETAIL=$tmp/err
port=$((20000 + RANDOM % 20000))
password='he alth"secret'
now_ms() { date +%s%3N; }
within() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }

# A stand-in for a Keycloak readiness endpoint on a free loopback port:
#   stand_in NAME MODE [STATUS BODY [CERT KEY]]
# MODE silent: accept every connection and never answer; answer: the
# status line STATUS and BODY as JSON (over TLS with CERT and KEY); raw:
# BODY as it is, not HTTP. Its port is in $tmp/NAME.port, the request
# lines it received in $tmp/NAME.requests; it is stopped at exit.
cat >"$tmp/stand_in.py" <<'PY'
import os, socket, ssl, sys
name, mode = sys.argv[1], sys.argv[2]
status, body = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else ("200 OK", "")
tls = None
if len(sys.argv) > 6:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[5], sys.argv[6])
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
with open(name + ".port.new", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(name + ".port.new", name + ".port")
held = []
while True:
    conn, _ = listener.accept()
    if mode == "silent":
        held.append(conn)
        continue
    try:
        if tls:
            conn = tls.wrap_socket(conn, server_side=True)
        request = b""
        # A TLS handshake (record type 22) to a plain port is answered
        # at once, as an HTTP server answers a request it cannot parse.
        while b"\r\n\r\n" not in request and not request.startswith(b"\x16"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            request += chunk
        with open(name + ".requests", "a") as f:
            f.write(request.split(b"\r\n")[0].decode(errors="replace") + "\n")
        if mode == "raw":
            answer = body.encode()
        else:
            answer = ("HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %d\r\n\r\n%s" % (status, len(body), body)).encode()
        conn.sendall(answer)
    except (OSError, ValueError):
        pass
    conn.close()
PY
stand_ins=()
stop_stand_ins() { [ ${#stand_ins[@]} = 0 ] || kill "${stand_ins[@]}" 2>/dev/null || true; }
at_exit stop_stand_ins
stand_in() {
	local name=$1
	shift
	python3 "$tmp/stand_in.py" "$tmp/$name" "$@" 2>"$tmp/$name.log" &
	stand_ins+=("$!")
	for _ in $(seq 1 100); do
		[ -s "$tmp/$name.port" ] && return 0
		sleep 0.05
	done
	fail "stand-in $name did not start: $(cat "$tmp/$name.log")"
	return 1
}
sport() { cat "$tmp/$1.port"; }

# health ARGS... [NAME=VALUE...]: the command with only the environment
# given (run, testlib.sh); ms: how long it took.
health() {
	local t0
	t0=$(now_ms)
	run "$bin" health "$@"
	ms=$(($(now_ms) - t0))
}

# unhealthy WHAT 'line' ARGS...: exit 1, stderr is exactly one line that
# starts with the text given, nothing on stdout.
unhealthy() {
	local what=$1 want=$2
	shift 2
	health "$@"
	local first
	first=$(head -n 1 "$tmp/err")
	if [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -s "$tmp/out" ] &&
		[ "${first#"$want"}" != "$first" ]; then
		ok "$what: $first"
	else
		fail "$what: want exit 1 and the one line '$want'; got $rc"
	fi
}

# healthy WHAT 'line' ARGS...: exit 0, stdout is exactly the line given,
# nothing on stderr.
healthy() {
	local what=$1 want=$2
	shift 2
	health "$@"
	if [ "$rc" = 0 ] && [ "$(cat "$tmp/out")" = "$want" ] && [ ! -s "$tmp/err" ]; then
		ok "$what: $want"
	else
		CHECK_DETAIL=$tmp/err fail "$what: want exit 0 and '$want'; got $rc '$(cat "$tmp/out")'"
	fi
}

# PostgreSQL: the image's variables, the server of this test (PGPORT).
pg_init "$tmp/pg" "$port"
pg_start "$tmp/pg"
pg_psql "$tmp/pg" "CREATE ROLE keycloak LOGIN PASSWORD '${password//\'/\'\'}'"
pg_psql "$tmp/pg" "CREATE DATABASE keycloak OWNER keycloak"
printf '%s\n' "$password" >"$tmp/pw"
pg=(PGPORT="$port" POSTGRES_USER=keycloak POSTGRES_DB=keycloak)

healthy "health postgres, the login works" \
	"healthy: database keycloak on 127.0.0.1:$port accepts the login of keycloak" \
	postgres "${pg[@]}" POSTGRES_PASSWORD="$password"
healthy "health postgres, POSTGRES_PASSWORD_FILE and POSTGRES_DATABASE" \
	"healthy: database keycloak on 127.0.0.1:$port accepts the login of keycloak" \
	postgres PGPORT="$port" POSTGRES_USER=keycloak POSTGRES_DATABASE=keycloak \
	POSTGRES_PASSWORD_FILE="$tmp/pw"
unhealthy "health postgres, a wrong password (the server answers a ping all the same)" \
	"keycloak-ha-postgres: error: unhealthy: database keycloak on 127.0.0.1:$port, user keycloak: password authentication failed for user \"keycloak\" (SQLSTATE 28P01)" \
	postgres "${pg[@]}" POSTGRES_PASSWORD=wrong-secret-xyz
check "the wrong password is not shown" fails grep -q wrong-secret-xyz "$tmp/err" "$tmp/out"
unhealthy "health postgres, a missing database" \
	"keycloak-ha-postgres: error: unhealthy: database nosuchdb on 127.0.0.1:$port, user keycloak: database \"nosuchdb\" does not exist (SQLSTATE 3D000)" \
	postgres PGPORT="$port" POSTGRES_USER=keycloak POSTGRES_DB=nosuchdb POSTGRES_PASSWORD="$password"
check "a bad PGPORT is a bad setting (78)" expect 78 'keycloak-ha-postgres: error: PGPORT: expected a port' -- \
	"$bin" health postgres PGPORT=54x32 POSTGRES_PASSWORD=x
pg_stop "$tmp/pg"
unhealthy "health postgres, the server stopped" \
	"keycloak-ha-postgres: error: unhealthy: database keycloak on 127.0.0.1:$port, user keycloak: connection to server at \"127.0.0.1\", port $port failed: Connection refused" \
	postgres "${pg[@]}" POSTGRES_PASSWORD="$password"

# Keycloak 26: the management port from KC_HTTP_MANAGEMENT_PORT.
kc=(KEYCLOAK_HOME="$home_26" DB_PASSWORD=x BIND=10.0.0.5)
unused=$port
unhealthy "Keycloak 26, nothing listens on the management port" \
	"keycloak-ha-postgres: error: unhealthy: GET http://127.0.0.1:$unused/health/ready: connection refused" \
	"${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$unused"

stand_in silent silent
unhealthy "Keycloak 26, a stand-in that accepts and never answers" \
	"keycloak-ha-postgres: error: unhealthy: GET http://127.0.0.1:$(sport silent)/health/ready: no answer within 1 s" \
	--timeout 1 "${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport silent)"
check "the silent stand-in: the check returns after about 1 s ($ms ms)" within "$ms" 950 2500
health "${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport silent)"
check "the default timeout is 5 s ($ms ms, exit $rc)" within "$ms" 4950 7000

down='{"status": "DOWN", "checks": [{"name": "Keycloak database connections health check", "status": "DOWN"}]}'
stand_in down answer "503 Service Unavailable" "$down"
unhealthy "Keycloak 26, a stand-in answering 503 with Keycloak's DOWN body" \
	"keycloak-ha-postgres: error: unhealthy: GET http://127.0.0.1:$(sport down)/health/ready: HTTP 503, status DOWN" \
	"${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport down)"

up='{"status": "UP", "checks": []}'
stand_in up answer "200 OK" "$up"
healthy "Keycloak 26, a stand-in answering 200" \
	"healthy: GET http://127.0.0.1:$(sport up)/health/ready: HTTP 200, status UP" \
	"${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport up)"
healthy "Keycloak 26, KC_HTTP_MANAGEMENT_RELATIVE_PATH" \
	"healthy: GET http://127.0.0.1:$(sport up)/mgmt/health/ready: HTTP 200, status UP" \
	"${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport up)" KC_HTTP_MANAGEMENT_RELATIVE_PATH=/mgmt/
healthy "Keycloak 26, the management path inherits KC_HTTP_RELATIVE_PATH" \
	"healthy: GET http://127.0.0.1:$(sport up)/kc/health/ready: HTTP 200, status UP" \
	"${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport up)" KC_HTTP_RELATIVE_PATH=/kc
check "the stand-in received the paths asked for" diff - "$tmp/up.requests" <<EOF
GET /health/ready HTTP/1.1
GET /mgmt/health/ready HTTP/1.1
GET /kc/health/ready HTTP/1.1
EOF

# TLS: the management interface inherits the server's certificate.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=keycloak.example -days 2 \
	-keyout "$tmp/tls.key" -out "$tmp/tls.crt" >"$tmp/openssl.log" 2>&1
stand_in tls answer "200 OK" "$up" "$tmp/tls.crt" "$tmp/tls.key"
tls=(KC_HTTPS_CERTIFICATE_FILE="$tmp/tls.crt" KC_HTTPS_CERTIFICATE_KEY_FILE="$tmp/tls.key")
healthy "Keycloak 26 with a server certificate: HTTPS on the management port, not verified" \
	"healthy: GET https://127.0.0.1:$(sport tls)/health/ready: HTTP 200, status UP" \
	"${kc[@]}" "${tls[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport tls)"
unhealthy "Keycloak 26 with a certificate, KC_HTTP_MANAGEMENT_SCHEME=http: plain HTTP to a TLS port" \
	"keycloak-ha-postgres: error: unhealthy: GET http://127.0.0.1:$(sport tls)/health/ready: " \
	"${kc[@]}" "${tls[@]}" KC_HTTP_MANAGEMENT_SCHEME=http KC_HTTP_MANAGEMENT_PORT="$(sport tls)"
unhealthy "Keycloak 26 with a certificate, TLS to a plain port" \
	"keycloak-ha-postgres: error: unhealthy: GET https://127.0.0.1:$(sport up)/health/ready: TLS handshake: " \
	"${kc[@]}" "${tls[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport up)"

stand_in raw raw "" "SSH-2.0-OpenSSH_9.2 not a web server"
unhealthy "an answer that is not HTTP" \
	"keycloak-ha-postgres: error: unhealthy: GET http://127.0.0.1:$(sport raw)/health/ready: the answer is not HTTP" \
	"${kc[@]}" KC_HTTP_MANAGEMENT_PORT="$(sport raw)"

check "a bad KC_HTTP_MANAGEMENT_PORT is a bad setting (78)" \
	expect 78 'keycloak-ha-postgres: error: KC_HTTP_MANAGEMENT_PORT: expected a port (1-65535), got 9x' -- \
	"$bin" health "${kc[@]}" KC_HTTP_MANAGEMENT_PORT=9x
check "--timeout 0 is a usage error (64)" \
	expect 64 'keycloak-ha-postgres: error: health: --timeout 0: expected seconds' -- \
	"$bin" health --timeout 0 "${kc[@]}"

# Keycloak 19: the master realm on the HTTP listener (BIND 0.0.0.0:
# loopback), its port moved with JAVA_OPTS_APPEND.
legacy=(KEYCLOAK_HOME="$home_legacy" DB_PASSWORD=x BIND=0.0.0.0)
healthy "Keycloak 19, a stand-in answering 200 on jboss.http.port" \
	"healthy: GET http://127.0.0.1:$(sport up)/auth/realms/master: HTTP 200, status UP" \
	"${legacy[@]}" JAVA_OPTS_APPEND="-Djboss.http.port=$(sport up)"
stand_in notfound answer "404 Not Found" '{"error": "Realm does not exist"}'
unhealthy "Keycloak 19, the realm not there yet (404)" \
	"keycloak-ha-postgres: error: unhealthy: GET http://127.0.0.1:$(sport notfound)/auth/realms/master: HTTP 404" \
	"${legacy[@]}" JAVA_OPTS_APPEND="-Djboss.socket.binding.port-offset=$(($(sport notfound) - 8080))"
unhealthy "Keycloak 19, nothing listens" \
	"keycloak-ha-postgres: error: unhealthy: GET http://127.0.0.1:$unused/auth/realms/master: connection refused" \
	"${legacy[@]}" JAVA_OPTS="-Xmx256m -Djboss.http.port=$unused"
