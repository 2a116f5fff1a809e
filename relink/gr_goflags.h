/* gr_goflags: the user's go build flags, taken apart so gorelink's own can be merged in. */
#ifndef GR_GOFLAGS_H
#define GR_GOFLAGS_H

#include <stdbool.h>

#include "gr_error.h"
#include "gr_strvec.h"

struct gr_goflags {
	struct gr_strvec pass;     /* flags passed to go build unchanged, in order */
	struct gr_strvec ldflags;  /* the fields of the last -ldflags (Go keeps only the last) */
	bool has_ldflags;
	struct gr_strvec tags;     /* build tags, in order, without duplicates */
	char *out;                 /* -o, or NULL */
	char *buildmode;           /* -buildmode, or NULL */
};

/* Initialise empty flags. */
void gr_goflags_init(struct gr_goflags *gf);

/* Free everything. */
void gr_goflags_deinit(struct gr_goflags *gf);

/* Take GOFLAGS (defaults, split like -ldflags: '...' or "..." around a field) and then
 * the command-line flags, as go build would: a command-line -ldflags replaces
 * GOFLAGS', tags accumulate. */
int gr_goflags_parse(const char *goflags_env, char *const *args, size_t n, struct gr_goflags *gf,
                     struct gr_error *err);

/* Add one build tag unless it is there already. */
int gr_goflags_add_tag(struct gr_goflags *gf, const char *tag);

/* Split s into fields the way cmd/go splits -ldflags and CGO_LDFLAGS:
 * whitespace-separated, '...' or "..." quoting without escapes. */
int gr_goflags_split(const char *s, struct gr_strvec *out, struct gr_error *err);

/* Join fields so that gr_goflags_split gives them back (malloc'd), or NULL
 * if a field holds both quote characters and whitespace. */
char *gr_goflags_join(const struct gr_strvec *fields);

#endif
