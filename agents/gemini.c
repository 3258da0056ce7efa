/*
 * gemini.c - Gemini CLI: the echoed input sits in a rounded box whose bottom
 * edge (╰…╯) is removed with it (../shared/spec/core.md §4.2 step 6).
 */
#include <stddef.h>

#include "agent.h"
#include "format.h"

static const char *const gemini_aliases[] = { "gemini", NULL };

const struct aa_agent aa_agent_gemini = {
	.name = "gemini",
	.aliases = gemini_aliases,
	.echo = { "\xe2\x95\xaf", "\xe2\x95\xb0", 0 },
	.remove_box = aa_format_box_generic,
	.remove_tools = NULL,
	.diff_skip = 0,
	.start_input = NULL,
};
