/*
 * webassets.h - the static files compiled into the library: the web chat
 * (web/), the API docs page (web/docs.html) and the API contract
 * (schemas/openapi.json and one JSON Schema per body and event type).
 *
 * The table itself is generated at build time by tools/embed.c into
 * $(BUILD)/gen/web-assets.c (see mk/web.mk); nothing here is hand-written
 * data.  Paths are the files' paths in the source tree, e.g.
 * "web/index.html", "web/chat.js", "web/docs.html", "schemas/openapi.json",
 * "schemas/StatusResponseBody.json"; no leading slash, no "..", no
 * directory entries.  The HTTP layer maps URLs to these paths.
 *
 * Every entry is immutable and lives for the whole program.  data is the
 * file's exact bytes; gz, when not NULL, is the same content compressed
 * with "gzip -9n" (only present for text files where it is smaller).
 * etag is a quoted strong validator ("\"<16 hex digits>\"") computed from
 * data; serve the gzip body with the same tag and "Vary: Accept-Encoding".
 */
#ifndef AA_WEBASSETS_H
#define AA_WEBASSETS_H

#include <stddef.h>

struct aa_asset {
	const char *path;          /* source path, e.g. "web/index.html" */
	const char *type;          /* Content-Type header value */
	const unsigned char *data; /* identity body, len bytes */
	size_t len;
	const unsigned char *gz;   /* gzip body or NULL */
	size_t gzlen;
	const char *etag;          /* quoted, e.g. "\"a1b2c3d4e5f60718\"" */
};

/* Returns the asset stored under path, or NULL if there is none. */
const struct aa_asset *aa_asset_find(const char *path);

/* Returns the i-th asset in path order, or NULL past the end. */
const struct aa_asset *aa_asset_at(size_t i);

#endif /* AA_WEBASSETS_H */
