/*
 * test-vt.c - aa_vt: byte streams in, screen text and replies out.
 *
 * Each case feeds a stream to a small screen and compares the whole text
 * (every row, "\n"-terminated, trailing spaces trimmed) and the bytes the
 * terminal answered.  The golden cases at the end replay
 * tests/data/vt/<name>.in on a 40x10 screen against <name>.expected.
 */
#include <dirent.h>

#include "test.h"

#include "agentapi.h"

#include "base/buf.h"
#include "base/text.h"
#include "core/vt.h"

struct fx {
	struct aa_vt *vt;
	struct aa_buf replies;
	struct aa_buf text;
};

/* Collects the terminal's replies. */
static void
on_reply(void *ud, const char *p, size_t n)
{
	struct fx *f = ud;

	ASSERT_EQ(aa_buf_append(&f->replies, p, n), 0);
}

/* Creates a cols x rows terminal. */
static void
fx_init(struct fx *f, unsigned cols, unsigned rows)
{
	struct aa_vt_options o;

	memset(&o, 0, sizeof(o));
	o.cols = cols;
	o.rows = rows;
	o.reply = on_reply;
	o.ud = f;
	aa_buf_init(&f->replies);
	aa_buf_init(&f->text);
	ASSERT_EQ(aa_vt_new(&f->vt, &o), 0);
}

/* Frees the fixture. */
static void
fx_free(struct fx *f)
{
	aa_vt_free(f->vt);
	aa_buf_release(&f->replies);
	aa_buf_release(&f->text);
}

/* Feeds a C string. */
static void
fx_feed(struct fx *f, const char *s)
{
	ASSERT_EQ(aa_vt_feed(f->vt, s, strlen(s)), 0);
}

/* Returns the current screen text (valid until the next call). */
static const char *
fx_text(struct fx *f)
{
	aa_buf_reset(&f->text);
	ASSERT_EQ(aa_vt_text(f->vt, &f->text), 0);
	ASSERT(aa_utf8_valid(f->text.data, f->text.len));
	return aa_buf_str(&f->text);
}

/* Returns the replies so far and forgets them. */
static char *
fx_replies(struct fx *f)
{
	char *r = strdup(aa_buf_str(&f->replies));

	ASSERT_NOT_NULL(r);
	aa_buf_reset(&f->replies);
	return r;
}

#define ASSERT_REPLIES(f, want)                                                \
	do {                                                                   \
		char *r_ = fx_replies(f);                                      \
		ASSERT_STR_EQ(r_, want);                                       \
		free(r_);                                                      \
	} while (0)

TEST(vt_defaults_and_format)
{
	struct fx f;
	unsigned x, y;
	size_t i, nl = 0;
	const char *t;

	memset(&f, 0, sizeof(f));
	aa_buf_init(&f.text);
	ASSERT_EQ(aa_vt_new(&f.vt, NULL), 0);
	ASSERT_EQ(aa_vt_cols(f.vt), 80);
	ASSERT_EQ(aa_vt_rows(f.vt), 24);
	fx_feed(&f, "hello   \r\n  world");
	t = fx_text(&f);
	for (i = 0; t[i] != '\0'; i++)
		nl += t[i] == '\n';
	ASSERT_EQ(nl, 24);
	ASSERT_EQ(strncmp(t, "hello\n  world\n\n", 15), 0);
	aa_vt_cursor(f.vt, &x, &y);
	ASSERT_EQ(x, 7);
	ASSERT_EQ(y, 1);
	aa_vt_free(f.vt);
	aa_buf_release(&f.text);
}

TEST(vt_rejects_bad_sizes)
{
	struct aa_vt_options o;
	struct aa_vt *vt = (struct aa_vt *)&o;

	memset(&o, 0, sizeof(o));
	o.cols = AA_VT_MAX_COLS + 1;
	ASSERT_EQ(aa_vt_new(&vt, &o), AA_EINVAL);
	ASSERT_NULL(vt);
	o.cols = 2000;
	o.rows = 10000;
	ASSERT_EQ(aa_vt_new(&vt, &o), AA_EINVAL);
	ASSERT_EQ(aa_vt_new(NULL, NULL), AA_EINVAL);
	o.cols = 1;
	o.rows = 1;
	ASSERT_EQ(aa_vt_new(&vt, &o), AA_EINVAL);
	/* Two columns are enough for a wide character in insert mode. */
	o.cols = 2;
	ASSERT_EQ(aa_vt_new(&vt, &o), 0);
	ASSERT_EQ(aa_vt_feed(vt, "\033[4h\xe4\xb8\xadx\xe4\xb8\xad", 10), 0);
	aa_vt_free(vt);
	ASSERT_EQ(aa_vt_new(&vt, NULL), 0);
	ASSERT_EQ(aa_vt_resize(vt, 0, 5), AA_EINVAL);
	ASSERT_EQ(aa_vt_resize(vt, 5, AA_VT_MAX_ROWS + 1), AA_EINVAL);
	aa_vt_free(vt);
	aa_vt_free(NULL);
}

TEST(vt_colors_leave_text_intact)
{
	struct fx f;

	fx_init(&f, 30, 4);
	fx_feed(&f, "\033[31mred\033[0m \033[1;92mbold\033[22m "
		    "\033[38;5;208mc256\033[48;5;17m bg\033[0m\r\n"
		    "\033[38;2;255;128;0mtrue\033[48;2;1;2;3mcolor\033[m "
		    "\033[4;7;3mattrs\033[24;27;23m\r\n"
		    "\033[>4;1m\033[?4m\033[>4m plain");
	ASSERT_STR_EQ(fx_text(&f), "red bold c256 bg\n"
				   "truecolor attrs\n"
				   " plain\n"
				   "\n");
	ASSERT_REPLIES(&f, "");
	fx_free(&f);
}

TEST(vt_cursor_moves)
{
	struct fx f;
	unsigned x, y;

	fx_init(&f, 12, 5);
	/* CUP, CUF, CUB, CUU, CUD, CHA, VPA, BS, HT, CR */
	fx_feed(&f, "\033[3;5HX\033[2CY\033[4DZ\033[2AU\033[1BD"
		    "\033[10GG\033[5dV\bW\rA\tT");
	ASSERT_STR_EQ(fx_text(&f), "     U\n"
				   "      D  G\n"
				   "    Z  Y\n"
				   "\n"
				   "A       T W\n");
	aa_vt_cursor(f.vt, &x, &y);
	ASSERT_EQ(x, 9);
	ASSERT_EQ(y, 4);
	/* Out-of-range moves clamp to the screen. */
	fx_feed(&f, "\033[99;99H!\033[999A\033[999D^");
	ASSERT_STR_EQ(fx_text(&f), "^    U\n"
				   "      D  G\n"
				   "    Z  Y\n"
				   "\n"
				   "A       T W!\n");
	/* ESC 7 / ESC 8 and CSI s / CSI u save and restore the cursor. */
	fx_feed(&f, "\033[2;1H\0337\033[4;1Hs\0338a\033[4;3H\033[s"
		    "\033[1;1H\033[ub");
	ASSERT_STR_EQ(fx_text(&f), "^    U\n"
				   "a     D  G\n"
				   "    Z  Y\n"
				   "s b\n"
				   "A       T W!\n");
	fx_free(&f);
}

TEST(vt_erase)
{
	struct fx f;

	fx_init(&f, 10, 4);
	fx_feed(&f, "aaaaaaaaaa\r\nbbbbbbbbbb\r\ncccccccccc\r\ndddddddddd");
	/* EL 0 / 1 / 2 */
	fx_feed(&f, "\033[1;4H\033[K\033[2;4H\033[1K\033[3;4H\033[2K");
	ASSERT_STR_EQ(fx_text(&f), "aaa\n"
				   "    bbbbbb\n"
				   "\n"
				   "dddddddddd\n");
	/* ECH erases in place without moving text. */
	fx_feed(&f, "\033[4;3H\033[3X");
	ASSERT_STR_EQ(fx_text(&f), "aaa\n"
				   "    bbbbbb\n"
				   "\n"
				   "dd   ddddd\n");
	/* ED 1 (to the cursor), ED 0 (from the cursor), ED 2 (all). */
	fx_feed(&f, "\033[2;6H\033[1J");
	ASSERT_STR_EQ(fx_text(&f), "\n"
				   "      bbbb\n"
				   "\n"
				   "dd   ddddd\n");
	fx_feed(&f, "\033[4;8H\033[J");
	ASSERT_STR_EQ(fx_text(&f), "\n"
				   "      bbbb\n"
				   "\n"
				   "dd   dd\n");
	fx_feed(&f, "\033[2J");
	ASSERT_STR_EQ(fx_text(&f), "\n\n\n\n");
	fx_free(&f);
}

TEST(vt_scroll_region)
{
	struct fx f;

	fx_init(&f, 8, 5);
	fx_feed(&f, "top\r\n1\r\n2\r\n3\r\nbottom");
	/* Region rows 2-4: a line feed at its bottom scrolls only it. */
	fx_feed(&f, "\033[2;4r\033[4;1H\nnew");
	ASSERT_STR_EQ(fx_text(&f), "top\n"
				   "2\n"
				   "3\n"
				   "new\n"
				   "bottom\n");
	/* Reverse index at the region's top scrolls it down. */
	fx_feed(&f, "\033[2;1H\033Mins");
	ASSERT_STR_EQ(fx_text(&f), "top\n"
				   "ins\n"
				   "2\n"
				   "3\n"
				   "bottom\n");
	/* SU/SD, IL/DL inside the region; then reset the region. */
	fx_feed(&f, "\033[S");
	ASSERT_STR_EQ(fx_text(&f), "top\n2\n3\n\nbottom\n");
	fx_feed(&f, "\033[2;1H\033[L+");
	ASSERT_STR_EQ(fx_text(&f), "top\n+\n2\n3\nbottom\n");
	fx_feed(&f, "\033[M");
	ASSERT_STR_EQ(fx_text(&f), "top\n2\n3\n\nbottom\n");
	fx_feed(&f, "\033[r\033[5;1H\nend");
	ASSERT_STR_EQ(fx_text(&f), "2\n3\n\nbottom\nend\n");
	fx_free(&f);
}

TEST(vt_alternate_screen)
{
	struct fx f;
	unsigned x, y;

	fx_init(&f, 10, 3);
	fx_feed(&f, "main\r\nshell");
	fx_feed(&f, "\033[?1049h");
	ASSERT(aa_vt_alt_screen(f.vt));
	ASSERT_STR_EQ(fx_text(&f), "\n\n\n");
	fx_feed(&f, "\033[Htui\033[3;3Hx");
	ASSERT_STR_EQ(fx_text(&f), "tui\n\n  x\n");
	/* Leaving restores the main screen and the cursor. */
	fx_feed(&f, "\033[?1049l");
	ASSERT(!aa_vt_alt_screen(f.vt));
	ASSERT_STR_EQ(fx_text(&f), "main\nshell\n\n");
	aa_vt_cursor(f.vt, &x, &y);
	ASSERT_EQ(x, 5);
	ASSERT_EQ(y, 1);
	/* Modes 47 and 1047 switch too. */
	fx_feed(&f, "\033[?47hA");
	ASSERT(aa_vt_alt_screen(f.vt));
	fx_feed(&f, "\033[?47l");
	ASSERT_STR_EQ(fx_text(&f), "main\nshell\n\n");
	fx_feed(&f, "\033[?1047hB\033[?1047l");
	ASSERT(!aa_vt_alt_screen(f.vt));
	fx_free(&f);
}

TEST(vt_wide_characters)
{
	struct fx f;
	unsigned x, y;

	fx_init(&f, 10, 4);
	fx_feed(&f, "中文ab\r\n😀x✅\r\n⏺ ✻ ⎿ ●");
	ASSERT_STR_EQ(fx_text(&f), "中文ab\n😀x✅\n⏺ ✻ ⎿ ●\n\n");
	aa_vt_cursor(f.vt, &x, &y);
	ASSERT_EQ(x, 7);
	ASSERT_EQ(y, 2);
	/* Writing over either half of a wide character blanks it. */
	fx_feed(&f, "\033[1;2Hy\033[1;3Hz");
	ASSERT_STR_EQ(fx_text(&f), " yz ab\n😀x✅\n⏺ ✻ ⎿ ●\n\n");
	/* A combining mark is dropped by libtsm (documented). */
	fx_feed(&f, "\033[4;1He\xcc\x81!");
	ASSERT_STR_EQ(fx_text(&f), " yz ab\n😀x✅\n⏺ ✻ ⎿ ●\ne!\n");
	fx_free(&f);
}

TEST(vt_utf8_split_at_every_byte)
{
	static const char s[] = "A😀B中é\033[31mC\033[?2004h\033]11;?\007Z";
	struct fx whole, part;
	char *want, *got;
	size_t n = sizeof(s) - 1, cut;

	fx_init(&whole, 20, 2);
	fx_feed(&whole, s);
	ASSERT_STR_EQ(fx_text(&whole), "A😀B中éCZ\n\n");
	want = fx_replies(&whole);
	ASSERT_STR_EQ(want, "\033]11;rgb:0000/0000/0000\007");
	for (cut = 0; cut <= n; cut++) {
		fx_init(&part, 20, 2);
		ASSERT_EQ(aa_vt_feed(part.vt, s, cut), 0);
		ASSERT_EQ(aa_vt_feed(part.vt, s + cut, n - cut), 0);
		ASSERT_STR_EQ(fx_text(&part), "A😀B中éCZ\n\n");
		ASSERT(aa_vt_bracketed_paste(part.vt));
		got = fx_replies(&part);
		ASSERT_STR_EQ(got, want);
		free(got);
		fx_free(&part);
	}
	/* Byte by byte. */
	fx_init(&part, 20, 2);
	for (cut = 0; cut < n; cut++)
		ASSERT_EQ(aa_vt_feed(part.vt, s + cut, 1), 0);
	ASSERT_STR_EQ(fx_text(&part), "A😀B中éCZ\n\n");
	fx_free(&part);
	free(want);
	fx_free(&whole);
}

TEST(vt_invalid_utf8_replaced)
{
	struct fx f;

	fx_init(&f, 20, 3);
	/* A bad byte costs one U+FFFD and never eats the next byte. */
	fx_feed(&f, "a\xffz \xe4X \xed\xa0\x80 \xc0\xaf\r\n");
	ASSERT_STR_EQ(fx_text(&f), "a\xef\xbf\xbdz \xef\xbf\xbdX "
				   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
				   "\xef\xbf\xbd\xef\xbf\xbd\n\n\n");
	/* A truncated sequence then ESC: the ESC still works. */
	fx_feed(&f, "\xe4\xb8\033[2;5Hok");
	ASSERT_STR_EQ(fx_text(&f), "a\xef\xbf\xbdz \xef\xbf\xbdX "
				   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
				   "\xef\xbf\xbd\xef\xbf\xbd\n"
				   "\xef\xbf\xbd\xef\xbf\xbd  ok\n\n");
	/* An overlong ESC (C0 9B) is not an escape for anyone. */
	fx_feed(&f, "\033[?1049h\xc0\x9b[?1$p");
	ASSERT(aa_vt_alt_screen(f.vt));
	ASSERT_REPLIES(&f, "");
	fx_feed(&f, "\033[?1049l\033[2J");
	/* Split across feeds, the incomplete tail waits for its end. */
	fx_feed(&f, "\033[H\xf0\x9f");
	fx_feed(&f, "\x98");
	fx_feed(&f, "\x80!");
	ASSERT_STR_EQ(fx_text(&f), "😀!\n\n\n");
	/* ... and is replaced when the next feed proves it invalid. */
	fx_feed(&f, "\033[H\xf0\x9f");
	fx_feed(&f, "A");
	ASSERT_STR_EQ(fx_text(&f), "\xef\xbf\xbd\xef\xbf\xbd" "A\n\n\n");
	fx_free(&f);
}

TEST(vt_decrqm_answered_and_stripped)
{
	struct fx f;

	fx_init(&f, 10, 3);
	fx_feed(&f, "main\033[?1049h\033[H\033[31malt");
	/* libtsm alone would soft-reset and leave the alternate screen. */
	fx_feed(&f, "\033[?2026$p\033[?2004$p\033[?1049$p\033[?25$p"
		    "\033[?12$p\033[4$p\033[20$p\033[?$p");
	ASSERT(aa_vt_alt_screen(f.vt));
	ASSERT_STR_EQ(fx_text(&f), "alt\n\n\n");
	ASSERT_REPLIES(&f, "\033[?2026;2$y\033[?2004;2$y\033[?1049;1$y"
			   "\033[?25;1$y\033[?12;0$y\033[4;2$y\033[20;0$y"
			   "\033[?0;0$y");
	fx_feed(&f, "\033[?2004h\033[?2026h\033[?25l\033[4h");
	fx_feed(&f, "\033[?2004$p\033[?2026$p\033[?25$p\033[4$p");
	ASSERT_REPLIES(&f, "\033[?2004;1$y\033[?2026;1$y\033[?25;2$y"
			   "\033[4;1$y");
	/* Other 'p' finals that would reset libtsm are dropped too. */
	fx_feed(&f, "\033[>1p\033[62\"p\033[61p\033[0 p!");
	ASSERT(aa_vt_alt_screen(f.vt));
	ASSERT_STR_EQ(fx_text(&f), "alt!\n\n\n");
	ASSERT_REPLIES(&f, "");
	/* UTF-8 still decodes (DECSCL would have left UTF-8 mode). */
	fx_feed(&f, "é");
	ASSERT_STR_EQ(fx_text(&f), "alt!é\n\n\n");
	/* The C1 CSI (U+009B) form is caught as well. */
	fx_feed(&f, "\xc2\x9b?1049$p");
	ASSERT(aa_vt_alt_screen(f.vt));
	ASSERT_REPLIES(&f, "\033[?1049;1$y");
	/* DECSTR, a real soft reset, still goes through. */
	fx_feed(&f, "\033[!p");
	ASSERT(!aa_vt_alt_screen(f.vt));
	fx_free(&f);
}

TEST(vt_decrqm_split_at_every_byte)
{
	static const char s[] = "\033[?1049hA\033[?2004$pB\xc2\x9b?2026$pC";
	struct fx f;
	size_t n = sizeof(s) - 1, cut;

	for (cut = 0; cut <= n; cut++) {
		fx_init(&f, 10, 2);
		ASSERT_EQ(aa_vt_feed(f.vt, s, cut), 0);
		ASSERT_EQ(aa_vt_feed(f.vt, s + cut, n - cut), 0);
		ASSERT(aa_vt_alt_screen(f.vt));
		ASSERT_STR_EQ(fx_text(&f), "ABC\n\n");
		ASSERT_REPLIES(&f, "\033[?2004;2$y\033[?2026;2$y");
		fx_free(&f);
	}
}

TEST(vt_dsr_and_cpr)
{
	struct fx f;

	fx_init(&f, 20, 5);
	fx_feed(&f, "\033[5n\033[3;7H\033[6n");
	ASSERT_REPLIES(&f, "\033[0n\033[3;7R");
	/* A C0 control inside the CSI is executed, the query answered. */
	fx_feed(&f, "\033[6\rn");
	ASSERT_REPLIES(&f, "\033[3;1R");
	/* ENQ is dropped rather than answered with a stray ^F. */
	fx_feed(&f, "\005\033[\0056n");
	ASSERT_REPLIES(&f, "\033[3;1R");
	fx_free(&f);
}

TEST(vt_device_attributes)
{
	struct fx f;

	fx_init(&f, 20, 5);
	fx_feed(&f, "\033[c\033[0c\033[>c\033[=c");
	ASSERT_REPLIES(&f, "\033[?60;1;6;9;15c\033[?60;1;6;9;15c"
			   "\033[>1;1;0c\033P!|00000000\033\\");
	/* Kitty keyboard probe: CSI ? u says "no flags", before DA1. */
	fx_feed(&f, "\033[?u\033[c");
	ASSERT_REPLIES(&f, "\033[?0u\033[?60;1;6;9;15c");
	/* XTVERSION is answered; the kitty protocol's push, pop and set
	 * are ignored without side effects; XTGETTCAP is answered in
	 * stream order (TN unknown here: this terminal was told no TERM;
	 * test-vtquery.c has its rows). */
	fx_feed(&f, "\033[>0q\033[>1u\033[<u\033[=1;1u\033P+q544e\033\\"
		    "\033[c");
	ASSERT_REPLIES(&f, "\033P>|agentapi-c " AA_VERSION_STRING "\033\\"
			   "\033P0+r544e\033\\\033[?60;1;6;9;15c");
	ASSERT_STR_EQ(fx_text(&f), "\n\n\n\n\n");
	fx_free(&f);
}

TEST(vt_osc_color_queries)
{
	struct fx f;

	fx_init(&f, 20, 2);
	fx_feed(&f, "\033]11;?\007\033]10;?\033\\");
	ASSERT_REPLIES(&f, "\033]11;rgb:0000/0000/0000\007"
			   "\033]10;rgb:e5e5/e5e5/e5e5\033\\");
	/* xterm's chained form and palette queries; C1 OSC/ST. */
	fx_feed(&f, "\033]10;?;?\007\033]4;1;?;196;?\007"
		    "\xc2\x9d" "12;?\xc2\x9c");
	ASSERT_REPLIES(&f, "\033]10;rgb:e5e5/e5e5/e5e5\007"
			   "\033]11;rgb:0000/0000/0000\007"
			   "\033]4;1;rgb:cdcd/0000/0000\007"
			   "\033]4;196;rgb:ffff/0000/0000\007"
			   "\033]12;rgb:e5e5/e5e5/e5e5\033\\");
	/* Setting colours, titles and aborted queries get no answer. */
	fx_feed(&f, "\033]11;#000000\007\033]0;title\007\033]11;?\030"
		    "\033]11;?x\007");
	ASSERT_REPLIES(&f, "");
	ASSERT_STR_EQ(fx_text(&f), "\n\n");
	fx_free(&f);
}

TEST(vt_replies_keep_stream_order)
{
	struct fx f;

	fx_init(&f, 20, 2);
	fx_feed(&f, "\033[c\033]11;?\007\033[?2004$p\033[6n\033[>c");
	ASSERT_REPLIES(&f, "\033[?60;1;6;9;15c\033]11;rgb:0000/0000/0000\007"
			   "\033[?2004;2$y\033[1;1R\033[>1;1;0c");
	fx_free(&f);
}

TEST(vt_synchronized_output)
{
	struct fx f;

	fx_init(&f, 10, 2);
	ASSERT(!aa_vt_synchronized(f.vt));
	fx_feed(&f, "\033[?2026h");
	ASSERT(aa_vt_synchronized(f.vt));
	fx_feed(&f, "frame");
	fx_feed(&f, "\033[?2026l");
	ASSERT(!aa_vt_synchronized(f.vt));
	ASSERT_STR_EQ(fx_text(&f), "frame\n\n");
	/* Inside a multi-parameter form. */
	fx_feed(&f, "\033[?25;2026h");
	ASSERT(aa_vt_synchronized(f.vt));
	/* The ANSI form (no '?') and an ignored CSI do not count. */
	fx_feed(&f, "\033[2026l\033[?2026:1l");
	ASSERT(aa_vt_synchronized(f.vt));
	fx_free(&f);
}

TEST(vt_bracketed_paste)
{
	struct fx f;

	fx_init(&f, 10, 2);
	ASSERT(!aa_vt_bracketed_paste(f.vt));
	fx_feed(&f, "\033[?1049;2004h");
	ASSERT(aa_vt_bracketed_paste(f.vt));
	ASSERT(aa_vt_alt_screen(f.vt));
	fx_feed(&f, "\033[?2004l");
	ASSERT(!aa_vt_bracketed_paste(f.vt));
	fx_feed(&f, "\033[?2004");
	ASSERT(!aa_vt_bracketed_paste(f.vt));
	fx_feed(&f, "h");
	ASSERT(aa_vt_bracketed_paste(f.vt));
	/* A full reset turns it off. */
	fx_feed(&f, "\033c");
	ASSERT(!aa_vt_bracketed_paste(f.vt));
	fx_free(&f);
}

TEST(vt_wide_screen_200_columns)
{
	struct fx f;
	struct aa_buf want;
	int i;

	fx_init(&f, 200, 3);
	aa_buf_init(&want);
	for (i = 0; i < 200; i++)
		ASSERT_EQ(aa_buf_putc(&want, (char)('a' + i % 26)), 0);
	fx_feed(&f, want.data);
	fx_feed(&f, "\033[2;200H|\033[3;100H中");
	ASSERT_EQ(aa_buf_printf(&want, "\n%199s|\n%99s中\n", "", ""), 0);
	ASSERT_STR_EQ(fx_text(&f), want.data);
	aa_buf_release(&want);
	fx_free(&f);
}

TEST(vt_ten_rows_scroll)
{
	struct fx f;
	char line[32];
	int i;

	fx_init(&f, 20, 10);
	for (i = 1; i <= 25; i++) {
		snprintf(line, sizeof(line), "%sline %d", i > 1 ? "\r\n" : "",
		    i);
		fx_feed(&f, line);
	}
	ASSERT_STR_EQ(fx_text(&f), "line 16\nline 17\nline 18\nline 19\n"
				   "line 20\nline 21\nline 22\nline 23\n"
				   "line 24\nline 25\n");
	/* Autowrap at the last column continues on the next row. */
	fx_feed(&f, "\r\n0123456789012345678901");
	ASSERT_STR_EQ(fx_text(&f), "line 18\nline 19\nline 20\nline 21\n"
				   "line 22\nline 23\nline 24\nline 25\n"
				   "01234567890123456789\n01\n");
	fx_free(&f);
}

TEST(vt_resize)
{
	struct fx f;
	uint64_t age;

	fx_init(&f, 10, 3);
	fx_feed(&f, "0123456789\r\nabc\r\nxyz");
	age = aa_vt_age(f.vt);
	ASSERT_EQ(aa_vt_resize(f.vt, 5, 4), 0);
	ASSERT_NE(aa_vt_age(f.vt), age);
	ASSERT_EQ(aa_vt_cols(f.vt), 5);
	ASSERT_EQ(aa_vt_rows(f.vt), 4);
	ASSERT_STR_EQ(fx_text(&f), "01234\nabc\nxyz\n\n");
	ASSERT_EQ(aa_vt_resize(f.vt, 12, 2), 0);
	fx_feed(&f, "\033[1;12H!");
	ASSERT_EQ(aa_vt_cols(f.vt), 12);
	ASSERT_EQ(strchr(fx_text(&f), '!') - f.text.data, 11);
	age = aa_vt_age(f.vt);
	ASSERT_EQ(aa_vt_resize(f.vt, 12, 2), 0);
	ASSERT_EQ(aa_vt_age(f.vt), age);
	fx_free(&f);
	/* A wide character in the last column loses its right half when
	 * the screen shrinks; growing again shows a blank, not a glyph
	 * hanging over a neighbour, and no trailing space. */
	fx_init(&f, 4, 2);
	fx_feed(&f, "ab中");
	ASSERT_EQ(aa_vt_resize(f.vt, 3, 2), 0);
	ASSERT_EQ(aa_vt_resize(f.vt, 6, 2), 0);
	ASSERT_STR_EQ(fx_text(&f), "ab\n\n");
	fx_free(&f);
}

TEST(vt_age_tracks_changes)
{
	struct fx f;
	uint64_t a0, a1;
	char *t0;

	fx_init(&f, 10, 2);
	a0 = aa_vt_age(f.vt);
	fx_feed(&f, "");
	ASSERT_EQ(aa_vt_age(f.vt), a0);
	fx_feed(&f, "x");
	a1 = aa_vt_age(f.vt);
	ASSERT_NE(a1, a0);
	t0 = strdup(fx_text(&f));
	/* Unchanged age: the same text, from the cache. */
	ASSERT_STR_EQ(fx_text(&f), t0);
	ASSERT_STR_EQ(t0, "x\n\n");
	/* Only a pending partial character: nothing reached the screen. */
	fx_feed(&f, "\xe4");
	ASSERT_EQ(aa_vt_age(f.vt), a1);
	fx_feed(&f, "\xb8\xad");
	ASSERT_NE(aa_vt_age(f.vt), a1);
	ASSERT_STR_EQ(fx_text(&f), "x中\n\n");
	/* Text appends to what the caller's buffer holds. */
	aa_buf_reset(&f.text);
	ASSERT_EQ(aa_buf_puts(&f.text, ">"), 0);
	ASSERT_EQ(aa_vt_text(f.vt, &f.text), 0);
	ASSERT_STR_EQ(f.text.data, ">x中\n\n");
	free(t0);
	fx_free(&f);
}

TEST(vt_controls_never_reach_text)
{
	struct fx f;
	const char *t;
	size_t i;

	fx_init(&f, 10, 3);
	fx_feed(&f, "a\001b\177c\032d\xc2\x85" "e\xc2\x9f" "f\033\\g\x0e" "h");
	t = fx_text(&f);
	for (i = 0; t[i] != '\0'; i++)
		ASSERT(t[i] == '\n' || (unsigned char)t[i] >= 0x20);
	ASSERT_EQ(strncmp(t, "abc", 3), 0);
	fx_free(&f);
}

/* Replays one golden stream on a 40x10 screen. */
static void
golden_case(void *arg)
{
	const char *name = arg;
	char path[4096];
	char *in, *want;
	size_t inlen, wantlen;
	struct fx f;

	snprintf(path, sizeof(path), "%s/tests/data/vt/%s.in", test_top(),
	    name);
	in = test_read_file(path, &inlen);
	ASSERT_NOT_NULL(in);
	snprintf(path, sizeof(path), "%s/tests/data/vt/%s.expected",
	    test_top(), name);
	want = test_read_file(path, &wantlen);
	ASSERT_NOT_NULL(want);
	fx_init(&f, 40, 10);
	ASSERT_EQ(aa_vt_feed(f.vt, in, inlen), 0);
	ASSERT_STR_EQ(fx_text(&f), want);
	fx_free(&f);
	free(in);
	free(want);
}

TEST_GENERATOR(vt_golden)
{
	char dir[4096], tname[300];
	struct dirent **ents;
	size_t len;
	int n, i;

	snprintf(dir, sizeof(dir), "%s/tests/data/vt", test_top());
	n = scandir(dir, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		len = strlen(ents[i]->d_name);
		if (len > 3 && strcmp(ents[i]->d_name + len - 3, ".in") == 0) {
			ents[i]->d_name[len - 3] = '\0';
			snprintf(tname, sizeof(tname), "vt_golden_%s",
			    ents[i]->d_name);
			test_add(tname, golden_case, strdup(ents[i]->d_name));
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/*
 * Incremental reads (only changed rows re-rendered, vt-read.c) against the
 * full read through tsm_screen_draw: after every chunk of a stream both
 * must give the same bytes.
 */
static void
check_incremental(struct aa_vt *vt, const char *what, size_t at)
{
	struct aa_buf a, b;

	aa_buf_init(&a);
	aa_buf_init(&b);
	ASSERT_EQ(aa_vt_text(vt, &a), 0);
	ASSERT_EQ(aa_vt_text_full(vt, &b), 0);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
		test_show_diff(a.data, a.len, b.data, b.len);
		test_fail(__FILE__, __LINE__, "%s: incremental read differs "
		    "from the full read after byte %zu", what, at);
	}
	aa_buf_release(&a);
	aa_buf_release(&b);
}

/* Feeds p in chunks of chunk bytes (0: a pseudo-random 1-97), comparing
 * both reads after each; every 5th chunk also resizes when asked. */
static void
replay_incremental(const char *what, const char *p, size_t n, unsigned cols,
    unsigned rows, size_t chunk, int resize)
{
	struct aa_vt *vt;
	uint32_t seed = 12345;
	size_t i, k, nchunk = 0;

	ASSERT_EQ(aa_vt_new(&vt, &(struct aa_vt_options){ .cols = cols,
	    .rows = rows }), 0);
	ASSERT(aa_vt_direct(vt));
	check_incremental(vt, what, 0);
	for (i = 0; i < n; i += k) {
		seed = seed * 1103515245u + 12345u;
		k = chunk != 0 ? chunk : 1 + (seed >> 16) % 97;
		if (k > n - i)
			k = n - i;
		ASSERT_EQ(aa_vt_feed(vt, p + i, k), 0);
		check_incremental(vt, what, i + k);
		if (resize && ++nchunk % 5 == 0) {
			ASSERT_EQ(aa_vt_resize(vt, cols + (seed >> 8) % 3,
			    rows + (seed >> 12) % 3), 0);
			check_incremental(vt, what, i + k);
		}
	}
	aa_vt_free(vt);
}

/* Replays one file (dir/name) at several sizes and chunkings. */
static void
incremental_case(void *arg)
{
	char *path = arg, *slash = strrchr(path, '/'), *in;
	size_t n;

	*slash = '\0';
	in = test_must_read_at(path, slash + 1, &n);
	*slash = '/';
	replay_incremental(path, in, n, 40, 10, 0, 0);
	replay_incremental(path, in, n, 80, 24, 1, 0);
	replay_incremental(path, in, n, 80, 24, 64, 1);
	replay_incremental(path, in, n, 13, 7, 0, 1);
	replay_incremental(path, in, n, 120, 50, n > 0 ? n : 1, 0);
	free(in);
}

TEST_GENERATOR(vt_incremental_streams)
{
	static const char *dirs[] = { "tests/data/vt", "tests/fuzz/corpus/vt",
		"tests/fuzz/corpus/pipeline", "tests/fuzz/regression/vt" };
	char dir[4096], path[8192], tname[300];
	struct dirent **ents;
	size_t d;
	int n, i;

	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(dir, sizeof(dir), "%s/%s", test_top(), dirs[d]);
		n = scandir(dir, &ents, NULL, alphasort);
		for (i = 0; i < n; i++) {
			if (ents[i]->d_name[0] != '.' &&
			    strstr(ents[i]->d_name, ".expected") == NULL) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    ents[i]->d_name);
				snprintf(tname, sizeof(tname),
				    "vt_incremental_%s_%s", dirs[d] + 6,
				    ents[i]->d_name);
				test_add(tname, incremental_case,
				    strdup(path));
			}
			free(ents[i]);
		}
		if (n >= 0)
			free(ents);
	}
}

/* The operations libtsm tracks differently: cell writes and erases (cell
 * ages), insert/delete of characters and lines and scrolling (screen age,
 * moved lines), the alternate screen (other lines), reset, resize. */
TEST(vt_incremental_every_kind_of_change)
{
	static const char *steps[] = {
		"\033[H\033[2J", "first line\r\nsecond line\r\nthird",
		"\033[2;3HXY", "\033[2;1H\033[2K", "\033[1;4H\033[2P",
		"\033[1;2H\033[3@", "\033[2;1H\033[L", "\033[1;1H\033[M",
		"\033[3;5H\033[X", "\033[5;1Hwide \xe4\xb8\xad\xe6\x96\x87 x",
		"\033[5;6Ha", "\033[5;7Hb", "\033[10;1H\n\n\n",
		"\033[2;8r\033[8;1H\n\n\033[r", "\033M\033M\033[1;1H\033M",
		"\033[?1049h", "alt screen text", "\033[3;3Halt",
		"\033[?1049l", "\033[?47h", "\033[?47l", "\033[1;1H\033[0K",
		"\033[1J", "\033[J", "\033[3S", "\033[2T",
		"\033[6;1H\033[4munder \033[0m", "\033[7;70Hend of a long row",
		"\033c", "after reset", "\033[1;1H\033[1;1H",
		"\033[4;1H\xf0\x9f\x98\x80\xf0\x9f\x98\x80\033[4;2Hz",
		"\033#8", "\033[1;1Hx",
		/* A wide character ending its row, its right half then
		 * blanked: the character goes. */
		"\033[8;1H\033[2K\xe4\xb8\xad", "\033[8;2H ",
		"\033[9;79H\xe4\xb8\xad", "\033[9;80H ",
	};
	struct aa_vt *vt;
	size_t i;

	ASSERT_EQ(aa_vt_new(&vt, &(struct aa_vt_options){ .cols = 80,
	    .rows = 10 }), 0);
	ASSERT(aa_vt_direct(vt));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ASSERT_EQ(aa_vt_feed(vt, steps[i], strlen(steps[i])), 0);
		check_incremental(vt, steps[i], i);
		if (i == 20) {
			ASSERT_EQ(aa_vt_resize(vt, 60, 12), 0);
			check_incremental(vt, "resize", i);
			ASSERT_EQ(aa_vt_resize(vt, 80, 10), 0);
			check_incremental(vt, "resize back", i);
		}
	}
	aa_vt_free(vt);
}

/* One changed line re-renders one row: the rest of the text is the same
 * bytes, and a read with nothing new gives the same text again. */
TEST(vt_incremental_one_line)
{
	struct aa_vt *vt;
	struct aa_buf a, b;
	char line[64];
	int i, k;

	aa_buf_init(&a);
	aa_buf_init(&b);
	ASSERT_EQ(aa_vt_new(&vt, &(struct aa_vt_options){ .cols = 80,
	    .rows = 1000 }), 0);
	for (i = 0; i < 999; i++) {
		k = snprintf(line, sizeof(line), "row %d\r\n", i);
		ASSERT_EQ(aa_vt_feed(vt, line, (size_t)k), 0);
	}
	ASSERT_EQ(aa_vt_text(vt, &a), 0);
	ASSERT_EQ(aa_vt_feed(vt, "\033[500;1H\033[2Kchanged", 19), 0);
	ASSERT_EQ(aa_vt_text(vt, &b), 0);
	ASSERT(strstr(b.data, "row 498\nchanged\nrow 500\n") != NULL);
	ASSERT_EQ(a.len - strlen("row 499"), b.len - strlen("changed"));
	check_incremental(vt, "one line", 0);
	aa_vt_free(vt);
	aa_buf_release(&a);
	aa_buf_release(&b);
}

/* Rows that grow, shrink or empty are spliced into the cached text; past
 * vt-read.c's splice limit every row is read afresh: both match the full
 * read. */
TEST(vt_incremental_many_rows)
{
	struct aa_vt *vt;
	char line[96];
	int i, k, round;

	ASSERT_EQ(aa_vt_new(&vt, &(struct aa_vt_options){ .cols = 80,
	    .rows = 200 }), 0);
	check_incremental(vt, "blank", 0);
	for (round = 0; round < 6; round++) {
		/* 3, 30, 70, 150 changed rows, then fewer again. */
		int n = (int[]){ 3, 30, 70, 150, 65, 1 }[round];

		for (i = 0; i < n; i++) {
			k = snprintf(line, sizeof(line), "\033[%d;1H\033[2K%.*s",
			    1 + (i * 7 + round) % 200, (i * 13 + round * 5) %
			    79, "a longer or shorter row of text, cut to "
			    "length each round so rows grow and shrink...");
			ASSERT_EQ(aa_vt_feed(vt, line, (size_t)k), 0);
		}
		check_incremental(vt, "rows", (size_t)round);
	}
	aa_vt_free(vt);
}
