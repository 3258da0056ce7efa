/*
 * mcpcmd.c - `agentapi-c mcp`: the host's MCP server over stdio.
 *
 *   agentapi-c mcp [--socket PATH] [-v]
 *
 * An MCP client (an agent's MCP configuration: command "agentapi-c",
 * args ["mcp"]) speaks newline-delimited JSON-RPC on our stdin and
 * stdout (MCP 2025-06-18, "Transports", stdio).  We relay each message to
 * the host's /mcp over its unix socket (the default path, as `agentapi-c
 * host` computes it, or --socket), as the streamable HTTP transport's
 * client would: one POST per message, "Accept: application/json,
 * text/event-stream", the Mcp-Session-Id handed out by initialize and
 * the negotiated MCP-Protocol-Version on every later one.  An answer in
 * JSON is written back as one line; an answer on an SSE stream (a long
 * wait_for: progress notifications, then the result) is written back
 * event by event as it comes.  When no host answers on the socket we
 * start one (`agentapi-c host --socket PATH`, daemonised, its log in
 * host.log beside the socket) and wait for it to answer; it outlives us,
 * like any host, so the sessions our client starts keep running.
 *
 * stdout carries JSON-RPC only; what we have to say goes to stderr.
 * Input is bounded: a line past AA_MCPWIRE_MAX bytes, a line that is not
 * JSON or not one JSON-RPC 2.0 message is answered with a JSON-RPC error
 * at once (mcpwire.c) and never reaches the host.
 *
 * Order: each message is sent once the host has begun to answer the one
 * before (its response head has arrived: the host has dispatched it), so
 * the host sees them in stdin's order, a notifications/cancelled after
 * the request it cancels; answers overlap, so a wait_for being streamed
 * does not hold up the calls behind it.  At most MCP_MAX_CALLS messages
 * are in the relay at once; past that stdin is not read.  A request the
 * host cannot answer (unreachable, an HTTP error, a stream cut) gets a
 * JSON-RPC error in its name, except when the host restarted under us
 * (404 for our MCP session, or no connection): then the relay starts a
 * host if none answers, replays the client's initialize silently, and
 * sends the message again, once (recover()).  End of stdin: the calls in
 * the relay finish, then we end the MCP session (DELETE /mcp) and exit;
 * SIGTERM or SIGINT, or a client that stops reading our stdout: at once
 * (the host sees the connections close and drops the waits).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cJSON.h>
#include <llhttp.h>
#include <uv.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/list.h"
#include "prog/hostcmd.h"
#include "prog/mcpcmd.h"
#include "prog/mcphost.h"
#include "prog/mcpwire.h"

#define MCP_MAX_CALLS 64
#define MCP_MAX_HEADER 8192
/* An answer in JSON may be a long transcript; an SSE event is one
 * message, bounded as our input is. */
#define MCP_MAX_REPLY (64 * 1024 * 1024)

struct relay;

/* One message on its way to the host and its answer on the way back. */
struct call {
	struct aa_list link;       /* relay.calls, in stdin's order */
	struct relay *r;
	uv_pipe_t pipe;
	uv_connect_t connect;
	uv_write_t write;
	struct aa_buf body;        /* the message */
	struct aa_buf out;         /* the request's bytes while written */
	char *id;                  /* a request's id (JSON text), else NULL */
	int is_init;
	int is_stream;             /* the GET stream, not a message */
	int started, headed, answered, complete, closing;
	int unreached;             /* the connection failed: nothing sent */
	int retried;               /* a copy sent again after a recovery */
	int silent;                /* ours (a re-initialize): not relayed */
	int status;
	int sse;
	llhttp_t parser;
	llhttp_settings_t settings;
	struct aa_buf hfield, hvalue;
	struct aa_buf reply;       /* a JSON answer */
	struct aa_mcpwire_sse events;
	const char *broken;        /* why the answer cannot be read */
};

struct relay {
	uv_loop_t *loop;
	char sock[PATH_MAX];
	int verbose;
	union {
		uv_pipe_t pipe;
		uv_tty_t tty;
	} in;
	int in_stream;             /* stdin is a pipe or a terminal */
	int in_open;               /* the stdin handle is open */
	int in_reading, in_eof;
	uv_fs_t fsreq;             /* stdin is a file: read by uv_fs_read */
	int fs_busy;
	struct aa_mcpwire_lines lines;
	struct aa_list calls;
	size_t ncalls;
	struct call *stream;       /* GET /mcp: what the host says unasked */
	struct aa_buf init;        /* the client's initialize, for again */
	int reinit;                /* a re-initialize is on its way */
	char sid[128];             /* the MCP session, once initialized */
	char version[32];          /* the negotiated protocol version */
	uv_signal_t sig[2];
	int stopping;
	char buf[65536];
};

static void pump(struct relay *r);
static int recover(struct call *c);
static void stream_open(struct relay *r);
static void call_init(struct call *c, struct relay *r);
static void in_resume(struct relay *r);
static void call_close(struct call *c);

/* A line to stderr, "agentapi-c mcp: ..." (debug ones with -v only). */
static void
say(const struct relay *r, int debug, const char *fmt, ...)
{
	va_list ap;

	if (debug && (r == NULL || !r->verbose))
		return;
	va_start(ap, fmt);
	fputs("agentapi-c mcp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- stdout ---- */

/* Stops everything: the client is gone or asked us to. */
static void
shutdown_all(struct relay *r)
{
	struct aa_list *it, *tmp;

	if (r->stopping)
		return;
	r->stopping = 1;
	if (r->in_open) {
		r->in_open = 0;
		uv_close((uv_handle_t *)&r->in, NULL);
	}
	AA_LIST_FOREACH_SAFE(it, tmp, &r->calls)
		call_close(AA_LIST_ENTRY(it, struct call, link));
	if (r->stream != NULL)
		call_close(r->stream);
	for (int k = 0; k < 2; k++)
		if (!uv_is_closing((uv_handle_t *)&r->sig[k]))
			uv_close((uv_handle_t *)&r->sig[k], NULL);
}

/* Writes one message and its newline to stdout, whole (blocking: a
 * client that reads slowly slows the relay, nothing piles up here). */
static void
out_line(struct relay *r, const char *text, size_t len)
{
	static char nl[] = "\n";
	struct iovec v[2] = { { (void *)text, len }, { nl, 1 } };
	int iv = 0;

	while (iv < 2 && !r->stopping) {
		ssize_t n = writev(STDOUT_FILENO, v + iv, 2 - iv);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { STDOUT_FILENO, POLLOUT, 0 };

			(void)poll(&p, 1, -1);
			continue;
		}
		if (n < 0) {
			say(r, 1, "stdout: %s; stopping", strerror(errno));
			shutdown_all(r);
			return;
		}
		while (iv < 2 && (size_t)n >= v[iv].iov_len)
			n -= (ssize_t)v[iv++].iov_len;
		if (iv < 2) {
			v[iv].iov_base = (char *)v[iv].iov_base + n;
			v[iv].iov_len -= (size_t)n;
		}
	}
}

/* Answers a request with a JSON-RPC error of our own. */
static void
out_error(struct relay *r, const char *id, int code, const char *msg)
{
	char *e = aa_mcpwire_error(id, code, msg);

	if (e != NULL)
		out_line(r, e, strlen(e));
	free(e);
}

/* ---- one call ---- */

/* One message from the host (a JSON answer, an SSE event): written to
 * stdout as one line; it answers the call when it is a response. */
static void
call_message(struct call *c, const char *text, size_t len)
{
	struct relay *r = c->r;
	cJSON *m = cJSON_ParseWithLength(text, len);
	const cJSON *id, *v;
	char *line = NULL;

	if (m == NULL || !cJSON_IsObject(m)) {
		cJSON_Delete(m);
		say(r, 0, "the host sent something that is not JSON-RPC; "
		    "dropped");
		return;
	}
	id = cJSON_GetObjectItemCaseSensitive(m, "id");
	if (id != NULL && cJSON_GetObjectItemCaseSensitive(m, "method") ==
	    NULL) {
		c->answered = 1;
		v = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(m, "result"),
		    "protocolVersion");
		if (c->is_init && cJSON_IsString(v) &&
		    strlen(v->valuestring) < sizeof(r->version) &&
		    strspn(v->valuestring, "0123456789-") ==
		    strlen(v->valuestring))
			snprintf(r->version, sizeof(r->version), "%s",
			    v->valuestring);
	}
	/* Printed again by cJSON: one line whatever the host's layout. */
	if (!c->silent && (line = cJSON_PrintUnformatted(m)) != NULL)
		out_line(r, line, strlen(line));
	cJSON_free(line);
	cJSON_Delete(m);
}

static void
call_event(void *ud, const char *data, size_t len)
{
	call_message(ud, data, len);
}

static int
on_header_field(llhttp_t *p, const char *at, size_t n)
{
	struct call *c = p->data;

	if (c->hfield.len + n > MCP_MAX_HEADER)
		return -1;
	return aa_buf_append(&c->hfield, at, n) == 0 ? 0 : -1;
}

static int
on_header_value(llhttp_t *p, const char *at, size_t n)
{
	struct call *c = p->data;

	if (c->hvalue.len + n > MCP_MAX_HEADER)
		return -1;
	return aa_buf_append(&c->hvalue, at, n) == 0 ? 0 : -1;
}

/* One header: the MCP session id initialize hands out, the body's type. */
static int
on_header_value_complete(llhttp_t *p)
{
	struct call *c = p->data;
	struct relay *r = c->r;
	const char *name = aa_buf_str(&c->hfield);
	const char *val = aa_buf_str(&c->hvalue);

	if (strcasecmp(name, "Content-Type") == 0)
		c->sse = strncasecmp(val, "text/event-stream", 17) == 0;
	else if (strcasecmp(name, "Mcp-Session-Id") == 0 && c->is_init &&
	    p->status_code == 200) {
		/* Visible ASCII only (the transport's rule), it goes back
		 * into our request heads. */
		size_t n = strlen(val);

		if (n > 0 && n < sizeof(r->sid)) {
			for (size_t i = 0; i < n; i++)
				if (val[i] <= 0x20 || val[i] >= 0x7f)
					n = 0;
			if (n > 0)
				memcpy(r->sid, val, n + 1);
		}
	}
	aa_buf_reset(&c->hfield);
	aa_buf_reset(&c->hvalue);
	return 0;
}

static int
on_headers_complete(llhttp_t *p)
{
	struct call *c = p->data;

	c->status = p->status_code;
	c->headed = 1;
	pump(c->r);
	return 0;
}

static int
on_body(llhttp_t *p, const char *at, size_t n)
{
	struct call *c = p->data;
	int rc;

	if (c->sse && c->status == 200) {
		if ((rc = aa_mcpwire_sse_feed(&c->events, at, n, call_event,
		    c)) != 0) {
			c->broken = rc == AA_E2BIG ? "an event from the host "
			    "past the size limit" : "out of memory";
			return -1;
		}
		return 0;
	}
	if (c->reply.len + n > MCP_MAX_REPLY) {
		c->broken = "an answer from the host past the size limit";
		return -1;
	}
	return aa_buf_append(&c->reply, at, n) == 0 ? 0 : -1;
}

static int
on_message_complete(llhttp_t *p)
{
	struct call *c = p->data;

	c->complete = 1;
	return 0;
}

/* The place of the first call not yet sent: a call linked at its tail
 * goes just before it (the list's head: at the end). */
static struct aa_list *
first_unsent(struct relay *r)
{
	struct aa_list *it;

	AA_LIST_FOREACH(it, &r->calls) {
		struct call *o = AA_LIST_ENTRY(it, struct call, link);

		if (!o->started && !o->closing)
			return it;
	}
	return &r->calls;
}

/* Queues a call for body just before at; id is copied.  NULL without
 * memory. */
static struct call *
call_queue(struct relay *r, struct aa_list *at, const char *body,
    size_t len, const char *id)
{
	struct call *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	call_init(c, r);
	if (aa_buf_append(&c->body, body, len) != 0 ||
	    (id != NULL && (c->id = strdup(id)) == NULL)) {
		aa_buf_release(&c->body);
		aa_mcpwire_sse_release(&c->events);
		free(c);
		return NULL;
	}
	aa_list_insert_tail(at, &c->link);
	r->ncalls++;
	return c;
}

/*
 * The host went away or came back without our MCP session (it restarted:
 * its sessions come back, its MCP sessions do not).  A message the host
 * never took (no connection, or 404 for the MCP session) is sent again
 * after the client's initialize, replayed silently: the client keeps its
 * session with us and never sees the seam.  A host that does not answer
 * at all is started as at our own start.  Each message is retried once;
 * returns 1 when c was requeued (and is closed).
 */
static int
recover(struct call *c)
{
	static const char inited[] = "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}";
	struct relay *r = c->r;
	struct aa_list *at;
	struct call *n;

	if (c->retried || c->silent || c->is_init || r->init.len == 0 ||
	    r->stopping || !(c->unreached || (c->complete &&
	    c->status == 404)))
		return 0;
	if (c->is_stream) {
		call_close(c);
		return 1;
	}
	if (c->unreached && aa_mcphost_probe(r->sock) != 0 &&
	    aa_mcphost_ensure(r->sock) != 0)
		return 0;
	say(r, 0, "the host lost our MCP session (restarted?): "
	    "initializing again");
	at = first_unsent(r);
	if (!r->reinit) {
		r->reinit = 1;
		r->sid[0] = r->version[0] = '\0';
		if (r->stream != NULL)
			call_close(r->stream);
		n = call_queue(r, at, r->init.data, r->init.len, NULL);
		if (n != NULL) {
			n->is_init = n->silent = 1;
			n = call_queue(r, at, inited, sizeof(inited) - 1, NULL);
		}
		if (n == NULL) {
			r->reinit = 0;
			return 0;
		}
		n->silent = 1;
	}
	n = call_queue(r, at, c->body.data, c->body.len, c->id);
	if (n == NULL)
		return 0;
	n->retried = 1;
	call_close(c);
	pump(r);
	return 1;
}

/* The call has its answer (or never will): what the client still needs
 * is written, then the connection closes. */
static void
call_finish(struct call *c)
{
	struct relay *r = c->r;
	struct aa_buf msg;
	int code;

	if (c->closing)
		return;
	if (recover(c))
		return;
	if (c->complete && c->status / 100 == 2 && !c->sse &&
	    c->reply.len > 0)
		call_message(c, c->reply.data, c->reply.len);
	if (c->silent) {
		if (c->is_init)
			r->reinit = 0;
		if (c->is_init && !c->answered)
			say(r, 0, "could not initialize again on %s", r->sock);
	}
	if (c->id != NULL && !c->answered && !(c->complete &&
	    c->status == 200 && c->sse)) {
		/* A stream that ended cleanly without an answer was
		 * cancelled: nothing is owed.  Everything else is. */
		if (c->broken != NULL || !c->complete) {
			code = -32603;
			aa_buf_init(&msg);
			aa_buf_printf(&msg, "the host at %s did not answer: "
			    "%s", r->sock, c->broken != NULL ? c->broken :
			    "the connection closed");
		} else {
			const char *t = aa_buf_str(&c->reply);
			size_t n = strcspn(t, "\r\n");

			code = c->status == 404 ? -32001 : c->status / 100 ==
			    4 ? -32600 : -32603;
			aa_buf_init(&msg);
			aa_buf_printf(&msg, "the host answered HTTP %d: "
			    "%.*s%s", c->status, (int)(n < 300 ? n : 300), t,
			    c->status == 404 ? " (the host restarted? start "
			    "a new MCP connection)" : "");
		}
		out_error(r, c->id, code, msg.data != NULL ? msg.data :
		    "the host did not answer");
		aa_buf_release(&msg);
	} else if (c->is_stream)
		say(r, 1, "the host's stream ended (HTTP %d)", c->status);
	else if (c->id == NULL && c->complete && c->status / 100 != 2)
		say(r, 0, "the host refused a notification: HTTP %d",
		    c->status);
	/* Initialized: the stream of what the host says unasked. */
	if (c->is_init && c->answered && r->sid[0] != '\0' && !r->stopping)
		stream_open(r);
	call_close(c);
}

static void
call_closed(uv_handle_t *h)
{
	struct call *c = h->data;
	struct relay *r = c->r;

	if (c->is_stream) {
		if (r->stream == c)
			r->stream = NULL;
	} else {
		aa_list_remove(&c->link);
		r->ncalls--;
	}
	aa_buf_release(&c->body);
	aa_buf_release(&c->out);
	aa_buf_release(&c->hfield);
	aa_buf_release(&c->hvalue);
	aa_buf_release(&c->reply);
	aa_mcpwire_sse_release(&c->events);
	free(c->id);
	free(c);
	if (!r->stopping) {
		pump(r);
		in_resume(r);
	}
}

static void
call_close(struct call *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (c->started)
		uv_close((uv_handle_t *)&c->pipe, call_closed);
	else {
		/* Never connected: nothing to close. */
		c->pipe.data = c;
		call_closed((uv_handle_t *)&c->pipe);
	}
}

static void
on_alloc(uv_handle_t *h, size_t size, uv_buf_t *b)
{
	struct call *c = h->data;

	(void)size;
	*b = uv_buf_init(c->r->buf, sizeof(c->r->buf));
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct call *c = s->data;
	llhttp_errno_t e;

	if (n == 0 || c->closing)
		return;
	if (n < 0) {
		if (n == UV_EOF && !c->complete)
			(void)llhttp_finish(&c->parser);
		else if (n != UV_EOF && c->broken == NULL)
			c->broken = uv_strerror((int)n);
		call_finish(c);
		return;
	}
	e = llhttp_execute(&c->parser, b->base, (size_t)n);
	if (e != HPE_OK) {
		if (c->broken == NULL)
			c->broken = "a malformed HTTP answer";
		call_finish(c);
	} else if (c->complete)
		call_finish(c);
}

static void
on_written(uv_write_t *w, int status)
{
	struct call *c = w->data;

	if (status < 0 && !c->closing) {
		c->broken = uv_strerror(status);
		call_finish(c);
	}
}

/* Connected: the POST goes out with the session's headers as they are
 * now (initialize's answer, read before this, set them). */
static void
on_connect(uv_connect_t *req, int status)
{
	struct call *c = req->data;
	struct relay *r = c->r;
	uv_buf_t b;

	if (c->closing)
		return;
	if (status < 0) {
		c->broken = uv_strerror(status);
		c->unreached = 1;
		c->headed = 1; /* the next may try */
		call_finish(c);
		return;
	}
	if (c->is_stream)
		aa_buf_puts(&c->out, "GET /mcp HTTP/1.1\r\nHost: localhost\r\n"
		    "Accept: text/event-stream\r\nConnection: close\r\n");
	else
		aa_buf_printf(&c->out, "POST /mcp HTTP/1.1\r\nHost: "
		    "localhost\r\nContent-Type: application/json\r\nAccept: "
		    "application/json, text/event-stream\r\nContent-Length: "
		    "%zu\r\nConnection: close\r\n", c->body.len);
	if (r->sid[0] != '\0')
		aa_buf_printf(&c->out, "Mcp-Session-Id: %s\r\n", r->sid);
	if (r->version[0] != '\0')
		aa_buf_printf(&c->out, "MCP-Protocol-Version: %s\r\n",
		    r->version);
	aa_buf_puts(&c->out, "\r\n");
	aa_buf_append(&c->out, c->body.data, c->body.len);
	if (c->out.data == NULL) {
		c->broken = "out of memory";
		c->headed = 1;
		call_finish(c);
		return;
	}
	b = uv_buf_init(c->out.data, (unsigned)c->out.len);
	c->write.data = c;
	uv_write(&c->write, (uv_stream_t *)&c->pipe, &b, 1, on_written);
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

/* Starts a call's connection to the host. */
static void
call_connect(struct call *c)
{
	struct relay *r = c->r;

	c->started = 1;
	uv_pipe_init(r->loop, &c->pipe, 0);
	c->pipe.data = c;
	c->connect.data = c;
	uv_pipe_connect(&c->connect, &c->pipe, r->sock, on_connect);
}

/* Opens GET /mcp for the MCP session: notifications the host sends
 * unasked (resources/updated, list_changed) come down it.  A host that
 * has none (405) or a stream that ends is let be. */
static void
stream_open(struct relay *r)
{
	struct call *c;

	if (r->stream != NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	call_init(c, r);
	aa_list_init(&c->link);
	c->is_stream = 1;
	r->stream = c;
	call_connect(c);
}

/* Sends the next message once the one before is being answered. */
static void
pump(struct relay *r)
{
	struct aa_list *it;

	AA_LIST_FOREACH(it, &r->calls) {
		struct call *c = AA_LIST_ENTRY(it, struct call, link);

		if (c->closing)
			continue;
		if (c->started && !c->headed)
			return;
		if (c->started)
			continue;
		call_connect(c);
		return;
	}
	/* Nothing left and no more input: done. */
	if (r->in_eof && r->ncalls == 0)
		shutdown_all(r);
}

/* Prepares a call's buffers and response parser. */
static void
call_init(struct call *c, struct relay *r)
{
	c->r = r;
	aa_buf_init(&c->body);
	aa_buf_init(&c->out);
	aa_buf_init(&c->hfield);
	aa_buf_init(&c->hvalue);
	aa_buf_init(&c->reply);
	llhttp_settings_init(&c->settings);
	c->settings.on_header_field = on_header_field;
	c->settings.on_header_value = on_header_value;
	c->settings.on_header_value_complete = on_header_value_complete;
	c->settings.on_headers_complete = on_headers_complete;
	c->settings.on_body = on_body;
	c->settings.on_message_complete = on_message_complete;
	llhttp_init(&c->parser, HTTP_RESPONSE, &c->settings);
	c->parser.data = c;
	aa_mcpwire_sse_init(&c->events, AA_MCPWIRE_MAX);
}

/* ---- stdin ---- */

/* One line of stdin: checked, answered here if bad, else relayed. */
static void
on_line(void *ud, const char *line, size_t len, int too_long)
{
	struct relay *r = ud;
	char *method = NULL, *id = NULL, *answer = NULL;
	enum aa_mcpwire_kind k;
	struct call *c;

	k = aa_mcpwire_check(line, len, too_long, r->lines.max, &method, &id,
	    &answer);
	if (k == AA_MCPWIRE_BAD) {
		say(r, 1, "refused a line of %zu bytes", len);
		if (answer != NULL)
			out_line(r, answer, strlen(answer));
		free(answer);
		return;
	}
	if (k == AA_MCPWIRE_EMPTY || (c = calloc(1, sizeof(*c))) == NULL) {
		if (k != AA_MCPWIRE_EMPTY)
			out_error(r, k == AA_MCPWIRE_REQUEST ? id : NULL, -32603,
			    "out of memory");
		free(method);
		free(id);
		return;
	}
	call_init(c, r);
	c->is_init = method != NULL && strcmp(method, "initialize") == 0;
	if (c->is_init) {
		/* A new MCP session: the old one's stream goes; the message
		 * is kept to initialize again after a host restart. */
		r->sid[0] = r->version[0] = '\0';
		aa_buf_reset(&r->init);
		aa_buf_append(&r->init, line, len);
		if (r->stream != NULL)
			call_close(r->stream);
	}
	c->id = k == AA_MCPWIRE_REQUEST ? id : NULL;
	if (c->id == NULL)
		free(id);
	free(method);
	aa_buf_append(&c->body, line, len);
	aa_list_insert_tail(&r->calls, &c->link);
	r->ncalls++;
	say(r, 1, "%s of %zu bytes", k == AA_MCPWIRE_REQUEST ? "request" :
	    k == AA_MCPWIRE_NOTIFICATION ? "notification" : "response", len);
	pump(r);
}

static void
in_bytes(struct relay *r, const char *p, size_t n)
{
	if (aa_mcpwire_lines_feed(&r->lines, p, n, on_line, r) != 0) {
		say(r, 0, "out of memory");
		shutdown_all(r);
	}
}

static void
in_end(struct relay *r)
{
	r->in_eof = 1;
	aa_mcpwire_lines_end(&r->lines, on_line, r);
	say(r, 1, "end of input");
	if (r->in_open) {
		r->in_open = 0;
		uv_close((uv_handle_t *)&r->in, NULL);
	}
	pump(r);
}

static void
in_alloc(uv_handle_t *h, size_t size, uv_buf_t *b)
{
	struct relay *r = h->data;

	(void)size;
	*b = uv_buf_init(r->buf, sizeof(r->buf));
}

static void
in_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct relay *r = s->data;

	if (n > 0)
		in_bytes(r, b->base, (size_t)n);
	else if (n < 0) {
		if (n != UV_EOF)
			say(r, 0, "stdin: %s", uv_strerror((int)n));
		in_end(r);
		return;
	}
	if (r->ncalls >= MCP_MAX_CALLS && r->in_reading && r->in_open) {
		uv_read_stop((uv_stream_t *)&r->in);
		r->in_reading = 0;
	}
}

static void fs_read_next(struct relay *r);

static void
fs_read_done(uv_fs_t *req)
{
	struct relay *r = req->data;
	ssize_t n = req->result;

	uv_fs_req_cleanup(req);
	r->fs_busy = 0;
	if (r->stopping)
		return;
	if (n <= 0) {
		if (n < 0)
			say(r, 0, "stdin: %s", uv_strerror((int)n));
		in_end(r);
		return;
	}
	in_bytes(r, r->buf, (size_t)n);
	fs_read_next(r);
}

/* stdin is a file: the next block, unless the relay is full. */
static void
fs_read_next(struct relay *r)
{
	uv_buf_t b = uv_buf_init(r->buf, sizeof(r->buf));

	if (r->fs_busy || r->in_eof || r->stopping ||
	    r->ncalls >= MCP_MAX_CALLS)
		return;
	r->fs_busy = 1;
	r->fsreq.data = r;
	if (uv_fs_read(r->loop, &r->fsreq, STDIN_FILENO, &b, 1, -1,
	    fs_read_done) != 0) {
		r->fs_busy = 0;
		in_end(r);
	}
}

/* Reads stdin again once the relay has room. */
static void
in_resume(struct relay *r)
{
	if (r->in_eof || r->stopping || r->ncalls >= MCP_MAX_CALLS)
		return;
	if (!r->in_stream) {
		fs_read_next(r);
		return;
	}
	if (r->in_open && !r->in_reading) {
		uv_read_start((uv_stream_t *)&r->in, in_alloc, in_read);
		r->in_reading = 1;
	}
}

static int
in_open(struct relay *r)
{
	uv_handle_type t = uv_guess_handle(STDIN_FILENO);
	int rc = -1;

	if (t == UV_NAMED_PIPE || t == UV_TCP || t == UV_UDP) {
		if ((rc = uv_pipe_init(r->loop, &r->in.pipe, 0)) == 0 &&
		    (rc = uv_pipe_open(&r->in.pipe, STDIN_FILENO)) != 0)
			uv_close((uv_handle_t *)&r->in, NULL);
	} else if (t == UV_TTY)
		rc = uv_tty_init(r->loop, &r->in.tty, STDIN_FILENO, 1);
	if (rc == 0) {
		r->in_stream = r->in_open = 1;
		r->in.pipe.data = r;
	}
	in_resume(r);
	return 0;
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct relay *r = h->data;

	say(r, 1, "signal %d: stopping", signum);
	shutdown_all(r);
}

int
aa_mcp_main(const char *socket_path, int verbose)
{
	struct relay *r = calloc(1, sizeof(*r));
	int rc = 1;

	if (r == NULL) {
		say(NULL, 0, "out of memory");
		return 1;
	}
	r->verbose = verbose;
	if (socket_path != NULL && *socket_path != '\0') {
		if (strlen(socket_path) >= sizeof(r->sock)) {
			say(r, 0, "--socket: path too long");
			goto out;
		}
		snprintf(r->sock, sizeof(r->sock), "%s", socket_path);
	} else if (aa_host_default_socket(r->sock, sizeof(r->sock)) != 0) {
		say(r, 0, "no $XDG_RUNTIME_DIR or $HOME for the host's "
		    "socket; give --socket");
		goto out;
	}
	if (aa_mcphost_ensure(r->sock) != 0)
		goto out;
	say(r, 1, "relaying stdio to %s", r->sock);
	r->loop = uv_default_loop();
	aa_list_init(&r->calls);
	aa_buf_init(&r->init);
	aa_mcpwire_lines_init(&r->lines, AA_MCPWIRE_MAX);
	for (int k = 0; k < 2; k++) {
		uv_signal_init(r->loop, &r->sig[k]);
		r->sig[k].data = r;
		uv_signal_start(&r->sig[k], on_signal, k == 0 ? SIGINT :
		    SIGTERM);
	}
	in_open(r);
	uv_run(r->loop, UV_RUN_DEFAULT);
	aa_mcphost_forget(r->sock, r->sid);
	aa_mcpwire_lines_release(&r->lines);
	aa_buf_release(&r->init);
	if (uv_loop_close(r->loop) != 0)
		say(r, 1, "handles left open at exit");
	rc = 0;
out:
	free(r);
	return rc;
}
