#!/bin/bash
# "make images push" to a private registry: a real registry (Debian's
# docker-registry) that this test starts on loopback, with images named from
# REGISTRY and TAG. Checks that both images arrive under the expected names
# and that their manifests can be read back.
#
# Usage: tests/e2e/push.sh   (from make test; needs docker-registry)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/engine.sh
. "$here/../lib/engine.sh"
# shellcheck source=tests/lib/testlib.sh
. "$here/../lib/testlib.sh"
engine_detect

scratch_dir
port=$((20000 + RANDOM % 20000))
registry_pid=
registry=127.0.0.1:$port/team
tag=push-test-$$
cleanup() {
	engine rmi "$registry/keycloak-ha-postgres:$tag" "$registry/keycloak-ha-postgres-db:$tag" >/dev/null 2>&1 || true
	if [ -n "$registry_pid" ]; then
		kill "$registry_pid" 2>/dev/null || true
		wait "$registry_pid" 2>/dev/null || true
		registry_pid=
	fi
}
at_exit cleanup

cat >"$tmp/config.yml" <<CONF
version: 0.1
storage:
  filesystem:
    rootdirectory: $tmp/store
http:
  addr: 127.0.0.1:$port
CONF
docker-registry serve "$tmp/config.yml" >"$tmp/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
	sleep 0.1
done
check "registry answers" curl -fsS "http://127.0.0.1:$port/v2/" -o /dev/null

push_flags=
[ "$(basename "$ENGINE")" = podman ] && push_flags=--tls-verify=false
env -u KEYCLOAK_IMAGE -u POSTGRES_IMAGE -u MAKEFLAGS -u MAKELEVEL -u TAG -u REGISTRY \
	make -C "$repo" --no-print-directory images push REGISTRY="$registry" TAG="$tag" \
	PUSH_FLAGS="$push_flags" >"$tmp/make.log" 2>&1 || { tail -n 30 "$tmp/make.log" >&2; false; }

for image in keycloak-ha-postgres keycloak-ha-postgres-db; do
	check "$image:$tag is in the registry" \
		bash -c "curl -fsS 'http://127.0.0.1:$port/v2/team/$image/tags/list' | grep -q '\"$tag\"'"
	check "$image:$tag manifest can be read" curl -fsS -o /dev/null \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
		"http://127.0.0.1:$port/v2/team/$image/manifests/$tag"
done

# The tags this test made are its own to remove.
cleanup
for image in keycloak-ha-postgres keycloak-ha-postgres-db; do
	check "tag $registry/$image:$tag removed afterwards" fails engine_image_exists "$registry/$image:$tag"
done

summary push
