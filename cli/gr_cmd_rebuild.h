/* gr_cmd_rebuild: `gorelink rebuild BINARY`, the same program rebuilt static. */
#ifndef GR_CMD_REBUILD_H
#define GR_CMD_REBUILD_H

#include <stdio.h>

/* Exit status of a binary that cannot be rebuilt (no build info, dirty, (devel)...). */
#define GR_EXIT_REFUSED 3

/* Run `gorelink rebuild` with argv (argv[0] is "rebuild"); returns the exit status. */
int gr_cmd_rebuild(int argc, char **argv, FILE *out, FILE *err);

/* Print the usage text of rebuild to f. */
void gr_cmd_rebuild_usage(FILE *f);

#endif
