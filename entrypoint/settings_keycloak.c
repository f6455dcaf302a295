#include "settings_keycloak.h"

#include "log.h"
#include "settings_names.h"
#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool keycloak_option_variable(const char *option, char *var, size_t len)
{
	size_t n = strlen(option);

	if (n == 0 || n + 4 > len)
		return false;
	memcpy(var, "KC_", 3);
	for (size_t i = 0; i < n; i++) {
		char c = option[i];
		if (!isalnum((unsigned char)c) && c != '-' && c != '.')
			return false;
		var[3 + i] = c == '-' || c == '.' ? '_' : (char)toupper((unsigned char)c);
	}
	var[3 + n] = '\0';
	return true;
}

bool keycloak_variable_option(const char *var, char *option, size_t len)
{
	size_t n = strlen(var);

	if (strncmp(var, "KC_", 3) != 0 || n == 3 || n - 3 + 1 > len)
		return false;
	for (size_t i = 3; i < n; i++) {
		char c = var[i];
		if (!isalnum((unsigned char)c) && c != '_')
			return false;
		option[i - 3] = c == '_' ? '-' : (char)tolower((unsigned char)c);
	}
	option[n - 3] = '\0';
	return true;
}

/* "--name=value": the option's name and value. */
static bool split_argument(const char *arg, char *option, size_t len, const char **value)
{
	const char *eq = strchr(arg, '=');

	if (strncmp(arg, "--", 2) != 0 || !eq || eq == arg + 2 || (size_t)(eq - arg - 2) >= len)
		return false;
	memcpy(option, arg + 2, (size_t)(eq - arg - 2));
	option[eq - arg - 2] = '\0';
	*value = eq + 1;
	return true;
}

void argument_layer(const struct settings_input *in, char ***entries)
{
	size_t n = 0;

	*entries = xcalloc(in->n_server_args + 1, sizeof(**entries));
	for (size_t i = 0; i < in->n_server_args; i++) {
		char option[128], var[140];
		const char *value;
		if (!split_argument(in->server_args[i], option, sizeof(option), &value) ||
		    !keycloak_option_variable(option, var, sizeof(var)) || !settings_is_known(var))
			continue;
		size_t len = strlen(var) + strlen(value) + 2;
		char *entry = xcalloc(len, 1);
		snprintf(entry, len, "%s=%s", var, value);
		(*entries)[n++] = entry;
	}
	(*entries)[n] = NULL;
}

void free_argument_layer(char **entries)
{
	for (char **e = entries; e && *e; e++)
		free_secret(*e);
	free(entries);
}

static const char *find_variable(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static struct keycloak_option *find_option(struct keycloak_options *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->v[i].key, key) == 0)
			return &o->v[i];
	return NULL;
}

/* Keycloak's sensitive options are its passwords and secrets. */
static bool is_secret_option(const char *key)
{
	return strstr(key, "password") || strstr(key, "secret");
}

/* Keeps value (malloc'd). What a file holds counts as a secret. */
static void add_option(struct keycloak_options *o, const char *key, char *value,
		       const char *source, bool from_file, bool from_cmdline)
{
	o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
	o->v[o->n++] = (struct keycloak_option){
		.key = xstrdup(key), .value = value, .source = xstrdup(source),
		.secret = from_file || is_secret_option(key), .from_file = from_file,
		.from_cmdline = from_cmdline,
	};
}

/* The arguments first: an argument wins over the variable of its option. */
static void load_arguments(const struct settings_input *in, struct keycloak_options *o)
{
	for (size_t i = 0; i < in->n_server_args; i++) {
		char option[128], var[140];
		const char *value;
		if (!split_argument(in->server_args[i], option, sizeof(option), &value) ||
		    !keycloak_option_variable(option, var, sizeof(var)) || settings_is_known(var) ||
		    find_option(o, option))
			continue;
		add_option(o, option, xstrdup(value), "run argument", false, true);
	}
}

/*
 * Keycloak 26.7.3's options whose own names end in "-file" (kc.sh --help and
 * kc.sh start --help-all; tests/unit/options_26.sh holds this list to the
 * distribution's). KC_X_FILE of one of them is that option, a path Keycloak
 * reads itself, not the option x in a file: also where an option x exists
 * too (log and log-file, vault and vault-file). Its own file variant is
 * KC_X_FILE_FILE. An instance of a wildcard option (db-password-<datasource>
 * for a datasource named "file") does not count: KC_DB_PASSWORD_FILE stays
 * the password in a file.
 */
static const char *const file_options[] = {
	"cache-config-file", "cache-embedded-mtls-key-store-file",
	"cache-embedded-mtls-trust-store-file", "config-file", "db-mtls-key-store-file",
	"db-tls-trust-store-file", "https-certificate-file", "https-certificate-key-file",
	"https-key-store-file", "https-management-certificate-file",
	"https-management-certificate-key-file", "https-management-key-store-file",
	"https-management-trust-store-file", "https-trust-store-file", "log-file", "vault-file",
};

static bool is_file_option(const char *option)
{
	for (size_t i = 0; i < sizeof(file_options) / sizeof(file_options[0]); i++)
		if (strcmp(option, file_options[i]) == 0)
			return true;
	return false;
}

/* Whether name (KC_X_FILE) is the variable of a Keycloak option x held in a
 * file rather than that of an option x-file. */
static bool is_file_variable(const char *name)
{
	char option[160];
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, "_FILE") == 0 &&
	       !(keycloak_variable_option(name, option, sizeof(option)) &&
		 is_file_option(option));
}

/* One KC_ variable (not a setting's); name is its name without "=value". */
static int load_variable(const struct settings_input *in, const char *name, const char *value,
			 struct keycloak_options *o)
{
	char base[160], option[160];
	size_t n = strlen(name);
	bool file = is_file_variable(name);

	snprintf(base, sizeof(base), "%.*s", (int)(file ? n - 5 : n), name);
	if (settings_is_known(base) || !keycloak_variable_option(base, option, sizeof(option)))
		return 0;
	/* Keycloak would read its configuration from that file, but the
	 * entrypoint's --config-file wins: the variable would do nothing. */
	if (strcmp(option, "config-file") == 0) {
		log_error("%s: Keycloak reads the keycloak.conf the entrypoint writes; set "
			  "options as KC_ variables or in the distribution's conf/keycloak.conf",
			  name);
		return EXIT_CONFIG;
	}
	if (file && find_variable(in->envp, base)) {
		log_error("%s and %s are both set; set only one", base, name);
		return EXIT_CONFIG;
	}
	/* An argument for the option wins over both. */
	if (find_option(o, option))
		return 0;
	if (!file) {
		add_option(o, option, xstrdup(value), base, false, false);
		return 0;
	}
	char *content;
	int rc = read_secret_file(name, value, &content);
	if (rc == 0)
		add_option(o, option, content, name, true, false);
	return rc;
}

int load_keycloak_options(const struct settings_input *in, struct keycloak_options *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	load_arguments(in, out);
	for (char *const *e = in->envp; e && *e && rc == 0; e++) {
		char name[160];
		size_t n = strcspn(*e, "=");
		if (strncmp(*e, "KC_", 3) != 0 || !(*e)[n] || n >= sizeof(name))
			continue;
		memcpy(name, *e, n);
		name[n] = '\0';
		rc = load_variable(in, name, *e + n + 1, out);
	}
	return rc;
}

void free_keycloak_options(struct keycloak_options *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].key);
		free(o->v[i].source);
		free_secret(o->v[i].value);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}
