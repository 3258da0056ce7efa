/*
 * replay.c - runs a fuzz target's entry point on committed inputs.
 *
 * Built with the ordinary compiler (no libFuzzer), linked with one
 * tests/fuzz/fuzz-<name>.c, it feeds LLVMFuzzerTestOneInput every file in
 * tests/fuzz/regression/<name>/ and tests/fuzz/corpus/<name>/, so crash
 * reproducers are replayed by every `make test`.  One case per file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the fuzz entry point. */
static void
replay_one(void *arg)
{
	size_t len;
	char *data = test_read_file((const char *)arg, &len);

	ASSERT_NOT_NULL(data);
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
}

/* Registers every file of one folder. */
static void
add_dir(const char *kind, const char *name)
{
	char dir[4096], *path, *tname;
	struct dirent **ents;
	int n, i;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s/%s", test_top(), kind,
	    name);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			if (asprintf(&path, "%s/%s", dir, ents[i]->d_name) < 0 ||
			    asprintf(&tname, "replay_%s_%s/%s", name, kind,
				ents[i]->d_name) < 0)
				abort();
			test_add(tname, replay_one, path);
			free(tname);
		}
		free(ents[i]);
	}
	free(ents);
}

TEST_GENERATOR(replay)
{
	/* The binary is named replay-<target>. */
	const char *dash = strchr(program_invocation_short_name, '-');
	const char *name = dash != NULL ? dash + 1 : "";

	add_dir("regression", name);
	add_dir("corpus", name);
}

/* Always-present case: the empty input must not crash either. */
TEST(replay_empty_input)
{
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
}
