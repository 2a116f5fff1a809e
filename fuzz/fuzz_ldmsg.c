/* Fuzz gr_ldmsg_parse (GNU ld, gold, lld, mold and ld64 error and warning
 * text) and gr_ldmsg_drop_traces (--trace-symbol lines taken out). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "gr_ldmsg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = gr_fuzz_cstr(data, size);
	struct gr_ldmsgs *m = gr_ldmsg_parse(text);
	size_t i;

	if (!m)
		abort();  /* NULL only when memory runs out */
	for (i = 0; i < m->n; i++)
		if (!m->v[i].symbol)
			abort();
	gr_ldmsg_free(m);
	{
		static const char *const syms[] = { "dlopen", "getaddrinfo", "x" };
		size_t n = strlen(text), k = gr_ldmsg_drop_traces(text, n, syms, 3);
		if (k > n || text[k] != '\0')
			abort();
	}
	free(text);
	return 0;
}
