/* gr_pcindex: every installed .pc on the pkg-config search path, by the -l names its own Libs and Libs.private give. */
#ifndef GR_PCINDEX_H
#define GR_PCINDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_env.h"
#include "gr_error.h"

/* One package: the raw fragments of its own .pc, not its Requires closure. */
struct gr_pcindex_pkg {
	const char *name;                 /* the module name: the file name without ".pc" */
	const char *path;                 /* the .pc file (search dir + "/" + file name) */
	const char *const *libs;          /* the -l names of its Libs, in order, each once */
	size_t nlibs;
	const char *const *libs_private;  /* the -l names of its Libs.private, in order, each once */
	size_t nlibs_private;
};

/* A .pc file left out of the index, and why (libpkgconf's warning, or the system error). */
struct gr_pcindex_skip {
	const char *path;
	const char *why;
};

/* A package providing a -l name. */
struct gr_pcindex_ref {
	const char *lname;
	const struct gr_pcindex_pkg *pkg;
	bool private_only;                /* named in its Libs.private and not in its Libs */
};

struct gr_pcindex {
	struct gr_arena arena;            /* owns everything below */
	const char *const *dirs;          /* the search path as libpkgconf built it, in order */
	size_t ndirs;
	const struct gr_pcindex_pkg *pkgs; /* search order: dirs in order, names bytewise within one;
	                                      a name already found in an earlier dir is left out */
	size_t npkgs;
	const struct gr_pcindex_skip *skipped; /* in search order */
	size_t nskipped;
	const struct gr_pcindex_ref *refs; /* by lname (bytewise), then Libs before Libs.private, then search order */
	size_t nrefs;
	bool from_cache;                  /* read from the cache, not from the .pc files */
	bool stored;                      /* built and written to the cache */
};

/* Why gr_pcindex_choose picked its package (in the order the rules apply). */
enum gr_pcindex_rule {
	GR_PCINDEX_NONE,        /* no package's Libs name the library */
	GR_PCINDEX_ONLY,        /* only one package's Libs name it */
	GR_PCINDEX_SAME_NAME,   /* the package is named as the library ("ssl" for -lssl) */
	GR_PCINDEX_LIB_NAME,    /* named as the library with "lib" added or removed ("libssl" for -lssl, "zlib" for -lz) */
	GR_PCINDEX_LOOSE_NAME,  /* the same name in letters, "lib" prefixes and case aside ("libxml-2.0" for -lxml2) */
	GR_PCINDEX_FEWEST_LIBS, /* the fewest other -l names in its Libs */
	GR_PCINDEX_NAME_ORDER,  /* first by name (bytewise) among the rest tied */
};

struct gr_pcindex_choice {
	const struct gr_pcindex_pkg *pkg;         /* the choice, or NULL (rule GR_PCINDEX_NONE) */
	enum gr_pcindex_rule rule;                /* the first rule that set it apart from the next best */
	const struct gr_pcindex_pkg **alts;       /* the other packages whose Libs name it, best first (malloc'd) */
	size_t nalts;
};

/* The index of the .pc files on the search path libpkgconf builds from the
 * process environment (PKG_CONFIG_PATH, PKG_CONFIG_LIBDIR, its default dirs),
 * with env's PKG_CONFIG_SYSROOT_DIR, cached in env's cache directory (kind
 * "pcindex"). env NULL: no sysroot, no cache. A .pc that cannot be read or
 * parsed is skipped and listed, never an error. */
int gr_pcindex_open(const struct gr_env *env, struct gr_pcindex **out, struct gr_error *err);

/* The packages providing -lLNAME (the run of ix->refs for it): *npublic of
 * them through Libs come first, then those naming it only in Libs.private,
 * each group in search order; NULL and *n 0 when none. */
const struct gr_pcindex_ref *gr_pcindex_lookup(const struct gr_pcindex *ix, const char *lname,
                                               size_t *n, size_t *npublic);

/* Choose among the packages whose Libs name -lLNAME by the rules of enum
 * gr_pcindex_rule; GR_OK (also when none does) or GR_ENOMEM. */
int gr_pcindex_choose(const struct gr_pcindex *ix, const char *lname, struct gr_pcindex_choice *c,
                      struct gr_error *err);

/* gr_pcindex_choose for names[0], whose archive other -l names reach as well
 * (names[1..n): a symlinked archive, Debian's libpng.a -> libpng16.a gives
 * "png16"): among the packages whose Libs name any of them, a name like
 * names[0] first, then a name like one of the others (libpng.pc, which lists
 * -lpng16, before libwmf.pc, which lists -lpng); then as gr_pcindex_choose. */
int gr_pcindex_choose_names(const struct gr_pcindex *ix, const char *const *names, size_t n,
                            struct gr_pcindex_choice *c, struct gr_error *err);

/* A short English phrase for rule, e.g. "its name is the library's". */
const char *gr_pcindex_rule_text(enum gr_pcindex_rule rule);

/* Free what gr_pcindex_choose allocated; c may be zeroed. */
void gr_pcindex_choice_deinit(struct gr_pcindex_choice *c);

/* Free an index from gr_pcindex_open; NULL is allowed. */
void gr_pcindex_free(struct gr_pcindex *ix);

#endif
