#include "gr_elfsh.h"

#include <elf.h>
#include <string.h>

#include "gr_bytes.h"

/* Field offsets (ELF64, ELF32) from the gABI's Ehdr, Shdr and Phdr. */
#define GR_ES_PICK(h, o64, o32) ((h)->is64 ? (o64) : (o32))

/* An address-sized field: 8 bytes in ELF64, 4 in ELF32. */
static uint64_t
gr_es_word(const struct gr_elfsh *h, const unsigned char *p, size_t o64, size_t o32)
{
	return h->is64 ? gr_bytes_get(p + o64, 8, h->be) : gr_bytes_get(p + o32, 4, h->be);
}

static void
gr_es_word_put(const struct gr_elfsh *h, unsigned char *p, size_t o64, size_t o32, uint64_t v)
{
	if (h->is64)
		gr_bytes_put(p + o64, v, 8, h->be);
	else
		gr_bytes_put(p + o32, v, 4, h->be);
}

bool
gr_elfsh_header(const unsigned char *p, size_t n, struct gr_elfsh *h)
{
	memset(h, 0, sizeof(*h));
	if (n < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG) != 0 ||
	    (p[EI_CLASS] != ELFCLASS32 && p[EI_CLASS] != ELFCLASS64) ||
	    (p[EI_DATA] != ELFDATA2LSB && p[EI_DATA] != ELFDATA2MSB))
		return false;
	h->is64 = p[EI_CLASS] == ELFCLASS64;
	h->be = p[EI_DATA] == ELFDATA2MSB;
	if (n < (h->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return false;
	h->ident_version = p[EI_VERSION];
	h->osabi = p[EI_OSABI];
	h->abiversion = p[EI_ABIVERSION];
	h->type = (uint16_t)gr_bytes_get(p + 16, 2, h->be);
	h->machine = (uint16_t)gr_bytes_get(p + 18, 2, h->be);
	h->version = (uint32_t)gr_bytes_get(p + 20, 4, h->be);
	h->entry = gr_es_word(h, p, 24, 24);
	h->phoff = gr_es_word(h, p, 32, 28);
	h->shoff = gr_es_word(h, p, 40, 32);
	h->flags = (uint32_t)gr_bytes_get(p + GR_ES_PICK(h, 48, 36), 4, h->be);
	h->ehsize = (uint16_t)gr_bytes_get(p + GR_ES_PICK(h, 52, 40), 2, h->be);
	h->phentsize = (uint16_t)gr_bytes_get(p + GR_ES_PICK(h, 54, 42), 2, h->be);
	h->phnum = (uint16_t)gr_bytes_get(p + GR_ES_PICK(h, 56, 44), 2, h->be);
	h->shentsize = (uint16_t)gr_bytes_get(p + GR_ES_PICK(h, 58, 46), 2, h->be);
	h->shnum = (uint16_t)gr_bytes_get(p + GR_ES_PICK(h, 60, 48), 2, h->be);
	h->shstrndx = (uint16_t)gr_bytes_get(p + GR_ES_PICK(h, 62, 50), 2, h->be);
	return true;
}

unsigned
gr_elfsh_shdr_size(const struct gr_elfsh *h)
{
	return h->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
}

unsigned
gr_elfsh_phdr_size(const struct gr_elfsh *h)
{
	return h->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
}

uint64_t
gr_elfsh_table_size(const struct gr_elfsh *h)
{
	return (uint64_t)h->shnum * h->shentsize;
}

bool
gr_elfsh_table_fits(const struct gr_elfsh *h, uint64_t size)
{
	return h->shoff != 0 && h->shnum != 0 && h->shentsize == gr_elfsh_shdr_size(h) && h->shoff <= size &&
	       h->shnum <= (size - h->shoff) / h->shentsize;
}

void
gr_elfsh_sec(const struct gr_elfsh *h, const unsigned char *p, struct gr_elfsh_sec *s)
{
	s->name = (uint32_t)gr_bytes_get(p, 4, h->be);
	s->type = (uint32_t)gr_bytes_get(p + 4, 4, h->be);
	s->flags = gr_es_word(h, p, 8, 8);
	s->addr = gr_es_word(h, p, 16, 12);
	s->offset = gr_es_word(h, p, 24, 16);
	s->size = gr_es_word(h, p, 32, 20);
	s->link = (uint32_t)gr_bytes_get(p + GR_ES_PICK(h, 40, 24), 4, h->be);
	s->info = (uint32_t)gr_bytes_get(p + GR_ES_PICK(h, 44, 28), 4, h->be);
	s->addralign = gr_es_word(h, p, 48, 32);
	s->entsize = gr_es_word(h, p, 56, 36);
}

void
gr_elfsh_sec_put(const struct gr_elfsh *h, unsigned char *p, const struct gr_elfsh_sec *s)
{
	gr_bytes_put(p, s->name, 4, h->be);
	gr_bytes_put(p + 4, s->type, 4, h->be);
	gr_es_word_put(h, p, 8, 8, s->flags);
	gr_es_word_put(h, p, 16, 12, s->addr);
	gr_es_word_put(h, p, 24, 16, s->offset);
	gr_es_word_put(h, p, 32, 20, s->size);
	gr_bytes_put(p + GR_ES_PICK(h, 40, 24), s->link, 4, h->be);
	gr_bytes_put(p + GR_ES_PICK(h, 44, 28), s->info, 4, h->be);
	gr_es_word_put(h, p, 48, 32, s->addralign);
	gr_es_word_put(h, p, 56, 36, s->entsize);
}

void
gr_elfsh_seg(const struct gr_elfsh *h, const unsigned char *p, uint32_t *type, uint64_t *offset, uint64_t *filesz)
{
	*type = (uint32_t)gr_bytes_get(p, 4, h->be);
	*offset = gr_es_word(h, p, 8, 4);
	*filesz = gr_es_word(h, p, 32, 16);
}

size_t
gr_elfsh_shoff_at(const struct gr_elfsh *h, size_t *width)
{
	*width = h->is64 ? 8 : 4;
	return GR_ES_PICK(h, 40, 32);
}
