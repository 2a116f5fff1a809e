/* Unit tests for gr_records: the link state, the link report and the pkg-config
 * log round-trip; another version, a truncated or garbled file is refused with
 * the file and line named; fields with TAB, newline and backslash survive. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_records.h"
#include "gr_test.h"

/* A temporary file name (the file exists, empty). */
static void
tmpname(char *buf, size_t n)
{
	int fd;

	snprintf(buf, n, "/tmp/gr-records-XXXXXX");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* The text of the file at path, valid until the next call. */
static const char *
slurp(const char *path)
{
	static char *last;

	free(last);
	return last = gr_test_slurp(path);
}

static const char weird[] = "a\tb\nc\\d\\t \\N";

START_TEST(test_state_round_trip)
{
	char path[64];
	struct gr_linkstate a, b;
	struct gr_error e;

	tmpname(path, sizeof(path));
	gr_linkstate_init(&a);
	a.mode = GR_LINK_THIRD_PARTY;
	gr_strvec_push(&a.cc, "ccache");
	gr_strvec_push(&a.cc, weird);
	gr_strvec_push(&a.cxx, "g++");
	gr_strvec_push(&a.extra, "-lz");
	gr_strvec_push(&a.extra_origin, "--pkg zlib");
	gr_strvec_push(&a.extra, "-lm");
	gr_strvec_push(&a.extra_origin, "--lib");
	gr_strvec_push(&a.allow, "systemd");
	gr_strvec_push(&a.system_libs, "gcc_s");
	a.report = strdup("/tmp/r\tx");
	a.fix = true;
	a.darwin = true;
	a.syslibroot = strdup("/sdk");
	a.linker = strdup("mold");
	a.linker_soft = true;
	ck_assert_int_eq(gr_linkstate_write(path, &a, &e), GR_OK);
	/* Plain text: the version line, one record a line. */
	ck_assert_ptr_nonnull(strstr(slurp(path), "gorelink-link-state 1\nmode\tthird-party\n"));
	ck_assert_ptr_nonnull(strstr(slurp(path), "\ncc\ta\\tb\\nc\\\\d\\\\t \\\\N\n"));
	ck_assert_ptr_nonnull(strstr(slurp(path), "\ndarwin\t\\N\n"));
	ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_OK);
	ck_assert_int_eq(b.mode, GR_LINK_THIRD_PARTY);
	ck_assert_uint_eq(b.cc.n, 2);
	ck_assert_str_eq(b.cc.v[1], weird);
	ck_assert_str_eq(b.cxx.v[0], "g++");
	ck_assert_uint_eq(b.extra.n, 2);
	ck_assert_uint_eq(b.extra_origin.n, 2);
	ck_assert_str_eq(b.extra_origin.v[0], "--pkg zlib");
	ck_assert_str_eq(b.extra.v[1], "-lm");
	ck_assert_str_eq(b.extra_origin.v[1], "--lib");
	ck_assert_str_eq(b.allow.v[0], "systemd");
	ck_assert_str_eq(b.system_libs.v[0], "gcc_s");
	ck_assert_str_eq(b.report, "/tmp/r\tx");
	ck_assert(b.fix);
	ck_assert(b.darwin);
	ck_assert_ptr_null(b.darwin_arch);
	ck_assert_str_eq(b.syslibroot, "/sdk");
	ck_assert_str_eq(b.linker, "mold");
	ck_assert(b.linker_soft);
	gr_linkstate_deinit(&a);
	gr_linkstate_deinit(&b);
	unlink(path);
}
END_TEST

static void
fill_report(struct gr_link_report *r)
{
	gr_link_report_init(r);
	ck_assert_int_eq(gr_link_report_add_argv(r, "gcc"), GR_OK);
	ck_assert_int_eq(gr_link_report_add_argv(r, weird), GR_OK);
	ck_assert_int_eq(gr_link_report_add_archive(r, "/usr/lib/libz.a"), GR_OK);
	ck_assert_int_eq(gr_link_report_add_kept(r, "pthread"), GR_OK);
	ck_assert_int_eq(gr_link_report_add_missing(r, true, "/x/y.o", NULL), GR_OK);
	ck_assert_int_eq(gr_link_report_add_missing(r, false, "systemd", "-lpcap -> libpcap.pc (inferred) -> Libs.private: -lsystemd"), GR_OK);
	ck_assert_int_eq(gr_link_report_add_undefined(r, &(struct gr_rec_undefined){ "sqlite3", NULL, "/l/libsqlite3.a",
	                                                                              "--lib -lsqlite3" }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_undefined(r, &(struct gr_rec_undefined){ NULL, NULL, NULL, "gss_x" }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_finding(r, &(struct gr_rec_finding){ "getpwnam", "os/user", NULL,
	                                                                          "osusergo\tor not", NULL, NULL, NULL }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_finding(r, &(struct gr_rec_finding){ "lt_dlopenext", "/l/libM.a(m.o)", NULL,
	                                                                          "keep it", "libM.a", "libltdl",
	                                                                          "libM.a loads its plugins" }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_fix(r, &(struct gr_rec_fix){ "m", "libm", "/l/libm.a", NULL }), GR_OK);
	/* A library kept dynamic: --fix added its -l flag, no archive. */
	ck_assert_int_eq(gr_link_report_add_fix(r, &(struct gr_rec_fix){ ":libgomp.so.1", NULL, NULL, "-l:libgomp.so.1" }),
	                 GR_OK);
	ck_assert_int_eq(gr_link_report_add_order(r, &(struct gr_rec_order){ "group", "/l/a.a", "/l/b.a" }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_dropped(r, "systemd", "dbus-1"), GR_OK);
	ck_assert_int_eq(gr_link_report_add_dropped(r, "x", NULL), GR_OK);
	ck_assert_int_eq(gr_link_report_set_status(r, 137, "gcc killed by signal KILL"), GR_OK);
}

START_TEST(test_report_round_trip)
{
	char path[64];
	struct gr_link_report a, b;
	struct gr_error e;

	tmpname(path, sizeof(path));
	fill_report(&a);
	ck_assert_int_eq(gr_link_report_write(path, &a, &e), GR_OK);
	ck_assert_ptr_nonnull(strstr(slurp(path), "gorelink-link-report 1\n"));
	ck_assert_ptr_nonnull(strstr(slurp(path), "\nundefined\t\\N\t\\N\t\\N\tgss_x\n"));
	ck_assert_int_eq(gr_link_report_read(path, &b, &e), GR_OK);
	ck_assert_uint_eq(b.nargv, 2);
	ck_assert_str_eq(b.argv[1], weird);
	ck_assert_uint_eq(b.narchives, 1);
	ck_assert_str_eq(b.archives[0], "/usr/lib/libz.a");
	ck_assert_str_eq(b.kept[0], "pthread");
	ck_assert_uint_eq(b.nmissing, 2);
	ck_assert(b.missing[0].file);
	ck_assert_str_eq(b.missing[0].name, "/x/y.o");
	ck_assert(!b.missing[1].file);
	ck_assert_str_eq(b.missing[1].name, "systemd");
	ck_assert_ptr_null(b.missing[0].chain);
	ck_assert_uint_eq(b.ndropped, 2);
	ck_assert_str_eq(b.dropped[0].lib, "systemd");
	ck_assert_str_eq(b.dropped[0].via, "dbus-1");
	ck_assert_ptr_null(b.dropped[1].via);
	ck_assert_str_eq(b.missing[1].chain, "-lpcap -> libpcap.pc (inferred) -> Libs.private: -lsystemd");
	ck_assert_uint_eq(b.nundefined, 2);
	ck_assert_str_eq(b.undefined[0].lname, "sqlite3");
	ck_assert_ptr_null(b.undefined[0].pkg);
	ck_assert_str_eq(b.undefined[0].archive, "/l/libsqlite3.a");
	ck_assert_str_eq(b.undefined[0].option, "--lib -lsqlite3");
	ck_assert_ptr_null(b.undefined[1].lname);
	ck_assert_str_eq(b.undefined[1].option, "gss_x");
	ck_assert_uint_eq(b.nfindings, 2);
	ck_assert_str_eq(b.findings[0].symbol, "getpwnam");
	ck_assert_ptr_null(b.findings[0].function);
	ck_assert_str_eq(b.findings[0].remedy, "osusergo\tor not");
	ck_assert_ptr_null(b.findings[0].library);
	ck_assert_ptr_null(b.findings[0].fails);
	ck_assert_str_eq(b.findings[1].library, "libM.a");
	ck_assert_str_eq(b.findings[1].loader, "libltdl");
	ck_assert_str_eq(b.findings[1].fails, "libM.a loads its plugins");
	ck_assert_uint_eq(b.nfixes, 2);
	ck_assert_str_eq(b.fixes[0].pkg, "libm");
	ck_assert_str_eq(b.fixes[0].flag, "/l/libm.a");  /* an archive: the flag is its path */
	ck_assert_ptr_null(b.fixes[1].archive);
	ck_assert_str_eq(b.fixes[1].flag, "-l:libgomp.so.1");
	ck_assert_str_eq(b.fixes[1].lname, ":libgomp.so.1");
	ck_assert_uint_eq(b.norder, 1);
	ck_assert_str_eq(b.order[0].needs, "/l/a.a");
	ck_assert(b.has_status);
	ck_assert_int_eq(b.status, 137);
	ck_assert_str_eq(b.killed, "gcc killed by signal KILL");
	gr_link_report_deinit(&a);
	gr_link_report_deinit(&b);
	/* No report at all: GR_EIO with ENOENT, which the build reads as "nothing linked". */
	unlink(path);
	ck_assert_int_eq(gr_link_report_read(path, &b, &e), GR_EIO);
	ck_assert_int_eq(e.sys_errno, 2);
	gr_link_report_deinit(&b);
}
END_TEST

START_TEST(test_pkglog)
{
	char path[64];
	struct gr_strvec v;
	struct gr_error e;
	const char *a[] = { "zlib", "libpcap" }, *c[] = { weird };

	tmpname(path, sizeof(path));
	ck_assert_int_eq(gr_pkglog_create(path, &e), GR_OK);
	ck_assert_int_eq(gr_pkglog_append(path, a, 2, &e), GR_OK);
	ck_assert_int_eq(gr_pkglog_append(path, c, 1, &e), GR_OK);
	ck_assert_str_eq(slurp(path), "gorelink-pkg-log 1\npkg\tzlib\npkg\tlibpcap\npkg\ta\\tb\\nc\\\\d\\\\t \\\\N\n");
	gr_strvec_init(&v);
	ck_assert_int_eq(gr_pkglog_read(path, &v, &e), GR_OK);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_str_eq(v.v[1], "libpcap");
	ck_assert_str_eq(v.v[2], weird);
	gr_strvec_deinit(&v);
	/* The log is the driver's to create: a shim never makes one without its version line. */
	unlink(path);
	ck_assert_int_eq(gr_pkglog_append(path, a, 1, &e), GR_EIO);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* Reading text as each format fails with GR_EFORMAT and a message holding want. */
static void
refused(const char *text, const char *want)
{
	char path[64];
	struct gr_linkstate ls;
	struct gr_link_report r;
	struct gr_strvec v;
	struct gr_error e;

	tmpname(path, sizeof(path));
	gr_test_write(path, text);
	if (!strncmp(text, "gorelink-link-state", 19) || !strncmp(text, "M\t", 2)) {
		ck_assert_int_eq(gr_linkstate_read(path, &ls, &e), GR_EFORMAT);
	} else if (!strncmp(text, "gorelink-pkg-log", 16)) {
		gr_strvec_init(&v);
		ck_assert_int_eq(gr_pkglog_read(path, &v, &e), GR_EFORMAT);
		gr_strvec_deinit(&v);
	} else {
		ck_assert_int_eq(gr_link_report_read(path, &r, &e), GR_EFORMAT);
		gr_link_report_deinit(&r);
	}
	if (!strstr(e.msg, want) || !strstr(e.msg, path))
		ck_abort_msg("refusing %s: message '%s' lacks '%s' or the path", text, e.msg, want);
	unlink(path);
}

START_TEST(test_refused)
{
	/* Another version, or no version line (the old TAG lines). */
	refused("gorelink-link-state 2\nmode\tstatic\ncc\tgcc\n", "link state version 2, but this gorelink reads version 1");
	refused("gorelink-link-report 0\n", "link report version 0");
	refused("gorelink-pkg-log 9\npkg\tz\n", "pkg-config log version 9");
	refused("M\tstatic\nc\tgcc\n", ":1: not a link state");
	refused("A\tgcc\nS\t0\n", ":1: not a link report");
	refused("", ":1: not a link report");
	/* Truncated: the last line without its newline. */
	refused("gorelink-link-report 1\nargv\tgcc\nargv\t-o", ":3: truncated link report");
	refused("gorelink-link-state 1", ":1: truncated link state");
	/* Garbled: unknown record, wrong field count, bad escape, required field absent. */
	refused("gorelink-link-report 1\nargv\tgcc\nbogus\tx\n", ":3: unknown record 'bogus'");
	refused("gorelink-link-report 1\nundefined\ta\tb\n", ":2: 'undefined' has 2 fields, not 4");
	/* A fix record's archive may be absent (an -l flag added), its flag may not. */
	refused("gorelink-link-report 1\nfix\tm\t\\N\t\\N\t\\N\n", ":2: 'fix' field 4 is empty");
	refused("gorelink-link-report 1\nfix\tm\t\\N\t\\N\n", ":2: 'fix' has 3 fields, not 4");
	refused("gorelink-link-report 1\nstatus\tzero\n", ":2: status 'zero' is not a number");
	refused("gorelink-link-state 1\ncc\tgcc\\q\n", ":2: a bad escape in field 1");
	refused("gorelink-link-state 1\nmode\tdynamic\ncc\tgcc\n", ":2: unknown mode 'dynamic'");
	refused("gorelink-link-state 1\nmode\tstatic\n", "without a compiler");
	refused("gorelink-pkg-log 1\npkg\tz\n\tx\n", ":3: a record without a keyword");
}
END_TEST

/* --relink-kit: the state names the staging directory (and the binary's name,
 * or none); the report says the kit was written (\N) or why not. */
START_TEST(test_kit_records)
{
	char path[64];
	struct gr_linkstate a, b;
	struct gr_link_report r, q;
	struct gr_error e;

	tmpname(path, sizeof(path));
	gr_linkstate_init(&a);
	gr_strvec_push(&a.cc, "gcc");
	a.kit = strdup("/d/.kit.kit-AB\tC");
	ck_assert_int_eq(gr_linkstate_write(path, &a, &e), GR_OK);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\nkit\t/d/.kit.kit-AB\\tC\t\\N\n"));
	ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_OK);
	ck_assert_str_eq(b.kit, "/d/.kit.kit-AB\tC");
	ck_assert_ptr_null(b.kit_name);
	gr_linkstate_deinit(&b);
	a.kit_name = strdup("app");
	ck_assert_int_eq(gr_linkstate_write(path, &a, &e), GR_OK);
	ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_OK);
	ck_assert_str_eq(b.kit_name, "app");
	gr_linkstate_deinit(&a);
	gr_linkstate_deinit(&b);
	/* A state without the record: no kit. */
	gr_linkstate_init(&a);
	gr_strvec_push(&a.cc, "gcc");
	ck_assert_int_eq(gr_linkstate_write(path, &a, &e), GR_OK);
	ck_assert_ptr_null(strstr(slurp(path), "\nkit\t"));
	ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_OK);
	ck_assert_ptr_null(b.kit);
	gr_linkstate_deinit(&a);
	gr_linkstate_deinit(&b);

	gr_link_report_init(&r);
	ck_assert_int_eq(gr_link_report_write(path, &r, &e), GR_OK);
	ck_assert_ptr_null(strstr(slurp(path), "\nkit\t"));
	ck_assert_int_eq(gr_link_report_set_kit(&r, NULL), GR_OK);
	ck_assert_int_eq(gr_link_report_write(path, &r, &e), GR_OK);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\nkit\t\\N\n"));
	ck_assert_int_eq(gr_link_report_read(path, &q, &e), GR_OK);
	ck_assert(q.kit_written);
	ck_assert_ptr_null(q.kit_error);
	gr_link_report_deinit(&q);
	ck_assert_int_eq(gr_link_report_set_kit(&r, "relink kit: /x/y.a is a thin archive"), GR_OK);
	ck_assert_int_eq(gr_link_report_write(path, &r, &e), GR_OK);
	ck_assert_int_eq(gr_link_report_read(path, &q, &e), GR_OK);
	ck_assert(!q.kit_written);
	ck_assert_str_eq(q.kit_error, "relink kit: /x/y.a is a thin archive");
	gr_link_report_deinit(&q);
	gr_link_report_deinit(&r);
	unlink(path);
}
END_TEST

/* Issue 16: the manifest flag of the state and the "traced"/"loaded" records of the report. */
START_TEST(test_manifest_records)
{
	char path[64];
	struct gr_linkstate ls, back;
	struct gr_link_report a, b;
	struct gr_error e;

	tmpname(path, sizeof(path));
	gr_linkstate_init(&ls);
	ls.manifest = true;
	ck_assert_int_eq(gr_strvec_push(&ls.cc, "gcc"), GR_OK);
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\nmanifest\n"));
	ck_assert_int_eq(gr_linkstate_read(path, &back, &e), GR_OK);
	ck_assert(back.manifest);
	gr_linkstate_deinit(&back);
	ls.manifest = false;
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	ck_assert_ptr_null(strstr(slurp(path), "manifest"));
	ck_assert_int_eq(gr_linkstate_read(path, &back, &e), GR_OK);
	ck_assert(!back.manifest);
	ck_assert_ptr_null(back.manifest_salt);
	ck_assert_ptr_null(back.manifest_epoch);
	gr_linkstate_deinit(&back);
	/* the embedded manifest's cache salt and SOURCE_DATE_EPOCH (either may be absent) */
	ls.manifest_salt = strdup("15e1029dc2cd5a06");
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\nmanifest-keys\t15e1029dc2cd5a06\t\\N\n"));
	ck_assert_int_eq(gr_linkstate_read(path, &back, &e), GR_OK);
	ck_assert_str_eq(back.manifest_salt, "15e1029dc2cd5a06");
	ck_assert_ptr_null(back.manifest_epoch);
	gr_linkstate_deinit(&back);
	ls.manifest_epoch = strdup("1700000000");
	ck_assert_int_eq(gr_linkstate_write(path, &ls, &e), GR_OK);
	ck_assert_int_eq(gr_linkstate_read(path, &back, &e), GR_OK);
	ck_assert_str_eq(back.manifest_epoch, "1700000000");
	gr_linkstate_deinit(&back);
	gr_linkstate_deinit(&ls);

	gr_link_report_init(&a);
	ck_assert_int_eq(gr_link_report_set_traced(&a, "bfd trace 1"), GR_OK);
	ck_assert_int_eq(gr_link_report_add_loaded(&a, &(struct gr_rec_loaded){ "object", "/tmp/go-link-1/000001.o", NULL,
	                                                                       "ab12", "github.com/mattn/go-sqlite3",
	                                                                       "sqlite3-binding.c" }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_loaded(&a, &(struct gr_rec_loaded){ "member", "/usr/lib/libz.a", weird, NULL,
	                                                                       NULL, NULL }), GR_OK);
	ck_assert_int_eq(gr_link_report_write(path, &a, &e), GR_OK);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\ntraced\tbfd trace 1\n"));
	ck_assert_ptr_nonnull(strstr(slurp(path), "\nloaded\tmember\t/usr/lib/libz.a\ta\\tb\\nc"));
	ck_assert_int_eq(gr_link_report_read(path, &b, &e), GR_OK);
	ck_assert_str_eq(b.traced, "bfd trace 1");
	ck_assert_uint_eq(b.nloaded, 2);
	ck_assert_str_eq(b.loaded[0].kind, "object");
	ck_assert_str_eq(b.loaded[0].module, "github.com/mattn/go-sqlite3");
	ck_assert_str_eq(b.loaded[0].source, "sqlite3-binding.c");
	ck_assert_str_eq(b.loaded[0].sha256, "ab12");
	ck_assert_ptr_null(b.loaded[0].member);
	ck_assert_str_eq(b.loaded[1].member, weird);
	ck_assert_ptr_null(b.loaded[1].sha256);
	gr_link_report_deinit(&a);
	gr_link_report_deinit(&b);
	unlink(path);
	refused("gorelink-link-report 1\nloaded\tarchive\t/x.a\t\\N\t\\N\t\\N\t\\N\n", "unknown loaded kind");
	refused("gorelink-link-report 1\nloaded\tobject\t\\N\t\\N\t\\N\t\\N\t\\N\n", "field 2 is empty");
	refused("gorelink-link-report 1\nloaded\tobject\t/a.o\n", "has 2 fields, not 6");
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_state_round_trip,
		test_kit_records,
		test_report_round_trip,
		test_pkglog,
		test_refused,
		test_manifest_records,
	};

	return gr_test_run(gr_test_suite("records", "records", tests, sizeof(tests) / sizeof(tests[0]), 0), false);
}
