/* gr_strvec: a growable, NULL-terminated vector of owned strings (an argv). */
#ifndef GR_STRVEC_H
#define GR_STRVEC_H

#include <stddef.h>

struct gr_strvec {
	char **v;    /* v[n] is NULL once anything was pushed; NULL before */
	size_t n;
	size_t cap;
};

/* Initialise an empty vector (no allocation). */
void gr_strvec_init(struct gr_strvec *sv);

/* Free every string and the vector; it can be reused afterwards. */
void gr_strvec_deinit(struct gr_strvec *sv);

/* Append a copy of s; GR_OK or GR_ENOMEM. */
int gr_strvec_push(struct gr_strvec *sv, const char *s);

/* Append a copy of the first n bytes of s; GR_OK or GR_ENOMEM. */
int gr_strvec_pushn(struct gr_strvec *sv, const char *s, size_t n);

/* Append every string of src in order; GR_OK or GR_ENOMEM. */
int gr_strvec_extend(struct gr_strvec *sv, const struct gr_strvec *src);

/* The NULL-terminated array, never NULL (an empty vector gives {NULL}). */
char *const *gr_strvec_argv(struct gr_strvec *sv);

#endif
