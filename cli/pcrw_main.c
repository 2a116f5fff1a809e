#include <stdio.h>

#include "gr_cli.h"
#include "gr_cmd_pcrw.h"
#include "gr_tccache.h"

int
main(int argc, char **argv)
{
	int status;

	gr_cli_set_progname("pkgconf-rewrite");
	/* One short process, one compiler: its -dumpmachine and toolchain cache
	 * entries look it up once (a PATH walk and a realpath; issue 15). */
	gr_tccache_keep_compiler(true);
	status = gr_cmd_pcrw(argc, argv, stdin, stdout, stderr);
	gr_tccache_keep_compiler(false);
	return status;
}
