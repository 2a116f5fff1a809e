/* Unit tests for gr_goinfo: the Go build-info blob (Go 1.18+ inline strings:
 * version, path/mod/dep/build lines between the sentinels), the pclntab
 * function names (Go 1.18/1.20 layout, both byte orders, corrupt entries
 * skipped, anything else refused), gr_goinfo_present under a root, and
 * gr_goinfo_macho on a Mach-O file made here (sections, LC_SYMTAB, darwin's
 * rules, bounds). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gr_goinfo.h"
#include "gr_macho.h"
#include "gr_test.h"

static const unsigned char start[16] = {
	0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6,
};
static const unsigned char end[16] = {
	0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2,
};

/* A Go 1.18+ build info blob for version and modinfo text into buf; its length. */
static size_t
blob(unsigned char *buf, const char *version, const char *text)
{
	size_t n = 0, vl = strlen(version), tl = strlen(text), ml = 32 + tl;

	memset(buf, 0, 32);
	memcpy(buf, GR_GOINFO_MAGIC, GR_GOINFO_MAGIC_LEN);
	buf[14] = 8;
	buf[15] = 2;  /* inline strings */
	n = 32;
	buf[n++] = (unsigned char)vl;  /* < 128: one varint byte */
	memcpy(buf + n, version, vl);
	n += vl;
	buf[n++] = (unsigned char)(0x80 | (ml & 0x7f));  /* two varint bytes */
	buf[n++] = (unsigned char)(ml >> 7);
	memcpy(buf + n, start, 16);
	memcpy(buf + n + 16, text, tl);
	memcpy(buf + n + 16 + tl, end, 16);
	return n + ml;
}

static const char modinfo[] =
	"path\texample.com/app\n"
	"mod\texample.com/app\t(devel)\t\n"
	"dep\tgolang.org/x/crypto/x509roots/fallback\tv0.0.0-2026\th1:abc=\n"
	"dep\tgolang.org/x/sys\tv0.30.0\th1:def=\n"
	"build\t-tags=netgo,timetzdata\n"
	"build\tCGO_ENABLED=0\n"
	"build\tGOOS=linux\n";

START_TEST(test_buildinfo)
{
	unsigned char buf[1024];
	size_t n = blob(buf, "go1.26.8", modinfo);
	struct gr_arena a;
	struct gr_goinfo gi;
	struct gr_error err;

	gr_arena_init(&a);
	memset(&gi, 0, sizeof(gi));
	ck_assert_int_eq(gr_goinfo_parse_buildinfo(buf, n, &a, &gi, &err), GR_OK);
	ck_assert_str_eq(gi.go_version, "go1.26.8");
	ck_assert_str_eq(gi.main_path, "example.com/app");
	ck_assert_str_eq(gi.main_module, "example.com/app");
	ck_assert_uint_eq(gi.ndeps, 2);
	ck_assert_str_eq(gi.deps[0], "golang.org/x/crypto/x509roots/fallback");
	ck_assert_str_eq(gi.deps[1], "golang.org/x/sys");
	ck_assert_uint_eq(gi.nsettings, 3);
	ck_assert_str_eq(gr_goinfo_setting(&gi, "CGO_ENABLED"), "0");
	ck_assert_str_eq(gr_goinfo_setting(&gi, "-tags"), "netgo,timetzdata");
	ck_assert_ptr_null(gr_goinfo_setting(&gi, "CGO"));
	gr_arena_deinit(&a);
}
END_TEST

START_TEST(test_buildinfo_bad)
{
	unsigned char buf[1024];
	size_t n = blob(buf, "go1.26.8", modinfo), cut;
	struct gr_arena a;
	struct gr_goinfo gi;
	struct gr_error err;

	gr_arena_init(&a);
	/* Every cut is refused or parsed within bounds (ASan watches the reads). */
	for (cut = 0; cut < n; cut++) {
		unsigned char *p = malloc(cut ? cut : 1);
		ck_assert_ptr_nonnull(p);
		memcpy(p, buf, cut);
		memset(&gi, 0, sizeof(gi));
		(void)gr_goinfo_parse_buildinfo(p, cut, &a, &gi, &err);
		free(p);
	}
	memset(&gi, 0, sizeof(gi));
	ck_assert_int_eq(gr_goinfo_parse_buildinfo(buf, 40, &a, &gi, &err), GR_EFORMAT);
	buf[15] = 0;  /* pre-1.18: pointers */
	ck_assert_int_eq(gr_goinfo_parse_buildinfo(buf, n, &a, &gi, &err), GR_EFORMAT);
	buf[15] = 2;
	buf[0] = 0;
	ck_assert_int_eq(gr_goinfo_parse_buildinfo(buf, n, &a, &gi, &err), GR_EFORMAT);
	/* Without its sentinels the module text is not read. */
	buf[0] = 0xff;
	buf[32 + 1 + 8 + 2] ^= 1;
	memset(&gi, 0, sizeof(gi));
	ck_assert_int_eq(gr_goinfo_parse_buildinfo(buf, n, &a, &gi, &err), GR_OK);
	ck_assert_str_eq(gi.go_version, "go1.26.8");
	ck_assert_ptr_null(gi.main_path);
	ck_assert_uint_eq(gi.ndeps, 0);
	gr_arena_deinit(&a);
}
END_TEST

static void
put32(unsigned char *p, uint32_t v, bool be)
{
	int i;
	for (i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v, bool be)
{
	int i;
	for (i = 0; i < 8; i++)
		p[be ? 7 - i : i] = (unsigned char)(v >> (8 * i));
}

static const char *const fnames[] = { "main.main", "time.LoadLocation", "crypto/x509.loadSystemRoots" };

/* A Go 1.20 pclntab (64-bit) with fnames into buf; its length. */
static size_t
pclntab(unsigned char *buf, bool be)
{
	size_t nf = 3, i, nameoff = 8 + 8 * 8, pcloff, at, off = 0;

	memset(buf, 0, 512);
	put32(buf, 0xfffffff1, be);
	buf[6] = 1;
	buf[7] = 8;
	at = nameoff;
	for (i = 0; i < nf; i++) {
		memcpy(buf + at, fnames[i], strlen(fnames[i]) + 1);
		at += strlen(fnames[i]) + 1;
	}
	pcloff = at;
	put64(buf + 8, nf, be);
	put64(buf + 8 + 3 * 8, nameoff, be);
	put64(buf + 8 + 7 * 8, pcloff, be);
	for (i = 0; i < nf; i++) {
		size_t fo = (nf + 1) * 8 + i * 16;
		put32(buf + pcloff + 8 * i, (uint32_t)(i * 16), be);
		put32(buf + pcloff + 8 * i + 4, (uint32_t)fo, be);
		put32(buf + pcloff + fo, (uint32_t)(i * 16), be);
		put32(buf + pcloff + fo + 4, (uint32_t)off, be);
		off += strlen(fnames[i]) + 1;
	}
	return pcloff + (nf + 1) * 8 + nf * 16;
}

struct names {
	char got[8][64];
	size_t n;
};

static bool
collect(const char *name, size_t n, void *ctx)
{
	struct names *s = ctx;
	ck_assert_uint_lt(n, 64);
	if (s->n < 8) {
		memcpy(s->got[s->n], name, n);
		s->got[s->n][n] = '\0';
	}
	s->n++;
	return true;
}

START_TEST(test_pclntab)
{
	unsigned char buf[512];
	struct names s;
	size_t n, i;
	int be;

	for (be = 0; be < 2; be++) {
		n = pclntab(buf, be);
		memset(&s, 0, sizeof(s));
		ck_assert_int_eq(gr_goinfo_pclntab_names(buf, n, collect, &s), 3);
		for (i = 0; i < 3; i++)
			ck_assert_str_eq(s.got[i], fnames[i]);
	}
	/* A name offset out of bounds: that entry is skipped, the others read. */
	n = pclntab(buf, false);
	/* the second _func: pclnOffset (after the header and the names), past
	 * the functab (4 entries), one _func (16 bytes) on; its nameOff at +4 */
	put32(buf + (8 + 8 * 8 + 10 + 18 + 28) + 4 * 8 + 16 + 4, 100000, false);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(gr_goinfo_pclntab_names(buf, n, collect, &s), 2);
	/* Every cut: refused, or read within bounds. */
	n = pclntab(buf, false);
	for (i = 0; i < n; i++) {
		unsigned char *p = malloc(i ? i : 1);
		ck_assert_ptr_nonnull(p);
		memcpy(p, buf, i);
		memset(&s, 0, sizeof(s));
		(void)gr_goinfo_pclntab_names(p, i, collect, &s);
		free(p);
	}
	/* Not a pclntab: another magic, a bad pointer size, Go 1.16's layout. */
	buf[7] = 3;
	ck_assert_int_eq(gr_goinfo_pclntab_names(buf, n, collect, &s), -1);
	buf[7] = 8;
	put32(buf, 0xfffffffa, false);
	ck_assert_int_eq(gr_goinfo_pclntab_names(buf, n, collect, &s), -1);
	put64(buf + 8, (uint64_t)1 << 40, false);  /* nfunc larger than the table */
	put32(buf, 0xfffffff1, false);
	ck_assert_int_eq(gr_goinfo_pclntab_names(buf, n, collect, &s), -1);
}
END_TEST

START_TEST(test_present)
{
	char dir[256], p[512];
	static const char *const certs[] = { "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem" };
	static const char *const user[] = { "/etc/passwd", "/etc/group" };
	struct gr_runtime_file any = { .id = "x509-roots", .paths = certs, .npaths = 2, .any = true };
	struct gr_runtime_file all = { .id = "os-user", .paths = user, .npaths = 2, .any = false };
	const char *missing;

	gr_test_fresh_tmpdir(dir, sizeof(dir), "gr-goinfo");
	ck_assert(!gr_goinfo_present(&any, dir, &missing));
	ck_assert_str_eq(missing, "/etc/ssl/certs/ca-certificates.crt");
	snprintf(p, sizeof(p), "%s/etc", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/ssl", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	gr_test_put(p, "cert.pem", "x");  /* the second is enough */
	ck_assert(gr_goinfo_present(&any, dir, &missing));
	ck_assert_ptr_null(missing);
	snprintf(p, sizeof(p), "%s/", dir);  /* a trailing slash joins the same way */
	ck_assert(gr_goinfo_present(&any, p, &missing));

	snprintf(p, sizeof(p), "%s/etc", dir);
	gr_test_put(p, "passwd", "root:x:0:0::/:/bin/sh\n");
	ck_assert(!gr_goinfo_present(&all, dir, &missing));  /* each is needed */
	ck_assert_str_eq(missing, "/etc/group");
	gr_test_put(p, "group", "root:x:0:\n");
	ck_assert(gr_goinfo_present(&all, dir, &missing));
	all.embedded = true;
	ck_assert(gr_goinfo_present(&all, "/nonexistent", &missing));
	gr_test_rmtree(dir);
}
END_TEST

/* A thin 64-bit little-endian Mach-O executable: __TEXT,__gopclntab with the
 * pclntab above, __DATA,__go_buildinfo with a blob of text, an LC_SYMTAB.
 * Offsets of the two section entries and the symtab command go to *at. */
struct mfile {
	unsigned char b[4096];
	size_t len, pcln_sect, info_sect, symtab_cmd, pcln_off;
};

static void
section(unsigned char *s, const char *sect, const char *seg, uint64_t off, uint64_t size, uint32_t flags)
{
	memset(s, 0, 80);
	memcpy(s, sect, strlen(sect));  /* 16 bytes, NUL-padded unless 16 long */
	memcpy(s + 16, seg, strlen(seg));
	put64(s + 40, size, false);
	put32(s + 48, (uint32_t)off, false);
	put32(s + 64, flags, false);
}

static void
mfile(struct mfile *m, const char *text)
{
	/* Names: a defined one, a debugging entry (N_FUN), an undefined one, a
	 * defined external one, one whose string runs to the end of the table
	 * unterminated, and one past the table. */
	static const char strtab[] = "\0_os/user.readColonFile\0_time.LoadLocation\0_crypto/x509.loadSystemRoots\0"
	                             "_net.dnsReadConfig\0_net.readHostsXX";
	static const struct { uint32_t strx; unsigned char type; } syms[] = {
		{ 1, 0x0e }, { 24, 0x24 }, { 43, 0x01 }, { 72, 0x0f }, { 91, 0x0e }, { 4000, 0x0e },
	};
	unsigned char *b = m->b, info[1024];
	size_t cmds = 32, ninfo = blob(info, "go1.26.8", text), at, i, npcln;
	unsigned char pcln[512];

	npcln = pclntab(pcln, false);
	memset(b, 0, sizeof(m->b));
	put32(b, 0xfeedfacf, false);
	put32(b + 4, 0x0100000c, false);
	put32(b + 12, 2, false);  /* MH_EXECUTE */
	put32(b + 16, 3, false);
	put32(b + 20, 2 * (72 + 80) + 24, false);
	at = cmds;
	for (i = 0; i < 2; i++) {
		put32(b + at, 0x19, false);
		put32(b + at + 4, 72 + 80, false);
		memcpy(b + at + 8, i ? "__DATA" : "__TEXT", 6);
		put32(b + at + 64, 1, false);
		at += 72 + 80;
	}
	m->pcln_sect = cmds + 72;
	m->info_sect = cmds + 72 + 80 + 72;
	m->symtab_cmd = at;
	at += 24;
	m->pcln_off = at;
	memcpy(b + at, pcln, npcln);
	section(b + m->pcln_sect, "__gopclntab", "__TEXT", at, npcln, 0);
	at += npcln;
	at = (at + 15) & ~(size_t)15;
	memcpy(b + at, info, ninfo);
	section(b + m->info_sect, "__go_buildinfo", "__DATA", at, ninfo, 0);
	at += ninfo;
	put32(b + m->symtab_cmd, 2, false);
	put32(b + m->symtab_cmd + 4, 24, false);
	put32(b + m->symtab_cmd + 8, (uint32_t)at, false);
	put32(b + m->symtab_cmd + 12, sizeof(syms) / sizeof(syms[0]), false);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		put32(b + at, syms[i].strx, false);
		b[at + 4] = syms[i].type;
		at += 16;
	}
	put32(b + m->symtab_cmd + 16, (uint32_t)at, false);
	put32(b + m->symtab_cmd + 20, sizeof(strtab) - 1, false);  /* the last name has no NUL */
	memcpy(b + at, strtab, sizeof(strtab) - 1);
	m->len = at + sizeof(strtab) - 1;
	ck_assert_uint_le(m->len, sizeof(m->b));
}

static const char modinfo_darwin[] =
	"path\texample.com/app\n"
	"mod\texample.com/app\t(devel)\t\n"
	"build\t-tags=netgo,osusergo\n"
	"build\tCGO_ENABLED=0\n"
	"build\tGOOS=darwin\n";

static const char *
ids(const struct gr_goinfo *gi, char *buf, size_t n)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < gi->nfiles; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? "," : "", gi->files[i].id);
	return buf;
}

START_TEST(test_macho)
{
	static struct mfile m;
	struct gr_arena a;
	struct gr_goinfo *gi;
	struct gr_error err;
	struct names s;
	const unsigned char *p;
	size_t n, cut;
	long count;
	char buf[128];

	gr_arena_init(&a);
	mfile(&m, modinfo_darwin);
	/* The sections, by segment or in any. */
	ck_assert_int_eq(gr_macho_section(m.b, m.len, "t", "__TEXT", "__gopclntab", &p, &n, &err), GR_OK);
	ck_assert_ptr_eq(p, m.b + m.pcln_off);
	ck_assert_int_eq(gr_macho_section(m.b, m.len, "t", "__DATA", "__gopclntab", &p, &n, &err), GR_OK);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(gr_macho_section(m.b, m.len, "t", NULL, "__go_buildinfo", &p, &n, &err), GR_OK);
	ck_assert_ptr_nonnull(p);
	/* The pclntab names, darwin's rules: no x509-roots (Security framework);
	 * zoneinfo; osusergo and netgo make os/user and net read files. */
	ck_assert_int_eq(gr_goinfo_macho(m.b, m.len, "t", &a, &gi, &err), GR_OK);
	ck_assert_ptr_nonnull(gi);
	ck_assert_str_eq(gi->symbols_from, "__gopclntab");
	ck_assert_str_eq(gi->go_version, "go1.26.8");
	ck_assert_str_eq(gi->main_path, "example.com/app");
	ck_assert_str_eq(ids(gi, buf, sizeof(buf)), "zoneinfo");
	ck_assert_ptr_nonnull(strstr(gi->files[0].note, "macOS ships /usr/share/zoneinfo"));
	/* LC_SYMTAB: defined N_SECT names only, '_' dropped, the unterminated one left out. */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(gr_macho_symbols(m.b, m.len, "t", collect, &s, &count, &err), GR_OK);
	ck_assert_int_eq(count, 2);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.got[0], "os/user.readColonFile");
	ck_assert_str_eq(s.got[1], "net.dnsReadConfig");
	/* An unknown pclntab: the names come from LC_SYMTAB. */
	m.b[m.pcln_off] ^= 0xff;
	ck_assert_int_eq(gr_goinfo_macho(m.b, m.len, "t", &a, &gi, &err), GR_OK);
	ck_assert_str_eq(gi->symbols_from, "LC_SYMTAB");
	ck_assert_str_eq(ids(gi, buf, sizeof(buf)), "os-user,net-resolver");
	ck_assert_uint_eq(gi->files[1].npaths, 2);  /* no /etc/nsswitch.conf on macOS */
	ck_assert_ptr_nonnull(strstr(gi->files[0].note, "Directory Services"));
	/* The same names for GOOS=linux: Linux's rules, three resolver files. */
	mfile(&m, modinfo);
	m.b[m.pcln_off] ^= 0xff;
	ck_assert_int_eq(gr_goinfo_macho(m.b, m.len, "t", &a, &gi, &err), GR_OK);
	ck_assert_str_eq(ids(gi, buf, sizeof(buf)), "os-user,net-resolver");
	ck_assert_uint_eq(gi->files[1].npaths, 3);
	/* Past the end of the file: the section, the symbol table. */
	mfile(&m, modinfo_darwin);
	put32(m.b + m.info_sect + 48, (uint32_t)m.len, false);
	ck_assert_int_eq(gr_goinfo_macho(m.b, m.len, "t", &a, &gi, &err), GR_EFORMAT);
	ck_assert_ptr_null(gi);
	ck_assert_ptr_nonnull(strstr(err.msg, "section __DATA,__go_buildinfo"));
	mfile(&m, modinfo_darwin);
	put64(m.b + m.pcln_sect + 40, m.len, false);
	ck_assert_int_eq(gr_goinfo_macho(m.b, m.len, "t", &a, &gi, &err), GR_EFORMAT);
	mfile(&m, modinfo_darwin);
	m.b[m.pcln_off] ^= 0xff;
	put32(m.b + m.symtab_cmd + 12, 0x10000000, false);
	ck_assert_int_eq(gr_goinfo_macho(m.b, m.len, "t", &a, &gi, &err), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "LC_SYMTAB"));
	/* A zerofill section has no bytes: as if absent. Neither section: no Go binary. */
	mfile(&m, modinfo_darwin);
	put32(m.b + m.pcln_sect + 64, 1, false);
	put32(m.b + m.info_sect + 64, 1, false);
	ck_assert_int_eq(gr_goinfo_macho(m.b, m.len, "t", &a, &gi, &err), GR_OK);
	ck_assert_ptr_null(gi);
	/* Cut anywhere: an error or a result, never a read past the end (ASan, valgrind). */
	mfile(&m, modinfo_darwin);
	for (cut = 0; cut <= m.len; cut++) {
		unsigned char *c = malloc(cut ? cut : 1);
		int rc;
		ck_assert_ptr_nonnull(c);
		memcpy(c, m.b, cut);
		rc = gr_goinfo_macho(c, cut, "t", &a, &gi, &err);
		ck_assert(rc == GR_OK || rc == GR_EFORMAT);
		free(c);
	}
	gr_arena_deinit(&a);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_buildinfo,
		test_buildinfo_bad,
		test_pclntab,
		test_present,
		test_macho,
	};

	return gr_test_run(gr_test_suite("goinfo", "core", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
