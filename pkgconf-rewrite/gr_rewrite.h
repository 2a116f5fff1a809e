/* gr_rewrite: turn link flags into explicit archives by mode, keeping order and everything else. */
#ifndef GR_REWRITE_H
#define GR_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"
#include "gr_ldsearch.h"
#include "gr_pc.h"
#include "gr_strvec.h"
#include "gr_toolchain.h"

enum gr_rw_mode {
	GR_RW_STATIC,       /* every -l becomes an archive */
	GR_RW_THIRD_PARTY,  /* the system libraries stay -l, everything else becomes an archive */
};

struct gr_rw_opts {
	enum gr_rw_mode mode;
	const char *const *system_libs;   /* third-party mode: names that stay -l */
	size_t nsystem_libs;
	const char *const *allow_dynamic; /* any mode: names that stay -l (--allow-dynamic) */
	size_t nallow_dynamic;
	struct gr_ldsearch_cache *cache;  /* shared across rewrites for one toolchain, or NULL */
};

enum gr_rw_kind {
	GR_RW_LIBRARY,       /* -lNAME, -l NAME, -l:FILE, or one inside -Wl,/-Xlinker */
	GR_RW_SEARCH_DIR,    /* -L */
	GR_RW_LINKER_STATE,  /* -static, -Bstatic, -Bdynamic, --push-state, --sysroot... */
	GR_RW_OTHER,         /* passed through unchanged */
};

struct gr_rw_token {
	const char *input;        /* the argument(s) as given, space-joined for "-l foo" */
	const char *origin;       /* the pkg-config chain it came from, or NULL */
	enum gr_rw_kind kind;
	const char **output;      /* what it became, in order */
	size_t noutput;
	/* For libraries: */
	const char *lib;          /* "foo", or ":libfoo.a" */
	bool dynamic_state;       /* an explicit -Bdynamic was in force at its position */
	bool kept;                /* it stays -l */
	const char *kept_why;     /* "system library", "--allow-dynamic" */
	bool missing;             /* no archive: the mode cannot be met */
	const char *shared_alternative;  /* a shared library ld would take instead, or NULL */
	struct gr_ldresult res;   /* the archive search, when one ran */
};

struct gr_rw_result {
	struct gr_arena arena;    /* owns the tokens */
	struct gr_ldsearch search;  /* the search dirs used */
	struct gr_rw_token *tokens;
	size_t ntokens;
	struct gr_strvec argv;    /* the rewritten flags */
	size_t nmissing;          /* libraries without an archive */
};

/* The glibc and gcc runtime names --mode=third-party keeps as -l by default. */
extern const char *const gr_rw_default_system_libs[];
/* How many names gr_rw_default_system_libs holds. */
extern const size_t gr_rw_ndefault_system_libs;

/* Rewrite n flags (from gr_pc_resolve or gr_pc_split) for the toolchain tc.
 * Returns GR_ENOTFOUND with *out filled when some library has no archive. */
int gr_rewrite(const struct gr_pc_token *in, size_t n, const struct gr_rw_opts *o,
               const struct gr_toolchain *tc, struct gr_rw_result **out, struct gr_error *err);

/* The last compiler-driver --sysroot in the flags, or NULL: the driver's own
 * search dirs move under it, so discover the toolchain with it. */
const char *gr_rewrite_driver_sysroot(const struct gr_pc_token *in, size_t n);

/* Free a result; NULL is allowed. */
void gr_rw_result_free(struct gr_rw_result *r);

#endif
