/*
 * snapshot.c - the screen diff (../shared/spec/core.md §3).
 *
 * The old screen's lines go into an open-addressing hash set (a screen is
 * 1000 rows, most of them identical blank padding, so comparing every new
 * line against every old one would be quadratic).  The new screen is then
 * walked top-down to the first line the set does not hold; everything
 * from there to the bottom, less blank lines at either end, is the
 * result - always one contiguous substring of the new screen.
 *
 * Upstream quirks kept on purpose: a header skip (opencode's three lines)
 * makes the section start that many lines early (§3 step 3), and an all-blank
 * section is returned as it is (step 5).  Defect §9.1 (opencode with a
 * two-line screen crashes upstream) is guarded: the result is empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/format.h"
#include "core/snapshot.h"
#include "base/text.h"

/* One slot of the set: a view into the old screen; s == NULL is free. */
struct slot {
	const char *s;
	size_t len;
	uint64_t hash;
};

struct lineset {
	struct slot *v;
	size_t mask;
};

static uint64_t line_hash(const char *, size_t);
static int lineset_init(struct lineset *, const char *, size_t);
static int lineset_has(const struct lineset *, const char *, size_t,
    uint64_t);
static size_t line_end(const char *, size_t, size_t);

/*
 * Hashes a line eight bytes at a time (multiply-xorshift, FNV-style
 * constants); lines are 80-column rows, mostly spaces.
 */
static uint64_t
line_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}

/* Tests whether the set holds the line s[0..n) of hash h. */
static int
lineset_has(const struct lineset *set, const char *s, size_t n, uint64_t h)
{
	size_t i;

	for (i = (size_t)h & set->mask; set->v[i].s != NULL;
	    i = (i + 1) & set->mask) {
		if (set->v[i].hash == h && set->v[i].len == n &&
		    memcmp(set->v[i].s, s, n) == 0)
			return 1;
	}
	return 0;
}

/* End (exclusive) of the line of s[0..n) starting at start. */
static size_t
line_end(const char *s, size_t n, size_t start)
{
	const char *p = memchr(s + start, '\n', n - start);

	return p == NULL ? n : (size_t)(p - s);
}

/* Builds the set of every distinct line of old[0..n). */
static int
lineset_init(struct lineset *set, const char *old, size_t n)
{
	size_t lines = 1, cap = 16, start = 0, end, i;
	const char *p = old;
	uint64_t h;

	while ((p = memchr(p, '\n', n - (size_t)(p - old))) != NULL) {
		lines++;
		p++;
	}
	/* At most half full, so probes stay short. */
	while (cap < lines * 2)
		cap *= 2;
	if ((set->v = calloc(cap, sizeof(*set->v))) == NULL)
		return AA_ENOMEM;
	set->mask = cap - 1;
	for (;;) {
		end = line_end(old, n, start);
		h = line_hash(old + start, end - start);
		if (!lineset_has(set, old + start, end - start, h)) {
			for (i = (size_t)h & set->mask; set->v[i].s != NULL;
			    i = (i + 1) & set->mask)
				;
			set->v[i].s = old + start;
			set->v[i].len = end - start;
			set->v[i].hash = h;
		}
		if (end == n)
			break;
		start = end + 1;
	}
	return 0;
}

/* Appends the part of cur that old never showed, trimmed (§3). */
int
aa_snapshot_diff(const char *old, size_t oldlen, const char *cur,
    size_t curlen, size_t skip, struct aa_buf *out)
{
	struct lineset set;
	size_t idx, start, end, first, sec, a, b, lines, i;
	const char *p;
	int found = 0;

	if (old == NULL)
		old = "";
	if (cur == NULL)
		cur = "";
	lines = 1;
	for (p = cur; (p = memchr(p, '\n', curlen - (size_t)(p - cur))) != NULL;
	    p++)
		lines++;
	/* The header skip applies from two lines up; guard §9.1. */
	if (lines < 2 || skip > lines)
		skip = lines < 2 ? 0 : lines;
	if (lineset_init(&set, old, oldlen) != 0)
		return AA_ENOMEM;
	/* Walk to line skip, then to the first line old never showed. */
	start = 0;
	for (idx = 0; idx < skip && idx < lines; idx++)
		start = idx + 1 < lines ? line_end(cur, curlen, start) + 1 :
		    curlen;
	for (; idx < lines; idx++) {
		end = line_end(cur, curlen, start);
		if (!lineset_has(&set, cur + start, end - start,
		    line_hash(cur + start, end - start))) {
			found = 1;
			break;
		}
		start = end + 1;
	}
	free(set.v);
	if (!found)
		return aa_buf_append(out, "", 0);
	/* The section starts skip lines above the new line (§3 quirk). */
	first = idx - skip;
	for (sec = 0, i = 0; i < first; i++)
		sec = line_end(cur, curlen, sec) + 1;
	/* Trim blank lines; an all-blank section is kept whole. */
	aa_format_trim_span(cur + sec, curlen - sec, &a, &b);
	if (a == b && b == 0)
		b = curlen - sec;
	return aa_buf_append(out, cur + sec + a, b - a);
}
