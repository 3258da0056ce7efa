/*
 * opencode.c - opencode: the echo is followed by an author/time line and a
 * spacer; the input panel ends in "╹▀▀▀…"; its top three rows are a header
 * whose token count changes every frame, so the diff skips them (§3, §4.2,
 * §4.3).
 *
 * opencode 1.18 ends each turn with "▣  Build · <model> · 8.3s" under the
 * reply; once the input panel is gone, that line goes too.  While it works
 * its footer says "esc interrupt" (after a progress bar); the first turn
 * can sit still for seconds before the first token (a title request, a
 * plugin install, a cold Bun start), which upstream's 2-second rule took
 * for the end of the turn, so that footer keeps the status running
 * (.busy; tests/data/format/opencode-1.18.33).
 */
#include <stddef.h>
#include <string.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

/* The panel's bottom: U+2579 then 17 x U+2580. */
#define OPENCODE_BAR                                                           \
	"\xe2\x95\xb9"                                                         \
	"\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80"         \
	"\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80"         \
	"\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80"         \
	"\xe2\x96\x80\xe2\x96\x80"

static int opencode_box(const char *, size_t, struct aa_buf *);

/* "▣  <agent> · <model>[ · <duration>]": the turn summary. */
static const struct aa_residue_match opencode_trail[] = {
	{ AA_RESIDUE_TEXT, "\xe2\x96\xa3 ", NULL },
	{ 0 },
};

/*
 * Upstream's rule: the bar at line 4 or below, from the bottom, and the
 * four lines above it are the panel; it and everything under it go.
 */
static int
opencode_box(const char *s, size_t n, struct aa_buf *out)
{
	size_t nl = 0, i, start, end, k;
	const char *p = s;
	struct aa_line t;

	while ((p = memchr(p, '\n', n - (size_t)(p - s))) != NULL) {
		nl++;
		p++;
	}
	/* Line i (from nl down to 4) spans [start, end). */
	end = n;
	for (i = nl; i >= 4; i--) {
		start = aa_text_prev_line(s, end + 1);
		t = aa_text_trimmed(s + start, end - start);
		if (aa_text_has_prefix(t.s, t.len, OPENCODE_BAR)) {
			for (k = 0; k < 4; k++)
				start = aa_text_prev_line(s, start);
			/* Line 0 is the only one starting at 0. */
			return aa_buf_append(out, s,
			    start == 0 ? 0 : start - 1);
		}
		end = start - 1;
	}
	return aa_buf_append(out, s, n);
}

static const char *const opencode_aliases[] = { "opencode", NULL };

const struct aa_agent aa_agent_opencode = {
	.name = "opencode",
	.aliases = opencode_aliases,
	.echo = { NULL, NULL, 2 },
	.box = {
		.upstream = opencode_box,
		.trim = AA_RESIDUE_AFTER_UPSTREAM,
		.trail = opencode_trail,
	},
	.diff_skip = 3,
	.start_input = NULL,
	.busy = { "esc interrupt", 3 },
	/* One Esc only arms it ("esc interrupt" turns into "esc again to
	 * interrupt"); the second, a step later, stops the turn. */
	.interrupt = "esc esc",
	.prompt_answer = "arrows",
};
