#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int read_file(const char *path, size_t max, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;

	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				close(fd);
				return EFBIG;
			}
			size_t next = cap * 2 > max ? max : cap * 2;
			char *grown = realloc(buf, next + 1);
			if (!grown) {
				free(buf);
				close(fd);
				return ENOMEM;
			}
			buf = grown;
			cap = next;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/* Write all of data to fd, across short writes and signals. */
static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		off += (size_t)w;
	}
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	static const char suffix[] = ".tmp.XXXXXX";
	char tmp[PATH_MAX];
	size_t plen = strlen(path);

	if (plen + sizeof(suffix) > sizeof(tmp))
		return ENAMETOOLONG;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, suffix, sizeof(suffix));
	int fd = mkstemp(tmp);
	if (fd < 0)
		return errno;
	int e = 0;
	/* mkstemp creates 0600; widen (or keep) to the requested mode before
	 * any data is in the file. */
	if (fchmod(fd, mode) != 0)
		e = errno;
	if (!e)
		e = write_all(fd, data, len);
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e)
		unlink(tmp);
	return e;
}

int path_join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? ENAMETOOLONG : 0;
}

int make_dir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	int e = errno;
	if (e == EEXIST)
		return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	return e;
}

int make_directories(const char *path, mode_t last_mode)
{
	char buf[PATH_MAX];

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(buf, last_mode) < 0 && errno != EEXIST)
		return errno;
	return 0;
}

int sync_directory(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	int e = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	return e;
}

/* nftw gives its callback no room for state: the first failure is kept
 * here for the one remove_tree in progress. */
static int first_removal_error;

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT && !first_removal_error)
		first_removal_error = errno;
	return 0;
}

int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : errno;
	first_removal_error = 0;
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return errno;
	return first_removal_error;
}
