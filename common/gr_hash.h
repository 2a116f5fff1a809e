/* gr_hash: the 64-bit FNV-1a-style string hash of gorelink's in-memory tables and dpkg's index. */
#ifndef GR_HASH_H
#define GR_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The starting value (gorelink's since its first table; dpkg indexes in the
 * cache directory were written with it, so it stays). */
#define GR_HASH_INIT 1469598103934665603ULL

/* h with the n bytes at p folded in, one at a time (FNV-1a's step). */
uint64_t gr_hash_bytes(uint64_t h, const void *p, size_t n);

/* The hash of the NUL-terminated string s. */
uint64_t gr_hash_str(const char *s);

#endif
