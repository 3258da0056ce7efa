/*
 * attach.c - `agentapi-c attach`: watch a running server's terminal and
 * type into it (../shared/spec/http.md §10).
 *
 * A small client on its own libuv loop: one SSE connection to
 * <url>/internal/screen whose `screen` events are drawn on the alternate
 * screen (the bottom rows that fit, above a status line), and stdin in raw
 * mode without ISIG, so that every key, Ctrl-C included, is POSTed to
 * <url>/message as a raw message.  Only the detach keys (--detach-keys,
 * Ctrl-] by default, as telnet's) are kept back; they end attach with
 * status 0.  The local terminal's size goes to POST /resize at start and,
 * debounced, after SIGWINCH, so the agent lays out for the terminal that
 * watches it (the last client to resize wins).  A second SSE connection to
 * /events?extended=1 feeds the status line with the agent's state; it is
 * optional, and attach goes on without it.  The requests themselves are
 * blocking and short (one connection each, to a server that answers at
 * once).  Every way out, including errors and SIGTERM/SIGHUP/SIGINT/
 * SIGQUIT, goes through one path that restores the terminal.
 *
 * Responses are parsed with llhttp (so chunked encoding is handled), SSE
 * framing by a bounded line parser of our own: an event larger than
 * 256 KiB ends the session with an error, as upstream's client does.
 */
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cJSON.h>
#include <llhttp.h>
#include <uv.h>

#include "base/aa-internal.h"
#include "api/control.h"
#include "prog/attach.h"
#include "base/buf.h"

#define ATTACH_MAX_EVENT (256 * 1024)
#define ATTACH_MAX_REPLY (1024 * 1024)
#define ATTACH_RESIZE_DEBOUNCE_MS 100

struct target {
	char host[256];
	char port[16];
	char prefix[1024]; /* path prefix without a trailing slash */
};

/* One HTTP response being read: status, and the body or SSE framing. */
struct reply {
	llhttp_t parser;
	llhttp_settings_t settings;
	int status;
	int complete;
	int sse;	       /* feed the body to the SSE parser */
	struct aa_buf body;    /* whole body (non-SSE) */
	struct aa_buf line;    /* SSE: the line being assembled */
	struct aa_buf event;   /* SSE: current event name */
	struct aa_buf data;    /* SSE: current data lines */
	int error;
	int (*on_event)(void *ud, const char *name, const char *data);
	void *ud;
};

/* Splits "[http://]host[:port][/prefix]" into its parts. */
static int
parse_target(struct target *t, const char *url, char **cause)
{
	const char *p = url, *slash, *colon, *hend;
	size_t n;

	if (strncmp(p, "https://", 8) == 0) {
		*cause = strdup("https is not supported by agentapi-c attach");
		return AA_EINVAL;
	}
	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	slash = strchr(p, '/');
	hend = slash != NULL ? slash : p + strlen(p);
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(hend - p));
		if (rb == NULL)
			goto bad;
		n = (size_t)(rb - p - 1);
		if (n == 0 || n >= sizeof(t->host))
			goto bad;
		memcpy(t->host, p + 1, n);
		t->host[n] = '\0';
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(hend - p));
		n = (size_t)((colon != NULL ? colon : hend) - p);
		if (n == 0 || n >= sizeof(t->host))
			goto bad;
		memcpy(t->host, p, n);
		t->host[n] = '\0';
	}
	if (colon != NULL) {
		n = (size_t)(hend - colon - 1);
		if (n == 0 || n >= sizeof(t->port))
			goto bad;
		memcpy(t->port, colon + 1, n);
		t->port[n] = '\0';
	} else
		strcpy(t->port, "80");
	n = slash != NULL ? strlen(slash) : 0;
	while (n > 0 && slash[n - 1] == '/')
		n--;
	if (n >= sizeof(t->prefix))
		goto bad;
	if (n > 0)
		memcpy(t->prefix, slash, n);
	t->prefix[n] = '\0';
	return 0;
bad:
	if (asprintf(cause, "invalid server URL: %s", url) < 0)
		*cause = NULL;
	return AA_EINVAL;
}

/* Opens a TCP connection to the target; returns the fd or a negative code. */
static int
dial(const struct target *t, char **cause)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(t->host, t->port, &hints, &res);
	if (rc != 0) {
		if (asprintf(cause, "cannot resolve %s: %s", t->host,
			gai_strerror(rc)) < 0)
			*cause = NULL;
		return AA_EINVAL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (asprintf(cause, "cannot connect to %s:%s: %s", t->host,
			t->port, strerror(errno)) < 0)
			*cause = NULL;
		return AA_EIO;
	}
	return fd;
}

/* Writes all of buf to fd. */
static int
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return AA_EIO;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Dispatches a complete SSE event (at a blank line). */
static int
sse_dispatch(struct reply *r)
{
	int rc = 0;

	if (r->data.len > 0 && r->on_event != NULL)
		rc = r->on_event(r->ud, aa_buf_str(&r->event),
		    aa_buf_str(&r->data));
	aa_buf_reset(&r->event);
	aa_buf_reset(&r->data);
	return rc;
}

/* Handles one SSE line (without its line ending). */
static int
sse_line(struct reply *r, const char *s, size_t n)
{
	const char *v;
	size_t vn;

	if (n == 0)
		return sse_dispatch(r);
	if (s[0] == ':')
		return 0;
	v = memchr(s, ':', n);
	vn = v != NULL ? n - (size_t)(v - s) - 1 : 0;
	if (v != NULL) {
		v++;
		if (vn > 0 && *v == ' ') {
			v++;
			vn--;
		}
	}
	if (n >= 5 && memcmp(s, "event", 5) == 0 && (n == 5 || s[5] == ':')) {
		aa_buf_reset(&r->event);
		return v != NULL ? aa_buf_append(&r->event, v, vn) : 0;
	}
	if (n >= 4 && memcmp(s, "data", 4) == 0 && (n == 4 || s[4] == ':')) {
		if (r->data.len > 0 && aa_buf_putc(&r->data, '\n') != 0)
			return AA_ENOMEM;
		return v != NULL ? aa_buf_append(&r->data, v, vn) : 0;
	}
	return 0; /* id:, retry: and unknown fields are ignored */
}

/* Feeds body bytes to the SSE line parser. */
static int
sse_feed(struct reply *r, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			size_t len = r->line.len;
			if (len > 0 && r->line.data[len - 1] == '\r')
				len--;
			if (sse_line(r, r->line.data ? r->line.data : "",
				len) != 0)
				return -1;
			aa_buf_reset(&r->line);
		} else if (aa_buf_putc(&r->line, p[i]) != 0)
			return -1;
		if (r->line.len + r->data.len > ATTACH_MAX_EVENT)
			return -1;
	}
	return 0;
}

/* llhttp: the status line has been read. */
static int
on_headers_complete(llhttp_t *p)
{
	struct reply *r = p->data;

	r->status = p->status_code;
	return 0;
}

/* llhttp: body bytes (already de-chunked). */
static int
on_body(llhttp_t *p, const char *at, size_t len)
{
	struct reply *r = p->data;

	if (r->sse && r->status == 200) {
		if (sse_feed(r, at, len) != 0) {
			r->error = AA_E2BIG;
			return -1;
		}
		return 0;
	}
	if (r->body.len + len > ATTACH_MAX_REPLY) {
		r->error = AA_E2BIG;
		return -1;
	}
	return aa_buf_append(&r->body, at, len) == 0 ? 0 : -1;
}

/* llhttp: the response is complete. */
static int
on_message_complete(llhttp_t *p)
{
	struct reply *r = p->data;

	r->complete = 1;
	return HPE_PAUSED;
}

/* Prepares a reply parser. */
static void
reply_init(struct reply *r, int sse)
{
	memset(r, 0, sizeof(*r));
	llhttp_settings_init(&r->settings);
	r->settings.on_headers_complete = on_headers_complete;
	r->settings.on_body = on_body;
	r->settings.on_message_complete = on_message_complete;
	llhttp_init(&r->parser, HTTP_RESPONSE, &r->settings);
	r->parser.data = r;
	r->sse = sse;
	aa_buf_init(&r->body);
	aa_buf_init(&r->line);
	aa_buf_init(&r->event);
	aa_buf_init(&r->data);
}

/* Frees a reply parser's buffers. */
static void
reply_release(struct reply *r)
{
	aa_buf_release(&r->body);
	aa_buf_release(&r->line);
	aa_buf_release(&r->event);
	aa_buf_release(&r->data);
}

/* Feeds received bytes; returns 0 to go on, 1 when complete, <0 on error. */
static int
reply_feed(struct reply *r, const char *buf, size_t n)
{
	llhttp_errno_t e;

	if (n == 0)
		e = llhttp_finish(&r->parser);
	else
		e = llhttp_execute(&r->parser, buf, n);
	if (r->complete)
		return 1;
	if (e != HPE_OK)
		return r->error != 0 ? r->error : AA_EIO;
	return n == 0 ? AA_EIO : 0;
}

/* Sends one request on a new connection; returns the fd (response unread). */
static int
send_request(const struct target *t, const char *token, const char *method,
    const char *path, const char *body, char **cause)
{
	struct aa_buf req;
	int fd, rc;

	if ((fd = dial(t, cause)) < 0)
		return fd;
	aa_buf_init(&req);
	aa_buf_printf(&req, "%s %s%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n", method,
	    t->prefix, path, strchr(t->host, ':') ? "[" : "", t->host,
	    strchr(t->host, ':') ? "]" : "", t->port);
	if (token != NULL && *token != '\0')
		aa_buf_printf(&req, "Authorization: Bearer %s\r\n", token);
	if (body != NULL)
		aa_buf_printf(&req,
		    "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		    strlen(body), body);
	else
		aa_buf_puts(&req, "Accept: text/event-stream, application/json"
				  "\r\nConnection: close\r\n\r\n");
	rc = write_all(fd, aa_buf_str(&req), req.len);
	aa_buf_release(&req);
	if (rc != 0) {
		close(fd);
		*cause = strdup("cannot send the request");
		return AA_EIO;
	}
	return fd;
}

/* Runs a request to completion; fills r.  Returns 0 or a negative code. */
static int
round_trip(const struct target *t, const char *token, const char *method,
    const char *path, const char *body, struct reply *r, char **cause)
{
	char buf[16384];
	ssize_t n;
	int fd, rc = 0;

	if ((fd = send_request(t, token, method, path, body, cause)) < 0)
		return fd;
	while (rc == 0) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		rc = reply_feed(r, buf, n > 0 ? (size_t)n : 0);
		if (n <= 0 && rc == 0)
			rc = AA_EIO;
	}
	close(fd);
	if (rc < 0 && *cause == NULL)
		*cause = strdup("invalid response from the server");
	return rc < 0 ? rc : 0;
}

/* Builds the JSON body of a raw message. */
static char *
raw_body(const char *p, size_t n)
{
	cJSON *o;
	char *s, *text;

	if ((text = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(text, p, n);
	text[n] = '\0';
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddStringToObject(o, "content", text) == NULL ||
	    cJSON_AddStringToObject(o, "type", "raw") == NULL) {
		cJSON_Delete(o);
		free(text);
		return NULL;
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(text);
	return s;
}

/* Checks the server's transport; a failure only warns, as upstream. */
static int
check_status(const struct target *t, const char *token)
{
	struct reply r;
	char *cause = NULL;
	cJSON *o, *tr;
	int rc = 0;

	reply_init(&r, 0);
	if (round_trip(t, token, "GET", "/status", NULL, &r, &cause) != 0) {
		fprintf(stderr, "WARN: Unable to check server: %s",
		    cause ? cause : "error");
		goto out;
	}
	o = cJSON_ParseWithLength(aa_buf_str(&r.body), r.body.len);
	tr = cJSON_GetObjectItemCaseSensitive(o, "transport");
	if (cJSON_IsString(tr) && strcmp(tr->valuestring, "acp") == 0) {
		fprintf(stderr, "Attach failed: attach is not yet supported "
				"in ACP mode\n");
		rc = 1;
	}
	cJSON_Delete(o);
out:
	free(cause);
	reply_release(&r);
	return rc;
}

/* POSTs one chunk of keyboard input as a raw message; a failure is
 * described in why[0..whysize). */
static int
forward_input(const struct target *t, const char *token, const char *p,
    size_t n, char *why, size_t whysize)
{
	struct reply r;
	char *body, *cause = NULL;
	int rc;

	if ((body = raw_body(p, n)) == NULL)
		return AA_ENOMEM;
	reply_init(&r, 0);
	rc = round_trip(t, token, "POST", "/message", body, &r, &cause);
	if (rc == 0 && r.status != 200) {
		snprintf(why, whysize, "Attach failed: failed to write raw "
					"input: %d", r.status);
		rc = AA_EIO;
	} else if (rc != 0)
		snprintf(why, whysize, "Attach failed: %s",
		    cause ? cause : "error");
	cJSON_free(body);
	free(cause);
	reply_release(&r);
	return rc;
}

/* One attach session: the loop, its handles and what the screen shows. */
struct attach {
	uv_loop_t loop;
	struct target t;
	const char *url;
	const char *token;
	struct aa_attach_keys keys;
	char keys_name[AA_ATTACH_KEYS_MAX * 8];
	int tty;		/* stdin is a terminal, now in raw mode */
	struct termios saved;
	int screen_fd;
	int state_fd;		/* -1 once the state stream is gone */
	struct reply screen;
	struct reply state;
	uv_poll_t in_poll;
	uv_poll_t screen_poll;
	uv_poll_t state_poll;
	uv_signal_t winch;
	uv_signal_t sigs[4];
	uv_timer_t resize_timer;
	int in_polled, state_polled;
	char *last;		/* the last screen received, for redraws */
	unsigned cols, rows;	/* the local terminal; 0 when unknown */
	unsigned sent_cols, sent_rows; /* the last size the server took */
	char state_text[160];	/* "working", "waiting for you: ..." */
	int has_state_change;	/* the server speaks issue 13's state */
	int rc;
	char why[512];		/* why it ended, said once the terminal is
				 * back (the alternate screen would hide it) */
};

/* Signals that end attach (after the terminal is restored). */
static const int attach_signals[4] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };

/* Ends the session with exit code rc (the first reason wins). */
static void
attach_stop(struct attach *a, int rc)
{
	if (a->rc < 0)
		a->rc = rc;
	uv_stop(&a->loop);
}

/* Reads the local terminal's size into a->cols/rows (0 when unknown). */
static void
local_size(struct attach *a)
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
static void
draw(struct attach *a)
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
		write_all(STDOUT_FILENO, b.data, b.len);
	aa_buf_release(&b);
}

/* Redraws the status line alone. */
static void
draw_status(struct attach *a)
{
	struct aa_buf b;

	aa_buf_init(&b);
	put_status(a, &b);
	if (b.data != NULL)
		write_all(STDOUT_FILENO, b.data, b.len);
	aa_buf_release(&b);
}

/* Keeps and draws one `screen` event. */
static int
on_screen_event(void *ud, const char *name, const char *data)
{
	struct attach *a = ud;
	cJSON *o, *s;
	char *dup;

	if (strcmp(name, "screen") != 0)
		return 0;
	o = cJSON_Parse(data);
	s = cJSON_GetObjectItemCaseSensitive(o, "screen");
	if (cJSON_IsString(s) && (dup = strdup(s->valuestring)) != NULL) {
		free(a->last);
		a->last = dup;
		draw(a);
	}
	cJSON_Delete(o);
	return 0;
}

/* Takes the agent's state from an opt-in `state_change` event or, from a
 * server without them, upstream's `status_change`. */
static int
on_state_event(void *ud, const char *name, const char *data)
{
	struct attach *a = ud;
	const char *word = NULL;
	cJSON *o, *st, *q;

	o = cJSON_Parse(data);
	if (strcmp(name, "state_change") == 0) {
		a->has_state_change = 1;
		st = cJSON_GetObjectItemCaseSensitive(o, "state");
		if (cJSON_IsString(st))
			word = st->valuestring;
	} else if (strcmp(name, "status_change") == 0 &&
	    !a->has_state_change) {
		st = cJSON_GetObjectItemCaseSensitive(o, "status");
		if (cJSON_IsString(st))
			word = strcmp(st->valuestring, "running") == 0 ?
			    "working" : "idle";
	}
	if (word != NULL) {
		q = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(o, "prompt"), "question");
		if (strcmp(word, "waiting") == 0)
			snprintf(a->state_text, sizeof(a->state_text),
			    "waiting for you%s%s", cJSON_IsString(q) ? ": " : "",
			    cJSON_IsString(q) ? q->valuestring : "");
		else
			snprintf(a->state_text, sizeof(a->state_text), "%s",
			    word);
		draw_status(a);
	}
	cJSON_Delete(o);
	return 0;
}

/* POSTs the local size (clamped, less the status line) to /resize once it
 * differs from what the server last took.  A server without /resize (or
 * an exited agent) only costs the request. */
static void
post_resize(struct attach *a)
{
	struct reply r;
	char body[64], *cause = NULL;
	unsigned cols, rows;

	if (!a->tty || a->cols == 0)
		return;
	aa_attach_clamp(a->cols, a->rows > 1 ? a->rows - 1 : a->rows, &cols,
	    &rows);
	if (cols == a->sent_cols && rows == a->sent_rows)
		return;
	snprintf(body, sizeof(body), "{\"cols\":%u,\"rows\":%u}", cols, rows);
	reply_init(&r, 0);
	if (round_trip(&a->t, a->token, "POST", "/resize", body, &r,
		&cause) == 0 && r.status == 200) {
		a->sent_cols = cols;
		a->sent_rows = rows;
	}
	free(cause);
	reply_release(&r);
}

/* Reads the screen stream. */
static void
screen_cb(uv_poll_t *h, int status, int events)
{
	struct attach *a = h->data;
	char buf[16384];
	ssize_t n;
	int rc;

	(void)status;
	(void)events;
	if (a->why[0] != '\0')
		return;		/* already ending, for the first reason */
	n = read(a->screen_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	rc = reply_feed(&a->screen, buf, n > 0 ? (size_t)n : 0);
	if (a->screen.status != 0 && a->screen.status != 200) {
		snprintf(a->why, sizeof(a->why), "Attach failed: screen "
		    "stream answered %d", a->screen.status);
		attach_stop(a, 1);
	} else if (rc != 0 || n <= 0) {
		snprintf(a->why, sizeof(a->why), "agentapi-c: the server "
		    "closed the screen stream");
		attach_stop(a, rc < 0 && rc != AA_EIO ? 1 : 0);
	}
}

/* Drops the state stream (it is optional: attach goes on without it). */
static void
state_drop(struct attach *a)
{
	if (a->state_polled) {
		uv_poll_stop(&a->state_poll);
		uv_close((uv_handle_t *)&a->state_poll, NULL);
		a->state_polled = 0;
	}
	if (a->state_fd >= 0)
		close(a->state_fd);
	a->state_fd = -1;
	a->state_text[0] = '\0';
	draw_status(a);
}

/* Reads the opt-in events stream for the agent's state. */
static void
state_cb(uv_poll_t *h, int status, int events)
{
	struct attach *a = h->data;
	char buf[16384];
	ssize_t n;
	int rc;

	(void)status;
	(void)events;
	n = read(a->state_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	rc = reply_feed(&a->state, buf, n > 0 ? (size_t)n : 0);
	if (rc != 0 || n <= 0 ||
	    (a->state.status != 0 && a->state.status != 200))
		state_drop(a);
}

/* Forwards one chunk of input, less the detach keys; stops on detach. */
static int
forward_chunk(struct attach *a, const char *buf, size_t n)
{
	char out[16384 + AA_ATTACH_KEYS_MAX];
	size_t on = 0, i, j;
	int detach;

	if (n > 16384)
		n = 16384;
	detach = aa_attach_keys_feed(&a->keys, buf, n, out, &on);
	/* A NUL cannot travel in a JSON string here: Ctrl-@ is dropped. */
	for (i = j = 0; i < on; i++)
		if (out[i] != '\0')
			out[j++] = out[i];
	if (j > 0 && forward_input(&a->t, a->token, out, j, a->why,
	    sizeof(a->why)) != 0)
		return 1;
	return detach ? 0 : -1;
}

/* Reads the keyboard. */
static void
input_cb(uv_poll_t *h, int status, int events)
{
	struct attach *a = h->data;
	char buf[16384];
	ssize_t n;
	int rc;

	(void)status;
	(void)events;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		attach_stop(a, 0);
		return;
	}
	if ((rc = forward_chunk(a, buf, (size_t)n)) >= 0)
		attach_stop(a, rc);
}

/* The resizing has settled: tell the server. */
static void
resize_timer_cb(uv_timer_t *h)
{
	post_resize(h->data);
}

/* The local terminal changed size: redraw now, tell the server when the
 * resizing settles (a dragged window sends a burst of SIGWINCH). */
static void
winch_cb(uv_signal_t *h, int signum)
{
	struct attach *a = h->data;

	(void)signum;
	local_size(a);
	draw(a);
	uv_timer_start(&a->resize_timer, resize_timer_cb,
	    ATTACH_RESIZE_DEBOUNCE_MS, 0);
}

/* SIGTERM, SIGHUP, SIGINT (only from kill: the terminal is raw), SIGQUIT:
 * leave through the same path, which restores the terminal. */
static void
signal_cb(uv_signal_t *h, int signum)
{
	attach_stop(h->data, 128 + signum);
}

/* Closes a handle that is not closing yet (the teardown's uv_walk). */
static void
close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Stdin that cannot be polled (a regular file, /dev/null): forward it
 * all, then leave, as at end of input. */
static int
forward_stdin_file(struct attach *a)
{
	char buf[16384];
	ssize_t n;
	int rc;

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if ((rc = forward_chunk(a, buf, (size_t)n)) >= 0)
			return rc;
	}
}

/* Puts the terminal in raw mode (no ISIG: Ctrl-C is a key for the agent)
 * on the alternate screen, autowrap off. */
static void
term_enter(struct attach *a)
{
	struct termios raw;

	a->tty = isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &a->saved) == 0;
	if (!a->tty)
		return;
	raw = a->saved;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	write_all(STDOUT_FILENO, "\x1b[?1049h\x1b[?7l", 13);
}

/* Undoes term_enter(). */
static void
term_leave(struct attach *a)
{
	if (!a->tty)
		return;
	write_all(STDOUT_FILENO, "\x1b[?7h\x1b[?1049l", 13);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &a->saved);
	a->tty = 0;
}

/* Runs the loop: screen and state streams in, keys out, resizes. */
static int
attach_run(struct attach *a)
{
	size_t i;
	int r;

	uv_signal_init(&a->loop, &a->winch);
	a->winch.data = a;
	uv_signal_start(&a->winch, winch_cb, SIGWINCH);
	for (i = 0; i < AA__ARRAY_SIZE(attach_signals); i++) {
		uv_signal_init(&a->loop, &a->sigs[i]);
		a->sigs[i].data = a;
		uv_signal_start(&a->sigs[i], signal_cb, attach_signals[i]);
	}
	uv_timer_init(&a->loop, &a->resize_timer);
	a->resize_timer.data = a;
	if ((r = uv_poll_init(&a->loop, &a->screen_poll, a->screen_fd)) != 0) {
		fprintf(stderr, "Attach failed: %s\n", uv_strerror(r));
		return 1;
	}
	a->screen_poll.data = a;
	uv_poll_start(&a->screen_poll, UV_READABLE | UV_DISCONNECT, screen_cb);
	if (a->state_fd >= 0 &&
	    uv_poll_init(&a->loop, &a->state_poll, a->state_fd) == 0) {
		a->state_polled = 1;
		a->state_poll.data = a;
		uv_poll_start(&a->state_poll, UV_READABLE | UV_DISCONNECT,
		    state_cb);
	}
	if (uv_poll_init(&a->loop, &a->in_poll, STDIN_FILENO) == 0) {
		a->in_polled = 1;
		a->in_poll.data = a;
		uv_poll_start(&a->in_poll, UV_READABLE | UV_DISCONNECT,
		    input_cb);
	} else
		return forward_stdin_file(a);
	local_size(a);
	post_resize(a);
	draw_status(a);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	return a->rc < 0 ? 0 : a->rc;
}

int
aa_attach_main(const char *url, const char *token, const char *detach_keys)
{
	struct attach *a;
	char *cause = NULL;
	int rc;

	if (url == NULL || *url == '\0')
		url = "localhost:3284";
	if (detach_keys == NULL || *detach_keys == '\0')
		detach_keys = AA_ATTACH_DETACH_DEFAULT;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return 1;
	a->url = url;
	a->token = token;
	a->rc = -1;
	a->screen_fd = a->state_fd = -1;
	if (aa_attach_parse_keys(detach_keys, &a->keys, &cause) != 0 ||
	    parse_target(&a->t, url, &cause) != 0) {
		fprintf(stderr, "Attach failed: %s\n", cause ? cause : url);
		free(cause);
		free(a);
		return 1;
	}
	aa_attach_keys_name(&a->keys, a->keys_name, sizeof(a->keys_name));
	if (check_status(&a->t, token) != 0) {
		free(a);
		return 1;
	}
	a->screen_fd = send_request(&a->t, token, "GET", "/internal/screen",
	    NULL, &cause);
	if (a->screen_fd < 0) {
		fprintf(stderr, "Attach failed: %s\n", cause ? cause : "error");
		free(cause);
		free(a);
		return 1;
	}
	/* The state is a nicety: a server that refuses it is still attached. */
	a->state_fd = send_request(&a->t, token, "GET", "/events?extended=1",
	    NULL, &cause);
	free(cause);
	reply_init(&a->screen, 1);
	a->screen.on_event = on_screen_event;
	a->screen.ud = a;
	reply_init(&a->state, 1);
	a->state.on_event = on_state_event;
	a->state.ud = a;
	fprintf(stderr, "attached to %s; detach with %s\n", url, a->keys_name);
	if ((rc = uv_loop_init(&a->loop)) != 0) {
		fprintf(stderr, "Attach failed: %s\n", uv_strerror(rc));
		rc = 1;
		goto out;
	}
	term_enter(a);
	rc = attach_run(a);
	term_leave(a);
	uv_walk(&a->loop, close_walk_cb, NULL);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	uv_loop_close(&a->loop);
	if (a->why[0] != '\0')
		fprintf(stderr, "%s\n", a->why);
	if (rc == 0)
		fprintf(stderr, "detached from %s\n", url);
out:
	close(a->screen_fd);
	if (a->state_fd >= 0)
		close(a->state_fd);
	reply_release(&a->screen);
	reply_release(&a->state);
	free(a->last);
	free(a);
	return rc;
}

/* Parses one key of --detach-keys: "ctrl-X" or one printable character. */
static int
parse_key(const char *p, size_t n, unsigned char *out)
{
	unsigned char c;

	if (n == 1 && (unsigned char)p[0] > 0x20 && (unsigned char)p[0] < 0x7f) {
		*out = (unsigned char)p[0];
		return 0;
	}
	if (n != 6 || strncasecmp(p, "ctrl-", 5) != 0)
		return AA_EINVAL;
	c = (unsigned char)p[5];
	if (c >= 'a' && c <= 'z')
		*out = (unsigned char)(c - 'a' + 1);
	else if (c >= 'A' && c <= 'Z')
		*out = (unsigned char)(c - 'A' + 1);
	else if (c == '@')
		*out = 0;
	else if (c == '\\' || c == ']' || c == '^' || c == '_')
		*out = (unsigned char)(c - 0x40);
	else
		return AA_EINVAL;	/* ctrl-[ is Esc, which begins every
					 * arrow and function key */
	return 0;
}

int
aa_attach_parse_keys(const char *spec, struct aa_attach_keys *k,
    char **cause)
{
	const char *p = spec, *e;
	size_t n;

	memset(k, 0, sizeof(*k));
	if (spec == NULL || *spec == '\0')
		return aa__cause(cause, AA_EINVAL, "invalid --detach-keys: empty");
	for (;;) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (k->n == AA_ATTACH_KEYS_MAX)
			return aa__cause(cause, AA_EINVAL, "invalid --detach-keys "
			    "\"%s\": at most %d keys", spec, AA_ATTACH_KEYS_MAX);
		if (parse_key(p, n, &k->k[k->n]) != 0)
			return aa__cause(cause, AA_EINVAL, "invalid --detach-keys "
			    "\"%s\": \"%.*s\" is not ctrl-a..ctrl-z, ctrl-@, "
			    "ctrl-\\, ctrl-], ctrl-^, ctrl-_ or one printable "
			    "character", spec, (int)n, p);
		k->n++;
		if (e == NULL)
			return 0;
		p = e + 1;
	}
}

void
aa_attach_keys_name(const struct aa_attach_keys *k, char *buf, size_t size)
{
	size_t i, o = 0;
	int w;
	unsigned char c;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < k->n; i++) {
		c = k->k[i];
		if (c < 0x20)
			w = snprintf(buf + o, size - o, "%sCtrl-%c",
			    i > 0 ? "," : "", c + 0x40);
		else
			w = snprintf(buf + o, size - o, "%s%c",
			    i > 0 ? "," : "", c);
		if (w < 0 || (size_t)w >= size - o) {
			buf[o] = '\0';	/* whole keys only */
			return;
		}
		o += (size_t)w;
	}
}

int
aa_attach_keys_feed(struct aa_attach_keys *k, const char *in, size_t n,
    char *out, size_t *outn)
{
	unsigned char c;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		if (k->matched > 0 && c != k->k[k->matched]) {
			/* Not the sequence after all: the held keys go out. */
			memcpy(out + o, k->k, k->matched);
			o += k->matched;
			k->matched = 0;
		}
		if (c == k->k[k->matched]) {
			if (++k->matched == k->n) {
				k->matched = 0;
				*outn = o;
				return 1;
			}
			continue;
		}
		out[o++] = (char)c;
	}
	*outn = o;
	return 0;
}

void
aa_attach_clamp(unsigned cols, unsigned rows, unsigned *ocols,
    unsigned *orows)
{
	*ocols = cols < AA_CONTROL_MIN_COLS ? AA_CONTROL_MIN_COLS :
	    cols > AA_CONTROL_MAX_COLS ? AA_CONTROL_MAX_COLS : cols;
	*orows = rows < AA_CONTROL_MIN_ROWS ? AA_CONTROL_MIN_ROWS :
	    rows > AA_CONTROL_MAX_ROWS ? AA_CONTROL_MAX_ROWS : rows;
}

int
aa__attach_sse_feed_for_test(const char *p, size_t n,
    int (*cb)(void *, const char *, const char *), void *ud)
{
	struct reply r;
	int rc;

	reply_init(&r, 1);
	r.status = 200;
	r.on_event = cb;
	r.ud = ud;
	rc = sse_feed(&r, p, n);
	reply_release(&r);
	return rc;
}
