#include "launch.h"

#include "log.h"
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void argv_push(struct argv_list *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

void argv_pushf(struct argv_list *a, const char *fmt, ...)
{
	char buf[PATH_MAX + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	argv_push(a, buf);
}

void argv_push_words(struct argv_list *a, const char *text)
{
	const char *p = text;

	while (*p) {
		p += strspn(p, " \t\n");
		size_t n = strcspn(p, " \t\n");
		if (n > 0) {
			char *w = xstrndup(p, n);
			argv_push(a, w);
			free(w);
		}
		p += n;
	}
}

void argv_free(struct argv_list *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

int exec_program(const struct argv_list *args, char *const *envp)
{
	fflush(NULL);
	execve(args->v[0], args->v, envp);
	int e = errno;
	log_error("cannot execute %s: %s", args->v[0], strerror(e));
	return e == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED;
}
