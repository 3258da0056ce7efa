/*
 * test-spawn.c - spawn: the program looked up the way execvp does (a
 * slash, PATH order, an empty element, executables only), and what the
 * child gets: argv, the sh fallback's argv, envp with one TERM.  The
 * child's side itself runs in test-pty.
 */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentapi.h"
#include "runtime/spawn.h"

/* Makes dir/name with mode; returns its path (static buffer). */
static const char *
make_file(const char *dir, const char *name, mode_t mode)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || write(fd, "#!/bin/sh\n", 10) != 10 ||
	    fchmod(fd, mode) != 0)
		test_fail(__FILE__, __LINE__, "cannot make %s", path);
	close(fd);
	return path;
}

TEST(spawn_find_program)
{
	char a[] = "/tmp/test-spawn-a.XXXXXX", b[] = "/tmp/test-spawn-b.XXXXXX";
	char pathvar[256], want[512], *got = NULL;

	ASSERT_NOT_NULL(mkdtemp(a));
	ASSERT_NOT_NULL(mkdtemp(b));
	make_file(a, "tool", 0644);     /* not executable */
	snprintf(want, sizeof(want), "%s", make_file(b, "tool", 0755));
	make_file(b, "plain", 0644);

	snprintf(pathvar, sizeof(pathvar), "%s:%s", a, b);
	ASSERT_EQ(setenv("PATH", pathvar, 1), 0);
	/* The first executable regular file wins, not the first file. */
	ASSERT_EQ(aa_spawn_find_program("tool", &got), 0);
	ASSERT_STR_EQ(got, want);
	free(got);
	got = NULL;
	/* Only non-executable candidates: EACCES, as execvp says. */
	ASSERT_EQ(aa_spawn_find_program("plain", &got), -EACCES);
	ASSERT_NULL(got);
	ASSERT_EQ(aa_spawn_find_program("nothing-here", &got), AA_ENOENT);
	/* A directory is not a program. */
	ASSERT_EQ(setenv("PATH", "/tmp", 1), 0);
	ASSERT_EQ(aa_spawn_find_program(strrchr(a, '/') + 1, &got),
	    AA_ENOENT);
	/* An empty element is the current directory. */
	snprintf(pathvar, sizeof(pathvar), "%s:", a);
	ASSERT_EQ(setenv("PATH", pathvar, 1), 0);
	ASSERT_EQ(chdir(b), 0);
	ASSERT_EQ(aa_spawn_find_program("tool", &got), 0);
	ASSERT_STR_EQ(got, "./tool");
	free(got);
	/* A name with a slash is taken as it is, found or not. */
	ASSERT_EQ(aa_spawn_find_program("./no/such", &got), 0);
	ASSERT_STR_EQ(got, "./no/such");
	free(got);

	unlink(make_file(a, "tool", 0644));
	unlink(make_file(b, "tool", 0755));
	unlink(make_file(b, "plain", 0644));
	rmdir(a);
	rmdir(b);
}

TEST(spawn_prepare_argv_and_env)
{
	const char *argv[] = { "/bin/echo", "one", "two", NULL };
	const char *env[] = { "A=1", "TERM=dumb", "B=2", "TERM=vt100", NULL };
	struct aa_spawn_prep pp;

	ASSERT_EQ(aa_spawn_prepare(argv, env, "screen", &pp), 0);
	ASSERT_STR_EQ(pp.path, "/bin/echo");
	ASSERT_STR_EQ(pp.argv[0], "/bin/echo");
	ASSERT_STR_EQ(pp.argv[2], "two");
	ASSERT_NULL(pp.argv[3]);
	/* The ENOEXEC fallback: sh PATH args. */
	ASSERT_STR_EQ(pp.shargv[0], "sh");
	ASSERT_STR_EQ(pp.shargv[1], "/bin/echo");
	ASSERT_STR_EQ(pp.shargv[2], "one");
	ASSERT_STR_EQ(pp.shargv[3], "two");
	ASSERT_NULL(pp.shargv[4]);
	/* Every TERM of env gives way to ours, once, at the end. */
	ASSERT_STR_EQ(pp.envp[0], "A=1");
	ASSERT_STR_EQ(pp.envp[1], "B=2");
	ASSERT_STR_EQ(pp.envp[2], "TERM=screen");
	ASSERT_NULL(pp.envp[3]);
	aa_spawn_release(&pp);

	ASSERT_EQ(aa_spawn_prepare(argv, env, NULL, &pp), 0);
	ASSERT_STR_EQ(pp.envp[2], "TERM=" AA_SPAWN_DEFAULT_TERM);
	aa_spawn_release(&pp);
}

TEST(spawn_prepare_uses_environ)
{
	const char *argv[] = { "/bin/true", NULL };
	struct aa_spawn_prep pp;
	size_t i;
	int seen = 0, terms = 0;

	ASSERT_EQ(setenv("SPAWN_TEST_VAR", "yes", 1), 0);
	ASSERT_EQ(setenv("TERM", "dumb", 1), 0);
	ASSERT_EQ(aa_spawn_prepare(argv, NULL, "xterm", &pp), 0);
	for (i = 0; pp.envp[i] != NULL; i++) {
		seen += strcmp(pp.envp[i], "SPAWN_TEST_VAR=yes") == 0;
		terms += strncmp(pp.envp[i], "TERM=", 5) == 0;
	}
	ASSERT_EQ(seen, 1);
	ASSERT_EQ(terms, 1);
	ASSERT_STR_EQ(pp.envp[i - 1], "TERM=xterm");
	aa_spawn_release(&pp);
}

/* A program that is not there fails before any fork, and release is
 * safe after a failed prepare. */
TEST(spawn_prepare_not_found)
{
	const char *argv[] = { "no-such-agent-anywhere", NULL };
	struct aa_spawn_prep pp;

	ASSERT_EQ(setenv("PATH", "/nonexistent-dir", 1), 0);
	ASSERT_EQ(aa_spawn_prepare(argv, NULL, NULL, &pp), AA_ENOENT);
	ASSERT_NULL(pp.path);
	aa_spawn_release(&pp);
}
