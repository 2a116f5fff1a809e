/* Fuzz the Mach-O readers: thin files, universal headers and universal files,
 * and the load rules (__DATA_CONST flags, LC_BUILD_VERSION/minos with a
 * --macos-min policy, LC_CODE_SIGNATURE) as gr_check applies them. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "gr_check.h"
#include "gr_macho.h"
#include "gr_embed.h"

/* The load-rule invariants of one checked Mach-O image. */
static void
gr_fuzz_load_rules(const struct gr_image *img)
{
	const struct gr_macho_load *ml = &img->macho;
	char v[24];
	uint32_t back;
	size_t k;

	if (img->format != GR_FMT_MACHO)
		return;
	if (ml->version_command) {
		if (!ml->platform)
			abort();
		/* What is printed parses back to the same version. */
		gr_macho_version_str(ml->minos, v, sizeof(v));
		if (ml->minos && (!gr_macho_version_parse(v, &back) || back != ml->minos))
			abort();
		gr_macho_version_str(ml->sdk, v, sizeof(v));
	}
	for (k = 0; k < img->nproblems; k++) {
		const struct gr_problem *p = &img->problems[k];
		if (!p->code || !p->message)
			abort();
		/* A failing load rule fails the image; a finding is on a non-executable. */
		if (!p->finding && img->pass && img->executable && strcmp(p->code, "not-executable") != 0)
			abort();
		if (p->finding && img->executable)
			abort();
	}
}

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
	/* The embedded manifest's reader (issue 16): Mach-O sections, thin and universal. */
	gr_error_clear(&err);
	{
		struct gr_embed_manifest m;
		if (gr_embed_find(buf, size, "fuzz.macho", &a, &m, &err) == GR_OK &&
		    (!m.text || strlen(m.text) != m.len || !gr_embed_json_check(m.text, m.len, NULL, NULL)))
			abort();
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
	/* The whole check with a --macos-min policy: the load rules run on every slice. */
	if (gr_macho_is_thin(data, size) || gr_macho_is_fat(data, size)) {
		struct gr_report *r = NULL;
		struct gr_policy pol = { .allow = NULL, .nallow = 0, .macos_min = 11u << 16 };
		memcpy(buf, data, size);
		gr_error_clear(&err);
		if (gr_check_buffer("fuzz.macho", buf, size, &pol, &r, &err) == GR_OK) {
			for (i = 0; i < r->nimages; i++)
				gr_fuzz_load_rules(&r->images[i]);
			gr_report_free(r);
		}
	}
	/* --macos-min parsing: whatever parses prints back to the same value. */
	if (size <= 24) {
		char *str = gr_fuzz_cstr(data, size), v[24];
		uint32_t ver, back;
		if (gr_macho_version_parse(str, &ver)) {
			gr_macho_version_str(ver, v, sizeof(v));
			if (!gr_macho_version_parse(v, &back) || back != ver)
				abort();
		}
		free(str);
	}
	gr_arena_deinit(&a);
	free(buf);
	return 0;
}
