/* gr_cmd_check: the `gorelink check` subcommand. */
#ifndef GR_CMD_CHECK_H
#define GR_CMD_CHECK_H

#include <stdio.h>

/* Run `gorelink check` with argv[0] = "check"; returns the exit status. */
int gr_cmd_check(int argc, char **argv, FILE *out, FILE *err);

/* Print the usage text of `gorelink check` to f. */
void gr_cmd_check_usage(FILE *f);

#endif
