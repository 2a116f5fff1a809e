/* Unit tests for relink/gr_manifest: inputs merged and sorted, the compact
 * form and its reader, licences (DEP-5 to SPDX, --deny-licence matching), the
 * Go side from go version -m and from the binary's own build info (also a file
 * that shrinks under its mapping: an error, not SIGBUS); the work on the link's
 * inputs done while the linker runs (gr_spawn_capture_while, gr_ldtrace_step). */
#define _GNU_SOURCE  /* RTLD_NEXT */
#include <check.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gr_embed.h"
#include "gr_ldtrace.h"
#include "gr_manifest.h"
#include "gr_records.h"
#include "gr_spawn.h"
#include "gr_test.h"

static char tmp[64];

static void
spdx_is(const char *in, const char *want)
{
	struct gr_arena a;
	const char *got;

	gr_arena_init(&a);
	got = gr_manifest_spdx(&a, in);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(!strcmp(got, want), "spdx(\"%s\") = \"%s\", want \"%s\"", in ? in : "(null)", got, want);
	gr_arena_deinit(&a);
}

START_TEST(test_spdx)
{
	spdx_is("GPL-2+", "GPL-2.0-or-later");
	spdx_is("LGPL-2.1", "LGPL-2.1-only");
	spdx_is("Zlib", "Zlib");
	spdx_is("zlib", "Zlib");
	spdx_is("public-domain", "LicenseRef-public-domain");
	spdx_is("Apache-2.0", "Apache-2.0");
	spdx_is("Expat", "MIT");
	spdx_is("MIT-1", "LicenseRef-MIT-1");
	spdx_is("Artistic or GPL-1+", "LicenseRef-Artistic OR GPL-1.0-or-later");
	spdx_is("GPL-2+ with OpenSSL exception", "LicenseRef-GPL-2-or-later-with-OpenSSL-exception");
	spdx_is("GPL-2+ with Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0");
	spdx_is("BSD-3-clause and (GPL-2 or LGPL-3+)", "BSD-3-Clause AND (GPL-2.0-only OR LGPL-3.0-or-later)");
	spdx_is("MIT, and ISC", "MIT AND ISC");
	spdx_is("", "NOASSERTION");
	spdx_is(NULL, "NOASSERTION");
	spdx_is("my-licence/2", "LicenseRef-my-licence-2");
}
END_TEST

START_TEST(test_deny)
{
	ck_assert(gr_manifest_licence_matches("GPL-3.0-only", "GPL-3.0-only"));
	ck_assert(gr_manifest_licence_matches("gpl-3.0-only", "GPL-3.0-only"));
	ck_assert(gr_manifest_licence_matches("MIT OR GPL-3.0-only", "GPL-3.0-only"));
	ck_assert(gr_manifest_licence_matches("(MIT AND GPL-3.0-only)", "GPL-3.0-only"));
	ck_assert(gr_manifest_licence_matches("GPL-2.0-or-later WITH Classpath-exception-2.0", "GPL-2.0-or-later"));
	ck_assert(!gr_manifest_licence_matches("GPL-3.0-or-later", "GPL-3.0-only"));
	ck_assert(!gr_manifest_licence_matches("LGPL-3.0-only", "GPL-3.0-only"));
	ck_assert(!gr_manifest_licence_matches("NOASSERTION", "GPL-3.0-only"));
	ck_assert(gr_manifest_licence_matches("NOASSERTION", "NOASSERTION"));
	/* a deny expression with several ids: each must be there */
	ck_assert(gr_manifest_licence_matches("MIT AND GPL-2.0-only", "GPL-2.0-only AND MIT"));
	ck_assert(!gr_manifest_licence_matches("MIT", "GPL-2.0-only AND MIT"));
	ck_assert(!gr_manifest_licence_matches("MIT", ""));
}
END_TEST

START_TEST(test_deb_licence)
{
	struct gr_arena a;
	const char *from, *l;
	char dir[128];

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-manifest");
	gr_arena_init(&a);
	snprintf(dir, sizeof(dir), "%s/libfoo-dev", tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	gr_test_put(dir, "copyright",
	            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
	            "Upstream-Name: foo\n"
	            "License: BSD-3-clause\n"
	            "\n"
	            "Files: debian/*\n"
	            "Copyright: 2020 Someone\n"
	            "License: GPL-2+\n"
	            " This program is free software\n"
	            "\n"
	            "Files: *\n"
	            "Copyright: 2019 Upstream\n"
	            "License: public-domain\n"
	            "\n"
	            "Files: src/libspecial.a.c libspecial.a\n"
	            "License: LGPL-2.1+\n"
	            "\n"
	            "License: GPL-2+\n"
	            " text\n");
	l = gr_manifest_deb_licence(&a, tmp, "libfoo-dev:amd64", "libfoo.a", &from);
	ck_assert_str_eq(l, "LicenseRef-public-domain");
	ck_assert_ptr_nonnull(strstr(from, "/libfoo-dev/copyright"));
	l = gr_manifest_deb_licence(&a, tmp, "libfoo-dev", "libspecial.a", &from);
	ck_assert_str_eq(l, "LGPL-2.1-or-later");
	/* no Files: * stanza: the first Files: stanza */
	snprintf(dir, sizeof(dir), "%s/libbar", tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	gr_test_put(dir, "copyright",
	            "Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
	            "Files: lib/*\nLicense: Zlib\n\nFiles: debian/*\nLicense: GPL-3\n");
	ck_assert_str_eq(gr_manifest_deb_licence(&a, tmp, "libbar", NULL, &from), "Zlib");
	/* not DEP-5, or no file */
	snprintf(dir, sizeof(dir), "%s/libc", tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	gr_test_put(dir, "copyright", "This is the GNU C library.\nLicense: LGPL\n");
	ck_assert_str_eq(gr_manifest_deb_licence(&a, tmp, "libc", NULL, &from), "NOASSERTION");
	ck_assert_ptr_null(from);
	ck_assert_str_eq(gr_manifest_deb_licence(&a, tmp, "nonexistent", NULL, &from), "NOASSERTION");
	gr_arena_deinit(&a);
}
END_TEST

static const char gover[] =
	"/tmp/app: go1.22.1\n"
	"\tpath\texample.com/app\n"
	"\tmod\texample.com/app\t(devel)\t\n"
	"\tdep\tgithub.com/mattn/go-sqlite3\tv1.14.22\th1:abc=\n"
	"\tdep\tgithub.com/a/b\tv0.1.0\th1:def=\n"
	"\t=>\t../b\t\t\n"
	"\tbuild\t-compiler=gc\n"
	"\tbuild\tCGO_ENABLED=1\n"
	"\tbuild\t-ldflags=\"-extld=gorelink-ld\"\n";

static void
fill(struct gr_manifest *m)
{
	struct gr_error err;

	gr_manifest_init(m);
	m->linker = "mold";
	ck_assert_int_eq(gr_manifest_add(m, GR_MANIFEST_MEMBER, "/usr/lib/x86_64-linux-gnu/libz.a", "zutil.o", NULL,
	                                 NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_add(m, GR_MANIFEST_MEMBER,
	                                 "/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libz.a", "crc32.o",
	                                 NULL, NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_add(m, GR_MANIFEST_MEMBER, "/usr/lib/x86_64-linux-gnu/libz.a", "zutil.o", NULL,
	                                 NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_add(m, GR_MANIFEST_MEMBER, "/usr/lib/x86_64-linux-gnu/libc.a", "a\tb.o", NULL,
	                                 NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_add(m, GR_MANIFEST_OBJECT, "/tmp/go-build123/b001/exe/go-link-999/go.o", NULL,
	                                 "00ff", NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_add(m, GR_MANIFEST_OBJECT, "/tmp/go-link-5/000001.o", NULL, "11",
	                                 "github.com/mattn/go-sqlite3", "sqlite3-binding.c"), GR_OK);
	ck_assert_int_eq(gr_manifest_add(m, GR_MANIFEST_SHARED, "/lib/x86_64-linux-gnu/libc.so.6", NULL, NULL, NULL,
	                                 NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_set_go(m, gover, NULL, &err), GR_OK);
}

START_TEST(test_add_and_go)
{
	struct gr_manifest m;

	fill(&m);
	ck_assert_uint_eq(m.narchives, 2);
	ck_assert_str_eq(m.archives[0].path, "/usr/lib/x86_64-linux-gnu/libc.a");
	ck_assert_str_eq(m.archives[1].path, "/usr/lib/x86_64-linux-gnu/libz.a");
	ck_assert_uint_eq(m.archives[1].nmembers, 2);
	ck_assert_str_eq(m.archives[1].members[0], "crc32.o");
	ck_assert_str_eq(m.archives[1].members[1], "zutil.o");
	ck_assert_str_eq(m.archives[1].licence, "NOASSERTION");
	ck_assert_uint_eq(m.nobjects, 2);
	ck_assert_str_eq(m.objects[0].name, "000001.o");
	ck_assert_str_eq(m.objects[0].module, "github.com/mattn/go-sqlite3");
	ck_assert_str_eq(m.objects[1].name, "go.o");
	ck_assert_str_eq(m.go_version, "go1.22.1");
	ck_assert_str_eq(m.go_path, "example.com/app");
	ck_assert_str_eq(m.main.version, "(devel)");
	ck_assert_ptr_null(m.main.sum);
	ck_assert_uint_eq(m.ndeps, 2);
	ck_assert_str_eq(m.deps[0].path, "github.com/a/b");
	ck_assert_str_eq(m.deps[0].replace, "../b");
	ck_assert_str_eq(m.deps[1].sum, "h1:abc=");
	ck_assert_uint_eq(m.nsettings, 3);
	ck_assert_str_eq(m.settings[1], "CGO_ENABLED=1");
	gr_manifest_deinit(&m);
}
END_TEST

START_TEST(test_compact)
{
	struct gr_manifest m, back;
	struct gr_error err;
	char *c1, *c2, *bad;
	size_t l1, l2, i;

	fill(&m);
	m.archives[1].licence = "Zlib";
	m.archives[1].deb_package = "zlib1g-dev:amd64";
	ck_assert_int_eq(gr_manifest_compact(&m, &c1, &l1, &err), GR_OK);
	ck_assert_uint_eq(strlen(c1), l1);
	ck_assert(!strncmp(c1, GR_MANIFEST_FORMAT "\n", strlen(GR_MANIFEST_FORMAT) + 1));
	ck_assert_ptr_nonnull(strstr(c1, "\nmember\ta\\tb.o\n"));
	ck_assert_ptr_nonnull(strstr(c1, "\narchive\t/usr/lib/x86_64-linux-gnu/libz.a\t\\N\tzlib1g-dev:amd64\t"));
	ck_assert_ptr_nonnull(strstr(c1, "\nobject\tgo.o\t00ff\t"));
	ck_assert_int_eq(gr_manifest_parse(c1, l1, &back, &err), GR_OK);
	ck_assert_int_eq(gr_manifest_compact(&back, &c2, &l2, &err), GR_OK);
	ck_assert_uint_eq(l1, l2);
	ck_assert(!memcmp(c1, c2, l1));
	ck_assert_str_eq(back.archives[0].members[0], "a\tb.o");
	gr_manifest_deinit(&back);
	/* every truncation is refused, none crashes */
	for (i = 0; i < l1; i++) {
		ck_assert_int_eq(gr_manifest_parse(c1, i, &back, &err), GR_EFORMAT);
		gr_manifest_deinit(&back);
	}
	/* another version, an unknown record, a wrong field count */
	bad = strdup(c1);
	bad[strlen(GR_MANIFEST_FORMAT) - 1] = '2';
	ck_assert_int_eq(gr_manifest_parse(bad, l1, &back, &err), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "version"));
	gr_manifest_deinit(&back);
	free(bad);
	ck_assert_int_eq(gr_manifest_parse(GR_MANIFEST_FORMAT "\nfrob\tx\nend\n", strlen(GR_MANIFEST_FORMAT) + 12,
	                                   &back, &err), GR_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "line 2"));
	gr_manifest_deinit(&back);
	ck_assert_int_eq(gr_manifest_parse(GR_MANIFEST_FORMAT "\nshared\ta\tb\nend\n", strlen(GR_MANIFEST_FORMAT) + 16,
	                                   &back, &err), GR_EFORMAT);
	gr_manifest_deinit(&back);
	ck_assert_int_eq(gr_manifest_parse(GR_MANIFEST_FORMAT "\nmember\tx.o\nend\n", strlen(GR_MANIFEST_FORMAT) + 17,
	                                   &back, &err), GR_EFORMAT);
	gr_manifest_deinit(&back);
	free(c1);
	free(c2);
	/* the same inputs in another order: the same bytes */
	{
		struct gr_manifest m2;
		gr_manifest_init(&m2);
		m2.linker = "mold";
		ck_assert_int_eq(gr_manifest_set_go(&m2, gover, NULL, &err), GR_OK);
		ck_assert_int_eq(gr_manifest_add(&m2, GR_MANIFEST_SHARED, "/lib/x86_64-linux-gnu/libc.so.6", NULL, NULL, NULL, NULL), GR_OK);
		ck_assert_int_eq(gr_manifest_add(&m2, GR_MANIFEST_OBJECT, "/tmp/go-link-7/000001.o", NULL, "11",
		                                 "github.com/mattn/go-sqlite3", "sqlite3-binding.c"), GR_OK);
		ck_assert_int_eq(gr_manifest_add(&m2, GR_MANIFEST_OBJECT, "/x/go-link-1/go.o", NULL, "00ff", NULL, NULL), GR_OK);
		ck_assert_int_eq(gr_manifest_add(&m2, GR_MANIFEST_MEMBER, "/usr/lib/x86_64-linux-gnu/libc.a", "a\tb.o", NULL, NULL, NULL), GR_OK);
		ck_assert_int_eq(gr_manifest_add(&m2, GR_MANIFEST_MEMBER, "/usr/lib/x86_64-linux-gnu/libz.a", "zutil.o", NULL, NULL, NULL), GR_OK);
		ck_assert_int_eq(gr_manifest_add(&m2, GR_MANIFEST_MEMBER, "/usr/lib/x86_64-linux-gnu/libz.a", "crc32.o", NULL, NULL, NULL), GR_OK);
		ck_assert_int_eq(gr_manifest_compact(&m, &c1, &l1, &err), GR_OK);
		m2.archives[1].licence = "Zlib";
		m2.archives[1].deb_package = "zlib1g-dev:amd64";
		ck_assert_int_eq(gr_manifest_compact(&m2, &c2, &l2, &err), GR_OK);
		ck_assert_str_eq(c1, c2);
		free(c1);
		free(c2);
		gr_manifest_deinit(&m2);
	}
	gr_manifest_deinit(&m);
}
END_TEST

/* Write a file starting with the n bytes of head. */
static void
put_bytes(const char *path, const void *head, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(head, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* The trace lines of each linker are taken out of its output, other lines stay. */
START_TEST(test_ldtrace)
{
	static const unsigned char rel[18] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	static const unsigned char dyn[18] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0 };
	char a[128], o[128], so[128], script[128], text[2048], map[160];
	struct gr_ldtrace t;
	struct gr_strvec argv;
	size_t n;
	FILE *f;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-ldtrace");
	snprintf(a, sizeof(a), "%s/libq.a", tmp);
	snprintf(o, sizeof(o), "%s/go.o", tmp);
	snprintf(so, sizeof(so), "%s/libc.so.6", tmp);
	snprintf(script, sizeof(script), "%s/libc.so", tmp);
	put_bytes(a, "!<arch>\n", 8);
	put_bytes(o, rel, sizeof(rel));
	put_bytes(so, dyn, sizeof(dyn));
	put_bytes(script, "GROUP ( x )\n", 12);

	/* GNU ld -t -t */
	gr_strvec_init(&argv);
	ck_assert_int_eq(gr_ldtrace_begin(&t, NULL, "/x/a.out", &argv), GR_OK);
	ck_assert_str_eq(argv.v[0], "-Wl,-t,-t");
	n = (size_t)snprintf(text, sizeof(text), "%s\n%s\n(%s)m1.o\n(%s)m2.o\nwarning: kept\n%s\n%s\n(%s)m1.o\n(/nonexistent.a)z.o",
	                     o, a, a, a, script, so, a);
	n = gr_ldtrace_take(&t, text, n);
	ck_assert_str_eq(text, "warning: kept\n(/nonexistent.a)z.o");
	ck_assert_uint_eq(n, strlen(text));
	ck_assert_uint_eq(t.n, 4);
	ck_assert_int_eq(t.v[0].kind, GR_MANIFEST_OBJECT);
	ck_assert_str_eq(t.v[0].path, o);
	ck_assert_int_eq(t.v[1].kind, GR_MANIFEST_MEMBER);
	ck_assert_str_eq(t.v[1].path, a);
	ck_assert_str_eq(t.v[1].member, "m1.o");
	ck_assert_str_eq(t.v[2].member, "m2.o");
	ck_assert_int_eq(t.v[3].kind, GR_MANIFEST_SHARED);
	gr_ldtrace_deinit(&t);
	gr_strvec_deinit(&argv);

	/* The user's own -Wl,--trace: the lines are read and stay in the output. */
	gr_strvec_init(&argv);
	ck_assert_int_eq(gr_strvec_push(&argv, "gcc"), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, "-Wl,-z,now,--trace"), 0);
	ck_assert_int_eq(gr_ldtrace_begin(&t, NULL, "/x/a.out", &argv), GR_OK);
	ck_assert(t.keep);
	n = (size_t)snprintf(text, sizeof(text), "%s\n(%s)m1.o\n", o, a);
	ck_assert_uint_eq(gr_ldtrace_take(&t, text, n), n);
	ck_assert_uint_eq(t.n, 2);
	gr_ldtrace_deinit(&t);
	gr_strvec_deinit(&argv);
	gr_strvec_init(&argv);
	ck_assert_int_eq(gr_strvec_push(&argv, "gcc"), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, "-Wl,--trace-symbol=x"), 0);
	ck_assert_int_eq(gr_ldtrace_begin(&t, NULL, "/x/a.out", &argv), GR_OK);
	ck_assert(!t.keep);
	gr_ldtrace_deinit(&t);
	gr_strvec_deinit(&argv);

	/* gold and lld: ARCHIVE(MEMBER) */
	gr_strvec_init(&argv);
	ck_assert_int_eq(gr_ldtrace_begin(&t, "lld", "/x/a.out", &argv), GR_OK);
	ck_assert_str_eq(argv.v[0], "-Wl,--trace");
	n = (size_t)snprintf(text, sizeof(text), "%s\n%s(m(1).o)\nld.lld: warning: x\n", o, a);
	n = gr_ldtrace_take(&t, text, n);
	ck_assert_str_eq(text, "ld.lld: warning: x\n");
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.v[1].member, "m(1).o");
	gr_ldtrace_deinit(&t);
	gr_strvec_deinit(&argv);

	/* mold: its map file */
	gr_strvec_init(&argv);
	snprintf(map, sizeof(map), "%s/out", tmp);
	ck_assert_int_eq(gr_ldtrace_begin(&t, "mold", map, &argv), GR_OK);
	snprintf(map, sizeof(map), "-Wl,-Map=%s/out.gorelink-map", tmp);
	ck_assert_str_eq(argv.v[0], map);
	f = fopen(t.map, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "             VMA       Size Align Out     In      Symbol\n"
	           "        0x200000      0x100    16 .text\n"
	           "        0x200000         39     1         %s:(.text)\n"
	           "        0x200040         12    16         %s(m1.o):(.text)\n"
	           "        0x200050          0     1         %s(m1.o):(.data)\n"
	           "        0x200060          8     8         <internal>:(.got)\n"
	           "        0x200070          8     8                 main\n", o, a, a);
	ck_assert_int_eq(fclose(f), 0);
	{
		struct gr_error err;
		char *kept = strdup(t.map);
		ck_assert_int_eq(gr_ldtrace_read_map(&t, &err), GR_OK);
		ck_assert_uint_eq(t.n, 2);
		ck_assert_int_eq(t.v[0].kind, GR_MANIFEST_OBJECT);
		ck_assert_str_eq(t.v[1].member, "m1.o");
		gr_ldtrace_deinit(&t);
		ck_assert_int_ne(access(kept, F_OK), 0);  /* the map file is removed */
		free(kept);
	}
	gr_strvec_deinit(&argv);

	/* a map of many members, each named once per output section (.text of
	 * all, then .data of all, the object between): each input once, in the
	 * order of its first line, through the index's growth */
	gr_strvec_init(&argv);
	snprintf(map, sizeof(map), "%s/out", tmp);
	ck_assert_int_eq(gr_ldtrace_begin(&t, "mold", map, &argv), GR_OK);
	f = fopen(t.map, "w");
	ck_assert_ptr_nonnull(f);
	{
		static const char *const secs[] = { ".text", ".data", ".rodata" };
		struct gr_error err;
		char want[32];
		size_t k, m;
		for (k = 0; k < 3; k++) {
			for (m = 0; m < 1500; m++)
				fprintf(f, "        0x%zx 8 8         %s(m%zu.o):(%s)\n", 0x200000 + m * 16, a, m, secs[k]);
			fprintf(f, "        0x300000 8 8         %s:(%s)\n", o, secs[k]);
		}
		ck_assert_int_eq(fclose(f), 0);
		ck_assert_int_eq(gr_ldtrace_read_map(&t, &err), GR_OK);
		ck_assert_uint_eq(t.n, 1501);
		for (m = 0; m < 1500; m++) {
			snprintf(want, sizeof(want), "m%zu.o", m);
			ck_assert_int_eq(t.v[m].kind, GR_MANIFEST_MEMBER);
			ck_assert_str_eq(t.v[m].member, want);
		}
		ck_assert_int_eq(t.v[1500].kind, GR_MANIFEST_OBJECT);
		ck_assert_ptr_null(t.v[1500].member);
		gr_ldtrace_deinit(&t);
	}
	gr_strvec_deinit(&argv);
}
END_TEST

/* Three steps of work, then none. */
static bool
three_steps(void *ctx)
{
	int *n = ctx;

	return ++*n < 3;
}

/* gr_spawn_capture_while: the steps run while the child does, and a child
 * that prints more than a pipe holds still has all of it read. */
START_TEST(test_capture_while)
{
	char sh[] = "sh", c[] = "-c", script[] = "sleep 0.2; head -c 300000 /dev/zero | tr '\\0' x; echo err >&2";
	char *const argv[] = { sh, c, script, NULL };
	struct gr_spawn_result r;
	struct gr_error e;
	int steps = 0;
	size_t i;

	for (int until_exit = 0; until_exit < 2; until_exit++) {
		steps = 0;
		ck_assert_msg(gr_spawn_capture_while(argv, NULL, three_steps, &steps, until_exit, &r, &e) == GR_OK,
		              "sh: %s", e.msg);
		ck_assert_int_eq(steps, 3);
		ck_assert(gr_spawn_ok(&r));
		ck_assert_uint_eq(r.outlen, 300000);
		for (i = 0; i < r.outlen && r.out[i] == 'x'; i++)
			;
		ck_assert_uint_eq(i, 300000);
		ck_assert_str_eq(r.err, "err\n");
		gr_spawn_result_free(&r);
	}
}
END_TEST

/* until_exit: done when the child has exited, with everything it wrote,
 * though a process it left behind still holds both pipes (as mold's forked
 * child does while it tears down): that process is still running then.
 * Without pidfds (Linux before 5.3, a seccomp filter) it waits for the
 * pipes' end, as documented: that process has ended then. */
START_TEST(test_capture_until_exit)
{
	char sh[] = "sh", c[] = "-c",
	     script[] = "head -c 100000 /dev/zero | tr '\\0' y; echo err >&2; sleep 5 & echo \" $!\"; exit 3";
	char *const argv[] = { sh, c, script, NULL };
	struct gr_spawn_result r;
	struct gr_error e;
	size_t i;
	long pid = 0, self = -1;
	bool pidfds;
	int alive;

#ifdef SYS_pidfd_open
	self = syscall(SYS_pidfd_open, getpid(), 0);
#endif
	pidfds = self >= 0;

	if (pidfds)
		close((int)self);
	ck_assert_msg(gr_spawn_capture_while(argv, NULL, NULL, NULL, true, &r, &e) == GR_OK, "sh: %s", e.msg);
	for (i = 0; i < r.outlen && r.out[i] == 'y'; i++)
		;
	if (i < r.outlen)
		sscanf(r.out + i, " %ld", &pid);
	alive = pid > 1 ? kill((pid_t)pid, 0) : -1;
	if (pid > 1)
		kill((pid_t)pid, SIGKILL);
	ck_assert(r.exited);
	ck_assert_int_eq(r.code, 3);
	ck_assert_uint_eq(i, 100000);
	ck_assert_msg(pid > 1, "no pid after the output: %s", r.out + i);
	ck_assert_str_eq(r.err, "err\n");
	/* with pidfds, the sleep holding the pipes has not ended: nothing waited for it */
	ck_assert_msg(pidfds ? alive == 0 : alive != 0, "pidfds %d, the process left behind %s", pidfds,
	              alive == 0 ? "still runs" : "has ended");
	gr_spawn_result_free(&r);
}
END_TEST

/* The manifest's work done while the link runs (gr_ldtrace_overlap, _step):
 * the command line's objects (not go.o, not the output, not a non-ELF file)
 * hashed, and the report takes those answers for the objects the map names. */
START_TEST(test_ldtrace_overlap)
{
	static const unsigned char rel[18] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	unsigned char buf[32];
	char a[128], b[128], go[128], out[128], txt[128], gone[128], mapout[128];
	struct gr_ldtrace t;
	struct gr_strvec argv, run;
	struct gr_link_report rep;
	struct gr_error err;
	int steps = 0;
	FILE *f;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-ldoverlap");
	snprintf(a, sizeof(a), "%s/a.o", tmp);
	snprintf(b, sizeof(b), "%s/b.o", tmp);
	snprintf(go, sizeof(go), "%s/go.o", tmp);
	snprintf(out, sizeof(out), "%s/out.o", tmp);
	snprintf(txt, sizeof(txt), "%s/notelf.o", tmp);
	snprintf(gone, sizeof(gone), "%s/missing.o", tmp);
	snprintf(mapout, sizeof(mapout), "%s/exe", tmp);
	memcpy(buf, rel, sizeof(rel));
	memcpy(buf + sizeof(rel), "first", 5);
	put_bytes(a, buf, sizeof(rel) + 5);
	memcpy(buf + sizeof(rel), "b", 1);
	put_bytes(b, buf, sizeof(rel) + 1);
	put_bytes(go, rel, sizeof(rel));
	put_bytes(out, rel, sizeof(rel));
	put_bytes(txt, "not an object at all", 20);

	gr_strvec_init(&argv);
	gr_strvec_init(&run);
	ck_assert_int_eq(gr_strvec_push(&argv, "gcc"), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, "-o"), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, out), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, a), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, go), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, "-lfoo"), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, b), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, txt), 0);
	ck_assert_int_eq(gr_strvec_push(&argv, gone), 0);
	ck_assert_int_eq(gr_ldtrace_begin(&t, "mold", mapout, &run), GR_OK);
	ck_assert(!gr_ldtrace_step(&t));  /* nothing named yet */
	gr_ldtrace_overlap(&t, &argv, NULL);
	while (gr_ldtrace_step(&t))
		steps++;
	ck_assert_int_eq(steps, 2);
	ck_assert_uint_eq(t.npre, 2);
	ck_assert_str_eq(t.pre[0].path, a);
	ck_assert_str_eq(t.pre[0].hex, "bd86a8e0ffddddcdc038943150db7074089fb54feddf2893be684a3c1c9e9bd4");
	ck_assert_str_eq(t.pre[1].path, b);
	ck_assert_str_eq(t.pre[1].hex, "75961796a2db9d7885073b052839a7e3b7a29fcbf5cbed2ac6aaf866e0208944");
	ck_assert(!gr_ldtrace_step(&t));

	/* a.o changes after its step (here, only to show whose answer the
	 * report takes: a link does not write its inputs) */
	memcpy(buf + sizeof(rel), "second", 6);
	put_bytes(a, buf, sizeof(rel) + 6);
	f = fopen(t.map, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "        0x200000 39 1         %s:(.text)\n"
	           "        0x200040 39 1         %s:(.text)\n", a, go);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(gr_ldtrace_read_map(&t, &err), GR_OK);
	gr_link_report_init(&rep);
	ck_assert_int_eq(gr_ldtrace_report(&t, NULL, &rep), GR_OK);
	ck_assert_uint_eq(rep.nloaded, 2);
	ck_assert_str_eq(rep.loaded[0].path, a);
	ck_assert_str_eq(rep.loaded[0].sha256, "bd86a8e0ffddddcdc038943150db7074089fb54feddf2893be684a3c1c9e9bd4");
	ck_assert_str_eq(rep.loaded[1].path, go);
	ck_assert_ptr_null(rep.loaded[1].sha256);  /* go.o is never hashed */
	gr_link_report_deinit(&rep);
	gr_ldtrace_deinit(&t);

	/* Without the overlap the report hashes what is there now. */
	gr_strvec_deinit(&run);
	gr_strvec_init(&run);
	ck_assert_int_eq(gr_ldtrace_begin(&t, "mold", mapout, &run), GR_OK);
	f = fopen(t.map, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "        0x200000 39 1         %s:(.text)\n", a);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(gr_ldtrace_read_map(&t, &err), GR_OK);
	gr_link_report_init(&rep);
	ck_assert_int_eq(gr_ldtrace_report(&t, NULL, &rep), GR_OK);
	ck_assert_uint_eq(rep.nloaded, 1);
	ck_assert_str_eq(rep.loaded[0].sha256, "b8d4ba20e8193e755cf84aec3117a9310e1cb444ba76c366d9f873a69fda5406");
	gr_link_report_deinit(&rep);
	gr_ldtrace_deinit(&t);
	gr_strvec_deinit(&run);
	gr_strvec_deinit(&argv);
}
END_TEST

/* gr_manifest_resolve_cached: the answers come from dpkg's database once, then
 * from the cache until the archive or dpkg's status file changes. */
START_TEST(test_resolve_cached)
{
	char admin[128], info[160], lib[160], cache[160], status[160];
	struct gr_env env;
	struct gr_manifest m;
	struct gr_error err;
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 1000000000, 0 } };

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-mfcache");
	snprintf(admin, sizeof(admin), "%s/dpkg", tmp);
	snprintf(info, sizeof(info), "%s/info", admin);
	snprintf(lib, sizeof(lib), "%s/libfoo.a", tmp);
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	snprintf(status, sizeof(status), "%s/status", admin);
	ck_assert_int_eq(mkdir(admin, 0755), 0);
	ck_assert_int_eq(mkdir(info, 0755), 0);
	gr_test_put(admin, "status", "Package: libfoo-dev\nArchitecture: amd64\nVersion: 1.0-1\n");
	gr_test_write(lib, "!<arch>\n");
	{
		char list[256];
		snprintf(list, sizeof(list), "%s\n", lib);
		gr_test_put(info, "libfoo-dev.list", list);
	}
	memset(&env, 0, sizeof(env));
	env.cache_dir = cache;

	gr_manifest_init(&m);
	ck_assert_int_eq(gr_manifest_add(&m, GR_MANIFEST_MEMBER, lib, "a.o", NULL, NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_resolve_cached(&m, &env, admin, "salt", &err), GR_OK);
	ck_assert_str_eq(m.archives[0].deb_package, "libfoo-dev");
	ck_assert_str_eq(m.archives[0].deb_version, "1.0-1");
	ck_assert_ptr_nonnull(m.archives[0].sha256);
	gr_manifest_deinit(&m);

	/* the list file changes behind dpkg's back (status untouched): the cached answer */
	gr_test_put(info, "libfoo-dev.list", "/elsewhere\n");
	gr_manifest_init(&m);
	ck_assert_int_eq(gr_manifest_add(&m, GR_MANIFEST_MEMBER, lib, "a.o", NULL, NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_resolve_cached(&m, &env, admin, "salt", &err), GR_OK);
	ck_assert_str_eq(m.archives[0].deb_package, "libfoo-dev");
	gr_manifest_deinit(&m);

	/* another salt, or dpkg's status file changed: looked up again */
	gr_manifest_init(&m);
	ck_assert_int_eq(gr_manifest_add(&m, GR_MANIFEST_MEMBER, lib, "a.o", NULL, NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_resolve_cached(&m, &env, admin, "other", &err), GR_OK);
	ck_assert_ptr_null(m.archives[0].deb_package);
	gr_manifest_deinit(&m);
	ck_assert_int_eq(utimensat(AT_FDCWD, status, ts, 0), 0);
	gr_manifest_init(&m);
	ck_assert_int_eq(gr_manifest_add(&m, GR_MANIFEST_MEMBER, lib, "a.o", NULL, NULL, NULL), GR_OK);
	ck_assert_int_eq(gr_manifest_resolve_cached(&m, &env, admin, "salt", &err), GR_OK);
	ck_assert_ptr_null(m.archives[0].deb_package);
	ck_assert_str_eq(m.archives[0].licence, "NOASSERTION");
	gr_manifest_deinit(&m);
}
END_TEST

/* The payload a binary carries: one JSON object gr_embed accepts, its
 * members for readers, and the compact form, read back to the same bytes;
 * gr_manifest_from_link builds it from a link report's records. */
START_TEST(test_embed_payload)
{
	struct gr_manifest m, back;
	struct gr_error err;
	struct gr_arena a;
	struct gr_embed_manifest em;
	struct gr_link_report rep;
	struct gr_strvec mods;
	struct gr_env env;
	char *json, *c1, *c2;
	size_t len, l1, l2, i;
	bool compact = false, archives = false;

	fill(&m);
	m.archives[1].licence = "Zlib";
	ck_assert_int_eq(gr_manifest_embed_json(&m, &json, &len, &err), GR_OK);
	ck_assert_uint_eq(strlen(json), len);
	gr_arena_init(&a);
	memset(&em, 0, sizeof(em));
	ck_assert(gr_embed_json_check(json, len, &a, &em));
	ck_assert_str_eq(em.members[0].key, "format");
	ck_assert_str_eq(em.members[0].str, GR_MANIFEST_FORMAT);
	em.format = em.members[0].str;
	for (i = 0; i < em.nmembers; i++) {
		if (!strcmp(em.members[i].key, "archives")) {
			archives = true;
			ck_assert_uint_eq(em.members[i].count, 2);
		}
		compact |= !strcmp(em.members[i].key, "compact");
	}
	ck_assert(archives && compact);
	ck_assert_ptr_nonnull(strstr(json, "\"members\":[\"crc32.o\",\"zutil.o\"]"));
	ck_assert_int_eq(gr_manifest_from_embed(&em, &back, &err), GR_OK);
	ck_assert_int_eq(gr_manifest_compact(&m, &c1, &l1, &err), GR_OK);
	ck_assert_int_eq(gr_manifest_compact(&back, &c2, &l2, &err), GR_OK);
	ck_assert_str_eq(c1, c2);
	free(c1);
	free(c2);
	gr_manifest_deinit(&back);
	/* no compact form: refused */
	em.nmembers = 1;
	ck_assert_int_eq(gr_manifest_from_embed(&em, &back, &err), GR_EFORMAT);
	gr_manifest_deinit(&back);
	gr_arena_deinit(&a);
	free(json);
	gr_manifest_deinit(&m);

	/* from a link report: the linker, members, objects, the module whose
	 * directory holds an archive, the time from SOURCE_DATE_EPOCH */
	gr_link_report_init(&rep);
	ck_assert_int_eq(gr_link_report_set_traced(&rep, "bfd 1"), GR_OK);
	ck_assert_int_eq(gr_link_report_add_loaded(&rep, &(struct gr_rec_loaded){ "member", "/m/x/libk.a", "k.o", NULL, NULL, NULL }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_loaded(&rep, &(struct gr_rec_loaded){ "object", "/tmp/go-link-1/go.o", NULL, "00ff", NULL, NULL }), GR_OK);
	gr_strvec_init(&mods);
	ck_assert_int_eq(gr_strvec_push(&mods, "example.com/k"), 0);
	ck_assert_int_eq(gr_strvec_push(&mods, "/m/x"), 0);
	ck_assert_int_eq(gr_strvec_push(&mods, ""), 0);
	memset(&env, 0, sizeof(env));
	env.cache_dir = "";
	ck_assert_int_eq(gr_manifest_from_link(&m, &rep, "86400", &mods, NULL, &env, "salt", &err), GR_OK);
	ck_assert_str_eq(m.linker, "bfd");
	ck_assert_str_eq(m.created, "1970-01-02T00:00:00Z");
	ck_assert_uint_eq(m.narchives, 1);
	ck_assert_str_eq(m.archives[0].members[0], "k.o");
	ck_assert_str_eq(m.archives[0].module, "example.com/k");
	ck_assert_uint_eq(m.nobjects, 1);
	ck_assert_str_eq(m.objects[0].name, "go.o");
	gr_manifest_deinit(&m);
	ck_assert_int_eq(gr_manifest_from_link(&m, &rep, "soon", &mods, NULL, &env, "salt", &err), GR_EUSAGE);
	gr_manifest_deinit(&m);
	gr_strvec_deinit(&mods);
	gr_link_report_deinit(&rep);
}
END_TEST

/* mmap for everything in this process: the real one; when shrink_after_map
 * is set, that file is truncated to nothing right after it is mapped (once),
 * as another process could do while gr_manifest reads the mapping. */
static const char *shrink_after_map;
static int shrunk;

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	void *p;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "mmap");
	p = real(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && shrink_after_map) {
		ck_assert_int_eq(truncate(shrink_after_map, 0), 0);
		shrink_after_map = NULL;
		shrunk++;
	}
	return p;
}

/* A file of three pages whose build info blob (Go 1.18+ form: flag 2, the
 * version and the module info inline, uvarint-prefixed) is at offset 8192. */
static void
write_buildinfo(const char *path)
{
	static const char mod[] = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
	                          "dep\tgithub.com/a/b\tv1.0.0\th1:abc=\nbuild\tCGO_ENABLED=1\n";
	unsigned char buf[3 * 4096];
	size_t at = 8192, ml = strlen(mod);
	FILE *f;

	memset(buf, 0, sizeof(buf));
	memcpy(buf + at, "\xff Go buildinf:", 14);
	buf[at + 14] = 8;
	buf[at + 15] = 2;
	at += 32;
	buf[at++] = (unsigned char)strlen("go1.22.1");
	memcpy(buf + at, "go1.22.1", strlen("go1.22.1"));
	at += strlen("go1.22.1");
	ck_assert_uint_lt(ml + 32, 1 << 14);  /* two bytes of uvarint */
	buf[at++] = (unsigned char)(((ml + 32) & 0x7f) | 0x80);
	buf[at++] = (unsigned char)((ml + 32) >> 7);
	memset(buf + at, 0x30, 16);  /* the sentinels */
	memcpy(buf + at + 16, mod, ml);
	memset(buf + at + 16 + ml, 0xf9, 16);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(buf, 1, sizeof(buf), f), sizeof(buf));
	ck_assert_int_eq(fclose(f), 0);
}

/* The build info read from the (mapped) binary under the SIGBUS guard gives
 * the strings; a file that shrinks once mapped is GR_EIO naming it, not a
 * SIGBUS; no blob is no Go side. */
START_TEST(test_read_go_buildinfo)
{
	char path[128], want[256], *text = NULL;
	struct gr_manifest m;
	struct gr_error e;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-buildinfo");
	snprintf(path, sizeof(path), "%s/app", tmp);
	write_buildinfo(path);
	ck_assert_int_eq(gr_manifest_go_modinfo(path, &text, &e), GR_OK);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
	                       "dep\tgithub.com/a/b\tv1.0.0\th1:abc=\nbuild\tCGO_ENABLED=1\n");
	free(text);
	gr_manifest_init(&m);
	ck_assert_int_eq(gr_manifest_read_go(&m, path, &e), GR_OK);
	ck_assert_str_eq(m.go_version, "go1.22.1");
	ck_assert_str_eq(m.go_path, "example.com/app");
	ck_assert_str_eq(m.main.version, "(devel)");
	ck_assert_uint_eq(m.ndeps, 1);
	ck_assert_str_eq(m.deps[0].sum, "h1:abc=");
	ck_assert_uint_eq(m.nsettings, 1);
	gr_manifest_deinit(&m);

	/* The file shrinks right after it is mapped: an error naming it. */
	snprintf(want, sizeof(want), "%s: the file shrank while it was being read", path);
	shrunk = 0;
	shrink_after_map = path;
	text = want;  /* set to NULL on failure */
	gr_error_clear(&e);
	ck_assert_int_eq(gr_manifest_go_modinfo(path, &text, &e), GR_EIO);
	ck_assert_int_eq(shrunk, 1);
	ck_assert_ptr_null(text);
	ck_assert_str_eq(e.msg, want);
	write_buildinfo(path);
	shrink_after_map = path;
	gr_manifest_init(&m);
	gr_error_clear(&e);
	ck_assert_int_eq(gr_manifest_read_go(&m, path, &e), GR_EIO);
	ck_assert_int_eq(shrunk, 2);
	ck_assert_str_eq(e.msg, want);
	ck_assert_ptr_null(m.go_version);
	gr_manifest_deinit(&m);

	/* No blob (the empty file left behind is not mapped; a file of zeros is). */
	ck_assert_int_eq(gr_manifest_go_modinfo(path, &text, &e), GR_OK);
	ck_assert_ptr_null(text);
	gr_test_put(tmp, "zeros", "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n");
	snprintf(path, sizeof(path), "%s/zeros", tmp);
	ck_assert_int_eq(gr_manifest_go_modinfo(path, &text, &e), GR_OK);
	ck_assert_ptr_null(text);
	gr_manifest_init(&m);
	ck_assert_int_eq(gr_manifest_read_go(&m, path, &e), GR_OK);
	ck_assert_ptr_null(m.go_version);
	gr_manifest_deinit(&m);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = { test_spdx, test_deny, test_deb_licence, test_add_and_go, test_compact, test_ldtrace, test_capture_while, test_capture_until_exit,
	                               test_ldtrace_overlap, test_resolve_cached, test_embed_payload,
	                               test_read_go_buildinfo };

	return gr_test_run(gr_test_suite("manifest", "manifest", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
