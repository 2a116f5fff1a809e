/* gr_elfver: the symbol versions an ELF file needs (.gnu.version_r), defines
 * (.gnu.version_d), and which dynamic symbols need which (.gnu.version). */
#ifndef GR_ELFVER_H
#define GR_ELFVER_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>

#include "gr_arena.h"
#include "gr_error.h"

/* A dynamic symbol bound to a needed version through .gnu.version. */
struct gr_versym {
	const char *name;
	bool weak;                    /* STB_WEAK: an undefined weak reference */
};

/* One version needed from one library (a Vernaux entry). */
struct gr_verneed {
	const char *name;             /* "GLIBC_2.34" */
	size_t family_len;            /* name[0..family_len) is the family ("GLIBC_"); the
	                                 whole name when it carries no version number */
	bool numbered;                /* a version number follows the family */
	bool weak;                    /* VER_FLG_WEAK in vna_flags: ld.so only warns when missing */
	bool floor;                   /* the highest of its family needed from this library */
	unsigned index;               /* vna_other: the .gnu.version index */
	struct gr_versym *symbols;    /* .dynsym symbols bound to it, in table order */
	size_t nsymbols;
};

/* The versions needed from one library (a Verneed entry). */
struct gr_verlib {
	const char *file;             /* vn_file: the soname, "libc.so.6" */
	struct gr_verneed *vers;
	size_t nvers;
};

/* Everything the version sections say; NULL in gr_image when the file has none. */
struct gr_verinfo {
	struct gr_verlib *libs;
	size_t nlibs;
	const char **defined;         /* .gnu.version_d names, without the base (soname) entry */
	size_t ndefined;
};

/* A policy limit: nothing of family may be newer than name ("GLIBC_2.28"). */
struct gr_vermax {
	const char *name;
	size_t family_len;
};

/* Read the version sections of elf (whose bytes are buf[0..len)); *out stays
 * NULL when there are none. A corrupt section is GR_EFORMAT. */
int gr_elfver_read(Elf *elf, const unsigned char *buf, size_t len, const char *path,
                   struct gr_arena *a, struct gr_verinfo **out, struct gr_error *err);

/* The family of a version name: "GLIBC_2.34" -> 4+2 ("GLIBC_"), with *numbered
 * true; "GLIBC_PRIVATE" -> its whole length, *numbered false. */
size_t gr_elfver_family(const char *name, bool *numbered);

/* Order two version numbers ("2.34", "3.4.9"): digit runs compare as numbers,
 * everything else byte by byte; <0, 0 or >0 like strcmp. */
int gr_elfver_cmp(const char *a, const char *b);

/* Parse "GLIBC_2.28" into m; false (with a reason in *why) when it is no
 * numbered version name. */
bool gr_elfver_parse_max(const char *s, struct gr_vermax *m, const char **why);

/* Whether v is newer than the limit for its family in max[0..nmax) (GLIBC_ABI_DT_RELR counts as GLIBC_2.36 and GLIBC_PRIVATE as always newer under a GLIBC_ limit);
 * *limit gets that limit when there is one. */
bool gr_elfver_too_new(const struct gr_verneed *v, const struct gr_vermax *max, size_t nmax,
                       const struct gr_vermax **limit);

/* "needs GLIBC_2.34 from libc.so.6 (newer than --max-version GLIBC_2.28) for
 * symbols: a, b (weak)"; NULL when out of memory. */
const char *gr_elfver_message(struct gr_arena *a, const char *lib, const struct gr_verneed *v,
                              const struct gr_vermax *limit);

/* What to do about it, for a binary of architecture arch; NULL when out of memory. */
const char *gr_elfver_remedy(struct gr_arena *a, const struct gr_verneed *v,
                             const struct gr_vermax *limit, const char *arch);

#endif
