/*
 * test-format.c - message formatting (aa_format_*), readiness and the
 * agent table, against upstream's vectors in
 * ../shared/conformance/agentapi/msgfmt (one case per vector, found at
 * start-up) and the inline expectations of ../shared/spec/core.md §4.
 *
 * A missing conformance folder is a failure, not a skip: CI always has it.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "test.h"

#include "core/agent.h"
#include "base/buf.h"
#include "core/format.h"

/* Vectors the generator registered, checked against upstream's counts. */
static size_t n_remove, n_format, n_tool_files, n_init;

/* What a generated case gets: the agent, a path, the expected answer. */
struct vec {
	char *agent;
	char *path;
	int want; /* readiness cases: expected answer */
	struct vec *next;
};

/* Every case argument, kept reachable: the runner does not own them. */
static struct vec *vecs;

/* Returns the concatenation of three strings (malloc'd). */
static char *
cat(const char *a, const char *b, const char *c)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, b, c) < 0)
		abort();
	return s;
}

/* Lists the non-hidden entries of a folder, sorted; -1 if unreadable. */
static int
list_dir(const char *dir, struct dirent ***ents)
{
	return scandir(dir, ents, NULL, alphasort);
}

/* Frees a scandir() result. */
static void
free_dir(struct dirent **ents, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

/* Allocates a case argument. */
static struct vec *
vec_new(const char *agent, const char *path, int want)
{
	struct vec *v = calloc(1, sizeof(*v));

	if (v == NULL)
		abort();
	v->agent = cat(agent, "", "");
	v->path = cat(path, "", "");
	v->want = want;
	v->next = vecs;
	vecs = v;
	return v;
}

/* remove-user-input/<case>: RemoveUserInput(msg, user, custom). */
static void
run_remove(void *arg)
{
	const struct vec *v = arg;
	const struct aa_agent *a = aa_agent_custom();
	struct aa_buf out;
	size_t ml, ul, el;
	char *msg = test_must_read_at(v->path, "msg.txt", &ml);
	char *user = test_must_read_at(v->path, "user.txt", &ul);
	char *exp = test_must_read_at(v->path, "expected.txt", &el);

	aa_buf_init(&out);
	ASSERT_EQ(aa_format_remove_user_input(msg, ml, user, ul, &a->echo,
	    &out), 0);
	ASSERT_MEM_EQ(out.data, out.len, exp, el);
	aa_buf_release(&out);
	free(msg);
	free(user);
	free(exp);
}

/* format/<agent>/<case>: FormatAgentMessage then FormatToolCall. */
static void
run_format(void *arg)
{
	const struct vec *v = arg;
	const struct aa_agent *a = aa_agent_find(v->agent);
	struct aa_buf out, calls, want;
	size_t ml, ul, el, cl;
	char *msg, *user, *exp, *tc, *path;

	ASSERT_NOT_NULL(a);
	ASSERT_STR_EQ(aa_agent_name(a), v->agent);
	msg = test_must_read_at(v->path, "msg.txt", &ml);
	user = test_must_read_at(v->path, "user.txt", &ul);
	exp = test_must_read_at(v->path, "expected.txt", &el);
	path = cat(v->path, "/expected_tool_calls.txt", "");
	tc = test_read_file(path, &cl);
	free(path);
	aa_buf_init(&out);
	aa_buf_init(&calls);
	ASSERT_EQ(aa_agent_format_ex(a, msg, ml, user, ul,
	    AA_AGENT_FORMAT_UPSTREAM, &out, &calls, NULL), 0);
	ASSERT_MEM_EQ(out.data, out.len, exp, el);
	if (tc != NULL)
		ASSERT_MEM_EQ(calls.data, calls.len, tc, cl);
	else if (a->tools.remove == NULL)
		ASSERT_EQ(calls.len, 0);
	/*
	 * Upstream keeps blank runs (amazonq's second_message has five blank
	 * lines in a row, cursor's confirmation_box four); we collapse them
	 * as a last step of our own, so the message we serve is upstream's
	 * expected text with its blank runs collapsed.
	 */
	aa_buf_reset(&out);
	aa_buf_init(&want);
	ASSERT_EQ(aa_format_collapse_blank(exp, el, &want), 0);
	ASSERT_EQ(aa_agent_format(a, msg, ml, user, ul, &out, NULL), 0);
	ASSERT_MEM_EQ(out.data, out.len, want.data, want.len);
	aa_buf_release(&want);
	aa_buf_release(&out);
	aa_buf_release(&calls);
	free(msg);
	free(user);
	free(exp);
	free(tc);
}

/* initialization/<agent>/{ready,not_ready}/<file>. */
static void
run_ready(void *arg)
{
	const struct vec *v = arg;
	const struct aa_agent *a = aa_agent_find(v->agent);
	size_t len;
	char *screen = test_read_file(v->path, &len);

	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(screen);
	ASSERT_EQ(aa_agent_ready(a, screen, len), v->want);
	free(screen);
}

/* Registers one case named prefix+name for path. */
static void
add(const char *prefix, const char *name, test_fn fn, const char *agent,
    const char *path, int want)
{
	char *tname = cat(prefix, name, "");

	test_add(tname, fn, vec_new(agent, path, want));
	free(tname);
}

/* Registers one remove-user-input case per folder. */
static void
gen_remove(const char *root)
{
	char *dir = cat(root, "/msgfmt/remove-user-input", ""), *path;
	struct dirent **e;
	int n, i;

	if ((n = list_dir(dir, &e)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (e[i]->d_name[0] == '.')
			continue;
		path = cat(dir, "/", e[i]->d_name);
		add("format_remove_user_input/", e[i]->d_name, run_remove,
		    "custom", path, 0);
		free(path);
		n_remove++;
	}
	free_dir(e, n);
out:
	free(dir);
}

/* Registers one case per format/<agent>/<case> folder. */
static void
gen_format(const char *root)
{
	char *dir = cat(root, "/msgfmt/format", ""), *adir, *path, *name;
	char *tc;
	struct dirent **e, **c;
	struct stat st;
	int n, m, i, j;

	if ((n = list_dir(dir, &e)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (e[i]->d_name[0] == '.')
			continue;
		adir = cat(dir, "/", e[i]->d_name);
		m = list_dir(adir, &c);
		for (j = 0; j < m; j++) {
			if (c[j]->d_name[0] == '.')
				continue;
			path = cat(adir, "/", c[j]->d_name);
			name = cat(e[i]->d_name, "/", c[j]->d_name);
			add("format_", name, run_format, e[i]->d_name, path,
			    0);
			n_format++;
			tc = cat(path, "/expected_tool_calls.txt", "");
			if (stat(tc, &st) == 0)
				n_tool_files++;
			free(tc);
			free(name);
			free(path);
		}
		if (m >= 0)
			free_dir(c, m);
		free(adir);
	}
	free_dir(e, n);
out:
	free(dir);
}

/* Registers one case per initialization/<agent>/<kind>/<file>. */
static void
gen_init(const char *root)
{
	static const char *const kinds[] = { "ready/", "not_ready/" };
	char *dir = cat(root, "/msgfmt/initialization/", ""), *kdir, *path;
	char *name, *agent;
	struct dirent **e, **f;
	int n, m, i, j, k;

	if ((n = list_dir(dir, &e)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (e[i]->d_name[0] == '.')
			continue;
		agent = cat(e[i]->d_name, "/", "");
		for (k = 0; k < 2; k++) {
			kdir = cat(dir, agent, kinds[k]);
			m = list_dir(kdir, &f);
			for (j = 0; j < m; j++) {
				if (f[j]->d_name[0] == '.')
					continue;
				path = cat(kdir, f[j]->d_name, "");
				name = cat(agent, kinds[k], f[j]->d_name);
				add("format_ready_", name, run_ready,
				    e[i]->d_name, path, k == 0);
				n_init++;
				free(name);
				free(path);
			}
			if (m >= 0)
				free_dir(f, m);
			free(kdir);
		}
		free(agent);
	}
	free_dir(e, n);
out:
	free(dir);
}

TEST_GENERATOR(format_vectors)
{
	const char *root = test_conformance_dir();

	gen_remove(root);
	gen_format(root);
	gen_init(root);
}

/* Every upstream vector was found (a missing folder fails here). */
TEST(format_conformance_vectors_present)
{
	struct stat st;

	if (stat(test_conformance_dir(), &st) != 0)
		test_fail(__FILE__, __LINE__, "no conformance folder at %s",
		    test_conformance_dir());
	printf("    vectors: remove-user-input %zu, format %zu (+%zu tool-call"
	    " files), initialization %zu\n", n_remove, n_format, n_tool_files,
	    n_init);
	ASSERT_EQ(n_remove, 9);
	ASSERT_EQ(n_format, 43);
	ASSERT_EQ(n_tool_files, 2);
	ASSERT_EQ(n_init, 24);
}

/* Runs aa_format_trim_empty_lines on a C string. */
static void
check_trim(const char *in, const char *want)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_format_trim_empty_lines(in, strlen(in), &out), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), want);
	aa_buf_release(&out);
}

TEST(format_trim_empty_lines)
{
	/* §4.1's vectors, joined with "\n". */
	check_trim("\n\nHello, World!\nHello, World!",
	    "Hello, World!\nHello, World!");
	check_trim("", "");
	check_trim("\nHello, World!\n\n1\n", "Hello, World!\n\n1");
	/* Blank means Unicode white space, NBSP included; padding stays. */
	check_trim(" \t\n\xc2\xa0\n  x  \n   \n\xe3\x80\x80", "  x  ");
	check_trim("   \n \n", "");
}

/* RemoveUserInput with the custom agent on C strings. */
static void
check_remove(const struct aa_agent *a, const char *msg, const char *user,
    const char *want)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_format_remove_user_input(msg, strlen(msg), user,
	    strlen(user), a != NULL ? &a->echo : NULL, &out), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), want);
	aa_buf_release(&out);
}

/* Runs aa_format_find_echo; returns 1 with the indices, or 0. */
static int
find(const char *msg, const char *user, size_t *s, size_t *e)
{
	int rc = aa_format_find_echo(msg, strlen(msg), user, strlen(user), s,
	    e);

	ASSERT(rc == 0 || rc == 1);
	return rc;
}

TEST(format_remove_user_input_runes)
{
	/* §4.2: emoji are single runes. */
	check_remove(NULL, "aaaa\xf0\x9f\x8c\xae\xf0\x9f\x8c\xae\xf0\x9f\x8c"
	    "\xae\xf0\x9f\x8c\xae\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e"
	    "\x89\n\xf0\x9f\x8e\x89" "b\nx", "\xf0\x9f\x8e\x89" "b", "x");
	check_remove(NULL, "\xf0\x9f\x8c\xae\xf0\x9f\x8c\xae\xf0\x9f\x8c\xae"
	    "\xf0\x9f\x8c\xae\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89"
	    "\xf0\x9f\x8e\x89" "b", "\xf0\x9f\x8e\x89" "b", "");
	check_remove(NULL, "hello\nworld", "", "hello\nworld");
	check_remove(NULL, "hello\nworld", "absent", "hello\nworld");
	/* An input whose first line is only white space is never found. */
	check_remove(NULL, "x\n  \nhello\nworld", "  \nhello", "x\n  \nhello\n"
	    "world");
}

TEST(format_find_echo_indices)
{
	size_t s, e;
	char msg[256];
	int i;

	/* Start after "Hello, World!" (12 non-WS6 runes: the space goes). */
	ASSERT_EQ(find("Hello, World! How are you?\nGood Good",
	    "How are you?", &s, &e), 1);
	ASSERT_EQ(s, 12);
	ASSERT_EQ(e, 12 + 9);
	/* Only the first six runes of the input's first line are needed. */
	ASSERT_EQ(find("Hello, World! How areXXXXXXXXXXX", "How are you?",
	    &s, &e), 1);
	ASSERT_EQ(s, 12);
	ASSERT_EQ(find("Hello, World! How arXXXXXXXXXXXX", "How are you?",
	    &s, &e), 0);
	/* A 100-rune first line: the window spans the first six lines. */
	memset(msg, 'a', 100);
	strcpy(msg + 100, "\nHow are you?\nreply");
	ASSERT_EQ(find(msg, "How are you?", &s, &e), 1);
	ASSERT_EQ(s, 100);
	/* Six one-rune lines before: the 25-rune minimum window finds it. */
	ASSERT_EQ(find("a\nb\nc\nd\ne\nf\nHow are you?", "How are you?", &s,
	    &e), 1);
	ASSERT_EQ(s, 6);
	/* Past the window (seventh line, beyond 25 runes): not searched. */
	for (i = 0; i < 6; i++)
		memcpy(msg + i * 6, "abcde\n", 6);
	strcpy(msg + 36, "How are you?");
	ASSERT_EQ(find(msg, "How are you?", &s, &e), 0);
	/* A truncated 7-rune echo: the end is its 7th rune. */
	ASSERT_EQ(find("abcdefg...------", "abcdefghijklmnop", &s, &e), 1);
	ASSERT_EQ(s, 0);
	ASSERT_EQ(e, 6);
	/* Separators between the input's runes do not stop the match. */
	ASSERT_EQ(find("abcdef*|*gh*|*ij*|*kl tail", "abcdef\nghijkl", &s,
	    &e), 1);
	ASSERT_EQ(e, 20);
	check_remove(NULL, "abcdef\n*|*gh*|*ij*|*kl\nreply", "abcdef\nghijkl",
	    "reply");
	/* Beyond upstream: an earlier line quoting the input's start comes
	 * first, but the echo is the line that matches all of it. */
	ASSERT_EQ(find("DONE: Please run TOOLREPLY now\n"
	    "> Please run TOOLREPLY once more\nNo.", "Please run TOOLREPLY "
	    "once more", &s, &e), 1);
	ASSERT_EQ(s, 27);
	check_remove(NULL, "DONE: Please run TOOLREPLY now\n"
	    "> Please run TOOLREPLY once more\nNo.", "Please run TOOLREPLY "
	    "once more", "No.");
	/* The same with the echo pushed below the window (the seventh
	 * line): a partial match in the window, the whole one below. */
	check_remove(NULL, "DONE: Please run TOOLREPLY now\nxx\nxx\nxx\nxx\n"
	    "xx\n> Please run TOOLREPLY once more\nNo.", "Please run "
	    "TOOLREPLY once more", "No.");
	/* But not a partial one below, nor one past the twelfth line. */
	check_remove(NULL, "DONE: Please run TOOLREPLY now\nxx\nxx\nxx\nxx\n"
	    "xx\n> Please run TOOLREPLY once\nNo.", "Please run TOOLREPLY "
	    "once more", "xx\nxx\nxx\nxx\nxx\n> Please run TOOLREPLY once\n"
	    "No.");
	check_remove(NULL, "DONE: Please run TOOLREPLY now\nxx\nxx\nxx\nxx\n"
	    "xx\nxx\nxx\nxx\nxx\nxx\nxx\n> Please run TOOLREPLY once more\n"
	    "No.", "Please run TOOLREPLY once more", "xx\nxx\nxx\nxx\nxx\n"
	    "xx\nxx\nxx\nxx\nxx\nxx\n> Please run TOOLREPLY once more\nNo.");
	/* Of two whole matches, the first. */
	ASSERT_EQ(find("say hello\nsay hello\nreply", "say hello", &s, &e), 1);
	ASSERT_EQ(s, 0);
	/* An echo at the very end: nothing follows it. */
	ASSERT_EQ(find("Hello,World!/init", "/init", &s, &e), 1);
	ASSERT_EQ(s, 12);
	ASSERT_EQ(e, 16);
	check_remove(NULL, "Hello,World!/init", "/init", "");
}

TEST(format_remove_user_input_agent_extensions)
{
	const struct aa_agent *gemini = aa_agent_find("gemini");
	const struct aa_agent *cursor = aa_agent_find("cursor");
	const struct aa_agent *oc = aa_agent_find("opencode");
	const char *box = "\xe2\x95\xad\xe2\x94\x80\xe2\x95\xae\n"
	    "\xe2\x94\x82 > hi there \xe2\x94\x82\n"
	    "\xe2\x95\xb0\xe2\x94\x80\xe2\x95\xaf\nreply";

	/* gemini also removes the echo box's bottom edge. */
	check_remove(gemini, box, "hi there", "reply");
	check_remove(NULL, box, "hi there",
	    "\xe2\x95\xb0\xe2\x94\x80\xe2\x95\xaf\nreply");
	check_remove(gemini, "hi there\n\xe2\x95\xb0\xe2\x94\x80\xe2\x95\xaf",
	    "hi there", "");
	/* cursor's box is square. */
	check_remove(cursor, "hi there\n\xe2\x94\x94\xe2\x94\x80\xe2\x94\x98\n"
	    "reply", "hi there", "reply");
	check_remove(cursor, "hi there\n\xe2\x95\xb0\xe2\x94\x80\xe2\x95\xaf\n"
	    "reply", "hi there", "\xe2\x95\xb0\xe2\x94\x80\xe2\x95\xaf\nreply");
	/* opencode skips the author line and a spacer when both exist. */
	check_remove(oc, "hi there\nme (12:00)\n\nreply", "hi there", "reply");
	check_remove(oc, "hi there\nme (12:00)\n", "hi there", "");
	check_remove(oc, "hi there\nme (12:00)", "hi there", "me (12:00)");
}

/* The upstream box remover in the named agent's descriptor. */
static aa_format_box_fn
upstream_box(const char *name)
{
	const struct aa_agent *a = aa_agent_find(name);

	ASSERT_NOT_NULL(a);
	return a->box.upstream;
}

/* Runs a box remover on a C string. */
static void
check_box(aa_format_box_fn fn, const char *in, const char *want)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(fn(in, strlen(in), &out), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), want);
	aa_buf_release(&out);
}

#define RULE15                                                                 \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"         \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"         \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"

TEST(format_box_removers)
{
	/* A '>' in the last six lines cuts there, with a border above. */
	check_box(aa_format_box_generic, "reply\n" RULE15 "\n> \n" RULE15,
	    "reply");
	check_box(aa_format_box_generic, "a\nb -> c\nd", "a");
	check_box(aa_format_box_generic, "> x", "");
	check_box(aa_format_box_generic, "a\n>\nb\nc\nd\ne\nf\ng", "a\n>\nb\nc"
	    "\nd\ne\nf\ng");
	/* The slim box: border, a bar line, border. */
	check_box(aa_format_box_generic, "reply\n" RULE15 "\n| x\n" RULE15
	    "\nfooter", "reply");
	check_box(aa_format_box_generic, "reply\n" RULE15 "\n  x\n" RULE15,
	    "reply\n" RULE15 "\n  x\n" RULE15);
	/* codex drops the composer and the spacer, keeps the footer. */
	check_box(upstream_box("codex"), "reply\n\xe2\x80\xba type\n\nfooter",
	    "reply\nfooter");
	check_box(upstream_box("codex"), "\xe2\x80\xba type\n\nfooter",
	    "footer");
	check_box(upstream_box("codex"), "\n\xe2\x80\xba", "\n\xe2\x80\xba");
	/* amp: a complete rounded box; nothing left is "Welcome to Amp". */
	check_box(upstream_box("amp"), "reply\n \xe2\x95\xad\xe2\x94\x80"
	    "\xe2\x95\xae \n\xe2\x94\x82 \xe2\x94\x82\n\xe2\x95\xb0\xe2\x94\x80"
	    "\xe2\x95\xaf\nfoot", "reply");
	check_box(upstream_box("amp"), "\xe2\x95\xad\xe2\x95\xae\n\xe2\x95\xb0"
	    "\xe2\x95\xaf", "Welcome to Amp");
	/* A top edge below the bottom edge is no box. */
	check_box(upstream_box("amp"), "\xe2\x95\xb0\xe2\x95\xaf\n\xe2\x95\xad"
	    "\xe2\x95\xae", "\xe2\x95\xb0\xe2\x95\xaf\n\xe2\x95\xad"
	    "\xe2\x95\xae");
	check_box(upstream_box("amp"), "", "Welcome to Amp");
}

TEST(format_box_opencode)
{
	char bar[128] = "  \xe2\x95\xb9";
	int i;

	for (i = 0; i < 17; i++)
		strcat(bar, "\xe2\x96\x80");
	{
		char in[512];

		/* The bar at index >= 4 drops it and the four lines above. */
		snprintf(in, sizeof(in), "reply\nmore\n1\n2\n3\n4\n%s\nfoot",
		    bar);
		check_box(upstream_box("opencode"), in, "reply\nmore");
		snprintf(in, sizeof(in), "1\n2\n3\n4\n%s", bar);
		check_box(upstream_box("opencode"), in, "");
		/* At index 3 it is not considered. */
		snprintf(in, sizeof(in), "1\n2\n3\n%s", bar);
		check_box(upstream_box("opencode"), in, in);
	}
}

#define RULE20 "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80" \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"   \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"   \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
#define GUILLEMET "\xe2\x80\xba"

TEST(format_box_auggie)
{
	/* Auggie 0.36: rule, "›" lines, rule, footer; a '>' just above the
	 * box stays (upstream's rule would cut there). */
	check_box(upstream_box("auggie"), "reply\nquote > here\ndone\n"
	    RULE20 "\n" GUILLEMET "\n" RULE20 "\n ? to show shortcuts  /w",
	    "reply\nquote > here\ndone");
	/* A longer input, and the busy line above the box, go too. */
	check_box(upstream_box("auggie"), "reply\n\n  Processing response... "
	    "(3s \xe2\x80\xa2 esc to interrupt)\n" RULE20 "\n" GUILLEMET
	    " one\n  two\n  three\n" RULE20 "\n foot", "reply");
	/* The echo "› text" is no box; nor is a "›" line without rules. */
	check_box(upstream_box("auggie"), GUILLEMET " text\n\nreply\nmore\n"
	    "end", GUILLEMET " text\n\nreply\nmore\nend");
	/* The tool approval is kept whole, '>' in its command or not. */
	check_box(upstream_box("auggie"), "x\n| Terminal: echo a > f |\n"
	    "+-----+\n [A]llow [D]eny", "x\n| Terminal: echo a > f |\n"
	    "+-----+\n [A]llow [D]eny");
	/* Without its box, upstream's rule (the rounded box of earlier
	 * releases and upstream's vectors). */
	check_box(upstream_box("auggie"), "reply\n> input\nfoot", "reply");
}

/* FormatToolCall for the named agent; returns the calls through *calls. */
static void
check_tools(const char *agent, const char *in, const char *want,
    const char *want_calls)
{
	const struct aa_agent *a = aa_agent_find(agent);
	struct aa_buf out, calls;

	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(a->tools.remove);
	aa_buf_init(&out);
	aa_buf_init(&calls);
	ASSERT_EQ(a->tools.remove(&a->tools, in, strlen(in), &out, &calls),
	    0);
	ASSERT_STR_EQ(aa_buf_str(&out), want);
	ASSERT_STR_EQ(aa_buf_str(&calls), want_calls);
	aa_buf_release(&out);
	aa_buf_release(&calls);
}

#define CLAUDE_BLOCK(x)                                                        \
	"\xe2\x97\x8f coder - coder_report_task (MCP)(summary: \"" x "\")\n"  \
	"  \xe2\x8e\xbf  {\n"                                                  \
	"       \"message\": \"Thanks for reporting!\"\n"                      \
	"     }"
#define CLAUDE_CALL(x) CLAUDE_BLOCK(x) "\n"

TEST(format_tools_claude)
{
	/* Well-formed calls are removed and returned, last first. */
	check_tools("claude",
	    "\n\nintro\n" CLAUDE_CALL("a") "middle\n" CLAUDE_CALL("b") "end",
	    "intro\nmiddle\nend",
	    CLAUDE_BLOCK("b") AA_FORMAT_TOOL_SEP CLAUDE_BLOCK("a"));
	/* No call: only leading newlines go. */
	check_tools("claude", "\n\nplain\n\n", "plain\n\n", "");
	/* An unterminated call is removed up to the blank after it. */
	check_tools("claude",
	    "intro\n\xe2\x97\x8f coder - coder_report_task (MCP)(x)\n"
	    "  partial\n\nafter\nend",
	    "intro\nafter\nend", "");
}

TEST(format_tools_claude_inverted_range_clamped)
{
	/*
	 * §9.13: the second start keeps the first call's blank index, so
	 * upstream's range would end before it starts and duplicate lines.
	 * The clamped range is empty: nothing is removed or duplicated.
	 */
	const char *in = "text\n"
	    "\xe2\x97\x8f coder - coder_report_task (MCP)(a)\n"
	    "  partial\n"
	    "\n"
	    "other\n"
	    "\xe2\x97\x8f coder - coder_report_task (MCP)(b)\n"
	    "  more\n"
	    "end";

	check_tools("claude", in, in, "");
}

TEST(format_tools_codex)
{
	const char *call = "\xe2\x80\xa2 Called\n"
	    "  \xe2\x94\x94 Coder.coder_report_task({\"summary\": \"x\"})\n"
	    "    {\"message\": \"Thanks for reporting!\"}\n";

	char in[1024], want[1024];

	/* The call and the blank lines after it go; calls keep them. */
	snprintf(in, sizeof(in), "intro\n%s\n\nend\n\n", call);
	snprintf(want, sizeof(want), "%s\n", call);
	check_tools("codex", in, "intro\nend", want);
	/* Without the tool's name the block stays. */
	snprintf(in, sizeof(in), "\xe2\x80\xa2 Called\n  other\n"
	    "    {\"message\": \"Thanks for reporting!\"}");
	check_tools("codex", in, in, "");
	check_tools("codex", "plain\n\n", "plain", "");
}

TEST(format_agent_table)
{
	const struct aa_agent *const *t = aa_agent_table();
	size_t n, i, j;

	for (n = 0; t[n] != NULL; n++)
		ASSERT(aa_agent_find(aa_agent_name(t[n])) == t[n]);
	ASSERT_EQ(n, 12);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			ASSERT(strcmp(t[i]->name, t[j]->name) != 0);
	ASSERT_STR_EQ(aa_agent_name(aa_agent_find("cursor-agent")), "cursor");
	ASSERT_STR_EQ(aa_agent_name(aa_agent_find("q")), "amazonq");
	ASSERT_NULL(aa_agent_find("nope"));
	ASSERT_NULL(aa_agent_find(NULL));
	ASSERT(aa_agent_for_command("claude") == aa_agent_find("claude"));
	ASSERT(aa_agent_for_command("q") == aa_agent_find("amazonq"));
	/* Compared verbatim: a path is not an alias. */
	ASSERT(aa_agent_for_command("/usr/bin/claude") == aa_agent_custom());
	ASSERT(aa_agent_for_command("bash") == aa_agent_custom());
	ASSERT_STR_EQ(aa_agent_name(aa_agent_custom()), "custom");
	ASSERT_STR_EQ(aa_agent_start_input(aa_agent_find("amp")), " \b");
	ASSERT_NULL(aa_agent_start_input(aa_agent_find("claude")));
}

TEST(format_agent_list_names_is_the_table)
{
	const struct aa_agent *const *t = aa_agent_table();
	const char *const *alias;
	struct aa_buf b;
	const char *p, *prev = NULL, *q;
	size_t count = 0, listed = 0;

	aa_buf_init(&b);
	ASSERT_EQ(aa_buf_puts(&b, "<"), 0);
	ASSERT_EQ(aa_agent_list_names(&b), 0);
	/* Upstream's --help list: every alias, sorted, ", "-separated. */
	ASSERT_STR_EQ(aa_buf_str(&b), "<aider, amazonq, amp, auggie, claude, "
	    "codex, copilot, cursor, cursor-agent, custom, gemini, goose, "
	    "opencode, q");
	/* And nothing but the table: each alias once, in strcmp order. */
	for (; *t != NULL; t++)
		for (alias = (*t)->aliases; *alias != NULL; alias++)
			count++;
	for (p = b.data + 1; *p != '\0'; p = *q != '\0' ? q + 2 : q) {
		char name[32];

		q = strstr(p, ", ");
		if (q == NULL)
			q = p + strlen(p);
		ASSERT_LT((size_t)(q - p), sizeof(name));
		memcpy(name, p, (size_t)(q - p));
		name[q - p] = '\0';
		ASSERT_NOT_NULL(aa_agent_find(name));
		if (prev != NULL)
			ASSERT_LT(strncmp(prev, p, (size_t)(q - p) + 1), 0);
		prev = p;
		listed++;
	}
	ASSERT_EQ(listed, count);
	aa_buf_release(&b);
}

TEST(format_agent_format_appends_and_handles_null)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_buf_puts(&out, "keep|"), 0);
	ASSERT_EQ(aa_agent_format(aa_agent_find("claude"), "\n hi\n\n", 6,
	    NULL, 0, &out, NULL), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), "keep| hi");
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format(aa_agent_custom(), NULL, 0, NULL, 0, &out,
	    NULL), 0);
	ASSERT_NOT_NULL(out.data);
	ASSERT_EQ(out.len, 0);
	aa_buf_release(&out);
}

TEST(format_ready_inline)
{
	const struct aa_agent *custom = aa_agent_custom();

	ASSERT_EQ(aa_agent_ready(custom, "loading...\n\n\n", 13), 0);
	ASSERT_EQ(aa_agent_ready(custom, "hello\n> \n\n", 10), 1);
	ASSERT_EQ(aa_agent_ready(custom, "", 0), 0);
	/* The amp quirk: a blank screen becomes "Welcome to Amp". */
	ASSERT_EQ(aa_agent_ready(aa_agent_find("amp"), "", 0), 1);
	ASSERT_EQ(aa_agent_ready(aa_agent_find("codex"), "x\n\xe2\x80\xba\n\n"
	    "footer", 12), 1);
}

/* Collapses s and compares with want. */
static void
check_collapse(const char *s, const char *want)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_format_collapse_blank(s, strlen(s), &out), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), want);
	aa_buf_release(&out);
}

TEST(format_collapse_blank)
{
	check_collapse("", "");
	check_collapse("\n\n  \n", "");
	check_collapse("a", "a");
	check_collapse("\n\na\n\n\n", "a");
	check_collapse("a\nb", "a\nb");
	/* One blank line stays as it is, padding included. */
	check_collapse("a\n   \nb", "a\n   \nb");
	/* A run becomes its first line. */
	check_collapse("a\n\n\n\n\nb\n \n\t\nc\n\n", "a\n\nb\n \nc");
	/* A closed fence keeps its blank lines; outside, runs collapse. */
	check_collapse("x\n\n\n```\n1\n\n\n2\n```\n\n\ny",
	    "x\n\n```\n1\n\n\n2\n```\n\ny");
	check_collapse("  ~~~\n\n\n  ~~~", "  ~~~\n\n\n  ~~~");
	/* A fence closes only with its own character. */
	check_collapse("```\n\n\n~~~\n\n\n```", "```\n\n\n~~~\n\n\n```");
	/* An unclosed fence protects nothing. */
	check_collapse("```\na\n\n\n\nb", "```\na\n\nb");
	check_collapse("a\n\n\n```\n\n", "a\n\n```");
}

TEST(format_collapse_codex_startup)
{
	struct aa_buf in, out;
	size_t i, blank = 0;

	/* Codex draws at the top of a tall screen: its start-up message is
	 * a header, about a thousand blank rows and a tip. */
	aa_buf_init(&in);
	aa_buf_init(&out);
	ASSERT_EQ(aa_buf_puts(&in, ">_ OpenAI Codex (v0.169.0)\n"), 0);
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(aa_buf_puts(&in, "\n"), 0);
	ASSERT_EQ(aa_buf_puts(&in, "  Tip: use /status\n\n\n"), 0);
	ASSERT_EQ(aa_agent_format(aa_agent_find("codex"), in.data, in.len,
	    NULL, 0, &out, NULL), 0);
	for (i = 0; i < out.len; i++)
		blank += out.data[i] == '\n';
	ASSERT_EQ(blank, 2);
	ASSERT_STR_EQ(aa_buf_str(&out),
	    ">_ OpenAI Codex (v0.169.0)\n\n  Tip: use /status");
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_find("codex"), in.data, in.len,
	    NULL, 0, AA_AGENT_FORMAT_UPSTREAM, &out, NULL, NULL), 0);
	for (i = 0, blank = 0; i < out.len; i++)
		blank += out.data[i] == '\n';
	ASSERT_EQ(blank, 1001);
	aa_buf_release(&in);
	aa_buf_release(&out);
}

TEST(format_info_reports_the_path)
{
	struct aa_agent_format_info info;
	struct aa_buf out;
	const char *box = "hi there\nreply\n\n> \n";
	const char *bare = "hi there\nreply\n";
	const char *codex = "reply\n\xe2\x80\xba \n\nstatus\nfooter";

	aa_buf_init(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_custom(), box, strlen(box),
	    "hi there", 8, 0, &out, NULL, &info), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), "reply");
	ASSERT_EQ(info.echo, 1);
	ASSERT_EQ(info.box, AA_RESIDUE_UPSTREAM);
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_custom(), bare, strlen(bare),
	    "nothing like it", 15, 0, &out, NULL, &info), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), "hi there\nreply");
	ASSERT_EQ(info.echo, 0);
	ASSERT_EQ(info.box, AA_RESIDUE_NONE);
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_custom(), bare, strlen(bare),
	    NULL, 0, 0, &out, NULL, &info), 0);
	ASSERT_EQ(info.echo, -1);
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_find("codex"), codex,
	    strlen(codex), NULL, 0, 0, &out, NULL, &info), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), "reply");
	ASSERT_EQ(info.box, AA_RESIDUE_LAYOUT);
	aa_buf_release(&out);
}
