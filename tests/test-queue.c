/*
 * test-queue.c - aa_queue: order, ids never reused, both bounds, removal
 * from anywhere, restoring a saved queue.
 */
#include "test.h"

#include "agentapi.h"
#include "core/queue.h"

TEST(queue_order_and_ids)
{
	struct aa_queue q;
	uint64_t a, b, c;

	aa_queue_init(&q, 0, 0);
	ASSERT_NULL(aa_queue_head(&q));
	ASSERT_EQ(aa_queue_push(&q, "one", 3, 10, &a), 0);
	ASSERT_EQ(aa_queue_push(&q, "two", 3, 20, &b), 0);
	ASSERT_EQ(aa_queue_push(&q, "three", 5, 30, &c), 0);
	ASSERT(a < b && b < c);
	ASSERT_EQ(q.bytes, 11);
	ASSERT_EQ(aa_queue_position(&q, c), 3);
	ASSERT_STR_EQ(aa_queue_head(&q)->text, "one");
	aa_queue_pop(&q);
	ASSERT_STR_EQ(aa_queue_head(&q)->text, "two");
	ASSERT_EQ(aa_queue_position(&q, c), 2);
	ASSERT_EQ(aa_queue_position(&q, a), 0);
	/* Removing from the middle keeps the order of the rest. */
	ASSERT_EQ(aa_queue_push(&q, "four", 4, 40, &a), 0);
	ASSERT(a > c);
	ASSERT_EQ(aa_queue_remove(&q, c), 0);
	ASSERT_EQ(aa_queue_remove(&q, c), AA_ENOENT);
	ASSERT_STR_EQ(q.v[0].text, "two");
	ASSERT_STR_EQ(q.v[1].text, "four");
	ASSERT_EQ(q.bytes, 7);
	aa_queue_pop(&q);
	aa_queue_pop(&q);
	aa_queue_pop(&q);
	ASSERT_EQ(q.n, 0);
	ASSERT_EQ(q.bytes, 0);
	/* An emptied queue does not reuse ids. */
	ASSERT_EQ(aa_queue_push(&q, "five", 4, 50, &b), 0);
	ASSERT(b > a);
	aa_queue_release(&q);
}

TEST(queue_bounds)
{
	struct aa_queue q;
	uint64_t id;

	aa_queue_init(&q, 2, 10);
	ASSERT_EQ(aa_queue_push(&q, "0123456789x", 11, 0, &id), AA_E2BIG);
	ASSERT_EQ(aa_queue_push(&q, "012345", 6, 0, &id), 0);
	ASSERT_EQ(aa_queue_push(&q, "01234", 5, 0, &id), AA_E2BIG);
	ASSERT_EQ(aa_queue_push(&q, "0123", 4, 0, &id), 0);
	ASSERT_EQ(aa_queue_push(&q, "", 0, 0, &id), AA_EAGAIN);
	ASSERT_EQ(q.n, 2);
	ASSERT_EQ(q.bytes, 10);
	aa_queue_release(&q);
}

TEST(queue_restore)
{
	struct aa_queue q;
	uint64_t id;

	aa_queue_init(&q, 1, 4);
	/* A saved queue comes back whole, even past today's bounds. */
	ASSERT_EQ(aa_queue_restore(&q, 7, "saved one", 9, 1), 0);
	ASSERT_EQ(aa_queue_restore(&q, 9, "saved two", 9, 2), 0);
	ASSERT_EQ(aa_queue_restore(&q, 9, "dup", 3, 3), AA_EINVAL);
	ASSERT_EQ(aa_queue_restore(&q, 0, "zero", 4, 3), AA_EINVAL);
	ASSERT_EQ(q.n, 2);
	ASSERT_EQ(aa_queue_push(&q, "x", 1, 0, &id), AA_EAGAIN);
	aa_queue_pop(&q);
	aa_queue_pop(&q);
	ASSERT_EQ(aa_queue_push(&q, "x", 1, 0, &id), 0);
	ASSERT_EQ(id, 10);
	aa_queue_release(&q);
}
