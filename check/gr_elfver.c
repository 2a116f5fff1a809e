#include "gr_elfver.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sizes of the on-disk records (the same for ELFCLASS32 and ELFCLASS64). */
#define GR_VERNEED_SIZE 16  /* vn_version, vn_cnt, vn_file, vn_aux, vn_next */
#define GR_VERNAUX_SIZE 16  /* vna_hash, vna_flags, vna_other, vna_name, vna_next */
#define GR_VERDEF_SIZE 20   /* vd_version, vd_flags, vd_ndx, vd_cnt, vd_hash, vd_aux, vd_next */
#define GR_VERDAUX_SIZE 8   /* vda_name, vda_next */

/* A section's bytes, checked to lie inside the file, and how to decode them. */
struct gr_ev_sec {
	const unsigned char *p;
	uint64_t size;
	size_t link;      /* sh_link */
	uint64_t info;    /* sh_info */
	uint64_t entsize;
	bool found;
};

/* What one reading needs at hand. */
struct gr_ev_ctx {
	const char *path;
	struct gr_arena *a;
	struct gr_error *err;
	bool msb;
	bool is64;
};

static uint16_t
gr_ev_u16(const struct gr_ev_ctx *c, const unsigned char *p)
{
	return c->msb ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t
gr_ev_u32(const struct gr_ev_ctx *c, const unsigned char *p)
{
	return c->msb ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int
gr_ev_nomem(const struct gr_ev_ctx *c)
{
	return gr_error_set(c->err, GR_ENOMEM, 0, "%s: out of memory", c->path);
}

/* The section scn of the file buf[0..len) into s, checked to lie inside it. */
static int
gr_ev_section(const struct gr_ev_ctx *c, const unsigned char *buf, size_t len, Elf_Scn *scn,
              const char *what, struct gr_ev_sec *s)
{
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return gr_error_set(c->err, GR_EFORMAT, 0, "%s: the section header of %s is unreadable: %s",
		                    c->path, what, elf_errmsg(-1));
	if (sh.sh_type == SHT_NOBITS)
		return gr_error_set(c->err, GR_EFORMAT, 0, "%s: %s has no bytes in the file (SHT_NOBITS)",
		                    c->path, what);
	if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
		return gr_error_set(c->err, GR_EFORMAT, 0,
		                    "%s: %s at offset 0x%llx (%llu bytes) extends past the end of the file (%zu bytes)",
		                    c->path, what, (unsigned long long)sh.sh_offset,
		                    (unsigned long long)sh.sh_size, len);
	s->p = buf + sh.sh_offset;
	s->size = sh.sh_size;
	s->link = sh.sh_link;
	s->info = sh.sh_info;
	s->entsize = sh.sh_entsize;
	s->found = true;
	return GR_OK;
}

/* The string table linked from a section, bounds-checked. */
static int
gr_ev_strtab(const struct gr_ev_ctx *c, Elf *elf, const unsigned char *buf, size_t len,
             size_t link, const char *what, struct gr_ev_sec *st)
{
	char w[96];
	Elf_Scn *scn = link ? elf_getscn(elf, link) : NULL;

	snprintf(w, sizeof(w), "the string table of %s (section %zu)", what, link);
	if (!scn)
		return gr_error_set(c->err, GR_EFORMAT, 0, "%s: %s does not exist", c->path, w);
	return gr_ev_section(c, buf, len, scn, w, st);
}

/* The NUL-terminated string at offset o of st (not copied). */
static int
gr_ev_string(const struct gr_ev_ctx *c, const struct gr_ev_sec *st, uint64_t o, const char *what,
             const char **out)
{
	if (o >= st->size)
		return gr_error_set(c->err, GR_EFORMAT, 0,
		                    "%s: %s name offset 0x%llx is beyond its string table (%llu bytes)",
		                    c->path, what, (unsigned long long)o, (unsigned long long)st->size);
	if (!memchr(st->p + o, 0, (size_t)(st->size - o)))
		return gr_error_set(c->err, GR_EFORMAT, 0,
		                    "%s: %s name at offset 0x%llx is not NUL-terminated inside its string table",
		                    c->path, what, (unsigned long long)o);
	*out = (const char *)st->p + o;
	return GR_OK;
}

static int
gr_ev_copy(const struct gr_ev_ctx *c, const struct gr_ev_sec *st, uint64_t o, const char *what,
           const char **out)
{
	const char *s = NULL;
	int rc;

	if ((rc = gr_ev_string(c, st, o, what, &s)))
		return rc;
	return (*out = gr_arena_strdup(c->a, s)) ? GR_OK : gr_ev_nomem(c);
}

size_t
gr_elfver_family(const char *name, bool *numbered)
{
	size_t i;

	if (!name[0]) {
		*numbered = false;
		return 0;
	}
	for (i = 1; name[i]; i++)
		if (name[i - 1] == '_' && name[i] >= '0' && name[i] <= '9') {
			*numbered = true;
			return i;
		}
	*numbered = false;
	return i;
}

int
gr_elfver_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *sa, *sb;
			size_t la, lb;
			while (*a == '0' && a[1] >= '0' && a[1] <= '9')
				a++;
			while (*b == '0' && b[1] >= '0' && b[1] <= '9')
				b++;
			for (sa = a; *a >= '0' && *a <= '9'; a++)
				;
			for (sb = b; *b >= '0' && *b <= '9'; b++)
				;
			la = (size_t)(a - sa);
			lb = (size_t)(b - sb);
			if (la != lb)
				return la < lb ? -1 : 1;
			if (memcmp(sa, sb, la))
				return memcmp(sa, sb, la);
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (*a != 0) - (*b != 0);
}

bool
gr_elfver_parse_max(const char *s, struct gr_vermax *m, const char **why)
{
	bool numbered = false;
	size_t f = s[0] ? gr_elfver_family(s, &numbered) : 0;

	if (!numbered || f == 0) {
		*why = "expected a version name with a number, such as GLIBC_2.28 or GLIBCXX_3.4.25";
		return false;
	}
	m->name = s;
	m->family_len = f;
	return true;
}

bool
gr_elfver_too_new(const struct gr_verneed *v, const struct gr_vermax *max, size_t nmax,
                  const struct gr_vermax **limit)
{
	size_t i;

	*limit = NULL;
	if (!v->numbered) {
		/* glibc's unnumbered versions against a GLIBC_ limit: GLIBC_ABI_DT_RELR
		 * (-z pack-relative-relocs) came with glibc 2.36; GLIBC_PRIVATE ties
		 * the file to one glibc build, which no limit can promise. */
		bool relr = !strcmp(v->name, "GLIBC_ABI_DT_RELR"), priv = !strcmp(v->name, "GLIBC_PRIVATE");
		for (i = 0; i < nmax && (relr || priv); i++)
			if (max[i].family_len == 6 && !memcmp(max[i].name, "GLIBC_", 6)) {
				*limit = &max[i];
				return priv || gr_elfver_cmp("2.36", max[i].name + 6) > 0;
			}
		return false;
	}
	for (i = 0; i < nmax; i++)
		if (max[i].family_len == v->family_len &&
		    memcmp(max[i].name, v->name, v->family_len) == 0) {
			*limit = &max[i];
			return gr_elfver_cmp(v->name + v->family_len, max[i].name + max[i].family_len) > 0;
		}
	return false;
}

/* Order for the floors: by family, the highest version first, then the
 * first needed (its place in the array) first. */
static int
gr_ev_floor_cmp(const void *x, const void *y)
{
	const struct gr_verneed *a = *(const struct gr_verneed *const *)x, *b = *(const struct gr_verneed *const *)y;
	int c;

	if (a->family_len != b->family_len)
		return a->family_len < b->family_len ? -1 : 1;
	if ((c = memcmp(a->name, b->name, a->family_len)) != 0)
		return c;
	if (a->numbered && b->numbered && (c = gr_elfver_cmp(b->name + b->family_len, a->name + a->family_len)) != 0)
		return c;
	return a < b ? -1 : a > b;
}

/* Mark, per library and family, the highest version needed (the first of
 * equal ones; an unnumbered name is a family of its own): sorted once, so a
 * crafted file with thousands of versions costs n log n, not n squared. */
static void
gr_ev_floors(struct gr_arena *a, struct gr_verlib *lib, bool *nomem)
{
	struct gr_verneed **o;
	size_t i;

	if (!lib->nvers)
		return;
	if (!(o = gr_arena_alloc(a, lib->nvers * sizeof(*o)))) {
		*nomem = true;
		return;
	}
	for (i = 0; i < lib->nvers; i++)
		o[i] = &lib->vers[i];
	qsort(o, lib->nvers, sizeof(*o), gr_ev_floor_cmp);
	for (i = 0; i < lib->nvers; i++)
		o[i]->floor = i == 0 || o[i - 1]->family_len != o[i]->family_len ||
		              memcmp(o[i - 1]->name, o[i]->name, o[i]->family_len) != 0;
}

/* Walk .gnu.version_r: every Verneed and its Vernaux chain, as ld.so does
 * (vn_next until 0), with each record checked to lie inside the section and
 * at most as many records as the section can hold. */
static int
gr_ev_verneed(const struct gr_ev_ctx *c, const struct gr_ev_sec *s, const struct gr_ev_sec *st,
              struct gr_verinfo *vi)
{
	uint64_t off = 0, nmax = s->size / GR_VERNEED_SIZE, n;
	size_t cap = 0;
	int rc;

	for (n = 0; n < nmax; n++) {
		const unsigned char *p;
		uint32_t aux, next, cnt, k;
		uint64_t aoff;
		struct gr_verlib *lib;
		void *grown = vi->libs;
		size_t vcap = 0;

		if (off > s->size || s->size - off < GR_VERNEED_SIZE)
			return gr_error_set(c->err, GR_EFORMAT, 0,
			                    "%s: .gnu.version_r entry at offset 0x%llx runs past the section (%llu bytes)",
			                    c->path, (unsigned long long)off, (unsigned long long)s->size);
		p = s->p + off;
		if (gr_ev_u16(c, p) != 1)
			return gr_error_set(c->err, GR_EFORMAT, 0,
			                    "%s: .gnu.version_r entry at offset 0x%llx has version %u, not 1",
			                    c->path, (unsigned long long)off, gr_ev_u16(c, p));
		cnt = gr_ev_u16(c, p + 2);
		aux = gr_ev_u32(c, p + 8);
		next = gr_ev_u32(c, p + 12);
		if (!gr_arena_grow(c->a, &grown, vi->nlibs, &cap, sizeof(*vi->libs)))
			return gr_ev_nomem(c);
		vi->libs = grown;
		lib = &vi->libs[vi->nlibs++];
		memset(lib, 0, sizeof(*lib));
		if ((rc = gr_ev_copy(c, st, gr_ev_u32(c, p + 4), ".gnu.version_r vn_file", &lib->file)))
			return rc;
		aoff = off + aux;
		for (k = 0; k < cnt; k++) {
			const unsigned char *q;
			struct gr_verneed *v;
			uint32_t anext;
			void *vg = lib->vers;

			if (k >= nmax || aoff > s->size || s->size - aoff < GR_VERNAUX_SIZE)
				return gr_error_set(c->err, GR_EFORMAT, 0,
				                    "%s: .gnu.version_r auxiliary entry %u of %s at offset 0x%llx runs past the section (%llu bytes)",
				                    c->path, k, lib->file, (unsigned long long)aoff,
				                    (unsigned long long)s->size);
			q = s->p + aoff;
			if (!gr_arena_grow(c->a, &vg, lib->nvers, &vcap, sizeof(*lib->vers)))
				return gr_ev_nomem(c);
			lib->vers = vg;
			v = &lib->vers[lib->nvers++];
			memset(v, 0, sizeof(*v));
			v->weak = (gr_ev_u16(c, q + 4) & VER_FLG_WEAK) != 0;
			v->index = gr_ev_u16(c, q + 6) & 0x7fff;
			if ((rc = gr_ev_copy(c, st, gr_ev_u32(c, q + 8), ".gnu.version_r vna_name", &v->name)))
				return rc;
			v->family_len = gr_elfver_family(v->name, &v->numbered);
			anext = gr_ev_u32(c, q + 12);
			if (anext == 0)
				break;
			aoff += anext;
		}
		{
			bool nomem = false;
			gr_ev_floors(c->a, lib, &nomem);
			if (nomem)
				return gr_ev_nomem(c);
		}
		if (next == 0)
			return GR_OK;
		off += next;
	}
	return gr_error_set(c->err, GR_EFORMAT, 0,
	                    "%s: .gnu.version_r holds more entries than fit in its %llu bytes (a vn_next loop)",
	                    c->path, (unsigned long long)s->size);
}

/* Walk .gnu.version_d for the names of the versions this file defines. */
static int
gr_ev_verdef(const struct gr_ev_ctx *c, const struct gr_ev_sec *s, const struct gr_ev_sec *st,
             struct gr_verinfo *vi)
{
	uint64_t off = 0, nmax = s->size / GR_VERDEF_SIZE, n;
	size_t cap = 0;
	int rc;

	for (n = 0; n < nmax; n++) {
		const unsigned char *p;
		uint32_t aux, next;
		uint64_t aoff;

		if (off > s->size || s->size - off < GR_VERDEF_SIZE)
			return gr_error_set(c->err, GR_EFORMAT, 0,
			                    "%s: .gnu.version_d entry at offset 0x%llx runs past the section (%llu bytes)",
			                    c->path, (unsigned long long)off, (unsigned long long)s->size);
		p = s->p + off;
		if (gr_ev_u16(c, p) != 1)
			return gr_error_set(c->err, GR_EFORMAT, 0,
			                    "%s: .gnu.version_d entry at offset 0x%llx has version %u, not 1",
			                    c->path, (unsigned long long)off, gr_ev_u16(c, p));
		aux = gr_ev_u32(c, p + 12);
		next = gr_ev_u32(c, p + 16);
		aoff = off + aux;
		/* The first Verdaux names the version; the base entry names the file. */
		if (gr_ev_u16(c, p + 6) != 0 && !(gr_ev_u16(c, p + 2) & VER_FLG_BASE)) {
			void *grown = vi->defined;
			if (aoff > s->size || s->size - aoff < GR_VERDAUX_SIZE)
				return gr_error_set(c->err, GR_EFORMAT, 0,
				                    "%s: .gnu.version_d auxiliary entry at offset 0x%llx runs past the section (%llu bytes)",
				                    c->path, (unsigned long long)aoff, (unsigned long long)s->size);
			if (!gr_arena_grow(c->a, &grown, vi->ndefined, &cap, sizeof(*vi->defined)))
				return gr_ev_nomem(c);
			vi->defined = grown;
			if ((rc = gr_ev_copy(c, st, gr_ev_u32(c, s->p + aoff), ".gnu.version_d vda_name",
			                     &vi->defined[vi->ndefined])))
				return rc;
			vi->ndefined++;
		}
		if (next == 0)
			return GR_OK;
		off += next;
	}
	return gr_error_set(c->err, GR_EFORMAT, 0,
	                    "%s: .gnu.version_d holds more entries than fit in its %llu bytes (a vd_next loop)",
	                    c->path, (unsigned long long)s->size);
}

/* Bind each .dynsym symbol to its needed version through .gnu.version. */
static int
gr_ev_versym(const struct gr_ev_ctx *c, Elf *elf, const unsigned char *buf, size_t len,
             const struct gr_ev_sec *vs, struct gr_verinfo *vi)
{
	struct gr_ev_sec sym, st;
	struct gr_verneed **byndx;  /* every needed version by its index (15 bits) */
	size_t *atndx;              /* ... and where it sits among all needed versions */
	size_t entsize = c->is64 ? 24 : 16, nsyms, i, ncache = 0;
	size_t *caps;
	int rc;

	memset(&sym, 0, sizeof(sym));
	memset(&st, 0, sizeof(st));
	if ((rc = gr_ev_section(c, buf, len, vs->link ? elf_getscn(elf, vs->link) : NULL,
	                        "the symbol table of .gnu.version", &sym)))
		return rc;
	nsyms = (size_t)(sym.size / entsize);
	if (vs->size / 2 < nsyms)
		return gr_error_set(c->err, GR_EFORMAT, 0,
		                    "%s: .gnu.version has %llu entries for %zu symbols",
		                    c->path, (unsigned long long)(vs->size / 2), nsyms);
	if ((rc = gr_ev_strtab(c, elf, buf, len, sym.link, ".dynsym", &st)))
		return rc;
	/* Capacities of every needed version's symbol array, in one block, and
	 * a table from index to version: one pass, however many there are. */
	{
		size_t nv = 0, l, k, at = 0;
		for (l = 0; l < vi->nlibs; l++)
			for (k = 0, nv += vi->libs[l].nvers; k < vi->libs[l].nvers; k++)
				if (vi->libs[l].vers[k].index < 0x8000 && (size_t)vi->libs[l].vers[k].index >= ncache)
					ncache = (size_t)vi->libs[l].vers[k].index + 1;
		caps = gr_arena_alloc(c->a, (nv ? nv : 1) * sizeof(*caps));
		byndx = gr_arena_alloc(c->a, (ncache ? ncache : 1) * sizeof(*byndx));
		atndx = gr_arena_alloc(c->a, (ncache ? ncache : 1) * sizeof(*atndx));
		if (!caps || !byndx || !atndx)
			return gr_ev_nomem(c);
		memset(byndx, 0, (ncache ? ncache : 1) * sizeof(*byndx));
		for (l = 0; l < vi->nlibs; l++)
			for (k = 0; k < vi->libs[l].nvers; k++, at++) {
				unsigned x = vi->libs[l].vers[k].index;
				if (x >= 2 && x < 0x8000 && !byndx[x]) {  /* the first with an index, as the scan found it */
					byndx[x] = &vi->libs[l].vers[k];
					atndx[x] = at;
				}
			}
	}
	for (i = 1; i < nsyms; i++) {
		const unsigned char *p = sym.p + i * entsize;
		unsigned ndx = gr_ev_u16(c, vs->p + 2 * i) & 0x7fff, info;
		struct gr_verneed *v;
		struct gr_versym *s;
		void *grown;
		size_t vi_at;

		if (ndx < 2)
			continue;
		v = ndx < ncache ? byndx[ndx] : NULL;
		if (!v)
			continue;  /* a defined version (.gnu.version_d) */
		info = c->is64 ? p[4] : p[12];
		vi_at = atndx[ndx];  /* where v sits among all needed versions, for its capacity */
		grown = v->symbols;
		if (!gr_arena_grow(c->a, &grown, v->nsymbols, &caps[vi_at], sizeof(*v->symbols)))
			return gr_ev_nomem(c);
		v->symbols = grown;
		s = &v->symbols[v->nsymbols];
		if ((rc = gr_ev_copy(c, &st, gr_ev_u32(c, p), ".dynsym symbol", &s->name)))
			return rc;
		s->weak = GELF_ST_BIND(info) == STB_WEAK;
		v->nsymbols++;
	}
	return GR_OK;
}

int
gr_elfver_read(Elf *elf, const unsigned char *buf, size_t len, const char *path,
               struct gr_arena *a, struct gr_verinfo **out, struct gr_error *err)
{
	struct gr_ev_ctx c = { path, a, err, false, false };
	struct gr_ev_sec need, def, sym, st;
	Elf_Scn *scn = NULL, *sneed = NULL, *sdef = NULL, *ssym = NULL;
	struct gr_verinfo *vi;
	GElf_Shdr sh;
	int rc;

	*out = NULL;
	if (len < EI_NIDENT)
		return GR_OK;
	c.msb = buf[EI_DATA] == ELFDATA2MSB;
	c.is64 = buf[EI_CLASS] == ELFCLASS64;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_GNU_verneed && !sneed)
			sneed = scn;
		else if (sh.sh_type == SHT_GNU_verdef && !sdef)
			sdef = scn;
		else if (sh.sh_type == SHT_GNU_versym && !ssym)
			ssym = scn;
	}
	if (!sneed && !sdef)
		return GR_OK;
	if (!(vi = gr_arena_alloc(a, sizeof(*vi))))
		return gr_ev_nomem(&c);
	memset(&need, 0, sizeof(need));
	memset(&def, 0, sizeof(def));
	memset(&sym, 0, sizeof(sym));
	if (sneed) {
		if ((rc = gr_ev_section(&c, buf, len, sneed, ".gnu.version_r", &need)))
			return rc;
		if ((rc = gr_ev_strtab(&c, elf, buf, len, need.link, ".gnu.version_r", &st)) ||
		    (need.size && (rc = gr_ev_verneed(&c, &need, &st, vi))))
			return rc;
	}
	if (sdef) {
		if ((rc = gr_ev_section(&c, buf, len, sdef, ".gnu.version_d", &def)))
			return rc;
		if ((rc = gr_ev_strtab(&c, elf, buf, len, def.link, ".gnu.version_d", &st)) ||
		    (def.size && (rc = gr_ev_verdef(&c, &def, &st, vi))))
			return rc;
	}
	if (ssym && vi->nlibs) {
		if ((rc = gr_ev_section(&c, buf, len, ssym, ".gnu.version", &sym)))
			return rc;
		if ((rc = gr_ev_versym(&c, elf, buf, len, &sym, vi)))
			return rc;
	}
	*out = vi;
	return GR_OK;
}

const char *
gr_elfver_message(struct gr_arena *a, const char *lib, const struct gr_verneed *v,
                  const struct gr_vermax *limit)
{
	const char *syms = "", *s;
	size_t i, shown = v->nsymbols < 8 ? v->nsymbols : 8;

	for (i = 0; i < shown; i++) {
		syms = gr_arena_printf(a, "%s%s%s%s", syms, i ? ", " : "", v->symbols[i].name,
		                       v->symbols[i].weak ? " (weak)" : "");
		if (!syms)
			return NULL;
	}
	if (v->nsymbols > shown && !(syms = gr_arena_printf(a, "%s and %zu more", syms, v->nsymbols - shown)))
		return NULL;
	s = gr_arena_printf(a, "needs %s from %s, newer than --max-version %s; %s%s",
	                    v->name, lib, limit->name,
	                    v->nsymbols ? "symbols that need it: " : "no symbol is bound to it (the linker added the requirement)",
	                    syms);
	return s;
}

/* zig cc's glibc target for arch (without the version), or NULL where the
 * ELF machine alone does not tell it (ppc64 and mips: their byte order and ABI). */
static const char *
gr_ev_zig_target(const char *arch)
{
	static const char *const map[][2] = {
		{ "x86-64", "x86_64-linux-gnu" }, { "i386", "x86-linux-gnu" }, { "aarch64", "aarch64-linux-gnu" },
		{ "riscv64", "riscv64-linux-gnu" }, { "s390x", "s390x-linux-gnu" }, { "arm", "arm-linux-gnueabihf" },
	};
	size_t i;

	if (!arch)
		return "x86_64-linux-gnu";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(arch, map[i][0]))
			return map[i][1];
	return NULL;
}

const char *
gr_elfver_remedy(struct gr_arena *a, const struct gr_verneed *v, const struct gr_vermax *limit,
                 const char *arch)
{
	const char *want = limit->name + limit->family_len;
	size_t f = v->family_len;

	if (f == 6 && !memcmp(v->name, "GLIBC_", 6) && gr_ev_zig_target(arch))
		return gr_arena_printf(a,
		    "build on a system or in a sysroot with glibc %s or older; or with zig as the C compiler: "
		    "CC=\"zig cc -target %s.%s\" (pip install ziglang gives python3 -m ziglang cc); "
		    "or link statically (gorelink --static)", want, gr_ev_zig_target(arch), want);
	if (f == 6 && !memcmp(v->name, "GLIBC_", 6))
		return gr_arena_printf(a,
		    "build on a system or in a sysroot with glibc %s or older; or link statically (gorelink --static)", want);
	if ((f == 8 && !memcmp(v->name, "GLIBCXX_", 8)) || (f == 7 && !memcmp(v->name, "CXXABI_", 7)))
		return gr_arena_printf(a,
		    "build with a GCC whose libstdc++ provides only %s, or link libstdc++ statically "
		    "(-static-libstdc++), or link statically (gorelink --static)", limit->name);
	if (f == 4 && !memcmp(v->name, "GCC_", 4))
		return gr_arena_printf(a,
		    "build with an older GCC, or link libgcc statically (-static-libgcc), or link statically (gorelink --static)");
	return gr_arena_printf(a,
	    "build against an older %.*s library (one that provides only %s), or link its archive statically",
	    (int)f, v->name, limit->name);
}
