/* The editing machinery of the standalone-ha.xml renderer (wildfly_edit.h). */
#include "wildfly_edit.h"

#include "log.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int refuse(struct render *r, int code, const char *fmt, ...)
{
	va_list ap;

	(void)r;
	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
	return code;
}

int malformed(struct render *r)
{
	return refuse(r, EXIT_NOINPUT, "standalone-ha.xml is not well-formed XML at byte %zu: %s",
		      r->doc.err_offset, r->doc.err_msg ? r->doc.err_msg : "unknown error");
}

int out_of_memory(struct render *r)
{
	return refuse(r, EXIT_OSERR, "out of memory rendering standalone-ha.xml");
}

struct buf *add_edit(struct render *r, size_t start, size_t end)
{
	r->edits = xrealloc(r->edits, (r->n_edits + 1) * sizeof(*r->edits));
	struct edit *e = &r->edits[r->n_edits++];
	e->start = start;
	e->end = end;
	memset(&e->text, 0, sizeof(e->text));
	return &e->text;
}

int edit_attr(struct render *r, const struct xml_element *el, const char *name,
	      const char *value)
{
	struct buf *b = add_edit(r, el->start, el->tag_end);

	if (xml_set_attr(&r->doc, el, name, value, b) != XML_ESCAPE_OK)
		return b->failed ? out_of_memory(r) : malformed(r);
	return 0;
}

int require_child(struct render *r, const struct xml_element *parent, const char *name,
		  const char *attr, const char *value, enum xml_match how,
		  struct xml_element *found, const char *what)
{
	int x = xml_find_child(&r->doc, parent, name, attr, value, how, found);

	if (x < 0)
		return malformed(r);
	if (x == 0)
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml has no %s", what);
	return 0;
}

/* The major version of a namespace URI's "MAJOR.0" tail; 0 when it is not
 * of that form. */
static unsigned namespace_major(const char *v)
{
	unsigned major = 0;

	if (*v < '1' || *v > '9')
		return 0;
	for (; *v >= '0' && *v <= '9' && major < 1000; v++)
		major = major * 10 + (unsigned)(*v - '0');
	return strcmp(v, ".0") == 0 ? major : 0;
}

int find_subsystem(struct render *r, const char *prefix, const char *label,
		   unsigned min_major, unsigned max_major, struct xml_element *sub)
{
	char ns[128], what[64];

	snprintf(what, sizeof(what), "%s subsystem", label);
	int code = require_child(r, &r->profile, "subsystem", "xmlns", prefix, XML_PREFIX, sub,
				 what);
	if (code)
		return code;
	if (xml_attr_value(&r->doc, sub, "xmlns", ns, sizeof(ns)) != 1)
		return malformed(r);
	unsigned major = namespace_major(ns + strlen(prefix));
	if (major && major >= min_major && (max_major == 0 || major <= max_major))
		return 0;
	if (max_major)
		return refuse(r, EXIT_NOINPUT, "standalone-ha.xml: %s subsystem schema \"%.80s\" "
			      "is not supported (supported: %u.0 to %u.0)", label, ns, min_major,
			      max_major);
	return refuse(r, EXIT_NOINPUT, "standalone-ha.xml: %s subsystem schema \"%.80s\" is not "
		      "supported", label, ns);
}

int last_child(struct render *r, const struct xml_element *parent, struct xml_element *last)
{
	size_t cursor = 0;
	struct xml_element child;
	int found = 0, x;

	while ((x = xml_next_child(&r->doc, parent, &cursor, &child)) == 1) {
		*last = child;
		found = 1;
	}
	return x < 0 ? -1 : found;
}

/* The run of blanks before pos when pos starts a line, else empty. */
static struct xml_span line_indent(const struct xml_doc *doc, size_t pos)
{
	size_t p = pos;

	while (p > 0 && pos - p < MAX_INDENT &&
	       (doc->text[p - 1] == ' ' || doc->text[p - 1] == '\t'))
		p--;
	if (p > 0 && doc->text[p - 1] != '\n')
		p = pos;
	return (struct xml_span){ p, pos };
}

void learn_unit(struct render *r, const struct xml_element *parent,
		const struct xml_element *child)
{
	struct xml_span p = line_indent(&r->doc, parent->start);
	struct xml_span c = line_indent(&r->doc, child->start);
	size_t pl = p.end - p.start, cl = c.end - c.start;

	if (cl > pl && memcmp(r->doc.text + p.start, r->doc.text + c.start, pl) == 0) {
		memcpy(r->unit, r->doc.text + c.start + pl, cl - pl);
		r->unit[cl - pl] = '\0';
	} else {
		strcpy(r->unit, "    ");
	}
}

void new_line(struct render *r, struct buf *b, size_t pos, int levels)
{
	struct xml_span in = line_indent(&r->doc, pos);

	buf_adds(b, "\n");
	buf_add(b, r->doc.text + in.start, in.end - in.start);
	for (int i = 0; i < levels; i++)
		buf_adds(b, r->unit);
}

void add_lines(struct render *r, struct buf *b, size_t pos, const struct line *lines,
	       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		new_line(r, b, pos, lines[i].level);
		buf_adds(b, lines[i].text);
	}
}

/* The outcome of escaping a setting's value, as a result of rendering. */
static int escape_outcome(struct render *r, enum xml_escape_result e, const char *setting)
{
	switch (e) {
	case XML_ESCAPE_OK:
		return 0;
	case XML_ESCAPE_CONTROL:
		return refuse(r, EXIT_CONFIG,
			      "%s contains a control character, which XML 1.0 cannot carry",
			      setting);
	case XML_ESCAPE_UTF8:
		return refuse(r, EXIT_CONFIG, "%s is not valid UTF-8", setting);
	default:
		return out_of_memory(r);
	}
}

/* Whether WildFly would read s as an expression: "${" with a "}" after. */
static int looks_like_expression(const char *s)
{
	const char *open = strstr(s, "${");

	return open && strchr(open + 2, '}') != NULL;
}

/*
 * WildFly resolves a value containing "${...}" as an expression, in which
 * "$$" stands for "$"; doubling every '$' of such a value makes it resolve
 * to itself.
 */
int add_literal(struct render *r, struct buf *b, const char *setting, const char *value)
{
	struct buf tmp = { 0 };
	const char *v = value;

	if (looks_like_expression(value)) {
		for (const char *c = value; *c; c++) {
			buf_add(&tmp, c, 1);
			if (*c == '$')
				buf_add(&tmp, "$", 1);
		}
		if (tmp.failed) {
			buf_free(&tmp);
			return out_of_memory(r);
		}
		v = tmp.data;
	}
	enum xml_escape_result e = xml_escape(b, v, strlen(v));
	buf_free(&tmp);
	return escape_outcome(r, e, setting);
}

int add_text(struct render *r, struct buf *b, const char *setting, const char *value)
{
	return escape_outcome(r, xml_escape(b, value, strlen(value)), setting);
}
