/*
 * vt-throughput.c - how fast aa_vt parses agent output and renders text.
 *
 * Generates a mixed stream like a busy agent's (SGR 16/256/truecolor,
 * CJK, emoji, box drawing, a CUP+EL every 7th line, CR+EL redraws, a
 * clear screen every 40 lines), feeds it in 4 KiB chunks as PTY reads
 * arrive, and reports MiB/s; then times aa_vt_text on a full 80x1000
 * screen, both re-rendered (after a one-byte change) and cached.
 *
 * Usage: vt-throughput [MiB]   (default 32)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "vt.h"

/* Returns a monotonic time in seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends the mixed stream's line i to b. */
static void
gen_line(struct aa_buf *b, unsigned i)
{
	static const char *words[] = { "agent", "中文字", "😀", "│", "╭──╮",
		"⏺", "reading", "files", "✻", "const", "é", "tool" };
	unsigned k;

	if (i % 40 == 0)
		aa_buf_puts(b, "\033[2J\033[H");
	if (i % 7 == 0)
		aa_buf_printf(b, "\033[%u;1H\033[K", 1 + i % 20);
	if (i % 5 == 0)
		aa_buf_puts(b, "\033[33m✢ Working…\033[0m\r\033[2K");
	for (k = 0; k < 9; k++) {
		switch ((i + k) % 4) {
		case 0:
			aa_buf_printf(b, "\033[%um", 31 + (i + k) % 7);
			break;
		case 1:
			aa_buf_printf(b, "\033[38;5;%um", (i * 7 + k) % 256);
			break;
		case 2:
			aa_buf_printf(b, "\033[38;2;%u;%u;%um", i % 256, k * 20,
			    (i + k) % 256);
			break;
		}
		aa_buf_puts(b, words[(i + k) % 12]);
		aa_buf_puts(b, " ");
	}
	aa_buf_puts(b, "\033[0m\r\n");
}

/* Feeds the stream in 4 KiB chunks; returns the seconds it took. */
static double
feed_all(struct aa_vt *vt, const struct aa_buf *s)
{
	double t0 = now();
	size_t i, k;

	for (i = 0; i < s->len; i += k) {
		k = s->len - i < 4096 ? s->len - i : 4096;
		aa_vt_feed(vt, s->data + i, k);
	}
	return now() - t0;
}

int
main(int argc, char **argv)
{
	struct aa_vt_options o;
	struct aa_vt *vt;
	struct aa_buf s, t;
	double mib = argc > 1 ? atof(argv[1]) : 32, best, dt;
	unsigned i, rep, n = 2000;

	aa_buf_init(&s);
	aa_buf_init(&t);
	for (i = 0; s.len < mib * 1048576; i++)
		gen_line(&s, i);
	memset(&o, 0, sizeof(o));
	for (rep = 0; rep < 2; rep++) {
		o.cols = 80;
		o.rows = rep == 0 ? 24 : 1000;
		best = 1e9;
		for (i = 0; i < 3; i++) {
			if (aa_vt_new(&vt, &o) != 0)
				return 1;
			dt = feed_all(vt, &s);
			best = dt < best ? dt : best;
			aa_vt_free(vt);
		}
		printf("feed  %ux%-4u mixed stream %.0f MiB: %.1f MiB/s\n",
		    o.cols, o.rows, s.len / 1048576.0,
		    s.len / 1048576.0 / best);
	}
	/* A full 80x1000 screen of text, then text reads. */
	o.rows = 1000;
	if (aa_vt_new(&vt, &o) != 0)
		return 1;
	aa_buf_reset(&s);
	for (i = 0; i < 1000; i++)
		aa_buf_printf(&s, "%s%4u \033[32m⏺\033[0m line with some "
		    "words, 中文 and an emoji 😀 to be realistic....", i ? "\r\n"
		    : "", i);
	aa_vt_feed(vt, s.data, s.len);
	dt = now();
	for (i = 0; i < n; i++) {
		aa_vt_feed(vt, i % 2 ? "a" : "b", 1);
		aa_buf_reset(&t);
		aa_vt_text(vt, &t);
	}
	dt = now() - dt;
	printf("text  80x1000 full screen (%zu bytes), re-rendered: "
	    "%.0f us\n", t.len, dt / n * 1e6);
	dt = now();
	for (i = 0; i < n; i++) {
		aa_buf_reset(&t);
		aa_vt_text(vt, &t);
	}
	dt = now() - dt;
	printf("text  80x1000 unchanged (cached copy): %.1f us\n",
	    dt / n * 1e6);
	aa_vt_free(vt);
	aa_buf_release(&s);
	aa_buf_release(&t);
	return 0;
}
