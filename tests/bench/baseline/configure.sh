#!/bin/bash
# Baseline for the benchmarks: configure standalone-ha.xml the way the
# WildFly-based images did on first start, with offline jboss-cli sessions.
#
#   configure.sh MODE KEYCLOAK_HOME CLI_DIR
#     MODE batch        one embed-server session, every change in one batch
#     MODE per-feature  one embed-server session per file (datasource,
#                       jgroups, caches), as images that kept one script per
#                       feature did
#
# Values come from DB_URL, DB_USER, DB_PASSWORD, OWNERS, AUTH_OWNERS.
set -eu

mode=$1 home=$2 cli_dir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fill FILE: the CLI file's operations with the placeholders replaced.
fill() {
	grep -v '^#' "$1" | sed -e "s|@DB_URL@|$DB_URL|g" -e "s|@DB_USER@|$DB_USER|g" \
		-e "s|@DB_PASSWORD@|$DB_PASSWORD|g" -e "s|@OWNERS@|$OWNERS|g" \
		-e "s|@AUTH_OWNERS@|$AUTH_OWNERS|g"
}

# session NAME FILES...: one offline server boot that applies FILES in one batch.
session() {
	local name=$1 f
	shift
	{
		echo "embed-server --server-config=standalone-ha.xml --std-out=discard"
		echo "batch"
		for f in "$@"; do fill "$cli_dir/$f.cli"; done
		echo "run-batch"
		echo "stop-embedded-server"
	} >"$work/$name.cli"
	"$home/bin/jboss-cli.sh" --file="$work/$name.cli" >"$work/$name.log" 2>&1 || {
		cat "$work/$name.log" >&2
		return 1
	}
}

case $mode in
batch) session all datasource jgroups caches ;;
per-feature)
	session datasource datasource
	session jgroups jgroups
	session caches caches
	;;
*)
	echo "configure.sh: MODE must be batch or per-feature" >&2
	exit 64
	;;
esac
