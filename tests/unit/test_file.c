/* Unit tests for common/gr_file's identity line (gr_file_identity): cache keys
 * (the toolchain entry and its clang configuration state, the probe key, the
 * dpkg index key, ...) are made of it, so its bytes are pinned for a stat
 * built here, and compared, for a file made here, with the formatters it
 * replaced (copied below, in this test only). */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gr_file.h"
#include "gr_test.h"

static struct stat
fixed_stat(void)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = 2049;
	st.st_ino = 1234567;
	st.st_size = 4242;
	st.st_mode = S_IFREG | 0644;
	st.st_mtim.tv_sec = 1700000000;
	st.st_mtim.tv_nsec = 5;
	st.st_ctim.tv_sec = 1700000001;
	st.st_ctim.tv_nsec = 12345;
	return st;
}

START_TEST(test_identity_pinned)
{
	struct stat st = fixed_stat();
	char id[GR_FILE_IDENTITY_MAX];

	ck_assert_ptr_eq(gr_file_identity(id, sizeof(id), &st, true), id);
	ck_assert_str_eq(id, "2049 1234567 4242 1700000000.000000005 1700000001.000012345");
	ck_assert_ptr_eq(gr_file_identity(id, sizeof(id), &st, false), id);
	ck_assert_str_eq(id, "2049 1234567 4242 1700000000.000000005");
}
END_TEST

START_TEST(test_identity_widest_fits)
{
	struct stat st = fixed_stat();
	char id[GR_FILE_IDENTITY_MAX];

	st.st_dev = (dev_t)-1;
	st.st_ino = (ino_t)-1;
	st.st_size = (off_t)LLONG_MIN;
	st.st_mtim.tv_sec = st.st_ctim.tv_sec = (time_t)LLONG_MIN;
	st.st_mtim.tv_nsec = st.st_ctim.tv_nsec = 999999999;
	gr_file_identity(id, sizeof(id), &st, true);
	ck_assert_str_eq(id, "18446744073709551615 18446744073709551615 -9223372036854775808 "
	                     "-9223372036854775808.999999999 -9223372036854775808.999999999");
	ck_assert_uint_lt(strlen(id), sizeof(id));
}
END_TEST

START_TEST(test_identity_cut_short)
{
	struct stat st = fixed_stat();
	char id[8];

	ck_assert_ptr_eq(gr_file_identity(id, sizeof(id), &st, true), id);
	ck_assert_str_eq(id, "2049 12");
}
END_TEST

/* The formatters gr_file_identity replaced, as they were (without the
 * gr_kvbuf around them), kept here to prove the keys did not change. */
static void
old_tc_identity(char *line, size_t n, const struct stat *sp)
{
	struct stat st = *sp;

	snprintf(line, n, " %llu %llu %lld %lld.%09ld %lld.%09ld\n", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	         (long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec);
}

static void
old_tcbuf_file(char *line, size_t n, const struct stat *sp)
{
	struct stat st = *sp;

	snprintf(line, n, "%llu %llu %lld %lld.%09ld\n", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
	         (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

static void
old_probe_file(char *line, size_t n, const struct stat *sp)
{
	struct stat st = *sp;

	snprintf(line, n, "%llu %llu %lld %lld.%09ld %lld.%09ld\n", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	         (long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec);
}

/* Each caller's line, old and new, for st. */
static void
same_lines(const struct stat *st)
{
	char id[GR_FILE_IDENTITY_MAX], old[192], now[192];

	old_tc_identity(old, sizeof(old), st);
	snprintf(now, sizeof(now), " %s\n", gr_file_identity(id, sizeof(id), st, true));
	ck_assert_str_eq(now, old);
	old_tcbuf_file(old, sizeof(old), st);
	snprintf(now, sizeof(now), "%s\n", gr_file_identity(id, sizeof(id), st, false));
	ck_assert_str_eq(now, old);
	old_probe_file(old, sizeof(old), st);
	snprintf(now, sizeof(now), "%s\n", gr_file_identity(id, sizeof(id), st, true));
	ck_assert_str_eq(now, old);
}

START_TEST(test_identity_same_as_before)
{
	char dir[64], path[128];
	struct stat st;

	gr_test_tmpdir(dir, sizeof(dir), "gr-file");
	snprintf(path, sizeof(path), "%s/f", dir);
	gr_test_write_mode(path, "hello", 0640);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq((int)st.st_size, 5);
	ck_assert_int_eq((int)(st.st_mode & 07777), 0640);
	same_lines(&st);
	ck_assert_int_eq(stat(dir, &st), 0);
	same_lines(&st);
	st = fixed_stat();
	same_lines(&st);
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_identity_pinned,
		test_identity_widest_fits,
		test_identity_cut_short,
		test_identity_same_as_before,
	};

	return gr_test_run(gr_test_suite("file", "identity", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
