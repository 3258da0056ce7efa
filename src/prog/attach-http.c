/*
 * attach-http.c - the small HTTP/SSE client under `agentapi-c attach`:
 * the target URL split into host, port and path prefix (or a unix socket,
 * the host's: `attach ID`, and hostclient.c), one blocking connection per
 * request, and the reply read with llhttp (so chunked
 * encoding is handled) into a bounded body or, for an event stream, fed
 * to a bounded SSE line parser of our own.  An event larger than 256 KiB
 * or a body larger than 1 MiB ends the reply with an error, as upstream's
 * client does.  The requests are short (the server answers at once), so
 * blocking is fine; the two streams are read from attach.c's loop through
 * attach_reply_feed.  The few requests attach makes (the transport check,
 * raw input) are here too, as they only speak HTTP.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cJSON.h>
#include <llhttp.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "prog/attach.h"
#include "prog/attach-private.h"

#define ATTACH_MAX_EVENT (256 * 1024)
#define ATTACH_MAX_REPLY (1024 * 1024)
/* A blocking read gives up after this long: an answer is at most a send's
 * deadlines away, and an event stream pings every 15 s. */
#define ATTACH_READ_TIMEOUT_S 120

static int dial_tcp(const struct target *, char **);

/* Splits "[http://]host[:port][/prefix]" into its parts. */
int
attach_parse_target(struct target *t, const char *url, char **cause)
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

/* Aims t at the unix socket path, under the path prefix. */
int
attach_unix_target(struct target *t, const char *path, const char *prefix,
    char **cause)
{
	memset(t, 0, sizeof(*t));
	if (strlen(path) >= sizeof(t->unix_path) || path[0] == '\0' ||
	    strlen(prefix) >= sizeof(t->prefix)) {
		if (asprintf(cause, "socket path too long: %s", path) < 0)
			*cause = NULL;
		return AA_EINVAL;
	}
	strcpy(t->unix_path, path);
	strcpy(t->prefix, prefix);
	strcpy(t->host, "localhost");
	return 0;
}

/* Connects to the host's unix socket; returns the fd or a negative code. */
static int
dial_unix(const struct target *t, char **cause)
{
	struct sockaddr_un sa;
	int fd, e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, t->unix_path, strlen(t->unix_path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		*cause = strdup("cannot make a socket");
		return AA_EIO;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	e = errno;
	close(fd);
	if (e == ENOENT || e == ECONNREFUSED) {
		if (asprintf(cause, "no host running at %s (start one with "
		    "agentapi-c host)", t->unix_path) < 0)
			*cause = NULL;
		return AA_EIO;
	}
	if (asprintf(cause, "cannot connect to %s: %s", t->unix_path,
	    strerror(e)) < 0)
		*cause = NULL;
	return AA_EIO;
}

/* Opens a connection to the target; returns the fd or a negative code. */
static int
dial(const struct target *t, char **cause)
{
	struct timeval tv = { .tv_sec = ATTACH_READ_TIMEOUT_S };
	int fd;

	fd = t->unix_path[0] != '\0' ? dial_unix(t, cause) :
	    dial_tcp(t, cause);
	if (fd >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Opens a TCP connection to the target; returns the fd or a negative
 * code. */
static int
dial_tcp(const struct target *t, char **cause)
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
int
attach_write_all(int fd, const char *buf, size_t n)
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
		if (r->line.len + r->data.len > (r->max != 0 ? r->max :
		    ATTACH_MAX_EVENT))
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
	if (r->body.len + len > (r->max != 0 ? r->max : ATTACH_MAX_REPLY)) {
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
void
attach_reply_init(struct reply *r, int sse)
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
void
attach_reply_release(struct reply *r)
{
	aa_buf_release(&r->body);
	aa_buf_release(&r->line);
	aa_buf_release(&r->event);
	aa_buf_release(&r->data);
}

/* Feeds received bytes; returns 0 to go on, 1 when complete, <0 on error. */
int
attach_reply_feed(struct reply *r, const char *buf, size_t n)
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
int
attach_send_request(const struct target *t, const char *token,
    const char *method, const char *path, const char *body, char **cause)
{
	struct aa_buf req;
	int fd, rc;

	if ((fd = dial(t, cause)) < 0)
		return fd;
	aa_buf_init(&req);
	if (t->unix_path[0] != '\0')
		aa_buf_printf(&req, "%s %s%s HTTP/1.1\r\nHost: localhost\r\n",
		    method, t->prefix, path);
	else
		aa_buf_printf(&req, "%s %s%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n",
		    method, t->prefix, path, strchr(t->host, ':') ? "[" : "",
		    t->host, strchr(t->host, ':') ? "]" : "", t->port);
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
	rc = attach_write_all(fd, aa_buf_str(&req), req.len);
	aa_buf_release(&req);
	if (rc != 0) {
		close(fd);
		*cause = strdup("cannot send the request");
		return AA_EIO;
	}
	return fd;
}

/* Runs a request to completion; fills r.  Returns 0 or a negative code. */
int
attach_round_trip(const struct target *t, const char *token,
    const char *method, const char *path, const char *body, struct reply *r,
    char **cause)
{
	char buf[16384];
	ssize_t n;
	int fd, rc = 0;

	if ((fd = attach_send_request(t, token, method, path, body, cause)) < 0)
		return fd;
	while (rc == 0) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    *cause == NULL && asprintf(cause, "no answer within %d s",
		    ATTACH_READ_TIMEOUT_S) < 0)
			*cause = NULL;
		rc = attach_reply_feed(r, buf, n > 0 ? (size_t)n : 0);
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
int
attach_check_status(const struct target *t, const char *token)
{
	struct reply r;
	char *cause = NULL;
	cJSON *o, *tr;
	int rc = 0;

	attach_reply_init(&r, 0);
	if (attach_round_trip(t, token, "GET", "/status", NULL, &r, &cause) != 0) {
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
	attach_reply_release(&r);
	return rc;
}

/* POSTs one chunk of keyboard input as a raw message; a failure is
 * described in why[0..whysize). */
int
attach_forward_input(const struct target *t, const char *token,
    const char *p, size_t n, char *why, size_t whysize)
{
	struct reply r;
	char *body, *cause = NULL;
	int rc;

	if ((body = raw_body(p, n)) == NULL)
		return AA_ENOMEM;
	attach_reply_init(&r, 0);
	rc = attach_round_trip(t, token, "POST", "/message", body, &r, &cause);
	if (rc == 0 && r.status != 200) {
		snprintf(why, whysize, "Attach failed: failed to write raw "
					"input: %d", r.status);
		rc = AA_EIO;
	} else if (rc != 0)
		snprintf(why, whysize, "Attach failed: %s",
		    cause ? cause : "error");
	cJSON_free(body);
	free(cause);
	attach_reply_release(&r);
	return rc;
}


int
aa__attach_sse_feed_for_test(const char *p, size_t n,
    int (*cb)(void *, const char *, const char *), void *ud)
{
	struct reply r;
	int rc;

	attach_reply_init(&r, 1);
	r.status = 200;
	r.on_event = cb;
	r.ud = ud;
	rc = sse_feed(&r, p, n);
	attach_reply_release(&r);
	return rc;
}
