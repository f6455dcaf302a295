/*
 * The clustered standalone-ha.xml, rendered by splicing the distribution's
 * own file.
 *
 * The distribution's document is parsed once (xml.c) and its subsystems are
 * edited: always the datasources, JGroups and Infinispan ones; the
 * keycloak-server (schema, hostname), undertow (proxy headers) and logging
 * ones only for the settings that ask for it, so that an unset setting
 * leaves the distribution's choice in place. The edits are collected first
 * (wildfly_edit.h), then applied in order while copying the original, so
 * everything outside them (comments, layout, the other subsystems) stays
 * byte for byte as the distribution wrote it, and the same input always
 * gives the same output. The result is parsed again before it is returned.
 *
 * Values from the settings are checked before they are written: XML cannot
 * carry control characters, WildFly resolves "${...}" in most values (so a
 * literal "${" in a credential is escaped the way WildFly unescapes it), the
 * JDBC URL is percent-encoded where the driver decodes it (jdbc_url.c), and
 * names that become element or attribute content must look like names.
 * Messages name the setting, never its value.
 */
#include "wildfly.h"

#include "log.h"
#include "wildfly_edit.h"
#include "xml.h"

#include <stdlib.h>
#include <string.h>

/* Copy the document with the edits applied, in offset order. */
static int apply_edits(struct render *r, struct buf *out)
{
	size_t pos = 0;

	/* Insertion sort, stable: edits at one offset keep their order. */
	for (size_t i = 1; i < r->n_edits; i++) {
		struct edit e = r->edits[i];
		size_t j = i;

		for (; j > 0 && r->edits[j - 1].start > e.start; j--)
			r->edits[j] = r->edits[j - 1];
		r->edits[j] = e;
	}
	for (size_t i = 0; i < r->n_edits; i++) {
		const struct edit *e = &r->edits[i];

		if (e->start < pos || e->end < e->start || e->end > r->doc.len)
			return refuse(r, EXIT_SOFTWARE, "overlapping edits of standalone-ha.xml");
		if (e->text.failed)
			return out_of_memory(r);
		buf_add(out, r->doc.text + pos, e->start - pos);
		buf_add(out, e->text.data ? e->text.data : "", e->text.len);
		pos = e->end;
	}
	buf_add(out, r->doc.text + pos, r->doc.len - pos);
	return out->failed ? out_of_memory(r) : 0;
}

/* Every subsystem's edits, then the document with them applied. */
static int render_document(struct render *r, struct buf *result)
{
	struct xml_element root;
	int code;

	if (xml_parse(&r->doc, r->doc.text, r->doc.len, &root) != 0)
		return malformed(r);
	if (!xml_name_is(&r->doc, &root, "server"))
		return refuse(r, EXIT_NOINPUT,
			      "standalone-ha.xml: the root element is not <server>");
	if ((code = require_child(r, &root, "profile", NULL, NULL, XML_EXACT, &r->profile,
				  "<profile>")) ||
	    (code = render_datasources(r)) || (code = render_jgroups(r)) ||
	    (code = render_caches(r)) || (code = render_keycloak_server(r)) ||
	    (code = render_undertow(r)) || (code = render_logging(r)) ||
	    (code = apply_edits(r, result)))
		return code;
	/* The splice must not have broken the document. */
	struct xml_doc check;
	struct xml_element check_root;
	if (xml_parse(&check, result->data, result->len, &check_root) != 0)
		return refuse(r, EXIT_SOFTWARE, "rendered standalone-ha.xml is not well-formed at "
			      "byte %zu: %s", check.err_offset, check.err_msg);
	return 0;
}

int render_standalone_ha(const struct settings *s, const char *dist, size_t dist_len,
			 char **out, size_t *out_len)
{
	struct render r = { .s = s, .doc = { .text = dist, .len = dist_len } };
	struct buf result = { 0 };

	strcpy(r.unit, "    ");
	*out = NULL;
	*out_len = 0;
	int code = render_document(&r, &result);
	if (code == 0) {
		*out = result.data;
		*out_len = result.len;
		result.data = NULL;
	}
	for (size_t i = 0; i < r.n_edits; i++)
		buf_free(&r.edits[i].text);
	free(r.edits);
	buf_free(&result);
	return code;
}
