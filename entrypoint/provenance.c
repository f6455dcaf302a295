#include "provenance.h"

#include "settings.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

static struct shown_setting *find(const struct provenance *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	return NULL;
}

void provenance_record(struct provenance *p, const char *name, const char *value,
		       const char *source)
{
	struct shown_setting *sh = find(p, name);

	if (!sh) {
		p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
		sh = &p->items[p->n++];
		sh->name = name;
	} else {
		free(sh->value);
	}
	sh->value = value ? xstrdup(value) : NULL;
	sh->source = source;
}

const char *provenance_source(const struct provenance *p, const char *name)
{
	const struct shown_setting *sh = find(p, name);

	return sh ? sh->source : "default";
}

const char *provenance_keep(struct provenance *p, char *str)
{
	p->owned = xrealloc(p->owned, (p->n_owned + 1) * sizeof(*p->owned));
	p->owned[p->n_owned++] = str;
	return str;
}

void provenance_free(struct provenance *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].value);
	free(p->items);
	for (size_t i = 0; i < p->n_owned; i++)
		free(p->owned[i]);
	free(p->owned);
	memset(p, 0, sizeof(*p));
}

void settings_print(const struct settings *s, const struct provenance *p, FILE *out)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct shown_setting *sh = &p->items[i];
		if (sh->value)
			fprintf(out, "%s=%s\t(%s)\n", sh->name, sh->value, sh->source);
		else if (strcmp(sh->source, "default") == 0)
			fprintf(out, "%s is not set\t(%s)\n", sh->name, sh->source);
		else
			fprintf(out, "%s=********\t(%s)\n", sh->name, sh->source);
	}
	for (size_t i = 0; i < s->db.n_addrs; i++)
		fprintf(out, "DB_ADDR[%zu]=%s port %u\n", i, s->db.addrs[i].host,
			s->db.addrs[i].port);
	for (size_t i = 0; i < s->cluster.n_properties; i++)
		fprintf(out, "JGROUPS_DISCOVERY_PROPERTIES[%s]=%s\n",
			s->cluster.properties[i].name, s->cluster.properties[i].value);
	for (size_t i = 0; i < s->keycloak.n; i++) {
		const struct keycloak_option *o = &s->keycloak.v[i];
		fprintf(out, "Keycloak option %s=%s\t(%s)\n", o->key,
			o->secret ? "********" : o->value, o->source);
	}
}
