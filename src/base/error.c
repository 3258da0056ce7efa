/*
 * error.c - aa_strerror, the version calls and the wall clock.
 *
 * Codes that are negated errno values are described by strerror's texts
 * for the ones the library uses, written out here because strerror is
 * neither thread-safe nor stable across libcs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/aa-internal.h"

const char *
aa_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case AA_ENOMEM:
		return "out of memory";
	case AA_EINVAL:
		return "invalid argument";
	case AA_ENOENT:
		return "no such file or directory";
	case AA_EIO:
		return "input/output error";
	case AA_EAGAIN:
		return "resource temporarily unavailable";
	case AA_ETIMEDOUT:
		return "timeout waiting for condition";
	case AA_ECANCELED:
		return "context canceled";
	case AA_E2BIG:
		return "too large";
	/* The file system's refusals, for a failed save (Go's texts). */
	case -ENOSPC:
		return "no space left on device";
	case -EROFS:
		return "read-only file system";
	case -EDQUOT:
		return "disk quota exceeded";
	case -EACCES:
		return "permission denied";
	case -EPERM:
		return "operation not permitted";
	case -EEXIST:
		return "file exists";
	case -ENOTDIR:
		return "not a directory";
	case -EISDIR:
		return "is a directory";
	case -ELOOP:
		return "too many levels of symbolic links";
	case -ENAMETOOLONG:
		return "file name too long";
	case -EFBIG:
		return "file too large";
	case -EMFILE:
		return "too many open files";
	case -ENFILE:
		return "too many open files in system";
	case -EXDEV:
		return "invalid cross-device link";
	case -EBADF:
		return "bad file descriptor";
	case AA_EBUSY:
		return "message can only be sent when the agent is waiting "
		       "for user input";
	case AA_EEMPTY:
		return "message must not be empty";
	case AA_EUNTRIMMED:
		return "message must be trimmed of leading and trailing "
		       "whitespace";
	case AA_EEXITED:
		return "the agent has exited";
	case AA_ENOREACT:
		return "failed to wait for processing to start: timeout "
		       "waiting for condition";
	case AA_ECORRUPT:
		return "corrupted or invalid JSON";
	case AA_EVERSION:
		return "unsupported state file version";
	default:
		break;
	}
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	/* Another system error: glibc's text (static, thread-safe). */
	if (err < 0 && err > -4000 && strerrordesc_np(-err) != NULL)
		return strerrordesc_np(-err);
#endif
	return "unknown error";
}

const char *
aa_version_string(void)
{
	return AA_VERSION_STRING;
}

unsigned int
aa_version(void)
{
	return AA_VERSION_HEX;
}

int64_t
aa__wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
aa__cause(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		if (vasprintf(cause, fmt, ap) < 0)
			*cause = NULL;
		va_end(ap);
	}
	return err;
}
