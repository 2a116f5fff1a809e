/* Shared by the targets that fuzz an in-place rewrite of a linked ELF file
 * (fuzz_dcomp, fuzz_embed): the input as a file, its bytes afterwards, and
 * libelf's reading as the oracle. */
#ifndef GR_FUZZ_INPLACE_H
#define GR_FUZZ_INPLACE_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "fuzz_common.h"

/* The n bytes at data as the file at the path returned (a memfd, opened
 * again by path as gorelink opens a file; created on the first call). */
static inline const char *
gr_fuzz_file(const uint8_t *data, size_t n)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		if ((fd = memfd_create("gorelink-fuzz", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (n && pwrite(fd, data, n, 0) != (ssize_t)n))
		abort();
	return path;
}

/* The file's bytes now (malloc'd, *n of them). */
static inline unsigned char *
gr_fuzz_file_bytes(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long end;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(b = malloc(end ? (size_t)end : 1)) || fread(b, 1, (size_t)end, f) != (size_t)end)
		abort();
	fclose(f);
	*n = (size_t)end;
	return b;
}

/* Whether libelf reads every section header of the n bytes at b (from a
 * private copy: libelf may write to it) and finds each section inside them. */
static inline bool
gr_fuzz_libelf_reads(const unsigned char *b, size_t n)
{
	char *c = malloc(n ? n : 1);
	Elf *e;
	size_t nsec, i;
	bool ok;

	if (!c || elf_version(EV_CURRENT) == EV_NONE)
		abort();
	if (n)
		memcpy(c, b, n);
	e = elf_memory(c, n);
	ok = e && elf_kind(e) == ELF_K_ELF && elf_getshdrnum(e, &nsec) == 0;
	for (i = 1; ok && i < nsec; i++) {
		GElf_Shdr sh;
		ok = gelf_getshdr(elf_getscn(e, i), &sh) &&
		     (sh.sh_type == SHT_NOBITS || (sh.sh_offset <= n && sh.sh_size <= n - sh.sh_offset));
	}
	elf_end(e);
	free(c);
	return ok;
}

#endif
