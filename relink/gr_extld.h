/* gr_extld: the external linker Go's cmd/link runs: the final link is rewritten, probes pass through. */
#ifndef GR_EXTLD_H
#define GR_EXTLD_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_env.h"
#include "gr_error.h"
#include "gr_records.h"
#include "gr_rewrite.h"
#include "gr_strvec.h"
#include "gr_toolchain.h"

/* Whether args (argv without argv[0]) are cmd/link's final host link: an -o
 * and Go's own go.o, and no trivial.c or "-x c -" probe. */
bool gr_extld_is_final(char *const *args, size_t n);

/* Copy args into out, replacing each @FILE by the arguments in FILE (one Go
 * quoted string per line, as cmd/link writes them). */
int gr_extld_expand(char *const *args, size_t n, struct gr_strvec *out, struct gr_error *err);

/* Decode one Go quoted string ("..." with Go escapes) into out (malloc'd). */
int gr_extld_unquote(const char *s, size_t len, char **out);

/* The PATH toolchain discovery sees in gorelink-ld: path without its first
 * entry when that entry is the directory holding statepath (the driver's
 * private helper directory, new on every run, holding no toolchain program),
 * so that the toolchain cache's key is the same from run to run; path itself
 * otherwise (also when nothing would remain). Points into path or is path. */
const char *gr_extld_discovery_path(const char *path, const char *statepath);

/* The final link for the state's mode: the compiler words, the arguments with
 * every -l resolved to archives, the state's extra flags, -static or -static-pie,
 * and no -rdynamic or --dynamic-linker. Unless the state says no_infer (and
 * for GNU ld only), each bare -lNAME that no #cgo pkg-config: answer (the
 * state's pkglog) or --pkg accounts for gains its package's closure (gr_infer;
 * (*rw)->inferred lists them). *rw keeps the resolution (also on GR_ENOTFOUND).
 * env: the PATH go env CXX is looked for in, and the cache. */
int gr_extld_rewrite(const struct gr_env *env, const struct gr_linkstate *ls,
                     const struct gr_toolchain *tc, char *const *args, size_t n,
                     struct gr_strvec *out, struct gr_rw_result **rw, struct gr_error *err);

#endif
