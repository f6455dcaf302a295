#!/bin/bash
# The generated configuration means exactly what the user wrote: for values
# a user may legitimately use (XML and JDBC metacharacters, quotes, spaces,
# non-ASCII, WildFly expression syntax), render the real distribution's
# standalone-ha.xml, parse the result with a real XML parser (xmllint for
# well-formedness, Python's expat for the values) and compare every value
# with what the server will read: the XML text, with WildFly's expression
# rule applied ("$$" is "$" in a value holding "${...}"), and the JDBC URL
# decoded as the driver decodes it.
#
# Usage: tests/unit/meaning.sh BINARY KEYCLOAK_HOME
set -eu

bin=${1:?usage: meaning.sh BINARY KEYCLOAK_HOME}
dist_home=${2:?usage: meaning.sh BINARY KEYCLOAK_HOME}
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir
CHECK_DETAIL=$tmp/log
mkdir -p "$tmp/home/standalone/configuration"
cp "$dist_home/standalone/configuration/standalone-ha.xml" "$tmp/home/standalone/configuration/"
printf 'ca\n' >"$tmp/ca dir.pem"

# means PASSWORD USER DATABASE FRONTEND_URL: the rendered file means them.
means() {
	check "render with password/user/database/url: $*" renders_as "$@"
}

renders_as() {
	local rc=0
	env -i PATH=/usr/bin:/bin KEYCLOAK_HOME="$tmp/home" BIND=10.0.0.1 DB_ADDR="db1,db2:5433" \
		DB_PASSWORD="$1" DB_USER="$2" DB_DATABASE="$3" KEYCLOAK_FRONTEND_URL="$4" \
		DB_SSLMODE=verify-full DB_SSLROOTCERT="$tmp/ca dir.pem" \
		"$bin" render >"$tmp/log" 2>&1 || rc=$?
	local xml=$tmp/home/standalone/configuration/standalone-ha.xml
	[ "$rc" = 0 ] && xmllint --noout "$xml" &&
		python3 - "$xml" "$1" "$2" "$3" "$4" "$tmp/ca dir.pem" <<'PY'
import re, sys, urllib.parse
import xml.etree.ElementTree as ET

xml, password, user, database, frontend, ca = sys.argv[1:]
root = ET.parse(xml).getroot()
def local(tag): return tag.rsplit('}', 1)[-1]
def find(el, tag, **attrs):
    for e in el.iter():
        if local(e.tag) == tag and all(e.get(k) == v for k, v in attrs.items()):
            return e
    raise SystemExit("no <%s %s>" % (tag, attrs))
def wildfly(value):
    # WildFly resolves a value holding "${...}"; in it "$$" stands for "$".
    if re.search(r'\$\{.*\}', value):
        return value.replace('$$', '$')
    return value

ds = find(root, 'datasource', **{'pool-name': 'KeycloakDS'})
got_user = wildfly(find(ds, 'user-name').text or '')
got_password = wildfly(find(ds, 'password').text or '')
url = find(ds, 'connection-url').text
assert got_password == password, ('password', got_password, password)
assert got_user == user, ('user', got_user, user)
assert url.startswith('jdbc:postgresql://db1:5432,db2:5433/'), url
rest = url[len('jdbc:postgresql://db1:5432,db2:5433/'):]
path, _, query = rest.partition('?')
# The driver URL-decodes the database name and each parameter value.
assert urllib.parse.unquote(path) == database, ('database', path, database)
params = urllib.parse.parse_qs(query, keep_blank_values=True)
want = {'targetServerType': ['primary'], 'sslmode': ['verify-full'], 'sslrootcert': [ca]}
assert params == want, ('params', params)
prop = find(root, 'property', name='frontendUrl')
assert wildfly(prop.get('value')) == frontend, ('frontendUrl', prop.get('value'), frontend)
PY
}

U=https://sso.example.com/auth
# The values are literal on purpose: '$' and '\' must reach the program.
# shellcheck disable=SC2016,SC1003
{
means 'p<a&b>"c'"'"'d' keycloak keycloak "$U"
means 'with spaces inside' 'user name' 'db name' "$U"
means 'пароль-密码-ü' 'ユーザー' 'база' "$U"
means '${env.HOME}' keycloak keycloak "$U"
means 'a$${b}c' keycloak keycloak "$U"
means '$$' '$user' 'db$' "$U"
means 'x]]>y<!--z-->' 'a&amp;b' 'kc&sslmode=disable' "$U"
means '%20%zz%' 'u%41' 'db%2Fx' "$U"
means '?a=b&c=d#e' 'u;x' 'db/x?y#z' "$U"
means "it's \"quoted\"" "o'brien" '"kc"' 'https://sso.example.com:8443/auth?x=1&y=2'
means '\backslash\' 'tab-less' 'ünï' 'https://[fd00::1]:8443/auth'
means '{}[]()' keycloak keycloak 'http://sso/auth/$x'
}

summary meaning
