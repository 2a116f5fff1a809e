/* Unit tests for common/gr_file's identity line (gr_file_identity): cache keys
 * (the toolchain entry and its clang configuration state, the probe key, the
 * dpkg index key, ...) are made of it, so its bytes are pinned for a stat
 * built here, and compared, for a file made here, with the formatters it
 * replaced (copied below, in this test only). And its whole-file read
 * (gr_file_read_fd) on files made here: grown and shrunk between the fstat
 * and the read, empty, a directory; the test links with -Wl,--wrap=read and
 * --wrap=malloc so that reads can be interrupted (EINTR) or cut short and the
 * allocation refused. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_error.h"
#include "gr_file.h"
#include "gr_test.h"

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);

static bool interrupt_reads;  /* every other library read fails with EINTR before reading */
static size_t read_most;      /* a library read returns at most this many bytes (0: no cap) */
static int nreads, neintr;    /* reads made, and those interrupted */

ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	if (interrupt_reads && nreads++ % 2 == 0) {
		neintr++;
		errno = EINTR;
		return -1;
	}
	return __real_read(fd, buf, read_most && n > read_most ? read_most : n);
}

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

/* A fresh directory (into dir) with file f holding text: f's path into path,
 * its fd (read-only) returned, st its fstat. */
static int
open_fixture(char *dir, size_t dn, char *path, size_t pn, const char *text, struct stat *st)
{
	int fd;

	gr_test_tmpdir(dir, dn, "gr-file-read");
	snprintf(path, pn, "%s/f", dir);
	gr_test_write(path, text);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, st), 0);
	return fd;
}

/* open_fixture's fd closed and its directory removed. */
static void
close_fixture(int fd, const char *dir)
{
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(gr_test_rmtree(dir), 0);
}

/* gr_file_read_fd from the start of fd gives want (its bytes, then a NUL). */
static void
read_gives(int fd, const char *path, size_t size, bool short_ok, const char *want)
{
	char *data = NULL;
	size_t len = 99;
	struct gr_error e;

	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	gr_error_clear(&e);
	ck_assert_int_eq(gr_file_read_fd(fd, path, size, short_ok, &data, &len, &e), GR_OK);
	ck_assert_int_eq(e.code, GR_OK);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq(data, want);
	free(data);
}

/* gr_file_read_fd from the start of fd (its allocation refused when
 * refuse_malloc) fails with code, sys_errno and the message "PATH: why",
 * leaving nothing; errno after it returned (EXDEV before it). */
static int
read_fails(int fd, const char *path, size_t size, bool refuse_malloc, int code, int sys_errno, const char *why)
{
	char *data = (char *)1, want[256];
	size_t len = 99;
	struct gr_error e;
	int rc, after;

	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	gr_test_fail_malloc = refuse_malloc;  /* just before the call: Check's asserts allocate too */
	errno = EXDEV;
	rc = gr_file_read_fd(fd, path, size, false, &data, &len, &e);
	after = errno;
	ck_assert(!gr_test_fail_malloc);  /* when refused, it did allocate */
	ck_assert_int_eq(rc, code);
	ck_assert_ptr_null(data);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(e.code, code);
	ck_assert_int_eq(e.sys_errno, sys_errno);
	snprintf(want, sizeof(want), "%s: %s", path, why);
	ck_assert_str_eq(e.msg, want);
	return after;
}

START_TEST(test_read_fd_whole)
{
	char dir[64], path[128];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "hello\nworld", &st);

	read_gives(fd, path, (size_t)st.st_size, false, "hello\nworld");
	close_fixture(fd, dir);
}
END_TEST

/* Size 0: an empty buffer (not NULL), without a read. */
START_TEST(test_read_fd_empty)
{
	char dir[64], path[128];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "", &st);

	ck_assert_int_eq((int)st.st_size, 0);
	nreads = 0;
	interrupt_reads = true;  /* counts the reads */
	read_gives(fd, path, 0, false, "");
	interrupt_reads = false;
	ck_assert_int_eq(nreads, 0);
	close_fixture(fd, dir);
}
END_TEST

/* Interrupted reads are made again, short ones continued: the whole file. */
START_TEST(test_read_fd_eintr_and_short_reads)
{
	char dir[64], path[128];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "0123456789abcdef", &st);

	nreads = neintr = 0;
	interrupt_reads = true;
	read_most = 3;
	read_gives(fd, path, (size_t)st.st_size, false, "0123456789abcdef");
	interrupt_reads = false;
	read_most = 0;
	ck_assert_int_ge(neintr, 6);  /* 16 bytes 3 at a time: 6 reads, each interrupted once first */
	close_fixture(fd, dir);
}
END_TEST

/* A file that grew after the fstat is read to the size the fstat gave (as every caller did). */
START_TEST(test_read_fd_grown)
{
	char dir[64], path[128];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "abc", &st);

	gr_test_write(path, "abcdefgh");  /* the same file (truncated, written), longer */
	read_gives(fd, path, (size_t)st.st_size, false, "abc");
	close_fixture(fd, dir);
}
END_TEST

/* A file that shrank after the fstat: an error naming it (errno as it was), or, short_ok,
 * what there was. */
START_TEST(test_read_fd_shrunk)
{
	char dir[64], path[128];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "abcdefgh", &st);

	ck_assert_int_eq(truncate(path, 3), 0);
	ck_assert_int_eq(read_fails(fd, path, (size_t)st.st_size, false, GR_EIO, 0, "changed while it was read"), EXDEV);
	read_gives(fd, path, (size_t)st.st_size, true, "abc");
	close_fixture(fd, dir);
}
END_TEST

/* A read that fails (a directory: EISDIR): its errno, in err and errno; short_ok keeps nothing. */
START_TEST(test_read_fd_read_error)
{
	char dir[64];
	int fd;

	gr_test_tmpdir(dir, sizeof(dir), "gr-file-read");
	fd = open(dir, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read_fails(fd, dir, 4096, false, GR_EIO, EISDIR, strerror(EISDIR)), EISDIR);
	read_gives(fd, dir, 4096, true, "");
	close_fixture(fd, dir);
}
END_TEST

/* The allocation refused, or a size no buffer can hold: GR_ENOMEM, nothing read. */
START_TEST(test_read_fd_nomem)
{
	char dir[64], path[128];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "abc", &st);

	read_fails(fd, path, (size_t)st.st_size, true, GR_ENOMEM, ENOMEM, "out of memory");
	read_fails(fd, path, SIZE_MAX, false, GR_ENOMEM, ENOMEM, "out of memory");
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 0);  /* nothing read */
	close_fixture(fd, dir);
}
END_TEST

/* gr_file_pread: exactly n bytes at off, or false with errno (0 at the end). */
START_TEST(test_pread)
{
	char dir[64], path[128], buf[16];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "hello\nworld", &st);

	memset(buf, 0, sizeof(buf));
	ck_assert(gr_file_pread(fd, buf, 5, 6));
	ck_assert_str_eq(buf, "world");
	ck_assert(gr_file_pread(fd, buf, 0, 100));
	errno = EINVAL;
	ck_assert(!gr_file_pread(fd, buf, 6, 6));  /* one byte past the end */
	ck_assert_int_eq(errno, 0);
	ck_assert(!gr_file_pread(-1, buf, 1, 0));
	ck_assert_int_eq(errno, EBADF);
	close_fixture(fd, dir);
}
END_TEST

/* gr_file_pwrite: all n bytes at off, or false with errno. */
START_TEST(test_pwrite)
{
	char dir[64], path[128], buf[16];
	struct stat st;
	int fd = open_fixture(dir, sizeof(dir), path, sizeof(path), "hello\nworld", &st), wfd;

	wfd = open(path, O_WRONLY);
	ck_assert_int_ge(wfd, 0);
	ck_assert(gr_file_pwrite(wfd, "WORLD!", 6, 6));
	ck_assert(gr_file_pwrite(wfd, "", 0, 100));
	ck_assert_int_eq(close(wfd), 0);
	memset(buf, 0, sizeof(buf));
	ck_assert(gr_file_pread(fd, buf, 12, 0));
	ck_assert_str_eq(buf, "hello\nWORLD!");
	ck_assert(!gr_file_pwrite(fd, "x", 1, 0));  /* fd is open for reading only */
	ck_assert_int_eq(errno, EBADF);
	close_fixture(fd, dir);
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
		test_read_fd_whole,
		test_read_fd_empty,
		test_read_fd_eintr_and_short_reads,
		test_read_fd_grown,
		test_read_fd_shrunk,
		test_read_fd_read_error,
		test_read_fd_nomem,
		test_pread,
		test_pwrite,
	};

	return gr_test_run(gr_test_suite("file", "identity", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
