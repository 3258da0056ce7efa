/*
 * aider.c - Aider: the generic "> " prompt.
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"

static const char *const aider_aliases[] = { "aider", NULL };

const struct aa_agent aa_agent_aider = {
	.name = "aider",
	.aliases = aider_aliases,
	.echo = { NULL, NULL, 0 },
	.box = { .upstream = aa_format_box_generic },
	.diff_skip = 0,
	.start_input = NULL,
};
