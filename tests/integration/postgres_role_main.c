/*
 * A stand-in for the entrypoint's main() in the integration test of the
 * PostgreSQL role: "PROGRAM postgres [ARGS...]" runs the role with the
 * process's environment, as the real program does.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "postgres_role.h"

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "postgres") != 0) {
		fprintf(stderr, "usage: %s postgres [ARGS...]\n", argv[0]);
		return EXIT_USAGE;
	}
	return postgres_role_main(argc - 1, argv + 1, environ);
}
