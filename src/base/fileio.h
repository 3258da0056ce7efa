/*
 * fileio.h - aa_file: the crash-safe, link-safe file writes of the state
 * file, its journal and the PID file, in one place.
 *
 * A file is replaced by writing a temporary file beside it and renaming
 * it into place.  The temporary file is created exclusively (O_EXCL,
 * O_NOFOLLOW), mode 0600, under a name with 64 random bits, so that in a
 * directory others can write to, a link or a file planted at a name we
 * would use is never followed, truncated or adopted.  Contents are
 * fsync'd before the rename and the directory after it, so a crash
 * leaves the old file or the new one, never a torn one.
 *
 * Errors are negated errno values (AA__ERR); aa_strerror words them.
 */
#ifndef AA_FILEIO_H
#define AA_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"

/* Reads the whole file at path into out (reset first); AA_E2BIG when it
 * is longer than max bytes. */
int aa_file_read(const char *path, size_t max, struct aa_buf *out);

/* The same for a file that must be ours: never read through a link, and
 * -EPERM unless it is a regular file owned by us. */
int aa_file_read_own(const char *path, size_t max, struct aa_buf *out);
/* Removes path if it is a regular file of ours (a link or another user's
 * file is -EPERM); 0 when it does not exist. */
int aa_file_remove_own(const char *path);

/* Creates dir and its missing parents with mode 0700 (mkdir -p); fails
 * with -ENOTDIR when dir exists and is not a directory. */
int aa_file_mkdirs(const char *dir);
/* Sets *dir to a malloc'd copy of path's directory ("." if it has none). */
int aa_file_dir_of(const char *path, char **dir);

/* Writes n bytes, retrying short writes and EINTR. */
int aa_file_write_all(int fd, const void *p, size_t n);

/*
 * Creates a fresh temporary file in path's directory, named
 * "<path>.<16 hex digits>.tmp", exclusively, never following a link, mode
 * 0600; writes data, fsyncs and closes it.  On success *tmp is its
 * malloc'd name (the caller renames or links it, or unlinks it).  On
 * failure nothing is left behind, *tmp is NULL and *op (may be NULL)
 * names the step that failed: "open" or "write".
 */
int aa_file_write_tmp(const char *path, const void *data, size_t len,
    char **tmp, const char **op);

/* Removes the temporary files of path that a crash left behind (names of
 * aa_file_write_tmp's form, regular files of ours); returns how many. */
int aa_file_remove_tmps(const char *path);

/* fsyncs the directory holding path, so a rename or link in it survives
 * a crash; best effort (some file systems refuse it). */
void aa_file_sync_dir_of(const char *path);

/*
 * Replaces path with data crash-safely: creates the missing directories
 * above it (0700), writes a temporary file (aa_file_write_tmp), renames it
 * over path and fsyncs the directory.  The file ends up 0600 and ours; a
 * symlink at path is replaced, not followed.
 */
int aa_file_replace(const char *path, const void *data, size_t len);

/*
 * Opens path for appending (creating it 0600 if missing, and its
 * directories 0700), never through a link, and only if it is a regular
 * file owned by us; a group- or world-accessible mode is reset to 0600.
 * Returns an fd (>= 0) or a negative error (-EPERM for someone else's).
 */
int aa_file_open_append(const char *path);

/* Appends n bytes to fd and waits until they are on disk (fdatasync). */
int aa_file_append_sync(int fd, const void *p, size_t n);

#endif /* AA_FILEIO_H */
