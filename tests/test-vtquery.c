/*
 * test-vtquery.c - the terminal queries aa_vt answers (core/vtquery.h):
 * one case per row of the table and more for its variants, each feeding
 * the query to a 30x12 terminal and checking the exact reply bytes; a
 * check that no row is left without a case; the same stream cut at every
 * byte; and the sequences next to the queries, which get no answer.  The
 * terminal's TERM is xterm-256color unless a case says otherwise.
 */
#include "test.h"

#include "agentapi.h"

#include "base/buf.h"
#include "core/vt.h"
#include "core/vtquery.h"

#define COLS 30
#define ROWS 12
#define VERSION_REPLY "\033P>|agentapi-c " AA_VERSION_STRING "\033\\"
/* "xterm-256color" and "256" in hex, as XTGETTCAP answers. */
#define TN_HEX "787465726d2d323536636f6c6f72"
#define HEX_256 "323536"

/* The agent's TERM the terminals below are told. */
static const char *vq_term = "xterm-256color";

/* One vector: the bytes before the query, the query, the reply. */
struct vq_case {
	const char *row;	/* the table row it exercises */
	const char *before;
	const char *query;
	const char *want;
};

static const struct vq_case vq_cases[] = {
	{ "DA1", "", "\033[c", "\033[?60;1;6;9;15c" },
	{ "DA1", "", "\033[0c", "\033[?60;1;6;9;15c" },
	{ "DA2", "", "\033[>c", "\033[>1;1;0c" },
	{ "DA2", "", "\033[>0c", "\033[>1;1;0c" },
	{ "DA3", "", "\033[=c", "\033P!|00000000\033\\" },
	{ "DA3", "", "\033[=0c", "\033P!|00000000\033\\" },
	{ "DSR", "", "\033[5n", "\033[0n" },
	{ "CPR", "", "\033[6n", "\033[1;1R" },
	{ "CPR", "ab\r\nc", "\033[6n", "\033[2;2R" },
	{ "CPR", "\033[7;9H", "\033[6n", "\033[7;9R" },
	/* A full row leaves the wrap pending: still the last column. */
	{ "CPR", "\033[3;1H123456789012345678901234567890", "\033[6n",
	    "\033[3;30R" },
	{ "CPR", "\033[99;99H", "\033[6n", "\033[12;30R" },
	{ "DECXCPR", "\033[4;5H", "\033[?6n", "\033[?4;5;1R" },
	{ "XTVERSION", "", "\033[>q", VERSION_REPLY },
	{ "XTVERSION", "", "\033[>0q", VERSION_REPLY },
	{ "DECRQM", "", "\033[?2004$p", "\033[?2004;2$y" },
	{ "DECRQM", "\033[?2004h", "\033[?2004$p", "\033[?2004;1$y" },
	{ "DECRQM", "\033[?1h", "\033[?1$p", "\033[?1;1$y" },
	{ "DECRQM", "", "\033[?7$p", "\033[?7;1$y" },
	{ "DECRQM", "\033[?25l", "\033[?25$p", "\033[?25;2$y" },
	{ "DECRQM", "\033[?1049h", "\033[?1049$p", "\033[?1049;1$y" },
	{ "DECRQM", "\033[?2026h", "\033[?2026$p", "\033[?2026;1$y" },
	{ "DECRQM", "", "\033[?12$p", "\033[?12;0$y" },
	{ "DECRQM", "", "\033[?$p", "\033[?0;0$y" },
	{ "DECRQM (ANSI)", "\033[4h", "\033[4$p", "\033[4;1$y" },
	{ "DECRQM (ANSI)", "", "\033[20$p", "\033[20;0$y" },
	{ "KITTYKB", "", "\033[?u", "\033[?0u" },
	{ "WINPX", "", "\033[14t", "\033[4;192;240t" },
	{ "CELLPX", "", "\033[16t", "\033[6;16;8t" },
	{ "WINCH", "", "\033[18t", "\033[8;12;30t" },
	{ "SCREENCH", "", "\033[19t", "\033[9;12;30t" },
	{ "OSC 10", "", "\033]10;?\007", "\033]10;rgb:e5e5/e5e5/e5e5\007" },
	{ "OSC 10", "", "\033]10;?\033\\",
	    "\033]10;rgb:e5e5/e5e5/e5e5\033\\" },
	{ "OSC 11", "", "\033]11;?\007", "\033]11;rgb:0000/0000/0000\007" },
	{ "OSC 11", "", "\xc2\x9d" "11;?\xc2\x9c",
	    "\033]11;rgb:0000/0000/0000\033\\" },
	{ "OSC 12", "", "\033]12;?\033\\",
	    "\033]12;rgb:e5e5/e5e5/e5e5\033\\" },
	{ "OSC 10", "", "\033]10;?;?\007", "\033]10;rgb:e5e5/e5e5/e5e5\007"
	    "\033]11;rgb:0000/0000/0000\007" },
	{ "OSC 4", "", "\033]4;1;?;196;?\007",
	    "\033]4;1;rgb:cdcd/0000/0000\007"
	    "\033]4;196;rgb:ffff/0000/0000\007" },
	{ "OSC 4", "", "\033]4;244;?\033\\",
	    "\033]4;244;rgb:8080/8080/8080\033\\" },
	{ "XTGETTCAP", "", "\033P+q544e\033\\",
	    "\033P1+r544e=" TN_HEX "\033\\" },
	{ "XTGETTCAP", "", "\033P+q436f\033\\",
	    "\033P1+r436f=" HEX_256 "\033\\" },
	{ "XTGETTCAP", "", "\033P+q636f6c6f7273\033\\",
	    "\033P1+r636f6c6f7273=" HEX_256 "\033\\" },
	/* Upper-case hex, several names, one unknown (RGB: no truecolor
	 * is claimed), in C1 form. */
	{ "XTGETTCAP", "", "\xc2\x90+q544E;524742;436f\xc2\x9c",
	    "\033P1+r544e=" TN_HEX "\033\\" "\033P0+r524742\033\\"
	    "\033P1+r436f=" HEX_256 "\033\\" },
	/* Not hex: the answer ends there. */
	{ "XTGETTCAP", "", "\033P+q54x;544e\033\\", "\033P0+r\033\\" },
	{ "XTGETTCAP", "", "\033P+q\033\\", "\033P0+r\033\\" },
	{ "DECRQSS SGR", "", "\033P$qm\033\\", "\033P1$r0m\033\\" },
	/* The pen is libtsm's: reported as the default (vtquery.h). */
	{ "DECRQSS SGR", "\033[1;38;2;1;2;3m", "\033P$qm\033\\",
	    "\033P1$r0m\033\\" },
	{ "DECRQSS DECSCUSR", "", "\033P$q q\033\\", "\033P1$r1 q\033\\" },
	{ "DECRQSS DECSCUSR", "\033[5 q", "\033P$q q\033\\",
	    "\033P1$r5 q\033\\" },
	{ "DECRQSS DECSCUSR", "\033[2 q\033[0 q", "\033P$q q\033\\",
	    "\033P1$r1 q\033\\" },
	{ "DECRQSS DECSTBM", "", "\033P$qr\033\\", "\033P1$r1;12r\033\\" },
	{ "DECRQSS DECSTBM", "\033[3;8r", "\033P$qr\033\\",
	    "\033P1$r3;8r\033\\" },
	/* A region libtsm refuses leaves the whole screen. */
	{ "DECRQSS DECSTBM", "\033[3;8r\033[9;2r", "\033P$qr\033\\",
	    "\033P1$r1;12r\033\\" },
};

static void
on_reply(void *ud, const char *p, size_t n)
{
	ASSERT_EQ(aa_buf_append(ud, p, n), 0);
}

/* Feeds before, forgets its replies, feeds query; the query's replies go
 * to out.  The screen text must not change with the query. */
static void
vq_run(const char *before, const char *query, size_t cut, struct aa_buf *out)
{
	struct aa_vt_options o = { .cols = COLS, .rows = ROWS,
		.reply = on_reply, .ud = out, .term = vq_term };
	struct aa_buf t0, t1;
	struct aa_vt *vt;
	size_t n = strlen(query);

	aa_buf_init(&t0);
	aa_buf_init(&t1);
	ASSERT_EQ(aa_vt_new(&vt, &o), 0);
	ASSERT_EQ(aa_vt_feed(vt, before, strlen(before)), 0);
	ASSERT_EQ(aa_vt_text(vt, &t0), 0);
	aa_buf_reset(out);
	cut = cut < n ? cut : n;
	ASSERT_EQ(aa_vt_feed(vt, query, cut), 0);
	ASSERT_EQ(aa_vt_feed(vt, query + cut, n - cut), 0);
	ASSERT_EQ(aa_vt_text(vt, &t1), 0);
	ASSERT_STR_EQ(aa_buf_str(&t1), aa_buf_str(&t0));
	aa_vt_free(vt);
	aa_buf_release(&t0);
	aa_buf_release(&t1);
}

/* One vector, whole and cut at every byte. */
static void
vq_case_run(void *arg)
{
	const struct vq_case *c = arg;
	struct aa_buf out;
	size_t cut;

	aa_buf_init(&out);
	for (cut = 0; cut <= strlen(c->query); cut++) {
		vq_run(c->before, c->query, cut, &out);
		ASSERT_STR_EQ(aa_buf_str(&out), c->want);
	}
	aa_buf_release(&out);
}

TEST_GENERATOR(vtq_rows)
{
	char name[128];
	size_t i, k;

	for (i = 0; i < sizeof(vq_cases) / sizeof(vq_cases[0]); i++) {
		snprintf(name, sizeof(name), "vtq_%s", vq_cases[i].row);
		for (k = 0; name[k] != '\0'; k++)
			if (name[k] == ' ' || name[k] == '(' || name[k] == ')')
				name[k] = '_';
		snprintf(name + k, sizeof(name) - k, "_%zu", i);
		test_add(name, vq_case_run, (void *)&vq_cases[i]);
	}
}

/* Every row of the table has a case above, and every case a row. */
TEST(vtq_every_row_tested)
{
	const struct aa_vtq_row *t = aa_vtq_table(&(size_t){ 0 });
	size_t n, i, k;
	int found;

	t = aa_vtq_table(&n);
	ASSERT_GE(n, 18);
	for (i = 0; i < n; i++) {
		found = 0;
		for (k = 0; k < sizeof(vq_cases) / sizeof(vq_cases[0]); k++)
			found |= strcmp(vq_cases[k].row, t[i].name) == 0;
		if (!found)
			test_fail(__FILE__, __LINE__, "row %s has no case",
			    t[i].name);
	}
	for (k = 0; k < sizeof(vq_cases) / sizeof(vq_cases[0]); k++) {
		found = 0;
		for (i = 0; i < n; i++)
			found |= strcmp(vq_cases[k].row, t[i].name) == 0;
		ASSERT(found);
	}
}

/* Sequences next to the queries are no queries: no reply, and the
 * screen is unharmed (libtsm still sees what it always saw). */
TEST(vtq_neighbours_unanswered)
{
	static const char *const quiet[] = {
		"\033[1c", "\033[>1c", "\033[4n", "\033[?5n", "\033[>1q",
		"\033[q", "\033[13t", "\033[22;0t", "\033[23;0t", "\033[8;5;5t",
		"\033[18;1t", "\033[>1u", "\033[<u", "\033[=1;1u", "\033[?1u",
		"\033]13;?\007", "\033]11;#000000\007", "\033]11;?\030",
		"\033]4;256;?\007", "\033]0;title\007", "\033[5;6n",
		/* XTSETTCAP, sixel, a DCS aborted by CAN or cut by another
		 * sequence, parameters before +q, an ST after a second ESC. */
		"\033P+p544e\033\\", "\033Pq#0;2;0;0;0\033\\",
		"\033P+q544e\030", "\033P+q544e\033[m", "\033P1+q544e\033\\",
		"\033P$qm\033\033\\",
	};
	struct aa_buf out;
	size_t i;

	aa_buf_init(&out);
	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		vq_run("", quiet[i], 0, &out);
		if (out.len != 0)
			test_fail(__FILE__, __LINE__, "query %zu answered", i);
	}
	aa_buf_release(&out);
}

/* All the queries in one stream, text between them, cut at every byte:
 * the replies come in stream order and the text is intact. */
TEST(vtq_stream_in_order_at_every_cut)
{
	struct aa_buf s, want, out, text;
	struct aa_vt_options o = { .cols = COLS, .rows = ROWS,
		.reply = on_reply, .ud = &out, .term = vq_term };
	struct aa_vt *vt;
	size_t i, cut;

	aa_buf_init(&s);
	aa_buf_init(&want);
	aa_buf_init(&out);
	aa_buf_init(&text);
	for (i = 0; i < sizeof(vq_cases) / sizeof(vq_cases[0]); i++) {
		if (vq_cases[i].before[0] != '\0')
			continue;	/* a case of its own state */
		ASSERT_EQ(aa_buf_printf(&s, "%s", vq_cases[i].query), 0);
		ASSERT_EQ(aa_buf_puts(&want, vq_cases[i].want), 0);
	}
	/* A visible mark after the last query; CPR's cursor is home. */
	ASSERT_EQ(aa_buf_puts(&s, "ok"), 0);
	for (cut = 0; cut <= s.len; cut++) {
		aa_buf_reset(&out);
		ASSERT_EQ(aa_vt_new(&vt, &o), 0);
		ASSERT_EQ(aa_vt_feed(vt, s.data, cut), 0);
		ASSERT_EQ(aa_vt_feed(vt, s.data + cut, s.len - cut), 0);
		ASSERT_STR_EQ(aa_buf_str(&out), aa_buf_str(&want));
		aa_buf_reset(&text);
		ASSERT_EQ(aa_vt_text(vt, &text), 0);
		ASSERT_EQ(strncmp(aa_buf_str(&text), "ok\n", 3), 0);
		aa_vt_free(vt);
	}
	aa_buf_release(&s);
	aa_buf_release(&want);
	aa_buf_release(&out);
	aa_buf_release(&text);
}

/* A DCS payload of AA_VTQ_DCS_MAX bytes is answered, one more is
 * dropped unanswered, cut anywhere. */
TEST(vtq_dcs_bounded)
{
	struct aa_buf q, want, out;
	size_t i, cut;

	aa_buf_init(&q);
	aa_buf_init(&want);
	aa_buf_init(&out);
	/* "+q" and 50 x "544e;" and "544e": 256 bytes, 51 names. */
	ASSERT_EQ(aa_buf_puts(&q, "\033P+q"), 0);
	for (i = 0; i < 51; i++) {
		ASSERT_EQ(aa_buf_puts(&q, i < 50 ? "544e;" : "544e"), 0);
		ASSERT_EQ(aa_buf_puts(&want, "\033P1+r544e=" TN_HEX "\033\\"),
		    0);
	}
	ASSERT_EQ(q.len - 2, (size_t)AA_VTQ_DCS_MAX);
	ASSERT_EQ(aa_buf_puts(&q, "\033\\"), 0);
	for (cut = 0; cut <= q.len; cut += 37) {
		vq_run("", aa_buf_str(&q), cut, &out);
		ASSERT_STR_EQ(aa_buf_str(&out), aa_buf_str(&want));
	}
	/* One byte more. */
	aa_buf_reset(&q);
	ASSERT_EQ(aa_buf_puts(&q, "\033P+q5"), 0);
	for (i = 0; i < 51; i++)
		ASSERT_EQ(aa_buf_puts(&q, i < 50 ? "544e;" : "544e"), 0);
	ASSERT_EQ(aa_buf_puts(&q, "\033\\"), 0);
	for (cut = 0; cut <= q.len; cut += 37) {
		vq_run("", aa_buf_str(&q), cut, &out);
		ASSERT_EQ(out.len, (size_t)0);
	}
	aa_buf_release(&q);
	aa_buf_release(&want);
	aa_buf_release(&out);
}

/* What XTGETTCAP claims follows the agent's TERM; DECRQSS answers
 * 0 for a setting it does not report. */
TEST(vtq_dcs_follows_term)
{
	struct aa_buf out;

	aa_buf_init(&out);
	vq_term = "vt100";
	vq_run("", "\033P+q544e;436f;636f6c6f7273\033\\", 0, &out);
	ASSERT_STR_EQ(aa_buf_str(&out), "\033P1+r544e=7674313030\033\\"
	    "\033P0+r436f\033\\" "\033P0+r636f6c6f7273\033\\");
	vq_term = NULL;
	vq_run("", "\033P+q544e\033\\", 0, &out);
	ASSERT_STR_EQ(aa_buf_str(&out), "\033P0+r544e\033\\");
	/* A TERM too long to report is not. */
	vq_term = "xterm-0123456789012345678901234567890123456789"
	    "01234567890123456789";
	vq_run("", "\033P+q544e\033\\", 0, &out);
	ASSERT_STR_EQ(aa_buf_str(&out), "\033P0+r544e\033\\");
	vq_run("", "\033P$qz\033\\", 0, &out);
	ASSERT_STR_EQ(aa_buf_str(&out), "\033P0$r\033\\");
	vq_run("", "\033P$q\"p\033\\", 0, &out);
	ASSERT_STR_EQ(aa_buf_str(&out), "\033P0$r\033\\");
	aa_buf_release(&out);
}
