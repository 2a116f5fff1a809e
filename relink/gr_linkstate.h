/* gr_linkstate: what the build driver tells its link wrapper, in a file named by $GORELINK_LINK_STATE. */
#ifndef GR_LINKSTATE_H
#define GR_LINKSTATE_H

#include <stdbool.h>

#include "gr_error.h"
#include "gr_strvec.h"

#define GR_LINKSTATE_ENV "GORELINK_LINK_STATE"

enum gr_link_mode {
	GR_LINK_STATIC,       /* -static, every library from an archive */
	GR_LINK_STATIC_PIE,   /* -static-pie, every library from an archive */
	GR_LINK_THIRD_PARTY,  /* third-party libraries from archives, the libc family dynamic */
};

struct gr_linkstate {
	enum gr_link_mode mode;
	struct gr_strvec cc;          /* the real compiler command, one word each */
	struct gr_strvec cxx;         /* the C++ compiler, for links whose objects hold C++ */
	struct gr_strvec extra;       /* flags appended to the final link (--pkg libraries, --lib) */
	struct gr_strvec extra_origin; /* for each extra flag, who asked: "--lib", "--pkg zlib"... */
	struct gr_strvec allow;       /* --allow-dynamic library names */
	struct gr_strvec system_libs; /* third-party mode: names that stay -l (empty: the default) */
	char *report;                 /* where the wrapper records the final link */
	bool fix;                     /* --fix: add the archives that define missing symbols */
	bool darwin;                  /* an Apple target: ld64's rules, never -static */
	char *darwin_arch;            /* its -arch, or NULL: the link's own -arch */
	char *syslibroot;             /* the SDK, or NULL: the link's own -isysroot/-syslibroot */
};

/* Initialise an empty state. */
void gr_linkstate_init(struct gr_linkstate *ls);

/* Free everything the state holds. */
void gr_linkstate_deinit(struct gr_linkstate *ls);

/* Write the state to path (a private file the driver created). */
int gr_linkstate_write(const char *path, const struct gr_linkstate *ls, struct gr_error *err);

/* Read the state from path. */
int gr_linkstate_read(const char *path, struct gr_linkstate *ls, struct gr_error *err);

/* The mode's name: "static", "static-pie", "third-party". */
const char *gr_link_mode_name(enum gr_link_mode m);

#endif
