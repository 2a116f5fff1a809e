/* gr_toolchain: the library search dirs and target of the configured C compiler and linker. */
#ifndef GR_TOOLCHAIN_H
#define GR_TOOLCHAIN_H

#include <stdbool.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_strvec.h"

struct gr_toolchain {
	struct gr_strvec cc;           /* the compiler command, one word each (e.g. ccache gcc) */
	struct gr_strvec driver_dirs;  /* -L dirs the driver gives ld, in order, verbatim (LIBRARY_PATH included) */
	struct gr_strvec ld_dirs;      /* the linker's SEARCH_DIRs for its emulation, verbatim ('=' kept) */
	char *ld;                      /* the linker the driver runs (collect2 is looked through) */
	char *emulation;               /* the -m the driver passes, e.g. "elf_x86_64", or NULL */
	char *sysroot;                 /* the --sysroot the driver passes, or NULL */
	char *output_format;           /* the linker's default OUTPUT_FORMAT, e.g. "elf64-x86-64" */
	char *output_format_big;       /* OUTPUT_FORMAT's big-endian choice, or NULL */
	char *output_format_little;    /* OUTPUT_FORMAT's little-endian choice, or NULL */
	char *output_arch;             /* OUTPUT_ARCH, e.g. "i386:x86-64", or NULL */
};

/* Ask the compiler (cc words, NULL-terminated; extra flags such as -m32 included)
 * and its linker where they search, without compiling or linking anything; env's
 * PATH is where collect2's linker is looked for. */
int gr_toolchain_discover(const struct gr_env *env, char *const cc[], struct gr_toolchain *tc,
                          struct gr_error *err);

/* Free everything gr_toolchain_discover filled in. */
void gr_toolchain_deinit(struct gr_toolchain *tc);

#endif
