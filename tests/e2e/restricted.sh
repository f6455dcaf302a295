#!/bin/bash
# End-to-end test: one Keycloak node run the way restricted platforms run
# it - an arbitrary uid with group 0 and no passwd entry, a read-only root
# filesystem, and writable storage only where the README says (a volume for
# the state directory, a tmpfs for /tmp) - started twice on one database,
# which runs as another arbitrary uid with group 0.
#
# Checks: the node boots and answers HTTP 200; the admin logs in (admin-cli
# password grant); the admin file is gone once consumed (legacy); files
# holding a secret are private (legacy: standalone-ha.xml and WildFly's
# copies; Keycloak 26: keycloak.conf); no password in the container's
# arguments or environment as the engine shows them, in the server's
# command line or environment, or in the logs. After a restart with the
# same settings the entrypoint says the admin exists, the admin still logs
# in, the database holds the admin once, and (Keycloak 26) keycloak.conf no
# longer holds the bootstrap admin's password.
#
# Secrets are given as NAME_FILE files on a read-only mount, as on such
# platforms. Everything runs on an --internal network created for this run
# and is removed by name at the end, whatever the outcome.
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE,
#   E2E_BOOT_TIMEOUT (seconds, default 300), E2E_LOG_DIR (default
#   out/test/e2e).
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
boot_timeout=${E2E_BOOT_TIMEOUT:-300}
log_dir=${E2E_LOG_DIR:-$repo_dir/out/test/e2e}

db_password='db-secret-r3stricted'
admin_password='admin-secret-r3stricted'
state=/var/lib/keycloak
# An arbitrary uid, as such platforms assign, with no passwd entry.
uid=$((1000000 + RANDOM))
db_uid=$((uid + 1))

engine_detect
kc_set_generation "$KEYCLOAK_IMAGE"
run_id=$(engine_unique_name khp-restricted)
network=$run_id-net
db=$run_id-postgres
kc=$run_id-kc
volume=$run_id-state
db_volume=$run_id-pgdata
scratch_dir

tear_down() {
	mkdir -p "$log_dir"
	local name
	for name in "$db" "$kc"; do
		if engine_container_exists "$name"; then
			engine logs "$name" >"$log_dir/restricted-${name#"$run_id"-}.log" 2>&1 || true
		fi
	done
	engine_remove "$kc" "$db" || true
	engine volume rm "$volume" "$db_volume" >/dev/null 2>&1 || true
	engine_network_remove "$network" || true
	echo "container logs: $log_dir"
}
at_exit tear_down
summary_at_exit "e2e-restricted-$kc_generation"
echo "Keycloak generation $kc_generation ($KEYCLOAK_IMAGE)"
admin_created=$(kc_admin_created_line admin)

# wait_http IP: until the master realm on IP:8080 answers 200, the
# container stops, or the boot timeout.
wait_http() {
	http_wait_200 "$kc" "$kc" "$SECONDS" "$boot_timeout" "http://$1:8080$kc_base/realms/master"
}

# admin_token IP: an access token from the admin-cli password grant.
admin_token() {
	curl --silent --max-time 30 --data-urlencode grant_type=password \
		--data-urlencode client_id=admin-cli --data-urlencode username=admin \
		--data-urlencode "password=$admin_password" \
		"http://$1:8080$kc_base/realms/master/protocol/openid-connect/token" |
		grep -q '"access_token"'
}

# The secrets, readable by group 0 only (the arbitrary uid's group).
mkdir "$tmp/secrets"
printf '%s\n' "$db_password" >"$tmp/secrets/db_password"
printf '%s\n' "$admin_password" >"$tmp/secrets/admin_password"
chgrp -R 0 "$tmp/secrets"
chmod 0750 "$tmp/secrets"
chmod 0440 "$tmp/secrets/db_password" "$tmp/secrets/admin_password"

# Only the documented writable paths; podman's own additions (a passwd
# entry for the uid, tmpfs on /run and /var/tmp) are turned off.
no_passwd=()
case "$(basename "$ENGINE")" in
podman) no_passwd=(--passwd=false) ;;
esac

# The database as an arbitrary uid too, its PGDATA a directory of its own
# on the volume.
engine_network_create "$network"
engine volume create "$volume" >/dev/null
engine volume create "$db_volume" >/dev/null
engine_run "$db" --network "$network" --user "$db_uid:0" "${no_passwd[@]}" \
	-v "$db_volume:/var/lib/postgresql/data" -e PGDATA=/var/lib/postgresql/data/pgdata \
	-v "$tmp/secrets:/run/secrets:ro" \
	-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak \
	-e POSTGRES_PASSWORD_FILE=/run/secrets/db_password "$POSTGRES_IMAGE"
if kc_wait_db_ready "$db" 120; then
	check "postgres ready as uid $db_uid, gid 0" true
else
	check "postgres ready as uid $db_uid, gid 0" false
	exit 1
fi
check "postgres: initdb ran with nss_wrapper" \
	grep -q "user id $db_uid has no passwd entry: initdb runs with nss_wrapper" \
	<(engine logs "$db" 2>&1)
db_ip=$(engine_ip "$db" "$network")

restricted=(--user "$uid:0" "${no_passwd[@]}" --read-only --tmpfs /tmp -v "$volume:$state")
case "$(basename "$ENGINE")" in
podman) restricted+=(--read-only-tmpfs=false) ;;
esac
engine_run "$kc" --network "$network" "${restricted[@]}" \
	-v "$tmp/secrets:/run/secrets:ro" \
	-e DB_ADDR="$db_ip" -e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak \
	-e POSTGRES_PASSWORD_FILE=/run/secrets/db_password \
	-e KEYCLOAK_USER=admin -e KEYCLOAK_PASSWORD_FILE=/run/secrets/admin_password \
	"$KEYCLOAK_IMAGE"
ip=$(engine_ip "$kc" "$network")

# 1. First start.
check "first start: HTTP 200 on :8080$kc_base/realms/master" wait_http "$ip"
check "first start: the admin logs in" admin_token "$ip"
engine logs "$kc" >"$tmp/log1" 2>&1 || true
check "first start: Keycloak added the admin ($admin_created)" grep -qF "$admin_created" "$tmp/log1"
probe_write() {
	engine exec "$kc" touch /opt/keycloak/probe 2>/dev/null
}
check "the root filesystem is read-only" fails probe_write
check "the server runs as uid $uid, gid 0" \
	grep -Eq "Uid:\s+$uid\s.*Gid:\s+0\s" <(engine exec "$kc" cat /proc/1/status | tr '\n' ' ')
check "the uid has no passwd entry" fails engine exec "$kc" grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd
if [ "$kc_generation" = legacy ]; then
	check "the admin file is gone once consumed" \
		fails engine exec "$kc" test -e "$state/configuration/keycloak-add-user.json"
else
	# Keycloak 26 creates the bootstrap admin from keycloak.conf, which
	# holds its password until a start finds the admin in the database.
	check "first start: keycloak.conf holds the bootstrap admin" \
		engine exec "$kc" grep -q '^bootstrap-admin-password=' "$state/$kc_conf_file"
fi

# Every file in the state directory that holds the database password
# (legacy: standalone-ha.xml and WildFly's history copies of it; Keycloak
# 26: keycloak.conf) or the admin's is mode 600.
list_secret_files() {
	engine exec "$kc" sh -c "grep -rlF -e '$db_password' -e '$admin_password' $state |
		xargs -r stat -c '%a %n'" 2>&1
}
list_secret_files >"$tmp/secret_files" || true
check "files holding the password exist ($state/$kc_conf_file)" \
	grep -q " $state/$kc_conf_file\$" "$tmp/secret_files"
check "files holding the password are mode 600 ($(tr '\n' ' ' <"$tmp/secret_files"))" \
	fails grep -v '^600 ' "$tmp/secret_files"
if [ "$kc_generation" = legacy ]; then
	check "the configuration directory is mode 700" \
		[ "$(engine exec "$kc" stat -c %a "$state/configuration")" = 700 ]
else
	# keycloak.conf is in the state directory itself, which group 0 (the
	# arbitrary uid's) may write: others get nothing.
	check "the state directory is closed to others" \
		grep -Eq '^[0-7][0-7]0$' <(engine exec "$kc" stat -c %a "$state")
fi

# No password where it need not be.
engine container inspect --format '{{json .Args}} {{json .Config.Cmd}} {{json .Config.Env}}' \
	"$kc" >"$tmp/inspect"
check "no password in the engine's view of arguments and environment" \
	fails grep -qE "$db_password|$admin_password" "$tmp/inspect"
engine exec "$kc" cat /proc/1/cmdline >"$tmp/cmdline"
engine exec "$kc" cat /proc/1/environ >"$tmp/environ"
check "the server's command line was read" grep -qa "$kc_server_main" "$tmp/cmdline"
check "no password in the server's command line" \
	fails grep -qaE "$db_password|$admin_password" "$tmp/cmdline"
check "no password or password variable in the server's environment" \
	fails grep -qaE "$db_password|$admin_password|PASSWORD" "$tmp/environ"
check "no password in the log" fails grep -qE "$db_password|$admin_password" "$tmp/log1"
# A directory the server cannot write (the deployment scanner's, say) shows
# as an ERROR line, though the server boots.
check "no ERROR in the log" fails grep -q ' ERROR ' "$tmp/log1"

# 2. Restart with the same settings and storage.
engine_stop "$kc" 60
engine start "$kc" >/dev/null
ip=$(engine_ip "$kc" "$network")
check "restart: the entrypoint says the admin exists" \
	engine_wait_log "$kc" 'admin user admin exists in the master realm' 120
check "restart: HTTP 200 on :8080$kc_base/realms/master" wait_http "$ip"
check "restart: the admin logs in" admin_token "$ip"
engine logs "$kc" >"$tmp/log2" 2>&1 || true
check "restart: no failed user import" fails grep -qE "Failed to add user" "$tmp/log2"
check "restart: both starts are in the log" \
	[ "$(grep -c 'database .* accepts the login' "$tmp/log2")" = 2 ]
check "restart: Keycloak added the admin once in two starts" \
	[ "$(grep -cF "$admin_created" "$tmp/log2")" = 1 ]
count=$(engine exec -e PGPASSWORD="$db_password" "$db" psql -h 127.0.0.1 -U keycloak -d keycloak -tAc \
	"SELECT count(*) FROM user_entity WHERE username = 'admin'" 2>&1 || true)
check "restart: one admin user in the database (found: $count)" [ "$count" = 1 ]
if [ "$kc_generation" = legacy ]; then
	check "restart: no admin file left" \
		fails engine exec "$kc" test -e "$state/configuration/keycloak-add-user.json"
else
	check "restart: keycloak.conf holds no bootstrap admin" \
		fails engine exec "$kc" grep -q '^bootstrap-admin' "$state/$kc_conf_file"
	check "restart: keycloak.conf still holds the database password, at mode 600" \
		grep -qx "600 $state/$kc_conf_file" <(list_secret_files)
	check "restart: no file in the state directory holds the admin's password" \
		fails engine exec "$kc" grep -rqF -e "$admin_password" "$state"
fi
check "restart: no password in the log" fails grep -qE "$db_password|$admin_password" "$tmp/log2"
