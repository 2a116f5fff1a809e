/* Unit tests for gr_elfsh: ELF headers, section headers and program headers
 * decoded from bytes, and section headers written back. The oracle is
 * elfutils' libelf: files of both classes and byte orders written by it,
 * every field gr_elfsh decodes compared with gelf_getehdr, gelf_getshdr and
 * gelf_getphdr; what gr_elfsh writes read back by libelf. Headers too short
 * or of an unknown class or byte order are refused, and a section header
 * table is only read whole when it lies inside the file. */
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_bytes.h"
#include "gr_elfsh.h"
#include "gr_test.h"

static char tmpdir[256];

static const char shstr[] = "\0.shstrtab\0.text\0.note.x\0.symtab\0.strtab";

/* Sections after the null one: name offset in shstr, type, flags, address,
 * link, info, alignment, entry size, bytes of data. */
static const struct {
	uint32_t name, type;
	uint64_t flags, addr;
	uint32_t link, info;
	uint64_t align, entsize;
	size_t len;
} secs[] = {
	{ 11, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x401000, 0, 0, 16, 0, 37 },
	{ 17, SHT_NOTE, SHF_ALLOC, 0x402000, 0, 0, 4, 0, 24 },
	{ 25, SHT_SYMTAB, 0, 0, 4, 1, 8, 0 /* the class's */, 0 /* two symbols */ },
	{ 33, SHT_STRTAB, 0, 0, 0, 0, 1, 0, 5 },
	{ 1, SHT_STRTAB, 0, 0, 0, 0, 1, 0, sizeof(shstr) },  /* .shstrtab last: e_shstrndx 5, not e_phnum's 2 */
};
#define NSECS (sizeof(secs) / sizeof(secs[0]))

/* An ELF file of class cls and byte order data written by libelf at path:
 * the sections above, two program headers (the text, the note). */
static void
write_elf(const char *path, int cls, int data)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	Elf *e;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t i;
	static unsigned char fill[4096], zeros[2 * sizeof(Elf64_Sym)];

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	ck_assert_ptr_nonnull(e = elf_begin(fd, ELF_C_WRITE, NULL));
	ck_assert_ptr_nonnull(gelf_newehdr(e, cls));
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));
	eh.e_ident[EI_DATA] = (unsigned char)data;
	eh.e_ident[EI_OSABI] = ELFOSABI_GNU;
	eh.e_ident[EI_ABIVERSION] = 2;
	eh.e_type = ET_EXEC;
	eh.e_machine = cls == ELFCLASS64 ? EM_X86_64 : EM_ARM;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x401020;
	eh.e_flags = 0x5000400;
	ck_assert(gelf_update_ehdr(e, &eh));
	ck_assert_ptr_nonnull(gelf_newphdr(e, 2));
	for (i = 0; i < sizeof(fill); i++)
		fill[i] = (unsigned char)(i * 7 + 1);
	for (i = 0; i < NSECS; i++) {
		Elf_Scn *scn = elf_newscn(e);
		Elf_Data *d;
		GElf_Shdr sh;
		size_t symsz = cls == ELFCLASS64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
		ck_assert_ptr_nonnull(scn);
		ck_assert_ptr_nonnull(d = elf_newdata(scn));
		d->d_align = secs[i].align;
		d->d_type = ELF_T_BYTE;
		d->d_buf = secs[i].name == 1 ? (void *)(uintptr_t)shstr : secs[i].type == SHT_SYMTAB ? zeros : fill;
		d->d_size = secs[i].type == SHT_SYMTAB ? 2 * symsz : secs[i].len;
		ck_assert_ptr_nonnull(gelf_getshdr(scn, &sh));
		sh.sh_name = secs[i].name;
		sh.sh_type = secs[i].type;
		sh.sh_flags = secs[i].flags;
		sh.sh_addr = secs[i].addr;
		sh.sh_link = secs[i].link;
		sh.sh_info = secs[i].info;
		sh.sh_addralign = secs[i].align;
		sh.sh_entsize = secs[i].type == SHT_SYMTAB ? symsz : secs[i].entsize;
		ck_assert(gelf_update_shdr(scn, &sh));
	}
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));  /* e_phnum set by gelf_newphdr */
	eh.e_shstrndx = NSECS;
	ck_assert(gelf_update_ehdr(e, &eh));
	ck_assert_int_ge(elf_update(e, ELF_C_NULL), 0);
	/* The program headers: the text section's bytes, the note's. */
	for (i = 0; i < 2; i++) {
		GElf_Shdr sec;
		ck_assert(gelf_getshdr(elf_getscn(e, i + 1), &sec));
		memset(&ph, 0, sizeof(ph));
		ph.p_type = i == 0 ? PT_LOAD : PT_NOTE;
		ph.p_offset = sec.sh_offset;
		ph.p_filesz = sec.sh_size;
		ph.p_memsz = sec.sh_size + 8;
		ph.p_vaddr = ph.p_paddr = sec.sh_addr;
		ph.p_flags = PF_R | PF_X;
		ph.p_align = sec.sh_addralign;
		ck_assert_msg(gelf_update_phdr(e, (int)i, &ph), "%s", elf_errmsg(-1));
	}
	ck_assert_int_ge(elf_update(e, ELF_C_WRITE), 0);
	elf_end(e);
	close(fd);
}

/* Every field of the file's headers, decoded by gr_elfsh and by libelf. */
static void
compare(const unsigned char *b, size_t n, const char *what)
{
	Elf *e;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	struct gr_elfsh h;
	size_t i, nsec;

	ck_assert_ptr_nonnull(e = elf_memory((char *)(uintptr_t)b, n));
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));
	ck_assert_msg(gr_elfsh_header(b, n, &h), "%s: header refused", what);
	ck_assert_int_eq(h.is64, eh.e_ident[EI_CLASS] == ELFCLASS64);
	ck_assert_int_eq(h.be, eh.e_ident[EI_DATA] == ELFDATA2MSB);
	ck_assert_uint_eq(h.ident_version, eh.e_ident[EI_VERSION]);
	ck_assert_uint_eq(h.osabi, eh.e_ident[EI_OSABI]);
	ck_assert_uint_eq(h.abiversion, eh.e_ident[EI_ABIVERSION]);
	ck_assert_uint_eq(h.type, eh.e_type);
	ck_assert_uint_eq(h.machine, eh.e_machine);
	ck_assert_uint_eq(h.version, eh.e_version);
	ck_assert_uint_eq(h.entry, eh.e_entry);
	ck_assert_uint_eq(h.phoff, eh.e_phoff);
	ck_assert_uint_eq(h.shoff, eh.e_shoff);
	ck_assert_uint_eq(h.flags, eh.e_flags);
	ck_assert_uint_eq(h.ehsize, eh.e_ehsize);
	ck_assert_uint_eq(h.phentsize, eh.e_phentsize);
	ck_assert_uint_eq(h.phnum, eh.e_phnum);
	ck_assert_uint_eq(h.shentsize, eh.e_shentsize);
	ck_assert_uint_eq(h.shnum, eh.e_shnum);
	ck_assert_uint_eq(h.shstrndx, eh.e_shstrndx);
	ck_assert_uint_eq(gr_elfsh_shdr_size(&h), eh.e_shentsize);
	ck_assert_uint_eq(gr_elfsh_phdr_size(&h), eh.e_phentsize);
	ck_assert_msg(gr_elfsh_table_fits(&h, n), "%s: the table does not fit", what);
	ck_assert_int_eq(elf_getshdrnum(e, &nsec), 0);
	ck_assert_uint_eq(nsec, NSECS + 1);
	for (i = 0; i < nsec; i++) {
		GElf_Shdr sh;
		struct gr_elfsh_sec s;
		ck_assert(gelf_getshdr(elf_getscn(e, i), &sh));
		gr_elfsh_sec(&h, b + h.shoff + i * h.shentsize, &s);
		ck_assert_uint_eq(s.name, sh.sh_name);
		ck_assert_uint_eq(s.type, sh.sh_type);
		ck_assert_uint_eq(s.flags, sh.sh_flags);
		ck_assert_uint_eq(s.addr, sh.sh_addr);
		ck_assert_uint_eq(s.offset, sh.sh_offset);
		ck_assert_uint_eq(s.size, sh.sh_size);
		ck_assert_uint_eq(s.link, sh.sh_link);
		ck_assert_uint_eq(s.info, sh.sh_info);
		ck_assert_uint_eq(s.addralign, sh.sh_addralign);
		ck_assert_uint_eq(s.entsize, sh.sh_entsize);
	}
	ck_assert_uint_eq(h.phnum, 2);
	for (i = 0; i < h.phnum; i++) {
		uint32_t type;
		uint64_t off, filesz;
		ck_assert(gelf_getphdr(e, (int)i, &ph));
		gr_elfsh_seg(&h, b + h.phoff + i * h.phentsize, &type, &off, &filesz);
		ck_assert_uint_eq(type, ph.p_type);
		ck_assert_uint_eq(off, ph.p_offset);
		ck_assert_uint_eq(filesz, ph.p_filesz);
		ck_assert_uint_gt(filesz, 0);
	}
	elf_end(e);
}

static const struct {
	int cls, data;
	const char *name;
} kinds[] = {
	{ ELFCLASS32, ELFDATA2LSB, "ELF32 LSB" },
	{ ELFCLASS32, ELFDATA2MSB, "ELF32 MSB" },
	{ ELFCLASS64, ELFDATA2LSB, "ELF64 LSB" },
	{ ELFCLASS64, ELFDATA2MSB, "ELF64 MSB" },
};

/* The file written by libelf, decoded. */
static unsigned char *
made(size_t k, size_t *n)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/k%zu", tmpdir, k);
	write_elf(path, kinds[k].cls, kinds[k].data);
	return gr_test_slurp_bytes(path, n);
}

/* check on the file libelf wrote for each class and byte order (b, n bytes; freed after). */
static void
each_kind(void (*check)(size_t k, unsigned char *b, size_t n))
{
	size_t k;

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-elfsh");
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n;
		unsigned char *b = made(k, &n);
		check(k, b, n);
		free(b);
	}
}

static void
decode_one(size_t k, unsigned char *b, size_t n)
{
	struct gr_elfsh h;

	compare(b, n, kinds[k].name);
	/* The fields libelf writes with the same value (e_ehsize and
	 * e_shentsize 64 in ELF64, EI_VERSION and e_version 1) made to differ
	 * by hand, so that one read for the other shows. */
	ck_assert(gr_elfsh_header(b, n, &h));
	gr_bytes_put(b + 20, 7, 4, h.be);                                 /* e_version */
	gr_bytes_put(b + (h.is64 ? 52 : 40), 0x77, 2, h.be);              /* e_ehsize */
	compare(b, n, kinds[k].name);
}

/* Each class and byte order: every field as libelf reads it. */
START_TEST(test_decode)
{
	each_kind(decode_one);
}
END_TEST

/* Section headers written back with new values (each field changed; in
 * ELF32 an address past 32 bits keeps its low 32), and e_shoff moved where
 * gr_elfsh_shoff_at says: libelf reads exactly the values meant. */
static void
put_one(size_t k, unsigned char *b, size_t n)
{
	const bool is64 = kinds[k].cls == ELFCLASS64;
	const uint64_t big = is64 ? 0x100000000ULL : 0, hi = 0x100000000ULL;
	GElf_Shdr was[NSECS + 1];
	size_t i, width, at, to;
	unsigned char *c;
	struct gr_elfsh h;
	Elf *e;
	GElf_Ehdr eh;

	/* the headers as they were, read by libelf from a copy */
	ck_assert_ptr_nonnull(c = malloc(n));
	memcpy(c, b, n);
	ck_assert_ptr_nonnull(e = elf_memory((char *)c, n));
	for (i = 1; i <= NSECS; i++)
		ck_assert_ptr_nonnull(gelf_getshdr(elf_getscn(e, i), &was[i]));
	elf_end(e);
	free(c);

	ck_assert(gr_elfsh_header(b, n, &h));
	for (i = 1; i <= NSECS; i++) {
		struct gr_elfsh_sec s;
		unsigned char *p = b + h.shoff + i * h.shentsize;
		gr_elfsh_sec(&h, p, &s);
		s.name += 1;
		s.flags |= SHF_COMPRESSED | big;
		s.addr += 0x10 + hi;
		s.offset += 3;
		s.size += 0x20 + big;
		s.link += 2;
		s.info += 4;
		s.addralign = 8;
		s.entsize += 1;
		gr_elfsh_sec_put(&h, p, &s);
	}
	/* The table copied to the end of the file (8-aligned), e_shoff pointing there. */
	to = n + 8 - n % 8;
	ck_assert_ptr_nonnull(c = malloc(to + gr_elfsh_table_size(&h)));
	memcpy(c, b, n);
	memcpy(c + to, b + h.shoff, (size_t)gr_elfsh_table_size(&h));
	at = gr_elfsh_shoff_at(&h, &width);
	gr_bytes_put(c + at, to, (int)width, h.be);
	ck_assert_ptr_nonnull(e = elf_memory((char *)c, to + gr_elfsh_table_size(&h)));
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));
	ck_assert_uint_eq(eh.e_shoff, to);
	for (i = 1; i <= NSECS; i++) {
		GElf_Shdr sh;
		ck_assert_ptr_nonnull(gelf_getshdr(elf_getscn(e, i), &sh));
		ck_assert_msg(sh.sh_name == was[i].sh_name + 1, "%s", kinds[k].name);
		ck_assert_uint_eq(sh.sh_type, was[i].sh_type);
		ck_assert_uint_eq(sh.sh_flags, (was[i].sh_flags | SHF_COMPRESSED | big));
		ck_assert_uint_eq(sh.sh_addr, was[i].sh_addr + 0x10 + (is64 ? hi : 0));
		ck_assert_uint_eq(sh.sh_offset, was[i].sh_offset + 3);
		ck_assert_uint_eq(sh.sh_size, was[i].sh_size + 0x20 + big);
		ck_assert_uint_eq(sh.sh_link, was[i].sh_link + 2);
		ck_assert_uint_eq(sh.sh_info, was[i].sh_info + 4);
		ck_assert_uint_eq(sh.sh_addralign, 8);
		ck_assert_uint_eq(sh.sh_entsize, was[i].sh_entsize + 1);
	}
	elf_end(e);
	free(c);
}

START_TEST(test_put)
{
	each_kind(put_one);
}
END_TEST

/* Headers refused: too short for the class, no magic, unknown class or byte
 * order. Tables refused: e_shoff 0, e_shnum 0, another e_shentsize, one byte
 * past the end, a count that would overflow; the exact fit accepted. */
static void
refused_one(size_t k, unsigned char *b, size_t n)
{
	/* no magic, no class or an unknown one, no byte order or an unknown one */
	static const struct {
		int at;
		unsigned char v;
	} bad[] = { { 1, 'F' }, { EI_CLASS, ELFCLASSNONE }, { EI_CLASS, 3 }, { EI_DATA, ELFDATANONE }, { EI_DATA, 3 } };
	size_t hsz = kinds[k].cls == ELFCLASS64 ? 64 : 52, end, i;
	unsigned char save;
	struct gr_elfsh h, g;

	ck_assert(gr_elfsh_header(b, hsz, &h));
	ck_assert(!gr_elfsh_header(b, hsz - 1, &g));
	ck_assert(!gr_elfsh_header(b, 8, &g));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		save = b[bad[i].at];
		b[bad[i].at] = bad[i].v;
		ck_assert_msg(!gr_elfsh_header(b, n, &g), "%s: byte %d = %d taken", kinds[k].name, bad[i].at, bad[i].v);
		b[bad[i].at] = save;
	}

	end = h.shoff + (size_t)h.shnum * h.shentsize;
	ck_assert(gr_elfsh_table_fits(&h, end));
	ck_assert(!gr_elfsh_table_fits(&h, end - 1));
	g = h;
	g.shoff = 0;
	ck_assert(!gr_elfsh_table_fits(&g, n));
	g = h;
	g.shnum = 0;
	ck_assert(!gr_elfsh_table_fits(&g, n));
	g = h;
	g.shentsize = (uint16_t)(h.shentsize + 4);
	ck_assert(!gr_elfsh_table_fits(&g, UINT64_MAX));
	g = h;
	g.shoff = UINT64_MAX - 10;
	ck_assert(!gr_elfsh_table_fits(&g, UINT64_MAX - 20));
	g = h;
	g.shnum = UINT16_MAX;
	ck_assert(!gr_elfsh_table_fits(&g, n));
}

START_TEST(test_refused)
{
	each_kind(refused_one);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = { test_decode, test_put, test_refused };

	return gr_test_run(gr_test_suite("elfsh", "core", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
