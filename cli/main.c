#include <stdio.h>

#include "gr_cli.h"

int
main(int argc, char **argv)
{
	return gr_cli_run(argc, argv, stdout, stderr);
}
