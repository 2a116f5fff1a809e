/* Unit tests for gr_ld64: triples, the arch check of archives built by hand
 * in a scratch directory (thin BSD and GNU ar, universal, malformed), and
 * the search list (defaults, -Z, missing -L, syslibroot "/"). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_ld64.h"
#include "gr_rewrite.h"
#include "gr_test.h"

static char scratch[256];

static void
put(const char *name, const unsigned char *data, size_t n)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", scratch, name);
	f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* An ar archive with one member named name (BSD #1/ long name when bsd) holding a
 * Mach-O header for cputype; returns its length in buf. */
static size_t
ar_one(unsigned char *buf, size_t cap, unsigned cputype, bool bsd)
{
	unsigned char mh[32];
	size_t n = 0;
	char hdr[61];

	memset(mh, 0, sizeof(mh));
	mh[0] = 0xcf; mh[1] = 0xfa; mh[2] = 0xed; mh[3] = 0xfe;  /* MH_MAGIC_64, little-endian */
	mh[4] = (unsigned char)cputype; mh[5] = (unsigned char)(cputype >> 8);
	mh[6] = (unsigned char)(cputype >> 16); mh[7] = (unsigned char)(cputype >> 24);
	ck_assert_uint_ge(cap, 8 + 60 + 8 + 32);
	memcpy(buf, "!<arch>\n", 8);
	n = 8;
	if (bsd)
		snprintf(hdr, sizeof(hdr), "%-16s%-12s%-6s%-6s%-8s%-10u`\n", "#1/8", "0", "0", "0", "644", 40u);
	else
		snprintf(hdr, sizeof(hdr), "%-16s%-12s%-6s%-6s%-8s%-10u`\n", "x.o/", "0", "0", "0", "644", 32u);
	memcpy(buf + n, hdr, 60);
	n += 60;
	if (bsd) {
		memcpy(buf + n, "x.o\0\0\0\0\0", 8);
		n += 8;
	}
	memcpy(buf + n, mh, 32);
	return n + 32;
}

START_TEST(test_triples)
{
	const char *arch;

	ck_assert(gr_ld64_triple_is_darwin("arm64-apple-macos11", &arch));
	ck_assert_str_eq(arch, "arm64");
	ck_assert(gr_ld64_triple_is_darwin("x86_64-apple-darwin23.1.0", &arch));
	ck_assert_str_eq(arch, "x86_64");
	ck_assert(gr_ld64_triple_is_darwin("aarch64-apple-darwin", &arch));
	ck_assert_str_eq(arch, "arm64");
	ck_assert(gr_ld64_triple_is_darwin("mips-apple-darwin", &arch));
	ck_assert_ptr_null(arch);
	ck_assert(!gr_ld64_triple_is_darwin("x86_64-linux-gnu", &arch));
}
END_TEST

START_TEST(test_archive_arch)
{
	unsigned char buf[512];
	struct gr_arena a;
	struct gr_error e;
	const char *note;
	char p[512];
	size_t n;

	gr_arena_init(&a);
	n = ar_one(buf, sizeof(buf), 0x01000007u, true);
	put("x86.a", buf, n);
	snprintf(p, sizeof(p), "%s/x86.a", scratch);
	ck_assert_int_eq(gr_ld64_archive_check(p, 0x01000007u, &a, &note, &e), GR_OK);
	ck_assert_int_eq(gr_ld64_archive_check(p, 0x0100000cu, &a, &note, &e), GR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(note, "building for macOS-arm64 but attempting to link with file built for macOS-x86_64"));
	/* GNU-style member name */
	n = ar_one(buf, sizeof(buf), 0x0100000cu, false);
	put("arm.a", buf, n);
	snprintf(p, sizeof(p), "%s/arm.a", scratch);
	ck_assert_int_eq(gr_ld64_archive_check(p, 0x0100000cu, &a, &note, &e), GR_OK);
	/* Every truncation has its own answer, never a read past the end: the magic
	 * alone is an empty archive (nothing to judge), a cut in the 60-byte member
	 * header is a truncated header, a cut in the member's 32 bytes a member
	 * extending past the end. */
	ck_assert_uint_eq(n, 8 + 60 + 32);
	for (size_t k = 0; k < n; k++) {
		char what[160];
		int rc;
		put("cut.a", buf, k);
		snprintf(p, sizeof(p), "%s/cut.a", scratch);
		memset(&e, 0, sizeof(e));
		rc = gr_ld64_archive_check(p, 0x0100000cu, &a, &note, &e);
		if (k < 8)
			snprintf(what, sizeof(what), "too short for an archive (%zu bytes)", k);
		else if (k == 8)
			what[0] = '\0';
		else if (k < 8 + 60)
			snprintf(what, sizeof(what), "truncated archive member header at offset 8");
		else
			snprintf(what, sizeof(what), "archive member at offset 8 (32 bytes) extends past the end of the file");
		if (!what[0]) {
			ck_assert_msg(rc == GR_OK, "cut at %zu: rc %d (%s)", k, rc, e.msg);
		} else {
			ck_assert_msg(rc == GR_EFORMAT, "cut at %zu: rc %d, want GR_EFORMAT (%s)", k, rc, what);
			ck_assert_msg(strstr(e.msg, what) != NULL, "cut at %zu: %s, want %s", k, e.msg, what);
		}
		ck_assert_ptr_null(note);
	}
	/* A member size past the end. */
	n = ar_one(buf, sizeof(buf), 0x0100000cu, false);
	memcpy(buf + 8 + 48, "999999    ", 10);
	put("big.a", buf, n);
	snprintf(p, sizeof(p), "%s/big.a", scratch);
	ck_assert_int_eq(gr_ld64_archive_check(p, 0x0100000cu, &a, &note, &e), GR_EFORMAT);
	/* Universal: a header claiming more slices than fit, then one x86_64 slice only. */
	{
		unsigned char fat[64 + 200];
		size_t inner;
		memset(fat, 0, sizeof(fat));
		fat[0] = 0xca; fat[1] = 0xfe; fat[2] = 0xba; fat[3] = 0xbe;
		fat[7] = 40;
		put("fatbad.a", fat, 28);
		snprintf(p, sizeof(p), "%s/fatbad.a", scratch);
		ck_assert_int_eq(gr_ld64_archive_check(p, 0x0100000cu, &a, &note, &e), GR_EFORMAT);
		inner = ar_one(buf, sizeof(buf), 0x01000007u, false);
		fat[7] = 1;
		fat[8] = 0x01; fat[11] = 0x07;              /* cputype x86_64 */
		fat[19] = 64;                                /* offset */
		fat[22] = (unsigned char)(inner >> 8); fat[23] = (unsigned char)inner;  /* size */
		memcpy(fat + 64, buf, inner);
		put("fat.a", fat, 64 + inner);
		snprintf(p, sizeof(p), "%s/fat.a", scratch);
		ck_assert_int_eq(gr_ld64_archive_check(p, 0x01000007u, &a, &note, &e), GR_OK);
		ck_assert_int_eq(gr_ld64_archive_check(p, 0x0100000cu, &a, &note, &e), GR_ENOTFOUND);
		ck_assert_ptr_nonnull(strstr(note, "missing required architecture arm64 in file"));
		fat[22] = 0xff;  /* slice past the end */
		put("fat2.a", fat, 64 + inner);
		snprintf(p, sizeof(p), "%s/fat2.a", scratch);
		ck_assert_int_eq(gr_ld64_archive_check(p, 0x0100000cu, &a, &note, &e), GR_EFORMAT);
	}
	gr_arena_deinit(&a);
}
END_TEST

START_TEST(test_search_list)
{
	struct gr_ld64_opts o;
	struct gr_ld64 s;
	struct gr_ld64_result r;
	struct gr_error e;
	char root[512], missing[512];
	const char *roots[2], *dirs[2];

	memset(&o, 0, sizeof(o));
	o.arch = "arm64";
	snprintf(root, sizeof(root), "%s/sdk", scratch);
	snprintf(missing, sizeof(missing), "%s/nope", scratch);
	mkdir(root, 0755);
	snprintf(missing, sizeof(missing), "%s/sdk/usr", scratch);
	mkdir(missing, 0755);
	snprintf(missing, sizeof(missing), "%s/sdk/usr/lib", scratch);
	mkdir(missing, 0755);
	snprintf(missing, sizeof(missing), "%s/nope", scratch);
	roots[0] = root;
	roots[1] = "/";
	dirs[0] = missing;
	o.syslibroots = roots;
	o.nsyslibroots = 1;
	o.dirs = dirs;
	o.ndirs = 1;
	ck_assert_int_eq(gr_ld64_init(&s, &o, &e), GR_OK);
	ck_assert_uint_eq(s.ndirs, 1);
	ck_assert_ptr_nonnull(strstr(s.dirs[0], "/sdk/usr/lib"));
	ck_assert_uint_eq(s.nnotes, 1);
	ck_assert_ptr_nonnull(strstr(s.notes[0], "directory not found for option '-L"));
	ck_assert_int_eq(gr_ld64_lib(&s, ":libz.a", &r, &e), GR_EUSAGE);
	ck_assert_int_eq(gr_ld64_lib(&s, "z", &r, &e), GR_OK);
	ck_assert_ptr_null(r.found.path);
	ck_assert_ptr_null(r.archive.path);
	gr_ld64_deinit(&s);
	o.nsyslibroots = 2;  /* the last is "/": no re-rooting */
	o.no_defaults = true;
	o.ndirs = 0;
	ck_assert_int_eq(gr_ld64_init(&s, &o, &e), GR_OK);
	ck_assert_ptr_null(s.syslibroot);
	ck_assert_uint_eq(s.ndirs, 0);
	gr_ld64_deinit(&s);
	o.arch = "sparc";
	ck_assert_int_eq(gr_ld64_init(&s, &o, &e), GR_EUSAGE);
}
END_TEST

START_TEST(test_rewrite_argv)
{
	const char *ok[] = { "-arch", "arm64", "-framework", "CoreFoundation", "-Wl,-framework,Security",
	                     "-lSystem", "-Wl,-weak-lc++", "-Z" };
	const char *colon[] = { "-lSystem", "-l:libz.a" };
	struct gr_rw_opts o;
	struct gr_rw_darwin d;
	struct gr_rw_result *r;
	struct gr_error e;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(gr_rewrite_darwin_argv(ok, 8, &o, &d, &r, &e), GR_OK);
	ck_assert_uint_eq(r->argv.n, 8);
	for (i = 0; i < 8; i++)
		ck_assert_str_eq(r->argv.v[i], ok[i]);
	ck_assert_str_eq(r->ld64.arch, "arm64");
	ck_assert_uint_eq(r->ld64.ndirs, 0);  /* -Z */
	gr_rw_result_free(r);
	d.arch = "x86_64";
	ck_assert_int_eq(gr_rewrite_darwin_argv(colon, 2, &o, &d, &r, &e), GR_EUSAGE);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(e.msg, "no -l:FILE syntax"));
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_triples,
		test_archive_arch,
		test_search_list,
		test_rewrite_argv,
	};
	int failed;

	snprintf(scratch, sizeof(scratch), "/tmp/gr-ld64-XXXXXX");
	if (!mkdtemp(scratch))
		return 1;
	failed = gr_test_run(gr_test_suite("ld64", "core", tests, sizeof(tests) / sizeof(tests[0]), 0), true);
	{
		const char *names[] = { "x86.a", "arm.a", "cut.a", "big.a", "fatbad.a", "fat.a", "fat2.a",
		                        "sdk/usr/lib", "sdk/usr", "sdk" };
		size_t i;
		char p[512];
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", scratch, names[i]);
			if (unlink(p) != 0)
				rmdir(p);
		}
		rmdir(scratch);
	}
	return failed;
}
