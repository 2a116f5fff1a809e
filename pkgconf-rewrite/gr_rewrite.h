/* gr_rewrite: turn link flags into explicit archives by mode, keeping order and everything else. */
#ifndef GR_REWRITE_H
#define GR_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"
#include "gr_infer.h"
#include "gr_ld64.h"
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
	const char *const *driver_libs;   /* any mode: names that stay -l because the compiler driver
	                                   * brings them (zig cc's own C library), or NULL */
	size_t ndriver_libs;
	/* Any mode: -lNAME of replace_lib[i], wherever it comes from (the flags, a
	 * .pc closure, an inferred one), becomes the file replace_path[i]
	 * (gorelink's --stub archives; the result keeps its own copies); GNU ld personality only. */
	const char *const *replace_lib, *const *replace_path;
	size_t nreplace;
	struct gr_ldsearch_cache *cache;  /* shared across rewrites for one toolchain, or NULL */
	const struct gr_rw_darwin *darwin;  /* non-NULL: Apple ld64's rules (see gr_rewrite_darwin) */
	/* An input file named by a path that does not exist is missing, as ld
	 * would not find it: always when absolute or written in a .pc file;
	 * when relative in raw flags only with this set (the link runs in
	 * this process's directory, as the link wrapper's does). */
	bool link_runs_here;
	/* Non-NULL: infer the package of each bare -lNAME first (gr_infer_run with
	 * infer_env) and rewrite its closure with the rest; GNU ld personality only. */
	const struct gr_infer_opts *infer;
	const struct gr_env *infer_env;
};

/* The darwin (Apple ld64) personality: every third-party -l becomes its archive. */
struct gr_rw_darwin {
	const char *arch;        /* "arm64" or "x86_64"; NULL: the last -arch in the flags, else arm64 */
	const char *syslibroot;  /* the SDK (--syslibroot), or NULL; a later -syslibroot,
	                          * -Wl,-syslibroot,DIR or -isysroot in the flags wins */
};

enum gr_rw_kind {
	GR_RW_LIBRARY,       /* -lNAME, -l NAME, -l:FILE, one inside -Wl,/-Xlinker, or a shared library's path */
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
	const char *kept_why;     /* "system library", "system library (SDK stub)", "--allow-dynamic" */
	const char *variant;      /* darwin: "weak", "needed", "reexport", "hidden", "upward", "lazy", or NULL */
	bool missing;             /* no archive: the mode cannot be met */
	const char *shared_alternative;  /* a shared library ld would take instead, or NULL;
	                                  * darwin: the .tbd/.dylib ld64 would take for -l */
	struct gr_ldresult res;   /* the archive search, when one ran */
	const char *shared_path;  /* a shared library named by its path (this token's input),
	                           * handled as -l<lib> (lib ":FILE" when its name says no
	                           * lib<NAME>.so), or NULL */
	bool bare_archive;        /* a bare archive name (norm.pc's libprotokit.a) that is not
	                           * there, linked as -l<lib> (inference, or -l<lib> given too) */
};

struct gr_rw_result {
	struct gr_arena arena;    /* owns the tokens */
	struct gr_ldsearch search;  /* the search dirs used (darwin: ld64's, copied; sysroot = syslibroot) */
	bool darwin;              /* Apple ld64's rules applied */
	struct gr_ld64 ld64;      /* darwin: the ld64 search */
	struct gr_rw_token *tokens;
	size_t ntokens;
	struct gr_strvec argv;    /* the rewritten flags */
	size_t nmissing;          /* libraries without an archive */
	struct gr_infer_result *inferred; /* with o->infer: the inferences (and the tokens rewritten), else NULL */
};

/* The glibc and gcc runtime names --mode=third-party keeps as -l by default. */
extern const char *const gr_rw_default_system_libs[];
/* How many names gr_rw_default_system_libs holds. */
extern const size_t gr_rw_ndefault_system_libs;

/* The names the darwin personality keeps as -l: libSystem and its aliases, the C++ and ObjC runtimes. */
extern const char *const gr_rw_darwin_system_libs[];
/* How many names gr_rw_darwin_system_libs holds. */
extern const size_t gr_rw_ndarwin_system_libs;

/* Rewrite n flags (from gr_pc_resolve or gr_pc_split) for the toolchain tc.
 * Returns GR_ENOTFOUND with *out filled when some library has no archive. */
int gr_rewrite(const struct gr_pc_token *in, size_t n, const struct gr_rw_opts *o,
               const struct gr_toolchain *tc, struct gr_rw_result **out, struct gr_error *err);

/* Rewrite link flags (driver or ld64 level, e.g. Go's darwin hostlink argv) with ld64's
 * rules for d->arch and d->syslibroot; o->darwin is ignored, o->mode is third-party
 * always, o->system_libs NULL means gr_rw_darwin_system_libs. GR_ENOTFOUND with *out
 * filled when a third-party library has no archive; GR_EUSAGE for -l:FILE. */
int gr_rewrite_darwin(const struct gr_pc_token *in, size_t n, const struct gr_rw_opts *o,
                      const struct gr_rw_darwin *d, struct gr_rw_result **out, struct gr_error *err);

/* gr_rewrite_darwin over a plain argv (n strings, e.g. the link args of Go's darwin
 * hostlink); origins are NULL, and the strings must outlive *out. */
int gr_rewrite_darwin_argv(const char *const *argv, size_t n, const struct gr_rw_opts *o,
                           const struct gr_rw_darwin *d, struct gr_rw_result **out,
                           struct gr_error *err);

/* The last compiler-driver --sysroot in the flags, or NULL: the driver's own
 * search dirs move under it, so discover the toolchain with it. */
const char *gr_rewrite_driver_sysroot(const struct gr_pc_token *in, size_t n);

/* Append the driver flags among args that change where the compiler driver and its
 * linker search (-m*, -B DIR, --target=, -target T, -fuse-ld=, the last --sysroot):
 * discover the toolchain with them. GR_ENOMEM on failure. */
int gr_rewrite_driver_toolchain_flags(const char *const *args, size_t n, struct gr_strvec *out);

/* Free a result; NULL is allowed. */
void gr_rw_result_free(struct gr_rw_result *r);

#endif
