/*
 * http.h - aa_http: the HTTP/1.1 server on a libuv loop (one thread).
 *
 * The server listens on a list of addresses, parses requests with llhttp
 * (keep-alive, pipelining, chunked bodies; see httpparse.h for limits),
 * applies the access checks of access.h around routing (Host allow-list
 * -> CORS preflight -> route -> Origin of a state-changing request, 403
 * -> bearer token, 401) and dispatches through a static route table that
 * the caller supplies.  A request changes state unless its method is GET,
 * HEAD or OPTIONS; a route can say otherwise with AA_HTTP_CHANGES_STATE or
 * AA_HTTP_ANY_ORIGIN, so a new POST route is protected without a word.  Routing errors are answered here:
 * unknown path -> 404 "404 page not found\n", known path with another
 * method -> 405 with one Allow header per registered method (HEAD is not
 * implied by GET; spec http.md §2.3).
 *
 * A handler gets a struct aa_http_req and must answer it exactly once,
 * either before it returns or later from any loop callback (a request that
 * waits for the agent): aa_http_reply() for a whole response, or
 * aa_http_stream_start() + aa_http_stream_send() ... + aa_http_stream_end()
 * for a chunked stream (SSE).  Extra headers are added with
 * aa_http_res_header() before the answer starts.  The req pointer is valid
 * until the answer is complete or, if the client goes away first, until
 * the on_close callback (aa_http_req_on_close) has run; a handler that
 * answers later must register one.  Requests on one connection are
 * answered in order; the next pipelined request waits for the answer.
 *
 *   static void
 *   h_status(struct aa_http_req *req, void *data)
 *   {
 *   	struct app *app = data;
 *
 *   	aa_http_reply(req, 200, "application/json", app->json, app->len);
 *   }
 *
 *   static const struct aa_http_route routes[] = {
 *   	{ "GET", "/status", h_status, 0, 0 },
 *   	{ "POST", "/message", h_message, 1024 * 1024, 0 },
 *   	{ "POST", "/upload", h_upload, 12 << 20, AA_HTTP_STREAM_BODY },
 *   	{ "GET", "/chat/", h_chat, 0, AA_HTTP_PREFIX | AA_HTTP_PUBLIC },
 *   };
 *   struct aa_http_options o = { .routes = routes,
 *       .nroutes = AA__ARRAY_SIZE(routes), .data = app, .access = acc };
 *   aa_http_server_new(&srv, loop, &o);
 *
 * Writes go out with uv_try_write at once; only what the kernel does not
 * take is copied (or, for stream chunks, referenced) into a write request.
 * The program must ignore SIGPIPE (aa_http_server_new does so when the
 * disposition is still the default).
 */
#ifndef AA_HTTP_H
#define AA_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "base/buf.h"

struct aa_access;
struct aa_http_server;
struct aa_http_req;

/* Handles one routed request; data is aa_http_options.data. */
typedef void (*aa_http_handler_fn)(struct aa_http_req *req, void *data);
/* Called when a request (or stream) is abandoned, or its output drained. */
typedef void (*aa_http_req_cb)(struct aa_http_req *req, void *arg);
/* Answers a request the transport itself refuses (401, 408, 413, 4xx from
 * the parser) with status and a one-line detail; the application chooses
 * the body's format (agentapi: problem+json). */
typedef void (*aa_http_error_fn)(struct aa_http_req *req, int status,
    const char *detail);
/* Takes streamed body bytes; returns 0, or an HTTP status (the handler may
 * already have answered) to stop reading and close the connection. */
typedef int (*aa_http_body_fn)(void *arg, const char *p, size_t n);

/* Route flags. */
#define AA_HTTP_PREFIX 0x1      /* path is a prefix ("/chat/" -> "/chat/x") */
#define AA_HTTP_STREAM_BODY 0x2 /* handler runs after the head and takes the
				 * body with aa_http_req_set_body_sink() */
#define AA_HTTP_PUBLIC 0x4      /* no bearer token needed */
#define AA_HTTP_QUERY_TOKEN 0x8 /* the token may come as ?token= (only for
				 * EventSource, which cannot set headers) */
#define AA_HTTP_CHANGES_STATE 0x10 /* refuse a foreign Origin even for
				    * GET/HEAD (other methods always are) */
#define AA_HTTP_ANY_ORIGIN 0x20 /* opt out: no Origin check at all */
#define AA_HTTP_MOUNT 0x40      /* a prefix served by another table: the
				 * server's mount function picks it (the
				 * route's handler is unused) */

/*
 * A mount: the table that serves a request under a mounted prefix (a
 * host's "/sessions/"), chosen per request from its head.  The first
 * strip bytes of the path are cut off (the rest, or "/" when nothing is
 * left, is what aa_http_req_path() returns to the handlers), and the
 * request is routed, checked (Origin, token) and answered as if the
 * table were the server's own, with data as the handlers' data.  Flags
 * in flags_off are cleared from the mounted routes (a host clears
 * AA_HTTP_PUBLIC: every route of it needs the token on TCP).
 */
struct aa_http_mount {
	const struct aa_http_route *routes;
	size_t nroutes;
	void *data;
	size_t strip;
	unsigned flags_off;
};
/* Picks the mount for req (path, method: the accessors work); returns 0,
 * or an HTTP status (404) to refuse the request with. */
typedef int (*aa_http_mount_fn)(struct aa_http_req *req, void *data,
    struct aa_http_mount *m);

struct aa_http_route {
	const char *method; /* "GET", "POST", ...; "*" = any method */
	const char *path;   /* exact path, or a prefix with AA_HTTP_PREFIX */
	aa_http_handler_fn handler;
	size_t body_limit; /* 413 once the body reaches this; 0 = 1 MiB */
	unsigned flags;
};

struct aa_http_options {
	int version;                 /* reserved, 0 */
	const char *const *addrs;    /* NULL = { "127.0.0.1", "::1" } */
	size_t naddrs;
	int port;                    /* 0 = any; see aa_http_server_port() */
	const struct aa_http_route *routes; /* caller's static table */
	size_t nroutes;
	void *data;                  /* passed to every handler */
	const struct aa_access *access; /* NULL = no Host/CORS/token checks */
	unsigned idle_timeout_ms;    /* idle keep-alive; 0 = 120 s */
	unsigned read_timeout_ms;    /* whole head, or a body stall (a body
				      * must also average 256 B/s after
				      * this long); 0 = 5 s */
	size_t max_conns;            /* 0 = 16384; also kept below the
				      * descriptor limit (RLIMIT_NOFILE less
				      * a reserve).  When full, a new
				      * connection closes the oldest idle or
				      * slow one, else it is closed itself */
	aa_http_error_fn send_error; /* NULL = aa_http_send_error_text */
	/* Also (or, with addrs set and naddrs 0, only) listen on this unix
	 * socket, created with mode 0600 (the caller owns the directory and
	 * removes a stale socket first).  A peer of another uid
	 * (SO_PEERCRED) is closed at once; a peer of ours needs no bearer
	 * token, every other check applies. */
	const char *unix_path;
	aa_http_mount_fn mount;      /* for the AA_HTTP_MOUNT routes */
};

/* The default error body: "<detail>\n" as text/plain. */
void aa_http_send_error_text(struct aa_http_req *req, int status,
    const char *detail);

/* Binds and listens; on failure *cause (if not NULL) says why. */
int aa_http_server_new(struct aa_http_server **out, uv_loop_t *loop,
    const struct aa_http_options *o, char **cause);
/* Completion of aa_http_server_close: the server has been freed. */
typedef void (*aa_http_close_cb)(void *ud);
/* Closes listeners and every connection (abandoned requests get their
 * on_close callback); once the last handle has closed the server is freed
 * and then cb(ud) runs (cb may be NULL), always from a close callback, so
 * run the loop.  A second call is ignored; NULL is fine. */
void aa_http_server_close(struct aa_http_server *s, aa_http_close_cb cb,
    void *ud);
/* Returns the port actually bound (useful with port 0). */
int aa_http_server_port(const struct aa_http_server *s);
/* Closes every connection whose request is being served with data as
 * its handlers' data (a mounted table's: a session going away); once
 * their close callbacks (and the requests' on_close) have run, calls
 * cb(ud), maybe before this returns. */
void aa_http_server_drop(struct aa_http_server *s, const void *data,
    aa_http_close_cb cb, void *ud);
/* Returns the number of open connections. */
size_t aa_http_server_nconns(const struct aa_http_server *s);

/* Request accessors: valid while the request is. */
const char *aa_http_req_method(const struct aa_http_req *req);
const char *aa_http_req_path(const struct aa_http_req *req);
const char *aa_http_req_query(const struct aa_http_req *req);
/* Case-insensitive header lookup; NULL when absent. */
const char *aa_http_req_header(const struct aa_http_req *req,
    const char *name);
/* Copies a decoded query parameter; returns its length or -1. */
int aa_http_req_query_param(const struct aa_http_req *req, const char *name,
    char *out, size_t size);
/* The buffered body (NUL-terminated, may hold NULs); "" when none. */
const char *aa_http_req_body(const struct aa_http_req *req, size_t *len);
/* The route that matched. */
const struct aa_http_route *aa_http_req_route(const struct aa_http_req *req);
/* For AA_HTTP_STREAM_BODY routes: body bytes go to fn, then done(req, arg)
 * runs once the body is complete (and must answer, now or later). */
void aa_http_req_set_body_sink(struct aa_http_req *req, aa_http_body_fn fn,
    aa_http_req_cb done, void *arg);
/* Registers the abandon callback (client gone / server closing). */
void aa_http_req_on_close(struct aa_http_req *req, aa_http_req_cb fn,
    void *arg);

/* Adds a response header; AA_EINVAL if it holds CR or LF. */
int aa_http_res_header(struct aa_http_req *req, const char *name,
    const char *value);
/* Sends a whole response (body copied if it must wait); content_type NULL
 * sends none.  Completes the request. */
int aa_http_reply(struct aa_http_req *req, int status,
    const char *content_type, const void *body, size_t len);
/* Starts a chunked response (no Content-Length); TCP_NODELAY is set. */
int aa_http_stream_start(struct aa_http_req *req, int status,
    const char *content_type);
/* Sends one chunk.  If release is NULL the bytes are copied when needed;
 * otherwise they must stay valid until release(arg) runs, which may be
 * before this returns.  AA_ECANCELED once the connection is closing. */
int aa_http_stream_send(struct aa_http_req *req, const void *p, size_t n,
    void (*release)(void *), void *arg);
/* Ends the stream (last chunk); completes the request. */
int aa_http_stream_end(struct aa_http_req *req);
/* Bytes accepted but not yet written to the kernel. */
size_t aa_http_req_queued(const struct aa_http_req *req);
/* Calls fn(req, arg) each time the queued output drains to zero. */
void aa_http_req_on_drain(struct aa_http_req *req, aa_http_req_cb fn,
    void *arg);
/* Closes the connection (deferred; on_close runs from the close callback). */
void aa_http_req_close(struct aa_http_req *req);
/* The loop the server runs on. */
uv_loop_t *aa_http_req_loop(const struct aa_http_req *req);

/* Returns the reason phrase of a status ("Not Found"), "" if unknown. */
const char *aa_http_reason(int status);
/* Matches method + path against a table: returns the index, -404, or -405
 * with the allowed methods appended to allow as "Allow: M\r\n" lines.
 * Pure; used by the server and the fuzzer. */
int aa_http_route_find(const struct aa_http_route *routes, size_t n,
    const char *method, const char *path, struct aa_buf *allow);

#endif /* AA_HTTP_H */
