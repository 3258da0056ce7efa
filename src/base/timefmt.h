/*
 * timefmt.h - aa_time: Go's time.Time JSON form (RFC 3339 with nanoseconds).
 *
 * Upstream serialises every message time with Go's time.Time MarshalJSON:
 * "2006-01-02T15:04:05.999999999Z07:00", i.e. the fraction has its
 * trailing zeros removed (and disappears when zero), and the zone is "Z"
 * for a zero offset, else "+hh:mm"/"-hh:mm" (../shared/spec/core.md §2.1,
 * http.md §2.4).  Times are int64 nanoseconds since the Unix epoch, which
 * covers 1677..2262; Go's zero time (0001-01-01T00:00:00Z), which a state
 * file can hold for a missing "time", is the sentinel AA_TIME_ZERO.
 * Pure code: the only outside input is the local zone (localtime_r).
 */
#ifndef AA_TIMEFMT_H
#define AA_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Go's zero time.Time, "0001-01-01T00:00:00Z". */
#define AA_TIME_ZERO INT64_MIN

/* Appends wall_ns in Go's JSON time form, without quotes; utc non-zero
 * prints UTC ("Z"), else the local zone's offset. */
int aa_time_format(struct aa_buf *out, int64_t wall_ns, int utc);
/* Parses an RFC 3339 time (as Go's time.Time UnmarshalJSON accepts it,
 * without quotes) into nanoseconds since the epoch; AA_EINVAL when
 * malformed, AA_E2BIG when outside the int64 nanosecond range. */
int aa_time_parse(const char *s, size_t len, int64_t *wall_ns);

#endif /* AA_TIMEFMT_H */
