/* gr_arena: a bump allocator whose blocks are all freed at once. */
#ifndef GR_ARENA_H
#define GR_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct gr_arena_block;

struct gr_arena {
	struct gr_arena_block *head;  /* newest block first */
};

/* Initialise an empty arena (no allocation happens yet). */
void gr_arena_init(struct gr_arena *a);

/* Free every block of the arena; it can be reused afterwards. */
void gr_arena_deinit(struct gr_arena *a);

/* Allocate n zeroed bytes aligned for any type; NULL when memory runs out. */
void *gr_arena_alloc(struct gr_arena *a, size_t n);

/* Make room in *arr (n used of *cap elements of size elem) for one more: a copy
 * twice as large in the arena when full. cap NULL: *arr holds exactly n, and
 * always becomes a copy of n + 1 (for arrays that keep no capacity, or whose old
 * copy others may still see). false when out of memory; *arr and *cap are then
 * unchanged. */
bool gr_arena_grow(struct gr_arena *a, void **arr, size_t n, size_t *cap, size_t elem);

/* Copy n bytes of s plus a terminating NUL into the arena; NULL on failure. */
char *gr_arena_strndup(struct gr_arena *a, const char *s, size_t n);

/* Copy a NUL-terminated string into the arena; NULL on failure. */
char *gr_arena_strdup(struct gr_arena *a, const char *s);

/* Format a string into the arena (printf-style); NULL on failure. */
char *gr_arena_printf(struct gr_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
