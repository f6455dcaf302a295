#include "settings_lookup.h"

#include "check.h"
#include "fsutil.h"
#include "log.h"
#include "provenance.h"
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A secret file larger than this is certainly not a password. */
#define SECRET_FILE_MAX 65536

void loader_add_layer(struct loader *ld, struct layer layer)
{
	if (ld->n_layers < MAX_LAYERS)
		ld->layers[ld->n_layers++] = layer;
}

const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

int env_log_level(char *const *envp, enum log_level *level)
{
	const char *v = env_get(envp, "KEYCLOAK_HA_LOG_LEVEL");
	char q[QUOTE_BUF];

	*level = LOG_INFO;
	if (v && !log_level_parse(v, level)) {
		log_error("KEYCLOAK_HA_LOG_LEVEL: expected one of error, warn, info, debug, got %s",
			  quote_value(v, q, sizeof(q)));
		return EXIT_CONFIG;
	}
	return 0;
}

static int env_index(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return i;
	return -1;
}

/* The name of where a value came from, as messages and --print show it. */
static const char *source_name(struct loader *ld, const struct layer *l, const char *var,
			       int line)
{
	char buf[PATH_MAX + 160];

	if (!l->where)
		return provenance_keep(ld->shown, xstrdup(var));
	if (l->cmdline)
		snprintf(buf, sizeof(buf), "%s (%s)", var, l->where);
	else
		snprintf(buf, sizeof(buf), "%s (%s:%d)", var, l->where, line);
	return provenance_keep(ld->shown, xstrdup(buf));
}

const char *lookup_source(const struct loader *ld, const struct setting_vars *v)
{
	return provenance_source(ld->shown, v->names[0]);
}

int read_secret_file(const char *var, const char *path, char **value)
{
	char *data;
	size_t len;
	int e = read_file(path, SECRET_FILE_MAX, &data, &len);

	if (e == EFBIG) {
		log_error("%s: %s is larger than %d bytes", var, path, SECRET_FILE_MAX);
		return EXIT_CONFIG;
	}
	if (e) {
		log_error("%s: cannot read %s: %s", var, path, strerror(e));
		return EXIT_NOINPUT;
	}
	if (memchr(data, '\0', len)) {
		free(data);
		log_error("%s: %s contains a NUL byte", var, path);
		return EXIT_CONFIG;
	}
	if (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	if (len > 0 && data[len - 1] == '\r')
		data[--len] = '\0';
	*value = data;
	return 0;
}

/* One variable of a setting as one layer has it: from NAME, or from the
 * file NAME_FILE names. */
struct layer_value {
	const char *value;	/* NULL: neither is set */
	const char *var;	/* NAME or NAME_FILE */
	int line;
	char *owned;		/* the file's content, when it came from one */
};

static int read_variable(struct loader *ld, const struct layer *l, const struct setting_vars *v,
			 size_t i, char *file_var, size_t file_var_len, struct layer_value *out)
{
	const char *name = v->names[i];
	int idx = env_index(l->vars, name);

	*out = (struct layer_value){ .var = name };
	if (idx >= 0) {
		out->value = l->vars[idx] + strlen(name) + 1;
		out->line = l->lines ? l->lines[idx] : 0;
	}
	if (out->value && l->cmdline && (v->flags & V_SECRET)) {
		bool set = strcmp(l->where, "--set") == 0;
		log_error("%s (%s): a secret on the command line is visible to every process; "
			  "use %s%s_FILE%s", name, l->where, set ? "--set " : "", name,
			  set ? "=PATH" : "");
		return EXIT_CONFIG;
	}
	if (!(v->flags & V_FILE))
		return 0;
	snprintf(file_var, file_var_len, "%s_FILE", name);
	int fidx = env_index(l->vars, file_var);
	if (fidx < 0)
		return 0;
	if (out->value) {
		log_error("%s and %s are both set; set only one", name, file_var);
		return EXIT_CONFIG;
	}
	const char *path = l->vars[fidx] + strlen(file_var) + 1;
	const char *src = source_name(ld, l, file_var, l->lines ? l->lines[fidx] : 0);
	if (!*path) {
		log_error("%s: is empty; expected the path of a file", src);
		return EXIT_CONFIG;
	}
	int rc = read_secret_file(src, path, &out->owned);
	if (rc)
		return rc;
	out->value = out->owned;
	out->var = file_var;
	out->line = l->lines ? l->lines[fidx] : 0;
	return 0;
}

/* Two synonyms set in one layer must agree. */
static int check_agree(const struct setting_vars *v, const struct layer_value *a,
		       const struct layer_value *b)
{
	char q1[QUOTE_BUF], q2[QUOTE_BUF];

	if (strcmp(a->value, b->value) == 0)
		return 0;
	if (v->flags & V_SECRET)
		log_error("%s conflicts with %s: both are set and differ; set only one", a->var,
			  b->var);
	else
		log_error("%s=%s conflicts with %s=%s; set only one, or make them equal", a->var,
			  quote_value(a->value, q1, sizeof(q1)), b->var,
			  quote_value(b->value, q2, sizeof(q2)));
	return EXIT_CONFIG;
}

/*
 * The value of one setting among its synonyms in one layer: *value a
 * malloc'd copy (NULL when no variable is set), *source where it came from.
 */
static int lookup_layer(struct loader *ld, const struct layer *l, const struct setting_vars *v,
			char **value, const char **source)
{
	char file_vars[SETTING_MAX_NAMES][128];
	struct layer_value found = { 0 }, other;
	int rc = 0;

	*value = NULL;
	*source = NULL;
	for (size_t i = 0; rc == 0 && i < SETTING_MAX_NAMES && v->names[i]; i++) {
		rc = read_variable(ld, l, v, i, file_vars[i], sizeof(file_vars[i]), &other);
		if (rc || !other.value)
			continue;
		if (!found.value) {
			found = other;
			continue;
		}
		rc = check_agree(v, &found, &other);
		free_secret(other.owned);
	}
	if (rc || !found.value) {
		free_secret(found.owned);
		return rc;
	}
	*source = source_name(ld, l, found.var, found.line);
	if (!*found.value && !(v->flags & V_EMPTY_OK)) {
		free_secret(found.owned);
		log_error("%s: is empty", *source);
		return EXIT_CONFIG;
	}
	*value = found.owned ? found.owned : xstrdup(found.value);
	return 0;
}

int lookup(struct loader *ld, const struct setting_vars *v, char **value, const char **source)
{
	for (size_t i = 0; i < ld->n_layers; i++) {
		int rc = lookup_layer(ld, &ld->layers[i], v, value, source);
		if (rc || *value)
			return rc;
	}
	return 0;
}

static void record(struct loader *ld, const struct setting_vars *v, const char *value,
		   const char *source)
{
	provenance_record(ld->shown, v->names[0], (v->flags & V_SECRET) ? NULL : value, source);
}

int get_text(struct loader *ld, const struct setting_vars *v, const char *def, size_t max,
	     char **out)
{
	const char *source;
	char q[QUOTE_BUF];
	int rc = lookup(ld, v, out, &source);

	if (rc)
		return rc;
	if (!*out) {
		*out = def ? xstrdup(def) : NULL;
		source = "default";
	} else if (has_control_chars(*out)) {
		if (v->flags & V_SECRET)
			log_error("%s: contains a control character", source);
		else
			log_error("%s: contains a control character: %s", source,
				  quote_value(*out, q, sizeof(q)));
		free_secret(*out);
		*out = NULL;
		return EXIT_CONFIG;
	} else if (strlen(*out) > max) {
		log_error("%s: is longer than %zu bytes", source, max);
		free_secret(*out);
		*out = NULL;
		return EXIT_CONFIG;
	}
	record(ld, v, *out, source);
	return 0;
}

int get_path(struct loader *ld, const struct setting_vars *v, const char *def, char **out)
{
	int rc = get_text(ld, v, def, PATH_MAX / 2, out);

	if (rc == 0 && *out && (*out)[0] != '/') {
		log_error("%s: expected an absolute path", lookup_source(ld, v));
		return EXIT_CONFIG;
	}
	return rc;
}

/* A number's raw value; when no layer has it, *out is def, shown as
 * shown_def (NULL: "not set"), and *val is NULL. */
static int lookup_number(struct loader *ld, const struct setting_vars *v, unsigned def,
			 const char *shown_def, unsigned *out, char **val, const char **source)
{
	int rc = lookup(ld, v, val, source);

	if (rc == 0 && !*val) {
		*out = def;
		record(ld, v, shown_def, "default");
	}
	return rc;
}

int get_uint(struct loader *ld, const struct setting_vars *v, unsigned def, unsigned long min,
	     unsigned long max, const char *what, unsigned *out)
{
	char *val;
	const char *source;
	char q[QUOTE_BUF], num[16];

	snprintf(num, sizeof(num), "%u", def);
	/* A default outside the range means "not set". */
	int rc = lookup_number(ld, v, def, def < min ? NULL : num, out, &val, &source);
	if (rc || !val)
		return rc;
	if (!parse_uint(val, min, max, out)) {
		log_error("%s: expected %s (%lu-%lu), got %s", source, what, min, max,
			  quote_value(val, q, sizeof(q)));
		free(val);
		return EXIT_CONFIG;
	}
	record(ld, v, val, source);
	free(val);
	return 0;
}

int get_duration(struct loader *ld, const struct setting_vars *v, unsigned def,
		 unsigned long max, unsigned *out)
{
	char *val;
	const char *source;
	char q[QUOTE_BUF], shown[24];

	snprintf(shown, sizeof(shown), "%us", def);
	int rc = lookup_number(ld, v, def, shown, out, &val, &source);
	if (rc || !val)
		return rc;
	size_t n = strlen(val);
	unsigned long unit = 1;
	char last = n ? val[n - 1] : '\0';
	if (last == 's' || last == 'm' || last == 'h') {
		unit = last == 's' ? 1 : last == 'm' ? 60 : 3600;
		val[n - 1] = '\0';
	}
	unsigned num;
	if (!parse_uint(val, 0, max / unit, &num)) {
		if (unit != 1 || last == 's')
			val[n - 1] = last;
		log_error("%s: expected a duration such as 300, 90s, 5m or 1h (at most %lu s), "
			  "got %s", source, max, quote_value(val, q, sizeof(q)));
		free(val);
		return EXIT_CONFIG;
	}
	*out = num * (unsigned)unit;
	snprintf(shown, sizeof(shown), "%us", *out);
	record(ld, v, shown, source);
	free(val);
	return 0;
}

int get_choice(struct loader *ld, const struct setting_vars *v, const char *def,
	       const char *const *choices, const char *expected, char **out)
{
	char q[QUOTE_BUF];
	int rc = get_text(ld, v, def, 64, out);

	if (rc || !*out)
		return rc;
	for (const char *const *c = choices; *c; c++) {
		if (strcasecmp(*out, *c) == 0) {
			free(*out);
			*out = xstrdup(*c);
			record(ld, v, *c, lookup_source(ld, v));
			return 0;
		}
	}
	log_error("%s: expected %s, got %s", lookup_source(ld, v), expected,
		  quote_value(*out, q, sizeof(q)));
	free(*out);
	*out = NULL;
	return EXIT_CONFIG;
}

int get_bool(struct loader *ld, const struct setting_vars *v, enum tristate *out)
{
	static const char *const choices[] = { "true", "false", "yes", "no", "1", "0", NULL };
	char *val;
	int rc = get_choice(ld, v, NULL, choices, "true or false", &val);

	if (rc)
		return rc;
	*out = !val ? TRI_UNSET : (strcmp(val, "true") == 0 || strcmp(val, "yes") == 0 ||
				   strcmp(val, "1") == 0) ? TRI_TRUE : TRI_FALSE;
	free(val);
	return 0;
}
