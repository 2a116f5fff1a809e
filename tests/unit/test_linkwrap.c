/* Unit tests for gr_linkwrap, without go: the real gcc links fixture objects
 * and archives made here (main.o needs libneed.a, which needs libprov.a), so
 * that the order repair, the --fix loop and the explanation of a failed link
 * run as gorelink-ld runs them; a fake linker script dies of a signal. The
 * messages are captured with open_memstream and asserted. Needs gcc and
 * binutils (Debian: gcc, binutils). */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_dcomp.h"
#include "gr_linkwrap.h"
#include "gr_path.h"
#include "gr_spawn.h"
#include "gr_test.h"

static char dir[64];
static char libneed[128], libprov[128], mainobj[128], out[128];
static bool reactive;  /* link_words without the plan: the repair after a failed link */
/* The state link_words gives the wrapper (reset by setup): the mode, an
 * --allow-dynamic name and a third-party system library, or NULL. */
static enum gr_link_mode lmode;
static const char *allow_name, *system_lib;
/* The wrapper's input_script (reset by setup: false) and the state's no_manifest. */
static bool input_script, no_manifest;

/* Write dir/name with the mode. */
static void
write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	gr_test_write_mode(path, text, mode);
}

/* Run argv; it must exit 0. */
static void
must_run(const char *const *argv)
{
	struct gr_spawn_result r;
	struct gr_strvec av;
	struct gr_error e;
	size_t i;

	gr_strvec_init(&av);
	for (i = 0; argv[i]; i++)
		gr_strvec_push(&av, argv[i]);
	if (gr_spawn_capture(gr_strvec_argv(&av), NULL, &r, &e) != GR_OK)
		ck_abort_msg("cannot run %s: %s (install gcc and binutils)", argv[0], e.msg);
	if (!gr_spawn_ok(&r))
		ck_abort_msg("%s failed: %s", argv[0], r.err ? r.err : "");
	gr_spawn_result_free(&r);
	gr_strvec_deinit(&av);
}

/* The fixtures: main.o -> libneed.a (need) -> libprov.a (provided). */
static void
setup(void)
{
	char src[256], obj[256], lib[256];
	const char *names[] = { "main", "need", "prov" };
	size_t i;

	reactive = false;
	input_script = no_manifest = false;
	lmode = GR_LINK_STATIC;
	allow_name = system_lib = NULL;
	gr_test_tmpdir(dir, sizeof(dir), "gr-linkwrap");
	setenv("GORELINK_CACHE_DIR", dir, 1);  /* the symbol index caches here, not in $HOME */
	write_file("main.c", "int need(void);\nint main(void) { return need(); }\n", 0644);
	write_file("need.c", "int provided(void);\nint need(void) { return provided() - 42; }\n", 0644);
	write_file("prov.c", "int provided(void) { return 42; }\n", 0644);
	for (i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "%s/%s.c", dir, names[i]);
		snprintf(obj, sizeof(obj), "%s/%s.o", dir, names[i]);
		must_run((const char *const[]){ "gcc", "-c", "-o", obj, src, NULL });
		if (i == 0)
			continue;
		snprintf(lib, sizeof(lib), "%s/lib%s.a", dir, names[i]);
		must_run((const char *const[]){ "ar", "rcs", lib, obj, NULL });
	}
	snprintf(libneed, sizeof(libneed), "%s/libneed.a", dir);
	snprintf(libprov, sizeof(libprov), "%s/libprov.a", dir);
	snprintf(mainobj, sizeof(mainobj), "%s/main.o", dir);
	snprintf(out, sizeof(out), "%s/a.out", dir);
}

static void
teardown(void)
{
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}

/* One wrapped link of words (NULL-terminated); the messages in *msgs (malloc'd). */
struct run {
	struct gr_linkstate ls;
	struct gr_strvec final;
	struct gr_link_report rep;
	char *msgs, *outs;
	int status;
};

static void
link_words(struct run *r, bool fix, const char *const *words)
{
	const char *dirs[] = { dir };
	size_t mlen = 0, olen = 0, i;
	FILE *m = open_memstream(&r->msgs, &mlen), *o = open_memstream(&r->outs, &olen);
	struct gr_linkwrap w = { gr_test_env(), &r->ls, dirs, 1, o, m, "gorelink-ld", input_script };

	gr_linkstate_init(&r->ls);
	r->ls.fix = fix;
	r->ls.no_manifest = no_manifest;
	r->ls.mode = lmode;
	if (allow_name)
		gr_strvec_push(&r->ls.allow, allow_name);
	if (system_lib)
		gr_strvec_push(&r->ls.system_libs, system_lib);
	gr_strvec_init(&r->final);
	gr_link_report_init(&r->rep);
	for (i = 0; words[i]; i++)
		gr_strvec_push(&r->final, words[i]);
	r->status = reactive ? gr_linkwrap_link_unplanned(&w, &r->final, &r->rep) : gr_linkwrap_link(&w, &r->final, &r->rep);
	fclose(m);
	fclose(o);
}

static void
run_free(struct run *r)
{
	gr_linkstate_deinit(&r->ls);
	gr_strvec_deinit(&r->final);
	gr_link_report_deinit(&r->rep);
	free(r->msgs);
	free(r->outs);
}

static void
has(const char *text, const char *want)
{
	if (!strstr(text, want))
		ck_abort_msg("'%s' not in:\n%s", want, text);
}

START_TEST(test_order_grouped)
{
	struct run r;
	size_t i;
	long s = -1, e = -1;

	setup();
	reactive = true;

	link_words(&r, false, (const char *const[]){ "gcc", "-o", out, mainobj, libprov, libneed, NULL });
	ck_assert_int_eq(r.status, 0);
	has(r.msgs, "undefined reference to `provided'");  /* the first link's messages are passed on */
	has(r.msgs, "gorelink: link order: ");
	has(r.msgs, "gorelink: grouped the archives from ");
	ck_assert_uint_eq(r.rep.norder, 1);
	ck_assert_str_eq(r.rep.order[0].strategy, "group");
	ck_assert_str_eq(r.rep.order[0].needs, libneed);
	ck_assert_str_eq(r.rep.order[0].provider, libprov);
	ck_assert_uint_eq(r.rep.nfixes, 0);
	for (i = 0; i < r.final.n; i++) {
		if (!strcmp(r.final.v[i], "-Wl,--start-group"))
			s = (long)i;
		if (!strcmp(r.final.v[i], "-Wl,--end-group"))
			e = (long)i;
	}
	/* The group spans the provider to the needer, in the order given. */
	ck_assert_int_ge(s, 0);
	ck_assert_str_eq(r.final.v[s + 1], libprov);
	ck_assert_str_eq(r.final.v[s + 2], libneed);
	ck_assert_int_eq(e, s + 3);
	ck_assert_int_eq(access(out, X_OK), 0);
	run_free(&r);
	teardown();
}
END_TEST

START_TEST(test_fix_adds_the_provider)
{
	struct run r;

	setup();

	link_words(&r, true, (const char *const[]){ "gcc", "-o", out, mainobj, libneed, NULL });
	ck_assert_int_eq(r.status, 0);
	has(r.msgs, "gorelink: --fix: adding ");
	has(r.msgs, "libprov.a (-lprov) and linking again");
	ck_assert_uint_eq(r.rep.nfixes, 1);
	ck_assert_str_eq(r.rep.fixes[0].lname, "prov");
	ck_assert_str_eq(r.rep.fixes[0].archive, libprov);
	ck_assert_str_eq(r.final.v[r.final.n - 1], libprov);
	ck_assert_uint_eq(r.rep.nundefined, 0);  /* the link that passed has nothing to explain */
	ck_assert_int_eq(access(out, X_OK), 0);
	run_free(&r);
	teardown();
}
END_TEST

/* A library kept dynamic (an --allow-dynamic name; a third-party mode
 * system library) is added by --fix as -lNAME, never as its archive: in
 * Debian's third-party links that archive was glibc's libm-2.36.a, which
 * then needed libc.a (issue 13). libprov.so beside libprov.a is what -lprov
 * finds in a dynamic link. */
START_TEST(test_fix_keeps_dynamic_libraries_l)
{
	static const char *const how[] = { "--allow-dynamic", "system library" };
	char so[256], ldir[256];
	size_t k;

	setup();
	snprintf(so, sizeof(so), "%s/libprov.so", dir);
	snprintf(ldir, sizeof(ldir), "-L%s", dir);
	write_file("provso.c", "int provided(void) { return 42; }\n", 0644);
	{
		char src[256];
		snprintf(src, sizeof(src), "%s/provso.c", dir);
		must_run((const char *const[]){ "gcc", "-shared", "-fPIC", "-o", so, src, NULL });
	}
	for (k = 0; k < 2; k++) {
		struct run r;
		lmode = GR_LINK_THIRD_PARTY;
		allow_name = k == 0 ? "prov" : NULL;
		system_lib = k == 1 ? "prov" : NULL;
		link_words(&r, true, (const char *const[]){ "gcc", "-o", out, mainobj, libneed, ldir, NULL });
		ck_assert_msg(r.status == 0, "%s: status %d\n%s", how[k], r.status, r.msgs);
		has(r.msgs, "gorelink: --fix: adding -lprov (kept dynamic in --third-party mode) and linking again");
		ck_assert_uint_eq(r.rep.nfixes, 1);
		ck_assert_str_eq(r.rep.fixes[0].lname, "prov");
		ck_assert_ptr_null(r.rep.fixes[0].archive);
		ck_assert_str_eq(r.rep.fixes[0].flag, "-lprov");
		ck_assert_str_eq(r.final.v[r.final.n - 1], "-lprov");
		ck_assert_int_eq(access(out, X_OK), 0);
		run_free(&r);
	}
	/* Not kept dynamic (third-party mode, prov not named): the archive, as before. */
	{
		struct run r;
		allow_name = system_lib = NULL;
		link_words(&r, true, (const char *const[]){ "gcc", "-o", out, mainobj, libneed, ldir, NULL });
		ck_assert_int_eq(r.status, 0);
		ck_assert_uint_eq(r.rep.nfixes, 1);
		ck_assert_str_eq(r.rep.fixes[0].archive, libprov);
		ck_assert_str_eq(r.rep.fixes[0].flag, libprov);
		run_free(&r);
	}
	teardown();
}
END_TEST

/* libgrB.so.1 (soname libgrB.so.1, version GRB_1.0) and libgrA.so, which
 * needs it; dsomain.o calls grb_value itself and links only -lgrA. */
static void
dso_fixtures(bool devlink)
{
	char path[256], src[256], so[256], ldir[256];

	write_file("b.c", "int grb_value(void) { return 42; }\n", 0644);
	write_file("b.map", "GRB_1.0 { global: grb_value; local: *; };\n", 0644);
	write_file("a.c", "int grb_value(void);\nint gra_value(void) { return grb_value() + 1; }\n", 0644);
	write_file("dsomain.c", "int gra_value(void);\nint grb_value(void);\nint main(void) { return gra_value() + grb_value() - 85; }\n", 0644);
	snprintf(so, sizeof(so), "%s/libgrB.so.1", dir);
	snprintf(src, sizeof(src), "%s/b.c", dir);
	snprintf(path, sizeof(path), "-Wl,--version-script=%s/b.map", dir);
	must_run((const char *const[]){ "gcc", "-shared", "-fPIC", "-Wl,-soname,libgrB.so.1", path, "-o", so, src, NULL });
	if (devlink) {
		snprintf(path, sizeof(path), "%s/libgrB.so", dir);
		ck_assert_int_eq(symlink("libgrB.so.1", path), 0);
	}
	snprintf(so, sizeof(so), "%s/libgrA.so", dir);
	snprintf(src, sizeof(src), "%s/a.c", dir);
	snprintf(ldir, sizeof(ldir), "%s/libgrB.so.1", dir);
	must_run((const char *const[]){ "gcc", "-shared", "-fPIC", "-Wl,-soname,libgrA.so", "-o", so, src, ldir, NULL });
	snprintf(path, sizeof(path), "%s/dsomain.o", dir);
	snprintf(src, sizeof(src), "%s/dsomain.c", dir);
	must_run((const char *const[]){ "gcc", "-c", "-o", path, src, NULL });
}

/* "DSO missing from command line": named (the library, its -l flag, the one
 * of the link that loads it, the options), for GNU ld from its own words and
 * for gold from libgrA.so's DT_NEEDED; --fix adds the flag and it links. */
START_TEST(test_dso_missing_named_and_fixed)
{
	static const char *const linkers[] = { "-fuse-ld=bfd", "-fuse-ld=gold" };
	char obj[256], ldir[256], rpath[256], want[512];
	size_t k;

	setup();
	dso_fixtures(true);
	snprintf(obj, sizeof(obj), "%s/dsomain.o", dir);
	snprintf(ldir, sizeof(ldir), "-L%s", dir);
	snprintf(rpath, sizeof(rpath), "-Wl,-rpath,%s", dir);
	lmode = GR_LINK_THIRD_PARTY;
	allow_name = "grA";
	for (k = 0; k < 2; k++) {
		struct run r;
		link_words(&r, false, (const char *const[]){ "gcc", linkers[k], "-o", out, obj, ldir, rpath, "-lgrA", NULL });
		ck_assert_msg(r.status != 0, "%s linked", linkers[k]);
		snprintf(want, sizeof(want), "gorelink: grb_value, needed by %s, is defined only in the shared library %s/libgrB.so.1 (-lgrB), which %s/libgrA.so loads;",
		         obj, dir, dir);
		has(r.msgs, want);
		has(r.msgs, "add --allow-dynamic grB --lib -lgrB (or run gorelink again with --fix)\n");
		ck_assert_uint_eq(r.rep.nundefined, 1);
		ck_assert_str_eq(r.rep.undefined[0].lname, "grB");
		ck_assert_ptr_null(r.rep.undefined[0].archive);
		ck_assert_str_eq(r.rep.undefined[0].option, "--allow-dynamic grB --lib -lgrB");
		run_free(&r);
		link_words(&r, true, (const char *const[]){ "gcc", linkers[k], "-o", out, obj, ldir, rpath, "-lgrA", NULL });
		ck_assert_msg(r.status == 0, "%s --fix: status %d\n%s", linkers[k], r.status, r.msgs);
		has(r.msgs, "gorelink: --fix: adding -lgrB (libgrB.so.1, which ");
		ck_assert_uint_eq(r.rep.nfixes, 1);
		ck_assert_str_eq(r.rep.fixes[0].flag, "-lgrB");
		ck_assert_ptr_null(r.rep.fixes[0].archive);
		ck_assert_int_eq(access(out, X_OK), 0);
		run_free(&r);
	}
	teardown();
}
END_TEST

/* A C library family member: GNU ld names libm.so.6 for pow, which libl.so
 * loads; libm.so is a linker script, yet -lm is the flag (kept dynamic in
 * third-party mode: the option is --lib -lm alone). */
START_TEST(test_dso_missing_libm)
{
	char src[256], so[256], obj[256], ldir[256], rpath[256];
	struct run r;

	setup();
	write_file("l.c", "double pow(double, double);\ndouble lpow(double a) { return pow(a, 2.5); }\n", 0644);
	write_file("u.c", "double pow(double, double);\ndouble lpow(double);\n"
	           "int main(int c, char **v) { (void)v; return (int)(lpow(c) + pow(c, 1.5)) == 3 ? 0 : 1; }\n", 0644);
	snprintf(src, sizeof(src), "%s/l.c", dir);
	snprintf(so, sizeof(so), "%s/libl.so", dir);
	must_run((const char *const[]){ "gcc", "-shared", "-fPIC", "-o", so, src, "-lm", NULL });
	snprintf(src, sizeof(src), "%s/u.c", dir);
	snprintf(obj, sizeof(obj), "%s/u.o", dir);
	must_run((const char *const[]){ "gcc", "-fno-builtin", "-c", "-o", obj, src, NULL });
	snprintf(ldir, sizeof(ldir), "-L%s", dir);
	snprintf(rpath, sizeof(rpath), "-Wl,-rpath,%s", dir);
	lmode = GR_LINK_THIRD_PARTY;
	link_words(&r, false, (const char *const[]){ "gcc", "-o", out, obj, ldir, rpath, "-ll", NULL });
	ck_assert_int_ne(r.status, 0);
	has(r.msgs, "gorelink: pow, needed by ");
	has(r.msgs, "/libm.so.6 (-lm)");  /* no package: the C library family is named by -l */
	has(r.msgs, "add --lib -lm (or run gorelink again with --fix)\n");
	run_free(&r);
	link_words(&r, true, (const char *const[]){ "gcc", "-o", out, obj, ldir, rpath, "-ll", NULL });
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.msgs);
	ck_assert_uint_eq(r.rep.nfixes, 1);
	ck_assert_str_eq(r.rep.fixes[0].flag, "-lm");
	run_free(&r);
	teardown();
}
END_TEST

/* Without the development link libgrB.so: -l:libgrB.so.1. */
START_TEST(test_dso_missing_soname_flag)
{
	char obj[256], ldir[256];
	struct run r;

	setup();
	dso_fixtures(false);
	snprintf(obj, sizeof(obj), "%s/dsomain.o", dir);
	snprintf(ldir, sizeof(ldir), "-L%s", dir);
	lmode = GR_LINK_THIRD_PARTY;
	allow_name = "grA";
	link_words(&r, true, (const char *const[]){ "gcc", "-o", out, obj, ldir, "-lgrA", NULL });
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.msgs);
	ck_assert_uint_eq(r.rep.nfixes, 1);
	ck_assert_str_eq(r.rep.fixes[0].flag, "-l:libgrB.so.1");
	ck_assert_str_eq(r.rep.fixes[0].lname, ":libgrB.so.1");
	run_free(&r);
	teardown();
}
END_TEST

START_TEST(test_explained_without_fix)
{
	struct run r;

	setup();

	link_words(&r, false, (const char *const[]){ "gcc", "-o", out, mainobj, libneed, NULL });
	ck_assert_int_ne(r.status, 0);
	has(r.msgs, "gorelink: 1 undefined reference to 1 symbol:\n  provided, needed by ");
	has(r.msgs, "defined in ");
	has(r.msgs, "libprov.a (-lprov): add --lib -lprov\n");
	has(r.msgs, "(or run gorelink again with --fix to add them)");
	ck_assert_uint_eq(r.rep.nundefined, 1);
	ck_assert_str_eq(r.rep.undefined[0].lname, "prov");
	ck_assert_ptr_null(r.rep.undefined[0].pkg);
	ck_assert_str_eq(r.rep.undefined[0].archive, libprov);
	ck_assert_str_eq(r.rep.undefined[0].option, "--lib -lprov");
	ck_assert_uint_eq(r.rep.nfixes, 0);
	ck_assert_uint_eq(r.final.n, 5);  /* nothing added, nothing grouped */
	run_free(&r);
	teardown();
}
END_TEST

START_TEST(test_killed_linker_reported)
{
	char ld[128], rpath[128];
	struct run r;
	struct gr_link_report back;
	struct gr_error e;

	setup();

	snprintf(ld, sizeof(ld), "%s/dying-ld", dir);
	write_file("dying-ld", "#!/bin/sh\necho to-stdout\necho to-stderr >&2\nkill -KILL $$\n", 0755);
	link_words(&r, true, (const char *const[]){ ld, "-o", out, mainobj, NULL });
	ck_assert_int_eq(r.status, 128 + SIGKILL);
	ck_assert_str_eq(r.outs, "to-stdout\n");
	has(r.msgs, "to-stderr\n");
	has(r.msgs, "gorelink-ld: ");
	has(r.msgs, "dying-ld killed by signal");
	/* The report names what killed it; the driver reads that back. */
	snprintf(rpath, sizeof(rpath), "%s/report", dir);
	r.ls.report = strdup(rpath);
	ck_assert_int_eq(gr_linkwrap_report(&r.ls, &r.final, NULL, r.status, &r.rep, &e), GR_OK);
	ck_assert_int_eq(gr_link_report_read(rpath, &back, &e), GR_OK);
	ck_assert_int_eq(back.status, 128 + SIGKILL);
	ck_assert_ptr_nonnull(back.killed);
	has(back.killed, "dying-ld killed by signal");
	ck_assert_uint_eq(back.nargv, 4);
	ck_assert_str_eq(back.argv[3], mainobj);
	gr_link_report_deinit(&back);
	run_free(&r);
	teardown();
}
END_TEST

START_TEST(test_no_such_linker)
{
	struct run r;

	setup();

	link_words(&r, false, (const char *const[]){ "/nonexistent/gr-ld", "-o", out, NULL });
	ck_assert_int_eq(r.status, 127);
	has(r.msgs, "gorelink-ld: ");
	has(r.msgs, "/nonexistent/gr-ld");
	run_free(&r);
	teardown();
}
END_TEST

/* Build dir/NAME.o from text. */
static void
compile(const char *name, const char *text)
{
	char file[64], src[256], obj[256];

	snprintf(file, sizeof(file), "%s.c", name);
	write_file(file, text, 0644);
	snprintf(src, sizeof(src), "%s/%s.c", dir, name);
	snprintf(obj, sizeof(obj), "%s/%s.o", dir, name);
	must_run((const char *const[]){ "gcc", "-c", "-o", obj, src, NULL });
}

/* How often want occurs in text. */
static size_t
count(const char *text, const char *want)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, want)) != NULL; p += strlen(want))
		n++;
	return n;
}

/* Three members of one archive need the provider linked before it: one line
 * with its count, the paths tidied (the link itself keeps "sub/.."). */
START_TEST(test_order_line_once_with_count)
{
	struct run r;
	char lib3[256], dotted[256], o1[256], o2[256], o3[256], sub[256], main3[256], want[512];

	setup();
	compile("n1", "int provided(void);\nint n1(void) { return provided(); }\n");
	compile("n2", "int provided(void);\nint n2(void) { return provided() + 1; }\n");
	compile("n3", "int provided(void);\nint n3(void) { return provided() + 2; }\n");
	compile("main3", "int n1(void), n2(void), n3(void);\nint main(void) { return n1() + n2() + n3() - 129; }\n");
	snprintf(lib3, sizeof(lib3), "%s/libneed3.a", dir);
	snprintf(o1, sizeof(o1), "%s/n1.o", dir);
	snprintf(o2, sizeof(o2), "%s/n2.o", dir);
	snprintf(o3, sizeof(o3), "%s/n3.o", dir);
	must_run((const char *const[]){ "ar", "rcs", lib3, o1, o2, o3, NULL });
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(dotted, sizeof(dotted), "%s/sub/../libneed3.a", dir);
	snprintf(main3, sizeof(main3), "%s/main3.o", dir);
	reactive = true;

	link_words(&r, false, (const char *const[]){ "gcc", "-o", out, main3, libprov, dotted, NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(count(r.msgs, "gorelink: link order: ") == 1, "one link-order line, not:\n%s", r.msgs);
	snprintf(want, sizeof(want), "gorelink: link order: %s needs %s, which comes earlier, and GNU ld scans each archive once (3 times)\n",
	         lib3, libprov);
	has(r.msgs, want);
	ck_assert_msg(!strstr(strstr(r.msgs, "gorelink: link order"), "/sub/.."), "an untidy path in:\n%s", r.msgs);
	ck_assert_uint_eq(r.rep.norder, 1);
	/* The link keeps exactly what it was given. */
	for (size_t i = 0; i < r.final.n; i++)
		if (strstr(r.final.v[i], "libneed3.a"))
			ck_assert_str_eq(r.final.v[i], dotted);
	run_free(&r);
	teardown();
}
END_TEST

/* --fix added what it could and the link still fails: the explanation says
 * so, not "run again with --fix". */
START_TEST(test_fix_wording_when_still_failing)
{
	struct run r;
	char main4[256];

	setup();
	compile("main4", "int need(void), nowhere_defined(void);\nint main(void) { return need() + nowhere_defined(); }\n");
	snprintf(main4, sizeof(main4), "%s/main4.o", dir);

	link_words(&r, true, (const char *const[]){ "gcc", "-o", out, main4, libneed, NULL });
	ck_assert_int_ne(r.status, 0);
	has(r.msgs, "gorelink: --fix: adding ");
	ck_assert_uint_eq(r.rep.nfixes, 1);
	has(r.msgs, "(--fix added 1 archive and linked again; these are still undefined: add what is named above by hand)");
	ck_assert_msg(!strstr(r.msgs, "again with --fix"), "--fix offered after it ran:\n%s", r.msgs);
	run_free(&r);
	teardown();
}
END_TEST

/* Planned before the first link: the provider before the needer is grouped,
 * said once, recorded as "planned", and the link runs once. */
START_TEST(test_order_planned)
{
	struct run r;
	size_t i;
	long s = -1, e = -1;
	char want[512];

	setup();

	link_words(&r, false, (const char *const[]){ "gcc", "-o", out, mainobj, libprov, libneed, NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.rep.links, 1);
	ck_assert_msg(!strstr(r.msgs, "undefined reference"), "the link failed first:\n%s", r.msgs);
	snprintf(want, sizeof(want), "gorelink: link order: %s needs %s, which comes before it, and GNU ld scans each archive once\n",
	         libneed, libprov);
	has(r.msgs, want);
	ck_assert_msg(count(r.msgs, "gorelink: link order: ") == 1, "one link-order line, not:\n%s", r.msgs);
	snprintf(want, sizeof(want), "gorelink: grouped the archives from %s to %s with --start-group/--end-group (not reordered: the order the flags gave is kept) before linking\n",
	         libprov, libneed);
	has(r.msgs, want);
	ck_assert_msg(count(r.msgs, "gorelink: grouped") == 1, "one grouping line, not:\n%s", r.msgs);
	ck_assert_uint_eq(r.rep.norder, 1);
	ck_assert_str_eq(r.rep.order[0].strategy, "planned");
	ck_assert_str_eq(r.rep.order[0].needs, libneed);
	ck_assert_str_eq(r.rep.order[0].provider, libprov);
	for (i = 0; i < r.final.n; i++) {
		if (!strcmp(r.final.v[i], "-Wl,--start-group"))
			s = (long)i;
		if (!strcmp(r.final.v[i], "-Wl,--end-group"))
			e = (long)i;
	}
	ck_assert_int_ge(s, 0);
	ck_assert_str_eq(r.final.v[s + 1], libprov);
	ck_assert_str_eq(r.final.v[s + 2], libneed);
	ck_assert_int_eq(e, s + 3);
	ck_assert_int_eq(access(out, X_OK), 0);
	run_free(&r);
	teardown();
}
END_TEST

/* The right order needs no plan: nothing said, nothing grouped, one link. */
START_TEST(test_order_kept_when_it_links)
{
	struct run r;
	size_t i;

	setup();

	link_words(&r, false, (const char *const[]){ "gcc", "-o", out, mainobj, libneed, libprov, NULL });
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.rep.links, 1);
	ck_assert_uint_eq(r.rep.norder, 0);
	ck_assert_msg(!strstr(r.msgs, "link order"), "an order message:\n%s", r.msgs);
	for (i = 0; i < r.final.n; i++)
		ck_assert_str_ne(r.final.v[i], "-Wl,--start-group");
	run_free(&r);
	teardown();
}
END_TEST

/* The plan's symbols come from the cache the second time (an "undefs" entry
 * per archive), and a damaged entry (its "end" line cut off) is read afresh:
 * the plan is the same each time. */
START_TEST(test_order_planned_from_cache)
{
	char udir[256], path[512];
	struct dirent *de;
	DIR *d;
	int round, files = 0;

	setup();
	snprintf(udir, sizeof(udir), "%s/undefs", dir);
	for (round = 0; round < 3; round++) {
		struct run r;
		if (round == 2) {
			/* Cut each entry's last 4 bytes ("end\n"). */
			ck_assert_ptr_nonnull(d = opendir(udir));
			while ((de = readdir(d)) != NULL) {
				struct stat sb;
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", udir, de->d_name);
				ck_assert_int_eq(stat(path, &sb), 0);
				ck_assert_int_eq(truncate(path, sb.st_size - 4), 0);
				files++;
			}
			closedir(d);
			ck_assert_int_ge(files, 2);  /* libneed.a and libprov.a */
		}
		link_words(&r, false, (const char *const[]){ "gcc", "-o", out, mainobj, libprov, libneed, NULL });
		ck_assert_msg(r.status == 0 && r.rep.links == 1, "round %d: status %d, %u links:\n%s", round, r.status,
		              r.rep.links, r.msgs);
		ck_assert_uint_eq(r.rep.norder, 1);
		ck_assert_str_eq(r.rep.order[0].strategy, "planned");
		ck_assert_msg(count(r.msgs, "gorelink: link order: ") == 1, "round %d:\n%s", round, r.msgs);
		run_free(&r);
	}
	teardown();
}
END_TEST

/* gr_dcomp_start and gr_dcomp_finish, wrapped (-Wl,--wrap): dcomp_fail 1
 * fails the start as a layout it cannot rewrite (the file untouched), 2 the
 * finish as a write that failed (after the real one); 0 runs them. */
int __real_gr_dcomp_start(const char *path, unsigned threads, struct gr_dcomp_job **job, struct gr_error *err);
int __wrap_gr_dcomp_start(const char *path, unsigned threads, struct gr_dcomp_job **job, struct gr_error *err);
int __real_gr_dcomp_finish(struct gr_dcomp_job *job, struct gr_dcomp_stats *st, bool *wrote, struct gr_error *err);
int __wrap_gr_dcomp_finish(struct gr_dcomp_job *job, struct gr_dcomp_stats *st, bool *wrote, struct gr_error *err);
static int dcomp_fail, dcomp_calls;

int
__wrap_gr_dcomp_start(const char *path, unsigned threads, struct gr_dcomp_job **job, struct gr_error *err)
{
	dcomp_calls++;
	if (dcomp_fail != 1)
		return __real_gr_dcomp_start(path, threads, job, err);
	*job = NULL;
	return gr_error_set(err, GR_EUSAGE, 0, "%s: injected (%d)", path, dcomp_fail);
}

int
__wrap_gr_dcomp_finish(struct gr_dcomp_job *job, struct gr_dcomp_stats *st, bool *wrote, struct gr_error *err)
{
	int rc = __real_gr_dcomp_finish(job, st, wrote, err);

	if (dcomp_fail != 2 || rc != GR_OK)
		return rc;
	*wrote = true;
	return gr_error_set(err, GR_EIO, 0, "injected (%d)", dcomp_fail);
}

/* Whether readelf -t says .debug_info in path is zlib-compressed. */
static bool
debug_info_zlib(const char *path)
{
	struct gr_spawn_result res;
	struct gr_error e;
	const char *argv[] = { "readelf", "-tW", path, NULL };
	const char *at;
	bool z;

	ck_assert_int_eq(gr_spawn_capture((char *const *)(uintptr_t)argv, NULL, &res, &e), GR_OK);
	ck_assert_msg(res.exited && res.code == 0, "readelf -tW %s (apt-get install binutils)", path);
	/* readelf -t: the section's lines run to the next "  [" */
	at = res.out ? strstr(res.out, "] .debug_info") : NULL;
	if (at) {
		const char *next = strstr(at, "\n  ["), *zl = strstr(at, "ZLIB");
		z = zl && (!next || zl < next);
	} else {
		z = false;
	}
	gr_spawn_result_free(&res);
	return z;
}

/* dir/NAME.o compiled with -g from a main returning ret, with stdio's and
 * pwd's types: DWARF enough to shrink (a tiny .debug_info stays as it is);
 * its path in obj. */
static void
debug_object(const char *name, const char *ret, char *obj, size_t n)
{
	char src[256], text[512], file[64];

	snprintf(file, sizeof(file), "%s.c", name);
	snprintf(src, sizeof(src), "%s/%s", dir, file);
	snprintf(obj, n, "%s/%s.o", dir, name);
	snprintf(text, sizeof(text),
	         "#include <pwd.h>\n#include <stdio.h>\nint need(void);\n"
	         "int main(void) { struct passwd *p = getpwnam(\"root\"); printf(\"%%d\\n\", p != 0); return %s; }\n",
	         ret);
	write_file(file, text, 0644);
	must_run((const char *const[]){ "gcc", "-g", "-c", "-o", obj, src, NULL });
}

/* Which compression the final line asks of the linker. */
static void
compress_words(const struct run *r, bool *none, bool *zlib)
{
	size_t i;

	*none = *zlib = false;
	for (i = 0; i < r->final.n; i++) {
		*none |= !strcmp(r->final.v[i], "-Wl,--compress-debug-sections=none");
		*zlib |= !strcmp(r->final.v[i], "-Wl,--compress-debug-sections=zlib");
	}
}

/* cmd/link's -Wl,--compress-debug-sections=zlib: the linker is told none and
 * gorelink-ld compresses after the link; when it cannot rewrite the output
 * (file untouched) it links once more with zlib back on the line, the first
 * link's findings taken back (not recorded twice) and its messages not
 * printed twice; a failure after writing fails the link. */
START_TEST(test_debug_compression_fallback)
{
	char dobj[256];
	size_t nfind = 0, said = 0;
	int round;

	setup();
	debug_object("dbg", "0", dobj, sizeof(dobj));
	for (round = 0; round < 3; round++) {
		struct run r;
		bool none, zlib;
		dcomp_fail = round;
		dcomp_calls = 0;
		link_words(&r, false, (const char *const[]){ "gcc", "-o", out, "-Wl,--compress-debug-sections=zlib", dobj,
		                                             "-static", NULL });
		compress_words(&r, &none, &zlib);
		ck_assert_int_eq(dcomp_calls, 1);
		if (round == 0) {
			ck_assert_int_eq(r.status, 0);
			ck_assert(none && !zlib);
			ck_assert_uint_eq(r.rep.links, 1);
			ck_assert_msg(debug_info_zlib(out), "gorelink-ld did not compress .debug_info");
			nfind = r.rep.nfindings;
			ck_assert_uint_gt(nfind, 0);  /* getpwnam in a static glibc link */
			ck_assert_ptr_null(strstr(r.msgs, "linking again"));
			said = count(r.msgs, "getpwnam");
			ck_assert_uint_gt(said, 0);
		} else if (round == 1) {
			ck_assert_int_eq(r.status, 0);
			ck_assert(zlib && !none);
			ck_assert_uint_eq(r.rep.links, 2);
			ck_assert_msg(debug_info_zlib(out), "the linker did not compress .debug_info");
			ck_assert_uint_eq(r.rep.nfindings, nfind);
			ck_assert_msg(count(r.msgs, "linking again, the linker compressing them") == 1, "%s", r.msgs);
			ck_assert_msg(count(r.msgs, "getpwnam") == said, "the findings said again:\n%s", r.msgs);
		} else {
			ck_assert_int_ne(r.status, 0);
			has(r.msgs, "compressing the debug sections of ");
			has(r.msgs, "injected (2)");
		}
		run_free(&r);
	}
	dcomp_fail = 0;
	teardown();
}
END_TEST

/* A link that --fix repairs: the compression starts once, after the link
 * that succeeded (not after the one that failed), and the output is
 * compressed; the line says none. */
START_TEST(test_debug_compression_after_fix)
{
	char dobj[256];
	struct run r;
	bool none, zlib;

	setup();
	debug_object("dmain", "need()", dobj, sizeof(dobj));
	dcomp_fail = 0;
	dcomp_calls = 0;
	link_words(&r, true, (const char *const[]){ "gcc", "-o", out, "-Wl,--compress-debug-sections=zlib", dobj, libneed,
	                                             NULL });
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.msgs);
	has(r.msgs, "libprov.a (-lprov) and linking again");
	ck_assert_uint_eq(r.rep.links, 2);
	ck_assert_int_eq(dcomp_calls, 1);
	compress_words(&r, &none, &zlib);
	ck_assert(none && !zlib);
	ck_assert_msg(debug_info_zlib(out), "gorelink-ld did not compress .debug_info after --fix");
	run_free(&r);
	teardown();
}
END_TEST

/* mold's objects in a script (gr_linker_input_script): the compiler driver
 * (a logging stand-in that runs gcc) gets one script word for the run of
 * objects, the script names them in order while the link runs, the link
 * works, and the script is gone after it; none with the wrapper's
 * input_script off (a sysroot), with GORELINK_NO_INPUT_SCRIPT, with GNU ld,
 * for a run of three objects, or for a wrapper (a driver named otherwise, a
 * shell script named gcc). */
START_TEST(test_mold_input_script)
{
	char cc[128], extra[128], log[128], copy[128], want[1024], *text;
	const char *cases[] = { "on", "wrapper off", "env off", "bfd", "three objects", "a driver named logcc",
		                "a shell script named gcc" };
	size_t i;

	setup();
	lmode = GR_LINK_THIRD_PARTY;  /* a dynamic link: no trace words, no glibc archives */
	no_manifest = true;
	write_file("extra.c", "int extra(void) { return 7; }\n", 0644);
	snprintf(extra, sizeof(extra), "%s/extra.o", dir);
	{
		char src[128];
		snprintf(src, sizeof(src), "%s/extra.c", dir);
		must_run((const char *const[]){ "gcc", "-c", "-o", extra, src, NULL });
	}
	snprintf(log, sizeof(log), "%s/cc.log", dir);
	snprintf(copy, sizeof(copy), "%s/script.copy", dir);
	/* The stand-in: an ELF program named gcc (the script is only for gcc,
	 * cc or clang themselves), the same program named logcc, and a shell
	 * script named gcc (wrappers by another name or of another kind). */
	{
		char src[4096], path[128], bin[128], *real = gr_path_which("gcc", getenv("PATH"));
		ck_assert_ptr_nonnull(real);
		snprintf(src, sizeof(src),
		         "#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\n"
		         "int main(int argc, char **argv) {\n"
		         "  FILE *f = fopen(\"%s\", \"a\");\n"
		         "  for (int i = 1; i < argc; i++) {\n"
		         "    fprintf(f, \"%%s\\n\", argv[i]);\n"
		         "    if (strstr(argv[i], \".gorelink-inputs-\")) {\n"
		         "      FILE *in = fopen(argv[i], \"r\"), *o = fopen(\"%s\", \"w\"); int c;\n"
		         "      while (in && (c = fgetc(in)) != EOF) fputc(c, o);\n"
		         "      if (in) fclose(in);\n      fclose(o);\n    }\n  }\n"
		         "  fprintf(f, \"---\\n\"); fclose(f);\n"
		         "  argv[0] = (char *)\"%s\"; execv(argv[0], argv); return 127;\n}\n",
		         log, copy, real);
		write_file("logcc.c", src, 0644);
		snprintf(bin, sizeof(bin), "%s/bin", dir);
		ck_assert_int_eq(mkdir(bin, 0755), 0);
		snprintf(path, sizeof(path), "%s/bin/gcc", dir);
		snprintf(src, sizeof(src), "%s/logcc.c", dir);
		must_run((const char *const[]){ "gcc", "-o", path, src, NULL });
		snprintf(path, sizeof(path), "%s/logcc", dir);
		must_run((const char *const[]){ "gcc", "-o", path, src, NULL });
		snprintf(bin, sizeof(bin), "%s/sh", dir);
		ck_assert_int_eq(mkdir(bin, 0755), 0);
		snprintf(src, sizeof(src), "#!/bin/sh\n%s/logcc \"$@\"\n", dir);
		write_file("sh/gcc", src, 0755);
		free(real);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;
		char need[128], prov[128];
		snprintf(need, sizeof(need), "%s/need.o", dir);
		snprintf(prov, sizeof(prov), "%s/prov.o", dir);
		unlink(log);
		unlink(copy);
		input_script = i != 1;
		if (i == 2)
			setenv("GORELINK_NO_INPUT_SCRIPT", "1", 1);
		snprintf(cc, sizeof(cc), "%s/%s", dir, i == 5 ? "logcc" : i == 6 ? "sh/gcc" : "bin/gcc");
		link_words(&r, false, (const char *const[]){ cc, i == 3 ? "-fuse-ld=bfd" : "-fuse-ld=mold", "-o", out,
		                                             mainobj, need, prov, i == 4 ? NULL : extra, NULL });
		unsetenv("GORELINK_NO_INPUT_SCRIPT");
		ck_assert_msg(r.status == 0, "%s: %s", cases[i], r.msgs);
		must_run((const char *const[]){ out, NULL });  /* need() returns provided() - 42: exit 0 */
		ck_assert_ptr_nonnull(text = gr_test_slurp(log));
		if (i == 0) {
			ck_assert_msg(!strstr(text, mainobj) && strstr(text, ".gorelink-inputs-"), "%s", text);
			char *sc = gr_test_slurp(copy);
			ck_assert_ptr_nonnull(sc);
			snprintf(want, sizeof(want), "INPUT(\"%s\" \"%s\" \"%s\" \"%s\")\n", mainobj, need, prov, extra);
			ck_assert_str_eq(sc, want);
			free(sc);
		} else {
			ck_assert_msg(strstr(text, mainobj) && !strstr(text, ".gorelink-inputs-"), "%s: %s", cases[i], text);
			ck_assert_int_ne(access(copy, F_OK), 0);
		}
		free(text);
		/* the report's argv names the objects, and no script is left */
		ck_assert_uint_eq(r.final.n, i == 4 ? 7 : 8);
		ck_assert_str_eq(r.final.v[4], mainobj);
		{
			DIR *d = opendir(dir);
			struct dirent *de;
			ck_assert_ptr_nonnull(d);
			while ((de = readdir(d)) != NULL)
				ck_assert_msg(!strstr(de->d_name, ".gorelink-inputs-"), "%s left in %s", de->d_name, dir);
			closedir(d);
		}
		run_free(&r);
	}
	teardown();
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_order_grouped,
		test_fix_adds_the_provider,
		test_explained_without_fix,
		test_killed_linker_reported,
		test_no_such_linker,
		test_order_line_once_with_count,
		test_fix_wording_when_still_failing,
		test_order_planned,
		test_order_kept_when_it_links,
		test_order_planned_from_cache,
		test_fix_keeps_dynamic_libraries_l,
		test_dso_missing_named_and_fixed,
		test_dso_missing_soname_flag,
		test_dso_missing_libm,
		test_debug_compression_fallback,
		test_debug_compression_after_fix,
		test_mold_input_script,
	};

	return gr_test_run(gr_test_suite("linkwrap", "linkwrap", tests, sizeof(tests) / sizeof(tests[0]), 120), false);
}
