/*
 * Fuzz the configuration file: libconfig's parser and the conversion of
 * its entries into settings, then the settings loaded from them.
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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_stream = fopen("/dev/null", "w");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct config_entries f;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (settings_parse_config("fuzz.conf", text, size % 2, &f) == 0) {
		/* The entries, validated as settings. */
		struct settings s;
		struct provenance shown = { 0 };
		struct settings_input in = { .envp = f.vars };
		settings_load(&s, &shown, &in);
		settings_free(&s);
		provenance_free(&shown);
		settings_config_free(&f);
	}
	free(text);
	return 0;
}
