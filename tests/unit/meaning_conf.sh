#!/bin/bash
# The values below are literal on purpose: "$" and "\" must reach the program.
# shellcheck disable=SC2016,SC1003
# The keycloak.conf the entrypoint writes for Keycloak 26 means what the
# user wrote: it is read back with the distribution's own configuration
# library (SmallRye Config: Java's properties format, then expressions), for
# values full of what either reads specially: "$", "${...}", "$$", "\",
# "#", "=", ":", leading blanks, non-ASCII. A control run writes the file
# without the escaping and must be caught.
#
# Usage: tests/unit/meaning_conf.sh BINARY KEYCLOAK_HOME (of Keycloak 26)
set -eu

bin=${1:?usage: meaning_conf.sh BINARY KEYCLOAK_HOME}
home=$(cd "${2:?usage: meaning_conf.sh BINARY KEYCLOAK_HOME}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/testlib.sh
. "$here/../lib/testlib.sh"
scratch_dir

# The configuration library and what it needs, from the distribution.
cp=$(find "$home/lib/lib" -name 'io.smallrye.config.*.jar' -o -name 'io.smallrye.common.*.jar' \
	-o -name 'org.eclipse.microprofile.config.*.jar' -o -name 'org.jboss.logging.jboss-logging-*.jar' |
	sort | tr '\n' ':')
mkdir -p "$tmp/classes"
if ! javac -d "$tmp/classes" -cp "$cp" "$here/ConfMeaning.java" 2>"$tmp/javac.err"; then
	CHECK_DETAIL=$tmp/javac.err fail "ConfMeaning.java does not compile against $home"
	summary meaning_conf
	exit 1
fi

read_conf() {
	java -cp "$cp$tmp/classes" ConfMeaning "$1"
}

# means VALUE: DB_PASSWORD, KEYCLOAK_PASSWORD, a secret from a file and the
# path of a -file option from a file (KC_HTTPS_TRUST_STORE_FILE_FILE) reach
# Keycloak as VALUE.
means() {
	local value=$1 state=$tmp/state
	printf '%s\n' "$value" >"$tmp/secret"
	rm -rf "$state"
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" KEYCLOAK_STATE_DIR="$state" \
		DB_PASSWORD="$value" KEYCLOAK_USER=admin KEYCLOAK_PASSWORD="$value" \
		KC_HTTPS_KEY_STORE_PASSWORD_FILE="$tmp/secret" \
		KC_HTTPS_TRUST_STORE_FILE_FILE="$tmp/secret" BIND=10.1.2.3 \
		"$bin" render >"$tmp/out" 2>"$tmp/err" || {
		CHECK_DETAIL=$tmp/err fail "render failed for $value"
		return
	}
	read_conf "$state/keycloak.conf" >"$tmp/read" 2>"$tmp/err" || {
		CHECK_DETAIL=$tmp/err fail "the library cannot read keycloak.conf for $value"
		return
	}
	local key
	for key in db-password bootstrap-admin-password https-key-store-password \
		https-trust-store-file; do
		check "$key means ${value@Q}" grep -qxF -- "$key	$value" "$tmp/read"
	done
}

means 'plain'
means 'dollar$sign'
means '${HOME}'
means '${env.DB_PASSWORD:default}'
means '$${x}'
means 'back\slash'
means '\${x}'
means 'end\'
means '#not-a-comment'
means 'key=value:other'
means '  leading blanks'
means 'ünïcödé ✓'
means '!bang'

# The hostname and the database URL are values too.
env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$home" KEYCLOAK_STATE_DIR="$tmp/url" DB_PASSWORD=x \
	DB_DATABASE='kc$db' JDBC_PARAMS='options=-c%20x=${y}' BIND=10.1.2.3 \
	KEYCLOAK_FRONTEND_URL='https://sso.example.com/a$b' "$bin" render >/dev/null 2>"$tmp/err" ||
	CHECK_DETAIL=$tmp/err fail "render failed for the URL case"
read_conf "$tmp/url/keycloak.conf" >"$tmp/read"
check "hostname means the frontend URL" grep -qxF 'hostname	https://sso.example.com/a$b' "$tmp/read"
check "db-url keeps what the JDBC URL holds" grep -qxF \
	'db-url	jdbc:postgresql://postgres:5432/kc%24db?options=-c%20x=$%7By%7D' "$tmp/read"

# The control: the same value written without escaping does not survive,
# so the checks above can fail.
printf 'db-password=a$$b\\c${HOME:x}\n' >"$tmp/unescaped.conf"
read_conf "$tmp/unescaped.conf" >"$tmp/read"
check "an unescaped value is read otherwise (the control)" fails grep -qxF \
	'db-password	a$$b\c${HOME:x}' "$tmp/read"

summary meaning_conf
