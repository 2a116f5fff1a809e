#include <stdio.h>
#include <string.h>

#include "gr_cli.h"
#include "gr_cmd_extld.h"
#include "gr_cmd_go.h"
#include "gr_cmd_guard.h"
#include "gr_cmd_test.h"

int
main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;

	base = base ? base + 1 : (argc > 0 ? argv[0] : "gorelink");
	/* A build runs gorelink again under these names (links to this program). */
	if (strcmp(base, "gorelink-ld") == 0)
		return gr_cmd_extld(argc, argv);
	if (strcmp(base, "gorelink-pkg-config") == 0)
		return gr_cmd_pkgconfig_shim(argc, argv);
	if (strcmp(base, "gorelink-guard") == 0)
		return gr_cmd_guard(argc, argv);
	/* A go command for goreleaser's builds[].tool (docs/goreleaser.md). */
	if (strcmp(base, "gorelink-go") == 0)
		return gr_cmd_go(argc, argv, stdout, stderr);
	if (strcmp(base, "gorelink-sandbox") == 0)
		return gr_cmd_test_sandbox(argc, argv);
	return gr_cli_run(argc, argv, stdout, stderr);
}
