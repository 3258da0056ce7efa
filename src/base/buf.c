/*
 * buf.c - aa_buf, a growable NUL-terminated byte buffer.
 *
 * Capacity doubles (with a small floor) so appends are amortised O(1).
 * All failures are reported as AA_ENOMEM; the buffer is left unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "base/buf.h"

void
aa_buf_init(struct aa_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
aa_buf_reset(struct aa_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
aa_buf_release(struct aa_buf *b)
{
	free(b->data);
	aa_buf_init(b);
}

int
aa_buf_reserve(struct aa_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return AA_ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		return AA_ENOMEM;
	b->data = p;
	b->cap = cap;
	b->data[b->len] = '\0';
	return 0;
}

int
aa_buf_append(struct aa_buf *b, const void *p, size_t n)
{
	if (aa_buf_reserve(b, n) != 0)
		return AA_ENOMEM;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
aa_buf_puts(struct aa_buf *b, const char *s)
{
	return aa_buf_append(b, s, strlen(s));
}

int
aa_buf_putc(struct aa_buf *b, char c)
{
	return aa_buf_append(b, &c, 1);
}

int
aa_buf_vprintf(struct aa_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return AA_EINVAL;
	if (aa_buf_reserve(b, (size_t)n) != 0)
		return AA_ENOMEM;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
aa_buf_printf(struct aa_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = aa_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
aa_buf_str(const struct aa_buf *b)
{
	return b->data != NULL ? b->data : "";
}

char *
aa_buf_steal(struct aa_buf *b, size_t *lenp)
{
	char *p;

	if (b->data == NULL && aa_buf_reserve(b, 0) != 0)
		return NULL;
	p = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	aa_buf_init(b);
	return p;
}

void
aa_buf_consume(struct aa_buf *b, size_t n)
{
	if (n >= b->len) {
		aa_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}
