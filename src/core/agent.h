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
 * (§1.2-5).  What is data is data: the echo's markers, the residue lines
 * and the layout fallback of today's TUIs (core/residue.h), the tool
 * call's markers, the busy footer, the ready markers, the interrupt key
 * and how prompts are answered.  It can be overridden at start from a
 * file (core/rules.h, --agent-rules).  What is an algorithm is a function
 * in the agent's own file: upstream's per-agent box removers and the
 * tool-call scans.  So everything one agent needs is in agents/<name>.c.
 */
#ifndef AA_AGENT_H
#define AA_AGENT_H

#include <stddef.h>

#include "base/buf.h"
#include "core/format.h"
#include "core/residue.h"

/* A footer that shows the agent at work (aa_agent_busy). */
struct aa_agent_busy {
	const char *mark;	/* contained in the footer; NULL: no footer */
	unsigned lines;		/* last non-blank lines searched for it */
	const char *const *marks; /* more marks, NULL-terminated, or NULL */
};

struct aa_agent {
	const char *name;		/* canonical type string */
	const char *const *aliases;	/* NULL-terminated, name included */
	struct aa_format_echo echo;	/* how the echoed input ends */
	struct aa_residue_rules box;	/* input-box removal */
	struct aa_format_tools tools;	/* tool-call remover, if any */
	unsigned diff_skip;		/* header lines the diff skips */
	const char *start_input;	/* typed right after start, or NULL */
	const char *blink;		/* glyph blinked at a line start */
	/* Ready only once something is drawn above the input box too. */
	int ready_text;
	struct aa_agent_busy busy;	/* the screen shows it at work */
	/* Ready only while one of these is on the screen too; NULL-
	 * terminated; NULL or empty: the input box is enough. */
	const char *const *ready;
	/* The key that interrupts the agent: "esc" or "ctrl-c". */
	const char *interrupt;
	/* How an option of a waiting prompt is chosen: "arrows" (move,
	 * then Enter), "digit" or "digit-enter". */
	const char *prompt_answer;
	/* Lines that show the agent waiting on a prompt, for the prompt
	 * detector; NULL-terminated, or NULL. */
	const char *const *prompt_hints;
	/* What is written before a message's text, NULL-terminated; NULL:
	 * upstream's "x\b" and the bracketed-paste start (core/send.h). */
	const char *const *send_pre;
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
/* Every agent, NULL-terminated, custom last: the table in use. */
const struct aa_agent *const *aa_agent_table(void);
/* The compiled-in table, whatever is in use. */
const struct aa_agent *const *aa_agent_builtin(void);
/*
 * Puts a table in use for the whole process (NULL: the compiled-in one),
 * e.g. aa_rules_table's copy with a file's overrides; it must name the
 * same agents in the same order and outlive every session.  Call it
 * before any session starts: lookups do not lock.
 */
void aa_agent_use_table(const struct aa_agent *const *table);
/* The agent's canonical type string. */
const char *aa_agent_name(const struct aa_agent *a);
/*
 * Appends FormatAgentMessage (§4.4) then FormatToolCall (§4.6) of msg to
 * out, with blank runs collapsed (aa_format_collapse_blank); if
 * tool_calls is not NULL the removed calls are appended to it, joined
 * with "\n---\n".  Returns 0 or AA_ENOMEM.
 */
int aa_agent_format(const struct aa_agent *a, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out,
    struct aa_buf *tool_calls);

/* aa_agent_format_ex's flags: upstream's bytes, blank runs kept. */
#define AA_AGENT_FORMAT_UPSTREAM 0x1u

/* How aa_agent_format_ex came by its text (for parser health). */
struct aa_agent_format_info {
	int echo;	/* 1: the echo of user was found; 0: not; -1: no user */
	enum aa_residue_path box;	/* which rule found the input box */
};

/* aa_agent_format, with flags and, if info is not NULL, how the text was
 * found; the output does not depend on info. */
int aa_agent_format_ex(const struct aa_agent *a, const char *msg, size_t len,
    const char *user, size_t ulen, unsigned flags, struct aa_buf *out,
    struct aa_buf *tool_calls, struct aa_agent_format_info *info);
/* 1 if info says the text matched none of the agent's own input-box
 * rules: the "generic fallback" of parser health (core/health.h).  Never
 * for an agent whose only rule is the generic remover (custom, aider). */
int aa_agent_format_generic(const struct aa_agent *a,
    const struct aa_agent_format_info *info);
/* 1 if screen shows the agent ready for its first prompt (§4.5), else 0;
 * AA_ENOMEM if memory ran out. */
int aa_agent_ready(const struct aa_agent *a, const char *screen, size_t len);
/* 1 while the screen shows the agent at work (agents with a busy footer). */
int aa_agent_busy(const struct aa_agent *a, const char *screen, size_t len);
/* 1 if the agent has busy marks at all, else 0. */
int aa_agent_has_busy(const struct aa_agent *a);
/* Bytes to write to the agent right after it starts, or NULL. */
const char *aa_agent_start_input(const struct aa_agent *a);
/* Header lines the screen diff skips (§3); 0 for a NULL agent. */
unsigned aa_agent_diff_skip(const struct aa_agent *a);
/*
 * Appends every alias of every agent, sorted and joined with ", ", to
 * out (the "one of:" list of --help).  Returns 0 or AA_ENOMEM.
 */
int aa_agent_list_names(struct aa_buf *out);

#endif /* AA_AGENT_H */
