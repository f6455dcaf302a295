/*
 * Strict XML scanning over byte offsets (see xml.h).
 *
 * The unit of work is a token: text, start tag, empty-element tag, end tag,
 * comment, CDATA section or processing instruction. next_token() reads one
 * token at a position and checks it fully (names, attribute syntax,
 * duplicate attributes, references, "]]>" in text, "--" in comments).
 * scan_element() follows tokens from a start tag to its matching end tag
 * with a fixed-size stack of open names, so nesting costs no recursion.
 * xml_parse() runs over the whole document once, after a first pass that
 * checks the bytes are UTF-8 and characters XML 1.0 allows; later queries
 * reuse the same token reader and remain bounds-checked on their own, so a
 * caller that skips xml_parse still cannot make them read out of bounds.
 */
#include "xml.h"

#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum token_type {
	TOK_EOF,
	TOK_TEXT,
	TOK_START,
	TOK_EMPTY,
	TOK_END,
	TOK_COMMENT,
	TOK_CDATA,
	TOK_PI,
};

struct token {
	enum token_type type;
	size_t start;
	size_t end;
	size_t name_start;	/* start, empty and end tags, PI target */
	size_t name_end;
	size_t attrs_end;	/* start and empty tags */
};

static int fail(struct xml_doc *doc, size_t offset, const char *msg)
{
	if (!doc->err_msg) {
		doc->err_offset = offset;
		doc->err_msg = msg;
	}
	return -1;
}

static int at(const struct xml_doc *doc, size_t pos, const char *s)
{
	size_t n = strlen(s);

	return pos <= doc->len && doc->len - pos >= n &&
	       memcmp(doc->text + pos, s, n) == 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Names: ASCII letters, '_' and ':' start one; digits, '-' and '.' may
 * follow; any byte of a multi-byte UTF-8 sequence is accepted as a name
 * character (the first pass has already checked the encoding). */
static int is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

static size_t skip_space(const struct xml_doc *doc, size_t pos)
{
	while (pos < doc->len && is_space((unsigned char)doc->text[pos]))
		pos++;
	return pos;
}

/* One past the name at pos, or pos when there is none. */
static size_t scan_name(const struct xml_doc *doc, size_t pos)
{
	if (pos >= doc->len || !is_name_start((unsigned char)doc->text[pos]))
		return pos;
	pos++;
	while (pos < doc->len && is_name_char((unsigned char)doc->text[pos]))
		pos++;
	return pos;
}

bool xml_char_allowed(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* The first pass: the document must be UTF-8 made of XML characters. */
static int check_chars(struct xml_doc *doc)
{
	const unsigned char *s = (const unsigned char *)doc->text;
	size_t pos = 0;

	while (pos < doc->len) {
		uint32_t c;
		size_t n = utf8_decode(s + pos, doc->len - pos, &c);

		if (n == 0)
			return fail(doc, pos, "invalid UTF-8");
		if (!xml_char_allowed(c))
			return fail(doc, pos, "character not allowed in XML");
		pos += n;
	}
	return 0;
}

/*
 * Check the reference at pos ('&'): a predefined entity or a character
 * reference to an XML character. Sets *end one past the ';'. The decoded
 * character goes to *cp.
 */
static int scan_reference(struct xml_doc *doc, size_t pos, size_t *end,
			  uint32_t *cp)
{
	static const struct {
		const char *name;
		char c;
	} entities[] = {
		{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'},
		{"quot;", '"'}, {"apos;", '\''},
	};
	size_t p = pos + 1;

	if (p < doc->len && doc->text[p] == '#') {
		int hex = 0;
		uint32_t value = 0;
		size_t digits = 0;

		p++;
		if (p < doc->len && doc->text[p] == 'x') {
			hex = 1;
			p++;
		}
		for (; p < doc->len && doc->text[p] != ';'; p++, digits++) {
			unsigned char c = (unsigned char)doc->text[p];
			unsigned d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				return fail(doc, p, "bad character reference");
			/* Stop growing past the Unicode range: no overflow. */
			if (value <= 0x10FFFF)
				value = value * (hex ? 16 : 10) + d;
		}
		if (p >= doc->len)
			return fail(doc, pos, "unterminated character reference");
		if (digits == 0 || !xml_char_allowed(value))
			return fail(doc, pos, "bad character reference");
		*end = p + 1;
		*cp = value;
		return 0;
	}
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		if (at(doc, p, entities[i].name)) {
			*end = p + strlen(entities[i].name);
			*cp = (unsigned char)entities[i].c;
			return 0;
		}
	}
	return fail(doc, pos, "unknown or unterminated entity reference");
}

/*
 * Read the attributes of a start tag (or the pseudo-attributes of the XML
 * declaration) from pos, which is just past the name. Stops before the
 * first character that cannot continue an attribute list, after any white
 * space; *attrs_end is one past the last attribute's closing quote.
 */
static int scan_attributes(struct xml_doc *doc, size_t pos, size_t *stop,
			   size_t *attrs_end)
{
	struct xml_span names[XML_MAX_ATTRS];
	size_t n_names = 0;

	*attrs_end = pos;
	for (;;) {
		size_t ws_end = skip_space(doc, pos);
		size_t name_end = scan_name(doc, ws_end);

		if (name_end == ws_end) {
			*stop = ws_end;
			return 0;
		}
		if (ws_end == pos)
			return fail(doc, pos, "missing white space before attribute");
		for (size_t i = 0; i < n_names; i++) {
			if (names[i].end - names[i].start == name_end - ws_end &&
			    memcmp(doc->text + names[i].start, doc->text + ws_end,
				   name_end - ws_end) == 0)
				return fail(doc, ws_end, "duplicate attribute");
		}
		if (n_names == XML_MAX_ATTRS)
			return fail(doc, ws_end, "too many attributes");
		names[n_names].start = ws_end;
		names[n_names].end = name_end;
		n_names++;

		size_t p = skip_space(doc, name_end);
		if (p >= doc->len || doc->text[p] != '=')
			return fail(doc, p, "expected '=' after attribute name");
		p = skip_space(doc, p + 1);
		if (p >= doc->len || (doc->text[p] != '"' && doc->text[p] != '\''))
			return fail(doc, p, "expected quoted attribute value");
		char quote = doc->text[p++];
		while (p < doc->len && doc->text[p] != quote) {
			if (doc->text[p] == '<')
				return fail(doc, p, "'<' in attribute value");
			if (doc->text[p] == '&') {
				uint32_t cp;

				if (scan_reference(doc, p, &p, &cp) != 0)
					return -1;
			} else {
				p++;
			}
		}
		if (p >= doc->len)
			return fail(doc, pos, "unterminated attribute value");
		pos = p + 1;
		*attrs_end = pos;
	}
}

/* Position of the first occurrence of s at or after pos, or len. */
static size_t find(const struct xml_doc *doc, size_t pos, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || doc->len < n)
		return doc->len;
	for (size_t p = pos; p <= doc->len - n; p++) {
		if (doc->text[p] == s[0] && memcmp(doc->text + p, s, n) == 0)
			return p;
	}
	return doc->len;
}

static int scan_tag_token(struct xml_doc *doc, size_t pos, struct token *t)
{
	if (at(doc, pos, "</")) {
		t->type = TOK_END;
		t->name_start = pos + 2;
		t->name_end = scan_name(doc, pos + 2);
		if (t->name_end == t->name_start)
			return fail(doc, pos, "bad end tag name");
		size_t p = skip_space(doc, t->name_end);
		if (p >= doc->len || doc->text[p] != '>')
			return fail(doc, p, "expected '>' to close end tag");
		t->end = p + 1;
		return 0;
	}
	t->name_start = pos + 1;
	t->name_end = scan_name(doc, pos + 1);
	if (t->name_end == t->name_start)
		return fail(doc, pos, "bad start tag name");
	size_t p;
	if (scan_attributes(doc, t->name_end, &p, &t->attrs_end) != 0)
		return -1;
	if (p < doc->len && doc->text[p] == '>') {
		t->type = TOK_START;
		t->end = p + 1;
	} else if (at(doc, p, "/>")) {
		t->type = TOK_EMPTY;
		t->end = p + 2;
	} else {
		return fail(doc, p, p < doc->len ? "bad character in start tag"
						 : "unterminated start tag");
	}
	return 0;
}

static int scan_pi_token(struct xml_doc *doc, size_t pos, struct token *t)
{
	t->type = TOK_PI;
	t->name_start = pos + 2;
	t->name_end = scan_name(doc, pos + 2);
	if (t->name_end == t->name_start)
		return fail(doc, pos, "bad processing instruction target");
	if (t->name_end - t->name_start == 3) {
		const char *n = doc->text + t->name_start;

		if ((n[0] | 0x20) == 'x' && (n[1] | 0x20) == 'm' &&
		    (n[2] | 0x20) == 'l')
			return fail(doc, pos, "XML declaration not at the start");
	}
	size_t p = t->name_end;
	if (!at(doc, p, "?>")) {
		if (p >= doc->len || !is_space((unsigned char)doc->text[p]))
			return fail(doc, p, "bad processing instruction");
		p = find(doc, p, "?>");
		if (p >= doc->len)
			return fail(doc, pos, "unterminated processing instruction");
	}
	t->end = p + 2;
	return 0;
}

static int scan_comment_token(struct xml_doc *doc, size_t pos, struct token *t)
{
	/* "--" may only appear as part of the closing "-->". */
	t->type = TOK_COMMENT;
	for (size_t p = pos + 4; p + 1 < doc->len; p++) {
		if (doc->text[p] == '-' && doc->text[p + 1] == '-') {
			if (p + 2 < doc->len && doc->text[p + 2] == '>') {
				t->end = p + 3;
				return 0;
			}
			return fail(doc, p, "'--' inside comment");
		}
	}
	return fail(doc, pos, "unterminated comment");
}

static int scan_text_token(struct xml_doc *doc, size_t pos, struct token *t)
{
	size_t p = pos;

	t->type = TOK_TEXT;
	while (p < doc->len && doc->text[p] != '<') {
		if (doc->text[p] == '&') {
			uint32_t cp;

			if (scan_reference(doc, p, &p, &cp) != 0)
				return -1;
		} else if (at(doc, p, "]]>")) {
			return fail(doc, p, "']]>' in text");
		} else {
			p++;
		}
	}
	t->end = p;
	return 0;
}

/* Read the token at pos. */
static int next_token(struct xml_doc *doc, size_t pos, struct token *t)
{
	memset(t, 0, sizeof(*t));
	t->start = pos;
	t->end = pos;
	if (pos >= doc->len) {
		t->type = TOK_EOF;
		return 0;
	}
	if (doc->text[pos] != '<')
		return scan_text_token(doc, pos, t);
	if (at(doc, pos, "<!--"))
		return scan_comment_token(doc, pos, t);
	if (at(doc, pos, "<![CDATA[")) {
		size_t p = find(doc, pos + 9, "]]>");

		if (p >= doc->len)
			return fail(doc, pos, "unterminated CDATA section");
		t->type = TOK_CDATA;
		t->end = p + 3;
		return 0;
	}
	if (at(doc, pos, "<!DOCTYPE"))
		return fail(doc, pos, "DOCTYPE is not supported");
	if (at(doc, pos, "<!"))
		return fail(doc, pos, "bad markup declaration");
	if (at(doc, pos, "<?"))
		return scan_pi_token(doc, pos, t);
	return scan_tag_token(doc, pos, t);
}

static int same_name(const struct xml_doc *doc, size_t a_start, size_t a_end,
		     size_t b_start, size_t b_end)
{
	return a_end - a_start == b_end - b_start &&
	       memcmp(doc->text + a_start, doc->text + b_start,
		      a_end - a_start) == 0;
}

/* From the start tag at pos, find the matching end tag and fill *el. */
static int scan_element(struct xml_doc *doc, size_t pos, struct xml_element *el)
{
	struct xml_span open[XML_MAX_DEPTH];
	size_t depth = 0;
	struct token t;

	if (next_token(doc, pos, &t) != 0)
		return -1;
	if (t.type != TOK_START && t.type != TOK_EMPTY)
		return fail(doc, pos, "expected a start tag");
	el->start = pos;
	el->name_end = t.name_end;
	el->attrs_end = t.attrs_end;
	el->tag_end = t.end;
	el->self_closing = t.type == TOK_EMPTY;
	if (el->self_closing) {
		el->content_end = el->end = t.end;
		return 0;
	}
	open[depth].start = t.name_start;
	open[depth].end = t.name_end;
	depth++;
	pos = t.end;
	while (depth > 0) {
		if (next_token(doc, pos, &t) != 0)
			return -1;
		switch (t.type) {
		case TOK_EOF:
			return fail(doc, el->start, "element is not closed");
		case TOK_START:
			if (depth == XML_MAX_DEPTH)
				return fail(doc, pos, "elements nested too deeply");
			open[depth].start = t.name_start;
			open[depth].end = t.name_end;
			depth++;
			break;
		case TOK_END:
			if (!same_name(doc, open[depth - 1].start,
				       open[depth - 1].end, t.name_start,
				       t.name_end))
				return fail(doc, pos, "end tag does not match start tag");
			depth--;
			break;
		default:
			break;
		}
		if (depth == 0) {
			el->content_end = t.start;
			el->end = t.end;
		}
		pos = t.end;
	}
	return 0;
}

/* The XML declaration at pos ("<?xml "): version 1.x, UTF-8 if named. */
static int scan_declaration(struct xml_doc *doc, size_t pos, size_t *end)
{
	size_t stop, attrs_end;
	char value[16];
	struct xml_element decl = {0};

	if (scan_attributes(doc, pos + 5, &stop, &attrs_end) != 0)
		return -1;
	if (!at(doc, stop, "?>"))
		return fail(doc, stop, "bad XML declaration");
	/* Reuse the attribute readers on the declaration's span. */
	decl.start = pos;
	decl.name_end = pos + 5;
	decl.attrs_end = attrs_end;
	decl.tag_end = stop + 2;
	if (xml_attr_value(doc, &decl, "version", value, sizeof(value)) != 1 ||
	    strncmp(value, "1.", 2) != 0)
		return fail(doc, pos, "XML declaration without version 1.x");
	int r = xml_attr_value(doc, &decl, "encoding", value, sizeof(value));
	if (r < 0)
		return -1;
	if (r == 1) {
		for (char *c = value; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		if (strcmp(value, "UTF-8") != 0 && strcmp(value, "US-ASCII") != 0)
			return fail(doc, pos, "encoding other than UTF-8");
	}
	*end = stop + 2;
	return 0;
}

/* Skip white space, comments and processing instructions. */
static int skip_misc(struct xml_doc *doc, size_t pos, size_t *end)
{
	for (;;) {
		struct token t;

		pos = skip_space(doc, pos);
		if (pos >= doc->len || doc->text[pos] != '<' ||
		    !(at(doc, pos, "<!--") || at(doc, pos, "<?"))) {
			*end = pos;
			return 0;
		}
		if (next_token(doc, pos, &t) != 0)
			return -1;
		pos = t.end;
	}
}

int xml_parse(struct xml_doc *doc, const char *text, size_t len,
	      struct xml_element *root)
{
	size_t pos = 0;

	doc->text = text;
	doc->len = len;
	doc->err_offset = 0;
	doc->err_msg = NULL;
	if (!text)
		return fail(doc, 0, "no document");
	if (check_chars(doc) != 0)
		return -1;
	if (at(doc, 0, "\xEF\xBB\xBF"))
		pos = 3;
	if (at(doc, pos, "<?xml") && pos + 5 < len &&
	    is_space((unsigned char)text[pos + 5])) {
		if (scan_declaration(doc, pos, &pos) != 0)
			return -1;
	}
	if (skip_misc(doc, pos, &pos) != 0)
		return -1;
	if (pos >= len)
		return fail(doc, pos, "no root element");
	if (text[pos] != '<' || at(doc, pos, "</") || at(doc, pos, "<!"))
		return next_token(doc, pos, &(struct token){0}) != 0
			       ? -1
			       : fail(doc, pos, "expected the root element");
	if (scan_element(doc, pos, root) != 0)
		return -1;
	if (skip_misc(doc, root->end, &pos) != 0)
		return -1;
	if (pos != len)
		return fail(doc, pos, "content after the root element");
	return 0;
}

int xml_next_child(struct xml_doc *doc, const struct xml_element *parent,
		   size_t *cursor, struct xml_element *child)
{
	size_t pos = *cursor;

	if (parent->self_closing || parent->content_end > doc->len)
		return 0;
	if (pos < parent->tag_end)
		pos = parent->tag_end;
	while (pos < parent->content_end) {
		struct token t;

		if (next_token(doc, pos, &t) != 0)
			return -1;
		if (t.type == TOK_START || t.type == TOK_EMPTY) {
			if (scan_element(doc, pos, child) != 0)
				return -1;
			if (child->end > parent->content_end)
				return fail(doc, pos, "child element crosses its parent's end");
			*cursor = child->end;
			return 1;
		}
		if (t.type == TOK_END || t.type == TOK_EOF)
			return fail(doc, pos, "unexpected end tag");
		pos = t.end;
	}
	*cursor = pos;
	return 0;
}

int xml_name_is(const struct xml_doc *doc, const struct xml_element *el,
		const char *name)
{
	size_t n = strlen(name);

	return el->name_end > el->start && el->name_end <= doc->len &&
	       el->name_end - el->start - 1 == n &&
	       memcmp(doc->text + el->start + 1, name, n) == 0;
}

int xml_attr(struct xml_doc *doc, const struct xml_element *el,
	     const char *name, struct xml_span *value)
{
	size_t n = strlen(name);
	size_t pos = el->name_end;

	if (el->attrs_end > doc->len || pos > el->attrs_end)
		return fail(doc, el->start, "bad element span");
	/* The tag was checked when it was scanned; read it again with the
	 * same bounds so that a corrupted span cannot run off the end. */
	while (pos < el->attrs_end) {
		size_t ws_end = skip_space(doc, pos);
		size_t name_end = scan_name(doc, ws_end);

		if (name_end == ws_end || name_end > el->attrs_end)
			return fail(doc, pos, "bad attribute");
		size_t p = skip_space(doc, name_end);
		if (p >= el->attrs_end || doc->text[p] != '=')
			return fail(doc, p, "bad attribute");
		p = skip_space(doc, p + 1);
		if (p >= el->attrs_end ||
		    (doc->text[p] != '"' && doc->text[p] != '\''))
			return fail(doc, p, "bad attribute");
		char quote = doc->text[p];
		size_t v = p + 1, e = v;
		while (e < el->attrs_end && doc->text[e] != quote)
			e++;
		if (e >= el->attrs_end)
			return fail(doc, p, "bad attribute");
		if (name_end - ws_end == n &&
		    memcmp(doc->text + ws_end, name, n) == 0) {
			value->start = v;
			value->end = e;
			return 1;
		}
		pos = e + 1;
	}
	return 0;
}

int xml_unescape(const char *raw, size_t n, char *out, size_t size)
{
	struct xml_doc tmp = {.text = raw, .len = n};
	size_t o = 0;

	if (size == 0)
		return -1;
	for (size_t p = 0; p < n;) {
		uint32_t cp;
		unsigned char enc[4];
		size_t k;

		if (raw[p] == '&') {
			if (scan_reference(&tmp, p, &p, &cp) != 0)
				return -1;
			if (cp < 0x80) {
				enc[0] = (unsigned char)cp;
				k = 1;
			} else if (cp < 0x800) {
				enc[0] = (unsigned char)(0xC0 | (cp >> 6));
				enc[1] = (unsigned char)(0x80 | (cp & 0x3F));
				k = 2;
			} else if (cp < 0x10000) {
				enc[0] = (unsigned char)(0xE0 | (cp >> 12));
				enc[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
				enc[2] = (unsigned char)(0x80 | (cp & 0x3F));
				k = 3;
			} else {
				enc[0] = (unsigned char)(0xF0 | (cp >> 18));
				enc[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
				enc[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
				enc[3] = (unsigned char)(0x80 | (cp & 0x3F));
				k = 4;
			}
		} else {
			enc[0] = (unsigned char)raw[p++];
			k = 1;
		}
		if (size - o <= k)
			return -1;
		memcpy(out + o, enc, k);
		o += k;
	}
	out[o] = '\0';
	return 0;
}

int xml_attr_value(struct xml_doc *doc, const struct xml_element *el,
		   const char *name, char *buf, size_t size)
{
	struct xml_span v;
	int r = xml_attr(doc, el, name, &v);

	if (r != 1)
		return r;
	if (xml_unescape(doc->text + v.start, v.end - v.start, buf, size) != 0)
		return fail(doc, v.start, "attribute value malformed or too long");
	return 1;
}

int xml_attr_matches(struct xml_doc *doc, const struct xml_element *el,
		     const char *name, const char *value, enum xml_match how)
{
	/* Attribute values compared here are names and namespace URIs. */
	char buf[512];
	int r = xml_attr_value(doc, el, name, buf, sizeof(buf));

	if (r != 1)
		return 0;
	if (how == XML_PREFIX)
		return strncmp(buf, value, strlen(value)) == 0;
	return strcmp(buf, value) == 0;
}

int xml_find_child(struct xml_doc *doc, const struct xml_element *parent,
		   const char *name, const char *attr, const char *value,
		   enum xml_match how, struct xml_element *found)
{
	size_t cursor = 0;
	struct xml_element child;
	int r;

	while ((r = xml_next_child(doc, parent, &cursor, &child)) == 1) {
		if (!xml_name_is(doc, &child, name))
			continue;
		if (attr && !xml_attr_matches(doc, &child, attr, value, how))
			continue;
		*found = child;
		return 1;
	}
	return r;
}
