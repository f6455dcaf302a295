/*
 * Writing XML: values escaped for text and attributes, and a start tag with
 * one attribute set (see xml.h).
 */
#include "xml.h"

#include "utf8.h"

#include <string.h>

enum xml_escape_result xml_escape(struct buf *out, const char *s, size_t n)
{
	size_t p = 0;

	while (p < n) {
		uint32_t c;
		size_t k = utf8_decode((const unsigned char *)s + p, n - p, &c);
		const char *rep = NULL;

		if (k == 0)
			return XML_ESCAPE_UTF8;
		if (!xml_char_allowed(c))
			return XML_ESCAPE_CONTROL;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		case '\t': rep = "&#9;"; break;
		case '\n': rep = "&#10;"; break;
		case '\r': rep = "&#13;"; break;
		default: break;
		}
		if (rep)
			buf_adds(out, rep);
		else
			buf_add(out, s + p, k);
		p += k;
	}
	return out->failed ? XML_ESCAPE_NOMEM : XML_ESCAPE_OK;
}

int xml_set_attr(struct xml_doc *doc, const struct xml_element *el,
		 const char *name, const char *value, struct buf *out)
{
	struct xml_span v;
	int r = xml_attr(doc, el, name, &v);
	enum xml_escape_result e;

	if (r < 0 || el->tag_end > doc->len || el->attrs_end > el->tag_end)
		return XML_SET_ATTR_MALFORMED;
	if (r == 1) {
		buf_add(out, doc->text + el->start, v.start - el->start);
		e = xml_escape(out, value, strlen(value));
		if (e != XML_ESCAPE_OK)
			return e;
		buf_add(out, doc->text + v.end, el->tag_end - v.end);
	} else {
		buf_add(out, doc->text + el->start, el->attrs_end - el->start);
		buf_adds(out, " ");
		buf_adds(out, name);
		buf_adds(out, "=\"");
		e = xml_escape(out, value, strlen(value));
		if (e != XML_ESCAPE_OK)
			return e;
		buf_adds(out, "\"");
		buf_add(out, doc->text + el->attrs_end, el->tag_end - el->attrs_end);
	}
	return out->failed ? XML_ESCAPE_NOMEM : XML_ESCAPE_OK;
}
