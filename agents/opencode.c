/*
 * opencode.c - opencode: the echo is followed by an author/time line and a
 * spacer; the input panel ends in "╹▀▀▀…"; its top three rows are a header
 * whose token count changes every frame, so the diff skips them (§3, §4.2,
 * §4.3).
 */
#include <stddef.h>

#include "agent.h"
#include "format.h"

static const char *const opencode_aliases[] = { "opencode", NULL };

const struct aa_agent aa_agent_opencode = {
	.name = "opencode",
	.aliases = opencode_aliases,
	.echo = { NULL, NULL, 2 },
	.remove_box = aa_format_box_opencode,
	.remove_tools = NULL,
	.diff_skip = 3,
	.start_input = NULL,
};
