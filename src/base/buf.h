/*
 * buf.h - aa_buf, a growable byte buffer.
 *
 * The buffer is a value type the caller embeds (init/reset/release, after
 * lwan's strbuf).  Its data is always NUL-terminated, so it can be handed
 * to code that wants a C string, but it may also hold NUL bytes: len is
 * authoritative.  Growth is bounded by the caller's checks, never here;
 * every append reports ENOMEM instead of aborting.
 */
#ifndef AA_BUF_H
#define AA_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct aa_buf {
	char *data; /* NUL-terminated; NULL only before the first append */
	size_t len;
	size_t cap;
};

/* Initialises an empty buffer that owns no memory. */
void aa_buf_init(struct aa_buf *b);
/* Empties the buffer but keeps its memory for reuse. */
void aa_buf_reset(struct aa_buf *b);
/* Frees the buffer's memory and leaves it empty. */
void aa_buf_release(struct aa_buf *b);
/* Makes room for at least extra more bytes (plus the NUL). */
int aa_buf_reserve(struct aa_buf *b, size_t extra);
/* Appends n bytes. */
int aa_buf_append(struct aa_buf *b, const void *p, size_t n);
/* Appends a C string. */
int aa_buf_puts(struct aa_buf *b, const char *s);
/* Appends one byte. */
int aa_buf_putc(struct aa_buf *b, char c);
/* Appends printf-formatted text. */
int aa_buf_printf(struct aa_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends printf-formatted text from a va_list. */
int aa_buf_vprintf(struct aa_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns the data as a C string ("" for a buffer that never grew). */
const char *aa_buf_str(const struct aa_buf *b);
/* Hands the data to the caller (malloc'd, NUL-terminated) and empties b. */
char *aa_buf_steal(struct aa_buf *b, size_t *lenp);
/* Removes the first n bytes. */
void aa_buf_consume(struct aa_buf *b, size_t n);

#endif /* AA_BUF_H */
