#include "settings_file.h"

#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "settings_names.h"
#include "text.h"

#include <libconfig.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A configuration file larger than this is a mistake. */
#define CONFIG_FILE_MAX (1024 * 1024)
/* Settings in it, group members included: far more than there are, and
 * few enough that libconfig's quadratic duplicate check stays cheap. */
#define CONFIG_MAX_SETTINGS 1000

void settings_config_free(struct config_entries *f)
{
	for (size_t i = 0; i < f->n; i++)
		free_secret(f->vars[i]);
	free(f->vars);
	free(f->lines);
	memset(f, 0, sizeof(*f));
}

static void add_entry(struct config_entries *f, char *var, int line)
{
	f->vars = xrealloc(f->vars, (f->n + 2) * sizeof(*f->vars));
	f->lines = xrealloc(f->lines, (f->n + 1) * sizeof(*f->lines));
	f->vars[f->n] = var;
	f->lines[f->n++] = line;
	f->vars[f->n] = NULL;
}

/* One scalar (string, integer, boolean) as the text a variable would hold. */
static bool scalar_text(const config_setting_t *c, char *num, size_t len, const char **out)
{
	switch (config_setting_type(c)) {
	case CONFIG_TYPE_STRING:
		*out = config_setting_get_string(c);
		return true;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(num, len, "%lld", (long long)config_setting_get_int64(c));
		*out = num;
		return true;
	case CONFIG_TYPE_BOOL:
		*out = config_setting_get_bool(c) ? "true" : "false";
		return true;
	default:
		return false;
	}
}

/* A list or an array of scalars, joined with ',' (DB_ADDR = ["db1:5432",
 * "db2:5432"]); a group as name=value pairs (JGROUPS_DISCOVERY_PROPERTIES =
 * { initial_hosts = "..." }). */
static int add_aggregate(const char *path, const config_setting_t *c, struct buf *var)
{
	bool group = config_setting_type(c) == CONFIG_TYPE_GROUP;
	int n = config_setting_length(c);
	char num[32];
	const char *text;

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(c, (unsigned)i);
		if (!scalar_text(e, num, sizeof(num), &text)) {
			log_error("%s:%d: %s: expected strings, numbers or booleans inside", path,
				  (int)config_setting_source_line(e), config_setting_name(c));
			return EXIT_CONFIG;
		}
		if (i)
			buf_adds(var, ",");
		if (group) {
			buf_adds(var, config_setting_name(e));
			buf_adds(var, "=");
		}
		/* A property value with a comma is quoted, as in the variable's
		 * own syntax. */
		bool quote = group && strchr(text, ',');
		if (quote)
			buf_adds(var, "\"");
		buf_adds(var, text);
		if (quote)
			buf_adds(var, "\"");
	}
	return 0;
}

/* One entry of the file as NAME=value. */
static int file_entry(const char *path, const config_setting_t *c, struct config_entries *f)
{
	const char *name = config_setting_name(c);
	int line = (int)config_setting_source_line(c);
	struct buf var = { 0 };
	char num[32];
	const char *text;
	int rc = 0;

	buf_adds(&var, name);
	buf_adds(&var, "=");
	if (scalar_text(c, num, sizeof(num), &text)) {
		buf_adds(&var, text);
	} else if (config_setting_is_aggregate(c)) {
		rc = add_aggregate(path, c, &var);
	} else {
		log_error("%s:%d: %s: expected a string, a number, a boolean, a list or a group",
			  path, line, name);
		rc = EXIT_CONFIG;
	}
	if (rc == 0 && var.failed)
		die_out_of_memory();
	if (rc) {
		free_secret(var.data);
		return rc;
	}
	add_entry(f, var.data, line);
	return 0;
}

/* Only the one file: an @include would read files nobody named. */
static const char **refuse_include(config_t *cfg, const char *dir, const char *path,
				   const char **error)
{
	(void)cfg;
	(void)dir;
	(void)path;
	*error = "@include is not supported; put every setting in this file";
	return NULL;
}

/*
 * The number of settings in a configuration file: its '=' and ':' outside
 * strings and comments. libconfig checks each new setting against every
 * earlier one of its group, so its time grows with the square of that
 * number; the file is refused before it is parsed when there are too many.
 */
static size_t count_assignments(const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				break;
		} else if (*p == '#' || (*p == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		} else if (*p == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			if (!end)
				break;
			p = end + 1;
		} else if (*p == '=' || *p == ':') {
			n++;
		}
	}
	return n;
}

/* Every name must be a variable some setting reads; a file others can read
 * must not hold a secret. */
static int check_name(const char *path, int line, const char *name, bool world_readable)
{
	if (!settings_is_known(name)) {
		const char *near = settings_closest(name);
		log_error("%s:%d: %s is not a setting%s%s%s", path, line, name,
			  near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
		return EXIT_CONFIG;
	}
	if (world_readable && settings_is_secret(name)) {
		log_error("%s:%d: %s is a secret, but the file can be read by every user; "
			  "make it readable by its owner only, or use %s_FILE", path, line, name,
			  name);
		return EXIT_CONFIG;
	}
	return 0;
}

int settings_parse_config(const char *path, const char *text, bool world_readable,
			  struct config_entries *f)
{
	config_t cfg;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (count_assignments(text) > CONFIG_MAX_SETTINGS) {
		log_error("%s: more than %d settings", path, CONFIG_MAX_SETTINGS);
		return EXIT_CONFIG;
	}
	config_init(&cfg);
	config_set_include_func(&cfg, refuse_include);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		log_error("%s:%d: %s", path, config_error_line(&cfg),
			  config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
		config_destroy(&cfg);
		return EXIT_CONFIG;
	}
	const config_setting_t *root = config_root_setting(&cfg);
	int n = config_setting_length(root);
	for (int i = 0; i < n && !rc; i++) {
		const config_setting_t *c = config_setting_get_elem(root, (unsigned)i);
		rc = check_name(path, (int)config_setting_source_line(c), config_setting_name(c),
				world_readable);
		if (rc == 0)
			rc = file_entry(path, c, f);
	}
	config_destroy(&cfg);
	if (rc)
		settings_config_free(f);
	return rc;
}

int settings_read_config(const char *path, bool required, struct config_entries *f)
{
	char *text;
	size_t len;
	struct stat st;

	memset(f, 0, sizeof(*f));
	int e = read_file(path, CONFIG_FILE_MAX, &text, &len);
	if (e == ENOENT && !required)
		return 0;
	if (e == EFBIG) {
		log_error("%s: larger than %d bytes", path, CONFIG_FILE_MAX);
		return EXIT_CONFIG;
	}
	if (e) {
		log_error("%s: cannot read: %s", path, strerror(e));
		return EXIT_NOINPUT;
	}
	if (memchr(text, '\0', len)) {
		free(text);
		log_error("%s: contains a NUL byte", path);
		return EXIT_CONFIG;
	}
	bool world = stat(path, &st) == 0 && (st.st_mode & S_IROTH);
	int rc = settings_parse_config(path, text, world, f);
	free_secret(text);
	return rc;
}
