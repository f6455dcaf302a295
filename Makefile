# keycloak-ha-postgres: the one entry point for people and CI.
# `make help` lists the targets and the variables a user sets.

OUT ?= out
include build/versions

VERSION ?= 0.1.0
REGISTRY ?= localhost
KEYCLOAK_IMAGE_NAME ?= keycloak-ha-postgres
POSTGRES_IMAGE_NAME ?= keycloak-ha-postgres-db
BALANCER_IMAGE_NAME ?= keycloak-ha-postgres-balancer
TAG ?= $(VERSION)
# Keycloak 26 under TAG, the legacy generation (19.0.1) under TAG-legacy.
KEYCLOAK_IMAGE ?= $(if $(REGISTRY),$(REGISTRY)/)$(KEYCLOAK_IMAGE_NAME):$(TAG)
KEYCLOAK_LEGACY_IMAGE ?= $(if $(REGISTRY),$(REGISTRY)/)$(KEYCLOAK_IMAGE_NAME):$(TAG)-legacy
POSTGRES_IMAGE ?= $(if $(REGISTRY),$(REGISTRY)/)$(POSTGRES_IMAGE_NAME):$(TAG)
BALANCER_IMAGE ?= $(if $(REGISTRY),$(REGISTRY)/)$(BALANCER_IMAGE_NAME):$(TAG)
# docker or podman; podman is preferred when both are there. Detected when
# a recipe runs, not when this file is read: `make test` and `make cluster`
# may install podman first.
ENGINE ?=
ENGINE_CMD = $(or $(ENGINE),$(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker))
BUILD_FLAGS ?=
PUSH_FLAGS ?=
# Keycloak 26's features, fixed when the image is built (kc.sh build
# --features / --features-disabled; comma-separated).
KEYCLOAK_FEATURES ?=
KEYCLOAK_FEATURES_DISABLED ?=
# Where downloads come from (build/fetch, the base images of the tests): a
# Maven repository (empty: https://repo1.maven.org/maven2, then mvn with its
# own settings) and a Debian mirror (default: this machine's apt sources).
MAVEN_REPOSITORY ?=
ifeq ($(origin DEBIAN_MIRROR),undefined)
DEBIAN_MIRROR := $(shell build/debian-mirror)
endif

# podman writes OCI images by default, which have no HEALTHCHECK; the
# images' health checks need the Docker format (docker ignores this).
BUILDAH_FORMAT ?= docker

export BUILDAH_FORMAT OUT ENGINE KEYCLOAK_IMAGE KEYCLOAK_LEGACY_IMAGE POSTGRES_IMAGE BALANCER_IMAGE VERSION MAVEN_REPOSITORY \
	DEBIAN_MIRROR

.DEFAULT_GOAL := all
.PHONY: all help entrypoint dist test-build images keycloak-image keycloak-legacy-image \
	postgres-image balancer-image push fetch \
	test test-unit test-integration test-e2e cluster cluster-down host-setup clean \
	fuzz fuzz-build bench

all: entrypoint images

help:
	@echo "Targets:"
	@echo "  make                 build the entrypoint and the four images (default)"
	@echo "  make entrypoint      build only the static binary: $(OUT)/bin/keycloak-ha-postgres"
	@echo "  make images          build and tag the four images: Keycloak $(KEYCLOAK_VERSION),"
	@echo "                       Keycloak $(KEYCLOAK_LEGACY_VERSION) (legacy), PostgreSQL and the balancer"
	@echo "  make keycloak-image | keycloak-legacy-image | postgres-image | balancer-image"
	@echo "                       one of them"
	@echo "  make push            push the four images to REGISTRY"
	@echo "  make fetch           download and verify every pinned input into $(OUT)/sources"
	@echo "                       (then image builds need no network for them)"
	@echo "  make cluster         start PostgreSQL, two Keycloak 26 nodes and the balancer in front,"
	@echo "                       one URL: http://127.0.0.1:8080/ (NODES=N nodes; GENERATION=legacy: 19.0.1)"
	@echo "  make cluster-down    stop and remove them"
	@echo "  make test            every test: unit, integration, images and a real cluster"
	@echo "  make test-unit | test-integration | test-e2e"
	@echo "  make fuzz            run every fuzzer for FUZZ_SECONDS (default $(FUZZ_SECONDS)) each"
	@echo "  make bench           measure against the approaches in use (baselines built"
	@echo "                       from the same distribution); writes BENCHMARKS.md"
	@echo "  make clean"
	@echo ""
	@echo "Variables (current value):"
	@echo "  REGISTRY=$(REGISTRY)"
	@echo "  KEYCLOAK_IMAGE_NAME=$(KEYCLOAK_IMAGE_NAME)"
	@echo "  POSTGRES_IMAGE_NAME=$(POSTGRES_IMAGE_NAME)"
	@echo "  BALANCER_IMAGE_NAME=$(BALANCER_IMAGE_NAME)"
	@echo "  TAG=$(TAG)"
	@echo "  -> KEYCLOAK_IMAGE=$(KEYCLOAK_IMAGE)  (Keycloak $(KEYCLOAK_VERSION))"
	@echo "  -> KEYCLOAK_LEGACY_IMAGE=$(KEYCLOAK_LEGACY_IMAGE)  (Keycloak $(KEYCLOAK_LEGACY_VERSION))"
	@echo "  -> POSTGRES_IMAGE=$(POSTGRES_IMAGE)"
	@echo "  -> BALANCER_IMAGE=$(BALANCER_IMAGE)  (HAProxy)"
	@echo "  KEYCLOAK_FEATURES=$(KEYCLOAK_FEATURES)  (features of Keycloak $(KEYCLOAK_VERSION) to enable, fixed"
	@echo "                          at build time; comma-separated, as kc.sh build --features)"
	@echo "  KEYCLOAK_FEATURES_DISABLED=$(KEYCLOAK_FEATURES_DISABLED)  (features to disable, likewise)"
	@echo "  ENGINE=$(ENGINE_CMD)        (docker or podman)"
	@echo "  BUILD_FLAGS=$(BUILD_FLAGS)   (extra flags for '$(ENGINE_CMD) build', e.g. --pull=never)"
	@echo "  PUSH_FLAGS=$(PUSH_FLAGS)    (extra flags for '$(ENGINE_CMD) push', e.g. --tls-verify=false)"
	@echo "  SOURCES_DIR=            (a directory with the pinned tarballs, for offline builds)"
	@echo "  MAVEN_REPOSITORY=$(MAVEN_REPOSITORY)  (Maven repository for Keycloak and the JDBC driver;"
	@echo "                          empty: https://repo1.maven.org/maven2, then mvn through"
	@echo "                          its own settings, ~/.m2/settings.xml)"
	@echo "  DEBIAN_MIRROR=$(DEBIAN_MIRROR)  (Debian mirror for the .orig tarballs and the"
	@echo "                          base images; default: the first Debian entry of this"
	@echo "                          machine's apt sources, else http://deb.debian.org/debian)"
	@echo "  OUT=$(OUT)"
	@echo "Pinned: Keycloak $(KEYCLOAK_VERSION) (Quarkus distribution, the default),"
	@echo "        Keycloak $(KEYCLOAK_LEGACY_VERSION) (WildFly-based, legacy) with PostgreSQL JDBC $(PGJDBC_VERSION),"
	@echo "        musl $(MUSL_VERSION), OpenSSL $(OPENSSL_VERSION), libconfig $(LIBCONFIG_VERSION),"
	@echo "        libpq from PostgreSQL $(POSTGRESQL_VERSION)  (build/versions)"
	@echo "Without make: the build argument KEYCLOAK_GENERATION of Dockerfile.keycloak-ha"
	@echo "chooses the generation: 26 (default) or legacy."

# ---------------------------------------------------------------------------
# The entrypoint, static with musl.

include build/deps.mk

ENTRYPOINT_SRCS := $(filter-out entrypoint/main.c,$(wildcard entrypoint/*.c))
ENTRYPOINT_HDRS := $(wildcard entrypoint/*.h)
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -Wpointer-arith -Wundef
CSTD := -std=c11 -D_GNU_SOURCE -DKHP_VERSION='"$(VERSION)"'
STATIC_CFLAGS := $(CSTD) $(WARNINGS) -Os -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
	-ffunction-sections -fdata-sections
STATIC_LDFLAGS := -static -Wl,--gc-sections -s

entrypoint: $(OUT)/bin/keycloak-ha-postgres

$(OUT)/bin/keycloak-ha-postgres: entrypoint/main.c $(ENTRYPOINT_SRCS) $(ENTRYPOINT_HDRS) $(DEPS)/.stamp
	@mkdir -p $(@D)
	$(DEPS_CC) $(STATIC_CFLAGS) $(DEPS_CPPFLAGS) -o $@ entrypoint/main.c $(ENTRYPOINT_SRCS) \
		$(STATIC_LDFLAGS) $(DEPS_LDLIBS)

# The same sources built with the host compiler and Debian's libraries,
# under AddressSanitizer and UndefinedBehaviorSanitizer, for the tests.
HOST_CC ?= gcc
HOST_CFLAGS := $(CSTD) $(WARNINGS) -g -O1 -fno-omit-frame-pointer
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
, := ,
HOST_LIBCONFIG := $(OUT)/host-libconfig/gcc
HOST_LIBS := $(HOST_LIBCONFIG)/lib/libconfig.a -lpq -lcrypto -lssl
HOST_INCLUDES = -I$(HOST_LIBCONFIG)/include -I$(shell pg_config --includedir)

# libconfig as pinned, built with a host compiler: the tests and fuzzers
# parse exactly as the static program does (a distribution's libconfig may
# be an older release). $(call host_libconfig,NAME,CC,CFLAGS)
define host_libconfig
$(OUT)/host-libconfig/$(1)/lib/libconfig.a: $(deps_libconfig_tarball)
	@echo "host: libconfig $(LIBCONFIG_VERSION) ($(1))"
	@rm -rf $(OUT)/host-libconfig/$(1) && mkdir -p $(OUT)/host-libconfig/$(1)/src
	@tar -C $(OUT)/host-libconfig/$(1)/src -xzf $$< --strip-components=1
	@cd $(OUT)/host-libconfig/$(1)/src && ( $(deps_env) CC='$(2)' CFLAGS='$(3)' \
		./configure --prefix=$(abspath $(OUT))/host-libconfig/$(1) --disable-shared \
		--enable-static --disable-cxx --disable-doc --disable-examples --disable-tests && \
		$(deps_env) make -C lib install ) >$(abspath $(OUT))/host-libconfig/$(1).log 2>&1 || \
		{ tail -n 30 $(abspath $(OUT))/host-libconfig/$(1).log >&2; exit 1; }
endef
$(eval $(call host_libconfig,gcc,$(HOST_CC),-g -O1))

$(OUT)/host/keycloak-ha-postgres: entrypoint/main.c $(ENTRYPOINT_SRCS) $(ENTRYPOINT_HDRS) \
		$(HOST_LIBCONFIG)/lib/libconfig.a
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(HOST_INCLUDES) -o $@ \
		entrypoint/main.c $(ENTRYPOINT_SRCS) $(HOST_LIBS)

# Without sanitizers, for valgrind.
$(OUT)/host/keycloak-ha-postgres-plain: entrypoint/main.c $(ENTRYPOINT_SRCS) $(ENTRYPOINT_HDRS) \
		$(HOST_LIBCONFIG)/lib/libconfig.a
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_INCLUDES) -o $@ \
		entrypoint/main.c $(ENTRYPOINT_SRCS) $(HOST_LIBS)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUT)/host/%,$(wildcard tests/unit/test_*.c))

$(OUT)/host/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(ENTRYPOINT_SRCS) \
		$(ENTRYPOINT_HDRS) $(HOST_LIBCONFIG)/lib/libconfig.a
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Ientrypoint $(HOST_INCLUDES) \
		-o $@ $< $(ENTRYPOINT_SRCS) $(HOST_LIBS)

# Fuzzers (libFuzzer) for every parser: the distribution's XML, the
# settings from the environment and secret files, the configuration file.
# `make fuzz` runs each for FUZZ_SECONDS; `make test` runs them briefly.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_LIBCONFIG := $(OUT)/host-libconfig/fuzz
FUZZERS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
$(eval $(call host_libconfig,fuzz,$(FUZZ_CC),-g -O1 -fsanitize=fuzzer-no-link$(,)address$(,)undefined))

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(ENTRYPOINT_SRCS) $(ENTRYPOINT_HDRS) \
		$(FUZZ_LIBCONFIG)/lib/libconfig.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARNINGS) $(FUZZ_FLAGS) -Ientrypoint -I$(FUZZ_LIBCONFIG)/include \
		-I$(shell pg_config --includedir) -o $@ $< $(ENTRYPOINT_SRCS) \
		$(FUZZ_LIBCONFIG)/lib/libconfig.a -lpq -lcrypto -lssl

fuzz-build: $(FUZZERS)

fuzz: host-setup
	@$(MAKE) --no-print-directory fuzz-build dist
	@tests/fuzz/run $(FUZZ_SECONDS)

# The unit test programs again without sanitizers, for valgrind.
PLAIN_UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUT)/host/plain/%,$(wildcard tests/unit/test_*.c))
$(OUT)/host/plain/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(ENTRYPOINT_SRCS) \
		$(ENTRYPOINT_HDRS) $(HOST_LIBCONFIG)/lib/libconfig.a
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ientrypoint $(HOST_INCLUDES) -o $@ $< $(ENTRYPOINT_SRCS) $(HOST_LIBS)

# The real distributions, unpacked as published (not built), for the tests
# that read their files: $(OUT)/dist/keycloak-VERSION for each generation.
# $(call unpack_dist,NAME): NAME is KEYCLOAK or KEYCLOAK_LEGACY.
DIST_DIR := $(OUT)/dist/keycloak-$(KEYCLOAK_VERSION)
LEGACY_DIST_DIR := $(OUT)/dist/keycloak-$(KEYCLOAK_LEGACY_VERSION)
define unpack_dist
$(OUT)/dist/keycloak-$($(1)_VERSION)/.unpacked:
	@mkdir -p $(OUT)/sources $(OUT)/dist
	build/fetch $(1) $(OUT)/sources
	rm -rf $(OUT)/dist/keycloak-$($(1)_VERSION)
	tar -C $(OUT)/dist -xzf $(OUT)/sources/$(notdir $($(1)_MAVEN_PATH)) --no-same-owner
	touch $$@
endef
$(eval $(call unpack_dist,KEYCLOAK))
$(eval $(call unpack_dist,KEYCLOAK_LEGACY))
dist: $(DIST_DIR)/.unpacked $(LEGACY_DIST_DIR)/.unpacked

HOST_BINS := $(OUT)/host/keycloak-ha-postgres $(OUT)/host/keycloak-ha-postgres-plain

# ---------------------------------------------------------------------------
# Images.

fetch:
	@mkdir -p $(OUT)/sources
	@for name in $$(build/fetch --list); do build/fetch $$name $(OUT)/sources || exit 1; done

images: keycloak-image keycloak-legacy-image postgres-image balancer-image

# One Dockerfile, two generations: KEYCLOAK_GENERATION picks the final stage.
KEYCLOAK_BUILD_ARGS = --build-arg MAVEN_REPOSITORY=$(MAVEN_REPOSITORY) \
	--build-arg DEBIAN_MIRROR=$(DEBIAN_MIRROR) --build-arg KEYCLOAK_VERSION=$(KEYCLOAK_VERSION) \
	--build-arg KEYCLOAK_LEGACY_VERSION=$(KEYCLOAK_LEGACY_VERSION)

keycloak-image: fetch
	$(ENGINE_CMD) build $(BUILD_FLAGS) $(KEYCLOAK_BUILD_ARGS) --build-arg KEYCLOAK_GENERATION=26 \
		--build-arg KEYCLOAK_FEATURES='$(KEYCLOAK_FEATURES)' \
		--build-arg KEYCLOAK_FEATURES_DISABLED='$(KEYCLOAK_FEATURES_DISABLED)' \
		--tag $(KEYCLOAK_IMAGE) -f Dockerfile.keycloak-ha .

keycloak-legacy-image: fetch
	$(ENGINE_CMD) build $(BUILD_FLAGS) $(KEYCLOAK_BUILD_ARGS) --build-arg KEYCLOAK_GENERATION=legacy \
		--tag $(KEYCLOAK_LEGACY_IMAGE) -f Dockerfile.keycloak-ha .

postgres-image: fetch
	$(ENGINE_CMD) build $(BUILD_FLAGS) --build-arg DEBIAN_MIRROR=$(DEBIAN_MIRROR) \
		--tag $(POSTGRES_IMAGE) -f Dockerfile.postgres .

balancer-image: fetch
	$(ENGINE_CMD) build $(BUILD_FLAGS) --build-arg DEBIAN_MIRROR=$(DEBIAN_MIRROR) \
		--tag $(BALANCER_IMAGE) -f Dockerfile.balancer .

push:
	$(ENGINE_CMD) push $(PUSH_FLAGS) $(KEYCLOAK_IMAGE)
	$(ENGINE_CMD) push $(PUSH_FLAGS) $(KEYCLOAK_LEGACY_IMAGE)
	$(ENGINE_CMD) push $(PUSH_FLAGS) $(POSTGRES_IMAGE)
	$(ENGINE_CMD) push $(PUSH_FLAGS) $(BALANCER_IMAGE)

# ---------------------------------------------------------------------------
# A cluster on this machine, and the tests.

host-setup:
	@tests/lib/host-setup

# On machines where podman's defaults cannot run containers (see
# tests/lib/containers.conf), the cluster and the tests use the project's
# settings; set CONTAINERS_CONF to use your own.
RUN_ENV := CONTAINERS_CONF=$${CONTAINERS_CONF:-$(CURDIR)/tests/lib/containers.conf}

# GENERATION=legacy: the cluster's nodes run the legacy Keycloak image.
CLUSTER_IMAGE = $(if $(filter legacy,$(GENERATION)),$(KEYCLOAK_LEGACY_IMAGE),$(KEYCLOAK_IMAGE))

cluster: host-setup
	@$(RUN_ENV) $(MAKE) --no-print-directory images
	@$(RUN_ENV) KEYCLOAK_IMAGE=$(CLUSTER_IMAGE) tests/lib/cluster up

cluster-down:
	@$(RUN_ENV) tests/lib/cluster down

# host-setup installs what a fresh machine lacks (packages, base images);
# the test builds come after it.
test: host-setup
	@$(RUN_ENV) $(MAKE) --no-print-directory test-build images
	@$(RUN_ENV) tests/run all

test-build: $(UNIT_TESTS) $(PLAIN_UNIT_TESTS) $(HOST_BINS) $(FUZZERS) dist

test-unit: test-build
	@tests/run unit

test-integration: test-build
	@tests/run integration

test-e2e: images
	@tests/run e2e

# The benchmarks (tests/bench/run); not part of `make test`, which runs only
# their smoke test. Each generation against its baselines, built by the
# benchmark from the same distribution (tests/bench/baseline/): Keycloak 26
# (KEYCLOAK_IMAGE) against `kc.sh start` and against a `kc.sh build` image
# started with --optimized; the legacy image against a shell entrypoint with
# jboss-cli.
BASELINE_IMAGE_NAME ?= $(if $(REGISTRY),$(REGISTRY)/)$(KEYCLOAK_IMAGE_NAME)-baseline
BASELINE_START_IMAGE ?= $(BASELINE_IMAGE_NAME):$(TAG)-start
BASELINE_OPTIMIZED_IMAGE ?= $(BASELINE_IMAGE_NAME):$(TAG)-optimized
BASELINE_LEGACY_IMAGE ?= $(BASELINE_IMAGE_NAME):$(TAG)-legacy
bench: host-setup
	@$(RUN_ENV) $(MAKE) --no-print-directory entrypoint dist images
	@$(RUN_ENV) BASELINE_START_IMAGE=$(BASELINE_START_IMAGE) \
		BASELINE_OPTIMIZED_IMAGE=$(BASELINE_OPTIMIZED_IMAGE) BASELINE_IMAGE=$(BASELINE_LEGACY_IMAGE) \
		BENCH_REPORT=$(CURDIR)/BENCHMARKS.md tests/bench/run

clean:
	rm -rf $(OUT)/bin $(OUT)/host $(OUT)/fuzz $(OUT)/host-libconfig
