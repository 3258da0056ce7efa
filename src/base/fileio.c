/*
 * fileio.c - aa_file: crash-safe and link-safe file writes (see fileio.h).
 *
 * The state file and the PID file used to carry their own copies of
 * "mkdir -p, write a temporary file, fsync, rename, fsync the directory";
 * the state file's copy opened a fixed "<file>.tmp" with O_CREAT|O_TRUNC,
 * which in a world-writable directory followed another user's symlink
 * (overwriting its target with the conversation) or adopted another
 * user's 0666 file as the state file.  Here the temporary file is created
 * with O_EXCL|O_NOFOLLOW under an unpredictable name, so neither can
 * happen, and both users share the one implementation.  Files that are
 * appended to or read back in place (the journal) are opened without
 * following links and used only when they are regular files of ours.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/fileio.h"

/* Names tried before giving up on finding a free temporary name. */
#define FILE_TMP_TRIES 16

static uint64_t random64(void);
static int read_fd(int fd, size_t max, struct aa_buf *out);
static int open_own(const char *path, int flags, mode_t mode);
static int mkdir_parents(const char *path);
static int is_tmp_of(const char *name, const char *base, size_t blen);

/* Reads fd to its end into out (reset first), at most max bytes. */
static int
read_fd(int fd, size_t max, struct aa_buf *out)
{
	char chunk[65536];
	ssize_t n;
	int rc = 0;

	aa_buf_reset(out);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return AA__ERR(errno);
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > max)
			return AA_E2BIG;
		if ((rc = aa_buf_append(out, chunk, (size_t)n)) != 0)
			return rc;
	}
}

int
aa_file_read(const char *path, size_t max, struct aa_buf *out)
{
	int fd, rc;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return AA__ERR(errno);
	rc = read_fd(fd, max, out);
	close(fd);
	return rc;
}

/* Opens path (flags plus no link, no tty, close-on-exec) if it is a
 * regular file of ours; -EPERM for anyone else's. */
static int
open_own(const char *path, int flags, mode_t mode)
{
	struct stat sb;
	int fd, rc;

	do
		fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		    mode);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return AA__ERR(errno);
	if (fstat(fd, &sb) != 0) {
		rc = AA__ERR(errno);
		goto fail;
	}
	/* Someone else's file (planted before we came) is not ours to
	 * read back as our conversation or to fill with it. */
	if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid()) {
		rc = AA__ERR(EPERM);
		goto fail;
	}
	if ((sb.st_mode & 077) != 0 && (flags & O_ACCMODE) != O_RDONLY &&
	    fchmod(fd, 0600) != 0) {
		rc = AA__ERR(errno);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

int
aa_file_read_own(const char *path, size_t max, struct aa_buf *out)
{
	int fd, rc;

	if ((fd = open_own(path, O_RDONLY, 0)) < 0)
		return fd;
	rc = read_fd(fd, max, out);
	close(fd);
	return rc;
}

int
aa_file_remove_own(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : AA__ERR(errno);
	if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid())
		return AA__ERR(EPERM);
	if (unlink(path) != 0 && errno != ENOENT)
		return AA__ERR(errno);
	return 0;
}

int
aa_file_mkdirs(const char *dir)
{
	struct stat sb;
	char *d, *p;
	int rc = 0;

	if (dir == NULL || *dir == '\0')
		return AA_EINVAL;
	if ((d = strdup(dir)) == NULL)
		return AA_ENOMEM;
	for (p = d + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(d, 0700) != 0 && errno != EEXIST)
				rc = AA__ERR(errno);
			*p = c;
			if (rc != 0)
				break;
		}
		if (*p == '\0')
			break;
	}
	if (rc == 0 && stat(d, &sb) != 0)
		rc = AA__ERR(errno);
	else if (rc == 0 && !S_ISDIR(sb.st_mode))
		rc = AA__ERR(ENOTDIR);
	free(d);
	return rc;
}

int
aa_file_dir_of(const char *path, char **dir)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		*dir = strdup(".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if ((*dir = malloc(n + 1)) != NULL) {
			memcpy(*dir, path, n);
			(*dir)[n] = '\0';
		}
	}
	return *dir != NULL ? 0 : AA_ENOMEM;
}

int
aa_file_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return AA__ERR(errno);
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 64 unpredictable bits for a temporary name: the kernel's, else (no
 * getrandom) a mix of the clock, the pid and a stack address, which
 * O_EXCL makes safe even when guessed. */
static uint64_t
random64(void)
{
	struct timespec ts;
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	v = ((uint64_t)ts.tv_sec << 30 ^ (uint64_t)ts.tv_nsec) *
	    0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid() << 32 ^
	    (uint64_t)(uintptr_t)&ts;
	return v ^ (v >> 29);
}

int
aa_file_write_tmp(const char *path, const void *data, size_t len,
    char **tmp, const char **op)
{
	size_t n = strlen(path) + sizeof(".0123456789abcdef.tmp");
	const char *step = "open";
	char *name;
	int fd = -1, rc = 0, i;

	*tmp = NULL;
	if ((name = malloc(n)) == NULL)
		return AA_ENOMEM;
	for (i = 0; i < FILE_TMP_TRIES; i++) {
		snprintf(name, n, "%s.%016llx.tmp", path,
		    (unsigned long long)random64());
		do
			fd = open(name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		while (fd < 0 && errno == EINTR);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = AA__ERR(errno);
		goto fail;
	}
	step = "write";
	rc = aa_file_write_all(fd, data, len);
	/* EINVAL: a file system (or device) without fsync; nothing to do. */
	if (rc == 0 && fsync(fd) != 0 && errno != EINVAL)
		rc = AA__ERR(errno);
	if (close(fd) != 0 && rc == 0 && errno != EINTR)
		rc = AA__ERR(errno);
	if (rc != 0) {
		(void)unlink(name);
		goto fail;
	}
	*tmp = name;
	return 0;
fail:
	if (op != NULL)
		*op = step;
	free(name);
	return rc;
}

void
aa_file_sync_dir_of(const char *path)
{
	char *dir = NULL;
	int fd;

	if (aa_file_dir_of(path, &dir) != 0)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return;
	/* Best effort: some file systems refuse fsync on directories. */
	(void)fsync(fd);
	close(fd);
}

/* Creates the directories above the file named by path. */
static int
mkdir_parents(const char *path)
{
	char *dir = NULL;
	int rc;

	if ((rc = aa_file_dir_of(path, &dir)) != 0)
		return rc;
	rc = strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0 ? 0 :
	    aa_file_mkdirs(dir);
	free(dir);
	return rc;
}

int
aa_file_replace(const char *path, const void *data, size_t len)
{
	char *tmp = NULL;
	int rc;

	if (path == NULL || *path == '\0')
		return AA_EINVAL;
	if ((rc = mkdir_parents(path)) != 0)
		return rc;
	if ((rc = aa_file_write_tmp(path, data, len, &tmp, NULL)) != 0)
		return rc;
	if (rename(tmp, path) != 0) {
		rc = AA__ERR(errno);
		(void)unlink(tmp);
	} else
		aa_file_sync_dir_of(path);
	free(tmp);
	return rc;
}

int
aa_file_open_append(const char *path)
{
	int fd, rc;

	if (path == NULL || *path == '\0')
		return AA_EINVAL;
	if ((rc = mkdir_parents(path)) != 0)
		return rc;
	fd = open_own(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
	/* The entry of a new file must survive a crash too. */
	if (fd >= 0)
		aa_file_sync_dir_of(path);
	return fd;
}

int
aa_file_append_sync(int fd, const void *p, size_t n)
{
	int rc = aa_file_write_all(fd, p, n);

	if (rc == 0 && fdatasync(fd) != 0 && errno != EINVAL)
		rc = AA__ERR(errno);
	return rc;
}

/* Non-zero when name is "<base>.<16 hex digits>.tmp". */
static int
is_tmp_of(const char *name, const char *base, size_t blen)
{
	return strncmp(name, base, blen) == 0 && name[blen] == '.' &&
	    strspn(name + blen + 1, "0123456789abcdef") == 16 &&
	    strcmp(name + blen + 17, ".tmp") == 0;
}

int
aa_file_remove_tmps(const char *path)
{
	const char *base = strrchr(path, '/');
	struct dirent *de;
	struct stat sb;
	char *dir = NULL;
	size_t blen;
	DIR *d;
	int n = 0;

	base = base != NULL ? base + 1 : path;
	blen = strlen(base);
	if (blen == 0 || aa_file_dir_of(path, &dir) != 0)
		return 0;
	d = opendir(dir);
	free(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!is_tmp_of(de->d_name, base, blen))
			continue;
		/* Only our own regular files: never a link, never another
		 * user's file that happens to have the name. */
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}
