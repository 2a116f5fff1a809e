/* Fuzz the record readers gorelink and its link wrapper share (gr_records:
 * the link state, the link report, the pkg-config log) and gr_chain_text:
 * whatever the file holds, a read either fails cleanly or gives records that
 * write back and read again to the same counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "gr_chain.h"
#include "gr_records.h"

static char path[64], again[64];

/* The input as the file at path. */
static void
put(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_linkstate ls, ls2;
	struct gr_link_report rep, rep2;
	struct gr_strvec names;
	struct gr_error e;
	char *text, *c;

	if (!path[0]) {
		int fd;
		snprintf(path, sizeof(path), "/tmp/gr-fuzz-records.XXXXXX");
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
		snprintf(again, sizeof(again), "%s.again", path);
	}
	put(data, size);

	gr_linkstate_init(&ls);
	if (gr_linkstate_read(path, &ls, &e) == GR_OK) {
		gr_linkstate_init(&ls2);
		if (gr_linkstate_write(again, &ls, &e) != GR_OK || gr_linkstate_read(again, &ls2, &e) != GR_OK ||
		    ls2.mode != ls.mode || ls2.cc.n != ls.cc.n || ls2.extra.n != ls.extra.n || ls2.allow.n != ls.allow.n ||
		    ls2.stubs.n != ls.stubs.n || ls2.modules.n != ls.modules.n || ls2.fix != ls.fix)
			abort();
		gr_linkstate_deinit(&ls2);
	}
	gr_linkstate_deinit(&ls);

	if (gr_link_report_read(path, &rep, &e) == GR_OK) {
		if (gr_link_report_write(again, &rep, &e) != GR_OK || gr_link_report_read(again, &rep2, &e) != GR_OK ||
		    rep2.nargv != rep.nargv || rep2.nmissing != rep.nmissing || rep2.nfindings != rep.nfindings ||
		    rep2.nundefined != rep.nundefined || rep2.has_status != rep.has_status)
			abort();
		gr_link_report_deinit(&rep2);
	}
	gr_link_report_deinit(&rep);

	gr_strvec_init(&names);
	(void)gr_pkglog_read(path, &names, &e);
	gr_strvec_deinit(&names);

	/* A chain is printed only when it ends in the flag it was asked for. */
	text = gr_fuzz_cstr(data, size);
	if ((c = gr_chain_text(text, "-lx")) != NULL) {
		size_t l = strlen(c);
		if (l < 3 || strcmp(c + l - 3, "-lx") != 0)
			abort();
	}
	free(c);
	free(text);
	return 0;
}
