/* Fuzz gr_pc_split: pkgconf's flag-string tokenizer (pkg-config Libs/Cflags lines). */
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_pc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_pc_tokens *t = NULL;
	struct gr_error err;
	char *text = gr_fuzz_cstr(data, size);
	size_t i;

	gr_error_clear(&err);
	if (gr_pc_split(text, "fuzz", &t, &err) == GR_OK && t) {
		for (i = 0; i < t->n; i++)
			if (!t->v[i].text)
				abort();
	}
	gr_pc_tokens_free(t);
	free(text);
	return 0;
}
