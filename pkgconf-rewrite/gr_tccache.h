/* gr_tccache: gr_toolchain_discover behind the shared cache directory. */
#ifndef GR_TCCACHE_H
#define GR_TCCACHE_H

#include <stdbool.h>

#include "gr_bfdcheck.h"
#include "gr_toolchain.h"

/* on: compute the compiler's part of the keys below (where env's PATH finds
 * each word of cc, that file's identity, clang's configuration state) once
 * and keep it for later calls with the same words and environment, for a
 * short-lived process (pkgconf-rewrite: its -dumpmachine and toolchain
 * entries ask for the same compiler); off (the default): compute it on
 * every call; either frees what was kept. */
void gr_tccache_keep_compiler(bool on);

/* Like gr_toolchain_discover, but answered from env's cache directory while the
 * compiler, the linker and the environment they read (env's PATH, LIBRARY_PATH,
 * COMPILER_PATH, GCC_EXEC_PREFIX, LD_RUN_PATH, SYSROOT) and, for clang, its
 * configuration files (gr_toolchain_config_state) are unchanged; *hit says which. */
int gr_tccache_discover(const struct gr_env *env, char *const cc[], struct gr_toolchain *tc,
                        bool *hit, struct gr_error *err);

/* Like gr_toolchain_dumpmachine, but answered from env's cache directory while
 * the compiler and the environment it reads are unchanged (as above). */
int gr_tccache_dumpmachine(const struct gr_env *env, char *const cc[], char **triplet, bool *hit,
                           struct gr_error *err);

/* One run's verdicts on candidates, read from and kept in env's cache
 * directory: one entry per directory of candidates and target, a record per
 * file, valid while the file (path, device, inode, size, modification and
 * change times) is unchanged: a warm run opens no archive. NULL when out of memory. */
struct gr_tccache_verdicts;
struct gr_tccache_verdicts *gr_tccache_verdicts_new(const struct gr_env *env);

/* Like gr_bfd_classify (for gr_ldsearch_cache_set_classify; ctx is a
 * struct gr_tccache_verdicts, NULL: gr_bfd_classify), but answered from the
 * cache directory when it holds the file's verdict. */
int gr_tccache_classify(void *ctx, const char *path, const struct gr_bfd_target *t,
                        struct gr_cand_info *info, struct gr_error *err);

/* Write the verdicts found since gr_tccache_verdicts_new (each directory's
 * entry merged with what it holds now; atomic, a failed write ignored) and
 * free v (NULL is fine). */
void gr_tccache_verdicts_close(struct gr_tccache_verdicts *v);

#endif
