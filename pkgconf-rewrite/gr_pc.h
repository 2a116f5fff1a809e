/* gr_pc: package queries and flag strings through libpkgconf (all libpkgconf calls live here). */
#ifndef GR_PC_H
#define GR_PC_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

struct gr_pc_token {
	const char *text;    /* one argument, e.g. "-lfoo", "-L/opt/x y/lib", "-pthread" */
	const char *origin;  /* e.g. "libpcap (Libs.private)", "a -> Requires.private -> c (Libs)"; NULL for raw flags */
};

struct gr_pc_tokens {
	struct gr_arena arena;      /* owns everything below */
	struct gr_pc_token *v;
	size_t n;
};

/* Resolve package queries ("sqlite3", "libseccomp >= 2.5") with pkg-config --static
 * semantics (Libs.private, Requires.private, pkgconf's de-duplication, system -L
 * filtered unless env's PKG_CONFIG_ALLOW_SYSTEM_LIBS; PKG_CONFIG_SYSROOT_DIR prefixed),
 * one token per argument pkg-config prints. */
int gr_pc_resolve(const struct gr_env *env, const char *const *queries, size_t nq,
                  struct gr_pc_tokens **out, struct gr_error *err);

/* From now on, gr_pc_resolve and gr_pc_graph for env's PKG_CONFIG_SYSROOT_DIR
 * share one libpkgconf client, so each .pc file is read once (the answers are
 * the same; a warning about a malformed file counts for every later query
 * whose answer depends on it). The process environment libpkgconf reads
 * (PKG_CONFIG_PATH, ...) must not change until gr_pc_share_end. GR_ENOMEM. */
int gr_pc_share_begin(const struct gr_env *env);

/* Stop sharing and free the shared client (fine when none). */
void gr_pc_share_end(void);

/* Split text into arguments with pkgconf's quoting rules; what names the source in errors. */
int gr_pc_split(const char *text, const char *what, struct gr_pc_tokens **out,
                struct gr_error *err);

/* The installed packages whose Libs name -lLNAME, then those whose Libs.private
 * do, each in search order (gr_pcindex, uncached: dirs in order, names in
 * bytewise order within a dir, a name shadowed by an earlier dir's left out);
 * for "which --pkg brings this archive". *npublic (if not NULL): how many of
 * them come first through Libs. */
int gr_pc_packages_with_lib(const char *lname, struct gr_strvec *out, size_t *npublic,
                            struct gr_error *err);

/* Free tokens from gr_pc_resolve or gr_pc_split; NULL is allowed. */
void gr_pc_tokens_free(struct gr_pc_tokens *t);

/* One package of a gr_pc_graph. */
struct gr_pc_gnode {
	const char *id;          /* the package's name, e.g. "vips" */
	const char **libs;       /* the -l names of its own Libs ("vips"; ":libfoo.a" for -l:libfoo.a) */
	size_t nlibs;
	const char **priv;       /* the -l names of its own Libs.private */
	size_t npriv;
	size_t *req;             /* its Requires, as node indices */
	size_t nreq;
	size_t *rpriv;           /* its Requires.private, as node indices */
	size_t nrpriv;
	bool dynamic;            /* its library stays -l (set by gr_pc_graph_mark_dynamic) */
};

/* The packages of some queries and everything they require, publicly or not. */
struct gr_pc_graph {
	struct gr_arena arena;   /* owns everything below */
	struct gr_pc_gnode *v;
	size_t n;
	size_t *roots;           /* the packages the queries matched, in query order */
	size_t nroots;
};

/* Resolve queries as gr_pc_resolve does and return the package graph behind
 * the answer (each package once, in breadth-first order from the queries). */
int gr_pc_graph(const struct gr_env *env, const char *const *queries, size_t nq,
                struct gr_pc_graph **out, struct gr_error *err);

/* Mark dynamic every package whose own library (the first -l of its Libs),
 * or every -l of whose Libs, is one of the n -l names (a library kept
 * dynamic: --allow-dynamic, a system library); returns how many are marked. */
size_t gr_pc_graph_mark_dynamic(struct gr_pc_graph *g, const char *const *names, size_t n);

/* The -l names a link of the roots needs when the marked packages are linked
 * dynamically: a static package brings its Libs, Libs.private, Requires and
 * Requires.private; a dynamic one only its Libs and Requires (pkg-config
 * --libs: its private dependencies come from its DT_NEEDED at run time).
 * names gets them in the order met; closure (may be NULL) every -l name of
 * the whole --static closure. GR_ENOMEM on failure. */
int gr_pc_graph_needed(const struct gr_pc_graph *g, struct gr_strvec *names, struct gr_strvec *closure);

/* The -l names of the --static closure that a partly dynamic link does not
 * need (gr_pc_graph_needed), each with the dynamic package whose private
 * dependencies brought it: names[i] was brought by via[i]. The nkeep names
 * of keep (those staying -l anyway: -lm, -lpthread) are never named. GR_ENOMEM on failure. */
int gr_pc_graph_dropped(const struct gr_pc_graph *g, const char *const *keep, size_t nkeep,
                        struct gr_strvec *names, struct gr_strvec *via);

/* What one -l name offers the minimal-set computation (gr_pc_graph_suggest). */
enum gr_pc_have {
	GR_PC_HAVE_ARCHIVE = 1,  /* lib<name>.a is found: it can be linked statically */
	GR_PC_HAVE_SHARED = 2,   /* a shared library is found: it can stay dynamic */
	GR_PC_HAVE_DYNAMIC = 4,  /* it stays dynamic already (--allow-dynamic, a system library) */
};

/* The smallest set of -l names to keep dynamic (--allow-dynamic) so that every
 * library the link still needs has an archive: walking the needed names in
 * order, the first one without an archive is kept dynamic (which drops its
 * private dependencies), and so is every library a dynamic package Requires
 * (its shared object loads it at run time: an archive too would make a second
 * copy); again until nothing changes. have(ctx, name) says what a name offers.
 * allow gets the names to add, why[i] the reason for allow[i]; runtime the
 * -l names then loaded at run time (the dynamic packages and their whole
 * closures); impossible the needed names with neither an archive nor a shared
 * library. The graph's dynamic marks are changed. GR_ENOMEM on failure. */
int gr_pc_graph_suggest(struct gr_pc_graph *g, int (*have)(void *ctx, const char *name), void *ctx,
                        struct gr_strvec *allow, struct gr_strvec *why, struct gr_strvec *runtime,
                        struct gr_strvec *impossible);

/* Free a graph; NULL is allowed. */
void gr_pc_graph_free(struct gr_pc_graph *g);

#endif
