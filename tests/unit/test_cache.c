/* Unit tests for the shared cache and the cached toolchain discovery. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_tccache.h"

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gr-cache-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("GORELINK_CACHE_DIR", dir, 1);
}

/* The one entry file under dir/kind. */
static void
entry_path(const char *kind, char *out, size_t outsz)
{
	char d[256];
	DIR *dp;
	struct dirent *de;

	snprintf(d, sizeof(d), "%s/%s", dir, kind);
	dp = opendir(d);
	ck_assert_ptr_nonnull(dp);
	out[0] = '\0';
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.')
			snprintf(out, outsz, "%s/%s", d, de->d_name);
	closedir(dp);
	ck_assert(out[0] != '\0');
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_roundtrip)
{
	struct gr_error e;
	char *data;
	size_t len;

	setup();
	ck_assert_int_eq(gr_cache_get("k", "key one", &data, &len), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_put("k", "key one", "va\nlue\0x", 8, &e), GR_OK);
	ck_assert_int_eq(gr_cache_get("k", "key one", &data, &len), GR_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(data, "va\nlue\0x", 8), 0);
	free(data);
	ck_assert_int_eq(gr_cache_get("k", "key two", &data, &len), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_get("other", "key one", &data, &len), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_put("k", "key one", "new", 3, &e), GR_OK);
	ck_assert_int_eq(gr_cache_get("k", "key one", &data, &len), GR_OK);
	ck_assert_str_eq(data, "new");
	free(data);
}
END_TEST

START_TEST(test_disabled_and_corrupt)
{
	struct gr_error e;
	char *data, path[512];
	size_t len;
	struct stat st;

	setup();
	ck_assert_int_eq(gr_cache_put("k", "key", "v", 1, &e), GR_OK);
	entry_path("k", path, sizeof(path));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	/* A stored key that differs (a hash collision, or tampering) is a miss. */
	write_file(path, "gorelink-cache 1\nkez\nv");
	ck_assert_int_eq(gr_cache_get("k", "key", &data, &len), GR_ENOTFOUND);
	write_file(path, "gorelink-cache 1\nke");
	ck_assert_int_eq(gr_cache_get("k", "key", &data, &len), GR_ENOTFOUND);
	write_file(path, "");
	ck_assert_int_eq(gr_cache_get("k", "key", &data, &len), GR_ENOTFOUND);
	write_file(path, "gorelink-cache 2\nkey\nv");
	ck_assert_int_eq(gr_cache_get("k", "key", &data, &len), GR_ENOTFOUND);
	/* An empty GORELINK_CACHE_DIR turns the cache off. */
	setenv("GORELINK_CACHE_DIR", "", 1);
	ck_assert_ptr_null(gr_cache_dir());
	ck_assert_int_eq(gr_cache_put("k", "key", "v", 1, &e), GR_ENOTFOUND);
	ck_assert_int_eq(gr_cache_get("k", "key", &data, &len), GR_ENOTFOUND);
	/* XDG_CACHE_HOME, then HOME. */
	unsetenv("GORELINK_CACHE_DIR");
	setenv("XDG_CACHE_HOME", "/x/y", 1);
	data = gr_cache_dir();
	ck_assert_str_eq(data, "/x/y/gorelink");
	free(data);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/h", 1);
	data = gr_cache_dir();
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
	int i, k, status, bad = 0, hits = 0;

	setup();
	for (k = 0; k < 4; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			memset(big, 'a' + k, sizeof(big));
			for (i = 0; i < 100; i++)
				if (gr_cache_put("race", "one key", big, sizeof(big), &e) != GR_OK)
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < 400; i++) {
		char *data;
		size_t len, j;
		if (gr_cache_get("race", "one key", &data, &len) != GR_OK)
			continue;
		hits++;
		if (len != sizeof(big))
			bad++;
		for (j = 1; j < len; j++)
			if (data[j] != data[0]) {
				bad++;
				break;
			}
		free(data);
	}
	for (k = 0; k < 4; k++) {
		ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(bad, 0);
	(void)hits;
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
	write_file(cc, "#!/bin/sh\nexec gcc \"$@\"\n");
	ck_assert_int_eq(chmod(cc, 0755), 0);
	ck_assert_int_eq(gr_tccache_discover(argv, &a, &hit, &e), GR_OK);
	ck_assert(!hit);
	ck_assert_int_eq(gr_tccache_discover(argv, &b, &hit, &e), GR_OK);
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
	ck_assert_int_eq(gr_tccache_discover(argv, &c, &hit, &e), GR_OK);
	ck_assert(!hit);
	gr_toolchain_deinit(&c);
	/* So is a changed environment. */
	setenv("LIBRARY_PATH", dir, 1);
	ck_assert_int_eq(gr_tccache_discover(argv, &c, &hit, &e), GR_OK);
	ck_assert(!hit);
	unsetenv("LIBRARY_PATH");
	gr_toolchain_deinit(&c);
	gr_toolchain_deinit(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cache");
	TCase *t = tcase_create("cache");
	SRunner *sr;
	int failed;

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_roundtrip);
	tcase_add_test(t, test_disabled_and_corrupt);
	tcase_add_test(t, test_concurrent);
	tcase_add_test(t, test_toolchain_cache);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
