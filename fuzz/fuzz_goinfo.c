/* Fuzz the Go build-info and pclntab readers (gr_goinfo): the raw parsers on
 * the input itself, gr_goinfo_elf when the input is an ELF file, and
 * gr_goinfo_macho on a thin Mach-O file and on every slice of a universal
 * one (with gr_macho_section and gr_macho_symbols underneath). */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_elf.h"
#include "gr_goinfo.h"
#include "gr_macho.h"

static bool
gr_fuzz_name(const char *name, size_t n, void *ctx)
{
	size_t *sum = ctx;

	/* Touch every byte of the name: ASan sees a read past its bounds. */
	while (n--)
		*sum += (unsigned char)name[n];
	return true;
}

/* Touch every string of a result: ASan sees a bad pointer; check the invariants. */
static void
gr_fuzz_goinfo(const struct gr_goinfo *gp, size_t *sum)
{
	size_t i, k;

	if (gp->symbols_from && strcmp(gp->symbols_from, "__gopclntab") != 0 &&
	    strcmp(gp->symbols_from, "LC_SYMTAB") != 0)
		abort();  /* a Mach-O file names only its own sources */
	for (i = 0; i < gp->nsettings; i++)
		*sum += strlen(gp->settings[i]);
	for (i = 0; i < gp->ndeps; i++)
		*sum += strlen(gp->deps[i]);
	if (gp->go_version)
		*sum += strlen(gp->go_version);
	for (i = 0; i < gp->nfiles; i++) {
		const struct gr_runtime_file *f = &gp->files[i];
		if (!f->id || !f->package || !f->because || !f->remedy || !f->npaths)
			abort();
		/* No Linux-only finding for a darwin binary: its roots come from the Security framework. */
		if (!strcmp(f->id, "x509-roots") && !(gr_goinfo_setting(gp, "GOOS") &&
		                                      strcmp(gr_goinfo_setting(gp, "GOOS"), "darwin") != 0))
			abort();
		for (k = 0; k < f->npaths; k++)
			*sum += strlen(f->paths[k]);
	}
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
	if (gr_macho_is_thin(data, size)) {
		gr_error_clear(&err);
		gp = NULL;
		if (gr_goinfo_macho(data, size, "fuzz.macho", &a, &gp, &err) == GR_OK && gp)
			gr_fuzz_goinfo(gp, &sum);
		else if (gp)
			abort();  /* *out is set only on success */
	}
	if (gr_macho_is_fat(data, size)) {
		struct gr_macho_slice sl[GR_MACHO_MAXSLICES];
		size_t n = 0;
		gr_error_clear(&err);
		if (gr_macho_fat_slices(data, size, "fuzz.fat", sl, GR_MACHO_MAXSLICES, &n, &err) == GR_OK)
			for (i = 0; i < n; i++) {
				gp = NULL;
				gr_error_clear(&err);
				if (gr_macho_is_thin(data + sl[i].offset, (size_t)sl[i].size) &&
				    gr_goinfo_macho(data + sl[i].offset, (size_t)sl[i].size, "fuzz.fat[slice]", &a, &gp,
				                    &err) == GR_OK && gp)
					gr_fuzz_goinfo(gp, &sum);
			}
	}
	gr_arena_deinit(&a);
	free(buf);
	return sum == (size_t)-1;  /* keep sum alive */
}
