/*
 * A server generation: what turns the settings into one Keycloak
 * distribution's files and command line. The entrypoint's steps (main.c)
 * are the same for every generation; each step asks the backend of the
 * distribution in KEYCLOAK_HOME.
 *
 * Every function returns 0 or an exit code after logging one line (log.h).
 */
#ifndef KHP_BACKEND_H
#define KHP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "launch.h"
#include "settings.h"

struct http_target;
struct provenance;

struct backend {
	const char *name;	/* for messages: "WildFly" */
	/* Whether home holds a distribution of this generation. */
	bool (*recognises)(const char *home);
	/* Fill in the settings this generation decides (the state
	 * directory's default), recording them in shown. Called once, right
	 * after the settings are loaded; nothing changes them afterwards. */
	int (*complete)(struct settings *s, struct provenance *shown);
	/* Write the server's configuration: into its state directory when
	 * dir is NULL, else into the server directory dir ("render DIR"). */
	int (*configure)(const struct settings *s, const char *dir);
	/* The server's command line; extra: the arguments given after "run",
	 * passed on to the server. envp is the entrypoint's environment. */
	int (*server_argv)(const struct settings *s, char *const *envp, char *const *extra,
			   size_t n_extra, struct argv_list *out);
	/* After the database answers: what the server needs from it before
	 * it starts (the initial admin user). */
	int (*before_exec)(const struct settings *s);
	/* Where the running server says whether it is ready (the health
	 * command): address, port, path and TLS as the settings configure
	 * the server. */
	int (*readiness)(const struct settings *s, struct http_target *out);
};

/* The backend for the distribution in home. The WildFly-based generation
 * is the one of a directory that holds no recognised distribution: it is
 * the generation of the 2015 images, and its own checks name the file that
 * is missing. */
const struct backend *backend_for(const char *home);

#endif
