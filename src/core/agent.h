/*
 * agent.h - aa_agent, what differs from one terminal agent to another.
 *
 * Each agent lives in agents/<name>.c and exports one constant descriptor,
 * const struct aa_agent aa_agent_<name>; src/agent.c lists them in a
 * NULL-terminated table and is the only place that looks agents up by
 * name (../shared/spec/core.md §1.1).  Callers never branch on an agent's
 * name: they read its descriptor through the functions below.
 *
 * The descriptor's behaviour comes from ../shared/spec/core.md: echo
 * removal extensions (§4.2), the input-box remover (§4.3), the tool-call
 * remover (§4.6), the diff's header skip (§3) and the start-up input
 * (§1.2-5).
 */
#ifndef AA_AGENT_H
#define AA_AGENT_H

#include <stddef.h>

#include "base/buf.h"
#include "core/format.h"

struct aa_agent {
	const char *name;		/* canonical type string */
	const char *const *aliases;	/* NULL-terminated, name included */
	struct aa_format_echo echo;	/* how the echoed input ends */
	aa_format_box_fn remove_box;	/* input-box remover */
	aa_format_tool_fn remove_tools; /* tool-call remover, or NULL */
	unsigned diff_skip;		/* header lines the diff skips */
	const char *start_input;	/* typed right after start, or NULL */
	const char *blink;		/* glyph blinked at a line start */
	/* Given the screen without its input box: 1 if ready, or NULL. */
	int (*ready_rest)(const char *s, size_t n);
	/* 1 while the screen shows the agent at work, or NULL. */
	int (*busy)(const char *s, size_t n);
};

extern const struct aa_agent aa_agent_claude;
extern const struct aa_agent aa_agent_goose;
extern const struct aa_agent aa_agent_aider;
extern const struct aa_agent aa_agent_codex;
extern const struct aa_agent aa_agent_gemini;
extern const struct aa_agent aa_agent_copilot;
extern const struct aa_agent aa_agent_amp;
extern const struct aa_agent aa_agent_cursor;
extern const struct aa_agent aa_agent_auggie;
extern const struct aa_agent aa_agent_amazonq;
extern const struct aa_agent aa_agent_opencode;
/* The "custom" type; named generic because aa_agent_custom() is the getter. */
extern const struct aa_agent aa_agent_generic;

/* Finds an agent by canonical name or alias; NULL if unknown. */
const struct aa_agent *aa_agent_find(const char *name);
/* The agent whose alias equals argv0 verbatim; custom when none does. */
const struct aa_agent *aa_agent_for_command(const char *argv0);
/* The generic fallback agent. */
const struct aa_agent *aa_agent_custom(void);
/* Every agent, NULL-terminated, custom last. */
const struct aa_agent *const *aa_agent_table(void);
/* The agent's canonical type string. */
const char *aa_agent_name(const struct aa_agent *a);
/*
 * Appends FormatAgentMessage (§4.4) then FormatToolCall (§4.6) of msg to
 * out; if tool_calls is not NULL the removed calls are appended to it,
 * joined with "\n---\n".  Returns 0 or AA_ENOMEM.
 */
int aa_agent_format(const struct aa_agent *a, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out,
    struct aa_buf *tool_calls);
/* 1 if screen shows the agent ready for its first prompt (§4.5), else 0;
 * AA_ENOMEM if memory ran out. */
int aa_agent_ready(const struct aa_agent *a, const char *screen, size_t len);
/* 1 while the screen shows the agent at work (agents with a busy hook). */
int aa_agent_busy(const struct aa_agent *a, const char *screen, size_t len);
/* Bytes to write to the agent right after it starts, or NULL. */
const char *aa_agent_start_input(const struct aa_agent *a);

#endif /* AA_AGENT_H */
