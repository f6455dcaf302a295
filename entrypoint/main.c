/*
 * keycloak-ha-postgres: the entrypoint of the Keycloak and PostgreSQL images.
 *
 * Data flows one way: environment -> settings -> render the configuration
 * -> wait for the database -> remove discovery rows of members that are gone
 * -> exec the server. Each step is a module; this
 * file only parses the command line and runs the steps of a subcommand in
 * order.
 */
#include "admin_user.h"
#include "fsutil.h"
#include "launch.h"
#include "log.h"
#include "ping_rows.h"
#include "postgres_role.h"
#include "render.h"
#include "settings.h"
#include "state_dir.h"
#include "wait_db.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KHP_VERSION
#define KHP_VERSION "0.0.0-dev"
#endif

extern char **environ;

/* The command line's settings, for every command. */
static struct settings_input input;

/* The distribution's standalone-ha.xml is never larger than this. */
#define DIST_XML_MAX (16 * 1024 * 1024)

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
	"  run [--] [SERVER_ARGS]  read the settings, write standalone-ha.xml, wait until\n"
	"                          PostgreSQL accepts the login, remove JDBC_PING rows of\n"
	"                          members that are gone, exec the server (default;\n"
	"                          arguments starting with '-' are passed to the server)\n"
	"  run --dry-run [...]     print the server's command line, one argument a line\n"
	"  wait-db                 wait until PostgreSQL accepts the configured login, exit 0\n"
	"  render [DIR]            write the generated configuration into the server\n"
	"                          directory DIR (default: the state directory,\n"
	"                          KEYCLOAK_STATE_DIR) and exit\n"
	"  render --print          print the effective settings and where each came from\n"
	"  postgres [ARGS]         PostgreSQL image: initialise PGDATA if empty, exec postgres\n"
	"  --help, --version\n"
	"\n"
	"Settings come from, highest precedence first: --set, environment variables\n"
	"(secrets also from NAME_FILE), the configuration file, built-in defaults.\n"
	"See README.md for the full list.\n"
	"\n"
	"Exit codes:\n"
	"   0  success (wait-db, render; run and postgres exec the server instead)\n"
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

static int load_settings(struct settings *s)
{
	input.envp = environ;
	int rc = settings_load_input(s, &input);
	if (rc == 0)
		settings_warn_unknown(environ);
	return rc;
}

static void path_join(char *out, size_t len, const char *dir, const char *file)
{
	if ((size_t)snprintf(out, len, "%s/%s", dir, file) >= len)
		die(EXIT_CONFIG, "KEYCLOAK_HOME: path too long");
}

/*
 * Render standalone-ha.xml into dst_dir from the pristine copy in src_dir
 * (both configuration directories; the same one unless the server writes to
 * a state directory of its own). The first render keeps the distribution's
 * own file as standalone-ha.xml.dist (the images ship it so); every later
 * one renders from that copy again, so a restart with changed settings gets
 * a configuration that reflects exactly them, and no "already configured"
 * marker is needed.
 */
/*
 * Java remembers a failed name lookup for 10 s (networkaddress.cache.
 * negative.ttl in the JDK's java.security): one lost DNS answer, as an
 * engine's DNS server gives while it reloads for a container that starts,
 * would fail every connection to the database for that long, more than the
 * datasource's retries. Not remembered, the next retry asks again.
 */
static const char jvm_security[] =
	"# Written by keycloak-ha-postgres at every start; java reads it\n"
	"# through -Djava.security.properties.\n"
	"networkaddress.cache.negative.ttl=0\n";

static int render_into(const struct settings *s, const char *src_dir, const char *dst_dir)
{
	char dist[PATH_MAX], source[PATH_MAX], target[PATH_MAX], security[PATH_MAX];
	char *text, *out, err[512];
	size_t len, out_len;

	path_join(dist, sizeof(dist), src_dir, "standalone-ha.xml.dist");
	path_join(source, sizeof(source), src_dir, "standalone-ha.xml");
	path_join(target, sizeof(target), dst_dir, "standalone-ha.xml");

	int e = read_file(dist, DIST_XML_MAX, &text, &len);
	bool have_dist = e == 0;
	if (e == ENOENT)
		e = read_file(source, DIST_XML_MAX, &text, &len);
	if (e) {
		log_error("cannot read %s: %s", e == ENOENT && !have_dist ? source : dist,
			  strerror(e));
		return EXIT_NOINPUT;
	}
	int rc = render_standalone_ha(s, text, len, &out, &out_len, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		free(text);
		return rc;
	}
	/* Rendering elsewhere leaves the source as it is: it stays pristine. */
	if (!have_dist && strcmp(src_dir, dst_dir) == 0) {
		e = write_file_atomic(dist, text, len, 0644);
		if (e) {
			log_error("cannot write %s: %s", dist, strerror(e));
			free(text);
			free(out);
			return EXIT_CANTCREAT;
		}
	}
	free(text);
	/* 0600: the file holds the database password. */
	e = write_file_atomic(target, out, out_len, 0600);
	free(out);
	if (e) {
		log_error("cannot write %s: %s", target, strerror(e));
		return EXIT_CANTCREAT;
	}
	/* The JVM's security properties that the server needs changed; the
	 * command line points java at this file (launch.c). */
	path_join(security, sizeof(security), dst_dir, JVM_SECURITY_FILE);
	e = write_file_atomic(security, jvm_security, sizeof(jvm_security) - 1, 0600);
	if (e) {
		log_error("cannot write %s: %s", security, strerror(e));
		return EXIT_CANTCREAT;
	}
	log_info("wrote %s (datasource %s@%s:%u, discovery %s on %s, %u session owners)",
		 target, s->db_name, s->db_host, s->db_port, s->jgroups_protocol,
		 s->jgroups_stack, s->cache_owners);
	return 0;
}

/* Render into the server's own configuration directory, or into the state
 * directory after preparing it. dir: a server directory given to render. */
static int render_server(const struct settings *s, const char *dir)
{
	char src[PATH_MAX], dst[PATH_MAX];

	path_join(src, sizeof(src), dir ? dir : s->keycloak_home, "standalone/configuration");
	if (dir)
		return render_into(s, src, src);
	int rc = state_dir_prepare(s);
	if (rc)
		return rc;
	state_config_dir(s, dst, sizeof(dst));
	return render_into(s, src, dst);
}

static int cmd_render(int argc, char **argv)
{
	struct settings s;
	const char *dir = NULL;
	bool print = false;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--print") == 0)
			print = true;
		else if (argv[i][0] == '-')
			return usage_error("render: unknown option %s", argv[i]);
		else if (!dir)
			dir = argv[i];
		else
			return usage_error("render: unexpected argument %s", argv[i]);
	}
	int rc = load_settings(&s);
	if (rc == 0) {
		if (print)
			settings_print(&s, stdout);
		else
			rc = render_server(&s, dir);
	}
	settings_free(&s);
	return rc;
}

static int cmd_wait_db(int argc, char **argv)
{
	struct settings s;

	if (argc > 0)
		return usage_error("wait-db: unexpected argument %s", argv[0]);
	int rc = load_settings(&s);
	if (rc == 0)
		rc = wait_for_database(&s);
	settings_free(&s);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct settings s;
	struct argv_list server;
	char config_dir[PATH_MAX];

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
	int rc = load_settings(&s);
	if (rc)
		goto out;
	if (dry_run) {
		/* Show the server's command line, one argument a line; write
		 * nothing, wait for nothing. */
		if ((rc = build_server_argv(&s, argv, (size_t)argc, &server)) == 0) {
			for (size_t i = 0; i < server.n; i++)
				puts(server.v[i]);
			argv_free(&server);
		}
		goto out;
	}
	/* Whatever the entrypoint and the server create is private to the
	 * server's user: the configuration and its history hold the database
	 * password, the admin file a password hash. */
	umask(S_IRWXG | S_IRWXO);
	/* Configuration first: a bad setting or distribution file is reported
	 * at once, not after waiting for the database. */
	if ((rc = render_server(&s, NULL)))
		goto out;
	if ((rc = build_server_argv(&s, argv, (size_t)argc, &server)))
		goto out;
	/* The admin user after the wait: whether it exists is asked of the
	 * database. */
	state_config_dir(&s, config_dir, sizeof(config_dir));
	if ((rc = wait_for_database(&s)) == 0)
		/* Only what its discovery will read: a failure is logged,
		 * and the rows' own expiry still applies. */
		remove_dead_ping_rows(&s);
	if (rc ||
	    (s.admin_user && (rc = provide_admin_user(&s, config_dir)))) {
		argv_free(&server);
		goto out;
	}
	log_info("starting Keycloak as node %s on %s (cluster traffic on %s)",
		 s.node_name, s.bind_address, s.bind_private);
	char **env = server_environment(environ);
	settings_free(&s);
	fflush(NULL);
	rc = exec_server(&server, env);
	free(env);
	argv_free(&server);
	return rc;
out:
	settings_free(&s);
	return rc;
}

/*
 * Options before the command: --config FILE, --set NAME=VALUE. Returns the
 * index of the first argument after them, or -1 after a usage error.
 */
static int dispatch(int argc, char **argv);

static int parse_global_options(int argc, char **argv, char ***overrides)
{
	size_t n = 0;
	int i = 1;

	*overrides = calloc((size_t)argc + 1, sizeof(char *));
	if (!*overrides)
		die(EXIT_OSERR, "out of memory");
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--config") == 0 || strcmp(a, "--set") == 0) {
			if (i + 1 >= argc) {
				usage_error("%s needs a value", a);
				return -1;
			}
			if (a[2] == 'c')
				input.config_file = argv[++i];
			else
				(*overrides)[n++] = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			input.config_file = a + 9;
		} else if (strncmp(a, "--set=", 6) == 0) {
			(*overrides)[n++] = (char *)a + 6;
		} else {
			break;
		}
	}
	if (input.config_file && !*input.config_file) {
		usage_error("--config needs a file");
		return -1;
	}
	input.overrides = n ? *overrides : NULL;
	return i;
}

int main(int argc, char **argv)
{
	char **overrides;
	int first = parse_global_options(argc, argv, &overrides);

	if (first < 0) {
		free(overrides);
		return EXIT_USAGE;
	}
	/* From here on, argv[0] stands where the options were. */
	argv += first - 1;
	argc -= first - 1;
	int rc = dispatch(argc, argv);
	free(overrides);
	return rc;
}

static int dispatch(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "run";
	int sub_argc = argc > 1 ? argc - 2 : 0;
	char **sub_argv = argv + 2;

	/* Docker images are often run with only server options as arguments
	 * ("-b 0.0.0.0"): those go to "run". */
	if (argc > 1 && argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 &&
	    strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--version") != 0) {
		cmd = "run";
		sub_argc = argc - 1;
		sub_argv = argv + 1;
	}

	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("keycloak-ha-postgres %s\n", KHP_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(sub_argc, sub_argv);
	if (strcmp(cmd, "wait-db") == 0)
		return cmd_wait_db(sub_argc, sub_argv);
	if (strcmp(cmd, "render") == 0)
		return cmd_render(sub_argc, sub_argv);
	if (strcmp(cmd, "postgres") == 0)
		return postgres_role_main(argc - 1, argv + 1, environ);
	return usage_error("unknown command %s", cmd);
}
