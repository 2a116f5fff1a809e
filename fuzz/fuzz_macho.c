/* Fuzz the Mach-O readers: thin files, universal headers and universal files. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_macho.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_arena a;
	struct gr_image img, *imgs = NULL;
	struct gr_macho_slice sl[16];
	struct gr_error err;
	size_t n = 0, i;
	char tmp[32];
	unsigned char *buf = malloc(size ? size : 1);

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	gr_arena_init(&a);
	gr_error_clear(&err);
	if (gr_macho_is_thin(buf, size)) {
		memset(&img, 0, sizeof(img));
		(void)gr_macho_read_thin(buf, size, "fuzz.macho", &a, &img, &err);
	}
	if (gr_macho_is_fat(buf, size)) {
		gr_error_clear(&err);
		(void)gr_macho_read_fat(buf, size, "fuzz.fat", &a, &imgs, &n, &err);
	}
	/* The header validation on its own, whatever the magic. */
	gr_error_clear(&err);
	n = 0;
	if (gr_macho_fat_slices(buf, size, "fuzz.fat", sl, 16, &n, &err) == GR_OK) {
		if (n > 16)
			abort();
		for (i = 0; i < n; i++) {
			if (sl[i].offset > size || sl[i].size > size - sl[i].offset)
				abort();  /* the header promises slices lie within the file */
			(void)gr_macho_arch_name(sl[i].cputype, sl[i].cpusubtype, tmp, sizeof(tmp));
		}
	}
	gr_arena_deinit(&a);
	free(buf);
	return 0;
}
