/*
 * upload.h - POST /upload and the per-server upload directory.
 */
#ifndef AA_UPLOAD_H
#define AA_UPLOAD_H

#include <stddef.h>

#include "agentapi.h"

struct aa_http_req;
struct aa_log;

/* Upstream's limit on the uploaded file (exactly 10 MiB is accepted). */
#define AA_UPLOAD_FILE_LIMIT (10 * 1024 * 1024)
/* The request body: the file plus generous room for the multipart
 * framing; past it the HTTP layer answers 413. */
#define AA_UPLOAD_BODY_LIMIT (AA_UPLOAD_FILE_LIMIT + 1024 * 1024)

/* Handles a POST /upload route (AA_HTTP_STREAM_BODY): streams the body
 * into dir and answers {ok, filePath} or a problem. */
void aa_upload_handle(struct aa_http_req *req, const char *dir,
    const struct aa_log *log);
/* Creates <parent>/agentapi-uploads-XXXXXX (parent NULL: $TMPDIR or /tmp)
 * into dir; on failure dir is "" and *cause says why. */
int aa_upload_dir_create(char *dir, size_t size, const char *parent,
    char **cause);
/* Removes the upload directory and the files uploaded into it. */
void aa_upload_dir_remove(const char *dir);

#endif /* AA_UPLOAD_H */
