#!/bin/bash
# Baseline for the benchmarks: a shell entrypoint of the conventional kind.
# First start: configure standalone-ha.xml with one offline jboss-cli
# session per feature, and leave a marker. Every start: wait until the
# database port accepts a TCP connection, polling once a second, then start
# the server on the container's address.
set -eu

home=/opt/keycloak
marker=$home/standalone/configuration/.configured
ip=$(hostname -i | awk '{print $1}')
: "${DB_ADDR:=postgres}" "${DB_PORT:=5432}" "${DB_DATABASE:=keycloak}" "${DB_USER:=keycloak}"
: "${DB_PASSWORD:?DB_PASSWORD is required}"

if [ ! -e "$marker" ]; then
	DB_URL="jdbc:postgresql://$DB_ADDR:$DB_PORT/$DB_DATABASE" DB_USER=$DB_USER \
		DB_PASSWORD=$DB_PASSWORD OWNERS=${CACHE_OWNERS_COUNT:-2} \
		AUTH_OWNERS=${CACHE_OWNERS_AUTH_SESSIONS_COUNT:-2} \
		"$home/baseline/configure.sh" per-feature "$home" "$home/baseline"
	touch "$marker"
fi

until (exec 3<>"/dev/tcp/$DB_ADDR/$DB_PORT") 2>/dev/null; do
	sleep 1
done

if [ -n "${KEYCLOAK_USER:-}" ] && [ -n "${KEYCLOAK_PASSWORD:-}" ]; then
	"$home/bin/add-user-keycloak.sh" --user "$KEYCLOAK_USER" --password "$KEYCLOAK_PASSWORD" >/dev/null
fi

exec "$home/bin/standalone.sh" -c standalone-ha.xml -b "$ip" -bprivate "$ip" \
	-Djboss.node.name="$(hostname)"
