/* gr_uptodate: the record that lets a build whose OUT is already what it would produce skip the link. */
#ifndef GR_UPTODATE_H
#define GR_UPTODATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

/* The cache kind the records are kept under (in gorelink's cache, gr_cache). */
#define GR_UPTODATE_KIND "uptodate"

/* The record's key (64 hex digits and a NUL): the SHA-256 of gorelink's own
 * inputs (opts, n bytes: mode, options, link state, environment, version)
 * and of OUT's content hash (out_hash, 64 hex digits). */
void gr_uptodate_key(const char *opts, size_t n, const char *out_hash, char key[65]);

/* The identity of path in buf: "DEV INO SIZE MTIME_NS CTIME_NS MODE" of what
 * stat follows it to, or "absent" (a directory or archive that appears later
 * changes what the link would find). */
void gr_uptodate_ident(const char *path, char *buf, size_t n);

/* Store the record for key: each of paths with its identity now, and the link
 * report text (len bytes) of the build that produced OUT. A path holding a
 * TAB or a newline makes no record (GR_OK, nothing stored). */
int gr_uptodate_record(const struct gr_env *env, const char *key, const struct gr_strvec *paths,
                       const char *report, size_t len, struct gr_error *err);

/* The record for key, when there is one and every path in it still has the
 * identity it had: GR_OK and *report (malloc'd, NUL-terminated, *len bytes),
 * the link report recorded; else GR_ENOTFOUND (*why, when not NULL, names
 * the first changed path, malloc'd). */
int gr_uptodate_lookup(const struct gr_env *env, const char *key, char **report, size_t *len, char **why);

/* Copy the file from to a new file to (created, not replaced) with mode:
 * 0, or -1 (errno) with nothing left at to. */
int gr_uptodate_copy(const char *from, const char *to, mode_t mode);

#endif
