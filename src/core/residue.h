/*
 * residue.h - aa_residue, what today's agent TUIs leave around a reply
 * that upstream's rules (../shared/spec/core.md §4.3) do not remove: turn
 * summaries ("✻ Brewed for 3s · done 4:49 AM", "Worked for 2s • 04:50"),
 * hint lines and the rules of half-block input boxes.
 *
 * The agents in agents/ wrap their input-box remover with these: once the
 * upstream remover has found the input box, residue lines at either end of
 * what is left are dropped too.  aa_residue_hold undoes a blinking glyph
 * (Claude Code's "●" while a tool call waits), which would otherwise keep
 * the screen from ever being stable.  Pure code, no state.
 */
#ifndef AA_RESIDUE_H
#define AA_RESIDUE_H

#include <stddef.h>

#include "base/buf.h"
#include "core/format.h"

/* Tells whether one line (without its "\n") is residue: 1 or 0. */
typedef int (*aa_residue_fn)(const char *s, size_t n);

/*
 * Runs box on s into out; if it removed anything, also drops leading lines
 * for which lead (may be NULL) and trailing lines for which trail (may be
 * NULL) returns 1, together with blank lines at both ends.  If box removed
 * nothing, out is what box wrote.  Returns 0 or AA_ENOMEM.
 */
int aa_residue_box(aa_format_box_fn box, aa_residue_fn lead,
    aa_residue_fn trail, const char *s, size_t n, struct aa_buf *out);
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
/* 1 if the line contains needle (a NUL-terminated string). */
int aa_residue_has(const char *s, size_t n, const char *needle);
/* 1 if the line, trimmed, starts with prefix. */
int aa_residue_starts(const char *s, size_t n, const char *prefix);

#endif /* AA_RESIDUE_H */
