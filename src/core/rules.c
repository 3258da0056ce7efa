/*
 * rules.c - agent rules from a file (rules.h).
 *
 * The document is parsed with cJSON, then walked key by key against what
 * each level allows, so that the first thing wrong is reported with its
 * path.  Every string is copied into the rules object, which also holds
 * a copy of every compiled-in descriptor and the table pointing at them;
 * the overrides are written into those copies.  Nothing here keeps a
 * pointer into the document.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/text.h"
#include "core/residue.h"
#include "core/rules.h"

/* Agents in the compiled-in table; checked against it at parse time. */
#define RULES_AGENTS_MAX 32
/* Key names in error messages are cut to this many bytes. */
#define RULES_KEY_SHOWN 48

struct aa_rules {
	struct aa_agent agents[RULES_AGENTS_MAX];
	const struct aa_agent *table[RULES_AGENTS_MAX + 1];
	void **owned;		/* every allocation the copies point into */
	size_t nowned, capowned;
};

/* A parse in progress: the rules, the cause, the path being walked. */
struct rules_ctx {
	struct aa_rules *r;
	char **cause;
	int nomem;
};

static int rules_fail(struct rules_ctx *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void *rules_keep(struct rules_ctx *, void *);
static void rules_key(char *, size_t, const char *, const char *);
static void rules_path(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static int rules_check_keys(struct rules_ctx *, const cJSON *, const char *,
    const char *const *);
static int rules_string(struct rules_ctx *, const cJSON *, const char *,
    int, const char **);
static int rules_number(struct rules_ctx *, const cJSON *, const char *,
    unsigned, unsigned *);
static int rules_bool(struct rules_ctx *, const cJSON *, const char *,
    int *);
static int rules_array(struct rules_ctx *, const cJSON *, const char *,
    size_t *);
static int rules_list(struct rules_ctx *, const cJSON *, const char *,
    const char *const **);
static int rules_matches(struct rules_ctx *, const cJSON *, const char *,
    const struct aa_residue_match **);
static int rules_choice(struct rules_ctx *, const cJSON *, const char *,
    const char *const *, const char **);
static int rules_box(struct rules_ctx *, const cJSON *, const char *,
    struct aa_agent *);
static int rules_chrome(struct rules_ctx *, const cJSON *, const char *,
    struct aa_agent *);
static int rules_busy(struct rules_ctx *, const cJSON *, const char *,
    struct aa_agent *);
static int rules_agent(struct rules_ctx *, const cJSON *, const char *,
    struct aa_agent *);
static int rules_document(struct rules_ctx *, const cJSON *);
static struct aa_agent *rules_find(struct aa_rules *, const char *);

static const char *const root_keys[] = { "version", "agents", NULL };
static const char *const agent_keys[] = { "ready", "box", "chrome", "busy",
	"prompt_hints", "prompt_answer", "interrupt", NULL };
static const char *const box_keys[] = { "top", "bottom", "scan", "rows",
	"under", "caption", "scrollbar", "dialog", NULL };
static const char *const chrome_keys[] = { "lead", "trail", NULL };
static const char *const busy_keys[] = { "marks", "lines", NULL };
static const char *const match_keys[] = { "starts", "has", "rule", NULL };
static const char *const interrupt_keys[] = { "esc", "ctrl-c", "esc esc",
	NULL };
static const char *const answer_kinds[] = { "arrows", "digit",
	"digit-enter", NULL };

/* Sets the cause "agent-rules: <path>: <what>"; returns AA_EINVAL. */
static int
rules_fail(struct rules_ctx *c, const char *path, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (c->cause == NULL || *c->cause != NULL)
		return AA_EINVAL;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (asprintf(c->cause, "agent-rules: %s%s%s", path,
	    *path != '\0' ? ": " : "", what) < 0)
		*c->cause = NULL;
	return AA_EINVAL;
}

/* Records p as owned by the rules; NULL (and nomem) if p is NULL or the
 * record cannot grow (p is then freed). */
static void *
rules_keep(struct rules_ctx *c, void *p)
{
	struct aa_rules *r = c->r;
	void **v;
	size_t n;

	if (p != NULL && r->nowned == r->capowned) {
		n = r->capowned < 16 ? 16 : r->capowned * 2;
		if ((v = realloc(r->owned, n * sizeof(*v))) == NULL) {
			free(p);
			p = NULL;
		} else {
			r->owned = v;
			r->capowned = n;
		}
	}
	if (p == NULL) {
		c->nomem = 1;
		return NULL;
	}
	r->owned[r->nowned++] = p;
	return p;
}

/* Writes "<path>.<key>" into buf, the key cut short and made printable. */
static void
rules_key(char *buf, size_t size, const char *path, const char *key)
{
	char shown[RULES_KEY_SHOWN + 4];
	size_t i;

	for (i = 0; key[i] != '\0' && i < RULES_KEY_SHOWN; i++)
		shown[i] = key[i] > 0x20 && key[i] < 0x7f && key[i] != '.' ?
		    key[i] : '?';
	shown[i] = '\0';
	if (key[i] != '\0')
		strcpy(shown + i, "...");
	snprintf(buf, size, "%s%s%s", path, *path != '\0' ? "." : "", shown);
}

/* Formats a key path; paths are short (keys are cut in rules_key). */
static void
rules_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* Checks that o is an object whose keys are all in allowed, once each. */
static int
rules_check_keys(struct rules_ctx *c, const cJSON *o, const char *path,
    const char *const *allowed)
{
	const cJSON *k, *j;
	const char *const *a;
	char p[512];

	if (!cJSON_IsObject(o))
		return rules_fail(c, path, "must be an object");
	for (k = o->child; k != NULL; k = k->next) {
		rules_key(p, sizeof(p), path, k->string);
		for (a = allowed; *a != NULL && strcmp(*a, k->string) != 0;
		    a++)
			;
		if (*a == NULL)
			return rules_fail(c, p, "unknown key");
		for (j = o->child; j != k; j = j->next)
			if (strcmp(j->string, k->string) == 0)
				return rules_fail(c, p, "given twice");
	}
	return 0;
}

/* A bounded, printable, non-empty UTF-8 string (or null if nullable,
 * giving NULL); copied into the rules. */
static int
rules_string(struct rules_ctx *c, const cJSON *v, const char *path,
    int nullable, const char **out)
{
	const char *s;
	size_t n, i;

	if (nullable && cJSON_IsNull(v)) {
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return rules_fail(c, path, nullable ? "must be a string or "
		    "null" : "must be a string");
	s = v->valuestring;
	n = strlen(s);
	if (n == 0)
		return rules_fail(c, path, "must not be empty");
	if (n > AA_RULES_STRING_MAX)
		return rules_fail(c, path, "longer than %d bytes",
		    AA_RULES_STRING_MAX);
	if (!aa_utf8_valid(s, n))
		return rules_fail(c, path, "not valid UTF-8");
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return rules_fail(c, path, "must not hold control "
			    "characters");
	if ((*out = rules_keep(c, strdup(s))) == NULL)
		return AA_ENOMEM;
	return 0;
}

/* An integer in [0, max]. */
static int
rules_number(struct rules_ctx *c, const cJSON *v, const char *path,
    unsigned max, unsigned *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return rules_fail(c, path, "must be a number");
	d = v->valuedouble;
	if (!(d >= 0 && d <= max) || (double)(unsigned)d != d)
		return rules_fail(c, path, "must be a whole number from 0 to "
		    "%u", max);
	*out = (unsigned)d;
	return 0;
}

/* true or false. */
static int
rules_bool(struct rules_ctx *c, const cJSON *v, const char *path, int *out)
{
	if (!cJSON_IsBool(v))
		return rules_fail(c, path, "must be true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}

/* Checks that v is an array of at most AA_RULES_LIST_MAX entries. */
static int
rules_array(struct rules_ctx *c, const cJSON *v, const char *path,
    size_t *n)
{
	const cJSON *e;

	if (!cJSON_IsArray(v))
		return rules_fail(c, path, "must be a list");
	for (*n = 0, e = v->child; e != NULL; e = e->next)
		if (++*n > AA_RULES_LIST_MAX)
			return rules_fail(c, path, "more than %d entries",
			    AA_RULES_LIST_MAX);
	return 0;
}

/* A list of strings, as a NULL-terminated array. */
static int
rules_list(struct rules_ctx *c, const cJSON *v, const char *path,
    const char *const **out)
{
	const cJSON *e;
	const char **a;
	char p[512];
	size_t n, i;
	int rc;

	if ((rc = rules_array(c, v, path, &n)) != 0)
		return rc;
	if ((a = rules_keep(c, calloc(n + 1, sizeof(*a)))) == NULL)
		return AA_ENOMEM;
	for (i = 0, e = v->child; e != NULL; e = e->next, i++) {
		rules_path(p, sizeof(p), "%s[%zu]", path, i);
		if ((rc = rules_string(c, e, p, 0, &a[i])) != 0)
			return rc;
	}
	*out = a;
	return 0;
}

/* A list of line predicates (residue.h), as an array ending all-zero. */
static int
rules_matches(struct rules_ctx *c, const cJSON *v, const char *path,
    const struct aa_residue_match **out)
{
	struct aa_residue_match *m;
	const cJSON *e, *k;
	char p[512], q[600];
	size_t n, i;
	int rc, rule = 0;

	if ((rc = rules_array(c, v, path, &n)) != 0)
		return rc;
	if ((m = rules_keep(c, calloc(n + 1, sizeof(*m)))) == NULL)
		return AA_ENOMEM;
	for (i = 0, e = v->child; e != NULL; e = e->next, i++) {
		rules_path(p, sizeof(p), "%s[%zu]", path, i);
		m[i].kind = AA_RESIDUE_TEXT;
		if (cJSON_IsString(e)) {
			if ((rc = rules_string(c, e, p, 0, &m[i].starts)) != 0)
				return rc;
			continue;
		}
		if (!cJSON_IsObject(e))
			return rules_fail(c, p, "must be a string or an "
			    "object");
		if ((rc = rules_check_keys(c, e, p, match_keys)) != 0)
			return rc;
		if (e->child == NULL)
			return rules_fail(c, p, "must set starts, has or "
			    "rule");
		if ((k = cJSON_GetObjectItemCaseSensitive(e, "starts")) !=
		    NULL) {
			rules_path(q, sizeof(q), "%s.starts", p);
			if ((rc = rules_string(c, k, q, 0, &m[i].starts)) != 0)
				return rc;
		}
		if ((k = cJSON_GetObjectItemCaseSensitive(e, "has")) != NULL) {
			rules_path(q, sizeof(q), "%s.has", p);
			if ((rc = rules_string(c, k, q, 0, &m[i].has)) != 0)
				return rc;
		}
		if ((k = cJSON_GetObjectItemCaseSensitive(e, "rule")) !=
		    NULL) {
			rules_path(q, sizeof(q), "%s.rule", p);
			if ((rc = rules_bool(c, k, q, &rule)) != 0)
				return rc;
			if (rule)
				m[i].kind = AA_RESIDUE_RULE;
		}
		/* {"rule": false} alone would match every line. */
		if (m[i].kind == AA_RESIDUE_TEXT && m[i].starts == NULL &&
		    m[i].has == NULL)
			return rules_fail(c, p, "must set starts, has or "
			    "rule: true");
	}
	*out = m;
	return 0;
}

/* One of a fixed set of words. */
static int
rules_choice(struct rules_ctx *c, const cJSON *v, const char *path,
    const char *const *words, const char **out)
{
	const char *const *w;
	char list[128];
	size_t n = 0;

	if (cJSON_IsString(v) && v->valuestring != NULL)
		for (w = words; *w != NULL; w++)
			if (strcmp(*w, v->valuestring) == 0) {
				*out = *w;
				return 0;
			}
	list[0] = '\0';
	for (w = words; *w != NULL && n < sizeof(list); w++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s\"%s\"",
		    w == words ? "" : w[1] == NULL ? " or " : ", ", *w);
	return rules_fail(c, path, "must be %s", list);
}

/* "box": the layout fallback's markers and sizes, the dialog edge. */
static int
rules_box(struct rules_ctx *c, const cJSON *o, const char *path,
    struct aa_agent *a)
{
	struct aa_residue_layout *l = &a->box.layout;
	const cJSON *k;
	char p[512];
	int rc = 0, b = 0;

	if ((rc = rules_check_keys(c, o, path, box_keys)) != 0)
		return rc;
	for (k = o->child; k != NULL && rc == 0; k = k->next) {
		rules_key(p, sizeof(p), path, k->string);
		if (strcmp(k->string, "top") == 0)
			rc = rules_string(c, k, p, 1, &l->top);
		else if (strcmp(k->string, "bottom") == 0)
			rc = rules_string(c, k, p, 1, &l->bottom);
		else if (strcmp(k->string, "scrollbar") == 0)
			rc = rules_string(c, k, p, 1, &l->scrollbar);
		else if (strcmp(k->string, "dialog") == 0)
			rc = rules_string(c, k, p, 1, &a->box.dialog);
		else if (strcmp(k->string, "scan") == 0)
			rc = rules_number(c, k, p, AA_RULES_NUMBER_MAX,
			    &l->scan);
		else if (strcmp(k->string, "rows") == 0)
			rc = rules_number(c, k, p, AA_RULES_NUMBER_MAX,
			    &l->rows);
		else if (strcmp(k->string, "under") == 0)
			rc = rules_number(c, k, p, AA_RULES_NUMBER_MAX,
			    &l->under);
		else if ((rc = rules_bool(c, k, p, &b)) == 0)
			l->caption = b;
	}
	if (rc != 0)
		return rc;
	/* A layout scans from the bottom: with no lines it finds nothing. */
	if (l->top != NULL && l->scan == 0) {
		rules_path(p, sizeof(p), "%s.scan", path);
		return rules_fail(c, p, "must be at least 1 when top is set");
	}
	if (l->top == NULL && l->bottom != NULL) {
		rules_path(p, sizeof(p), "%s.bottom", path);
		return rules_fail(c, p, "needs top");
	}
	return 0;
}

/* "chrome": lines dropped at either end once the box is found. */
static int
rules_chrome(struct rules_ctx *c, const cJSON *o, const char *path,
    struct aa_agent *a)
{
	const cJSON *k;
	char p[512];
	int rc;

	if ((rc = rules_check_keys(c, o, path, chrome_keys)) != 0)
		return rc;
	for (k = o->child; k != NULL; k = k->next) {
		rules_key(p, sizeof(p), path, k->string);
		rc = rules_matches(c, k, p, strcmp(k->string, "lead") == 0 ?
		    &a->box.lead : &a->box.trail);
		if (rc != 0)
			return rc;
	}
	/* Chrome is dropped only after the removers trim names; an agent
	 * with none named gets both, or its chrome would be ignored. */
	if (a->box.trim == 0)
		a->box.trim = AA_RESIDUE_AFTER_UPSTREAM |
		    AA_RESIDUE_AFTER_LAYOUT;
	return 0;
}

/* "busy": the marks that show the agent at work, and where. */
static int
rules_busy(struct rules_ctx *c, const cJSON *o, const char *path,
    struct aa_agent *a)
{
	const cJSON *k;
	char p[512];
	int rc, lines = 0;

	if ((rc = rules_check_keys(c, o, path, busy_keys)) != 0)
		return rc;
	for (k = o->child; k != NULL; k = k->next) {
		rules_key(p, sizeof(p), path, k->string);
		if (strcmp(k->string, "marks") == 0) {
			a->busy.mark = NULL;
			rc = rules_list(c, k, p, &a->busy.marks);
		} else {
			lines = 1;
			rc = rules_number(c, k, p, AA_RULES_NUMBER_MAX,
			    &a->busy.lines);
		}
		if (rc != 0)
			return rc;
	}
	/* New marks without "lines" are looked for where rules.h says,
	 * not where the compiled-in marks were. */
	if (!lines && cJSON_GetObjectItemCaseSensitive(o, "marks") != NULL)
		a->busy.lines = 0;
	if (a->busy.lines == 0 && a->busy.marks != NULL &&
	    a->busy.marks[0] != NULL)
		a->busy.lines = 3;	/* the default of rules.h */
	return 0;
}

/* One agent's overrides. */
static int
rules_agent(struct rules_ctx *c, const cJSON *o, const char *path,
    struct aa_agent *a)
{
	const cJSON *k;
	char p[512];
	int rc;

	if ((rc = rules_check_keys(c, o, path, agent_keys)) != 0)
		return rc;
	for (k = o->child; k != NULL; k = k->next) {
		rules_key(p, sizeof(p), path, k->string);
		if (strcmp(k->string, "ready") == 0)
			rc = rules_list(c, k, p, &a->ready);
		else if (strcmp(k->string, "prompt_hints") == 0)
			rc = rules_list(c, k, p, &a->prompt_hints);
		else if (strcmp(k->string, "box") == 0)
			rc = rules_box(c, k, p, a);
		else if (strcmp(k->string, "chrome") == 0)
			rc = rules_chrome(c, k, p, a);
		else if (strcmp(k->string, "busy") == 0)
			rc = rules_busy(c, k, p, a);
		else if (strcmp(k->string, "interrupt") == 0)
			rc = rules_choice(c, k, p, interrupt_keys,
			    &a->interrupt);
		else
			rc = rules_choice(c, k, p, answer_kinds,
			    &a->prompt_answer);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The copy of the agent named name (canonical or alias), or NULL. */
static struct aa_agent *
rules_find(struct aa_rules *r, const char *name)
{
	const char *const *alias;
	size_t i;

	for (i = 0; r->table[i] != NULL; i++) {
		if (strcmp(r->agents[i].name, name) == 0)
			return &r->agents[i];
		for (alias = r->agents[i].aliases; *alias != NULL; alias++)
			if (strcmp(*alias, name) == 0)
				return &r->agents[i];
	}
	return NULL;
}

/* The whole document. */
static int
rules_document(struct rules_ctx *c, const cJSON *root)
{
	const cJSON *v, *k, *j;
	struct aa_agent *a;
	char p[512];
	int rc;

	if ((rc = rules_check_keys(c, root, "", root_keys)) != 0)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (v == NULL)
		return rules_fail(c, "version", "missing (must be %d)",
		    AA_RULES_VERSION);
	if (!cJSON_IsNumber(v) || v->valuedouble != AA_RULES_VERSION)
		return rules_fail(c, "version", "must be %d",
		    AA_RULES_VERSION);
	v = cJSON_GetObjectItemCaseSensitive(root, "agents");
	if (v == NULL)
		return 0;
	if (!cJSON_IsObject(v))
		return rules_fail(c, "agents", "must be an object");
	for (k = v->child; k != NULL; k = k->next) {
		rules_key(p, sizeof(p), "agents", k->string);
		if ((a = rules_find(c->r, k->string)) == NULL)
			return rules_fail(c, p, "unknown agent type");
		/* Two spellings of one agent would override each other. */
		for (j = v->child; j != k; j = j->next)
			if (rules_find(c->r, j->string) == a)
				return rules_fail(c, p, "%s given twice",
				    a->name);
		if ((rc = rules_agent(c, k, p, a)) != 0)
			return rc;
	}
	return 0;
}

int
aa_rules_parse(const char *json, size_t len, struct aa_rules **out,
    char **cause)
{
	const struct aa_agent *const *b = aa_agent_builtin();
	struct rules_ctx c;
	struct aa_rules *r;
	cJSON *root;
	const char *end = NULL;
	size_t i;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	if (out == NULL || (json == NULL && len > 0))
		return AA_EINVAL;
	*out = NULL;
	c.cause = cause;
	c.nomem = 0;
	c.r = NULL;
	if (len > AA_RULES_FILE_MAX)
		return rules_fail(&c, "", "larger than %d bytes",
		    AA_RULES_FILE_MAX);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return AA_ENOMEM;
	c.r = r;
	for (i = 0; b[i] != NULL; i++) {
		if (i == RULES_AGENTS_MAX) {
			aa_rules_free(r);
			return AA_EINVAL;	/* a table larger than ours */
		}
		r->agents[i] = *b[i];
		r->table[i] = &r->agents[i];
	}
	root = cJSON_ParseWithLengthOpts(json != NULL ? json : "", len, &end,
	    0);
	if (root == NULL) {
		end = cJSON_GetErrorPtr();
		rc = rules_fail(&c, "", "not valid JSON (near byte %zu)",
		    end != NULL && end >= json && end <= json + len ?
		    (size_t)(end - json) : len);
		goto out;
	}
	/* Nothing but white space may follow the document. */
	while (end < json + len && (*end == ' ' || *end == '\t' ||
	    *end == '\n' || *end == '\r'))
		end++;
	if (end != json + len)
		rc = rules_fail(&c, "", "not valid JSON (text after the "
		    "document at byte %zu)", (size_t)(end - json));
	else
		rc = rules_document(&c, root);
	cJSON_Delete(root);
out:
	if (rc == 0 && c.nomem)
		rc = AA_ENOMEM;
	if (rc != 0) {
		aa_rules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int
aa_rules_load(const char *path, struct aa_rules **out, char **cause)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc = 0;

	if (cause != NULL)
		*cause = NULL;
	if (path == NULL || out == NULL)
		return AA_EINVAL;
	*out = NULL;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		rc = AA__ERR(errno);
		goto fail;
	}
	/* One byte over the limit tells a file that is too large. */
	if ((buf = malloc(AA_RULES_FILE_MAX + 1)) == NULL) {
		close(fd);
		return AA_ENOMEM;
	}
	while (len <= AA_RULES_FILE_MAX) {
		n = read(fd, buf + len, AA_RULES_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = AA__ERR(errno);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (rc != 0)
		goto fail;
	if (len > AA_RULES_FILE_MAX) {
		free(buf);
		if (cause != NULL && asprintf(cause, "agent-rules: %s: larger "
		    "than %d bytes", path, AA_RULES_FILE_MAX) < 0)
			*cause = NULL;
		return AA_EINVAL;
	}
	rc = aa_rules_parse(buf, len, out, cause);
	free(buf);
	return rc;
fail:
	free(buf);
	if (cause != NULL && asprintf(cause, "agent-rules: %s: %s", path,
	    aa_strerror(rc)) < 0)
		*cause = NULL;
	return rc;
}

const struct aa_agent *const *
aa_rules_table(const struct aa_rules *r)
{
	return r->table;
}

void
aa_rules_free(struct aa_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	free(r);
}
