/*
 * host.h - aa_host: many agent sessions in one process, on one loop,
 * behind one HTTP server (issue 15).
 *
 * The host listens on a unix socket (mode 0600 in a 0700 directory, peers
 * of another uid refused by SO_PEERCRED) and, only if asked, on loopback
 * TCP, where every route needs the bearer token.  It serves:
 *
 *   POST   /sessions       {type, argv, cwd, env, term_width, term_height,
 *                           initial_prompt, state_file, name} -> 201 {id}
 *   GET    /sessions       {"sessions": [{id, name, type, ..., status,
 *                           state, queue}]}
 *   DELETE /sessions/{id}  stops the agent (SIGINT, SIGKILL after the
 *                           grace), then forgets the session
 *   *      /sessions/{id}/... the session's whole agentapi surface (the
 *                           aa_api routes mounted there, http.h), so an
 *                           agentapi client pointed at .../sessions/{id}
 *                           works unchanged
 *   POST   /mcp            the MCP server (mcp.c): tools that start,
 *                           drive, wait for and stop the sessions
 *
 * Each session keeps its conversation in its own state file (with the
 * journal of acknowledged user messages); the list of sessions is saved
 * crash-safely in the state folder on every change.  A new host started
 * on the same folder brings every session back: its agent relaunched in
 * the same directory, with the type's resume flag when it has one
 * (Claude Code --continue, Codex resume --last, Gemini CLI --resume
 * latest, opencode --continue, Aider --restore-chat-history), and its
 * conversation loaded back.
 *
 * An agent that exits stays listed as exited, its conversation readable,
 * until it is deleted; nothing an agent does reaches the other sessions.
 */
#ifndef AA_HOST_H
#define AA_HOST_H

#include <stddef.h>

#include <uv.h>

#include "agentapi.h"

struct aa_host;
struct aa_log;

#define AA_HOST_MAX_SESSIONS 64

/* What aa_host_open needs (the public aa_host_options, checked and
 * resolved by host-api.c). */
struct aa_host_config {
	const char *state_dir;   /* sessions.json and the state files */
	const char *unix_path;   /* the socket (its directory must exist) */
	/* Loopback TCP: port -1 = none, 0 = any free one. */
	int port;
	const char *const *addrs; /* NULL: 127.0.0.1 and ::1 */
	size_t naddrs;
	const char *auth_token;  /* required on TCP (the caller makes one) */
	const char *const *allowed_hosts; /* NULL: agentapi's default */
	size_t nallowed_hosts;
	const char *const *allowed_origins;
	size_t nallowed_origins;
	size_t max_sessions;     /* 0: AA_HOST_MAX_SESSIONS */
	unsigned stop_timeout_ms; /* SIGINT -> SIGKILL grace; 0: 5000 */
};

/* Opens the HTTP server of h (made by aa_host_new, public), then brings
 * back the sessions saved in state_dir; *cause says why it failed.  On
 * failure with the server open (h->http set) the caller closes h. */
int aa_host_open(struct aa_host *h, const struct aa_host_config *o,
    char **cause);
/* The number of sessions. */
size_t aa_host_nsessions(const struct aa_host *h);
/* Stops every agent (their state saved; the session list is kept, so a
 * new host brings them back), closes the server, then calls cb(ud); h
 * itself stays for aa_host_free.  Run the loop until then. */
void aa_host_close(struct aa_host *h, aa_host_stop_cb cb, void *ud);

/* aa_host_new with log lines going to log rather than o->log (records,
 * for the program's own line format). */
int aa_host_new_log(struct uv_loop_s *loop, struct aa_host **out,
    const struct aa_host_options *o, const struct aa_log *log, char **cause);

/*
 * Prepares the socket path: creates its directory (0700; an existing one
 * must be ours and is set to 0700) and removes a stale socket of ours.
 * Refuses (AA_EINVAL, *cause) a path that exists and is not a socket of
 * ours, or a socket another host still answers on.
 */
int aa_host_prepare_socket(const char *path, char **cause);

#endif /* AA_HOST_H */
