/*
 * Launching the server: the java command line that bin/standalone.sh would
 * build, executed directly so that the JVM is the container's main process
 * and receives signals itself.
 */
#ifndef KHP_LAUNCH_H
#define KHP_LAUNCH_H

#include "settings.h"

/* The JVM security properties file that render writes next to
 * standalone-ha.xml, and the server's command line names. */
#define JVM_SECURITY_FILE "keycloak-ha-java.security"

struct argv_list {
	char **v;
	size_t n, cap;
};

/* Build the server's argv (java first). extra: arguments given after
 * "run", passed on to the server. Returns 0 or an exit code. */
int build_server_argv(const struct settings *s, char *const *extra, size_t n_extra,
		      struct argv_list *out);

/* The environment the server gets: envp without secrets. */
char **server_environment(char *const *envp);

/* exec the server; returns only on failure, with an exit code. */
int exec_server(const struct argv_list *args, char *const *envp);

void argv_free(struct argv_list *a);

#endif
