/*
 * Where each effective setting came from, for "render --print" and for
 * messages that name a value's source: "DB_PORT (/etc/.../keycloak-ha.conf:3)",
 * "CACHE_OWNERS_COUNT (--set)", "DB_PASSWORD_FILE", "default". It is kept
 * beside the settings, not in them: the later stages need the values only.
 */
#ifndef KHP_PROVENANCE_H
#define KHP_PROVENANCE_H

#include <stddef.h>
#include <stdio.h>

struct settings;

struct shown_setting {
	const char *name;	/* the setting's canonical variable */
	char *value;		/* NULL: a secret, or not set */
	const char *source;	/* where it was read, or "default" */
};

struct provenance {
	struct shown_setting *items;	/* in the order they were recorded */
	size_t n;
	char **owned;			/* strings the sources point into */
	size_t n_owned;
};

/*
 * Record name = value from source (value NULL: a secret, or not set).
 * Recording a name again replaces its value and source in place, so a value
 * derived later (a node name taken from the host name) is shown where the
 * setting is.
 */
void provenance_record(struct provenance *p, const char *name, const char *value,
		       const char *source);

/* The source recorded for name; "default" when none was. */
const char *provenance_source(const struct provenance *p, const char *name);

/* Keep str (malloc'd) for as long as p lives; returns it. */
const char *provenance_keep(struct provenance *p, char *str);

void provenance_free(struct provenance *p);

/* Every effective value with its source, secrets masked, then the lists
 * (database servers, discovery properties) one entry a line. */
void settings_print(const struct settings *s, const struct provenance *p, FILE *out);

#endif
