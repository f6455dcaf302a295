#!/bin/bash
# End-to-end test of compose.yaml as a user runs it, with a real compose
# implementation: podman-compose (default) or Docker's docker-compose.
#
# The user's steps, in the order docs/compose.md gives them: the two secret
# files made with the documented commands (in a directory of this run),
# `up -d`, then more nodes and fewer, then `down -v`. Checks, as the user
# would make them:
#   - without the secret files nothing that needs them starts (the database,
#     the nodes), and the engine's error names the file;
#   - the files are mode 0440, readable by nobody but their owner and group;
#   - the database and two nodes start, the database and the nodes are
#     healthy by the images' own health checks, and both nodes log one
#     two-member cluster view;
#   - the balancer's statistics show both nodes UP;
#   - the admin gets a token through the balancer's URL with the password of
#     the secret file, and not with another; its issuer is the balancer's
#     URL; the admin API behind the balancer accepts it and refuses a
#     request without one;
#   - a third node (the implementation's way: docker-compose `--scale
#     keycloak=3`; podman-compose 1.0.3, which parses --scale and ignores it,
#     KEYCLOAK_NODES=3) joins: a three-member view on every node, three UP in
#     the balancer, which was not restarted (same container, same start);
#   - back to two nodes (docker-compose `--scale keycloak=2`; podman-compose
#     has no way, so the third node is stopped and removed by its name, and
#     it ends by itself on SIGTERM within the grace, status 143):
#     two UP in the balancer, the others' view shrinks to two, and every
#     request sent through the balancer meanwhile succeeded; logins still
#     work;
#   - after `down -v` no container, volume or network of the project is
#     left (podman-compose 1.0.3 leaves the network: the test removes it,
#     and says so).
#
# The run's project name is unique (-p), so the test touches only what it
# started; the balancer is published on two free ports of 127.0.0.1 that
# the test picks, through compose.yaml's variables. The database and admin
# passwords never appear on a command line (curl reads the request body
# from a file of this run).
#
# Usage: tests/e2e/compose.sh [podman-compose|docker-compose]
#   (exit status 64 for another name). docker-compose talks to the Docker
#   daemon that answers, else to dockerd started here (as root) and stopped
#   at the end (tests/lib/dockerd.sh); the images are podman's builds,
#   loaded into Docker unless Docker has the same ones.
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE, BALANCER_IMAGE (required),
#   E2E_BOOT_TIMEOUT (seconds, default 400), E2E_LOG_DIR (default
#   out/test/e2e: the containers' logs go to its
#   compose-IMPLEMENTATION-GENERATION/, dockerd's to compose-docker-compose/).
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
implementation=${1:-podman-compose}
case $implementation in
podman-compose) export ENGINE=podman ;;
docker-compose) export ENGINE=docker ;;
*)
	echo "compose.sh: $implementation: expected podman-compose or docker-compose" >&2
	exit 64
	;;
esac
if ! command -v "$implementation" >/dev/null 2>&1; then
	echo "compose.sh: $implementation is not installed (Debian: apt-get install $implementation)" >&2
	exit 1
fi
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
# shellcheck source=tests/lib/dockerd.sh
. "$repo_dir/tests/lib/dockerd.sh"
: "${BALANCER_IMAGE:?set BALANCER_IMAGE to the balancer image to test}"
boot_timeout=${E2E_BOOT_TIMEOUT:-400}
log_dir=${E2E_LOG_DIR:-$repo_dir/out/test/e2e}/compose-$implementation

# Compose names the containers; every kc_* function here is given a
# container's own name.
kc_container() {
	printf '%s\n' "$1"
}

scratch_dir
summary_at_exit "e2e-compose-$implementation"
# The project goes before the daemon that runs it.
at_exit compose_clean_up
at_exit dockerd_stop_own

if [ "$ENGINE" = docker ]; then
	if dockerd_ensure "$log_dir/dockerd.log"; then
		ok "a Docker daemon answers (server $(engine version --format '{{.Server.Version}}'))"
	else
		fail "a Docker daemon answers"
		exit 1
	fi
	if dockerd_load_from_podman "$POSTGRES_IMAGE" "$KEYCLOAK_IMAGE" "$BALANCER_IMAGE"; then
		ok "Docker has the images"
	else
		fail "Docker has the images ($POSTGRES_IMAGE, $KEYCLOAK_IMAGE, $BALANCER_IMAGE)"
		exit 1
	fi
fi
engine_detect
kc_set_generation "$KEYCLOAK_IMAGE"
summary_at_exit "e2e-compose-$implementation-$kc_generation"
log_dir=$log_dir-$kc_generation
version=$("$implementation" version 2>/dev/null | grep -i compose |
	sed -n 's/.*version[: ]*\([0-9][0-9.]*\).*/\1/p' | head -n 1)
echo "$implementation $version, $ENGINE, Keycloak generation $kc_generation ($KEYCLOAK_IMAGE)"

project=$(engine_unique_name e2e-compose)
secrets=$tmp/secrets
# Two free ports of 127.0.0.1, asked of the kernel at once (so they differ).
read -r port stats_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
front=http://127.0.0.1:$port$kc_base
stats_url="http://127.0.0.1:$stats_port/;csv"

# The variables compose.yaml reads, all of them set here: a user's own
# (or a .env file's) must not change what is tested.
export KEYCLOAK_IMAGE POSTGRES_IMAGE BALANCER_IMAGE
export KEYCLOAK_SECRETS_DIR=$secrets KEYCLOAK_BIND=127.0.0.1 KEYCLOAK_PORT=$port \
	KEYCLOAK_STATS_PORT=$stats_port KEYCLOAK_URL=$front KEYCLOAK_GENERATION=$kc_generation \
	KEYCLOAK_ADMIN=admin KEYCLOAK_NODES=2 BALANCER_MAX_NODES=16

# compose ARGS...: the implementation on this run's project; its output
# (podman-compose prints every podman command) goes to compose.log.
compose() {
	echo "+ $implementation $*" >>"$tmp/compose.log"
	(cd "$repo_dir" && timeout 600 "$implementation" -p "$project" -f compose.yaml "$@") \
		>>"$tmp/compose.log" 2>&1
}

# project_containers [SERVICE]: the names of the project's containers (of
# SERVICE), by the label every implementation sets, oldest first.
project_containers() {
	local filter=(--filter "label=com.docker.compose.project=$project")
	[ -z "${1:-}" ] || filter+=(--filter "label=com.docker.compose.service=$1")
	engine ps -a "${filter[@]}" --format '{{.CreatedAt}}	{{.Names}}' | sort | cut -f 2
}

# healthy NAME: the container's health check, as its engine runs it, passes.
# Podman runs the checks from systemd timers, which are not there in every
# machine (a container): one is run now, which also sets the status.
healthy() {
	if [ "$ENGINE" = podman ]; then
		engine healthcheck run "$1" >/dev/null 2>&1
	else
		[ "$(engine container inspect --format '{{.State.Health.Status}}' "$1")" = healthy ]
	fi
}

# nodes_up: how many nodes the balancer's statistics say are UP (CSV:
# column 1 the backend, 2 the server, 18 its status).
nodes_up() {
	curl -fs --max-time 5 "$stats_url" |
		awk -F, '$1 == "nodes" && $2 ~ /^node/ && $18 == "UP"' | wc -l
}

up_is() {
	[ "$(nodes_up)" = "$1" ]
}

# token PASSWORD_FILE: the admin's access token through the balancer, the
# password sent in a request body of this run's (never an argument).
token() {
	local password body=$tmp/token-request
	password=$(cat "$1")
	(umask 077 && printf 'grant_type=password&client_id=admin-cli&username=admin&password=%s' \
		"$password" >"$body")
	curl -s --max-time 30 --data "@$body" "$front/realms/master/protocol/openid-connect/token" |
		sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
	rm -f "$body"
}

# started_at NAME: the container's ID and when it started.
started_at() {
	engine container inspect --format '{{.Id}} {{.State.StartedAt}}' "$1"
}

# wait_views N NODE...: every NODE's newest view has N members.
wait_views() {
	local n=$1 node view
	shift
	for node in "$@"; do
		if view=$(kc_wait_view "$node" "$n" "$(remaining)"); then
			ok "$node sees a $n-member cluster view [${view#* }]"
		else
			fail "$node sees a $n-member cluster view"
		fi
	done
}

# remaining: seconds left of boot_timeout since the phase began (at least 10).
remaining() {
	local left=$((boot_timeout - (SECONDS - phase)))
	[ "$left" -gt 10 ] || left=10
	echo "$left"
}

# save_logs: every container's log of the project, and compose.log.
save_logs() {
	local name
	mkdir -p "$log_dir"
	for name in $(project_containers); do
		engine logs "$name" >"$log_dir/${name#"$project"[-_]}.log" 2>&1 || true
	done
	cp "$tmp/compose.log" "$log_dir/compose.log" 2>/dev/null || true
}

# At exit: the logs, `down -v`; whatever is left of the project after that
# (a failed run) is removed by name.
compose_clean_up() {
	local name
	[ -n "${project:-}" ] || return 0
	if [ -n "$(project_containers)" ]; then
		save_logs
		compose down -v || true
	fi
	for name in $(project_containers); do
		engine rm --force --volumes "$name" >/dev/null 2>&1 || true
	done
	for name in $(engine volume ls -q --filter "label=com.docker.compose.project=$project"); do
		engine volume rm "$name" >/dev/null 2>&1 || true
	done
	engine_network_remove "${project}_default" || true
	mkdir -p "$log_dir"
	cp "$tmp/compose.log" "$log_dir/compose.log" 2>/dev/null || true
	echo "container logs: $log_dir"
}

# 1. Without the secret files: the engine refuses what mounts them.
mkdir "$secrets"
compose up -d && rc=0 || rc=$?
# podman-compose 1.0.3 exits 0 whatever its podman commands did.
if [ "$implementation" = docker-compose ]; then
	check "without the secret files up fails (status $rc)" test "$rc" != 0
fi
started=$(project_containers | grep -Ev '[-_]balancer[-_]' | tr '\n' ' ' || true)
check "without the secret files neither the database nor a node starts (got: ${started:-none})" \
	test -z "$started"
check "and the error names the missing file ($secrets/db_password)" \
	grep -q "$secrets/db_password" "$tmp/compose.log"
compose down -v || true
engine_network_remove "${project}_default" || true

# 2. The secret files, made as docs/compose.md says.
(umask 077 &&
	head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$secrets/db_password" &&
	head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$secrets/admin_password")
chgrp 0 "$secrets/db_password" "$secrets/admin_password"
chmod 0440 "$secrets/db_password" "$secrets/admin_password"
check "the secret files are mode 0440 (owner and group 0 read them, nobody else)" \
	test "$(stat -c '%a %g' "$secrets/db_password" "$secrets/admin_password" | sort -u)" = "440 0"

# 3. up -d: PostgreSQL, two nodes, the balancer.
phase=$SECONDS
if compose up -d; then
	ok "$implementation up -d (2 nodes)"
else
	fail "$implementation up -d (2 nodes)"
	tail -n 20 "$tmp/compose.log" >&2
	exit 1
fi
db=$(project_containers postgres)
balancer=$(project_containers balancer)
mapfile -t nodes < <(project_containers keycloak)
check "one database, one balancer and 2 nodes (got: $db, $balancer, ${nodes[*]})" \
	test -n "$db" -a -n "$balancer" -a "${#nodes[@]}" = 2
[ "${#nodes[@]}" = 2 ] || exit 1
if engine_poll "$db" 120 2 "a healthy database" healthy "$db"; then
	ok "the database is healthy (its health check: a login and SELECT 1) after $((SECONDS - phase))s"
else
	fail "the database is healthy"
fi
for node in "${nodes[@]}"; do
	if engine_wait_log "$node" "$kc_started_regex" "$(remaining)"; then
		ok "$node started after $((SECONDS - phase))s"
	else
		fail "$node started"
	fi
done
wait_views 2 "${nodes[@]}"
if engine_poll "$balancer" "$(remaining)" 1 "2 nodes UP" up_is 2; then
	ok "the balancer shows 2 nodes UP after $((SECONDS - phase))s"
else
	fail "the balancer shows 2 nodes UP (got $(nodes_up))"
fi
figure compose_two_nodes_up_s $((SECONDS - phase)) s
# Docker runs the check every 30 s (the image's interval): the status turns
# healthy at the first check after the node is ready.
for node in "${nodes[@]}"; do
	if engine_poll "$node" 60 2 "a healthy node" healthy "$node"; then
		ok "$node is healthy (its health check: readiness)"
	else
		fail "$node is healthy (its health check: readiness)"
	fi
done

# 4. The admin through the balancer.
admin_token=$(token "$secrets/admin_password")
check "the admin gets a token through the balancer ($front) with the secret file's password" \
	test -n "$admin_token"
printf 'not-the-password\n' >"$tmp/wrong_password"
check "and none with another password" test -z "$(token "$tmp/wrong_password")"
issuer=$(jwt_issuer "$admin_token")
check "the token's issuer is the balancer's URL ($issuer)" test "$issuer" = "$front/realms/master"
code=$(http_code "$front/admin/realms/master" -H "Authorization: Bearer $admin_token")
check "the admin API behind the balancer accepts the token (GET /admin/realms/master: $code)" \
	test "$code" = 200
code=$(http_code "$front/admin/realms/master")
check "and refuses a request without one ($code)" test "$code" = 401

# 5. A third node.
before=$(started_at "$balancer")
phase=$SECONDS
if [ "$implementation" = docker-compose ]; then
	how="up -d --scale keycloak=3"
	compose up -d --scale keycloak=3 && rc=0 || rc=$?
else
	how="KEYCLOAK_NODES=3 up -d"
	KEYCLOAK_NODES=3 compose up -d && rc=0 || rc=$?
fi
check "$implementation $how" test "$rc" = 0
mapfile -t all < <(project_containers keycloak)
check "3 nodes (got: ${all[*]})" test "${#all[@]}" = 3
[ "${#all[@]}" = 3 ] || exit 1
third=${all[2]}
if engine_wait_log "$third" "$kc_started_regex" "$(remaining)"; then
	ok "$third started after $((SECONDS - phase))s"
else
	fail "$third started"
fi
wait_views 3 "${all[@]}"
if engine_poll "$balancer" "$(remaining)" 1 "3 nodes UP" up_is 3; then
	ok "the balancer shows 3 nodes UP after $((SECONDS - phase))s"
else
	fail "the balancer shows 3 nodes UP (got $(nodes_up))"
fi
figure compose_third_node_up_s $((SECONDS - phase)) s
check "the balancer was not restarted (same container, same start: $before)" \
	test "$(started_at "$balancer")" = "$before"

# 6. Back to two, with requests through the balancer all along: each
# request's status, one a line.
: >"$tmp/requests"
(
	while [ ! -e "$tmp/requests-stop" ]; do
		http_code "$front/realms/master/.well-known/openid-configuration" >>"$tmp/requests"
		echo >>"$tmp/requests"
		sleep 0.2
	done
) &
requests_pid=$!
phase=$SECONDS
if [ "$implementation" = docker-compose ]; then
	how="up -d --scale keycloak=2"
	compose up -d --scale keycloak=2 && rc=0 || rc=$?
else
	how="stop and rm $third"
	stop_began=$SECONDS
	engine stop -t 30 "$third" >>"$tmp/compose.log" 2>&1 && rc=0 || rc=$?
	# 143: the JVM ended on SIGTERM by itself (137: killed after the grace).
	status=$(engine container inspect --format '{{.State.ExitCode}}' "$third")
	check "$third stopped by itself on SIGTERM in $((SECONDS - stop_began))s of the 30 s grace (exit status $status)" \
		test "$status" = 143
	engine rm "$third" >>"$tmp/compose.log" 2>&1 || rc=$?
fi
check "back to 2 nodes: $how" test "$rc" = 0
mapfile -t left < <(project_containers keycloak)
check "2 nodes left (got: ${left[*]})" test "${#left[@]}" = 2
if engine_poll "$balancer" 60 1 "2 nodes UP" up_is 2; then
	ok "the balancer shows 2 nodes UP after $((SECONDS - phase))s"
else
	fail "the balancer shows 2 nodes UP (got $(nodes_up))"
fi
wait_views 2 "${left[@]}"
# Requests go on a few seconds after the change settled.
sleep 5
touch "$tmp/requests-stop"
wait "$requests_pid" || true
total=$(grep -c . "$tmp/requests" || true)
bad=$(grep -cvx 200 "$tmp/requests" || true)
check "every request through the balancer while the third node left succeeded ($total sent, $bad not 200)" \
	test "$total" -gt 10 -a "$bad" = 0
figure compose_requests_while_a_node_left "$total" requests
admin_token=$(token "$secrets/admin_password")
code=$(http_code "$front/admin/realms/master" -H "Authorization: Bearer $admin_token")
check "logins through the balancer still work (a new token, admin API $code)" \
	test -n "$admin_token" -a "$code" = 200

# 7. down -v leaves nothing of the project.
save_logs
if compose down -v; then
	ok "$implementation down -v"
else
	fail "$implementation down -v"
fi
left_over=$(project_containers | tr '\n' ' ')
check "no container of the project is left (${left_over:-none})" test -z "$left_over"
volumes=$(engine volume ls -q --filter "label=com.docker.compose.project=$project" | tr '\n' ' ')
check "no volume of the project is left (${volumes:-none})" test -z "$volumes"
if engine_network_exists "${project}_default"; then
	echo "note: $implementation down left the network ${project}_default; removed here"
	engine_network_remove "${project}_default"
fi
check "no network of the project is left" fails engine_network_exists "${project}_default"
