/*
 * custom.c - Any other agent: the generic "> " prompt and slim box removal.
 * Also the fallback for an unknown command (../shared/spec/core.md §1.1).
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"

static const char *const custom_aliases[] = { "custom", NULL };

const struct aa_agent aa_agent_generic = {
	.name = "custom",
	.aliases = custom_aliases,
	.echo = { NULL, NULL, 0 },
	.box = { .upstream = aa_format_box_generic },
	.diff_skip = 0,
	.start_input = NULL,
};
