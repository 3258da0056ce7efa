/*
 * state.c - the state file's codec: Go-exact encoding and lenient
 * decoding (../shared/spec/core.md §5, http.md §11).  Pure: the file is
 * read and written by the runtime through base/fileio.c.
 *
 * Encoding is done by hand because the bytes must match Go's encoder:
 * compact, fields in declaration order, "\n" at the end, strings escaped
 * with Go's rules (short escapes for \b \f \n \r \t, \u00XX for the other
 * controls, \u003c \u003e \u0026 for HTML characters, \u2028 \u2029, and
 * \ufffd for each invalid UTF-8 byte).  Decoding uses cJSON and then walks
 * the tree the way Go's decoder fills a struct: keys match exactly or
 * case-insensitively (with Go's two non-ASCII folds, U+017F for "s" and
 * U+212A for "k"), the last duplicate wins, null leaves the zero value,
 * a type mismatch fails the whole decode.  Deliberately stricter than Go:
 * a role other than "agent"/"user" and a "\u0000" escape (which cJSON
 * would silently truncate at) are reported as corruption rather than
 * loaded wrong, and times outside 1677..2262 are refused.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "core/state.h"
#include "base/text.h"
#include "base/timefmt.h"

#define STATE_CORRUPT "failed to unmarshal state (corrupted or invalid JSON): "

static int key_is(const char *key, const char *name);
static const char *json_type(const cJSON *j);
static int set_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int type_error(char **cause, const cJSON *j, const char *field,
    const char *type);
static int get_int(const cJSON *j, const char *field, int64_t *out,
    char **cause);
static int get_string(const cJSON *j, const char *field, char **out,
    size_t *lenp, char **cause);
static const char *state_role_name(enum aa_role r);
static int decode_message(const cJSON *j, struct aa_message *m,
    char **cause);
static int decode_messages(struct aa_message **vp, size_t *np,
    const cJSON *arr, const char *name, char **cause);
static int decode_root(struct aa_state *st, const cJSON *root, char **cause);
static int encode_list(struct aa_buf *out, const struct aa_message *v,
    size_t n, int utc);
static int has_nul_escape(const char *s, size_t n);
static void free_messages(struct aa_message *msgs, size_t n);

int
aa_state_quote(struct aa_buf *out, const char *s, size_t n, int html)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, start = 0, k;
	uint32_t cp;
	char esc[7];
	int rc = aa_buf_putc(out, '"');

	while (rc == 0 && i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;

		k = 1;
		if (c >= 0x80) {
			k = aa_utf8_decode(s + i, n - i, &cp);
			if (cp == AA_UTF8_REPLACEMENT && k == 1)
				e = "\\ufffd";
			else if (cp == 0x2028)
				e = "\\u2028";
			else if (cp == 0x2029)
				e = "\\u2029";
		} else if (c == '"')
			e = "\\\"";
		else if (c == '\\')
			e = "\\\\";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\r')
			e = "\\r";
		else if (c == '\t')
			e = "\\t";
		else if (c == '\b')
			e = "\\b";
		else if (c == '\f')
			e = "\\f";
		else if (c < 0x20 || (html && (c == '<' || c == '>' ||
		    c == '&'))) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc[6] = '\0';
			e = esc;
		}
		if (e != NULL) {
			rc = aa_buf_append(out, s + start, i - start);
			if (rc == 0)
				rc = aa_buf_puts(out, e);
			start = i + k;
		}
		i += k;
	}
	if (rc == 0)
		rc = aa_buf_append(out, s + start, n - start);
	return rc == 0 ? aa_buf_putc(out, '"') : rc;
}

/* Appends the elements of a messages-shaped array (no brackets). */
static int
encode_list(struct aa_buf *out, const struct aa_message *v, size_t n,
    int utc)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		const struct aa_message *m = &v[i];

		rc = aa_buf_printf(out, "%s{\"id\":%lld,\"message\":",
		    i > 0 ? "," : "", (long long)m->id);
		if (rc == 0)
			rc = aa_state_quote(out, m->text, m->len, 1);
		if (rc == 0)
			rc = aa_buf_printf(out, ",\"role\":\"%s\",\"time\":\"",
			    state_role_name(m->role));
		if (rc == 0)
			rc = aa_time_format(out, m->time_ns, utc);
		if (rc == 0)
			rc = aa_buf_puts(out, "\"}");
	}
	return rc;
}

int
aa_state_encode(struct aa_buf *out, const struct aa_state *st, int utc)
{
	int rc;

	rc = aa_buf_printf(out, "{\"version\":%d,\"messages\":[",
	    AA_STATE_VERSION);
	if (rc == 0)
		rc = encode_list(out, st->msgs, st->n, utc);
	if (rc == 0)
		rc = aa_buf_puts(out, "],\"initial_prompt\":");
	if (rc == 0)
		rc = aa_state_quote(out, st->prompt != NULL ? st->prompt : "",
		    st->prompt != NULL ? st->prompt_len : 0, 1);
	if (rc == 0)
		rc = aa_buf_printf(out, ",\"initial_prompt_sent\":%s",
		    st->prompt_sent ? "true" : "false");
	/* Ours, after upstream's fields and only when there is a queue, so
	 * a file without one is upstream's bytes and upstream reads either
	 * (Go's decoder ignores an unknown key). */
	if (rc == 0 && st->nqueue > 0) {
		rc = aa_buf_puts(out, ",\"queue\":[");
		if (rc == 0)
			rc = encode_list(out, st->queue, st->nqueue, utc);
		if (rc == 0)
			rc = aa_buf_putc(out, ']');
	}
	return rc == 0 ? aa_buf_puts(out, "}\n") : rc;
}

/* Go's field matching: exact, else case-insensitive with its folds. */
static int
key_is(const char *key, const char *name)
{
	const unsigned char *k = (const unsigned char *)key;

	if (key == NULL)
		return 0;
	for (; *name != '\0'; name++) {
		int want = *name;
		int c = *k >= 'A' && *k <= 'Z' ? *k + 32 : *k;

		if (c != '\0' && c == want) {
			k++;
		} else if (want == 's' && k[0] == 0xc5 && k[1] == 0xbf) {
			k += 2; /* U+017F LATIN SMALL LETTER LONG S */
		} else if (want == 'k' && k[0] == 0xe2 && k[1] == 0x84 &&
		    k[2] == 0xaa) {
			k += 3; /* U+212A KELVIN SIGN */
		} else
			return 0;
	}
	return *k == '\0';
}

/* Names a JSON value's type the way Go's errors do. */
static const char *
json_type(const cJSON *j)
{
	if (cJSON_IsBool(j))
		return "bool";
	if (cJSON_IsNumber(j))
		return "number";
	if (cJSON_IsString(j))
		return "string";
	if (cJSON_IsArray(j))
		return "array";
	if (cJSON_IsObject(j))
		return "object";
	return "value";
}

/* Formats a decode failure into *cause (if wanted); returns AA_ECORRUPT. */
static int
set_cause(char **cause, const char *fmt, ...)
{
	struct aa_buf b;
	va_list ap;

	if (cause == NULL)
		return AA_ECORRUPT;
	aa_buf_init(&b);
	va_start(ap, fmt);
	if (aa_buf_vprintf(&b, fmt, ap) != 0) {
		va_end(ap);
		aa_buf_release(&b);
		return AA_ENOMEM;
	}
	va_end(ap);
	free(*cause);
	*cause = aa_buf_steal(&b, NULL);
	return AA_ECORRUPT;
}

/* Reports a JSON value of the wrong type for a field. */
static int
type_error(char **cause, const cJSON *j, const char *field, const char *type)
{
	return set_cause(cause,
	    STATE_CORRUPT "json: cannot unmarshal %s into field %s of type %s",
	    json_type(j), field, type);
}

/* Reads an integer field (null leaves *out alone). */
static int
get_int(const cJSON *j, const char *field, int64_t *out, char **cause)
{
	double d;

	if (cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsNumber(j))
		return type_error(cause, j, field, "int");
	/* cJSON keeps doubles only: accept integral values Go's int holds
	 * exactly (a "1.0" that Go would refuse is taken as 1). */
	d = j->valuedouble;
	if (d != floor(d) || fabs(d) > 9007199254740992.0)
		return set_cause(cause, STATE_CORRUPT "json: cannot unmarshal "
		    "number %g into field %s of type int", d, field);
	*out = (int64_t)d;
	return 0;
}

/* Reads a string field as sanitized UTF-8 (null leaves *out alone). */
static int
get_string(const cJSON *j, const char *field, char **out, size_t *lenp,
    char **cause)
{
	struct aa_buf b;

	if (cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsString(j) || j->valuestring == NULL)
		return type_error(cause, j, field, "string");
	aa_buf_init(&b);
	/* Go replaces invalid UTF-8 in decoded strings with U+FFFD. */
	if (aa_utf8_sanitize(&b, j->valuestring, strlen(j->valuestring)) != 0)
		return AA_ENOMEM;
	free(*out);
	*out = aa_buf_steal(&b, lenp);
	return *out != NULL ? 0 : AA_ENOMEM;
}

/* Decodes one element of "messages" into the zeroed m. */
static int
decode_message(const cJSON *j, struct aa_message *m, char **cause)
{
	const cJSON *f;
	char *text = NULL, *role = NULL;
	size_t len = 0, rlen;
	int rc = 0;

	m->time_ns = AA_TIME_ZERO;
	if (cJSON_IsNull(j))
		j = NULL; /* a zero message: fails the role check below */
	else if (!cJSON_IsObject(j))
		return type_error(cause, j, "messages", "Message");
	for (f = j != NULL ? j->child : NULL; rc == 0 && f != NULL;
	    f = f->next) {
		if (key_is(f->string, "id")) {
			rc = get_int(f, "id", &m->id, cause);
		} else if (key_is(f->string, "message")) {
			rc = get_string(f, "message", &text, &len, cause);
		} else if (key_is(f->string, "role")) {
			rc = get_string(f, "role", &role, &rlen, cause);
		} else if (key_is(f->string, "time") && !cJSON_IsNull(f)) {
			if (!cJSON_IsString(f))
				rc = type_error(cause, f, "time", "Time");
			else if (aa_time_parse(f->valuestring,
			    strlen(f->valuestring), &m->time_ns) != 0)
				rc = set_cause(cause, STATE_CORRUPT
				    "parsing time \"%s\": not RFC 3339 in "
				    "1678..2261", f->valuestring);
		}
	}
	if (rc == 0 && role != NULL && strcmp(role, "agent") == 0)
		m->role = AA_ROLE_AGENT;
	else if (rc == 0 && role != NULL && strcmp(role, "user") == 0)
		m->role = AA_ROLE_USER;
	else if (rc == 0)
		rc = set_cause(cause, STATE_CORRUPT "message role \"%s\" is "
		    "neither \"agent\" nor \"user\"", role != NULL ? role : "");
	free(role);
	if (rc == 0 && text == NULL)
		text = strdup("");
	if (rc == 0 && text == NULL)
		rc = AA_ENOMEM;
	if (rc != 0) {
		free(text);
		return rc;
	}
	m->text = text;
	m->len = len;
	return 0;
}

/* Decodes "messages" (or "queue") into *vp, *np, replacing any earlier
 * (duplicate-key) value. */
static int
decode_messages(struct aa_message **vp, size_t *np, const cJSON *arr,
    const char *name, char **cause)
{
	struct aa_message *msgs;
	const cJSON *e;
	size_t n = 0, i = 0;
	int rc = 0;

	if (!cJSON_IsNull(arr) && !cJSON_IsArray(arr))
		return type_error(cause, arr, name, "[]Message");
	free_messages(*vp, *np);
	*vp = NULL;
	*np = 0;
	if (cJSON_IsNull(arr))
		return 0; /* Go decodes null into a nil slice: no messages */
	for (e = arr->child; e != NULL; e = e->next)
		n++;
	if (n == 0)
		return 0;
	msgs = calloc(n, sizeof(*msgs));
	if (msgs == NULL)
		return AA_ENOMEM;
	for (e = arr->child; rc == 0 && e != NULL; e = e->next, i++)
		rc = decode_message(e, &msgs[i], cause);
	if (rc != 0) {
		free_messages(msgs, n); /* untouched entries are zero */
		return rc;
	}
	*vp = msgs;
	*np = n;
	return 0;
}

/* Fills st from the parsed top-level value. */
static int
decode_root(struct aa_state *st, const cJSON *root, char **cause)
{
	const cJSON *f;
	char *prompt = NULL;
	int rc = 0;

	if (cJSON_IsNull(root))
		return 0; /* all zero values: fails the version check */
	if (!cJSON_IsObject(root))
		return type_error(cause, root, "(root)", "AgentState");
	for (f = root->child; rc == 0 && f != NULL; f = f->next) {
		if (key_is(f->string, "version")) {
			rc = get_int(f, "version", &st->version, cause);
		} else if (key_is(f->string, "messages")) {
			rc = decode_messages(&st->msgs, &st->n, f,
			    "messages", cause);
		} else if (key_is(f->string, "queue")) {
			rc = decode_messages(&st->queue, &st->nqueue, f,
			    "queue", cause);
		} else if (key_is(f->string, "initial_prompt")) {
			rc = get_string(f, "initial_prompt", &prompt,
			    &st->prompt_len, cause);
			st->prompt = prompt;
		} else if (key_is(f->string, "initial_prompt_sent") &&
		    !cJSON_IsNull(f)) {
			if (!cJSON_IsBool(f))
				rc = type_error(cause, f,
				    "initial_prompt_sent", "bool");
			else
				st->prompt_sent = cJSON_IsTrue(f);
		}
	}
	return rc;
}

/* Returns non-zero if a string escape \u0000 occurs (cJSON truncates). */
static int
has_nul_escape(const char *s, size_t n)
{
	size_t i, bs = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\') {
			bs++;
			continue;
		}
		if (s[i] == 'u' && bs % 2 == 1 && n - i >= 5 &&
		    memcmp(s + i + 1, "0000", 4) == 0)
			return 1;
		bs = 0;
	}
	return 0;
}

int
aa_state_decode(struct aa_state *st, const char *json, size_t len,
    char **cause)
{
	const char *end = NULL;
	cJSON *root;
	size_t i;
	int rc;

	memset(st, 0, sizeof(*st));
	if (cause != NULL)
		*cause = NULL;
	if (len > AA_STATE_MAX_BYTES)
		return set_cause(cause, STATE_CORRUPT "file larger than %zu "
		    "bytes", AA_STATE_MAX_BYTES);
	for (i = 0; i < len && aa_is_ws6((unsigned char)json[i]); i++)
		;
	if (i == len)
		return set_cause(cause, STATE_CORRUPT
		    "unexpected end of JSON input");
	if (has_nul_escape(json, len))
		return set_cause(cause, STATE_CORRUPT "\\u0000 in a string is "
		    "not supported");
	/* Only the first value counts (Go's Decoder); trailing bytes don't. */
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (root == NULL)
		return set_cause(cause, STATE_CORRUPT "invalid JSON at byte "
		    "%zu", end != NULL && end >= json ? (size_t)(end - json) :
		    (size_t)0);
	rc = decode_root(st, root, cause);
	cJSON_Delete(root);
	if (rc == 0 && st->version != AA_STATE_VERSION) {
		rc = set_cause(cause, "unsupported state file version %lld "
		    "(expected %d)", (long long)st->version, AA_STATE_VERSION);
		if (rc == AA_ECORRUPT)
			rc = AA_EVERSION;
	}
	if (rc != 0)
		aa_state_release(st);
	return rc;
}

/* Frees n decoded messages and their array. */
static void
free_messages(struct aa_message *msgs, size_t n)
{
	size_t i;

	for (i = 0; msgs != NULL && i < n; i++)
		free((void *)(uintptr_t)msgs[i].text);
	free(msgs);
}

void
aa_state_release(struct aa_state *st)
{
	free_messages(st->msgs, st->n);
	free_messages(st->queue, st->nqueue);
	free((void *)(uintptr_t)st->prompt);
	memset(st, 0, sizeof(*st));
}

/* The file's role names (core.md §5), which are also the API's. */
static const char *
state_role_name(enum aa_role r)
{
	return r == AA_ROLE_USER ? "user" : "agent";
}
