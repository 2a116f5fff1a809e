/* Unit tests for gr_ldsearch's per-run cache (issue 15, pkgconf-rewrite
 * --each): gr_ldsearch_cache_realpath against realpath(3) itself on a tree of
 * directories, files and symbolic links made at test time (relative and
 * absolute links, links to directories, chains, a loop, a dangling link, a
 * file used as a directory, "..", "//", a trailing "/", a directory that does
 * not exist), and gr_ldsearch_elsewhere with a shared cache against the same
 * search with a private one: the same answers, each walk made once and each
 * directory listed once per run, whatever path leads to it. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_env.h"
#include "gr_ldsearch.h"
#include "gr_test.h"

static char root[PATH_MAX];

/* root + "/" + rel into buf. */
static const char *
at(char *buf, size_t n, const char *rel)
{
	ck_assert_uint_lt((size_t)snprintf(buf, n, "%s/%s", root, rel), n);
	return buf;
}

static void
mkdir_at(const char *rel)
{
	char p[PATH_MAX];

	ck_assert_int_eq(mkdir(at(p, sizeof(p), rel), 0755), 0);
}

static void
file_at(const char *rel)
{
	char p[PATH_MAX];

	gr_test_write(at(p, sizeof(p), rel), "x\n");
}

static void
link_at(const char *target, const char *rel)
{
	char p[PATH_MAX];

	ck_assert_int_eq(symlink(target, at(p, sizeof(p), rel)), 0);
}

/* The tree both test cases use. root is itself resolved, so that answers can be spelled. */
static void
make_tree(void)
{
	char tmp[PATH_MAX], *real;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-ldscache");
	ck_assert_ptr_nonnull(real = realpath(tmp, NULL));
	snprintf(root, sizeof(root), "%s", real);
	free(real);
	mkdir_at("lib");
	mkdir_at("lib/sub");
	mkdir_at("lib/sub/deeper");
	mkdir_at("lib/sub/deeper/deepest");
	mkdir_at("lib/sub/deeper/deepest/toodeep");
	mkdir_at("other");
	mkdir_at("other/x");
	file_at("lib/libz.so.1.2.13");
	link_at("libz.so.1.2.13", "lib/libz.so.1");            /* relative, same dir */
	link_at("libz.so.1", "lib/libz.so");                   /* a chain */
	file_at("lib/libtop.a");                               /* in a search dir: not "elsewhere" */
	file_at("lib/sub/libfoo.a");
	file_at("lib/sub/deeper/libfoo.a");                    /* smaller path than sub/libfoo.a */
	file_at("lib/sub/deeper/deepest/libdeep.a");           /* depth 3 */
	file_at("lib/sub/deeper/deepest/toodeep/libtoodeep.a");  /* depth 4 */
	file_at("lib/sub/notalib.a");
	file_at("lib/sub/lib.a");                              /* no name */
	file_at("other/x/libbar.a");
	link_at("sub", "lib/sublink");                         /* a link to a directory: not walked */
	link_at("../other", "lib/up");                         /* relative with .. */
	link_at("nothere", "lib/dangling");
	link_at("loop2", "lib/loop1");
	link_at("loop1", "lib/loop2");
	{
		char p[PATH_MAX];
		link_at(at(p, sizeof(p), "lib/libz.so.1.2.13"), "other/abs.so");  /* absolute */
		link_at(at(p, sizeof(p), "lib"), "libdir");                       /* a link to the search dir */
	}
}

/* gr_ldsearch_cache_realpath(c, rel) answers as realpath(3): same string or both NULL with the same errno. */
static void
same_as_realpath(struct gr_ldsearch_cache *c, const char *path)
{
	char *want, *got;
	int ew, eg;

	errno = 0;
	want = realpath(path, NULL);
	ew = errno;
	errno = 0;
	got = gr_ldsearch_cache_realpath(c, path);
	eg = errno;
	if (want) {
		ck_assert_msg(got != NULL, "%s: realpath says %s, the cache NULL (errno %d)", path, want, eg);
		ck_assert_msg(!strcmp(got, want), "%s: realpath says %s, the cache %s", path, want, got);
	} else {
		ck_assert_msg(got == NULL, "%s: realpath fails (errno %d), the cache says %s", path, ew, got);
		ck_assert_msg(eg == ew, "%s: realpath fails with errno %d, the cache with %d", path, ew, eg);
	}
	free(want);
	free(got);
}

START_TEST(test_realpath_same_answers)
{
	static const char *const rels[] = {
		"lib/libz.so", "lib/libz.so.1", "lib/libz.so.1.2.13", "lib/./libz.so", "lib//libz.so",
		"lib/sub/../libz.so", "lib/sublink/libfoo.a", "lib/sublink/deeper/../libfoo.a", "lib/up/x/libbar.a",
		"lib/up/abs.so", "other/abs.so", "libdir/libz.so", "libdir/up/abs.so", "lib/dangling",
		"lib/loop1", "lib/loop1/x", "lib/libz.so.1.2.13/x", "lib/libz.so/", "lib/sub/", "lib/sub/.",
		"lib/sub/..", "nodir/libz.so", "nodir/sub/libz.so", "lib/nofile", "lib/sublink", "libdir", "",
	};
	struct gr_ldsearch_cache *c = gr_ldsearch_cache_new();
	char p[PATH_MAX];
	size_t i, round;

	make_tree();
	ck_assert_ptr_nonnull(c);
	/* Twice: the first round fills the cache, the second answers from it. */
	for (round = 0; round < 2; round++)
		for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++)
			same_as_realpath(c, at(p, sizeof(p), rels[i]));
	same_as_realpath(c, "/");
	same_as_realpath(c, "/usr/lib/gcc/../../lib");
	same_as_realpath(c, "relative/not/absolute");
	same_as_realpath(NULL, at(p, sizeof(p), "lib/libz.so"));  /* no cache: realpath itself */
	gr_ldsearch_cache_free(c);
}
END_TEST

START_TEST(test_realpath_hits_and_misses)
{
	struct gr_ldsearch_cache *c = gr_ldsearch_cache_new();
	struct gr_ldsearch_cache_stats st, st2;
	char p[PATH_MAX], want[PATH_MAX], *r;

	make_tree();
	ck_assert_ptr_nonnull(c);
	gr_ldsearch_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.realpath_misses + st.realpath_hits, 0);
	/* A miss: the path, its directories (each once) and the links' targets. */
	r = gr_ldsearch_cache_realpath(c, at(p, sizeof(p), "lib/libz.so"));
	ck_assert_str_eq(r, at(want, sizeof(want), "lib/libz.so.1.2.13"));
	free(r);
	gr_ldsearch_cache_get_stats(c, &st);
	ck_assert_uint_gt(st.realpath_misses, 2);
	/* A hit: the same path again looks nothing up. */
	r = gr_ldsearch_cache_realpath(c, p);
	ck_assert_str_eq(r, want);
	free(r);
	gr_ldsearch_cache_get_stats(c, &st2);
	ck_assert_uint_eq(st2.realpath_misses, st.realpath_misses);
	ck_assert_uint_eq(st2.realpath_hits, st.realpath_hits + 1);
	/* Another file of the same directory: one miss (the name), the directory a hit. */
	r = gr_ldsearch_cache_realpath(c, at(p, sizeof(p), "lib/libtop.a"));
	ck_assert_str_eq(r, p);
	free(r);
	gr_ldsearch_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.realpath_misses, st2.realpath_misses + 1);
	ck_assert_uint_eq(st.realpath_hits, st2.realpath_hits + 1);
	/* A directory that does not exist: NULL, ENOENT, and kept as such. */
	errno = 0;
	ck_assert_ptr_null(gr_ldsearch_cache_realpath(c, at(p, sizeof(p), "nodir/libz.so")));
	ck_assert_int_eq(errno, ENOENT);
	gr_ldsearch_cache_get_stats(c, &st2);
	errno = 0;
	ck_assert_ptr_null(gr_ldsearch_cache_realpath(c, p));
	ck_assert_int_eq(errno, ENOENT);
	gr_ldsearch_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.realpath_misses, st2.realpath_misses);
	ck_assert_uint_eq(st.realpath_hits, st2.realpath_hits + 1);
	/* The answers are the run's: a file removed after it was resolved keeps its answer
	 * (pkgconf-rewrite reads a file system that does not change under it). */
	r = gr_ldsearch_cache_realpath(c, at(p, sizeof(p), "lib/sub/notalib.a"));
	ck_assert_str_eq(r, p);
	free(r);
	ck_assert_int_eq(unlink(p), 0);
	r = gr_ldsearch_cache_realpath(c, p);
	ck_assert_str_eq(r, p);
	free(r);
	gr_ldsearch_cache_free(c);
}
END_TEST

/* found[i] is expected[i] (rel to root, or NULL). */
static void
found_is(char **found, const char *const *expected, size_t n)
{
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		if (!expected[i])
			ck_assert_msg(found[i] == NULL, "name %zu: expected nothing, got %s", i, found[i]);
		else
			ck_assert_msg(found[i] && !strcmp(found[i], at(p, sizeof(p), expected[i])),
			              "name %zu: expected %s, got %s", i, p, found[i] ? found[i] : "(null)");
		free(found[i]);
		found[i] = NULL;
	}
}

/* A search over dirs (rel to root, absolute kept) sharing cache c (NULL: a private one). */
static void
search_init(struct gr_ldsearch *s, const char *const *rels, size_t n, struct gr_ldsearch_cache *c)
{
	char buf[8][PATH_MAX];
	const char *dirs[8];
	struct gr_error e;
	size_t i;

	ck_assert_uint_le(n, 8);
	for (i = 0; i < n; i++)
		dirs[i] = rels[i][0] == '/' ? rels[i] : at(buf[i], sizeof(buf[i]), rels[i]);
	ck_assert_int_eq(gr_ldsearch_init(s, dirs, n, NULL, 0, NULL, NULL, false, c, &e), GR_OK);
}

START_TEST(test_elsewhere_walk_once)
{
	static const char *const dirs1[] = { "lib", "nodir", "lib/libtop.a", "other" };
	static const char *const names[] = { "foo", "bar", "top", "", "deep", "toodeep", "nothere", "z" };
	static const char *const expect[] = { "lib/sub/deeper/libfoo.a", "other/x/libbar.a", NULL, NULL,
	                                      "lib/sub/deeper/deepest/libdeep.a", NULL, NULL, NULL };
	static const char *const names2[] = { "bar", "foo" };
	static const char *const expect2[] = { "other/x/libbar.a", "lib/sub/deeper/libfoo.a" };
	struct gr_ldsearch_cache *c = gr_ldsearch_cache_new();
	struct gr_ldsearch_cache_stats st, st2;
	struct gr_ldsearch priv, s1, s2, s3;
	char *found[8] = { NULL };
	size_t listed;

	make_tree();
	ck_assert_ptr_nonnull(c);
	/* The reference: a private cache, as a single run has. */
	search_init(&priv, dirs1, 4, NULL);
	ck_assert_int_eq(gr_ldsearch_elsewhere(&priv, names, 8, 3, 4000, found), GR_OK);
	found_is(found, expect, 8);
	gr_ldsearch_deinit(&priv);

	search_init(&s1, dirs1, 4, c);
	ck_assert_int_eq(gr_ldsearch_elsewhere(&s1, names, 8, 3, 4000, found), GR_OK);
	found_is(found, expect, 8);
	gr_ldsearch_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.walks, 1);
	ck_assert_uint_eq(st.walk_hits, 0);
	/* lib, sub, deeper, deepest, other, x (sublink and up are links, libtop.a no directory). */
	ck_assert_uint_eq(st.listings, 6);
	listed = st.listings;
	/* A hit: other names, the same walk; nothing listed again. */
	ck_assert_int_eq(gr_ldsearch_elsewhere(&s1, names2, 2, 3, 4000, found), GR_OK);
	found_is(found, expect2, 2);
	gr_ldsearch_cache_get_stats(c, &st2);
	ck_assert_uint_eq(st2.walks, 1);
	ck_assert_uint_eq(st2.walk_hits, 1);
	ck_assert_uint_eq(st2.listings, listed);
	/* No names: nothing done. */
	ck_assert_int_eq(gr_ldsearch_elsewhere(&s1, names2, 0, 3, 4000, found), GR_OK);
	gr_ldsearch_deinit(&s1);

	/* Other search dirs (another order, lib reached through a symbolic link and
	 * through ".."): a new walk, but every directory was listed already. */
	{
		static const char *const dirs2[] = { "other", "libdir", "other/../lib" };
		static const char *const expect3[] = { "libdir/sub/deeper/libfoo.a", "other/x/libbar.a", NULL, NULL,
		                                       "libdir/sub/deeper/deepest/libdeep.a", NULL, NULL, NULL };
		search_init(&s2, dirs2, 3, c);
		ck_assert_int_eq(gr_ldsearch_elsewhere(&s2, names, 8, 3, 4000, found), GR_OK);
		found_is(found, expect3, 8);
		gr_ldsearch_cache_get_stats(c, &st);
		ck_assert_uint_eq(st.walks, 2);
		ck_assert_uint_eq(st.listings, listed);
		ck_assert_uint_gt(st.listing_hits, st2.listing_hits);
		/* The same as a private cache says. */
		search_init(&priv, dirs2, 3, NULL);
		ck_assert_int_eq(gr_ldsearch_elsewhere(&priv, names, 8, 3, 4000, found), GR_OK);
		found_is(found, expect3, 8);
		gr_ldsearch_deinit(&priv);
		gr_ldsearch_deinit(&s2);
	}
	/* A smaller depth and a bound are other walks, with their own answers. */
	{
		static const char *const expect4[] = { "lib/sub/libfoo.a", "other/x/libbar.a", NULL, NULL, NULL, NULL,
		                                       NULL, NULL };
		search_init(&s3, dirs1, 4, c);
		ck_assert_int_eq(gr_ldsearch_elsewhere(&s3, names, 8, 1, 4000, found), GR_OK);
		found_is(found, expect4, 8);
		/* Two directories at most: lib and other, nothing below them. */
		ck_assert_int_eq(gr_ldsearch_elsewhere(&s3, names, 8, 3, 2, found), GR_OK);
		found_is(found, (const char *const[]){ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }, 8);
		gr_ldsearch_cache_get_stats(c, &st2);
		ck_assert_uint_eq(st2.walks, 4);
		ck_assert_uint_eq(st2.listings, listed);
		gr_ldsearch_deinit(&s3);
	}
	gr_ldsearch_cache_free(c);
}
END_TEST


/* How many entries dir holds (not . and ..); 0 when it does not exist. */
static size_t
entries_in(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

/* One run's walk (a cache of its own, kept in env's cache directory) of dirs
 * for names: its answers against the expected ones, and whether it was read
 * from the cache directory (loaded) or made. */
static void
stored_walk_is(const struct gr_env *env, const char *const *dirs, size_t ndirs, const char *const *names,
               const char *const *expect, size_t n, bool loaded)
{
	struct gr_ldsearch_cache *c = gr_ldsearch_cache_new();
	struct gr_ldsearch_cache_stats st;
	struct gr_ldsearch s;
	char *found[8] = { NULL };

	ck_assert_ptr_nonnull(c);
	gr_ldsearch_cache_set_store(c, env);
	search_init(&s, dirs, ndirs, c);
	ck_assert_int_eq(gr_ldsearch_elsewhere(&s, names, n, 3, 4000, found), GR_OK);
	found_is(found, expect, n);
	gr_ldsearch_cache_get_stats(c, &st);
	ck_assert_msg(st.walk_loads == (loaded ? 1u : 0u), "walk loaded from the cache directory: %zu, expected %d",
	              st.walk_loads, loaded);
	ck_assert_uint_eq(st.walks, loaded ? 0 : 1);
	gr_ldsearch_deinit(&s);
	gr_ldsearch_cache_free(c);
}

/* opendir, with a failure that may pass (EMFILE) injected for one path
 * (-Wl,--wrap=opendir on this test). */
DIR *__real_opendir(const char *path);
DIR *__wrap_opendir(const char *path);
static char fail_opendir[PATH_MAX];
static int opens_failed;  /* how many times __wrap_open failed an open */

DIR *
__wrap_opendir(const char *path)
{
	if (fail_opendir[0] && !strcmp(path, fail_opendir)) {
		errno = EMFILE;
		return NULL;
	}
	return __real_opendir(path);
}

/* open, with the same failure for the same path when it opens a directory
 * (-Wl,--wrap=open on this test: the walk opens a directory itself and falls
 * back on stat and opendir when that fails). */
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);

int
__wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (fail_opendir[0] && (flags & O_DIRECTORY) && !strcmp(path, fail_opendir)) {
		opens_failed++;
		errno = EMFILE;
		return -1;
	}
	return __real_open(path, flags, mode);
}

/* A walk that could not list a directory for a reason that may pass (no file
 * descriptor left) answers as it can, but is not kept: the next run walks
 * again and finds the archive there (kept, it would have said none for as
 * long as the directory stayed the same). */
START_TEST(test_elsewhere_walk_unsure_not_stored)
{
	static const char *const dirs[] = { "lib", "nodir", "other" };
	static const char *const names[] = { "foo", "bar" };
	struct gr_env env;
	char cache[PATH_MAX], kind[PATH_MAX + 16];

	make_tree();
	gr_test_fresh_tmpdir(cache, sizeof(cache), "gr-ldscache-unsure");
	memset(&env, 0, sizeof(env));
	env.cache_dir = cache;
	snprintf(kind, sizeof(kind), "%s/ld-walk", cache);
	sleep(3);
	at(fail_opendir, sizeof(fail_opendir), "other/x");
	stored_walk_is(&env, dirs, 3, names, (const char *const[]){ "lib/sub/deeper/libfoo.a", NULL }, 2, false);
	ck_assert_int_ge(opens_failed, 1);
	fail_opendir[0] = '\0';
	ck_assert_uint_eq(entries_in(kind), 0);
	stored_walk_is(&env, dirs, 3, names, (const char *const[]){ "lib/sub/deeper/libfoo.a", "other/x/libbar.a" }, 2,
	               false);
	ck_assert_uint_eq(entries_in(kind), 1);
	stored_walk_is(&env, dirs, 3, names, (const char *const[]){ "lib/sub/deeper/libfoo.a", "other/x/libbar.a" }, 2,
	               true);
	ck_assert_int_eq(gr_test_rmtree(cache), 0);
}
END_TEST

/* The walk kept in the cache directory (kind ld-walk): the same answers as a
 * walk, and never a stale one: a file added or removed below a search dir, a
 * directory replaced by another of the same name, a directory where there was
 * none, each gives the fresh answer; a tree younger than 2 s is not kept. */
START_TEST(test_elsewhere_walk_stored)
{
	static const char *const dirs[] = { "lib", "nodir", "other" };
	static const char *const names[] = { "foo", "bar", "deep", "new", "baz", "nothere" };
	struct gr_env env;
	char cache[PATH_MAX], kind[PATH_MAX + 16], p[PATH_MAX], q[PATH_MAX];

	make_tree();
	gr_test_fresh_tmpdir(cache, sizeof(cache), "gr-ldscache-store");
	memset(&env, 0, sizeof(env));
	env.cache_dir = cache;
	snprintf(kind, sizeof(kind), "%s/ld-walk", cache);
	/* Just made: too young to keep (a change in the same clock tick would not show). */
	stored_walk_is(&env, dirs, 3, names,
	               (const char *const[]){ "lib/sub/deeper/libfoo.a", "other/x/libbar.a",
	                                      "lib/sub/deeper/deepest/libdeep.a", NULL, NULL, NULL }, 6, false);
	ck_assert_uint_eq(entries_in(kind), 0);
	sleep(3);
	/* Kept by the first run that walks the settled tree, read by the next. */
	stored_walk_is(&env, dirs, 3, names,
	               (const char *const[]){ "lib/sub/deeper/libfoo.a", "other/x/libbar.a",
	                                      "lib/sub/deeper/deepest/libdeep.a", NULL, NULL, NULL }, 6, false);
	ck_assert_uint_eq(entries_in(kind), 1);
	stored_walk_is(&env, dirs, 3, names,
	               (const char *const[]){ "lib/sub/deeper/libfoo.a", "other/x/libbar.a",
	                                      "lib/sub/deeper/deepest/libdeep.a", NULL, NULL, NULL }, 6, true);
	/* Other search dirs are another entry: walked, not loaded. */
	stored_walk_is(&env, dirs, 1, names,
	               (const char *const[]){ "lib/sub/deeper/libfoo.a", NULL, "lib/sub/deeper/deepest/libdeep.a",
	                                      NULL, NULL, NULL }, 6, false);
	/* A file added three levels down: the new answer, not the kept one. */
	file_at("lib/sub/deeper/deepest/libnew.a");
	stored_walk_is(&env, dirs, 3, names,
	               (const char *const[]){ "lib/sub/deeper/libfoo.a", "other/x/libbar.a",
	                                      "lib/sub/deeper/deepest/libdeep.a", "lib/sub/deeper/deepest/libnew.a",
	                                      NULL, NULL }, 6, false);
	ck_assert_int_eq(unlink(at(p, sizeof(p), "lib/sub/deeper/deepest/libnew.a")), 0);
	/* A file removed. */
	ck_assert_int_eq(unlink(at(p, sizeof(p), "lib/sub/deeper/libfoo.a")), 0);
	stored_walk_is(&env, dirs, 3, names,
	               (const char *const[]){ "lib/sub/libfoo.a", "other/x/libbar.a",
	                                      "lib/sub/deeper/deepest/libdeep.a", NULL, NULL, NULL }, 6, false);
	/* A directory replaced by another of the same name (renamed over it). */
	mkdir_at("other/y");
	file_at("other/y/libbaz.a");
	ck_assert_int_eq(rename(at(p, sizeof(p), "other/x"), at(q, sizeof(q), "old-x")), 0);
	ck_assert_int_eq(rename(at(p, sizeof(p), "other/y"), at(q, sizeof(q), "other/x")), 0);
	stored_walk_is(&env, dirs, 3, names,
	               (const char *const[]){ "lib/sub/libfoo.a", NULL, "lib/sub/deeper/deepest/libdeep.a", NULL,
	                                      "other/x/libbaz.a", NULL }, 6, false);
	/* A directory where there was none (a search dir that did not exist). */
	mkdir_at("nodir");
	mkdir_at("nodir/d");
	file_at("nodir/d/libnothere.a");
	stored_walk_is(&env, dirs, 3, names,
	               (const char *const[]){ "lib/sub/libfoo.a", NULL, "lib/sub/deeper/deepest/libdeep.a", NULL,
	                                      "other/x/libbaz.a", "nodir/d/libnothere.a" }, 6, false);
	ck_assert_int_eq(gr_test_rmtree(cache), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_realpath_same_answers,
		test_realpath_hits_and_misses,
		test_elsewhere_walk_once,
		test_elsewhere_walk_stored,
		test_elsewhere_walk_unsure_not_stored,
	};

	return gr_test_run(gr_test_suite("ldscache", "core", tests, sizeof(tests) / sizeof(tests[0]), 0), true);
}
