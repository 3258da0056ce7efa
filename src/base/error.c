/*
 * error.c - the error table's lookups, the version calls and the wall clock.
 *
 * aa_strerror and the aa_error_* lookups are switches generated from
 * AA_ERROR_MAP (error.h), so a code's texts and HTTP answer are written
 * in one row.  The table spells out the errno texts the library uses
 * rather than asking strerror, because upstream's wording ("context
 * canceled") is not the libc's and libcs differ among themselves; any
 * other negated errno value gets the system's description.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/aa-internal.h"
#include "base/error.h"

/* Codes from -1 down to this are negated errno values (ours are below). */
#define ERROR_ERRNO_MIN (-4000)

/* Returns the system's description of a negated errno value, or NULL. */
static const char *
error_system_text(int err)
{
	if (err >= 0 || err <= ERROR_ERRNO_MIN)
		return NULL;
#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	/* Thread-safe, not translated, NULL for an unknown value. */
	return strerrordesc_np(-err);
#else
	return strerror(-err);
#endif
}

const char *
aa_strerror(int err)
{
	const char *sys;

#define ERROR_MESSAGE(code, status, detail, message, send)                     \
	case code:                                                             \
		return message;
	switch (err) {
		AA_ERROR_MAP(ERROR_MESSAGE)
	default:
		break;
	}
#undef ERROR_MESSAGE
	sys = error_system_text(err);
	return sys != NULL ? sys : "unknown error";
}

int
aa_error_http_status(int err)
{
#define ERROR_STATUS(code, status, detail, message, send)                      \
	case code:                                                             \
		return status;
	switch (err) {
		AA_ERROR_MAP(ERROR_STATUS)
	default:
		return 500;
	}
#undef ERROR_STATUS
}

const char *
aa_error_http_detail(int err)
{
#define ERROR_DETAIL(code, status, detail, message, send)                      \
	case code:                                                             \
		return detail;
	switch (err) {
		AA_ERROR_MAP(ERROR_DETAIL)
	default:
		return AA_ERROR_UNEXPECTED;
	}
#undef ERROR_DETAIL
}

const char *
aa_error_send_text(int err)
{
#define ERROR_SEND(code, status, detail, message, send)                        \
	case code:                                                             \
		return send;
	switch (err) {
		AA_ERROR_MAP(ERROR_SEND)
	default:
		return "failed to send message";
	}
#undef ERROR_SEND
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
aa__vcause(char **cause, int err, const char *fmt, va_list ap)
{
	if (cause != NULL && vasprintf(cause, fmt, ap) < 0)
		*cause = NULL;
	return err;
}

int
aa__cause(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	aa__vcause(cause, err, fmt, ap);
	va_end(ap);
	return err;
}
