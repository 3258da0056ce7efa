/*
 * goose.c - Goose: the generic "> " prompt box.
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"

static const char *const goose_aliases[] = { "goose", NULL };

const struct aa_agent aa_agent_goose = {
	.name = "goose",
	.aliases = goose_aliases,
	.echo = { NULL, NULL, 0 },
	.box = { .upstream = aa_format_box_generic },
	.diff_skip = 0,
	.start_input = NULL,
};
