/*
 * test-log.c - aa_log: one formatter, records with the function's name
 * apart, the public "func: msg" line form, and silence.
 */
#include "test.h"

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/log.h"

/* What a sink received last. */
struct got {
	int n, level;
	struct aa_buf func, msg;
};

static void
got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	aa_buf_init(&g->func);
	aa_buf_init(&g->msg);
}

static void
got_release(struct got *g)
{
	aa_buf_release(&g->func);
	aa_buf_release(&g->msg);
}

static void
on_record(void *ud, const struct aa_log_record *r)
{
	struct got *g = ud;

	g->n++;
	g->level = r->level;
	aa_buf_reset(&g->func);
	aa_buf_reset(&g->msg);
	aa_buf_puts(&g->func, r->func);
	aa_buf_puts(&g->msg, r->msg);
}

static void
on_line(void *ud, int level, const char *msg)
{
	struct got *g = ud;

	g->n++;
	g->level = level;
	aa_buf_reset(&g->msg);
	aa_buf_puts(&g->msg, msg);
}

/* A function with a known name that logs through lg. */
static void
say_hello(const struct aa_log *lg, int level)
{
	AA_LOG(lg, level, "hello %s: %d", "world", 42);
}

TEST(log_record_has_the_function_apart)
{
	struct got g;
	struct aa_log lg;

	got_init(&g);
	lg = (struct aa_log){ .record = on_record, .ud = &g };
	say_hello(&lg, AA_LOG_WARN);
	ASSERT_EQ(g.n, 1);
	ASSERT_EQ(g.level, AA_LOG_WARN);
	ASSERT_STR_EQ(aa_buf_str(&g.func), "say_hello");
	/* The message keeps its own ": " untouched. */
	ASSERT_STR_EQ(aa_buf_str(&g.msg), "hello world: 42");
	got_release(&g);
}

/* The public aa_log_fn gets "function: message" (agentapi.h). */
TEST(log_line_sink_gets_the_prefixed_line)
{
	struct got g;
	struct aa_log lg;

	got_init(&g);
	lg = (struct aa_log){ .line = on_line, .ud = &g };
	say_hello(&lg, AA_LOG_INFO);
	ASSERT_EQ(g.n, 1);
	ASSERT_EQ(g.level, AA_LOG_INFO);
	ASSERT_STR_EQ(aa_buf_str(&g.msg), "say_hello: hello world: 42");
	got_release(&g);
}

/* A record sink wins over a line sink; a zeroed sink and NULL are
 * silent and say so. */
TEST(log_sink_choice_and_silence)
{
	struct got rec, line;
	struct aa_log lg;
	static const struct aa_log silent;

	got_init(&rec);
	got_init(&line);
	lg = (struct aa_log){ .record = on_record, .line = on_line,
		.ud = &rec };
	say_hello(&lg, AA_LOG_ERROR);
	ASSERT_EQ(rec.n, 1);
	ASSERT_EQ(line.n, 0);
	ASSERT(aa_log_enabled(&lg));
	ASSERT(!aa_log_enabled(&silent));
	ASSERT(!aa_log_enabled(NULL));
	say_hello(&silent, AA_LOG_ERROR);
	say_hello(NULL, AA_LOG_ERROR);
	ASSERT_EQ(rec.n, 1);
	got_release(&rec);
	got_release(&line);
}

/* A line longer than AA_LOG_MAX is cut, not overflowed. */
TEST(log_long_lines_are_cut)
{
	struct got g;
	struct aa_log lg;
	char *big = malloc(3 * AA_LOG_MAX);

	ASSERT_NOT_NULL(big);
	memset(big, 'a', 3 * AA_LOG_MAX - 1);
	big[3 * AA_LOG_MAX - 1] = '\0';
	got_init(&g);
	lg = (struct aa_log){ .line = on_line, .ud = &g };
	aa_log_printf(&lg, AA_LOG_DEBUG, "f", "%s", big);
	ASSERT_EQ(g.msg.len, AA_LOG_MAX - 1);
	ASSERT(strncmp(aa_buf_str(&g.msg), "f: aaa", 6) == 0);
	lg = (struct aa_log){ .record = on_record, .ud = &g };
	aa_log_printf(&lg, AA_LOG_DEBUG, "f", "%s", big);
	ASSERT_STR_EQ(aa_buf_str(&g.func), "f");
	ASSERT_EQ(g.msg.len, AA_LOG_MAX - 1 - 3);
	free(big);
	got_release(&g);
}
