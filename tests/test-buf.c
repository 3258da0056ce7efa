/*
 * test-buf.c - aa_buf, the growable byte buffer, and the list header.
 */
#include "test.h"

#include "base/buf.h"
#include "base/list.h"

TEST(buf_append_grows_and_terminates)
{
	struct aa_buf b;
	int i;

	aa_buf_init(&b);
	ASSERT_STR_EQ(aa_buf_str(&b), "");
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(aa_buf_puts(&b, "ab"), 0);
	ASSERT_EQ(b.len, 2000);
	ASSERT_EQ(b.data[b.len], '\0');
	ASSERT_EQ(memcmp(b.data + 1998, "ab", 2), 0);
	aa_buf_release(&b);
	ASSERT_NULL(b.data);
}

TEST(buf_printf_and_consume)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_EQ(aa_buf_printf(&b, "%d-%s", 42, "x"), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "42-x");
	aa_buf_consume(&b, 3);
	ASSERT_STR_EQ(aa_buf_str(&b), "x");
	aa_buf_consume(&b, 10);
	ASSERT_EQ(b.len, 0);
	aa_buf_release(&b);
}

TEST(buf_steal_hands_over_memory)
{
	struct aa_buf b;
	size_t n;
	char *s;

	aa_buf_init(&b);
	s = aa_buf_steal(&b, &n);
	ASSERT_NOT_NULL(s);
	ASSERT_EQ(n, 0);
	free(s);
	ASSERT_EQ(aa_buf_append(&b, "a\0b", 3), 0);
	s = aa_buf_steal(&b, &n);
	ASSERT_EQ(n, 3);
	ASSERT_MEM_EQ(s, n, "a\0b", 3);
	ASSERT_NULL(b.data);
	free(s);
}

struct item {
	int v;
	struct aa_list link;
};

TEST(list_insert_remove_safe_iteration)
{
	struct aa_list head, *it, *tmp;
	struct item items[5];
	int i, sum = 0, n = 0;

	aa_list_init(&head);
	ASSERT(aa_list_empty(&head));
	for (i = 0; i < 5; i++) {
		items[i].v = i;
		aa_list_insert_tail(&head, &items[i].link);
	}
	AA_LIST_FOREACH_SAFE(it, tmp, &head)
	{
		struct item *x = AA_LIST_ENTRY(it, struct item, link);
		if (x->v % 2 == 0)
			aa_list_remove(it);
	}
	AA_LIST_FOREACH(it, &head)
	{
		sum += AA_LIST_ENTRY(it, struct item, link)->v;
		n++;
	}
	ASSERT_EQ(n, 2);
	ASSERT_EQ(sum, 4);
	ASSERT(aa_list_empty(&items[0].link));
}

TEST(buf_reserve_on_empty_buffer_terminates)
{
	struct aa_buf b;
	size_t n;
	char *s;

	aa_buf_init(&b);
	ASSERT_EQ(aa_buf_reserve(&b, 0), 0);
	ASSERT_NOT_NULL(b.data);
	ASSERT_EQ(b.data[0], '\0');
	s = aa_buf_steal(&b, &n);
	ASSERT_EQ(n, 0);
	ASSERT_STR_EQ(s, "");
	free(s);
}
