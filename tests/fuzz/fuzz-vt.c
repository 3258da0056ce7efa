/*
 * fuzz-vt.c - libFuzzer target for aa_vt: bytes -> filter -> libtsm -> text.
 *
 * The first bytes choose the screen size, the TERM (which XTGETTCAP
 * reports) and a chunking seed; the rest is fed twice: once whole to one
 * terminal, once in pseudo-random chunks (1-64 bytes) to another.  Both texts must be identical (any split of the
 * stream gives the same screen), valid UTF-8 with exactly `rows` lines,
 * and both terminals must have sent the same replies.  Every read of the
 * chunked terminal (incremental: only changed rows re-rendered) must equal
 * the full read through tsm_screen_draw.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/text.h"
#include "core/vt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Appends a reply to the buffer passed as user data (bounded). */
static void
fuzz_reply(void *ud, const char *p, size_t n)
{
	struct aa_buf *b = ud;

	if (b->len < 65536)
		(void)aa_buf_append(b, p, n);
}

/* Checks the text format: valid UTF-8, rows lines, no trailing spaces. */
static void
fuzz_check_text(const struct aa_buf *t, unsigned rows)
{
	size_t i, lines = 0;

	if (!aa_utf8_valid(t->data, t->len))
		abort();
	for (i = 0; i < t->len; i++) {
		if (t->data[i] != '\n')
			continue;
		lines++;
		if (i > 0 && t->data[i - 1] == ' ')
			abort();
	}
	if (lines != rows || t->len == 0 || t->data[t->len - 1] != '\n')
		abort();
}

/* Checks that the incremental text t equals vt's full read. */
static void
fuzz_check_full(struct aa_vt *vt, const struct aa_buf *t)
{
	struct aa_buf f;

	aa_buf_init(&f);
	if (aa_vt_text_full(vt, &f) != 0 || f.len != t->len ||
	    memcmp(f.data, t->data, f.len) != 0)
		abort();
	aa_buf_release(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const terms[] = { NULL, "vt100",
		"xterm-256color" };
	struct aa_vt_options o;
	struct aa_vt *a, *b;
	struct aa_buf ta, tb, ra, rb;
	uint32_t seed;
	size_t i, k;

	if (size < 3)
		return 0;
	memset(&o, 0, sizeof(o));
	o.cols = AA_VT_MIN_COLS + data[0] % 119;
	o.rows = 1 + data[1] % 40;
	/* The agent's TERM, which XTGETTCAP reports. */
	o.term = terms[(data[2] >> 1) % 3];
	seed = data[2] | 1u;
	data += 3;
	size -= 3;
	aa_buf_init(&ta);
	aa_buf_init(&tb);
	aa_buf_init(&ra);
	aa_buf_init(&rb);
	o.reply = fuzz_reply;
	o.ud = &ra;
	if (aa_vt_new(&a, &o) != 0)
		abort();
	o.ud = &rb;
	if (aa_vt_new(&b, &o) != 0)
		abort();
	aa_vt_feed(a, (const char *)data, size);
	for (i = 0; i < size; i += k) {
		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % 64;
		if (k > size - i)
			k = size - i;
		aa_vt_feed(b, (const char *)data + i, k);
		/* Reading mid-stream must not disturb anything. */
		if ((seed >> 8) % 16 == 0) {
			aa_buf_reset(&tb);
			if (aa_vt_text(b, &tb) != 0)
				abort();
			fuzz_check_text(&tb, o.rows);
			fuzz_check_full(b, &tb);
		}
	}
	aa_buf_reset(&tb);
	if (aa_vt_text(a, &ta) != 0 || aa_vt_text(b, &tb) != 0)
		abort();
	fuzz_check_text(&ta, o.rows);
	fuzz_check_full(a, &ta);
	fuzz_check_full(b, &tb);
	if (ta.len != tb.len || memcmp(ta.data, tb.data, ta.len) != 0)
		abort();
	if (ra.len != rb.len || (ra.len > 0 &&
	    memcmp(ra.data, rb.data, ra.len) != 0))
		abort();
	if (aa_vt_alt_screen(a) != aa_vt_alt_screen(b) ||
	    aa_vt_bracketed_paste(a) != aa_vt_bracketed_paste(b) ||
	    aa_vt_synchronized(a) != aa_vt_synchronized(b))
		abort();
	/* A resize afterwards keeps the format. */
	if (aa_vt_resize(a, o.rows < 2 ? 2 : o.rows, o.cols) != 0)
		abort();
	aa_buf_reset(&ta);
	if (aa_vt_text(a, &ta) != 0)
		abort();
	fuzz_check_text(&ta, o.cols);
	fuzz_check_full(a, &ta);
	aa_vt_free(a);
	aa_vt_free(b);
	aa_buf_release(&ta);
	aa_buf_release(&tb);
	aa_buf_release(&ra);
	aa_buf_release(&rb);
	return 0;
}
