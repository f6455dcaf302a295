#include "jvm.h"

#include "process.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int find_java(const struct server_settings *srv, char *const *envp, char *path, size_t len)
{
	if (srv->java_home) {
		snprintf(path, len, "%s/bin/java", srv->java_home);
		return 0;
	}
	return find_program("java", envp, "set JAVA_HOME", path, len);
}

int java_feature_version(const char *java)
{
	char real[PATH_MAX], release[PATH_MAX + 16], line[256];

	if (!realpath(java, real))
		return 0;
	/* real is HOME/bin/java. */
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(real, '/');
		if (!slash)
			return 0;
		*slash = '\0';
	}
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

/* A cgroup v1 "no limit" is a huge number rather than "max". */
bool has_memory_limit(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");

	if (!f)
		f = fopen("/sys/fs/cgroup/memory/memory.limit_in_bytes", "r");
	if (!f)
		return false;
	bool limited = false;
	if (fgets(buf, sizeof(buf), f) && strncmp(buf, "max", 3) != 0) {
		unsigned long long v = strtoull(buf, NULL, 10);
		limited = v > 0 && v < (1ULL << 50);
	}
	fclose(f);
	return limited;
}

/*
 * Name lookups, as the nodes' database and peers move:
 * - a failed lookup is not remembered (the JDK's java.security: 10 s). One
 *   lost DNS answer, as an engine's DNS server gives while it reloads for a
 *   container that starts, would otherwise fail every connection to the
 *   database for that long, more than the datasource's retries;
 * - an answer is kept 5 s, not the JDK's 30 s. A restarted PostgreSQL
 *   container comes back at a new address (podman, compose); until the old
 *   answer expires every new connection goes to the old address and hangs
 *   for the driver's connect timeout, so logins failed for 30 s after the
 *   database was back.
 */
const char jvm_security_properties[] =
	"# Written by keycloak-ha-postgres at every start; java reads it\n"
	"# through -Djava.security.properties.\n"
	"networkaddress.cache.negative.ttl=0\n"
	"networkaddress.cache.ttl=5\n";
const size_t jvm_security_properties_len = sizeof(jvm_security_properties) - 1;
