/* Unit tests for gr_toolchain: the real gcc and clang of this machine checked
 * against independent parses of `gcc -v`, `clang -###` and `ld --verbose`,
 * then fake compilers and linkers (shell scripts in a temporary directory) for
 * the quoting rules, collect2's linker lookup, gold, lld and every error path. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_spawn.h"
#include "gr_strvec.h"
#include "gr_toolchain.h"
#include "gr_test.h"

/* ---- helpers ---------------------------------------------------------- */

/* Word lists made by argv_new, freed after each test by argv_free_all. */
static char **argv_pool[16];
static size_t argv_npool;

/* A NULL-terminated, writable copy of the words given (the list ends in NULL). */
static char **
argv_new(const char *first, ...)
{
	struct gr_strvec sv;
	const char *w;
	va_list ap;

	gr_strvec_init(&sv);
	va_start(ap, first);
	for (w = first; w; w = va_arg(ap, const char *))
		ck_assert_int_eq(gr_strvec_push(&sv, w), GR_OK);
	va_end(ap);
	ck_assert_ptr_nonnull(sv.v);
	ck_assert_uint_lt(argv_npool, sizeof(argv_pool) / sizeof(argv_pool[0]));
	argv_pool[argv_npool++] = sv.v;
	return sv.v;
}

static void
argv_free_all(void)
{
	size_t i, j;

	for (i = 0; i < argv_npool; i++) {
		for (j = 0; argv_pool[i][j]; j++)
			free(argv_pool[i][j]);
		free(argv_pool[i]);
	}
	argv_npool = 0;
}

static int
discover(char *const cc[], struct gr_toolchain *tc, struct gr_error *e)
{
	gr_error_clear(e);
	return gr_toolchain_discover(gr_test_env(), cc, tc, e);
}

static void
discover_ok(char *const cc[], struct gr_toolchain *tc)
{
	struct gr_error e;
	int rc = discover(cc, tc, &e);

	ck_assert_msg(rc == GR_OK, "discover %s: rc=%d: %s", cc[0], rc, e.msg);
}

/* Run argv and capture its output; the exit status is not checked. */
static void
run(char *const argv[], struct gr_spawn_result *r)
{
	struct gr_error e;
	int rc = gr_spawn_capture(argv, NULL, r, &e);

	ck_assert_msg(rc == GR_OK, "run %s: %s", argv[0], e.msg);
}

/* Whether argv[0] can be started at all. */
static bool
runnable(char *const argv[])
{
	struct gr_spawn_result r;
	struct gr_error e;

	if (gr_spawn_capture(argv, NULL, &r, &e) != GR_OK)
		return false;
	gr_spawn_result_free(&r);
	return true;
}

static void
assert_same(const struct gr_strvec *got, const struct gr_strvec *want, const char *what)
{
	size_t i;

	for (i = 0; i < got->n && i < want->n; i++)
		ck_assert_msg(strcmp(got->v[i], want->v[i]) == 0, "%s[%zu]: got %s, want %s",
		              what, i, got->v[i], want->v[i]);
	ck_assert_msg(got->n == want->n, "%s: got %zu entries, want %zu (first extra: %s)", what,
	              got->n, want->n, got->n > want->n ? got->v[want->n] : want->v[got->n]);
}

static bool
has(const struct gr_strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static void
make_tmpdir(char *buf, size_t n)
{
	gr_test_tmpdir(buf, n, "gr-toolchain");
}

/* Remove path and everything below it; what cannot go is left. */
static void
rm_rf(const char *path)
{
	(void)gr_test_rmtree(path);
}

/* The -L dirs of the collect2 line `gcc [flag] -v -x c /dev/null -o TMP/a.out`
 * prints (not quoted under -v: split at spaces). The link itself fails. */
static void
gcc_v_dirs(const char *flag, struct gr_strvec *dirs)
{
	char tmp[64], out[128], *line, *tok, *save = NULL;
	struct gr_spawn_result r;
	const char *p;

	make_tmpdir(tmp, sizeof(tmp));
	snprintf(out, sizeof(out), "%s/a.out", tmp);
	if (flag)
		run(argv_new("gcc", flag, "-v", "-x", "c", "/dev/null", "-o", out, NULL), &r);
	else
		run(argv_new("gcc", "-v", "-x", "c", "/dev/null", "-o", out, NULL), &r);
	p = strstr(r.err, "/collect2 ");
	ck_assert_msg(p != NULL, "no collect2 line in gcc -v output:\n%s", r.err);
	while (p > r.err && p[-1] != '\n')
		p--;
	line = strndup(p, strcspn(p, "\n"));
	ck_assert_ptr_nonnull(line);
	gr_strvec_init(dirs);
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (strncmp(tok, "-L", 2) == 0)
			ck_assert_int_eq(gr_strvec_push(dirs, tok + 2), GR_OK);
	free(line);
	gr_spawn_result_free(&r);
	rm_rf(tmp);
}

/* The SEARCH_DIR("...") entries of `ld -m EMUL --verbose`, like grep would find them. */
static void
ld_verbose_dirs(const char *ld, const char *emul, struct gr_strvec *dirs)
{
	struct gr_spawn_result r;
	const char *p, *q;

	run(argv_new(ld, "-m", emul, "--verbose", NULL), &r);
	ck_assert_msg(gr_spawn_ok(&r), "%s --verbose failed: %s", ld, r.err);
	gr_strvec_init(dirs);
	for (p = strstr(r.out, "SEARCH_DIR(\""); p; p = strstr(q, "SEARCH_DIR(\"")) {
		p += strlen("SEARCH_DIR(\"");
		q = strchr(p, '"');
		ck_assert_ptr_nonnull(q);
		ck_assert_int_eq(gr_strvec_pushn(dirs, p, (size_t)(q - p)), GR_OK);
	}
	gr_spawn_result_free(&r);
}

/* Where PATH finds name, the way collect2 looks for ld (NULL if nowhere). */
static char *
path_lookup(const char *name)
{
	const char *path = getenv("PATH"), *p, *q;
	char buf[4096];
	struct stat st;

	for (p = path; p && *p; p = *q ? q + 1 : q) {
		q = strchr(p, ':');
		if (!q)
			q = p + strlen(p);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(q - p), p, name);
		if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode) && access(buf, X_OK) == 0)
			return strdup(buf);
	}
	return NULL;
}

/* ---- the real gcc ------------------------------------------------------ */

START_TEST(test_gcc_default)
{
	char **cc = argv_new("gcc", NULL);
	struct gr_toolchain tc;
	struct gr_strvec want;
	char *ld = path_lookup("ld");
	size_t i;

	discover_ok(cc, &tc);
	ck_assert_uint_eq(tc.cc.n, 1);
	ck_assert_str_eq(tc.cc.v[0], "gcc");

	gcc_v_dirs(NULL, &want);
	ck_assert_uint_gt(want.n, 0);
	assert_same(&tc.driver_dirs, &want, "driver_dirs");
	gr_strvec_deinit(&want);

	/* collect2 runs the first ld in PATH (nothing in COMPILER_PATH here). */
	ck_assert_ptr_nonnull(ld);
	ck_assert_str_eq(tc.ld, ld);
	free(ld);

	ck_assert_ptr_null(tc.sysroot);
#if defined(__x86_64__)
	ck_assert_str_eq(tc.emulation, "elf_x86_64");
	ck_assert_str_eq(tc.output_format, "elf64-x86-64");
	ck_assert_str_eq(tc.output_format_big, "elf64-x86-64");
	ck_assert_str_eq(tc.output_format_little, "elf64-x86-64");
	ck_assert_str_eq(tc.output_arch, "i386:x86-64");
#endif
	/* Verbatim, not canonicalized: gcc's dirs are relative to its own ("12/../../.."). */
	for (i = 0; i < tc.driver_dirs.n && !strstr(tc.driver_dirs.v[i], "/../"); i++)
		;
	ck_assert_msg(i < tc.driver_dirs.n, "no driver dir with /../ (canonicalized?)");
	ck_assert_ptr_nonnull(tc.emulation);
	ld_verbose_dirs(tc.ld, tc.emulation, &want);
	ck_assert_uint_gt(want.n, 0);
	assert_same(&tc.ld_dirs, &want, "ld_dirs");
	ck_assert_msg(tc.ld_dirs.v[0][0] == '=', "SEARCH_DIR kept verbatim: %s", tc.ld_dirs.v[0]);
	gr_strvec_deinit(&want);
	gr_toolchain_deinit(&tc);
	ck_assert_ptr_null(tc.ld);
	ck_assert_uint_eq(tc.driver_dirs.n, 0);
}
END_TEST

START_TEST(test_library_path)
{
	char **cc = argv_new("gcc", NULL);
	const char *missing = "/nonexistent-gorelink-dir";
	struct gr_toolchain tc;
	struct gr_strvec want;
	char dir[64], lp[256];

	make_tmpdir(dir, sizeof(dir));
	snprintf(lp, sizeof(lp), "%s:%s", dir, missing);
	ck_assert_int_eq(setenv("LIBRARY_PATH", lp, 1), 0);
	discover_ok(cc, &tc);
	ck_assert_msg(has(&tc.driver_dirs, dir), "LIBRARY_PATH dir %s not passed", dir);
	ck_assert_msg(!has(&tc.driver_dirs, missing), "gcc passes only existing LIBRARY_PATH dirs");
	ck_assert_msg(strcmp(tc.driver_dirs.v[0], dir) != 0, "LIBRARY_PATH dirs come after gcc's own");
	gcc_v_dirs(NULL, &want);
	assert_same(&tc.driver_dirs, &want, "driver_dirs with LIBRARY_PATH");
	gr_strvec_deinit(&want);
	gr_toolchain_deinit(&tc);
	unsetenv("LIBRARY_PATH");
	rm_rf(dir);
}
END_TEST

START_TEST(test_gcc_m32)
{
	char **cc = argv_new("gcc", "-m32", NULL);
	struct gr_toolchain tc;
	struct gr_strvec want;

	/* gcc -m32 -### prints the command even without gcc-multilib. */
	discover_ok(cc, &tc);
	ck_assert_uint_eq(tc.cc.n, 2);
#if defined(__x86_64__) || defined(__i386__)
	ck_assert_str_eq(tc.emulation, "elf_i386");
	ck_assert_str_eq(tc.output_format, "elf32-i386");
	ck_assert_str_eq(tc.output_arch, "i386");
#endif
	gcc_v_dirs("-m32", &want);
	assert_same(&tc.driver_dirs, &want, "driver_dirs -m32");
	gr_strvec_deinit(&want);
	ld_verbose_dirs(tc.ld, tc.emulation, &want);
	assert_same(&tc.ld_dirs, &want, "ld_dirs -m32");
	gr_strvec_deinit(&want);
	gr_toolchain_deinit(&tc);
}
END_TEST

START_TEST(test_multiword_cc)
{
	char **cc1 = argv_new("gcc", NULL);
	char **cc2 = argv_new("env", "gcc", NULL);
	struct gr_toolchain a, b;

	discover_ok(cc1, &a);
	discover_ok(cc2, &b);
	ck_assert_uint_eq(b.cc.n, 2);
	ck_assert_str_eq(b.cc.v[0], "env");
	ck_assert_str_eq(b.cc.v[1], "gcc");
	assert_same(&b.driver_dirs, &a.driver_dirs, "env gcc driver_dirs");
	assert_same(&b.ld_dirs, &a.ld_dirs, "env gcc ld_dirs");
	ck_assert_str_eq(b.ld, a.ld);
	ck_assert_str_eq(b.emulation, a.emulation);
	gr_toolchain_deinit(&a);
	gr_toolchain_deinit(&b);
}
END_TEST

/* ---- the real clang ---------------------------------------------------- */

START_TEST(test_clang)
{
	char **cc = argv_new("clang-14", NULL);
	char **probe = argv_new("clang-14", "-###", "-x", "c", "/dev/null", "-o", "/dev/null", NULL);
	struct gr_toolchain tc;
	struct gr_strvec want;
	struct gr_spawn_result r;
	const char *line, *p, *q;

	/* The suite installs clang-14 (scripts/setup); its absence is a failure. */
	ck_assert_msg(runnable(probe), "clang-14 is not installed (apt-get install clang-14)");
	discover_ok(cc, &tc);
	ck_assert_str_eq(tc.ld, "/usr/bin/ld");
#if defined(__x86_64__)
	ck_assert_str_eq(tc.emulation, "elf_x86_64");
	ck_assert_str_eq(tc.output_format, "elf64-x86-64");
#endif
	/* Independently: clang quotes every word; these have no escapes. */
	run(probe, &r);
	line = strstr(r.err, "\n \"/usr/bin/ld\" ");
	ck_assert_msg(line != NULL, "no ld line in clang -###:\n%s", r.err);
	gr_strvec_init(&want);
	for (p = strchr(line + 1, '"'); p && *p != '\n'; p = strchr(q + 1, '"')) {
		q = strchr(p + 1, '"');
		ck_assert_ptr_nonnull(q);
		if (strncmp(p + 1, "-L", 2) == 0)
			ck_assert_int_eq(gr_strvec_pushn(&want, p + 3, (size_t)(q - p - 3)), GR_OK);
		if (!q[1] || q[1] == '\n')
			break;
	}
	gr_spawn_result_free(&r);
	ck_assert_uint_gt(want.n, 0);
	assert_same(&tc.driver_dirs, &want, "clang driver_dirs");
	gr_strvec_deinit(&want);
	ld_verbose_dirs(tc.ld, tc.emulation, &want);
	assert_same(&tc.ld_dirs, &want, "clang ld_dirs");
	gr_strvec_deinit(&want);
	gr_toolchain_deinit(&tc);
}
END_TEST

START_TEST(test_clang_library_path)
{
	char **cc = argv_new("clang-14", NULL);
	char **probe = argv_new("clang-14", "--version", NULL);
	struct gr_toolchain tc;

	/* The suite installs clang-14 (scripts/setup); its absence is a failure. */
	ck_assert_msg(runnable(probe), "clang-14 is not installed (apt-get install clang-14)");
	/* Unlike gcc, clang passes LIBRARY_PATH dirs whether or not they exist, last. */
	ck_assert_int_eq(setenv("LIBRARY_PATH", "/nonexistent-gorelink-dir", 1), 0);
	discover_ok(cc, &tc);
	ck_assert_str_eq(tc.driver_dirs.v[tc.driver_dirs.n - 1], "/nonexistent-gorelink-dir");
	gr_toolchain_deinit(&tc);
	unsetenv("LIBRARY_PATH");
}
END_TEST

/* ---- errors from real programs ----------------------------------------- */

START_TEST(test_missing_cc)
{
	char **cc = argv_new("gorelink-no-such-cc", NULL);
	struct gr_toolchain tc;
	struct gr_error e;

	ck_assert_int_eq(discover(cc, &tc, &e), GR_EIO);
	ck_assert_int_eq(e.code, GR_EIO);
	ck_assert_int_eq(e.sys_errno, ENOENT);
	ck_assert_msg(strstr(e.msg, "cannot run gorelink-no-such-cc: ") != NULL, "msg: %s", e.msg);
	ck_assert_msg(strstr(e.msg, strerror(ENOENT)) != NULL, "msg: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "CC=") != NULL, "msg: %s", e.msg);
	/* Nothing is left allocated, and deinit is still safe. */
	ck_assert_ptr_null(tc.ld);
	ck_assert_uint_eq(tc.cc.n, 0);
	gr_toolchain_deinit(&tc);
}
END_TEST

START_TEST(test_failing_cc)
{
	char **cc = argv_new("false", NULL);
	char **bogus = argv_new("gcc", "-mgorelink-bogus", NULL);
	struct gr_toolchain tc;
	struct gr_error e;

	ck_assert_int_eq(discover(cc, &tc, &e), GR_EIO);
	ck_assert_msg(strstr(e.msg, "false -### -x c /dev/null -o /dev/null: exited with status 1") != NULL,
	              "msg: %s", e.msg);

	/* gcc's stderr starts with "Using built-in specs."; the error line is quoted. */
	ck_assert_int_eq(discover(bogus, &tc, &e), GR_EIO);
	ck_assert_msg(strstr(e.msg, "exited with status 1") != NULL, "msg: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "error") != NULL && strstr(e.msg, "built-in specs") == NULL,
	              "msg: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "-mgorelink-bogus") != NULL, "msg: %s", e.msg);
}
END_TEST

START_TEST(test_no_cc)
{
	char *cc[] = { NULL };
	struct gr_toolchain tc;
	struct gr_error e;

	ck_assert_int_eq(discover(cc, &tc, &e), GR_EUSAGE);
	ck_assert_int_eq(gr_toolchain_discover(gr_test_env(), NULL, &tc, NULL), GR_EUSAGE);
}
END_TEST

/* ---- fake compilers and linkers ----------------------------------------- */

struct fake {
	char dir[64];
	char cc[128];
};

/* Write dir/name with every "@D@" in text replaced by dir. */
static void
fake_file(const struct fake *f, const char *name, const char *text, mode_t mode)
{
	char path[256];
	const char *p, *at;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	for (p = text; (at = strstr(p, "@D@")) != NULL; p = at + 3) {
		fwrite(p, 1, (size_t)(at - p), fp);
		fputs(f->dir, fp);
	}
	fputs(p, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* A compiler that prints transcript on stderr (and progname for -print-prog-name=). */
static void
fake_init(struct fake *f, const char *transcript, const char *progname)
{
	make_tmpdir(f->dir, sizeof(f->dir));
	snprintf(f->cc, sizeof(f->cc), "%s/cc", f->dir);
	fake_file(f, "transcript", transcript, 0644);
	fake_file(f, "progname", progname ? progname : "", 0644);
	fake_file(f, "cc",
	          "#!/bin/sh\n"
	          "echo \"$@\" > @D@/cc.args\n"
	          "case \"$*\" in *-print-prog-name=*) cat @D@/progname; exit 0;; esac\n"
	          "cat @D@/transcript >&2\n",
	          0755);
}

/* A GNU ld look-alike printing script on --verbose, recording its arguments. */
static void
fake_bfd(const struct fake *f, const char *name, const char *script)
{
	char sh[512], sname[128];

	snprintf(sname, sizeof(sname), "%s.script", name);
	fake_file(f, sname, script, 0644);
	snprintf(sh, sizeof(sh),
	         "#!/bin/sh\n"
	         "echo \"$@\" > @D@/ld.args\n"
	         "case \"$*\" in *--version*) echo 'GNU ld (fake) 2.40'; exit 0;; esac\n"
	         "case \"$*\" in *--verbose*) cat @D@/%s; exit 0;; esac\n"
	         "exit 1\n", sname);
	fake_file(f, name, sh, 0755);
}

static void
fake_check_file(const struct fake *f, const char *name, const char *want)
{
	char path[256], *buf;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	buf = gr_test_slurp(path);
	ck_assert_str_eq(buf, want);
	free(buf);
}

static void
fake_path(const struct fake *f, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", f->dir, name);
}

static const char fake_script[] =
	"GNU ld (fake) 2.40\n"
	"  Supported emulations:\n"
	"   elf_last\n"
	"using internal linker script:\n"
	"==================================================\n"
	"/* SEARCH_DIR(\"=/in/comment\") OUTPUT_FORMAT(\"no\") */\n"
	"OUTPUT_FORMAT(\"elf32-littlearm\", \"elf32-bigarm\",\n"
	"\t      \"elf32-littlearm\")\n"
	"OUTPUT_ARCH(arm)\n"
	"ENTRY(_start)\n"
	"SEARCH_DIR(\"=/usr/local/lib/arm-linux-gnueabihf\"); SEARCH_DIR( \"/plain dir\" );\n"
	"SEARCH_DIR(=/bare); MY_SEARCH_DIR(\"=/not\"); OUTPUT_FORMAT(\"second\")\n"
	"SECTIONS { .text : { *(.text) } PROVIDE(y = \"SEARCH_DIR(x)\"); }\n"
	"OUTPUT_ARCH(armv7)\n"
	"==================================================\n"
	"SEARCH_DIR(\"=/after/the/script\")\n";

START_TEST(test_fake_gcc_quoting)
{
	struct fake f;
	struct gr_toolchain tc;
	char *cc[] = { f.cc, NULL }, path[256];
	static const char *const dirs[] = {
		"/plain", "/with space", "/q\"uote", "/back\\slash", "/dollar$x", "/separate",
		"rel/dir", "/long", "=/eq", "$SYSROOT/lib", NULL
	};
	size_t i;

	fake_init(&f,
	          "Using built-in specs.\n"
	          "COLLECT_GCC=gcc\n"
	          "Configured with: ../src/configure -v \"--with-x=1\"\n"
	          "COMPILER_PATH=@D@/:/nonexistent/\n"
	          " @D@/cc1 -quiet -imultiarch fake-linux-gnu /dev/null \"-mtune=generic\" -o /tmp/x.s |\n"
	          " as --64 -o /tmp/x.o\n"
	          "LIBRARY_PATH=/usr/lib/\n"
	          "COLLECT_GCC_OPTIONS='-o' '/dev/null' \"x\n"
	          " @D@/collect2 -plugin /x/liblto_plugin.so \"-plugin-opt=-fresolution=/tmp/x.res\""
	          " --sysroot=/first -m elf_fake \"--sysroot=/s\\\"q\\\\b\\$d\" -o -L/not-a-dir"
	          " -L/plain \"-L/with space\" \"-L/q\\\"uote\" \"-L/back\\\\slash\" \"-L/dollar\\$x\""
	          " -L /separate -Lrel/dir \"--library-path=/long\" \"-L=/eq\" \"-L\\$SYSROOT/lib\""
	          " -melf_last -mips3 -m486 \"\" -dynamic-linker /lib/ld.so -lc\n"
	          "COLLECT_GCC_OPTIONS='-o' '/dev/null'\n",
	          NULL);
	fake_bfd(&f, "real-ld", fake_script);
	fake_bfd(&f, "ld", "not this one\n");  /* real-ld comes first */

	discover_ok(cc, &tc);
	for (i = 0; dirs[i]; i++) {
		ck_assert_uint_gt(tc.driver_dirs.n, i);
		ck_assert_str_eq(tc.driver_dirs.v[i], dirs[i]);
	}
	ck_assert_uint_eq(tc.driver_dirs.n, i);
	ck_assert_str_eq(tc.sysroot, "/s\"q\\b$d");
	ck_assert_str_eq(tc.emulation, "elf_last");
	fake_path(&f, "real-ld", path, sizeof(path));
	ck_assert_str_eq(tc.ld, path);
	fake_check_file(&f, "ld.args", "-m elf_last --verbose\n");
	fake_check_file(&f, "cc.args", "-### -x c /dev/null -o /dev/null\n");

	ck_assert_uint_eq(tc.ld_dirs.n, 3);
	ck_assert_str_eq(tc.ld_dirs.v[0], "=/usr/local/lib/arm-linux-gnueabihf");
	ck_assert_str_eq(tc.ld_dirs.v[1], "/plain dir");
	ck_assert_str_eq(tc.ld_dirs.v[2], "=/bare");
	ck_assert_str_eq(tc.output_format, "elf32-littlearm");
	ck_assert_str_eq(tc.output_format_big, "elf32-bigarm");
	ck_assert_str_eq(tc.output_format_little, "elf32-littlearm");
	ck_assert_str_eq(tc.output_arch, "armv7");
	gr_toolchain_deinit(&tc);
	rm_rf(f.dir);
}
END_TEST

START_TEST(test_fake_collect2_lookup)
{
	struct fake f;
	struct gr_toolchain tc;
	char *cc[] = { f.cc, NULL }, path[256], sub[256];

	/* -fuse-ld=gold: ld.gold in COMPILER_PATH (after a dir without one); that
	 * gold prints no script, so its built-in dirs come from -imultiarch. */
	fake_init(&f,
	          " @D@/cc1 -imultiarch fake-gnu -quiet\n"
	          "COMPILER_PATH=@D@/empty:@D@/sub\n"
	          " /somewhere/collect2 -plugin x -fuse-ld=bfd -fuse-ld=gold -m elf_x86_64 -L/a\n",
	          NULL);
	fake_path(&f, "empty", path, sizeof(path));
	ck_assert_int_eq(mkdir(path, 0755), 0);
	fake_path(&f, "sub", sub, sizeof(sub));
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	fake_file(&f, "sub/ld.gold",
	          "#!/bin/sh\n"
	          "case \"$*\" in *--version*) echo 'GNU gold (GNU Binutils 2.40) 1.16'; exit 0;; esac\n"
	          "echo 'ld.gold: fatal error: no input files' >&2; exit 1\n",
	          0755);
	fake_file(&f, "ld", "#!/bin/sh\nexit 1\n", 0755);  /* ld, not ld.gold: not chosen */

	discover_ok(cc, &tc);
	fake_path(&f, "sub/ld.gold", path, sizeof(path));
	ck_assert_str_eq(tc.ld, path);
	ck_assert_uint_eq(tc.driver_dirs.n, 1);
	ck_assert_uint_eq(tc.ld_dirs.n, 4);
	ck_assert_str_eq(tc.ld_dirs.v[0], "=/lib/fake-gnu");
	ck_assert_str_eq(tc.ld_dirs.v[1], "=/usr/lib/fake-gnu");
	ck_assert_str_eq(tc.ld_dirs.v[2], "=/lib");
	ck_assert_str_eq(tc.ld_dirs.v[3], "=/usr/lib");
	ck_assert_ptr_null(tc.output_format);
	gr_toolchain_deinit(&tc);
	rm_rf(f.dir);
}
END_TEST

START_TEST(test_fake_print_prog_name)
{
	struct fake f;
	struct gr_toolchain tc;
	char *cc[] = { f.cc, NULL }, path[256];

	/* No COMPILER_PATH printed: fall back to CC -print-prog-name=ld.gold. */
	fake_init(&f, " /x/collect2 -fuse-ld=gold -L/a\n", "@D@/myld\n");
	fake_bfd(&f, "myld", fake_script);
	discover_ok(cc, &tc);
	fake_path(&f, "myld", path, sizeof(path));
	ck_assert_str_eq(tc.ld, path);
	ck_assert_ptr_null(tc.emulation);
	fake_check_file(&f, "cc.args", "-print-prog-name=ld.gold\n");
	fake_check_file(&f, "ld.args", "--verbose\n");
	ck_assert_uint_eq(tc.ld_dirs.n, 3);
	gr_toolchain_deinit(&tc);
	rm_rf(f.dir);
}
END_TEST

START_TEST(test_fake_lld)
{
	struct fake f;
	struct gr_toolchain tc;
	char *cc[] = { f.cc, NULL }, path[256];

	/* clang style: every word quoted; the command is the linker itself. */
	fake_init(&f,
	          "clang version 14.0.6\n"
	          " \"/usr/lib/llvm-14/bin/clang\" \"-cc1\" \"-triple\" \"x86_64-pc-linux-gnu\"\n"
	          " \"@D@/ld.lld\" \"-pie\" \"-m\" \"elf_x86_64\" \"-L/usr/lib\" \"-L/with space\"\n",
	          NULL);
	fake_file(&f, "ld.lld",
	          "#!/bin/sh\n"
	          "case \"$*\" in *--version*) echo 'LLD 14.0.6 (compatible with GNU linkers)'; exit 0;; esac\n"
	          "echo 'ld.lld: error: no input files' >&2; exit 1\n",
	          0755);
	discover_ok(cc, &tc);
	fake_path(&f, "ld.lld", path, sizeof(path));
	ck_assert_str_eq(tc.ld, path);
	ck_assert_str_eq(tc.emulation, "elf_x86_64");
	ck_assert_uint_eq(tc.driver_dirs.n, 2);
	ck_assert_str_eq(tc.driver_dirs.v[1], "/with space");
	ck_assert_uint_eq(tc.ld_dirs.n, 0);
	ck_assert_ptr_null(tc.output_format);
	ck_assert_ptr_null(tc.output_arch);
	gr_toolchain_deinit(&tc);
	rm_rf(f.dir);
}
END_TEST

/* zig cc: no -### (it links in process); the dirs of -print-search-dirs, the
 * target's glibc version left out of that question, clang's resource dir
 * skipped, OUTPUT_FORMAT from the target's architecture; zig c++ its C++ driver. */
START_TEST(test_fake_zig)
{
	struct fake f;
	struct gr_toolchain tc;
	struct gr_error e;
	struct gr_strvec cxx;
	char zig[160], **cc;

	fake_init(&f, "", NULL);
	snprintf(zig, sizeof(zig), "%s/zig", f.dir);
	cc = argv_new(zig, "cc", "-target", "aarch64-linux-gnu.2.28", NULL);
	fake_file(&f, "zig",
	          "#!/bin/sh\n"
	          "echo \"$@\" > @D@/zig.args\n"
	          "case \"$*\" in *-###*) echo 'error: -### is not zig' >&2; exit 1;; esac\n"
	          "case \"$*\" in *.2.28*) echo \"zig: error: version '.2.28' is invalid\" >&2; exit 1;; esac\n"
	          "echo 'programs: =/opt/zig'\n"
	          "echo 'libraries: =/opt/site-packages/lib/clang/22:/usr/lib/gcc-cross/aarch64-linux-gnu/12::/usr/lib/aarch64-linux-gnu'\n",
	          0755);
	ck_assert(gr_toolchain_is_zig(cc));
	ck_assert(gr_toolchain_is_zig(argv_new("python3", "-m", "ziglang", "cc", NULL)));
	ck_assert(gr_toolchain_is_zig(argv_new("ccache", "zig", "c++", NULL)));
	ck_assert(!gr_toolchain_is_zig(argv_new("gcc", NULL)));
	ck_assert(!gr_toolchain_is_zig(argv_new("zig", "build", NULL)));
	ck_assert(!gr_toolchain_is_zig(argv_new("zig", NULL)));
	discover_ok(cc, &tc);
	fake_check_file(&f, "zig.args", "cc -target aarch64-linux-gnu -print-search-dirs\n");
	ck_assert_uint_eq(tc.driver_dirs.n, 2);
	ck_assert_str_eq(tc.driver_dirs.v[0], "/usr/lib/gcc-cross/aarch64-linux-gnu/12");
	ck_assert_str_eq(tc.driver_dirs.v[1], "/usr/lib/aarch64-linux-gnu");
	ck_assert_uint_eq(tc.ld_dirs.n, 0);
	ck_assert_ptr_null(tc.ld);
	ck_assert_str_eq(tc.output_format, "elf64-littleaarch64");
	ck_assert_uint_eq(tc.cc.n, 4);
	gr_toolchain_deinit(&tc);

	/* No libraries line: an error naming the command. */
	fake_file(&f, "zig", "#!/bin/sh\necho 'programs: =/opt/zig'\n", 0755);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);
	ck_assert_msg(strstr(e.msg, "printed no \"libraries: =\" line") != NULL, "msg: %s", e.msg);

	/* zig cc -> zig c++, the other words kept. */
	gr_strvec_init(&cxx);
	ck_assert_int_eq(gr_toolchain_cxx_words(cc, 4, &cxx), GR_OK);
	ck_assert_uint_eq(cxx.n, 4);
	ck_assert_str_eq(cxx.v[0], zig);
	ck_assert_str_eq(cxx.v[1], "c++");
	ck_assert_str_eq(cxx.v[3], "aarch64-linux-gnu.2.28");
	gr_strvec_deinit(&cxx);
	rm_rf(f.dir);
}
END_TEST

START_TEST(test_fake_errors)
{
	struct fake f;
	struct gr_toolchain tc;
	struct gr_error e;
	char *cc[] = { f.cc, NULL };

	/* No command line at all. */
	fake_init(&f, "Using built-in specs.\nhello\n", NULL);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);
	ck_assert_msg(strstr(e.msg, f.cc) != NULL && strstr(e.msg, "-###") != NULL, "msg: %s", e.msg);
	ck_assert_ptr_null(tc.ld);

	/* An unterminated quote in the link command. */
	fake_file(&f, "transcript", " /x/ld -L/a \"-L/oops\n", 0644);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);
	ck_assert_msg(strstr(e.msg, "unterminated quote") != NULL, "msg: %s", e.msg);

	/* ... and in an earlier command line. */
	fake_file(&f, "transcript", " /x/cc1 \"-oops\n /x/ld -L/a\n", 0644);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);

	/* -L at the very end. */
	fake_file(&f, "transcript", " /x/ld -L/a -L\n", 0644);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);

	/* The linker is missing. */
	fake_file(&f, "transcript", " @D@/no-such-ld -L/a\n", 0644);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EIO);
	ck_assert_int_eq(e.sys_errno, ENOENT);
	ck_assert_msg(strstr(e.msg, "no-such-ld") != NULL, "msg: %s", e.msg);

	/* collect2 with a COMPILER_PATH and a PATH holding no ld.mold (mold may be
	 * installed on this machine: search only the fake directory). */
	fake_file(&f, "transcript", "COMPILER_PATH=@D@/nowhere\n /x/collect2 -fuse-ld=mold -L/a\n", 0644);
	{
		char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
		char bin[] = "/tmp/gr-toolchain-path-XXXXXX", link[64];
		ck_assert_ptr_nonnull(mkdtemp(bin));
		snprintf(link, sizeof(link), "%s/cat", bin);
		ck_assert_int_eq(symlink("/bin/cat", link), 0);
		setenv("PATH", bin, 1);
		ck_assert_int_eq(discover(cc, &tc, &e), GR_EIO);
		if (saved) {
			setenv("PATH", saved, 1);
			free(saved);
		}
		unlink(link);
		rmdir(bin);
	}
	ck_assert_msg(strstr(e.msg, "no ld.mold") != NULL, "msg: %s", e.msg);

	/* GNU ld refusing the emulation: its error, not silence. */
	fake_file(&f, "transcript", " @D@/ld -m bogus -L/a\n", 0644);
	fake_file(&f, "ld",
	          "#!/bin/sh\n"
	          "case \"$*\" in *--version*) echo 'GNU ld (fake) 2.40'; exit 0;; esac\n"
	          "echo 'ld: unrecognised emulation mode: bogus' >&2\n"
	          "echo 'Supported emulations: elf_x86_64' >&2; exit 1\n",
	          0755);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EIO);
	ck_assert_msg(strstr(e.msg, "-m bogus --verbose: exited with status 1: "
	                            "ld: unrecognised emulation mode: bogus") != NULL, "msg: %s", e.msg);

	/* A malformed script. */
	fake_bfd(&f, "ld", "==========\nOUTPUT_FORMAT(\"a\")\nSEARCH_DIR(\"=/x\"\n==========\n");
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);
	ck_assert_msg(strstr(e.msg, "cannot parse SEARCH_DIR(...) on line 3") != NULL, "msg: %s", e.msg);
	fake_bfd(&f, "ld", "OUTPUT_FORMAT(\"a\", \"b\")\n");
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);

	/* GNU ld whose --verbose prints no script. */
	fake_bfd(&f, "ld", "GNU ld (fake) 2.40\n");
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EFORMAT);
	ck_assert_msg(strstr(e.msg, "printed no linker script") != NULL, "msg: %s", e.msg);

	/* A compiler killed by a signal. */
	fake_file(&f, "cc", "#!/bin/sh\nkill -SEGV $$\n", 0755);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EIO);
	ck_assert_msg(strstr(e.msg, "killed by signal SIGSEGV") != NULL, "msg: %s", e.msg);

	/* A compiler that cannot be executed. */
	fake_file(&f, "cc", "not a program\n", 0644);
	ck_assert_int_eq(discover(cc, &tc, &e), GR_EIO);
	ck_assert_int_eq(e.sys_errno, EACCES);
	ck_assert_msg(strstr(e.msg, "CC=") != NULL, "msg: %s", e.msg);
	rm_rf(f.dir);
}
END_TEST

static Suite *
toolchain_suite(void)
{
	Suite *s = suite_create("toolchain");
	TCase *t;

	t = tcase_create("real");
	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, NULL, argv_free_all);
	tcase_add_test(t, test_gcc_default);
	tcase_add_test(t, test_library_path);
	tcase_add_test(t, test_gcc_m32);
	tcase_add_test(t, test_multiword_cc);
	tcase_add_test(t, test_clang);
	tcase_add_test(t, test_clang_library_path);
	suite_add_tcase(s, t);

	t = tcase_create("errors");
	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, NULL, argv_free_all);
	tcase_add_test(t, test_missing_cc);
	tcase_add_test(t, test_failing_cc);
	tcase_add_test(t, test_no_cc);
	suite_add_tcase(s, t);

	t = tcase_create("fake");
	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, NULL, argv_free_all);
	tcase_add_test(t, test_fake_gcc_quoting);
	tcase_add_test(t, test_fake_collect2_lookup);
	tcase_add_test(t, test_fake_print_prog_name);
	tcase_add_test(t, test_fake_lld);
	tcase_add_test(t, test_fake_zig);
	tcase_add_test(t, test_fake_errors);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return gr_test_run(toolchain_suite(), false);
}
