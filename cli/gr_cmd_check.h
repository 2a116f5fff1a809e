/* gr_cmd_check: the `gorelink check` subcommand. */
#ifndef GR_CMD_CHECK_H
#define GR_CMD_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "gr_check.h"
#include "gr_json.h"

/* Run `gorelink check` with argv[0] = "check"; returns the exit status. */
int gr_cmd_check(int argc, char **argv, FILE *out, FILE *err);

/* Write r as a gorelink-check/2 object (member key inside an object, or NULL); false on out of memory. */
bool gr_cmd_check_json(struct gr_json *j, const char *key, const struct gr_report *r, bool counted);

/* Write the one-line verdict for r (as gorelink check prints it) to f, escaped. */
void gr_cmd_check_line(FILE *f, const struct gr_report *r);

/* Write the why/fix lines for r to f, escaped. */
void gr_cmd_check_explain(FILE *f, const struct gr_report *r);

/* Print the usage text of `gorelink check` to f. */
void gr_cmd_check_usage(FILE *f);

#endif
