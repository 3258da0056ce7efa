/*
 * fuzz-pipeline.c - libFuzzer target for the whole pure pipeline of
 * DESIGN.md: PTY bytes -> aa_vt -> screen text -> aa_snapshot_diff ->
 * every agent's formatter and readiness test.
 *
 * The first byte picks a small screen size; the rest is fed in two halves,
 * reading the screen after each, as the session does between a user
 * message and the reply.  Every agent then formats the diff of the two
 * screens against a fixed prompt.  Invariants: what reaches clients is
 * valid UTF-8 (the screen text, the diff and every formatted message) and
 * readiness is a boolean.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentapi.h"
#include "core/agent.h"
#include "base/buf.h"
#include "core/snapshot.h"
#include "base/text.h"
#include "core/vt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replies to the agent are irrelevant here. */
static void
ignore_reply(void *ud, const char *p, size_t n)
{
	(void)ud;
	(void)p;
	(void)n;
}

/* Aborts unless the buffer is valid UTF-8. */
static void
check_utf8(const struct aa_buf *b)
{
	if (b->len > 0 && !aa_utf8_valid(b->data, b->len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prompt[] = "Explain -> this > code";
	const struct aa_agent *const *agents = aa_agent_table();
	struct aa_vt_options o;
	struct aa_buf before, after, diff, out, calls;
	struct aa_vt *vt;
	size_t half, i;
	int r;

	if (size < 2)
		return 0;
	memset(&o, 0, sizeof(o));
	o.cols = 10 + data[0] % 71;
	o.rows = 4 + data[0] / 71 % 30;
	o.reply = ignore_reply;
	if (aa_vt_new(&vt, &o) != 0)
		return 0;
	data++;
	size--;
	half = size / 2;
	aa_buf_init(&before);
	aa_buf_init(&after);
	aa_buf_init(&diff);
	aa_buf_init(&out);
	aa_buf_init(&calls);
	aa_vt_feed(vt, (const char *)data, half);
	aa_vt_text(vt, &before);
	aa_vt_feed(vt, (const char *)data + half, size - half);
	aa_vt_text(vt, &after);
	check_utf8(&before);
	check_utf8(&after);
	for (i = 0; agents[i] != NULL; i++) {
		aa_buf_reset(&diff);
		aa_buf_reset(&out);
		aa_buf_reset(&calls);
		if (aa_snapshot_diff(before.data, before.len, after.data,
			after.len, aa_agent_diff_skip(agents[i]), &diff) != 0)
			continue;
		check_utf8(&diff);
		if (aa_agent_format(agents[i], diff.data, diff.len, prompt,
			sizeof(prompt) - 1, &out, &calls) == 0)
			check_utf8(&out);
		r = aa_agent_ready(agents[i], after.data, after.len);
		if (r != 0 && r != 1 && r != AA_ENOMEM)
			abort();
	}
	aa_buf_release(&before);
	aa_buf_release(&after);
	aa_buf_release(&diff);
	aa_buf_release(&out);
	aa_buf_release(&calls);
	aa_vt_free(vt);
	return 0;
}
