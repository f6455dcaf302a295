/*
 * Logging and exit codes.
 *
 * Every message is one line on stderr: "keycloak-ha-postgres: LEVEL: text".
 * The exit codes are part of the interface: users script against them, the
 * README and --help list them, and tests/ checks every row.
 */
#ifndef KHP_LOG_H
#define KHP_LOG_H

#include <stdarg.h>
#include <stdio.h>

/* Exit codes, after sysexits(3) where one fits. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 64,	/* bad command line */
	EXIT_NOINPUT = 66,	/* distribution file or secret file missing/unreadable */
	EXIT_DB_UNAVAILABLE = 69, /* database not reachable before the deadline */
	EXIT_SOFTWARE = 70,	/* internal error (a bug) */
	EXIT_OSERR = 71,	/* a system call failed */
	EXIT_CANTCREAT = 73,	/* cannot write the configuration */
	EXIT_DB_REFUSED = 77,	/* database refused the login, or no such database */
	EXIT_CONFIG = 78,	/* bad setting (environment or configuration file) */
	EXIT_EXEC_FAILED = 126,	/* server found but could not be executed */
	EXIT_EXEC_NOTFOUND = 127, /* server program not found */
};

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages below this level are dropped; set from KHP_LOG_LEVEL or -v/-q. */
extern enum log_level log_threshold;
/* Where messages go; NULL means stderr. The fuzzers send them elsewhere
 * so that the sanitizers' reports stay readable. */
extern FILE *log_stream;

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Log an error and exit with the given code. */
_Noreturn void die(enum exit_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
