/* gr_tccache: gr_toolchain_discover behind the shared cache directory. */
#ifndef GR_TCCACHE_H
#define GR_TCCACHE_H

#include <stdbool.h>

#include "gr_toolchain.h"

/* Like gr_toolchain_discover, but answered from env's cache directory while the
 * compiler, the linker and the environment they read (env's PATH, LIBRARY_PATH,
 * COMPILER_PATH, GCC_EXEC_PREFIX, LD_RUN_PATH, SYSROOT) are unchanged; *hit says which. */
int gr_tccache_discover(const struct gr_env *env, char *const cc[], struct gr_toolchain *tc,
                        bool *hit, struct gr_error *err);

/* Like gr_toolchain_dumpmachine, but answered from env's cache directory while
 * the compiler and the environment it reads are unchanged (as above). */
int gr_tccache_dumpmachine(const struct gr_env *env, char *const cc[], char **triplet, bool *hit,
                           struct gr_error *err);

#endif
