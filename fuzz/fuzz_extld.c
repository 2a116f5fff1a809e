/* Fuzz Go's host-link argv handling: gr_extld_is_final, gr_extld_unquote and
 * gr_extld_rewrite (static mode, cc = {"cc"}, an empty toolchain: no search
 * dirs, so every -l is "not found"), and gr_goflags_split on the raw text. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_extld.h"
#include "gr_goflags.h"
#include "gr_records.h"
#include "gr_toolchain.h"

#define GR_FUZZ_MAXARGS 256

/* No environment: no PATH lookups beyond /usr/bin:/bin, no cache. */
static const struct gr_env fuzz_env;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = gr_fuzz_cstr(data, size);
	char *args[GR_FUZZ_MAXARGS + 1];
	size_t n = 0, i, start = 0;
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_strvec out, fields;
	struct gr_rw_result *rw = NULL;
	struct gr_error err;

	/* gr_goflags_split on the raw text (up to the first NUL). */
	gr_strvec_init(&fields);
	gr_error_clear(&err);
	(void)gr_goflags_split(text, &fields, &err);
	gr_strvec_deinit(&fields);

	/* argv words: split on NUL or newline; empty words are kept as "". */
	for (i = 0; i <= size && n < GR_FUZZ_MAXARGS; i++) {
		if (i == size || text[i] == '\0' || text[i] == '\n') {
			text[i] = '\0';
			args[n++] = text + start;
			start = i + 1;
		}
	}
	args[n] = NULL;
	/* One trailing empty word from the final terminator is not an argument. */
	if (n && args[n - 1][0] == '\0' && start >= size)
		args[--n] = NULL;

	for (i = 0; i < n; i++) {
		char *u = NULL;
		if (gr_extld_unquote(args[i], strlen(args[i]), &u) == GR_OK && !u)
			abort();
		free(u);
	}
	(void)gr_extld_is_final(args, n);

	gr_linkstate_init(&ls);
	ls.mode = GR_LINK_STATIC;
	ls.no_infer = true;  /* hermetic: no installed .pc decides; gr_infer has its own tests */
	if (gr_strvec_push(&ls.cc, "cc"))
		abort();
	memset(&tc, 0, sizeof(tc));
	gr_strvec_init(&out);
	gr_error_clear(&err);
	(void)gr_extld_rewrite(&fuzz_env, &ls, &tc, args, n, &out, &rw, &err);
	gr_rw_result_free(rw);
	gr_strvec_deinit(&out);
	gr_linkstate_deinit(&ls);
	free(text);
	return 0;
}
