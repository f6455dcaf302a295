/*
 * The WildFly server is started by exec'ing java directly, not
 * bin/standalone.sh. With the script, either the shell is the container's
 * main process and "docker stop" never reaches the JVM (the script only
 * relays signals when LAUNCH_JBOSS_IN_BACKGROUND is set, by running the JVM
 * as a child), or one more process sits between the engine and the JVM.
 * Exec'ing java makes the JVM the process the engine signals, so SIGTERM
 * starts WildFly's graceful shutdown at once, and its exit status is the
 * container's.
 *
 * The arguments are those standalone.sh (WildFly 26) builds: the defaults
 * of bin/standalone.conf when JAVA_OPTS is not set, "-server", the module
 * system options for Java 9 and later, the boot log and logging
 * configuration, and jboss-modules with the standalone module. A test
 * (tests/unit/launch.sh) compares them with the distribution's own scripts.
 */
#include "wildfly.h"

#include "http_probe.h"
#include "jvm.h"
#include "log.h"
#include "netaddr.h"

#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The module system options of bin/common.sh (WildFly 26), needed on Java
 * 9 and later; each one is there for a WildFly subsystem or marshaller. */
static const char *const modular_jvm_options[] = {
	"--add-exports=java.desktop/sun.awt=ALL-UNNAMED",
	"--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
	"--add-opens=java.base/java.lang=ALL-UNNAMED",
	"--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
	"--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
	"--add-opens=java.base/java.io=ALL-UNNAMED",
	"--add-opens=java.base/java.security=ALL-UNNAMED",
	"--add-opens=java.base/java.util=ALL-UNNAMED",
	"--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
	"--add-opens=java.management/javax.management=ALL-UNNAMED",
	"--add-opens=java.naming/javax.naming=ALL-UNNAMED",
	NULL,
};

/* JAVA_OPTS, else bin/standalone.conf's defaults except the heap: a fixed
 * 512 MB ignores the container's limit. With a limit, the heap is a share
 * of it; without one, the distribution's 512 MB. Then JAVA_OPTS_APPEND. */
static void push_java_options(const struct server_settings *srv, const char *java,
			      struct argv_list *out)
{
	if (srv->java_opts) {
		argv_push_words(out, srv->java_opts);
	} else {
		argv_push(out, "-Xms64m");
		argv_push(out, has_memory_limit() ? "-XX:MaxRAMPercentage=70" : "-Xmx512m");
		argv_push(out, "-XX:MetaspaceSize=96M");
		argv_push(out, "-XX:MaxMetaspaceSize=256m");
		argv_push(out, "-XX:+ExitOnOutOfMemoryError");
		argv_push(out, "-Djava.net.preferIPv4Stack=true");
		argv_push(out, "-Djboss.modules.system.pkgs=org.jboss.byteman");
		argv_push(out, "-Djava.awt.headless=true");
	}
	if (srv->java_opts_append)
		argv_push_words(out, srv->java_opts_append);
	if (java_feature_version(java) >= 9)
		for (const char *const *o = modular_jvm_options; *o; o++)
			argv_push(out, *o);
}

int wildfly_server_argv(const struct settings *s, char *const *envp, char *const *extra,
			size_t n_extra, struct argv_list *out)
{
	const struct server_settings *srv = &s->server;
	char java[PATH_MAX];
	int rc;

	*out = (struct argv_list){ 0 };
	if ((rc = find_java(srv, envp, java, sizeof(java))))
		return rc;
	argv_push(out, java);
	argv_push(out, "-D[Standalone]");
	argv_push(out, "-server");
	/* Before JAVA_OPTS, which can name another file. */
	argv_pushf(out, "-Djava.security.properties=%s/configuration/" WILDFLY_SECURITY_FILE,
		   srv->state_dir);
	push_java_options(srv, java, out);
	argv_pushf(out, "-Dorg.jboss.boot.log.file=%s/log/server.log", srv->state_dir);
	argv_pushf(out, "-Dlogging.configuration=file:%s/configuration/logging.properties",
		   srv->state_dir);
	/* A user without a passwd entry (an arbitrary uid) gets user.home "?",
	 * a relative path in the read-only server directory. */
	if (!getpwuid(getuid()))
		argv_pushf(out, "-Duser.home=%s", srv->state_dir);
	argv_push(out, "-jar");
	argv_pushf(out, "%s/jboss-modules.jar", srv->home);
	argv_push(out, "-mp");
	argv_pushf(out, "%s/modules", srv->home);
	argv_push(out, "org.jboss.as.standalone");
	argv_pushf(out, "-Djboss.home.dir=%s", srv->home);
	argv_pushf(out, "-Djboss.server.base.dir=%s", srv->state_dir);
	argv_push(out, "-c");
	argv_push(out, "standalone-ha.xml");
	argv_pushf(out, "-Djboss.bind.address=%s", s->cluster.bind_address);
	argv_pushf(out, "-Djboss.bind.address.private=%s", s->cluster.bind_private);
	argv_pushf(out, "-Djboss.node.name=%s", s->cluster.node_name);
	if (s->cluster.multicast_address)
		argv_pushf(out, "-Djboss.default.multicast.address=%s",
			   s->cluster.multicast_address);
	if (srv->import_files)
		argv_pushf(out, "-Dkeycloak.import=%s", srv->import_files);
	for (size_t i = 0; i < n_extra; i++)
		argv_push(out, extra[i]);
	return 0;
}

/* The last -Dname=N among the JVM options words (JAVA_OPTS, then
 * JAVA_OPTS_APPEND, as the command line has them); false when none. */
static bool jvm_number(const char *words, const char *name, long *value)
{
	size_t n = strlen(name);
	bool found = false;

	for (const char *p = words; p && (p = strstr(p, name)) != NULL; p += n) {
		if (p < words + 2 || strncmp(p - 2, "-D", 2) != 0 || p[n] != '=')
			continue;
		char *end;
		long v = strtol(p + n + 1, &end, 10);
		if (end != p + n + 1 && (*end == '\0' || *end == ' ' || *end == '\t')) {
			*value = v;
			found = true;
		}
	}
	return found;
}

/* GET /auth/realms/master on the HTTP listener: the master realm answers
 * 200 once Keycloak's deployment is up and the database answers it; the
 * listener is on BIND (loopback when BIND is 0.0.0.0), port 8080 or what
 * jboss.http.port and jboss.socket.binding.port-offset in JAVA_OPTS or
 * JAVA_OPTS_APPEND make of it. */
int wildfly_readiness(const struct settings *s, struct http_target *t)
{
	const char *const opts[] = { s->server.java_opts, s->server.java_opts_append };
	long port = 8080, offset = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < 2; i++) {
		jvm_number(opts[i], "jboss.http.port", &port);
		jvm_number(opts[i], "jboss.socket.binding.port-offset", &offset);
	}
	if (port + offset < 1 || port + offset > 65535) {
		log_error("JAVA_OPTS: jboss.http.port %ld with port offset %ld is not a port",
			  port, offset);
		return EXIT_CONFIG;
	}
	t->port = (unsigned)(port + offset);
	snprintf(t->host, sizeof(t->host), "%s",
		 address_is_any(s->cluster.bind_address) ? "127.0.0.1" : s->cluster.bind_address);
	snprintf(t->path, sizeof(t->path), "/auth/realms/master");
	return 0;
}
