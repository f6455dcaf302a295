/*
 * A minimal test harness: CHECK records a failure and goes on, so one run
 * reports every broken case; the summary line is the one the test runner
 * reads ("N passed, N failed").
 */
#ifndef KHP_HARNESS_H
#define KHP_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_passed, harness_failed;

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (cond) {                                                   \
			harness_passed++;                                     \
		} else {                                                      \
			harness_failed++;                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                             \
		}                                                             \
	} while (0)

#define CHECK_STR(got, want)                                                  \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                        \
			harness_passed++;                                     \
		} else {                                                      \
			harness_failed++;                                     \
			fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", \
				__FILE__, __LINE__, #got, g_ ? g_ : "(null)",  \
				w_ ? w_ : "(null)");                          \
		}                                                             \
	} while (0)

/*
 * What the code under test logged into f (log.h's log_stream), read back
 * into buf: the first message without its "keycloak-ha-postgres: LEVEL: "
 * prefix, and any further lines after it, without the last newline.
 */
static inline void harness_read_log(FILE *f, char *buf, size_t len)
{
	size_t n;
	char *text;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	text = strstr(buf, ": ");
	if (text && strncmp(buf, "keycloak-ha-postgres: ", 22) == 0) {
		text = strstr(text + 2, ": ");
		if (text)
			memmove(buf, text + 2, strlen(text + 2) + 1);
	}
}

static inline int harness_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, harness_passed, harness_failed);
	return harness_failed ? 1 : 0;
}

#endif
