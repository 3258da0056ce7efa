/*
 * pidfile.c - aa_pidfile: write and remove the PID file (spec/http.md §9.6).
 *
 * Writing: create the parent directories (0700), write "<pid>\n" to a
 * temporary file beside the target (base/fileio.c: exclusive, 0600, an
 * unpredictable name) and fsync it, then inspect the target.
 * Absent: link() the temporary file into place, which fails with EEXIST if
 * another instance got there first (we then look again).  Naming a live
 * process: refuse.  Anything else (stale pid, our own pid, garbage):
 * rename() over it.  Finally fsync the directory so the entry survives a
 * crash.  Upstream writes the file in place and races with a concurrent
 * start; the link step closes that window on file systems with hard links.
 *
 * Messages follow upstream's error chain ("failed to write PID file: ...")
 * with Go's lower-case system error texts, because shutdown scripts and
 * people read them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "prog/pidfile.h"
#include "base/text.h"

/* Larger files cannot hold a pid we would accept. */
#define PIDFILE_READ_MAX 4096
/* Tries of the inspect-then-link loop before giving up on a racing peer. */
#define PIDFILE_TRIES 4

enum pid_state {
	PID_ABSENT,
	PID_NUMBER,
	PID_GARBAGE
};

static const char *errtext(int e, char *buf, size_t n);
static int	parse_pid(const char *s, size_t n, long long *out);
static int	read_pid(const char *path, enum pid_state *st, long long *pid,
		    char **cause, const char *prefix);
static int	alive(long long pid, pid_t self);
static int	mkdir_all(const char *dir, char **cause);
static int	write_tmp(const char *path, pid_t pid, char **tmp,
		    char **cause);


/* Returns strerror(e) with a lower-case first letter, as Go prints it. */
static const char *
errtext(int e, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' &&
	    buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* Parses s[0..n) as Go's strconv.Atoi after TrimSpace; 0 or -1. */
static int
parse_pid(const char *s, size_t n, long long *out)
{
	size_t start, end, i;
	long long v = 0;
	int neg = 0;

	aa_text_trim_space(s, n, &start, &end);
	i = start;
	if (i < end && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == end)
		return -1;
	for (; i < end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (LLONG_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* Reads the pid file at path into st and pid; errors get prefix. */
static int
read_pid(const char *path, enum pid_state *st, long long *pid,
    char **cause, const char *prefix)
{
	char buf[PIDFILE_READ_MAX + 1], e[128];
	size_t len = 0;
	ssize_t r;
	int fd, err;

	*st = PID_ABSENT;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		err = errno;
		return aa__cause(cause, AA__ERR(err), "%sopen %s: %s", prefix, path,
		    errtext(err, e, sizeof(e)));
	}
	while (len < sizeof(buf)) {
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			close(fd);
			return aa__cause(cause, AA__ERR(err), "%sread %s: %s",
			    prefix, path, errtext(err, e, sizeof(e)));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len <= PIDFILE_READ_MAX && parse_pid(buf, len, pid) == 0)
		*st = PID_NUMBER;
	else
		*st = PID_GARBAGE;
	return 0;
}

/*
 * Returns non-zero when pid names a running process other than us: the
 * signal-0 probe succeeds or is refused with EPERM.  Upstream also takes
 * 0, negative numbers (process groups) and its own pid as "running"; a
 * pid file naming us is left over from an earlier run that had our pid
 * (common in containers), so it is stale.
 */
static int
alive(long long pid, pid_t self)
{
	if (pid <= 0 || pid > INT_MAX || pid == (long long)self)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Creates dir and its parents with mode 0700 (os.MkdirAll). */
static int
mkdir_all(const char *dir, char **cause)
{
	char e[128];
	int rc = aa_file_mkdirs(dir);

	if (rc == 0 || rc == AA_ENOMEM)
		return rc;
	return aa__cause(cause, rc, "failed to write PID file: failed to "
	    "create PID file directory: mkdir %s: %s", dir,
	    errtext(-rc, e, sizeof(e)));
}

/* Writes "<pid>\n" to a fresh temporary file beside path (exclusive,
 * 0600, fsync'd); *tmp gets its name. */
static int
write_tmp(const char *path, pid_t pid, char **tmp, char **cause)
{
	char line[32], e[128];
	const char *op = "open";
	size_t len;
	int rc;

	len = (size_t)snprintf(line, sizeof(line), "%ld\n", (long)pid);
	rc = aa_file_write_tmp(path, line, len, tmp, &op);
	if (rc == 0 || rc == AA_ENOMEM)
		return rc;
	return aa__cause(cause, rc, "failed to write PID file: failed to "
	    "write PID file: %s %s: %s", op, path, errtext(-rc, e, sizeof(e)));
}

int
aa_pidfile_write(const char *path, pid_t pid, pid_t *stale_pid, char **cause)
{
	static const char prefix[] = "failed to write PID file: failed to "
	    "read existing PID file: ";
	enum pid_state st;
	char *dir = NULL, *tmp = NULL, e[128];
	long long other = 0;
	int rc, tries, err;

	*cause = NULL;
	if (stale_pid != NULL)
		*stale_pid = 0;
	if (path == NULL || *path == '\0' || pid <= 0)
		return AA_EINVAL;
	if ((rc = aa_file_dir_of(path, &dir)) != 0)
		goto out;
	if ((rc = mkdir_all(dir, cause)) != 0)
		goto out;
	if ((rc = write_tmp(path, pid, &tmp, cause)) != 0)
		goto out;
	for (tries = 0; tries < PIDFILE_TRIES; tries++) {
		if ((rc = read_pid(path, &st, &other, cause, prefix)) != 0)
			goto out_unlink;
		if (st == PID_NUMBER && alive(other, pid)) {
			rc = aa__cause(cause, AA__ERR(EEXIST), "failed to write PID "
			    "file: another instance is already running with "
			    "PID %lld (PID file: %s)", other, path);
			goto out_unlink;
		}
		if (st == PID_ABSENT) {
			if (link(tmp, path) == 0)
				goto done;
			if (errno == EEXIST)
				continue;	/* someone beat us: re-read */
			if (errno != EPERM && errno != ENOTSUP &&
			    errno != EXDEV && errno != ENOSYS &&
			    errno != EMLINK) {
				err = errno;
				rc = aa__cause(cause, AA__ERR(err), "failed to "
				    "write PID file: failed to write PID file: "
				    "link %s: %s", path,
				    errtext(err, e, sizeof(e)));
				goto out_unlink;
			}
		} else if (st == PID_NUMBER && stale_pid != NULL)
			*stale_pid = other > 0 && other <= INT_MAX ?
			    (pid_t)other : 0;
		if (rename(tmp, path) != 0) {
			err = errno;
			rc = aa__cause(cause, AA__ERR(err), "failed to write PID "
			    "file: failed to write PID file: rename %s: %s",
			    path, errtext(err, e, sizeof(e)));
			goto out_unlink;
		}
		goto synced;
	}
	rc = aa__cause(cause, AA__ERR(EAGAIN), "failed to write PID file: %s keeps "
	    "changing under us", path);
	goto out_unlink;
done:
	(void)unlink(tmp);
synced:
	aa_file_sync_dir_of(path);
	rc = 0;
	goto out;
out_unlink:
	(void)unlink(tmp);
out:
	free(tmp);
	free(dir);
	if (rc == AA_ENOMEM && *cause == NULL)
		*cause = strdup("failed to write PID file: out of memory");
	return rc;
}

int
aa_pidfile_remove(const char *path, pid_t pid, char **cause)
{
	enum pid_state st;
	long long other = 0;
	char e[128];
	int rc, err;

	*cause = NULL;
	if (path == NULL || *path == '\0')
		return AA_EINVAL;
	rc = read_pid(path, &st, &other, cause, "failed to read PID file for "
	    "cleanup: ");
	if (rc != 0)
		return rc;
	if (st != PID_NUMBER || other != (long long)pid)
		return 0;
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			return 0;
		err = errno;
		return aa__cause(cause, AA__ERR(err), "failed to remove PID file: "
		    "remove %s: %s", path, errtext(err, e, sizeof(e)));
	}
	return 1;
}
