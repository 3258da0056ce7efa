/*
 * amp.c - Sourcegraph Amp: a rounded input box (╭…╮ above ╰…╯); " \b" is
 * typed at start to stop its start-up animation (../shared/spec/core.md
 * §1.2-5).
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"

static const char *const amp_aliases[] = { "amp", NULL };

const struct aa_agent aa_agent_amp = {
	.name = "amp",
	.aliases = amp_aliases,
	.echo = { NULL, NULL, 0 },
	.remove_box = aa_format_box_amp,
	.remove_tools = NULL,
	.diff_skip = 0,
	.start_input = " \b",
};
