/* gr_uptodate: the record that lets a build whose OUT is already what it would produce skip the link. */
#ifndef GR_UPTODATE_H
#define GR_UPTODATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

/* The cache kind the records are kept under (in gorelink's cache, gr_cache). */
#define GR_UPTODATE_KIND "uptodate"

/* The record's key (64 hex digits and a NUL): the SHA-256 of gorelink's own
 * inputs (opts, n bytes: OUT's path, mode, options, link state, environment,
 * version): GR_OK, or GR_ENOMEM (no key: neither look up nor record). */
int gr_uptodate_key(const char *opts, size_t n, char key[65]);

/* The identity of path in buf: "DEV INO SIZE MTIME CTIME MODE" (times in
 * ns) of what stat follows it to, or "absent" (a directory or archive that
 * appears later changes what the link would find); *ctime_ns gets the change
 * time (0 when absent), when not NULL. */
void gr_uptodate_ident(const char *path, char *buf, size_t n, int64_t *ctime_ns);

/* The time now (CLOCK_REALTIME), in ns since the epoch. */
int64_t gr_uptodate_now(void);

/* Store the record for key: OUT with its identity now and its content hash
 * (out_hash, 64 hex digits), each of paths with its identity now, and the
 * link report text (len bytes) of the build that produced OUT. Nothing is
 * stored (GR_OK) when a path cannot be recorded (a TAB or a newline in it,
 * unreadable) or changed since started (ns, before go build ran) or too close
 * to it to tell: its identity might not be what the link read. */
int gr_uptodate_record(const struct gr_env *env, const char *key, const char *out, const char *out_hash,
                       const struct gr_strvec *paths, int64_t started, const char *report, size_t len,
                       struct gr_error *err);

/* The record for key, when there is one, OUT is still what it recorded (by
 * identity, or by content when the identity is too recent to tell: then the
 * record is written again, so the next lookup need not hash) and every path
 * in it still has the identity it had: GR_OK and *report (malloc'd,
 * NUL-terminated, *len bytes), the link report recorded; else GR_ENOTFOUND
 * (*why, when not NULL, names the first changed path, malloc'd). */
int gr_uptodate_lookup(const struct gr_env *env, const char *key, const char *out, char **report, size_t *len,
                       char **why);

/* Copy the file from to a new file to (created, not replaced) with mode:
 * 0, or -1 (errno) with nothing left at to. */
int gr_uptodate_copy(const char *from, const char *to, mode_t mode);

/* A stand-in of the ELF file from for go build's up-to-date check, which
 * reads only the build ID note (cmd/internal/buildid: the first 32 KiB and
 * the PT_NOTE segments): a new file to (created, not replaced) with mode and
 * from's size, holding from's bytes up to the end of its program headers, of
 * every PT_NOTE segment and of the first 64 KiB, the rest a hole (never read
 * as a binary: go links a new file when it is not up to date). 0, or -1
 * (errno; EINVAL: not an ELF file whose headers and notes lie in its first
 * MiB) with nothing left at to. */
int gr_uptodate_standin(const char *from, const char *to, mode_t mode);

/* The output cache: the binaries builds produced, by their content hash (in
 * gorelink's cache, directory GR_UPTODATE_BIN_DIR), with a record (kind
 * GR_UPTODATE_BIN_KIND) keyed by a build's inputs but OUT's path, holding the
 * binary's hash, the paths with their identities and the link report, as the
 * no-op record does. A build with a new OUT starts from the binary and lets
 * go build judge Go's inputs by its build ID. */
#define GR_UPTODATE_BIN_KIND "outcache"
#define GR_UPTODATE_BIN_DIR "outcache-bin"
/* The output cache's default bound, in MiB (GORELINK_OUTPUT_CACHE_MAX). */
#define GR_UPTODATE_BIN_MAX_DEFAULT 512

/* The bound in bytes the binaries may hold, from GORELINK_OUTPUT_CACHE_MAX's
 * value (MiB; NULL, empty or not a number: the default): 0 turns the cache off. */
uint64_t gr_uptodate_bin_max(const char *value);

/* Store the output cache's record for key: the binary's hash (bin_hash, 64
 * hex digits), paths and report as gr_uptodate_record does (nothing stored
 * for a path changed since started, or that cannot be recorded). */
int gr_uptodate_bin_record(const struct gr_env *env, const char *key, const char *bin_hash,
                           const struct gr_strvec *paths, int64_t started, const char *report, size_t len,
                           struct gr_error *err);

/* The output cache's record for key, when every path in it still has its
 * identity: GR_OK, bin_hash (the binary's content hash) and *report
 * (malloc'd, *len bytes); else GR_ENOTFOUND (*why as gr_uptodate_lookup). */
int gr_uptodate_bin_lookup(const struct gr_env *env, const char *key, char bin_hash[65], char **report, size_t *len,
                           char **why);

/* Put the file from (whose content hash is bin_hash) into the output cache
 * (atomically: a copy renamed into place), or mark it used when it is there,
 * then remove the least recently used binaries beyond max bytes (0: nothing
 * is stored), never this one: GR_OK, GR_ENOTFOUND when from is larger than
 * max (not kept), or GR_EIO with err set. */
int gr_uptodate_bin_put(const struct gr_env *env, const char *from, const char *bin_hash, uint64_t max,
                        struct gr_error *err);

/* Copy the cached binary bin_hash to a new file to with mode, verified by
 * its content (a changed one is removed from the cache, not used), and mark
 * it used: 0, or -1 with nothing left at to. */
int gr_uptodate_bin_get(const struct gr_env *env, const char *bin_hash, const char *to, mode_t mode);

#endif
