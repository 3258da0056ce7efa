/*
 * aa-internal.h - what the library's files share but do not export.
 *
 * Functions here are aa__ prefixed (libuv's uv__ rule).  Every file of the
 * library includes this header first after the system headers.
 */
#ifndef AA_INTERNAL_H
#define AA_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "agentapi.h"

/* Turns a positive errno value into an AA_E* code. */
#define AA__ERR(e) (-(e))

/* Stores a malloc'd, formatted message in *cause (when cause is not NULL;
 * NULL if out of memory) and returns err (error.c). */
int aa__cause(char **cause, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with a va_list. */
int aa__vcause(char **cause, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Returns the wall clock in nanoseconds since the epoch (error.c). */
int64_t aa__wall_ns(void);

/*
 * Keeps the first error of a run of calls: AA__FIRST_ERROR(rc, f(...))
 * always calls f and stores its result in rc only while rc is still 0.
 * ORing negative codes instead makes a third code that means nothing:
 * AA_ENOMEM | AA_EINVAL is -2, AA_ENOENT.
 */
static inline int
aa__first_error(int rc, int r)
{
	return rc != 0 ? rc : r;
}
#define AA__FIRST_ERROR(rc, expr) ((rc) = aa__first_error((rc), (expr)))

#define AA__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define AA__MIN(a, b) ((a) < (b) ? (a) : (b))
#define AA__MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* AA_INTERNAL_H */
