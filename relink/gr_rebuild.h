/* gr_rebuild: rebuild an existing Go binary from its build info: the main
 * module at its recorded version, the same dependency versions and flags. */
#ifndef GR_REBUILD_H
#define GR_REBUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"
#include "gr_strvec.h"

/* Why a rebuild cannot even start (err->code; distinct from gr_status and
 * gr_build_error codes). */
enum gr_rebuild_error {
	GR_REBUILD_EREFUSED = 120, /* no build info, dirty tree, (devel), CGO_ENABLED=0, local replacement */
	GR_REBUILD_EFETCH,         /* go mod download, go mod edit or the copy failed */
};

/* One module line of the build info: "mod"/"dep", and its "=>" replacement. */
struct gr_rebuild_mod {
	const char *path, *version, *sum;     /* version "(devel)" for a local build; sum may be "" */
	const char *rpath, *rversion, *rsum;  /* the replacement, or NULL; rversion "" for a directory */
};

/* A Go binary's build info, line by line. */
struct gr_rebuild_info {
	const char *go_version;        /* "go1.22.1" */
	const char *path;              /* the main package ("path" line) */
	struct gr_rebuild_mod main;    /* the main module ("mod" line); path NULL when none */
	struct gr_rebuild_mod *deps;
	size_t ndeps;
	const char **keys, **values;   /* "build" lines: key and value (Go's quotes removed) */
	size_t nsettings;
};

/* What gr_rebuild_prepare set up: a writable copy of the main module pinned
 * to the recorded dependency versions, and how to build in it. */
struct gr_rebuild_plan {
	char *tmp;                 /* the temporary directory (removed by gr_rebuild_plan_free) */
	char *workdir;             /* the module copy inside it: build there */
	char *fetched_sum;         /* the h1: sum go mod download reported for MOD@VERSION */
	struct gr_strvec goargs;   /* go build flags: -tags=, -ldflags=, -trimpath, -gcflags=... */
	struct gr_strvec setenv;   /* KEY=VALUE to set for the build (GOOS, CGO_CFLAGS, GOFLAGS...) */
	struct gr_strvec unsetenv; /* KEY to remove for the build (a CGO_* flag recorded empty) */
	struct gr_strvec pinned;   /* "path@version" required in the copy's go.mod */
	struct gr_strvec warnings; /* what the build info cannot say (-trimpath hides -ldflags...) */
	bool pie;                  /* built with -buildmode=pie: rebuild as static-pie */
	/* How: go install PACKAGE@VERSION (GOBIN private), which stamps the main
	 * module with its version and sum as the original's go install did, when
	 * that selects the recorded dependency versions; else go build in the
	 * pinned copy, which stamps it (devel), and copy_why says why. */
	bool install;
	char *copy_why;            /* install false: the reason (malloc'd); else NULL */
};

/* One difference between the old and new build info. */
struct gr_rebuild_diff {
	const char *what;   /* "go", "mod", "dep PATH", "build KEY" */
	const char *old_v;  /* the old value, or NULL when absent */
	const char *new_v;  /* the new value, or NULL when absent */
	const char *kind;   /* "linkage", "source", "toolchain", "preset" (expected) or "unexpected" */
	const char *why;    /* the reason it is expected, or what is wrong */
};

/* Read the Go build info of the ELF file at path into *bi (arena-allocated):
 * GR_EIO when it cannot be read, GR_REBUILD_EREFUSED when it has none. */
int gr_rebuild_read(const char *path, struct gr_arena *a, struct gr_rebuild_info *bi,
                    struct gr_error *err);

/* The value of build setting key, or NULL. */
const char *gr_rebuild_setting(const struct gr_rebuild_info *bi, const char *key);

/* GR_REBUILD_EREFUSED, with the reason, for a binary that cannot be rebuilt
 * from a module version: built from a dirty tree, from a local directory
 * ((devel)), without cgo, or with a dependency replaced by a directory. */
int gr_rebuild_refuse(const struct gr_rebuild_info *bi, struct gr_error *err);

/* GR_REBUILD_EREFUSED, naming the setting and word, when a recorded flag that
 * becomes part of the rebuild's compiler or linker command (CGO_CFLAGS,
 * CGO_CPPFLAGS, CGO_CXXFLAGS, CGO_FFLAGS, CGO_LDFLAGS words; -ldflags words)
 * is outside a small allowlist: a binary's build info is not trusted input
 * (CGO_CFLAGS=-wrapper would run a program). gorelink rebuild
 * --trust-build-flags skips this. */
int gr_rebuild_refuse_flags(const struct gr_rebuild_info *bi, struct gr_error *err);

/* Fetch the main module at its version with go (go mod download), copy it
 * into a new temporary directory under tmpdir (NULL or "": /tmp; the CLI
 * passes $TMPDIR), pin
 * every dependency to its recorded version and replacement (go mod edit), and
 * work out the go build flags and environment. GR_REBUILD_EFETCH, GR_ENOMEM. */
int gr_rebuild_prepare(const struct gr_rebuild_info *bi, const char *go, const char *tmpdir,
                       struct gr_rebuild_plan *p, struct gr_error *err);

/* NULL when go install PATH@VERSION rebuilds what bi records: every
 * dependency, none replaced, at the version the module's own build list
 * selects (buildlist: go list -m -f '{{.Path}} {{.Version}}' all in the
 * unmodified copy, one "PATH VERSION" line each), no replace or exclude
 * directive in its go.mod (gomod_json: go mod edit -json; go install
 * PATH@VERSION refuses those), and GOOS/GOARCH recorded as the host's
 * (go install refuses a cross build into GOBIN). Otherwise why not, in the
 * arena ("out of memory" when that fails). */
const char *gr_rebuild_install_why_not(const struct gr_rebuild_info *bi, const char *buildlist,
                                       const char *gomod_json, const char *hostos, const char *hostarch,
                                       struct gr_arena *a);

/* Remove the plan's temporary directory and free it. */
void gr_rebuild_plan_free(struct gr_rebuild_plan *p);

/* List every difference between old and new build info into *d (*n of
 * them, arena-allocated), each classed; fetched_sum is the plan's, copy_why
 * its reason for a go build of the copy (NULL: go install, or unknown);
 * preset_tags: a preset was asked for, so tags added to -tags are its own
 * (kind "preset") rather than unexpected. */
int gr_rebuild_compare(const struct gr_rebuild_info *old, const struct gr_rebuild_info *new,
                       const char *fetched_sum, const char *copy_why, bool preset_tags, struct gr_arena *a,
                       struct gr_rebuild_diff **d, size_t *n, struct gr_error *err);

/* Whether any difference is of kind "unexpected". */
bool gr_rebuild_unexpected(const struct gr_rebuild_diff *d, size_t n);

/* Go's quoted build-setting value (strconv.Quote or backquotes) unquoted into
 * the arena; a value without quotes is copied. NULL when out of memory. */
char *gr_rebuild_unquote(struct gr_arena *a, const char *s);

#endif
