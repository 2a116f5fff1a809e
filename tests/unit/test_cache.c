/* Unit tests for the shared cache and the cached toolchain discovery. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_diag.h"
#include "gr_kv.h"
#include "gr_symindex.h"
#include "gr_tccache.h"
#include "gr_test.h"

static char dir[64];

static void
setup(void)
{
	gr_test_tmpdir(dir, sizeof(dir), "gr-cache");
	setenv("GORELINK_CACHE_DIR", dir, 1);
}

/* The one entry file under dir/kind. */
static void
entry_path(const char *kind, char *out, size_t outsz)
{
	char d[256];

	snprintf(d, sizeof(d), "%s/%s", dir, kind);
	gr_test_one_entry(d, out, outsz);
}

START_TEST(test_roundtrip)
{
	struct gr_error e;
	char *data;
	size_t len;

	setup();
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key one", &data, &len), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_put(gr_test_env(), "k", "key one", "va\nlue\0x", 8, &e), GR_OK);
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key one", &data, &len), GR_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(data, "va\nlue\0x", 8), 0);
	free(data);
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key two", &data, &len), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "other", "key one", &data, &len), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_put(gr_test_env(), "k", "key one", "new", 3, &e), GR_OK);
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key one", &data, &len), GR_OK);
	ck_assert_str_eq(data, "new");
	free(data);
}
END_TEST

/* The size limit (review finding 5): an entry of exactly gr_cache_room bytes
 * is written and read back; one byte more is refused by gr_cache_put and
 * nothing is written (before, it was written and gr_cache_get never read it). */
START_TEST(test_size_limit)
{
	static const char key[] = "a key for the size limit";
	struct gr_error e;
	size_t room = gr_cache_room(key), len;
	char *big, *data, d[256];
	DIR *dp;
	struct dirent *de;
	int files = 0;

	setup();
	ck_assert_uint_gt(room, (size_t)1 << 20);
	ck_assert_uint_lt(room, (size_t)4 << 20);
	ck_assert_uint_eq(gr_cache_room(key) + strlen(key), gr_cache_room("k") + 1);
	big = malloc(room + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', room + 1);
	ck_assert_int_eq(gr_cache_put(gr_test_env(), "big", key, big, room + 1, &e), GR_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "limit"));
	snprintf(d, sizeof(d), "%s/big", dir);
	if ((dp = opendir(d)) != NULL) {
		while ((de = readdir(dp)) != NULL)
			files += de->d_name[0] != '.';
		closedir(dp);
	}
	ck_assert_int_eq(files, 0);
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "big", key, &data, &len), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_put(gr_test_env(), "big", key, big, room, &e), GR_OK);
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "big", key, &data, &len), GR_OK);
	ck_assert_uint_eq(len, room);
	ck_assert_int_eq(memcmp(data, big, room), 0);
	free(data);
	free(big);
}
END_TEST

START_TEST(test_disabled_and_corrupt)
{
	struct gr_error e;
	char *data, path[512];
	size_t len;
	struct stat st;

	setup();
	ck_assert_int_eq(gr_cache_put(gr_test_env(), "k", "key", "v", 1, &e), GR_OK);
	entry_path("k", path, sizeof(path));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	/* A stored key that differs (a hash collision, or tampering) is a miss. */
	gr_test_write(path, "gorelink-cache 1\nkez\nv");
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key", &data, &len), GR_ENOTFOUND);
	gr_test_write(path, "gorelink-cache 1\nke");
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key", &data, &len), GR_ENOTFOUND);
	gr_test_write(path, "");
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key", &data, &len), GR_ENOTFOUND);
	gr_test_write(path, "gorelink-cache 2\nkey\nv");
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key", &data, &len), GR_ENOTFOUND);
	/* An empty GORELINK_CACHE_DIR turns the cache off. */
	setenv("GORELINK_CACHE_DIR", "", 1);
	ck_assert_ptr_null(gr_cache_dir(gr_test_env()));
	ck_assert_int_eq(gr_cache_put(gr_test_env(), "k", "key", "v", 1, &e), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_get(gr_test_env(), "k", "key", &data, &len), GR_ENOTFOUND);
	/* XDG_CACHE_HOME, then HOME. */
	unsetenv("GORELINK_CACHE_DIR");
	setenv("XDG_CACHE_HOME", "/x/y", 1);
	data = gr_cache_dir(gr_test_env());
	ck_assert_str_eq(data, "/x/y/gorelink");
	free(data);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/h", 1);
	data = gr_cache_dir(gr_test_env());
	ck_assert_str_eq(data, "/h/.cache/gorelink");
	free(data);
}
END_TEST

/* Writers racing on one key never expose a partial entry to readers. */
START_TEST(test_concurrent)
{
	static char big[65536];
	struct gr_error e;
	pid_t kids[4];
	int stop[2];
	int i, k, status, bad = 0, hits = 0, race_hits = 0, running = 4;
	time_t give_up;

	setup();
	/* The writers keep writing (at least 100 times each) until the reader
	 * closes the stop pipe: every read before that is during the race. */
	ck_assert_int_eq(pipe(stop), 0);
	for (k = 0; k < 4; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			char c;
			close(stop[1]);
			if (fcntl(stop[0], F_SETFL, O_NONBLOCK) != 0)
				_exit(1);
			memset(big, 'a' + k, sizeof(big));
			for (i = 0;; i++) {
				if (gr_cache_put(gr_test_env(), "race", "one key", big, sizeof(big), &e) != GR_OK)
					_exit(1);
				if (i >= 100 && read(stop[0], &c, 1) == 0)
					_exit(0);
			}
		}
	}
	close(stop[0]);
	/* Read until the writers have all exited; the race ends after 50 hits
	 * (or 30 s without them, which fails below). */
	give_up = time(NULL) + 30;
	while (running > 0) {
		char *data;
		size_t len, j;
		if (stop[1] >= 0 && (race_hits >= 50 || time(NULL) > give_up)) {
			close(stop[1]);
			stop[1] = -1;
		}
		for (k = 0; k < 4; k++)
			if (kids[k] > 0) {
				pid_t r = waitpid(kids[k], &status, WNOHANG);
				ck_assert_int_ge(r, 0);
				if (r == kids[k]) {
					ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
					kids[k] = 0;
					running--;
				}
			}
		if (gr_cache_get(gr_test_env(), "race", "one key", &data, &len) != GR_OK)
			continue;
		hits++;
		if (stop[1] >= 0)
			race_hits++;
		if (len != sizeof(big))
			bad++;
		for (j = 1; j < len; j++)
			if (data[j] != data[0]) {
				bad++;
				break;
			}
		free(data);
	}
	ck_assert_int_eq(bad, 0);
	/* The reader did read while all four writers were writing. */
	ck_assert_int_ge(race_hits, 50);
	ck_assert_int_ge(hits, race_hits);
	{
		/* No temporary files are left behind. */
		char d[256];
		DIR *dp;
		struct dirent *de;
		int n = 0;
		snprintf(d, sizeof(d), "%s/race", dir);
		dp = opendir(d);
		ck_assert_ptr_nonnull(dp);
		while ((de = readdir(dp)) != NULL)
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				n++;
		closedir(dp);
		ck_assert_int_eq(n, 1);
	}
}
END_TEST

/* The toolchain is discovered once, answered from the cache after that, and
 * discovered again when the compiler changes. */
START_TEST(test_toolchain_cache)
{
	char cc[300];
	char *argv[2] = { cc, NULL };
	struct gr_toolchain a, b, c;
	struct gr_error e;
	bool hit;
	size_t i;
	struct timespec later[2];

	setup();
	snprintf(cc, sizeof(cc), "%s/mycc", dir);
	gr_test_write(cc, "#!/bin/sh\nexec gcc \"$@\"\n");
	ck_assert_int_eq(chmod(cc, 0755), 0);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
	ck_assert(!hit);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &b, &hit, &e), GR_OK);
	ck_assert(hit);
	ck_assert_uint_eq(a.driver_dirs.n, b.driver_dirs.n);
	for (i = 0; i < a.driver_dirs.n; i++)
		ck_assert_str_eq(a.driver_dirs.v[i], b.driver_dirs.v[i]);
	ck_assert_uint_eq(a.ld_dirs.n, b.ld_dirs.n);
	for (i = 0; i < a.ld_dirs.n; i++)
		ck_assert_str_eq(a.ld_dirs.v[i], b.ld_dirs.v[i]);
	ck_assert_str_eq(a.ld, b.ld);
	ck_assert_str_eq(a.output_format, b.output_format);
	ck_assert_str_eq(a.output_arch, b.output_arch);
	ck_assert_str_eq(a.emulation, b.emulation);
	gr_toolchain_deinit(&b);
	/* A changed compiler (new mtime) is discovered afresh. */
	later[0].tv_sec = later[1].tv_sec = time(NULL) + 100;
	later[0].tv_nsec = later[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, cc, later, 0), 0);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &c, &hit, &e), GR_OK);
	ck_assert(!hit);
	gr_toolchain_deinit(&c);
	/* So is a changed environment. */
	setenv("LIBRARY_PATH", dir, 1);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &c, &hit, &e), GR_OK);
	ck_assert(!hit);
	unsetenv("LIBRARY_PATH");
	gr_toolchain_deinit(&c);
	gr_toolchain_deinit(&a);
}
END_TEST

/* gr_tccache_keep_compiler (pkgconf-rewrite's main turns it on): the
 * compiler's identity is looked up once and kept for the same words and
 * environment, so a change after the first lookup goes unseen until it is
 * turned off; other words or another environment are looked up afresh. */
START_TEST(test_keep_compiler)
{
	char cc[300], home[320], o2[] = "-O2";
	char *argv[2] = { cc, NULL }, *argv2[3] = { cc, o2, NULL }, *triplet = NULL;
	struct gr_toolchain a;
	struct gr_error e;
	bool hit;
	struct timespec later[2];
	const char *oldhome = getenv("HOME");
	char *saved = oldhome ? strdup(oldhome) : NULL;

	setup();
	snprintf(cc, sizeof(cc), "%s/mycc", dir);
	gr_test_write(cc, "#!/bin/sh\nexec gcc \"$@\"\n");
	ck_assert_int_eq(chmod(cc, 0755), 0);
	gr_tccache_keep_compiler(true);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
	ck_assert(!hit);
	gr_toolchain_deinit(&a);
	/* Changed after the first lookup: the kept identity still answers. */
	later[0].tv_sec = later[1].tv_sec = time(NULL) + 100;
	later[0].tv_nsec = later[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, cc, later, 0), 0);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
	ck_assert(hit);
	gr_toolchain_deinit(&a);
	/* The -dumpmachine entry uses it too (a first call: a miss, answered). */
	ck_assert_int_eq(gr_tccache_dumpmachine(gr_test_env(), argv, &triplet, &hit, &e), GR_OK);
	ck_assert(!hit);
	ck_assert_ptr_nonnull(triplet);
	free(triplet);
	/* Other words: looked up afresh (their own entry, a miss). */
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv2, &a, &hit, &e), GR_OK);
	ck_assert(!hit);
	gr_toolchain_deinit(&a);
	/* Turned off: looked up on every call, the change seen. */
	gr_tccache_keep_compiler(false);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
	ck_assert(!hit);
	gr_toolchain_deinit(&a);
	/* On again, then another environment (HOME, which clang's
	 * configuration lookup reads): looked up afresh, a later change seen. */
	gr_tccache_keep_compiler(true);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
	ck_assert(hit);
	gr_toolchain_deinit(&a);
	later[0].tv_sec = later[1].tv_sec = time(NULL) + 200;
	ck_assert_int_eq(utimensat(AT_FDCWD, cc, later, 0), 0);
	snprintf(home, sizeof(home), "%s/home", dir);
	setenv("HOME", home, 1);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
	ck_assert(!hit);
	gr_toolchain_deinit(&a);
	gr_tccache_keep_compiler(false);
	if (saved)
		setenv("HOME", saved, 1);
	else
		unsetenv("HOME");
	free(saved);
}
END_TEST

/* gr_kv_put's escapes, byte for byte (cache keys and entries are made of them). */
START_TEST(test_kv_put_bytes)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	char *cur, *v, tag;
	bool bad;

	gr_kv_put(&b, 'x', "a\\b\tc\nd\\");
	gr_kv_put(&b, 'y', "");
	gr_kv_put(&b, 'z', NULL);
	gr_kv_put(&b, 'w', "plain");
	ck_assert(!b.nomem);
	ck_assert_str_eq(b.p, "x\ta\\\\b\\tc\\nd\\\\\ny\t\nw\tplain\n");
	cur = b.p;
	ck_assert(gr_kv_next(&cur, &tag, &v, &bad));
	ck_assert_int_eq(tag, 'x');
	ck_assert_str_eq(v, "a\\b\tc\nd\\");
	free(b.p);
}
END_TEST

/* Keep the first hlen bytes of the entry (magic and key), put body after them. */
static void
rewrite_body(const char *path, const char *entry, size_t hlen, const char *body)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(entry, 1, hlen, f), hlen);
	fputs(body, f);
	fclose(f);
}

static void
same_dirs(const struct gr_strvec *x, const struct gr_strvec *y)
{
	size_t i;

	ck_assert_uint_eq(x->n, y->n);
	for (i = 0; i < x->n; i++)
		ck_assert_str_eq(x->v[i], y->v[i]);
}

/* A damaged toolchain entry (its magic and key intact) is a miss: the answer
 * is discovered afresh and the entry rewritten whole. */
START_TEST(test_toolchain_cache_malformed)
{
	char cc[300], path[512], *entry, *body, *mid, bodies[6][8192];
	char *argv[2] = { cc, NULL };
	struct gr_toolchain a, b;
	struct gr_error e;
	bool hit;
	size_t hlen, i, nb = 0;

	setup();
	snprintf(cc, sizeof(cc), "%s/mycc", dir);
	gr_test_write(cc, "#!/bin/sh\nexec gcc \"$@\"\n");
	ck_assert_int_eq(chmod(cc, 0755), 0);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
	ck_assert(!hit);
	ck_assert_uint_gt(a.driver_dirs.n + a.ld_dirs.n, 0);
	entry_path("toolchain", path, sizeof(path));
	entry = gr_test_slurp(path);
	/* The body starts at the first "c\t" line; the key has none. */
	body = strstr(entry, "\nc\t");
	ck_assert_ptr_nonnull(body);
	body++;
	hlen = (size_t)(body - entry);
	ck_assert_uint_lt(strlen(body), sizeof(bodies[0]) - 64);
	/* 1: only the compiler (the reviewer's case: no search dirs at all). */
	snprintf(bodies[nb++], sizeof(bodies[0]), "c\t%s\n", cc);
	/* 2: the whole body but its end line. */
	snprintf(bodies[nb], sizeof(bodies[0]), "%s", body);
	mid = strstr(bodies[nb], "E\tend\n");
	ck_assert_ptr_nonnull(mid);
	*mid = '\0';
	nb++;
	/* 3: cut in the middle of a line. */
	snprintf(bodies[nb++], sizeof(bodies[0]), "%.*s", (int)(strlen(body) / 2), body);
	/* 4: something after the end line. */
	snprintf(bodies[nb++], sizeof(bodies[0]), "%sD\t/nowhere\n", body);
	/* 5: an unknown tag. */
	snprintf(bodies[nb++], sizeof(bodies[0]), "Q\tx\n%s", body);
	/* 6: every search dir dropped, the rest intact. */
	{
		char *w = bodies[nb], *r = body;
		while (*r) {
			char *nl = strchr(r, '\n');
			size_t l = nl ? (size_t)(nl - r) + 1 : strlen(r);
			if (!((r[0] == 'D' || r[0] == 'S') && r[1] == '\t')) {
				memcpy(w, r, l);
				w += l;
			}
			r += l;
		}
		*w = '\0';
		nb++;
	}
	for (i = 0; i < nb; i++) {
		rewrite_body(path, entry, hlen, bodies[i]);
		ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &b, &hit, &e), GR_OK);
		ck_assert_msg(!hit, "damaged body %zu was trusted", i);
		same_dirs(&a.driver_dirs, &b.driver_dirs);
		same_dirs(&a.ld_dirs, &b.ld_dirs);
		ck_assert_str_eq(a.ld, b.ld);
		gr_toolchain_deinit(&b);
		/* ... and rewritten: the next run is a hit with the same answer. */
		ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &b, &hit, &e), GR_OK);
		ck_assert_msg(hit, "entry not rewritten after damaged body %zu", i);
		same_dirs(&a.driver_dirs, &b.driver_dirs);
		same_dirs(&a.ld_dirs, &b.ld_dirs);
		gr_toolchain_deinit(&b);
	}
	free(entry);
	gr_toolchain_deinit(&a);
}
END_TEST

/* Run argv; it must exit 0. */
static void
run_ok(const char *const argv[])
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", argv[0]);
}

/* DIR/lib/libNAME.a from one source file (SUFFIX ".c" or ".cc", compiled
 * with COMPILER); DIR/lib is made on the first call. Its path into ar. */
static void
make_archive(const char *compiler, const char *name, const char *suffix, const char *source,
             char *ar, size_t n)
{
	char lib[300], src[340], obj[340];
	const char *cc_argv[] = { compiler, "-c", "-O2", "-o", obj, src, NULL };
	const char *ar_argv[] = { "ar", "rcs", ar, obj, NULL };
	struct stat st;

	snprintf(lib, sizeof(lib), "%s/lib", dir);
	if (stat(lib, &st) != 0)
		ck_assert_int_eq(mkdir(lib, 0755), 0);
	snprintf(src, sizeof(src), "%s/%s%s", dir, name, suffix);
	snprintf(obj, sizeof(obj), "%s/%s.o", dir, name);
	ck_assert_uint_lt((size_t)snprintf(ar, n, "%s/lib%s.a", lib, name), n);
	gr_test_write(src, source);
	run_ok(cc_argv);
	run_ok(ar_argv);
}

/* Both symbols of libt.a are found there. */
static void
lookups_ok(const struct gr_symindex *ix)
{
	static const char *const syms[] = { "gr_alpha_fn", "gr_zeta_fn" };
	const struct gr_symarchive *const *hits;
	size_t i, n;

	for (i = 0; i < 2; i++) {
		hits = gr_symindex_lookup(ix, syms[i], &n);
		ck_assert_msg(n == 1 && hits, "%s not found", syms[i]);
		ck_assert_str_eq(hits[0]->lname, "t");
	}
	hits = gr_symindex_lookup(ix, "gr_absent_fn", &n);
	ck_assert_uint_eq(n, 0);
}

/* A damaged symbol entry (magic and key intact) is a miss: the armap is read
 * again and the entry rewritten. */
START_TEST(test_symindex_cache_malformed)
{
	static const char *const bodies[] = {
		"",                                              /* empty */
		"count 2\ngr_zeta_fn\ngr_alpha_fn\nend\n",       /* unsorted */
		"count 2\ngr_alpha_fn\ngr_alpha_fn\nend\n",      /* repeated */
		"count 2\ngr_alpha_fn\ngr_zeta_fn\n",            /* no end line */
		"count 2\ngr_alpha_fn\ngr_zeta_fn\nend",         /* end line cut */
		"count 3\ngr_alpha_fn\ngr_zeta_fn\nend\n",       /* count too big */
		"count 1\ngr_alpha_fn\ngr_zeta_fn\nend\n",       /* count too small */
		"count 2\ngr_alpha_fn\n\ngr_zeta_fn\nend\n",     /* an empty line */
		"gr_alpha_fn\ngr_zeta_fn\n",                     /* the old format */
		"count x\nend\n",
		"count 99999999999999999999999\nend\n",
		"count 2\ngr_alpha_fn\ngr_zeta_fn\nend\nextra\n",
	};
	char lib[300], ar[320], path[512], *entry, *body;
	const char *dirs[1] = { lib };
	struct gr_symindex *ix;
	struct gr_symindex_stats st;
	struct gr_error e;
	size_t hlen, i;

	setup();
	snprintf(lib, sizeof(lib), "%s/lib", dir);
	make_archive("gcc", "t", ".c", "int gr_zeta_fn(void) { return 1; }\nint gr_alpha_fn(void) { return 2; }\n",
	             ar, sizeof(ar));
	ck_assert_int_eq(gr_symindex_build(gr_test_env(), dirs, 1, &ix, &st, &e), GR_OK);
	ck_assert_uint_eq(st.archives, 1);
	ck_assert_uint_eq(st.cached, 0);
	lookups_ok(ix);
	gr_symindex_free(ix);
	ck_assert_int_eq(gr_symindex_build(gr_test_env(), dirs, 1, &ix, &st, &e), GR_OK);
	ck_assert_uint_eq(st.cached, 1);
	lookups_ok(ix);
	gr_symindex_free(ix);
	entry_path("symbols", path, sizeof(path));
	entry = gr_test_slurp(path);
	/* magic, "symbols N", the path, the identity: four lines, then the body. */
	for (body = entry, i = 0; i < 4; i++) {
		body = strchr(body, '\n');
		ck_assert_ptr_nonnull(body);
		body++;
	}
	ck_assert_str_eq(body, "count 2\ngr_alpha_fn\ngr_zeta_fn\nend\n");
	hlen = (size_t)(body - entry);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		rewrite_body(path, entry, hlen, bodies[i]);
		ck_assert_int_eq(gr_symindex_build(gr_test_env(), dirs, 1, &ix, &st, &e), GR_OK);
		ck_assert_msg(st.cached == 0, "damaged body %zu was trusted", i);
		ck_assert_uint_eq(st.archives, 1);
		lookups_ok(ix);
		gr_symindex_free(ix);
		ck_assert_int_eq(gr_symindex_build(gr_test_env(), dirs, 1, &ix, &st, &e), GR_OK);
		ck_assert_msg(st.cached == 1, "entry not rewritten after damaged body %zu", i);
		lookups_ok(ix);
		gr_symindex_free(ix);
	}
	free(entry);
}
END_TEST

/* C++ names as linkers print them (demangled) are found in the archive that
 * defines their mangled forms, from a fresh index and from the cache. */
START_TEST(test_symindex_demangled)
{
	static const char *const found[] = {
		"grt::twice(int)", "vtable for grt::Shape", "grt::Shape::area() const",
		"grt::Shape::~Shape()", "typeinfo for grt::Shape",
		/* libiberty's spelling and LLVM's (lld, ld64) of a nested template */
		"grt::depth(grt::Box<grt::Box<int> >)", "grt::depth(grt::Box<grt::Box<int>>)",
	};
	static const char *const absent[] = { "grt::twice(long)", "vtable for grt::Circle", "twice(int)" };
	char lib[300], ar[320];
	const char *dirs[1] = { lib };
	const struct gr_symarchive *const *hits;
	struct gr_symindex *ix;
	struct gr_symindex_stats st;
	struct gr_error e;
	size_t i, n;
	int round;

	setup();
	snprintf(lib, sizeof(lib), "%s/lib", dir);
	make_archive("g++", "cxt", ".cc", "namespace grt {\n"
	                "struct Shape { virtual ~Shape(); virtual int area() const; };\n"
	                "Shape::~Shape() {}\n"
	                "int Shape::area() const { return 1; }\n"
	                "int twice(int x) { return 2 * x; }\n"
	                "template <class T> struct Box { T v; };\n"
	                "int depth(Box<Box<int> > b) { return b.v.v; }\n"
	                "}\n", ar, sizeof(ar));
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(gr_symindex_build(gr_test_env(), dirs, 1, &ix, &st, &e), GR_OK);
		ck_assert_uint_eq(st.cached, (size_t)round);
		/* The mangled name is an ordinary lookup; its demangled form is not. */
		hits = gr_symindex_lookup(ix, "_ZN3grt5twiceEi", &n);
		ck_assert_uint_eq(n, 1);
		hits = gr_symindex_lookup(ix, "grt::twice(int)", &n);
		ck_assert_uint_eq(n, 0);
		for (i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
			ck_assert_int_eq(gr_symindex_lookup_demangled(ix, found[i], &hits, &n, &e), GR_OK);
			ck_assert_msg(n == 1 && hits && !strcmp(hits[0]->lname, "cxt"), "%s not found", found[i]);
		}
		for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
			ck_assert_int_eq(gr_symindex_lookup_demangled(ix, absent[i], &hits, &n, &e), GR_OK);
			ck_assert_msg(n == 0 && !hits, "%s found", absent[i]);
		}
		gr_symindex_free(ix);
	}
}
END_TEST

/* A symbol two archives define goes to the one that defines most of what is
 * undefined, not to the first in search order: libaa.a (first) defines only
 * gr_f1, libzz.a gr_f1, gr_f2 and gr_f3: one group, libzz.a. */
START_TEST(test_diag_prefers_fullest_provider)
{
	static const char text[] =
		"/usr/bin/ld: /tmp/go-link-1/000001.o: in function `a':\n(.text+0x1): undefined reference to `gr_f1'\n"
		"/usr/bin/ld: /tmp/go-link-1/000001.o: in function `b':\n(.text+0x2): undefined reference to `gr_f2'\n"
		"/usr/bin/ld: /tmp/go-link-1/000001.o: in function `c':\n(.text+0x3): undefined reference to `gr_f3'\n";
	char lib[300], src[320], ar[320];
	const char *dirs[1] = { lib };
	struct gr_diag *d;
	struct gr_error e;

	setup();
	snprintf(lib, sizeof(lib), "%s/lib", dir);
	make_archive("gcc", "aa", ".c", "int gr_f1(void) { return 1; }\n", ar, sizeof(ar));
	make_archive("gcc", "zz", ".c", "int gr_f1(void) { return 1; }\nint gr_f2(void) { return 2; }\nint gr_f3(void) { return 3; }\n",
	             ar, sizeof(ar));
	/* The only package that brings -lzz is another library's, through its
	 * Libs.private: --pkg would link that library too, so none is named. */
	snprintf(src, sizeof(src), "%s/pc", dir);
	ck_assert_int_eq(mkdir(src, 0755), 0);
	setenv("PKG_CONFIG_LIBDIR", src, 1);
	unsetenv("PKG_CONFIG_PATH");
	snprintf(src, sizeof(src), "%s/pc/grother.pc", dir);
	gr_test_write(src, "Name: grother\nDescription: t\nVersion: 1\nLibs: -lgrother\nLibs.private: -lzz\n");
	ck_assert_int_eq(gr_diag_run(gr_test_env(), text, dirs, 1, &d, &e), GR_OK);
	ck_assert_uint_eq(d->ngroups, 1);
	ck_assert_ptr_nonnull(d->groups[0].provider);
	ck_assert_str_eq(d->groups[0].provider->lname, "zz");
	ck_assert_uint_eq(d->groups[0].nsymbols, 3);
	ck_assert_ptr_null(d->groups[0].pkg);
	gr_diag_free(d);
}
END_TEST

/* The whole of the one classify entry (the entry's file name into path). */
static char *
verdict_entry(char *path, size_t n)
{
	entry_path("classify", path, n);
	return gr_test_slurp(path);
}

/* Classify path with a fresh gr_tccache_verdicts, kept when keep is set (closed otherwise). */
static enum gr_cand
judge(struct gr_tccache_verdicts **keep, const char *path)
{
	static const struct gr_bfd_target t = { "elf64-x86-64", "i386:x86-64" };
	struct gr_tccache_verdicts *v = gr_tccache_verdicts_new(gr_test_env());
	struct gr_cand_info info;
	struct gr_error e;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(gr_tccache_classify(v, path, &t, &info, &e), GR_OK);
	if (keep)
		*keep = v;
	else
		gr_tccache_verdicts_close(v);
	return info.kind;
}

/* DIR/libs made, holding liba.a and libc.a (empty archives) and libb.so (a
 * linker script: no object); their paths into a, b and c (192 bytes each). */
static void
verdict_libs(char *a, char *b, char *c)
{
	char libs[128];

	snprintf(libs, sizeof(libs), "%s/libs", dir);
	ck_assert_int_eq(mkdir(libs, 0755), 0);
	snprintf(a, 192, "%s/liba.a", libs);
	snprintf(b, 192, "%s/libb.so", libs);
	snprintf(c, 192, "%s/libc.a", libs);
	gr_test_write(a, "!<arch>\n");
	gr_test_write(b, "/* GNU ld script */\nINPUT(x)\n");
	gr_test_write(c, "!<arch>\n");
}

/* Candidates' verdicts (issue 15): one entry per directory, written when the
 * run ends, read back and used (an edited verdict changes the answer), valid
 * only while the file is the same, and merged with the records another run
 * wrote meanwhile. */
START_TEST(test_verdicts)
{
	char a[192], b[192], c[192], entry[512], *text, *edited, *k;
	struct gr_tccache_verdicts *v1, *v2;
	struct stat st;

	setup();
	verdict_libs(a, b, c);
	/* nothing is written before the run ends */
	ck_assert_int_eq(judge(&v1, a), GR_CAND_ARCHIVE);
	ck_assert_int_eq(judge(NULL, b), GR_CAND_SCRIPT);  /* its own run, closed: one entry */
	text = verdict_entry(entry, sizeof(entry));
	ck_assert_ptr_null(strstr(text, "liba.a"));
	ck_assert_ptr_nonnull(strstr(text, "libb.so"));
	free(text);
	gr_tccache_verdicts_close(v1);  /* merged: both records, one entry for the directory */
	text = verdict_entry(entry, sizeof(entry));
	ck_assert_msg(strstr(text, "\np\t") && strstr(text, "liba.a\ni\t") && strstr(text, "libb.so\ni\t"),
	              "both records in %s: %s", entry, text);
	ck_assert_ptr_nonnull(k = strstr(text, "liba.a\ni\t"));
	ck_assert_ptr_nonnull(k = strstr(k, "\nk\t1\n"));
	/* the record is used: said to be another target, the archive is refused */
	ck_assert_ptr_nonnull(edited = strdup(text));
	edited[k - text + 3] = '5';
	gr_test_write(entry, edited);
	ck_assert_int_eq(judge(NULL, a), GR_CAND_INCOMPATIBLE);
	ck_assert_int_eq(judge(NULL, b), GR_CAND_SCRIPT);
	/* a malformed verdict is no answer; libbfd judges the file again */
	edited[k - text + 3] = '9';
	gr_test_write(entry, edited);
	ck_assert_int_eq(judge(NULL, a), GR_CAND_ARCHIVE);
	/* the file changed (same path, new identity): the record is not used */
	edited[k - text + 3] = '5';
	gr_test_write(entry, edited);
	ck_assert_int_eq(judge(NULL, a), GR_CAND_INCOMPATIBLE);
	ck_assert_int_eq(stat(a, &st), 0);
	gr_test_write(a, "/* now a script */\n");  /* another size: another identity */
	ck_assert_int_eq(judge(NULL, a), GR_CAND_SCRIPT);
	free(edited);
	free(text);
	/* two runs at once: the second to end keeps the first's record too */
	ck_assert_int_eq(judge(&v1, c), GR_CAND_ARCHIVE);
	ck_assert_int_eq(judge(&v2, b), GR_CAND_SCRIPT);
	gr_tccache_verdicts_close(v1);
	gr_tccache_verdicts_close(v2);
	text = verdict_entry(entry, sizeof(entry));
	ck_assert_msg(strstr(text, "libc.a\ni\t") && strstr(text, "libb.so\ni\t") && strstr(text, "liba.a\ni\t"),
	              "all three records: %s", text);
	free(text);
}
END_TEST

/* The verdicts' entry does not only grow (review note): a path judged again
 * in the same run (it changed) keeps its newer record only, and a record
 * whose file no longer exists is dropped when the entry is next written. */
START_TEST(test_verdicts_pruned)
{
	static const struct gr_bfd_target t = { "elf64-x86-64", "i386:x86-64" };
	char a[192], b[192], c[192], entry[512], *text, *q;
	struct gr_tccache_verdicts *v;
	struct gr_cand_info info;
	struct gr_error e;
	int n = 0;

	setup();
	verdict_libs(a, b, c);
	ck_assert_ptr_nonnull(v = gr_tccache_verdicts_new(gr_test_env()));
	ck_assert_int_eq(gr_tccache_classify(v, a, &t, &info, &e), GR_OK);
	ck_assert_int_eq(info.kind, GR_CAND_ARCHIVE);
	gr_test_write(a, "/* now a script */\n");  /* changed during the run */
	ck_assert_int_eq(gr_tccache_classify(v, a, &t, &info, &e), GR_OK);
	ck_assert_int_eq(info.kind, GR_CAND_SCRIPT);
	ck_assert_int_eq(gr_tccache_classify(v, b, &t, &info, &e), GR_OK);
	gr_tccache_verdicts_close(v);
	text = verdict_entry(entry, sizeof(entry));
	for (q = text; (q = strstr(q, "liba.a\ni\t")) != NULL; q++)
		n++;
	ck_assert_msg(n == 1, "%d records for liba.a: %s", n, text);
	ck_assert_ptr_nonnull(q = strstr(text, "liba.a\ni\t"));
	ck_assert_msg(strstr(q, "\nk\t4\n") != NULL && strstr(q, "\nk\t4\n") < strstr(q, "\nE\tend\n"),
	              "liba.a's record is the newer one (a script): %s", text);
	ck_assert_ptr_nonnull(strstr(text, "libb.so\ni\t"));
	free(text);
	/* libb.so removed: the next run that writes the entry drops its record */
	ck_assert_int_eq(unlink(b), 0);
	ck_assert_int_eq(judge(NULL, c), GR_CAND_ARCHIVE);
	text = verdict_entry(entry, sizeof(entry));
	ck_assert_msg(strstr(text, "libb.so") == NULL, "record of a removed file kept: %s", text);
	ck_assert_ptr_nonnull(strstr(text, "liba.a\ni\t"));
	ck_assert_ptr_nonnull(strstr(text, "libc.a\ni\t"));
	free(text);
}
END_TEST

/* argv's toolchain is discovered (nothing kept for it yet), then answered from the cache. */
static void
discovered_then_kept(char *const argv[])
{
	struct gr_toolchain a;
	struct gr_error e;
	bool hit;

	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(gr_tccache_discover(gr_test_env(), argv, &a, &hit, &e), GR_OK);
		ck_assert_int_eq(hit, k == 1);
		gr_toolchain_deinit(&a);
	}
}

/* Set path's access and modification times to sec (seconds since the epoch). */
static void
set_mtime(const char *path, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* clang reads configuration files from its own directory (a --config word's,
 * or one named after a target-prefixed executable; clang >= 16 also clang.cfg
 * and the like), from its system and user directories, unless
 * CLANG_NO_DEFAULT_CONFIG: a file created there, one edited in place (the
 * directory's identity unchanged), or a change to the --config file, is
 * discovered afresh; a ccache symlink named clang is keyed by the clang
 * behind it; another driver's key holds none of it. */
START_TEST(test_toolchain_cache_clang_config)
{
	char bin[200], cc[300], cfg[300], cfgword[320], other[300], *st, *st2;
	char *argv[3] = { cc, cfgword, NULL }, *words[2] = { cfgword, NULL };
	struct stat before, after;

	setup();
	/* A "clang" that drops --config= and runs gcc, in a directory of its own
	 * (the cache directory's changes are not the driver's). */
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	ck_assert_int_eq(mkdir(bin, 0755), 0);
	snprintf(cc, sizeof(cc), "%s/x86_64-clang", bin);
	gr_test_write(cc, "#!/bin/sh\nfor a; do shift; case $a in --config=*) ;; *) set -- \"$@\" \"$a\";; esac; "
	              "done\nexec gcc \"$@\"\n");
	ck_assert_int_eq(chmod(cc, 0755), 0);
	snprintf(cfg, sizeof(cfg), "%s/my.cfg", bin);
	gr_test_write(cfg, "-O1\n");
	snprintf(cfgword, sizeof(cfgword), "--config=my.cfg");
	discovered_then_kept(argv);
	/* The --config file changes (size): afresh, then kept again. */
	gr_test_write(cfg, "-fuse-ld=lld\n");
	discovered_then_kept(argv);
	/* A configuration file appears beside the driver (x86_64.cfg). */
	snprintf(other, sizeof(other), "%s/x86_64.cfg", bin);
	gr_test_write(other, "-m32\n");
	discovered_then_kept(argv);
	/* That file edited in place (another size): the directory's identity
	 * stays, the file's changes: afresh. */
	ck_assert_int_eq(stat(bin, &before), 0);
	gr_test_write(other, "-m32 -O2\n");
	ck_assert_int_eq(stat(bin, &after), 0);
	ck_assert(before.st_mtim.tv_sec == after.st_mtim.tv_sec && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	discovered_then_kept(argv);
	/* Edited in place again, the same size, a new modification time: afresh. */
	gr_test_write(other, "-m64 -O2\n");
	set_mtime(other, 1000000000);
	discovered_then_kept(argv);
	/* The state itself: the driver's directory, each *.cfg in it, the system
	 * and user directories, CLANG_NO_DEFAULT_CONFIG, the --config file, named. */
	st = gr_toolchain_config_state(gr_test_env(), cc, words, 1, NULL, 0);
	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(strstr(st, bin));
	ck_assert_ptr_nonnull(strstr(st, cfg));
	ck_assert_ptr_nonnull(strstr(st, other));
	ck_assert_ptr_nonnull(strstr(st, "\n/etc/clang "));
	ck_assert_ptr_nonnull(strstr(st, "CLANG_NO_DEFAULT_CONFIG"));
	{
		struct gr_env env = *gr_test_env();
		char xdg[300], ucfg[340], ccdir[300], ccache[340], link[340], path[700], want[400];

		/* CLANG_NO_DEFAULT_CONFIG set, or set otherwise: another state. */
		env.clang_no_default_config = "1";
		ck_assert_ptr_nonnull(st2 = gr_toolchain_config_state(&env, cc, words, 1, NULL, 0));
		ck_assert_ptr_nonnull(strstr(st2, "CLANG_NO_DEFAULT_CONFIG=1\n"));
		ck_assert_str_ne(st, st2);
		free(st2);
		/* The user directory ($XDG_CONFIG_HOME/clang): a file in it, edited. */
		snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
		ck_assert_int_eq(mkdir(xdg, 0755), 0);
		env.xdg_config_home = xdg;
		snprintf(ucfg, sizeof(ucfg), "%s/clang", xdg);
		ck_assert_int_eq(mkdir(ucfg, 0755), 0);
		snprintf(ucfg, sizeof(ucfg), "%s/clang/clang.cfg", xdg);
		gr_test_write(ucfg, "-O1\n");
		ck_assert_ptr_nonnull(st2 = gr_toolchain_config_state(&env, cc, words, 1, NULL, 0));
		ck_assert_ptr_nonnull(strstr(st2, ucfg));
		free(st);
		st = st2;
		gr_test_write(ucfg, "-O1 -g\n");
		ck_assert_ptr_nonnull(st2 = gr_toolchain_config_state(&env, cc, words, 1, NULL, 0));
		ck_assert_str_ne(st, st2);
		free(st2);
		/* A ccache symlink named after the driver, first on PATH: the driver
		 * behind it (the next one of that name on PATH), named. */
		snprintf(ccdir, sizeof(ccdir), "%s/ccache-bin", dir);
		ck_assert_int_eq(mkdir(ccdir, 0755), 0);
		snprintf(ccache, sizeof(ccache), "%s/ccache", ccdir);
		gr_test_write_mode(ccache, "#!/bin/sh\nexec \"$@\"\n", 0755);
		snprintf(link, sizeof(link), "%s/x86_64-clang", ccdir);
		ck_assert_int_eq(symlink("ccache", link), 0);
		snprintf(path, sizeof(path), "%s:%s:/usr/bin:/bin", ccdir, bin);
		env.path = path;
		ck_assert_ptr_nonnull(st2 = gr_toolchain_config_state(&env, link, words, 1, NULL, 0));
		snprintf(want, sizeof(want), "ccache runs %s ", cc);
		ck_assert_msg(!strncmp(st2, want, strlen(want)), "%s", st2);
		ck_assert_ptr_nonnull(strstr(st2, other));
		free(st2);
		/* ccache itself, or a ccache symlink for gcc: nothing. */
		ck_assert_ptr_nonnull(st2 = gr_toolchain_config_state(&env, ccache, words, 1, NULL, 0));
		ck_assert_str_eq(st2, "");
		free(st2);
		snprintf(link, sizeof(link), "%s/gcc", ccdir);
		ck_assert_int_eq(symlink("ccache", link), 0);
		ck_assert_ptr_nonnull(st2 = gr_toolchain_config_state(&env, link, words, 1, NULL, 0));
		ck_assert_str_eq(st2, "");
		free(st2);
	}
	free(st);
	/* gcc reads no such files: nothing. */
	st = gr_toolchain_config_state(gr_test_env(), "/bin/sh", words, 1, NULL, 0);
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(st, "");
	free(st);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_verdicts,
		test_verdicts_pruned,
		test_roundtrip,
		test_size_limit,
		test_disabled_and_corrupt,
		test_concurrent,
		test_toolchain_cache,
		test_toolchain_cache_malformed,
		test_toolchain_cache_clang_config,
		test_keep_compiler,
		test_kv_put_bytes,
		test_symindex_cache_malformed,
		test_symindex_demangled,
		test_diag_prefers_fullest_provider,
	};

	return gr_test_run(gr_test_suite("cache", "cache", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
