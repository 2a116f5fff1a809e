/* gr_cxx: the C++ driver of a cross build, for CC's target, and the known limits of cross toolchains a failed link names. */
#ifndef GR_CXX_H
#define GR_CXX_H

#include <stdbool.h>

#include "gr_env.h"
#include "gr_error.h"

/* What gr_cxx_choose decided. */
struct gr_cxx_choice {
	char *cxx;        /* the CXX go build and gorelink-ld use (malloc'd), or NULL: no C++ driver for the target */
	bool derived;     /* cxx is the C++ driver named after CC, not go env CXX */
	char *cc_target;  /* CC's -dumpmachine, or NULL when CC could not tell */
	char *cxx_target; /* cxx's -dumpmachine, or NULL */
	char *why;        /* with cxx NULL: why no C++ driver fits, for the message (malloc'd) */
};

/* For a cross build with C compiler cc and go env CXX cxx (user_set: the user
 * set CXX, in the environment or with go env -w): the C++ driver that builds
 * for CC's target (-dumpmachine, cached). go env CXX when it targets CC's
 * target; else, unless the user set it, the driver named after CC
 * (gr_toolchain_cxx_words) when it is on env's PATH and targets CC's target;
 * else none (ch->cxx NULL, ch->why says why). A CXX the user set that is not
 * installed or targets another machine is an error (GR_EUSAGE) whose message
 * names CXX, both targets and "set CXX for the target". When CC cannot tell
 * its target, go env CXX is kept as it is. */
int gr_cxx_choose(const struct gr_env *env, const char *cc, const char *cxx, bool user_set,
                  struct gr_cxx_choice *ch, struct gr_error *err);

/* Free a choice. */
void gr_cxx_choice_deinit(struct gr_cxx_choice *ch);

/* The explanation of a known toolchain limit that linker output (NUL-terminated)
 * shows (an aarch64 GOT overflow: "relocation truncated to fit:
 * R_AARCH64_LD64_GOTPAGE_LO15"; an input for another machine: "file in wrong
 * format"), or NULL when it shows none: a static string. */
const char *gr_cxx_known_limit(const char *output);

#endif
