/*
 * test-reap.c - reap: /proc/PID/stat parsing (a comm with parentheses and
 * blanks), who belongs to a session, the stop's steps in time, and, with
 * real processes, finding the stragglers of a session: in a group of
 * their own, and holding the slave from a session of their own.
 */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agentapi.h"
#include "runtime/reap.h"

/* How long a test waits for SIGKILL to show in /proc. */
#define GONE_MS 5000

TEST(reap_parse_stat)
{
	struct aa_reap_stat st;

	ASSERT_EQ(aa_reap_parse_stat("42 (sh) S 1 40 39 34816 42 4194560 "
	    "123 0 0 0\n", &st), 0);
	ASSERT_EQ(st.state, 'S');
	ASSERT_EQ(st.pgrp, 40);
	ASSERT_EQ(st.sid, 39);
	/* comm is whatever the process named itself: the last ')' counts. */
	ASSERT_EQ(aa_reap_parse_stat("7 (a) Z 9 9 (x) ) R 1 77 78 0\n", &st),
	    0);
	ASSERT_EQ(st.state, 'R');
	ASSERT_EQ(st.pgrp, 77);
	ASSERT_EQ(st.sid, 78);
	ASSERT_EQ(aa_reap_parse_stat("8 (we ird 1 2 3) Z 1 5 6", &st), 0);
	ASSERT_EQ(st.state, 'Z');
	ASSERT_EQ(st.sid, 6);
	/* Not such a line. */
	ASSERT_EQ(aa_reap_parse_stat("", &st), AA_EINVAL);
	ASSERT_EQ(aa_reap_parse_stat("42 sh S 1 40 39", &st), AA_EINVAL);
	ASSERT_EQ(aa_reap_parse_stat("42 (sh)", &st), AA_EINVAL);
	ASSERT_EQ(aa_reap_parse_stat("42 (sh) S 1 40", &st), AA_EINVAL);
	ASSERT_EQ(aa_reap_parse_stat("42 (sh) S 1 x 39", &st), AA_EINVAL);
	ASSERT_EQ(aa_reap_parse_stat(NULL, &st), AA_EINVAL);
}

TEST(reap_in_session)
{
	struct aa_reap_stat st = { 'S', 100, 200 };

	ASSERT(aa_reap_in_session(&st, 100)); /* its group */
	ASSERT(aa_reap_in_session(&st, 200)); /* its session */
	ASSERT(!aa_reap_in_session(&st, 300));
	/* The dead are past signals, wherever they belong. */
	st.state = 'Z';
	ASSERT(!aa_reap_in_session(&st, 200));
	st.state = 'X';
	ASSERT(!aa_reap_in_session(&st, 100));
}

TEST(reap_signal_lists)
{
	const int *s;

	s = aa_reap_signals(AA_REAP_TERM);
	ASSERT_EQ(s[0], SIGHUP);
	ASSERT_EQ(s[1], SIGTERM);
	ASSERT_EQ(s[2], SIGCONT);
	ASSERT_EQ(s[3], 0);
	s = aa_reap_signals(AA_REAP_KILL);
	ASSERT_EQ(s[0], SIGKILL);
	ASSERT_EQ(s[1], 0);
	ASSERT_EQ(aa_reap_signals(AA_REAP_LOOK)[0], 0);
}

/* SIGTERM at once, SIGKILL AA_REAP_TERM_MS later, over AA_REAP_KILL_MS
 * after that; in between only looks. */
TEST(reap_stop_steps)
{
	struct aa_reap_stop s = { 0, 0 };

	ASSERT(!aa_reap_stop_over(&s, 1000));
	ASSERT_EQ(aa_reap_stop_next(&s, 1000), AA_REAP_TERM);
	ASSERT(!aa_reap_stop_over(&s, 1000));
	ASSERT_EQ(aa_reap_stop_next(&s, 1025), AA_REAP_LOOK);
	ASSERT_EQ(aa_reap_stop_next(&s, 1000 + AA_REAP_TERM_MS - 1),
	    AA_REAP_LOOK);
	ASSERT(!aa_reap_stop_over(&s, 1000 + AA_REAP_TERM_MS + 5000));
	/* A late tick still sends SIGKILL once, and its wait starts then. */
	ASSERT_EQ(aa_reap_stop_next(&s, 1300), AA_REAP_KILL);
	ASSERT(!aa_reap_stop_over(&s, 1300));
	ASSERT_EQ(aa_reap_stop_next(&s, 1325), AA_REAP_LOOK);
	ASSERT(!aa_reap_stop_over(&s, 1300 + AA_REAP_KILL_MS - 1));
	ASSERT(aa_reap_stop_over(&s, 1300 + AA_REAP_KILL_MS));
	ASSERT_EQ(aa_reap_stop_next(&s, 1300 + AA_REAP_KILL_MS),
	    AA_REAP_LOOK);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A process that only HUP/TERM cannot stop: it waits for SIGKILL. */
static void
stubborn(void)
{
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
}

/* Counts leader's session (held: also the slave's holders) until it is
 * empty or GONE_MS pass; returns the last count. */
static int
wait_empty(pid_t leader, const struct aa_reap_slave *held)
{
	uint64_t end = now_ms() + GONE_MS;
	int left;

	while ((left = aa_reap_signal(leader, held,
	    aa_reap_signals(AA_REAP_LOOK))) > 0 && now_ms() < end)
		usleep(10 * 1000);
	return left;
}

/*
 * The agent leads a session; its child moves to a group of its own, and
 * both ignore SIGHUP and SIGTERM.  The group alone would miss the child;
 * the session finds both, and SIGKILL stops both.
 */
TEST(reap_signal_finds_the_session)
{
	int ready[2], st;
	pid_t leader, sub;
	char c;

	ASSERT_EQ(pipe(ready), 0);
	if ((leader = fork()) == 0) {
		stubborn();
		(void)setsid();
		if ((sub = fork()) == 0) {
			(void)setpgid(0, 0);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		for (;;)
			pause();
	}
	ASSERT_GT(leader, 0);
	close(ready[1]);
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	ASSERT_EQ(aa_reap_signal(leader, NULL, aa_reap_signals(AA_REAP_LOOK)),
	    2);
	/* They ignore the polite signals; the count does not change. */
	ASSERT_EQ(aa_reap_signal(leader, NULL, aa_reap_signals(AA_REAP_TERM)),
	    2);
	usleep(50 * 1000);
	ASSERT_EQ(aa_reap_signal(leader, NULL, aa_reap_signals(AA_REAP_LOOK)),
	    2);
	ASSERT_EQ(aa_reap_signal(leader, NULL, aa_reap_signals(AA_REAP_KILL)),
	    2);
	ASSERT_EQ(waitpid(leader, &st, 0), leader);
	ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ASSERT_EQ(wait_empty(leader, NULL), 0);
}

/*
 * A daemon in a session of its own still holds the agent's slave: it is
 * found by the file it holds, only while the slave is said to be held,
 * and only when the file is the same (device and inode), not the name.
 */
TEST(reap_signal_finds_the_slave_holder)
{
	struct aa_reap_slave sl, other;
	int m, s, ready[2], st;
	pid_t leader, holder;
	struct stat sb;
	char c;

	ASSERT((m = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
	ASSERT_EQ(grantpt(m), 0);
	ASSERT_EQ(unlockpt(m), 0);
	ASSERT_EQ(ptsname_r(m, sl.path, sizeof(sl.path)), 0);
	ASSERT((s = open(sl.path, O_RDWR | O_NOCTTY)) >= 0);
	ASSERT_EQ(fstat(s, &sb), 0);
	sl.dev = sb.st_dev;
	sl.ino = sb.st_ino;
	ASSERT_EQ(pipe(ready), 0);
	if ((holder = fork()) == 0) {
		stubborn();
		(void)setsid();
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if ((leader = fork()) == 0) {
		close(s);
		stubborn();
		(void)setsid();
		if (write(ready[1], "y", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_GT(holder, 0);
	ASSERT_GT(leader, 0);
	close(ready[1]);
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	ASSERT_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);

	ASSERT(aa_reap_holds(holder, &sl));
	ASSERT(!aa_reap_holds(leader, &sl));
	other = sl;
	other.ino++;
	ASSERT(!aa_reap_holds(holder, &other));
	ASSERT_EQ(aa_reap_signal(leader, NULL, aa_reap_signals(AA_REAP_LOOK)),
	    1);
	ASSERT_EQ(aa_reap_signal(leader, &other,
	    aa_reap_signals(AA_REAP_LOOK)), 1);
	/* We hold the slave too, and are spared. */
	ASSERT_EQ(aa_reap_signal(leader, &sl, aa_reap_signals(AA_REAP_LOOK)),
	    2);
	ASSERT_EQ(aa_reap_signal(leader, &sl, aa_reap_signals(AA_REAP_KILL)),
	    2);
	ASSERT_EQ(waitpid(holder, &st, 0), holder);
	ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ASSERT_EQ(waitpid(leader, &st, 0), leader);
	ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ASSERT_EQ(wait_empty(leader, &sl), 0);
	close(s);
	close(m);
}
