/*
 * Looking settings up in their sources, and the typed getters the loaders
 * (settings.c) use.
 *
 * A source is a layer of NAME=value entries: the command line (--set), the
 * environment, the configuration file turned into entries. The first layer
 * that has a setting wins; within a layer, the setting's synonyms must
 * agree, and NAME may not come with NAME_FILE. Each getter records the
 * value it found, and where, in the loader's provenance, so messages about
 * a value can name its source (lookup_source) and "render --print" can show
 * it. Every getter returns 0 or an exit code after logging one line (log.h).
 */
#ifndef KHP_SETTINGS_LOOKUP_H
#define KHP_SETTINGS_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"
#include "settings_names.h"

struct provenance;

/* One source of variables. */
struct layer {
	char *const *vars;	/* NAME=value, NULL-terminated */
	const int *lines;	/* file: line of vars[i]; else NULL */
	const char *where;	/* NULL: environment; "--set"; the file's path */
	bool cmdline;
};

#define MAX_LAYERS 4

struct loader {
	struct layer layers[MAX_LAYERS];	/* highest precedence first */
	size_t n_layers;
	struct provenance *shown;
	bool db_from_url;	/* servers, database and parameters came from KC_DB_URL */
};

void loader_add_layer(struct loader *ld, struct layer layer);

/* Where the value of v that a getter recorded came from ("DB_PORT (--set)"). */
const char *lookup_source(const struct loader *ld, const struct setting_vars *v);

/* The raw value of v (malloc'd; NULL when no layer has it) and its source. */
int lookup(struct loader *ld, const struct setting_vars *v, char **value, const char **source);

/* Text without control characters, at most max bytes; def when unset. */
int get_text(struct loader *ld, const struct setting_vars *v, const char *def, size_t max,
	     char **out);
/* An absolute path; def when unset. */
int get_path(struct loader *ld, const struct setting_vars *v, const char *def, char **out);
/* A number in [min, max]; def when unset (a def below min is shown as "not
 * set"). what names the kind of number in messages. */
int get_uint(struct loader *ld, const struct setting_vars *v, unsigned def, unsigned long min,
	     unsigned long max, const char *what, unsigned *out);
/* Seconds, or a number with unit s, m or h; at most max seconds. */
int get_duration(struct loader *ld, const struct setting_vars *v, unsigned def,
		 unsigned long max, unsigned *out);
/* One of choices, compared without regard to case; *out is spelled as in
 * choices, NULL when unset and def is NULL. expected is the message's list. */
int get_choice(struct loader *ld, const struct setting_vars *v, const char *def,
	       const char *const *choices, const char *expected, char **out);
/* true/false, yes/no, 1/0. */
int get_bool(struct loader *ld, const struct setting_vars *v, enum tristate *out);

/*
 * Read NAME_FILE: the whole file, one trailing newline (LF or CRLF) removed,
 * NUL bytes and files over 64 KiB refused. var names it in messages.
 */
int read_secret_file(const char *var, const char *path, char **value);

/* Look a variable up in a name=value environment; NULL when unset. */
const char *env_get(char *const *envp, const char *name);

/* KEYCLOAK_HA_LOG_LEVEL of the roles that read only the environment (the
 * PostgreSQL and balancer images): LOG_INFO when unset. Returns 0, or
 * EXIT_CONFIG after logging a line that names the variable. */
int env_log_level(char *const *envp, enum log_level *level);

#endif
