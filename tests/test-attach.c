/*
 * test-attach.c - the attach client's SSE framing (the network half is
 * covered by the end-to-end tests against a real server).
 */
#include "test.h"

#include "prog/attach.h"
#include "base/buf.h"

struct seen {
	struct aa_buf log;
	int n;
};

/* Records "name=data;" for each event. */
static int
record(void *ud, const char *name, const char *data)
{
	struct seen *s = ud;

	s->n++;
	aa_buf_printf(&s->log, "%s=%s;", name, data);
	return 0;
}

TEST(attach_sse_framing)
{
	static const char in[] = "event: screen\ndata: {\"screen\":\"a\"}\n\n"
				 ": ping\n\n"
				 "id: 3\r\nevent: x\r\ndata: 1\r\ndata:2\r\n\r\n"
				 "event: partial\ndata: never dispatched";
	struct seen s = { .n = 0 };

	aa_buf_init(&s.log);
	ASSERT_EQ(aa__attach_sse_feed_for_test(in, sizeof(in) - 1, record,
		      &s),
	    0);
	ASSERT_EQ(s.n, 2);
	ASSERT_STR_EQ(aa_buf_str(&s.log), "screen={\"screen\":\"a\"};x=1\n2;");
	aa_buf_release(&s.log);
}

TEST(attach_sse_event_too_large_is_rejected)
{
	struct seen s = { .n = 0 };
	struct aa_buf in;
	int i;

	aa_buf_init(&s.log);
	aa_buf_init(&in);
	aa_buf_puts(&in, "event: screen\n");
	for (i = 0; i < 300; i++) {
		aa_buf_puts(&in, "data: ");
		while (in.len % 1024 != 1023)
			aa_buf_putc(&in, 'x');
		aa_buf_putc(&in, '\n');
	}
	ASSERT_NE(aa__attach_sse_feed_for_test(in.data, in.len, record, &s),
	    0);
	ASSERT_EQ(s.n, 0);
	aa_buf_release(&in);
	aa_buf_release(&s.log);
}
