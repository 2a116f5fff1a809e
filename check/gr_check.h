/* gr_check: what a binary loads at run time, and whether that passes. */
#ifndef GR_CHECK_H
#define GR_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gr_arena.h"
#include "gr_error.h"

struct gr_verinfo;
struct gr_vermax;

enum gr_format {
	GR_FMT_ELF,
	GR_FMT_MACHO,      /* a thin Mach-O file, or one slice of a universal file */
	GR_FMT_MACHO_FAT,  /* a universal (fat) file; see gr_report.images */
	GR_FMT_ARCHIVE,    /* an ar(1) archive, regular or thin */
};

enum gr_verdict {
	GR_V_STATIC,          /* executable that loads nothing */
	GR_V_STATIC_PIE,      /* position-independent executable that loads nothing */
	GR_V_DYNAMIC,         /* executable with an interpreter or libraries to load */
	GR_V_SYSTEM_ONLY,     /* Mach-O executable that loads only system dylibs */
	GR_V_OBJECT,          /* relocatable object */
	GR_V_SHARED_LIBRARY,  /* shared library, dylib or bundle */
	GR_V_ARCHIVE,         /* static archive */
	GR_V_CORE,            /* core dump */
	GR_V_DEBUG_INFO,      /* separate debug information: headers without contents */
	GR_V_OTHER,           /* any other ELF or Mach-O file type */
};

/* Where a dependency lives, which decides whether it may stay dynamic. */
enum gr_origin {
	GR_ORIGIN_NONE,             /* ELF soname: no location is recorded */
	GR_ORIGIN_SYSTEM,           /* /usr/lib/..., /System/Library/... */
	GR_ORIGIN_HOMEBREW,         /* /opt/homebrew, /usr/local/Cellar, /usr/local/opt, linuxbrew */
	GR_ORIGIN_USR_LOCAL,        /* /usr/local/... outside Homebrew */
	GR_ORIGIN_MACPORTS,         /* /opt/local/... */
	GR_ORIGIN_RPATH,            /* @rpath/... */
	GR_ORIGIN_LOADER_PATH,      /* @loader_path/... */
	GR_ORIGIN_EXECUTABLE_PATH,  /* @executable_path/... */
	GR_ORIGIN_OTHER,            /* any other absolute or relative path */
};

struct gr_goinfo;  /* gr_goinfo.h */

struct gr_dep {
	const char *name;     /* DT_NEEDED soname, or Mach-O install name */
	const char *command;  /* "DT_NEEDED", "LC_LOAD_DYLIB", "LC_LOAD_WEAK_DYLIB", ... */
	enum gr_origin origin;
	bool allowed;         /* matched a --allow pattern */
};

struct gr_problem {
	const char *code;     /* stable identifier, e.g. "needed", "interp" */
	const char *message;  /* what is wrong */
	const char *remedy;   /* what to do about it, or NULL */
	bool finding;         /* a Mach-O load-rule finding: reported, does not fail the file */
};

/* What a Mach-O image tells dyld and the kernel besides its dylibs (its load rules). */
struct gr_macho_load {
	uint32_t filetype;            /* MH_EXECUTE (2), MH_DYLIB (6), ... */
	bool data_const;              /* has a __DATA_CONST segment */
	uint32_t data_const_flags;    /* its segment flags; SG_READ_ONLY is 0x10 */
	const char *version_command;  /* "LC_BUILD_VERSION", "LC_VERSION_MIN_MACOSX", ... or NULL */
	const char *platform;         /* "macos", "ios", ... (from the first such command), or NULL */
	uint32_t minos, sdk;          /* X.Y.Z encoded xxxx.yy.zz, as in the load command */
	bool code_signature;          /* carries LC_CODE_SIGNATURE */
};

/* One ELF file, one thin Mach-O file, or one slice of a universal file. */
struct gr_image {
	enum gr_format format;
	enum gr_verdict verdict;
	bool executable;          /* verdict is static, static-pie, dynamic or system-only */
	bool pass;                /* loads nothing, or only what is system or allowed */
	int bits;                 /* 32 or 64; 0 for archives */
	bool big_endian;
	const char *arch;         /* "x86-64", "arm64", ... */
	const char *interp;       /* PT_INTERP or LC_LOAD_DYLINKER path, or NULL */
	bool interp_accepted;     /* an allowed library needs the interpreter */
	const char *soname;       /* DT_SONAME or LC_ID_DYLIB, or NULL */
	bool pie;                 /* DF_1_PIE, or MH_PIE */
	struct gr_dep *needed;
	size_t nneeded;
	const char **rpath;       /* DT_RPATH entries, or LC_RPATH paths */
	size_t nrpath;
	const char **runpath;     /* DT_RUNPATH entries */
	size_t nrunpath;
	struct gr_problem *problems;
	size_t nproblems;
	const char **glibc_runtime;  /* static ELF: glibc functions in .symtab that need its
	                                shared objects at run time (NSS, dlopen, iconv) */
	size_t nglibc_runtime;
	const char **glibc_static;   /* ELF with PT_INTERP: the marks of glibc's static libc.a
	                                linked in (defined start-up symbols, its section names) */
	size_t nglibc_static;
	const char **iconv_callers;  /* static glibc ELF: the functions whose direct calls reach
	                                iconv_open (x86-64 and aarch64 only) */
	size_t niconv_callers;
	struct gr_macho_load macho;  /* Mach-O images only: segment flags, platform, signature */
	struct gr_verinfo *versions;  /* ELF symbol versions (gr_elfver.h), or NULL when the
	                                 file has no version sections */
	struct gr_goinfo *go;        /* Go executable (ELF, thin Mach-O, universal slice): build
	                                info and the files it reads at run time (gr_goinfo.h);
	                                NULL otherwise */
};

struct gr_report {
	struct gr_arena arena;    /* owns every string and array below */
	const char *path;
	enum gr_format format;
	enum gr_verdict verdict;  /* for a universal file: the worst slice's */
	bool executable;
	bool pass;                /* every image passes */
	struct gr_image *images;  /* one, or one per universal slice */
	size_t nimages;
};

/* Which libraries a check accepts besides the system ones. */
struct gr_policy {
	const char *const *allow;  /* fnmatch(3) patterns on soname or install-name basename */
	size_t nallow;
	uint32_t macos_min;        /* --macos-min (xxxx.yy.zz): a Mach-O minos above it fails; 0: none */
	const struct gr_vermax *maxver;  /* --max-version limits, one per family (gr_elfver.h) */
	size_t nmaxver;
};

/* Classify the file at path (following symlinks); GR_ENOTBIN if it is no binary. */
int gr_check_path(const char *path, const struct gr_policy *pol,
                  struct gr_report **out, struct gr_error *err);

/* Classify the file open at fd (named path in reports); GR_ENOTBIN if it is no binary. */
int gr_check_fd(int fd, const char *path, const struct gr_policy *pol,
                struct gr_report **out, struct gr_error *err);

/* Classify len bytes of buf, named path in reports and errors; libelf may
 * rewrite buf in place, so pass a private copy. */
int gr_check_buffer(const char *path, unsigned char *buf, size_t len,
                    const struct gr_policy *pol, struct gr_report **out,
                    struct gr_error *err);

/* --scratch: a Go binary of r that reads at run time a file missing under
 * root (and not embedded) gets a "runtime-file" problem and does not pass;
 * every run-time file of r is marked checked. GR_ENOMEM only. */
int gr_check_scratch(struct gr_report *r, const char *root, struct gr_error *err);

/* Free a report from gr_check_*; NULL is allowed. */
void gr_report_free(struct gr_report *r);

/* Lower-case name of a verdict, as in the JSON schema ("static-pie"). */
const char *gr_verdict_name(enum gr_verdict v);

/* Name of a format, as in the JSON schema ("macho-fat"). */
const char *gr_format_name(enum gr_format f);

/* Name of an origin, as in the JSON schema ("homebrew"). */
const char *gr_origin_name(enum gr_origin o);

/* Whether a name is one of glibc's libraries (libc.so.6, libm.so.6, ld-linux...). */
bool gr_is_libc_family(const char *soname);

#endif
