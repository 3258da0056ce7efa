/*
 * gocompat.h - aa_go / aa_pflag: the Go behaviour the command line must
 * reproduce byte for byte.
 *
 * Upstream's CLI is cobra + pflag + viper over Go's strconv and
 * encoding/csv, and scripts and people grep its error texts.  This is the
 * kit that reproduces them, apart from the option table that uses it
 * (cli.c): strconv's integer and boolean parsing with their error
 * reasons, %q quoting, the first record of encoding/csv (pflag's string
 * slices), strings.Fields (viper's lists from the environment) and
 * pflag's command-line grammar (long and short flags, "--", bool flags
 * without a value, grouped shorthands) and the layout of its flag usage
 * lines.
 */
#ifndef AA_GOCOMPAT_H
#define AA_GOCOMPAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Appends s quoted like Go's %q (strconv.Quote). */
void aa_go_quote(struct aa_buf *b, const char *s);
/* Appends one byte as Go's %q of a rune ('x', '\x01', 'é'). */
void aa_go_quote_rune(struct aa_buf *b, unsigned char ch);

/* strconv.ParseInt(s, 0, bits): 0, or -1 with *err set to Go's reason
 * ("invalid syntax", "value out of range"). */
int aa_go_parse_int(const char *s, int bits, int64_t *out, const char **err);
/* strconv.ParseUint(s, 0, bits), likewise (bits 1..64). */
int aa_go_parse_uint(const char *s, int bits, uint64_t *out,
    const char **err);
/* strconv.ParseBool: 0 with *out, or -1 (the reason is "invalid
 * syntax"). */
int aa_go_parse_bool(const char *s, int *out);
/* Appends strconv's error, `strconv.<fn>: parsing "<s as %q>": <why>`. */
void aa_go_strconv_error(struct aa_buf *b, const char *fn, const char *s,
    const char *why);

/* Receives one field of a split; returns 0 or an error that stops it. */
typedef int (*aa_go_field_fn)(void *ud, const char *s, size_t n);

/*
 * Reads the first CSV record of s (Go's encoding/csv: quoted fields with
 * "" escapes, blank lines skipped, nothing after the first record) and
 * hands each field to fn.  On a syntax error appends Go's message to err
 * ("parse error on line 1, column 3: bare \" in non-quoted-field", "EOF")
 * and returns AA_EINVAL; an error of fn is returned as it is.
 */
int aa_go_csv_record(const char *s, aa_go_field_fn fn, void *ud,
    struct aa_buf *err);
/* Splits s on Unicode white space (strings.Fields) into fn. */
int aa_go_fields(const char *s, aa_go_field_fn fn, void *ud);

/*
 * pflag's grammar over a caller's flag table.  find_long and find_short
 * return a flag's index or -1; is_bool says a flag needs no value; set
 * stores a value; word receives a positional argument.  Errors are
 * pflag's ("unknown flag: --x", "unknown shorthand flag: 'x' in -x",
 * "flag needs an argument: --x", "bad flag syntax: ---x"), stored in
 * *cause.
 */
struct aa_pflag {
	int (*find_long)(void *ud, const char *name, size_t n);
	int (*find_short)(void *ud, char c);
	int (*is_bool)(void *ud, int idx);
	int (*set)(void *ud, int idx, const char *value);
	int (*word)(void *ud, const char *word);
	void *ud;
	char **cause;
};

/*
 * Parses argv[i..argc).  With stop_at_word (a command's parent) the first
 * positional word ends the scan and its index is returned (argc if none;
 * after "--", the word that follows).  Otherwise every word goes to word
 * and argc is returned.  Negative on error.
 */
int aa_pflag_parse(const struct aa_pflag *f, int argc, char *const *argv,
    int i, int stop_at_word);

/* Appends text word-wrapped at 80 columns from column col, continuation
 * lines indented by indent, and a newline. */
void aa_pflag_wrap(struct aa_buf *b, const char *text, size_t col,
    size_t indent);
/* Appends one flag's line of pflag's FlagUsages: "  -p, --port int",
 * padded to column 32 (or on its own line when longer), then text
 * word-wrapped at 80 columns; type is " string", " int", "" and so on. */
void aa_pflag_usage(struct aa_buf *b, char shorthand, const char *name,
    const char *type, const char *text);

#endif /* AA_GOCOMPAT_H */
