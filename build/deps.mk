# Third-party libraries of the statically linked entrypoint, built from the
# pinned tarballs (build/versions, fetched by build/fetch into $(OUT)/sources).
#
#   musl       C library, installed with its musl-gcc wrapper; every library
#              below is compiled with that wrapper so nothing of the host C
#              library ends up in the program.
#   OpenSSL    static, libraries only, without the protocols and algorithms a
#              PostgreSQL client never negotiates (smaller binary, less code).
#   libconfig  static C library only.
#   libpq      static, with the libpgcommon/libpgport it calls into, using TLS
#              from the OpenSSL above.
#
# Results: headers in $(OUT)/deps/include, archives in $(OUT)/deps/lib, and
# these variables for the program's build:
#   DEPS_CC        the musl-gcc wrapper
#   DEPS_CPPFLAGS  include path of the libraries
#   DEPS_LDLIBS    the libraries, in link order (link with -static)
# and, for other rules: DEPS ($(OUT)/deps), DEPS_SOURCES (the tarballs,
# $(OUT)/sources) and DEPS_FETCH (build/fetch).
# Target `deps` builds everything once; each library has a stamp file, so an
# unchanged tree is not rebuilt. Build output goes to $(OUT)/deps/log/NAME.log
# and only its tail is shown when a step fails.
#
# Requires OUT (set by the including Makefile), gcc, make, perl, curl,
# bzip2 and the Linux kernel headers (linux-libc-dev) on the build machine.

deps_saved_goal := $(.DEFAULT_GOAL)

deps_build_dir := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
include $(deps_build_dir)/versions

DEPS_FETCH := $(deps_build_dir)/fetch
DEPS_SOURCES := $(abspath $(OUT))/sources
DEPS := $(abspath $(OUT))/deps
DEPS_JOBS ?= 2

DEPS_CC := $(DEPS)/musl/bin/musl-gcc
DEPS_CPPFLAGS := -I$(DEPS)/include
DEPS_LDLIBS := -L$(DEPS)/lib -lpq -lpgcommon_shlib -lpgport_shlib -lconfig -lssl -lcrypto

deps_musl_tarball := $(DEPS_SOURCES)/$(notdir $(MUSL_URL))
deps_openssl_tarball := $(DEPS_SOURCES)/$(notdir $(OPENSSL_URL))
deps_libconfig_tarball := $(DEPS_SOURCES)/$(notdir $(LIBCONFIG_URL))
deps_postgresql_tarball := $(DEPS_SOURCES)/$(notdir $(POSTGRESQL_URL))

# Settings of whoever runs make (CC=..., CFLAGS=... on the command line or in
# the environment, a parent's MAKEFLAGS) must not leak into the libraries'
# own configure scripts and makefiles.
deps_env := env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL \
	-u CC -u CXX -u CPP -u CFLAGS -u CPPFLAGS -u LDFLAGS -u LDLIBS -u LIBS
deps_make := $(deps_env) make -j$(DEPS_JOBS)

# musl's headers leave out the kernel's, which OpenSSL includes (linux/mman.h
# in crypto/mem_sec.c). This folder offers only the kernel's headers, after
# musl's: all of /usr/include would let glibc's headers shadow musl's.
deps_kernel_headers := $(DEPS)/kernel-headers
deps_size_flags := -ffunction-sections -fdata-sections
# configure scripts run what they compile: link statically, since this musl
# is built without a dynamic loader.
deps_configure := $(deps_env) CC=$(DEPS_CC) \
	CFLAGS="-Os $(deps_size_flags)" \
	CPPFLAGS="-I$(DEPS)/include -idirafter $(deps_kernel_headers)" \
	LDFLAGS="-static -L$(DEPS)/lib" LIBS=

# $(call deps_step,NAME,SHELL COMMANDS): run COMMANDS with output to the log
# of NAME; on failure show the tail of that log and fail.
deps_step = mkdir -p $(DEPS)/log && \
	( set -e; $(2) ) >>$(DEPS)/log/$(1).log 2>&1 || { \
	echo "deps: building $(1) failed, end of $(DEPS)/log/$(1).log:" >&2; \
	tail -n 30 $(DEPS)/log/$(1).log >&2; exit 1; }

# $(call deps_unpack,NAME,TARBALL,DIR): fresh source tree in build/DIR.
deps_unpack = rm -rf $(DEPS)/log/$(1).log $(DEPS)/build/$(3) && \
	mkdir -p $(DEPS)/build $(DEPS)/log && \
	tar -C $(DEPS)/build -xf $(2)

.PHONY: deps
deps: $(DEPS)/.stamp

$(DEPS)/.stamp: $(DEPS)/.musl.stamp $(DEPS)/.openssl.stamp \
		$(DEPS)/.libconfig.stamp $(DEPS)/.libpq.stamp
	touch $@

$(deps_musl_tarball):
	$(DEPS_FETCH) MUSL $(DEPS_SOURCES)
$(deps_openssl_tarball):
	$(DEPS_FETCH) OPENSSL $(DEPS_SOURCES)
$(deps_libconfig_tarball):
	$(DEPS_FETCH) LIBCONFIG $(DEPS_SOURCES)
$(deps_postgresql_tarball):
	$(DEPS_FETCH) POSTGRESQL $(DEPS_SOURCES)

$(DEPS)/.musl.stamp: $(deps_musl_tarball)
	@echo "deps: musl $(MUSL_VERSION)"
	@$(call deps_unpack,musl,$<,musl-$(MUSL_VERSION))
	@$(call deps_step,musl, \
		cd $(DEPS)/build/musl-$(MUSL_VERSION); \
		$(deps_env) CC=gcc ./configure --prefix=$(DEPS)/musl \
			--disable-shared --enable-wrapper=gcc; \
		$(deps_make); \
		$(deps_make) install)
	@rm -rf $(deps_kernel_headers) && mkdir -p $(deps_kernel_headers) && \
	asm=/usr/include/$$(gcc -print-multiarch)/asm && \
	{ [ -d $$asm ] || asm=/usr/include/asm; } && \
	for dir in /usr/include/linux $$asm /usr/include/asm-generic; do \
		[ -d $$dir ] || { echo "deps: $$dir missing (install linux-libc-dev)" >&2; exit 1; }; \
		ln -s $$dir $(deps_kernel_headers)/; \
	done
	@touch $@

# Configure takes compiler flags as arguments. --libdir keeps lib64 away;
# /etc/ssl is where Debian-based images keep OpenSSL's configuration and CAs.
deps_openssl_options := no-shared no-engine no-dso no-async no-tests \
	no-legacy no-comp no-ssl3 no-tls1 no-tls1_1 no-dtls no-srp no-psk \
	no-srtp no-nextprotoneg no-ocsp no-cms no-cmp no-ts no-ct no-rfc3779 \
	no-sctp no-dsa no-sm2 no-sm3 no-sm4 no-gost no-idea no-seed \
	no-camellia no-aria no-bf no-cast no-rc2 no-rc4 no-rc5 no-md4 no-mdc2 \
	no-rmd160 no-whirlpool no-siphash no-ui-console

$(DEPS)/.openssl.stamp: $(deps_openssl_tarball) $(DEPS)/.musl.stamp
	@echo "deps: OpenSSL $(OPENSSL_VERSION)"
	@$(call deps_unpack,openssl,$<,openssl-$(OPENSSL_VERSION))
	@$(call deps_step,openssl, \
		cd $(DEPS)/build/openssl-$(OPENSSL_VERSION); \
		$(deps_env) CC=$(DEPS_CC) ./config --prefix=$(DEPS) --libdir=lib \
			--openssldir=/etc/ssl $(deps_openssl_options) \
			-O2 $(deps_size_flags) -idirafter$(deps_kernel_headers); \
		$(deps_make) build_libs; \
		$(deps_make) install_dev)
	@touch $@

$(DEPS)/.libconfig.stamp: $(deps_libconfig_tarball) $(DEPS)/.musl.stamp
	@echo "deps: libconfig $(LIBCONFIG_VERSION)"
	@$(call deps_unpack,libconfig,$<,libconfig-$(LIBCONFIG_VERSION))
	@$(call deps_step,libconfig, \
		cd $(DEPS)/build/libconfig-$(LIBCONFIG_VERSION); \
		$(deps_configure) ./configure --prefix=$(DEPS) --disable-shared \
			--enable-static --disable-cxx --disable-doc --disable-examples \
			--disable-tests; \
		$(deps_make) -C lib; \
		$(deps_make) -C lib install)
	@touch $@

# Only the client library and the two archives it calls into are built;
# their headers are copied by hand because `make install` of libpq also
# wants the shared library.
deps_libpq_dir := $(DEPS)/build/postgresql-$(POSTGRESQL_VERSION)
$(DEPS)/.libpq.stamp: $(deps_postgresql_tarball) $(DEPS)/.openssl.stamp
	@echo "deps: libpq $(POSTGRESQL_VERSION)"
	@$(call deps_unpack,libpq,$<,postgresql-$(POSTGRESQL_VERSION))
	@$(call deps_step,libpq, \
		cd $(deps_libpq_dir); \
		$(deps_configure) ./configure --prefix=$(DEPS) --with-openssl \
			--without-readline --without-zlib --without-icu \
			--without-gssapi --without-ldap; \
		$(deps_make) -C src/port; \
		$(deps_make) -C src/common; \
		$(deps_make) -C src/interfaces/libpq all-static-lib; \
		mkdir -p $(DEPS)/include $(DEPS)/lib; \
		cp src/interfaces/libpq/libpq.a src/common/libpgcommon_shlib.a \
			src/port/libpgport_shlib.a $(DEPS)/lib/; \
		cp src/interfaces/libpq/libpq-fe.h \
			src/interfaces/libpq/libpq-events.h \
			src/include/postgres_ext.h src/include/pg_config_ext.h \
			$(DEPS)/include/)
	@touch $@

.DEFAULT_GOAL := $(deps_saved_goal)
