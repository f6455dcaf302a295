/*
 * The data directory's states, and the steps that change them.
 *
 * Nothing half-written: an initialised data directory is one that holds
 * PG_VERSION, and PostgreSQL writes that file early, so initdb never runs
 * in PGDATA itself but in PGDATA/PG_INIT_DIR_NAME (inside PGDATA, so that
 * it is on the same file system even when PGDATA is a mount point, and
 * needs no write access to PGDATA's parent). When initialisation has
 * succeeded, that directory is renamed to PG_READY_DIR_NAME (atomic: the
 * commit point, initdb.c), then its entries are renamed into PGDATA one by
 * one, PG_VERSION last. So at every instant PGDATA is in one of the states
 * below, each of which the next start recognises.
 */
#ifndef KHP_PGDATA_H
#define KHP_PGDATA_H

#include "pg_settings.h"

enum pgdata_state {
	PGDATA_MISSING,
	/* Empty, maybe with lost+found or the remains of a killed or failed
	 * initialisation (which is removed and run again). */
	PGDATA_EMPTY,
	PGDATA_CLUSTER,	/* has PG_VERSION; a stale, empty ready dir is removed */
	PGDATA_READY,	/* initialised, the move into place not finished */
	PGDATA_FOREIGN,	/* non-empty and not ours: refused without being touched */
};

/* Which state PGDATA is in. Only reads: a directory that turns out not to
 * be ours must be left exactly as it was. */
int pgdata_classify(const struct pg_settings *s, enum pgdata_state *state);

/*
 * As root: PGDATA exists and belongs to postgres with mode 0700 (postgres
 * refuses anything looser), then root is given up for good. Not root: the
 * directory is created if missing and otherwise used as it is.
 */
int pgdata_prepare(const struct pg_settings *s);

/* Move every entry of the ready directory into PGDATA, PG_VERSION last, so
 * that PGDATA is a cluster only once it is a whole one. */
int pgdata_move_into_place(const struct pg_settings *s);

#endif
