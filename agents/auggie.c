/*
 * auggie.c - Augment Code's auggie: a "›" input between two rules.
 *
 * Auggie 0.36 draws inline (history in the scrollback) and ends its
 * screen with its input: a "─" rule, the "›" line (and the lines of a
 * longer input), a rule, and a footer (" ? to show shortcuts", or hints
 * while something is typed, with the working folder on the right).
 * There is no ">" and no "│", so upstream's generic rule never found the
 * box and the agent never became ready; worse, that rule cuts at any ">"
 * among the last six lines, which a reply just above the box may hold.
 * So the box is found by its own shape first (auggie_box): from the
 * bottom, a rule with a "›" line somewhere above it whose own line above
 * is a rule; that top rule and everything under it go.  The echoed prompt
 * is "› text" with no rules around it, so it is never taken for the box.
 * Only when there is no such box does upstream's rule run, so the
 * rounded box of earlier releases ("│ › Try ...│", upstream's vectors)
 * is cut as before.
 *
 * While it works, " ⠴ Processing response... (3s • esc to interrupt)"
 * sits right above the box (the footer does not change); it keeps the
 * status running (.busy) and goes with the box from a message read
 * mid-turn.  A reply starts with "●"; Esc stops a turn ("Interrupted by
 * the user").  See tests/data/format/auggie-0.36.0.
 *
 * Its tool approval hides the box and ends the screen with a rounded box
 * ("Tool Approval Required", the command) over " [A]llow [D]eny": a
 * dialog (.box.dialog), kept whole, which the prompt detector reads as
 * lettered buttons answered by the letter.
 *
 * Upstream types "x\b" before the bracketed paste of every message (a
 * Claude Code workaround).  Auggie takes a chunk of several bytes as
 * text and drops the control characters in it, so the "x" stayed and
 * every prompt reached the model as "xHello"; a lone 0x08 is its
 * Backspace.  Its messages are the paste alone (.send_pre).
 */
#include <stddef.h>

#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

#define AUGGIE_PROMPT "\xe2\x80\xba" /* › U+203A */
/* The end of its busy line, "Processing response... (3s • esc to
 * interrupt)"; upstream's (2s • esc to interrupt) too. */
#define AUGGIE_BUSY "esc to interrupt)"
/* Its tool approval's last line, " [A]llow [D]eny", under a rounded box. */
#define AUGGIE_DIALOG "[A]llow"
/* Rules looked at from the bottom for the box's lower rule. */
#define AUGGIE_SCAN 8
/* The most lines of a typed input between the two rules. */
#define AUGGIE_ROWS 40
#define AUGGIE_TAIL (AUGGIE_SCAN + AUGGIE_ROWS + 2)

static int auggie_box(const char *, size_t, struct aa_buf *);
static int auggie_residue(const struct aa_line *);

/* 1 for a line left above the box: blank, or the busy line. */
static int
auggie_residue(const struct aa_line *l)
{
	return aa_text_is_blank(l->s, l->len) ||
	    aa_text_contains(l->s, l->len, AUGGIE_BUSY);
}

/*
 * Cuts the input box (rule, "›" lines, rule) and what is under it; else
 * upstream's generic rule, for the rounded box of earlier releases.
 */
static int
auggie_box(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_line v[AUGGIE_TAIL], t;
	size_t L, b, i, lo, c;

	L = aa_text_tail_lines(s, n, v, AUGGIE_TAIL);
	lo = L > AUGGIE_SCAN ? L - AUGGIE_SCAN : 0;
	for (b = L; b-- > lo;) {
		if (!aa_residue_is_rule(v[b].s, v[b].len))
			continue;
		/* The lower rule: the "›" line is above it, under a rule. */
		for (i = b; i-- > 1 && b - i <= AUGGIE_ROWS;) {
			if (aa_residue_is_rule(v[i].s, v[i].len))
				break;
			t = aa_text_trimmed(v[i].s, v[i].len);
			if (!aa_text_has_prefix(t.s, t.len, AUGGIE_PROMPT) ||
			    !aa_residue_is_rule(v[i - 1].s, v[i - 1].len))
				continue;
			/* The busy line above it goes too (mid-turn). */
			for (c = i - 1; c > 0 && auggie_residue(&v[c - 1]);)
				c--;
			/* Line 0 is the only one starting at 0. */
			return aa_buf_append(out, s, v[c].s == s ? 0 :
			    (size_t)(v[c].s - s) - 1);
		}
	}
	/* A tool approval hides the box: keep it whole, even when the
	 * command shows a '>' for upstream's rule to cut at. */
	for (b = L; b > 0 && aa_text_is_blank(v[b - 1].s, v[b - 1].len);)
		b--;
	if (b > 0 && aa_text_trim_starts(v[b - 1].s, v[b - 1].len,
	    AUGGIE_DIALOG))
		return aa_buf_append(out, s, n);
	return aa_format_box_generic(s, n, out);
}

/* A bracketed paste, without upstream's "x\b" in front (see above). */
static const char *const auggie_send_pre[] = { "\033[200~", NULL };

static const char *const auggie_aliases[] = { "auggie", NULL };

const struct aa_agent aa_agent_auggie = {
	.name = "auggie",
	.aliases = auggie_aliases,
	.echo = { NULL, NULL, 0 },
	.box = { .upstream = auggie_box, .dialog = AUGGIE_DIALOG },
	.diff_skip = 0,
	.start_input = NULL,
	.busy = { AUGGIE_BUSY, 8, NULL },
	.interrupt = "esc",
	.prompt_answer = "arrows",
	.send_pre = auggie_send_pre,
};
