#!/bin/bash
# build/debian-mirror: the Debian mirror is DEBIAN_MIRROR, else the URI of
# the first Debian entry of the apt sources it is given (APT_SOURCES_LIST,
# APT_SOURCES_PARTS: one-line *.list files and deb822 *.sources files), else
# http://deb.debian.org/debian. Each case writes the sources files and runs
# the script with exactly the environment it names.
#
# Usage: tests/unit/debian_mirror.sh
set -eu

mirror=$(cd "$(dirname "$0")/../.." && pwd)/build/debian-mirror
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir
default=http://deb.debian.org/debian

# sources [FILE CONTENT]...: a fresh sources.list (first) and parts directory.
sources() {
	rm -rf "$tmp/apt"
	mkdir -p "$tmp/apt/sources.list.d"
	while [ $# -gt 0 ]; do
		printf '%s\n' "$2" >"$tmp/apt/$1"
		shift 2
	done
}

# gives WANT WHAT [NAME=VALUE...]: the script prints WANT.
gives() {
	local want=$1 what=$2
	shift 2
	local got
	got=$(env -i PATH=/usr/bin:/bin APT_SOURCES_LIST="$tmp/apt/sources.list" \
		APT_SOURCES_PARTS="$tmp/apt/sources.list.d" "$@" "$mirror" 2>&1) || got="failed: $got"
	check "$what: want $want, got $got" [ "$got" = "$want" ]
}

sources sources.list 'deb http://mirror.example/debian bookworm main'
gives http://mirror.example/debian "one-line entry"
gives http://set.example/debian "DEBIAN_MIRROR wins" DEBIAN_MIRROR=http://set.example/debian/
gives http://mirror.example/debian "an empty DEBIAN_MIRROR counts as unset" DEBIAN_MIRROR=

sources sources.list '# deb http://commented.example/debian bookworm main
deb-src http://source.example/debian bookworm main
deb http://security.example/debian-security bookworm-security main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://mirror.example/debian/ bookworm-updates main contrib # a comment
deb http://later.example/debian bookworm main'
gives https://mirror.example/debian "comments, deb-src and -security passed over, options, trailing slash"

sources sources.list 'deb [ arch=amd64 ] http://spaced.example/debian stable main'
gives http://spaced.example/debian "options with spaces inside the brackets"

sources sources.list 'deb http://archive.ubuntu.com/ubuntu jammy main
deb https://download.docker.com/linux/debian bookworm stable
deb http://apt.postgresql.org/pub/repos/apt bookworm-pgdg main
deb cdrom:[Debian GNU/Linux 12]/ bookworm main'
gives "$default" "no Debian entry (Ubuntu, other projects, a CD)"

sources
gives "$default" "no sources at all"
gives "$default" "sources files that do not exist" APT_SOURCES_LIST=/nonexistent APT_SOURCES_PARTS=/nonexistent

sources sources.list '' sources.list.d/debian.sources 'Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb822.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb822.example/debian-security
Suites: bookworm-security
Components: main'
gives http://deb822.example/debian "deb822 .sources, as Debian 12 images ship it"

sources sources.list.d/a.sources 'Types: deb-src
URIs: http://source.example/debian
Suites: bookworm
Components: main

Enabled: no
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main

types: deb deb-src
uris: http://first-of-two.example/debian/ http://second.example/debian
suites: sid
components: main non-free-firmware
signed-by:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 URIs: http://in-a-key.example/debian
 -----END PGP PUBLIC KEY BLOCK-----' sources.list.d/b.list 'deb http://b.example/debian bookworm main'
gives http://first-of-two.example/debian \
	"deb822: deb-src and Enabled: no passed over, field names in any case, continuation lines"

sources sources.list.d/a.list '' sources.list.d/b.sources 'Types: deb
URIs: http://b.example/debian
Suites: trixie
Components: main' sources.list.d/c.list 'deb http://c.example/debian bookworm main'
gives http://b.example/debian "the parts in the order of their names, .list and .sources alike"

sources sources.list 'deb http://main.example/debian bookworm main' \
	sources.list.d/a.list 'deb http://part.example/debian bookworm main'
gives http://main.example/debian "sources.list before the parts"

sources sources.list.d/x.list.disabled 'deb http://disabled.example/debian bookworm main'
gives "$default" "files of other endings are not read"

sources sources.list 'deb file:///srv/mirror/debian bookworm main'
gives file:///srv/mirror/debian "a local mirror (file:)"

summary debian_mirror
