/*
 * test-state.c - the state file's encoding and decoding (state.c), its
 * crash-safe writing (base/fileio.c), and the persistence scenarios of
 * ../shared/spec/core.md §7 driven through the tracker.  Go's time form
 * is tests/test-timefmt.c's.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "conv-fixture.h"

#include "base/fileio.h"
#include "core/state.h"
#include "base/timefmt.h"

#define MS INT64_C(1000000)

/* Quotes s the Go way and compares. */
static void
check_quote(const char *s, size_t n, int html, const char *want)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_EQ(aa_state_quote(&b, s, n, html), 0);
	ASSERT_MEM_EQ(b.data, b.len, want, strlen(want));
	aa_buf_release(&b);
}

TEST(state_quote_like_go)
{
	check_quote("a<b>&c", 6, 1, "\"a\\u003cb\\u003e\\u0026c\"");
	check_quote("a<b>&c", 6, 0, "\"a<b>&c\"");
	check_quote("\"\\/", 3, 1, "\"\\\"\\\\/\"");
	check_quote("\n\r\t\b\f\x01\x1b\x7f", 8, 1,
	    "\"\\n\\r\\t\\b\\f\\u0001\\u001b\x7f\"");
	check_quote("\0x", 2, 1, "\"\\u0000x\"");
	check_quote("\xe2\x80\xa8\xe2\x80\xa9", 6, 0, "\"\\u2028\\u2029\"");
	check_quote("\xff" "a\xc3", 3, 1, "\"\\ufffda\\ufffd\"");
	check_quote("\xef\xbf\xbd\xc3\xa9\xf0\x9f\x8e\x89", 9, 1,
	    "\"\xef\xbf\xbd\xc3\xa9\xf0\x9f\x8e\x89\"");
	check_quote("", 0, 1, "\"\"");
}

/* Decodes json expecting success. */
static void
decode_ok(struct aa_state *st, const char *json)
{
	char *cause = NULL;
	int rc = aa_state_decode(st, json, strlen(json), &cause);

	if (rc != 0)
		test_fail(__FILE__, __LINE__, "decode: %d %s", rc, cause);
}

/* Decodes json expecting rc and a cause containing want. */
static void
decode_bad(const char *json, size_t len, int rc, const char *want)
{
	struct aa_state st;
	char *cause = NULL;

	ASSERT_EQ(aa_state_decode(&st, json, len, &cause), rc);
	ASSERT_NOT_NULL(cause);
	if (strstr(cause, want) == NULL)
		test_fail(__FILE__, __LINE__, "cause \"%s\" lacks \"%s\"",
		    cause, want);
	ASSERT_NULL(st.msgs);
	free(cause);
}

/* Reads the golden state file. */
static char *
golden(size_t *len)
{
	char path[4096];
	char *data;

	snprintf(path, sizeof(path), "%s/screentracker/expected_saved_state"
	    ".json", test_conformance_dir());
	data = test_read_file(path, len);
	if (data == NULL)
		test_skip("no %s", path);
	return data;
}

TEST(state_decode_golden_and_reencode_exact)
{
	struct aa_state st;
	struct aa_buf b;
	size_t len;
	char *g = golden(&len);

	decode_ok(&st, g);
	ASSERT_EQ(st.version, 1);
	ASSERT_EQ(st.n, 3);
	ASSERT_STR_EQ(st.msgs[0].text, "Hello! Ready to help.");
	ASSERT_EQ(st.msgs[1].role, AA_ROLE_USER);
	ASSERT_EQ(st.msgs[2].time_ns, FX_WALL0 + 1900 * MS);
	ASSERT_STR_EQ(st.prompt, "test prompt");
	ASSERT_EQ(st.prompt_sent, 1);
	aa_buf_init(&b);
	ASSERT_EQ(aa_state_encode(&b, &st, 1), 0);
	ASSERT_MEM_EQ(b.data, b.len, g, len);
	aa_buf_release(&b);
	aa_state_release(&st);
	free(g);
}

TEST(state_decode_lenient_like_go)
{
	struct aa_state st;
	struct aa_buf b;

	/* Keys in any case (and Go's long-s fold), unknown keys, null
	 * values, the last duplicate, trailing bytes after the value. */
	decode_ok(&st, " {\"VERSION\":2,\"Ver\xc5\xbfion\":1,\"extra\":[1,{}],"
	    "\"Messages\":[{\"ID\":7,\"Message\":\"hi \\ud83c\\udf89\","
	    "\"ROLE\":\"user\",\"Time\":\"2025-01-01T01:00:00+01:00\","
	    "\"x\":null}],\"initial_prompt\":null,"
	    "\"Initial_Prompt_Sent\":true} trailing garbage {");
	ASSERT_EQ(st.version, 1);
	ASSERT_EQ(st.n, 1);
	ASSERT_EQ(st.msgs[0].id, 7);
	ASSERT_STR_EQ(st.msgs[0].text, "hi \xf0\x9f\x8e\x89");
	ASSERT_EQ(st.msgs[0].role, AA_ROLE_USER);
	ASSERT_EQ(st.msgs[0].time_ns, FX_WALL0);
	ASSERT_NULL(st.prompt);
	ASSERT_EQ(st.prompt_sent, 1);
	aa_state_release(&st);

	/* Fix §9.8: messages null is no messages, saved back as []. */
	decode_ok(&st, "{\"version\":1,\"messages\":null}");
	ASSERT_EQ(st.n, 0);
	aa_buf_init(&b);
	ASSERT_EQ(aa_state_encode(&b, &st, 1), 0);
	ASSERT_STR_EQ(b.data, "{\"version\":1,\"messages\":[],"
	    "\"initial_prompt\":\"\",\"initial_prompt_sent\":false}\n");
	aa_buf_release(&b);
	aa_state_release(&st);

	/* A missing time is Go's zero time, and stays so. */
	decode_ok(&st, "{\"version\":1,\"messages\":[{\"role\":\"agent\"}]}");
	ASSERT_EQ(st.msgs[0].time_ns, AA_TIME_ZERO);
	ASSERT_STR_EQ(st.msgs[0].text, "");
	aa_state_release(&st);
}

/* decode_bad on a string literal (which may hold NUL bytes). */
#define DECODE_BAD(lit, rc, want) decode_bad((lit), sizeof(lit) - 1, rc, want)

TEST(state_decode_errors)
{
	DECODE_BAD("", AA_ECORRUPT, "failed to unmarshal state (corrupted "
	    "or invalid JSON): unexpected end of JSON input");
	DECODE_BAD(" \n", AA_ECORRUPT, "unexpected end of JSON input");
	DECODE_BAD("{\"version\":1,", AA_ECORRUPT, "invalid JSON");
	DECODE_BAD("not json", AA_ECORRUPT, "invalid JSON");
	DECODE_BAD("{\"version\":999}", AA_EVERSION,
	    "unsupported state file version 999 (expected 1)");
	DECODE_BAD("{}", AA_EVERSION, "unsupported state file version 0");
	DECODE_BAD("null", AA_EVERSION, "version 0 (expected 1)");
	DECODE_BAD("[]", AA_ECORRUPT, "cannot unmarshal array");
	DECODE_BAD("{\"version\":\"1\"}", AA_ECORRUPT,
	    "cannot unmarshal string into field version");
	DECODE_BAD("{\"version\":1.5}", AA_ECORRUPT, "number 1.5");
	DECODE_BAD("{\"version\":1,\"messages\":{}}", AA_ECORRUPT,
	    "cannot unmarshal object into field messages");
	DECODE_BAD("{\"version\":1,\"messages\":[{\"role\":\"bot\"}]}",
	    AA_ECORRUPT, "role \"bot\"");
	DECODE_BAD("{\"version\":1,\"messages\":[null]}", AA_ECORRUPT,
	    "role \"\"");
	DECODE_BAD("{\"version\":1,\"messages\":[{\"role\":\"user\",\"time\":"
	    "\"yesterday\"}]}", AA_ECORRUPT, "parsing time");
	DECODE_BAD("{\"version\":1,\"messages\":[{\"role\":\"user\",\"message\":"
	    "\"a\\u0000b\"}]}", AA_ECORRUPT, "\\u0000");
	DECODE_BAD("{\"version\":1,\"initial_prompt_sent\":\"yes\"}",
	    AA_ECORRUPT, "field initial_prompt_sent of type bool");
	/* A version error only after a clean decode, like Go. */
	DECODE_BAD("{\"version\":2,\"messages\":7}", AA_ECORRUPT,
	    "messages");
}

/* Ours: the queue after upstream's fields, only when there is one; it
 * decodes back, and a bad one is an error naming the field. */
TEST(state_queue_field_round_trip)
{
	static const char want[] = "{\"version\":1,\"messages\":[],"
	    "\"initial_prompt\":\"\",\"initial_prompt_sent\":false,"
	    "\"queue\":[{\"id\":7,\"message\":\"next \\u003cone\\u003e\","
	    "\"role\":\"user\",\"time\":\"2026-01-01T00:00:00Z\"},"
	    "{\"id\":9,\"message\":\"then\",\"role\":\"user\","
	    "\"time\":\"2026-01-01T00:00:01Z\"}]}\n";
	struct aa_message q[2];
	struct aa_state st, back;
	struct aa_buf b;
	int64_t t0;

	ASSERT_EQ(aa_time_parse("2026-01-01T00:00:00Z", 20, &t0), 0);
	memset(&st, 0, sizeof(st));
	memset(q, 0, sizeof(q));
	q[0] = (struct aa_message){ .id = 7, .role = AA_ROLE_USER,
	    .text = "next <one>", .len = 10, .time_ns = t0 };
	q[1] = (struct aa_message){ .id = 9, .role = AA_ROLE_USER,
	    .text = "then", .len = 4, .time_ns = t0 + 1000 * MS };
	st.queue = q;
	st.nqueue = 2;
	aa_buf_init(&b);
	ASSERT_EQ(aa_state_encode(&b, &st, 1), 0);
	ASSERT_MEM_EQ(b.data, b.len, want, strlen(want));
	decode_ok(&back, b.data);
	ASSERT_EQ(back.n, 0);
	ASSERT_EQ(back.nqueue, 2);
	ASSERT_EQ(back.queue[0].id, 7);
	ASSERT_STR_EQ(back.queue[0].text, "next <one>");
	ASSERT_EQ(back.queue[1].time_ns, t0 + 1000 * MS);
	aa_state_release(&back);
	/* No queue: not a byte more than upstream writes. */
	st.nqueue = 0;
	aa_buf_reset(&b);
	ASSERT_EQ(aa_state_encode(&b, &st, 1), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "{\"version\":1,\"messages\":[],"
	    "\"initial_prompt\":\"\",\"initial_prompt_sent\":false}\n");
	aa_buf_release(&b);
	DECODE_BAD("{\"version\":1,\"queue\":{}}", AA_ECORRUPT,
	    "cannot unmarshal object into field queue");
	DECODE_BAD("{\"version\":1,\"queue\":[{\"message\":5,"
	    "\"role\":\"user\"}]}", AA_ECORRUPT, "message");
}

TEST(state_decode_sanitizes_utf8)
{
	struct aa_state st;

	decode_ok(&st, "{\"version\":1,\"messages\":[{\"role\":\"agent\","
	    "\"message\":\"a\xff" "b\"}]}");
	ASSERT_STR_EQ(st.msgs[0].text, "a\xef\xbf\xbd" "b");
	ASSERT_EQ(st.msgs[0].len, 5);
	aa_state_release(&st);
}

/* A fresh temporary directory for one case. */
static char *
tmpdir(void)
{
	static char path[] = "/tmp/aa-test-state-XXXXXX";

	ASSERT_NOT_NULL(mkdtemp(path));
	return path;
}

/* Removes what a case made under dir (best effort, small trees). */
static void
cleanup(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
}

TEST(state_write_file_nested_modes_no_tmp)
{
	char path[4200], tmp[4300];
	const char *dir = tmpdir();
	struct aa_buf b;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/a/b/c/state.json", dir);
	ASSERT_EQ(aa_file_replace(path, "one\n", 4), 0);
	ASSERT_EQ(stat(path, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0600);
	snprintf(tmp, sizeof(tmp), "%s/a/b/c", dir);
	ASSERT_EQ(stat(tmp, &sb), 0);
	ASSERT_EQ(sb.st_mode & 0777, 0700);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ASSERT_EQ(access(tmp, F_OK), -1);
	ASSERT_EQ(aa_file_replace(path, "two", 3), 0);
	aa_buf_init(&b);
	ASSERT_EQ(aa_file_read(path, AA_STATE_MAX_BYTES, &b), 0);
	ASSERT_STR_EQ(b.data, "two");
	aa_buf_release(&b);
	cleanup(dir);
}

TEST(state_write_file_failure_leaves_nothing)
{
	char path[4200], tmp[4300];
	const char *dir = tmpdir();
	struct aa_buf b;

	/* The target is a directory: rename fails, the tmp is removed. */
	snprintf(path, sizeof(path), "%s/isdir", dir);
	ASSERT_EQ(mkdir(path, 0700), 0);
	snprintf(tmp, sizeof(tmp), "%s/isdir/x", dir);
	ASSERT_EQ(aa_file_replace(tmp, "", 0), 0);
	ASSERT_NE(aa_file_replace(path, "x", 1), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ASSERT_EQ(access(tmp, F_OK), -1);
	/* A parent that is a file cannot be created. */
	snprintf(tmp, sizeof(tmp), "%s/isdir/x/y/state.json", dir);
	ASSERT_EQ(aa_file_replace(tmp, "x", 1), -ENOTDIR);
	aa_buf_init(&b);
	snprintf(tmp, sizeof(tmp), "%s/missing.json", dir);
	ASSERT_EQ(aa_file_read(tmp, AA_STATE_MAX_BYTES, &b), AA_ENOENT);
	aa_buf_release(&b);
	ASSERT_EQ(aa_file_replace("", "x", 1), AA_EINVAL);
	cleanup(dir);
}

/* What the session does on its save timer: save only if wanted. */
static int
save_if_wanted(struct fx *f, const char *path)
{
	struct aa_buf b;

	if (!aa_conv_save_wanted(f->c))
		return 0;
	aa_buf_init(&b);
	ASSERT_EQ(aa_conv_state_encode(f->c, &b), 0);
	ASSERT_EQ(aa_file_replace(path, b.data, b.len), 0);
	aa_conv_state_saved(f->c);
	aa_buf_release(&b);
	return 1;
}

/* What the session does after a tick that wants the state loaded. */
static void
load_if_wanted(struct fx *f, const char *path)
{
	struct aa_buf b;
	char *cause = NULL;
	int rc;

	if (!aa_conv_wants_load(f->c))
		return;
	aa_buf_init(&b);
	rc = aa_file_read(path, AA_STATE_MAX_BYTES, &b);
	if (rc == AA_ENOENT)
		aa_conv_state_missing(f->c);
	else if (rc != 0)
		aa_conv_state_load_failed(f->c, aa_strerror(rc));
	else
		(void)aa_conv_state_load(f->c, aa_buf_str(&b), b.len, &cause);
	free(cause);
	aa_buf_release(&b);
}

/* Ticks until stable, loading when the tracker asks and typing the
 * initial prompt when due (with the screen unchanged by typing). */
static void
run_until_stable(struct fx *f, const char *screen, const char *path)
{
	const char *p;
	int i;

	for (i = 0; i < 20; i++) {
		fx_tick(f, f->o.interval_ms, screen);
		load_if_wanted(f, path);
		p = aa_conv_prompt_due(f->c);
		if (p != NULL) {
			char *copy = strdup(p);

			ASSERT_EQ(fx_send(f, copy, screen, 1), 0);
			free(copy);
			continue;
		}
		if (aa_conv_status(f->c) == AA_CONV_STABLE)
			return;
	}
	test_fail(__FILE__, __LINE__, "never stable with \"%s\"", screen);
}

/* A fixture with persistence on; prompt may be NULL. */
static void
pfx(struct fx *f, const char *prompt)
{
	fx_init(f, 100, 200);
	f->ready_screen = "> ready";
	f->o.initial_prompt = prompt;
	f->o.load_state = 1;
	f->o.save_state = 1;
	fx_start(f);
}

/* Runs a first session: greeting, one exchange, saved to path. */
static void
first_session(const char *path, const char *prompt)
{
	struct fx f;

	pfx(&f, prompt);
	run_until_stable(&f, "> ready", path);
	if (prompt == NULL) {
		ASSERT_EQ(fx_send(&f, "hello", "> ready", 1), 0);
	}
	run_until_stable(&f, "> ready\nanswer", path);
	ASSERT_EQ(aa_conv_count(f.c), 3);
	ASSERT_EQ(save_if_wanted(&f, path), 1);
	aa_conv_free(f.c);
}

/* The golden scenario's session (§7): the greeting until the prompt is
 * due, the prompt typed, then the response; returns the saved bytes. */
static void
golden_session(int64_t interval, int64_t stability, int64_t response_at,
    const char *path, struct aa_buf *saved)
{
	const char *hello = "Hello! Ready to help.";
	struct fx f;
	int i;

	fx_init(&f, interval, stability);
	f.ready_screen = hello;
	f.o.initial_prompt = "test prompt";
	f.o.save_state = 1;
	fx_start(&f);
	for (i = 0; i < 10 && aa_conv_prompt_due(f.c) == NULL; i++)
		fx_tick(&f, interval, hello);
	ASSERT_STR_EQ(aa_conv_prompt_due(f.c), "test prompt");
	ASSERT_EQ(fx_send(&f, "test prompt", hello, 1), 0);
	ASSERT_EQ(aa_conv_count(f.c), 2);
	f.mono = response_at - interval;
	for (i = 0; i < 10 && aa_conv_status(f.c) != AA_CONV_STABLE; i++)
		fx_tick(&f, interval, "Response to test prompt");
	ASSERT_EQ(aa_conv_status(f.c), AA_CONV_STABLE);
	ASSERT_EQ(save_if_wanted(&f, path), 1);
	ASSERT_EQ(aa_file_read(path, AA_STATE_MAX_BYTES, saved), 0);
	aa_conv_free(f.c);
}

TEST(state_golden_scenario_fields)
{
	char path[4200];
	const char *dir = tmpdir();
	struct aa_state got, want;
	struct aa_buf b;
	size_t len, i;
	char *g = golden(&len);

	snprintf(path, sizeof(path), "%s/state.json", dir);
	aa_buf_init(&b);
	golden_session(100, 200, 700, path, &b);
	decode_ok(&got, b.data);
	decode_ok(&want, g);
	ASSERT_EQ(got.version, want.version);
	ASSERT_STR_EQ(got.prompt, want.prompt);
	ASSERT_EQ(got.prompt_sent, want.prompt_sent);
	ASSERT_EQ(got.n, want.n);
	for (i = 0; i < got.n; i++) {
		ASSERT_EQ(got.msgs[i].id, want.msgs[i].id);
		ASSERT_STR_EQ(got.msgs[i].text, want.msgs[i].text);
		ASSERT_EQ(got.msgs[i].role, want.msgs[i].role);
	}
	aa_state_release(&got);
	aa_state_release(&want);
	aa_buf_release(&b);
	free(g);
	cleanup(dir);
}

TEST(state_golden_scenario_bytes)
{
	char path[4200];
	const char *dir = tmpdir();
	struct aa_buf b;
	size_t len;
	char *g = golden(&len);

	/* With times chosen to equal the golden file's (greeting and prompt
	 * at 0.5 s, response at 1.9 s) the bytes must be identical. */
	snprintf(path, sizeof(path), "%s/state.json", dir);
	aa_buf_init(&b);
	golden_session(500, 0, 1900, path, &b);
	ASSERT_MEM_EQ(b.data, b.len, g, len);
	aa_buf_release(&b);
	free(g);
	cleanup(dir);
}

TEST(state_save_disabled_writes_nothing)
{
	struct fx f;

	fx_init(&f, 100, 200);
	fx_start(&f);
	fx_until_stable(&f, "> ready", 5);
	ASSERT(aa_conv_dirty(f.c));
	ASSERT_EQ(aa_conv_save_wanted(f.c), 0);
	aa_conv_free(f.c);
}

TEST(state_second_save_without_changes_keeps_mtime)
{
	char path[4200];
	const char *dir = tmpdir();
	struct stat a, b;
	struct fx f;

	snprintf(path, sizeof(path), "%s/deep/er/state.json", dir);
	pfx(&f, "do it");
	run_until_stable(&f, "> ready", path);
	ASSERT_EQ(save_if_wanted(&f, path), 1);
	ASSERT_EQ(stat(path, &a), 0);
	fx_tick(&f, 100, "> ready");
	ASSERT_EQ(save_if_wanted(&f, path), 0);
	ASSERT_EQ(stat(path, &b), 0);
	ASSERT_EQ(a.st_mtim.tv_sec, b.st_mtim.tv_sec);
	ASSERT_EQ(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
	ASSERT_EQ(a.st_ino, b.st_ino);
	/* A change makes the next save happen. */
	fx_tick(&f, 100, "> ready\nmore");
	ASSERT_EQ(save_if_wanted(&f, path), 1);
	aa_conv_free(f.c);
	cleanup(dir);
}

TEST(state_changes_during_write_stay_dirty)
{
	struct fx f;
	struct aa_buf b;

	fx_init(&f, 100, 200);
	f.o.save_state = 1;
	fx_start(&f);
	fx_tick(&f, 100, "a");
	aa_buf_init(&b);
	ASSERT_EQ(aa_conv_state_encode(f.c, &b), 0);
	fx_tick(&f, 100, "b"); /* while the bytes are being written */
	aa_conv_state_saved(f.c);
	ASSERT(aa_conv_dirty(f.c));
	ASSERT(aa_conv_save_wanted(f.c));
	aa_buf_release(&b);
	aa_conv_free(f.c);
}

TEST(state_load_restores_messages)
{
	char path[4200];
	const char *dir = tmpdir();
	struct fx f;

	snprintf(path, sizeof(path), "%s/state.json", dir);
	first_session(path, NULL);
	pfx(&f, NULL);
	ASSERT(!aa_conv_wants_load(f.c));
	fx_tick(&f, 100, "booting");
	ASSERT(!aa_conv_wants_load(f.c)); /* not ready yet */
	ASSERT_EQ(aa_conv_save_wanted(f.c), 0); /* Fix §9.7: not loaded */
	fx_tick(&f, 100, "> ready");
	ASSERT(aa_conv_wants_load(f.c));
	load_if_wanted(&f, path);
	ASSERT(!aa_conv_wants_load(f.c));
	ASSERT_EQ(f.nerror, 0);
	ASSERT(!aa_conv_dirty(f.c));
	FX_EXPECT(&f, "> ready", "u:hello", "answer");
	/* The restored reply is pinned over the live screen. */
	run_until_stable(&f, "> ready\nsomething else", path);
	FX_EXPECT(&f, "> ready", "u:hello", "answer");
	ASSERT(!aa_conv_dirty(f.c));
	/* Until the user speaks again. */
	ASSERT_EQ(fx_send(&f, "next", "> ready", 1), 0);
	ASSERT(aa_conv_dirty(f.c));
	run_until_stable(&f, "> ready\nnew answer", path);
	FX_EXPECT(&f, "> ready", "u:hello", "answer", "u:next", "new answer");
	aa_conv_free(f.c);
	cleanup(dir);
}

/* Loads a file holding data into a fresh persistence fixture. */
static void
load_bytes(struct fx *f, const char *prompt, const char *dir,
    const char *data)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/state.json", dir);
	if (data != NULL)
		ASSERT_EQ(aa_file_replace(path, data, strlen(data)), 0);
	else
		unlink(path);
	pfx(f, prompt);
	fx_tick(f, 100, "> ready");
	load_if_wanted(f, path);
}

TEST(state_load_bad_files_keep_default)
{
	static const char *const bad[] = { "", "{corrupt", "{\"version\":999,"
		"\"messages\":[]}" };
	static const char *const why[] = { "unexpected end of JSON input",
		"invalid JSON", "unsupported state file version 999 (expected "
		"1)" };
	const char *dir = tmpdir();
	struct fx f;
	size_t i;

	for (i = 0; i < 3; i++) {
		load_bytes(&f, NULL, dir, bad[i]);
		ASSERT_EQ(f.nerror, 1);
		ASSERT_EQ(f.error_level, AA_CONV_LEVEL_WARNING);
		ASSERT(strncmp(f.error, "Failed to restore previous session: ",
		    36) == 0);
		ASSERT(strstr(f.error, why[i]) != NULL);
		FX_EXPECT(&f, "> ready");
		/* Fix §9.7: the broken file is never overwritten. */
		ASSERT(aa_conv_dirty(f.c));
		ASSERT_EQ(aa_conv_save_wanted(f.c), 0);
		aa_conv_free(f.c);
	}
	/* Missing: nothing reported, and saving is fine. */
	load_bytes(&f, NULL, dir, NULL);
	ASSERT_EQ(f.nerror, 0);
	FX_EXPECT(&f, "> ready");
	ASSERT(aa_conv_save_wanted(f.c));
	aa_conv_free(f.c);
	cleanup(dir);
}

TEST(state_load_unreadable_file_reported)
{
	const char *dir = tmpdir();
	char path[4200];
	struct fx f;

	snprintf(path, sizeof(path), "%s/state.json", dir);
	ASSERT_EQ(mkdir(path, 0700), 0); /* read() gives EISDIR */
	pfx(&f, NULL);
	fx_tick(&f, 100, "> ready");
	load_if_wanted(&f, path);
	ASSERT_EQ(f.nerror, 1);
	ASSERT_EQ(aa_conv_save_wanted(f.c), 0);
	aa_conv_free(f.c);
	cleanup(dir);
}

TEST(state_load_last_user_message_gets_reply)
{
	const char *dir = tmpdir();
	struct fx f;

	load_bytes(&f, NULL, dir, "{\"version\":1,\"messages\":[{\"id\":0,"
	    "\"message\":\"hi\",\"role\":\"agent\",\"time\":"
	    "\"2025-01-01T00:00:00Z\"},{\"id\":1,\"message\":\"q\","
	    "\"role\":\"user\",\"time\":\"2025-01-01T00:00:00Z\"}],"
	    "\"initial_prompt\":\"\",\"initial_prompt_sent\":false}\n");
	ASSERT_EQ(aa_conv_count(f.c), 2);
	fx_tick(&f, 100, "> ready");
	ASSERT_EQ(aa_conv_count(f.c), 3);
	ASSERT(strstr(aa_conv_message(f.c, 2)->text, "ready") != NULL);
	ASSERT_EQ(aa_conv_message(f.c, 2)->role, AA_ROLE_AGENT);
	aa_conv_free(f.c);
	cleanup(dir);
}

TEST(state_load_renumbers_ids)
{
	const char *dir = tmpdir();
	struct fx f;

	load_bytes(&f, NULL, dir, "{\"version\":1,\"messages\":[{\"id\":5,"
	    "\"role\":\"agent\"},{\"id\":5,\"role\":\"agent\"}]}");
	ASSERT_EQ(aa_conv_message(f.c, 0)->id, 0);
	ASSERT_EQ(aa_conv_message(f.c, 1)->id, 1);
	aa_conv_free(f.c);
	cleanup(dir);
}

/* A saved file whose prompt is p, sent or not. */
static void
prompt_file(char *out, size_t n, const char *p, int sent)
{
	snprintf(out, n, "{\"version\":1,\"messages\":[{\"id\":0,"
	    "\"message\":\"hi\",\"role\":\"agent\",\"time\":"
	    "\"2025-01-01T00:00:00Z\"}],\"initial_prompt\":\"%s\","
	    "\"initial_prompt_sent\":%s}\n", p, sent ? "true" : "false");
}

/* Loads a prompt file into a fixture configured with prompt, then
 * returns what is due once ready and stable. */
static const char *
due_after_load(struct fx *f, const char *dir, const char *prompt,
    const char *saved, int sent)
{
	char data[512];

	prompt_file(data, sizeof(data), saved, sent);
	load_bytes(f, prompt, dir, data);
	fx_tick(f, 100, "> ready");
	fx_tick(f, 100, "> ready");
	fx_tick(f, 100, "> ready");
	return aa_conv_prompt_due(f->c);
}

TEST(state_prompt_reconciliation)
{
	const char *dir = tmpdir();
	struct fx f;
	struct aa_buf b;

	/* Same prompt, already sent: not re-sent. */
	ASSERT_NULL(due_after_load(&f, dir, "p1", "p1", 1));
	ASSERT_EQ(aa_conv_status(f.c), AA_CONV_STABLE);
	aa_conv_free(f.c);
	/* Same prompt, not sent: sent. */
	ASSERT_STR_EQ(due_after_load(&f, dir, "p1", "p1", 0), "p1");
	aa_conv_free(f.c);
	/* Different prompt: sent. */
	ASSERT_STR_EQ(due_after_load(&f, dir, "p2", "p1", 1), "p2");
	aa_conv_free(f.c);
	/* None configured: the saved one is restored, and sent if unsent. */
	ASSERT_STR_EQ(due_after_load(&f, dir, NULL, "p1", 0), "p1");
	ASSERT_STR_EQ(aa_conv_prompt(f.c), "p1");
	aa_conv_free(f.c);
	ASSERT_NULL(due_after_load(&f, dir, NULL, "p1", 1));
	ASSERT_STR_EQ(aa_conv_prompt(f.c), "p1");
	aa_conv_free(f.c);
	/* An empty saved prompt is not restored. */
	ASSERT_NULL(due_after_load(&f, dir, NULL, "", 0));
	ASSERT_STR_EQ(aa_conv_prompt(f.c), "");
	aa_conv_free(f.c);
	/* A whitespace-only saved prompt neither (Fix §9.6). */
	ASSERT_NULL(due_after_load(&f, dir, NULL, " \\n ", 0));
	aa_conv_free(f.c);
	/* No prompt anywhere: saved as not sent. */
	pfx(&f, NULL);
	run_until_stable(&f, "> ready", "/nonexistent/state.json");
	aa_buf_init(&b);
	ASSERT_EQ(aa_conv_state_encode(f.c, &b), 0);
	ASSERT(strstr(b.data, "\"initial_prompt\":\"\","
	    "\"initial_prompt_sent\":false}\n") != NULL);
	aa_buf_release(&b);
	aa_conv_free(f.c);
	cleanup(dir);
}

TEST(state_restart_with_prompt_scenarios)
{
	char path[4200];
	const char *dir = tmpdir();
	struct fx f;

	/* e2e state_persistence_initial_prompt, at the tracker's level. */
	snprintf(path, sizeof(path), "%s/state.json", dir);
	first_session(path, "Test initial prompt");
	pfx(&f, NULL);
	run_until_stable(&f, "> ready", path);
	FX_EXPECT(&f, "> ready", "u:Test initial prompt", "answer");
	aa_conv_free(f.c);
	pfx(&f, "Different initial prompt");
	run_until_stable(&f, "> ready", path);
	run_until_stable(&f, "> ready\nsecond answer", path);
	FX_EXPECT(&f, "> ready", "u:Test initial prompt", "answer",
	    "u:Different initial prompt", "second answer");
	aa_conv_free(f.c);
	cleanup(dir);
}

/* Fix §9.3: appending the user's message marks the state dirty. */
TEST(state_fix_user_append_marks_dirty)
{
	char path[4200];
	const char *dir = tmpdir();
	struct fx f;

	snprintf(path, sizeof(path), "%s/state.json", dir);
	pfx(&f, NULL);
	run_until_stable(&f, "> ready", path);
	ASSERT_EQ(save_if_wanted(&f, path), 1);
	ASSERT(!aa_conv_dirty(f.c));
	ASSERT_EQ(fx_send(&f, "hi", "> ready", 1), 0);
	ASSERT(aa_conv_dirty(f.c));
	ASSERT_EQ(save_if_wanted(&f, path), 1);
	aa_conv_free(f.c);
	cleanup(dir);
}

/* Fix §9.7: with loading on, nothing is saved before the load ran. */
TEST(state_fix_no_save_before_load)
{
	struct fx f;

	pfx(&f, NULL);
	f.never_ready = 1;
	fx_tick(&f, 100, "starting");
	ASSERT(aa_conv_dirty(f.c));
	ASSERT_EQ(aa_conv_save_wanted(f.c), 0);
	aa_conv_free(f.c);
}
