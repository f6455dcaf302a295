# syntax=docker/dockerfile:1
# Keycloak (WildFly-based server distribution) for a cluster on PostgreSQL.
#
# Stages, each named for what it produces:
#   entrypoint   the static keycloak-ha-postgres program (same text as in
#                Dockerfile.postgres, so both builds share its layers)
#   keycloak     /opt/keycloak: the pinned distribution with the PostgreSQL
#                JDBC driver as module org.postgresql.jdbc
#   keycloak-ha  the runtime: Java, the distribution, the program
#
# Build: docker build --tag myrepo/keycloak-ha-postgres .
# (Dockerfile is a copy of this file, checked by tests/unit/lint.sh.)
# Versions and checksums come from build/versions through build/fetch; the
# *_URL/*_SHA256 arguments replace a pin for one build (both must be given).
# Files in out/sources/ of the build context (put there by `make`) are used
# instead of downloads when their checksums match; downloads follow the
# MAVEN_REPOSITORY and DEBIAN_MIRROR arguments (`make help`).

ARG BUILD_IMAGE=docker.io/library/debian:bookworm-slim
# Debian 11 is the last Debian with Java 11, the Java this Keycloak line
# shipped with.
ARG RUNTIME_IMAGE=docker.io/library/debian:bullseye-slim

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

FROM ${BUILD_IMAGE} AS keycloak
RUN apt-get update \
	&& apt-get install -y --no-install-recommends curl ca-certificates \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /build/src
COPY build/ build/
COPY build/versions out/source[s]/keycloak-* out/source[s]/postgresql-*.jar /build/sources/
ARG KEYCLOAK_URL=
ARG KEYCLOAK_SHA256=
ARG PGJDBC_URL=
ARG PGJDBC_SHA256=
ARG MAVEN_REPOSITORY=
# A later NAME=value line in build/versions overrides the pin above it.
RUN set -eu; \
	for name in KEYCLOAK PGJDBC; do \
		eval "url=\${${name}_URL} sha256=\${${name}_SHA256}"; \
		if [ -n "$url$sha256" ]; then \
			[ -n "$url" ] && [ -n "$sha256" ] \
				|| { echo "${name}_URL and ${name}_SHA256 go together" >&2; exit 1; }; \
			printf '%s_URL=%s\n%s_SHA256=%s\n' "$name" "$url" "$name" "$sha256" >>build/versions; \
		fi; \
	done; \
	export SOURCES_DIR=/build/sources; \
	build/fetch KEYCLOAK /build/downloads/keycloak; \
	build/fetch PGJDBC /build/downloads/pgjdbc; \
	mkdir -p /opt/keycloak; \
	tar -xzf /build/downloads/keycloak/* -C /opt/keycloak --strip-components=1 --no-same-owner; \
	install -D -m 0644 /build/downloads/pgjdbc/* \
		/opt/keycloak/modules/org/postgresql/jdbc/main/postgres-jdbc.jar
COPY images/keycloak/module.xml /opt/keycloak/modules/org/postgresql/jdbc/main/module.xml
# standalone-ha.xml.dist is the pristine file the entrypoint renders
# standalone-ha.xml from at every start.
RUN set -eu; \
	cd /opt/keycloak/standalone; \
	cp -p configuration/standalone-ha.xml configuration/standalone-ha.xml.dist; \
	mkdir -p data log tmp deployments; \
	chmod 0644 /opt/keycloak/modules/org/postgresql/jdbc/main/module.xml

FROM ${RUNTIME_IMAGE} AS keycloak-ha
ARG RUNTIME_IMAGE
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
COPY --from=keycloak /opt/keycloak /opt/keycloak
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
LABEL org.opencontainers.image.title="keycloak-ha-postgres" \
	org.opencontainers.image.description="Clustered Keycloak (WildFly-based distribution) on PostgreSQL" \
	org.opencontainers.image.licenses="Apache-2.0" \
	org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
ENTRYPOINT ["/usr/local/bin/keycloak-ha-postgres"]
CMD ["run"]
