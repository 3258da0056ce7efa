/*
 * control.h - the steering endpoints (POST /answer, /interrupt, /keys,
 * /resize; GET /queue, DELETE /queue/{id}), mounted by aa_api next to
 * upstream's routes.  Handler data is the struct aa_api.
 */
#ifndef AA_CONTROL_H
#define AA_CONTROL_H

#include <stddef.h>

#include "base/buf.h"
#include "http/http.h"

struct aa_session;

/* POST /resize bounds. */
#define AA_CONTROL_MIN_COLS 20
#define AA_CONTROL_MAX_COLS 500
#define AA_CONTROL_MIN_ROWS 10
#define AA_CONTROL_MAX_ROWS 2000

extern const struct aa_http_route aa_control_routes[];
extern const size_t aa_control_nroutes;

/* What the routes need from their owner, which passes itself as the
 * routes' data (aa_api): the session they steer, NULL while it starts. */
struct aa_session *aa_control_session(void *data);

#endif /* AA_CONTROL_H */
