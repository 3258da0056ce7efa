/*
 * test-watch.c - the session's parser health glue (runtime/watch.h): a
 * turn's echo and box found or not through aa_watch_format, judged when
 * the status settles; the ready marker looked for on new screens (at most
 * every 100 ms, the last one never skipped); save outcomes; the output of
 * the format hook is aa_agent_format's.
 */
#include "test.h"

#include "agentapi.h"

#include "base/buf.h"
#include "core/agent.h"
#include "runtime/watch.h"

/* The reason codes, space-separated, in order. */
static const char *
codes(const struct aa_watch *w, char *out, size_t n)
{
	const struct aa_health *h = aa_watch_health(w);
	const struct aa_health_reason *r;
	size_t i, k = 0;

	out[0] = '\0';
	for (i = 0; (r = aa_health_reason(h, i)) != NULL; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%s", i ? " " : "",
		    r->name);
	return out;
}

/* One tick with the given screen and status. */
static int
tick(struct aa_watch *w, int64_t now, const char *screen, int changed,
    int stable)
{
	struct aa_watch_tick t = { .now_ms = now, .screen = screen,
		.len = strlen(screen), .changed = changed, .stable = stable };

	return aa_watch_tick(w, &t);
}

/* Formats msg as the reply to user, as the conversation does. */
static void
format(struct aa_watch *w, const struct aa_agent *a, const char *msg,
    const char *user)
{
	struct aa_buf out, want;

	aa_buf_init(&out);
	aa_buf_init(&want);
	ASSERT_EQ(aa_watch_format(w, msg, strlen(msg), user, strlen(user),
	    &out, NULL), 0);
	ASSERT_EQ(aa_agent_format(a, msg, strlen(msg), user, strlen(user),
	    &want, NULL), 0);
	ASSERT_STR_EQ(aa_buf_str(&out), aa_buf_str(&want));
	aa_buf_release(&out);
	aa_buf_release(&want);
}

TEST(watch_echo_missing_judged_when_the_turn_settles)
{
	const struct aa_agent *a = aa_agent_custom();
	const char *screen = "earlier\n\n\n\n\n\n\n\nhi there\nreply\n\n> \n";
	struct aa_watch *w;
	char c[256];

	ASSERT_EQ(aa_watch_new(&w, a, 1000, NULL, 0), 0);
	ASSERT_EQ(tick(w, 10, screen, 1, 1), 0);
	/* A reply whose echo is not on the screen: judged once stable. */
	ASSERT_EQ(tick(w, 200, screen, 1, 0), 0);
	format(w, a, "hi there\nreply\n", "nothing like it");
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "");
	ASSERT_EQ(tick(w, 300, screen, 0, 1), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "echo_missing");
	ASSERT_STR_EQ(aa_health_name(aa_watch_health(w)), "degraded");
	/* Stable again with no new reply: nothing is judged twice. */
	ASSERT_EQ(tick(w, 400, screen, 0, 0), 0);
	ASSERT_EQ(tick(w, 500, screen, 0, 1), 0);
	/* The next turn's echo is found: the reason clears. */
	ASSERT_EQ(tick(w, 600, screen, 1, 0), 0);
	format(w, a, "hi there\nreply\n\n> \n", "hi there");
	ASSERT_EQ(tick(w, 700, screen, 0, 1), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "");
	/* A message that is no reply to a user message is not judged. */
	ASSERT_EQ(tick(w, 800, screen, 0, 0), 0);
	format(w, a, "greeting\n", "");
	ASSERT_EQ(tick(w, 900, screen, 0, 1), 0);
	aa_watch_free(w);
	aa_watch_free(NULL);
}

TEST(watch_generic_fallback_for_an_agent_with_box_rules)
{
	const struct aa_agent *codex = aa_agent_find("codex");
	struct aa_watch *w;
	char c[256];

	ASSERT_NOT_NULL(codex);
	ASSERT_EQ(aa_watch_new(&w, codex, 0, NULL, 0), 0);
	ASSERT_EQ(tick(w, 10, "x", 1, 0), 0);
	format(w, codex, "do it\nreply\nmore", "do it");
	ASSERT_EQ(tick(w, 20, "x", 0, 1), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "generic_fallback");
	ASSERT_EQ(tick(w, 30, "x", 0, 0), 0);
	format(w, codex, "do it\nreply\n\xe2\x80\xba \n\nstatus\nfooter",
	    "do it");
	ASSERT_EQ(tick(w, 40, "x", 0, 1), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "");
	aa_watch_free(w);
}

TEST(watch_ready_marker_missing_and_found)
{
	const struct aa_agent *a = aa_agent_custom();
	struct aa_watch *w;
	char c[256];

	ASSERT_EQ(aa_watch_new(&w, a, 1000, NULL, 0), 0);
	/* No input box: degraded once the grace is over (the deadline says
	 * when, with no new screen). */
	ASSERT_EQ(tick(w, 10, "starting...", 1, 0), 0);
	ASSERT_EQ(aa_watch_next_deadline(w), 1000);
	ASSERT_EQ(tick(w, 1000, "starting...", 0, 0), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "ready_marker_missing");
	/* Screens 30 ms apart: only the first is looked at at once; the
	 * last is looked at when its 100 ms are over. */
	ASSERT_EQ(tick(w, 1100, "still starting", 1, 0), 0);
	ASSERT_EQ(tick(w, 1130, "ready\n\n> \n", 1, 0), 0);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "ready_marker_missing");
	ASSERT_EQ(aa_watch_next_deadline(w), 1200);
	ASSERT_EQ(tick(w, 1200, "ready\n\n> \n", 0, 0), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "");
	ASSERT_EQ(aa_watch_next_deadline(w), -1);
	aa_watch_free(w);
}

TEST(watch_save_outcomes)
{
	struct aa_watch *w;
	char c[256];

	ASSERT_EQ(aa_watch_new(&w, aa_agent_custom(), 0, NULL, 0), 0);
	ASSERT_EQ(aa_watch_saved(w, NULL), 0);
	ASSERT_EQ(aa_watch_saved(w, "saving state to /x: is a directory"),
	    1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "state_save_failed");
	ASSERT_STR_EQ(aa_health_reason(aa_watch_health(w), 0)->message,
	    "saving state to /x: is a directory");
	ASSERT_EQ(aa_watch_saved(w, NULL), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "");
	aa_watch_free(w);
}

/* Captured Copilot turns (tests/data/format): a permission dialog in the
 * input box's place is no generic fallback (the turn is judged after
 * it), and a reply that fills the screen may have scrolled its echo
 * away.  The turn that follows the dialog is judged. */
TEST(watch_real_copilot_dialog_and_scrolled_echo)
{
	const struct aa_agent *a = aa_agent_find("copilot");
	const char *root = "tests/data/format/copilot-1.0.102";
	char dir[512], c[256], *msg, *user;
	struct aa_watch *w;
	size_t ml, ul;

	ASSERT_NOT_NULL(a);
	snprintf(dir, sizeof(dir), "%s/%s/permission", test_top(), root);
	msg = test_must_read_at(dir, "msg.txt", &ml);
	user = test_must_read_at(dir, "user.txt", &ul);
	ASSERT_EQ(aa_watch_new(&w, a, 0, NULL, 0), 0);
	ASSERT_EQ(tick(w, 10, msg, 1, 0), 0);
	format(w, a, msg, user);
	ASSERT_EQ(tick(w, 20, msg, 0, 1), 0);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "");
	/* Answered, the turn ends on a screen with no box at all. */
	ASSERT_EQ(tick(w, 200, "reply\n", 1, 0), 0);
	ASSERT_EQ(tick(w, 300, "reply\n", 0, 1), 1);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "generic_fallback");
	aa_watch_free(w);
	free(msg);
	free(user);

	snprintf(dir, sizeof(dir), "%s/%s/scrollbar", test_top(), root);
	msg = test_must_read_at(dir, "msg.txt", &ml);
	user = test_must_read_at(dir, "user.txt", &ul);
	ASSERT_EQ(aa_watch_new(&w, a, 0, NULL, 0), 0);
	ASSERT_EQ(tick(w, 10, msg, 1, 0), 0);
	format(w, a, msg, user);
	ASSERT_EQ(tick(w, 20, msg, 0, 1), 0);
	ASSERT_STR_EQ(codes(w, c, sizeof(c)), "");
	aa_watch_free(w);
	free(msg);
	free(user);
}
