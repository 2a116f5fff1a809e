/* Unit tests for common/gr_dpkg: a dpkg database written here (status, info/
 * *.list, diversions) and, where this is a Debian system, the real one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_dpkg.h"
#include "gr_test.h"

static char tmp[64];

static const char status_text[] =
	"Package: zlib1g-dev\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Source: zlib\n"
	"Version: 1:1.2.13.dfsg-1\n"
	"Description: compression library - development\n"
	" zlib is a library implementing the deflate compression method found\n"
	" Package: not-a-field\n"
	"\n"
	"Package: zlib1g-dev\n"
	"Status: install ok installed\n"
	"Architecture: i386\n"
	"Multi-Arch: same\n"
	"Source: zlib (1:1.2.13.dfsg-1)\n"
	"Version: 1:1.2.13.dfsg-2\n"
	"\n"
	"Package: dash\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Version: 0.5.12-2\n"
	"\n"
	"Package: mytool\n"
	"Architecture: all\n"
	"Version: 2.0\n";  /* the last stanza ends without a blank line */

static void
make_db(void)
{
	char info[128];

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-dpkg");
	snprintf(info, sizeof(info), "%s/info", tmp);
	ck_assert_int_eq(mkdir(info, 0755), 0);
	gr_test_put(tmp, "status", status_text);
	gr_test_put(info, "zlib1g-dev:amd64.list",
	            "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libz.a\n"
	            "/usr/include/zlib.h");  /* no final newline */
	gr_test_put(info, "zlib1g-dev:i386.list", "/usr\n/usr/lib/i386-linux-gnu/libz.a\n");
	gr_test_put(info, "dash.list", "/.\n/bin\n/bin/dash\n/bin/sh\n/usr\n");
	gr_test_put(info, "mytool.list", "/usr/bin/mytool\n/lib/x86_64-linux-gnu/libmy.a\n/usr/bin/sh\n");
	gr_test_put(info, "mytool.md5sums", "/usr/bin/not-a-list\n");
	gr_test_put(tmp, "diversions", "/bin/sh\n/bin/sh.distrib\ndash\n/usr/bin/foo\n/usr/bin/foo.real\nmytool\n");
}

static void
owner_is(const struct gr_dpkg *db, const char *path, const char *name, const char *version)
{
	const struct gr_dpkg_pkg *p = gr_dpkg_owner(db, path);

	ck_assert_msg(p != NULL, "no owner for %s, want %s", path, name);
	ck_assert_msg(!strcmp(p->name, name), "owner of %s is %s, want %s", path, p->name, name);
	ck_assert_str_eq(p->version, version);
}

START_TEST(test_owner)
{
	struct gr_dpkg *db;
	struct gr_error err;
	const struct gr_dpkg_pkg *p;

	make_db();
	ck_assert_int_eq(gr_dpkg_open(tmp, &db, &err), GR_OK);
	ck_assert_uint_eq(gr_dpkg_count(db), 4);
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libz.a", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	owner_is(db, "/usr/include/zlib.h", "zlib1g-dev:amd64", "1:1.2.13.dfsg-1");
	owner_is(db, "/usr/lib/i386-linux-gnu/libz.a", "zlib1g-dev:i386", "1:1.2.13.dfsg-2");
	/* the gcc spelling of a path, tidied */
	owner_is(db, "/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libz.a", "zlib1g-dev:amd64",
	         "1:1.2.13.dfsg-1");
	/* merged /usr: dpkg lists /lib/..., the linker says /usr/lib/..., and the reverse */
	owner_is(db, "/usr/lib/x86_64-linux-gnu/libmy.a", "mytool", "2.0");
	owner_is(db, "/lib/x86_64-linux-gnu/libmy.a", "mytool", "2.0");
	owner_is(db, "/usr/bin/dash", "dash", "0.5.12-2");
	owner_is(db, "//usr/bin/./mytool", "mytool", "2.0");
	/* a diverted file belongs to the package that ships the original (mytool's
	 * /usr/bin/sh, moved aside by dash); one whose original only the diverter
	 * lists is not known */
	owner_is(db, "/bin/sh.distrib", "mytool", "2.0");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/foo.real"));
	owner_is(db, "/bin/sh", "dash", "0.5.12-2");
	owner_is(db, "/usr/bin/sh", "dash", "0.5.12-2");
	owner_is(db, "/usr/bin/sh.distrib", "mytool", "2.0");
	p = gr_dpkg_owner(db, "/usr/lib/x86_64-linux-gnu/libz.a");
	ck_assert_str_eq(p->package, "zlib1g-dev");
	ck_assert_str_eq(p->arch, "amd64");
	ck_assert_str_eq(p->source, "zlib");
	p = gr_dpkg_owner(db, "/usr/lib/i386-linux-gnu/libz.a");
	ck_assert_str_eq(p->source, "zlib");
	ck_assert_str_eq(gr_dpkg_owner(db, "/usr/bin/mytool")->source, "mytool");
	ck_assert_str_eq(gr_dpkg_owner(db, "/usr/bin/mytool")->arch, "all");
	/* a directory several packages list: the first by name */
	owner_is(db, "/usr", "dash", "0.5.12-2");
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/not-a-list"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "/nonexistent/libq.a"));
	ck_assert_ptr_null(gr_dpkg_owner(db, "relative/libz.a"));
	ck_assert_ptr_null(gr_dpkg_owner(db, NULL));
	ck_assert_str_eq(gr_dpkg_find(db, "zlib1g-dev")->name, "zlib1g-dev:amd64");
	ck_assert_str_eq(gr_dpkg_find(db, "zlib1g-dev:i386")->version, "1:1.2.13.dfsg-2");
	ck_assert_ptr_null(gr_dpkg_find(db, "zlib1g"));
	gr_dpkg_free(db);
}
END_TEST

/* Not a Debian system: an empty database, no error. */
START_TEST(test_missing)
{
	struct gr_dpkg *db;
	struct gr_error err;

	ck_assert_int_eq(gr_dpkg_open("/nonexistent/dpkg", &db, &err), GR_OK);
	ck_assert_uint_eq(gr_dpkg_count(db), 0);
	ck_assert_ptr_null(gr_dpkg_owner(db, "/usr/bin/dpkg"));
	gr_dpkg_free(db);
	gr_dpkg_free(NULL);
}
END_TEST

/* The real database (the tests run on Debian, scripts/setup): dpkg owns dpkg,
 * and /bin/sh (listed by dash under /bin) is found as /usr/bin/sh too. */
START_TEST(test_system)
{
	struct gr_dpkg *db;
	struct gr_error err;
	const struct gr_dpkg_pkg *p;

	ck_assert_msg(access("/var/lib/dpkg/status", R_OK) == 0, "no /var/lib/dpkg/status: not Debian (dpkg)");
	ck_assert_int_eq(gr_dpkg_open(NULL, &db, &err), GR_OK);
	ck_assert_uint_gt(gr_dpkg_count(db), 10);
	p = gr_dpkg_owner(db, "/usr/bin/dpkg");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->package, "dpkg");
	ck_assert_str_ne(p->version, "");
	p = gr_dpkg_owner(db, "/usr/bin/dash");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->package, "dash");
	gr_dpkg_free(db);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = { test_owner, test_missing, test_system };

	return gr_test_run(gr_test_suite("dpkg", "dpkg", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
