/*
 * test-send.c - the typing protocol (send.c) without a PTY or a loop.
 *
 * Each case plays the driver's part by hand: it passes the time and the
 * screen, collects the writes a step asks for, and checks the next wake-up
 * against upstream's WaitFor timeline (core.md §2.7-2.8): phase 1 checks
 * at 50, 150, 350, 750, 1250, 1750 ms and times out at 2 s; a seen echo
 * is re-checked echo_settle_ms later; phase 2 writes "\r", looks 25 ms
 * later, backs off 25, 50, 100 ... 500 ms and presses Enter again every
 * cr_retry_ms until process_timeout_ms.  The input queue it is shown
 * (queued, queue_max) decides between "did not react" and "not reading".
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "base/aa-internal.h"
#include "base/buf.h"
#include "core/send.h"

struct fx {
	struct aa_send *q;
	struct aa_send_step st;
	struct aa_buf out;	/* every byte written, in order */
	size_t nwrites;		/* every write, counted */
	size_t crs;		/* "\r" writes */
	int64_t cr_at[16];	/* when each "\r" was written */
	int64_t now;
	size_t queued;		/* input the agent has not read */
	size_t queue_max;	/* 0: no limit */
};

/* What the machine sees at time now with screen. */
static struct aa_send_input
fx_in(const struct fx *f, int64_t now, const char *screen)
{
	return (struct aa_send_input){ .now = now, .screen = screen,
	    .len = screen != NULL ? strlen(screen) : 0, .queued = f->queued,
	    .queue_max = f->queue_max };
}

/* A machine with o (NULL: upstream's defaults). */
static void
fx_init(struct fx *f, const struct aa_send_options *o)
{
	memset(f, 0, sizeof(*f));
	ASSERT_EQ(aa_send_new(&f->q, o), 0);
	aa_buf_init(&f->out);
}

static void
fx_free(struct fx *f)
{
	aa_send_free(f->q);
	aa_buf_release(&f->out);
}

/* Carries out the step's writes the way a driver does. */
static void
fx_apply(struct fx *f)
{
	size_t i;

	for (i = 0; i < f->st.nwrites; i++) {
		ASSERT_EQ(aa_buf_append(&f->out, f->st.writes[i].data,
		    f->st.writes[i].len), 0);
		f->nwrites++;
		if (f->st.writes[i].len == 1 &&
		    f->st.writes[i].data[0] == '\r' &&
		    f->crs < AA__ARRAY_SIZE(f->cr_at))
			f->cr_at[f->crs++] = f->now;
	}
}

/* Starts a send of text on screen at time 0. */
static void
fx_begin(struct fx *f, const char *text, const char *screen)
{
	struct aa_send_input in = fx_in(f, f->now, screen);

	ASSERT_EQ(aa_send_begin(f->q, &in, text, strlen(text), &f->st), 0);
	fx_apply(f);
}

/* Sleeps until the wake-up the last step asked for, then ticks with
 * screen; returns the time of the tick. */
static int64_t
fx_wake(struct fx *f, const char *screen)
{
	struct aa_send_input in;

	ASSERT(!f->st.done);
	ASSERT_GE(f->st.wake, f->now);
	f->now = f->st.wake;
	in = fx_in(f, f->now, screen);
	ASSERT_EQ(aa_send_tick(f->q, &in, &f->st), 0);
	fx_apply(f);
	return f->now;
}

TEST(send_frames_the_text_as_upstream)
{
	struct fx f;
	size_t len;

	fx_init(&f, NULL);
	ASSERT(!aa_send_active(f.q));
	fx_begin(&f, "hello", "> ");
	/* §1.7: four parts, each with its own write, no "\r" yet. */
	ASSERT_EQ(f.st.nwrites, 4);
	ASSERT_MEM_EQ(f.st.writes[0].data, f.st.writes[0].len, "x\b", 2);
	ASSERT_MEM_EQ(f.st.writes[1].data, f.st.writes[1].len, "\033[200~",
	    6);
	ASSERT_MEM_EQ(f.st.writes[2].data, f.st.writes[2].len, "hello", 5);
	ASSERT_MEM_EQ(f.st.writes[3].data, f.st.writes[3].len, "\033[201~",
	    6);
	ASSERT_EQ(f.st.wake, 50);
	ASSERT(!f.st.done);
	ASSERT_NULL(f.st.log);
	ASSERT(aa_send_active(f.q));
	ASSERT_STR_EQ(aa_send_text(f.q, &len), "hello");
	ASSERT_EQ(len, 5);
	fx_free(&f);
}

TEST(send_echo_seen_settles_then_enter_is_seen)
{
	struct fx f;

	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	/* The first check at 50 ms sees the echo, re-checked 1 s later. */
	ASSERT_EQ(fx_wake(&f, "> hi"), 50);
	ASSERT_EQ(f.st.nwrites, 0);
	ASSERT_EQ(f.st.wake, 1050);
	/* Still the same: phase 2 writes "\r" at once and looks 25 ms later. */
	ASSERT_EQ(fx_wake(&f, "> hi"), 1050);
	ASSERT_EQ(f.crs, 1);
	ASSERT_EQ(f.st.wake, 1075);
	/* The screen moved: done, about 1.1 s after the write (§2.7). */
	ASSERT_EQ(fx_wake(&f, "> hi\nThinking"), 1075);
	ASSERT(f.st.done);
	ASSERT_EQ(f.st.err, 0);
	ASSERT_EQ(f.st.wake, -1);
	ASSERT(!aa_send_active(f.q));
	ASSERT_MEM_EQ(f.out.data, f.out.len, "x\b\033[200~hi\033[201~\r", 17);
	fx_free(&f);
}

TEST(send_echo_still_moving_backs_off_and_looks_again)
{
	struct fx f;

	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	ASSERT_EQ(fx_wake(&f, "> h"), 50);
	ASSERT_EQ(f.st.wake, 1050);
	/* Changed again during the settle: the round failed, back off to
	 * 100 ms and compare with the screen before typing again. */
	ASSERT_EQ(fx_wake(&f, "> hi"), 1050);
	ASSERT_EQ(f.st.nwrites, 0);
	ASSERT_EQ(f.st.wake, 1150);
	ASSERT_EQ(fx_wake(&f, "> hi"), 1150);
	ASSERT_EQ(f.st.wake, 2150); /* a new probe, settle once more */
	ASSERT_EQ(fx_wake(&f, "> hi"), 2150);
	ASSERT_EQ(f.crs, 1);
	ASSERT(!f.st.done);
	fx_free(&f);
}

TEST(send_no_echo_times_out_and_sends_enter_anyway)
{
	static const int64_t checks[] = { 50, 150, 350, 750, 1250, 1750 };
	struct fx f;
	size_t i;

	fx_init(&f, NULL);
	fx_begin(&f, "hi", "[box]");
	for (i = 0; i < AA__ARRAY_SIZE(checks); i++) {
		ASSERT_EQ(fx_wake(&f, "[box]"), checks[i]);
		ASSERT_EQ(f.st.nwrites, 0);
		ASSERT_NULL(f.st.log);
	}
	/* The last sleep is cut at the 2 s deadline (WaitFor). */
	ASSERT_EQ(f.st.wake, 2000);
	ASSERT_EQ(fx_wake(&f, "[box]"), 2000);
	ASSERT_NOT_NULL(f.st.log);
	ASSERT_EQ(f.st.log_level, AA_LOG_INFO);
	ASSERT_STR_EQ(f.st.log, "echo detection timed out, sending carriage "
	    "return timeout=2000ms");
	ASSERT_EQ(f.crs, 1);
	ASSERT_EQ(f.st.wake, 2025);
	ASSERT_EQ(fx_wake(&f, "[box]\nWorking"), 2025);
	ASSERT(f.st.done);
	ASSERT_EQ(f.st.err, 0);
	fx_free(&f);
}

TEST(send_agent_never_reacts_fails_after_process_timeout)
{
	struct fx f;
	size_t i;

	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	fx_wake(&f, "> hi");
	ASSERT_EQ(fx_wake(&f, "> hi"), 1050); /* phase 2 starts, "\r" */
	while (!f.st.done)
		fx_wake(&f, "> hi");
	/* Enter again every 3 s at the first look after it is due, never
	 * more often (aider acts on each one), and no look is more than
	 * 500 ms + 25 ms after the one before. */
	ASSERT_EQ(f.crs, 5);
	ASSERT_EQ(f.cr_at[0], 1050);
	for (i = 1; i < f.crs; i++) {
		ASSERT_GE(f.cr_at[i] - f.cr_at[i - 1], 3000);
		ASSERT_LT(f.cr_at[i] - f.cr_at[i - 1], 3000 + 525);
	}
	/* The timeout is seen when a sleep ends at the deadline. */
	ASSERT_EQ(f.now, 1050 + 15000);
	ASSERT_EQ(f.st.err, AA_ENOREACT);
	ASSERT_EQ(f.st.nwrites, 0);
	ASSERT_EQ(f.st.log_level, AA_LOG_WARN);
	ASSERT_STR_EQ(f.st.log, "failed to wait for processing to start: "
	    "timeout waiting for condition");
	ASSERT(!aa_send_active(f.q));
	fx_free(&f);
}

TEST(send_phase_two_backs_off_from_25_to_500_ms)
{
	static const int64_t looks[] = { 1075, 1150, 1275, 1500, 1925, 2450,
		2975, 3500 };
	struct fx f;
	size_t i;

	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	fx_wake(&f, "> hi");
	fx_wake(&f, "> hi");
	/* Each PROC sleep (25, 50, 100 ... 500) ends in a look 25 ms later. */
	for (i = 0; i < AA__ARRAY_SIZE(looks); i++) {
		ASSERT_EQ(f.st.wake, looks[i]);
		fx_wake(&f, "> hi"); /* the look */
		fx_wake(&f, "> hi"); /* the sleep's end */
	}
	fx_free(&f);
}

TEST(send_enter_compares_with_the_screen_before_enter)
{
	struct fx f;

	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	fx_wake(&f, "> hi");
	fx_wake(&f, "> hi");
	/* The echo differs from the screen before typing, but phase 2
	 * compares with the screen when Enter was first pressed. */
	fx_wake(&f, "> hi");
	ASSERT(!f.st.done);
	fx_wake(&f, "> hi");
	fx_wake(&f, "> hi\n");
	ASSERT(f.st.done);
	ASSERT_EQ(f.st.err, 0);
	fx_free(&f);
}

TEST(send_options_change_every_deadline)
{
	struct fx f;

	fx_init(&f, &(struct aa_send_options){ .echo_timeout_ms = 300,
	    .echo_settle_ms = 10, .process_timeout_ms = 700,
	    .cr_retry_ms = 200 });
	fx_begin(&f, "hi", "> ");
	fx_wake(&f, "> ");
	fx_wake(&f, "> ");
	ASSERT_EQ(f.st.wake, 300); /* 150 + 200 cut at 300 */
	fx_wake(&f, "> ");
	ASSERT_STR_EQ(f.st.log, "echo detection timed out, sending carriage "
	    "return timeout=300ms");
	while (!f.st.done)
		fx_wake(&f, "> ");
	ASSERT_EQ(f.now, 300 + 700);
	ASSERT_EQ(f.st.err, AA_ENOREACT);
	ASSERT_GE(f.crs, 3);
	ASSERT_LE(f.crs, 4);
	fx_free(&f);

	/* A seen echo is re-checked echo_settle_ms later. */
	fx_init(&f, &(struct aa_send_options){ .echo_settle_ms = 10 });
	fx_begin(&f, "hi", "> ");
	fx_wake(&f, "> hi");
	ASSERT_EQ(f.st.wake, 60);
	fx_free(&f);
}

TEST(send_framing_is_an_option)
{
	static const char *const pre[] = { "\025", NULL };   /* Ctrl-U */
	static const char *const none[] = { NULL };
	struct fx f;

	/* An agent that wants the line cleared and no paste markers. */
	fx_init(&f, &(struct aa_send_options){ .pre = pre, .post = none });
	fx_begin(&f, "hi", "> ");
	ASSERT_EQ(f.st.nwrites, 2);
	fx_wake(&f, "> hi");
	fx_wake(&f, "> hi");
	ASSERT_MEM_EQ(f.out.data, f.out.len, "\025hi\r", 4);
	fx_free(&f);
}

TEST(send_rejects_framing_too_long_for_one_step)
{
	static const char *const many[] = { "a", "b", "c", "d", "e", "f",
		"g", "h", NULL };
	struct aa_send *q = (struct aa_send *)1;

	ASSERT_EQ(aa_send_new(&q, &(struct aa_send_options){ .pre = many }),
	    AA_EINVAL);
	ASSERT_NULL(q);
	ASSERT_EQ(aa_send_new(NULL, NULL), AA_EINVAL);
}

TEST(send_one_at_a_time)
{
	struct fx f;
	struct aa_send_step st;
	struct aa_send_input in;

	fx_init(&f, NULL);
	fx_begin(&f, "first", "> ");
	in = fx_in(&f, 10, "> ");
	ASSERT_EQ(aa_send_begin(f.q, &in, "second", 6, &st), AA_EBUSY);
	ASSERT_EQ(st.nwrites, 0);
	ASSERT_STR_EQ(aa_send_text(f.q, NULL), "first");
	/* The first one goes on undisturbed. */
	ASSERT_EQ(fx_wake(&f, "> first"), 50);
	fx_free(&f);
}

TEST(send_early_tick_keeps_sleeping)
{
	struct fx f;
	struct aa_send_input in;

	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	in = fx_in(&f, 20, "> hi");
	ASSERT_EQ(aa_send_tick(f.q, &in, &f.st), 0);
	ASSERT_EQ(f.st.nwrites, 0);
	ASSERT(!f.st.done);
	ASSERT_EQ(f.st.wake, 50);
	/* The early screen was not taken as the echo. */
	ASSERT_EQ(fx_wake(&f, "> "), 50);
	ASSERT_EQ(f.st.wake, 150);
	fx_free(&f);
}

TEST(send_failed_writes_end_the_send)
{
	struct fx f;

	/* A part could not be written: AA_EIO, worded for the part. */
	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	aa_send_write_failed(f.q, AA_E2BIG, &f.st);
	ASSERT(f.st.done);
	ASSERT_EQ(f.st.err, AA_EIO);
	ASSERT_EQ(f.st.nwrites, 0);
	ASSERT_EQ(f.st.log_level, AA_LOG_ERROR);
	ASSERT_NOT_NULL(strstr(f.st.log, "failed to write message part: "));
	ASSERT(!aa_send_active(f.q));
	fx_free(&f);

	/* The agent went away while Enter was written: AA_EEXITED stays. */
	fx_init(&f, NULL);
	fx_begin(&f, "hi", "> ");
	fx_wake(&f, "> hi");
	fx_wake(&f, "> hi");
	ASSERT_EQ(f.crs, 1);
	aa_send_write_failed(f.q, AA_EEXITED, &f.st);
	ASSERT(f.st.done);
	ASSERT_EQ(f.st.err, AA_EEXITED);
	ASSERT_STR_EQ(f.st.log, "failed to write carriage return: the agent "
	    "has exited");
	fx_free(&f);

	/* Nothing in progress: nothing to end. */
	fx_init(&f, NULL);
	aa_send_write_failed(f.q, AA_EIO, &f.st);
	ASSERT(!f.st.done);
	ASSERT_NULL(f.st.log);
	fx_free(&f);
}

TEST(send_cancel_mid_send_then_send_again)
{
	struct fx f;
	struct aa_send_input in;

	fx_init(&f, NULL);
	fx_begin(&f, "first", "> ");
	fx_wake(&f, "> first");
	aa_send_cancel(f.q);
	ASSERT(!aa_send_active(f.q));
	/* A tick after the stop asks for nothing. */
	in = fx_in(&f, 5000, "> first");
	ASSERT_EQ(aa_send_tick(f.q, &in, &f.st), 0);
	ASSERT_EQ(f.st.nwrites, 0);
	ASSERT(!f.st.done);
	ASSERT_EQ(f.st.wake, -1);
	/* The next send starts from scratch, with its own deadlines. */
	f.now = 6000;
	f.out.len = 0;
	fx_begin(&f, "second", "> first");
	ASSERT_EQ(f.st.wake, 6050);
	ASSERT_STR_EQ(aa_send_text(f.q, NULL), "second");
	fx_wake(&f, "> first");
	ASSERT_EQ(f.st.wake, 6150);
	fx_free(&f);
}

TEST(send_empty_screens_and_binary_text)
{
	static const char text[] = { 'a', '\0', 'b' };
	struct fx f;
	struct aa_send_input in;
	size_t len;

	fx_init(&f, NULL);
	in = fx_in(&f, 0, NULL);
	ASSERT_EQ(aa_send_begin(f.q, &in, text, sizeof(text), &f.st), 0);
	fx_apply(&f);
	ASSERT_MEM_EQ(f.st.writes[2].data, f.st.writes[2].len, text,
	    sizeof(text));
	aa_send_text(f.q, &len);
	ASSERT_EQ(len, sizeof(text));
	in = fx_in(&f, 50, NULL);
	ASSERT_EQ(aa_send_tick(f.q, &in, &f.st), 0);
	ASSERT_EQ(f.st.wake, 150);
	ASSERT_EQ(aa_send_begin(f.q, &in, NULL, 1, &f.st), AA_EINVAL);
	in.len = 1;
	ASSERT_EQ(aa_send_tick(f.q, &in, &f.st), AA_EINVAL);
	ASSERT_EQ(aa_send_tick(f.q, NULL, &f.st), AA_EINVAL);
	aa_send_free(NULL);
	fx_free(&f);
}

TEST(send_refuses_a_message_that_does_not_fit_the_queue)
{
	struct fx f;
	struct aa_send_input in;

	/* "x\b" + paste start + "hello" + paste end is 19 bytes. */
	fx_init(&f, NULL);
	f.queue_max = 100;
	f.queued = 82;
	in = fx_in(&f, 0, "> ");
	ASSERT_EQ(aa_send_begin(f.q, &in, "hello", 5, &f.st), AA_EAGAIN);
	ASSERT_EQ(f.st.nwrites, 0);
	ASSERT(!aa_send_active(f.q));
	f.queued = 81;
	fx_begin(&f, "hello", "> ");
	ASSERT_EQ(f.st.nwrites, 4);
	fx_free(&f);

	/* A queue fuller than its limit, and no limit at all. */
	fx_init(&f, NULL);
	f.queue_max = 10;
	f.queued = 20;
	in = fx_in(&f, 0, "> ");
	ASSERT_EQ(aa_send_begin(f.q, &in, "", 0, &f.st), AA_EAGAIN);
	f.queue_max = 0;
	fx_begin(&f, "hello", "> ");
	fx_free(&f);
}

TEST(send_input_never_read_is_not_reading)
{
	struct fx f;

	/* Everything was typed into a queue the agent never drains. */
	fx_init(&f, NULL);
	f.queue_max = 1000;
	fx_begin(&f, "hi", "> ");
	f.queued = 17;
	while (!f.st.done)
		fx_wake(&f, "> ");
	ASSERT_EQ(f.now, 2000 + 15000);
	ASSERT_EQ(f.st.err, AA_EAGAIN);
	ASSERT_EQ(f.st.log_level, AA_LOG_WARN);
	ASSERT_NOT_NULL(strstr(f.st.log, "not reading its input"));
	fx_free(&f);

	/* Read, but no reaction: the agent did not react. */
	fx_init(&f, NULL);
	f.queue_max = 1000;
	fx_begin(&f, "hi", "> ");
	while (!f.st.done)
		fx_wake(&f, "> ");
	ASSERT_EQ(f.st.err, AA_ENOREACT);
	fx_free(&f);
}
