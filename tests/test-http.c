/*
 * test-http.c - the HTTP server and SSE fan-out over real loopback sockets.
 *
 * Each case starts a server on 127.0.0.1 port 0 with a small route table,
 * runs a scripted client in a thread with plain blocking sockets (every
 * read has a 5 s timeout), and ends by freeing the server and asserting
 * uv_loop_close() == 0.  The client asks the loop to shut down through a
 * uv_async_t, the only thread-safe libuv call.
 */
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <uv.h>

#include "test.h"

#include "http/access.h"
#include "base/aa-internal.h"
#include "http/http.h"
#include "api/json.h"
#include "http/sse.h"

struct fix;
typedef void (*client_fn)(struct fix *f);

struct fix {
	uv_loop_t loop;
	uv_async_t done;
	uv_timer_t tick;
	void (*tick_fn)(struct fix *f);
	struct aa_http_server *srv;
	struct aa_sse_stream *sse;
	struct aa_access *access;
	int port;
	client_fn client;
	pthread_t th;
	int release[2]; /* server -> client "go on" pipe */
	/* counters the handlers and callbacks update */
	int async_closed;
	int upload_bytes;
	int had_sub;
	int sub_dropped;
	size_t max_queued;
	int published;
	struct aa_http_req *pending;
	int done_sent;
	int drain_fd; /* client socket + 1 whose bytes the server must read */
	int parts_closed; /* close callbacks of the server and the stream */
};

static void tick_cb(uv_timer_t *t);

/* ---- handlers ---- */

static void
h_hello(struct aa_http_req *req, void *data)
{
	(void)data;
	aa_http_reply(req, 200, "text/plain", "hello\n", 6);
}

static void
h_echo(struct aa_http_req *req, void *data)
{
	size_t len;
	const char *b = aa_http_req_body(req, &len);

	(void)data;
	aa_http_reply(req, 200, "application/octet-stream", b, len);
}

static void
h_json(struct aa_http_req *req, void *data)
{
	cJSON *o = cJSON_CreateObject();

	(void)data;
	cJSON_AddStringToObject(o, "status", "stable");
	aa_json_send(req, 200, "StatusResponseBody", o);
	cJSON_Delete(o);
}

static void
h_big(struct aa_http_req *req, void *data)
{
	size_t n = 8u << 20;
	char *b = malloc(n);

	(void)data;
	memset(b, 'x', n);
	aa_http_reply(req, 200, "text/plain", b, n);
	free(b);
}

static void
async_closed(struct aa_http_req *req, void *arg)
{
	struct fix *f = arg;

	(void)req;
	f->async_closed++;
	f->pending = NULL;
}

static void
async_fire(uv_timer_t *t)
{
	struct fix *f = t->data;

	if (f->pending != NULL) {
		aa_http_reply(f->pending, 200, "text/plain", "later\n", 6);
		f->pending = NULL;
	}
}

static void
h_async(struct aa_http_req *req, void *data)
{
	struct fix *f = data;

	f->pending = req;
	aa_http_req_on_close(req, async_closed, f);
	f->tick.data = f;
	uv_timer_start(&f->tick, async_fire, 20, 0);
}

/* A /never request was closed: tells the client (release pipe). */
static void
never_closed(struct aa_http_req *req, void *arg)
{
	struct fix *f = arg;

	async_closed(req, arg);
	ASSERT_EQ(write(f->release[1], "c", 1), 1);
}

/* Never answers; tells the client it got the request (release pipe). */
static void
h_never(struct aa_http_req *req, void *data)
{
	struct fix *f = data;

	f->pending = req;
	aa_http_req_on_close(req, never_closed, f);
	ASSERT_EQ(write(f->release[1], "r", 1), 1);
}

static void
h_sse(struct aa_http_req *req, void *data)
{
	struct fix *f = data;
	struct aa_sse_sub *sub;
	struct aa_event *ev;

	if (aa_sse_subscribe(f->sse, req, &sub) != 0)
		return;
	f->had_sub = 1;
	aa_event_new(&ev, 0, "status_change", "{\"status\":\"stable\"}", 19);
	aa_sse_sub_send(sub, ev);
	aa_event_unref(ev);
}

static int
upload_sink(void *arg, const char *p, size_t n)
{
	struct fix *f = arg;

	(void)p;
	f->upload_bytes += (int)n;
	return 0;
}

static void
upload_done(struct aa_http_req *req, void *arg)
{
	struct fix *f = arg;
	char msg[32];

	snprintf(msg, sizeof(msg), "%d", f->upload_bytes);
	aa_http_reply(req, 200, "text/plain", msg, strlen(msg));
}

static void
h_upload(struct aa_http_req *req, void *data)
{
	aa_http_req_set_body_sink(req, upload_sink, upload_done, data);
}

static const struct aa_http_route routes[] = {
	{ "GET", "/hello", h_hello, 0, 0 },
	{ "POST", "/echo", h_echo, 100, 0 },
	{ "GET", "/json", h_json, 0, 0 },
	{ "GET", "/big", h_big, 0, 0 },
	{ "GET", "/async", h_async, 0, 0 },
	{ "GET", "/never", h_never, 0, 0 },
	{ "GET", "/sse", h_sse, 0, 0 },
	{ "POST", "/upload", h_upload, 1u << 20, AA_HTTP_STREAM_BODY },
	{ "PUT", "/echo", h_echo, 0, 0 },
	{ "GET", "/pub/", h_hello, 0, AA_HTTP_PREFIX | AA_HTTP_PUBLIC },
};

/* ---- fixture ---- */

static void
close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* The server or the stream has closed and freed itself. */
static void
part_closed(void *ud)
{
	struct fix *f = ud;

	f->parts_closed++;
}

static void
on_done(uv_async_t *a)
{
	struct fix *f = a->data;

	aa_http_server_close(f->srv, part_closed, f);
	aa_sse_stream_close(f->sse, part_closed, f);
	uv_close((uv_handle_t *)&f->done, NULL);
	uv_close((uv_handle_t *)&f->tick, NULL);
}

static void *
client_main(void *arg)
{
	struct fix *f = arg;

	f->client(f);
	if (!f->done_sent)
		uv_async_send(&f->done);
	return NULL;
}

/* The transport's refusals as problem+json, as the API sets them up. */
static void
send_problem(struct aa_http_req *req, int status, const char *detail)
{
	(void)aa_json_send_error(req, status, detail);
}

/* Runs one scripted client against a fresh server. */
static void
fix_run(struct fix *f, client_fn fn, const struct aa_sse_options *so,
    const struct aa_http_options *ho)
{
	struct aa_http_options o;
	char *cause = NULL;

	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(uv_loop_init(&f->loop), 0);
	ASSERT_EQ(pipe(f->release), 0);
	if (ho != NULL)
		o = *ho;
	else
		memset(&o, 0, sizeof(o));
	if (o.routes == NULL) {
		o.routes = routes;
		o.nroutes = AA__ARRAY_SIZE(routes);
	}
	o.addrs = (const char *const[]){ "127.0.0.1" };
	o.naddrs = 1;
	o.data = f;
	if (o.send_error == NULL)
		o.send_error = send_problem;
	o.access = f->access;
	ASSERT_EQ(aa_http_server_new(&f->srv, &f->loop, &o, &cause), 0);
	f->port = aa_http_server_port(f->srv);
	ASSERT_GT(f->port, 0);
	ASSERT_EQ(aa_sse_stream_new(&f->sse, &f->loop, so), 0);
	uv_async_init(&f->loop, &f->done, on_done);
	f->done.data = f;
	uv_timer_init(&f->loop, &f->tick);
	f->tick.data = f;
	if (f->tick_fn != NULL)
		uv_timer_start(&f->tick, tick_cb, 5, 5);
	f->client = fn;
	ASSERT_EQ(pthread_create(&f->th, NULL, client_main, f), 0);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	pthread_join(f->th, NULL);
	uv_walk(&f->loop, close_walk, NULL);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	ASSERT_EQ(f->parts_closed, 2);
	ASSERT_EQ(uv_loop_close(&f->loop), 0);
	aa_access_free(f->access);
	close(f->release[0]);
	close(f->release[1]);
}

/* ---- blocking client ---- */

struct cli {
	int fd;
	char buf[1 << 16];
	size_t len;
};

struct resp {
	int status;
	char head[8192];
	char *body;
	size_t blen;
	int chunked;
};

/* Connects; rcvbuf > 0 sets a small receive buffer before the handshake
 * (setting it afterwards can stall the window for seconds). */
static void
cli_open_buf(struct cli *c, int port, int rcvbuf)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(c->fd, 0);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (rcvbuf > 0)
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void
cli_open(struct cli *c, int port)
{
	cli_open_buf(c, port, 0);
}

static void
cli_send(struct cli *c, const char *s, size_t n)
{
	size_t off = 0;
	ssize_t k;

	while (off < n) {
		k = write(c->fd, s + off, n - off);
		ASSERT_GT(k, 0);
		off += (size_t)k;
	}
}

static void
cli_puts(struct cli *c, const char *s)
{
	cli_send(c, s, strlen(s));
}

/* Reads more bytes; returns 0 on EOF. */
static ssize_t
cli_fill(struct cli *c)
{
	ssize_t k;

	ASSERT_LT(c->len, sizeof(c->buf));
	k = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (k < 0)
		test_fail(__FILE__, __LINE__, "read: %s", strerror(errno));
	c->len += (size_t)k;
	return k;
}

static void
cli_take(struct cli *c, char *out, size_t n)
{
	while (c->len < n)
		ASSERT_GT(cli_fill(c), 0);
	if (out != NULL)
		memcpy(out, c->buf, n);
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* Reads one line (CRLF), returned without it. */
static void
cli_line(struct cli *c, char *out, size_t size)
{
	char *e;

	while ((e = memmem(c->buf, c->len, "\r\n", 2)) == NULL)
		ASSERT_GT(cli_fill(c), 0);
	ASSERT_LT((size_t)(e - c->buf), size);
	memcpy(out, c->buf, (size_t)(e - c->buf));
	out[e - c->buf] = '\0';
	cli_take(c, NULL, (size_t)(e - c->buf) + 2);
}

/* Returns a header's value from a response head (case-insensitive). */
static const char *
hdr(const struct resp *r, const char *name)
{
	static char v[1024];
	const char *p = r->head;
	size_t n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *s = p + n + 1, *e = strstr(s, "\r\n");

			while (*s == ' ')
				s++;
			snprintf(v, sizeof(v), "%.*s", (int)(e - s), s);
			return v;
		}
	}
	return NULL;
}

/* Reads the head of a response. */
static void
cli_head(struct cli *c, struct resp *r)
{
	char *e;
	size_t n;

	memset(r, 0, sizeof(*r));
	while ((e = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL)
		ASSERT_GT(cli_fill(c), 0);
	n = (size_t)(e - c->buf) + 4;
	ASSERT_LT(n, sizeof(r->head));
	cli_take(c, r->head, n);
	r->head[n] = '\0';
	ASSERT_EQ(sscanf(r->head, "HTTP/1.1 %d", &r->status), 1);
	r->chunked = hdr(r, "Transfer-Encoding") != NULL;
}

/* Reads a whole response (Content-Length or chunked). */
static void
cli_resp(struct cli *c, struct resp *r)
{
	const char *cl;
	char line[64];
	size_t n;

	cli_head(c, r);
	if (r->status == 100)
		cli_head(c, r);
	if (r->chunked) {
		for (;;) {
			cli_line(c, line, sizeof(line));
			n = strtoul(line, NULL, 16);
			r->body = realloc(r->body, r->blen + n + 1);
			cli_take(c, r->body + r->blen, n);
			r->blen += n;
			cli_line(c, line, sizeof(line));
			if (n == 0)
				break;
		}
	} else {
		cl = hdr(r, "Content-Length");
		ASSERT_NOT_NULL(cl);
		n = strtoul(cl, NULL, 10);
		r->body = malloc(n + 1);
		cli_take(c, r->body, n);
		r->blen = n;
	}
	if (r->body == NULL)
		r->body = malloc(1);
	r->body[r->blen] = '\0';
}

/* Asserts the server closes the connection (EOF, nothing more). */
static void
cli_expect_eof(struct cli *c)
{
	ASSERT_EQ(c->len, 0);
	ASSERT_EQ(cli_fill(c), 0);
}

static void
cli_close(struct cli *c)
{
	close(c->fd);
}

/* Blocks until the loop side writes to the release pipe (5 s at most). */
static void
cli_wait_release(struct fix *f)
{
	struct pollfd p = { .fd = f->release[0], .events = POLLIN };
	char x;

	ASSERT_EQ(poll(&p, 1, 5000), 1);
	ASSERT_EQ(read(f->release[0], &x, 1), 1);
}

/* Adds a connection's unread bytes (the server's side) to *arg. */
static void
unread_walk(uv_handle_t *h, void *arg)
{
	uv_os_fd_t fd;
	int n;

	if (h->type == UV_TCP && uv_fileno(h, &fd) == 0 &&
	    ioctl(fd, FIONREAD, &n) == 0)
		*(int *)arg += n;
}

/*
 * Releases the client once the server has read every byte the client
 * wrote on drain_fd: all of them acknowledged (so in the server's socket),
 * then none left unread there.  Runs on the loop, between reads.
 */
static void
drain_tick(struct fix *f)
{
	int fd = __atomic_load_n(&f->drain_fd, __ATOMIC_SEQ_CST), q, unread = 0;

	if (fd == 0 || ioctl(fd - 1, SIOCOUTQ, &q) != 0 || q != 0)
		return;
	uv_walk(&f->loop, unread_walk, &unread);
	if (unread > 0)
		return;
	__atomic_store_n(&f->drain_fd, 0, __ATOMIC_SEQ_CST);
	ASSERT_EQ(write(f->release[1], "d", 1), 1);
}

/* Waits until the server has read everything c wrote so far. */
static void
cli_wait_drained(struct fix *f, struct cli *c)
{
	__atomic_store_n(&f->drain_fd, c->fd + 1, __ATOMIC_SEQ_CST);
	cli_wait_release(f);
}

/* ---- cases ---- */

static void
c_get(struct fix *f)
{
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	cli_puts(&c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_STR_EQ(r.body, "hello\n");
	ASSERT_STR_EQ(hdr(&r, "Content-Type"), "text/plain");
	ASSERT_NOT_NULL(hdr(&r, "Date"));
	ASSERT_NULL(hdr(&r, "Connection"));
	free(r.body);
	cli_send(&c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5"
	    "\r\n\r\nab\0cd", 56);
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_MEM_EQ(r.body, r.blen, "ab\0cd", 5);
	free(r.body);
	cli_puts(&c, "GET /pub/any/thing?x=1 HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	free(r.body);
	cli_close(&c);
}

TEST(http_get_post_roundtrip)
{
	struct fix f = { 0 };

	fix_run(&f, c_get, NULL, NULL);
}

static void
c_pipeline(struct fix *f)
{
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	/* Three requests in one write; one waits on a timer. */
	cli_puts(&c, "GET /async HTTP/1.1\r\nHost: x\r\n\r\n"
	    "POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
	    "GET /hello HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_STR_EQ(r.body, "later\n");
	free(r.body);
	cli_resp(&c, &r);
	ASSERT_STR_EQ(r.body, "abc");
	free(r.body);
	cli_resp(&c, &r);
	ASSERT_STR_EQ(r.body, "hello\n");
	free(r.body);
	/* Connection: close is honoured after the answer. */
	cli_puts(&c, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_STR_EQ(hdr(&r, "Connection"), "close");
	free(r.body);
	cli_expect_eof(&c);
	cli_close(&c);
}

TEST(http_keepalive_and_pipelining)
{
	struct fix f = { 0 };

	fix_run(&f, c_pipeline, NULL, NULL);
	ASSERT_EQ(f.async_closed, 0);
}

static void
c_chunked(struct fix *f)
{
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	cli_puts(&c, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n");
	cli_wait_drained(f, &c); /* the body arrives in two reads */
	cli_puts(&c, "2\r\nde\r\n0\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_STR_EQ(r.body, "abcde");
	free(r.body);
	cli_close(&c);
}

TEST(http_chunked_request_body)
{
	struct fix f = { 0 };

	f.tick_fn = drain_tick;
	fix_run(&f, c_chunked, NULL, NULL);
}

static void
c_routing(struct fix *f)
{
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	cli_puts(&c, "GET /nope HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 404);
	ASSERT_STR_EQ(r.body, "404 page not found\n");
	ASSERT_STR_EQ(hdr(&r, "Content-Type"), "text/plain; charset=utf-8");
	free(r.body);
	cli_puts(&c, "DELETE /hello HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 405);
	ASSERT_STR_EQ(hdr(&r, "Allow"), "GET");
	ASSERT_EQ(r.blen, 0);
	free(r.body);
	cli_puts(&c, "HEAD /hello HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 405);
	free(r.body);
	cli_puts(&c, "GET /echo HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 405);
	ASSERT_NOT_NULL(strstr(r.head, "Allow: POST\r\n"));
	ASSERT_NOT_NULL(strstr(r.head, "Allow: PUT\r\n"));
	free(r.body);
	/* A 404 with a body it did not read closes the connection. */
	cli_puts(&c, "POST /nope HTTP/1.1\r\nContent-Length: 3\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 404);
	ASSERT_STR_EQ(hdr(&r, "Connection"), "close");
	free(r.body);
	cli_close(&c);
}

TEST(http_404_and_405_with_allow)
{
	struct fix f = { 0 };

	fix_run(&f, c_routing, NULL, NULL);
}

static void
c_garbage(struct fix *f)
{
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	cli_puts(&c, "GARBAGE\x01 / HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 400);
	ASSERT_STR_EQ(hdr(&r, "Connection"), "close");
	free(r.body);
	cli_expect_eof(&c);
	cli_close(&c);
	/* Content-Length with Transfer-Encoding is smuggling: 400. */
	cli_open(&c, f->port);
	cli_puts(&c, "POST /echo HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 400);
	free(r.body);
	cli_expect_eof(&c);
	cli_close(&c);
}

TEST(http_400_on_garbage_and_close)
{
	struct fix f = { 0 };

	fix_run(&f, c_garbage, NULL, NULL);
}

static void
c_limit(struct fix *f)
{
	char body[200], req[400];
	struct cli c;
	struct resp r;

	memset(body, 'a', sizeof(body));
	/* 99 bytes: accepted; 100 (the limit itself): refused. */
	cli_open(&c, f->port);
	snprintf(req, sizeof(req), "POST /echo HTTP/1.1\r\n"
	    "Content-Length: 99\r\n\r\n%.99s", body);
	cli_puts(&c, req);
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_EQ(r.blen, 99);
	free(r.body);
	snprintf(req, sizeof(req), "POST /echo HTTP/1.1\r\n"
	    "Content-Length: 100\r\n\r\n");
	cli_puts(&c, req);
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 413);
	ASSERT_STR_EQ(hdr(&r, "Content-Type"), "application/problem+json");
	ASSERT_STR_EQ(hdr(&r, "Connection"), "close");
	ASSERT_NOT_NULL(strstr(r.body,
	    "\"detail\":\"request body is too large limit=100 bytes\""));
	free(r.body);
	cli_expect_eof(&c);
	cli_close(&c);
	/* Chunked: the limit is found while reading. */
	cli_open(&c, f->port);
	cli_puts(&c, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n50\r\n");
	cli_send(&c, body, 0x50);
	cli_puts(&c, "\r\n50\r\n");
	cli_send(&c, body, 0x50);
	cli_puts(&c, "\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 413);
	free(r.body);
	cli_close(&c);
}

TEST(http_413_body_limit_exactly_at_limit)
{
	struct fix f = { 0 };

	fix_run(&f, c_limit, NULL, NULL);
}

static void
c_431(struct fix *f)
{
	static char big[17 * 1024 + 64];
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	strcpy(big, "GET /hello HTTP/1.1\r\nX-Big: ");
	memset(big + strlen(big), 'b', 17 * 1024);
	strcat(big, "\r\n\r\n");
	cli_puts(&c, big);
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 431);
	free(r.body);
	cli_close(&c);
	/* Just under the limit is fine. */
	cli_open(&c, f->port);
	strcpy(big, "GET /hello HTTP/1.1\r\nX-Big: ");
	memset(big + strlen(big), 'b', 15 * 1024);
	strcpy(big + strlen("GET /hello HTTP/1.1\r\nX-Big: ") + 15 * 1024,
	    "\r\n\r\n");
	cli_puts(&c, big);
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	free(r.body);
	cli_close(&c);
}

TEST(http_431_header_limit)
{
	struct fix f = { 0 };

	fix_run(&f, c_431, NULL, NULL);
}

static void
c_disconnect(struct fix *f)
{
	struct cli c;
	struct resp r;
	int i;

	for (i = 0; i < 3; i++) {
		cli_open(&c, f->port);
		cli_puts(&c, "GET /big HTTP/1.1\r\n\r\n");
		cli_head(&c, &r);
		ASSERT_EQ(r.status, 200);
		cli_close(&c); /* 8 MiB mostly unread */
	}
	/* A request that never gets its answer: on_close must run. */
	cli_open(&c, f->port);
	cli_puts(&c, "GET /never HTTP/1.1\r\n\r\n");
	cli_wait_release(f); /* the handler has it */
	cli_close(&c);
	cli_wait_release(f); /* its on_close ran */
	ASSERT_EQ(__atomic_load_n(&f->async_closed, __ATOMIC_SEQ_CST), 1);
	cli_open(&c, f->port);
	cli_puts(&c, "GET /hello HTTP/1.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	free(r.body);
	cli_close(&c);
}

TEST(http_client_disconnect_mid_response)
{
	struct fix f = { 0 };

	fix_run(&f, c_disconnect, NULL, NULL);
	ASSERT_EQ(f.async_closed, 1);
}

static void
c_many(struct fix *f)
{
	enum { N = 200 };
	static struct cli c[N];
	struct resp r;
	int i;

	for (i = 0; i < N; i++)
		cli_open(&c[i], f->port);
	for (i = 0; i < N; i++)
		cli_puts(&c[i], "GET /json HTTP/1.1\r\nHost: localhost:1\r\n\r\n");
	for (i = 0; i < N; i++) {
		cli_resp(&c[i], &r);
		ASSERT_EQ(r.status, 200);
		ASSERT_STR_EQ(r.body, "{\"$schema\":\"http://localhost:1/schemas/"
		    "StatusResponseBody.json\",\"status\":\"stable\"}\n");
		ASSERT_STR_EQ(hdr(&r, "Link"),
		    "</schemas/StatusResponseBody.json>; rel=\"describedBy\"");
		free(r.body);
	}
	for (i = 0; i < N; i++)
		cli_close(&c[i]);
}

TEST(http_many_connections)
{
	struct fix f = { 0 };

	fix_run(&f, c_many, NULL, NULL);
}

static void
c_upload(struct fix *f)
{
	static char body[300000];
	char head[128];
	struct cli c;
	struct resp r;

	memset(body, 'u', sizeof(body));
	cli_open(&c, f->port);
	snprintf(head, sizeof(head), "POST /upload HTTP/1.1\r\n"
	    "Content-Length: %zu\r\nExpect: 100-continue\r\n\r\n",
	    sizeof(body));
	cli_puts(&c, head);
	cli_head(&c, &r);
	ASSERT_EQ(r.status, 100);
	cli_send(&c, body, sizeof(body));
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_STR_EQ(r.body, "300000");
	free(r.body);
	cli_close(&c);
}

TEST(http_streamed_body_and_100_continue)
{
	struct fix f = { 0 };

	fix_run(&f, c_upload, NULL, NULL);
	ASSERT_EQ(f.upload_bytes, 300000);
}

/* Reads one SSE chunk payload (one event or comment per chunk). */
static void
cli_chunk(struct cli *c, char *out, size_t size)
{
	char line[64];
	size_t n;

	cli_line(c, line, sizeof(line));
	n = strtoul(line, NULL, 16);
	ASSERT_LT(n, size);
	cli_take(c, out, n);
	out[n] = '\0';
	cli_line(c, line, sizeof(line));
	ASSERT_STR_EQ(line, "");
}

static void
sse_publish_tick(struct fix *f)
{
	struct aa_event *ev;

	aa_event_new(&ev, aa_sse_next_id(f->sse), "message_update",
	    "{\"id\":0}", 8);
	aa_sse_publish(f->sse, ev);
	aa_event_unref(ev);
	f->published++;
}

static void
tick_cb(uv_timer_t *t)
{
	struct fix *f = t->data;

	f->tick_fn(f);
}

static void
c_sse(struct fix *f)
{
	char ev[256];
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	cli_puts(&c, "GET /sse HTTP/1.1\r\nHost: localhost\r\n\r\n");
	cli_head(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_STR_EQ(hdr(&r, "Content-Type"), "text/event-stream");
	ASSERT_STR_EQ(hdr(&r, "Cache-Control"),
	    "no-cache, no-store, must-revalidate");
	ASSERT_STR_EQ(hdr(&r, "Pragma"), "no-cache");
	ASSERT_STR_EQ(hdr(&r, "Expires"), "0");
	ASSERT_STR_EQ(hdr(&r, "X-Accel-Buffering"), "no");
	ASSERT_STR_EQ(hdr(&r, "X-Proxy-Buffering"), "no");
	ASSERT_STR_EQ(hdr(&r, "Connection"), "keep-alive");
	ASSERT_STR_EQ(hdr(&r, "Transfer-Encoding"), "chunked");
	ASSERT_NULL(hdr(&r, "Content-Length"));
	cli_chunk(&c, ev, sizeof(ev));
	ASSERT_STR_EQ(ev, "event: status_change\ndata: {\"status\":\"stable\"}"
	    "\n\n");
	cli_chunk(&c, ev, sizeof(ev));
	ASSERT_STR_EQ(ev, "id: 1\nevent: message_update\ndata: {\"id\":0}\n\n");
	/* The heartbeat runs while a subscriber exists. */
	for (;;) {
		cli_chunk(&c, ev, sizeof(ev));
		if (ev[0] == ':')
			break;
		ASSERT_EQ(strncmp(ev, "id: ", 4), 0);
	}
	ASSERT_STR_EQ(ev, ": ping\n\n");
	cli_close(&c);
}

static void
sse_one_then_stop(struct fix *f)
{
	if (aa_sse_nsubs(f->sse) > 0 && f->published == 0)
		sse_publish_tick(f);
}

TEST(http_sse_stream_chunked_and_heartbeat)
{
	struct fix f = { 0 };
	struct aa_sse_options so = { .heartbeat_ms = 100 };

	f.tick_fn = sse_one_then_stop;
	fix_run(&f, c_sse, &so, NULL);
	ASSERT_EQ(f.had_sub, 1);
}

static void
c_slow(struct fix *f)
{
	struct cli c;
	int small = 4096;
	char x = 1;

	cli_open_buf(&c, f->port, small);
	cli_puts(&c, "GET /sse HTTP/1.1\r\n\r\n");
	/* Never read; the loop side tells us when it dropped us. */
	cli_wait_release(f);
	(void)x;
	cli_close(&c);
}

static void
slow_tick(struct fix *f)
{
	static char big[32 * 1024];
	struct aa_event *ev;
	size_t q;
	int i;

	if (aa_sse_nsubs(f->sse) == 0) {
		if (f->had_sub && !f->sub_dropped) {
			f->sub_dropped = 1;
			ASSERT_EQ(write(f->release[1], "x", 1), 1);
		}
		return;
	}
	memset(big, 'x', sizeof(big) - 1);
	for (i = 0; i < 8; i++) {
		aa_event_new(&ev, aa_sse_next_id(f->sse), "message_update",
		    big, sizeof(big) - 1);
		aa_sse_publish(f->sse, ev);
		aa_event_unref(ev);
		f->published++;
	}
	q = (size_t)f->published * sizeof(big);
	(void)q;
	ASSERT_LT(f->published, 100000);
}

TEST(http_sse_slow_consumer_dropped)
{
	struct fix f = { 0 };
	struct aa_sse_options so = { .max_bytes = 512 * 1024,
	    .heartbeat_ms = 1000 };

	f.tick_fn = slow_tick;
	fix_run(&f, c_slow, &so, NULL);
	ASSERT_EQ(f.sub_dropped, 1);
	/* It was dropped at about 512 KiB queued, not after everything. */
	ASSERT_LT(f.published * 32 * 1024, 64 * 1024 * 1024);
}

static void
c_shutdown(struct fix *f)
{
	struct cli a, b, c;
	struct resp r;
	char ev[256];

	cli_open(&a, f->port); /* idle keep-alive */
	cli_puts(&a, "GET /hello HTTP/1.1\r\n\r\n");
	cli_resp(&a, &r);
	free(r.body);
	cli_open(&b, f->port); /* SSE subscriber */
	cli_puts(&b, "GET /sse HTTP/1.1\r\n\r\n");
	cli_head(&b, &r);
	cli_chunk(&b, ev, sizeof(ev));
	cli_open(&c, f->port); /* request waiting forever */
	cli_puts(&c, "GET /never HTTP/1.1\r\n\r\n");
	cli_wait_release(f); /* the handler has it */
	f->done_sent = 1;
	uv_async_send(&f->done); /* shut down while all three are open */
	cli_expect_eof(&a);
	ASSERT_EQ(cli_fill(&b), 0);
	cli_expect_eof(&c);
	cli_close(&a);
	cli_close(&b);
	cli_close(&c);
}

TEST(http_shutdown_closes_everything)
{
	struct fix f = { 0 };

	fix_run(&f, c_shutdown, NULL, NULL);
	ASSERT_EQ(f.async_closed, 1);
}

static void
c_access(struct fix *f)
{
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	cli_puts(&c, "GET /hello HTTP/1.1\r\nHost: evil.com\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 400);
	ASSERT_STR_EQ(r.body, "Invalid host header. Allowed hosts: localhost,"
	    " 127.0.0.1, ::1\n");
	ASSERT_STR_EQ(hdr(&r, "X-Content-Type-Options"), "nosniff");
	ASSERT_NULL(hdr(&r, "Vary"));
	free(r.body);
	cli_puts(&c, "OPTIONS /hello HTTP/1.1\r\nHost: localhost\r\n"
	    "Origin: http://localhost:3000\r\n"
	    "Access-Control-Request-Method: post\r\n"
	    "Access-Control-Request-Headers: content-type\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_EQ(r.blen, 0);
	ASSERT_STR_EQ(hdr(&r, "Access-Control-Allow-Origin"),
	    "http://localhost:3000");
	ASSERT_STR_EQ(hdr(&r, "Access-Control-Allow-Methods"), "POST");
	ASSERT_STR_EQ(hdr(&r, "Access-Control-Allow-Headers"), "Content-Type");
	free(r.body);
	cli_puts(&c, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 401);
	ASSERT_STR_EQ(hdr(&r, "Content-Type"), "application/problem+json");
	ASSERT_STR_EQ(hdr(&r, "Vary"), "Origin");
	free(r.body);
	cli_puts(&c, "GET /hello?token=s%33cret HTTP/1.1\r\nHost: localhost\r\n"
	    "Origin: http://localhost:3284\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	ASSERT_STR_EQ(hdr(&r, "Access-Control-Allow-Origin"),
	    "http://localhost:3284");
	ASSERT_STR_EQ(hdr(&r, "Access-Control-Expose-Headers"), "Link");
	free(r.body);
	cli_puts(&c, "GET /hello HTTP/1.1\r\nHost: [::1]:9\r\n"
	    "Authorization: Bearer s3cret\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	free(r.body);
	cli_puts(&c, "GET /pub/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 200);
	free(r.body);
	/* Two Host headers: 400, whichever would have passed. */
	cli_puts(&c, "GET /hello?token=s3cret HTTP/1.1\r\nHost: localhost\r\n"
	    "host: evil.com\r\n\r\n");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 400);
	free(r.body);
	cli_expect_eof(&c);
	cli_close(&c);
}

TEST(http_access_host_cors_token)
{
	struct fix f = { 0 };
	struct aa_access_options ao = { .token = "s3cret" };

	ASSERT_EQ(aa_access_new(&f.access, &ao, NULL), 0);
	fix_run(&f, c_access, NULL, NULL);
}

static void
c_timeout(struct fix *f)
{
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	cli_puts(&c, "GET /hello HTTP/1.1\r\nX-Slow: 1\r\n");
	cli_resp(&c, &r); /* the head never ends: 408 */
	ASSERT_EQ(r.status, 408);
	free(r.body);
	cli_expect_eof(&c);
	cli_close(&c);
	cli_open(&c, f->port);
	cli_puts(&c, "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nab");
	cli_resp(&c, &r);
	ASSERT_EQ(r.status, 408);
	ASSERT_NOT_NULL(strstr(r.body, "request body read timeout"));
	free(r.body);
	cli_close(&c);
	cli_open(&c, f->port); /* idle: closed without a word */
	cli_expect_eof(&c);
	cli_close(&c);
}

TEST(http_read_and_idle_timeouts)
{
	struct fix f = { 0 };
	struct aa_http_options o = { .read_timeout_ms = 100,
	    .idle_timeout_ms = 200 };

	fix_run(&f, c_timeout, NULL, &o);
}

TEST(http_route_find_pure)
{
	struct aa_buf allow;

	aa_buf_init(&allow);
	ASSERT_EQ(aa_http_route_find(routes, AA__ARRAY_SIZE(routes), "GET",
	    "/hello", &allow), 0);
	ASSERT_EQ(aa_http_route_find(routes, AA__ARRAY_SIZE(routes), "GET",
	    "/hello/", &allow), -404);
	ASSERT_EQ(aa_http_route_find(routes, AA__ARRAY_SIZE(routes), "GET",
	    "/pub/", &allow), 9);
	ASSERT_EQ(aa_http_route_find(routes, AA__ARRAY_SIZE(routes), "PATCH",
	    "/echo", &allow), -405);
	ASSERT_STR_EQ(aa_buf_str(&allow), "Allow: POST\r\nAllow: PUT\r\n");
	ASSERT_STR_EQ(aa_http_reason(422), "Unprocessable Entity");
	aa_buf_release(&allow);
}

static void
h_resume(struct aa_http_req *req, void *data)
{
	struct fix *f = data;
	struct aa_sse_sub *sub;
	struct aa_event *ev;
	uint64_t last;

	if (aa_sse_subscribe(f->sse, req, &sub) != 0)
		return;
	if (aa_sse_last_event_id(req, &last) != 0 ||
	    aa_sse_sub_replay_since(sub, last) != 0) {
		aa_event_new(&ev, 0, "full", "{}", 2);
		aa_sse_sub_send(sub, ev);
		aa_event_unref(ev);
	}
	aa_event_new(&ev, 0, "end", "{}", 2);
	aa_sse_sub_send(sub, ev);
	aa_event_unref(ev);
}

static const struct aa_http_route resume_routes[] = {
	{ "GET", "/sse", h_resume, 0, 0 },
};

/* Connects with a Last-Event-ID and collects event names and ids. */
static void
resume_from(struct fix *f, const char *lei, char *out, size_t size)
{
	char req[128], ev[256];
	struct cli c;
	struct resp r;

	cli_open(&c, f->port);
	snprintf(req, sizeof(req), "GET /sse HTTP/1.1\r\n%s%s%s\r\n",
	    lei ? "Last-Event-ID: " : "", lei ? lei : "", lei ? "\r\n" : "");
	cli_puts(&c, req);
	cli_head(&c, &r);
	out[0] = '\0';
	for (;;) {
		cli_chunk(&c, ev, sizeof(ev));
		if (ev[0] == ':')
			continue;
		*strchr(ev, '\n') = '\0';
		snprintf(out + strlen(out), size - strlen(out), "%s;", ev);
		if (strcmp(ev, "event: end") == 0)
			break;
	}
	cli_close(&c);
}

static void
c_resume(struct fix *f)
{
	char got[512];

	cli_wait_release(f); /* five events published */
	resume_from(f, "2", got, sizeof(got));
	ASSERT_STR_EQ(got, "id: 3;id: 4;id: 5;event: end;");
	resume_from(f, "5", got, sizeof(got));
	ASSERT_STR_EQ(got, "event: end;");
	resume_from(f, "1", got, sizeof(got)); /* 2 fell out of the ring */
	ASSERT_STR_EQ(got, "event: full;event: end;");
	resume_from(f, "99", got, sizeof(got)); /* unknown: full replay */
	ASSERT_STR_EQ(got, "event: full;event: end;");
	resume_from(f, "x", got, sizeof(got));
	ASSERT_STR_EQ(got, "event: full;event: end;");
	resume_from(f, NULL, got, sizeof(got));
	ASSERT_STR_EQ(got, "event: full;event: end;");
}

static void
resume_tick(struct fix *f)
{
	int i;

	if (f->published > 0)
		return;
	for (i = 0; i < 5; i++)
		sse_publish_tick(f);
	ASSERT_EQ(write(f->release[1], "x", 1), 1);
}

TEST(http_sse_last_event_id_resume)
{
	struct fix f = { 0 };
	struct aa_sse_options so = { .ring = 3 };
	struct aa_http_options o = { .routes = resume_routes,
	    .nroutes = AA__ARRAY_SIZE(resume_routes) };

	f.tick_fn = resume_tick;
	fix_run(&f, c_resume, &so, &o);
}

static void
c_latest(struct fix *f)
{
	struct cli c;
	struct resp r;
	int small = 4096, n = 0;
	char *ev = malloc(80000);

	cli_open_buf(&c, f->port, small);
	cli_puts(&c, "GET /sse HTTP/1.1\r\n\r\n");
	cli_wait_release(f); /* all screens published while we slept */
	cli_head(&c, &r);
	cli_chunk(&c, ev, 80000); /* the replayed status event */
	for (;;) {
		cli_chunk(&c, ev, 80000);
		if (ev[0] == ':')
			continue;
		n++;
		if (strstr(ev, "\"screen 499\"") != NULL)
			break;
	}
	/* Intermediate screens were skipped, the last one arrived. */
	ASSERT_LT(n, 500);
	ASSERT_GE(n, 1);
	free(ev);
	cli_close(&c);
}

static void
latest_tick(struct fix *f)
{
	static char big[30 * 1024];
	struct aa_event *ev;
	int i, k;

	if (aa_sse_nsubs(f->sse) == 0 || f->published > 0)
		return;
	memset(big, 'x', sizeof(big));
	for (i = 0; i < 500; i++) {
		k = snprintf(big, sizeof(big), "\"screen %d\"", i);
		big[k] = ' ';
		aa_event_new(&ev, 0, "screen", big, sizeof(big));
		aa_sse_publish(f->sse, ev);
		aa_event_unref(ev);
		f->published++;
	}
	ASSERT_EQ(aa_sse_nsubs(f->sse), 1); /* slow, but not dropped */
	ASSERT_EQ(write(f->release[1], "x", 1), 1);
}

TEST(http_sse_latest_wins_skips_screens)
{
	struct fix f = { 0 };
	struct aa_sse_options so = { .latest_wins = 1 };

	f.tick_fn = latest_tick;
	fix_run(&f, c_latest, &so, NULL);
}
