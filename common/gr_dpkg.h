/* gr_dpkg: which Debian package owns a file, read from dpkg's database files directly. */
#ifndef GR_DPKG_H
#define GR_DPKG_H

#include <stdbool.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_kv.h"

/* One installed package as dpkg names it. */
struct gr_dpkg_pkg {
	const char *name;     /* binary:Package: "zlib1g-dev:amd64" (Multi-Arch: same) or "make" */
	const char *package;  /* the name without ":arch": "zlib1g-dev" */
	const char *arch;     /* Architecture field: "amd64", "all"; "" when unknown */
	const char *version;  /* Version field: "1:1.2.13.dfsg-1"; "" when status has none */
	const char *source;   /* Source package name (without "(version)"), else package */
};

struct gr_dpkg;

/* Load the database under admindir (NULL: /var/lib/dpkg): info/ *.list, status and
 * diversions, indexed once; the caller keeps the handle for the process. A missing
 * admindir or info/ gives an empty database (not an error: not a Debian system);
 * GR_ENOMEM, GR_EIO on a read error, GR_EFORMAT on a list file too large. */
int gr_dpkg_open(const char *admindir, struct gr_dpkg **out, struct gr_error *err);

/* gr_dpkg_open through an index kept in env's cache directory ("dpkg-index",
 * keyed by gr_dpkg_key, which changes with every package operation dpkg
 * makes; written after a load unless status, diversions or info/ changed in
 * the last 2 seconds): the same answers, without reading every list. An
 * answer the index gives is checked against the owning package's list; when
 * the index cannot answer alone the database is loaded then. A path added to
 * a list by editing it in place (not dpkg's way) is not seen until the next
 * package operation. env NULL or no cache directory: gr_dpkg_open. */
int gr_dpkg_open_cached(const struct gr_env *env, const char *admindir, struct gr_dpkg **out,
                        struct gr_error *err);

/* Whether db answers from an index read from the cache (for tests). */
bool gr_dpkg_indexed(const struct gr_dpkg *db);

/* The gr_dpkg_key of db's database (the text after any prefix) taken just
 * before it was loaded: while a gr_dpkg_key taken now is the same, db's
 * answers are the database's. NULL when out of memory then (or db NULL). */
const char *gr_dpkg_loaded_key(const struct gr_dpkg *db);

/* GR_OK, or the error (copied to err unless NULL) of a load an answer needed
 * that failed: an indexed db loads the whole database when the index cannot
 * answer alone, and when that fails (out of memory, a list unreadable) its
 * answers since may be NULL where a package owns the path. Kept for the handle. */
int gr_dpkg_error(const struct gr_dpkg *db, struct gr_error *err);

/* Free a database from gr_dpkg_open or gr_dpkg_open_cached (NULL is fine). */
void gr_dpkg_free(struct gr_dpkg *db);

/* Number of packages that have a file list (0: nothing known, e.g. not Debian). */
unsigned gr_dpkg_count(const struct gr_dpkg *db);

/* The package owning path, or NULL. path is tried as given (tidied lexically),
 * then with its merged-/usr alias (/usr/lib/X <-> /lib/X, also bin, sbin, lib32,
 * lib64, libx32), then through realpath() and that path's alias; a diverted file
 * (dpkg-divert's target) belongs to the package that owns the original path.
 * When several packages list the path (directories), the first by name wins. */
const struct gr_dpkg_pkg *gr_dpkg_owner(const struct gr_dpkg *db, const char *path);

/* The installed package called name ("zlib1g-dev" or "zlib1g-dev:amd64"), or NULL;
 * without ":arch" the first by name wins. */
const struct gr_dpkg_pkg *gr_dpkg_find(const struct gr_dpkg *db, const char *name);

/* The admindir dpkg itself would read, given the values of DPKG_ADMINDIR and
 * DPKG_ROOT (NULL: unset; the command line reads them): DPKG_ADMINDIR, else
 * DPKG_ROOT/var/lib/dpkg, else NULL (/var/lib/dpkg). malloc'd; the caller
 * frees it. NULL also when out of memory (then the default is read). */
char *gr_dpkg_admindir(const char *dpkg_admindir, const char *dpkg_root);

/* Append to key the identity of the database under admindir (NULL:
 * /var/lib/dpkg): its path and the device, inode, size, mtime and ctime of its
 * status and diversions files and of its info directory (dpkg replaces a
 * package's file list by rename, which changes the directory). Anything that
 * changes what gr_dpkg_open loads changes this key. */
void gr_dpkg_key(const char *admindir, struct gr_kvbuf *key);

#endif
