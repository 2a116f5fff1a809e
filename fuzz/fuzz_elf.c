/* Fuzz gr_elf_read (through libelf), as gr_check calls it, gr_check_buffer, and
 * the symbol-version reader gr_elfver_read on every ELF input (not only those
 * with a PT_DYNAMIC, where gr_elf_read calls it), with a --max-version policy. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_check.h"
#include "gr_elf.h"
#include "gr_elfver.h"
#include "gr_embed.h"

/* The version sections alone, and everything the report and policy do with them. */
static void
fuzz_elfver(unsigned char *buf, size_t size)
{
	static const struct gr_vermax lim = { "GLIBC_2.17", 6 };
	struct gr_arena a;
	struct gr_error err;
	struct gr_verinfo *vi = NULL;
	const struct gr_vermax *limit;
	Elf *elf;
	size_t i, k;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return;
	if (!(elf = elf_memory((char *)buf, size)))
		return;
	gr_arena_init(&a);
	gr_error_clear(&err);
	if (elf_kind(elf) == ELF_K_ELF && gr_elfver_read(elf, buf, size, "fuzz.elf", &a, &vi, &err) == GR_OK && vi)
		for (i = 0; i < vi->nlibs; i++)
			for (k = 0; k < vi->libs[i].nvers; k++) {
				const struct gr_verneed *v = &vi->libs[i].vers[k];
				(void)gr_elfver_cmp(v->name, vi->libs[i].vers[0].name);
				(void)gr_elfver_too_new(v, &lim, 1, &limit);
				(void)gr_elfver_message(&a, vi->libs[i].file, v, &lim);
				(void)gr_elfver_remedy(&a, v, &lim, "x86-64");
			}
	elf_end(elf);
	gr_arena_deinit(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_arena a;
	struct gr_image img;
	struct gr_error err;
	struct gr_report *r = NULL;
	static const struct gr_vermax max[] = {
		{ "GLIBC_2.17", 6 }, { "GLIBCXX_3.4.9", 8 }, { "CXXABI_1.3", 7 }, { "GCC_3.0", 4 },
	};
	struct gr_policy pol = { .maxver = max, .nmaxver = sizeof(max) / sizeof(max[0]) };
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
		fuzz_elfver(buf, size);
		if (size)
			memcpy(buf, data, size);
	}
	/* The embedded manifest's reader (issue 16): ELF notes, any input. */
	gr_arena_init(&a);
	gr_error_clear(&err);
	{
		struct gr_embed_manifest m;
		if (gr_embed_find(buf, size, "fuzz.elf", &a, &m, &err) == GR_OK &&
		    (!m.text || strlen(m.text) != m.len || !gr_embed_json_check(m.text, m.len, NULL, NULL)))
			abort();  /* a manifest read back is always one valid JSON text */
	}
	gr_arena_deinit(&a);
	/* The whole classification (ELF, archive, Mach-O dispatch, policy). */
	gr_error_clear(&err);
	if (size && gr_check_buffer("fuzz.bin", buf, size, &pol, &r, &err) == GR_OK)
		gr_report_free(r);
	free(buf);
	return 0;
}
