/* gr_ldsearch: find the file GNU ld opens for -lNAME, and what a linker script found that way holds. */
#ifndef GR_LDSEARCH_H
#define GR_LDSEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_bfdcheck.h"
#include "gr_error.h"
#include "gr_strvec.h"
#include "gr_toolchain.h"

struct gr_env;

enum gr_dir_source {
	GR_DIR_CMDLINE,  /* a compiler-driver -L (any position; gcc puts them first) */
	GR_DIR_DRIVER,   /* the compiler driver's own -L list, LIBRARY_PATH included */
	GR_DIR_LDARG,    /* a -L passed to the linker itself (-Wl,-L / -Xlinker), after the driver's */
	GR_DIR_LINKER,   /* the linker's built-in SEARCH_DIRs */
	GR_DIR_SCRIPT,   /* a SEARCH_DIR inside a library's linker script, added when it was read */
};

struct gr_ldsearch {
	struct gr_arena arena;        /* owns the strings below and every result */
	const char **dirs;            /* effective search dirs, in ld's order, sysroot applied */
	enum gr_dir_source *sources;  /* where each dir came from */
	size_t ndirs, capdirs;
	bool nostdlib;                /* ld's own -nostdlib: no SEARCH_DIRs at all */
	const char *sysroot;          /* the sysroot in force, or NULL */
	struct gr_bfd_target target;
	struct gr_ldsearch_cache *cache;  /* classified candidates, by path */
	bool own_cache;                   /* cache is freed with the search */
};

/* One file the search settled on, or one member of a linker script. */
struct gr_ldfile {
	const char *path;         /* as ld names it: dir + "/" + name, verbatim */
	enum gr_cand kind;        /* GR_CAND_ARCHIVE, _SHARED, _OBJECT or _SCRIPT */
	size_t dir_index;         /* index into dirs; (size_t)-1 when not found through a dir */
	bool as_needed;           /* listed inside AS_NEEDED ( ) */
	int group;                /* nonzero: inside the n-th GROUP of its script */
};

struct gr_ldresult {
	struct gr_ldfile found;   /* the file -l resolved to */
	const char **notes;       /* what ld would say on the way (incompatible files skipped) */
	size_t nnotes;
	struct gr_ldfile *members;  /* for a script: its inputs, resolved, recursively flattened */
	size_t nmembers;
};

/* What a cache answered from memory and what it had to look up (for tests and benchmarks). */
struct gr_ldsearch_cache_stats {
	size_t walks;            /* gr_ldsearch_elsewhere walks made */
	size_t walk_hits;        /* gr_ldsearch_elsewhere calls answered from a walk kept */
	size_t walk_loads;       /* walks answered from the cache directory (gr_ldsearch_cache_set_store) */
	size_t listings;         /* directories those walks listed (opendir, readdir), by identity */
	size_t listing_hits;     /* directories a walk found listed already (by another walk, or by another path to it) */
	size_t realpath_misses;  /* paths gr_ldsearch_cache_realpath resolved (its parts included) */
	size_t realpath_hits;    /* paths it answered from memory (its parts included) */
};

/* A cache of classified candidates that several searches for one toolchain can share;
 * for the run (a process), it also keeps gr_ldsearch_elsewhere's walks and realpath answers. */
struct gr_ldsearch_cache *gr_ldsearch_cache_new(void);

/* Free a shared cache (after every search using it); NULL is allowed. */
void gr_ldsearch_cache_free(struct gr_ldsearch_cache *c);

/* Keep gr_ldsearch_elsewhere's walks in env's cache directory (kind
 * "ld-walk", keyed by the credentials, the bounds and the search dirs): a walk
 * kept answers only while every path it looked at is as it was (a directory
 * with the same device, inode, mtime and ctime; no directory where there was
 * none). env must outlive c; NULL: walks are kept for the run only. */
void gr_ldsearch_cache_set_store(struct gr_ldsearch_cache *c, const struct gr_env *env);

/* How a candidate is judged: gr_bfd_classify's contract, with ctx. */
typedef int (*gr_ldsearch_classify_fn)(void *ctx, const char *path, const struct gr_bfd_target *t,
                                       struct gr_cand_info *info, struct gr_error *err);

/* Judge the candidates of searches sharing c with fn(ctx, ...) instead of
 * gr_bfd_classify (e.g. gr_tccache_classify: verdicts kept across runs). */
void gr_ldsearch_cache_set_classify(struct gr_ldsearch_cache *c, gr_ldsearch_classify_fn fn, void *ctx);

/* Build the search list as ld sees it under a gcc-style driver: the driver-level
 * -L in order, the driver's own dirs, the linker-level -L (-Wl,-L), then the
 * linker's SEARCH_DIRs (unless nostdlib: ld's own -nostdlib); '=' and $SYSROOT
 * take the sysroot. shared is a cache to use (NULL: a private one). */
int gr_ldsearch_init(struct gr_ldsearch *s, const char *const *cmdline_dirs, size_t ncmdline,
                     const char *const *ld_dirs, size_t nld, const struct gr_toolchain *tc,
                     const char *sysroot, bool nostdlib, struct gr_ldsearch_cache *shared,
                     struct gr_error *err);

/* Free the search list, the cache and every result. */
void gr_ldsearch_deinit(struct gr_ldsearch *s);

/* Resolve -lNAME (NAME ":file" for -l:file) with static rules (lib.a only) or dynamic
 * ones (lib.so, then lib.a, in each dir); scripts are expanded into members.
 * GR_ENOTFOUND: not found (res->notes still tell what was skipped). */
int gr_ldsearch_lib(struct gr_ldsearch *s, const char *name, bool static_mode,
                    struct gr_ldresult *res, struct gr_error *err);

/* A run-time shared library for -lNAME along the search list, for when no
 * lib<NAME>.so exists (the -dev package with the link-time files is not
 * installed): lib<NAME>.so.<version> or lib<NAME>-<version>.so.<n>, the
 * smallest name in the first directory that has one; its path into buf, or
 * false when there is none. */
bool gr_ldsearch_runtime_only(const struct gr_ldsearch *s, const char *name, char *buf, size_t n);

/* Where lib<NAME>.a lies below the search dirs, out of ld's reach (Debian
 * puts libpgcommon.a in /usr/lib/postgresql/15/lib): each search dir's
 * subdirectories down to depth levels (each directory once, by identity;
 * symbolic links not followed; at most maxdirs directories in all); for each
 * of the n names (NAME of -lNAME; "" is none) the smallest such path, malloc'd into
 * found[i], or NULL. GR_ENOMEM, else GR_OK. The walk does not depend on the
 * names: it is made once per run (s's cache) for the same dirs, depth and maxdirs. */
int gr_ldsearch_elsewhere(const struct gr_ldsearch *s, const char *const *names, size_t n, int depth,
                          size_t maxdirs, char **found);

/* realpath(path, NULL), with the answers kept in c for the run (c NULL: realpath
 * itself): each directory is resolved once, then only the last component is
 * looked at (lstat; readlink for a symbolic link). The same answer as realpath
 * for a file system that does not change during the run; malloc'd, or NULL
 * with errno (ENOMEM when out of memory; that is not kept). */
char *gr_ldsearch_cache_realpath(struct gr_ldsearch_cache *c, const char *path);

/* c's counters into *st (all zero for c NULL). */
void gr_ldsearch_cache_get_stats(const struct gr_ldsearch_cache *c, struct gr_ldsearch_cache_stats *st);

/* The run-time shared library of stem ("libz") in dir: stem.so.<digit>... or
 * stem-<digits and dots>.so.<digit>... (liblber-2.5.so.0), the smallest such
 * name; dir/name into buf, or false when there is none (or it does not fit).
 * The one scanner for run-time files: gr_ldsearch_runtime_only and the
 * relinker's diagnosis both use it. */
bool gr_ldsearch_runtime_in_dir(const char *dir, const char *stem, char *buf, size_t n);

/* The NAME of the -lNAME a shared library's file name stands for: "expat" for
 * libexpat.so.1.8.10, "lber" for liblber-2.5.so.0, "z" for libz.so; into buf,
 * or false for a file name of another shape (or one that does not fit). */
bool gr_ldsearch_shared_name(const char *base, char *buf, size_t n);

#endif
