/*
 * gocompat.c - the Go behaviour the command line reproduces (see
 * gocompat.h): strconv, %q, encoding/csv's first record, strings.Fields
 * and pflag's grammar.
 *
 * Each function names the Go function it follows; where Go's rules are
 * approximated (strconv.IsPrint), the comment says how far.  Nothing here
 * knows agentapi's options: cli.c's table drives the pflag parser through
 * callbacks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "base/text.h"
#include "prog/gocompat.h"

static int	cp_unprintable(uint32_t cp);
static int	underscore_ok(const char *s);
static int	parse_uint(const char *s, uint64_t max, uint64_t *out);
static int	parse_long(const struct aa_pflag *f, int argc,
		    char *const *argv, int *ip);
static int	parse_short(const struct aa_pflag *f, int argc,
		    char *const *argv, int *ip);

/* Returns non-zero for a code point Go's strconv.IsPrint would reject;
 * an approximation that covers the C0/C1 controls and common format
 * characters, which is all a command line realistically holds. */
static int
cp_unprintable(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad ||
	    (cp >= 0x200b && cp <= 0x200f) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0xfeff;
}

/* Appends s quoted like Go's %q (strconv.Quote), as upstream's errors do. */
void
aa_go_quote(struct aa_buf *b, const char *s)
{
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;

	aa_buf_putc(b, '"');
	while (i < n) {
		k = aa_utf8_decode(s + i, n - i, &cp);
		if (cp == AA_UTF8_REPLACEMENT && k == 1) {
			aa_buf_printf(b, "\\x%02x", (unsigned char)s[i]);
		} else if (cp == '"' || cp == '\\') {
			aa_buf_putc(b, '\\');
			aa_buf_putc(b, (char)cp);
		} else if (!cp_unprintable(cp)) {
			aa_buf_append(b, s + i, k);
		} else if (cp == '\a' || cp == '\b' || cp == '\f' ||
		    cp == '\n' || cp == '\r' || cp == '\t' || cp == '\v') {
			aa_buf_putc(b, '\\');
			aa_buf_putc(b, "abtnvfr"[cp == '\a' ? 0 : cp == '\b' ?
			    1 : cp - '\t' + 2]);
		} else if (cp < 0x80)
			aa_buf_printf(b, "\\x%02x", (unsigned int)cp);
		else
			aa_buf_printf(b, "\\u%04x", (unsigned int)cp);
		i += k;
	}
	aa_buf_putc(b, '"');
}

/* Appends one byte as Go's %q of a rune (pflag's shorthand errors). */
void
aa_go_quote_rune(struct aa_buf *b, unsigned char ch)
{
	char u[4];

	if (ch == '\'' || ch == '\\')
		aa_buf_printf(b, "'\\%c'", ch);
	else if (ch >= 0x20 && ch < 0x7f)
		aa_buf_printf(b, "'%c'", ch);
	else if (ch < 0x80)
		aa_buf_printf(b, "'\\x%02x'", ch);
	else if (cp_unprintable(ch))
		aa_buf_printf(b, "'\\u%04x'", ch);
	else {
		/* A byte read as a rune is U+0080..U+00FF. */
		aa_buf_putc(b, '\'');
		aa_buf_append(b, u, aa_utf8_encode(ch, u));
		aa_buf_putc(b, '\'');
	}
}

/* Returns non-zero when Go would accept the underscores in s (base 0). */
static int
underscore_ok(const char *s)
{
	char saw = '^';
	int hex = 0;
	size_t i = 0;

	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && s[1] != '\0' && strchr("bBoOxX", s[1]) != NULL) {
		i = 2;
		saw = '0';
		hex = s[1] == 'x' || s[1] == 'X';
	}
	for (; s[i] != '\0'; i++) {
		if ((s[i] >= '0' && s[i] <= '9') ||
		    (hex && strchr("abcdefABCDEF", s[i]) != NULL)) {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

/*
 * Parses an unsigned integer like Go's strconv.ParseUint(s, 0, ...): the
 * 0x/0o/0b prefixes, a bare leading 0 for octal, underscores between
 * digits.  Returns 0, -1 for bad syntax or -2 when above max.
 */
static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	const char *s0 = s;
	uint64_t n = 0, d;
	int base = 10, under = 0;

	if (*s == '\0')
		return -1;
	if (s[0] == '0') {
		if (strlen(s) >= 3 && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		} else if (strlen(s) >= 3 && (s[1] == 'o' || s[1] == 'O')) {
			base = 8;
			s += 2;
		} else if (strlen(s) >= 3 && (s[1] == 'b' || s[1] == 'B')) {
			base = 2;
			s += 2;
		} else {
			base = 8;
			s++;
		}
	}
	for (; *s != '\0'; s++) {
		if (*s == '_') {
			under = 1;
			continue;
		}
		if (*s >= '0' && *s <= '9')
			d = (uint64_t)(*s - '0');
		else if (*s >= 'a' && *s <= 'z')
			d = (uint64_t)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'Z')
			d = (uint64_t)(*s - 'A' + 10);
		else
			return -1;
		if (d >= (uint64_t)base)
			return -1;
		if (n > (max - d) / (uint64_t)base)
			return -2;
		n = n * (uint64_t)base + d;
	}
	if (under && !underscore_ok(s0))
		return -1;
	*out = n;
	return 0;
}

/* strconv.ParseInt(s, 0, bits); *err is Go's reason on failure. */
int
aa_go_parse_int(const char *s, int bits, int64_t *out, const char **err)
{
	uint64_t u, cutoff = (uint64_t)1 << (bits - 1);
	int neg = 0, rc;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
	}
	rc = parse_uint(s, neg ? cutoff : cutoff - 1, &u);
	if (rc != 0) {
		*err = rc == -1 ? "invalid syntax" : "value out of range";
		return -1;
	}
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* strconv.ParseUint(s, 0, bits); *err is Go's reason on failure. */
int
aa_go_parse_uint(const char *s, int bits, uint64_t *out, const char **err)
{
	uint64_t max = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
	int rc;

	/* ParseUint takes no sign at all. */
	rc = (*s == '+' || *s == '-') ? -1 : parse_uint(s, max, out);
	if (rc != 0) {
		*err = rc == -1 ? "invalid syntax" : "value out of range";
		return -1;
	}
	return 0;
}

/* strconv.ParseBool: the twelve spellings Go accepts. */
int
aa_go_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true",
	    "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false",
	    "False" };
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Appends strconv's error for s (the value quoted with %q, as Go does). */
void
aa_go_strconv_error(struct aa_buf *b, const char *fn, const char *s,
    const char *why)
{
	aa_buf_printf(b, "strconv.%s: parsing ", fn);
	aa_go_quote(b, s);
	aa_buf_printf(b, ": %s", why);
}

/*
 * Reads the first CSV record of s into fn, as pflag's string slices do
 * (Go's encoding/csv: quoted fields with "" escapes, blank lines skipped,
 * nothing after the first record).  On a syntax error appends Go's
 * message to err and returns AA_EINVAL.
 */
int
aa_go_csv_record(const char *s, aa_go_field_fn fn, void *ud,
    struct aa_buf *err)
{
	struct aa_buf f;
	const char *p, *line;
	size_t lineno = 1, startline;
	int rc = 0;

	aa_buf_init(&f);
	/* Skip blank lines ("\n" or "\r\n"). */
	while (*s == '\n' || (s[0] == '\r' && s[1] == '\n')) {
		s += *s == '\n' ? 1 : 2;
		lineno++;
	}
	if (*s == '\0') {
		aa_buf_puts(err, "EOF");
		return AA_EINVAL;
	}
	startline = lineno;
	line = p = s;
	for (;;) {
		aa_buf_reset(&f);
		if (*p != '"') {
			/* Unquoted: up to ',' or the end of the line. */
			const char *e = p + strcspn(p, ",\n");
			const char *q = memchr(p, '"', (size_t)(e - p));
			size_t n = (size_t)(e - p);

			if (q != NULL) {
				aa_buf_printf(err, "parse error on line %zu, "
				    "column %zu: bare \" in non-quoted-field",
				    lineno, (size_t)(q - line) + 1);
				rc = AA_EINVAL;
				break;
			}
			if (*e == '\n' && n > 0 && p[n - 1] == '\r')
				n--;
			if ((rc = fn(ud, p, n)) != 0)
				break;
			if (*e != ',')
				break;
			p = e + 1;
			continue;
		}
		/* Quoted: "" is a quote; a newline inside is kept. */
		for (p++;; p++) {
			if (*p == '\0') {
				/* Go names the record's first line too. */
				if (startline != lineno)
					aa_buf_printf(err, "record on line "
					    "%zu; ", startline);
				aa_buf_printf(err, "parse error on line %zu, "
				    "column %zu: extraneous or missing \" in "
				    "quoted-field", lineno,
				    (size_t)(p - line) + 1);
				rc = AA_EINVAL;
				goto out;
			}
			if (*p == '"' && p[1] == '"') {
				aa_buf_putc(&f, '"');
				p++;
			} else if (*p == '"')
				break;
			else {
				if (*p == '\n') {
					lineno++;
					line = p + 1;
				}
				aa_buf_putc(&f, *p);
			}
		}
		p++;	/* the closing quote */
		if (*p != ',' && *p != '\n' && *p != '\0' &&
		    !(p[0] == '\r' && p[1] == '\n')) {
			aa_buf_printf(err, "parse error on line %zu, column "
			    "%zu: extraneous or missing \" in quoted-field",
			    lineno, (size_t)(p - line) + 1);
			rc = AA_EINVAL;
			break;
		}
		if ((rc = fn(ud, aa_buf_str(&f), f.len)) != 0)
			break;
		if (*p != ',')
			break;
		p++;
	}
out:
	aa_buf_release(&f);
	return rc;
}

/* Splits s on Unicode white space into fn, as Go's strings.Fields. */
int
aa_go_fields(const char *s, aa_go_field_fn fn, void *ud)
{
	size_t n = strlen(s), i = 0, start = 0, k;
	int in = 0, rc;
	uint32_t cp;

	while (i < n) {
		k = aa_utf8_decode(s + i, n - i, &cp);
		if (aa_unicode_is_space(cp)) {
			rc = in ? fn(ud, s + start, i - start) : 0;
			if (rc != 0)
				return rc;
			in = 0;
		} else if (!in) {
			in = 1;
			start = i;
		}
		i += k;
	}
	if (in)
		return fn(ud, s + start, n - start);
	return 0;
}

/* Parses argv[*ip], a "--name[=value]" word (pflag's parseLongArg). */
static int
parse_long(const struct aa_pflag *f, int argc, char *const *argv, int *ip)
{
	const char *a = argv[*ip], *name = a + 2, *eq, *value;
	size_t n;
	int idx;

	if (*name == '-' || *name == '=')
		return aa__cause(f->cause, AA_EINVAL, "bad flag syntax: %s", a);
	eq = strchr(name, '=');
	n = eq != NULL ? (size_t)(eq - name) : strlen(name);
	if ((idx = f->find_long(f->ud, name, n)) < 0)
		return aa__cause(f->cause, AA_EINVAL, "unknown flag: --%.*s",
		    (int)n, name);
	if (eq != NULL)
		value = eq + 1;
	else if (f->is_bool(f->ud, idx))
		value = "true";
	else if (*ip + 1 < argc)
		value = argv[++*ip];
	else
		return aa__cause(f->cause, AA_EINVAL, "flag needs an argument: "
		    "--%.*s", (int)n, name);
	return f->set(f->ud, idx, value);
}

/* Parses argv[*ip], a "-abc" group of shorthands (parseShortArg). */
static int
parse_short(const struct aa_pflag *f, int argc, char *const *argv, int *ip)
{
	const char *a = argv[*ip], *sh = a + 1, *value;
	struct aa_buf b;
	int idx, rc;

	while (*sh != '\0') {
		if ((idx = f->find_short(f->ud, *sh)) < 0 ||
		    (!f->is_bool(f->ud, idx) && sh[1] == '\0' &&
		    *ip + 1 >= argc)) {
			aa_buf_init(&b);
			aa_buf_puts(&b, idx < 0 ? "unknown shorthand flag: " :
			    "flag needs an argument: ");
			aa_go_quote_rune(&b, (unsigned char)*sh);
			aa_buf_printf(&b, " in -%s", a + 1);
			*f->cause = aa_buf_steal(&b, NULL);
			return AA_EINVAL;
		}
		if (strlen(sh) > 2 && sh[1] == '=') {
			value = sh + 2;
			sh = "";
		} else if (f->is_bool(f->ud, idx)) {
			value = "true";
			sh++;
		} else if (sh[1] != '\0') {
			value = sh + 1;
			sh = "";
		} else {
			value = argv[++*ip];
			sh = "";
		}
		if ((rc = f->set(f->ud, idx, value)) != 0)
			return rc;
	}
	return 0;
}

int
aa_pflag_parse(const struct aa_pflag *f, int argc, char *const *argv, int i,
    int stop_at_word)
{
	int dash = 0, rc;

	for (; i < argc; i++) {
		const char *a = argv[i];

		if (dash || a[0] != '-' || a[1] == '\0') {
			if (stop_at_word)
				return i;
			if ((rc = f->word(f->ud, a)) != 0)
				return rc;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dash = 1;
			if (stop_at_word)
				return i + 1 < argc ? i + 1 : argc;
			continue;
		}
		rc = a[1] == '-' ? parse_long(f, argc, argv, &i) :
		    parse_short(f, argc, argv, &i);
		if (rc != 0)
			return rc;
	}
	return argc;
}

void
aa_pflag_wrap(struct aa_buf *b, const char *text, size_t col, size_t indent)
{
	const char *p = text;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (col > indent && col + 1 + n > 79) {
			aa_buf_printf(b, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			aa_buf_putc(b, ' ');
			col++;
		}
		aa_buf_append(b, p, n);
		col += n;
		p += n;
		while (*p == ' ')
			p++;
	}
	aa_buf_putc(b, '\n');
}

void
aa_pflag_usage(struct aa_buf *b, char shorthand, const char *name,
    const char *type, const char *text)
{
	size_t start = b->len;

	if (shorthand != 0)
		aa_buf_printf(b, "  -%c, --%s%s", shorthand, name, type);
	else
		aa_buf_printf(b, "      --%s%s", name, type);
	if (b->len - start >= 31)
		aa_buf_printf(b, "\n%*s", 32, "");
	else
		aa_buf_printf(b, "%*s", (int)(32 - (b->len - start)), "");
	aa_pflag_wrap(b, text, 32, 32);
}
