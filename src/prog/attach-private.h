/*
 * attach-private.h - what attach.c, attach-http.c (the HTTP/SSE client)
 * and attach-screen.c (the drawing) share: the target, a reply being
 * read, and the attach session itself.
 */
#ifndef AA_ATTACH_PRIVATE_H
#define AA_ATTACH_PRIVATE_H

#include <stddef.h>
#include <termios.h>

#include <llhttp.h>
#include <uv.h>

#include "base/buf.h"
#include "prog/attach.h"

struct target {
	char host[256];
	char port[16];
	char prefix[1024]; /* path prefix without a trailing slash */
	char unix_path[108]; /* a unix socket instead of host:port ("") */
};

/* One HTTP response being read: status, and the body or SSE framing. */
struct reply {
	llhttp_t parser;
	llhttp_settings_t settings;
	int status;
	int complete;
	int sse;	       /* feed the body to the SSE parser */
	struct aa_buf body;    /* whole body (non-SSE) */
	struct aa_buf line;    /* SSE: the line being assembled */
	struct aa_buf event;   /* SSE: current event name */
	struct aa_buf data;    /* SSE: current data lines */
	int error;
	size_t max;	       /* the body's (or an event's) bound; 0: the
				* defaults, 1 MiB (256 KiB) */
	int (*on_event)(void *ud, const char *name, const char *data);
	void *ud;
};

/* One attach session: the loop, its handles and what the screen shows. */
struct attach {
	uv_loop_t loop;
	struct target t;
	const char *url;
	const char *token;
	struct aa_attach_keys keys;
	char keys_name[AA_ATTACH_KEYS_MAX * 8];
	int tty;		/* stdin is a terminal, now in raw mode */
	struct termios saved;
	int screen_fd;
	int state_fd;		/* -1 once the state stream is gone */
	struct reply screen;
	struct reply state;
	uv_poll_t in_poll;
	uv_poll_t screen_poll;
	uv_poll_t state_poll;
	uv_signal_t winch;
	uv_signal_t sigs[4];
	uv_timer_t resize_timer;
	int in_polled, state_polled;
	char *last;		/* the last screen received, for redraws */
	unsigned cols, rows;	/* the local terminal; 0 when unknown */
	unsigned sent_cols, sent_rows; /* the last size the server took */
	char state_text[160];	/* "working", "waiting for you: ..." */
	int has_state_change;	/* the server speaks issue 13's state */
	int rc;
	char why[512];		/* why it ended, said once the terminal is
				 * back (the alternate screen would hide it) */
};

/* ---- attach-http.c ---- */

/* Splits "[http://]host[:port][/prefix]" into its parts. */
int attach_parse_target(struct target *t, const char *url, char **cause);
/* Aims t at the unix socket path, under the path prefix ("" or
 * "/sessions/ID"). */
int attach_unix_target(struct target *t, const char *path,
    const char *prefix, char **cause);
/* Writes all of buf to fd. */
int attach_write_all(int fd, const char *buf, size_t n);
/* Prepares a reply parser (sse: feed the body to the SSE parser). */
void attach_reply_init(struct reply *r, int sse);
/* Frees a reply parser's buffers. */
void attach_reply_release(struct reply *r);
/* Feeds received bytes; returns 0 to go on, 1 when complete, <0 on error. */
int attach_reply_feed(struct reply *r, const char *buf, size_t n);
/* Sends one request on a new connection; returns the fd (response unread). */
int attach_send_request(const struct target *t, const char *token,
    const char *method, const char *path, const char *body, char **cause);
/* Runs a request to completion; fills r.  Returns 0 or a negative code. */
int attach_round_trip(const struct target *t, const char *token,
    const char *method, const char *path, const char *body, struct reply *r,
    char **cause);
/* Checks the server's transport; a failure only warns, as upstream. */
int attach_check_status(const struct target *t, const char *token);
/* POSTs one chunk of keyboard input as a raw message; a failure is
 * described in why[0..whysize). */
int attach_forward_input(const struct target *t, const char *token,
    const char *p, size_t n, char *why, size_t whysize);

/* ---- attach-screen.c ---- */

/* Reads the local terminal's size into a->cols/rows (0 when unknown). */
void attach_local_size(struct attach *a);
/* Draws the last screen, with the status line on a terminal. */
void attach_draw(struct attach *a);
/* Redraws the status line alone. */
void attach_draw_status(struct attach *a);

#endif /* AA_ATTACH_PRIVATE_H */
