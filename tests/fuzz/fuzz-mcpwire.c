/*
 * fuzz-mcpwire.c - what `agentapi-c mcp` reads (prog/mcpwire.c): any byte
 * stream split into lines under a small bound, each line checked as a
 * JSON-RPC message, and the same bytes read as the host's SSE stream.
 *
 * Invariants checked: a line handed over is never longer than the bound;
 * every checked line is either classified or answered with one line of
 * valid JSON carrying "jsonrpc": "2.0" and an error; a request always
 * comes with its method and id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "prog/mcpwire.h"

#define FUZZ_MAX 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_line(void *ud, const char *line, size_t len, int too_long)
{
	char *method, *id, *answer;
	enum aa_mcpwire_kind k;

	(void)ud;
	if (!too_long && len > FUZZ_MAX)
		abort();
	k = aa_mcpwire_check(line, len, too_long, FUZZ_MAX, &method, &id,
	    &answer);
	if (k == AA_MCPWIRE_BAD) {
		cJSON *a = cJSON_Parse(answer);

		if (a == NULL || strchr(answer, '\n') != NULL ||
		    cJSON_GetObjectItemCaseSensitive(a, "error") == NULL)
			abort();
		cJSON_Delete(a);
	} else if (k == AA_MCPWIRE_REQUEST && (method == NULL || id == NULL))
		abort();
	free(method);
	free(id);
	free(answer);
}

static void
on_event(void *ud, const char *d, size_t len)
{
	size_t *total = ud;

	if (len > FUZZ_MAX)
		abort();
	*total += len + (len > 0 ? (unsigned char)d[len - 1] : 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aa_mcpwire_lines l;
	struct aa_mcpwire_sse s;
	size_t half = size / 2, total = 0;

	/* In two pieces, so a line or an event may span a feed. */
	aa_mcpwire_lines_init(&l, FUZZ_MAX);
	aa_mcpwire_lines_feed(&l, (const char *)data, half, on_line, NULL);
	aa_mcpwire_lines_feed(&l, (const char *)data + half, size - half,
	    on_line, NULL);
	aa_mcpwire_lines_end(&l, on_line, NULL);
	aa_mcpwire_lines_release(&l);
	aa_mcpwire_sse_init(&s, FUZZ_MAX);
	if (aa_mcpwire_sse_feed(&s, (const char *)data, half, on_event,
	    &total) == 0)
		aa_mcpwire_sse_feed(&s, (const char *)data + half, size - half,
		    on_event, &total);
	aa_mcpwire_sse_release(&s);
	return 0;
}
