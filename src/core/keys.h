/*
 * keys.h - aa_keys: named keys ("enter", "shift-tab", "ctrl-c", "f5")
 * turned into the bytes a terminal sends for them.
 *
 * The encodings are xterm's, which every TUI we host reads: CSI for the
 * cursor and editing keys, SS3 for F1-F4, CSI n ~ for F5-F12.  When the
 * TUI has switched the cursor keys to application mode (DECCKM, "?1h"),
 * the arrows, Home and End are sent as SS3, as a real terminal would.
 * Names are matched exactly (lower case); the table in keys.c is the one
 * list, and aa_keys_names() prints it for error messages.
 */
#ifndef AA_KEYS_H
#define AA_KEYS_H

#include "base/buf.h"

/* Longest key name, with its NUL. */
#define AA_KEYS_NAME_MAX 16

/* Appends the bytes of key `name` to out; AA_ENOENT for an unknown name. */
int aa_keys_encode(const char *name, int app_cursor, struct aa_buf *out);
/* Appends every valid name, comma-separated, to out. */
int aa_keys_names(struct aa_buf *out);

#endif /* AA_KEYS_H */
