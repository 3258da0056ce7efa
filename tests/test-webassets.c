/*
 * test-webassets.c - the embedded asset table (src/webassets.h) generated
 * from web/ and schemas/ by tools/embed.c: every source file is there
 * byte for byte, with its content type, a well-formed ETag and, where
 * present, a gzip body that really decompresses to the same bytes.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#include "api/webassets.h"

/* Checks every regular file of one source directory against the table. */
static int
check_dir(const char *dir)
{
	char path[1024], rel[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", test_top(), dir);
	d = opendir(path);
	ASSERT_NOT_NULL(d);
	while ((de = readdir(d)) != NULL) {
		const struct aa_asset *a;
		size_t len;
		char *data;

		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, de->d_name);
		snprintf(path, sizeof(path), "%s/%s", test_top(), rel);
		data = test_read_file(path, &len);
		a = aa_asset_find(rel);
		if (a == NULL)
			test_fail(__FILE__, __LINE__, "%s is not embedded "
			    "(rebuild?)", rel);
		ASSERT_STR_EQ(a->path, rel);
		ASSERT_MEM_EQ(a->data, a->len, data, len);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

TEST(webassets_every_file_embedded)
{
	ASSERT_GE(check_dir("web"), 5);
	ASSERT_GE(check_dir("schemas"), 11);
}

TEST(webassets_lookup)
{
	const struct aa_asset *a;

	a = aa_asset_find("web/index.html");
	ASSERT_NOT_NULL(a);
	ASSERT_STR_EQ(a->type, "text/html; charset=utf-8");
	ASSERT_STR_EQ(aa_asset_find("web/chat.js")->type,
	    "text/javascript; charset=utf-8");
	ASSERT_STR_EQ(aa_asset_find("web/chat.css")->type,
	    "text/css; charset=utf-8");
	ASSERT_STR_EQ(aa_asset_find("schemas/openapi.json")->type,
	    "application/json");
	ASSERT_NOT_NULL(aa_asset_find("web/docs.html"));
	ASSERT_NULL(aa_asset_find("index.html"));
	ASSERT_NULL(aa_asset_find("/web/index.html"));
	ASSERT_NULL(aa_asset_find("web/../web/index.html"));
	ASSERT_NULL(aa_asset_find(""));
	ASSERT_NULL(aa_asset_find(NULL));
}

TEST(webassets_sorted_with_etags)
{
	const struct aa_asset *a, *prev = NULL;
	size_t i, k;

	for (i = 0; (a = aa_asset_at(i)) != NULL; i++) {
		if (prev != NULL)
			ASSERT_LT(strcmp(prev->path, a->path), 0);
		ASSERT_EQ(strlen(a->etag), 18);
		ASSERT_EQ(a->etag[0], '"');
		ASSERT_EQ(a->etag[17], '"');
		for (k = 1; k < 17; k++)
			ASSERT(strchr("0123456789abcdef", a->etag[k]) != NULL);
		ASSERT(aa_asset_find(a->path) == a);
		prev = a;
	}
	ASSERT_GE(i, 16);
	/* Different content, different tag. */
	ASSERT(strcmp(aa_asset_find("web/chat.js")->etag,
	    aa_asset_find("web/chat.css")->etag) != 0);
}

TEST(webassets_gzip_round_trips)
{
	const struct aa_asset *a;
	char tmpl[] = "/tmp/aa-gz-XXXXXX", cmd[256], *out;
	size_t i, len, ngz = 0;
	FILE *f;
	int fd;

	for (i = 0; (a = aa_asset_at(i)) != NULL; i++) {
		if (a->gz == NULL)
			continue;
		ngz++;
		ASSERT_LT(a->gzlen, a->len);
		ASSERT(a->gz[0] == 0x1f && a->gz[1] == 0x8b);
		fd = mkstemp(tmpl);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(write(fd, a->gz, a->gzlen), (ssize_t)a->gzlen);
		close(fd);
		snprintf(cmd, sizeof(cmd), "gzip -dc < %s", tmpl);
		f = popen(cmd, "r");
		ASSERT_NOT_NULL(f);
		out = malloc(a->len + 2);
		ASSERT_NOT_NULL(out);
		len = fread(out, 1, a->len + 2, f);
		ASSERT_EQ(pclose(f), 0);
		unlink(tmpl);
		memcpy(tmpl + strlen(tmpl) - 6, "XXXXXX", 6);
		ASSERT_MEM_EQ(out, len, a->data, a->len);
		free(out);
	}
	/* The big text files must have a compressed variant. */
	ASSERT_NOT_NULL(aa_asset_find("web/chat.js")->gz);
	ASSERT_NOT_NULL(aa_asset_find("schemas/openapi.json")->gz);
	ASSERT_GE(ngz, 5);
}
