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

/* Whether args (argv without argv[0]) are exactly the shape of one of
 * cmd/link's probe links (linkerFlagSupported): "-o DIR/a.out" once, options,
 * and DIR/trivial.c last, DIR absolute; every other word an option that
 * names no path (no '/'), no @file and no -B, -specs or -wrapper. *dirlen:
 * DIR's length. A pure test of the words: gr_extld_probe checks the file. */
bool gr_extld_probe_shape(char *const *args, size_t n, size_t *dirlen);

/* What a probe link answered: its exit status and its output, replayed as is. */
struct gr_extld_probe {
	int status;     /* the exit status */
	char *out;      /* stdout (malloc'd, NUL-terminated) */
	size_t outlen;
	char *err;      /* stderr (malloc'd, NUL-terminated) */
	size_t errlen;
};

/* Answer the probe link cc+args from env's cache (kind probe) when the same
 * probe ran before with the same toolchain, or run it (output captured) and
 * keep its answer; *hit says which. The key: cwd, the words (the probe's
 * directory normalized), trivial.c's content, envp's variables the compiler
 * driver, its linker and their messages read (LIBRARY_PATH, COMPILER_PATH,
 * GCC_*, COLLECT_*, LD_*, LC_*, LANG...), the identity (device, inode, size,
 * times) of the compiler on path (for clang, also of its configuration
 * files' directory and --config files: gr_toolchain_config_state) and of the programs and start files the
 * driver's -print-search-dirs lists or path holds (cc1, as, collect2, ld,
 * ld.NAME, crt1.o, libc...), and that answer itself. GR_ENOTFOUND when args
 * are no probe that can be answered so (not gr_extld_probe_shape, trivial.c
 * not Go's, a word naming a file in cwd, Apple, no cache, no search dirs, a
 * key that cannot be made: a path too long, no memory):
 * then nothing ran. Only a normal exit is kept: a success, or a failure whose
 * output says "unrecognized" or "unknown" (what cmd/link looks for). */
int gr_extld_probe(const struct gr_env *env, const char *path, char *const *envp, const char *cwd,
                   char *const cc[], char *const *args, size_t n, struct gr_extld_probe *ans,
                   bool *hit, struct gr_error *err);

/* Free what gr_extld_probe filled in. */
void gr_extld_probe_free(struct gr_extld_probe *ans);

/* Copy args into out, replacing each @FILE by the arguments in FILE (one Go
 * quoted string per line, as cmd/link writes them). */
int gr_extld_expand(char *const *args, size_t n, struct gr_strvec *out, struct gr_error *err);

/* Decode one Go quoted string ("..." with Go escapes) into out (malloc'd). */
int gr_extld_unquote(const char *s, size_t len, char **out);

/* Whether the object at path refers to the C++ runtime (an undefined _Z...,
 * __cxa_... or __gxx_personality_v0, as gr_bfd_needs_cxx), read from its ELF
 * symbol table directly: 1 or 0 for the host's own kind of ELF relocatable
 * object (x86-64, AArch64) with one well-formed symbol table; -1 for any
 * other file or anything unusual (then gr_bfd_needs_cxx answers). */
int gr_extld_elf_needs_cxx(const char *path);

/* The PATH toolchain discovery sees in gorelink-ld: path without its first
 * entry when that entry is the directory holding statepath (the driver's
 * private helper directory, new on every run, holding no toolchain program),
 * so that the toolchain cache's key is the same from run to run; path itself
 * otherwise (also when nothing would remain). Points into path or is path. */
const char *gr_extld_discovery_path(const char *path, const char *statepath);

/* For mold (1.10 puts every note in one PT_NOTE aligned to 8, and Go's
 * build ID reader steps by that alignment, so a GNU build ID note whose size
 * is not a multiple of 8 hides the Go build ID that follows it): cmd/link's
 * -Wl,--build-id=0xHEX of 4 mod 8 bytes (its 20) gets 4 zero bytes, a sha1
 * one (--build-id, --build-id=sha1: 20 bytes) becomes md5, and a link
 * with no --build-id at all gets md5 (16 bytes: a style GNU ld, gold, lld
 * and mold all know, so a fallback to another linker still writes a build
 * ID); only -Wl,--build-id... words and the word after -Xlinker count.
 * 0, or -1: out of memory. */
int gr_extld_mold_build_id(struct gr_strvec *argv);

/* Before a link that was mold's runs with another linker (the wrapper's
 * fallback to GNU ld): the 4 zero bytes gr_extld_mold_build_id added to a
 * 20-byte --build-id=0xHEX taken off again (a 24-byte one ending in 4 zero
 * bytes), so that cmd/link's own word is linked; same words as there. */
void gr_extld_mold_build_id_undo(struct gr_strvec *argv);

/* Whether the -fuse-ld= of the final link argv[0..n) is the link's own and
 * not gorelink's choice: true with no ls->linker (or an Apple target); with
 * a soft choice (ls->linker_soft), when the compiler words (ls->cc, ls->cxx)
 * name -fuse-ld=, or argv holds other than exactly one -fuse-ld=, naming
 * ls->linker (gr_extld_rewrite leaves that one only when it adds its own; a
 * link's own one that names the same linker counts as gorelink's). */
bool gr_extld_linker_own(const struct gr_linkstate *ls, char *const *argv, size_t n);

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
