/*
 * test-sse.c - aa_sse: subscriber sets with bounded queues, the resume
 * ring, the heartbeat and the stream's close callback.
 *
 * Everything runs on one loop: the real HTTP server on 127.0.0.1 port 0,
 * and clients that are libuv TCP handles on the same loop, so a test
 * decides exactly when a client reads.  A slow client is one that stopped
 * reading with a small receive buffer: once the kernel's buffers are full
 * the stream has to queue, and its limits (count, bytes, age) decide.
 * Waits run the loop until a predicate holds or a deadline passes; each
 * case ends by closing the server and the stream through their close
 * callbacks and asserting uv_loop_close() == 0.
 */
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <uv.h>

#include "test.h"

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/event.h"
#include "http/http.h"
#include "http/sse.h"

#define MAX_CLIENTS 4
#define BIG_EVENT (64 * 1024)

struct fix;

/* A client on the test's loop: every byte received, and what happened. */
struct cli {
	struct fix *f;
	uv_tcp_t tcp;
	uv_connect_t conn;
	uv_write_t wr;
	char req[512];
	struct aa_buf in;
	int connected, paused, eof, closed;
	char rbuf[16 * 1024];
};

struct fix {
	uv_loop_t loop;
	uv_timer_t deadline;
	int timed_out;
	struct aa_http_server *http;
	struct aa_sse_stream *stream;
	int port;
	int parts_closed;  /* close callbacks of the server and the stream */
	int stream_closed; /* the stream's close callback ran */
	/* What the /sse handler saw, per subscriber in arrival order. */
	int nsubscribed;
	int id_rc[MAX_CLIENTS];	    /* aa_sse_last_event_id */
	uint64_t id[MAX_CLIENTS];
	int replay_rc[MAX_CLIENTS]; /* aa_sse_sub_replay_since, or 1 */
	struct cli c[MAX_CLIENTS];
	struct aa_event *full;	    /* what a full replay sends */
};

/* ---- the server side ---- */

/* GET /sse: subscribe, resume from Last-Event-ID if the ring allows, else
 * "replay everything" (here: one "full" event). */
static void
h_sse(struct aa_http_req *req, void *data)
{
	struct fix *f = data;
	struct aa_sse_sub *sub;
	int i = f->nsubscribed;

	if (aa_sse_subscribe(f->stream, req, &sub) != 0)
		return;
	f->nsubscribed++;
	f->replay_rc[i] = 1;
	f->id_rc[i] = aa_sse_last_event_id(req, &f->id[i]);
	if (f->id_rc[i] == 0 &&
	    (f->replay_rc[i] = aa_sse_sub_replay_since(sub, f->id[i])) == 0)
		return;
	aa_sse_sub_send(sub, f->full);
}

static const struct aa_http_route routes[] = {
	{ "GET", "/sse", h_sse, 0, 0 },
};

/* The server or the stream has closed and freed itself. */
static void
part_closed(void *ud)
{
	struct fix *f = ud;

	f->parts_closed++;
}

/* The stream alone has closed. */
static void
stream_closed(void *ud)
{
	struct fix *f = ud;

	f->stream_closed++;
	part_closed(f);
}

/* Ends a wait when its deadline passes. */
static void
deadline_cb(uv_timer_t *t)
{
	struct fix *f = t->data;

	f->timed_out = 1;
}

typedef int (*pred_fn)(struct fix *f, void *arg);

/* Runs the loop until pred holds or ms pass; returns pred's last value. */
static int
run_until(struct fix *f, pred_fn pred, void *arg, unsigned ms)
{
	f->timed_out = 0;
	uv_timer_start(&f->deadline, deadline_cb, ms, 0);
	while (!pred(f, arg) && !f->timed_out)
		uv_run(&f->loop, UV_RUN_ONCE);
	uv_timer_stop(&f->deadline);
	return pred(f, arg);
}

/* Starts the server and a stream with options so. */
static void
fix_init(struct fix *f, const struct aa_sse_options *so)
{
	struct aa_http_options ho;
	char *cause = NULL;

	memset(f, 0, sizeof(*f));
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(uv_loop_init(&f->loop), 0);
	uv_timer_init(&f->loop, &f->deadline);
	f->deadline.data = f;
	memset(&ho, 0, sizeof(ho));
	ho.addrs = (const char *const[]){ "127.0.0.1" };
	ho.naddrs = 1;
	ho.routes = routes;
	ho.nroutes = AA__ARRAY_SIZE(routes);
	ho.data = f;
	ASSERT_EQ(aa_http_server_new(&f->http, &f->loop, &ho, &cause), 0);
	f->port = aa_http_server_port(f->http);
	ASSERT_EQ(aa_sse_stream_new(&f->stream, &f->loop, so), 0);
	ASSERT_EQ(aa_event_new(&f->full, 0, "full", "{}", 2), 0);
}

static int
p_parts_closed(struct fix *f, void *arg)
{
	return f->parts_closed == *(int *)arg;
}

static void cli_close(struct cli *c);

/* Closes the clients, the stream (unless a case did) and the server, each
 * through its close callback, and checks nothing is left on the loop. */
static void
fix_done(struct fix *f)
{
	int i, want = 2;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (f->c[i].f != NULL)
			cli_close(&f->c[i]);
	if (f->stream != NULL)
		aa_sse_stream_close(f->stream, part_closed, f);
	else
		want = 1 + f->stream_closed;
	aa_http_server_close(f->http, part_closed, f);
	ASSERT(run_until(f, p_parts_closed, &want, 5000));
	uv_close((uv_handle_t *)&f->deadline, NULL);
	ASSERT_EQ(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
	ASSERT_EQ(f->parts_closed, want);
	ASSERT_EQ(uv_loop_close(&f->loop), 0);
	for (i = 0; i < MAX_CLIENTS; i++)
		aa_buf_release(&f->c[i].in);
	aa_event_unref(f->full);
}

/* ---- the clients ---- */

static void
cli_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct cli *c = h->data;

	(void)hint;
	b->base = c->rbuf;
	b->len = sizeof(c->rbuf);
}

static void
cli_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct cli *c = s->data;

	if (n > 0)
		ASSERT_EQ(aa_buf_append(&c->in, b->base, (size_t)n), 0);
	else if (n < 0) {
		c->eof = 1;
		uv_read_stop(s);
	}
}

static void
cli_written(uv_write_t *w, int status)
{
	(void)w;
	ASSERT_EQ(status, 0);
}

static void
cli_connected(uv_connect_t *r, int status)
{
	struct cli *c = r->data;
	uv_buf_t b = uv_buf_init(c->req, (unsigned)strlen(c->req));

	ASSERT_EQ(status, 0);
	c->connected = 1;
	ASSERT_EQ(uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1,
	    cli_written), 0);
	if (!c->paused)
		uv_read_start((uv_stream_t *)&c->tcp, cli_alloc, cli_read);
}

/* Opens client i with extra request header lines (may be ""); a paused
 * client has a small receive buffer and does not read until resumed. */
static struct cli *
cli_open(struct fix *f, int i, const char *headers, int paused)
{
	struct cli *c = &f->c[i];
	struct sockaddr_in sa;
	uv_os_fd_t fd;
	int small = 4096;

	c->f = f;
	c->paused = paused;
	aa_buf_init(&c->in);
	snprintf(c->req, sizeof(c->req),
	    "GET /sse HTTP/1.1\r\nHost: localhost\r\n%s\r\n", headers);
	ASSERT_EQ(uv_tcp_init_ex(&f->loop, &c->tcp, AF_INET), 0);
	c->tcp.data = c;
	c->conn.data = c;
	if (paused) {
		ASSERT_EQ(uv_fileno((uv_handle_t *)&c->tcp, &fd), 0);
		ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
		    sizeof(small)), 0);
	}
	ASSERT_EQ(uv_ip4_addr("127.0.0.1", f->port, &sa), 0);
	ASSERT_EQ(uv_tcp_connect(&c->conn, &c->tcp, (struct sockaddr *)&sa,
	    cli_connected), 0);
	return c;
}

static void
cli_resume(struct cli *c)
{
	c->paused = 0;
	ASSERT_EQ(uv_read_start((uv_stream_t *)&c->tcp, cli_alloc, cli_read),
	    0);
}

static void
cli_closed(uv_handle_t *h)
{
	struct cli *c = h->data;

	c->closed = 1;
}

static void
cli_close(struct cli *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, cli_closed);
}

/* The response head (up to the blank line), or "" before it arrived. */
static void
cli_head(const struct cli *c, struct aa_buf *out)
{
	const char *s = aa_buf_str(&c->in);
	const char *e = strstr(s, "\r\n\r\n");

	aa_buf_reset(out);
	if (e != NULL)
		ASSERT_EQ(aa_buf_append(out, s, (size_t)(e - s) + 4), 0);
}

/* The de-chunked body received so far (complete chunks only). */
static void
cli_body(const struct cli *c, struct aa_buf *out)
{
	const char *s = aa_buf_str(&c->in), *end = s + c->in.len, *p;
	unsigned long n;
	char *q;

	aa_buf_reset(out);
	if ((p = strstr(s, "\r\n\r\n")) == NULL)
		return;
	for (p += 4; p < end;) {
		n = strtoul(p, &q, 16);
		if (q == p || end - q < 2 || memcmp(q, "\r\n", 2) != 0)
			return;
		q += 2;
		if (n == 0 || (size_t)(end - q) < n + 2)
			return;
		ASSERT_EQ(aa_buf_append(out, q, n), 0);
		ASSERT(memcmp(q + n, "\r\n", 2) == 0);
		p = q + n + 2;
	}
}

/* Counts the occurrences of needle in the client's body. */
static int
cli_count(const struct cli *c, const char *needle)
{
	struct aa_buf b;
	const char *p;
	int n = 0;

	aa_buf_init(&b);
	cli_body(c, &b);
	for (p = aa_buf_str(&b); (p = strstr(p, needle)) != NULL; p++)
		n++;
	aa_buf_release(&b);
	return n;
}

/* ---- predicates ---- */

static int
p_nsubs(struct fix *f, void *arg)
{
	return aa_sse_nsubs(f->stream) == *(size_t *)arg;
}

/* What p_body_has looks for, and how far it has looked. */
struct body_has {
	int i;
	const char *needle;
	size_t from;
};

/* Client i's input holds the needle.  The raw input will do: a frame is
 * one chunk, so a needle within a frame is never split by chunk framing.
 * Each call scans only what arrived since the last, so waiting for the
 * end of megabytes stays linear. */
static int
p_body_has(struct fix *f, void *arg)
{
	struct body_has *a = arg;
	const struct aa_buf *in = &f->c[a->i].in;
	size_t n = strlen(a->needle);

	if (in->len < a->from + n)
		return 0;
	if (memmem(in->data + a->from, in->len - a->from, a->needle, n) !=
	    NULL)
		return 1;
	a->from = in->len - n + 1;
	return 0;
}

static int
p_eof(struct fix *f, void *arg)
{
	return f->c[*(int *)arg].eof;
}

/* Waits for n subscribers. */
static void
wait_subs(struct fix *f, size_t n)
{
	ASSERT(run_until(f, p_nsubs, &n, 5000));
}

/* Waits until client i's body holds needle. */
static void
wait_body(struct fix *f, int i, const char *needle)
{
	struct body_has a = { i, needle, 0 };
	const struct aa_buf *in = &f->c[i].in;

	if (!run_until(f, p_body_has, &a, 10000)) {
		fprintf(stderr, "client %d got %zu bytes, ending:\n%s\n", i,
		    in->len, aa_buf_str(in) + (in->len > 300 ? in->len - 300 :
		    0));
		ASSERT(!"the client never saw what it waited for");
	}
}

/* Publishes one event with the next id and data "n". */
static void
publish_small(struct fix *f, const char *name)
{
	struct aa_event *ev;
	char data[32];
	uint64_t id = aa_sse_next_id(f->stream);

	snprintf(data, sizeof(data), "%llu", (unsigned long long)id);
	ASSERT_EQ(aa_event_new(&ev, id, name, data, strlen(data)), 0);
	ASSERT_EQ(aa_sse_publish(f->stream, ev), 0);
	aa_event_unref(ev);
}

/* Publishes a BIG_EVENT-sized event whose data starts with "n <i>;" and
 * ends with ";end <i>", so a wait for the end waits for all of it. */
static void
publish_big(struct fix *f, int i)
{
	struct aa_event *ev;
	char *data = malloc(BIG_EVENT), tail[32];
	int k;

	ASSERT_NOT_NULL(data);
	memset(data, 'x', BIG_EVENT);
	k = snprintf(data, 32, "n %d;", i);
	data[k] = 'x';
	k = snprintf(tail, sizeof(tail), ";end %d", i);
	memcpy(data + BIG_EVENT - k, tail, (size_t)k);
	ASSERT_EQ(aa_event_new(&ev, aa_sse_next_id(f->stream), "screen", data,
	    BIG_EVENT), 0);
	free(data);
	ASSERT_EQ(aa_sse_publish(f->stream, ev), 0);
	aa_event_unref(ev);
}

/* ---- cases ---- */

/* The SSE head of spec http.md §4.1, then frames in publishing order. */
TEST(sse_head_and_frames_in_order)
{
	struct fix f;
	struct aa_buf b;
	int i;

	fix_init(&f, &(struct aa_sse_options){ .first_id = 7 });
	aa_buf_init(&b);
	cli_open(&f, 0, "", 0);
	cli_open(&f, 1, "Connection: close\r\n", 0);
	wait_subs(&f, 2);
	wait_body(&f, 0, "event: full");
	wait_body(&f, 1, "event: full");
	for (i = 0; i < 3; i++)
		publish_small(&f, "message_update");
	wait_body(&f, 0, "data: 9\n\n\r\n");
	wait_body(&f, 1, "data: 9\n\n\r\n");
	for (i = 0; i < 2; i++) {
		cli_head(&f.c[i], &b);
		ASSERT(strncmp(aa_buf_str(&b), "HTTP/1.1 200 OK\r\n", 17) == 0);
		ASSERT_NOT_NULL(strstr(aa_buf_str(&b),
		    "Content-Type: text/event-stream\r\n"));
		ASSERT_NOT_NULL(strstr(aa_buf_str(&b),
		    "Cache-Control: no-cache, no-store, must-revalidate\r\n"));
		ASSERT_NOT_NULL(strstr(aa_buf_str(&b), "Pragma: no-cache\r\n"));
		ASSERT_NOT_NULL(strstr(aa_buf_str(&b), "Expires: 0\r\n"));
		ASSERT_NOT_NULL(strstr(aa_buf_str(&b),
		    "X-Accel-Buffering: no\r\n"));
		ASSERT_NOT_NULL(strstr(aa_buf_str(&b),
		    "Transfer-Encoding: chunked\r\n"));
		ASSERT_NULL(strstr(aa_buf_str(&b), "Content-Length"));
		cli_body(&f.c[i], &b);
		ASSERT_STR_EQ(aa_buf_str(&b), "event: full\ndata: {}\n\n"
		    "id: 7\nevent: message_update\ndata: 7\n\n"
		    "id: 8\nevent: message_update\ndata: 8\n\n"
		    "id: 9\nevent: message_update\ndata: 9\n\n");
	}
	/* A client that asked to close is not told keep-alive. */
	cli_head(&f.c[0], &b);
	ASSERT_NOT_NULL(strstr(aa_buf_str(&b), "Connection: keep-alive\r\n"));
	cli_head(&f.c[1], &b);
	ASSERT_NULL(strstr(aa_buf_str(&b), "Connection: keep-alive"));
	aa_buf_release(&b);
	fix_done(&f);
}

/* One event, many subscribers: each queues a reference, not a copy; the
 * ring keeps one until the event falls out of it. */
TEST(sse_fan_out_shares_the_event)
{
	struct aa_event *ev;
	struct fix f;
	int i;

	fix_init(&f, &(struct aa_sse_options){ .ring = 2 });
	for (i = 0; i < 3; i++)
		cli_open(&f, i, "", 0);
	wait_subs(&f, 3);
	ASSERT_EQ(aa_event_new(&ev, aa_sse_next_id(f.stream), "e", "shared",
	    6), 0);
	ASSERT_EQ(aa_sse_publish(f.stream, ev), 0);
	for (i = 0; i < 3; i++)
		wait_body(&f, i, "data: shared\n\n\r\n");
	/* Written and released by every connection: ours and the ring's. */
	ASSERT_EQ(ev->refs, 2);
	publish_small(&f, "e");
	ASSERT_EQ(ev->refs, 2);
	publish_small(&f, "e");
	ASSERT_EQ(ev->refs, 1); /* pushed out of the ring of two */
	aa_event_unref(ev);
	fix_done(&f);
}

/* Last-Event-ID: what the ring still holds is resent, anything else is a
 * full replay; ids are plain decimal numbers. */
TEST(sse_resume_from_the_ring)
{
	static const struct {
		const char *hdr;
		int id_rc, replay_rc;
		const char *body;
	} cases[] = {
		/* ring of 3 holds 102, 103, 104 */
		{ "Last-Event-ID: 102\r\n", 0, 0,
		    "id: 103\nevent: e\ndata: 103\n\n"
		    "id: 104\nevent: e\ndata: 104\n\n" },
		{ "Last-Event-ID: 104\r\n", 0, 0, "" },
		{ "Last-Event-ID: 101\r\n", 0, 0,
		    "id: 102\nevent: e\ndata: 102\n\n"
		    "id: 103\nevent: e\ndata: 103\n\n"
		    "id: 104\nevent: e\ndata: 104\n\n" },
		{ "Last-Event-ID: 100\r\n", 0, AA_ENOENT,
		    "event: full\ndata: {}\n\n" },
		{ "Last-Event-ID: 105\r\n", 0, AA_ENOENT,
		    "event: full\ndata: {}\n\n" },
		{ "Last-Event-ID: 1o4\r\n", AA_ENOENT, 1,
		    "event: full\ndata: {}\n\n" },
		{ "Last-Event-ID: 99999999999999999999\r\n", AA_ENOENT, 1,
		    "event: full\ndata: {}\n\n" },
		{ "", AA_ENOENT, 1, "event: full\ndata: {}\n\n" },
	};
	static const char live[] = "id: 105\nevent: e\ndata: 105\n\n";
	struct aa_buf b, want;
	struct fix f;
	size_t i;
	int k;

	aa_buf_init(&b);
	aa_buf_init(&want);
	for (i = 0; i < AA__ARRAY_SIZE(cases); i++) {
		fix_init(&f, &(struct aa_sse_options){ .ring = 3,
		    .first_id = 100 });
		for (k = 0; k < 5; k++)
			publish_small(&f, "e");
		cli_open(&f, 0, cases[i].hdr, 0);
		wait_subs(&f, 1);
		/* Then one live event marks the end of the replay. */
		publish_small(&f, "e");
		wait_body(&f, 0, "data: 105\n\n\r\n");
		ASSERT_EQ(f.id_rc[0], cases[i].id_rc);
		ASSERT_EQ(f.replay_rc[0], cases[i].replay_rc);
		cli_body(&f.c[0], &b);
		aa_buf_reset(&want);
		ASSERT_EQ(aa_buf_printf(&want, "%s%s", cases[i].body, live), 0);
		ASSERT_STR_EQ(aa_buf_str(&b), aa_buf_str(&want));
		fix_done(&f);
	}
	aa_buf_release(&b);
	aa_buf_release(&want);
}

/* Leading zeros are fine; the id is a number. */
TEST(sse_last_event_id_is_decimal)
{
	struct fix f;

	fix_init(&f, &(struct aa_sse_options){ .first_id = 5 });
	publish_small(&f, "e");
	publish_small(&f, "e");
	cli_open(&f, 0, "Last-Event-ID: 0005\r\n", 0);
	wait_subs(&f, 1);
	wait_body(&f, 0, "data: 6\n\n\r\n");
	ASSERT_EQ(f.id_rc[0], 0);
	ASSERT_EQ(f.id[0], 5);
	ASSERT_EQ(f.replay_rc[0], 0);
	ASSERT_EQ(cli_count(&f.c[0], "event: full"), 0);
	fix_done(&f);
}

/* Client 0 has had two heartbeats (the de-chunked body: each ping is a
 * chunk of its own). */
static int
p_two_pings(struct fix *f, void *arg)
{
	(void)arg;
	return cli_count(&f->c[0], ": ping\n\n") >= 2;
}

/* A ": ping" comment every heartbeat_ms while someone listens. */
TEST(sse_heartbeat_pings)
{
	struct fix f;
	uint64_t t0;
	size_t zero = 0;

	fix_init(&f, &(struct aa_sse_options){ .heartbeat_ms = 40 });
	cli_open(&f, 0, "", 0);
	wait_subs(&f, 1);
	uv_update_time(&f.loop);
	t0 = uv_now(&f.loop);
	ASSERT(run_until(&f, p_two_pings, NULL, 5000));
	ASSERT_GE(uv_now(&f.loop) - t0, 2 * 40 - 10);
	ASSERT_EQ(cli_count(&f.c[0], "event: full"), 1);
	/* The subscriber leaves with its client. */
	cli_close(&f.c[0]);
	ASSERT(run_until(&f, p_nsubs, &zero, 5000));
	fix_done(&f);
}

/* Publishes big events until the slow client 0 is dropped, keeping the
 * fast client 1 (if any) caught up; returns how many were published. */
static int
flood_until_dropped(struct fix *f, int fast, int max)
{
	char needle[32];
	size_t one = 1;
	int n;

	for (n = 0; n < max && aa_sse_nsubs(f->stream) == 1 + (size_t)fast;
	    n++) {
		publish_big(f, n);
		/* A dropped subscriber leaves in its connection's close
		 * callback, which needs a loop turn. */
		uv_run(&f->loop, UV_RUN_NOWAIT);
		if (fast) {
			snprintf(needle, sizeof(needle), ";end %d\n\n\r\n", n);
			wait_body(f, 1, needle);
		}
	}
	if (fast)
		ASSERT(p_nsubs(f, &one));
	return n;
}

/* Past max_events queued events the slow client is disconnected; a fast
 * client on the same stream gets everything. */
TEST(sse_slow_client_dropped_by_count)
{
	struct fix f;
	int zero = 0, n;

	fix_init(&f, &(struct aa_sse_options){ .max_events = 8,
	    .max_bytes = (size_t)1 << 30, .max_age_ms = 600000 });
	cli_open(&f, 0, "", 1);
	wait_subs(&f, 1);
	cli_open(&f, 1, "", 0);
	wait_subs(&f, 2);
	n = flood_until_dropped(&f, 1, 2000);
	ASSERT_LT(n, 2000);
	ASSERT_GT(n, 8);
	ASSERT_EQ(cli_count(&f.c[1], "event: screen"), n);
	/* The slow client reads what was written, then the end. */
	cli_resume(&f.c[0]);
	ASSERT(run_until(&f, p_eof, &zero, 5000));
	ASSERT_LT(cli_count(&f.c[0], "event: screen"), n);
	fix_done(&f);
}

/* Past max_bytes queued (plus unwritten) bytes, likewise. */
TEST(sse_slow_client_dropped_by_bytes)
{
	struct fix f;
	int zero = 0, n;

	fix_init(&f, &(struct aa_sse_options){ .max_events = 100000,
	    .max_bytes = 8 * BIG_EVENT, .max_age_ms = 600000 });
	cli_open(&f, 0, "", 1);
	wait_subs(&f, 1);
	n = flood_until_dropped(&f, 0, 2000);
	ASSERT_LT(n, 2000);
	ASSERT_GT(n, 8);
	cli_resume(&f.c[0]);
	ASSERT(run_until(&f, p_eof, &zero, 5000));
	fix_done(&f);
}

/* A client whose oldest queued event is older than max_age_ms is dropped
 * by the heartbeat's check even when nothing more is published. */
TEST(sse_slow_client_dropped_by_age)
{
	struct fix f;
	size_t zero = 0, one = 1;
	uint64_t t0;
	int i;

	fix_init(&f, &(struct aa_sse_options){ .max_events = 100000,
	    .max_bytes = (size_t)1 << 30, .max_age_ms = 300,
	    .heartbeat_ms = 20 });
	cli_open(&f, 0, "", 1);
	wait_subs(&f, 1);
	uv_update_time(&f.loop);
	t0 = uv_now(&f.loop);
	/* Far more than the kernel buffers hold; no loop turn in between,
	 * so no time passes for the stream. */
	for (i = 0; i < 300; i++)
		publish_big(&f, i);
	ASSERT(p_nsubs(&f, &one));
	ASSERT(run_until(&f, p_nsubs, &zero, 5000));
	ASSERT_GE(uv_now(&f.loop) - t0, 300);
	fix_done(&f);
}

/* A latest-wins stream keeps one pending event per subscriber: a slow
 * client skips screens but always ends with the newest, in order. */
TEST(sse_latest_wins_skips_to_the_newest)
{
	struct aa_buf b;
	struct fix f;
	const char *p;
	int i, last = -1, k, frames = 0;

	fix_init(&f, &(struct aa_sse_options){ .latest_wins = 1,
	    .max_age_ms = 600000 });
	aa_buf_init(&b);
	cli_open(&f, 0, "", 1);
	wait_subs(&f, 1);
	for (i = 0; i < 200; i++)
		publish_big(&f, i);
	cli_resume(&f.c[0]);
	wait_body(&f, 0, ";end 199\n\n\r\n");
	ASSERT_EQ(aa_sse_nsubs(f.stream), 1);
	cli_body(&f.c[0], &b);
	for (p = aa_buf_str(&b); (p = strstr(p, "data: n ")) != NULL; p++) {
		k = atoi(p + 8);
		ASSERT_GT(k, last);
		last = k;
		frames++;
	}
	ASSERT_EQ(last, 199);
	ASSERT_LT(frames, 200);
	aa_buf_release(&b);
	fix_done(&f);
}

/* Closing the stream ends every subscriber's connection, ignores a
 * second call, and reports once, after which the server closes too. */
TEST(sse_close_reports_once_and_ends_subscribers)
{
	struct fix f;
	int one = 1, i;

	fix_init(&f, NULL);
	for (i = 0; i < 2; i++)
		cli_open(&f, i, "", 0);
	wait_subs(&f, 2);
	publish_small(&f, "e");
	wait_body(&f, 0, "data: 1\n\n\r\n");
	aa_sse_stream_close(f.stream, stream_closed, &f);
	aa_sse_stream_close(f.stream, stream_closed, &f); /* ignored */
	ASSERT_EQ(f.stream_closed, 0); /* never from inside the call */
	f.stream = NULL;
	ASSERT(run_until(&f, p_parts_closed, &one, 5000));
	for (i = 0; i < 2; i++)
		ASSERT(run_until(&f, p_eof, &i, 5000));
	ASSERT_EQ(f.stream_closed, 1);
	fix_done(&f);
	ASSERT_EQ(f.stream_closed, 1);
}
