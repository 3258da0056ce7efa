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
 * and OSC 4 colours, the DCS queries XTGETTCAP and DECRQSS), cancelling
 * the CSI ones on their way to libtsm (CSI 'n' finals the table lacks are
 * dropped too: libtsm would answer them as DSR).  A DCS string libtsm
 * 4.0.2 swallows whole, printing and answering none of it, so it goes on
 * unchanged while the filter collects its payload (at most
 * AA_VTQ_DCS_MAX bytes; a longer one is dropped unanswered) and answers
 * at its ST, wherever the feeds cut it.  It flushes the bytes before
 * the query to libtsm first, so the reply reports the state after them
 * and reaches the agent in stream order.  Anything libtsm still answers arrives through its write
 * callback, synchronously, and goes to the same reply callback.
 *
 * Screen text comes from the row reader (vt-read.c), which re-renders
 * only the rows that changed, reading libtsm 4.0.2's lines directly when
 * its layout checks out and through tsm_screen_draw otherwise.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtsm.h>

#include "base/aa-internal.h"
#include "base/text.h"
#include "core/vt.h"
#include "core/vt-read.h"
#include "core/vtquery.h"

/* The filter's view of libtsm's parser state. */
enum vt_state {
	VT_GROUND, /* also SOS/PM/APC strings: nothing to watch there */
	VT_ESC,
	VT_ESC_INT,
	VT_CSI_ENTRY,
	VT_CSI_PARAM,
	VT_CSI_INT,
	VT_CSI_IGNORE,
	VT_OSC,
	VT_DCS     /* a DCS string, up to its ST */
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

	struct aa_vt_reader rd; /* what text was read from (vt-read.c) */

	/* Filter state, carried across feeds. */
	enum vt_state state;
	unsigned flags;  /* collected CSI flags (libtsm's set) */
	int prefix;      /* private marker '<' '=' '>' '?' at CSI entry */
	unsigned argc;
	int argv[VT_CSI_ARGS];
	char osc[VT_OSC_MAX];
	size_t osc_len;
	int osc_over;
	char dcs[AA_VTQ_DCS_MAX + 1];
	size_t dcs_len;
	int dcs_over;
	int dcs_esc;     /* the DCS just ended in ESC: ST if '\' follows */
	int cursor_style; /* the last DECSCUSR */
	char term[AA_VTQ_TERM_MAX + 1]; /* the agent's TERM, "" unknown */
	unsigned modes;
	unsigned char pend[4]; /* incomplete UTF-8 sequence ending a feed */
	size_t pend_len;

	/* The run being filtered: bytes [run_start, run_pos) not yet sent. */
	const char *run;
	size_t run_start, run_pos;
	int fed;
};


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
	t->term = vt->term[0] != '\0' ? vt->term : NULL;
	t->cursor_style = vt->cursor_style;
	t->margins_known = aa_vt_reader_margins(vt->rd.direct, vt->scr,
	    &t->margin_top, &t->margin_bottom) == 0;
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
	case 'q':
		/* DECSCUSR, which libtsm ignores: kept for DECRQSS. */
		if (vt->prefix == 0 && vt->flags == VT_F_SPACE &&
		    vt->argc == 1 && vt->argv[0] <= 6)
			vt->cursor_style = vt->argv[0] < 0 ? 0 : vt->argv[0];
		break;
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

/* Starts collecting a DCS payload. */
static void
vt_dcs_start(struct aa_vt *vt)
{
	vt->dcs_len = 0;
	vt->dcs_over = 0;
	vt->state = VT_DCS;
}

/* Collects one code point of a DCS payload: printable ASCII, bounded;
 * anything else makes it no query of ours.  C0 controls are skipped, as
 * libtsm skips them in a DCS. */
static void
vt_dcs_collect(struct aa_vt *vt, uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return;
	if (cp > 0x7e || vt->dcs_len >= AA_VTQ_DCS_MAX) {
		vt->dcs_over = 1;
		return;
	}
	vt->dcs[vt->dcs_len++] = (char)cp;
}

/* The DCS ended with ST: answers it if it is a query of the table. */
static void
vt_dcs_end(struct aa_vt *vt)
{
	struct aa_vtq_term t;

	if (vt->dcs_over)
		return;
	vt->dcs[vt->dcs_len] = '\0';
	vt_flush(vt);
	vt_term(vt, &t);
	aa_vtq_dcs(vt->dcs, &t, vt_emit, vt);
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
	case 0x90:
		vt_dcs_start(vt);
		return 1;
	case 0x18:
	case 0x1a:
	case 0x80 ... 0x8f:
	case 0x91 ... 0x9a:
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
	/* A DCS ends on any of them too, answered only at ST: C1 ST, or
	 * ESC if '\' comes next (vt_step_esc). */
	vt->dcs_esc = was == VT_DCS && cp == 0x1b;
	if (was == VT_DCS && cp == 0x9c)
		vt_dcs_end(vt);
	return 1;
}

/* The ESC states: finds CSI and OSC introducers and RIS. */
static void
vt_step_esc(struct aa_vt *vt, uint32_t cp)
{
	if (vt_is_exec(cp) || cp == 0x7f)
		return;
	if (vt->dcs_esc) {
		vt->dcs_esc = 0;
		if (cp == '\\') {
			vt_dcs_end(vt);
			vt->state = VT_GROUND;
			return;
		}
	}
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
	case 'P':
		vt_dcs_start(vt);
		return;
	case 'c':
		/* RIS: a full reset also turns our modes off. */
		vt->modes = 0;
		vt->cursor_style = 0;
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
	case VT_DCS:
		vt_dcs_collect(vt, cp);
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
	aa_vt_reader_init(&vt->rd);
	if (o != NULL) {
		vt->reply = o->reply;
		vt->ud = o->ud;
		/* A TERM too long to report is not reported. */
		if (o->term != NULL && strlen(o->term) <= AA_VTQ_TERM_MAX)
			memcpy(vt->term, o->term, strlen(o->term) + 1);
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
	vt->rd.direct = aa_vt_reader_check(vt->scr);
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
	aa_vt_reader_release(&vt->rd);
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
	aa_vt_reader_forget(&vt->rd); /* libtsm reallocates lines in place */
	return rc < 0 ? AA__ERR(-rc) : 0;
}

int
aa_vt_text_ref(struct aa_vt *vt, const char **text, size_t *len)
{
	int rc;

	if (vt == NULL || text == NULL || len == NULL)
		return AA_EINVAL;
	if (!vt->text_ok || vt->text_age != vt->age) {
		rc = aa_vt_reader_read(&vt->rd, vt->scr, &vt->text);
		if (rc < 0) {
			vt->text_ok = 0;
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
	rc = aa_vt_draw_full(vt->scr, out);
	if (rc < 0)
		out->len = len0;
	return rc;
}

int
aa_vt_direct(const struct aa_vt *vt)
{
	return vt->rd.direct;
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
