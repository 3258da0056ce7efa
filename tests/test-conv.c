/*
 * test-conv.c - the conversation tracker (../shared/spec/core.md §2, the
 * conversation scenarios of §7 and the defects of §9 fixed in conv.c).
 *
 * A synthetic clock drives the tracker: fx_tick() advances it and passes
 * a screen.  Ticking every interval must reproduce upstream's status
 * sequences exactly; ticking only on change and at the deadline must
 * reach the same states.
 */
#include "conv-fixture.h"

#include "core/agent.h"
#include "core/snapshot.h"

#define I AA_CONV_INITIALIZING
#define C AA_CONV_CHANGING
#define S AA_CONV_STABLE

/* Ticks one screen per interval and checks the status after each. */
static void
run_sequence(int64_t interval, int64_t stability, const char *const *screens,
    const enum aa_conv_status *want, size_t n)
{
	struct fx f;
	size_t i;

	fx_init(&f, interval, stability);
	fx_start(&f);
	ASSERT_EQ(aa_conv_status(f.c), I);
	for (i = 0; i < n; i++) {
		enum aa_conv_status got = fx_tick(&f, interval, screens[i]);

		if (got != want[i])
			test_fail(__FILE__, __LINE__, "tick %zu: status %d, "
			    "want %d", i + 1, got, want[i]);
	}
	aa_conv_free(f.c);
}

TEST(conv_status_1s_2s)
{
	static const char *const sc[] = { "1", "1", "1", "1", "2" };
	static const enum aa_conv_status w[] = { I, I, S, S, C };

	run_sequence(1000, 2000, sc, w, 5);
}

TEST(conv_status_2s_3s)
{
	static const char *const sc[] = { "1", "1", "1", "1", "2", "2", "2",
		"2", "2" };
	static const enum aa_conv_status w[] = { I, I, S, S, C, C, S, S, S };

	run_sequence(2000, 3000, sc, w, 9);
}

TEST(conv_status_6s_14s)
{
	static const char *const sc[] = { "1", "1", "1", "1", "1", "1", "2",
		"2", "2", "2" };
	static const enum aa_conv_status w[] = { I, I, I, S, S, S, C, C, C,
		S };

	run_sequence(6000, 14000, sc, w, 10);
}

TEST(conv_status_production_threshold_81)
{
	struct fx f;
	int i;

	/* 2000/25 = 80, so 81 equal snapshots: stable on the 81st tick. */
	fx_init(&f, 25, 2000);
	fx_start(&f);
	for (i = 1; i <= 80; i++)
		ASSERT_EQ(fx_tick(&f, 25, "x"), I);
	ASSERT_EQ(fx_tick(&f, 25, "x"), S);
	ASSERT_EQ(fx_tick(&f, 25, "y"), C);
	for (i = 1; i < 80; i++)
		ASSERT_EQ(fx_tick(&f, 25, "y"), C);
	ASSERT_EQ(fx_tick(&f, 25, "y"), S);
	aa_conv_free(f.c);
}

TEST(conv_status_threshold_rounds_up)
{
	struct fx f;

	/* 100 ms / 250 ms: ceil(2.5) + 1 = 4 snapshots. */
	fx_init(&f, 100, 250);
	fx_start(&f);
	ASSERT_EQ(fx_tick(&f, 100, "a"), I);
	ASSERT_EQ(fx_tick(&f, 100, "a"), I);
	ASSERT_EQ(fx_tick(&f, 100, "a"), I);
	ASSERT_EQ(fx_tick(&f, 100, "a"), S);
	aa_conv_free(f.c);
}

TEST(conv_deadline_event_driven_matches_ticker)
{
	struct fx f;
	struct aa_time t;

	/* 2 s / 3 s again, but ticking only on change and at deadlines. */
	fx_init(&f, 2000, 3000);
	fx_start(&f);
	ASSERT_EQ(aa_conv_next_deadline(f.c), 2000); /* first tick */
	ASSERT_EQ(fx_tick(&f, 2000, "1"), I);
	ASSERT_EQ(aa_conv_next_deadline(f.c), 6000);
	ASSERT_EQ(fx_tick(&f, 4000, "1"), S);
	ASSERT_EQ(aa_conv_next_deadline(f.c), -1); /* idle: no wakeups */
	f.mono = 10000;
	t = fx_now(&f);
	ASSERT_EQ(aa_conv_tick(f.c, &t, "2", 1), 0);
	ASSERT_EQ(aa_conv_status(f.c), C);
	ASSERT_EQ(aa_conv_next_deadline(f.c), 14000);
	/* A tick before the deadline with the same screen changes nothing. */
	ASSERT_EQ(fx_tick(&f, 1000, "2"), C);
	ASSERT_EQ(aa_conv_next_deadline(f.c), 14000);
	f.mono = 14000;
	t = fx_now(&f);
	ASSERT_EQ(aa_conv_tick(f.c, &t, "2", 1), 0);
	ASSERT_EQ(aa_conv_status(f.c), S);
	ASSERT_EQ(aa_conv_next_deadline(f.c), -1);
	aa_conv_free(f.c);
}

TEST(conv_emits_mapped_status_changes_only)
{
	struct fx f;

	fx_init(&f, 1000, 2000);
	fx_start(&f);
	fx_tick(&f, 1000, "1");
	fx_tick(&f, 1000, "1");
	ASSERT_EQ(f.nstatus, 0); /* initializing maps to running: no event */
	fx_tick(&f, 1000, "1");
	ASSERT_EQ(f.nstatus, 1);
	ASSERT_EQ(f.statuses[0], S);
	fx_tick(&f, 1000, "1");
	ASSERT_EQ(f.nstatus, 1);
	fx_tick(&f, 1000, "2");
	ASSERT_EQ(f.nstatus, 2);
	ASSERT_EQ(f.statuses[1], C);
	aa_conv_free(f.c);
}

TEST(conv_initial_message_empty_and_formatter_not_applied)
{
	struct fx f;
	const struct aa_message *m;

	fx_init(&f, 100, 200);
	f.o.format = fx_format;
	fx_start(&f);
	FX_EXPECT(&f, "");
	m = aa_conv_message(f.c, 0);
	ASSERT_EQ(m->time_ns, FX_WALL0);
	ASSERT_NULL(aa_conv_message(f.c, 1));
	ASSERT_EQ(f.nmsg, 0);
	aa_conv_free(f.c);
}

TEST(conv_formatter_gets_user_input)
{
	struct fx f;

	fx_init(&f, 100, 200);
	f.o.format = fx_format;
	fx_start(&f);
	fx_until_stable(&f, "1", 5);
	FX_EXPECT(&f, "1 ");
	ASSERT_EQ(fx_send(&f, "2", "1", 1), 0);
	fx_until_stable(&f, "x", 5);
	FX_EXPECT(&f, "1 ", "u:2", "x 2");
	aa_conv_free(f.c);
}

TEST(conv_send_rejects_whitespace_padding)
{
	static const char *const bad[] = { "123 ", " 123", "123\t\t", "\n123",
		"123\n\t", " \t123\n\t", " " };
	struct fx f;
	size_t i;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "1", 5);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ(aa_conv_check_send(f.c, bad[i], strlen(bad[i])),
		    AA_EUNTRIMMED);
	ASSERT_EQ(aa_conv_check_send(f.c, "", 0), AA_EEMPTY);
	ASSERT_EQ(aa_conv_check_send(f.c, "123", 3), 0);
	/* NBSP is not WS6: upstream's trim keeps it, so it is content. */
	ASSERT_EQ(aa_conv_check_send(f.c, "\xc2\xa0" "a", 3), 0);
	aa_conv_free(f.c);
}

TEST(conv_send_rejected_unless_stable)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	ASSERT_EQ(aa_conv_check_send(f.c, "hi", 2), AA_EBUSY); /* init */
	fx_tick(&f, 100, "1");
	ASSERT_EQ(aa_conv_check_send(f.c, "hi", 2), AA_EBUSY);
	fx_until_stable(&f, "1", 5);
	ASSERT_EQ(aa_conv_check_send(f.c, "hi", 2), 0);
	fx_tick(&f, 100, "2"); /* changing */
	ASSERT_EQ(aa_conv_status(f.c), C);
	ASSERT_EQ(aa_conv_check_send(f.c, "hi", 2), AA_EBUSY);
	aa_conv_free(f.c);
}

TEST(conv_status_changing_while_sending)
{
	struct fx f;
	struct aa_time t;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "1", 5);
	t = fx_now(&f);
	ASSERT_EQ(aa_conv_send_begin(f.c, &t, "1", 1), 0);
	ASSERT_EQ(aa_conv_status(f.c), C);
	ASSERT(aa_conv_sending(f.c));
	ASSERT_EQ(aa_conv_send_begin(f.c, &t, "1", 1), AA_EBUSY);
	/* The echo of the typing never becomes the agent's message. */
	fx_tick(&f, 100, "1\n> hello");
	fx_tick(&f, 100, "1\n> hello");
	fx_tick(&f, 100, "1\n> hello");
	ASSERT_EQ(aa_conv_status(f.c), C);
	FX_EXPECT(&f, "1");
	t = fx_now(&f);
	ASSERT_EQ(aa_conv_send_end(f.c, &t, "hello", 5, 1), 0);
	ASSERT(!aa_conv_sending(f.c));
	ASSERT_EQ(aa_conv_status(f.c), C); /* last message is the user's */
	/* An update is due although the screen did not change. */
	ASSERT_EQ(aa_conv_next_deadline(f.c), f.mono);
	fx_tick(&f, 0, "1\n> hello");
	FX_EXPECT(&f, "1", "u:hello", "> hello");
	aa_conv_free(f.c);
}

TEST(conv_failed_send_records_nothing)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "1", 5);
	ASSERT_EQ(fx_send(&f, "hello", "1", 0), 0);
	FX_EXPECT(&f, "1");
	ASSERT(!aa_conv_sending(f.c));
	ASSERT_EQ(f.nerror, 0); /* a user send's failure is the caller's */
	fx_until_stable(&f, "1", 5);
	aa_conv_free(f.c);
}

TEST(conv_unchanged_screen_keeps_messages)
{
	struct fx f;
	const struct aa_message *m;
	int64_t t0;
	int nmsg;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "1", 5);
	m = aa_conv_message(f.c, 0);
	t0 = m->time_ns;
	ASSERT_EQ(t0, FX_WALL0 + 100 * 1000000);
	nmsg = f.nmsg;
	fx_tick(&f, 100, "1");
	fx_tick(&f, 100, "1");
	FX_EXPECT(&f, "1");
	ASSERT_EQ(aa_conv_message(f.c, 0)->time_ns, t0);
	ASSERT_EQ(f.nmsg, nmsg);
	aa_conv_free(f.c);
}

TEST(conv_tracks_messages)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "1", 5);
	FX_EXPECT(&f, "1");
	fx_until_stable(&f, "2", 5);
	FX_EXPECT(&f, "2");
	ASSERT_EQ(aa_conv_check_send(f.c, "3", 1), 0);
	ASSERT_EQ(fx_send(&f, "3", "2", 1), 0);
	fx_until_stable(&f, "4", 5);
	FX_EXPECT(&f, "2", "u:3", "4");
	fx_until_stable(&f, "5", 5);
	ASSERT_EQ(aa_conv_check_send(f.c, "6", 1), 0);
	ASSERT_EQ(fx_send(&f, "6", "5", 1), 0);
	fx_until_stable(&f, "7", 5);
	FX_EXPECT(&f, "2", "u:3", "5", "u:6", "7");
	ASSERT_EQ(aa_conv_status(f.c), S);
	aa_conv_free(f.c);
}

TEST(conv_overlapping_screens)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "1", 5);
	ASSERT_EQ(fx_send(&f, "2", "1", 1), 0);
	fx_until_stable(&f, "1\n3", 5);
	FX_EXPECT(&f, "1", "u:2", "3");
	fx_until_stable(&f, "1\n3x", 5);
	ASSERT_EQ(fx_send(&f, "4", "1\n3x", 1), 0);
	fx_until_stable(&f, "1\n3x\n5", 5);
	FX_EXPECT(&f, "1", "u:2", "3x", "u:4", "5");
	aa_conv_free(f.c);
}

TEST(conv_message_events_new_and_changed)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_tick(&f, 100, "1");
	ASSERT_EQ(f.nmsg, 1);
	ASSERT_EQ(f.nnew, 0); /* message 0 changed */
	fx_until_stable(&f, "1", 5);
	ASSERT_EQ(f.nmsg, 1);
	ASSERT_EQ(fx_send(&f, "hi", "1", 1), 0);
	ASSERT_EQ(f.nmsg, 2);
	ASSERT_EQ(f.nnew, 1); /* the user message */
	fx_tick(&f, 100, "1\nhey");
	ASSERT_EQ(f.nmsg, 3);
	ASSERT_EQ(f.nnew, 2); /* the reply */
	fx_tick(&f, 100, "1\nhey there");
	ASSERT_EQ(f.nmsg, 4);
	ASSERT_EQ(f.nnew, 2); /* the reply changed */
	aa_conv_free(f.c);
}

TEST(conv_agent_message_time_is_latest_change)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_tick(&f, 100, "a");
	fx_tick(&f, 100, "a");
	fx_tick(&f, 100, "b");
	ASSERT_EQ(aa_conv_message(f.c, 0)->time_ns, FX_WALL0 + 300 * 1000000);
	aa_conv_free(f.c);
}

/* Fix §9.2: upstream compared a new reply with the previous agent
 * message and never appended it when equal, leaving the status
 * "changing" forever.  Here: an agent whose screen stays blank. */
TEST(conv_fix_identical_consecutive_replies_appended)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "", 5);
	FX_EXPECT(&f, "");
	ASSERT_EQ(fx_send(&f, "anyone?", "", 1), 0);
	fx_until_stable(&f, "", 5);
	FX_EXPECT(&f, "", "u:anyone?", "");
	ASSERT_EQ(aa_conv_status(f.c), S);
	aa_conv_free(f.c);
}

/* Formats every screen to the same answer. */
static int
ok_format(void *ud, const char *msg, size_t len, const char *user,
    size_t ulen, struct aa_buf *out, struct aa_buf *tools)
{
	(void)ud, (void)msg, (void)len, (void)user, (void)ulen, (void)tools;
	return aa_buf_puts(out, "OK");
}

TEST(conv_fix_identical_reply_text_appended)
{
	struct fx f;

	fx_init(&f, 100, 200);
	f.o.format = ok_format;
	fx_start(&f);
	fx_until_stable(&f, "hello", 5);
	FX_EXPECT(&f, "OK");
	ASSERT_EQ(fx_send(&f, "q1", "hello", 1), 0);
	fx_until_stable(&f, "hello\nOK", 5);
	ASSERT_EQ(fx_send(&f, "q2", "hello\nOK", 1), 0);
	fx_until_stable(&f, "hello\nOK\nOK", 5);
	FX_EXPECT(&f, "OK", "u:q1", "OK", "u:q2", "OK");
	ASSERT_EQ(aa_conv_status(f.c), S);
	aa_conv_free(f.c);
}

TEST(conv_readiness_gates_stable)
{
	struct fx f;
	int i;

	/* Issue #209: stability 0 (threshold 1), never ready. */
	fx_init(&f, 100, 0);
	f.never_ready = 1;
	fx_start(&f);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(fx_tick(&f, 100, "loading"), C);
	ASSERT_EQ(aa_conv_check_send(f.c, "hi", 2), AA_EBUSY);
	ASSERT_EQ(aa_conv_next_deadline(f.c), -1);
	aa_conv_free(f.c);
}

TEST(conv_readiness_latches)
{
	struct fx f;

	fx_init(&f, 100, 0);
	f.ready_screen = "> ";
	fx_start(&f);
	ASSERT_EQ(fx_tick(&f, 100, "loading"), C);
	ASSERT_EQ(fx_tick(&f, 100, "> "), S);
	ASSERT_EQ(fx_tick(&f, 100, "working"), S); /* threshold 1 */
	aa_conv_free(f.c);
}

TEST(conv_initial_prompt_sent_when_ready_and_stable)
{
	struct fx f;
	const char *p;

	fx_init(&f, 100, 200);
	f.ready_screen = "ready>";
	f.o.initial_prompt = "  do the thing \n";
	fx_start(&f);
	ASSERT_STR_EQ(aa_conv_prompt(f.c), "do the thing");
	fx_tick(&f, 100, "boot");
	fx_tick(&f, 100, "boot");
	ASSERT_NULL(aa_conv_prompt_due(f.c));
	ASSERT_EQ(fx_tick(&f, 100, "boot"), C); /* not ready */
	ASSERT_EQ(fx_tick(&f, 100, "ready>"), C);
	ASSERT_NULL(aa_conv_prompt_due(f.c)); /* ready, not yet stable */
	ASSERT_EQ(fx_tick(&f, 100, "ready>"), C);
	ASSERT_EQ(fx_tick(&f, 100, "ready>"), C); /* prompt pending */
	p = aa_conv_prompt_due(f.c);
	ASSERT_NOT_NULL(p);
	ASSERT_STR_EQ(p, "do the thing");
	ASSERT_EQ(aa_conv_check_send(f.c, "x", 1), AA_EBUSY);
	ASSERT_EQ(fx_send(&f, p, "ready>", 1), 0);
	ASSERT_NULL(aa_conv_prompt_due(f.c));
	ASSERT_EQ(fx_tick(&f, 100, "ready>\nworking"), C);
	fx_until_stable(&f, "ready>\nanswer", 5);
	FX_EXPECT(&f, "ready>", "u:do the thing", "answer");
	aa_conv_free(f.c);
}

/* Fix §9.6: a whitespace-only prompt is no prompt, never an empty
 * user message. */
TEST(conv_fix_whitespace_only_prompt_rejected)
{
	struct fx f;

	fx_init(&f, 100, 200);
	f.o.initial_prompt = " \t\n ";
	fx_start(&f);
	ASSERT_STR_EQ(aa_conv_prompt(f.c), "");
	fx_until_stable(&f, "> ", 5);
	ASSERT_NULL(aa_conv_prompt_due(f.c));
	ASSERT_EQ(aa_conv_status(f.c), S);
	FX_EXPECT(&f, "> ");
	aa_conv_free(f.c);
}

/* Fix §9.4: a failed initial prompt is reported, not marked sent, and
 * retried a bounded number of times. */
TEST(conv_fix_failed_initial_prompt_not_marked_sent)
{
	struct fx f;
	struct aa_buf b;
	int i;

	fx_init(&f, 100, 200);
	f.o.initial_prompt = "go";
	fx_start(&f);
	fx_tick(&f, 100, "> ");
	fx_tick(&f, 100, "> ");
	fx_tick(&f, 100, "> ");
	for (i = 1; i <= 3; i++) {
		ASSERT_NOT_NULL(aa_conv_prompt_due(f.c));
		ASSERT_EQ(fx_send(&f, "go", "> ", 0), 0);
		ASSERT_EQ(f.nerror, i);
		ASSERT_EQ(f.error_level, AA_CONV_LEVEL_ERROR);
		ASSERT(strstr(f.error, "initial prompt") != NULL);
		fx_tick(&f, 100, "> ");
	}
	/* Given up: no longer due, no longer blocking the status. */
	ASSERT_NULL(aa_conv_prompt_due(f.c));
	ASSERT_EQ(aa_conv_status(f.c), S);
	aa_buf_init(&b);
	ASSERT_EQ(aa_conv_state_encode(f.c, &b), 0);
	ASSERT(strstr(b.data, "\"initial_prompt\":\"go\","
	    "\"initial_prompt_sent\":false}") != NULL);
	aa_buf_release(&b);
	FX_EXPECT(&f, "> ");
	aa_conv_free(f.c);
}

TEST(conv_initial_prompt_retry_succeeds)
{
	struct fx f;

	fx_init(&f, 100, 200);
	f.o.initial_prompt = "go";
	fx_start(&f);
	fx_tick(&f, 100, "> ");
	fx_tick(&f, 100, "> ");
	fx_tick(&f, 100, "> ");
	ASSERT_EQ(fx_send(&f, "go", "> ", 0), 0);
	ASSERT_EQ(aa_conv_status(f.c), C);
	/* Due again once the screen is stable again. */
	ASSERT_NOT_NULL(aa_conv_prompt_due(f.c));
	ASSERT_EQ(fx_send(&f, "go", "> ", 1), 0);
	ASSERT_NULL(aa_conv_prompt_due(f.c));
	fx_until_stable(&f, "> \ngone", 5);
	FX_EXPECT(&f, "> ", "u:go", "gone");
	aa_conv_free(f.c);
}

TEST(conv_new_rejects_bad_options)
{
	struct aa_conv_options o;
	struct aa_conv *c = NULL;
	struct aa_time t = { 0, 0 };

	memset(&o, 0, sizeof(o));
	ASSERT_EQ(aa_conv_new(&c, &o, &t), AA_EINVAL); /* no diff hook */
	o.diff = fx_diff;
	o.interval_ms = -1;
	ASSERT_EQ(aa_conv_new(&c, &o, &t), AA_EINVAL);
	o.interval_ms = 0;
	ASSERT_EQ(aa_conv_new(&c, &o, &t), 0);
	/* Defaults: 25 ms and 2 s, so the first deadline is 25 ms. */
	ASSERT_EQ(aa_conv_next_deadline(c), 25);
	aa_conv_free(c);
	aa_conv_free(NULL);
}

/* The busy hook of the test below: busy while the screen says so. */
static int
busy_word(void *ud, const char *screen, size_t len)
{
	(void)ud;
	return memmem(screen, len, "esc interrupt", 13) != NULL;
}

TEST(conv_busy_screen_is_never_stable)
{
	struct fx f;
	int i;

	fx_init(&f, 100, 200);
	f.o.busy = busy_word;
	fx_start(&f);
	/* A still screen that says busy stays changing, however long. */
	for (i = 0; i < 20; i++)
		ASSERT_NE(fx_tick(&f, 100, "thinking\nesc interrupt"), S);
	/* Once the indicator is gone, the usual window applies. */
	ASSERT_EQ(fx_tick(&f, 100, "reply\nctrl+p commands"), C);
	ASSERT_EQ(fx_tick(&f, 100, "reply\nctrl+p commands"), C);
	ASSERT_EQ(fx_tick(&f, 100, "reply\nctrl+p commands"), S);
	aa_conv_free(f.c);
}

/* The session's hooks: the real screen diff and the custom agent. */
static int
real_diff(void *ud, const char *old, size_t oldlen, const char *cur,
    size_t curlen, struct aa_buf *out)
{
	(void)ud;
	return aa_snapshot_diff(old, oldlen, cur, curlen, 0, out);
}

static int
real_format(void *ud, const char *msg, size_t len, const char *user,
    size_t ulen, struct aa_buf *out, struct aa_buf *tools)
{
	(void)ud;
	return aa_agent_format(aa_agent_custom(), msg, len, user, ulen, out,
	    tools);
}

/*
 * The same prompt twice in a row, with the same reply: upstream's diff
 * found every line of the second turn on the screen before it, so the
 * reply came out "" (the chat drew "●●●" for it).
 */
TEST(conv_repeated_prompt_keeps_the_reply)
{
	static const char s0[] = "Welcome\n\n> \n\n\n";
	static const char s1[] = "Welcome\n\n> same\nEcho: same\n\n> \n\n";
	static const char s2[] = "Welcome\n\n> same\nEcho: same\n\n"
	    "> same\nEcho: same\n\n> \n";
	static const char s3[] = "Welcome\n\n> same\nEcho: same\n\n"
	    "> same\nEcho: same\n\n> same\nEcho: same\n\n> \n";
	struct fx f;

	fx_init(&f, 100, 200);
	f.o.diff = real_diff;
	f.o.format = real_format;
	fx_start(&f);
	fx_until_stable(&f, s0, 5);
	ASSERT_EQ(fx_send(&f, "same", s0, 1), 0);
	fx_until_stable(&f, s1, 5);
	ASSERT_EQ(fx_send(&f, "same", s1, 1), 0);
	fx_until_stable(&f, s2, 5);
	FX_EXPECT(&f, "Welcome", "u:same", "Echo: same", "u:same",
	    "Echo: same");
	ASSERT_EQ(fx_send(&f, "same", s2, 1), 0);
	fx_until_stable(&f, s3, 5);
	FX_EXPECT(&f, "Welcome", "u:same", "Echo: same", "u:same",
	    "Echo: same", "u:same", "Echo: same");
	aa_conv_free(f.c);
}

/* Signs of a fake agent for the load tests: busy while "esc interrupt"
 * shows, its box is a "> " line, and its footer (the last line, a clock
 * that may tick on) is no part of a message. */
static int
signs_ready(void *ud, const char *screen, size_t len)
{
	(void)ud;
	return memmem(screen, len, "\n> ", 3) != NULL;
}

static int
signs_format(void *ud, const char *msg, size_t len, const char *user,
    size_t ulen, struct aa_buf *out, struct aa_buf *tools)
{
	const char *nl = memrchr(msg, '\n', len);

	(void)ud, (void)user, (void)ulen, (void)tools;
	return aa_buf_append(out, msg, nl != NULL ? (size_t)(nl - msg) : 0);
}

/* A tracker with the signs' hooks, ready and stable on "hi\n> \n0". */
static void
signs_start(struct fx *f, int64_t still_max)
{
	fx_init(f, 100, 1000);
	f->o.format = signs_format;
	f->o.ready = signs_ready;
	f->o.busy = busy_word;
	f->o.busy_still_max_ms = still_max;
	ASSERT_EQ(aa_conv_new(&f->c, &f->o, &(struct aa_time){ 0, 0 }), 0);
	fx_until_stable(f, "hi\n> \n0", 30);
	ASSERT_EQ(fx_send(f, "q", "hi\n> \n0", 1), 0);
}

/* Starved: the agent draws nothing for 5 s at a time mid-turn, well
 * over the 1 s window; its busy mark keeps the turn open throughout. */
TEST(conv_load_busy_mark_holds_a_starved_turn)
{
	struct fx f;
	int i;

	signs_start(&f, 0);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nworking\nesc interrupt"), C);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(fx_tick(&f, 5000, "hi\nworking\nesc interrupt"), C);
		ASSERT_EQ(aa_conv_status(f.c), C);
	}
	ASSERT_EQ(fx_tick(&f, 100, "hi\nanswer\n> \nclock 1"), C);
	fx_until_stable(&f, "hi\nanswer\n> \nclock 1", 30);
	aa_conv_free(f.c);
}

/* But a busy mark on a screen frozen for busy_still_max_ms lets go, and
 * the deadline says when. */
TEST(conv_load_stale_busy_mark_lets_go)
{
	struct fx f;

	signs_start(&f, 8000);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nstuck\nesc interrupt"), C);
	ASSERT_EQ(fx_tick(&f, 7999, "hi\nstuck\nesc interrupt"), C);
	ASSERT_EQ(aa_conv_next_deadline(f.c), f.mono + 1);
	ASSERT_EQ(fx_tick(&f, 1, "hi\nstuck\nesc interrupt"), S);
	aa_conv_free(f.c);
	/* < 0: it holds however long. */
	signs_start(&f, -1);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nstuck\nesc interrupt"), C);
	ASSERT_EQ(fx_tick(&f, 600000, "hi\nstuck\nesc interrupt"), C);
	ASSERT_EQ(aa_conv_next_deadline(f.c), -1);
	aa_conv_free(f.c);
}

/* Starved right after Enter: the agent has not drawn its busy mark yet
 * and its reply is empty; the turn stays open past the window until the
 * mark comes, then ends by its signs; an empty reply holds it too. */
TEST(conv_load_turn_waits_for_its_first_sign)
{
	struct fx f;
	int i;

	signs_start(&f, 0);
	/* Only the footer moved: the formatted reply is empty. */
	ASSERT_EQ(fx_tick(&f, 100, "hi\n> \n1"), C);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(fx_tick(&f, 2000, "hi\n> \n1"), C);
	ASSERT_EQ(aa_conv_next_deadline(f.c), f.mono - 10000 + 30000);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nworking\nesc interrupt"), C);
	ASSERT_EQ(fx_tick(&f, 5000, "hi\nworking\nesc interrupt"), C);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nanswer\n> \n2"), C);
	fx_until_stable(&f, "hi\nanswer\n> \n2", 30);
	FX_EXPECT(&f, "hi\n> ", "u:q", "answer\n> ");
	aa_conv_free(f.c);

	/* The mark came and went and the box is back, but the reply is
	 * still empty (opencode drew its turn summary before the text):
	 * not over until the text comes. */
	signs_start(&f, 0);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nworking\nesc interrupt"), C);
	ASSERT_EQ(fx_tick(&f, 100, "hi\n> \n2"), C);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(fx_tick(&f, 2000, "hi\n> \n2"), C);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nlate text\n> \n2"), C);
	fx_until_stable(&f, "hi\nlate text\n> \n2", 30);
	FX_EXPECT(&f, "hi\n> ", "u:q", "late text\n> ");
	aa_conv_free(f.c);

	/* A reply with text and no busy mark: upstream's window. */
	signs_start(&f, 0);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nquick\n> \n1"), C);
	ASSERT_EQ(fx_tick(&f, 999, "hi\nquick\n> \n1"), C);
	ASSERT_EQ(fx_tick(&f, 1, "hi\nquick\n> \n1"), S);
	aa_conv_free(f.c);

	/* Nothing at all for busy_still_max_ms: it lets go then. */
	signs_start(&f, 8000);
	ASSERT_EQ(fx_tick(&f, 100, "hi\n> \n1"), C);
	ASSERT_EQ(fx_tick(&f, 7999, "hi\n> \n1"), C);
	ASSERT_EQ(aa_conv_next_deadline(f.c), f.mono + 1);
	ASSERT_EQ(fx_tick(&f, 1, "hi\n> \n1"), S);
	FX_EXPECT(&f, "hi\n> ", "u:q", "");
	aa_conv_free(f.c);

	/* Without a busy hook (upstream), the empty turn ends at once. */
	fx_init(&f, 100, 1000);
	f.o.format = signs_format;
	ASSERT_EQ(aa_conv_new(&f.c, &f.o, &(struct aa_time){ 0, 0 }), 0);
	fx_until_stable(&f, "hi\n> \n0", 30);
	ASSERT_EQ(fx_send(&f, "q", "hi\n> \n0", 1), 0);
	ASSERT_EQ(fx_tick(&f, 100, "hi\n> \n1"), C);
	ASSERT_EQ(fx_tick(&f, 1000, "hi\n> \n1"), S);
	aa_conv_free(f.c);
}

/* After a busy mark came and went, with the box back and the message
 * quiet, the turn is over though a clock in the footer keeps ticking;
 * an agent that never showed a busy mark keeps upstream's rule. */
TEST(conv_load_idle_by_its_own_signs)
{
	char scr[64];
	struct fx f;
	int i;

	signs_start(&f, 0);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nworking\nesc interrupt"), C);
	/* The reply streams, then the clock alone changes. */
	ASSERT_EQ(fx_tick(&f, 100, "hi\nanswer\n> \nclock 0"), C);
	for (i = 1; i < 10; i++) {
		snprintf(scr, sizeof(scr), "hi\nanswer\n> \nclock %d", i);
		ASSERT_EQ(fx_tick(&f, 100, scr), C);
	}
	/* 900 ms of quiet message so far; the deadline is the window. */
	ASSERT_EQ(aa_conv_next_deadline(f.c), f.mono + 100);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nanswer\n> \nclock 10"), S);
	FX_EXPECT(&f, "hi\n> ", "u:q", "answer\n> ");
	/* Over by its signs, the next wake is the screen's window, not a
	 * moment already past (a timer spinning while the clock ticks). */
	ASSERT_EQ(aa_conv_next_deadline(f.c), f.mono + 1000);
	/* The message changing again reopens it. */
	ASSERT_EQ(fx_tick(&f, 100, "hi\nanswer more\n> \nclock 11"), C);
	aa_conv_free(f.c);

	/* No busy mark in this turn: a ticking clock keeps it open. */
	signs_start(&f, 0);
	for (i = 0; i < 50; i++) {
		snprintf(scr, sizeof(scr), "hi\nanswer\n> \nclock %d", i);
		ASSERT_EQ(fx_tick(&f, 100, scr), C);
	}
	aa_conv_free(f.c);

	/* Busy gone but no input box: not idle by its signs. */
	signs_start(&f, 0);
	ASSERT_EQ(fx_tick(&f, 100, "hi\nworking\nesc interrupt"), C);
	for (i = 0; i < 50; i++) {
		snprintf(scr, sizeof(scr), "hi\nanswer\nclock %d", i);
		ASSERT_EQ(fx_tick(&f, 100, scr), C);
	}
	aa_conv_free(f.c);
}
