/*
 * json.c - $schema decoration, problem+json bodies, JSON request bodies.
 *
 * Decoration is done on the printed text, not the tree: the object is
 * printed once with cJSON_PrintUnformatted and "$schema" is spliced in
 * after its opening brace, so the caller's tree is never modified.  Parser
 * messages imitate Go's encoding/json where a client might show them
 * ("unexpected end of JSON input", "... after top-level value").
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/aa-internal.h"
#include "http/http.h"
#include "api/json.h"
#include "base/timefmt.h"
#include "core/queue.h"
#include "base/text.h"

/* Appends s as a JSON string literal. */
static int
put_string(struct aa_buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int rc = aa_buf_putc(out, '"');

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			AA__FIRST_ERROR(rc, aa_buf_putc(out, '\\'));
			AA__FIRST_ERROR(rc, aa_buf_putc(out, (char)c));
		} else if (c < 0x20) {
			AA__FIRST_ERROR(rc, aa_buf_printf(out, "\\u00%c%c",
			    hex[c >> 4], hex[c & 15]));
		} else
			AA__FIRST_ERROR(rc, aa_buf_putc(out, (char)c));
	}
	AA__FIRST_ERROR(rc, aa_buf_putc(out, '"'));
	return rc;
}

/* Appends compact object text s with "$schema" spliced in first when
 * schema is not NULL, then "\n". */
static int
json_splice(struct aa_buf *out, const char *host, const char *schema,
    const char *s)
{
	int rc = 0;

	if (schema != NULL && s[0] == '{') {
		struct aa_buf url;

		if (host == NULL)
			host = "";
		aa_buf_init(&url);
		AA__FIRST_ERROR(rc, aa_buf_printf(&url,
		    "%s://%s/schemas/%s.json",
		    strncmp(host, "localhost", 9) == 0 ||
		    strncmp(host, "127.0.0.1", 9) == 0 ? "http" : "https",
		    host, schema));
		AA__FIRST_ERROR(rc, aa_buf_puts(out, "{\"$schema\":"));
		AA__FIRST_ERROR(rc, put_string(out, aa_buf_str(&url)));
		if (s[1] != '}')
			AA__FIRST_ERROR(rc, aa_buf_putc(out, ','));
		AA__FIRST_ERROR(rc, aa_buf_puts(out, s + 1));
		aa_buf_release(&url);
	} else
		AA__FIRST_ERROR(rc, aa_buf_puts(out, s));
	AA__FIRST_ERROR(rc, aa_buf_putc(out, '\n'));
	return rc != 0 ? AA_ENOMEM : 0;
}

int
aa_json_encode(struct aa_buf *out, const char *host, const char *schema,
    const cJSON *obj)
{
	cJSON *copy = NULL;
	char *s;
	int rc;

	if (schema != NULL && cJSON_IsObject(obj) &&
	    cJSON_GetObjectItemCaseSensitive(obj, "$schema") != NULL) {
		if ((copy = cJSON_Duplicate(obj, 1)) == NULL)
			return AA_ENOMEM;
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "$schema");
		obj = copy;
	}
	s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(copy);
	if (s == NULL)
		return AA_ENOMEM;
	rc = json_splice(out, host, schema, s);
	cJSON_free(s);
	return rc;
}

int
aa_json_put_text(struct aa_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	struct aa_buf clean;
	size_t i, run;
	char esc[6];
	int rc;

	aa_buf_init(&clean);
	if (!aa_utf8_valid(s, len)) {
		if (aa_utf8_sanitize(&clean, s, len) != 0)
			return AA_ENOMEM;
		s = clean.data;
		len = clean.len;
	}
	rc = aa_buf_reserve(out, len + 2);
	AA__FIRST_ERROR(rc, aa_buf_putc(out, '"'));
	for (i = run = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\0': /* a C string would end here */
			e = "?";
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			AA__FIRST_ERROR(rc, aa_buf_append(out, s + run,
			    i - run));
			AA__FIRST_ERROR(rc, aa_buf_append(out, esc, 6));
			run = i + 1;
			continue;
		}
		AA__FIRST_ERROR(rc, aa_buf_append(out, s + run, i - run));
		AA__FIRST_ERROR(rc, aa_buf_puts(out, e));
		run = i + 1;
	}
	AA__FIRST_ERROR(rc, aa_buf_append(out, s + run, len - run));
	AA__FIRST_ERROR(rc, aa_buf_putc(out, '"'));
	aa_buf_release(&clean);
	return rc != 0 ? AA_ENOMEM : 0;
}

cJSON *
aa_json_problem(int status, const char *detail)
{
	cJSON *p = cJSON_CreateObject();

	if (p == NULL)
		return NULL;
	if (cJSON_AddStringToObject(p, "title", aa_http_reason(status)) ==
	    NULL || cJSON_AddNumberToObject(p, "status", status) == NULL ||
	    (detail != NULL && detail[0] != '\0' &&
	    cJSON_AddStringToObject(p, "detail", detail) == NULL)) {
		cJSON_Delete(p);
		return NULL;
	}
	return p;
}

int
aa_json_problem_add(cJSON *problem, const char *message,
    const char *location, cJSON *value)
{
	cJSON *errs, *e;

	errs = cJSON_GetObjectItemCaseSensitive(problem, "errors");
	if (errs == NULL && (errs = cJSON_AddArrayToObject(problem,
	    "errors")) == NULL)
		goto fail;
	if ((e = cJSON_CreateObject()) == NULL)
		goto fail;
	cJSON_AddItemToArray(errs, e);
	if (cJSON_AddStringToObject(e, "message", message) == NULL ||
	    (location != NULL && cJSON_AddStringToObject(e, "location",
	    location) == NULL))
		goto fail;
	if (value != NULL)
		cJSON_AddItemToObject(e, "value", value);
	return 0;
fail:
	cJSON_Delete(value);
	return AA_ENOMEM;
}

/* Returns non-zero for a JSON media type (spec §2.5). */
static int
is_json_type(const char *ct)
{
	size_t n;

	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (n == 4 && strncasecmp(ct, "json", 4) == 0))
		return 1;
	return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Builds the 400/415 "validation failed" problem carrying the raw body. */
static cJSON *
body_problem(int status, const char *message, const char *body, size_t len)
{
	struct aa_buf raw;
	cJSON *p, *v;

	if ((p = aa_json_problem(status, "validation failed")) == NULL)
		return NULL;
	aa_buf_init(&raw);
	if (aa_utf8_sanitize(&raw, body, len) != 0 ||
	    (v = cJSON_CreateString(aa_buf_str(&raw))) == NULL ||
	    aa_json_problem_add(p, message, "body", v) != 0) {
		aa_buf_release(&raw);
		cJSON_Delete(p);
		return NULL;
	}
	aa_buf_release(&raw);
	return p;
}

/* Describes the byte at which parsing failed, Go style. */
static void
describe_char(char *out, size_t size, unsigned char c, const char *what)
{
	if (c >= 0x20 && c < 0x7f && c != '\'')
		snprintf(out, size, "invalid character '%c' %s", c, what);
	else
		snprintf(out, size, "invalid character '\\x%02x' %s", c, what);
}

/*
 * Guesses whether a parse failure at pos means the input simply ended:
 * cJSON reports an error at the end as the last byte, so that byte must be
 * one after which more JSON was due, or the text ends inside a string.
 */
static int
truncated(const char *s, size_t len, size_t pos)
{
	size_t i;
	int in_str = 0;

	if (pos >= len)
		return 1;
	if (pos != len - 1)
		return 0;
	if (strchr("{[,:\" \t\r\n", s[pos]) != NULL && s[pos] != '\0')
		return 1;
	for (i = 0; i < len; i++) {
		if (in_str && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			in_str = !in_str;
	}
	return in_str;
}

/*
 * Finds a NUL inside a string of valid JSON text: 1 for a raw NUL byte,
 * 2 for a \u0000 escape, 0 for none.  cJSON's strings are C strings and
 * would end at the NUL, silently cutting "a\u0000b" to "a" (issue 17).
 */
static int
nul_in_string(const char *s, size_t len)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		if (!in_str) {
			in_str = s[i] == '"';
			continue;
		}
		if (s[i] == '"')
			in_str = 0;
		else if (s[i] == '\0')
			return 1;
		else if (s[i] == '\\') {
			if (len - i >= 6 && s[i + 1] == 'u' &&
			    memcmp(s + i + 2, "0000", 4) == 0)
				return 2;
			i++;
		}
	}
	return 0;
}

int
aa_json_parse_body(const char *content_type, const char *body, size_t len,
    cJSON **tree, cJSON **problem)
{
	const char *end = NULL;
	char msg[512];
	size_t pos;
	cJSON *t;

	*tree = NULL;
	*problem = NULL;
	if (len == 0) {
		*problem = aa_json_problem(400, "request body is required");
		return 400;
	}
	if (content_type != NULL && !is_json_type(content_type)) {
		snprintf(msg, sizeof(msg), "unknown content type: %.400s",
		    content_type);
		*problem = body_problem(415, msg, body, len);
		return 415;
	}
	t = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (t == NULL) {
		pos = end != NULL && end >= body ? (size_t)(end - body) : len;
		if (truncated(body, len, pos))
			snprintf(msg, sizeof(msg),
			    "unexpected end of JSON input");
		else
			describe_char(msg, sizeof(msg),
			    (unsigned char)body[pos], "looking for value");
		*problem = body_problem(400, msg, body, len);
		return 400;
	}
	for (pos = (size_t)(end - body); pos < len; pos++)
		if (!isspace((unsigned char)body[pos]) ||
		    body[pos] == '\v' || body[pos] == '\f')
			break;
	if (pos < len) {
		cJSON_Delete(t);
		describe_char(msg, sizeof(msg), (unsigned char)body[pos],
		    "after top-level value");
		*problem = body_problem(400, msg, body, len);
		return 400;
	}
	switch (nul_in_string(body, len)) {
	case 1: /* Go's decoder refuses raw control characters */
		cJSON_Delete(t);
		*problem = body_problem(400, "invalid character '\\x00' in "
		    "string literal", body, len);
		return 400;
	case 2: /* valid JSON, but a text we cannot carry whole */
		cJSON_Delete(t);
		*problem = body_problem(422, "strings must not contain NUL "
		    "characters (\\u0000)", body, len);
		return 422;
	}
	*tree = t;
	return 0;
}

/* Answers with the encoded body b and the describedBy link of schema. */
static int
json_reply(struct aa_http_req *req, int status, const char *schema, int rc,
    struct aa_buf *b)
{
	struct aa_buf link;

	aa_buf_init(&link);
	if (rc == 0 && schema != NULL) {
		if (aa_buf_printf(&link,
		    "</schemas/%s.json>; rel=\"describedBy\"", schema) != 0)
			rc = AA_ENOMEM;
		else
			rc = aa_http_res_header(req, "Link", aa_buf_str(&link));
	}
	if (rc == 0)
		rc = aa_http_reply(req, status, schema != NULL &&
		    strcmp(schema, "ErrorModel") == 0 ?
		    "application/problem+json" : "application/json", b->data,
		    b->len);
	else
		aa_http_reply(req, 500, "text/plain; charset=utf-8",
		    "out of memory\n", 14);
	aa_buf_release(&link);
	return rc;
}

int
aa_json_send(struct aa_http_req *req, int status, const char *schema,
    const cJSON *obj)
{
	struct aa_buf b;
	int rc;

	aa_buf_init(&b);
	rc = aa_json_encode(&b, aa_http_req_header(req, "Host"), schema, obj);
	rc = json_reply(req, status, schema, rc, &b);
	aa_buf_release(&b);
	return rc;
}

int
aa_json_send_text(struct aa_http_req *req, int status, const char *schema,
    const char *json)
{
	struct aa_buf b;
	int rc;

	aa_buf_init(&b);
	rc = json_splice(&b, aa_http_req_header(req, "Host"), schema, json);
	rc = json_reply(req, status, schema, rc, &b);
	aa_buf_release(&b);
	return rc;
}

int
aa_json_send_problem(struct aa_http_req *req, const cJSON *problem)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(problem, "status");
	int status = cJSON_IsNumber(st) ? st->valueint : 500;

	return aa_json_send(req, status, "ErrorModel", problem);
}

int
aa_json_send_error(struct aa_http_req *req, int status, const char *detail)
{
	cJSON *p = aa_json_problem(status, detail);
	int rc;

	if (p == NULL) {
		aa_http_reply(req, 500, "text/plain; charset=utf-8",
		    "out of memory\n", 14);
		return AA_ENOMEM;
	}
	rc = aa_json_send_problem(req, p);
	cJSON_Delete(p);
	return rc;
}

int
aa_json_req_body(struct aa_http_req *req, cJSON **tree)
{
	cJSON *problem;
	const char *body;
	size_t len;
	int st;

	body = aa_http_req_body(req, &len);
	st = aa_json_parse_body(aa_http_req_header(req, "Content-Type"), body,
	    len, tree, &problem);
	if (st == 0)
		return 0;
	if (problem != NULL)
		aa_json_send_problem(req, problem);
	else
		aa_json_send_error(req, 500, "out of memory");
	cJSON_Delete(problem);
	return st;
}

int
aa_json_send_one(struct aa_http_req *req, int status, const char *detail,
    const char *message, const char *location, cJSON *value)
{
	cJSON *p = aa_json_problem(status, detail);
	int rc;

	if (p != NULL && message != NULL)
		aa_json_problem_add(p, message, location, value);
	else
		cJSON_Delete(value);
	if (p == NULL)
		return aa_json_send_error(req, 500, "out of memory");
	rc = aa_json_send_problem(req, p);
	cJSON_Delete(p);
	return rc;
}

void
aa_json_send_ok(struct aa_http_req *req, int status, cJSON *extra)
{
	cJSON *o = cJSON_CreateObject(), *it;

	if (o != NULL && cJSON_AddTrueToObject(o, "ok") == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	/* "ok" first, as upstream prints it, then the extra members. */
	while (o != NULL && extra != NULL && (it = extra->child) != NULL) {
		cJSON_DetachItemViaPointer(extra, it);
		cJSON_AddItemToObject(o, it->string, it);
	}
	cJSON_Delete(extra);
	if (o == NULL)
		aa_json_send_error(req, 500, "out of memory");
	else
		aa_json_send(req, status, "MessageResponseBody", o);
	cJSON_Delete(o);
}

int
aa_json_put_queue(const struct aa_queue *q, struct aa_buf *out)
{
	size_t i;
	int rc = aa_buf_puts(out, "[");

	for (i = 0; rc == 0 && i < q->n; i++) {
		AA__FIRST_ERROR(rc, aa_buf_printf(out, "%s{\"id\":%" PRIu64
		    ",\"content\":", i > 0 ? "," : "", q->v[i].id));
		AA__FIRST_ERROR(rc, aa_json_put_text(out, q->v[i].text,
		    q->v[i].len));
		AA__FIRST_ERROR(rc, aa_buf_puts(out, ",\"time\":\""));
		AA__FIRST_ERROR(rc, aa_time_format(out, q->v[i].time_ns, 0));
		AA__FIRST_ERROR(rc, aa_buf_puts(out, "\"}"));
	}
	AA__FIRST_ERROR(rc, aa_buf_puts(out, "]"));
	return rc;
}
