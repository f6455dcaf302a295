/*
 * Small string helpers shared by every module: allocation that cannot fail
 * (it ends the program instead), the check for control characters, a value
 * made safe for a log line, and freeing a secret without leaving it in the
 * heap.
 */
#ifndef KHP_TEXT_H
#define KHP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Values are shown in messages at most this long. */
#define QUOTE_MAX 64
/* Room for a quoted value: every byte may become "\xNN". */
#define QUOTE_BUF (QUOTE_MAX * 4 + 16)

char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xrealloc(void *p, size_t size);
void *xcalloc(size_t n, size_t size);

/* Whether s holds a byte below 0x20 or DEL. */
bool has_control_chars(const char *s);

/*
 * v for a message: in double quotes, control characters written as \xNN,
 * cut after QUOTE_MAX bytes, so that a value with a newline cannot forge a
 * log line. buf holds at least QUOTE_BUF bytes; returns buf.
 */
const char *quote_value(const char *v, char *buf, size_t len);

/* Overwrite s, then free it: a secret does not linger in freed memory. */
void free_secret(char *s);

#endif
