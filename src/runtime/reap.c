/*
 * reap.c - find what is left of an agent's session and stop it.
 *
 * The terminal hangs up and the agent exits, yet its session can live
 * on: a child that ignores SIGHUP and SIGTERM, in the agent's process
 * group or in a group of its own, or a daemon that called setsid() but
 * still holds the slave.  Signalling the process group, as tmux and ttyd
 * do, misses all but the first, so we read /proc: every process whose
 * group or session id is the agent's pid, and, while the slave is held,
 * every process with an fd on it.
 *
 * The agent's pid names its session and group; Linux keeps that number
 * from being reused while any member lives, so a match is one of ours.
 * A process that holds the slave from a session of its own is ours by
 * the file it holds, compared by device and inode, not by name.
 *
 * Reading /proc is cheap and never blocks on another file system: only
 * links whose text names our slave are followed (stat).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentapi.h"
#include "runtime/reap.h"

static int reap_read_stat(pid_t pid, struct aa_reap_stat *st);
static void reap_send(pid_t pid, const int *sigs);

/* Parses "pid (comm) state ppid pgrp session ..." from comm's last ')'. */
int
aa_reap_parse_stat(const char *text, struct aa_reap_stat *st)
{
	const char *c;

	if (text == NULL || st == NULL)
		return AA_EINVAL;
	/* comm may hold anything, ')' too: parse from its last ')'. */
	if ((c = strrchr(text, ')')) == NULL ||
	    sscanf(c + 1, " %c %*d %ld %ld", &st->state, &st->pgrp,
	    &st->sid) != 3)
		return AA_EINVAL;
	return 0;
}

/* A zombie or a dead process is past signals; its parent reaps it. */
int
aa_reap_in_session(const struct aa_reap_stat *st, pid_t leader)
{
	if (st->state == 'Z' || st->state == 'X')
		return 0;
	return st->sid == (long)leader || st->pgrp == (long)leader;
}

/* The signal lists of the stop's steps. */
const int *
aa_reap_signals(enum aa_reap_do what)
{
	static const int term[] = { SIGHUP, SIGTERM, SIGCONT, 0 };
	static const int kill9[] = { SIGKILL, 0 };
	static const int none[] = { 0 };

	switch (what) {
	case AA_REAP_TERM:
		return term;
	case AA_REAP_KILL:
		return kill9;
	case AA_REAP_LOOK:
		break;
	}
	return none;
}

/* Reads and parses /proc/PID/stat; AA_ENOENT when it is gone. */
static int
reap_read_stat(pid_t pid, struct aa_reap_stat *st)
{
	char path[32], text[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return AA_ENOENT;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return AA_ENOENT;
	text[n] = '\0';
	return aa_reap_parse_stat(text, st);
}

/* Sends every signal of sigs to pid (a negative pid: a group). */
static void
reap_send(pid_t pid, const int *sigs)
{
	int i;

	for (i = 0; sigs[i] != 0; i++)
		(void)kill(pid, sigs[i]);
}

/*
 * True when process pid (a /proc entry) has an fd on slave.  Only links
 * whose text names the slave are followed (stat), so a hung file system
 * elsewhere cannot block us, and the file must be the same: the same name
 * in another devpts instance is another terminal.
 */
int
aa_reap_holds(pid_t pid, const struct aa_reap_slave *slave)
{
	char dir[32], path[300], link[sizeof(slave->path)];
	struct dirent *e;
	struct stat sb;
	ssize_t n;
	DIR *d;
	int found = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	if ((d = opendir(dir)) == NULL)
		return 0; /* gone, or not ours to look at */
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0 || (size_t)n >= sizeof(link) - 1)
			continue;
		link[n] = '\0';
		found = strcmp(link, slave->path) == 0 &&
		    stat(path, &sb) == 0 && S_ISCHR(sb.st_mode) &&
		    sb.st_dev == slave->dev && sb.st_ino == slave->ino;
	}
	closedir(d);
	return found;
}

/* Scans /proc for leader's session (see reap.h); the group last. */
int
aa_reap_signal(pid_t leader, const struct aa_reap_slave *held,
    const int *sigs)
{
	struct aa_reap_stat st;
	struct dirent *e;
	pid_t pid, self = getpid();
	int count = 0, match;
	DIR *d;

	if ((d = opendir("/proc")) == NULL) {
		reap_send(-leader, sigs);
		return kill(-leader, 0) == 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)strtol(e->d_name, NULL, 10);
		if (pid == self || pid <= 1)
			continue;
		if (reap_read_stat(pid, &st) != 0)
			continue;
		if (st.state == 'Z' || st.state == 'X')
			continue; /* dead; its parent reaps it */
		match = aa_reap_in_session(&st, leader);
		if (!match && held != NULL)
			match = aa_reap_holds(pid, held);
		if (!match)
			continue;
		count++;
		reap_send(pid, sigs);
	}
	closedir(d);
	/* And the group, which /proc showed us already: after the scan, so
	 * that what it kills is counted too. */
	reap_send(-leader, sigs);
	return count;
}

/* SIGTERM first, SIGKILL when its time is up, else only look. */
enum aa_reap_do
aa_reap_stop_next(struct aa_reap_stop *s, uint64_t now)
{
	if (s->step == 0) {
		s->step = 1;
		s->deadline = now + AA_REAP_TERM_MS;
		return AA_REAP_TERM;
	}
	if (s->step == 1 && now >= s->deadline) {
		s->step = 2;
		s->deadline = now + AA_REAP_KILL_MS;
		return AA_REAP_KILL;
	}
	return AA_REAP_LOOK;
}

/* Past the SIGKILL's wait: whatever holds on is left behind. */
int
aa_reap_stop_over(const struct aa_reap_stop *s, uint64_t now)
{
	return s->step == 2 && now >= s->deadline;
}
