/*
 * test-steer.c - aa_steer: the state's rules in their order, the prompt's
 * "since" surviving a countdown, and queue delivery only when idle.
 */
#include "test.h"

#include "agentapi.h"
#include "core/steer.h"

#define ASK "Do you want to run this command?\n\xe2\x9d\xaf 1. Yes\n" \
	"  2. No\n"
#define IDLE_SCREEN "Done.\n\n> \n"

static unsigned
feed(struct aa_steer *st, int64_t now, enum aa_conv_status status,
    int sending, int exited, const char *screen)
{
	struct aa_steer_input in;

	memset(&in, 0, sizeof(in));
	in.now_ns = now;
	in.status = status;
	in.sending = sending;
	in.exited = exited;
	in.screen = screen;
	in.screen_len = screen != NULL ? strlen(screen) : 0;
	return aa_steer_update(st, &in);
}

TEST(steer_state_rules)
{
	struct aa_steer st;

	aa_steer_init(&st, NULL, 0, 0);
	ASSERT_EQ(st.state, AA_STATE_STARTING);
	ASSERT_EQ(feed(&st, 1, AA_CONV_INITIALIZING, 0, 0, "loading\n"), 0);
	/* A trust dialog before the agent was ever ready: waiting. */
	ASSERT_EQ(feed(&st, 2, AA_CONV_INITIALIZING, 0, 0,
	    "Do you trust the files in this folder?\n\xe2\x9d\xaf 1. Yes\n"
	    "  2. No\n"), AA_STEER_STATE | AA_STEER_PROMPT);
	ASSERT_EQ(st.state, AA_STATE_WAITING);
	ASSERT_EQ(st.prompt.kind, AA_PROMPT_TRUST);
	ASSERT_EQ(feed(&st, 3, AA_CONV_STABLE, 0, 0, IDLE_SCREEN),
	    AA_STEER_STATE | AA_STEER_PROMPT);
	ASSERT_EQ(st.state, AA_STATE_IDLE);
	ASSERT_EQ(st.waiting, 0);
	ASSERT_EQ(feed(&st, 4, AA_CONV_CHANGING, 0, 0, NULL), AA_STEER_STATE);
	ASSERT_EQ(st.state, AA_STATE_WORKING);
	/* Our own message being typed is never a question. */
	ASSERT_EQ(feed(&st, 5, AA_CONV_STABLE, 1, 0, "> Ok? (y/n)\n"), 0);
	ASSERT_EQ(st.state, AA_STATE_WORKING);
	ASSERT_EQ(st.waiting, 0);
	ASSERT_EQ(feed(&st, 6, AA_CONV_STABLE, 0, 1, ASK), AA_STEER_STATE);
	ASSERT_EQ(st.state, AA_STATE_EXITED);
	ASSERT_EQ(st.waiting, 0);
	aa_steer_release(&st);
}

TEST(steer_prompt_survives_countdown)
{
	struct aa_steer st;

	aa_steer_init(&st, NULL, 0, 0);
	feed(&st, 100, AA_CONV_STABLE, 0, 0, IDLE_SCREEN);
	ASSERT_EQ(feed(&st, 200, AA_CONV_CHANGING, 0, 0, ASK "  12s\n"),
	    AA_STEER_STATE | AA_STEER_PROMPT);
	ASSERT_EQ(st.state, AA_STATE_WAITING);
	ASSERT_EQ(st.since_ns, 200);
	/* The screen keeps moving (a timer): still the same prompt. */
	ASSERT_EQ(feed(&st, 300, AA_CONV_CHANGING, 0, 0, ASK "  11s\n"), 0);
	ASSERT_EQ(feed(&st, 400, AA_CONV_CHANGING, 0, 0,
	    "Do you want to run this command?\n  1. Yes\n"
	    "\xe2\x9d\xaf 2. No\n"), 0);
	ASSERT_EQ(st.since_ns, 200);
	ASSERT_EQ(st.prompt.selected, 1);
	/* Another question is a new prompt. */
	ASSERT_EQ(feed(&st, 500, AA_CONV_CHANGING, 0, 0,
	    "Allow edit?\n\xe2\x9d\xaf 1. Yes\n  2. No\n"), AA_STEER_PROMPT);
	ASSERT_EQ(st.since_ns, 500);
	ASSERT_EQ(aa_steer_take_changes(&st),
	    AA_STEER_STATE | AA_STEER_PROMPT);
	ASSERT_EQ(aa_steer_take_changes(&st), 0);
	aa_steer_release(&st);
}

TEST(steer_queue_only_when_idle)
{
	struct aa_steer st;
	uint64_t a, b;

	aa_steer_init(&st, NULL, 2, 0);
	feed(&st, 1, AA_CONV_CHANGING, 0, 0, "working\n");
	ASSERT_EQ(aa_steer_enqueue(&st, "first", 5, 1, &a), 0);
	ASSERT_EQ(aa_steer_enqueue(&st, "second", 6, 1, &b), 0);
	ASSERT_EQ(aa_steer_enqueue(&st, "third", 5, 1, &b), AA_EAGAIN);
	ASSERT_EQ(aa_steer_take_changes(&st) & AA_STEER_QUEUE,
	    AA_STEER_QUEUE);
	ASSERT_NULL(aa_steer_due(&st));
	/* Waiting on a prompt: the queue holds. */
	feed(&st, 2, AA_CONV_STABLE, 0, 0, ASK);
	ASSERT_NULL(aa_steer_due(&st));
	feed(&st, 3, AA_CONV_STABLE, 0, 0, IDLE_SCREEN);
	ASSERT_NOT_NULL(aa_steer_due(&st));
	ASSERT_STR_EQ(aa_steer_due(&st)->text, "first");
	aa_steer_delivered(&st, a);
	/* Being typed: nothing else is due. */
	feed(&st, 4, AA_CONV_STABLE, 1, 0, NULL);
	ASSERT_NULL(aa_steer_due(&st));
	feed(&st, 5, AA_CONV_CHANGING, 0, 0, "reply\n");
	ASSERT_NULL(aa_steer_due(&st));
	feed(&st, 6, AA_CONV_STABLE, 0, 0, IDLE_SCREEN);
	ASSERT_STR_EQ(aa_steer_due(&st)->text, "second");
	ASSERT_EQ(aa_steer_dequeue(&st, b), 0);
	ASSERT_NULL(aa_steer_due(&st));
	ASSERT_EQ(aa_steer_dequeue(&st, b), AA_ENOENT);
	aa_steer_release(&st);
}

TEST(steer_state_names)
{
	ASSERT_STR_EQ(aa_steer_state_name(AA_STATE_WAITING), "waiting");
	ASSERT_STR_EQ(aa_steer_state_name(AA_STATE_EXITED), "exited");
	ASSERT_STR_EQ(aa_steer_state_name(AA_STATE_STARTING), "starting");
}
