#include "gr_bfdcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bfd.h>

static bool gr_bfd_ready;

/* libbfd reports problems by printing; library code stays quiet. */
static void
gr_bfd_quiet(const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
}

static void
gr_bfd_init(void)
{
	if (!gr_bfd_ready) {
		bfd_init();
		bfd_set_error_handler(gr_bfd_quiet);
		gr_bfd_ready = true;
	}
}

static void
gr_bfd_describe(bfd *b, struct gr_cand_info *info)
{
	const char *fmt = b->xvec ? b->xvec->name : NULL;
	const char *arch = bfd_printable_name(b);

	snprintf(info->format, sizeof(info->format), "%s", fmt ? fmt : "");
	snprintf(info->arch, sizeof(info->arch), "%s", arch ? arch : "");
}

/* ld's test: bfd_arch_get_compatible(check, output_bfd, false). */
static bool
gr_bfd_compatible(bfd *check, const struct gr_bfd_target *t)
{
	const bfd_arch_info_type *want, *have;

	if (!t || !t->output_arch)
		return true;
	want = bfd_scan_arch(t->output_arch);
	if (!want)
		return true;
	have = bfd_get_arch_info(check);
	if (!have || have->arch == bfd_arch_unknown)
		return false;  /* ld accepts unknown architectures only with --accept-unknown-input-arch */
	return have->compatible(have, want) != NULL;
}

int
gr_bfd_classify(const char *path, const struct gr_bfd_target *t, struct gr_cand_info *info,
                struct gr_error *err)
{
	struct stat st;
	bfd *b, *check;

	(void)err;
	memset(info, 0, sizeof(*info));
	info->kind = GR_CAND_UNOPENABLE;
	/* ld skips what it cannot open: missing files, dangling links, directories. */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return GR_OK;
	gr_bfd_init();
	b = bfd_openr(path, NULL);
	if (!b)
		return GR_OK;
	if (bfd_check_format(b, bfd_archive)) {
		info->thin = bfd_is_thin_archive(b);
		check = bfd_openr_next_archived_file(b, NULL);
		if (!check) {
			/* No member (glibc's empty libpthread.a): accepted unchecked. */
			info->empty = bfd_get_error() == bfd_error_no_more_archived_files || st.st_size <= 8;
			info->kind = GR_CAND_ARCHIVE;
			gr_bfd_describe(b, info);
			bfd_close(b);
			return GR_OK;
		}
		if (!bfd_check_format(check, bfd_object)) {
			/* A first member that is no object is accepted unchecked. */
			info->kind = GR_CAND_ARCHIVE;
			gr_bfd_describe(b, info);
			bfd_close(b);
			return GR_OK;
		}
		gr_bfd_describe(check, info);
		info->kind = gr_bfd_compatible(check, t) ? GR_CAND_ARCHIVE : GR_CAND_INCOMPATIBLE;
		bfd_close(b);  /* closes the cached member too */
		return GR_OK;
	}
	if (!bfd_check_format(b, bfd_object)) {
		info->kind = GR_CAND_SCRIPT;
		bfd_close(b);
		return GR_OK;
	}
	gr_bfd_describe(b, info);
	if (!gr_bfd_compatible(b, t))
		info->kind = GR_CAND_INCOMPATIBLE;
	else
		info->kind = (bfd_get_file_flags(b) & DYNAMIC) ? GR_CAND_SHARED : GR_CAND_OBJECT;
	bfd_close(b);
	return GR_OK;
}

int
gr_bfd_armap(const char *path, struct gr_strvec *syms, struct gr_error *err)
{
	bfd *b;
	symindex i = BFD_NO_MORE_SYMBOLS;
	carsym *cs;
	int rc = GR_OK;

	gr_bfd_init();
	b = bfd_openr(path, NULL);
	if (!b)
		return gr_error_set(err, GR_EIO, 0, "%s: %s", path, bfd_errmsg(bfd_get_error()));
	if (!bfd_check_format(b, bfd_archive) || !bfd_has_map(b)) {
		bfd_close(b);
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an archive with a symbol table", path);
	}
	while ((i = bfd_get_next_mapent(b, i, &cs)) != BFD_NO_MORE_SYMBOLS)
		if (cs && cs->name && gr_strvec_push(syms, cs->name)) {
			rc = gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
			break;
		}
	bfd_close(b);
	return rc;
}

/* libiberty's demangler options (demangle.h, which Debian's binutils-dev
 * does not ship): what ldmisc.c passes when it prints a symbol. */
#define GR_DMGL_PARAMS (1 << 0)
#define GR_DMGL_ANSI (1 << 1)

char *
gr_bfd_demangle(const char *sym)
{
	gr_bfd_init();
	return bfd_demangle(NULL, sym, GR_DMGL_ANSI | GR_DMGL_PARAMS);
}

/* Whether the object b refers to the C++ runtime: an undefined _Z... or
 * __gxx_personality_v0, and with cxa also __cxa_... (which glibc's own
 * archives define, so an archive's members are not judged by it). */
static bool
gr_bfd_refs_cxx(bfd *b, bool cxa)
{
	long size, n, i;
	asymbol **syms;
	bool cxx = false;
	char lead;

	if (!bfd_check_format(b, bfd_object) || (size = bfd_get_symtab_upper_bound(b)) <= 0 ||
	    !(syms = malloc((size_t)size)))
		return false;
	n = bfd_canonicalize_symtab(b, syms);
	lead = bfd_get_symbol_leading_char(b);  /* '_' on Mach-O: __Z..., ___gxx_... */
	for (i = 0; i < n && !cxx; i++) {
		const char *name = bfd_asymbol_name(syms[i]);
		if (!bfd_is_und_section(bfd_asymbol_section(syms[i])) || !name)
			continue;
		if (lead && name[0] == lead)
			name++;
		cxx = !strncmp(name, "_Z", 2) || (cxa && !strncmp(name, "__cxa_", 6)) ||
		      !strcmp(name, "__gxx_personality_v0");
	}
	free(syms);
	return cxx;
}

bool
gr_bfd_needs_cxx(const char *path)
{
	bfd *b;
	bool cxx;

	gr_bfd_init();
	if (!(b = bfd_openr(path, NULL)))
		return false;
	cxx = gr_bfd_refs_cxx(b, true);
	bfd_close(b);
	return cxx;
}

size_t
gr_bfd_dynamic_defines(const char *path, const char *const *syms, size_t nsyms)
{
	bfd *b;
	long size, n, i;
	asymbol **dyn;
	size_t k, found = 0;

	gr_bfd_init();
	if (!(b = bfd_openr(path, NULL)))
		return 0;
	if (!bfd_check_format(b, bfd_object) || (size = bfd_get_dynamic_symtab_upper_bound(b)) <= 0 ||
	    !(dyn = malloc((size_t)size))) {
		bfd_close(b);
		return 0;
	}
	n = bfd_canonicalize_dynamic_symtab(b, dyn);
	for (i = 0; i < n; i++) {
		const char *name = bfd_asymbol_name(dyn[i]);
		if (!name || bfd_is_und_section(bfd_asymbol_section(dyn[i])))
			continue;
		for (k = 0; k < nsyms; k++)
			if (!strcmp(name, syms[k])) {
				found++;
				break;
			}
	}
	free(dyn);
	bfd_close(b);
	return found;
}

bool
gr_bfd_archive_needs_cxx(const char *path)
{
	bfd *ar, *m, *next;
	bool cxx = false;

	gr_bfd_init();
	if (!(ar = bfd_openr(path, NULL)))
		return false;
	if (!bfd_check_format(ar, bfd_archive)) {
		bfd_close(ar);
		return false;
	}
	/* As nm walks an archive: each member is closed once the next is open. */
	for (m = bfd_openr_next_archived_file(ar, NULL); m; m = next) {
		cxx = gr_bfd_refs_cxx(m, false);
		next = cxx ? NULL : bfd_openr_next_archived_file(ar, m);
		bfd_close(m);
	}
	bfd_close(ar);
	return cxx;
}
