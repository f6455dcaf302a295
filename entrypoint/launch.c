/*
 * The server is started by exec'ing java directly, not bin/standalone.sh.
 * With the script, either the shell is the container's main process and
 * "docker stop" never reaches the JVM (the script only relays signals when
 * LAUNCH_JBOSS_IN_BACKGROUND is set, by running the JVM as a child), or one
 * more process sits between the engine and the JVM. Exec'ing java makes the
 * JVM the process the engine signals, so SIGTERM starts WildFly's graceful
 * shutdown at once, and its exit status is the container's.
 *
 * The arguments are those standalone.sh (WildFly 26) builds: the defaults
 * of bin/standalone.conf when JAVA_OPTS is not set, "-server", the module
 * system options for Java 9 and later, the boot log and logging
 * configuration, and jboss-modules with the standalone module. A test
 * compares them with the distribution's own scripts.
 */
#include "launch.h"

#include "log.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
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

static void push(struct argv_list *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			die(EXIT_OSERR, "out of memory");
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n] = strdup(s);
	if (!a->v[a->n])
		die(EXIT_OSERR, "out of memory");
	a->n++;
	a->v[a->n] = NULL;
}

__attribute__((format(printf, 2, 3)))
static void pushf(struct argv_list *a, const char *fmt, ...)
{
	va_list ap;

	char buf[PATH_MAX + 128];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	push(a, buf);
}

/* Split on blanks; JAVA_OPTS has no shell quoting here, as there is no
 * shell. */
static void push_words(struct argv_list *a, const char *text)
{
	const char *p = text;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (p > start) {
			char *w = strndup(start, (size_t)(p - start));
			if (!w)
				die(EXIT_OSERR, "out of memory");
			push(a, w);
			free(w);
		}
	}
}

/* Has this container a memory limit? cgroup v2, then v1. A v1 "no limit"
 * is a huge number rather than "max". */
static bool has_memory_limit(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");

	if (!f)
		f = fopen("/sys/fs/cgroup/memory/memory.limit_in_bytes", "r");
	if (!f)
		return false;
	bool limited = false;
	if (fgets(buf, sizeof(buf), f)) {
		if (strncmp(buf, "max", 3) != 0) {
			unsigned long long v = strtoull(buf, NULL, 10);
			limited = v > 0 && v < (1ULL << 50);
		}
	}
	fclose(f);
	return limited;
}

/* Resolve the java program: JAVA_HOME/bin/java, else "java" on PATH. */
static int find_java(const struct settings *s, char *path, size_t len)
{
	if (s->java_home) {
		snprintf(path, len, "%s/bin/java", s->java_home);
		return 0;
	}
	const char *env_path = getenv("PATH");
	if (!env_path || !*env_path)
		env_path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = env_path; *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && n + sizeof("/java") < len) {
			memcpy(path, p, n);
			memcpy(path + n, "/java", sizeof("/java"));
			if (access(path, X_OK) == 0)
				return 0;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	snprintf(path, len, "java");
	return -1;
}

/*
 * The Java feature version from the runtime's "release" file
 * (JAVA_VERSION="11.0.24"), next to bin/ of the resolved java. Returns 0
 * when unknown.
 */
static int java_feature_version(const char *java)
{
	char real[PATH_MAX], release[PATH_MAX + 16], line[256];

	if (!realpath(java, real))
		return 0;
	char *slash = strrchr(real, '/');
	if (!slash)
		return 0;
	*slash = '\0';			/* .../bin */
	slash = strrchr(real, '/');
	if (!slash)
		return 0;
	*slash = '\0';			/* the runtime's home */
	snprintf(release, sizeof(release), "%s/release", real);
	FILE *f = fopen(release, "r");
	if (!f)
		return 0;
	int version = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "JAVA_VERSION=\"", 14) == 0) {
			const char *v = line + 14;
			version = atoi(v);
			if (version == 1)	/* "1.8.0" */
				version = atoi(v + 2);
			break;
		}
	}
	fclose(f);
	return version;
}

int build_server_argv(const struct settings *s, char *const *extra, size_t n_extra,
		      struct argv_list *out)
{
	char java[PATH_MAX];
	const char *h = s->keycloak_home;

	memset(out, 0, sizeof(*out));
	if (find_java(s, java, sizeof(java)) != 0 && !s->java_home) {
		log_error("java: not found on PATH; set JAVA_HOME");
		return EXIT_EXEC_NOTFOUND;
	}
	push(out, java);
	push(out, "-D[Standalone]");
	push(out, "-server");
	/* Before JAVA_OPTS, which can name another file. */
	pushf(out, "-Djava.security.properties=%s/configuration/" JVM_SECURITY_FILE,
	      s->state_dir);
	if (s->java_opts) {
		push_words(out, s->java_opts);
	} else {
		/* bin/standalone.conf's defaults, except the heap: a fixed 512 MB
		 * ignores the container's limit. With a limit, the heap is a share
		 * of it; without one, the distribution's 512 MB. */
		push(out, "-Xms64m");
		push(out, has_memory_limit() ? "-XX:MaxRAMPercentage=70" : "-Xmx512m");
		push(out, "-XX:MetaspaceSize=96M");
		push(out, "-XX:MaxMetaspaceSize=256m");
		push(out, "-XX:+ExitOnOutOfMemoryError");
		push(out, "-Djava.net.preferIPv4Stack=true");
		push(out, "-Djboss.modules.system.pkgs=org.jboss.byteman");
		push(out, "-Djava.awt.headless=true");
	}
	if (s->java_opts_append)
		push_words(out, s->java_opts_append);
	if (java_feature_version(java) >= 9)
		for (const char *const *o = modular_jvm_options; *o; o++)
			push(out, *o);
	pushf(out, "-Dorg.jboss.boot.log.file=%s/log/server.log", s->state_dir);
	pushf(out, "-Dlogging.configuration=file:%s/configuration/logging.properties",
	      s->state_dir);
	/* A user without a passwd entry (an arbitrary uid) gets user.home "?",
	 * a relative path in the read-only server directory. */
	if (!getpwuid(getuid()))
		pushf(out, "-Duser.home=%s", s->state_dir);
	push(out, "-jar");
	pushf(out, "%s/jboss-modules.jar", h);
	push(out, "-mp");
	pushf(out, "%s/modules", h);
	push(out, "org.jboss.as.standalone");
	pushf(out, "-Djboss.home.dir=%s", h);
	pushf(out, "-Djboss.server.base.dir=%s", s->state_dir);
	push(out, "-c");
	push(out, "standalone-ha.xml");
	pushf(out, "-Djboss.bind.address=%s", s->bind_address);
	pushf(out, "-Djboss.bind.address.private=%s", s->bind_private);
	pushf(out, "-Djboss.node.name=%s", s->node_name);
	if (s->multicast_address)
		pushf(out, "-Djboss.default.multicast.address=%s", s->multicast_address);
	if (s->import_files)
		pushf(out, "-Dkeycloak.import=%s", s->import_files);
	for (size_t i = 0; i < n_extra; i++)
		push(out, extra[i]);
	return 0;
}

/*
 * The server reads its password from standalone-ha.xml; it needs none of
 * the secrets in its environment, where any child process or a crash
 * report could see them. Drop every variable whose name holds PASSWORD
 * (this also catches the POSTGRES_ENV_POSTGRES_PASSWORD a Docker link
 * injects) and the NAME_FILE pointers to secrets.
 */
char **server_environment(char *const *envp)
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	char **env = calloc(n + 1, sizeof(*env));
	if (!env)
		die(EXIT_OSERR, "out of memory");
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(envp[i], '=');
		size_t name_len = eq ? (size_t)(eq - envp[i]) : strlen(envp[i]);
		char name[256];
		if (name_len >= sizeof(name))
			name_len = sizeof(name) - 1;
		memcpy(name, envp[i], name_len);
		name[name_len] = '\0';
		if (strstr(name, "PASSWORD"))
			continue;
		env[o++] = envp[i];
	}
	env[o] = NULL;
	return env;
}

int exec_server(const struct argv_list *args, char *const *envp)
{
	execve(args->v[0], args->v, envp);
	int e = errno;
	log_error("cannot execute %s: %s", args->v[0], strerror(e));
	return e == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED;
}

void argv_free(struct argv_list *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}
