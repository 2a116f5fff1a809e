/* Unit tests for gr_sigbus: a mapped file truncated under the mapping (a real
 * SIGBUS) becomes GR_EIO with the file's name; fn's own result passes through;
 * the previous SIGBUS disposition is restored; guards work again after a fault
 * and nest. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gr_sigbus.h"
#include "gr_test.h"

#define PAGES 4

static char scratch[256];
static char path[512];

struct map {
	unsigned char *p;
	size_t len;
	int reads;  /* how far fn got */
};

/* A file of PAGES pages of 0x5a, mapped, then truncated to 0 under the mapping. */
static void
map_shrunk(struct map *m)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *buf;
	int fd;

	m->len = (size_t)pg * PAGES;
	m->reads = 0;
	buf = malloc(m->len);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 0x5a, m->len);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, m->len), (ssize_t)m->len);
	free(buf);
	m->p = mmap(NULL, m->len, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(m->p, MAP_FAILED);
	ck_assert_int_eq(m->p[m->len - 1], 0x5a);  /* readable while the file is whole */
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	close(fd);
}

static void
unmap(struct map *m)
{
	munmap(m->p, m->len);
}

/* Read the last page of the mapping: faults once the file has shrunk. */
static int
read_last_page(void *ctx)
{
	struct map *m = ctx;

	m->reads++;
	if (((volatile const unsigned char *)m->p)[m->len - 1] != 0x5a)
		return 99;
	m->reads++;
	return 0;
}

static int
returns_seven(void *ctx)
{
	(void)ctx;
	return 7;
}

static volatile sig_atomic_t prev_hits;

static void
prev_handler(int sig)
{
	(void)sig;
	prev_hits++;
}

START_TEST(test_shrunk_file_is_eio)
{
	struct map m;
	struct gr_error e;

	map_shrunk(&m);
	gr_error_clear(&e);
	ck_assert_int_eq(gr_sigbus_guard(read_last_page, &m, path, &e), GR_EIO);
	ck_assert_int_eq(e.code, GR_EIO);
	ck_assert_int_eq(m.reads, 1);  /* abandoned at the faulting read */
	{
		char want[600];
		snprintf(want, sizeof(want), "%s: the file shrank while it was being read", path);
		ck_assert_str_eq(e.msg, want);
	}
	/* Once more, after the fault: the guard still catches (the mask was restored). */
	gr_error_clear(&e);
	ck_assert_int_eq(gr_sigbus_guard(read_last_page, &m, "again", &e), GR_EIO);
	ck_assert_str_eq(e.msg, "again: the file shrank while it was being read");
	unmap(&m);
}
END_TEST

START_TEST(test_fn_result_passes_through)
{
	struct gr_error e;
	long pg = sysconf(_SC_PAGESIZE);
	struct map m;
	int fd;

	gr_error_clear(&e);
	ck_assert_int_eq(gr_sigbus_guard(returns_seven, NULL, "x", &e), 7);
	ck_assert_int_eq(e.code, GR_OK);  /* untouched */
	/* A whole file reads fine under the guard. */
	m.len = (size_t)pg;
	m.reads = 0;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	{
		unsigned char b[1] = { 0x5a };
		ck_assert_int_eq(pwrite(fd, b, 1, (off_t)m.len - 1), 1);
	}
	m.p = mmap(NULL, m.len, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(m.p, MAP_FAILED);
	close(fd);
	ck_assert_int_eq(gr_sigbus_guard(read_last_page, &m, path, &e), 0);
	ck_assert_int_eq(m.reads, 2);
	ck_assert_int_eq(e.code, GR_OK);
	unmap(&m);
}
END_TEST

START_TEST(test_previous_disposition_restored)
{
	struct sigaction sa, now, saved;
	struct map m;
	struct gr_error e;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = prev_handler;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGBUS, &sa, &saved), 0);

	gr_error_clear(&e);
	ck_assert_int_eq(gr_sigbus_guard(returns_seven, NULL, "x", &e), 7);
	ck_assert_int_eq(sigaction(SIGBUS, NULL, &now), 0);
	ck_assert_ptr_eq((void *)now.sa_handler, (void *)prev_handler);

	map_shrunk(&m);
	ck_assert_int_eq(gr_sigbus_guard(read_last_page, &m, path, &e), GR_EIO);
	ck_assert_int_eq(sigaction(SIGBUS, NULL, &now), 0);
	ck_assert_ptr_eq((void *)now.sa_handler, (void *)prev_handler);
	ck_assert_int_eq(prev_hits, 0);  /* the guard's handler took the fault, not ours */
	unmap(&m);

	/* SIG_DFL comes back as SIG_DFL. */
	sa.sa_handler = SIG_DFL;
	ck_assert_int_eq(sigaction(SIGBUS, &sa, NULL), 0);
	map_shrunk(&m);
	ck_assert_int_eq(gr_sigbus_guard(read_last_page, &m, path, &e), GR_EIO);
	ck_assert_int_eq(sigaction(SIGBUS, NULL, &now), 0);
	ck_assert_ptr_eq((void *)now.sa_handler, (void *)SIG_DFL);
	unmap(&m);
	sigaction(SIGBUS, &saved, NULL);
}
END_TEST

/* The inner guard's fn faults; then the outer fn faults too. */
struct nest {
	struct map *m;
	struct gr_error inner;
	int inner_rc;
};

static int
nest_outer(void *ctx)
{
	struct nest *n = ctx;

	gr_error_clear(&n->inner);
	n->inner_rc = gr_sigbus_guard(read_last_page, n->m, "inner", &n->inner);
	return read_last_page(n->m);  /* faults: the outer guard must be in force again */
}

START_TEST(test_nested)
{
	struct map m;
	struct nest n;
	struct gr_error e;

	map_shrunk(&m);
	n.m = &m;
	gr_error_clear(&e);
	ck_assert_int_eq(gr_sigbus_guard(nest_outer, &n, "outer", &e), GR_EIO);
	ck_assert_int_eq(n.inner_rc, GR_EIO);
	ck_assert_str_eq(n.inner.msg, "inner: the file shrank while it was being read");
	ck_assert_str_eq(e.msg, "outer: the file shrank while it was being read");
	ck_assert_int_eq(m.reads, 2);  /* one faulting read in each */
	unmap(&m);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_shrunk_file_is_eio,
		test_fn_result_passes_through,
		test_previous_disposition_restored,
		test_nested,
	};
	int failed;

	snprintf(scratch, sizeof(scratch), "/tmp/gr-sigbus-XXXXXX");
	if (!mkdtemp(scratch))
		return 1;
	snprintf(path, sizeof(path), "%s/mapped", scratch);
	/* No fork: the SIGBUS must reach the guard in this process, and the
	 * disposition checks look at this process's table. */
	failed = gr_test_run(gr_test_suite("sigbus", "core", tests, sizeof(tests) / sizeof(tests[0]), 0), true);
	unlink(path);
	rmdir(scratch);
	return failed;
}
