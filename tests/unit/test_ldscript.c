/* Unit tests for gr_ldscript: real Debian 12 implicit linker scripts, the
 * GNU ld lexer rules (ld/ldlex.l SCRIPT and INPUTLIST states), every error
 * path, truncation of every sample, and every text script on this machine. */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_ldscript.h"
#include "gr_test.h"

/* ---- helpers ---------------------------------------------------------- */

/* Parse an exact-size heap copy of n bytes, so ASan catches any over-read. */
static int
parse_n(const char *text, size_t n, struct gr_ldscript **s, struct gr_error *e)
{
	char *copy = malloc(n ? n : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, n);
	gr_error_clear(e);
	rc = gr_ldscript_parse(n ? copy : NULL, n, "t", s, e);
	free(copy);
	return rc;
}

/* Parse a NUL-terminated sample (the NUL is not passed) and require success. */
static struct gr_ldscript *
parse_ok(const char *text)
{
	struct gr_ldscript *s = NULL;
	struct gr_error e;
	int rc = parse_n(text, strlen(text), &s, &e);

	ck_assert_msg(rc == GR_OK, "parse of <<%s>> failed: rc=%d %s", text, rc, e.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void
expect_input(const struct gr_ldscript *s, size_t i, const char *name, bool is_lib, bool as_needed,
             int group)
{
	ck_assert_msg(i < s->ninputs, "input %zu missing (%zu inputs)", i, s->ninputs);
	ck_assert_str_eq(s->inputs[i].name, name);
	ck_assert_msg(s->inputs[i].is_lib == is_lib, "input %zu (%s): is_lib=%d", i, name,
	              s->inputs[i].is_lib);
	ck_assert_msg(s->inputs[i].as_needed == as_needed, "input %zu (%s): as_needed=%d", i, name,
	              s->inputs[i].as_needed);
	ck_assert_msg(s->inputs[i].group == group, "input %zu (%s): group=%d, want %d", i, name,
	              s->inputs[i].group, group);
}

/* Structural invariants every successful parse must satisfy. */
static void
check_invariants(const struct gr_ldscript *s)
{
	size_t i;

	ck_assert(s->noutput_format == 0 || s->noutput_format == 1 || s->noutput_format == 3);
	for (i = 0; i < 3; i++)
		ck_assert((s->output_format[i] != NULL) == (i < s->noutput_format));
	ck_assert(s->ngroups >= 0);
	for (i = 0; i < s->ninputs; i++) {
		ck_assert_ptr_nonnull(s->inputs[i].name);
		ck_assert(s->inputs[i].name[0] != '\0');
		ck_assert(s->inputs[i].group >= 0 && s->inputs[i].group <= s->ngroups);
	}
	for (i = 0; i < s->nsearch_dirs; i++)
		ck_assert_ptr_nonnull(s->search_dirs[i]);
}

/* ---- real Debian 12 scripts ------------------------------------------- */

static const char libm_a[] =
	"/* GNU ld script\n*/\nOUTPUT_FORMAT(elf64-x86-64)\n"
	"GROUP ( /usr/lib/x86_64-linux-gnu/libm-2.36.a /usr/lib/x86_64-linux-gnu/libmvec.a )\n";
static const char libc_so[] =
	"/* GNU ld script\n"
	"   Use the shared library, but some functions are only in\n"
	"   the static library, so try that secondarily.  */\n"
	"OUTPUT_FORMAT(elf64-x86-64)\n"
	"GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc_nonshared.a  "
	"AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )\n";
static const char libm_so[] =
	"/* GNU ld script\n*/\nOUTPUT_FORMAT(elf64-x86-64)\n"
	"GROUP ( /lib/x86_64-linux-gnu/libm.so.6  AS_NEEDED ( /lib/x86_64-linux-gnu/libmvec.so.1 ) )\n";
static const char libncurses_so[] = "INPUT(libncurses.so.6 -ltinfo)\n";
static const char libtermcap_so[] =
	"/* We use a linker script rather than a symlink to work around\n"
	"   an ldconfig bug, see http://bugs.debian.org/249122. */\n"
	"GROUP( libtinfo.so )\n";

START_TEST(test_libm_a)
{
	struct gr_ldscript *s = parse_ok(libm_a);

	ck_assert_uint_eq(s->noutput_format, 1);
	ck_assert_str_eq(s->output_format[0], "elf64-x86-64");
	ck_assert_ptr_null(s->output_format[1]);
	ck_assert_int_eq(s->ngroups, 1);
	ck_assert_uint_eq(s->ninputs, 2);
	expect_input(s, 0, "/usr/lib/x86_64-linux-gnu/libm-2.36.a", false, false, 1);
	expect_input(s, 1, "/usr/lib/x86_64-linux-gnu/libmvec.a", false, false, 1);
	ck_assert_uint_eq(s->nsearch_dirs, 0);
	check_invariants(s);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_libc_so)
{
	struct gr_ldscript *s = parse_ok(libc_so);

	ck_assert_uint_eq(s->noutput_format, 1);
	ck_assert_str_eq(s->output_format[0], "elf64-x86-64");
	ck_assert_int_eq(s->ngroups, 1);
	ck_assert_uint_eq(s->ninputs, 3);
	expect_input(s, 0, "/lib/x86_64-linux-gnu/libc.so.6", false, false, 1);
	expect_input(s, 1, "/usr/lib/x86_64-linux-gnu/libc_nonshared.a", false, false, 1);
	expect_input(s, 2, "/lib64/ld-linux-x86-64.so.2", false, true, 1);
	check_invariants(s);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_libm_so)
{
	struct gr_ldscript *s = parse_ok(libm_so);

	ck_assert_uint_eq(s->ninputs, 2);
	expect_input(s, 0, "/lib/x86_64-linux-gnu/libm.so.6", false, false, 1);
	expect_input(s, 1, "/lib/x86_64-linux-gnu/libmvec.so.1", false, true, 1);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_libncurses_so)
{
	struct gr_ldscript *s = parse_ok(libncurses_so);

	ck_assert_uint_eq(s->noutput_format, 0);
	ck_assert_ptr_null(s->output_format[0]);
	ck_assert_int_eq(s->ngroups, 0);
	ck_assert_uint_eq(s->ninputs, 2);
	expect_input(s, 0, "libncurses.so.6", false, false, 0);
	expect_input(s, 1, "tinfo", true, false, 0);
	check_invariants(s);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_libtermcap_so)
{
	struct gr_ldscript *s = parse_ok(libtermcap_so);

	ck_assert_int_eq(s->ngroups, 1);
	ck_assert_uint_eq(s->ninputs, 1);
	expect_input(s, 0, "libtinfo.so", false, false, 1);
	gr_ldscript_free(s);
}
END_TEST

/* ---- grammar ---------------------------------------------------------- */

START_TEST(test_output_format3)
{
	/* The form of ld's own default scripts (ldscripts/elf_x86_64.x). */
	struct gr_ldscript *s =
		parse_ok("OUTPUT_FORMAT(\"elf64-x86-64\", \"elf64-x86-64\",\n"
		         "              \"elf64-x86-64\")\nINPUT(a.o)\n");

	ck_assert_uint_eq(s->noutput_format, 3);
	ck_assert_str_eq(s->output_format[0], "elf64-x86-64");
	ck_assert_str_eq(s->output_format[1], "elf64-x86-64");
	ck_assert_str_eq(s->output_format[2], "elf64-x86-64");
	gr_ldscript_free(s);

	/* Unquoted names need a space before each ',' (else the ',' joins the name). */
	s = parse_ok("OUTPUT_FORMAT(elf32-bigmips , elf32-bigmips ,elf32-littlemips)\nINPUT(a.o)");
	ck_assert_uint_eq(s->noutput_format, 3);
	ck_assert_str_eq(s->output_format[0], "elf32-bigmips");
	ck_assert_str_eq(s->output_format[1], "elf32-bigmips");
	ck_assert_str_eq(s->output_format[2], "elf32-littlemips");
	gr_ldscript_free(s);

	/* "a,b,c" without spaces is one name to ld's lexer (FILENAMECHAR has ','). */
	s = parse_ok("OUTPUT_FORMAT(a,b,c) INPUT(a.o)");
	ck_assert_uint_eq(s->noutput_format, 1);
	ck_assert_str_eq(s->output_format[0], "a,b,c");
	gr_ldscript_free(s);

	/* A repeated, identical OUTPUT_FORMAT is harmless. */
	s = parse_ok("OUTPUT_FORMAT(x) INPUT(a.o) OUTPUT_FORMAT(\"x\")");
	ck_assert_uint_eq(s->noutput_format, 1);
	ck_assert_str_eq(s->output_format[0], "x");
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_search_dir)
{
	struct gr_ldscript *s =
		parse_ok("SEARCH_DIR(/opt/lib) SEARCH_DIR(\"=/usr/lib/x86_64-linux-gnu\");\n"
		         "SEARCH_DIR($SYSROOT/lib)\nGROUP(libfoo.a)");

	ck_assert_uint_eq(s->nsearch_dirs, 3);
	ck_assert_str_eq(s->search_dirs[0], "/opt/lib");
	ck_assert_str_eq(s->search_dirs[1], "=/usr/lib/x86_64-linux-gnu");
	ck_assert_str_eq(s->search_dirs[2], "$SYSROOT/lib");
	expect_input(s, 0, "libfoo.a", false, false, 1);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_quoted)
{
	struct gr_ldscript *s =
		parse_ok("INPUT(\"a b.a\" \"/dir with space/lib(x).so\" \"-lnotalib\" \"AS_NEEDED\" "
		         "\"caf\xc3\xa9.a\"\"tab\there.o\")");

	ck_assert_uint_eq(s->ninputs, 6);
	expect_input(s, 0, "a b.a", false, false, 0);
	expect_input(s, 1, "/dir with space/lib(x).so", false, false, 0);
	expect_input(s, 2, "-lnotalib", false, false, 0);  /* quoted: a file, not -l */
	expect_input(s, 3, "AS_NEEDED", false, false, 0);  /* quoted: a file, not the keyword */
	expect_input(s, 4, "caf\xc3\xa9.a", false, false, 0);
	expect_input(s, 5, "tab\there.o", false, false, 0);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_commas)
{
	struct gr_ldscript *s = parse_ok("INPUT(a.o , b.o ,c.o\n,\td.o) GROUP(\"e.o\",\"f.o\" ,-lg)");

	ck_assert_uint_eq(s->ninputs, 7);
	expect_input(s, 0, "a.o", false, false, 0);
	expect_input(s, 1, "b.o", false, false, 0);
	expect_input(s, 2, "c.o", false, false, 0);
	expect_input(s, 3, "d.o", false, false, 0);
	expect_input(s, 4, "e.o", false, false, 1);
	expect_input(s, 5, "f.o", false, false, 1);
	expect_input(s, 6, "g", true, false, 1);
	gr_ldscript_free(s);

	/* ld 2.40: "INPUT(a.o,b.o)" looks for one file "a.o,b.o", and
	 * "INPUT(a.o, b.o)" for "a.o," then "b.o" (a ',' is a FILENAMECHAR). */
	s = parse_ok("INPUT(a.o,b.o) INPUT(c.o, d.o) INPUT(-lx,y)");
	ck_assert_uint_eq(s->ninputs, 4);
	expect_input(s, 0, "a.o,b.o", false, false, 0);
	expect_input(s, 1, "c.o,", false, false, 0);
	expect_input(s, 2, "d.o", false, false, 0);
	expect_input(s, 3, "x,y", true, false, 0);
	gr_ldscript_free(s);

	/* A ',' may also come right after AS_NEEDED( ) or a quoted name. */
	s = parse_ok("GROUP(AS_NEEDED(a.so),b.a)");
	expect_input(s, 0, "a.so", false, true, 1);
	expect_input(s, 1, "b.a", false, false, 1);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_libs)
{
	struct gr_ldscript *s =
		parse_ok("INPUT(-lfoo -l:libbar.a -lc++ -l:libz.so.1 -lgcc_s AS_NEEDED(-lm))");

	ck_assert_uint_eq(s->ninputs, 6);
	expect_input(s, 0, "foo", true, false, 0);
	expect_input(s, 1, ":libbar.a", true, false, 0);
	expect_input(s, 2, "c++", true, false, 0);
	expect_input(s, 3, ":libz.so.1", true, false, 0);
	expect_input(s, 4, "gcc_s", true, false, 0);
	expect_input(s, 5, "m", true, true, 0);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_sysroot_names)
{
	struct gr_ldscript *s =
		parse_ok("GROUP(=/usr/lib/libc.a $SYSROOT/usr/lib/libm.a =libx.a \"=/q u/o.a\" "
		         "~/lib/l.a ./rel/a+b-c_d.a ../up[1].a C:\\\\lib\\\\w.a)");

	ck_assert_uint_eq(s->ninputs, 8);
	expect_input(s, 0, "=/usr/lib/libc.a", false, false, 1);
	expect_input(s, 1, "$SYSROOT/usr/lib/libm.a", false, false, 1);
	expect_input(s, 2, "=libx.a", false, false, 1);
	expect_input(s, 3, "=/q u/o.a", false, false, 1);
	expect_input(s, 4, "~/lib/l.a", false, false, 1);
	expect_input(s, 5, "./rel/a+b-c_d.a", false, false, 1);
	expect_input(s, 6, "../up[1].a", false, false, 1);
	expect_input(s, 7, "C:\\\\lib\\\\w.a", false, false, 1);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_groups_and_as_needed)
{
	struct gr_ldscript *s =
		parse_ok("GROUP(a.a b.a)\nINPUT(c.o AS_NEEDED(d.so AS_NEEDED(e.so) f.so) g.o)\n"
		         "GROUP(AS_NEEDED(h.so) i.a)\nSTARTUP(crt0.o)\nGROUP(j.a)");

	ck_assert_int_eq(s->ngroups, 3);
	ck_assert_uint_eq(s->ninputs, 11);
	expect_input(s, 0, "a.a", false, false, 1);
	expect_input(s, 1, "b.a", false, false, 1);
	expect_input(s, 2, "c.o", false, false, 0);
	expect_input(s, 3, "d.so", false, true, 0);
	expect_input(s, 4, "e.so", false, true, 0);
	expect_input(s, 5, "f.so", false, true, 0);
	expect_input(s, 6, "g.o", false, false, 0);
	expect_input(s, 7, "h.so", false, true, 2);
	expect_input(s, 8, "i.a", false, false, 2);
	expect_input(s, 9, "crt0.o", false, false, 0);
	expect_input(s, 10, "j.a", false, false, 3);
	check_invariants(s);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_ignored_and_layout)
{
	/* Comments everywhere, '#' comments at top level, CRLF, ';' separators,
	 * keywords glued to '(' or spaced, and the accepted-and-ignored commands. */
	struct gr_ldscript *s =
		parse_ok("# a shell-style comment at top level\r\n"
		         "/**/OUTPUT_ARCH(i386:x86-64);;TARGET(\"elf64-x86-64\")\r\n"
		         "ENTRY(_start) /* c */ INPUT /*c*/(/* c */a.o /**/b.o /* multi\nline */)"
		         "GROUP\n(\nc.a\n)\n;");

	ck_assert_uint_eq(s->noutput_format, 0);
	ck_assert_uint_eq(s->ninputs, 3);
	expect_input(s, 0, "a.o", false, false, 0);
	expect_input(s, 1, "b.o", false, false, 0);
	expect_input(s, 2, "c.a", false, false, 1);
	gr_ldscript_free(s);

	/* A script with commands but no inputs is valid to ld. */
	s = parse_ok("OUTPUT_FORMAT(elf64-x86-64)");
	ck_assert_uint_eq(s->ninputs, 0);
	ck_assert_int_eq(s->ngroups, 0);
	gr_ldscript_free(s);

	/* Words that are commands only when they stand alone. */
	s = parse_ok("GROUP(INPUT GROUP AS_NEEDEDx SECTIONS)");
	ck_assert_uint_eq(s->ninputs, 4);
	expect_input(s, 0, "INPUT", false, false, 1);
	expect_input(s, 2, "AS_NEEDEDx", false, false, 1);
	gr_ldscript_free(s);
}
END_TEST

START_TEST(test_many)
{
	/* Array growth and deep AS_NEEDED nesting (no recursion in the parser). */
	size_t n = 5000, depth = 20000, i, cap = n * 16 + depth * 12 + 100 * 20 + 64, o = 0;
	char *buf = malloc(cap);
	struct gr_ldscript *s = NULL;
	struct gr_error e;

	ck_assert_ptr_nonnull(buf);
	o += (size_t)snprintf(buf + o, cap - o, "GROUP(");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, cap - o, "f%zu.o ", i);
	for (i = 0; i < depth; i++)
		o += (size_t)snprintf(buf + o, cap - o, "AS_NEEDED(");
	o += (size_t)snprintf(buf + o, cap - o, "deep.so");
	for (i = 0; i < depth; i++)
		o += (size_t)snprintf(buf + o, cap - o, ")");
	o += (size_t)snprintf(buf + o, cap - o, ")");
	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(buf + o, cap - o, "SEARCH_DIR(d%zu)", i);
	ck_assert_uint_lt(o, cap);
	ck_assert_int_eq(parse_n(buf, o, &s, &e), GR_OK);
	ck_assert_uint_eq(s->ninputs, n + 1);
	expect_input(s, 0, "f0.o", false, false, 1);
	expect_input(s, n - 1, "f4999.o", false, false, 1);
	expect_input(s, n, "deep.so", false, true, 1);
	ck_assert_uint_eq(s->nsearch_dirs, 100);
	ck_assert_str_eq(s->search_dirs[99], "d99");
	check_invariants(s);
	gr_ldscript_free(s);
	free(buf);
}
END_TEST

START_TEST(test_api)
{
	struct gr_ldscript *s = (struct gr_ldscript *)&s;  /* poison: must become NULL */
	struct gr_error e;

	gr_ldscript_free(NULL);
	gr_error_clear(&e);
	ck_assert_int_eq(gr_ldscript_parse("INPUT(a)", 8, "t", NULL, &e), GR_EUSAGE);
	ck_assert_int_eq(gr_ldscript_parse(NULL, 3, "t", &s, &e), GR_EUSAGE);
	ck_assert_ptr_null(s);
	s = (struct gr_ldscript *)&s;
	ck_assert_int_eq(gr_ldscript_parse("INPUT(", 6, "t", &s, &e), GR_EFORMAT);
	ck_assert_ptr_null(s);
	/* A NULL path is tolerated and still named. */
	ck_assert_int_eq(gr_ldscript_parse("junk", 4, NULL, &s, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "(linker script):1:"));
	/* len is authoritative: text after len is never read. */
	ck_assert_int_eq(gr_ldscript_parse("INPUT(a.o)SECTIONS{}", 10, "t", &s, &e), GR_OK);
	ck_assert_uint_eq(s->ninputs, 1);
	gr_ldscript_free(s);
}
END_TEST

/* An empty, blank or comment-only file is a script with no members: GNU ld
 * links with it (gcc -static -L. -lempty -Wl,--trace lists ./libempty.a and
 * nothing from it), so it is no error. */
START_TEST(test_empty_script)
{
	static const char *const texts[] = {
		"", "\n", "  \n\t\n", "/* only a comment */\n",
		"  \n/* only a comment */\n# and this\n;;\n", ";",
	};
	struct gr_ldscript *s;
	struct gr_error e;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		s = NULL;
		gr_error_clear(&e);
		ck_assert_msg(gr_ldscript_parse(texts[i], strlen(texts[i]), "t", &s, &e) == GR_OK,
		              "text %zu: %s", i, e.msg);
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->ninputs, 0);
		ck_assert_uint_eq(s->noutput_format, 0);
		gr_ldscript_free(s);
	}
	/* A NULL text of length 0 is the empty file too. */
	s = NULL;
	ck_assert_int_eq(gr_ldscript_parse(NULL, 0, "t", &s, &e), GR_OK);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->ninputs, 0);
	gr_ldscript_free(s);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

struct err_case {
	const char *text;
	size_t len;          /* 0: strlen(text) */
	const char *where;   /* "t:LINE:" prefix expected */
	const char *needle;  /* substring of the message */
};

static const struct err_case err_cases[] = {
	{ "INPUT(a.o", 0, "t:1:", "missing ')': INPUT( on line 1 is not closed" },
	{ "GROUP (\na.o\nAS_NEEDED(b.so)\n", 0, "t:4:", "GROUP( on line 1 is not closed" },
	{ "GROUP(AS_NEEDED(b.so)", 0, "t:1:", "not closed" },
	{ "GROUP(AS_NEEDED(b.so", 0, "t:1:", "nor is an AS_NEEDED(" },
	{ "INPUT(a.o))", 0, "t:1:", "unexpected ')'" },
	{ "INPUT(a.o)\n)", 0, "t:2:", "unexpected ')'" },
	{ "(INPUT(a.o))", 0, "t:1:", "unexpected '('" },
	{ "INPUT((a.o))", 0, "t:1:", "unexpected '('" },
	{ "INPUT(a.o;b.o)", 0, "t:1:", "invalid character ';' in a file list" },
	{ "/* unterminated\ncomment", 0, "t:1:", "unterminated comment" },
	{ "INPUT(a.o)\n\n/* open /", 0, "t:3:", "unterminated comment" },
	{ "INPUT(a.o /* x */ b.o /*)", 0, "t:1:", "unterminated comment" },
	{ "/*/ INPUT(a.o)", 0, "t:1:", "unterminated comment" },
	{ "INPUT(\"a b.o)", 0, "t:1:", "unterminated quoted name" },
	{ "INPUT(a.o)\nOUTPUT_FORMAT(\"elf", 0, "t:2:", "unterminated quoted name" },
	{ "INPUT(\"a\nb\" c.o", 0, "t:2:", "not closed" },  /* lines counted inside quotes */
	{ "INPUT(a.o)\nfoo", 0, "t:2:", "'foo' is not a linker script command" },
	{ "input(a.o)", 0, "t:1:", "'input' is not a linker script command" },
	{ "libc.so.6", 0, "t:1:", "'libc.so.6' is not a linker script command" },
	{ "INPUT, (a.o)", 0, "t:1:", "'INPUT,' is not a linker script command" },
	{ "INPUT(a.o\0b.o)", 14, "t:1:", "NUL byte at offset 9" },
	{ "INPUT(a.o)\n/* \0 */", 18, "t:2:", "NUL byte" },
	{ "\x7f" "ELF\x02\x01\x01", 0, "t:1:", "invalid character '\\177' in a linker script (not a text" },
	{ "!<arch>\n", 0, "t:1:", "invalid character '!'" },
	{ "INPUT(a.o \x01)", 0, "t:1:", "invalid character '\\001' in a file list" },
	{ "INPUT(caf\xc3\xa9.o)", 0, "t:1:", "invalid character '\\303'" },
	{ "INPUT(a.o)\f", 0, "t:1:", "invalid character '\\014'" },
	{ "SECTIONS { .text : { *(.text) } }", 0, "t:1:", "unsupported command SECTIONS" },
	{ "INPUT(a.o)\nMEMORY { ram : ORIGIN = 0, LENGTH = 1K }", 0, "t:2:",
	  "unsupported command MEMORY" },
	{ "PHDRS { text PT_LOAD ; }", 0, "t:1:", "unsupported command PHDRS" },
	{ "INCLUDE other.ld", 0, "t:1:", "unsupported command INCLUDE" },
	{ "INSERT AFTER .text", 0, "t:1:", "unsupported command INSERT" },
	{ "VERSION { V1 { global: *; }; }", 0, "t:1:", "unsupported command VERSION" },
	{ "INPUT()", 0, "t:1:", "empty INPUT( ) list" },
	{ "GROUP(\n)", 0, "t:2:", "empty GROUP( ) list" },
	{ "GROUP(a.a AS_NEEDED())", 0, "t:1:", "empty AS_NEEDED( ) list" },
	{ "INPUT(,a.o)", 0, "t:1:", "unexpected ','" },
	{ "INPUT(a.o , , b.o)", 0, "t:1:", "unexpected ','" },
	{ "INPUT(a.o ,)", 0, "t:1:", "must be followed by a name" },
	{ "INPUT(AS_NEEDED(a.so) ,)", 0, "t:1:", "must be followed by a name" },
	{ "INPUT a.o", 0, "t:1:", "expected '(' after INPUT, found 'a.o'" },
	{ "GROUP", 0, "t:1:", "expected '(' after GROUP, found end of file" },
	{ "INPUT(AS_NEEDED a.so)", 0, "t:1:", "expected '(' after AS_NEEDED" },
	{ "AS_NEEDED(a.so)", 0, "t:1:", "AS_NEEDED may only appear inside" },
	{ "INPUT(-foo)", 0, "t:1:", "'-' here must start -lNAME" },
	{ "INPUT(-l)", 0, "t:1:", "'-' here must start -lNAME" },
	{ "INPUT(-l )", 0, "t:1:", "'-' here must start -lNAME" },
	{ "INPUT(-l:)", 0, "t:1:", "'-l:' names no file" },
	{ "INPUT(= a.o)", 0, "t:1:", "'=' must be followed by a file name" },
	{ "INPUT(=1.o)", 0, "t:1:", "'=' must be followed by a file name" },
	{ "INPUT(a.o # comment\n)", 0, "t:1:", "invalid character '#' in a file list" },
	{ "INPUT(1a.o)", 0, "t:1:", "invalid character '1' in a file list" },
	{ "INPUT(\"\")", 0, "t:1:", "empty file name" },
	{ "INPUT(a.o), INPUT(b.o)", 0, "t:1:", "unexpected ','; expected a command" },
	{ "\"INPUT\"(a.o)", 0, "t:1:", "unexpected \"INPUT\"" },
	{ "-lfoo", 0, "t:1:", "invalid character '-' in a linker script" },
	{ "=INPUT(a.o)", 0, "t:1:", "invalid character '='" },
	{ "OUTPUT_FORMAT(elf64-x86-64, elf64-x86-64, elf64-x86-64)", 0, "t:1:",
	  "put a space before it" },
	{ "OUTPUT_FORMAT(a , b)", 0, "t:1:", "it takes one name or three" },
	{ "OUTPUT_FORMAT(a , b , c , d)", 0, "t:1:", "')' after its third name" },
	{ "OUTPUT_FORMAT()", 0, "t:1:", "OUTPUT_FORMAT expects a name, found ')'" },
	{ "OUTPUT_FORMAT(\"\")", 0, "t:1:", "OUTPUT_FORMAT has an empty name" },
	{ "OUTPUT_FORMAT(x)\nINPUT(a.o)\nOUTPUT_FORMAT(y)", 0, "t:3:",
	  "OUTPUT_FORMAT differs from the one on line 1" },
	{ "OUTPUT_FORMAT(x) OUTPUT_FORMAT(x , x , x)", 0, "t:1:", "differs" },
	{ "SEARCH_DIR(a b)", 0, "t:1:", "SEARCH_DIR: expected ')', found 'b'" },
	{ "SEARCH_DIR()", 0, "t:1:", "SEARCH_DIR expects a name" },
	{ "ENTRY(-1)", 0, "t:1:", "invalid character '-'" },
	{ "ENTRY(main", 0, "t:1:", "ENTRY: expected ')', found end of file" },
	{ "OUTPUT_ARCH(i386:x86-64) TARGET()", 0, "t:1:", "TARGET expects a name" },
	{ "STARTUP(a.o b.o)", 0, "t:1:", "STARTUP: expected ')'" },
	{ "STARTUP(-lc)", 0, "t:1:", "invalid character '-'" },
	{ "INPUT(a.o)\n\n\nGROUP(b.a\n\n", 0, "t:6:", "GROUP( on line 4 is not closed" },
};

START_TEST(test_errors)
{
	const struct err_case *c = &err_cases[_i];
	size_t n = c->len ? c->len : strlen(c->text);
	struct gr_ldscript *s = (struct gr_ldscript *)&s;
	struct gr_error e;
	int rc = parse_n(c->text, n, &s, &e);

	ck_assert_msg(rc == GR_EFORMAT, "case %d <<%s>>: rc=%d (%s), want GR_EFORMAT", _i, c->text,
	              rc, e.msg);
	ck_assert_int_eq(e.code, GR_EFORMAT);
	ck_assert_ptr_null(s);
	ck_assert_msg(strncmp(e.msg, c->where, strlen(c->where)) == 0,
	              "case %d <<%s>>: '%s' does not start with '%s'", _i, c->text, e.msg, c->where);
	ck_assert_msg(strstr(e.msg, c->needle) != NULL, "case %d <<%s>>: '%s' lacks '%s'", _i,
	              c->text, e.msg, c->needle);
}
END_TEST

/* ---- truncation ------------------------------------------------------- */

static const char *const valid_samples[] = {
	libm_a, libc_so, libm_so, libncurses_so, libtermcap_so,
	"OUTPUT_FORMAT(\"elf64-x86-64\", \"elf64-x86-64\", \"elf64-x86-64\")\n"
	"OUTPUT_ARCH(i386:x86-64) TARGET(elf64-x86-64) ENTRY(_start)\n"
	"SEARCH_DIR(\"=/usr/lib\"); SEARCH_DIR(/opt/lib)\n"
	"# comment\nSTARTUP(crt0.o)\n"
	"INPUT(\"a b.a\" , -l:libx.a,y.o -lz =/s/r.a $SYSROOT/t.a AS_NEEDED(-lq , \"w.so\"))\n"
	"GROUP ( AS_NEEDED ( AS_NEEDED ( n.so ) ) ,m.a /* c */ )\r\n;",
};

START_TEST(test_truncate)
{
	const char *text = valid_samples[_i];
	size_t n = strlen(text), k;
	struct gr_ldscript *s = NULL;
	struct gr_error e;
	int rc;

	/* The whole sample parses. */
	ck_assert_int_eq(parse_n(text, n, &s, &e), GR_OK);
	gr_ldscript_free(s);
	for (k = 0; k < n; k++) {
		s = NULL;
		rc = parse_n(text, k, &s, &e);
		ck_assert_msg(rc == GR_OK || rc == GR_EFORMAT, "sample %d prefix %zu: rc=%d (%s)", _i, k,
		              rc, e.msg);
		if (rc == GR_OK) {
			ck_assert_ptr_nonnull(s);
			check_invariants(s);
			gr_ldscript_free(s);
		} else {
			ck_assert_ptr_null(s);
			ck_assert_msg(strncmp(e.msg, "t:", 2) == 0, "sample %d prefix %zu: '%s'", _i, k,
			              e.msg);
		}
	}
}
END_TEST

/* ---- scripts on this machine ------------------------------------------ */

static const char *const sys_globs[] = {
	"/usr/lib/x86_64-linux-gnu/*.so",
	"/usr/lib/x86_64-linux-gnu/*.a",
};

START_TEST(test_system_scripts)
{
	size_t g, i, nscripts = 0;

	for (g = 0; g < sizeof(sys_globs) / sizeof(sys_globs[0]); g++) {
		glob_t gl;
		int grc = glob(sys_globs[g], 0, NULL, &gl);

		if (grc == GLOB_NOMATCH)
			continue;
		ck_assert_int_eq(grc, 0);
		for (i = 0; i < gl.gl_pathc; i++) {
			const char *path = gl.gl_pathv[i];
			struct gr_ldscript *s = NULL;
			struct gr_error e;
			unsigned char head[8];
			size_t got, n;
			char *text;
			long sz;
			FILE *f = fopen(path, "rb");
			int rc;

			if (!f)
				continue;  /* dangling symlink or unreadable: not ours to judge */
			got = fread(head, 1, sizeof(head), f);
			if ((got >= 4 && memcmp(head, "\x7f" "ELF", 4) == 0) ||
			    (got >= 7 && memcmp(head, "!<arch>", 7) == 0) ||
			    fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || sz > (1L << 20)) {
				fclose(f);
				continue;
			}
			n = (size_t)sz;
			text = malloc(n ? n : 1);
			ck_assert_ptr_nonnull(text);
			rewind(f);
			ck_assert_uint_eq(fread(text, 1, n, f), n);
			fclose(f);
			rc = gr_ldscript_parse(text, n, path, &s, &e);
			ck_assert_msg(rc == GR_OK, "%s: rc=%d %s", path, rc, e.msg);
			ck_assert_msg(s->ninputs >= 1, "%s: no inputs", path);
			check_invariants(s);
			gr_ldscript_free(s);
			free(text);
			nscripts++;
		}
		globfree(&gl);
	}
	/* libc6-dev alone ships libc.so, libm.so and libm.a as scripts. */
	ck_assert_msg(nscripts >= 1, "no text linker scripts found under /usr/lib/x86_64-linux-gnu");
}
END_TEST

/* ---- runner ----------------------------------------------------------- */

static Suite *
ldscript_suite(void)
{
	Suite *s = suite_create("ldscript");
	TCase *t;

	t = tcase_create("debian");
	tcase_add_test(t, test_libm_a);
	tcase_add_test(t, test_libc_so);
	tcase_add_test(t, test_libm_so);
	tcase_add_test(t, test_libncurses_so);
	tcase_add_test(t, test_libtermcap_so);
	tcase_add_test(t, test_system_scripts);
	suite_add_tcase(s, t);

	t = tcase_create("grammar");
	tcase_add_test(t, test_output_format3);
	tcase_add_test(t, test_search_dir);
	tcase_add_test(t, test_quoted);
	tcase_add_test(t, test_commas);
	tcase_add_test(t, test_libs);
	tcase_add_test(t, test_sysroot_names);
	tcase_add_test(t, test_groups_and_as_needed);
	tcase_add_test(t, test_ignored_and_layout);
	tcase_add_test(t, test_many);
	tcase_add_test(t, test_api);
	tcase_add_test(t, test_empty_script);
	suite_add_tcase(s, t);

	t = tcase_create("errors");
	tcase_add_loop_test(t, test_errors, 0, (int)(sizeof(err_cases) / sizeof(err_cases[0])));
	suite_add_tcase(s, t);

	t = tcase_create("truncation");
	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, test_truncate, 0,
	                    (int)(sizeof(valid_samples) / sizeof(valid_samples[0])));
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return gr_test_run(ldscript_suite(), false);
}
