/* Unit tests for gr_infer: the package of a bare -lNAME and its closure, on .pc dirs made at test time. */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_extld.h"
#include "gr_infer.h"
#include "gr_records.h"
#include "gr_test.h"

static char base[64];
static struct gr_env env;  /* cache_dir "": no cache */

/* base/NAME.pc; its Libs have no -L: the closures hold only -l. */
static void
write_pc(const char *name, const char *libs, const char *priv, const char *reqpriv)
{
	gr_test_write_pc(base, name, libs, priv, reqpriv);
}

/* foo (and libfoo2, which also lists -lfoo) needs baz through Requires.private
 * and names -lbar only in its Libs.private; bar names -lqux the same way;
 * gtest lists -lpthread. */
static void
fresh(void)
{
	gr_test_fresh_tmpdir(base, sizeof(base), "gr-infer");
	setenv("PKG_CONFIG_LIBDIR", base, 1);
	unsetenv("PKG_CONFIG_PATH");
	unsetenv("PKG_CONFIG_SYSROOT_DIR");
	memset(&env, 0, sizeof(env));
	env.cache_dir = "";
	write_pc("foo", "-lfoo", "-lbar -lm", "baz");
	write_pc("libfoo2", "-lfoo -lextra", NULL, NULL);
	write_pc("baz", "-lbaz", NULL, NULL);
	write_pc("bar", "-lbar", "-lqux", NULL);
	write_pc("qux", "-lqux", NULL, NULL);
	write_pc("gtest", "-lgtest -lpthread", NULL, NULL);
}

static struct gr_infer_result *
infer(const struct gr_pc_token *in, size_t n, const struct gr_infer_opts *o)
{
	struct gr_infer_result *r = NULL;
	struct gr_error e;

	ck_assert_int_eq(gr_infer_run(&env, in, n, o, &r, &e), GR_OK);
	ck_assert_ptr_nonnull(r);
	return r;
}

static size_t
count(const struct gr_infer_result *r, const char *text)
{
	size_t i, k = 0;

	for (i = 0; i < r->ntokens; i++)
		k += !strcmp(r->tokens[i].text, text);
	return k;
}

static long
pos(const struct gr_infer_result *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->ntokens; i++)
		if (!strcmp(r->tokens[i].text, text))
			return (long)i;
	return -1;
}

START_TEST(test_bare_l_gains_closure)
{
	const struct gr_pc_token in[] = { { "-lfoo", NULL }, { "-lend", NULL } };
	struct gr_infer_result *r;

	fresh();
	r = infer(in, 2, NULL);
	ck_assert_uint_ge(r->nentries, 2);
	ck_assert_str_eq(r->entries[0].lname, "foo");
	ck_assert_str_eq(r->entries[0].package, "foo");
	ck_assert_int_eq(r->entries[0].rule, GR_PCINDEX_SAME_NAME);
	ck_assert_str_eq(gr_infer_rule_id(r->entries[0].rule), "same-name");
	ck_assert_uint_eq(r->entries[0].nalternatives, 1);
	ck_assert_str_eq(r->entries[0].alternatives[0], "libfoo2");
	ck_assert_ptr_null(r->entries[0].via);
	/* bar, named only in foo's Libs.private, is inferred in turn (through foo). */
	ck_assert_str_eq(r->entries[1].lname, "bar");
	ck_assert_str_eq(r->entries[1].via, "foo");
	/* -lfoo once, first; the closure right after it, before -lend; -lm never inferred. */
	ck_assert_uint_eq(count(r, "-lfoo"), 1);
	ck_assert_int_eq(pos(r, "-lfoo"), 0);
	ck_assert_int_gt(pos(r, "-lbaz"), 0);
	ck_assert_int_gt(pos(r, "-lqux"), pos(r, "-lbar"));
	ck_assert_int_gt(pos(r, "-lend"), pos(r, "-lqux"));
	ck_assert_str_eq(r->tokens[r->ntokens - 1].text, "-lend");
	ck_assert_ptr_nonnull(strstr(r->tokens[1].origin, "inferred for -lfoo"));
	for (size_t i = 0; i < r->nentries; i++)
		ck_assert_str_ne(r->entries[i].lname, "m");
	gr_infer_result_free(r);
}
END_TEST

START_TEST(test_accounted_not_inferred)
{
	const struct gr_pc_token pc[] = { { "-lfoo", "foo (Libs)" }, { "-lfoo", NULL } };
	const struct gr_pc_token raw[] = { { "-lfoo", "--lib" } };
	const char *const acc[] = { "foo" };
	const char *const rawo[] = { "--lib" };
	struct gr_infer_opts o;
	struct gr_infer_result *r;

	fresh();
	/* A -l a pkg-config answer gave, and a later bare copy of it. */
	r = infer(pc, 2, NULL);
	ck_assert_uint_eq(r->nentries, 0);
	ck_assert_uint_eq(r->ntokens, 2);
	gr_infer_result_free(r);
	/* Named as accounted (the #cgo pkg-config: answers). */
	memset(&o, 0, sizeof(o));
	o.accounted = acc;
	o.naccounted = 1;
	r = infer(raw, 1, &o);
	ck_assert_uint_eq(r->nentries, 0);
	gr_infer_result_free(r);
	/* --lib is raw when the caller says so; any other origin is pkg-config's. */
	r = infer(raw, 1, NULL);
	ck_assert_uint_eq(r->nentries, 0);
	gr_infer_result_free(r);
	memset(&o, 0, sizeof(o));
	o.raw_origins = rawo;
	o.nraw_origins = 1;
	r = infer(raw, 1, &o);
	ck_assert_uint_ge(r->nentries, 1);
	ck_assert_str_eq(r->entries[0].package, "foo");
	gr_infer_result_free(r);
}
END_TEST

START_TEST(test_c_family_and_unknown)
{
	const struct gr_pc_token in[] = { { "-lpthread", NULL }, { "-lstdc++", NULL }, { "-l:libfoo.a", NULL },
	                                  { "-lnosuch", NULL }, { "-lbaz", NULL } };
	struct gr_infer_result *r;

	fresh();
	r = infer(in, 5, NULL);
	/* pthread and stdc++ are the C family; -l:FILE has no package; nosuch none;
	 * baz's closure is -lbaz alone: nothing added, nothing listed. */
	ck_assert_uint_eq(r->nentries, 0);
	ck_assert_uint_eq(r->ntokens, 5);
	ck_assert(gr_infer_c_family("gcc_s") && gr_infer_c_family("m") && !gr_infer_c_family("xml2"));
	gr_infer_result_free(r);
}
END_TEST

START_TEST(test_split_l_and_once)
{
	const struct gr_pc_token in[] = { { "-l", NULL }, { "bar", NULL }, { "-lbar", NULL } };
	struct gr_infer_result *r, *r2;

	fresh();
	r = infer(in, 3, NULL);
	ck_assert_uint_eq(r->nentries, 1);
	ck_assert_str_eq(r->entries[0].lname, "bar");
	ck_assert_uint_eq(r->entries[0].nadded, 1);
	ck_assert_str_eq(r->entries[0].added[0], "-lqux");
	/* "-l" "bar" stay together; the closure follows them; the second -lbar gains nothing. */
	ck_assert_str_eq(r->tokens[0].text, "-l");
	ck_assert_str_eq(r->tokens[1].text, "bar");
	ck_assert_str_eq(r->tokens[2].text, "-lqux");
	ck_assert_str_eq(r->tokens[3].text, "-lbar");
	ck_assert_uint_eq(r->ntokens, 4);
	/* The same input, the same answer. */
	r2 = infer(in, 3, NULL);
	ck_assert_uint_eq(r2->ntokens, r->ntokens);
	for (size_t i = 0; i < r->ntokens; i++)
		ck_assert_str_eq(r2->tokens[i].text, r->tokens[i].text);
	gr_infer_result_free(r2);
	gr_infer_result_free(r);
}
END_TEST

/* -lz: zlib, not cairo-pdf (whose Libs are -lz too, and which needs all of cairo). */
START_TEST(test_zlib_for_z)
{
	const struct gr_pc_token in[] = { { "-lz", NULL } };
	struct gr_infer_result *r;

	fresh();
	write_pc("zlib", "-lz", NULL, NULL);
	write_pc("cairo-pdf", "-lz", NULL, "baz");
	write_pc("aaz", "-lz", "-lqux", NULL);
	r = infer(in, 1, NULL);
	ck_assert_uint_eq(r->nentries, 0);  /* zlib's closure is -lz alone: nothing to add */
	ck_assert_uint_eq(r->ntokens, 1);
	gr_infer_result_free(r);
}
END_TEST

/* gorelink-ld's rewrite: a bare -lfoo gains foo's closure unless the state
 * says no_infer, or the pkg-config log names a package that brings -lfoo. */
START_TEST(test_extld_infers_unless_accounted)
{
	static char a0[] = "-o", a1[] = "/tmp/x/a.out", a2[] = "/tmp/x/go.o", a3[] = "-lfoo";
	char *args[] = { a0, a1, a2, a3 };
	char log[128];
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_strvec out;
	struct gr_rw_result *rw = NULL;
	struct gr_error e;
	const char *const names[] = { "foo" };

	fresh();
	memset(&tc, 0, sizeof(tc));
	for (int round = 0; round < 3; round++) {
		gr_linkstate_init(&ls);
		ls.mode = GR_LINK_STATIC;
		ck_assert_int_eq(gr_strvec_push(&ls.cc, "cc"), GR_OK);
		if (round == 1)
			ls.no_infer = true;
		if (round == 2) {
			snprintf(log, sizeof(log), "%s/pkgs", base);
			ck_assert_int_eq(gr_pkglog_create(log, &e), GR_OK);
			ck_assert_int_eq(gr_pkglog_append(log, names, 1, &e), GR_OK);
			ls.pkglog = strdup(log);
		}
		gr_strvec_init(&out);
		/* No search dirs: every -l is missing, and the result still lists what was inferred. */
		ck_assert_int_eq(gr_extld_rewrite(&env, &ls, &tc, args, 4, &out, &rw, &e), GR_ENOTFOUND);
		ck_assert_ptr_nonnull(rw);
		if (round == 0) {
			ck_assert_ptr_nonnull(rw->inferred);
			ck_assert_uint_ge(rw->inferred->nentries, 1);
			ck_assert_str_eq(rw->inferred->entries[0].package, "foo");
		} else {
			ck_assert(!rw->inferred || rw->inferred->nentries == 0);
		}
		gr_rw_result_free(rw);
		rw = NULL;
		gr_strvec_deinit(&out);
		gr_linkstate_deinit(&ls);
	}
}
END_TEST

/* The link state's no-infer and pkglog, the report's inferred and links, through a file. */
START_TEST(test_records_round_trip)
{
	char path[128];
	struct gr_linkstate ls, ls2;
	struct gr_link_report r, r2;
	struct gr_error e;
	const char *const alts[] = { "libfoo2" }, *const added[] = { "-lbar", "-lbaz" };
	struct gr_rec_inferred x = { "foo", "foo", "same-name", "its name is the library's", NULL, alts, 1, added, 2 };
	struct gr_rec_inferred y = { "bar", "bar", "only", "the only package whose Libs name it", "foo", NULL, 0,
	                             added, 1 };

	fresh();
	snprintf(path, sizeof(path), "%s/state", base);
	gr_linkstate_init(&ls);
	ck_assert_int_eq(gr_strvec_push(&ls.cc, "cc"), GR_OK);
	ls.no_infer = true;
	ls.pkglog = strdup("/tmp/x/pkgs");
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	gr_linkstate_init(&ls2);
	ck_assert_int_eq(gr_linkstate_read(path, &ls2, &e), GR_OK);
	ck_assert(ls2.no_infer);
	ck_assert_str_eq(ls2.pkglog, "/tmp/x/pkgs");
	gr_linkstate_deinit(&ls2);
	ls.no_infer = false;
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	gr_linkstate_init(&ls2);
	ck_assert_int_eq(gr_linkstate_read(path, &ls2, &e), GR_OK);
	ck_assert(!ls2.no_infer);
	gr_linkstate_deinit(&ls2);
	gr_linkstate_deinit(&ls);

	snprintf(path, sizeof(path), "%s/report", base);
	gr_link_report_init(&r);
	ck_assert_int_eq(gr_link_report_add_inferred(&r, &x), GR_OK);
	ck_assert_int_eq(gr_link_report_add_inferred(&r, &y), GR_OK);
	r.links = 2;
	ck_assert_int_eq(gr_link_report_write(path, &r, &e), GR_OK);
	ck_assert_int_eq(gr_link_report_read(path, &r2, &e), GR_OK);
	ck_assert_uint_eq(r2.ninferred, 2);
	ck_assert_uint_eq(r2.links, 2);
	ck_assert_str_eq(r2.inferred[0].lname, "foo");
	ck_assert_str_eq(r2.inferred[0].rule, "same-name");
	ck_assert_ptr_null(r2.inferred[0].via);
	ck_assert_uint_eq(r2.inferred[0].nalternatives, 1);
	ck_assert_str_eq(r2.inferred[0].alternatives[0], "libfoo2");
	ck_assert_uint_eq(r2.inferred[0].nadded, 2);
	ck_assert_str_eq(r2.inferred[0].added[1], "-lbaz");
	ck_assert_str_eq(r2.inferred[1].via, "foo");
	ck_assert_uint_eq(r2.inferred[1].nalternatives, 0);
	ck_assert_uint_eq(r2.inferred[1].nadded, 1);
	gr_link_report_deinit(&r2);
	gr_link_report_deinit(&r);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_bare_l_gains_closure,
		test_accounted_not_inferred,
		test_c_family_and_unknown,
		test_split_l_and_once,
		test_zlib_for_z,
		test_extld_infers_unless_accounted,
		test_records_round_trip,
	};
	return gr_test_run(gr_test_suite("infer", "infer", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
