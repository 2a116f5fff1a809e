/* Unit tests for a cross build's C++ driver: the name derived from CC
 * (gr_toolchain_cxx_for_cc, gr_toolchain_cxx_words), the comparison of
 * target triplets, the -dumpmachine probe and its cache (real gcc, fake
 * compilers: shell scripts in a temporary directory), the choice
 * (relink/gr_cxx) and the explanation of known toolchain limits. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_cxx.h"
#include "gr_spawn.h"
#include "gr_strvec.h"
#include "gr_tccache.h"
#include "gr_test.h"
#include "gr_toolchain.h"

static char tmp[64];  /* fake compilers, first on PATH */

/* The C++ driver derived from cc, or "(null)" with errno 0. */
static void
assert_derived(const char *cc, const char *want)
{
	char *got = gr_toolchain_cxx_for_cc(cc);

	if (!want) {
		ck_assert_msg(got == NULL && errno == 0, "%s: got %s, want none", cc, got ? got : "(null)");
		return;
	}
	ck_assert_msg(got != NULL, "%s: no C++ driver, want %s", cc, want);
	ck_assert_msg(!strcmp(got, want), "%s: got %s, want %s", cc, got, want);
	free(got);
}

START_TEST(test_cxx_for_cc)
{
	assert_derived("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-g++");
	assert_derived("aarch64-linux-gnu-gcc-12", "aarch64-linux-gnu-g++-12");
	assert_derived("/usr/bin/aarch64-linux-gnu-gcc", "/usr/bin/aarch64-linux-gnu-g++");
	assert_derived("/opt/x-tools/bin/arm-linux-gnueabihf-gcc-12.2", "/opt/x-tools/bin/arm-linux-gnueabihf-g++-12.2");
	assert_derived("gcc", "g++");
	assert_derived("gcc-12", "g++-12");
	assert_derived("clang", "clang++");
	assert_derived("clang-15", "clang++-15");
	assert_derived("aarch64-linux-gnu-clang", "aarch64-linux-gnu-clang++");
	assert_derived("cc", "c++");
	assert_derived("x86_64-w64-mingw32-cc", "x86_64-w64-mingw32-c++");
	assert_derived("musl-gcc", "musl-g++");
	/* Not a compiler name this knows, or a C++ driver already. */
	assert_derived("aarch64-linux-gnu-g++", NULL);
	assert_derived("clang++", NULL);
	assert_derived("tcc", NULL);
	assert_derived("icc", NULL);
	assert_derived("gcc12", NULL);
	assert_derived("-gcc", NULL);
	assert_derived("/usr/bin/", NULL);
	assert_derived("", NULL);
	assert_derived("gcc-", NULL);
	assert_derived("mygcc", NULL);
}
END_TEST

/* Words in (cc: space-separated), words out: the compiler word changes,
 * flags and launchers stay. */
static void
assert_words(const char *cc, int want_rc, const char *want)
{
	struct gr_strvec in, out;
	char joined[512] = "", buf[512], *w, *save = NULL;
	size_t i;
	int rc;

	gr_strvec_init(&in);
	gr_strvec_init(&out);
	snprintf(buf, sizeof(buf), "%s", cc);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		ck_assert_int_eq(gr_strvec_push(&in, w), GR_OK);
	rc = gr_toolchain_cxx_words(in.v, in.n, &out);
	ck_assert_int_eq(rc, want_rc);
	for (i = 0; i < out.n; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? " " : "", out.v[i]);
	if (want)
		ck_assert_str_eq(joined, want);
	else
		ck_assert_uint_eq(out.n, 0);
	gr_strvec_deinit(&in);
	gr_strvec_deinit(&out);
}

START_TEST(test_cxx_words)
{
	assert_words("aarch64-linux-gnu-gcc", GR_OK, "aarch64-linux-gnu-g++");
	assert_words("ccache aarch64-linux-gnu-gcc -march=armv8-a", GR_OK, "ccache aarch64-linux-gnu-g++ -march=armv8-a");
	assert_words("clang --target=aarch64-linux-gnu --sysroot=/srv/arm64", GR_OK,
	             "clang++ --target=aarch64-linux-gnu --sysroot=/srv/arm64");
	assert_words("/usr/bin/ccache", GR_ENOTFOUND, NULL);
	assert_words("tcc -m64", GR_ENOTFOUND, NULL);
	assert_words("/usr/lib/ccache/sccache gcc-12", GR_OK, "/usr/lib/ccache/sccache g++-12");
	assert_words("", GR_ENOTFOUND, NULL);
}
END_TEST

START_TEST(test_same_target)
{
	ck_assert(gr_toolchain_same_target("aarch64-linux-gnu", "aarch64-linux-gnu"));
	ck_assert(gr_toolchain_same_target("aarch64-linux-gnu", "aarch64-unknown-linux-gnu"));
	ck_assert(gr_toolchain_same_target("x86_64-pc-linux-gnu", "x86_64-linux-gnu"));
	ck_assert(gr_toolchain_same_target("arm-none-eabi", "arm-eabi"));
	ck_assert(!gr_toolchain_same_target("aarch64-linux-gnu", "x86_64-linux-gnu"));
	ck_assert(!gr_toolchain_same_target("x86_64-linux-gnu", "x86_64-linux-musl"));
	ck_assert(!gr_toolchain_same_target("arm-linux-gnueabihf", "arm-linux-gnueabi"));
	ck_assert(!gr_toolchain_same_target("aarch64-linux-gnu", NULL));
	ck_assert(!gr_toolchain_same_target("aarch64-linux-gnu", ""));
}
END_TEST

/* A fake compiler tmp/NAME that answers -dumpmachine (among other flags) with
 * out (exit code rc) and fails without it. */
static void
fake_cc(const char *name, const char *out, int rc)
{
	char path[256], text[512];

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	snprintf(text, sizeof(text),
	         "#!/bin/sh\ncase \" $* \" in *\" -dumpmachine \"*) ;; *) echo \"$0: unexpected $*\" >&2; exit 9;; esac\n"
	         "printf '%%s' '%s'\nexit %d\n", out, rc);
	gr_test_write_mode(path, text, 0755);
}

static void
setup(void)
{
	char path[4096];

	gr_test_tmpdir(tmp, sizeof(tmp), "gr-cxx");
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", tmp);
	setenv("PATH", path, 1);
	setenv("GORELINK_CACHE_DIR", "", 1);  /* no cache, unless a test sets one */
}

static void
teardown(void)
{
	ck_assert_int_eq(gr_test_rmtree(tmp), 0);
}

static char *
dumpmachine(const char *cc, int want_rc)
{
	char *cv[] = { strdup(cc), NULL }, *t = NULL;
	struct gr_error e;
	int rc;

	ck_assert_ptr_nonnull(cv[0]);
	rc = gr_toolchain_dumpmachine(gr_test_env(), cv, &t, &e);
	free(cv[0]);
	ck_assert_msg(rc == want_rc, "%s -dumpmachine: rc %d, want %d (%s)", cc, rc, want_rc, e.msg);
	return t;
}

START_TEST(test_dumpmachine)
{
	struct gr_spawn_result r;
	struct gr_error e;
	char gcc[] = "gcc", flag[] = "-dumpmachine", *argv[] = { gcc, flag, NULL }, *t;

	/* The real gcc, as it answers itself. */
	ck_assert_int_eq(gr_spawn_capture(argv, NULL, &r, &e), GR_OK);
	ck_assert(gr_spawn_ok(&r) && r.outlen > 1);
	r.out[strcspn(r.out, "\n")] = '\0';
	t = dumpmachine("gcc", GR_OK);
	ck_assert_str_eq(t, r.out);
	free(t);
	gr_spawn_result_free(&r);
	/* Fakes: a bare line, a failing one, garbage, nothing, a missing program. */
	fake_cc("fake-gcc", "aarch64-linux-gnu\n", 0);
	t = dumpmachine("fake-gcc", GR_OK);
	ck_assert_str_eq(t, "aarch64-linux-gnu");
	free(t);
	fake_cc("fail-gcc", "", 1);
	ck_assert_ptr_null(dumpmachine("fail-gcc", GR_EIO));
	fake_cc("junk-gcc", "aarch64 linux\n", 0);
	ck_assert_ptr_null(dumpmachine("junk-gcc", GR_EFORMAT));
	fake_cc("mute-gcc", "", 0);
	ck_assert_ptr_null(dumpmachine("mute-gcc", GR_EFORMAT));
	ck_assert_ptr_null(dumpmachine("/nonexistent/gcc", GR_EIO));
	ck_assert_ptr_null(dumpmachine("", GR_EUSAGE));
}
END_TEST

/* The cache answers while the compiler is the same file, and asks again when it changes. */
START_TEST(test_dumpmachine_cache)
{
	char cache[128], name[] = "cached-gcc", *cv[] = { name, NULL }, *t;
	struct gr_error e;
	bool hit;

	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	setenv("GORELINK_CACHE_DIR", cache, 1);
	fake_cc("cached-gcc", "aarch64-linux-gnu\n", 0);
	ck_assert_int_eq(gr_tccache_dumpmachine(gr_test_env(), cv, &t, &hit, &e), GR_OK);
	ck_assert(!hit);
	ck_assert_str_eq(t, "aarch64-linux-gnu");
	free(t);
	ck_assert_int_eq(gr_tccache_dumpmachine(gr_test_env(), cv, &t, &hit, &e), GR_OK);
	ck_assert(hit);
	ck_assert_str_eq(t, "aarch64-linux-gnu");
	free(t);
	fake_cc("cached-gcc", "riscv64-linux-gnu\n", 0);  /* another size: another file */
	ck_assert_int_eq(gr_tccache_dumpmachine(gr_test_env(), cv, &t, &hit, &e), GR_OK);
	ck_assert(!hit);
	ck_assert_str_eq(t, "riscv64-linux-gnu");
	free(t);
	/* A failure is not cached. */
	fake_cc("cached-gcc", "", 3);
	ck_assert_int_eq(gr_tccache_dumpmachine(gr_test_env(), cv, &t, &hit, &e), GR_EIO);
	ck_assert(!hit);
	ck_assert_ptr_null(t);
}
END_TEST

/* The toolchains the choice is made among: a cross gcc and its g++ (clang's
 * spelling of the triplet, the vendor aside), the host's g++, and a cross gcc
 * without a g++. */
static void
fake_toolchains(void)
{
	fake_cc("tgt-linux-gnu-gcc", "aarch64-linux-gnu\n", 0);
	fake_cc("tgt-linux-gnu-g++", "aarch64-unknown-linux-gnu\n", 0);
	fake_cc("host-g++", "x86_64-linux-gnu\n", 0);
	fake_cc("lone-linux-gnu-gcc", "aarch64-linux-gnu\n", 0);
	fake_cc("bad-linux-gnu-gcc", "", 1);
	fake_cc("wrong-linux-gnu-gcc", "aarch64-linux-gnu\n", 0);
	fake_cc("wrong-linux-gnu-g++", "x86_64-linux-gnu\n", 0);
}

static void
choose(const char *cc, const char *cxx, bool user_set, int want_rc, struct gr_cxx_choice *ch,
       struct gr_error *e)
{
	int rc = gr_cxx_choose(gr_test_env(), cc, cxx, user_set, ch, e);

	ck_assert_msg(rc == want_rc, "CC=%s CXX=%s: rc %d, want %d (%s)", cc, cxx, rc, want_rc, e->msg);
}

static void
assert_has(const char *text, const char *part)
{
	ck_assert_msg(text && strstr(text, part), "%s\nlacks: %s", text ? text : "(null)", part);
}

START_TEST(test_choose)
{
	struct gr_cxx_choice ch;
	struct gr_error e;

	fake_toolchains();
	/* go env CXX is the host's: the one named after CC, which builds for the target. */
	choose("tgt-linux-gnu-gcc", "host-g++", false, GR_OK, &ch, &e);
	ck_assert_str_eq(ch.cxx, "tgt-linux-gnu-g++");
	ck_assert(ch.derived);
	ck_assert_str_eq(ch.cc_target, "aarch64-linux-gnu");
	ck_assert_str_eq(ch.cxx_target, "aarch64-unknown-linux-gnu");
	gr_cxx_choice_deinit(&ch);
	/* Flags after CC stay with the derived driver. */
	choose("tgt-linux-gnu-gcc -march=armv8-a", "", false, GR_OK, &ch, &e);
	ck_assert_str_eq(ch.cxx, "tgt-linux-gnu-g++ -march=armv8-a");
	ck_assert(ch.derived);
	gr_cxx_choice_deinit(&ch);
	/* A CXX for the target is kept, set by the user or not. */
	choose("tgt-linux-gnu-gcc", "tgt-linux-gnu-g++", true, GR_OK, &ch, &e);
	ck_assert_str_eq(ch.cxx, "tgt-linux-gnu-g++");
	ck_assert(!ch.derived);
	gr_cxx_choice_deinit(&ch);
	/* The user's CXX for the host: stop, naming both targets and the way out. */
	choose("tgt-linux-gnu-gcc", "host-g++", true, GR_EUSAGE, &ch, &e);
	assert_has(e.msg, "CXX=host-g++ targets x86_64-linux-gnu, but CC=tgt-linux-gnu-gcc targets "
	                  "aarch64-linux-gnu: set CXX for the target: CXX=tgt-linux-gnu-g++");
	ck_assert_ptr_null(ch.cxx);
	/* The user's CXX that is not there. */
	choose("tgt-linux-gnu-gcc", "/nonexistent/g++", true, GR_EUSAGE, &ch, &e);
	assert_has(e.msg, "CXX=/nonexistent/g++ cannot build for CC=tgt-linux-gnu-gcc's target aarch64-linux-gnu: "
	                  "/nonexistent/g++ is not installed");
	assert_has(e.msg, "set CXX for the target: CXX=tgt-linux-gnu-g++");
	/* The user's CXX, wrong, and nothing named after CC: how to get one. */
	choose("lone-linux-gnu-gcc", "host-g++", true, GR_EUSAGE, &ch, &e);
	assert_has(e.msg, "set CXX for the target: install a C++ compiler for aarch64-linux-gnu "
	                  "(on Debian: apt-get install g++-aarch64-linux-gnu), then CXX=lone-linux-gnu-g++");
	/* Not set by the user, and no driver for the target: none, and why. */
	choose("lone-linux-gnu-gcc", "host-g++", false, GR_OK, &ch, &e);
	ck_assert_ptr_null(ch.cxx);
	assert_has(ch.why, "go env CXX (host-g++) targets x86_64-linux-gnu, not CC=lone-linux-gnu-gcc's aarch64-linux-gnu, "
	                   "and lone-linux-gnu-g++ is not installed");
	assert_has(ch.why, "set CXX for the target");
	gr_cxx_choice_deinit(&ch);
	/* The driver named after CC builds for another target: not taken. */
	choose("wrong-linux-gnu-gcc", "host-g++", false, GR_OK, &ch, &e);
	ck_assert_ptr_null(ch.cxx);
	assert_has(ch.why, "wrong-linux-gnu-g++ targets x86_64-linux-gnu");
	gr_cxx_choice_deinit(&ch);
	/* go env CXX empty, not set by the user. */
	choose("tgt-linux-gnu-gcc", "", false, GR_OK, &ch, &e);
	ck_assert_str_eq(ch.cxx, "tgt-linux-gnu-g++");
	gr_cxx_choice_deinit(&ch);
	/* CC cannot tell its target: CXX stays as it is, even a wrong one. */
	choose("bad-linux-gnu-gcc", "host-g++", true, GR_OK, &ch, &e);
	ck_assert_str_eq(ch.cxx, "host-g++");
	ck_assert(!ch.derived);
	ck_assert_ptr_null(ch.cc_target);
	gr_cxx_choice_deinit(&ch);
}
END_TEST

/* A cross build on this machine: the derived driver is used only when it exists. */
START_TEST(test_choose_real)
{
	struct gr_cxx_choice ch;
	struct gr_error e;
	char name[] = "aarch64-linux-gnu-g++", *cv[] = { name, NULL }, *t = NULL;

	ck_assert_msg(gr_toolchain_dumpmachine(gr_test_env(), cv, &t, &e) == GR_OK,
	              "aarch64-linux-gnu-g++ is needed (apt-get install g++-aarch64-linux-gnu): %s", e.msg);
	free(t);
	choose("aarch64-linux-gnu-gcc", "g++", false, GR_OK, &ch, &e);
	ck_assert_str_eq(ch.cxx, "aarch64-linux-gnu-g++");
	ck_assert(ch.derived);
	gr_cxx_choice_deinit(&ch);
	choose("gcc", "g++", true, GR_OK, &ch, &e);
	ck_assert_str_eq(ch.cxx, "g++");
	ck_assert(!ch.derived);
	gr_cxx_choice_deinit(&ch);
}
END_TEST

START_TEST(test_known_limit)
{
	const char *got;

	got = gr_cxx_known_limit(
	    "/usr/bin/aarch64-linux-gnu-ld: /usr/lib/gcc-cross/aarch64-linux-gnu/12/../../../../aarch64-linux-gnu/lib/libc.a(dl-support.o): "
	    "in function `_dl_aux_init':\n(.text+0x4c): relocation truncated to fit: R_AARCH64_LD64_GOTPAGE_LO15 against symbol "
	    "`_dl_random' defined in .bss section in /usr/aarch64-linux-gnu/lib/libc.a(dl-support.o)\ncollect2: error: ld returned 1 exit status\n");
	assert_has(got, "aarch64 small GOT");
	assert_has(got, "R_AARCH64_LD64_GOTPAGE_LO15");
	assert_has(got, "glibc's libc.a");
	assert_has(got, "32 KiB");
	assert_has(got, "--third-party");
	got = gr_cxx_known_limit("/usr/bin/ld: /tmp/go-link-1/go.o: error adding symbols: file in wrong format\n");
	assert_has(got, "built for another machine");
	assert_has(got, "set CXX for the target");
	/* The relocation alone, or truncation of another relocation: not this limit. */
	ck_assert_ptr_null(gr_cxx_known_limit("relocation truncated to fit: R_X86_64_PC32 against `.bss'\n"));
	ck_assert_ptr_null(gr_cxx_known_limit("R_AARCH64_LD64_GOTPAGE_LO15\n"));
	ck_assert_ptr_null(gr_cxx_known_limit("undefined reference to `foo'\n"));
	ck_assert_ptr_null(gr_cxx_known_limit(""));
	ck_assert_ptr_null(gr_cxx_known_limit(NULL));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cxx");
	TCase *pure = tcase_create("names"), *probe = tcase_create("probe");

	tcase_add_test(pure, test_cxx_for_cc);
	tcase_add_test(pure, test_cxx_words);
	tcase_add_test(pure, test_same_target);
	tcase_add_test(pure, test_known_limit);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(probe, setup, teardown);
	tcase_set_timeout(probe, 60);
	tcase_add_test(probe, test_dumpmachine);
	tcase_add_test(probe, test_dumpmachine_cache);
	tcase_add_test(probe, test_choose);
	tcase_add_test(probe, test_choose_real);
	suite_add_tcase(s, probe);
	return gr_test_run(s, false);
}
