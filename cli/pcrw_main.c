#include <stdio.h>

#include "gr_cli.h"
#include "gr_cmd_pcrw.h"

int
main(int argc, char **argv)
{
	gr_cli_set_progname("pkgconf-rewrite");
	return gr_cmd_pcrw(argc, argv, stdin, stdout, stderr);
}
