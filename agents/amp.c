/*
 * amp.c - Sourcegraph Amp: a rounded input box (╭…╮ above ╰…╯); " \b" is
 * typed at start to stop its start-up animation (../shared/spec/core.md
 * §1.2-5).
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"
#include "base/text.h"

#define ARC_DOWN_RIGHT "\xe2\x95\xad"	/* ╭ */
#define ARC_DOWN_LEFT "\xe2\x95\xae"	/* ╮ */
#define ARC_UP_LEFT "\xe2\x95\xaf"	/* ╯ */
#define ARC_UP_RIGHT "\xe2\x95\xb0"	/* ╰ */
#define AMP_WELCOME "Welcome to Amp"

static int amp_box(const char *, size_t, struct aa_buf *);

/* Upstream's rule: cuts the last rounded box off s; "" is the welcome. */
static int
amp_box(const char *s, size_t n, struct aa_buf *out)
{
	size_t end = n, start, keep = n;
	struct aa_line t;
	int bottom = 0;

	for (;;) {
		start = end > 0 ? aa_text_prev_line(s, end + 1) : 0;
		t = aa_text_trimmed(s + start, end - start);
		if (!bottom && aa_text_has_prefix(t.s, t.len, ARC_UP_RIGHT) &&
		    aa_text_has_suffix(t.s, t.len, ARC_UP_LEFT))
			bottom = 1;
		if (bottom && aa_text_has_prefix(t.s, t.len, ARC_DOWN_RIGHT) &&
		    aa_text_has_suffix(t.s, t.len, ARC_DOWN_LEFT)) {
			keep = start == 0 ? 0 : start - 1;
			break;
		}
		if (start == 0)
			break;
		end = start - 1;
	}
	if (keep == 0)
		return aa_buf_puts(out, AMP_WELCOME);
	return aa_buf_append(out, s, keep);
}

static const char *const amp_aliases[] = { "amp", NULL };

const struct aa_agent aa_agent_amp = {
	.name = "amp",
	.aliases = amp_aliases,
	.echo = { NULL, NULL, 0 },
	.box = { .upstream = amp_box },
	.diff_skip = 0,
	.start_input = " \b",
};
