/*
 * store.c - aa_store: the state file and its journal on disk (store.h).
 *
 * The order of writes is what makes it safe.  A user message is appended
 * to the journal and fsync'd before the session reports it sent.  A save
 * replaces the state file (temporary file, fsync, rename) and only then
 * empties the journal; a crash in between leaves records the state file
 * already holds, which the replay recognises by time and text and skips.
 * A write torn by a crash leaves a bad tail record, which the replay drops
 * and the next load or the first append cuts off, so that later records
 * never sit behind it.  When loading is off, the first append or save
 * empties the journal of an earlier run, whose messages belong to a
 * conversation that is being replaced.
 *
 * The journal is read and written only if it is a regular file of ours
 * (never through a link), like the state file's temporary files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/fileio.h"
#include "core/journal.h"
#include "core/state.h"
#include "runtime/store.h"

struct aa_store {
	char *path;		/* the state file */
	char *jpath;		/* "<path>.journal" */
	int jfd;		/* the journal, open for appending, or -1 */
	int checked;		/* the journal's old content was dealt with */
	size_t jsize;		/* its valid length as far as we know */
	struct aa_buf rec;	/* one encoded record */
	char *error;		/* why the last write failed, or NULL */
};

static void store_fail(struct aa_store *st, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int store_replay(struct aa_store *st, struct aa_buf *out,
    const struct aa_buf *journal, int missing, size_t *replayed);
static int store_empty_journal(struct aa_store *st);

int
aa_store_new(struct aa_store **out, const char *path)
{
	struct aa_store *st;

	if (path == NULL || *path == '\0')
		return AA_EINVAL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return AA_ENOMEM;
	st->jfd = -1;
	aa_buf_init(&st->rec);
	if ((st->path = strdup(path)) == NULL ||
	    asprintf(&st->jpath, "%s.journal", path) < 0) {
		st->jpath = NULL;
		aa_store_free(st);
		return AA_ENOMEM;
	}
	*out = st;
	return 0;
}

void
aa_store_free(struct aa_store *st)
{
	if (st == NULL)
		return;
	/* An empty journal is not left beside the state file. */
	if (st->jfd >= 0 && st->jsize == 0)
		(void)unlink(st->jpath);
	if (st->jfd >= 0)
		close(st->jfd);
	aa_buf_release(&st->rec);
	free(st->path);
	free(st->jpath);
	free(st->error);
	free(st);
}

/* Records why a write failed: "<what>: <system's reason>". */
static void
store_fail(struct aa_store *st, int err, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	free(st->error);
	if (what == NULL || asprintf(&st->error, "%s: %s", what,
	    aa_strerror(err)) < 0)
		st->error = NULL;
	free(what);
}

/* Empties the journal (its records are in the state file now): truncates
 * the one we append to, removes one we do not hold open. */
static int
store_empty_journal(struct aa_store *st)
{
	int rc;

	if (st->jfd >= 0)
		rc = ftruncate(st->jfd, 0) == 0 ? 0 : AA__ERR(errno);
	else
		rc = aa_file_remove_own(st->jpath);
	if (rc == 0) {
		st->jsize = 0;
		st->checked = 1;
	}
	return rc;
}

/*
 * Replays journal into the state bytes in out (missing: there is no state
 * file).  Leaves out alone when nothing is new, else re-encodes it.
 * Returns 1 when the state does not decode (out is left for the caller
 * to report, the journal stays), else 0 or an error.
 */
static int
store_replay(struct aa_store *st, struct aa_buf *out,
    const struct aa_buf *journal, int missing, size_t *replayed)
{
	struct aa_state s;
	struct aa_buf enc;
	int n, rc;

	memset(&s, 0, sizeof(s));
	s.version = AA_STATE_VERSION;
	if (!missing && aa_state_decode(&s, out->data, out->len, NULL) != 0)
		return 1;
	n = aa_journal_merge(&s, journal->data, journal->len, &st->jsize);
	if (n <= 0) {
		aa_state_release(&s);
		return n;
	}
	aa_buf_init(&enc);
	rc = aa_state_encode(&enc, &s, 0);
	aa_state_release(&s);
	if (rc == 0 && enc.len > AA_STATE_MAX_BYTES)
		rc = AA_E2BIG;
	if (rc != 0) {
		aa_buf_release(&enc);
		return rc;
	}
	aa_buf_release(out);
	*out = enc;
	*replayed = (size_t)n;
	return 0;
}

int
aa_store_load(struct aa_store *st, struct aa_buf *out, int fold,
    size_t *replayed)
{
	struct aa_buf j;
	int rc, jrc, missing;

	*replayed = 0;
	/* A crash in the middle of a save leaves its temporary file. */
	if (fold)
		(void)aa_file_remove_tmps(st->path);
	rc = aa_file_read(st->path, AA_STATE_MAX_BYTES, out);
	if (rc != 0 && rc != AA_ENOENT)
		return rc;
	missing = rc == AA_ENOENT;
	aa_buf_init(&j);
	jrc = aa_file_read_own(st->jpath, AA_STATE_MAX_BYTES, &j);
	if (jrc != 0 || j.len == 0) {
		/* No journal, or one we may not trust: nothing to replay. */
		aa_buf_release(&j);
		st->checked = jrc == 0 || jrc == AA_ENOENT;
		if (!st->checked)
			store_fail(st, jrc, "reading the journal %s",
			    st->jpath);
		return missing ? AA_ENOENT : 0;
	}
	rc = store_replay(st, out, &j, missing, replayed);
	aa_buf_release(&j);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	st->checked = 1; /* replayed: appends go after its valid part */
	rc = *replayed == 0 && missing ? AA_ENOENT : 0;
	if (!fold)
		return rc;
	if (*replayed > 0) {
		int w = aa_file_replace(st->path, out->data, out->len);

		if (w != 0) {
			/* The records stay in the journal for next time. */
			store_fail(st, w, "saving state to %s", st->path);
			return rc;
		}
	}
	if ((jrc = store_empty_journal(st)) != 0)
		store_fail(st, jrc, "emptying the journal %s", st->jpath);
	return rc;
}

int
aa_store_save(struct aa_store *st, const char *data, size_t len)
{
	int rc;

	rc = aa_file_replace(st->path, data, len);
	if (rc != 0) {
		store_fail(st, rc, "saving state to %s", st->path);
		return rc;
	}
	free(st->error);
	st->error = NULL;
	if (st->jsize > 0 || !st->checked) {
		rc = store_empty_journal(st);
		if (rc != 0)
			store_fail(st, rc, "emptying the journal %s",
			    st->jpath);
	}
	return 0;
}

int
aa_store_journal(struct aa_store *st, const struct aa_message *m,
    int prompt)
{
	int rc;

	aa_buf_reset(&st->rec);
	rc = aa_journal_encode(&st->rec, m->time_ns, prompt, m->text, m->len);
	if (rc != 0) {
		store_fail(st, rc, "journaling a message in %s", st->jpath);
		return rc;
	}
	if (st->jfd < 0) {
		if ((rc = aa_file_open_append(st->jpath)) < 0) {
			store_fail(st, rc, "opening the journal %s",
			    st->jpath);
			return rc;
		}
		st->jfd = rc;
		/* Not replayed (loading is off): an earlier run's. */
		if (!st->checked && (rc = store_empty_journal(st)) != 0) {
			store_fail(st, rc, "emptying the journal %s",
			    st->jpath);
			return rc;
		}
		/* Cut a torn tail off, so that the record follows the
		 * last good one. */
		if (ftruncate(st->jfd, (off_t)st->jsize) != 0) {
			rc = AA__ERR(errno);
			store_fail(st, rc, "opening the journal %s",
			    st->jpath);
			return rc;
		}
		st->checked = 1;
	}
	rc = aa_file_append_sync(st->jfd, st->rec.data, st->rec.len);
	if (rc != 0) {
		/* A partial record must not stay in front of later ones. */
		(void)!ftruncate(st->jfd, (off_t)st->jsize);
		store_fail(st, rc, "writing the journal %s", st->jpath);
		return rc;
	}
	st->jsize += st->rec.len;
	return st->jsize > AA_STORE_JOURNAL_SOFT_MAX ? 1 : 0;
}

const char *
aa_store_error(const struct aa_store *st)
{
	return st != NULL ? st->error : NULL;
}
