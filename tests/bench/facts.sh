#!/bin/bash
# Print what a standalone-ha.xml means for the benchmarks' comparison, one
# "name=value" line per fact: the Keycloak datasource, the PostgreSQL
# driver, the channel's stack, the TCP stack's protocols (in order), the
# JDBC_PING settings (properties sorted) and the owners of each cache of the
# keycloak container.
#
#   facts.sh FILE
#
# Two files that print the same lines configure the server the same way for
# everything render changes, whatever their layout, attribute order or
# namespace prefixes. An attribute or element left out means the schema's
# default (WildFly writes no value equal to its default); the defaults are
# filled in here so that "absent" and "the default, written out" compare
# equal.
set -eu

file=$1
xmllint --noout "$file" || {
	echo "facts.sh: $file is not well-formed XML" >&2
	exit 1
}

# xp EXPR: the string value of an XPath expression over FILE.
xp() {
	xmllint --xpath "string($1)" "$file" 2>/dev/null || true
}

# fact NAME EXPR [DEFAULT]
fact() {
	local value
	value=$(xp "$2")
	[ -n "$value" ] || value=${3:-}
	printf '%s=%s\n' "$1" "$value"
}

n() { printf "*[local-name()='%s']" "$1"; }

ds="//$(n datasource)[@pool-name='KeycloakDS']"
fact datasource.connection-url "$ds/$(n connection-url)"
fact datasource.driver "$ds/$(n driver)"
fact datasource.user-name "$ds/$(n security)/$(n user-name)"
fact datasource.password "$ds/$(n security)/$(n password)"
fact datasource.min-pool-size "$ds/$(n pool)/$(n min-pool-size)" 0
fact datasource.max-pool-size "$ds/$(n pool)/$(n max-pool-size)" 20
fact datasource.flush-strategy "$ds/$(n pool)/$(n flush-strategy)" FailingConnectionOnly
fact datasource.valid-connection-checker "$ds/$(n validation)/$(n valid-connection-checker)/@class-name"
fact datasource.validate-on-match "$ds/$(n validation)/$(n validate-on-match)" false
fact datasource.background-validation "$ds/$(n validation)/$(n background-validation)" false
fact datasource.background-validation-millis "$ds/$(n validation)/$(n background-validation-millis)"
fact datasource.exception-sorter "$ds/$(n validation)/$(n exception-sorter)/@class-name"
fact datasource.allocation-retry "$ds/$(n timeout)/$(n allocation-retry)" 0
fact datasource.allocation-retry-wait-millis "$ds/$(n timeout)/$(n allocation-retry-wait-millis)" 5000
drv="//$(n drivers)/$(n driver)[@name='postgresql']"
fact driver.postgresql.module "$drv/@module"
fact driver.postgresql.xa-datasource-class "$drv/$(n xa-datasource-class)"
fact jgroups.channel.ee.stack "//$(n channel)[@name='ee']/@stack"
tcp="//$(n stack)[@name='tcp']"
count=$(xp "count($tcp/*)")
protocols=""
for i in $(seq 1 "${count:-0}"); do
	protocols="$protocols $(xp "$tcp/*[$i]/@type")"
done
printf 'jgroups.tcp.protocols=%s\n' "${protocols# }"
ping="$tcp/*[@type='JDBC_PING']"
fact jgroups.tcp.JDBC_PING.data-source "$ping/@data-source"
count=$(xp "count($ping/$(n property))")
for i in $(seq 1 "${count:-0}"); do
	printf 'jgroups.tcp.JDBC_PING.property.%s=%s\n' "$(xp "$ping/$(n property)[$i]/@name")" \
		"$(xp "$ping/$(n property)[$i]")"
done | sort
caches="//$(n cache-container)[@name='keycloak']/$(n distributed-cache)"
count=$(xp "count($caches)")
for i in $(seq 1 "${count:-0}"); do
	# 2 is the owners default of the infinispan subsystem.
	owners=$(xp "${caches}[$i]/@owners")
	printf 'cache.keycloak.%s.owners=%s\n' "$(xp "${caches}[$i]/@name")" "${owners:-2}"
done | sort
