/*
 * One first boot at a time on Keycloak 26.
 *
 * Keycloak 26 creates and migrates its schema at boot without coordinating
 * the nodes (keycloak/keycloak#41801): nodes that boot at once on an empty
 * database race for Liquibase's tables, and all but one fail ("relation
 * databasechangelog already exists"). So before exec the entrypoint lets
 * one node at a time boot until the database holds the schema of this
 * Keycloak version: a row of migration_model with the version, which
 * Keycloak writes once its schema and data are migrated.
 *
 * The gate is a session-level advisory lock (per database and schema). The
 * node that takes it keeps that session through exec: it sends a statement
 * that waits in the server (once a second, for at most SCHEMA_GATE_WAIT_S)
 * until the version's row is there and then unlocks, and leaves the socket
 * open to the server process, which never reads it. If the server dies
 * first, PostgreSQL notices the closed socket within a second
 * (client_connection_check_interval) and the lock is free; once the
 * statement has ended, the idle session is closed (idle_session_timeout).
 * A node that finds the lock taken waits for the row, or for the lock (its
 * holder died), for at most SCHEMA_GATE_WAIT_S, then boots anyway.
 *
 * A database that already holds the version's schema costs one query. When
 * the database cannot answer, or is older than PostgreSQL 14 (without the
 * two settings), a warning says so and the node boots without the gate.
 */
#ifndef KHP_SCHEMA_GATE_H
#define KHP_SCHEMA_GATE_H

#include "settings.h"

#define SCHEMA_GATE_WAIT_S 900

/* Wait at the gate for Keycloak VERSION's schema; returns when this node
 * may boot. Never fails the start. */
void schema_gate_pass(const struct settings *s, const char *version);

#endif
