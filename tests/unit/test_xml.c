/*
 * Tests of the XML scanner: what it finds in well-formed documents, what it
 * refuses, and that no input (every prefix of a document, every byte
 * replaced by a troublesome one, deep nesting) makes it read outside the
 * buffer. Inputs are copied into buffers of their exact size without a
 * terminating NUL, so that AddressSanitizer reports any overrun.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xml.h"

/* An exact-size heap copy of s[0..n). */
static char *exact_copy(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (!p) {
		perror("malloc");
		exit(2);
	}
	memcpy(p, s, n);
	return p;
}

/* Parse s[0..n) from an exact-size copy; the result of xml_parse. */
static int parse_exact(const char *s, size_t n, struct xml_doc *doc,
		       struct xml_element *root)
{
	char *copy = exact_copy(s, n);
	int r = xml_parse(doc, copy, n, root);

	/* Walking every element too must stay in bounds. */
	if (r == 0) {
		size_t cursor = 0;
		struct xml_element child;

		while (xml_next_child(doc, root, &cursor, &child) == 1)
			;
	}
	free(copy);
	doc->text = NULL;
	return r;
}

static int parses(const char *s)
{
	struct xml_doc doc;
	struct xml_element root;

	return parse_exact(s, strlen(s), &doc, &root) == 0;
}

/* The decoded text content of an element. */
static void content_of(struct xml_doc *doc, const struct xml_element *el,
		       char *buf, size_t size)
{
	if (xml_unescape(doc->text + el->tag_end, el->content_end - el->tag_end,
			 buf, size) != 0)
		buf[0] = '\0';
}

static const char sample[] =
	"<?xml version='1.0' encoding='UTF-8'?>\n"
	"<!-- a comment with > and <tags> inside -->\n"
	"<?target some data > here?>\n"
	"<root a='1 > 0' b=\"it's &quot;q&quot; &amp; &#233;&#x20AC;\">\n"
	"  <![CDATA[ <not-a-tag attr=\"x\"> & ]] > ]]>\n"
	"  <empty/>\n"
	"  <!-- <item name=\"hidden\"/> -->\n"
	"  <item name=\"one\">first</item>\n"
	"  <item name='two' extra=\"x>y\">second &lt;2&gt;</item>\n"
	"  <nested><deeper><deepest x=\"&lt;&gt;\"/></deeper></nested>\n"
	"</root>\n"
	"<!-- trailing -->\n";

static void test_find(void)
{
	struct xml_doc doc;
	struct xml_element root, el, deeper;
	char buf[128];
	struct xml_span v;

	CHECK(xml_parse(&doc, sample, strlen(sample), &root) == 0);
	CHECK(xml_name_is(&doc, &root, "root"));
	CHECK(!xml_name_is(&doc, &root, "roo"));
	CHECK(root.end == strlen(sample) - strlen("\n<!-- trailing -->\n"));

	CHECK(xml_attr_value(&doc, &root, "a", buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "1 > 0");
	CHECK(xml_attr_value(&doc, &root, "b", buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "it's \"q\" & \xC3\xA9\xE2\x82\xAC");
	CHECK(xml_attr_value(&doc, &root, "c", buf, sizeof(buf)) == 0);
	/* A value that does not fit is an error, not a truncation. */
	CHECK(xml_attr_value(&doc, &root, "b", buf, 5) == -1);

	/* The commented-out item and the CDATA's fake tag are not children. */
	CHECK(xml_find_child(&doc, &root, "item", "name", "hidden", XML_EXACT,
			     &el) == 0);
	CHECK(xml_find_child(&doc, &root, "not-a-tag", NULL, NULL, XML_EXACT,
			     &el) == 0);
	CHECK(xml_find_child(&doc, &root, "empty", NULL, NULL, XML_EXACT, &el) == 1);
	CHECK(el.self_closing && el.end == el.tag_end &&
	      memcmp(sample + el.start, "<empty/>", 8) == 0);

	CHECK(xml_find_child(&doc, &root, "item", "name", "two", XML_EXACT,
			     &el) == 1);
	CHECK(memcmp(sample + el.start, "<item name='two'", 16) == 0);
	CHECK(xml_attr(&doc, &el, "extra", &v) == 1);
	CHECK(v.end - v.start == 3 && memcmp(sample + v.start, "x>y", 3) == 0);
	content_of(&doc, &el, buf, sizeof(buf));
	CHECK_STR(buf, "second <2>");
	CHECK(memcmp(sample + el.end - 7, "</item>", 7) == 0);

	CHECK(xml_find_child(&doc, &root, "item", "name", "o", XML_PREFIX,
			     &el) == 1);
	content_of(&doc, &el, buf, sizeof(buf));
	CHECK_STR(buf, "first");

	CHECK(xml_find_child(&doc, &root, "nested", NULL, NULL, XML_EXACT,
			     &el) == 1);
	CHECK(xml_find_child(&doc, &el, "deeper", NULL, NULL, XML_EXACT,
			     &deeper) == 1);
	CHECK(xml_find_child(&doc, &deeper, "deepest", "x", "<>", XML_EXACT,
			     &el) == 1);
	/* Grandchildren are not children. */
	CHECK(xml_find_child(&doc, &root, "deepest", NULL, NULL, XML_EXACT,
			     &el) == 0);
}

static void test_set_attr(void)
{
	static const char d[] = "<a x=\"1\" y='2'><b/></a>";
	struct xml_doc doc;
	struct xml_element root, b;
	struct buf out = {0};

	CHECK(xml_parse(&doc, d, strlen(d), &root) == 0);
	CHECK(xml_set_attr(&doc, &root, "y", "<\"&'>", &out) == 0);
	CHECK_STR(out.data, "<a x=\"1\" y='&lt;&quot;&amp;&apos;&gt;'>");
	out.len = 0;
	CHECK(xml_set_attr(&doc, &root, "z", "new", &out) == 0);
	CHECK_STR(out.data, "<a x=\"1\" y='2' z=\"new\">");
	CHECK(xml_find_child(&doc, &root, "b", NULL, NULL, XML_EXACT, &b) == 1);
	out.len = 0;
	CHECK(xml_set_attr(&doc, &b, "n", "3", &out) == 0);
	CHECK_STR(out.data, "<b n=\"3\"/>");
	out.len = 0;
	CHECK(xml_set_attr(&doc, &b, "n", "bad\x01", &out) == XML_ESCAPE_CONTROL);
	buf_free(&out);
}

static void test_escape(void)
{
	struct buf b = {0};

	CHECK(xml_escape(&b, "p<&>\"' \xC3\xBC", 9) == XML_ESCAPE_OK);
	CHECK_STR(b.data, "p&lt;&amp;&gt;&quot;&apos; \xC3\xBC");
	b.len = 0;
	CHECK(xml_escape(&b, "a\tb\nc\rd", 7) == XML_ESCAPE_OK);
	CHECK_STR(b.data, "a&#9;b&#10;c&#13;d");
	CHECK(xml_escape(&b, "a\x01", 2) == XML_ESCAPE_CONTROL);
	CHECK(xml_escape(&b, "a\x1b[0m", 5) == XML_ESCAPE_CONTROL);
	CHECK(xml_escape(&b, "\0", 1) == XML_ESCAPE_CONTROL);
	CHECK(xml_escape(&b, "\xEF\xBF\xBE", 3) == XML_ESCAPE_CONTROL); /* U+FFFE */
	CHECK(xml_escape(&b, "\xC3", 1) == XML_ESCAPE_UTF8);
	CHECK(xml_escape(&b, "\xC0\xBC", 2) == XML_ESCAPE_UTF8);	/* overlong */
	CHECK(xml_escape(&b, "\xED\xA0\x80", 3) == XML_ESCAPE_UTF8); /* surrogate */
	CHECK(xml_escape(&b, "\xF4\x90\x80\x80", 4) == XML_ESCAPE_UTF8);
	buf_free(&b);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"   ",
		"<a>",
		"<a></b>",
		"<a><b></a></b>",
		"<a/><b/>",
		"<a/>text",
		"text<a/>",
		"<a x=\"1\" x=\"2\"/>",
		"<a x=1/>",
		"<a x=\"1\"y=\"2\"/>",
		"<a x=\"<\"/>",
		"<a x=\"1/>",
		"<a>&unknown;</a>",
		"<a>&amp</a>",
		"<a>&#0;</a>",
		"<a>&#xD800;</a>",
		"<a>&#99999999999999999999;</a>",
		"<a>&#;</a>",
		"<a>]]></a>",
		"<a><!-- x -- y --></a>",
		"<a><!-- x ---></a>",
		"<a><!-- open</a>",
		"<a><![CDATA[ open</a>",
		"<a><?pi open</a>",
		"<a><?xml version=\"1.0\"?></a>",
		"<!DOCTYPE a><a/>",
		"<a><!ELEMENT a></a>",
		"<?xml version=\"2.0\"?><a/>",
		"<?xml encoding=\"UTF-8\"?><a/>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
		"<a>\x01</a>",
		"<a>\xFF</a>",
		"<a>\xC3</a>",
		"<1a/>",
		"< a/>",
		"<a></ a>",
		"</a>",
		"<a/ >",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xml_doc doc;
		struct xml_element root;
		int r = parse_exact(bad[i], strlen(bad[i]), &doc, &root);

		CHECK(r == -1);
		CHECK(doc.err_msg != NULL);
		CHECK(doc.err_offset <= strlen(bad[i]));
		if (r != -1)
			fprintf(stderr, "accepted malformed input %zu: %s\n", i,
				bad[i]);
	}
	/* NUL inside the document is a control character, not an end. */
	{
		struct xml_doc doc;
		struct xml_element root;

		CHECK(parse_exact("<a>\0</a>", 8, &doc, &root) == -1);
	}
	CHECK(parses("<a/>"));
	CHECK(parses("\xEF\xBB\xBF<a/>"));
	CHECK(parses("<?xml version=\"1.0\" ?>\n<a\n  x = 'y' ></a >\n"));
	CHECK(parses("<a>&#x10FFFF;&#9;</a>"));
	CHECK(parses("<a><!----></a>"));
	CHECK(parses("<a><?pi?></a>"));
}

/* Nesting up to the limit is fine; beyond it is refused, without recursion. */
static void test_depth(void)
{
	struct buf b = {0};

	for (int depth = XML_MAX_DEPTH - 1; depth <= XML_MAX_DEPTH + 1; depth++) {
		b.len = 0;
		for (int i = 0; i < depth; i++)
			buf_adds(&b, "<d>");
		for (int i = 0; i < depth; i++)
			buf_adds(&b, "</d>");
		CHECK(parses(b.data) == (depth <= XML_MAX_DEPTH));
	}
	/* A very deep but unclosed document only costs a fixed stack. */
	b.len = 0;
	for (int i = 0; i < 100000; i++)
		buf_adds(&b, "<d>");
	CHECK(!parses(b.data));
	buf_free(&b);
}

/* Every prefix is either a well-formed document or an error. */
static void test_prefixes(const char *d, size_t n, size_t root_end)
{
	for (size_t len = 0; len <= n; len++) {
		struct xml_doc doc;
		struct xml_element root;
		int r = parse_exact(d, len, &doc, &root);

		CHECK(r == 0 || r == -1);
		if (r == -1)
			CHECK(doc.err_msg != NULL && doc.err_offset <= len);
		/* Nothing that stops before the root element's end parses. */
		CHECK(len >= root_end || r == -1);
		if (len < root_end && r == 0)
			fprintf(stderr, "prefix of %zu bytes parsed\n", len);
	}
}

/* Replacing any byte by a troublesome one must not crash the scanner. */
static void test_mutations(const char *d, size_t n)
{
	static const char repl[] = {'<', '>', '&', '"', '\'', '/', '!', '?',
				    '-', '[', ']', '\0', ' ', ';', '#', '='};
	char *copy = exact_copy(d, n);

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(repl); k++) {
			struct xml_doc doc;
			struct xml_element root;
			char saved = copy[i];
			int r;

			copy[i] = repl[k];
			r = parse_exact(copy, n, &doc, &root);
			CHECK(r == 0 || r == -1);
			copy[i] = saved;
		}
	}
	free(copy);
}

int main(void)
{
	size_t n = strlen(sample);
	struct xml_doc doc;
	struct xml_element root;

	test_find();
	test_set_attr();
	test_escape();
	test_malformed();
	test_depth();
	CHECK(xml_parse(&doc, sample, n, &root) == 0);
	test_prefixes(sample, n, root.end);
	test_mutations(sample, n);
	return harness_summary("test_xml");
}
