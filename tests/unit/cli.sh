#!/bin/bash
# The entrypoint's command line and settings, table-driven: each case runs
# the binary with exactly the environment it gives (env -i) and checks the
# exit code and the first line on stderr (or a line of stdout).
#
# Usage: tests/unit/cli.sh BINARY
set -eu

bin=${1:?usage: cli.sh BINARY}
# shellcheck source=tests/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
scratch_dir

P=DB_PASSWORD=pw
B=BIND=10.0.0.5

# Command line.
expect_out 0 "keycloak-ha-postgres ${VERSION:-0.1.0}" -- "$bin" --version
expect_out 0 "Exit codes:" -- "$bin" --help
expect 64 "keycloak-ha-postgres: error: unknown command frobnicate" -- "$bin" frobnicate
expect 64 "keycloak-ha-postgres: error: render: unknown option --frob" -- "$bin" render --frob
expect 64 "keycloak-ha-postgres: error: wait-db: unexpected argument x" -- "$bin" wait-db x

# The 2015 guide's variables, and defaults.
expect_out 0 "DB_ADDR=postgres	(default)" -- "$bin" render --print POSTGRES_PASSWORD=password $B
expect_out 0 "DB_DATABASE=keycloak	(POSTGRES_DATABASE)" -- "$bin" render --print \
	POSTGRES_DATABASE=keycloak POSTGRES_USER=keycloak POSTGRES_PASSWORD=password $B
expect_out 0 "DB_USER=keycloak	(POSTGRES_USER)" -- "$bin" render --print \
	POSTGRES_DATABASE=keycloak POSTGRES_USER=keycloak POSTGRES_PASSWORD=password $B
expect_out 0 "DB_USER=kc	(POSTGRES_USERNAME)" -- "$bin" render --print POSTGRES_USERNAME=kc $P $B
expect_out 0 "DB_PASSWORD=********	(POSTGRES_PASSWORD)" -- "$bin" render --print POSTGRES_PASSWORD=password $B
expect_out 0 "DB_PORT=5432	(default)" -- "$bin" render --print $P $B
# Docker link and Kubernetes service variables.
expect_out 0 "DB_ADDR=172.17.0.2	(POSTGRES_PORT_5432_TCP_ADDR)" -- "$bin" render --print \
	POSTGRES_PORT_5432_TCP_ADDR=172.17.0.2 POSTGRES_PORT_5432_TCP_PORT=5432 \
	POSTGRES_PORT=tcp://172.17.0.2:5432 $P $B
expect_out 0 "DB_PORT=5433	(POSTGRES_SERVICE_SERVICE_PORT)" -- "$bin" render --print \
	POSTGRES_SERVICE_SERVICE_HOST=10.1.2.3 POSTGRES_SERVICE_SERVICE_PORT=5433 $P $B
expect_out 0 "DB_ADDR=db.example.com	(DB_ADDR)" -- "$bin" render --print DB_ADDR=db.example.com $P $B
# Synonyms that agree are fine; that differ are an error.
expect_out 0 "DB_USER=kc	(DB_USER)" -- "$bin" render --print DB_USER=kc POSTGRES_USER=kc $P $B
expect 78 'keycloak-ha-postgres: error: DB_ADDR="db1" conflicts with POSTGRES_PORT_5432_TCP_ADDR="172.17.0.2"' \
	-- "$bin" render --print DB_ADDR=db1 POSTGRES_PORT_5432_TCP_ADDR=172.17.0.2 $P $B
expect 78 'keycloak-ha-postgres: error: POSTGRES_PORT_5432_TCP_ADDR="172.17.0.2" conflicts with POSTGRES_SERVICE_SERVICE_HOST="10.0.0.9"' \
	-- "$bin" render --print POSTGRES_PORT_5432_TCP_ADDR=172.17.0.2 POSTGRES_SERVICE_SERVICE_HOST=10.0.0.9 $P $B
expect 78 'keycloak-ha-postgres: error: DB_DATABASE="a" conflicts with POSTGRES_DATABASE="b"' \
	-- "$bin" render --print DB_DATABASE=a POSTGRES_DATABASE=b $P $B
expect 78 'keycloak-ha-postgres: error: DB_PASSWORD conflicts with POSTGRES_PASSWORD: both are set and differ' \
	-- "$bin" render --print DB_PASSWORD=one POSTGRES_PASSWORD=two $B
never_shows s3cr3tA -- "$bin" render --print DB_PASSWORD=s3cr3tA POSTGRES_PASSWORD=s3cr3tB $B
never_shows s3cr3tB -- "$bin" render --print DB_PASSWORD=s3cr3tA POSTGRES_PASSWORD=s3cr3tB $B
never_shows hunter2 -- "$bin" render --print DB_PASSWORD=hunter2 KEYCLOAK_USER=admin KEYCLOAK_PASSWORD=hunter2 $B

# Bad values name the variable and what was expected.
expect 78 'keycloak-ha-postgres: error: DB_PASSWORD: is not set' -- "$bin" render --print $B
expect 78 'keycloak-ha-postgres: error: DB_PORT: expected a port number (1-65535), got "abc"' \
	-- "$bin" render --print DB_PORT=abc $P $B
expect 78 'keycloak-ha-postgres: error: DB_PORT: expected a port number (1-65535), got "0"' \
	-- "$bin" render --print DB_PORT=0 $P $B
expect 78 'keycloak-ha-postgres: error: DB_PORT: expected a port number (1-65535), got "65536"' \
	-- "$bin" render --print DB_PORT=65536 $P $B
expect 78 'keycloak-ha-postgres: error: DB_PORT: expected a port number (1-65535), got "99999999999"' \
	-- "$bin" render --print DB_PORT=99999999999 $P $B
expect 78 'keycloak-ha-postgres: error: DB_ADDR: is empty' -- "$bin" render --print DB_ADDR= $P $B
expect 78 'keycloak-ha-postgres: error: DB_ADDR: expected a host name or an IP address, got "db host"' \
	-- "$bin" render --print "DB_ADDR=db host" $P $B
expect 78 'keycloak-ha-postgres: error: DB_ADDR: contains a control character: "db\x0ahost"' \
	-- "$bin" render --print "DB_ADDR=db
host" $P $B
expect 78 'keycloak-ha-postgres: error: DB_PASSWORD: contains a control character' \
	-- "$bin" render --print "DB_PASSWORD=a	b" $B
expect 78 'keycloak-ha-postgres: error: DB_SSLMODE: expected one of disable, allow, prefer, require, verify-ca, verify-full, got "sometimes"' \
	-- "$bin" render --print DB_SSLMODE=sometimes $P $B
expect 78 'keycloak-ha-postgres: error: DB_WAIT_TIMEOUT: expected a duration such as 300, 90s, 5m or 1h (at most 604800 s), got "-1"' \
	-- "$bin" render --print DB_WAIT_TIMEOUT=-1 $P $B
expect 78 'keycloak-ha-postgres: error: KEYCLOAK_PASSWORD: is not set, but KEYCLOAK_USER is' \
	-- "$bin" render --print KEYCLOAK_USER=admin $P $B
expect 78 'keycloak-ha-postgres: error: KEYCLOAK_USER: is not set, but KEYCLOAK_PASSWORD is' \
	-- "$bin" render --print KEYCLOAK_PASSWORD=x $P $B
expect 78 'keycloak-ha-postgres: error: BIND: 127.0.0.1 is a loopback address' \
	-- "$bin" render --print BIND=127.0.0.1 $P
expect 78 'keycloak-ha-postgres: error: BIND: expected an IPv4 or IPv6 address, got "eth0"' \
	-- "$bin" render --print BIND=eth0 $P
expect 78 'keycloak-ha-postgres: error: CACHE_OWNERS_COUNT: expected a number of owners (1-1000), got "0"' \
	-- "$bin" render --print CACHE_OWNERS_COUNT=0 $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_TRANSPORT_STACK: expected tcp or udp, got "sctp"' \
	-- "$bin" render --print JGROUPS_TRANSPORT_STACK=sctp $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_DISCOVERY_PROTOCOL: PING needs JGROUPS_TRANSPORT_STACK=udp' \
	-- "$bin" render --print JGROUPS_DISCOVERY_PROTOCOL=PING JGROUPS_TRANSPORT_STACK=tcp $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_DISCOVERY_PROPERTIES: TCPPING needs initial_hosts=...' \
	-- "$bin" render --print JGROUPS_DISCOVERY_PROTOCOL=TCPPING JGROUPS_DISCOVERY_PROPERTIES=port_range=0 $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_DISCOVERY_PROPERTIES: dns.DNS_PING needs dns_query=...' \
	-- "$bin" render --print JGROUPS_DISCOVERY_PROTOCOL=dns.DNS_PING $P $B
expect_out 0 "JGROUPS_TRANSPORT_STACK=udp	(default)" -- "$bin" render --print JGROUPS_DISCOVERY_PROTOCOL=PING $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_DISCOVERY_PROTOCOL: expected a JGroups protocol name' \
	-- "$bin" render --print 'JGROUPS_DISCOVERY_PROTOCOL=<x/>' $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_MULTICAST_ADDRESS: expected a multicast address' \
	-- "$bin" render --print JGROUPS_MULTICAST_ADDRESS=10.0.0.1 $P $B
expect 78 'keycloak-ha-postgres: error: KEYCLOAK_HOME: expected an absolute path' \
	-- "$bin" render --print KEYCLOAK_HOME=opt/keycloak $P $B

# Discovery properties: commas inside a value, quotes.
expect_out 0 "JGROUPS_DISCOVERY_PROPERTIES[initial_hosts]=a[7600],b[7600]" -- "$bin" render --print \
	JGROUPS_DISCOVERY_PROTOCOL=TCPPING 'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=a[7600],b[7600],port_range=0' $P $B
expect_out 0 "JGROUPS_DISCOVERY_PROPERTIES[port_range]=0" -- "$bin" render --print \
	JGROUPS_DISCOVERY_PROTOCOL=TCPPING 'JGROUPS_DISCOVERY_PROPERTIES=initial_hosts=a[7600],b[7600],port_range=0' $P $B
expect_out 0 "JGROUPS_DISCOVERY_PROPERTIES[dns_query]=kc.ns.svc" -- "$bin" render --print \
	JGROUPS_DISCOVERY_PROTOCOL=dns.DNS_PING 'JGROUPS_DISCOVERY_PROPERTIES=dns_query="kc.ns.svc"' $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_DISCOVERY_PROPERTIES: expected name=value' \
	-- "$bin" render --print 'JGROUPS_DISCOVERY_PROPERTIES=novalue' $P $B
expect 78 'keycloak-ha-postgres: error: JGROUPS_DISCOVERY_PROPERTIES: property a is given twice' \
	-- "$bin" render --print 'JGROUPS_DISCOVERY_PROPERTIES=a=1,a=2' $P $B

# Secrets from files.
printf 'from-file\n' >"$tmp/pw"
printf 'crlf\r\n' >"$tmp/pw-crlf"
expect_out 0 "DB_PASSWORD=********	(DB_PASSWORD_FILE)" -- "$bin" render --print DB_PASSWORD_FILE="$tmp/pw" $B
expect_out 0 "DB_USER=fileuser	(DB_USER_FILE)" -- "$bin" render --print DB_USER_FILE=<(printf 'fileuser\n') $P $B
expect 78 'keycloak-ha-postgres: error: DB_PASSWORD and DB_PASSWORD_FILE are both set; set only one' \
	-- "$bin" render --print DB_PASSWORD=x DB_PASSWORD_FILE="$tmp/pw" $B
expect 66 "keycloak-ha-postgres: error: DB_PASSWORD_FILE: cannot read $tmp/missing: No such file or directory" \
	-- "$bin" render --print DB_PASSWORD_FILE="$tmp/missing" $B
expect 78 'keycloak-ha-postgres: error: DB_PASSWORD_FILE: is empty' -- "$bin" render --print DB_PASSWORD_FILE= $B
# The file's value takes part in conflict checks like a variable's.
expect 78 'keycloak-ha-postgres: error: DB_PASSWORD_FILE conflicts with POSTGRES_PASSWORD' \
	-- "$bin" render --print DB_PASSWORD_FILE="$tmp/pw" POSTGRES_PASSWORD=other $B
expect_out 0 "DB_PASSWORD=********	(DB_PASSWORD_FILE)" -- "$bin" render --print \
	DB_PASSWORD_FILE="$tmp/pw-crlf" POSTGRES_PASSWORD=crlf $B
never_shows from-file -- "$bin" render --print DB_PASSWORD_FILE="$tmp/pw" POSTGRES_PASSWORD=other $B

# Precedence: --set, then the environment (with NAME_FILE), then the
# configuration file, then the default; --print names where each came from.
printf 'DB_PORT = 6000;\nDB_PASSWORD_FILE = "%s";\nCACHE_OWNERS_COUNT = 4;\n' "$tmp/pw" >"$tmp/kc.conf"
printf 'DB_PORT = 6001;\n' >"$tmp/other.conf"
expect_out 0 "DB_PORT=8000	(DB_PORT (--set))" -- "$bin" --config "$tmp/kc.conf" --set=DB_PORT=8000 \
	render --print DB_PORT=7000 $B
expect_out 0 "DB_PORT=7000	(DB_PORT)" -- "$bin" --config "$tmp/kc.conf" render --print DB_PORT=7000 $B
expect_out 0 "DB_PORT=6000	(DB_PORT ($tmp/kc.conf:1))" -- "$bin" --config "$tmp/kc.conf" render --print $B
expect_out 0 "DB_PORT=5432	(default)" -- "$bin" render --print $P $B
expect_out 0 "DB_PASSWORD=********	(DB_PASSWORD_FILE ($tmp/kc.conf:2))" -- "$bin" --config "$tmp/kc.conf" \
	render --print $B
expect_out 0 "DB_PASSWORD=********	(DB_PASSWORD)" -- "$bin" --config "$tmp/kc.conf" render --print $P $B
expect_out 0 "CACHE_OWNERS_COUNT=4	(CACHE_OWNERS_COUNT ($tmp/kc.conf:3))" -- "$bin" render --print \
	KEYCLOAK_HA_CONFIG="$tmp/kc.conf" $B
expect_out 0 "KEYCLOAK_HA_CONFIG=$tmp/kc.conf	(KEYCLOAK_HA_CONFIG)" -- "$bin" render --print \
	KEYCLOAK_HA_CONFIG="$tmp/kc.conf" $B
expect_out 0 "DB_PORT=6001	(DB_PORT ($tmp/other.conf:1))" -- "$bin" --config "$tmp/other.conf" \
	render --print KEYCLOAK_HA_CONFIG="$tmp/kc.conf" $P $B
expect_out 0 "DB_ADDR[1]=db2 port 5433" -- "$bin" render --print DB_ADDR=db1,db2:5433 $P $B
expect_out 0 "DB_WAIT_TIMEOUT=120s	(DB_WAIT_TIMEOUT)" -- "$bin" render --print DB_WAIT_TIMEOUT=2m $P $B
expect_out 0 "KEYCLOAK_LOGLEVEL=DEBUG	(KEYCLOAK_LOGLEVEL)" -- "$bin" render --print KEYCLOAK_LOGLEVEL=debug $P $B
never_shows from-file -- "$bin" --config "$tmp/kc.conf" render --print $B

# KEYCLOAK_HA_LOG_LEVEL: the entrypoint's own messages, not the server's.
expect_out 0 "KEYCLOAK_HA_LOG_LEVEL=info	(default)" -- "$bin" render --print $P $B
expect_out 0 "KEYCLOAK_HA_LOG_LEVEL=debug	(KEYCLOAK_HA_LOG_LEVEL)" -- "$bin" render --print \
	KEYCLOAK_HA_LOG_LEVEL=DEBUG $P $B
expect 0 'keycloak-ha-postgres: warning: KEYCLOAK_LOGLEVLE is set' -- "$bin" render --print \
	KEYCLOAK_HA_LOG_LEVEL=warn KEYCLOAK_LOGLEVLE=x $P $B
never_shows KEYCLOAK_LOGLEVLE -- "$bin" render --print KEYCLOAK_HA_LOG_LEVEL=error \
	KEYCLOAK_LOGLEVLE=x $P $B
# Every attempt of the wait at debug, only the changes at info (a closed
# port on loopback answers at once).
expect 69 'keycloak-ha-postgres: debug: attempt 1 on 127.0.0.1:1: ' -- "$bin" wait-db \
	KEYCLOAK_HA_LOG_LEVEL=debug DB_ADDR=127.0.0.1 DB_PORT=1 DB_WAIT_TIMEOUT=1 $P $B
never_shows 'debug:' -- "$bin" wait-db DB_ADDR=127.0.0.1 DB_PORT=1 DB_WAIT_TIMEOUT=1 $P $B

summary cli
