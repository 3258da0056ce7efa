/*
 * codex.c - OpenAI Codex: a "›" composer above a spacer and a footer line;
 * removes its Coder.coder_report_task tool calls (../shared/spec/core.md
 * §4.3, §4.6).
 *
 * Codex 0.169 has a status line between the spacer and the footer, so the
 * composer is the fourth line from the bottom and upstream's rule never
 * fires (the agent never became ready).  When it does not, the bottom-most
 * "›" line among the last six with at least two lines under it is taken as
 * the composer and dropped with everything below; then the turn summary
 * "Worked for 2s • 04:50" goes too (tests/data/format/codex-0.169.0).
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

/* Lines scanned for the composer, counted from the bottom. */
#define CODEX_SCAN 6

/* "Worked for <duration> • <time>", with or without a rule around it. */
static int
codex_residue(const char *s, size_t n)
{
	return aa_residue_starts(s, n, "Worked for ") ||
	    aa_residue_starts(s, n, "\xe2\x94\x80 Worked for ");
}

/* Drops the composer of today's layout and everything under it. */
static int
codex_box_status(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_lines l;
	size_t i, low;
	int rc;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s, n)) < 0)
		return rc;
	low = l.n > CODEX_SCAN ? l.n - CODEX_SCAN : 0;
	for (i = l.n; i-- > low;) {
		if (i + 2 < l.n &&
		    aa_residue_starts(l.v[i].s, l.v[i].len, "\xe2\x80\xba")) {
			rc = aa_lines_join(&l, 0, i, out);
			goto out;
		}
	}
	rc = aa_buf_append(out, s, n);
out:
	aa_lines_release(&l);
	return rc;
}

/* Upstream's composer rule; failing that, today's layout. */
static int
codex_box(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_buf tmp;
	int rc;

	aa_buf_init(&tmp);
	if ((rc = aa_format_box_codex(s, n, &tmp)) == 0) {
		if (tmp.len != n)
			rc = aa_buf_append(out, tmp.data, tmp.len);
		else
			rc = aa_residue_box(codex_box_status, NULL,
			    codex_residue, s, n, out);
	}
	aa_buf_release(&tmp);
	return rc;
}

static const char *const codex_aliases[] = { "codex", NULL };

const struct aa_agent aa_agent_codex = {
	.name = "codex",
	.aliases = codex_aliases,
	.echo = { NULL, NULL, 0 },
	.remove_box = codex_box,
	.remove_tools = aa_format_tools_codex,
	.diff_skip = 0,
	.start_input = NULL,
};
