/*
 * test-mcpwire.c - the framing under `agentapi-c mcp` (prog/mcpwire.c):
 * stdin split into lines in any chunking, a line past the bound dropped
 * up to its newline and reported once, each line classified or answered
 * with the right JSON-RPC error (with the request's id when it has one),
 * and the host's SSE events reassembled across chunks and line endings.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "test.h"

#include "base/aa-internal.h"
#include "prog/mcpwire.h"

/* What the line callback saw, joined as "[text]" or "<N too long>". */
static void
collect_line(void *ud, const char *line, size_t len, int too_long)
{
	struct aa_buf *b = ud;

	if (too_long)
		aa_buf_printf(b, "<%zu too long>", len);
	else {
		aa_buf_putc(b, '[');
		aa_buf_append(b, line, len);
		aa_buf_putc(b, ']');
	}
}

/* Feeds s to a splitter of lines up to max, chunk bytes at a time. */
static void
split(const char *s, size_t max, size_t chunk, const char *want)
{
	struct aa_mcpwire_lines l;
	struct aa_buf got;
	size_t n = strlen(s);

	aa_buf_init(&got);
	aa_mcpwire_lines_init(&l, max);
	for (size_t i = 0; i < n; i += chunk)
		ASSERT_EQ(aa_mcpwire_lines_feed(&l, s + i, n - i < chunk ?
		    n - i : chunk, collect_line, &got), 0);
	aa_mcpwire_lines_end(&l, collect_line, &got);
	ASSERT_STR_EQ(aa_buf_str(&got), want);
	aa_buf_release(&got);
	aa_mcpwire_lines_release(&l);
}

TEST(mcpwire_lines_in_any_chunking)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 1000 };

	for (size_t k = 0; k < AA__ARRAY_SIZE(chunks); k++) {
		split("{\"a\":1}\n{\"b\":2}\r\n\nlast", 0, chunks[k],
		    "[{\"a\":1}][{\"b\":2}][][last]");
		/* A line of exactly max is kept; max + 1 is dropped to its
		 * newline, once, and the next line is intact. */
		split("12345\n123456\nok\n", 5, chunks[k],
		    "[12345]<6 too long>[ok]");
		split("1234567890abcdef\nok", 4, chunks[k],
		    "<16 too long>[ok]");
		/* Unterminated and too long at the end of input. */
		split("ok\n123456789", 4, chunks[k], "[ok]<9 too long>");
	}
	split("", 0, 1, "");
}

/* Checks one line; returns its kind with the answer's code and id. */
static enum aa_mcpwire_kind
check(const char *line, int *code, char **id_out)
{
	char *method = NULL, *id = NULL, *answer = NULL;
	enum aa_mcpwire_kind k = aa_mcpwire_check(line, strlen(line), 0,
	    AA_MCPWIRE_MAX, &method, &id, &answer);

	*code = 0;
	*id_out = NULL;
	if (k == AA_MCPWIRE_BAD) {
		cJSON *a = cJSON_Parse(answer);
		const cJSON *e;

		ASSERT_NOT_NULL(a);
		ASSERT_NULL(strchr(answer, '\n'));
		ASSERT_STR_EQ(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(a, "jsonrpc")), "2.0");
		e = cJSON_GetObjectItemCaseSensitive(a, "error");
		*code = (int)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(e, "code"));
		ASSERT(strlen(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "message"))) > 10);
		*id_out = cJSON_PrintUnformatted(
		    cJSON_GetObjectItemCaseSensitive(a, "id"));
		cJSON_Delete(a);
		ASSERT_NULL(method);
		ASSERT_NULL(id);
	} else {
		ASSERT_NULL(answer);
		if (k == AA_MCPWIRE_REQUEST || k == AA_MCPWIRE_NOTIFICATION)
			ASSERT_STR_EQ(method, "m");
		else
			ASSERT_NULL(method);
		if (k == AA_MCPWIRE_REQUEST || k == AA_MCPWIRE_RESPONSE) {
			ASSERT_NOT_NULL(id);
			*id_out = strdup(id);
		} else
			ASSERT_NULL(id);
	}
	free(method);
	free(id);
	free(answer);
	return k;
}

/* check() and compares the kind, the error code and the id's JSON. */
static void
expect(const char *line, enum aa_mcpwire_kind kind, int code,
    const char *id)
{
	char *got;
	int c;

	ASSERT_EQ(check(line, &c, &got), kind);
	ASSERT_EQ(c, code);
	if (id == NULL)
		ASSERT_NULL(got);
	else
		ASSERT_STR_EQ(got, id);
	free(got);
}

TEST(mcpwire_check_classifies_and_answers_errors)
{
	expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}",
	    AA_MCPWIRE_REQUEST, 0, "1");
	expect(" {\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"m\","
	    "\"params\":{}} ", AA_MCPWIRE_REQUEST, 0, "\"x\"");
	expect("{\"jsonrpc\":\"2.0\",\"method\":\"m\"}",
	    AA_MCPWIRE_NOTIFICATION, 0, NULL);
	expect("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}",
	    AA_MCPWIRE_RESPONSE, 0, "3");
	expect("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1}}",
	    AA_MCPWIRE_RESPONSE, 0, "3");
	expect("   \t", AA_MCPWIRE_EMPTY, 0, NULL);
	expect("", AA_MCPWIRE_EMPTY, 0, NULL);
	/* Not JSON, or JSON with something after it: -32700, id null. */
	expect("hello", AA_MCPWIRE_BAD, -32700, "null");
	expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"} x",
	    AA_MCPWIRE_BAD, -32700, "null");
	expect("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}{}",
	    AA_MCPWIRE_BAD, -32700, "null");
	expect("{\"jsonrpc\":\"2.0\",", AA_MCPWIRE_BAD, -32700, "null");
	/* JSON but not one message: -32600, with the id when valid. */
	expect("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}]",
	    AA_MCPWIRE_BAD, -32600, "null");
	expect("42", AA_MCPWIRE_BAD, -32600, "null");
	expect("{\"id\":7,\"method\":\"m\"}", AA_MCPWIRE_BAD, -32600, "7");
	expect("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"m\"}",
	    AA_MCPWIRE_BAD, -32600, "7");
	expect("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}",
	    AA_MCPWIRE_BAD, -32600, "null");
	expect("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"m\"}",
	    AA_MCPWIRE_BAD, -32600, "null");
	expect("{\"jsonrpc\":\"2.0\",\"id\":\"q\",\"method\":5}",
	    AA_MCPWIRE_BAD, -32600, "\"q\"");
	expect("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"m\","
	    "\"params\":\"x\"}", AA_MCPWIRE_BAD, -32600, "2");
	expect("{\"jsonrpc\":\"2.0\",\"id\":2}", AA_MCPWIRE_BAD, -32600, "2");
	expect("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":1,\"error\":{}}",
	    AA_MCPWIRE_BAD, -32600, "2");
	expect("{\"jsonrpc\":\"2.0\",\"result\":1}", AA_MCPWIRE_BAD, -32600,
	    "null");
}

TEST(mcpwire_check_refuses_nul_and_too_long)
{
	static const char nul[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"m\"}\0";
	char *method, *id, *answer;

	ASSERT_EQ(aa_mcpwire_check(nul, sizeof(nul), 0, AA_MCPWIRE_MAX,
	    &method, &id, &answer), AA_MCPWIRE_BAD);
	ASSERT_NOT_NULL(strstr(answer, "-32700"));
	free(answer);
	ASSERT_EQ(aa_mcpwire_check(NULL, 5000000, 1, AA_MCPWIRE_MAX, &method,
	    &id, &answer), AA_MCPWIRE_BAD);
	ASSERT_NOT_NULL(strstr(answer, "-32600"));
	ASSERT_NOT_NULL(strstr(answer, "5000000 bytes"));
	ASSERT_NOT_NULL(strstr(answer, "4194304"));
	ASSERT_NULL(method);
	ASSERT_NULL(id);
	free(answer);
}

/* What the event callback saw, joined as "{data}". */
static void
collect_event(void *ud, const char *data, size_t len)
{
	struct aa_buf *b = ud;

	aa_buf_putc(b, '{');
	aa_buf_append(b, data, len);
	aa_buf_putc(b, '}');
}

/* Feeds s chunk bytes at a time; returns the first error or 0. */
static int
sse(const char *s, size_t max, size_t chunk, struct aa_buf *got)
{
	struct aa_mcpwire_sse p;
	size_t n = strlen(s);
	int rc = 0;

	aa_mcpwire_sse_init(&p, max);
	for (size_t i = 0; i < n && rc == 0; i += chunk)
		rc = aa_mcpwire_sse_feed(&p, s + i, n - i < chunk ? n - i :
		    chunk, collect_event, got);
	aa_mcpwire_sse_release(&p);
	return rc;
}

TEST(mcpwire_sse_events)
{
	static const size_t chunks[] = { 1, 2, 5, 1000 };
	struct aa_buf got;

	aa_buf_init(&got);
	for (size_t k = 0; k < AA__ARRAY_SIZE(chunks); k++) {
		aa_buf_reset(&got);
		ASSERT_EQ(sse(": ping\n\nevent: message\nid: 3\ndata: {\"a\":1}"
		    "\n\ndata:b\r\ndata:  c\r\n\r\ndata\n\nretry: 5\n\n"
		    "data: x\rdata: y\r\rdata: cut", 0, chunks[k], &got), 0);
		/* The unfinished last event is never delivered. */
		ASSERT_STR_EQ(aa_buf_str(&got),
		    "{{\"a\":1}}{b\n c}{}{x\ny}");
	}
	/* An event past the bound is an error, not a growing buffer. */
	aa_buf_reset(&got);
	ASSERT_EQ(sse("data: 0123456789\n\n", 8, 3, &got), AA_E2BIG);
	ASSERT_EQ(sse("data: 0123\ndata: 4567\n\n", 8, 1, &got), AA_E2BIG);
	ASSERT_EQ(sse("xxxxxxxxxxxxxxxxxxxxxxx", 8, 4, &got), AA_E2BIG);
	ASSERT_STR_EQ(aa_buf_str(&got), "");
	aa_buf_release(&got);
}
