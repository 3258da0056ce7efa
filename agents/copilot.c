/*
 * copilot.c - GitHub Copilot CLI: like Gemini, the echo's rounded box bottom
 * (╰…╯) goes with the echo (../shared/spec/core.md §4.2 step 6).
 *
 * Copilot CLI 1.0 draws its composer as a half-block box ("╻▄▄▄" above,
 * "┃ text" inside, "╹▀▀▀" below) over a footer ("← open sidebar ·
 * … / commands  <model>"), with the working folder on the line above
 * it; upstream's rules find neither a ">" nor a slim box there, so the
 * agent never became ready.  When upstream's remover finds nothing, the
 * composer, everything under it and the folder line above it are cut.
 * The echoed prompt is drawn the same way ("▄▄▄" / "❯ text  05:31" /
 * "▀▀▀"); echo removal leaves the "▀▀▀" rule, which goes too.  Once
 * the transcript is taller than the screen, a scrollbar ("┃") runs down
 * the right edge of every line; it is cut off the message as well
 * (tests/data/format/copilot-1.0.102).
 */
#include <stddef.h>
#include <string.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

/* Lines scanned for the composer's bottom edge, from the bottom. */
#define COPILOT_SCAN 8
/* Most lines between the composer's top and bottom edges. */
#define COPILOT_ROWS 12
/* The scrollbar drawn down the right edge once the transcript overflows. */
#define COPILOT_BAR "\xe2\x94\x83"


/* Cuts today's half-block composer and what is under it. */
static int
copilot_box_halfblock(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_lines l;
	size_t i, j, low, top;
	int rc;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s, n)) < 0)
		return rc;
	low = l.n > COPILOT_SCAN ? l.n - COPILOT_SCAN : 0;
	for (i = l.n; i-- > low;) {
		if (!aa_residue_starts(l.v[i].s, l.v[i].len,
		    "\xe2\x95\xb9\xe2\x96\x80"))
			continue;
		top = i > COPILOT_ROWS ? i - COPILOT_ROWS : 0;
		for (j = i; j-- > top;) {
			if (!aa_residue_starts(l.v[j].s, l.v[j].len,
			    "\xe2\x95\xbb\xe2\x96\x84"))
				continue;
			/* The working-folder line sits right above it. */
			if (j > 0 && !aa_text_is_blank(l.v[j - 1].s,
			    l.v[j - 1].len) && l.v[j - 1].s[0] == ' ' &&
			    l.v[j - 1].len > 1 && l.v[j - 1].s[1] != ' ')
				j--;
			rc = aa_lines_join(&l, 0, j, out);
			goto out;
		}
		break;
	}
	rc = aa_buf_append(out, s, n);
out:
	aa_lines_release(&l);
	return rc;
}

/* 1 if the line ends with the scrollbar's "┃". */
static int
copilot_barred(const struct aa_line *l)
{
	return l->len >= 3 && memcmp(l->s + l->len - 3, COPILOT_BAR, 3) == 0;
}

/* Appends s without a scrollbar column down its right edge. */
static int
copilot_unbar(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_lines l;
	size_t i, k, seen = 0;
	int rc;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s, n)) < 0)
		return rc;
	for (i = 0; i < l.n; i++) {
		if (copilot_barred(&l.v[i]))
			seen++;
		else if (!aa_text_is_blank(l.v[i].s, l.v[i].len))
			break;
	}
	if (i < l.n || seen == 0) {
		rc = aa_buf_append(out, s, n);
		goto out;
	}
	for (i = 0; i < l.n && rc == 0; i++) {
		k = l.v[i].len;
		if (copilot_barred(&l.v[i]))
			k -= 3;
		while (k > 0 && l.v[i].s[k - 1] == ' ')
			k--;
		rc = aa_buf_append(out, l.v[i].s, k);
		if (rc == 0 && i + 1 < l.n)
			rc = aa_buf_append(out, "\n", 1);
	}
out:
	aa_lines_release(&l);
	return rc;
}

/* Upstream's generic remover; failing that, today's composer. */
static int
copilot_box_any(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_buf tmp, cut;
	int rc;

	aa_buf_init(&tmp);
	aa_buf_init(&cut);
	if ((rc = aa_format_box_generic(s, n, &tmp)) == 0) {
		if (tmp.len != n) {
			rc = aa_buf_append(out, tmp.data, tmp.len);
		} else if ((rc = copilot_box_halfblock(s, n, &cut)) == 0) {
			/* Only once the composer is found: readiness stays. */
			if (cut.len != n)
				rc = copilot_unbar(cut.data, cut.len, out);
			else
				rc = aa_buf_append(out, s, n);
		}
	}
	aa_buf_release(&cut);
	aa_buf_release(&tmp);
	return rc;
}

/* The rule under the echoed prompt ("▀▀▀"). */
static int
copilot_lead(const char *s, size_t n)
{
	return aa_residue_is_rule(s, n);
}

/* Either composer, then the rule left under the echo. */
static int
copilot_box(const char *s, size_t n, struct aa_buf *out)
{
	return aa_residue_box(copilot_box_any, copilot_lead, NULL, s, n, out);
}

static const char *const copilot_aliases[] = { "copilot", NULL };

const struct aa_agent aa_agent_copilot = {
	.name = "copilot",
	.aliases = copilot_aliases,
	.echo = { "\xe2\x95\xaf", "\xe2\x95\xb0", 0 },
	.remove_box = copilot_box,
	.remove_tools = NULL,
	.diff_skip = 0,
	.start_input = NULL,
};
