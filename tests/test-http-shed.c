/*
 * test-http-shed.c - the slow-client policy of aa_http as plain numbers:
 * which connection may be closed to make room and in what order, how
 * many connections a descriptor limit allows, and the head and body
 * deadlines (issue 17).  No sockets; test-http and the fault tests drive
 * the same functions through a server.
 */
#include <limits.h>
#include <stdint.h>

#include "test.h"

#include "http/http-private.h"

/* Picks from ranks (oldest first) as server_shed_one does: the index
 * that goes, or -1 when none may. */
static int
pick(const int *ranks, int n)
{
	int i, best = -1, best_rank = 4, take;

	for (i = 0; i < n; i++) {
		if ((take = aa__http_shed_consider(&best_rank, ranks[i])) == 0)
			continue;
		best = i;
		if (take == 2)
			break;
	}
	return best;
}

TEST(http_shed_rank_idle_and_lingering_first)
{
	struct aa_http_shed sh = { .served = 1 };

	/* Idle between requests: the first to go. */
	ASSERT_EQ(aa__http_shed_rank(&sh), 1);
	sh.lingering = 1;
	ASSERT_EQ(aa__http_shed_rank(&sh), 1);
	/* Closing already: nothing to gain. */
	sh.closing = 1;
	ASSERT_EQ(aa__http_shed_rank(&sh), 0);
}

TEST(http_shed_rank_heads)
{
	struct aa_http_shed sh = { 0 };

	/* A new connection with no request yet is a head to come. */
	ASSERT_EQ(aa__http_shed_rank(&sh), 2);
	sh.served = 1;
	sh.in_head = 1;
	ASSERT_EQ(aa__http_shed_rank(&sh), 2);
	sh.in_head = 0;
	sh.has_input = 1; /* a pipelined head buffered */
	ASSERT_EQ(aa__http_shed_rank(&sh), 2);
}

TEST(http_shed_rank_requests)
{
	struct aa_http_shed sh = { .active = 1, .served = 1 };

	/* A body coming in, nobody answering yet. */
	ASSERT_EQ(aa__http_shed_rank(&sh), 3);
	/* The handler has it, or the answer (a stream) started: never. */
	sh.msg_done = 1;
	ASSERT_EQ(aa__http_shed_rank(&sh), 0);
	sh.msg_done = 0;
	sh.started = 1;
	ASSERT_EQ(aa__http_shed_rank(&sh), 0);
	sh.started = 0;
	sh.in_handler = 1; /* a body-streaming handler */
	ASSERT_EQ(aa__http_shed_rank(&sh), 0);
	/* A lingering connection's old request does not protect it. */
	sh.lingering = 1;
	ASSERT_EQ(aa__http_shed_rank(&sh), 1);
}

TEST(http_shed_choice)
{
	static const int a[] = { 3, 2, 0, 2, 1, 1 };
	static const int b[] = { 3, 0, 2, 2, 3 };
	static const int c[] = { 0, 0, 0 };
	static const int d[] = { 3, 3 };
	int best = 4;

	/* The oldest of the lowest rank; the first rank 1 ends the walk. */
	ASSERT_EQ(pick(a, 6), 4);
	ASSERT_EQ(pick(b, 5), 2);
	ASSERT_EQ(pick(c, 3), -1);
	ASSERT_EQ(pick(d, 2), 0);
	ASSERT_EQ(pick(a, 0), -1);
	ASSERT_EQ(aa__http_shed_consider(&best, 3), 1);
	ASSERT_EQ(best, 3);
	ASSERT_EQ(aa__http_shed_consider(&best, 3), 0);
	ASSERT_EQ(aa__http_shed_consider(&best, 0), 0);
	ASSERT_EQ(aa__http_shed_consider(&best, 1), 2);
	ASSERT_EQ(best, 1);
	ASSERT_EQ(aa__http_shed_consider(&best, 1), 0);
}

TEST(http_shed_fd_cap)
{
	int high;

	/* No limit: max_conns, and no descriptor says full. */
	ASSERT_EQ(aa__http_fd_cap(16384, SIZE_MAX, &high), 16384);
	ASSERT_EQ(high, INT_MAX);
	/* 1024: an eighth (128) kept back, full in its top half. */
	ASSERT_EQ(aa__http_fd_cap(16384, 1024, &high), 896);
	ASSERT_EQ(high, 1024 - 64);
	ASSERT_EQ(aa__http_fd_cap(100, 1024, &high), 100);
	/* The reserve is at least 32 ... */
	ASSERT_EQ(aa__http_fd_cap(16384, 200, &high), 168);
	ASSERT_EQ(high, 200 - 16);
	/* ... and when that is half the limit or more, half is kept. */
	ASSERT_EQ(aa__http_fd_cap(16384, 64, &high), 32);
	ASSERT_EQ(high, 48);
	ASSERT_EQ(aa__http_fd_cap(16384, 40, &high), 20);
	/* ... and at most 1024. */
	ASSERT_EQ(aa__http_fd_cap(1u << 20, 1u << 20, &high),
	    (1u << 20) - 1024);
	ASSERT_EQ(high, (1 << 20) - 512);
}

TEST(http_shed_head_deadline)
{
	/* One deadline from the first byte, whatever came since. */
	ASSERT_EQ(aa__http_head_ms(1000, 1000, 5000), 5000);
	ASSERT_EQ(aa__http_head_ms(2500, 1000, 5000), 3500);
	ASSERT_EQ(aa__http_head_ms(5999, 1000, 5000), 1);
	/* Passed: fire at once (1 ms, never 0 = a timer that repeats). */
	ASSERT_EQ(aa__http_head_ms(6000, 1000, 5000), 1);
	ASSERT_EQ(aa__http_head_ms(60000, 1000, 5000), 1);
}

TEST(http_shed_body_deadline)
{
	/* No bytes yet: the stall limit. */
	ASSERT_EQ(aa__http_body_ms(0, 0, 5000, 0), 5000);
	ASSERT_EQ(aa__http_body_ms(3000, 0, 5000, 0), 2000);
	ASSERT_EQ(aa__http_body_ms(5000, 0, 5000, 0), 1);
	/* 2560 bytes at 256 B/s earn 10 s on top of the first 5 s ... */
	ASSERT_EQ(aa__http_body_ms(12000, 0, 5000, 2560), 3000);
	/* ... but a stall is never allowed more than the stall limit ... */
	ASSERT_EQ(aa__http_body_ms(6000, 0, 5000, 2560), 5000);
	/* ... and slower than the rate on average is over. */
	ASSERT_EQ(aa__http_body_ms(15000, 0, 5000, 2560), 1);
	ASSERT_EQ(aa__http_body_ms(20000, 0, 5000, 2560), 1);
	/* The clock starts at the end of the head, not at 0. */
	ASSERT_EQ(aa__http_body_ms(103000, 100000, 5000, 0), 2000);
}
