# Table-driven checks of the entrypoint's command line, sourced by the unit
# tests: each case runs the binary with exactly the environment it gives
# (env -i) and checks the exit code and the first line on stderr (or a line
# of stdout). The caller sets tmp (a scratch directory), passed and failed.
# shellcheck shell=bash

# run BINARY [ARGS...] [NAME=VALUE...]: the words that look like variable
# assignments are the whole environment (env -i), so no inherited variable
# can change a result; the others are the command line.
run() {
	local -a cmd=() vars=()
	local w
	for w in "$@"; do
		if [[ $w =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
			vars+=("$w")
		else
			cmd+=("$w")
		fi
	done
	set +e
	env -i PATH=/usr/bin:/bin "${vars[@]}" "${cmd[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
}

# expect CODE 'first stderr line (fixed string, may be a prefix)' -- ARGS...
expect() {
	local code=$1 want=$2
	shift 3
	run "$@"
	local first
	first=$(head -n 1 "$tmp/err")
	if [ "$rc" = "$code" ] && [ "${first#"$want"}" != "$first" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $*" >&2
		echo "  want: $code '$want'" >&2
		echo "  got:  $rc '$first'" >&2
	fi
}

# expect_out CODE 'stdout line (exact)' -- ARGS...
expect_out() {
	local code=$1 want=$2
	shift 3
	run "$@"
	if [ "$rc" = "$code" ] && grep -qxF -- "$want" "$tmp/out"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $*" >&2
		echo "  want: $code, stdout line '$want'" >&2
		echo "  got:  $rc; stdout:" >&2
		sed 's/^/    /' "$tmp/out" >&2
		sed 's/^/    err: /' "$tmp/err" >&2
	fi
}

# never_shows SECRET -- ARGS...: the secret appears neither on stdout nor stderr.
never_shows() {
	local secret=$1
	shift 2
	run "$@"
	if [ "$rc" -ge 126 ] || grep -qF -- "$secret" "$tmp/out" "$tmp/err"; then
		failed=$((failed + 1))
		echo "FAIL: secret shown: $*" >&2
	else
		passed=$((passed + 1))
	fi
}

