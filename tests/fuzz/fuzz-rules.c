/*
 * fuzz-rules.c - libFuzzer target: agent rules file bytes ->
 * aa_rules_parse.
 *
 * A document is either refused, with a cause that names it as the agent
 * rules' and is printable, or accepted; then every agent of the table
 * keeps its name and place, every string the file gave is within the
 * bounds, and each overridden agent formats, tests readiness and busy
 * on a few screens without failing (the overrides reach code that scans
 * screens: box layouts, chrome tables, busy marks).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentapi.h"
#include "core/agent.h"
#include "core/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static const char *const screens[] = {
	"",
	"hello\n> \n",
	"reply\n\xe2\x80\xba Ask\n\n  footer\n  hints\n",
	"\xe2\x95\xad\xe2\x94\x80\xe2\x94\x80\xe2\x95\xae\n\xe2\x94\x82 > "
	"\xe2\x94\x82\n\xe2\x95\xb0\xe2\x94\x80\xe2\x94\x80\xe2\x95\xaf\n"
	"  esc to interrupt\n",
};

/* Every string of a NULL-terminated list is within the bounds. */
static void
check_list(const char *const *v)
{
	size_t n = 0, k;

	for (; v != NULL && *v != NULL; v++, n++) {
		k = strlen(*v);
		CHECK(k > 0 && k <= AA_RULES_STRING_MAX);
	}
	CHECK(n <= AA_RULES_LIST_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct aa_agent *const *b = aa_agent_builtin();
	const struct aa_agent *const *t;
	struct aa_rules *r = NULL;
	struct aa_buf out, calls;
	char *cause = NULL;
	size_t i, j, k;
	int rc;

	rc = aa_rules_parse((const char *)data, size, &r, &cause);
	if (rc != 0) {
		CHECK(r == NULL);
		if (rc == AA_EINVAL) {
			CHECK(cause != NULL);
			CHECK(strncmp(cause, "agent-rules: ", 13) == 0);
			for (k = 0; cause[k] != '\0'; k++)
				CHECK((unsigned char)cause[k] >= 0x20);
		}
		free(cause);
		return 0;
	}
	CHECK(cause == NULL);
	aa_buf_init(&out);
	aa_buf_init(&calls);
	t = aa_rules_table(r);
	for (i = 0; b[i] != NULL; i++) {
		CHECK(t[i] != NULL && strcmp(t[i]->name, b[i]->name) == 0);
		CHECK(t[i]->aliases == b[i]->aliases);
		check_list(t[i]->ready);
		check_list(t[i]->prompt_hints);
		check_list(t[i]->busy.marks);
		CHECK(t[i]->interrupt != NULL && t[i]->prompt_answer != NULL);
		CHECK(t[i]->box.layout.top != NULL ||
		    t[i]->box.layout.bottom == NULL);
		for (j = 0; j < sizeof(screens) / sizeof(screens[0]); j++) {
			k = strlen(screens[j]);
			aa_buf_reset(&out);
			aa_buf_reset(&calls);
			CHECK(aa_agent_format(t[i], screens[j], k, "Ask", 3,
			    &out, &calls) == 0);
			rc = aa_agent_ready(t[i], screens[j], k);
			CHECK(rc == 0 || rc == 1);
			rc = aa_agent_busy(t[i], screens[j], k);
			CHECK(rc == 0 || rc == 1);
		}
	}
	CHECK(t[i] == NULL);
	aa_buf_release(&out);
	aa_buf_release(&calls);
	aa_rules_free(r);
	return 0;
}
