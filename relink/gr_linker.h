/* gr_linker: --linker=auto|bfd|gold|lld|mold: which linker the final link's
 * compiler driver runs (-fuse-ld=NAME), what each can do, and auto's choice. */
#ifndef GR_LINKER_H
#define GR_LINKER_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_records.h"
#include "gr_strvec.h"

enum gr_linker {
	GR_LINKER_DEFAULT = 0, /* no --linker: no -fuse-ld here; gr_build makes it auto's choice (issue 15) */
	GR_LINKER_AUTO,        /* the fastest installed linker that can do the mode */
	GR_LINKER_BFD,
	GR_LINKER_GOLD,
	GR_LINKER_LLD,
	GR_LINKER_MOLD,
};

/* What a choice came to: the linker (never AUTO) and why, in words ("" when asked for as is). */
struct gr_linker_choice {
	enum gr_linker linker;
	char why[256];
};

/* The linker named s ("auto", "bfd", "gold", "lld", "mold"): 0, or -1 for another name. */
int gr_linker_parse(const char *s, enum gr_linker *out);

/* The linker's name as -fuse-ld= takes it ("default" for GR_LINKER_DEFAULT). */
const char *gr_linker_name(enum gr_linker l);

/* The program the compiler driver runs for -fuse-ld=NAME ("ld.mold"), or NULL for the default. */
const char *gr_linker_program(enum gr_linker l);

/* The Debian package that installs the linker, or NULL. */
const char *gr_linker_package(enum gr_linker l);

/* Why linker l cannot link mode (e.g. gold and -static-pie), or NULL: it can. */
const char *gr_linker_cannot(enum gr_linker l, enum gr_link_mode mode);

/* Why linker l cannot link mode with musl-gcc (it keeps the specs'
 * -dynamic-linker in a static link: lld, mold), or NULL: it can. */
const char *gr_linker_cannot_musl(enum gr_linker l, enum gr_link_mode mode);

/* Why linker l cannot link mode for GOARCH goarch (gold's static arm64
 * links lose C++ exception unwinding: a throw aborts), or NULL: it can. */
const char *gr_linker_cannot_arch(enum gr_linker l, enum gr_link_mode mode, const char *goarch);

/* Whether the compiler driver cc (its first word) runs linker l for
 * -fuse-ld: ld.NAME on compiler_path, else on path; a cross compiler
 * (cross: it builds for another machine) TRIPLE-gcc finds only
 * TRIPLE-ld.NAME on path (collect2). DEFAULT: always. */
bool gr_linker_found(const char *cc, bool cross, const char *compiler_path, const char *path, enum gr_linker l);

/* Why linker l prints none of glibc's static-link warnings ("Using 'dlopen'
 * in statically linked applications...", from .gnu.warning sections), or
 * NULL: it prints them. The findings, --strict and the dlopen policy rely on
 * them: for such a linker the link traces every symbol with a warning and
 * gr_diag_derive_warnings makes GNU ld's warnings from the trace. */
const char *gr_linker_no_glibc_warnings(enum gr_linker l);

/* Choose the linker for req and mode. installed(ctx, l) says whether l's
 * program is there (gr_linker_found). musl: the compiler is musl-gcc
 * (gr_linker_cannot_musl). goarch: the target's GOARCH, or NULL
 * (gr_linker_cannot_arch). AUTO: mold, lld, gold, then bfd, the first
 * installed that can do the mode (a static glibc link too: mold's and lld's
 * missing glibc warnings are made from their trace). An explicit linker
 * that cannot do the mode falls back to bfd (why says so). Returns 0, or -1 when an explicit linker is not installed (why
 * names it and its package). */
int gr_linker_choose(enum gr_linker req, enum gr_link_mode mode, bool musl, const char *goarch,
                     bool (*installed)(const void *ctx, enum gr_linker l), const void *ctx,
                     struct gr_linker_choice *c);

/* Whether l's program (gr_linker_program) is on path (a PATH value); DEFAULT is always there. */
bool gr_linker_on_path(const char *path, enum gr_linker l);

/* The -fuse-ld= word for l ("-fuse-ld=mold"), or NULL for the default. */
const char *gr_linker_flag(enum gr_linker l);

/* The linker an argv's last -fuse-ld=NAME names (NAME, borrowed from argv), or NULL: none. */
const char *gr_linker_in_argv(const char *const *argv, size_t n);

/* The fewest objects gr_linker_input_script moves into a script. */
#define GR_LINKER_INPUT_RUN 4

/* mold (1.10) tries each word of its command line against its whole option
 * table before it links (about 0.35 ms a word: 10 ms for a cgo link's 30
 * objects); a linker script's INPUT() costs next to nothing. The compiler
 * driver's argv (argv[0..n)) with its longest run of at least
 * GR_LINKER_INPUT_RUN consecutive words naming ELF relocatable objects
 * (absolute paths ending in ".o", no '"' nor control character, not the
 * value of an option such as -o) replaced by the word script, into out; *text
 * (malloc'd) is the script: INPUT("a.o" "b.o" ...) in the same order. mold
 * reads a script's inputs where the script stands, as if named there (the
 * output is the same, byte for byte). Not when the argv names a language
 * (-x, --language), LTO (-flto, -fno-use-linker-plugin: collect2 looks at
 * the objects it is given) or a sysroot (mold puts it before a script's
 * absolute paths), nor with a response file (@FILE), -r or --output.
 * GR_OK; GR_ENOTFOUND: no such run (out and *text untouched); GR_ENOMEM. */
int gr_linker_input_script(const char *const *argv, size_t n, const char *script, struct gr_strvec *out,
                           char **text);

#endif
