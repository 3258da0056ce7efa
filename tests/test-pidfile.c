/*
 * test-pidfile.c - aa_pidfile: content, modes, directories, the live /
 * stale / garbage cases of spec/http.md §9.6 with upstream's messages, and
 * removal only by the owner.  Every case works in its own temp directory.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "test.h"

#include "agentapi.h"
#include "prog/pidfile.h"

/* Makes a fresh directory for one case. */
static void
tmpdir(char *out, size_t n)
{
	const char *base = getenv("TMPDIR");

	snprintf(out, n, "%s/aa-pidfile-XXXXXX", base ? base : "/tmp");
	ASSERT_NOT_NULL(mkdtemp(out));
}

/* Writes s to path (helper for the pre-existing file cases). */
static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	ASSERT_NOT_NULL(f);
	ASSERT_EQ(fputs(s, f) >= 0, 1);
	ASSERT_EQ(fclose(f), 0);
}

/* Asserts the file holds exactly want. */
static void
holds(const char *path, const char *want)
{
	char *got = test_read_file(path, NULL);

	ASSERT_NOT_NULL(got);
	ASSERT_STR_EQ(got, want);
	free(got);
}

/* Returns the number of entries in dir other than . and .. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ASSERT_NOT_NULL(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.' || (de->d_name[1] != '\0' &&
		    strcmp(de->d_name, "..") != 0);
	closedir(d);
	return n;
}

/* Returns the pid of a process that has exited and been reaped. */
static pid_t
dead_pid(void)
{
	pid_t p = fork();

	ASSERT_GE(p, 0);
	if (p == 0)
		_exit(0);
	ASSERT_EQ(waitpid(p, NULL, 0), p);
	return p;
}

TEST(pidfile_writes_pid_with_modes)
{
	char dir[256], path[512], want[32], sub[300];
	struct stat sb;
	char *cause = NULL;
	pid_t stale = -1;

	tmpdir(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	snprintf(path, sizeof(path), "%s/agentapi.pid", sub);
	ASSERT_EQ(aa_pidfile_write(path, getpid(), &stale, &cause), 0);
	ASSERT_NULL(cause);
	ASSERT_EQ(stale, 0);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	holds(path, want);
	ASSERT_EQ(stat(path, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0600);
	ASSERT_EQ(stat(sub, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0700);
	/* No temporary file is left beside it. */
	ASSERT_EQ(entries(sub), 1);
}

TEST(pidfile_refuses_live_instance)
{
	char dir[256], path[512], want[1024], other[32];
	char *cause = NULL;
	pid_t parent = getppid();

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/agentapi.pid", dir);
	snprintf(other, sizeof(other), "%ld\n", (long)parent);
	put(path, other);
	ASSERT_EQ(aa_pidfile_write(path, getpid(), NULL, &cause),
	    (-EEXIST));
	snprintf(want, sizeof(want), "failed to write PID file: another "
	    "instance is already running with PID %ld (PID file: %s)",
	    (long)parent, path);
	ASSERT_STR_EQ(cause, want);
	free(cause);
	holds(path, other);
	ASSERT_EQ(entries(dir), 1);
}

TEST(pidfile_refuses_live_instance_with_spaces)
{
	char dir[256], path[512], other[32];
	char *cause = NULL;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/p", dir);
	snprintf(other, sizeof(other), "  %ld \t\n\n", (long)getppid());
	put(path, other);
	ASSERT_EQ(aa_pidfile_write(path, getpid(), NULL, &cause),
	    (-EEXIST));
	free(cause);
}

TEST(pidfile_replaces_stale_pid)
{
	char dir[256], path[512], want[32], old[32];
	char *cause = NULL;
	pid_t stale = 0, dead = dead_pid();

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/agentapi.pid", dir);
	snprintf(old, sizeof(old), "%ld\n", (long)dead);
	put(path, old);
	ASSERT_EQ(aa_pidfile_write(path, getpid(), &stale, &cause), 0);
	ASSERT_EQ(stale, dead);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	holds(path, want);
	ASSERT_EQ(entries(dir), 1);
}

TEST(pidfile_replaces_garbage_and_odd_numbers)
{
	static const char *const contents[] = { "", "abc\n", "12x", "0\n",
	    "-1\n", "99999999999999999999999\n", "\n" };
	char dir[256], path[512], want[32];
	char *cause = NULL;
	size_t i;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/agentapi.pid", dir);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	for (i = 0; i < sizeof(contents) / sizeof(contents[0]); i++) {
		put(path, contents[i]);
		if (aa_pidfile_write(path, getpid(), NULL, &cause) != 0)
			test_fail(__FILE__, __LINE__, "content \"%s\": %s",
			    contents[i], cause);
		holds(path, want);
	}
}

TEST(pidfile_own_pid_is_stale)
{
	char dir[256], path[512], want[32];
	char *cause = NULL;
	pid_t stale = 0;

	/* A container restart can give us the pid of the last run. */
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/agentapi.pid", dir);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	put(path, want);
	ASSERT_EQ(aa_pidfile_write(path, getpid(), &stale, &cause), 0);
	ASSERT_EQ(stale, getpid());
	holds(path, want);
}

TEST(pidfile_read_error_is_reported)
{
	char dir[256], want[600];
	char *cause = NULL;

	/* The path is a directory: reading it fails with EISDIR. */
	tmpdir(dir, sizeof(dir));
	ASSERT_EQ(aa_pidfile_write(dir, getpid(), NULL, &cause), -EISDIR);
	snprintf(want, sizeof(want), "failed to write PID file: failed to "
	    "read existing PID file: read %s: is a directory", dir);
	ASSERT_STR_EQ(cause, want);
	free(cause);
	ASSERT_EQ(entries(dir), 0);
}

TEST(pidfile_directory_error_is_reported)
{
	char dir[256], file[300], path[400], want[600];
	char *cause = NULL;

	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/f", dir);
	put(file, "x");
	snprintf(path, sizeof(path), "%s/sub/agentapi.pid", file);
	ASSERT_EQ(aa_pidfile_write(path, getpid(), NULL, &cause), -ENOTDIR);
	snprintf(want, sizeof(want), "failed to write PID file: failed to "
	    "create PID file directory: mkdir %s/sub: not a directory", file);
	ASSERT_STR_EQ(cause, want);
	free(cause);
}

TEST(pidfile_relative_path)
{
	char dir[256], want[32];
	char *cause = NULL;

	tmpdir(dir, sizeof(dir));
	ASSERT_EQ(chdir(dir), 0);
	ASSERT_EQ(aa_pidfile_write("x.pid", getpid(), NULL, &cause), 0);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	holds("x.pid", want);
	ASSERT_EQ(aa_pidfile_remove("x.pid", getpid(), &cause), 1);
	ASSERT_EQ(entries(dir), 0);
}

TEST(pidfile_bad_arguments)
{
	char *cause = NULL;

	ASSERT_EQ(aa_pidfile_write("", getpid(), NULL, &cause), AA_EINVAL);
	ASSERT_EQ(aa_pidfile_write("/x", 0, NULL, &cause), AA_EINVAL);
	ASSERT_EQ(aa_pidfile_remove(NULL, 1, &cause), AA_EINVAL);
}

TEST(pidfile_remove_only_ours)
{
	char dir[256], path[512], other[32];
	char *cause = NULL;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/agentapi.pid", dir);
	/* Absent: nothing to do. */
	ASSERT_EQ(aa_pidfile_remove(path, getpid(), &cause), 0);
	/* Someone else's (a later instance took over): left alone. */
	snprintf(other, sizeof(other), "%ld\n", (long)getppid());
	put(path, other);
	ASSERT_EQ(aa_pidfile_remove(path, getpid(), &cause), 0);
	holds(path, other);
	put(path, "garbage");
	ASSERT_EQ(aa_pidfile_remove(path, getpid(), &cause), 0);
	ASSERT_EQ(access(path, F_OK), 0);
	/* Ours: removed. */
	ASSERT_EQ(aa_pidfile_write(path, getpid(), NULL, &cause), 0);
	ASSERT_EQ(aa_pidfile_remove(path, getpid(), &cause), 1);
	ASSERT_EQ(access(path, F_OK), -1);
	ASSERT_EQ(entries(dir), 0);
}

TEST(pidfile_concurrent_writers_one_wins)
{
	char dir[256], path[512], res[4];
	pid_t kids[4];
	int i, st, wins = 0, losses = 0, go[2], done[2], hold[2];
	char c;

	/* Four processes race for the same file; one pipe releases them
	 * together, each reports its result on another, and all stay alive
	 * (blocked on a third) until every result is in, so the winner is
	 * alive whenever a loser probes it. */
	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/agentapi.pid", dir);
	ASSERT_EQ(pipe(go), 0);
	ASSERT_EQ(pipe(done), 0);
	ASSERT_EQ(pipe(hold), 0);
	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		ASSERT_GE(kids[i], 0);
		if (kids[i] == 0) {
			char *cause = NULL;
			int rc;

			close(go[1]);
			close(hold[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(3);
			rc = aa_pidfile_write(path, getpid(), NULL, &cause);
			c = rc == 0 ? 'w' : rc == -EEXIST ? 'l' : 'e';
			if (write(done[1], &c, 1) != 1)
				_exit(3);
			/* Hold the PID alive until the parent closes the pipe. */
			_exit(read(hold[0], &c, 1) < 0 ? 3 : 0);
		}
	}
	close(go[0]);
	close(go[1]);
	close(done[1]);
	close(hold[0]);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(read(done[0], &res[i], 1), 1);
	close(hold[1]);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(waitpid(kids[i], &st, 0), kids[i]);
		ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		wins += res[i] == 'w';
		losses += res[i] == 'l';
	}
	close(done[0]);
	ASSERT_EQ(wins, 1);
	ASSERT_EQ(losses, 3);
	ASSERT_EQ(entries(dir), 1);
}
