/*
 * pty.h - aa_pty, an agent process supervised under a pseudo-terminal.
 *
 * aa_pty_spawn opens a PTY pair, forks, makes the slave the child's
 * controlling terminal and executes argv.  The parent reads the master
 * with a uv_poll_t and its own read() loop (libuv 1.44's stream reads lose
 * the last bytes after POLLHUP, ../shared/spec/deps.md §1), writes through
 * a bounded queue that never blocks, and reaps the child from a SIGCHLD
 * watcher on the loop with waitpid() on its own pid only.
 *
 * Life cycle: RUNNING until the child exits (EXITED) or its output ends
 * (OUTPUT_ENDED); DRAINED once both have happened, or the drain grace
 * after the last output when a grandchild keeps the slave open; CLOSED
 * after aa_pty_close.  on_data is never called after on_exit, and on_exit
 * is called exactly once, so the agent's last screen is never lost
 * (STYLE.md habit 11).
 *
 * The end of output is EIO on the master, believed only after two empty
 * re-reads 20 ms apart: Linux says EIO under load while output is still
 * queued.  A child whose output ended (it closed every slave fd) but that
 * runs on is gone for us: it gets SIGHUP and SIGTERM at once and SIGKILL
 * 250 ms later, and on_exit reports how it ended.
 *
 * The program must ignore SIGPIPE itself; the child gets every signal
 * disposition reset to the default and an empty signal mask.
 */
#ifndef AA_PTY_H
#define AA_PTY_H

#include <stddef.h>

#include <uv.h>

#include "agentapi.h"
#include "base/log.h"

/* The write queue's bound: aa_pty_write fails with AA_E2BIG beyond it. */
#define AA_PTY_WRITE_QUEUE_MAX (4u << 20)
/* How long output is still read after the child exits, by default. */
#define AA_PTY_DRAIN_GRACE_MS 1000u

struct aa_pty;

struct aa_pty_options {
	int version; /* reserved, 0 */
	/* argv[0] is looked up in the server's PATH (execvp rules). */
	const char *const *argv;
	/* The child's whole environment; NULL means the parent's environ. */
	const char *const *env;
	/* TERM for the child, replacing any in env; NULL: "xterm-256color". */
	const char *term;
	/* Window size set before the child starts; 0 means 80x24. */
	unsigned cols, rows;
	/* Output bytes as read from the master. */
	void (*on_data)(void *ud, const char *buf, size_t n);
	/* Once, after both exit and end of output (or the drain grace). */
	void (*on_exit)(void *ud, int wait_status);
	void *ud;
	/* Drain grace after the exit in ms; 0 means AA_PTY_DRAIN_GRACE_MS. */
	unsigned drain_grace_ms;
	/* Where the lines about stopping processes go; NULL: nowhere. */
	const struct aa_log *log;
	/* The child's working directory; NULL: ours.  argv[0] is still
	 * resolved from ours. */
	const char *cwd;
};

/*
 * Starts o->argv under a new PTY on loop.  Exec failures are reported
 * here, synchronously: AA_ENOENT with *cause set to
 * "agent \"NAME\" not found in PATH", or another code with its text.
 * *cause (if cause is not NULL) is malloc'd and the caller frees it.
 */
int aa_pty_spawn(uv_loop_t *loop, struct aa_pty **out,
    const struct aa_pty_options *o, char **cause);
/*
 * Writes input to the agent without blocking: what the kernel does not
 * take now is queued (up to AA_PTY_WRITE_QUEUE_MAX, else AA_E2BIG and
 * nothing is written) and flushed when the master becomes writable.
 * AA_EEXITED once the terminal has hung up.
 */
int aa_pty_write(struct aa_pty *p, const void *data, size_t n);
/* Returns how many input bytes wait in the write queue. */
size_t aa_pty_write_queued(const struct aa_pty *p);
/* Sets the window size (TIOCSWINSZ); the kernel sends SIGWINCH. */
int aa_pty_resize(struct aa_pty *p, unsigned cols, unsigned rows);
/* Sends sig to the child's process group (also after the child exited);
 * aa_pty_close reaches the rest of the session. */
int aa_pty_kill(struct aa_pty *p, int sig);
/* Sends sig to the child alone; -ESRCH once it has been reaped. */
int aa_pty_kill_pid(struct aa_pty *p, int sig);
/* Returns the child's pid. */
int aa_pty_pid(const struct aa_pty *p);
/* Returns non-zero once the child has been reaped. */
int aa_pty_exited(const struct aa_pty *p);
/* Returns non-zero once on_exit has been called. */
int aa_pty_drained(const struct aa_pty *p);
/* Returns the wait status after the child was reaped, else -1. */
int aa_pty_wait_status(const struct aa_pty *p);
/*
 * Stops all callbacks, stops what is left of the agent's session, closes
 * the handles and frees p in the last close_cb, then calls closed(ud)
 * (closed may be NULL).  What is left: the child if it still runs, its
 * process group, every process of its session (groups of their own
 * too), and whoever holds the slave even from a session of its own
 * (found in /proc on Linux; elsewhere the group alone).  They get
 * SIGHUP, SIGTERM and SIGCONT, then SIGKILL 250 ms later; closed is
 * called once none is left (at once when there was none, at most about
 * 1.3 s later).  Callers normally wait for on_exit first.  Safe to call
 * from inside on_data or on_exit.
 */
void aa_pty_close(struct aa_pty *p, void (*closed)(void *ud));

#endif /* AA_PTY_H */
