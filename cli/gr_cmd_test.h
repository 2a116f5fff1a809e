/* gr_cmd_test: `gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]`, a static test binary, and its run. */
#ifndef GR_CMD_TEST_H
#define GR_CMD_TEST_H

#include <stdio.h>

/* Run `gorelink test` with argv (argv[0] is "test"); returns the exit status. */
int gr_cmd_test(int argc, char **argv, FILE *out, FILE *err);

/* Print the usage text of gorelink test to f. */
void gr_cmd_test_usage(FILE *f);

/* The helper gorelink-sandbox (relink/gr_sandbox): enter the empty root, or
 * the package directory, and exec the test binary; returns only on failure. */
int gr_cmd_test_sandbox(int argc, char **argv);

#endif
