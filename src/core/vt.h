/*
 * vt.h - aa_vt, the agent's terminal: bytes in, screen text out.
 *
 * aa_vt wraps libtsm 4.0.2 (screen + VTE) behind a small interface so the
 * emulator could be swapped.  A filter in front of libtsm answers the
 * queries libtsm mishandles (DECRQM, OSC 10/11/12/4 colour queries, DA3),
 * removes the sequences that make it misbehave (DECRQM and its other
 * 'p'-final look-alikes soft-reset it and drop the alternate screen),
 * replaces invalid UTF-8 by U+FFFD, and tracks the modes libtsm ignores
 * (bracketed paste ?2004, synchronized output ?2026).  The module is pure:
 * no I/O, no clock, no libuv.  Bytes the terminal answers to the agent go
 * to the reply callback, synchronously from aa_vt_feed, in stream order.
 *
 * Screen text: one line per row of the visible buffer (the alternate one
 * when active), each followed by "\n"; trailing spaces of a row removed; a
 * wide character printed once (its continuation cell skipped); always
 * valid UTF-8 without NUL bytes.
 */
#ifndef AA_VT_H
#define AA_VT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define AA_VT_DEFAULT_COLS 80
#define AA_VT_DEFAULT_ROWS 24
/* Bounds on the screen size, so a bad request cannot exhaust memory.  At
 * least 2 columns: libtsm 4.0.2's insert mode overruns a 1-column line
 * when a wide character is written (found by fuzz-vt). */
#define AA_VT_MIN_COLS 2
#define AA_VT_MAX_COLS 2000
#define AA_VT_MAX_ROWS 10000
#define AA_VT_MAX_CELLS (4u * 1024 * 1024)

struct aa_vt;

/* Bytes the terminal answers to the agent (DSR/CPR, DA, DECRQM, OSC). */
typedef void (*aa_vt_reply_fn)(void *ud, const char *bytes, size_t n);

struct aa_vt_options {
	unsigned cols, rows;  /* zero = 80x24 */
	aa_vt_reply_fn reply; /* may be NULL: replies are dropped */
	void *ud;
	const char *term;     /* the agent's TERM (XTGETTCAP), NULL: none */
};

/* Creates a terminal; returns 0, AA_EINVAL (bad size) or AA_ENOMEM. */
int aa_vt_new(struct aa_vt **out, const struct aa_vt_options *o);
/* Frees a terminal (NULL is fine). */
void aa_vt_free(struct aa_vt *vt);
/* Feeds output of the agent; any split of the stream gives one result. */
int aa_vt_feed(struct aa_vt *vt, const char *bytes, size_t n);
/* Resizes the screen (no reflow); returns 0 or AA_EINVAL. */
int aa_vt_resize(struct aa_vt *vt, unsigned cols, unsigned rows);
/* Appends the visible screen as text (format above) to out. */
int aa_vt_text(struct aa_vt *vt, struct aa_buf *out);
/* The same text without a copy: valid until the next aa_vt_feed,
 * aa_vt_resize or aa_vt_free. */
int aa_vt_text_ref(struct aa_vt *vt, const char **text, size_t *len);
/* The same text read the slow way, every cell through tsm_screen_draw,
 * uncached: the reference the tests and `make bench` compare with. */
int aa_vt_text_full(struct aa_vt *vt, struct aa_buf *out);
/* Non-zero when reads use libtsm's lines directly, re-rendering only the
 * rows that changed (vt-read.c's probe passed); zero when every read goes
 * through tsm_screen_draw. */
int aa_vt_direct(const struct aa_vt *vt);
/* A counter that changes whenever the visible screen may have changed. */
uint64_t aa_vt_age(const struct aa_vt *vt);
/* Non-zero when the agent enabled bracketed paste (?2004h). */
int aa_vt_bracketed_paste(const struct aa_vt *vt);
/* Non-zero inside synchronized output (?2026h .. ?2026l). */
int aa_vt_synchronized(const struct aa_vt *vt);
/* Non-zero while the cursor keys are in application mode (DECCKM). */
int aa_vt_app_cursor(const struct aa_vt *vt);
/* Non-zero while the alternate screen is shown. */
int aa_vt_alt_screen(const struct aa_vt *vt);
/* Non-zero while the agent hides the cursor (?25l). */
int aa_vt_cursor_hidden(const struct aa_vt *vt);
/* The cursor's cell, 0-based, clamped to the screen. */
void aa_vt_cursor(const struct aa_vt *vt, unsigned *x, unsigned *y);
/* The screen's width in cells. */
unsigned aa_vt_cols(const struct aa_vt *vt);
/* The screen's height in rows. */
unsigned aa_vt_rows(const struct aa_vt *vt);

#endif /* AA_VT_H */
