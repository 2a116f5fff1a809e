/* gr_kit: the LGPL relink kit (gorelink --relink-kit=DIR, docs/relink-kit.md):
 * the Go and cgo objects of the final link, the link command with its paths
 * made relative to the kit, the archives with their Debian packages, a relink
 * script and a README; staged in a private directory beside DIR and put in
 * place whole (or not at all) once the build succeeded. */
#ifndef GR_KIT_H
#define GR_KIT_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_error.h"

/* The kit's format name and version (its .gorelink-kit marker file and link.json "schema"). */
#define GR_KIT_SCHEMA "gorelink-relink-kit/1"

/* What the link wrapper knows about the final link. */
struct gr_kit_req {
	const char *dir;                 /* the staging directory (exists, empty) */
	const char *name;                /* the binary's file name (relink's default output), or NULL: "a.out" */
	const char *mode;                /* the link mode's name: "static", "static-pie", "third-party" */
	const char *const *argv;         /* the final link as it ran: compiler driver, flags, inputs */
	size_t nargv;
	const char *path;                /* PATH, to find the compiler; NULL: /usr/bin:/bin */
	const char *dpkg_admindir;       /* dpkg's database (NULL: /var/lib/dpkg) */
	const char *private_dir;         /* the build's private directory (go build's TMPDIR is in it):
	                                  * files there are named by their kit path only, or NULL */
};

/* Write the kit of rq->argv into rq->dir: obj/ (objects, copied), lib/
 * (archives no Debian package owns, copied), link.json (the argv, each input
 * by its kit path or package, sizes and SHA-256), archives.tsv, relink (a
 * POSIX sh script), README and the .gorelink-kit marker, written last.
 * Deterministic: the same link gives the same bytes. GR_EIO, GR_ENOMEM, or
 * GR_EUSAGE (a thin archive no package owns: its members are not in it). */
int gr_kit_write(const struct gr_kit_req *rq, struct gr_error *err);

/* After go build: compare the final binary with the linker's output the
 * wrapper left in staging and write the bytes that differ (the Go build ID's
 * content hash, go:fipsinfo's sum) to staging's postlink file, which relink
 * applies to a link of the same archives; the copy is removed. */
int gr_kit_postlink(const char *staging, const char *binary, struct gr_error *err);

/* Check that dir can receive a kit (absent, an empty directory, or a kit
 * gorelink wrote: it has the marker) and make the staging directory beside
 * it (DIR's parent, ".NAME.kit-XXXXXX"), malloc'd into *staging; *abs gets
 * dir made absolute (malloc'd). GR_EUSAGE when dir is something else. */
int gr_kit_prepare(const char *dir, char **abs, char **staging, struct gr_error *err);

/* Whether staging holds a complete kit (its marker). */
bool gr_kit_complete(const char *staging);

/* Put the complete kit at staging in place as dir: renamed there, or
 * exchanged with the kit already there (renameat2 RENAME_EXCHANGE, the old
 * kit then at staging: *old is true, remove it with gr_kit_remove once the
 * binary is in place, or gr_kit_install again to swap it back). */
int gr_kit_install(const char *staging, const char *dir, bool *old, struct gr_error *err);

/* Remove the directory tree at path (a staging directory); best effort. */
void gr_kit_remove(const char *path);

#endif
