/*
 * peak_rss: run a command and print its peak resident memory.
 *
 *   peak_rss COMMAND [ARGS...]
 *
 * Prints "peak_rss_kb=N exit=S wall_ms=W cpu_ms=C" on stderr, where N is
 * the largest resident set of the command and of every descendant it
 * waited for (wait4 reports the child's own peak together with those of
 * its reaped children), W the time from fork to the command's end
 * (monotonic clock) and C its CPU time, user and system, descendants it
 * waited for included; and exits with the command's status. Built static
 * so that the same program measures on the host and inside any image,
 * shell and JVM alike.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms_of(struct timeval t)
{
	return (double)t.tv_sec * 1000.0 + (double)t.tv_usec / 1000.0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: peak_rss COMMAND [ARGS...]\n");
		return 64;
	}
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
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
	clock_gettime(CLOCK_MONOTONIC, &end);
	double wall = (double)(end.tv_sec - start.tv_sec) * 1000.0 +
		      (double)(end.tv_nsec - start.tv_nsec) / 1e6;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "peak_rss_kb=%ld exit=%d wall_ms=%.3f cpu_ms=%.3f\n", usage.ru_maxrss, code,
		wall, ms_of(usage.ru_utime) + ms_of(usage.ru_stime));
	return code;
}
