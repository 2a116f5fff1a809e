/* gr_gocache: the mark that keys gorelink's cgo packages apart in Go's build cache. */
#ifndef GR_GOCACHE_H
#define GR_GOCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

/* cmd/go keys a cgo package on its files, CC and CGO_CPPFLAGS/CFLAGS/LDFLAGS,
 * but not on PKG_CONFIG nor on what pkg-config answers. gorelink's go build
 * therefore gets CGO_CPPFLAGS="USER'S -DGORELINK_PKGCONFIG=KEY", where KEY
 * digests everything gorelink-pkg-config's answers depend on: an unused macro
 * changes no object, but a different KEY is a different cache entry. */

/* What gorelink-pkg-config does to pkg-config's answers (today: --static on
 * every --libs query); a change of it must change this number. */
#define GR_GOCACHE_REWRITE 1

/* The macro defined in CGO_CPPFLAGS. */
#define GR_GOCACHE_MACRO "GORELINK_PKGCONFIG"

/* Hex digits in a key (128 bits of SHA-256). */
#define GR_GOCACHE_KEYLEN 32

/* What a key read. */
struct gr_gocache_stats {
	size_t dirs;        /* search directories */
	size_t files;       /* .pc files read */
	long long bytes;    /* their total size */
};

/* The program's own search list: `PKGCONFIG... --variable pc_path pkg-config`
 * run with envp, kept in gorelink's cache (env's) by the program's path and
 * file identity, its words and envp's PKG_CONFIG_* variables; *out is
 * malloc'd, "" when the program fails or is missing. */
int gr_gocache_pc_path(const struct gr_env *env, char *const *pkgconfig, char *const *envp, char **out,
                       struct gr_error *err);

/* The directories pkg-config searches, in order, appended to dirs:
 * PKG_CONFIG_PATH's, then PKG_CONFIG_LIBDIR's when it is set, else pc_path's. */
int gr_gocache_search_dirs(char *const *envp, const char *pc_path, struct gr_strvec *dirs,
                           struct gr_error *err);

/* The key (GR_GOCACHE_KEYLEN hex digits and a NUL) of: GR_GOCACHE_REWRITE,
 * the pkg-config words and the program they name (found with path), every
 * PKG_CONFIG_* variable of envp (sorted), and each search directory with the
 * name, size and content of every .pc file in it (content, not times: the
 * same files give the same key on every machine and every run). st may be NULL. */
int gr_gocache_key(char *const *pkgconfig, const char *path, char *const *envp, const char *pc_path,
                   char key[GR_GOCACHE_KEYLEN + 1], struct gr_gocache_stats *st, struct gr_error *err);

/* gr_gocache_key, remembered in gorelink's cache (env's; kind "pc-key") by
 * the same inputs with each search directory's and .pc file's identity
 * (device, inode, size, modification and change times: any write changes
 * the change time) in place of the file's content: a build whose .pc files
 * are as before reads none of them. Stored only when no directory or file
 * changed in the last 2 seconds (a change within one clock tick could keep
 * its times); the same key and st as gr_gocache_key. */
int gr_gocache_key_cached(const struct gr_env *env, char *const *pkgconfig, const char *path, char *const *envp,
                          const char *pc_path, char key[GR_GOCACHE_KEYLEN + 1], struct gr_gocache_stats *st,
                          struct gr_error *err);

/* The CGO_CPPFLAGS value: user (go env CGO_CPPFLAGS, may be NULL or "") with
 * -DGORELINK_PKGCONFIG=key appended; malloc'd, NULL when out of memory. */
char *gr_gocache_cppflags(const char *user, const char *key);

/* go env's answers, kept in gorelink's cache (kind GR_GOCACHE_GOENV_KIND) so
 * that a build whose inputs are unchanged (a no-op above all) runs no go env.
 * A change of what a key holds or an entry means must change the version. */
#define GR_GOCACHE_GOENV_KIND "goenv"
#define GR_GOCACHE_GOENV_VERSION 1

/* The cache key (malloc'd) of the command argv (argv[0] the go command, found
 * with env's PATH; then "env" and the names asked for) run with envp in the
 * current directory: gr_modgraph_cache_key's inputs (the go program's path
 * and file identity, the words, the directory, the GO* variables, the go env
 * file's content, the main module's go.mod, go.sum, vendor/modules.txt and
 * replaced go.mod files: a toolchain switch), every other variable of envp
 * (PATH too: cgo's default follows whether CC is found) but gorelink's own
 * and what shells change between runs, and the content of GOROOT's go.env
 * (beside the real go program's bin directory, and in $GOROOT), all in a
 * SHA-256. NULL (do not cache) where gr_modgraph_cache_key gives none (no
 * main module, a go.work, -modfile), where its key is racy (the go program
 * changed in the last 2 seconds), where the go program's real path is no
 * ELF executable named go (a script or a shim may run another GOROOT's go),
 * or out of memory. */
char *gr_gocache_goenv_key(const struct gr_env *env, const char *const *argv, char *const *envp);

/* The answer stored for key: true and *out (malloc'd, NUL-terminated, *len
 * bytes) as go env printed it; false when there is none. */
bool gr_gocache_goenv_get(const struct gr_env *env, const char *key, char **out, size_t *len);

/* Store go env's answer (out, len bytes) for key; a failure only costs the
 * next build a go env. The caller stores only answers it accepted. */
void gr_gocache_goenv_put(const struct gr_env *env, const char *key, const char *out, size_t len);

/* The SHA-256 of data (n bytes) in 64 hex digits and a NUL. */
void gr_gocache_sha256(const void *data, size_t n, char hex[65]);

/* The SHA-256 of a file's content in hex: 0, or -1 (errno) when unreadable. */
int gr_gocache_sha256_file(const char *path, char hex[65]);

/* Tests: on, the SHA-256 above uses the portable rounds even where the CPU
 * has the SHA extensions (which it uses by default: the same digests). */
void gr_gocache_sha256_portable(bool on);

#endif
