/*
 * claude.c - Claude Code: a "> " prompt in a solid or dashed box; removes its
 * coder_report_task MCP tool calls (../shared/spec/core.md §4.6).
 */
#include <stddef.h>

#include "agent.h"
#include "format.h"

static const char *const claude_aliases[] = { "claude", NULL };

const struct aa_agent aa_agent_claude = {
	.name = "claude",
	.aliases = claude_aliases,
	.echo = { NULL, NULL, 0 },
	.remove_box = aa_format_box_generic,
	.remove_tools = aa_format_tools_claude,
	.diff_skip = 0,
	.start_input = NULL,
};
