/*
 * The configuration file (libconfig syntax), turned into NAME=value entries
 * that the loader reads as one more layer, below the environment. Its names
 * are the variables' names: a file is what a set of variables would be.
 */
#ifndef KHP_SETTINGS_FILE_H
#define KHP_SETTINGS_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* The entries of a configuration file, as NAME=value with their lines. */
struct config_entries {
	char **vars;	/* NULL-terminated */
	int *lines;
	size_t n;
};

/*
 * Parse the text of a configuration file (path only names it in messages).
 * Each entry is a known variable's name with a string, number, boolean,
 * list (joined with ',') or group (name=value pairs). A file that others
 * can read (world_readable) must not hold a secret. Returns 0, or an exit
 * code after logging one line "PATH:LINE: ...".
 */
int settings_parse_config(const char *path, const char *text, bool world_readable,
			  struct config_entries *f);

/*
 * Read and parse the file at path. A missing file is no error unless
 * required (then *f is empty).
 */
int settings_read_config(const char *path, bool required, struct config_entries *f);

/* Overwrites the entries (they may hold secrets), then frees them. */
void settings_config_free(struct config_entries *f);

#endif
