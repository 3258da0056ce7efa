/*
 * test-journal.c - the user-message journal: its records (core/journal.c)
 * and the store that keeps it beside the state file (runtime/store.c):
 * replay on load, fold on save, torn tails, hostile bytes, and the order
 * of writes that makes a SIGKILL at any point lose nothing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "test.h"

#include "agentapi.h"
#include "base/fileio.h"
#include "core/journal.h"
#include "core/state.h"
#include "runtime/store.h"

#define T0 INT64_C(1735689600123456789)	/* 2025-01-01, with ns */

/* Appends a record, asserting success. */
static void
rec(struct aa_buf *b, int64_t t, int prompt, const char *text)
{
	ASSERT_EQ(aa_journal_encode(b, t, prompt, text, strlen(text)), 0);
}

/* A state of n alternating user/agent messages "u<i>"/"a<i>" at T0+i. */
static void
make_state(struct aa_state *st, size_t n)
{
	char text[32];
	size_t i;

	memset(st, 0, sizeof(*st));
	st->version = AA_STATE_VERSION;
	st->msgs = calloc(n > 0 ? n : 1, sizeof(*st->msgs));
	ASSERT_NOT_NULL(st->msgs);
	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%c%zu", i % 2 ? 'a' : 'u', i);
		st->msgs[i].id = (int64_t)i;
		st->msgs[i].role = i % 2 ? AA_ROLE_AGENT : AA_ROLE_USER;
		st->msgs[i].text = strdup(text);
		st->msgs[i].len = strlen(text);
		st->msgs[i].time_ns = T0 + (int64_t)i;
	}
	st->n = n;
}

TEST(journal_record_round_trip)
{
	struct aa_journal_rec r;
	struct aa_buf b;
	ssize_t k;

	aa_buf_init(&b);
	rec(&b, T0, 0, "hello\nworld \xff");
	rec(&b, -T0, 1, "");
	k = aa_journal_next(b.data, b.len, &r);
	ASSERT_GT(k, 0);
	ASSERT_EQ(r.time_ns, T0);
	ASSERT_EQ(r.prompt, 0);
	ASSERT_MEM_EQ(r.text, r.len, "hello\nworld \xff", (size_t)13);
	ASSERT_EQ(aa_journal_next(b.data + k, b.len - (size_t)k, &r),
	    (ssize_t)b.len - k);
	ASSERT_EQ(r.time_ns, -T0);
	ASSERT_EQ(r.prompt, 1);
	ASSERT_EQ(r.len, 0);
	ASSERT_EQ(aa_journal_next(b.data, 0, &r), 0);
	aa_buf_release(&b);
}

TEST(journal_refuses_what_the_state_file_could_not_hold)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_EQ(aa_journal_encode(&b, T0, 0, "a\0b", 3), AA_EINVAL);
	ASSERT_EQ(aa_journal_encode(&b, INT64_MAX, 0, "a", 1), AA_EINVAL);
	ASSERT_EQ(aa_journal_encode(&b, INT64_MIN, 0, "a", 1), AA_EINVAL);
	ASSERT_EQ(aa_journal_encode(&b, T0, 0, NULL, 1), AA_EINVAL);
	ASSERT_EQ(b.len, 0);
	aa_buf_release(&b);
}

TEST(journal_every_torn_tail_is_detected)
{
	struct aa_journal_rec r;
	struct aa_buf b;
	size_t cut;

	aa_buf_init(&b);
	rec(&b, T0, 0, "a message of some length");
	for (cut = 1; cut < b.len; cut++)
		ASSERT_EQ(aa_journal_next(b.data, cut, &r), -1);
	ASSERT_EQ(aa_journal_next(b.data, b.len, &r), (ssize_t)b.len);
	aa_buf_release(&b);
}

TEST(journal_every_flipped_byte_is_detected)
{
	struct aa_journal_rec r;
	struct aa_buf b;
	size_t i;
	int bit;

	aa_buf_init(&b);
	rec(&b, T0, 1, "flip me");
	for (i = 0; i < b.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			b.data[i] ^= (char)(1 << bit);
			/* A flip may only ever yield an invalid record. */
			ASSERT_EQ(aa_journal_next(b.data, b.len, &r), -1);
			b.data[i] ^= (char)(1 << bit);
		}
	}
	aa_buf_release(&b);
}

TEST(journal_hostile_headers)
{
	static const char *const bad[] = {
		"",
		"aaj1",
		"aaj2 1 0 0 0000000000000000\n\n",
		"aaj1 1 2 0 0000000000000000\n\n",		/* flags */
		"aaj1 1 0 -1 0000000000000000\n\n",		/* length */
		"aaj1 1 0 99999999999999999999 0000000000000000\n\n",
		"aaj1 99999999999999999999 0 0 0000000000000000\n\n",
		"aaj1 1 0 4294967296 0000000000000000\n\n",
		"aaj1 1 0 0 000000000000000\n\n",		/* short sum */
		"aaj1 1  0 0 0000000000000000\n\n",
		"aaj1 +1 0 0 0000000000000000\n\n",
		"aaj1 1 0 0 0000000000000000",
		"aaj1 1 0 1000000 0000000000000000\nshort\n",
	};
	struct aa_journal_rec r;
	char big[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i][0] == '\0')
			continue;
		ASSERT_EQ(aa_journal_next(bad[i], strlen(bad[i]), &r), -1);
	}
	/* A header line longer than any real one. */
	memset(big, '1', sizeof(big));
	memcpy(big, "aaj1 ", 5);
	big[sizeof(big) - 1] = '\n';
	ASSERT_EQ(aa_journal_next(big, sizeof(big), &r), -1);
}

TEST(journal_merge_appends_only_what_the_state_lacks)
{
	struct aa_state st, back;
	struct aa_buf j, enc;
	size_t valid = 0;
	char *cause = NULL;

	make_state(&st, 4);	/* u0 a1 u2 a3 */
	aa_buf_init(&j);
	aa_buf_init(&enc);
	rec(&j, T0 + 2, 0, "u2");	/* saved already: skipped */
	rec(&j, T0 + 0, 0, "u0");	/* saved already: skipped */
	rec(&j, T0 + 2, 0, "u2 but other");	/* same time, other text */
	rec(&j, T0 + 9, 1, "the prompt");
	rec(&j, T0 + 1, 0, "a1");	/* an agent text, as a user's */
	ASSERT_EQ(aa_journal_merge(&st, j.data, j.len, &valid), 3);
	ASSERT_EQ(valid, j.len);
	ASSERT_EQ(st.n, 7);
	ASSERT_STR_EQ(st.msgs[4].text, "u2 but other");
	ASSERT_EQ(st.msgs[4].role, AA_ROLE_USER);
	ASSERT_EQ(st.msgs[4].id, 4);
	ASSERT_EQ(st.msgs[4].time_ns, T0 + 2);
	ASSERT_STR_EQ(st.msgs[5].text, "the prompt");
	ASSERT_STR_EQ(st.prompt, "the prompt");
	ASSERT_EQ(st.prompt_sent, 1);
	ASSERT_STR_EQ(st.msgs[6].text, "a1");
	ASSERT_EQ(st.msgs[6].role, AA_ROLE_USER);
	/* The merged state is a valid state file, and merging again adds
	 * nothing (a crash between the save and the journal's truncation). */
	ASSERT_EQ(aa_state_encode(&enc, &st, 1), 0);
	ASSERT_EQ(aa_state_decode(&back, enc.data, enc.len, &cause), 0);
	ASSERT_EQ(aa_journal_merge(&back, j.data, j.len, NULL), 0);
	ASSERT_EQ(back.n, 7);
	aa_state_release(&back);
	aa_state_release(&st);
	aa_buf_release(&enc);
	aa_buf_release(&j);
}

TEST(journal_merge_matches_texts_as_the_state_file_holds_them)
{
	struct aa_state st, back;
	struct aa_buf j, enc;
	char *cause = NULL;

	/* An initial prompt from the command line may hold invalid UTF-8;
	 * the state file has U+FFFD for it, the journal the raw bytes. */
	make_state(&st, 0);
	aa_buf_init(&j);
	aa_buf_init(&enc);
	rec(&j, T0, 1, "caf\xe9 \xff!");
	ASSERT_EQ(aa_journal_merge(&st, j.data, j.len, NULL), 1);
	ASSERT_STR_EQ(st.msgs[0].text, "caf\xef\xbf\xbd \xef\xbf\xbd!");
	ASSERT_EQ(aa_state_encode(&enc, &st, 0), 0);
	ASSERT_EQ(aa_state_decode(&back, enc.data, enc.len, &cause), 0);
	/* Saved, then a crash before the journal was emptied: no twin. */
	ASSERT_EQ(aa_journal_merge(&back, j.data, j.len, NULL), 0);
	ASSERT_EQ(back.n, 1);
	aa_state_release(&back);
	aa_state_release(&st);
	aa_buf_release(&enc);
	aa_buf_release(&j);
}

TEST(journal_merge_stops_at_a_torn_or_bad_record)
{
	struct aa_state st;
	struct aa_buf j;
	size_t valid = 0, good;

	make_state(&st, 0);
	aa_buf_init(&j);
	rec(&j, T0, 0, "one");
	rec(&j, T0 + 1, 0, "two");
	good = j.len;
	rec(&j, T0 + 2, 0, "torn");
	j.len -= 3;
	ASSERT_EQ(aa_journal_merge(&st, j.data, j.len, &valid), 2);
	ASSERT_EQ(valid, good);
	ASSERT_STR_EQ(st.msgs[1].text, "two");
	aa_state_release(&st);
	/* Garbage in the middle: what follows it is not trusted either. */
	make_state(&st, 0);
	aa_buf_reset(&j);
	rec(&j, T0, 0, "one");
	good = j.len;
	aa_buf_puts(&j, "garbage\n");
	rec(&j, T0 + 1, 0, "after");
	ASSERT_EQ(aa_journal_merge(&st, j.data, j.len, &valid), 1);
	ASSERT_EQ(valid, good);
	aa_state_release(&st);
	aa_buf_release(&j);
}

/* ---- the store: files on disk ---- */

struct files {
	char dir[256];
	char path[300];
	char journal[320];
};

static void
files_init(struct files *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/aa-journal-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/state.json", f->dir);
	snprintf(f->journal, sizeof(f->journal), "%s.journal", f->path);
}

/* A message for aa_store_journal. */
static struct aa_message
msg(const char *text, int64_t t)
{
	struct aa_message m;

	memset(&m, 0, sizeof(m));
	m.role = AA_ROLE_USER;
	m.text = text;
	m.len = strlen(text);
	m.time_ns = t;
	return m;
}

/* Size of path, -1 if missing. */
static long
fsize(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Loads (read-only) and decodes, asserting the user texts in order. */
static void
expect_users(const char *path, const char *const *want, size_t n)
{
	struct aa_store *st;
	struct aa_state s;
	struct aa_buf b;
	size_t i, k = 0, rep;

	aa_buf_init(&b);
	ASSERT_EQ(aa_store_new(&st, path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 0, &rep), 0);
	ASSERT_EQ(aa_state_decode(&s, b.data, b.len, NULL), 0);
	for (i = 0; i < s.n; i++) {
		if (s.msgs[i].role != AA_ROLE_USER)
			continue;
		ASSERT_LT(k, n);
		ASSERT_STR_EQ(s.msgs[i].text, want[k]);
		k++;
	}
	ASSERT_EQ(k, n);
	aa_state_release(&s);
	aa_store_free(st);
	aa_buf_release(&b);
}

TEST(store_journal_survives_without_a_save_and_folds_on_load)
{
	static const char *const want[] = { "first", "second" };
	struct files f;
	struct aa_store *st;
	struct aa_message m1 = msg("first", T0), m2 = msg("second", T0 + 5);
	struct aa_buf b;
	size_t rep;

	files_init(&f);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	aa_buf_init(&b);
	ASSERT_EQ(aa_store_load(st, &b, 1, &rep), AA_ENOENT);
	ASSERT_EQ(aa_store_journal(st, &m1, 0), 0);
	ASSERT_EQ(aa_store_journal(st, &m2, 0), 0);
	/* "SIGKILL": the store is dropped with no save. */
	aa_store_free(st);
	ASSERT_EQ(fsize(f.path), -1);
	ASSERT_GT(fsize(f.journal), 0);
	expect_users(f.path, want, 2);
	/* A load that may save folds the journal into the file. */
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 1, &rep), 0);
	ASSERT_EQ(rep, 2);
	ASSERT_EQ(fsize(f.journal), -1);	/* folded, then removed */
	ASSERT_GT(fsize(f.path), 0);
	ASSERT_NULL(aa_store_error(st));
	aa_store_free(st);
	expect_users(f.path, want, 2);
	aa_buf_release(&b);
}

TEST(store_save_empties_the_journal_and_a_stale_journal_adds_nothing)
{
	static const char *const want[] = { "u0", "u2" };
	struct files f;
	struct aa_store *st;
	struct aa_state s;
	struct aa_message m = msg("u2", T0 + 2);
	struct aa_buf b, saved;
	size_t rep;

	files_init(&f);
	aa_buf_init(&b);
	aa_buf_init(&saved);
	make_state(&s, 4);
	ASSERT_EQ(aa_state_encode(&saved, &s, 0), 0);
	aa_state_release(&s);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 1, &rep), AA_ENOENT);
	ASSERT_EQ(aa_store_journal(st, &m, 0), 0);
	ASSERT_EQ(aa_store_save(st, saved.data, saved.len), 0);
	ASSERT_EQ(fsize(f.journal), 0);
	aa_store_free(st);
	/* Nothing is left beside the state file after a clean end. */
	ASSERT_EQ(fsize(f.journal), -1);
	/* A crash between the rename and the truncation leaves the record
	 * in both: it is not replayed twice. */
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 0, &rep), 0);
	ASSERT_EQ(aa_store_journal(st, &m, 0), 0);
	aa_store_free(st);
	ASSERT_GT(fsize(f.journal), 0);
	expect_users(f.path, want, 2);
	aa_buf_release(&b);
	aa_buf_release(&saved);
}

TEST(store_cuts_a_torn_tail_before_appending)
{
	static const char *const want[] = { "before", "after" };
	struct files f;
	struct aa_store *st;
	struct aa_message m1 = msg("before", T0), m2 = msg("after", T0 + 1);
	struct aa_buf b;
	size_t rep;
	int fd;

	files_init(&f);
	aa_buf_init(&b);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 0, &rep), AA_ENOENT);
	ASSERT_EQ(aa_store_journal(st, &m1, 0), 0);
	aa_store_free(st);
	/* A record torn by a crash in the middle of its write. */
	fd = open(f.journal, O_WRONLY | O_APPEND);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "aaj1 17356896", 13), 13);
	close(fd);
	/* Loading read-only (saving off) leaves the file alone... */
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 0, &rep), 0);
	ASSERT_EQ(rep, 1);
	/* ...and the first append cuts the tail off. */
	ASSERT_EQ(aa_store_journal(st, &m2, 0), 0);
	aa_store_free(st);
	expect_users(f.path, want, 2);
	aa_buf_release(&b);
}

TEST(store_without_loading_starts_a_fresh_journal)
{
	static const char *const want[] = { "new" };
	struct files f;
	struct aa_store *st;
	struct aa_message old = msg("old", T0), m = msg("new", T0 + 1);

	files_init(&f);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_journal(st, &old, 0), 0);
	aa_store_free(st);
	/* A run that does not load (--load-state=false) replaces the
	 * conversation: the earlier run's records must not come back. */
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_journal(st, &m, 0), 0);
	aa_store_free(st);
	expect_users(f.path, want, 1);
}

TEST(store_leaves_the_journal_of_a_state_file_that_does_not_load)
{
	struct files f;
	struct aa_store *st;
	struct aa_message m = msg("keep me", T0);
	struct aa_buf b;
	size_t rep;
	long jlen;

	files_init(&f);
	aa_buf_init(&b);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_journal(st, &m, 0), 0);
	aa_store_free(st);
	jlen = fsize(f.journal);
	ASSERT_EQ(aa_file_replace(f.path, "{broken", 7), 0);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 1, &rep), 0);
	ASSERT_EQ(rep, 0);
	ASSERT_MEM_EQ(b.data, b.len, "{broken", (size_t)7);
	aa_store_free(st);
	ASSERT_EQ(fsize(f.journal), jlen);
	ASSERT_EQ(fsize(f.path), 7);
	aa_buf_release(&b);
}

TEST(store_failed_save_is_reported_with_the_systems_reason)
{
	struct files f;
	struct aa_store *st;
	char want[400];

	files_init(&f);
	/* The state file's path is taken by a directory: rename fails. */
	ASSERT_EQ(mkdir(f.path, 0700), 0);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_save(st, "{}", 2), -EISDIR);
	snprintf(want, sizeof(want), "saving state to %s: is a directory",
	    f.path);
	ASSERT_STR_EQ(aa_store_error(st), want);
	ASSERT_EQ(rmdir(f.path), 0);
	ASSERT_EQ(aa_store_save(st, "{}", 2), 0);
	ASSERT_NULL(aa_store_error(st));
	aa_store_free(st);
}

TEST(store_ignores_another_users_journal)
{
	struct files f;
	struct aa_store *st;
	struct aa_message m = msg("injected", T0);
	struct aa_buf b;
	size_t rep;

	if (geteuid() != 0)
		test_skip("chown to another user needs root");
	files_init(&f);
	aa_buf_init(&b);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_journal(st, &m, 0), 0);
	aa_store_free(st);
	ASSERT_EQ(chown(f.journal, 65534, 65534), 0);
	ASSERT_EQ(aa_store_new(&st, f.path), 0);
	ASSERT_EQ(aa_store_load(st, &b, 1, &rep), AA_ENOENT);
	ASSERT_EQ(rep, 0);
	ASSERT_EQ(aa_store_journal(st, &m, 0), -EPERM);
	ASSERT_NOT_NULL(aa_store_error(st));
	aa_store_free(st);
	aa_buf_release(&b);
}
