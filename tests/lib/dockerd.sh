# Docker's daemon and images for the tests that run on Docker. Source it
# after engine.sh (with ENGINE=docker); it defines functions only.
#
#   dockerd_ensure LOG   use the daemon that answers; when none does, start
#                        dockerd (root only), its output in the file LOG
#   dockerd_stop_own     stop the daemon dockerd_ensure started, if it did;
#                        a daemon that was running before is left alone
#   dockerd_load_from_podman IMAGE...   give Docker podman's build of each
#                        IMAGE (podman save | docker load), unless Docker
#                        holds the same image (same ID) already; an IMAGE
#                        podman does not have must be in Docker. Loaded
#                        images stay (the next run need not load them).
#
# The daemon started here is Docker's as packaged (Debian: docker.io), with
# its own defaults (data in /var/lib/docker, so loaded images stay for the
# next run; overlay2; cgroupfs), except for one setting: --ip-forward=false.
# Docker turns on IP forwarding when it is off and then sets the FORWARD
# chain's policy to DROP, which would cut the traffic of podman's test
# networks too. The tests need no forwarding: the containers reach each
# other over their bridge and the host reaches them over it or on loopback.
# shellcheck shell=bash

# Seconds a starting daemon may take to answer, and a stopping one to end.
DOCKERD_START_TIMEOUT=${DOCKERD_START_TIMEOUT:-60}
DOCKERD_STOP_TIMEOUT=${DOCKERD_STOP_TIMEOUT:-30}
# Seconds one image may take to go from podman to Docker.
DOCKERD_LOAD_TIMEOUT=${DOCKERD_LOAD_TIMEOUT:-600}

dockerd_own_pid=""

dockerd_answers() {
	timeout 20 "$ENGINE" info >/dev/null 2>&1
}

dockerd_ensure() {
	local log=$1 deadline
	if dockerd_answers; then
		return 0
	fi
	if ! command -v dockerd >/dev/null 2>&1; then
		echo "dockerd.sh: no Docker daemon answers and dockerd is not installed (Debian: docker.io)" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "dockerd.sh: no Docker daemon answers, and only root can start one" >&2
		return 1
	fi
	mkdir -p "$(dirname "$log")"
	# A session of its own: a Ctrl-C meant for the test must not stop the
	# daemon before the test has removed its containers.
	setsid dockerd --ip-forward=false </dev/null >"$log" 2>&1 &
	dockerd_own_pid=$!
	deadline=$((SECONDS + DOCKERD_START_TIMEOUT))
	while ! dockerd_answers; do
		if ! kill -0 "$dockerd_own_pid" 2>/dev/null; then
			wait "$dockerd_own_pid" 2>/dev/null || true
			dockerd_own_pid=""
			echo "dockerd.sh: dockerd ended at start; its errors ($log):" >&2
			grep -E 'level=(fatal|error)|^failed' "$log" | tail -n 5 | sed 's/^/    /' >&2
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "dockerd.sh: dockerd does not answer after ${DOCKERD_START_TIMEOUT}s (log: $log)" >&2
			dockerd_stop_own
			return 1
		fi
		sleep 0.5
	done
	echo "dockerd.sh: started dockerd (pid $dockerd_own_pid, log $log)"
}

dockerd_stop_own() {
	local pid=$dockerd_own_pid deadline
	[ -n "$pid" ] || return 0
	dockerd_own_pid=""
	kill -TERM "$pid" 2>/dev/null || return 0
	deadline=$((SECONDS + DOCKERD_STOP_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "dockerd.sh: dockerd (pid $pid) still running ${DOCKERD_STOP_TIMEOUT}s after TERM; killed" >&2
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.5
	done
	wait "$pid" 2>/dev/null || true
}

# dockerd_podman ARGS...: podman with the tests' settings (engine.sh's).
dockerd_podman() {
	CONTAINERS_CONF=${CONTAINERS_CONF:-$engine_lib_dir/containers.conf} \
		timeout "$ENGINE_CALL_TIMEOUT" podman "$@"
}

dockerd_load_from_podman() {
	local image from_podman in_docker began former
	for image in "$@"; do
		from_podman=""
		if command -v podman >/dev/null 2>&1; then
			from_podman=$(dockerd_podman image inspect --format '{{.Id}}' "$image" 2>/dev/null) ||
				from_podman=""
		fi
		in_docker=$(engine image inspect --format '{{.Id}}' "$image" 2>/dev/null) || in_docker=""
		if [ -z "$from_podman" ]; then
			if [ -z "$in_docker" ]; then
				echo "dockerd.sh: $image: neither podman nor Docker has it (make images)" >&2
				return 1
			fi
			continue
		fi
		# Both name an image by the digest of its configuration, which
		# podman save keeps: the same ID is the same build.
		[ "$in_docker" != "sha256:$from_podman" ] || continue
		began=$SECONDS
		if ! (
			set -o pipefail
			ENGINE_CALL_TIMEOUT=$DOCKERD_LOAD_TIMEOUT dockerd_podman save "$image" |
				timeout "$DOCKERD_LOAD_TIMEOUT" "$ENGINE" load >/dev/null
		); then
			echo "dockerd.sh: $image: podman save | docker load failed" >&2
			return 1
		fi
		# Docker's former image of that name is left as it is, untagged:
		# it may be a build of the user's.
		former=""
		[ -z "$in_docker" ] || former=" (Docker's former ${in_docker:7:12} is left untagged)"
		echo "dockerd.sh: $image: loaded from podman in $((SECONDS - began))s$former"
	done
}
