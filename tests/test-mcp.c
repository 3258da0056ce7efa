/*
 * test-mcp.c - the pure parts of the host's MCP server (src/host/mcp-*.c):
 * the transcript URIs it accepts (and every near miss it refuses), the
 * tool list with its schemas, and the resource templates.  The transport,
 * the tools on live sessions, streams and subscriptions are
 * tests/e2e/mcp.test.mjs's.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "test.h"

#include "base/aa-internal.h"
#include "host/mcp-private.h"

/* Parses uri; returns 0 with the id and kind, or -1. */
static int
uri(const char *s, char *id, size_t *kind)
{
	return aa_mcp_parse_uri(s, id, 64, kind);
}

TEST(mcp_transcript_uris)
{
	char id[64], big[400];
	size_t kind = 9;

	ASSERT_EQ(uri("agentapi://sessions/0123456789abcdef/transcript", id,
	    &kind), 0);
	ASSERT_STR_EQ(id, "0123456789abcdef");
	ASSERT_EQ(kind, 0);
	ASSERT_EQ(uri("agentapi://sessions/x/transcript.md", id, &kind), 0);
	ASSERT_STR_EQ(id, "x");
	ASSERT_EQ(kind, 1);
	/* Near misses. */
	ASSERT_EQ(uri("agentapi://sessions//transcript", id, &kind), -1);
	ASSERT_EQ(uri("agentapi://sessions/x/transcript/", id, &kind), -1);
	ASSERT_EQ(uri("agentapi://sessions/x/transcript.json", id, &kind),
	    -1);
	ASSERT_EQ(uri("agentapi://sessions/x/y/transcript", id, &kind), -1);
	ASSERT_EQ(uri("agentapi://sessions/x", id, &kind), -1);
	ASSERT_EQ(uri("AGENTAPI://sessions/x/transcript", id, &kind), -1);
	ASSERT_EQ(uri("file:///etc/passwd", id, &kind), -1);
	ASSERT_EQ(uri("", id, &kind), -1);
	/* An id longer than the caller's buffer, a URI past the bound. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "agentapi://sessions/", 20);
	strcpy(big + 20 + 70, "/transcript");
	ASSERT_EQ(uri(big, id, &kind), -1);
	memset(big, 'a', sizeof(big));
	memcpy(big, "agentapi://sessions/x/transcript", 32);
	big[sizeof(big) - 1] = '\0';
	ASSERT_EQ(uri(big, id, &kind), -1);
}

TEST(mcp_tools_and_templates)
{
	cJSON *l = aa_mcp_tools_list(), *t = aa_mcp_resource_templates();
	const cJSON *it;
	int n = 0;

	ASSERT_NOT_NULL(l);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(l, "tools")) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(it,
		    "inputSchema");
		const char *name = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "name"));

		n++;
		/* Every schema is real JSON (parsed from text at run time). */
		ASSERT_STR_EQ(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(in, "type")), "object");
		ASSERT_NOT_NULL(cJSON_GetObjectItemCaseSensitive(it,
		    "outputSchema"));
		/* Each is answered at once but wait_for (mcp.c's). */
		ASSERT_NOT_NULL(name);
		if (strcmp(name, "wait_for") != 0)
			ASSERT_NOT_NULL(aa_mcp_tool(name));
	}
	ASSERT_EQ(n, 8);
	ASSERT_NULL(aa_mcp_tool("wait_for"));
	ASSERT_NULL(aa_mcp_tool("nope"));
	n = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(t,
	    "resourceTemplates")) {
		char id[64];
		size_t kind;
		char *u = strdup(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "uriTemplate")));
		char *brace = strstr(u, "{id}");

		/* The template, filled in, is a URI we accept. */
		ASSERT_NOT_NULL(brace);
		memmove(brace + 1, brace + 4, strlen(brace + 4) + 1);
		brace[0] = 'z';
		ASSERT_EQ(aa_mcp_parse_uri(u, id, sizeof(id), &kind), 0);
		ASSERT_STR_EQ(id, "z");
		ASSERT_EQ(kind, (size_t)n);
		free(u);
		n++;
	}
	ASSERT_EQ(n, 2);
	cJSON_Delete(l);
	cJSON_Delete(t);
}
