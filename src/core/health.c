/*
 * health.c - whether the agent's rules still fit its screen (health.h).
 *
 * Five conditions, each one flag and one sentence.  Two are about time
 * (the ready marker unseen, the screen churning after the turn) and are
 * evaluated on every call from the last screen's flags, so that a
 * deadline with no new screen can set or clear them; two are about the
 * last finished turn and change only when a turn ends; one is about the
 * last state save.  The sentences
 * are formatted into the tracker itself, so nothing here allocates after
 * aa_health_new.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/health.h"

#define DEFAULT_READY_GRACE_MS 30000
#define DEFAULT_CHURN_GRACE_MS 30000
#define DEFAULT_QUIET_MS 2000

struct aa_health {
	int64_t ready_grace, churn_grace, quiet;
	int64_t t0;
	int seen_ready;			/* the ready marker was ever seen */
	int64_t last_ready;		/* when it was last seen */
	struct aa_health_screen last;	/* the last screen's flags */
	int64_t last_change;		/* when the screen last changed */
	int64_t churn_since;		/* start of the churn, or -1 */
	int active[AA_HEALTH_NCODES];
	char msg[AA_HEALTH_NCODES][160];
	struct aa_health_reason view[AA_HEALTH_NCODES];
	size_t nview;
};

static const char *const code_names[AA_HEALTH_NCODES] = {
	"ready_marker_missing",
	"echo_missing",
	"generic_fallback",
	"unknown_activity",
	"state_save_failed",
};

static int health_set(struct aa_health *, enum aa_health_code, int,
    const char *);
static void health_view(struct aa_health *);
static void health_cut_utf8(char *);
static int health_evaluate(struct aa_health *, int64_t);
static int64_t health_grace(int64_t, int64_t);

/* An option's value in ms: 0 means the default, < 0 means 0. */
static int64_t
health_grace(int64_t v, int64_t def)
{
	return v == 0 ? def : v < 0 ? 0 : v;
}

int
aa_health_new(struct aa_health **out, const struct aa_health_options *o,
    int64_t now_ms)
{
	struct aa_health *h;

	if (out == NULL)
		return AA_EINVAL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return AA_ENOMEM;
	h->ready_grace = health_grace(o != NULL ? o->ready_grace_ms : 0,
	    DEFAULT_READY_GRACE_MS);
	h->churn_grace = health_grace(o != NULL ? o->churn_grace_ms : 0,
	    DEFAULT_CHURN_GRACE_MS);
	h->quiet = health_grace(o != NULL ? o->quiet_ms : 0,
	    DEFAULT_QUIET_MS);
	h->t0 = h->last_change = now_ms;
	h->churn_since = -1;
	*out = h;
	return 0;
}

void
aa_health_free(struct aa_health *h)
{
	free(h);
}

/* Rebuilds the list of active reasons, in code order. */
static void
health_view(struct aa_health *h)
{
	size_t i;

	h->nview = 0;
	for (i = 0; i < AA_HEALTH_NCODES; i++) {
		if (!h->active[i])
			continue;
		h->view[h->nview].code = (enum aa_health_code)i;
		h->view[h->nview].name = code_names[i];
		h->view[h->nview].message = h->msg[i];
		h->nview++;
	}
}

/* Drops a UTF-8 sequence that a cut at the buffer's end left partial
 * (a save error quotes a path, which may be anything). */
static void
health_cut_utf8(char *s)
{
	size_t n = strlen(s), i = n, need;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

/* Turns reason c on (with msg) or off; 1 if that changed anything. */
static int
health_set(struct aa_health *h, enum aa_health_code c, int on,
    const char *msg)
{
	if (!on) {
		if (!h->active[c])
			return 0;
		h->active[c] = 0;
		health_view(h);
		return 1;
	}
	if (h->active[c] && strcmp(h->msg[c], msg) == 0)
		return 0;
	h->active[c] = 1;
	if ((size_t)snprintf(h->msg[c], sizeof(h->msg[c]), "%s", msg) >=
	    sizeof(h->msg[c]))
		health_cut_utf8(h->msg[c]);
	health_view(h);
	return 1;
}

/* Re-evaluates the two conditions about time; 1 if a reason changed. */
static int
health_evaluate(struct aa_health *h, int64_t now)
{
	char msg[160];
	int changed = 0, on = 0;

	/* The churn ends with a quiet gap, a busy marker or a new turn. */
	if (h->churn_since >= 0 && (now - h->last_change >= h->quiet ||
	    h->last.busy || !h->last.turn_over))
		h->churn_since = -1;
	msg[0] = '\0';
	if (h->last.ready) {
		on = 0;
	} else if (!h->seen_ready) {
		on = now - h->t0 >= h->ready_grace;
		snprintf(msg, sizeof(msg), "the agent's ready marker has not "
		    "been seen in the %lld s since start",
		    (long long)(h->ready_grace / 1000));
	} else {
		/* While it works, an agent may hide its input box. */
		on = h->last.turn_over && !h->last.busy &&
		    now - h->last_ready >= h->ready_grace;
		snprintf(msg, sizeof(msg), "the agent's input box has not been "
		    "seen for %lld s while it is idle",
		    (long long)(h->ready_grace / 1000));
	}
	changed |= health_set(h, AA_HEALTH_READY_MARKER_MISSING, on, msg);
	snprintf(msg, sizeof(msg), "the screen kept changing for %lld s after "
	    "the turn should have ended, with no known busy marker",
	    (long long)(h->churn_grace / 1000));
	changed |= health_set(h, AA_HEALTH_UNKNOWN_ACTIVITY,
	    h->churn_since >= 0 && now - h->churn_since >= h->churn_grace, msg);
	return changed;
}

int
aa_health_tick(struct aa_health *h, int64_t now_ms,
    const struct aa_health_screen *s)
{
	if (h == NULL || s == NULL)
		return AA_EINVAL;
	if (s->ready) {
		h->seen_ready = 1;
		h->last_ready = now_ms;
	}
	if (s->changed) {
		if (!s->turn_over || s->busy)
			h->churn_since = -1;
		else if (h->churn_since < 0 ||
		    now_ms - h->last_change >= h->quiet)
			h->churn_since = now_ms;
		h->last_change = now_ms;
	}
	h->last = *s;
	return health_evaluate(h, now_ms);
}

int
aa_health_advance(struct aa_health *h, int64_t now_ms)
{
	if (h == NULL)
		return AA_EINVAL;
	return health_evaluate(h, now_ms);
}

int64_t
aa_health_next_deadline(const struct aa_health *h)
{
	int64_t d = -1, t = -1;

	if (!h->last.ready && !h->active[AA_HEALTH_READY_MARKER_MISSING]) {
		if (!h->seen_ready)
			d = h->t0 + h->ready_grace;
		else if (h->last.turn_over && !h->last.busy)
			d = h->last_ready + h->ready_grace;
	}
	if (h->churn_since >= 0) {
		/* The quiet gap that ends the churn, or the grace. */
		t = h->last_change + h->quiet;
		if (!h->active[AA_HEALTH_UNKNOWN_ACTIVITY])
			t = AA__MIN(t, h->churn_since + h->churn_grace);
		d = d < 0 ? t : AA__MIN(d, t);
	}
	return d;
}

int
aa_health_turn(struct aa_health *h, int64_t now_ms,
    const struct aa_health_turn *t)
{
	int changed = 0;

	(void)now_ms;
	if (h == NULL || t == NULL)
		return AA_EINVAL;
	if (t->echo >= 0)
		changed |= health_set(h, AA_HEALTH_ECHO_MISSING, t->echo == 0,
		    "the echo of the last message sent was not found on the "
		    "screen, so the reply may begin with it");
	changed |= health_set(h, AA_HEALTH_GENERIC_FALLBACK, t->generic != 0,
	    "the last turn matched none of the agent's input-box rules; its "
	    "text was formatted generically");
	return changed;
}

int
aa_health_save(struct aa_health *h, const char *why)
{
	if (h == NULL)
		return AA_EINVAL;
	/* The store's own sentence ("saving state to X: ...") says it all. */
	return health_set(h, AA_HEALTH_SAVE_FAILED, why != NULL,
	    why != NULL ? why : "");
}

int
aa_health_ok(const struct aa_health *h)
{
	return h->nview == 0;
}

const char *
aa_health_name(const struct aa_health *h)
{
	return h->nview == 0 ? "ok" : "degraded";
}

size_t
aa_health_count(const struct aa_health *h)
{
	return h->nview;
}

const struct aa_health_reason *
aa_health_reason(const struct aa_health *h, size_t i)
{
	return i < h->nview ? &h->view[i] : NULL;
}

const char *
aa_health_code_name(enum aa_health_code c)
{
	return (unsigned)c < AA_HEALTH_NCODES ? code_names[c] : NULL;
}
