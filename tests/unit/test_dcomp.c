/* Unit tests for gr_dcomp: a linked ELF file's debug sections compressed in
 * place. Programs linked here by GNU ld and mold with
 * --compress-debug-sections=none, compressed, then compared with readelf's
 * decoding of the DWARF (the oracle: binutils' zlib, not libdeflate) and
 * with GNU ld's own zlib output; they still run; the bytes do not depend on
 * the number of threads. ELF files of both classes and byte orders built in
 * memory: each section's bytes come back from the Chdr and the stream, the
 * rest is where it was. Layouts it cannot rewrite and corrupt files are
 * refused with the file untouched. With --cpus: the same bytes from this
 * program run under qemu-user with older CPU models. */
#include <check.h>
#include <errno.h>
#include <elf.h>
#include <libdeflate.h>
#include <limits.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_bytes.h"
#include "gr_dcomp.h"
#include "gr_spawn.h"
#include "gr_test.h"

static char tmpdir[256];

/* Run argv; its exit code (asserted to run), its stdout in *out if out. */
static int
run(const char *const *argv, char **out)
{
	struct gr_spawn_result r;
	struct gr_error e;
	int code;

	ck_assert_msg(gr_spawn_capture((char *const *)(uintptr_t)argv, NULL, &r, &e) == GR_OK,
	              "%s: %s (scripts/setup installs it: gcc, binutils, mold)", argv[0], e.msg);
	code = r.exited ? r.code : 128 + r.code;
	if (out)
		*out = strdup(r.out ? r.out : "");
	gr_spawn_result_free(&r);
	return code;
}



static void
copy(const char *from, const char *to)
{
	size_t n;
	unsigned char *b = gr_test_slurp_bytes(from, &n);

	gr_test_spill(to, b, n);
	free(b);
	ck_assert_int_eq(chmod(to, 0755), 0);
}

static bool
same_file(const char *a, const char *b)
{
	size_t na, nb;
	unsigned char *x = gr_test_slurp_bytes(a, &na), *y = gr_test_slurp_bytes(b, &nb);
	bool same = na == nb && !memcmp(x, y, na);

	free(x);
	free(y);
	return same;
}

/* readelf's words (-z: sections decompressed) for the file at path, with its name taken out. */
static char *
readelf(const char *opt, const char *path)
{
	const char *argv[] = { "readelf", "-W", "-z", opt, path, NULL };
	char *out = NULL, *p;

	ck_assert_int_eq(run(argv, &out), 0);
	while ((p = strstr(out, path)) != NULL)
		memmove(p, p + strlen(path), strlen(p + strlen(path)) + 1);
	return out;
}

/* A C program with a fair amount of DWARF, linked by the compiler driver
 * with extra (e.g. "-fuse-ld=mold") and the linker told not to compress;
 * its path (static storage, one per name). */
static const char *
link_prog(const char *name, const char *extra, const char *compress)
{
	static char src[512], bin[4][512];
	static int k;
	char *b = bin[k++ % 4];
	char flag[64];
	const char *cc[] = { "gcc", "-g3", "-O1", "-o", b, src, flag, extra[0] ? extra : NULL, NULL };

	snprintf(src, sizeof(src), "%s/p.c", tmpdir);
	snprintf(b, 512, "%s/%s", tmpdir, name);
	snprintf(flag, sizeof(flag), "-Wl,--compress-debug-sections=%s", compress);
	gr_test_write(src, "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
	                   "struct point { int x, y; const char *name; };\n"
	                   "static int dist(const struct point *a, const struct point *b)\n"
	                   "{ return abs(a->x - b->x) + abs(a->y - b->y); }\n"
	                   "int main(int argc, char **argv)\n"
	                   "{ struct point p = { 1, 2, \"p\" }, q = { argc, (int)strlen(argv[0]), \"q\" };\n"
	                   "  printf(\"hello %d\\n\", dist(&p, &q) > 0); return 0; }\n");
	ck_assert_int_eq(run(cc, NULL), 0);
	return b;
}

/* The linked program's debug sections: compressed, decoded by readelf to
 * the same DWARF, the same bytes whatever the threads, and it still runs. */
static void
check_linked(const char *extra, const char *tag)
{
	char a[512], b[512], out[512];
	const char *orig;
	struct gr_dcomp_stats st;
	struct gr_error e;
	bool wrote = false;
	char *before, *after, *secs, *got = NULL;
	const char *argv[] = { a, NULL };

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-dcomp");
	snprintf(out, sizeof(out), "plain-%s", tag);
	orig = link_prog(out, extra, "none");
	snprintf(a, sizeof(a), "%s/a-%s", tmpdir, tag);
	snprintf(b, sizeof(b), "%s/b-%s", tmpdir, tag);
	copy(orig, a);
	copy(orig, b);
	ck_assert_int_eq(gr_dcomp_elf(a, 1, &st, &wrote, &e), GR_OK);
	ck_assert(wrote);
	ck_assert_uint_ge(st.sections, 4);
	ck_assert_uint_ge(st.compressed, 3);
	ck_assert_uint_lt(st.after, st.before);
	ck_assert_int_eq(gr_dcomp_elf(b, 4, &st, &wrote, &e), GR_OK);
	ck_assert_msg(same_file(a, b), "%s: one thread and four give different bytes", tag);
	/* In two halves (gr_dcomp_start, gr_dcomp_finish): the file untouched
	 * while the threads run, then the same bytes. */
	{
		char c[512];
		struct gr_dcomp_job *job = NULL;
		unsigned threads;
		for (threads = 1; threads <= 3; threads += 2) {
			snprintf(c, sizeof(c), "%s/c-%s-%u", tmpdir, tag, threads);
			copy(orig, c);
			ck_assert_int_eq(gr_dcomp_start(c, threads, &job, &e), GR_OK);
			ck_assert_ptr_nonnull(job);
			ck_assert_msg(same_file(orig, c), "%s: the file changed before gr_dcomp_finish", tag);
			wrote = false;
			ck_assert_int_eq(gr_dcomp_finish(job, &st, &wrote, &e), GR_OK);
			ck_assert(wrote);
			ck_assert_uint_ge(st.compressed, 3);
			ck_assert_msg(same_file(a, c), "%s: start and finish (%u threads) give other bytes", tag, threads);
		}
		/* The file cut short while the job was under way (its sections are
		 * read by the threads that compress them): a read error, nothing
		 * written. */
		snprintf(c, sizeof(c), "%s/c-%s-cut", tmpdir, tag);
		copy(orig, c);
		ck_assert_int_eq(gr_dcomp_start(c, 1, &job, &e), GR_OK);
		ck_assert_int_eq(truncate(c, 4096), 0);
		wrote = true;
		ck_assert_int_eq(gr_dcomp_finish(job, &st, &wrote, &e), GR_EIO);
		ck_assert(!wrote);
		ck_assert_msg(strstr(e.msg, "changed while"), "%s", e.msg);
		ck_assert_uint_eq(st.compressed, 0);  /* zeroed on an error */
		/* Replaced meanwhile (a relink renames its output over the path):
		 * nothing written, neither to the old file nor to the new one. */
		{
			char d[600];
			snprintf(c, sizeof(c), "%s/c-%s-replaced", tmpdir, tag);
			snprintf(d, sizeof(d), "%s.new", c);
			copy(orig, c);
			copy(orig, d);
			ck_assert_int_eq(gr_dcomp_start(c, 2, &job, &e), GR_OK);
			ck_assert_int_eq(rename(d, c), 0);
			wrote = true;
			ck_assert_int_eq(gr_dcomp_finish(job, &st, &wrote, &e), GR_EIO);
			ck_assert(!wrote);
			ck_assert_msg(strstr(e.msg, "changed while"), "%s", e.msg);
			ck_assert_msg(same_file(orig, c), "%s: the new file was written", tag);
		}
		/* Cancelled: the threads stop, nothing is written. */
		snprintf(c, sizeof(c), "%s/c-%s-cancel", tmpdir, tag);
		copy(orig, c);
		ck_assert_int_eq(gr_dcomp_start(c, 3, &job, &e), GR_OK);
		gr_dcomp_cancel(job);
		ck_assert_msg(same_file(orig, c), "%s: a cancelled job wrote", tag);
		gr_dcomp_cancel(NULL);
		/* A file it refuses: no job, the file as it was. */
		snprintf(c, sizeof(c), "%s/c-%s-missing", tmpdir, tag);
		job = (struct gr_dcomp_job *)&st;
		ck_assert_int_eq(gr_dcomp_start(c, 0, &job, &e), GR_EIO);
		ck_assert_ptr_null(job);
		ck_assert_int_eq(e.sys_errno, ENOENT);
		/* Not a regular file (a FIFO opens read-write at once): no errno of
		 * an earlier call behind the refusal. */
		snprintf(c, sizeof(c), "%s/c-%s-fifo", tmpdir, tag);
		ck_assert_int_eq(mkfifo(c, 0600), 0);
		errno = EACCES;
		ck_assert_int_eq(gr_dcomp_start(c, 0, &job, &e), GR_EIO);
		ck_assert_ptr_null(job);
		ck_assert_int_eq(e.sys_errno, 0);
		ck_assert_msg(strstr(e.msg, "not a regular file"), "%s", e.msg);
	}

	/* readelf: .debug_info is compressed (C), and decodes to the same DWARF. */
	secs = readelf("-S", a);
	ck_assert_msg(strstr(secs, ".debug_info") && strstr(strstr(secs, ".debug_info"), " C "), "%s", secs);
	free(secs);
	before = readelf("--debug-dump=info,abbrev,line,str,aranges,macro", orig);
	after = readelf("--debug-dump=info,abbrev,line,str,aranges,macro", a);
	ck_assert_uint_gt(strlen(before), 1000);
	ck_assert_msg(!strcmp(before, after), "%s: the DWARF readelf decodes changed", tag);
	free(after);

	/* GNU ld compressing it itself decodes to the same DWARF too. */
	if (!extra[0]) {
		const char *z = link_prog("zlib-by-ld", extra, "zlib");
		after = readelf("--debug-dump=info,abbrev,line,str,aranges,macro", z);
		ck_assert_msg(!strcmp(before, after), "GNU ld's own zlib output decodes differently");
		free(after);
	}
	free(before);
	ck_assert_int_eq(run(argv, &got), 0);
	ck_assert_str_eq(got, "hello 1\n");
	free(got);
	/* binutils' strip takes it, and the stripped program runs. */
	{
		char s2[600];
		const char *sv[] = { "strip", "-o", s2, a, NULL }, *rv[] = { s2, NULL };
		snprintf(s2, sizeof(s2), "%s.stripped", a);
		ck_assert_msg(run(sv, NULL) == 0, "%s: strip refuses the compressed file", tag);
		ck_assert_int_eq(run(rv, &got), 0);
		ck_assert_str_eq(got, "hello 1\n");
		free(got);
	}

	/* Once compressed, nothing is left to do (what did not shrink stays as
	 * it is): the file is not written. */
	ck_assert_int_eq(gr_dcomp_elf(b, 0, &st, &wrote, &e), GR_OK);
	ck_assert(!wrote);
	ck_assert_uint_eq(st.compressed, 0);
	ck_assert(same_file(a, b));
}

START_TEST(test_gnu_ld)
{
	check_linked("", "bfd");
}
END_TEST

START_TEST(test_mold_static)
{
	check_linked("-fuse-ld=mold", "mold");
	check_linked("-static", "static");
}
END_TEST

/* ---- ELF files made here ---------------------------------------------- */

enum { S_TEXT = 1, S_INFO, S_STR, S_RANGES, S_EXTRA, S_SHSTR, S_DATA, S_MAX };

struct syn {
	bool is64, be;
	bool alloc_after;    /* an allocated section after the debug ones */
	bool data_empty;     /* that section holds no bytes */
	bool segment_over;   /* the PT_LOAD covers the debug sections */
	bool table_first;    /* the section table before the debug sections */
	bool bad_offset;     /* .debug_str's offset past the end */
	uint64_t extra_align; /* .gr.extra's sh_addralign (0: 8) */
	bool extra_odd;      /* .gr.extra at an offset its alignment does not divide */
	bool extra_empty;    /* .gr.extra holds no bytes */
	unsigned char ident_version; /* e_ident[EI_VERSION] (0: EV_CURRENT) */
	uint32_t version;    /* e_version (0: EV_CURRENT) */
};

struct synfile {
	unsigned char *b;
	size_t len;
	uint64_t off[S_MAX], size[S_MAX];
	size_t nsec;
};

static const char shnames[] = "\0.text\0.debug_info\0.debug_str\0.debug_ranges\0.gr.extra\0.shstrtab\0.data";
static const unsigned nameoff[S_MAX] = { 0, 1, 7, 19, 30, 44, 54, 64 };

static void
put(struct synfile *f, uint64_t at, uint64_t v, int n, bool be)
{
	gr_bytes_put(f->b + at, v, n, be);
}

/* An ELF file of the given shape, sections: .text (allocated, in the
 * PT_LOAD), .debug_info (text, compressible), .debug_str (strings),
 * .debug_ranges (random bytes: it does not shrink), .gr.extra (not
 * allocated, 8-aligned, after them), .shstrtab, and .data when alloc_after. */
static void
synth(const struct syn *o, struct synfile *f)
{
	bool is64 = o->is64, be = o->be;
	size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32, she = is64 ? 64 : 40;
	uint64_t pos, shoff = 0, x = 12345;
	size_t i, k;
	unsigned char *p;

	memset(f, 0, sizeof(*f));
	f->nsec = o->alloc_after ? S_MAX : S_DATA;
	f->size[S_TEXT] = 64;
	f->size[S_INFO] = 65536;
	f->size[S_STR] = 8192;
	f->size[S_RANGES] = 4096;
	f->size[S_EXTRA] = o->extra_empty ? 0 : 100;
	f->size[S_SHSTR] = sizeof(shnames);
	f->size[S_DATA] = o->data_empty ? 0 : 32;
	f->b = calloc(1, 1 << 20);
	ck_assert_ptr_nonnull(f->b);
	pos = 0x100;
	f->off[S_TEXT] = pos;
	pos += f->size[S_TEXT];
	if (o->table_first) {
		shoff = (pos + 7) & ~(uint64_t)7;
		pos = shoff + f->nsec * she;
	}
	for (k = S_INFO; k < f->nsec; k++) {
		if (k == S_EXTRA) {
			pos = (pos + 15) & ~(uint64_t)15;
			pos += o->extra_odd ? 8 : 0;
		}
		pos += k == S_RANGES ? 3 : 0;  /* a gap: dropped */
		f->off[k] = pos;
		pos += f->size[k];
	}
	if (!o->table_first)
		shoff = (pos + 7) & ~(uint64_t)7;
	f->len = o->table_first ? pos : shoff + f->nsec * she;

	/* Contents. */
	for (i = 0; i < f->size[S_TEXT]; i++)
		f->b[f->off[S_TEXT] + i] = (unsigned char)(0x90 + i % 3);
	for (i = 0, p = f->b + f->off[S_INFO]; i < f->size[S_INFO];)
		i += (size_t)snprintf((char *)p + i, f->size[S_INFO] - i, "compile unit %zu of gorelink; ", i % 977);
	for (i = 0, p = f->b + f->off[S_STR]; i + 16 < f->size[S_STR];)
		i += (size_t)snprintf((char *)p + i, 16, "name_%zu", i % 61) + 1;
	for (i = 0; i < f->size[S_RANGES]; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		f->b[f->off[S_RANGES] + i] = (unsigned char)(x >> 56);
	}
	memset(f->b + f->off[S_EXTRA], 0x5a, f->size[S_EXTRA]);
	memcpy(f->b + f->off[S_SHSTR], shnames, sizeof(shnames));
	if (o->alloc_after)
		memset(f->b + f->off[S_DATA], 0x11, f->size[S_DATA]);

	/* ELF header. */
	memcpy(f->b, ELFMAG, SELFMAG);
	f->b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	f->b[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	f->b[EI_VERSION] = o->ident_version ? o->ident_version : EV_CURRENT;
	put(f, 16, ET_EXEC, 2, be);
	put(f, 18, is64 ? EM_X86_64 : EM_386, 2, be);
	put(f, 20, o->version ? o->version : EV_CURRENT, 4, be);
	put(f, is64 ? 0x20 : 0x1c, eh, is64 ? 8 : 4, be);
	put(f, is64 ? 0x28 : 0x20, shoff, is64 ? 8 : 4, be);
	put(f, is64 ? 0x34 : 0x28, eh, 2, be);
	put(f, is64 ? 0x36 : 0x2a, ph, 2, be);
	put(f, is64 ? 0x38 : 0x2c, 1, 2, be);
	put(f, is64 ? 0x3a : 0x2e, she, 2, be);
	put(f, is64 ? 0x3c : 0x30, f->nsec, 2, be);
	put(f, is64 ? 0x3e : 0x32, S_SHSTR, 2, be);
	/* One PT_LOAD: the text (or everything, segment_over). */
	put(f, eh, PT_LOAD, 4, be);
	if (is64) {
		put(f, eh + 8, 0, 8, be);
		put(f, eh + 32, o->segment_over ? f->off[S_INFO] + 16 : f->off[S_TEXT] + f->size[S_TEXT], 8, be);
		put(f, eh + 40, f->off[S_TEXT] + f->size[S_TEXT], 8, be);
	} else {
		put(f, eh + 4, 0, 4, be);
		put(f, eh + 16, o->segment_over ? f->off[S_INFO] + 16 : f->off[S_TEXT] + f->size[S_TEXT], 4, be);
		put(f, eh + 20, f->off[S_TEXT] + f->size[S_TEXT], 4, be);
	}
	/* Section headers. */
	for (k = 1; k < f->nsec; k++) {
		uint64_t at = shoff + k * she;
		uint64_t type = k == S_SHSTR ? SHT_STRTAB : SHT_PROGBITS;
		uint64_t flags = k == S_TEXT ? SHF_ALLOC | SHF_EXECINSTR : k == S_DATA ? SHF_ALLOC | SHF_WRITE : 0;
		uint64_t align = k == S_EXTRA ? (o->extra_align ? o->extra_align : 8) : k == S_TEXT ? 16 : 1;
		uint64_t off = f->off[k] + (o->bad_offset && k == S_STR ? 1 << 24 : 0);
		put(f, at, nameoff[k], 4, be);
		put(f, at + 4, type, 4, be);
		if (k == S_STR)
			flags |= SHF_MERGE | SHF_STRINGS;
		if (is64) {
			put(f, at + 8, flags, 8, be);
			put(f, at + 24, off, 8, be);
			put(f, at + 32, f->size[k], 8, be);
			put(f, at + 48, align, 8, be);
		} else {
			put(f, at + 8, flags, 4, be);
			put(f, at + 16, off, 4, be);
			put(f, at + 20, f->size[k], 4, be);
			put(f, at + 32, align, 4, be);
		}
	}
}

/* Section k's header fields in the file b. */
static uint64_t
shf(const unsigned char *b, bool is64, bool be, size_t k, int o64, int o32, int n64, int n32)
{
	uint64_t shoff = is64 ? gr_bytes_get(b + 0x28, 8, be) : gr_bytes_get(b + 0x20, 4, be);
	size_t she = is64 ? 64 : 40;

	return is64 ? gr_bytes_get(b + shoff + k * she + o64, n64, be) : gr_bytes_get(b + shoff + k * she + o32, n32, be);
}

/* The file at path after gr_dcomp_elf: every section's bytes as in f (the
 * debug ones through their Chdr and stream), .debug_ranges uncompressed,
 * the text and the headers before start where they were. */
static void
check_synth(const struct syn *o, const struct synfile *f, const char *path)
{
	size_t len, k;
	unsigned char *b = gr_test_slurp_bytes(path, &len);
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	bool is64 = o->is64, be = o->be;

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_lt(len, f->len);
	/* Nothing before the first debug section moved (the table, when first, changed in place). */
	ck_assert_int_eq(memcmp(b, f->b, is64 ? 0x28 : 0x20), 0);
	ck_assert_int_eq(memcmp(b + f->off[S_TEXT], f->b + f->off[S_TEXT], (size_t)f->size[S_TEXT]), 0);
	for (k = S_TEXT; k < f->nsec; k++) {
		uint64_t off = shf(b, is64, be, k, 24, 16, 8, 4), size = shf(b, is64, be, k, 32, 20, 8, 4);
		uint64_t flags = shf(b, is64, be, k, 8, 8, 8, 4), align = shf(b, is64, be, k, 48, 32, 8, 4);
		bool compressed = k == S_INFO || k == S_STR;
		ck_assert_uint_le(off + size, len);
		ck_assert_msg(!(flags & SHF_COMPRESSED) == !compressed, "section %zu: flags %#llx", k, (unsigned long long)flags);
		if (compressed) {
			size_t hl = is64 ? 24 : 12, got = 0;
			uint64_t type = gr_bytes_get(b + off, 4, be);
			uint64_t chsize = is64 ? gr_bytes_get(b + off + 8, 8, be) : gr_bytes_get(b + off + 4, 4, be);
			uint64_t chalign = is64 ? gr_bytes_get(b + off + 16, 8, be) : gr_bytes_get(b + off + 8, 4, be);
			unsigned char *u = malloc((size_t)f->size[k]);
			ck_assert_uint_eq(type, ELFCOMPRESS_ZLIB);
			ck_assert_uint_eq(chsize, f->size[k]);
			ck_assert_uint_eq(chalign, 1);
			ck_assert_uint_eq(align, is64 ? 8 : 4);
			ck_assert_uint_eq(off % (is64 ? 8 : 4), 0);
			ck_assert_uint_lt(size, f->size[k]);
			ck_assert_int_eq(libdeflate_zlib_decompress(d, b + off + hl, (size_t)(size - hl), u, (size_t)f->size[k], &got),
			                 LIBDEFLATE_SUCCESS);
			ck_assert_uint_eq(got, f->size[k]);
			ck_assert_int_eq(memcmp(u, f->b + f->off[k], (size_t)f->size[k]), 0);
			free(u);
		} else {
			ck_assert_uint_eq(size, f->size[k]);
			ck_assert_int_eq(memcmp(b + off, f->b + f->off[k], (size_t)size), 0);
			ck_assert_uint_eq(off % (align ? align : 1), 0);
		}
	}
	libdeflate_free_decompressor(d);
	free(b);
}

START_TEST(test_synthetic)
{
	static const struct syn shapes[] = {
		{ .is64 = true },
		{ .is64 = true, .be = true },
		{ .is64 = false },
		{ .be = true },
		{ .is64 = true, .table_first = true },
		{ .be = true, .table_first = true },
		/* an empty section after the debug ones: it moves into the new file */
		{ .is64 = true, .extra_empty = true },
		{ .be = true, .extra_empty = true },
	};
	char path[512], path4[512];
	size_t i;

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-dcomp");
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct synfile f;
		struct gr_dcomp_stats st;
		struct gr_error e;
		bool wrote = false;
		char *before, *after;
		synth(&shapes[i], &f);
		snprintf(path, sizeof(path), "%s/syn%zu", tmpdir, i);
		snprintf(path4, sizeof(path4), "%s/syn%zu-4", tmpdir, i);
		gr_test_spill(path, f.b, f.len);
		gr_test_spill(path4, f.b, f.len);
		before = readelf("--string-dump=.debug_str", path);
		ck_assert_msg(gr_dcomp_elf(path, 1, &st, &wrote, &e) == GR_OK, "shape %zu: %s", i, e.msg);
		ck_assert(wrote);
		ck_assert_uint_eq(st.sections, 3);
		ck_assert_uint_eq(st.compressed, 2);
		ck_assert_uint_eq(st.before, f.len);
		ck_assert_int_eq(gr_dcomp_elf(path4, 4, &st, &wrote, &e), GR_OK);
		ck_assert_msg(same_file(path, path4), "shape %zu: threads change the bytes", i);
		check_synth(&shapes[i], &f, path);
		/* readelf (binutils' zlib) decompresses .debug_str to the same strings. */
		after = readelf("--string-dump=.debug_str", path);
		ck_assert_uint_gt(strlen(before), 100);
		ck_assert_msg(!strcmp(before, after), "shape %zu: readelf's strings changed", i);
		free(before);
		free(after);

		free(f.b);
	}
}
END_TEST

/* Refused, the file's bytes untouched. */
static void
refused(const struct syn *o, int want, const char *what)
{
	char path[512];
	struct synfile f;
	struct gr_dcomp_stats st;
	struct gr_error e;
	bool wrote = true;
	size_t len;
	unsigned char *b;

	synth(o, &f);
	snprintf(path, sizeof(path), "%s/refused", tmpdir);
	gr_test_spill(path, f.b, f.len);
	ck_assert_msg(gr_dcomp_elf(path, 0, &st, &wrote, &e) == want, "%s: %d, not %d (%s)", what,
	              gr_dcomp_elf(path, 0, &st, &wrote, &e), want, e.msg);
	ck_assert(!wrote);
	b = gr_test_slurp_bytes(path, &len);
	ck_assert_msg(len == f.len && !memcmp(b, f.b, len), "%s: the file changed", what);
	free(b);
	free(f.b);
}

START_TEST(test_refused)
{
	struct gr_dcomp_stats st;
	struct gr_error e;
	bool wrote = true;
	char path[512];

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-dcomp");
	refused(&(struct syn){ .is64 = true, .alloc_after = true }, GR_EUSAGE, "an allocated section after");
	refused(&(struct syn){ .be = true, .alloc_after = true }, GR_EUSAGE, "an allocated section after (32, BE)");
	/* Empty, it would stay where it is: past the new end of the file (fuzz_dcomp). */
	refused(&(struct syn){ .is64 = true, .alloc_after = true, .data_empty = true }, GR_EUSAGE,
	        "an empty allocated section after");
	refused(&(struct syn){ .is64 = true, .segment_over = true }, GR_EUSAGE, "a segment over the debug sections");
	refused(&(struct syn){ .is64 = true, .bad_offset = true }, GR_EFORMAT, "a section past the end");
	/* Alignments no linker writes: larger than the file (2^32, 2^63: new
	 * offsets would overflow or the file grow to gigabytes), or one the
	 * section's offset does not keep. */
	refused(&(struct syn){ .is64 = true, .extra_align = (uint64_t)1 << 32 }, GR_EUSAGE, "alignment 2^32");
	refused(&(struct syn){ .is64 = true, .extra_align = (uint64_t)1 << 63 }, GR_EUSAGE, "alignment 2^63");
	refused(&(struct syn){ .be = true, .extra_align = 1u << 31 }, GR_EUSAGE, "alignment 2^31 (32, BE)");
	refused(&(struct syn){ .is64 = true, .extra_align = 16, .extra_odd = true }, GR_EUSAGE, "an offset off its alignment");
	/* An ELF version other than the one there is (1): a layout not known. */
	refused(&(struct syn){ .is64 = true, .ident_version = 3 }, GR_ENOTBIN, "EI_VERSION 3");
	refused(&(struct syn){ .be = true, .version = 2 }, GR_ENOTBIN, "e_version 2 (32, BE)");

	snprintf(path, sizeof(path), "%s/text", tmpdir);
	gr_test_write(path, "not an ELF file, but long enough to hold an ELF header of sixty-four bytes\n");
	ck_assert_int_eq(gr_dcomp_elf(path, 0, &st, &wrote, &e), GR_ENOTBIN);
	ck_assert(!wrote);
	gr_test_write(path, "\177ELF");
	wrote = true;
	ck_assert_int_eq(gr_dcomp_elf(path, 0, &st, &wrote, &e), GR_ENOTBIN);
	ck_assert(!wrote);
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	ck_assert_int_eq(gr_dcomp_elf(path, 0, &st, &wrote, &e), GR_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing"));
	ck_assert(!wrote);
}
END_TEST

/* A program with no debug sections (-s): GR_OK, nothing written. */
START_TEST(test_no_debug)
{
	const char *p;
	char a[512];
	struct gr_dcomp_stats st;
	struct gr_error e;
	bool wrote = true;
	const char *strip[] = { "strip", "-g", a, NULL };

	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-dcomp");
	p = link_prog("nodebug", "", "none");
	snprintf(a, sizeof(a), "%s/stripped", tmpdir);
	copy(p, a);
	ck_assert_int_eq(run(strip, NULL), 0);
	copy(a, p);
	ck_assert_int_eq(gr_dcomp_elf(a, 0, &st, &wrote, &e), GR_OK);
	ck_assert(!wrote);
	ck_assert_uint_eq(st.sections, 0);
	ck_assert_uint_eq(st.compressed, 0);
	ck_assert(same_file(a, p));
}
END_TEST

/* What this CPU offers of what libdeflate chooses by (Debian 12's 1.14: its
 * adler32, SSE2 or AVX2 on x86-64; NEON, or its dot-product form, on
 * arm64), as "NAME=0|1 ..." for test_any_cpu to check under each model. */
static void
cpu_features(char *buf, size_t n)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	snprintf(buf, n, "sse4.2=%d avx=%d avx2=%d", !!__builtin_cpu_supports("sse4.2"),
	         !!__builtin_cpu_supports("avx"), !!__builtin_cpu_supports("avx2"));
#elif defined(__aarch64__)
	snprintf(buf, n, "dotprod=%d", !!(getauxval(AT_HWCAP) & (1UL << 20) /* HWCAP_ASIMDDP */));
#else
	snprintf(buf, n, "?");
#endif
}

/* The bytes do not depend on the CPU: the file compressed here and by this
 * program run under qemu-user with older CPU models, each reporting the
 * features it saw (so that the model really was another CPU). libdeflate
 * picks its adler32 by the CPU (SSE2 under qemu64 and Nehalem, AVX2 under
 * Haswell and here); the match finder and the Huffman coding are the same
 * code everywhere. A build farm mixes machines, and the same inputs must
 * give the same binary on each; this is the guard for the day the encoder
 * (or its version) picks more by the CPU. ISA-L's igzip at its level 3 gave
 * other bytes under these models (docs/benchmarks.md). */
START_TEST(test_any_cpu)
{
#if defined(__x86_64__)
	static const char qemu[] = "qemu-x86_64-static";
	static const char *const cpus[] = { "qemu64", "Nehalem", "Haswell" };
	static const char *const saw[] = { "sse4.2=0 avx=0 avx2=0", "sse4.2=1 avx=0 avx2=0", "sse4.2=1 avx=1 avx2=1" };
#elif defined(__aarch64__)
	static const char qemu[] = "qemu-aarch64-static";
	static const char *const cpus[] = { "cortex-a53", "max" };
	static const char *const saw[] = { "dotprod=0", "dotprod=1" };
#else
	static const char qemu[] = "";
	static const char *const cpus[] = { "" }, *const saw[] = { "" };
	ck_abort_msg("no qemu-user CPU models known for this architecture: add them to test_any_cpu");
#endif
	char self[PATH_MAX], a[512], b[512], orig[512];
	struct gr_dcomp_stats st;
	struct gr_error e;
	bool wrote = false;
	ssize_t n;
	size_t i;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	gr_test_fresh_tmpdir(tmpdir, sizeof(tmpdir), "gr-dcomp");
	/* About a megabyte of DWARF (several deflate blocks): generated
	 * functions, each with its own type, -g3 for the macros. */
	{
		char src[600], *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		int k;
		const char *cc[] = { "gcc", "-g3", "-O1", "-o", orig, src, "-Wl,--compress-debug-sections=none", NULL };
		ck_assert_ptr_nonnull(m);
		fputs("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n", m);
		for (k = 0; k < 1500; k++)
			fprintf(m, "struct s%d { int a%d; double b%d[%d]; const char *c%d; };\n"
			           "double f%d(struct s%d *p, int n) { double t = 0; int i;\n"
			           "  for (i = 0; i < n && i < %d; i++) t += p->b%d[i] * %d.5 + strlen(p->c%d);\n"
			           "  return t + p->a%d; }\n", k, k, k, k % 7 + 1, k, k, k, k % 7 + 1, k, k, k, k);
		fputs("int main(void) { struct s0 x = { 1, { 2 }, \"x\" }; printf(\"%g\\n\", f0(&x, 1)); return 0; }\n", m);
		ck_assert_int_eq(fclose(m), 0);
		snprintf(src, sizeof(src), "%s/gen.c", tmpdir);
		snprintf(orig, sizeof(orig), "%s/cpus", tmpdir);
		gr_test_write(src, text);
		free(text);
		ck_assert_int_eq(run(cc, NULL), 0);
	}
	snprintf(a, sizeof(a), "%s/host", tmpdir);
	copy(orig, a);
	ck_assert_int_eq(gr_dcomp_elf(a, 2, &st, &wrote, &e), GR_OK);
	ck_assert(wrote);
	ck_assert_uint_ge(st.compressed, 3);
	ck_assert_uint_ge(st.before, 1000000);
	for (i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		const char *argv[] = { qemu, "-cpu", cpus[i], self, "--compress", b, NULL };
		snprintf(b, sizeof(b), "%s/cpu-%s", tmpdir, cpus[i]);
		copy(orig, b);
		char *said = NULL;
		ck_assert_msg(run(argv, &said) == 0, "%s -cpu %s: the compression failed (scripts/setup installs qemu-user-static)",
		              qemu, cpus[i]);
		ck_assert_msg(!strncmp(said, saw[i], strlen(saw[i])) && said[strlen(saw[i])] == '\n',
		              "-cpu %s: the program saw \"%s\", not \"%s\"", cpus[i], said, saw[i]);
		free(said);
		ck_assert_msg(!same_file(orig, b), "-cpu %s: the file was not rewritten", cpus[i]);
		ck_assert_msg(same_file(a, b), "-cpu %s: other bytes than on this CPU", cpus[i]);
	}
}
END_TEST

int
main(int argc, char **argv)
{
	const TTest *const tests[] = { test_gnu_ld, test_mold_static, test_synthetic, test_refused, test_no_debug };
	const TTest *const cpus[] = { test_any_cpu };

	/* test_any_cpu runs this program, under qemu, as: --compress FILE */
	if (argc == 3 && !strcmp(argv[1], "--compress")) {
		struct gr_dcomp_stats st;
		struct gr_error e;
		bool wrote = false;
		char features[96];
		if (gr_dcomp_elf(argv[2], 2, &st, &wrote, &e) != GR_OK) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		cpu_features(features, sizeof(features));
		printf("%s\n", features);
		return wrote ? 0 : 2;
	}
	if (argc == 2 && !strcmp(argv[1], "--cpus"))
		return gr_test_run(gr_test_suite("dcomp", "cpus", cpus, 1, 300), false);
	return gr_test_run(gr_test_suite("dcomp", "core", tests, sizeof(tests) / sizeof(tests[0]), 120), false);
}
