/*
 * vtquery.c - the terminal queries aa_vt answers (vtquery.h).
 *
 * One row per query; the row says which sequence it is and writes the
 * reply.  The replies DA1, DA2, DSR and CPR give are byte for byte
 * libtsm 4.0.2's own, which used to answer them: the table answers them
 * now so that every reply comes from one place and one test per row
 * pins it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agentapi.h"
#include "base/aa-internal.h"
#include "core/vtquery.h"

/* The pixels of a cell, as reported: there are none. */
#define VTQ_CELL_W 8
#define VTQ_CELL_H 16

/* libtsm's default colours (its "legacy" palette), one byte per channel. */
#define VTQ_FG 0xe5
#define VTQ_BG 0x00

typedef size_t vtq_fn(const struct aa_vtq_csi *, const struct aa_vtq_term *,
    int, int, char *);

static vtq_fn vtq_da1, vtq_da2, vtq_da3, vtq_dsr, vtq_cpr, vtq_xcpr;
static vtq_fn vtq_xtversion, vtq_decrqm, vtq_kitty, vtq_winpx, vtq_cellpx;
static vtq_fn vtq_winch, vtq_screench, vtq_osc_fg, vtq_osc_bg, vtq_osc_palette;
static vtq_fn vtq_xtgettcap, vtq_rqss_sgr, vtq_rqss_scusr, vtq_rqss_stbm;

static const struct aa_vtq_row vtq_rows[] = {
	{ "DA1", AA_VTQ_CSI, 0, 0, 'c', AA_VTQ_ARG_ZERO, vtq_da1, NULL },
	{ "DA2", AA_VTQ_CSI, '>', 0, 'c', AA_VTQ_ARG_ZERO, vtq_da2, NULL },
	{ "DA3", AA_VTQ_CSI, '=', 0, 'c', AA_VTQ_ARG_ZERO, vtq_da3, NULL },
	{ "DSR", AA_VTQ_CSI, 0, 0, 'n', 5, vtq_dsr, NULL },
	{ "CPR", AA_VTQ_CSI, 0, 0, 'n', 6, vtq_cpr, NULL },
	{ "DECXCPR", AA_VTQ_CSI, '?', 0, 'n', 6, vtq_xcpr, NULL },
	{ "XTVERSION", AA_VTQ_CSI, '>', 0, 'q', AA_VTQ_ARG_ZERO,
	    vtq_xtversion, NULL },
	{ "DECRQM", AA_VTQ_CSI, '?', '$', 'p', AA_VTQ_ARG_ANY, vtq_decrqm,
	    NULL },
	{ "DECRQM (ANSI)", AA_VTQ_CSI, 0, '$', 'p', AA_VTQ_ARG_ANY,
	    vtq_decrqm, NULL },
	{ "KITTYKB", AA_VTQ_CSI, '?', 0, 'u', AA_VTQ_ARG_ZERO, vtq_kitty,
	    NULL },
	{ "WINPX", AA_VTQ_CSI, 0, 0, 't', 14, vtq_winpx, NULL },
	{ "CELLPX", AA_VTQ_CSI, 0, 0, 't', 16, vtq_cellpx, NULL },
	{ "WINCH", AA_VTQ_CSI, 0, 0, 't', 18, vtq_winch, NULL },
	{ "SCREENCH", AA_VTQ_CSI, 0, 0, 't', 19, vtq_screench, NULL },
	{ "OSC 10", AA_VTQ_OSC, 0, 0, 0, 10, vtq_osc_fg, NULL },
	{ "OSC 11", AA_VTQ_OSC, 0, 0, 0, 11, vtq_osc_bg, NULL },
	{ "OSC 12", AA_VTQ_OSC, 0, 0, 0, 12, vtq_osc_fg, NULL },
	{ "OSC 4", AA_VTQ_OSC, 0, 0, 0, 4, vtq_osc_palette, NULL },
	{ "XTGETTCAP", AA_VTQ_DCS, 0, 0, 0, 0, vtq_xtgettcap, "+q" },
	{ "DECRQSS SGR", AA_VTQ_DCS, 0, 0, 0, 0, vtq_rqss_sgr, "$qm" },
	{ "DECRQSS DECSCUSR", AA_VTQ_DCS, 0, 0, 0, 0, vtq_rqss_scusr,
	    "$q q" },
	{ "DECRQSS DECSTBM", AA_VTQ_DCS, 0, 0, 0, 0, vtq_rqss_stbm, "$qr" },
};

/* The capabilities XTGETTCAP knows, by terminfo (and termcap) name; the
 * index is the row's item. */
static const char *const vtq_caps[] = { "TN", "Co", "colors" };
enum { VTQ_CAP_TN, VTQ_CAP_CO, VTQ_CAP_COLORS };

const struct aa_vtq_row *
aa_vtq_table(size_t *n)
{
	*n = AA__ARRAY_SIZE(vtq_rows);
	return vtq_rows;
}

/* Formats into out, AA_VTQ_REPLY_MAX bytes; 0 if it did not fit. */
static size_t
vtq_printf(char *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t
vtq_printf(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, AA_VTQ_REPLY_MAX, fmt, ap);
	va_end(ap);
	return n > 0 && n < AA_VTQ_REPLY_MAX ? (size_t)n : 0;
}

/* The first parameter, -1 when missing. */
static int
vtq_arg0(const struct aa_vtq_csi *q)
{
	return q->argc > 0 ? q->argv[0] : -1;
}

const struct aa_vtq_row *
aa_vtq_find_csi(const struct aa_vtq_csi *q)
{
	const struct aa_vtq_row *r;
	int a = vtq_arg0(q);
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(vtq_rows); i++) {
		r = &vtq_rows[i];
		if (r->kind != AA_VTQ_CSI || r->final != q->final ||
		    r->prefix != q->prefix || r->inter != q->inter)
			continue;
		/* One parameter at most, but DECRQM's mode is its own. */
		if (r->arg == AA_VTQ_ARG_ANY)
			return q->argc <= 1 ? r : NULL;
		if (q->argc > 1)
			continue;
		if (r->arg == AA_VTQ_ARG_ZERO ? a <= 0 : a == r->arg)
			return r;
	}
	return NULL;
}

size_t
aa_vtq_reply_csi(const struct aa_vtq_row *r, const struct aa_vtq_csi *q,
    const struct aa_vtq_term *t, char *out)
{
	return r->reply(q, t, 0, 0, out);
}

/* DA1: a VT220-class terminal with ANSI colour, as libtsm says. */
static size_t
vtq_da1(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033[?60;1;6;9;15c");
}

static size_t
vtq_da2(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033[>1;1;0c");
}

/* DA3: the unit id, all zeros. */
static size_t
vtq_da3(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033P!|00000000\033\\");
}

static size_t
vtq_dsr(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033[0n");
}

/* The cursor's column, 1-based; a pending wrap still reports the last
 * column, as xterm does. */
static unsigned
vtq_col(const struct aa_vtq_term *t)
{
	return (t->x < t->cols ? t->x : t->cols > 0 ? t->cols - 1 : 0) + 1;
}

static size_t
vtq_cpr(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)item, (void)bel;
	return vtq_printf(out, "\033[%u;%uR", t->y + 1, vtq_col(t));
}

/* DECXCPR adds the page, always 1. */
static size_t
vtq_xcpr(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)item, (void)bel;
	return vtq_printf(out, "\033[?%u;%u;1R", t->y + 1, vtq_col(t));
}

static size_t
vtq_xtversion(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033P>|agentapi-c %s\033\\",
	    AA_VERSION_STRING);
}

/* DECRPM's value for a boolean mode: 1 set, 2 reset. */
static int
vtq_rpm(int on)
{
	return on ? 1 : 2;
}

/* DECRQM: the real state of the modes known here, 0 for the others. */
static size_t
vtq_decrqm(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	int mode = vtq_arg0(q) < 0 ? 0 : vtq_arg0(q), ps = 0;

	(void)item, (void)bel;
	if (q->prefix == '?') {
		switch (mode) {
		case 1:
			ps = vtq_rpm(t->app_cursor);
			break;
		case 6:
			ps = vtq_rpm(t->origin);
			break;
		case 7:
			ps = vtq_rpm(t->autowrap);
			break;
		case 25:
			ps = vtq_rpm(t->cursor_visible);
			break;
		case 47:
		case 1047:
		case 1049:
			ps = vtq_rpm(t->alternate);
			break;
		case 2004:
			ps = vtq_rpm(t->bracketed);
			break;
		case 2026:
			ps = vtq_rpm(t->sync);
			break;
		}
	} else if (mode == 4) {
		ps = vtq_rpm(t->insert);
	}
	return vtq_printf(out, "\033[%s%d;%d$y", q->prefix == '?' ? "?" : "",
	    mode, ps);
}

/* The kitty keyboard protocol's flags: none, keys come as in xterm. */
static size_t
vtq_kitty(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033[?0u");
}

static size_t
vtq_winpx(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)item, (void)bel;
	return vtq_printf(out, "\033[4;%u;%ut", t->rows * VTQ_CELL_H,
	    t->cols * VTQ_CELL_W);
}

static size_t
vtq_cellpx(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033[6;%d;%dt", VTQ_CELL_H, VTQ_CELL_W);
}

static size_t
vtq_winch(const struct aa_vtq_csi *q, const struct aa_vtq_term *t, int item,
    int bel, char *out)
{
	(void)q, (void)item, (void)bel;
	return vtq_printf(out, "\033[8;%u;%ut", t->rows, t->cols);
}

static size_t
vtq_screench(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)item, (void)bel;
	return vtq_printf(out, "\033[9;%u;%ut", t->rows, t->cols);
}

/* One colour report "OSC what ; rgb:rrrr/gggg/bbbb", BEL or ST. */
static size_t
vtq_rgb(char *out, const char *what, unsigned r, unsigned g, unsigned b,
    int bel)
{
	return vtq_printf(out, "\033]%s;rgb:%02x%02x/%02x%02x/%02x%02x%s",
	    what, r, r, g, g, b, b, bel ? "\a" : "\033\\");
}

/* OSC 10 and 12 (foreground, cursor): libtsm's foreground. */
static size_t
vtq_osc_fg(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)t;
	return vtq_rgb(out, item == 12 ? "12" : "10", VTQ_FG, VTQ_FG, VTQ_FG,
	    bel);
}

static size_t
vtq_osc_bg(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)t, (void)item;
	return vtq_rgb(out, "11", VTQ_BG, VTQ_BG, VTQ_BG, bel);
}

/* The RGB value of xterm palette entry i (libtsm's palette for 0-15). */
static void
vtq_palette(unsigned i, unsigned rgb[3])
{
	static const unsigned char base[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 },
		{ 229, 229, 229 }, { 127, 127, 127 }, { 255, 0, 0 },
		{ 0, 255, 0 }, { 255, 255, 0 }, { 92, 92, 255 },
		{ 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	static const unsigned char cube[6] = {
		0, 0x5f, 0x87, 0xaf, 0xd7, 0xff
	};
	unsigned k;

	if (i < 16) {
		for (k = 0; k < 3; k++)
			rgb[k] = base[i][k];
	} else if (i < 232) {
		i -= 16;
		rgb[0] = cube[i / 36];
		rgb[1] = cube[(i / 6) % 6];
		rgb[2] = cube[i % 6];
	} else
		rgb[0] = rgb[1] = rgb[2] = (i - 232) * 10 + 8;
}

/* OSC 4: palette entry item (0-255). */
static size_t
vtq_osc_palette(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	unsigned rgb[3];
	char what[16];

	(void)q, (void)t;
	vtq_palette((unsigned)item, rgb);
	snprintf(what, sizeof(what), "4;%d", item);
	return vtq_rgb(out, what, rgb[0], rgb[1], rgb[2], bel);
}

/* The OSC row for number ps, or NULL. */
static const struct aa_vtq_row *
vtq_find_osc(int ps)
{
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(vtq_rows); i++)
		if (vtq_rows[i].kind == AA_VTQ_OSC && vtq_rows[i].arg == ps)
			return &vtq_rows[i];
	return NULL;
}

/* Reads a decimal number at *s (at most 5 digits); -1 if there is none. */
static int
vtq_num(const char **s)
{
	int v = -1, nd = 0;

	while (**s >= '0' && **s <= '9' && nd < 5) {
		v = (v < 0 ? 0 : v * 10) + (**s - '0');
		(*s)++;
		nd++;
	}
	return v;
}

/* Is s at a "?" item (followed by ';' or the end)? */
static int
vtq_ask(const char *s)
{
	return s[0] == '?' && (s[1] == ';' || s[1] == '\0');
}

/* Sends row r's reply for item through emit; 1 if there was one. */
static size_t
vtq_emit(const struct aa_vtq_row *r, int item, int bel,
    void (*emit)(void *, const char *, size_t), void *ud)
{
	char out[AA_VTQ_REPLY_MAX];
	size_t n;

	if (r == NULL || (n = r->reply(NULL, NULL, item, bel, out)) == 0)
		return 0;
	emit(ud, out, n);
	return 1;
}

size_t
aa_vtq_osc(const char *s, int bel,
    void (*emit)(void *ud, const char *reply, size_t n), void *ud)
{
	size_t count = 0;
	int ps, idx;

	ps = vtq_num(&s);
	if (*s != ';')
		return 0;
	if (ps >= 10 && ps <= 19) {
		/* "10;?;?" asks for 10 then 11, as in xterm. */
		for (idx = ps; *s == ';' && idx <= 19; idx++) {
			s++;
			if (vtq_ask(s))
				count += vtq_emit(vtq_find_osc(idx), idx, bel,
				    emit, ud);
			while (*s != ';' && *s != '\0')
				s++;
		}
	} else if (ps == 4) {
		while (*s == ';') {
			s++;
			idx = vtq_num(&s);
			if (*s != ';')
				return count;
			s++;
			if (vtq_ask(s) && idx >= 0 && idx < 256)
				count += vtq_emit(vtq_find_osc(4), idx, bel,
				    emit, ud);
			while (*s != ';' && *s != '\0')
				s++;
		}
	}
	return count;
}

/* ---- DCS: XTGETTCAP and DECRQSS ---- */

/* The agent's TERM if there is one to report. */
static const char *
vtq_term_name(const struct aa_vtq_term *t)
{
	if (t == NULL || t->term == NULL || t->term[0] == '\0' ||
	    strlen(t->term) > AA_VTQ_TERM_MAX)
		return NULL;
	return t->term;
}

/* Appends s in hex (two lowercase digits a byte) at out[*n], within
 * AA_VTQ_REPLY_MAX; returns 0 if it did not fit. */
static int
vtq_hex(char *out, size_t *n, const char *s)
{
	static const char digits[] = "0123456789abcdef";

	for (; *s != '\0'; s++) {
		if (*n + 2 >= AA_VTQ_REPLY_MAX)
			return 0;
		out[(*n)++] = digits[(unsigned char)*s >> 4];
		out[(*n)++] = digits[(unsigned char)*s & 15];
	}
	out[*n] = '\0';
	return 1;
}

/* XTGETTCAP: capability item, "DCS 1 + r name=value ST" in hex; none
 * (0) when there is no value to give.  What is claimed follows TERM:
 * the agent was told it, so its terminfo entry is what it expects. */
static size_t
vtq_xtgettcap(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	const char *term = vtq_term_name(t), *value = NULL;
	size_t n;

	(void)q, (void)bel;
	if (item == VTQ_CAP_TN)
		value = term;
	else if ((item == VTQ_CAP_CO || item == VTQ_CAP_COLORS) &&
	    term != NULL && strstr(term, "256color") != NULL)
		value = "256";
	if (value == NULL || item < 0 ||
	    (size_t)item >= AA__ARRAY_SIZE(vtq_caps))
		return 0;
	n = vtq_printf(out, "\033P1+r");
	if (n == 0 || !vtq_hex(out, &n, vtq_caps[item]) ||
	    n + 1 >= AA_VTQ_REPLY_MAX)
		return 0;
	out[n++] = '=';
	if (!vtq_hex(out, &n, value) || n + 2 >= AA_VTQ_REPLY_MAX)
		return 0;
	memcpy(out + n, "\033\\", 3);
	return n + 2;
}

/* DECRQSS SGR: the default rendition (vtquery.h says why). */
static size_t
vtq_rqss_sgr(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)t, (void)item, (void)bel;
	return vtq_printf(out, "\033P1$r0m\033\\");
}

/* DECRQSS DECSCUSR: the last cursor style set (0 and the default are 1,
 * a blinking block). */
static size_t
vtq_rqss_scusr(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)item, (void)bel;
	return vtq_printf(out, "\033P1$r%d q\033\\", t->cursor_style > 0 ?
	    t->cursor_style : 1);
}

/* DECRQSS DECSTBM: libtsm's scroll region, 1-based; none if unknown. */
static size_t
vtq_rqss_stbm(const struct aa_vtq_csi *q, const struct aa_vtq_term *t,
    int item, int bel, char *out)
{
	(void)q, (void)item, (void)bel;
	if (!t->margins_known)
		return 0;
	return vtq_printf(out, "\033P1$r%u;%ur\033\\", t->margin_top + 1,
	    t->margin_bottom + 1);
}

/* The value of hex digit c, -1 for none. */
static int
vtq_xdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* XTGETTCAP's names, hex-encoded and ';'-separated: one reply each, as
 * kitty does; DCS 0 + r hex ST for a name we have no value for, and one
 * DCS 0 + r ST ending the answer at something that is no hex name. */
static size_t
vtq_getcap(const struct aa_vtq_row *r, const char *s,
    const struct aa_vtq_term *t,
    void (*emit)(void *, const char *, size_t), void *ud)
{
	char name[32], out[AA_VTQ_REPLY_MAX];
	size_t count = 0, nl, n, i;

	for (;;) {
		const char *start = s;
		int hi, lo, bad = 0;

		for (nl = 0; *s != '\0' && *s != ';'; s += 2) {
			hi = vtq_xdigit(s[0]);
			lo = hi < 0 ? -1 : vtq_xdigit(s[1]);
			if (lo < 0 || nl + 1 >= sizeof(name)) {
				bad = 1;
				break;
			}
			name[nl++] = (char)(hi << 4 | lo);
		}
		if (bad || s == start) {
			emit(ud, "\033P0+r\033\\", 7);
			return count + 1;
		}
		name[nl] = '\0';
		n = 0;
		for (i = 0; i < AA__ARRAY_SIZE(vtq_caps); i++)
			if (strcmp(name, vtq_caps[i]) == 0)
				n = r->reply(NULL, t, (int)i, 0, out);
		if (n == 0)
			n = vtq_printf(out, "\033P0+r%.*s\033\\",
			    (int)(s - start), start);
		if (n > 0)
			emit(ud, out, n);
		count++;
		if (*s != ';')
			return count;
		s++;
	}
}

size_t
aa_vtq_dcs(const char *p, const struct aa_vtq_term *t,
    void (*emit)(void *ud, const char *reply, size_t n), void *ud)
{
	char out[AA_VTQ_REPLY_MAX];
	size_t i, n;

	for (i = 0; i < AA__ARRAY_SIZE(vtq_rows); i++) {
		const struct aa_vtq_row *r = &vtq_rows[i];

		if (r->kind != AA_VTQ_DCS)
			continue;
		if (r->reply == vtq_xtgettcap) {
			if (strncmp(p, r->dcs, 2) == 0)
				return vtq_getcap(r, p + 2, t, emit, ud);
			continue;
		}
		if (strcmp(p, r->dcs) != 0)
			continue;
		if ((n = r->reply(NULL, t, 0, 0, out)) == 0)
			break;
		emit(ud, out, n);
		return 1;
	}
	/* A setting DECRQSS does not report, or could not read. */
	if (strncmp(p, "$q", 2) == 0) {
		emit(ud, "\033P0$r\033\\", 7);
		return 1;
	}
	return 0;
}
