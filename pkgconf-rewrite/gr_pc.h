/* gr_pc: package queries and flag strings through libpkgconf (all libpkgconf calls live here). */
#ifndef GR_PC_H
#define GR_PC_H

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

#endif
