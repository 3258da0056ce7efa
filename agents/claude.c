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
 *
 * While it works, 2.1.330's footer under the box says "esc to interrupt"
 * ("⏸ manual mode on · esc to interrupt · ← for agents"), also while the
 * reply streams and its spinner line ("✻ Perusing… (1s · ↓ 4 tokens)")
 * is gone; older versions put "(esc to interrupt)" on the spinner line
 * itself, a few lines up.  A permission dialog says "Esc to cancel"
 * instead, so a waiting question still settles (.busy;
 * tests/data/format/claude-2.1.330/busy-*).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

static int claude_tools(const struct aa_format_tools *, const char *, size_t,
    struct aa_buf *, struct aa_buf *);

/*
 * "✻ <verb> for <duration>[ · done <time>]": the turn summary; and
 * "◐ <level> · /effort", the effort hint.
 */
static const struct aa_residue_match claude_trail[] = {
	{ AA_RESIDUE_TEXT, NULL, " \xc2\xb7 /effort" },
	{ AA_RESIDUE_TEXT, "\xe2\x9c\xbb ", " for " },
	{ 0 },
};

/* Removes the coder_report_task blocks, recording the whole ones (§4.6). */
static int
claude_tools(const struct aa_format_tools *t, const char *s, size_t n,
    struct aa_buf *out, struct aa_buf *calls)
{
	struct aa_buf tmp;
	struct aa_lines l;
	struct aa_format_range *r = NULL;
	struct aa_line p, c, x;
	size_t nr = 0, i, base = out->len, k, reply = strlen(t->reply);
	size_t start = SIZE_MAX, blank = SIZE_MAX;
	int rc = AA_ENOMEM;

	aa_buf_init(&tmp);
	aa_lines_init(&l);
	if (!aa_text_contains(s, n, t->mark)) {
		while (n > 0 && *s == '\n') {
			s++;
			n--;
		}
		return aa_buf_append(out, s, n);
	}
	/* The scan sees a leading empty line, as upstream prepends one. */
	if (aa_buf_putc(&tmp, '\n') != 0 || aa_buf_append(&tmp, s, n) != 0 ||
	    aa_lines_split(&l, tmp.data, tmp.len) != 0 ||
	    (r = calloc(l.n, sizeof(*r))) == NULL)
		goto out;
	for (i = 1; i + 1 < l.n; i++) {
		p = aa_text_trimmed(l.v[i - 1].s, l.v[i - 1].len);
		c = aa_text_trimmed(l.v[i].s, l.v[i].len);
		x = aa_text_trimmed(l.v[i + 1].s, l.v[i + 1].len);
		if (aa_text_contains(c.s, c.len, t->mark)) {
			/* Upstream keeps a stale blank index here (§9.13). */
			start = i;
		} else if (start != SIZE_MAX) {
			if (c.len == reply &&
			    memcmp(c.s, t->reply, reply) == 0 &&
			    x.len == 1 && *x.s == '}' &&
			    aa_text_has_suffix(p.s, p.len, "{")) {
				r[nr].a = start;
				r[nr].b = AA__MIN(l.n, i + 2);
				r[nr++].keep = 1;
				start = blank = SIZE_MAX;
			} else if (c.len == 0)
				blank = i + 1;
		}
	}
	if (start != SIZE_MAX) {
		/* Unterminated call: removed, not recorded; end >= start. */
		r[nr].a = start;
		r[nr].b = blank != SIZE_MAX ? AA__MAX(blank, start) : l.n;
		r[nr++].keep = 0;
	}
	if (aa_format_tools_join(&l, r, nr, out, calls) != 0)
		goto out;
	for (k = base; k < out->len && out->data[k] == '\n'; k++)
		;
	memmove(out->data + base, out->data + k, out->len - k + 1);
	out->len -= k - base;
	rc = 0;
out:
	free(r);
	aa_lines_release(&l);
	aa_buf_release(&tmp);
	return rc;
}

static const char *const claude_aliases[] = { "claude", NULL };

const struct aa_agent aa_agent_claude = {
	.name = "claude",
	.aliases = claude_aliases,
	.echo = { NULL, NULL, 0 },
	.box = {
		.upstream = aa_format_box_generic,
		.trim = AA_RESIDUE_AFTER_UPSTREAM,
		.trail = claude_trail,
	},
	.tools = {
		.remove = claude_tools,
		.mark = "coder - coder_report_task (MCP)",
		.reply = "\"message\": \"Thanks for reporting!\"",
	},
	.diff_skip = 0,
	.start_input = NULL,
	.blink = "\xe2\x97\x8f",
	.busy = { "esc to interrupt", 7, NULL },
	.interrupt = "esc",
	.prompt_answer = "arrows",
};
