/*
 * journal.h - aa_journal: the state file's append-only sidecar of user
 * messages.
 *
 * The state file is saved about a second after a change, so a user
 * message answered with 200 would be lost by a SIGKILL in that second.
 * The runtime therefore appends each user message to "<state>.journal"
 * and fsyncs it before the answer goes out; a save folds the journal into
 * the state file (which keeps upstream's version 1 format) and empties
 * it; a load replays the records the state file does not hold yet.
 *
 * One record is a header line and the text:
 *
 *   "aaj1 <time_ns> <flags> <len> <sum>\n" <len bytes of text> "\n"
 *
 * time_ns is the message's wall time in nanoseconds (signed decimal),
 * flags is 0 or 1 (1: the initial prompt), len the text's length, and sum
 * 16 hex digits, the first 8 bytes of SHA-256 over the header up to
 * <len> plus "\n" and the text.  A record that is cut short or whose sum
 * does not match (a write torn by a crash) ends the journal: it and
 * anything after it are dropped.
 *
 * A record is "in the state file" when the file holds a user message with
 * the same time and text; the time has nanoseconds, so two different
 * messages never match.  Pure code, like the codec it extends.
 */
#ifndef AA_JOURNAL_H
#define AA_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "core/state.h"

/* Longest text of one record (the state file's own limit). */
#define AA_JOURNAL_TEXT_MAX AA_STATE_MAX_BYTES
/* Most records replayed from one journal. */
#define AA_JOURNAL_RECORDS_MAX 100000

/* One record; text points into the parsed bytes. */
struct aa_journal_rec {
	int64_t time_ns;
	int prompt;		/* the initial prompt */
	const char *text;
	size_t len;
};

/* Appends the record for a user message to out.  AA_EINVAL for a text
 * with a NUL byte or a time outside 1900..2199 (which the state file
 * could not hold), AA_E2BIG for a text over AA_JOURNAL_TEXT_MAX. */
int aa_journal_encode(struct aa_buf *out, int64_t time_ns, int prompt,
    const char *text, size_t len);

/* Parses the record at data[0..n): returns its length (> 0) and fills r,
 * 0 when n is 0, or -1 when the bytes are not a whole, valid record. */
ssize_t aa_journal_next(const char *data, size_t n,
    struct aa_journal_rec *r);

/*
 * Appends to st (a decoded state, owned) the user messages of the journal
 * bytes data[0..n) that st does not hold yet, in journal order; a prompt
 * record also sets st's initial prompt and marks it sent.  *valid (may be
 * NULL) receives the length of the journal's valid prefix.  Returns the
 * number of messages appended, or AA_ENOMEM (st is then unchanged).
 */
int aa_journal_merge(struct aa_state *st, const char *data, size_t n,
    size_t *valid);

#endif /* AA_JOURNAL_H */
