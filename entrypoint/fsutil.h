/*
 * File primitives: whole-file reads with a size limit, atomic writes
 * (temporary file in the same directory, fsync, rename) so that a crash or a
 * full disk never leaves a half-written file behind, path joining, and the
 * directory operations both roles need.
 *
 * Each returns 0 or an errno value and logs nothing (see log.h): the caller
 * names the setting or file in its message.
 */
#ifndef KHP_FSUTIL_H
#define KHP_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole file into a NUL-terminated buffer; EFBIG when larger than
 * max. */
int read_file(const char *path, size_t max, char **data, size_t *len);

/* Write data to path atomically with the given mode; on failure path is
 * unchanged. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);

/* out = dir/name; ENAMETOOLONG when it does not fit in size bytes. */
int path_join(char *out, size_t size, const char *dir, const char *name);

/* mkdir(path, mode) that accepts an existing directory (ENOTDIR when path
 * is something else). */
int make_dir(const char *path, mode_t mode);

/* mkdir -p: the parents with 0755, the last one with last_mode. */
int make_directories(const char *path, mode_t last_mode);

/* fsync a directory, so that renames and removals in it are durable. */
int sync_directory(const char *path);

/* rm -r without following links or crossing mounts; a missing path is no
 * error. */
int remove_tree(const char *path);

#endif
