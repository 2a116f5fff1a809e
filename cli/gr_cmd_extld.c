#include "gr_cmd_extld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_cli.h"
#include "gr_cmd_pcrw.h"
#include "gr_extld.h"
#include "gr_goflags.h"
#include "gr_linkwrap.h"
#include "gr_spawn.h"
#include "gr_tccache.h"

extern char **environ;

/* Run argv with our stdio and return its exit status the way a shell would. */
static int
gr_extld_exec(char *const *argv)
{
	struct gr_spawn_result res;
	struct gr_error e;
	char how[128];

	if (gr_spawn_run(argv, NULL, &res, &e)) {
		gr_cli_diag(stderr, "%s", e.msg);
		return 127;
	}
	if (res.exited)
		return res.code;
	gr_cli_diag(stderr, "%s %s", argv[0], gr_spawn_describe(&res, how, sizeof(how)));
	return 128 + res.code;
}

int
gr_cmd_extld(int argc, char **argv)
{
	const char *statepath = getenv(GR_LINKSTATE_ENV);
	struct gr_env env;
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_strvec args, final, dcc;
	struct gr_rw_result *rw = NULL;
	struct gr_link_report rep;
	struct gr_error e;
	bool hit;
	int rc, status;

	gr_cli_set_progname("gorelink-ld");
	gr_env_from_environ(&env, environ);
	if (!statepath) {
		gr_cli_diag(stderr, "run by gorelink only (%s is not set)", GR_LINKSTATE_ENV);
		return 2;
	}
	if (gr_linkstate_read(statepath, &ls, &e)) {
		gr_cli_diag(stderr, "%s", e.msg);
		return 2;
	}
	gr_strvec_init(&args);
	gr_strvec_init(&final);
	gr_link_report_init(&rep);
	/* cmd/link passes a long command line as @response: look inside before
	 * deciding. A response file that cannot be read is left to the compiler. */
	if (gr_extld_expand(argv + 1, (size_t)(argc - 1), &args, &e) != GR_OK) {
		gr_strvec_deinit(&args);
		gr_strvec_init(&args);
	}
	/* Probes (trivial.c, -x c -) and anything else pass through untouched. */
	if (!args.n || !gr_extld_is_final(args.v, args.n)) {
		if (gr_strvec_extend(&final, &ls.cc) != GR_OK) {
			status = 2;
			goto out;
		}
		for (rc = 1; rc < argc; rc++)
			if (gr_strvec_push(&final, argv[rc]) != GR_OK) {
				status = 2;
				goto out;
			}
		status = gr_extld_exec(gr_strvec_argv(&final));
		goto out;
	}
	/* Apple targets search with ld64's rules, which need no discovery. */
	memset(&tc, 0, sizeof(tc));
	/* Discover with the compiler words plus the link's own driver flags
	 * (Go's -m64 or -m32, a user's -B or -fuse-ld= from -extldflags). */
	gr_strvec_init(&dcc);
	if (gr_strvec_extend(&dcc, &ls.cc) ||
	    gr_rewrite_driver_toolchain_flags((const char *const *)args.v, args.n, &dcc)) {
		gr_cli_diag(stderr, "out of memory");
		gr_strvec_deinit(&dcc);
		status = 2;
		goto out;
	}
	rc = ls.darwin ? GR_OK : gr_tccache_discover(&env, gr_strvec_argv(&dcc), &tc, &hit, &e);
	gr_strvec_deinit(&dcc);
	if (rc) {
		gr_cli_diag(stderr, "%s", e.msg);
		gr_linkwrap_report(&ls, NULL, NULL, 2, &rep, &e);
		status = 2;
		goto out;
	}
	rc = gr_extld_rewrite(&env, &ls, &tc, args.v, args.n, &final, &rw, &e);
	/* --stub NAME: a library without an archive becomes failing stubs, built
	 * in the build's private directory (where the link state is). */
	if (rc == GR_ENOTFOUND && ls.stubs.n && rw && !ls.darwin) {
		struct gr_linkwrap sw = { &env, &ls, NULL, 0, stdout, stderr, "gorelink-ld" };
		char *dir = strdup(statepath), *slash = dir ? strrchr(dir, '/') : NULL;
		int src;
		if (slash)
			*slash = '\0';
		if (dir)
			src = gr_linkwrap_stub(&sw, &tc, args.v, args.n, slash ? dir : ".", &final, &rw, &rep, &e);
		else
			src = gr_error_set(&e, GR_ENOMEM, 0, "out of memory");
		free(dir);
		if (src == GR_EUSAGE) {
			gr_linkwrap_report(&ls, NULL, rw, 1, &rep, &e);
			status = 1;
			gr_rw_result_free(rw);
			gr_toolchain_deinit(&tc);
			goto out;
		}
		if (src != GR_ENOTFOUND && src != GR_OK) {
			gr_cli_diag(stderr, "%s", e.msg);
			gr_linkwrap_report(&ls, NULL, rw, 2, &rep, &e);
			status = 2;
			gr_rw_result_free(rw);
			gr_toolchain_deinit(&tc);
			goto out;
		}
		rc = src == GR_OK ? GR_OK : rc;
	}
	if (rc == GR_ENOTFOUND)
		gr_linkwrap_origins(&env, rw, getenv(GR_PKGLOG_ENV));
	if (rc == GR_ENOTFOUND) {
		struct gr_rw_opts o;
		memset(&o, 0, sizeof(o));
		o.mode = ls.mode == GR_LINK_THIRD_PARTY ? GR_RW_THIRD_PARTY : GR_RW_STATIC;
		o.system_libs = gr_rw_default_system_libs;
		o.nsystem_libs = gr_rw_ndefault_system_libs;
		gr_cmd_pcrw_explain_missing(stderr, rw, o.mode, &o, true);
		gr_linkwrap_report(&ls, NULL, rw, 1, &rep, &e);
		status = 1;
	} else if (rc) {
		gr_cli_diag(stderr, "%s", e.msg);
		gr_linkwrap_report(&ls, NULL, rw, 2, &rep, &e);
		status = 2;
	} else {
		struct gr_linkwrap w = { &env, &ls, (const char *const *)rw->search.dirs, rw->search.ndirs, stdout, stderr,
		                         "gorelink-ld" };
		/* A bare archive name linked as -lNAME finds it (inference, or -lNAME given too): say so. */
		for (size_t k = 0; k < rw->ntokens; k++)
			if (rw->tokens[k].bare_archive && rw->tokens[k].res.nnotes)
				gr_cli_diag(stderr, "note: %s", rw->tokens[k].res.notes[rw->tokens[k].res.nnotes - 1]);
		status = gr_linkwrap_link(&w, &final, &rep);
		gr_linkwrap_report(&ls, &final, rw, status, &rep, &e);
	}
	gr_rw_result_free(rw);
	gr_toolchain_deinit(&tc);
out:
	gr_strvec_deinit(&args);
	gr_strvec_deinit(&final);
	gr_link_report_deinit(&rep);
	gr_linkstate_deinit(&ls);
	return status;
}

int
gr_cmd_pkgconfig_shim(int argc, char **argv)
{
	struct gr_strvec av;
	const char *real = getenv("GORELINK_REAL_PKG_CONFIG");
	bool libs = false;
	int i, status;

	gr_cli_set_progname("gorelink-pkg-config");
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--libs"))
			libs = true;
	gr_strvec_init(&av);
	/* A multi-word value ("pkg-config --define-prefix") is split as go splits it. */
	{
		struct gr_error e;
		if (gr_goflags_split(real && *real ? real : "pkg-config", &av, &e) != GR_OK || !av.n) {
			gr_cli_diag(stderr, "PKG_CONFIG: %s", av.n ? e.msg : "empty");
			gr_strvec_deinit(&av);
			return 2;
		}
	}
	/* Note which packages cmd/go asked about: gorelink-ld names them when it
	 * explains a library that has no archive. */
	{
		const char *log = getenv(GR_PKGLOG_ENV);
		struct gr_error e;
		for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
			;
		/* Best effort, as before: a log that cannot be written only costs the chains. */
		if (log && *log && i + 1 < argc)
			(void)gr_pkglog_append(log, (const char *const *)argv + i + 1, (size_t)(argc - i - 1), &e);
	}
	/* cmd/go asks "--libs -- PKG..."; a static link needs Libs.private too. */
	if (libs && gr_strvec_push(&av, "--static")) {
		gr_cli_diag(stderr, "out of memory");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (gr_strvec_push(&av, argv[i])) {
			gr_cli_diag(stderr, "out of memory");
			return 2;
		}
	status = gr_extld_exec(gr_strvec_argv(&av));
	gr_strvec_deinit(&av);
	return status;
}
