/*
 * test-rules.c - agent rules from a file (core/rules.h): the format's
 * every key, strict validation with the key path in the message, the
 * size bounds, the table put in use; and the churn case of issue 14: a
 * ready marker changed by the file makes readiness fail on a captured
 * screen (parser health turns degraded), the corrected file fixes it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#include "agentapi.h"
#include "core/agent.h"
#include "core/health.h"
#include "core/rules.h"

#define CODEX_READY "tests/data/format/codex-0.169.0/ready"

/* Parses json, which must succeed. */
static struct aa_rules *
parse_ok(const char *json)
{
	struct aa_rules *r = NULL;
	char *cause = NULL;
	int rc = aa_rules_parse(json, strlen(json), &r, &cause);

	if (rc != 0)
		test_fail(__FILE__, __LINE__, "%s: %s", json,
		    cause != NULL ? cause : "?");
	free(cause);
	return r;
}

/* The agent named name in the rules' table. */
static const struct aa_agent *
agent_in(const struct aa_rules *r, const char *name)
{
	const struct aa_agent *const *a;

	for (a = aa_rules_table(r); *a != NULL; a++)
		if (strcmp((*a)->name, name) == 0)
			return *a;
	return NULL;
}

TEST(rules_empty_document_copies_the_table)
{
	struct aa_rules *r = parse_ok("{\"version\": 1}");
	const struct aa_agent *const *b = aa_agent_builtin();
	const struct aa_agent *const *t = aa_rules_table(r);
	size_t i;

	for (i = 0; b[i] != NULL; i++) {
		ASSERT_NOT_NULL(t[i]);
		ASSERT(t[i] != b[i]);
		ASSERT_EQ(memcmp(t[i], b[i], sizeof(*t[i])), 0);
	}
	ASSERT_NULL(t[i]);
	aa_rules_free(r);
	aa_rules_free(NULL);
}

TEST(rules_every_key)
{
	struct aa_rules *r = parse_ok("{\"version\": 1, \"agents\": {"
	    "\"claude\": {\"ready\": [\"Claude Code\", \"\\u276f\"],"
	    "  \"interrupt\": \"ctrl-c\", \"prompt_answer\": \"digit\","
	    "  \"prompt_hints\": [\"Do you want to proceed?\"],"
	    "  \"busy\": {\"marks\": [\"esc to interrupt\"]},"
	    "  \"chrome\": {\"trail\": [\"Tip:\", {\"has\": \" /effort\"},"
	    "    {\"rule\": true}], \"lead\": []}},"
	    "\"custom\": {\"box\": {\"top\": \"\\u203a\", \"scan\": 6,"
	    "  \"under\": 2, \"rows\": 3, \"caption\": true, \"bottom\": null,"
	    "  \"scrollbar\": \"|\", \"dialog\": \"Esc to cancel\"},"
	    "  \"busy\": {\"marks\": [\"working\"], \"lines\": 5}}}}");
	const struct aa_agent *a = agent_in(r, "claude");

	ASSERT_STR_EQ(a->ready[0], "Claude Code");
	ASSERT_STR_EQ(a->ready[1], "\xe2\x9d\xaf");
	ASSERT_NULL(a->ready[2]);
	ASSERT_STR_EQ(a->interrupt, "ctrl-c");
	ASSERT_STR_EQ(a->prompt_answer, "digit");
	ASSERT_STR_EQ(a->prompt_hints[0], "Do you want to proceed?");
	ASSERT_NULL(a->busy.mark);
	ASSERT_STR_EQ(a->busy.marks[0], "esc to interrupt");
	ASSERT_EQ(a->busy.lines, 3);
	ASSERT_STR_EQ(a->box.trail[0].starts, "Tip:");
	ASSERT_STR_EQ(a->box.trail[1].has, " /effort");
	ASSERT_EQ(a->box.trail[2].kind, AA_RESIDUE_RULE);
	ASSERT_EQ(a->box.trail[3].kind, 0);
	ASSERT_NULL(a->box.trail[3].starts);
	ASSERT_EQ(a->box.lead[0].kind, 0);
	ASSERT_NULL(a->box.lead[0].has);
	/* What the file did not name is the compiled-in value. */
	ASSERT(a->box.upstream == aa_agent_find("claude")->box.upstream);
	ASSERT_STR_EQ(a->blink, aa_agent_find("claude")->blink);
	a = agent_in(r, "custom");
	ASSERT_STR_EQ(a->box.layout.top, "\xe2\x80\xba");
	ASSERT_EQ(a->box.layout.scan, 6);
	ASSERT_EQ(a->box.layout.under, 2);
	ASSERT_EQ(a->box.layout.rows, 3);
	ASSERT_EQ(a->box.layout.caption, 1);
	ASSERT_NULL(a->box.layout.bottom);
	ASSERT_STR_EQ(a->box.layout.scrollbar, "|");
	ASSERT_STR_EQ(a->box.dialog, "Esc to cancel");
	ASSERT_EQ(a->busy.lines, 5);
	/* The built-in descriptors are untouched. */
	ASSERT_NULL(aa_agent_builtin()[0]->ready);
	ASSERT_STR_EQ(aa_agent_find("claude")->interrupt, "esc");
	aa_rules_free(r);
}

TEST(rules_today_s_keys_and_answers)
{
	static const char *const esc[] = { "claude", "codex", "gemini",
		"amp", "auggie" };
	/* Copilot 1.0.102: one Esc does not stop a turn (tests/real). */
	static const char *const ctrl_c[] = { "aider", "goose", "amazonq",
		"cursor", "custom", "copilot" };
	const struct aa_agent *const *a;
	size_t i;

	for (i = 0; i < sizeof(esc) / sizeof(esc[0]); i++)
		ASSERT_STR_EQ(aa_agent_find(esc[i])->interrupt, "esc");
	for (i = 0; i < sizeof(ctrl_c) / sizeof(ctrl_c[0]); i++)
		ASSERT_STR_EQ(aa_agent_find(ctrl_c[i])->interrupt, "ctrl-c");
	/* opencode 1.18: the first Esc only arms the interrupt. */
	ASSERT_STR_EQ(aa_agent_find("opencode")->interrupt, "esc esc");
	for (a = aa_agent_builtin(); *a != NULL; a++)
		ASSERT(strcmp((*a)->prompt_answer, "arrows") == 0 ||
		    strcmp((*a)->prompt_answer, "digit") == 0 ||
		    strcmp((*a)->prompt_answer, "digit-enter") == 0);
}

/* Each bad document and the message it must be refused with. */
static const struct {
	const char *json, *cause;
} bad[] = {
	{ "", "agent-rules: not valid JSON (near byte 0)" },
	{ "{\"version\": 1", "agent-rules: not valid JSON (near byte 12)" },
	{ "{\"version\": 1} x", "agent-rules: not valid JSON (text after the "
	  "document at byte 15)" },
	{ "[]", "agent-rules: must be an object" },
	{ "{}", "agent-rules: version: missing (must be 1)" },
	{ "{\"version\": 2}", "agent-rules: version: must be 1" },
	{ "{\"version\": \"1\"}", "agent-rules: version: must be 1" },
	{ "{\"version\": 1, \"version\": 1}",
	  "agent-rules: version: given twice" },
	{ "{\"version\": 1, \"extra\": 0}", "agent-rules: extra: unknown key" },
	{ "{\"version\": 1, \"agents\": []}",
	  "agent-rules: agents: must be an object" },
	{ "{\"version\": 1, \"agents\": {\"vim\": {}}}",
	  "agent-rules: agents.vim: unknown agent type" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {}, \"claude\": {}}}",
	  "agent-rules: agents.claude: claude given twice" },
	{ "{\"version\": 1, \"agents\": {\"claude\": 3}}",
	  "agent-rules: agents.claude: must be an object" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"redy\": []}}}",
	  "agent-rules: agents.claude.redy: unknown key" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"ready\": \"x\"}}}",
	  "agent-rules: agents.claude.ready: must be a list" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"ready\": [\"a\", \"b\","
	  " 3]}}}", "agent-rules: agents.claude.ready[2]: must be a string" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"ready\": [\"\"]}}}",
	  "agent-rules: agents.claude.ready[0]: must not be empty" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"ready\": [\"a\\nb\"]}}}",
	  "agent-rules: agents.claude.ready[0]: must not hold control "
	  "characters" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"ready\": [\"\xff\"]"
	  "}}}", "agent-rules: agents.claude.ready[0]: not valid UTF-8" },
	{ "{\"version\": 1, \"agents\": {\"codex\": {\"box\": {\"top\": 1}}}}",
	  "agent-rules: agents.codex.box.top: must be a string or null" },
	{ "{\"version\": 1, \"agents\": {\"codex\": {\"box\": {\"scan\": -1}}}"
	  "}", "agent-rules: agents.codex.box.scan: must be a whole number "
	  "from 0 to 1000" },
	{ "{\"version\": 1, \"agents\": {\"codex\": {\"box\": {\"rows\": 1.5}}"
	  "}}", "agent-rules: agents.codex.box.rows: must be a whole number "
	  "from 0 to 1000" },
	{ "{\"version\": 1, \"agents\": {\"codex\": {\"box\": {\"caption\": 1}"
	  "}}}", "agent-rules: agents.codex.box.caption: must be true or "
	  "false" },
	{ "{\"version\": 1, \"agents\": {\"aider\": {\"box\": {\"top\": \">\"}}"
	  "}}", "agent-rules: agents.aider.box.scan: must be at least 1 when "
	  "top is set" },
	{ "{\"version\": 1, \"agents\": {\"aider\": {\"box\": {\"bottom\": "
	  "\">\"}}}}", "agent-rules: agents.aider.box.bottom: needs top" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"chrome\": {\"trail\": "
	  "[{}]}}}}", "agent-rules: agents.claude.chrome.trail[0]: must set "
	  "starts, has or rule" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"chrome\": {\"trail\": "
	  "[{\"rule\": false}]}}}}", "agent-rules: agents.claude.chrome."
	  "trail[0]: must set starts, has or rule: true" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"chrome\": {\"trail\": "
	  "[{\"ends\": \"x\"}]}}}}", "agent-rules: agents.claude.chrome."
	  "trail[0].ends: unknown key" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"chrome\": {\"trail\": "
	  "[null]}}}}", "agent-rules: agents.claude.chrome.trail[0]: must be "
	  "a string or an object" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"busy\": {\"marks\": "
	  "[\"x\"], \"lines\": 1001}}}}", "agent-rules: agents.claude.busy."
	  "lines: must be a whole number from 0 to 1000" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"interrupt\": \"f1\"}}}",
	  "agent-rules: agents.claude.interrupt: must be \"esc\", "
	  "\"ctrl-c\" or \"esc esc\"" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"prompt_answer\": 1}}}",
	  "agent-rules: agents.claude.prompt_answer: must be \"arrows\", "
	  "\"digit\" or \"digit-enter\"" },
	{ "{\"version\": 1, \"agents\": {\"claude\": {\"a\\u0001b\": 1}}}",
	  "agent-rules: agents.claude.a?b: unknown key" },
};

TEST(rules_bad_documents_name_the_key)
{
	struct aa_rules *r;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = NULL;
		cause = NULL;
		ASSERT_EQ(aa_rules_parse(bad[i].json, strlen(bad[i].json), &r,
		    &cause), AA_EINVAL);
		ASSERT_NULL(r);
		ASSERT_NOT_NULL(cause);
		if (strcmp(cause, bad[i].cause) != 0)
			test_fail(__FILE__, __LINE__, "%s\n  got:  %s\n  want: "
			    "%s", bad[i].json, cause, bad[i].cause);
		free(cause);
	}
	/* No cause wanted: the code alone. */
	ASSERT_EQ(aa_rules_parse("{}", 2, &r, NULL), AA_EINVAL);
}

TEST(rules_bounds)
{
	struct aa_buf b;
	struct aa_rules *r = NULL;
	char *cause = NULL;
	int i;

	aa_buf_init(&b);
	/* 256 bytes is fine, 257 is not. */
	ASSERT_EQ(aa_buf_puts(&b, "{\"version\":1,\"agents\":{\"claude\":"
	    "{\"ready\":[\""), 0);
	for (i = 0; i < 256; i++)
		ASSERT_EQ(aa_buf_putc(&b, 'x'), 0);
	ASSERT_EQ(aa_buf_puts(&b, "\"]}}}"), 0);
	aa_rules_free(parse_ok(b.data));
	aa_buf_reset(&b);
	ASSERT_EQ(aa_buf_puts(&b, "{\"version\":1,\"agents\":{\"claude\":"
	    "{\"ready\":[\""), 0);
	for (i = 0; i < 257; i++)
		ASSERT_EQ(aa_buf_putc(&b, 'x'), 0);
	ASSERT_EQ(aa_buf_puts(&b, "\"]}}}"), 0);
	ASSERT_EQ(aa_rules_parse(b.data, b.len, &r, &cause), AA_EINVAL);
	ASSERT_STR_EQ(cause, "agent-rules: agents.claude.ready[0]: longer "
	    "than 256 bytes");
	free(cause);
	/* 64 entries are fine, 65 are not. */
	aa_buf_reset(&b);
	ASSERT_EQ(aa_buf_puts(&b, "{\"version\":1,\"agents\":{\"claude\":"
	    "{\"ready\":[\"x\""), 0);
	for (i = 1; i < 64; i++)
		ASSERT_EQ(aa_buf_puts(&b, ",\"x\""), 0);
	ASSERT_EQ(aa_buf_puts(&b, "]}}}"), 0);
	aa_rules_free(parse_ok(aa_buf_str(&b)));
	aa_buf_reset(&b);
	ASSERT_EQ(aa_buf_puts(&b, "{\"version\":1,\"agents\":{\"claude\":"
	    "{\"ready\":[\"x\""), 0);
	for (i = 1; i < 65; i++)
		ASSERT_EQ(aa_buf_puts(&b, ",\"x\""), 0);
	ASSERT_EQ(aa_buf_puts(&b, "]}}}"), 0);
	ASSERT_EQ(aa_rules_parse(b.data, b.len, &r, &cause), AA_EINVAL);
	ASSERT_STR_EQ(cause, "agent-rules: agents.claude.ready: more than 64 "
	    "entries");
	free(cause);
	/* Over 1 MiB is refused before parsing. */
	aa_buf_reset(&b);
	for (i = 0; i <= AA_RULES_FILE_MAX; i += 64)
		ASSERT_EQ(aa_buf_puts(&b, "                                "
		    "                                "), 0);
	ASSERT_EQ(aa_rules_parse(b.data, b.len, &r, &cause), AA_EINVAL);
	ASSERT_STR_EQ(cause, "agent-rules: larger than 1048576 bytes");
	free(cause);
	aa_buf_release(&b);
}

TEST(rules_load_file)
{
	char path[] = "/tmp/aa-rules-XXXXXX";
	struct aa_rules *r = NULL;
	char *cause = NULL, *want;
	const char *doc = "{\"version\": 1, \"agents\": {\"goose\": "
	    "{\"interrupt\": \"esc\"}}}\n";
	FILE *f;
	int fd;

	ASSERT_EQ(aa_rules_load("/nonexistent/rules.json", &r, &cause),
	    AA_ENOENT);
	ASSERT_NOT_NULL(strstr(cause, "agent-rules: /nonexistent/rules.json: "));
	free(cause);
	ASSERT_GE(fd = mkstemp(path), 0);
	ASSERT_NOT_NULL(f = fdopen(fd, "w"));
	fputs(doc, f);
	fclose(f);
	ASSERT_EQ(aa_rules_load(path, &r, &cause), 0);
	ASSERT_NULL(cause);
	ASSERT_STR_EQ(agent_in(r, "goose")->interrupt, "esc");
	aa_rules_free(r);
	/* One byte over the limit. */
	ASSERT_NOT_NULL(f = fopen(path, "w"));
	for (fd = 0; fd <= AA_RULES_FILE_MAX; fd++)
		fputc(' ', f);
	fclose(f);
	ASSERT_EQ(aa_rules_load(path, &r, &cause), AA_EINVAL);
	ASSERT_EQ(asprintf(&want, "agent-rules: %s: larger than 1048576 "
	    "bytes", path) > 0, 1);
	ASSERT_STR_EQ(cause, want);
	free(want);
	free(cause);
	unlink(path);
}

TEST(rules_table_in_use)
{
	struct aa_rules *r = parse_ok("{\"version\": 1, \"agents\": {"
	    "\"custom\": {\"interrupt\": \"esc\"},"
	    "\"opencode\": {\"busy\": {\"marks\": [\"Working\"]}}}}");
	const struct aa_agent *oc;

	aa_agent_use_table(aa_rules_table(r));
	ASSERT(aa_agent_table() == aa_rules_table(r));
	ASSERT(aa_agent_custom() == agent_in(r, "custom"));
	ASSERT(aa_agent_for_command("/bin/sh") == agent_in(r, "custom"));
	ASSERT_STR_EQ(aa_agent_custom()->interrupt, "esc");
	oc = aa_agent_find("opencode");
	ASSERT(oc == agent_in(r, "opencode"));
	/* The busy mark was replaced: the old footer no longer counts. */
	ASSERT_EQ(aa_agent_busy(oc, "reply\n  Working...\n", 19), 1);
	ASSERT_EQ(aa_agent_busy(oc, "reply\nesc interrupt\n", 20), 0);
	aa_agent_use_table(NULL);
	ASSERT(aa_agent_table() == aa_agent_builtin());
	ASSERT_EQ(aa_agent_busy(aa_agent_find("opencode"),
	    "reply\nesc interrupt\n", 20), 1);
	aa_rules_free(r);
}

/* Feeds one screen per second to health for 40 s with readiness as the
 * agent tells it; returns whether health is ok at the end. */
static int
health_after(const struct aa_agent *a, const char *screen, size_t len)
{
	struct aa_health *h;
	struct aa_health_screen s;
	int64_t t;
	int ok;

	ASSERT_EQ(aa_health_new(&h, NULL, 0), 0);
	for (t = 1000; t <= 40000; t += 1000) {
		s.changed = t == 1000;
		s.ready = aa_agent_ready(a, screen, len) == 1;
		s.busy = aa_agent_busy(a, screen, len);
		s.turn_over = s.ready;
		aa_health_tick(h, t, &s);
	}
	ok = aa_health_ok(h);
	if (!ok)
		ASSERT_STR_EQ(aa_health_reason(h, 0)->name,
		    "ready_marker_missing");
	aa_health_free(h);
	return ok;
}

/*
 * Issue 14's churn case, on a captured Codex 0.169 screen: a file that
 * changes the composer's marker (as if Codex had moved from "›" to "❯")
 * makes readiness fail and health degraded; the corrected file fixes it.
 * The same with a ready marker the screen does not show.
 */
TEST(rules_broken_ready_marker_then_fixed)
{
	struct aa_rules *broken, *fixed, *marker, *nomarker;
	size_t len;
	char *screen = test_must_read_at(CODEX_READY, "ready.txt", &len);

	broken = parse_ok("{\"version\": 1, \"agents\": {\"codex\": {"
	    "\"box\": {\"top\": \"\\u276f\"}}}}");
	fixed = parse_ok("{\"version\": 1, \"agents\": {\"codex\": {"
	    "\"box\": {\"top\": \"\\u203a\"}}}}");
	nomarker = parse_ok("{\"version\": 1, \"agents\": {\"codex\": {"
	    "\"ready\": [\"Ask Claude\"]}}}");
	marker = parse_ok("{\"version\": 1, \"agents\": {\"codex\": {"
	    "\"ready\": [\"Ask Claude\", \"Ask Codex\"]}}}");
	ASSERT_EQ(aa_agent_ready(aa_agent_find("codex"), screen, len), 1);
	ASSERT_EQ(aa_agent_ready(agent_in(broken, "codex"), screen, len), 0);
	ASSERT_EQ(aa_agent_ready(agent_in(fixed, "codex"), screen, len), 1);
	ASSERT_EQ(aa_agent_ready(agent_in(nomarker, "codex"), screen, len), 0);
	ASSERT_EQ(aa_agent_ready(agent_in(marker, "codex"), screen, len), 1);
	ASSERT_EQ(health_after(aa_agent_find("codex"), screen, len), 1);
	ASSERT_EQ(health_after(agent_in(broken, "codex"), screen, len), 0);
	ASSERT_EQ(health_after(agent_in(fixed, "codex"), screen, len), 1);
	ASSERT_EQ(health_after(agent_in(nomarker, "codex"), screen, len), 0);
	ASSERT_EQ(health_after(agent_in(marker, "codex"), screen, len), 1);
	aa_rules_free(broken);
	aa_rules_free(fixed);
	aa_rules_free(marker);
	aa_rules_free(nomarker);
	free(screen);
}

/* Replaces every from in s[0..n) by to (same length) in place. */
static void
swap_all(char *s, size_t n, const char *from, const char *to)
{
	size_t k = strlen(from), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, from, k) == 0)
			memcpy(s + i, to, k);
}

/* README's worked example: Codex's composer marker changes from "›" to
 * "❯"; the compiled-in rules miss it, the file's patch finds it. */
TEST(rules_readme_worked_example)
{
	static const char doc[] = "{\"version\": 1, \"agents\": {\"codex\": "
	    "{\"box\": {\"top\": \"\xe2\x9d\xaf\", \"scan\": 6, \"under\": 2}}}}";
	struct aa_rules *r = parse_ok(doc);
	struct aa_buf out;
	size_t len;
	char *screen = test_must_read_at(CODEX_READY, "ready.txt", &len);

	swap_all(screen, len, "\xe2\x80\xba", "\xe2\x9d\xaf");
	ASSERT_EQ(aa_agent_ready(aa_agent_find("codex"), screen, len), 0);
	ASSERT_EQ(aa_agent_ready(agent_in(r, "codex"), screen, len), 1);
	/* And a message loses the composer and the footer again. */
	aa_buf_init(&out);
	ASSERT_EQ(aa_agent_format(agent_in(r, "codex"), screen, len, NULL, 0,
	    &out, NULL), 0);
	ASSERT_NULL(strstr(aa_buf_str(&out), "Ask Codex"));
	ASSERT_NULL(strstr(aa_buf_str(&out), "for shortcuts"));
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format(aa_agent_find("codex"), screen, len, NULL,
	    0, &out, NULL), 0);
	ASSERT_NOT_NULL(strstr(aa_buf_str(&out), "for shortcuts"));
	aa_buf_release(&out);
	aa_rules_free(r);
	free(screen);
}
