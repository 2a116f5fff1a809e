#include "gr_elf.h"
#include "gr_elfver.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

/* Facts gathered from PT_DYNAMIC before the string table is known. */
struct gr_elf_dyn {
	uint64_t strtab, strsz, soname, flags_1;
	bool has_strtab, has_strsz, has_soname;
	uint64_t *needed;   /* string-table offsets, in order */
	size_t nneeded;
	uint64_t *rpath, *runpath;
	size_t nrpath, nrunpath;
};

/* A PT_LOAD segment, to turn addresses into file offsets. */
struct gr_elf_load {
	uint64_t vaddr, filesz, memsz, offset;
};

/* The file offset of address addr and how many file bytes follow it in its
 * segment; false when no PT_LOAD holds file bytes there. */
static bool
gr_elf_map(const struct gr_elf_load *loads, size_t n, uint64_t addr, uint64_t *off, uint64_t *avail)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= loads[i].vaddr && addr - loads[i].vaddr < loads[i].filesz) {
			*off = loads[i].offset + (addr - loads[i].vaddr);
			*avail = loads[i].filesz - (addr - loads[i].vaddr);
			return true;
		}
	return false;
}

/* Whether addr lies in a PT_LOAD's memory but not in its file bytes. */
static bool
gr_elf_unbacked(const struct gr_elf_load *loads, size_t n, uint64_t addr)
{
	size_t i;
	uint64_t off, avail;

	if (gr_elf_map(loads, n, addr, &off, &avail))
		return false;
	for (i = 0; i < n; i++)
		if (addr >= loads[i].vaddr && addr - loads[i].vaddr < loads[i].memsz)
			return true;
	return false;
}

bool
gr_elf_is(const unsigned char *buf, size_t len)
{
	return len >= 4 && memcmp(buf, ELFMAG, SELFMAG) == 0;
}

bool
gr_elf_file_is(const char *path)
{
	unsigned char magic[SELFMAG];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	do
		r = read(fd, magic, sizeof(magic));
	while (r < 0 && errno == EINTR);
	close(fd);
	return r == (ssize_t)sizeof(magic) && gr_elf_is(magic, sizeof(magic));
}

static const char *
gr_elf_arch(unsigned machine, int bits)
{
	switch (machine) {
	case EM_X86_64: return "x86-64";
	case EM_386: return "i386";
	case EM_AARCH64: return "aarch64";
	case EM_ARM: return "arm";
	case EM_MIPS: return bits == 64 ? "mips64" : "mips";
	case EM_PPC: return "ppc";
	case EM_PPC64: return "ppc64";
	case EM_S390: return bits == 64 ? "s390x" : "s390";
	case EM_RISCV: return bits == 64 ? "riscv64" : "riscv32";
	case EM_SPARC: return "sparc";
	case EM_SPARCV9: return "sparc64";
	case EM_IA_64: return "ia64";
	case EM_ALPHA: return "alpha";
	case EM_PARISC: return "hppa";
	case EM_SH: return "sh";
	case EM_68K: return "m68k";
	case 258: return "loongarch";  /* EM_LOONGARCH, newer than some elf.h */
	}
	return NULL;
}

static int
gr_elf_nomem(struct gr_error *err, const char *path)
{
	return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
}

/* Append v to a growable uint64 array kept in the arena. */
static bool
gr_elf_push(struct gr_arena *a, uint64_t **arr, size_t *n, size_t *cap, uint64_t v)
{
	void *grown = *arr;

	if (!gr_arena_grow(a, &grown, *n, cap, sizeof(**arr)))
		return false;
	*arr = grown;
	(*arr)[(*n)++] = v;
	return true;
}

/* Append a copy of name to a growable string array in the arena, unless it is there. */
static bool
gr_elf_push_name(struct gr_arena *a, const char ***arr, size_t *n, size_t *cap, const char *name)
{
	void *grown = *arr;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*arr)[i], name))
			return true;
	if (!gr_arena_grow(a, &grown, *n, cap, sizeof(**arr)) || !(name = gr_arena_strdup(a, name)))
		return false;
	*arr = grown;
	(*arr)[(*n)++] = name;
	return true;
}

/* Read the PT_DYNAMIC entries at [off, off+size) up to DT_NULL. */
static int
gr_elf_read_dynamic(Elf *elf, uint64_t off, uint64_t size, const char *path,
                    struct gr_arena *a, struct gr_elf_dyn *dyn, struct gr_error *err)
{
	Elf_Data *data;
	size_t entsize, n, i, capn = 0, capr = 0, capu = 0;
	GElf_Dyn d;

	/* Whole entries only: libelf converts a foreign-endian chunk wrongly otherwise. */
	entsize = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
	if (entsize)
		size -= size % entsize;
	if (size == 0)
		return GR_OK;
	data = elf_getdata_rawchunk(elf, (int64_t)off, size, ELF_T_DYN);
	if (!data)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: PT_DYNAMIC at offset 0x%llx (%llu bytes) is unreadable: %s",
		                    path, (unsigned long long)off, (unsigned long long)size,
		                    elf_errmsg(-1));
	n = entsize ? data->d_size / entsize : 0;
	for (i = 0; i < n; i++) {
		if (!gelf_getdyn(data, (int)i, &d))
			return gr_error_set(err, GR_EFORMAT, 0, "%s: dynamic entry %zu is unreadable: %s",
			                    path, i, elf_errmsg(-1));
		if (d.d_tag == DT_NULL)
			break;
		switch (d.d_tag) {
		case DT_NEEDED:
			if (!gr_elf_push(a, &dyn->needed, &dyn->nneeded, &capn, d.d_un.d_val))
				return gr_elf_nomem(err, path);
			break;
		case DT_RPATH:
			if (!gr_elf_push(a, &dyn->rpath, &dyn->nrpath, &capr, d.d_un.d_val))
				return gr_elf_nomem(err, path);
			break;
		case DT_RUNPATH:
			if (!gr_elf_push(a, &dyn->runpath, &dyn->nrunpath, &capu, d.d_un.d_val))
				return gr_elf_nomem(err, path);
			break;
		case DT_SONAME:
			dyn->soname = d.d_un.d_val;
			dyn->has_soname = true;
			break;
		case DT_STRTAB:
			dyn->strtab = d.d_un.d_ptr;
			dyn->has_strtab = true;
			break;
		case DT_STRSZ:
			dyn->strsz = d.d_un.d_val;
			dyn->has_strsz = true;
			break;
		case DT_FLAGS_1:
			dyn->flags_1 = d.d_un.d_val;
			break;
		}
	}
	return GR_OK;
}

/* The dynamic string table, checked to lie inside the file. */
struct gr_elf_strtab {
	const unsigned char *base;
	uint64_t size;
};

static int
gr_elf_find_strtab(const unsigned char *buf, size_t len, const struct gr_elf_load *loads,
                   size_t nloads, const struct gr_elf_dyn *dyn, const char *path,
                   struct gr_elf_strtab *st, struct gr_error *err)
{
	uint64_t off = 0, avail = 0;
	bool found;

	if (!dyn->has_strtab)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: PT_DYNAMIC names libraries but has no DT_STRTAB", path);
	found = gr_elf_map(loads, nloads, dyn->strtab, &off, &avail);
	if (!found)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: DT_STRTAB address 0x%llx is not inside any PT_LOAD segment",
		                    path, (unsigned long long)dyn->strtab);
	if (dyn->has_strsz) {
		if (dyn->strsz > avail)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: DT_STRSZ %llu runs past its PT_LOAD segment (%llu bytes left)",
			                    path, (unsigned long long)dyn->strsz, (unsigned long long)avail);
		avail = dyn->strsz;
	}
	if (off > len || avail > len - off)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: dynamic string table at offset 0x%llx (%llu bytes) extends past the end of the file (%zu bytes)",
		                    path, (unsigned long long)off, (unsigned long long)avail, len);
	st->base = buf + off;
	st->size = avail;
	return GR_OK;
}

/* Copy the NUL-terminated string at offset o of the string table. */
static int
gr_elf_string(const struct gr_elf_strtab *st, uint64_t o, const char *what, const char *path,
              struct gr_arena *a, const char **out, struct gr_error *err)
{
	const unsigned char *nul;

	if (o >= st->size)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: %s string offset 0x%llx is beyond the dynamic string table (%llu bytes)",
		                    path, what, (unsigned long long)o, (unsigned long long)st->size);
	nul = memchr(st->base + o, 0, (size_t)(st->size - o));
	if (!nul)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: %s string at offset 0x%llx is not NUL-terminated inside the dynamic string table",
		                    path, what, (unsigned long long)o);
	*out = gr_arena_strndup(a, (const char *)st->base + o, (size_t)(nul - (st->base + o)));
	return *out ? GR_OK : gr_elf_nomem(err, path);
}

/* Split colon-separated search paths from the string table into one list. */
static int
gr_elf_paths(const struct gr_elf_strtab *st, const uint64_t *offs, size_t noffs,
             const char *what, const char *path, struct gr_arena *a,
             const char ***out, size_t *nout, struct gr_error *err)
{
	size_t i, n = 0, cap = 0;
	const char **list = NULL;
	int rc;

	for (i = 0; i < noffs; i++) {
		const char *s, *p, *colon;
		if ((rc = gr_elf_string(st, offs[i], what, path, a, &s, err)))
			return rc;
		for (p = s;; p = colon + 1) {
			const char *dir;
			void *grown = list;
			colon = strchr(p, ':');
			dir = colon ? gr_arena_strndup(a, p, (size_t)(colon - p)) : p;
			if (!dir || !gr_arena_grow(a, &grown, n, &cap, sizeof(*list)))
				return gr_elf_nomem(err, path);
			list = grown;
			list[n++] = dir;
			if (!colon)
				break;
		}
	}
	*out = list;
	*nout = n;
	return GR_OK;
}

/* glibc functions that a static binary carries but cannot really run without
 * glibc's shared objects: NSS lookups and iconv's gconv modules. (dlopen is in
 * every static glibc binary, used or not, so its presence tells nothing; the
 * link-time warning names its callers.) */
static const char *const gr_elf_glibc_rt[] = {
	"getaddrinfo", "gethostbyname", "gethostbyname_r", "gethostbyaddr", "getnameinfo",
	"getpwnam", "getpwnam_r", "getpwuid", "getpwuid_r", "getgrnam", "getgrnam_r", "getgrgid",
	"getgrgid_r", "getgrouplist", "initgroups", "getspnam", "iconv_open",
};

/* Symbols only glibc's static start-up and locale code define (2.26 and
 * later have one of them at least), and the one musl's does: a binary
 * linked against musl defines getaddrinfo and getpwnam too, but they need
 * nothing at run time. */
static const char *const gr_elf_glibc_marks[] = {
	"__libc_setup_tls", "__libc_start_call_main", "_dl_relocate_static_pie", "_nl_C_locobj",
};
#define GR_ELF_MUSL_MARK "__init_libc"

/* libstdc++'s locale code (config/locale/gnu/numeric_members.cc): it calls
 * iconv_open only to narrow a named locale's multibyte decimal point or
 * thousands separator to ASCII, and falls back to the default when that
 * fails. Every static C++ binary carries it. */
#define GR_ELF_LIBSTDCXX_ICONV "_ZSt24__narrow_multibyte_chars"

/* The most direct call sites of one function gr_elf_callers records. */
#define GR_ELF_MAX_SITES 64

/* The addresses of the direct calls and jumps to target in the executable
 * sections: x86-64 call/jmp rel32, aarch64 bl/b. Other machines: none (the
 * callers stay unknown). A stray byte pattern can only add a site, never hide one. */
static size_t
gr_elf_call_sites(Elf *elf, const GElf_Ehdr *eh, uint64_t target, uint64_t *sites)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *data;
	size_t n = 0, i;

	if (!(eh->e_machine == EM_X86_64 || eh->e_machine == EM_AARCH64) ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_CLASS] != ELFCLASS64)
		return 0;
	while ((scn = elf_nextscn(elf, scn)) != NULL && n < GR_ELF_MAX_SITES) {
		const unsigned char *b;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		if (!(data = elf_getdata(scn, NULL)) || !data->d_buf)
			continue;
		b = data->d_buf;
		if (eh->e_machine == EM_X86_64) {
			for (i = 0; i + 5 <= data->d_size && n < GR_ELF_MAX_SITES; i++) {
				int32_t rel;
				if (b[i] != 0xe8 && b[i] != 0xe9)
					continue;
				rel = (int32_t)((uint32_t)b[i + 1] | (uint32_t)b[i + 2] << 8 |
				                (uint32_t)b[i + 3] << 16 | (uint32_t)b[i + 4] << 24);
				if (sh.sh_addr + i + 5 + (uint64_t)(int64_t)rel == target)
					sites[n++] = sh.sh_addr + i;
			}
		} else {
			for (i = 0; i + 4 <= data->d_size && n < GR_ELF_MAX_SITES; i += 4) {
				uint32_t insn = (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 |
				                (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
				int64_t imm;
				if ((insn & 0x7c000000u) != 0x14000000u)  /* b, bl */
					continue;
				imm = (int64_t)(insn & 0x03ffffffu);
				if (imm & 0x02000000)
					imm -= 0x04000000;
				if (sh.sh_addr + i + (uint64_t)(imm * 4) == target)
					sites[n++] = sh.sh_addr + i;
			}
		}
	}
	return n;
}

/* The functions of the symbol table data (entries of entsize bytes, names in
 * section strndx) that hold the call sites to iconv_open at target. */
static int
gr_elf_iconv_callers(Elf *elf, const GElf_Ehdr *eh, Elf_Data *data, size_t nsyms, size_t strndx,
                     uint64_t target, const char *path, struct gr_arena *a, struct gr_image *img,
                     struct gr_error *err)
{
	uint64_t sites[GR_ELF_MAX_SITES];
	size_t nsites = gr_elf_call_sites(elf, eh, target, sites), i, k, cap = 0;
	GElf_Sym sym;

	for (k = 0; k < nsites; k++) {
		const char *who = NULL;
		for (i = 0; i < nsyms && !who; i++) {
			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC || sites[k] < sym.st_value ||
			    sites[k] - sym.st_value >= sym.st_size)
				continue;
			who = elf_strptr(elf, strndx, sym.st_name);
		}
		if (!who || !*who)
			who = "?";  /* in no function the symbol table names */
		if (!gr_elf_push_name(a, &img->iconv_callers, &img->niconv_callers, &cap, who))
			return gr_elf_nomem(err, path);
	}
	return GR_OK;
}

/* Look for them among the defined functions of .symtab (when it was kept),
 * in a binary that glibc's own code marks as glibc's. iconv_open that only
 * libstdc++'s locale code calls is not one: nothing loads unless a program
 * picks a named locale with a multibyte separator in a charset glibc has no
 * built-in converter for, and a failure there only keeps the separator as it is. */
static int
gr_elf_glibc_runtime(Elf *elf, const GElf_Ehdr *eh, const char *path, struct gr_arena *a,
                     struct gr_image *img, struct gr_error *err)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0, i, k, nsyms;
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *data;
	bool glibc = false, musl = false, iconv = false;
	uint64_t iconv_at = 0;
	int rc;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		if (!(data = elf_getdata(scn, NULL)))
			return GR_OK;  /* an unreadable symbol table only means no finding */
		nsyms = data->d_size / sh.sh_entsize;
		for (i = 0; i < nsyms; i++) {
			const char *name;
			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			for (k = 0; k < sizeof(gr_elf_glibc_marks) / sizeof(gr_elf_glibc_marks[0]) && !glibc; k++)
				glibc = !strcmp(name, gr_elf_glibc_marks[k]);
			if (!musl && !strcmp(name, GR_ELF_MUSL_MARK))
				musl = true;
			if (GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			if (!iconv && !strcmp(name, "iconv_open")) {
				iconv = true;
				iconv_at = sym.st_value;
			}
			for (k = 0; k < sizeof(gr_elf_glibc_rt) / sizeof(gr_elf_glibc_rt[0]); k++) {
				if (strcmp(name, gr_elf_glibc_rt[k]) != 0)
					continue;
				if (!gr_elf_push_name(a, &img->glibc_runtime, &img->nglibc_runtime, &cap, name))
					return gr_elf_nomem(err, path);
				break;
			}
		}
		if (glibc && !musl && iconv &&
		    (rc = gr_elf_iconv_callers(elf, eh, data, nsyms, sh.sh_link, iconv_at, path, a, img, err)))
			return rc;
		break;
	}
	if (!glibc || musl) {
		img->nglibc_runtime = 0;  /* not glibc's: nothing to load at run time */
		img->niconv_callers = 0;
		return GR_OK;
	}
	/* Only libstdc++'s locale code calls iconv_open: no finding (see above).
	 * Not when the call sites filled the list: more may be unseen. */
	for (k = 0; k < img->niconv_callers && img->niconv_callers < GR_ELF_MAX_SITES; k++)
		if (strncmp(img->iconv_callers[k], GR_ELF_LIBSTDCXX_ICONV, strlen(GR_ELF_LIBSTDCXX_ICONV)) != 0)
			break;
	if (img->niconv_callers && img->niconv_callers < GR_ELF_MAX_SITES && k == img->niconv_callers) {
		for (i = k = 0; i < img->nglibc_runtime; i++)
			if (strcmp(img->glibc_runtime[i], "iconv_open") != 0)
				img->glibc_runtime[k++] = img->glibc_runtime[i];
		img->nglibc_runtime = k;
	}
	return GR_OK;
}

/* What marks glibc's static libc.a in a binary: functions only its static
 * start-up defines (csu/libc-start.c, csu/libc-tls.c, elf/dl-support.c;
 * __libc_start_main itself only alongside one of them), and sections only its
 * own objects make, which survive strip(1). A dynamic binary takes all of
 * these from libc.so.6 and defines none. (_dl_relocate_static_pie is no mark
 * here: glibc's crt1.o defines an empty one in every non-PIE link.) */
static const char *const gr_elf_static_syms[] = {
	"__libc_setup_tls", "__libc_start_call_main", "_dl_aux_init", "_dl_non_dynamic_init",
};
static const char *const gr_elf_static_sections[] = {
	"__libc_IO_vtables", "__libc_atexit", "__libc_subfreeres", "__libc_freeres_ptrs",
	"__libc_freeres_fn",
};

static bool
gr_elf_in(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Fill img->glibc_static from .symtab and .dynsym (defined functions, in this
 * order: __libc_start_main, the others), then from the section names. */
static int
gr_elf_glibc_static(Elf *elf, const char *path, struct gr_arena *a, struct gr_image *img,
                    struct gr_error *err)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0, i, nsyms, shstrndx;
	bool have_shstr = elf_getshdrstrndx(elf, &shstrndx) == 0, start = false;
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *data;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		nsyms = data->d_size / sh.sh_entsize;
		for (i = 0; i < nsyms; i++) {
			const char *name;
			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			if (!strcmp(name, "__libc_start_main"))
				start = true;
			else if (gr_elf_in(gr_elf_static_syms, sizeof(gr_elf_static_syms) / sizeof(gr_elf_static_syms[0]), name) &&
			         !gr_elf_push_name(a, &img->glibc_static, &img->nglibc_static, &cap, name))
				return gr_elf_nomem(err, path);
		}
	}
	/* __libc_start_main first, and only beside another mark. */
	if (start && img->nglibc_static) {
		if (!gr_elf_push_name(a, &img->glibc_static, &img->nglibc_static, &cap, "__libc_start_main"))
			return gr_elf_nomem(err, path);
		memmove(img->glibc_static + 1, img->glibc_static, (img->nglibc_static - 1) * sizeof(*img->glibc_static));
		img->glibc_static[0] = "__libc_start_main";
	}
	while (have_shstr && (scn = elf_nextscn(elf, scn)) != NULL) {
		const char *sname;
		if (gelf_getshdr(scn, &sh) && (sname = elf_strptr(elf, shstrndx, sh.sh_name)) != NULL &&
		    gr_elf_in(gr_elf_static_sections, sizeof(gr_elf_static_sections) / sizeof(gr_elf_static_sections[0]), sname) &&
		    !gr_elf_push_name(a, &img->glibc_static, &img->nglibc_static, &cap, sname))
			return gr_elf_nomem(err, path);
	}
	return GR_OK;
}

/* Decide the verdict from the facts, as documented in docs/gorelink-check.1. */
static void
gr_elf_classify(const GElf_Ehdr *eh, bool has_dynamic, struct gr_image *img)
{
	bool interp = img->interp != NULL;

	switch (eh->e_type) {
	case ET_REL:
		img->verdict = GR_V_OBJECT;
		return;
	case ET_CORE:
		img->verdict = GR_V_CORE;
		return;
	case ET_EXEC:
		img->verdict = (interp || img->nneeded) ? GR_V_DYNAMIC : GR_V_STATIC;
		break;
	case ET_DYN:
		if (interp) {
			/* libc.so.6 has an interpreter too: a soname without DF_1_PIE marks a library. */
			img->verdict = (!img->pie && img->soname) ? GR_V_SHARED_LIBRARY : GR_V_DYNAMIC;
		} else if (img->pie) {
			img->verdict = img->nneeded ? GR_V_DYNAMIC : GR_V_STATIC_PIE;
		} else if (img->soname || img->nneeded || eh->e_entry == 0 || !has_dynamic) {
			img->verdict = GR_V_SHARED_LIBRARY;
		} else {
			/* Older linkers wrote static PIEs without DF_1_PIE. */
			img->verdict = GR_V_STATIC_PIE;
		}
		break;
	default:
		img->verdict = GR_V_OTHER;
		return;
	}
	img->executable = img->verdict == GR_V_STATIC || img->verdict == GR_V_STATIC_PIE ||
	                  img->verdict == GR_V_DYNAMIC;
}

/* What the program headers say, gathered in one pass. */
struct gr_elf_segments {
	struct gr_elf_load *loads;  /* the PT_LOAD segments, in order */
	size_t nloads;
	GElf_Phdr interp, dynamic;  /* the first PT_INTERP, the last PT_DYNAMIC */
	size_t ninterp, ndynamic;
};

/* Phase 1, before libelf: the identification bytes and the header's size. */
static int
gr_elf_ident(const unsigned char *buf, size_t len, const char *path, struct gr_image *img,
             struct gr_error *err)
{
	size_t ehsize;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return gr_error_set(err, GR_EIO, 0, "%s: libelf is unusable: %s", path, elf_errmsg(-1));
	if (len < EI_NIDENT)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: truncated ELF identification (%zu of %d bytes)", path, len, EI_NIDENT);
	if (buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: unknown ELF class %u", path, buf[EI_CLASS]);
	if (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: unknown ELF byte order %u", path, buf[EI_DATA]);
	img->bits = buf[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	img->big_endian = buf[EI_DATA] == ELFDATA2MSB;
	ehsize = img->bits == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (len < ehsize)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated ELF header (%zu of %zu bytes)",
		                    path, len, ehsize);
	return GR_OK;
}

/* Phase 2: the ELF header through libelf, and the architecture it names. */
static int
gr_elf_header(Elf *elf, const char *path, struct gr_arena *a, GElf_Ehdr *eh,
              struct gr_image *img, struct gr_error *err)
{
	const char *arch;
	char machine[32];

	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, eh))
		return gr_error_set(err, GR_EFORMAT, 0, "%s: unreadable ELF header: %s", path, elf_errmsg(-1));
	arch = gr_elf_arch(eh->e_machine, img->bits);
	if (!arch) {
		snprintf(machine, sizeof(machine), "machine-%u", (unsigned)eh->e_machine);
		arch = machine;
	}
	if (!(img->arch = gr_arena_strdup(a, arch)))
		return gr_elf_nomem(err, path);
	return GR_OK;
}

/* The number of program headers: e_phnum, or section 0's sh_info for PN_XNUM.
 * (libelf clamps the count to what fits in the file, which would hide a
 * truncated table.) */
static int
gr_elf_phnum(Elf *elf, const GElf_Ehdr *eh, const char *path, size_t *phnum, struct gr_error *err)
{
	GElf_Shdr sh0;
	Elf_Scn *scn0;

	*phnum = eh->e_phnum;
	if (*phnum != PN_XNUM)
		return GR_OK;
	scn0 = elf_getscn(elf, 0);
	if (!scn0 || !gelf_getshdr(scn0, &sh0))
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: e_phnum is PN_XNUM but section header 0 is unreadable: %s",
		                    path, elf_errmsg(-1));
	*phnum = sh0.sh_info;
	return GR_OK;
}

/* Phase 3: the program headers, checked to lie inside the file: the PT_LOAD
 * segments, PT_INTERP and PT_DYNAMIC (at most one of each). */
static int
gr_elf_read_segments(Elf *elf, const GElf_Ehdr *eh, size_t len, int bits, const char *path,
                     struct gr_arena *a, struct gr_elf_segments *seg, struct gr_error *err)
{
	size_t phnum, i, phsize = bits == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	GElf_Phdr ph;
	int rc;

	if (eh->e_phnum == 0 && eh->e_type == ET_EXEC)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: executable has no program headers", path);
	if ((rc = gr_elf_phnum(elf, eh, path, &phnum, err)))
		return rc;
	if (phnum) {
		if (eh->e_phentsize != phsize)
			return gr_error_set(err, GR_EFORMAT, 0, "%s: e_phentsize is %u, expected %zu",
			                    path, (unsigned)eh->e_phentsize, phsize);
		if (eh->e_phoff > len || phnum > (len - eh->e_phoff) / phsize)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: program headers (%zu x %zu bytes at offset 0x%llx) extend past the end of the file (%zu bytes)",
			                    path, phnum, phsize, (unsigned long long)eh->e_phoff, len);
		seg->loads = gr_arena_alloc(a, phnum * sizeof(*seg->loads));
		if (!seg->loads)
			return gr_elf_nomem(err, path);
	}
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph))
			return gr_error_set(err, GR_EFORMAT, 0, "%s: program header %zu is unreadable: %s",
			                    path, i, elf_errmsg(-1));
		if (ph.p_type == PT_LOAD) {
			struct gr_elf_load *l = &seg->loads[seg->nloads];
			if (ph.p_offset + ph.p_filesz < ph.p_offset || ph.p_vaddr + ph.p_memsz < ph.p_vaddr ||
			    ph.p_filesz > ph.p_memsz)
				return gr_error_set(err, GR_EFORMAT, 0,
				                    "%s: PT_LOAD %zu has impossible sizes (offset 0x%llx, file %llu, memory %llu bytes)",
				                    path, i, (unsigned long long)ph.p_offset,
				                    (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
			l->vaddr = ph.p_vaddr;
			l->filesz = ph.p_filesz;
			l->memsz = ph.p_memsz;
			l->offset = ph.p_offset;
			seg->nloads++;
		} else if (ph.p_type == PT_INTERP) {
			if (seg->ninterp++ == 0)
				seg->interp = ph;
		} else if (ph.p_type == PT_DYNAMIC) {
			seg->ndynamic++;
			seg->dynamic = ph;  /* the dynamic loader uses the last one */
		}
	}
	if (seg->ninterp > 1 || seg->ndynamic > 1)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: %zu PT_INTERP and %zu PT_DYNAMIC segments; a valid file has at most one of each",
		                    path, seg->ninterp, seg->ndynamic);
	return GR_OK;
}

/* Whether this is a separate debug file: objcopy --only-keep-debug keeps the
 * program headers but not the bytes they describe, and such a file is never
 * run. It shows as a PT_INTERP or PT_DYNAMIC whose loaded bytes the file does
 * not hold, or (a static non-PIE original has neither) as an entry point
 * there: the code the kernel would jump to is not in the file. */
static bool
gr_elf_is_debug_info(const GElf_Ehdr *eh, const struct gr_elf_segments *seg)
{
	return (seg->ninterp && seg->interp.p_filesz == 0 && seg->interp.p_memsz > 0 &&
	        gr_elf_unbacked(seg->loads, seg->nloads, seg->interp.p_vaddr)) ||
	       (seg->ndynamic && gr_elf_unbacked(seg->loads, seg->nloads, seg->dynamic.p_vaddr)) ||
	       gr_elf_unbacked(seg->loads, seg->nloads, eh->e_entry);
}

/* Phase 4: the interpreter, where the kernel reads it: at p_offset, p_filesz bytes. */
static int
gr_elf_read_interp(const unsigned char *buf, size_t len, const GElf_Phdr *ph, const char *path,
                   struct gr_arena *a, struct gr_image *img, struct gr_error *err)
{
	const unsigned char *nul;

	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: PT_INTERP at offset 0x%llx (%llu bytes) extends past the end of the file (%zu bytes)",
		                    path, (unsigned long long)ph->p_offset,
		                    (unsigned long long)ph->p_filesz, len);
	nul = memchr(buf + ph->p_offset, 0, (size_t)ph->p_filesz);
	if (!nul)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: PT_INTERP string at offset 0x%llx is not NUL-terminated",
		                    path, (unsigned long long)ph->p_offset);
	img->interp = gr_arena_strndup(a, (const char *)buf + ph->p_offset,
	                               (size_t)(nul - (buf + ph->p_offset)));
	return img->interp ? GR_OK : gr_elf_nomem(err, path);
}

/* Phase 5: the dynamic section. The dynamic loader reads PT_DYNAMIC at its
 * address, through the PT_LOAD that maps it, up to DT_NULL: p_offset and
 * p_filesz are not what it uses, so they cannot hide a table from this check. */
static int
gr_elf_read_pt_dynamic(Elf *elf, size_t len, const struct gr_elf_segments *seg,
                       const char *path, struct gr_arena *a, struct gr_elf_dyn *dyn,
                       struct gr_error *err)
{
	uint64_t off, avail;

	if (!gr_elf_map(seg->loads, seg->nloads, seg->dynamic.p_vaddr, &off, &avail))
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: PT_DYNAMIC at address 0x%llx is not inside any PT_LOAD segment",
		                    path, (unsigned long long)seg->dynamic.p_vaddr);
	if (off > len || avail > len - off)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: PT_DYNAMIC at offset 0x%llx (%llu bytes) extends past the end of the file (%zu bytes)",
		                    path, (unsigned long long)off, (unsigned long long)avail, len);
	return gr_elf_read_dynamic(elf, off, avail, path, a, dyn, err);
}

/* Phase 6: the names the dynamic section points to in its string table:
 * DT_SONAME, DT_NEEDED, DT_RPATH and DT_RUNPATH. */
static int
gr_elf_read_names(const unsigned char *buf, size_t len, const struct gr_elf_segments *seg,
                  const struct gr_elf_dyn *dyn, const char *path, struct gr_arena *a,
                  struct gr_image *img, struct gr_error *err)
{
	struct gr_elf_strtab st;
	size_t i;
	int rc;

	if (!(dyn->nneeded || dyn->has_soname || dyn->nrpath || dyn->nrunpath))
		return GR_OK;
	if ((rc = gr_elf_find_strtab(buf, len, seg->loads, seg->nloads, dyn, path, &st, err)))
		return rc;
	if (dyn->has_soname &&
	    (rc = gr_elf_string(&st, dyn->soname, "DT_SONAME", path, a, &img->soname, err)))
		return rc;
	if (dyn->nneeded) {
		img->needed = gr_arena_alloc(a, dyn->nneeded * sizeof(*img->needed));
		if (!img->needed)
			return gr_elf_nomem(err, path);
	}
	for (i = 0; i < dyn->nneeded; i++) {
		struct gr_dep *d = &img->needed[i];
		if ((rc = gr_elf_string(&st, dyn->needed[i], "DT_NEEDED", path, a, &d->name, err)))
			return rc;
		d->command = "DT_NEEDED";
		d->origin = GR_ORIGIN_NONE;
		img->nneeded++;
	}
	if ((rc = gr_elf_paths(&st, dyn->rpath, dyn->nrpath, "DT_RPATH", path, a,
	                       &img->rpath, &img->nrpath, err)))
		return rc;
	return gr_elf_paths(&st, dyn->runpath, dyn->nrunpath, "DT_RUNPATH", path, a,
	                    &img->runpath, &img->nrunpath, err);
}

/* Run the phases in order; each one reads only what the previous ones checked. */
static int
gr_elf_read_phases(Elf *elf, unsigned char *buf, size_t len, const char *path,
                   struct gr_arena *a, struct gr_image *img, struct gr_error *err)
{
	GElf_Ehdr eh;
	struct gr_elf_segments seg;
	struct gr_elf_dyn dyn;
	int rc;

	memset(&seg, 0, sizeof(seg));
	memset(&dyn, 0, sizeof(dyn));
	if ((rc = gr_elf_header(elf, path, a, &eh, img, err)))
		return rc;
	if (eh.e_type == ET_REL || eh.e_type == ET_CORE || eh.e_type == ET_NONE) {
		gr_elf_classify(&eh, false, img);
		return GR_OK;
	}
	if ((rc = gr_elf_read_segments(elf, &eh, len, img->bits, path, a, &seg, err)))
		return rc;
	if (gr_elf_is_debug_info(&eh, &seg)) {
		img->verdict = GR_V_DEBUG_INFO;
		return GR_OK;
	}
	if (seg.ninterp && (rc = gr_elf_read_interp(buf, len, &seg.interp, path, a, img, err)))
		return rc;
	if (seg.ndynamic && (rc = gr_elf_read_pt_dynamic(elf, len, &seg, path, a, &dyn, err)))
		return rc;
	img->pie = (dyn.flags_1 & DF_1_PIE) != 0;
	if ((rc = gr_elf_read_names(buf, len, &seg, &dyn, path, a, img, err)))
		return rc;
	gr_elf_classify(&eh, seg.ndynamic > 0, img);
	if (seg.ndynamic && (rc = gr_elfver_read(elf, buf, len, path, a, &img->versions, err)))
		return rc;
	/* glibc's libc.a leaves its mark: getaddrinfo and friends in a static
	 * binary still want the shared NSS modules. Only static binaries ask. */
	if (img->verdict == GR_V_STATIC || img->verdict == GR_V_STATIC_PIE)
		return gr_elf_glibc_runtime(elf, &eh, path, a, img, err);
	/* In a binary the dynamic loader starts, libc.a is a second C library. */
	if (img->executable && img->interp)
		return gr_elf_glibc_static(elf, path, a, img, err);
	return GR_OK;
}

int
gr_elf_read(unsigned char *buf, size_t len, const char *path, struct gr_arena *a,
            struct gr_image *img, struct gr_error *err)
{
	Elf *elf;
	int rc;

	img->format = GR_FMT_ELF;
	if ((rc = gr_elf_ident(buf, len, path, img, err)))
		return rc;
	elf = elf_memory((char *)buf, len);
	rc = gr_elf_read_phases(elf, buf, len, path, a, img, err);
	if (elf)
		elf_end(elf);
	return rc;
}
