/* gr_elfsh: an ELF file's header, section headers and program headers
 * decoded from bytes (and section headers written back), in either class and
 * byte order. No I/O: the callers read the bytes, each in its own way (pread,
 * a mapping, an archive member's slice), and check bounds with these fields. */
#ifndef GR_ELFSH_H
#define GR_ELFSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ELF header's fields, as the file holds them (extended numbering not
 * resolved: e_shnum 0, e_shstrndx SHN_XINDEX and e_phnum PN_XNUM stay). */
struct gr_elfsh {
	bool is64;          /* ELFCLASS64, else ELFCLASS32 */
	bool be;            /* ELFDATA2MSB, else ELFDATA2LSB */
	unsigned char osabi, abiversion, ident_version;  /* e_ident[EI_OSABI, EI_ABIVERSION, EI_VERSION] */
	uint16_t type, machine;
	uint32_t version, flags;
	uint64_t entry, phoff, shoff;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

/* One section header's fields. */
struct gr_elfsh_sec {
	uint32_t name, type, link, info;
	uint64_t flags, addr, offset, size, addralign, entsize;
};

/* The ELF header in the n bytes at p into *h: false unless they begin with
 * ELF's magic, a class (32 or 64 bits) and a byte order, and hold that
 * class's whole header (52 or 64 bytes). */
bool gr_elfsh_header(const unsigned char *p, size_t n, struct gr_elfsh *h);

/* The size of a section header in h's class: 64 bytes (ELF64) or 40 (ELF32). */
unsigned gr_elfsh_shdr_size(const struct gr_elfsh *h);

/* The size of a program header in h's class: 56 bytes (ELF64) or 32 (ELF32). */
unsigned gr_elfsh_phdr_size(const struct gr_elfsh *h);

/* The section header table's size in bytes, e_shnum * e_shentsize (no int overflow). */
uint64_t gr_elfsh_table_size(const struct gr_elfsh *h);

/* Whether h's section header table is one to read whole in a file of size
 * bytes: e_shoff not 0, e_shnum not 0 (no extended numbering), e_shentsize
 * its class's, and every entry inside the file. */
bool gr_elfsh_table_fits(const struct gr_elfsh *h, uint64_t size);

/* The section header at p (gr_elfsh_shdr_size(h) bytes) into *s. */
void gr_elfsh_sec(const struct gr_elfsh *h, const unsigned char *p, struct gr_elfsh_sec *s);

/* Write *s as the section header at p (gr_elfsh_shdr_size(h) bytes); in
 * ELF32 the 64-bit fields keep their low 32 bits: the caller has checked
 * that they fit. */
void gr_elfsh_sec_put(const struct gr_elfsh *h, unsigned char *p, const struct gr_elfsh_sec *s);

/* The program header at p (gr_elfsh_phdr_size(h) bytes): its p_type,
 * p_offset and p_filesz. */
void gr_elfsh_seg(const struct gr_elfsh *h, const unsigned char *p, uint32_t *type, uint64_t *offset,
                  uint64_t *filesz);

/* Where e_shoff lies in the ELF header (0x28 in ELF64, 0x20 in ELF32) and
 * its width in *width (8 or 4). */
size_t gr_elfsh_shoff_at(const struct gr_elfsh *h, size_t *width);

#endif
