/* gr_ldmsg: what a failed or warning link says, read from the linker's messages. */
#ifndef GR_LDMSG_H
#define GR_LDMSG_H

#include <stddef.h>

#include "gr_arena.h"

enum gr_ldmsg_kind {
	GR_LDMSG_UNDEFINED,       /* undefined reference to a symbol */
	GR_LDMSG_STATIC_WARNING,  /* glibc: "Using 'X' in statically linked applications..." */
	GR_LDMSG_CANNOT_FIND,     /* cannot find -lfoo */
	GR_LDMSG_TRACE_REF,       /* --trace-symbol: "FILE: reference to S" (referrer FILE) */
	GR_LDMSG_TRACE_DEF,       /* --trace-symbol: "FILE: definition of S" (referrer FILE) */
	GR_LDMSG_DSO_MISSING,     /* GNU ld: "undefined reference to symbol 'S@@VER'" (S defined only by a
	                           * shared library another one loads), with dso from its next line
	                           * "DSO: error adding symbols: DSO missing from command line" */
};

struct gr_ldmsg {
	enum gr_ldmsg_kind kind;
	const char *symbol;    /* the symbol (as the linker spells it), or "-lfoo" */
	const char *referrer;  /* "archive.a(member.o)", "file.o", or NULL */
	const char *function;  /* the function that refers to it, or NULL */
	const char *version;   /* GR_LDMSG_DSO_MISSING: the symbol's version as the linker wrote it ("@@OMP_1.0"), or NULL */
	const char *dso;       /* GR_LDMSG_DSO_MISSING: the shared library that defines it, or NULL (not named) */
};

struct gr_ldmsgs {
	struct gr_arena arena;   /* owns everything */
	struct gr_ldmsg *v;
	size_t n;
};

/* Read GNU ld's, gold's, lld's, mold's and ld64's messages from text (NUL-terminated).
 * Returns NULL only when memory runs out. */
struct gr_ldmsgs *gr_ldmsg_parse(const char *text);

/* Remove from text[0..n) the lines --trace-symbol printed about one of syms
 * (GNU ld's, gold's, lld's and mold's forms, and mold's "trace-symbol: FILE
 * keeps ARCHIVE(MEMBER) for S", lld's "ARCHIVE: lazy definition of S"), so
 * that the user does not see
 * the tracing gorelink asked for; returns the new length (text stays
 * NUL-terminated when it was). */
size_t gr_ldmsg_drop_traces(char *text, size_t n, const char *const *syms, size_t nsyms);

/* Free parsed messages; NULL is allowed. */
void gr_ldmsg_free(struct gr_ldmsgs *m);

#endif
