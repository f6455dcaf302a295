/*
 * Logging, exit codes, and the one way errors travel.
 *
 * Every message is one line on stderr: "keycloak-ha-postgres: LEVEL: text".
 * The exit codes are part of the interface: users script against them, the
 * README and --help list them, and tests/ checks every row.
 *
 * Errors. A function that can fail returns an int: 0 on success, otherwise
 * an exit code from enum exit_code, after it has logged one line that says
 * what failed and why. The caller passes the code on unchanged, so every
 * failure is reported once, by the code that understood it, and the process
 * ends with the exit code chosen there. Two kinds of function answer
 * differently, each for its reason:
 *   - the file primitives of fsutil.h return an errno value and log
 *     nothing, because only their caller knows which setting or file the
 *     message must name;
 *   - the XML scanner (xml.h) returns -1 and keeps the offset and the reason
 *     in its document, as a parser of untrusted text does; its caller
 *     decides what the failure means.
 * Questions ("is this a host name?") return bool. die() is only for what
 * nothing can continue after: memory running out.
 */
#ifndef KHP_LOG_H
#define KHP_LOG_H

#include <stdarg.h>
#include <stdbool.h>
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

/* Messages above this level are dropped; LOG_INFO until a role's settings
 * (KEYCLOAK_HA_LOG_LEVEL) say otherwise. */
void log_set_level(enum log_level level);

/* The level named by text ("error", "warn", "info", "debug", any case);
 * false when it names none. */
bool log_level_parse(const char *text, enum log_level *level);

/* Where messages go; NULL means stderr. The fuzzers and unit tests send
 * them elsewhere. */
extern FILE *log_stream;

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Log "out of memory" and exit with EXIT_OSERR. */
_Noreturn void die_out_of_memory(void);

#endif
