/*
 * gemini.c - Gemini CLI: the echoed input sits in a rounded box whose bottom
 * edge (╰…╯) is removed with it (../shared/spec/core.md §4.2 step 6).
 *
 * Gemini CLI 0.61 draws the input and its echo between half-block rules
 * (▄▄▄ above, ▀▀▀ below) and puts "? for shortcuts", a rule and a mode
 * hint ("Shift+Tab to accept edits") above the input.  Once upstream's
 * remover has cut at the "> " line, those lines and the ▀ rule left under
 * the echo go too (tests/data/format/gemini-0.61.0).
 *
 * While it asks for permission ("Allow execution of [Shell]?"), 0.61 hides
 * the input and ends the screen with a rounded box holding the command in
 * a nested box; upstream's slim-box rule took that nested box for the
 * input and cut the question off.  With no ">" line at the bottom and a
 * rounded box's bottom edge as the last line, only the rule under the
 * echo is cut (tests/data/format/gemini-0.61.0/permission).
 *
 * 0.61 draws its input box before its configuration is loaded, with
 * nothing above it (not even the logo); a prompt typed then is queued
 * ("Initializing... Prompts will be queued.") and the turn goes stable
 * before it starts.  So it is ready only once the screen without its
 * input box is not blank (tests/data/format/gemini-0.61.0/starting).
 */
#include <stddef.h>
#include <string.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

/* Lines that upstream's ">" rule looks at, from the bottom (§4.3). */
#define GEMINI_TAIL 6

/* The rule under the echoed input. */
static int
gemini_lead(const char *s, size_t n)
{
	return aa_residue_is_rule(s, n);
}

/* Rules, the shortcuts hint and the approval-mode hint above the input. */
static int
gemini_trail(const char *s, size_t n)
{
	return aa_residue_is_rule(s, n) ||
	    aa_residue_has(s, n, "? for shortcuts") ||
	    aa_residue_starts(s, n, "Shift+Tab to ");
}

/* 1 if s ends with a rounded box and has no ">" line near the bottom. */
static int
gemini_dialog(const char *s, size_t n)
{
	struct aa_lines l;
	size_t i, b, lo;
	int rc = 0;

	aa_lines_init(&l);
	if (aa_lines_split(&l, s, n) < 0)
		return 0;
	b = l.n;
	while (b > 0 && aa_text_is_blank(l.v[b - 1].s, l.v[b - 1].len))
		b--;
	if (b == 0 || !aa_residue_starts(l.v[b - 1].s, l.v[b - 1].len,
	    "\xe2\x95\xb0"))
		goto out;
	lo = l.n > GEMINI_TAIL ? l.n - GEMINI_TAIL : 0;
	for (i = lo; i < l.n; i++)
		if (memchr(l.v[i].s, '>', l.v[i].len) != NULL)
			goto out;
	rc = 1;
out:
	aa_lines_release(&l);
	return rc;
}

/* The dialog without the rule left under the echo above it. */
static int
gemini_keep_dialog(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_lines l;
	size_t a = 0;
	int rc;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s, n)) == 0) {
		while (a < l.n && (aa_text_is_blank(l.v[a].s, l.v[a].len) ||
		    gemini_lead(l.v[a].s, l.v[a].len)))
			a++;
		rc = aa_lines_join(&l, a, l.n, out);
		if (rc == 0)
			rc = aa_buf_append(out, "", 0);
	}
	aa_lines_release(&l);
	return rc;
}

/* The generic box remover, then today's residue around the reply. */
static int
gemini_box(const char *s, size_t n, struct aa_buf *out)
{
	if (gemini_dialog(s, n))
		return gemini_keep_dialog(s, n, out);
	return aa_residue_box(aa_format_box_generic, gemini_lead,
	    gemini_trail, s, n, out);
}

/* Ready once something is drawn above the input: the header, or history. */
static int
gemini_ready(const char *s, size_t n)
{
	return !aa_text_is_blank(s, n);
}

static const char *const gemini_aliases[] = { "gemini", NULL };

const struct aa_agent aa_agent_gemini = {
	.name = "gemini",
	.aliases = gemini_aliases,
	.echo = { "\xe2\x95\xaf", "\xe2\x95\xb0", 0 },
	.remove_box = gemini_box,
	.remove_tools = NULL,
	.diff_skip = 0,
	.start_input = NULL,
	.ready_rest = gemini_ready,
};
