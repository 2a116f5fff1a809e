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

/* Whether cc (NULL-terminated words) is zig's C or C++ driver: "zig cc",
 * "zig c++" (maybe after a launcher) or "PYTHON -m ziglang cc". zig links in
 * process: discovery asks it for -print-search-dirs instead of -###. */
bool gr_toolchain_is_zig(char *const cc[]);

/* What the compiler driver at path (resolved, e.g. by gr_path_which) reads
 * besides its words, as key text; "" for drivers other than clang. For clang
 * (the real executable's name holds "clang"; or path is a ccache or sccache
 * symlink named after clang: then the clang behind it, the first executable
 * of that name on env's PATH that is no ccache, named with its identity):
 * the identity (device, inode, size, times; or "missing") of the directory of
 * its real executable and of each *.cfg file in it, of /etc/clang and each
 * *.cfg in it, likewise of $XDG_CONFIG_HOME/clang (else $HOME/.config/clang)
 * and of each directory a --config-system-dir= or --config-user-dir= word of
 * a or b names, env's CLANG_NO_DEFAULT_CONFIG, and each file a --config word
 * of a or b names (a[na], b[nb]; relative names in the executable's
 * directory). Not covered: files a configuration file includes (@file),
 * directories a clang build has compiled in other than these, CCACHE_PATH
 * and ccache's compiler setting. env may be NULL (nothing set). malloc'd;
 * NULL when out of memory. */
char *gr_toolchain_config_state(const struct gr_env *env, const char *path, char *const a[], size_t na,
                                char *const b[], size_t nb);

/* Free everything gr_toolchain_discover filled in. */
void gr_toolchain_deinit(struct gr_toolchain *tc);

/* The C++ driver named like the C compiler cc (a path or a name): gcc becomes
 * g++, clang clang++, cc c++, each alone or after a "PREFIX-" and before a
 * "-VERSION" of digits and dots, the directory kept (aarch64-linux-gnu-gcc-12
 * -> aarch64-linux-gnu-g++-12), malloc'd; NULL with errno 0 when cc is none
 * of those, with errno ENOMEM when out of memory. */
char *gr_toolchain_cxx_for_cc(const char *cc);

/* The words of CC (cc, n words) with its compiler word (the first, or the one
 * after a ccache, sccache, distcc or icecc launcher) turned into its C++
 * driver, other words (flags such as --target=) kept, in out: GR_OK,
 * GR_ENOTFOUND when that word names no compiler gr_toolchain_cxx_for_cc knows,
 * or GR_ENOMEM. */
int gr_toolchain_cxx_words(char *const cc[], size_t n, struct gr_strvec *out);

/* Whether two -dumpmachine triplets name the same target, a vendor field
 * aside (clang's aarch64-unknown-linux-gnu is gcc's aarch64-linux-gnu). */
bool gr_toolchain_same_target(const char *a, const char *b);

/* Ask the compiler (cc words, NULL-terminated; env's PATH finds the first)
 * for its target triplet (-dumpmachine), malloc'd in *triplet. */
int gr_toolchain_dumpmachine(const struct gr_env *env, char *const cc[], char **triplet,
                             struct gr_error *err);

#endif
