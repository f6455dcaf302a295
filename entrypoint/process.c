#include "process.h"

#include "clock.h"
#include "log.h"
#include "settings_lookup.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
#define POLL_MS 100

/* The candidate dir/name: 0 when executable, else ENOENT or EACCES. */
static int try_program(const char *dir, size_t dir_len, const char *name, char *out,
		       size_t size)
{
	struct stat st;
	int n = dir_len ? snprintf(out, size, "%.*s/%s", (int)dir_len, dir, name)
			: snprintf(out, size, "./%s", name);

	if (n < 0 || (size_t)n >= size || stat(out, &st) != 0 || !S_ISREG(st.st_mode))
		return ENOENT;
	return access(out, X_OK) == 0 ? 0 : EACCES;
}

int find_program(const char *name, char *const *envp, const char *hint, char *out,
		 size_t size)
{
	const char *path = env_get(envp, "PATH");
	int result = ENOENT;

	if (!path || !*path)
		path = DEFAULT_PATH;
	while (*path) {
		size_t len = strcspn(path, ":");
		int e = try_program(path, len, name, out, size);
		if (e == 0)
			return 0;
		if (e == EACCES)
			result = EACCES;
		path += len;
		if (*path == ':')
			path++;
	}
	if (hint)
		log_error("%s: not found on PATH; %s", name, hint);
	else
		log_error("%s: not found on PATH: %s", name, strerror(result));
	return result == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED;
}

char **env_without_secrets(char *const *envp)
{
	size_t n = 0, o = 0;

	while (envp && envp[n])
		n++;
	char **env = xcalloc(n + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		size_t name_len = strcspn(envp[i], "=");
		/* The name is the part before '='; PASSWORD after it is a value. */
		const char *hit = strstr(envp[i], "PASSWORD");
		if (hit && (size_t)(hit - envp[i]) + 8 <= name_len)
			continue;
		env[o++] = envp[i];
	}
	env[o] = NULL;
	return env;
}

int spawn(const char *path, char *const *argv, char *const *env, pid_t *pid)
{
	*pid = fork();
	if (*pid < 0) {
		log_error("cannot start %s: %s", path, strerror(errno));
		return EXIT_OSERR;
	}
	if (*pid > 0)
		return 0;
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
	    dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		log_error("cannot set up the standard streams of %s: %s", path, strerror(errno));
		_exit(EXIT_OSERR);
	}
	if (null_fd > STDERR_FILENO)
		close(null_fd);
	execve(path, argv, env);
	log_error("cannot execute %s: %s", path, strerror(errno));
	_exit(errno == ENOENT ? EXIT_EXEC_NOTFOUND : EXIT_EXEC_FAILED);
}

enum wait_result wait_child(pid_t pid, long timeout_ms, int *status,
			    const volatile sig_atomic_t *stop)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return WAIT_EXITED;
		if (r < 0 && errno != EINTR) {
			/* Not our child any more: nothing left to wait for. */
			*status = 0;
			return WAIT_EXITED;
		}
		if (stop && *stop)
			return WAIT_INTERRUPTED;
		if (now_ms() >= deadline)
			return WAIT_TIMEOUT;
		/* A signal ends the nap: the stop flag is seen before the child
		 * that got the same signal is reaped as a plain failure. */
		nap_ms(POLL_MS);
	}
}

int stop_child(pid_t pid, int sig, long timeout_ms, bool *timed_out)
{
	int status = 0;

	*timed_out = false;
	kill(pid, sig);
	if (wait_child(pid, timeout_ms, &status, NULL) == WAIT_EXITED)
		return status;
	*timed_out = true;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

void describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %d", status);
}
