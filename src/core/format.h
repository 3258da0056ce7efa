/*
 * format.h - aa_format, the generic message formatting of
 * ../shared/spec/core.md §4: blank-line trimming, removal of the echoed
 * user input, the generic input-box remover, and what every
 * coder_report_task tool-call remover shares.
 *
 * Every function is pure: it reads (const char *, size_t) views and
 * appends its result to a struct aa_buf, returning 0 or AA_ENOMEM.  None
 * keeps state between calls.  An agent's own removers live in
 * agents/<name>.c and are reached through its descriptor (core/agent.h);
 * src/core/agent.c chains them.
 */
#ifndef AA_FORMAT_H
#define AA_FORMAT_H

#include <stddef.h>

#include "base/buf.h"

/*
 * How an agent extends the echoed input past the line holding its last
 * matched rune (§4.2 step 6).  If close_a and close_b are set, the next
 * line is skipped when it contains both (the input box's bottom edge);
 * then, if skip_lines is non-zero and that many lines follow, they are
 * skipped too.
 */
struct aa_format_echo {
	const char *close_a;
	const char *close_b;
	unsigned skip_lines;
};

struct aa_lines;
struct aa_format_tools;

/* Signature of an input-box remover (§4.3). */
typedef int (*aa_format_box_fn)(const char *s, size_t n, struct aa_buf *out);
/* Signature of a tool-call remover (§4.6); calls may be NULL. */
typedef int (*aa_format_tool_fn)(const struct aa_format_tools *t,
    const char *s, size_t n, struct aa_buf *out, struct aa_buf *calls);

/*
 * A tool-call remover and the lines it looks for (§4.6): the algorithm is
 * the agent's, the markers are data.
 */
struct aa_format_tools {
	aa_format_tool_fn remove;	/* NULL: the agent has none */
	const char *head;	/* the line opening a call, spaces ignored */
	const char *mark;	/* the tool's name on the call's line */
	const char *reply;	/* the tool's reply, the call's last line */
};

/* A range of lines [a, b) removed by a tool-call remover. */
struct aa_format_range {
	size_t a, b;
	int keep;	/* recorded as a tool call (well-formed) */
};

/* Separator between removed tool calls in the calls buffer. */
#define AA_FORMAT_TOOL_SEP "\n---\n"

/* Bounds [*start, *end) of s without its leading and trailing blank lines. */
void aa_format_trim_span(const char *s, size_t n, size_t *start,
    size_t *end);
/* Appends s without its leading and trailing blank lines (§4.1). */
int aa_format_trim_empty_lines(const char *s, size_t n, struct aa_buf *out);

/*
 * Locates the echo of user in msg over their non-WS6 runes (§4.2 steps
 * 2-4).  Returns 1 with the rune indices of the first and last matched
 * rune, 0 when there is no echo, or AA_ENOMEM.
 */
int aa_format_find_echo(const char *msg, size_t len, const char *user,
    size_t ulen, size_t *start, size_t *end);
/*
 * Byte offset where msg continues after the echo of user (§4.2); len if
 * the echo runs to the end, 0 if there is no echo.  AA_ENOMEM on failure
 * (the offset is returned through *offp).
 */
int aa_format_echo_offset(const char *msg, size_t len, const char *user,
    size_t ulen, const struct aa_format_echo *ext, size_t *offp);
/* Appends msg without the echoed user input (RemoveUserInput, §4.2). */
int aa_format_remove_user_input(const char *msg, size_t len,
    const char *user, size_t ulen, const struct aa_format_echo *ext,
    struct aa_buf *out);

/* The generic remover: a '>' prompt or a slim box at the bottom (§4.3). */
int aa_format_box_generic(const char *s, size_t n, struct aa_buf *out);
/*
 * Appends the lines of l outside every range (sorted, disjoint), joined
 * with "\n", to out; then, if calls is not NULL, the ranges marked keep,
 * last first, separated by AA_FORMAT_TOOL_SEP (§4.6).
 */
int aa_format_tools_join(const struct aa_lines *l,
    const struct aa_format_range *r, size_t nr, struct aa_buf *out,
    struct aa_buf *calls);

#endif /* AA_FORMAT_H */
