/* Fuzz the Go build-info and pclntab readers (gr_goinfo): the raw parsers on
 * the input itself, and gr_goinfo_elf when the input is an ELF file. */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_elf.h"
#include "gr_goinfo.h"

static bool
gr_fuzz_name(const char *name, size_t n, void *ctx)
{
	size_t *sum = ctx;

	/* Touch every byte of the name: ASan sees a read past its bounds. */
	while (n--)
		*sum += (unsigned char)name[n];
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_arena a;
	struct gr_goinfo gi, *gp = NULL;
	struct gr_error err;
	size_t sum = 0, i;
	/* libelf wants a writable buffer: a private, exact-size copy. */
	unsigned char *buf = malloc(size ? size : 1);

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	gr_arena_init(&a);
	memset(&gi, 0, sizeof(gi));
	gr_error_clear(&err);
	if (gr_goinfo_parse_buildinfo(buf, size, &a, &gi, &err) == GR_OK)
		for (i = 0; i < gi.nsettings; i++)
			(void)gr_goinfo_setting(&gi, "CGO_ENABLED");
	(void)gr_goinfo_pclntab_names(buf, size, gr_fuzz_name, &sum);
	if (gr_elf_is(buf, size)) {
		gr_error_clear(&err);
		if (gr_goinfo_elf(buf, size, &a, &gp, &err) == GR_OK && gp)
			for (i = 0; i < gp->nfiles; i++)
				sum += gp->files[i].npaths;
	}
	gr_arena_deinit(&a);
	free(buf);
	return sum == (size_t)-1;  /* keep sum alive */
}
