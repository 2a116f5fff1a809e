#include "gr_cmd_extld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_cli.h"
#include "gr_cmd_pcrw.h"
#include "gr_extld.h"
#include "gr_goflags.h"
#include "gr_linkwrap.h"
#include "gr_pc.h"
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
	/* cmd/link's probe links (-o DIR/a.out FLAG DIR/trivial.c): answered from
	 * the cache when the same probe ran with the same toolchain before. */
	if (args.n && !ls.darwin && gr_extld_probe_shape(args.v, args.n, &(size_t){ 0 })) {
		struct gr_extld_probe ans;
		char cwd[4096];
		bool phit;
		rc = gr_extld_probe(&env, gr_extld_discovery_path(env.path, statepath), environ,
		                    getcwd(cwd, sizeof(cwd)), gr_strvec_argv(&ls.cc), args.v, args.n, &ans, &phit, &e);
		if (rc == GR_OK) {
			if ((ans.outlen && fwrite(ans.out, 1, ans.outlen, stdout) != ans.outlen) || fflush(stdout) ||
			    (ans.errlen && fwrite(ans.err, 1, ans.errlen, stderr) != ans.errlen))
				ans.status = ans.status ? ans.status : 1;
			status = ans.status;
			gr_extld_probe_free(&ans);
			goto out;
		}
		if (rc != GR_ENOTFOUND) {
			gr_cli_diag(stderr, "%s", e.msg);
			status = rc == GR_EIO ? 127 : 2;  /* 127: the compiler did not start, as before */
			goto out;
		}
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
	/* The helper directory go build found us in is new on every run: the
	 * toolchain cache is keyed by the user's PATH, as the driver's is. */
	{
		struct gr_env denv = env;
		denv.path = gr_extld_discovery_path(env.path, statepath);
		rc = ls.darwin ? GR_OK : gr_tccache_discover(&denv, gr_strvec_argv(&dcc), &tc, &hit, &e);
	}
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
		struct gr_linkwrap sw = { &env, &ls, NULL, 0, stdout, stderr, "gorelink-ld", false };
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
		                         "gorelink-ld", !tc.sysroot || !strcmp(tc.sysroot, "/") };
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

/* The -l names the answer for the packages (argv[from..argc)) leaves out
 * because only a library kept dynamic (GORELINK_DYNAMIC: one -l name a line)
 * needs them privately (gr_pc_graph_dropped); an empty list when unknown. */
static int
gr_shim_dropped(const char *dyn, char **argv, int from, int argc, struct gr_strvec *out)
{
	struct gr_strvec names, via, query;
	struct gr_pc_graph *g = NULL;
	struct gr_env env;
	struct gr_error e;
	size_t len = 1;
	char *q;
	const char *p, *nl;
	int i, rc = GR_OK;

	gr_strvec_init(&names);
	gr_strvec_init(&via);
	gr_strvec_init(&query);
	for (i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!(q = malloc(len)))
		return GR_ENOMEM;
	q[0] = '\0';
	for (i = from, len = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		if (i > from)
			q[len++] = ' ';
		memcpy(q + len, argv[i], l + 1);
		len += l;
	}
	for (p = dyn; !rc && (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		if (nl > p && gr_strvec_pushn(&names, p, (size_t)(nl - p)))
			rc = GR_ENOMEM;
	gr_env_from_environ(&env, environ);
	if (!rc && *q && gr_pc_graph(&env, (const char *const *)&q, 1, &g, &e) == GR_OK &&
	    gr_pc_graph_mark_dynamic(g, (const char *const *)names.v, names.n)) {
		rc = gr_pc_graph_dropped(g, (const char *const *)names.v, names.n, out, &via);
	}
	gr_pc_graph_free(g);
	free(q);
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&via);
	gr_strvec_deinit(&query);
	return rc;
}

/* Run the real pkg-config and print its answer without the words "-lNAME"
 * for each NAME in drop (each other word as it was, blank-separated). */
static int
gr_shim_filtered(char *const *av, const struct gr_strvec *drop)
{
	struct gr_spawn_result res;
	struct gr_error e;
	const char *p;
	size_t i;
	bool first = true;

	if (gr_spawn_capture(av, NULL, &res, &e)) {
		gr_cli_diag(stderr, "%s", e.msg);
		return 127;
	}
	if (res.err && res.errlen)
		fwrite(res.err, 1, res.errlen, stderr);
	if (!res.exited || res.code != 0) {
		if (res.out)
			fwrite(res.out, 1, res.outlen, stdout);
		i = res.exited ? (size_t)res.code : 128 + (size_t)res.code;
		gr_spawn_result_free(&res);
		return (int)i;
	}
	for (p = res.out ? res.out : ""; *p;) {
		const char *w;
		bool skip = false;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p += p[0] == '\\' && p[1] ? 2 : 1;
		for (i = 0; i < drop->n && !skip; i++)
			skip = (size_t)(p - w) == strlen(drop->v[i]) + 2 && !strncmp(w, "-l", 2) &&
			       !strncmp(w + 2, drop->v[i], (size_t)(p - w) - 2);
		if (skip)
			continue;
		printf("%s%.*s", first ? "" : " ", (int)(p - w), w);
		first = false;
	}
	putchar('\n');
	gr_spawn_result_free(&res);
	return fflush(stdout) ? 1 : 0;
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
	/* Libraries kept dynamic (gorelink --allow-dynamic, system libraries in
	 * third-party mode): their private dependencies come from their DT_NEEDED
	 * at run time, so the answer leaves out what only they need. */
	{
		const char *dyn = getenv("GORELINK_DYNAMIC");
		struct gr_strvec drop;
		for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
			;
		gr_strvec_init(&drop);
		if (libs && dyn && *dyn && i + 1 < argc) {
			if (gr_shim_dropped(dyn, argv, i + 1, argc, &drop)) {
				gr_cli_diag(stderr, "out of memory");
				gr_strvec_deinit(&drop);
				gr_strvec_deinit(&av);
				return 2;
			}
			if (drop.n) {
				status = gr_shim_filtered(gr_strvec_argv(&av), &drop);
				gr_strvec_deinit(&drop);
				gr_strvec_deinit(&av);
				return status;
			}
		}
		gr_strvec_deinit(&drop);
	}
	status = gr_extld_exec(gr_strvec_argv(&av));
	gr_strvec_deinit(&av);
	return status;
}
