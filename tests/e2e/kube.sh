#!/bin/bash
# End-to-end test of deploy/kubernetes: the manifests as a user renders them
# (kubectl kustomize, with password files made the way the README says),
# validated against Kubernetes' schemas, then run with the real images by
# `podman kube play`.
#
# Checks: without the password files the render fails and names the file;
# the files are mode 600; the render (and the one with components/dns-ping)
# passes kubernetes-validate --strict for the oldest and the newest
# Kubernetes it knows, which does refuse a misspelt field; DB_ADDR and
# DNS_PING's query follow a renaming overlay. Played: the PostgreSQL pod and
# two Keycloak pods run; each node answers its startup/readiness path
# (/health/ready) and its liveness path (/health/live) with 200 on the
# port the manifest names, and an unknown path with something else; both
# nodes log a two-member view of the two pods; the admin gets a token from
# node 1 with the password of the Secret's file, and not with another;
# node 2's admin API accepts that token; every container runs as the
# manifest's non-root uid with group 0, on a read-only root filesystem
# (as podman says and /proc/mounts shows), without capabilities and without
# new privileges; after
# `podman kube down` nothing the test started is left.
#
# What podman 4.3 cannot take is changed as little as possible before the
# play, and the play's check says so (kube_for_podman below):
#   - the StatefulSet becomes one Pod named after its Service (aardvark-dns
#     resolves a pod's name on the network, as cluster DNS resolves the
#     Service), its volumeClaimTemplate one PersistentVolumeClaim;
#   - the Deployment's 2 replicas become 2 Pods;
#   - each emptyDir becomes a directory of its own of mode 0777, as the
#     kubelet makes an emptyDir: podman 4.3 makes a named volume of the
#     emptyDir's name (both replicas would share one state directory) and
#     fills it with the image's directory there, owner included (PostgreSQL
#     could not write its socket directory as another uid);
#   - probes are left out, and the test sends their requests itself (podman
#     4.3 runs an httpGet probe as curl inside the container, which the
#     image does not have, from systemd timers, which are not there);
#   - a Secret's data is decoded once: podman 4.3 writes data values into
#     the mounted files as they stand, still base64 (the test's passwords
#     are base64 text, so the file then holds exactly the password);
#   - the containers' ports are left out: podman 4.3 publishes every
#     containerPort on the host, on every interface, at the same number for
#     both replicas (the second pod does not start), and forwards nothing
#     from the host into an --internal network anyway;
#   - Services and the PodDisruptionBudget go in as they are; podman
#     ignores them (not exercised: the Service's ClusterIP, DNS_PING, the
#     budget, terminationGracePeriodSeconds, seccomp by field).
# The pods are on an --internal network created for the run; the test
# reaches them on their addresses there, as the other e2e suites do, and
# podman publishes no port.
#
# Builds nothing: KEYCLOAK_IMAGE (Keycloak 26; the manifests use its
# management port) and POSTGRES_IMAGE name the images. Needs podman (and
# catatonit, for the pods' infra containers), kubectl (its built-in
# kustomize) or kustomize, python3 with PyYAML, openssl, and
# kubernetes-validate (deploy/kubernetes/validate/requirements.txt; or
# KUBERNETES_VALIDATE naming the program).
#
# Environment: KEYCLOAK_IMAGE, POSTGRES_IMAGE (required), ENGINE (podman),
#   KUSTOMIZE (a kustomize program; default kubectl kustomize, else
#   kustomize build), KUBERNETES_VALIDATE (default
#   kubernetes-validate), E2E_BOOT_TIMEOUT (seconds, default 360),
#   E2E_LOG_DIR (default out/test/e2e).
set -eu

repo_dir=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/kc-cluster.sh
. "$repo_dir/tests/lib/kc-cluster.sh"
boot_timeout=${E2E_BOOT_TIMEOUT:-360}
log_dir=${E2E_LOG_DIR:-$repo_dir/out/test/e2e}
# The renderer: kubectl's built-in kustomize, or a kustomize of its own
# (`kustomize build` renders what `kubectl kustomize` does).
if [ -n "${KUSTOMIZE:-}" ]; then
	renderer=("$KUSTOMIZE" build)
elif command -v kubectl >/dev/null 2>&1; then
	renderer=(kubectl kustomize)
else
	renderer=(kustomize build)
fi
validate=${KUBERNETES_VALIDATE:-kubernetes-validate}
deploy=$repo_dir/deploy/kubernetes
# The oldest and the newest Kubernetes whose schemas kubernetes-validate
# 1.37.0 carries.
validate_versions="1.25.0 1.37.0"

summary_at_exit e2e-kube-26
engine_detect
kc_set_generation "$KEYCLOAK_IMAGE"
echo "Keycloak generation $kc_generation ($KEYCLOAK_IMAGE)"
if [ "$kc_generation" != 26 ]; then
	fail "deploy/kubernetes runs Keycloak 26 (health on the management port); $KEYCLOAK_IMAGE holds $kc_generation"
	exit 1
fi
if [ "$(basename "$ENGINE")" != podman ]; then
	fail "kube.sh plays the manifests with podman kube play; ENGINE is $ENGINE"
	exit 1
fi
# The Python with PyYAML: the one on PATH, else Debian's (python3-yaml).
python=python3
python3 -c 'import yaml' 2>/dev/null || python=/usr/bin/python3
for tool in "${renderer[0]}" "$validate" python3 openssl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		fail "$tool is installed (tests/lib/host-setup)"
		exit 1
	fi
done

for image in "$KEYCLOAK_IMAGE" "$POSTGRES_IMAGE"; do
	if ! engine_image_exists "$image"; then
		fail "$image exists (make images)"
		exit 1
	fi
done

# kc-cluster.sh's view and request helpers name containers "$kc_run-NAME"
# and find their addresses on kc_network: a played container is
# "POD-CONTAINER", the pods are "$kc_run-keycloak-N".
kc_run=$(engine_unique_name khp-kube)
kc_network=$kc_run-net
scratch_dir
kc_admin_user="admin"

# Everything podman creates from the play (pods, their containers, the
# volumes of emptyDirs, claims and secrets, the secrets) is named in
# $tmp/podman-names by kube_for_podman, and removed by those names.
played=""
tear_down() {
	local name
	mkdir -p "$log_dir"
	if [ -s "$tmp/podman-names" ]; then
		while read -r kind name; do
			[ "$kind" = container ] || continue
			if engine_container_exists "$name"; then
				engine logs "$name" >"$log_dir/kube-${name#"$kc_run"-}.log" 2>&1 || true
			fi
		done <"$tmp/podman-names"
	fi
	if [ -n "$played" ]; then
		engine kube down "$played" >/dev/null 2>&1 || true
	fi
	if [ -s "$tmp/podman-names" ]; then
		while read -r kind name; do
			case $kind in
			pod) engine pod exists "$name" && engine pod rm --force "$name" >/dev/null 2>&1 ;;
			volume) engine volume exists "$name" && engine volume rm --force "$name" >/dev/null 2>&1 ;;
			secret) engine secret inspect "$name" >/dev/null 2>&1 && engine secret rm "$name" >/dev/null 2>&1 ;;
			esac
		done <"$tmp/podman-names"
	fi
	engine_network_remove "$kc_network" || true
	echo "container logs: $log_dir (kube-*.log)"
}
at_exit tear_down

# left_behind: what the play made that still exists, one "KIND NAME" a line.
left_behind() {
	local kind name
	while read -r kind name; do
		case $kind in
		pod) engine pod exists "$name" ;;
		container) engine_container_exists "$name" ;;
		volume) engine volume exists "$name" ;;
		secret) engine secret inspect "$name" >/dev/null 2>&1 ;;
		*) false ;;
		esac && echo "$kind $name"
	done <"$tmp/podman-names"
	if engine_network_exists "$kc_network"; then echo "network $kc_network"; fi
}

# 1. Render as a user does: a copy of deploy/kubernetes (without any
# password files of a user's own), the password files made as the README
# says, and an overlay that renames everything for this run and sets the
# images under test.
cp -R "$deploy" "$tmp/kubernetes"
find "$tmp/kubernetes/secrets" -type f ! -name .gitignore -delete
if "${renderer[@]}" "$tmp/kubernetes" >"$tmp/out" 2>"$tmp/err"; then
	fail "without the password files the render fails (it succeeded)"
else
	check "without the password files the render fails, naming the file ($(head -c 160 "$tmp/err"))" \
		grep -q 'secrets/db-password' "$tmp/err"
fi
# The README's commands. The passwords are base64 text, which podman 4.3
# needs (see above); Kubernetes takes any.
(
	umask 077
	openssl rand -base64 24 >"$tmp/kubernetes/secrets/db-password"
	openssl rand -base64 24 >"$tmp/kubernetes/secrets/admin-password"
)
for f in db-password admin-password; do
	check "secrets/$f is mode 600" [ "$(stat -c %a "$tmp/kubernetes/secrets/$f")" = 600 ]
done
kc_admin_password=$(cat "$tmp/kubernetes/secrets/admin-password")

# image_entry DEFAULT IMAGE: a kustomize images: entry that replaces the
# name DEFAULT (kustomization.yaml's newName) with IMAGE (name[:tag]).
image_entry() {
	local name=$2 tag=""
	if [[ ${2##*/} == *:* ]]; then
		name=${2%:*} tag=${2##*:}
	fi
	printf '  - name: %s\n    newName: %s\n' "$1" "$name"
	[ -z "$tag" ] || printf '    newTag: "%s"\n' "$tag"
}
default_image() {
	sed -n "/^  - name: $1\$/,/newName:/s/^ *newName: //p" "$deploy/kustomization.yaml"
}
mkdir "$tmp/overlay"
cp "$deploy/replacements.yaml" "$tmp/overlay/"
{
	printf 'resources:\n  - ../kubernetes\nnamePrefix: %s-\n' "$kc_run"
	printf '# DB_ADDR follows the renaming (kustomization.yaml says why).\n'
	printf 'replacements:\n  - path: replacements.yaml\nimages:\n'
	image_entry "$(default_image keycloak-ha-postgres)" "$KEYCLOAK_IMAGE"
	image_entry "$(default_image keycloak-ha-postgres-db)" "$POSTGRES_IMAGE"
} >"$tmp/overlay/kustomization.yaml"
if "${renderer[@]}" "$tmp/overlay" >"$tmp/rendered.yaml" 2>"$tmp/err"; then
	ok "${renderer[*]} renders the manifests through an overlay"
else
	CHECK_DETAIL=$tmp/err fail "${renderer[*]} renders the manifests through an overlay"
	exit 1
fi

# yaml_get FILE KIND NAME EXPR: a Python expression on the document d of
# that kind and name in the stream FILE.
yaml_get() {
	"$python" -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == sys.argv[2] and d["metadata"]["name"] == sys.argv[3]:
        print(eval(sys.argv[4]))
' "$@"
}
env_of() {
	yaml_get "$1" Deployment "$kc_run-keycloak" \
		"[e.get('value') for e in d['spec']['template']['spec']['containers'][0]['env'] if e['name'] == '$2'][0]"
}
check "rendered: both images are the ones under test" \
	[ "$(grep -c -e "image: $KEYCLOAK_IMAGE\$" -e "image: $POSTGRES_IMAGE\$" "$tmp/rendered.yaml")" = 2 ]
db_addr=$(env_of "$tmp/rendered.yaml" DB_ADDR)
check "rendered: DB_ADDR is the renamed PostgreSQL Service ($db_addr)" [ "$db_addr" = "$kc_run-postgres" ]
check "rendered: 2 Keycloak replicas" \
	[ "$(yaml_get "$tmp/rendered.yaml" Deployment "$kc_run-keycloak" "d['spec']['replicas']")" = 2 ]

# The DNS_PING switch, rendered the way the component's comment says.
cp -R "$tmp/kubernetes" "$tmp/kubernetes-dns"
printf 'components:\n  - components/dns-ping\n' >>"$tmp/kubernetes-dns/kustomization.yaml"
mkdir "$tmp/overlay-dns"
# A renaming overlay lists the component's replacements too (README.md).
sed 's|\.\./kubernetes$|../kubernetes-dns|; s|^  - path: replacements.yaml$|&\n  - path: dns-ping-replacements.yaml|' \
	"$tmp/overlay/kustomization.yaml" >"$tmp/overlay-dns/kustomization.yaml"
cp "$tmp/overlay/replacements.yaml" "$tmp/overlay-dns/"
cp "$deploy/components/dns-ping/replacements.yaml" "$tmp/overlay-dns/dns-ping-replacements.yaml"
if "${renderer[@]}" "$tmp/overlay-dns" >"$tmp/rendered-dns.yaml" 2>"$tmp/err"; then
	check "rendered with components/dns-ping: JGROUPS_DISCOVERY_PROTOCOL=dns.DNS_PING" \
		[ "$(env_of "$tmp/rendered-dns.yaml" JGROUPS_DISCOVERY_PROTOCOL)" = dns.DNS_PING ]
	check "rendered with components/dns-ping: the query names the renamed headless Service" \
		[ "$(env_of "$tmp/rendered-dns.yaml" DNS_PING_SERVICE)" = "$kc_run-keycloak-headless" ]
	check "rendered with components/dns-ping: the headless Service lists nodes that are not ready" \
		[ "$(yaml_get "$tmp/rendered-dns.yaml" Service "$kc_run-keycloak-headless" \
			"d['spec']['clusterIP'], d['spec']['publishNotReadyAddresses']")" = "('None', True)" ]
else
	CHECK_DETAIL=$tmp/err fail "${renderer[*]} renders with components/dns-ping"
fi

# 2. Validation against Kubernetes' own schemas, unknown fields refused.
# A misspelt field must fail it, or a pass proves nothing.
sed 's/^\( *\)readinessProbe:/\1readinesProbe:/' "$tmp/rendered.yaml" >"$tmp/misspelt.yaml"
for v in $validate_versions; do
	for f in rendered rendered-dns; do
		if "$validate" --strict --quiet -k "$v" "$tmp/$f.yaml" >"$tmp/err" 2>&1; then
			ok "$f.yaml passes kubernetes-validate --strict for Kubernetes $v"
		else
			CHECK_DETAIL=$tmp/err fail "$f.yaml passes kubernetes-validate --strict for Kubernetes $v"
		fi
	done
	check "kubernetes-validate --strict refuses a misspelt field (readinesProbe) for $v" \
		fails "$validate" --strict --quiet -k "$v" "$tmp/misspelt.yaml" >/dev/null 2>&1
done

# 3. What podman 4.3 takes (see the top of this file), and the names of
# what it will make.
kube_for_podman() {
	mkdir "$tmp/emptydir"
	"$python" - "$tmp/rendered.yaml" "$tmp/play.yaml" "$tmp/podman-names" "$tmp/probes" \
		"$tmp/emptydir" <<'EOF'
import base64, copy, os, sys, yaml

src, dst, names_file, probes_file, dirs = sys.argv[1:]
out, names, probes = [], [], []

def pod(name, template):
    """A Pod of the template: its emptyDirs directories of its own,
    without ports, without probes (recorded: pod container kind path
    port)."""
    spec = copy.deepcopy(template["spec"])
    for v in spec.get("volumes", []):
        if "emptyDir" in v:
            path = os.path.join(dirs, "%s-%s" % (name, v["name"]))
            os.mkdir(path)
            os.chmod(path, 0o777)
            del v["emptyDir"]
            v["hostPath"] = {"path": path, "type": "Directory"}
    for c in spec["containers"]:
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            p = c.pop(kind, None)
            if p and "httpGet" in p:
                port = p["httpGet"]["port"]
                q = [q for q in c["ports"] if port in (q.get("name"), q["containerPort"])][0]
                probes.append((name, c["name"], kind, p["httpGet"]["path"], q["containerPort"]))
        c.pop("ports", None)
        names.append(("container", "%s-%s" % (name, c["name"])))
    names.append(("pod", name))
    meta = {"name": name, "labels": template["metadata"].get("labels", {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}

for d in yaml.safe_load_all(open(src)):
    if not d:
        continue
    kind, name = d["kind"], d["metadata"]["name"]
    if kind == "Secret":
        d["data"] = {k: base64.b64decode(v).decode() for k, v in d["data"].items()}
        names += [("secret", name), ("volume", name)]
        out.append(d)
    elif kind == "Deployment":
        out += [pod("%s-%d" % (name, i), d["spec"]["template"]) for i in range(d["spec"]["replicas"])]
    elif kind == "StatefulSet":
        p = pod(d["spec"]["serviceName"], d["spec"]["template"])
        for t in d["spec"].get("volumeClaimTemplates", []):
            claim = "%s-%s-0" % (t["metadata"]["name"], name)
            out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                        "metadata": {"name": claim}, "spec": t["spec"]})
            p["spec"].setdefault("volumes", []).append(
                {"name": t["metadata"]["name"], "persistentVolumeClaim": {"claimName": claim}})
            names.append(("volume", claim))
        out.append(p)
    else:
        out.append(d)

yaml.safe_dump_all(out, open(dst, "w"), sort_keys=False)
with open(names_file, "w") as f:
    f.writelines("%s %s\n" % n for n in names)
with open(probes_file, "w") as f:
    f.writelines(" ".join(map(str, p)) + "\n" for p in probes)
EOF
}
if kube_for_podman 2>"$tmp/err"; then
	ok "the render, as podman 4.3 takes it: StatefulSet as a Pod with its claim, 2 replicas as 2 Pods, emptyDirs as 0777 directories, no ports, probes sent by the test, Secret data decoded once; Services and the budget ignored by podman"
else
	CHECK_DETAIL=$tmp/err fail "the render, as podman 4.3 takes it"
	exit 1
fi

# 4. The play.
engine_network_create "$kc_network"
played=$tmp/play.yaml
start=$SECONDS
if engine kube play --network "$kc_network" "$played" >"$tmp/out" 2>"$tmp/err"; then
	ok "podman kube play of the rendered manifests"
else
	CHECK_DETAIL=$tmp/err fail "podman kube play of the rendered manifests"
	exit 1
fi
# podman 4.3's play says this about its own log hook whatever it plays;
# any other line is a complaint about the manifests.
grep -vxF 'failed to connect to syslog: Initialization' "$tmp/err" >"$tmp/err-other" || true
CHECK_DETAIL=$tmp/err-other check "podman kube play says nothing else on stderr" [ ! -s "$tmp/err-other" ]

db_pod=$kc_run-postgres
db_container=$db_pod-postgres
nodes=("$kc_run-keycloak-0" "$kc_run-keycloak-1")
for p in "$db_pod" "${nodes[@]}"; do
	check "pod $p is running" [ "$(engine pod inspect --format '{{.State}}' "$p" 2>/dev/null)" = Running ]
done
# The server that takes TCP connections, not the initialisation's own.
if engine_wait_log "$db_container" 'listening on IPv4 address "0.0.0.0", port 5432' 120; then
	ok "PostgreSQL listens after $((SECONDS - start))s"
else
	fail "PostgreSQL listens on 5432"
fi

# The kubelet's probes, sent by the test: every httpGet probe of the
# manifest, on the pod's address, 200 within the boot time.
while read -r p c kind path port; do
	remaining=$((boot_timeout - (SECONDS - start)))
	[ "$remaining" -gt 10 ] || remaining=10
	ip=$(engine_ip "$p-$c" "$kc_network")
	if http_wait_200 "$p $kind" "$p-$c" "$start" "$remaining" "http://$ip:$port$path"; then
		ok "$p: $kind GET :$port$path answers 200"
	else
		fail "$p: $kind GET :$port$path answers 200"
	fi
	management=$ip:$port
done <"$tmp/probes"
check "the manifest's Keycloak probes were read (startup, readiness, liveness on both pods)" \
	[ "$(wc -l <"$tmp/probes")" = 6 ]
code=$(http_code "http://${management:-0}/health/not-a-check")
check "the management port refuses an unknown path ($code)" [ "$code" != 200 ]
engine pod inspect --format '{{json .InfraConfig.PortBindings}}' "$db_pod" "${nodes[@]}" \
	>"$tmp/bindings" 2>&1 || true
check "podman published no port on the host ($(sort -u "$tmp/bindings" | tr '\n' ' '))" \
	fails grep -q HostPort "$tmp/bindings"

# One cluster of the two pods: each node's newest view has both.
for p in "${nodes[@]}"; do
	view=$(kc_wait_view "${p#"$kc_run"-}-keycloak" 2 120 || true)
	case $view in
	"2 ${nodes[0]}, ${nodes[1]}" | "2 ${nodes[1]}, ${nodes[0]}")
		ok "$p sees the two-member view ($view)" ;;
	*) fail "$p sees the two-member view of both pods (last: ${view:-none})" ;;
	esac
done

# The admin, with the password of the Secret's file, under one host name
# for both nodes (Keycloak binds a token to the URL it was issued under), as
# behind the Service.
admin_token() {
	curl --silent --max-time 30 --connect-to "$kc_host:8080:$(engine_ip "$1-keycloak" "$kc_network"):8080" \
		--data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
		--data-urlencode "username=$kc_admin_user" --data-urlencode "password=$2" \
		"http://$kc_host:8080/realms/master/protocol/openid-connect/token" |
		sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
token=$(admin_token "${nodes[0]}" "$kc_admin_password" || true)
check "node 1 gives the admin a token with the password from secrets/admin-password" [ -n "$token" ]
check "node 1 gives no token for another password" \
	[ -z "$(admin_token "${nodes[0]}" "not-$kc_admin_password" || true)" ]
code=$(http_code "http://$kc_host:8080/admin/realms/master" \
	--connect-to "$kc_host:8080:$(engine_ip "${nodes[1]}-keycloak" "$kc_network"):8080" \
	-H "Authorization: Bearer $token")
check "node 2's admin API accepts node 1's token ($code)" [ "$code" = 200 ]

# The security context as the engine applied it, and as the processes see
# it.
want_user() {
	yaml_get "$tmp/rendered.yaml" "$1" "$2" \
		"'%s:%s' % (d['spec']['template']['spec']['securityContext']['runAsUser'], d['spec']['template']['spec']['securityContext']['runAsGroup'])"
}
# The uid could not write to / anyway: the mount says it.
root_read_only() {
	engine exec "$1" cat /proc/mounts 2>/dev/null | awk '$2 == "/" { print $4 }' |
		grep -Eq '^ro(,|$)'
}
kc_user=$(want_user Deployment "$kc_run-keycloak")
db_user=$(want_user StatefulSet "$kc_run-postgres")
for c in "$db_container" "${nodes[0]}-keycloak" "${nodes[1]}-keycloak"; do
	want=$kc_user
	[ "$c" != "$db_container" ] || want=$db_user
	engine container inspect --format '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.SecurityOpt}}' \
		"$c" >"$tmp/inspect" 2>&1 || true
	read -r user ro secopt <"$tmp/inspect" || true
	check "$c: podman inspect: user $want (got $user)" [ "$user" = "$want" ]
	check "$c: podman inspect: read-only root filesystem ($ro)" [ "$ro" = true ]
	check "$c: podman inspect: no new privileges ($secopt)" grep -q no-new-privileges <<<"$secopt"
	engine exec "$c" cat /proc/1/status >"$tmp/status" 2>&1 || true
	check "$c: process 1 runs as uid ${want%:*}, gid 0" \
		grep -Eq "Uid:\s+${want%:*}\s.*Gid:\s+0\s" <(tr '\n' ' ' <"$tmp/status")
	check "$c: process 1 has no capabilities" grep -Eq '^CapEff:\s+0+$' "$tmp/status"
	check "$c: / is mounted read-only (/proc/mounts)" root_read_only "$c"
done

# 5. Down: what was played, then the names it made.
elapsed=$((SECONDS - start))
echo "timing: play to checked cluster ${elapsed}s"
tear_down >/dev/null
played=""
left_behind >"$tmp/left" || true
CHECK_DETAIL=$tmp/left check "podman kube down and the clean-up leave nothing of this run" [ ! -s "$tmp/left" ]
: >"$tmp/podman-names"
