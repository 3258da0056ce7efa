/*
 * mcpwire.h - aa_mcpwire: the framing `agentapi-c mcp` reads and writes,
 * without I/O (mcpwire.c).
 *
 * MCP's stdio transport (2025-06-18, "Transports") is JSON-RPC 2.0, one
 * message per line, UTF-8, no embedded newline.  What comes in on stdin is
 * split into lines by aa_mcpwire_lines (bounded: a longer line is dropped
 * up to its newline and reported), and each line is checked by
 * aa_mcpwire_check: one JSON object with "jsonrpc": "2.0" that is a
 * request, a notification or a response (batches went away in
 * 2025-06-18).  A bad line gets the JSON-RPC error line to write back.
 * What the host answers on an SSE stream is cut into events by
 * aa_mcpwire_sse (bounded the same way).
 */
#ifndef AA_PROG_MCPWIRE_H
#define AA_PROG_MCPWIRE_H

#include <stddef.h>

#include "base/buf.h"

/* The longest message either way: the host's own request body limit. */
#define AA_MCPWIRE_MAX (4 * 1024 * 1024)

/* A line is handed over without its newline (nor a CR before it);
 * too_long: it passed the limit and only its length is known (len). */
typedef void (*aa_mcpwire_line_fn)(void *ud, const char *line, size_t len,
    int too_long);

/* A byte stream being split into lines. */
struct aa_mcpwire_lines {
	struct aa_buf line;
	size_t max;
	size_t dropped;  /* bytes of a too long line dropped so far */
	int skipping;    /* inside a too long line, up to its newline */
};

/* Starts a splitter for lines of at most max bytes (0: AA_MCPWIRE_MAX). */
void aa_mcpwire_lines_init(struct aa_mcpwire_lines *l, size_t max);
/* Feeds bytes; fn runs once per complete line.  AA_ENOMEM or 0. */
int aa_mcpwire_lines_feed(struct aa_mcpwire_lines *l, const char *p,
    size_t n, aa_mcpwire_line_fn fn, void *ud);
/* The input has ended: a last line without a newline is handed over. */
void aa_mcpwire_lines_end(struct aa_mcpwire_lines *l, aa_mcpwire_line_fn fn,
    void *ud);
void aa_mcpwire_lines_release(struct aa_mcpwire_lines *l);

/* What a checked line is. */
enum aa_mcpwire_kind {
	AA_MCPWIRE_BAD = -1,    /* *answer holds the error line */
	AA_MCPWIRE_EMPTY = 0,   /* only white space: ignored */
	AA_MCPWIRE_REQUEST,
	AA_MCPWIRE_NOTIFICATION,
	AA_MCPWIRE_RESPONSE
};

/*
 * Checks one line (len bytes, may hold NULs).  For a request or a
 * notification *method is a malloc'd copy of its method, for a request or
 * a response *id the JSON text of its id (malloc'd); the caller frees
 * both with free() (NULL when not set).  For AA_MCPWIRE_BAD, *answer is
 * a malloc'd JSON-RPC error (no newline), the request's id in it when one
 * could be read: -32700 for text that is not JSON, -32600 for JSON that
 * is not one JSON-RPC 2.0 message.  too_long makes it the error for a
 * line of len bytes past max.
 */
enum aa_mcpwire_kind aa_mcpwire_check(const char *line, size_t len,
    int too_long, size_t max, char **method, char **id, char **answer);

/* The JSON-RPC error line {"jsonrpc":"2.0","id":id,"error":{code,
 * message}} for id_json (JSON text of the id, NULL: null); malloc'd. */
char *aa_mcpwire_error(const char *id_json, int code, const char *message);

/* Called with each SSE event's data (the data lines joined by "\n"). */
typedef void (*aa_mcpwire_event_fn)(void *ud, const char *data, size_t len);

/* An SSE stream being read (the WHATWG event-stream grammar: data lines,
 * comments, the other fields ignored). */
struct aa_mcpwire_sse {
	struct aa_buf line;
	struct aa_buf data;
	size_t max;
	int has_data;
	int cr;          /* the last byte was a CR (a CRLF's LF is skipped) */
};

void aa_mcpwire_sse_init(struct aa_mcpwire_sse *s, size_t max);
/* Feeds bytes; fn runs per event.  AA_E2BIG once an event passes max
 * (the stream is then unusable), AA_ENOMEM, or 0. */
int aa_mcpwire_sse_feed(struct aa_mcpwire_sse *s, const char *p, size_t n,
    aa_mcpwire_event_fn fn, void *ud);
void aa_mcpwire_sse_release(struct aa_mcpwire_sse *s);

#endif /* AA_PROG_MCPWIRE_H */
