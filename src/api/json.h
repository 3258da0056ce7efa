/*
 * json.h - aa_json: JSON bodies the way upstream's framework shapes them.
 *
 * Spec http.md §2.4-§2.5.  Every JSON object response starts with a
 * "$schema" property, <scheme>://<Host><path> with path
 * /schemas/<Name>.json and scheme "http" when the Host header starts with
 * "localhost" or "127.0.0.1", else "https" (kept quirk 9: clients ignore
 * the value); the response carries Link: </schemas/<Name>.json>;
 * rel="describedBy"; the body is compact JSON plus one "\n" with <, >, &
 * left as they are.  Errors are RFC 7807 problem objects (schema
 * ErrorModel, Content-Type application/problem+json): title = reason
 * phrase, status, detail, errors[{message, location, value}].
 *
 * The encoders and the request-body check are pure (fuzzed); the *_send
 * functions write an aa_http response.
 */
#ifndef AA_JSON_H
#define AA_JSON_H

#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"

struct aa_http_req;
struct aa_queue;

/* Appends obj as compact JSON + "\n", with "$schema" first when schema is
 * not NULL (an existing "$schema" member is replaced).  host may be NULL. */
int aa_json_encode(struct aa_buf *out, const char *host, const char *schema,
    const cJSON *obj);
/* Appends s[0..len) as a JSON string literal, byte for byte as cJSON
 * prints it, after replacing invalid UTF-8 (U+FFFD) and NUL ('?'). */
int aa_json_put_text(struct aa_buf *out, const char *s, size_t len);
/* Returns a new problem object {title, status, detail}; NULL on OOM. */
cJSON *aa_json_problem(int status, const char *detail);
/* Appends {message, location, value} to the problem's errors (location
 * NULL = omitted; value NULL = omitted, else owned by the problem). */
int aa_json_problem_add(cJSON *problem, const char *message,
    const char *location, cJSON *value);

/*
 * Checks and parses a JSON request body (spec §2.5): a Content-Type other
 * than application/json, *+json or json (parameters ignored; absent means
 * JSON) -> 415; empty body -> 400 "request body is required"; invalid JSON
 * or trailing garbage -> 400 "validation failed" with the parser message;
 * a NUL inside a string -> 422 (escaped \u0000) or 400 (a raw byte):
 * cJSON would cut the string there, and nothing is cut silently.
 * Returns 0 and *tree, or the HTTP status and *problem (caller frees).
 */
int aa_json_parse_body(const char *content_type, const char *body,
    size_t len, cJSON **tree, cJSON **problem);

/* Sends obj (not freed) with status, decorated with schema (may be NULL). */
int aa_json_send(struct aa_http_req *req, int status, const char *schema,
    const cJSON *obj);
/* Sends json, compact object text printed by the caller (no "$schema"),
 * decorated like aa_json_send(). */
int aa_json_send_text(struct aa_http_req *req, int status, const char *schema,
    const char *json);
/* Sends a problem object (status taken from it, not freed). */
int aa_json_send_problem(struct aa_http_req *req, const cJSON *problem);
/* Sends a problem with one errors[] entry {message, location?, value?}
 * (value, may be NULL, is owned by the call). */
int aa_json_send_one(struct aa_http_req *req, int status, const char *detail,
    const char *message, const char *location, cJSON *value);
/* Sends a problem with just status and detail. */
int aa_json_send_error(struct aa_http_req *req, int status,
    const char *detail);
/* Parses the request's body with aa_json_parse_body(); on failure sends
 * the problem and returns its status (the request is then answered). */
int aa_json_req_body(struct aa_http_req *req, cJSON **tree);

/* Answers {"ok": true, ...extra's members} (MessageResponseBody) with
 * status; frees extra (may be NULL). */
void aa_json_send_ok(struct aa_http_req *req, int status, cJSON *extra);
/* Appends a message queue as a JSON array of {id, content, time}. */
int aa_json_put_queue(const struct aa_queue *q, struct aa_buf *out);

#endif /* AA_JSON_H */
