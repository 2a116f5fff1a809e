/* gr_ldscript: parse the input statements of a GNU ld implicit linker script. */
#ifndef GR_LDSCRIPT_H
#define GR_LDSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"

struct gr_ldscript_input {
	const char *name;  /* as written, unquoted; for -lX this is "X" (or ":X") */
	bool is_lib;       /* written as -lX */
	bool as_needed;    /* inside AS_NEEDED ( ... ) */
	int group;         /* 1-based index of the enclosing GROUP statement; 0 for INPUT */
};

struct gr_ldscript {
	struct gr_arena arena;            /* owns everything below */
	const char *output_format[3];     /* OUTPUT_FORMAT(default[, big, little]); NULLs if absent */
	size_t noutput_format;            /* 0, 1 or 3 */
	struct gr_ldscript_input *inputs; /* INPUT and GROUP members, in order */
	size_t ninputs;
	int ngroups;
	const char **search_dirs;         /* SEARCH_DIR(...) arguments, in order */
	size_t nsearch_dirs;
};

/* Parse len bytes of text read from path; GR_EFORMAT (naming path and line) on a syntax error. */
int gr_ldscript_parse(const char *text, size_t len, const char *path, struct gr_ldscript **out,
                      struct gr_error *err);

/* Free a parsed script; NULL is allowed. */
void gr_ldscript_free(struct gr_ldscript *s);

#endif
