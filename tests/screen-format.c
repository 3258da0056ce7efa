/*
 * screen-format.c - a developer tool: turns two captured screens (before
 * and after a turn) into a format vector the way the conversation does:
 * the screen diff (§3) is msg.txt, the prompt is user.txt and the agent's
 * formatting of them (§4.4) is printed, to be checked by eye and saved as
 * expected.txt.  Trailing spaces are dropped from the screens first, as
 * agentapi-c's screen text has none.
 *
 * Usage: screen-format AGENT BEFORE AFTER USER OUTDIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agent.h"
#include "base/buf.h"
#include "core/snapshot.h"

/* Reads a file without the trailing spaces of its lines; exits on error. */
static void
slurp(const char *path, struct aa_buf *out)
{
	FILE *f = fopen(path, "r");
	char line[65536];
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		n = strcspn(line, "\n");
		while (n > 0 && line[n - 1] == ' ')
			n--;
		if (aa_buf_append(out, line, n) < 0 ||
		    aa_buf_putc(out, '\n') < 0)
			exit(1);
	}
	fclose(f);
}

/* Writes len bytes of s to dir/name; exits on error. */
static void
spit(const char *dir, const char *name, const char *s, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(s, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	const struct aa_agent *a;
	struct aa_buf before, after, msg, out;

	if (argc != 6) {
		fprintf(stderr, "usage: screen-format AGENT BEFORE AFTER "
		    "USER OUTDIR\n");
		return 2;
	}
	if ((a = aa_agent_find(argv[1])) == NULL) {
		fprintf(stderr, "unknown agent %s\n", argv[1]);
		return 2;
	}
	aa_buf_init(&before);
	aa_buf_init(&after);
	aa_buf_init(&msg);
	aa_buf_init(&out);
	slurp(argv[2], &before);
	slurp(argv[3], &after);
	if (aa_snapshot_diff(before.data, before.len, after.data, after.len,
	    aa_agent_diff_skip(a), &msg) < 0 || aa_buf_append(&msg, "", 0) < 0)
		return 1;
	if (aa_agent_format(a, msg.data, msg.len, argv[4], strlen(argv[4]),
	    &out, NULL) < 0)
		return 1;
	spit(argv[5], "msg.txt", msg.data, msg.len);
	spit(argv[5], "user.txt", argv[4], strlen(argv[4]));
	fwrite(out.data, 1, out.len, stdout);
	aa_buf_release(&before);
	aa_buf_release(&after);
	aa_buf_release(&msg);
	aa_buf_release(&out);
	return 0;
}
