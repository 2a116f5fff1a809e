/* Unit tests for gr_embed: the manifest note added to a linked ELF file (a
 * program built here with cc; readelf -n as the oracle; nothing allocated
 * moves; it still runs), read back; corrupt notes refused with GR_EFORMAT;
 * Mach-O sections (thin, both byte orders, 32 and 64 bits, universal) built
 * in memory; the JSON check. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gr_elfsh.h"
#include "gr_embed.h"
#include "gr_records.h"
#include "gr_spawn.h"
#include "gr_test.h"

static char tmpdir[256];
static const char manifest[] = "{\"format\":\"gorelink-manifest/1\",\"archives\":[{\"path\":\"/usr/lib/libz.a\"},{\"path\":\"x\"}]}";

/* Run argv; its exit code (asserted to run), its stdout in *out if out. */
static int
run(const char *const *argv, char **out)
{
	struct gr_spawn_result r;
	struct gr_error e;
	int code;

	ck_assert_msg(gr_spawn_capture((char *const *)(uintptr_t)argv, NULL, &r, &e) == GR_OK, "%s: %s (apt-get install binutils gcc)", argv[0], e.msg);
	code = r.exited ? r.code : 128 + r.code;
	if (out)
		*out = strdup(r.out ? r.out : "");
	gr_spawn_result_free(&r);
	return code;
}

/* A small C program, linked, at DIR/name; its path (static storage). */
static const char *
build_prog(const char *name)
{
	static char src[512], bin[512];
	const char *cc[] = { "cc", "-Wl,--build-id", "-o", bin, src, NULL };

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-embed");
	snprintf(src, sizeof(src), "%s/p.c", tmpdir);
	snprintf(bin, sizeof(bin), "%s/%s", tmpdir, name);
	gr_test_write(src, "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n");
	ck_assert_int_eq(run(cc, NULL), 0);
	return bin;
}


START_TEST(test_elf_roundtrip)
{
	const char *bin = build_prog("prog");
	char copy[600];
	char *before = NULL, *notes = NULL, *out = NULL;
	const char *seg0[] = { "readelf", "-lW", bin, NULL };
	const char *dyn0[] = { "readelf", "-dW", bin, NULL };
	const char *bid0[] = { "readelf", "-nW", bin, NULL };
	const char *rn[] = { "readelf", "-nW", bin, NULL };
	const char *exe[] = { bin, NULL };
	const char *cp[] = { "cp", bin, copy, NULL };
	const char *cmp[] = { "cmp", bin, copy, NULL };
	char *segb, *dynb;
	struct gr_arena a;
	struct gr_embed_manifest m;
	struct gr_error e;
	struct stat st;
	unsigned char *orig, *now;
	size_t olen, nlen;

	snprintf(copy, sizeof(copy), "%s.2", bin);
	gr_arena_init(&a);
	ck_assert_int_eq(gr_embed_read(bin, &a, &m, &e), GR_ENOTFOUND);
	ck_assert_int_eq(run(seg0, &segb), 0);
	ck_assert_int_eq(run(dyn0, &dynb), 0);
	ck_assert_int_eq(run(bid0, &before), 0);
	orig = gr_test_slurp_bytes(bin, &olen);
	ck_assert_int_eq(run(cp, NULL), 0);

	ck_assert_msg(gr_embed_elf_add(bin, manifest, strlen(manifest), &e) == GR_OK, "%s", e.msg);
	/* Nothing before the old end moved: only the ELF header's e_shoff/e_shnum changed there. */
	now = gr_test_slurp_bytes(bin, &nlen);
	ck_assert_uint_gt(nlen, olen);
	ck_assert_int_eq(memcmp(orig, now, 0x28), 0);
	ck_assert_int_eq(memcmp(orig + 0x30, now + 0x30, 0x3c - 0x30), 0);
	ck_assert_int_eq(memcmp(orig + 0x3e, now + 0x3e, olen - 0x3e), 0);
	/* The same segments and dynamic section; the build-id note as it was, ours after it. */
	ck_assert_int_eq(run(seg0, &out), 0);
	ck_assert_str_eq(out, segb);
	free(out);
	ck_assert_int_eq(run(dyn0, &out), 0);
	ck_assert_str_eq(out, dynb);
	free(out);
	ck_assert_int_eq(run(rn, &notes), 0);
	ck_assert_ptr_nonnull(strstr(notes, before));
	ck_assert_ptr_nonnull(strstr(notes, "Displaying notes found in: " GR_EMBED_SECTION));
	ck_assert_ptr_nonnull(strstr(notes, "gorelink"));
	ck_assert_int_eq(stat(bin, &st), 0);
	ck_assert_int_ne(st.st_mode & 0111, 0);
	ck_assert_int_eq(run(exe, &out), 0);
	ck_assert_str_eq(out, "hello\n");
	free(out);

	/* Read back; a second manifest is refused. */
	ck_assert_msg(gr_embed_read(bin, &a, &m, &e) == GR_OK, "%s", e.msg);
	ck_assert_str_eq(m.text, manifest);
	ck_assert_str_eq(m.format, "gorelink-manifest/1");
	ck_assert_uint_eq(m.nmembers, 2);
	ck_assert_str_eq(m.members[1].key, "archives");
	ck_assert_int_eq(m.members[1].type, 'a');
	ck_assert_uint_eq(m.members[1].count, 2);
	ck_assert_int_eq(gr_embed_elf_add(bin, manifest, strlen(manifest), &e), GR_EUSAGE);

	/* Deterministic: the same input and payload give the same bytes. */
	ck_assert_int_eq(gr_embed_elf_add(copy, manifest, strlen(manifest), &e), GR_OK);
	ck_assert_int_eq(run(cmp, NULL), 0);

	/* In place (gorelink-ld's way): the same bytes, the same inode; a second
	 * manifest is refused and leaves the file as it was. */
	{
		const char *cp2[] = { "cp", "--preserve=mode", copy, bin, NULL };
		struct stat st0, st1;
		unsigned char *again;
		size_t alen;
		unlink(copy);
		ck_assert_int_eq(run(cp, NULL), 0);      /* bin (with the note) to copy */
		ck_assert_int_eq(unlink(bin), 0);
		{
			FILE *f = fopen(bin, "wb");
			ck_assert_ptr_nonnull(f);
			ck_assert_uint_eq(fwrite(orig, 1, olen, f), olen);
			ck_assert_int_eq(fclose(f), 0);
		}
		ck_assert_int_eq(stat(bin, &st0), 0);
		ck_assert_msg(gr_embed_elf_append(bin, manifest, strlen(manifest), &e) == GR_OK, "%s", e.msg);
		ck_assert_int_eq(stat(bin, &st1), 0);
		ck_assert_uint_eq(st0.st_ino, st1.st_ino);
		ck_assert_int_eq(run(cmp, NULL), 0);
		ck_assert_int_eq(gr_embed_elf_append(bin, manifest, strlen(manifest), &e), GR_EUSAGE);
		ck_assert_int_eq(run(cmp, NULL), 0);
		again = gr_test_slurp_bytes(bin, &alen);
		ck_assert_uint_eq(alen, nlen);
		ck_assert_int_eq(memcmp(again, now, nlen), 0);
		free(again);
		ck_assert_int_eq(run(cp2, NULL), 0);     /* bin as the tests below expect it */
	}
	free(orig);
	free(now);
	free(before);
	free(notes);
	free(segb);
	free(dynb);
	gr_arena_deinit(&a);
}
END_TEST

/* The offset of the manifest note's header inside the file at bin. */
static size_t
note_at(const unsigned char *b, size_t len)
{
	size_t i;

	for (i = 12; i + 13 <= len; i++)
		if (!memcmp(b + i, "gorelink\0\0\0\0{", 13))
			return i - 12;
	ck_abort_msg("no manifest note");
	return 0;
}

static int
find_in(unsigned char *b, size_t len, struct gr_error *e)
{
	struct gr_arena a;
	struct gr_embed_manifest m;
	int rc;

	gr_arena_init(&a);
	rc = gr_embed_find(b, len, "corrupt", &a, &m, e);
	gr_arena_deinit(&a);
	return rc;
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);  /* the test host's (little-endian) order, as cc built it */
}

START_TEST(test_elf_corrupt)
{
	const char *bin = build_prog("prog");
	unsigned char *b, *c;
	size_t len, at, dl = strlen(manifest) + 1;
	struct gr_error e;

	ck_assert_int_eq(gr_embed_elf_add(bin, manifest, strlen(manifest), &e), GR_OK);
	b = gr_test_slurp_bytes(bin, &len);
	at = note_at(b, len);
	c = malloc(len);
#define TRY(mutate, want)                                                   \
	do {                                                                    \
		memcpy(c, b, len);                                              \
		mutate;                                                         \
		ck_assert_int_eq(find_in(c, len, &e), want);                    \
	} while (0)
	TRY((void)0, GR_OK);
	TRY(put32(c + at + 4, 0x7fffffff), GR_EFORMAT);                  /* descsz past the section */
	TRY(put32(c + at, 0xfffffff0u), GR_EFORMAT);                     /* namesz past the section */
	TRY(put32(c + at + 8, 0x47520002u), GR_EFORMAT);                         /* another note type */
	TRY(c[at + 12 + 12 + dl - 1] = 'x', GR_EFORMAT);                 /* no NUL at its end */
	TRY(c[at + 12 + 12 + 5] = '\0', GR_EFORMAT);                     /* a NUL inside */
	TRY(c[at + 12 + 12] = '[', GR_EFORMAT);                          /* not JSON */
	TRY(memcpy(c + at + 12 + 12 + 2, "fxrmat", 6), GR_EFORMAT);      /* no "format" */
	TRY(c[at + 12] = 'G', GR_EFORMAT);                               /* another owner in our section */
	TRY(put32(c + at + 4, 0), GR_EFORMAT);                           /* empty descriptor */
	/* Truncated files: never a crash, an error or nothing found. */
	for (size_t cut = 0; cut < len; cut += cut < 128 ? 1 : 997) {
		int rc;
		memcpy(c, b, cut);
		rc = find_in(c, cut, &e);
		ck_assert_msg(rc == GR_EFORMAT || rc == GR_ENOTFOUND || rc == GR_ENOTBIN, "cut %zu: %d", cut, rc);
	}
#undef TRY
	free(b);
	free(c);
}
END_TEST

START_TEST(test_elf_refused)
{
	struct gr_error e;
	char path[512];

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-embed");
	snprintf(path, sizeof(path), "%s/text", tmpdir);
	gr_test_write(path, "not an ELF file at all\n");
	ck_assert_int_eq(gr_embed_elf_add(path, manifest, strlen(manifest), &e), GR_ENOTBIN);
	ck_assert_int_eq(gr_embed_elf_add(path, "", 0, &e), GR_EUSAGE);
	ck_assert_int_eq(gr_embed_elf_add(path, "a\0b", 3, &e), GR_EUSAGE);
	/* Nothing left behind but the file. */
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

/* The section of the linked file at c (n bytes) named name: its header's
 * place, decoded into *s. */
static unsigned char *
section_named(unsigned char *c, size_t n, const char *name, struct gr_elfsh_sec *s)
{
	struct gr_elfsh h;
	struct gr_elfsh_sec strtab;
	size_t i;

	ck_assert(gr_elfsh_header(c, n, &h) && gr_elfsh_table_fits(&h, n));
	gr_elfsh_sec(&h, c + h.shoff + (size_t)h.shstrndx * h.shentsize, &strtab);
	for (i = 1; i < h.shnum; i++) {
		unsigned char *p = c + h.shoff + i * h.shentsize;
		gr_elfsh_sec(&h, p, s);
		if (s->name < strtab.size && !strcmp((const char *)c + strtab.offset + s->name, name))
			return p;
	}
	ck_abort_msg("no section %s", name);
	return NULL;
}

/* Files the note cannot be added to, each refused with GR_EFORMAT by the copy
 * and by the in-place append, the file untouched (fuzz_embed found the first
 * and the fourth): a section name outside the name table (the note's name,
 * put right after the table, would be its name too), a name table not ending
 * with a NUL (its last name would run into ours) or empty, a gorelink note
 * (another type) in another note section (gr_embed_find would not read the
 * result), a note section past the end of the file (it would cover what is
 * appended). */
START_TEST(test_elf_append_refused)
{
	const char *bin = build_prog("names");
	size_t n, k;
	unsigned char *orig = gr_test_slurp_bytes(bin, &n);
	struct gr_elfsh h;
	struct gr_elfsh_sec strtab, s;

	ck_assert(gr_elfsh_header(orig, n, &h));
	ck_assert(gr_elfsh_table_fits(&h, n));
	gr_elfsh_sec(&h, orig + h.shoff + (size_t)h.shstrndx * h.shentsize, &strtab);
	for (k = 0; k < 5; k++) {
		char path[600];
		unsigned char *c = malloc(n), *after, *p;
		size_t m;
		struct gr_error e;
		int add, app;

		ck_assert_ptr_nonnull(c);
		memcpy(c, orig, n);
		switch (k) {
		case 0:  /* the last section's name: the first byte past the table */
			p = c + h.shoff + (size_t)(h.shnum - 1) * h.shentsize;
			gr_elfsh_sec(&h, p, &s);
			s.name = (uint32_t)strtab.size;
			gr_elfsh_sec_put(&h, p, &s);
			break;
		case 1:
			c[strtab.offset + strtab.size - 1] = 'x';
			break;
		case 2:
			p = c + h.shoff + (size_t)h.shstrndx * h.shentsize;
			gr_elfsh_sec(&h, p, &s);
			s.size = 0;
			gr_elfsh_sec_put(&h, p, &s);
			break;
		case 3:  /* the build ID's note (36 bytes): owner "gorelink", type 3 */
			section_named(c, n, ".note.gnu.build-id", &s);
			ck_assert_uint_eq(s.size, 36);
			memcpy(c + s.offset, "\x09\0\0\0\x0c\0\0\0\x03\0\0\0gorelink\0\0\0", 24);
			break;
		default:  /* the ABI tag's note section moved past the end */
			p = section_named(c, n, ".note.ABI-tag", &s);
			s.offset = n + 64;
			gr_elfsh_sec_put(&h, p, &s);
		}
		snprintf(path, sizeof(path), "%s/names-%zu", tmpdir, k);
		gr_test_spill(path, c, n);
		add = gr_embed_elf_add(path, manifest, strlen(manifest), &e);
		ck_assert_msg(add == GR_EFORMAT, "case %zu: gr_embed_elf_add gave %d (%s)", k, add, e.msg);
		app = gr_embed_elf_append(path, manifest, strlen(manifest), &e);
		ck_assert_msg(app == GR_EFORMAT, "case %zu: gr_embed_elf_append gave %d (%s)", k, app, e.msg);
		after = gr_test_slurp_bytes(path, &m);
		ck_assert_msg(m == n && !memcmp(after, c, n), "case %zu: the file changed", k);
		free(after);
		free(c);
	}
	free(orig);
}
END_TEST

/* A Mach-O file with one segment (__GORELINK) and one section (__manifest)
 * holding payload (and pad NULs), in buf: its length. */
static size_t
macho(unsigned char *buf, bool is64, bool be, const char *payload, size_t pad)
{
	size_t hsz = is64 ? 32 : 28, seg = is64 ? 72 : 56, sec = is64 ? 80 : 68, off = hsz + seg + sec;
	size_t pl = strlen(payload) + 1 + pad;
	unsigned char *s;
#define W32(p, v)                                                                    \
	do {                                                                         \
		uint32_t w_ = (v);                                                   \
		for (int i_ = 0; i_ < 4; i_++)                                       \
			(p)[be ? 3 - i_ : i_] = (unsigned char)(w_ >> (8 * i_));      \
	} while (0)
	memset(buf, 0, off + pl);
	W32(buf, is64 ? 0xfeedfacfu : 0xfeedfaceu);
	W32(buf + 4, is64 ? 0x0100000cu : 12);
	W32(buf + 12, 2);
	W32(buf + 16, 1);
	W32(buf + 20, (uint32_t)(seg + sec));
	s = buf + hsz;
	W32(s, is64 ? 0x19 : 0x1);
	W32(s + 4, (uint32_t)(seg + sec));
	memcpy(s + 8, GR_EMBED_MACHO_SEGMENT, strlen(GR_EMBED_MACHO_SEGMENT));
	W32(s + seg - 8, 1);
	s += seg;
	memcpy(s, GR_EMBED_MACHO_SECTION, strlen(GR_EMBED_MACHO_SECTION));
	memcpy(s + 16, GR_EMBED_MACHO_SEGMENT, strlen(GR_EMBED_MACHO_SEGMENT));
	if (is64) {
		W32(s + (be ? 44 : 40), (uint32_t)pl);
		W32(s + 48, (uint32_t)off);
	} else {
		W32(s + 36, (uint32_t)pl);
		W32(s + 40, (uint32_t)off);
	}
#undef W32
	memcpy(buf + off, payload, strlen(payload));
	return off + pl;
}

START_TEST(test_macho)
{
	static unsigned char buf[4096], fat[8192];
	struct gr_arena a;
	struct gr_embed_manifest m;
	struct gr_error e;
	size_t n, k;

	gr_arena_init(&a);
	for (int v = 0; v < 4; v++) {
		n = macho(buf, v & 1, v & 2, manifest, v);
		ck_assert_msg(gr_embed_find(buf, n, "m", &a, &m, &e) == GR_OK, "%d: %s", v, e.msg);
		ck_assert_str_eq(m.text, manifest);
		ck_assert_ptr_nonnull(strstr(m.where, "__GORELINK,__manifest"));
		/* Truncated anywhere: an error or nothing, no crash. */
		for (k = 0; k < n; k++) {
			int rc = gr_embed_find(buf, k, "m", &a, &m, &e);
			ck_assert_msg(rc == GR_EFORMAT || rc == GR_ENOTFOUND || rc == GR_ENOTBIN, "%d/%zu: %d", v, k, rc);
		}
	}
	/* Bytes after the NUL, the section outside the file, another segment name. */
	n = macho(buf, true, false, manifest, 4);
	buf[n - 2] = 'x';
	ck_assert_int_eq(gr_embed_find(buf, n, "m", &a, &m, &e), GR_EFORMAT);
	n = macho(buf, true, false, manifest, 0);
	ck_assert_int_eq(gr_embed_find(buf, n - 1, "m", &a, &m, &e), GR_EFORMAT);
	buf[32 + 72 + 16] = '_' + 1;
	ck_assert_int_eq(gr_embed_find(buf, n, "m", &a, &m, &e), GR_ENOTFOUND);

	/* Universal: two slices (big-endian header), the second with the manifest. */
	memset(fat, 0, sizeof(fat));
	fat[0] = 0xca, fat[1] = 0xfe, fat[2] = 0xba, fat[3] = 0xbe, fat[7] = 2;
	{
		size_t n1 = macho(fat + 4096, true, false, "{\"format\":\"gorelink-manifest/1\",\"slice\":\"x86_64\"}", 0);
		size_t n2 = macho(fat + 4096 + 2048, true, false, manifest, 0);
		unsigned char *e0 = fat + 8, *e1 = fat + 28;
		e0[3] = 7, e0[0] = 1;  /* x86_64 */
		e0[10] = 0x10, e0[15] = (unsigned char)n1, e0[14] = (unsigned char)(n1 >> 8);
		e1[3] = 12, e1[0] = 1;  /* arm64 */
		e1[10] = 0x18, e1[15] = (unsigned char)n2, e1[14] = (unsigned char)(n2 >> 8);
		ck_assert_msg(gr_embed_find(fat, 4096 + 2048 + n2, "fat", &a, &m, &e) == GR_OK, "%s", e.msg);
		ck_assert_uint_eq(m.nslices, 2);
		ck_assert_ptr_nonnull(strstr(m.text, "x86_64"));
		ck_assert_ptr_nonnull(strstr(m.where, "(x86_64)"));
	}
	gr_arena_deinit(&a);
}
END_TEST

START_TEST(test_json)
{
	static const char *good[] = { "{}", " {\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\n\"]} ", "[]", "0", "\"x\"",
	                              "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"" };
	static const char *bad[] = { "", "{", "{\"a\"}", "{\"a\":}", "[1,]", "01", "1.", "\"\\x\"", "{} x",
	                             "\"\x01\"", "tru", "{\"a\":1,}", "\"\\u12\"",
	                             "\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"" };
	char deep[400];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(gr_embed_json_check(good[i], strlen(good[i]), NULL, NULL), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!gr_embed_json_check(bad[i], strlen(bad[i]), NULL, NULL), "%s", bad[i]);
	memset(deep, '[', 200);
	memset(deep + 200, ']', 200);
	ck_assert(!gr_embed_json_check(deep, sizeof(deep), NULL, NULL));  /* deeper than 128 */
	ck_assert(gr_embed_json_check(deep + 100, 200, NULL, NULL));
}
END_TEST

/* --no-manifest reaches the link wrapper as the link-state record no-manifest. */
START_TEST(test_linkstate_no_manifest)
{
	char path[512];
	struct gr_linkstate ls, ls2;
	struct gr_error e;
	char *text;

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-embed");
	snprintf(path, sizeof(path), "%s/state", tmpdir);
	gr_linkstate_init(&ls);
	ck_assert_int_eq(gr_strvec_push(&ls.cc, "cc"), GR_OK);
	ls.no_manifest = true;
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	text = gr_test_slurp(path);
	ck_assert_ptr_nonnull(strstr(text, "\nno-manifest\n"));
	free(text);
	gr_linkstate_init(&ls2);
	ck_assert_int_eq(gr_linkstate_read(path, &ls2, &e), GR_OK);
	ck_assert(ls2.no_manifest);
	gr_linkstate_deinit(&ls2);
	ls.no_manifest = false;
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	text = gr_test_slurp(path);
	ck_assert_ptr_null(strstr(text, "no-manifest"));
	free(text);
	gr_linkstate_init(&ls2);
	ck_assert_int_eq(gr_linkstate_read(path, &ls2, &e), GR_OK);
	ck_assert(!ls2.no_manifest);
	gr_linkstate_deinit(&ls2);
	/* A field after it is refused, as for every flag record. */
	gr_test_write(path, "gorelink-link-state 1\nno-manifest\tx\n");
	ck_assert_int_eq(gr_linkstate_read(path, &ls2, &e), GR_EFORMAT);
	gr_linkstate_deinit(&ls2);
	gr_linkstate_deinit(&ls);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = { test_elf_roundtrip, test_elf_corrupt, test_elf_refused, test_elf_append_refused, test_macho,
	                                      test_json, test_linkstate_no_manifest };

	return gr_test_run(gr_test_suite("embed", "core", tests, sizeof(tests) / sizeof(tests[0]), 120), false);
}
