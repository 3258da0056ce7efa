/*
 * keys.c - the named-key table (see keys.h).
 */
#include <stdio.h>
#include <string.h>

#include "agentapi.h"
#include "base/aa-internal.h"
#include "core/keys.h"

struct key {
	const char *name;
	const char *seq;      /* normal mode */
	const char *app;      /* cursor-key application mode, or NULL */
};

static const struct key keys[] = {
	{ "enter", "\r", NULL },
	{ "esc", "\x1b", NULL },
	{ "tab", "\t", NULL },
	{ "shift-tab", "\x1b[Z", NULL },
	{ "backspace", "\x7f", NULL },
	{ "delete", "\x1b[3~", NULL },
	{ "insert", "\x1b[2~", NULL },
	{ "space", " ", NULL },
	{ "up", "\x1b[A", "\x1bOA" },
	{ "down", "\x1b[B", "\x1bOB" },
	{ "right", "\x1b[C", "\x1bOC" },
	{ "left", "\x1b[D", "\x1bOD" },
	{ "home", "\x1b[H", "\x1bOH" },
	{ "end", "\x1b[F", "\x1bOF" },
	{ "page-up", "\x1b[5~", NULL },
	{ "page-down", "\x1b[6~", NULL },
	{ "f1", "\x1bOP", NULL },
	{ "f2", "\x1bOQ", NULL },
	{ "f3", "\x1bOR", NULL },
	{ "f4", "\x1bOS", NULL },
	{ "f5", "\x1b[15~", NULL },
	{ "f6", "\x1b[17~", NULL },
	{ "f7", "\x1b[18~", NULL },
	{ "f8", "\x1b[19~", NULL },
	{ "f9", "\x1b[20~", NULL },
	{ "f10", "\x1b[21~", NULL },
	{ "f11", "\x1b[23~", NULL },
	{ "f12", "\x1b[24~", NULL },
};

int
aa_keys_encode(const char *name, int app_cursor, struct aa_buf *out)
{
	size_t i;

	/* ctrl-a .. ctrl-z: the letter's position, 0x01 .. 0x1a. */
	if (strncmp(name, "ctrl-", 5) == 0 && name[5] >= 'a' &&
	    name[5] <= 'z' && name[6] == '\0')
		return aa_buf_putc(out, (char)(name[5] - 'a' + 1));
	for (i = 0; i < AA__ARRAY_SIZE(keys); i++) {
		if (strcmp(keys[i].name, name) != 0)
			continue;
		return aa_buf_puts(out, app_cursor && keys[i].app != NULL ?
		    keys[i].app : keys[i].seq);
	}
	return AA_ENOENT;
}

int
aa_keys_names(struct aa_buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < AA__ARRAY_SIZE(keys); i++)
		rc = aa_buf_printf(out, "%s%s", i > 0 ? ", " : "",
		    keys[i].name);
	return rc != 0 ? rc : aa_buf_puts(out, ", ctrl-a ... ctrl-z");
}
