/* gr_floorref: which inputs of a link refer to the symbols whose versions are
 * above a --max-version limit: archive members (the symbol index's per-member
 * data), go.o, the cgo objects of Go packages (cmd/link's host objects, named
 * by their C source files), other objects, and the C toolchain's own start-up
 * objects and archives (crt1.o, libgcc.a). */
#ifndef GR_FLOORREF_H
#define GR_FLOORREF_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_elfver.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_records.h"
#include "gr_strvec.h"

/* After a successful final link (argv: the compiler command, its -o naming
 * the output): for every symbol the output needs in a version newer than
 * max[0..nmax) allows (not weak), record (gr_link_report_add_floorref) each
 * input that refers to it. Objects of cmd/link's directory: go.o is kind
 * "go", the numbered host objects kind "cgo" (member: the object's C source
 * file, sources: those of its package's objects, for gr_floorref_resolve).
 * The toolchain's objects are found by running the link with -### once.
 * GR_OK also when the output needs nothing too new; GR_ENOMEM. */
int gr_floorref_scan(const struct gr_env *env, char *const *argv, size_t argc, const struct gr_vermax *max,
                     size_t nmax, struct gr_link_report *rep, struct gr_error *err);

/* Fill package and module of rep's "cgo" references from the answer of
 * `go list -deps -f GR_FLOORREF_GOLIST_FORMAT` (text): the package whose C,
 * assembler or cgo files hold the object's source file, the one sharing most
 * of its package's files when several do. GR_ENOMEM. */
int gr_floorref_resolve(struct gr_link_report *rep, const char *text, struct gr_error *err);

/* The go list -deps template gr_floorref_resolve reads: for a package with
 * cgo or C files, "IMPORTPATH\tMODULE\tFILES" (FILES space-separated: its
 * CgoFiles, CFiles, CXXFiles, SFiles, MFiles, FFiles, HFiles); else nothing. */
#define GR_FLOORREF_GOLIST_FORMAT                                                                  \
	"{{if or .CgoFiles .CFiles .CXXFiles .SFiles}}{{.ImportPath}}\t{{with .Module}}{{.Path}}{{end}}\t" \
	"{{join .CgoFiles \" \"}} {{join .CFiles \" \"}} {{join .CXXFiles \" \"}} {{join .SFiles \" \"}} "   \
	"{{join .MFiles \" \"}} {{join .FFiles \" \"}}{{end}}"

/* How a reference is shown: "libx.a(one.o)", "Go package example.com/m/sub
 * (module example.com/m, sub.cgo2.c)", "Go code (go.o)", "the C toolchain's
 * /usr/lib/x86_64-linux-gnu/crt1.o (libc6-dev)"; into buf (n bytes). */
const char *gr_floorref_text(const struct gr_rec_floorref *f, char *buf, size_t n);

#endif
