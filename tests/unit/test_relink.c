/* Unit tests for the build's pure parts: go flag merging, Go quoted strings,
 * the final-link test, presets and the link state. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_bfdcheck.h"
#include "gr_build.h"
#include "gr_bytes.h"
#include "gr_diag.h"
#include "gr_extld.h"
#include "gr_goflags.h"
#include "gr_records.h"
#include "gr_pc.h"
#include "gr_modgraph.h"
#include "gr_preset.h"
#include "gr_spawn.h"
#include "gr_test.h"

static void
split_eq(const char *s, const char *const *want, size_t n)
{
	struct gr_strvec v;
	struct gr_error e;
	size_t i;

	gr_strvec_init(&v);
	ck_assert_int_eq(gr_goflags_split(s, &v, &e), GR_OK);
	ck_assert_uint_eq(v.n, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(v.v[i], want[i]);
	gr_strvec_deinit(&v);
}

START_TEST(test_split_join)
{
	static const char *const a[] = { "-X", "main.v=1 2", "-s", "-w" };
	static const char *const b[] = { "-extldflags", "-static -lm", "it's" };
	struct gr_strvec v;
	struct gr_error e;
	char *j;

	split_eq("-X 'main.v=1 2'  -s\t-w", a, 4);
	split_eq("-extldflags \"-static -lm\" it's", b, 3);
	split_eq("", NULL, 0);
	gr_strvec_init(&v);
	ck_assert_int_eq(gr_goflags_split("-X 'unterminated", &v, &e), GR_EUSAGE);
	ck_assert_int_eq(gr_goflags_split("'a'b", &v, &e), GR_EUSAGE);
	gr_strvec_deinit(&v);
	/* join gives back what split takes apart */
	gr_strvec_init(&v);
	gr_strvec_push(&v, "-X");
	gr_strvec_push(&v, "main.v=1 2");
	gr_strvec_push(&v, "it's here");
	gr_strvec_push(&v, "");
	j = gr_goflags_join(&v);
	ck_assert_str_eq(j, "-X 'main.v=1 2' \"it's here\" ''");
	free(j);
	gr_strvec_push(&v, "both ' and \"");
	ck_assert_ptr_null(gr_goflags_join(&v));
	gr_strvec_deinit(&v);
}
END_TEST

START_TEST(test_parse)
{
	char *args[] = { "-trimpath", "-ldflags", "-s -w", "-tags=a,b", "-o", "out", "-ldflags=-X main.v=2",
	                 "-tags", "b c", "-buildmode=pie", "-v" };
	struct gr_goflags gf;
	struct gr_error e;

	gr_goflags_init(&gf);
	ck_assert_int_eq(gr_goflags_parse("-buildvcs=false -tags=env -ldflags=-w", args, 11, &gf, &e), GR_OK);
	/* Go keeps only the last -ldflags. */
	ck_assert_uint_eq(gf.ldflags.n, 2);
	ck_assert_str_eq(gf.ldflags.v[0], "-X");
	ck_assert_str_eq(gf.ldflags.v[1], "main.v=2");
	/* tags accumulate, without duplicates, GOFLAGS first */
	ck_assert_uint_eq(gf.tags.n, 4);
	ck_assert_str_eq(gf.tags.v[0], "env");
	ck_assert_str_eq(gf.tags.v[3], "c");
	ck_assert_str_eq(gf.out, "out");
	ck_assert_str_eq(gf.buildmode, "pie");
	/* the rest passes through, GOFLAGS' own flags are go build's business */
	ck_assert_uint_eq(gf.pass.n, 2);
	ck_assert_str_eq(gf.pass.v[0], "-trimpath");
	ck_assert_str_eq(gf.pass.v[1], "-v");
	gr_goflags_deinit(&gf);

	gr_goflags_init(&gf);
	{
		char *bad[] = { "notaflag" };
		char *novalue[] = { "-ldflags" };
		ck_assert_int_eq(gr_goflags_parse(NULL, bad, 1, &gf, &e), GR_EUSAGE);
		ck_assert_ptr_nonnull(strstr(e.msg, "notaflag"));
		ck_assert_int_eq(gr_goflags_parse(NULL, novalue, 1, &gf, &e), GR_EUSAGE);
	}
	gr_goflags_deinit(&gf);
}
END_TEST

/* GOFLAGS is split like go splits it (cmd/internal/quoted.Split): a quoted
 * field may hold blanks, so a whole -ldflags fits in one GOFLAGS entry. */
START_TEST(test_goflags_quoted)
{
	struct gr_goflags gf;
	struct gr_error e;

	gr_goflags_init(&gf);
	ck_assert_int_eq(gr_goflags_parse("'-ldflags=-X main.version=q1 -s'", NULL, 0, &gf, &e), GR_OK);
	ck_assert(gf.has_ldflags);
	ck_assert_uint_eq(gf.ldflags.n, 3);
	ck_assert_str_eq(gf.ldflags.v[0], "-X");
	ck_assert_str_eq(gf.ldflags.v[1], "main.version=q1");
	ck_assert_str_eq(gf.ldflags.v[2], "-s");
	gr_goflags_deinit(&gf);

	/* Double quotes, several entries, tabs and newlines between them. */
	gr_goflags_init(&gf);
	ck_assert_int_eq(gr_goflags_parse(" \"-tags=a b\"\t-trimpath\n\"-ldflags=-w -X 'main.s=x y'\" ",
	                                  NULL, 0, &gf, &e), GR_OK);
	ck_assert_uint_eq(gf.tags.n, 2);
	ck_assert_str_eq(gf.tags.v[0], "a");
	ck_assert_str_eq(gf.tags.v[1], "b");
	ck_assert_uint_eq(gf.ldflags.n, 3);
	ck_assert_str_eq(gf.ldflags.v[0], "-w");
	ck_assert_str_eq(gf.ldflags.v[1], "-X");
	ck_assert_str_eq(gf.ldflags.v[2], "main.s=x y");
	ck_assert_uint_eq(gf.pass.n, 0);  /* GOFLAGS' -trimpath is go build's business */
	gr_goflags_deinit(&gf);

	/* The unquoted form is unchanged: plain whitespace-separated entries. */
	gr_goflags_init(&gf);
	ck_assert_int_eq(gr_goflags_parse("-ldflags=-s  -tags=x", NULL, 0, &gf, &e), GR_OK);
	ck_assert_uint_eq(gf.ldflags.n, 1);
	ck_assert_str_eq(gf.ldflags.v[0], "-s");
	ck_assert_uint_eq(gf.tags.n, 1);
	gr_goflags_deinit(&gf);

	/* A quote inside a field is literal, as in go. */
	gr_goflags_init(&gf);
	ck_assert_int_eq(gr_goflags_parse("-ldflags=-X=a'b", NULL, 0, &gf, &e), GR_OK);
	ck_assert_uint_eq(gf.ldflags.n, 1);
	ck_assert_str_eq(gf.ldflags.v[0], "-X=a'b");
	gr_goflags_deinit(&gf);

	/* The command line's -ldflags still replaces GOFLAGS'. */
	gr_goflags_init(&gf);
	{
		char *args[] = { "-ldflags=-w" };
		ck_assert_int_eq(gr_goflags_parse("'-ldflags=-s -X main.v=1'", args, 1, &gf, &e), GR_OK);
		ck_assert_uint_eq(gf.ldflags.n, 1);
		ck_assert_str_eq(gf.ldflags.v[0], "-w");
	}
	gr_goflags_deinit(&gf);

	/* An unterminated quote is a usage error naming GOFLAGS (go: "parsing $GOFLAGS"). */
	gr_goflags_init(&gf);
	ck_assert_int_eq(gr_goflags_parse("'-ldflags=-s -w", NULL, 0, &gf, &e), GR_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "GOFLAGS"));
	ck_assert_ptr_nonnull(strstr(e.msg, "unterminated"));
	gr_goflags_deinit(&gf);
}
END_TEST

START_TEST(test_unquote)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "\"plain\"", "plain" },
		{ "\"a b\\tc\\n\"", "a b\tc\n" },
		{ "\"q\\\"q\\\\\"", "q\"q\\" },
		{ "\"\\x41\\101\\u00e9\\U0001F600\"", "AA\xc3\xa9\xf0\x9f\x98\x80" },
		{ "\"\"", "" },
	};
	static const char *const bad[] = { "plain", "\"open", "\"a\"b\"", "\"\\q\"", "\"\\x4\"",
	                                   "\"\\u12\"", "\"\\ud800\"", "\"\\400\"", "\"\\", "\"" };
	size_t i;
	char *out;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(gr_extld_unquote(ok[i].in, strlen(ok[i].in), &out), GR_OK);
		ck_assert_str_eq(out, ok[i].out);
		free(out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(gr_extld_unquote(bad[i], strlen(bad[i]), &out) == GR_EFORMAT, "%s accepted", bad[i]);
		ck_assert_ptr_null(out);
	}
}
END_TEST

/* gorelink-ld's toolchain discovery keys its cache by the user's PATH: the
 * helper directory (statepath's) is dropped when it comes first. */
START_TEST(test_extld_discovery_path)
{
	const char *st = "/tmp/gorelink-AbC123/state";

	ck_assert_str_eq(gr_extld_discovery_path("/tmp/gorelink-AbC123:/usr/bin:/bin", st), "/usr/bin:/bin");
	/* Not first, a longer name, alone, no state, no PATH: unchanged. */
	ck_assert_str_eq(gr_extld_discovery_path("/usr/bin:/tmp/gorelink-AbC123", st), "/usr/bin:/tmp/gorelink-AbC123");
	ck_assert_str_eq(gr_extld_discovery_path("/tmp/gorelink-AbC1234:/usr/bin", st), "/tmp/gorelink-AbC1234:/usr/bin");
	ck_assert_str_eq(gr_extld_discovery_path("/tmp/gorelink-AbC123", st), "/tmp/gorelink-AbC123");
	ck_assert_str_eq(gr_extld_discovery_path("/tmp/gorelink-AbC123:", st), "/tmp/gorelink-AbC123:");
	ck_assert_str_eq(gr_extld_discovery_path("/tmp/gorelink-AbC123:/bin", NULL), "/tmp/gorelink-AbC123:/bin");
	ck_assert_str_eq(gr_extld_discovery_path("/tmp/gorelink-AbC123:/bin", "state"), "/tmp/gorelink-AbC123:/bin");
	ck_assert_ptr_null(gr_extld_discovery_path(NULL, st));
}
END_TEST

/* A fallback from mold to GNU ld links cmd/link's own --build-id=0xHEX again:
 * the 4 zero bytes gr_extld_mold_build_id added come off; md5 (every linker
 * knows it) and other words stay; the round trip gives cmd/link's word. */
START_TEST(test_extld_mold_build_id_undo)
{
	const char *id20 = "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a7";
	struct gr_strvec v;

	gr_strvec_init(&v);
	ck_assert_int_eq(gr_strvec_push(&v, "-o"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, id20), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "-Xlinker"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "--build-id"), 0);
	ck_assert_int_eq(gr_extld_mold_build_id(&v), 0);
	ck_assert_str_ne(v.v[1], id20);
	ck_assert_str_eq(v.v[3], "--build-id=md5");
	gr_extld_mold_build_id_undo(&v);
	ck_assert_uint_eq(v.n, 4);
	ck_assert_str_eq(v.v[1], id20);
	ck_assert_str_eq(v.v[3], "--build-id=md5");
	gr_strvec_deinit(&v);

	/* -Xlinker's word too; other lengths, other endings, non-hex kept. */
	gr_strvec_init(&v);
	ck_assert_int_eq(gr_strvec_push(&v, "-Xlinker"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a700000000"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a700000001"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "-Wl,--build-id=0x1234567800000000"), 0);
	ck_assert_int_eq(gr_strvec_push(&v, "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a700000000,-z,now"), 0);
	gr_extld_mold_build_id_undo(&v);
	ck_assert_str_eq(v.v[1], "--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a7");
	ck_assert_str_eq(v.v[2], "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a700000001");
	ck_assert_str_eq(v.v[3], "-Wl,--build-id=0x1234567800000000");
	ck_assert_str_eq(v.v[4], "-Wl,--build-id=0xe48ba8532204f96b6d33247e4272f51e66a8a4a700000000,-z,now");
	gr_strvec_deinit(&v);
}
END_TEST

/* Whose -fuse-ld= a final link holds: gorelink's soft choice is the one
 * -fuse-ld= naming it; the compiler words' own, another one, or several are
 * the user's; --linker (not soft) is gorelink's. */
START_TEST(test_extld_linker_own)
{
	char *gorelinks[] = { "cc", "-o", "a.out", "go.o", "-fuse-ld=mold" };
	char *users[] = { "cc", "-o", "a.out", "go.o", "-fuse-ld=gold" };
	char *two[] = { "cc", "-fuse-ld=mold", "-o", "a.out", "-fuse-ld=mold" };
	struct gr_linkstate ls;

	gr_linkstate_init(&ls);
	ck_assert(gr_extld_linker_own(&ls, users, 5));  /* no choice at all */
	ls.linker = strdup("mold");
	ck_assert_ptr_nonnull(ls.linker);
	ls.linker_soft = true;
	ck_assert_int_eq(gr_strvec_push(&ls.cc, "cc"), 0);
	ck_assert(!gr_extld_linker_own(&ls, gorelinks, 5));
	ck_assert(gr_extld_linker_own(&ls, users, 5));
	ck_assert(gr_extld_linker_own(&ls, two, 5));
	/* go env CC="gcc -fuse-ld=gold" (ls->cc) or CXX: the user's. */
	ck_assert_int_eq(gr_strvec_push(&ls.cxx, "g++"), 0);
	ck_assert_int_eq(gr_strvec_push(&ls.cxx, "-fuse-ld=gold"), 0);
	ck_assert(gr_extld_linker_own(&ls, gorelinks, 5));
	/* --linker=mold: gorelink's whatever the link said. */
	ls.linker_soft = false;
	ck_assert(!gr_extld_linker_own(&ls, users, 5));
	gr_linkstate_deinit(&ls);
}
END_TEST

START_TEST(test_is_final_and_expand)
{
	char *final[] = { "-m64", "-o", "/tmp/b/exe/a.out", "/tmp/go-link-1/go.o", "-lpthread" };
	char *probe[] = { "-no-pie", "-o", "/tmp/go-link-1/a.out", "/tmp/go-link-1/trivial.c" };
	char *stdin_probe[] = { "-x", "c", "-", "-o", "/dev/null", "/tmp/x/go.o" };
	char *nogo[] = { "-o", "x", "y.o" };
	char resp[] = "/tmp/gr-resp-XXXXXX";
	char *args[3];
	struct gr_strvec out;
	struct gr_error e;
	FILE *f;
	int fd;

	ck_assert(gr_extld_is_final(final, 5));
	ck_assert(!gr_extld_is_final(probe, 4));
	ck_assert(!gr_extld_is_final(stdin_probe, 6));
	ck_assert(!gr_extld_is_final(nogo, 3));

	fd = mkstemp(resp);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("\"-o\"\n\"/tmp/a b/a.out\"\n\"/tmp/go-link-2/go.o\"\n\"-lz\"\n", f);
	fclose(f);
	args[0] = "-m64";
	args[1] = malloc(strlen(resp) + 2);
	snprintf(args[1], strlen(resp) + 2, "@%s", resp);
	args[2] = "-static";
	gr_strvec_init(&out);
	ck_assert_int_eq(gr_extld_expand(args, 3, &out, &e), GR_OK);
	ck_assert_uint_eq(out.n, 6);
	ck_assert_str_eq(out.v[2], "/tmp/a b/a.out");
	ck_assert_str_eq(out.v[5], "-static");
	ck_assert(gr_extld_is_final(out.v, out.n));
	gr_strvec_deinit(&out);
	f = fopen(resp, "w");
	fputs("\"ok\"\nnot quoted\n", f);
	fclose(f);
	gr_strvec_init(&out);
	ck_assert_int_eq(gr_extld_expand(args, 3, &out, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, ":2:"));
	gr_strvec_deinit(&out);
	unlink(resp);
	free(args[1]);
}
END_TEST

START_TEST(test_probe_shape)
{
	/* cmd/link's linkerFlagSupported: flags, -o DIR/a.out, the flag, DIR/trivial.c. */
	char *probe[] = { "-m64", "-o", "/tmp/g/go-link-1/a.out", "-Wl,--build-id=0x12", "/tmp/g/go-link-1/trivial.c" };
	char *fuse[] = { "-m64", "-fuse-ld=gold", "-o", "/t/a.out", "-no-pie", "/t/trivial.c" };
	char *other_dir[] = { "-o", "/tmp/x/a.out", "-no-pie", "/tmp/y/trivial.c" };
	char *other_out[] = { "-o", "/tmp/x/b.out", "-no-pie", "/tmp/x/trivial.c" };
	char *two_out[] = { "-o", "/t/a.out", "-o", "/t/a.out", "/t/trivial.c" };
	char *no_out[] = { "-m64", "-no-pie", "/t/trivial.c" };
	char *relative[] = { "-o", "t/a.out", "-no-pie", "t/trivial.c" };
	char *not_last[] = { "-o", "/t/a.out", "/t/trivial.c", "-no-pie" };
	char *resp[] = { "-o", "/t/a.out", "@/t/response", "/t/trivial.c" };
	char *path[] = { "-o", "/t/a.out", "-Wl,-T,/etc/x.ld", "/t/trivial.c" };
	char *bdir[] = { "-Bprefix", "-o", "/t/a.out", "-no-pie", "/t/trivial.c" };
	char *specs[] = { "-specs=x", "-o", "/t/a.out", "-no-pie", "/t/trivial.c" };
	char *object[] = { "-o", "/t/a.out", "x.o", "/t/trivial.c" };
	char *stdin_probe[] = { "-x", "c", "-o", "/t/a.out", "/t/trivial.c" };
	char *final[] = { "-m64", "-o", "/tmp/b/exe/a.out", "/tmp/go-link-1/go.o", "-lpthread" };
	char *named[] = { "-o", "/t/a.out", "-no-pie", "/t/nottrivial.c" };
	char *root[] = { "-o", "/a.out", "-no-pie", "/trivial.c" };
	size_t dl = 0;

	ck_assert(gr_extld_probe_shape(probe, 5, &dl));
	ck_assert_uint_eq(dl, strlen("/tmp/g/go-link-1"));
	ck_assert(gr_extld_probe_shape(fuse, 6, &dl));
	ck_assert_uint_eq(dl, 2);
	ck_assert(!gr_extld_probe_shape(other_dir, 4, &dl));
	ck_assert(!gr_extld_probe_shape(other_out, 4, &dl));
	ck_assert(!gr_extld_probe_shape(two_out, 5, &dl));
	ck_assert(!gr_extld_probe_shape(no_out, 3, &dl));
	ck_assert(!gr_extld_probe_shape(relative, 4, &dl));
	ck_assert(!gr_extld_probe_shape(not_last, 4, &dl));
	ck_assert(!gr_extld_probe_shape(resp, 4, &dl));
	ck_assert(!gr_extld_probe_shape(path, 4, &dl));
	ck_assert(!gr_extld_probe_shape(bdir, 5, &dl));
	ck_assert(!gr_extld_probe_shape(specs, 5, &dl));
	ck_assert(!gr_extld_probe_shape(object, 4, &dl));
	ck_assert(!gr_extld_probe_shape(stdin_probe, 5, &dl));
	ck_assert(!gr_extld_probe_shape(final, 5, &dl));
	ck_assert(!gr_extld_probe_shape(named, 4, &dl));
	ck_assert(!gr_extld_probe_shape(root, 4, &dl));
	ck_assert(!gr_extld_probe_shape(probe, 2, &dl));
}
END_TEST

/* A compiler script for test_probe_cache: -print-search-dirs names DIR; a
 * probe counts itself in DIR/count and answers with output and status 3. */
static void
probe_cc(const char *dir, const char *cc, const char *word)
{
	char text[4096];

	snprintf(text, sizeof(text),
	         "#!/bin/sh\n"
	         "for a; do [ \"$a\" = -print-search-dirs ] && { printf 'install: %s/\\nprograms: =%s/\\nlibraries: =%s/\\n'; exit 0; }; done\n"
	         "echo x >> %s/count\n"
	         "printf '%%s\\n' '%s stdout'\n"
	         "printf 'unrecognized \\t option\\n' >&2\n"
	         "exit 3\n",
	         dir, dir, dir, dir, word);
	gr_test_write_mode(cc, text, 0755);
}

/* How many probes the compiler script ran. */
static size_t
probe_count(const char *dir)
{
	char path[512], *t;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/count", dir);
	if (access(path, F_OK) != 0)
		return 0;
	t = gr_test_slurp(path);
	for (char *p = t; *p; p++)
		n += *p == '\n';
	free(t);
	return n;
}

/* The probe cc+args runs (no answer kept for it yet), then is answered from the cache. */
static void
probe_ran_then_kept(char *const cc[], char *const *args, char *const *envp)
{
	struct gr_extld_probe ans;
	struct gr_error e;
	bool hit;

	for (int k = 0; k < 2; k++) {
		ck_assert_msg(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", envp, "/", cc, args, 5, &ans, &hit, &e) ==
		              GR_OK, "%s", e.msg);
		ck_assert_int_eq(hit, k == 1);
		gr_extld_probe_free(&ans);
	}
}

START_TEST(test_probe_cache)
{
	char dir[256], cc[320], link1[320], link2[320], trivial[400], out[400], cache[320], as[320];
	char *ccv[2] = { cc, NULL };
	char *envp[] = { "LIBRARY_PATH=/nowhere", "GORELINK_LINK_STATE=/x/state", NULL };
	char *args[5];
	struct gr_extld_probe ans;
	struct gr_error e;
	bool hit;

	gr_test_tmpdir(dir, sizeof(dir), "gr-probe");
	snprintf(cc, sizeof(cc), "%s/cc", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(as, sizeof(as), "%s/as", dir);
	setenv("GORELINK_CACHE_DIR", cache, 1);
	probe_cc(dir, cc, "one");
	/* Two runs' private directories, the same trivial.c. */
	snprintf(link1, sizeof(link1), "%s/go-link-1", dir);
	snprintf(link2, sizeof(link2), "%s/go-link-22", dir);
	ck_assert_int_eq(mkdir(link1, 0755), 0);
	ck_assert_int_eq(mkdir(link2, 0755), 0);
	gr_test_put(link1, "trivial.c", "int main() { return 0; }");
	gr_test_put(link2, "trivial.c", "int main() { return 0; }");
	args[0] = "-m64";
	args[1] = "-o";
	args[3] = "-Wl,--build-id=0x1234";
#define PROBE_IN(d)                                                                   \
	do {                                                                          \
		snprintf(out, sizeof(out), "%s/a.out", d);                            \
		snprintf(trivial, sizeof(trivial), "%s/trivial.c", d);                \
		args[2] = out;                                                        \
		args[4] = trivial;                                                    \
	} while (0)
#define PROBE(env_, want_hit)                                                                     \
	do {                                                                                      \
		ck_assert_msg(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", env_, "/", ccv, args, 5, &ans, \
		                             &hit, &e) == GR_OK, "%s", e.msg);                            \
		ck_assert_int_eq(hit, want_hit);                                                  \
		ck_assert_int_eq(ans.status, 3);                                                  \
		ck_assert_str_eq(ans.err, "unrecognized \t option\n");                           \
		ck_assert_uint_eq(ans.errlen, strlen(ans.err));                                   \
		gr_extld_probe_free(&ans);                                                        \
	} while (0)

	PROBE_IN(link1);
	PROBE(envp, false);
	ck_assert_uint_eq(probe_count(dir), 1);
	/* The same probe in another run's directory: answered, nothing runs. */
	PROBE_IN(link2);
	ck_assert_msg(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", envp, "/", ccv, args, 5, &ans, &hit, &e) == GR_OK,
	              "%s", e.msg);
	ck_assert(hit);
	ck_assert_str_eq(ans.out, "one stdout\n");
	ck_assert_uint_eq(ans.outlen, strlen("one stdout\n"));
	gr_extld_probe_free(&ans);
	ck_assert_uint_eq(probe_count(dir), 1);
	/* Another flag, another environment the driver reads: run again. */
	args[3] = "-no-pie";
	PROBE(envp, false);
	ck_assert_uint_eq(probe_count(dir), 2);
	PROBE(envp, true);
	{
		char *envp2[] = { "LIBRARY_PATH=/elsewhere", NULL };
		PROBE(envp2, false);
		ck_assert_uint_eq(probe_count(dir), 3);
	}
	/* The compiler changes (content, size): run again. */
	probe_cc(dir, cc, "two!");
	ck_assert_msg(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", envp, "/", ccv, args, 5, &ans, &hit, &e) == GR_OK,
	              "%s", e.msg);
	ck_assert(!hit);
	ck_assert_str_eq(ans.out, "two! stdout\n");
	gr_extld_probe_free(&ans);
	ck_assert_uint_eq(probe_count(dir), 4);
	PROBE(envp, true);
	/* A program appears in the driver's programs directory: run again. */
	gr_test_write_mode(as, "#!/bin/sh\n", 0755);
	PROBE(envp, false);
	ck_assert_uint_eq(probe_count(dir), 5);
	/* A failure that is no flag's rejection (a full disk, say) is not kept. */
	{
		char text[1024];
		snprintf(text, sizeof(text),
		         "#!/bin/sh\n"
		         "for a; do [ \"$a\" = -print-search-dirs ] && { printf 'programs: =/nowhere/\\nlibraries: =/nowhere/\\n'; exit 0; }; done\n"
		         "echo x >> %.200s/count\n"
		         "echo 'cannot write: No space left on device' >&2\n"
		         "exit 1\n", dir);
		gr_test_write_mode(cc, text, 0755);
		for (int k = 0; k < 2; k++) {
			ck_assert_msg(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", envp, "/", ccv, args, 5, &ans, &hit,
			                             &e) == GR_OK, "%s", e.msg);
			ck_assert(!hit);
			ck_assert_int_eq(ans.status, 1);
			gr_extld_probe_free(&ans);
		}
		ck_assert_uint_eq(probe_count(dir), 7);
	}
	/* trivial.c that is not Go's, or no cache: not answered, nothing runs. */
	gr_test_put(link2, "trivial.c", "#include \"x.h\"\nint main() { return 0; }");
	ck_assert_int_eq(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", envp, "/", ccv, args, 5, &ans, &hit, &e),
	                 GR_ENOTFOUND);
	gr_test_put(link2, "trivial.c", "int main() { return 0; }");
	setenv("GORELINK_CACHE_DIR", "", 1);
	ck_assert_int_eq(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", envp, "/", ccv, args, 5, &ans, &hit, &e),
	                 GR_ENOTFOUND);
	ck_assert_uint_eq(probe_count(dir), 7);
	/* clang reads configuration files from its own directory: one appearing
	 * there runs the probe again. */
	{
		char bin[300], ccl[340], cfg[340];
		char *cclv[2] = { ccl, NULL };
		setenv("GORELINK_CACHE_DIR", cache, 1);
		snprintf(bin, sizeof(bin), "%s/clangbin", dir);
		ck_assert_int_eq(mkdir(bin, 0755), 0);
		snprintf(ccl, sizeof(ccl), "%s/x86_64-clang", bin);
		probe_cc(dir, ccl, "cl");
		probe_ran_then_kept(cclv, args, envp);
		ck_assert_uint_eq(probe_count(dir), 8);
		snprintf(cfg, sizeof(cfg), "%s/x86_64.cfg", bin);
		gr_test_write_mode(cfg, "-fuse-ld=lld\n", 0644);
		probe_ran_then_kept(cclv, args, envp);
		ck_assert_uint_eq(probe_count(dir), 9);
		/* It is edited in place (the directory's identity stays): another
		 * size, then the same size and a new modification time. */
		{
			struct stat before, after;
			struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
			ck_assert_int_eq(stat(bin, &before), 0);
			gr_test_write(cfg, "-fuse-ld=mold\n");
			ck_assert_int_eq(stat(bin, &after), 0);
			ck_assert(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
			          before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
			probe_ran_then_kept(cclv, args, envp);
			ck_assert_uint_eq(probe_count(dir), 10);
			gr_test_write(cfg, "-fuse-ld=gold\n");
			ck_assert_int_eq(utimensat(AT_FDCWD, cfg, ts, 0), 0);
			probe_ran_then_kept(cclv, args, envp);
			ck_assert_uint_eq(probe_count(dir), 11);
		}
	}
#undef PROBE
#undef PROBE_IN
	unsetenv("GORELINK_CACHE_DIR");
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

/* A gcc-like compiler for test_probe_search_dirs: an ELF executable at cc
 * (compiled here; a script's answers are never kept, gr_probe_real_driver)
 * that runs the script cc.sh, which for -print-search-dirs counts itself in
 * DIR/sdcount and names DIR$GCC_EXEC_PREFIX (with install: first unless
 * clang_like), and for a probe counts itself in DIR/count and is refused.
 * word goes into both, so that a new word is a new driver. With script_only
 * the script itself is at cc (a wrapper: asked on every probe). */
static void
sd_cc_as(const char *dir, const char *cc, const char *word, bool clang_like, bool script_only)
{
	char text[4096], sh[400], src[400], tmp[400];
	struct gr_spawn_result r;
	struct gr_error e;

	snprintf(text, sizeof(text),
	         "#!/bin/sh\n"
	         "# %s\n"
	         "for a; do [ \"$a\" = -print-search-dirs ] && { echo x >> %s/sdcount;"
	         " printf '%sprograms: =%s$GCC_EXEC_PREFIX/\\nlibraries: =%s/\\n'; exit 0; }; done\n"
	         "echo x >> %s/count\n"
	         "printf 'unrecognized option\\n' >&2\n"
	         "exit 1\n",
	         word, dir, clang_like ? "" : "install: /x/\\n", dir, dir, dir);
	if (script_only) {
		gr_test_write_mode(cc, text, 0755);
		return;
	}
	snprintf(sh, sizeof(sh), "%s.sh", cc);
	gr_test_write_mode(sh, text, 0755);
	snprintf(src, sizeof(src), "%s.c", cc);
	snprintf(text, sizeof(text),
	         "#include <unistd.h>\n"
	         "static const char word[] = \"%s\";\n"
	         "int main(int argc, char **argv) {\n"
	         "  char *v[64]; int i;\n"
	         "  (void)word; v[0] = \"sh\"; v[1] = \"%s\";\n"
	         "  for (i = 1; i < argc && i < 62; i++) v[i + 1] = argv[i];\n"
	         "  v[i + 1] = 0; execv(\"/bin/sh\", v); return 127;\n"
	         "}\n",
	         word, sh);
	gr_test_write(src, text);
	/* A new file each time (written beside, then renamed), as an upgrade does. */
	snprintf(tmp, sizeof(tmp), "%s.new", cc);
	ck_assert_msg(gr_spawn_capture((char *const[]){ "cc", "-o", tmp, src, NULL }, NULL, &r, &e) == GR_OK,
	              "cc: %s (apt-get install gcc)", e.msg);
	ck_assert_msg(gr_spawn_ok(&r), "cc -o %s %s failed: %s", tmp, src, r.err ? r.err : "");
	gr_spawn_result_free(&r);
	ck_assert_int_eq(rename(tmp, cc), 0);
}

static void
sd_cc(const char *dir, const char *cc, const char *word, bool clang_like)
{
	sd_cc_as(dir, cc, word, clang_like, false);
}

/* How many lines DIR/NAME holds (0: none). */
static size_t
count_lines(const char *dir, const char *name)
{
	char path[512], *t;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) != 0)
		return 0;
	t = gr_test_slurp(path);
	for (char *p = t; *p; p++)
		n += *p == '\n';
	free(t);
	return n;
}

/* Issue 15: a probe answered from the cache runs no compiler at all: gcc's
 * -print-search-dirs comes from the cache too (kind searchdirs), asked again
 * when what it depends on changes: the driver's environment (GCC_EXEC_PREFIX),
 * its driver flags (-m32, -fuse-ld=), the driver itself (its content, or the
 * same file reached from another directory: gcc finds its installation
 * from where it is); clang's answer (no install: line) is never kept. */
START_TEST(test_probe_search_dirs)
{
	char dir[256], cc[320], other[320], lnk[320], trivial[400], out[400], cache[320];
	char *ccv[2] = { cc, NULL }, *lnv[2] = { lnk, NULL };
	char *envp[] = { "GORELINK_LINK_STATE=/x/state", NULL };
	char *envx[] = { "GCC_EXEC_PREFIX=/elsewhere", NULL };
	char *args[5];
	struct gr_extld_probe ans;
	struct gr_error e;
	bool hit;

	gr_test_tmpdir(dir, sizeof(dir), "gr-probesd");
	snprintf(cc, sizeof(cc), "%s/gcc", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("GORELINK_CACHE_DIR", cache, 1);
	sd_cc(dir, cc, "one", false);
	snprintf(out, sizeof(out), "%s/go-link-1/a.out", dir);
	snprintf(trivial, sizeof(trivial), "%s/go-link-1/trivial.c", dir);
	snprintf(lnk, sizeof(lnk), "%s/go-link-1", dir);
	ck_assert_int_eq(mkdir(lnk, 0755), 0);
	gr_test_put(lnk, "trivial.c", "int main() { return 0; }");
	args[0] = "-m64";
	args[1] = "-o";
	args[2] = out;
	args[3] = "-Wl,--build-id=0x1234";
	args[4] = trivial;
#define SD_PROBE(ccv_, env_, want_hit, want_sd, want_count)                                             \
	do {                                                                                            \
		ck_assert_msg(gr_extld_probe(gr_test_env(), "/usr/bin:/bin", env_, "/", ccv_, args, 5, &ans,     \
		                             &hit, &e) == GR_OK, "%s", e.msg);                                \
		ck_assert_int_eq(hit, want_hit);                                                        \
		ck_assert_int_eq(ans.status, 1);                                                        \
		gr_extld_probe_free(&ans);                                                              \
		ck_assert_uint_eq(count_lines(dir, "sdcount"), want_sd);                               \
		ck_assert_uint_eq(count_lines(dir, "count"), want_count);                              \
	} while (0)

	SD_PROBE(ccv, envp, false, 1, 1);
	/* Answered: neither the probe nor -print-search-dirs runs. */
	SD_PROBE(ccv, envp, true, 1, 1);
	/* Another probe flag (no driver flag): the probe runs, the search dirs are kept. */
	args[3] = "-no-pie";
	SD_PROBE(ccv, envp, false, 1, 2);
	SD_PROBE(ccv, envp, true, 1, 2);
	/* GCC_EXEC_PREFIX moves the driver's programs: asked again. */
	SD_PROBE(ccv, envx, false, 2, 3);
	SD_PROBE(ccv, envx, true, 2, 3);
	/* A driver flag (-m32, -fuse-ld=): asked again. */
	args[0] = "-m32";
	SD_PROBE(ccv, envp, false, 3, 4);
	args[0] = "-fuse-ld=bfd";
	SD_PROBE(ccv, envp, false, 4, 5);
	SD_PROBE(ccv, envp, true, 4, 5);
	/* The driver replaced: asked again. */
	sd_cc(dir, cc, "two!", false);
	SD_PROBE(ccv, envp, false, 5, 6);
	SD_PROBE(ccv, envp, true, 5, 6);
	/* The same file (the same identity) reached from another directory
	 * through a symbolic link, then from here again: asked again each time. */
	snprintf(other, sizeof(other), "%s/bin2", dir);
	ck_assert_int_eq(mkdir(other, 0755), 0);
	snprintf(other, sizeof(other), "%s/bin2/gcc", dir);
	ck_assert_int_eq(link(cc, other), 0);
	snprintf(lnk, sizeof(lnk), "%s/cc", dir);
	ck_assert_int_eq(symlink(cc, lnk), 0);
	SD_PROBE(lnv, envp, false, 6, 7);
	SD_PROBE(lnv, envp, true, 6, 7);
	ck_assert_int_eq(unlink(lnk), 0);
	ck_assert_int_eq(symlink(other, lnk), 0);
	SD_PROBE(lnv, envp, false, 7, 8);
	SD_PROBE(lnv, envp, true, 7, 8);
	/* clang's answer (no install: line) is asked every time. */
	sd_cc(dir, cc, "clang", true);
	SD_PROBE(ccv, envp, false, 8, 9);
	SD_PROBE(ccv, envp, true, 9, 9);
	/* A wrapper script (it may run another compiler than its identity
	 * says: ccache's masquerade, a script choosing from a file): asked every
	 * time; the probe's own answer stays keyed by what it says. */
	sd_cc_as(dir, cc, "wrapper", false, true);
	SD_PROBE(ccv, envp, false, 10, 10);
	SD_PROBE(ccv, envp, true, 11, 10);
	SD_PROBE(ccv, envp, true, 12, 10);
#undef SD_PROBE
	unsetenv("GORELINK_CACHE_DIR");
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

/* The probe key looks into a directory the driver lists twice (p2 a
 * symbolic link to p1) once: a program appearing there, or p2 becoming
 * another directory holding one, still runs the probe again. */
START_TEST(test_probe_dirs_once)
{
	char dir[256], cc[320], d[320], t[400], trivial[400], out[400], cache[320], text[2048];
	char *ccv[2] = { cc, NULL };
	char *envp[] = { NULL };
	char *args[4];
	struct gr_extld_probe ans;
	struct gr_error e;
	bool hit;

	gr_test_tmpdir(dir, sizeof(dir), "gr-probedirs");
	snprintf(cc, sizeof(cc), "%s/gcc", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("GORELINK_CACHE_DIR", cache, 1);
	snprintf(text, sizeof(text),
	         "#!/bin/sh\n"
	         "for a; do [ \"$a\" = -print-search-dirs ] && { printf 'install: %s/\\nprograms: =%s/p1/:%s/p2/\\nlibraries: =%s/p2/\\n'; exit 0; }; done\n"
	         "echo x >> %s/count\n"
	         "exit 0\n", dir, dir, dir, dir, dir);
	gr_test_write_mode(cc, text, 0755);
	snprintf(d, sizeof(d), "%s/p1", dir);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	snprintf(d, sizeof(d), "%s/p2", dir);
	ck_assert_int_eq(symlink("p1", d), 0);
	snprintf(d, sizeof(d), "%s/go-link-1", dir);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	gr_test_put(d, "trivial.c", "int main() { return 0; }");
	snprintf(out, sizeof(out), "%s/a.out", d);
	snprintf(trivial, sizeof(trivial), "%s/trivial.c", d);
	args[0] = "-o";
	args[1] = out;
	args[2] = "-no-pie";
	args[3] = trivial;
#define DIRS_PROBE(want_hit, want_count)                                                                \
	do {                                                                                            \
		ck_assert_msg(gr_extld_probe(gr_test_env(), "/nowhere", envp, "/", ccv, args, 4, &ans, &hit, \
		                             &e) == GR_OK, "%s", e.msg);                                      \
		ck_assert_int_eq(hit, want_hit);                                                        \
		ck_assert_int_eq(ans.status, 0);                                                        \
		gr_extld_probe_free(&ans);                                                              \
		ck_assert_uint_eq(count_lines(dir, "count"), want_count);                              \
	} while (0)
	DIRS_PROBE(false, 1);
	DIRS_PROBE(true, 1);
	/* A program in p1 (p2 too, through the link): run again. */
	snprintf(d, sizeof(d), "%s/p1/as", dir);
	gr_test_write_mode(d, "#!/bin/sh\n", 0755);
	DIRS_PROBE(false, 2);
	DIRS_PROBE(true, 2);
	/* p2 another directory, holding a linker: run again. */
	snprintf(t, sizeof(t), "%s/p3", dir);
	ck_assert_int_eq(mkdir(t, 0755), 0);
	snprintf(t, sizeof(t), "%s/p3/ld", dir);
	gr_test_write_mode(t, "#!/bin/sh\n", 0755);
	snprintf(d, sizeof(d), "%s/p2", dir);
	ck_assert_int_eq(unlink(d), 0);
	ck_assert_int_eq(symlink("p3", d), 0);
	DIRS_PROBE(false, 3);
	DIRS_PROBE(true, 3);
	/* A start file in the libraries directory p2 (p3): run again. */
	snprintf(t, sizeof(t), "%s/p3/crt1.o", dir);
	gr_test_write_mode(t, "", 0644);
	DIRS_PROBE(false, 4);
	DIRS_PROBE(true, 4);
#undef DIRS_PROBE
	unsetenv("GORELINK_CACHE_DIR");
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

/* Compile src (C, or C++ when cxx) in dir into dir/name.o with gcc or g++. */
static void
cxx_fixture(const char *dir, const char *name, const char *src, bool cxx, char *obj, size_t n)
{
	char srcp[512];
	char *argv[] = { cxx ? "g++" : "gcc", "-c", "-o", obj, srcp, NULL };
	struct gr_spawn_result r;
	struct gr_error e;

	snprintf(srcp, sizeof(srcp), "%s/%s.%s", dir, name, cxx ? "cc" : "c");
	snprintf(obj, n, "%s/%s.o", dir, name);
	gr_test_write(srcp, src);
	ck_assert_msg(gr_spawn_capture(argv, NULL, &r, &e) == GR_OK, "%s (Debian packages gcc, g++)", e.msg);
	ck_assert_msg(gr_spawn_ok(&r), "%s -c %s: %s (Debian packages gcc, g++)", argv[0], srcp, r.err ? r.err : "");
	gr_spawn_result_free(&r);
}

/* Issue 15: gr_extld_elf_needs_cxx reads the host's objects' symbol tables
 * itself and answers as BFD does (gr_bfd_needs_cxx); anything else is BFD's. */
START_TEST(test_elf_needs_cxx)
{
	static const struct {
		const char *name, *src;
		bool cxx;
		int want;
	} cases[] = {
		{ "c", "#include <stdio.h>\nint f(void) { return puts(\"x\"); }\n", false, 0 },
		{ "cc", "void g();\nint f() { g(); return 0; }\n", true, 1 },
		{ "cxa", "extern int __cxa_atexit(void (*)(void *), void *, void *);\n"
		         "int f(void) { return __cxa_atexit(0, 0, 0); }\n", false, 1 },
		{ "pers", "extern char __gxx_personality_v0;\nchar *f(void) { return &__gxx_personality_v0; }\n", false, 1 },
		{ "weak", "extern void _Z3foov(void) __attribute__((weak));\nvoid f(void) { if (_Z3foov) _Z3foov(); }\n",
		  false, 1 },
		{ "defined", "void _Z3foov(void) {}\nint __cxa_x;\n", false, 0 },
		{ "cxxdef", "int f(int x) { return x + 1; }\nint f(double x) { return (int)x; }\n", true, 0 },
	};
	char dir[256], obj[400], cut[400], *text;
	size_t i, len;
	FILE *f;

	gr_test_tmpdir(dir, sizeof(dir), "gr-elfcxx");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cxx_fixture(dir, cases[i].name, cases[i].src, cases[i].cxx, obj, sizeof(obj));
		ck_assert_msg(gr_extld_elf_needs_cxx(obj) == cases[i].want, "%s: %d, want %d", cases[i].name,
		              gr_extld_elf_needs_cxx(obj), cases[i].want);
		ck_assert_msg(gr_bfd_needs_cxx(obj) == (cases[i].want == 1), "%s: BFD disagrees", cases[i].name);
	}
	/* Cut short (the section headers past the end), not ELF, missing: BFD's. */
	cxx_fixture(dir, "cut", "void g();\nint f() { g(); return 0; }\n", true, obj, sizeof(obj));
	text = gr_test_slurp(obj);
	ck_assert_ptr_nonnull(text);
	free(text);
	{
		struct stat st;
		ck_assert_int_eq(stat(obj, &st), 0);
		len = (size_t)st.st_size;
	}
	snprintf(cut, sizeof(cut), "%s/short.o", dir);
	{
		char *buf = malloc(len);
		f = fopen(obj, "rb");
		ck_assert_ptr_nonnull(buf);
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fread(buf, 1, len, f), len);
		fclose(f);
		f = fopen(cut, "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(buf, 1, len - 64, f), len - 64);
		fclose(f);
		free(buf);
	}
	ck_assert_int_eq(gr_extld_elf_needs_cxx(cut), -1);
	gr_test_put(dir, "text.o", "not an object\n");
	snprintf(cut, sizeof(cut), "%s/text.o", dir);
	ck_assert_int_eq(gr_extld_elf_needs_cxx(cut), -1);
	ck_assert(!gr_bfd_needs_cxx(cut));
	snprintf(cut, sizeof(cut), "%s/missing.o", dir);
	ck_assert_int_eq(gr_extld_elf_needs_cxx(cut), -1);
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

/* A relocatable object of the host's kind made by hand, its section table
 * (null, .symtab, .strtab) at shoff, one undefined symbol _ZdlPv (C++'s
 * operator delete); written to path. */
static void
hand_object(const char *path, uint64_t shoff)
{
	unsigned char b[512];
	const uint64_t symoff = 320, stroff = 368;
	uint64_t k;
	FILE *f;

	memset(b, 0, sizeof(b));
	memcpy(b, "\177ELF\2\1\1", 7);
	gr_bytes_put(b + 16, 1, 2, false);  /* ET_REL */
#if defined(__aarch64__)
	gr_bytes_put(b + 18, 183, 2, false);
#else
	gr_bytes_put(b + 18, 62, 2, false);
#endif
	gr_bytes_put(b + 20, 1, 4, false);
	gr_bytes_put(b + 40, shoff, 8, false);
	gr_bytes_put(b + 52, 64, 2, false);
	gr_bytes_put(b + 58, 64, 2, false);
	gr_bytes_put(b + 60, 3, 2, false);
	gr_bytes_put(b + 62, 2, 2, false);  /* e_shstrndx: .strtab names the sections too */
	/* entries 1 and 2 (entry 0, the null one, is whatever lies at shoff) */
	for (k = 1; k <= 2; k++) {
		unsigned char *e = b + shoff + k * 64;
		gr_bytes_put(e + 4, k == 1 ? 2 : 3, 4, false);  /* SHT_SYMTAB, SHT_STRTAB */
		gr_bytes_put(e + 24, k == 1 ? symoff : stroff, 8, false);
		gr_bytes_put(e + 32, k == 1 ? 48 : 8, 8, false);
		gr_bytes_put(e + 40, k == 1 ? 2 : 0, 4, false);  /* sh_link: the strings */
		gr_bytes_put(e + 56, k == 1 ? 24 : 0, 8, false);
	}
	gr_bytes_put(b + symoff + 24, 1, 4, false);  /* the second symbol: "_ZdlPv", undefined */
	b[symoff + 24 + 4] = 0x10;                   /* STB_GLOBAL */
	memcpy(b + stroff, "\0_ZdlPv", 8);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(b, 1, sizeof(b), f), sizeof(b));
	ck_assert_int_eq(fclose(f), 0);
}

/* The section table after the ELF header: the answer is "C++", as BFD's.
 * At 0 or over the header (e_shoff 32), BFD reads no object and says no:
 * the fast reader leaves such a file to it (it answered "C++" at 0 before). */
START_TEST(test_elf_needs_cxx_table_place)
{
	char dir[] = "/tmp/gr-cxxplace-XXXXXX", path[64];
	static const uint64_t at[] = { 0, 32 };
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/o.o", dir);
	hand_object(path, 64);
	ck_assert_int_eq(gr_extld_elf_needs_cxx(path), 1);
	ck_assert(gr_bfd_needs_cxx(path));
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		hand_object(path, at[i]);
		ck_assert_msg(gr_extld_elf_needs_cxx(path) == -1, "e_shoff %llu: answered without BFD",
		              (unsigned long long)at[i]);
		ck_assert_msg(!gr_bfd_needs_cxx(path), "e_shoff %llu: BFD reads it now", (unsigned long long)at[i]);
	}
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

START_TEST(test_linkstate)
{
	char path[] = "/tmp/gr-state-XXXXXX";
	struct gr_linkstate a, b;
	struct gr_error e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	gr_linkstate_init(&a);
	a.mode = GR_LINK_STATIC_PIE;
	gr_strvec_push(&a.cc, "ccache");
	gr_strvec_push(&a.cc, "gcc");
	gr_strvec_push(&a.extra, "-L/a\tb\nc\\d");
	gr_strvec_push(&a.allow, "systemd");
	a.report = strdup("/tmp/r");
	ck_assert_int_eq(gr_linkstate_write(path, &a, &e), GR_OK);
	ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_OK);
	ck_assert_int_eq(b.mode, GR_LINK_STATIC_PIE);
	ck_assert_uint_eq(b.cc.n, 2);
	ck_assert_str_eq(b.cc.v[1], "gcc");
	ck_assert_str_eq(b.extra.v[0], "-L/a\tb\nc\\d");
	ck_assert_str_eq(b.allow.v[0], "systemd");
	ck_assert_str_eq(b.report, "/tmp/r");
	gr_linkstate_deinit(&a);
	gr_linkstate_deinit(&b);
	/* malformed: no compiler; garbage */
	{
		FILE *f = fopen(path, "w");
		fputs("M\tstatic\n", f);
		fclose(f);
		ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_EFORMAT);
		f = fopen(path, "w");
		fputs("garbage\n", f);
		fclose(f);
		ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_EFORMAT);
	}
	unlink(path);
	ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_EIO);
}
END_TEST

START_TEST(test_presets)
{
	char dir[] = "/tmp/gr-presets-XXXXXX", path[256];
	struct gr_preset p;
	struct gr_error e;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("GORELINK_PRESET_PATH", dir, 1);
	snprintf(path, sizeof(path), "%s/demo.preset", dir);
	f = fopen(path, "w");
	fputs("# demo\nmodule example.com/x\ndefault one\n\nvariant one\ntags a b\npkg zlib\n"
	      "variant two\ntags c\nallow-dynamic systemd\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "demo", NULL, &p, &e), GR_OK);
	ck_assert_str_eq(p.variant, "one");
	ck_assert_str_eq(p.module, "example.com/x");
	ck_assert_uint_eq(p.tags.n, 2);
	ck_assert_str_eq(p.pkgs.v[0], "zlib");
	gr_preset_deinit(&p);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "demo", "two", &p, &e), GR_OK);
	ck_assert_uint_eq(p.tags.n, 1);
	ck_assert_str_eq(p.allow.v[0], "systemd");
	gr_preset_deinit(&p);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "demo", "three", &p, &e), GR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "no variant 'three'"));
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "nosuch", NULL, &p, &e), GR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown preset 'nosuch'"));
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "../etc/passwd", NULL, &p, &e), GR_EUSAGE);
	/* module and default said twice: the last one counts, the first is freed
	 * (the ASan build's leak check sees it). */
	f = fopen(path, "w");
	fputs("module example.com/old\ndefault one\nmodule example.com/new\ndefault two\n"
	      "variant one\ntags a\nvariant two\ntags b\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "demo", NULL, &p, &e), GR_OK);
	ck_assert_str_eq(p.module, "example.com/new");
	ck_assert_str_eq(p.variant, "two");
	ck_assert_uint_eq(p.tags.n, 1);
	ck_assert_str_eq(p.tags.v[0], "b");
	gr_preset_deinit(&p);
	f = fopen(path, "w");
	fputs("variant one\nbogus x\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "demo", "one", &p, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, ":2: unknown key 'bogus'"));
	f = fopen(path, "w");
	fputs("tags x\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "demo", "one", &p, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "outside a variant"));
	unlink(path);
	rmdir(dir);
	/* the shipped sqlite3 preset, found in the built-in directories */
	unsetenv("GORELINK_PRESET_PATH");
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "sqlite3", NULL, &p, &e), GR_OK);
	ck_assert_str_eq(p.variant, "bundled");
	ck_assert_str_eq(p.tags.v[0], "sqlite_omit_load_extension");
	gr_preset_deinit(&p);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "sqlite3", "system", &p, &e), GR_OK);
	ck_assert_str_eq(p.pkgs.v[0], "sqlite3");
	gr_preset_deinit(&p);
}
END_TEST

/* The directives that carry command-line options (issue 17): stub, lib,
 * mode, cc; the mode names; and the conflicts with the build's mode and CC. */
START_TEST(test_preset_directives)
{
	char dir[] = "/tmp/gr-pdirs-XXXXXX", path[256];
	struct gr_preset p;
	struct gr_error e;
	enum gr_link_mode m;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("GORELINK_PRESET_PATH", dir, 1);
	snprintf(path, sizeof(path), "%s/dd.preset", dir);
	f = fopen(path, "w");
	fputs("module example.com/dd\ndefault plain\nvariant plain\ntags t\n"
	      "variant full\nstub systemd gssapi_krb5\nstub z\nlib -l:libfoo.so.2 -lm\n"
	      "mode static-pie\nmode third-party\ncc /usr/bin/musl-gcc -O2\n", f);
	fclose(f);
	/* The default variant: none of them. */
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "dd", NULL, &p, &e), GR_OK);
	ck_assert_uint_eq(p.stubs.n, 0);
	ck_assert_uint_eq(p.libs.n, 0);
	ck_assert_ptr_null(p.mode);
	ck_assert_ptr_null(p.cc);
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_STATIC_PIE, "clang", true, &e), GR_OK);
	gr_preset_deinit(&p);
	/* Lists add up; mode and cc: the last line counts, cc the whole command. */
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "dd", "full", &p, &e), GR_OK);
	ck_assert_uint_eq(p.stubs.n, 3);
	ck_assert_str_eq(p.stubs.v[0], "systemd");
	ck_assert_str_eq(p.stubs.v[1], "gssapi_krb5");
	ck_assert_str_eq(p.stubs.v[2], "z");
	ck_assert_uint_eq(p.libs.n, 2);
	ck_assert_str_eq(p.libs.v[0], "-l:libfoo.so.2");
	ck_assert_str_eq(p.libs.v[1], "-lm");
	ck_assert_str_eq(p.mode, "third-party");
	ck_assert_str_eq(p.cc, "/usr/bin/musl-gcc -O2");
	/* Agreement: same mode; the compiler's first word as given or by file name. */
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_THIRD_PARTY, "musl-gcc", true, &e), GR_OK);
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_THIRD_PARTY, "/usr/bin/musl-gcc", true, &e), GR_OK);
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_THIRD_PARTY, "/opt/x/bin/musl-gcc -v", false, &e), GR_OK);
	/* Disagreement names both, and the way out. */
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_STATIC, "musl-gcc", true, &e), GR_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "--preset dd=full builds --third-party, but this build is --static"));
	ck_assert_ptr_nonnull(strstr(e.msg, "drop --static"));
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_THIRD_PARTY, "gcc", true, &e), GR_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "--preset dd=full builds with CC=/usr/bin/musl-gcc -O2, but this build's C compiler is gcc"));
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_THIRD_PARTY, "musl-gcc-wrapper", false, &e), GR_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "the preset dd (variant full, applied by itself)"));
	ck_assert_ptr_nonnull(strstr(e.msg, "--no-auto-presets"));
	ck_assert_int_eq(gr_preset_conflict(&p, GR_LINK_THIRD_PARTY, NULL, true, &e), GR_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "C compiler is (none)"));
	gr_preset_deinit(&p);
	/* An unknown mode and a stub that is not a -l NAME fail in any variant. */
	f = fopen(path, "w");
	fputs("default a\nvariant a\nvariant b\nmode dynamic\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "dd", NULL, &p, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "dd.preset:4: mode 'dynamic': give static, static-pie or third-party"));
	f = fopen(path, "w");
	fputs("default a\nvariant a\nvariant b\nstub systemd -lgssapi\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "dd", "a", &p, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, ":4: stub '-lgssapi'"));
	f = fopen(path, "w");
	fputs("default a\nvariant a\nstub /usr/lib/libx.so\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "dd", "a", &p, &e), GR_EFORMAT);
	f = fopen(path, "w");
	fputs("stub systemd\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "dd", "a", &p, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "'stub' outside a variant"));
	f = fopen(path, "w");
	fputs("default a\nvariant a\ncc\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "dd", "a", &p, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "'cc' needs a value"));
	unlink(path);
	rmdir(dir);
	unsetenv("GORELINK_PRESET_PATH");
	/* The mode names. */
	ck_assert_int_eq(gr_preset_mode_parse("static", &m), GR_OK);
	ck_assert_int_eq(m, GR_LINK_STATIC);
	ck_assert_int_eq(gr_preset_mode_parse("static-pie", &m), GR_OK);
	ck_assert_int_eq(m, GR_LINK_STATIC_PIE);
	ck_assert_int_eq(gr_preset_mode_parse("third-party", &m), GR_OK);
	ck_assert_int_eq(m, GR_LINK_THIRD_PARTY);
	ck_assert_int_eq(gr_preset_mode_parse("--static", &m), GR_EFORMAT);
	/* The shipped presets that use them. */
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "libpcap", "static", &p, &e), GR_OK);
	ck_assert_str_eq(p.stubs.v[0], "systemd");
	gr_preset_deinit(&p);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "libpcap", "third-party", &p, &e), GR_OK);
	ck_assert_str_eq(p.mode, "third-party");
	gr_preset_deinit(&p);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "confluent-kafka", "musl", &p, &e), GR_OK);
	ck_assert_str_eq(p.cc, "musl-gcc");
	ck_assert_str_eq(p.mode, "static");
	ck_assert_str_eq(p.tags.v[0], "musl");
	gr_preset_deinit(&p);
}
END_TEST

/* Presets that name their module (issue 12): the `module` line, the scan of
 * every preset directory, and the module graph's answers. */
/* A module list (path, directory, remedy: 3 strings each) of example.com/one in m1 and example.com/two in m2. */
static void
two_modules(struct gr_strvec *two, const char *m1, const char *m2)
{
	const char *const v[] = { "example.com/one", m1, "", "example.com/two", m2, "" };

	gr_strvec_init(two);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_int_eq(gr_strvec_push(two, v[i]), GR_OK);
}

START_TEST(test_preset_modules)
{
	char dir[] = "/tmp/gr-pmods-XXXXXX", path[256], opt[64];
	struct gr_strvec names, mods, paths, vers, dirs, deps;
	struct gr_linkstate a, b;
	struct gr_preset p;
	struct gr_error e;
	const char *rel;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("GORELINK_PRESET_PATH", dir, 1);
	snprintf(path, sizeof(path), "%s/zz.preset", dir);
	f = fopen(path, "w");
	fputs("module example.com/zz/v2\ndefault one\nvariant one\ntags zt\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/nomod.preset", dir);
	f = fopen(path, "w");
	fputs("default one\nvariant one\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/bad.preset", dir);
	f = fopen(path, "w");
	fputs("variant one\nmodule example.com/late\n", f);  /* module after a variant: an error */
	fclose(f);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "bad", "one", &p, &e), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "'module' belongs before the first variant"));
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "zz", NULL, &p, &e), GR_OK);
	ck_assert_str_eq(p.module, "example.com/zz/v2");
	gr_preset_deinit(&p);
	gr_strvec_init(&names);
	gr_strvec_init(&mods);
	ck_assert_int_eq(gr_preset_modules(gr_test_env(), &names, &mods, &e), GR_OK);
	/* sorted by name; the shipped presets (build tree: sqlite3 and the
	 * others) too; bad and nomod left out */
	ck_assert_uint_ge(names.n, 2);
	ck_assert_uint_eq(names.n, mods.n);
	for (size_t i = 0; i < names.n; i++) {
		ck_assert(i == 0 || strcmp(names.v[i - 1], names.v[i]) < 0);
		ck_assert_str_ne(names.v[i], "bad");
		ck_assert_str_ne(names.v[i], "nomod");
		if (!strcmp(names.v[i], "sqlite3"))
			ck_assert_str_eq(mods.v[i], "github.com/mattn/go-sqlite3");
	}
	ck_assert_str_eq(names.v[names.n - 1], "zz");
	ck_assert_str_eq(mods.v[names.n - 1], "example.com/zz/v2");
	size_t nmod = names.n;
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&mods);
	/* Every name, bad and nomod included; describe: default and variants, in
	 * file order, each once; a variant's needs lines joined. */
	gr_strvec_init(&names);
	ck_assert_int_eq(gr_preset_names(gr_test_env(), &names, &e), GR_OK);
	ck_assert_uint_eq(names.n, nmod + 2);
	ck_assert_str_eq(names.v[0], "bad");
	{
		bool nomod = false, sq = false;
		for (size_t i = 0; i < names.n; i++) {
			nomod |= !strcmp(names.v[i], "nomod");
			sq |= !strcmp(names.v[i], "sqlite3");
		}
		ck_assert(nomod && sq);
	}
	snprintf(path, sizeof(path), "%s/zz.preset", dir);
	f = fopen(path, "w");
	fputs("module example.com/zz/v2\ndefault two\nvariant one\ntags zt\nvariant two\nneeds a b\n"
	      "needs c\nvariant one\n", f);
	fclose(f);
	ck_assert_int_eq(gr_preset_describe(gr_test_env(), "zz", &p, &e), GR_OK);
	ck_assert_str_eq(p.deflt, "two");
	ck_assert_uint_eq(p.variants.n, 2);
	ck_assert_str_eq(p.variants.v[0], "one");
	ck_assert_str_eq(p.variants.v[1], "two");
	ck_assert_uint_eq(p.tags.n, 0);
	ck_assert_ptr_null(p.needs);
	gr_preset_deinit(&p);
	ck_assert_int_eq(gr_preset_load(gr_test_env(), "zz", NULL, &p, &e), GR_OK);
	ck_assert_str_eq(p.variant, "two");
	ck_assert_str_eq(p.needs, "a b c");
	gr_preset_deinit(&p);
	gr_strvec_deinit(&names);
	gr_strvec_init(&names);
	snprintf(path, sizeof(path), "%s/bad.preset", dir);
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&mods);
	unlink(path);
	snprintf(path, sizeof(path), "%s/nomod.preset", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/zz.preset", dir);
	unlink(path);
	rmdir(dir);
	unsetenv("GORELINK_PRESET_PATH");
	ck_assert_str_eq(gr_preset_option("sqlite3", opt, sizeof(opt)), "--sqlite3");
	ck_assert_str_eq(gr_preset_option("zz", opt, sizeof(opt)), "--preset zz");

	/* go list -m all; go list -deps; go version -m */
	gr_strvec_init(&paths);
	gr_strvec_init(&vers);
	gr_strvec_init(&dirs);
	ck_assert_int_eq(gr_modgraph_parse_modules("example.com/app\t\t/src/app\n"
	                                           "github.com/mattn/go-sqlite3\tv1.14.39\t/m/go-sqlite3@v1.14.39\n"
	                                           "golang.org/x/nope\tv0.1.0\t\n", &paths, &vers, &dirs, &e), GR_OK);
	ck_assert_uint_eq(paths.n, 3);
	ck_assert_str_eq(vers.v[1], "v1.14.39");
	ck_assert_str_eq(dirs.v[2], "");
	gr_strvec_init(&deps);
	ck_assert_int_eq(gr_modgraph_parse_deps("\n\ngithub.com/mattn/go-sqlite3\nexample.com/app\n\n"
	                                        "github.com/mattn/go-sqlite3\n", &deps, &e), GR_OK);
	ck_assert_uint_eq(deps.n, 2);
	ck_assert(gr_modgraph_has(&deps, "github.com/mattn/go-sqlite3"));
	ck_assert(!gr_modgraph_has(&deps, "golang.org/x/nope"));
	gr_strvec_deinit(&deps);
	gr_strvec_init(&deps);
	ck_assert_int_eq(gr_modgraph_parse_deps("./x: go1.26.8\n\tpath\texample.com/app\n\tmod\texample.com/app\t(devel)\t\n"
	                                        "\tdep\tgithub.com/mattn/go-sqlite3\tv1.14.39\th1:x=\n"
	                                        "\tbuild\t-tags=netgo\n", &deps, &e), GR_OK);
	ck_assert_uint_eq(deps.n, 2);
	ck_assert_str_eq(deps.v[0], "example.com/app");
	ck_assert_str_eq(deps.v[1], "github.com/mattn/go-sqlite3");
	gr_strvec_deinit(&deps);

	/* the module of a C source: by directory (longest), by -trimpath's PATH@VERSION/ */
	gr_strvec_init(&mods);
	gr_strvec_push(&mods, "example.com/app");
	gr_strvec_push(&mods, "/src/app");
	gr_strvec_push(&mods, "");
	gr_strvec_push(&mods, "github.com/mattn/go-sqlite3");
	gr_strvec_push(&mods, "/m/go-sqlite3@v1.14.39");
	gr_strvec_push(&mods, "build with --sqlite3");
	ck_assert_int_eq(gr_modgraph_match(&mods, "/m/go-sqlite3@v1.14.39/sqlite3-binding.c", &rel), 3);
	ck_assert_str_eq(rel, "sqlite3-binding.c");
	ck_assert_int_eq(gr_modgraph_match(&mods, "github.com/mattn/go-sqlite3@v1.14.39/sqlite3-binding.c", &rel), 3);
	ck_assert_str_eq(rel, "sqlite3-binding.c");
	ck_assert_int_eq(gr_modgraph_match(&mods, "/src/app/sub/x.c", &rel), 0);
	ck_assert_str_eq(rel, "sub/x.c");
	ck_assert_int_eq(gr_modgraph_match(&mods, "/src/application/x.c", &rel), -1);
	ck_assert_int_eq(gr_modgraph_match(&mods, "sqlite3-binding.c", &rel), -1);
	{
		/* a bare name: the one module directory that holds it */
		char m1[] = "/tmp/gr-mgm1-XXXXXX", m2[] = "/tmp/gr-mgm2-XXXXXX", fp[300];
		struct gr_strvec two;
		ck_assert_ptr_nonnull(mkdtemp(m1));
		ck_assert_ptr_nonnull(mkdtemp(m2));
		two_modules(&two, m1, m2);
		snprintf(fp, sizeof(fp), "%s/only.c", m2);
		fclose(fopen(fp, "w"));
		ck_assert_int_eq(gr_modgraph_match(&two, "only.c", &rel), 3);
		ck_assert_str_eq(rel, "only.c");
		ck_assert_int_eq(gr_modgraph_match(&two, "none.c", &rel), -1);
		snprintf(fp, sizeof(fp), "%s/sub", m1);
		ck_assert_int_eq(mkdir(fp, 0700), 0);
		snprintf(fp, sizeof(fp), "%s/sub/deep.c", m1);
		fclose(fopen(fp, "w"));
		ck_assert_int_eq(gr_modgraph_match(&two, "deep.c", &rel), 0);  /* in a package below the module's top */
		unlink(fp);
		snprintf(fp, sizeof(fp), "%s/sub", m1);
		rmdir(fp);
		snprintf(fp, sizeof(fp), "%s/only.c", m1);
		fclose(fopen(fp, "w"));
		ck_assert_int_eq(gr_modgraph_match(&two, "only.c", &rel), -1);  /* in both: neither */
		unlink(fp);
		snprintf(fp, sizeof(fp), "%s/only.c", m2);
		unlink(fp);
		rmdir(m1);
		rmdir(m2);
		gr_strvec_deinit(&two);
	}
	{
		/* gr_modgraph_match_in: each module tree walked once, the same answers
		 * as gr_modgraph_match's walk per lookup (depth 3 below the top, hidden
		 * directories and testdata skipped, a symlink to a file found, a
		 * symlinked directory not entered, a name in both modules: neither) */
		static const char *const files[] = { "top.c", "sub/deep.c", "a/b/c/lvl3.c", "a/b/c/d/lvl4.c", ".hid/h.c",
		                                     "testdata/t.c", "sub/.dot.c", "both.c" };
		static const char *const bare[] = { "top.c", "deep.c", "lvl3.c", "lvl4.c", "h.c", "t.c", ".dot.c",
		                                     "both.c", "link.c", "indir.c", "none.c", "sub", "." };
		char m1[] = "/tmp/gr-mgi1-XXXXXX", m2[] = "/tmp/gr-mgi2-XXXXXX", fp[400], cmd[200];
		struct gr_strvec two;
		struct gr_modgraph_names memo;
		const char *rel2 = NULL;
		size_t k;
		ck_assert_ptr_nonnull(mkdtemp(m1));
		ck_assert_ptr_nonnull(mkdtemp(m2));
		for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
			char *sl;
			snprintf(fp, sizeof(fp), "%s/%s", m1, files[k]);
			for (sl = strchr(fp + strlen(m1) + 1, '/'); sl; sl = strchr(sl + 1, '/')) {
				*sl = '\0';
				mkdir(fp, 0700);
				*sl = '/';
			}
			fclose(fopen(fp, "w"));
		}
		snprintf(fp, sizeof(fp), "%s/both.c", m2);
		fclose(fopen(fp, "w"));
		snprintf(fp, sizeof(fp), "%s/sub/link.c", m1);
		ck_assert_int_eq(symlink("deep.c", fp), 0);
		snprintf(fp, sizeof(fp), "%s/real", m2);
		ck_assert_int_eq(mkdir(fp, 0700), 0);
		snprintf(fp, sizeof(fp), "%s/real/indir.c", m2);
		fclose(fopen(fp, "w"));
		snprintf(fp, sizeof(fp), "%s/lnk", m1);
		snprintf(cmd, sizeof(cmd), "%s/real", m2);
		ck_assert_int_eq(symlink(cmd, fp), 0);
		two_modules(&two, m1, m2);
		gr_modgraph_names_init(&memo);
		for (k = 0; k < sizeof(names) / sizeof(bare[0]); k++) {
			long want = gr_modgraph_match(&two, bare[k], &rel), got = gr_modgraph_match_in(&two, bare[k], &rel2, &memo);
			ck_assert_msg(want == got, "%s: gr_modgraph_match %ld, gr_modgraph_match_in %ld", bare[k], want, got);
			if (want >= 0)
				ck_assert_str_eq(rel, rel2);
		}
		ck_assert_uint_eq(memo.n, 2);  /* one walk per module directory */
		ck_assert_int_eq(gr_modgraph_match_in(&two, "top.c", &rel2, &memo), 0);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "lvl3.c", &rel2, &memo), 0);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "lvl4.c", &rel2, &memo), -1);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "h.c", &rel2, &memo), -1);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "t.c", &rel2, &memo), -1);
		ck_assert_int_eq(gr_modgraph_match_in(&two, ".dot.c", &rel2, &memo), 0);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "link.c", &rel2, &memo), 0);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "indir.c", &rel2, &memo), 3);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "both.c", &rel2, &memo), -1);
		ck_assert_int_eq(gr_modgraph_match_in(&two, "sub", &rel2, &memo), -1);
		gr_modgraph_names_deinit(&memo);
		ck_assert_uint_eq(memo.n, 0);
		gr_strvec_deinit(&two);
		ck_assert_int_eq(gr_test_rmtree(m1), 0);
		ck_assert_int_eq(gr_test_rmtree(m2), 0);
	}
	/* the link state carries them (path, dir, remedy; an empty remedy too) */
	{
		char sdir[] = "/tmp/gr-lsmod-XXXXXX", spath[300];
		ck_assert_ptr_nonnull(mkdtemp(sdir));
		snprintf(spath, sizeof(spath), "%s/state", sdir);
		gr_linkstate_init(&a);
		gr_linkstate_init(&b);
		gr_strvec_extend(&a.modules, &mods);
		gr_strvec_push(&a.cc, "gcc");
		ck_assert_int_eq(gr_linkstate_write(spath, &a, &e), GR_OK);
		ck_assert_msg(gr_linkstate_read(spath, &b, &e) == GR_OK, "%s", e.msg);
		ck_assert_uint_eq(b.modules.n, 6);
		ck_assert_str_eq(b.modules.v[2], "");
		ck_assert_str_eq(b.modules.v[5], "build with --sqlite3");
		gr_linkstate_deinit(&a);
		gr_linkstate_deinit(&b);
		unlink(spath);
		rmdir(sdir);
	}
	gr_strvec_deinit(&mods);
	gr_strvec_deinit(&paths);
	gr_strvec_deinit(&vers);
	gr_strvec_deinit(&dirs);
}
END_TEST

/* Which packages bring -lNAME: those naming it in Libs first, then Libs.private. */
START_TEST(test_packages_with_lib)
{
	char dir[] = "/tmp/gr-pcscan-XXXXXX";
	static const char *const pcs[][2] = {
		{ "zdirect", "Name: zdirect\nDescription: d\nVersion: 1\nLibs: -lqqdirect\n" },
		{ "aprivate", "Name: aprivate\nDescription: p\nVersion: 1\nLibs: -laprivate\nLibs.private: -lqqdirect -lqqpriv\n" },
	};
	struct gr_strvec out;
	struct gr_error e;
	char path[256];
	size_t i, npub;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < 2; i++) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s.pc", dir, pcs[i][0]);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(pcs[i][1], f);
		fclose(f);
	}
	setenv("PKG_CONFIG_LIBDIR", dir, 1);
	unsetenv("PKG_CONFIG_PATH");
	gr_strvec_init(&out);
	ck_assert_int_eq(gr_pc_packages_with_lib("qqdirect", &out, &npub, &e), GR_OK);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_uint_eq(npub, 1);
	ck_assert_str_eq(out.v[0], "zdirect");   /* Libs first, though found later */
	ck_assert_str_eq(out.v[1], "aprivate");  /* then Libs.private */
	gr_strvec_deinit(&out);
	gr_strvec_init(&out);
	ck_assert_int_eq(gr_pc_packages_with_lib("qqpriv", &out, &npub, &e), GR_OK);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(npub, 0);
	ck_assert_str_eq(out.v[0], "aprivate");
	gr_strvec_deinit(&out);
	gr_strvec_init(&out);
	ck_assert_int_eq(gr_pc_packages_with_lib("qqnone", &out, NULL, &e), GR_OK);
	ck_assert_uint_eq(out.n, 0);
	gr_strvec_deinit(&out);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.pc", dir, pcs[i][0]);
		unlink(path);
	}
	rmdir(dir);
	unsetenv("PKG_CONFIG_LIBDIR");
}
END_TEST

/* A finding gr_diag must make, in order: its symbol, its source and a part of its remedy. */
struct gr_want_finding {
	const char *symbol, *source, *remedy;
};

/* gr_diag's findings in the linker messages text are exactly want[0..n). */
static void
expect_findings(const char *text, const struct gr_want_finding *want, size_t n)
{
	struct gr_diag *d = NULL;
	struct gr_error e;
	size_t i;

	ck_assert_int_eq(gr_diag_run(gr_test_env(), text, NULL, 0, &d, &e), GR_OK);
	ck_assert_uint_eq(d->nfindings, n);
	for (i = 0; i < d->nfindings; i++) {
		ck_assert_str_eq(d->findings[i].symbol, want[i].symbol);
		ck_assert_str_eq(d->findings[i].source, want[i].source);
		ck_assert_msg(strstr(d->findings[i].remedy, want[i].remedy) != NULL,
		              "finding %zu: remedy '%s' lacks '%s'", i, d->findings[i].remedy, want[i].remedy);
	}
	gr_diag_free(d);
}

/* glibc's warnings name who calls: Go's net and os/user packages get the
 * build tag as remedy, C code (an archive member, the user's cgo preamble)
 * the remedies that change the C library, since a tag cannot. */
START_TEST(test_diag_finding_callers)
{
#define GR_W(sym) ": warning: Using '" sym "' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	static const char text[] =
		"/usr/bin/ld: /tmp/go-link-1/000004.o: in function `_cgo_e':\n"
		"/usr/lib/go/src/net/cgo_unix.go:58" GR_W("getaddrinfo")
		"/usr/bin/ld: /x/librdkafka.a(rdaddr.o): in function `rd_getaddrinfo':\n"
		"(.text+0x5)" GR_W("getaddrinfo")
		"/usr/bin/ld: /tmp/go-link-2/000001.o: in function `resolve':\n"
		"/home/u/app/main.go:7" GR_W("gethostbyname")
		"/usr/bin/ld: /tmp/go-link-3/000002.o: in function `_cgo_u':\n"
		"os/user/cgo_lookup_cgo.go:30" GR_W("getpwuid_r")
		"/usr/bin/ld: /tmp/go-link-4/000003.o: in function `_cgo_x':\n"
		"(.text+0x1)" GR_W("getnameinfo")
		"/usr/bin/ld: /x/libcurl.a(netrc.o): in function `Curl_parsenetrc':\n"
		"(.text+0x9)" GR_W("getpwuid_r");
#undef GR_W
	static const struct gr_want_finding want[] = {
		{ "getaddrinfo", "Go package net (cgo_unix.go)", "-tags netgo" },
		{ "getaddrinfo", "/x/librdkafka.a(rdaddr.o)", "C code calls the C library's resolver" },
		{ "gethostbyname", "/home/u/app/main.go", "C code calls the C library's resolver" },
		{ "getpwuid_r", "Go package os/user (cgo_lookup_cgo.go)", "-tags osusergo" },
		{ "getnameinfo", "Go package net (its cgo resolver)", "-tags netgo" },
		{ "getpwuid_r", "/x/libcurl.a(netrc.o)", "C code calls the C library's user lookups" },
	};
	expect_findings(text, want, sizeof(want) / sizeof(want[0]));
}
END_TEST

/* go build's stderr after a failed link: cmd/link's one-line dump of the
 * gorelink-ld command is set apart, a note in its place (issue 12). */
START_TEST(test_split_link_dump)
{
	const char *text = "# example.com/x\n"
	                   "/usr/local/go/pkg/tool/linux_amd64/link: running /tmp/gorelink-a/gorelink-ld failed: exit status 1\n"
	                   "/tmp/gorelink-a/gorelink-ld -m64 -o $WORK/b001/exe/a.out -lfa\n"
	                   "/usr/bin/ld: undefined reference to `x'\n";
	char *brief = NULL, *dump = NULL;

	ck_assert_int_eq(gr_build_split_dump(text, strlen(text), &brief, &dump), GR_OK);
	ck_assert_str_eq(brief, "# example.com/x\n"
	                        "/usr/local/go/pkg/tool/linux_amd64/link: running /tmp/gorelink-a/gorelink-ld failed: exit status 1\n"
	                        "(the link command: see -v or --json)\n"
	                        "/usr/bin/ld: undefined reference to `x'\n");
	ck_assert_str_eq(dump, "/tmp/gorelink-a/gorelink-ld -m64 -o $WORK/b001/exe/a.out -lfa\n");
	free(brief);
	free(dump);
	/* Nothing to set apart: the text as it is, no dump; a word merely ending in gorelink-ld is no dump. */
	text = "gorelink: fine\nmy-gorelink-ld -x\n";
	ck_assert_int_eq(gr_build_split_dump(text, strlen(text), &brief, &dump), GR_OK);
	ck_assert_str_eq(brief, text);
	ck_assert_ptr_null(dump);
	free(brief);
}
END_TEST

/* Go 1.19 (Debian 12's golang-go) names its standard packages' cgo sources
 * "/_/os/user/..." (-fdebug-prefix-map of the package directory): the
 * messages below are ld's, captured from a Go 1.19 link of examples/sqlite3
 * (-tags libsqlite3, -extldflags "-static -lm"). */
START_TEST(test_diag_finding_go119)
{
#define GR_W(sym) ": warning: Using '" sym "' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	static const char text[] =
		"/usr/bin/ld: /tmp/go-link-3056664922/000008.o: in function `mygetgrouplist':\n"
		"/_/os/user/getgrouplist_unix.go:15" GR_W("getgrouplist")
		"/usr/bin/ld: /tmp/go-link-3056664922/000007.o: in function `mygetpwuid_r':\n"
		"/_/os/user/cgo_lookup_unix.go:27" GR_W("getpwuid_r")
		"/usr/bin/ld: /tmp/go-link-3056664922/000004.o: in function `_cgo_2ac87069779a_C2func_getaddrinfo':\n"
		"/tmp/go-build/cgo_unix.cgo2.c:58" GR_W("getaddrinfo")
		"/usr/bin/ld: /tmp/go-link-1/000009.o: in function `_cgo_m':\n"
		"/_/example.com/m@v1.0.0/c.go:5" GR_W("gethostbyname")
		"/usr/bin/ld: /tmp/go-link-1/000010.o: in function `_cgo_t':\n"
		"/_/t.go:5" GR_W("getpwnam_r");
#undef GR_W
	static const struct gr_want_finding want[] = {
		{ "getgrouplist", "Go package os/user (getgrouplist_unix.go)", "-tags osusergo" },
		{ "getpwuid_r", "Go package os/user (cgo_lookup_unix.go)", "-tags osusergo" },
		{ "getaddrinfo", "Go package net (its cgo resolver)", "-tags netgo" },
		{ "gethostbyname", "Go package example.com/m@v1.0.0 (c.go)", "C code calls the C library's resolver" },
		{ "getpwnam_r", "/_/t.go", "C code calls the C library's user lookups" },
	};
	expect_findings(text, want, sizeof(want) / sizeof(want[0]));
}
END_TEST

/* Run argv; it must exit 0 (gcc and ar: Debian gcc, binutils). */
static void
must_run(char *const *argv)
{
	struct gr_spawn_result r;
	struct gr_error e;

	if (gr_spawn_capture(argv, NULL, &r, &e) != GR_OK)
		ck_abort_msg("cannot run %s: %s (install gcc and binutils)", argv[0], e.msg);
	if (!gr_spawn_ok(&r))
		ck_abort_msg("%s failed: %s", argv[0], r.err ? r.err : "");
	gr_spawn_result_free(&r);
}

/* A symlinked archive (libgrx.a -> libgrx42.a, as Debian's libpng.a ->
 * libpng16.a) is named for the package whose .pc lists it (libgrx.pc:
 * -lgrx42), not for the one that lists the symlink's -lgrx only by chance
 * (other.pc, as libwmf.pc lists -lpng); the archive under the name that
 * package lists. Without the symlink, nothing changes. */
START_TEST(test_diag_symlinked_archive)
{
	static const char text[] = "/usr/bin/ld: /tmp/x/main.o: in function `main':\n"
	                           "main.c:(.text+0x5): undefined reference to `grx_fn'\n";
	char dir[64], pcdir[128], src[192], obj[192], lib[192], link[192];
	const char *dirs[1];
	struct gr_diag *d = NULL;
	struct gr_error e;

	gr_test_tmpdir(dir, sizeof(dir), "gr-diag-symlink");
	snprintf(pcdir, sizeof(pcdir), "%s/pc", dir);
	ck_assert_int_eq(mkdir(pcdir, 0755), 0);
	snprintf(src, sizeof(src), "%s/grx.c", dir);
	snprintf(obj, sizeof(obj), "%s/grx.o", dir);
	snprintf(lib, sizeof(lib), "%s/libgrx42.a", dir);
	snprintf(link, sizeof(link), "%s/libgrx.a", dir);
	gr_test_write(src, "int grx_fn(void) { return 42; }\n");
	must_run((char *const[]){ "gcc", "-c", "-o", obj, src, NULL });
	must_run((char *const[]){ "ar", "rcs", lib, obj, NULL });
	ck_assert_int_eq(symlink("libgrx42.a", link), 0);
	gr_test_write_pc(pcdir, "other", "-lother -lgrx", NULL, NULL);
	gr_test_write_pc(pcdir, "libgrx", "-lgrx42", NULL, NULL);
	setenv("PKG_CONFIG_LIBDIR", pcdir, 1);
	unsetenv("PKG_CONFIG_PATH");
	setenv("GORELINK_CACHE_DIR", dir, 1);
	dirs[0] = dir;
	ck_assert_msg(gr_diag_run(gr_test_env(), text, dirs, 1, &d, &e) == GR_OK, "%s", e.msg);
	ck_assert_uint_eq(d->ngroups, 1);
	ck_assert_ptr_nonnull(d->groups[0].provider);
	ck_assert_ptr_nonnull(d->groups[0].pkg);
	ck_assert_str_eq(d->groups[0].pkg, "libgrx");
	ck_assert_str_eq(d->groups[0].provider->lname, "grx42");
	ck_assert_str_eq(d->groups[0].provider->path, lib);
	gr_diag_free(d);
	/* A plain archive (no symlink): its own name and package, as before. */
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_msg(gr_diag_run(gr_test_env(), text, dirs, 1, &d, &e) == GR_OK, "%s", e.msg);
	ck_assert_uint_eq(d->ngroups, 1);
	ck_assert_str_eq(d->groups[0].pkg, "libgrx");
	ck_assert_str_eq(d->groups[0].provider->lname, "grx42");
	gr_diag_free(d);
	/* The symlink alone names the other package (-lgrx is all there is). */
	ck_assert_int_eq(rename(lib, link), 0);
	ck_assert_msg(gr_diag_run(gr_test_env(), text, dirs, 1, &d, &e) == GR_OK, "%s", e.msg);
	ck_assert_uint_eq(d->ngroups, 1);
	ck_assert_str_eq(d->groups[0].pkg, "other");
	ck_assert_str_eq(d->groups[0].provider->lname, "grx");
	gr_diag_free(d);
	unsetenv("PKG_CONFIG_LIBDIR");
	unsetenv("GORELINK_CACHE_DIR");
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

/* gr_diag_sort_traces: --trace-symbol lines in argv order (mold prints them
 * from threads), ties as printed, other lines in their places; the text's
 * length and its last newline (or none) kept. */
START_TEST(test_sort_traces)
{
	const char *argv[] = { "gcc", "-o", "out", "/w/b.o", "/w/a.o", "-lz", NULL };
	const char *in = "mold: trace-symbol: /w/a.o: reference to dlopen\n"
	                 "mold: warning: something else\n"
	                 "mold: trace-symbol: /w/b.o: reference to dlopen\n"
	                 "mold: trace-symbol: /w/a.o: reference to getpwnam\n"
	                 "mold: trace-symbol: /usr/lib/libc.a(dlopen.o): definition of dlopen";
	const char *want = "mold: trace-symbol: /w/b.o: reference to dlopen\n"
	                   "mold: warning: something else\n"
	                   "mold: trace-symbol: /w/a.o: reference to dlopen\n"
	                   "mold: trace-symbol: /w/a.o: reference to getpwnam\n"
	                   "mold: trace-symbol: /usr/lib/libc.a(dlopen.o): definition of dlopen";
	char *out = gr_diag_sort_traces(in, argv, 6), *with_eol = malloc(strlen(in) + 2), *out2;

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, want);
	/* Sorted once more: the same (one order, whatever came in). */
	out2 = gr_diag_sort_traces(out, argv, 6);
	ck_assert_str_eq(out2, want);
	free(out2);
	free(out);
	ck_assert_ptr_nonnull(with_eol);
	memcpy(with_eol, in, strlen(in));
	memcpy(with_eol + strlen(in), "\n", 2);
	out = gr_diag_sort_traces(with_eol, argv, 6);
	ck_assert_uint_eq(strlen(out), strlen(with_eol));
	ck_assert_int_eq(out[strlen(out) - 1], '\n');
	free(out);
	free(with_eol);
	out = gr_diag_sort_traces("", argv, 6);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_split_join,
		test_sort_traces,
		test_parse,
		test_goflags_quoted,
		test_unquote,
		test_is_final_and_expand,
		test_extld_discovery_path,
		test_extld_mold_build_id_undo,
		test_extld_linker_own,
		test_probe_shape,
		test_probe_cache,
		test_probe_search_dirs,
		test_probe_dirs_once,
		test_elf_needs_cxx,
		test_elf_needs_cxx_table_place,
		test_linkstate,
		test_presets,
		test_preset_modules,
		test_preset_directives,
		test_packages_with_lib,
		test_diag_finding_callers,
		test_split_link_dump,
		test_diag_finding_go119,
		test_diag_symlinked_archive,
	};

	return gr_test_run(gr_test_suite("relink", "relink", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
