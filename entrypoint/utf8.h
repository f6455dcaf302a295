/*
 * UTF-8 decoding, strict: what the XML scanner and the writers of server
 * configuration accept as text.
 */
#ifndef KHP_UTF8_H
#define KHP_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one UTF-8 sequence at s[0..n). Returns its length, 0 when it is not
 * valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated).
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
