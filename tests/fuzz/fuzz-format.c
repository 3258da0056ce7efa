/*
 * fuzz-format.c - libFuzzer target for the formatting pipeline: every
 * agent's aa_agent_format and aa_agent_ready, and aa_snapshot_diff.
 *
 * The input is split at its first NUL byte into a screen/message and a
 * user input (which doubles as the old screen for the diff).  Besides not
 * crashing, the target checks invariants that hold for any input:
 *   - every result is valid UTF-8 when the message is;
 *   - a formatted message is no longer than its input (amp's literal
 *     "Welcome to Amp" aside), and agents without a tool-call remover
 *     report no calls;
 *   - readiness is 0 or 1;
 *   - the diff is a substring of the new screen.
 * tests/fuzz/replay.c replays the corpus and regressions in `make test`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/agent.h"
#include "base/buf.h"
#include "core/snapshot.h"
#include "base/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a fuzzer finding) when cond is false. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/* Runs one agent over (msg, user) and checks the invariants. */
static void
fuzz_agent(const struct aa_agent *a, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out, struct aa_buf *calls)
{
	int valid = aa_utf8_valid(msg, len), r;

	aa_buf_reset(out);
	aa_buf_reset(calls);
	CHECK(aa_agent_format(a, msg, len, user, ulen, out, calls) == 0);
	CHECK(out->data != NULL && out->data[out->len] == '\0');
	CHECK(out->len <= len || out->len == strlen("Welcome to Amp"));
	if (a->tools.remove == NULL)
		CHECK(calls->len == 0);
	if (valid) {
		CHECK(aa_utf8_valid(out->data, out->len));
		CHECK(aa_utf8_valid(aa_buf_str(calls), calls->len));
	}
	r = aa_agent_ready(a, msg, len);
	CHECK(r == 0 || r == 1);
	aa_buf_reset(out);
	CHECK(aa_snapshot_diff(user, ulen, msg, len, aa_agent_diff_skip(a),
	    out) == 0);
	CHECK(out->len == 0 || memmem(msg, len, out->data, out->len) != NULL);
	if (valid)
		CHECK(aa_utf8_valid(out->data, out->len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct aa_agent *const *a;
	const char *msg = (const char *)data, *user = "", *nul;
	size_t len = size, ulen = 0;
	struct aa_buf out, calls;

	if (size > 1 << 20)
		return 0;
	if ((nul = memchr(msg, '\0', size)) != NULL) {
		len = (size_t)(nul - msg);
		user = nul + 1;
		ulen = size - len - 1;
	}
	aa_buf_init(&out);
	aa_buf_init(&calls);
	for (a = aa_agent_table(); *a != NULL; a++)
		fuzz_agent(*a, msg, len, user, ulen, &out, &calls);
	aa_buf_release(&out);
	aa_buf_release(&calls);
	return 0;
}
