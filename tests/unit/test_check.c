#define _XOPEN_SOURCE 700
/* Unit tests for the check library: fixtures, truncation, corrupted fields,
 * file-system oddities, the allow policy, the walker and the JSON writer.
 * argv[1] is the fixture directory made by tests/fixtures/make-fixtures.sh. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_arena.h"
#include "gr_check.h"
#include "gr_json.h"
#include "gr_macho.h"
#include "gr_walk.h"
#include "gr_test.h"

static const char *fixdir;

/* ---- helpers ---------------------------------------------------------- */

struct blob {
	unsigned char *p;
	size_t n;
};

static struct blob
load(const char *rel)
{
	char path[4096];
	struct blob b = { NULL, 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", fixdir, rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "fixture %s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	b.p = malloc((size_t)n);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_uint_eq(fread(b.p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b.n = (size_t)n;
	return b;
}

/* Check an exact-size heap copy, so ASan catches any read past the end. */
static int
check_copy(const unsigned char *p, size_t n, const struct gr_policy *pol,
           struct gr_report **r, struct gr_error *e)
{
	unsigned char *copy = malloc(n ? n : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, n);
	gr_error_clear(e);
	rc = gr_check_buffer("t", copy, n, pol, r, e);
	free(copy);
	return rc;
}

static void
expect_error(const unsigned char *p, size_t n, const char *needle)
{
	struct gr_report *r = NULL;
	struct gr_error e;
	int rc = check_copy(p, n, NULL, &r, &e);

	ck_assert_msg(rc == GR_EFORMAT, "expected a format error containing '%s', got rc=%d (%s) verdict=%s",
	              needle, rc, e.msg, r ? gr_verdict_name(r->verdict) : "-");
	ck_assert_msg(strstr(e.msg, needle) != NULL, "error '%s' lacks '%s'", e.msg, needle);
	ck_assert_msg(strncmp(e.msg, "t", 1) == 0, "error '%s' does not name the file", e.msg);
	ck_assert_ptr_null(r);
}

static void
put32(unsigned char *p, uint32_t v, bool be)
{
	int i;
	for (i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v, bool be)
{
	int i;
	for (i = 0; i < 8; i++)
		p[be ? 7 - i : i] = (unsigned char)(v >> (8 * i));
}

static void
put16(unsigned char *p, uint16_t v, bool be)
{
	p[be ? 1 : 0] = (unsigned char)v;
	p[be ? 0 : 1] = (unsigned char)(v >> 8);
}

static uint32_t
get32(const unsigned char *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	          : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* ---- every fixture, in-process ---------------------------------------- */

START_TEST(test_manifest)
{
	char path[4096], line[1024];
	FILE *m;
	int count = 0;

	snprintf(path, sizeof(path), "%s/manifest.tsv", fixdir);
	m = fopen(path, "r");
	ck_assert_msg(m != NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), m)) {
		char *rel = strtok(line, "\t\n"), *fmt = strtok(NULL, "\t\n"), *verdict = strtok(NULL, "\t\n");
		struct gr_report *r = NULL;
		struct gr_error e;
		char full[4096];
		int rc;

		ck_assert_ptr_nonnull(verdict);
		snprintf(full, sizeof(full), "%s/%s", fixdir, rel);
		rc = gr_check_path(full, NULL, &r, &e);
		ck_assert_msg(rc == GR_OK, "%s: rc=%d %s", rel, rc, e.msg);
		ck_assert_str_eq(gr_format_name(r->format), fmt);
		ck_assert_msg(strcmp(gr_verdict_name(r->verdict), verdict) == 0, "%s: verdict %s, expected %s",
		              rel, gr_verdict_name(r->verdict), verdict);
		ck_assert_int_eq(r->pass, !strcmp(verdict, "static") || !strcmp(verdict, "static-pie") ||
		                              !strcmp(verdict, "system-only"));
		gr_report_free(r);
		count++;
	}
	fclose(m);
	ck_assert_int_ge(count, 25);
}
END_TEST

/* ---- facts of particular fixtures ------------------------------------- */

START_TEST(test_elf_facts)
{
	struct gr_report *r;
	struct gr_error e;
	char p[4096];

	snprintf(p, sizeof(p), "%s/elf/useshared", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_uint_eq(r->images[0].nneeded, 2);
	ck_assert_str_eq(r->images[0].needed[0].name, "libshared.so.1");
	ck_assert_str_eq(r->images[0].needed[1].name, "libc.so.6");
	ck_assert_ptr_nonnull(r->images[0].interp);
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/elf/libshared.so.1", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_str_eq(r->images[0].soname, "libshared.so.1");
	ck_assert_int_eq(r->images[0].nproblems, 1);
	ck_assert_str_eq(r->images[0].problems[0].code, "not-executable");
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/elf/mips-dynamic", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->images[0].bits, 32);
	ck_assert(r->images[0].big_endian);
	ck_assert_str_eq(r->images[0].arch, "mips");
	ck_assert_str_eq(r->images[0].interp, "/lib/ld.so.1");
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/go/linux-s390x", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->images[0].bits, 64);
	ck_assert(r->images[0].big_endian);
	ck_assert_str_eq(r->images[0].arch, "s390x");
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/elf/static-pie", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert(r->images[0].pie);
	ck_assert_ptr_null(r->images[0].interp);
	gr_report_free(r);

	/* A static glibc binary that calls getaddrinfo carries NSS; one that does not, none. */
	snprintf(p, sizeof(p), "%s/elf/static-nss", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert(r->pass);
	{
		size_t k;
		bool seen = false;
		for (k = 0; k < r->images[0].nglibc_runtime; k++)
			seen = seen || !strcmp(r->images[0].glibc_runtime[k], "getaddrinfo");
		ck_assert(seen);
	}
	gr_report_free(r);
	snprintf(p, sizeof(p), "%s/elf/static", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_uint_eq(r->images[0].nglibc_runtime, 0);
	gr_report_free(r);
	/* A dynamic musl binary: its loader and musl's libc.so, which the fix names. */
	snprintf(p, sizeof(p), "%s/elf/dynamic-musl", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->verdict, GR_V_DYNAMIC);
	ck_assert_str_eq(r->images[0].interp, "/lib/ld-musl-x86_64.so.1");
	ck_assert_str_eq(r->images[0].problems[0].code, "interp");
	ck_assert_ptr_nonnull(strstr(r->images[0].problems[0].remedy, "--allow libc.so"));
	ck_assert_ptr_null(strstr(r->images[0].problems[0].remedy, "libc.so.6"));
	gr_report_free(r);
	/* The same getaddrinfo call linked against musl: musl's own, no finding. */
	snprintf(p, sizeof(p), "%s/elf/static-musl-nss", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert(r->pass);
	ck_assert_int_eq(r->verdict, GR_V_STATIC);
	ck_assert_uint_eq(r->images[0].nglibc_runtime, 0);
	gr_report_free(r);

	/* Go's internal PIE link: an interpreter with nothing to load. */
	snprintf(p, sizeof(p), "%s/go/pie", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->verdict, GR_V_DYNAMIC);
	ck_assert_uint_eq(r->images[0].nneeded, 0);
	ck_assert_str_eq(r->images[0].problems[0].code, "interp-without-needed");
	gr_report_free(r);
}
END_TEST

/* A non-executable ELF: its verdict, and the one problem that says what it is. */
static void
expect_not_executable(const char *rel, enum gr_verdict v, const char *what)
{
	struct gr_report *r;
	struct gr_error e;
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", fixdir, rel);
	ck_assert_msg(gr_check_path(p, NULL, &r, &e) == GR_OK, "%s: %s", rel, e.msg);
	ck_assert_msg(r->verdict == v, "%s: verdict %s, expected %s", rel, gr_verdict_name(r->verdict),
	              gr_verdict_name(v));
	ck_assert_int_eq(r->format, GR_FMT_ELF);
	ck_assert(!r->executable);
	ck_assert(!r->pass);
	ck_assert(!r->images[0].executable);
	ck_assert_ptr_null(r->images[0].interp);
	ck_assert_uint_eq(r->images[0].nneeded, 0);
	ck_assert_uint_eq(r->images[0].nglibc_runtime, 0);
	ck_assert_uint_eq(r->images[0].nproblems, 1);
	ck_assert_str_eq(r->images[0].problems[0].code, "not-executable");
	ck_assert_msg(strstr(r->images[0].problems[0].message, what) != NULL, "%s: '%s' lacks '%s'", rel,
	              r->images[0].problems[0].message, what);
	gr_report_free(r);
}

/* Separate debug files, a core dump, other ELF types, and iconv in a static binary. */
START_TEST(test_elf_kinds)
{
	static const char *const debug[] = {
		"elf/static.debug", "elf/dynamic.debug", "elf/static-pie.debug",
		"elf/mips-static.debug", "go/static.debug",
	};
	struct gr_report *r;
	struct gr_error e;
	char p[4096];
	size_t k;
	bool seen = false;

	/* objcopy --only-keep-debug keeps the program headers, drops the bytes:
	 * a static non-PIE original has no PT_INTERP or PT_DYNAMIC to show it. */
	for (k = 0; k < sizeof(debug) / sizeof(debug[0]); k++)
		expect_not_executable(debug[k], GR_V_DEBUG_INFO, "separate debug information file");
	expect_not_executable("elf/core", GR_V_CORE, "core dump");
	expect_not_executable("elf/other-none", GR_V_OTHER, "file of another type");
	expect_not_executable("elf/other-os", GR_V_OTHER, "file of another type");

	/* dsymutil's companion of a Mach-O program: MH_DSYM. */
	snprintf(p, sizeof(p), "%s/macho/main.dwarf", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_msg(r->verdict == GR_V_DEBUG_INFO, "macho/main.dwarf: verdict %s", gr_verdict_name(r->verdict));
	ck_assert(!r->executable);
	ck_assert(!r->pass);
	ck_assert_str_eq(r->images[0].problems[r->images[0].nproblems - 1].code, "not-executable");
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/elf/core", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->images[0].bits, 64);
	ck_assert_str_eq(r->images[0].arch, "x86-64");
	gr_report_free(r);

	/* iconv_open loads a gconv module at run time: a finding, still a pass. */
	snprintf(p, sizeof(p), "%s/elf/static-iconv", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->verdict, GR_V_STATIC);
	ck_assert(r->pass);
	ck_assert_uint_eq(r->images[0].nproblems, 0);
	for (k = 0; k < r->images[0].nglibc_runtime; k++) {
		ck_assert_msg(strcmp(r->images[0].glibc_runtime[k], "getaddrinfo") != 0,
		              "elf/static-iconv: getaddrinfo reported, it calls only iconv_open");
		seen = seen || !strcmp(r->images[0].glibc_runtime[k], "iconv_open");
	}
	ck_assert_msg(seen, "elf/static-iconv: iconv_open not among glibc_runtime");
	gr_report_free(r);
}
END_TEST

/* Whether v[0..n) holds s. */
static bool
has_str(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* The index of the problem with code, or -1. */
static int
problem_index(const struct gr_image *img, const char *code)
{
	size_t i;

	for (i = 0; i < img->nproblems; i++)
		if (!strcmp(img->problems[i].code, code))
			return (int)i;
	return -1;
}

/* glibc's libc.a in a dynamic binary (issue 13: gorelink --third-party --fix
 * added libm-2.36.a and libc.a): fails, even with everything allowed; the
 * stripped copy fails by its section names. */
START_TEST(test_elf_glibc_static_mix)
{
	static const char *const allow_all[] = { "*" };
	struct gr_policy pol = { .allow = allow_all, .nallow = 1 };
	static const char *const files[] = { "elf/mix-libc-a", "elf/mix-libc-a.stripped" };
	struct gr_report *r;
	struct gr_error e;
	char p[4096];
	size_t k;
	int at;

	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		const struct gr_image *img;
		snprintf(p, sizeof(p), "%s/%s", fixdir, files[k]);
		ck_assert_msg(gr_check_path(p, &pol, &r, &e) == GR_OK, "%s: %s", files[k], e.msg);
		img = &r->images[0];
		ck_assert_int_eq(r->verdict, GR_V_DYNAMIC);
		ck_assert_msg(!r->pass && !img->pass, "%s passes as dynamic, allowed", files[k]);
		ck_assert(img->interp_accepted);
		at = problem_index(img, "glibc-static-in-dynamic");
		ck_assert_msg(at >= 0, "%s: no glibc-static-in-dynamic problem", files[k]);
		ck_assert_ptr_nonnull(strstr(img->problems[at].message, "libc.a"));
		ck_assert_ptr_nonnull(strstr(img->problems[at].message, "libc.so.6 also loaded"));
		ck_assert_ptr_nonnull(strstr(img->problems[at].remedy, "libm-2.36.a"));
		ck_assert_ptr_nonnull(strstr(img->problems[at].remedy, "-lm"));
		ck_assert(has_str(img->glibc_static, img->nglibc_static, "__libc_IO_vtables"));
		if (k == 0) {
			ck_assert_str_eq(img->glibc_static[0], "__libc_start_main");
			ck_assert(has_str(img->glibc_static, img->nglibc_static, "__libc_setup_tls"));
		} else {
			ck_assert(!has_str(img->glibc_static, img->nglibc_static, "__libc_setup_tls"));
		}
		gr_report_free(r);
	}
	/* Ordinary dynamic binaries carry none of it: glibc, musl, Go, a non-PIE one. */
	{
		static const char *const clean[] = { "elf/dynamic", "elf/dynamic-musl", "go/cgo", "elf/useshared",
		                                     "elf/rpath" };
		for (k = 0; k < sizeof(clean) / sizeof(clean[0]); k++) {
			snprintf(p, sizeof(p), "%s/%s", fixdir, clean[k]);
			ck_assert_int_eq(gr_check_path(p, &pol, &r, &e), GR_OK);
			ck_assert_msg(r->pass, "%s fails with everything allowed", clean[k]);
			ck_assert_uint_eq(r->images[0].nglibc_static, 0);
			gr_report_free(r);
		}
	}
}
END_TEST

/* A static link (no PT_INTERP) that names libgcc_s.so.1 or libstdc++.so.6:
 * nothing loads them; fails even when they are allowed. */
START_TEST(test_elf_needed_without_interp)
{
	static const char *const allow_all[] = { "*" };
	struct gr_policy pol = { .allow = allow_all, .nallow = 1 };
	static const struct { const char *file, *lib, *fix; } cases[] = {
		{ "elf/static-needed-gcc_s", "libgcc_s.so.1", "-static-libgcc" },
		{ "elf/static-needed-stdc++", "libstdc++.so.6", "-static-libstdc++" },
	};
	struct gr_report *r;
	struct gr_error e;
	char p[4096];
	size_t k, i;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct gr_image *img;
		bool seen = false;
		snprintf(p, sizeof(p), "%s/%s", fixdir, cases[k].file);
		ck_assert_msg(gr_check_path(p, &pol, &r, &e) == GR_OK, "%s: %s", cases[k].file, e.msg);
		img = &r->images[0];
		ck_assert_ptr_null(img->interp);
		ck_assert_int_eq(r->verdict, GR_V_DYNAMIC);
		ck_assert_msg(!r->pass, "%s passes with everything allowed", cases[k].file);
		ck_assert_uint_eq(img->nproblems, img->nneeded);
		for (i = 0; i < img->nproblems; i++) {
			ck_assert_str_eq(img->problems[i].code, "needed-without-interp");
			ck_assert_ptr_nonnull(strstr(img->problems[i].message, "without PT_INTERP"));
			if (strstr(img->problems[i].message, cases[k].lib)) {
				seen = true;
				ck_assert_msg(strstr(img->problems[i].remedy, cases[k].fix) != NULL, "%s: remedy '%s' lacks %s",
				              cases[k].file, img->problems[i].remedy, cases[k].fix);
			}
		}
		ck_assert_msg(seen, "%s: no problem names %s", cases[k].file, cases[k].lib);
		gr_report_free(r);
		/* Without --allow it fails the same way, not as a libc it could allow. */
		ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
		ck_assert(!r->pass);
		ck_assert_int_eq(problem_index(&r->images[0], "needed-libc"), -1);
		ck_assert_int_eq(problem_index(&r->images[0], "needed-without-interp"), 0);
		gr_report_free(r);
	}
}
END_TEST

/* iconv_open's callers: only libstdc++'s locale code in a static C++ binary
 * (no finding), the program's own call besides it (a finding naming both). */
START_TEST(test_elf_iconv_callers)
{
	static const char *const narrow = "_ZSt24__narrow_multibyte_charsPKcP15__locale_struct";
	struct gr_report *r;
	struct gr_error e;
	char p[4096];
	const struct gr_image *img;

	snprintf(p, sizeof(p), "%s/elf/static-cxx", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	img = &r->images[0];
	ck_assert(r->pass);
	ck_assert_msg(!has_str(img->glibc_runtime, img->nglibc_runtime, "iconv_open"),
	              "elf/static-cxx: iconv_open reported though only libstdc++'s locale code calls it");
	ck_assert_uint_eq(img->niconv_callers, 1);
	ck_assert_str_eq(img->iconv_callers[0], narrow);
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/elf/static-cxx-iconv", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	img = &r->images[0];
	ck_assert(r->pass);
	ck_assert(has_str(img->glibc_runtime, img->nglibc_runtime, "iconv_open"));
	ck_assert(has_str(img->iconv_callers, img->niconv_callers, "main"));
	ck_assert(has_str(img->iconv_callers, img->niconv_callers, narrow));
	gr_report_free(r);

	/* The C program's own call, on x86-64 (call rel32) and aarch64 (bl). */
	snprintf(p, sizeof(p), "%s/elf/static-iconv", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	img = &r->images[0];
	ck_assert_uint_eq(img->niconv_callers, 1);
	ck_assert_str_eq(img->iconv_callers[0], "main");
	gr_report_free(r);
	snprintf(p, sizeof(p), "%s/elf/arm64-static-iconv", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	img = &r->images[0];
	ck_assert_str_eq(img->arch, "aarch64");
	ck_assert(has_str(img->glibc_runtime, img->nglibc_runtime, "iconv_open"));
	ck_assert_uint_eq(img->niconv_callers, 1);
	ck_assert_str_eq(img->iconv_callers[0], "main");
	gr_report_free(r);
}
END_TEST

START_TEST(test_macho_facts)
{
	struct gr_report *r;
	struct gr_error e;
	char p[4096];
	size_t i;
	bool found = false;

	snprintf(p, sizeof(p), "%s/macho/main-dylib", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_str_eq(r->images[0].arch, "arm64");
	for (i = 0; i < r->images[0].nneeded; i++) {
		const struct gr_dep *d = &r->images[0].needed[i];
		if (strcmp(d->name, "/opt/homebrew/lib/libfoo.1.dylib") == 0) {
			found = true;
			ck_assert_int_eq(d->origin, GR_ORIGIN_HOMEBREW);
			ck_assert_str_eq(d->command, "LC_LOAD_DYLIB");
		}
	}
	ck_assert(found);
	ck_assert_str_eq(r->images[0].problems[0].code, "third-party-dylib");
	ck_assert_ptr_nonnull(strstr(r->images[0].problems[0].remedy, "libfoo.a"));
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/macho/main-weak", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	found = false;
	for (i = 0; i < r->images[0].nneeded; i++)
		if (strcmp(r->images[0].needed[i].command, "LC_LOAD_WEAK_DYLIB") == 0)
			found = true;
	ck_assert(found);
	gr_report_free(r);

	snprintf(p, sizeof(p), "%s/go/darwin-universal", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->format, GR_FMT_MACHO_FAT);
	ck_assert_uint_eq(r->nimages, 2);
	ck_assert(r->pass);
	gr_report_free(r);

	/* One dynamic slice makes the whole universal file dynamic. */
	snprintf(p, sizeof(p), "%s/macho/universal-mixed", fixdir);
	ck_assert_int_eq(gr_check_path(p, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->verdict, GR_V_DYNAMIC);
	ck_assert(!r->pass);
	ck_assert(r->images[0].pass != r->images[1].pass);
	gr_report_free(r);
}
END_TEST

START_TEST(test_origins)
{
	ck_assert_int_eq(gr_macho_origin("/usr/lib/libSystem.B.dylib"), GR_ORIGIN_SYSTEM);
	ck_assert_int_eq(gr_macho_origin("/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"),
	                 GR_ORIGIN_SYSTEM);
	ck_assert_int_eq(gr_macho_origin("/opt/homebrew/opt/sqlite/lib/libsqlite3.0.dylib"), GR_ORIGIN_HOMEBREW);
	ck_assert_int_eq(gr_macho_origin("/usr/local/Cellar/zstd/1.5.5/lib/libzstd.1.dylib"), GR_ORIGIN_HOMEBREW);
	ck_assert_int_eq(gr_macho_origin("/usr/local/opt/gmp/lib/libgmp.10.dylib"), GR_ORIGIN_HOMEBREW);
	ck_assert_int_eq(gr_macho_origin("/usr/local/lib/libfoo.dylib"), GR_ORIGIN_USR_LOCAL);
	ck_assert_int_eq(gr_macho_origin("/opt/local/lib/libz.1.dylib"), GR_ORIGIN_MACPORTS);
	ck_assert_int_eq(gr_macho_origin("@rpath/libbar.dylib"), GR_ORIGIN_RPATH);
	ck_assert_int_eq(gr_macho_origin("@loader_path/libbar.dylib"), GR_ORIGIN_LOADER_PATH);
	ck_assert_int_eq(gr_macho_origin("@executable_path/../Frameworks/x"), GR_ORIGIN_EXECUTABLE_PATH);
	ck_assert_int_eq(gr_macho_origin("/usr/libexec/x"), GR_ORIGIN_OTHER);
	ck_assert_int_eq(gr_macho_origin("libbare.dylib"), GR_ORIGIN_OTHER);
	ck_assert(gr_is_libc_family("libc.so.6"));
	ck_assert(gr_is_libc_family("libm.so.6"));
	ck_assert(gr_is_libc_family("ld-linux-x86-64.so.2"));
	ck_assert(!gr_is_libc_family("libcrypto.so.3"));
	ck_assert(!gr_is_libc_family("libsqlite3.so.0"));
}
END_TEST

/* ---- the allow policy ------------------------------------------------- */

static struct gr_report *
check_with(const char *rel, const char *const *allow, size_t nallow)
{
	struct gr_policy pol = { .allow = allow, .nallow = nallow };
	struct gr_report *r = NULL;
	struct gr_error e;
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", fixdir, rel);
	ck_assert_msg(gr_check_path(p, &pol, &r, &e) == GR_OK, "%s", e.msg);
	return r;
}

START_TEST(test_allow)
{
	static const char *const libc[] = { "libc.so.6" };
	static const char *const glob[] = { "libc.so.*" };
	static const char *const shared_only[] = { "libshared.so.1" };
	static const char *const both[] = { "libshared.so.1", "libc.so.6" };
	static const char *const foo[] = { "libfoo.1.dylib" };
	static const char *const foo_glob[] = { "libfoo*" };
	static const char *const foo_path[] = { "/opt/homebrew/lib/libfoo.1.dylib" };
	struct gr_report *r;

	r = check_with("elf/dynamic", libc, 1);
	ck_assert(r->pass);
	ck_assert(r->images[0].interp_accepted);
	ck_assert(r->images[0].needed[0].allowed);
	ck_assert_uint_eq(r->images[0].nproblems, 0);
	gr_report_free(r);

	r = check_with("elf/dynamic", glob, 1);
	ck_assert(r->pass);
	gr_report_free(r);

	/* libc.so.6 is still needed and not allowed. */
	r = check_with("elf/useshared", shared_only, 1);
	ck_assert(!r->pass);
	ck_assert(r->images[0].interp_accepted);
	gr_report_free(r);
	r = check_with("elf/useshared", both, 2);
	ck_assert(r->pass);
	gr_report_free(r);

	/* An interpreter that no allowed library needs stays a failure. */
	r = check_with("go/pie", libc, 1);
	ck_assert(!r->pass);
	ck_assert(!r->images[0].interp_accepted);
	gr_report_free(r);

	r = check_with("macho/main-dylib", foo, 1);
	ck_assert(r->pass);
	gr_report_free(r);
	r = check_with("macho/main-dylib", foo_glob, 1);
	ck_assert(r->pass);
	gr_report_free(r);
	r = check_with("macho/main-dylib", foo_path, 1);
	ck_assert(!r->pass);
	gr_report_free(r);

	/* Allowing never turns a non-executable into a pass. */
	r = check_with("elf/libshared.so.1", libc, 1);
	ck_assert(!r->pass);
	gr_report_free(r);
}
END_TEST

/* ---- corrupted fields: ELF -------------------------------------------- */

/* Where the fields of an ELF fixture live, found independently of the reader. */
struct elf_layout {
	bool is64, be;
	size_t phoff, phentsize, phnum;
	size_t interp_ph, dyn_ph;  /* offsets of those program headers, or 0 */
	size_t dyn_off, dyn_size, dyn_entsize;
	size_t needed_ent, strsz_ent, strtab_ent;  /* offsets of those dynamic entries */
	size_t strtab_off, strsz;
};

static uint64_t
elf_getw(const unsigned char *p, const struct elf_layout *l)
{
	return l->is64 ? ((uint64_t)get32(p + (l->be ? 0 : 4), l->be) << 32) | get32(p + (l->be ? 4 : 0), l->be)
	               : get32(p, l->be);
}

static void
elf_putw(unsigned char *p, uint64_t v, const struct elf_layout *l)
{
	if (l->is64)
		put64(p, v, l->be);
	else
		put32(p, (uint32_t)v, l->be);
}

static struct elf_layout
elf_layout(const struct blob *b)
{
	struct elf_layout l;
	size_t i, w;
	uint64_t strtab_addr = 0;

	memset(&l, 0, sizeof(l));
	l.is64 = b->p[EI_CLASS] == ELFCLASS64;
	l.be = b->p[EI_DATA] == ELFDATA2MSB;
	w = l.is64 ? 8 : 4;
	l.phoff = (size_t)elf_getw(b->p + (l.is64 ? 32 : 28), &l);
	l.phentsize = l.is64 ? 56 : 32;
	l.phnum = (b->p[(l.is64 ? 56 : 44) + (l.be ? 1 : 0)]) | (b->p[(l.is64 ? 56 : 44) + (l.be ? 0 : 1)] << 8);
	l.dyn_entsize = 2 * w;
	for (i = 0; i < l.phnum; i++) {
		size_t ph = l.phoff + i * l.phentsize;
		uint32_t type = get32(b->p + ph, l.be);
		size_t off = (size_t)(l.is64 ? elf_getw(b->p + ph + 8, &l) : elf_getw(b->p + ph + 4, &l));
		size_t filesz = (size_t)(l.is64 ? elf_getw(b->p + ph + 32, &l) : elf_getw(b->p + ph + 16, &l));
		if (type == PT_INTERP)
			l.interp_ph = ph;
		if (type == PT_DYNAMIC) {
			l.dyn_ph = ph;
			l.dyn_off = off;
			l.dyn_size = filesz;
		}
	}
	for (i = 0; l.dyn_ph && i + l.dyn_entsize <= l.dyn_size; i += l.dyn_entsize) {
		size_t ent = l.dyn_off + i;
		uint64_t tag = elf_getw(b->p + ent, &l), val = elf_getw(b->p + ent + w, &l);
		if (tag == DT_NULL)
			break;
		if (tag == DT_NEEDED && !l.needed_ent)
			l.needed_ent = ent;
		if (tag == DT_STRSZ) {
			l.strsz_ent = ent;
			l.strsz = (size_t)val;
		}
		if (tag == DT_STRTAB) {
			l.strtab_ent = ent;
			strtab_addr = val;
		}
	}
	for (i = 0; strtab_addr && i < l.phnum; i++) {
		size_t ph = l.phoff + i * l.phentsize;
		uint64_t off = l.is64 ? elf_getw(b->p + ph + 8, &l) : elf_getw(b->p + ph + 4, &l);
		uint64_t vaddr = l.is64 ? elf_getw(b->p + ph + 16, &l) : elf_getw(b->p + ph + 8, &l);
		uint64_t filesz = l.is64 ? elf_getw(b->p + ph + 32, &l) : elf_getw(b->p + ph + 16, &l);
		if (get32(b->p + ph, l.be) == PT_LOAD && strtab_addr >= vaddr && strtab_addr < vaddr + filesz)
			l.strtab_off = (size_t)(off + (strtab_addr - vaddr));
	}
	return l;
}

/* Apply one corruption to a fresh copy and expect a format error naming it. */
#define CORRUPT(b, stmt, needle)                                              \
	do {                                                                  \
		unsigned char *c = malloc((b).n);                             \
		ck_assert_ptr_nonnull(c);                                     \
		memcpy(c, (b).p, (b).n);                                      \
		stmt;                                                         \
		expect_error(c, (b).n, needle);                               \
		free(c);                                                      \
	} while (0)

static const char *const elf_corrupt_fixtures[] = {
	"elf/dynamic", "elf/mips-dynamic", "elf/i386-dynamic", "elf/useshared",
};

START_TEST(test_elf_corrupt)
{
	struct blob b = load(elf_corrupt_fixtures[_i]);
	struct elf_layout l = elf_layout(&b);
	size_t w = l.is64 ? 8 : 4, phoff_at = l.is64 ? 32 : 28, phnum_at = l.is64 ? 56 : 44;
	size_t phentsize_at = l.is64 ? 54 : 42;
	size_t p_offset = l.is64 ? 8 : 4, p_filesz = l.is64 ? 32 : 16;

	ck_assert_uint_ne(l.interp_ph, 0);
	ck_assert_uint_ne(l.dyn_ph, 0);
	ck_assert_uint_ne(l.needed_ent, 0);
	ck_assert_uint_ne(l.strsz_ent, 0);
	ck_assert_uint_ne(l.strtab_off, 0);

	CORRUPT(b, elf_putw(c + phoff_at, b.n, &l), "program headers");
	CORRUPT(b, elf_putw(c + phoff_at, l.is64 ? UINT64_MAX - 7 : UINT32_MAX - 3, &l), "program headers");
	CORRUPT(b, put16(c + phnum_at, 0xfffe, l.be), "program headers");
	CORRUPT(b, put16(c + phentsize_at, (uint16_t)(l.phentsize - 1), l.be), "e_phentsize");
	CORRUPT(b, elf_putw(c + l.interp_ph + p_offset, b.n, &l), "PT_INTERP");
	CORRUPT(b, elf_putw(c + l.interp_ph + p_filesz, b.n, &l), "PT_INTERP");
	CORRUPT(b, elf_putw(c + l.interp_ph + p_offset, l.is64 ? UINT64_MAX : UINT32_MAX, &l), "PT_INTERP");
	/* An interpreter string without its NUL. */
	{
		size_t off = (size_t)elf_getw(b.p + l.interp_ph + p_offset, &l);
		size_t sz = (size_t)elf_getw(b.p + l.interp_ph + p_filesz, &l);
		CORRUPT(b, memset(c + off, 'A', sz), "PT_INTERP string at offset");
	}
	/* PT_DYNAMIC is read where the loader reads it: at its address. */
	CORRUPT(b, elf_putw(c + l.dyn_ph + (l.is64 ? 16 : 8), l.is64 ? 0x7ff000000000ull : 0xfff00000u, &l),
	        "PT_DYNAMIC at address");
	/* A second PT_DYNAMIC (the PT_INTERP header retyped) is refused. */
	CORRUPT(b, put32(c + l.interp_ph, PT_DYNAMIC, l.be), "2 PT_DYNAMIC segments");
	/* p_offset and p_filesz do not matter to the loader, so they cannot hide
	 * the table: the verdict and the needed list stay the same. */
	{
		struct gr_report *r0 = NULL, *r1 = NULL;
		struct gr_error e0;
		unsigned char *c = malloc(b.n);
		size_t k;
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(check_copy(b.p, b.n, NULL, &r0, &e0), GR_OK);
		memcpy(c, b.p, b.n);
		elf_putw(c + l.dyn_ph + p_offset, 0, &l);
		elf_putw(c + l.dyn_ph + p_filesz, 0, &l);
		ck_assert_int_eq(check_copy(c, b.n, NULL, &r1, &e0), GR_OK);
		ck_assert_int_eq(r1->verdict, r0->verdict);
		ck_assert_uint_eq(r1->images[0].nneeded, r0->images[0].nneeded);
		for (k = 0; k < r0->images[0].nneeded; k++)
			ck_assert_str_eq(r1->images[0].needed[k].name, r0->images[0].needed[k].name);
		gr_report_free(r0);
		gr_report_free(r1);
		free(c);
	}
	CORRUPT(b, elf_putw(c + l.needed_ent + w, l.strsz, &l), "beyond the dynamic string table");
	CORRUPT(b, elf_putw(c + l.needed_ent + w, l.is64 ? UINT64_MAX : UINT32_MAX, &l),
	        "beyond the dynamic string table");
	CORRUPT(b, elf_putw(c + l.strsz_ent + w, l.is64 ? UINT64_MAX / 2 : UINT32_MAX, &l), "DT_STRSZ");
	CORRUPT(b, elf_putw(c + l.strtab_ent + w, l.is64 ? 0x7ff000000000ull : 0xfff00000u, &l),
	        "not inside any PT_LOAD segment");
	/* The last string of the table loses its NUL. */
	CORRUPT(b, (c[l.strtab_off + l.strsz - 1] = 'A', elf_putw(c + l.needed_ent + w, l.strsz - 1, &l)),
	        "not NUL-terminated");
	free(b.p);
}
END_TEST

/* ---- truncation at every header boundary -------------------------------- */

/* Offsets where a structure the reader needs starts or ends: every byte of
 * the first 16 KiB (all headers of small files), 64 bytes either side of the
 * dynamic section, the dynamic string table and each universal slice's
 * headers, and a coarse stride over the rest. */
static size_t
cut_points(const struct blob *b, size_t **out)
{
	size_t *v = malloc((b->n + 1) * sizeof(*v)), n = 0, i, k;
	unsigned char *mark = calloc(b->n + 1, 1);
	size_t marks[64], nmarks = 0;

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(mark);
	if (b->n >= 64 && memcmp(b->p, "\177ELF", 4) == 0) {
		struct elf_layout l = elf_layout(b);
		marks[nmarks++] = l.dyn_off;
		marks[nmarks++] = l.dyn_off + l.dyn_size;
		marks[nmarks++] = l.strtab_off;
		marks[nmarks++] = l.strtab_off + l.strsz;
	} else if (b->n >= 8 && get32(b->p, true) == 0xcafebabeu) {
		uint32_t ns = get32(b->p + 4, true);
		for (i = 0; i < ns && i < 8 && 8 + (i + 1) * 20 <= b->n; i++) {
			size_t off = get32(b->p + 8 + i * 20 + 8, true);
			marks[nmarks++] = off;
			if (off + 32 <= b->n)
				marks[nmarks++] = off + 32 + get32(b->p + off + 20, false);
		}
	}
	for (i = 0; i <= b->n; i++)
		if (i < 16384 || i % 4093 == 0)
			mark[i] = 1;
	for (k = 0; k < nmarks; k++)
		for (i = marks[k] > 64 ? marks[k] - 64 : 0; i <= marks[k] + 64 && i <= b->n; i++)
			mark[i] = 1;
	for (i = 0; i < b->n; i++)  /* the whole file itself is checked separately */
		if (mark[i])
			v[n++] = i;
	free(mark);
	*out = v;
	return n;
}

/* A prefix that cuts a structure the reader needs must fail; no prefix of a
 * failing binary may pass; nothing may read outside the buffer (the copies
 * are exact-size heap blocks, and the suite also runs under ASan). */
static void
truncate_everywhere(const char *rel)
{
	struct blob b = load(rel);
	struct gr_report *r = NULL, *full = NULL;
	struct gr_error e;
	size_t *cuts, ncuts, i, nerr = 0;

	ck_assert_int_eq(check_copy(b.p, b.n, NULL, &full, &e), GR_OK);
	ncuts = cut_points(&b, &cuts);
	for (i = 0; i < ncuts; i++) {
		size_t n = cuts[i];
		int rc = check_copy(b.p, n, NULL, &r, &e);
		if (rc == GR_OK) {
			ck_assert_msg(!(r->pass && !full->pass),
			              "%s cut at %zu bytes passes as %s, the whole file does not", rel, n,
			              gr_verdict_name(r->verdict));
			gr_report_free(r);
		} else {
			ck_assert_msg(rc == GR_EFORMAT || rc == GR_ENOTBIN, "%s cut at %zu: rc %d (%s)", rel, n,
			              rc, e.msg);
			ck_assert_msg(e.msg[0] != '\0', "%s cut at %zu: empty message", rel, n);
			nerr++;
		}
	}
	/* Everything up to the end of the headers is an error. */
	ck_assert_uint_gt(nerr, 52);
	free(cuts);
	gr_report_free(full);
	free(b.p);
}

static const char *const small_fixtures[] = {
	"elf/dynamic", "elf/static-pie", "elf/libshared.so.1", "elf/useshared", "elf/rpath",
	"elf/runpath", "elf/mips-dynamic", "elf/mips-libbe.so", "elf/i386-dynamic",
	"elf/hello.o", "macho/main-dylib", "macho/main-weak", "macho/main-rpath",
	"macho/lib/libreexport.dylib", "macho/universal-mixed", "macho/main.o",
};

START_TEST(test_truncate_small)
{
	truncate_everywhere(small_fixtures[_i]);
}
END_TEST

START_TEST(test_truncate_go)
{
	static const char *const go[] = { "go/pie", "go/cgo", "go/darwin-universal", "go/linux-s390x" };
	truncate_everywhere(go[_i]);
}
END_TEST

START_TEST(test_header_truncation_messages)
{
	struct blob elf = load("elf/dynamic"), mo = load("macho/main-dylib"), fat = load("go/darwin-universal");

	expect_error(elf.p, 10, "truncated ELF identification");
	expect_error(elf.p, 40, "truncated ELF header (40 of 64 bytes)");
	expect_error(elf.p, 100, "program headers");
	expect_error(mo.p, 20, "truncated Mach-O header (20 of 32 bytes)");
	expect_error(mo.p, 40, "extend past the end of the file");
	expect_error(fat.p, 6, "truncated universal header");
	expect_error(fat.p, 20, "claims 2 slices; the file has room for 0");
	free(elf.p);
	free(mo.p);
	free(fat.p);
}
END_TEST

/* ---- corrupted fields: Mach-O ----------------------------------------- */

START_TEST(test_macho_corrupt)
{
	struct blob b = load("macho/main-dylib");
	uint32_t ncmds = get32(b.p + 16, false), sizeofcmds = get32(b.p + 20, false), i;
	size_t off = 32, dylib = 0;

	for (i = 0; i < ncmds; i++) {
		if (get32(b.p + off, false) == 0xc && !dylib)
			dylib = off;
		off += get32(b.p + off + 4, false);
	}
	ck_assert_uint_ne(dylib, 0);

	CORRUPT(b, put32(c + 16, 0xffffffffu, false), "starts past sizeofcmds");
	CORRUPT(b, put32(c + 20, 0xffffffffu, false), "extend past the end of the file");
	CORRUPT(b, put32(c + 20, (uint32_t)b.n, false), "extend past the end of the file");
	CORRUPT(b, put32(c + 32 + 4, 0, false), "cmdsize 0; the minimum is 8");
	CORRUPT(b, put32(c + 32 + 4, 4, false), "cmdsize 4; the minimum is 8");
	CORRUPT(b, put32(c + 32 + 4, sizeofcmds + 8, false), "runs past sizeofcmds");
	CORRUPT(b, put32(c + dylib + 4, 16, false), "smaller than its 24-byte structure");
	CORRUPT(b, put32(c + dylib + 8, get32(b.p + dylib + 4, false), false), "outside its");
	CORRUPT(b, put32(c + dylib + 8, 0, false), "outside its");
	{
		uint32_t cmdsize = get32(b.p + dylib + 4, false), stroff = get32(b.p + dylib + 8, false);
		CORRUPT(b, memset(c + dylib + stroff, 'A', cmdsize - stroff), "not NUL-terminated");
	}
	free(b.p);
}
END_TEST

START_TEST(test_fat_corrupt)
{
	struct blob b = load("go/darwin-universal");
	uint32_t n = get32(b.p + 4, true);

	ck_assert_uint_eq(n, 2);
	CORRUPT(b, put32(c + 4, 0x80000000u, true), "claims 2147483648 slices");
	CORRUPT(b, put32(c + 4, 0, true), "lists no slices");
	CORRUPT(b, put32(c + 8 + 8, (uint32_t)b.n, true), "extends past the end of the file");
	CORRUPT(b, put32(c + 8 + 12, 0xffffffffu, true), "extends past the end of the file");
	CORRUPT(b, put32(c + 8 + 8, 0, true), "overlaps the universal header");
	/* A slice that is neither Mach-O nor an archive. */
	CORRUPT(b, memset(c + get32(b.p + 8 + 8, true), 'x', 8), "neither a Mach-O file nor an archive");
	/* An error inside a slice names the slice. */
	CORRUPT(b, put32(c + get32(b.p + 8 + 8, true) + 20, 0xffffffffu, false), "[x86_64]");
	free(b.p);
}
END_TEST

/* The same universal file with a 64-bit fat header (FAT_MAGIC_64) reads the same. */
START_TEST(test_fat64)
{
	struct blob b = load("go/darwin-universal");
	unsigned char *c = malloc(b.n);
	struct gr_report *r32 = NULL, *r64 = NULL;
	struct gr_error e;
	uint32_t i, n = get32(b.p + 4, true);

	ck_assert_ptr_nonnull(c);
	memcpy(c, b.p, b.n);
	ck_assert_uint_le(8 + n * 32, get32(b.p + 8 + 8, true));
	put32(c, 0xcafebabfu, true);
	for (i = 0; i < n; i++) {
		const unsigned char *e32 = b.p + 8 + i * 20;
		unsigned char *e64 = c + 8 + i * 32;
		memcpy(e64, e32, 8);                          /* cputype, cpusubtype */
		put64(e64 + 8, get32(e32 + 8, true), true);   /* offset */
		put64(e64 + 16, get32(e32 + 12, true), true); /* size */
		memcpy(e64 + 24, e32 + 16, 4);                /* align */
		put32(e64 + 28, 0, true);                     /* reserved */
	}
	ck_assert_int_eq(check_copy(b.p, b.n, NULL, &r32, &e), GR_OK);
	ck_assert_int_eq(check_copy(c, b.n, NULL, &r64, &e), GR_OK);
	ck_assert_int_eq(r64->format, GR_FMT_MACHO_FAT);
	ck_assert_uint_eq(r64->nimages, r32->nimages);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(r64->images[i].arch, r32->images[i].arch);
		ck_assert_uint_eq(r64->images[i].nneeded, r32->images[i].nneeded);
	}
	ck_assert(r64->pass);
	put32(c + 4, 0x80000000u, true);
	expect_error(c, b.n, "claims 2147483648 slices");
	gr_report_free(r32);
	gr_report_free(r64);
	free(c);
	free(b.p);
}
END_TEST

/* Every dylib-loading command is read: rewrite the first LC_LOAD_DYLIB in place. */
START_TEST(test_macho_load_commands)
{
	static const struct { uint32_t cmd; const char *name; } cmds[] = {
		{ 0x20u, "LC_LAZY_LOAD_DYLIB" },
		{ 0x80000023u, "LC_LOAD_UPWARD_DYLIB" },
		{ 0x8000001fu, "LC_REEXPORT_DYLIB" },
		{ 0x80000018u, "LC_LOAD_WEAK_DYLIB" },
	};
	struct blob b = load("macho/main-dylib");
	uint32_t ncmds = get32(b.p + 16, false), i, k;
	size_t off = 32, at = 0;

	for (i = 0; i < ncmds; i++) {
		if (get32(b.p + off, false) == 0xc && strstr((const char *)b.p + off + 24, "libfoo"))
			at = off;
		off += get32(b.p + off + 4, false);
	}
	ck_assert_uint_ne(at, 0);
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		struct gr_report *r = NULL;
		struct gr_error e;
		bool seen = false;
		unsigned char *c = malloc(b.n);
		ck_assert_ptr_nonnull(c);
		memcpy(c, b.p, b.n);
		put32(c + at, cmds[k].cmd, false);
		ck_assert_int_eq(check_copy(c, b.n, NULL, &r, &e), GR_OK);
		for (i = 0; i < r->images[0].nneeded; i++)
			if (strcmp(r->images[0].needed[i].command, cmds[k].name) == 0) {
				seen = true;
				ck_assert_str_eq(r->images[0].needed[i].name, "/opt/homebrew/lib/libfoo.1.dylib");
			}
		ck_assert_msg(seen, "%s not reported", cmds[k].name);
		ck_assert(!r->pass);
		gr_report_free(r);
		free(c);
	}
	free(b.p);
}
END_TEST

/* Universal files whose slices overlap, repeat, nest or are empty are refused. */
START_TEST(test_fat_shapes)
{
	struct blob b = load("go/darwin-universal");
	uint32_t off0 = get32(b.p + 8 + 8, true);

	CORRUPT(b, memcpy(c + 8 + 20, c + 8, 8), "are both for");
	CORRUPT(b, put32(c + 8 + 20 + 8, off0, true), "overlap");
	CORRUPT(b, put32(c + off0, 0xcafebabeu, true), "do not nest");
	CORRUPT(b, put32(c + 8 + 12, 0, true), "is empty");
	CORRUPT(b, put32(c + 4, 65, true), "more than 64 are refused");
	free(b.p);
}
END_TEST

/* Replace the first occurrence of from (same length as to) in a copy. */
static unsigned char *
patched(const struct blob *b, const char *from, const char *to)
{
	unsigned char *c = malloc(b->n);
	size_t i, n = strlen(from);

	ck_assert_uint_eq(n, strlen(to));
	ck_assert_ptr_nonnull(c);
	memcpy(c, b->p, b->n);
	for (i = 0; i + n <= b->n; i++)
		if (memcmp(c + i, from, n) == 0) {
			memcpy(c + i, to, n);
			return c;
		}
	ck_abort_msg("'%s' not found", from);
	return NULL;
}

/* A dylib path that leaves /usr/lib through "..", or a dylinker that is not
 * /usr/lib/dyld, is no system one. */
START_TEST(test_macho_paths)
{
	struct blob b = load("macho/main-static-foo"), d = load("macho/main-dylib");
	struct gr_report *r = NULL;
	struct gr_error e;
	unsigned char *c;

	c = patched(&b, "/usr/lib/dyld", "/tmp/xyz/dyld");
	ck_assert_int_eq(check_copy(c, b.n, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->verdict, GR_V_DYNAMIC);
	ck_assert(!r->pass);
	ck_assert_str_eq(r->images[0].problems[0].code, "dylinker");
	gr_report_free(r);
	free(c);

	c = patched(&d, "/opt/homebrew/lib/libfoo.1.dylib", "/usr/lib/../../opt/hb/libfoo.dyl");
	ck_assert_int_eq(check_copy(c, d.n, NULL, &r, &e), GR_OK);
	ck_assert_int_eq(r->verdict, GR_V_DYNAMIC);
	ck_assert(!r->pass);
	gr_report_free(r);
	free(c);
	ck_assert_int_eq(gr_macho_origin("/System/Library/../../Users/me/x.dylib"), GR_ORIGIN_OTHER);
	ck_assert_int_eq(gr_macho_origin("/usr/lib//x.dylib"), GR_ORIGIN_OTHER);
	ck_assert_int_eq(gr_macho_origin("/usr/lib/./x.dylib"), GR_ORIGIN_OTHER);
	free(b.p);
	free(d.p);
}
END_TEST

/* A Java class file shares the universal magic and is not a binary. */
START_TEST(test_java_class)
{
	static const unsigned char cls[16] = { 0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 0x1d };
	struct gr_report *r = NULL;
	struct gr_error e;

	ck_assert_int_eq(check_copy(cls, sizeof(cls), NULL, &r, &e), GR_ENOTBIN);
	ck_assert_ptr_null(r);
}
END_TEST

/* ---- the file system -------------------------------------------------- */

static char scratch[64];  /* this test's scratch directory (gr_test_tmpdir) */

static void
scratch_file(const char *name, const void *data, size_t n)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", scratch, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static void
expect_path_error(const char *name, int code, const char *needle)
{
	char p[4096];
	struct gr_report *r = NULL;
	struct gr_error e;
	int rc;

	snprintf(p, sizeof(p), "%s/%s", scratch, name);
	rc = gr_check_path(p, NULL, &r, &e);
	ck_assert_msg(rc == code, "%s: rc %d, expected %d (%s)", name, rc, code, e.msg);
	ck_assert_msg(strstr(e.msg, needle) && strstr(e.msg, p), "%s: message '%s'", name, e.msg);
	ck_assert_ptr_null(r);
}

START_TEST(test_fs_errors)
{
	char p[4096];

	gr_test_tmpdir(scratch, sizeof(scratch), "gr-unit");
	scratch_file("empty", "", 0);
	expect_path_error("empty", GR_ENOTBIN, "empty file");
	scratch_file("text", "#!/bin/sh\necho hi\n", 18);
	expect_path_error("text", GR_ENOTBIN, "not an ELF, Mach-O or archive file");
	scratch_file("elf4", "\177ELF", 4);
	expect_path_error("elf4", GR_EFORMAT, "truncated ELF identification");
	snprintf(p, sizeof(p), "%s/dir", scratch);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	expect_path_error("dir", GR_EIO, "is a directory (use -R to walk it)");
	snprintf(p, sizeof(p), "%s/fifo", scratch);
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	expect_path_error("fifo", GR_EIO, "is a FIFO");  /* returns at once: opened O_NONBLOCK */
	snprintf(p, sizeof(p), "%s/dangling", scratch);
	ck_assert_int_eq(symlink("no-such-target", p), 0);
	expect_path_error("dangling", GR_EIO, "dangling symbolic link to 'no-such-target'");
	expect_path_error("missing", GR_EIO, "No such file or directory");
	{
		struct gr_report *r = NULL;
		struct gr_error e;
		ck_assert_int_eq(gr_check_path("/dev/null", NULL, &r, &e), GR_EIO);
		ck_assert_str_eq(e.msg, "/dev/null: is a character device, not a regular file");
	}
	ck_assert_int_eq(gr_test_rmtree(scratch), 0);
}
END_TEST

/* ---- the walker ------------------------------------------------------- */

struct walk_log {
	char seen[16][256];
	int n, errors;
};

static int
walk_file(void *ctx, int dirfd, const char *name, const char *path)
{
	struct walk_log *w = ctx;
	struct stat st;

	ck_assert_int_eq(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_lt(w->n, 16);
	snprintf(w->seen[w->n++], sizeof(w->seen[0]), "%s", path + strlen(scratch));
	return 0;
}

static void
walk_error(void *ctx, const char *path, const struct gr_error *e)
{
	(void)path;
	(void)e;
	((struct walk_log *)ctx)->errors++;
}

START_TEST(test_walk)
{
	static const struct gr_walk_ops ops = { walk_file, walk_error };
	static const char *const expect[] = { "/B", "/a", "/b/x", "/b/y", "/c" };
	struct walk_log w;
	struct gr_error e;
	char p[4096];
	int i;

	memset(&w, 0, sizeof(w));
	gr_test_tmpdir(scratch, sizeof(scratch), "gr-unit");
	snprintf(p, sizeof(p), "%s/b", scratch);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	scratch_file("c", "c", 1);
	scratch_file("a", "a", 1);
	scratch_file("B", "B", 1);
	scratch_file("b/y", "y", 1);
	scratch_file("b/x", "x", 1);
	snprintf(p, sizeof(p), "%s/link-to-a", scratch);
	ck_assert_int_eq(symlink("a", p), 0);
	snprintf(p, sizeof(p), "%s/link-to-b", scratch);
	ck_assert_int_eq(symlink("b", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", scratch);
	ck_assert_int_eq(mkfifo(p, 0644), 0);

	ck_assert_int_eq(gr_walk(scratch, &ops, &w, &e), GR_OK);
	ck_assert_int_eq(w.errors, 0);
	ck_assert_int_eq(w.n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_str_eq(w.seen[i], expect[i]);

	ck_assert_int_eq(gr_walk("/nonexistent/dir", &ops, &w, &e), GR_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/dir"));
	ck_assert_int_eq(gr_test_rmtree(scratch), 0);
}
END_TEST

/* ---- the JSON writer and the arena ------------------------------------ */

START_TEST(test_json)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct gr_json j;

	ck_assert_ptr_nonnull(f);
	gr_json_init(&j, f);
	gr_json_obj_begin(&j, NULL);
	gr_json_str(&j, "s", "a\"b\\c\n\t\x01\x7f");
	gr_json_str(&j, "null", NULL);
	gr_json_bool(&j, "t", true);
	gr_json_int(&j, "i", -42);
	gr_json_arr_begin(&j, "a");
	gr_json_str(&j, NULL, "x");
	gr_json_obj_begin(&j, NULL);
	gr_json_obj_end(&j);
	gr_json_arr_end(&j);
	gr_json_obj_end(&j);
	gr_json_obj_begin(&j, NULL);
	gr_json_obj_end(&j);
	fclose(f);
	ck_assert_str_eq(buf, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\",\"null\":null,\"t\":true,"
	                      "\"i\":-42,\"a\":[\"x\",{}]}{}");
	free(buf);

	/* Invalid UTF-8 bytes become \udcXX; valid sequences pass through. */
	f = open_memstream(&buf, &n);
	ck_assert_ptr_nonnull(f);
	gr_json_init(&j, f);
	gr_json_str(&j, NULL, "a\xff" "b \xc3\xa9 \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98\x80 \xf4\x90\x80\x80 \xe2\x82");
	fclose(f);
	ck_assert_str_eq(buf, "\"a\\udcffb \xc3\xa9 \\udcc0\\udcaf \\udced\\udca0\\udc80 \xf0\x9f\x98\x80 "
	                      "\\udcf4\\udc90\\udc80\\udc80 \\udce2\\udc82\"");
	free(buf);
}
END_TEST

START_TEST(test_arena)
{
	struct gr_arena a;
	char *s, *big;
	int i;

	gr_arena_init(&a);
	for (i = 0; i < 1000; i++) {
		s = gr_arena_printf(&a, "item-%d", i);
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq((int)((uintptr_t)s % _Alignof(max_align_t)), 0);
	}
	ck_assert_str_eq(s, "item-999");
	big = gr_arena_alloc(&a, 100000);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(big[99999], 0);
	ck_assert_str_eq(gr_arena_strndup(&a, "abcdef", 3), "abc");
	ck_assert_ptr_null(gr_arena_alloc(&a, SIZE_MAX - 8));
	gr_arena_deinit(&a);
	gr_arena_deinit(&a);  /* idempotent */
}
END_TEST

/* ---- runner ----------------------------------------------------------- */

static Suite *
check_suite(void)
{
	Suite *s = suite_create("check");
	TCase *t;

	t = tcase_create("fixtures");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_manifest);
	tcase_add_test(t, test_elf_facts);
	tcase_add_test(t, test_elf_kinds);
	tcase_add_test(t, test_elf_glibc_static_mix);
	tcase_add_test(t, test_elf_needed_without_interp);
	tcase_add_test(t, test_elf_iconv_callers);
	tcase_add_test(t, test_macho_facts);
	tcase_add_test(t, test_origins);
	tcase_add_test(t, test_allow);
	suite_add_tcase(s, t);

	t = tcase_create("truncation");
	tcase_set_timeout(t, 600);
	tcase_add_loop_test(t, test_truncate_small, 0,
	                    (int)(sizeof(small_fixtures) / sizeof(small_fixtures[0])));
	tcase_add_loop_test(t, test_truncate_go, 0, 4);
	tcase_add_test(t, test_header_truncation_messages);
	suite_add_tcase(s, t);

	t = tcase_create("corruption");
	tcase_add_loop_test(t, test_elf_corrupt, 0,
	                    (int)(sizeof(elf_corrupt_fixtures) / sizeof(elf_corrupt_fixtures[0])));
	tcase_add_test(t, test_macho_corrupt);
	tcase_add_test(t, test_fat_corrupt);
	tcase_add_test(t, test_fat64);
	tcase_add_test(t, test_java_class);
	tcase_add_test(t, test_macho_load_commands);
	tcase_add_test(t, test_fat_shapes);
	tcase_add_test(t, test_macho_paths);
	suite_add_tcase(s, t);

	t = tcase_create("filesystem");
	tcase_add_test(t, test_fs_errors);
	tcase_add_test(t, test_walk);
	suite_add_tcase(s, t);

	t = tcase_create("support");
	tcase_add_test(t, test_json);
	tcase_add_test(t, test_arena);
	suite_add_tcase(s, t);
	return s;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURE-DIR\n", argv[0]);
		return 2;
	}
	fixdir = argv[1];
	return gr_test_run(check_suite(), false);
}
