/* Unit tests for gr_env: the library decides on the struct the CLI fills,
 * never on the process environment. Each test sets the process variable to
 * a wrong value and shows that the struct's value wins. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_build.h"
#include "gr_cache.h"
#include "gr_env.h"
#include "gr_path.h"
#include "gr_pc.h"
#include "gr_preset.h"
#include "gr_tccache.h"
#include "gr_test.h"

static char tmp[64];  /* the test's directory under /tmp (gr_test_tmpdir) */

/* "NAME=value" strings: the first one of a name counts, as getenv's does;
 * an entry without '=' and variables gr_env does not hold are ignored. */
START_TEST(test_from_environ)
{
	char *envp[] = { "PATH=/a:/b", "CC=musl-gcc", "NOEQUALS", "PATH=/second", "HOME=",
	                 "GORELINK_PRESET_PATH=/p", "UNRELATED=1", "LIBRARY_PATH=/lp",
	                 "CXX=aarch64-linux-gnu-g++", NULL };
	struct gr_env e;
	size_t i;

	gr_env_from_environ(&e, envp);
	ck_assert_str_eq(e.path, "/a:/b");
	ck_assert_str_eq(e.cc, "musl-gcc");
	ck_assert_str_eq(gr_env_get(&e, "CXX"), "aarch64-linux-gnu-g++");
	ck_assert_str_eq(e.home, "");
	ck_assert_str_eq(e.preset_path, "/p");
	ck_assert_ptr_null(e.tmpdir);
	ck_assert_ptr_null(e.goflags);
	ck_assert_str_eq(gr_env_get(&e, "LIBRARY_PATH"), "/lp");
	ck_assert_str_eq(gr_env_get(&e, "PATH"), "/a:/b");
	ck_assert_ptr_null(gr_env_get(&e, "UNRELATED"));
	ck_assert_ptr_null(gr_env_get(&e, "TMPDIR"));
	/* Every name it lists is one gr_env_get knows. */
	for (i = 0; gr_env_name(i); i++)
		(void)gr_env_get(&e, gr_env_name(i));
	ck_assert_uint_ge(i, 16);
	/* Its own path, from /proc/self/exe. */
	ck_assert_ptr_nonnull(strstr(e.self, "test_env"));
	gr_env_from_environ(&e, NULL);
	ck_assert_ptr_null(e.path);
}
END_TEST

START_TEST(test_self_dir)
{
	struct gr_env e;
	char *d;

	memset(&e, 0, sizeof(e));
	ck_assert_ptr_null(gr_env_self_dir(&e));
	snprintf(e.self, sizeof(e.self), "/opt/x/bin/gorelink");
	d = gr_env_self_dir(&e);
	ck_assert_str_eq(d, "/opt/x/bin");
	free(d);
	snprintf(e.self, sizeof(e.self), "/gorelink");
	d = gr_env_self_dir(&e);
	ck_assert_str_eq(d, "/");
	free(d);
}
END_TEST

/* The cache directory: GORELINK_CACHE_DIR, XDG_CACHE_HOME, HOME from the struct. */
START_TEST(test_cache_dir_from_struct)
{
	struct gr_env e;
	char *d;

	memset(&e, 0, sizeof(e));
	setenv("GORELINK_CACHE_DIR", "/wrong/cache", 1);
	setenv("XDG_CACHE_HOME", "/wrong/xdg", 1);
	setenv("HOME", "/wrong/home", 1);
	e.cache_dir = "/right/cache";
	d = gr_cache_dir(&e);
	ck_assert_str_eq(d, "/right/cache");
	free(d);
	e.cache_dir = NULL;
	e.xdg_cache_home = "/right/xdg";
	d = gr_cache_dir(&e);
	ck_assert_str_eq(d, "/right/xdg/gorelink");
	free(d);
	e.xdg_cache_home = NULL;
	e.home = "/right/home";
	d = gr_cache_dir(&e);
	ck_assert_str_eq(d, "/right/home/.cache/gorelink");
	free(d);
	e.home = NULL;
	ck_assert_ptr_null(gr_cache_dir(&e));
	e.cache_dir = "";  /* set and empty: no cache, whatever the process says */
	ck_assert_ptr_null(gr_cache_dir(&e));
}
END_TEST

/* Commands are looked for in the struct's PATH. */
START_TEST(test_which_from_struct)
{
	char bin[128], prog[160], *w;

	gr_test_tmpdir(tmp, sizeof(tmp), "gr-env");
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	ck_assert_int_eq(mkdir(bin, 0755), 0);
	snprintf(prog, sizeof(prog), "%s/gr-env-prog", bin);
	gr_test_write_mode(prog, "#!/bin/sh\n", 0755);
	setenv("PATH", "/nonexistent", 1);
	w = gr_path_which("gr-env-prog", bin);
	ck_assert_str_eq(w, prog);
	free(w);
	setenv("PATH", bin, 1);
	ck_assert_ptr_null(gr_path_which("gr-env-prog", "/nonexistent"));
	ck_assert_int_eq(gr_test_rmtree(tmp), 0);
}
END_TEST

/* GORELINK_PRESET_PATH from the struct, then the directories beside the
 * struct's own path: BINDIR/../share/gorelink/presets, BINDIR/share/gorelink/presets. */
START_TEST(test_presets_from_struct)
{
	char p[256], mine[128];
	struct gr_env e;
	struct gr_preset pr;
	struct gr_error err;
	struct gr_strvec dirs;

	gr_test_tmpdir(tmp, sizeof(tmp), "gr-env");
	memset(&e, 0, sizeof(e));
	snprintf(mine, sizeof(mine), "%s/mine", tmp);
	ck_assert_int_eq(mkdir(mine, 0755), 0);
	snprintf(p, sizeof(p), "%s/demo.preset", mine);
	gr_test_write_mode(p, "default one\nvariant one\ntags from-struct-path\n", 0644);
	/* an installed layout: PREFIX/bin/gorelink, PREFIX/share/gorelink/presets */
	snprintf(p, sizeof(p), "%s/bin", tmp);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/share", tmp);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/share/gorelink", tmp);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/share/gorelink/presets", tmp);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/share/gorelink/presets/demo.preset", tmp);
	gr_test_write_mode(p, "default one\nvariant one\ntags from-install\n", 0644);
	snprintf(e.self, sizeof(e.self), "%s/bin/gorelink", tmp);

	setenv("GORELINK_PRESET_PATH", "/nonexistent/wrong", 1);
	ck_assert_int_eq(gr_preset_load(&e, "demo", NULL, &pr, &err), GR_OK);
	ck_assert_str_eq(pr.tags.v[0], "from-install");
	gr_preset_deinit(&pr);
	e.preset_path = mine;
	ck_assert_int_eq(gr_preset_load(&e, "demo", NULL, &pr, &err), GR_OK);
	ck_assert_str_eq(pr.tags.v[0], "from-struct-path");
	gr_preset_deinit(&pr);
	/* The struct's preset path, then the two beside its own path, nothing else. */
	gr_strvec_init(&dirs);
	ck_assert_int_eq(gr_preset_dirs(&e, &dirs, &err), GR_OK);
	ck_assert_uint_eq(dirs.n, 3);
	ck_assert_str_eq(dirs.v[0], mine);
	snprintf(p, sizeof(p), "%s/bin/../share/gorelink/presets", tmp);
	ck_assert_str_eq(dirs.v[1], p);
	snprintf(p, sizeof(p), "%s/bin/share/gorelink/presets", tmp);
	ck_assert_str_eq(dirs.v[2], p);
	gr_strvec_deinit(&dirs);
	/* The process's GORELINK_PRESET_PATH is not read. */
	e.preset_path = NULL;
	e.self[0] = '\0';
	setenv("GORELINK_PRESET_PATH", mine, 1);
	ck_assert_int_eq(gr_preset_load(&e, "demo", NULL, &pr, &err), GR_ENOTFOUND);
	unsetenv("GORELINK_PRESET_PATH");
	ck_assert_int_eq(gr_test_rmtree(tmp), 0);
}
END_TEST

/* PKG_CONFIG_SYSROOT_DIR and PKG_CONFIG_ALLOW_SYSTEM_LIBS come from the struct. */
START_TEST(test_pc_from_struct)
{
	char pc[128];
	const char *q = "grenvdemo";
	struct gr_env e;
	struct gr_pc_tokens *t = NULL;
	struct gr_error err;

	gr_test_tmpdir(tmp, sizeof(tmp), "gr-env");
	snprintf(pc, sizeof(pc), "%s/grenvdemo.pc", tmp);
	gr_test_write_mode(pc, "Name: grenvdemo\nDescription: d\nVersion: 1\nLibs: -L/opt/grenv/lib -L/usr/lib -lgrenv\n", 0644);
	setenv("PKG_CONFIG_PATH", tmp, 1);
	setenv("PKG_CONFIG_SYSROOT_DIR", "/wrong-sysroot", 1);
	setenv("PKG_CONFIG_ALLOW_SYSTEM_LIBS", "1", 1);
	memset(&e, 0, sizeof(e));
	e.pkg_config_sysroot_dir = "/right-sysroot";
	ck_assert_int_eq(gr_pc_resolve(&e, &q, 1, &t, &err), GR_OK);
	/* The struct's sysroot prefixes -L (as pkg-config's does, a prefixed
	 * /usr/lib is no system dir). */
	ck_assert_uint_eq(t->n, 3);
	ck_assert_str_eq(t->v[0].text, "-L/right-sysroot/opt/grenv/lib");
	ck_assert_str_eq(t->v[1].text, "-L/right-sysroot/usr/lib");
	ck_assert_str_eq(t->v[2].text, "-lgrenv");
	gr_pc_tokens_free(t);
	/* No sysroot in the struct, nor PKG_CONFIG_ALLOW_SYSTEM_LIBS: the system
	 * -L/usr/lib is filtered, whatever the process says. */
	e.pkg_config_sysroot_dir = NULL;
	ck_assert_int_eq(gr_pc_resolve(&e, &q, 1, &t, &err), GR_OK);
	ck_assert_uint_eq(t->n, 2);
	ck_assert_str_eq(t->v[0].text, "-L/opt/grenv/lib");
	ck_assert_str_eq(t->v[1].text, "-lgrenv");
	gr_pc_tokens_free(t);
	/* And the other way round. */
	unsetenv("PKG_CONFIG_SYSROOT_DIR");
	unsetenv("PKG_CONFIG_ALLOW_SYSTEM_LIBS");
	e.pkg_config_allow_system_libs = "1";
	ck_assert_int_eq(gr_pc_resolve(&e, &q, 1, &t, &err), GR_OK);
	ck_assert_uint_eq(t->n, 3);
	ck_assert_str_eq(t->v[0].text, "-L/opt/grenv/lib");
	ck_assert_str_eq(t->v[1].text, "-L/usr/lib");
	gr_pc_tokens_free(t);
	unsetenv("PKG_CONFIG_PATH");
	ck_assert_int_eq(gr_test_rmtree(tmp), 0);
}
END_TEST

/* The toolchain cache is keyed on the struct's variables (the same ones as
 * before: PATH, LIBRARY_PATH, COMPILER_PATH, GCC_EXEC_PREFIX, LD_RUN_PATH,
 * SYSROOT) and kept in the struct's cache directory. */
START_TEST(test_tccache_from_struct)
{
	static const char *const keyvars[] = { "PATH", "LIBRARY_PATH", "COMPILER_PATH",
	                                       "GCC_EXEC_PREFIX", "LD_RUN_PATH", "SYSROOT" };
	char *argv[] = { "gcc", NULL };
	struct gr_env e = *gr_test_env();
	struct gr_toolchain tc;
	struct gr_error err;
	struct stat st;
	char kinddir[128];
	bool hit;
	size_t i;

	gr_test_tmpdir(tmp, sizeof(tmp), "gr-env");
	e.cache_dir = tmp;
	setenv("GORELINK_CACHE_DIR", "", 1);  /* the process says: no cache */
	ck_assert_int_eq(gr_tccache_discover(&e, argv, &tc, &hit, &err), GR_OK);
	ck_assert(!hit);
	gr_toolchain_deinit(&tc);
	snprintf(kinddir, sizeof(kinddir), "%s/toolchain", tmp);
	ck_assert_int_eq(stat(kinddir, &st), 0);  /* stored in the struct's cache dir */
	ck_assert_int_eq(gr_tccache_discover(&e, argv, &tc, &hit, &err), GR_OK);
	ck_assert(hit);
	gr_toolchain_deinit(&tc);
	/* The process's LIBRARY_PATH changes nothing: still a hit. */
	setenv("LIBRARY_PATH", "/nonexistent/gr-env", 1);
	ck_assert_int_eq(gr_tccache_discover(&e, argv, &tc, &hit, &err), GR_OK);
	ck_assert(hit);
	gr_toolchain_deinit(&tc);
	unsetenv("LIBRARY_PATH");
	/* Each key variable of the struct's: a miss. */
	for (i = 0; i < sizeof(keyvars) / sizeof(keyvars[0]); i++) {
		struct gr_env f = e;
		if (!strcmp(keyvars[i], "PATH"))
			f.path = e.path ? "/usr/bin:/bin:/nonexistent/gr-env" : "/usr/bin";
		else if (!strcmp(keyvars[i], "LIBRARY_PATH"))
			f.library_path = "/nonexistent/gr-env-lp";
		else if (!strcmp(keyvars[i], "COMPILER_PATH"))
			f.compiler_path = "/nonexistent/gr-env-cp";
		else if (!strcmp(keyvars[i], "GCC_EXEC_PREFIX"))
			f.gcc_exec_prefix = "/nonexistent/gr-env-gep/";
		else if (!strcmp(keyvars[i], "LD_RUN_PATH"))
			f.ld_run_path = "/nonexistent/gr-env-lrp";
		else
			f.sysroot = "/nonexistent/gr-env-sr";
		ck_assert_str_ne(gr_env_get(&f, keyvars[i]) ? gr_env_get(&f, keyvars[i]) : "",
		                 gr_env_get(&e, keyvars[i]) ? gr_env_get(&e, keyvars[i]) : "");
		/* The discovery itself may fail on such a value: only the key matters. */
		if (gr_tccache_discover(&f, argv, &tc, &hit, &err) == GR_OK)
			gr_toolchain_deinit(&tc);
		ck_assert_msg(!hit, "%s in the struct is not part of the toolchain cache key", keyvars[i]);
	}
	unsetenv("GORELINK_CACHE_DIR");
	ck_assert_int_eq(gr_test_rmtree(tmp), 0);
}
END_TEST

/* gr_build_run: GORELINK_PRESET_PATH and TMPDIR from o->env; it stops before
 * running go. */
START_TEST(test_build_from_struct)
{
	char mine[128], p[256];
	struct gr_env e = *gr_test_env();
	struct gr_build_opts o;
	struct gr_build_result r;
	struct gr_error err;

	gr_test_tmpdir(tmp, sizeof(tmp), "gr-env");
	snprintf(mine, sizeof(mine), "%s/presets", tmp);
	ck_assert_int_eq(mkdir(mine, 0755), 0);
	snprintf(p, sizeof(p), "%s/onlyhere.preset", mine);
	gr_test_write_mode(p, "default one\nvariant one\ntags x\n", 0644);
	memset(&o, 0, sizeof(o));
	o.env = &e;
	o.mode = GR_LINK_STATIC;
	o.package = ".";
	o.go = "/nonexistent/go";
	o.preset = "onlyhere";
	/* The process names the preset's directory, the struct does not. */
	setenv("GORELINK_PRESET_PATH", mine, 1);
	e.preset_path = NULL;
	ck_assert_int_eq(gr_build_run(&o, &r, &err), GR_BUILD_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown preset 'onlyhere'"));
	gr_build_result_deinit(&r);
	unsetenv("GORELINK_PRESET_PATH");
	/* The struct names it: found; then the struct's TMPDIR, which does not
	 * exist, stops the build (the process's TMPDIR is fine). */
	e.preset_path = mine;
	e.tmpdir = "/nonexistent/gr-env-tmp";
	setenv("TMPDIR", "/tmp", 1);
	ck_assert_int_eq(gr_build_run(&o, &r, &err), GR_BUILD_EENV);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot make a temporary directory"));
	ck_assert_ptr_nonnull(r.preset_path);
	ck_assert_str_eq(r.preset_path, p);
	gr_build_result_deinit(&r);
	unsetenv("TMPDIR");
	ck_assert_int_eq(gr_test_rmtree(tmp), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_from_environ,
		test_self_dir,
		test_cache_dir_from_struct,
		test_which_from_struct,
		test_presets_from_struct,
		test_pc_from_struct,
		test_tccache_from_struct,
		test_build_from_struct,
	};

	return gr_test_run(gr_test_suite("env", "env", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
