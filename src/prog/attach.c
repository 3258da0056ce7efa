/*
 * attach.c - `agentapi-c attach`: watch a running server's terminal and
 * type into it (../shared/spec/http.md §10).
 *
 * A small blocking client, deliberately not on libuv: one SSE connection to
 * <url>/internal/screen whose `screen` events are drawn full-screen, and
 * stdin in raw mode whose every chunk is POSTed to <url>/message as a raw
 * message.  A lone Ctrl-C detaches.  Responses are parsed with llhttp (so
 * chunked encoding is handled), SSE framing by a bounded line parser of our
 * own: an event larger than 256 KiB ends the session with an error, as
 * upstream's client does.
 */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cJSON.h>
#include <llhttp.h>

#include "base/aa-internal.h"
#include "prog/attach.h"
#include "base/buf.h"

#define ATTACH_MAX_EVENT (256 * 1024)
#define ATTACH_MAX_REPLY (1024 * 1024)

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

/* Draws one `screen` event. */
static int
on_screen_event(void *ud, const char *name, const char *data)
{
	cJSON *o, *s;
	size_t n;

	(void)ud;
	if (strcmp(name, "screen") != 0)
		return 0;
	o = cJSON_Parse(data);
	s = cJSON_GetObjectItemCaseSensitive(o, "screen");
	if (cJSON_IsString(s)) {
		n = strlen(s->valuestring);
		write_all(STDOUT_FILENO, "\x1b[H\x1b[2J", 7);
		write_all(STDOUT_FILENO, s->valuestring, n);
		if (n == 0 || s->valuestring[n - 1] != '\n')
			write_all(STDOUT_FILENO, "\r\n", 2);
	}
	cJSON_Delete(o);
	return 0;
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

/* POSTs one chunk of keyboard input as a raw message. */
static int
forward_input(const struct target *t, const char *token, const char *p,
    size_t n)
{
	struct reply r;
	char *body, *cause = NULL;
	int rc;

	if ((body = raw_body(p, n)) == NULL)
		return AA_ENOMEM;
	reply_init(&r, 0);
	rc = round_trip(t, token, "POST", "/message", body, &r, &cause);
	if (rc == 0 && r.status != 200) {
		fprintf(stderr, "\r\nAttach failed: failed to write raw input: "
				"%d\r\n", r.status);
		rc = AA_EIO;
	} else if (rc != 0)
		fprintf(stderr, "\r\nAttach failed: %s\r\n",
		    cause ? cause : "error");
	cJSON_free(body);
	free(cause);
	reply_release(&r);
	return rc;
}

/* The main loop: screen events in, keyboard chunks out. */
static int
attach_loop(const struct target *t, const char *token, int sse_fd,
    struct reply *sse)
{
	struct pollfd pfd[2];
	char buf[16384];
	ssize_t n;
	int rc;

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = sse_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (pfd[1].revents != 0) {
			n = read(sse_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			rc = reply_feed(sse, buf, n > 0 ? (size_t)n : 0);
			if (rc != 0 || n <= 0) {
				fprintf(stderr, "\r\nagentapi-c: the server "
						"closed the screen stream\r\n");
				return rc < 0 && rc != AA_EIO ? 1 : 0;
			}
			if (sse->status != 0 && sse->status != 200) {
				fprintf(stderr, "\r\nAttach failed: screen "
						"stream answered %d\r\n",
				    sse->status);
				return 1;
			}
		}
		if (pfd[0].revents != 0) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return 0;
			if (n == 1 && buf[0] == '\x03')
				return 0;
			if (forward_input(t, token, buf, (size_t)n) != 0)
				return 1;
		}
	}
}

int
aa_attach_main(const char *url, const char *token)
{
	struct target t;
	struct reply sse;
	struct termios saved, raw;
	char *cause = NULL;
	int fd, rc, tty;

	if (url == NULL || *url == '\0')
		url = "localhost:3284";
	if (parse_target(&t, url, &cause) != 0) {
		fprintf(stderr, "Attach failed: %s\n", cause ? cause : url);
		free(cause);
		return 1;
	}
	if (check_status(&t, token) != 0)
		return 1;
	fd = send_request(&t, token, "GET", "/internal/screen", NULL, &cause);
	if (fd < 0) {
		fprintf(stderr, "Attach failed: %s\n", cause ? cause : "error");
		free(cause);
		return 1;
	}
	reply_init(&sse, 1);
	sse.on_event = on_screen_event;
	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		write_all(STDOUT_FILENO, "\x1b[?1049h", 8);
	}
	rc = attach_loop(&t, token, fd, &sse);
	if (tty) {
		write_all(STDOUT_FILENO, "\x1b[?1049l", 8);
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	}
	close(fd);
	reply_release(&sse);
	return rc;
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
