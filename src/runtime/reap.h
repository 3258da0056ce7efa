/*
 * reap.h - stopping what is left of an agent's session.
 *
 * An agent's session outlives it in children that ignore SIGHUP and
 * SIGTERM: in its process group, in groups of their own, or even in a
 * session of their own while they hold its terminal's slave.  This module
 * finds them (in /proc on Linux; elsewhere the process group alone) and
 * signals them, and it holds the escalation a stop follows: SIGHUP,
 * SIGTERM and SIGCONT first, SIGKILL AA_REAP_TERM_MS later, and giving up
 * AA_REAP_KILL_MS after that.
 *
 * The parts that only read text or time are pure (aa_reap_parse_stat,
 * aa_reap_in_session, aa_reap_stop_next/_over) and are tested without
 * spawning anything; aa_reap_signal is the one that looks and kills.
 * The PTY (runtime/pty.h) drives it from its timers; the clock is its.
 */
#ifndef AA_REAP_H
#define AA_REAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long leftovers get between SIGTERM and SIGKILL, and how long we
 * wait for SIGKILL to work before giving up on them. */
#define AA_REAP_TERM_MS 250u
#define AA_REAP_KILL_MS 1000u

/* The agent's terminal, to find who holds it.  The file counts, not only
 * its name: another devpts instance (a container's) has a /dev/pts/N of
 * its own. */
struct aa_reap_slave {
	char path[64];
	dev_t dev;
	ino_t ino;
};

/* What /proc/PID/stat says about a process, as far as we need it. */
struct aa_reap_stat {
	char state; /* 'R', 'S', ... 'Z' (zombie), 'X' (dead) */
	long pgrp;
	long sid;
};

/* Where a stop is: zero-initialised means not started. */
struct aa_reap_stop {
	int step; /* 0, 1 after the SIGTERM, 2 after the SIGKILL */
	uint64_t deadline; /* of the current step */
};

/* What a stop does on this turn. */
enum aa_reap_do {
	AA_REAP_LOOK, /* signal nobody, only count */
	AA_REAP_TERM, /* SIGHUP, SIGTERM and SIGCONT */
	AA_REAP_KILL  /* SIGKILL */
};

/*
 * Parses the text of /proc/PID/stat ("pid (comm) state ppid pgrp session
 * ..."; comm may hold anything, parentheses and blanks too).  Returns 0,
 * or AA_EINVAL when text is not such a line.
 */
int aa_reap_parse_stat(const char *text, struct aa_reap_stat *st);
/* True when st is a live process of leader's session or process group. */
int aa_reap_in_session(const struct aa_reap_stat *st, pid_t leader);
/* The 0-terminated signals that what means. */
const int *aa_reap_signals(enum aa_reap_do what);

/*
 * Sends each of sigs (0-terminated; none: only count) to every live
 * process of leader's session: its process group, every process whose
 * session id is leader, and, when held is not NULL (somebody still holds
 * that slave), whoever holds it, even from a session of its own.  Our
 * own process is spared.  Returns how many there were.  Where /proc
 * cannot be read, the process group alone (1 while it has members).
 */
int aa_reap_signal(pid_t leader, const struct aa_reap_slave *held,
    const int *sigs);
/* True when process pid has an fd open on slave (read from /proc). */
int aa_reap_holds(pid_t pid, const struct aa_reap_slave *slave);

/*
 * The stop's next turn at now (ms): AA_REAP_TERM on the first call,
 * AA_REAP_KILL once AA_REAP_TERM_MS have passed since, else
 * AA_REAP_LOOK.  Advances s.
 */
enum aa_reap_do aa_reap_stop_next(struct aa_reap_stop *s, uint64_t now);
/* True once AA_REAP_KILL_MS have passed since the SIGKILL: give up. */
int aa_reap_stop_over(const struct aa_reap_stop *s, uint64_t now);

#endif /* AA_REAP_H */
