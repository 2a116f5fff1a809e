#include "gr_cmd_index.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gr_cli.h"
#include "gr_pc.h"
#include "gr_strvec.h"
#include "gr_symindex.h"
#include "gr_tccache.h"

extern char **environ;

static void
gr_cmd_index_usage(FILE *f)
{
	fputs("Usage: gorelink index [--cc COMMAND] [-L DIR]... [--stats] [SYMBOL...]\n"
	      "\n"
	      "Index the symbol tables of every lib*.a on the linker's search path (the -L\n"
	      "dirs given, then the compiler's and the linker's own) and print, for each\n"
	      "SYMBOL, the archives that define it, with the -l that reaches them. Each\n"
	      "archive's symbols are cached ($GORELINK_CACHE_DIR), keyed by its identity.\n"
	      "This is the index that explains undefined symbols when a build fails.\n"
	      "\n"
	      "Options:\n"
	      "      --cc COMMAND  the C compiler whose search dirs apply (default: $CC, else cc)\n"
	      "  -L DIR            search DIR first (repeatable)\n"
	      "      --stats       print how many archives and symbols were read, and how\n"
	      "                    many archives came from the cache\n"
	      "  -h, --help        this text\n"
	      "\n"
	      "Exit status: 0 every SYMBOL is defined somewhere, 1 some SYMBOL is not,\n"
	      "2 the compiler or the cache could not be used, 64 usage error.\n", f);
}

int
gr_cmd_index(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option longopts[] = {
		{ "cc", required_argument, NULL, 'c' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_env env;
	struct gr_strvec dirs, cc;
	struct gr_pc_tokens *words = NULL;
	struct gr_toolchain tc;
	struct gr_symindex *ix = NULL;
	struct gr_symindex_stats st;
	struct gr_error e;
	const char *ccarg = NULL;
	bool stats = false, hit;
	int c, i, status = GR_EXIT_OK;
	size_t k;

	gr_env_from_environ(&env, environ);
	gr_strvec_init(&dirs);
	gr_strvec_init(&cc);
	memset(&tc, 0, sizeof(tc));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":L:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': ccarg = optarg; break;
		case 's': stats = true; break;
		case 'L':
			if (gr_strvec_push(&dirs, optarg)) {
				status = GR_EXIT_ERROR;
				goto out;
			}
			break;
		case 'h':
			gr_cmd_index_usage(out);
			goto out;
		default:
			gr_cli_diag(err, "index: bad option '%s'; see 'gorelink index --help'", argv[optind - 1]);
			status = GR_EXIT_USAGE;
			goto out;
		}
	}
	if (!ccarg)
		ccarg = env.cc;
	if (!ccarg || !*ccarg)
		ccarg = "cc";
	if (gr_pc_split(ccarg, "--cc", &words, &e) || !words->n) {
		gr_cli_diag(err, "index: --cc: no compiler given");
		status = GR_EXIT_USAGE;
		goto out;
	}
	for (k = 0; k < words->n; k++)
		gr_strvec_push(&cc, words->v[k].text);
	if (gr_tccache_discover(&env, gr_strvec_argv(&cc), &tc, &hit, &e)) {
		gr_cli_diag(err, "index: %s", e.msg);
		status = GR_EXIT_ERROR;
		goto out;
	}
	/* ld's order: the -L given, the driver's dirs, the linker's (sysroot applied by ld: '=' dropped). */
	if (gr_strvec_extend(&dirs, &tc.driver_dirs))
		status = GR_EXIT_ERROR;
	for (k = 0; k < tc.ld_dirs.n && status == GR_EXIT_OK; k++) {
		const char *d = tc.ld_dirs.v[k];
		if (gr_strvec_push(&dirs, d[0] == '=' ? d + 1 : d))
			status = GR_EXIT_ERROR;
	}
	if (status == GR_EXIT_OK &&
	    gr_symindex_build(&env, (const char *const *)dirs.v, dirs.n, &ix, &st, &e)) {
		gr_cli_diag(err, "index: %s", e.msg);
		status = GR_EXIT_ERROR;
		goto out;
	}
	if (stats)
		fprintf(out, "%zu archives, %zu symbols, %zu archives from the cache\n", st.archives, st.symbols,
		        st.cached);
	for (i = optind; i < argc && ix; i++) {
		size_t n;
		const struct gr_symarchive *const *a = gr_symindex_lookup(ix, argv[i], &n);
		/* A C++ name as linkers print it: "std::terminate()". */
		if (!n && strpbrk(argv[i], " :(<") && gr_symindex_lookup_demangled(ix, argv[i], &a, &n, &e)) {
			gr_cli_diag(err, "index: %s", e.msg);
			status = GR_EXIT_ERROR;
			break;
		}
		fprintf(out, "%s:", argv[i]);
		if (!n) {
			fputs(" not defined in any archive on the search path\n", out);
			status = GR_EXIT_FAIL;
			continue;
		}
		for (k = 0; k < n; k++)
			fprintf(out, " %s (-l%s)", a[k]->path, a[k]->lname);
		fputc('\n', out);
	}
out:
	gr_symindex_free(ix);
	gr_toolchain_deinit(&tc);
	gr_pc_tokens_free(words);
	gr_strvec_deinit(&cc);
	gr_strvec_deinit(&dirs);
	return status;
}
