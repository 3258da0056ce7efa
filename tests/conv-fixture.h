/*
 * conv-fixture.h - what test-conv.c and test-state.c share: a synthetic
 * clock, a recording of the tracker's callbacks, and a test-only screen
 * diff (../shared/spec/core.md §3 for the custom agent) standing in for
 * the agent table's until both are merged.
 */
#ifndef AA_CONV_FIXTURE_H
#define AA_CONV_FIXTURE_H

#include "test.h"

#include "base/buf.h"
#include "core/conv.h"
#include "base/text.h"

/* 2025-01-01T00:00:00Z, the golden scenario's clock. */
#define FX_WALL0 INT64_C(1735689600000000000)

struct fx {
	struct aa_conv *c;
	struct aa_conv_options o;
	int64_t mono;			/* ms since creation */
	const char *ready_screen;	/* ready iff screen equals it */
	int never_ready;
	enum aa_conv_status statuses[64];
	int nstatus;
	int nmsg, nnew;
	char error[512];
	int nerror, error_level;
};

/* Returns the index of line l in lines, or -1. */
static inline int
fx_find_line(const struct aa_lines *lines, const struct aa_line *l)
{
	size_t i;

	for (i = 0; i < lines->n; i++)
		if (lines->v[i].len == l->len &&
		    memcmp(lines->v[i].s, l->s, l->len) == 0)
			return (int)i;
	return -1;
}

/* §3 screenDiff for the custom agent: from the first new line on, with
 * blank lines trimmed at both ends. */
static inline int
fx_diff(void *ud, const char *old, size_t oldlen, const char *cur,
    size_t curlen, struct aa_buf *out)
{
	struct aa_lines ol, nl;
	size_t first, start, end, i;
	int rc;

	(void)ud;
	aa_lines_init(&ol);
	aa_lines_init(&nl);
	rc = aa_lines_split(&ol, old, oldlen);
	if (rc == 0)
		rc = aa_lines_split(&nl, cur, curlen);
	first = nl.n;
	for (i = 0; rc == 0 && i < nl.n; i++) {
		if (fx_find_line(&ol, &nl.v[i]) < 0) {
			first = i;
			break;
		}
	}
	if (rc == 0 && first < nl.n) {
		start = first;
		end = nl.n - 1;
		for (i = first; i < nl.n; i++)
			if (!aa_text_is_blank(nl.v[i].s, nl.v[i].len)) {
				start = i;
				break;
			}
		for (i = nl.n; i > first; i--)
			if (!aa_text_is_blank(nl.v[i - 1].s, nl.v[i - 1].len)) {
				end = i - 1;
				break;
			}
		rc = aa_lines_join(&nl, start, end + 1, out);
	}
	aa_lines_release(&ol);
	aa_lines_release(&nl);
	return rc;
}

/* The upstream unit tests' formatter: msg + " " + input. */
static inline int
fx_format(void *ud, const char *msg, size_t len, const char *user,
    size_t ulen, struct aa_buf *out, struct aa_buf *tools)
{
	(void)ud;
	(void)tools;
	if (aa_buf_append(out, msg, len) != 0 || aa_buf_putc(out, ' ') != 0)
		return -1;
	return aa_buf_append(out, user, ulen);
}

/* Readiness: the screen equals fx->ready_screen (or never). */
static inline int
fx_ready(void *ud, const char *screen, size_t len)
{
	struct fx *f = ud;

	if (f->never_ready)
		return 0;
	return strlen(f->ready_screen) == len &&
	    memcmp(f->ready_screen, screen, len) == 0;
}

static inline void
fx_on_status(void *ud, enum aa_conv_status s)
{
	struct fx *f = ud;

	if (f->nstatus < 64)
		f->statuses[f->nstatus++] = s;
}

static inline void
fx_on_message(void *ud, const struct aa_message *m, int is_new)
{
	struct fx *f = ud;

	(void)m;
	f->nmsg++;
	f->nnew += is_new != 0;
}

static inline void
fx_on_error(void *ud, int level, const char *text)
{
	struct fx *f = ud;

	f->nerror++;
	f->error_level = level;
	snprintf(f->error, sizeof(f->error), "%s", text);
}

/* The current synthetic time. */
static inline struct aa_time
fx_now(const struct fx *f)
{
	struct aa_time t;

	t.mono_ms = f->mono;
	t.wall_ns = FX_WALL0 + f->mono * 1000000;
	return t;
}

/* Fills f->o with the fixture's hooks; the caller adjusts, then starts. */
static inline void
fx_init(struct fx *f, int64_t interval, int64_t stability)
{
	memset(f, 0, sizeof(*f));
	f->o.interval_ms = interval;
	f->o.stability_ms = stability == 0 ? -1 : stability;
	f->o.diff = fx_diff;
	f->o.hook_ud = f;
	f->o.on_status = fx_on_status;
	f->o.on_message = fx_on_message;
	f->o.on_error = fx_on_error;
	f->o.ud = f;
	f->o.time_utc = 1;
}

/* Creates the tracker at mono 0. */
static inline void
fx_start(struct fx *f)
{
	struct aa_time t = fx_now(f);

	if (f->ready_screen != NULL || f->never_ready)
		f->o.ready = fx_ready;
	ASSERT_EQ(aa_conv_new(&f->c, &f->o, &t), 0);
}

/* Advances the clock by ms and ticks with screen. */
static inline enum aa_conv_status
fx_tick(struct fx *f, int64_t ms, const char *screen)
{
	struct aa_time t;

	f->mono += ms;
	t = fx_now(f);
	ASSERT_EQ(aa_conv_tick(f->c, &t, screen, strlen(screen)), 0);
	return aa_conv_status(f->c);
}

/* Ticks every interval with screen until stable (at most n ticks). */
static inline void
fx_until_stable(struct fx *f, const char *screen, int n)
{
	while (n-- > 0)
		if (fx_tick(f, f->o.interval_ms, screen) == AA_CONV_STABLE)
			return;
	test_fail(__FILE__, __LINE__, "never stable with \"%s\"", screen);
}

/* Types text as a user message, before being the screen before typing. */
static inline int
fx_send(struct fx *f, const char *text, const char *before, int ok)
{
	struct aa_time t = fx_now(f);
	int rc;

	rc = aa_conv_send_begin(f->c, &t, before, strlen(before));
	if (rc != 0)
		return rc;
	f->mono += 10;
	t = fx_now(f);
	return aa_conv_send_end(f->c, &t, text, strlen(text), ok);
}

/* Checks the texts and roles of all messages ("u:" prefix = user). */
static inline void
fx_expect(struct fx *f, const char *const *want, size_t n)
{
	size_t i;

	ASSERT_EQ(aa_conv_count(f->c), n);
	for (i = 0; i < n; i++) {
		const struct aa_message *m = aa_conv_message(f->c, i);
		int user = strncmp(want[i], "u:", 2) == 0;

		ASSERT_EQ(m->id, i);
		ASSERT_EQ(m->role, user ? AA_ROLE_USER : AA_ROLE_AGENT);
		ASSERT_STR_EQ(m->text, want[i] + (user ? 2 : 0));
		ASSERT_EQ(m->len, strlen(m->text));
	}
}

#define FX_EXPECT(f, ...)                                                      \
	do {                                                                   \
		static const char *const w_[] = { __VA_ARGS__ };               \
		fx_expect((f), w_, sizeof(w_) / sizeof(w_[0]));                \
	} while (0)

#endif /* AA_CONV_FIXTURE_H */
