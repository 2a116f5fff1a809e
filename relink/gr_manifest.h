/* gr_manifest: what the final link really loaded (archives and their members,
 * objects), where each archive comes from (Debian package, pkg-config package,
 * licence, checksum) and the Go side (build info), with a compact, versioned,
 * deterministic text form for embedding (docs/sbom.md). */
#ifndef GR_MANIFEST_H
#define GR_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_dpkg.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

struct gr_link_report;
struct gr_embed_manifest;

/* The first line of the compact form. */
#define GR_MANIFEST_FORMAT "gorelink-manifest/1"

/* An archive the link took members from. Absent strings are NULL. */
struct gr_manifest_archive {
	const char *path;         /* the archive, tidied lexically ("/usr/lib/x86_64-linux-gnu/libz.a") */
	const char *sha256;       /* hex digest of its content, or NULL when it could not be read */
	const char **members;     /* the members the link pulled, sorted bytewise, each once */
	size_t nmembers, cmembers;
	const char *deb_package;  /* dpkg's binary:Package ("zlib1g-dev:amd64"), or NULL */
	const char *deb_version;  /* its Version */
	const char *deb_source;   /* its Source package ("zlib") */
	const char *pc_package;   /* the pkg-config package whose Libs name it ("zlib"), or NULL */
	const char *pc_version;   /* that .pc file's Version, or NULL */
	const char *licence;      /* an SPDX license expression, or "NOASSERTION" */
	const char *licence_from; /* where it was read (the .pc or copyright file), or NULL */
	const char *module;       /* the Go module whose C code it holds (rare: an archive in a module), or NULL */
};

/* An object file of the link (cmd/link's go.o, cgo's numbered objects, crt files...). */
struct gr_manifest_object {
	const char *name;         /* an object of go build's temporary link directory: its base name
	                             ("go.o", "000001.o"); any other: its path, tidied */
	const char *sha256;       /* hex digest, or NULL */
	const char *module;       /* the Go module whose C code it was compiled from, or NULL */
	const char *source;       /* the C file it was compiled from (its STT_FILE symbol), or NULL */
	const char *deb_package;  /* the Debian package owning it (crt1.o: libc6-dev), or NULL */
	const char *deb_version;
};

/* A Go module of the build info. */
struct gr_manifest_gomod {
	const char *path;
	const char *version;      /* "(devel)" for a main module built from its tree */
	const char *sum;          /* "h1:...", or NULL */
	const char *replace;      /* "PATH VERSION" (or a directory) of a => line, or NULL */
	const char *replace_sum;  /* the replacement's sum, or NULL */
};

struct gr_manifest {
	struct gr_arena arena;             /* owns every string and array */
	const char *linker;                /* "bfd", "gold", "lld", "mold", or NULL: not known */
	const char *created;               /* the SBOMs' creation time, "YYYY-MM-DDTHH:MM:SSZ" from
	                                      SOURCE_DATE_EPOCH, or NULL: from the build info's vcs.time, else 1970 */
	struct gr_manifest_archive *archives; /* sorted by path */
	size_t narchives, carchives;
	struct gr_manifest_object *objects;   /* sorted by name */
	size_t nobjects, cobjects;
	const char **shared;               /* shared libraries the link loaded (kept dynamic), sorted */
	size_t nshared, cshared;
	const char *go_version;            /* "go1.22.1", or NULL: no Go side */
	const char *go_path;               /* the main package path */
	struct gr_manifest_gomod main;     /* the main module (path NULL: none) */
	struct gr_manifest_gomod *deps;    /* dependencies, sorted by path */
	size_t ndeps, cdeps;
	const char **settings;             /* "KEY=VALUE" build settings, in build-info order */
	size_t nsettings, csettings;
};

/* The kinds of a loaded input (link report record "loaded"). */
enum gr_manifest_kind {
	GR_MANIFEST_OBJECT,  /* an object file */
	GR_MANIFEST_MEMBER,  /* a member of an archive */
	GR_MANIFEST_SHARED,  /* a shared library */
};

/* Initialise an empty manifest. */
void gr_manifest_init(struct gr_manifest *m);

/* Free everything m holds; it can be reused after gr_manifest_init. */
void gr_manifest_deinit(struct gr_manifest *m);

/* Add an input the link loaded: an object (path, and for it sha256, module and
 * source as known, else NULL), an archive's member (path the archive, member its
 * name) or a shared library (path). Repeats are merged. GR_OK or GR_ENOMEM. */
int gr_manifest_add(struct gr_manifest *m, enum gr_manifest_kind kind, const char *path, const char *member,
                    const char *sha256, const char *module, const char *source);

/* Set created from a SOURCE_DATE_EPOCH value (decimal seconds); GR_EUSAGE when it is not one. */
int gr_manifest_set_epoch(struct gr_manifest *m, const char *epoch, struct gr_error *err);

/* The SBOMs' creation time: created, else the vcs.time build setting, else
 * "1970-01-01T00:00:00Z" (never the clock: the same inputs give the same bytes). */
const char *gr_manifest_created(const struct gr_manifest *m);

/* Fill in, for each archive and object, what the files say: the checksum
 * (when not given), the Debian package and version (db, may be NULL), the
 * pkg-config package whose Libs name the archive and its version and License
 * (env's pkg-config search path; env may be NULL: none), and the licence
 * (gr_manifest_licence). GR_ENOMEM only: what cannot be read stays NULL. */
int gr_manifest_resolve(struct gr_manifest *m, const struct gr_env *env, const struct gr_dpkg *db,
                        struct gr_error *err);

/* The version of the cache entries gr_manifest_resolve_cached keeps (cache kind
 * "manifest"); a change of what an entry holds must change this number. */
#define GR_MANIFEST_CACHE_VERSION 1

/* gr_manifest_resolve with the answers kept in gorelink's cache (kind
 * "manifest"), keyed by each file's path and identity (inode, size, mtime,
 * ctime), dpkg's status file's identity (admindir NULL: /var/lib/dpkg) and
 * salt (the digest of the pkg-config search path's .pc files); dpkg's
 * database (and the .pc index) are read only when an answer is not cached. */
int gr_manifest_resolve_cached(struct gr_manifest *m, const struct gr_env *env, const char *admindir,
                               const char *salt, struct gr_error *err);

/* The Go side from `go version -m FILE` output or the raw module info string
 * (lines "path", "mod", "dep", "=>", "build"; the go version from the first
 * line "FILE: go1.x" or go_version when not NULL). GR_ENOMEM only. */
int gr_manifest_set_go(struct gr_manifest *m, const char *text, const char *go_version, struct gr_error *err);

/* The Go side read from the Go binary at path itself (its .go.buildinfo blob,
 * Go 1.18 and later: what go version -m prints): GR_OK also when it holds
 * none; GR_EIO when unreadable, GR_ENOMEM. */
int gr_manifest_read_go(struct gr_manifest *m, const char *path, struct gr_error *err);

/* The module info text of the Go binary at path (its .go.buildinfo blob, as
 * gr_manifest_read_go reads it: the lines go version -m prints, without their
 * leading tab): *text malloc'd, NULL when the file holds none. GR_OK, GR_EIO
 * when unreadable, GR_ENOMEM. */
int gr_manifest_go_modinfo(const char *path, char **text, struct gr_error *err);

/* The licence of a Debian package from its copyright file
 * (root "/usr/share/doc" when NULL; root/PKG/copyright, PKG without ":arch"):
 * the DEP-5 License: of the Files: stanza that covers file_hint (a base name
 * such as "libz.a" matched against the Files: patterns; NULL: the "Files: *"
 * stanza), else of the first Files: stanza, else of the header; as an SPDX
 * expression (gr_manifest_spdx), arena-allocated; "NOASSERTION" when
 * unknown. *from is the file read, or NULL. */
const char *gr_manifest_deb_licence(struct gr_arena *a, const char *root, const char *pkg, const char *file_hint,
                                    const char **from);

/* A DEP-5 or .pc licence expression with the names SPDX knows for certain
 * mapped to SPDX ids ("GPL-2+" -> "GPL-2.0-or-later", "Zlib", "public-domain" ->
 * "LicenseRef-public-domain", "and"/"or" -> "AND"/"OR"; an unknown name
 * becomes "LicenseRef-NAME" with characters outside [A-Za-z0-9.-] as '-').
 * Arena-allocated; NULL when out of memory. */
const char *gr_manifest_spdx(struct gr_arena *a, const char *expr);

/* Whether the SPDX expression expr matches the denied one deny: deny is an
 * id (or "id WITH exception"), matched case-insensitively against every id
 * of expr wherever it stands (inside AND, OR, WITH and parentheses); a deny
 * expression with AND/OR matches when each of its ids matches (docs/sbom.md). */
bool gr_manifest_licence_matches(const char *expr, const char *deny);

/* The compact form: GR_MANIFEST_FORMAT on the first line, then one record a
 * line (docs/sbom.md), sorted, no time stamps or build directories: the same
 * manifest always gives the same bytes. *out malloc'd (NUL-terminated, *len
 * bytes before the NUL). GR_OK or GR_ENOMEM. */
int gr_manifest_compact(const struct gr_manifest *m, char **out, size_t *len, struct gr_error *err);

/* Read a compact form back into m (initialised here; deinit it also after an
 * error). GR_EFORMAT, naming the line, for another version, an unknown record,
 * a wrong number of fields or a truncated text. */
int gr_manifest_parse(const char *text, size_t len, struct gr_manifest *m, struct gr_error *err);

/* Build m (initialised here; deinit it also after an error) from what a
 * final link reported (gr_ldtrace's "traced" and "loaded" records in l): the
 * linker, each input; created from epoch (SOURCE_DATE_EPOCH, or NULL); an
 * archive inside a Go module's directory attributed to it (modules: the link
 * state's triples, path, directory, remedy); the Go side read from binary (the
 * link's output, NULL: none); packages and licences (gr_manifest_resolve_cached
 * with env and salt). The one construction both the driver and gorelink-ld
 * use. GR_EUSAGE: epoch is not one; GR_EIO: binary unreadable; GR_ENOMEM. */
int gr_manifest_from_link(struct gr_manifest *m, const struct gr_link_report *l, const char *epoch,
                          const struct gr_strvec *modules, const char *binary, const struct gr_env *env,
                          const char *salt, struct gr_error *err);

/* The payload a binary carries (check/gr_embed, docs/sbom.md): one JSON object,
 * "format" GR_MANIFEST_FORMAT, the manifest's records as JSON members for
 * readers ("linker", "go", "archives" with their "members", "objects", ...),
 * and "compact": the compact form itself (gr_manifest_compact), which
 * gr_manifest_from_embed reads back. *out malloc'd, *len bytes. GR_OK or GR_ENOMEM. */
int gr_manifest_embed_json(const struct gr_manifest *m, char **out, size_t *len, struct gr_error *err);

/* Read the manifest of a payload gr_embed read back (its "compact" member,
 * gr_manifest_parse) into m (initialised here; deinit it also after an error).
 * GR_EFORMAT: another format, no "compact" member, or a corrupt one. */
int gr_manifest_from_embed(const struct gr_embed_manifest *em, struct gr_manifest *m, struct gr_error *err);

#endif
