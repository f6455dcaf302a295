#!/bin/bash
# Every option the entrypoint writes into Keycloak 26's keycloak.conf is an
# option of the distribution in hand: the keys of files rendered for
# settings that reach every option are looked up in the distribution's own
# list (`kc.sh start --help-all`, run with this machine's java). SPI options
# (spi-...) are not in that list; the end-to-end tests show their effect.
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

summary options_26
