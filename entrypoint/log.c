/*
 * One line per message, to stderr, with the program's name and the level, so
 * that a container log reader can tell the entrypoint's lines from the
 * server's. errno is saved around the call so that callers may log before
 * they use errno.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

FILE *log_stream;

static enum log_level threshold = LOG_INFO;

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	threshold = level;
}

bool log_level_parse(const char *text, enum log_level *level)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "error", LOG_ERROR }, { "warn", LOG_WARN }, { "warning", LOG_WARN },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0) {
			*level = names[i].level;
			return true;
		}
	}
	return false;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	int saved_errno = errno;

	if (level > threshold)
		return;
	/* One fprintf call per line; stderr is unbuffered, so build the line
	 * first to keep it whole when other processes share the stream. */
	char line[2048];
	int n = snprintf(line, sizeof(line), "keycloak-ha-postgres: %s: ",
			 level_names[level]);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fprintf(log_stream ? log_stream : stderr, "%s\n", line);
	errno = saved_errno;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void die_out_of_memory(void)
{
	log_error("out of memory");
	exit(EXIT_OSERR);
}
