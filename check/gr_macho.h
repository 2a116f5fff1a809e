/* gr_macho: read what a Mach-O file (thin or universal) loads at run time. */
#ifndef GR_MACHO_H
#define GR_MACHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gr_check.h"

struct gr_macho_slice {
	uint32_t cputype;     /* e.g. 0x0100000c for arm64 */
	uint32_t cpusubtype;
	uint64_t offset;      /* inside the file, checked to lie within it */
	uint64_t size;
};

/* Whether buf starts with a thin Mach-O magic, in either byte order. */
bool gr_macho_is_thin(const unsigned char *buf, size_t len);

/* Whether buf starts with a universal header (a Java class file is not one). */
bool gr_macho_is_fat(const unsigned char *buf, size_t len);

/* Fill img from the thin Mach-O file in buf; strings go to a. */
int gr_macho_read_thin(const unsigned char *buf, size_t len, const char *path,
                       struct gr_arena *a, struct gr_image *img, struct gr_error *err);

/* Read every slice of the universal file in buf into *imgs (n of them, in a). */
int gr_macho_read_fat(const unsigned char *buf, size_t len, const char *path,
                      struct gr_arena *a, struct gr_image **imgs, size_t *n,
                      struct gr_error *err);

/* Validate the universal header in buf and list its slices (at most max, into out). */
int gr_macho_fat_slices(const unsigned char *buf, size_t len, const char *path,
                        struct gr_macho_slice *out, size_t max, size_t *n, struct gr_error *err);

/* The most slices a universal file may list (gr_macho_fat_slices refuses more). */
#define GR_MACHO_MAXSLICES 64

/* Find section sectname (of segment segname, or of any segment when NULL) in
 * the thin Mach-O file in buf: *p and *n are its bytes, or *p is NULL when
 * there is none or it has no file bytes (zerofill). GR_EFORMAT (naming path)
 * when the load commands are malformed or the section lies past the file. */
int gr_macho_section(const unsigned char *buf, size_t len, const char *path, const char *segname,
                     const char *sectname, const unsigned char **p, size_t *n, struct gr_error *err);

/* Call fn(name, n, ctx) for each symbol the LC_SYMTAB of the thin Mach-O file
 * in buf defines in a section (N_SECT, no debugging entry), without the
 * leading '_' of C names, until fn returns false; *count is the number of
 * names, -1 when there is no LC_SYMTAB. GR_EFORMAT when the table or its
 * strings lie past the file. A name is passed only when NUL-terminated
 * inside the string table. */
int gr_macho_symbols(const unsigned char *buf, size_t len, const char *path,
                     bool (*fn)(const char *name, size_t n, void *ctx), void *ctx,
                     long *count, struct gr_error *err);

/* Name of a CPU type as ld64 spells it ("arm64", "x86_64"); unknown ones go to tmp. */
const char *gr_macho_arch_name(uint32_t cputype, uint32_t cpusubtype, char *tmp, size_t tmpsz);

/* Classify an install name: a system dylib under /usr/lib or /System/Library, Homebrew, @rpath... */
enum gr_origin gr_macho_origin(const char *install_name);

/* Name of an LC_BUILD_VERSION platform ("macos", "ios", "maccatalyst"); "unknown" otherwise. */
const char *gr_macho_platform_name(uint32_t platform);

/* Name of a Mach-O file type ("execute", "dylib", "object", "bundle"...); "other" otherwise. */
const char *gr_macho_filetype_name(uint32_t filetype);

/* Format an xxxx.yy.zz version as llvm-objdump does ("11.0", "10.15.4") into buf. */
char *gr_macho_version_str(uint32_t v, char *buf, size_t bufsz);

/* Parse "X[.Y[.Z]]" (X <= 65535, Y, Z <= 255) into xxxx.yy.zz; false if malformed. */
bool gr_macho_version_parse(const char *s, uint32_t *out);

#endif
