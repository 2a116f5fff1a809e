/* Unit tests for gr_gocache: the key follows the .pc files' names and
 * contents (not their times), the PKG_CONFIG_* variables and the pkg-config
 * words; the search directories; the CGO_CPPFLAGS value; pkg-config's own
 * search list, cached by the program's identity; the key remembered by the
 * .pc files' identities (not when a directory or file could not be read for
 * a reason that may pass: the test links with -Wl,--wrap for opendir, readdir
 * and openat to inject one); go env's answers, cached by all they depend on. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gr_gocache.h"
#include "gr_test.h"

static char base[64];  /* the test's directory under /tmp (gr_test_tmpdir) */

DIR *__real_opendir(const char *path);
DIR *__wrap_opendir(const char *path);
struct dirent *__real_readdir(DIR *d);
struct dirent *__wrap_readdir(DIR *d);
int __real_openat(int dfd, const char *path, int flags, ...);
int __wrap_openat(int dfd, const char *path, int flags, ...);

/* One failure, injected: the fail_call'th opendir of fail_dir (from 1) fails
 * with fail_errno (EMFILE when 0) or, fail_readdir, its first readdir with
 * ENOMEM; with fail_name set, the fail_call'th openat of that name fails with
 * fail_errno (EMFILE when 0). seen counts the calls, failed the failures made. */
static char fail_dir[256];
static const char *fail_name;
static bool fail_readdir;
static int fail_call, seen, failed, fail_errno;
static DIR *fail_stream;

DIR *
__wrap_opendir(const char *path)
{
	DIR *d;

	if (!fail_dir[0] || fail_name || strcmp(path, fail_dir) || ++seen != fail_call)
		return __real_opendir(path);
	if (!fail_readdir) {
		failed++;
		errno = fail_errno ? fail_errno : EMFILE;
		return NULL;
	}
	d = __real_opendir(path);
	fail_stream = d;
	return d;
}

struct dirent *
__wrap_readdir(DIR *d)
{
	if (d && d == fail_stream) {
		fail_stream = NULL;
		failed++;
		errno = ENOMEM;
		return NULL;
	}
	return __real_readdir(d);
}

int
__wrap_openat(int dfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (fail_name && !strcmp(path, fail_name) && ++seen == fail_call) {
		failed++;
		errno = fail_errno ? fail_errno : EMFILE;
		return -1;
	}
	return __real_openat(dfd, path, flags, mode);
}

/* Move a file's times one second on, leaving its content alone. */
static void
touch_later(const char *dir, const char *name)
{
	char p[256];
	struct stat sb;
	struct timespec t[2];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	ck_assert_int_eq(stat(p, &sb), 0);
	t[0] = sb.st_atim;
	t[1] = sb.st_mtim;
	t[0].tv_sec += 1;
	t[1].tv_sec += 1;
	ck_assert_int_eq(utimensat(AT_FDCWD, p, t, 0), 0);
}

static void
key_of(char *const *words, char *const *envp, char key[GR_GOCACHE_KEYLEN + 1], struct gr_gocache_stats *st)
{
	struct gr_error err;

	ck_assert_int_eq(gr_gocache_key(words, "/usr/bin:/bin", envp, "", key, st, &err), GR_OK);
	ck_assert_uint_eq(strlen(key), GR_GOCACHE_KEYLEN);
	ck_assert_uint_eq(strspn(key, "0123456789abcdef"), GR_GOCACHE_KEYLEN);
}

START_TEST(test_key)
{
	char d1[96], d2[96], path[256], k1[GR_GOCACHE_KEYLEN + 1], k[GR_GOCACHE_KEYLEN + 1];
	char *words[] = { "pkg-config", NULL }, *words2[] = { "pkg-config", "--define-prefix", NULL };
	struct gr_gocache_stats st;

	gr_test_tmpdir(base, sizeof(base), "gr-gocache");
	snprintf(d1, sizeof(d1), "%s/one", base);
	snprintf(d2, sizeof(d2), "%s/two", base);
	ck_assert_int_eq(mkdir(d1, 0755), 0);
	ck_assert_int_eq(mkdir(d2, 0755), 0);
	gr_test_put(d1, "a.pc", "Name: a\nVersion: 1\nLibs: -la\nLibs.private: -lm\n");
	gr_test_put(d2, "b.pc", "Name: b\nVersion: 1\nLibs: -lb\n");
	snprintf(path, sizeof(path), "PKG_CONFIG_PATH=%s:%s", d1, d2);
	{
		/* PKG_CONFIG_LIBDIR empty: no system directory, only the two. */
		char *envp[] = { path, "PKG_CONFIG_LIBDIR=", "HOME=/nowhere", NULL };
		char *envp_sysroot[] = { path, "PKG_CONFIG_LIBDIR=", "PKG_CONFIG_SYSROOT_DIR=/sys", NULL };
		char *envp_swapped[] = { "PKG_CONFIG_LIBDIR=", path, "OTHER=x", NULL };

		key_of(words, envp, k1, &st);
		ck_assert_uint_eq(st.dirs, 2);
		ck_assert_uint_eq(st.files, 2);
		ck_assert_int_eq(st.bytes, (long long)(strlen("Name: a\nVersion: 1\nLibs: -la\nLibs.private: -lm\n") +
		                                       strlen("Name: b\nVersion: 1\nLibs: -lb\n")));
		key_of(words, envp, k, NULL);
		ck_assert_str_eq(k, k1);                 /* the same inputs, the same key */
		key_of(words, envp_swapped, k, NULL);
		ck_assert_str_eq(k, k1);                 /* variable order, other variables: no matter */
		touch_later(d1, "a.pc");
		key_of(words, envp, k, NULL);
		ck_assert_str_eq(k, k1);                 /* times are not content */
		gr_test_put(d1, "a.pc", "Name: a\nVersion: 1\nLibs: -la\nLibs.private: -lz\n");
		key_of(words, envp, k, NULL);
		ck_assert_str_ne(k, k1);                 /* Libs.private changed, same size */
		gr_test_put(d1, "a.pc", "Name: a\nVersion: 1\nLibs: -la\nLibs.private: -lm\n");
		key_of(words, envp, k, NULL);
		ck_assert_str_eq(k, k1);                 /* back as it was */
		gr_test_put(d2, "c.pc", "Name: c\nVersion: 1\n");
		key_of(words, envp, k, &st);
		ck_assert_uint_eq(st.files, 3);
		ck_assert_str_ne(k, k1);                 /* a new package */
		snprintf(path, sizeof(path), "%s/c.pc", d2);
		ck_assert_int_eq(unlink(path), 0);
		snprintf(path, sizeof(path), "PKG_CONFIG_PATH=%s:%s", d1, d2);
		gr_test_put(d2, "notes.txt", "not a .pc file\n");
		key_of(words, envp, k, NULL);
		ck_assert_str_eq(k, k1);                 /* only .pc files count */
		key_of(words, envp_sysroot, k, NULL);
		ck_assert_str_ne(k, k1);                 /* a PKG_CONFIG_* variable */
		key_of(words2, envp, k, NULL);
		ck_assert_str_ne(k, k1);                 /* other words */
	}
	{
		/* The directories in the other order: another search, another key. */
		char swapped[256], *envp[] = { swapped, "PKG_CONFIG_LIBDIR=", "HOME=/nowhere", NULL };
		snprintf(swapped, sizeof(swapped), "PKG_CONFIG_PATH=%s:%s", d2, d1);
		key_of(words, envp, k, NULL);
		ck_assert_str_ne(k, k1);
	}
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

START_TEST(test_search_dirs)
{
	struct gr_strvec d;
	struct gr_error err;
	char *plain[] = { "PKG_CONFIG_PATH=/a::/b:", NULL };
	char *libdir[] = { "PKG_CONFIG_PATH=/a", "PKG_CONFIG_LIBDIR=/l1:/l2", NULL };
	char *empty[] = { "PKG_CONFIG_LIBDIR=", NULL };

	gr_strvec_init(&d);
	ck_assert_int_eq(gr_gocache_search_dirs(plain, "/x:/y", &d, &err), GR_OK);
	ck_assert_uint_eq(d.n, 4);
	ck_assert_str_eq(d.v[0], "/a");
	ck_assert_str_eq(d.v[1], "/b");
	ck_assert_str_eq(d.v[2], "/x");
	ck_assert_str_eq(d.v[3], "/y");
	gr_strvec_deinit(&d);
	gr_strvec_init(&d);
	ck_assert_int_eq(gr_gocache_search_dirs(libdir, "/x:/y", &d, &err), GR_OK);
	ck_assert_uint_eq(d.n, 3);                       /* PKG_CONFIG_LIBDIR replaces pc_path */
	ck_assert_str_eq(d.v[1], "/l1");
	ck_assert_str_eq(d.v[2], "/l2");
	gr_strvec_deinit(&d);
	gr_strvec_init(&d);
	ck_assert_int_eq(gr_gocache_search_dirs(empty, "/x:/y", &d, &err), GR_OK);
	ck_assert_uint_eq(d.n, 0);                       /* set but empty: no directory */
	gr_strvec_deinit(&d);
}
END_TEST

START_TEST(test_cppflags)
{
	const char *k = "0123456789abcdef0123456789abcdef";
	char *v;

	v = gr_gocache_cppflags(NULL, k);
	ck_assert_str_eq(v, "-DGORELINK_PKGCONFIG=0123456789abcdef0123456789abcdef");
	free(v);
	v = gr_gocache_cppflags("", k);
	ck_assert_str_eq(v, "-DGORELINK_PKGCONFIG=0123456789abcdef0123456789abcdef");
	free(v);
	v = gr_gocache_cppflags("-I'/a b' -DX=1", k);   /* the user's first, as they are */
	ck_assert_str_eq(v, "-I'/a b' -DX=1 -DGORELINK_PKGCONFIG=0123456789abcdef0123456789abcdef");
	free(v);
}
END_TEST

START_TEST(test_pc_path)
{
	char prog[128], cache[96], *out, *words[] = { prog, NULL }, *none[] = { "/nonexistent/pkg-config", NULL };
	char *envp[] = { "PKG_CONFIG_PATH=/p", NULL };
	struct gr_error err;
	struct stat sb;
	struct timespec t[2];

	gr_test_tmpdir(base, sizeof(base), "gr-gocache");
	snprintf(cache, sizeof(cache), "%s/cache", base);
	ck_assert_int_eq(setenv("GORELINK_CACHE_DIR", cache, 1), 0);
	snprintf(prog, sizeof(prog), "%s/fake-pkg-config", base);
	gr_test_put(base, "fake-pkg-config", "#!/bin/sh\necho /one:/two\n");
	ck_assert_int_eq(chmod(prog, 0755), 0);
	ck_assert_int_eq(gr_gocache_pc_path(gr_test_env(), words, envp, &out, &err), GR_OK);
	ck_assert_str_eq(out, "/one:/two");
	free(out);
	/* Another answer behind the same identity (size and times put back): the cached one. */
	ck_assert_int_eq(stat(prog, &sb), 0);
	gr_test_put(base, "fake-pkg-config", "#!/bin/sh\necho /six:/ten\n");
	t[0] = sb.st_atim;
	t[1] = sb.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, prog, t, 0), 0);
	ck_assert_int_eq(gr_gocache_pc_path(gr_test_env(), words, envp, &out, &err), GR_OK);
	ck_assert_str_eq(out, "/one:/two");
	free(out);
	/* A changed program is asked again. */
	touch_later(base, "fake-pkg-config");
	ck_assert_int_eq(gr_gocache_pc_path(gr_test_env(), words, envp, &out, &err), GR_OK);
	ck_assert_str_eq(out, "/six:/ten");
	free(out);
	/* No program: no list, not an error (go build's pkg-config run says it). */
	ck_assert_int_eq(gr_gocache_pc_path(gr_test_env(), none, envp, &out, &err), GR_OK);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

/* The one entry under the cache's kind dir (asserted), its path in p. */
static void
only_entry(const char *cache, const char *kind, char *p, size_t n)
{
	char d[256];
	struct dirent *de;
	DIR *dir;
	int count = 0;

	snprintf(d, sizeof(d), "%s/%s", cache, kind);
	dir = opendir(d);
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.') {
			ck_assert_int_lt(snprintf(p, n, "%s/%.64s", d, de->d_name), (int)n);
			count++;
		}
	closedir(dir);
	ck_assert_int_eq(count, 1);
}

/* Wait until dir and every entry in it changed more than 2 seconds ago by
 * time(), whose coarse clock is never ahead of the CLOCK_REALTIME
 * gr_gocache_key_cached judges them by (a fixed sleep of 3 s once read as
 * "within 2 s": the files' times are fine-grained, time()'s seconds lag);
 * at most 30 s. */
static void
wait_older(const char *dir)
{
	int tries;

	for (tries = 0; tries < 300; tries++) {
		time_t newest = 0;
		struct stat sb;
		struct dirent *de;
		DIR *d = opendir(dir);
		char p[512];
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(stat(dir, &sb), 0);
		newest = sb.st_ctim.tv_sec > sb.st_mtim.tv_sec ? sb.st_ctim.tv_sec : sb.st_mtim.tv_sec;
		while ((de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".."))
				continue;  /* the parent, where the cache comes and goes */
			ck_assert_int_lt(snprintf(p, sizeof(p), "%s/%s", dir, de->d_name), (int)sizeof(p));
			if (lstat(p, &sb) == 0) {
				if (sb.st_ctim.tv_sec > newest)
					newest = sb.st_ctim.tv_sec;
				if (sb.st_mtim.tv_sec > newest)
					newest = sb.st_mtim.tv_sec;
			}
		}
		closedir(d);
		if (newest < time(NULL) - 2)
			return;
		usleep(100000);
	}
	ck_abort_msg("%s: still changed within 2 seconds of time() after 30 s", dir);
}

/* A fresh base (gr_test_tmpdir PREFIX) with base/pc holding a.pc and b.pc,
 * named by pcp ("PKG_CONFIG_PATH=..."), and the cache base/cache
 * (GORELINK_CACHE_DIR); each buffer 128 bytes or more. */
static void
pc_key_fixture(const char *prefix, char dir[128], char cache[128], char pcp[160])
{
	gr_test_tmpdir(base, sizeof(base), prefix);
	snprintf(dir, 128, "%s/pc", base);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(pcp, 160, "PKG_CONFIG_PATH=%s", dir);
	snprintf(cache, 128, "%s/cache", base);
	ck_assert_int_eq(setenv("GORELINK_CACHE_DIR", cache, 1), 0);
	gr_test_put(dir, "a.pc", "Name: a\nVersion: 1\nLibs: -la\n");
	gr_test_put(dir, "b.pc", "Name: b\nVersion: 1\nLibs: -lb\n");
}

/* The key remembered by the .pc files' identities: the same key and counts
 * as reading them; the remembered answer is what a second build gets (an
 * entry changed by hand shows); a .pc file rewritten with the same size and
 * its modification time put back is read again (its change time moved), and
 * so is a new .pc file; nothing is remembered for files changed in the last
 * 2 seconds. */
START_TEST(test_key_cached)
{
	char dir[128], cache[128], pcp[160], words0[] = "pkg-config", *words[] = { words0, NULL };
	char *envp[] = { NULL, NULL }, k1[GR_GOCACHE_KEYLEN + 1], k2[GR_GOCACHE_KEYLEN + 1], entry[300], *text;
	struct gr_gocache_stats s1, s2;
	struct gr_error err;
	struct stat sb;
	struct timespec t[2];

	pc_key_fixture("gr-pckey", dir, cache, pcp);
	envp[0] = pcp;
	/* Just written: the key is right, and not remembered. */
	ck_assert_int_eq(gr_gocache_key_cached(gr_test_env(), words, "/usr/bin:/bin", envp, "", k1, &s1, &err), GR_OK);
	key_of(words, envp, k2, &s2);
	ck_assert_str_eq(k1, k2);
	snprintf(entry, sizeof(entry), "%s/pc-key", cache);
	ck_assert_int_ne(stat(entry, &sb), 0);
	wait_older(dir);
	ck_assert_int_eq(gr_gocache_key_cached(gr_test_env(), words, "/usr/bin:/bin", envp, "", k1, &s1, &err), GR_OK);
	ck_assert_str_eq(k1, k2);
	ck_assert_uint_eq(s1.files, 2);
	ck_assert_uint_eq(s1.files, s2.files);
	ck_assert_int_eq(s1.bytes, s2.bytes);
	ck_assert_uint_eq(s1.dirs, s2.dirs);
	/* The second run takes the remembered key: an entry changed by hand shows. */
	only_entry(cache, "pc-key", entry, sizeof(entry));
	text = gr_test_slurp(entry);
	ck_assert_ptr_nonnull(strstr(text, k2));
	memset(strstr(text, k2), 'f', GR_GOCACHE_KEYLEN);
	gr_test_write(entry, text);
	free(text);
	ck_assert_int_eq(gr_gocache_key_cached(gr_test_env(), words, "/usr/bin:/bin", envp, "", k1, &s1, &err), GR_OK);
	ck_assert_str_eq(k1, "ffffffffffffffffffffffffffffffff");
	ck_assert_uint_eq(s1.files, 2);
	/* a.pc rewritten, the same size, its times put back: read again. */
	snprintf(entry, sizeof(entry), "%s/a.pc", dir);
	ck_assert_int_eq(stat(entry, &sb), 0);
	gr_test_put(dir, "a.pc", "Name: a\nVersion: 2\nLibs: -la\n");
	t[0] = sb.st_atim;
	t[1] = sb.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, entry, t, 0), 0);
	ck_assert_int_eq(gr_gocache_key_cached(gr_test_env(), words, "/usr/bin:/bin", envp, "", k1, &s1, &err), GR_OK);
	key_of(words, envp, k2, &s2);
	ck_assert_str_eq(k1, k2);
	ck_assert_str_ne(k1, "ffffffffffffffffffffffffffffffff");
	/* A new .pc file. */
	gr_test_put(dir, "c.pc", "Name: c\nVersion: 1\nLibs: -lc\n");
	ck_assert_int_eq(gr_gocache_key_cached(gr_test_env(), words, "/usr/bin:/bin", envp, "", k1, &s1, &err), GR_OK);
	key_of(words, envp, k2, &s2);
	ck_assert_str_eq(k1, k2);
	ck_assert_uint_eq(s1.files, 3);
	ck_assert_int_eq(unsetenv("GORELINK_CACHE_DIR"), 0);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

/* A .pc directory or file that could not be read for a reason that may pass
 * (EMFILE, ENOMEM) gives this run the key it can, but nothing is remembered:
 * remembered, the next runs would take that key (a wrong one, from a failed
 * read) or one read while the memo could not see the directory, for as long
 * as the files stay the same. Each failure in turn, where the memo looks at
 * the directory and where the key reads it. */
START_TEST(test_key_cached_unsure_not_stored)
{
	static const struct { int call; const char *name; bool readdir, key_side; int err; } cases[] = {
		{ 2, NULL, false, true, 0 },    /* the key's opendir */
		{ 1, NULL, false, false, 0 },   /* the memo's opendir */
		{ 2, NULL, true, true, 0 },     /* the key's readdir */
		{ 1, NULL, true, false, 0 },    /* the memo's readdir */
		{ 1, "a.pc", false, true, 0 },  /* the key's open of a.pc */
		/* EACCES is this user's answer only: the cache is shared between
		 * users, and another one reads the file (review H1). */
		{ 1, "a.pc", false, true, EACCES },  /* the key's open of a.pc */
		{ 2, NULL, false, true, EACCES },    /* the key's opendir */
	};
	char dir[128], cache[128], kinddir[160], pcp[160], words0[] = "pkg-config", *words[] = { words0, NULL };
	char *envp[] = { NULL, NULL }, good[GR_GOCACHE_KEYLEN + 1], k[GR_GOCACHE_KEYLEN + 1];
	struct gr_error err;
	size_t i;

	pc_key_fixture("gr-pckey-unsure", dir, cache, pcp);
	envp[0] = pcp;
	snprintf(kinddir, sizeof(kinddir), "%s/pc-key", cache);
	wait_older(dir);  /* older than 2 seconds: a key that may be remembered */
	key_of(words, envp, good, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(fail_dir, sizeof(fail_dir), "%s", dir);
		fail_name = cases[i].name;
		fail_readdir = cases[i].readdir;
		fail_call = cases[i].call;
		fail_errno = cases[i].err;
		seen = failed = 0;
		ck_assert_int_eq(gr_gocache_key_cached(gr_test_env(), words, "/usr/bin:/bin", envp, "", k, NULL, &err),
		                 GR_OK);
		fail_dir[0] = '\0';
		fail_name = NULL;
		fail_stream = NULL;
		fail_errno = 0;
		ck_assert_msg(failed == 1, "case %zu: the failure was not injected (%d)", i, failed);
		/* Where the key's read failed, its key is not the files' (kept, it would be wrong). */
		if (cases[i].key_side)
			ck_assert_msg(strcmp(k, good) != 0, "case %zu: the failure did not show in the key", i);
		else
			ck_assert_str_eq(k, good);
		ck_assert_msg(gr_test_count_entries(kinddir, false) == 0, "case %zu: a key was remembered", i);
		/* The next run reads the files: their key, remembered now. */
		wait_older(dir);
		ck_assert_int_eq(gr_gocache_key_cached(gr_test_env(), words, "/usr/bin:/bin", envp, "", k, NULL, &err),
		                 GR_OK);
		ck_assert_str_eq(k, good);
		ck_assert_msg(gr_test_count_entries(kinddir, false) == 1, "case %zu: the key was not remembered", i);
		ck_assert_int_eq(gr_test_rmtree(cache), 0);
	}
	ck_assert_int_eq(unsetenv("GORELINK_CACHE_DIR"), 0);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

/* The key of go env's answer (av[0] the stand-in go), asserted to exist. */
static char *
goenv_key(const char *const *av, char *const *envp)
{
	char *k = gr_gocache_goenv_key(gr_test_env(), av, envp);

	ck_assert_ptr_nonnull(k);
	return k;
}

/* Whether the go env key changed from old (freed). */
static bool
goenv_changed(char *old, const char *const *av, char *const *envp)
{
	char *k = goenv_key(av, envp);
	bool ch = strcmp(k, old) != 0;

	free(old);
	free(k);
	return ch;
}

/* go env's answer is kept by what it depends on: the go program (its
 * identity), the words, the environment (PATH, CC, CGO_*, GO*...; not
 * gorelink's own variables nor a shell's), the go env file, the main
 * module's go.mod (a toolchain switch) and GOROOT's go.env; none without a
 * main module nor for a go program changed a moment ago; an answer stored
 * is found again under its key only. */
START_TEST(test_goenv)
{
	char go[160], root[128], mod[160], home[160], cache[128], goenvfile[200], *k, *out;
	char *envp[] = { NULL, "PATH=/usr/bin:/bin", "GOFLAGS=-buildvcs=false", "SHLVL=1", "GORELINK_LINK_STATE=/a", NULL };
	char *envp_shell[] = { NULL, "PATH=/usr/bin:/bin", "GOFLAGS=-buildvcs=false", "SHLVL=2", "GORELINK_LINK_STATE=/b",
	                       "OLDPWD=/x", "_=/usr/bin/make", NULL };
	char *envp_path[] = { NULL, "PATH=/opt/cc/bin:/usr/bin:/bin", "GOFLAGS=-buildvcs=false", NULL };
	char *envp_cc[] = { NULL, "PATH=/usr/bin:/bin", "GOFLAGS=-buildvcs=false", "CC=clang", NULL };
	char *envp_cgo[] = { NULL, "PATH=/usr/bin:/bin", "GOFLAGS=-buildvcs=false", "CGO_LDFLAGS=-fuse-ld=gold", NULL };
	char *envp_pc[] = { NULL, "PATH=/usr/bin:/bin", "GOFLAGS=-buildvcs=false", "PKG_CONFIG=pkgconf", NULL };
	char *envp_arch[] = { NULL, "PATH=/usr/bin:/bin", "GOFLAGS=-buildvcs=false", "GOARCH=arm64", NULL };
	char shim[160], shimgo[180];
	const char *av[] = { go, "env", "CC", "CGO_ENABLED", NULL }, *av2[] = { go, "env", "CC", NULL };
	const char *avshim[] = { shimgo, "env", "CC", "CGO_ENABLED", NULL };
	size_t len;
	char hv[200];

	gr_test_tmpdir(base, sizeof(base), "gr-goenv");
	/* A stand-in toolchain: ROOT/bin/go (only its identity counts), ROOT/go.env. */
	snprintf(root, sizeof(root), "%s/goroot", base);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	snprintf(go, sizeof(go), "%s/bin", root);
	ck_assert_int_eq(mkdir(go, 0755), 0);
	gr_test_put(go, "go", "\177ELF, a stand-in: only its identity and its first bytes count\n");
	snprintf(go, sizeof(go), "%s/bin/go", root);
	ck_assert_int_eq(chmod(go, 0755), 0);
	gr_test_put(root, "go.env", "GOTOOLCHAIN=auto\n");
	/* A shim: SHIM/bin/go a script, SHIM/go.env. */
	snprintf(shim, sizeof(shim), "%s/shim", base);
	ck_assert_int_eq(mkdir(shim, 0755), 0);
	gr_test_put(shim, "go.env", "GOTOOLCHAIN=auto\n");
	snprintf(shimgo, sizeof(shimgo), "%s/shim/bin", base);
	ck_assert_int_eq(mkdir(shimgo, 0755), 0);
	gr_test_put(shimgo, "go", "#!/bin/sh\nexec /elsewhere/bin/go \"$@\"\n");
	snprintf(shimgo, sizeof(shimgo), "%s/shim/bin/go", base);
	ck_assert_int_eq(chmod(shimgo, 0755), 0);
	snprintf(home, sizeof(home), "%s/home", base);
	ck_assert_int_eq(mkdir(home, 0755), 0);
	snprintf(hv, sizeof(hv), "HOME=%s", home);
	envp[0] = envp_shell[0] = envp_path[0] = envp_cc[0] = envp_cgo[0] = envp_pc[0] = envp_arch[0] = hv;
	snprintf(mod, sizeof(mod), "%s/app", base);
	ck_assert_int_eq(mkdir(mod, 0755), 0);
	/* A go program changed a moment ago: no key (its stamp might not tell
	 * the next change); older than gr_modgraph's racy window below. */
	gr_test_put(mod, "go.mod", "module example.com/app\n\ngo 1.19\n");
	ck_assert_int_eq(chdir(mod), 0);
	ck_assert_ptr_null(gr_gocache_goenv_key(gr_test_env(), av, envp));
	ck_assert_int_eq(unlink("go.mod"), 0);
	sleep(3);
	/* No main module (GOPATH mode): no key, go env runs. */
	ck_assert_int_eq(chdir(mod), 0);
	ck_assert_ptr_null(gr_gocache_goenv_key(gr_test_env(), av, envp));
	gr_test_put(mod, "go.mod", "module example.com/app\n\ngo 1.19\n");

	k = goenv_key(av, envp);
	ck_assert_uint_eq(strlen(k), strlen("goenv 1 ") + 64);
	ck_assert(!goenv_changed(strdup(k), av, envp));              /* the same inputs, the same key */
	ck_assert(goenv_changed(strdup(k), av2, envp));              /* the words */
	ck_assert(!goenv_changed(strdup(k), av, envp_shell));        /* a shell's and gorelink's variables: no */
	ck_assert(goenv_changed(strdup(k), av, envp_path));          /* PATH: whether CC is found (cgo's default) */
	ck_assert(goenv_changed(strdup(k), av, envp_cc));            /* CC */
	ck_assert(goenv_changed(strdup(k), av, envp_cgo));           /* CGO_* */
	ck_assert(goenv_changed(strdup(k), av, envp_pc));            /* PKG_CONFIG */
	ck_assert(goenv_changed(strdup(k), av, envp_arch));          /* GO* */
	/* The go env file (go env -w), HOME/.config/go/env. */
	snprintf(goenvfile, sizeof(goenvfile), "%s/.config", home);
	ck_assert_int_eq(mkdir(goenvfile, 0755), 0);
	snprintf(goenvfile, sizeof(goenvfile), "%s/.config/go", home);
	ck_assert_int_eq(mkdir(goenvfile, 0755), 0);
	gr_test_put(goenvfile, "env", "CC=musl-gcc\n");
	ck_assert(goenv_changed(k, av, envp));
	k = goenv_key(av, envp);
	/* The main module's go.mod (its go and toolchain lines pick the toolchain). */
	gr_test_put(mod, "go.mod", "module example.com/app\n\ngo 1.19\n\ntoolchain go1.99.0\n");
	ck_assert(goenv_changed(k, av, envp));
	k = goenv_key(av, envp);
	/* GOROOT's go.env, beside the go program's bin. */
	gr_test_put(root, "go.env", "GOTOOLCHAIN=local\n");
	ck_assert(goenv_changed(k, av, envp));
	k = goenv_key(av, envp);
	/* Stored and found again; another key finds nothing. */
	snprintf(cache, sizeof(cache), "%s/cache", base);
	ck_assert_int_eq(setenv("GORELINK_CACHE_DIR", cache, 1), 0);
	ck_assert(!gr_gocache_goenv_get(gr_test_env(), k, &out, &len));
	gr_gocache_goenv_put(gr_test_env(), k, "gcc\n1\n", 6);
	ck_assert(gr_gocache_goenv_get(gr_test_env(), k, &out, &len));
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(out, "gcc\n1\n");
	free(out);
	gr_test_put(root, "go.env", "GOTOOLCHAIN=auto\n");
	ck_assert(goenv_changed(strdup(k), av, envp));
	{
		char *k2 = goenv_key(av, envp);
		ck_assert(!gr_gocache_goenv_get(gr_test_env(), k2, &out, &len));
		free(k2);
	}
	free(k);
	/* A script or a shim as the go program (it may run a go of another
	 * GOROOT, whose go.env the key would not name), beside a go.env of its
	 * own: no key. */
	ck_assert_ptr_null(gr_gocache_goenv_key(gr_test_env(), avshim, envp));
	/* The go program itself (another toolchain in its place): no key until
	 * its new stamp is old enough to tell a later change. */
	touch_later(root, "bin/go");
	ck_assert_ptr_null(gr_gocache_goenv_key(gr_test_env(), av, envp));
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(unsetenv("GORELINK_CACHE_DIR"), 0);
	ck_assert_int_eq(gr_test_rmtree(base), 0);
}
END_TEST

/* SHA-256: FIPS 180-4's vectors, and every length from 0 to 300 bytes and a
 * few large ones at odd offsets, the same with the SHA extensions (where the
 * CPU has them) as with the portable rounds; a file the same as its bytes. */
START_TEST(test_sha256)
{
	static const struct { const char *in, *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	static const size_t big[] = { 4095, 65536, 65537, 1000000, 3 * 65536 + 17 };
	char hex[65], port[65], path[128], dir[64];
	unsigned char *buf;
	size_t i, n;
	unsigned x = 12345;
	int pass;
	FILE *f;

	buf = malloc(1000000 + 8);  /* the largest length at the largest offset (6) */
	ck_assert_ptr_nonnull(buf);
	for (pass = 0; pass < 2; pass++) {
		gr_gocache_sha256_portable(pass == 1);
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			gr_gocache_sha256(v[i].in, strlen(v[i].in), hex);
			ck_assert_str_eq(hex, v[i].hex);
		}
		memset(buf, 'a', 1000000);
		gr_gocache_sha256(buf, 1000000, hex);
		ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	for (i = 0; i < 1000000 + 8; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (n = 0; n <= 300 + sizeof(big) / sizeof(big[0]); n++) {
		size_t len = n <= 300 ? n : big[n - 301], off = n % 7;
		gr_gocache_sha256_portable(false);
		gr_gocache_sha256(buf + off, len, hex);
		gr_gocache_sha256_portable(true);
		gr_gocache_sha256(buf + off, len, port);
		ck_assert_msg(!strcmp(hex, port), "length %zu: %s, portable %s", len, hex, port);
	}
	/* A file read in 64 KiB pieces: the digest of its bytes. */
	gr_test_tmpdir(dir, sizeof(dir), "gr-sha");
	snprintf(path, sizeof(path), "%s/sha", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf + 3, 1, 3 * 65536 + 17, f), 3 * 65536 + 17);
	ck_assert_int_eq(fclose(f), 0);
	gr_gocache_sha256_portable(false);
	ck_assert_int_eq(gr_gocache_sha256_file(path, hex), 0);
	gr_gocache_sha256(buf + 3, 3 * 65536 + 17, port);
	ck_assert_str_eq(hex, port);
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
	free(buf);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_key,
		test_search_dirs,
		test_cppflags,
		test_pc_path,
		test_key_cached,
		test_key_cached_unsure_not_stored,
		test_goenv,
		test_sha256,
	};

	/* 30 s a test: two of them wait 3 s for the files to age, on a machine that may be busy. */
	return gr_test_run(gr_test_suite("gocache", "gocache", tests, sizeof(tests) / sizeof(tests[0]), 30), false);
}
