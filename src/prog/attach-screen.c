/*
 * attach-screen.c - what `agentapi-c attach` draws in the local terminal:
 * the last screen the server sent and the status line under it.  On a
 * terminal the bottom rows that fit go above the status line (reverse
 * video, the agent's state first so a narrow terminal cuts the end), each
 * row cleared to its end rather than the whole screen, so nothing
 * flickers; autowrap is off (attach.c sets it) so a wider screen is
 * clipped.  Anywhere else the whole screen is written after a clear, as
 * upstream does.  Text from the server reaches the status line only with
 * its control bytes shown as '?'.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "prog/attach.h"
#include "prog/attach-private.h"

/* Reads the local terminal's size into a->cols/rows (0 when unknown). */
void
attach_local_size(struct attach *a)
{
	struct winsize ws;

	if ((ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 ||
		ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) &&
	    ws.ws_col > 0 && ws.ws_row > 0) {
		a->cols = ws.ws_col;
		a->rows = ws.ws_row;
	} else
		a->cols = a->rows = 0;
}

/* Appends s to b with control bytes shown as '?', at most max columns
 * (one per character: UTF-8 sequences are never cut); returns the columns
 * used. */
static size_t
put_clean(struct aa_buf *b, const char *s, size_t max)
{
	unsigned char c;
	size_t used = 0;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if ((c & 0xc0) != 0x80 && used++ == max)
			break;
		aa_buf_putc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	return used > max ? max : used;
}

/* Appends the status line (last row, reverse video) to b. */
static void
put_status(struct attach *a, struct aa_buf *b)
{
	struct aa_buf t;
	size_t n;

	if (!a->tty || a->rows < 2 || a->cols == 0)
		return;
	aa_buf_init(&t);
	/* The state first: a narrow terminal cuts the end of the line. */
	if (a->state_text[0] != '\0')
		aa_buf_printf(&t, " agent: %s |", a->state_text);
	aa_buf_printf(&t, " attached to %s; detach with %s", a->url,
	    a->keys_name);
	aa_buf_printf(b, "\x1b" "7\x1b[%u;1H\x1b[7m", a->rows);
	for (n = put_clean(b, aa_buf_str(&t), a->cols); n < a->cols; n++)
		aa_buf_putc(b, ' ');
	aa_buf_puts(b, "\x1b[m\x1b" "8");
	aa_buf_release(&t);
}

/*
 * Draws the last screen.  On a terminal: the bottom rows that fit above
 * the status line, each line cleared to its end (no full clear, so no
 * flicker), autowrap being off so a wider screen is clipped.  Elsewhere:
 * the whole screen after a clear, as upstream.
 */
void
attach_draw(struct attach *a)
{
	const char *s = a->last != NULL ? a->last : "", *p, *nl;
	size_t nlines = 0, avail, skip, i = 0;
	struct aa_buf b;

	aa_buf_init(&b);
	if (!a->tty || a->rows < 2) {
		aa_buf_puts(&b, "\x1b[H\x1b[2J");
		for (p = s; *p != '\0'; p++) {
			if (*p == '\n')
				aa_buf_putc(&b, '\r');
			aa_buf_putc(&b, *p);
		}
		if (b.len == 7 || b.data[b.len - 1] != '\n')
			aa_buf_puts(&b, "\r\n");
		goto out;
	}
	if (*s != '\0')
		for (nlines = 1, p = s; *p != '\0'; p++)
			nlines += *p == '\n';
	avail = a->rows - 1;
	skip = nlines > avail ? nlines - avail : 0;
	aa_buf_puts(&b, "\x1b[H");
	for (p = s; *p != '\0' || i < nlines; i++) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (i >= skip) {
			if (i > skip)
				aa_buf_puts(&b, "\r\n");
			aa_buf_append(&b, p, (size_t)(nl - p));
			aa_buf_puts(&b, "\x1b[K");
		}
		if (*nl == '\0')
			break;
		p = nl + 1;
	}
	aa_buf_puts(&b, "\x1b[J");
	put_status(a, &b);
out:
	if (b.data != NULL)
		attach_write_all(STDOUT_FILENO, b.data, b.len);
	aa_buf_release(&b);
}

/* Redraws the status line alone. */
void
attach_draw_status(struct attach *a)
{
	struct aa_buf b;

	aa_buf_init(&b);
	put_status(a, &b);
	if (b.data != NULL)
		attach_write_all(STDOUT_FILENO, b.data, b.len);
	aa_buf_release(&b);
}
