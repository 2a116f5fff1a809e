#define _GNU_SOURCE  /* memmem */
#include "gr_cmd_pcrw.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bfd.h>


#include "gr_cache.h"
#include "gr_chain.h"
#include "gr_cli.h"
#include "gr_dpkg.h"
#include "gr_file.h"
#include "gr_json.h"
#include "gr_path.h"
#include "gr_pc.h"
#include "gr_rewrite.h"
#include "gr_spawn.h"
#include "gr_strvec.h"
#include "gr_tccache.h"
#include "gr_toolchain.h"

extern char **environ;

#define GR_PCRW_SCHEMA "gorelink-pkgconf-rewrite/1"
#define GR_PCRW_MAXSTDIN (16u << 20)

void
gr_cmd_pcrw_usage(FILE *f)
{
	fputs("Usage: pkgconf-rewrite [OPTIONS] PACKAGE...\n"
	      "       pkgconf-rewrite [OPTIONS] -- FLAG...\n"
	      "       pkgconf-rewrite [OPTIONS] -            (flags on standard input)\n"
	      "\n"
	      "Turn link flags into the exact static archives GNU ld (or, for Apple targets,\n"
	      "ld64) would open.\n"
	      "PACKAGE is a pkg-config query such as sqlite3 or 'libseccomp >= 2.5', resolved\n"
	      "with --static semantics (Libs.private, Requires.private). FLAGs are link flags\n"
	      "such as the output of pkg-config --static --libs; '-' reads them from standard\n"
	      "input, split with pkg-config's quoting rules.\n"
	      "\n"
	      "Options:\n"
	      "      --mode=static        every -l becomes an archive (default)\n"
	      "      --mode=third-party   system libraries (the C library family and the gcc\n"
	      "                           runtime) stay -l; everything else becomes an archive\n"
	      "      --system-libs=LIST   comma-separated names that --mode=third-party keeps\n"
	      "                           (default: c,m,pthread,dl,rt,resolv,util,anl,crypt,nsl,\n"
	      "                           mvec,BrokenLocale,thread_db,nss_files,nss_dns,gcc,\n"
	      "                           gcc_s,gcc_eh,atomic)\n"
	      "      --allow-dynamic=NAME keep -lNAME as it is, in any mode (repeatable)\n"
	      "      --cc=COMMAND         the C compiler whose search dirs apply (default: $CC,\n"
	      "                           else cc); may hold several words, e.g. 'ccache gcc'\n"
	      "      --target=TRIPLE      the target, e.g. arm64-apple-macos11 or x86_64-apple-darwin;\n"
	      "                           one naming apple, darwin or macos selects Apple ld64's\n"
	      "                           rules (default: what '$CC -dumpmachine' prints)\n"
	      "      --syslibroot=DIR     Apple targets: the SDK ld64 re-roots /usr/lib and -L\n"
	      "                           dirs under (-syslibroot, -Wl,-syslibroot,DIR and\n"
	      "                           -isysroot in the flags come after it); every\n"
	      "                           third-party -l becomes its lib<name>.a, system\n"
	      "                           libraries (System,c,m,pthread,dl,resolv,c++,objc and\n"
	      "                           anything found in the SDK's usr/lib) stay -l\n"
	      "      --each               resolve each PACKAGE on its own: one line per package,\n"
	      "                           the query, a tab, then its flags (JSON: one object\n"
	      "                           per line); a failing package is reported on stderr\n"
	      "                           and the others are still printed\n"
	      "      --infer              infer the package of each bare -lNAME (one no package\n"
	      "                           in the input accounts for) from the installed .pc\n"
	      "                           files and insert its pkg-config --static closure\n"
	      "                           after it; each inference is noted on stderr\n"
	      "  -0                       separate the output arguments with NUL bytes\n"
	      "      --json               a JSON report (schema gorelink-pkgconf-rewrite/1)\n"
	      "  -h, --help               this text\n"
	      "\n"
	      "Output: one line of quoted arguments that Go (CGO_LDFLAGS, -extldflags) and a\n"
	      "shell both read back as written. Nothing is written to standard output when\n"
	      "anything fails.\n"
	      "\n"
	      "Exit status:\n"
	      "  0   every library resolved as the mode requires\n"
	      "  1   some library has no static archive (each is explained on stderr)\n"
	      "  2   a package, a .pc file, the input flags, a linker script or the compiler\n"
	      "      could not be used\n"
	      "  64  usage error\n"
	      "\n"
	      "See pkgconf-rewrite(1).\n", f);
}

static const char *
gr_pcrw_kind_name(enum gr_rw_kind k)
{
	switch (k) {
	case GR_RW_LIBRARY: return "library";
	case GR_RW_SEARCH_DIR: return "search-dir";
	case GR_RW_LINKER_STATE: return "linker-state";
	case GR_RW_OTHER: return "other";
	}
	return "other";
}

static const char *
gr_pcrw_source_name(enum gr_dir_source s)
{
	switch (s) {
	case GR_DIR_CMDLINE: return "command-line";
	case GR_DIR_DRIVER: return "compiler";
	case GR_DIR_LDARG: return "linker-option";
	case GR_DIR_LINKER: return "linker";
	case GR_DIR_SCRIPT: return "linker-script";
	}
	return "linker";
}

static const char *
gr_pcrw_file_kind(enum gr_cand k)
{
	switch (k) {
	case GR_CAND_ARCHIVE: return "archive";
	case GR_CAND_SHARED: return "shared";
	case GR_CAND_OBJECT: return "object";
	case GR_CAND_SCRIPT: return "linker-script";
	default: return "other";
	}
}

void
gr_cmd_pcrw_json_inferred(struct gr_json *j, const char *lname, const char *package, const char *rule,
                          const char *why, const char *via, const char *const *alts, size_t nalts,
                          const char *const *added, size_t nadded)
{
	size_t i;

	gr_json_obj_begin(j, NULL);
	gr_json_str(j, "lname", lname);
	gr_json_str(j, "package", package);
	gr_json_str(j, "rule", rule);
	gr_json_str(j, "why", why);
	gr_json_arr_begin(j, "alternatives");
	for (i = 0; i < nalts; i++)
		gr_json_str(j, NULL, alts[i]);
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "added");
	for (i = 0; i < nadded; i++)
		gr_json_str(j, NULL, added[i]);
	gr_json_arr_end(j);
	gr_json_str(j, "via", via);
	gr_json_obj_end(j);
}

void
gr_cmd_pcrw_note_inferred(FILE *err, const char *prog, const char *lname, const char *package, const char *why,
                          const char *via, const char *const *alts, size_t nalts, const char *const *added,
                          size_t nadded)
{
	size_t i;

	fprintf(err, "%s: -l%s: inferred package %s (%s)", prog, lname, package, why);
	if (via)
		fprintf(err, ", named by the Libs.private of %s", via);
	if (nalts) {
		fputs("; also provided by: ", err);
		for (i = 0; i < nalts; i++)
			fprintf(err, "%s%s", i ? ", " : "", alts[i]);
	}
	fputs("; added after it:", err);
	for (i = 0; i < nadded; i++)
		fprintf(err, " %s", added[i]);
	fputc('\n', err);
}

static void
gr_pcrw_json(FILE *out, const struct gr_rw_result *r, const struct gr_toolchain *tc,
             const char *mode, const char *pkg)
{
	struct gr_json j;
	size_t i, k;

	gr_json_init(&j, out);
	gr_json_obj_begin(&j, NULL);
	gr_json_str(&j, "schema", GR_PCRW_SCHEMA);
	if (pkg)
		gr_json_str(&j, "package", pkg);
	gr_json_str(&j, "mode", r->darwin ? "third-party" : mode);
	gr_json_str(&j, "target", r->darwin ? r->ld64.arch : tc->output_format);
	gr_json_str(&j, "linker", r->darwin ? "ld64" : "gnu-ld");
	if (r->darwin)
		gr_json_str(&j, "search_order", r->ld64.order == GR_LD64_DYLIBS_FIRST ? "dylibs-first" : "paths-first");
	gr_json_str(&j, "sysroot", r->search.sysroot);
	gr_json_arr_begin(&j, "search_dirs");
	for (i = 0; i < r->search.ndirs; i++) {
		gr_json_obj_begin(&j, NULL);
		gr_json_str(&j, "dir", r->search.dirs[i]);
		gr_json_str(&j, "source", gr_pcrw_source_name(r->search.sources[i]));
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "tokens");
	for (i = 0; i < r->ntokens; i++) {
		const struct gr_rw_token *t = &r->tokens[i];
		gr_json_obj_begin(&j, NULL);
		gr_json_str(&j, "input", t->input);
		gr_json_str(&j, "kind", gr_pcrw_kind_name(t->kind));
		gr_json_str(&j, "from", t->origin);
		gr_json_arr_begin(&j, "output");
		for (k = 0; k < t->noutput; k++)
			gr_json_str(&j, NULL, t->output[k]);
		gr_json_arr_end(&j);
		if (t->kind == GR_RW_LIBRARY) {
			gr_json_str(&j, "library", t->lib);
			if (r->darwin)
				gr_json_str(&j, "variant", t->variant);
			gr_json_bool(&j, "bdynamic_in_force", t->dynamic_state);
			gr_json_str(&j, "kept", t->kept ? t->kept_why : NULL);
			gr_json_bool(&j, "missing", t->missing);
			gr_json_str(&j, "resolved", t->res.found.path);
			gr_json_str(&j, "resolved_kind", t->res.found.path ? gr_pcrw_file_kind(t->res.found.kind) : NULL);
			if (t->res.found.path && t->res.found.dir_index != (size_t)-1) {
				gr_json_str(&j, "dir", r->search.dirs[t->res.found.dir_index]);
				gr_json_int(&j, "dir_index", (long long)t->res.found.dir_index);
			} else {
				gr_json_str(&j, "dir", NULL);
				gr_json_str(&j, "dir_index", NULL);
			}
			gr_json_arr_begin(&j, "members");
			for (k = 0; k < t->res.nmembers; k++) {
				const struct gr_ldfile *m = &t->res.members[k];
				gr_json_obj_begin(&j, NULL);
				gr_json_str(&j, "path", m->path);
				gr_json_str(&j, "kind", gr_pcrw_file_kind(m->kind));
				gr_json_int(&j, "group", m->group);
				gr_json_bool(&j, "as_needed", m->as_needed);
				gr_json_obj_end(&j);
			}
			gr_json_arr_end(&j);
			gr_json_str(&j, "shared_alternative", t->shared_alternative);
			gr_json_arr_begin(&j, "notes");
			for (k = 0; k < t->res.nnotes; k++)
				gr_json_str(&j, NULL, t->res.notes[k]);
			if (t->dynamic_state && !t->kept && !t->missing)
				gr_json_str(&j, NULL, "-Bdynamic is in force here; the archive is named by path, so it links statically anyway");
			if (t->res.found.kind == GR_CAND_SCRIPT)
				gr_json_str(&j, NULL, "a linker script: its inputs replace it, GROUPs as --start-group/--end-group");
			gr_json_arr_end(&j);
		}
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "inferred");
	for (i = 0; r->inferred && i < r->inferred->nentries; i++)
		{
		const struct gr_infer_entry *x = &r->inferred->entries[i];
		gr_cmd_pcrw_json_inferred(&j, x->lname, x->package, gr_infer_rule_id(x->rule),
		                          gr_pcindex_rule_text(x->rule), x->via, x->alternatives, x->nalternatives,
		                          x->added, x->nadded);
	}
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "argv");
	for (i = 0; i < r->argv.n; i++)
		gr_json_str(&j, NULL, r->argv.v[i]);
	gr_json_arr_end(&j);
	gr_json_obj_end(&j);
	fputc('\n', out);
}

/* The search list, each directory once, lexically normalized (ld may list
 * one directory twice, under two spellings); "the same N" when printed already. */
static void
gr_pcrw_searched(FILE *f, const struct gr_rw_result *r, bool searched)
{
	char **seen = calloc(r->search.ndirs ? r->search.ndirs : 1, sizeof(*seen));
	size_t i, j, n = 0;

	char *text = NULL;
	size_t len = 0, nall = 0;
	FILE *l = seen ? open_memstream(&text, &len) : NULL;

	for (i = 0; l && i < r->search.ndirs; i++) {
		char *d = gr_path_lexical(r->search.dirs[i]);
		bool again = false;
		for (j = 0; d && j < n && !again; j++)
			again = !strcmp(seen[j], d);
		if (!again) {
			fprintf(l, "%s%s", nall ? ", " : " ", d ? d : r->search.dirs[i]);
			nall++;
		}
		if (again || !d)
			free(d);
		else
			seen[n++] = d;
	}
	if (l && fclose(l) == 0 && text) {
		if (searched)
			fprintf(f, "  searched: the same %zu directories\n", nall);
		else
			fprintf(f, "  searched:%s\n", text);
	} else
		fprintf(f, "  searched: the same %zu directories\n", r->search.ndirs);  /* out of memory */
	free(text);
	for (j = 0; j < n; j++)
		free(seen[j]);
	free(seen);
}

/* Up to this many missing libraries, the summary gives each one's chain on a line. */
#define GR_PCRW_MAX_CHAINS 4

/* "  chain: -lpcap -> libpcap.pc (inferred) -> ... -> -lsystemd" for a missing token with a .pc chain. */
static void
gr_pcrw_chain_line(FILE *f, const struct gr_rw_token *t)
{
	char flag[4096];
	char *c;

	if (t->lib)
		snprintf(flag, sizeof(flag), "-l%s", t->lib);
	else
		snprintf(flag, sizeof(flag), "%s", t->input);
	if ((c = gr_chain_text(t->origin, flag)) != NULL)
		fprintf(f, "  chain: %s\n", c);
	free(c);
}

/* Explain one missing library; searched: the search list was printed already. */
static void
gr_pcrw_explain_one(FILE *err, const struct gr_rw_result *r, const struct gr_rw_token *t,
                    enum gr_rw_mode mode, const struct gr_rw_opts *o, bool build, bool searched)
{
	size_t i;
	bool colon = t->lib[0] == ':';
	bool system = false, runtime = false;
	char rt[8192];

	for (i = 0; i < o->nsystem_libs; i++)
		if (strcmp(o->system_libs[i], t->lib) == 0)
			system = true;
	if (r->darwin)
		gr_cli_diag(err, "no static archive for -l%s (searched for lib%s.a along ld64's search path, for %s)",
		            t->lib, t->lib, r->ld64.arch);
	else if (t->shared_path && colon)
		gr_cli_diag(err, "no static archive for %s (a shared library named by its path, which ld -static refuses; its name is no lib<name>.so, so no archive can stand for it)",
		            t->shared_path);
	else if (t->shared_path)
		gr_cli_diag(err, "no static archive for -l%s (%s is a shared library named by its path, which ld -static refuses; searched for lib%s.a, as -l%s would be)",
		            t->lib, t->shared_path, t->lib, t->lib);
	else
		gr_cli_diag(err, "no static archive for -l%s (%s)", t->lib,
		            colon ? t->lib + 1 : "searched for lib<name>.a, as ld -static does");
	fprintf(err, "  wanted by: %s\n", t->origin ? t->origin :
	        build ? "the link flags cmd/link passed (a #cgo LDFLAGS line, or a #cgo pkg-config line whose flags go build took from its cache)" :
	        "the flags given");
	gr_pcrw_chain_line(err, t);
	gr_pcrw_searched(err, r, searched);
	if (r->darwin) {
		for (i = 0; i < r->ld64.nnotes; i++)
			fprintf(err, "  note: %s\n", r->ld64.notes[i]);
		for (i = 0; i < t->res.nnotes; i++)
			fprintf(err, "  note: %s\n", t->res.notes[i]);
		if (t->shared_alternative)
			fprintf(err, "  only a dynamic library exists: %s (ld64 would link it; macOS has no static libc, but third-party libraries must come from lib%s.a)\n",
			        t->shared_alternative, t->lib);
		else
			fputs("  no dylib or .tbd exists either\n", err);
		fprintf(err, "  options: install or build lib%s.a for %s (Homebrew bottles ship many); or %s%s to keep -l%s dynamic\n",
		        t->lib, r->ld64.arch, build ? "--allow-dynamic " : "--allow-dynamic=", t->lib, t->lib);
		return;
	}
	for (i = 0; i < t->res.nnotes; i++)
		fprintf(err, "  note: %s\n", t->res.notes[i]);
	if (t->shared_alternative)
		fprintf(err, "  a shared library exists instead: %s\n", t->shared_alternative);
	else if ((runtime = gr_ldsearch_runtime_only(&r->search, t->lib, rt, sizeof(rt))))
		fprintf(err, "  only a run-time library is installed: %s (the development package, not installed, brings lib%s.so and often lib%s.a)\n",
		        rt, t->lib, t->lib);
	else
		fputs("  no shared library exists either\n", err);
	/* The options, spelled for the command that is running. */
	if (t->shared_path && colon) {
		fprintf(err, "  options: name an archive (or -lNAME) instead of it where it comes from%s\n",
		        t->origin ? " (a packaging bug of that .pc file)" : "");
		return;
	}
	if (t->shared_path) {
		fprintf(err, "  options: no installed package ships lib%s.a (build it, or a package not installed may ship it); or %s%s to keep the path as it is\n",
		        t->lib, build ? "--allow-dynamic " : "--allow-dynamic=", t->lib);
		return;
	}
	fprintf(err, "  options: no installed package ships lib%s.a (build it, or a package not installed may ship it)", colon ? "<name>" : t->lib);
	if (mode == GR_RW_STATIC && system)
		fprintf(err, "; or %s, which keeps system libraries such as -l%s dynamic",
		        build ? "--third-party" : "--mode=third-party", t->lib);
	else if (mode == GR_RW_STATIC && !build)
		fprintf(err, "; or --mode=third-party, if -l%s were a system library (it is not on the list: see --system-libs)",
		        t->lib);
	if (!t->shared_alternative && colon)
		fputc('\n', err);  /* -l:FILE names one file: no shared library to keep instead */
	else if (!t->shared_alternative && runtime)
		fprintf(err, "; or %s%s to keep it dynamic (its run-time file is then linked by name)\n",
		        build ? "--allow-dynamic " : "--allow-dynamic=", t->lib);
	else if (!t->shared_alternative)
		fprintf(err, " (%s%s would need lib%s.so, which is not installed either)\n",
		        build ? "--allow-dynamic " : "--allow-dynamic=", t->lib, t->lib);
	else if (build)
		fprintf(err, "; or --allow-dynamic %s to keep -l%s dynamic (with the C library)\n", t->lib, t->lib);
	else
		fprintf(err, "; or --allow-dynamic=%s to keep -l%s dynamic\n", t->lib, t->lib);
}

/* path tidied for reading (gr_path_lexical), malloc'd; NULL stays NULL. */
static char *
gr_pcrw_tidy(const char *path)
{
	char *t = path ? gr_path_lexical(path) : NULL;

	return t ? t : path ? strdup(path) : NULL;
}

/* The package a chain starts from: "gtk+-3.0" of "gtk+-3.0 -> Requires -> gdk-3.0 (Libs)". */
static size_t
gr_pcrw_root_len(const char *origin)
{
	const char *arrow = strstr(origin, " -> "), *paren = strstr(origin, " (");
	const char *end = arrow && (!paren || arrow < paren) ? arrow : paren;

	return end ? (size_t)(end - origin) : strlen(origin);
}

/* What one library without an archive is, for the compact explanation. */
enum gr_pcrw_kind { GR_PCRW_SHARED, GR_PCRW_RUNTIME, GR_PCRW_NONE };

struct gr_pcrw_miss {
	const struct gr_rw_token *t;
	enum gr_pcrw_kind kind;
	char *where;      /* the shared or run-time library, tidied; NULL for none */
	char *elsewhere;  /* lib<name>.a below a search dir, out of ld's reach; or NULL */
	bool system;      /* a name third-party mode keeps dynamic */
	char *debpkg;     /* the Debian package that ships lib<name>.a (not installed), or NULL */
};

/* The names of the libraries of kind (or every one: -1) in m, each as fmt with %s the name. */
static void
gr_pcrw_names(FILE *f, const struct gr_pcrw_miss *m, size_t n, int kind, bool skip_elsewhere, const char *sep,
              const char *pre, const char *post)
{
	size_t i, shown = 0;

	for (i = 0; i < n; i++) {
		const char *nm = m[i].t->lib[0] == ':' ? m[i].t->lib + 1 : m[i].t->lib;
		if ((kind >= 0 && (int)m[i].kind != kind) || (skip_elsewhere && m[i].elsewhere))
			continue;
		fprintf(f, "%s%s%s%s", shown++ ? sep : "", pre, nm, post);
	}
}

/* How many of m are of kind (and, when skip_elsewhere, not found below a search dir). */
static size_t
gr_pcrw_count(const struct gr_pcrw_miss *m, size_t n, int kind, bool skip_elsewhere, bool colon_too)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += (kind < 0 || (int)m[i].kind == kind) && !(skip_elsewhere && m[i].elsewhere) &&
		     (colon_too || m[i].t->lib[0] != ':');
	return c;
}

/* What exists instead of m's archive: a shared library, a run-time one, or nothing. */
static void
gr_pcrw_kind_of(const struct gr_rw_result *r, struct gr_pcrw_miss *m)
{
	char rt[8192];

	if (m->t->shared_alternative) {
		m->kind = GR_PCRW_SHARED;
		m->where = gr_pcrw_tidy(m->t->shared_alternative);
	} else if (gr_ldsearch_runtime_only(&r->search, m->t->lib, rt, sizeof(rt))) {
		m->kind = GR_PCRW_RUNTIME;
		m->where = gr_pcrw_tidy(rt);
	} else {
		m->kind = GR_PCRW_NONE;
	}
}

/* qsort's comparison of two strings. */
static int
gr_pcrw_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The Contents index files apt-file reads (/var/lib/apt/lists, "_Contents-" in their names),
 * each "name size mtime" a line, in name order: a cache key (malloc'd), or
 * NULL when there is none. */
static char *
gr_pcrw_contents_key(void)
{
	static const char dir[] = "/var/lib/apt/lists";
	struct gr_strvec names;
	struct dirent *de;
	char *key = NULL;
	size_t i, len = 16;
	DIR *d = opendir(dir);

	if (!d)
		return NULL;
	gr_strvec_init(&names);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, "_Contents-") && gr_strvec_push(&names, de->d_name))
			break;
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), gr_pcrw_strcmp);
	for (i = 0; i < names.n; i++)
		len += strlen(names.v[i]) + 64;
	if (names.n && (key = malloc(len)) != NULL) {
		size_t at = (size_t)snprintf(key, len, "apt-file 1\n");
		for (i = 0; i < names.n; i++) {
			char path[600];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
			if (stat(path, &st) == 0 && at < len)
				at += (size_t)snprintf(key + at, len - at, "%s %lld %lld\n", names.v[i], (long long)st.st_size,
				                       (long long)st.st_mtime);
		}
	}
	gr_strvec_deinit(&names);
	return key;
}

/* Which Debian package ships each lib<name>.a of m (into m[i].debpkg), from
 * Debian's Contents index through apt-file (GORELINK_APT_FILE names the
 * program; set but empty: not used). Only a file in one of the search dirs
 * counts. Returns true when the index answered (a name without a package
 * then has none in Debian), false when there is no apt-file or no index. */
/* --each: no Contents look-up (one apt-file search per refused package
 * would take seconds each on a cold cache). */
static bool gr_pcrw_batch;

static bool
gr_pcrw_contents(const struct gr_rw_result *r, struct gr_pcrw_miss *m, size_t n)
{
	const char *prog = getenv("GORELINK_APT_FILE");
	struct gr_spawn_result res;
	struct gr_error e;
	char *re = NULL, *pat;
	size_t i, k, len = 64;
	const char *p, *nl;
	bool known = false;

	struct gr_env env;
	char *key = NULL, *data = NULL, *out = NULL;
	size_t dlen = 0;
	bool cached = false;

	if ((prog && !*prog) || gr_pcrw_batch)
		return false;
	/* No Contents index, no look-up (apt-file would only say so, slowly);
	 * the index's files (name, size, time) key the answers in the cache. */
	if (!prog && !(key = gr_pcrw_contents_key()))
		return false;
	for (i = 0; i < n; i++)
		len += 2 * strlen(m[i].t->lib) + 8;
	if (!(re = malloc(len)))
		return false;
	memcpy(re, "/(", 3);
	pat = re + 2;
	for (i = 0, k = 0; i < n; i++) {
		const char *nm = m[i].t->lib;
		bool colon = nm[0] == ':';
		if (k++)
			*pat++ = '|';
		if (!colon) {
			memcpy(pat, "lib", 3);
			pat += 3;
		}
		for (nm += colon; *nm; nm++) {
			if (strchr(".+*?()[]{}|^$\\", *nm))
				*pat++ = '\\';
			*pat++ = *nm;
		}
		if (!colon) {
			memcpy(pat, "\\.a", 3);
			pat += 3;
		}
	}
	memcpy(pat, ")$", 3);
	gr_env_from_environ(&env, environ);
	if (key) {
		size_t kl = strlen(key) + strlen(re) + 2;
		char *k2 = malloc(kl);
		if (k2) {
			snprintf(k2, kl, "%s\n%s", key, re);
			cached = gr_cache_get(&env, "aptfile", k2, &data, &dlen) == GR_OK && dlen >= 2;
			if (cached) {
				known = data[0] == '1';
				out = data + 2;
			}
		}
		free(key);
		key = k2;
	}
	if (!cached) {
		char *av[] = { (char *)(uintptr_t)(prog ? prog : "apt-file"), (char *)(uintptr_t)"search", (char *)(uintptr_t)"-x",
		               re, NULL };
		if (gr_spawn_capture(av, NULL, &res, &e) != GR_OK) {
			free(re);
			free(key);
			return false;
		}
		/* 0: matches; 1 with nothing said: the index has none; else (3: no index) unknown. */
		known = res.exited && (res.code == 0 || (res.code == 1 && !res.errlen));
		out = res.out ? res.out : (char *)(uintptr_t)"";
		if (key && res.exited && (data = malloc(strlen(out) + 3)) != NULL) {
			snprintf(data, strlen(out) + 3, "%c\n%s", known ? '1' : '0', out);
			(void)gr_cache_put(&env, "aptfile", key, data, strlen(data), &e);  /* a failure only costs time */
			free(data);
			data = NULL;
		}
	}
	free(re);
	free(key);
	for (p = known ? out : ""; *p; p = nl ? nl + 1 : p + strlen(p)) {
		const char *sep = strstr(p, ": /"), *slash;
		size_t plen;
		nl = strchr(p, '\n');
		if (!sep || (nl && sep > nl))
			continue;
		plen = (size_t)((nl ? nl : p + strlen(p)) - (sep + 2));
		for (slash = sep + 2 + plen; slash > sep + 2 && slash[-1] != '/'; slash--)
			;
		for (i = 0; i < n; i++) {
			const char *nm = m[i].t->lib;
			char want[512];
			bool indir = false;
			if (m[i].debpkg)
				continue;
			snprintf(want, sizeof(want), "%s%s%s", nm[0] == ':' ? "" : "lib", nm + (nm[0] == ':'), nm[0] == ':' ? "" : ".a");
			if (strlen(want) != (size_t)(sep + 2 + plen - slash) || strncmp(slash, want, strlen(want)))
				continue;
			for (k = 0; k < r->search.ndirs && !indir; k++) {
				char *d = gr_pcrw_tidy(r->search.dirs[k]);
				indir = d && strlen(d) == (size_t)(slash - 1 - (sep + 2)) && !strncmp(d, sep + 2, strlen(d));
				free(d);
			}
			if (indir)
				m[i].debpkg = strndup(p, (size_t)(sep - p));
		}
	}
	if (!cached)
		gr_spawn_result_free(&res);
	free(data);
	return known;
}

/* The compact explanation: one line per library, the search list once, then
 * a summary: which libraries, the packages that wanted them, the way out. */
static void
gr_pcrw_explain_compact(FILE *f, const struct gr_rw_result *r, struct gr_pcrw_miss *m, size_t n,
                        enum gr_rw_mode mode, bool build, bool searched)
{
	const char *ad = build ? "--allow-dynamic " : "--allow-dynamic=";
	size_t i, k, nsh, nrt, nnone, nelse, nsys = 0, ninstall;

	for (i = 0; i < n; i++) {
		char *tw;
		nsys += m[i].system;
		if (m[i].elsewhere && (tw = gr_pcrw_tidy(m[i].elsewhere)) != NULL) {
			free(m[i].elsewhere);
			m[i].elsewhere = tw;
		}
	}
	/* One line each: the library, what exists instead, who wanted it. */
	for (i = 0; i < n; i++) {
		const struct gr_rw_token *t = m[i].t;
		const char *nm = t->lib[0] == ':' ? t->lib + 1 : t->lib;
		char status[9000];
		if (m[i].kind == GR_PCRW_SHARED)
			snprintf(status, sizeof(status), "a shared library exists instead: %s", m[i].where);
		else if (m[i].kind == GR_PCRW_RUNTIME)
			snprintf(status, sizeof(status),
			         "only a run-time library is installed: %s (the development package, not installed, brings lib%s.so and often lib%s.a)",
			         m[i].where, nm, nm);
		else
			snprintf(status, sizeof(status), "no shared library exists either");
		gr_cli_diag(f, "no static archive for -l%s (%s%s%s); wanted by: %s", t->lib, status,
		            m[i].elsewhere ? "; out of ld's reach: " : "", m[i].elsewhere ? m[i].elsewhere : "",
		            t->origin ? t->origin : build ?
		            "the link flags cmd/link passed (a #cgo LDFLAGS line, or a #cgo pkg-config line whose flags go build took from its cache)" :
		            "the flags given");
		for (k = 0; k < t->res.nnotes; k++)
			fprintf(f, "  note: %s\n", t->res.notes[k]);
	}
	/* The summary. */
	if (n == 1)
		gr_cli_diag(f, "in short: -l%s has no static archive (lib<name>.a, as ld -static looks for it)", m[0].t->lib);
	else {
		char *lst = NULL;
		size_t ll = 0;
		FILE *lf = open_memstream(&lst, &ll);
		if (lf) {
			gr_pcrw_names(lf, m, n, -1, false, "", " -l", "");
			fclose(lf);
		}
		gr_cli_diag(f, "in short: %zu libraries have no static archive (lib<name>.a, as ld -static looks for it):%s", n,
		            lst ? lst : "");
		free(lst);
	}
	gr_pcrw_searched(f, r, searched);
	/* The packages the chains start from, each once. */
	fputs("  wanted through:", f);
	for (i = 0, k = 0; i < n; i++) {
		const char *o = m[i].t->origin;
		size_t j, l = o ? gr_pcrw_root_len(o) : 0;
		bool again = false;
		for (j = 0; j < i && !again; j++)
			again = (!o && !m[j].t->origin) ||
			        (o && m[j].t->origin && gr_pcrw_root_len(m[j].t->origin) == l && !strncmp(m[j].t->origin, o, l));
		if (again)
			continue;
		if (o)
			fprintf(f, "%s%.*s", k++ ? ", " : " ", (int)l, o);
		else
			fprintf(f, "%s%s", k++ ? ", " : " ", build ? "the link flags cmd/link passed" : "the flags given");
	}
	fputc('\n', f);
	/* Each chain from a package to a missing library, on one line; for
	 * more than a few, the lines above ("wanted by") hold them. */
	for (i = 0; i < n && n <= GR_PCRW_MAX_CHAINS; i++)
		gr_pcrw_chain_line(f, m[i].t);
	/* The way out: -L for what lies out of reach, the packages, then keeping them dynamic or stubs. */
	nsh = gr_pcrw_count(m, n, GR_PCRW_SHARED, true, true);
	nrt = gr_pcrw_count(m, n, GR_PCRW_RUNTIME, true, false);
	nnone = gr_pcrw_count(m, n, GR_PCRW_NONE, true, false);
	nelse = n - gr_pcrw_count(m, n, -1, true, true);
	ninstall = n - nelse;
	fputs("  options:", f);
	k = 0;
	for (i = 0; i < n; i++) {
		char *dir;
		size_t j;
		bool again = false;
		if (!m[i].elsewhere || !(dir = strdup(m[i].elsewhere)))
			continue;
		*strrchr(dir, '/') = '\0';
		for (j = 0; j < i && !again; j++)
			again = m[j].elsewhere && !strncmp(m[j].elsewhere, dir, strlen(dir)) && m[j].elsewhere[strlen(dir)] == '/' &&
			        !strchr(m[j].elsewhere + strlen(dir) + 1, '/');
		if (!again) {
			fprintf(f, "%s add %s%s (it holds", k++ ? ";" : "", build ? "--lib -L" : "-L", dir);
			for (j = i; j < n; j++)
				if (m[j].elsewhere && !strncmp(m[j].elsewhere, dir, strlen(dir)) && m[j].elsewhere[strlen(dir)] == '/' &&
				    !strchr(m[j].elsewhere + strlen(dir) + 1, '/'))
					fprintf(f, " %s", m[j].elsewhere + strlen(dir) + 1);
			fputs(build ? ")" : "; with a PACKAGE: pkgconf-rewrite -- -LDIR FLAGS...)", f);
		}
		free(dir);
	}
	if (ninstall) {
		/* Never a package that does not exist: Debian's Contents index
		 * (apt-file) names the one to install; without it, all that is
		 * known is that no installed package ships the archive. */
		bool known = gr_pcrw_contents(r, m, n);
		size_t nship = 0, j;
		for (i = 0; i < n; i++)
			nship += m[i].debpkg != NULL;
		for (i = 0; i < n; i++) {
			bool again = false;
			if (!m[i].debpkg)
				continue;
			for (j = 0; j < i && !again; j++)
				again = m[j].debpkg && !strcmp(m[j].debpkg, m[i].debpkg);
			if (again)
				continue;
			fprintf(f, "%s install %s (it ships", k++ ? "; or" : "", m[i].debpkg);
			for (j = i; j < n; j++)
				if (m[j].debpkg && !strcmp(m[j].debpkg, m[i].debpkg))
					fprintf(f, " lib%s.a", m[j].t->lib[0] == ':' ? m[j].t->lib + 1 : m[j].t->lib);
			fputc(')', f);
		}
		if (nship < ninstall) {
			size_t shown = 0;
			fprintf(f, "%s no %s package ships", k++ ? ";" : "", known ? "Debian" : "installed");
			for (i = 0; i < n; i++)
				if (!m[i].elsewhere && !m[i].debpkg)
					fprintf(f, "%s lib%s.a", shown++ ? "," : "", m[i].t->lib[0] == ':' ? m[i].t->lib + 1 : m[i].t->lib);
			fputs(known ? " (Debian's Contents index, apt-file)" :
			      " (apt-file with its index, apt-file update, would tell whether a Debian package does)", f);
			fputs(": build it as a static library yourself", f);
		}
	}
	if (mode == GR_RW_STATIC && nsys == n)
		fprintf(f, "%s %s, which keeps system libraries such as -l%s dynamic", k++ ? "; or" : "",
		        build ? "--third-party" : "--mode=third-party", m[0].t->lib);
	if (nsh) {
		fprintf(f, "%s", k++ ? "; or" : "");
		gr_pcrw_names(f, m, n, GR_PCRW_SHARED, true, "", build ? " --allow-dynamic " : " --allow-dynamic=", "");
		if (nsh == 1) {
			for (i = 0; i < n && (m[i].kind != GR_PCRW_SHARED || m[i].elsewhere); i++)
				;
			fprintf(f, " to keep -l%s dynamic%s", i < n ? m[i].t->lib : "", build ? " (with the C library)" : "");
		} else
			fprintf(f, " to keep them dynamic%s", build ? " (with the C library)" : "");
	}
	if (nrt) {
		fprintf(f, "%s", k++ ? "; or" : "");
		gr_pcrw_names(f, m, n, GR_PCRW_RUNTIME, true, "", build ? " --allow-dynamic " : " --allow-dynamic=", "");
		fputs(nrt == 1 ? " to keep it dynamic (its run-time file is then linked by name)" :
		      " to keep them dynamic (their run-time files are then linked by name)", f);
	}
	if (build && nsh + nrt) {
		fprintf(f, "%s", k++ ? "; or" : "");
		gr_pcrw_names(f, m, n, GR_PCRW_SHARED, true, "", " --stub ", "");
		gr_pcrw_names(f, m, n, GR_PCRW_RUNTIME, true, "", " --stub ", "");
		fputs(" (stand-ins that fail for the functions the link needs from them; see --help)", f);
	}
	if (nnone == 1) {
		for (i = 0; i < n && (m[i].kind != GR_PCRW_NONE || m[i].elsewhere || m[i].t->lib[0] == ':'); i++)
			;
		if (i < n)
			fprintf(f, " (%s%s would need lib%s.so, which is not installed either)", ad, m[i].t->lib, m[i].t->lib);
	} else if (nnone) {
		fputs(" (", f);
		gr_pcrw_names(f, m, n, GR_PCRW_NONE, true, " ", ad, "");
		fputs(" would need their lib<name>.so, which are not installed either)", f);
	}
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		free(m[i].where);
		free(m[i].elsewhere);
		free(m[i].debpkg);
	}
}

/* NAME of a bare "libNAME.a" input file token whose note says -lNAME finds
 * an archive, into buf; false for any other. */
static bool
gr_pcrw_bare_lname(const struct gr_rw_token *t, char *buf, size_t n)
{
	size_t il = strlen(t->input), nl;

	if (il <= 5 || strchr(t->input, '/') || strncmp(t->input, "lib", 3) || strcmp(t->input + il - 2, ".a") ||
	    !t->res.nnotes || il - 5 >= n)
		return false;
	nl = il - 5;
	snprintf(buf, n, "%.*s", (int)nl, t->input + 3);
	return !strncmp(t->res.notes[0], "-l", 2) && !strncmp(t->res.notes[0] + 2, buf, nl) &&
	       !strncmp(t->res.notes[0] + 2 + nl, " would find ", 12);
}

/* Whether name is one of the n names. */
static bool
gr_pc_in_list(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* ---- the smallest --allow-dynamic set (gr_pc_graph_suggest) --------------- */

struct gr_pcrw_have_ctx {
	const struct gr_rw_result *r;
	const struct gr_rw_opts *o;
	enum gr_rw_mode mode;
};

/* Whether name stays -l anyway: --allow-dynamic, or a system library in third-party mode. */
static bool
gr_pcrw_kept(const struct gr_rw_opts *o, enum gr_rw_mode mode, const char *name)
{
	size_t i;

	for (i = 0; i < o->nallow_dynamic; i++)
		if (!strcmp(o->allow_dynamic[i], name))
			return true;
	for (i = 0; mode == GR_RW_THIRD_PARTY && i < o->nsystem_libs; i++)
		if (!strcmp(o->system_libs[i], name))
			return true;
	return false;
}

/* The file -lNAME finds along the rewrite's search (static_mode: archives only), or NULL. */
static const char *
gr_pcrw_find(const struct gr_rw_result *r, const char *name, bool static_mode, enum gr_cand *kind)
{
	/* The search caches what it classified; the result is not changed otherwise. */
	struct gr_ldsearch *s = (struct gr_ldsearch *)(uintptr_t)&r->search;
	struct gr_ldresult res;
	struct gr_error e;

	memset(&res, 0, sizeof(res));
	if (gr_ldsearch_lib(s, name, static_mode, &res, &e) != GR_OK || !res.found.path)
		return NULL;
	*kind = res.found.kind;
	return res.found.path;
}

static int
gr_pcrw_have(void *ctx, const char *name)
{
	const struct gr_pcrw_have_ctx *c = ctx;
	enum gr_cand kind = GR_CAND_UNOPENABLE;
	char rt[4096];
	size_t i;
	int h = 0;

	if (gr_pcrw_kept(c->o, c->mode, name))
		return GR_PC_HAVE_DYNAMIC | GR_PC_HAVE_SHARED;
	for (i = 0; i < c->r->ntokens; i++) {
		const struct gr_rw_token *t = &c->r->tokens[i];
		if (!t->lib || strcmp(t->lib, name))
			continue;
		if (!t->missing && !t->kept)
			h |= GR_PC_HAVE_ARCHIVE;
		if (t->missing && (t->shared_alternative || gr_ldsearch_runtime_only(&c->r->search, name, rt, sizeof(rt))))
			h |= GR_PC_HAVE_SHARED;
		if (t->missing)
			return h;
	}
	if (!(h & GR_PC_HAVE_ARCHIVE) && gr_pcrw_find(c->r, name, true, &kind) && kind == GR_CAND_ARCHIVE)
		h |= GR_PC_HAVE_ARCHIVE;
	if ((gr_pcrw_find(c->r, name, false, &kind) && (kind == GR_CAND_SHARED || kind == GR_CAND_SCRIPT)) ||
	    gr_ldsearch_runtime_only(&c->r->search, name, rt, sizeof(rt)))
		h |= GR_PC_HAVE_SHARED;
	return h;
}

/* snprintf(buf, n, "%.*s", (int)l, s) without printf (it runs for every token
 * of every explanation): at most l bytes of s, cut at a NUL and to fit n. */
static void
gr_pcrw_copy_prefix(char *buf, size_t n, const char *s, size_t l)
{
	const char *z;

	if (!n)
		return;
	if ((z = memchr(s, '\0', l)) != NULL)
		l = (size_t)(z - s);
	if (l > n - 1)
		l = n - 1;
	memcpy(buf, s, l);
	buf[l] = '\0';
}

/* The package a token's origin starts from, into buf ("" when none):
 * "#cgo pkg-config: vips -> ..." and "vips (Libs)" give vips, "--pkg zlib: ..." zlib. */
static void
gr_pcrw_origin_root(const char *origin, char *buf, size_t n)
{
	size_t l;

	buf[0] = '\0';
	if (!origin)
		return;
	if (!strncmp(origin, "#cgo pkg-config: ", 17))
		origin += 17;
	else if (!strncmp(origin, "--pkg ", 6)) {
		const char *colon = strstr(origin + 6, ": ");
		l = colon ? (size_t)(colon - origin - 6) : strlen(origin + 6);
		gr_pcrw_copy_prefix(buf, n, origin + 6, l);
		return;
	} else if (!strcmp(origin, "--lib") || !strncmp(origin, "--", 2))
		return;
	l = gr_pcrw_root_len(origin);
	gr_pcrw_copy_prefix(buf, n, origin, l);
}

/* dpkg's database, read at the first explanation that names packages and
 * kept for the process (--each explains many packages). */
static struct gr_dpkg *gr_pcrw_db;
static bool gr_pcrw_db_tried;

/* The owners already found, one cache entry per database ("dpkg-owner",
 * keyed by gr_dpkg_key), a record per set of paths: read at the first
 * explanation, and this run's new records written once when the run ends
 * (gr_pcrw_owners_flush): creating a file per explanation cost more than
 * the answer (issue 15). */
static struct {
	struct gr_env env;   /* the cache directory's environment */
	char *key;           /* the entry's key; NULL: none read yet */
	char *data;          /* the entry as read (NULL: none) */
	size_t len;
	struct gr_strvec recs;  /* this run's records, each whole */
} gr_pcrw_own;

/* The start of a record for paths: "R\tN\n" and an "a" line per path (malloc'd in b). */
static void
gr_pcrw_own_head(struct gr_kvbuf *b, char **paths, size_t n)
{
	char num[32];
	size_t i;

	snprintf(num, sizeof(num), "%zu", n);
	gr_kv_put(b, 'R', num);
	for (i = 0; i < n; i++)
		gr_kv_put(b, 'a', paths[i] ? paths[i] : "");
}

/* The length of the head (the "R" and "a" lines) of the record at rec. */
static size_t
gr_pcrw_own_headlen(const char *rec)
{
	const char *p = strchr(rec, '\n');

	while (p && p[1] == 'a' && p[2] == '\t')
		p = strchr(p + 1, '\n');
	return p ? (size_t)(p + 1 - rec) : strlen(rec);
}

/* Write this run's owner records (merged with those the entry holds now) and forget them. */
static void
gr_pcrw_owners_flush(void)
{
	struct gr_kvbuf out = { NULL, 0, 0, false };
	struct gr_error e;
	char *now = NULL;
	const char *q;
	size_t i, len;

	if (gr_pcrw_own.key && gr_pcrw_own.recs.n) {
		gr_kv_put(&out, 'P', "dpkg-owners 1");
		for (i = 0; i < gr_pcrw_own.recs.n; i++)
			gr_kv_raw(&out, gr_pcrw_own.recs.v[i], strlen(gr_pcrw_own.recs.v[i]));
		if (gr_cache_get(&gr_pcrw_own.env, "dpkg-owner", gr_pcrw_own.key, &now, &len) != GR_OK)
			now = NULL;
		for (q = now; q && (q = strstr(q, "\nR\t")) != NULL;) {
			const char *rec = q + 1, *end = strstr(rec, "\nE\tend\n");
			size_t hl = gr_pcrw_own_headlen(rec);
			bool ours = false;
			if (!end)
				break;
			end += 7;
			for (i = 0; i < gr_pcrw_own.recs.n && !ours; i++)
				ours = gr_pcrw_own_headlen(gr_pcrw_own.recs.v[i]) == hl && !strncmp(gr_pcrw_own.recs.v[i], rec, hl);
			if (!ours)
				gr_kv_raw(&out, rec, (size_t)(end - rec));
			q = end - 1;
		}
		free(now);
		if (!out.nomem && out.p)
			gr_cache_put(&gr_pcrw_own.env, "dpkg-owner", gr_pcrw_own.key, out.p, out.n, &e);
		free(out.p);
	}
	free(gr_pcrw_own.key);
	free(gr_pcrw_own.data);
	gr_strvec_deinit(&gr_pcrw_own.recs);
	memset(&gr_pcrw_own, 0, sizeof(gr_pcrw_own));
}

/* Which installed packages own the files, as "PKG" per path in pkgs (the
 * package name without ":arch", as before from dpkg -S; NULL where none, or
 * no database). Read from dpkg's database (gr_dpkg, through its index in
 * the cache directory), and the answers kept, keyed by the paths and the
 * database's identity (issue 15). */
static void
gr_pcrw_dpkg(const struct gr_env *env, char **paths, size_t n, char **pkgs)
{
	struct gr_kvbuf key = { NULL, 0, 0, false }, head = { NULL, 0, 0, false }, val = { NULL, 0, 0, false };
	struct gr_kvbuf now = { NULL, 0, 0, false };
	struct gr_error e;
	char *admin = gr_dpkg_admindir(getenv("DPKG_ADMINDIR"), getenv("DPKG_ROOT"));
	const char *q, *lk;
	size_t i, any = 0;

	for (i = 0; i < n; i++)
		any += paths[i] != NULL;
	if (!any)
		goto out;
	gr_kv_raw(&key, "dpkg-owners 1\n", 14);
	gr_dpkg_key(admin, &key);
	gr_pcrw_own_head(&head, paths, n);
	if (key.nomem || !key.p || head.nomem || !head.p)
		goto out;
	if (gr_pcrw_own.key && strcmp(gr_pcrw_own.key, key.p))
		gr_pcrw_owners_flush();  /* the database changed during the run */
	if (!gr_pcrw_own.key) {
		gr_pcrw_own.env = *env;
		gr_pcrw_own.key = key.p;
		key.p = NULL;
		gr_strvec_init(&gr_pcrw_own.recs);
		if (gr_cache_get(env, "dpkg-owner", gr_pcrw_own.key, &gr_pcrw_own.data, &gr_pcrw_own.len) != GR_OK)
			gr_pcrw_own.data = NULL;
	}
	/* the record whose head is this one: "\n" + head at a line start */
	for (q = gr_pcrw_own.data; q && (q = memmem(q, gr_pcrw_own.len - (size_t)(q - gr_pcrw_own.data),
	                                               head.p, head.n)) != NULL; q += head.n) {
		const char *end;
		char *rec, *cur, *v, tag;
		bool bad = false;
		if (q == gr_pcrw_own.data || q[-1] != '\n')
			continue;
		end = strstr(q + head.n, "\nE\tend\n");
		if (!end && strncmp(q + head.n, "E\tend\n", 6))
			break;
		end = end ? end + 7 : q + head.n + 6;
		if (!(rec = strndup(q + head.n, (size_t)(end - q - head.n))))
			break;
		cur = rec;
		for (i = 0; i < n && gr_kv_next(&cur, &tag, &v, &bad) && (tag == 'p' || tag == 'n'); i++)
			pkgs[i] = tag == 'p' ? strdup(v) : NULL;
		if (i == n && !bad && gr_kv_next(&cur, &tag, &v, &bad) && tag == 'E' && !*cur) {
			free(rec);
			goto out;
		}
		free(rec);
		for (i = 0; i < n; i++) {  /* a damaged record: asked again */
			free(pkgs[i]);
			pkgs[i] = NULL;
		}
		break;
	}
	/* The database loaded earlier answers for its own key only: when the
	 * database changed since, it is loaded again (finding 1). */
	if (gr_pcrw_db && (lk = gr_dpkg_loaded_key(gr_pcrw_db)) != NULL && strcmp(lk, gr_pcrw_own.key + 14)) {
		gr_dpkg_free(gr_pcrw_db);
		gr_pcrw_db = NULL;
		gr_pcrw_db_tried = false;
	}
	if (!gr_pcrw_db_tried) {
		gr_pcrw_db_tried = true;
		if (gr_dpkg_open_cached(env, admin, &gr_pcrw_db, &e) != GR_OK)
			gr_pcrw_db = NULL;  /* no database: no package is named */
	}
	if (!gr_pcrw_db)
		goto out;
	gr_kv_raw(&val, head.p, head.n);
	for (i = 0; i < n; i++) {
		const struct gr_dpkg_pkg *p = paths[i] ? gr_dpkg_owner(gr_pcrw_db, paths[i]) : NULL;
		if (p)
			pkgs[i] = strdup(p->package);
		if (pkgs[i])
			gr_kv_put(&val, 'p', pkgs[i]);
		else
			gr_kv_put(&val, 'n', "");
	}
	gr_kv_put(&val, 'E', "end");
	/* Kept under the entry's key only when the answers are that database's:
	 * the key the database had when it was loaded, still its key now (the
	 * index reads lists at lookup time), and no load a lookup needed failed
	 * (out of memory is not "no owner"; findings 1 and 7). */
	gr_dpkg_key(admin, &now);
	lk = gr_dpkg_loaded_key(gr_pcrw_db);
	if (now.nomem || !now.p || !lk || strcmp(lk, gr_pcrw_own.key + 14) || strcmp(lk, now.p) ||
	    gr_dpkg_error(gr_pcrw_db, NULL) != GR_OK)
		goto out;
	if (!val.nomem && val.p) {
		bool again = false;
		for (i = 0; i < gr_pcrw_own.recs.n && !again; i++)
			again = !strncmp(gr_pcrw_own.recs.v[i], head.p, head.n) &&
			        gr_pcrw_own_headlen(gr_pcrw_own.recs.v[i]) == head.n;
		if (!again)
			gr_strvec_push(&gr_pcrw_own.recs, val.p);  /* out of memory: not kept */
	}
out:
	free(key.p);
	free(head.p);
	free(val.p);
	free(now.p);
	free(admin);
}

void
gr_cmd_pcrw_owners(const struct gr_env *env, char **paths, size_t n, char **pkgs)
{
	gr_pcrw_dpkg(env, paths, n, pkgs);
}

void
gr_cmd_pcrw_owners_end(void)
{
	gr_pcrw_owners_flush();
	gr_dpkg_free(gr_pcrw_db);
	gr_pcrw_db = NULL;
	gr_pcrw_db_tried = false;
}

/* After the explanation: the smallest --allow-dynamic set that makes the link
 * work, as one list to paste, and what then loads at run time, from which
 * packages. Nothing when the link's packages are unknown or no set helps. */
static void
gr_pcrw_explain_allow_set(FILE *f, const struct gr_rw_result *r, enum gr_rw_mode mode,
                          const struct gr_rw_opts *o, bool build)
{
	struct gr_strvec roots, allow, why, runtime, impossible, dyn;
	struct gr_pcrw_have_ctx ctx = { r, o, mode };
	struct gr_pc_graph *g = NULL;
	struct gr_env env;
	struct gr_error e;
	const char *ad = build ? "--allow-dynamic " : "--allow-dynamic=";
	char root[512], **paths = NULL, **pkgs = NULL;
	size_t i, j, k, nrt = 0;

	gr_strvec_init(&roots);
	gr_strvec_init(&allow);
	gr_strvec_init(&why);
	gr_strvec_init(&runtime);
	gr_strvec_init(&impossible);
	gr_strvec_init(&dyn);
	for (i = 0; i < r->ntokens; i++) {
		bool again = false;
		gr_pcrw_origin_root(r->tokens[i].lib ? r->tokens[i].origin : NULL, root, sizeof(root));
		for (k = 0; k < roots.n && !again; k++)
			again = !strcmp(roots.v[k], root);
		if (root[0] && !again && gr_strvec_push(&roots, root))
			goto out;
	}
	if (!roots.n)
		goto out;
	if (o->infer_env)
		env = *o->infer_env;
	else
		gr_env_from_environ(&env, environ);
	if (gr_pc_graph(&env, (const char *const *)roots.v, roots.n, &g, &e) != GR_OK)
		goto out;
	for (i = 0; i < o->nallow_dynamic; i++)
		if (gr_strvec_push(&dyn, o->allow_dynamic[i]))
			goto out;
	for (i = 0; mode == GR_RW_THIRD_PARTY && i < o->nsystem_libs; i++)
		if (gr_strvec_push(&dyn, o->system_libs[i]))
			goto out;
	gr_pc_graph_mark_dynamic(g, (const char *const *)dyn.v, dyn.n);
	if (gr_pc_graph_suggest(g, gr_pcrw_have, &ctx, &allow, &why, &runtime, &impossible) || !allow.n)
		goto out;
	if (impossible.n) {
		gr_cli_diag(f, "no --allow-dynamic set makes this link work: neither an archive nor a shared library for");
		for (i = 0; i < impossible.n; i++)
			fprintf(f, " -l%s", impossible.v[i]);
		fputc('\n', f);
		goto out;
	}
	gr_cli_diag(f, "the smallest set of libraries to keep dynamic, so that every library still linked has its archive%s (paste it whole):",
	            o->nallow_dynamic ? ", with those kept already" : "");
	fputs("  ", f);
	for (i = 0; i < o->nallow_dynamic; i++)
		fprintf(f, "%s%s%s", i ? " " : "", ad, o->allow_dynamic[i]);
	for (i = 0; i < allow.n; i++)
		fprintf(f, "%s%s%s", i || o->nallow_dynamic ? " " : "", ad, allow.v[i]);
	fputc('\n', f);
	fputs("  why:", f);
	for (i = 0; i < allow.n; i++)
		fprintf(f, "%s -l%s (%s)", i ? ";" : "", allow.v[i], why.v[i]);
	fputc('\n', f);
	/* What then loads at run time: each library's shared object and its installed package. */
	paths = calloc(runtime.n ? runtime.n : 1, sizeof(*paths));
	pkgs = calloc(runtime.n ? runtime.n : 1, sizeof(*pkgs));
	if (!paths || !pkgs)
		goto out;
	for (i = 0; i < runtime.n; i++) {
		enum gr_cand kind = GR_CAND_UNOPENABLE;
		const char *so;
		char rt[4096];
		if (mode == GR_RW_THIRD_PARTY && gr_pcrw_kept(o, mode, runtime.v[i]) &&
		    !gr_pc_in_list(runtime.v[i], o->allow_dynamic, o->nallow_dynamic))
			continue;  /* the C library's family */
		so = gr_pcrw_find(r, runtime.v[i], false, &kind);
		if (!so || kind != GR_CAND_SHARED)
			so = gr_ldsearch_runtime_only(&r->search, runtime.v[i], rt, sizeof(rt)) ? rt : NULL;
		paths[i] = so ? gr_ldsearch_cache_realpath(r->search.cache, so) : NULL;
		nrt++;
	}
	gr_pcrw_dpkg(&env, paths, runtime.n, pkgs);
	gr_cli_diag(f, "with it, %zu libraries load at run time (through the dynamic ones' DT_NEEDED), from these packages:", nrt);
	/* One line: each package once, its -l names after it; those without one last. */
	fputs(" ", f);
	for (i = 0, j = 0; i < runtime.n; i++) {
		bool again = false;
		if (!paths[i])
			continue;
		for (k = 0; k < i && !again; k++)
			again = pkgs[k] && pkgs[i] && !strcmp(pkgs[k], pkgs[i]);
		if (again || !pkgs[i])
			continue;
		fprintf(f, "%s %s (", j++ ? "," : "", pkgs[i]);
		for (k = i; k < runtime.n; k++)
			if (paths[k] && pkgs[k] && !strcmp(pkgs[k], pkgs[i]))
				fprintf(f, "%s-l%s", k == i ? "" : " ", runtime.v[k]);
		fputc(')', f);
	}
	for (i = 0; i < runtime.n; i++)
		if (paths[i] && !pkgs[i])
			fprintf(f, "%s %s (-l%s, no installed package owns it)", j++ ? "," : "", paths[i], runtime.v[i]);
	for (i = 0, k = 0; i < runtime.n; i++)
		k += !paths[i] && !(mode == GR_RW_THIRD_PARTY && gr_pcrw_kept(o, mode, runtime.v[i]) &&
		                    !gr_pc_in_list(runtime.v[i], o->allow_dynamic, o->nallow_dynamic));
	if (k)
		fprintf(f, "%s and %zu whose shared library is not found here", j ? "," : "", k);
	fputc('\n', f);
out:
	for (i = 0; paths && i < runtime.n; i++) {
		free(paths[i]);
		free(pkgs ? pkgs[i] : NULL);
	}
	free(paths);
	free(pkgs);
	gr_pc_graph_free(g);
	gr_strvec_deinit(&roots);
	gr_strvec_deinit(&allow);
	gr_strvec_deinit(&why);
	gr_strvec_deinit(&runtime);
	gr_strvec_deinit(&impossible);
	gr_strvec_deinit(&dyn);
}

void
gr_cmd_pcrw_explain_missing(FILE *err, const struct gr_rw_result *r, enum gr_rw_mode mode,
                            const struct gr_rw_opts *o, bool build)
{
	size_t k, j, n = 0, nelse = 0;
	bool searched = false;
	struct gr_pcrw_miss *m = calloc(r->ntokens ? r->ntokens : 1, sizeof(*m));
	const char **names = calloc(r->ntokens ? r->ntokens : 1, sizeof(*names));
	char **found = calloc(r->ntokens ? r->ntokens : 1, sizeof(*found));
	char *buf = NULL;
	size_t len = 0;
	/* Written in one piece: stderr is unbuffered, and 20 libraries make many lines. */
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		f = err;
	for (k = 0; k < r->ntokens; k++) {
		const struct gr_rw_token *t = &r->tokens[k];
		bool again = false;
		char lname[256];
		if (!t->missing)
			continue;
		if (!t->lib) {
			/* An input file named by its path. */
			gr_cli_diag(f, "no file %s (ld opens an input file by its path, %s)", t->input,
			            t->input[0] == '/' ? "and none is there" : "relative to the current directory, where there is none");
			fprintf(f, "  wanted by: %s\n", t->origin ? t->origin : build ?
			        "the link flags cmd/link passed (a #cgo LDFLAGS line, or a #cgo pkg-config line whose flags go build took from its cache)" :
			        "the flags given");
			for (j = 0; j < t->res.nnotes; j++)
				fprintf(f, "  note: %s\n", t->res.notes[j]);
			if (gr_pcrw_bare_lname(t, lname, sizeof(lname)))
				fprintf(f, "  options: %s%s links it as -l%s finds it; or name it -l%s where it comes from%s\n",
				        build ? "--lib -l" : "--infer", build ? lname : "", lname, lname,
				        t->origin ? " (a packaging bug of that .pc file)" : "");
			else
				fprintf(f, "  options: name it by -l (or by its full path) where it comes from%s\n",
				        t->origin ? " (a packaging bug of that .pc file)" : "");
			continue;
		}
		for (j = 0; j < k && !again; j++)
			again = r->tokens[j].missing && r->tokens[j].lib && !strcmp(r->tokens[j].lib, t->lib);
		if (again)
			continue;  /* -llber -lldap -llber: once is enough */
		if (r->darwin || t->shared_path || !m || !names || !found) {
			/* ld64's rules, or a shared library named by its path: the full explanation. */
			gr_pcrw_explain_one(f, r, &r->tokens[k], mode, o, build, searched);
			searched = true;
			continue;
		}
		m[n].t = t;
		for (j = 0; j < o->nsystem_libs; j++)
			m[n].system = m[n].system || !strcmp(o->system_libs[j], t->lib);
		gr_pcrw_kind_of(r, &m[n]);
		/* Only a library of which nothing is installed where ld looks may lie elsewhere
		 * (Debian's libpgcommon.a is in /usr/lib/postgresql/15/lib, with no .so). */
		names[n] = t->lib[0] == ':' || m[n].kind != GR_PCRW_NONE ? "" : t->lib;
		nelse += *names[n] != '\0';
		n++;
	}
	if (n) {
		/* Archives out of ld's reach: below the search dirs, three levels down, 4000 directories at most. */
		if (nelse && gr_ldsearch_elsewhere(&r->search, names, n, 3, 4000, found) == GR_OK)
			for (k = 0; k < n; k++)
				m[k].elsewhere = found[k];
		gr_pcrw_explain_compact(f, r, m, n, mode, build, searched);
		if (!r->darwin)
			gr_pcrw_explain_allow_set(f, r, mode, o, build);
	}
	free(m);
	free(names);
	free(found);
	if (f != err) {
		fclose(f);
		fwrite(buf, 1, len, err);
		fflush(err);
	}
	free(buf);
}

/* Packages (not raw flags): leave out of t the -l names only a library kept
 * dynamic needs privately (gr_pc_graph_dropped: --allow-dynamic, and the
 * system libraries in third-party mode), and say so on err, one line. */
static void
gr_pcrw_drop_private(FILE *err, const struct gr_env *env, const char *const *queries, size_t nq,
                     const struct gr_rw_opts *o, struct gr_pc_tokens *t)
{
	struct gr_strvec dyn, names, via;
	struct gr_pc_graph *g = NULL;
	struct gr_error e;
	size_t i, k, n = 0;

	gr_strvec_init(&dyn);
	gr_strvec_init(&names);
	gr_strvec_init(&via);
	for (i = 0; i < o->nallow_dynamic; i++)
		if (gr_strvec_push(&dyn, o->allow_dynamic[i]))
			goto out;
	for (i = 0; o->mode == GR_RW_THIRD_PARTY && i < o->nsystem_libs; i++)
		if (gr_strvec_push(&dyn, o->system_libs[i]))
			goto out;
	if (!dyn.n || gr_pc_graph(env, queries, nq, &g, &e) != GR_OK ||
	    !gr_pc_graph_mark_dynamic(g, (const char *const *)dyn.v, dyn.n) ||
	    gr_pc_graph_dropped(g, (const char *const *)dyn.v, dyn.n, &names, &via) || !names.n)
		goto out;
	for (i = 0; i < t->n; i++) {
		bool drop = false;
		for (k = 0; k < names.n && !drop; k++)
			drop = t->v[i].origin && !strncmp(t->v[i].text, "-l", 2) && !strcmp(t->v[i].text + 2, names.v[k]);
		if (!drop)
			t->v[n++] = t->v[i];
	}
	t->n = n;
	gr_cli_diag(err, "kept dynamic, so %zu libraries are not linked (the libraries kept dynamic load them at run time):",
	            names.n);
	for (i = 0; i < names.n; i++)
		fprintf(err, " -l%s", names.v[i]);
	fputc('\n', err);
out:
	gr_pc_graph_free(g);
	gr_strvec_deinit(&dyn);
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&via);
}

/* Rewrite one set of flags and print it; pkg names the package under --each.
 * Returns an exit status; nothing reaches out unless it is GR_EXIT_OK. */
static int
gr_pcrw_one(FILE *out, FILE *err, const char *pkg, const struct gr_pc_tokens *toks,
            const struct gr_rw_opts *o, const struct gr_toolchain *tc, const char *mode_name,
            bool json, bool nul)
{
	struct gr_rw_result *r = NULL;
	struct gr_error e;
	size_t k;
	int rc;

	gr_error_clear(&e);
	rc = gr_rewrite(toks->v, toks->n, o, tc, &r, &e);
	if (rc && rc != GR_ENOTFOUND) {
		if (pkg)
			gr_cli_diag(err, "%s: %s", pkg, e.msg);
		else
			gr_cli_diag(err, "%s", e.msg);
		gr_rw_result_free(r);
		return GR_EXIT_ERROR;
	}
	if (rc == GR_ENOTFOUND) {
		gr_cmd_pcrw_explain_missing(err, r, o->mode, o, false);
		gr_rw_result_free(r);
		return GR_EXIT_FAIL;  /* and nothing on stdout, not even --json */
	}
	for (k = 0; r->inferred && k < r->inferred->nentries; k++)
		{
		const struct gr_infer_entry *x = &r->inferred->entries[k];
		gr_cmd_pcrw_note_inferred(err, "pkgconf-rewrite", x->lname, x->package, gr_pcindex_rule_text(x->rule),
		                          x->via, x->alternatives, x->nalternatives, x->added, x->nadded);
	}
	for (k = 0; k < r->ntokens; k++) {
		const struct gr_rw_token *t = &r->tokens[k];
		if (t->shared_path && !t->kept)
			gr_cli_diag(err, "note: %s is a shared library named by its path; %s, which -l%s finds, is linked instead",
			            t->shared_path, t->res.found.path, t->lib);
		else if (t->bare_archive && t->res.nnotes)
			gr_cli_diag(err, "note: %s", t->res.notes[t->res.nnotes - 1]);
	}
	if (json) {
		gr_pcrw_json(out, r, tc, mode_name, pkg);
	} else if (nul) {
		for (k = 0; k < r->argv.n; k++)
			fwrite(r->argv.v[k], 1, strlen(r->argv.v[k]) + 1, out);
	} else {
		if (pkg)
			fprintf(out, "%s\t", pkg);
		const char *shell_only = NULL;
		for (k = 0; k < r->argv.n; k++) {
			if (k)
				fputc(' ', out);
			if (!gr_cli_put_quoted(out, r->argv.v[k]) && !shell_only)
				shell_only = r->argv.v[k];
		}
		fputc('\n', out);
		if (shell_only)
			gr_cli_diag(stderr, "warning: %s holds both ' and one of \" $ ` \\ !: the line is right for a shell, but Go cannot split it in CGO_LDFLAGS or -extldflags; use -0 or --json",
			            shell_only);
	}
	gr_rw_result_free(r);
	return GR_EXIT_OK;
}

/* Read all of f (bounded) into a NUL-terminated string. */
static char *
gr_pcrw_slurp(FILE *f, struct gr_error *e)
{
	size_t n;
	char *buf;
	int rc = gr_file_read_all(f, GR_PCRW_MAXSTDIN, &buf, &n);

	if (rc == GR_EUSAGE)
		gr_error_set(e, GR_EUSAGE, 0, "standard input: more than %u bytes of flags", GR_PCRW_MAXSTDIN);
	else if (rc == GR_EIO)
		gr_error_set(e, GR_EIO, errno, "standard input: %s", strerror(errno));
	else if (rc)
		gr_error_set(e, GR_ENOMEM, 0, "standard input: out of memory");
	if (rc)
		return NULL;
	if (memchr(buf, '\0', n)) {
		free(buf);
		gr_error_set(e, GR_EFORMAT, 0, "standard input: NUL byte in the flags");
		return NULL;
	}
	return buf;
}

/* Split a comma-separated list in place into an array (malloc'd). */
static const char **
gr_pcrw_split_list(char *s, size_t *n)
{
	size_t cap = 1, k = 0;
	char *p;
	const char **v;

	for (p = s; *p; p++)
		if (*p == ',')
			cap++;
	v = calloc(cap, sizeof(*v));
	if (!v)
		return NULL;
	for (p = strtok(s, ","); p; p = strtok(NULL, ","))
		if (*p)
			v[k++] = p;
	*n = k;
	return v;
}

/* Everything one run of the command holds, phase after phase. */
struct gr_pcrw_run {
	int argc;
	char **argv;
	struct gr_env env;             /* the environment, read once */
	struct gr_rw_opts o;
	struct gr_infer_opts infer;    /* --infer */
	struct gr_toolchain tc;
	struct gr_pc_tokens *toks, *ccwords;
	struct gr_strvec cc;           /* the compiler command, then its toolchain flags */
	const char **allow, **syslibs;
	const char *ccarg, *mode_name, *target;
	struct gr_rw_darwin darwin;
	char *machine, *syslist, *text;
	bool nul, json, raw, each;
};

/* A phase's result when the run goes on to the next phase. */
#define GR_PCRW_GO (-1)

/* Phase 1: the options; optind is left at the first operand. */
static int
gr_pcrw_options(struct gr_pcrw_run *u, FILE *out, FILE *err)
{
	enum { OPT_MODE = 256, OPT_SYSLIBS, OPT_ALLOW, OPT_CC, OPT_JSON, OPT_EACH, OPT_TARGET, OPT_SYSLIBROOT, OPT_INFER };
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "system-libs", required_argument, NULL, OPT_SYSLIBS },
		{ "allow-dynamic", required_argument, NULL, OPT_ALLOW },
		{ "cc", required_argument, NULL, OPT_CC },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "each", no_argument, NULL, OPT_EACH },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "syslibroot", required_argument, NULL, OPT_SYSLIBROOT },
		{ "infer", no_argument, NULL, OPT_INFER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, argc = u->argc;
	char **argv = u->argv;

	optind = 0;
	opterr = 0;
	/* '+': stop at the first operand, so package names and flags after -- stay operands. */
	while ((c = getopt_long(argc, argv, "+:0h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MODE:
			if (!strcmp(optarg, "static")) {
				u->o.mode = GR_RW_STATIC;
			} else if (!strcmp(optarg, "third-party")) {
				u->o.mode = GR_RW_THIRD_PARTY;
			} else {
				gr_cli_diag(err, "unknown --mode '%s' (static or third-party)", optarg);
				return GR_EXIT_USAGE;
			}
			u->mode_name = optarg;
			break;
		case OPT_SYSLIBS:
			free(u->syslist);
			free(u->syslibs);
			u->syslist = strdup(optarg);
			u->syslibs = u->syslist ? gr_pcrw_split_list(u->syslist, &u->o.nsystem_libs) : NULL;
			if (!u->syslibs) {
				gr_cli_diag(err, "out of memory");
				return GR_EXIT_ERROR;
			}
			u->o.system_libs = u->syslibs;
			break;
		case OPT_ALLOW:
			u->allow[u->o.nallow_dynamic++] = optarg[0] == '-' && optarg[1] == 'l' ? optarg + 2 : optarg;
			break;
		case OPT_CC: u->ccarg = optarg; break;
		case OPT_TARGET: u->target = optarg; break;
		case OPT_SYSLIBROOT: u->darwin.syslibroot = optarg; break;
		case OPT_JSON: u->json = true; break;
		case OPT_EACH: u->each = true; gr_pcrw_batch = true; break;
		case OPT_INFER:
			u->o.infer = &u->infer;  /* no names accounted for beyond the pkg-config answers in the input */
			u->o.infer_env = &u->env;
			break;
		case '0': u->nul = true; break;
		case 'h':
			gr_cmd_pcrw_usage(out);
			return GR_EXIT_OK;
		case ':':
			gr_cli_diag(err, "option '%s' needs an argument; see --help", argv[optind - 1]);
			return GR_EXIT_USAGE;
		default:
			if (optopt && optopt < 256)
				gr_cli_diag(err, "unknown option '-%c'; see --help", optopt);
			else
				gr_cli_diag(err, "unknown option '%s'; see --help", argv[optind - 1]);
			return GR_EXIT_USAGE;
		}
	}
	u->o.allow_dynamic = u->allow;
	if (u->nul && u->json) {
		gr_cli_diag(err, "-0 and --json exclude each other");
		return GR_EXIT_USAGE;
	}
	if (optind > 0 && optind <= argc && !strcmp(argv[optind - 1], "--"))
		u->raw = true;
	if (u->each && (u->raw || u->nul || (optind < argc && !strcmp(argv[optind], "-")))) {
		gr_cli_diag(err, "--each takes PACKAGE operands only, and not -0");
		return GR_EXIT_USAGE;
	}
	if (optind >= argc) {
		gr_cli_diag(err, "no PACKAGE, '-' or '-- FLAG...' given; see --help");
		return GR_EXIT_USAGE;
	}
	return GR_PCRW_GO;
}

/* Phase 2: the flags, from standard input, after --, or from the packages
 * (under --each each package is resolved later, on its own). */
static int
gr_pcrw_inputs(struct gr_pcrw_run *u, FILE *in, FILE *err)
{
	struct gr_error e;
	int i, argc = u->argc;
	char **argv = u->argv;

	gr_error_clear(&e);
	if (!u->raw && argc - optind == 1 && !strcmp(argv[optind], "-")) {
		if (!(u->text = gr_pcrw_slurp(in, &e)) || gr_pc_split(u->text, "standard input", &u->toks, &e)) {
			gr_cli_diag(err, "%s", e.msg);
			return GR_EXIT_ERROR;
		}
	} else if (u->raw) {
		u->toks = calloc(1, sizeof(*u->toks));
		if (u->toks) {
			gr_arena_init(&u->toks->arena);
			u->toks->v = gr_arena_alloc(&u->toks->arena, (size_t)(argc - optind + 1) * sizeof(*u->toks->v));
		}
		if (!u->toks || !u->toks->v) {
			gr_cli_diag(err, "out of memory");
			return GR_EXIT_ERROR;
		}
		for (i = optind; i < argc; i++)
			u->toks->v[u->toks->n++].text = argv[i];
	} else {
		for (i = optind; i < argc; i++)
			if (argv[i][0] == '-') {
				gr_cli_diag(err, "'%s' looks like a flag; put flags after '--', or give them on standard input with '-'",
				            argv[i]);
				return GR_EXIT_USAGE;
			}
		if (!u->each && gr_pc_resolve(&u->env, (const char *const *)argv + optind, (size_t)(argc - optind), &u->toks, &e)) {
			gr_cli_diag(err, "%s", e.msg);
			return GR_EXIT_ERROR;
		}
		if (!u->each)
			gr_pcrw_drop_private(err, &u->env, (const char *const *)argv + optind, (size_t)(argc - optind), &u->o, u->toks);
	}
	return GR_PCRW_GO;
}

/* Phase 3: the compiler command: --cc, $CC, or cc. */
static int
gr_pcrw_compiler(struct gr_pcrw_run *u, FILE *err)
{
	struct gr_error e;
	size_t k;

	gr_error_clear(&e);
	if (!u->ccarg)
		u->ccarg = getenv("CC");
	if (!u->ccarg || !*u->ccarg)
		u->ccarg = "cc";
	if (gr_pc_split(u->ccarg, "--cc", &u->ccwords, &e) || u->ccwords->n == 0) {
		gr_cli_diag(err, "%s", u->ccwords ? "--cc: no command given" : e.msg);
		return GR_EXIT_USAGE;
	}
	for (k = 0; k < u->ccwords->n; k++)
		if (gr_strvec_push(&u->cc, u->ccwords->v[k].text)) {
			gr_cli_diag(err, "out of memory");
			return GR_EXIT_ERROR;
		}
	return GR_PCRW_GO;
}

/* Phase 4: Apple targets: --target, else what the compiler says it targets. */
static int
gr_pcrw_target(struct gr_pcrw_run *u, FILE *err)
{
	const char *arch;

	if (!u->target) {
		/* Cached with the compiler's identity, like the search dirs: a warm
		 * cache spawns nothing. A compiler that cannot tell means GNU ld. */
		struct gr_error se;
		char *triplet = NULL;
		bool hit = false;
		if (gr_tccache_dumpmachine(&u->env, gr_strvec_argv(&u->cc), &triplet, &hit, &se) == GR_OK &&
		    triplet && gr_ld64_triple_is_darwin(triplet, &arch)) {
			/* e.g. arm64-apple-darwin23.1.0, or arm64-apple-macosx11.0.0 from clang -target */
			u->target = u->machine = triplet;
			triplet = NULL;
		}
		free(triplet);
	}
	if (u->target && gr_ld64_triple_is_darwin(u->target, &arch)) {
		if (!arch) {
			gr_cli_diag(err, "--target '%s': unknown CPU for ld64 (arm64 or x86_64)", u->target);
			return GR_EXIT_USAGE;
		}
		u->darwin.arch = arch;
		u->o.darwin = &u->darwin;
		if (u->syslibs == NULL) {
			u->o.system_libs = gr_rw_darwin_system_libs;
			u->o.nsystem_libs = gr_rw_ndarwin_system_libs;
		}
	}
	if (u->darwin.syslibroot && !u->o.darwin) {
		gr_cli_diag(err, "--syslibroot applies to Apple targets only; give --target too");
		return GR_EXIT_USAGE;
	}
	return GR_PCRW_GO;
}

/* Phase 5 (GNU ld only): the compiler's search dirs and target, under the
 * driver flags among the inputs that change them. */
static int
gr_pcrw_toolchain(struct gr_pcrw_run *u, FILE *err)
{
	struct gr_error e;
	bool cache_hit = false;

	gr_error_clear(&e);
	/* gcc moves its own search dirs under a --sysroot given to it, and picks
	 * other multilib dirs (or another target, or linker) for -m32, -B, --target. */
	if (u->toks && u->toks->n) {
		const char **texts = calloc(u->toks->n, sizeof(*texts));
		size_t ti;
		int frc;
		for (ti = 0; texts && ti < u->toks->n; ti++)
			texts[ti] = u->toks->v[ti].text;
		frc = texts ? gr_rewrite_driver_toolchain_flags(texts, u->toks->n, &u->cc) : GR_ENOMEM;
		free(texts);
		if (frc) {
			gr_cli_diag(err, "out of memory");
			return GR_EXIT_ERROR;
		}
	}
	if (gr_tccache_discover(&u->env, gr_strvec_argv(&u->cc), &u->tc, &cache_hit, &e)) {
		gr_cli_diag(err, "%s", e.msg);
		return GR_EXIT_ERROR;
	}
	return GR_PCRW_GO;
}

/* Phase 6: rewrite and print, once or (--each) per package; the exit status. */
static int
gr_pcrw_rewrite_all(struct gr_pcrw_run *u, FILE *out, FILE *err)
{
	struct gr_tccache_verdicts *verdicts;
	struct gr_error e;
	int i, status = GR_EXIT_OK;

	/* One resolution per package, sharing the toolchain and the candidate
	 * cache, whose verdicts are kept in the cache directory (issue 15). */
	u->o.cache = gr_ldsearch_cache_new();
	if (!u->o.cache) {
		gr_cli_diag(err, "out of memory");
		return GR_EXIT_ERROR;
	}
	verdicts = gr_tccache_verdicts_new(&u->env);
	gr_ldsearch_cache_set_classify(u->o.cache, gr_tccache_classify, verdicts);
	gr_ldsearch_cache_set_store(u->o.cache, &u->env);  /* the explanations' walk out of ld's reach */
	if (!u->each) {
		status = gr_pcrw_one(out, err, NULL, u->toks, &u->o, &u->tc, u->mode_name, u->json, u->nul);
		gr_ldsearch_cache_free(u->o.cache);
		u->o.cache = NULL;
		gr_tccache_verdicts_close(verdicts);
		return status;
	}
	for (i = optind; i < u->argc; i++) {
		struct gr_pc_tokens *pt = NULL;
		const char *q = u->argv[i];
		int st;
		gr_error_clear(&e);
		if (gr_pc_resolve(&u->env, &q, 1, &pt, &e)) {
			gr_cli_diag(err, "%s", e.msg);
			st = GR_EXIT_ERROR;
		} else {
			gr_pcrw_drop_private(err, &u->env, &q, 1, &u->o, pt);
			st = gr_pcrw_one(out, err, q, pt, &u->o, &u->tc, u->mode_name, u->json, u->nul);
		}
		gr_pc_tokens_free(pt);
		if (st == GR_EXIT_ERROR || (st == GR_EXIT_FAIL && status == GR_EXIT_OK))
			status = st;
	}
	gr_ldsearch_cache_free(u->o.cache);
	u->o.cache = NULL;
	gr_tccache_verdicts_close(verdicts);
	return status;
}

int
gr_cmd_pcrw(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	struct gr_pcrw_run u;
	int status;

	memset(&u, 0, sizeof(u));
	u.argc = argc;
	u.argv = argv;
	/* libbfd gives every format it tries on a file a section hash table of
	 * this many buckets and clears it each time: at its default (4051) that
	 * memset was 60 % of a run's instructions. Judging a file needs a few
	 * sections; a table grows past its size when it must (issue 15). */
	bfd_hash_set_default_size(31);
	gr_env_from_environ(&u.env, environ);
	gr_strvec_init(&u.cc);
	u.mode_name = "static";
	u.o.mode = GR_RW_STATIC;
	u.o.system_libs = gr_rw_default_system_libs;
	u.o.nsystem_libs = gr_rw_ndefault_system_libs;
	u.allow = calloc((size_t)argc + 1, sizeof(*u.allow));
	/* One libpkgconf client for every query of the run: --each's packages
	 * and each explanation's graph read a .pc file once (issue 15). */
	if (!u.allow || gr_pc_share_begin(&u.env) != GR_OK) {
		free(u.allow);
		gr_pc_share_end();
		gr_cli_diag(err, "out of memory");
		return GR_EXIT_ERROR;
	}
	if ((status = gr_pcrw_options(&u, out, err)) == GR_PCRW_GO &&
	    (status = gr_pcrw_inputs(&u, in, err)) == GR_PCRW_GO &&
	    (status = gr_pcrw_compiler(&u, err)) == GR_PCRW_GO &&
	    (status = gr_pcrw_target(&u, err)) == GR_PCRW_GO &&
	    (u.o.darwin || (status = gr_pcrw_toolchain(&u, err)) == GR_PCRW_GO)) {
		status = gr_pcrw_rewrite_all(&u, out, err);
		if (fflush(out) != 0 || ferror(out)) {
			gr_cli_diag(err, "cannot write the result: %s", strerror(errno));
			status = GR_EXIT_ERROR;
		}
	}
	gr_toolchain_deinit(&u.tc);
	gr_pc_tokens_free(u.toks);
	gr_pc_tokens_free(u.ccwords);
	gr_strvec_deinit(&u.cc);
	free(u.text);
	free(u.machine);
	free(u.allow);
	free(u.syslibs);
	free(u.syslist);
	gr_cmd_pcrw_owners_end();
	gr_pc_share_end();
	return status;
}
