/*
 * vt-read.h - the row reader: screen text out of libtsm's screen, private
 * to module vt (vt.c owns one per terminal, vt-read.c implements it).
 *
 * The reader keeps where each row of the cached text starts and which
 * libtsm line it showed, so a read re-renders only the rows that changed.
 * Its caller owns the libtsm screen and the cached text and hands both to
 * every read.
 */
#ifndef AA_VT_READ_H
#define AA_VT_READ_H

#include <stddef.h>

#include <libtsm.h>

#include "base/buf.h"

/* libtsm 4.0.2's line, mirrored in vt-read.c. */
struct vt_tsm_line;

struct aa_vt_reader {
	int direct;        /* libtsm's layout checked: read rows directly */
	int rows_ok;       /* the row cache below describes the text */
	unsigned nrows, ncols;
	size_t *row_off;   /* nrows + 1 offsets of the rows in the text */
	const struct vt_tsm_line **row_line; /* the line each row showed */
	tsm_age_t seen;    /* libtsm's age counter at that read */
	struct aa_buf row; /* one row being rendered */
};

/* Initializes a reader that reads through tsm_screen_draw until
 * aa_vt_reader_check says libtsm's lines can be read directly. */
void aa_vt_reader_init(struct aa_vt_reader *r);
/* Frees what the reader holds. */
void aa_vt_reader_release(struct aa_vt_reader *r);
/* Non-zero if libtsm's lines can be read directly (the layout probe
 * passed and scr's header reads as the mirror says). */
int aa_vt_reader_check(struct tsm_screen *scr);
/* Forgets the row cache: the next read renders every row (after a resize,
 * as libtsm reallocates lines in place). */
void aa_vt_reader_forget(struct aa_vt_reader *r);
/*
 * Brings text, the screen text of scr last read by this reader, up to
 * date (the format of vt.h).  Returns 0 or AA_ENOMEM; on an error the
 * text is left empty and the row cache forgotten.
 */
int aa_vt_reader_read(struct aa_vt_reader *r, struct tsm_screen *scr,
    struct aa_buf *text);
/* The scroll region (0-based, inclusive) from libtsm's screen, which
 * keeps it privately: 0, or -1 when its layout is not checked (direct 0). */
int aa_vt_reader_margins(int direct, struct tsm_screen *scr, unsigned *top,
    unsigned *bottom);
/* Appends the whole screen to b through tsm_screen_draw, uncached. */
int aa_vt_draw_full(struct tsm_screen *scr, struct aa_buf *b);

#endif /* AA_VT_READ_H */
