#include "gr_hash.h"

#include <string.h>

uint64_t
gr_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

uint64_t
gr_hash_str(const char *s)
{
	return gr_hash_bytes(GR_HASH_INIT, s, strlen(s));
}
