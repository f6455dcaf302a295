#!/bin/bash
# Every bad input answered: a table of bad settings, each with the exit code
# and the first line on stderr the entrypoint must give. Each row runs
# `render --print` (or the command it names) with exactly the environment
# it lists (env -i), so nothing from the caller's environment counts.
#
# Usage: tests/unit/bad_inputs.sh BINARY
set -eu

bin=${1:?usage: bad_inputs.sh BINARY}
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir

P=DB_PASSWORD=pw
B=BIND=10.0.0.5
E='keycloak-ha-postgres: error:'

# Fixtures: secret files, a directory, a big file, a file with a NUL byte.
printf 'pw\n' >"$tmp/pw"
mkdir "$tmp/dir"
head -c 70000 /dev/zero | tr '\0' 'x' >"$tmp/big"
printf 'a\0b' >"$tmp/nul"
printf '{"realm":"r"}\n' >"$tmp/realm.json"
long64=$(printf 'a%.0s' $(seq 64))
long300=$(printf 'h%.0s' $(seq 300))
long1100=$(printf 'p%.0s' $(seq 1100))
hosts65=$(for i in $(seq 65); do printf 'db%d,' "$i"; done)
hosts65=${hosts65%,}

# bad CODE 'first line after "keycloak-ha-postgres: error: "' ARGS...
bad() {
	local code=$1 msg=$2
	shift 2
	expect "$code" "$E $msg" -- "$@"
}
r() { printf '%s\n' "$bin" render --print; }
R=("$bin" render --print)

# --- Database vendor, addresses and ports --------------------------------
bad 78 'DB_VENDOR: this image supports PostgreSQL only (postgres), got "mysql"' "${R[@]}" DB_VENDOR=mysql $P $B
bad 78 'DB_VENDOR: this image supports PostgreSQL only (postgres), got "h2"' "${R[@]}" DB_VENDOR=h2 $P $B
bad 78 'DB_VENDOR: this image supports PostgreSQL only (postgres), got "oracle"' "${R[@]}" DB_VENDOR=oracle $P $B
bad 78 'DB_VENDOR: is empty' "${R[@]}" DB_VENDOR= $P $B
bad 78 'DB_VENDOR: this image supports PostgreSQL only (postgres), got "postgres "' "${R[@]}" "DB_VENDOR=postgres " $P $B
bad 78 'DB_ADDR: expected a host name or an IP address, got "db host"' "${R[@]}" "DB_ADDR=db host" $P $B
bad 78 'DB_ADDR: expected a host name or an IP address, got "db..x"' "${R[@]}" DB_ADDR=db..x $P $B
bad 78 'DB_ADDR: expected a host name or an IP address, got "-db"' "${R[@]}" DB_ADDR=-db $P $B
bad 78 'DB_ADDR: expected a port number (1-65535) after db, got "0"' "${R[@]}" DB_ADDR=db:0 $P $B
bad 78 'DB_ADDR: expected a port number (1-65535) after db, got "abc"' "${R[@]}" DB_ADDR=db:abc $P $B
bad 78 'DB_ADDR: expected a port number (1-65535) after db, got "70000"' "${R[@]}" DB_ADDR=db:70000 $P $B
bad 78 'DB_ADDR: expected a port number (1-65535) after db, got ""' "${R[@]}" DB_ADDR=db: $P $B
bad 78 'DB_ADDR: expected [IPv6]:port, got "[::1"' "${R[@]}" 'DB_ADDR=[::1' $P $B
bad 78 'DB_ADDR: "zz" is not an IPv6 address' "${R[@]}" 'DB_ADDR=[zz]:5432' $P $B
bad 78 'DB_ADDR: expected host[:port][,host[:port]...], got "a,,b"' "${R[@]}" DB_ADDR=a,,b $P $B
bad 78 'DB_ADDR: expected host[:port][,host[:port]...], got "a,"' "${R[@]}" DB_ADDR=a, $P $B
bad 78 'DB_ADDR: expected host[:port][,host[:port]...], got ","' "${R[@]}" DB_ADDR=, $P $B
bad 78 'DB_ADDR: expected host[:port][,host[:port]...], got "hhhhh' "${R[@]}" "DB_ADDR=$long300" $P $B
bad 78 'DB_ADDR: contains a control character: "db\x0a"' "${R[@]}" "DB_ADDR=db"$'\n' $P $B
bad 78 'DB_ADDR: more than 64 servers' "${R[@]}" "DB_ADDR=$hosts65" $P $B
bad 78 'DB_ADDR: expected a port number (1-65535) after http, got "//db"' "${R[@]}" DB_ADDR=http://db $P $B
bad 78 'DB_ADDR: is empty' "${R[@]}" DB_ADDR= $P $B
bad 78 'DB_ADDR="db1" conflicts with POSTGRES_PORT_5432_TCP_ADDR="172.17.0.2"' "${R[@]}" DB_ADDR=db1 POSTGRES_PORT_5432_TCP_ADDR=172.17.0.2 $P $B
bad 78 'DB_PORT="5432" conflicts with POSTGRES_SERVICE_SERVICE_PORT="5433"' "${R[@]}" DB_PORT=5432 POSTGRES_SERVICE_SERVICE_PORT=5433 $P $B
bad 78 'DB_PORT: expected a port number (1-65535), got "-1"' "${R[@]}" DB_PORT=-1 $P $B
bad 78 'DB_PORT: expected a port number (1-65535), got " 5432"' "${R[@]}" "DB_PORT= 5432" $P $B
bad 78 'DB_PORT: expected a port number (1-65535), got "5432 "' "${R[@]}" "DB_PORT=5432 " $P $B
bad 78 'DB_PORT: expected a port number (1-65535), got "1e3"' "${R[@]}" DB_PORT=1e3 $P $B
bad 78 'DB_PORT: expected a port number (1-65535), got "0x10"' "${R[@]}" DB_PORT=0x10 $P $B
bad 78 'DB_PORT: is empty' "${R[@]}" DB_PORT= $P $B
# --- Database name, schema, user ------------------------------------------
bad 78 'DB_DATABASE: is empty' "${R[@]}" DB_DATABASE= $P $B
bad 78 'DB_DATABASE: contains a control character: "kc\x09db"' "${R[@]}" "DB_DATABASE=kc"$'\t'db $P $B
bad 78 'DB_DATABASE: is longer than 63 bytes' "${R[@]}" "DB_DATABASE=$long64" $P $B
bad 78 'DB_SCHEMA: expected a schema name' "${R[@]}" DB_SCHEMA=1abc $P $B
bad 78 'DB_SCHEMA: expected a schema name' "${R[@]}" DB_SCHEMA=a-b $P $B
bad 78 'DB_SCHEMA: expected a schema name' "${R[@]}" "DB_SCHEMA=a b" $P $B
bad 78 'DB_SCHEMA: expected a schema name' "${R[@]}" "DB_SCHEMA=a;drop" $P $B
bad 78 'DB_SCHEMA: expected a schema name' "${R[@]}" 'DB_SCHEMA="kc"' $P $B
bad 78 'DB_SCHEMA: is longer than 63 bytes' "${R[@]}" "DB_SCHEMA=$long64" $P $B
bad 78 'DB_SCHEMA: is empty' "${R[@]}" DB_SCHEMA= $P $B
bad 78 'DB_USER: is empty' "${R[@]}" DB_USER= $P $B
bad 78 'DB_USER: is longer than 63 bytes' "${R[@]}" "DB_USER=$long64" $P $B
bad 78 'DB_USER: contains a control character: "kc\x0aevil"' "${R[@]}" "DB_USER=kc"$'\n'evil $P $B
bad 78 'DB_USER and DB_USER_FILE are both set; set only one' "${R[@]}" DB_USER=kc DB_USER_FILE="$tmp/pw" $P $B
bad 78 'DB_USER="a" conflicts with POSTGRES_USER="b"' "${R[@]}" DB_USER=a POSTGRES_USER=b $P $B
bad 78 'POSTGRES_USER="a" conflicts with POSTGRES_USERNAME="b"' "${R[@]}" POSTGRES_USER=a POSTGRES_USERNAME=b $P $B
# --- Database password and secret files -----------------------------------
bad 78 'DB_PASSWORD: is not set' "${R[@]}" $B
bad 78 'DB_PASSWORD: is empty' "${R[@]}" DB_PASSWORD= $B
bad 78 'DB_PASSWORD: is longer than 1024 bytes' "${R[@]}" "DB_PASSWORD=$long1100" $B
bad 78 'DB_PASSWORD: contains a control character' "${R[@]}" "DB_PASSWORD=a"$'\n'b $B
bad 78 'DB_PASSWORD: contains a control character' "${R[@]}" "DB_PASSWORD=a"$'\x7f'b $B
bad 78 'DB_PASSWORD and DB_PASSWORD_FILE are both set; set only one' "${R[@]}" DB_PASSWORD=x DB_PASSWORD_FILE="$tmp/pw" $B
bad 66 "DB_PASSWORD_FILE: cannot read $tmp/missing: No such file or directory" "${R[@]}" DB_PASSWORD_FILE="$tmp/missing" $B
bad 66 "DB_PASSWORD_FILE: cannot read $tmp/dir: Is a directory" "${R[@]}" DB_PASSWORD_FILE="$tmp/dir" $B
bad 78 "DB_PASSWORD_FILE: $tmp/big is larger than 65536 bytes" "${R[@]}" DB_PASSWORD_FILE="$tmp/big" $B
bad 78 "DB_PASSWORD_FILE: $tmp/nul contains a NUL byte" "${R[@]}" DB_PASSWORD_FILE="$tmp/nul" $B
bad 78 'DB_PASSWORD_FILE: is empty; expected the path of a file' "${R[@]}" DB_PASSWORD_FILE= $B
bad 78 'DB_PASSWORD_FILE: is empty' "${R[@]}" DB_PASSWORD_FILE=/dev/null $B
bad 78 'DB_PASSWORD conflicts with POSTGRES_PASSWORD: both are set and differ' "${R[@]}" DB_PASSWORD=a POSTGRES_PASSWORD=b $B
bad 78 'DB_PASSWORD_FILE conflicts with POSTGRES_PASSWORD_FILE: both are set and differ' "${R[@]}" DB_PASSWORD_FILE="$tmp/pw" POSTGRES_PASSWORD_FILE="$tmp/realm.json" $B
# --- TLS, JDBC parameters, wait ---------------------------------------------
bad 78 'DB_SSLMODE: expected one of disable, allow, prefer, require, verify-ca, verify-full, got "on"' "${R[@]}" DB_SSLMODE=on $P $B
bad 78 'DB_SSLMODE: is empty' "${R[@]}" DB_SSLMODE= $P $B
bad 78 'DB_SSLROOTCERT: expected an absolute path, got a relative one' "${R[@]}" DB_SSLROOTCERT=ca.pem $P $B
bad 66 "DB_SSLROOTCERT: cannot read $tmp/ca.pem: No such file or directory" "${R[@]}" DB_SSLROOTCERT="$tmp/ca.pem" $P $B
bad 66 "DB_SSLROOTCERT: $tmp/dir is not a regular file" "${R[@]}" DB_SSLROOTCERT="$tmp/dir" $P $B
bad 78 'JDBC_PARAMS: expected name=value[&name=value...], got "=x"' "${R[@]}" JDBC_PARAMS==x $P $B
bad 78 'JDBC_PARAMS: expected name=value[&name=value...], got "ssl"' "${R[@]}" JDBC_PARAMS=ssl $P $B
bad 78 "JDBC_PARAMS: ends with '&'" "${R[@]}" 'JDBC_PARAMS=a=b&' $P $B
bad 78 'JDBC_PARAMS: expected name=value[&name=value...], got "&a=b"' "${R[@]}" 'JDBC_PARAMS=&a=b' $P $B
bad 78 'JDBC_PARAMS: expected name=value[&name=value...], got "a b=c"' "${R[@]}" 'JDBC_PARAMS=a b=c' $P $B
bad 78 'JDBC_PARAMS: contains a control character' "${R[@]}" "JDBC_PARAMS=a=b"$'\r' $P $B
bad 78 'DB_WAIT_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 604800 s), got "-1"' "${R[@]}" DB_WAIT_TIMEOUT=-1 $P $B
bad 78 'DB_WAIT_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 604800 s), got "1x"' "${R[@]}" DB_WAIT_TIMEOUT=1x $P $B
bad 78 'DB_WAIT_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 604800 s), got "5d"' "${R[@]}" DB_WAIT_TIMEOUT=5d $P $B
bad 78 'DB_WAIT_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 604800 s), got "m"' "${R[@]}" DB_WAIT_TIMEOUT=m $P $B
bad 78 'DB_WAIT_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 604800 s), got "999999999"' "${R[@]}" DB_WAIT_TIMEOUT=999999999 $P $B
bad 78 'DB_WAIT_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 604800 s), got "200h"' "${R[@]}" DB_WAIT_TIMEOUT=200h $P $B
# --- Admin user, import, hostname, proxy, logging ---------------------------
bad 78 'KEYCLOAK_PASSWORD: is not set, but KEYCLOAK_USER is; set both or neither' "${R[@]}" KEYCLOAK_USER=admin $P $B
bad 78 'KEYCLOAK_USER: is not set, but KEYCLOAK_PASSWORD is; set both or neither' "${R[@]}" KEYCLOAK_PASSWORD=x $P $B
bad 78 'KEYCLOAK_PASSWORD: contains a control character' "${R[@]}" KEYCLOAK_USER=admin "KEYCLOAK_PASSWORD=a"$'\n'b $P $B
bad 78 'KEYCLOAK_PASSWORD and KEYCLOAK_PASSWORD_FILE are both set; set only one' "${R[@]}" KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=x KEYCLOAK_PASSWORD_FILE="$tmp/pw" $P $B
bad 66 "KEYCLOAK_PASSWORD_FILE: cannot read $tmp/nope: No such file or directory" "${R[@]}" KEYCLOAK_USER=admin KEYCLOAK_PASSWORD_FILE="$tmp/nope" $P $B
bad 78 'KEYCLOAK_USER: is longer than 255 bytes' "${R[@]}" "KEYCLOAK_USER=$long300" KEYCLOAK_PASSWORD=x $P $B
bad 78 'KEYCLOAK_IMPORT: expected an absolute path, got a relative one' "${R[@]}" KEYCLOAK_IMPORT=realm.json $P $B
bad 66 "KEYCLOAK_IMPORT: cannot read $tmp/none.json: No such file or directory" "${R[@]}" KEYCLOAK_IMPORT="$tmp/none.json" $P $B
bad 66 "KEYCLOAK_IMPORT: $tmp/dir is not a regular file" "${R[@]}" KEYCLOAK_IMPORT="$tmp/dir" $P $B
bad 66 "KEYCLOAK_IMPORT: cannot read $tmp/two.json: No such file or directory" "${R[@]}" KEYCLOAK_IMPORT="$tmp/realm.json,$tmp/two.json" $P $B
bad 78 'KEYCLOAK_FRONTEND_URL: expected a URL http(s)://host[:port][/path], got "sso.example.com"' "${R[@]}" KEYCLOAK_FRONTEND_URL=sso.example.com $P $B
bad 78 'KEYCLOAK_FRONTEND_URL: expected a URL http(s)://host[:port][/path], got "ftp://sso"' "${R[@]}" KEYCLOAK_FRONTEND_URL=ftp://sso $P $B
bad 78 'KEYCLOAK_FRONTEND_URL: expected a URL http(s)://host[:port][/path], got "https://"' "${R[@]}" KEYCLOAK_FRONTEND_URL=https:// $P $B
bad 78 'KEYCLOAK_FRONTEND_URL: expected a URL http(s)://host[:port][/path], got "https://sso:99999/auth"' "${R[@]}" KEYCLOAK_FRONTEND_URL=https://sso:99999/auth $P $B
bad 78 'KEYCLOAK_FRONTEND_URL: expected a URL http(s)://host[:port][/path], got "https://sso/a b"' "${R[@]}" "KEYCLOAK_FRONTEND_URL=https://sso/a b" $P $B
bad 78 'KEYCLOAK_FRONTEND_URL: expected a URL http(s)://host[:port][/path], got "https://sso/\"<x>"' "${R[@]}" 'KEYCLOAK_FRONTEND_URL=https://sso/"<x>' $P $B
bad 78 'KEYCLOAK_FRONTEND_URL: expected a URL http(s)://host[:port][/path], got "https://ex ample.com"' "${R[@]}" "KEYCLOAK_FRONTEND_URL=https://ex ample.com" $P $B
bad 78 'KEYCLOAK_HOSTNAME: expected a host name, got "sso example"' "${R[@]}" "KEYCLOAK_HOSTNAME=sso example" $P $B
bad 78 'KEYCLOAK_HOSTNAME and KEYCLOAK_FRONTEND_URL are both set; set only one' "${R[@]}" KEYCLOAK_HOSTNAME=sso KEYCLOAK_FRONTEND_URL=https://sso/auth $P $B
bad 78 'KEYCLOAK_HOSTNAME: is not set, but KEYCLOAK_HTTP_PORT, KEYCLOAK_HTTPS_PORT or KEYCLOAK_ALWAYS_HTTPS is' "${R[@]}" KEYCLOAK_HTTP_PORT=80 $P $B
bad 78 'KEYCLOAK_HTTPS_PORT: expected a port number (1-65535), got "0"' "${R[@]}" KEYCLOAK_HOSTNAME=sso KEYCLOAK_HTTPS_PORT=0 $P $B
bad 78 'KEYCLOAK_ALWAYS_HTTPS: expected true or false, got "maybe"' "${R[@]}" KEYCLOAK_HOSTNAME=sso KEYCLOAK_ALWAYS_HTTPS=maybe $P $B
bad 78 'PROXY_ADDRESS_FORWARDING: expected true or false, got "on"' "${R[@]}" PROXY_ADDRESS_FORWARDING=on $P $B
bad 78 'PROXY_ADDRESS_FORWARDING: is empty' "${R[@]}" PROXY_ADDRESS_FORWARDING= $P $B
bad 78 'KEYCLOAK_LOGLEVEL: expected one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF, got "verbose"' "${R[@]}" KEYCLOAK_LOGLEVEL=verbose $P $B
bad 78 'KEYCLOAK_HA_LOG_LEVEL: expected one of error, warn, info, debug, got "loud"' "${R[@]}" KEYCLOAK_HA_LOG_LEVEL=loud $P $B
bad 78 'ROOT_LOGLEVEL: expected one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF, got "WARNING"' "${R[@]}" ROOT_LOGLEVEL=WARNING $P $B
# --- Cluster ------------------------------------------------------------------
bad 78 'KEYCLOAK_NODE_NAME: expected letters, digits' "${R[@]}" "KEYCLOAK_NODE_NAME=node 1" $P $B
bad 78 'KEYCLOAK_NODE_NAME: expected letters, digits' "${R[@]}" KEYCLOAK_NODE_NAME=a:b $P $B
bad 78 'KEYCLOAK_NODE_NAME: is longer than 64 bytes' "${R[@]}" "KEYCLOAK_NODE_NAME=$long64$long64" $P $B
bad 78 'BIND: expected an IPv4 or IPv6 address, got "localhost"' "${R[@]}" BIND=localhost $P
bad 78 'BIND: 127.0.0.1 is a loopback address; cluster peers cannot reach it' "${R[@]}" BIND=127.0.0.1 $P
bad 78 'BIND: ::1 is a loopback address; cluster peers cannot reach it' "${R[@]}" BIND=::1 $P
bad 78 'BIND: expected an IPv4 or IPv6 address, got "10.0.0"' "${R[@]}" BIND=10.0.0 $P
bad 78 'BIND: is empty' "${R[@]}" BIND= $P
bad 78 'JGROUPS_DISCOVERY_PROTOCOL: expected a JGroups protocol name' "${R[@]}" "JGROUPS_DISCOVERY_PROTOCOL=JDBC PING" $P $B
bad 78 'JGROUPS_DISCOVERY_PROTOCOL: expected a JGroups protocol name' "${R[@]}" "JGROUPS_DISCOVERY_PROTOCOL=PING><x" $P $B
bad 78 'JGROUPS_DISCOVERY_PROTOCOL: is empty' "${R[@]}" JGROUPS_DISCOVERY_PROTOCOL= $P $B
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: TCPPING needs initial_hosts=...' "${R[@]}" JGROUPS_DISCOVERY_PROTOCOL=TCPPING $P $B
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: dns.DNS_PING needs dns_query=...' "${R[@]}" JGROUPS_DISCOVERY_PROTOCOL=dns.DNS_PING $P $B
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: expected name=value[,name=value...], got "a"' "${R[@]}" JGROUPS_DISCOVERY_PROPERTIES=a $P $B
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: expected name=value[,name=value...], got "=b"' "${R[@]}" JGROUPS_DISCOVERY_PROPERTIES==b $P $B
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: ends with a comma' "${R[@]}" JGROUPS_DISCOVERY_PROPERTIES=a=b, $P $B
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: unterminated quote in "a=\"b"' "${R[@]}" 'JGROUPS_DISCOVERY_PROPERTIES=a="b' $P $B
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: property a is given twice' "${R[@]}" JGROUPS_DISCOVERY_PROPERTIES=a=1,a=2 $P $B
bad 78 'JGROUPS_DISCOVERY_PROTOCOL: PING needs JGROUPS_TRANSPORT_STACK=udp' "${R[@]}" JGROUPS_DISCOVERY_PROTOCOL=PING JGROUPS_TRANSPORT_STACK=tcp $P $B
bad 78 'JGROUPS_TRANSPORT_STACK: expected tcp or udp, got "sctp"' "${R[@]}" JGROUPS_TRANSPORT_STACK=sctp $P $B
bad 78 'JGROUPS_MULTICAST_ADDRESS: expected a multicast address (224.0.0.0/4 or ff00::/8), got "10.0.0.1"' "${R[@]}" JGROUPS_MULTICAST_ADDRESS=10.0.0.1 $P $B
bad 78 'JGROUPS_MULTICAST_ADDRESS: expected a multicast address (224.0.0.0/4 or ff00::/8), got "x"' "${R[@]}" JGROUPS_MULTICAST_ADDRESS=x $P $B
bad 78 'JGROUPS_FAILURE_DETECTION_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 3600 s), got "fast"' "${R[@]}" JGROUPS_FAILURE_DETECTION_TIMEOUT=fast $P $B
bad 78 'JGROUPS_FAILURE_DETECTION_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 3600 s), got "2h"' "${R[@]}" JGROUPS_FAILURE_DETECTION_TIMEOUT=2h $P $B
bad 78 'JGROUPS_FAILURE_DETECTION_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 3600 s), got "10000ms"' "${R[@]}" JGROUPS_FAILURE_DETECTION_TIMEOUT=10000ms $P $B
bad 78 'JGROUPS_FAILURE_DETECTION_TIMEOUT: expected at least 2 s, got 1 s' "${R[@]}" JGROUPS_FAILURE_DETECTION_TIMEOUT=1s $P $B
bad 78 'CACHE_OWNERS_COUNT: expected a number of owners (1-1000), got "0"' "${R[@]}" CACHE_OWNERS_COUNT=0 $P $B
bad 78 'CACHE_OWNERS_COUNT: expected a number of owners (1-1000), got "1001"' "${R[@]}" CACHE_OWNERS_COUNT=1001 $P $B
bad 78 'CACHE_OWNERS_COUNT: expected a number of owners (1-1000), got "two"' "${R[@]}" CACHE_OWNERS_COUNT=two $P $B
bad 78 'CACHE_OWNERS_AUTH_SESSIONS_COUNT: expected a number of owners (1-1000), got "-2"' "${R[@]}" CACHE_OWNERS_AUTH_SESSIONS_COUNT=-2 $P $B
# --- Server -----------------------------------------------------------------
bad 78 'KEYCLOAK_HOME: expected an absolute path' "${R[@]}" KEYCLOAK_HOME=opt/keycloak $P $B
bad 78 'JBOSS_HOME: expected an absolute path' "${R[@]}" JBOSS_HOME=keycloak $P $B
bad 78 'KEYCLOAK_HOME="/a" conflicts with JBOSS_HOME="/b"' "${R[@]}" KEYCLOAK_HOME=/a JBOSS_HOME=/b $P $B
bad 78 'JAVA_HOME: expected an absolute path' "${R[@]}" JAVA_HOME=jre $P $B
bad 78 'JAVA_OPTS: contains a control character' "${R[@]}" "JAVA_OPTS=-Xmx1g"$'\n'"-Dx=y" $P $B
bad 78 'JAVA_OPTS_APPEND: contains a control character' "${R[@]}" "JAVA_OPTS_APPEND=-Dx=y"$'\x1b' $P $B

# --- The configuration file ---------------------------------------------------
conf() { printf '%s\n' "$2" >"$tmp/$1"; chmod 600 "$tmp/$1"; }
conf syntax.conf 'DB_PORT = ;'
conf unknown.conf 'DB_PROT = 5432;'
conf float.conf 'DB_PORT = 5432.5;'
conf nested.conf 'DB_ADDR = ( ("a") );'
conf include.conf '@include "other.conf"'
conf badport.conf 'DB_PORT = 70000;'
conf secret.conf 'DB_PASSWORD = "pw";'
chmod 644 "$tmp/secret.conf"
conf lower.conf 'db_port = 5432;'
bad 66 "$tmp/absent.conf: cannot read: No such file or directory" "$bin" --config "$tmp/absent.conf" render --print $P $B
bad 66 "$tmp/absent.conf: cannot read: No such file or directory" "${R[@]}" KEYCLOAK_HA_CONFIG="$tmp/absent.conf" $P $B
bad 78 "$tmp/syntax.conf:1: syntax error" "$bin" --config "$tmp/syntax.conf" render --print $P $B
bad 78 "$tmp/unknown.conf:1: DB_PROT is not a setting; did you mean DB_PORT?" "$bin" --config "$tmp/unknown.conf" render --print $P $B
bad 78 "$tmp/lower.conf:1: db_port is not a setting" "$bin" --config "$tmp/lower.conf" render --print $P $B
bad 78 "$tmp/float.conf:1: DB_PORT: expected a string, a number, a boolean, a list or a group" "$bin" --config "$tmp/float.conf" render --print $P $B
bad 78 "$tmp/nested.conf:1: DB_ADDR: expected strings, numbers or booleans inside" "$bin" --config "$tmp/nested.conf" render --print $P $B
bad 78 "$tmp/include.conf:1: @include is not supported" "$bin" --config "$tmp/include.conf" render --print $P $B
bad 78 "DB_PORT ($tmp/badport.conf:1): expected a port number (1-65535), got \"70000\"" "$bin" --config "$tmp/badport.conf" render --print $P $B
bad 78 "$tmp/secret.conf:1: DB_PASSWORD is a secret, but the file can be read by every user" "$bin" --config "$tmp/secret.conf" render --print $B
bad 66 "$tmp/dir: cannot read: Is a directory" "$bin" --config "$tmp/dir" render --print $P $B
bad 78 "$tmp/nul: contains a NUL byte" "$bin" --config "$tmp/nul" render --print $P $B
bad 78 'KEYCLOAK_HA_CONFIG: expected an absolute path' "${R[@]}" KEYCLOAK_HA_CONFIG=kc.conf $P $B
bad 78 'KEYCLOAK_HA_CONFIG: is empty' "${R[@]}" KEYCLOAK_HA_CONFIG= $P $B
many=$(for i in $(seq 1001); do printf 'DB_PORT%d = 1;\n' "$i"; done)
conf many.conf "$many"
bad 78 "$tmp/many.conf: more than 1000 settings" "$bin" --config "$tmp/many.conf" render --print $P $B
props=$(for i in $(seq 257); do printf 'p%d=1,' "$i"; done)
bad 78 'JGROUPS_DISCOVERY_PROPERTIES: more than 256 properties' "${R[@]}" "JGROUPS_DISCOVERY_PROPERTIES=${props%,}" $P $B
# --- The command line -------------------------------------------------------
bad 64 '--set DB_PROT: not a setting; did you mean DB_PORT?' "$bin" --set=DB_PROT=1 render --print $P $B
bad 64 '--set DB_PORT: expected NAME=VALUE' "$bin" --set DB_PORT render --print $P $B
bad 78 'DB_PASSWORD (--set): a secret on the command line is visible to every process' "$bin" --set=DB_PASSWORD=x render --print $B
bad 64 '--set needs a value' "$bin" --set
bad 64 '--config needs a value' "$bin" --config
bad 78 'DB_PORT (--set): expected a port number (1-65535), got "x"' "$bin" --set=DB_PORT=x render --print $P $B

# --- Keycloak 26: what its generation has no place for, and its own options
# A distribution as the generation's detection sees it.
k26=$tmp/keycloak-26
mkdir -p "$k26/lib" "$k26/conf"
: >"$k26/lib/quarkus-run.jar"
H=KEYCLOAK_HOME=$k26
bad 78 'KEYCLOAK_HTTP_PORT: applies to the WildFly generation' "${R[@]}" "$H" KEYCLOAK_HOSTNAME=sso.example.com KEYCLOAK_HTTP_PORT=80 $P $B
bad 78 'CACHE_OWNERS_COUNT: Keycloak 26 keeps user sessions in the database' "${R[@]}" "$H" CACHE_OWNERS_COUNT=3 $P $B
bad 78 'CACHE_OWNERS_AUTH_SESSIONS_COUNT: Keycloak 26 keeps user sessions' "${R[@]}" "$H" CACHE_OWNERS_AUTH_SESSIONS_COUNT=1 $P $B
bad 78 'JGROUPS_DISCOVERY_PROTOCOL: Keycloak 26 has no KUBE_PING' "${R[@]}" "$H" JGROUPS_DISCOVERY_PROTOCOL=kubernetes.KUBE_PING $P $B
bad 78 "JGROUPS_FAILURE_DETECTION_TIMEOUT: Keycloak 26's jdbc-ping stack keeps JGroups' own failure detection (40 s)" "${R[@]}" "$H" JGROUPS_FAILURE_DETECTION_TIMEOUT=10s $P $B
bad 78 'JGROUPS_FAILURE_DETECTION_TIMEOUT: applies to the stack the entrypoint writes, not to the cache-stack given as a Keycloak option' "${R[@]}" "$H" KC_CACHE_STACK=tcp JGROUPS_FAILURE_DETECTION_TIMEOUT=10s $P $B
bad 78 "JGROUPS_DISCOVERY_PROPERTIES: Keycloak 26's JDBC_PING takes no properties" "${R[@]}" "$H" JGROUPS_DISCOVERY_PROPERTIES=x=1 $P $B
bad 78 'KC_HOSTNAME="a.example.com" conflicts with KEYCLOAK_FRONTEND_URL="https://b.example.com"' "${R[@]}" "$H" KC_HOSTNAME=a.example.com KEYCLOAK_FRONTEND_URL=https://b.example.com $P $B
bad 78 'KC_PROXY_HEADERS and PROXY_ADDRESS_FORWARDING are both set; set only one' "${R[@]}" "$H" KC_PROXY_HEADERS=forwarded PROXY_ADDRESS_FORWARDING=true $P $B
bad 78 'KC_LOG_LEVEL and KEYCLOAK_LOGLEVEL are both set; set only one' "${R[@]}" "$H" KC_LOG_LEVEL=debug KEYCLOAK_LOGLEVEL=INFO $P $B
bad 78 'KC_CACHE_STACK and JGROUPS_DISCOVERY_PROTOCOL are both set; set only one' "${R[@]}" "$H" KC_CACHE_STACK=tcp JGROUPS_DISCOVERY_PROTOCOL=TCPPING JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=a $P $B
bad 78 'KC_CACHE_EMBEDDED_NETWORK_BIND_ADDRESS="10.0.0.9" conflicts with BIND="10.0.0.5"' "${R[@]}" "$H" KC_CACHE_EMBEDDED_NETWORK_BIND_ADDRESS=10.0.0.9 $P $B
bad 78 'KC_SPI_X_PASSWORD and KC_SPI_X_PASSWORD_FILE are both set; set only one' "${R[@]}" "$H" KC_SPI_X_PASSWORD=a KC_SPI_X_PASSWORD_FILE="$tmp/pw" $P $B
bad 66 'KC_SPI_X_PASSWORD_FILE: cannot read' "${R[@]}" "$H" KC_SPI_X_PASSWORD_FILE="$tmp/missing" $P $B
# Options whose own names end in -file: KC_X_FILE is the option (a path),
# KC_X_FILE_FILE that path in a file; any other KC_X_FILE is x in a file.
bad 66 'KC_FOO_FILE: cannot read' "${R[@]}" "$H" KC_FOO_FILE="$tmp/missing" $P $B
bad 66 'KC_HTTPS_CERTIFICATE_FILE_FILE: cannot read' "${R[@]}" "$H" KC_HTTPS_CERTIFICATE_FILE_FILE="$tmp/missing" $P $B
bad 78 'KC_LOG_FILE and KC_LOG_FILE_FILE are both set; set only one' "${R[@]}" "$H" KC_LOG_FILE=/var/log/kc.log KC_LOG_FILE_FILE="$tmp/pw" $P $B
bad 78 "KC_CONFIG_FILE: Keycloak reads the keycloak.conf the entrypoint writes; set options as KC_ variables or in the distribution's conf/keycloak.conf" "${R[@]}" "$H" KC_CONFIG_FILE=/etc/kc.conf $P $B
bad 78 'KC_CONFIG_FILE_FILE: Keycloak reads the keycloak.conf the entrypoint writes' "${R[@]}" "$H" KC_CONFIG_FILE_FILE="$tmp/pw" $P $B
bad 78 'DB_ADDR="db1" conflicts with KC_DB_URL_HOST="db2"; set only one, or make them equal' "${R[@]}" "$H" DB_ADDR=db1 KC_DB_URL_HOST=db2 $P $B
bad 78 'DB_PASSWORD conflicts with KC_DB_PASSWORD: both are set and differ' "${R[@]}" "$H" KC_DB_PASSWORD=other $P $B
bad 78 'KC_DB_PASSWORD (run argument): a secret on the command line is visible to every process; use KC_DB_PASSWORD_FILE' "$bin" run --dry-run --db-password=x "$H" $P $B
bad 78 'DB_ADDR and KC_DB_URL are both set; set only one' "${R[@]}" "$H" DB_ADDR=db1 KC_DB_URL=jdbc:postgresql://db2/k $P $B
bad 78 'KC_DB_URL: expected jdbc:postgresql://HOST[:PORT][,...]/DATABASE[?PARAMETERS], got "jdbc:mysql://db/k"' "${R[@]}" "$H" KC_DB_URL=jdbc:mysql://db/k $P $B
bad 78 'KC_DB_URL: expected a host name or an IP address, got "bad host"' "${R[@]}" "$H" "KC_DB_URL=jdbc:postgresql://bad host/k" $P $B
bad 78 'DB_VENDOR: this image supports PostgreSQL only (postgres), got "mysql"' "${R[@]}" "$H" KC_DB=mysql DB_VENDOR=mysql $P $B
# An option the entrypoint writes, set in the distribution's own file.
printf '# ours
http-port=8181
db-url-host=elsewhere
' >"$k26/conf/keycloak.conf"
bad 78 "$k26/conf/keycloak.conf:3: db-url-host is written by the entrypoint from its settings" "$bin" render "$tmp/render-26" "$H" $P $B
rm "$k26/conf/keycloak.conf"
# KEYCLOAK_IMPORT: Keycloak 26 imports a realm from the file NAME-realm.json
# only, NAME the realm's name in it, which the entrypoint reads.
printf '{"enabled": true, "clients": [{"realm": "x"}]}\n' >"$tmp/norealm.json"
printf '{"realm": "a/b"}\n' >"$tmp/slash.json"
printf '{"realm": "r", "enabled": true}\n' >"$tmp/realm-again.json"
I=("$bin" render "$tmp/render-26" "$H" "$P" "$B")
bad 78 "KEYCLOAK_IMPORT: $tmp/norealm.json holds no realm (a JSON object with a \"realm\" name" \
	"${I[@]}" KEYCLOAK_IMPORT="$tmp/norealm.json"
bad 78 "KEYCLOAK_IMPORT: $tmp/slash.json: the realm name \"a/b\" cannot name a file" \
	"${I[@]}" KEYCLOAK_IMPORT="$tmp/slash.json"
bad 73 "KEYCLOAK_IMPORT: cannot link $tmp/render-26/import/r-realm.json to $tmp/realm-again.json: another file holds the same realm" \
	"${I[@]}" KEYCLOAK_IMPORT="$tmp/realm.json,$tmp/realm-again.json"
# The link that works: realm.json holds realm "r".
run "${I[@]}" KEYCLOAK_IMPORT="$tmp/realm.json"
check "KEYCLOAK_IMPORT: realm.json rendered (rc $rc)" [ "$rc" = 0 ]
check "KEYCLOAK_IMPORT: realm.json linked as r-realm.json" \
	[ "$(readlink "$tmp/render-26/import/r-realm.json")" = "$tmp/realm.json" ]

# Warnings: a variable with the project's prefix that nothing reads.
expect 0 'keycloak-ha-postgres: warning: KEYCLOAK_LOGLEVLE is set but no setting reads it; did you mean KEYCLOAK_LOGLEVEL?' \
	-- "${R[@]}" KEYCLOAK_LOGLEVLE=DEBUG $P $B
expect 0 'keycloak-ha-postgres: warning: DB_PASWORD is set but no setting reads it; did you mean DB_PASSWORD?' \
	-- "${R[@]}" DB_PASWORD=x $P $B
# ... and no warning for what the engines inject.
run "${R[@]}" POSTGRES_PORT=tcp://10.0.0.2:5432 POSTGRES_ENV_LANG=C POSTGRES_NAME=/kc/postgres $P $B
if [ "$rc" = 0 ] && [ ! -s "$tmp/err" ]; then
	pass
else
	fail "warning for injected variables: $(cat "$tmp/err")"
fi

summary bad_inputs
