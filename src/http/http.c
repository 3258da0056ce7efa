/*
 * http.c - the HTTP/1.1 server: listeners, connections, reading, timers.
 *
 * One connection = one uv_tcp_t (or uv_pipe_t, on the unix socket) + one
 * uv_timer_t + one aa_httpparse.
 * Input is parsed straight out of a server-wide read buffer; only bytes
 * left over while a request waits for its answer are copied into the
 * connection (bounded, reading stops past AA_HTTP_MAX_INPUT).  A request
 * moves through: head parsed -> checks/route -> body -> handler -> answer;
 * it is complete once it is answered and its message fully read (or the
 * connection is marked to close because the body was not read).  What a
 * parsed head, message end, parser error or timeout leads to (checks,
 * routing, mounts, the handler) is http-route.c's; the answer is
 * http-req.c's, and its bytes go out through http-out.c.
 *
 * Lifetimes follow libuv (STYLE 12): aa__http_conn_close() only marks and
 * calls uv_close(); the connection, and the on_close callback of an
 * abandoned request, go in the last close callback.  A connection that
 * must close after its answer shuts down its write side and keeps
 * discarding input for a moment ("lingering close"), so the client reads
 * the answer instead of a reset.
 *
 * Slow clients cannot pin descriptors: a request head has one deadline
 * from its first byte (from accept on a new connection), and connections
 * are kept below the descriptor limit less a reserve.  When the server is
 * full, or an accepted descriptor lands in the reserve, the oldest idle or
 * slow connection is closed to make room, so a new request is served
 * (issue 17: /status under thousands of slow clients).  The numbers and
 * the choice are http-shed.c's; the clock and the closing are here.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/http.h"
#include "http/http-private.h"
#include "http/httpparse.h"
#include "base/list.h"

#define AA_HTTP_MAX_INPUT (64 * 1024)  /* buffered unparsed input */
#define AA_HTTP_LINGER_MS 2000
#define AA_HTTP_LINGER_BYTES (1024 * 1024)
#define AA_HTTP_KEEP_IN (16 * 1024)    /* bigger input buffers are freed */

static void conn_resume_reading(struct aa_http_conn *);
static void server_maybe_free(struct aa_http_server *);

/* Finishes the current request: next one, or close after the output. */
void
aa__http_req_complete(struct aa_http_conn *c)
{
	struct aa_http_req *req = &c->req;

	if (!req->active)
		return;
	req->active = 0;
	c->served = 1;
	req->on_close = NULL;
	req->on_drain = NULL;
	if (req->close_after || c->p.status != 0) {
		c->want_close = 1;
		if (c->queued == 0)
			aa__http_conn_linger(c);
		return;
	}
	aa_httpparse_next(&c->p);
	if (!c->processing)
		aa__http_conn_process(c);
}

/* Feeds input to the parser and acts on what it reports; returns the
 * number of bytes consumed. */
static size_t
conn_feed(struct aa_http_conn *c, const char *data, size_t len)
{
	struct aa_http_req *req = &c->req;
	enum aa_httpparse_event ev;
	size_t off = 0, used;
	int again = 0;

	/* After a head llhttp needs one more call, even with no bytes left,
	 * to report the end of a body-less message. */
	while (off < len || again) {
		again = 0;
		if (c->closing || c->lingering || c->want_close)
			break;
		if (req->active && req->msg_done)
			break; /* waiting for the answer */
		if (!req->active && aa__http_conn_out_full(c))
			break; /* the client does not read its answers */
		ev = aa_httpparse_execute(&c->p, data + off, len - off, &used);
		off += used;
		if (ev == AA_HTTPPARSE_MORE)
			break;
		if (ev == AA_HTTPPARSE_HEAD) {
			aa__http_on_head(c);
			again = 1;
		}
		else if (ev == AA_HTTPPARSE_DONE)
			aa__http_on_done(c);
		else {
			aa__http_on_error(c);
			off = len;
		}
	}
	return off;
}

/* Parses what is buffered in c->in, then re-arms timers and reading. */
void
aa__http_conn_process(struct aa_http_conn *c)
{
	size_t used;

	if (c->processing || c->closing)
		return;
	c->processing = 1;
	if (c->in.len > 0) {
		used = conn_feed(c, c->in.data, c->in.len);
		aa_buf_consume(&c->in, used);
	}
	if (c->in.len == 0 && c->in.cap > AA_HTTP_KEEP_IN)
		aa_buf_release(&c->in);
	c->processing = 0;
	if (c->closing)
		return;
	if (c->peer_eof && !c->req.active && !c->lingering) {
		if (c->queued == 0)
			aa__http_conn_close(c);
		else
			c->want_close = 1;
		return;
	}
	conn_resume_reading(c);
	aa__http_conn_arm_timer(c);
}

/* The connection timer: idle, slow head/body, or end of lingering. */
static void
conn_timer_cb(uv_timer_t *t)
{
	struct aa_http_conn *c = t->data;

	if (c->closing)
		return;
	if (c->lingering) {
		aa__http_conn_close(c);
		return;
	}
	aa__http_on_timeout(c);
}

/*
 * Arms the connection timer for what the connection is waiting for.  The
 * request head has one deadline from its first byte, not a timeout that
 * each byte restarts: a client sending a byte every few seconds would
 * otherwise hold its connection (and a descriptor) forever (issue 17).
 * A body may take long, but not too slowly (the arithmetic of both is in
 * http-shed.c).
 */
void
aa__http_conn_arm_timer(struct aa_http_conn *c)
{
	const struct aa_http_options *o = &c->srv->o;
	struct aa_http_req *req = &c->req;
	uint64_t now, ms;

	if (c->closing || c->lingering)
		return;
	if (req->active && (req->msg_done || req->started)) {
		uv_timer_stop(&c->timer); /* handler or stream: no limit */
		return;
	}
	if (req->active) {
		ms = aa__http_body_ms(uv_now(c->srv->loop), c->body_t0,
		    o->read_timeout_ms, c->p.body_seen);
		uv_timer_start(&c->timer, conn_timer_cb, ms, 0);
	} else if (c->p.in_head || c->in.len > 0 || !c->served) {
		/* A new connection has until then to send its first head
		 * (Go's ReadHeaderTimeout); only keep-alive idles longer. */
		now = uv_now(c->srv->loop);
		if (!c->in_head_time) {
			c->in_head_time = 1;
			c->head_t0 = now;
		}
		ms = aa__http_head_ms(now, c->head_t0, o->read_timeout_ms);
		uv_timer_start(&c->timer, conn_timer_cb, ms, 0);
	} else {
		c->in_head_time = 0;
		uv_timer_start(&c->timer, conn_timer_cb, o->idle_timeout_ms,
		    0);
	}
}

/* Counts one dropped connection gone; the last one tells the owner. */
static void
drop_release(struct aa_http_drop *d)
{
	aa_http_close_cb cb = d->cb;
	void *ud = d->ud;

	if (--d->n > 0)
		return;
	free(d);
	if (cb != NULL)
		cb(ud);
}

void
aa_http_server_drop(struct aa_http_server *s, const void *data,
    aa_http_close_cb cb, void *ud)
{
	struct aa_http_drop *d;
	struct aa_http_conn *c;
	struct aa_list *it, *tmp;

	if (s == NULL || (d = calloc(1, sizeof(*d))) == NULL) {
		/* Without memory to count, nothing can be waited for: the
		 * connections are still closed (s set), the owner told. */
		if (s != NULL)
			AA_LIST_FOREACH_SAFE(it, tmp, &s->conns) {
				c = AA_LIST_ENTRY(it, struct aa_http_conn,
				    link);
				if (c->req.active && c->req.data == data)
					aa__http_conn_close(c);
			}
		if (cb != NULL)
			cb(ud);
		return;
	}
	d->n = 1; /* this call's own count */
	d->cb = cb;
	d->ud = ud;
	AA_LIST_FOREACH_SAFE(it, tmp, &s->conns) {
		c = AA_LIST_ENTRY(it, struct aa_http_conn, link);
		if (!c->req.active || c->req.data != data || c->drop != NULL)
			continue;
		c->drop = d;
		d->n++;
		aa__http_conn_close(c);
	}
	drop_release(d);
}

/* uv_close callback for both handles; the last one frees. */
static void
conn_close_cb(uv_handle_t *h)
{
	struct aa_http_conn *c = h->data;
	struct aa_http_server *s = c->srv;

	if (--c->nhandles > 0)
		return;
	if (c->req.on_close != NULL) {
		aa_http_req_cb fn = c->req.on_close;

		c->req.on_close = NULL;
		fn(&c->req, c->req.close_arg);
	}
	aa_list_remove(&c->link);
	s->nconns--;
	aa_httpparse_release(&c->p);
	aa_buf_release(&c->in);
	aa_buf_release(&c->out);
	aa_buf_release(&c->req.hdrs);
	if (c->drop != NULL)
		drop_release(c->drop);
	free(c);
	server_maybe_free(s);
}

/* Marks the connection closed and closes its handles (deferred free). */
void
aa__http_conn_close(struct aa_http_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->req.streaming = 0;
	uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
	uv_close((uv_handle_t *)&c->timer, conn_close_cb);
}

/* uv_shutdown callback of a lingering close. */
static void
conn_shutdown_cb(uv_shutdown_t *sh, int status)
{
	struct aa_http_conn *c = sh->data;

	if (status < 0 || c->peer_eof)
		aa__http_conn_close(c);
}

/* Sends FIN after the answer and drains input briefly before closing. */
void
aa__http_conn_linger(struct aa_http_conn *c)
{
	if (c->closing || c->lingering)
		return;
	c->lingering = 1;
	c->shut.data = c;
	if (c->peer_eof || uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp,
	    conn_shutdown_cb) != 0) {
		aa__http_conn_close(c);
		return;
	}
	uv_timer_start(&c->timer, conn_timer_cb, AA_HTTP_LINGER_MS, 0);
}

/* libuv alloc callback: the server-wide read buffer. */
static void
conn_alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct aa_http_conn *c = h->data;

	(void)hint;
	*b = uv_buf_init(c->srv->rbuf, sizeof(c->srv->rbuf));
}

/* The peer closed its side (or the socket failed). */
static void
conn_eof(struct aa_http_conn *c, ssize_t err)
{
	struct aa_http_req *req = &c->req;

	c->peer_eof = 1;
	uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = 0;
	/* Like Go's server, EOF during a request means the client is gone;
	 * only complete requests already buffered are still answered. */
	if (err != UV_EOF || c->lingering || req->active || c->in.len == 0) {
		aa__http_conn_close(c);
		return;
	}
	aa__http_conn_process(c);
}

/* libuv read callback. */
static void
conn_read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct aa_http_conn *c = st->data;
	size_t used;

	if (n == 0 || c->closing)
		return;
	if (n < 0) {
		conn_eof(c, n);
		return;
	}
	if (c->lingering) {
		c->lingered += (size_t)n;
		if (c->lingered > AA_HTTP_LINGER_BYTES)
			aa__http_conn_close(c);
		return;
	}
	if (c->in.len == 0 && !c->processing) {
		c->processing = 1;
		used = conn_feed(c, b->base, (size_t)n);
		c->processing = 0;
		if (used < (size_t)n && !c->closing && !c->lingering &&
		    aa_buf_append(&c->in, b->base + used, (size_t)n - used))
			aa__http_conn_close(c);
	} else if (aa_buf_append(&c->in, b->base, (size_t)n) != 0)
		aa__http_conn_close(c);
	if (c->closing)
		return;
	if (c->in.len > AA_HTTP_MAX_INPUT && c->reading) {
		uv_read_stop(st);
		c->reading = 0;
	}
	aa__http_conn_process(c);
}

/* Returns how much c may be closed to make room (aa__http_shed_rank). */
static int
conn_shed_rank(const struct aa_http_conn *c)
{
	struct aa_http_shed sh = {
		.closing = c->closing,
		.lingering = c->lingering,
		.active = c->req.active,
		.served = c->served,
		.in_head = c->p.in_head != 0,
		.has_input = c->in.len > 0,
		.msg_done = c->req.msg_done,
		.started = c->req.started,
		.in_handler = c->req.in_handler,
	};

	return aa__http_shed_rank(&sh);
}

/* Closes the oldest connection of the lowest rank (not keep); returns 0,
 * or -1 when every connection is doing useful work. */
static int
server_shed_one(struct aa_http_server *s, struct aa_http_conn *keep)
{
	struct aa_http_conn *best = NULL, *c;
	struct aa_list *it;
	int take, best_rank = 4;

	AA_LIST_FOREACH(it, &s->conns) {
		c = AA_LIST_ENTRY(it, struct aa_http_conn, link);
		if (c == keep || (take = aa__http_shed_consider(&best_rank,
		    conn_shed_rank(c))) == 0)
			continue;
		best = c;
		if (take == 2)
			break; /* the list is oldest first */
	}
	if (best == NULL)
		return -1;
	/* An abandoned request hears of it on close. */
	aa__http_conn_close(best);
	return 0;
}

/*
 * The descriptor table is full and accept() failed.  libuv first tries
 * its own reserve-descriptor trick (accept and close what waits) and
 * tells us only when that could not run: make room by closing idle and
 * slow connections, and keep fewer from now on so the table does not
 * fill up again.
 */
static void
server_emfile(struct aa_http_server *s)
{
	size_t i, n = s->nconns / 16 + 4;

	for (i = 0; i < n; i++)
		if (server_shed_one(s, NULL) != 0)
			break;
	if (s->nconns > 16 && s->nconns < s->cap)
		s->cap = s->nconns;
}

/* Accepts one connection. */
static void
server_conn_cb(uv_stream_t *lis, int status)
{
	struct aa_http_server *s = lis->data;
	struct aa_http_conn *c;
	uv_os_fd_t fd;

	if (s->closing)
		return;
	if (status == UV_EMFILE || status == UV_ENFILE) {
		server_emfile(s);
		return;
	}
	if (status < 0)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->srv = s;
	c->req.conn = c;
	aa_httpparse_init(&c->p);
	aa_buf_init(&c->in);
	aa_buf_init(&c->out);
	aa_buf_init(&c->req.hdrs);
	if (lis == (uv_stream_t *)&s->ulis)
		uv_pipe_init(s->loop, &c->pipe, 0);
	else
		uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->nhandles = 2;
	aa_list_insert_tail(&s->conns, &c->link);
	s->nconns++;
	if (uv_accept(lis, (uv_stream_t *)&c->tcp) != 0) {
		aa__http_conn_close(c);
		return;
	}
	if (lis == (uv_stream_t *)&s->ulis) {
		struct ucred cr;
		socklen_t crlen = sizeof(cr);

		/* Only our own user may talk to the socket: the directory's
		 * mode says so too, this says so whatever the mode is. */
		if (uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) != 0 ||
		    cr.uid != geteuid()) {
			aa__http_conn_close(c);
			return;
		}
		c->trusted = 1;
	}
	/* Full: the oldest idle or slow connection makes room for the new
	 * one, so a fresh request is served while slow clients wait. */
	if (s->nconns > s->cap && server_shed_one(s, c) != 0) {
		aa__http_conn_close(c);
		return;
	}
	/* The kernel hands out the lowest free descriptor, so one this high
	 * means every lower one is taken (by connections or by anything
	 * else in the process): free two before accept() fails, since
	 * libuv then drops the waiting connections unseen. */
	if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 && fd >= s->fd_high) {
		server_shed_one(s, c);
		server_shed_one(s, c);
	}
	if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb,
	    conn_read_cb) != 0) {
		aa__http_conn_close(c);
		return;
	}
	c->reading = 1;
	/* Like Go's server: no Nagle delay, answers are written whole. */
	if (!c->trusted)
		uv_tcp_nodelay(&c->tcp, 1);
	aa__http_conn_arm_timer(c);
}

/* Restarts reading once buffered input went down again. */
static void
conn_resume_reading(struct aa_http_conn *c)
{
	if (!c->reading && !c->peer_eof && !c->closing && !c->lingering &&
	    c->in.len < AA_HTTP_MAX_INPUT) {
		if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc_cb,
		    conn_read_cb) == 0)
			c->reading = 1;
	}
}

/* Frees the server once every handle it owns has closed, then tells the
 * owner. */
static void
server_maybe_free(struct aa_http_server *s)
{
	aa_http_close_cb cb = s->close_cb;
	void *ud = s->close_ud;

	if (!s->closing || s->pending > 0 || s->nconns > 0)
		return;
	free(s);
	if (cb != NULL)
		cb(ud);
}

/* uv_close callback of a listener. */
static void
server_lis_close_cb(uv_handle_t *h)
{
	struct aa_http_server *s = h->data;

	s->pending--;
	server_maybe_free(s);
}

/* Binds and listens on one numeric address; 0 or a libuv error. */
static int
server_listen_one(struct aa_http_server *s, const char *addr, int port)
{
	struct sockaddr_storage ss;
	char host[64];
	uv_tcp_t *t = &s->lis[s->nlis];
	size_t n = strlen(addr);
	unsigned flags = 0;
	int rc;

	if (n >= sizeof(host))
		return UV_EINVAL;
	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']') {
		memcpy(host, addr + 1, n - 2);
		host[n - 2] = '\0';
	} else
		memcpy(host, addr, n + 1);
	if (strchr(host, ':') != NULL) {
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
		flags = UV_TCP_IPV6ONLY;
	} else
		rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&ss);
	if (rc != 0)
		return rc;
	uv_tcp_init(s->loop, t);
	t->data = s;
	s->nlis++;
	s->pending++;
	if ((rc = uv_tcp_bind(t, (struct sockaddr *)&ss, flags)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)t, 511, server_conn_cb)) != 0) {
		uv_close((uv_handle_t *)t, server_lis_close_cb);
		return rc;
	}
	s->live[s->nlis - 1] = 1;
	return 0;
}

/* Binds and listens on the unix socket path (mode 0600); 0 or a libuv
 * error. */
static int
server_listen_unix(struct aa_http_server *s, const char *path)
{
	int rc;

	uv_pipe_init(s->loop, &s->ulis, 0);
	s->ulis.data = s;
	s->pending++;
	if ((rc = uv_pipe_bind(&s->ulis, path)) != 0 ||
	    (rc = chmod(path, 0600) != 0 ? uv_translate_sys_error(errno) : 0)
	    != 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->ulis, 511, server_conn_cb)) !=
	    0) {
		uv_close((uv_handle_t *)&s->ulis, server_lis_close_cb);
		return rc;
	}
	s->ulive = 1;
	return 0;
}

/* Reads back the port the first listener got. */
static int
server_bound_port(struct aa_http_server *s)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);

	if (uv_tcp_getsockname(&s->lis[s->nlis - 1], (struct sockaddr *)&ss,
	    &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Caps the connections below the descriptor limit (aa__http_fd_cap). */
static size_t
server_fd_cap(size_t max_conns, int *high)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return aa__http_fd_cap(max_conns, SIZE_MAX, high);
	return aa__http_fd_cap(max_conns, (size_t)rl.rlim_cur, high);
}

int
aa_http_server_new(struct aa_http_server **out, uv_loop_t *loop,
    const struct aa_http_options *o, char **cause)
{
	static const char *const defaults[] = { "127.0.0.1", "::1" };
	const char *const *addrs;
	struct aa_http_server *s;
	struct sigaction sa;
	size_t i, naddrs;
	int rc, port, nlive = 0;

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	if (loop == NULL || o == NULL || (o->nroutes > 0 && o->routes == NULL))
		return AA_EINVAL;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return AA_ENOMEM;
	s->loop = loop;
	s->o = *o;
	if (s->o.idle_timeout_ms == 0)
		s->o.idle_timeout_ms = 120000;
	if (s->o.read_timeout_ms == 0)
		s->o.read_timeout_ms = 5000;
	if (s->o.max_conns == 0)
		s->o.max_conns = 16384;
	s->cap = server_fd_cap(s->o.max_conns, &s->fd_high);
	if (s->o.send_error == NULL)
		s->o.send_error = aa_http_send_error_text;
	aa_list_init(&s->conns);
	addrs = o->addrs != NULL ? o->addrs : defaults;
	naddrs = o->addrs != NULL ? o->naddrs : AA__ARRAY_SIZE(defaults);
	port = o->port;
	for (i = 0; i < naddrs && i < AA_HTTP_MAX_LISTEN; i++) {
		rc = server_listen_one(s, addrs[i], port);
		if (rc != 0 && o->addrs == NULL && i > 0)
			continue; /* no IPv6 loopback here: fine by default */
		if (rc != 0) {
			if (cause != NULL) {
				struct aa_buf b;

				aa_buf_init(&b);
				aa_buf_printf(&b, "listen tcp %s:%d: %s",
				    addrs[i], port, uv_strerror(rc));
				*cause = aa_buf_steal(&b, NULL);
			}
			aa_http_server_close(s, NULL, NULL);
			return rc == UV_ENOMEM ? AA_ENOMEM : AA_EIO;
		}
		if (port == 0)
			port = server_bound_port(s);
		nlive++;
	}
	if (o->unix_path != NULL) {
		if ((rc = server_listen_unix(s, o->unix_path)) != 0) {
			if (cause != NULL) {
				struct aa_buf b;

				aa_buf_init(&b);
				aa_buf_printf(&b, "listen unix %s: %s",
				    o->unix_path, uv_strerror(rc));
				*cause = aa_buf_steal(&b, NULL);
			}
			aa_http_server_close(s, NULL, NULL);
			return rc == UV_ENOMEM ? AA_ENOMEM : AA_EIO;
		}
		nlive++;
	}
	if (nlive == 0) {
		aa_http_server_close(s, NULL, NULL);
		return AA_EINVAL;
	}
	s->port = port;
	*out = s;
	return 0;
}

void
aa_http_server_close(struct aa_http_server *s, aa_http_close_cb cb, void *ud)
{
	struct aa_list *it, *tmp;
	int i;

	if (s == NULL || s->closing)
		return;
	s->closing = 1;
	s->close_cb = cb;
	s->close_ud = ud;
	for (i = 0; i < s->nlis; i++)
		if (s->live[i]) {
			s->live[i] = 0;
			uv_close((uv_handle_t *)&s->lis[i],
			    server_lis_close_cb);
		}
	if (s->ulive) {
		s->ulive = 0;
		uv_close((uv_handle_t *)&s->ulis, server_lis_close_cb);
	}
	AA_LIST_FOREACH_SAFE(it, tmp, &s->conns)
		aa__http_conn_close(AA_LIST_ENTRY(it, struct aa_http_conn,
		    link));
	server_maybe_free(s);
}

int
aa_http_server_port(const struct aa_http_server *s)
{
	return s->port;
}

size_t
aa_http_server_nconns(const struct aa_http_server *s)
{
	return s->nconns;
}
