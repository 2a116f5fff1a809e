/* gr_ldtrace: what a final link really loaded, from the linker itself: GNU
 * ld's `-t -t`, gold's and lld's `--trace` lines (taken out of its standard
 * output) and mold's `-Map` file (mold's --trace lists every member of every
 * archive it reads, loaded or not). */
#ifndef GR_LDTRACE_H
#define GR_LDTRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_error.h"
#include "gr_modgraph.h"
#include "gr_records.h"
#include "gr_strvec.h"

/* The version of the trace reading, in the link report's "traced" record. */
#define GR_LDTRACE_VERSION "1"

/* One loaded input. */
struct gr_ldtrace_input {
	char *path;    /* the object, archive or shared library as the linker named it */
	char *member;  /* the archive member, or NULL */
	int kind;      /* enum gr_manifest_kind: 0 object, 1 member, 2 shared */
};

/* An object of the link's command line, looked at while the link ran. */
struct gr_ldtrace_pre {
	char *path;     /* as the command line names it */
	char *source;   /* gr_modgraph_object_source's answer, or NULL */
	char hex[65];   /* its SHA-256; "" when it could not be read */
};

struct gr_ldtrace {
	struct gr_ldtrace_input *v;  /* in the linker's order, each once */
	size_t n, cap;
	const char *linker;          /* "bfd", "gold", "lld", "mold" */
	char *map;                   /* mold's map file (removed by gr_ldtrace_deinit), or NULL */
	bool oom;                    /* a trace line was lost to out of memory: gr_ldtrace_report fails */
	bool keep;                   /* the link's argv asked for a trace itself: its lines stay in the output */
	size_t *slot, nslot;         /* an index of v (entry + 1 per slot, 0 free; nslot a power of two) */
	/* gr_ldtrace_overlap: the work done in the link's shadow */
	const struct gr_strvec *argv;     /* the link's command line (not owned) */
	const struct gr_strvec *modules;  /* the link state's module triples (not owned), or NULL */
	size_t next;                      /* the next word of argv to look at */
	struct gr_ldtrace_pre *pre;       /* the objects looked at so far */
	size_t npre, cpre;
	struct gr_modgraph_names names;   /* each module tree walked once for the bare source names */
};

/* Prepare a trace of a link with linker (the argv's -fuse-ld= name; NULL: the
 * compiler's default, GNU ld) and append the flags it needs to argv; out is the
 * output path of the link (mold's map file goes beside it). GR_OK or GR_ENOMEM. */
int gr_ldtrace_begin(struct gr_ldtrace *t, const char *linker, const char *out, struct gr_strvec *argv);

/* Name the work gr_ldtrace_step does while the link runs: the objects of
 * argv (the link's command line, which must outlive t's use of it; cmd/link's
 * go.o left out) hashed and their sources matched to modules (the module
 * trees walked), ahead of gr_ldtrace_report, which takes the answers for the
 * objects the link loaded and does the rest itself. It needs only the link's
 * inputs, not its output; a link that fails discards it (gr_ldtrace_deinit). */
void gr_ldtrace_overlap(struct gr_ldtrace *t, const struct gr_strvec *argv, const struct gr_strvec *modules);

/* One object of gr_ldtrace_overlap's work (ctx: the struct gr_ldtrace); false
 * when none is left. Prints nothing; what fails is done again by the report. */
bool gr_ldtrace_step(void *ctx);

/* Take the trace lines out of the link's standard output text[0..n) (in place;
 * other lines stay, text stays NUL-terminated) into t; the new length. A line
 * is the trace's when it names an existing file: "PATH", "(ARCHIVE)MEMBER"
 * (GNU ld) or "ARCHIVE(MEMBER)" (gold, lld); a plain archive or a linker
 * script is left out of t (an archive counts by its members). When the user's
 * own argv asked for a trace (t->keep), the lines are read and left in place. */
size_t gr_ldtrace_take(struct gr_ldtrace *t, char *text, size_t n);

/* Read mold's map file into t (after the link). GR_OK, GR_ENOMEM, GR_EIO. */
int gr_ldtrace_read_map(struct gr_ldtrace *t, struct gr_error *err);

/* Add t's inputs to rep as "loaded" records, and the "traced" record: each
 * object with its SHA-256 and, from modules (the link state's triples), the Go
 * module whose C code it was compiled from (gr_ldtrace_step's answers taken
 * where it has them; t's module walks kept). GR_OK or GR_ENOMEM. */
int gr_ldtrace_report(struct gr_ldtrace *t, const struct gr_strvec *modules, struct gr_link_report *rep);

/* Free t and remove its map file. */
void gr_ldtrace_deinit(struct gr_ldtrace *t);

#endif
