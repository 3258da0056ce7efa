/*
 * aa-internal.h - what the library's files share but do not export.
 *
 * Functions here are aa__ prefixed (libuv's uv__ rule).  Every file of the
 * library includes this header first after the system headers.
 */
#ifndef AA_INTERNAL_H
#define AA_INTERNAL_H

#include <errno.h>
#include <stdint.h>

#include "agentapi.h"

/* Turns a positive errno value into an AA_E* code. */
#define AA__ERR(e) (-(e))

/* Stores a malloc'd, formatted message in *cause (when cause is not NULL;
 * NULL if out of memory) and returns err (error.c). */
int aa__cause(char **cause, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Returns the wall clock in nanoseconds since the epoch (error.c). */
int64_t aa__wall_ns(void);

#define AA__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define AA__MIN(a, b) ((a) < (b) ? (a) : (b))
#define AA__MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* AA_INTERNAL_H */
