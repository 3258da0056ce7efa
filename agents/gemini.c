/*
 * gemini.c - Gemini CLI: the echoed input sits in a rounded box whose bottom
 * edge (╰…╯) is removed with it (../shared/spec/core.md §4.2 step 6).
 *
 * Gemini CLI 0.61 draws the input and its echo between half-block rules
 * (▄▄▄ above, ▀▀▀ below) and puts "? for shortcuts", a rule and a mode
 * hint ("Shift+Tab to accept edits") above the input.  Once upstream's
 * remover has cut at the "> " line, those lines and the ▀ rule left under
 * the echo go too (tests/data/format/gemini-0.61.0).
 */
#include <stddef.h>

#include "agent.h"
#include "format.h"
#include "residue.h"

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

/* The generic box remover, then today's residue around the reply. */
static int
gemini_box(const char *s, size_t n, struct aa_buf *out)
{
	return aa_residue_box(aa_format_box_generic, gemini_lead,
	    gemini_trail, s, n, out);
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
};
