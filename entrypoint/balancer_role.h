/*
 * The balancer image's role: write HAProxy's configuration from the
 * BALANCER_* settings (balancer_settings.h, balancer_conf.h) into
 * BALANCER_STATE_DIR, then exec HAProxy in the foreground, so that it is
 * the container's main process and gets its signals.
 */
#ifndef KHP_BALANCER_ROLE_H
#define KHP_BALANCER_ROLE_H

/* argv: the arguments after "balancer", passed on to haproxy. Returns only
 * on failure, with an exit code (log.h). */
int balancer_role_main(int argc, char **argv, char *const *envp);

#endif
