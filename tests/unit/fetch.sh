#!/bin/bash
# build/fetch against mirrors on loopback: a directory served by python3's
# http.server on 127.0.0.1 (started and stopped by pid) is the Maven
# repository (MAVEN_REPOSITORY), the Debian mirror (DEBIAN_MIRROR, given or
# read from an apt sources file) and an upstream release site, for inputs
# of a build/versions of this test's own next to a copy of build/fetch
# (curl and mvn behind guards that let only loopback URLs through).
# Checked: the URLs fetch composes from the paths, the order of the sources
# (SOURCES_DIR, upstream, Debian archive, mvn), the refusal of a file whose
# sha256 is not the pin, and SOURCES_DIR before any download. The default
# Maven repository and the mvn step are checked with stand-ins for curl and
# mvn that record how they are called, so nothing leaves this machine.
#
# Usage: tests/unit/fetch.sh
set -eu

build=$(cd "$(dirname "$0")/../../build" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir

# The files the mirrors serve.
www=$tmp/www
put() { mkdir -p "$(dirname "$www/$1")" && printf '%s\n' "$2" >"$www/$1"; }
sha() { sha256sum "$1" | cut -d ' ' -f 1; }
put maven/org/example/art/1.0/art-1.0.jar "the artifact"
put debian/pool/main/t/tarball/tarball_2.0.orig.tar.gz "the tarball"
put releases/upstream-4.tar.gz "the upstream release"
put debian/pool/main/u/upstream/upstream_4.orig.tar.gz "the upstream release"
put debian/pool/main/w/wrong/wrong_3.orig.tar.gz "not the pinned bytes"
printf 'the pinned bytes\n' >"$tmp/pinned"

# The server, on a port the kernel picks; its log has every request.
python3 -u -m http.server --bind 127.0.0.1 --directory "$www" 0 >"$tmp/server.out" 2>"$tmp/server.log" &
server=$!
stop_server() { kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; }
at_exit stop_server
port=""
for _ in $(seq 1 100); do
	port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/server.out")
	[ -z "$port" ] || break
	sleep 0.1
done
check "the mirror server is up on 127.0.0.1 (port ${port:-none})" [ -n "$port" ]
[ -n "$port" ] || exit 1
site=http://127.0.0.1:$port

# build/fetch and build/debian-mirror as they are, with this test's inputs.
mkdir -p "$tmp/build"
cp "$build/fetch" "$build/debian-mirror" "$tmp/build/"
cat >"$tmp/build/versions" <<VERSIONS
MAVENART_VERSION=1.0
MAVENART_SHA256=$(sha "$www/maven/org/example/art/1.0/art-1.0.jar")
MAVENART_MAVEN_PATH=org/example/art/1.0/art-1.0.jar

TARBALL_VERSION=2.0
TARBALL_SHA256=$(sha "$www/debian/pool/main/t/tarball/tarball_2.0.orig.tar.gz")
TARBALL_URL=$site/gone/tarball-2.0.tar.gz
TARBALL_DEBIAN_PATH=pool/main/t/tarball/tarball_2.0.orig.tar.gz

WRONG_VERSION=3
WRONG_SHA256=$(sha "$tmp/pinned")
WRONG_DEBIAN_PATH=pool/main/w/wrong/wrong_3.orig.tar.gz

UPSTREAM_VERSION=4
UPSTREAM_SHA256=$(sha "$www/releases/upstream-4.tar.gz")
UPSTREAM_URL=$site/releases/upstream-4.tar.gz
UPSTREAM_DEBIAN_PATH=pool/main/u/upstream/upstream_4.orig.tar.gz
VERSIONS
mkdir -p "$tmp/apt/parts"
: >"$tmp/apt/sources.list"

# Guards, first on PATH: a curl that passes on loopback URLs only, and an
# mvn that only says it was called (the mvn case below has its own).
mkdir -p "$tmp/guard"
cat >"$tmp/guard/curl" <<GUARD
#!/bin/sh
for a; do url=\$a; done
case \$url in
$site/*) exec /usr/bin/curl "\$@" ;;
esac
echo "curl \$url" >>"$tmp/off-loopback"
exit 7
GUARD
cat >"$tmp/guard/mvn" <<GUARD
#!/bin/sh
echo "mvn \$*" >>"$tmp/off-loopback"
exit 1
GUARD
chmod +x "$tmp/guard/curl" "$tmp/guard/mvn"

# fetch NAME DEST [NAME=VALUE...]: run the copy with exactly that
# environment (no proxy variable: loopback stays loopback); rc, and the
# log in $tmp/log.
fetch() {
	local name=$1 dest=$2
	shift 2
	rc=0
	env -i PATH="$tmp/guard:/usr/bin:/bin" HOME="$tmp/home" APT_SOURCES_LIST="$tmp/apt/sources.list" \
		APT_SOURCES_PARTS="$tmp/apt/parts" "$@" "$tmp/build/fetch" "$name" "$dest" \
		>"$tmp/log" 2>&1 || rc=$?
}
CHECK_DETAIL=$tmp/log
log_has() { grep -qxF -- "$1" "$tmp/log"; }
requests() { grep -c "\"GET $1 " "$tmp/server.log" || true; }
same() { cmp -s "$1" "$2"; }
no_temporary() { [ -z "$(find "$1" -name '.*' -type f)" ] && [ -z "$(find "$1" -name '.*.d')" ]; }

check "--list names the inputs" \
	[ "$("$tmp/build/fetch" --list | tr '\n' ' ')" = "MAVENART TARBALL WRONG UPSTREAM " ]

# A Maven artifact: MAVEN_REPOSITORY/NAME_MAVEN_PATH, a trailing slash or not.
fetch MAVENART "$tmp/d1" MAVEN_REPOSITORY="$site/maven/" DEBIAN_MIRROR="$site/debian"
check "maven: fetched (rc=$rc)" [ "$rc" = 0 ]
check "maven: the URL is MAVEN_REPOSITORY/NAME_MAVEN_PATH" \
	log_has "fetch: MAVENART: trying $site/maven/org/example/art/1.0/art-1.0.jar"
check "maven: the file, under its own name" same "$tmp/d1/art-1.0.jar" "$www/maven/org/example/art/1.0/art-1.0.jar"
check "maven: the server was asked once" [ "$(requests /maven/org/example/art/1.0/art-1.0.jar)" = 1 ]

# An upstream release gone: the Debian archive, DEBIAN_MIRROR/NAME_DEBIAN_PATH.
fetch TARBALL "$tmp/d1" DEBIAN_MIRROR="$site/debian/"
check "debian: fetched (rc=$rc)" [ "$rc" = 0 ]
check "debian: upstream first" log_has "fetch: TARBALL: trying $site/gone/tarball-2.0.tar.gz"
check "debian: then DEBIAN_MIRROR/NAME_DEBIAN_PATH" \
	log_has "fetch: TARBALL: trying $site/debian/pool/main/t/tarball/tarball_2.0.orig.tar.gz"
check "debian: stored under the upstream name" \
	same "$tmp/d1/tarball-2.0.tar.gz" "$www/debian/pool/main/t/tarball/tarball_2.0.orig.tar.gz"

# The upstream release there: the Debian archive is not asked.
fetch UPSTREAM "$tmp/d1" DEBIAN_MIRROR="$site/debian"
check "upstream: fetched (rc=$rc)" [ "$rc" = 0 ]
check "upstream: from the project's URL" same "$tmp/d1/upstream-4.tar.gz" "$www/releases/upstream-4.tar.gz"
check "upstream: the Debian archive was not asked" \
	[ "$(requests /debian/pool/main/u/upstream/upstream_4.orig.tar.gz)" = 0 ]

# The mirror from the machine's apt sources when DEBIAN_MIRROR is not set.
printf 'deb %s/debian/ bookworm main\n' "$site" >"$tmp/apt/sources.list"
fetch TARBALL "$tmp/d2"
check "apt sources: fetched (rc=$rc)" [ "$rc" = 0 ]
check "apt sources: DEBIAN_MIRROR is the sources file's Debian entry" \
	log_has "fetch: TARBALL: trying $site/debian/pool/main/t/tarball/tarball_2.0.orig.tar.gz"
: >"$tmp/apt/sources.list"

# A mirror that delivers other bytes than the pin: refused, nothing kept.
fetch WRONG "$tmp/d3" DEBIAN_MIRROR="$site/debian"
check "wrong sha256: the fetch fails (rc=$rc)" [ "$rc" = 1 ]
check "wrong sha256: says why" log_has "fetch: WRONG: refusing wrong_3.orig.tar.gz: sha256 $(sha \
	"$www/debian/pool/main/w/wrong/wrong_3.orig.tar.gz"), expected $(sha "$tmp/pinned")"
check "wrong sha256: no file kept" [ ! -e "$tmp/d3/wrong_3.orig.tar.gz" ]
check "wrong sha256: no temporary file left" no_temporary "$tmp/d3"

# SOURCES_DIR comes before any download...
mkdir -p "$tmp/sources"
cp "$www/maven/org/example/art/1.0/art-1.0.jar" "$tmp/sources/"
before=$(requests /maven/org/example/art/1.0/art-1.0.jar)
fetch MAVENART "$tmp/d4" SOURCES_DIR="$tmp/sources" MAVEN_REPOSITORY="$site/maven"
check "SOURCES_DIR: fetched (rc=$rc)" [ "$rc" = 0 ]
check "SOURCES_DIR: taken from there" log_has "fetch: MAVENART: trying $tmp/sources/art-1.0.jar"
check "SOURCES_DIR: no download" [ "$(requests /maven/org/example/art/1.0/art-1.0.jar)" = "$before" ]
check "SOURCES_DIR: the file" same "$tmp/d4/art-1.0.jar" "$tmp/sources/art-1.0.jar"
# ... and a wrong file there is refused, not replaced by a download.
printf 'tampered\n' >"$tmp/sources/tarball-2.0.tar.gz"
fetch TARBALL "$tmp/d5" SOURCES_DIR="$tmp/sources" DEBIAN_MIRROR="$site/debian"
check "SOURCES_DIR, wrong file: refused (rc=$rc)" [ "$rc" = 1 ]
check "SOURCES_DIR, wrong file: says so" grep -q '^fetch: TARBALL: refusing tarball-2.0.tar.gz: sha256 ' "$tmp/log"
check "SOURCES_DIR, wrong file: no download after it" fails grep -q "trying $site" "$tmp/log"

# A file already there with the pinned checksum: nothing to do; another
# file is replaced.
fetch MAVENART "$tmp/d1" MAVEN_REPOSITORY="$site/maven"
check "present: rc 0 (rc=$rc)" [ "$rc" = 0 ]
check "present: no source tried" fails grep -q trying "$tmp/log"
printf 'stale\n' >"$tmp/d1/upstream-4.tar.gz"
fetch UPSTREAM "$tmp/d1" DEBIAN_MIRROR="$site/debian"
check "stale: replaced (rc=$rc)" [ "$rc" = 0 ]
check "stale: says so" grep -q "^fetch: UPSTREAM: replacing $tmp/d1/upstream-4.tar.gz: sha256 " "$tmp/log"
check "stale: the pinned file now" same "$tmp/d1/upstream-4.tar.gz" "$www/releases/upstream-4.tar.gz"

# No MAVEN_REPOSITORY: Maven Central's URL, then mvn with the coordinates
# read from the path. Stand-ins: a curl that records its URL and fails, an
# mvn that records its arguments and delivers the file.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/curl" <<STANDIN
#!/bin/sh
for a; do url=\$a; done
echo "\$url" >>"$tmp/curl.urls"
exit 7
STANDIN
cat >"$tmp/bin/mvn" <<STANDIN
#!/bin/sh
printf '%s\n' "\$@" >"$tmp/mvn.args"
for a; do case \$a in -DoutputDirectory=*) out=\${a#-DoutputDirectory=} ;; esac; done
mkdir -p "\$out" && cp "$www/maven/org/example/art/1.0/art-1.0.jar" "\$out/"
STANDIN
chmod +x "$tmp/bin/curl" "$tmp/bin/mvn"
fetch MAVENART "$tmp/d6" PATH="$tmp/bin:/usr/bin:/bin"
check "default repository: fetched through mvn (rc=$rc)" [ "$rc" = 0 ]
check "default repository: https://repo1.maven.org/maven2/NAME_MAVEN_PATH" \
	[ "$(cat "$tmp/curl.urls" 2>/dev/null)" = https://repo1.maven.org/maven2/org/example/art/1.0/art-1.0.jar ]
check "mvn: the coordinates from the path" grep -qxF -- -Dartifact=org.example:art:1.0:jar "$tmp/mvn.args"
check "mvn: the file" same "$tmp/d6/art-1.0.jar" "$www/maven/org/example/art/1.0/art-1.0.jar"
check "mvn: no temporary directory left" no_temporary "$tmp/d6"

CHECK_DETAIL=$tmp/off-loopback
check "nothing was asked of a host off loopback" [ ! -e "$tmp/off-loopback" ]

summary fetch
