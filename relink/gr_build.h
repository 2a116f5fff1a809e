/* gr_build: drive go build through gorelink-ld into a verified static binary. */
#ifndef GR_BUILD_H
#define GR_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_check.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_gocache.h"
#include "gr_linker.h"
#include "gr_manifest.h"
#include "gr_records.h"
#include "gr_strvec.h"

/* Why a build failed: gr_build_run returns one of these (and err->code holds
 * it, err->msg the reason); the CLI maps them to exit statuses. Distinct from
 * the enum gr_status codes: a library error is classed as one of these. */
enum gr_build_error {
	GR_BUILD_EUSAGE = 100, /* conflicting or malformed flags, an unknown preset or --pkg */
	GR_BUILD_EENV,      /* no go, no C compiler, CGO_ENABLED=0, unwritable output, out of memory... */
	GR_BUILD_EGO,       /* go list or go build failed (go's messages were shown) */
	GR_BUILD_EMISSING,  /* a library has no static archive */
	GR_BUILD_EVERDICT,  /* it built, but the binary is not what the mode promises */
	GR_BUILD_ESTRICT,   /* it built and passes, but --strict refuses glibc's static-link warnings,
	                     * or a static build would lose the plugins a library needs (--accept-dlopen) */
	GR_BUILD_ESTOPPED,  /* interrupted (o->stop was set) */
};

struct gr_build_opts {
	const struct gr_env *env;            /* the environment it decides on (filled by the CLI) */
	enum gr_link_mode mode;
	const char *package;                 /* what go build accepts */
	const char *out;                     /* -o, or NULL for go build's default name */
	const char *go;                      /* the go command (default "go") */
	char *const *goargs;                 /* flags after --, for go build */
	size_t ngoargs;
	const char *const *pkgs;             /* --pkg names */
	size_t npkgs;
	const char *const *allow;            /* --allow-dynamic names */
	size_t nallow;
	const struct gr_vermax *maxver;      /* --max-version limits the result is checked with */
	size_t nmaxver;
	const char *preset;                  /* e.g. "sqlite3", or NULL */
	const char *preset_variant;          /* NULL: the preset's default */
	bool no_auto_presets;                /* do not apply the preset of a module in the build */
	bool default_tags;                   /* netgo,osusergo in the static modes */
	bool dry_run;                        /* build and verify, but leave OUT alone */
	bool keep_failed;                    /* keep a rejected binary as OUT.rejected */
	bool fix;                            /* add archives that define missing symbols, up to 3 rounds */
	bool strict;                         /* a glibc static-link finding fails the build */
	bool accept_dlopen;                  /* --accept-dlopen: a static build whose plugins cannot load does not fail */
	bool no_infer;                       /* --no-infer: a bare -lNAME gains no package closure */
	bool no_manifest;                    /* --no-manifest: embed no manifest in the binary */
	bool test;                           /* gorelink test: go test -c, the package's test binary
	                                      * (any package with tests; go's default name PKG.test) */
	const char *install_version;         /* gorelink rebuild: go install PACKAGE@VERSION with GOBIN a
	                                      * private directory, not go build -o (the main module is
	                                      * stamped with its version and sum); NULL: go build */
	enum gr_linker linker;               /* --linker (GR_LINKER_DEFAULT: none, auto's choice unless the link's own -fuse-ld=) */
	const char *const *libs;             /* --lib flags appended to the link (e.g. -lm) */
	size_t nlibs;
	const char *const *stubs;            /* --stub names: libraries without an archive become failing stubs */
	size_t nstubs;
	const char *relink_kit;              /* --relink-kit=DIR: write the relink kit there (gr_kit), or NULL */
	/* Issue 16, the link manifest (docs/sbom.md). */
	bool manifest;                       /* record what the final link loaded (res->manifest) */
	const char *sbom;                    /* --sbom=FILE: write the SBOM there (implies manifest), or NULL */
	int sbom_format;                     /* --sbom-format: enum gr_sbom_format */
	const char *const *deny;             /* --deny-licence expressions: a match fails the build */
	size_t ndeny;
	const char *source_date_epoch;       /* SOURCE_DATE_EPOCH (the SBOMs' creation time), or NULL */
	/* Called as each step ends (for -v); may be NULL. */
	void (*log)(void *ctx, const char *step, double seconds, const char *detail);
	/* Called about once a second while go build runs (for progress); may be NULL. */
	void (*progress)(void *ctx, const char *step, double seconds);
	/* Set (by a signal handler) to stop: go build's process group is stopped,
	 * temporary files are removed and OUT is left alone. May be NULL. */
	volatile const int *stop;
	void *log_ctx;
};

struct gr_build_result {
	struct gr_strvec go_argv;      /* the go build command that ran */
	struct gr_strvec tags;         /* the build tags used */
	/* What gorelink-ld reported about the final link: its argv, the archives,
	 * the missing libraries and files, the undefined-symbol groups, glibc's
	 * findings, what --fix added, the link-order repairs, and what killed it. */
	struct gr_link_report link;
	/* --linker: the linker chosen for the final link (gr_linker_name; "default":
	 * the compiler's own ld) and why, when it is not simply the one asked for
	 * ("auto: ...", a fallback), or "". The link report's argv says which one
	 * linked last (a failover to bfd). */
	const char *linker;
	char linker_why[256];
	char *out;                     /* where the binary is (or would be, for a dry run) */
	char *pkg_dir;                 /* o->test: the package's directory (go list .Dir), else NULL */
	char *kept;                    /* a rejected binary kept by keep_failed, or NULL */
	char *kit;                     /* --relink-kit: the kit's absolute path once it is in place, or NULL */
	char *preset_path;             /* the preset file used, or NULL */
	/* The presets applied, 4 strings each: name, module (or ""), variant, why
	 * ("module M is in the build", or "--sqlite3"/"--preset NAME"). */
	struct gr_strvec presets_applied;
	bool preset_auto;              /* the preset applied itself: its module is in the build */
	struct gr_strvec warnings;     /* what the CLI shows as warnings (an explicit preset whose module is not built...) */
	/* The -l names left out of the link because only a library kept dynamic
	 * needs them privately (its DT_NEEDED loads them at run time), 2 strings
	 * each: the name, and the package kept dynamic that brought it ("?": none known). */
	struct gr_strvec dropped;
	struct gr_report *check;       /* the verdict on the binary, when it was built */
	long long size;                /* its size in bytes */
	long self_max_rss_kib;         /* gorelink's own peak resident memory, children excluded */
	/* The mark go build's CGO_CPPFLAGS carried (-DGORELINK_PKGCONFIG=, see
	 * relink/gr_gocache), or "" when go build did not run. */
	char cache_key[GR_GOCACHE_KEYLEN + 1];
	/* OUT already held what this build produces: go build found the copy of
	 * it up to date and gorelink's inputs were unchanged (gr_uptodate); no
	 * link ran (link.links is 0), OUT was checked and left untouched. */
	bool up_to_date;
	/* OUT was absent or stale, and gorelink's output cache held the binary a
	 * build with these inputs but another OUT produced: go build found the
	 * copy of it up to date, no link ran (link.links is 0, the report is the
	 * recorded one); it was checked and installed as OUT (up_to_date false). */
	bool from_output_cache;
	/* What go build wrote on stderr (NULL: nothing read): as written, and
	 * brief: with cmd/link's one-line dump of a failed link command (the
	 * whole gorelink-ld command line) replaced by a note; link_dump: those
	 * lines, or NULL when there were none. */
	char *go_stderr, *go_stderr_brief, *link_dump;
	/* The link manifest (o->manifest, --sbom, --deny-licence), or NULL; and a
	 * licence --deny-licence refused: the archive, its package, its licence
	 * and the expression it matched (NULL: none). */
	struct gr_manifest *manifest;
	const char *denied_archive, *denied_package, *denied_licence, *denied_by;
};

/* Build o->package as o->mode asks, verify it, and move it into place: GR_OK,
 * or an enum gr_build_error with the reason in err. */
int gr_build_run(const struct gr_build_opts *o, struct gr_build_result *res, struct gr_error *err);

/* Split text (len bytes of go build's stderr) into brief, where each line
 * that is cmd/link's dump of a failed link ("/dir/gorelink-ld ARGS...") is
 * replaced by one note, and dump, those lines (NULL when none); malloc'd. */
int gr_build_split_dump(const char *text, size_t len, char **brief, char **dump);

/* Free a result. */
void gr_build_result_deinit(struct gr_build_result *res);

/* The allow patterns a third-party build is checked with: the libc family
 * and the gcc runtime, plus lib<name>.so* for each allowed name (malloc'd). */
int gr_build_third_party_allow(const char *const *names, size_t n, struct gr_strvec *out);

#endif
