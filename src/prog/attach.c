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
 * That client is attach-http.c; the drawing and the status line are
 * attach-screen.c; this file keeps the command, its keys and the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cJSON.h>
#include <uv.h>

#include "base/aa-internal.h"
#include "api/control.h"
#include "prog/attach.h"
#include "base/buf.h"
#include "prog/attach-private.h"

#define ATTACH_RESIZE_DEBOUNCE_MS 100

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
		attach_draw(a);
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
		attach_draw_status(a);
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
	attach_reply_init(&r, 0);
	if (attach_round_trip(&a->t, a->token, "POST", "/resize", body, &r,
		&cause) == 0 && r.status == 200) {
		a->sent_cols = cols;
		a->sent_rows = rows;
	}
	free(cause);
	attach_reply_release(&r);
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
	rc = attach_reply_feed(&a->screen, buf, n > 0 ? (size_t)n : 0);
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
	attach_draw_status(a);
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
	rc = attach_reply_feed(&a->state, buf, n > 0 ? (size_t)n : 0);
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
	if (j > 0 && attach_forward_input(&a->t, a->token, out, j, a->why,
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
	attach_local_size(a);
	attach_draw(a);
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
	attach_write_all(STDOUT_FILENO, "\x1b[?1049h\x1b[?7l", 13);
}

/* Undoes term_enter(). */
static void
term_leave(struct attach *a)
{
	if (!a->tty)
		return;
	attach_write_all(STDOUT_FILENO, "\x1b[?7h\x1b[?1049l", 13);
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
	attach_local_size(a);
	post_resize(a);
	attach_draw_status(a);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	return a->rc < 0 ? 0 : a->rc;
}

int
aa_attach_main(const char *url, const char *token, const char *detach_keys,
    const char *unix_path)
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
	    (unix_path != NULL ? attach_unix_target(&a->t, unix_path, url,
	    &cause) : attach_parse_target(&a->t, url, &cause)) != 0) {
		fprintf(stderr, "Attach failed: %s\n", cause ? cause : url);
		free(cause);
		free(a);
		return 1;
	}
	aa_attach_keys_name(&a->keys, a->keys_name, sizeof(a->keys_name));
	if (attach_check_status(&a->t, token) != 0) {
		free(a);
		return 1;
	}
	a->screen_fd = attach_send_request(&a->t, token, "GET", "/internal/screen",
	    NULL, &cause);
	if (a->screen_fd < 0) {
		fprintf(stderr, "Attach failed: %s\n", cause ? cause : "error");
		free(cause);
		free(a);
		return 1;
	}
	/* The state is a nicety: a server that refuses it is still attached. */
	a->state_fd = attach_send_request(&a->t, token, "GET", "/events?extended=1",
	    NULL, &cause);
	free(cause);
	attach_reply_init(&a->screen, 1);
	a->screen.on_event = on_screen_event;
	a->screen.ud = a;
	attach_reply_init(&a->state, 1);
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
	attach_reply_release(&a->screen);
	attach_reply_release(&a->state);
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
