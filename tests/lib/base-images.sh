#!/bin/bash
# Make the Debian base images the Dockerfiles name in FROM available to the
# container engine, on machines that cannot pull from a registry.
#
# For each base image (by default: every `ARG ..._IMAGE=` default in the
# Dockerfiles at the top of the repository) this script does nothing if the
# engine already has an image of that exact name, else tries to pull it, and
# if that fails (or BASE_IMAGES_OFFLINE=1) builds a stand-in:
#   debootstrap --variant=minbase SUITE DIR DEBIAN_MIRROR
#   tar -C DIR -c . | ENGINE import - docker.io/library/debian:SUITE-slim
# The debootstrap result is kept as a tarball under out/base-images/, so a
# rerun only imports it. The Dockerfiles stay what a user with registry
# access builds; only the source of the base image differs.
#
# Usage: tests/lib/base-images.sh [IMAGE...]
# Environment: ENGINE, BASE_IMAGES_OFFLINE=1 (skip pulling),
#   BASE_IMAGES_CACHE (default out/base-images), DEBIAN_MIRROR (default: as
#   build/debian-mirror finds it, from this machine's apt sources).
set -eu

lib_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(cd "$lib_dir/../.." && pwd)
# shellcheck source=tests/lib/engine.sh
. "$lib_dir/engine.sh"

cache_dir=${BASE_IMAGES_CACHE:-$repo_dir/out/base-images}
mirror=$("$repo_dir/build/debian-mirror")
pull_timeout=${BASE_IMAGES_PULL_TIMEOUT:-60}

# The base images the Dockerfiles use by default.
list_dockerfile_images() {
	sed -n 's/^ARG [A-Z_]*IMAGE=\(.*\)$/\1/p' "$repo_dir"/Dockerfile.* | sort -u
}

# docker.io/library/debian:bookworm-slim and debian:bookworm-slim both name
# the same image; the engine stores the fully qualified name.
qualify() {
	case "$1" in
	*/*/*) echo "$1" ;;
	*/*) echo "docker.io/$1" ;;
	*) echo "docker.io/library/$1" ;;
	esac
}

# Debian suite of an image name such as docker.io/library/debian:bullseye-slim.
suite_of() {
	case "$1" in
	docker.io/library/debian:*-slim) basename "${1#*:}" -slim ;;
	docker.io/library/debian:*) echo "${1#*:}" ;;
	*) return 1 ;;
	esac
}

# Write the minbase root file system of SUITE as TARBALL.
bootstrap_suite() {
	local suite=$1 tarball=$2 rootfs
	if ! command -v debootstrap >/dev/null 2>&1; then
		echo "base-images: debootstrap is not installed (apt-get install debootstrap)" >&2
		return 1
	fi
	mkdir -p "$cache_dir"
	rootfs=$(mktemp -d "$cache_dir/$suite.rootfs.XXXXXX")
	# shellcheck disable=SC2064 # expand now: the path is fixed
	trap "rm -rf '$rootfs'" EXIT
	debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$cache_dir/$suite.log" 2>&1 || {
		echo "base-images: debootstrap $suite failed; see $cache_dir/$suite.log" >&2
		return 1
	}
	# Same package sources as Debian's own images: release, updates, security.
	cat >"$rootfs/etc/apt/sources.list" <<-EOF
		deb $mirror $suite main
		deb $mirror $suite-updates main
		deb ${mirror}-security $suite-security main
	EOF
	rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
		"$rootfs"/var/cache/apt/archives/*.deb
	tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$rootfs"
	trap - EXIT
}

provide_image() {
	local image suite tarball start
	image=$(qualify "$1")
	start=$SECONDS
	if engine_image_exists "$image"; then
		echo "base-images: $image present"
		return 0
	fi
	if [ "${BASE_IMAGES_OFFLINE:-0}" != 1 ] &&
		timeout "$pull_timeout" "$ENGINE" pull --quiet "$image" >/dev/null 2>&1; then
		echo "base-images: $image pulled in $((SECONDS - start))s"
		return 0
	fi
	if ! suite=$(suite_of "$image"); then
		echo "base-images: cannot pull $image and do not know how to build it" >&2
		return 1
	fi
	tarball=$cache_dir/debian-$suite-minbase.tar
	if [ ! -s "$tarball" ]; then
		bootstrap_suite "$suite" "$tarball"
		echo "base-images: debootstrap $suite took $((SECONDS - start))s"
	fi
	engine import --change 'CMD ["bash"]' - "$image" <"$tarball" >/dev/null 2>"$cache_dir/import.log" || {
		cat "$cache_dir/import.log" >&2
		return 1
	}
	echo "base-images: $image built from $tarball in $((SECONDS - start))s total"
}

main() {
	local image
	local -a images=("$@")
	engine_detect
	if [ "${#images[@]}" -eq 0 ]; then
		mapfile -t images < <(list_dockerfile_images)
	fi
	if [ "${#images[@]}" -eq 0 ]; then
		echo "base-images: no base image named (no ARG ..._IMAGE= in Dockerfile.*)" >&2
		return 1
	fi
	for image in "${images[@]}"; do
		provide_image "$image"
	done
}

main "$@"
