/*
 * state.h - aa_state: the state file (../shared/spec/core.md §5).
 *
 * Version 1 of the file is one compact JSON object plus "\n", written by
 * upstream's Go encoder: fields version, messages ({id, message, role,
 * time}), initial_prompt, initial_prompt_sent, in that order, with "<",
 * ">", "&", U+2028 and U+2029 escaped.  aa_state_encode produces those
 * bytes exactly; aa_state_decode reads leniently the way Go's decoder
 * does (first JSON value only, keys matched case-insensitively, unknown
 * keys ignored, null leaves a zero value, "messages": null is no
 * messages) and then checks the version.  The codec is pure; the file
 * is written crash-safely by base/fileio.c (aa_file_replace).
 *
 * One field is ours: "queue", the messages queued for the agent's next
 * idle moment and not typed yet, in the messages' shape (role "user"),
 * written after upstream's fields and only when non-empty, so that a file
 * without a queue is upstream's bytes and upstream reads ours.
 */
#ifndef AA_STATE_H
#define AA_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "agentapi.h"
#include "base/buf.h"

#define AA_STATE_VERSION 1
/* Largest state file read or decoded; a longer one is AA_E2BIG. */
#define AA_STATE_MAX_BYTES ((size_t)64 << 20)

/* A decoded (owned) or to-be-encoded (borrowed) state file.  Messages are
 * the public struct aa_message; the codec knows nothing of the tracker. */
struct aa_state {
	int64_t version;
	struct aa_message *msgs;
	size_t n;
	const char *prompt;
	size_t prompt_len;
	int prompt_sent;
	struct aa_message *queue;	/* ours: queued, not sent; ids are */
	size_t nqueue;			/* the queue's */
};

/* Appends the file's bytes for st (version is always 1) to out. */
int aa_state_encode(struct aa_buf *out, const struct aa_state *st, int utc);
/* Decodes json into st (owned; release it); on failure returns
 * AA_ECORRUPT or AA_EVERSION with a malloc'd *cause as upstream words it. */
int aa_state_decode(struct aa_state *st, const char *json, size_t len,
    char **cause);
/* Frees what aa_state_decode allocated and zeroes st. */
void aa_state_release(struct aa_state *st);
/* Appends s as a JSON string the way Go's encoder writes it; html
 * non-zero also escapes "<", ">" and "&" (json.Marshal's default). */
int aa_state_quote(struct aa_buf *out, const char *s, size_t n, int html);

#endif /* AA_STATE_H */
