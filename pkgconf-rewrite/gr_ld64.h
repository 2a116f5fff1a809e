/* gr_ld64: find the file Apple's ld64 opens for -lNAME, and the first archive along the same path. */
#ifndef GR_LD64_H
#define GR_LD64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gr_arena.h"
#include "gr_error.h"

enum gr_ld64_order {
	GR_LD64_PATHS_FIRST,   /* -search_paths_first (the default): .tbd/.dylib, .so, .a in each dir */
	GR_LD64_DYLIBS_FIRST,  /* -search_dylibs_first: every dir for .tbd/.dylib, then .so, then .a */
};

enum gr_ld64_kind {
	GR_LD64_NONE,
	GR_LD64_TBD,      /* a text-based dylib stub */
	GR_LD64_DYLIB,
	GR_LD64_SO,
	GR_LD64_ARCHIVE,
	GR_LD64_OBJECT,   /* -lfoo.o: dir/foo.o */
};

struct gr_ld64_opts {
	const char *const *dirs;          /* -L dirs, in order */
	size_t ndirs;
	const char *const *syslibroots;   /* every -syslibroot, in order ("/" disables them all) */
	size_t nsyslibroots;
	enum gr_ld64_order order;
	bool no_defaults;                 /* -Z: no /usr/lib, /usr/local/lib */
	const char *arch;                 /* "arm64" or "x86_64" */
};

struct gr_ld64 {
	struct gr_arena arena;    /* owns everything below and every result */
	const char **dirs;        /* effective dirs, re-rooted, in search order */
	bool *is_default;         /* whether dirs[i] is one of ld64's defaults */
	size_t ndirs;
	const char *syslibroot;   /* the syslibroot in force, or NULL */
	const char *arch;
	uint32_t cputype;
	enum gr_ld64_order order;
	const char **notes;       /* what ld64 says while building the list (missing -L dirs) */
	size_t nnotes;
};

struct gr_ld64_file {
	const char *path;         /* dir + "/" + name, or NULL */
	enum gr_ld64_kind kind;
	size_t dir_index;         /* index into dirs, or (size_t)-1 */
};

struct gr_ld64_result {
	struct gr_ld64_file found;     /* what ld64 itself takes for -lNAME */
	struct gr_ld64_file archive;   /* the first libNAME.a for the arch along the path */
	const char **notes;            /* archives skipped (wrong arch), ld64's wording */
	size_t nnotes;
};

/* The CPU type for an ld64 -arch name ("arm64", "aarch64", "x86_64"); false if unknown. */
bool gr_ld64_cputype(const char *arch, uint32_t *cputype);

/* Whether a target triple names an Apple platform (apple, darwin, macos); *arch gets
 * its -arch spelling ("arm64", "x86_64") or NULL when the CPU part is unknown. */
bool gr_ld64_triple_is_darwin(const char *triple, const char **arch);

/* Build ld64's search list: the -L dirs, then /usr/lib and /usr/local/lib unless -Z,
 * each re-rooted under the last syslibroot when that exists; missing dirs dropped with a note. */
int gr_ld64_init(struct gr_ld64 *s, const struct gr_ld64_opts *o, struct gr_error *err);

/* Free the search list and every result. */
void gr_ld64_deinit(struct gr_ld64 *s);

/* Resolve -lNAME: res->found is ld64's choice, res->archive the archive a static
 * rewrite uses (wrong-arch archives skipped, with notes). GR_EUSAGE for -l:FILE;
 * GR_EIO when an archive along the path cannot be opened or read (or shrank while
 * it was read); GR_OK even when either is missing (path NULL). */
int gr_ld64_lib(struct gr_ld64 *s, const char *name, struct gr_ld64_result *res,
                struct gr_error *err);

/* Whether the archive at path holds code for cputype: GR_OK if so, GR_ENOTFOUND with
 * *note (in a) worded like ld64's when it is for another arch; GR_EIO if it cannot be read
 * (also when it shrinks while it is read: the SIGBUS is caught); other codes if malformed. */
int gr_ld64_archive_check(const char *path, uint32_t cputype, struct gr_arena *a,
                          const char **note, struct gr_error *err);

/* A short name for a kind: "tbd", "dylib", "so", "archive", "object". */
const char *gr_ld64_kind_name(enum gr_ld64_kind k);

#endif
