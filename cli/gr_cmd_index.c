#include "gr_cmd_index.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_cli.h"
#include "gr_dpkg.h"
#include "gr_pc.h"
#include "gr_spawn.h"
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
	      "A SYMBOL no archive defines is looked up in the dynamic symbol tables of the\n"
	      "shared libraries (lib*.so, lib*.so.*) of the same directories: each one that\n"
	      "defines it is named, with its soname, the -l that reaches it and the Debian\n"
	      "packages that ship it (from dpkg's database, where there is one).\n"
	      "\n"
	      "Options:\n"
	      "      --cc COMMAND  the C compiler whose search dirs apply (default: $CC, else cc)\n"
	      "  -L DIR            search DIR first (repeatable)\n"
	      "      --stats       print how many archives and symbols were read, and how\n"
	      "                    many archives came from the cache\n"
	      "  -h, --help        this text\n"
	      "\n"
	      "Exit status: 0 every SYMBOL is defined in an archive, 1 some SYMBOL is not\n"
	      "(whether or not a shared library defines it), 2 the compiler or the cache\n"
	      "could not be used, 64 usage error.\n", f);
}

/* dpkg's database, read at the first shared-library hit ($DPKG_ADMINDIR). */
static struct gr_dpkg *gr_cmd_index_db;
static bool gr_cmd_index_db_tried;

/* The Debian package that ships path ("libsystemd0" for
 * /usr/lib/x86_64-linux-gnu/libsystemd.so.0, also where dpkg lists it under
 * /lib with a merged /usr), from dpkg's database, into buf; false where there
 * is no database or no package ships it. */
static bool
gr_cmd_index_package(const char *path, char *buf, size_t n)
{
	const struct gr_dpkg_pkg *p;
	struct gr_error e;

	if (!gr_cmd_index_db_tried) {
		char *admin = gr_dpkg_admindir(getenv("DPKG_ADMINDIR"), getenv("DPKG_ROOT"));
		gr_cmd_index_db_tried = true;
		if (gr_dpkg_open(admin, &gr_cmd_index_db, &e) != GR_OK)
			gr_cmd_index_db = NULL;
		free(admin);
	}
	if (!gr_cmd_index_db || !(p = gr_dpkg_owner(gr_cmd_index_db, path)) || strlen(p->package) >= n)
		return false;
	snprintf(buf, n, "%s", p->package);
	return true;
}

/* What shared library defines a symbol no archive does: one line's tail. */
static void
gr_cmd_index_shared_hit(FILE *out, const struct gr_symshared_hit *h)
{
	char dev[256], rt[256];
	bool hd = gr_cmd_index_package(h->path, dev, sizeof(dev));
	bool hr = strcmp(h->runtime, h->path) && gr_cmd_index_package(h->runtime, rt, sizeof(rt));

	fprintf(out, " %s (%s", h->soname, h->path);
	if (h->lname)
		fprintf(out, ", -l%s", h->lname);
	else
		fputs(", no lib<name>.so links to it", out);
	if (hd && hr && strcmp(dev, rt))
		fprintf(out, "; package %s/%s", dev, rt);
	else if (hd || hr)
		fprintf(out, "; package %s", hd ? dev : rt);
	fputc(')', out);
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
	struct gr_strvec dirs, cc, unfound;
	struct gr_symshared *sh = NULL;
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
	gr_strvec_init(&unfound);
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
	/* The symbols no archive defines: asked of the shared libraries, all at once. */
	for (i = optind; i < argc && ix && status != GR_EXIT_ERROR; i++) {
		size_t n;
		const struct gr_symarchive *const *a = gr_symindex_lookup(ix, argv[i], &n);
		/* A C++ name as linkers print it: "std::terminate()". */
		if (!n && strpbrk(argv[i], " :(<") && gr_symindex_lookup_demangled(ix, argv[i], &a, &n, &e)) {
			gr_cli_diag(err, "index: %s", e.msg);
			status = GR_EXIT_ERROR;
			break;
		}
		if (!n && gr_strvec_push(&unfound, argv[i])) {
			status = GR_EXIT_ERROR;
			break;
		}
	}
	if (unfound.n && status != GR_EXIT_ERROR &&
	    gr_symindex_shared((const char *const *)dirs.v, dirs.n, (const char *const *)unfound.v, unfound.n, &sh, &e)) {
		gr_cli_diag(err, "index: %s", e.msg);
		status = GR_EXIT_ERROR;
	}
	for (i = optind; i < argc && ix && status != GR_EXIT_ERROR; i++) {
		size_t n, u, h, shown = 0;
		const struct gr_symarchive *const *a = gr_symindex_lookup(ix, argv[i], &n);
		if (!n && strpbrk(argv[i], " :(<") && gr_symindex_lookup_demangled(ix, argv[i], &a, &n, &e)) {
			gr_cli_diag(err, "index: %s", e.msg);
			status = GR_EXIT_ERROR;
			break;
		}
		fprintf(out, "%s:", argv[i]);
		if (!n) {
			fputs(" not defined in any archive on the search path", out);
			for (u = 0; u < unfound.n && strcmp(unfound.v[u], argv[i]); u++)
				;
			for (h = 0; sh && h < sh->nhits; h++)
				if (sh->hits[h].sym == u) {
					fputs(shown++ ? ";" : "; defined in the shared library", out);
					gr_cmd_index_shared_hit(out, &sh->hits[h]);
				}
			fputc('\n', out);
			status = GR_EXIT_FAIL;
			continue;
		}
		for (k = 0; k < n; k++)
			fprintf(out, " %s (-l%s)", a[k]->path, a[k]->lname);
		fputc('\n', out);
	}
out:
	gr_symshared_free(sh);
	gr_strvec_deinit(&unfound);
	gr_symindex_free(ix);
	gr_toolchain_deinit(&tc);
	gr_pc_tokens_free(words);
	gr_strvec_deinit(&cc);
	gr_strvec_deinit(&dirs);
	gr_dpkg_free(gr_cmd_index_db);
	gr_cmd_index_db = NULL;
	gr_cmd_index_db_tried = false;
	return status;
}
