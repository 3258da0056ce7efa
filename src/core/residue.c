/*
 * residue.c - dropping what today's TUIs draw around a reply once the
 * upstream input-box remover has done its part (see residue.h).
 *
 * Only ever shortens the remover's output from its ends, so the upstream
 * vectors, whose messages carry no such lines, are unaffected, and an
 * agent's readiness ("the remover found a box", §4.5) is unchanged.
 */
#include <string.h>

#include "base/aa-internal.h"
#include "core/residue.h"
#include "base/text.h"

/* Minimum width of a rule line, as for upstream's borders (§4.3). */
#define RESIDUE_RULE_MIN 15

/* 1 if the line is residue for fn, or blank. */
static int
residue_drop(aa_residue_fn fn, const struct aa_line *l)
{
	if (aa_text_is_blank(l->s, l->len))
		return 1;
	return fn != NULL && fn(l->s, l->len);
}

/* Runs box, then trims residue off both ends when a box was removed. */
int
aa_residue_box(aa_format_box_fn box, aa_residue_fn lead,
    aa_residue_fn trail, const char *s, size_t n, struct aa_buf *out)
{
	struct aa_buf tmp;
	struct aa_lines l;
	size_t a, b;
	int rc;

	aa_buf_init(&tmp);
	aa_lines_init(&l);
	if ((rc = box(s, n, &tmp)) < 0)
		goto out;
	if (tmp.len == n) {
		rc = aa_buf_append(out, tmp.data != NULL ? tmp.data : "",
		    tmp.len);
		goto out;
	}
	if ((rc = aa_lines_split(&l, tmp.data != NULL ? tmp.data : "",
	    tmp.len)) < 0)
		goto out;
	a = 0;
	b = l.n;
	while (b > a && residue_drop(trail, &l.v[b - 1]))
		b--;
	while (a < b && residue_drop(lead, &l.v[a]))
		a++;
	rc = aa_lines_join(&l, a, b, out);
	if (rc == 0)
		rc = aa_buf_append(out, "", 0);
out:
	aa_lines_release(&l);
	aa_buf_release(&tmp);
	return rc;
}

/* 1 if c is the line p with its glyph at the first non-space turned off. */
static int
residue_blinked(const char *glyph, const struct aa_line *p,
    const struct aa_line *c)
{
	size_t k = 0, g = strlen(glyph);

	while (k < p->len && p->s[k] == ' ')
		k++;
	if (g == 0 || p->len - k < g || memcmp(p->s + k, glyph, g) != 0 ||
	    c->len != p->len - g + 1)
		return 0;
	return memcmp(c->s, p->s, k) == 0 && c->s[k] == ' ' &&
	    memcmp(c->s + k + 1, p->s + k + g, p->len - k - g) == 0;
}

/* Restores the glyphs blinked off since the previous screen. */
int
aa_residue_hold(const char *glyph, const char *old, size_t oldlen,
    const char *cur, size_t curlen, struct aa_buf *out)
{
	struct aa_lines o, c;
	size_t i;
	int rc;

	aa_lines_init(&o);
	aa_lines_init(&c);
	if ((rc = aa_lines_split(&o, old != NULL ? old : "", oldlen)) < 0 ||
	    (rc = aa_lines_split(&c, cur != NULL ? cur : "", curlen)) < 0)
		goto out;
	for (i = 0; i < c.n && rc == 0; i++) {
		if (i > 0)
			rc = aa_buf_append(out, "\n", 1);
		if (rc != 0)
			break;
		/* Held lit, the line is the previous one again. */
		if (i < o.n && residue_blinked(glyph, &o.v[i], &c.v[i]))
			rc = aa_buf_append(out, o.v[i].s, o.v[i].len);
		else
			rc = aa_buf_append(out, c.v[i].s, c.v[i].len);
	}
	if (rc == 0)
		rc = aa_buf_append(out, "", 0);
out:
	aa_lines_release(&o);
	aa_lines_release(&c);
	return rc;
}

/* Tells whether a line is a horizontal rule of box-drawing blocks. */
int
aa_residue_is_rule(const char *s, size_t n)
{
	size_t i = 0, k, cells = 0;
	uint32_t cp;

	while (i < n) {
		k = aa_utf8_decode(s + i, n - i, &cp);
		i += k;
		if (cp == ' ')
			continue;
		if (cp != 0x2500 && cp != 0x2501 && cp != 0x2584 &&
		    cp != 0x2580)
			return 0;
		cells++;
	}
	return cells >= RESIDUE_RULE_MIN;
}

/* Tells whether a line contains needle. */
int
aa_residue_has(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* Tells whether a line, trimmed, starts with prefix. */
int
aa_residue_starts(const char *s, size_t n, const char *prefix)
{
	size_t a, b, k = strlen(prefix);

	aa_text_trim_space(s, n, &a, &b);
	return b - a >= k && memcmp(s + a, prefix, k) == 0;
}
