/*
 * test-residue.c - aa_residue_hold, which holds a blinking glyph lit so
 * that a screen waiting on a permission prompt can become stable (Claude
 * Code 2.1's "●" before a tool call); the line predicates of residue.h;
 * and aa_residue_box, the combinator every agent's box rules drive, on
 * each of its paths (upstream, layout, residue, dialog, scrollbar).
 */
#include "test.h"

#include "base/buf.h"
#include "core/format.h"
#include "core/residue.h"

#define DOT "\xe2\x97\x8f"
/* A rule of 15 x U+2500. */
#define RULE15                                                                 \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"         \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"         \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"

/* Runs aa_residue_hold and returns the result in b. */
static const char *
hold(struct aa_buf *b, const char *old, const char *cur)
{
	aa_buf_reset(b);
	if (aa_residue_hold(DOT, old, strlen(old), cur, strlen(cur), b) != 0)
		return NULL;
	return aa_buf_str(b);
}

TEST(residue_hold_restores_blinked_glyph)
{
	struct aa_buf b;
	const char *old = "top\n" DOT " Printing a marker   \n"
	    "  \xe2\x8e\xbf  $ x\n";
	const char *cur = "top\n  Printing a marker   \n"
	    "  \xe2\x8e\xbf  $ x\n";

	aa_buf_init(&b);
	ASSERT_STR_EQ(hold(&b, old, cur), old);
	/* Indented tool calls blink too. */
	ASSERT_STR_EQ(hold(&b, "    " DOT " Sub\n", "      Sub\n"),
	    "    " DOT " Sub\n");
	aa_buf_release(&b);
}

TEST(residue_hold_keeps_real_changes)
{
	struct aa_buf b;

	aa_buf_init(&b);
	/* The rest of the line changed: not a blink. */
	ASSERT_STR_EQ(hold(&b, DOT " Running x\n", "  Running y\n"),
	    "  Running y\n");
	/* Another glyph, or a glyph that is not at the line start. */
	ASSERT_STR_EQ(hold(&b, "\xe2\x9c\xbb Done\n", "  Done\n"),
	    "  Done\n");
	ASSERT_STR_EQ(hold(&b, "a " DOT " b\n", "a   b\n"), "a   b\n");
	/* Lit again, or new rows: the current screen as it is. */
	ASSERT_STR_EQ(hold(&b, "  Sub\n", DOT " Sub\n"), DOT " Sub\n");
	ASSERT_STR_EQ(hold(&b, "", "  Sub\nmore"), "  Sub\nmore");
	ASSERT_STR_EQ(hold(&b, DOT " A\n" DOT " B", "  A"), DOT " A");
	aa_buf_release(&b);
}

TEST(residue_line_tests)
{
	ASSERT_EQ(aa_residue_is_rule("\xe2\x94\x80\xe2\x94\x80", 6), 0);
	ASSERT_EQ(aa_residue_is_rule(RULE15, strlen(RULE15)), 1);
	ASSERT_EQ(aa_residue_is_rule("  " RULE15 "  ", strlen(RULE15) + 4), 1);
	ASSERT_EQ(aa_residue_is_rule(RULE15 "x", strlen(RULE15) + 1), 0);
}

/* Lines like Claude Code's turn summary and effort hint. */
static const struct aa_residue_match summary[] = {
	{ AA_RESIDUE_TEXT, NULL, " \xc2\xb7 /effort" },
	{ AA_RESIDUE_TEXT, "\xe2\x9c\xbb ", " for " },
	{ 0 },
};

static const struct aa_residue_match rule_only[] = {
	{ AA_RESIDUE_RULE, NULL, NULL },
	{ 0 },
};

/* Runs aa_residue_match on a C string. */
static int
match(const struct aa_residue_match *m, const char *s)
{
	return aa_residue_match(m, s, strlen(s));
}

TEST(residue_match_is_any_of_all_of)
{
	/* An entry is a conjunction; the array a disjunction. */
	ASSERT_EQ(match(summary, "ab \xc2\xb7 /effort"), 1);
	ASSERT_EQ(match(summary, "  \xe2\x9c\xbb Brewed for 3s"), 1);
	ASSERT_EQ(match(summary, "\xe2\x9c\xbb Brewing"), 0);
	ASSERT_EQ(match(summary, "Brewed for 3s"), 0);
	/* starts is tested on the trimmed line, has anywhere. */
	ASSERT_EQ(match(summary, "x \xe2\x9c\xbb Brewed for 3s"), 0);
	ASSERT_EQ(match(rule_only, RULE15), 1);
	ASSERT_EQ(match(rule_only, "text"), 0);
	/* No predicates match nothing. */
	ASSERT_EQ(match(NULL, "anything"), 0);
	{
		static const struct aa_residue_match none[] = { { 0 } };

		ASSERT_EQ(match(none, ""), 0);
	}
}

/* Runs aa_residue_box on a C string and compares the result. */
static void
check_box(const struct aa_residue_rules *r, const char *in, const char *want)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_buf_puts(&out, "|"), 0);
	ASSERT_EQ(aa_residue_box(r, in, strlen(in), &out), 0);
	/* The combinator appends to what out holds. */
	ASSERT_STR_EQ(aa_buf_str(&out) + 1, want);
	ASSERT_EQ(out.data[0], '|');
	aa_buf_release(&out);
}

TEST(residue_box_trims_after_the_chosen_remover)
{
	struct aa_residue_rules r = {
		.upstream = aa_format_box_generic,
		.trail = summary,
		.lead = rule_only,
	};
	const char *in = RULE15 "\nreply\n\n\xe2\x9c\xbb Baked for 1s\n> ";

	/* Without trim: upstream's remover alone. */
	check_box(&r, in, RULE15 "\nreply\n\n\xe2\x9c\xbb Baked for 1s");
	r.trim = AA_RESIDUE_AFTER_LAYOUT;
	check_box(&r, in, RULE15 "\nreply\n\n\xe2\x9c\xbb Baked for 1s");
	/* After upstream: lead and trail residue and blanks go. */
	r.trim = AA_RESIDUE_AFTER_UPSTREAM;
	check_box(&r, in, "reply");
	/* Residue goes only once a box was found. */
	check_box(&r, "reply\n\xe2\x9c\xbb Baked for 1s",
	    "reply\n\xe2\x9c\xbb Baked for 1s");
	/* All-zero rules are upstream's generic remover. */
	{
		static const struct aa_residue_rules zero;

		check_box(&zero, "reply\n> ", "reply");
		check_box(&zero, "reply\nmore", "reply\nmore");
	}
}

TEST(residue_box_layout_one_line)
{
	/* Codex 0.169's shape: a composer line with two lines under it. */
	struct aa_residue_rules r = {
		.upstream = aa_format_box_generic,
		.layout = { .top = "\xe2\x80\xba", .scan = 6, .under = 2 },
		.trim = AA_RESIDUE_AFTER_LAYOUT,
		.trail = summary,
	};

	check_box(&r, "reply\n\xe2\x9c\xbb Baked for 1s\n\n"
	    "\xe2\x80\xba type\n\nstatus\nfooter", "reply");
	/* One line under the composer is not enough. */
	check_box(&r, "reply\n\xe2\x80\xba type\nfooter",
	    "reply\n\xe2\x80\xba type\nfooter");
	/* Further up than scan lines from the bottom: not found. */
	check_box(&r, "reply\n\xe2\x80\xba type\n1\n2\n3\n4\n5\n6",
	    "reply\n\xe2\x80\xba type\n1\n2\n3\n4\n5\n6");
	/* Upstream's remover wins when it finds its box. */
	check_box(&r, "reply\n\xe2\x80\xba old\n\n\n> \n",
	    "reply\n\xe2\x80\xba old\n\n");
}

TEST(residue_box_layout_edges_caption_scrollbar)
{
	/* Copilot 1.0's shape: half-block edges, a folder caption above. */
	struct aa_residue_rules r = {
		.upstream = aa_format_box_generic,
		.layout = {
			.top = "\xe2\x95\xbb\xe2\x96\x84",
			.bottom = "\xe2\x95\xb9\xe2\x96\x80",
			.scan = 8,
			.rows = 12,
			.caption = 1,
			.scrollbar = "\xe2\x94\x83",
		},
		.trim = AA_RESIDUE_AFTER_LAYOUT,
	};

	check_box(&r, "reply\n\n ~/src\n\xe2\x95\xbb\xe2\x96\x84\xe2\x96\x84\n"
	    "\xe2\x94\x83 text\n\xe2\x95\xb9\xe2\x96\x80\xe2\x96\x80\nfooter",
	    "reply");
	/* A line indented by two spaces is no caption. */
	check_box(&r, "reply\n  two\n\xe2\x95\xbb\xe2\x96\x84\n"
	    "\xe2\x95\xb9\xe2\x96\x80\nfooter", "reply\n  two");
	/* A bottom edge with no top edge above: nothing is cut. */
	check_box(&r, "reply\n\xe2\x95\xb9\xe2\x96\x80\nfooter",
	    "reply\n\xe2\x95\xb9\xe2\x96\x80\nfooter");
	/* The scrollbar comes off every line once the box is found. */
	check_box(&r, "one   \xe2\x94\x83\n\ntwo \xe2\x94\x83\n"
	    "\xe2\x95\xbb\xe2\x96\x84\n\xe2\x95\xb9\xe2\x96\x80",
	    "one\n\ntwo");
	/* ...but only if every non-blank line has it. */
	check_box(&r, "one   \xe2\x94\x83\ntwo\n"
	    "\xe2\x95\xbb\xe2\x96\x84\n\xe2\x95\xb9\xe2\x96\x80",
	    "one   \xe2\x94\x83\ntwo");
}

TEST(residue_box_dialog_keeps_all_but_the_lead)
{
	/* Gemini 0.61's permission dialog: a rounded box ends the screen. */
	struct aa_residue_rules r = {
		.upstream = aa_format_box_generic,
		.trim = AA_RESIDUE_AFTER_UPSTREAM,
		.lead = rule_only,
		.dialog = "\xe2\x95\xb0",
	};

	check_box(&r, "\n" RULE15 "\nAllow?\n\xe2\x94\x82 " RULE15
	    " \xe2\x94\x82\n\xe2\x95\xb0\xe2\x94\x80\xe2\x95\xaf\n",
	    "Allow?\n\xe2\x94\x82 " RULE15 " \xe2\x94\x82\n"
	    "\xe2\x95\xb0\xe2\x94\x80\xe2\x95\xaf\n");
	/* A '>' among the last six lines: the input box, not a dialog. */
	check_box(&r, RULE15 "\nreply\n> \n\xe2\x95\xb0\xe2\x94\x80",
	    "reply");
}
