/*
 * The health command: is this container's server ready? For the images'
 * HEALTHCHECK, which runs it inside the container with the container's
 * environment, so that it finds the server the settings configured.
 *
 *   Keycloak     one GET of the generation's readiness endpoint (the
 *                backend's readiness()): healthy when it answers 200
 *   PostgreSQL   a login with POSTGRES_USER and the password to the
 *                database, and SELECT 1: healthy when both succeed
 *
 * Healthy: 0, one line on stdout. Unhealthy: HEALTH_UNHEALTHY, one line on
 * stderr that names what was asked and why it failed. A bad setting gives
 * the exit code of the settings (log.h), after its own line.
 */
#ifndef KHP_HEALTH_H
#define KHP_HEALTH_H

#include "backend.h"
#include "settings.h"

/* The server answered, and it is not ready (or did not answer in time). */
#define HEALTH_UNHEALTHY 1

/* The default bound of one check, in seconds. */
#define HEALTH_DEFAULT_TIMEOUT 5

/* Keycloak: the readiness endpoint of backend b for settings s, asked
 * within timeout_s seconds. */
int health_keycloak(const struct backend *b, const struct settings *s, unsigned timeout_s);

/* PostgreSQL: the PostgreSQL image's settings from envp (pg_settings.h),
 * the login and the query within timeout_s seconds. The server is asked on
 * 127.0.0.1 when it listens there (POSTGRES_LISTEN_ADDRESSES: *, the
 * default, 0.0.0.0, localhost, a 127.x address), else on the first
 * address it listens on, or on its socket when it listens on none; the
 * port is PGPORT's, 5432 by default. */
int health_postgres(char *const *envp, unsigned timeout_s);

#endif
