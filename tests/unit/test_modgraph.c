/* Unit tests for the module-graph cache (relink/gr_modgraph): the key of a go
 * list command follows go.mod, go.sum, the environment go reads, the go
 * program and (for -deps) the module's .go files, and nothing else; no key
 * where the main module is not the one found from the directory; an answer
 * stored is found again, and a stale one (a module directory gone) is not;
 * a key of files changed a moment ago is never stored. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_modgraph.h"
#include "gr_test.h"

static char base[64];  /* the test's directory under /tmp (gr_test_tmpdir) */
static char go[128];   /* a stand-in go program (only its identity counts) */
static char mod[128];  /* the main module */

static const char *const M_ALL[] = { NULL, "list", "-m", "-f", GR_MODGRAPH_MODULES_FORMAT, "all", NULL };
static const char *const DEPS[] = { NULL, "list", "-deps", "-tags=netgo", "-f", GR_MODGRAPH_DEPS_FORMAT, ".", NULL };

/* A module with go.mod, go.sum, main.go, sub/sub.go, and testdata/ and a
 * nested module below it; the current directory becomes the module's. */
static void
make_module(void)
{
	char p[256];

	gr_test_tmpdir(base, sizeof(base), "gr-modgraph");
	snprintf(go, sizeof(go), "%s/go", base);
	gr_test_put(base, "go", "#!/bin/sh\nexit 1\n");
	ck_assert_int_eq(chmod(go, 0755), 0);
	snprintf(mod, sizeof(mod), "%s/app", base);
	ck_assert_int_eq(mkdir(mod, 0755), 0);
	gr_test_put(mod, "go.mod", "module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n");
	gr_test_put(mod, "go.sum", "example.com/dep v1.0.0 h1:x=\n");
	gr_test_put(mod, "main.go", "package main\n\nimport _ \"example.com/app/sub\"\n\nfunc main() {}\n");
	snprintf(p, sizeof(p), "%s/sub", mod);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	gr_test_put(p, "sub.go", "package sub\n");
	snprintf(p, sizeof(p), "%s/testdata", mod);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	gr_test_put(p, "x.go", "package x\n");
	snprintf(p, sizeof(p), "%s/nested", mod);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	gr_test_put(p, "go.mod", "module example.com/nested\n");
	gr_test_put(p, "n.go", "package nested\n");
	ck_assert_int_eq(chdir(mod), 0);
	/* Older than the cache's racy window (gr_modgraph.h), so that the keys
	 * below do not change by the clock alone, and an answer can be stored. */
	sleep(3);
}

/* The key of words (go first), asserted to exist. */
static char *
key_of(const char *const *words, char *const *envp)
{
	const char *av[16];
	char *k;
	size_t i;

	av[0] = go;
	for (i = 1; words[i] && i < 15; i++)
		av[i] = words[i];
	av[i] = NULL;
	k = gr_modgraph_cache_key(gr_test_env(), av, envp);
	ck_assert_ptr_nonnull(k);
	return k;
}

/* Whether the key of words changed from old (freed). */
static bool
changed(char *old, const char *const *words, char *const *envp)
{
	char *k = key_of(words, envp);
	bool ch = strcmp(k, old) != 0;

	free(old);
	free(k);
	return ch;
}

START_TEST(test_key)
{
	char *envp[] = { "GOFLAGS=-buildvcs=false", "HOME=/nowhere", "PATH=/tmp/helper1:/usr/bin", "GORELINK_LINK_STATE=/tmp/a",
	                 "CGO_CPPFLAGS=-DGORELINK_PKGCONFIG=1", NULL };
	char *envp_ours[] = { "PATH=/tmp/helper2:/usr/bin", "GORELINK_LINK_STATE=/tmp/b", "GOFLAGS=-buildvcs=false",
	                      "HOME=/nowhere", "CGO_CPPFLAGS=-DGORELINK_PKGCONFIG=2", NULL };
	char *envp_flags[] = { "GOFLAGS=-buildvcs=false -mod=mod", "HOME=/nowhere", NULL };
	char *envp_arch[] = { "GOFLAGS=-buildvcs=false", "HOME=/nowhere", "GOARCH=arm64", NULL };
	char p[256], *k, *kd;

	make_module();
	k = key_of(M_ALL, envp);
	kd = key_of(DEPS, envp);
	ck_assert_str_ne(k, kd);                                /* the words count */
	/* gorelink's own variables, per-run paths and the cgo flags: no matter. */
	ck_assert(!changed(strdup(k), M_ALL, envp_ours));
	ck_assert(!changed(strdup(kd), DEPS, envp_ours));
	/* What go reads does. */
	ck_assert(changed(strdup(k), M_ALL, envp_flags));
	ck_assert(changed(strdup(kd), DEPS, envp_arch));
	/* A .go file of the module: -deps only (the module list reads go.mod). */
	gr_test_put(mod, "main.go", "package main\n\nfunc main() {}\n");
	ck_assert(!changed(k, M_ALL, envp));
	ck_assert(changed(kd, DEPS, envp));
	kd = key_of(DEPS, envp);
	snprintf(p, sizeof(p), "%s/sub", mod);
	gr_test_put(p, "new.go", "package sub\n");              /* a new file in a package */
	ck_assert(changed(kd, DEPS, envp));
	/* testdata and a nested module are not the module's packages. */
	kd = key_of(DEPS, envp);
	snprintf(p, sizeof(p), "%s/testdata", mod);
	gr_test_put(p, "x.go", "package x // changed\n");
	snprintf(p, sizeof(p), "%s/nested", mod);
	gr_test_put(p, "n.go", "package nested // changed\n");
	ck_assert(!changed(kd, DEPS, envp));
	/* A package reached through a link to a directory outside the module. */
	{
		char out[256], link[256];
		snprintf(out, sizeof(out), "%s/outside", base);
		ck_assert_int_eq(mkdir(out, 0755), 0);
		gr_test_put(out, "o.go", "package linked\n");
		snprintf(link, sizeof(link), "%s/linked", mod);
		ck_assert_int_eq(symlink(out, link), 0);
		kd = key_of(DEPS, envp);
		gr_test_put(out, "o.go", "package linked // changed\n");
		ck_assert(changed(kd, DEPS, envp));
	}
	/* go.mod and go.sum: both queries. */
	k = key_of(M_ALL, envp);
	kd = key_of(DEPS, envp);
	gr_test_put(mod, "go.mod", "module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.1\n");
	ck_assert(changed(k, M_ALL, envp));
	ck_assert(changed(kd, DEPS, envp));
	k = key_of(M_ALL, envp);
	gr_test_put(mod, "go.sum", "example.com/dep v1.0.1 h1:y=\n");
	ck_assert(changed(k, M_ALL, envp));
	/* A local replace directory's go.mod counts. */
	snprintf(p, sizeof(p), "%s/dep", base);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	gr_test_put(p, "go.mod", "module example.com/dep\n");
	gr_test_put(mod, "go.mod", "module example.com/app\n\ngo 1.19\n\nrequire example.com/dep v1.0.1\n\n"
	                           "replace example.com/dep => ../dep\n");
	k = key_of(M_ALL, envp);
	gr_test_put(p, "go.mod", "module example.com/dep\n\nrequire example.com/other v1.0.0\n");
	ck_assert(changed(k, M_ALL, envp));
	/* ... and for -deps its .go files. */
	kd = key_of(DEPS, envp);
	gr_test_put(p, "dep.go", "package dep\n");
	ck_assert(changed(kd, DEPS, envp));
	/* Another go program (the same path, rewritten). */
	k = key_of(M_ALL, envp);
	gr_test_put(base, "go", "#!/bin/sh\nexit 2\n");
	ck_assert(changed(k, M_ALL, envp));
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_no_key)
{
	char *envp[] = { "HOME=/nowhere", NULL };
	char *envp_off[] = { "HOME=/nowhere", "GO111MODULE=off", NULL };
	char *envp_work[] = { "HOME=/nowhere", "GOWORK=/somewhere/go.work", NULL };
	char *envp_modfile[] = { "HOME=/nowhere", "GOFLAGS=-modfile=other.mod", NULL };
	char *envp_workoff[] = { "HOME=/nowhere", "GOWORK=off", NULL };
	const char *modfile[] = { go, "list", "-modfile=x.mod", "-m", "all", NULL };
	const char *av[] = { go, "list", "-m", "all", NULL };
	const char *chdir_word[] = { go, "list", "-C", "/elsewhere", "-m", "all", NULL };
	char *k;

	make_module();
	ck_assert_ptr_null(gr_modgraph_cache_key(gr_test_env(), av, envp_off));
	ck_assert_ptr_null(gr_modgraph_cache_key(gr_test_env(), av, envp_work));
	ck_assert_ptr_null(gr_modgraph_cache_key(gr_test_env(), av, envp_modfile));
	ck_assert_ptr_null(gr_modgraph_cache_key(gr_test_env(), modfile, envp));
	ck_assert_ptr_null(gr_modgraph_cache_key(gr_test_env(), chdir_word, envp));
	/* A go.work above the module: a workspace, unless GOWORK=off. */
	gr_test_put(base, "go.work", "go 1.19\n\nuse ./app\n");
	ck_assert_ptr_null(gr_modgraph_cache_key(gr_test_env(), av, envp));
	k = gr_modgraph_cache_key(gr_test_env(), av, envp_workoff);
	ck_assert_ptr_nonnull(k);
	free(k);
	/* No go.mod: GOPATH mode. */
	ck_assert_int_eq(chdir(base), 0);
	ck_assert_ptr_null(gr_modgraph_cache_key(gr_test_env(), av, envp_workoff));
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_store)
{
	char *envp[] = { "HOME=/nowhere", NULL };
	char cache[96], dep[128], out[512], *k;
	struct gr_spawn_result r, got;

	make_module();
	snprintf(cache, sizeof(cache), "%s/cache", base);
	ck_assert_int_eq(setenv("GORELINK_CACHE_DIR", cache, 1), 0);
	snprintf(dep, sizeof(dep), "%s/dep@v1.0.0", base);
	ck_assert_int_eq(mkdir(dep, 0755), 0);
	snprintf(out, sizeof(out), "example.com/app\t\t%s\nexample.com/dep\tv1.0.0\t%s\n", mod, dep);
	k = key_of(M_ALL, envp);
	ck_assert(!gr_modgraph_cache_get(gr_test_env(), k, &got));     /* empty cache: a miss */
	memset(&r, 0, sizeof(r));
	r.exited = true;
	r.out = out;
	r.outlen = strlen(out);
	r.err = "";
	/* A failed run is not kept. */
	r.code = 1;
	gr_modgraph_cache_put(gr_test_env(), k, &r);
	ck_assert(!gr_modgraph_cache_get(gr_test_env(), k, &got));
	r.code = 0;
	gr_modgraph_cache_put(gr_test_env(), k, &r);
	ck_assert(gr_modgraph_cache_get(gr_test_env(), k, &got));      /* a hit: the same answer */
	ck_assert(got.exited && got.code == 0);
	ck_assert_str_eq(got.out, out);
	ck_assert_uint_eq(got.outlen, strlen(out));
	ck_assert_str_eq(got.err, "");
	gr_spawn_result_free(&got);
	/* Another key (go.mod changed): a miss. */
	{
		char *k2;
		gr_test_put(mod, "go.mod", "module example.com/app\n\ngo 1.20\n");
		k2 = key_of(M_ALL, envp);
		ck_assert(!gr_modgraph_cache_get(gr_test_env(), k2, &got));
		free(k2);
	}
	/* A module directory gone (go clean -modcache): stale, a miss. */
	ck_assert_int_eq(rmdir(dep), 0);
	ck_assert(!gr_modgraph_cache_get(gr_test_env(), k, &got));
	/* A module not downloaded yet (no directory): not kept. */
	snprintf(out, sizeof(out), "example.com/app\t\t%s\nexample.com/dep\tv1.0.0\t\n", mod);
	r.outlen = strlen(out);
	gr_modgraph_cache_put(gr_test_env(), k, &r);
	ck_assert(!gr_modgraph_cache_get(gr_test_env(), k, &got));
	/* A .go file changed a moment ago (-deps): the answer is not kept. */
	{
		char *kd;
		snprintf(out, sizeof(out), "example.com/app\nexample.com/dep\n");
		r.outlen = strlen(out);
		gr_test_put(mod, "main.go", "package main\n\nfunc main() { }\n");
		kd = key_of(DEPS, envp);
		ck_assert_ptr_nonnull(strstr(kd, "\nracy\n"));
		gr_modgraph_cache_put(gr_test_env(), kd, &r);
		ck_assert(!gr_modgraph_cache_get(gr_test_env(), kd, &got));
		free(kd);
	}
	/* No key (not cached): nothing found, nothing stored. */
	ck_assert(!gr_modgraph_cache_get(gr_test_env(), NULL, &got));
	gr_modgraph_cache_put(gr_test_env(), NULL, &r);
	free(k);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_key,
		test_no_key,
		test_store,
	};

	return gr_test_run(gr_test_suite("modgraph", "modgraph", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
