/*
 * test-realvectors.c - format and readiness vectors captured from today's
 * agents (issue 7), under tests/data/format/<agent>-<version>/<case>/:
 * msg.txt (the screen diff of a turn), user.txt (the prompt) and
 * expected.txt (the agent message), as upstream's msgfmt/format vectors;
 * and optionally ready.txt, a whole screen on which the agent must be
 * ready for its first prompt (§4.5), and not_ready.txt, one on which it
 * must not be yet; busy.txt, a screen that shows the agent at work
 * (aa_agent_busy, issue 14), and not_busy.txt, one that does not (idle,
 * or waiting on a dialog).  The agent's type is the folder's name up to
 * its first "-", or the word in <agent>-<version>/type (Qwen Code runs
 * as gemini).  One case per folder, found at start-up; an empty data
 * folder is a failure.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

#include "core/agent.h"
#include "base/buf.h"

/* A case: the agent's type and the vector's folder. */
struct rvec {
	char agent[64];
	char *path;
	struct rvec *next;
};

/* Every case argument, kept reachable: the runner does not own them. */
static struct rvec *rvecs;
static size_t n_cases;

/* Returns a malloc'd string formatted as printf does; aborts on ENOMEM. */
static char * __attribute__((format(printf, 1, 2)))
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, f);
	rc = vasprintf(&s, f, ap);
	va_end(ap);
	if (rc < 0)
		abort();
	return s;
}

/* 1 if the file exists. */
static int
exists(const char *dir, const char *name)
{
	char *p = fmt("%s/%s", dir, name);
	FILE *f = fopen(p, "r");

	free(p);
	if (f == NULL)
		return 0;
	fclose(f);
	return 1;
}

/* One vector: the agent's formatting of msg.txt is expected.txt. */
static void
run_format(void *arg)
{
	const struct rvec *v = arg;
	const struct aa_agent *a = aa_agent_find(v->agent);
	struct aa_agent_format_info info;
	struct aa_buf out;
	size_t ml, ul, el;
	char *msg, *user, *exp;

	ASSERT_NOT_NULL(a);
	msg = test_read_at(v->path, "msg.txt", &ml);
	user = test_read_at(v->path, "user.txt", &ul);
	exp = test_read_at(v->path, "expected.txt", &el);
	ASSERT_NOT_NULL(msg);
	ASSERT_NOT_NULL(user);
	ASSERT_NOT_NULL(exp);
	aa_buf_init(&out);
	ASSERT_EQ(aa_agent_format_ex(a, msg, ml, user, ul, 0, &out, NULL,
	    &info), 0);
	ASSERT_MEM_EQ(out.data, out.len, exp, el);
	/* A real turn of today's agent: parser health has nothing to say
	 * (core/health.h: echo found, the agent's own box rule matched).
	 * Copilot's permission dialog hides its box and its long reply
	 * scrolls the echo away: the watch knows both (test-watch.c). */
	if (strstr(v->path, "copilot-1.0.102/permission") == NULL &&
	    strstr(v->path, "copilot-1.0.102/scrollbar") == NULL) {
		if (ul > 0)
			ASSERT_EQ(info.echo, 1);
		ASSERT_EQ(aa_agent_format_generic(a, &info), 0);
	}
	aa_buf_release(&out);
	free(msg);
	free(user);
	free(exp);
}

/* One screen that must show the agent at work, or must not. */
static void
check_busy(const struct rvec *v, const char *file, int want)
{
	const struct aa_agent *a = aa_agent_find(v->agent);
	size_t len;
	char *s;

	ASSERT_NOT_NULL(a);
	s = test_read_at(v->path, file, &len);
	ASSERT_NOT_NULL(s);
	ASSERT_EQ(aa_agent_busy(a, s, len), want);
	free(s);
}

/* busy.txt: a screen that shows the agent at work. */
static void
run_busy(void *arg)
{
	check_busy(arg, "busy.txt", 1);
}

/* not_busy.txt: a screen that does not (idle, or a dialog). */
static void
run_not_busy(void *arg)
{
	check_busy(arg, "not_busy.txt", 0);
}

/* One screen on which the agent must be ready, or must not be. */
static void
check_ready(const struct rvec *v, const char *file, int want)
{
	const struct aa_agent *a = aa_agent_find(v->agent);
	size_t len;
	char *s;

	ASSERT_NOT_NULL(a);
	s = test_read_at(v->path, file, &len);
	ASSERT_NOT_NULL(s);
	ASSERT_EQ(aa_agent_ready(a, s, len), want);
	free(s);
}

/* ready.txt: a screen on which the agent must be ready. */
static void
run_ready(void *arg)
{
	check_ready(arg, "ready.txt", 1);
}

/* not_ready.txt: a screen on which the agent must not be ready yet. */
static void
run_not_ready(void *arg)
{
	check_ready(arg, "not_ready.txt", 0);
}

/* Registers the cases of one <agent>-<version>/<case> folder. */
static void
add_case(const char *root, const char *av, const char *c)
{
	struct rvec *v = calloc(1, sizeof *v);
	size_t k = strcspn(av, "-"), tl;
	char *name, *dir, *type;

	if (v == NULL)
		abort();
	if (k >= sizeof v->agent)
		k = sizeof v->agent - 1;
	memcpy(v->agent, av, k);
	dir = fmt("%s/%s", root, av);
	if (exists(dir, "type") && (type = test_read_at(dir, "type",
	    &tl)) != NULL) {
		k = strcspn(type, " \n");
		if (k >= sizeof v->agent)
			k = sizeof v->agent - 1;
		memcpy(v->agent, type, k);
		v->agent[k] = '\0';
		free(type);
	}
	free(dir);
	v->path = fmt("%s/%s/%s", root, av, c);
	v->next = rvecs;
	rvecs = v;
	if (exists(v->path, "msg.txt")) {
		name = fmt("realvec_format/%s/%s", av, c);
		test_add(name, run_format, v);
		free(name);
		n_cases++;
	}
	if (exists(v->path, "ready.txt")) {
		name = fmt("realvec_ready/%s/%s", av, c);
		test_add(name, run_ready, v);
		free(name);
		n_cases++;
	}
	if (exists(v->path, "not_ready.txt")) {
		name = fmt("realvec_not_ready/%s/%s", av, c);
		test_add(name, run_not_ready, v);
		free(name);
		n_cases++;
	}
	if (exists(v->path, "busy.txt")) {
		name = fmt("realvec_busy/%s/%s", av, c);
		test_add(name, run_busy, v);
		free(name);
		n_cases++;
	}
	if (exists(v->path, "not_busy.txt")) {
		name = fmt("realvec_not_busy/%s/%s", av, c);
		test_add(name, run_not_busy, v);
		free(name);
		n_cases++;
	}
}

TEST_GENERATOR(realvectors)
{
	struct dirent **e, **c;
	char *root, *sub;
	int n, m, i, j;

	root = fmt("%s/tests/data/format", test_top());
	if ((n = scandir(root, &e, NULL, alphasort)) < 0) {
		free(root);
		return;
	}
	for (i = 0; i < n; i++) {
		if (e[i]->d_name[0] != '.') {
			sub = fmt("%s/%s", root, e[i]->d_name);
			m = scandir(sub, &c, NULL, alphasort);
			free(sub);
			for (j = 0; j < m; j++) {
				if (c[j]->d_name[0] != '.')
					add_case(root, e[i]->d_name,
					    c[j]->d_name);
				free(c[j]);
			}
			if (m >= 0)
				free(c);
		}
		free(e[i]);
	}
	free(e);
	free(root);
}

/* The data folder holds at least one vector. */
TEST(realvec_found)
{
	ASSERT(n_cases > 0);
}
