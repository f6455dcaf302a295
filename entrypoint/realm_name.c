/*
 * The name of the realm a realm file (JSON) holds, for Keycloak 26's
 * directory import, which reads a file only under the name NAME-realm.json.
 * JSON only as far as that needs: blanks, strings, and values skipped
 * without being checked (Keycloak reads the file again).
 */
#include "quarkus.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool json_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int json_next(FILE *f)
{
	int c;

	while (json_blank(c = getc(f)))
		;
	return c;
}

static int json_hex4(FILE *f)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = getc(f), d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
			c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One escape after its backslash, as a code point; -1 when malformed. */
static long json_escape(FILE *f)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	int c = getc(f);
	const char *p = c != EOF && c != 'u' ? strchr(from, c) : NULL;

	if (p && *p)
		return (unsigned char)to[p - from];
	if (c != 'u')
		return -1;
	long hi = json_hex4(f);
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi > 0xdbff || getc(f) != '\\' || getc(f) != 'u')
		return -1;
	long lo = json_hex4(f);
	return lo >= 0xdc00 && lo <= 0xdfff ? 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00) : -1;
}

/* A string after its opening quote, decoded as UTF-8 into out[0..len)
 * (out NULL: skipped). 1, 0 when it did not fit, -1 when malformed. */
static int json_string(FILE *f, char *out, size_t len)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t n = 0;
	bool fits = out != NULL;

	for (int c; (c = getc(f)) != '"';) {
		/* Bytes as they are (UTF-8 stays UTF-8), escapes encoded; NUL
		 * cannot be in a name. */
		long cp = c == '\\' ? json_escape(f) : c;
		if (c == EOF || (c != '\\' && c < 0x20) || cp <= 0)
			return -1;
		unsigned char u[4];
		size_t k = c != '\\' || cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		u[0] = (unsigned char)(k == 1 ? cp : lead[k] | (cp >> (6 * (k - 1))));
		for (size_t i = 1; i < k; i++)
			u[i] = (unsigned char)(0x80 | ((cp >> (6 * (k - 1 - i))) & 0x3f));
		fits = fits && n + k < len;
		if (fits)
			memcpy(out + n, u, k);
		n += k;
	}
	if (fits)
		out[n] = '\0';
	return fits ? 1 : out ? 0 : 1;
}

/* The value that starts with c, skipped; the first character after it
 * that is not blank, EOF when malformed. */
static int json_skip(FILE *f, int c)
{
	unsigned long depth = 0;

	for (;; c = getc(f)) {
		if (c == EOF || (c == '"' && json_string(f, NULL, 0) < 0))
			return EOF;
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return c;
			depth--;
		} else if (depth == 0 && (c == ',' || json_blank(c))) {
			return c == ',' ? c : json_next(f);
		}
		if (depth == 0 && (c == '"' || c == '}' || c == ']'))
			return json_next(f);
	}
}

int quarkus_realm_name(FILE *f, char *name, size_t len)
{
	bool found = false;
	int c = json_next(f);

	/* A byte order mark, which Keycloak's reader skips too. */
	if (c == 0xef && getc(f) == 0xbb && getc(f) == 0xbf)
		c = json_next(f);
	if (c != '{' || (c = json_next(f)) == '}')
		return -1;
	for (;; c = json_next(f)) {
		char key[8];
		int k = c == '"' ? json_string(f, key, sizeof(key)) : -1;
		if (k < 0 || json_next(f) != ':')
			return -1;
		c = json_next(f);
		if (k == 1 && strcmp(key, "realm") == 0) {
			if (c != '"' || json_string(f, name, len) != 1)
				return -1;
			found = true;
			c = json_next(f);
		} else if ((c = json_skip(f, c)) == EOF) {
			return -1;
		}
		if (c == '}')
			return found ? 0 : -1;
		if (c != ',')
			return -1;
	}
}
