/* gr_cmd_checkver: the symbol-version floor in `gorelink check` and the build:
 * its options, its JSON member and its plain-text lines. */
#ifndef GR_CMD_CHECKVER_H
#define GR_CMD_CHECKVER_H

#include <stdbool.h>
#include <stdio.h>

#include "gr_arena.h"
#include "gr_env.h"
#include "gr_check.h"
#include "gr_elfver.h"
#include "gr_json.h"
#include "gr_records.h"

/* Add a --max-version NAME (glibc false) or --glibc X.Y (glibc true) limit to
 * max[0..*nmax) (room for one more is the caller's); strings go to a. On a
 * usage error, writes a diagnostic naming opt to err and returns false. */
bool gr_checkver_add_max(struct gr_vermax *max, size_t *nmax, const char *arg, bool glibc,
                         struct gr_arena *a, const char *opt, FILE *err);

/* Write the "versions" member of an image object (null when vi is NULL). */
void gr_checkver_json(struct gr_json *j, const struct gr_verinfo *vi);

/* Print, per needed library, the highest version of each family and the
 * symbols that set it: "  versions: libc.so.6 GLIBC_2.34 (...)" lines, each
 * ending in NUL (as gr_cmd_check's escaped printing wants). */
void gr_checkver_print(FILE *f, const struct gr_verinfo *vi);

/* For a build that failed --max-version: name, on err, the linked archives
 * whose members refer to each too-new symbol (from their own symbol tables,
 * relink/gr_symindex); symbols no archive refers to come from the Go
 * program's own cgo objects or the C runtime. */
void gr_checkver_sources(FILE *err, const struct gr_report *r, const struct gr_vermax *max,
                         size_t nmax, const char *const *archives, size_t narchives,
                         const struct gr_env *env);

/* For a build that failed --max-version, when the link wrapper named who
 * refers to the too-new symbols (link->floorrefs, relink/gr_floorref): one
 * line a symbol on err, "SYM (VERSION) is referred to by: PLACE; PLACE",
 * each archive(member), Go package, go.o and C toolchain file; symbols no
 * input was found to refer to said too. */
void gr_checkver_refs(FILE *err, const struct gr_report *r, const struct gr_vermax *max, size_t nmax,
                      const struct gr_link_report *link);

/* The "version_refs" member of the build's JSON report (null when the link
 * wrapper recorded none): every reference to a too-new symbol. */
void gr_checkver_refs_json(struct gr_json *j, const struct gr_link_report *link);

#endif
