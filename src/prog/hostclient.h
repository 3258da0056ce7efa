/*
 * hostclient.h - the client side of `agentapi-c host` for the program's
 * commands (ls, new, send, logs, stop, attach ID: hostcli.c): where the
 * host is (its unix socket, or --url over TCP with the bearer token), one
 * request at a time with its answer bounded and parsed, and a session
 * named by its ID or NAME found.  The HTTP is attach-http.c's.
 */
#ifndef AA_PROG_HOSTCLIENT_H
#define AA_PROG_HOSTCLIENT_H

#include <limits.h>
#include <stddef.h>

#include <cJSON.h>

#include "prog/attach-private.h"

/* A host's session id: 16 lower-case hex digits. */
#define AA_HOSTCLIENT_ID_LEN 16
/* The bound on an answer (GET /sessions, /messages). */
#define AA_HOSTCLIENT_MAX (64 * 1024 * 1024)

struct aa_hostclient {
	struct target t;	/* the host's root */
	char where[PATH_MAX + 16]; /* the socket or URL, for messages */
	char token[512];	/* "" on the socket */
};

/*
 * Finds the host: with url (non-empty) over TCP, the token being token,
 * else the host.token file beside the socket (sock, else the default
 * path); else on the socket sock ("" or NULL: the default).  Returns 0,
 * or AA_EINVAL with *cause.
 */
int aa_hostclient_open(struct aa_hostclient *hc, const char *sock,
    const char *url, const char *token, char **cause);

/*
 * One request: body (JSON text) or NULL, the answer's body bounded by
 * AA_HOSTCLIENT_MAX and parsed into *out when it is JSON (else NULL).
 * Returns 0 with *status, or a negative code with *cause ("no host
 * running at ...", "cannot connect to ...": AA_EIO; too large: E2BIG).
 */
int aa_hostclient_call(const struct aa_hostclient *hc, const char *method,
    const char *path, const char *body, int *status, cJSON **out,
    char **cause);

/*
 * Finds the session ref names: its id, its name, or a unique prefix of
 * at least 4 digits of its id.  Returns 0 with id (AA_HOSTCLIENT_ID_LEN
 * + 1 bytes), AA_ENOENT (no such session: *cause), AA_ECORRUPT (the list
 * was refused or is no list: *cause), or the call's error.
 */
int aa_hostclient_find(const struct aa_hostclient *hc, const char *ref,
    char *id, char **cause);

/* The reason in a host's error answer (problem+json: its detail, and
 * the first error's message when that says more), else fallback, into
 * buf. */
const char *aa_hostclient_detail(const cJSON *o, const char *fallback,
    char *buf, size_t size);

/* Non-zero when s is a host session id. */
int aa_hostclient_is_id(const char *s);

#endif /* AA_PROG_HOSTCLIENT_H */
