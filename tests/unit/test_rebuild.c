/* Unit tests for relink/gr_rebuild: Go's quoted setting values, the
 * refusals, and how each difference between two build infos is classed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gr_rebuild.h"
#include "gr_test.h"

static struct gr_arena A;

static void
setup(void)
{
	gr_arena_init(&A);
}

static void
teardown(void)
{
	gr_arena_deinit(&A);
}

/* A build info: main module example.com/m@v1.0.0 h1:M, one dependency, and
 * the settings given as KEY=VALUE strings (NULL-terminated). */
static void
info(struct gr_rebuild_info *bi, const char *depver, const char *const *kv)
{
	size_t n = 0, i;

	memset(bi, 0, sizeof(*bi));
	bi->go_version = "go1.26.8";
	bi->path = "example.com/m";
	bi->main.path = "example.com/m";
	bi->main.version = "v1.0.0";
	bi->main.sum = "h1:M";
	bi->deps = gr_arena_alloc(&A, sizeof(*bi->deps));
	bi->deps[0].path = "example.com/d";
	bi->deps[0].version = depver;
	bi->deps[0].sum = "h1:D";
	bi->ndeps = 1;
	while (kv && kv[n])
		n++;
	bi->keys = gr_arena_alloc(&A, (n + 1) * sizeof(*bi->keys));
	bi->values = gr_arena_alloc(&A, (n + 1) * sizeof(*bi->values));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		bi->keys[i] = gr_arena_strndup(&A, kv[i], (size_t)(eq - kv[i]));
		bi->values[i] = eq + 1;
	}
	bi->nsettings = n;
}

/* The kind of the difference named what, or NULL when none is listed. */
static const char *
kind_of(const struct gr_rebuild_diff *d, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(d[i].what, what))
			return d[i].kind;
	return NULL;
}

static void
compare(const struct gr_rebuild_info *o, const struct gr_rebuild_info *n, const char *sum, bool preset,
        struct gr_rebuild_diff **d, size_t *nd)
{
	struct gr_error e;

	ck_assert_int_eq(gr_rebuild_compare(o, n, sum, NULL, preset, &A, d, nd, &e), GR_OK);
}

START_TEST(test_unquote)
{
	ck_assert_str_eq(gr_rebuild_unquote(&A, "plain"), "plain");
	ck_assert_str_eq(gr_rebuild_unquote(&A, "\"-X main.v=1 -s\""), "-X main.v=1 -s");
	ck_assert_str_eq(gr_rebuild_unquote(&A, "\"a\\\"b\\\\c\\td\""), "a\"b\\c\td");
	ck_assert_str_eq(gr_rebuild_unquote(&A, "`raw \"x\"`"), "raw \"x\"");
	ck_assert_str_eq(gr_rebuild_unquote(&A, "\""), "\"");
	ck_assert_str_eq(gr_rebuild_unquote(&A, ""), "");
}
END_TEST

START_TEST(test_refusals)
{
	static const char *const dirty[] = {"vcs.modified=true", "CGO_ENABLED=1", NULL};
	static const char *const nocgo[] = {"CGO_ENABLED=0", NULL};
	static const char *const clean[] = {"vcs.modified=false", "CGO_ENABLED=1", NULL};
	struct gr_rebuild_info bi;
	struct gr_error e;

	info(&bi, "v1.0.0", dirty);
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_REBUILD_EREFUSED);
	ck_assert_ptr_nonnull(strstr(e.msg, "vcs.modified=true"));
	info(&bi, "v1.0.0", nocgo);
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_REBUILD_EREFUSED);
	ck_assert_ptr_nonnull(strstr(e.msg, "CGO_ENABLED=0"));
	info(&bi, "v1.0.0", clean);
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_OK);
	bi.main.version = "(devel)";
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_REBUILD_EREFUSED);
	ck_assert_ptr_nonnull(strstr(e.msg, "(devel)"));
	info(&bi, "v1.0.0", clean);
	bi.deps[0].rpath = "../d";
	bi.deps[0].rversion = "";
	bi.deps[0].rsum = "";
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_REBUILD_EREFUSED);
	ck_assert_ptr_nonnull(strstr(e.msg, "../d"));
}
END_TEST

/* Build-info flags that would run a program are refused; ordinary ones pass. */
START_TEST(test_untrusted_flags)
{
	static const char *const fine[] = {"CGO_ENABLED=1", "CGO_CFLAGS=-O2 -g -DX=1 -I/usr/include/x -Wall -fPIC -m64",
	                                   "CGO_LDFLAGS=-L/opt/lib -lfoo -Wl,-z,relro -pthread",
	                                   "-ldflags=-X main.version=1.0 -s -w -X=main.b=2", NULL};
	static const char *const wrapper[] = {"CGO_CFLAGS=-O2 -wrapper /bin/sh,-c,touch", NULL};
	static const char *const plugin[] = {"CGO_LDFLAGS=-Wl,-plugin,/tmp/x.so", NULL};
	static const char *const fplugin[] = {"CGO_CFLAGS=-fplugin=/tmp/x.so", NULL};
	static const char *const extld[] = {"-ldflags=-s -extld=/tmp/evil", NULL};
	static const char *const extldflags[] = {"-ldflags=-extldflags=-B/tmp", NULL};
	static const char *const quoted[] = {"CGO_CFLAGS='-DX=a b'", NULL};
	static const char *const *const bad[] = {wrapper, plugin, fplugin, extld, extldflags, quoted};
	struct gr_rebuild_info bi;
	struct gr_error e;
	size_t i;

	info(&bi, "v1.0.0", fine);
	ck_assert_int_eq(gr_rebuild_refuse_flags(&bi, &e), GR_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		info(&bi, "v1.0.0", bad[i]);
		ck_assert_int_eq(gr_rebuild_refuse_flags(&bi, &e), GR_REBUILD_EREFUSED);
		ck_assert_ptr_nonnull(strstr(e.msg, "--trust-build-flags"));
	}
	/* a module path or version that reads as an option */
	info(&bi, "v1.0.0", fine);
	bi.deps[0].path = "-toolexec=/tmp/x";
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_REBUILD_EREFUSED);
	info(&bi, "v1.0.0", fine);
	bi.main.version = "-x";
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_REBUILD_EREFUSED);
	info(&bi, "v1.0.0", fine);
	bi.path = "-toolexec=/tmp/x";  /* go install PATH@VERSION: the first word after the flags */
	ck_assert_int_eq(gr_rebuild_refuse(&bi, &e), GR_REBUILD_EREFUSED);
	ck_assert_ptr_nonnull(strstr(e.msg, "main package"));
}
END_TEST

START_TEST(test_linkage_is_expected)
{
	static const char *const o[] = {"-ldflags=-X main.v=1 -s", "-tags=mytag", "CGO_CPPFLAGS=-DX", NULL};
	static const char *const n[] = {"-ldflags=all=-X main.v=1 -s -linkmode=external -extld=gorelink-ld",
	                                "-tags=mytag,netgo,osusergo",
	                                "CGO_CPPFLAGS=-DX -DGORELINK_PKGCONFIG=abc", NULL};
	struct gr_rebuild_info a, b;
	struct gr_rebuild_diff *d;
	size_t nd;

	info(&a, "v1.0.0", o);
	info(&b, "v1.0.0", n);
	b.main.version = "(devel)";
	b.main.sum = "";
	compare(&a, &b, "h1:M", false, &d, &nd);
	ck_assert_uint_eq(nd, 4);
	ck_assert_str_eq(kind_of(d, nd, "build -ldflags"), "linkage");
	ck_assert_str_eq(kind_of(d, nd, "build -tags"), "linkage");
	ck_assert_str_eq(kind_of(d, nd, "build CGO_CPPFLAGS"), "linkage");
	ck_assert_str_eq(kind_of(d, nd, "mod"), "source");
	ck_assert(!gr_rebuild_unexpected(d, nd));
}
END_TEST

START_TEST(test_other_differences_are_unexpected)
{
	static const char *const o[] = {"-ldflags=-s", "-tags=mytag", "GOAMD64=v1", NULL};
	/* -s dropped, a tag that is no static mode's, another GOAMD64. */
	static const char *const n[] = {"-ldflags=all=-linkmode=external -extld=gorelink-ld",
	                                "-tags=mytag,other", "GOAMD64=v3", NULL};
	struct gr_rebuild_info a, b;
	struct gr_rebuild_diff *d;
	size_t nd;

	info(&a, "v1.0.0", o);
	info(&b, "v1.1.0", n);
	b.go_version = "go1.25.0";
	b.main.version = "(devel)";
	b.main.sum = "";
	compare(&a, &b, "h1:OTHER", false, &d, &nd);
	ck_assert_str_eq(kind_of(d, nd, "build -ldflags"), "unexpected");
	ck_assert_str_eq(kind_of(d, nd, "build -tags"), "unexpected");
	ck_assert_str_eq(kind_of(d, nd, "build GOAMD64"), "unexpected");
	ck_assert_str_eq(kind_of(d, nd, "dep example.com/d"), "unexpected");
	ck_assert_str_eq(kind_of(d, nd, "mod"), "unexpected");  /* the proxy's sum is not the binary's */
	ck_assert_str_eq(kind_of(d, nd, "go"), "toolchain");
	ck_assert(gr_rebuild_unexpected(d, nd));
	/* A preset asked for: its extra tags are its own. */
	compare(&a, &b, "h1:M", true, &d, &nd);
	ck_assert_str_eq(kind_of(d, nd, "build -tags"), "preset");
	ck_assert_str_eq(kind_of(d, nd, "mod"), "source");
}
END_TEST

START_TEST(test_identical)
{
	static const char *const o[] = {"-tags=a", NULL};
	struct gr_rebuild_info a, b;
	struct gr_rebuild_diff *d;
	size_t nd;

	info(&a, "v1.0.0", o);
	info(&b, "v1.0.0", o);
	compare(&a, &b, "h1:M", false, &d, &nd);
	ck_assert_uint_eq(nd, 0);
	/* A setting only one side has. */
	b.nsettings = 0;
	compare(&a, &b, "h1:M", false, &d, &nd);
	ck_assert_uint_eq(nd, 1);
	ck_assert_ptr_null(d[0].new_v);
	ck_assert_str_eq(d[0].kind, "unexpected");
}
END_TEST

/* go install MOD@VERSION when it selects what the binary records; else why not. */
START_TEST(test_install_why_not)
{
	static const char *const host[] = {"GOOS=linux", "GOARCH=amd64", NULL};
	static const char *const cross[] = {"GOOS=linux", "GOARCH=arm64", NULL};
	static const char *const list[] = {"example.com/m \nexample.com/d v1.0.0\nexample.com/x v0.1.0\n",
	                                   "example.com/m \nexample.com/d v1.0.0"};  /* no last newline */
	static const char *const plain = "{\n\t\"Module\": {\"Path\": \"example.com/m\"},\n\t\"Exclude\": null,\n"
	                                 "\t\"Replace\": null,\n\t\"Retract\": null\n}\n";
	static const char *const replace = "{\n\t\"Exclude\": null,\n\t\"Replace\": [\n\t\t{\"Old\": "
	                                   "{\"Path\": \"example.com/d\"}}\n\t]\n}\n";
	static const char *const exclude = "{\n\t\"Exclude\": [\n\t\t{\"Path\": \"example.com/d\", "
	                                   "\"Version\": \"v0.9.0\"}\n\t],\n\t\"Replace\": []\n}\n";
	struct gr_rebuild_info bi;
	const char *w;
	size_t i;

	info(&bi, "v1.0.0", host);
	for (i = 0; i < 2; i++)
		ck_assert_ptr_null(gr_rebuild_install_why_not(&bi, list[i], plain, "linux", "amd64", &A));
	/* NULL go mod edit -json output, unknown host: nothing against it */
	ck_assert_ptr_null(gr_rebuild_install_why_not(&bi, list[0], NULL, "", "", &A));
	/* a newer dependency than the module's go.mod selects */
	info(&bi, "v1.1.0", host);
	w = gr_rebuild_install_why_not(&bi, list[0], plain, "linux", "amd64", &A);
	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(w, "dependency example.com/d is v1.1.0 in the binary, but go install "
	                    "example.com/m@v1.0.0 selects v1.0.0 (the module's own go.mod)");
	/* not in the build list: a path that only starts the same is no match */
	info(&bi, "v1.0.0", host);
	w = gr_rebuild_install_why_not(&bi, "example.com/m \nexample.com/dx v1.0.0\nexample.com/\n", plain,
	                               "linux", "amd64", &A);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w, "example.com/d@v1.0.0 of the binary is not in the build list"));
	/* a replaced dependency (a checkout's or a workspace's build) */
	bi.deps[0].rpath = "example.com/fork";
	bi.deps[0].rversion = "v1.0.1";
	bi.deps[0].rsum = "h1:F";
	w = gr_rebuild_install_why_not(&bi, list[0], plain, "linux", "amd64", &A);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w, "replaced by example.com/fork@v1.0.1"));
	/* replace and exclude directives, which go install MOD@VERSION refuses */
	info(&bi, "v1.0.0", host);
	w = gr_rebuild_install_why_not(&bi, list[0], replace, "linux", "amd64", &A);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w, "has replace directives"));
	w = gr_rebuild_install_why_not(&bi, list[0], exclude, "linux", "amd64", &A);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w, "has exclude directives"));
	/* a cross build: go install puts none in GOBIN */
	info(&bi, "v1.0.0", cross);
	w = gr_rebuild_install_why_not(&bi, list[0], plain, "linux", "amd64", &A);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w, "GOARCH=arm64"));
}
END_TEST

/* The main module's line: the same after go install; (devel) after a go
 * build of the copy, with the reason it was no go install. */
START_TEST(test_mod_line)
{
	struct gr_rebuild_info a, b;
	struct gr_rebuild_diff *d;
	size_t nd;
	struct gr_error e;

	info(&a, "v1.0.0", NULL);
	info(&b, "v1.0.0", NULL);
	ck_assert_int_eq(gr_rebuild_compare(&a, &b, "h1:M", NULL, false, &A, &d, &nd, &e), GR_OK);
	ck_assert_uint_eq(nd, 0);
	b.main.version = "(devel)";
	b.main.sum = "";
	ck_assert_int_eq(gr_rebuild_compare(&a, &b, "h1:M", "dependency example.com/d is v1.1.0", false, &A, &d,
	                                    &nd, &e), GR_OK);
	ck_assert_uint_eq(nd, 1);
	ck_assert_str_eq(d[0].what, "mod");
	ck_assert_str_eq(d[0].kind, "source");
	ck_assert_str_eq(d[0].old_v, "v1.0.0 h1:M");
	ck_assert_str_eq(d[0].new_v, "(devel)");
	ck_assert_ptr_nonnull(strstr(d[0].why, "no go install: dependency example.com/d is v1.1.0"));
	/* the original records no sum (a checkout's build): the reason too */
	a.main.sum = "";
	ck_assert_int_eq(gr_rebuild_compare(&a, &b, "h1:M", "why", false, &A, &d, &nd, &e), GR_OK);
	ck_assert_str_eq(d[0].kind, "source");
	ck_assert_ptr_nonnull(strstr(d[0].why, "records no sum"));
	ck_assert_ptr_nonnull(strstr(d[0].why, "no go install: why"));
	/* go install of another sum: unexpected */
	info(&a, "v1.0.0", NULL);
	b.main.version = "v1.0.0";
	b.main.sum = "h1:OTHER";
	ck_assert_int_eq(gr_rebuild_compare(&a, &b, "h1:OTHER", NULL, false, &A, &d, &nd, &e), GR_OK);
	ck_assert_uint_eq(nd, 1);
	ck_assert_str_eq(d[0].kind, "unexpected");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rebuild");
	TCase *tc = tcase_create("rebuild");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unquote);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_untrusted_flags);
	tcase_add_test(tc, test_linkage_is_expected);
	tcase_add_test(tc, test_other_differences_are_unexpected);
	tcase_add_test(tc, test_identical);
	tcase_add_test(tc, test_install_why_not);
	tcase_add_test(tc, test_mod_line);
	suite_add_tcase(s, tc);
	return gr_test_run(s, false);
}
