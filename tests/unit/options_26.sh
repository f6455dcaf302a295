#!/bin/bash
# Every option the entrypoint writes into Keycloak 26's keycloak.conf is an
# option of the distribution in hand: the keys of files rendered for
# settings that reach every option are looked up in the distribution's own
# list (`kc.sh start --help-all`, run with this machine's java). SPI options
# (spi-...) are not in that list; the end-to-end tests show their effect.
# Then the options whose own names end in "-file": the entrypoint's list is
# the distribution's, each one's KC_X_FILE is taken as that option (a path),
# KC_X_FILE_FILE as that path in a file, any other KC_X_FILE as x in a file.
#
# Usage: tests/unit/options_26.sh BINARY KEYCLOAK_HOME (of Keycloak 26)
set -eu

bin=${1:?usage: options_26.sh BINARY KEYCLOAK_HOME}
home=$(cd "${2:?usage: options_26.sh BINARY KEYCLOAK_HOME}" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir

if ! env -i PATH=/usr/bin:/bin ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
	bash "$home/bin/kc.sh" start --help-all >"$tmp/help" 2>&1; then
	CHECK_DETAIL=$tmp/help fail "kc.sh start --help-all failed"
	summary options_26
	exit 1
fi
sed -n 's/^\(--[a-z0-9-]*\).*/\1/p' "$tmp/help" | sort -u >"$tmp/options"
check "the distribution lists its options" [ "$(wc -l <"$tmp/options")" -gt 100 ]

# render CASE NAME=VALUE...: keycloak.conf for the settings, its keys.
render() {
	local c=$1
	shift
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" KEYCLOAK_STATE_DIR="$tmp/$c" \
		BIND=10.1.2.3 DB_PASSWORD=pw "$@" "$bin" render >"$tmp/$c.out" 2>&1 ||
		fail "$c: render failed: $(tail -n 1 "$tmp/$c.out")"
	sed -n 's/^\([a-z0-9-]*\)=.*/\1/p' "$tmp/$c/keycloak.conf" >>"$tmp/keys"
}

: >"$tmp/keys"
render jdbc-ping KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=pw DB_SCHEMA=kc \
	KEYCLOAK_FRONTEND_URL=https://sso.example.com PROXY_ADDRESS_FORWARDING=true \
	KEYCLOAK_LOGLEVEL=DEBUG ROOT_LOGLEVEL=WARN
render tcpping JGROUPS_DISCOVERY_PROTOCOL=TCPPING 'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=a[7800]'
render hostname KEYCLOAK_HOSTNAME=sso.example.com
sort -u "$tmp/keys" >"$tmp/written"
check "the rendered files hold options" [ "$(wc -l <"$tmp/written")" -gt 12 ]
while read -r key; do
	case $key in spi-*) continue ;; esac
	check "--$key is an option of Keycloak $home" grep -qxF -- "--$key" "$tmp/options"
done <"$tmp/written"
# The control: a key no Keycloak has is not found.
check "an unknown option is not in the list (the control)" fails grep -qxF -- --no-such-option \
	"$tmp/options"

# Options whose own names end in "-file" (a path Keycloak reads): their
# KC_X_FILE is the option itself, not the option x in a file. Those of the
# distribution, from start --help-all and kc.sh --help (--config-file), are
# exactly the entrypoint's list (file_options in settings_keycloak.c).
if ! env -i PATH=/usr/bin:/bin ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
	bash "$home/bin/kc.sh" --help >"$tmp/main-help" 2>&1; then
	CHECK_DETAIL=$tmp/main-help fail "kc.sh --help failed"
fi
cat "$tmp/help" "$tmp/main-help" | sed -En 's/^(-[a-z]+, )?--([a-z0-9-]+-file)( .*)?$/\2/p' |
	sort -u >"$tmp/file-options"
check "the distribution has options ending in -file ($(wc -l <"$tmp/file-options"))" \
	[ "$(wc -l <"$tmp/file-options")" -gt 10 ]
src=$(dirname "$0")/../../entrypoint/settings_keycloak.c
sed -n '/^static const char \*const file_options\[\] = {$/,/^};$/p' "$src" | grep -o '"[a-z0-9-]*"' |
	tr -d '"' | sort >"$tmp/ours"
CHECK_DETAIL=$tmp/file-options.diff check "the entrypoint knows the distribution's -file options" \
	diff -u "$tmp/file-options" "$tmp/ours" >"$tmp/file-options.diff"

# variable OPTION: its KC_ variable.
variable() {
	local v=${1//-/_}
	printf 'KC_%s' "${v^^}"
}
# Every one of them at once (a path that need not exist: Keycloak reads
# it), but config-file, whose variable is refused.
vars=()
while read -r o; do
	[ "$o" = config-file ] || vars+=("$(variable "$o")=/etc/khp-test/$o")
done <"$tmp/file-options"
run "$bin" render --print KEYCLOAK_HOME="$home" BIND=10.1.2.3 DB_PASSWORD=pw "${vars[@]}"
CHECK_DETAIL=$tmp/err check "render takes every -file option as a path (rc $rc)" [ "$rc" = 0 ]
while read -r o; do
	[ "$o" = config-file ] && continue
	check "$(variable "$o") is the option $o, a path" grep -qxF \
		"Keycloak option $o=/etc/khp-test/$o	($(variable "$o"))" "$tmp/out"
done <"$tmp/file-options"
# Where the distribution has both x and x-file (--log and --log-file),
# KC_X_FILE is x-file: already checked above; here it is said by name.
while read -r o; do
	grep -qxF -- "--${o%-file}" "$tmp/options" || continue
	check "both --${o%-file} and --$o exist: $(variable "$o") is $o" grep -qxF \
		"Keycloak option $o=/etc/khp-test/$o	($(variable "$o"))" "$tmp/out"
done <"$tmp/file-options"
check "no option is read as held in one of those paths" \
	fails grep -qE "^Keycloak option .*=\*{8}" "$tmp/out"
# The file variant of a -file option: the path in a file.
printf '/etc/khp-test/from-a-file.pem\n' >"$tmp/cert-path"
run "$bin" render "$tmp/state-file-file" KEYCLOAK_HOME="$home" BIND=10.1.2.3 DB_PASSWORD=pw \
	KC_HTTPS_CERTIFICATE_FILE_FILE="$tmp/cert-path"
check "KC_HTTPS_CERTIFICATE_FILE_FILE: the path it holds is https-certificate-file" grep -qxF \
	https-certificate-file=/etc/khp-test/from-a-file.pem "$tmp/state-file-file/keycloak.conf"
# The control: a name no option has is still an option in a file.
printf 'foo-value\n' >"$tmp/foo"
run "$bin" render --print KEYCLOAK_HOME="$home" BIND=10.1.2.3 DB_PASSWORD=pw KC_FOO_FILE="$tmp/foo"
check "KC_FOO_FILE (no option foo-file) is the option foo in a file (the control)" grep -qxF \
	"Keycloak option foo=********	(KC_FOO_FILE)" "$tmp/out"

summary options_26
