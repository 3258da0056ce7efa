/*
 * test-multipart.c - the streaming multipart/form-data parser and the
 * upload file-name rule.
 */
#include "test.h"

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/multipart.h"

/* Records every callback as text: "[name|file|ctype]data<end>". */
struct rec {
	struct aa_buf log;
	int parts;
	size_t bytes;
	int stop_at_data;
};

static int
r_begin(void *arg, const char *name, const char *file, const char *ct)
{
	struct rec *r = arg;

	r->parts++;
	aa_buf_printf(&r->log, "[%s|%s|%s]", name, file ? file : "-",
	    ct ? ct : "-");
	return 0;
}

static int
r_data(void *arg, const char *p, size_t n)
{
	struct rec *r = arg;

	r->bytes += n;
	if (r->stop_at_data)
		return 1;
	if (r->log.len < 4096)
		aa_buf_append(&r->log, p, n);
	return 0;
}

static int
r_end(void *arg)
{
	struct rec *r = arg;

	aa_buf_puts(&r->log, "<end>");
	return 0;
}

static const struct aa_multipart_cbs cbs = { r_begin, r_data, r_end };

static const char ct[] = "multipart/form-data; boundary=XyZ";
static const char body[] =
    "preamble ignored\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"field\"\r\n"
    "\r\n"
    "value\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; "
    "filename=\"a \\\"q\\\" b.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line1\r\n--Xy not yet\r\r\n-\r\n"
    "--XyZ--\r\n"
    "epilogue";
static const char expect[] =
    "[field|-|-]value<end>"
    "[file|a \"q\" b.txt|text/plain]line1\r\n--Xy not yet\r\r\n-<end>";

/* Runs the parser over body in pieces of step bytes. */
static int
parse_steps(struct rec *r, const char *b, size_t n, size_t step)
{
	struct aa_multipart m;
	size_t off;
	int rc;

	aa_buf_init(&r->log);
	r->parts = 0;
	r->bytes = 0;
	if ((rc = aa_multipart_init(&m, ct, &cbs, r)) != 0)
		return rc;
	for (off = 0; off < n; off += step)
		if ((rc = aa_multipart_feed(&m, b + off,
		    AA__MIN(step, n - off))) != 0)
			return rc;
	return aa_multipart_finish(&m);
}

TEST(multipart_well_formed)
{
	struct rec r = { 0 };

	ASSERT_EQ(parse_steps(&r, body, sizeof(body) - 1, sizeof(body)), 0);
	ASSERT_STR_EQ(aa_buf_str(&r.log), expect);
	ASSERT_EQ(r.parts, 2);
	aa_buf_release(&r.log);
}

TEST(multipart_split_at_every_byte)
{
	size_t split;

	for (split = 1; split < sizeof(body) - 1; split++) {
		struct rec r = { 0 };
		struct aa_multipart m;

		aa_buf_init(&r.log);
		ASSERT_EQ(aa_multipart_init(&m, ct, &cbs, &r), 0);
		ASSERT_EQ(aa_multipart_feed(&m, body, split), 0);
		ASSERT_EQ(aa_multipart_feed(&m, body + split,
		    sizeof(body) - 1 - split), 0);
		ASSERT_EQ(aa_multipart_finish(&m), 0);
		ASSERT_STR_EQ(aa_buf_str(&r.log), expect);
		aa_buf_release(&r.log);
	}
	{
		struct rec r = { 0 };

		ASSERT_EQ(parse_steps(&r, body, sizeof(body) - 1, 1), 0);
		ASSERT_STR_EQ(aa_buf_str(&r.log), expect);
		aa_buf_release(&r.log);
	}
}

TEST(multipart_missing_or_bad_boundary)
{
	static const char *const bad[] = {
		NULL, "", "application/json", "multipart/form-data",
		"multipart/form-data; boundary=", "multipart/mixed; boundary=a",
		"multipart/form-data; boundary=\"a\rb\"",
		"multipart/form-data; boundary=12345678901234567890123456789012"
		"345678901234567890123456789012345678901",
	};
	char b[80];
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(bad); i++)
		ASSERT_EQ(aa_multipart_boundary(bad[i], b, sizeof(b)),
		    AA_EINVAL);
	ASSERT_EQ(aa_multipart_boundary("Multipart/Form-Data; charset=x; "
	    "boundary=\"----WebKit 123\"", b, sizeof(b)), 0);
	ASSERT_STR_EQ(b, "----WebKit 123");
}

TEST(multipart_unterminated_and_malformed)
{
	static const char *const cases[] = {
		"--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc",
		"--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n",
		"--XyZ\r\n\r\nno headers\r\n--XyZ--",
		"--XyZ\r\nbroken header line\r\n\r\nx\r\n--XyZ--",
		"--XyZx\r\n",
		"--XyZ-x",
		"",
		"no delimiter at all",
	};
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(cases); i++) {
		struct rec r = { 0 };

		ASSERT_EQ(parse_steps(&r, cases[i], strlen(cases[i]), 3),
		    AA_EINVAL);
		aa_buf_release(&r.log);
	}
}

TEST(multipart_header_too_large)
{
	struct aa_buf b;
	struct rec r = { 0 };
	int i;

	aa_buf_init(&b);
	aa_buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n");
	for (i = 0; i < 1000; i++)
		aa_buf_puts(&b, "X-Pad: 0123456789\r\n");
	aa_buf_puts(&b, "\r\nx\r\n--XyZ--");
	ASSERT_EQ(parse_steps(&r, b.data, b.len, 100), AA_EINVAL);
	ASSERT_EQ(r.parts, 0);
	aa_buf_release(&b);
	aa_buf_release(&r.log);
}

TEST(multipart_two_files)
{
	static const char two[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=file; "
	    "filename=one.txt\r\n\r\n1\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename*=UTF-8''%e2%82%ac.txt\r\n\r\n\r\n"
	    "--XyZ--";
	struct rec r = { 0 };

	ASSERT_EQ(parse_steps(&r, two, sizeof(two) - 1, 5), 0);
	ASSERT_EQ(r.parts, 2);
	ASSERT_STR_EQ(aa_buf_str(&r.log),
	    "[file|one.txt|-]1<end>[file|\xe2\x82\xac.txt|-]<end>");
	aa_buf_release(&r.log);
}

TEST(multipart_big_part_streams)
{
	struct aa_buf b;
	struct rec r = { 0 };
	size_t big = 3u << 20, i;

	aa_buf_init(&b);
	aa_buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=\"file\";"
	    " filename=\"x.bin\"\r\n\r\n");
	ASSERT_EQ(aa_buf_reserve(&b, big + 64), 0);
	for (i = 0; i < big; i++)
		b.data[b.len + i] = (char)(i % 251 == 0 ? '\r' : 'a' + i % 26);
	b.len += big;
	aa_buf_puts(&b, "\r\n--XyZ--\r\n");
	ASSERT_EQ(parse_steps(&r, b.data, b.len, 65536), 0);
	ASSERT_EQ(r.bytes, big);
	ASSERT_EQ(r.parts, 1);
	aa_buf_release(&b);
	aa_buf_release(&r.log);
}

TEST(multipart_callback_can_stop)
{
	struct aa_multipart m;
	struct rec r = { 0 };

	r.stop_at_data = 1;
	aa_buf_init(&r.log);
	ASSERT_EQ(aa_multipart_init(&m, ct, &cbs, &r), 0);
	ASSERT_EQ(aa_multipart_feed(&m, body, sizeof(body) - 1), AA_ECANCELED);
	ASSERT_EQ(aa_multipart_feed(&m, "x", 1), AA_ECANCELED);
	aa_buf_release(&r.log);
}

TEST(multipart_filename_is_sanitised)
{
	static const char *const ok[][2] = {
		{ "test.jpeg", "test.jpeg" },
		{ "test file (1).txt", "test file (1).txt" },
		{ "/tmp/absolute-path-file.txt", "absolute-path-file.txt" },
		{ "../relative-path-file.txt", "relative-path-file.txt" },
		{ "nested/path/file.txt", "file.txt" },
		{ "windows\\style\\path.txt", "windows\\style\\path.txt" },
		{ "..\\a\\b.txt", "..\\a\\b.txt" },
		{ "a/b/", "b" },
		{ "bad\x01\x1b[2Jname\x7f", "bad[2Jname" },
		{ "../../etc/passwd", "passwd" },
	};
	static const char *const refused[] = {
		"", ".", "..", "/", "a/..", "x/.", "\x01\x02", "///",
	};
	char out[300], longname[400];
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(ok); i++) {
		ASSERT_EQ(aa_multipart_filename(ok[i][0], out, sizeof(out)), 0);
		ASSERT_STR_EQ(out, ok[i][1]);
	}
	for (i = 0; i < AA__ARRAY_SIZE(refused); i++)
		ASSERT_EQ(aa_multipart_filename(refused[i], out, sizeof(out)),
		    AA_EINVAL);
	memset(longname, 'n', 300);
	longname[300] = '\0';
	ASSERT_EQ(aa_multipart_filename(longname, out, sizeof(out)),
	    AA_EINVAL);
	ASSERT_EQ(aa_multipart_filename(NULL, out, sizeof(out)), AA_EINVAL);
}
