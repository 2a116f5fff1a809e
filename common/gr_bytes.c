#include "gr_bytes.h"

uint64_t
gr_bytes_get(const unsigned char *p, int n, bool be)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

void
gr_bytes_put(unsigned char *p, uint64_t v, int n, bool be)
{
	int i;

	for (i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}
