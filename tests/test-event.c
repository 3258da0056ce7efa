/*
 * test-event.c - aa_event: SSE frames built once and shared by refcount.
 *
 * The frames are compared byte for byte with what the SSE format
 * (WHATWG HTML §9.2, spec http.md §4) says they must be, and read back
 * through the attach client's own SSE parser, so a frame that the
 * receiving side would split or join differently fails here.
 */
#include <cJSON.h>

#include "test.h"

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/event.h"
#include "prog/attach.h"

/* Builds an event from a C string and checks its bytes. */
static void
check_frame(uint64_t id, const char *name, const char *data,
    const char *want)
{
	struct aa_event *ev;

	ASSERT_EQ(aa_event_new(&ev, id, name, data, strlen(data)), 0);
	ASSERT_EQ(ev->id, id);
	ASSERT_EQ(ev->refs, 1);
	ASSERT_MEM_EQ(ev->data, ev->len, want, strlen(want));
	ASSERT_EQ(ev->data[ev->len], '\0');
	aa_event_unref(ev);
}

TEST(event_frame_with_and_without_id)
{
	check_frame(42, "status_change", "{\"status\":\"stable\"}",
	    "id: 42\nevent: status_change\ndata: {\"status\":\"stable\"}\n\n");
	check_frame(0, "message_update", "{}",
	    "event: message_update\ndata: {}\n\n");
	check_frame(UINT64_MAX, "x", "y",
	    "id: 18446744073709551615\nevent: x\ndata: y\n\n");
}

/* Every line ending in the data (LF, CRLF, lone CR) starts a new data:
 * line, so no byte of the text can end the frame early. */
TEST(event_multiline_data_is_split)
{
	check_frame(1, "e", "a\nb", "id: 1\nevent: e\ndata: a\ndata: b\n\n");
	check_frame(0, "e", "a\r\nb", "event: e\ndata: a\ndata: b\n\n");
	check_frame(0, "e", "a\rb", "event: e\ndata: a\ndata: b\n\n");
	check_frame(0, "e", "a\n\nb",
	    "event: e\ndata: a\ndata: \ndata: b\n\n");
	check_frame(0, "e", "a\n", "event: e\ndata: a\ndata: \n\n");
	check_frame(0, "e", "", "event: e\ndata: \n\n");
	check_frame(0, "e", "\r\n", "event: e\ndata: \ndata: \n\n");
}

/* Data with NUL bytes keeps its length: the frame is measured, not
 * strlen'd. */
TEST(event_binary_data_keeps_its_length)
{
	static const char data[] = { 'a', '\0', 'b' };
	static const char want[] = "event: e\ndata: a\0b\n\n";
	struct aa_event *ev;

	ASSERT_EQ(aa_event_new(&ev, 0, "e", data, sizeof(data)), 0);
	ASSERT_MEM_EQ(ev->data, ev->len, want, sizeof(want) - 1);
	aa_event_unref(ev);
}

/* A name that could break the frame is refused and nothing is built. */
TEST(event_bad_names_are_refused)
{
	static const char *const bad[] = { "", "a\nb", "a\rb", "\n", "x\r" };
	struct aa_event *ev = (struct aa_event *)1;
	size_t i;

	ASSERT_EQ(aa_event_new(&ev, 1, NULL, "d", 1), AA_EINVAL);
	ASSERT_NULL(ev);
	for (i = 0; i < AA__ARRAY_SIZE(bad); i++) {
		ev = (struct aa_event *)1;
		ASSERT_EQ(aa_event_new(&ev, 1, bad[i], "d", 1), AA_EINVAL);
		ASSERT_NULL(ev);
	}
}

TEST(event_comment_frames)
{
	struct aa_event *ev;

	ASSERT_EQ(aa_event_new_comment(&ev, "ping"), 0);
	ASSERT_EQ(ev->id, 0);
	ASSERT_MEM_EQ(ev->data, ev->len, ": ping\n\n", 8);
	aa_event_unref(ev);
	ASSERT_EQ(aa_event_new_comment(&ev, ""), 0);
	ASSERT_MEM_EQ(ev->data, ev->len, ": \n\n", 4);
	aa_event_unref(ev);
	ASSERT_EQ(aa_event_new_comment(&ev, "a\nb"), AA_EINVAL);
	ASSERT_NULL(ev);
	ASSERT_EQ(aa_event_new_comment(&ev, "a\r"), AA_EINVAL);
	ASSERT_NULL(ev);
}

/* JSON is printed compact, on one line, whatever its strings hold. */
TEST(event_json_is_one_line)
{
	cJSON *o = cJSON_CreateObject();
	struct aa_event *ev;

	ASSERT_NOT_NULL(o);
	cJSON_AddStringToObject(o, "message", "line 1\nline 2\r\n");
	cJSON_AddNumberToObject(o, "id", 3);
	ASSERT_EQ(aa_event_new_json(&ev, 7, "message_update", o), 0);
	ASSERT_STR_EQ(ev->data, "id: 7\nevent: message_update\n"
	    "data: {\"message\":\"line 1\\nline 2\\r\\n\",\"id\":3}\n\n");
	aa_event_unref(ev);
	cJSON_Delete(o);
}

/* References: every subscriber holds one; the last unref frees (ASan
 * reports a leak or a use after free if the count is off). */
TEST(event_refcount)
{
	struct aa_event *ev, *r1, *r2;

	ASSERT_EQ(aa_event_new(&ev, 1, "e", "d", 1), 0);
	r1 = aa_event_ref(ev);
	r2 = aa_event_ref(ev);
	ASSERT(r1 == ev && r2 == ev);
	ASSERT_EQ(ev->refs, 3);
	aa_event_unref(r1);
	aa_event_unref(r2);
	ASSERT_EQ(ev->refs, 1);
	ASSERT_MEM_EQ(ev->data, ev->len, "id: 1\nevent: e\ndata: d\n\n", 24);
	aa_event_unref(ev);
	aa_event_unref(NULL);
}

/* What the attach client's parser saw. */
struct seen {
	int n;
	struct aa_buf name, data;
};

static int
on_event(void *ud, const char *name, const char *data)
{
	struct seen *s = ud;

	s->n++;
	aa_buf_reset(&s->name);
	aa_buf_reset(&s->data);
	aa_buf_puts(&s->name, name);
	aa_buf_puts(&s->data, data);
	return 0;
}

/* A frame read back by an SSE parser gives the name and the data again,
 * with its line endings as LF (what EventSource hands to scripts). */
TEST(event_round_trip_through_a_parser)
{
	static const struct {
		const char *data, *want;
	} cases[] = {
		{ "{\"a\":1}", "{\"a\":1}" },
		{ "one\ntwo", "one\ntwo" },
		{ "one\r\ntwo\rthree", "one\ntwo\nthree" },
		{ " leading space", " leading space" },
		{ "data: inside", "data: inside" },
		{ ": not a comment", ": not a comment" },
	};
	struct aa_event *ev, *ping;
	struct seen s;
	size_t i;

	aa_buf_init(&s.name);
	aa_buf_init(&s.data);
	ASSERT_EQ(aa_event_new_comment(&ping, "ping"), 0);
	for (i = 0; i < AA__ARRAY_SIZE(cases); i++) {
		s.n = 0;
		ASSERT_EQ(aa_event_new(&ev, i + 1, "message_update",
		    cases[i].data, strlen(cases[i].data)), 0);
		/* A heartbeat in front must not change the event. */
		ASSERT_EQ(aa__attach_sse_feed_for_test(ping->data, ping->len,
		    on_event, &s), 0);
		ASSERT_EQ(s.n, 0);
		ASSERT_EQ(aa__attach_sse_feed_for_test(ev->data, ev->len,
		    on_event, &s), 0);
		ASSERT_EQ(s.n, 1);
		ASSERT_STR_EQ(aa_buf_str(&s.name), "message_update");
		ASSERT_STR_EQ(aa_buf_str(&s.data), cases[i].want);
		aa_event_unref(ev);
	}
	aa_event_unref(ping);
	aa_buf_release(&s.name);
	aa_buf_release(&s.data);
}
