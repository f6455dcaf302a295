/*
 * What the tests of the standalone-ha.xml renderer (test_wildfly_*.c)
 * share: the real distribution's file (argv[1]) read into memory, the
 * settings every test starts from, a rendering parsed back with the XML
 * scanner, the look-ups into it, and the checks of a refusal (exit code,
 * one-line message, no secret in it).
 *
 * The state below (dist, dist_len, out_dir) is static: each test program
 * that includes this header has its own copy, set by render_harness_init.
 * Every function is static inline, so a program that uses only some of
 * them builds without unused-function warnings.
 */
#ifndef KHP_RENDER_HARNESS_H
#define KHP_RENDER_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "log.h"
#include "wildfly.h"
#include "xml.h"

/* The distribution's standalone-ha.xml, and where a test may write files. */
static char *dist;
static size_t dist_len;
static const char *out_dir = "out";

/* The whole file at path, malloc'd and NUL-terminated (replace_once
 * searches it with strstr), or NULL if it cannot be opened. */
static inline char *read_dist(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			data = realloc(data, cap);
			if (!data)
				exit(2);
		}
		size_t k = fread(data + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	data[n] = '\0';	/* the loop leaves at least 4096 bytes free */
	*len = n;
	return data;
}

/*
 * What main() does before the tests: argv[1] is the distribution's file,
 * argv[2] (optional) the output directory. Returns 0, or the exit code
 * (2) after saying why.
 */
static inline int render_harness_init(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s standalone-ha.xml [output-dir]\n",
			argv[0]);
		return 2;
	}
	if (argc > 2)
		out_dir = argv[2];
	dist = read_dist(argv[1], &dist_len);
	if (!dist) {
		perror(argv[1]);
		return 2;
	}
	return 0;
}

static struct property no_props[1];

static inline struct settings base_settings(void)
{
	struct settings s = {0};

	s.db.host = "db.example";
	s.db.port = 5432;
	s.db.name = "keycloak";
	s.db.user = "kc";
	s.db.password = "secret";
	s.cluster.protocol = "JDBC_PING";
	s.cluster.stack = "tcp";
	s.cluster.properties = no_props;
	s.cluster.n_properties = 0;
	s.cluster.cache_owners = 2;
	s.cluster.cache_owners_auth = 3;
	return s;
}

/* A rendered document, parsed back. */
struct rendered {
	char *text;
	size_t len;
	struct xml_doc doc;
	struct xml_element root;
	int code;
	char err[512];
};

/* Render, with the one line the renderer logs on failure in err (without
 * its "keycloak-ha-postgres: error: " prefix and the newline). */
static inline int render_capturing(const struct settings *s, const char *in, size_t in_len,
				   char **out, size_t *out_len, char *err, size_t err_len)
{
	FILE *f = tmpfile();

	if (!f)
		exit(2);
	log_stream = f;
	int code = render_standalone_ha(s, in, in_len, out, out_len);
	log_stream = NULL;
	harness_read_log(f, err, err_len);
	fclose(f);
	return code;
}

static inline int render_text(const struct settings *s, const char *in, size_t in_len,
			      struct rendered *r)
{
	memset(r, 0, sizeof(*r));
	r->code = render_capturing(s, in, in_len, &r->text, &r->len, r->err, sizeof(r->err));
	if (r->code == 0 &&
	    xml_parse(&r->doc, r->text, r->len, &r->root) != 0) {
		fprintf(stderr, "output not well-formed at %zu: %s\n",
			r->doc.err_offset, r->doc.err_msg);
		r->code = -1;
	}
	if (r->code != 0 && r->code != -1 && !r->err[0])
		fprintf(stderr, "no message for exit code %d\n", r->code);
	return r->code;
}

static inline int render(const struct settings *s, struct rendered *r)
{
	return render_text(s, dist, dist_len, r);
}

static inline void release(struct rendered *r)
{
	free(r->text);
	r->text = NULL;
}

/* Find a chain of elements from the root: name, attr, value triples. */
static inline int walk(struct xml_doc *doc, const struct xml_element *root,
		       struct xml_element *found, const char *const *path)
{
	struct xml_element cur = *root;

	for (; path[0]; path += 3) {
		enum xml_match how = XML_EXACT;
		const char *value = path[2];

		if (value && value[0] == '^') {
			how = XML_PREFIX;
			value++;
		}
		if (xml_find_child(doc, &cur, path[0], path[1], value, how,
				   &cur) != 1)
			return 0;
	}
	*found = cur;
	return 1;
}

#define PATH(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const ds_path[] = {
	"profile", NULL, NULL,
	"subsystem", "xmlns", "^urn:jboss:domain:datasources:",
	"datasources", NULL, NULL, NULL};

/* The text content of el's child named name, decoded. */
static inline int child_text(struct xml_doc *doc, const struct xml_element *el,
			     const char *name, char *buf, size_t size)
{
	struct xml_element c;

	buf[0] = '\0';
	if (xml_find_child(doc, el, name, NULL, NULL, XML_EXACT, &c) != 1)
		return 0;
	return xml_unescape(doc->text + c.tag_end, c.content_end - c.tag_end,
			    buf, size) == 0;
}

/* The datasource of pool-name pool. */
static inline int get_datasource(struct xml_doc *doc, const struct xml_element *root,
				 const char *pool, struct xml_element *ds)
{
	struct xml_element dss;

	return walk(doc, root, &dss, ds_path) &&
	       xml_find_child(doc, &dss, "datasource", "pool-name", pool,
			      XML_EXACT, ds) == 1;
}

/* The span of the subsystem whose xmlns starts with prefix. */
static inline struct xml_span subsystem_span(struct xml_doc *doc,
					     const struct xml_element *root,
					     const char *prefix)
{
	struct xml_element profile, sub;

	if (xml_find_child(doc, root, "profile", NULL, NULL, XML_EXACT,
			   &profile) != 1 ||
	    xml_find_child(doc, &profile, "subsystem", "xmlns", prefix,
			   XML_PREFIX, &sub) != 1)
		return (struct xml_span){0, 0};
	return (struct xml_span){sub.start, sub.end};
}

/* Attribute attr of the element at path, into buf; 1 found. */
static inline int attr_at(struct rendered *r, const char *const *path, const char *attr,
			  char *buf, size_t len)
{
	struct xml_element el;

	return walk(&r->doc, &r->root, &el, path) &&
	       xml_attr_value(&r->doc, &el, attr, buf, len) == 1;
}

/* Rendering in[0..in_len) is refused with code, a one-line message that
 * contains needle (if not NULL) and not secret (if not NULL), and no
 * output. */
static inline void expect_refusal(const struct settings *s, const char *in,
				  size_t in_len, int code, const char *needle,
				  const char *secret)
{
	struct rendered r;
	int got = render_text(s, in, in_len, &r);

	CHECK(got == code);
	CHECK(r.text == NULL);
	CHECK(r.err[0] != '\0' && strchr(r.err, '\n') == NULL);
	CHECK(!needle || strstr(r.err, needle) != NULL);
	if (needle && !strstr(r.err, needle))
		fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", r.err, needle);
	if (secret)
		CHECK(strstr(r.err, secret) == NULL);
	if (got != code)
		fprintf(stderr, "  got %d (%s), want %d\n", got, r.err, code);
	release(&r);
}

/* dist with the first occurrence of from replaced by to. */
static inline char *replace_once(const char *from, const char *to, size_t *len)
{
	const char *hit = strstr(dist, from);
	size_t nf = strlen(from), nt = strlen(to);
	char *copy;

	if (!hit)
		return NULL;
	*len = dist_len - nf + nt;
	copy = malloc(*len + 1);
	if (!copy)
		exit(2);
	memcpy(copy, dist, (size_t)(hit - dist));
	memcpy(copy + (hit - dist), to, nt);
	memcpy(copy + (hit - dist) + nt, hit + nf,
	       dist_len - (size_t)(hit - dist) - nf);
	copy[*len] = '\0';
	return copy;
}

/* dist with from replaced by to is refused with code and needle. */
static inline void expect_bad_dist(const char *from, const char *to, int code,
				   const char *needle)
{
	struct settings s = base_settings();
	size_t len;
	char *copy = replace_once(from, to, &len);

	CHECK(copy != NULL);
	if (!copy) {
		fprintf(stderr, "  \"%s\" not in the distribution file\n", from);
		return;
	}
	expect_refusal(&s, copy, len, code, needle, NULL);
	free(copy);
}

#endif
