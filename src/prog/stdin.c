/*
 * stdin.c - the initial prompt from a pipe (see stdin.h): poll(2) with
 * the time left, read(2) in chunks, a size cap.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "prog/stdin.h"

/* Reads an initial prompt from a non-terminal fd (see stdin.h). */
int
aa_stdin_read_prompt(int fd, size_t max, unsigned timeout_ms,
    char **out, size_t *lenp, char **cause)
{
	struct aa_buf b;
	struct pollfd pfd;
	struct timespec t0, t1;
	char chunk[4096];
	int64_t left;
	ssize_t n;
	int r;

	*out = NULL;
	*lenp = 0;
	if (cause != NULL)
		*cause = NULL;
	if (isatty(fd))
		return 0;
	aa_buf_init(&b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = (int64_t)timeout_ms -
		    ((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			break; /* a pipe that never closes: keep what came */
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = AA__ERR(errno);
			goto fail;
		}
		if (r == 0)
			break;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			r = AA__ERR(errno);
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			r = AA_E2BIG;
			goto fail;
		}
		if ((r = aa_buf_append(&b, chunk, (size_t)n)) < 0)
			goto fail;
	}
	if (b.len > 0)
		*out = aa_buf_steal(&b, lenp);
	aa_buf_release(&b);
	return 0;
fail:
	if (cause != NULL && asprintf(cause, "failed to read initial prompt "
	    "from stdin: %s", r == AA_E2BIG ? "more than the limit" :
	    aa_strerror(r)) < 0)
		*cause = NULL;
	aa_buf_release(&b);
	return r;
}
