/*
 * host-store.c - the host's session list on disk: sessions.json under
 * --state-dir, written whole and crash-safely (aa_file_replace) whenever
 * the list changes, and read back at start so that a host started again
 * (after a clean stop or kill -9) brings its sessions back, each agent
 * relaunched with its type's resume flags (host-spec.c), or, for a type
 * without one, exited with its conversation (host.c, sess_spawn).
 *
 * The file is ours but read as untrusted: it is bounded (64 MiB), each
 * entry goes through the same checks as POST /sessions (with the state
 * file required), and an entry that fails them, or whose agent cannot be
 * started, is logged and left out rather than stopping the host.  The
 * initial prompt is never saved: it was sent once.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/list.h"
#include "base/log.h"
#include "host/host.h"
#include "host/host-private.h"

#define HOST_LIST_MAX (64 * 1024 * 1024)

/* The spec as saved in sessions.json. */
cJSON *
aa_host_spec_to_json(const struct hsess *hs)
{
	const struct hspec *sp = &hs->spec;
	cJSON *o = cJSON_CreateObject(), *a;

	if (o == NULL || cJSON_AddStringToObject(o, "id", hs->id) == NULL)
		goto fail;
	if (sp->name != NULL && cJSON_AddStringToObject(o, "name",
	    sp->name) == NULL)
		goto fail;
	if (sp->type != NULL && cJSON_AddStringToObject(o, "type",
	    sp->type) == NULL)
		goto fail;
	if ((a = cJSON_AddArrayToObject(o, "argv")) == NULL)
		goto fail;
	for (size_t i = 0; i < sp->argc; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(sp->argv[i])))
			goto fail;
	if (sp->cwd != NULL && cJSON_AddStringToObject(o, "cwd", sp->cwd) ==
	    NULL)
		goto fail;
	if (sp->env != NULL) {
		if ((a = cJSON_AddArrayToObject(o, "env")) == NULL)
			goto fail;
		for (size_t i = 0; i < sp->nenv; i++)
			if (!cJSON_AddItemToArray(a,
			    cJSON_CreateString(sp->env[i])))
				goto fail;
	}
	if (cJSON_AddNumberToObject(o, "term_width", sp->cols) == NULL ||
	    cJSON_AddNumberToObject(o, "term_height", sp->rows) == NULL ||
	    cJSON_AddStringToObject(o, "state_file", sp->state_file) ==
	    NULL ||
	    cJSON_AddBoolToObject(o, "own_state", sp->own_state) == NULL ||
	    cJSON_AddNumberToObject(o, "created", (double)sp->created_ns) ==
	    NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* Saves the session list, crash-safely (aa_file_replace). */
void
aa_host_save_list(struct aa_host *h)
{
	cJSON *o = cJSON_CreateObject(), *a;
	struct aa_list *it;
	char *text = NULL;
	int rc = AA_ENOMEM;

	if (o == NULL || cJSON_AddNumberToObject(o, "version", 1) == NULL ||
	    (a = cJSON_AddArrayToObject(o, "sessions")) == NULL)
		goto out;
	AA_LIST_FOREACH(it, &h->sessions) {
		cJSON *e = aa_host_spec_to_json(AA_LIST_ENTRY(it, struct hsess,
		    link));

		if (e == NULL || !cJSON_AddItemToArray(a, e))
			goto out;
	}
	if ((text = cJSON_PrintUnformatted(o)) == NULL)
		goto out;
	rc = aa_file_replace(h->list_path, text, strlen(text));
out:
	if (rc != 0)
		AA_LOG(&h->log, AA_LOG_ERROR, "saving the session list to "
		    "%s: %s", h->list_path, aa_strerror(rc));
	cJSON_free(text);
	cJSON_Delete(o);
}

/* Brings back the sessions of sessions.json. */
int
aa_host_load_list(struct aa_host *h, char **cause)
{
	struct aa_buf b;
	cJSON *o, *a, *e;
	int rc;

	aa_buf_init(&b);
	rc = aa_file_read_own(h->list_path, HOST_LIST_MAX, &b);
	if (rc == AA_ENOENT) {
		aa_buf_release(&b);
		return 0;
	}
	if (rc != 0) {
		aa_buf_release(&b);
		return aa__cause(cause, rc, "reading %s: %s", h->list_path,
		    aa_strerror(rc));
	}
	o = cJSON_ParseWithLength(b.data, b.len);
	aa_buf_release(&b);
	a = cJSON_GetObjectItemCaseSensitive(o, "sessions");
	if (o == NULL || !cJSON_IsArray(a) || !cJSON_IsNumber(
	    cJSON_GetObjectItemCaseSensitive(o, "version"))) {
		cJSON_Delete(o);
		return aa__cause(cause, AA_ECORRUPT, "%s: not a session list",
		    h->list_path);
	}
	cJSON_ArrayForEach(e, a) {
		const char *id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "id"));
		const char *why = NULL;
		char *scause = NULL;
		struct hsess *hs;

		if (h->nsessions >= h->max_sessions) {
			AA_LOG(&h->log, AA_LOG_ERROR, "more saved sessions "
			    "than --max-sessions; the rest are left out");
			break;
		}
		if ((hs = calloc(1, sizeof(*hs))) == NULL)
			break;
		hs->host = h;
		if (id == NULL || strlen(id) != HOST_ID_LEN ||
		    strspn(id, "0123456789abcdef") != HOST_ID_LEN ||
		    aa_host_spec_from_json(e, 1, &hs->spec, &why) != 0) {
			AA_LOG(&h->log, AA_LOG_ERROR, "saved session %s left "
			    "out: %s", id != NULL && aa_host_plain_string(id, 64) ?
			    id : "?", why != NULL ? why : "bad id");
			free(hs);
			continue;
		}
		memcpy(hs->id, id, HOST_ID_LEN + 1);
		if ((rc = aa_host_sess_start(h, hs, 1, &scause)) != 0) {
			AA_LOG(&h->log, AA_LOG_ERROR, "session %s could not "
			    "be brought back: %s", hs->id, scause != NULL ?
			    scause : aa_strerror(rc));
			free(scause);
			aa_host_sess_free(hs);
			continue;
		}
		aa_list_insert_tail(&h->sessions, &hs->link);
		h->nsessions++;
		if (hs->exited)
			AA_LOG(&h->log, AA_LOG_INFO, "session %s brought back "
			    "exited: its type has no resume flag (POST "
			    "/sessions/%s/restart starts it afresh)", hs->id,
			    hs->id);
		else
			AA_LOG(&h->log, AA_LOG_INFO, "session %s brought back",
			    hs->id);
	}
	cJSON_Delete(o);
	return 0;
}
