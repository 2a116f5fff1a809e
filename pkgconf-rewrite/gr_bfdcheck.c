#include "gr_bfdcheck.h"
#include "gr_elfsh.h"
#include "gr_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- The common case without libbfd (issue 15) ----
 *
 * libbfd's first look at a candidate (bfd_check_format tries every target it
 * knows, reading the archive's symbol map and the member's section headers
 * through its file cache: 20 to 35 system calls a file) was a fifth of
 * `pkgconf-rewrite --each`. What it answers for the host's own files is
 * known in advance: an x86-64 ELF object or shared object (ELFCLASS64,
 * little-endian, EM_X86_64, OS ABI none or GNU), alone or as the first
 * member of an ar archive with a GNU symbol table, is "elf64-x86-64",
 * "i386:x86-64", when that is the library's default target. gr_bfd_fast
 * answers exactly that case, after the checks libbfd's elf_object_p and
 * archive reader make first (the ELF header, the section header table and
 * each section's bounds and links, the archive's member headers and symbol
 * table size), reading at most a few hundred bytes and the section headers;
 * anything else, or anything unusual, goes to libbfd as before. What it does
 * not repeat is libbfd's reading of the sections' contents: a file whose
 * headers are sound but whose contents are damaged is an archive or shared
 * object here where libbfd would call it no object (ld would then read it as
 * a script and fail); ld fails on such a file either way.
 * tests/unit/test_bfdfast.c compares both answers. */

/* Whether the n bytes at off lie within size (no overflow). */
static bool
gr_fits(uint64_t off, uint64_t n, uint64_t size)
{
	return off <= size && n <= size - off;
}

/* The file's first bytes, read once: most header reads fall within them. */
struct gr_fast_file {
	int fd;
	unsigned char head[4096];
	size_t nhead;
};

/* Read exactly n bytes at off, from f->head when they lie within it. */
static bool
gr_fast_read(struct gr_fast_file *f, void *buf, size_t n, uint64_t off)
{
	if (off <= f->nhead && n <= f->nhead - off) {
		memcpy(buf, f->head + off, n);
		return true;
	}
	return gr_file_pread(f->fd, buf, n, off);
}

#define GR_EHDR 64      /* sizeof(Elf64_Ehdr) */
#define GR_SHDR 64      /* sizeof(Elf64_Shdr) */
#define GR_PHDR 56      /* sizeof(Elf64_Phdr) */
#define GR_SHDRS_MAX 4096  /* more sections than this: libbfd */

/* The ELF file of size bytes at base in fd, its header (64 bytes) at eh:
 * 1 (ET_REL) or 3 (ET_DYN) when it is one libbfd reads as elf64-x86-64
 * with nothing unusual, else 0. */
static int
gr_fast_elf(struct gr_fast_file *fd, uint64_t base, uint64_t size, const unsigned char *eh, bool member)
{
	struct gr_elfsh h;
	struct gr_elfsh_sec s;
	uint64_t strsz;
	unsigned char *sh;
	uint16_t i;
	bool ok = true;

	if (size < GR_EHDR || !gr_elfsh_header(eh, GR_EHDR, &h) || !h.is64 || h.be ||
	    h.ident_version != 1 /* EV_CURRENT */ || (h.osabi != 0 && h.osabi != 3) /* ELFOSABI_NONE, ELFOSABI_GNU */)
		return 0;
	if ((h.type != 1 && h.type != 3) || (member && h.type != 1) || h.machine != 62 /* EM_X86_64 */ ||
	    h.version != 1 || h.ehsize != GR_EHDR)
		return 0;
	if (!gr_elfsh_table_fits(&h, size) || h.shnum > GR_SHDRS_MAX || h.shoff < GR_EHDR || h.shstrndx == 0 ||
	    h.shstrndx >= h.shnum)
		return 0;
	if (h.phnum && (h.phnum == 0xffff || h.phentsize != GR_PHDR || h.phoff < GR_EHDR ||
	                !gr_fits(h.phoff, (uint64_t)h.phnum * GR_PHDR, size)))
		return 0;
	if (!(sh = malloc((size_t)h.shnum * GR_SHDR)))
		return 0;
	if (!gr_fast_read(fd, sh, (size_t)h.shnum * GR_SHDR, base + h.shoff)) {
		free(sh);
		return 0;
	}
	/* the section names' table: each name must lie in it */
	gr_elfsh_sec(&h, sh + (size_t)h.shstrndx * GR_SHDR, &s);
	strsz = s.size;
	for (i = 0; i < h.shnum && ok; i++) {
		gr_elfsh_sec(&h, sh + (size_t)i * GR_SHDR, &s);
		if (i == 0) {
			/* the null section: extended numbering lives here */
			ok = s.type == 0 && s.link == 0 && s.info == 0;
			continue;
		}
		ok = s.name < strsz && s.link < h.shnum &&
		     (!((s.flags & 0x40 /* SHF_INFO_LINK */) || s.type == 4 /* SHT_RELA */ || s.type == 9 /* SHT_REL */) ||
		      s.info < h.shnum) &&
		     (s.type == 8 /* SHT_NOBITS */ || gr_fits(s.offset, s.size, size));
		/* the section types libbfd's bfd_section_from_shdr takes, with the
		 * entry sizes it requires; any other (or none): libbfd */
		switch (ok ? s.type : 0) {
		case 1: case 3: case 5: case 6: case 7: case 8:  /* PROGBITS STRTAB HASH DYNAMIC NOTE NOBITS */
		case 14: case 15: case 16:  /* INIT_ARRAY FINI_ARRAY PREINIT_ARRAY */
		case 0x6ffffff6: case 0x6ffffffd: case 0x6ffffffe:  /* GNU_HASH GNU_verdef GNU_verneed */
		case 0x70000001:  /* X86_64_UNWIND */
			break;
		case 2: case 11:  /* SYMTAB DYNSYM */
			ok = s.entsize == 24 && s.info <= s.size / 24;
			break;
		case 4:  /* RELA */
			ok = s.entsize == 24;
			break;
		case 9:  /* REL */
			ok = s.entsize == 16;
			break;
		case 17:  /* GROUP */
			ok = s.entsize == 4 && s.size >= 4 && s.size % 4 == 0;
			break;
		case 0x6fffffff:  /* GNU_versym */
			ok = s.entsize == 2;
			break;
		default:
			ok = false;
		}
		if (ok && i == h.shstrndx)
			ok = s.type == 3 /* SHT_STRTAB */ && s.size > 0;
	}
	free(sh);
	return ok ? h.type : 0;
}

/* An ar member header at off of a file of size bytes: its 60 bytes read
 * into hdr, its size into *msize; false when it is malformed or runs past the end. */
static bool
gr_fast_arhdr(struct gr_fast_file *fd, uint64_t off, uint64_t size, unsigned char *hdr, uint64_t *msize)
{
	uint64_t v = 0;
	int i;

	if (!gr_fits(off, 60, size) || !gr_fast_read(fd, hdr, 60, off) || hdr[58] != '`' || hdr[59] != '\n')
		return false;
	/* the size: decimal digits, then blanks only */
	for (i = 48; i < 58 && hdr[i] >= '0' && hdr[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(hdr[i] - '0');
	if (i == 48)
		return false;
	for (; i < 58; i++)
		if (hdr[i] != ' ')
			return false;
	*msize = v;
	return gr_fits(off + 60, v, size);
}

/* Whether the 16-byte ar name field is exactly name followed by blanks. */
static bool
gr_fast_arname(const unsigned char *hdr, const char *name)
{
	size_t n = strlen(name), i;

	if (memcmp(hdr, name, n))
		return false;
	for (i = n; i < 16; i++)
		if (hdr[i] != ' ')
			return false;
	return true;
}

/* Whether libbfd, opened with no target named, reads with elf64-x86-64 first.
 * bfd_find_target(NULL) reads GNUTARGET itself (library code asks no
 * environment variable: env-no-getenv): another target named there is what it
 * returns, and libbfd tries that one alone. */
static bool
gr_fast_usable(void)
{
	const bfd_target *d;

	/* Asked each time (a getenv and a look-up): GNUTARGET may change. */
	gr_bfd_init();
	d = bfd_find_target(NULL, NULL);
	return d && d->name && !strcmp(d->name, "elf64-x86-64");
}

/* The verdict for the common case (see above), filled into info: true, or
 * false when libbfd must judge (info then untouched). */
static bool
gr_bfd_fast(const char *path, uint64_t size, const struct gr_bfd_target *t, struct gr_cand_info *info)
{
	unsigned char head[GR_EHDR], hdr[60], map[4];
	uint64_t off, msize, mbase, names = 0;
	struct gr_fast_file ff, *fd = &ff;
	int kind = 0;

	if ((t && t->output_arch && strcmp(t->output_arch, "i386:x86-64")) || size < 8 || !gr_fast_usable())
		return false;
	if ((ff.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	ff.nhead = size < sizeof(ff.head) ? (size_t)size : sizeof(ff.head);
	if (!gr_file_pread(ff.fd, ff.head, ff.nhead, 0))
		goto no;
	memcpy(head, ff.head, ff.nhead < GR_EHDR ? ff.nhead : GR_EHDR);
	if (!memcmp(head, "!<arch>\n", 8)) {
		/* the GNU symbol table first ("/"), then maybe the long names ("//") */
		if (!gr_fast_arhdr(fd, 8, size, hdr, &msize) || !gr_fast_arname(hdr, "/") || msize < 4 ||
		    !gr_fast_read(fd, map, 4, 68))
			goto no;
		/* the symbol count (big-endian), an offset each */
		if (((uint64_t)map[0] << 24 | (uint64_t)map[1] << 16 | (uint64_t)map[2] << 8 | map[3]) > (msize - 4) / 4)
			goto no;
		off = 68 + msize + (msize & 1);
		if (!gr_fast_arhdr(fd, off, size, hdr, &msize) || gr_fast_arname(hdr, "/"))
			goto no;  /* a second symbol table (PE's): libbfd */
		if (gr_fast_arname(hdr, "//")) {
			names = msize;
			off += 60 + msize + (msize & 1);
			if (!gr_fast_arhdr(fd, off, size, hdr, &msize))
				goto no;
		}
		/* the first member: a name ("name/"), or "/N" with N within the long names */
		if (hdr[0] == '/') {
			uint64_t ix = 0;
			int i;
			for (i = 1; i < 16 && hdr[i] >= '0' && hdr[i] <= '9' && ix < names; i++)
				ix = ix * 10 + (uint64_t)(hdr[i] - '0');
			if (i == 1 || ix >= names)
				goto no;
			for (; i < 16; i++)
				if (hdr[i] != ' ')
					goto no;
		} else if (hdr[0] == '#' || hdr[0] == ' ' || !memchr(hdr, '/', 16))
			goto no;
		mbase = off + 60;
		if (msize < GR_EHDR || !gr_fast_read(fd, head, GR_EHDR, mbase) ||
		    gr_fast_elf(fd, mbase, msize, head, true) != 1)
			goto no;
		kind = GR_CAND_ARCHIVE;
	} else if (size >= GR_EHDR) {
		switch (gr_fast_elf(fd, 0, size, head, false)) {
		case 1:
			kind = GR_CAND_OBJECT;
			break;
		case 3:
			kind = GR_CAND_SHARED;
			break;
		default:
			goto no;
		}
	} else
		goto no;
	close(ff.fd);
	memset(info, 0, sizeof(*info));
	info->kind = (enum gr_cand)kind;
	memcpy(info->format, "elf64-x86-64", sizeof("elf64-x86-64"));
	memcpy(info->arch, "i386:x86-64", sizeof("i386:x86-64"));
	return true;
no:
	close(ff.fd);
	return false;
}

/* gr_bfd_classify with libbfd alone, from stat's answer st. */
static int gr_bfd_classify_bfd(const char *path, const struct stat *st, const struct gr_bfd_target *t,
                               struct gr_cand_info *info);

int
gr_bfd_classify(const char *path, const struct gr_bfd_target *t, struct gr_cand_info *info,
                struct gr_error *err)
{
	struct stat st;

	(void)err;
	memset(info, 0, sizeof(*info));
	info->kind = GR_CAND_UNOPENABLE;
	/* ld skips what it cannot open: missing files, dangling links, directories. */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return GR_OK;
	if (gr_bfd_fast(path, (uint64_t)st.st_size, t, info))
		return GR_OK;
	return gr_bfd_classify_bfd(path, &st, t, info);
}

int
gr_bfd_classify_stat(const char *path, const struct stat *st, const struct gr_bfd_target *t,
                     struct gr_cand_info *info)
{
	memset(info, 0, sizeof(*info));
	info->kind = GR_CAND_UNOPENABLE;
	if (!S_ISREG(st->st_mode))
		return GR_OK;
	if (gr_bfd_fast(path, (uint64_t)st->st_size, t, info))
		return GR_OK;
	return gr_bfd_classify_bfd(path, st, t, info);
}

int
gr_bfd_classify_libbfd(const char *path, const struct gr_bfd_target *t, struct gr_cand_info *info)
{
	struct stat st;

	memset(info, 0, sizeof(*info));
	info->kind = GR_CAND_UNOPENABLE;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return GR_OK;
	return gr_bfd_classify_bfd(path, &st, t, info);
}

bool
gr_bfd_classify_fast(const char *path, const struct gr_bfd_target *t, struct gr_cand_info *info)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && gr_bfd_fast(path, (uint64_t)st.st_size, t, info);
}

static int
gr_bfd_classify_bfd(const char *path, const struct stat *stp, const struct gr_bfd_target *t,
                    struct gr_cand_info *info)
{
	const struct stat st = *stp;
	bfd *b, *check;

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
