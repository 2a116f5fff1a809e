/* gr_cache: gorelink's only state, a directory of small files that is safe to share. */
#ifndef GR_CACHE_H
#define GR_CACHE_H

#include <stddef.h>

#include "gr_env.h"
#include "gr_error.h"

/* The cache directory env names: GORELINK_CACHE_DIR (empty: no cache), else
 * XDG_CACHE_HOME/gorelink, else HOME/.cache/gorelink; malloc'd, or NULL. */
char *gr_cache_dir(const struct gr_env *env);

/* The entry stored for exactly key under kind: GR_OK and *data (malloc'd,
 * NUL-terminated), or GR_ENOTFOUND when absent, stale or unreadable. */
int gr_cache_get(const struct gr_env *env, const char *kind, const char *key, char **data,
                 size_t *len);

/* The most bytes of data an entry for key can hold: gr_cache_get refuses
 * files over 4 MiB (magic, key and data), and gr_cache_put does not write them. */
size_t gr_cache_room(const char *key);

/* Store data for key under kind; written to a temporary file in the same
 * directory and renamed, so concurrent readers see the old or the new entry.
 * GR_EUSAGE (nothing written) when len is over gr_cache_room(key). */
int gr_cache_put(const struct gr_env *env, const char *kind, const char *key, const char *data,
                 size_t len, struct gr_error *err);

#endif
