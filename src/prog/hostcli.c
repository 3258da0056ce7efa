/*
 * hostcli.c - the commands for people that drive a host's sessions:
 *
 *   agentapi-c ls [--json]
 *   agentapi-c new [--name N] [--type T] [--cwd DIR] [--term-width W
 *                  --term-height H] [--prompt TEXT] -- claude ...
 *   agentapi-c send [--queue|--interrupt] ID|NAME text...   (- : stdin)
 *   agentapi-c logs [-f] ID|NAME
 *   agentapi-c stop ID|NAME
 *   agentapi-c restart ID|NAME
 *   agentapi-c attach ID|NAME
 *
 * each over the host's unix socket (--socket, else the default path), or
 * --url and the token on TCP (hostclient.c).  They map one to one onto
 * the host's API: GET /sessions, POST /sessions, POST .../message (with
 * "queue", after POST .../interrupt for --interrupt), GET .../messages
 * and .../events, DELETE /sessions/{id}, POST /sessions/{id}/restart,
 * and attach's own requests under
 * /sessions/{id}.  Everything the host answers is bounded by the client,
 * checked member by member, and cleaned of control characters before it
 * reaches the terminal.  The exit code says what happened (hostcli.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/timefmt.h"
#include "prog/attach.h"
#include "prog/attach-private.h"
#include "prog/cli.h"
#include "prog/cli-table.h"
#include "prog/hostcli.h"
#include "prog/hostclient.h"

/* A message typed in: the API's own limit. */
#define HOSTCLI_MAX_TEXT (1024 * 1024)

/* Prints "Error: ..." and returns code. */
static int
fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* The exit code for a failed call: no host (nothing answered the
 * socket or URL, or not in HTTP), or a bad answer. */
static int
call_failed(int rc, char *cause)
{
	int code = rc == AA_EIO ? AA_HOSTCLI_NO_HOST : AA_HOSTCLI_FAILED;

	code = fail(code, "%s", cause != NULL ? cause : aa_strerror(rc));
	free(cause);
	return code;
}

/* The exit code for an error answer. */
static int
answer_failed(int status, const cJSON *o, const char *what)
{
	char why[1024];

	aa_hostclient_detail(o, "unexpected answer", why, sizeof(why));
	if (status == 401)
		return fail(AA_HOSTCLI_FAILED, "%s: the host refused the token",
		    what);
	if (status == 404)
		return fail(AA_HOSTCLI_NO_SESSION, "%s: no such session", what);
	return fail(status == 409 ? AA_HOSTCLI_BUSY : status == 503 ?
	    AA_HOSTCLI_EXITED : AA_HOSTCLI_FAILED, "%s: %s (%d)", what, why,
	    status);
}

size_t
aa_hostcli_clean(struct aa_buf *out, const char *s, size_t max, int nl)
{
	size_t n = strlen(s);

	if (max != 0 && n > max) {
		n = max;
		/* Not in the middle of a UTF-8 sequence. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x7f || (c < 0x20 && c != '\t' && !(nl && c == '\n')))
			c = '?';
		else if (c == '\t' && !nl)
			c = ' ';
		aa_buf_putc(out, (char)c);
	}
	return n;
}

void
aa_hostcli_age(char *buf, size_t size, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, size, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, size, "%lldm", secs / 60);
	else if (secs < 86400)
		snprintf(buf, size, "%lldh", secs / 3600);
	else
		snprintf(buf, size, "%lldd", secs / 86400);
}

/* A string member, or "". */
static const char *
str_of(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(o, key));

	return s != NULL ? s : "";
}

/* A whole number member in [0, 2^53], or -1. */
static long long
num_of(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(it) || it->valuedouble < 0 ||
	    it->valuedouble > 9007199254740992.0)
		return -1;
	return (long long)it->valuedouble;
}

/* Finds the session c names, or prints why not. */
static int
find(const struct aa_hostclient *hc, const char *ref, char *id)
{
	char *cause = NULL;
	int rc;

	if (*ref == '\0')
		return fail(AA_HOSTCLI_FAILED, "give a session ID or NAME");
	if ((rc = aa_hostclient_find(hc, ref, id, &cause)) == 0)
		return 0;
	if (rc == AA_ENOENT) {
		fail(AA_HOSTCLI_NO_SESSION, "%s", cause != NULL ? cause :
		    "no such session");
		free(cause);
		return AA_HOSTCLI_NO_SESSION;
	}
	return call_failed(rc, cause);
}

/* ---- ls ---- */

/* One column's text of a session, cleaned; max bytes of it. */
static void
cell(struct aa_buf *b, const char *s, size_t max)
{
	aa_buf_reset(b);
	aa_hostcli_clean(b, s, max, 0);
	if (b->data == NULL)
		aa_buf_puts(b, "");
}

/* Appends a cell padded to w (right-aligned with right), two spaces
 * after all but the last. */
static void
put_cell(struct aa_buf *line, const char *s, size_t w, int right, int last)
{
	if (last)
		aa_buf_puts(line, s);
	else if (right)
		aa_buf_printf(line, "%*s  ", (int)w, s);
	else
		aa_buf_printf(line, "%-*s  ", (int)w, s);
}

static int
cmd_ls(const struct aa_cli *c, const struct aa_hostclient *hc)
{
	static const char *const heads[] = { "ID", "NAME", "TYPE", "STATUS",
		"STATE", "MSGS", "AGE", "CWD" };
	enum { NCOL = 8 };
	struct aa_buf t[NCOL], line;
	size_t w[NCOL];
	const cJSON *a, *e;
	cJSON *o;
	char *cause = NULL, *text;
	int status, rc, pass;
	struct timespec now;

	if ((rc = aa_hostclient_call(hc, "GET", "/sessions", NULL, &status,
	    &o, &cause)) != 0)
		return call_failed(rc, cause);
	a = cJSON_GetObjectItemCaseSensitive(o, "sessions");
	if (status != 200 || !cJSON_IsArray(a)) {
		rc = answer_failed(status, o, "listing the sessions");
		cJSON_Delete(o);
		return rc;
	}
	if (c->json) {
		/* Parsed and printed again: well-formed whatever came. */
		if ((text = cJSON_Print(o)) != NULL)
			printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(o);
		return text != NULL ? AA_HOSTCLI_OK : AA_HOSTCLI_FAILED;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	for (int k = 0; k < NCOL; k++) {
		aa_buf_init(&t[k]);
		w[k] = strlen(heads[k]);
	}
	aa_buf_init(&line);
	/* Twice: the widths, then the lines. */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (int k = 0; k < NCOL; k++)
				put_cell(&line, heads[k], w[k], k == 5,
				    k == NCOL - 1);
			printf("%s\n", aa_buf_str(&line));
		}
		cJSON_ArrayForEach(e, a) {
			const char *created = str_of(e, "created");
			const char *type = str_of(e, "agent_type");
			int64_t ns;
			char num[32], age[32];
			long long m = num_of(e, "messages");

			snprintf(num, sizeof(num), "%lld", m < 0 ? 0 : m);
			if (aa_time_parse(created, strlen(created), &ns) == 0)
				aa_hostcli_age(age, sizeof(age),
				    (long long)now.tv_sec - ns / 1000000000);
			else
				strcpy(age, "?");
			if (*type == '\0')
				type = str_of(e, "type");
			cell(&t[0], str_of(e, "id"), 16);
			cell(&t[1], str_of(e, "name"), 24);
			cell(&t[2], type, 16);
			cell(&t[3], str_of(e, "status"), 10);
			cell(&t[4], str_of(e, "state"), 10);
			cell(&t[5], num, 0);
			cell(&t[6], age, 0);
			cell(&t[7], str_of(e, "cwd"), 0);
			aa_buf_reset(&line);
			for (int k = 0; k < NCOL; k++) {
				if (pass == 0) {
					w[k] = AA__MAX(w[k], t[k].len);
					continue;
				}
				put_cell(&line, aa_buf_str(&t[k]), w[k], k == 5,
				    k == NCOL - 1);
			}
			if (pass == 1)
				printf("%s\n", aa_buf_str(&line));
		}
		aa_buf_reset(&line);
	}
	for (int k = 0; k < NCOL; k++)
		aa_buf_release(&t[k]);
	aa_buf_release(&line);
	cJSON_Delete(o);
	return AA_HOSTCLI_OK;
}

/* ---- new ---- */

static int
cmd_new(const struct aa_cli *c, const struct aa_hostclient *hc)
{
	char cwd[PATH_MAX], *body = NULL, *cause = NULL;
	const char *id;
	cJSON *req = cJSON_CreateObject(), *argv, *o = NULL;
	int status, rc;

	if (realpath(c->cwd[0] != '\0' ? c->cwd : ".", cwd) == NULL) {
		cJSON_Delete(req);
		return fail(AA_HOSTCLI_FAILED, "--cwd %s: %s", c->cwd,
		    strerror(errno));
	}
	if (req == NULL || (argv = cJSON_AddArrayToObject(req, "argv")) ==
	    NULL)
		goto oom;
	for (size_t i = 0; i < c->agent_argc; i++)
		if (!cJSON_AddItemToArray(argv,
		    cJSON_CreateString(c->agent_argv[i])))
			goto oom;
	if (cJSON_AddStringToObject(req, "cwd", cwd) == NULL ||
	    (c->name[0] != '\0' && cJSON_AddStringToObject(req, "name",
	    c->name) == NULL) ||
	    (c->type[0] != '\0' && cJSON_AddStringToObject(req, "type",
	    c->type) == NULL) ||
	    (c->prompt[0] != '\0' && cJSON_AddStringToObject(req,
	    "initial_prompt", c->prompt) == NULL) ||
	    (c->src[AA_CLI_OPT_TERM_WIDTH] != AA_CLI_SRC_DEFAULT &&
	    cJSON_AddNumberToObject(req, "term_width", c->term_width) ==
	    NULL) ||
	    (c->src[AA_CLI_OPT_TERM_HEIGHT] != AA_CLI_SRC_DEFAULT &&
	    cJSON_AddNumberToObject(req, "term_height", c->term_height) ==
	    NULL) || (body = cJSON_PrintUnformatted(req)) == NULL)
		goto oom;
	cJSON_Delete(req);
	rc = aa_hostclient_call(hc, "POST", "/sessions", body, &status, &o,
	    &cause);
	cJSON_free(body);
	if (rc != 0)
		return call_failed(rc, cause);
	id = str_of(o, "id");
	if (status != 201 || !aa_hostclient_is_id(id)) {
		rc = answer_failed(status == 201 ? 500 : status, o,
		    "starting the session");
		cJSON_Delete(o);
		/* 404 here is no session table: not "no such session". */
		return rc == AA_HOSTCLI_NO_SESSION ? AA_HOSTCLI_FAILED : rc;
	}
	printf("%s\n", id);
	cJSON_Delete(o);
	return AA_HOSTCLI_OK;
oom:
	cJSON_Delete(req);
	return fail(AA_HOSTCLI_FAILED, "out of memory");
}

/* ---- send ---- */

/* The text: the words joined by spaces, or stdin for "-". */
static int
send_text(const struct aa_cli *c, struct aa_buf *b)
{
	char chunk[65536];
	size_t n;

	if (c->agent_argc == 1 && strcmp(c->agent_argv[0], "-") == 0) {
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
			if (b->len + n > HOSTCLI_MAX_TEXT)
				return fail(AA_HOSTCLI_FAILED, "the message is "
				    "over 1 MiB");
			aa_buf_append(b, chunk, n);
		}
		if (ferror(stdin))
			return fail(AA_HOSTCLI_FAILED, "reading stdin: %s",
			    strerror(errno));
	} else
		for (size_t i = 0; i < c->agent_argc; i++)
			aa_buf_printf(b, "%s%s", i > 0 ? " " : "",
			    c->agent_argv[i]);
	if (b->len > HOSTCLI_MAX_TEXT)
		return fail(AA_HOSTCLI_FAILED, "the message is over 1 MiB");
	if (b->data == NULL)
		return fail(AA_HOSTCLI_FAILED, "an empty message");
	return 0;
}

static int
cmd_send(const struct aa_cli *c, const struct aa_hostclient *hc)
{
	char id[AA_HOSTCLIENT_ID_LEN + 1], path[64], *body = NULL;
	char *cause = NULL;
	struct aa_buf text;
	cJSON *req = NULL, *o = NULL;
	int status, rc;

	if ((rc = find(hc, c->session, id)) != 0)
		return rc;
	aa_buf_init(&text);
	if ((rc = send_text(c, &text)) != 0)
		goto out;
	if (c->interrupt) {
		/* The turn first (nothing to stop is fine), then the
		 * message, typed as soon as the agent is idle. */
		snprintf(path, sizeof(path), "/sessions/%s/interrupt", id);
		rc = aa_hostclient_call(hc, "POST", path, NULL, &status, &o,
		    &cause);
		if (rc != 0) {
			rc = call_failed(rc, cause);
			goto out;
		}
		if (status != 200 && status != 409) {
			rc = answer_failed(status, o, "interrupting");
			goto out;
		}
		cJSON_Delete(o);
		o = NULL;
	}
	if ((req = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(req, "content", aa_buf_str(&text)) ==
	    NULL || cJSON_AddStringToObject(req, "type", "user") == NULL ||
	    ((c->queue || c->interrupt) && cJSON_AddTrueToObject(req,
	    "queue") == NULL) || (body = cJSON_PrintUnformatted(req)) ==
	    NULL) {
		rc = fail(AA_HOSTCLI_FAILED, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "/sessions/%s/message", id);
	if ((rc = aa_hostclient_call(hc, "POST", path, body, &status, &o,
	    &cause)) != 0) {
		rc = call_failed(rc, cause);
		goto out;
	}
	if (status == 202) {
		long long pos = num_of(o, "position");

		printf("queued (position %lld)\n", pos < 0 ? 0 : pos);
		rc = AA_HOSTCLI_OK;
	} else if (status == 200)
		rc = AA_HOSTCLI_OK;
	else
		rc = answer_failed(status, o, "sending");
	if (status == 409)
		fputs("(--queue sends it once the agent is idle)\n", stderr);
out:
	cJSON_free(body);
	cJSON_Delete(req);
	cJSON_Delete(o);
	aa_buf_release(&text);
	return rc;
}

/* ---- logs ---- */

/* Prints one message: a header line, then its text. */
static void
print_message(long long id, const char *role, const char *time,
    const char *text)
{
	struct aa_buf b;

	aa_buf_init(&b);
	aa_buf_printf(&b, "--- #%lld ", id);
	aa_hostcli_clean(&b, role, 16, 0);
	/* "2026-12-02T10:30:57.58Z" -> "2026-12-02 10:30:57" */
	if (strlen(time) >= 19 && time[10] == 'T') {
		aa_buf_putc(&b, ' ');
		aa_hostcli_clean(&b, time, 10, 0);
		aa_buf_putc(&b, ' ');
		aa_hostcli_clean(&b, time + 11, 8, 0);
	}
	aa_buf_putc(&b, '\n');
	aa_hostcli_clean(&b, text, 0, 1);
	aa_buf_putc(&b, '\n');
	fwrite(aa_buf_str(&b), 1, b.len, stdout);
	fflush(stdout);
	aa_buf_release(&b);
}

/* What -f has printed and the message still being written. */
struct follow {
	long long printed;	/* every id below is printed */
	long long id;		/* the pending message, or -1 */
	cJSON *msg;
};

/* Prints the pending message, if any. */
static void
follow_flush(struct follow *f)
{
	if (f->msg == NULL)
		return;
	print_message(f->id, str_of(f->msg, "role"), str_of(f->msg, "time"),
	    str_of(f->msg, "message"));
	f->printed = f->id + 1;
	cJSON_Delete(f->msg);
	f->msg = NULL;
	f->id = -1;
}

/* An event of /events: a message is printed once the next one starts or
 * the agent is stable again, so that it is printed whole, once. */
static int
follow_event(void *ud, const char *name, const char *data)
{
	struct follow *f = ud;
	cJSON *o = cJSON_Parse(data);
	long long id;

	if (strcmp(name, "message_update") == 0 && (id = num_of(o,
	    "id")) >= f->printed) {
		if (f->msg != NULL && id != f->id)
			follow_flush(f);
		cJSON_Delete(f->msg);
		f->msg = o;
		f->id = id;
		return 0;
	}
	if (strcmp(name, "status_change") == 0 &&
	    strcmp(str_of(o, "status"), "stable") == 0)
		follow_flush(f);
	cJSON_Delete(o);
	return 0;
}

/* Follows /events until the stream ends (the session or host gone). */
static int
follow(const struct aa_hostclient *hc, const char *id)
{
	struct follow f = { .printed = 0, .id = -1, .msg = NULL };
	struct reply r;
	char path[64], buf[16384], *cause = NULL;
	ssize_t n;
	int fd, rc = 0, silent = 0;

	snprintf(path, sizeof(path), "/sessions/%s/events", id);
	if ((fd = attach_send_request(&hc->t, hc->token, "GET", path, NULL,
	    &cause)) < 0)
		return call_failed(fd, cause);
	attach_reply_init(&r, 1);
	r.max = AA_HOSTCLIENT_MAX;
	r.on_event = follow_event;
	r.ud = &f;
	while (rc == 0) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* Not even a ping for the read timeout (attach-http.c). */
		silent = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
		rc = attach_reply_feed(&r, buf, n > 0 ? (size_t)n : 0);
	}
	close(fd);
	follow_flush(&f);
	if (silent) {
		attach_reply_release(&r);
		return fail(AA_HOSTCLI_NO_HOST, "the host went silent");
	}
	if (r.status != 200 && r.status != 0) {
		cJSON *o = cJSON_ParseWithLength(aa_buf_str(&r.body),
		    r.body.len);

		rc = answer_failed(r.status, o, "following");
		cJSON_Delete(o);
	} else if (r.status == 0)
		rc = fail(AA_HOSTCLI_NO_HOST, "the host closed the stream");
	else
		rc = rc == AA_E2BIG ? fail(AA_HOSTCLI_FAILED, "an event "
		    "over 64 MiB") : AA_HOSTCLI_OK;
	attach_reply_release(&r);
	return rc;
}

static int
cmd_logs(const struct aa_cli *c, const struct aa_hostclient *hc)
{
	char id[AA_HOSTCLIENT_ID_LEN + 1], path[64], *cause = NULL;
	const cJSON *a, *m;
	cJSON *o;
	int status, rc;

	if ((rc = find(hc, c->session, id)) != 0)
		return rc;
	/* The stream replays every message first. */
	if (c->follow)
		return follow(hc, id);
	snprintf(path, sizeof(path), "/sessions/%s/messages", id);
	if ((rc = aa_hostclient_call(hc, "GET", path, NULL, &status, &o,
	    &cause)) != 0)
		return call_failed(rc, cause);
	a = cJSON_GetObjectItemCaseSensitive(o, "messages");
	if (status != 200 || !cJSON_IsArray(a)) {
		rc = answer_failed(status, o, "reading the messages");
		cJSON_Delete(o);
		return rc;
	}
	cJSON_ArrayForEach(m, a)
		print_message(num_of(m, "id"), str_of(m, "role"),
		    str_of(m, "time"), str_of(m, "content"));
	cJSON_Delete(o);
	return AA_HOSTCLI_OK;
}

/* ---- stop ---- */

static int
cmd_stop(const struct aa_cli *c, const struct aa_hostclient *hc)
{
	char id[AA_HOSTCLIENT_ID_LEN + 1], path[64], *cause = NULL;
	cJSON *o;
	int status, rc;

	if ((rc = find(hc, c->session, id)) != 0)
		return rc;
	snprintf(path, sizeof(path), "/sessions/%s", id);
	if ((rc = aa_hostclient_call(hc, "DELETE", path, NULL, &status, &o,
	    &cause)) != 0)
		return call_failed(rc, cause);
	rc = status == 200 ? AA_HOSTCLI_OK : answer_failed(status, o,
	    "stopping");
	if (rc == AA_HOSTCLI_OK)
		printf("%s\n", id);
	cJSON_Delete(o);
	return rc;
}

/* ---- restart ---- */

static int
cmd_restart(const struct aa_cli *c, const struct aa_hostclient *hc)
{
	char id[AA_HOSTCLIENT_ID_LEN + 1], path[64], *cause = NULL;
	cJSON *o;
	int status, rc;

	if ((rc = find(hc, c->session, id)) != 0)
		return rc;
	snprintf(path, sizeof(path), "/sessions/%s/restart", id);
	if ((rc = aa_hostclient_call(hc, "POST", path, NULL, &status, &o,
	    &cause)) != 0)
		return call_failed(rc, cause);
	rc = status == 200 ? AA_HOSTCLI_OK : answer_failed(status, o,
	    "restarting");
	if (rc == AA_HOSTCLI_OK)
		printf("%s\n", id);
	cJSON_Delete(o);
	return rc;
}

/* ---- attach ID ---- */

static int
cmd_attach(const struct aa_cli *c, const struct aa_hostclient *hc)
{
	char id[AA_HOSTCLIENT_ID_LEN + 1], path[64];
	struct aa_buf url;
	int rc;

	if ((rc = find(hc, c->session, id)) != 0)
		return rc;
	snprintf(path, sizeof(path), "/sessions/%s", id);
	if (hc->t.unix_path[0] != '\0')
		return aa_attach_main(path, NULL, c->detach_keys,
		    hc->t.unix_path);
	aa_buf_init(&url);
	aa_buf_printf(&url, "%s%s", hc->where, path);
	rc = aa_attach_main(aa_buf_str(&url), hc->token, c->detach_keys,
	    NULL);
	aa_buf_release(&url);
	return rc;
}

int
aa_hostcli_main(const struct aa_cli *c)
{
	struct aa_hostclient hc;
	char *cause = NULL;
	int rc;

	/* attach's --url has a default (its server): only when given. */
	if (aa_hostclient_open(&hc, c->socket, c->cmd == AA_CLI_ATTACH ?
	    (c->src[AA_CLI_OPT_URL] != AA_CLI_SRC_DEFAULT ? c->url : NULL) :
	    c->host_url, c->auth_token, &cause) != 0) {
		rc = fail(AA_HOSTCLI_FAILED, "%s", cause != NULL ? cause :
		    "bad host address");
		free(cause);
		return rc;
	}
	switch (c->cmd) {
	case AA_CLI_LS:
		return cmd_ls(c, &hc);
	case AA_CLI_NEW:
		return cmd_new(c, &hc);
	case AA_CLI_SEND:
		return cmd_send(c, &hc);
	case AA_CLI_LOGS:
		return cmd_logs(c, &hc);
	case AA_CLI_STOP:
		return cmd_stop(c, &hc);
	case AA_CLI_RESTART:
		return cmd_restart(c, &hc);
	case AA_CLI_ATTACH:
		return cmd_attach(c, &hc);
	default:
		return fail(AA_HOSTCLI_FAILED, "not a host command");
	}
}
