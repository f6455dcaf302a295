/*
 * What every server generation's java command line needs to know about the
 * JVM and the container it runs in.
 */
#ifndef KHP_JVM_H
#define KHP_JVM_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

/* The java program: JAVA_HOME/bin/java, else "java" on PATH (envp's).
 * Returns 0, or an exit code after logging. */
int find_java(const struct server_settings *srv, char *const *envp, char *path, size_t len);

/* The Java feature version (11, 21) from the runtime's "release" file next
 * to the bin/ of java; 0 when unknown. */
int java_feature_version(const char *java);

/* Whether this container has a memory limit (cgroup v2, then v1). */
bool has_memory_limit(void);

/* The security properties file both generations' java reads through
 * -Djava.security.properties: how long name lookups are remembered. */
extern const char jvm_security_properties[];
extern const size_t jvm_security_properties_len;

#endif
