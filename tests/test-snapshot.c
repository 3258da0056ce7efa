/*
 * test-snapshot.c - the screen diff (aa_snapshot_diff, spec/core.md §3):
 * upstream's file vectors in ../shared/conformance/agentapi/screentracker
 * /diff (one case per folder), the six inline cases, and the opencode
 * header quirk and crash guard (§9.1).
 */
#include <dirent.h>
#include <sys/stat.h>

#include "test.h"

#include "core/agent.h"
#include "base/buf.h"
#include "core/snapshot.h"

#define AA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static size_t n_diff;
/* Case arguments, kept reachable: the runner does not own them. */
static char *dirs[64];

/* Returns the concatenation of three strings (malloc'd). */
static char *
cat(const char *a, const char *b, const char *c)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, b, c) < 0)
		abort();
	return s;
}

/* diff/<case>: screenDiff(before, after, custom) == expected. */
static void
run_diff(void *arg)
{
	const char *dir = arg;
	struct aa_buf out;
	size_t bl, al, el;
	char *before = test_must_read_at(dir, "before.txt", &bl);
	char *after = test_must_read_at(dir, "after.txt", &al);
	char *exp = test_must_read_at(dir, "expected.txt", &el);

	aa_buf_init(&out);
	ASSERT_EQ(aa_snapshot_diff(before, bl, after, al,
	    aa_agent_diff_skip(aa_agent_custom()), &out), 0);
	ASSERT_MEM_EQ(out.data, out.len, exp, el);
	aa_buf_release(&out);
	free(before);
	free(after);
	free(exp);
}

TEST_GENERATOR(snapshot_vectors)
{
	char *dir = cat(test_conformance_dir(), "/screentracker/diff", "");
	char *name;
	struct dirent **e;
	int n, i;

	if ((n = scandir(dir, &e, NULL, alphasort)) >= 0) {
		for (i = 0; i < n; i++) {
			if (e[i]->d_name[0] != '.' &&
			    n_diff < AA_ARRAY_LEN(dirs)) {
				name = cat("snapshot_diff/", e[i]->d_name, "");
				dirs[n_diff] = cat(dir, "/", e[i]->d_name);
				test_add(name, run_diff, dirs[n_diff]);
				free(name);
				n_diff++;
			}
			free(e[i]);
		}
		free(e);
	}
	free(dir);
}

/* A missing conformance folder fails here; CI always has it. */
TEST(snapshot_conformance_vectors_present)
{
	struct stat st;

	if (stat(test_conformance_dir(), &st) != 0)
		test_fail(__FILE__, __LINE__, "no conformance folder at %s",
		    test_conformance_dir());
	printf("    vectors: diff %zu\n", n_diff);
	ASSERT_EQ(n_diff, 2);
}

/* Diffs two C strings with a header skip and compares the result. */
static void
check(size_t skip, const char *old, const char *cur, const char *want)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_snapshot_diff(old, strlen(old), cur, strlen(cur), skip,
	    &out), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), want);
	aa_buf_release(&out);
}

TEST(snapshot_diff_inline)
{
	size_t c = aa_agent_diff_skip(aa_agent_custom());

	ASSERT_EQ(c, 0);
	check(c, "123456", "123456", "");
	check(c, "123456", "1234567", "1234567");
	check(c, "123", "123\n  \n \n \n42", "42");
	check(c, "123", "12342\n   \n \n \n", "12342");
	check(c, "123", "123\n  \n \n \n42\n   \n \n \n", "42");
	check(c, "89", "42", "42");
}

TEST(snapshot_diff_membership_not_position)
{
	size_t c = 0;

	/* A line seen anywhere on the old screen is not new. */
	check(c, "b\na", "a\nb\nc\nd", "c\nd");
	/* An all-blank new section is returned as it is (§3 step 5). */
	check(0, "x", "x\n  \n ", "  \n ");
	/* Lines keep their trailing spaces. */
	check(c, "", "  new  \n", "  new  ");
	/* Many identical old lines (a padded 1000-row screen). */
	{
		struct aa_buf old, cur, out;
		int i;

		aa_buf_init(&old);
		aa_buf_init(&cur);
		aa_buf_init(&out);
		for (i = 0; i < 1000; i++) {
			ASSERT_EQ(aa_buf_printf(&old, "%s%80s", i ? "\n" : "",
			    i == 3 ? "three" : ""), 0);
			ASSERT_EQ(aa_buf_printf(&cur, "%s%80s", i ? "\n" : "",
			    i == 3 ? "three" : i == 500 ? "reply" : ""), 0);
		}
		ASSERT_EQ(aa_snapshot_diff(old.data, old.len, cur.data,
		    cur.len, c, &out), 0);
		ASSERT_EQ(out.len, 80);
		ASSERT_STR_EQ(out.data + 75, "reply");
		aa_buf_release(&old);
		aa_buf_release(&cur);
		aa_buf_release(&out);
	}
}

TEST(snapshot_diff_opencode_header_quirk)
{
	size_t oc = aa_agent_diff_skip(aa_agent_find("opencode"));

	/* opencode's header is three rows; the diff reads it off the table. */
	ASSERT_EQ(oc, 3);
	ASSERT_EQ(aa_agent_diff_skip(NULL), 0);
	/* The header changes; the section starts 3 lines above "new". */
	check(oc, "h1\nh2\nh3\na\nb\nc\nd", "H1\nH2\nH3\na\nb\nc\nd\nnew",
	    "b\nc\nd\nnew");
	check(0, "h1\nh2\nh3\na\nb", "H1\nH2\nH3\na\nb\nnew",
	    "H1\nH2\nH3\na\nb\nnew");
}

TEST(snapshot_diff_opencode_short_screens_do_not_crash)
{
	size_t oc = 3;

	/* §9.1: two lines indexed past the end upstream. */
	check(oc, "", "a\nb", "");
	check(oc, "x", "a\nb\nc", "");
	check(oc, "", "a", "a");
	check(oc, "", "", "");
	check(oc, "", "a\nb\nc\nd", "a\nb\nc\nd");
}

TEST(snapshot_diff_appends)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_buf_puts(&out, "x|"), 0);
	ASSERT_EQ(aa_snapshot_diff("a", 1, "a\nb", 3, 0, &out), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), "x|b");
	ASSERT_EQ(aa_snapshot_diff(NULL, 0, NULL, 0, 0, &out), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), "x|b");
	aa_buf_release(&out);
}
