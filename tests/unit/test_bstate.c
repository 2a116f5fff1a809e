/* Unit tests for gr_bstate (GNU ld's -Bstatic/-Bdynamic state, as
 * ld/lexsup.c keeps it: the one tracker the rewrite and gorelink-ld share)
 * and for the run-time lib<x>.so.<n> scanner of gr_ldsearch (the one the
 * rewrite and the relinker's diagnosis share). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_bstate.h"
#include "gr_ldsearch.h"
#include "gr_test.h"

/* The state after ld-level arguments (NULL-terminated), from dynamic. */
static struct gr_bstate
ld_seq(bool dynamic, const char *const *args)
{
	struct gr_bstate st;

	gr_bstate_init(&st, dynamic);
	for (; *args; args++)
		gr_bstate_ld(&st, *args);
	return st;
}

/* The state after compiler-driver arguments (n strings), from a dynamic link. */
static struct gr_bstate
driver_seq(const char *const *args, size_t n)
{
	struct gr_bstate st;

	gr_bstate_init(&st, true);
	gr_bstate_driver_argv(&st, args, n);
	return st;
}

#define LD(dyn, ...) ld_seq(dyn, (const char *const[]){ __VA_ARGS__, NULL })
#define DRV(...) driver_seq((const char *const[]){ __VA_ARGS__ }, \
                            sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

START_TEST(test_init)
{
	struct gr_bstate st;

	gr_bstate_init(&st, true);
	ck_assert(st.dynamic && !st.explicit_dynamic);
	gr_bstate_init(&st, false);
	ck_assert(!st.dynamic && !st.explicit_dynamic);
}
END_TEST

START_TEST(test_static_synonyms)
{
	static const char *const stat[] = { "-Bstatic", "-dn", "-non_shared", "-static", "-N", "-n", "-r",
	                                     "-Ur", "--omagic", "--nmagic", "--relocatable", "-aarchive" };
	size_t i;

	for (i = 0; i < sizeof(stat) / sizeof(stat[0]); i++) {
		struct gr_bstate st = LD(true, "-Bdynamic", stat[i]);
		ck_assert_msg(!st.dynamic && !st.explicit_dynamic, "%s does not make the search static", stat[i]);
	}
}
END_TEST

START_TEST(test_dynamic_synonyms)
{
	static const char *const dyn[] = { "-Bdynamic", "-dy", "-call_shared", "-ashared", "-adefault" };
	size_t i;

	for (i = 0; i < sizeof(dyn) / sizeof(dyn[0]); i++) {
		struct gr_bstate st = LD(false, dyn[i]);
		ck_assert_msg(st.dynamic && st.explicit_dynamic, "%s does not make the search dynamic", dyn[i]);
	}
}
END_TEST

START_TEST(test_return_value)
{
	struct gr_bstate st;

	gr_bstate_init(&st, true);
	ck_assert(gr_bstate_ld(&st, "-Bstatic"));
	ck_assert(gr_bstate_ld(&st, "--push-state"));
	ck_assert(gr_bstate_ld(&st, "--pop-state"));
	ck_assert(!gr_bstate_ld(&st, "--as-needed"));
	ck_assert(!gr_bstate_ld(&st, "-lfoo"));
	ck_assert(!gr_bstate_ld(&st, "-Bsymbolic"));
	ck_assert(!st.dynamic);
	/* "-as-needed" is --as-needed to ld (getopt_long_only), not "-a s-needed". */
	gr_bstate_init(&st, true);
	ck_assert(!gr_bstate_ld(&st, "-as-needed"));
	ck_assert(gr_bstate_ld(&st, "-a"));
	ck_assert(gr_bstate_ld(&st, "archive"));
	ck_assert(!st.dynamic);
}
END_TEST

START_TEST(test_a_two_words)
{
	struct gr_bstate st = LD(false, "-a", "shared");

	ck_assert(st.dynamic && st.explicit_dynamic && !st.pending_a);
	st = LD(true, "-Bdynamic", "-a", "archive");
	ck_assert(!st.dynamic && !st.explicit_dynamic);
	st = LD(false, "-a", "default");
	ck_assert(st.dynamic && st.explicit_dynamic);
	/* ld rejects another KIND: no change, and the word is used up. */
	st = LD(false, "-a", "bogus", "-lfoo");
	ck_assert(!st.dynamic && !st.pending_a);
	/* "shared" alone is a file name, not a state. */
	st = LD(false, "shared");
	ck_assert(!st.dynamic);
}
END_TEST

START_TEST(test_push_pop)
{
	struct gr_bstate st;

	st = LD(true, "--push-state", "-Bdynamic", "--pop-state");
	ck_assert(st.dynamic && !st.explicit_dynamic);
	st = LD(false, "--push-state", "-Bdynamic", "--pop-state");
	ck_assert(!st.dynamic && !st.explicit_dynamic);
	/* Nested: the inner pop restores the outer -Bdynamic, the outer one the start. */
	st = LD(false, "--push-state", "-Bdynamic", "--push-state", "-Bstatic");
	ck_assert(!st.dynamic);
	st = LD(false, "--push-state", "-Bdynamic", "--push-state", "-Bstatic", "--pop-state");
	ck_assert(st.dynamic && st.explicit_dynamic);
	st = LD(false, "--push-state", "-Bdynamic", "--push-state", "-Bstatic", "--pop-state", "--pop-state");
	ck_assert(!st.dynamic && !st.explicit_dynamic && st.sp == 0);
	/* A pop without a push changes nothing. */
	st = LD(false, "-Bdynamic", "--pop-state");
	ck_assert(st.dynamic && st.explicit_dynamic && st.sp == 0);
	/* gcc's own --push-state --as-needed -lgcc_s --pop-state leaves the state alone. */
	st = LD(false, "-Bdynamic", "--push-state", "--as-needed", "-lgcc_s", "--pop-state");
	ck_assert(st.dynamic && st.explicit_dynamic);
}
END_TEST

START_TEST(test_push_deeper_than_kept)
{
	struct gr_bstate st;
	int i;

	gr_bstate_init(&st, false);
	gr_bstate_ld(&st, "-Bdynamic");
	for (i = 0; i < GR_BSTATE_MAXDEPTH + 5; i++)
		gr_bstate_ld(&st, "--push-state");
	gr_bstate_ld(&st, "-Bstatic");
	for (i = 0; i < GR_BSTATE_MAXDEPTH + 5; i++)
		gr_bstate_ld(&st, "--pop-state");
	ck_assert(st.dynamic && st.explicit_dynamic && st.sp == 0);
}
END_TEST

START_TEST(test_driver)
{
	struct gr_bstate st;

	/* -Wl, parts apply in order. */
	st = DRV("-Wl,-Bdynamic,-lfoo,-Bstatic");
	ck_assert(!st.dynamic);
	st = DRV("-Wl,-Bstatic,-lfoo,-Bdynamic");
	ck_assert(st.explicit_dynamic);
	st = DRV("-Wl,--push-state,-Bdynamic", "-lfoo", "-Wl,--pop-state");
	ck_assert(!st.explicit_dynamic);
	st = DRV("-Wl,--push-state,-Bdynamic", "-lfoo");
	ck_assert(st.explicit_dynamic);
	/* -Xlinker X, and "-a KIND" across -Wl parts or -Xlinker pairs. */
	st = DRV("-Xlinker", "-Bdynamic", "-lfoo");
	ck_assert(st.explicit_dynamic);
	st = DRV("-Wl,-a,shared");
	ck_assert(st.explicit_dynamic);
	st = DRV("-Xlinker", "-a", "-Xlinker", "shared");
	ck_assert(st.explicit_dynamic);
	st = DRV("-Wl,-Bdynamic", "-Wl,-a,archive");
	ck_assert(!st.explicit_dynamic && !st.dynamic);
	st = DRV("-Wl,-dy");
	ck_assert(st.explicit_dynamic);
	st = DRV("-Wl,-Bdynamic", "-Wl,-non_shared");
	ck_assert(!st.dynamic);
	/* A driver -static is ld's start state, not a position: it clears nothing. */
	st = DRV("-Wl,-Bdynamic", "-static");
	ck_assert(st.explicit_dynamic);
	/* Words that only contain a state option's name are no state options (the
	 * old strstr() scan of gorelink-ld took these for -Bdynamic). */
	st = DRV("-Wl,-soname,libx-dy", "-Wl,-rpath,/opt/-Bdynamic/lib", "/tmp/x-call_shared.o");
	ck_assert(!st.explicit_dynamic);
	st = DRV("-Wl,-Bdynamic", "-Wl,-rpath,/opt/-Bstatic/lib");
	ck_assert(st.explicit_dynamic);
	/* A -Wl part too long for any state option still ends a pending "-a". */
	st = DRV("-Wl,-a", "-Wl,/a/very/long/path/that/is/no/state/option/at/all.o", "-Wl,shared");
	ck_assert(!st.explicit_dynamic);
	/* -Xlinker without a value, and -Wl, alone. */
	st = DRV("-Wl,", "-Wl,-Bdynamic", "-Xlinker");
	ck_assert(st.explicit_dynamic);
}
END_TEST

/* ---- the run-time .so.N scanner ------------------------------------------ */

static char tmpdir[] = "/tmp/gr-test-bstate.XXXXXX";

static void
touch(const char *name)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
}

START_TEST(test_runtime_in_dir)
{
	char buf[600], want[600];

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	touch("libz.so.1.2.13");
	touch("libz.so.1");
	touch("libzz.so.0");
	touch("libq.so.x");        /* no digit after .so. */
	touch("libq.so");          /* the development link is no run-time file */
	touch("liblber-2.5.so.0");
	touch("libv-beta.so.1");   /* a name with a dash that is not a version */
	snprintf(want, sizeof(want), "%s/libz.so.1", tmpdir);
	ck_assert(gr_ldsearch_runtime_in_dir(tmpdir, "libz", buf, sizeof(buf)));
	ck_assert_str_eq(buf, want);  /* the smallest name, whatever readdir's order */
	snprintf(want, sizeof(want), "%s/libzz.so.0", tmpdir);
	ck_assert(gr_ldsearch_runtime_in_dir(tmpdir, "libzz", buf, sizeof(buf)));
	ck_assert_str_eq(buf, want);
	ck_assert(!gr_ldsearch_runtime_in_dir(tmpdir, "libq", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%s/liblber-2.5.so.0", tmpdir);
	ck_assert(gr_ldsearch_runtime_in_dir(tmpdir, "liblber", buf, sizeof(buf)));
	ck_assert_str_eq(buf, want);
	ck_assert(!gr_ldsearch_runtime_in_dir(tmpdir, "libv", buf, sizeof(buf)));
	ck_assert(!gr_ldsearch_runtime_in_dir(tmpdir, "libnone", buf, sizeof(buf)));
	ck_assert(!gr_ldsearch_runtime_in_dir("/nonexistent/dir", "libz", buf, sizeof(buf)));
	/* An answer that does not fit is no answer. */
	ck_assert(!gr_ldsearch_runtime_in_dir(tmpdir, "libz", buf, 8));
	{
		static const char *const names[] = { "libz.so.1.2.13", "libz.so.1", "libzz.so.0", "libq.so.x",
		                                     "libq.so", "liblber-2.5.so.0", "libv-beta.so.1" };
		char p[600];
		size_t i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
			unlink(p);
		}
		rmdir(tmpdir);
	}
}
END_TEST

START_TEST(test_shared_name)
{
	char buf[64];

	ck_assert(gr_ldsearch_shared_name("libexpat.so.1.8.10", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "expat");
	ck_assert(gr_ldsearch_shared_name("libz.so", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "z");
	ck_assert(gr_ldsearch_shared_name("liblber-2.5.so.0", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "lber");
	ck_assert(gr_ldsearch_shared_name("libfoo-bar.so.1", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "foo-bar");
	ck_assert(gr_ldsearch_shared_name("libstdc++.so.6", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "stdc++");
	ck_assert(!gr_ldsearch_shared_name("plugin.so", buf, sizeof(buf)));
	ck_assert(!gr_ldsearch_shared_name("libx.a", buf, sizeof(buf)));
	ck_assert(!gr_ldsearch_shared_name("libx.so.y", buf, sizeof(buf)));
	ck_assert(!gr_ldsearch_shared_name("lib.so", buf, sizeof(buf)));
	ck_assert(!gr_ldsearch_shared_name("libverylongname.so.1", buf, 4));
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_init, test_static_synonyms, test_dynamic_synonyms, test_return_value,
		test_a_two_words, test_push_pop, test_push_deeper_than_kept, test_driver,
		test_runtime_in_dir, test_shared_name,
	};

	return gr_test_run(gr_test_suite("bstate", "core", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
