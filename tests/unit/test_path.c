/* Unit tests for common/gr_path's lexical tidying (gr_path_lexical)
 * for messages and its join (gr_path_join): pure string work, no file
 * system; and gr_path_which's empty PATH entries (a directory of its own). The test links with -Wl,--wrap=malloc so that the join's one
 * allocation can be made to fail. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void
join_is(const char *dir, const char *name, const char *want)
{
	char *got = gr_path_join(dir, name);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(!strcmp(got, want), "gr_path_join(\"%s\", \"%s\") = \"%s\", want \"%s\"", dir, name, got,
	              want);
	free(got);
}

START_TEST(test_join)
{
	join_is("/usr/lib", "libfoo.a", "/usr/lib/libfoo.a");
	join_is("rel", "x/y", "rel/x/y");
	/* Nothing tidied: a trailing '/' on dir stays (gr_toolchain's
	 * configuration-file identities are cache keys, spelled as they were). */
	join_is("/home/u/", ".config/clang", "/home/u//.config/clang");
	join_is("/", "etc", "//etc");
	/* An empty dir: the name from the root. */
	join_is("", "x", "/x");
	join_is("", "/x", "/x");
	/* An absolute name under a root (gr_sandbox: the mount point + /tmp): one '/'. */
	join_is("/tmp/mnt", "/tmp", "/tmp/mnt/tmp");
	join_is("/tmp/mnt/", "/tmp", "/tmp/mnt//tmp");
	join_is("/tmp/mnt", "//x", "/tmp/mnt//x");
	join_is("d", "", "d/");
	join_is("", "", "/");
}
END_TEST

START_TEST(test_join_nomem)
{
	errno = 0;
	gr_test_fail_malloc = true;
	ck_assert_ptr_null(gr_path_join("/usr/lib", "libfoo.a"));
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert(!gr_test_fail_malloc);  /* the join did allocate (and was refused) */
	join_is("/usr/lib", "libfoo.a", "/usr/lib/libfoo.a");
}
END_TEST

/* gr_path_which: an empty PATH entry is the current directory, as for
 * execvp (it was looked up as "/NAME"); an entry is not a prefix of the name. */
START_TEST(test_which_empty_entry)
{
	char dir[256], *w;

	gr_test_tmpdir(dir, sizeof(dir), "gr-which");
	ck_assert_int_eq(chdir(dir), 0);
	gr_test_write_mode("gr-which-prog", "#!/bin/sh\nexit 0\n", 0755);
	ck_assert_ptr_nonnull(w = gr_path_which("gr-which-prog", "/nonexistent::/also-not"));
	ck_assert_str_eq(w, "./gr-which-prog");
	free(w);
	ck_assert_ptr_nonnull(w = gr_path_which("gr-which-prog", ":/nonexistent"));
	ck_assert_str_eq(w, "./gr-which-prog");
	free(w);
	ck_assert_ptr_null(gr_path_which("gr-which-prog", "/nonexistent:/also-not"));
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_lexical_gcc_libdir,
		test_lexical_dots_and_slashes,
		test_join,
		test_join_nomem,
		test_which_empty_entry,
	};

	return gr_test_run(gr_test_suite("path", "lexical", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
