/* gr_test: building and running a Check suite, the same for every unit test. */
#ifndef GR_TEST_H
#define GR_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gr_env.h"

/* A suite NAME with one test case TCASE holding the n tests, each allowed
 * timeout seconds (0: Check's default). */
Suite *gr_test_suite(const char *name, const char *tcase, const TTest *const *tests, size_t n,
                     double timeout);

/* The process environment as it is now, read the way the CLI reads it: the
 * tests setenv and then call the library with this (refilled on each call). */
const struct gr_env *gr_test_env(void);

/* Run s with Check's normal report, each test in a child process unless
 * nofork; 0 when every test passed, else 1. */
int gr_test_run(Suite *s, bool nofork);

/* Fill buf (n bytes) with /tmp/PREFIX-XXXXXX, made a fresh directory by mkdtemp (asserted). */
void gr_test_tmpdir(char *buf, size_t n, const char *prefix);

/* gr_test_tmpdir into buf after removing the directory buf held (tests run in
 * one process under CK_FORK=no); the last one is removed at exit, passed or
 * failed. One such buf per process. */
void gr_test_fresh_tmpdir(char *buf, size_t n, const char *prefix);

/* Remove dir and everything below it, links not followed (nftw); 0, or -1 when something stayed. */
int gr_test_rmtree(const char *dir);

/* How many entries directory dir holds ("." and ".." aside), only those whose
 * name does not start with '.' when visible_only (else temporary files count
 * too); 0 when it cannot be opened. */
int gr_test_count_entries(const char *dir, bool visible_only);

/* DIR/NAME of the one entry of dir whose name does not start with '.' into
 * out (n bytes); that there is exactly one, and that it fits, asserted. */
void gr_test_one_entry(const char *dir, char *out, size_t n);

/* Write text to path, created or truncated; the open and the close are asserted. */
void gr_test_write(const char *path, const char *text);

/* gr_test_write, then give path the mode (asserted). */
void gr_test_write_mode(const char *path, const char *text, mode_t mode);

/* gr_test_write to DIR/NAME. */
void gr_test_put(const char *dir, const char *name, const char *text);

/* The whole of the file at path, NUL-terminated (malloc'd; the read is asserted).
 * It allocates: test_nomem's injected failures would reach it. */
char *gr_test_slurp(const char *path);

/* The whole of the file at path as bytes (malloc'd, a NUL after them), its size in *len. */
unsigned char *gr_test_slurp_bytes(const char *path, size_t *len);

/* Write len bytes of b to path, created or truncated (asserted). */
void gr_test_spill(const char *path, const unsigned char *b, size_t len);

/* Write DIR/NAME.pc: prefix /opt/NAME, libdir ${prefix}/lib, Name NAME, Version 1.0, then the
 * Libs, Libs.private and Requires.private lines whose value is not NULL. */
void gr_test_write_pc(const char *dir, const char *name, const char *libs, const char *libs_private,
                      const char *requires_private);

/* gr_test_failmalloc.c (tests linked with it and -Wl,--wrap=malloc): the
 * next malloc fails with ENOMEM, then this is false again. */
extern bool gr_test_fail_malloc;

#endif
