#!/bin/bash
# End-to-end test on Docker: the 2015 commands ("Running Keycloak cluster
# with Docker", the README's "The 2015 commands") as they are, with --link,
# then the e2e suites named as arguments (default: cluster) with
# ENGINE=docker.
#
# The 2015 commands: a PostgreSQL container and two Keycloak containers
# linked to it (--link NAME:postgres, the database found through the link's
# POSTGRES_PORT_5432_TCP_ADDR), on Docker's default bridge, with the guide's
# variables and values. Two things differ from the guide's text, both so
# that the test cannot touch what is not its own: the containers' names
# carry a prefix of this run (postgres, keycloak and keycloak2 are names a
# user's own containers may have), and each node's 8080 is published on a
# free port of 127.0.0.1 (the guide's 8080 and 8081 are make cluster's, and
# a port on every interface would offer the test's admin to the network).
# The nodes get the admin user the README adds (KEYCLOAK_USER and
# KEYCLOAK_PASSWORD; the password goes through the environment, not the
# command line).
# Checks, as the guide's reader would: each node has the link's variables
# (the database's address), both log one two-member cluster view naming
# both nodes, both answer HTTP 200 on their published ports, an admin token
# obtained through node 1 is accepted by node 2's admin API (and a request
# without one is refused); the containers are gone afterwards.
#
# Then each named suite runs as it is, with ENGINE=docker and the same
# images; its counts are added to this test's (its own summary line is
# shown, reworded so that tests/run does not count it twice).
#
# The daemon: the one that answers, else dockerd started here (as root) and
# stopped at the end (tests/lib/dockerd.sh). The images: podman's builds,
# loaded into Docker unless Docker has the same ones (a build with
# ENGINE=docker is used as it is).
#
# Usage: tests/e2e/docker.sh [SUITE...]   (SUITE: an e2e suite of
#   tests/e2e, e.g. cluster; exit status 64 for one that is not there)
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), E2E_BOOT_TIMEOUT
#   (seconds, default 360), E2E_LOG_DIR (default out/test/e2e: the logs go
#   to its docker/ directory).
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
export ENGINE=docker
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
# shellcheck source=tests/lib/dockerd.sh
. "$repo_dir/tests/lib/dockerd.sh"
boot_timeout=${E2E_BOOT_TIMEOUT:-360}

suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=(cluster)
for suite in "${suites[@]}"; do
	case $suite in
	docker | binary | push | */* | '')
		echo "docker.sh: $suite: not a suite to run on docker (one of tests/e2e, e.g. cluster)" >&2
		exit 64
		;;
	esac
	if [ ! -x "$repo_dir/tests/e2e/$suite.sh" ]; then
		echo "docker.sh: $suite: no such e2e suite (tests/e2e/$suite.sh)" >&2
		exit 64
	fi
done

log_dir=${E2E_LOG_DIR:-$repo_dir/out/test/e2e}/docker
scratch_dir
# The containers go before the daemon that runs them: kc_finish first.
kc_finish_on_exit e2e-docker
at_exit dockerd_stop_own

# The containers of the 2015 commands, under this run's prefix; no network
# of their own (the default bridge), so kc_tear_down removes none.
kc_run=$(engine_unique_name khp-2015)
kc_network=""
kc_log_dir=$log_dir/2015
db=$(kc_container postgres)
node1=$(kc_container keycloak)
node2=$(kc_container keycloak2)
kc_containers=("$db" "$node1" "$node2")

if dockerd_ensure "$log_dir/dockerd.log"; then
	ok "a Docker daemon answers (server $(engine version --format '{{.Server.Version}}'))"
else
	fail "a Docker daemon answers"
	exit 1
fi
if dockerd_load_from_podman "$POSTGRES_IMAGE" "$KEYCLOAK_IMAGE"; then
	ok "Docker has the images ($POSTGRES_IMAGE, $KEYCLOAK_IMAGE)"
else
	fail "Docker has the images ($POSTGRES_IMAGE, $KEYCLOAK_IMAGE)"
	exit 1
fi
engine_detect
kc_set_generation "$KEYCLOAK_IMAGE"
summary_at_exit "e2e-docker-$kc_generation"
echo "Keycloak generation $kc_generation ($KEYCLOAK_IMAGE) on Docker"

# The guide's commands.
start=$SECONDS
engine run --name "$db" -e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak \
	-e POSTGRES_PASSWORD=password -d "$POSTGRES_IMAGE" >/dev/null
if kc_wait_db_ready "$db" 120; then
	ok "postgres ready after $((SECONDS - start))s"
else
	fail "postgres ready"
	exit 1
fi
start=$SECONDS
for node in "$node1" "$node2"; do
	KEYCLOAK_PASSWORD=$kc_admin_password engine run -p 127.0.0.1::8080 --name "$node" \
		--link "$db":postgres \
		-e POSTGRES_DATABASE=keycloak -e POSTGRES_USER=keycloak -e POSTGRES_PASSWORD=password \
		-e KEYCLOAK_USER="$kc_admin_user" -e KEYCLOAK_PASSWORD \
		-d "$KEYCLOAK_IMAGE" >/dev/null
done

# published_port NAME: the port of 127.0.0.1 that reaches NAME's 8080.
published_port() {
	local address
	address=$(engine port "$1" 8080/tcp | head -n 1)
	echo "${address##*:}"
}
port1=$(published_port "$node1")
port2=$(published_port "$node2")
db_ip=$(engine container inspect --format '{{.NetworkSettings.IPAddress}}' "$db")
host1=$(engine container inspect --format '{{.Config.Hostname}}' "$node1")
host2=$(engine container inspect --format '{{.Config.Hostname}}' "$node2")
echo "postgres $db_ip; keycloak ($host1) on 127.0.0.1:$port1, keycloak2 ($host2) on 127.0.0.1:$port2"

# The link is what tells the nodes where the database is.
for node in "$node1" "$node2"; do
	linked=$(engine exec "$node" printenv POSTGRES_PORT_5432_TCP_ADDR 2>/dev/null || true)
	if [ "$linked" = "$db_ip" ]; then
		ok "$node has the link's POSTGRES_PORT_5432_TCP_ADDR, the database's address ($db_ip)"
	else
		fail "$node has the link's POSTGRES_PORT_5432_TCP_ADDR, the database's address (got '$linked', want $db_ip)"
	fi
done

# Each node's newest view names both nodes (by host name, the container
# id: the guide sets none), in either order.
two_member_view() {
	kc_views "$1" | tail -n 1 | grep -Eqx "2 ($host1, $host2|$host2, $host1)"
}
for name in keycloak keycloak2; do
	node=$(kc_container "$name")
	remaining=$((boot_timeout - (SECONDS - start)))
	[ "$remaining" -gt 10 ] || remaining=10
	if engine_poll "$node" "$remaining" 1 "the two-member view" two_member_view "$name"; then
		ok "$node sees the two-member cluster view [$host1, $host2]"
		echo "timing: $node two-member view after $((SECONDS - start))s"
	else
		fail "$node sees the two-member cluster view [$host1, $host2] (views: $(kc_views "$name" | tr '\n' ';'))"
	fi
done

for node in "$node1" "$node2"; do
	port=$port1
	[ "$node" = "$node2" ] && port=$port2
	url="http://127.0.0.1:$port$kc_base/realms/master"
	remaining=$((boot_timeout - (SECONDS - start)))
	[ "$remaining" -gt 10 ] || remaining=10
	if http_wait_200 "$node" "$node" "$start" "$remaining" "$url"; then
		ok "$node answers HTTP 200 on $url"
	else
		fail "$node answers HTTP 200 on $url"
	fi
done

# Log in through node 1, use the token on node 2, both under one name as
# behind a load balancer (Keycloak binds a token to the URL it was issued
# under).
token_url="http://$kc_host:8080$kc_base/realms/master/protocol/openid-connect/token"
token_response=$(curl --silent --max-time 30 --connect-to "$kc_host:8080:127.0.0.1:$port1" \
	--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
	--data-urlencode "username=$kc_admin_user" --data-urlencode "password=$kc_admin_password" \
	"$token_url" || true)
token=$(printf '%s' "$token_response" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
if [ -n "$token" ]; then
	ok "admin login through node 1 gives an access token"
else
	fail "admin login through node 1 gives an access token (response: ${token_response:0:200})"
fi
admin_url="http://$kc_host:8080$kc_base/admin/realms/master"
code=$(http_code "$admin_url" --connect-to "$kc_host:8080:127.0.0.1:$port2" \
	-H "Authorization: Bearer $token")
if [ "$code" = 200 ]; then
	ok "node 2's admin API accepts node 1's token (GET $kc_base/admin/realms/master: 200)"
else
	fail "node 2's admin API accepts node 1's token (GET $kc_base/admin/realms/master: $code)"
fi
# Without a token it must refuse, or the check above proves nothing.
code=$(http_code "$admin_url" --connect-to "$kc_host:8080:127.0.0.1:$port2")
if [ "$code" = 401 ]; then
	ok "node 2's admin API refuses a request without a token (401)"
else
	fail "node 2's admin API refuses a request without a token (got $code)"
fi

if kc_tear_down; then
	ok "the 2015 containers removed"
else
	fail "the 2015 containers removed"
fi
echo "container logs: $kc_log_dir"
# Done with: kc_finish has nothing left to remove.
kc_run=""

# The suites, as they are, on Docker.
for suite in "${suites[@]}"; do
	echo "=== $suite with ENGINE=docker"
	rc=0
	(
		set -o pipefail
		E2E_LOG_DIR=$log_dir/$suite "$repo_dir/tests/e2e/$suite.sh" 2>&1 | tee "$tmp/$suite.log" |
			sed -E 's/^(.*): ([0-9]+) passed, ([0-9]+) failed$/\1 with ENGINE=docker: \2 passed, \3 failed (added below)/'
	) || rc=$?
	counts=$(sed -n -E 's/^.*: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$tmp/$suite.log" | tail -n 1)
	if [ -z "$counts" ]; then
		fail "$suite with ENGINE=docker ended (status $rc) without its summary"
		continue
	fi
	passed=$((passed + ${counts% *}))
	failed=$((failed + ${counts#* }))
	if [ "$rc" != 0 ] && [ "${counts#* }" = 0 ]; then
		fail "$suite with ENGINE=docker ended with status $rc and no failure counted"
	fi
done
