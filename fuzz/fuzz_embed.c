/* Fuzz gr_embed_elf_append, which adds the manifest note to a linked ELF file
 * in place: the input as a file (a memfd). After an append: no byte of the
 * input moved but e_shoff and e_shnum, gr_embed_find reads back exactly the
 * payload, libelf reads the result's section headers when it read the
 * input's, and a second append is refused (the file carries a manifest). */
#define _GNU_SOURCE  /* memfd_create */
#include <elf.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz_inplace.h"
#include "gr_arena.h"
#include "gr_embed.h"

static const char payload[] = "{\"format\":\"gorelink-manifest/1\",\"archives\":[]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = gr_fuzz_file(data, size);
	struct gr_error err;
	struct gr_arena a;
	struct gr_embed_manifest m;
	unsigned char *b;
	size_t n, i, lo, hi;

	gr_error_clear(&err);
	if (gr_embed_elf_append(path, payload, sizeof(payload) - 1, &err) != GR_OK)
		return 0;
	b = gr_fuzz_file_bytes(path, &n);
	if (n < size)
		abort();
	/* e_shoff .. e_shnum may change: 0x20 .. 0x3e (ELF64), 0x20 .. 0x32 (ELF32) */
	lo = 0x20;
	hi = size > EI_CLASS && data[EI_CLASS] == ELFCLASS64 ? 0x3e : 0x32;
	for (i = 0; i < size; i++)
		if ((i < lo || i >= hi) && b[i] != data[i])
			abort();  /* a byte of the input moved */
	gr_arena_init(&a);
	if (gr_embed_find(b, n, path, &a, &m, &err) != GR_OK || m.len != sizeof(payload) - 1 ||
	    memcmp(m.text, payload, m.len) != 0)
		abort();  /* the note does not read back */
	gr_arena_deinit(&a);
	if (gr_fuzz_libelf_reads(data, size) && !gr_fuzz_libelf_reads(b, n))
		abort();
	free(b);
	if (gr_embed_elf_append(path, payload, sizeof(payload) - 1, &err) != GR_EUSAGE)
		abort();  /* a second manifest */
	return 0;
}
