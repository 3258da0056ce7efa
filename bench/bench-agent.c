/*
 * bench-agent.c - the agent the benchmarks run under agentapi-c and tmux.
 *
 * It does nothing on its own: every output is ordered from outside so
 * that the same bytes reach both terminals and the clock starts where the
 * driver says.  Modes:
 *
 *   idle              print a prompt and block on stdin (no wakeups)
 *   fill ROWS         print ROWS full-width lines, then as idle
 *   stream FILE GO DONE
 *                     wait for a byte on the FIFO GO, copy FILE to
 *                     stdout, write a byte to the FIFO DONE, then idle
 *   lines CTL         copy every line read from the FIFO CTL to stdout
 *                     (a marker the driver then waits for), then idle
 *
 * Blocking reads only, so an idle bench agent never runs; SIGINT and
 * SIGHUP end it by their default action.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes all of p or exits. */
static void
put(const void *p, size_t n)
{
	const char *s = p;
	ssize_t k;

	while (n > 0) {
		k = write(1, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			exit(1);
		s += k;
		n -= (size_t)k;
	}
}

/* Prints the prompt and blocks until stdin ends. */
static int
idle(void)
{
	char b[256];

	put("bench agent ready\r\n> ", 21);
	while (read(0, b, sizeof(b)) > 0 || errno == EINTR)
		;
	return 0;
}

/* Prints rows lines of 78 columns of mixed text. */
static void
fill(unsigned rows)
{
	char line[512];
	unsigned i;
	int n;

	for (i = 0; i < rows; i++) {
		n = snprintf(line, sizeof(line), "%4u \033[32m*\033[0m history "
		    "line with words, 中文 and more words to fill a row......"
		    "......\r\n", i);
		put(line, (size_t)n);
	}
}

/* Copies a file to stdout between two FIFO handshakes. */
static int
stream(const char *file, const char *go, const char *done)
{
	char b[65536];
	ssize_t n;
	int fd, g;

	if ((g = open(go, O_RDONLY)) < 0 || read(g, b, 1) != 1)
		return 1;
	close(g);
	if ((fd = open(file, O_RDONLY)) < 0)
		return 1;
	while ((n = read(fd, b, sizeof(b))) > 0)
		put(b, (size_t)n);
	close(fd);
	if ((g = open(done, O_WRONLY)) < 0 || write(g, "d", 1) != 1)
		return 1;
	close(g);
	return idle();
}

/* Echoes each control line to the terminal. */
static int
lines(const char *ctl)
{
	char b[4096];
	ssize_t n;
	int fd;

	put("bench agent ready\r\n", 19);
	if ((fd = open(ctl, O_RDONLY)) < 0)
		return 1;
	while ((n = read(fd, b, sizeof(b))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			put(b, (size_t)n);
	close(fd);
	return idle();
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "idle") == 0)
		return idle();
	if (argc >= 3 && strcmp(argv[1], "fill") == 0) {
		fill((unsigned)atoi(argv[2]));
		return idle();
	}
	if (argc >= 5 && strcmp(argv[1], "stream") == 0)
		return stream(argv[2], argv[3], argv[4]);
	if (argc >= 3 && strcmp(argv[1], "lines") == 0)
		return lines(argv[2]);
	fprintf(stderr, "usage: bench-agent idle | fill ROWS | "
	    "stream FILE GO DONE | lines CTL\n");
	return 2;
}
