/* gr_cmd_index: `gorelink index`, which archive on the linker's search path defines a symbol. */
#ifndef GR_CMD_INDEX_H
#define GR_CMD_INDEX_H

#include <stdio.h>

/* Run `gorelink index` with argv[0] = "index"; returns the exit status. */
int gr_cmd_index(int argc, char **argv, FILE *out, FILE *err);

#endif
