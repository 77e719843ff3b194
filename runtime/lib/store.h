/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state store: one directory per container under --root,
 *   <root>/<id>/state.json   the OCI state (runc's fields, plus pidStartTime)
 *   <root>/<id>/             flock'd while an invocation works on the container
 * state.json is replaced atomically (temporary file, fsync, rename). The
 * status is computed on read: a recorded pid that is gone (or that was
 * reused by another process) reads as "stopped".
 */
#ifndef OZONE_RUNTIME_STORE_H
#define OZONE_RUNTIME_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/oci_state.h"
#include "runtime/lib/ozone.h"

/* A container's directory, open and locked (flock LOCK_EX) while held. */
struct store_lock {
	int dirfd;
};

/* "<root>/<id>" into buf; -ENAMETOOLONG if it does not fit. */
int store_path(const struct ozone_globals *g, const char *id, char *buf, size_t size);
/*
 * Makes <root>/<id>/ (and root, mode 0700) and locks it. -EEXIST with
 * "container with id exists: <id>" if it is already there.
 */
int store_create(const struct ozone_globals *g, const char *id, struct store_lock *lk);
/* Locks an existing container; -ENOENT with `container "<id>" does not exist`. */
int store_lock(const struct ozone_globals *g, const char *id, struct store_lock *lk);
void store_unlock(struct store_lock *lk);

/* Reads state.json of a locked (or not) container and computes its status. */
int store_read(const struct ozone_globals *g, const char *id, struct oci_state *st);
/* Replaces state.json of a locked container atomically. */
int store_write(const struct store_lock *lk, const struct oci_state *st);
/* Removes state.json and the directory of a locked container, then unlocks it. */
int store_remove(const struct ozone_globals *g, const char *id, struct store_lock *lk);

/* The ids under root, sorted; *ids is NULL-terminated (free with oci_strv_free). */
int store_list(const struct ozone_globals *g, char ***ids, size_t *n);

/* Sets st->status to "stopped" when its recorded process is gone. */
void store_refresh_status(struct oci_state *st);
/*
 * Whether pid runs (not a zombie) and still has that start time; never for
 * a start time of 0 (not recorded: nothing proves the pid is still ours).
 */
bool store_pid_alive(int pid, uint64_t start);
/* The start time of pid (field 22 of /proc/PID/stat), or 0 if it is gone. */
uint64_t store_pid_start(int pid);
/* Now, as Go's RFC3339Nano in UTC (no trailing zeros in the fraction): runc's "created". */
void store_now(char *buf, size_t size);

#endif
