/* Fuzz gr_elf_read (through libelf), as gr_check calls it, and gr_check_buffer. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_check.h"
#include "gr_elf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_arena a;
	struct gr_image img;
	struct gr_error err;
	struct gr_report *r = NULL;
	struct gr_policy pol = {0};
	/* libelf may rewrite the buffer in place: always a private, exact-size copy. */
	unsigned char *buf = malloc(size ? size : 1);

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	if (gr_elf_is(buf, size)) {
		gr_arena_init(&a);
		memset(&img, 0, sizeof(img));
		gr_error_clear(&err);
		(void)gr_elf_read(buf, size, "fuzz.elf", &a, &img, &err);
		gr_arena_deinit(&a);
		if (size)
			memcpy(buf, data, size);
	}
	/* The whole classification (ELF, archive, Mach-O dispatch, policy). */
	gr_error_clear(&err);
	if (size && gr_check_buffer("fuzz.bin", buf, size, &pol, &r, &err) == GR_OK)
		gr_report_free(r);
	free(buf);
	return 0;
}
