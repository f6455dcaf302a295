# syntax=docker/dockerfile:1
# Keycloak for a cluster on PostgreSQL, in two generations; the build
# argument KEYCLOAK_GENERATION chooses which one the image holds:
#   26      (default) Keycloak 26, the Quarkus distribution, on Java 25
#   legacy  Keycloak 19.0.1, the WildFly-based distribution, on Java 11
#
# Stages, each named for what it produces:
#   entrypoint          the static keycloak-ha-postgres program (same text as
#                       in Dockerfile.postgres, so both builds share its layers)
#   java-26             Debian 13 with Java 25: the runtime of generation 26,
#                       and the JVM its build step runs on
#   keycloak-26         /opt/keycloak: the pinned Quarkus distribution, built
#                       (kc.sh build) for PostgreSQL, health and metrics
#   keycloak-ha-26      the runtime: java-26, the distribution, the program
#   keycloak-legacy     /opt/keycloak: the pinned WildFly-based distribution
#                       with the PostgreSQL JDBC driver as module
#                       org.postgresql.jdbc
#   keycloak-ha-legacy  the runtime: Java 11, the distribution, the program
#   keycloak-ha         the last stage: keycloak-ha-KEYCLOAK_GENERATION
# An engine that skips unused stages (BuildKit, buildah) builds only the
# chosen generation's.
#
# Build: docker build --tag myrepo/keycloak-ha-postgres .
#        docker build --build-arg KEYCLOAK_GENERATION=legacy ...  (19.0.1)
# (Dockerfile is a copy of this file, checked by tests/unit/lint.sh.)
# Versions and checksums come from build/versions through build/fetch; the
# *_URL/*_SHA256 arguments replace a pin for one build (both must be given).
# Files in out/sources/ of the build context (put there by `make`) are used
# instead of downloads when their checksums match; downloads follow the
# MAVEN_REPOSITORY and DEBIAN_MIRROR arguments (`make help`).

ARG KEYCLOAK_GENERATION=26
ARG BUILD_IMAGE=docker.io/library/debian:bookworm-slim
# Debian 13: the Java of generation 26 (openjdk-25-jre-headless).
ARG RUNTIME_IMAGE=docker.io/library/debian:trixie-slim
# Debian 11 is the last Debian with Java 11, the Java the legacy Keycloak
# line shipped with.
ARG LEGACY_RUNTIME_IMAGE=docker.io/library/debian:bullseye-slim
# The version labels of the images. Each build checks its own against the
# version.txt of the distribution it unpacked; make passes the versions of
# build/versions, where the pins are.
ARG KEYCLOAK_VERSION=26.7.3
ARG KEYCLOAK_LEGACY_VERSION=19.0.1

FROM ${BUILD_IMAGE} AS entrypoint
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		gcc libc6-dev make perl curl ca-certificates bzip2 xz-utils file \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /build/src
COPY build/ build/
# Pre-fetched sources (out/sources, filled by `make fetch`) replace
# downloads. The brackets make each pattern optional; build/versions is named
# too because buildah and the classic builder refuse a COPY whose every
# pattern matches nothing.
COPY build/versions out/source[s]/musl-* out/source[s]/openssl-* \
	out/source[s]/libconfig-* out/source[s]/postgresql-*.tar.* /build/sources/
# The libraries first, from build/ alone, so that a change to the program or
# the Makefile does not rebuild them. A download follows DEBIAN_MIRROR (empty:
# this image's apt sources; see build/debian-mirror).
ARG DEBIAN_MIRROR=
RUN SOURCES_DIR=/build/sources make -f build/deps.mk deps OUT=/build/out
COPY Makefile ./
COPY entrypoint/ entrypoint/
RUN make entrypoint OUT=/build/out \
	&& /build/out/bin/keycloak-ha-postgres --version

# Java 25 rather than 21 (what Keycloak's own image uses): Keycloak supports
# Java 25 from 26.6 on, and Java 25's ahead-of-time cache (JEP 483, with
# JEP 514's simpler training run) can shorten the server's start.
# The distribution is built on this stage too, so that the build and the
# runtime use the same JVM (an AOT cache only works with the JVM that made it).
FROM ${RUNTIME_IMAGE} AS java-26
ARG JAVA_PACKAGE=openjdk-25-jre-headless
# Debian's slim images leave out /usr/share/man, and the JRE's postinst
# fails registering its man pages without man1 (Debian bug #863199).
RUN mkdir -p /usr/share/man/man1 \
	&& apt-get update \
	&& apt-get install -y --no-install-recommends "$JAVA_PACKAGE" \
	&& apt-get clean \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --uid 1000 --gid 0 --home-dir /opt/keycloak --no-create-home \
		--shell /usr/sbin/nologin keycloak

FROM java-26 AS keycloak-26
RUN apt-get update \
	&& apt-get install -y --no-install-recommends curl ca-certificates \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /build/src
COPY build/ build/
COPY build/versions out/source[s]/keycloak-quarkus-dist-* /build/sources/
ARG KEYCLOAK_URL=
ARG KEYCLOAK_SHA256=
ARG MAVEN_REPOSITORY=
ARG KEYCLOAK_VERSION
# A later NAME=value line in build/versions overrides the pin above it.
# The tarball's files belong to uid 1001: unpacked as root's, read-only to
# the server.
RUN set -eu; \
	if [ -n "$KEYCLOAK_URL$KEYCLOAK_SHA256" ]; then \
		[ -n "$KEYCLOAK_URL" ] && [ -n "$KEYCLOAK_SHA256" ] \
			|| { echo "KEYCLOAK_URL and KEYCLOAK_SHA256 go together" >&2; exit 1; }; \
		printf 'KEYCLOAK_URL=%s\nKEYCLOAK_SHA256=%s\n' "$KEYCLOAK_URL" "$KEYCLOAK_SHA256" >>build/versions; \
	fi; \
	SOURCES_DIR=/build/sources build/fetch KEYCLOAK /build/downloads/keycloak; \
	mkdir -p /opt/keycloak; \
	tar -xzf /build/downloads/keycloak/* -C /opt/keycloak --strip-components=1 --no-same-owner; \
	rm -rf /build/downloads; \
	grep -qx "Keycloak - Version $KEYCLOAK_VERSION" /opt/keycloak/version.txt \
		|| { echo "$(cat /opt/keycloak/version.txt), not $KEYCLOAK_VERSION: set the build" \
			"argument KEYCLOAK_VERSION to the version of the distribution" >&2; exit 1; }
# Keycloak's build-time options are fixed here, once, by the distribution's
# own build step (it writes lib/quarkus/ only), so that every start is an
# optimised start (start --optimized): a database vendor, health and metrics
# on the management port, and the features chosen with these arguments
# (comma-separated, as for kc.sh's --features and --features-disabled).
ARG KEYCLOAK_FEATURES=
ARG KEYCLOAK_FEATURES_DISABLED=
RUN set -eu; \
	set -- --db=postgres --health-enabled=true --metrics-enabled=true; \
	[ -z "$KEYCLOAK_FEATURES" ] || set -- "$@" "--features=$KEYCLOAK_FEATURES"; \
	[ -z "$KEYCLOAK_FEATURES_DISABLED" ] || set -- "$@" "--features-disabled=$KEYCLOAK_FEATURES_DISABLED"; \
	/opt/keycloak/bin/kc.sh build "$@"; \
	test -f /opt/keycloak/lib/quarkus/generated-bytecode.jar

FROM java-26 AS keycloak-ha-26
COPY --from=keycloak-26 /opt/keycloak /opt/keycloak
COPY --from=entrypoint /build/out/bin/keycloak-ha-postgres /usr/local/bin/keycloak-ha-postgres
# The state directory: all the server writes (its configuration, the
# transaction log, java.io.tmpdir), filled by the entrypoint at every start,
# so that /opt/keycloak stays read-only and one volume or tmpfs here is all
# a read-only root needs. Group 0 may write, for an arbitrary uid (as some
# platforms assign); nobody else may look inside. The distribution's data/
# is this directory too: Keycloak writes some files there whatever its
# options say (data/tmp, where it keeps the compressed resources the
# consoles are served from).
RUN install -d -o 1000 -g 0 -m 0770 /var/lib/keycloak \
	&& ln -s /var/lib/keycloak /opt/keycloak/data
ENV KEYCLOAK_HOME=/opt/keycloak \
	KEYCLOAK_STATE_DIR=/var/lib/keycloak
WORKDIR /opt/keycloak
USER 1000
# HTTP, management (health, metrics), JGroups TCP, JGroups FD_SOCK2.
EXPOSE 8080 9000 7800 57800
# The engine's health check: the entrypoint's own program asks the server's
# readiness endpoint (GET /health/ready on the management port, with the
# port, path and TLS the settings give it), so no curl and no shell are
# needed. A first boot (the schema created) takes 60 to 90 s on two cores.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
	CMD ["/usr/local/bin/keycloak-ha-postgres", "health"]
ARG RUNTIME_IMAGE
ARG KEYCLOAK_VERSION
LABEL org.opencontainers.image.title="keycloak-ha-postgres" \
	org.opencontainers.image.description="Clustered Keycloak 26 (Quarkus distribution) on PostgreSQL" \
	org.opencontainers.image.licenses="Apache-2.0" \
	org.opencontainers.image.version="${KEYCLOAK_VERSION}" \
	org.opencontainers.image.base.name="${RUNTIME_IMAGE}" \
	keycloak-ha-postgres.generation="26"
ENTRYPOINT ["/usr/local/bin/keycloak-ha-postgres"]
CMD ["run"]

FROM ${BUILD_IMAGE} AS keycloak-legacy
RUN apt-get update \
	&& apt-get install -y --no-install-recommends curl ca-certificates \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /build/src
COPY build/ build/
COPY build/versions out/source[s]/keycloak-server-dist-* out/source[s]/postgresql-*.jar /build/sources/
ARG KEYCLOAK_LEGACY_URL=
ARG KEYCLOAK_LEGACY_SHA256=
ARG PGJDBC_URL=
ARG PGJDBC_SHA256=
ARG MAVEN_REPOSITORY=
ARG KEYCLOAK_LEGACY_VERSION
# A later NAME=value line in build/versions overrides the pin above it.
RUN set -eu; \
	for name in KEYCLOAK_LEGACY PGJDBC; do \
		eval "url=\${${name}_URL} sha256=\${${name}_SHA256}"; \
		if [ -n "$url$sha256" ]; then \
			[ -n "$url" ] && [ -n "$sha256" ] \
				|| { echo "${name}_URL and ${name}_SHA256 go together" >&2; exit 1; }; \
			printf '%s_URL=%s\n%s_SHA256=%s\n' "$name" "$url" "$name" "$sha256" >>build/versions; \
		fi; \
	done; \
	export SOURCES_DIR=/build/sources; \
	build/fetch KEYCLOAK_LEGACY /build/downloads/keycloak; \
	build/fetch PGJDBC /build/downloads/pgjdbc; \
	mkdir -p /opt/keycloak; \
	tar -xzf /build/downloads/keycloak/* -C /opt/keycloak --strip-components=1 --no-same-owner; \
	install -D -m 0644 /build/downloads/pgjdbc/* \
		/opt/keycloak/modules/org/postgresql/jdbc/main/postgres-jdbc.jar; \
	grep -qx "Keycloak - Version $KEYCLOAK_LEGACY_VERSION" /opt/keycloak/version.txt \
		|| { echo "$(cat /opt/keycloak/version.txt), not $KEYCLOAK_LEGACY_VERSION: set the build" \
			"argument KEYCLOAK_LEGACY_VERSION to the version of the distribution" >&2; exit 1; }
COPY images/keycloak/module.xml /opt/keycloak/modules/org/postgresql/jdbc/main/module.xml
# standalone-ha.xml.dist is the pristine file the entrypoint renders
# standalone-ha.xml from at every start.
RUN set -eu; \
	cd /opt/keycloak/standalone; \
	cp -p configuration/standalone-ha.xml configuration/standalone-ha.xml.dist; \
	mkdir -p data log tmp deployments; \
	chmod 0644 /opt/keycloak/modules/org/postgresql/jdbc/main/module.xml

FROM ${LEGACY_RUNTIME_IMAGE} AS keycloak-ha-legacy
ARG LEGACY_RUNTIME_IMAGE
ARG JAVA_PACKAGE=openjdk-11-jre-headless
# Debian's slim images leave out /usr/share/man, and the JRE's postinst
# fails registering its man pages without man1 (Debian bug #863199).
RUN mkdir -p /usr/share/man/man1 \
	&& apt-get update \
	&& apt-get install -y --no-install-recommends "$JAVA_PACKAGE" \
	&& apt-get clean \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --uid 1000 --gid 0 --home-dir /opt/keycloak --no-create-home \
		--shell /usr/sbin/nologin keycloak
COPY --from=keycloak-legacy /opt/keycloak /opt/keycloak
COPY --from=entrypoint /build/out/bin/keycloak-ha-postgres /usr/local/bin/keycloak-ha-postgres
# The server writes to these directories as uid 1000; group 0 gets the same
# rights so that an arbitrary uid with gid 0 (as some platforms assign) can
# run it too. Set here, not in the keycloak stage, so the result does not
# depend on how an engine's COPY --from treats owners; the layer is small.
RUN cd /opt/keycloak/standalone \
	&& chown -R 1000:0 configuration data log tmp deployments \
	&& chmod -R g+rwX configuration data log tmp deployments
# The state directory: all the server writes (configuration, data, log,
# tmp), filled by the entrypoint at every start, so that /opt/keycloak can
# stay read-only and one volume or tmpfs here is all a read-only root needs.
# Group 0 may write, for an arbitrary uid; nobody else may look inside.
RUN install -d -o 1000 -g 0 -m 0770 /var/lib/keycloak
ENV KEYCLOAK_HOME=/opt/keycloak
ENV KEYCLOAK_STATE_DIR=/var/lib/keycloak
WORKDIR /opt/keycloak
USER 1000
# HTTP, JGroups TCP, JGroups FD_SOCK.
EXPOSE 8080 7600 57600
# The engine's health check: the entrypoint's own program asks for the
# master realm on the HTTP listener (BIND, port 8080), which answers 200
# once Keycloak is deployed. A first boot takes about 40 s on two cores.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
	CMD ["/usr/local/bin/keycloak-ha-postgres", "health"]
ARG KEYCLOAK_LEGACY_VERSION
LABEL org.opencontainers.image.title="keycloak-ha-postgres" \
	org.opencontainers.image.description="Clustered Keycloak (WildFly-based distribution) on PostgreSQL" \
	org.opencontainers.image.licenses="Apache-2.0" \
	org.opencontainers.image.version="${KEYCLOAK_LEGACY_VERSION}" \
	org.opencontainers.image.base.name="${LEGACY_RUNTIME_IMAGE}" \
	keycloak-ha-postgres.generation="legacy"
ENTRYPOINT ["/usr/local/bin/keycloak-ha-postgres"]
CMD ["run"]

# ":-26" repeats the default of KEYCLOAK_GENERATION for buildah 1.28 (Debian
# 12's podman), which finds the stages a build needs from the build
# arguments given on its command line only: without it, a build with no
# --build-arg skips every stage and looks for an image "keycloak-ha-".
FROM keycloak-ha-${KEYCLOAK_GENERATION:-26} AS keycloak-ha
