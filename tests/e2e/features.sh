#!/bin/bash
# End-to-end test of the settings beyond the 2015 guide's, on the real
# images: one PostgreSQL container that accepts logins over TLS only, and
# one Keycloak node configured through the configuration file (at its
# default path), secret files (DB_PASSWORD_FILE, KEYCLOAK_PASSWORD_FILE) and
# variables.
#
# Checks what a user would: the node serves HTTP; the datasource really
# talks TLS, verified against the test's CA (pg_stat_ssl on the server), as
# the user named by Keycloak's own variable KC_DB_USERNAME (a synonym of
# DB_USER), with a password full of "$", "${...}" and "\" from the secret
# file (what the generated configuration must escape); Keycloak's tables are
# in DB_SCHEMA; the realm of KEYCLOAK_IMPORT exists; its issuer is
# KEYCLOAK_FRONTEND_URL; the admin from the secret file can log in;
# KEYCLOAK_LOGLEVEL=DEBUG reaches the log; a misspelt variable is named with
# the right spelling. Keycloak 26 only: a Keycloak option given as
# KC_NAME_FILE (KC_HTTP_MANAGEMENT_PORT_FILE) moves the management port;
# the options KC_HTTPS_CERTIFICATE_FILE and KC_HTTPS_CERTIFICATE_KEY_FILE
# (names that end in _FILE, paths Keycloak reads) give the node HTTPS with
# the test's certificate, on 8443 and on the management port, where the
# image's health check follows it.
#
# Either generation (KEYCLOAK_IMAGE's label): Keycloak 26's URLs have no
# /auth prefix.
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE,
#   E2E_BOOT_TIMEOUT (seconds, default 360), E2E_LOG_DIR.
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
boot_timeout=${E2E_BOOT_TIMEOUT:-360}
log_dir=${E2E_LOG_DIR:-$repo_dir/out/test/e2e}
frontend=https://sso.example.test/auth
# The database's user, not the default "keycloak": only KC_DB_USERNAME names
# it. Its password holds what Keycloak 26's keycloak.conf (properties and
# expressions) and the legacy standalone-ha.xml (WildFly expressions) must
# escape; no shell sees it unquoted.
db_user=kcfeatures
# shellcheck disable=SC2016 # the dollars are the point
db_password='db-$ecret-${env.HOME}-${kc.home.dir:x}-$${y}-\n-\\-\${z}-pw'
admin_password=admin-secret-pw
management_port=9001

engine_detect
kc_set_generation "$KEYCLOAK_IMAGE"
run_id=$(engine_unique_name khp-features)
network=$run_id-net
db=$run_id-postgres
node=$run_id-kc
scratch_dir
containers=("$db" "$node")

tear_down() {
	local name
	mkdir -p "$log_dir"
	for name in "${containers[@]}"; do
		engine logs "$name" >"$log_dir/features-${name#"$run_id"-}.log" 2>&1 || true
	done
	engine_remove "$node" "$db" >/dev/null 2>&1 || true
	engine_network_remove "$network" || true
}
at_exit tear_down
summary_at_exit "e2e-features-$kc_generation"
echo "Keycloak generation $kc_generation ($KEYCLOAK_IMAGE)"

# Certificates: a CA of this test and a server certificate for the name
# the node uses, "postgres".
mkdir -p "$tmp/certs" "$tmp/secrets" "$tmp/import" "$tmp/etc"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=e2e-ca \
	-keyout "$tmp/certs/ca.key" -out "$tmp/certs/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=postgres -keyout "$tmp/certs/server.key" \
	-out "$tmp/certs/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:postgres\n' >"$tmp/certs/san.ext"
openssl x509 -req -in "$tmp/certs/server.csr" -CA "$tmp/certs/ca.pem" -CAkey "$tmp/certs/ca.key" \
	-CAcreateserial -days 2 -extfile "$tmp/certs/san.ext" -out "$tmp/certs/server.pem" 2>/dev/null
chmod 644 "$tmp/certs/"*

# Keycloak 26's own certificate, for the node's host name kc1.
openssl req -newkey rsa:2048 -nodes -subj /CN=kc1 -keyout "$tmp/secrets/kc1.key" \
	-out "$tmp/certs/kc1.csr" 2>/dev/null
printf 'subjectAltName=DNS:kc1\n' >"$tmp/certs/kc1.ext"
openssl x509 -req -in "$tmp/certs/kc1.csr" -CA "$tmp/certs/ca.pem" -CAkey "$tmp/certs/ca.key" \
	-CAcreateserial -days 2 -extfile "$tmp/certs/kc1.ext" -out "$tmp/certs/kc1.pem" 2>/dev/null
chmod 644 "$tmp/certs/"*
chown 1000 "$tmp/secrets/kc1.key"
chmod 400 "$tmp/secrets/kc1.key"

# Secrets as Docker and Kubernetes mount them: files of the server's user.
printf '%s\n' "$db_password" >"$tmp/secrets/db"
printf '%s\n' "$admin_password" >"$tmp/secrets/admin"
# A Keycloak option from a file (Keycloak 26), as KC_NAME_FILE.
printf '%s\n' "$management_port" >"$tmp/secrets/management-port"
chown 1000 "$tmp/secrets/db" "$tmp/secrets/admin" "$tmp/secrets/management-port"
chmod 400 "$tmp/secrets/db" "$tmp/secrets/admin" "$tmp/secrets/management-port"
printf '{"realm": "e2e-import", "enabled": true}\n' >"$tmp/import/realm.json"
cat >"$tmp/etc/keycloak-ha.conf" <<'CONF'
# Baked into a derived image, or mounted: no secrets here.
DB_ADDR = ["postgres:5432"];
DB_SCHEMA = "kc";
DB_SSLMODE = "verify-full";
DB_SSLROOTCERT = "/certs/ca.pem";
KEYCLOAK_LOGLEVEL = "DEBUG";
PROXY_ADDRESS_FORWARDING = true;
CONF
chmod 644 "$tmp/etc/keycloak-ha.conf" "$tmp/import/realm.json"
chmod 755 "$tmp" "$tmp/certs" "$tmp/secrets" "$tmp/import" "$tmp/etc"

engine_network_create "$network"
# The PostgreSQL image's entrypoint, with TLS switched on by arguments; the
# key is copied for the server's user first (it refuses a key others can
# read), which is what this small shell does before exec'ing it.
engine_run "$db" --network "$network" --network-alias postgres \
	-v "$tmp/certs:/certs:ro" \
	-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER="$db_user" -e POSTGRES_PASSWORD="$db_password" \
	--entrypoint /bin/sh "$POSTGRES_IMAGE" -c \
	'install -o postgres -m 600 /certs/server.key /certs/server.pem /tmp/ &&
	 exec /usr/local/bin/keycloak-ha-postgres postgres -c ssl=on \
		-c ssl_cert_file=/tmp/server.pem -c ssl_key_file=/tmp/server.key'
if kc_wait_db_ready "$db" 120; then
	pass_db=1
else
	pass_db=0
fi
check "postgres with TLS is ready" test "$pass_db" = 1
# The image makes POSTGRES_USER the superuser.
psql_db() {
	engine exec "$db" psql -U "$db_user" -d keycloak -v ON_ERROR_STOP=1 -qAt -c "$1"
}
psql_db "CREATE SCHEMA kc AUTHORIZATION $db_user" >/dev/null

node_args=()
[ "$kc_generation" = legacy ] ||
	node_args=(-e KC_HTTP_MANAGEMENT_PORT_FILE=/run/secrets/management-port
		-e KC_HTTPS_CERTIFICATE_FILE=/certs/kc1.pem
		-e KC_HTTPS_CERTIFICATE_KEY_FILE=/run/secrets/kc1.key)

start=$SECONDS
engine_run "$node" --network "$network" --hostname kc1 \
	-v "$tmp/etc:/etc/keycloak-ha-postgres:ro" -v "$tmp/certs:/certs:ro" \
	-v "$tmp/secrets:/run/secrets:ro" -v "$tmp/import:/import:ro" \
	-e KC_DB_USERNAME="$db_user" -e DB_PASSWORD_FILE=/run/secrets/db -e KEYCLOAK_USER=admin \
	-e KEYCLOAK_PASSWORD_FILE=/run/secrets/admin -e KEYCLOAK_IMPORT=/import/realm.json \
	-e KEYCLOAK_FRONTEND_URL="$frontend" -e KEYCLOAK_LOGLEVLE=DEBUG \
	"${node_args[@]}" "$KEYCLOAK_IMAGE"
ip=$(engine_ip "$node" "$network")

http_wait_200 "$node" "$node" "$start" "$((start + boot_timeout - SECONDS))" \
	"http://$ip:8080$kc_base/realms/master" || true
check "the node serves HTTP 200 (after ${http_up:-no answer}s)" test -n "$http_up"
engine logs "$node" >"$tmp/node.log" 2>&1 || true

# Every client but this query's own session is the node's: it logged in
# as the user of KC_DB_USERNAME, with the password as the file has it.
count=$(psql_db "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
	WHERE a.usename = '$db_user' AND a.pid <> pg_backend_pid() AND s.ssl" || echo 0)
plain=$(psql_db "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
	WHERE a.usename = '$db_user' AND a.pid <> pg_backend_pid() AND NOT s.ssl" || echo 1)
check "the datasource's connections use TLS ($count with TLS, $plain without)" \
	test "$count" -gt 0 -a "$plain" = 0
check "the server logged in to the database as KC_DB_USERNAME's $db_user" test "$count" -gt 0
check "no failed database login in the server's log" \
	fails grep -qiE 'password authentication failed|FATAL: |SCRAM-based authentication' "$tmp/node.log"
tables=$(psql_db "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'kc'" || echo 0)
check "Keycloak's tables are in DB_SCHEMA kc ($tables tables)" test "$tables" -gt 50
public=$(psql_db "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'" ||
	echo x)
check "and none in public, JDBC_PING's table included ($public)" test "$public" = 0

issuer=$(curl -s --max-time 10 "http://$ip:8080$kc_base/realms/e2e-import/.well-known/openid-configuration" |
	sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p')
check "the imported realm exists, its issuer is KEYCLOAK_FRONTEND_URL ($issuer)" \
	test "$issuer" = "$frontend/realms/e2e-import"

token=$(curl -s --max-time 30 --data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
	--data-urlencode username=admin --data-urlencode "password=$admin_password" \
	"http://$ip:8080$kc_base/realms/master/protocol/openid-connect/token" |
	sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
check "the admin from KEYCLOAK_PASSWORD_FILE logs in" test -n "$token"

check "KEYCLOAK_LOGLEVEL=DEBUG reaches the server log" grep -q 'DEBUG \[org\.keycloak' "$tmp/node.log"
check "a misspelt variable is named with the right spelling" \
	grep -q 'KEYCLOAK_LOGLEVLE is set but no setting reads it; did you mean KEYCLOAK_LOGLEVEL?' \
	"$tmp/node.log"
check "no secret in the node's log" fails grep -qF -e "$db_password" -e "$admin_password" "$tmp/node.log"

# Keycloak 26: KC_HTTP_MANAGEMENT_PORT_FILE's content is the option
# http-management-port, which Keycloak itself would not read from a file:
# the management interface (health) answers there, and not on its default.
# It serves HTTPS with the server's certificate, the one of
# KC_HTTPS_CERTIFICATE_FILE: curl verifies it against the test's CA for the
# name kc1.
if [ "$kc_generation" = 26 ]; then
	tls=(--cacert "$tmp/certs/ca.pem" --resolve "kc1:8443:$ip"
		--resolve "kc1:$management_port:$ip")
	code=$(http_code "https://kc1:8443/realms/master" "${tls[@]}")
	check "KC_HTTPS_CERTIFICATE_FILE/KEY_FILE: HTTPS on 8443 with the test's certificate ($code)" \
		[ "$code" = 200 ]
	check "KC_HTTPS_CERTIFICATE_FILE: the server log names HTTPS on 8443" \
		grep -qE 'Listening on: .*https://[^ ]*:8443' "$tmp/node.log"
	code=$(http_code "https://kc1:8443/realms/master" --resolve "kc1:8443:$ip")
	check "HTTPS on 8443: curl without the test's CA refuses the certificate (the control, $code)" \
		[ "$code" = 000 ]
	code=$(http_code "https://kc1:$management_port/health/ready" "${tls[@]}")
	check "KC_HTTP_MANAGEMENT_PORT_FILE: /health/ready on port $management_port, HTTPS ($code)" \
		[ "$code" = 200 ]
	code=$(http_code "http://$ip:9000/health/ready")
	check "KC_HTTP_MANAGEMENT_PORT_FILE: nothing on the default port 9000 ($code)" [ "$code" = 000 ]
	check "KC_HTTP_MANAGEMENT_PORT_FILE: the server log names port $management_port" \
		grep -q "Management interface listening on https://[^ ]*:$management_port" "$tmp/node.log"
	health_said=$(engine exec "$node" /usr/local/bin/keycloak-ha-postgres health 2>&1) || true
	check "the image's health check asks HTTPS on port $management_port ($health_said)" grep -qF \
		"healthy: GET https://127.0.0.1:$management_port/health/ready: HTTP 200" <<<"$health_said"
fi
