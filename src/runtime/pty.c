/*
 * pty.c - aa_pty: spawn an agent under a PTY and supervise it on the loop.
 *
 * Spawning follows libuv's uv__spawn_and_init_child and tmux's job_run:
 * everything the child needs (program path, argv for a /bin/sh fallback,
 * envp with TERM) is prepared before the fork, because after it only
 * async-signal-safe calls are allowed; runtime/spawn.c prepares it and is
 * the child's side.  The fork is a vfork (pty_vfork says why).  Signals
 * are blocked across it so that no inherited handler (libuv's writes to
 * the loop's signal pipe) runs in the child before its dispositions are
 * reset.  An exec failure travels back through a CLOEXEC pipe as an
 * errno value, so aa_pty_spawn can fail synchronously instead of handing
 * back a child that dies at once.
 *
 * Supervision follows tmux's job.c: the object is finished only once both
 * the child has been reaped (SIGCHLD on the loop, waitpid on our pid) and
 * the master has reported the end of output (EIO on Linux, or 0).  SIGCHLD
 * and EIO arrive in either order.  A grandchild that keeps the slave open
 * delays EIO without bound, so after the exit a grace timer caps the wait.
 *
 * EIO is not believed at once.  Under CPU contention Linux answers read()
 * with EIO while part of the child's last output still waits in the tty
 * layer, and a read a few ms later returns it (issue 17: 6 runs in 119,800
 * lost up to 7 KB).  So the first EIO only "hangs up" the master: we stop
 * polling it (POLLHUP would fire without end), re-read it every
 * PTY_HUP_REREAD_MS, and believe the end after PTY_HUP_EMPTY_READS empty
 * re-reads in a row.  A normal exit is reported that much later.
 *
 * The terminal is the agent's only channel to us.  A child that closes it
 * (every slave fd) but keeps running is gone for us, so it is stopped:
 * SIGHUP and SIGTERM, SIGKILL 250 ms later, and its exit is reported
 * as usual; until then writes fail with AA_EEXITED.  And the
 * agent's session outlives it in children that ignore SIGHUP and SIGTERM
 * (in its process group, in groups of their own, or even in a session of
 * their own while they hold the slave), so aa_pty_close stops whatever is
 * left of it before it reports the close; runtime/reap.c finds it and
 * holds the steps of that stop.
 *
 * Invariants: on_data is never called after on_exit; on_exit is called at
 * most once; the object is freed only in the last close_cb (libuv's rule),
 * so aa_pty_close may be called from inside any of our callbacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "runtime/pty.h"
#include "runtime/reap.h"
#include "runtime/spawn.h"

/* The most output one poll callback reads, so a flood cannot starve. */
#define PTY_READ_BUDGET (256u << 10)
/* After EIO: re-read this often, and believe the end after this many
 * empty re-reads in a row (see the top of the file). */
#define PTY_HUP_REREAD_MS 20u
#define PTY_HUP_EMPTY_READS 2u
/* Closing: how often we look whether the session's leftovers are gone
 * (runtime/reap.h has how long they get). */
#define PTY_STOP_TICK_MS 25u

enum pty_state {
	PTY_RUNNING,      /* child alive, output flowing */
	PTY_OUTPUT_ENDED, /* EIO believed, waiting for the child's exit */
	PTY_EXITED,       /* child reaped, draining output until EIO or grace */
	PTY_DRAINED,      /* both seen (or grace over); on_exit was called */
	PTY_CLOSED        /* aa_pty_close called; leftovers stopped, handles
			     closing */
};

struct aa_pty {
	uv_loop_t *loop;
	uv_poll_t poll; /* on the master; initialised when fd >= 0 */
	uv_signal_t sigchld;
	uv_timer_t grace; /* drain grace; stopping a hung-up child */
	uv_timer_t tick;  /* re-reads after EIO; the stop when closing */
	int fd; /* the master, O_NONBLOCK|O_CLOEXEC */
	pid_t pid;
	int status; /* wait status, -1 until reaped */
	enum pty_state state;
	int poll_events; /* what the poll handle watches now, 0 = stopped */
	int poll_inited;
	int pending_closes;
	unsigned grace_ms;
	uint64_t nread;     /* bytes read in all, to see output during grace */
	int hup;            /* EIO seen: not polled for input, re-read */
	unsigned empty_reads; /* re-reads in a row that found nothing */
	int hup_stop;       /* hung-up child: 1 SIGTERM sent, 2 SIGKILL */
	struct aa_reap_stop close_stop; /* closing: stopping the leftovers */
	struct aa_log log;  /* says which processes we stop, and why */
	struct aa_reap_slave slave; /* to find who holds it */

	struct aa_buf wq; /* pending input from wq_head on */
	size_t wq_head;

	void (*on_data)(void *, const char *, size_t);
	void (*on_exit)(void *, int);
	void *ud;
	void (*closed)(void *);
};

static int pty_open(int *masterp, int *slavep, char *name, size_t size,
    struct stat *sb, const struct winsize *ws);
static int pty_fork(struct aa_pty *p, const struct aa_spawn_prep *pp,
    const struct winsize *ws, int *child_err);
static void pty_close_handles(struct aa_pty *p);
static void pty_close_cb(uv_handle_t *h);
static void pty_poll_update(struct aa_pty *p);
static void pty_poll_cb(uv_poll_t *h, int status, int events);
static void pty_read(struct aa_pty *p);
static void pty_flush(struct aa_pty *p);
static void pty_output_ended(struct aa_pty *p);
static void pty_finish(struct aa_pty *p);
static void pty_sigchld_cb(uv_signal_t *h, int signum);
static void pty_grace_cb(uv_timer_t *t);
static size_t pty_queued(const struct aa_pty *p);
static void pty_hangup(struct aa_pty *p);
static void pty_reread_cb(uv_timer_t *t);
static void pty_hup_stop(struct aa_pty *p);
static void pty_hup_stop_cb(uv_timer_t *t);
static int pty_signal_session(struct aa_pty *p, enum aa_reap_do what);
static void pty_reap(struct aa_pty *p);
static void pty_close_stop(struct aa_pty *p);
static void pty_close_tick_cb(uv_timer_t *t);


/*
 * Opens a PTY pair, both ends CLOEXEC, with the window size set.  This is
 * openpty() by hand: our "pty.h" shadows <pty.h> on the include path.
 */
static int
pty_open(int *masterp, int *slavep, char *name, size_t size,
    struct stat *sb, const struct winsize *ws)
{
	int m, s = -1, r;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return AA__ERR(errno);
	if (grantpt(m) == -1 || unlockpt(m) == -1 ||
	    ptsname_r(m, name, size) != 0)
		goto fail;
	if ((s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		goto fail;
	if (ioctl(s, TIOCSWINSZ, ws) == -1 || fstat(s, sb) == -1)
		goto fail;
	*masterp = m;
	*slavep = s;
	return 0;
fail:
	r = AA__ERR(errno);
	if (s != -1)
		close(s);
	close(m);
	return r;
}

/*
 * vfork, not fork: fork copies the page tables of the whole process (and
 * the child's exec tears the copy down), which in a host with 200
 * sessions at 80x1000 cost ~25 ms of CPU per start, growing with every
 * session.  The child borrows our memory and stack until it execs or
 * exits, and this thread waits until then: aa_spawn_child writes only its
 * own frames below ours (and errno, read only when vfork failed) and never
 * returns.  Kept apart so that nothing of the caller's frame lives across
 * the vfork.
 */
static __attribute__((noinline)) pid_t
pty_vfork(int master, int slave, int errfd, const struct aa_spawn_prep *pp)
{
	pid_t pid = vfork();

	if (pid == 0)
		aa_spawn_child(master, slave, errfd, pp);
	return pid;
}

/*
 * Opens the PTY pair, forks and waits for the exec verdict.  On success
 * p->fd and p->pid are set and 0 is returned; when the child could not
 * exec, it is reaped, *child_err holds its errno and 0 is returned too.
 */
static int
pty_fork(struct aa_pty *p, const struct aa_spawn_prep *pp,
    const struct winsize *ws, int *child_err)
{
	sigset_t all, old;
	int master = -1, slave = -1, ep[2], err = 0, st, r;
	struct stat sb;
	ssize_t n;
	pid_t pid;

	*child_err = 0;
	r = pty_open(&master, &slave, p->slave.path, sizeof(p->slave.path),
	    &sb, ws);
	if (r != 0)
		return r;
	p->slave.dev = sb.st_dev;
	p->slave.ino = sb.st_ino;
	/* posix_openpt() need not honour O_CLOEXEC; make sure. */
	if (fcntl(master, F_SETFD, FD_CLOEXEC) == -1 ||
	    pipe2(ep, O_CLOEXEC) == -1) {
		r = AA__ERR(errno);
		goto fail;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = pty_vfork(master, slave, ep[1], pp);
	err = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(ep[1]);
	if (pid == -1) {
		close(ep[0]);
		r = AA__ERR(err);
		goto fail;
	}
	close(slave);
	do
		n = read(ep[0], &err, sizeof(err));
	while (n == -1 && errno == EINTR);
	close(ep[0]);
	if (n == (ssize_t)sizeof(err)) {
		/* The child is about to _exit(127); reap it here. */
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		close(master);
		*child_err = err != 0 ? err : EIO;
		return 0;
	}
	if (fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) ==
	    -1) {
		/* Cannot happen on a fresh pty; do not leave the child. */
		r = AA__ERR(errno);
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		close(master);
		return r;
	}
	p->fd = master;
	p->pid = pid;
	return 0;
fail:
	close(master);
	close(slave);
	return r;
}

/* Prepares, forks and execs the agent; see pty.h for the contract. */
int
aa_pty_spawn(uv_loop_t *loop, struct aa_pty **out,
    const struct aa_pty_options *o, char **cause)
{
	struct aa_spawn_prep pp;
	struct winsize ws;
	struct aa_pty *p = NULL;
	int r, child_err;

	if (cause != NULL)
		*cause = NULL;
	if (loop == NULL || out == NULL || o == NULL || o->argv == NULL ||
	    o->argv[0] == NULL || o->argv[0][0] == '\0' || o->cols > 0xffff ||
	    o->rows > 0xffff)
		return AA_EINVAL;
	*out = NULL;
	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)(o->cols != 0 ? o->cols : 80);
	ws.ws_row = (unsigned short)(o->rows != 0 ? o->rows : 24);

	r = aa_spawn_prepare(o->argv, o->env, o->term, &pp);
	pp.cwd = o->cwd;
	if (r == AA_ENOENT) {
		(void)aa__cause(cause, 0, "agent \"%s\" not found in PATH",
		    o->argv[0]);
		goto out;
	}
	if (r != 0) {
		(void)aa__cause(cause, 0, "cannot run agent \"%s\": %s",
		    o->argv[0], strerror(-r));
		goto out;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		r = AA_ENOMEM;
		goto out;
	}
	p->loop = loop;
	p->fd = -1;
	p->pid = -1;
	p->status = -1;
	p->state = PTY_RUNNING;
	p->grace_ms = o->drain_grace_ms != 0 ? o->drain_grace_ms
					     : AA_PTY_DRAIN_GRACE_MS;
	p->on_data = o->on_data;
	p->on_exit = o->on_exit;
	p->ud = o->ud;
	if (o->log != NULL)
		p->log = *o->log;
	aa_buf_init(&p->wq);
	uv_signal_init(loop, &p->sigchld);
	uv_timer_init(loop, &p->grace);
	uv_timer_init(loop, &p->tick);
	p->sigchld.data = p;
	p->grace.data = p;
	p->tick.data = p;
	/* Before fork(): an early exit must find the watcher in place. */
	if ((r = uv_signal_start(&p->sigchld, pty_sigchld_cb, SIGCHLD)) != 0)
		goto fail;
	if ((r = pty_fork(p, &pp, &ws, &child_err)) != 0) {
		(void)aa__cause(cause, 0, "cannot start agent \"%s\": %s",
		    o->argv[0], strerror(-r));
		goto fail;
	}
	if (child_err != 0) {
		r = AA__ERR(child_err);
		if (child_err == ENOENT)
			(void)aa__cause(cause, 0, "agent \"%s\" not found",
			    o->argv[0]);
		else
			(void)aa__cause(cause, 0, "cannot run agent \"%s\": %s",
			    o->argv[0], strerror(child_err));
		goto fail;
	}
	if ((r = uv_poll_init(loop, &p->poll, p->fd)) != 0) {
		/* The master is not pollable: do not leave the child. */
		(void)aa__cause(cause, 0, "cannot watch agent \"%s\": %s",
		    o->argv[0], strerror(-r));
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, &child_err, 0) == -1 && errno == EINTR)
			;
		goto fail;
	}
	p->poll.data = p;
	p->poll_inited = 1;
	pty_poll_update(p);
	*out = p;
	r = 0;
	goto out;
fail:
	/* Handles are initialised: they free p asynchronously. */
	p->state = PTY_CLOSED;
	pty_close_handles(p);
out:
	aa_spawn_release(&pp);
	return r;
}

/* Starts closing every handle; the last close_cb frees p. */
static void
pty_close_handles(struct aa_pty *p)
{
	p->pending_closes = 3;
	uv_close((uv_handle_t *)&p->sigchld, pty_close_cb);
	uv_close((uv_handle_t *)&p->grace, pty_close_cb);
	uv_close((uv_handle_t *)&p->tick, pty_close_cb);
	if (p->poll_inited) {
		p->pending_closes++;
		uv_close((uv_handle_t *)&p->poll, pty_close_cb);
	}
}

/* Frees p once every handle is closed, then tells the owner. */
static void
pty_close_cb(uv_handle_t *h)
{
	struct aa_pty *p = h->data;
	void (*closed)(void *);
	void *ud;

	if (--p->pending_closes > 0)
		return;
	if (p->fd != -1)
		close(p->fd);
	aa_buf_release(&p->wq);
	closed = p->closed;
	ud = p->ud;
	free(p);
	if (closed != NULL)
		closed(ud);
}

/* Returns the number of bytes waiting in the write queue. */
static size_t
pty_queued(const struct aa_pty *p)
{
	return p->wq.len - p->wq_head;
}

/*
 * Makes the poll handle watch what the state needs: readable while output
 * may still come, writable while input is queued; nothing once hung up.
 */
static void
pty_poll_update(struct aa_pty *p)
{
	int ev = 0;

	if ((p->state == PTY_RUNNING || p->state == PTY_EXITED) && !p->hup) {
		ev = UV_READABLE;
		if (pty_queued(p) > 0)
			ev |= UV_WRITABLE;
	}
	if (ev == p->poll_events)
		return;
	p->poll_events = ev;
	if (ev == 0)
		uv_poll_stop(&p->poll);
	else
		uv_poll_start(&p->poll, ev, pty_poll_cb);
}

/* Reads output or flushes input as the master allows. */
static void
pty_poll_cb(uv_poll_t *h, int status, int events)
{
	struct aa_pty *p = h->data;

	if (status < 0) {
		pty_hangup(p);
		return;
	}
	if (events & UV_READABLE)
		pty_read(p);
	if ((events & UV_WRITABLE) &&
	    (p->state == PTY_RUNNING || p->state == PTY_EXITED))
		pty_flush(p);
}

/*
 * Reads the master until EAGAIN (the poll is level-triggered) or the
 * budget is spent; 0 or EIO says every slave fd is closed, which is
 * believed only after the re-reads (pty_hangup).
 */
static void
pty_read(struct aa_pty *p)
{
	char buf[16384];
	size_t total = 0;
	ssize_t n;

	while (total < PTY_READ_BUDGET) {
		n = read(p->fd, buf, sizeof(buf));
		if (n > 0) {
			total += (size_t)n;
			p->nread += (uint64_t)n;
			p->empty_reads = 0;
			/* The grace counts from the last output, not from the
			 * exit: under load the kernel may hand over the child's
			 * last bytes late, and they must not be cut off. */
			if (p->state == PTY_EXITED)
				uv_timer_start(&p->grace, pty_grace_cb,
				    p->grace_ms, 0);
			if (p->on_data != NULL)
				p->on_data(p->ud, buf, (size_t)n);
			if (p->state == PTY_CLOSED)
				return;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			/* The slave was opened again: poll as before. */
			if (p->hup) {
				p->hup = 0;
				uv_timer_stop(&p->tick);
				pty_poll_update(p);
			}
			return;
		}
		pty_hangup(p);
		return;
	}
}

/*
 * The master said EIO (or 0, or the poll failed): stop polling, it would
 * report POLLHUP without end, and re-read on a timer instead.
 */
static void
pty_hangup(struct aa_pty *p)
{
	if (p->hup || (p->state != PTY_RUNNING && p->state != PTY_EXITED))
		return;
	p->hup = 1;
	p->empty_reads = 0;
	pty_poll_update(p);
	uv_timer_start(&p->tick, pty_reread_cb, PTY_HUP_REREAD_MS, 0);
}

/* Re-reads a hung-up master; enough empty re-reads end the output. */
static void
pty_reread_cb(uv_timer_t *t)
{
	struct aa_pty *p = t->data;
	uint64_t before = p->nread;

	if (!p->hup || (p->state != PTY_RUNNING && p->state != PTY_EXITED))
		return;
	pty_read(p);
	if (!p->hup || (p->state != PTY_RUNNING && p->state != PTY_EXITED))
		return;
	if (p->nread == before && ++p->empty_reads >= PTY_HUP_EMPTY_READS) {
		pty_output_ended(p);
		return;
	}
	uv_timer_start(&p->tick, pty_reread_cb, PTY_HUP_REREAD_MS, 0);
}

/* Writes as much of the queue as the kernel takes. */
static void
pty_flush(struct aa_pty *p)
{
	ssize_t n;

	while (pty_queued(p) > 0) {
		n = write(p->fd, p->wq.data + p->wq_head, pty_queued(p));
		if (n > 0) {
			p->wq_head += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		/* EIO: the terminal hung up; the reader will see it too. */
		p->wq_head = p->wq.len;
		pty_hangup(p);
	}
	if (pty_queued(p) == 0) {
		aa_buf_reset(&p->wq);
		p->wq_head = 0;
	}
	pty_poll_update(p);
}

/*
 * Notes the end of output; finishes when the child is already reaped,
 * else stops it (pty_hup_stop).
 */
static void
pty_output_ended(struct aa_pty *p)
{
	uv_timer_stop(&p->tick);
	aa_buf_reset(&p->wq);
	p->wq_head = 0;
	if (p->state == PTY_RUNNING) {
		p->state = PTY_OUTPUT_ENDED;
		pty_poll_update(p);
		pty_hup_stop(p);
	} else if (p->state == PTY_EXITED)
		pty_finish(p);
}

/*
 * Every slave fd is closed, yet the child has not been reaped: it closed
 * its terminal and can neither hear nor answer us any more, so for us it
 * is gone.  A terminal that hangs up sends SIGHUP, and so do we, with
 * SIGTERM, at once (a child on its way out is past caring: its status is
 * set), and SIGKILL AA_REAP_TERM_MS later, as a close does.  The exit is
 * reported from SIGCHLD as always.
 */
static void
pty_hup_stop(struct aa_pty *p)
{
	if (p->state != PTY_OUTPUT_ENDED || p->hup_stop >= 2)
		return;
	p->hup_stop++;
	if (p->hup_stop == 1)
		AA_LOG(&p->log, AA_LOG_WARN, "agent (pid %d) closed its "
		    "terminal but runs on: sending SIGHUP and SIGTERM",
		    (int)p->pid);
	else
		AA_LOG(&p->log, AA_LOG_WARN, "agent (pid %d) ignored SIGHUP "
		    "and SIGTERM for %u ms: sending SIGKILL", (int)p->pid,
		    AA_REAP_TERM_MS);
	(void)pty_signal_session(p,
	    p->hup_stop == 1 ? AA_REAP_TERM : AA_REAP_KILL);
	if (p->hup_stop == 1)
		uv_timer_start(&p->grace, pty_hup_stop_cb, AA_REAP_TERM_MS,
		    0);
}

/* The hung-up child ignored SIGHUP and SIGTERM for AA_REAP_TERM_MS. */
static void
pty_hup_stop_cb(uv_timer_t *t)
{
	pty_hup_stop(t->data);
}

/* Enters DRAINED: stops reading and reports the exit, once. */
static void
pty_finish(struct aa_pty *p)
{
	p->state = PTY_DRAINED;
	uv_timer_stop(&p->grace);
	uv_timer_stop(&p->tick);
	pty_poll_update(p);
	if (p->on_exit != NULL)
		p->on_exit(p->ud, p->status);
}

/*
 * Reaps our child only (never waitpid(-1): libuv reaps its own uv_spawn
 * children).  Output may still be buffered, so exit waits for EIO or the
 * grace timer.
 */
static void
pty_sigchld_cb(uv_signal_t *h, int signum)
{
	struct aa_pty *p = h->data;
	pid_t r;
	int st = 0;

	(void)signum;
	if (p->status != -1)
		return;
	if (p->state == PTY_CLOSED) {
		pty_reap(p); /* the close's stop waits for nothing else */
		return;
	}
	do
		r = waitpid(p->pid, &st, WNOHANG);
	while (r == -1 && errno == EINTR);
	if (r == 0 || (r == -1 && errno != ECHILD))
		return;
	/* ECHILD: someone else reaped it; report a failure, not success. */
	if (r == -1)
		st = 255 << 8;
	p->status = st;
	uv_signal_stop(&p->sigchld);
	if (p->state == PTY_OUTPUT_ENDED) {
		pty_finish(p);
		return;
	}
	/* After EIO the re-reads decide; the grace still caps the wait. */
	p->state = PTY_EXITED;
	uv_timer_start(&p->grace, pty_grace_cb, p->grace_ms, 0);
}

/* Gives up waiting for EIO: a grandchild holds the slave. */
static void
pty_grace_cb(uv_timer_t *t)
{
	struct aa_pty *p = t->data;
	uint64_t before = p->nread;

	if (p->state != PTY_EXITED || p->hup)
		return; /* after EIO, the re-reads decide (a few ms) */
	pty_read(p);
	/* Output came during this last read: the timer was restarted.  EIO
	 * now: the re-reads decide. */
	if (p->state == PTY_EXITED && p->nread == before && !p->hup)
		pty_finish(p);
}

/* Writes now what the kernel takes and queues the rest, in order. */
int
aa_pty_write(struct aa_pty *p, const void *data, size_t n)
{
	const char *d = data;
	ssize_t w;
	int r;

	if (p == NULL || (d == NULL && n > 0))
		return AA_EINVAL;
	if ((p->state != PTY_RUNNING && p->state != PTY_EXITED) || p->hup)
		return AA_EEXITED;
	if (n > AA_PTY_WRITE_QUEUE_MAX - pty_queued(p))
		return AA_E2BIG;
	/* Write now only when nothing is queued, to keep the order. */
	while (n > 0 && pty_queued(p) == 0) {
		w = write(p->fd, d, n);
		if (w > 0) {
			d += w;
			n -= (size_t)w;
		} else if (w == -1 && errno == EAGAIN)
			break;
		else if (w == -1 && errno == EIO) {
			pty_hangup(p);
			return AA_EEXITED;
		} else if (w == -1 && errno != EINTR)
			return AA__ERR(errno);
	}
	if (n == 0)
		return 0;
	/* Compact before growing so a long-lived queue stays bounded. */
	if (p->wq_head > 0 && p->wq_head >= p->wq.len / 2) {
		aa_buf_consume(&p->wq, p->wq_head);
		p->wq_head = 0;
	}
	if ((r = aa_buf_append(&p->wq, d, n)) != 0)
		return r;
	pty_poll_update(p);
	return 0;
}

/* Returns how many bytes of input are still queued. */
size_t
aa_pty_write_queued(const struct aa_pty *p)
{
	return p == NULL ? 0 : pty_queued(p);
}

/* Sets the terminal size; the kernel signals SIGWINCH to the child. */
int
aa_pty_resize(struct aa_pty *p, unsigned cols, unsigned rows)
{
	struct winsize ws;

	if (p == NULL || cols == 0 || rows == 0 || cols > 0xffff ||
	    rows > 0xffff)
		return AA_EINVAL;
	if (p->state == PTY_CLOSED || p->fd == -1)
		return AA_EEXITED;
	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)cols;
	ws.ws_row = (unsigned short)rows;
	if (ioctl(p->fd, TIOCSWINSZ, &ws) == -1)
		return errno == EIO ? AA_EEXITED : AA__ERR(errno);
	return 0;
}

/* Signals the child's whole process group. */
int
aa_pty_kill(struct aa_pty *p, int sig)
{
	if (p == NULL || p->pid <= 0)
		return AA_EINVAL;
	/*
	 * The group id stays reserved while any member lives, so this is
	 * safe after the leader was reaped and reaches its grandchildren.
	 */
	if (kill(-p->pid, sig) == -1)
		return AA__ERR(errno);
	return 0;
}

/* Signals the child alone, as long as its pid is still ours. */
int
aa_pty_kill_pid(struct aa_pty *p, int sig)
{
	if (p == NULL || p->pid <= 0)
		return AA_EINVAL;
	if (p->status != -1)
		return AA__ERR(ESRCH); /* reaped: the pid may be reused */
	if (kill(p->pid, sig) == -1)
		return AA__ERR(errno);
	return 0;
}

/* Returns the child's pid. */
int
aa_pty_pid(const struct aa_pty *p)
{
	return p == NULL ? -1 : (int)p->pid;
}

/* Returns non-zero once the child has been reaped. */
int
aa_pty_exited(const struct aa_pty *p)
{
	return p != NULL && p->status != -1;
}

/* Returns non-zero once on_exit has been called. */
int
aa_pty_drained(const struct aa_pty *p)
{
	return p != NULL && p->state == PTY_DRAINED;
}

/* Returns the child's wait status, or -1 before it was reaped. */
int
aa_pty_wait_status(const struct aa_pty *p)
{
	return p == NULL ? -1 : p->status;
}

/*
 * Marks p closed, stops what is left of the agent's session, then closes
 * the handles; frees p later.
 */
void
aa_pty_close(struct aa_pty *p, void (*closed)(void *ud))
{
	if (p == NULL || p->state == PTY_CLOSED)
		return;
	p->state = PTY_CLOSED;
	p->closed = closed;
	uv_timer_stop(&p->grace);
	uv_timer_stop(&p->tick);
	if (p->poll_inited && p->poll_events != 0)
		uv_poll_stop(&p->poll);
	p->poll_events = 0;
	pty_close_stop(p);
}

/*
 * Signals what is left of the agent's session (runtime/reap.h); the
 * slave's holders count while some slave fd is still open, which the
 * master tells: no POLLHUP.  Returns how many there were.
 */
static int
pty_signal_session(struct aa_pty *p, enum aa_reap_do what)
{
	struct pollfd pfd;
	int held = 0;

	pfd.fd = p->fd;
	pfd.events = POLLIN;
	if (p->fd != -1 && poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP))
		held = 1;
	return aa_reap_signal(p->pid, held ? &p->slave : NULL,
	    aa_reap_signals(what));
}

/* Reaps our child if it has exited, so that it is not counted again. */
static void
pty_reap(struct aa_pty *p)
{
	pid_t r;
	int st;

	if (p->status != -1 || p->pid <= 0)
		return;
	do
		r = waitpid(p->pid, &st, WNOHANG);
	while (r == -1 && errno == EINTR);
	if (r == p->pid)
		p->status = st;
	else if (r == -1)
		p->status = 255 << 8; /* reaped by someone else */
}

/*
 * The close's stop (runtime/reap.h): SIGHUP, SIGTERM and SIGCONT to
 * everything left of the session, SIGKILL after AA_REAP_TERM_MS, and the
 * handles close once nobody is left (or AA_REAP_KILL_MS after the
 * SIGKILL, whatever holds on).  Nobody left: closed at once, with no
 * timer.
 */
static void
pty_close_stop(struct aa_pty *p)
{
	enum aa_reap_do what;
	uint64_t now;
	int left;

	uv_update_time(p->loop); /* the cached time may be a turn old */
	now = uv_now(p->loop);

	pty_reap(p);
	what = aa_reap_stop_next(&p->close_stop, now);
	left = p->pid > 0 ? pty_signal_session(p, what) : 0;
	if (left > 0 && what == AA_REAP_TERM)
		AA_LOG(&p->log, AA_LOG_WARN, "%d process(es) left of "
		    "the agent's session (pid %d): sending SIGHUP and "
		    "SIGTERM", left, (int)p->pid);
	else if (left > 0 && what == AA_REAP_KILL)
		AA_LOG(&p->log, AA_LOG_WARN, "%d process(es) of the "
		    "agent's session ignored SIGTERM for %u ms: sending "
		    "SIGKILL", left, AA_REAP_TERM_MS);
	pty_reap(p);
	if (left > 0 && aa_reap_stop_over(&p->close_stop, now))
		AA_LOG(&p->log, AA_LOG_ERROR, "%d process(es) of the agent's "
		    "session still there %u ms after SIGKILL: closing anyway",
		    left, AA_REAP_KILL_MS);
	if (left == 0 || aa_reap_stop_over(&p->close_stop, now)) {
		pty_close_handles(p);
		return;
	}
	uv_timer_start(&p->tick, pty_close_tick_cb, PTY_STOP_TICK_MS, 0);
}

/* Looks again whether the session's leftovers are gone. */
static void
pty_close_tick_cb(uv_timer_t *t)
{
	pty_close_stop(t->data);
}
