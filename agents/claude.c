/*
 * claude.c - Claude Code: a "> " prompt in a solid or dashed box; removes its
 * coder_report_task MCP tool calls (../shared/spec/core.md §4.6).
 *
 * Claude Code 2.1 ends each turn with a summary line such as
 * "✻ Brewed for 3s · done 4:49 AM" above its "❯" input box; once the box
 * is gone, that line goes too (tests/data/format/claude-2.1.330).  For a
 * while after start-up it also shows the effort level right-aligned above
 * the box ("◐ medium · /effort"); that line goes the same way, or the
 * first messages would carry it (tests/data/format/claude-2.1.330/effort).
 *
 * While a tool call runs or waits for permission, its "●" blinks; the
 * session holds it lit (.blink, aa_residue_hold) so that the screen can
 * become stable while the agent asks.
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"

/*
 * "✻ <verb> for <duration>[ · done <time>]": the turn summary; and
 * "◐ <level> · /effort", the effort hint.
 */
static int
claude_residue(const char *s, size_t n)
{
	if (aa_residue_has(s, n, " \xc2\xb7 /effort"))
		return 1;
	return aa_residue_starts(s, n, "\xe2\x9c\xbb ") &&
	    aa_residue_has(s, n, " for ");
}

/* The generic box remover, then the turn summary under the reply. */
static int
claude_box(const char *s, size_t n, struct aa_buf *out)
{
	return aa_residue_box(aa_format_box_generic, NULL, claude_residue,
	    s, n, out);
}

static const char *const claude_aliases[] = { "claude", NULL };

const struct aa_agent aa_agent_claude = {
	.name = "claude",
	.aliases = claude_aliases,
	.echo = { NULL, NULL, 0 },
	.remove_box = claude_box,
	.remove_tools = aa_format_tools_claude,
	.diff_skip = 0,
	.start_input = NULL,
	.blink = "\xe2\x97\x8f",
};
