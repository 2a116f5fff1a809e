/* gr_records: the files gorelink and its helpers pass each other (link state,
 * link report, pkg-config log): named record types, one writer and one reader each.
 *
 * Framing (docs: relink/README.md): the first line names the format and its
 * version ("gorelink-link-state 1"); then one record a line: a keyword, then its
 * fields, each after a TAB. In a field, backslash, TAB and newline are written
 * \\, \t and \n; a field that is absent (NULL) is written \N. A reader refuses
 * another version, an unknown keyword, a wrong number of fields and a last line
 * without its newline (a truncated file), naming the file and the line. */
#ifndef GR_RECORDS_H
#define GR_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"
#include "gr_strvec.h"

#define GR_LINKSTATE_ENV "GORELINK_LINK_STATE"
#define GR_PKGLOG_ENV "GORELINK_PKG_LOG"

/* ---- the link state: what the build driver tells its link wrapper -------- */

enum gr_link_mode {
	GR_LINK_STATIC,       /* -static, every library from an archive */
	GR_LINK_STATIC_PIE,   /* -static-pie, every library from an archive */
	GR_LINK_THIRD_PARTY,  /* third-party libraries from archives, the libc family dynamic */
};

struct gr_linkstate {
	enum gr_link_mode mode;
	struct gr_strvec cc;          /* the real compiler command, one word each */
	struct gr_strvec cxx;         /* the C++ compiler, for links whose objects hold C++ */
	struct gr_strvec extra;       /* flags appended to the final link (--pkg libraries, --lib) */
	struct gr_strvec extra_origin; /* for each extra flag, who asked: "--lib", "--pkg zlib"... */
	struct gr_strvec allow;       /* --allow-dynamic library names */
	struct gr_strvec system_libs; /* third-party mode: names that stay -l (empty: the default) */
	struct gr_strvec stubs;       /* --stub names: a library without an archive becomes failing stubs */
	struct gr_strvec modules;     /* the build's modules, 3 strings each: path, directory, preset remedy ("": none) */
	char *report;                 /* where the wrapper records the final link */
	bool fix;                     /* --fix: add the archives that define missing symbols */
	bool darwin;                  /* an Apple target: ld64's rules, never -static */
	char *darwin_arch;            /* its -arch, or NULL: the link's own -arch */
	char *syslibroot;             /* the SDK, or NULL: the link's own -isysroot/-syslibroot */
	bool no_infer;                /* --no-infer: a bare -lNAME gains no package closure */
	bool no_manifest;             /* --no-manifest: the binary carries no embedded manifest (gr_embed) */
	char *pkglog;                 /* the pkg-config log (the -l names #cgo pkg-config: answers account for), or NULL */
	char *linker;                 /* --linker: the final link's -fuse-ld=NAME ("mold"), or NULL: the compiler's own ld */
	bool linker_soft;             /* linker is gorelink's default choice: a -fuse-ld= of the link's own arguments wins */
	struct gr_strvec maxver;      /* --max-version limits ("GLIBC_2.28"): the wrapper names who needs more */
	char *kit;                    /* --relink-kit: the staging directory the wrapper writes the kit into, or NULL */
	char *kit_name;               /* the binary's name for the kit (relink's default output), or NULL */
	bool manifest;                /* record what the final link loaded (link report "traced" and "loaded") */
	char *manifest_salt;          /* the embedded manifest's cache salt (the build's cache key), or NULL */
	char *manifest_epoch;         /* SOURCE_DATE_EPOCH for the embedded manifest's "created", or NULL */
	/* Not recorded: the wrapper's own stand-in archives for --stub names
	 * (gr_rw_opts.replace_*), borrowed, set for the link after the stub step. */
	const char *const *stub_lib, *const *stub_archive;
	size_t nstub;
};

/* Initialise an empty state. */
void gr_linkstate_init(struct gr_linkstate *ls);

/* Free everything the state holds. */
void gr_linkstate_deinit(struct gr_linkstate *ls);

/* Write the state to path (atomically: a temporary file renamed over it). */
int gr_linkstate_write(const char *path, const struct gr_linkstate *ls, struct gr_error *err);

/* Read the state from path (GR_EFORMAT: another version, or malformed). */
int gr_linkstate_read(const char *path, struct gr_linkstate *ls, struct gr_error *err);

/* The mode's name: "static", "static-pie", "third-party". */
const char *gr_link_mode_name(enum gr_link_mode m);

/* ---- the link report: what the wrapper reports about the final link ------- */

/* A library an inferred closure left out: a library kept dynamic brings it at run time. */
struct gr_rec_dropped {
	const char *lib;   /* the -l name */
	const char *via;   /* the package kept dynamic whose private side needs it, or NULL */
};

/* A link input without its file: a -l without an archive, or a path not there. */
struct gr_rec_missing {
	bool file;          /* true: an input file named by its path; false: a -l name */
	const char *name;   /* the library name (no -l) or the path */
	const char *chain;  /* the .pc chain that wanted it, on one line (gr_chain_text), or NULL */
};

/* A group of undefined symbols and the option that would define them. */
struct gr_rec_undefined {
	const char *lname;   /* the archive's -l name, or NULL: no archive defines them */
	const char *pkg;     /* the pkg-config package that brings it, or NULL */
	const char *archive; /* the archive's path, or NULL */
	const char *option;  /* what to add (--pkg P, --lib -lX, --allow-dynamic...), or the first symbol */
};

/* A glibc static-link warning. */
struct gr_rec_finding {
	const char *symbol;
	const char *source;    /* the archive member, object or Go package that calls it */
	const char *function;  /* or NULL */
	const char *remedy;
	const char *library;   /* the archive whose member calls it ("libltdl.a"), or NULL */
	const char *loader;    /* symbol is a plugin loader's: "libltdl", "GModule"; or NULL */
	const char *fails;     /* why a --static build fails on it by default, or NULL: a finding only */
};

/* What --fix added to the link: an archive, or (a library kept dynamic:
 * third-party mode's system libraries, --allow-dynamic names, a shared
 * library another one loads) its -l flag. */
struct gr_rec_fix {
	const char *lname;     /* the -l name: "m", "gomp", ":libgomp.so.1" */
	const char *pkg;       /* or NULL */
	const char *archive;   /* the archive added, or NULL: flag is an -l flag */
	const char *flag;      /* the argument added: the archive's path, "-lm", "-l:libgomp.so.1" */
};

/* A link-order repair. */
struct gr_rec_order {
	const char *strategy;  /* "group": --start-group/--end-group */
	const char *needs;     /* the archive that needs the provider */
	const char *provider;  /* the archive that comes too early */
};

/* A function --stub made fail (or refused to). */
struct gr_rec_stub {
	const char *lib;       /* NAME of --stub NAME */
	const char *function;
	const char *ret;       /* "int", "pointer", "void" (stubbed), "unknown" */
	const char *type;      /* the return type the header declares, or "" */
	const char *refused;   /* why it cannot be stubbed, or NULL: it was */
	const char *const *callers; /* archive(member)s and objects that refer to it */
	size_t ncallers;
};

/* An inferred package: a bare -lNAME explained by a package's closure (gr_infer). */
struct gr_rec_inferred {
	const char *lname;     /* NAME of -lNAME */
	const char *package;   /* the package chosen */
	const char *rule;      /* gr_infer_rule_id: "only", "same-name", "lib-name"... */
	const char *why;       /* the rule in words (gr_pcindex_rule_text) */
	const char *via;       /* the inferred package whose closure named it, or NULL: a bare -l of the link */
	const char *const *alternatives; /* the other packages whose Libs name it, best first */
	size_t nalternatives;
	const char *const *added;        /* the flags inserted after -lNAME */
	size_t nadded;
};

/* An input of the final link that refers to a symbol the output needs in a
 * version newer than --max-version allows (gr_floorref). */
struct gr_rec_floorref {
	const char *symbol;    /* "closefrom" */
	const char *version;   /* "GLIBC_2.34" */
	const char *kind;      /* "archive", "go" (go.o), "cgo" (a Go package's C object), "object", "toolchain" */
	const char *file;      /* the archive or object; NULL for go and cgo (cmd/link's files are gone) */
	const char *member;    /* the archive member, or a cgo object's C source file ("x.cgo2.c"), or NULL */
	const char *sources;   /* cgo: the C source files of its package's objects, newline-separated, or NULL */
	const char *package;   /* cgo: the Go package (the driver's go list), or NULL: not known */
	const char *module;    /* its module, or NULL: the standard library, or not known */
	const char *deb;       /* toolchain: the Debian package that installed file, or NULL */
};

/* An input the final link really loaded, as the linker's own trace (or map) says. */
struct gr_rec_loaded {
	const char *kind;    /* "object", "member" (of an archive) or "shared" */
	const char *path;    /* the object, the archive or the shared library, as the linker named it */
	const char *member;  /* the archive member, or NULL */
	const char *sha256;  /* an object's digest, taken while go build's link directory exists; or NULL */
	const char *module;  /* the Go module whose C code the object was compiled from, or NULL */
	const char *source;  /* the C file it was compiled from (STT_FILE), or NULL */
};

struct gr_link_report {
	struct gr_arena arena;            /* owns every string and array below */
	const char **argv;                /* the final link as it ran */
	size_t nargv, cargv;
	const char **archives;            /* archives the -l flags became */
	size_t narchives, carchives;
	const char **kept;                /* -l names kept as they were */
	size_t nkept, ckept;
	struct gr_rec_missing *missing;   /* in the order the link named them */
	size_t nmissing, cmissing;
	struct gr_rec_undefined *undefined;
	size_t nundefined, cundefined;
	struct gr_rec_finding *findings;
	size_t nfindings, cfindings;
	struct gr_rec_fix *fixes;
	size_t nfixes, cfixes;
	struct gr_rec_order *order;
	size_t norder, corder;
	struct gr_rec_stub *stubs;
	size_t nstubs, cstubs;
	struct gr_rec_inferred *inferred;
	size_t ninferred, cinferred;
	struct gr_rec_dropped *dropped;   /* -l names an inferred closure left out */
	size_t ndropped, cdropped;
	struct gr_rec_floorref *floorrefs; /* --max-version: who refers to each too-new symbol */
	size_t nfloorrefs, cfloorrefs;
	struct gr_rec_loaded *loaded;     /* what the last final link loaded (when the state asked: manifest) */
	size_t nloaded, cloaded;
	const char *traced;               /* "LINKER VERSION": how loaded was taken ("mold map 1"), or NULL: not traced */
	unsigned links;                   /* final link attempts that ran (each repair adds one) */
	bool kit_written;                 /* --relink-kit: the wrapper wrote the kit (record 'kit' with \\N) */
	const char *kit_error;            /* or why it could not (record 'kit' with the reason), or NULL */
	bool has_status;
	int status;                       /* the link's exit status (128+N: signal N) */
	const char *killed;               /* "CC killed by signal NAME (...)", or NULL */
};

/* Initialise an empty report. */
void gr_link_report_init(struct gr_link_report *r);

/* Free a report; it can be reused afterwards. */
void gr_link_report_deinit(struct gr_link_report *r);

/* Append a word of the final link. GR_OK or GR_ENOMEM (as every add below). */
int gr_link_report_add_argv(struct gr_link_report *r, const char *word);

/* Append an archive the link named. */
int gr_link_report_add_archive(struct gr_link_report *r, const char *path);

/* Append a -l name that was kept as it was. */
int gr_link_report_add_kept(struct gr_link_report *r, const char *lname);

/* Append a missing library (file false) or input file (file true), with its .pc chain or NULL. */
int gr_link_report_add_missing(struct gr_link_report *r, bool file, const char *name, const char *chain);

/* Append an undefined-symbol group (the strings are copied). */
int gr_link_report_add_undefined(struct gr_link_report *r, const struct gr_rec_undefined *u);

/* Append a glibc finding (the strings are copied). */
int gr_link_report_add_finding(struct gr_link_report *r, const struct gr_rec_finding *f);

/* Append an archive --fix added (the strings are copied). */
int gr_link_report_add_fix(struct gr_link_report *r, const struct gr_rec_fix *x);

/* Append a link-order repair (the strings are copied). */
int gr_link_report_add_order(struct gr_link_report *r, const struct gr_rec_order *o);

/* Append a stubbed (or refused) function (the strings are copied). */
int gr_link_report_add_stub(struct gr_link_report *r, const struct gr_rec_stub *x);

/* Append an inferred package (the strings are copied). */
int gr_link_report_add_inferred(struct gr_link_report *r, const struct gr_rec_inferred *x);

/* Append a library an inferred closure left out, with the package kept dynamic that brings it (or NULL). */
int gr_link_report_add_dropped(struct gr_link_report *r, const char *lib, const char *via);

/* Append a reference to a too-new symbol (the strings are copied). */
int gr_link_report_add_floorref(struct gr_link_report *r, const struct gr_rec_floorref *x);

/* Append an input the final link loaded (the strings are copied). */
int gr_link_report_add_loaded(struct gr_link_report *r, const struct gr_rec_loaded *x);

/* Say how the loaded inputs were taken: "LINKER METHOD VERSION", e.g. "bfd trace 1" (copied). */
int gr_link_report_set_traced(struct gr_link_report *r, const char *how);

/* Set the link's exit status and, when it died of a signal, what killed it (copied; may be NULL). */
int gr_link_report_set_status(struct gr_link_report *r, int status, const char *killed);

/* Record the relink kit's outcome: written (error NULL) or why not (copied). */
int gr_link_report_set_kit(struct gr_link_report *r, const char *error);

/* Write the report to path (atomically: a temporary file renamed over it). */
int gr_link_report_write(const char *path, const struct gr_link_report *r, struct gr_error *err);

/* Read the report at path into r (initialised here; deinit it also after an error).
 * GR_EIO with sys_errno ENOENT when there is no report. */
int gr_link_report_read(const char *path, struct gr_link_report *r, struct gr_error *err);

/* ---- the pkg-config log: the packages cmd/go asked the shim about --------- */

/* Create an empty log at path (its version line only). */
int gr_pkglog_create(const char *path, struct gr_error *err);

/* Append the package names to the log at path (which must exist) in one write. */
int gr_pkglog_append(const char *path, const char *const *names, size_t n, struct gr_error *err);

/* Read the package names in the log at path, appending them to out. */
int gr_pkglog_read(const char *path, struct gr_strvec *out, struct gr_error *err);

#endif
