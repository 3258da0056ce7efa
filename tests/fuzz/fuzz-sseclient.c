/*
 * fuzz-sseclient.c - the attach client's SSE framing parser.
 *
 * Any byte stream must either parse into events or be rejected as too
 * large; the event callback sees NUL-terminated name and data.
 */
#include <stdint.h>
#include <string.h>

#include "prog/attach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches both strings so a sanitizer sees any bad pointer. */
static int
on_event(void *ud, const char *name, const char *d)
{
	size_t *total = ud;

	*total += strlen(name) + strlen(d);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;

	aa__attach_sse_feed_for_test((const char *)data, size, on_event,
	    &total);
	return 0;
}
