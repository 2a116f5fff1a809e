/* gr_cmd_go: `gorelink go ARGS...` (or gorelink-go ARGS...), a go command whose build is gorelink's. */
#ifndef GR_CMD_GO_H
#define GR_CMD_GO_H

#include <stdio.h>

/* Run the go front with argv (argv[0] is "go" or "gorelink-go"); returns the exit status
 * (go's own when a subcommand is passed through: the process is replaced). */
int gr_cmd_go(int argc, char **argv, FILE *out, FILE *err);

/* Print the usage text of gorelink go to f. */
void gr_cmd_go_usage(FILE *f);

#endif
