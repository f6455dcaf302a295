# keycloak-ha-postgres: the one entry point for people and CI.
# `make help` lists the targets and the variables a user sets.

OUT ?= out
include build/versions

VERSION ?= 0.1.0
REGISTRY ?= localhost
KEYCLOAK_IMAGE_NAME ?= keycloak-ha-postgres
POSTGRES_IMAGE_NAME ?= keycloak-ha-postgres-db
TAG ?= $(VERSION)
KEYCLOAK_IMAGE ?= $(if $(REGISTRY),$(REGISTRY)/)$(KEYCLOAK_IMAGE_NAME):$(TAG)
POSTGRES_IMAGE ?= $(if $(REGISTRY),$(REGISTRY)/)$(POSTGRES_IMAGE_NAME):$(TAG)
# docker or podman; podman is preferred when both are there. Detected when
# a recipe runs, not when this file is read: `make test` and `make cluster`
# may install podman first.
ENGINE ?=
ENGINE_CMD = $(or $(ENGINE),$(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker))
BUILD_FLAGS ?=
PUSH_FLAGS ?=
# Where downloads come from (build/fetch, the base images of the tests): a
# Maven repository (empty: https://repo1.maven.org/maven2, then mvn with its
# own settings) and a Debian mirror (default: this machine's apt sources).
MAVEN_REPOSITORY ?=
ifeq ($(origin DEBIAN_MIRROR),undefined)
DEBIAN_MIRROR := $(shell build/debian-mirror)
endif

export OUT ENGINE KEYCLOAK_IMAGE POSTGRES_IMAGE VERSION MAVEN_REPOSITORY DEBIAN_MIRROR

.DEFAULT_GOAL := all
.PHONY: all help entrypoint dist test-build images keycloak-image postgres-image push fetch \
	test test-unit test-integration test-e2e cluster cluster-down host-setup clean \
	fuzz fuzz-build bench

all: entrypoint images

help:
	@echo "Targets:"
	@echo "  make                 build the entrypoint and both images (default)"
	@echo "  make entrypoint      build only the static binary: $(OUT)/bin/keycloak-ha-postgres"
	@echo "  make images          build and tag both images"
	@echo "  make push            push both images to REGISTRY"
	@echo "  make fetch           download and verify every pinned input into $(OUT)/sources"
	@echo "                       (then image builds need no network for them)"
	@echo "  make cluster         start PostgreSQL and two Keycloak nodes; print where they are"
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
	@echo "  TAG=$(TAG)"
	@echo "  -> $(KEYCLOAK_IMAGE)"
	@echo "  -> $(POSTGRES_IMAGE)"
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
	@echo "Pinned: Keycloak $(KEYCLOAK_VERSION), PostgreSQL JDBC $(PGJDBC_VERSION),"
	@echo "        musl $(MUSL_VERSION), OpenSSL $(OPENSSL_VERSION), libconfig $(LIBCONFIG_VERSION),"
	@echo "        libpq from PostgreSQL $(POSTGRESQL_VERSION)  (build/versions)"

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

# The real distribution, unpacked, for the tests that read its files.
DIST_DIR := $(OUT)/dist/keycloak-$(KEYCLOAK_VERSION)
dist: $(DIST_DIR)/.unpacked
$(DIST_DIR)/.unpacked:
	@mkdir -p $(OUT)/sources $(OUT)/dist
	build/fetch KEYCLOAK $(OUT)/sources
	rm -rf $(DIST_DIR)
	tar -C $(OUT)/dist -xzf $(OUT)/sources/$(notdir $(KEYCLOAK_MAVEN_PATH))
	touch $@

HOST_BINS := $(OUT)/host/keycloak-ha-postgres $(OUT)/host/keycloak-ha-postgres-plain

# ---------------------------------------------------------------------------
# Images.

fetch:
	@mkdir -p $(OUT)/sources
	@for name in $$(build/fetch --list); do build/fetch $$name $(OUT)/sources || exit 1; done

images: keycloak-image postgres-image

keycloak-image: fetch
	$(ENGINE_CMD) build $(BUILD_FLAGS) --build-arg MAVEN_REPOSITORY=$(MAVEN_REPOSITORY) \
		--build-arg DEBIAN_MIRROR=$(DEBIAN_MIRROR) --tag $(KEYCLOAK_IMAGE) -f Dockerfile.keycloak-ha .

postgres-image: fetch
	$(ENGINE_CMD) build $(BUILD_FLAGS) --build-arg DEBIAN_MIRROR=$(DEBIAN_MIRROR) \
		--tag $(POSTGRES_IMAGE) -f Dockerfile.postgres .

push:
	$(ENGINE_CMD) push $(PUSH_FLAGS) $(KEYCLOAK_IMAGE)
	$(ENGINE_CMD) push $(PUSH_FLAGS) $(POSTGRES_IMAGE)

# ---------------------------------------------------------------------------
# A cluster on this machine, and the tests.

host-setup:
	@tests/lib/host-setup

# On machines where podman's defaults cannot run containers (see
# tests/lib/containers.conf), the cluster and the tests use the project's
# settings; set CONTAINERS_CONF to use your own.
RUN_ENV := CONTAINERS_CONF=$${CONTAINERS_CONF:-$(CURDIR)/tests/lib/containers.conf}

cluster: host-setup
	@$(RUN_ENV) $(MAKE) --no-print-directory images
	@$(RUN_ENV) tests/lib/cluster up

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
# their smoke test.
bench: host-setup
	@$(RUN_ENV) $(MAKE) --no-print-directory entrypoint dist images
	@$(RUN_ENV) BENCH_REPORT=$(CURDIR)/BENCHMARKS.md tests/bench/run

clean:
	rm -rf $(OUT)/bin $(OUT)/host $(OUT)/fuzz $(OUT)/host-libconfig
