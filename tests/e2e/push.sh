#!/bin/bash
# "make images push" to a private registry: a real registry (Debian's
# docker-registry) that this test starts on loopback, with images named from
# REGISTRY and TAG. Checks that the four images (Keycloak 26 as TAG, the
# legacy Keycloak as TAG-legacy, PostgreSQL, the balancer) arrive under the expected names
# and that their manifests can be read back. It runs once, not per
# generation.
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
# What make names the images: NAME:TAG.
pushed=("keycloak-ha-postgres:$tag" "keycloak-ha-postgres:$tag-legacy" "keycloak-ha-postgres-db:$tag"
	"keycloak-ha-postgres-balancer:$tag")
cleanup() {
	local image
	for image in "${pushed[@]}"; do
		engine rmi "$registry/$image" >/dev/null 2>&1 || true
	done
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
# The image names make would take from the environment (make test exports
# them) go, so that REGISTRY and TAG name every image.
env -u KEYCLOAK_IMAGE -u KEYCLOAK_LEGACY_IMAGE -u POSTGRES_IMAGE -u BALANCER_IMAGE -u MAKEFLAGS \
	-u MAKELEVEL \
	-u TAG -u REGISTRY \
	make -C "$repo" --no-print-directory images push REGISTRY="$registry" TAG="$tag" \
	PUSH_FLAGS="$push_flags" >"$tmp/make.log" 2>&1 || { tail -n 30 "$tmp/make.log" >&2; false; }

for image in "${pushed[@]}"; do
	name=${image%:*} image_tag=${image##*:}
	check "$image is in the registry" \
		bash -c "curl -fsS 'http://127.0.0.1:$port/v2/team/$name/tags/list' | grep -q '\"$image_tag\"'"
	check "$image manifest can be read" curl -fsS -o /dev/null \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
		"http://127.0.0.1:$port/v2/team/$name/manifests/$image_tag"
done
# The two Keycloak images in the registry are the two generations, not one
# image twice: the generation label of each image's configuration, read
# back from the registry (the manifest names the configuration's blob).
registry_generation() {
	local name=${1%:*} image_tag=${1##*:} digest
	digest=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
		"http://127.0.0.1:$port/v2/team/$name/manifests/$image_tag" | tr -d ' \n' |
		sed -n 's/.*"config":{[^}]*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p')
	[ -n "$digest" ] || return 1
	curl -fsS "http://127.0.0.1:$port/v2/team/$name/blobs/$digest" | tr -d ' \n' |
		sed -n 's/.*"keycloak-ha-postgres.generation":"\([^"]*\)".*/\1/p'
}
generation=$(registry_generation "${pushed[0]}" || true)
check "${pushed[0]} in the registry holds Keycloak 26 (generation label: $generation)" \
	[ "$generation" = 26 ]
generation=$(registry_generation "${pushed[1]}" || true)
check "${pushed[1]} in the registry holds the legacy Keycloak (generation label: $generation)" \
	[ "$generation" = legacy ]

# The tags this test made are its own to remove.
cleanup
for image in "${pushed[@]}"; do
	check "tag $registry/$image removed afterwards" fails engine_image_exists "$registry/$image"
done

summary push
