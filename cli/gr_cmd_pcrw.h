/* gr_cmd_pcrw: the pkgconf-rewrite command (also `gorelink pkgconf-rewrite`). */
#ifndef GR_CMD_PCRW_H
#define GR_CMD_PCRW_H

#include <stdbool.h>
#include <stdio.h>

#include "gr_rewrite.h"

/* Run pkgconf-rewrite with argv (argv[0] is the command name); in is read for "-". */
int gr_cmd_pcrw(int argc, char **argv, FILE *in, FILE *out, FILE *err);

/* Explain on err why each library of r without an archive has none (each name once):
 * who wanted it, where ld looked, what to do (the options spelled for gorelink's build
 * when build, else for pkgconf-rewrite). */
void gr_cmd_pcrw_explain_missing(FILE *err, const struct gr_rw_result *r, enum gr_rw_mode mode,
                                 const struct gr_rw_opts *o, bool build);

/* Print the usage text of pkgconf-rewrite to f. */
void gr_cmd_pcrw_usage(FILE *f);

#endif
