/*
 * fuzz-reap.c - libFuzzer target for aa_reap_parse_stat and the stop's
 * steps.
 *
 * The input is a /proc/PID/stat line, whose comm a process chooses
 * itself (any bytes but NUL, parentheses and blanks included).  Besides
 * not crashing, it checks that a parsed line's state is the first word
 * after the last ')', that a live process belongs to its own session and
 * a dead one to none, and that the stop, fed the input's bytes as time
 * steps, only moves forward: SIGTERM first and once, SIGKILL once and
 * not before AA_REAP_TERM_MS have passed, over only AA_REAP_KILL_MS after
 * it.  tests/fuzz/replay.c replays the corpus in `make test`.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/reap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/* Feeds the stop every byte as a step of 0..255 ms. */
static void
check_steps(const uint8_t *data, size_t size)
{
	struct aa_reap_stop s = { 0, 0 };
	uint64_t now = 1000, term_at = 0, kill_at = 0;
	int terms = 0, kills = 0;
	enum aa_reap_do d;
	size_t i;

	for (i = 0; i < size; i++) {
		now += data[i];
		d = aa_reap_stop_next(&s, now);
		if (d == AA_REAP_TERM) {
			CHECK(terms++ == 0 && kills == 0);
			term_at = now;
		} else if (d == AA_REAP_KILL) {
			CHECK(terms == 1 && kills++ == 0);
			CHECK(now >= term_at + AA_REAP_TERM_MS);
			kill_at = now;
		}
		CHECK(aa_reap_stop_over(&s, now) ==
		    (kills == 1 && now >= kill_at + AA_REAP_KILL_MS));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aa_reap_stat st;
	const char *c;
	char *text;

	if (size > 4096)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (aa_reap_parse_stat(text, &st) == 0) {
		c = strrchr(text, ')');
		CHECK(c != NULL);
		for (c++; isspace((unsigned char)*c); c++)
			;
		CHECK(*c == st.state);
		/* A live process belongs to its own session; the dead to
		 * none. */
		if (st.state == 'Z' || st.state == 'X')
			CHECK(!aa_reap_in_session(&st, (pid_t)st.sid));
		else if (st.sid == (long)(pid_t)st.sid)
			CHECK(aa_reap_in_session(&st, (pid_t)st.sid));
	}
	check_steps(data, size);
	free(text);
	return 0;
}
