/* gr_symindex: which archive defines a symbol, from the archives' own symbol tables. */
#ifndef GR_SYMINDEX_H
#define GR_SYMINDEX_H

#include <stddef.h>

#include "gr_arena.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

struct gr_symarchive {
	const char *path;   /* the archive */
	const char *lname;  /* the -l name that reaches it: "z" for libz.a, "m" for libm-2.36.a (via libm.a) */
};

struct gr_symindex_stats {
	size_t archives;    /* archives indexed */
	size_t symbols;     /* symbol definitions read */
	size_t cached;      /* archives answered from the cache */
};

struct gr_symindex;

/* Index every lib*.a in dirs (in order; a directory seen twice counts once).
 * A lib*.a that is a linker script lends its -l name to the archives it lists.
 * Each archive's symbols are kept in env's cache, keyed by its identity. */
int gr_symindex_build(const struct gr_env *env, const char *const *dirs, size_t ndirs,
                      struct gr_symindex **out, struct gr_symindex_stats *st, struct gr_error *err);

/* The archives that define sym, in search order; *n of them (0: none). */
const struct gr_symarchive *const *gr_symindex_lookup(const struct gr_symindex *ix, const char *sym,
                                                      size_t *n);

/* The archives of the index that are the same file as a (a symlink such as
 * Debian's libpng.a -> libpng16.a is indexed under each -l name that reaches
 * it), a first, then in search order; *n of them. The answer lives until the
 * next lookup. */
const struct gr_symarchive *const *gr_symindex_aliases(const struct gr_symindex *ix,
                                                       const struct gr_symarchive *a, size_t *n);

/* Like gr_symindex_lookup for a C++ name as the linker prints it, demangled
 * ("std::__throw_system_error(int)", "vtable for __cxxabiv1::__class_type_info"):
 * the first call demangles every archive's C++ symbols (_Z..., __Z... on
 * Mach-O). "> >" and ">>" (GNU's and LLVM's demanglers) match each other.
 * GR_ENOMEM when that runs out of memory. */
int gr_symindex_lookup_demangled(struct gr_symindex *ix, const char *name,
                                 const struct gr_symarchive *const **out, size_t *n,
                                 struct gr_error *err);

/* One archive's own symbols, each list sorted and without repeats: defs what
 * its symbol table (armap) says it defines, undefs what its members refer to
 * and leave undefined. Both cached by the archive's identity, like the index.
 * GR_ENOTBIN for a file that is no archive with an armap, GR_ENOMEM. */
int gr_symindex_archive(const struct gr_env *env, const char *path, struct gr_strvec *defs,
                        struct gr_strvec *undefs, struct gr_error *err);

/* An archive's undefined symbols by member (gr_symindex_members). */
struct gr_symmembers {
	struct gr_arena arena;   /* owns everything below */
	const char **members;    /* member names, in archive order (a newline or TAB in one is '?') */
	size_t nmembers;
	const char **syms;       /* every symbol a member leaves undefined (weak ones aside), sorted, once */
	size_t nsyms;
	size_t **refs;           /* for syms[i]: the members that refer to it, ascending indices into members */
	size_t *nrefs;
};

/* Which members of the archive at path refer to which symbols (undefined,
 * not weak): the same cache entry as gr_symindex_archive's undefs (cache kind
 * "undefs", keyed by the archive's identity), read with libbfd on a miss.
 * GR_ENOTBIN for a file that is no archive, GR_ENOMEM. Free with gr_symmembers_free. */
int gr_symindex_members(const struct gr_env *env, const char *path, struct gr_symmembers **out,
                        struct gr_error *err);

/* The members (indices into m->members, ascending) that refer to sym; *n of them (0: none). */
const size_t *gr_symmembers_lookup(const struct gr_symmembers *m, const char *sym, size_t *n);

/* The symbols the object file at path refers to and leaves undefined (not
 * weak), sorted, each once, appended to out (libbfd; not cached: for the
 * objects of one link). GR_ENOTBIN for a file that is no object, GR_ENOMEM. */
int gr_symindex_object_undefs(const char *path, struct gr_strvec *out, struct gr_error *err);

/* Free a gr_symindex_members answer; NULL is allowed. */
void gr_symmembers_free(struct gr_symmembers *m);

/* A shared library whose dynamic symbol table defines a symbol asked for. */
struct gr_symshared_hit {
	size_t sym;          /* the index of the symbol in the list asked for */
	const char *path;    /* the name -l finds (lib<name>.so, a development link), else the
	                      * run-time file (lib<name>.so.N) under the shortest name */
	const char *lname;   /* "systemd" for libsystemd.so, or NULL: no lib<name>.so reaches it */
	const char *soname;  /* its DT_SONAME ("libsystemd.so.0"), else the file's own name */
	const char *runtime; /* dir/SONAME when that exists (the file the loader takes), else path */
	size_t dir;          /* the index of its directory in the dirs searched */
};

struct gr_symshared {
	struct gr_arena arena;          /* owns everything below */
	struct gr_symshared_hit *hits;  /* by symbol, then in search order */
	size_t nhits;
	size_t libraries;               /* shared libraries read */
};

/* Which shared libraries in dirs (lib*.so and lib*.so.*, ld's search order,
 * each file once however many names lead to it) define each of the nsyms
 * symbols in .dynsym. Read with libelf, section by section; a file that is
 * no ELF shared object, or a damaged one, defines nothing. GR_ENOMEM. */
int gr_symindex_shared(const char *const *dirs, size_t ndirs, const char *const *syms, size_t nsyms,
                       struct gr_symshared **out, struct gr_error *err);

/* Free a gr_symindex_shared answer; NULL is allowed. */
void gr_symshared_free(struct gr_symshared *s);

/* Free an index; NULL is allowed. */
void gr_symindex_free(struct gr_symindex *ix);

#endif
