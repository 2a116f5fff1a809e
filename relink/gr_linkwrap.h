/* gr_linkwrap: the link wrapper's final link: run with its output passed on, a
 * failure diagnosed and explained, archives in the wrong order grouped, the
 * --fix loop, the library origins (pkg-config log, cached), and the report. */
#ifndef GR_LINKWRAP_H
#define GR_LINKWRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gr_diag.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_records.h"
#include "gr_rewrite.h"
#include "gr_strvec.h"
#include "gr_toolchain.h"

struct gr_linkwrap {
	const struct gr_env *env;       /* the environment (cache directory, PATH) */
	const struct gr_linkstate *ls;  /* the driver's state (fix: the --fix loop) */
	const char *const *dirs;        /* the linker's search dirs, where the diagnosis looks for archives */
	size_t ndirs;
	FILE *out;                      /* the link's standard output is copied here */
	FILE *msg;                      /* its standard error, and every explanation */
	const char *prog;               /* what the wrapper's own diagnostics start with ("gorelink-ld") */
	bool input_script;              /* the compiler driver passes its linker no --sysroot (or /): mold may
	                                 * read the link's objects from a script (gr_linker_input_script) */
};

/* Run the final link. Before it, plan the order: where an
 * archive needs a symbol that only an archive before it defines (their own
 * symbol tables, gr_symindex_archive; the C library family's archives aside),
 * group the span with --start-group/--end-group, say so once, and record it
 * ("planned"). When the link fails, group archives that come before the ones
 * needing them (at most 3 times) and, with --fix, append the archives defining
 * the missing symbols (at most 3 rounds); explain what is left. final is the
 * argv (changed by the repairs); rep gains the undefined, finding, fix and order
 * records. Unless the state says no-manifest, the output carries the manifest
 * (gr_embed: an ELF note added after the link, -sectcreate in an Apple link);
 * failing that, 1. With the state's kit (--relink-kit), a link that
 * succeeded writes the relink kit there first (gr_kit) and rep records whether
 * it could. Returns the link's exit status (127: could not run, 128+N: signal N). */
int gr_linkwrap_link(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep);

/* gr_linkwrap_link without the plan: only the repairs after a failed link (their tests). */
int gr_linkwrap_link_unplanned(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep);

/* --stub: for the libraries *rw misses that the state names with --stub,
 * build archives of failing functions (gr_stub) in a new directory under dir,
 * list every stubbed function and its callers on w->msg, add them to rep,
 * and rewrite args (gr_extld_rewrite) again with each -lNAME replaced by its
 * stub archive: GR_OK with *final and *rw replaced, or the rewrite's
 * GR_ENOTFOUND when other libraries are still missing. GR_ENOTFOUND with
 * nothing changed when no missing library is named by --stub; GR_EUSAGE when
 * a needed symbol cannot be stubbed (data, an unknown return: explained on
 * w->msg and recorded in rep); another error with err set. */
int gr_linkwrap_stub(const struct gr_linkwrap *w, const struct gr_toolchain *tc, char *const *args, size_t n,
                     const char *dir, struct gr_strvec *final, struct gr_rw_result **rw, struct gr_link_report *rep,
                     struct gr_error *err);

/* Give the libraries and missing input files of rw without an origin the
 * "#cgo pkg-config: ..." chain of the packages in the pkg-config log at pkglog
 * (may be NULL), filling the gaps from, and updating, the origin cache. */
void gr_linkwrap_origins(const struct gr_env *env, struct gr_rw_result *rw, const char *pkglog);

/* Add the final link (final and rw may be NULL), what each -l became and the
 * exit status to rep, and write it to the state's report file (if it names one). */
int gr_linkwrap_report(const struct gr_linkstate *ls, const struct gr_strvec *final, const struct gr_rw_result *rw,
                       int status, struct gr_link_report *rep, struct gr_error *err);

#endif
