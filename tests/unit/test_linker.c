/* --linker's choice (relink/gr_linker): auto's order, what each linker cannot
 * do, the fallback and an explicit linker that is not installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_extld.h"
#include "gr_linker.h"
#include "gr_test.h"

/* The installed linkers: a bit set of enum gr_linker. */
static bool
installed(const void *ctx, enum gr_linker l)
{
	return (*(const unsigned *)ctx >> l & 1u) != 0;
}

#define BIT(l) (1u << (l))
#define ALL (BIT(GR_LINKER_BFD) | BIT(GR_LINKER_GOLD) | BIT(GR_LINKER_LLD) | BIT(GR_LINKER_MOLD))

static enum gr_linker
choose(enum gr_linker req, enum gr_link_mode mode, unsigned have, int want_rc, struct gr_linker_choice *c)
{
	ck_assert_int_eq(gr_linker_choose(req, mode, false, "amd64", installed, &have, c), want_rc);
	return c->linker;
}

START_TEST(test_parse)
{
	enum gr_linker l = GR_LINKER_DEFAULT;

	ck_assert_int_eq(gr_linker_parse("auto", &l), 0);
	ck_assert_int_eq(l, GR_LINKER_AUTO);
	ck_assert_int_eq(gr_linker_parse("mold", &l), 0);
	ck_assert_int_eq(l, GR_LINKER_MOLD);
	ck_assert_int_eq(gr_linker_parse("lld", &l), 0);
	ck_assert_int_eq(l, GR_LINKER_LLD);
	ck_assert_int_eq(gr_linker_parse("gold", &l), 0);
	ck_assert_int_eq(gr_linker_parse("bfd", &l), 0);
	ck_assert_int_eq(l, GR_LINKER_BFD);
	ck_assert_int_eq(gr_linker_parse("default", &l), -1);  /* not a --linker value */
	ck_assert_int_eq(gr_linker_parse("ld", &l), -1);
	ck_assert_int_eq(gr_linker_parse("", &l), -1);
	ck_assert_int_eq(gr_linker_parse(NULL, &l), -1);
	ck_assert_str_eq(gr_linker_flag(GR_LINKER_MOLD), "-fuse-ld=mold");
	ck_assert_ptr_null(gr_linker_flag(GR_LINKER_DEFAULT));
	ck_assert_str_eq(gr_linker_program(GR_LINKER_LLD), "ld.lld");
	ck_assert_str_eq(gr_linker_package(GR_LINKER_GOLD), "binutils");
}
END_TEST

START_TEST(test_auto_order)
{
	struct gr_linker_choice c;

	ck_assert_int_eq(choose(GR_LINKER_AUTO, GR_LINK_STATIC, ALL, 0, &c), GR_LINKER_MOLD);
	ck_assert_ptr_nonnull(strstr(c.why, "auto: the fastest installed"));
	ck_assert_int_eq(choose(GR_LINKER_AUTO, GR_LINK_STATIC, ALL & ~BIT(GR_LINKER_MOLD), 0, &c), GR_LINKER_LLD);
	ck_assert_ptr_nonnull(strstr(c.why, "mold not installed"));
	ck_assert_int_eq(choose(GR_LINKER_AUTO, GR_LINK_STATIC, BIT(GR_LINKER_GOLD) | BIT(GR_LINKER_BFD), 0, &c),
	                 GR_LINKER_GOLD);
	ck_assert_int_eq(choose(GR_LINKER_AUTO, GR_LINK_THIRD_PARTY, BIT(GR_LINKER_GOLD) | BIT(GR_LINKER_BFD), 0, &c),
	                 GR_LINKER_GOLD);
	ck_assert_int_eq(choose(GR_LINKER_AUTO, GR_LINK_STATIC, BIT(GR_LINKER_BFD), 0, &c), GR_LINKER_BFD);
	/* Nothing on PATH: the compiler's own ld. */
	ck_assert_int_eq(choose(GR_LINKER_AUTO, GR_LINK_STATIC, 0, 0, &c), GR_LINKER_DEFAULT);
	ck_assert_ptr_nonnull(strstr(c.why, "the compiler's own ld"));
}
END_TEST

START_TEST(test_modes)
{
	struct gr_linker_choice c;

	/* gold cannot do -static-pie: auto passes it over and says why. */
	ck_assert_ptr_nonnull(gr_linker_cannot(GR_LINKER_GOLD, GR_LINK_STATIC_PIE));
	ck_assert_ptr_null(gr_linker_cannot(GR_LINKER_GOLD, GR_LINK_STATIC));
	ck_assert_ptr_null(gr_linker_cannot(GR_LINKER_MOLD, GR_LINK_STATIC_PIE));
	ck_assert_ptr_null(gr_linker_cannot(GR_LINKER_LLD, GR_LINK_STATIC_PIE));
	ck_assert_int_eq(choose(GR_LINKER_AUTO, GR_LINK_STATIC_PIE, BIT(GR_LINKER_GOLD) | BIT(GR_LINKER_BFD), 0, &c),
	                 GR_LINKER_BFD);
	ck_assert_ptr_nonnull(strstr(c.why, "gold cannot link -static-pie"));
	/* Asked for by name: it falls back to bfd, and says why. */
	ck_assert_int_eq(choose(GR_LINKER_GOLD, GR_LINK_STATIC_PIE, ALL, 0, &c), GR_LINKER_BFD);
	ck_assert_ptr_nonnull(strstr(c.why, "--linker=gold: gold cannot link -static-pie"));
	ck_assert_ptr_nonnull(strstr(c.why, "linking with bfd instead"));
	/* Asked for by name and able: as asked, nothing to say. */
	ck_assert_int_eq(choose(GR_LINKER_GOLD, GR_LINK_STATIC, ALL, 0, &c), GR_LINKER_GOLD);
	ck_assert_str_eq(c.why, "");
	ck_assert_int_eq(choose(GR_LINKER_DEFAULT, GR_LINK_STATIC_PIE, 0, 0, &c), GR_LINKER_DEFAULT);
}
END_TEST

/* A static glibc link: mold and lld print none of glibc's warnings, but
 * gorelink makes them from their trace (gr_diag_derive_warnings): auto
 * takes mold as in any other link, and an explicit one has nothing to say. */
START_TEST(test_glibc_warnings)
{
	struct gr_linker_choice c;
	unsigned have = ALL;

	ck_assert_ptr_nonnull(gr_linker_no_glibc_warnings(GR_LINKER_MOLD));
	ck_assert_ptr_nonnull(gr_linker_no_glibc_warnings(GR_LINKER_LLD));
	ck_assert_ptr_null(gr_linker_no_glibc_warnings(GR_LINKER_GOLD));
	ck_assert_ptr_null(gr_linker_no_glibc_warnings(GR_LINKER_BFD));
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_STATIC, false, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_MOLD);
	ck_assert_ptr_null(strstr(c.why, "prints none"));
	ck_assert_ptr_nonnull(strstr(c.why, "auto: the fastest installed that can link --static"));
	have = ALL & ~BIT(GR_LINKER_MOLD);
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_STATIC, false, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_LLD);
	/* -static-pie: gold cannot; mold can. */
	have = ALL;
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_STATIC_PIE, false, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_MOLD);
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_THIRD_PARTY, false, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_MOLD);
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_MOLD, GR_LINK_STATIC, false, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_MOLD);
	ck_assert_str_eq(c.why, "");
}
END_TEST

/* musl-gcc's specs pass -dynamic-linker to every link: lld and mold keep
 * it in a static link (PT_INTERP), so auto passes them over there and by
 * name they fall back to bfd; a dynamic (third-party) link is theirs. */
START_TEST(test_musl)
{
	struct gr_linker_choice c;
	unsigned have = ALL;

	ck_assert_ptr_nonnull(gr_linker_cannot_musl(GR_LINKER_MOLD, GR_LINK_STATIC));
	ck_assert_ptr_nonnull(gr_linker_cannot_musl(GR_LINKER_LLD, GR_LINK_STATIC_PIE));
	ck_assert_ptr_null(gr_linker_cannot_musl(GR_LINKER_GOLD, GR_LINK_STATIC));
	ck_assert_ptr_null(gr_linker_cannot_musl(GR_LINKER_MOLD, GR_LINK_THIRD_PARTY));
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_STATIC, true, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_GOLD);
	ck_assert_ptr_nonnull(strstr(c.why, "mold keeps musl-gcc's -dynamic-linker"));
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_STATIC_PIE, true, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_BFD);
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_MOLD, GR_LINK_STATIC, true, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_BFD);
	ck_assert_ptr_nonnull(strstr(c.why, "--linker=mold: mold keeps musl-gcc's"));
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_THIRD_PARTY, true, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_MOLD);
}
END_TEST

/* gold's static arm64 links lose C++ exception unwinding (a throw aborts
 * under qemu; relink-e2e cross_arm64_cxx_archive_derived_cxx with
 * RELINK_E2E_LINKER=auto): auto passes it over for arm64, by name it falls
 * back to bfd; amd64 and a dynamic (third-party) arm64 link are gold's. */
START_TEST(test_arch)
{
	struct gr_linker_choice c;
	unsigned have = BIT(GR_LINKER_BFD) | BIT(GR_LINKER_GOLD);

	ck_assert_ptr_nonnull(gr_linker_cannot_arch(GR_LINKER_GOLD, GR_LINK_STATIC, "arm64"));
	ck_assert_ptr_null(gr_linker_cannot_arch(GR_LINKER_GOLD, GR_LINK_STATIC, "amd64"));
	ck_assert_ptr_null(gr_linker_cannot_arch(GR_LINKER_GOLD, GR_LINK_THIRD_PARTY, "arm64"));
	ck_assert_ptr_null(gr_linker_cannot_arch(GR_LINKER_BFD, GR_LINK_STATIC, "arm64"));
	ck_assert_ptr_null(gr_linker_cannot_arch(GR_LINKER_GOLD, GR_LINK_STATIC, NULL));
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_STATIC, false, "arm64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_BFD);
	ck_assert_ptr_nonnull(strstr(c.why, "gold's static arm64 links lose C++ exception unwinding"));
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_GOLD, GR_LINK_STATIC, false, "arm64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_BFD);
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_STATIC, false, "amd64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_GOLD);
	ck_assert_int_eq(gr_linker_choose(GR_LINKER_AUTO, GR_LINK_THIRD_PARTY, false, "arm64", installed, &have, &c), 0);
	ck_assert_int_eq(c.linker, GR_LINKER_GOLD);
}
END_TEST

/* A cross compiler's collect2 finds TRIPLE-ld.NAME on PATH only. */
START_TEST(test_found_cross)
{
	char dir[] = "/tmp/gr-linker-found-XXXXXX", f[256];
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(f, sizeof(f), "%s/ld.mold", dir);
	ck_assert_ptr_nonnull(fp = fopen(f, "w"));
	fclose(fp);
	chmod(f, 0755);
	snprintf(f, sizeof(f), "%s/aarch64-linux-gnu-ld.gold", dir);
	ck_assert_ptr_nonnull(fp = fopen(f, "w"));
	fclose(fp);
	chmod(f, 0755);
	ck_assert(gr_linker_found("gcc", false, NULL, dir, GR_LINKER_MOLD));
	ck_assert(!gr_linker_found("gcc", false, NULL, dir, GR_LINKER_GOLD));
	ck_assert(!gr_linker_found("aarch64-linux-gnu-gcc", true, NULL, dir, GR_LINKER_MOLD));
	ck_assert(gr_linker_found("/usr/bin/aarch64-linux-gnu-gcc -march=armv8-a", true, NULL, dir, GR_LINKER_GOLD));
	ck_assert(!gr_linker_found("clang", true, NULL, dir, GR_LINKER_GOLD));  /* no triple: none */
	ck_assert(gr_linker_found("aarch64-linux-gnu-gcc", true, dir, "/nonexistent", GR_LINKER_MOLD));  /* COMPILER_PATH */
	ck_assert(gr_linker_found("aarch64-linux-gnu-gcc", true, NULL, dir, GR_LINKER_DEFAULT));
	snprintf(f, sizeof(f), "%s/ld.mold", dir);
	unlink(f);
	snprintf(f, sizeof(f), "%s/aarch64-linux-gnu-ld.gold", dir);
	unlink(f);
	rmdir(dir);
}
END_TEST

START_TEST(test_not_installed)
{
	struct gr_linker_choice c;

	ck_assert_int_eq(choose(GR_LINKER_LLD, GR_LINK_STATIC, BIT(GR_LINKER_BFD), -1, &c), GR_LINKER_LLD);
	ck_assert_ptr_nonnull(strstr(c.why, "ld.lld is not on PATH (Debian package lld)"));
	ck_assert_int_eq(choose(GR_LINKER_MOLD, GR_LINK_STATIC, 0, -1, &c), GR_LINKER_MOLD);
	ck_assert_ptr_nonnull(strstr(c.why, "Debian package mold"));
}
END_TEST

START_TEST(test_on_path_and_argv)
{
	const char *argv[] = { "gcc", "-fuse-ld=gold", "-o", "x", "-fuse-ld=bfd", "go.o" };
	const char *none[] = { "gcc", "-o", "x" };

	ck_assert(gr_linker_on_path("/nonexistent", GR_LINKER_DEFAULT));
	ck_assert(!gr_linker_on_path("/nonexistent", GR_LINKER_MOLD));
	ck_assert(!gr_linker_on_path(NULL, GR_LINKER_MOLD));
	/* The last -fuse-ld= is the driver's. */
	ck_assert_str_eq(gr_linker_in_argv(argv, 6), "bfd");
	ck_assert_str_eq(gr_linker_in_argv(argv, 4), "gold");
	ck_assert_ptr_null(gr_linker_in_argv(none, 3));
}
END_TEST

/* The rewritten final link: the state's linker as the one -fuse-ld=, the
 * link's own -fuse-ld= dropped; without a state linker, nothing added. */
static void
rewrite(const char *linker, struct gr_strvec *out)
{
	static char a0[] = "-m64", a1[] = "-o", a2[] = "/tmp/x/a.out", a4[] = "-fuse-ld=gold", a5[] = "-lpthread";
	char dir[] = "/tmp/test_linker.XXXXXX", goo[64];
	char *args[] = { a0, a1, a2, goo, a4, a5 };
	FILE *f;
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_rw_result *rw = NULL;
	struct gr_error e;

	/* An input file that is there: the rewrite refuses a missing one. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(goo, sizeof(goo), "%s/go.o", dir);
	ck_assert_ptr_nonnull(f = fopen(goo, "w"));
	fclose(f);
	memset(&tc, 0, sizeof(tc));
	gr_linkstate_init(&ls);
	gr_strvec_init(out);
	ls.mode = GR_LINK_THIRD_PARTY;  /* -lpthread stays: no search needed */
	ls.no_infer = true;
	ck_assert_int_eq(gr_strvec_push(&ls.cc, "cc"), GR_OK);
	if (linker)
		ls.linker = strdup(linker);
	ck_assert_int_eq(gr_extld_rewrite(gr_test_env(), &ls, &tc, args, 6, out, &rw, &e), GR_OK);
	gr_rw_result_free(rw);
	gr_linkstate_deinit(&ls);
	unlink(goo);
	rmdir(dir);
}

START_TEST(test_extld_flag)
{
	struct gr_strvec out;
	size_t i, n = 0;

	rewrite("mold", &out);
	for (i = 0; i < out.n; i++)
		if (!strncmp(out.v[i], "-fuse-ld=", 9))
			n++;
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(gr_linker_in_argv((const char *const *)out.v, out.n), "mold");
	gr_strvec_deinit(&out);
	/* No --linker: the link as it came, its own -fuse-ld=gold kept. */
	rewrite(NULL, &out);
	ck_assert_str_eq(gr_linker_in_argv((const char *const *)out.v, out.n), "gold");
	gr_strvec_deinit(&out);
}
END_TEST

/* mold: cmd/link's 20-byte -Wl,--build-id=0x... padded to 24 bytes (every
 * note of mold's one PT_NOTE then ends on 8, and Go reads its build ID);
 * other lengths, other forms and a link's own choice kept; none: md5. */
START_TEST(test_mold_build_id)
{
	struct gr_strvec v;
	const char *id20 = "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a7";

	gr_strvec_init(&v);
	ck_assert_int_eq(gr_strvec_push(&v, "-o"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, id20), 0);
	ck_assert_int_eq(gr_extld_mold_build_id(&v), 0);
	ck_assert_uint_eq(v.n, 2);
	ck_assert_str_eq(v.v[1], "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a700000000");
	/* Already 24 bytes: kept (applying it twice changes nothing). */
	ck_assert_int_eq(gr_extld_mold_build_id(&v), 0);
	ck_assert_str_eq(v.v[1], "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a700000000");
	gr_strvec_deinit(&v);

	gr_strvec_init(&v);
	ck_assert_int_eq(gr_strvec_push(&v, "-Wl,--build-id=0x1234567890abcdef"), 0);  /* 8 bytes */
	ck_assert_int_eq(gr_strvec_push(&v, "-Wl,--build-id=0xnothexnothexnothexnothexnothexnothexnothe"), 0);
	ck_assert_int_eq(gr_extld_mold_build_id(&v), 0);
	ck_assert_uint_eq(v.n, 2);
	ck_assert_str_eq(v.v[0], "-Wl,--build-id=0x1234567890abcdef");
	ck_assert_str_eq(v.v[1], "-Wl,--build-id=0xnothexnothexnothexnothexnothexnothexnothe");
	gr_strvec_deinit(&v);

	gr_strvec_init(&v);
	ck_assert_int_eq(gr_strvec_push(&v, "-Wl,--build-id=none"), 0);
	ck_assert_int_eq(gr_extld_mold_build_id(&v), 0);
	ck_assert_uint_eq(v.n, 1);
	ck_assert_str_eq(v.v[0], "-Wl,--build-id=none");
	gr_strvec_deinit(&v);

	gr_strvec_init(&v);
	ck_assert_int_eq(gr_strvec_push(&v, "-static"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "/w/lib/libbuild-id.a"), 0);  /* no option: not counted */
	ck_assert_int_eq(gr_extld_mold_build_id(&v), 0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_str_eq(v.v[2], "-Wl,--build-id=md5");
	gr_strvec_deinit(&v);

	/* sha1 (20 bytes) in either spelling becomes md5 (16: every linker knows it). */
	gr_strvec_init(&v);
	ck_assert_int_eq(gr_strvec_push(&v, "-Wl,--build-id=sha1"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "-Xlinker"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "--build-id"), 0);
	ck_assert_int_eq(gr_extld_mold_build_id(&v), 0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_str_eq(v.v[0], "-Wl,--build-id=md5");
	ck_assert_str_eq(v.v[2], "--build-id=md5");
	gr_strvec_deinit(&v);
}
END_TEST

/* A file of 64 bytes: an ELF header of class/data with e_type type (in the
 * file's byte order); type < 0: the same for ET_REL without the ELF magic. */
static void
put_elf(const char *path, int data, int type)
{
	unsigned char h[64] = { 0 };
	FILE *f;

	memcpy(h, type >= 0 ? "\177ELF" : "\177ELG", 4);
	h[4] = 2, h[5] = (unsigned char)data, h[6] = 1;
	h[data == 2 ? 17 : 16] = (unsigned char)(type >= 0 ? type : 1);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(h, 1, sizeof(h), f), sizeof(h));
	ck_assert_int_eq(fclose(f), 0);
}

/* gr_linker_input_script on argv (n words): the rc, and out joined by ' ' in *joined. */
static int
script(const char *const *argv, size_t n, char **text, char *joined, size_t cap)
{
	struct gr_strvec out;
	size_t i, at = 0;
	int rc;

	*text = NULL;
	joined[0] = '\0';
	rc = gr_linker_input_script(argv, n, "S", &out, text);
	if (rc != GR_OK)
		return rc;
	for (i = 0; i < out.n; i++)
		at += (size_t)snprintf(joined + at, cap - at, "%s%s", i ? " " : "", out.v[i]);
	ck_assert_uint_lt(at, cap);
	gr_strvec_deinit(&out);
	return rc;
}

/* mold's objects in a script: the longest run of at least 4 objects, in
 * order; what is no object, or no input, or a link the script would change,
 * left alone. */
START_TEST(test_input_script)
{
	char d[64], p[16][128], j[2048], *t;
	const char *names[] = { "go.o", "1.o", "2.o", "3.o", "4.o", "5.o", "be.o", "exec.o", "text.o", "lib.a",
		                "q\"uote.o" };
	size_t i;

	gr_test_tmpdir(d, sizeof(d), "gr-input-script");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		snprintf(p[i], sizeof(p[i]), "%s/%s", d, names[i]);
	for (i = 0; i <= 5; i++)
		put_elf(p[i], 1, 1);
	put_elf(p[6], 2, 1);   /* big-endian ET_REL: an object */
	put_elf(p[7], 1, 2);   /* ET_EXEC named .o: not */
	put_elf(p[8], 1, -1);  /* no ELF magic: not */
	put_elf(p[9], 1, 1);   /* an object named .a: not (no .o) */
	put_elf(p[10], 1, 1);  /* a '"' in its name: a script string cannot hold it */

	{
		const char *a[] = { "gcc", "-m64", "-o", "/x/a.out", p[0], p[1], p[2], p[6], p[9], "-lc" };
		ck_assert_int_eq(script(a, 10, &t, j, sizeof(j)), GR_OK);
		char want[1024];
		snprintf(want, sizeof(want), "INPUT(\"%s\" \"%s\" \"%s\" \"%s\")\n", p[0], p[1], p[2], p[6]);
		ck_assert_str_eq(t, want);
		snprintf(want, sizeof(want), "gcc -m64 -o /x/a.out S %s -lc", p[9]);
		ck_assert_str_eq(j, want);
		free(t);
	}
	{
		/* three: too few */
		const char *a[] = { "gcc", p[0], p[1], p[2], "-lc" };
		ck_assert_int_eq(script(a, 5, &t, j, sizeof(j)), GR_ENOTFOUND);
		ck_assert_ptr_null(t);
	}
	{
		/* the longer of two runs; -o's value is no input */
		const char *a[] = { "gcc", "-o", p[5], p[0], p[1], p[2], p[3], "-Wl,--whole-archive",
			            p[0], p[1], p[2], p[3], p[4], "-lc" };
		ck_assert_int_eq(script(a, 14, &t, j, sizeof(j)), GR_OK);
		char want[2048];
		snprintf(want, sizeof(want), "INPUT(\"%s\" \"%s\" \"%s\" \"%s\" \"%s\")\n", p[0], p[1], p[2], p[3], p[4]);
		ck_assert_str_eq(t, want);
		snprintf(want, sizeof(want), "gcc -o %s %s %s %s %s -Wl,--whole-archive S -lc", p[5], p[0], p[1], p[2],
		         p[3]);
		ck_assert_str_eq(j, want);
		free(t);
		const char *b[] = { "gcc", "-o", p[0], p[1], p[2], p[3], "-lc" };  /* -o takes p[0]: three left */
		ck_assert_int_eq(script(b, 7, &t, j, sizeof(j)), GR_ENOTFOUND);
		const char *c[] = { "gcc", "-Xclang", p[0], p[1], p[2], p[3], "-lc" };  /* likewise -Xclang */
		ck_assert_int_eq(script(c, 7, &t, j, sizeof(j)), GR_ENOTFOUND);
	}
	{
		/* each of these breaks the run: ET_EXEC, no ELF magic, a '"', a relative path, a missing file */
		const char *bad[] = { p[7], p[8], p[10], "go.o", "/nonexistent/gr/x.o" };
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *a[] = { "gcc", p[0], p[1], bad[i], p[2], p[3], "-lc" };
			ck_assert_msg(script(a, 7, &t, j, sizeof(j)) == GR_ENOTFOUND, "%s counted as an object", bad[i]);
		}
	}
	{
		/* a language, LTO or a sysroot anywhere: the argv as it is */
		const char *no[] = { "-x", "-xc", "--language=c", "-flto", "-flto=auto", "-fno-use-linker-plugin",
			             "--sysroot=/sr", "-Wl,--sysroot=/sr", "@/x/rsp", "-r", "--output=/x/b.out" };
		for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
			const char *a[] = { "gcc", no[i], p[0], p[1], p[2], p[3], p[4], "-lc" };
			ck_assert_msg(script(a, 8, &t, j, sizeof(j)) == GR_ENOTFOUND, "%s: a script", no[i]);
		}
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(p[i]);
	rmdir(d);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_parse, test_auto_order, test_modes, test_glibc_warnings, test_musl, test_arch, test_found_cross, test_not_installed, test_on_path_and_argv, test_extld_flag, test_mold_build_id,
		test_input_script,
	};

	return gr_test_run(gr_test_suite("linker", "linker", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
