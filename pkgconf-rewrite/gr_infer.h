/* gr_infer: the package of a bare -lNAME (gr_pcindex's choice), its pkg-config --static closure brought in after it. */
#ifndef GR_INFER_H
#define GR_INFER_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_env.h"
#include "gr_error.h"
#include "gr_pc.h"
#include "gr_pcindex.h"
#include "gr_strvec.h"

/* One inference: -lLNAME was explained by PACKAGE, whose closure went in after it. */
struct gr_infer_entry {
	const char *lname;                  /* NAME of -lNAME */
	const char *package;                /* the package chosen (gr_pcindex_choose) */
	enum gr_pcindex_rule rule;          /* why it was chosen */
	const char *const *alternatives;    /* the other packages whose Libs name it, best first */
	size_t nalternatives;
	const char *const *added;           /* the flags inserted right after -lNAME, in order */
	size_t nadded;
	const char *via;                    /* NULL: a bare -l of the input; else the inferred package whose
	                                       closure named it only through a Libs.private */
};

struct gr_infer_result {
	struct gr_arena arena;              /* owns everything below */
	struct gr_pc_token *tokens;         /* the input with each closure inserted after its -l */
	size_t ntokens;
	struct gr_infer_entry *entries;     /* in the order of the flags they explain */
	size_t nentries;
	bool index_opened;                  /* the .pc index was needed (a candidate -l was seen) */
	/* Set by gr_rewrite: the -l names left out of an inferred closure because a
	 * library kept dynamic brings them at run time, each with that package. */
	const char **dropped, **dropped_via;
	size_t ndropped;
};

struct gr_infer_opts {
	/* -l names a pkg-config answer already accounts for (no "-l"): never inferred. */
	const char *const *accounted;
	size_t naccounted;
	/* Token origins that still mark a flag as raw (gorelink: "--lib"); any other
	 * non-NULL origin means the flag came from pkg-config and is not inferred. */
	const char *const *raw_origins;
	size_t nraw_origins;
	/* The other -l names of the archive -lNAME finds (a symlinked archive:
	 * Debian's libpng.a -> libpng16.a gives "png16"), pushed to out; NULL:
	 * none are looked for. GR_ENOMEM, else GR_OK. The package is then chosen
	 * among those whose Libs name any of them (gr_pcindex_choose_names). */
	int (*aliases)(void *ctx, const char *lname, struct gr_strvec *out);
	void *aliases_ctx;
};

/* The C library family, never inferred: glibc's and gcc's runtime names plus
 * stdc++ and supc++ (gr_rw_default_system_libs and the C++ runtime). */
bool gr_infer_c_family(const char *lname);

/* A short stable name for rule, for JSON: "only", "same-name", "lib-name",
 * "loose-name", "fewest-libs", "name-order" ("none" for GR_PCINDEX_NONE). */
const char *gr_infer_rule_id(enum gr_pcindex_rule rule);

/* Infer the packages of the bare -lNAME flags among in[0..n) (-lNAME or "-l" "NAME";
 * not -l:FILE, not the C family, not an accounted name, not one already explained):
 * the index on the pkg-config search path (opened only when some -l needs it,
 * cached in env's cache directory) chooses, gr_pc_resolve gives the closure, and
 * the closure's tokens but -lNAME itself go in right after it (origin
 * "inferred for -lNAME: ..."). A closure's -l named only through a Libs.private
 * of a package whose Libs do not name it is inferred too, once each name, when
 * one package alone provides it or one is named as it (rules ONLY to
 * LOOSE_NAME; not a tie broken by FEWEST_LIBS or NAME_ORDER). A
 * package whose closure cannot be resolved is left out (no entry); an
 * inference that would add nothing is not listed. GR_OK or GR_ENOMEM. */
int gr_infer_run(const struct gr_env *env, const struct gr_pc_token *in, size_t n, const struct gr_infer_opts *o,
                 struct gr_infer_result **out, struct gr_error *err);

/* Free a result; NULL is allowed. */
void gr_infer_result_free(struct gr_infer_result *r);

#endif
