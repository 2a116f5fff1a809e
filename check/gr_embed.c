#include "gr_embed.h"

#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_bytes.h"
#include "gr_elf.h"
#include "gr_elfsh.h"
#include "gr_file.h"
#include "gr_macho.h"
#include "gr_sigbus.h"

#define GR_EMBED_JSON_DEPTH 128

/* ---- the JSON check --------------------------------------------------------- */

struct gr_ej {
	const char *s;
	size_t n, i;
	int depth;
	struct gr_arena *a;
	struct gr_embed_manifest *m;  /* top-level members go here, or NULL */
	bool nomem;
};

static void
gr_ej_ws(struct gr_ej *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static int
gr_ej_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Length of the valid UTF-8 sequence at p (n bytes left: 1-4), or 0 if it is not one. */
static size_t
gr_ej_utf8(const unsigned char *p, size_t n)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;  /* no overlongs, no surrogates */
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;  /* up to U+10FFFF */
	else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (k = 2; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* A string at j->i (the opening quote); *out (if out) its value, unescaped, in the arena. */
static bool
gr_ej_string(struct gr_ej *j, const char **out)
{
	size_t start, k = 0;
	char *v = NULL;

	if (j->i >= j->n || j->s[j->i] != '"')
		return false;
	start = ++j->i;
	if (out && j->a) {
		/* The value is never longer than its escaped form, which ends at
		 * the first quote no backslash escapes: room for that much only
		 * (not for the rest of the text: a manifest of many short strings
		 * would ask for its length times their number). */
		size_t end = start;
		while (end < j->n && j->s[end] != '"')
			end += j->s[end] == '\\' ? 2 : 1;
		if (end > j->n)
			end = j->n;
		if (!(v = gr_arena_alloc(j->a, end - start + 1)))
			j->nomem = true;
	}
	while (j->i < j->n) {
		unsigned char c = (unsigned char)j->s[j->i];
		if (c == '"') {
			j->i++;
			if (v) {
				v[k] = '\0';
				*out = v;
			}
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			char e;
			if (++j->i >= j->n)
				return false;
			e = j->s[j->i++];
			switch (e) {
			case '"': case '\\': case '/': if (v) v[k++] = e; break;
			case 'b': if (v) v[k++] = '\b'; break;
			case 'f': if (v) v[k++] = '\f'; break;
			case 'n': if (v) v[k++] = '\n'; break;
			case 'r': if (v) v[k++] = '\r'; break;
			case 't': if (v) v[k++] = '\t'; break;
			case 'u': {
				int h = 0, d, t;
				if (j->n - j->i < 4)
					return false;
				for (t = 0; t < 4; t++) {
					if ((d = gr_ej_hex(j->s[j->i + (size_t)t])) < 0)
						return false;
					h = h * 16 + d;
				}
				j->i += 4;
				if (v)
					v[k++] = h >= 0x20 && h < 0x7f ? (char)h : '?';
				break;
			}
			default:
				return false;
			}
			continue;
		}
		if (c >= 0x80) {
			size_t u = gr_ej_utf8((const unsigned char *)j->s + j->i, j->n - j->i);
			if (!u)
				return false;  /* JSON text is UTF-8 (RFC 8259) */
			if (v) {
				memcpy(v + k, j->s + j->i, u);
				k += u;
			}
			j->i += u;
			continue;
		}
		if (v)
			v[k++] = (char)c;
		j->i++;
	}
	return false;
}

static bool
gr_ej_number(struct gr_ej *j)
{
	size_t d;

	if (j->i < j->n && j->s[j->i] == '-')
		j->i++;
	if (j->i >= j->n)
		return false;
	if (j->s[j->i] == '0') {
		j->i++;
	} else if (j->s[j->i] >= '1' && j->s[j->i] <= '9') {
		while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			j->i++;
	} else {
		return false;
	}
	if (j->i < j->n && j->s[j->i] == '.') {
		d = ++j->i;
		while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			j->i++;
		if (j->i == d)
			return false;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		d = j->i;
		while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			j->i++;
		if (j->i == d)
			return false;
	}
	return true;
}

static bool
gr_ej_lit(struct gr_ej *j, const char *w)
{
	size_t l = strlen(w);

	if (j->n - j->i < l || memcmp(j->s + j->i, w, l) != 0)
		return false;
	j->i += l;
	return true;
}

static bool gr_ej_value(struct gr_ej *j, char *type, size_t *count, const char **str);

static bool
gr_ej_value(struct gr_ej *j, char *type, size_t *count, const char **str)
{
	char c;

	gr_ej_ws(j);
	if (j->i >= j->n)
		return false;
	c = j->s[j->i];
	*count = 0;
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		*type = obj ? 'o' : 'a';
		if (++j->depth > GR_EMBED_JSON_DEPTH)
			return false;
		j->i++;
		gr_ej_ws(j);
		if (j->i < j->n && j->s[j->i] == (obj ? '}' : ']')) {
			j->i++;
			j->depth--;
			return true;
		}
		for (;;) {
			const char *key = NULL, *s = NULL;
			char t;
			size_t cnt;
			bool top = obj && j->depth == 1 && j->m;
			gr_ej_ws(j);
			if (obj) {
				if (!gr_ej_string(j, top ? &key : NULL))
					return false;
				gr_ej_ws(j);
				if (j->i >= j->n || j->s[j->i] != ':')
					return false;
				j->i++;
			}
			if (!gr_ej_value(j, &t, &cnt, top ? &s : NULL))
				return false;
			(*count)++;
			if (top && key) {
				struct gr_embed_manifest *m = j->m;
				if (!gr_arena_grow(j->a, (void **)&m->members, m->nmembers, NULL, sizeof(*m->members))) {
					j->nomem = true;
				} else {
					struct gr_embed_member *x = &m->members[m->nmembers++];
					x->key = key;
					x->type = t;
					x->str = s;
					x->count = cnt;
				}
			}
			gr_ej_ws(j);
			if (j->i >= j->n)
				return false;
			if (j->s[j->i] == ',') {
				j->i++;
				continue;
			}
			if (j->s[j->i] != (obj ? '}' : ']'))
				return false;
			j->i++;
			j->depth--;
			return true;
		}
	}
	if (c == '"') {
		*type = 's';
		return gr_ej_string(j, str);
	}
	if (c == 't' || c == 'f') {
		*type = 'b';
		return gr_ej_lit(j, c == 't' ? "true" : "false");
	}
	if (c == 'n') {
		*type = 'z';
		return gr_ej_lit(j, "null");
	}
	*type = 'n';
	return gr_ej_number(j);
}

/* gr_embed_json_check, and *nomem: an allocation failed (the text may be fine). */
static bool
gr_ej_run(const char *text, size_t len, struct gr_arena *a, struct gr_embed_manifest *m, bool *nomem)
{
	struct gr_ej j = { text, len, 0, 0, a, a ? m : NULL, false };
	char type;
	size_t count;
	bool ok;

	if (j.m) {
		j.m->members = NULL;
		j.m->nmembers = 0;
	}
	ok = gr_ej_value(&j, &type, &count, NULL);
	if (ok) {
		gr_ej_ws(&j);
		ok = j.i == j.n;
	}
	*nomem = j.nomem;
	return ok && !j.nomem;
}

bool
gr_embed_json_check(const char *text, size_t len, struct gr_arena *a, struct gr_embed_manifest *m)
{
	bool nomem;

	return gr_ej_run(text, len, a, m, &nomem);
}

/* ---- the payload ------------------------------------------------------------ */

/* Check the payload (text of len bytes, NUL after it) and fill m. */
static int
gr_em_payload(const char *text, size_t len, const char *path, const char *where, struct gr_arena *a,
              struct gr_embed_manifest *m, struct gr_error *err)
{
	size_t i;
	bool nomem, ok;

	memset(m, 0, sizeof(*m));
	if (len == 0)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: the embedded manifest (%s) is empty", path, where);
	if (len > GR_EMBED_MAX)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: the embedded manifest (%s) is %zu bytes, more than the %zu accepted",
		                    path, where, len, GR_EMBED_MAX);
	if (!(m->text = gr_arena_strndup(a, text, len)) || !(m->where = gr_arena_strdup(a, where)))
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	m->len = len;
	m->nslices = 1;
	ok = gr_ej_run(m->text, len, a, m, &nomem);
	if (nomem)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	if (!ok || m->text[strspn(m->text, " \t\r\n")] != '{')
		return gr_error_set(err, GR_EFORMAT, 0, "%s: the embedded manifest (%s) is not a JSON object", path, where);
	for (i = 0; i < m->nmembers; i++)
		if (!strcmp(m->members[i].key, "format") && m->members[i].type == 's')
			m->format = m->members[i].str;
	if (!m->format || strncmp(m->format, GR_EMBED_FORMAT_PREFIX, strlen(GR_EMBED_FORMAT_PREFIX)) != 0)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: the embedded manifest (%s) has no \"format\": \"%s...\" member",
		                    path, where, GR_EMBED_FORMAT_PREFIX);
	return GR_OK;
}

/* ---- ELF -------------------------------------------------------------------- */

int
gr_embed_blob(const char *payload, size_t len, unsigned char **out, size_t *outlen, struct gr_error *err)
{
	*out = NULL;
	*outlen = 0;
	if (len == 0 || len > GR_EMBED_MAX || memchr(payload, '\0', len))
		return gr_error_set(err, GR_EUSAGE, 0, "a manifest is 1 to %zu bytes of JSON without a NUL (%zu bytes given)",
		                    GR_EMBED_MAX, len);
	if (!(*out = malloc(len + 1)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	memcpy(*out, payload, len);
	(*out)[len] = '\0';
	*outlen = len + 1;
	return GR_OK;
}

/* The ELF note section: its 12-byte header, the name "gorelink\0" padded to
 * 12, the descriptor (gr_embed_blob) padded to a multiple of 4, in the byte order be. */
static unsigned char *
gr_em_note(const char *payload, size_t len, bool be, size_t *outlen)
{
	size_t desc = len + 1, namesz = sizeof(GR_EMBED_NOTE_NAME), total;
	unsigned char *p;

	total = 12 + ((namesz + 3) & ~(size_t)3) + ((desc + 3) & ~(size_t)3);
	if (!(p = calloc(1, total)))
		return NULL;
	gr_bytes_put(p, (uint32_t)namesz, 4, be);
	gr_bytes_put(p + 4, (uint32_t)desc, 4, be);
	gr_bytes_put(p + 8, GR_EMBED_NOTE_TYPE, 4, be);
	memcpy(p + 12, GR_EMBED_NOTE_NAME, namesz);
	memcpy(p + 12 + ((namesz + 3) & ~(size_t)3), payload, len);
	*outlen = total;
	return p;
}

/* Write all n bytes of p to fd. */
static int
gr_em_write(int fd, const unsigned char *p, size_t n, const char *tmp, struct gr_error *err)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return gr_error_set(err, GR_EIO, errno, "%s: %s", tmp, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return GR_OK;
}

static int gr_em_elf_find(const unsigned char *buf, size_t len, const char *path, struct gr_arena *a,
                          struct gr_embed_manifest *m, struct gr_error *err);

/* The bytes to append to the ELF file in buf (len bytes) into *tail, and the
 * new e_shoff and e_shnum: the section name table grown by our name, the note
 * (4-aligned), the section header table (the old one with .shstrtab moved,
 * and the note's header last; aligned for the class). */
static int
gr_em_elf_tail(const unsigned char *buf, size_t len, const char *path, const char *payload, size_t plen,
               unsigned char **tail, size_t *taillen, uint64_t *shoff_new, uint64_t *shnum_new, struct gr_error *err)
{
	struct gr_elfsh h;
	struct gr_elfsh_sec strtab, ns;
	uint64_t strsize, i, entsz;
	uint64_t off_note, off_sh, end;
	size_t namelen = sizeof(GR_EMBED_SECTION), notelen;
	unsigned char *t, *note, *sh;

	*tail = NULL;
	if (len < sizeof(Elf64_Ehdr) || !gr_elfsh_header(buf, len, &h))
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an ELF file", path);
	if (!gr_elfsh_table_fits(&h, len) || h.shstrndx == SHN_UNDEF || h.shstrndx >= h.shnum ||
	    h.shnum + 1 >= SHN_LORESERVE)
		return gr_error_set(err, GR_EUSAGE, 0, "%s: no usable section header table to add the manifest note to", path);
	/* What gr_embed_find will read: a gorelink note already (in any note
	 * section, whatever its name), or a malformed one, refused now. */
	{
		struct gr_arena a;
		struct gr_embed_manifest m;
		int rc;
		gr_arena_init(&a);
		rc = gr_em_elf_find(buf, len, path, &a, &m, err);
		if (rc == GR_OK)
			rc = gr_error_set(err, GR_EUSAGE, 0, "%s: already carries a manifest (%s)", path, m.where);
		gr_arena_deinit(&a);
		if (rc != GR_ENOTFOUND)
			return rc;
	}
	gr_elfsh_sec(&h, buf + h.shoff + (uint64_t)h.shstrndx * h.shentsize, &strtab);
	strsize = strtab.size;
	if (strtab.type != SHT_STRTAB || strtab.offset > len || strsize > len - strtab.offset)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: unreadable section name table", path);
	/* Our name goes right after the table: a name running off its end, or
	 * one starting there, would read as another (or as ours). */
	if (strsize == 0 || buf[strtab.offset + strsize - 1] != '\0')
		return gr_error_set(err, GR_EFORMAT, 0, "%s: the section name table does not end with a NUL", path);
	for (i = 1; i < h.shnum; i++) {
		struct gr_elfsh_sec sec;
		uint64_t nm;
		gr_elfsh_sec(&h, buf + h.shoff + i * h.shentsize, &sec);
		nm = sec.name;
		if (nm >= strsize)
			return gr_error_set(err, GR_EFORMAT, 0, "%s: section %llu's name lies outside the section name table",
			                    path, (unsigned long long)i);
		/* A note section past the end would cover what is appended. */
		if (sec.type == SHT_NOTE && (sec.offset > len || sec.size > len - sec.offset))
			return gr_error_set(err, GR_EFORMAT, 0, "%s: note section %llu lies outside the file", path,
			                    (unsigned long long)i);
		if (strsize - nm >= namelen && !memcmp(buf + strtab.offset + nm, GR_EMBED_SECTION, namelen))
			return gr_error_set(err, GR_EUSAGE, 0, "%s: already carries a manifest (%s)", path, GR_EMBED_SECTION);
	}
	if (!(note = gr_em_note(payload, plen, h.be, &notelen)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	entsz = h.is64 ? 8 : 4;
	off_note = ((uint64_t)len + strsize + namelen + 3) & ~(uint64_t)3;
	off_sh = (off_note + notelen + entsz - 1) & ~(entsz - 1);
	end = off_sh + ((uint64_t)h.shnum + 1) * h.shentsize;
	if (!(t = calloc(1, (size_t)(end - len)))) {
		free(note);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	memcpy(t, buf + strtab.offset, (size_t)strsize);
	memcpy(t + strsize, GR_EMBED_SECTION, namelen);
	memcpy(t + (off_note - len), note, notelen);
	free(note);
	sh = t + (off_sh - len);
	memcpy(sh, buf + h.shoff, (size_t)gr_elfsh_table_size(&h));
	/* .shstrtab now lies at the old end of the file. */
	strtab.offset = len;
	strtab.size = strsize + namelen;
	gr_elfsh_sec_put(&h, sh + (size_t)h.shstrndx * h.shentsize, &strtab);
	/* The note: not allocated, no address, 4-aligned. */
	memset(&ns, 0, sizeof(ns));
	ns.name = (uint32_t)strsize;
	ns.type = SHT_NOTE;
	ns.offset = off_note;
	ns.size = notelen;
	ns.addralign = 4;
	gr_elfsh_sec_put(&h, sh + (size_t)h.shnum * h.shentsize, &ns);
	if (!h.is64 && end > UINT32_MAX) {
		free(t);
		return gr_error_set(err, GR_EUSAGE, 0, "%s: a 32-bit ELF file cannot grow past 4 GiB", path);
	}
	*tail = t;
	*taillen = (size_t)(end - len);
	*shoff_new = off_sh;
	*shnum_new = (uint64_t)h.shnum + 1;
	return GR_OK;
}

/* Append the tail in place: the tail first (past the old end, where the old
 * section header table still describes the file), then e_shoff and e_shnum
 * (hdr, hdrlen bytes at hdroff) in one write; on a failure the file is cut
 * back to its old length and its old header bytes. */
static int
gr_em_append(int fd, const char *path, size_t oldlen, const unsigned char *tail, size_t taillen,
             const unsigned char *hdr, const unsigned char *oldhdr, size_t hdroff, size_t hdrlen,
             struct gr_error *err)
{
	ssize_t w;
	int rc = GR_OK;

	if (!gr_file_pwrite(fd, tail, taillen, oldlen))
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (rc == GR_OK) {
		do
			w = pwrite(fd, hdr + hdroff, hdrlen, (off_t)hdroff);
		while (w < 0 && errno == EINTR);
		if (w != (ssize_t)hdrlen) {
			rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(w < 0 ? errno : EIO));
			/* Best effort (the error above is what is reported): the old bytes back. */
			if (w > 0 && pwrite(fd, oldhdr + hdroff, hdrlen, (off_t)hdroff) < 0)
				rc = GR_EIO;
		}
	}
	if (rc != GR_OK && ftruncate(fd, (off_t)oldlen) != 0)
		rc = GR_EIO;  /* err already says why */
	return rc;
}

/* The ELF header at buf with its e_shoff and e_shnum set: only they change
 * in what was there when the section table moves to the end. */
static void
gr_em_set_shdr(unsigned char *buf, uint64_t shoff, uint64_t shnum)
{
	if (buf[EI_CLASS] == ELFCLASS64) {
		gr_bytes_put(buf + 0x28, shoff, 8, buf[EI_DATA] == ELFDATA2MSB);
		gr_bytes_put(buf + 0x3c, shnum, 2, buf[EI_DATA] == ELFDATA2MSB);
	} else {
		gr_bytes_put(buf + 0x20, shoff, 4, buf[EI_DATA] == ELFDATA2MSB);
		gr_bytes_put(buf + 0x30, shnum, 2, buf[EI_DATA] == ELFDATA2MSB);
	}
}

/* gr_em_elf_tail on a mapped file, under gr_sigbus_guard (a file that
 * shrinks meanwhile: an error; the tail allocated before such a fault is
 * leaked), and the header's new e_shoff and e_shnum written into the
 * mapping's private copy of its first page (old ones saved in oldhdr). */
struct gr_em_mapped {
	unsigned char *buf, *tail, oldhdr[64];
	size_t len, taillen;
	const char *path, *payload;
	size_t plen;
	struct gr_error *err;
};

static int
gr_em_mapped_tail(void *ctx)
{
	struct gr_em_mapped *c = ctx;
	uint64_t shoff = 0, shnum = 0;
	int rc;

	if ((rc = gr_em_elf_tail(c->buf, c->len, c->path, c->payload, c->plen, &c->tail, &c->taillen, &shoff, &shnum,
	                         c->err)))
		return rc;
	memcpy(c->oldhdr, c->buf, sizeof(c->oldhdr));
	gr_em_set_shdr(c->buf, shoff, shnum);
	return GR_OK;
}

/* gr_embed_elf_append on fd (open for writing, path's): the file mapped, not
 * read (the linker's fresh output: only the headers and the section names
 * are touched, megabytes of it are not copied). */
static int
gr_em_elf_append_mapped(int fd, const char *path, size_t size, const char *payload, size_t len,
                        struct gr_error *err)
{
	struct gr_em_mapped c = { NULL, NULL, { 0 }, size, 0, path, payload, len, err };
	void *map;
	int rc;

	if (size < 64) {
		close(fd);
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an ELF file", path);
	}
	if ((map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	c.buf = map;
	rc = gr_sigbus_guard(gr_em_mapped_tail, &c, path, err);
	if (rc == GR_OK) {
		/* e_shoff .. e_shnum: 0x20 .. 0x3e (ELF64), 0x20 .. 0x32 (ELF32) */
		size_t hdrlen = c.buf[EI_CLASS] == ELFCLASS64 ? 0x3e - 0x20 : 0x32 - 0x20;
		rc = gr_em_append(fd, path, size, c.tail, c.taillen, c.buf, c.oldhdr, 0x20, hdrlen, err);
	}
	munmap(map, size);
	if (close(fd) != 0 && rc == GR_OK)
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	free(c.tail);
	return rc;
}

/* gr_embed_elf_add and gr_embed_elf_append: inplace says which. */
static int
gr_em_elf_add(const char *path, const char *payload, size_t len, bool inplace, struct gr_error *err)
{
	struct stat st;
	unsigned char *blob, *buf = NULL, *tail = NULL;
	size_t bl, dl, got = 0, taillen = 0;
	uint64_t shoff = 0, shnum = 0;
	char *tmp, *cbuf;
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if ((rc = gr_embed_blob(payload, len, &blob, &bl, err)))
		return rc;
	free(blob);
	fd = open(path, (inplace ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	/* A file we may not write (but may replace): the copy and rename. */
	if (fd < 0 && inplace && (errno == EACCES || errno == ETXTBSY || errno == EROFS)) {
		inplace = false;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > ((off_t)4 << 30)) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: not a regular file of at most 4 GiB", path);
		close(fd);
		return rc;
	}
	if (inplace)
		return gr_em_elf_append_mapped(fd, path, (size_t)st.st_size, payload, len, err);
	rc = gr_file_read_fd(fd, path, (size_t)st.st_size, false, &cbuf, &got, NULL);
	close(fd);
	if (rc == GR_ENOMEM)
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	if (rc)
		return gr_error_set(err, GR_EIO, errno, "%s: short read", path);
	buf = (unsigned char *)cbuf;
	if ((rc = gr_em_elf_tail(buf, got, path, payload, len, &tail, &taillen, &shoff, &shnum, err))) {
		free(buf);
		return rc;
	}
	gr_em_set_shdr(buf, shoff, shnum);
	dl = slash ? (size_t)(slash - path) + 1 : 0;
	if (!(tmp = malloc(dl + 32))) {
		free(buf);
		free(tail);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	memcpy(tmp, path, dl);
	memcpy(tmp + dl, ".gr-embed-XXXXXX", sizeof(".gr-embed-XXXXXX"));
	if ((fd = mkstemp(tmp)) < 0) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", tmp, strerror(errno));
	} else {
		rc = gr_em_write(fd, buf, got, tmp, err);
		if (rc == GR_OK)
			rc = gr_em_write(fd, tail, taillen, tmp, err);
		if (rc == GR_OK && fchmod(fd, st.st_mode & 07777) != 0)
			rc = gr_error_set(err, GR_EIO, errno, "%s: %s", tmp, strerror(errno));
		if (close(fd) != 0 && rc == GR_OK)
			rc = gr_error_set(err, GR_EIO, errno, "%s: %s", tmp, strerror(errno));
		if (rc == GR_OK && rename(tmp, path) != 0)
			rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
		if (rc != GR_OK)
			unlink(tmp);
	}
	free(tmp);
	free(buf);
	free(tail);
	return rc;
}

int
gr_embed_elf_add(const char *path, const char *payload, size_t len, struct gr_error *err)
{
	return gr_em_elf_add(path, payload, len, false, err);
}

int
gr_embed_elf_append(const char *path, const char *payload, size_t len, struct gr_error *err)
{
	return gr_em_elf_add(path, payload, len, true, err);
}

/* The manifest note in the ELF file in buf: bounds before every read. */
static int
gr_em_elf_find(const unsigned char *buf, size_t len, const char *path, struct gr_arena *a,
               struct gr_embed_manifest *m, struct gr_error *err)
{
	struct gr_elfsh h;
	bool found = false;
	uint64_t shoff, shnum, shentsize, shstrndx, i;
	uint64_t stroff = 0, strsize = 0;
	const char *text = NULL;
	size_t textlen = 0;

	if (len < 0x34 || (buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64) ||
	    (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB))
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated or unknown ELF header", path);
	if (!gr_elfsh_header(buf, len, &h))
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated ELF header", path);
	shoff = h.shoff;
	shentsize = h.shentsize;
	shnum = h.shnum;
	shstrndx = h.shstrndx;
	if (shoff == 0)
		return GR_ENOTFOUND;  /* no section headers: no manifest */
	if (shentsize < gr_elfsh_shdr_size(&h) || shoff > len || len - shoff < shentsize)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: section header table outside the file", path);
	{
		/* extended numbering: the count and the name table's index in section 0 */
		struct gr_elfsh_sec s0;
		gr_elfsh_sec(&h, buf + shoff, &s0);
		if (shnum == 0)
			shnum = s0.size;
		if (shstrndx == SHN_XINDEX)
			shstrndx = s0.link;
	}
	if (shnum > (len - shoff) / shentsize)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: %llu section headers do not fit in the file", path,
		                    (unsigned long long)shnum);
	if (shstrndx && shstrndx < shnum) {
		struct gr_elfsh_sec st;
		gr_elfsh_sec(&h, buf + shoff + shstrndx * shentsize, &st);
		stroff = st.offset;
		strsize = st.size;
		if (stroff > len || strsize > len - stroff)
			stroff = strsize = 0;
	}
	for (i = 1; i < shnum; i++) {
		struct gr_elfsh_sec sec;
		uint32_t name, type;
		uint64_t off, size, align;
		gr_elfsh_sec(&h, buf + shoff + i * shentsize, &sec);
		name = sec.name;
		type = sec.type;
		off = sec.offset;
		size = sec.size;
		align = sec.addralign;
		uint64_t pos = 0, al = align == 8 ? 8 : 4;
		bool ours = false;
		if (type != SHT_NOTE)
			continue;
		if (name < strsize) {
			const unsigned char *nm = buf + stroff + name;
			ours = memchr(nm, '\0', strsize - name) && !strcmp((const char *)nm, GR_EMBED_SECTION);
		}
		if (off > len || size > len - off) {
			if (ours)
				return gr_error_set(err, GR_EFORMAT, 0, "%s: section %s (%llu bytes at 0x%llx) extends past the end of the file",
				                    path, GR_EMBED_SECTION, (unsigned long long)size, (unsigned long long)off);
			continue;
		}
		while (size - pos >= 12) {
			const unsigned char *n = buf + off + pos;
			uint64_t namesz = gr_bytes_get(n, 4, h.be), descsz = gr_bytes_get(n + 4, 4, h.be);
			uint32_t ntype = (uint32_t)gr_bytes_get(n + 8, 4, h.be);
			uint64_t doff = (12 + namesz + al - 1) & ~(al - 1), next;
			bool mine;
			if (doff > size - pos || descsz > size - pos - doff) {
				if (ours)
					return gr_error_set(err, GR_EFORMAT, 0,
					                    "%s: note in %s at offset %llu: name (%llu bytes) and descriptor (%llu bytes) extend past the section (%llu bytes)",
					                    path, GR_EMBED_SECTION, (unsigned long long)pos, (unsigned long long)namesz,
					                    (unsigned long long)descsz, (unsigned long long)size);
				break;
			}
			mine = namesz == sizeof(GR_EMBED_NOTE_NAME) && !memcmp(n + 12, GR_EMBED_NOTE_NAME, sizeof(GR_EMBED_NOTE_NAME));
			if (ours && !mine)
				return gr_error_set(err, GR_EFORMAT, 0, "%s: section %s holds a note not owned by \"%s\"", path,
				                    GR_EMBED_SECTION, GR_EMBED_NOTE_NAME);
			if (mine) {
				const unsigned char *desc = n + doff, *nul;
				if (ntype != GR_EMBED_NOTE_TYPE)
					return gr_error_set(err, GR_EFORMAT, 0,
					                    "%s: gorelink note of type 0x%x, not the manifest's (0x%x): made by a newer gorelink?",
					                    path, (unsigned)ntype, GR_EMBED_NOTE_TYPE);
				if (found)
					return gr_error_set(err, GR_EFORMAT, 0, "%s: more than one embedded manifest note", path);
				if (descsz == 0 || !(nul = memchr(desc, '\0', (size_t)descsz)) || (uint64_t)(nul - desc) != descsz - 1)
					return gr_error_set(err, GR_EFORMAT, 0,
					                    "%s: the manifest note's descriptor (%llu bytes) does not end with its only NUL",
					                    path, (unsigned long long)descsz);
				found = true;
				text = (const char *)desc;
				textlen = (size_t)descsz - 1;
			}
			next = (doff + descsz + al - 1) & ~(al - 1);
			if (next > size - pos)
				break;
			pos += next;
		}
	}
	if (!found)
		return GR_ENOTFOUND;
	return gr_em_payload(text, textlen, path, "ELF note " GR_EMBED_SECTION, a, m, err);
}

/* ---- Mach-O ----------------------------------------------------------------- */

/* The manifest section of the thin Mach-O file in buf; where names it (arch). */
static int
gr_em_macho_thin(const unsigned char *buf, size_t len, const char *path, const char *arch, struct gr_arena *a,
                 struct gr_embed_manifest *m, struct gr_error *err)
{
	uint32_t magic, ncmds, sizeofcmds, i;
	bool be, is64;
	size_t hsz, pos, end;
	char where[128];

	if (len < 28)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated Mach-O header", path);
	magic = (uint32_t)gr_bytes_get(buf, 4, false);
	be = magic == 0xcefaedfeu || magic == 0xcffaedfeu;
	magic = (uint32_t)gr_bytes_get(buf, 4, be);
	if (magic != 0xfeedfaceu && magic != 0xfeedfacfu)
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not a Mach-O file", path);
	is64 = magic == 0xfeedfacfu;
	hsz = is64 ? 32 : 28;
	if (len < hsz)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated Mach-O header", path);
	ncmds = (uint32_t)gr_bytes_get(buf + 16, 4, be);
	sizeofcmds = (uint32_t)gr_bytes_get(buf + 20, 4, be);
	if (sizeofcmds > len - hsz)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: load commands (%u bytes) extend past the end of the file", path,
		                    (unsigned)sizeofcmds);
	end = hsz + sizeofcmds;
	for (i = 0, pos = hsz; i < ncmds; i++) {
		uint32_t cmd, cmdsize, nsects, k;
		size_t seghdr, secsz;
		if (end - pos < 8)
			return gr_error_set(err, GR_EFORMAT, 0, "%s: load command %u outside sizeofcmds", path, (unsigned)i);
		cmd = (uint32_t)gr_bytes_get(buf + pos, 4, be);
		cmdsize = (uint32_t)gr_bytes_get(buf + pos + 4, 4, be);
		if (cmdsize < 8 || cmdsize > end - pos)
			return gr_error_set(err, GR_EFORMAT, 0, "%s: load command %u has size %u", path, (unsigned)i,
			                    (unsigned)cmdsize);
		if (cmd == 0x1u || cmd == 0x19u) {
			seghdr = cmd == 0x19u ? 72 : 56;
			secsz = cmd == 0x19u ? 80 : 68;
			if (cmdsize < seghdr)
				return gr_error_set(err, GR_EFORMAT, 0, "%s: segment command %u is too short", path, (unsigned)i);
			nsects = (uint32_t)gr_bytes_get(buf + pos + seghdr - 8, 4, be);
			if (nsects > (cmdsize - seghdr) / secsz)
				return gr_error_set(err, GR_EFORMAT, 0, "%s: segment command %u claims %u sections", path,
				                    (unsigned)i, (unsigned)nsects);
			for (k = 0; k < nsects; k++) {
				const unsigned char *s = buf + pos + seghdr + (size_t)k * secsz;
				uint64_t size, off;
				const unsigned char *p, *nul;
				if (strncmp((const char *)s, GR_EMBED_MACHO_SECTION, 16) != 0 ||
				    strncmp((const char *)s + 16, GR_EMBED_MACHO_SEGMENT, 16) != 0)
					continue;
				size = cmd == 0x19u ? gr_bytes_get(s + 40, 8, be) : gr_bytes_get(s + 36, 4, be);
				off = gr_bytes_get(s + (cmd == 0x19u ? 48 : 40), 4, be);
				if (arch)
					snprintf(where, sizeof(where), "Mach-O section %s,%s (%s)", GR_EMBED_MACHO_SEGMENT,
					         GR_EMBED_MACHO_SECTION, arch);
				else
					snprintf(where, sizeof(where), "Mach-O section %s,%s", GR_EMBED_MACHO_SEGMENT,
					         GR_EMBED_MACHO_SECTION);
				if (off == 0 || off > len || size > len - off)
					return gr_error_set(err, GR_EFORMAT, 0, "%s: %s (%llu bytes at 0x%llx) lies outside the file",
					                    path, where, (unsigned long long)size, (unsigned long long)off);
				p = buf + off;
				if (!(nul = memchr(p, '\0', (size_t)size)))
					return gr_error_set(err, GR_EFORMAT, 0, "%s: %s has no terminating NUL", path, where);
				for (const unsigned char *q = nul; q < p + size; q++)
					if (*q)
						return gr_error_set(err, GR_EFORMAT, 0, "%s: %s has bytes after its NUL", path, where);
				return gr_em_payload((const char *)p, (size_t)(nul - p), path, where, a, m, err);
			}
		}
		pos += cmdsize;
	}
	return GR_ENOTFOUND;
}

int
gr_embed_find(const unsigned char *buf, size_t len, const char *path, struct gr_arena *a,
              struct gr_embed_manifest *m, struct gr_error *err)
{
	memset(m, 0, sizeof(*m));
	if (gr_elf_is(buf, len))
		return gr_em_elf_find(buf, len, path, a, m, err);
	if (gr_macho_is_thin(buf, len))
		return gr_em_macho_thin(buf, len, path, NULL, a, m, err);
	if (gr_macho_is_fat(buf, len)) {
		struct gr_macho_slice sl[64];
		struct gr_embed_manifest x;
		size_t n, i, found = 0;
		char tmp[32];
		int rc;
		if ((rc = gr_macho_fat_slices(buf, len, path, sl, 64, &n, err)))
			return rc;
		for (i = 0; i < n; i++) {
			const char *arch = gr_macho_arch_name(sl[i].cputype, sl[i].cpusubtype, tmp, sizeof(tmp));
			rc = gr_em_macho_thin(buf + sl[i].offset, (size_t)sl[i].size, path, arch, a, &x, err);
			if (rc == GR_ENOTFOUND || rc == GR_ENOTBIN)
				continue;  /* an archive slice, or one without a manifest */
			if (rc)
				return rc;
			if (!found++)
				*m = x;
		}
		if (!found)
			return GR_ENOTFOUND;
		m->nslices = found;
		return GR_OK;
	}
	return gr_error_set(err, GR_ENOTBIN, 0, "%s: neither ELF nor Mach-O", path);
}

int
gr_embed_read(const char *path, struct gr_arena *a, struct gr_embed_manifest *m, struct gr_error *err)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, rc;

	memset(m, 0, sizeof(*m));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > ((off_t)4 << 30)) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: not a regular file of at most 4 GiB", path);
		close(fd);
		return rc;
	}
	rc = gr_file_read_fd(fd, path, (size_t)st.st_size, true, &buf, &got, NULL);
	close(fd);
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	rc = gr_embed_find((unsigned char *)buf, got, path, a, m, err);
	free(buf);
	return rc;
}
