/*
 * mcpwire.c - aa_mcpwire: newline-delimited JSON-RPC in, SSE events from
 * the host, both bounded, no I/O (see mcpwire.h).
 *
 * The line splitter never holds more than max bytes: past that the line
 * is dropped up to its newline and reported once, with its length, so the
 * relay can answer it with an error instead of growing without end or
 * losing its place in the stream.  The checker decides from the JSON
 * alone what a line is; it does not know MCP's methods (the host does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "prog/mcpwire.h"

/* ---- lines ---- */

void
aa_mcpwire_lines_init(struct aa_mcpwire_lines *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	aa_buf_init(&l->line);
	l->max = max != 0 ? max : AA_MCPWIRE_MAX;
}

void
aa_mcpwire_lines_release(struct aa_mcpwire_lines *l)
{
	aa_buf_release(&l->line);
}

/* Hands over the line held (without a CR at its end) and starts anew. */
static void
lines_flush(struct aa_mcpwire_lines *l, aa_mcpwire_line_fn fn, void *ud)
{
	size_t n = l->line.len;

	if (l->skipping) {
		fn(ud, NULL, l->dropped, 1);
		l->skipping = 0;
		l->dropped = 0;
		return;
	}
	if (n > 0 && l->line.data[n - 1] == '\r')
		n--;
	fn(ud, l->line.data != NULL ? l->line.data : "", n, 0);
	aa_buf_reset(&l->line);
}

int
aa_mcpwire_lines_feed(struct aa_mcpwire_lines *l, const char *p, size_t n,
    aa_mcpwire_line_fn fn, void *ud)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - p) : n;

		if (l->skipping)
			l->dropped += take;
		else if (l->line.len + take > l->max) {
			/* Too long: keep only the count from here on. */
			l->dropped = l->line.len + take;
			l->skipping = 1;
			aa_buf_reset(&l->line);
		} else if (aa_buf_append(&l->line, p, take) != 0)
			return AA_ENOMEM;
		if (nl == NULL)
			break;
		lines_flush(l, fn, ud);
		p += take + 1;
		n -= take + 1;
	}
	return 0;
}

void
aa_mcpwire_lines_end(struct aa_mcpwire_lines *l, aa_mcpwire_line_fn fn,
    void *ud)
{
	if (l->skipping || l->line.len > 0)
		lines_flush(l, fn, ud);
}

/* ---- messages ---- */

char *
aa_mcpwire_error(const char *id_json, int code, const char *message)
{
	cJSON *o = cJSON_CreateObject(), *e, *id = NULL;
	char *text = NULL, *out = NULL;

	if (id_json != NULL)
		id = cJSON_Parse(id_json);
	if (o == NULL || cJSON_AddStringToObject(o, "jsonrpc", "2.0") ==
	    NULL || !cJSON_AddItemToObject(o, "id", id != NULL ? id :
	    cJSON_CreateNull()) || (e = cJSON_AddObjectToObject(o,
	    "error")) == NULL || cJSON_AddNumberToObject(e, "code", code) ==
	    NULL || cJSON_AddStringToObject(e, "message", message) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	/* Our allocation, not cJSON's: the caller frees it with free(). */
	if ((text = cJSON_PrintUnformatted(o)) != NULL)
		out = strdup(text);
	cJSON_free(text);
	cJSON_Delete(o);
	return out;
}

/* The error for a message that is JSON but not one JSON-RPC message,
 * with its id when that is a valid one. */
static char *
invalid(const cJSON *msg, const char *why)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	char *idj = NULL, *out;

	if (cJSON_IsString(id) || cJSON_IsNumber(id))
		idj = cJSON_PrintUnformatted(id);
	out = aa_mcpwire_error(idj, -32600, why);
	cJSON_free(idj);
	return out;
}

/* Non-zero when the line holds only JSON white space. */
static int
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

enum aa_mcpwire_kind
aa_mcpwire_check(const char *line, size_t len, int too_long, size_t max,
    char **method, char **idj, char **answer)
{
	const cJSON *id, *m, *params, *ver;
	const char *end = NULL, *why = NULL;
	enum aa_mcpwire_kind kind = AA_MCPWIRE_BAD;
	char text[96];
	cJSON *msg;

	*method = NULL;
	*idj = NULL;
	*answer = NULL;
	if (too_long) {
		snprintf(text, sizeof(text), "invalid request: a message of "
		    "%zu bytes or more (the limit is %zu)", len, max);
		*answer = aa_mcpwire_error(NULL, -32600, text);
		return AA_MCPWIRE_BAD;
	}
	if (blank(line, len))
		return AA_MCPWIRE_EMPTY;
	msg = NULL;
	if (memchr(line, '\0', len) == NULL &&
	    (msg = cJSON_ParseWithLengthOpts(line, len, &end, 0)) != NULL &&
	    !blank(end, len - (size_t)(end - line))) {
		cJSON_Delete(msg);
		msg = NULL;
	}
	if (msg == NULL) {
		*answer = aa_mcpwire_error(NULL, -32700, "parse error: each "
		    "line must be one JSON-RPC message");
		return AA_MCPWIRE_BAD;
	}
	id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	m = cJSON_GetObjectItemCaseSensitive(msg, "method");
	params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	ver = cJSON_GetObjectItemCaseSensitive(msg, "jsonrpc");
	if (cJSON_IsArray(msg))
		why = "invalid request: batches are not supported (one "
		    "message per line)";
	else if (!cJSON_IsObject(msg))
		why = "invalid request: not a JSON-RPC message (an object)";
	else if (!cJSON_IsString(ver) || strcmp(ver->valuestring, "2.0") != 0)
		why = "invalid request: \"jsonrpc\" must be \"2.0\"";
	else if (id != NULL && !cJSON_IsString(id) && !cJSON_IsNumber(id))
		why = "invalid request: \"id\" must be a string or a number";
	else if (m != NULL && !cJSON_IsString(m))
		why = "invalid request: \"method\" must be a string";
	else if (m != NULL && params != NULL && !cJSON_IsObject(params) &&
	    !cJSON_IsArray(params))
		why = "invalid request: \"params\" must be an object";
	else if (m == NULL && (id == NULL ||
	    (cJSON_GetObjectItemCaseSensitive(msg, "result") != NULL) ==
	    (cJSON_GetObjectItemCaseSensitive(msg, "error") != NULL)))
		why = "invalid request: neither a request, a notification "
		    "nor a response";
	if (why == NULL && id != NULL) {
		char *t = cJSON_PrintUnformatted(id);

		/* Ours, not cJSON's: the caller frees it with free(). */
		if (t == NULL || (*idj = strdup(t)) == NULL)
			why = "out of memory";
		cJSON_free(t);
	}
	if (why == NULL && m != NULL && (*method = strdup(m->valuestring)) ==
	    NULL)
		why = "out of memory";
	if (why != NULL) {
		free(*idj);
		*idj = NULL;
		*answer = invalid(msg, why);
	} else if (m == NULL)
		kind = AA_MCPWIRE_RESPONSE;
	else
		kind = id != NULL ? AA_MCPWIRE_REQUEST :
		    AA_MCPWIRE_NOTIFICATION;
	cJSON_Delete(msg);
	return kind;
}

/* ---- SSE ---- */

void
aa_mcpwire_sse_init(struct aa_mcpwire_sse *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	aa_buf_init(&s->line);
	aa_buf_init(&s->data);
	s->max = max != 0 ? max : AA_MCPWIRE_MAX;
}

void
aa_mcpwire_sse_release(struct aa_mcpwire_sse *s)
{
	aa_buf_release(&s->line);
	aa_buf_release(&s->data);
}

/* One complete line: a data field is kept, an empty line ends the
 * event, everything else (comments, event, id, retry) is ignored. */
static int
sse_line(struct aa_mcpwire_sse *s, aa_mcpwire_event_fn fn, void *ud)
{
	const char *p = s->line.data != NULL ? s->line.data : "";
	size_t n = s->line.len;

	if (n == 0) {
		if (s->has_data)
			fn(ud, s->data.data != NULL ? s->data.data : "",
			    s->data.len);
		aa_buf_reset(&s->data);
		s->has_data = 0;
		return 0;
	}
	if (n < 4 || memcmp(p, "data", 4) != 0 || (n > 4 && p[4] != ':'))
		return 0;
	p += n > 4 ? 5 : 4;
	n -= n > 4 ? 5 : 4;
	if (n > 0 && *p == ' ') {
		p++;
		n--;
	}
	if (s->data.len + n + 1 > s->max)
		return AA_E2BIG;
	if ((s->has_data && aa_buf_putc(&s->data, '\n') != 0) ||
	    aa_buf_append(&s->data, p, n) != 0)
		return AA_ENOMEM;
	s->has_data = 1;
	return 0;
}

int
aa_mcpwire_sse_feed(struct aa_mcpwire_sse *s, const char *p, size_t n,
    aa_mcpwire_event_fn fn, void *ud)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\n' && s->cr) {
			s->cr = 0;
			continue;
		}
		s->cr = c == '\r';
		if (c == '\n' || c == '\r') {
			rc = sse_line(s, fn, ud);
			aa_buf_reset(&s->line);
			if (rc != 0)
				return rc;
			continue;
		}
		if (s->line.len + 1 > s->max)
			return AA_E2BIG;
		if (aa_buf_putc(&s->line, c) != 0)
			return AA_ENOMEM;
	}
	return 0;
}
