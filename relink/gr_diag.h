/* gr_diag: why a static link failed or what it will miss at run time, and the fix. */
#ifndef GR_DIAG_H
#define GR_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"
#include "gr_strvec.h"
#include "gr_symindex.h"

/* Undefined symbols that one archive would provide. */
struct gr_diag_group {
	const struct gr_symarchive *provider;  /* NULL: no archive in the search dirs defines them */
	const char *pkg;                       /* a pkg-config package whose Libs bring it, or NULL */
	const char **symbols;                  /* distinct, in first-seen order */
	size_t nsymbols;
	const char **needers;                  /* who referred to them: archive(member), object */
	size_t nneeders;
	size_t nrefs;                          /* undefined-reference messages */
	/* No archive: the shared library that defines them after all, found
	 * through the shared build of an archive that needs them ("libgit2.a
	 * needs gss_*: libgit2.so loads libgssapi_krb5.so.2"), or NULL. */
	const char *shared;                    /* its soname, e.g. "libgssapi_krb5.so.2" */
	const char *shared_via;                /* the shared build that loads it, e.g. ".../libgit2.so" */
};

/* A glibc static-link pitfall: "Using 'X' in statically linked applications". */
struct gr_diag_finding {
	const char *symbol;
	const char *source;    /* the archive member, object or Go package that calls it */
	const char *function;  /* or NULL */
	const char *remedy;
	const char *referrer;  /* the caller as the linker named it */
	const char *library;   /* the archive that holds the caller ("libMagickCore-6.Q16.a"), or NULL */
	bool plugin_loader;    /* symbol is a plugin loader's (lt_dlopenext, g_module_open) */
	const char *loader;    /* then which: "libltdl", "GModule"; else NULL */
	/* Why a --static build fails on it by default (a plugin loader, or the
	 * dlopen of a library that needs its plugins), or NULL: a finding only. */
	const char *fails;
	const char *object;    /* the Go build's temporary object that calls it, or NULL */
};

/* An archive built against glibc in a link whose C library is another (musl):
 * its members need symbols only glibc defines (__*_chk, __isoc99_*, the
 * large-file *64 names, __libc_*). */
struct gr_diag_glibc_built {
	const char *archive;   /* its path */
	const char **symbols;  /* distinct, in first-seen order */
	size_t nsymbols;
	const char **members;  /* archive(member)s that refer to them */
	size_t nmembers;
};

/* Undefined symbols only a shared library defines that another shared
 * library of the link loads (its DT_NEEDED) but the link does not name:
 * GNU ld's "undefined reference to symbol 'S@@VER'" and "DSO missing from
 * command line", or (gold, lld and mold say only "undefined") found by
 * gr_diag_dso_scan. The way out is to name it: -lNAME or -l:SONAME. */
struct gr_diag_dso {
	const char *path;      /* the shared library: "/lib/x86_64-linux-gnu/libgomp.so.1" */
	const char *soname;    /* its DT_SONAME (else its file name): "libgomp.so.1" */
	const char *flag;      /* what names it: "-lgomp" (when lib<NAME>.so in the search dirs is the same
	                        * library), else "-l:libgomp.so.1" */
	const char *name;      /* the name --allow-dynamic takes: "gomp" */
	const char *pkg;       /* a pkg-config package whose Libs name -lNAME, or NULL */
	const char *via;       /* the shared library of the link that loads it, or NULL: the linker named it */
	const char **symbols;  /* distinct, in first-seen order, without their versions */
	size_t nsymbols;
	const char **needers;  /* who referred to them */
	size_t nneeders;
};

struct gr_diag {
	struct gr_arena arena;
	struct gr_diag_dso *dsos;  /* not in groups: a shared library the link does not name defines them */
	size_t ndsos;
	struct gr_diag_glibc_built *glibc_built;  /* not in groups: no archive of this link's C library has them */
	size_t nglibc_built;
	struct gr_diag_group *groups;
	size_t ngroups;
	struct gr_diag_finding *findings;
	size_t nfindings;
	struct gr_symindex_stats index;  /* what the symbol index read */
};

/* Read the linker's messages; group undefined symbols by the archive (found
 * in dirs; the symbol index is cached in env's cache) that defines them, and
 * turn glibc's static warnings into findings. */
int gr_diag_run(const struct gr_env *env, const char *linker_messages, const char *const *dirs,
                size_t ndirs, struct gr_diag **out, struct gr_error *err);

/* For the undefined symbols the groups hold (any linker's plain "undefined"
 * report): when a shared library of the link (argv's -lNAME found as
 * lib<NAME>.so in dirs, -l:FILE, or a path to a .so; the C library family's
 * -l names aside) needs (DT_NEEDED, found in dirs or beside it) a shared
 * library that defines a symbol, move the symbol into a gr_diag_dso (via:
 * the library of the link); a group left empty is removed. GNU ld names
 * the library itself (gr_diag_run). GR_ENOMEM is the only error. */
int gr_diag_dso_scan(struct gr_diag *d, const char *const *argv, size_t argc, const char *const *dirs, size_t ndirs,
                     struct gr_error *err);

/* Whether an undefined sym is one only glibc defines: __*_chk, __isoc99_*,
 * __isoc23_*, __libc_*, or a large-file name (fopen64, lseek64...). */
bool gr_diag_glibc_only(const char *sym);

/* The symbols a static link traces (-Wl,--trace-symbol) so that every caller
 * of a glibc function with a finding, and every plugin loader, is reported
 * (GNU ld warns once per symbol, naming only the first caller). */
const char *const *gr_diag_traced(size_t *n);

/* Name the findings whose caller is an object of the Go build (cmd/link's
 * go.o, 000NNN.o) by the C source it was compiled from (gr_modgraph) and the
 * module that holds it: modules is the link state's (path, dir, remedy)
 * triples; a module's remedy (its preset) comes first in the finding's. The
 * objects must still exist. GR_ENOMEM is the only error. */
int gr_diag_name_sources(struct gr_diag *d, const struct gr_strvec *modules, struct gr_error *err);

/* glibc's static-link warnings: the .gnu.warning.SYM sections of the first
 * libc.a in dirs (the one -lc finds), read with libbfd once and kept in
 * env's cache (kind glibcwarn). w gets triples: SYM, its message, the index
 * of the member that holds it. No libc.a (another C library) gives none.
 * GR_ENOMEM is the only error. */
int gr_diag_glibc_warnings(const struct gr_env *env, const char *const *dirs, size_t ndirs, struct gr_strvec *w,
                           struct gr_error *err);

/* GNU ld's warnings for a static link by a linker that prints none of
 * glibc's (lld, mold), from its --trace-symbol lines in messages (the link
 * traced every symbol of w, gr_diag_glibc_warnings): for each symbol a
 * libc.a member defines and an input refers to, the input GNU ld names (the
 * first on argv; of one archive, the first member), at its first relocation
 * against the symbol, with libbfd's function, source and line, in GNU ld's
 * words, in the order GNU ld warns (libc.a's member order). Text to append
 * to the messages ("" for none), malloc'd; NULL when memory runs out. */
char *gr_diag_derive_warnings(const char *messages, const struct gr_strvec *w, const char *const *argv, size_t argc);

/* messages with mold's --trace-symbol lines naming an archive as GNU ld
 * names it: mold gives its real path, GNU ld (and lld) the word of argv
 * that names it, or for -lNAME / -l:FILE the first of dirs (the linker's
 * search dirs, as given) that holds it, DIR/FILE. Malloc'd; NULL when
 * memory runs out. */
char *gr_diag_gnu_trace_names(const char *messages, const char *const *argv, size_t argc, const char *const *dirs,
                              size_t ndirs);

/* messages with its --trace-symbol lines in link order: by the argv word
 * that names the referring input (gr_dw_argi), then, of one archive, by
 * member order, then as printed; other lines keep their places. mold prints
 * its trace lines from several threads, in an order that changes from run
 * to run; GNU ld in the order it loads the inputs: this one order makes a
 * link's findings the same from run to run and linker to linker. Malloc'd;
 * NULL when memory runs out. */
char *gr_diag_sort_traces(const char *messages, const char *const *argv, size_t argc);

/* Free a diagnosis; NULL is allowed. */
void gr_diag_free(struct gr_diag *d);

#endif
