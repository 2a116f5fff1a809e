/* Fuzz gr_embed_elf_append, which adds the manifest note to a linked ELF file
 * in place: the input as a file (a memfd). After an append: no byte of the
 * input moved but e_shoff and e_shnum, gr_embed_find reads back exactly the
 * payload, libelf reads the result's section headers when it read the
 * input's, and a second append is refused (the file carries a manifest). */
#define _GNU_SOURCE
#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "gr_arena.h"
#include "gr_embed.h"

static const char payload[] = "{\"format\":\"gorelink-manifest/1\",\"archives\":[]}";

/* Whether libelf reads every section header of the n bytes at b (a private copy). */
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
		ok = gelf_getshdr(elf_getscn(e, i), &sh) != NULL;
	}
	elf_end(e);
	free(c);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct gr_error err;
	struct gr_arena a;
	struct gr_embed_manifest m;
	unsigned char *b;
	off_t end;
	size_t i, lo, hi;

	if (fd < 0) {
		if ((fd = memfd_create("fuzz-embed", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	gr_error_clear(&err);
	if (gr_embed_elf_append(path, payload, sizeof(payload) - 1, &err) != GR_OK)
		return 0;
	if ((end = lseek(fd, 0, SEEK_END)) < (off_t)size || !(b = malloc((size_t)end)) ||
	    pread(fd, b, (size_t)end, 0) != end)
		abort();
	/* e_shoff .. e_shnum may change: 0x20 .. 0x3e (ELF64), 0x20 .. 0x32 (ELF32) */
	lo = 0x20;
	hi = size > EI_CLASS && data[EI_CLASS] == ELFCLASS64 ? 0x3e : 0x32;
	for (i = 0; i < size; i++)
		if ((i < lo || i >= hi) && b[i] != data[i])
			abort();  /* a byte of the input moved */
	gr_arena_init(&a);
	if (gr_embed_find(b, (size_t)end, path, &a, &m, &err) != GR_OK || m.len != sizeof(payload) - 1 ||
	    memcmp(m.text, payload, m.len) != 0)
		abort();  /* the note does not read back */
	gr_arena_deinit(&a);
	if (libelf_reads(data, size) && !libelf_reads(b, (size_t)end))
		abort();
	free(b);
	if (gr_embed_elf_append(path, payload, sizeof(payload) - 1, &err) != GR_EUSAGE)
		abort();  /* a second manifest */
	return 0;
}
