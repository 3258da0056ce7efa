/*
 * codex.c - OpenAI Codex: a "›" composer above a spacer and a footer line;
 * removes its Coder.coder_report_task tool calls (../shared/spec/core.md
 * §4.3, §4.6).
 */
#include <stddef.h>

#include "agent.h"
#include "format.h"

static const char *const codex_aliases[] = { "codex", NULL };

const struct aa_agent aa_agent_codex = {
	.name = "codex",
	.aliases = codex_aliases,
	.echo = { NULL, NULL, 0 },
	.remove_box = aa_format_box_codex,
	.remove_tools = aa_format_tools_codex,
	.diff_skip = 0,
	.start_input = NULL,
};
