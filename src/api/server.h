/*
 * server.h - what the agentapi-c program uses of aa_server beyond
 * include/agentapi.h.
 *
 * The public aa_log_fn gets "function: message" lines.  The program wants
 * the function's name apart (it prints the message only, in upstream's
 * slog format), so it opens the server with a record logger instead.
 */
#ifndef AA_SERVER_H
#define AA_SERVER_H

#include <uv.h>

#include "agentapi.h"

struct aa_log;

/* aa_server_new, with the log lines of the session and the API going to
 * log (copied; NULL: silent) instead of o->log. */
int aa_server_new_log(uv_loop_t *loop, struct aa_server **out,
    const struct aa_server_options *o, const struct aa_log *log,
    char **cause);

#endif /* AA_SERVER_H */
