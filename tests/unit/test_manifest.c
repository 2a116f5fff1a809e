/* Unit tests for relink/gr_manifest: inputs merged and sorted, the compact
 * form and its reader, licences (DEP-5 to SPDX, --deny-licence matching), the
 * Go side from go version -m. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gr_manifest.h"
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

int
main(void)
{
	const TTest *const tests[] = { test_spdx, test_deny, test_deb_licence, test_add_and_go, test_compact };

	return gr_test_run(gr_test_suite("manifest", "manifest", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
