/*
 * auggie.c - Augment Code's auggie: the generic prompt box.
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"

static const char *const auggie_aliases[] = { "auggie", NULL };

const struct aa_agent aa_agent_auggie = {
	.name = "auggie",
	.aliases = auggie_aliases,
	.echo = { NULL, NULL, 0 },
	.box = { .upstream = aa_format_box_generic },
	.diff_skip = 0,
	.start_input = NULL,
};
