# Container engine helpers for the tests and the Makefile's helper scripts.
# Source this file from bash; it defines functions and sets nothing until
# engine_detect is called.
#
# Every call that talks to the engine is bounded by `timeout`, so a hung
# engine fails a test instead of stalling it. Containers and networks are
# always addressed by the exact name the caller created, never by pattern.
# shellcheck shell=bash

# Seconds any single engine command may take before it counts as hung.
ENGINE_CALL_TIMEOUT=${ENGINE_CALL_TIMEOUT:-120}

engine_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Pick the engine: $ENGINE if set, else podman, else docker. For podman,
# point CONTAINERS_CONF at the test-only settings (runc, explicit ulimits)
# unless the caller chose a file already.
engine_detect() {
	if [ -z "${ENGINE:-}" ]; then
		if command -v podman >/dev/null 2>&1; then
			ENGINE=podman
		elif command -v docker >/dev/null 2>&1; then
			ENGINE=docker
		else
			echo "engine.sh: neither podman nor docker is installed" >&2
			return 1
		fi
	fi
	if ! command -v "$ENGINE" >/dev/null 2>&1; then
		echo "engine.sh: ENGINE=$ENGINE: command not found" >&2
		return 1
	fi
	export ENGINE
	case "$(basename "$ENGINE")" in
	podman)
		export CONTAINERS_CONF="${CONTAINERS_CONF:-$engine_lib_dir/containers.conf}"
		;;
	docker)
		# Without a daemon every call fails, and those whose errors are
		# not shown (an image's label) would name the wrong cause.
		if ! timeout 20 "$ENGINE" info >/dev/null 2>&1; then
			echo "engine.sh: ENGINE=$ENGINE: no Docker daemon answers (tests/e2e/docker.sh starts one)" >&2
			return 1
		fi
		;;
	esac
}

# Run the engine with a time bound.
engine() {
	timeout "$ENGINE_CALL_TIMEOUT" "$ENGINE" "$@"
}

engine_image_exists() {
	engine image inspect "$1" >/dev/null 2>&1
}

engine_container_exists() {
	engine container inspect "$1" >/dev/null 2>&1
}

engine_network_exists() {
	engine network inspect "$1" >/dev/null 2>&1
}

# A name no other run on this machine uses: prefix, pid, random suffix.
engine_unique_name() {
	printf '%s-%s-%s\n' "$1" "$$" "$RANDOM"
}

# Create an internal network (no route off the machine) named NAME.
engine_network_create() {
	engine network create --internal "$1" >/dev/null
}

engine_network_remove() {
	if engine_network_exists "$1"; then
		engine network rm "$1" >/dev/null
	fi
}

# engine_run NAME ARGS...: start a detached container called NAME; ARGS are
# the remaining `run` options, the image and its command.
engine_run() {
	local name=$1 health=()
	shift
	# Podman runs the images' health checks from systemd timers; without
	# systemd they never run, and podman logs an error at every start of a
	# container with a HEALTHCHECK (even with --health-interval=disable,
	# which still lets `podman healthcheck run` run them: what
	# tests/e2e/health.sh sets engine_keep_healthcheck for).
	if [ "$(basename "$ENGINE")" = podman ] && [ ! -S /run/systemd/private ]; then
		if [ -n "${engine_keep_healthcheck:-}" ]; then
			health=(--health-interval=disable)
		else
			health=(--no-healthcheck)
		fi
	fi
	engine run --detach --name "$name" "${health[@]}" "$@" >/dev/null
}

# engine_stop NAME [SECONDS]: ask the container to stop, kill it after
# SECONDS (default 10). -t is podman's --time and docker's --timeout (the
# docker command of today warns that --time is deprecated).
engine_stop() {
	local name=$1 grace=${2:-10}
	if engine_container_exists "$name"; then
		engine stop -t "$grace" "$name" >/dev/null
	fi
}

# engine_remove NAME...: remove containers (forcefully) if they exist, with
# their anonymous volumes (the PostgreSQL image declares one for PGDATA).
engine_remove() {
	local name status=0
	for name in "$@"; do
		if engine_container_exists "$name"; then
			engine rm --force --volumes "$name" >/dev/null || status=1
		fi
	done
	return "$status"
}

engine_is_running() {
	[ "$(engine container inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]
}

# engine_poll NAME SECONDS INTERVAL WHAT COMMAND...: run COMMAND every
# INTERVAL seconds until it succeeds. Fails, naming WHAT it waited for, as
# soon as the container NAME stops, or after SECONDS.
engine_poll() {
	local name=$1 limit=$2 interval=$3 what=$4 deadline
	shift 4
	deadline=$((SECONDS + limit))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if "$@"; then
			return 0
		fi
		if ! engine_is_running "$name"; then
			echo "engine.sh: container $name stopped while waiting for $what" >&2
			return 1
		fi
		sleep "$interval"
	done
	echo "engine.sh: container $name: no $what after ${limit}s" >&2
	return 1
}

# engine_log_has NAME REGEX: the container's log (stdout and stderr) has a
# line matching the extended REGEX.
engine_log_has() {
	engine logs "$1" 2>&1 | grep -Eq -- "$2"
}

# engine_wait_log NAME REGEX SECONDS [INTERVAL]: wait until the container's
# log has a line matching REGEX, looking every INTERVAL seconds (default 2).
engine_wait_log() {
	engine_poll "$1" "$3" "${4:-2}" "/$2/ in its log" engine_log_has "$1" "$2"
}

# engine_ip NAME NETWORK: the container's IPv4 address on NETWORK.
engine_ip() {
	engine container inspect \
		--format "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"
}
