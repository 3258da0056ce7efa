/*
 * timefmt.c - Go's RFC 3339 nanosecond time form, both ways.
 *
 * Formatting splits the nanoseconds into seconds and a fraction (floor
 * division, so times before 1970 work), breaks the seconds down with
 * gmtime_r/localtime_r and writes the fraction with its trailing zeros
 * removed.  Parsing is strict RFC 3339 as Go's time.Time UnmarshalJSON
 * applies it: four-digit year, "T", two-digit fields, an optional "."
 * fraction of any length (digits past the ninth are dropped, as Go does)
 * and "Z" or "+hh:mm"/"-hh:mm".  Calendar arithmetic is done here, not
 * with timegm, so the parser reads no environment.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/aa-internal.h"
#include "base/timefmt.h"

#define NS_PER_SEC 1000000000LL

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
static int is_leap(int64_t y);
static int digits(const char *s, size_t n, int *out);

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's method). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Returns non-zero for a Gregorian leap year. */
static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads exactly n decimal digits; returns 0 or -1. */
static int
digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Writes v with at least width digits (zero-padded) at buf + *pos. */
static void
put_digits(char *buf, int *pos, int v, int width)
{
	char tmp[16];
	int n = 0;

	if (v < 0) {
		buf[(*pos)++] = '-';
		v = -v;
	}
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < (int)sizeof(tmp));
	while (n < width) {
		buf[(*pos)++] = '0';
		width--;
	}
	while (n > 0)
		buf[(*pos)++] = tmp[--n];
}

int
aa_time_format(struct aa_buf *out, int64_t wall_ns, int utc)
{
	struct tm tm;
	time_t sec;
	int64_t s, ns;
	char frac[10], date[64];
	long off;
	int i, k;

	if (wall_ns == AA_TIME_ZERO)
		return aa_buf_puts(out, "0001-01-01T00:00:00Z");
	s = wall_ns / NS_PER_SEC;
	ns = wall_ns % NS_PER_SEC;
	if (ns < 0) {
		ns += NS_PER_SEC;
		s--;
	}
	sec = (time_t)s;
	if (utc ? gmtime_r(&sec, &tm) == NULL : localtime_r(&sec, &tm) == NULL)
		return AA_EINVAL;
	off = utc ? 0 : tm.tm_gmtoff;
	/* By hand: this runs once per message of every GET /messages. */
	i = 0;
	put_digits(date, &i, tm.tm_year + 1900, 4);
	date[i++] = '-';
	put_digits(date, &i, tm.tm_mon + 1, 2);
	date[i++] = '-';
	put_digits(date, &i, tm.tm_mday, 2);
	date[i++] = 'T';
	put_digits(date, &i, tm.tm_hour, 2);
	date[i++] = ':';
	put_digits(date, &i, tm.tm_min, 2);
	date[i++] = ':';
	put_digits(date, &i, tm.tm_sec, 2);
	if (ns != 0) {
		date[i++] = '.';
		for (k = 8; k >= 0; k--) {
			frac[k] = (char)('0' + ns % 10);
			ns /= 10;
		}
		for (k = 9; k > 0 && frac[k - 1] == '0'; k--)
			;
		memcpy(date + i, frac, (size_t)k);
		i += k;
	}
	/* Go's "Z07:00" prints Z for any zero offset and drops seconds. */
	if (off == 0)
		date[i++] = 'Z';
	else {
		date[i++] = off < 0 ? '-' : '+';
		off = off < 0 ? -off : off;
		put_digits(date, &i, (int)(off / 3600), 2);
		date[i++] = ':';
		put_digits(date, &i, (int)(off % 3600 / 60), 2);
	}
	return aa_buf_append(out, date, (size_t)i);
}

int
aa_time_parse(const char *s, size_t len, int64_t *wall_ns)
{
	static const unsigned char mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh, om, off = 0, nd = 0;
	int64_t frac = 0, days, t;
	size_t i = 19;

	if (len < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return AA_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return AA_EINVAL;
	if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return AA_EINVAL;
	if (s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++) {
			if (nd < 9)
				frac = frac * 10 + (s[i] - '0');
		}
		if (nd == 0)
			return AA_EINVAL;
		for (; nd < 9; nd++)
			frac *= 10;
	}
	if (i + 1 == len && s[i] == 'Z') {
		off = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') &&
	    digits(s + i + 1, 2, &oh) == 0 && s[i + 3] == ':' &&
	    digits(s + i + 4, 2, &om) == 0 && oh < 24 && om < 60) {
		off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else
		return AA_EINVAL;
	if (y == 1 && mo == 1 && d == 1 && h == 0 && mi == 0 && sec == 0 &&
	    frac == 0 && off == 0) {
		*wall_ns = AA_TIME_ZERO;
		return 0;
	}
	days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	t = days * 86400 + h * 3600 + mi * 60 + sec - off;
	/* int64 nanoseconds end in 1677 and 2262; keep clear of overflow. */
	if (t <= INT64_MIN / NS_PER_SEC || t >= INT64_MAX / NS_PER_SEC)
		return AA_E2BIG;
	*wall_ns = t * NS_PER_SEC + frac;
	return 0;
}
