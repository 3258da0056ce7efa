/*
 * vt.c - aa_vt: libtsm 4.0.2 behind a query filter (../shared/spec/deps.md
 * §2, core.md §1.4-§1.5).
 *
 * Every byte of the agent's output passes through a small filter before
 * libtsm sees it.  The filter decodes UTF-8 itself (invalid bytes become
 * U+FFFD, one per byte as Go does, so libtsm's decoder, which swallows the
 * byte after an invalid sequence, only ever sees valid UTF-8) and mirrors
 * libtsm's escape-sequence parser closely enough to know, for every code
 * point, which state libtsm is in.  Most bytes are forwarded untouched, in
 * runs, straight from the caller's buffer; in the ground state printable
 * text, valid UTF-8 and ordinary CSI sequences (SGR, cursor moves,
 * erases) are skipped over without decoding (vt_utf8_plain,
 * vt_csi_plain), so only the sequences the filter answers or strips, and
 * whatever is cut by the end of a feed, take the per-code-point path.  The filter changes the stream
 * in only three ways:
 *
 *   - the final byte of a CSI sequence libtsm would misexecute is replaced
 *     by CAN, which makes libtsm drop the sequence silently: every 'p'
 *     final but DECSTR (DECRQM, XTSMPOINTER, DECSCL soft-reset libtsm and
 *     drop the alternate screen), 'm' and 'r' with a private marker
 *     (CSI > 4;1 m would underline, CSI ? 1 r set a scroll region), and
 *     the queries the table answers.  SCOSC/SCORC (CSI s, CSI u), which
 *     libtsm lacks, become DECSC/DECRC.  Nothing has to be held back, so
 *     a sequence split across feeds behaves exactly as one feed, and the
 *     filter keeps no pending bytes except an incomplete UTF-8 sequence
 *     (at most 3 bytes) at the end of a feed;
 *   - ENQ is dropped (libtsm would answer it with ACK, which an agent
 *     reads as a Ctrl-F key press);
 *   - invalid UTF-8 is replaced.
 *
 * The filter answers the terminal queries of one table (core/vtquery.h:
 * DA1-3, DSR, CPR, XTVERSION, DECRQM with the real state of the modes it
 * or libtsm know, the kitty keyboard query, window sizes, OSC 10/11/12
 * and OSC 4 colours), cancelling them on their way to libtsm (CSI 'n'
 * finals the table lacks are dropped too: libtsm would answer them as
 * DSR).  It flushes the bytes before the query to libtsm first, so the
 * reply reports the state after them and reaches the agent in stream
 * order.  Anything libtsm still answers arrives through its write
 * callback, synchronously, and goes to the same reply callback.
 *
 * Screen text costs in proportion to what changed.  tsm_screen_draw, the
 * emulator's only public way to read cells, walks and calls back for every
 * cell (7 M instructions at 80x1000 before our callback does anything), so
 * the rows are read from libtsm's own line array instead, whose layout in
 * 4.0.2 is mirrored below and checked twice: at compile time against the
 * offsets its binary uses, at aa_vt_new on a probe screen against
 * tsm_screen_draw.  libtsm stamps every cell it writes or erases with an
 * age (a counter it bumps per operation), blank cells it inserts too
 * (insert/delete characters), and it moves whole line objects to scroll,
 * insert or delete lines and to switch to the alternate screen.  A read
 * re-renders only the rows whose line object moved or whose cells or line
 * are as new as the last read, and splices them into the cached text in
 * place; the rest stays as it was.  (libtsm's screen-wide age is of no
 * use: every erase sets it.)  What the
 * ages cannot vouch for (a counter that wrapped, a resize, a scrollback
 * view, a combined symbol) reads all rows.  If the probe fails, every read
 * goes through tsm_screen_draw.
 * aa_vt_text_full keeps that path for the tests that prove both agree.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtsm.h>

#include "base/aa-internal.h"
#include "base/text.h"
#include "core/vt.h"
#include "core/vtquery.h"

/*
 * libtsm 4.0.2's cell, line and screen (libtsm-int.h, not installed), as
 * far as the row reader needs them.  The offsets are those the 4.0.2
 * binary uses (tsm_screen_get_width reads 0x44, tsm_screen_draw steps
 * cells by 32 bytes and reads a line's cells at 0x18, ...).
 */
struct vt_tsm_cell {
	uint32_t ch; /* a code point, or a combined symbol above UCS4_MAX */
	unsigned int width;
	struct tsm_screen_attr attr;
	tsm_age_t age;
};

struct vt_tsm_line {
	void *next, *prev;
	unsigned int size; /* cells allocated; beyond them the row is blank */
	struct vt_tsm_cell *cells;
	uint64_t sb_id;
	tsm_age_t age;
};

struct vt_tsm_screen {
	size_t ref;
	void *llog, *llog_data;
	unsigned int opts, flags;
	void *sym_table;
	struct tsm_screen_attr def_attr;
	tsm_age_t age_cnt;
	unsigned int age_reset : 1;
	unsigned int size_x, size_y, margin_top, margin_bottom, line_num;
	struct vt_tsm_line **lines, **main_lines, **alt_lines;
	tsm_age_t age;
	unsigned int sb_count;
	void *sb_first, *sb_last;
	unsigned int sb_max;
	void *sb_pos;
	uint64_t sb_last_id;
	unsigned int cursor_x, cursor_y;
};

_Static_assert(sizeof(struct vt_tsm_cell) == 32 &&
    offsetof(struct vt_tsm_cell, age) == 24, "libtsm 4.0.2 cell");
_Static_assert(offsetof(struct vt_tsm_line, size) == 0x10 &&
    offsetof(struct vt_tsm_line, cells) == 0x18 &&
    offsetof(struct vt_tsm_line, age) == 0x28, "libtsm 4.0.2 line");
_Static_assert(offsetof(struct vt_tsm_screen, flags) == 0x1c &&
    offsetof(struct vt_tsm_screen, age_cnt) == 0x38 &&
    offsetof(struct vt_tsm_screen, size_x) == 0x44 &&
    offsetof(struct vt_tsm_screen, lines) == 0x58 &&
    offsetof(struct vt_tsm_screen, age) == 0x70 &&
    offsetof(struct vt_tsm_screen, sb_pos) == 0x98 &&
    offsetof(struct vt_tsm_screen, cursor_x) == 0xa8 &&
    offsetof(struct vt_tsm_screen, cursor_y) == 0xac, "libtsm 4.0.2 screen");

/* Symbols above this are combined characters, kept in a table of
 * libtsm's own that it does not export. */
#define VT_TSM_UCS4_MAX 0x7fffffffu

/* Changed rows spliced into the cached text one by one; more are read
 * afresh (each splice moves the text after the row). */
#define VT_SPLICE_MAX 64

/* The filter's view of libtsm's parser state. */
enum vt_state {
	VT_GROUND, /* also DCS/SOS/PM/APC strings: nothing to watch there */
	VT_ESC,
	VT_ESC_INT,
	VT_CSI_ENTRY,
	VT_CSI_PARAM,
	VT_CSI_INT,
	VT_CSI_IGNORE,
	VT_OSC
};

/* What happens to the code point just parsed. */
enum vt_verdict {
	VT_PASS, /* forward it unchanged */
	VT_SKIP  /* do not forward it (the filter replaced or dropped it) */
};

/* libtsm's CSI flags (do_collect), so dispatch decisions match its own. */
#define VT_F_BANG 0x0001
#define VT_F_CASH 0x0002
#define VT_F_WHAT 0x0004
#define VT_F_GT 0x0008
#define VT_F_SPACE 0x0010
#define VT_F_SQUOTE 0x0020
#define VT_F_DQUOTE 0x0040
#define VT_F_MULT 0x0080
#define VT_F_PLUS 0x0100
#define VT_F_POPEN 0x0200
#define VT_F_PCLOSE 0x0400

#define VT_CSI_ARGS 16   /* libtsm's CSI_ARG_MAX */
#define VT_OSC_MAX 64    /* enough for any colour query we answer */

/* Modes the filter tracks because libtsm ignores them. */
#define VT_MODE_BRACKETED 0x01
#define VT_MODE_SYNC 0x02
/* DECCKM, which libtsm keeps privately: the keys we type follow it. */
#define VT_MODE_APP_CURSOR 0x04

struct aa_vt {
	struct tsm_screen *scr;
	struct tsm_vte *vte;
	aa_vt_reply_fn reply;
	void *ud;

	uint64_t age;      /* bumped by every feed that reached libtsm */
	uint64_t text_age; /* age of the cached text */
	int text_ok;       /* the cache is filled */
	struct aa_buf text;

	/* The row reader (see the top of the file). */
	int direct;        /* libtsm's layout checked: read rows directly */
	int rows_ok;       /* the row cache below describes text */
	unsigned nrows, ncols;
	size_t *row_off;   /* nrows + 1 offsets of the rows in text */
	const struct vt_tsm_line **row_line; /* the line each row showed */
	tsm_age_t seen;    /* libtsm's age counter at that read */
	struct aa_buf row; /* one row being rendered */

	/* Filter state, carried across feeds. */
	enum vt_state state;
	unsigned flags;  /* collected CSI flags (libtsm's set) */
	int prefix;      /* private marker '<' '=' '>' '?' at CSI entry */
	unsigned argc;
	int argv[VT_CSI_ARGS];
	char osc[VT_OSC_MAX];
	size_t osc_len;
	int osc_over;
	unsigned modes;
	unsigned char pend[4]; /* incomplete UTF-8 sequence ending a feed */
	size_t pend_len;

	/* The run being filtered: bytes [run_start, run_pos) not yet sent. */
	const char *run;
	size_t run_start, run_pos;
	int fed;
};

/* The state of one tsm_screen_draw pass. */
struct vt_draw {
	struct aa_buf *b;
	unsigned row;       /* row being written */
	size_t keep;        /* length of the row without trailing spaces */
	unsigned wide_next; /* column right after the last wide character */
	size_t wide_off;    /* where that character's bytes start */
	size_t wide_keep;   /* keep before that character */
	int err;
};


static int vt_direct_probe(void);
static int vt_direct_sane(struct tsm_screen *scr);

/* Hands bytes to libtsm. */
static void
vt_forward(struct aa_vt *vt, const char *p, size_t n)
{
	if (n == 0)
		return;
	tsm_vte_input(vt->vte, p, n);
	vt->fed = 1;
}

/* Forwards the part of the current run that was parsed but not yet sent. */
static void
vt_flush(struct aa_vt *vt)
{
	vt_forward(vt, vt->run + vt->run_start, vt->run_pos - vt->run_start);
	vt->run_start = vt->run_pos;
}

/* Sends bytes to the agent, after everything before them reached libtsm. */
static void
vt_answer(struct aa_vt *vt, const char *p, size_t n)
{
	vt_flush(vt);
	if (vt->reply != NULL && n > 0)
		vt->reply(vt->ud, p, n);
}

/* Replaces the code point being parsed (a CSI final) by CAN, so libtsm
 * abandons the sequence, and optionally injects bytes after it. */
static enum vt_verdict
vt_cancel(struct aa_vt *vt, const char *inject)
{
	vt_flush(vt);
	vt_forward(vt, "\x18", 1);
	if (inject != NULL)
		vt_forward(vt, inject, strlen(inject));
	return VT_SKIP;
}

/* libtsm's write callback: whatever it still answers itself. */
static void
vt_tsm_write(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
	struct aa_vt *vt = data;

	(void)vte;
	if (vt->reply != NULL && len > 0)
		vt->reply(vt->ud, u8, len);
}

/* Resets the CSI collector (libtsm's do_clear). */
static void
vt_csi_clear(struct aa_vt *vt)
{
	unsigned i;

	vt->flags = 0;
	vt->prefix = 0;
	vt->argc = 0;
	for (i = 0; i < VT_CSI_ARGS; i++)
		vt->argv[i] = -1;
}

/* Records an intermediate or private-marker character (do_collect). */
static void
vt_csi_collect(struct aa_vt *vt, uint32_t cp)
{
	static const char chars[] = "!$?> '\"*+()";
	const char *c;

	if (cp == 0 || cp > 0x7f)
		return;
	c = strchr(chars, (int)cp);
	if (c != NULL)
		vt->flags |= 1u << (c - chars);
}

/* Accumulates a parameter digit or separator, clamped like do_param. */
static void
vt_csi_param(struct aa_vt *vt, uint32_t cp)
{
	int *v;

	if (cp == ';') {
		if (vt->argc < VT_CSI_ARGS)
			vt->argc++;
		return;
	}
	if (vt->argc >= VT_CSI_ARGS)
		return;
	v = &vt->argv[vt->argc];
	if (*v > 0xffff)
		return;
	*v = *v <= 0 ? (int)(cp - '0') : *v * 10 + (int)(cp - '0');
}

/* Sends one reply of the query table to the agent. */
static void
vt_emit(void *ud, const char *p, size_t n)
{
	vt_answer(ud, p, n);
}

/* What a reply may report (core/vtquery.h), once libtsm has everything
 * before the query. */
static void
vt_term(struct aa_vt *vt, struct aa_vtq_term *t)
{
	unsigned f = tsm_screen_get_flags(vt->scr);

	t->cols = tsm_screen_get_width(vt->scr);
	t->rows = tsm_screen_get_height(vt->scr);
	t->x = tsm_screen_get_cursor_x(vt->scr);
	t->y = tsm_screen_get_cursor_y(vt->scr);
	t->app_cursor = !!(vt->modes & VT_MODE_APP_CURSOR);
	t->origin = !!(f & TSM_SCREEN_REL_ORIGIN);
	t->autowrap = !!(f & TSM_SCREEN_AUTO_WRAP);
	t->cursor_visible = !(f & TSM_SCREEN_HIDE_CURSOR);
	t->alternate = !!(f & TSM_SCREEN_ALTERNATE);
	t->bracketed = !!(vt->modes & VT_MODE_BRACKETED);
	t->sync = !!(vt->modes & VT_MODE_SYNC);
	t->insert = !!(f & TSM_SCREEN_INSERT_MODE);
}

/*
 * Answers the CSI sequence ending in final if the query table has it:
 * libtsm gets CAN instead (so it neither answers nor misexecutes it),
 * the agent the table's reply.  Returns 1 if answered, else 0.
 */
static int
vt_query(struct aa_vt *vt, uint32_t final)
{
	const struct aa_vtq_row *r;
	struct aa_vtq_term t;
	struct aa_vtq_csi q;
	char out[AA_VTQ_REPLY_MAX];
	unsigned inter = vt->flags & ~(VT_F_WHAT | VT_F_GT);

	q.prefix = vt->prefix;
	q.inter = inter == 0 ? 0 : inter == VT_F_CASH ? '$' : -1;
	/* argc counts the parameter the final ended (dispatch's ++). */
	q.argc = vt->argc == 1 && vt->argv[0] < 0 ? 0 : vt->argc;
	q.argv = vt->argv;
	q.final = final;
	if ((r = aa_vtq_find_csi(&q)) == NULL)
		return 0;
	vt_cancel(vt, NULL);
	vt_term(vt, &t);
	vt_answer(vt, out, aa_vtq_reply_csi(r, &q, &t, out));
	return 1;
}

/* Follows DEC private mode changes libtsm does not keep (?2004, ?2026)
 * or keeps out of reach (?1, DECCKM).  The sequence still goes on to
 * libtsm. */
static void
vt_track_modes(struct aa_vt *vt, int set)
{
	unsigned i, bit;

	for (i = 0; i < vt->argc; i++) {
		if (vt->argv[i] == 2004)
			bit = VT_MODE_BRACKETED;
		else if (vt->argv[i] == 2026)
			bit = VT_MODE_SYNC;
		else if (vt->argv[i] == 1)
			bit = VT_MODE_APP_CURSOR;
		else
			continue;
		if (set)
			vt->modes |= bit;
		else
			vt->modes &= ~bit;
	}
}

/* Decides the fate of a complete CSI sequence at its final byte. */
static enum vt_verdict
vt_csi_dispatch(struct aa_vt *vt, uint32_t final)
{
	int plain = vt->prefix == 0 && vt->flags == 0;

	if (vt->argc < VT_CSI_ARGS)
		vt->argc++;
	switch (final) {
	case 'p':
		/* libtsm 4.0.2 soft-resets on every 'p' final (DECRQM,
		 * XTSMPOINTER, DECSCL, which also leaves UTF-8 mode); only
		 * DECSTR asks for that. */
		if (vt->prefix == 0 && vt->flags == VT_F_BANG)
			return VT_PASS;
		/* DECRQM is answered (the table), the rest dropped. */
		if (vt_query(vt, final))
			return VT_SKIP;
		return vt_cancel(vt, NULL);
	case 'h':
	case 'l':
		if (vt->prefix == '?' && vt->flags == VT_F_WHAT)
			vt_track_modes(vt, final == 'h');
		return VT_PASS;
	case 'm':
	case 'r':
		/* libtsm ignores the marker: CSI > 4;1 m (modifyOtherKeys)
		 * would become SGR 4, CSI ? 1 r (XTRESTORE) a scroll region. */
		return plain ? VT_PASS : vt_cancel(vt, NULL);
	case 's':
	case 'u':
		/* SCOSC/SCORC, which libtsm lacks: use DECSC/DECRC. */
		if (plain && vt->argc == 1 && vt->argv[0] < 0)
			return vt_cancel(vt, final == 's' ? "\0337" : "\0338");
		break;
	}
	/* Terminal queries (DA, DSR, CPR, XTVERSION, the kitty keyboard
	 * query, window sizes): the table answers them, not libtsm (which
	 * would answer DA3 as DA1 and ignore the rest). */
	if (vt_query(vt, final))
		return VT_SKIP;
	/* libtsm answers CSI 5 n and 6 n whatever the marker or the other
	 * parameters (CSI ? 5 n as DSR): only the table answers. */
	if (final == 'n')
		return vt_cancel(vt, NULL);
	return VT_PASS;
}

/* Answers the colour queries of a finished OSC (the table's OSC rows). */
static void
vt_osc_end(struct aa_vt *vt, int bel)
{
	if (vt->osc_over)
		return;
	vt->osc[vt->osc_len] = '\0';
	aa_vtq_osc(vt->osc, bel, vt_emit, vt);
}

/* Collects one code point of an OSC payload (bounded). */
static void
vt_osc_collect(struct aa_vt *vt, uint32_t cp)
{
	char u8[4];
	size_t n = aa_utf8_encode(cp, u8);

	if (vt->osc_len + n >= sizeof(vt->osc)) {
		vt->osc_over = 1;
		return;
	}
	memcpy(vt->osc + vt->osc_len, u8, n);
	vt->osc_len += n;
}

/* Starts collecting an OSC payload. */
static void
vt_osc_start(struct aa_vt *vt)
{
	vt->osc_len = 0;
	vt->osc_over = 0;
	vt->state = VT_OSC;
}

/* Returns non-zero for the C0 controls libtsm executes inside sequences. */
static int
vt_is_exec(uint32_t cp)
{
	return cp <= 0x17 || cp == 0x19 || (cp >= 0x1c && cp <= 0x1f);
}

/* Applies libtsm's "anywhere" transitions; returns 0 if cp is not one. */
static int
vt_step_anywhere(struct aa_vt *vt, uint32_t cp)
{
	enum vt_state was = vt->state;

	switch (cp) {
	case 0x1b:
		vt->state = VT_ESC;
		break;
	case 0x9b:
		vt_csi_clear(vt);
		vt->state = VT_CSI_ENTRY;
		break;
	case 0x9d:
		vt_osc_start(vt);
		return 1;
	case 0x18:
	case 0x1a:
	case 0x80 ... 0x9a:
	case 0x9c:
	case 0x9e:
	case 0x9f:
		vt->state = VT_GROUND;
		break;
	default:
		return 0;
	}
	/* libtsm ends an OSC on any of these; only ESC (\) and ST
	 * terminate it properly, CAN and SUB abort it. */
	if (was == VT_OSC && (cp == 0x1b || cp == 0x9c))
		vt_osc_end(vt, 0);
	return 1;
}

/* The ESC states: finds CSI and OSC introducers and RIS. */
static void
vt_step_esc(struct aa_vt *vt, uint32_t cp)
{
	if (vt_is_exec(cp) || cp == 0x7f)
		return;
	if (vt->state == VT_ESC_INT || (cp >= 0x20 && cp <= 0x2f)) {
		if (cp >= 0x30 && cp <= 0x7e)
			vt->state = VT_GROUND;
		else
			vt->state = VT_ESC_INT;
		return;
	}
	switch (cp) {
	case '[':
		vt_csi_clear(vt);
		vt->state = VT_CSI_ENTRY;
		return;
	case ']':
		vt_osc_start(vt);
		return;
	case 'c':
		/* RIS: a full reset also turns our modes off. */
		vt->modes = 0;
		vt->state = VT_GROUND;
		return;
	}
	vt->state = cp <= 0x7e ? VT_GROUND : VT_ESC_INT;
}

/* The CSI states, mirroring libtsm's table; returns the verdict. */
static enum vt_verdict
vt_step_csi(struct aa_vt *vt, uint32_t cp)
{
	int isfinal = cp >= 0x40 && cp <= 0x7e;

	if (vt_is_exec(cp) || cp == 0x7f)
		return VT_PASS;
	if (vt->state == VT_CSI_IGNORE) {
		if (isfinal)
			vt->state = VT_GROUND;
		return VT_PASS;
	}
	if (isfinal) {
		vt->state = VT_GROUND;
		return vt_csi_dispatch(vt, cp);
	}
	if (cp >= 0x20 && cp <= 0x2f) {
		vt_csi_collect(vt, cp);
		vt->state = VT_CSI_INT;
	} else if (vt->state == VT_CSI_INT || cp == ':' || cp > 0x7f) {
		vt->state = VT_CSI_IGNORE;
	} else if ((cp >= '0' && cp <= '9') || cp == ';') {
		vt_csi_param(vt, cp);
		vt->state = VT_CSI_PARAM;
	} else if (vt->state == VT_CSI_ENTRY) {
		/* '<' '=' '>' '?' right after the introducer. */
		vt_csi_collect(vt, cp);
		vt->prefix = (int)cp;
		vt->state = VT_CSI_PARAM;
	} else
		vt->state = VT_CSI_IGNORE;
	return VT_PASS;
}

/* Feeds one decoded code point through the filter's state machine. */
static enum vt_verdict
vt_step(struct aa_vt *vt, uint32_t cp)
{
	if (cp == 0x05) /* ENQ: libtsm would answer ACK (a Ctrl-F key) */
		return VT_SKIP;
	if (vt_step_anywhere(vt, cp))
		return VT_PASS;
	switch (vt->state) {
	case VT_GROUND:
		return VT_PASS;
	case VT_ESC:
	case VT_ESC_INT:
		vt_step_esc(vt, cp);
		return VT_PASS;
	case VT_OSC:
		if (cp == 0x07) {
			vt_osc_end(vt, 1);
			vt->state = VT_GROUND;
		} else if (cp >= 0x20)
			vt_osc_collect(vt, cp);
		return VT_PASS;
	default:
		return vt_step_csi(vt, cp);
	}
}

/* Returns non-zero if s[0..n) could still become one valid sequence. */
static int
vt_utf8_incomplete(const unsigned char *s, size_t n)
{
	size_t need, i;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;
	if (n >= need)
		return 0;
	if (n >= 2 &&
	    ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
		(s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F)))
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return 1;
}

/*
 * Returns the length of the valid, complete UTF-8 sequence at s[0..n) if
 * the filter has nothing to do with it (any code point from U+00A0 on,
 * which libtsm prints), else 0: invalid or cut short bytes, and the C1
 * controls U+0080-U+009F, which libtsm executes, go the slow way.
 */
static size_t
vt_utf8_plain(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		return n >= 2 && (s[1] & 0xC0) == 0x80 &&
		    (c != 0xC2 || s[1] >= 0xA0) ? 2 : 0;
	if (c < 0xF0)
		return n >= 3 && (s[1] & 0xC0) == 0x80 &&
		    (s[2] & 0xC0) == 0x80 && (c != 0xE0 || s[1] >= 0xA0) &&
		    (c != 0xED || s[1] <= 0x9F) ? 3 : 0;
	if (c < 0xF5)
		return n >= 4 && (s[1] & 0xC0) == 0x80 &&
		    (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 &&
		    (c != 0xF0 || s[1] >= 0x90) && (c != 0xF4 || s[1] <= 0x8F)
		    ? 4 : 0;
	return 0;
}

/*
 * Returns the length of the complete CSI sequence at s[0..n) (ESC, '[',
 * digits and ';', a final byte) if the filter would pass it unchanged,
 * else 0.  That is every final but 'p', 's', 'u' and the finals of the
 * queries the table answers ('c', 'n', 't') when there is no
 * private marker, no intermediate and nothing libtsm executes midway: SGR,
 * cursor moves, erases.  vt_csi_dispatch decides the others.
 */
static size_t
vt_csi_plain(const unsigned char *s, size_t n)
{
	size_t j;

	if (n < 3 || s[1] != '[')
		return 0;
	for (j = 2; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';');
	    j++)
		;
	if (j == n || s[j] < 0x40 || s[j] > 0x7e || s[j] == 'p' ||
	    s[j] == 's' || s[j] == 'u' || s[j] == 'c' || s[j] == 'n' ||
	    s[j] == 't')
		return 0;
	return j + 1;
}

/*
 * Filters p[0..n) into libtsm.  Returns how many bytes were consumed: all
 * of them, except an incomplete UTF-8 sequence at the very end.
 */
static size_t
vt_run(struct aa_vt *vt, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, k;
	uint32_t cp;

	vt->run = p;
	vt->run_start = 0;
	while (i < n) {
		if (vt->state == VT_GROUND) {
			/* The common case: text, valid UTF-8 and ordinary CSI
			 * sequences libtsm may have as they are, skipped
			 * without decoding a code point. */
			while (i < n) {
				if (u[i] < 0x80 && u[i] != 0x1b && u[i] != 0x05)
					k = 1;
				else if (u[i] >= 0x80)
					k = vt_utf8_plain(u + i, n - i);
				else if (u[i] == 0x1b)
					k = vt_csi_plain(u + i, n - i);
				else
					k = 0;
				if (k == 0)
					break;
				i += k;
			}
			if (i == n)
				break;
		}
		vt->run_pos = i;
		if (u[i] < 0x80) {
			cp = u[i];
			k = 1;
		} else {
			if (vt_utf8_incomplete(u + i, n - i))
				break;
			k = aa_utf8_decode(p + i, n - i, &cp);
			if (cp == AA_UTF8_REPLACEMENT && k == 1) {
				/* Invalid byte: libtsm gets U+FFFD instead. */
				vt_step(vt, cp);
				vt->run_pos = i;
				vt_flush(vt);
				vt_forward(vt, "\xEF\xBF\xBD", 3);
				vt->run_start = ++i;
				continue;
			}
		}
		if (vt_step(vt, cp) == VT_SKIP) {
			vt->run_pos = i;
			vt_flush(vt);
			vt->run_start = i + k;
		}
		i += k;
	}
	vt->run_pos = i;
	vt_flush(vt);
	vt->run = NULL;
	return i;
}

int
aa_vt_feed(struct aa_vt *vt, const char *bytes, size_t n)
{
	char tmp[4];
	size_t k, c, tlen, used;

	if (vt == NULL || (bytes == NULL && n > 0))
		return AA_EINVAL;
	vt->fed = 0;
	if (vt->pend_len > 0 && n > 0) {
		/* Finish the sequence the last feed ended in. */
		k = AA__MIN(n, sizeof(tmp) - vt->pend_len);
		memcpy(tmp, vt->pend, vt->pend_len);
		memcpy(tmp + vt->pend_len, bytes, k);
		tlen = vt->pend_len + k;
		c = vt_run(vt, tmp, tlen);
		/* Otherwise c >= pend_len: tmp either completes the pending
		 * sequence or proves it invalid, consuming all of it. */
		if (c < tlen && k == n) {
			/* Still incomplete: all of the input is pending. */
			memmove(vt->pend, tmp + c, tlen - c);
			vt->pend_len = tlen - c;
			goto out;
		}
		used = c - vt->pend_len;
		vt->pend_len = 0;
		bytes += used;
		n -= used;
	}
	c = vt_run(vt, bytes, n);
	memcpy(vt->pend, bytes + c, n - c);
	vt->pend_len = n - c;
out:
	if (vt->fed)
		vt->age++;
	return 0;
}

/* Validates a screen size. */
static int
vt_size_ok(unsigned cols, unsigned rows)
{
	return cols >= AA_VT_MIN_COLS && rows > 0 && cols <= AA_VT_MAX_COLS &&
	    rows <= AA_VT_MAX_ROWS && (uint64_t)cols * rows <= AA_VT_MAX_CELLS;
}

int
aa_vt_new(struct aa_vt **out, const struct aa_vt_options *o)
{
	unsigned cols = AA_VT_DEFAULT_COLS, rows = AA_VT_DEFAULT_ROWS;
	struct aa_vt *vt;
	int rc;

	if (out == NULL)
		return AA_EINVAL;
	*out = NULL;
	if (o != NULL && o->cols != 0)
		cols = o->cols;
	if (o != NULL && o->rows != 0)
		rows = o->rows;
	if (!vt_size_ok(cols, rows))
		return AA_EINVAL;
	vt = calloc(1, sizeof(*vt));
	if (vt == NULL)
		return AA_ENOMEM;
	aa_buf_init(&vt->text);
	aa_buf_init(&vt->row);
	if (o != NULL) {
		vt->reply = o->reply;
		vt->ud = o->ud;
	}
	rc = tsm_screen_new(&vt->scr, NULL, NULL);
	if (rc < 0)
		goto fail;
	/* No scrollback: only the visible screen is ever read, and
	 * libtsm 4.0.2 leaks scrollback lines at unref. */
	tsm_screen_set_max_sb(vt->scr, 0);
	rc = tsm_screen_resize(vt->scr, cols, rows);
	if (rc < 0)
		goto fail;
	rc = tsm_vte_new(&vt->vte, vt->scr, vt_tsm_write, vt, NULL, NULL);
	if (rc < 0)
		goto fail;
	vt->state = VT_GROUND;
	vt_csi_clear(vt);
	vt->age = 1;
	vt->direct = vt_direct_probe() && vt_direct_sane(vt->scr);
	*out = vt;
	return 0;
fail:
	aa_vt_free(vt);
	return rc < 0 ? rc : AA_ENOMEM;
}

void
aa_vt_free(struct aa_vt *vt)
{
	if (vt == NULL)
		return;
	if (vt->vte != NULL)
		tsm_vte_unref(vt->vte);
	if (vt->scr != NULL)
		tsm_screen_unref(vt->scr);
	aa_buf_release(&vt->text);
	aa_buf_release(&vt->row);
	free(vt->row_off);
	free(vt->row_line);
	free(vt);
}

int
aa_vt_resize(struct aa_vt *vt, unsigned cols, unsigned rows)
{
	int rc;

	if (vt == NULL || !vt_size_ok(cols, rows))
		return AA_EINVAL;
	if (cols == aa_vt_cols(vt) && rows == aa_vt_rows(vt))
		return 0;
	rc = tsm_screen_resize(vt->scr, cols, rows);
	vt->age++;
	vt->rows_ok = 0; /* libtsm reallocates lines in place */
	return rc < 0 ? AA__ERR(-rc) : 0;
}

/* Ends rows of the text until row `to` is the one being written. */
static void
vt_draw_rows(struct vt_draw *d, unsigned to)
{
	while (d->row < to && !d->err) {
		d->b->len = d->keep;
		if (aa_buf_putc(d->b, '\n') != 0)
			d->err = 1;
		d->keep = d->b->len;
		d->row++;
	}
}

/* tsm_screen_draw callback: appends one cell to the text. */
static int
vt_draw_cell(struct tsm_screen *scr, uint64_t id, const uint32_t *ch,
    size_t len, unsigned width, unsigned posx, unsigned posy,
    const struct tsm_screen_attr *attr, tsm_age_t age, void *data)
{
	struct vt_draw *d = data;
	struct aa_buf *b = d->b;
	uint32_t cp;
	size_t i;

	(void)scr, (void)id, (void)attr, (void)age;
	if (d->err || posy < d->row)
		return 0;
	if (posy > d->row) {
		vt_draw_rows(d, posy);
		d->wide_next = 0;
	}
	if (posx > 0 && posx == d->wide_next) {
		/* The right half of a wide character: printed already. */
		if (width == 0)
			return 0;
		/* It was overwritten, so the wide character is gone (as on
		 * a real terminal): its left half shows as a blank. */
		b->len = d->wide_off;
		b->data[b->len++] = ' ';
		d->keep = d->wide_keep;
	}
	d->wide_next = 0;
	/* The common case, printable ASCII; room was reserved up front. */
	if (len == 1 && ch[0] > 0x20 && ch[0] < 0x7f) {
		b->data[b->len++] = (char)ch[0];
		d->keep = b->len;
		return 0;
	}
	if (len == 0 || (len == 1 && ch[0] == ' ')) {
		b->data[b->len++] = ' ';
		return 0;
	}
	/* Combining sequences can exceed the reservation. */
	if (len > 1 && aa_buf_reserve(b, len * 4 + 2) != 0) {
		d->err = 1;
		return 0;
	}
	if (width >= 2) {
		d->wide_next = posx + 1;
		d->wide_off = b->len;
		d->wide_keep = d->keep;
	}
	for (i = 0; i < len; i++) {
		cp = ch[i];
		/* A control character never belongs in a cell; keep the
		 * text one line per row whatever libtsm stored. */
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			cp = 0xFFFD;
		b->len += aa_utf8_encode(cp, b->data + b->len);
	}
	d->keep = b->len;
	return 0;
}

/*
 * Appends the whole screen to b through tsm_screen_draw, the emulator's
 * one public way to read cells: it walks and calls back for all of them.
 */
static int
vt_draw_full(struct tsm_screen *scr, struct aa_buf *b)
{
	struct vt_draw d;
	unsigned rows = tsm_screen_get_height(scr);
	unsigned cols = tsm_screen_get_width(scr);

	/* One reservation covers any screen of single code points (4 bytes
	 * at most per cell, a newline per row), so the draw callback needs
	 * no bounds check per cell. */
	if (aa_buf_reserve(b, (size_t)rows * (cols * 4 + 1) + 16) != 0)
		return AA_ENOMEM;
	memset(&d, 0, sizeof(d));
	d.b = b;
	d.keep = b->len;
	tsm_screen_draw(scr, vt_draw_cell, &d);
	vt_draw_rows(&d, rows);
	return d.err ? AA_ENOMEM : 0;
}

/* Returns non-zero if libtsm's screen header reads as the mirror says. */
static int
vt_direct_sane(struct tsm_screen *scr)
{
	const struct vt_tsm_screen *m = (const void *)scr;

	return m->size_x == tsm_screen_get_width(scr) &&
	    m->size_y == tsm_screen_get_height(scr) &&
	    m->flags == tsm_screen_get_flags(scr) &&
	    m->cursor_x == tsm_screen_get_cursor_x(scr) &&
	    m->cursor_y == tsm_screen_get_cursor_y(scr) &&
	    m->lines != NULL && m->sb_pos == NULL;
}

/*
 * Appends row y (line l) as tsm_screen_draw would show it, through the
 * same cell callback.  Returns 0, 1 for a combined symbol (only libtsm can
 * spell it: read through tsm_screen_draw) or AA_ENOMEM.
 */
static int
vt_direct_row(struct aa_buf *b, const struct vt_tsm_line *l, unsigned cols,
    unsigned y)
{
	const struct vt_tsm_cell *c;
	struct vt_draw d;
	unsigned x, n = l->size < cols ? l->size : cols, end;
	uint32_t ch;
	size_t len0 = b->len;

	if (aa_buf_reserve(b, (size_t)cols * 4 + 2) != 0)
		return AA_ENOMEM;
	memset(&d, 0, sizeof(d));
	d.b = b;
	d.row = y;
	d.keep = b->len;
	/* Trailing blanks are trimmed anyway: stop one cell after the last
	 * with something to print (a blank on the right half of a wide
	 * character still erases it). */
	for (end = n; end > 0; end--) {
		c = &l->cells[end - 1];
		if (c->ch != 0 && (c->ch != ' ' || c->attr.underline))
			break;
	}
	for (x = 0; x < n && x <= end; x++) {
		c = &l->cells[x];
		ch = c->ch;
		if (ch > VT_TSM_UCS4_MAX) {
			b->len = len0;
			return 1;
		}
		/* tsm_screen_draw's rule: no code point for an empty cell or
		 * a plain space. */
		vt_draw_cell(NULL, 0, &ch, ch == 0 || (ch == ' ' &&
		    !c->attr.underline) ? 0 : 1, c->width, x, y, NULL, 0, &d);
	}
	/* Past the line's allocation libtsm draws its empty cell. */
	ch = 0;
	if (x == n && n < cols)
		vt_draw_cell(NULL, 0, &ch, 0, 1, x, y, NULL, 0, &d);
	b->len = d.keep;
	b->data[b->len++] = '\n';
	b->data[b->len] = '\0';
	return 0;
}

/* Returns non-zero if line l changed since the age counter was seen. */
static int
vt_line_changed(const struct vt_tsm_line *l, unsigned cols, tsm_age_t seen)
{
	const struct vt_tsm_cell *c = l->cells;
	unsigned x, n = l->size < cols ? l->size : cols;

	/* >=, not >: an operation that writes without bumping the counter
	 * stamps the value last seen, so that value proves nothing. */
	if (l->age >= seen)
		return 1;
	for (x = 0; x < n; x++)
		if (c[x].age >= seen)
			return 1;
	return 0;
}

/* The probe's terminal answers nothing. */
static void
vt_probe_write(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
	(void)vte, (void)u8, (void)len, (void)data;
}

/*
 * Returns non-zero if libtsm's lines can be read directly: on a small
 * screen with wide characters (one cut by the margin), attributes, an
 * underlined space and an emoji, the row reader must agree with
 * tsm_screen_draw.
 */
static int
vt_direct_probe(void)
{
	static const char probe[] = "a\033[1mb\033[4m \033[0m\xe4\xb8\xad"
	    "x \xe4\xb8\xad\r\n\033[2C\xc3\xa9 z\033[3;2H\xf0\x9f\x98\x80";
	const struct vt_tsm_screen *m;
	struct tsm_screen *scr = NULL;
	struct tsm_vte *vte = NULL;
	struct aa_buf want, got;
	unsigned y;
	int ok = 0;

	aa_buf_init(&want);
	aa_buf_init(&got);
	if (tsm_screen_new(&scr, NULL, NULL) < 0)
		goto out;
	tsm_screen_set_max_sb(scr, 0);
	if (tsm_screen_resize(scr, 9, 3) < 0 ||
	    tsm_vte_new(&vte, scr, vt_probe_write, NULL, NULL, NULL) < 0)
		goto out;
	tsm_vte_input(vte, probe, sizeof(probe) - 1);
	m = (const void *)scr;
	if (!vt_direct_sane(scr) || m->size_y != 3 || m->age_cnt == 0 ||
	    vt_draw_full(scr, &want) != 0)
		goto out;
	for (y = 0; y < m->size_y; y++) {
		if (m->lines[y] == NULL || m->lines[y]->size < m->size_x ||
		    m->lines[y]->cells[0].age > m->age_cnt ||
		    vt_direct_row(&got, m->lines[y], m->size_x, y) != 0)
			goto out;
	}
	ok = got.len == want.len && memcmp(got.data, want.data, got.len) == 0;
out:
	if (vte != NULL)
		tsm_vte_unref(vte);
	if (scr != NULL)
		tsm_screen_unref(scr);
	aa_buf_release(&want);
	aa_buf_release(&got);
	return ok;
}

/* Makes room in the row cache for rows rows. */
static int
vt_rows_size(struct aa_vt *vt, unsigned rows)
{
	size_t *off;
	const struct vt_tsm_line **line;

	if (rows == vt->nrows && vt->row_off != NULL)
		return 0;
	off = realloc(vt->row_off, ((size_t)rows + 1) * sizeof(*off));
	if (off == NULL)
		return AA_ENOMEM;
	vt->row_off = off;
	line = realloc(vt->row_line, (size_t)rows * sizeof(*line));
	if (line == NULL)
		return AA_ENOMEM;
	vt->row_line = line;
	vt->nrows = rows;
	return 0;
}

/* Replaces row y of vt->text by the bytes in vt->row. */
static int
vt_splice(struct aa_vt *vt, unsigned y)
{
	struct aa_buf *t = &vt->text;
	size_t a = vt->row_off[y], z = vt->row_off[y + 1], n = vt->row.len;
	unsigned j;

	if (n > z - a && aa_buf_reserve(t, n - (z - a)) != 0)
		return AA_ENOMEM;
	memmove(t->data + a + n, t->data + z, t->len - z + 1);
	memcpy(t->data + a, vt->row.data, n);
	t->len = t->len - (z - a) + n;
	for (j = y + 1; j <= vt->nrows; j++)
		vt->row_off[j] = vt->row_off[j] - (z - a) + n;
	return 0;
}

/*
 * Brings vt->text up to date from libtsm's lines.  Only the rows that
 * changed since the last read are rendered and spliced into the text in
 * place; past VT_SPLICE_MAX of them (a scroll, a new screen) every row
 * is rendered afresh.  Returns 0, 1 when only tsm_screen_draw can read
 * this screen, or AA_ENOMEM.
 */
static int
vt_read_direct(struct aa_vt *vt)
{
	const struct vt_tsm_screen *m = (const void *)vt->scr;
	const struct vt_tsm_line *l;
	unsigned rows = m->size_y, cols = m->size_x, y, nd = 0, i;
	unsigned dirty[VT_SPLICE_MAX];
	int full, rc;

	if (m->sb_pos != NULL || m->lines == NULL)
		return 1;
	/* The screen age is no use: libtsm sets it on every erase too. */
	full = !vt->rows_ok || rows != vt->nrows || cols != vt->ncols ||
	    m->age_reset || m->age_cnt < vt->seen;
	for (y = 0; y < rows && !full; y++) {
		l = m->lines[y];
		if (l == vt->row_line[y] && !vt_line_changed(l, cols,
		    vt->seen))
			continue;
		if (nd == VT_SPLICE_MAX)
			full = 1;
		else
			dirty[nd++] = y;
	}
	vt->rows_ok = 0;
	if (full) {
		if ((rc = vt_rows_size(vt, rows)) < 0)
			return rc;
		aa_buf_reset(&vt->text);
		for (y = 0; y < rows; y++) {
			vt->row_off[y] = vt->text.len;
			vt->row_line[y] = m->lines[y];
			if ((rc = vt_direct_row(&vt->text, m->lines[y], cols,
			    y)) != 0)
				return rc;
		}
		vt->row_off[rows] = vt->text.len;
	} else {
		for (i = 0; i < nd; i++) {
			y = dirty[i];
			aa_buf_reset(&vt->row);
			if ((rc = vt_direct_row(&vt->row, m->lines[y], cols,
			    y)) != 0 || (rc = vt_splice(vt, y)) != 0)
				return rc;
			vt->row_line[y] = m->lines[y];
		}
	}
	vt->ncols = cols;
	vt->seen = m->age_cnt;
	vt->rows_ok = 1;
	return 0;
}

int
aa_vt_text_ref(struct aa_vt *vt, const char **text, size_t *len)
{
	int rc = 1;

	if (vt == NULL || text == NULL || len == NULL)
		return AA_EINVAL;
	if (!vt->text_ok || vt->text_age != vt->age) {
		if (vt->direct)
			rc = vt_read_direct(vt);
		if (rc == 1) {
			vt->rows_ok = 0;
			aa_buf_reset(&vt->text);
			rc = vt_draw_full(vt->scr, &vt->text);
		}
		if (rc < 0) {
			vt->text_ok = 0;
			vt->rows_ok = 0;
			aa_buf_reset(&vt->text);
			return rc;
		}
		vt->text_ok = 1;
		vt->text_age = vt->age;
	}
	*text = aa_buf_str(&vt->text);
	*len = vt->text.len;
	return 0;
}

int
aa_vt_text(struct aa_vt *vt, struct aa_buf *out)
{
	const char *text;
	size_t len;
	int rc;

	if (out == NULL)
		return AA_EINVAL;
	if ((rc = aa_vt_text_ref(vt, &text, &len)) < 0)
		return rc;
	return aa_buf_append(out, text, len);
}

int
aa_vt_text_full(struct aa_vt *vt, struct aa_buf *out)
{
	size_t len0;
	int rc;

	if (vt == NULL || out == NULL)
		return AA_EINVAL;
	len0 = out->len;
	rc = vt_draw_full(vt->scr, out);
	if (rc < 0)
		out->len = len0;
	return rc;
}

int
aa_vt_direct(const struct aa_vt *vt)
{
	return vt->direct;
}

uint64_t
aa_vt_age(const struct aa_vt *vt)
{
	return vt->age;
}

int
aa_vt_bracketed_paste(const struct aa_vt *vt)
{
	return (vt->modes & VT_MODE_BRACKETED) != 0;
}

int
aa_vt_app_cursor(const struct aa_vt *vt)
{
	return (vt->modes & VT_MODE_APP_CURSOR) != 0;
}

int
aa_vt_synchronized(const struct aa_vt *vt)
{
	return (vt->modes & VT_MODE_SYNC) != 0;
}

int
aa_vt_alt_screen(const struct aa_vt *vt)
{
	return (tsm_screen_get_flags(vt->scr) & TSM_SCREEN_ALTERNATE) != 0;
}

int
aa_vt_cursor_hidden(const struct aa_vt *vt)
{
	return (tsm_screen_get_flags(vt->scr) & TSM_SCREEN_HIDE_CURSOR) != 0;
}

void
aa_vt_cursor(const struct aa_vt *vt, unsigned *x, unsigned *y)
{
	unsigned cx = tsm_screen_get_cursor_x(vt->scr);
	unsigned cy = tsm_screen_get_cursor_y(vt->scr);
	unsigned cols = aa_vt_cols(vt), rows = aa_vt_rows(vt);

	if (x != NULL)
		*x = cx < cols ? cx : cols - 1;
	if (y != NULL)
		*y = cy < rows ? cy : rows - 1;
}

unsigned
aa_vt_cols(const struct aa_vt *vt)
{
	return tsm_screen_get_width(vt->scr);
}

unsigned
aa_vt_rows(const struct aa_vt *vt)
{
	return tsm_screen_get_height(vt->scr);
}
