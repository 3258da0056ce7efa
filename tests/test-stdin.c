/*
 * test-stdin.c - the initial prompt read from a pipe on stdin (prog/stdin.c):
 * a closed pipe is read whole, a pipe that never closes gives what came by
 * the deadline, an empty one gives nothing, and too much is AA_E2BIG.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#include "base/aa-internal.h"
#include "prog/stdin.h"

TEST(stdin_prompt_bounded_in_size_and_time)
{
	int p[2];
	char *out, *cause;
	size_t n;
	char big[5000];

	/* A closed pipe: everything is read. */
	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(write(p[1], "hello agent\n", 12), 12);
	close(p[1]);
	ASSERT_EQ(aa_stdin_read_prompt(p[0], 1 << 20, 2000, &out, &n,
	    &cause), 0);
	ASSERT_MEM_EQ(out, n, "hello agent\n", 12);
	free(out);
	close(p[0]);

	/* A pipe that never closes: keeps what came, within the deadline. */
	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(write(p[1], "partial", 7), 7);
	ASSERT_EQ(aa_stdin_read_prompt(p[0], 1 << 20, 200, &out, &n,
	    &cause), 0);
	ASSERT_MEM_EQ(out, n, "partial", 7);
	free(out);

	/* Nothing at all: no prompt. */
	ASSERT_EQ(aa_stdin_read_prompt(p[0], 1 << 20, 100, &out, &n,
	    &cause), 0);
	ASSERT_NULL(out);

	/* Too much. */
	memset(big, 'a', sizeof(big));
	ASSERT_EQ(write(p[1], big, sizeof(big)), (ssize_t)sizeof(big));
	ASSERT_EQ(aa_stdin_read_prompt(p[0], 1000, 200, &out, &n,
	    &cause), AA_E2BIG);
	ASSERT_NULL(out);
	ASSERT_NOT_NULL(cause);
	free(cause);
	close(p[0]);
	close(p[1]);
}
