/*
 * test-health.c - parser health (core/health.h): each reason turns on
 * when its condition has held long enough, is listed with its code and
 * sentence, and clears by itself; deadlines let time alone do both.
 */
#include <string.h>

#include "test.h"

#include "agentapi.h"

#include "core/agent.h"
#include "core/health.h"

/* A screen's flags in one expression. */
static struct aa_health_screen
scr(int changed, int ready, int busy, int turn_over)
{
	struct aa_health_screen s;

	s.changed = changed;
	s.ready = ready;
	s.busy = busy;
	s.turn_over = turn_over;
	return s;
}

/* 1 if the reason with that code name is listed. */
static int
has(const struct aa_health *h, const char *name)
{
	size_t i;

	for (i = 0; i < aa_health_count(h); i++)
		if (strcmp(aa_health_reason(h, i)->name, name) == 0)
			return 1;
	return 0;
}

TEST(health_starts_ok)
{
	struct aa_health *h;

	ASSERT_EQ(aa_health_new(&h, NULL, 1000), 0);
	ASSERT_EQ(aa_health_ok(h), 1);
	ASSERT_STR_EQ(aa_health_name(h), "ok");
	ASSERT_EQ(aa_health_count(h), 0);
	ASSERT_NULL(aa_health_reason(h, 0));
	ASSERT_EQ(aa_health_new(NULL, NULL, 0), AA_EINVAL);
	ASSERT_STR_EQ(aa_health_code_name(AA_HEALTH_UNKNOWN_ACTIVITY),
	    "unknown_activity");
	ASSERT_NULL(aa_health_code_name(AA_HEALTH_NCODES));
	aa_health_free(h);
	aa_health_free(NULL);
}

TEST(health_ready_marker_missing_since_start)
{
	struct aa_health *h;
	struct aa_health_screen s = scr(1, 0, 0, 0);
	const struct aa_health_reason *r;

	ASSERT_EQ(aa_health_new(&h, NULL, 1000), 0);
	ASSERT_EQ(aa_health_next_deadline(h), 31000);
	ASSERT_EQ(aa_health_tick(h, 2000, &s), 0);
	ASSERT_EQ(aa_health_advance(h, 30999), 0);
	ASSERT_EQ(aa_health_ok(h), 1);
	ASSERT_EQ(aa_health_advance(h, 31000), 1);
	ASSERT_STR_EQ(aa_health_name(h), "degraded");
	ASSERT_EQ(aa_health_count(h), 1);
	r = aa_health_reason(h, 0);
	ASSERT_EQ(r->code, AA_HEALTH_READY_MARKER_MISSING);
	ASSERT_STR_EQ(r->name, "ready_marker_missing");
	ASSERT_STR_EQ(r->message, "the agent's ready marker has not been "
	    "seen in the 30 s since start");
	/* Reported once; the deadline is gone while it holds. */
	ASSERT_EQ(aa_health_advance(h, 40000), 0);
	ASSERT_EQ(aa_health_next_deadline(h), -1);
	/* Seen at last: cleared. */
	s = scr(1, 1, 0, 0);
	ASSERT_EQ(aa_health_tick(h, 41000, &s), 1);
	ASSERT_EQ(aa_health_ok(h), 1);
	aa_health_free(h);
}

TEST(health_input_box_gone_while_idle)
{
	struct aa_health_options o = { .ready_grace_ms = 5000 };
	struct aa_health *h;
	struct aa_health_screen s = scr(1, 1, 0, 1);

	ASSERT_EQ(aa_health_new(&h, &o, 0), 0);
	ASSERT_EQ(aa_health_tick(h, 100, &s), 0);
	/* At work, the box may hide: a busy marker keeps it healthy. */
	s = scr(1, 0, 1, 0);
	ASSERT_EQ(aa_health_tick(h, 200, &s), 0);
	ASSERT_EQ(aa_health_next_deadline(h), -1);
	ASSERT_EQ(aa_health_advance(h, 60000), 0);
	/* Idle by its signs, yet no box: degraded after the grace. */
	s = scr(1, 0, 0, 1);
	ASSERT_EQ(aa_health_tick(h, 60000, &s), 1);
	ASSERT_EQ(has(h, "ready_marker_missing"), 1);
	ASSERT_STR_EQ(aa_health_reason(h, 0)->message, "the agent's input "
	    "box has not been seen for 5 s while it is idle");
	s = scr(1, 1, 0, 1);
	ASSERT_EQ(aa_health_tick(h, 61000, &s), 1);
	ASSERT_EQ(aa_health_ok(h), 1);
	s = scr(1, 0, 0, 1);
	ASSERT_EQ(aa_health_tick(h, 62000, &s), 0);
	/* First the quiet gap that ends a churn (unknown_activity). */
	ASSERT_EQ(aa_health_next_deadline(h), 64000);
	ASSERT_EQ(aa_health_advance(h, 64000), 0);
	ASSERT_EQ(aa_health_next_deadline(h), 66000);
	ASSERT_EQ(aa_health_advance(h, 66000), 1);
	ASSERT_EQ(aa_health_ok(h), 0);
	aa_health_free(h);
}

TEST(health_turn_reasons)
{
	struct aa_health *h;
	struct aa_health_turn t = { 0, 0 };

	ASSERT_EQ(aa_health_new(&h, NULL, 0), 0);
	ASSERT_EQ(aa_health_turn(h, 10, &t), 1);
	ASSERT_EQ(has(h, "echo_missing"), 1);
	ASSERT_EQ(aa_health_count(h), 1);
	/* Nothing sent: the echo reason stays as it is. */
	t.echo = -1;
	t.generic = 1;
	ASSERT_EQ(aa_health_turn(h, 20, &t), 1);
	ASSERT_EQ(aa_health_count(h), 2);
	ASSERT_EQ(aa_health_reason(h, 0)->code, AA_HEALTH_ECHO_MISSING);
	ASSERT_EQ(aa_health_reason(h, 1)->code, AA_HEALTH_GENERIC_FALLBACK);
	ASSERT_EQ(aa_health_turn(h, 30, &t), 0);
	t.echo = 1;
	ASSERT_EQ(aa_health_turn(h, 40, &t), 1);
	ASSERT_EQ(has(h, "echo_missing"), 0);
	ASSERT_EQ(has(h, "generic_fallback"), 1);
	t.generic = 0;
	ASSERT_EQ(aa_health_turn(h, 50, &t), 1);
	ASSERT_EQ(aa_health_ok(h), 1);
	aa_health_free(h);
}

TEST(health_unknown_activity)
{
	struct aa_health_options o = { .churn_grace_ms = 10000,
	    .quiet_ms = 2000 };
	struct aa_health *h;
	struct aa_health_screen s;
	int64_t t;

	ASSERT_EQ(aa_health_new(&h, &o, 0), 0);
	/* Changing with a busy marker: the agent says it works. */
	s = scr(1, 1, 1, 1);
	for (t = 0; t <= 20000; t += 500)
		ASSERT_EQ(aa_health_tick(h, t, &s), 0);
	/* The same churn with no busy marker, after the turn. */
	s = scr(1, 1, 0, 1);
	for (t = 20500; t < 30500; t += 500) {
		ASSERT_EQ(aa_health_tick(h, t, &s), 0);
		ASSERT_EQ(aa_health_next_deadline(h),
		    t + 2000 < 30500 ? t + 2000 : 30500);
	}
	ASSERT_EQ(aa_health_tick(h, 30500, &s), 1);
	ASSERT_EQ(has(h, "unknown_activity"), 1);
	ASSERT_STR_EQ(aa_health_reason(h, 0)->message, "the screen kept "
	    "changing for 10 s after the turn should have ended, with no "
	    "known busy marker");
	/* A quiet gap ends it, with no new screen. */
	ASSERT_EQ(aa_health_next_deadline(h), 32500);
	ASSERT_EQ(aa_health_advance(h, 32499), 0);
	ASSERT_EQ(aa_health_advance(h, 32500), 1);
	ASSERT_EQ(aa_health_ok(h), 1);
	ASSERT_EQ(aa_health_next_deadline(h), -1);
	/* Changes with pauses of the quiet length never add up. */
	for (t = 40000; t < 80000; t += 2500)
		ASSERT_EQ(aa_health_tick(h, t, &s), 0);
	/* Nor do changes during the turn. */
	s = scr(1, 0, 0, 0);
	for (t = 80000; t < 120000; t += 500)
		ASSERT_EQ(aa_health_tick(h, t, &s), 0);
	ASSERT_EQ(aa_health_ok(h), 1);
	aa_health_free(h);
}

TEST(health_generic_fallback_from_format_info)
{
	struct aa_agent_format_info info;
	struct aa_buf out;
	const char *codex = "reply\n\xe2\x80\xba \n\nstatus\nfooter";
	const char *bare = "reply\nmore";

	aa_buf_init(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_find("codex"), codex,
	    strlen(codex), NULL, 0, 0, &out, NULL, &info), 0);
	ASSERT_EQ(aa_agent_format_generic(aa_agent_find("codex"), &info), 0);
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_find("codex"), bare,
	    strlen(bare), NULL, 0, 0, &out, NULL, &info), 0);
	ASSERT_EQ(aa_agent_format_generic(aa_agent_find("codex"), &info), 1);
	/* The custom agent's rule is the generic one: never a fallback. */
	aa_buf_reset(&out);
	ASSERT_EQ(aa_agent_format_ex(aa_agent_custom(), bare, strlen(bare),
	    NULL, 0, 0, &out, NULL, &info), 0);
	ASSERT_EQ(info.box, AA_RESIDUE_NONE);
	ASSERT_EQ(aa_agent_format_generic(aa_agent_custom(), &info), 0);
	aa_buf_release(&out);
}

TEST(health_save_failed_clears_on_success)
{
	struct aa_health *h;
	const struct aa_health_reason *r;

	ASSERT_EQ(aa_health_new(&h, NULL, 0), 0);
	ASSERT_EQ(aa_health_save(h, NULL), 0);
	ASSERT_EQ(aa_health_save(h, "open: Permission denied"), 1);
	ASSERT_EQ(aa_health_ok(h), 0);
	r = aa_health_reason(h, 0);
	ASSERT_NOT_NULL(r);
	ASSERT_STR_EQ(r->name, "state_save_failed");
	ASSERT_STR_EQ(r->message, "open: Permission denied");
	/* The same failure again changes nothing; another one does. */
	ASSERT_EQ(aa_health_save(h, "open: Permission denied"), 0);
	ASSERT_EQ(aa_health_save(h, "write: No space left"), 1);
	ASSERT_EQ(aa_health_save(h, NULL), 1);
	ASSERT_EQ(aa_health_ok(h), 1);
	ASSERT_EQ(aa_health_save(NULL, NULL), AA_EINVAL);
	aa_health_free(h);
}

TEST(health_save_reason_cut_on_a_character)
{
	struct aa_health *h;
	char why[400];
	size_t n;

	/* 158 ASCII bytes, then "é" (2 bytes) straddling the 159-byte cut. */
	memset(why, 'a', 158);
	strcpy(why + 158, "\xc3\xa9tail");
	ASSERT_EQ(aa_health_new(&h, NULL, 0), 0);
	ASSERT_EQ(aa_health_save(h, why), 1);
	n = strlen(aa_health_reason(h, 0)->message);
	ASSERT_EQ(n, 158);
	aa_health_free(h);
}
