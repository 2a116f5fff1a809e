/* Unit tests for check/gr_elfver's version families, ordering and --max-version
 * parsing: pure string work (the section reading is in tests/verfloor_test.py). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gr_elfver.h"
#include "gr_test.h"

static void
family_is(const char *name, size_t len, bool numbered)
{
	bool n = !numbered;

	ck_assert_msg(gr_elfver_family(name, &n) == len && n == numbered,
	              "gr_elfver_family(\"%s\") = %zu/%d, want %zu/%d", name, gr_elfver_family(name, &n), n,
	              len, numbered);
}

START_TEST(test_family)
{
	family_is("GLIBC_2.34", 6, true);
	family_is("GLIBCXX_3.4.29", 8, true);
	family_is("CXXABI_1.3.13", 7, true);
	family_is("GCC_3.0", 4, true);
	family_is("CXXABI_TM_1", 10, true);
	family_is("GLIBCXX_LDBL_3.4", 13, true);
	family_is("OPENSSL_1_1_0d", 8, true);
	family_is("GLIBC_PRIVATE", 13, false);
	family_is("GLIBC_ABI_DT_RELR", 17, false);
	family_is("1.0", 3, false);
	family_is("", 0, false);
	family_is("_1", 1, true);
}
END_TEST

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

START_TEST(test_cmp)
{
	static const struct { const char *a, *b; int want; } c[] = {
		{ "2.9", "2.28", -1 }, { "2.28", "2.9", 1 }, { "2.34", "2.34", 0 },
		{ "2.2.5", "2.3", -1 }, { "3.4.9", "3.4.29", -1 }, { "3.4.30", "3.4.29", 1 },
		{ "1.3", "1.3.13", -1 }, { "1.3.13", "1.3", 1 }, { "2.010", "2.9", 1 },
		{ "02.3", "2.3", 0 }, { "1_1_0", "1_1_0d", -1 }, { "1_1_1", "1_1_0d", 1 },
		{ "", "", 0 }, { "", "1", -1 }, { "10", "9", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		ck_assert_msg(sign(gr_elfver_cmp(c[i].a, c[i].b)) == c[i].want,
		              "gr_elfver_cmp(\"%s\", \"%s\") = %d, want %d", c[i].a, c[i].b,
		              gr_elfver_cmp(c[i].a, c[i].b), c[i].want);
}
END_TEST

START_TEST(test_parse_max_and_too_new)
{
	struct gr_vermax m[2];
	struct gr_verneed v;
	const struct gr_vermax *limit;
	const char *why = NULL;

	ck_assert(!gr_elfver_parse_max("GLIBC_PRIVATE", &m[0], &why) && why);
	ck_assert(!gr_elfver_parse_max("2.28", &m[0], &why));
	ck_assert(!gr_elfver_parse_max("", &m[0], &why));
	ck_assert(gr_elfver_parse_max("GLIBC_2.28", &m[0], &why) && m[0].family_len == 6);
	ck_assert(gr_elfver_parse_max("GLIBCXX_3.4.25", &m[1], &why) && m[1].family_len == 8);

	memset(&v, 0, sizeof(v));
	v.name = "GLIBC_2.34";
	v.family_len = gr_elfver_family(v.name, &v.numbered);
	ck_assert(gr_elfver_too_new(&v, m, 2, &limit) && limit == &m[0]);
	v.name = "GLIBC_2.28";
	ck_assert(!gr_elfver_too_new(&v, m, 2, &limit) && limit == &m[0]);
	v.name = "GLIBC_2.3";
	ck_assert(!gr_elfver_too_new(&v, m, 2, &limit));
	v.name = "GLIBCXX_3.4.29";
	v.family_len = gr_elfver_family(v.name, &v.numbered);
	ck_assert(gr_elfver_too_new(&v, m, 2, &limit) && limit == &m[1]);
	v.name = "CXXABI_1.3.13";  /* no limit for its family */
	v.family_len = gr_elfver_family(v.name, &v.numbered);
	ck_assert(!gr_elfver_too_new(&v, m, 2, &limit) && limit == NULL);
	v.name = "GLIBC_PRIVATE";  /* unnumbered: under a GLIBC_ limit, always too new (one glibc build) */
	v.family_len = gr_elfver_family(v.name, &v.numbered);
	ck_assert(gr_elfver_too_new(&v, m, 2, &limit) && limit == &m[0]);
	ck_assert(!gr_elfver_too_new(&v, m + 1, 1, &limit) && limit == NULL);  /* no GLIBC_ limit */
	v.name = "GLIBC_ABI_DT_RELR";  /* glibc 2.36 */
	v.family_len = gr_elfver_family(v.name, &v.numbered);
	ck_assert(gr_elfver_too_new(&v, m, 2, &limit) && limit == &m[0]);
	v.name = "GLIBC_FOO";  /* another unnumbered one: no guess */
	v.family_len = gr_elfver_family(v.name, &v.numbered);
	ck_assert(!gr_elfver_too_new(&v, m, 2, &limit));
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_family,
		test_cmp,
		test_parse_max_and_too_new,
	};

	return gr_test_run(gr_test_suite("elfver", "versions", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
