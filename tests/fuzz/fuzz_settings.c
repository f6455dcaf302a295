/*
 * Fuzz the settings: the input is an environment, one NAME=value per line,
 * whose values go through every validator. A line "@SECRET" splits off the
 * rest of the input as the content of a secret file, read through
 * DB_PASSWORD_FILE the way a Docker or Kubernetes secret is.
 */
#include "log.h"
#include "provenance.h"
#include "settings.h"
#include "settings_file.h"
#include "settings_names.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char secret_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_stream = fopen("/dev/null", "w");
	snprintf(secret_path, sizeof(secret_path), "/tmp/fuzz-settings-%ld", (long)getpid());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *secret = NULL;
	char *env[64];
	size_t n = 0;
	char file_var[96];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *mark = strstr(text, "\n@SECRET\n");
	if (mark) {
		*mark = '\0';
		secret = mark + 9;
		FILE *f = fopen(secret_path, "w");
		if (f) {
			fwrite(secret, 1, size - (size_t)(secret - text), f);
			fclose(f);
		}
		snprintf(file_var, sizeof(file_var), "DB_PASSWORD_FILE=%s", secret_path);
		env[n++] = file_var;
	}
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < 62;
	     line = strtok_r(NULL, "\n", &save))
		env[n++] = line;
	env[n] = NULL;

	struct settings s;
	struct provenance shown = { 0 };
	struct settings_input in = { .envp = env };
	settings_load(&s, &shown, &in);
	settings_free(&s);
	provenance_free(&shown);
	settings_warn_unknown(env);
	free(text);
	return 0;
}
