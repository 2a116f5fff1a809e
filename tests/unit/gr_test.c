#define _XOPEN_SOURCE 700  /* nftw, mkdtemp */
#include "gr_test.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern char **environ;

Suite *
gr_test_suite(const char *name, const char *tcase, const TTest *const *tests, size_t n, double timeout)
{
	Suite *s = suite_create(name);
	TCase *t = tcase_create(tcase);
	size_t i;

	if (timeout > 0)
		tcase_set_timeout(t, timeout);
	for (i = 0; i < n; i++)
		tcase_add_test(t, tests[i]);
	suite_add_tcase(s, t);
	return s;
}

int
gr_test_run(Suite *s, bool nofork)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (nofork)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

const struct gr_env *
gr_test_env(void)
{
	static struct gr_env env;

	gr_env_from_environ(&env, environ);
	return &env;
}

/* test_nomem links this file under its -Wl,--wrap allocators: only
 * gr_test_slurp allocates here itself (libc's own allocations inside fopen,
 * nftw and the like are not wrapped), and test_nomem does not call it. */
void
gr_test_tmpdir(char *buf, size_t n, const char *prefix)
{
	ck_assert_int_lt(snprintf(buf, n, "/tmp/%s-XXXXXX", prefix), (int)n);
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
gr_test_rmtree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *fresh_dir;  /* gr_test_fresh_tmpdir's buf */

static void
fresh_rm(void)
{
	if (fresh_dir && fresh_dir[0])
		gr_test_rmtree(fresh_dir);
	if (fresh_dir)
		fresh_dir[0] = '\0';
}

void
gr_test_fresh_tmpdir(char *buf, size_t n, const char *prefix)
{
	if (!fresh_dir)
		atexit(fresh_rm);
	fresh_dir = buf;
	fresh_rm();
	gr_test_tmpdir(buf, n, prefix);
}

void
gr_test_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

void
gr_test_write_mode(const char *path, const char *text, mode_t mode)
{
	gr_test_write(path, text);
	ck_assert_int_eq(chmod(path, mode), 0);
}

int
gr_test_count_entries(const char *dir, bool visible_only)
{
	struct dirent *de;
	DIR *dp;
	int n = 0;

	if (!(dp = opendir(dir)))
		return 0;
	while ((de = readdir(dp)) != NULL)
		n += visible_only ? de->d_name[0] != '.' : strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dp);
	return n;
}

void
gr_test_one_entry(const char *dir, char *out, size_t n)
{
	struct dirent *de;
	DIR *dp;
	int found = 0;

	ck_assert_msg((dp = opendir(dir)) != NULL, "cannot open %s", dir);
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.') {
			ck_assert_int_lt(snprintf(out, n, "%s/%s", dir, de->d_name), (int)n);
			found++;
		}
	closedir(dp);
	ck_assert_msg(found == 1, "%d entries in %s, want 1", found, dir);
}

void
gr_test_put(const char *dir, const char *name, const char *text)
{
	char path[4096];

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name), (int)sizeof(path));
	gr_test_write(path, text);
}

char *
gr_test_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	ck_assert_msg(f != NULL, "cannot read %s", path);
	do {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			ck_assert_ptr_nonnull(buf = realloc(buf, cap));
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	ck_assert_msg(!ferror(f), "cannot read %s", path);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

unsigned char *
gr_test_slurp_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	ck_assert_msg(f != NULL, "cannot read %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

void
gr_test_spill(const char *path, const unsigned char *b, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(b, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

void
gr_test_write_pc(const char *dir, const char *name, const char *libs, const char *libs_private,
                 const char *requires_private)
{
	char path[4096];
	FILE *f;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s.pc", dir, name), (int)sizeof(path));
	ck_assert_msg((f = fopen(path, "w")) != NULL, "cannot write %s", path);
	fprintf(f, "prefix=/opt/%s\nlibdir=${prefix}/lib\n\nName: %s\nDescription: test\nVersion: 1.0\n", name, name);
	if (libs)
		fprintf(f, "Libs: %s\n", libs);
	if (libs_private)
		fprintf(f, "Libs.private: %s\n", libs_private);
	if (requires_private)
		fprintf(f, "Requires.private: %s\n", requires_private);
	ck_assert_int_eq(fclose(f), 0);
}
