/*
 * fuzz-journal.c - libFuzzer target: journal bytes -> aa_journal_merge.
 *
 * The input is a "<state>.journal" as a hostile user or a torn write could
 * leave it.  It is merged into an empty state and into one that already
 * holds user messages.  What must hold: the valid prefix is within the
 * input; every record aa_journal_next accepts re-encodes to a record with
 * the same fields; a merged state encodes to a file that decodes again
 * (a journal never makes the state file unloadable); and merging the same
 * journal a second time adds nothing.  Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/journal.h"
#include "core/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks that each record the parser accepts survives a re-encode. */
static void
check_records(const char *d, size_t n)
{
	struct aa_journal_rec r, r2;
	struct aa_buf b;
	size_t off = 0;
	ssize_t k;

	aa_buf_init(&b);
	while ((k = aa_journal_next(d + off, n - off, &r)) > 0) {
		if ((size_t)k > n - off)
			abort();
		aa_buf_reset(&b);
		if (aa_journal_encode(&b, r.time_ns, r.prompt, r.text,
		    r.len) != 0)
			abort();
		if (aa_journal_next(b.data, b.len, &r2) != (ssize_t)b.len ||
		    r2.time_ns != r.time_ns || r2.prompt != r.prompt ||
		    r2.len != r.len || memcmp(r2.text, r.text, r.len) != 0)
			abort();
		off += (size_t)k;
	}
	aa_buf_release(&b);
}

/* Merges into st, then checks the result as a state file. */
static void
merge_and_check(struct aa_state *st, const char *d, size_t n)
{
	struct aa_state back;
	struct aa_buf enc;
	size_t valid = n + 1;
	int added;

	added = aa_journal_merge(st, d, n, &valid);
	if (added < 0)
		return; /* out of memory: nothing to check */
	if (valid > n)
		abort();
	aa_buf_init(&enc);
	if (aa_state_encode(&enc, st, 1) != 0)
		abort();
	if (aa_state_decode(&back, enc.data, enc.len, NULL) != 0)
		abort();
	if (back.n != st->n)
		abort();
	if (aa_journal_merge(&back, d, n, NULL) != 0)
		abort();
	aa_state_release(&back);
	aa_buf_release(&enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char saved[] = "{\"version\":1,\"messages\":[{\"id\":0,"
	    "\"message\":\"hi\",\"role\":\"user\",\"time\":"
	    "\"2025-01-01T00:00:00.123456789Z\"},{\"id\":1,\"message\":"
	    "\"hello\",\"role\":\"agent\",\"time\":\"2025-01-01T00:00:01Z\"}],"
	    "\"initial_prompt\":\"\",\"initial_prompt_sent\":false}\n";
	const char *d = (const char *)data;
	struct aa_state st;

	check_records(d, size);
	memset(&st, 0, sizeof(st));
	st.version = AA_STATE_VERSION;
	merge_and_check(&st, d, size);
	aa_state_release(&st);
	if (aa_state_decode(&st, saved, sizeof(saved) - 1, NULL) != 0)
		abort();
	merge_and_check(&st, d, size);
	aa_state_release(&st);
	return 0;
}
