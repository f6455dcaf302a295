/*
 * peak_rss: run a command and print its peak resident memory.
 *
 *   peak_rss COMMAND [ARGS...]
 *
 * Prints "peak_rss_kb=N exit=S" on stderr, where N is the largest resident
 * set of the command and of every descendant it waited for (wait4 reports
 * the child's own peak together with those of its reaped children), and
 * exits with the command's status. Built static so that the same program
 * measures on the host and inside any image, shell and JVM alike.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: peak_rss COMMAND [ARGS...]\n");
		return 64;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "peak_rss: fork: %s\n", strerror(errno));
		return 71;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "peak_rss: %s: %s\n", argv[1], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	struct rusage usage;
	while (wait4(pid, &status, 0, &usage) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "peak_rss: wait4: %s\n", strerror(errno));
			return 71;
		}
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "peak_rss_kb=%ld exit=%d\n", usage.ru_maxrss, code);
	return code;
}
