/* gr_goinfo: what a Go binary says about itself (build info, function names)
 * and the files it will look for at run time. */
#ifndef GR_GOINFO_H
#define GR_GOINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gr_arena.h"
#include "gr_error.h"

/* One kind of file a Go binary reads at run time. */
struct gr_runtime_file {
	const char *id;                /* "x509-roots", "zoneinfo", "os-user", "net-resolver" */
	const char *package;           /* the Go package that reads them, e.g. "crypto/x509" */
	const char *because;           /* the functions (or build setting) that show it */
	const char *const *paths;      /* the files and directories it looks for, in order */
	size_t npaths;
	bool any;                      /* one of paths is enough; otherwise each is read */
	const char *env;               /* the run-time override ("SSL_CERT_FILE"), or NULL */
	bool embedded;                 /* a copy is linked in: no file is needed */
	const char *embedded_by;       /* what embeds it, when embedded */
	const char *remedy;            /* embed it, or copy it into the image */
	const char *note;              /* anything else to know, or NULL */
	bool checked;                  /* a scratch root was searched (gr_policy.scratch_root) */
	const char *missing;           /* then the first path missing there, or NULL: present */
};

/* What a Go binary says about itself. */
struct gr_goinfo {
	const char *go_version;        /* "go1.22.1", or NULL when no build info was read */
	const char *main_path;         /* the main package path ("path" line), or NULL */
	const char *main_module;       /* the main module ("mod" line), or NULL */
	const char *modinfo;           /* the module info text as written (path, mod, dep, =>,
	                                * build lines), NUL-terminated, or NULL */
	const char **deps;             /* module paths of "dep" lines */
	size_t ndeps;
	const char **settings;         /* "KEY=VALUE" of "build" lines, e.g. "CGO_ENABLED=0" */
	size_t nsettings;
	const char *symbols_from;      /* ".gopclntab", ".symtab" (ELF), "__gopclntab", "LC_SYMTAB"
	                                  (Mach-O), or NULL: no function names */
	size_t nfuncs;                 /* function names read */
	struct gr_runtime_file *files; /* what it reads at run time */
	size_t nfiles;
};

/* Magic at the start of Go's build info blob (.go.buildinfo). */
#define GR_GOINFO_MAGIC "\xff Go buildinf:"
#define GR_GOINFO_MAGIC_LEN 14

/* Parse the build info blob at p (len bytes from the magic on) into gi;
 * GR_EFORMAT when it is not one (or a pre-1.18 pointer blob), GR_ENOMEM. */
int gr_goinfo_parse_buildinfo(const unsigned char *p, size_t len, struct gr_arena *a,
                              struct gr_goinfo *gi, struct gr_error *err);

/* Call fn(name, len, ctx) for each function name of the Go 1.18+ pclntab at
 * p (len bytes); stop early when fn returns false. The count of names, or -1
 * when p is no pclntab this reader knows. Names are not NUL-terminated. */
long gr_goinfo_pclntab_names(const unsigned char *p, size_t len,
                             bool (*fn)(const char *name, size_t n, void *ctx), void *ctx);

/* Read the Go build info and function names of the ELF file in buf and fill
 * *out (arena-allocated) with them and the run-time files; *out is NULL for a
 * file that is no Go binary. Only GR_ENOMEM is an error: a malformed Go part
 * is skipped. buf is as for gr_elf_read (libelf's elf_memory); only raw
 * bytes are read. */
int gr_goinfo_elf(unsigned char *buf, size_t len, struct gr_arena *a,
                  struct gr_goinfo **out, struct gr_error *err);

/* The same for the thin Mach-O file in buf (a whole file, or one slice of a
 * universal file): __go_buildinfo, __gopclntab, else LC_SYMTAB; the run-time
 * files are darwin's unless the build info names another GOOS. GR_EFORMAT
 * (naming path) when a section Go needs, or the symbol table, lies past the
 * end of buf; a malformed blob or pclntab is skipped; GR_ENOMEM. */
int gr_goinfo_macho(const unsigned char *buf, size_t len, const char *path, struct gr_arena *a,
                    struct gr_goinfo **out, struct gr_error *err);

/* The value of build setting key ("CGO_ENABLED"), or NULL. */
const char *gr_goinfo_setting(const struct gr_goinfo *gi, const char *key);

/* Whether what f needs exists under root ("/" or a directory): for f->any one
 * of its paths, otherwise each; an embedded f needs nothing. *missing is the
 * first path not found (NULL when satisfied). */
bool gr_goinfo_present(const struct gr_runtime_file *f, const char *root, const char **missing);

#endif
