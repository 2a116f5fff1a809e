/* gr_test: building and running a Check suite, the same for every unit test. */
#ifndef GR_TEST_H
#define GR_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

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

#endif
