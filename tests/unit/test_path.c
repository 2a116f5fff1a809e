/* Unit tests for common/gr_path's lexical tidying (gr_path_lexical)
 * for messages: pure string work, no file system. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gr_path.h"
#include "gr_test.h"

static void
lex_is(const char *in, const char *want)
{
	char *got = gr_path_lexical(in);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(!strcmp(got, want), "gr_path_lexical(\"%s\") = \"%s\", want \"%s\"", in, got, want);
	free(got);
}

START_TEST(test_lexical_gcc_libdir)
{
	/* The defect: gcc's library path next to ld's own spelling of the same file. */
	lex_is("/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libfoo.a",
	       "/usr/lib/x86_64-linux-gnu/libfoo.a");
	lex_is("/usr/lib/x86_64-linux-gnu/libfoo.a", "/usr/lib/x86_64-linux-gnu/libfoo.a");
}
END_TEST

START_TEST(test_lexical_dots_and_slashes)
{
	lex_is("//usr///lib/./x/.//y.a", "/usr/lib/x/y.a");
	lex_is("/usr/lib/", "/usr/lib");
	lex_is("/", "/");
	lex_is("//", "/");
	lex_is("/..", "/");
	lex_is("/../a", "/a");
	lex_is("/a/..", "/");
	lex_is("/a/b/../../..", "/");
	lex_is("", "");
	lex_is(".", ".");
	lex_is("./", ".");
	lex_is("a/..", ".");
	lex_is("a/./b", "a/b");
	lex_is("../x", "../x");
	lex_is("../../x/../y", "../../y");
	lex_is("a/../../x", "../x");
	lex_is("..a/b/..", "..a");
	lex_is("a/.b/../c", "a/c");
	lex_is("x/...", "x/...");
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_lexical_gcc_libdir,
		test_lexical_dots_and_slashes,
	};

	return gr_test_run(gr_test_suite("path", "lexical", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
