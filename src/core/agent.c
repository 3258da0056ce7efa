/*
 * agent.c - the agent table, lookup by name or alias, and the formatting
 * and readiness pipelines every agent shares (../shared/spec/core.md
 * §1.1, §4.4, §4.5).
 *
 * The table is the only place agents are named; everything else reads a
 * descriptor.  custom comes last and is what an unknown command maps to.
 */
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/agent.h"
#include "core/format.h"
#include "core/residue.h"
#include "base/text.h"

static const struct aa_agent *const agent_table[] = {
	&aa_agent_claude,
	&aa_agent_goose,
	&aa_agent_aider,
	&aa_agent_codex,
	&aa_agent_gemini,
	&aa_agent_copilot,
	&aa_agent_amp,
	&aa_agent_cursor,
	&aa_agent_auggie,
	&aa_agent_amazonq,
	&aa_agent_opencode,
	&aa_agent_generic,
	NULL,
};

static int agent_trim_in_place(struct aa_buf *, size_t);
static int agent_strcmp(const void *, const void *);

/* Looks an agent up by canonical name, then by alias. */
const struct aa_agent *
aa_agent_find(const char *name)
{
	const struct aa_agent *const *a;
	const char *const *alias;

	if (name == NULL)
		return NULL;
	for (a = agent_table; *a != NULL; a++) {
		if (strcmp((*a)->name, name) == 0)
			return *a;
		for (alias = (*a)->aliases; *alias != NULL; alias++)
			if (strcmp(*alias, name) == 0)
				return *a;
	}
	return NULL;
}

/* Maps a command's argv[0], verbatim, to its agent (§1.1). */
const struct aa_agent *
aa_agent_for_command(const char *argv0)
{
	const struct aa_agent *a = aa_agent_find(argv0);

	return a != NULL ? a : &aa_agent_generic;
}

/* Returns the generic "custom" agent. */
const struct aa_agent *
aa_agent_custom(void)
{
	return &aa_agent_generic;
}

/* Returns the NULL-terminated agent table. */
const struct aa_agent *const *
aa_agent_table(void)
{
	return agent_table;
}

/* Returns the agent's canonical type string. */
const char *
aa_agent_name(const struct aa_agent *a)
{
	return a->name;
}

/* Returns the bytes to type right after start, or NULL. */
const char *
aa_agent_start_input(const struct aa_agent *a)
{
	return a->start_input;
}

/* Returns the diff's header skip; 0 without an agent. */
unsigned
aa_agent_diff_skip(const struct aa_agent *a)
{
	return a != NULL ? a->diff_skip : 0;
}

/* Orders two C strings for qsort. */
static int
agent_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Lists every name an agent answers to, sorted, for --help. */
int
aa_agent_list_names(struct aa_buf *out)
{
	const struct aa_agent *const *a;
	const char *const *alias;
	const char **v;
	size_t n = 0, i;
	int rc = 0;

	for (a = agent_table; *a != NULL; a++)
		for (alias = (*a)->aliases; *alias != NULL; alias++)
			n++;
	if ((v = malloc(n * sizeof(*v))) == NULL)
		return AA_ENOMEM;
	n = 0;
	for (a = agent_table; *a != NULL; a++)
		for (alias = (*a)->aliases; *alias != NULL; alias++)
			v[n++] = *alias;
	qsort(v, n, sizeof(*v), agent_strcmp);
	for (i = 0; i < n && rc == 0; i++)
		if ((i > 0 && (rc = aa_buf_puts(out, ", ")) != 0) ||
		    (rc = aa_buf_puts(out, v[i])) != 0)
			break;
	free(v);
	return rc;
}

/* Trims blank lines off out[base..] without copying it elsewhere. */
static int
agent_trim_in_place(struct aa_buf *out, size_t base)
{
	size_t a, b;

	if (out->data == NULL)
		return aa_buf_append(out, "", 0);
	aa_format_trim_span(out->data + base, out->len - base, &a, &b);
	memmove(out->data + base, out->data + base + a, b - a);
	out->len = base + b - a;
	out->data[out->len] = '\0';
	return 0;
}

/* Formats an agent message: echo, box, blank lines, tool calls (§4.4-6). */
int
aa_agent_format(const struct aa_agent *a, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out,
    struct aa_buf *tool_calls)
{
	struct aa_buf tmp;
	size_t off, base = out->len;
	int rc;

	if (msg == NULL)
		msg = "";
	if (user == NULL)
		user = "";
	if ((rc = aa_format_echo_offset(msg, len, user, ulen, &a->echo,
	    &off)) < 0)
		return rc;
	if (a->tools.remove == NULL) {
		if ((rc = aa_residue_box(&a->box, msg + off, len - off,
		    out)) < 0)
			return rc;
		return agent_trim_in_place(out, base);
	}
	/* The tool-call scan needs the formatted text as its input. */
	aa_buf_init(&tmp);
	if ((rc = aa_residue_box(&a->box, msg + off, len - off, &tmp)) == 0 &&
	    (rc = agent_trim_in_place(&tmp, 0)) == 0 &&
	    (rc = a->tools.remove(&a->tools, tmp.data, tmp.len, out,
	    tool_calls)) == 0)
		rc = aa_buf_append(out, "", 0);
	aa_buf_release(&tmp);
	return rc;
}

/* Tells whether the screen shows an input box to remove (§4.5). */
int
aa_agent_ready(const struct aa_agent *a, const char *screen, size_t len)
{
	struct aa_buf tmp;
	size_t s, e;
	int rc;

	if (screen == NULL)
		screen = "";
	/* Ready when the box remover finds an input box to remove. */
	aa_format_trim_span(screen, len, &s, &e);
	aa_buf_init(&tmp);
	rc = aa_residue_box(&a->box, screen + s, e - s, &tmp);
	if (rc == 0)
		rc = tmp.len != e - s;
	/* Some agents draw their input box before they can take input. */
	if (rc == 1 && a->ready_text)
		rc = !aa_text_is_blank(tmp.data != NULL ? tmp.data : "",
		    tmp.len);
	aa_buf_release(&tmp);
	return rc;
}

/*
 * Tells whether the screen shows the agent at work: its busy mark in one
 * of the last few non-blank lines; 0 if it cannot say.
 */
int
aa_agent_busy(const struct aa_agent *a, const char *screen, size_t len)
{
	struct aa_lines l;
	size_t i, seen = 0;
	int rc = 0;

	if (a->busy.mark == NULL)
		return 0;
	aa_lines_init(&l);
	if (aa_lines_split(&l, screen != NULL ? screen : "",
	    screen != NULL ? len : 0) < 0)
		return 0;
	for (i = l.n; i-- > 0 && seen < a->busy.lines;) {
		if (aa_text_is_blank(l.v[i].s, l.v[i].len))
			continue;
		seen++;
		if (aa_text_contains(l.v[i].s, l.v[i].len, a->busy.mark)) {
			rc = 1;
			break;
		}
	}
	aa_lines_release(&l);
	return rc;
}
