/* gr_cmd_build: `gorelink [OPTIONS] PACKAGE [-- GO_BUILD_FLAGS...]`, the main job. */
#ifndef GR_CMD_BUILD_H
#define GR_CMD_BUILD_H

#include <stdbool.h>
#include <stdio.h>

#include "gr_build.h"
#include "gr_json.h"

/* What another command adds to a build (gorelink test: cli/gr_cmd_test). */
struct gr_cmd_build_hooks {
	bool test;           /* go test -c: the package's test binary (gr_build_opts.test) */
	const char *install_version; /* gorelink rebuild: go install PACKAGE@VERSION (gr_build_opts.install_version) */
	/* After the build and its text report (before the JSON one): status is the
	 * build's exit status; returns the command's, and when that is a failure
	 * of its own, the reason in *error (the JSON report's "error"). May be NULL. */
	int (*after)(void *ctx, const struct gr_build_opts *o, const struct gr_build_result *r, int status,
	             bool json, FILE *out, FILE *err, const char **error);
	/* Writes the JSON report's "test" member (NULL hook: "test": null). */
	void (*json)(void *ctx, struct gr_json *j);
	void *ctx;
};

/* Run a build with argv (argv[0] is the program name); returns the exit status. */
int gr_cmd_build(int argc, char **argv, FILE *out, FILE *err);

/* The same with hooks (h may be NULL: a plain build). */
int gr_cmd_build_with(int argc, char **argv, FILE *out, FILE *err, const struct gr_cmd_build_hooks *h);

/* Print the usage text of the build to f. */
void gr_cmd_build_usage(FILE *f);

#endif
