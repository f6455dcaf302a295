/*
 * keycloak-ha-postgres: the entrypoint of the Keycloak and PostgreSQL images.
 *
 * Data flows one way: environment and files -> settings -> the server's
 * configuration -> wait for the database -> remove discovery rows of members
 * that are gone -> exec the server. Each step is a module; the steps that
 * depend on the Keycloak generation go through its backend (backend.h).
 * This file parses the command line and runs the steps of a command in
 * order.
 */
#include "backend.h"
#include "balancer_role.h"
#include "health.h"
#include "launch.h"
#include "log.h"
#include "postgres_role.h"
#include "process.h"
#include "provenance.h"
#include "settings.h"
#include "settings_names.h"
#include "text.h"
#include "wait_db.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef KHP_VERSION
#define KHP_VERSION "0.0.0-dev"
#endif

extern char **environ;

static const char usage_text[] =
	"Usage: keycloak-ha-postgres [--config FILE] [--set NAME=VALUE]... [COMMAND] [ARGS]\n"
	"\n"
	"Options (before the command):\n"
	"  --config FILE           read settings from FILE (libconfig syntax); default:\n"
	"                          KEYCLOAK_HA_CONFIG, else " SETTINGS_DEFAULT_CONFIG "\n"
	"                          when it exists\n"
	"  --set NAME=VALUE        set a setting; wins over the environment and the file\n"
	"                          (secrets only as --set NAME_FILE=PATH)\n"
	"\n"
	"Commands:\n"
	"  run [--] [SERVER_ARGS]  read the settings, write the server's configuration,\n"
	"                          wait until PostgreSQL accepts the login, remove JDBC_PING\n"
	"                          rows of members that are gone, exec the server (default;\n"
	"                          arguments starting with '-' are passed to the server)\n"
	"  run --dry-run [...]     print the server's command line, one argument a line\n"
	"  wait-db                 wait until PostgreSQL accepts the configured login, exit 0\n"
	"  render [DIR]            write the generated configuration into the server\n"
	"                          directory DIR (default: the state directory,\n"
	"                          KEYCLOAK_STATE_DIR) and exit\n"
	"  render --print          print the effective settings and where each came from\n"
	"  postgres [ARGS]         PostgreSQL image: initialise PGDATA if empty, exec postgres\n"
	"  balancer [ARGS]         balancer image: write HAProxy's configuration from the\n"
	"                          BALANCER_* variables, exec haproxy\n"
	"  health [--timeout SECONDS]\n"
	"                          is the server of this container ready? Keycloak 26:\n"
	"                          GET /health/ready on the management port (9000, or\n"
	"                          KC_HTTP_MANAGEMENT_PORT); Keycloak 19: GET\n"
	"                          /auth/realms/master on BIND:8080; healthy on HTTP 200\n"
	"                          within SECONDS (default 5)\n"
	"  health postgres [--timeout SECONDS]\n"
	"                          PostgreSQL image: log in as POSTGRES_USER to the\n"
	"                          database and run SELECT 1\n"
	"  --help, --version\n"
	"\n"
	"Settings come from, highest precedence first: --set, environment variables\n"
	"(secrets also from NAME_FILE), the configuration file, built-in defaults.\n"
	"See docs/settings.md for the full list.\n"
	"\n"
	"Exit codes:\n"
	"   0  success (wait-db, render; run and postgres exec the server instead);\n"
	"      health: the server is ready (one line on stdout)\n"
	"   1  health: the server is not ready, refused the connection or the login,\n"
	"      or did not answer within the timeout (one line on stderr)\n"
	"  64  usage: unknown command or option, --set of an unknown name\n"
	"  66  a file to read is missing or unreadable (distribution file, NAME_FILE,\n"
	"      configuration file, DB_SSLROOTCERT, KEYCLOAK_IMPORT)\n"
	"  69  database not reachable before DB_WAIT_TIMEOUT\n"
	"  70  internal error\n"
	"  71  a system call failed\n"
	"  73  cannot write the configuration\n"
	"  77  database refused the login, the database does not exist, or TLS\n"
	"      cannot succeed (untrusted or mismatched certificate, TLS not offered)\n"
	"  78  bad setting: a variable or file entry is invalid, missing or conflicts\n"
	"      with another\n"
	" 126  the server program cannot be executed\n"
	" 127  the server program was not found\n";

/* What the command line gave every command: the settings' sources. */
struct command {
	struct settings_input input;
	int argc;		/* the command's own arguments */
	char **argv;
};

/* The settings of one command, completed by the backend of the
 * distribution they name. */
struct loaded {
	struct settings s;
	struct provenance shown;
	const struct backend *backend;
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_error("%s; see --help", buf);
	return EXIT_USAGE;
}

/* quiet: errors only (the health check, whose output is one line). */
static int load_as(const struct settings_input *in, struct loaded *l, bool quiet)
{
	memset(l, 0, sizeof(*l));
	if (quiet)
		log_set_level(LOG_ERROR);
	int rc = settings_load(&l->s, &l->shown, in);
	if (rc)
		return rc;
	if (!quiet) {
		log_set_level(l->s.log_level);
		settings_warn_unknown(in->envp);
	}
	l->backend = backend_for(l->s.server.home);
	return l->backend->complete(&l->s, &l->shown);
}

static int load(const struct settings_input *in, struct loaded *l)
{
	return load_as(in, l, false);
}

static void unload(struct loaded *l)
{
	settings_free(&l->s);
	provenance_free(&l->shown);
}

static int cmd_render(const struct command *cmd)
{
	struct loaded l;
	const char *dir = NULL;
	bool print = false;

	for (int i = 0; i < cmd->argc; i++) {
		const char *a = cmd->argv[i];
		if (strcmp(a, "--print") == 0)
			print = true;
		else if (a[0] == '-')
			return usage_error("render: unknown option %s", a);
		else if (!dir)
			dir = a;
		else
			return usage_error("render: unexpected argument %s", a);
	}
	int rc = load(&cmd->input, &l);
	if (rc == 0 && print)
		settings_print(&l.s, &l.shown, stdout);
	else if (rc == 0)
		rc = l.backend->configure(&l.s, dir);
	unload(&l);
	return rc;
}

static int cmd_wait_db(const struct command *cmd)
{
	struct loaded l;

	if (cmd->argc > 0)
		return usage_error("wait-db: unexpected argument %s", cmd->argv[0]);
	int rc = load(&cmd->input, &l);
	if (rc == 0)
		rc = wait_for_database(&l.s.db);
	unload(&l);
	return rc;
}

/* health [postgres] [--timeout SECONDS], in any order. */
static int cmd_health(const struct command *cmd)
{
	unsigned timeout = HEALTH_DEFAULT_TIMEOUT;
	bool postgres = false;

	for (int i = 0; i < cmd->argc; i++) {
		const char *a = cmd->argv[i], *v = NULL;
		if (strcmp(a, "postgres") == 0) {
			postgres = true;
			continue;
		}
		if (strcmp(a, "--timeout") == 0 && i + 1 < cmd->argc)
			v = cmd->argv[++i];
		else if (strncmp(a, "--timeout=", 10) == 0)
			v = a + 10;
		else if (strcmp(a, "--timeout") == 0)
			return usage_error("health: --timeout needs a number of seconds");
		else
			return usage_error("health: unexpected argument %s", a);
		char *end;
		unsigned long t = strtoul(v, &end, 10);
		if (v[0] < '0' || v[0] > '9' || *end || t < 1 || t > 3600)
			return usage_error("health: --timeout %s: expected seconds, 1 to 3600", v);
		timeout = (unsigned)t;
	}
	if (postgres)
		return health_postgres(environ, timeout);
	struct loaded l;
	int rc = load_as(&cmd->input, &l, true);
	if (rc == 0)
		rc = health_keycloak(l.backend, &l.s, timeout);
	unload(&l);
	return rc;
}

/* run --dry-run: the server's command line, one argument a line; nothing
 * is written, nothing waited for. */
static int print_server_argv(const struct loaded *l, int argc, char **argv)
{
	struct argv_list server;
	int rc = l->backend->server_argv(&l->s, environ, argv, (size_t)argc, &server);

	if (rc == 0)
		for (size_t i = 0; i < server.n; i++)
			puts(server.v[i]);
	argv_free(&server);
	return rc;
}

/*
 * The phases of a start. The configuration comes first, so that a bad
 * setting or distribution file is reported at once, not after waiting for
 * the database; the command line next, so that a missing java is too.
 * What the database must be asked (the discovery rows of members that are
 * gone, whether the admin exists) comes after the wait.
 */
static int start_server(struct loaded *l, int argc, char **argv)
{
	struct argv_list server = { 0 };
	int rc;

	/* Whatever the entrypoint and the server create is private to the
	 * server's user: the configuration holds the database password, the
	 * admin file a password hash. */
	umask(S_IRWXG | S_IRWXO);
	if ((rc = l->backend->configure(&l->s, NULL)) ||
	    (rc = l->backend->server_argv(&l->s, environ, argv, (size_t)argc, &server)) ||
	    (rc = wait_for_database(&l->s.db)) || (rc = l->backend->before_exec(&l->s)))
		goto out;
	log_info("starting Keycloak as node %s on %s (cluster traffic on %s)",
		 l->s.cluster.node_name, l->s.cluster.bind_address, l->s.cluster.bind_private);
	char **env = env_without_secrets(environ);
	unload(l);
	rc = exec_program(&server, env);
	free(env);
out:
	argv_free(&server);
	return rc;
}

static int cmd_run(const struct command *cmd)
{
	struct loaded l;
	int argc = cmd->argc;
	char **argv = cmd->argv;
	bool dry_run = false;

	if (argc > 0 && strcmp(argv[0], "--dry-run") == 0) {
		dry_run = true;
		argc--;
		argv++;
	}
	if (argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	}
	/* The server's own options are settings too (Keycloak 26's). */
	struct settings_input in = cmd->input;
	in.server_args = argv;
	in.n_server_args = (size_t)argc;
	int rc = load(&in, &l);
	if (rc == 0)
		rc = dry_run ? print_server_argv(&l, argc, argv) : start_server(&l, argc, argv);
	unload(&l);
	return rc;
}

/*
 * Options before the command: --config FILE, --set NAME=VALUE. Returns the
 * index of the first argument after them, or -1 after a usage error.
 * overrides has room for every argument.
 */
static int parse_global_options(int argc, char **argv, char **overrides,
				struct settings_input *in)
{
	size_t n = 0;
	int i = 1;

	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--config") == 0 || strcmp(a, "--set") == 0) {
			if (i + 1 >= argc) {
				usage_error("%s needs a value", a);
				return -1;
			}
			if (a[2] == 'c')
				in->config_file = argv[++i];
			else
				overrides[n++] = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			in->config_file = a + 9;
		} else if (strncmp(a, "--set=", 6) == 0) {
			overrides[n++] = (char *)a + 6;
		} else {
			break;
		}
	}
	if (in->config_file && !*in->config_file) {
		usage_error("--config needs a file");
		return -1;
	}
	in->overrides = n ? overrides : NULL;
	return i;
}

/* argv[0] is where the options were; argv[1] the command, if any. */
static int dispatch(int argc, char **argv, struct command *cmd)
{
	const char *name = argc > 1 ? argv[1] : "run";

	cmd->argc = argc > 1 ? argc - 2 : 0;
	cmd->argv = argv + 2;
	/* Docker images are often run with only server options as arguments
	 * ("-b 0.0.0.0"): those go to "run". */
	if (argc > 1 && argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 &&
	    strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--version") != 0) {
		name = "run";
		cmd->argc = argc - 1;
		cmd->argv = argv + 1;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0) {
		printf("keycloak-ha-postgres %s\n", KHP_VERSION);
		return EXIT_OK;
	}
	if (strcmp(name, "run") == 0)
		return cmd_run(cmd);
	if (strcmp(name, "wait-db") == 0)
		return cmd_wait_db(cmd);
	if (strcmp(name, "render") == 0)
		return cmd_render(cmd);
	if (strcmp(name, "health") == 0)
		return cmd_health(cmd);
	if (strcmp(name, "postgres") == 0)
		return postgres_role_main(argc - 1, argv + 1, environ);
	if (strcmp(name, "balancer") == 0)
		return balancer_role_main(cmd->argc, cmd->argv, environ);
	return usage_error("unknown command %s", name);
}

int main(int argc, char **argv)
{
	char **overrides = xcalloc((size_t)argc + 1, sizeof(char *));
	struct command cmd = { .input = { .envp = environ } };
	int first = parse_global_options(argc, argv, overrides, &cmd.input);
	int rc = EXIT_USAGE;

	if (first >= 0)
		/* From here on, argv[0] stands where the options were. */
		rc = dispatch(argc - (first - 1), argv + (first - 1), &cmd);
	free(overrides);
	return rc;
}
