/* gr_bfdcheck: judge a library candidate as ld's ldfile_try_open_bfd does (the rewrite's libbfd calls; gr_symindex, gr_stub and gr_modgraph read symbol tables and sections with libbfd themselves). */
#ifndef GR_BFDCHECK_H
#define GR_BFDCHECK_H

#include <stdbool.h>

#include "gr_error.h"
#include "gr_strvec.h"

enum gr_cand {
	GR_CAND_UNOPENABLE,    /* missing, a directory, dangling or unreadable: the search goes on */
	GR_CAND_ARCHIVE,       /* an archive for the target (its first member decides; empty is fine) */
	GR_CAND_SHARED,        /* a shared object for the target */
	GR_CAND_OBJECT,        /* a relocatable object for the target */
	GR_CAND_SCRIPT,        /* not an object: ld reads it as a linker script */
	GR_CAND_INCOMPATIBLE,  /* built for another target: ld skips it and searches on */
};

struct gr_cand_info {
	enum gr_cand kind;
	bool thin;            /* a thin archive (!<thin>) */
	bool empty;           /* an archive with no members */
	char format[64];      /* the BFD target that read it (e.g. "elf32-i386"), or "" */
	char arch[64];        /* its architecture (e.g. "i386"), or "" */
};

/* The target a link produces, by BFD names (ld --verbose: OUTPUT_FORMAT, OUTPUT_ARCH). */
struct gr_bfd_target {
	const char *output_format;  /* e.g. "elf64-x86-64"; NULL skips the compatibility check */
	const char *output_arch;    /* e.g. "i386:x86-64"; NULL derives it from output_format */
};

/* Classify the file at path for the target t. Errors only for out-of-memory. */
int gr_bfd_classify(const char *path, const struct gr_bfd_target *t, struct gr_cand_info *info,
                    struct gr_error *err);

struct stat;

/* gr_bfd_classify for the file whose stat answer st the caller has just
 * taken (no second stat). */
int gr_bfd_classify_stat(const char *path, const struct stat *st, const struct gr_bfd_target *t,
                         struct gr_cand_info *info);

/* gr_bfd_classify with libbfd alone, never its shortcut for the host's own
 * ELF files: what that shortcut must agree with (tests). */
int gr_bfd_classify_libbfd(const char *path, const struct gr_bfd_target *t, struct gr_cand_info *info);

/* gr_bfd_classify's shortcut alone: true with info filled when it answers,
 * false when libbfd must judge the file (tests). */
bool gr_bfd_classify_fast(const char *path, const struct gr_bfd_target *t, struct gr_cand_info *info);

/* The symbols an archive's symbol table (armap) says it defines, in order;
 * GR_ENOTBIN for a file that is no archive or has no armap. */
int gr_bfd_armap(const char *path, struct gr_strvec *syms, struct gr_error *err);

/* sym as GNU ld prints it (bfd_demangle with DMGL_ANSI | DMGL_PARAMS, ld's
 * own options): "std::condition_variable::notify_all()" for
 * _ZNSt18condition_variable10notify_allEv. A malloc'd string, or NULL when
 * sym is no mangled C++ name (or libbfd ran out of memory). */
char *gr_bfd_demangle(const char *sym);

/* Whether the object at path refers to the C++ runtime (_Z..., __cxa_...,
 * __gxx_personality_v0): then it must be linked by a C++ compiler driver. */
bool gr_bfd_needs_cxx(const char *path);

/* How many of syms the shared library at path defines in its dynamic
 * symbol table (0 when it is no shared library or cannot be read). */
size_t gr_bfd_dynamic_defines(const char *path, const char *const *syms, size_t nsyms);

/* Whether a member of the archive at path refers to the C++ runtime (an
 * undefined _Z... or __gxx_personality_v0): a C++ library, whose static
 * link needs libstdc++ even when its flags do not say so. */
bool gr_bfd_archive_needs_cxx(const char *path);

#endif
