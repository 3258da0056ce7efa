/*
 * fuzz-prompt.c - libFuzzer target for aa_prompt_detect and the answer
 * keystrokes.
 *
 * Besides not crashing, it checks what holds for any screen: a found
 * prompt has a kind, 2..AA_PROMPT_MAX_OPTIONS options with NUL-terminated
 * keys and labels, a highlighted option in range, valid UTF-8 everywhere
 * when the screen is valid UTF-8, every option found by its own key, and
 * answer keystrokes ending in Enter (list, y/n, button row) or a digit,
 * or a lone Esc for an option whose label says "(esc)", or the letter
 * alone of a lettered button.
 * tests/fuzz/replay.c replays the corpus in `make test`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/text.h"
#include "core/prompt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static void
check_prompt(const struct aa_prompt *p, int valid)
{
	struct aa_prompt_rules r;
	struct aa_buf b;
	size_t i;

	CHECK(p->kind != AA_PROMPT_NONE && aa_prompt_kind_name(p->kind));
	CHECK(p->nopts >= 2 && p->nopts <= AA_PROMPT_MAX_OPTIONS);
	CHECK(p->selected >= -1 && p->selected < (int)p->nopts);
	CHECK(memchr(p->question, '\0', sizeof(p->question)) != NULL);
	if (valid)
		CHECK(aa_utf8_valid(p->question, strlen(p->question)));
	memset(&r, 0, sizeof(r));
	aa_buf_init(&b);
	for (i = 0; i < p->nopts; i++) {
		CHECK(memchr(p->opts[i].label, '\0',
		    sizeof(p->opts[i].label)) != NULL);
		if (valid)
			CHECK(aa_utf8_valid(p->opts[i].label,
			    strlen(p->opts[i].label)));
		CHECK(aa_prompt_find(p, p->opts[i].key) == (int)i);
		aa_buf_reset(&b);
		CHECK(aa_prompt_answer(p, i, &r, &b) == 0);
		/* A lettered button's letter alone; else Enter, or Esc
		 * alone for an option that names Esc. */
		if (p->shape == AA_PROMPT_KEYS)
			CHECK(b.len == 1 && strcmp(b.data, p->opts[i].key) == 0);
		else
			CHECK(b.len > 0 && (b.data[b.len - 1] == '\r' ||
			    (b.len == 1 && b.data[0] == '\x1b')));
	}
	aa_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aa_prompt p, q;
	const char *s = (const char *)data;
	int valid = aa_utf8_valid(s, size);

	if (aa_prompt_detect(s, size, NULL, &p) == 1) {
		check_prompt(&p, valid);
		/* Detection is a function of the screen. */
		CHECK(aa_prompt_detect(s, size, NULL, &q) == 1);
		CHECK(aa_prompt_same(&p, &q));
	} else {
		CHECK(p.kind == AA_PROMPT_NONE && p.nopts == 0);
	}
	return 0;
}
