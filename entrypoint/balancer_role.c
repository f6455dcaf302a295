#include "balancer_role.h"

#include "balancer_conf.h"
#include "balancer_settings.h"
#include "buf.h"
#include "fsutil.h"
#include "launch.h"
#include "log.h"
#include "process.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int write_config(const struct balancer_settings *s, char *path, size_t size)
{
	struct buf conf = { 0 };
	int err;

	balancer_conf_write(s, &conf);
	if (conf.failed)
		die_out_of_memory();
	if ((err = make_directories(s->state_dir, 0700))) {
		log_error("BALANCER_STATE_DIR=%s: cannot create: %s", s->state_dir, strerror(err));
		buf_free(&conf);
		return EXIT_CANTCREAT;
	}
	/* Fits: the length was checked with the settings. */
	path_join(path, size, s->state_dir, "haproxy.cfg");
	if ((err = write_file_atomic(path, conf.data, conf.len, 0600))) {
		log_error("BALANCER_STATE_DIR=%s: cannot write haproxy.cfg: %s", s->state_dir,
			  strerror(err));
		buf_free(&conf);
		return EXIT_CANTCREAT;
	}
	buf_free(&conf);
	return 0;
}

int balancer_role_main(int argc, char **argv, char *const *envp)
{
	struct balancer_settings s;
	struct argv_list haproxy = { 0 };
	char config[PATH_MAX], program[PATH_MAX];
	int code;

	if ((code = balancer_settings_load(&s, envp)))
		return code;
	log_set_level(s.log_level);
	umask(S_IRWXG | S_IRWXO);
	if ((code = write_config(&s, config, sizeof(config))) ||
	    (code = find_program("haproxy", envp, "(the balancer image installs it)", program,
				 sizeof(program))))
		return code;
	/* -W: a master process that reloads on SIGUSR2 and stops the workers
	 * softly on SIGUSR1; -db: in the foreground. */
	argv_push(&haproxy, program);
	argv_push(&haproxy, "-W");
	argv_push(&haproxy, "-db");
	argv_push(&haproxy, "-f");
	argv_push(&haproxy, config);
	for (int i = 0; i < argc; i++)
		argv_push(&haproxy, argv[i]);
	if (s.dns_name[0])
		log_info("balancing port %u over the nodes %s resolves to (at most %u)", s.port,
			 s.dns_name, s.max_nodes);
	else
		log_info("balancing port %u over %zu nodes", s.port, s.n_nodes);
	code = exec_program(&haproxy, envp);
	argv_free(&haproxy);
	return code;
}
