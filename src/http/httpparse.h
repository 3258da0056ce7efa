/*
 * httpparse.h - aa_httpparse: the pure core of the HTTP/1.1 server.
 *
 * Bytes in, one request at a time out: aa_httpparse_execute() feeds
 * llhttp and stops (pauses) after the request head and again after the
 * whole message, so the caller can route, decide how to take the body and
 * answer before the next pipelined request is looked at.  No sockets, no
 * loop, no clock: the same code runs under libFuzzer and in http.c.
 *
 * Limits (spec http.md, DESIGN "Bad input"): the request line plus all
 * header lines may take AA_HTTPPARSE_MAX_HEAD bytes and at most
 * AA_HTTPPARSE_MAX_HEADERS headers (else 431); a buffered body is refused
 * with 413 once it reaches the caller's limit (upstream's rule: a body of
 * exactly the limit is already too large); anything llhttp rejects is 400,
 * and so is obs-fold (a header line starting with SP/HT), which llhttp
 * takes; a version other than HTTP/1.x is 505.
 */
#ifndef AA_HTTPPARSE_H
#define AA_HTTPPARSE_H

#include <stddef.h>
#include <stdint.h>

#include <llhttp.h>

#include "base/buf.h"

#if LLHTTP_VERSION_MAJOR < 8
#error "llhttp >= 8 is required"
#endif

#define AA_HTTPPARSE_MAX_HEAD (16 * 1024)
#define AA_HTTPPARSE_MAX_HEADERS 100

/* What aa_httpparse_execute() stopped for. */
enum aa_httpparse_event {
	AA_HTTPPARSE_MORE = 0,  /* all bytes consumed; feed more */
	AA_HTTPPARSE_HEAD = 1,  /* request line + headers complete */
	AA_HTTPPARSE_DONE = 2,  /* the whole message (body included) is in */
	AA_HTTPPARSE_ERROR = 3, /* p->status says which 4xx; stop reading */
};

/* Receives body bytes when the caller asked for streaming. */
typedef int (*aa_httpparse_body_fn)(void *arg, const char *p, size_t n);

struct aa_httpparse_header {
	uint32_t name; /* offsets into head, NUL-terminated strings */
	uint32_t value;
};

struct aa_httpparse {
	llhttp_t ll;
	struct aa_buf head; /* "url\0name\0value\0..." of the current request */
	struct aa_httpparse_header hdr[AA_HTTPPARSE_MAX_HEADERS];
	unsigned nhdr;
	size_t head_bytes; /* request line + header bytes seen so far */
	int in_value;      /* last header callback was a value */
	int in_head;       /* between message begin and headers complete */
	int paused_for;    /* the event we paused at, or 0 */
	int upgrade;       /* llhttp saw Upgrade/CONNECT; close after reply */
	int lf;            /* the last head byte seen was LF (obs-fold) */

	struct aa_buf body;   /* buffered body (reused across requests) */
	size_t body_limit;    /* 413 when the body reaches this many bytes */
	uint64_t body_seen;   /* body bytes seen (buffered or streamed) */
	aa_httpparse_body_fn sink; /* streaming body, or NULL to buffer */
	void *sink_arg;

	/* Results of the current request, valid from HEAD on. */
	int status;  /* 4xx on ERROR */
	const char *error; /* a short reason on ERROR (static string) */
	const char *method;
	const char *url;    /* as sent (origin-form, absolute-form or "*") */
	const char *path;   /* points into pathq */
	const char *query;  /* after '?', "" if none */
	struct aa_buf pathq; /* "path\0query\0" split from url */
	int keep_alive;
	int has_body;       /* Content-Length > 0 or chunked */
	uint64_t content_length; /* 0 when unknown */
};

/* Prepares the parser for a connection's first request. */
int aa_httpparse_init(struct aa_httpparse *p);
/* Frees the parser's buffers. */
void aa_httpparse_release(struct aa_httpparse *p);
/* Feeds bytes; *used says how many were consumed; returns an event. */
enum aa_httpparse_event aa_httpparse_execute(struct aa_httpparse *p,
    const char *data, size_t len, size_t *used);
/* Sets how the body of the current request (after HEAD) is taken: limit
 * 0 = 1 MiB, sink NULL = buffer in p->body.  Returns 413 (and the parser
 * is in error) when Content-Length already reaches the limit, else 0. */
int aa_httpparse_set_body(struct aa_httpparse *p, size_t limit,
    aa_httpparse_body_fn sink, void *arg);
/* Forgets the finished request so the next one can be parsed. */
void aa_httpparse_next(struct aa_httpparse *p);
/* Looks a header up by name, case-insensitively; NULL when absent. */
const char *aa_httpparse_header(const struct aa_httpparse *p,
    const char *name);
/* Returns header i's name and value (i < p->nhdr). */
void aa_httpparse_header_at(const struct aa_httpparse *p, unsigned i,
    const char **name, const char **value);
/* Copies the percent-decoded query parameter name into out; -1 if absent
 * or longer than size-1 bytes, else its length. */
int aa_httpparse_query_get(const char *query, const char *name, char *out,
    size_t size);

#endif /* AA_HTTPPARSE_H */
