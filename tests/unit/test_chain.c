/* Unit tests for gr_chain: a missing library's pkg-config chain as one line. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gr_chain.h"

/* gr_chain_text(origin, flag) is want (NULL: no chain). */
static void
expect(const char *origin, const char *flag, const char *want)
{
	char *got = gr_chain_text(origin, flag);

	if (!want)
		ck_assert_msg(got == NULL, "'%s': want no chain, got '%s'", origin ? origin : "(null)", got);
	else {
		ck_assert_msg(got != NULL, "'%s': no chain, want '%s'", origin, want);
		ck_assert_str_eq(got, want);
	}
	free(got);
}

START_TEST(chain_inferred)
{
	expect("inferred for -lpcap: libpcap -> Requires.private -> dbus-1 (Libs.private)", "-lsystemd",
	       "-lpcap -> libpcap.pc (inferred) -> Requires.private: dbus-1.pc -> Libs.private: -lsystemd");
	expect("inferred for -lxml2: libxml-2.0 (Libs.private)", "-licuuc",
	       "-lxml2 -> libxml-2.0.pc (inferred) -> Libs.private: -licuuc");
}
END_TEST

START_TEST(chain_cgo_and_pkg)
{
	expect("#cgo pkg-config: libpcap -> Requires.private -> dbus-1 (Libs.private)", "-lsystemd",
	       "#cgo pkg-config: libpcap.pc -> Requires.private: dbus-1.pc -> Libs.private: -lsystemd");
	expect("--pkg gtk+-3.0: gtk+-3.0 -> Requires -> gdk-3.0 -> Requires.private -> x11 (Libs)", "-lX11",
	       "--pkg: gtk+-3.0.pc -> Requires: gdk-3.0.pc -> Requires.private: x11.pc -> Libs: -lX11");
	expect("chainpc (Libs.private)", "-lgr_no_such_lib", "chainpc.pc -> Libs.private: -lgr_no_such_lib");
	expect("zlib (Libs)", "/usr/lib/libz.a", "zlib.pc -> Libs: /usr/lib/libz.a");
}
END_TEST

START_TEST(chain_none)
{
	expect(NULL, "-lz", NULL);
	expect("--lib", "-lz", NULL);
	expect("--pkg zlib", "-lz", NULL);
	expect("inferred for -lpcap: ?", "-lsystemd", NULL);
	expect("inferred for -l: a (Libs)", "-lsystemd", NULL);
	expect("a -> Requires (Libs)", "-lx", NULL);    /* a relation without its package */
	expect("a (Libs", "-lx", NULL);
	expect("a (Libs) trailing", "-lx", NULL);
	expect("a ()", "-lx", NULL);
	expect("(Libs)", "-lx", NULL);
	expect("a -> (Libs)", "-lx", NULL);            /* an empty step */
	expect("a ->  -> b (Libs)", "-lx", NULL);
	expect("a (Libs)", NULL, NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("chain");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, chain_inferred);
	tcase_add_test(tc, chain_cgo_and_pkg);
	tcase_add_test(tc, chain_none);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
