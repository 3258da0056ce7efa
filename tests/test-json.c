/*
 * test-json.c - $schema decoration, problem+json bodies (spec http.md
 * §2.4-§2.5), the JSON request-body check, and SSE event framing.
 */
#include <stdlib.h>

#include "test.h"

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/event.h"
#include "api/json.h"

/* Encodes obj with schema and host into a fresh string. */
static char *
enc(const char *host, const char *schema, cJSON *obj)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_EQ(aa_json_encode(&b, host, schema, obj), 0);
	cJSON_Delete(obj);
	return aa_buf_steal(&b, NULL);
}

TEST(json_schema_decoration_and_scheme_rule)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "status", "stable");
	cJSON_AddStringToObject(o, "agent_type", "claude");
	s = enc("localhost:3284", "StatusResponseBody", o);
	ASSERT_STR_EQ(s, "{\"$schema\":\"http://localhost:3284/schemas/"
	    "StatusResponseBody.json\",\"status\":\"stable\",\"agent_type\":"
	    "\"claude\"}\n");
	free(s);
	s = enc("127.0.0.1:9", "X", cJSON_CreateObject());
	ASSERT_STR_EQ(s, "{\"$schema\":\"http://127.0.0.1:9/schemas/X.json\"}\n");
	free(s);
	/* Quirk 9, kept: anything else is https, [::1] included. */
	s = enc("[::1]:3284", "X", cJSON_CreateObject());
	ASSERT_STR_EQ(s, "{\"$schema\":\"https://[::1]:3284/schemas/X.json\"}\n");
	free(s);
	s = enc("example.com", "X", cJSON_CreateObject());
	ASSERT_STR_EQ(s, "{\"$schema\":\"https://example.com/schemas/X.json\"}\n");
	free(s);
	/* A Host with quotes cannot break out of the string. */
	s = enc("a\"b", "X", cJSON_CreateObject());
	ASSERT_STR_EQ(s, "{\"$schema\":\"https://a\\\"b/schemas/X.json\"}\n");
	free(s);
}

TEST(json_no_html_escaping_and_existing_schema_replaced)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "$schema", "old");
	cJSON_AddStringToObject(o, "content", "<a & b>\n\x1b");
	s = enc("localhost", "M", o);
	ASSERT_STR_EQ(s, "{\"$schema\":\"http://localhost/schemas/M.json\","
	    "\"content\":\"<a & b>\\n\\u001b\"}\n");
	free(s);
	s = enc(NULL, NULL, cJSON_CreateArray());
	ASSERT_STR_EQ(s, "[]\n");
	free(s);
}

/* aa_json_put_text prints strings byte for byte as cJSON does, after the
 * clean-up api.c applied before handing text to cJSON. */
TEST(json_put_text_matches_cjson)
{
	static const struct {
		const char *in;
		size_t len;
		const char *clean; /* what cJSON was given */
	} v[] = {
		{ "plain", 5, "plain" },
		{ "", 0, "" },
		{ "q\"b\\s/<>&", 9, "q\"b\\s/<>&" },
		{ "\b\f\n\r\t\x01\x1f\x7f end", 12, "\b\f\n\r\t\x01\x1f\x7f end" },
		{ "中文 😀 é", 14, "中文 😀 é" },
		{ "bad\xff\xc3(", 6, "bad\xef\xbf\xbd\xef\xbf\xbd(" },
		{ "nul\0in", 6, "nul?in" },
	};
	struct aa_buf b;
	size_t i;
	char *want;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cJSON *str = cJSON_CreateString(v[i].clean);

		ASSERT(str != NULL);
		want = cJSON_PrintUnformatted(str);
		aa_buf_init(&b);
		ASSERT_EQ(aa_json_put_text(&b, v[i].in, v[i].len), 0);
		ASSERT_STR_EQ(aa_buf_str(&b), want);
		aa_buf_release(&b);
		cJSON_free(want);
		cJSON_Delete(str);
	}
}

TEST(json_problem_body)
{
	cJSON *p = aa_json_problem(422, "validation failed");
	cJSON *v = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(v, "type", "foo");
	ASSERT_EQ(aa_json_problem_add(p, "expected value to be one of "
	    "\"user, raw\"", "body.type", cJSON_CreateString("foo")), 0);
	ASSERT_EQ(aa_json_problem_add(p, "unexpected property", "body.foo",
	    v), 0);
	ASSERT_EQ(aa_json_problem_add(p, "no location", NULL, NULL), 0);
	s = enc("localhost:3284", "ErrorModel", p);
	ASSERT_STR_EQ(s, "{\"$schema\":\"http://localhost:3284/schemas/"
	    "ErrorModel.json\",\"title\":\"Unprocessable Entity\",\"status\":"
	    "422,\"detail\":\"validation failed\",\"errors\":[{\"message\":"
	    "\"expected value to be one of \\\"user, raw\\\"\",\"location\":"
	    "\"body.type\",\"value\":\"foo\"},{\"message\":\"unexpected "
	    "property\",\"location\":\"body.foo\",\"value\":{\"type\":"
	    "\"foo\"}},{\"message\":\"no location\"}]}\n");
	free(s);
	s = enc(NULL, NULL, aa_json_problem(500, ""));
	ASSERT_STR_EQ(s, "{\"title\":\"Internal Server Error\",\"status\":500}\n");
	free(s);
}

/* Parses a body and returns the status, and the problem as text. */
static int
body(const char *ct, const char *b, size_t n, char **problem)
{
	cJSON *tree, *p;
	int st;

	st = aa_json_parse_body(ct, b, n, &tree, &p);
	*problem = NULL;
	if (st == 0) {
		ASSERT_NOT_NULL(tree);
		ASSERT_NULL(p);
		cJSON_Delete(tree);
	} else {
		ASSERT_NULL(tree);
		ASSERT_NOT_NULL(p);
		*problem = enc(NULL, NULL, p);
	}
	return st;
}

TEST(json_body_helper)
{
	char *p;

	ASSERT_EQ(body(NULL, "{\"a\":1}", 7, &p), 0);
	ASSERT_EQ(body("application/json", " {\"a\":1} \r\n", 11, &p), 0);
	ASSERT_EQ(body("application/json; charset=utf-8", "[]", 2, &p), 0);
	ASSERT_EQ(body("application/merge-patch+json", "1", 1, &p), 0);
	ASSERT_EQ(body("JSON", "1", 1, &p), 0);
	ASSERT_EQ(body(NULL, "", 0, &p), 400);
	ASSERT_STR_EQ(p, "{\"title\":\"Bad Request\",\"status\":400,\"detail\":"
	    "\"request body is required\"}\n");
	free(p);
	ASSERT_EQ(body("text/plain", "hi", 2, &p), 415);
	ASSERT_STR_EQ(p, "{\"title\":\"Unsupported Media Type\",\"status\":415,"
	    "\"detail\":\"validation failed\",\"errors\":[{\"message\":"
	    "\"unknown content type: text/plain\",\"location\":\"body\","
	    "\"value\":\"hi\"}]}\n");
	free(p);
	ASSERT_EQ(body(NULL, "{\"a\":1} x", 9, &p), 400);
	ASSERT_NOT_NULL(strstr(p, "\"invalid character 'x' after top-level "
	    "value\""));
	ASSERT_NOT_NULL(strstr(p, "\"value\":\"{\\\"a\\\":1} x\""));
	free(p);
	ASSERT_EQ(body(NULL, "{\"a\":", 5, &p), 400);
	ASSERT_NOT_NULL(strstr(p, "unexpected end of JSON input"));
	ASSERT_NOT_NULL(strstr(p, "\"detail\":\"validation failed\""));
	free(p);
	ASSERT_EQ(body(NULL, "nope", 4, &p), 400);
	ASSERT_NOT_NULL(strstr(p, "invalid character"));
	free(p);
	/* Invalid UTF-8 in the echoed body is replaced, never passed on. */
	ASSERT_EQ(body(NULL, "\xff{", 2, &p), 400);
	ASSERT_NOT_NULL(strstr(p, "\"value\":\"\xef\xbf\xbd{\""));
	free(p);
	/* Bytes after the given length are not looked at. */
	ASSERT_EQ(body(NULL, "{}garbage", 2, &p), 0);
}

/* body() for a NUL-free literal. */
static int
bodys(const char *b, char **problem)
{
	return body(NULL, b, strlen(b), problem);
}

TEST(json_body_nul_is_refused_not_cut)
{
	static const char raw[] = "{\"content\":\"a\0b\",\"type\":\"raw\"}";
	char *p;

	/* Issue 17: cJSON would keep "a" and drop the rest silently. */
	ASSERT_EQ(bodys("{\"content\":\"a\\u0000b\"}", &p), 422);
	ASSERT_NOT_NULL(strstr(p, "\"detail\":\"validation failed\""));
	ASSERT_NOT_NULL(strstr(p, "must not contain NUL characters "
	    "(\\\\u0000)"));
	free(p);
	/* In a key too. */
	ASSERT_EQ(bodys("{\"a\\u0000\":1}", &p), 422);
	free(p);
	/* A raw NUL byte is invalid JSON, as Go's decoder says. */
	ASSERT_EQ(body(NULL, raw, sizeof(raw) - 1, &p), 400);
	ASSERT_NOT_NULL(strstr(p, "invalid character '\\\\x00' in string "
	    "literal"));
	free(p);
	/* Look-alikes stay fine: an escaped backslash before "u0000", other
	 * escapes, U+0001, a NUL-free \u escape at the end. */
	ASSERT_EQ(bodys("{\"a\":\"\\\\u0000\"}", &p), 0);
	ASSERT_EQ(bodys("{\"a\":\"\\u0001\\n\\u00e9\"}", &p), 0);
	ASSERT_EQ(bodys("[\"\\u000A\"]", &p), 0);
}

TEST(event_framing)
{
	struct aa_event *ev;
	cJSON *o;

	ASSERT_EQ(aa_event_new(&ev, 7, "status_change",
	    "{\"status\":\"stable\"}", 19), 0);
	ASSERT_STR_EQ(ev->data, "id: 7\nevent: status_change\n"
	    "data: {\"status\":\"stable\"}\n\n");
	ASSERT_EQ(ev->len, strlen(ev->data));
	aa_event_unref(ev);
	/* A replay frame: "N.P", and not resumable through the ring. */
	ASSERT_EQ(aa_event_new_at(&ev, 7, 3, "x", "{}", 2), 0);
	ASSERT_STR_EQ(ev->data, "id: 7.3\nevent: x\ndata: {}\n\n");
	ASSERT_EQ(ev->id, 0);
	aa_event_unref(ev);
	ASSERT_EQ(aa_event_new_at(&ev, 7, 0, "x", "{}", 2), 0);
	ASSERT_STR_EQ(ev->data, "id: 7\nevent: x\ndata: {}\n\n");
	ASSERT_EQ(ev->id, 7);
	ASSERT_EQ(aa_event_ref(ev), ev);
	aa_event_unref(ev);
	aa_event_unref(ev);
	ASSERT_EQ(aa_event_new(&ev, 0, "x", "a\nb\r\nc\rd", 8), 0);
	ASSERT_STR_EQ(ev->data, "event: x\ndata: a\ndata: b\ndata: c\n"
	    "data: d\n\n");
	aa_event_unref(ev);
	ASSERT_EQ(aa_event_new(&ev, 0, "x", "", 0), 0);
	ASSERT_STR_EQ(ev->data, "event: x\ndata: \n\n");
	aa_event_unref(ev);
	ASSERT_EQ(aa_event_new(&ev, 0, "bad\nname", "", 0), AA_EINVAL);
	ASSERT_NULL(ev);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "message", "line1\nline2 <b>");
	ASSERT_EQ(aa_event_new_json(&ev, 1, "message_update", o), 0);
	ASSERT_STR_EQ(ev->data, "id: 1\nevent: message_update\n"
	    "data: {\"message\":\"line1\\nline2 <b>\"}\n\n");
	aa_event_unref(ev);
	cJSON_Delete(o);
	ASSERT_EQ(aa_event_new_comment(&ev, "ping"), 0);
	ASSERT_STR_EQ(ev->data, ": ping\n\n");
	ASSERT_EQ(ev->len, 8);
	aa_event_unref(ev);
	aa_event_unref(NULL);
}
