/* gr_cmd_pcrw: the pkgconf-rewrite command (also `gorelink pkgconf-rewrite`). */
#ifndef GR_CMD_PCRW_H
#define GR_CMD_PCRW_H

#include <stdio.h>

/* Run pkgconf-rewrite with argv (argv[0] is the command name); in is read for "-". */
int gr_cmd_pcrw(int argc, char **argv, FILE *in, FILE *out, FILE *err);

/* Print the usage text of pkgconf-rewrite to f. */
void gr_cmd_pcrw_usage(FILE *f);

#endif
