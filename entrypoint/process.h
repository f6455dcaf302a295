/*
 * Child processes and the programs they run, for both roles: finding a
 * program on PATH, the environment a child gets (without secrets),
 * starting a child, waiting for it with a deadline, and stopping it.
 */
#ifndef KHP_PROCESS_H
#define KHP_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The first executable regular file called name in the directories of
 * PATH (from envp; a default when unset) into out. Returns 0, or
 * EXIT_EXEC_NOTFOUND / EXIT_EXEC_FAILED (found, but not executable) after
 * logging "NAME: not found on PATH", followed by hint when given.
 */
int find_program(const char *name, char *const *envp, const char *hint, char *out,
		 size_t size);

/*
 * envp without the secrets: every variable whose name holds PASSWORD (the
 * NAME_FILE pointers too, and the POSTGRES_ENV_POSTGRES_PASSWORD a Docker
 * link injects). Servers read their passwords from their configuration; in
 * the environment any child process or a crash report could see them. The
 * strings are envp's; free only the array.
 */
char **env_without_secrets(char *const *envp);

/* Start path with argv and env, stdin from /dev/null and stdout to stderr
 * (stdout stays free for whoever runs the entrypoint). Returns 0 with *pid,
 * or EXIT_OSERR after logging. */
int spawn(const char *path, char *const *argv, char *const *env, pid_t *pid);

enum wait_result { WAIT_EXITED, WAIT_TIMEOUT, WAIT_INTERRUPTED };

/* Wait for pid to exit, at most timeout_ms; with stop set, also until
 * *stop becomes nonzero (a signal handler's flag). *status is waitpid's. */
enum wait_result wait_child(pid_t pid, long timeout_ms, int *status,
			    const volatile sig_atomic_t *stop);

/* Send sig, wait up to timeout_ms, then SIGKILL. Returns the status;
 * *timed_out tells whether SIGKILL was needed. */
int stop_child(pid_t pid, int sig, long timeout_ms, bool *timed_out);

/* "exit status N", "signal N". */
void describe_status(int status, char *buf, size_t size);

#endif
