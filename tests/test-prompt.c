/*
 * test-prompt.c - aa_prompt: waiting prompts found on today's screens
 * (captured ones under tests/data/format/, and the shapes of Claude
 * Code's and Codex's dialogs), the things that must not count as one, and
 * the keystrokes that answer.
 */
#include "test.h"

#include "agentapi.h"
#include "base/buf.h"
#include "core/prompt.h"

static int
detect(const char *s, struct aa_prompt *p)
{
	return aa_prompt_detect(s, strlen(s), NULL, p);
}

static char *
capture(const char *agent, const char *name)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/tests/data/format/%s/%s", test_top(),
	    agent, name);
	return test_must_read_at(dir, "msg.txt", NULL);
}

TEST(prompt_gemini_permission_capture)
{
	struct aa_prompt p;
	char *s = capture("gemini-0.61.0", "permission");

	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_PERMISSION);
	ASSERT_EQ(p.shape, AA_PROMPT_LIST);
	ASSERT_STR_EQ(p.question, "Allow execution of [Shell]?");
	ASSERT_EQ(p.nopts, 3);
	ASSERT_STR_EQ(p.opts[0].key, "1");
	ASSERT_STR_EQ(p.opts[0].label, "Allow once");
	ASSERT_STR_EQ(p.opts[1].label, "Allow for this session");
	ASSERT_STR_EQ(p.opts[2].label, "No, suggest changes (esc)");
	ASSERT_EQ(p.selected, 0);
	free(s);
}

TEST(prompt_copilot_permission_capture)
{
	struct aa_prompt p;
	char *s = capture("copilot-1.0.102", "permission");

	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_PERMISSION);
	ASSERT_STR_EQ(p.question, "Do you want to run this command?");
	ASSERT_EQ(p.nopts, 3);
	ASSERT_STR_EQ(p.opts[0].label, "Yes");
	/* The wrapped path continues option 2's label. */
	ASSERT_STR_EQ(p.opts[1].label, "Yes, and don't ask again for `touch` "
	    "in this directory (/tmp/aa-drive-Z5YIz6/copilot/work)");
	ASSERT_STR_EQ(p.opts[2].label, "No, and tell Copilot what to do "
	    "differently (Esc to stop)");
	ASSERT_EQ(p.selected, 0);
	free(s);
}

TEST(prompt_claude_shapes)
{
	struct aa_prompt p;
	const char *boxed =
	    "> Please run TOOLREPLY now\n\n"
	    "\xe2\x95\xad\xe2\x94\x80\xe2\x94\x80\xe2\x95\xae\n"
	    "\xe2\x94\x82 Bash command                         \xe2\x94\x82\n"
	    "\xe2\x94\x82   touch fake-tool-marker             \xe2\x94\x82\n"
	    "\xe2\x94\x82 Do you want to proceed?              \xe2\x94\x82\n"
	    "\xe2\x94\x82 \xe2\x9d\xaf 1. Yes                      \xe2\x94\x82\n"
	    "\xe2\x94\x82   2. Yes, and don't ask again        \xe2\x94\x82\n"
	    "\xe2\x94\x82   3. No, and tell Claude what to do differently "
	    "(esc) \xe2\x94\x82\n"
	    "\xe2\x95\xb0\xe2\x94\x80\xe2\x94\x80\xe2\x95\xaf\n\n\n";
	const char *trust =
	    " Do you trust the files in this folder?\n\n"
	    " /tmp/project\n\n"
	    " Claude Code may read, write, or execute files contained in\n"
	    " this directory. This can pose security risks.\n\n"
	    " \xe2\x9d\xaf 1. Yes, proceed\n"
	    "   2. No, exit\n\n"
	    " Enter to confirm \xc2\xb7 Esc to exit\n";

	ASSERT_EQ(detect(boxed, &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_PERMISSION);
	ASSERT_STR_EQ(p.question, "Do you want to proceed?");
	ASSERT_EQ(p.nopts, 3);
	ASSERT_STR_EQ(p.opts[2].label,
	    "No, and tell Claude what to do differently (esc)");
	ASSERT_EQ(detect(trust, &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_TRUST);
	ASSERT_STR_EQ(p.question, "Do you trust the files in this folder?");
	ASSERT_EQ(p.nopts, 2);
}

TEST(prompt_codex_shape_and_highlight)
{
	struct aa_prompt p;
	const char *s =
	    "  Would you like to run the following command?\n\n"
	    "  $ touch fake-tool-marker\n\n"
	    "  1. Yes, proceed (y)\n"
	    "\xe2\x80\xba 2. Yes, and don't ask again for this command (a)\n"
	    "  3. No, and tell Codex what to do differently (esc)\n\n"
	    "  Press enter to confirm or esc to cancel\n";

	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_PERMISSION);
	ASSERT_STR_EQ(p.question,
	    "Would you like to run the following command?");
	ASSERT_EQ(p.selected, 1);
	ASSERT_STR_EQ(p.opts[0].label, "Yes, proceed (y)");
}

/* opencode 1.18.33: buttons on one line, captured by tests/real. */
TEST(prompt_opencode_button_row)
{
	struct aa_prompt p;
	struct aa_buf b;
	char dir[512];
	char *s;

	snprintf(dir, sizeof(dir), "%s/tests/data/prompt", test_top());
	s = test_must_read_at(dir, "opencode-1.18.33-permission.txt", NULL);
	aa_buf_init(&b);
	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_PERMISSION);
	ASSERT_EQ(p.shape, AA_PROMPT_ROW);
	ASSERT_STR_EQ(p.question, "\xe2\x96\xb3 Permission required");
	ASSERT_EQ(p.nopts, 3);
	ASSERT_STR_EQ(p.opts[0].label, "Allow once");
	ASSERT_STR_EQ(p.opts[1].label, "Allow always");
	ASSERT_STR_EQ(p.opts[2].label, "Reject");
	ASSERT_EQ(aa_prompt_answer(&p, 2, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "\x1b[C\x1b[C\r");
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 0, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "\r");
	/* A reply line is not a row unless it opens with a yes and later
	 * holds a no, two spaces apart. */
	ASSERT_EQ(detect("Allow me to explain.  The rest follows.\n", &p), 0);
	ASSERT_EQ(detect("Reject  Allow\n", &p), 0);
	aa_buf_release(&b);
	free(s);
}

TEST(prompt_auggie_lettered_buttons)
{
	struct aa_prompt p;
	struct aa_buf b;
	char dir[512];
	char *s;

	snprintf(dir, sizeof(dir), "%s/tests/data/prompt", test_top());
	s = test_must_read_at(dir, "auggie-0.36.0-permission.txt", NULL);
	aa_buf_init(&b);
	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_PERMISSION);
	ASSERT_EQ(p.shape, AA_PROMPT_KEYS);
	ASSERT_STR_EQ(p.question, "Tool Approval Required");
	ASSERT_EQ(p.nopts, 2);
	ASSERT_STR_EQ(p.opts[0].key, "a");
	ASSERT_STR_EQ(p.opts[0].label, "Allow");
	ASSERT_STR_EQ(p.opts[1].key, "d");
	ASSERT_STR_EQ(p.opts[1].label, "Deny");
	ASSERT_EQ(aa_prompt_find(&p, "deny"), 1);
	ASSERT_EQ(aa_prompt_find(&p, "a"), 0);
	/* The letter alone: Auggie takes no Enter. */
	ASSERT_EQ(aa_prompt_answer(&p, 1, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "d");
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 0, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "a");
	/* Every word a lettered button, a yes first and a no later. */
	ASSERT_EQ(detect("[A]llow [D]eny now\n", &p), 0);
	ASSERT_EQ(detect("[D]eny [A]llow\n", &p), 0);
	ASSERT_EQ(detect("[A]llow [E]dit\n", &p), 0);
	ASSERT_EQ(detect("See [1] and [2]\n", &p), 0);
	ASSERT_EQ(detect("[A]llow [A]lways [D]eny\n", &p), 0);
	ASSERT_EQ(detect("[Y]es [N]o [E]dit\n", &p), 1);
	ASSERT_EQ(p.nopts, 3);
	ASSERT_STR_EQ(p.opts[2].key, "e");
	aa_buf_release(&b);
	free(s);
}

TEST(prompt_demo_yes_no)
{
	struct aa_prompt p;
	const char *s =
	    "> ask for permission\n\n"
	    "You asked: \"ask for permission\"\n\n"
	    "I would like to run `make clean` in your project.\n"
	    "Do you want to allow this? (y/n)\n\n> \n";

	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(p.shape, AA_PROMPT_YESNO);
	ASSERT_EQ(p.kind, AA_PROMPT_PERMISSION);
	ASSERT_STR_EQ(p.question, "Do you want to allow this?");
	ASSERT_EQ(p.nopts, 2);
	ASSERT_STR_EQ(p.opts[0].key, "y");
	ASSERT_STR_EQ(p.opts[1].label, "No");
	ASSERT_EQ(detect("Overwrite the file? [y/N]:", &p), 1);
	ASSERT_EQ(p.kind, AA_PROMPT_CONFIRM);
	ASSERT_STR_EQ(p.question, "Overwrite the file?");
}

TEST(prompt_not_a_prompt)
{
	struct aa_prompt p;

	/* A reply ending in an ordinary list, the input box under it. */
	ASSERT_EQ(detect("Which one?\n1. red\n2. blue\n\n> \n", &p), 0);
	ASSERT_EQ(p.kind, AA_PROMPT_NONE);
	ASSERT_EQ(p.nopts, 0);
	/* A list that does not start at 1, or skips a number. */
	ASSERT_EQ(detect("\xe2\x9d\xaf 2. a\n  3. b\n", &p), 0);
	ASSERT_EQ(detect("\xe2\x9d\xaf 1. a\n  3. b\n", &p), 0);
	/* One option is no choice. */
	ASSERT_EQ(detect("Go?\n\xe2\x9d\xaf 1. a\n", &p), 0);
	/* A dialog far above the bottom is history, not a question. */
	ASSERT_EQ(detect("Go?\n\xe2\x9d\xaf 1. a\n  2. b\n"
	    "x\nx\nx\nx\nx\nx\nx\nx\nx\nx\n> \n", &p), 0);
	/* A y/n asked long ago. */
	ASSERT_EQ(detect("Sure? (y/n)\ny\nDone.\nmore\n> \n", &p), 0);
	ASSERT_EQ(detect("", &p), 0);
	ASSERT_EQ(detect("\n\n\n", &p), 0);
}

TEST(prompt_bounds)
{
	struct aa_prompt p;
	struct aa_buf b;
	size_t i;

	aa_buf_init(&b);
	ASSERT_EQ(aa_buf_puts(&b, "Pick?\n\xe2\x9d\xaf 1. "), 0);
	/* A label far longer than the field, of 3-byte code points. */
	for (i = 0; i < 400; i++)
		ASSERT_EQ(aa_buf_puts(&b, "\xe2\x82\xac"), 0);
	ASSERT_EQ(aa_buf_puts(&b, "\n  2. b\n"), 0);
	ASSERT_EQ(detect(aa_buf_str(&b), &p), 1);
	ASSERT_LT(strlen(p.opts[0].label), AA_PROMPT_LABEL_MAX);
	ASSERT_EQ(strlen(p.opts[0].label) % 3, 0);
	/* Thirteen options are more than the struct holds. */
	aa_buf_reset(&b);
	ASSERT_EQ(aa_buf_puts(&b, "Pick?\n"), 0);
	for (i = 1; i <= 13; i++)
		ASSERT_EQ(aa_buf_printf(&b, "%s%zu. x\n",
		    i == 1 ? "\xe2\x9d\xaf " : "  ", i), 0);
	ASSERT_EQ(detect(aa_buf_str(&b), &p), 0);
	aa_buf_release(&b);
}

TEST(prompt_find_and_same)
{
	struct aa_prompt p, q;
	char *s = capture("gemini-0.61.0", "permission");

	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(aa_prompt_find(&p, "2"), 1);
	ASSERT_EQ(aa_prompt_find(&p, "allow once"), 0);
	ASSERT_EQ(aa_prompt_find(&p, "No"), 2);
	/* "Allow" is a prefix of two labels. */
	ASSERT_EQ(aa_prompt_find(&p, "Allow"), -1);
	ASSERT_EQ(aa_prompt_find(&p, "7"), -1);
	ASSERT_EQ(aa_prompt_find(&p, ""), -1);
	q = p;
	q.selected = 2;
	ASSERT_EQ(aa_prompt_same(&p, &q), 1);
	strcpy(q.opts[1].label, "Other");
	ASSERT_EQ(aa_prompt_same(&p, &q), 0);
	free(s);
}

TEST(prompt_answer_keys)
{
	struct aa_prompt p;
	struct aa_prompt_rules r;
	struct aa_buf b;
	char *s = capture("gemini-0.61.0", "permission");

	aa_buf_init(&b);
	ASSERT_EQ(detect(s, &p), 1);
	ASSERT_EQ(aa_prompt_answer(&p, 1, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "\x1b[B\r");
	/* "No, suggest changes (esc)": the key its label names. */
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 2, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "\x1b");
	memset(&r, 0, sizeof(r));
	r.answer = AA_ANSWER_DIGIT;
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 1, &r, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "2");
	r.answer = AA_ANSWER_DIGIT_ENTER;
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 0, &r, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "1\r");
	p.selected = 2;
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 0, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "\x1b[A\x1b[A\r");
	ASSERT_EQ(aa_prompt_answer(&p, 3, NULL, &b), AA_EINVAL);
	/* Not an Esc hint: "(escape hatch)", "(esc" unclosed. */
	strcpy(p.opts[2].label, "No (escape hatch)");
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 2, &r, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "3\r");
	strcpy(p.opts[2].label, "No, and tell Copilot what to do differently "
	    "(Esc to stop)");
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 2, &r, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "\x1b");
	ASSERT_EQ(detect("Allow? (y/n)", &p), 1);
	aa_buf_reset(&b);
	ASSERT_EQ(aa_prompt_answer(&p, 1, NULL, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "n\r");
	aa_buf_release(&b);
	free(s);
}

TEST(prompt_kind_names)
{
	ASSERT_STR_EQ(aa_prompt_kind_name(AA_PROMPT_PERMISSION), "permission");
	ASSERT_STR_EQ(aa_prompt_kind_name(AA_PROMPT_LOGIN), "login");
	ASSERT_NULL(aa_prompt_kind_name(AA_PROMPT_NONE));
}
