/*
 * http-private.h - what the files of aa_http share and nobody else sees.
 *
 * The server is one module split by concept: http.c (listeners, accept,
 * the read loop, linger, timers), http-route.c (checks, routing, mounts,
 * the transport's own answers), http-req.c (a request and its answer),
 * http-out.c (a connection's ordered output) and http-shed.c (the
 * slow-client policy as pure arithmetic).  They all work on the
 * same structures (the server, its connections, a connection's request),
 * so those are defined here instead of in http.c; outside src/http they
 * stay opaque.
 */
#ifndef AA_HTTP_PRIVATE_H
#define AA_HTTP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <uv.h>

#include "base/buf.h"
#include "base/list.h"
#include "http/http.h"
#include "http/httpparse.h"

#define AA_HTTP_MAX_LISTEN 8
#define AA_HTTP_RBUF (64 * 1024)
#define AA_HTTP_MIN_BODY_RATE 256      /* bytes/s a body averages at least */

struct aa_http_req {
	struct aa_http_conn *conn;
	const struct aa_http_route *route;
	void *data;          /* the handlers' data (a mount's or the server's) */
	size_t strip;        /* path bytes a mount cut off */
	unsigned flags;      /* the route's flags less the mount's flags_off */
	struct aa_buf hdrs;  /* response headers: CORS + the handler's */
	unsigned active : 1;     /* between head and completion */
	unsigned msg_done : 1;   /* the whole message has been read */
	unsigned started : 1;    /* the response head went out */
	unsigned answered : 1;   /* the response is complete */
	unsigned streaming : 1;  /* chunked stream in progress */
	unsigned chunked : 1;    /* stream uses chunked encoding */
	unsigned close_after : 1; /* close the connection after the answer */
	unsigned in_handler : 1;
	aa_http_req_cb on_close;
	void *close_arg;
	aa_http_req_cb on_drain;
	void *drain_arg;
	aa_http_body_fn sink;
	aa_http_req_cb sink_done;
	void *sink_arg;
};

/* A pending aa_http_server_drop: connections still to close. */
struct aa_http_drop {
	int n;
	aa_http_close_cb cb;
	void *ud;
};

struct aa_http_conn {
	union {              /* both start with the uv_stream_t fields */
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	};
	uv_timer_t timer;
	uv_shutdown_t shut;
	struct aa_http_server *srv;
	struct aa_list link;
	struct aa_httpparse p;
	struct aa_http_req req;
	struct aa_buf in;  /* unparsed input */
	struct aa_buf out; /* scratch for response heads */
	size_t queued;     /* bytes in uv_write requests */
	size_t lingered;   /* bytes discarded while lingering */
	int nhandles;      /* handles not yet closed */
	unsigned closing : 1;
	unsigned lingering : 1;
	unsigned want_close : 1;
	unsigned processing : 1;
	unsigned reading : 1;
	unsigned peer_eof : 1;
	unsigned in_head_time : 1; /* head_t0 is set */
	unsigned served : 1;       /* a request has been answered */
	unsigned trusted : 1;      /* a unix peer of our uid: no token */
	struct aa_http_drop *drop; /* told when this connection is freed */
	uint64_t head_t0;  /* loop time the current head began */
	uint64_t body_t0;  /* loop time the current head ended */
};

struct aa_http_server {
	uv_loop_t *loop;
	uv_tcp_t lis[AA_HTTP_MAX_LISTEN];
	unsigned char live[AA_HTTP_MAX_LISTEN]; /* listening, not closed */
	uv_pipe_t ulis;     /* the unix socket listener (unix_path) */
	int ulive;
	int nlis;
	int port;
	struct aa_http_options o;
	struct aa_list conns;
	size_t nconns;
	size_t cap;  /* connections kept at most (max_conns, fd reserve) */
	int fd_high; /* an accepted descriptor this high: the table is full */
	int pending; /* listener handles not yet closed */
	int closing;
	aa_http_close_cb close_cb; /* runs once everything has closed */
	void *close_ud;
	time_t date_t;
	char date[40];
	char rbuf[AA_HTTP_RBUF];
};

/* A write that the kernel did not take at once. */
struct aa_http_write {
	uv_write_t w;
	void (*release)(void *);
	void *arg;
	size_t len;
	uv_buf_t bufs[4];
	char data[]; /* copies of the transient parts */
};

/* http.c: the connection's life. */
/* Parses what is buffered, then re-arms timers and reading. */
void aa__http_conn_process(struct aa_http_conn *c);
/* Marks the connection closed and closes its handles (deferred free). */
void aa__http_conn_close(struct aa_http_conn *c);
/* Arms the connection timer for what the connection is waiting for. */
void aa__http_conn_arm_timer(struct aa_http_conn *c);
/* Sends FIN after the answer and drains input briefly before closing. */
void aa__http_conn_linger(struct aa_http_conn *c);
/* Finishes the current request: next one, or close after the output. */
void aa__http_req_complete(struct aa_http_conn *c);

/* http-route.c: what the parser and the clock report, acted on. */
/* A request head is in: checks, routing, body policy, maybe the
 * handler. */
void aa__http_on_head(struct aa_http_conn *c);
/* The whole message is in: run the handler unless already answered. */
void aa__http_on_done(struct aa_http_conn *c);
/* The parser failed: answer if nobody did, then close. */
void aa__http_on_error(struct aa_http_conn *c);
/* The timer ran out on a head or body (408), or on an idle connection. */
void aa__http_on_timeout(struct aa_http_conn *c);

/* http-out.c: the connection's output, in order. */
/* Writes bufs (see http-out.c for keep and release); 0 or an AA_E*. */
int aa__http_conn_write(struct aa_http_conn *c, const uv_buf_t *bufs,
    unsigned n, unsigned keep, void (*release)(void *), void *arg);
/* Non-zero while so much output waits that no next request is read. */
int aa__http_conn_out_full(const struct aa_http_conn *c);

/* http-shed.c: the slow-client policy, pure. */
/* What the policy needs to know of one connection. */
struct aa_http_shed {
	unsigned closing : 1;
	unsigned lingering : 1;
	unsigned active : 1;     /* a request is between head and completion */
	unsigned served : 1;     /* a request has been answered */
	unsigned in_head : 1;    /* a head is coming in */
	unsigned has_input : 1;  /* unparsed input is buffered */
	unsigned msg_done : 1;
	unsigned started : 1;
	unsigned in_handler : 1;
};
/* 0: never shed; else a rank, lower goes first (see http-shed.c). */
int aa__http_shed_rank(const struct aa_http_shed *sh);
/* Folds one candidate's rank, in list order (oldest first), into the
 * choice whose rank is *best (4 to begin with): 0 skip it, 1 it is the
 * choice so far, 2 it is the choice and nothing later can beat it. */
int aa__http_shed_consider(int *best, int rank);
/* The connections kept at most under a descriptor limit of nofile
 * (SIZE_MAX: none); *high is a descriptor number that says the table is
 * nearly full (INT_MAX: none). */
size_t aa__http_fd_cap(size_t max_conns, size_t nofile, int *high);
/* Milliseconds left of a head's deadline that began at t0. */
uint64_t aa__http_head_ms(uint64_t now, uint64_t t0, unsigned timeout_ms);
/* Milliseconds until a body begun at t0 with seen bytes read is too
 * slow: at most timeout_ms (a stall), at least 1. */
uint64_t aa__http_body_ms(uint64_t now, uint64_t t0, unsigned timeout_ms,
    uint64_t seen);

#endif
