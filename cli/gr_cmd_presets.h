/* gr_cmd_presets: `gorelink presets`, the presets gorelink finds, their modules and variants. */
#ifndef GR_CMD_PRESETS_H
#define GR_CMD_PRESETS_H

#include <stdio.h>

/* Run `gorelink presets` with argv[0] = "presets"; returns the exit status. */
int gr_cmd_presets(int argc, char **argv, FILE *out, FILE *err);

#endif
