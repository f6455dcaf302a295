/*
 * Keycloak 26 is started by exec'ing java directly, with the command line
 * bin/kc.sh builds for "start --optimized" (tests/unit/launch_26.sh compares
 * them): kc.sh runs java as its child and relays signals to it, so the
 * shell would be the container's main process. The image has run
 * Keycloak's build already, so the start is always an optimised one: a
 * build-time option that differs is refused by Keycloak, never rebuilt.
 *
 * Added to kc.sh's: the configuration file in the state directory, the
 * JVM security properties written next to it, the temporary directory and
 * the transaction log store in the state directory (the distribution may
 * be read-only), the multicast address and the realms to import when they
 * are set, and user.home for a uid without a passwd entry.
 */
#include "quarkus.h"

#include "http_probe.h"
#include "jvm.h"
#include "log.h"
#include "netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* kc.sh's defaults (JAVA_OPTS replaces them, heap included). */
static const char *const default_java_options[] = {
	"-XX:MetaspaceSize=96M", "-XX:MaxMetaspaceSize=256m", "-Dfile.encoding=UTF-8",
	"-Dsun.stdout.encoding=UTF-8", "-Dsun.err.encoding=UTF-8", "-Dstdout.encoding=UTF-8",
	"-Dstderr.encoding=UTF-8", "-XX:+ExitOnOutOfMemoryError",
	"-Djava.security.egd=file:/dev/urandom", "-XX:+UseG1GC",
	"-XX:FlightRecorderOptions=stackdepth=512",
	"-Djdk.tls.rejectClientInitiatedRenegotiation=true", NULL,
};

/* kc.sh's heap in a container (KC_RUN_IN_CONTAINER) and outside. */
static const char *const container_heap[] = {
	"-XX:MaxRAMPercentage=70", "-XX:MinRAMPercentage=70", "-XX:InitialRAMPercentage=50", NULL,
};
static const char *const fixed_heap[] = { "-Xms64m", "-Xmx512m", NULL };

/* kc.sh's JAVA_ADD_OPENS and JAVA_LOCALE. */
static const char *const opens_and_locale[] = {
	"--add-opens=java.base/java.util=ALL-UNNAMED",
	"--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
	"--add-opens=java.base/java.security=ALL-UNNAMED",
	"--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
	"-Duser.language=en", "-Duser.country=US", NULL,
};

static void push_all(struct argv_list *out, const char *const *words)
{
	for (; *words; words++)
		argv_push(out, *words);
}

/* kc.sh's JVM options before the server's own properties. */
static void push_java_options(const struct server_settings *srv, struct argv_list *out)
{
	/* Without it the server stops at once (Keycloak issue 30276). */
	argv_push(out, "-Djava.util.concurrent.ForkJoinPool.common.threadFactory="
		       "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory");
	if (srv->java_opts) {
		argv_push_words(out, srv->java_opts);
	} else {
		push_all(out, default_java_options);
		push_all(out, has_memory_limit() ? container_heap : fixed_heap);
	}
	push_all(out, opens_and_locale);
	if (srv->java_opts_append)
		argv_push_words(out, srv->java_opts_append);
}

/* What the project adds: the state directory's places. */
static void push_state_properties(const struct settings *s, struct argv_list *out)
{
	const char *state = s->server.state_dir;

	argv_pushf(out, "-Djava.security.properties=%s/" QUARKUS_SECURITY_FILE, state);
	argv_pushf(out, "-Djava.io.tmpdir=%s/tmp", state);
	argv_pushf(out, "-Dquarkus.transaction-manager.object-store.directory=%s/transaction-logs",
		   state);
	if (s->cluster.multicast_address)
		argv_pushf(out, "-Djgroups.mcast_addr=%s", s->cluster.multicast_address);
	if (s->server.import_files)
		argv_pushf(out, "-Dkeycloak.migration.dir=%s/import", state);
	/* A user without a passwd entry (an arbitrary uid) gets user.home "?". */
	if (!getpwuid(getuid()))
		argv_pushf(out, "-Duser.home=%s", state);
}

int quarkus_server_argv(const struct settings *s, char *const *envp, char *const *extra,
			size_t n_extra, struct argv_list *out)
{
	const char *home = s->server.home;
	char java[PATH_MAX];
	int rc;

	*out = (struct argv_list){ 0 };
	if ((rc = find_java(&s->server, envp, java, sizeof(java))))
		return rc;
	argv_push(out, java);
	push_java_options(&s->server, out);
	argv_pushf(out, "-Dkc.home.dir=%s", home);
	argv_pushf(out, "-Djboss.server.config.dir=%s/conf", home);
	argv_push(out, "-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
	argv_push(out, "-Dpicocli.disable.closures=true");
	argv_push(out, "-Dquarkus-log-max-startup-records=10000");
	push_state_properties(s, out);
	/* As kc.sh does: the -D arguments are the JVM's. */
	for (size_t i = 0; i < n_extra; i++)
		if (strncmp(extra[i], "-D", 2) == 0)
			argv_push(out, extra[i]);
	argv_push(out, "-cp");
	argv_pushf(out, "%s/lib/quarkus-run.jar", home);
	argv_push(out, "io.quarkus.bootstrap.runner.QuarkusEntryPoint");
	/* Before the command: after it, Keycloak refuses the option. */
	argv_pushf(out, "--config-file=%s/" QUARKUS_CONF_FILE, s->server.state_dir);
	argv_push(out, "start");
	argv_push(out, "--optimized");
	if (s->server.import_files)
		argv_push(out, "--import-realm");
	for (size_t i = 0; i < n_extra; i++)
		if (strncmp(extra[i], "-D", 2) != 0)
			argv_push(out, extra[i]);
	return 0;
}

/* The Keycloak option key as the user gave it (KC_NAME, KC_NAME_FILE or
 * a run argument); NULL when not given. */
static const struct keycloak_option *option_of(const struct settings *s, const char *key)
{
	for (size_t i = 0; i < s->keycloak.n; i++)
		if (strcmp(s->keycloak.v[i].key, key) == 0)
			return &s->keycloak.v[i];
	return NULL;
}

static const char *option_value(const struct settings *s, const char *key, const char *fallback)
{
	const struct keycloak_option *o = option_of(s, key);

	return o ? o->value : fallback;
}

/* An option that names a port, else the default. */
static int option_port(const struct settings *s, const char *key, unsigned fallback,
		       unsigned *port)
{
	const struct keycloak_option *o = option_of(s, key);
	char *end;

	*port = fallback;
	if (!o)
		return 0;
	unsigned long v = strtoul(o->value, &end, 10);
	if (!isdigit((unsigned char)o->value[0]) || *end || v < 1 || v > 65535) {
		log_error("%s: expected a port (1-65535), got %s", o->source, o->value);
		return EXIT_CONFIG;
	}
	*port = (unsigned)v;
	return 0;
}

/* The address the health check connects to: loopback for a server on
 * every interface, else the one address it listens on. */
static int option_address(const struct settings *s, const char *key, const char *inherited,
			  char *host, size_t len)
{
	const struct keycloak_option *o = option_of(s, key);
	const char *v;

	if (!o)
		o = option_of(s, inherited);
	v = o ? o->value : "0.0.0.0";
	if (address_is_any(v) || strcmp(v, "localhost") == 0)
		v = "127.0.0.1";
	struct in6_addr a;
	if (inet_pton(AF_INET, v, &a) != 1 && inet_pton(AF_INET6, v, &a) != 1) {
		log_error("%s=%s: the health check needs an address, not a host name",
			  o->source, o->value);
		return EXIT_CONFIG;
	}
	snprintf(host, len, "%s", v);
	return 0;
}

/* Keycloak's relative path (no trailing '/') and the endpoint after it. */
static void endpoint_path(const char *relative, const char *endpoint, char *path, size_t len)
{
	size_t n = strlen(relative);

	while (n > 0 && relative[n - 1] == '/')
		n--;
	snprintf(path, len, "%s%.*s%s", relative[0] == '/' ? "" : "/", (int)n, relative,
		 endpoint);
}

/* Whether the file option NAME-file is given: as itself, or as the
 * variable KC_NAME_FILE, which the settings read as the option NAME held
 * in a file. */
static bool file_option(const struct settings *s, const char *name)
{
	char key[96];
	const struct keycloak_option *o = option_of(s, name);

	snprintf(key, sizeof(key), "%s-file", name);
	return option_of(s, key) || (o && o->from_file);
}

/* Keycloak's rule: the management interface serves HTTPS when it has a
 * certificate and key, or a key store, of its own or the server's, unless
 * its scheme is http. */
static bool management_tls(const struct settings *s)
{
	const char *scheme = option_value(s, "http-management-scheme", "inherited");
#define GIVEN(name) (file_option(s, "https-management-" name) || file_option(s, "https-" name))
	bool pem = GIVEN("certificate") && GIVEN("certificate-key");
	bool store = GIVEN("key-store");
#undef GIVEN
	return strcmp(scheme, "http") != 0 && (pem || store);
}

/* GET /health/ready on the management interface (port 9000), or on the
 * HTTP port when the management interface does not serve health. */
int quarkus_readiness(const struct settings *s, struct http_target *t)
{
	const char *relative = option_value(s, "http-relative-path", "/");
	int rc;

	memset(t, 0, sizeof(*t));
	if (strcmp(option_value(s, "http-management-health-enabled", "true"), "false") == 0) {
		/* The entrypoint's keycloak.conf keeps plain HTTP enabled. */
		if ((rc = option_port(s, "http-port", 8080, &t->port)) ||
		    (rc = option_address(s, "http-host", "http-host", t->host, sizeof(t->host))))
			return rc;
		endpoint_path(relative, "/health/ready", t->path, sizeof(t->path));
		return 0;
	}
	if ((rc = option_port(s, "http-management-port", 9000, &t->port)) ||
	    (rc = option_address(s, "http-management-host", "http-host", t->host,
				 sizeof(t->host))))
		return rc;
	endpoint_path(option_value(s, "http-management-relative-path", relative), "/health/ready",
		      t->path, sizeof(t->path));
	t->tls = management_tls(s);
	return 0;
}
