/* gr_cmd_build: `gorelink [OPTIONS] PACKAGE [-- GO_BUILD_FLAGS...]`, the main job. */
#ifndef GR_CMD_BUILD_H
#define GR_CMD_BUILD_H

#include <stdio.h>

/* Run a build with argv (argv[0] is the program name); returns the exit status. */
int gr_cmd_build(int argc, char **argv, FILE *out, FILE *err);

/* Print the usage text of the build to f. */
void gr_cmd_build_usage(FILE *f);

#endif
