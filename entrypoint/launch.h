/*
 * Starting a server by exec: its command line built as a list, then the
 * entrypoint replaced by it, so that the server is the container's main
 * process, receives its signals itself, and its exit status is the
 * container's.
 */
#ifndef KHP_LAUNCH_H
#define KHP_LAUNCH_H

#include <stddef.h>

/* A growing, NULL-terminated argument list of malloc'd strings. */
struct argv_list {
	char **v;
	size_t n, cap;
};

void argv_push(struct argv_list *a, const char *s);
void argv_pushf(struct argv_list *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Split text on blanks: JAVA_OPTS has no shell quoting, as there is no
 * shell. */
void argv_push_words(struct argv_list *a, const char *text);
void argv_free(struct argv_list *a);

/* execve the program args->v[0]; returns only on failure, with
 * EXIT_EXEC_NOTFOUND or EXIT_EXEC_FAILED after logging. */
int exec_program(const struct argv_list *args, char *const *envp);

#endif
