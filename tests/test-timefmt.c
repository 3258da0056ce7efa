/*
 * test-timefmt.c - Go's RFC 3339 time form, both ways (base/timefmt.c):
 * the fraction trimmed as time.Time's MarshalJSON trims it, "Z" or the
 * local offset without seconds, Go's zero time, times before 1970, and a
 * parser as strict as UnmarshalJSON (calendar, leap years, offsets,
 * digits past the ninth dropped), bounded to what int64 nanoseconds hold.
 */
#include <stdlib.h>
#include <time.h>

#include "test.h"

#include "agentapi.h"
#include "base/timefmt.h"

#define MS INT64_C(1000000)
#define S INT64_C(1000000000)
/* 2025-01-01T00:00:00Z */
#define WALL0 INT64_C(1735689600000000000)

/* Sets TZ for the local-zone cases. */
static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Formats wall_ns and compares. */
static void
check_format(int64_t ns, int utc, const char *want)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_EQ(aa_time_format(&b, ns, utc), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), want);
	aa_buf_release(&b);
}

/* Parses s and compares with want (or the error code). */
static void
check_parse(const char *s, int rc, int64_t want)
{
	int64_t got = 42;

	ASSERT_EQ(aa_time_parse(s, strlen(s), &got), rc);
	if (rc == 0)
		ASSERT_EQ(got, want);
}

TEST(timefmt_utc_trims_fraction)
{
	check_format(WALL0, 1, "2025-01-01T00:00:00Z");
	check_format(WALL0 + 500 * MS, 1, "2025-01-01T00:00:00.5Z");
	check_format(WALL0 + 1900 * MS, 1, "2025-01-01T00:00:01.9Z");
	check_format(WALL0 + 123456789, 1, "2025-01-01T00:00:00.123456789Z");
	check_format(WALL0 + 1000, 1, "2025-01-01T00:00:00.000001Z");
	check_format(-100 * MS, 1, "1969-12-31T23:59:59.9Z");
	check_format(AA_TIME_ZERO, 0, "0001-01-01T00:00:00Z");
}

TEST(timefmt_local_zone_offsets)
{
	zone("IST-5:30");
	check_format(WALL0 + 20 * MS, 0, "2025-01-01T05:30:00.02+05:30");
	zone("EST5");
	check_format(WALL0, 0, "2024-12-31T19:00:00-05:00");
	zone("UTC0");
	check_format(WALL0, 0, "2025-01-01T00:00:00Z");
	/* utc wins over the zone. */
	zone("EST5");
	check_format(WALL0, 1, "2025-01-01T00:00:00Z");
}

TEST(timefmt_parse_valid)
{
	check_parse("2025-01-01T00:00:00Z", 0, WALL0);
	check_parse("2025-01-01T00:00:00.5Z", 0, WALL0 + 500 * MS);
	check_parse("2025-01-01T05:30:00.02+05:30", 0, WALL0 + 20 * MS);
	check_parse("2024-12-31T19:00:00-05:00", 0, WALL0);
	check_parse("2025-01-01T00:00:00.1234567891234Z", 0,
	    WALL0 + 123456789);
	check_parse("2024-02-29T00:00:00Z", 0, INT64_C(1709164800) * 1000 * MS);
	check_parse("1969-12-31T23:59:59.9Z", 0, -100 * MS);
	check_parse("0001-01-01T00:00:00Z", 0, AA_TIME_ZERO);
}

TEST(timefmt_parse_invalid)
{
	static const char *const bad[] = { "", "2025-01-01", "2025-01-01 "
		"00:00:00Z", "2025-01-01t00:00:00Z", "2025-01-01T00:00:00",
		"2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z", "2025-01-01T24:00:00Z",
		"2025-01-01T00:60:00Z", "2025-01-01T00:00:60Z",
		"2025-01-01T00:00:00.Z", "2025-01-01T00:00:00+24:00",
		"2025-01-01T00:00:00+0100", "2025-01-01T00:00:00Zx",
		"25-01-01T00:00:00Z", "2025-1-01T00:00:00Z",
		"2025-01-01T00:00:00z" };
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (aa_time_parse(bad[i], strlen(bad[i]), &t) != AA_EINVAL)
			test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
	check_parse("3000-01-01T00:00:00Z", AA_E2BIG, 0);
	check_parse("1000-01-01T00:00:00Z", AA_E2BIG, 0);
}

TEST(timefmt_round_trip)
{
	static const int64_t v[] = { 0, 1, -1, WALL0 + 999999999,
		INT64_C(9000000000000000000), INT64_C(-9000000000000000000) };
	struct aa_buf b;
	int64_t t;
	size_t i;

	aa_buf_init(&b);
	zone("IST-5:30");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		aa_buf_reset(&b);
		ASSERT_EQ(aa_time_format(&b, v[i], (int)(i % 2)), 0);
		ASSERT_EQ(aa_time_parse(b.data, b.len, &t), 0);
		ASSERT_EQ(t, v[i]);
	}
	aa_buf_release(&b);
}

TEST(timefmt_format_edges)
{
	/* One nanosecond either side of the epoch: floor division. */
	check_format(-1, 1, "1969-12-31T23:59:59.999999999Z");
	check_format(1, 1, "1970-01-01T00:00:00.000000001Z");
	check_format(0, 1, "1970-01-01T00:00:00Z");
	check_format(WALL0 + 10 * MS, 1, "2025-01-01T00:00:00.01Z");
	check_format(INT64_C(951782400) * S, 1, "2000-02-29T00:00:00Z");
	/* The ends of int64 nanoseconds. */
	check_format(INT64_MAX, 1, "2262-04-11T23:47:16.854775807Z");
	check_format(INT64_MIN + 1, 1, "1677-09-21T00:12:43.145224193Z");
}

TEST(timefmt_format_zone_offsets_drop_seconds)
{
	zone("NST3:30");
	check_format(WALL0, 0, "2024-12-31T20:30:00-03:30");
	/* An offset with seconds (a POSIX zone can have one, as old local
	 * mean times do): Go's Z07:00 prints hours and minutes only. */
	zone("LMT-0:17:30");
	check_format(WALL0, 0, "2025-01-01T00:17:30+00:17");
	zone("UTC0");
	check_format(WALL0 + 1, 0, "2025-01-01T00:00:00.000000001Z");
	/* The zero time is the same in every zone. */
	zone("NST3:30");
	check_format(AA_TIME_ZERO, 0, "0001-01-01T00:00:00Z");
	check_format(AA_TIME_ZERO, 1, "0001-01-01T00:00:00Z");
}

TEST(timefmt_parse_edges)
{
	/* Leap years: every 4th, not every 100th, every 400th. */
	check_parse("2000-02-29T00:00:00Z", 0, INT64_C(951782400) * S);
	check_parse("1900-02-29T00:00:00Z", AA_EINVAL, 0);
	check_parse("2100-02-29T00:00:00Z", AA_EINVAL, 0);
	check_parse("2024-12-31T23:59:59Z", 0, (WALL0 / S - 1) * S);
	/* An offset moves the instant across midnight and the year. */
	check_parse("2025-01-01T00:30:00+01:00", 0, WALL0 - 30 * 60 * S);
	check_parse("2024-12-31T23:30:00-00:30", 0, WALL0);
	check_parse("2025-01-01T00:00:00+00:00", 0, WALL0);
	check_parse("2025-01-01T00:00:00-00:00", 0, WALL0);
	check_parse("2025-01-01T00:00:00+23:59", 0, WALL0 - (23 * 60 + 59) *
	    60 * S);
	/* Fractions: short, exactly nine, and longer (truncated, not
	 * rounded). */
	check_parse("2025-01-01T00:00:00.000000001Z", 0, WALL0 + 1);
	check_parse("2025-01-01T00:00:00.100Z", 0, WALL0 + 100 * MS);
	check_parse("2025-01-01T00:00:00.9999999999Z", 0, WALL0 + 999999999);
	check_parse("1969-12-31T23:59:59.999999999Z", 0, -1);
	/* Go's zero time, however it is written with offset zero. */
	check_parse("0001-01-01T00:00:00.000Z", 0, AA_TIME_ZERO);
	check_parse("0001-01-01T00:00:00+00:00", 0, AA_TIME_ZERO);
	/* The ends of what int64 nanoseconds hold, with a margin. */
	check_parse("2262-04-11T23:47:15Z", 0, INT64_C(9223372035) * S);
	check_parse("2262-04-11T23:47:16Z", AA_E2BIG, 0);
	check_parse("1677-09-21T00:12:45Z", 0, INT64_C(-9223372035) * S);
	check_parse("1677-09-21T00:12:44Z", AA_E2BIG, 0);
	check_parse("2400-02-29T00:00:00Z", AA_E2BIG, 0);
	check_parse("0001-01-01T00:00:00+01:00", AA_E2BIG, 0);
}

TEST(timefmt_parse_strictness)
{
	static const char *const bad[] = { "2025-00-01T00:00:00Z",
		"2025-01-00T00:00:00Z", "2025-01-32T00:00:00Z",
		"2025-06-31T00:00:00Z", "2025-01-01T2a:00:00Z",
		"2025-01-01T00:00:00.123", "2025-01-01T00:00:00+01:0",
		"2025-01-01T00:00:00+01:60", "2025-01-01T00:00:00+1:00",
		"2025-01-01T00:00:00 Z", "2025-01-01T00:00:00Z ",
		" 2025-01-01T00:00:00Z", "+2025-01-01T00:00:00Z",
		"2025-01-01T00:00:00.-1Z", "2025-01-01T00:00:00,5Z",
		"2025-01-01T00:00:00UTC", "2025-01-01T00:00Z",
		"\"2025-01-01T00:00:00Z\"" };
	const char nul[] = "2025-01-01T00:00:00Z\0";
	size_t i;
	int64_t t = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (aa_time_parse(bad[i], strlen(bad[i]), &t) != AA_EINVAL)
			test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
	/* The length is what counts, not a terminating NUL. */
	ASSERT_EQ(aa_time_parse(nul, sizeof(nul) - 1, &t), AA_EINVAL);
	ASSERT_EQ(aa_time_parse(nul, sizeof(nul) - 2, &t), 0);
	ASSERT_EQ(t, WALL0);
	ASSERT_EQ(aa_time_parse("2025-01-01T00:00:00Zjunk", 20, &t), 0);
	ASSERT_EQ(t, WALL0);
	ASSERT_EQ(aa_time_parse("2025-01-01T00:00:00Z", 19, &t), AA_EINVAL);
}

TEST(timefmt_round_trip_many)
{
	static const char *const zones[] = { "UTC0", "IST-5:30", "NST3:30",
		"EST5EDT,M3.2.0,M11.1.0" };
	struct aa_buf b;
	const uint64_t half = UINT64_C(9000000000000000000);
	uint64_t x = 88172645463325252ULL, u;
	int64_t v, t;
	size_t z;
	int i;

	aa_buf_init(&b);
	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		zone(zones[z]);
		for (i = 0; i < 2000; i++) {
			/* xorshift: times spread over 1678..2261. */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			u = x % (2 * half);
			v = u >= half ? (int64_t)(u - half) :
			    -(int64_t)(half - u);
			aa_buf_reset(&b);
			ASSERT_EQ(aa_time_format(&b, v, i % 2), 0);
			ASSERT_EQ(aa_time_parse(b.data, b.len, &t), 0);
			if (t != v)
				test_fail(__FILE__, __LINE__, "%s: %lld -> %s -> "
				    "%lld", zones[z], (long long)v,
				    aa_buf_str(&b), (long long)t);
		}
	}
	aa_buf_release(&b);
}
