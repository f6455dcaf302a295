/*
 * File helpers: whole-file reads with a size limit, and atomic writes
 * (temporary file in the same directory, fsync, rename), so that a crash or
 * a full disk never leaves a half-written configuration behind.
 */
#ifndef KHP_FSUTIL_H
#define KHP_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole file into a NUL-terminated buffer. Returns 0, or an errno
 * value (EFBIG when larger than max). */
int read_file(const char *path, size_t max, char **data, size_t *len);

/* Write data to path atomically with the given mode. Returns 0 or an errno
 * value; on failure path is unchanged. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);

#endif
