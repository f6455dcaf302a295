# A Keycloak cluster for the end-to-end tests: the PostgreSQL image and any
# number of Keycloak nodes on an --internal network created for one run.
# Source it (it sources engine.sh, testlib.sh and http.sh, and requires
# KEYCLOAK_IMAGE and POSTGRES_IMAGE: the opening of every e2e test), then:
#
#   kc_init PREFIX          names for this run (network, database), and the
#                           generation of KEYCLOAK_IMAGE (kc_set_generation:
#                           kc_generation: 26 or legacy; kc_base: the path the
#                           server's URLs start with, "" or "/auth";
#                           kc_ping_table: the discovery table; and more)
#   kc_set_generation IMAGE the same for another Keycloak image, without a run
#   kc_finish_on_exit NAME [HOOK]   at exit: an aborted run counts as a
#                           failure, HOOK (the test's own clean-up) runs,
#                           kc_tear_down, then "summary NAME"
#   kc_start_db             start PostgreSQL (network alias "postgres")
#   kc_start_node NAME [RUN_ARGS...]   start node NAME (host name, network
#                           alias NAME and the shared alias kc_alias)
#   kc_wait_view NAME N SECONDS [SKIP]   wait until NAME's newest cluster
#                           view, among those after its first SKIP views,
#                           has N members
#   kc_wait_http NAME SECONDS          wait until NAME answers HTTP 200
#   kc_sql SQL              run SQL in the Keycloak database, print rows
#   kc_tear_down            save every log, remove what kc_* started
#
# Every container is named "$kc_run-NAME" and is removed by that name. The
# host reaches the nodes on their addresses on the internal network, always
# under the one name kc_host (curl --connect-to), as behind a load
# balancer: Keycloak binds a token to the URL it was issued under.
# shellcheck shell=bash
# shellcheck disable=SC2034 # settings for the sourcing script

kc_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/engine.sh
. "$kc_lib_dir/engine.sh"
# shellcheck source=tests/lib/testlib.sh
. "$kc_lib_dir/testlib.sh"
# shellcheck source=tests/lib/http.sh
. "$kc_lib_dir/http.sh"
: "${KEYCLOAK_IMAGE:?set KEYCLOAK_IMAGE to the Keycloak image to test}"
: "${POSTGRES_IMAGE:?set POSTGRES_IMAGE to the PostgreSQL image to test}"

kc_boot_timeout=${E2E_BOOT_TIMEOUT:-600}
kc_admin_user="admin"
kc_admin_password=e2e-admin-secret
kc_db_password=password
kc_host=keycloak.e2e.test
kc_alias=keycloak
kc_containers=()

# kc_generation_of IMAGE: the Keycloak generation an image says it holds.
kc_generation_of() {
	engine image inspect --format '{{ index .Config.Labels "keycloak-ha-postgres.generation" }}' \
		"$1" 2>/dev/null
}

# kc_set_generation IMAGE: what differs between the generations, for the
# Keycloak image IMAGE (kc_init does it for KEYCLOAK_IMAGE):
#   kc_generation   26 or legacy (the image's label)
#   kc_base         the path the server's URLs start with: "" or "/auth"
#   kc_ping_table   the JDBC_PING discovery table
#   kc_server_main  what the server's command line (/proc/1/cmdline) holds
#   kc_conf_file    the server's configuration in the state directory, the
#                   file that holds the database password
#   kc_started_regex   the server's "started" line (extended regex)
kc_set_generation() {
	engine_detect
	kc_generation=$(kc_generation_of "$1")
	case $kc_generation in
	26)
		kc_base="" kc_ping_table=jgroups_ping
		kc_server_main=io.quarkus.bootstrap.runner.QuarkusEntryPoint
		kc_conf_file=keycloak.conf
		kc_started_regex='Keycloak 26[^ ]* on JVM .* started in'
		;;
	legacy)
		kc_base=/auth kc_ping_table=jgroupsping
		kc_server_main=jboss-modules
		kc_conf_file=configuration/standalone-ha.xml
		kc_started_regex='Keycloak 19[^ ]* .*started in'
		;;
	*)
		echo "kc-cluster: $1 has no keycloak-ha-postgres.generation label" >&2
		return 1
		;;
	esac
}

# kc_admin_created_line USER: the line the server logs when it creates the
# initial admin USER (a fixed string).
kc_admin_created_line() {
	if [ "$kc_generation" = legacy ]; then
		printf "Added user '%s' to realm 'master'\n" "$1"
	else
		printf 'KC-SERVICES0077: Created temporary admin user with username %s\n' "$1"
	fi
}

# kc_init PREFIX: names for this run; E2E_LOG_DIR (default out/test/e2e)
# receives the logs.
kc_init() {
	kc_set_generation "$KEYCLOAK_IMAGE" || return 1
	kc_run=$(engine_unique_name "$1")
	kc_network=$kc_run-net
	kc_db=$kc_run-postgres
	kc_log_dir=${E2E_LOG_DIR:-$repo_dir/out/test/e2e}
	kc_containers=("$kc_db")
	engine_network_create "$kc_network"
}

kc_container() {
	printf '%s-%s\n' "$kc_run" "$1"
}

kc_save_logs() {
	local name
	mkdir -p "$kc_log_dir"
	for name in "${kc_containers[@]}"; do
		if engine_container_exists "$name"; then
			engine logs "$name" >"$kc_log_dir/${name#"$kc_run"-}.log" 2>&1 || true
		fi
	done
}

# kc_tear_down: remove every container and the network of this run; fails
# when one of them is still there afterwards. The nodes go first, newest
# first, the database last: a node stopped after its database waits for it
# (it deletes its discovery row on the way out) until it is killed.
kc_tear_down() {
	local name left="" i
	kc_save_logs
	for ((i = ${#kc_containers[@]} - 1; i >= 0; i--)); do
		engine_remove "${kc_containers[i]}" || true
	done
	engine_network_remove "$kc_network" || true
	for name in "${kc_containers[@]}"; do
		if engine_container_exists "$name"; then
			left="$left $name"
		fi
	done
	if engine_network_exists "$kc_network"; then
		left="$left $kc_network"
	fi
	if [ -n "$left" ]; then
		echo "left behind:$left" >&2
		return 1
	fi
}

# testlib.sh's summary_at_exit counts an aborted run and prints the summary.
kc_finish_on_exit() {
	[ -z "${2:-}" ] || at_exit "$2"
	at_exit kc_finish
	summary_at_exit "$1"
}

kc_finish() {
	[ -n "${kc_run:-}" ] || return 0
	kc_tear_down || failed=$((failed + 1))
	echo "container logs: $kc_log_dir"
}

kc_start_db() {
	engine_run "$kc_db" --network "$kc_network" --network-alias postgres \
		-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak \
		-e POSTGRES_PASSWORD="$kc_db_password" "$POSTGRES_IMAGE"
	kc_wait_db_ready "$kc_db" 120
}

# kc_wait_db_ready CONTAINER LIMIT: the PostgreSQL image's server in
# CONTAINER accepts its configured login, as the image's own health check
# sees it (a login over TCP and SELECT 1). Its log does not tell: on a first
# start "ready to accept connections" comes from the temporary server that
# creates the user and database, which no client can reach, and the server
# that stays is still starting up for a moment after it.
kc_wait_db_ready() {
	engine_poll "$1" "$2" 0.5 "a login to PostgreSQL" kc_db_accepts_login "$1"
}

kc_db_accepts_login() {
	engine exec "$1" /usr/local/bin/keycloak-ha-postgres health postgres >/dev/null 2>&1
}

# kc_start_node NAME [RUN_ARGS...]: RUN_ARGS go to `run` before the image
# (e.g. -e JGROUPS_DISCOVERY_PROTOCOL=PING). WildFly gives up a boot that
# takes longer than 300 s, which a loaded 2-CPU machine booting several
# nodes at once can reach: the legacy server takes the tests' own bound.
kc_start_node() {
	local name=$1 container server_args=()
	shift
	container=$(kc_container "$name")
	kc_containers+=("$container")
	[ "$kc_generation" != legacy ] ||
		server_args=("-Djboss.as.management.blocking.timeout=$kc_boot_timeout")
	engine_run "$container" --network "$kc_network" --hostname "$name" \
		--network-alias "$name" --network-alias "$kc_alias" \
		-e DB_PASSWORD="$kc_db_password" \
		-e KEYCLOAK_USER="$kc_admin_user" -e KEYCLOAK_PASSWORD="$kc_admin_password" \
		"$@" "$KEYCLOAK_IMAGE" "${server_args[@]}"
}

kc_ip() {
	engine_ip "$(kc_container "$1")" "$kc_network"
}

# kc_views NAME: every cluster view NAME logged, one a line, as
# "COUNT MEMBERS" ("2 kc1, kc2"); merged views included (their list of
# subgroups left out). Keycloak 26 writes each member with its version
# ("kc1(v=16.0.14)"), which is left out.
kc_views() {
	engine logs "$(kc_container "$1")" 2>&1 | sed 's/, [0-9]* subgroups: .*$//' |
		sed -n 's/.*cluster view for channel [^:]*: \(MergeView::\)\{0,1\}\[[^]]*\] (\([0-9]*\)) \[\(.*\)\]$/\2 \3/p' |
		sed 's/(v=[^)]*)//g'
}

kc_view_total() {
	kc_views "$1" | wc -l
}

# kc_wait_view NAME N SECONDS [SKIP]: the newest view after the first SKIP
# views (default 0) has N members; prints it.
kc_wait_view() {
	local name=$1 n=$2 limit=$3 skip=${4:-0}
	kc_last_view=""
	if ! engine_poll "$(kc_container "$name")" "$limit" 0.5 "a $n-member view" \
		kc_view_is "$name" "$n" "$skip"; then
		echo "kc-cluster: $name: last view ${kc_last_view:-none}; its log ends:" >&2
		engine logs --tail 12 "$(kc_container "$name")" 2>&1 | cut -c1-300 | sed 's/^/  /' >&2
		return 1
	fi
	echo "$kc_last_view"
}

# kc_view_is NAME N SKIP: one try of kc_wait_view.
kc_view_is() {
	kc_last_view=$(kc_views "$1" | tail -n +"$(($3 + 1))" | tail -n 1)
	[ "${kc_last_view%% *}" = "$2" ]
}

# kc_curl NAME CURL_ARGS...: a request to node NAME under kc_host.
kc_curl() {
	local ip
	ip=$(kc_ip "$1")
	shift
	curl --silent --connect-to "$kc_host:8080:$ip:8080" "$@"
}

kc_http_code() {
	local name=$1 path=$2
	shift 2
	http_code "http://$kc_host:8080$path" --connect-to "$kc_host:8080:$(kc_ip "$name"):8080" "$@"
}

# kc_wait_http NAME SECONDS: NAME answers 200 for the master realm.
kc_wait_http() {
	http_wait_200 "$1" "$(kc_container "$1")" "$SECONDS" "$2" \
		"http://$kc_host:8080$kc_base/realms/master" \
		--connect-to "$kc_host:8080:$(kc_ip "$1"):8080" >/dev/null
}

# kc_sql SQL: rows of SQL in the Keycloak database, unaligned, no header.
kc_sql() {
	engine exec -e PGPASSWORD="$kc_db_password" "$kc_db" \
		psql -h 127.0.0.1 -U keycloak -d keycloak -X -A -t -q -c "$1"
}

# kc_ping_rows NAME: rows of the discovery table that name node NAME (the
# legacy table has its logical name in the serialised ping data, Keycloak
# 26's in the column name); "*" counts every row.
kc_ping_rows() {
	if [ "$1" = "*" ]; then
		kc_sql "SELECT count(*) FROM $kc_ping_table"
	elif [ "$kc_generation" = legacy ]; then
		kc_sql "SELECT count(*) FROM jgroupsping WHERE position(convert_to('$1', 'UTF8') IN ping_data) > 0"
	else
		kc_sql "SELECT count(*) FROM jgroups_ping WHERE name = '$1'"
	fi
}

# kc_admin_token NAME: an access token of the master realm's admin.
kc_admin_token() {
	kc_curl "$1" --max-time 30 \
		--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
		--data-urlencode "username=$kc_admin_user" \
		--data-urlencode "password=$kc_admin_password" \
		"http://$kc_host:8080$kc_base/realms/master/protocol/openid-connect/token" |
		sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# kc_now_ms: milliseconds since the epoch.
kc_now_ms() {
	date +%s%3N
}

# figure NAME VALUE UNIT: one measured figure, in the form every e2e test
# prints them so that runs can be compared.
figure() {
	echo "figure: $1 = $2 $3"
}
