/*
 * test-attach.c - the attach client's pure parts: SSE framing, the
 * --detach-keys parser and filter, the clamping of the terminal size to
 * POST /resize's bounds (the terminal and network half is
 * tests/e2e/attach.test.mjs, in a PTY against a real server).
 */
#include "test.h"

#include "base/aa-internal.h"
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

/* Parses spec and returns the keys, failing the test on an error. */
static struct aa_attach_keys
keys_of(const char *spec)
{
	struct aa_attach_keys k;
	char *cause = NULL;

	if (aa_attach_parse_keys(spec, &k, &cause) != 0)
		test_fail(__FILE__, __LINE__, "%s: %s", spec,
		    cause ? cause : "?");
	free(cause);
	return k;
}

TEST(attach_detach_keys_parse)
{
	static const char *bad[] = { "", "ctrl-", "ctrl-[", "ctrl-1",
		"ctrl-]]", "ctrl-],", ",ctrl-]", "alt-x", " ", "ab",
		"ctrl-a,ctrl-b,ctrl-c,ctrl-d,ctrl-e,ctrl-f,ctrl-g,ctrl-h,"
		"ctrl-i", "\x01", "\xc3\xa9" };
	struct aa_attach_keys k;
	char name[64], *cause;
	size_t i;

	k = keys_of("ctrl-]");
	ASSERT_EQ(k.n, 1);
	ASSERT_EQ(k.k[0], 0x1d);
	k = keys_of("Ctrl-P,ctrl-q");
	ASSERT_EQ(k.n, 2);
	ASSERT_EQ(k.k[0], 0x10);
	ASSERT_EQ(k.k[1], 0x11);
	aa_attach_keys_name(&k, name, sizeof(name));
	ASSERT_STR_EQ(name, "Ctrl-P,Ctrl-Q");
	k = keys_of("ctrl-\\,ctrl-@,ctrl-^,ctrl-_,q,~");
	ASSERT_EQ(k.n, 6);
	ASSERT_EQ(k.k[0], 0x1c);
	ASSERT_EQ(k.k[1], 0x00);
	ASSERT_EQ(k.k[2], 0x1e);
	ASSERT_EQ(k.k[3], 0x1f);
	ASSERT_EQ(k.k[4], 'q');
	ASSERT_EQ(k.k[5], '~');
	aa_attach_keys_name(&k, name, sizeof(name));
	ASSERT_STR_EQ(name, "Ctrl-\\,Ctrl-@,Ctrl-^,Ctrl-_,q,~");
	k = keys_of("ctrl-]");
	aa_attach_keys_name(&k, name, sizeof(name));
	ASSERT_STR_EQ(name, "Ctrl-]");
	/* A buffer too small keeps whole keys only. */
	k = keys_of("ctrl-a,ctrl-b");
	aa_attach_keys_name(&k, name, 9);
	ASSERT_STR_EQ(name, "Ctrl-A");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cause = NULL;
		if (aa_attach_parse_keys(bad[i], &k, &cause) != AA_EINVAL)
			test_fail(__FILE__, __LINE__, "accepted \"%s\"",
			    bad[i]);
		ASSERT_NOT_NULL(cause);
		ASSERT_NOT_NULL(strstr(cause, "--detach-keys"));
		free(cause);
	}
}

/* Feeds s to k; returns the detach result and the forwarded bytes. */
static int
feed(struct aa_attach_keys *k, const char *s, char *out, size_t *on)
{
	int r = aa_attach_keys_feed(k, s, strlen(s), out, on);

	out[*on] = '\0';
	return r;
}

TEST(attach_detach_keys_filter)
{
	struct aa_attach_keys k;
	char out[64];
	size_t on;

	/* Every other key goes through, Ctrl-C and Ctrl-\ included. */
	k = keys_of("ctrl-]");
	ASSERT_EQ(feed(&k, "ab\x03\x1c\x1b[A", out, &on), 0);
	ASSERT_STR_EQ(out, "ab\x03\x1c\x1b[A");
	/* The key ends it; what came before in the chunk still goes. */
	ASSERT_EQ(feed(&k, "xy\x1dzz", out, &on), 1);
	ASSERT_STR_EQ(out, "xy");
	/* A sequence across reads is held back, then released when it
	 * turns out not to be one. */
	k = keys_of("ctrl-p,ctrl-q");
	ASSERT_EQ(feed(&k, "a\x10", out, &on), 0);
	ASSERT_STR_EQ(out, "a");
	ASSERT_EQ(feed(&k, "b", out, &on), 0);
	ASSERT_STR_EQ(out, "\x10" "b");
	ASSERT_EQ(feed(&k, "\x10", out, &on), 0);
	ASSERT_EQ(on, 0);
	ASSERT_EQ(feed(&k, "\x10", out, &on), 0);
	ASSERT_STR_EQ(out, "\x10");
	ASSERT_EQ(feed(&k, "\x11", out, &on), 1);
	ASSERT_EQ(on, 0);
	/* After a detach the matcher starts afresh. */
	ASSERT_EQ(feed(&k, "\x11\x10\x11", out, &on), 1);
	ASSERT_STR_EQ(out, "\x11");
}

TEST(attach_clamp_to_resize_bounds)
{
	unsigned c, r;

	aa_attach_clamp(80, 24, &c, &r);
	ASSERT_EQ(c, 80);
	ASSERT_EQ(r, 24);
	aa_attach_clamp(5, 3, &c, &r);
	ASSERT_EQ(c, 20);
	ASSERT_EQ(r, 10);
	aa_attach_clamp(20, 10, &c, &r);
	ASSERT_EQ(c, 20);
	ASSERT_EQ(r, 10);
	aa_attach_clamp(65535, 65535, &c, &r);
	ASSERT_EQ(c, 500);
	ASSERT_EQ(r, 2000);
	aa_attach_clamp(500, 2000, &c, &r);
	ASSERT_EQ(c, 500);
	ASSERT_EQ(r, 2000);
	aa_attach_clamp(501, 2001, &c, &r);
	ASSERT_EQ(c, 500);
	ASSERT_EQ(r, 2000);
}
