/*
 * cursor.c - Cursor CLI (cursor-agent): the echo's square box bottom (└…┘)
 * goes with the echo (../shared/spec/core.md §4.2 step 6).
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"

static const char *const cursor_aliases[] = { "cursor", "cursor-agent", NULL };

const struct aa_agent aa_agent_cursor = {
	.name = "cursor",
	.aliases = cursor_aliases,
	.echo = { "\xe2\x94\x98", "\xe2\x94\x94", 0 },
	.box = { .upstream = aa_format_box_generic },
	.diff_skip = 0,
	.start_input = NULL,
};
