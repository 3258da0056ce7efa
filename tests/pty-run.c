/*
 * pty-run.c - runs a command on a fresh pseudo-terminal, for the attach
 * end-to-end test (tests/e2e/attach.test.mjs; node has no PTY of its own).
 *
 *   pty-run COLS ROWS COMMAND [ARG...]
 *
 * The command gets a new session whose controlling terminal is the PTY's
 * slave, sized COLS x ROWS, with the kernel's default (cooked) settings.
 * Our stdin is copied to the master (the keyboard), the master to our
 * stdout (the screen).  Lines "resize C R" on fd 3, when it is open, set
 * the PTY's size, which makes the kernel send SIGWINCH to the command.
 * "pty-run: pid=N" on stderr at start names the command's process.
 * When the command has exited, and its last output has been copied, we
 * print "pty-run: exit=N restored=B" on stderr, B being 1 when the
 * terminal's modes are those it started with (a client that leaves the
 * terminal raw says 0), and exit with the command's status.  We keep the
 * slave open so that its modes outlive the command.
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Writes all of buf to fd; returns 0 or -1. */
static int
put(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies what the master has to stdout; returns bytes read, 0 or -1. */
static ssize_t
drain(int master)
{
	char buf[16384];
	ssize_t n;

	n = read(master, buf, sizeof(buf));
	if (n > 0 && put(STDOUT_FILENO, buf, (size_t)n) != 0)
		return -1;
	return n;
}

/* Applies the complete "resize C R" lines in ctl[0..*len). */
static void
control(int master, char *ctl, size_t *len)
{
	struct winsize ws;
	unsigned c, r;
	char *nl;

	while ((nl = memchr(ctl, '\n', *len)) != NULL) {
		*nl = '\0';
		if (sscanf(ctl, "resize %u %u", &c, &r) == 2) {
			memset(&ws, 0, sizeof(ws));
			ws.ws_col = (unsigned short)c;
			ws.ws_row = (unsigned short)r;
			ioctl(master, TIOCSWINSZ, &ws);
		}
		*len -= (size_t)(nl + 1 - ctl);
		memmove(ctl, nl + 1, *len);
	}
	if (*len == 1024)
		*len = 0;	/* a line that long is no command */
}

int
main(int argc, char **argv)
{
	struct termios before, after;
	struct winsize ws;
	struct pollfd pfd[3];
	char buf[16384], ctl[1024];
	size_t ctllen = 0;
	int master, slave, status = 0, exited = 0, in_open = 1, ctl_open;
	pid_t pid;
	ssize_t n;

	if (argc < 4) {
		fprintf(stderr, "usage: pty-run COLS ROWS COMMAND [ARG...]\n");
		return 2;
	}
	/* Before openpty(), which would take fd 3 when it is free. */
	ctl_open = fcntl(3, F_GETFD) >= 0;
	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)atoi(argv[1]);
	ws.ws_row = (unsigned short)atoi(argv[2]);
	if (openpty(&master, &slave, NULL, NULL, &ws) != 0) {
		perror("pty-run: openpty");
		return 2;
	}
	tcgetattr(slave, &before);
	if ((pid = fork()) < 0) {
		perror("pty-run: fork");
		return 2;
	}
	if (pid == 0) {
		close(master);
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		if (ctl_open)
			close(3);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	fprintf(stderr, "pty-run: pid=%d\n", (int)pid);
	while (!exited) {
		pfd[0].fd = master;
		pfd[0].events = POLLIN;
		pfd[1].fd = in_open ? STDIN_FILENO : -1;
		pfd[1].events = POLLIN;
		pfd[2].fd = ctl_open ? 3 : -1;
		pfd[2].events = POLLIN;
		if (poll(pfd, 3, 50) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents != 0 && drain(master) < 0)
			break;
		if (pfd[1].revents != 0) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				in_open = 0;
			else if (put(master, buf, (size_t)n) != 0)
				break;
		}
		if (pfd[2].revents != 0) {
			n = read(3, ctl + ctllen, sizeof(ctl) - ctllen);
			if (n <= 0)
				ctl_open = 0;
			else {
				ctllen += (size_t)n;
				control(master, ctl, &ctllen);
			}
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			exited = 1;
	}
	/* The command's last words: the slave is still open, so read what
	 * is there without waiting for an end of file. */
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (drain(master) > 0)
		;
	if (!exited)
		waitpid(pid, &status, 0);
	tcgetattr(slave, &after);
	n = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "pty-run: exit=%d restored=%d\n", (int)n,
	    before.c_iflag == after.c_iflag &&
	    before.c_oflag == after.c_oflag &&
	    before.c_lflag == after.c_lflag &&
	    before.c_cflag == after.c_cflag);
	return (int)n;
}
