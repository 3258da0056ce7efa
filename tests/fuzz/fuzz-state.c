/*
 * fuzz-state.c - libFuzzer target: state file bytes -> aa_conv_state_load.
 *
 * A tracker with loading on is made ready, then fed the input as its
 * state file.  When the input loads, the conversation is encoded, the
 * encoding must decode again, and re-encoding it must give the same
 * bytes (the encoder and decoder agree); a few ticks then run over the
 * loaded conversation.  Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/conv.h"
#include "core/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Takes the whole screen as the new text: enough to drive the tracker. */
static int
whole_screen(void *ud, const char *old, size_t oldlen, const char *cur,
    size_t curlen, struct aa_buf *out)
{
	(void)ud, (void)old, (void)oldlen;
	return aa_buf_append(out, cur, curlen);
}

/* Encodes the conversation and checks the decode/encode round trip. */
static void
round_trip(struct aa_conv *c)
{
	struct aa_buf a, b;
	struct aa_state st;
	char *cause = NULL;

	aa_buf_init(&a);
	aa_buf_init(&b);
	if (aa_conv_state_encode(c, &a) != 0)
		abort();
	if (aa_state_decode(&st, a.data, a.len, &cause) != 0)
		abort();
	if (aa_state_encode(&b, &st, 1) != 0)
		abort();
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	aa_state_release(&st);
	aa_buf_release(&a);
	aa_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aa_conv_options o;
	struct aa_conv *c;
	struct aa_time t = { 0, 1735689600000000000LL };
	char *cause = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.interval_ms = 100;
	o.stability_ms = 200;
	o.diff = whole_screen;
	o.load_state = 1;
	o.save_state = 1;
	o.time_utc = 1;
	o.initial_prompt = "prompt";
	if (aa_conv_new(&c, &o, &t) != 0)
		return 0;
	t.mono_ms += 100;
	aa_conv_tick(c, &t, "> ", 2);
	if (!aa_conv_wants_load(c))
		abort();
	rc = aa_conv_state_load(c, (const char *)data, size, &cause);
	if ((rc == 0) != (cause == NULL))
		abort();
	free(cause);
	if (rc == 0) {
		round_trip(c);
		t.mono_ms += 300;
		aa_conv_tick(c, &t, "> \nx", 4);
		(void)aa_conv_prompt_due(c);
		round_trip(c);
	} else if (aa_conv_save_wanted(c)) {
		abort(); /* a file that failed to load is never overwritten */
	}
	aa_conv_free(c);
	return 0;
}
