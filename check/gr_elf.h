/* gr_elf: read what an ELF file loads at run time, through libelf. */
#ifndef GR_ELF_H
#define GR_ELF_H

#include <stdbool.h>
#include <stddef.h>

#include "gr_check.h"

/* Whether buf starts with the ELF magic (it may still be truncated). */
bool gr_elf_is(const unsigned char *buf, size_t len);

/* Whether the file at path starts with the ELF magic (false when it cannot be read). */
bool gr_elf_file_is(const char *path);

/* Fill img from the ELF file in buf (writable private memory); strings go to a. */
int gr_elf_read(unsigned char *buf, size_t len, const char *path,
                struct gr_arena *a, struct gr_image *img, struct gr_error *err);

#endif
