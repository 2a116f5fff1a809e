/* Allocation failure, injected: the test links with -Wl,--wrap for malloc,
 * calloc, realloc, strdup and strndup, so every allocation the library code
 * makes (not libelf's or libpkgconf's, which are shared libraries) can be made
 * to fail. Each operation runs once per allocation it makes, with exactly that
 * one failing: it must return an error (or a complete result), never crash,
 * and -- under the asan preset, where LeakSanitizer runs in every forked
 * test -- never leak. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_check.h"
#include "gr_extld.h"
#include "gr_goflags.h"
#include "gr_ldmsg.h"
#include "gr_ldscript.h"
#include "gr_linkstate.h"
#include "gr_pc.h"
#include "gr_rewrite.h"
#include "gr_toolchain.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long fail_at = -1;  /* the index of the allocation that fails; -1: none */
static long count;         /* allocations made since the operation started */

static int
fail_now(void)
{
	return fail_at >= 0 && count++ == fail_at;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fail_now() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fail_now() ? NULL : __real_strndup(s, n); }

/* One operation: 0 when it succeeded completely, nonzero when it reported an error. */
typedef int (*op_fn)(void);

/* Run op with the 1st, 2nd, ... allocation failing until it makes no more;
 * returns how many allocations the full run makes. */
static long
every_failure(const char *name, op_fn op)
{
	long n;

	for (n = 0;; n++) {
		int failed;
		count = 0;
		fail_at = n;
		failed = op();
		fail_at = -1;
		if (count <= n) {  /* no allocation failed: the run completed */
			ck_assert_msg(!failed, "%s: fails even with every allocation succeeding", name);
			return n;
		}
		/* The injected failure was either reported or (for optional work such
		 * as a cache) absorbed: both are fine; a crash or a leak is not. */
		ck_assert_msg(n < 100000, "%s: does not end", name);
	}
}

static int
op_ldscript(void)
{
	static const char text[] = "/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\n"
	                           "GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/libc_nonshared.a "
	                           "AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )\nINPUT(-lfoo libbar.a)\n";
	struct gr_ldscript *s = NULL;
	struct gr_error e;
	int rc = gr_ldscript_parse(text, sizeof(text) - 1, "libc.so", &s, &e);

	gr_ldscript_free(s);
	return rc != GR_OK;
}

static int
op_ldmsg(void)
{
	static const char text[] =
		"/usr/bin/ld: /usr/lib/x86_64-linux-gnu/libsqlite3.a(sqlite3.o): in function `sqlite3Fts5Init':\n"
		"(.text+0x1234): undefined reference to `pow'\n"
		"/usr/bin/ld: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries\n"
		"ld.lld: error: undefined symbol: deflate\n>>> referenced by zip.c:10\n>>>               zip.o:(zipit) in archive libz2.a\n"
		"/usr/bin/ld: cannot find -lsystemd: No such file or directory\n";
	struct gr_ldmsgs *m = gr_ldmsg_parse(text);

	if (!m)
		return 1;
	gr_ldmsg_free(m);
	return 0;
}

static int
op_goflags(void)
{
	struct gr_strvec v;
	struct gr_error e;
	int rc;

	gr_strvec_init(&v);
	rc = gr_goflags_split("-ldflags='-X main.v=1 -s' -tags \"a,b\" -trimpath", &v, &e);
	gr_strvec_deinit(&v);
	return rc != GR_OK;
}

static int
op_pc_split(void)
{
	struct gr_pc_tokens *t = NULL;
	struct gr_error e;
	int rc = gr_pc_split("-L/usr/lib -lfoo '-L/a b' -Wl,--push-state,--as-needed -lm -Wl,--pop-state",
	                     "flags", &t, &e);

	gr_pc_tokens_free(t);
	return rc != GR_OK;
}

static unsigned char *self_buf;
static size_t self_len;

static int
op_check_elf(void)
{
	struct gr_policy pol = { NULL, 0 };
	struct gr_report *r = NULL;
	struct gr_error e;
	unsigned char *copy = __real_malloc(self_len);
	int rc;

	memcpy(copy, self_buf, self_len);  /* libelf may write to it */
	rc = gr_check_buffer("test_nomem", copy, self_len, &pol, &r, &e);
	gr_report_free(r);
	free(copy);
	return rc != GR_OK;
}

static int
op_extld_rewrite(void)
{
	static char a0[] = "-m64", a1[] = "-o", a2[] = "/tmp/x/a.out", a3[] = "-rdynamic", a4[] = "/tmp/go-link-1/go.o",
	            a5[] = "/tmp/go-link-1/000000.o", a6[] = "-L/nonexistent", a7[] = "-Wl,-Bdynamic", a8[] = "-O2",
	            a9[] = "-lpthread", a10[] = "-no-pie";
	char *args[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 };
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_strvec out;
	struct gr_rw_result *rw = NULL;
	struct gr_error e;
	int rc = GR_ENOMEM;

	memset(&tc, 0, sizeof(tc));
	gr_linkstate_init(&ls);
	gr_strvec_init(&out);
	ls.mode = GR_LINK_THIRD_PARTY;  /* -lpthread stays: no search needed */
	if (gr_strvec_push(&ls.cc, "cc") == GR_OK)
		rc = gr_extld_rewrite(&ls, &tc, args, sizeof(args) / sizeof(args[0]), &out, &rw, &e);
	gr_rw_result_free(rw);
	gr_strvec_deinit(&out);
	gr_linkstate_deinit(&ls);
	return rc != GR_OK;
}

static int
op_darwin_rewrite(void)
{
	static const char *const args[] = { "-arch", "arm64", "-Wl,-headerpad,1144", "-o", "/tmp/x/a.out",
	                                     "/tmp/go-link-1/go.o", "-L/nonexistent/lib", "-lSystem", "-lresolv",
	                                     "-framework", "CoreFoundation", "-Wl,-search_dylibs_first" };
	struct gr_rw_opts o;
	struct gr_rw_darwin d = { NULL, NULL };
	struct gr_rw_result *r = NULL;
	struct gr_error e;
	int rc;

	memset(&o, 0, sizeof(o));
	o.mode = GR_RW_THIRD_PARTY;
	rc = gr_rewrite_darwin_argv(args, sizeof(args) / sizeof(args[0]), &o, &d, &r, &e);
	gr_rw_result_free(r);
	return rc != GR_OK;
}

START_TEST(test_every_allocation_fails_once)
{
	static const struct { const char *name; op_fn op; } ops[] = {
		{ "ldscript", op_ldscript }, { "ldmsg", op_ldmsg }, { "goflags", op_goflags },
		{ "pc_split", op_pc_split }, { "check_elf", op_check_elf }, { "extld_rewrite", op_extld_rewrite },
		{ "darwin_rewrite", op_darwin_rewrite },
	};
	FILE *f = fopen("/proc/self/exe", "rb");
	size_t i;

	ck_assert_ptr_nonnull(f);
	self_buf = __real_malloc(1 << 24);
	self_len = fread(self_buf, 1, 1 << 24, f);
	fclose(f);
	ck_assert_uint_gt(self_len, 64);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		long n = every_failure(ops[i].name, ops[i].op);
		ck_assert_msg(n > 0, "%s: makes no allocation the wrap sees", ops[i].name);
		fprintf(stderr, "test_nomem: %-14s %ld allocations, each made to fail once\n", ops[i].name, n);
	}
	free(self_buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nomem");
	TCase *t = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_every_allocation_fails_once);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
