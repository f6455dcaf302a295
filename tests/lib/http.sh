# HTTP helpers for the end-to-end tests. Source it after engine.sh.
# shellcheck shell=bash

# http_code URL [CURL_ARGS...]: the HTTP status of a request to URL, "000"
# when nothing answers within 10 s.
http_code() {
	local url=$1
	shift
	curl --silent --output /dev/null --write-out '%{http_code}' --max-time 10 "$@" "$url" ||
		true
}

# http_wait_200 LABEL CONTAINER START SECONDS URL [CURL_ARGS...]: ask URL
# every second until it answers 200 (0), or until the container stops or
# SECONDS pass (1, said on stderr with the last answer). Prints
# "timing: LABEL first HTTP answer (CODE) after Ns" and "timing: LABEL HTTP
# 200 after Ns", counted from START (a value of $SECONDS), and leaves the
# latter in http_up.
http_wait_200() {
	local label=$1 container=$2 start=$3 limit=$4
	shift 4
	http_answered="" http_last=000 http_up=""
	if engine_poll "$container" "$limit" 1 "HTTP 200 on $1" http_is_200 "$label" "$start" "$@"; then
		http_up=$((SECONDS - start))
		echo "timing: $label HTTP 200 after ${http_up}s"
		return 0
	fi
	echo "http.sh: $label: last answer $http_last" >&2
	return 1
}

# http_is_200 LABEL START URL [CURL_ARGS...]: one try of http_wait_200.
http_is_200() {
	local label=$1 start=$2
	shift 2
	http_last=$(http_code "$@")
	if [ "$http_last" != 000 ] && [ -z "$http_answered" ]; then
		http_answered=yes
		echo "timing: $label first HTTP answer ($http_last) after $((SECONDS - start))s"
	fi
	[ "$http_last" = 200 ]
}

# jwt_issuer TOKEN: the iss claim of a JWT (Keycloak's tokens name the URL
# they were issued under).
jwt_issuer() {
	local payload
	payload=$(printf '%s' "$1" | cut -d. -f2 | tr '_-' '/+')
	while [ $((${#payload} % 4)) != 0 ]; do payload+="="; done
	printf '%s' "$payload" | base64 -d 2>/dev/null | sed -n 's/.*"iss":"\([^"]*\)".*/\1/p'
}
