/* Unit tests for gr_kit (--relink-kit): the kit of a link on fixtures made
 * at test time (no dpkg database: every input is copied), its relink script
 * run with sh, kit-relative paths, the same link giving the same bytes, a
 * thin archive refused; DIR's checks, the staging directory beside it, the
 * exchange with a kit already there, postlink. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gr_kit.h"
#include "gr_spawn.h"
#include "gr_strvec.h"
#include "gr_test.h"

static char tmp[256];

/* dir/name, in a static buffer (one of 8, reused in turn). */
static const char *
at(const char *dir, const char *name)
{
	static char bufs[8][512];
	static int i;
	char *b = bufs[i++ % 8];
	int r = snprintf(b, 512, "%s/%s", dir, name);

	ck_assert(r > 0 && r < 512);
	return b;
}

static char *
slurp(const char *path)
{
	char *t = gr_test_slurp(path);

	ck_assert_msg(t != NULL, "%s: cannot read", path);
	return t;
}

/* A fake link: objects, an archive, a version script, and the linker's output. */
static void
fixture(const char *in)
{
	gr_test_write(at(in, "go.o"), "GO OBJECT\n");
	gr_test_write(at(in, "000000.o"), "CGO OBJECT\n");
	gr_test_write(at(in, "libgreet.a"), "!<arch>\nmembers\n");
	gr_test_write(at(in, "v.map"), "{ global: *; };\n");
	gr_test_write(at(in, "a.out"), "LINKED\n");
}

/* The argv of the fake link (its strings in a static buffer). */
static size_t
argv_of(const char *in, const char **v)
{
	static char o[512], g[512], c[512], a[512], m[600];
	size_t n = 0;
	int r = snprintf(o, sizeof(o), "%s/a.out", in);

	ck_assert(r > 0 && (size_t)r < sizeof(o));
	r = snprintf(g, sizeof(g), "%s/go.o", in);
	ck_assert(r > 0 && (size_t)r < sizeof(g));
	r = snprintf(c, sizeof(c), "%s/000000.o", in);
	ck_assert(r > 0 && (size_t)r < sizeof(c));
	r = snprintf(a, sizeof(a), "%s/libgreet.a", in);
	ck_assert(r > 0 && (size_t)r < sizeof(a));
	r = snprintf(m, sizeof(m), "-Wl,--version-script=%s/v.map", in);
	ck_assert(r > 0 && (size_t)r < sizeof(m));
	v[n++] = "/bin/echo";  /* the "compiler": prints the link it was given */
	v[n++] = "-Wl,--build-id=0x1234";
	v[n++] = "-o";
	v[n++] = o;
	v[n++] = g;
	v[n++] = c;
	v[n++] = "-O2";
	v[n++] = a;
	v[n++] = m;
	v[n++] = "it's";  /* a quote, literal */
	v[n++] = "-static";
	return n;
}

static int
write_kit(const char *in, const char *dir, struct gr_error *e)
{
	const char *v[16];
	size_t n = argv_of(in, v);
	struct gr_kit_req rq = { dir, "app", "static", v, n, "/usr/bin:/bin", at(tmp, "nodpkg"), in };

	return gr_kit_write(&rq, e);
}

/* Run sh SCRIPT ARGS... (NULL-terminated); what it printed (stdout, then
 * stderr) and " rc=N" in a malloc'd string. */
static char *
run_sh(const char *script, ...)
{
	struct gr_strvec argv;
	struct gr_spawn_result r;
	struct gr_error e;
	const char *a;
	char *out;
	va_list ap;

	gr_strvec_init(&argv);
	gr_strvec_push(&argv, "sh");
	gr_strvec_push(&argv, script);
	va_start(ap, script);
	while ((a = va_arg(ap, const char *)) != NULL)
		gr_strvec_push(&argv, a);
	va_end(ap);
	ck_assert_int_eq(gr_spawn_capture(gr_strvec_argv(&argv), NULL, &r, &e), GR_OK);
	gr_strvec_deinit(&argv);
	out = malloc(r.outlen + r.errlen + 32);
	ck_assert_ptr_nonnull(out);
	snprintf(out, r.outlen + r.errlen + 32, "%s%s rc=%d", r.out ? r.out : "", r.err ? r.err : "", r.code);
	gr_spawn_result_free(&r);
	return out;
}

START_TEST(test_kit_write)
{
	char in[512], kit[512], kit2[512], x[600], *t, *o;
	const char *moved;
	struct gr_error e;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-kit");
	snprintf(in, sizeof(in), "%s/in", tmp);
	snprintf(kit, sizeof(kit), "%s/kit", tmp);
	snprintf(kit2, sizeof(kit2), "%s/kit2", tmp);
	ck_assert_int_eq(mkdir(in, 0755), 0);
	ck_assert_int_eq(mkdir(kit, 0755), 0);
	ck_assert_int_eq(mkdir(kit2, 0755), 0);
	ck_assert_int_eq(mkdir(at(tmp, "nodpkg"), 0755), 0);
	fixture(in);
	ck_assert_int_eq(write_kit(in, kit, &e), GR_OK);
	ck_assert(gr_kit_complete(kit));
	/* The inputs copied, the output not. */
	t = slurp(at(kit, "obj/go.o"));
	ck_assert_str_eq(t, "GO OBJECT\n");
	free(t);
	t = slurp(at(kit, "lib/libgreet.a"));
	ck_assert_str_eq(t, "!<arch>\nmembers\n");
	free(t);
	t = slurp(at(kit, "obj/v.map"));
	free(t);
	ck_assert_int_ne(access(at(kit, "obj/a.out"), F_OK), 0);
	t = slurp(at(kit, "link.json"));
	ck_assert_ptr_nonnull(strstr(t, "\"schema\":\"gorelink-relink-kit/1\""));
	ck_assert_ptr_nonnull(strstr(t, "{\"output\":true}"));
	ck_assert_ptr_nonnull(strstr(t, "{\"kit\":\"obj/go.o\"}"));
	ck_assert_ptr_nonnull(strstr(t, "{\"archive\":0,\"kit\":\"lib/libgreet.a\"}"));
	ck_assert_ptr_nonnull(strstr(t, "{\"prefix\":\"-Wl,--version-script=\",\"kit\":\"obj/v.map\"}"));
	/* The build's private directory (here: in) is named nowhere. */
	ck_assert_ptr_null(strstr(t, in));
	free(t);
	t = slurp(at(kit, "archives.tsv"));
	ck_assert_ptr_nonnull(strstr(t, "lib/libgreet.a\tyes\t-\t-\t16\t"));
	free(t);
	/* Same link, same bytes. */
	ck_assert_int_eq(write_kit(in, kit2, &e), GR_OK);
	{
		static const char *const files[] = { "relink", "link.json", "archives.tsv", "README", ".gorelink-kit" };
		for (size_t i = 0; i < 5; i++) {
			char *a = slurp(at(kit, files[i])), *b = slurp(at(kit2, files[i]));
			ck_assert_msg(!strcmp(a, b), "%s differs between two kits of the same link", files[i]);
			free(a);
			free(b);
		}
	}
	/* relink, moved and run from elsewhere: every kit path is the moved kit's. */
	ck_assert_int_eq(rename(kit, at(tmp, "moved")), 0);
	moved = at(tmp, "moved/relink");
	snprintf(x, sizeof(x), "%s/x", in);
	o = run_sh(moved, "-o", x, NULL);
	ck_assert_msg(strstr(o, "-Wl,--build-id=0x1234 -o ") && strstr(o, x), "%s", o);
	ck_assert_msg(strstr(o, at(tmp, "moved/obj/go.o")) != NULL, "%s", o);
	ck_assert_msg(strstr(o, at(tmp, "moved/lib/libgreet.a")) != NULL, "%s", o);
	ck_assert_msg(strstr(o, "-Wl,--version-script=") && strstr(o, at(tmp, "moved/obj/v.map")), "%s", o);
	ck_assert_msg(strstr(o, " it's -static") != NULL, "%s", o);
	free(o);
	/* An archive replaced by its name and by its kit path; an unknown one refused. */
	moved = at(tmp, "moved/relink");
	o = run_sh(moved, "libgreet.a=/etc/hostname", NULL);
	ck_assert_msg(strstr(o, "-O2 /etc/hostname -Wl") != NULL, "%s", o);
	free(o);
	moved = at(tmp, "moved/relink");
	o = run_sh(moved, "lib/libgreet.a=/etc/hostname", NULL);
	ck_assert_msg(strstr(o, "-O2 /etc/hostname -Wl") != NULL, "%s", o);
	free(o);
	moved = at(tmp, "moved/relink");
	o = run_sh(moved, "libz.a=/etc/hostname", NULL);
	ck_assert_msg(strstr(o, "names 0 archives") && strstr(o, "rc=64"), "%s", o);
	free(o);
}
END_TEST

START_TEST(test_kit_thin_refused)
{
	char in[512], kit[512];
	struct gr_error e;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-kit");
	snprintf(in, sizeof(in), "%s/in", tmp);
	snprintf(kit, sizeof(kit), "%s/kit", tmp);
	ck_assert_int_eq(mkdir(in, 0755), 0);
	ck_assert_int_eq(mkdir(kit, 0755), 0);
	ck_assert_int_eq(mkdir(at(tmp, "nodpkg"), 0755), 0);
	fixture(in);
	gr_test_write(at(in, "libgreet.a"), "!<thin>\n/elsewhere/greet.o\n");
	ck_assert_int_eq(write_kit(in, kit, &e), GR_EUSAGE);
	ck_assert_msg(strstr(e.msg, "thin archive") != NULL, "%s", e.msg);
	ck_assert(!gr_kit_complete(kit));
}
END_TEST

START_TEST(test_kit_prepare_install)
{
	char *abs, *st, dir[512], file[512], other[512];
	struct gr_error e;
	bool old;
	struct stat sb;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-kit");
	snprintf(dir, sizeof(dir), "%s/kit", tmp);
	/* Absent: the staging directory beside it. */
	ck_assert_int_eq(gr_kit_prepare(dir, &abs, &st, &e), GR_OK);
	ck_assert_str_eq(abs, dir);
	ck_assert_msg(!strncmp(st, at(tmp, ".kit.kit-"), strlen(at(tmp, ".kit.kit-"))), "%s", st);
	gr_test_write(at(st, ".gorelink-kit"), "gorelink-relink-kit/1\n");
	gr_test_write(at(st, "README"), "new\n");
	ck_assert_int_eq(gr_kit_install(st, dir, &old, &e), GR_OK);
	ck_assert(!old);
	ck_assert(gr_kit_complete(dir));
	free(abs);
	free(st);
	/* A kit there: exchanged, the old one where the staging directory was. */
	ck_assert_int_eq(gr_kit_prepare(dir, &abs, &st, &e), GR_OK);
	gr_test_write(at(st, ".gorelink-kit"), "gorelink-relink-kit/1\n");
	gr_test_write(at(st, "README"), "newer\n");
	ck_assert_int_eq(gr_kit_install(st, dir, &old, &e), GR_OK);
	ck_assert(old);
	{
		char *t = slurp(at(dir, "README")), *u = slurp(at(st, "README"));
		ck_assert_str_eq(t, "newer\n");
		ck_assert_str_eq(u, "new\n");
		free(t);
		free(u);
	}
	gr_kit_remove(st);
	ck_assert_int_ne(stat(st, &sb), 0);
	free(abs);
	free(st);
	/* Not a kit, not empty; a file: refused, nothing made beside them. */
	snprintf(other, sizeof(other), "%s/mine", tmp);
	ck_assert_int_eq(mkdir(other, 0755), 0);
	gr_test_write(at(other, "keep"), "x");
	ck_assert_int_eq(gr_kit_prepare(other, &abs, &st, &e), GR_EUSAGE);
	ck_assert_msg(strstr(e.msg, "neither empty nor a relink kit") != NULL, "%s", e.msg);
	snprintf(file, sizeof(file), "%s/file", tmp);
	gr_test_write(file, "x");
	ck_assert_int_eq(gr_kit_prepare(file, &abs, &st, &e), GR_EUSAGE);
	ck_assert_msg(strstr(e.msg, "not a directory") != NULL, "%s", e.msg);
	/* An empty directory is fine. */
	ck_assert_int_eq(unlink(at(other, "keep")), 0);
	ck_assert_int_eq(gr_kit_prepare(other, &abs, &st, &e), GR_OK);
	gr_kit_remove(st);
	free(abs);
	free(st);
}
END_TEST

START_TEST(test_kit_postlink)
{
	char st[512];
	struct gr_error e;
	char *t;

	gr_test_fresh_tmpdir(tmp, sizeof(tmp), "gr-kit");
	snprintf(st, sizeof(st), "%s/st", tmp);
	ck_assert_int_eq(mkdir(st, 0755), 0);
	gr_test_write(at(st, ".linker-output"), "ABCDEFGHIJ");
	gr_test_write(at(tmp, "bin"), "ABxyEFGHIz");
	ck_assert_int_eq(gr_kit_postlink(st, at(tmp, "bin"), &e), GR_OK);
	t = slurp(at(st, "postlink"));
	ck_assert_msg(strstr(t, "\n2 \\170\\171\n9 \\172\n") != NULL, "%s", t);
	free(t);
	ck_assert_int_ne(access(at(st, ".linker-output"), F_OK), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_kit_write,
		test_kit_thin_refused,
		test_kit_prepare_install,
		test_kit_postlink,
	};

	return gr_test_run(gr_test_suite("kit", "kit", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
