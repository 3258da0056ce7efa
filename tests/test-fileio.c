/*
 * test-fileio.c - aa_file: crash-safe replacement, and the shared-directory
 * attacks of issue 17 ("State temp file"): another user's symlink or 0666
 * file at the old "<state>.tmp" name, a link at the target or the journal,
 * someone else's journal.  Run as root, "another user" is made real with
 * chown to nobody; otherwise those parts are skipped.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "test.h"

#include "agentapi.h"
#include "base/fileio.h"

#define NOBODY 65534

/* A fresh directory for one case, world-writable like /tmp. */
static void
tmpdir(char *out, size_t n)
{
	const char *base = getenv("TMPDIR");

	snprintf(out, n, "%s/aa-fileio-XXXXXX", base ? base : "/tmp");
	ASSERT_NOT_NULL(mkdtemp(out));
	ASSERT_EQ(chmod(out, 01777), 0);
}

/* Writes s to path with mode (the umask cleared for it). */
static void
put(const char *path, const char *s, mode_t mode)
{
	mode_t old = umask(0);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	umask(old);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	ASSERT_EQ(close(fd), 0);
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

/* Asserts path is a regular file of ours with mode 0600. */
static void
ours_0600(const char *path)
{
	struct stat sb;

	ASSERT_EQ(lstat(path, &sb), 0);
	ASSERT(S_ISREG(sb.st_mode));
	ASSERT_EQ(sb.st_mode & 07777, 0600);
	ASSERT_EQ(sb.st_uid, geteuid());
}

/* Counts the entries of dir other than . and .. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ASSERT_NOT_NULL(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

TEST(replace_does_not_follow_a_symlink_at_the_old_tmp_name)
{
	char dir[256], path[300], tmp[320], victim[300];
	struct stat sb;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put(victim, "precious\n", 0644);
	ASSERT_EQ(symlink(victim, tmp), 0);
	/* Planted by another user, as in the attack. */
	if (geteuid() == 0)
		ASSERT_EQ(lchown(tmp, NOBODY, NOBODY), 0);
	ASSERT_EQ(aa_file_replace(path, "conversation\n", 13), 0);
	holds(victim, "precious\n");
	holds(path, "conversation\n");
	ours_0600(path);
	/* The link is left as it was, and no temporary file is left. */
	ASSERT_EQ(lstat(tmp, &sb), 0);
	ASSERT(S_ISLNK(sb.st_mode));
	ASSERT_EQ(entries(dir), 3);
}

TEST(replace_does_not_adopt_a_precreated_0666_tmp_file)
{
	char dir[256], path[300], tmp[320];
	struct stat pre, sb;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	put(tmp, "planted", 0666);
	if (geteuid() == 0)
		ASSERT_EQ(chown(tmp, NOBODY, NOBODY), 0);
	ASSERT_EQ(stat(tmp, &pre), 0);
	ASSERT_EQ(aa_file_replace(path, "mine", 4), 0);
	holds(path, "mine");
	ours_0600(path);
	ASSERT_EQ(stat(path, &sb), 0);
	ASSERT_NE(sb.st_ino, pre.st_ino);
	holds(tmp, "planted");
	ASSERT_EQ(entries(dir), 2);
}

TEST(replace_is_0600_whatever_the_umask_and_replaces_a_target_link)
{
	char dir[256], path[300], victim[300];
	mode_t old;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put(victim, "precious\n", 0644);
	ASSERT_EQ(symlink(victim, path), 0);
	old = umask(0);
	ASSERT_EQ(aa_file_replace(path, "x", 1), 0);
	umask(old);
	/* The link itself is replaced; its target is not written. */
	holds(victim, "precious\n");
	ours_0600(path);
	holds(path, "x");
}

TEST(write_tmp_names_are_fresh_exclusive_and_0600)
{
	char dir[256], path[300];
	char *a = NULL, *b = NULL;
	const char *op = NULL;
	size_t n;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/p", dir);
	ASSERT_EQ(aa_file_write_tmp(path, "1", 1, &a, &op), 0);
	ASSERT_EQ(aa_file_write_tmp(path, "2", 1, &b, &op), 0);
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ASSERT(strcmp(a, b) != 0);
	n = strlen(path);
	/* "<path>.<16 hex>.tmp" */
	ASSERT_EQ(strlen(a), n + 1 + 16 + 4);
	ASSERT(strncmp(a, path, n) == 0 && a[n] == '.');
	ASSERT_EQ(strspn(a + n + 1, "0123456789abcdef"), 16);
	ASSERT_STR_EQ(a + n + 17, ".tmp");
	ours_0600(a);
	holds(a, "1");
	holds(b, "2");
	free(a);
	free(b);
	/* A directory that does not exist: nothing made, the step named. */
	snprintf(path, sizeof(path), "%s/missing/p", dir);
	ASSERT_EQ(aa_file_write_tmp(path, "1", 1, &a, &op), AA_ENOENT);
	ASSERT_NULL(a);
	ASSERT_STR_EQ(op, "open");
}

TEST(mkdirs_and_failures)
{
	char dir[256], path[400];
	struct stat sb;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/a/b//c", dir);
	ASSERT_EQ(aa_file_mkdirs(path), 0);
	ASSERT_EQ(stat(path, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0700);
	ASSERT_EQ(aa_file_mkdirs(path), 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	put(path, "", 0600);
	ASSERT_EQ(aa_file_mkdirs(path), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/f/g/s.json", dir);
	ASSERT_EQ(aa_file_replace(path, "x", 1), -ENOTDIR);
	ASSERT_EQ(aa_file_replace("", "x", 1), AA_EINVAL);
}

TEST(open_append_refuses_links_and_other_users_files)
{
	char dir[256], path[300], victim[300];
	struct aa_buf b;
	struct stat sb;
	int fd;

	tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/s.json.journal", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put(victim, "precious\n", 0644);
	ASSERT_EQ(symlink(victim, path), 0);
	ASSERT_EQ(aa_file_open_append(path), -ELOOP);
	aa_buf_init(&b);
	ASSERT_EQ(aa_file_read_own(path, 100, &b), -ELOOP);
	ASSERT_EQ(aa_file_remove_own(path), -EPERM);
	holds(victim, "precious\n");
	ASSERT_EQ(unlink(path), 0);
	/* Ours but world-readable: taken back to 0600. */
	put(path, "old\n", 0666);
	fd = aa_file_open_append(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "new\n", 4), 4);
	close(fd);
	ours_0600(path);
	holds(path, "old\nnew\n");
	ASSERT_EQ(aa_file_read_own(path, 100, &b), 0);
	ASSERT_EQ(b.len, 8);
	ASSERT_EQ(aa_file_read_own(path, 4, &b), AA_E2BIG);
	ASSERT_EQ(truncate(path, 4), 0);
	if (geteuid() != 0) {
		aa_buf_release(&b);
		test_skip("chown to another user needs root");
	}
	ASSERT_EQ(chown(path, NOBODY, NOBODY), 0);
	ASSERT_EQ(aa_file_open_append(path), -EPERM);
	ASSERT_EQ(aa_file_read_own(path, 100, &b), -EPERM);
	ASSERT_EQ(aa_file_remove_own(path), -EPERM);
	ASSERT_EQ(stat(path, &sb), 0);
	ASSERT_EQ(sb.st_size, 4);
	ASSERT_EQ(chown(path, 0, 0), 0);
	ASSERT_EQ(aa_file_remove_own(path), 0);
	ASSERT_EQ(access(path, F_OK), -1);
	ASSERT_EQ(aa_file_remove_own(path), 0);
	aa_buf_release(&b);
}

TEST(strerror_gives_the_systems_reason)
{
	ASSERT_STR_EQ(aa_strerror(-ENOSPC), "no space left on device");
	ASSERT_STR_EQ(aa_strerror(-EROFS), "read-only file system");
	ASSERT_STR_EQ(aa_strerror(-EACCES), "permission denied");
	ASSERT_STR_EQ(aa_strerror(-ENOTDIR), "not a directory");
	/* Any other errno still gets words, not "unknown error". */
	ASSERT(strcmp(aa_strerror(-ENOTCONN), "unknown error") != 0);
	ASSERT_STR_EQ(aa_strerror(-99999), "unknown error");
	ASSERT_STR_EQ(aa_strerror(AA_EBUSY), "message can only be sent when "
	    "the agent is waiting for user input");
}

TEST(remove_tmps_takes_only_our_leftovers)
{
	char dir[256], a[400], b[400], c[400], d[400], e[400], f[400];

	tmpdir(dir, sizeof(dir));
	snprintf(a, sizeof(a), "%s/s.json.0123456789abcdef.tmp", dir);
	snprintf(b, sizeof(b), "%s/s.json.fedcba9876543210.tmp", dir);
	snprintf(c, sizeof(c), "%s/s.json.tmp", dir);
	snprintf(d, sizeof(d), "%s/t.json.0123456789abcdef.tmp", dir);
	snprintf(e, sizeof(e), "%s/s.json.0123456789ABCDEF.tmp", dir);
	snprintf(f, sizeof(f), "%s/s.json.1111111111111111.tmp", dir);
	put(a, "crash", 0600);
	ASSERT_EQ(symlink(a, b), 0);	/* a link: left alone */
	put(c, "x", 0600);
	put(d, "x", 0600);
	put(e, "x", 0600);
	put(f, "x", 0600);
	if (geteuid() == 0)
		ASSERT_EQ(chown(f, NOBODY, NOBODY), 0);
	snprintf(c, sizeof(c), "%s/s.json", dir);
	ASSERT_EQ(aa_file_remove_tmps(c), geteuid() == 0 ? 1 : 2);
	ASSERT_EQ(access(a, F_OK), -1);
	ASSERT_EQ(entries(dir), geteuid() == 0 ? 5 : 4);
}
