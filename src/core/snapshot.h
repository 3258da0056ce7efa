/*
 * snapshot.h - aa_snapshot, the screen diff of ../shared/spec/core.md §3:
 * which part of the current screen is the agent's latest output.
 *
 * Pure code: two screen texts in, a substring of the newer one out.
 */
#ifndef AA_SNAPSHOT_H
#define AA_SNAPSHOT_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Appends to out the lines of cur from the first one that appears nowhere
 * in old down to the bottom, without leading and trailing blank lines
 * (§3).  skip is the number of header lines the agent's screen starts
 * with (aa_agent_diff_skip; 0 for most agents).  Returns 0 or AA_ENOMEM.
 */
int aa_snapshot_diff(const char *old, size_t oldlen, const char *cur,
    size_t curlen, size_t skip, struct aa_buf *out);

#endif /* AA_SNAPSHOT_H */
