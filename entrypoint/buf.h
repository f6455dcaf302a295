/*
 * A growing text buffer, for everything the entrypoint composes: documents,
 * URLs, configuration files. Appending never fails loudly: after an
 * allocation failure the buffer stays failed and keeps no more text, and
 * the caller checks `failed` once, when the text is complete.
 */
#ifndef KHP_BUF_H
#define KHP_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;	/* NUL-terminated while not failed; NULL until written */
	size_t len;
	size_t cap;
	bool failed;
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

#endif
