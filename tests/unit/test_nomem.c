/* Allocation failure, injected: the test links with -Wl,--wrap for malloc,
 * calloc, realloc, strdup and strndup, so every allocation the library code
 * makes (not libelf's or libpkgconf's, which are shared libraries) can be made
 * to fail. Each operation runs once per allocation it makes, with exactly that
 * one failing: it must return an error (or a complete result), never crash,
 * and -- under the asan preset, where LeakSanitizer runs in every forked
 * test -- never leak. Every operation also compares each successful result
 * with a reference taken without failures; the fixtures (an archive built with gcc and ar, a linker script,
 * a .pc file, the cache, the Mach-O bytes) are made at test time. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gr_arena.h"
#include "gr_check.h"
#include "gr_cxx.h"
#include "gr_dcomp.h"
#include "gr_diag.h"
#include "gr_extld.h"
#include "gr_goflags.h"
#include "gr_ldmsg.h"
#include "gr_ldscript.h"
#include "gr_ldsearch.h"
#include "gr_records.h"
#include "gr_macho.h"
#include "gr_pc.h"
#include "gr_rewrite.h"
#include "gr_symindex.h"
#include "gr_tccache.h"
#include "gr_toolchain.h"
#include "gr_test.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long fail_at = -1;  /* the index of the allocation that fails; -1: none */
static long count;         /* allocations made since the operation started */

/* Whether this allocation fails; a failing one sets errno as glibc's does. */
static int
fail_now(void)
{
	if (fail_at >= 0 && count++ == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fail_now() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fail_now() ? NULL : __real_strndup(s, n); }

/* Checks inside an operation (after its call returned) allocate without failing. */
static long paused_at = -1;

static void
pause_injection(void)
{
	paused_at = fail_at;
	fail_at = -1;
}

static void
resume_injection(void)
{
	fail_at = paused_at;
	paused_at = -1;
}

/* One operation: 0 when it succeeded completely, nonzero when it reported an error. */
typedef int (*op_fn)(void);

/* Run op with the 1st, 2nd, ... allocation failing until it makes no more;
 * returns how many allocations the full run makes. */
static long
every_failure(const char *name, op_fn op)
{
	long n;

	for (n = 0;; n++) {
		int failed;
		count = 0;
		fail_at = n;
		failed = op();
		fail_at = -1;
		if (count <= n) {  /* no allocation failed: the run completed */
			ck_assert_msg(!failed, "%s: fails even with every allocation succeeding", name);
			return n;
		}
		/* The injected failure was either reported or (for optional work such
		 * as a cache) absorbed: both are fine; a crash or a leak is not. */
		ck_assert_msg(n < 100000, "%s: does not end", name);
	}
}

/* A C object standing for cmd/link's go.o (made by make_fixtures): the link
 * wrapper opens its input files as ld does, so they must exist. */
static char goobj[160];

/* ---- the operations on real toolchains, caches, the diagnosis and Mach-O ----
 * Each compares a successful result with the one a run without failures gave
 * (a reference taken before injecting), so an allocation failure that was
 * swallowed into a wrong or partial answer fails the test too. */

static char fixdir[64];      /* a mkdtemp directory: lib/, cache/, pc/ */
static char libdir[128], cachedir[128];
static char w_gcc[] = "gcc", w_gxx[] = "g++", w_c[] = "-c", w_o[] = "-o", w_ar[] = "ar", w_rcs[] = "rcs";
static char *gcc_argv[] = { w_gcc, NULL };

/* A text rendering of a result, for comparison; no allocation. */
struct sbuf {
	char b[262144];
	size_t n;
};

static void __attribute__((format(printf, 2, 3)))
sb_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(s->b + s->n, sizeof(s->b) - s->n, fmt, ap);
	va_end(ap);
	ck_assert_msg(k >= 0 && (size_t)k < sizeof(s->b) - s->n, "rendering too long");
	s->n += (size_t)k;
}

#define SB_STR(p) ((p) ? (p) : "(null)")

/* An error must say something: code and message set. */
static void
error_said(const char *name, int rc, const struct gr_error *e)
{
	ck_assert_msg(e->code == rc && e->msg[0], "%s: error %d returned without a message", name, rc);
}

static void
render_tc(struct sbuf *s, const struct gr_toolchain *tc)
{
	size_t i;

	for (i = 0; i < tc->cc.n; i++)
		sb_add(s, "cc %s\n", tc->cc.v[i]);
	for (i = 0; i < tc->driver_dirs.n; i++)
		sb_add(s, "D %s\n", tc->driver_dirs.v[i]);
	for (i = 0; i < tc->ld_dirs.n; i++)
		sb_add(s, "S %s\n", tc->ld_dirs.v[i]);
	sb_add(s, "ld %s\nm %s\nsysroot %s\nF %s %s %s\nA %s\n", SB_STR(tc->ld), SB_STR(tc->emulation),
	       SB_STR(tc->sysroot), SB_STR(tc->output_format), SB_STR(tc->output_format_big),
	       SB_STR(tc->output_format_little), SB_STR(tc->output_arch));
}

static struct sbuf ref_tc, got;

static void
same_as(const char *name, const struct sbuf *ref)
{
	size_t i = 0, line;

	if (got.n == ref->n && memcmp(got.b, ref->b, ref->n) == 0)
		return;
	while (i < got.n && i < ref->n && got.b[i] == ref->b[i])
		i++;
	for (line = i; line > 0 && ref->b[line - 1] != '\n'; line--)
		;
	fprintf(stderr, "--- got\n%.*s--- expected\n%.*s", (int)got.n, got.b, (int)ref->n, ref->b);
	ck_abort_msg("%s: succeeded with a different result; first difference:\n got: %.200s\n expected: %.200s",
	             name, got.b + line, ref->b + line);
}

static void
check_tc(const char *name, const struct gr_toolchain *tc)
{
	got.n = 0;
	render_tc(&got, tc);
	same_as(name, &ref_tc);
}

/* Run argv (fork and exec); it must exit 0. */
static void
run_ok(char *const argv[])
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", argv[0]);
}

/* Empty cache/KIND (the directory stays). */
static void
clear_cache(const char *kind)
{
	char d[256], p[512];
	DIR *dp;
	struct dirent *de;

	snprintf(d, sizeof(d), "%s/%s", cachedir, kind);
	if (!(dp = opendir(d)))
		return;
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
			ck_assert_int_eq(unlink(p), 0);
		}
	closedir(dp);
}

/* How many entries cache/KIND holds; a temporary file left behind counts too. */
static int
cache_entries(const char *kind)
{
	char d[256];

	snprintf(d, sizeof(d), "%s/%s", cachedir, kind);
	return gr_test_count_entries(d, false);
}

/* lib/libt-1.a (gr_alpha_fn, gr_zeta_fn), lib/libt.a a linker script naming it,
 * pc/t.pc bringing -lt, and an empty cache directory. */
static void
make_fixtures(void)
{
	char src[128], obj[128], ar[300], path[256], text[512];
	char *cc[] = { w_gcc, w_c, w_o, obj, src, NULL };
	char *arv[] = { w_ar, w_rcs, ar, obj, NULL };

	gr_test_tmpdir(fixdir, sizeof(fixdir), "gr-nomem");
	snprintf(libdir, sizeof(libdir), "%s/lib", fixdir);
	snprintf(cachedir, sizeof(cachedir), "%s/cache", fixdir);
	ck_assert_int_eq(mkdir(libdir, 0755), 0);
	ck_assert_int_eq(mkdir(cachedir, 0755), 0);
	snprintf(path, sizeof(path), "%s/pc", fixdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(src, sizeof(src), "%s/t.c", fixdir);
	snprintf(obj, sizeof(obj), "%s/t.o", fixdir);
	snprintf(ar, sizeof(ar), "%s/libt-1.a", libdir);
	gr_test_write(src, "int gr_zeta_fn(void) { return 1; }\nint gr_alpha_fn(void) { return 2; }\n");
	run_ok(cc);
	run_ok(arv);
	{
		char *cgo[] = { w_gcc, w_c, w_o, goobj, src, NULL };
		snprintf(goobj, sizeof(goobj), "%s/go.o", fixdir);
		run_ok(cgo);
	}
	snprintf(path, sizeof(path), "%s/libt.a", libdir);
	snprintf(text, sizeof(text), "/* GNU ld script */\nGROUP ( %s )\n", ar);
	gr_test_write(path, text);
	snprintf(path, sizeof(path), "%s/pc/t.pc", fixdir);
	gr_test_write(path, "Name: t\nDescription: test\nVersion: 1\nLibs: -lt\n");
	/* lib/libcxt.a: a C function written in C++ (it needs libstdc++). */
	{
		char *cxx[] = { w_gxx, w_c, w_o, obj, src, NULL };
		snprintf(src, sizeof(src), "%s/cxt.cc", fixdir);
		snprintf(path, sizeof(path), "%s/cxxlib", fixdir);  /* apart: the index ops count lib/ */
		ck_assert_int_eq(mkdir(path, 0755), 0);
		snprintf(ar, sizeof(ar), "%s/libcxt.a", path);
		gr_test_write(src, "#include <string>\nextern \"C\" int cxt_len(void) { return (int)std::string(\"abc\").size(); }\n");
		run_ok(cxx);
		run_ok(arv);
	}
	snprintf(path, sizeof(path), "%s/pc", fixdir);
	setenv("PKG_CONFIG_LIBDIR", path, 1);
	unsetenv("PKG_CONFIG_PATH");
	setenv("GORELINK_CACHE_DIR", cachedir, 1);
}

/* Discovery with gcc, then -L<fixture> -lt -lz -lm -pthread into archives. */
static struct sbuf ref_rw;

static void
render_rw(struct sbuf *s, const struct gr_rw_result *r)
{
	size_t i, k;

	sb_add(s, "missing %zu\n", r->nmissing);
	for (i = 0; i < r->argv.n; i++)
		sb_add(s, "arg %s\n", r->argv.v[i]);
	for (i = 0; i < r->ntokens; i++) {
		const struct gr_rw_token *t = &r->tokens[i];
		sb_add(s, "tok %s kind %d lib %s kept %d missing %d found %s members %zu:", t->input, (int)t->kind,
		       SB_STR(t->lib), t->kept, t->missing, SB_STR(t->res.found.path), t->res.nmembers);
		for (k = 0; k < t->noutput; k++)
			sb_add(s, " %s", t->output[k]);
		sb_add(s, "\n");
	}
}

static int
rewrite_discovered(struct gr_rw_result **r, struct gr_error *e)
{
	static char dasl[160];  /* the tokens keep pointing at it */
	struct gr_pc_token in[] = { { dasl, NULL }, { "-lt", "t (Libs)" }, { "-lz", NULL }, { "-lm", NULL },
	                            { "-pthread", NULL } };
	struct gr_rw_opts o;
	struct gr_toolchain tc;
	int rc;

	snprintf(dasl, sizeof(dasl), "-L%s", libdir);
	memset(&o, 0, sizeof(o));
	o.mode = GR_RW_STATIC;
	*r = NULL;
	rc = gr_toolchain_discover(gr_test_env(), gcc_argv, &tc, e);
	if (rc != GR_OK)
		return rc;
	rc = gr_rewrite(in, sizeof(in) / sizeof(in[0]), &o, &tc, r, e);
	gr_toolchain_deinit(&tc);
	return rc;
}

static int
op_rewrite(void)
{
	struct gr_rw_result *r;
	struct gr_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = rewrite_discovered(&r, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("rewrite", rc, &e);
	} else {
		got.n = 0;
		render_rw(&got, r);
		same_as("rewrite", &ref_rw);
	}
	gr_rw_result_free(r);
	resume_injection();
	return rc != GR_OK;
}

/* The toolchain cache: store (an empty cache) and lookup (a stored entry). */
static bool last_hit;

static int
tccache_op(const char *name, bool empty_first)
{
	struct gr_toolchain tc;
	struct gr_error e;
	bool hit = false;
	int rc;

	pause_injection();  /* check's assertions allocate */
	if (empty_first)
		clear_cache("toolchain");
	resume_injection();
	memset(&e, 0, sizeof(e));
	rc = gr_tccache_discover(gr_test_env(), gcc_argv, &tc, &hit, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said(name, rc, &e);
	} else {
		check_tc(name, &tc);
		gr_toolchain_deinit(&tc);
	}
	last_hit = hit;
	/* Whatever was stored, a run without failures must find and trust it. */
	ck_assert_int_le(cache_entries("toolchain"), 1);
	if (cache_entries("toolchain")) {
		struct gr_toolchain again;
		bool h = false;
		ck_assert_int_eq(gr_tccache_discover(gr_test_env(), gcc_argv, &again, &h, &e), GR_OK);
		ck_assert_msg(h, "%s: stored an entry that a later run does not find", name);
		check_tc(name, &again);
		gr_toolchain_deinit(&again);
	}
	resume_injection();
	return rc != GR_OK;
}

static int op_tccache_store(void) { return tccache_op("tccache_store", true); }
static int op_tccache_lookup(void) { return tccache_op("tccache_lookup", false); }

/* The symbol index over lib/ (twice, the second a duplicate) and a missing dir. */
static size_t last_cached;

static void
render_ix(struct sbuf *s, const struct gr_symindex *ix, const struct gr_symindex_stats *st)
{
	static const char *const syms[] = { "gr_alpha_fn", "gr_zeta_fn", "gr_absent_fn" };
	const struct gr_symarchive *const *hits;
	size_t i, k, n;

	sb_add(s, "archives %zu symbols %zu\n", st->archives, st->symbols);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		hits = gr_symindex_lookup(ix, syms[i], &n);
		sb_add(s, "%s:", syms[i]);
		for (k = 0; k < n; k++)
			sb_add(s, " %s (-l%s)", hits[k]->path, hits[k]->lname);
		sb_add(s, "\n");
	}
}

static struct sbuf ref_ix;

static int
symindex_op(const char *name, bool empty_first)
{
	const char *dirs[] = { libdir, "/nonexistent-gorelink-dir", libdir };
	struct gr_symindex *ix = NULL;
	struct gr_symindex_stats st;
	struct gr_error e;
	int rc;

	pause_injection();  /* check's assertions allocate */
	if (empty_first)
		clear_cache("symbols");
	resume_injection();
	memset(&e, 0, sizeof(e));
	rc = gr_symindex_build(gr_test_env(), dirs, 3, &ix, &st, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said(name, rc, &e);
		ck_assert_ptr_null(ix);
	} else {
		got.n = 0;
		render_ix(&got, ix, &st);
		same_as(name, &ref_ix);
		last_cached = st.cached;
	}
	gr_symindex_free(ix);
	ck_assert_int_le(cache_entries("symbols"), 1);
	resume_injection();
	return rc != GR_OK;
}

static int op_symindex_store(void) { return symindex_op("symindex_store", true); }
static int op_symindex_lookup(void) { return symindex_op("symindex_lookup", false); }

/* The diagnosis of a failed link: two symbols libt-1.a defines, one nothing
 * defines, and glibc's warning about getaddrinfo from Go's net package. */
static const char diag_text[] =
	"/usr/bin/ld: /tmp/go-link-1/000001.o: in function `_cgo_a':\n"
	"/tmp/x/a.c:3: undefined reference to `gr_alpha_fn'\n"
	"/usr/bin/ld: /tmp/go-link-1/000002.o: in function `_cgo_b':\n"
	"(.text+0x5): undefined reference to `gr_zeta_fn'\n"
	"/usr/bin/ld: /tmp/go-link-1/000002.o: in function `_cgo_c':\n"
	"(.text+0x9): undefined reference to `gr_nowhere_fn'\n"
	"/usr/bin/ld: /tmp/go-link-1/000003.o: in function `_cgo_d':\n"
	"(.text+0xd): undefined reference to `gr_alpha_fn'\n"
	"/usr/bin/ld: /tmp/go-link-1/000004.o: in function `_cgo_e':\n"
	"/usr/lib/go/src/net/cgo_unix.go:58: warning: Using 'getaddrinfo' in statically linked "
	"applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /usr/lib/x86_64-linux-gnu/libfoo.a(foo.o): in function `foo_user':\n"
	"(.text+0x11): warning: Using 'getpwnam' in statically linked applications requires at "
	"runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /tmp/go-link-1/000005.o: undefined reference to symbol 'gr_dso_fn@@GR_1.0'\n"
	"/usr/bin/ld: /nonexistent/libgrdso.so.1: error adding symbols: DSO missing from command line\n"
	"collect2: error: ld returned 1 exit status\n";

static void
render_diag(struct sbuf *s, const struct gr_diag *d)
{
	size_t i, k;

	sb_add(s, "index archives %zu symbols %zu\n", d->index.archives, d->index.symbols);
	for (i = 0; i < d->ngroups; i++) {
		const struct gr_diag_group *g = &d->groups[i];
		sb_add(s, "group %s -l%s pkg %s refs %zu:", g->provider ? g->provider->path : "(none)",
		       g->provider ? g->provider->lname : "", SB_STR(g->pkg), g->nrefs);
		for (k = 0; k < g->nsymbols; k++)
			sb_add(s, " %s", SB_STR(g->symbols[k]));
		sb_add(s, "; needers:");
		for (k = 0; k < g->nneeders; k++)
			sb_add(s, " %s", SB_STR(g->needers[k]));
		sb_add(s, "\n");
	}
	for (i = 0; i < d->nfindings; i++)
		sb_add(s, "finding %s in %s (%s): %s\n", SB_STR(d->findings[i].symbol), SB_STR(d->findings[i].source),
		       SB_STR(d->findings[i].function), SB_STR(d->findings[i].remedy));
	for (i = 0; i < d->ndsos; i++) {
		const struct gr_diag_dso *x = &d->dsos[i];
		sb_add(s, "dso %s soname %s flag %s name %s pkg %s via %s:", SB_STR(x->path), SB_STR(x->soname),
		       SB_STR(x->flag), SB_STR(x->name), SB_STR(x->pkg), SB_STR(x->via));
		for (k = 0; k < x->nsymbols; k++)
			sb_add(s, " %s", SB_STR(x->symbols[k]));
		sb_add(s, "; needers:");
		for (k = 0; k < x->nneeders; k++)
			sb_add(s, " %s", SB_STR(x->needers[k]));
		sb_add(s, "\n");
	}
}

static struct sbuf ref_diag;

static int
op_diag(void)
{
	const char *dirs[] = { libdir };
	struct gr_diag *d = NULL;
	struct gr_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = gr_diag_run(gr_test_env(), diag_text, dirs, 1, &d, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("diag", rc, &e);
		ck_assert_ptr_null(d);
	} else {
		got.n = 0;
		render_diag(&got, d);
		same_as("diag", &ref_diag);
	}
	gr_diag_free(d);
	resume_injection();
	return rc != GR_OK;
}

/* Mach-O, assembled by hand: a 64-bit little-endian executable with dyld,
 * fifteen dylibs (the list grows twice), two rpaths, and install names long
 * enough that the strings and problems spill over many arena blocks; and a
 * universal file of it as arm64 and x86_64. */
struct bytes {
	unsigned char b[98304];
	size_t n;
};

#define SLICE_ALIGN 0x8000u

static void
put32(struct bytes *o, uint32_t v, bool be)
{
	int i;

	for (i = 0; i < 4; i++)
		o->b[o->n++] = (unsigned char)(be ? v >> (24 - 8 * i) : v >> (8 * i));
}

/* A load command: cmd, cmdsize, the string offset, extra words, the string, padding to 8. */
static void
put_lc(struct bytes *o, uint32_t cmd, const uint32_t *extra, size_t nextra, const char *str)
{
	size_t head = 12 + 4 * nextra, len = head + strlen(str) + 1, size = (len + 7) & ~(size_t)7, i;

	put32(o, cmd, false);
	put32(o, (uint32_t)size, false);
	put32(o, (uint32_t)head, false);
	for (i = 0; i < nextra; i++)
		put32(o, extra[i], false);
	memcpy(o->b + o->n, str, strlen(str));
	memset(o->b + o->n + strlen(str), 0, size - head - strlen(str));
	o->n += size - head;
}

static void
make_thin(struct bytes *o, uint32_t cputype)
{
	static const uint32_t ver[3] = { 2, 0x10000, 0x10000 };  /* timestamp, current, compat */
	static const char *const dirs[] = { "/opt/homebrew/opt/p/lib", "/usr/local/lib", "@rpath",
	                                    "/opt/local/lib", "@loader_path/../Frameworks" };
	size_t start = o->n, cmds, j;
	char name[1024], pad[801];

	put32(o, 0xfeedfacfu, false);
	put32(o, cputype, false);
	put32(o, 0, false);
	put32(o, 2, false);          /* MH_EXECUTE */
	put32(o, 20, false);         /* ncmds */
	put32(o, 0, false);          /* sizeofcmds, below */
	put32(o, 0x200085u, false);  /* MH_PIE | ... */
	put32(o, 0, false);
	cmds = o->n;
	put_lc(o, 0xe, NULL, 0, "/usr/lib/dyld");
	/* LC_BUILD_VERSION (macos 11.0, no tools) and an empty LC_CODE_SIGNATURE:
	 * the Mach-O load rules (issue 14) pass, so the problems are the dylibs'. */
	put32(o, 0x32u, false); put32(o, 24, false); put32(o, 1, false);
	put32(o, 0xb0000u, false); put32(o, 0xb0000u, false); put32(o, 0, false);
	put32(o, 0x1du, false); put32(o, 16, false); put32(o, 0, false); put32(o, 0, false);
	put_lc(o, 0xc, ver, 3, "/usr/lib/libSystem.B.dylib");
	put_lc(o, 0xc, ver, 3, "/opt/homebrew/opt/libfoo/lib/libfoo.1.dylib");
	put_lc(o, 0x80000018u, ver, 3, "@rpath/libbar.dylib");
	put_lc(o, 0xc, ver, 3, "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation");
	put_lc(o, 0xc, ver, 3, "/usr/local/lib/libbaz.dylib");
	put_lc(o, 0x8000001cu, NULL, 0, "@loader_path/../lib");
	put_lc(o, 0x8000001cu, NULL, 0, "/opt/homebrew/lib");
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (j = 0; j < 10; j++) {
		snprintf(name, sizeof(name), "%s/libq%zu_%s.%zu.dylib", dirs[j % 5], j, pad, j);
		put_lc(o, 0xc, ver, 3, name);
	}
	o->b[start + 20] = (unsigned char)(o->n - cmds);
	o->b[start + 21] = (unsigned char)((o->n - cmds) >> 8);
}

static struct bytes thin, fat;

static void
make_macho(void)
{
	struct bytes a, x;

	thin.n = a.n = x.n = fat.n = 0;
	make_thin(&thin, 0x0100000cu);
	make_thin(&a, 0x0100000cu);
	make_thin(&x, 0x01000007u);
	ck_assert_uint_le(thin.n, SLICE_ALIGN);
	put32(&fat, 0xcafebabeu, true);
	put32(&fat, 2, true);
	put32(&fat, 0x0100000cu, true);
	put32(&fat, 0, true);
	put32(&fat, SLICE_ALIGN, true);
	put32(&fat, (uint32_t)a.n, true);
	put32(&fat, 15, true);
	put32(&fat, 0x01000007u, true);
	put32(&fat, 3, true);
	put32(&fat, 2 * SLICE_ALIGN, true);
	put32(&fat, (uint32_t)x.n, true);
	put32(&fat, 15, true);
	memset(fat.b + fat.n, 0, SLICE_ALIGN - fat.n);
	memcpy(fat.b + SLICE_ALIGN, a.b, a.n);
	memset(fat.b + SLICE_ALIGN + a.n, 0, SLICE_ALIGN - a.n);
	memcpy(fat.b + 2 * SLICE_ALIGN, x.b, x.n);
	fat.n = 2 * SLICE_ALIGN + x.n;
	ck_assert(gr_macho_is_thin(thin.b, thin.n));
	ck_assert(gr_macho_is_fat(fat.b, fat.n));
}

static void
render_image(struct sbuf *s, const struct gr_image *img)
{
	size_t i;

	sb_add(s, "image fmt %d verdict %d exe %d pass %d bits %d be %d arch %s interp %s/%d soname %s pie %d\n",
	       (int)img->format, (int)img->verdict, img->executable, img->pass, img->bits, img->big_endian,
	       SB_STR(img->arch), SB_STR(img->interp), img->interp_accepted, SB_STR(img->soname), img->pie);
	for (i = 0; i < img->nneeded; i++)
		sb_add(s, "dep %s %s origin %d allowed %d\n", SB_STR(img->needed[i].name), SB_STR(img->needed[i].command),
		       (int)img->needed[i].origin, img->needed[i].allowed);
	for (i = 0; i < img->nrpath; i++)
		sb_add(s, "rpath %s\n", SB_STR(img->rpath[i]));
	for (i = 0; i < img->nproblems; i++)
		sb_add(s, "problem %s: %s; fix: %s\n", SB_STR(img->problems[i].code), SB_STR(img->problems[i].message),
		       SB_STR(img->problems[i].remedy));
}

static struct sbuf ref_thin, ref_fat, ref_check;

static int
op_macho_thin(void)
{
	struct gr_arena a;
	struct gr_image img;
	struct gr_error e;
	int rc;

	gr_arena_init(&a);
	memset(&img, 0, sizeof(img));
	memset(&e, 0, sizeof(e));
	rc = gr_macho_read_thin(thin.b, thin.n, "app", &a, &img, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("macho_thin", rc, &e);
	} else {
		got.n = 0;
		render_image(&got, &img);
		same_as("macho_thin", &ref_thin);
	}
	gr_arena_deinit(&a);
	resume_injection();
	return rc != GR_OK;
}

static int
op_macho_fat(void)
{
	struct gr_arena a;
	struct gr_image *imgs = NULL;
	struct gr_error e;
	size_t n = 0, i;
	int rc;

	gr_arena_init(&a);
	memset(&e, 0, sizeof(e));
	rc = gr_macho_read_fat(fat.b, fat.n, "app", &a, &imgs, &n, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("macho_fat", rc, &e);
	} else {
		got.n = 0;
		for (i = 0; i < n; i++)
			render_image(&got, &imgs[i]);
		same_as("macho_fat", &ref_fat);
	}
	gr_arena_deinit(&a);
	resume_injection();
	return rc != GR_OK;
}

static void
render_report(struct sbuf *s, const struct gr_report *r)
{
	size_t i;

	sb_add(s, "report %s fmt %d verdict %d exe %d pass %d images %zu\n", SB_STR(r->path), (int)r->format,
	       (int)r->verdict, r->executable, r->pass, r->nimages);
	for (i = 0; i < r->nimages; i++)
		render_image(s, &r->images[i]);
}

static int
op_check_macho(void)
{
	static const char *const allow[] = { "libbar.dylib" };
	struct gr_policy pol = { .allow = allow, .nallow = 1 };
	struct gr_report *r = NULL;
	struct gr_error e;
	unsigned char *copy = __real_malloc(fat.n);
	int rc;

	memcpy(copy, fat.b, fat.n);
	memset(&e, 0, sizeof(e));
	rc = gr_check_buffer("app", copy, fat.n, &pol, &r, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("check_macho", rc, &e);
	} else {
		got.n = 0;
		render_report(&got, r);
		same_as("check_macho", &ref_check);
	}
	gr_report_free(r);
	free(copy);
	resume_injection();
	return rc != GR_OK;
}

/* The host link of a cgo program that links -lcxt, in static mode with a
 * discovered toolchain: libcxt.a is C++, so the link runs with CXX. */
static struct sbuf ref_cxx;

static int
extld_cxx(struct gr_strvec *out, struct gr_error *e)
{
	static char a0[] = "-m64", a1[] = "-o", a2[] = "/tmp/x/a.out",
	            a5[] = "-lcxt", a6[] = "-no-pie";
	static char a4[160];
	char *args[] = { a0, a1, a2, goobj, a4, a5, a6 };
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_rw_result *rw = NULL;
	int rc;

	snprintf(a4, sizeof(a4), "-L%s/cxxlib", fixdir);
	gr_linkstate_init(&ls);
	ls.mode = GR_LINK_STATIC;
	if ((rc = gr_toolchain_discover(gr_test_env(), gcc_argv, &tc, e)) != GR_OK) {
		gr_linkstate_deinit(&ls);
		return rc;
	}
	if (gr_strvec_push(&ls.cc, "gcc") != GR_OK || gr_strvec_push(&ls.cxx, "g++") != GR_OK)
		rc = gr_error_set(e, GR_ENOMEM, 0, "test: out of memory");
	else
		rc = gr_extld_rewrite(gr_test_env(), &ls, &tc, args, sizeof(args) / sizeof(args[0]), out, &rw, e);
	gr_rw_result_free(rw);
	gr_toolchain_deinit(&tc);
	gr_linkstate_deinit(&ls);
	return rc;
}

static void
render_argv(struct sbuf *s, const struct gr_strvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		sb_add(s, "%s\n", v->v[i]);
}

static int
op_extld_cxx(void)
{
	struct gr_strvec out;
	struct gr_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	gr_strvec_init(&out);
	rc = extld_cxx(&out, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("extld_cxx", rc, &e);
	} else {
		got.n = 0;
		render_argv(&got, &out);
		same_as("extld_cxx", &ref_cxx);
	}
	gr_strvec_deinit(&out);
	resume_injection();
	return rc != GR_OK;
}

/* A cross build's C++ driver (relink/gr_cxx): go env CXX builds for the
 * host, so the one named after CC is chosen; then a CC with no C++ driver
 * beside it: none, and why (fake compilers in the fixture directory, by
 * path; their -dumpmachine answers are cached). */
static int
op_cxx_choose(void)
{
	static char cc[160], cxx[160], want[160], lone[160];
	struct gr_cxx_choice ch;
	struct gr_error e;
	int rc;

	pause_injection();
	if (!cc[0]) {
		static const char *const fakes[][2] = { { "tgt-linux-gnu-gcc", "aarch64-linux-gnu" },
		                                        { "lone-linux-gnu-gcc", "aarch64-linux-gnu" },
		                                        { "tgt-linux-gnu-g++", "aarch64-unknown-linux-gnu" },
		                                        { "host-g++", "x86_64-linux-gnu" } };
		char path[256], text[128];
		for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", fixdir, fakes[i][0]);
			snprintf(text, sizeof(text), "#!/bin/sh\necho %s\n", fakes[i][1]);
			gr_test_write_mode(path, text, 0755);
		}
		snprintf(cc, sizeof(cc), "%s/tgt-linux-gnu-gcc", fixdir);
		snprintf(cxx, sizeof(cxx), "%s/host-g++", fixdir);
		snprintf(want, sizeof(want), "%s/tgt-linux-gnu-g++", fixdir);
		snprintf(lone, sizeof(lone), "%s/lone-linux-gnu-gcc", fixdir);
	}
	resume_injection();
	memset(&e, 0, sizeof(e));
	rc = gr_cxx_choose(gr_test_env(), cc, cxx, false, &ch, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("cxx_choose", rc, &e);
	} else {
		/* A failure swallowed into "no C++ driver" would show here. */
		ck_assert_msg(ch.cxx && !strcmp(ch.cxx, want) && ch.derived, "cxx_choose: got %s (%s)",
		              ch.cxx ? ch.cxx : "none", ch.why ? ch.why : "");
		ck_assert_str_eq(ch.cc_target, "aarch64-linux-gnu");
		ck_assert_str_eq(ch.cxx_target, "aarch64-unknown-linux-gnu");
		gr_cxx_choice_deinit(&ch);
		resume_injection();
		rc = gr_cxx_choose(gr_test_env(), lone, cxx, false, &ch, &e);
		pause_injection();
		if (rc != GR_OK) {
			error_said("cxx_choose", rc, &e);
		} else {
			ck_assert_msg(!ch.cxx && ch.why && strstr(ch.why, "set CXX for the target"),
			              "cxx_choose: CC with no C++ driver: got %s (%s)", ch.cxx ? ch.cxx : "none",
			              ch.why ? ch.why : "no reason");
			gr_cxx_choice_deinit(&ch);
		}
	}
	resume_injection();
	return rc != GR_OK;
}

/* ---- the operations on text and argv (no fixture) ---------------------- */

/* While the references are taken (no failures), the ops record what they
 * got; afterwards they compare with it. */
static bool recording;

static void
result_is(const char *name, struct sbuf *ref)
{
	if (recording)
		*ref = got;
	else
		same_as(name, ref);
}

static struct sbuf ref_ldscript, ref_ldmsg, ref_goflags, ref_pc_split, ref_check_elf, ref_extld_rw,
	ref_darwin_rw, ref_ldscache;

/* gr_ldsearch's per-run cache (issue 15): the elsewhere walk below the fixture
 * directory, asked twice (the second from the walk kept), and realpath
 * answers, each asked twice (the second from memory). */
static int
op_ldscache(void)
{
	const char *dirs[] = { fixdir };
	const char *names[] = { "t-1", "cxt", "t", "", "absent" };
	char *found[5] = { NULL };
	char paths[4][300];
	struct gr_ldsearch_cache *c = gr_ldsearch_cache_new();
	struct gr_ldsearch s;
	struct gr_error e;
	int rc = GR_OK, round;
	size_t i;

	snprintf(paths[0], sizeof(paths[0]), "%s/libt.a", libdir);
	snprintf(paths[1], sizeof(paths[1]), "%s/lib/../cxxlib/libcxt.a", fixdir);
	snprintf(paths[2], sizeof(paths[2]), "%s/nodir/libt.a", fixdir);
	snprintf(paths[3], sizeof(paths[3]), "%s//lib/./libt-1.a", fixdir);
	memset(&e, 0, sizeof(e));
	if (!c) {
		pause_injection();
		resume_injection();
		return 1;
	}
	if ((rc = gr_ldsearch_init(&s, dirs, 1, NULL, 0, NULL, NULL, false, c, &e)) != GR_OK) {
		pause_injection();
		error_said("ldscache", rc, &e);
		gr_ldsearch_cache_free(c);
		resume_injection();
		return 1;
	}
	got.n = 0;
	for (round = 0; round < 2 && rc == GR_OK; round++) {
		rc = gr_ldsearch_elsewhere(&s, names, 5, 3, 4000, found);
		pause_injection();
		for (i = 0; i < 5; i++) {
			if (rc == GR_OK)
				sb_add(&got, "elsewhere %s %s\n", names[i], SB_STR(found[i]));
			free(found[i]);
			found[i] = NULL;
		}
		resume_injection();
		for (i = 0; i < 4 && rc == GR_OK; i++) {
			char *r;
			errno = 0;
			r = gr_ldsearch_cache_realpath(c, paths[i]);
			if (!r && errno == ENOMEM)
				rc = GR_ENOMEM;
			pause_injection();
			if (rc == GR_OK)
				sb_add(&got, "realpath %s %s\n", paths[i], SB_STR(r));
			free(r);
			resume_injection();
		}
	}
	pause_injection();
	if (rc == GR_OK)
		result_is("ldscache", &ref_ldscache);
	gr_ldsearch_deinit(&s);
	gr_ldsearch_cache_free(c);
	resume_injection();
	return rc != GR_OK;
}

static int
op_ldscript(void)
{
	static const char text[] = "/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\n"
	                           "GROUP ( /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/libc_nonshared.a "
	                           "AS_NEEDED ( /lib64/ld-linux-x86-64.so.2 ) )\nINPUT(-lfoo libbar.a)\n";
	struct gr_ldscript *s = NULL;
	struct gr_error e;
	size_t i;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = gr_ldscript_parse(text, sizeof(text) - 1, "libc.so", &s, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("ldscript", rc, &e);
	} else {
		got.n = 0;
		sb_add(&got, "formats %zu groups %d\n", s->noutput_format, s->ngroups);
		for (i = 0; i < s->noutput_format; i++)
			sb_add(&got, "format %s\n", SB_STR(s->output_format[i]));
		for (i = 0; i < s->ninputs; i++)
			sb_add(&got, "input %s lib %d as_needed %d group %d\n", SB_STR(s->inputs[i].name),
			       s->inputs[i].is_lib, s->inputs[i].as_needed, s->inputs[i].group);
		for (i = 0; i < s->nsearch_dirs; i++)
			sb_add(&got, "search %s\n", SB_STR(s->search_dirs[i]));
		result_is("ldscript", &ref_ldscript);
	}
	gr_ldscript_free(s);
	resume_injection();
	return rc != GR_OK;
}

static int
op_ldmsg(void)
{
	static const char text[] =
		"/usr/bin/ld: /usr/lib/x86_64-linux-gnu/libsqlite3.a(sqlite3.o): in function `sqlite3Fts5Init':\n"
		"(.text+0x1234): undefined reference to `pow'\n"
		"/usr/bin/ld: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries\n"
		"ld.lld: error: undefined symbol: deflate\n>>> referenced by zip.c:10\n>>>               zip.o:(zipit) in archive libz2.a\n"
		"/usr/bin/ld: cannot find -lsystemd: No such file or directory\n"
		"/usr/bin/ld: m.o: undefined reference to symbol 'omp_get_thread_num@@OMP_1.0'\n"
		"/usr/bin/ld: /lib/x86_64-linux-gnu/libgomp.so.1: error adding symbols: DSO missing from command line\n";
	struct gr_ldmsgs *m = gr_ldmsg_parse(text);
	size_t i;

	pause_injection();
	if (m) {
		got.n = 0;
		for (i = 0; i < m->n; i++)
		{
			sb_add(&got, "kind %d symbol %s referrer %s function %s", (int)m->v[i].kind,
			       SB_STR(m->v[i].symbol), SB_STR(m->v[i].referrer), SB_STR(m->v[i].function));
			if (m->v[i].kind == GR_LDMSG_DSO_MISSING)
				sb_add(&got, " version %s dso %s", SB_STR(m->v[i].version), SB_STR(m->v[i].dso));
			sb_add(&got, "\n");
		}
		result_is("ldmsg", &ref_ldmsg);
	}
	gr_ldmsg_free(m);
	resume_injection();
	return m == NULL;
}

static int
op_goflags(void)
{
	struct gr_strvec v;
	struct gr_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	gr_strvec_init(&v);
	rc = gr_goflags_split("-ldflags='-X main.v=1 -s' -tags \"a,b\" -trimpath", &v, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("goflags", rc, &e);
	} else {
		got.n = 0;
		render_argv(&got, &v);
		result_is("goflags", &ref_goflags);
	}
	gr_strvec_deinit(&v);
	resume_injection();
	return rc != GR_OK;
}

static int
op_pc_split(void)
{
	struct gr_pc_tokens *t = NULL;
	struct gr_error e;
	size_t i;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = gr_pc_split("-L/usr/lib -lfoo '-L/a b' -Wl,--push-state,--as-needed -lm -Wl,--pop-state", "flags", &t, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("pc_split", rc, &e);
	} else {
		got.n = 0;
		for (i = 0; i < t->n; i++)
			sb_add(&got, "%s from %s\n", SB_STR(t->v[i].text), SB_STR(t->v[i].origin));
		result_is("pc_split", &ref_pc_split);
	}
	gr_pc_tokens_free(t);
	resume_injection();
	return rc != GR_OK;
}

static unsigned char *self_buf;
static size_t self_len;

static int
op_check_elf(void)
{
	struct gr_policy pol = { .allow = NULL, .nallow = 0 };
	struct gr_report *r = NULL;
	struct gr_error e;
	unsigned char *copy = __real_malloc(self_len);
	int rc;

	memcpy(copy, self_buf, self_len);  /* libelf may write to it */
	memset(&e, 0, sizeof(e));
	rc = gr_check_buffer("test_nomem", copy, self_len, &pol, &r, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("check_elf", rc, &e);
	} else {
		got.n = 0;
		render_report(&got, r);
		result_is("check_elf", &ref_check_elf);
	}
	gr_report_free(r);
	free(copy);
	resume_injection();
	return rc != GR_OK;
}

static int
op_extld_rewrite(void)
{
	static char a0[] = "-m64", a1[] = "-o", a2[] = "/tmp/x/a.out", a3[] = "-rdynamic",
	            a6[] = "-L/nonexistent", a7[] = "-Wl,-Bdynamic", a8[] = "-O2",
	            a9[] = "-lpthread", a10[] = "-no-pie";
	char *args[] = { a0, a1, a2, a3, goobj, goobj, a6, a7, a8, a9, a10 };
	struct gr_linkstate ls;
	struct gr_toolchain tc;
	struct gr_strvec out;
	struct gr_rw_result *rw = NULL;
	struct gr_error e;
	int rc = GR_ENOMEM;

	memset(&tc, 0, sizeof(tc));
	memset(&e, 0, sizeof(e));
	gr_linkstate_init(&ls);
	gr_strvec_init(&out);
	ls.mode = GR_LINK_THIRD_PARTY;  /* -lpthread stays: no search needed */
	if (gr_strvec_push(&ls.cc, "cc") == GR_OK)
		rc = gr_extld_rewrite(gr_test_env(), &ls, &tc, args, sizeof(args) / sizeof(args[0]), &out, &rw, &e);
	pause_injection();
	if (rc != GR_OK) {
		if (ls.cc.n)  /* not the test's own push that failed */
			error_said("extld_rewrite", rc, &e);
	} else {
		got.n = 0;
		render_argv(&got, &out);
		result_is("extld_rewrite", &ref_extld_rw);
	}
	gr_rw_result_free(rw);
	gr_strvec_deinit(&out);
	gr_linkstate_deinit(&ls);
	resume_injection();
	return rc != GR_OK;
}

static int
op_darwin_rewrite(void)
{
	static const char *const args[] = { "-arch", "arm64", "-Wl,-headerpad,1144", "-o", "/tmp/x/a.out",
	                                     "/tmp/go-link-1/go.o", "-L/nonexistent/lib", "-lSystem", "-lresolv",
	                                     "-framework", "CoreFoundation", "-Wl,-search_dylibs_first" };
	struct gr_rw_opts o;
	struct gr_rw_darwin d = { NULL, NULL };
	struct gr_rw_result *r = NULL;
	struct gr_error e;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&e, 0, sizeof(e));
	o.mode = GR_RW_THIRD_PARTY;
	rc = gr_rewrite_darwin_argv(args, sizeof(args) / sizeof(args[0]), &o, &d, &r, &e);
	pause_injection();
	if (rc != GR_OK) {
		error_said("darwin_rewrite", rc, &e);
	} else {
		got.n = 0;
		render_rw(&got, r);
		result_is("darwin_rewrite", &ref_darwin_rw);
	}
	gr_rw_result_free(r);
	resume_injection();
	return rc != GR_OK;
}

/* Take the references of the operations above: a run without failures. */
static void
record_simple_references(void)
{
	static const op_fn simple[] = { op_ldscript, op_ldmsg, op_goflags, op_pc_split,
	                                op_check_elf, op_extld_rewrite, op_darwin_rewrite, op_ldscache };
	size_t i;

	recording = true;
	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		ck_assert_msg(simple[i]() == 0, "operation %zu fails without injected failures", i);
	recording = false;
	/* The references say what the operations are known to answer. */
	ck_assert_ptr_nonnull(strstr(ref_ldscript.b, "input /lib64/ld-linux-x86-64.so.2 lib 0 as_needed 1 group 1\n"));
	ck_assert_ptr_nonnull(strstr(ref_ldscript.b, "input foo lib 1 as_needed 0 group 0\n"));
	ck_assert_ptr_nonnull(strstr(ref_ldmsg.b, "symbol pow referrer /usr/lib/x86_64-linux-gnu/libsqlite3.a(sqlite3.o) "
	                                          "function sqlite3Fts5Init\n"));
	ck_assert_ptr_nonnull(strstr(ref_ldmsg.b, "symbol -lsystemd "));
	ck_assert_ptr_nonnull(strstr(ref_ldmsg.b, "symbol omp_get_thread_num referrer m.o function (null) version @@OMP_1.0 "
	                                          "dso /lib/x86_64-linux-gnu/libgomp.so.1\n"));
	/* cmd/go's quoting: a quote opens a field only at its start. */
	ck_assert_str_eq(ref_goflags.b, "-ldflags='-X\nmain.v=1\n-s'\n-tags\na,b\n-trimpath\n");
	ck_assert_ptr_nonnull(strstr(ref_pc_split.b, "-L/a b from (null)\n-Wl,--push-state,--as-needed from"));
	ck_assert_ptr_nonnull(strstr(ref_check_elf.b, "report test_nomem "));
	ck_assert_ptr_nonnull(strstr(ref_extld_rw.b, goobj));
	ck_assert_ptr_nonnull(strstr(ref_extld_rw.b, "-lpthread\n"));
	ck_assert_ptr_nonnull(strstr(ref_darwin_rw.b, "arg -lSystem\n"));
	ck_assert_ptr_nonnull(strstr(ref_ldscache.b, "/lib/libt-1.a\n"));
	ck_assert_ptr_nonnull(strstr(ref_ldscache.b, "/cxxlib/libcxt.a\nelsewhere t "));
	ck_assert_ptr_nonnull(strstr(ref_ldscache.b, "elsewhere absent (null)\n"));
	ck_assert_ptr_nonnull(strstr(ref_ldscache.b, "/nodir/libt.a (null)\n"));
}

/* Take every reference from a run without failures. */
static void
make_references(void)
{
	struct gr_toolchain tc;
	struct gr_rw_result *r;
	struct gr_error e;
	bool hit;

	ck_assert_int_eq(gr_toolchain_discover(gr_test_env(), gcc_argv, &tc, &e), GR_OK);
	render_tc(&ref_tc, &tc);
	ck_assert_uint_gt(tc.driver_dirs.n + tc.ld_dirs.n, 0);
	gr_toolchain_deinit(&tc);
	ck_assert_int_eq(rewrite_discovered(&r, &e), GR_OK);
	render_rw(&ref_rw, r);
	/* Every -l became an archive: libt-1.a through the script, libz.a, libm's. */
	ck_assert_uint_eq(r->nmissing, 0);
	ck_assert_ptr_nonnull(strstr(ref_rw.b, "/libt-1.a\n"));
	ck_assert_ptr_nonnull(strstr(ref_rw.b, "/libz.a\n"));
	ck_assert_ptr_null(strstr(ref_rw.b, "arg -l"));
	gr_rw_result_free(r);
	{
		struct gr_strvec out;
		gr_strvec_init(&out);
		ck_assert_int_eq(extld_cxx(&out, &e), GR_OK);
		render_argv(&ref_cxx, &out);
		ck_assert_str_eq(out.v[0], "g++");  /* libcxt.a is C++ */
		ck_assert_ptr_nonnull(strstr(ref_cxx.b, "/libcxt.a\n"));
		gr_strvec_deinit(&out);
	}
	/* Prime the caches for the lookups (a store, then a hit). */
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), gcc_argv, &tc, &hit, &e), GR_OK);
	gr_toolchain_deinit(&tc);
	ck_assert_int_eq(gr_tccache_discover(gr_test_env(), gcc_argv, &tc, &hit, &e), GR_OK);
	ck_assert(hit);
	gr_toolchain_deinit(&tc);
	{
		const char *dirs[] = { libdir };
		struct gr_symindex *ix;
		struct gr_symindex_stats st;
		ck_assert_int_eq(gr_symindex_build(gr_test_env(), dirs, 1, &ix, &st, &e), GR_OK);
		render_ix(&ref_ix, ix, &st);
		gr_symindex_free(ix);
		/* Found once, through the script's -l name. */
		ck_assert_msg(strstr(ref_ix.b, "gr_zeta_fn: ") && strstr(ref_ix.b, "/libt-1.a (-lt)\ngr_absent_fn:\n"),
		              "%s", ref_ix.b);
	}
	{
		const char *dirs[] = { libdir };
		struct gr_diag *d;
		ck_assert_int_eq(gr_diag_run(gr_test_env(), diag_text, dirs, 1, &d, &e), GR_OK);
		render_diag(&ref_diag, d);
		ck_assert_uint_eq(d->ngroups, 2);
		ck_assert_uint_eq(d->groups[0].nsymbols, 2);
		ck_assert_str_eq(d->groups[0].provider->lname, "t");
		ck_assert_str_eq(d->groups[0].pkg, "t");
		ck_assert_ptr_null(d->groups[1].provider);
		ck_assert_uint_eq(d->nfindings, 2);
		/* GNU ld's "DSO missing from command line": named, not grouped. */
		ck_assert_uint_eq(d->ndsos, 1);
		ck_assert_str_eq(d->dsos[0].flag, "-l:libgrdso.so.1");
		ck_assert_str_eq(d->dsos[0].symbols[0], "gr_dso_fn");
		gr_diag_free(d);
	}
	make_macho();
	{
		struct gr_arena a;
		struct gr_image img, *imgs;
		struct gr_report *rep;
		size_t n, i;
		unsigned char *copy = malloc(fat.n);
		gr_arena_init(&a);
		memset(&img, 0, sizeof(img));
		ck_assert_int_eq(gr_macho_read_thin(thin.b, thin.n, "app", &a, &img, &e), GR_OK);
		render_image(&ref_thin, &img);
		ck_assert_uint_eq(img.nneeded, 15);
		ck_assert_uint_eq(img.nrpath, 2);
		ck_assert_str_eq(img.interp, "/usr/lib/dyld");
		ck_assert_int_eq(gr_macho_read_fat(fat.b, fat.n, "app", &a, &imgs, &n, &e), GR_OK);
		ck_assert_uint_eq(n, 2);
		for (i = 0; i < n; i++)
			render_image(&ref_fat, &imgs[i]);
		ck_assert_str_eq(imgs[1].arch, "x86_64");
		gr_arena_deinit(&a);
		memcpy(copy, fat.b, fat.n);
		ck_assert_int_eq(gr_check_buffer("app", copy, fat.n, &(struct gr_policy){ .allow = (const char *const[]){ "libbar.dylib" }, .nallow = 1 },
		                                 &rep, &e), GR_OK);
		render_report(&ref_check, rep);
		ck_assert(!rep->pass);
		ck_assert_uint_eq(rep->nimages, 2);
		/* libfoo, libbaz and the ten libq; libbar allowed */
		ck_assert_uint_eq(rep->images[0].nproblems, 12);
		gr_report_free(rep);
		free(copy);
	}
	record_simple_references();
}

/* gr_dcomp: a program linked with its debug sections uncompressed
 * (dcomp_plain), copied to dcomp_work for each run; the bytes a run without
 * failures wrote (dcomp_ref). A failed run must leave the copy as it was. */
static char dcomp_plain[160], dcomp_work[160];
static unsigned char *dcomp_orig, *dcomp_ref;
static size_t dcomp_orig_len, dcomp_ref_len;

static unsigned char *
read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = __real_malloc(1 << 24);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(b);
	*len = fread(b, 1, 1 << 24, f);
	fclose(f);
	return b;
}

static void
dcomp_fresh_copy(void)
{
	FILE *f = fopen(dcomp_work, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(dcomp_orig, 1, dcomp_orig_len, f), dcomp_orig_len);
	ck_assert_int_eq(fclose(f), 0);
}

static void
make_dcomp(void)
{
	char src[160], flag[] = "-Wl,--compress-debug-sections=none", g[] = "-g";
	char *cc[] = { w_gcc, g, w_o, dcomp_plain, src, flag, NULL };
	struct gr_dcomp_stats st;
	struct gr_error e;

	snprintf(src, sizeof(src), "%s/d.c", fixdir);
	snprintf(dcomp_plain, sizeof(dcomp_plain), "%s/dprog", fixdir);
	snprintf(dcomp_work, sizeof(dcomp_work), "%s/dprog.work", fixdir);
	gr_test_write(src, "#include <stdio.h>\nstruct s { int a, b; };\n"
	                   "int main(void) { struct s x = { 1, 2 }; printf(\"%d\\n\", x.a + x.b); return 0; }\n");
	run_ok(cc);
	dcomp_orig = read_whole(dcomp_plain, &dcomp_orig_len);
	dcomp_fresh_copy();
	ck_assert_int_eq(gr_dcomp_elf(dcomp_work, 1, &st, NULL, &e), GR_OK);
	ck_assert_uint_gt(st.compressed, 0);
	dcomp_ref = read_whole(dcomp_work, &dcomp_ref_len);
}

static int
op_dcomp(void)
{
	struct gr_dcomp_stats st;
	struct gr_error e;
	bool wrote = true;
	unsigned char *b;
	size_t len;
	int rc;

	pause_injection();
	dcomp_fresh_copy();
	resume_injection();
	rc = gr_dcomp_elf(dcomp_work, 1, &st, &wrote, &e);
	pause_injection();
	b = read_whole(dcomp_work, &len);
	if (rc != GR_OK) {
		error_said("dcomp", rc, &e);
		ck_assert_msg(!wrote && len == dcomp_orig_len && !memcmp(b, dcomp_orig, len),
		              "dcomp: a failed run changed the file");
	} else {
		ck_assert_msg(len == dcomp_ref_len && !memcmp(b, dcomp_ref, len), "dcomp: other bytes than the reference");
	}
	free(b);
	resume_injection();
	return rc != GR_OK;
}

START_TEST(test_every_allocation_fails_once)
{
	static const struct { const char *name; op_fn op; } ops[] = {
		{ "ldscript", op_ldscript }, { "ldmsg", op_ldmsg }, { "goflags", op_goflags },
		{ "pc_split", op_pc_split }, { "check_elf", op_check_elf }, { "extld_rewrite", op_extld_rewrite },
		{ "darwin_rewrite", op_darwin_rewrite }, { "rewrite", op_rewrite },
		{ "tccache_store", op_tccache_store }, { "tccache_lookup", op_tccache_lookup },
		{ "symindex_store", op_symindex_store }, { "symindex_lookup", op_symindex_lookup },
		{ "diag", op_diag }, { "macho_thin", op_macho_thin }, { "macho_fat", op_macho_fat },
		{ "check_macho", op_check_macho }, { "extld_cxx", op_extld_cxx },
		{ "cxx_choose", op_cxx_choose }, { "ldscache", op_ldscache }, { "dcomp", op_dcomp },
	};
	FILE *f = fopen("/proc/self/exe", "rb");
	size_t i;
	long total = 0;

	ck_assert_ptr_nonnull(f);
	self_buf = __real_malloc(1 << 24);
	self_len = fread(self_buf, 1, 1 << 24, f);
	fclose(f);
	ck_assert_uint_gt(self_len, 64);
	make_fixtures();
	make_references();
	make_dcomp();
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		long n = every_failure(ops[i].name, ops[i].op);
		ck_assert_msg(n > 0, "%s: makes no allocation the wrap sees", ops[i].name);
		/* The last run was the complete one: the lookups were answered from the cache. */
		if (ops[i].op == op_tccache_lookup)
			ck_assert_msg(last_hit, "tccache_lookup: the complete run missed the cache");
		if (ops[i].op == op_symindex_lookup)
			ck_assert_msg(last_cached == 1, "symindex_lookup: the complete run read the armap again");
		fprintf(stderr, "test_nomem: %-15s %ld allocations, each made to fail once\n", ops[i].name, n);
		total += n;
	}
	fprintf(stderr, "test_nomem: %ld runs with one allocation failing, %zu complete ones\n", total,
	        sizeof(ops) / sizeof(ops[0]));
	free(self_buf);
	free(dcomp_orig);
	free(dcomp_ref);
	ck_assert_int_eq(gr_test_rmtree(fixdir), 0);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_every_allocation_fails_once,
	};

	return gr_test_run(gr_test_suite("nomem", "core", tests, sizeof(tests) / sizeof(tests[0]), 300), false);
}
