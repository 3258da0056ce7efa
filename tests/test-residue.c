/*
 * test-residue.c - aa_residue_hold, which holds a blinking glyph lit so
 * that a screen waiting on a permission prompt can become stable (Claude
 * Code 2.1's "●" before a tool call), and the line tests of residue.h.
 */
#include "test.h"

#include "base/buf.h"
#include "core/residue.h"

#define DOT "\xe2\x97\x8f"

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
	ASSERT_EQ(aa_residue_has("ab \xc2\xb7 /effort", 13,
	    " \xc2\xb7 /effort"), 1);
	ASSERT_EQ(aa_residue_starts("  Worked for 1s", 15, "Worked for "), 1);
	ASSERT_EQ(aa_residue_starts("  Work", 6, "Worked for "), 0);
}
