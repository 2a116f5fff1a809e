/* Unit tests for gr_stub (--stub NAME): the prototype scanner (return kinds,
 * attribute macros, comments, preprocessor lines, calls that are no
 * declaration), the symbol selection (objects always, archive members only
 * when they define something needed, callers named), the shared library's
 * exports and the plan on fixtures built with gcc at test time, the stub
 * source, and the link state's and link report's stub records. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_records.h"
#include "gr_spawn.h"
#include "gr_stub.h"
#include "gr_test.h"

/* Scan text for name: whether it is found, its kind and type. */
static bool
scan(const char *text, const char *name, enum gr_stub_ret *ret, char *type)
{
	return gr_stub_proto_find(text, strlen(text), name, ret, type, 256);
}

/* text declares name with kind want and type wtype. */
static void
want(const char *text, const char *name, enum gr_stub_ret wret, const char *wtype)
{
	enum gr_stub_ret ret;
	char type[256];

	ck_assert_msg(scan(text, name, &ret, type), "no declaration of %s found in: %s", name, text);
	ck_assert_msg(ret == wret, "%s: kind %s, not %s", text, gr_stub_ret_name(ret), gr_stub_ret_name(wret));
	ck_assert_str_eq(type, wtype);
}

/* text has no declaration of name. */
static void
none(const char *text, const char *name)
{
	enum gr_stub_ret ret;
	char type[256];

	ck_assert_msg(!scan(text, name, &ret, type), "%s: a declaration found (%s) in: %s", name, type, text);
}

START_TEST(test_proto_kinds)
{
	/* systemd's own spelling, attribute macro first. */
	want("_sd_public_ int sd_listen_fds(int unset_environment);\n", "sd_listen_fds", GR_STUB_RET_INT, "int");
	want("int sd_is_socket(int fd, int family, int type, int listening) _sd_public_;", "sd_is_socket",
	     GR_STUB_RET_INT, "int");
	want("_sd_printf_(2, 3) int sd_notifyf(int unset_environment, const char *format, ...);", "sd_notifyf",
	     GR_STUB_RET_INT, "int");
	want("long\nlong_fn (void);", "long_fn", GR_STUB_RET_INT, "long");
	want("extern long long x64(void);", "x64", GR_STUB_RET_INT, "long long");
	want("ssize_t rd(int fd);", "rd", GR_STUB_RET_INT, "ssize_t");
	want("__attribute__((visibility(\"default\"))) int64_t big(void) __THROW __wur;", "big", GR_STUB_RET_INT,
	     "int64_t");
	want("signed char sc(void);", "sc", GR_STUB_RET_INT, "signed char");
	want("extern const char *const name_of(int);", "name_of", GR_STUB_RET_PTR, "void *");
	want("struct sd_bus **\nbus_ptr(void);", "bus_ptr", GR_STUB_RET_PTR, "void *");
	want("DBUS_EXPORT DBusConnection *dbus_bus_get(DBusBusType type, DBusError *error);", "dbus_bus_get",
	     GR_STUB_RET_PTR, "void *");
	want("static inline void nothing(void);", "nothing", GR_STUB_RET_VOID, "void");
	/* No failure value known: refused by the plan, with the type named. */
	want("unsigned int u(void);", "u", GR_STUB_RET_UNKNOWN, "unsigned int");
	want("unsigned u2(void);", "u2", GR_STUB_RET_UNKNOWN, "unsigned");
	want("_Bool b(void);", "b", GR_STUB_RET_UNKNOWN, "_Bool");
	want("bool b2(void);", "b2", GR_STUB_RET_UNKNOWN, "bool");
	want("double d(void);", "d", GR_STUB_RET_UNKNOWN, "double");
	want("uint64_t id(void);", "id", GR_STUB_RET_UNKNOWN, "uint64_t");
	want("sd_id128_t sd_id128_make(void);", "sd_id128_make", GR_STUB_RET_UNKNOWN, "sd_id128_t");
	want("struct pair mk(void);", "mk", GR_STUB_RET_UNKNOWN, "struct pair");
	want("char c(void);", "c", GR_STUB_RET_UNKNOWN, "char");  /* char may be unsigned */
	want("DBUS_EXPORT dbus_bool_t dbus_foo(void);", "dbus_foo", GR_STUB_RET_UNKNOWN, "dbus_bool_t");
}
END_TEST

START_TEST(test_proto_not_declarations)
{
	/* Comments, strings and preprocessor lines hide what they hold. */
	want("/* unsigned f(void); */ long f(int);", "f", GR_STUB_RET_INT, "long");
	want("// unsigned f(void);\nint f(int);", "f", GR_STUB_RET_INT, "int");
	want("#define f(x) g(x)\n#define h \\\n unsigned f(void)\nchar *f(int);", "f", GR_STUB_RET_PTR, "void *");
	none("const char *s = \"int f(void);\";", "f");
	/* A call inside an inline function is no declaration; a later one is. */
	none("static inline int g(void) { return f(1); }", "f");
	want("static inline int g(void) { return f(1); }\nvoid *f(int);", "f", GR_STUB_RET_PTR, "void *");
	none("int main(void) { x = f(2); }", "f");
	none("{ f(3); }", "f");
	/* A longer name, a parameter, a variable. */
	none("int fx(void);\nint f_(void);", "f");
	none("int reg(void (*f)(int));", "f");
	none("int f;", "f");
	none("typedef int (*f)(void);", "f");
	none("", "f");
	/* Truncated: no NUL, an unterminated comment or string or group. */
	{
		const char t[] = { 'i', 'n', 't', ' ', 'f' };
		enum gr_stub_ret r;
		char type[64];
		ck_assert(!gr_stub_proto_find(t, sizeof(t), "f", &r, type, sizeof(type)));
	}
	none("int f(void); /* never closed", "g");
	none("__attribute__((x int f(void);", "f");
	none("\"int f(void);", "f");
}
END_TEST

/* The fixture units: an object and members of two archives. */
START_TEST(test_select)
{
	static const char *const main_d[] = { "main" }, *const main_u[] = { "a_fn", "printf" };
	static const char *const b_d[] = { "b_fn" }, *const b_u[] = { "sd_y" };
	static const char *const a_d[] = { "a_fn" }, *const a_u[] = { "sd_x", "b_fn", "sd_z", "printf" };
	static const char *const un_d[] = { "unused" }, *const un_u[] = { "sd_unused" };
	static const char *const z_d[] = { "sd_z" }, *const z_u[] = { "sd_x" };
	const struct gr_stub_unit units[] = {
		{ "main.o", false, main_d, 1, main_u, 2 },
		/* B comes first: only a member of A, later, needs it (a group rescans). */
		{ "libB.a(b.o)", true, b_d, 1, b_u, 1 },
		{ "libA.a(a.o)", true, a_d, 1, a_u, 4 },
		{ "libA.a(unused.o)", true, un_d, 1, un_u, 1 },
		{ "z.o", false, z_d, 1, z_u, 1 },
	};
	struct gr_stub_needs *nd = NULL;
	const struct gr_stub_need *n;
	struct gr_error e;

	ck_assert_int_eq(gr_stub_select(units, sizeof(units) / sizeof(*units), &nd, &e), GR_OK);
	/* printf, sd_x, sd_y: sorted; sd_z defined by z.o; sd_unused's member is not linked. */
	ck_assert_uint_eq(nd->n, 3);
	ck_assert_str_eq(nd->v[0].sym, "printf");
	ck_assert_str_eq(nd->v[1].sym, "sd_x");
	ck_assert_str_eq(nd->v[2].sym, "sd_y");
	ck_assert_ptr_null(gr_stub_needs_find(nd, "sd_unused"));
	ck_assert_ptr_null(gr_stub_needs_find(nd, "sd_z"));
	ck_assert_ptr_null(gr_stub_needs_find(nd, "b_fn"));
	n = gr_stub_needs_find(nd, "sd_x");
	ck_assert_ptr_nonnull(n);
	/* Every linked unit that refers to it, in link order. */
	ck_assert_uint_eq(n->ncallers, 2);
	ck_assert_str_eq(n->callers[0], "z.o");
	ck_assert_str_eq(n->callers[1], "libA.a(a.o)");
	n = gr_stub_needs_find(nd, "sd_y");
	ck_assert_uint_eq(n->ncallers, 1);
	ck_assert_str_eq(n->callers[0], "libB.a(b.o)");
	n = gr_stub_needs_find(nd, "printf");
	ck_assert_uint_eq(n->ncallers, 2);
	gr_stub_needs_free(nd);
	/* Nothing at all. */
	ck_assert_int_eq(gr_stub_select(NULL, 0, &nd, &e), GR_OK);
	ck_assert_uint_eq(nd->n, 0);
	ck_assert_ptr_null(gr_stub_needs_find(nd, "x"));
	gr_stub_needs_free(nd);
}
END_TEST

/* ---- fixtures built with gcc ---------------------------------------------- */

static char fxdir[64];

static void
run(const char *const *argv)
{
	struct gr_spawn_result res;
	struct gr_error e;

	ck_assert_msg(gr_spawn_capture((char *const *)(uintptr_t)argv, NULL, &res, &e) == GR_OK,
	              "%s cannot run (%s): apt-get install gcc binutils", argv[0], e.msg);
	ck_assert_msg(gr_spawn_ok(&res), "%s %s failed: %s", argv[0], argv[1], res.err);
	gr_spawn_result_free(&res);
}

static void
fixtures(void)
{
	char so[256], hdr[256], c[256], o[256], u[256], uo[256], a[256], m[256], mo[256];

	gr_test_tmpdir(fxdir, sizeof(fxdir), "gr-stub");
	gr_test_put(fxdir, "fx.c", "int fx_ok(int a) { return a; }\nchar *fx_ptr(void) { return 0; }\n"
	            "unsigned fx_uns(void) { return 1; }\nvoid fx_void(void) { }\nint fx_data = 3;\n"
	            "int fx_unused(void) { return 0; }\nint fx_noproto(void) { return 0; }\n");
	gr_test_put(fxdir, "fx.h", "#ifndef FX_H\n#define FX_H\n/* unsigned fx_ok(void); */\n#define FX_API __attribute__((visibility(\"default\")))\n"
	            "FX_API int fx_ok(int a);\nFX_API char *fx_ptr(void);\nunsigned fx_uns(void);\n"
	            "void fx_void(void);\nextern int fx_data;\nint fx_unused(void);\n#endif\n");
	gr_test_put(fxdir, "use.c", "#include \"fx.h\"\nint fx_noproto(void);\n"
	             "int use_it(void) { fx_void(); return fx_ok(1) + (fx_ptr() != 0) + (int)fx_uns() + fx_data + fx_noproto(); }\n");
	gr_test_put(fxdir, "unused.c", "#include \"fx.h\"\nint not_needed(void) { return fx_unused(); }\n");
	gr_test_put(fxdir, "main.c", "int use_it(void);\nint main(void) { return use_it(); }\n");
	snprintf(c, sizeof(c), "%s/fx.c", fxdir);
	snprintf(so, sizeof(so), "%s/lib/libfx.so", fxdir);
	snprintf(hdr, sizeof(hdr), "%s/lib", fxdir);
	ck_assert_int_eq(mkdir(hdr, 0700), 0);
	run((const char *const[]){ "gcc", "-shared", "-fPIC", "-o", so, c, NULL });
	snprintf(u, sizeof(u), "%s/use.c", fxdir);
	snprintf(uo, sizeof(uo), "%s/use.o", fxdir);
	run((const char *const[]){ "gcc", "-c", "-o", uo, u, NULL });
	snprintf(u, sizeof(u), "%s/unused.c", fxdir);
	snprintf(o, sizeof(o), "%s/unused.o", fxdir);
	run((const char *const[]){ "gcc", "-c", "-o", o, u, NULL });
	snprintf(a, sizeof(a), "%s/libuse.a", fxdir);
	run((const char *const[]){ "ar", "rcs", a, uo, o, NULL });
	snprintf(m, sizeof(m), "%s/main.c", fxdir);
	snprintf(mo, sizeof(mo), "%s/main.o", fxdir);
	run((const char *const[]){ "gcc", "-c", "-o", mo, m, NULL });
}

static void
cleanup(void)
{
	ck_assert_int_eq(gr_test_rmtree(fxdir), 0);
}

static bool
has(const struct gr_strvec *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

/* A request to stub libfx for the inputs in0 and in1 (kept by the caller),
 * with fxdir/lib searched and fxdir's headers. */
static void
fx_req(struct gr_stub_req *rq, const char *in0, const char *in1)
{
	static const char *const libs[] = { "fx" };
	static char libdir[256];
	static const char *inputs[2], *dirs[1], *inc[1];

	snprintf(libdir, sizeof(libdir), "%s/lib", fxdir);
	inputs[0] = in0;
	inputs[1] = in1;
	dirs[0] = libdir;
	inc[0] = fxdir;
	memset(rq, 0, sizeof(*rq));
	rq->env = gr_test_env();
	rq->libs = libs;
	rq->nlibs = 1;
	rq->inputs = inputs;
	rq->ninputs = 2;
	rq->dirs = dirs;
	rq->ndirs = 1;
	rq->include_dirs = inc;
	rq->ninclude_dirs = 1;
}

START_TEST(test_exports_and_plan)
{
	struct gr_strvec funcs, data;
	struct gr_stub_plan *p = NULL;
	struct gr_stub_req rq;
	struct gr_error e;
	char so[256], a[256], mo[256], src[1024];
	size_t i;

	fixtures();
	snprintf(so, sizeof(so), "%s/lib/libfx.so", fxdir);
	gr_strvec_init(&funcs);
	gr_strvec_init(&data);
	ck_assert_int_eq(gr_stub_exports(so, &funcs, &data, &e), GR_OK);
	ck_assert(has(&funcs, "fx_ok"));
	ck_assert(has(&funcs, "fx_ptr"));
	ck_assert(!has(&funcs, "fx_data"));
	ck_assert(has(&data, "fx_data"));
	ck_assert(!has(&data, "fx_ok"));
	/* An object is no shared library. */
	snprintf(mo, sizeof(mo), "%s/main.o", fxdir);
	ck_assert_int_eq(gr_stub_exports(mo, &funcs, &data, &e), GR_ENOTBIN);
	gr_strvec_deinit(&funcs);
	gr_strvec_deinit(&data);

	snprintf(a, sizeof(a), "%s/libuse.a", fxdir);
	fx_req(&rq, mo, a);
	ck_assert_int_eq(gr_stub_plan(&rq, &p, &e), GR_OK);
	ck_assert_uint_eq(p->nlibs, 1);
	ck_assert_str_eq(p->shared[0], so);
	/* fx_unused: only unused.o calls it, which nothing pulls in. */
	ck_assert_uint_eq(p->nfns, 6);
	ck_assert_uint_eq(p->nrefused, 3);
	for (i = 0; i < p->nfns; i++) {
		const struct gr_stub_fn *f = &p->fns[i];
		ck_assert_str_eq(f->lib, "fx");
		ck_assert_uint_eq(f->ncallers, 1);
		ck_assert_ptr_nonnull(strstr(f->callers[0], "libuse.a(use.o)"));
		if (!strcmp(f->sym, "fx_ok")) {
			ck_assert_ptr_null(f->why);
			ck_assert_int_eq(f->ret, GR_STUB_RET_INT);
			ck_assert(gr_stub_source(f, src, sizeof(src)));
			ck_assert_ptr_nonnull(strstr(src, "int fx_ok(void) { errno = ENOSYS; return -1; }"));
		} else if (!strcmp(f->sym, "fx_ptr")) {
			ck_assert_ptr_null(f->why);
			ck_assert_int_eq(f->ret, GR_STUB_RET_PTR);
			ck_assert(gr_stub_source(f, src, sizeof(src)));
			ck_assert_ptr_nonnull(strstr(src, "void *fx_ptr(void) { return NULL; }"));
		} else if (!strcmp(f->sym, "fx_void")) {
			ck_assert_ptr_null(f->why);
			ck_assert_int_eq(f->ret, GR_STUB_RET_VOID);
			ck_assert(gr_stub_source(f, src, sizeof(src)));
			ck_assert_ptr_nonnull(strstr(src, "void fx_void(void) { }"));
		} else if (!strcmp(f->sym, "fx_uns")) {
			ck_assert_ptr_nonnull(f->why);
			ck_assert_ptr_nonnull(strstr(f->why, "returns unsigned"));
			ck_assert(!gr_stub_source(f, src, sizeof(src)));
		} else if (!strcmp(f->sym, "fx_data")) {
			ck_assert_ptr_nonnull(f->why);
			ck_assert_ptr_nonnull(strstr(f->why, "a data symbol"));
		} else if (!strcmp(f->sym, "fx_noproto")) {
			ck_assert_ptr_nonnull(f->why);
			ck_assert_ptr_nonnull(strstr(f->why, "no prototype"));
		} else {
			ck_abort_msg("unexpected stub %s", f->sym);
		}
	}
	/* Refused functions: no archive is built. */
	ck_assert_int_eq(gr_stub_build(gr_test_env(), NULL, fxdir, p, &e), GR_EUSAGE);
	gr_stub_plan_free(p);
	/* A library with no shared object in the search path. */
	rq.libs = (const char *const[]){ "nosuchlib" };
	ck_assert_int_eq(gr_stub_plan(&rq, &p, &e), GR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(e.msg, "--stub nosuchlib: no libnosuchlib.so"));
	cleanup();
}
END_TEST

START_TEST(test_build)
{
	struct gr_stub_plan *p = NULL;
	struct gr_stub_req rq;
	struct gr_strvec cc;
	struct gr_error e;
	char mo[256], a[256], out[256], stubdir[256];
	size_t i;

	fixtures();
	/* A library that only needs the stubbable ones. */
	gr_test_put(fxdir, "use2.c", "#include \"fx.h\"\nint use_it(void) { fx_void(); return fx_ok(1) + (fx_ptr() != 0); }\n");
	snprintf(a, sizeof(a), "%s/use2.c", fxdir);
	snprintf(mo, sizeof(mo), "%s/use2.o", fxdir);
	run((const char *const[]){ "gcc", "-c", "-o", mo, a, NULL });
	snprintf(a, sizeof(a), "%s/main.o", fxdir);
	fx_req(&rq, a, mo);
	ck_assert_int_eq(gr_stub_plan(&rq, &p, &e), GR_OK);
	ck_assert_uint_eq(p->nrefused, 0);
	ck_assert_uint_eq(p->nfns, 3);
	gr_strvec_init(&cc);
	gr_strvec_push(&cc, "gcc");
	snprintf(stubdir, sizeof(stubdir), "%s/stubs", fxdir);
	ck_assert_int_eq(mkdir(stubdir, 0700), 0);
	ck_assert_msg(gr_stub_build(gr_test_env(), &cc, stubdir, p, &e) == GR_OK, "%s", e.msg);
	ck_assert_ptr_nonnull(p->archives[0]);
	ck_assert_ptr_nonnull(strstr(p->archives[0], "/libfx-stub.a"));
	/* It links statically in place of -lfx, and the stubs fail as promised. */
	gr_test_put(fxdir, "run.c", "#include <errno.h>\n#include <stdio.h>\nint fx_ok(int);\nchar *fx_ptr(void);\nvoid fx_void(void);\n"
	             "int main(void) { errno = 0; int r = fx_ok(5); fx_void();\n"
	             "  printf(\"%d %d %d\\n\", r, errno == ENOSYS, fx_ptr() == NULL); return 0; }\n");
	snprintf(a, sizeof(a), "%s/run.c", fxdir);
	snprintf(out, sizeof(out), "%s/run", fxdir);
	run((const char *const[]){ "gcc", "-static", "-o", out, a, p->archives[0], NULL });
	{
		struct gr_spawn_result res;
		char *const argv[] = { out, NULL };
		ck_assert_int_eq(gr_spawn_capture(argv, NULL, &res, &e), GR_OK);
		ck_assert(gr_spawn_ok(&res));
		ck_assert_str_eq(res.out, "-1 1 1\n");
		gr_spawn_result_free(&res);
	}
	for (i = 0; i < p->nfns; i++)
		ck_assert_ptr_null(p->fns[i].why);
	gr_strvec_deinit(&cc);
	gr_stub_plan_free(p);
	cleanup();
}
END_TEST

START_TEST(test_records)
{
	char path[64] = "/tmp/gr-stubrec-XXXXXX";
	struct gr_linkstate a, b;
	struct gr_link_report r, s;
	struct gr_error e;
	int fd = mkstemp(path);
	const char *callers[] = { "/l/libdbus-1.a(x.o)", "/tmp/go-link/000001.o" };

	ck_assert_int_ge(fd, 0);
	close(fd);
	gr_linkstate_init(&a);
	gr_strvec_push(&a.cc, "gcc");
	gr_strvec_push(&a.stubs, "systemd");
	gr_strvec_push(&a.stubs, "fx");
	ck_assert_int_eq(gr_linkstate_write(path, &a, &e), GR_OK);
	ck_assert_int_eq(gr_linkstate_read(path, &b, &e), GR_OK);
	ck_assert_uint_eq(b.stubs.n, 2);
	ck_assert_str_eq(b.stubs.v[0], "systemd");
	ck_assert_str_eq(b.stubs.v[1], "fx");
	gr_linkstate_deinit(&a);
	gr_linkstate_deinit(&b);

	gr_link_report_init(&r);
	ck_assert_int_eq(gr_link_report_add_stub(&r, &(struct gr_rec_stub){ "systemd", "sd_listen_fds", "int", "int",
	                                                                      NULL, callers, 2 }), GR_OK);
	ck_assert_int_eq(gr_link_report_add_stub(&r, &(struct gr_rec_stub){ "fx", "fx_data", "unknown", "",
	                                                                      "a data\tsymbol", NULL, 0 }), GR_OK);
	ck_assert_int_eq(gr_link_report_write(path, &r, &e), GR_OK);
	ck_assert_int_eq(gr_link_report_read(path, &s, &e), GR_OK);
	ck_assert_uint_eq(s.nstubs, 2);
	ck_assert_str_eq(s.stubs[0].lib, "systemd");
	ck_assert_str_eq(s.stubs[0].function, "sd_listen_fds");
	ck_assert_str_eq(s.stubs[0].ret, "int");
	ck_assert_ptr_null(s.stubs[0].refused);
	ck_assert_uint_eq(s.stubs[0].ncallers, 2);
	ck_assert_str_eq(s.stubs[0].callers[0], callers[0]);
	ck_assert_str_eq(s.stubs[0].callers[1], callers[1]);
	ck_assert_str_eq(s.stubs[1].refused, "a data\tsymbol");
	ck_assert_str_eq(s.stubs[1].type, "");
	ck_assert_uint_eq(s.stubs[1].ncallers, 0);
	gr_link_report_deinit(&r);
	gr_link_report_deinit(&s);
	/* A stub record with a field missing is refused. */
	{
		FILE *f = fopen(path, "w");
		fputs("gorelink-link-report 1\nstub\tsystemd\tsd_x\tint\n", f);
		fclose(f);
		ck_assert_int_eq(gr_link_report_read(path, &s, &e), GR_EFORMAT);
		ck_assert_ptr_nonnull(strstr(e.msg, "'stub' has 3 fields, not 6"));
		gr_link_report_deinit(&s);
	}
	unlink(path);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_proto_kinds,
		test_proto_not_declarations,
		test_select,
		test_exports_and_plan,
		test_build,
		test_records,
	};

	return gr_test_run(gr_test_suite("stub", "stub", tests, sizeof(tests) / sizeof(tests[0]), 120), false);
}
