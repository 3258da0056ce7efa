/*
 * vtquery.h - the terminal queries aa_vt answers, as one table.
 *
 * TUIs ask their terminal things, and some stall or exit when nobody
 * answers: a TUI that exits when CSI 6 n goes unanswered, Codex waiting
 * on OSC 10/11.  Every query aa_vt answers is a row of the table below,
 * with the reply it gets; vt.c decodes only the sequences that could be
 * one (its fast path hands everything else to libtsm untouched), looks
 * them up here, cancels them on their way to libtsm and sends the reply.
 *
 *   DA1       CSI c, CSI 0 c       CSI ? 60;1;6;9;15 c (libtsm's own)
 *   DA2       CSI > c, CSI > 0 c   CSI > 1;1;0 c
 *   DA3       CSI = c, CSI = 0 c   DCS ! | 00000000 ST
 *   DSR       CSI 5 n              CSI 0 n
 *   CPR       CSI 6 n              CSI row;col R (1-based cursor)
 *   DECXCPR   CSI ? 6 n            CSI ? row;col;1 R
 *   XTVERSION CSI > q, CSI > 0 q   DCS > | agentapi-c VERSION ST
 *   DECRQM    CSI ? Ps $ p         CSI ? Ps;Pm $ y (1 set, 2 reset,
 *             CSI Ps $ p           CSI Ps;Pm $ y    0 unknown mode)
 *   KITTYKB   CSI ? u              CSI ? 0 u (no progressive keys)
 *   WINPX     CSI 14 t             CSI 4;rows*16;cols*8 t
 *   CELLPX    CSI 16 t             CSI 6;16;8 t
 *   WINCH     CSI 18 t             CSI 8;rows;cols t
 *   SCREENCH  CSI 19 t             CSI 9;rows;cols t
 *   OSC 10    OSC 10;? BEL|ST      OSC 10;rgb:e5e5/e5e5/e5e5 BEL|ST
 *   OSC 11    OSC 11;? BEL|ST      OSC 11;rgb:0000/0000/0000 BEL|ST
 *   OSC 12    OSC 12;? BEL|ST      OSC 12;rgb:e5e5/e5e5/e5e5 BEL|ST
 *   OSC 4     OSC 4;n;? BEL|ST     OSC 4;n;rgb:... BEL|ST (xterm palette)
 *   XTGETTCAP DCS + q hex;hex ST   DCS 1 + r hex=hexvalue ST per name
 *                                  known: TN (the agent's TERM), Co and
 *                                  colors (256, when TERM says 256color);
 *                                  DCS 0 + r hex ST for the others (RGB:
 *                                  no COLORTERM is set, no truecolor is
 *                                  claimed), DCS 0 + r ST if not hex
 *   DECRQSS   DCS $ q m ST         DCS 1 $ r 0 m ST (see below)
 *   (SGR, DECSCUSR, DECSTBM)
 *             DCS $ q SP q ST      DCS 1 $ r Ps SP q ST (the last DECSCUSR)
 *             DCS $ q r ST         DCS 1 $ r top;bottom r ST (libtsm's
 *                                  margins), DCS 0 $ r ST for the rest
 *
 * A cell is reported as 8 x 16 pixels: there are no pixels, and a TUI
 * that sizes images from them needs some.  OSC replies end as the query
 * did (BEL or ST); xterm's chained forms (OSC 10;?;? asks for 10 and 11,
 * OSC 4;1;?;2;? for two entries) get one reply per item.  A DCS query
 * is answered once its ST has come; vt.c collects at most
 * AA_VTQ_DCS_MAX bytes of it and drops a longer one unanswered.  DECRQSS
 * SGR reports the default rendition whatever the pen: the pen is libtsm's
 * private state, and the screen text we serve carries no attributes, so
 * an agent that probes for a colour it set (Neovim's truecolor check) is
 * told, truly, that it was not kept.  Pure: no libtsm, no I/O; vt.c
 * passes the state a reply needs.
 */
#ifndef AA_VTQUERY_H
#define AA_VTQUERY_H

#include <stddef.h>
#include <stdint.h>

/* Longest reply of one row (one OSC item, one CSI query, one XTGETTCAP
 * name: a TERM of AA_VTQ_TERM_MAX bytes in hex fits). */
#define AA_VTQ_REPLY_MAX 160
/* Longest TERM name reported (XTGETTCAP TN); a longer one is not. */
#define AA_VTQ_TERM_MAX 63
/* Longest DCS payload answered (introducer and ST excluded). */
#define AA_VTQ_DCS_MAX 256

/* What a reply may report: the terminal's state at the query. */
struct aa_vtq_term {
	unsigned cols, rows;	/* screen size in cells */
	unsigned x, y;		/* cursor, 0-based */
	/* Modes, 1 set or 0 reset. */
	int app_cursor;		/* DECCKM, ?1 */
	int origin;		/* DECOM, ?6 */
	int autowrap;		/* DECAWM, ?7 */
	int cursor_visible;	/* DECTCEM, ?25 */
	int alternate;		/* ?47, ?1047, ?1049 */
	int bracketed;		/* ?2004 */
	int sync;		/* ?2026, synchronized output */
	int insert;		/* IRM, ANSI 4 */
	const char *term;	/* the agent's TERM, NULL: unknown */
	int cursor_style;	/* the last DECSCUSR Ps (0 reported as 1) */
	int margins_known;	/* the scroll region below could be read */
	unsigned margin_top, margin_bottom; /* 0-based, inclusive */
};

/* A complete CSI sequence, as the filter collected it. */
struct aa_vtq_csi {
	int prefix;		/* private marker '<' '=' '>' '?', or 0 */
	int inter;		/* '$', 0 for none, -1 for any other */
	unsigned argc;		/* parameters, missing ones are -1 */
	const int *argv;
	uint32_t final;
};

enum aa_vtq_kind {
	AA_VTQ_CSI,
	AA_VTQ_OSC,
	AA_VTQ_DCS
};

/* Matches the first parameter: none or 0, or any value. */
#define AA_VTQ_ARG_ZERO (-1)
#define AA_VTQ_ARG_ANY (-2)

/* One row of the table. */
struct aa_vtq_row {
	const char *name;	/* "DA1", "OSC 11", ... */
	enum aa_vtq_kind kind;
	int prefix;		/* CSI: private marker or 0 */
	int inter;		/* CSI: '$' or 0 */
	uint32_t final;		/* CSI: final byte */
	int arg;		/* CSI: first parameter, or AA_VTQ_ARG_*;
				 * OSC: its number (10, 11, 12, 4) */
	/* Writes the reply into out (AA_VTQ_REPLY_MAX bytes); returns its
	 * length, 0 for none.  item is the OSC 4 palette index or the
	 * XTGETTCAP capability, else 0; bel says whether an OSC query ended
	 * with BEL (1) or ST (0). */
	size_t (*reply)(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
	    int item, int bel, char *out);
	/* DCS: the payload ("$qm"), or its start for XTGETTCAP ("+q"). */
	const char *dcs;
};

/* The table, *n rows. */
const struct aa_vtq_row *aa_vtq_table(size_t *n);
/* The row answering CSI sequence q, or NULL when it is no query here. */
const struct aa_vtq_row *aa_vtq_find_csi(const struct aa_vtq_csi *q);
/* Writes row r's reply to q into out (AA_VTQ_REPLY_MAX bytes). */
size_t aa_vtq_reply_csi(const struct aa_vtq_row *r,
    const struct aa_vtq_csi *q, const struct aa_vtq_term *t, char *out);
/*
 * Answers the colour queries of one finished OSC payload p (NUL-
 * terminated, without the introducer and terminator), calling emit once
 * per reply, in order; bel: the OSC ended with BEL rather than ST.
 * Returns the number of replies.
 */
size_t aa_vtq_osc(const char *p, int bel,
    void (*emit)(void *ud, const char *reply, size_t n), void *ud);
/*
 * Answers one finished DCS payload p (NUL-terminated, after the
 * introducer, before ST: "+q544e", "$qm"): XTGETTCAP gets one reply per
 * name, DECRQSS one; anything else none.  Returns the number of replies.
 */
size_t aa_vtq_dcs(const char *p, const struct aa_vtq_term *t,
    void (*emit)(void *ud, const char *reply, size_t n), void *ud);

#endif /* AA_VTQUERY_H */
