/*
 * multipart.h - aa_multipart: a streaming multipart/form-data parser.
 *
 * Pure: bytes in, callbacks out (RFC 7578 / RFC 2046).  The body may
 * arrive in pieces of any size; part data is passed on as it comes, held
 * back only while it might be the start of a delimiter, so a 10 MiB upload
 * needs no more memory than its part headers (at most
 * AA_MULTIPART_MAX_HEAD bytes per part).  Content-Disposition's name and
 * filename (quoted or token, with backslash escapes, and the RFC 5987
 * filename* form) are decoded for the part-begin callback.
 *
 * aa_multipart_filename() turns a client file name into a safe one (spec
 * http.md §3.4 basename rule): the last '/'-separated element, control
 * characters removed; empty, ".", ".." and over-long names are refused,
 * so no path traversal is possible with the result.
 */
#ifndef AA_MULTIPART_H
#define AA_MULTIPART_H

#include <stddef.h>

#define AA_MULTIPART_MAX_BOUNDARY 70
#define AA_MULTIPART_MAX_HEAD (8 * 1024)
#define AA_MULTIPART_MAX_PARAM 1024

struct aa_multipart_cbs {
	/* A part starts; filename is NULL for a plain field, content_type
	 * NULL when absent.  Return non-zero to stop parsing. */
	int (*part_begin)(void *arg, const char *name, const char *filename,
	    const char *content_type);
	/* Some of the part's bytes. */
	int (*part_data)(void *arg, const char *p, size_t n);
	/* The part is complete. */
	int (*part_end)(void *arg);
};

struct aa_multipart {
	int state;
	char delim[AA_MULTIPART_MAX_BOUNDARY + 5]; /* "\r\n--" boundary */
	size_t dlen;
	size_t match;    /* delimiter bytes matched so far */
	char head[AA_MULTIPART_MAX_HEAD]; /* current part's header block */
	size_t hlen;
	const struct aa_multipart_cbs *cb;
	void *arg;
	const char *error; /* static text once feeding failed */
	int stopped;       /* a callback returned non-zero */
};

/* Copies the boundary parameter of a multipart/form-data Content-Type into
 * out; AA_EINVAL when it is not multipart/form-data or has no valid
 * boundary. */
int aa_multipart_boundary(const char *content_type, char *out, size_t size);
/* Prepares a parser for the body of a request with that Content-Type. */
int aa_multipart_init(struct aa_multipart *m, const char *content_type,
    const struct aa_multipart_cbs *cb, void *arg);
/* Parses more body bytes; 0, or AA_EINVAL with m->error set (malformed),
 * or AA_ECANCELED when a callback stopped it. */
int aa_multipart_feed(struct aa_multipart *m, const char *p, size_t n);
/* Checks the body ended with the closing delimiter; AA_EINVAL if not. */
int aa_multipart_finish(struct aa_multipart *m);
/* Writes the safe base name of a client file name; AA_EINVAL if none. */
int aa_multipart_filename(const char *in, char *out, size_t size);

#endif /* AA_MULTIPART_H */
