/*
 * attach.h - `agentapi-c attach`, a terminal client for a running server,
 * and its pure parts (detach keys, size clamping) for the tests.
 */
#ifndef AA_ATTACH_H
#define AA_ATTACH_H

#include <stddef.h>

#define AA_ATTACH_DETACH_DEFAULT "ctrl-]"
#define AA_ATTACH_KEYS_MAX 8

/* A detach key sequence and how much of it has been typed so far. */
struct aa_attach_keys {
	unsigned char k[AA_ATTACH_KEYS_MAX];
	size_t n;
	size_t matched;
};

/*
 * Attaches the terminal to the server at url; detach_keys as docker's
 * --detach-keys ("ctrl-]", "ctrl-p,ctrl-q"; NULL or "" = the default).
 * With unix_path, the server is that unix socket (a host's) and url the
 * path under it ("/sessions/ID").  Returns the exit code.
 */
int aa_attach_main(const char *url, const char *token,
    const char *detach_keys, const char *unix_path);

/*
 * Parses a comma-separated list of keys, each "ctrl-a".."ctrl-z",
 * "ctrl-@", "ctrl-\", "ctrl-]", "ctrl-^", "ctrl-_" or one printable ASCII
 * character, at most AA_ATTACH_KEYS_MAX.  Returns 0, or AA_EINVAL with
 * *cause set.
 */
int aa_attach_parse_keys(const char *spec, struct aa_attach_keys *k,
    char **cause);

/* Writes the keys for people ("Ctrl-]", "Ctrl-P,Ctrl-Q") into buf. */
void aa_attach_keys_name(const struct aa_attach_keys *k, char *buf,
    size_t size);

/*
 * Filters n bytes of keyboard input: out (room for n + AA_ATTACH_KEYS_MAX
 * bytes) receives what goes to the agent.  A partly typed sequence is
 * held back until the next byte shows whether it continues.  Returns 1
 * when the sequence is complete (the bytes after it are dropped), else 0.
 */
int aa_attach_keys_feed(struct aa_attach_keys *k, const char *in, size_t n,
    char *out, size_t *outn);

/* Clamps a terminal size to POST /resize's bounds. */
void aa_attach_clamp(unsigned cols, unsigned rows, unsigned *ocols,
    unsigned *orows);

/* Runs the SSE line parser on bytes, for tests and the fuzz target. */
int aa__attach_sse_feed_for_test(const char *p, size_t n,
    int (*cb)(void *ud, const char *name, const char *data), void *ud);

#endif /* AA_ATTACH_H */
