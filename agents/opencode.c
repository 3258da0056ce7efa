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

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

/* Lines at the bottom of the screen searched for the busy footer. */
#define OPENCODE_FOOTER 3

/* "▣  <agent> · <model>[ · <duration>]": the turn summary. */
static int
opencode_trail(const char *s, size_t n)
{
	return aa_residue_starts(s, n, "\xe2\x96\xa3 ");
}

/* Upstream's input-panel remover, then the turn summary above it. */
static int
opencode_box(const char *s, size_t n, struct aa_buf *out)
{
	return aa_residue_box(aa_format_box_opencode, NULL, opencode_trail,
	    s, n, out);
}

/* 1 while the footer, among the last non-blank lines, says it works. */
static int
opencode_busy(const char *s, size_t n)
{
	struct aa_lines l;
	size_t i, seen = 0;
	int rc = 0;

	aa_lines_init(&l);
	if (aa_lines_split(&l, s, n) < 0)
		return 0;
	for (i = l.n; i-- > 0 && seen < OPENCODE_FOOTER;) {
		if (aa_text_is_blank(l.v[i].s, l.v[i].len))
			continue;
		seen++;
		if (aa_residue_has(l.v[i].s, l.v[i].len, "esc interrupt")) {
			rc = 1;
			break;
		}
	}
	aa_lines_release(&l);
	return rc;
}

static const char *const opencode_aliases[] = { "opencode", NULL };

const struct aa_agent aa_agent_opencode = {
	.name = "opencode",
	.aliases = opencode_aliases,
	.echo = { NULL, NULL, 2 },
	.remove_box = opencode_box,
	.remove_tools = NULL,
	.diff_skip = 3,
	.start_input = NULL,
	.busy = opencode_busy,
};
