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

/* The table in use (aa_agent_use_table). */
static const struct aa_agent *const *agent_active = agent_table;

static int agent_trim_in_place(struct aa_buf *, size_t);
static int agent_busy_line(const struct aa_agent *, const struct aa_line *);
static int agent_strcmp(const void *, const void *);

/* Looks an agent up by canonical name, then by alias. */
const struct aa_agent *
aa_agent_find(const char *name)
{
	const struct aa_agent *const *a;
	const char *const *alias;

	if (name == NULL)
		return NULL;
	for (a = agent_active; *a != NULL; a++) {
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

	return a != NULL ? a : aa_agent_custom();
}

/* Returns the generic "custom" agent, the table's last. */
const struct aa_agent *
aa_agent_custom(void)
{
	return agent_active[AA__ARRAY_SIZE(agent_table) - 2];
}

/* Returns the NULL-terminated agent table in use. */
const struct aa_agent *const *
aa_agent_table(void)
{
	return agent_active;
}

/* Returns the compiled-in table. */
const struct aa_agent *const *
aa_agent_builtin(void)
{
	return agent_table;
}

/* Puts a table in use (NULL: the compiled-in one). */
void
aa_agent_use_table(const struct aa_agent *const *table)
{
	agent_active = table != NULL ? table : agent_table;
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

	for (a = agent_active; *a != NULL; a++)
		for (alias = (*a)->aliases; *alias != NULL; alias++)
			n++;
	if ((v = malloc(n * sizeof(*v))) == NULL)
		return AA_ENOMEM;
	n = 0;
	for (a = agent_active; *a != NULL; a++)
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

/* Formats an agent message: echo, box, blank lines, tool calls (§4.4-6),
 * then blank runs. */
int
aa_agent_format(const struct aa_agent *a, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out,
    struct aa_buf *tool_calls)
{
	return aa_agent_format_ex(a, msg, len, user, ulen, 0, out, tool_calls,
	    NULL);
}

/*
 * Upstream's formatting, byte for byte (the conformance vectors keep
 * blank runs: amazonq's expected messages hold five blank lines in a
 * row), then, unless AA_AGENT_FORMAT_UPSTREAM, blank runs collapsed as
 * a last step of its own, so the vectors still check upstream's part.
 */
int
aa_agent_format_ex(const struct aa_agent *a, const char *msg, size_t len,
    const char *user, size_t ulen, unsigned flags, struct aa_buf *out,
    struct aa_buf *tool_calls, struct aa_agent_format_info *info)
{
	struct aa_agent_format_info dummy;
	struct aa_buf tmp, up;
	size_t off;
	int rc;

	if (info == NULL)
		info = &dummy;
	if (msg == NULL)
		msg = "";
	if (user == NULL)
		user = "";
	if ((rc = aa_format_echo_offset(msg, len, user, ulen, &a->echo,
	    &off)) < 0)
		return rc;
	info->echo = ulen == 0 ? -1 : off > 0;
	aa_buf_init(&tmp);
	aa_buf_init(&up);
	if ((rc = aa_residue_box_path(&a->box, msg + off, len - off, &tmp,
	    &info->box)) != 0 || (rc = agent_trim_in_place(&tmp, 0)) != 0)
		goto out;
	if (a->tools.remove == NULL)
		rc = aa_buf_append(&up, tmp.data, tmp.len);
	else if ((rc = a->tools.remove(&a->tools, tmp.data, tmp.len, &up,
	    tool_calls)) == 0)
		rc = aa_buf_append(&up, "", 0);
	if (rc != 0)
		goto out;
	if (flags & AA_AGENT_FORMAT_UPSTREAM)
		rc = aa_buf_append(out, up.data, up.len);
	else
		rc = aa_format_collapse_blank(up.data, up.len, out);
out:
	aa_buf_release(&up);
	aa_buf_release(&tmp);
	return rc;
}

/* Tells whether the agent's own box rules found nothing. */
int
aa_agent_format_generic(const struct aa_agent *a,
    const struct aa_agent_format_info *info)
{
	const struct aa_residue_rules *r = &a->box;

	/* An agent whose one rule is the generic remover (custom, aider)
	 * has no rules of its own to miss. */
	return info->box == AA_RESIDUE_NONE && ((r->upstream != NULL &&
	    r->upstream != aa_format_box_generic) || r->layout.top != NULL ||
	    r->trim != 0 || r->lead != NULL || r->trail != NULL ||
	    r->dialog != NULL);
}

/* Tells whether the screen shows an input box to remove (§4.5). */
int
aa_agent_ready(const struct aa_agent *a, const char *screen, size_t len)
{
	const char *const *m;
	struct aa_buf tmp;
	size_t s, e;
	int rc;

	if (screen == NULL) {
		screen = "";
		len = 0;
	}
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
	/* And with ready markers, one of them must show too. */
	if (rc == 1 && a->ready != NULL && a->ready[0] != NULL) {
		for (m = a->ready; *m != NULL; m++)
			if (aa_text_contains(screen, len, *m))
				break;
		rc = *m != NULL;
	}
	aa_buf_release(&tmp);
	return rc;
}

/* 1 if the line holds one of the agent's busy marks. */
static int
agent_busy_line(const struct aa_agent *a, const struct aa_line *l)
{
	const char *const *m;

	if (a->busy.mark != NULL && aa_text_contains(l->s, l->len,
	    a->busy.mark))
		return 1;
	for (m = a->busy.marks; m != NULL && *m != NULL; m++)
		if (aa_text_contains(l->s, l->len, *m))
			return 1;
	return 0;
}

int
aa_agent_has_busy(const struct aa_agent *a)
{
	return a != NULL && (a->busy.mark != NULL ||
	    (a->busy.marks != NULL && a->busy.marks[0] != NULL));
}

/*
 * Tells whether the screen shows the agent at work: one of its busy
 * marks in one of the last few non-blank lines; 0 if it cannot say.
 */
int
aa_agent_busy(const struct aa_agent *a, const char *screen, size_t len)
{
	struct aa_lines l;
	size_t i, seen = 0;
	int rc = 0;

	if (!aa_agent_has_busy(a))
		return 0;
	aa_lines_init(&l);
	if (aa_lines_split(&l, screen != NULL ? screen : "",
	    screen != NULL ? len : 0) < 0)
		return 0;
	for (i = l.n; i-- > 0 && seen < a->busy.lines;) {
		if (aa_text_is_blank(l.v[i].s, l.v[i].len))
			continue;
		seen++;
		if (agent_busy_line(a, &l.v[i])) {
			rc = 1;
			break;
		}
	}
	aa_lines_release(&l);
	return rc;
}
