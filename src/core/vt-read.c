/*
 * vt-read.c - the row reader: aa_vt's screen text out of libtsm 4.0.2
 * (../shared/spec/deps.md §2, core.md §1.4).
 *
 * This is the one place coupled to libtsm 4.0.2's internal layout.
 * Screen text costs in proportion to what changed.  tsm_screen_draw, the
 * emulator's only public way to read cells, walks and calls back for every
 * cell (7 M instructions at 80x1000 before our callback does anything), so
 * the rows are read from libtsm's own line array instead, whose layout in
 * 4.0.2 is mirrored below and checked twice: at compile time against the
 * offsets its binary uses, at aa_vt_new on a probe screen against
 * tsm_screen_draw (aa_vt_reader_check).  libtsm stamps every cell it
 * writes or erases with an age (a counter it bumps per operation), blank
 * cells it inserts too (insert/delete characters), and it moves whole line
 * objects to scroll, insert or delete lines and to switch to the alternate
 * screen.  A read re-renders only the rows whose line object moved or
 * whose cells or line are as new as the last read, and splices them into
 * the cached text in place; the rest stays as it was.  (libtsm's
 * screen-wide age is of no use: every erase sets it.)  What the ages
 * cannot vouch for (a counter that wrapped, a resize, a scrollback view, a
 * combined symbol) reads all rows.  If the probe fails, every read goes
 * through tsm_screen_draw, which needs nothing private; a libtsm whose
 * layout changed thus costs speed, not correctness.
 * aa_vt_text_full keeps that path for the tests that prove both agree.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libtsm.h>

#include "base/aa-internal.h"
#include "base/text.h"
#include "core/vt-read.h"

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

/* Appends the whole screen to b through tsm_screen_draw, the emulator's
 * one public way to read cells: it walks and calls back for all of them. */
int
aa_vt_draw_full(struct tsm_screen *scr, struct aa_buf *b)
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

int
aa_vt_reader_margins(int direct, struct tsm_screen *scr, unsigned *top,
    unsigned *bottom)
{
	const struct vt_tsm_screen *m = (const void *)scr;

	if (!direct || m->margin_bottom >= m->size_y ||
	    m->margin_top > m->margin_bottom)
		return -1;
	*top = m->margin_top;
	*bottom = m->margin_bottom;
	return 0;
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
	    aa_vt_draw_full(scr, &want) != 0)
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
vt_rows_size(struct aa_vt_reader *r, unsigned rows)
{
	size_t *off;
	const struct vt_tsm_line **line;

	if (rows == r->nrows && r->row_off != NULL)
		return 0;
	off = realloc(r->row_off, ((size_t)rows + 1) * sizeof(*off));
	if (off == NULL)
		return AA_ENOMEM;
	r->row_off = off;
	line = realloc(r->row_line, (size_t)rows * sizeof(*line));
	if (line == NULL)
		return AA_ENOMEM;
	r->row_line = line;
	r->nrows = rows;
	return 0;
}

/* Replaces row y of the text t by the bytes in r->row. */
static int
vt_splice(struct aa_vt_reader *r, struct aa_buf *t, unsigned y)
{
	size_t a = r->row_off[y], z = r->row_off[y + 1], n = r->row.len;
	unsigned j;

	if (n > z - a && aa_buf_reserve(t, n - (z - a)) != 0)
		return AA_ENOMEM;
	memmove(t->data + a + n, t->data + z, t->len - z + 1);
	memcpy(t->data + a, r->row.data, n);
	t->len = t->len - (z - a) + n;
	for (j = y + 1; j <= r->nrows; j++)
		r->row_off[j] = r->row_off[j] - (z - a) + n;
	return 0;
}

/*
 * Brings text up to date from libtsm's lines.  Only the rows that
 * changed since the last read are rendered and spliced into the text in
 * place; past VT_SPLICE_MAX of them (a scroll, a new screen) every row
 * is rendered afresh.  Returns 0, 1 when only tsm_screen_draw can read
 * this screen, or AA_ENOMEM.
 */
static int
vt_read_direct(struct aa_vt_reader *r, struct tsm_screen *scr,
    struct aa_buf *text)
{
	const struct vt_tsm_screen *m = (const void *)scr;
	const struct vt_tsm_line *l;
	unsigned rows = m->size_y, cols = m->size_x, y, nd = 0, i;
	unsigned dirty[VT_SPLICE_MAX];
	int full, rc;

	if (m->sb_pos != NULL || m->lines == NULL)
		return 1;
	/* The screen age is no use: libtsm sets it on every erase too. */
	full = !r->rows_ok || rows != r->nrows || cols != r->ncols ||
	    m->age_reset || m->age_cnt < r->seen;
	for (y = 0; y < rows && !full; y++) {
		l = m->lines[y];
		if (l == r->row_line[y] && !vt_line_changed(l, cols,
		    r->seen))
			continue;
		if (nd == VT_SPLICE_MAX)
			full = 1;
		else
			dirty[nd++] = y;
	}
	r->rows_ok = 0;
	if (full) {
		if ((rc = vt_rows_size(r, rows)) < 0)
			return rc;
		aa_buf_reset(text);
		for (y = 0; y < rows; y++) {
			r->row_off[y] = text->len;
			r->row_line[y] = m->lines[y];
			if ((rc = vt_direct_row(text, m->lines[y], cols,
			    y)) != 0)
				return rc;
		}
		r->row_off[rows] = text->len;
	} else {
		for (i = 0; i < nd; i++) {
			y = dirty[i];
			aa_buf_reset(&r->row);
			if ((rc = vt_direct_row(&r->row, m->lines[y], cols,
			    y)) != 0 || (rc = vt_splice(r, text, y)) != 0)
				return rc;
			r->row_line[y] = m->lines[y];
		}
	}
	r->ncols = cols;
	r->seen = m->age_cnt;
	r->rows_ok = 1;
	return 0;
}

void
aa_vt_reader_init(struct aa_vt_reader *r)
{
	memset(r, 0, sizeof(*r));
	aa_buf_init(&r->row);
}

void
aa_vt_reader_release(struct aa_vt_reader *r)
{
	aa_buf_release(&r->row);
	free(r->row_off);
	free(r->row_line);
	r->row_off = NULL;
	r->row_line = NULL;
}

int
aa_vt_reader_check(struct tsm_screen *scr)
{
	return vt_direct_probe() && vt_direct_sane(scr);
}

void
aa_vt_reader_forget(struct aa_vt_reader *r)
{
	r->rows_ok = 0;
}

int
aa_vt_reader_read(struct aa_vt_reader *r, struct tsm_screen *scr,
    struct aa_buf *text)
{
	int rc = 1;

	if (r->direct)
		rc = vt_read_direct(r, scr, text);
	if (rc == 1) {
		r->rows_ok = 0;
		aa_buf_reset(text);
		rc = aa_vt_draw_full(scr, text);
	}
	if (rc < 0) {
		r->rows_ok = 0;
		aa_buf_reset(text);
	}
	return rc;
}
