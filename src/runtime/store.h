/*
 * store.h - aa_store: the state file and its journal on disk.
 *
 * The session's persistence in one place: the state file is read with the
 * journal's user messages replayed (core/journal.h) and replaced
 * crash-safely (base/fileio.h); each user message is appended to
 * "<state>.journal" and fsync'd before the session reports it sent, so a
 * message answered with 200 survives a SIGKILL; a successful save empties
 * the journal.  The store remembers why the last save or journal write
 * failed, for the logs, /status and the program's exit status.
 */
#ifndef AA_STORE_H
#define AA_STORE_H

#include <stddef.h>

#include "agentapi.h"
#include "base/buf.h"

/* Journal size past which the caller should save (and so empty it). */
#define AA_STORE_JOURNAL_SOFT_MAX ((size_t)4 << 20)

struct aa_store;

/* Creates a store for the state file at path (nothing is opened yet). */
int aa_store_new(struct aa_store **out, const char *path);
/* Closes the journal and frees the store (NULL is fine). */
void aa_store_free(struct aa_store *st);

/*
 * Reads the state file into out with the journal's records that it does
 * not hold yet replayed (*replayed counts them).  With fold set (saving is
 * enabled) a replay is written back into the state file and the journal
 * emptied.  A state file that does not decode is returned as it is (the
 * caller reports it) and its journal left alone.  Returns 0, AA_ENOENT
 * when there is neither a state file nor a journal record, or an error.
 */
int aa_store_load(struct aa_store *st, struct aa_buf *out, int fold,
    size_t *replayed);

/* Replaces the state file with data and empties the journal. */
int aa_store_save(struct aa_store *st, const char *data, size_t len);

/*
 * Appends a user message to the journal and waits until it is on disk;
 * prompt marks the initial prompt.  Returns 0, 1 when the journal has
 * grown past AA_STORE_JOURNAL_SOFT_MAX (save soon), or an error.
 */
int aa_store_journal(struct aa_store *st, const struct aa_message *m,
    int prompt);

/* Why the last save or journal write failed ("saving state to PATH:
 * no space left on device"), or NULL after a success. */
const char *aa_store_error(const struct aa_store *st);

#endif /* AA_STORE_H */
