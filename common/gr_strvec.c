#include "gr_strvec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gr_error.h"

void
gr_strvec_init(struct gr_strvec *sv)
{
	sv->v = NULL;
	sv->n = 0;
	sv->cap = 0;
}

void
gr_strvec_deinit(struct gr_strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	gr_strvec_init(sv);
}

/* Make room for one more string plus the NULL terminator. */
static int
gr_strvec_grow(struct gr_strvec *sv)
{
	char **grown;
	size_t ncap;

	if (sv->n + 2 <= sv->cap)
		return GR_OK;
	ncap = sv->cap ? sv->cap * 2 : 8;
	if (ncap < sv->cap || ncap > SIZE_MAX / sizeof(*grown))
		return GR_ENOMEM;
	grown = realloc(sv->v, ncap * sizeof(*grown));
	if (!grown)
		return GR_ENOMEM;
	sv->v = grown;
	sv->cap = ncap;
	return GR_OK;
}

int
gr_strvec_pushn(struct gr_strvec *sv, const char *s, size_t n)
{
	char *copy;

	if (gr_strvec_grow(sv) != GR_OK)
		return GR_ENOMEM;
	copy = malloc(n + 1);
	if (!copy)
		return GR_ENOMEM;
	memcpy(copy, s, n);
	copy[n] = '\0';
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return GR_OK;
}

int
gr_strvec_push(struct gr_strvec *sv, const char *s)
{
	return gr_strvec_pushn(sv, s, strlen(s));
}

int
gr_strvec_extend(struct gr_strvec *sv, const struct gr_strvec *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (gr_strvec_push(sv, src->v[i]) != GR_OK)
			return GR_ENOMEM;
	return GR_OK;
}

char *const *
gr_strvec_argv(struct gr_strvec *sv)
{
	static char *const empty[1] = { NULL };

	return sv->v ? sv->v : empty;
}
