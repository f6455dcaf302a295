/*
 * A small, strict XML scanner for editing a server configuration in place.
 *
 * It does not build a tree: it checks that a whole document is well-formed
 * (xml_parse) and then answers questions about byte ranges of the original
 * text (which child element has this name and attribute, where does it end,
 * where is an attribute's value), so that a caller can splice new text into
 * the document and leave every other byte as it was.
 *
 * Everything is bounded: offsets are checked against the length, nesting is
 * limited to XML_MAX_DEPTH without recursion, and malformed input gives an
 * error with a byte offset. No DTD is accepted, so the only entities are the
 * five predefined ones and character references.
 */
#ifndef KHP_XML_H
#define KHP_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Server configurations nest about ten levels; 64 leaves room without
 * letting hostile input grow the stack of open elements. */
#define XML_MAX_DEPTH 64
/* The widest start tag in a WildFly configuration has about ten
 * attributes; the limit bounds the duplicate-attribute check. */
#define XML_MAX_ATTRS 64

struct xml_doc {
	const char *text;
	size_t len;
	/* Set by the first error: byte offset and a static message. */
	size_t err_offset;
	const char *err_msg;
};

/* A half-open byte range [start, end) of the document. */
struct xml_span {
	size_t start;
	size_t end;
};

/* One element, located by byte offsets into the document. */
struct xml_element {
	size_t start;		/* the '<' of the start tag */
	size_t name_end;	/* one past the element's name */
	size_t attrs_end;	/* one past the last attribute: where one can be added */
	size_t tag_end;		/* one past the '>' of the start tag */
	size_t content_end;	/* the '<' of the end tag; tag_end if empty */
	size_t end;		/* one past the '>' of the end tag; tag_end if empty */
	int self_closing;	/* written as <name/> */
};

enum xml_match { XML_EXACT, XML_PREFIX };

/* Check that text[0..len) is one well-formed document (UTF-8, optional XML
 * declaration, one root element) and locate the root. 0 or -1 (see err_*). */
int xml_parse(struct xml_doc *doc, const char *text, size_t len,
	      struct xml_element *root);

/* Iterate over the child elements of parent: set *cursor = 0 first. Returns
 * 1 with *child set, 0 when there are no more, -1 on error. */
int xml_next_child(struct xml_doc *doc, const struct xml_element *parent,
		   size_t *cursor, struct xml_element *child);

/* Whether the element's name is exactly name. */
int xml_name_is(const struct xml_doc *doc, const struct xml_element *el,
		const char *name);

/* Find the raw (still escaped) value of attribute name. 1 found, 0 absent,
 * -1 error. */
int xml_attr(struct xml_doc *doc, const struct xml_element *el,
	     const char *name, struct xml_span *value);

/* Whether attribute name is present and its decoded value equals value
 * (XML_EXACT) or starts with it (XML_PREFIX). */
int xml_attr_matches(struct xml_doc *doc, const struct xml_element *el,
		     const char *name, const char *value, enum xml_match how);

/* The decoded value of attribute name into buf (NUL-terminated). 1 found,
 * 0 absent, -1 error (malformed or longer than size - 1). */
int xml_attr_value(struct xml_doc *doc, const struct xml_element *el,
		   const char *name, char *buf, size_t size);

/* The first child named name whose attribute attr matches value (attr NULL:
 * any). 1 found, 0 none, -1 error. */
int xml_find_child(struct xml_doc *doc, const struct xml_element *parent,
		   const char *name, const char *attr, const char *value,
		   enum xml_match how, struct xml_element *found);

/* Decode references in raw[0..n) into out (NUL-terminated). 0 or -1. */
int xml_unescape(const char *raw, size_t n, char *out, size_t size);

/* Whether XML 1.0 can carry code point c. */
bool xml_char_allowed(uint32_t c);

/* Results of xml_escape. */
enum xml_escape_result {
	XML_ESCAPE_OK = 0,
	XML_ESCAPE_NOMEM = -1,
	XML_ESCAPE_CONTROL = -2,	/* a character XML 1.0 cannot carry */
	XML_ESCAPE_UTF8 = -3,		/* not valid UTF-8 */
	XML_SET_ATTR_MALFORMED = -4,	/* xml_set_attr: the start tag cannot be read */
};

/* Append s[0..n) escaped for use as text or as an attribute value in either
 * quote: & < > " ' become references, and tab, newline and carriage return
 * become character references so that no parser normalises them away. */
enum xml_escape_result xml_escape(struct buf *out, const char *s, size_t n);

/* Append el's start tag with attribute name set to value (escaped),
 * replacing its value or adding the attribute at the end. Returns as
 * xml_escape, or XML_SET_ATTR_MALFORMED. */
int xml_set_attr(struct xml_doc *doc, const struct xml_element *el,
		 const char *name, const char *value, struct buf *out);

#endif
