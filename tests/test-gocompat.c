/*
 * test-gocompat.c - the Go-compatibility kit of the command line
 * (src/prog/gocompat.c) on its own: strconv's parsing and error texts,
 * %q quoting, encoding/csv's first record, strings.Fields, pflag's
 * grammar over a small table, and its usage lines.  test-cli.c covers the
 * same rules through agentapi's option table.
 */
#include "test.h"

#include "agentapi.h"
#include "prog/gocompat.h"

/* Quotes s and compares. */
static void
check_quote(const char *s, const char *want)
{
	struct aa_buf b;

	aa_buf_init(&b);
	aa_go_quote(&b, s);
	ASSERT_STR_EQ(aa_buf_str(&b), want);
	aa_buf_release(&b);
}

/* Quotes one byte as a rune and compares. */
static void
check_rune(unsigned char c, const char *want)
{
	struct aa_buf b;

	aa_buf_init(&b);
	aa_go_quote_rune(&b, c);
	ASSERT_STR_EQ(aa_buf_str(&b), want);
	aa_buf_release(&b);
}

TEST(quote_like_strconv_quote)
{
	check_quote("plain", "\"plain\"");
	check_quote("a\"b\\", "\"a\\\"b\\\\\"");
	check_quote("\n\t\r\a\b\f\v", "\"\\n\\t\\r\\a\\b\\f\\v\"");
	check_quote("\x01\x7f", "\"\\x01\\x7f\"");
	check_quote("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	check_quote("bad\xff", "\"bad\\xff\"");
	check_quote("zw\xe2\x80\x8bsp", "\"zw\\u200bsp\"");
	check_quote("", "\"\"");
	check_rune('a', "'a'");
	check_rune('\'', "'\\''");
	check_rune('\\', "'\\\\'");
	check_rune(1, "'\\x01'");
	check_rune(0x85, "'\\u0085'");
	check_rune(0xe9, "'\xc3\xa9'");
}

/* ParseInt(s, 0, 64): want the value, or the reason. */
static void
check_int(const char *s, int64_t want, const char *why)
{
	const char *err = NULL;
	int64_t v = 42;
	int rc = aa_go_parse_int(s, 64, &v, &err);

	if (why == NULL) {
		ASSERT_EQ(rc, 0);
		ASSERT_EQ(v, want);
	} else {
		ASSERT_EQ(rc, -1);
		ASSERT_STR_EQ(err, why);
	}
}

TEST(parse_int_with_go_prefixes_and_underscores)
{
	check_int("0", 0, NULL);
	check_int("+5", 5, NULL);
	check_int("-5", -5, NULL);
	check_int("0x1F", 31, NULL);
	check_int("0X1f", 31, NULL);
	check_int("0o17", 15, NULL);
	check_int("017", 15, NULL);
	check_int("0b101", 5, NULL);
	check_int("1_000", 1000, NULL);
	check_int("0x_1f", 31, NULL);
	check_int("9223372036854775807", INT64_MAX, NULL);
	check_int("-9223372036854775808", INT64_MIN, NULL);
	check_int("9223372036854775808", 0, "value out of range");
	check_int("-9223372036854775809", 0, "value out of range");
	check_int("", 0, "invalid syntax");
	check_int("_1", 0, "invalid syntax");
	check_int("1__0", 0, "invalid syntax");
	check_int("1_", 0, "invalid syntax");
	check_int("08", 0, "invalid syntax");
	check_int("0x", 0, "invalid syntax");
	check_int("12a", 0, "invalid syntax");
	check_int(" 1", 0, "invalid syntax");
}

TEST(parse_uint_and_bool)
{
	const char *err = NULL;
	uint64_t u = 0;
	int b = 7;

	ASSERT_EQ(aa_go_parse_uint("65535", 16, &u, &err), 0);
	ASSERT_EQ(u, 65535);
	ASSERT_EQ(aa_go_parse_uint("0xffff", 16, &u, &err), 0);
	ASSERT_EQ(u, 65535);
	ASSERT_EQ(aa_go_parse_uint("65536", 16, &u, &err), -1);
	ASSERT_STR_EQ(err, "value out of range");
	ASSERT_EQ(aa_go_parse_uint("+1", 16, &u, &err), -1);
	ASSERT_STR_EQ(err, "invalid syntax");
	ASSERT_EQ(aa_go_parse_uint("-1", 16, &u, &err), -1);
	ASSERT_EQ(aa_go_parse_uint("18446744073709551615", 64, &u, &err), 0);
	ASSERT(u == UINT64_MAX);
	ASSERT_EQ(aa_go_parse_uint("18446744073709551616", 64, &u, &err), -1);
	ASSERT_STR_EQ(err, "value out of range");
	ASSERT_EQ(aa_go_parse_bool("T", &b), 0);
	ASSERT_EQ(b, 1);
	ASSERT_EQ(aa_go_parse_bool("False", &b), 0);
	ASSERT_EQ(b, 0);
	ASSERT_EQ(aa_go_parse_bool("yes", &b), -1);
	ASSERT_EQ(aa_go_parse_bool("tRUE", &b), -1);
	ASSERT_EQ(aa_go_parse_bool("", &b), -1);
}

TEST(strconv_error_text)
{
	struct aa_buf b;

	aa_buf_init(&b);
	aa_go_strconv_error(&b, "ParseInt", "x\"y", "invalid syntax");
	ASSERT_STR_EQ(aa_buf_str(&b),
	    "strconv.ParseInt: parsing \"x\\\"y\": invalid syntax");
	aa_buf_release(&b);
}

/* Collects fields joined with "|" into the aa_buf ud. */
static int
collect(void *ud, const char *s, size_t n)
{
	struct aa_buf *b = ud;

	if (b->len > 0 && aa_buf_putc(b, '|') != 0)
		return AA_ENOMEM;
	return aa_buf_append(b, s, n);
}

/* Reads the first CSV record of s; want is the fields or the error. */
static void
check_csv(const char *s, int rc, const char *want)
{
	struct aa_buf got, err;

	aa_buf_init(&got);
	aa_buf_init(&err);
	ASSERT_EQ(aa_go_csv_record(s, collect, &got, &err), rc);
	ASSERT_STR_EQ(rc == 0 ? aa_buf_str(&got) : aa_buf_str(&err), want);
	aa_buf_release(&got);
	aa_buf_release(&err);
}

TEST(csv_first_record_like_encoding_csv)
{
	check_csv("a,b,c", 0, "a|b|c");
	check_csv("\"a,b\",c", 0, "a,b|c");
	check_csv("\"a\"\"b\"", 0, "a\"b");
	check_csv("\n\r\na,b", 0, "a|b");
	check_csv("a,b\nc,d", 0, "a|b");
	check_csv("a,b\r\n", 0, "a|b");
	check_csv("\"multi\nline\",x", 0, "multi\nline|x");
	check_csv("a,,", 0, "a||");
	check_csv("", AA_EINVAL, "EOF");
	check_csv("a\"b", AA_EINVAL,
	    "parse error on line 1, column 2: bare \" in non-quoted-field");
	check_csv("\"a\"b", AA_EINVAL, "parse error on line 1, column 4: "
	    "extraneous or missing \" in quoted-field");
}

TEST(fields_split_on_unicode_space)
{
	struct aa_buf got;

	aa_buf_init(&got);
	ASSERT_EQ(aa_go_fields("  a\tb\xe3\x80\x80" "c \n", collect, &got),
	    0);
	ASSERT_STR_EQ(aa_buf_str(&got), "a|b|c");
	aa_buf_reset(&got);
	ASSERT_EQ(aa_go_fields(" \t ", collect, &got), 0);
	ASSERT_EQ(got.len, 0);
	aa_buf_release(&got);
}

/* A three-flag table for the pflag grammar; sets are logged. */
struct table {
	struct aa_buf log;
};

static const char *const names[] = { "port", "verbose", "name" };
static const char shorts[] = { 'p', 'v', 'n' };

static int
t_long(void *ud, const char *name, size_t n)
{
	size_t i;

	(void)ud;
	for (i = 0; i < 3; i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return (int)i;
	return -1;
}

static int
t_short(void *ud, char c)
{
	int i;

	(void)ud;
	for (i = 0; i < 3; i++)
		if (shorts[i] == c)
			return i;
	return -1;
}

static int
t_bool(void *ud, int idx)
{
	(void)ud;
	return idx == 1;
}

static int
t_set(void *ud, int idx, const char *value)
{
	struct table *t = ud;

	return aa_buf_printf(&t->log, "%s=%s;", names[idx], value);
}

static int
t_word(void *ud, const char *word)
{
	struct table *t = ud;

	return aa_buf_printf(&t->log, "[%s];", word);
}

/* Parses the words of argv (NULL-terminated) from 0; compares the log
 * (or the error) and the return value. */
static void
check_pflag(const char *const *argv, int stop, int want_rc,
    const char *want)
{
	struct table t;
	char *cause = NULL;
	struct aa_pflag f = { t_long, t_short, t_bool, t_set, t_word, &t,
	    &cause };
	int argc = 0, rc;

	while (argv[argc] != NULL)
		argc++;
	aa_buf_init(&t.log);
	rc = aa_pflag_parse(&f, argc, (char *const *)argv, 0, stop);
	ASSERT_EQ(rc, want_rc);
	ASSERT_STR_EQ(rc < 0 ? cause : aa_buf_str(&t.log), want);
	free(cause);
	aa_buf_release(&t.log);
}

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

TEST(pflag_grammar)
{
	check_pflag(W("--port", "5", "x", "--", "-v"), 0, 5,
	    "port=5;[x];[-v];");
	check_pflag(W("--port=6", "-", "--verbose"), 0, 3,
	    "port=6;[-];verbose=true;");
	check_pflag(W("-vp5", "-n", "bob", "-p=7"), 0, 4,
	    "verbose=true;port=5;name=bob;port=7;");
	check_pflag(W("-v", "server", "--port", "1"), 1, 1, "verbose=true;");
	check_pflag(W("--", "server"), 1, 1, "");
	check_pflag(W("--port"), 0, AA_EINVAL,
	    "flag needs an argument: --port");
	check_pflag(W("-p"), 0, AA_EINVAL,
	    "flag needs an argument: 'p' in -p");
	check_pflag(W("-vz"), 0, AA_EINVAL,
	    "unknown shorthand flag: 'z' in -vz");
	check_pflag(W("---x"), 0, AA_EINVAL, "bad flag syntax: ---x");
	check_pflag(W("--=x"), 0, AA_EINVAL, "bad flag syntax: --=x");
	check_pflag(W("--nope=1"), 0, AA_EINVAL, "unknown flag: --nope");
}

TEST(pflag_usage_lines)
{
	struct aa_buf b;

	aa_buf_init(&b);
	aa_pflag_usage(&b, 'p', "port", " int", "Port to run the server on");
	aa_pflag_usage(&b, 0, "a-rather-long-flag-name", " string", "Text");
	aa_pflag_usage(&b, 0, "x", "", "one two three four five six seven "
	    "eight nine ten eleven twelve");
	ASSERT_STR_EQ(aa_buf_str(&b),
	    "  -p, --port int                Port to run the server on\n"
	    "      --a-rather-long-flag-name string\n"
	    "                                Text\n"
	    "      --x                       one two three four five six "
	    "seven eight nine\n"
	    "                                ten eleven twelve\n");
	aa_buf_release(&b);
}
