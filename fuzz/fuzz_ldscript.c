/* Fuzz gr_ldscript_parse: GNU ld implicit linker scripts (libc.so, libm.a on Debian). */
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_ldscript.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_ldscript *s = NULL;
	struct gr_error err;
	/* An exact-size heap copy without a terminator: reading past len is caught. */
	char *text = malloc(size ? size : 1);
	size_t i;

	if (!text)
		abort();
	if (size)
		memcpy(text, data, size);
	gr_error_clear(&err);
	if (gr_ldscript_parse(text, size, "fuzz.ld", &s, &err) == GR_OK && s) {
		for (i = 0; i < s->ninputs; i++)
			if (!s->inputs[i].name)
				abort();
	}
	gr_ldscript_free(s);
	free(text);
	return 0;
}
