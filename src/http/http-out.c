/*
 * http-out.c - a connection's output, in order.
 *
 * Everything a connection sends goes through aa__http_conn_write():
 * uv_try_write first, and what the kernel did not take goes into one
 * uv_write request, queued behind the earlier ones, so answers and stream
 * chunks leave in the order they were written.  Parts the caller keeps
 * (stream chunks with a release function) are referenced, the rest
 * copied.  When the queue drains the connection closes (after its last
 * answer), a stream's owner may send more, or the next pipelined request
 * is read; a client that pipelines without reading its answers is not
 * read further past AA_HTTP_PIPELINE_OUT queued bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "http/http-private.h"

#define AA_HTTP_PIPELINE_OUT (256 * 1024) /* stop answering past this */

/* Frees a write request after its data went out (or was cancelled). */
static void
write_done(struct aa_http_conn *c, struct aa_http_write *w)
{
	c->queued -= w->len;
	if (w->release != NULL)
		w->release(w->arg);
	free(w);
}

/* Output drained: close, tell the stream owner, or resume input. */
static void
conn_drained(struct aa_http_conn *c)
{
	if (c->closing)
		return;
	if (c->want_close) {
		aa__http_conn_linger(c);
		return;
	}
	if (c->req.streaming && c->req.on_drain != NULL) {
		c->req.on_drain(&c->req, c->req.drain_arg);
		return;
	}
	aa__http_conn_process(c);
}

/* uv_write callback. */
static void
write_cb(uv_write_t *wr, int status)
{
	struct aa_http_write *w = (struct aa_http_write *)wr;
	struct aa_http_conn *c = wr->handle->data;

	write_done(c, w);
	if (status < 0) {
		aa__http_conn_close(c);
		return;
	}
	if (c->queued == 0)
		conn_drained(c);
}

/*
 * Writes bufs: uv_try_write first, then a uv_write of the rest.  Buffers
 * whose bit is set in keep are the caller's until release(arg) runs; the
 * others are copied if they have to wait.
 */
int
aa__http_conn_write(struct aa_http_conn *c, const uv_buf_t *bufs, unsigned n,
    unsigned keep, void (*release)(void *), void *arg)
{
	struct aa_http_write *w;
	size_t total = 0, done = 0, copy = 0, skip, off = 0;
	unsigned i, nb = 0;
	int r;

	if (c->closing || c->lingering) {
		if (release != NULL)
			release(arg);
		return AA_ECANCELED;
	}
	for (i = 0; i < n; i++)
		total += bufs[i].len;
	if (c->queued == 0) {
		r = uv_try_write((uv_stream_t *)&c->tcp, bufs, n);
		if (r >= 0)
			done = (size_t)r;
		else if (r != UV_EAGAIN) {
			if (release != NULL)
				release(arg);
			aa__http_conn_close(c);
			return AA_EIO;
		}
	}
	if (done == total) {
		if (release != NULL)
			release(arg);
		return 0;
	}
	skip = done;
	for (i = 0; i < n; i++) {
		size_t l = bufs[i].len > skip ? bufs[i].len - skip : 0;

		skip -= bufs[i].len - l;
		if (l > 0 && (keep & (1u << i)) == 0)
			copy += l;
	}
	if ((w = malloc(sizeof(*w) + copy)) == NULL) {
		if (release != NULL)
			release(arg);
		aa__http_conn_close(c);
		return AA_ENOMEM;
	}
	skip = done;
	for (i = 0; i < n; i++) {
		size_t l = bufs[i].len > skip ? bufs[i].len - skip : 0;
		const char *p = bufs[i].base + (bufs[i].len - l);

		skip -= bufs[i].len - l;
		if (l == 0)
			continue;
		if ((keep & (1u << i)) == 0) {
			memcpy(w->data + off, p, l);
			p = w->data + off;
			off += l;
		}
		w->bufs[nb++] = uv_buf_init((char *)p, (unsigned)l);
	}
	w->release = release;
	w->arg = arg;
	w->len = total - done;
	if ((r = uv_write(&w->w, (uv_stream_t *)&c->tcp, w->bufs, nb,
	    write_cb)) != 0) {
		w->len = 0;
		write_done(c, w);
		aa__http_conn_close(c);
		return AA_EIO;
	}
	c->queued += w->len;
	return 0;
}

int
aa__http_conn_out_full(const struct aa_http_conn *c)
{
	return c->queued > AA_HTTP_PIPELINE_OUT;
}
