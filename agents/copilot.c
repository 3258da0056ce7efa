/*
 * copilot.c - GitHub Copilot CLI: like Gemini, the echo's rounded box bottom
 * (╰…╯) goes with the echo (../shared/spec/core.md §4.2 step 6).
 */
#include <stddef.h>

#include "agent.h"
#include "format.h"

static const char *const copilot_aliases[] = { "copilot", NULL };

const struct aa_agent aa_agent_copilot = {
	.name = "copilot",
	.aliases = copilot_aliases,
	.echo = { "\xe2\x95\xaf", "\xe2\x95\xb0", 0 },
	.remove_box = aa_format_box_generic,
	.remove_tools = NULL,
	.diff_skip = 0,
	.start_input = NULL,
};
