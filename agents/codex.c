/*
 * codex.c - OpenAI Codex: a "›" composer above a spacer and a footer line;
 * removes its Coder.coder_report_task tool calls (../shared/spec/core.md
 * §4.3, §4.6).
 *
 * Codex 0.169 has a status line between the spacer and the footer, so the
 * composer is the fourth line from the bottom and upstream's rule never
 * fires (the agent never became ready).  When it does not, the bottom-most
 * "›" line among the last six with at least two lines under it is taken as
 * the composer and dropped with everything below (.box.layout); then the
 * turn summary "Worked for 2s • 04:50" goes too
 * (tests/data/format/codex-0.169.0).
 *
 * While it works, a status line "• Working (3s • esc to interrupt)" sits
 * right above the composer (.busy).  0.169 hides it while the reply's
 * text streams in; its approval dialog says "esc to cancel".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

#define SINGLE_GUILLEMET "\xe2\x80\xba" /* › U+203A */

static int codex_box(const char *, size_t, struct aa_buf *);
static int codex_equal_sans_spaces(const char *, size_t, const char *);
static int codex_tools(const struct aa_format_tools *, const char *, size_t,
    struct aa_buf *, struct aa_buf *);

/* "Worked for <duration> • <time>", with or without a rule around it. */
static const struct aa_residue_match codex_trail[] = {
	{ AA_RESIDUE_TEXT, "Worked for ", NULL },
	{ AA_RESIDUE_TEXT, "\xe2\x94\x80 Worked for ", NULL },
	{ 0 },
};

/* Upstream's rule: drops the composer line and the spacer below it. */
static int
codex_box(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_line v[3];

	if (aa_text_tail_lines(s, n, v, 3) < 3 ||
	    !aa_text_contains(v[0].s, v[0].len, SINGLE_GUILLEMET))
		return aa_buf_append(out, s, n);
	/* Keep everything above the composer, then the footer line. */
	if (aa_buf_append(out, s, (size_t)(v[0].s - s)) != 0)
		return AA_ENOMEM;
	return aa_buf_append(out, v[2].s, v[2].len);
}

/* Tests whether s[0..n) with every ASCII space removed equals lit. */
static int
codex_equal_sans_spaces(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (*lit == '\0' || *lit != s[i])
			return 0;
		lit++;
	}
	return *lit == '\0';
}

/* Removes the coder_report_task blocks and the blanks after them (§4.6). */
static int
codex_tools(const struct aa_format_tools *t, const char *s, size_t n,
    struct aa_buf *out, struct aa_buf *calls)
{
	struct aa_lines l;
	struct aa_format_range *r = NULL;
	struct aa_line c, x;
	size_t nr = 0, k, end, start = SIZE_MAX, base = out->len;
	size_t reply = strlen(t->reply);
	int rc = AA_ENOMEM;

	aa_lines_init(&l);
	if (!aa_text_contains(s, n, t->mark)) {
		while (n > 0 && s[n - 1] == '\n')
			n--;
		return aa_buf_append(out, s, n);
	}
	if (aa_lines_split(&l, s, n) != 0 ||
	    (r = calloc(l.n, sizeof(*r))) == NULL)
		goto out;
	for (k = 0; k < l.n; k++) {
		c = aa_text_trimmed(l.v[k].s, l.v[k].len);
		if (k + 1 < l.n &&
		    codex_equal_sans_spaces(c.s, c.len, t->head)) {
			x = aa_text_trimmed(l.v[k + 1].s, l.v[k + 1].len);
			if (aa_text_contains(x.s, x.len, t->mark))
				start = k;
		}
		if (start != SIZE_MAX && c.len == reply &&
		    memcmp(c.s, t->reply, reply) == 0) {
			for (end = k + 1; end < l.n &&
			    aa_text_is_blank(l.v[end].s, l.v[end].len); end++)
				;
			r[nr].a = start;
			r[nr].b = end;
			r[nr++].keep = 1;
			start = SIZE_MAX;
		}
	}
	if (aa_format_tools_join(&l, r, nr, out, calls) != 0)
		goto out;
	while (out->len > base && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
	rc = 0;
out:
	free(r);
	aa_lines_release(&l);
	return rc;
}

static const char *const codex_aliases[] = { "codex", NULL };

const struct aa_agent aa_agent_codex = {
	.name = "codex",
	.aliases = codex_aliases,
	.echo = { NULL, NULL, 0 },
	.box = {
		.upstream = codex_box,
		.layout = {
			.top = SINGLE_GUILLEMET,
			.scan = 6,
			.under = 2,
		},
		.trim = AA_RESIDUE_AFTER_LAYOUT,
		.trail = codex_trail,
	},
	.tools = {
		.remove = codex_tools,
		.head = "\xe2\x80\xa2" "Called",	/* •Called */
		.mark = "Coder.coder_report_task",
		.reply = "{\"message\": \"Thanks for reporting!\"}",
	},
	.diff_skip = 0,
	.start_input = NULL,
	.busy = { "esc to interrupt", 6, NULL },
	.interrupt = "esc",
	.prompt_answer = "arrows",
};
