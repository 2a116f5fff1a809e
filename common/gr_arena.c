#include "gr_arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GR_ARENA_BLOCK 4096

struct gr_arena_block {
	struct gr_arena_block *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

void
gr_arena_init(struct gr_arena *a)
{
	a->head = NULL;
}

void
gr_arena_deinit(struct gr_arena *a)
{
	struct gr_arena_block *b, *next;

	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

void *
gr_arena_alloc(struct gr_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct gr_arena_block *b = a->head;
	size_t off, cap;

	if (n > SIZE_MAX - align - sizeof(*b))
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	if (!b || b->cap - b->used < n) {
		cap = n > GR_ARENA_BLOCK ? n : GR_ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	off = b->used;
	b->used += n;
	memset(b->data + off, 0, n);
	return b->data + off;
}

char *
gr_arena_strndup(struct gr_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = gr_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
gr_arena_strdup(struct gr_arena *a, const char *s)
{
	return gr_arena_strndup(a, s, strlen(s));
}

char *
gr_arena_printf(struct gr_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = gr_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

bool
gr_arena_grow(struct gr_arena *a, void **arr, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *grown;

	if (cap && n < *cap)
		return true;
	ncap = !cap ? n + 1 : *cap ? *cap * 2 : 8;
	if (ncap <= n || ncap > SIZE_MAX / elem)
		return false;
	if (!(grown = gr_arena_alloc(a, ncap * elem)))
		return false;
	if (n)
		memcpy(grown, *arr, n * elem);
	*arr = grown;
	if (cap)
		*cap = ncap;
	return true;
}
