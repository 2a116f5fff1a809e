/* gr_bfd_classify's shortcut for the host's own ELF files (issue 15) against
 * libbfd alone: the same verdict whenever the shortcut answers, on files made
 * here (plain, and damaged or foreign in each field the shortcut reads) and on
 * every archive and shared object installed in the multiarch directory. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gr_bfdcheck.h"
#include "gr_test.h"

static const struct gr_bfd_target host = { "elf64-x86-64", "i386:x86-64" };
static const struct gr_bfd_target any = { NULL, NULL };
static const struct gr_bfd_target i386t = { "elf32-i386", "i386" };

static char dir[64];

/* Run argv: whether it exited 0 (a missing tool fails the test, naming its Debian package). */
static bool
run(const char *const argv[], const char *package)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 127),
	              "%s not found: install the Debian package %s", argv[0], package);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* run(); it must exit 0. */
static void
run_ok(const char *const argv[], const char *package)
{
	ck_assert_msg(run(argv, package), "%s %s %s failed", argv[0], argv[1], argv[2]);
}



/* Whether the shortcut answers for path with t; when it does, its verdict
 * must be libbfd's, field by field. */
static bool
agrees(const char *path, const struct gr_bfd_target *t)
{
	struct gr_cand_info fast, slow;

	memset(&fast, 0x5a, sizeof(fast));
	if (!gr_bfd_classify_fast(path, t, &fast))
		return false;
	ck_assert_int_eq(gr_bfd_classify_libbfd(path, t, &slow), GR_OK);
	ck_assert_msg(fast.kind == slow.kind && fast.thin == slow.thin && fast.empty == slow.empty &&
	                  !strcmp(fast.format, slow.format) && !strcmp(fast.arch, slow.arch),
	              "%s: shortcut kind %d thin %d empty %d %s %s, libbfd kind %d thin %d empty %d %s %s", path,
	              fast.kind, fast.thin, fast.empty, fast.format, fast.arch, slow.kind, slow.thin, slow.empty,
	              slow.format, slow.arch);
	return true;
}

/* agrees() for every target; true when the shortcut answered for the host's. */
static bool
agrees_all(const char *path)
{
	bool h = agrees(path, &host);

	(void)agrees(path, &any);
	(void)agrees(path, &i386t);
	return h;
}

/* DIR/NAME (a path into out) with the bytes of b, one field changed: n bytes of v at off. */
static void
mutant(const char *name, const unsigned char *b, size_t len, size_t off, const void *v, size_t n,
       char *out, size_t outsz)
{
	unsigned char *c = malloc(len);

	ck_assert_ptr_nonnull(c);
	memcpy(c, b, len);
	ck_assert_uint_le(off + n, len);
	memcpy(c + off, v, n);
	ck_assert_uint_lt((size_t)snprintf(out, outsz, "%s/%s", dir, name), outsz);
	gr_test_spill(out, c, len);
	free(c);
}

static uint64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* agrees_all on the mutant at path (named name), or on an archive of it
 * alone (lib<name>.a) when in_archive: ar may refuse a damaged member. */
static int
agrees_mutant(const char *name, const char *path, bool in_archive)
{
	char ar[320];
	const char *ar_argv[] = { "ar", "rcs", ar, path, NULL };

	if (!in_archive)
		return agrees_all(path);
	snprintf(ar, sizeof(ar), "%s/lib%s.a", dir, name);
	return run(ar_argv, "binutils") ? agrees_all(ar) : 0;
}

/* Every field the shortcut reads, changed one at a time in an object: a
 * verdict only where libbfd gives the same. Returns how many it answered. */
static int
mutate_object(const char *obj, bool in_archive)
{
	static const struct {
		const char *name;
		size_t off;
		unsigned char v[8];
		size_t n;
	} m[] = {
		{ "class32", 4, { 1 }, 1 },          { "bigendian", 5, { 2 }, 1 },
		{ "version0", 6, { 0 }, 1 },         { "freebsd", 7, { 9 }, 1 },
		{ "gnuabi", 7, { 3 }, 1 },           { "solaris", 7, { 6 }, 1 },
		{ "exec", 16, { 2, 0 }, 2 },         { "dyn", 16, { 3, 0 }, 2 },
		{ "core", 16, { 4, 0 }, 2 },         { "i386", 18, { 3, 0 }, 2 },
		{ "aarch64", 18, { 183, 0 }, 2 },    { "none", 18, { 0, 0 }, 2 },
		{ "eversion", 20, { 2 }, 1 },        { "shoff0", 40, { 0, 0, 0, 0, 0, 0, 0, 0 }, 8 },
		{ "shoffbig", 40, { 0, 0, 0, 0, 0, 0, 1, 0 }, 8 },
		{ "ehsize", 52, { 52, 0 }, 2 },      { "shentsize", 58, { 40, 0 }, 2 },
		{ "shnum0", 60, { 0, 0 }, 2 },       { "shnumbig", 60, { 0xf0, 0x7f }, 2 },
		{ "shstrndx0", 62, { 0, 0 }, 2 },    { "shstrndxbig", 62, { 0xff, 0x7f }, 2 },
		{ "shstrndx1", 62, { 1, 0 }, 2 },    { "phnum", 56, { 1, 0 }, 2 },
	};
	unsigned char *b;
	size_t len, i, k, shnum;
	uint64_t shoff;
	char path[300];
	int answered = 0;

	b = gr_test_slurp_bytes(obj, &len);
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s%s", in_archive ? "a-" : "", m[i].name);
		mutant(name, b, len, m[i].off, m[i].v, m[i].n, path, sizeof(path));
		answered += agrees_mutant(name, path, in_archive);
	}
	/* each section header's link, info, offset, size and entry size, damaged */
	shoff = le64(b + 40);
	shnum = (size_t)(b[60] | b[61] << 8);
	for (k = 1; k < shnum; k++) {
		static const struct {
			const char *name;
			size_t off;
		} f[] = { { "link", 40 }, { "info", 44 }, { "offset", 24 }, { "size", 32 }, { "entsize", 56 }, { "type", 4 } };
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			unsigned char big[4] = { 0xf0, 0xff, 0, 0x40 };
			char name[64];
			snprintf(name, sizeof(name), "%ssh%zu-%s", in_archive ? "a-" : "", k, f[i].name);
			mutant(name, b, len, (size_t)shoff + k * 64 + f[i].off, big, 4, path, sizeof(path));
			answered += agrees_mutant(name, path, in_archive);
		}
	}
	/* cut short, at every 64 bytes */
	for (k = 8; k < len; k += 64) {
		char name[64];
		snprintf(name, sizeof(name), "%scut%zu", in_archive ? "a-" : "", k);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		gr_test_spill(path, b, k);
		answered += agrees_mutant(name, path, in_archive);
	}
	free(b);
	return answered;
}

/* Objects, archives and a shared object made here, then damaged. */
START_TEST(test_made)
{
	static const char src[] = "int gr_fast_a(void) { return 1; }\nint gr_fast_b = 2;\n";
	char c[300], o[300], o2[300], so[300], ar[300], arlong[300], thin[300], nomap[300], empty[300], text[300],
	    textar[300], longo[300], cut[300], hdr[300];
	const char *cc_argv[] = { "cc", "-c", "-O2", "-g", "-o", o, c, NULL };
	const char *cc2_argv[] = { "cc", "-c", "-O2", "-ffunction-sections", "-o", o2, c, NULL };
	const char *so_argv[] = { "cc", "-shared", "-fPIC", "-o", so, c, NULL };
	const char *ar_argv[] = { "ar", "rcs", ar, o, o2, NULL };
	const char *arlong_argv[] = { "ar", "rcs", arlong, longo, o, NULL };
	const char *thin_argv[] = { "ar", "rcsT", thin, o, NULL };
	const char *nomap_argv[] = { "ar", "rcS", nomap, o, NULL };
	const char *text_argv[] = { "ar", "rcs", textar, text, o, NULL };
	struct gr_cand_info info;
	unsigned char *b;
	size_t len;

	gr_test_fresh_tmpdir(dir, sizeof(dir), "gr-bfdfast");
	snprintf(c, sizeof(c), "%s/t.c", dir);
	snprintf(o, sizeof(o), "%s/t.o", dir);
	snprintf(o2, sizeof(o2), "%s/t2.o", dir);
	snprintf(so, sizeof(so), "%s/libt.so", dir);
	snprintf(ar, sizeof(ar), "%s/libt.a", dir);
	snprintf(longo, sizeof(longo), "%s/a-member-name-longer-than-fifteen.o", dir);
	snprintf(arlong, sizeof(arlong), "%s/liblong.a", dir);
	snprintf(thin, sizeof(thin), "%s/libthin.a", dir);
	snprintf(nomap, sizeof(nomap), "%s/libnomap.a", dir);
	snprintf(empty, sizeof(empty), "%s/libempty.a", dir);
	snprintf(text, sizeof(text), "%s/notes.txt", dir);
	snprintf(textar, sizeof(textar), "%s/libtext.a", dir);
	gr_test_write(c, src);
	gr_test_write(text, "not an object\n");
	gr_test_write(empty, "!<arch>\n");
	run_ok(cc_argv, "gcc");
	run_ok(cc2_argv, "gcc");
	run_ok(so_argv, "gcc");
	run_ok(ar_argv, "binutils");
	b = gr_test_slurp_bytes(o, &len);
	gr_test_spill(longo, b, len);
	free(b);
	run_ok(arlong_argv, "binutils");
	run_ok(thin_argv, "binutils");
	run_ok(nomap_argv, "binutils");
	run_ok(text_argv, "binutils");

	/* The common cases: answered by the shortcut, as libbfd answers them. */
	ck_assert_msg(agrees_all(o), "the shortcut leaves a plain object to libbfd");
	ck_assert_msg(agrees_all(o2), "the shortcut leaves a plain object to libbfd");
	ck_assert_msg(agrees_all(so), "the shortcut leaves a shared object to libbfd");
	ck_assert_msg(agrees_all(ar), "the shortcut leaves a plain archive to libbfd");
	ck_assert_msg(agrees_all(arlong), "the shortcut leaves an archive with long member names to libbfd");
	ck_assert_int_eq(gr_bfd_classify(ar, &host, &info, NULL), GR_OK);
	ck_assert_int_eq(info.kind, GR_CAND_ARCHIVE);
	ck_assert_str_eq(info.format, "elf64-x86-64");
	ck_assert_str_eq(info.arch, "i386:x86-64");
	/* Another target asked for: libbfd's. */
	ck_assert(!gr_bfd_classify_fast(ar, &i386t, &info));
	ck_assert_int_eq(gr_bfd_classify(ar, &i386t, &info, NULL), GR_OK);
	ck_assert_int_eq(info.kind, GR_CAND_INCOMPATIBLE);
	/* The unusual ones: libbfd's (or the same verdict). */
	(void)agrees_all(thin);
	(void)agrees_all(nomap);
	(void)agrees_all(empty);
	(void)agrees_all(textar);
	(void)agrees_all(text);
	(void)agrees_all(c);
	/* GNUTARGET names another target: libbfd tries that one alone. */
	setenv("GNUTARGET", "elf64-little", 1);
	ck_assert(!gr_bfd_classify_fast(ar, &host, &info));
	setenv("GNUTARGET", "default", 1);
	ck_assert(agrees_all(ar));
	unsetenv("GNUTARGET");
	/* An archive cut short anywhere, and its member headers damaged. */
	b = gr_test_slurp_bytes(ar, &len);
	for (size_t k = 8; k < len; k += 7) {
		snprintf(cut, sizeof(cut), "%s/libcut%zu.a", dir, k);
		gr_test_spill(cut, b, k);
		(void)agrees_all(cut);
	}
	for (size_t k = 8; k < 8 + 60 && k < len; k++) {
		unsigned char x = 'x';
		mutant("libhdr.a", b, len, k, &x, 1, hdr, sizeof(hdr));
		(void)agrees_all(hdr);
	}
	free(b);
	/* Every field read, damaged: in a plain object, then as an archive's first member. */
	ck_assert_int_gt(mutate_object(o, false), 0);
	ck_assert_int_gt(mutate_object(o, true), 0);
}
END_TEST

/* Every archive and shared object of the multiarch directory (what the
 * search and the explanations judge): the same verdicts, and most of them
 * answered by the shortcut. */
START_TEST(test_installed)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu", "/usr/lib/gcc/x86_64-linux-gnu/12" };
	size_t d, seen = 0, fast = 0;

	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		DIR *dp = opendir(dirs[d]);
		struct dirent *de;
		ck_assert_msg(dp != NULL, "%s: no such directory (Debian's libc6-dev and gcc-12 install it)", dirs[d]);
		while ((de = readdir(dp)) != NULL) {
			char path[600];
			size_t l = strlen(de->d_name);
			if (!((l > 2 && !strcmp(de->d_name + l - 2, ".a")) || (l > 2 && !strcmp(de->d_name + l - 2, ".o")) ||
			      strstr(de->d_name, ".so")))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
			seen++;
			fast += agrees_all(path);
		}
		closedir(dp);
	}
	ck_assert_uint_gt(seen, 50);
	ck_assert_msg(fast * 2 > seen, "the shortcut answered for %zu of %zu installed files", fast, seen);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_made,
		test_installed,
	};

	return gr_test_run(gr_test_suite("bfdfast", "bfdfast", tests, sizeof(tests) / sizeof(tests[0]), 300), false);
}
