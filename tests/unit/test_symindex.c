/* Unit tests for the symbol index's per-member undefined symbols
 * (gr_symindex_members): which member of an archive refers to which symbol,
 * from libbfd and from the cache, and a damaged cache entry read afresh. */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_elfver.h"
#include "gr_floorref.h"
#include "gr_records.h"
#include "gr_strvec.h"
#include "gr_symindex.h"
#include "gr_test.h"

static char dir[64];

static void
setup(void)
{
	gr_test_tmpdir(dir, sizeof(dir), "gr-symix");
	setenv("GORELINK_CACHE_DIR", dir, 1);
}

/* Run argv; it must exit 0 (cc and ar come with gcc and binutils). */
static void
run_ok(const char *const argv[])
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed (install gcc and binutils)", argv[0]);
}

/* Compile DIR/NAME.c (text) to DIR/NAME.o; its path into obj. */
static void
compile(const char *name, const char *text, char *obj, size_t n)
{
	char src[200];
	const char *argv[] = { "gcc", "-c", "-O2", "-o", obj, src, NULL };

	snprintf(src, sizeof(src), "%s/%s.c", dir, name);
	snprintf(obj, n, "%s/%s.o", dir, name);
	gr_test_write(src, text);
	run_ok(argv);
}

/* DIR/libtwo.a: one.o refers to closefrom and shared_fn, two.o to shared_fn
 * and (weakly, which pulls no member in) weak_fn; three.o to nothing. */
static void
make_two(char *ar, size_t n)
{
	char one[200], two[200], three[200];
	const char *argv[] = { "ar", "rcs", ar, one, two, three, NULL };

	compile("one", "void closefrom(int); int shared_fn(void);\n"
	               "int one_fn(void) { closefrom(3); return shared_fn(); }\n", one, sizeof(one));
	compile("two", "int shared_fn(void); extern int weak_fn(void) __attribute__((weak));\n"
	               "int two_fn(void) { return shared_fn() + (weak_fn ? weak_fn() : 0); }\n", two, sizeof(two));
	compile("three", "int three_fn(void) { return 3; }\n", three, sizeof(three));
	snprintf(ar, n, "%s/libtwo.a", dir);
	run_ok(argv);
}

/* The members' names that refer to sym, ","-joined, into buf. */
static const char *
who(const struct gr_symmembers *m, const char *sym, char *buf, size_t n)
{
	const size_t *idx;
	size_t k, c, at = 0;

	buf[0] = '\0';
	idx = gr_symmembers_lookup(m, sym, &c);
	for (k = 0; k < c; k++) {
		ck_assert_uint_lt(idx[k], m->nmembers);
		at += (size_t)snprintf(buf + at, n - at, "%s%s", k ? "," : "", m->members[idx[k]]);
	}
	return buf;
}

/* What libtwo.a's members refer to, as make_two made them. */
static void
members_ok(const char *ar)
{
	struct gr_symmembers *m = NULL;
	struct gr_error e;
	char buf[256];
	size_t i;

	ck_assert_int_eq(gr_symindex_members(gr_test_env(), ar, &m, &e), GR_OK);
	ck_assert_uint_eq(m->nmembers, 3);
	ck_assert_str_eq(m->members[0], "one.o");
	ck_assert_str_eq(m->members[1], "two.o");
	ck_assert_str_eq(m->members[2], "three.o");
	ck_assert_str_eq(who(m, "closefrom", buf, sizeof(buf)), "one.o");
	ck_assert_str_eq(who(m, "shared_fn", buf, sizeof(buf)), "one.o,two.o");
	ck_assert_str_eq(who(m, "weak_fn", buf, sizeof(buf)), "");
	ck_assert_str_eq(who(m, "one_fn", buf, sizeof(buf)), "");  /* defined, not undefined */
	ck_assert_str_eq(who(m, "absent_fn", buf, sizeof(buf)), "");
	for (i = 1; i < m->nsyms; i++)
		ck_assert_int_lt(strcmp(m->syms[i - 1], m->syms[i]), 0);
	gr_symmembers_free(m);
}

/* Whether v holds s. */
static bool
has(const struct gr_strvec *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

/* The archive-level list (gr_symindex_archive) is the union of the members'. */
static void
archive_ok(const char *ar)
{
	struct gr_strvec defs, undefs;
	struct gr_error e;

	gr_strvec_init(&defs);
	gr_strvec_init(&undefs);
	ck_assert_int_eq(gr_symindex_archive(gr_test_env(), ar, &defs, &undefs, &e), GR_OK);
	/* (a PIC object also refers to _GLOBAL_OFFSET_TABLE_) */
	ck_assert_uint_ge(undefs.n, 2);
	ck_assert_msg(has(&undefs, "closefrom") && has(&undefs, "shared_fn") && !has(&undefs, "weak_fn") &&
	              !has(&undefs, "one_fn"), "the archive's undefined symbols are wrong");
	ck_assert_uint_eq(defs.n, 3);
	gr_strvec_deinit(&defs);
	gr_strvec_deinit(&undefs);
}

/* The one entry file under dir/undefs. */
static void
entry_path(char *out, size_t n)
{
	char d[256];

	snprintf(d, sizeof(d), "%s/undefs", dir);
	gr_test_one_entry(d, out, n);
}

/* Per member, from libbfd, then from the cache (the entry holds the members). */
START_TEST(test_members_fresh_and_cached)
{
	char ar[200], path[512], *entry;

	setup();
	make_two(ar, sizeof(ar));
	members_ok(ar);
	entry_path(path, sizeof(path));
	entry = gr_test_slurp(path);
	ck_assert_msg(strstr(entry, "\nundefs 2\nmembers 3\none.o\ntwo.o\nthree.o\n") &&
	              strstr(entry, "\nclosefrom\t0\n") && strstr(entry, "\nshared_fn\t0,1\nend\n"),
	              "the cache entry:\n%s", entry);
	free(entry);
	/* Again, from the cache entry (test_members_cache_damaged shows it is
	 * the one read): the same answer, and the archive's list its union. */
	members_ok(ar);
	archive_ok(ar);
	gr_test_rmtree(dir);
}
END_TEST

/* The entry is trusted: a forged one (same key) answers; damaged ones are
 * misses, read afresh from the archive and rewritten. */
START_TEST(test_members_cache_damaged)
{
	static const char *const bodies[] = {
		"undefs 2\nmembers 3\none.o\ntwo.o\nthree.o\nclosefrom\t0\nshared_fn\t1,0\nend\n",  /* unordered */
		"undefs 2\nmembers 3\none.o\ntwo.o\nthree.o\nclosefrom\t3\nshared_fn\t0,1\nend\n",  /* no member 3 */
		"undefs 2\nmembers 3\none.o\ntwo.o\nthree.o\nshared_fn\t0,1\nclosefrom\t0\nend\n",  /* unsorted */
		"undefs 2\nmembers 3\none.o\ntwo.o\nthree.o\nclosefrom\t0\nshared_fn\t0,1\n",       /* no end */
		"undefs 2\nmembers 3\none.o\ntwo.o\nthree.o\nclosefrom\nshared_fn\t0,1\nend\n",     /* no list */
		"undefs 2\nmembers 3\none.o\ntwo.o\nthree.o\nclosefrom\t0,\nshared_fn\t0,1\nend\n", /* trailing comma */
		"undefs 2\nmembers 9\none.o\nend\n",                                              /* count too big */
		"undefs\nclosefrom\nshared_fn\nend\n",                                            /* the old format */
		"",
	};
	char ar[200], path[512], *entry, *body, buf[64];
	struct gr_symmembers *m;
	struct gr_error e;
	size_t i, hlen;
	FILE *f;

	setup();
	make_two(ar, sizeof(ar));
	members_ok(ar);
	entry_path(path, sizeof(path));
	entry = gr_test_slurp(path);
	ck_assert_ptr_nonnull(body = strstr(entry, "\nundefs 2\nmembers"));
	hlen = (size_t)(body + 1 - entry);
	/* A forged entry is what the answer says: the cache is read, not the archive. */
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fwrite(entry, 1, hlen, f);
	fputs("undefs 2\nmembers 2\nx.o\ny.o\nclosefrom\t1\nend\n", f);
	fclose(f);
	ck_assert_int_eq(gr_symindex_members(gr_test_env(), ar, &m, &e), GR_OK);
	ck_assert_str_eq(who(m, "closefrom", buf, sizeof(buf)), "y.o");
	gr_symmembers_free(m);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fwrite(entry, 1, hlen, f);
		fputs(bodies[i], f);
		fclose(f);
		members_ok(ar);
		archive_ok(ar);
	}
	free(entry);
	gr_test_rmtree(dir);
}
END_TEST

/* Not an archive: GR_ENOTBIN, nothing answered. */
START_TEST(test_members_not_archive)
{
	char obj[200];
	struct gr_symmembers *m = (struct gr_symmembers *)1;
	struct gr_error e;

	setup();
	compile("lone", "int lone_fn(void) { return 1; }\n", obj, sizeof(obj));
	ck_assert_int_eq(gr_symindex_members(gr_test_env(), obj, &m, &e), GR_ENOTBIN);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(gr_symindex_members(gr_test_env(), "/nonexistent/libx.a", &m, &e), GR_ENOTBIN);
	gr_test_rmtree(dir);
}
END_TEST

/* The reference of rep for sym of kind, or NULL. */
static const struct gr_rec_floorref *
ref(const struct gr_link_report *rep, const char *sym, const char *kind)
{
	size_t i;

	for (i = 0; i < rep->nfloorrefs; i++)
		if (!strcmp(rep->floorrefs[i].symbol, sym) && !strcmp(rep->floorrefs[i].kind, kind))
			return &rep->floorrefs[i];
	return NULL;
}

/* A real link (glibc 2.34 or later, Debian 12's 2.36): main.o and libtwo.a's
 * one.o call closefrom (GLIBC_2.34); under GLIBC_2.28 the scan names main.o
 * and libtwo.a(one.o), never two.o (linked too, calling nothing new), and
 * the C toolchain's start-up object for __libc_start_main. */
START_TEST(test_floorref_scan)
{
	char ar[200], mainobj[200], out[200], buf[1024];
	const struct gr_rec_floorref *f;
	struct gr_link_report rep;
	struct gr_vermax max;
	struct gr_error e;
	const char *why;
	size_t i;

	setup();
	make_two(ar, sizeof(ar));
	compile("main", "int one_fn(void); void closefrom(int);\n"
	                "int shared_fn(void) { return 0; }\n"
	                "int main(void) { closefrom(3); return one_fn(); }\n", mainobj, sizeof(mainobj));
	snprintf(out, sizeof(out), "%s/prog", dir);
	{
		const char *argv[] = { "gcc", "-o", out, mainobj, ar, NULL };
		run_ok(argv);
	}
	ck_assert(gr_elfver_parse_max("GLIBC_2.28", &max, &why));
	gr_link_report_init(&rep);
	{
		char *argv[] = { (char *)(uintptr_t) "gcc", (char *)(uintptr_t) "-o", out, mainobj, ar, NULL };
		ck_assert_int_eq(gr_floorref_scan(gr_test_env(), argv, 5, &max, 1, &rep, &e), GR_OK);
	}
	f = ref(&rep, "closefrom", "archive");
	ck_assert_msg(f && !strcmp(f->member, "one.o") && !strcmp(f->file, ar) && !strcmp(f->version, "GLIBC_2.34"),
	              "libtwo.a(one.o) not named for closefrom");
	ck_assert_str_eq(gr_floorref_text(f, buf, sizeof(buf)), strcat(strcpy(buf + 512, ar), "(one.o)"));
	f = ref(&rep, "closefrom", "object");
	ck_assert_msg(f && !strcmp(f->file, mainobj), "main.o not named for closefrom");
	f = ref(&rep, "__libc_start_main", "toolchain");
	ck_assert_msg(f && f->file && strstr(f->file, "crt1.o"), "the start-up object not named");
	for (i = 0; i < rep.nfloorrefs; i++) {
		ck_assert_msg(!rep.floorrefs[i].member || strcmp(rep.floorrefs[i].member, "two.o"),
		              "two.o named for %s", rep.floorrefs[i].symbol);
		ck_assert(i == 0 || strcmp(rep.floorrefs[i - 1].symbol, rep.floorrefs[i].symbol) <= 0);
	}
	gr_link_report_deinit(&rep);
	/* A limit the binary meets: nothing is recorded. */
	ck_assert(gr_elfver_parse_max("GLIBC_2.99", &max, &why));
	gr_link_report_init(&rep);
	{
		char *argv[] = { (char *)(uintptr_t) "gcc", (char *)(uintptr_t) "-o", out, mainobj, ar, NULL };
		ck_assert_int_eq(gr_floorref_scan(gr_test_env(), argv, 5, &max, 1, &rep, &e), GR_OK);
	}
	ck_assert_uint_eq(rep.nfloorrefs, 0);
	gr_link_report_deinit(&rep);
	gr_test_rmtree(dir);
}
END_TEST

/* The Go package of a cgo object, from go list's answer: by its own file
 * (x.cgo2.c is x.go's), the group deciding for _cgo_export.c; the standard
 * library has no module; an unknown file stays unnamed. */
START_TEST(test_floorref_resolve)
{
	static const char golist[] =
		"\n"
		"net\t\tcgo_unix_cgo.go cgo_resnew.go  \n"
		"runtime/cgo\t\tcgo.go callbacks.go gcc_libinit.c gcc_linux_amd64.c  gcc_amd64.S  \n"
		"example.com/m/sub\texample.com/m\tsub.go helper.c   \n"
		"example.com/m/other\texample.com/m\tother.go   \n";
	struct gr_rec_floorref in[] = {
		{ "closefrom", "GLIBC_2.34", "cgo", NULL, "sub.cgo2.c", "_cgo_export.c\nsub.cgo2.c\nhelper.c", NULL, NULL, NULL },
		{ "x_export", "GLIBC_2.34", "cgo", NULL, "_cgo_export.c", "_cgo_export.c\nsub.cgo2.c\nhelper.c", NULL, NULL, NULL },
		{ "pthread_create", "GLIBC_2.34", "cgo", NULL, "gcc_libinit.c", "_cgo_export.c\ncgo.cgo2.c\ngcc_libinit.c", NULL, NULL, NULL },
		{ "getaddrinfo", "GLIBC_2.34", "cgo", NULL, "cgo_unix_cgo.cgo2.c", "_cgo_export.c\ncgo_unix_cgo.cgo2.c", NULL, NULL, NULL },
		{ "mystery", "GLIBC_2.34", "cgo", NULL, "nowhere.c", "nowhere.c", NULL, NULL, NULL },
		{ "arc4random", "GLIBC_2.36", "archive", "/l/libx.a", "one.o", NULL, NULL, NULL, NULL },
	};
	struct gr_link_report rep;
	struct gr_error e;
	char buf[512];
	size_t i;

	gr_link_report_init(&rep);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		ck_assert_int_eq(gr_link_report_add_floorref(&rep, &in[i]), GR_OK);
	ck_assert_int_eq(gr_floorref_resolve(&rep, golist, &e), GR_OK);
	ck_assert_str_eq(rep.floorrefs[0].package, "example.com/m/sub");
	ck_assert_str_eq(rep.floorrefs[0].module, "example.com/m");
	ck_assert_str_eq(gr_floorref_text(&rep.floorrefs[0], buf, sizeof(buf)),
	                 "Go package example.com/m/sub (module example.com/m, C file sub.cgo2.c)");
	ck_assert_str_eq(rep.floorrefs[1].package, "example.com/m/sub");  /* not other, not net */
	ck_assert_str_eq(rep.floorrefs[2].package, "runtime/cgo");
	ck_assert_ptr_null(rep.floorrefs[2].module);
	ck_assert_str_eq(gr_floorref_text(&rep.floorrefs[2], buf, sizeof(buf)),
	                 "Go package runtime/cgo (standard library, C file gcc_libinit.c)");
	ck_assert_str_eq(rep.floorrefs[3].package, "net");
	ck_assert_ptr_null(rep.floorrefs[4].package);
	ck_assert_str_eq(gr_floorref_text(&rep.floorrefs[4], buf, sizeof(buf)), "a Go package's C file nowhere.c");
	ck_assert_ptr_null(rep.floorrefs[5].package);
	ck_assert_str_eq(gr_floorref_text(&rep.floorrefs[5], buf, sizeof(buf)), "/l/libx.a(one.o)");
	gr_link_report_deinit(&rep);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_members_fresh_and_cached,
		test_members_cache_damaged,
		test_members_not_archive,
		test_floorref_scan,
		test_floorref_resolve,
	};

	return gr_test_run(gr_test_suite("symindex", "symindex", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
