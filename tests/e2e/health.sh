#!/bin/bash
# End-to-end test of the images' health checks: PostgreSQL and one Keycloak
# node from the real images, on a network of this run, and what a user
# reads of them: `inspect --format '{{.State.Health.Status}}'`.
#
# Checks: both images declare a HEALTHCHECK in exec form that runs the
# entrypoint's health command (no shell, no curl); the PostgreSQL container
# becomes healthy, its check naming the login it made; the Keycloak node
# becomes healthy once it serves (Keycloak 26: /health/ready on the
# management port; legacy: the master realm), the check's output naming
# the endpoint; then the server stops answering (SIGSTOP to the container:
# the entrypoint exec'd java, so the JVM is what stops, and the kernel
# still accepts connections): each check fails within its timeout with "no
# answer within 5 s" and the status becomes unhealthy after the retries;
# after SIGCONT the node is healthy again.
#
# podman runs health checks from a systemd timer, which a machine without
# systemd (a container) does not have; the test drives each check itself
# with `podman healthcheck run NAME`, which runs the image's HEALTHCHECK and
# updates the status as the timer would. Docker runs the checks on its own
# (every 30 s): the test then only waits.
#
# Either generation (KEYCLOAK_IMAGE's label).
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE,
#   E2E_BOOT_TIMEOUT (seconds, default 600), E2E_LOG_DIR.
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
# The images' health checks stay, to be run by hand (engine.sh).
# shellcheck disable=SC2034 # read by engine_run
engine_keep_healthcheck=yes

kc_init khp-health
kc_finish_on_exit "e2e-health-$kc_generation"
echo "Keycloak generation $kc_generation ($KEYCLOAK_IMAGE)"
node=$(kc_container kc1)

# health_status NAME: what the engine says of the container's health.
health_status() {
	engine inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null
}

# health_output NAME: the output of the container's latest check.
health_output() {
	engine inspect --format '{{range .State.Health.Log}}{{.Output}}{{"\n"}}{{end}}' "$1" \
		2>/dev/null | sed '/^$/d' | tail -n 1
}

# health_run NAME: one check, as the engine's timer would run it; its
# exit status (docker: none, its daemon runs them).
health_run() {
	if [ "${ENGINE##*/}" = podman ]; then
		engine healthcheck run "$1" >/dev/null 2>&1
	else
		sleep 5
		[ "$(health_status "$1")" = healthy ]
	fi
}

# health_until NAME STATUS SECONDS: run checks until the status is STATUS;
# prints how many checks ran.
health_until() {
	local name=$1 want=$2 deadline=$((SECONDS + $3)) runs=0
	while [ "$SECONDS" -lt "$deadline" ]; do
		health_run "$name" || true
		runs=$((runs + 1))
		if [ "$(health_status "$name")" = "$want" ]; then
			echo "$runs"
			return 0
		fi
		engine_is_running "$name" || break
		sleep 1
	done
	echo "health: $name: status $(health_status "$name") after $runs checks, not $want" >&2
	return 1
}

# The images' declarations: exec form (no CMD-SHELL), the health command.
for image in "$KEYCLOAK_IMAGE" "$POSTGRES_IMAGE"; do
	hc=$(engine image inspect --format '{{json .Config.Healthcheck}}' "$image" 2>/dev/null ||
		true)
	case $image in
	"$POSTGRES_IMAGE") want='["CMD","/usr/local/bin/keycloak-ha-postgres","health","postgres"]' ;;
	*) want='["CMD","/usr/local/bin/keycloak-ha-postgres","health"]' ;;
	esac
	if [[ $hc == *"\"Test\":$want"* ]]; then
		ok "$image declares HEALTHCHECK $want"
	else
		fail "$image: HEALTHCHECK is $hc, want the test $want"
	fi
done

kc_start_db
if runs=$(health_until "$kc_db" healthy 120); then
	ok "PostgreSQL container healthy after $runs check(s): $(health_output "$kc_db")"
else
	fail "PostgreSQL container never healthy; last check: $(health_output "$kc_db")"
fi
check "PostgreSQL's check made the configured login" \
	grep -q '^healthy: database keycloak on 127.0.0.1:5432 accepts the login of keycloak$' \
	<<<"$(health_output "$kc_db")"

started=$SECONDS
kc_start_node kc1
health_run "$node" || true
first=$(health_output "$node")
check "Keycloak's first check, while it boots, is not healthy: $first" \
	[ "$(health_status "$node")" != healthy ]
if runs=$(health_until "$node" healthy "$kc_boot_timeout"); then
	ok "Keycloak container healthy after $runs check(s), $((SECONDS - started)) s after its start"
	figure health_healthy_after_start "$((SECONDS - started))" s
else
	fail "Keycloak container never healthy; last check: $(health_output "$node")"
fi
output=$(health_output "$node")
if [ "$kc_generation" = 26 ]; then
	want='^healthy: GET http://127\.0\.0\.1:9000/health/ready: HTTP 200, status UP$'
else
	want='^healthy: GET http://[0-9.]*:8080/auth/realms/master: HTTP 200$'
fi
check "the check names the readiness endpoint: $output" grep -Eq "$want" <<<"$output"
check "a user's look at the server agrees (HTTP 200 for the master realm)" \
	kc_wait_http kc1 60

# The server stops answering: the JVM is PID 1 (the entrypoint exec'd it).
cmdline=$(engine exec "$node" cat /proc/1/cmdline | tr '\0' ' ')
check "the container's main process is the JVM: ${cmdline:0:60}..." \
	grep -q "$kc_server_main" <<<"$cmdline"
engine kill --signal STOP "$node" >/dev/null
t0=$SECONDS
health_run "$node" && rc=0 || rc=$?
took=$((SECONDS - t0))
output=$(health_output "$node")
failed_in_time() { [ "$rc" != 0 ] && [ "$took" -le 9 ]; }
check "a check of the stopped server fails (status $rc) within its timeout ($took s)" \
	failed_in_time
check "it says why: $output" grep -Eq 'unhealthy: GET http.*: no answer within 5 s$' <<<"$output"
# The start period (Keycloak 26: 120 s, legacy 90 s) does not count the
# failures in it; then three in a row make the container unhealthy.
if runs=$(health_until "$node" unhealthy 240); then
	ok "Keycloak container unhealthy after $runs failing check(s)"
else
	fail "Keycloak container not unhealthy while stopped"
fi
engine kill --signal CONT "$node" >/dev/null
if runs=$(health_until "$node" healthy 60); then
	ok "healthy again after SIGCONT, $runs check(s): $(health_output "$node")"
else
	fail "not healthy again after SIGCONT; last check: $(health_output "$node")"
fi
