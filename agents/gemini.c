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
 * echo is cut (.box.dialog; tests/data/format/gemini-0.61.0/permission).
 *
 * 0.61 draws its input box before its configuration is loaded, with
 * nothing above it (not even the logo); a prompt typed then is queued
 * ("Initializing... Prompts will be queued.") and the turn goes stable
 * before it starts.  So it is ready only once the screen without its
 * input box is not blank (.ready_text;
 * tests/data/format/gemini-0.61.0/starting).
 *
 * While it works, a spinner line "⠦ Thinking... (esc to cancel, 3s)" sits
 * above the hints and the input, the eighth non-blank line from the
 * bottom; Qwen Code 0.24 (run as this type) draws "⠋ Shipping
 * awesomeness...  (3s · esc to cancel)" and its footer gains "Enter to
 * steer".  A permission dialog shows neither (.busy).
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"

/* The rule under the echoed input. */
static const struct aa_residue_match gemini_lead[] = {
	{ AA_RESIDUE_RULE, NULL, NULL },
	{ 0 },
};

/* Rules, the shortcuts hint and the approval-mode hint above the input. */
static const struct aa_residue_match gemini_trail[] = {
	{ AA_RESIDUE_RULE, NULL, NULL },
	{ AA_RESIDUE_TEXT, NULL, "? for shortcuts" },
	{ AA_RESIDUE_TEXT, "Shift+Tab to ", NULL },
	{ 0 },
};

/* The spinner line's hint (Gemini CLI, Qwen Code), Qwen's busy footer. */
static const char *const gemini_busy[] = {
	"(esc to cancel, ",
	"esc to cancel)",
	"Enter to steer",
	NULL,
};

static const char *const gemini_aliases[] = { "gemini", NULL };

const struct aa_agent aa_agent_gemini = {
	.name = "gemini",
	.aliases = gemini_aliases,
	.echo = { "\xe2\x95\xaf", "\xe2\x95\xb0", 0 },
	.box = {
		.upstream = aa_format_box_generic,
		.trim = AA_RESIDUE_AFTER_UPSTREAM,
		.lead = gemini_lead,
		.trail = gemini_trail,
		.dialog = "\xe2\x95\xb0",	/* ╰ */
	},
	.diff_skip = 0,
	.start_input = NULL,
	.ready_text = 1,
	.busy = { NULL, 10, gemini_busy },
	.interrupt = "esc",
	.prompt_answer = "arrows",
};
