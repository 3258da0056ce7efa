/*
 * residue.h - aa_residue, what today's agent TUIs draw that upstream's
 * rules (../shared/spec/core.md §4.3) do not remove: turn summaries
 * ("✻ Brewed for 3s · done 4:49 AM", "Worked for 2s • 04:50"), hint
 * lines, the rules of half-block input boxes, input boxes of a newer
 * layout than upstream knows, permission dialogs and scrollbars.
 *
 * Each agent describes these as data in its descriptor (struct
 * aa_residue_rules, core/agent.h): line predicates by kind, marker
 * strings, a layout fallback.  aa_residue_box is the one combinator that
 * reads them: upstream's remover, else today's layout, then the residue
 * at either end of what is left.  aa_residue_hold undoes a blinking glyph
 * (Claude Code's "●" while a tool call waits), which would otherwise
 * keep the screen from ever being stable.  Pure code, no state.
 */
#ifndef AA_RESIDUE_H
#define AA_RESIDUE_H

#include <stddef.h>

#include "base/buf.h"
#include "core/format.h"

/* What a line predicate asks of the line's shape. */
enum aa_residue_kind {
	AA_RESIDUE_TEXT = 0,	/* any line; only starts and has apply */
	AA_RESIDUE_RULE,	/* a rule: aa_residue_is_rule */
};

/*
 * One line predicate, as data: the line is of the kind and, where set,
 * starts with starts once trimmed and contains has.  An array of them
 * ends with an all-zero entry and matches a line when any entry does.
 */
struct aa_residue_match {
	enum aa_residue_kind kind;
	const char *starts;
	const char *has;
};

/*
 * Today's input box, for when upstream's remover finds none.  The box is
 * found from the bottom: with a bottom edge, the bottom-most line among
 * the last scan lines that starts with bottom (trimmed), then the nearest
 * line above it, at most rows up, that starts with top; without one, the
 * bottom-most line among the last scan that starts with top and has at
 * least under lines below it.  The box and everything under it go.
 */
struct aa_residue_layout {
	const char *top;	/* NULL: the agent has no layout fallback */
	const char *bottom;	/* NULL: the box is its top line */
	unsigned scan;
	unsigned rows;
	unsigned under;
	/* The line right above the box, indented by one space, goes too. */
	int caption;
	/* Once the box is found: the scrollbar down the right edge of every
	 * non-blank line is cut off, with the padding before it; or NULL. */
	const char *scrollbar;
};

/* After which remover the lead and trail residue go (aa_residue_rules). */
#define AA_RESIDUE_AFTER_UPSTREAM 0x1u
#define AA_RESIDUE_AFTER_LAYOUT 0x2u

/*
 * An agent's input-box removal.  upstream is upstream's remover (§4.3),
 * NULL for the generic one; if it removes nothing, layout is tried.  After a remover in trim has
 * removed something, leading lines that are blank or match lead and
 * trailing lines that are blank or match trail go too.  If dialog is set
 * and the screen's last non-blank line starts with it while none of the
 * last six lines holds upstream's '>', the screen shows a dialog, not an
 * input box: nothing is cut but the lead at the top.
 */
struct aa_residue_rules {
	aa_format_box_fn upstream;
	struct aa_residue_layout layout;
	unsigned trim;
	const struct aa_residue_match *lead;
	const struct aa_residue_match *trail;
	const char *dialog;
};

/* Appends s without its input box and residue, by rules (see above).
 * Returns 0 or AA_ENOMEM. */
int aa_residue_box(const struct aa_residue_rules *rules, const char *s,
    size_t n, struct aa_buf *out);
/* 1 if one line (without its "\n") matches any entry of m (may be NULL). */
int aa_residue_match(const struct aa_residue_match *m, const char *s,
    size_t n);
/*
 * Writes the screen cur to out with blinking glyphs held lit: a line of
 * cur that is the same row of old with its first non-space glyph, which
 * was glyph (a NUL-terminated UTF-8 string), turned into one space gets
 * the glyph back.  Returns 0 or AA_ENOMEM.
 */
int aa_residue_hold(const char *glyph, const char *old, size_t oldlen,
    const char *cur, size_t curlen, struct aa_buf *out);
/* 1 if the line is at least 15 cells of ─ ━ ▄ ▀ and spaces only. */
int aa_residue_is_rule(const char *s, size_t n);

#endif /* AA_RESIDUE_H */
