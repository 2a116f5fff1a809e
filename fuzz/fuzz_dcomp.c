/* Fuzz gr_dcomp_elf, which rewrites a linked ELF file in place: the input as
 * a file (a memfd) whose debug sections are compressed with one thread. After
 * a rewrite: the file no longer than before (alignment padding aside); when
 * libelf read the input's section headers, it reads the result's too and
 * finds each section inside the file; and a second run has nothing left to
 * do (what did not shrink stays as it is). */
#define _GNU_SOURCE
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "gr_dcomp.h"

static int fd = -1;
static char path[64];

/* The file's bytes now (malloc'd, *n of them). */
static unsigned char *
slurp(size_t *n)
{
	off_t end = lseek(fd, 0, SEEK_END);
	unsigned char *b;

	if (end < 0 || !(b = malloc(end ? (size_t)end : 1)) || pread(fd, b, (size_t)end, 0) != end)
		abort();
	*n = (size_t)end;
	return b;
}

/* Whether libelf reads every section header of the n bytes at b (a private
 * copy: libelf may write to it) and finds each section inside them. */
static bool
libelf_reads(const unsigned char *b, size_t n)
{
	char *c = malloc(n ? n : 1);
	Elf *e;
	size_t nsec, i;
	bool ok;

	if (!c || elf_version(EV_CURRENT) == EV_NONE)
		abort();
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_dcomp_stats st;
	struct gr_error err;
	bool wrote = false;
	unsigned char *b;
	size_t n;

	if (fd < 0) {
		if ((fd = memfd_create("fuzz-dcomp", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	gr_error_clear(&err);
	if (gr_dcomp_elf(path, 1, &st, &wrote, &err) != GR_OK || !wrote)
		return 0;
	b = slurp(&n);
	if (n > size + 8)
		abort();  /* the file grew past alignment padding */
	if (libelf_reads(data, size) && !libelf_reads(b, n))
		abort();  /* a file libelf read, rewritten into one it does not */
	free(b);
	wrote = false;
	if (gr_dcomp_elf(path, 1, &st, &wrote, &err) != GR_OK || wrote)
		abort();  /* once compressed, nothing is left to do */
	return 0;
}
