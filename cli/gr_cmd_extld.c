#include "gr_cmd_extld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_cli.h"
#include "gr_cmd_pcrw.h"
#include "gr_extld.h"
#include "gr_kv.h"
#include "gr_linkstate.h"
#include "gr_spawn.h"
#include "gr_tccache.h"

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

/* Record the final link for the driver: its argv, what each -l became, and the outcome. */
static void
gr_extld_record(const struct gr_linkstate *ls, const struct gr_strvec *final,
                const struct gr_rw_result *rw, int status)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	char num[32];
	size_t i, k;
	FILE *f;

	if (!ls->report)
		return;
	for (i = 0; final && i < final->n; i++)
		gr_kv_put(&b, 'A', final->v[i]);
	for (i = 0; rw && i < rw->ntokens; i++) {
		const struct gr_rw_token *t = &rw->tokens[i];
		if (t->kind != GR_RW_LIBRARY)
			continue;
		if (t->missing)
			gr_kv_put(&b, 'M', t->lib);
		else if (t->kept)
			gr_kv_put(&b, 'K', t->lib);
		else
			for (k = 0; k < t->noutput; k++)
				if (t->output[k][0] == '/')
					gr_kv_put(&b, 'a', t->output[k]);
	}
	snprintf(num, sizeof(num), "%d", status);
	gr_kv_put(&b, 'S', num);
	f = b.nomem ? NULL : fopen(ls->report, "w");
	if (f) {
		fwrite(b.p, 1, b.n, f);
		fclose(f);
	}
	free(b.p);
}

int
gr_cmd_extld(int argc, char **argv)
{
	const char *statepath = getenv(GR_LINKSTATE_ENV);
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_strvec args, final;
	struct gr_rw_result *rw = NULL;
	struct gr_error e;
	bool hit;
	int rc, status;
	size_t k;

	gr_cli_set_progname("gorelink-ld");
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
	if ((rc = gr_tccache_discover(gr_strvec_argv(&ls.cc), &tc, &hit, &e))) {
		gr_cli_diag(stderr, "%s", e.msg);
		gr_extld_record(&ls, NULL, NULL, 2);
		status = 2;
		goto out;
	}
	rc = gr_extld_rewrite(&ls, &tc, args.v, args.n, &final, &rw, &e);
	if (rc == GR_ENOTFOUND) {
		struct gr_rw_opts o;
		memset(&o, 0, sizeof(o));
		o.mode = ls.mode == GR_LINK_THIRD_PARTY ? GR_RW_THIRD_PARTY : GR_RW_STATIC;
		o.system_libs = gr_rw_default_system_libs;
		o.nsystem_libs = gr_rw_ndefault_system_libs;
		for (k = 0; k < rw->ntokens; k++)
			if (rw->tokens[k].missing)
				gr_cmd_pcrw_explain_missing(stderr, rw, &rw->tokens[k], o.mode, &o, true);
		gr_extld_record(&ls, NULL, rw, 1);
		status = 1;
	} else if (rc) {
		gr_cli_diag(stderr, "%s", e.msg);
		gr_extld_record(&ls, NULL, rw, 2);
		status = 2;
	} else {
		status = gr_extld_exec(gr_strvec_argv(&final));
		gr_extld_record(&ls, &final, rw, status);
	}
	gr_rw_result_free(rw);
	gr_toolchain_deinit(&tc);
out:
	gr_strvec_deinit(&args);
	gr_strvec_deinit(&final);
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
	if (gr_strvec_push(&av, real && *real ? real : "pkg-config")) {
		gr_cli_diag(stderr, "out of memory");
		return 2;
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
