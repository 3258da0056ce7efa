/*
 * attach.h - `agentapi-c attach`, a terminal client for a running server.
 */
#ifndef AA_ATTACH_H
#define AA_ATTACH_H

#include <stddef.h>

/* Attaches the terminal to the server at url; returns the exit code. */
int aa_attach_main(const char *url, const char *token);

/* Runs the SSE line parser on bytes, for tests and the fuzz target. */
int aa__attach_sse_feed_for_test(const char *p, size_t n,
    int (*cb)(void *ud, const char *name, const char *data), void *ud);

#endif /* AA_ATTACH_H */
