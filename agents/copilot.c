/*
 * copilot.c - GitHub Copilot CLI: like Gemini, the echo's rounded box bottom
 * (╰…╯) goes with the echo (../shared/spec/core.md §4.2 step 6).
 *
 * Copilot CLI 1.0 draws its composer as a half-block box ("╻▄▄▄" above,
 * "┃ text" inside, "╹▀▀▀" below) over a footer ("← open sidebar ·
 * … / commands  <model>"), with the working folder on the line above
 * it; upstream's rules find neither a ">" nor a slim box there, so the
 * agent never became ready.  When upstream's remover finds nothing, the
 * composer, everything under it and the folder line above it are cut
 * (.box.layout).  The echoed prompt is drawn the same way ("▄▄▄" /
 * "❯ text  05:31" / "▀▀▀"); echo removal leaves the "▀▀▀" rule, which
 * goes too.  Once the transcript is taller than the screen, a scrollbar
 * ("┃") runs down the right edge of every line; it is cut off the message
 * as well (tests/data/format/copilot-1.0.102).
 *
 * While it works, its footer says so: "◉ Working · 42 B esc esc
 * interrupt", or "● Working esc esc edit prompt" before the first token
 * (.busy); idle, it reads "Interactive · Manual Approval · …".
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"

/* The rule under the echoed prompt ("▀▀▀"). */
static const struct aa_residue_match copilot_lead[] = {
	{ AA_RESIDUE_RULE, NULL, NULL },
	{ 0 },
};

/* The footer while it works. */
static const char *const copilot_busy[] = {
	"esc esc interrupt",
	"esc esc edit prompt",
	NULL,
};

static const char *const copilot_aliases[] = { "copilot", NULL };

const struct aa_agent aa_agent_copilot = {
	.name = "copilot",
	.aliases = copilot_aliases,
	.echo = { "\xe2\x95\xaf", "\xe2\x95\xb0", 0 },
	.box = {
		.upstream = aa_format_box_generic,
		.layout = {
			.top = "\xe2\x95\xbb\xe2\x96\x84",	/* ╻▄ */
			.bottom = "\xe2\x95\xb9\xe2\x96\x80",	/* ╹▀ */
			.scan = 8,
			.rows = 12,
			.caption = 1,
			.scrollbar = "\xe2\x94\x83",		/* ┃ */
		},
		.trim = AA_RESIDUE_AFTER_UPSTREAM | AA_RESIDUE_AFTER_LAYOUT,
		.lead = copilot_lead,
	},
	.diff_skip = 0,
	.start_input = NULL,
	.busy = { NULL, 2, copilot_busy },
	/* Esc alone does not stop a turn ("esc esc interrupt" in its
	 * footer); Ctrl-C does ("Operation cancelled by user"). */
	.interrupt = "ctrl-c",
	.prompt_answer = "arrows",
};
