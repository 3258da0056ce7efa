/*
 * amazonq.c - Amazon Q Developer CLI (q): the generic "> " prompt.
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"

static const char *const amazonq_aliases[] = { "amazonq", "q", NULL };

const struct aa_agent aa_agent_amazonq = {
	.name = "amazonq",
	.aliases = amazonq_aliases,
	.echo = { NULL, NULL, 0 },
	.box = { .upstream = aa_format_box_generic },
	.diff_skip = 0,
	.start_input = NULL,
};
