/* Unit tests for gr_ldmsg_parse: what GNU ld, gold, lld, mold and ld64 say
 * when a link fails or warns, read into undefined-symbol, glibc static-link
 * warning and "cannot find" records.
 *
 * The named samples below (gnu_*, gold_*, lld_*, ld64_lld, mold_*) are a
 * linker's real output, copied verbatim (the long libsqlite3.a path is
 * spelled with the SQ/MSQ macros, and go's long gcc command line is split
 * into adjacent string literals), produced on
 * Debian 12 (x86-64) with binutils 2.40 (ld.bfd, ld.gold), lld 14.0.6
 * (ld.lld-14 as ld.lld, ld64.lld-14), mold 1.10.1, gcc 12.2, clang 14 and
 * Go 1.26, from these inputs:
 *   a.c      int use_deflate(z_stream *s) { return deflate(s, Z_FINISH); }
 *            void *use_dlopen(const char *p) { return dlopen(p, RTLD_NOW); }
 *            int main(void) { use_deflate(0); use_dlopen("x"); return 0; }
 *            a.o built with -g, a_nog.o without; linked `gcc -static a.o`
 *            (-fuse-ld=bfd / gold / lld -B<dir with ld.lld> / mold)
 *   s.c      sqlite3_open + sqlite3_exec; `gcc -static s.o -lsqlite3`
 *            against Debian's libsqlite3.a (which needs -lm and dlopen)
 *   m.c      double lib_hypot(...) calling sqrt and log, -g, in libmini.a;
 *            `gcc -static mm.o -L. -lmini` (mm.o calls lib_hypot), and
 *            `clang-14 -fuse-ld=lld` for lld's "in archive" form
 *   many.c   f() calling log 8 times: in libmany.a (no -g, linked with
 *            --whole-archive) for GNU ld's "more undefined references",
 *            and as manyg.o (-g) for lld's and mold's "referenced N more times"
 *   zdemo    a Go module whose cgo preamble calls deflateInit/deflate and
 *            that imports net and os/user, built with
 *            `go build -ldflags '-linkmode=external -extldflags "-static
 *            [-fuse-ld=X]"'`: go's own lines, the gcc command line, then
 *            the linker's messages
 *   macz.c   calls deflate and log; clang-14 -target arm64-apple-macos11,
 *            linked with ld64.lld-14 (which prints lld's format, not
 *            Apple's)
 * The Apple ld64 blocks (ld64_*) are quoted from public bug reports, named
 * at each, except ld64_hand, written by hand in Apple's format. The short
 * inline texts in the noise and odd-input tests are single real lines from
 * the same runs, or made up where the test says so. The committed test holds
 * only the texts; nothing is linked at test time.
 *
 * Every input is parsed from a heap copy of exactly strlen + 1 bytes that is
 * freed before the records are looked at, so that an AddressSanitizer build
 * catches both a read past the end and a record that points into the input.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_diag.h"
#include "gr_ldmsg.h"
#include "gr_spawn.h"
#include "gr_strvec.h"
#include "gr_test.h"

#define SQ "/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libsqlite3.a"
#define MSQ "/usr/lib/x86_64-linux-gnu/libsqlite3.a"

#define U GR_LDMSG_UNDEFINED
#define W GR_LDMSG_STATIC_WARNING
#define NF GR_LDMSG_CANNOT_FIND
#define TR GR_LDMSG_TRACE_REF
#define TD GR_LDMSG_TRACE_DEF

/* One expected record; or_null: a function of NULL is right too (where the
 * linker names a data object, not a function, in that place). */
struct want {
	enum gr_ldmsg_kind kind;
	const char *symbol, *referrer, *function;
	bool or_null;
};

#define R(k, s, r, f) { k, s, r, f, false }
#define RN(k, s, r, f) { k, s, r, f, true }

static const char *
kname(enum gr_ldmsg_kind k)
{
	switch (k) {
	case GR_LDMSG_UNDEFINED: return "UNDEFINED";
	case GR_LDMSG_STATIC_WARNING: return "STATIC_WARNING";
	case GR_LDMSG_CANNOT_FIND: return "CANNOT_FIND";
	case GR_LDMSG_TRACE_REF: return "TRACE_REF";
	case GR_LDMSG_TRACE_DEF: return "TRACE_DEF";
	case GR_LDMSG_DSO_MISSING: return "DSO_MISSING";
	}
	return "?";
}

static bool
same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* "'text'" or NULL, for messages; long strings are cut. */
static void
q(char *buf, size_t n, const char *s)
{
	if (!s)
		snprintf(buf, n, "NULL");
	else if (strlen(s) > 160)
		snprintf(buf, n, "'%.80s...' (%zu bytes)", s, strlen(s));
	else
		snprintf(buf, n, "'%s'", s);
}

/* All records, one a line, for failure messages. */
static char *
dump(const struct gr_ldmsgs *m)
{
	static char out[8192];
	size_t i, w = 0;

	out[0] = '\0';
	for (i = 0; i < m->n && w + 1 < sizeof(out); i++) {
		char s[256], r[256], f[256];
		int k;
		q(s, sizeof(s), m->v[i].symbol);
		q(r, sizeof(r), m->v[i].referrer);
		q(f, sizeof(f), m->v[i].function);
		k = snprintf(out + w, sizeof(out) - w, "    [%zu] %s %s ref %s fn %s\n", i, kname(m->v[i].kind), s, r, f);
		if (k < 0)
			break;
		w += (size_t)k;
	}
	return out;
}

/* Parse text from an exact-size heap copy, freed before returning. */
static struct gr_ldmsgs *
parse(const char *text)
{
	size_t n = strlen(text);
	char *copy = malloc(n + 1);
	struct gr_ldmsgs *m;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, n + 1);
	m = gr_ldmsg_parse(copy);
	memset(copy, 'X', n);  /* a record that points into the input shows */
	free(copy);
	return m;
}

/* The records of text are exactly want[0..nw), in order. */
static void
expect(const char *what, const char *text, const struct want *want, size_t nw)
{
	struct gr_ldmsgs *m = parse(text);
	size_t i;

	ck_assert_msg(m != NULL, "%s: gr_ldmsg_parse returned NULL (documented only for out of memory)", what);
	for (i = 0; i < m->n && i < nw; i++) {
		const struct gr_ldmsg *g = &m->v[i];
		const struct want *w = &want[i];
		char gs[256], gr[256], gf[256], ws[256], wr[256], wf[256];
		q(gs, sizeof(gs), g->symbol);
		q(gr, sizeof(gr), g->referrer);
		q(gf, sizeof(gf), g->function);
		q(ws, sizeof(ws), w->symbol);
		q(wr, sizeof(wr), w->referrer);
		q(wf, sizeof(wf), w->function);
		ck_assert_msg(g->kind == w->kind && same(g->symbol, w->symbol) && same(g->referrer, w->referrer) &&
		              (same(g->function, w->function) || (w->or_null && !g->function)),
		              "%s: record %zu is %s %s ref %s fn %s; want %s %s ref %s fn %s%s%s\n  all %zu records:\n%s",
		              what, i, kname(g->kind), gs, gr, gf, kname(w->kind), ws, wr, wf,
		              w->or_null ? " or NULL" : "", "", m->n, dump(m));
	}
	ck_assert_msg(m->n == nw, "%s: %zu records, want %zu\n  all records:\n%s", what, m->n, nw, dump(m));
	gr_ldmsg_free(m);
}

#define EXPECT(what, text, ...)                                                        \
	do {                                                                           \
		static const struct want w_[] = { __VA_ARGS__ };                        \
		expect(what, text, w_, sizeof(w_) / sizeof(w_[0]));                     \
	} while (0)

/* text yields no record at all. */
static void
expect_none(const char *what, const char *text)
{
	struct gr_ldmsgs *m = parse(text);

	ck_assert_msg(m != NULL, "%s: gr_ldmsg_parse returned NULL", what);
	ck_assert_msg(m->n == 0, "%s: %zu records, want none\n%s", what, m->n, dump(m));
	gr_ldmsg_free(m);
}

/* ------------------------------------------------------------- the samples */

/* GNU ld (gcc -fuse-ld=bfd -static a.o): a.o built with -g. */
static const char gnu_obj_g[] =
	"/usr/bin/ld.bfd: a.o: in function `use_dlopen':\n"
	"/tmp/lds/a.c:4: warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld.bfd: a.o: in function `use_deflate':\n"
	"/tmp/lds/a.c:3: undefined reference to `deflate'\n"
	"collect2: error: ld returned 1 exit status\n";

/* The same without -g: "SOURCE:(.text+0x..)" continuation lines. */
static const char gnu_obj[] =
	"/usr/bin/ld.bfd: a_nog.o: in function `use_dlopen':\n"
	"a.c:(.text+0x38): warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld.bfd: a_nog.o: in function `use_deflate':\n"
	"a.c:(.text+0x19): undefined reference to `deflate'\n"
	"collect2: error: ld returned 1 exit status\n";

/* GNU ld, archive members of Debian's libsqlite3.a (gcc -static s.o -lsqlite3):
 * "ARCHIVE(member): in function `F':" context lines, "(.text+0x..)" and
 * "/usr/bin/ld: (.text+0x..)" continuations, and "ARCHIVE(member):(.data.rel+0x..)"
 * references from data, which have no function. */
static const char gnu_sqlite[] =
	"/usr/bin/ld: " SQ "(os_unix.o): in function `unixDlOpen':\n"
	"(.text+0x969): warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: " SQ "(fts5.o): in function `fts5Bm25Function':\n"
	"(.text+0x1f4c): undefined reference to `log'\n"
	"/usr/bin/ld: " SQ "(func.o): in function `logFunc':\n"
	"(.text+0x1e69): undefined reference to `log'\n"
	"/usr/bin/ld: (.text+0x1ed1): undefined reference to `log'\n"
	"/usr/bin/ld: (.text+0x1f01): undefined reference to `log'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x13b8): undefined reference to `trunc'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1568): undefined reference to `exp'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x15b0): undefined reference to `pow'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x15f8): undefined reference to `pow'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1640): undefined reference to `fmod'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1688): undefined reference to `acos'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x16d0): undefined reference to `asin'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1718): undefined reference to `atan'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1760): undefined reference to `atan2'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x17a8): undefined reference to `cos'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x17f0): undefined reference to `sin'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1838): undefined reference to `tan'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1880): undefined reference to `cosh'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x18c8): undefined reference to `sinh'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1910): undefined reference to `tanh'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1958): undefined reference to `acosh'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x19a0): undefined reference to `asinh'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x19e8): undefined reference to `atanh'\n"
	"/usr/bin/ld: " SQ "(func.o):(.data.rel+0x1a30): undefined reference to `sqrt'\n"
	"collect2: error: ld returned 1 exit status\n";

/* GNU ld, an archive member built with -g: source-line continuations. */
static const char gnu_mini_g[] =
	"/usr/bin/ld: ./libmini.a(m.o): in function `lib_hypot':\n"
	"/tmp/lds/m.c:2: undefined reference to `sqrt'\n"
	"/usr/bin/ld: /tmp/lds/m.c:2: undefined reference to `log'\n"
	"collect2: error: ld returned 1 exit status\n";

/* GNU ld: five references, then "more undefined references ... follow". */
static const char gnu_many[] =
	"/usr/bin/ld: ./libmany.a(many.o): in function `f':\n"
	"many.c:(.text+0x17): undefined reference to `log'\n"
	"/usr/bin/ld: many.c:(.text+0x3c): undefined reference to `log'\n"
	"/usr/bin/ld: many.c:(.text+0x6a): undefined reference to `log'\n"
	"/usr/bin/ld: many.c:(.text+0x94): undefined reference to `log'\n"
	"/usr/bin/ld: many.c:(.text+0xc2): undefined reference to `log'\n"
	"/usr/bin/ld: ./libmany.a(many.o):many.c:(.text+0xec): more undefined references to `log' follow\n"
	"collect2: error: ld returned 1 exit status\n";

/* go build of zdemo, GNU ld: go's lines, gcc's command line, then ld. The
 * Go objects carry DWARF, so ld names .go (and cgo2.c) source lines. */
static const char gnu_go[] =
	"# example.com/zdemo\n"
	"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n"
	"/usr/bin/gcc -m64 -Wl,--build-id=0x09c9df6bacfdbe6131d5d67c0b1a28943eee5469 -o $WORK/b001/exe/a.out "
	"-Wl,--export-dynamic-symbol=_cgo_panic -Wl,--export-dynamic-symbol=_cgo_topofstack "
	"-Wl,--export-dynamic-symbol=crosscall2 -Wl,--compress-debug-sections=zlib "
	"/tmp/go-link-2274280982/go.o /tmp/go-link-2274280982/000000.o /tmp/go-link-2274280982/000001.o "
	"/tmp/go-link-2274280982/000002.o /tmp/go-link-2274280982/000003.o /tmp/go-link-2274280982/000004.o "
	"/tmp/go-link-2274280982/000005.o /tmp/go-link-2274280982/000006.o /tmp/go-link-2274280982/000007.o "
	"/tmp/go-link-2274280982/000008.o /tmp/go-link-2274280982/000009.o /tmp/go-link-2274280982/000010.o "
	"/tmp/go-link-2274280982/000011.o /tmp/go-link-2274280982/000012.o /tmp/go-link-2274280982/000013.o "
	"/tmp/go-link-2274280982/000014.o /tmp/go-link-2274280982/000015.o /tmp/go-link-2274280982/000016.o "
	"/tmp/go-link-2274280982/000017.o /tmp/go-link-2274280982/000018.o /tmp/go-link-2274280982/000019.o "
	"/tmp/go-link-2274280982/000020.o /tmp/go-link-2274280982/000021.o /tmp/go-link-2274280982/000022.o "
	"/tmp/go-link-2274280982/000023.o /tmp/go-link-2274280982/000024.o /tmp/go-link-2274280982/000025.o "
	"-O2 -g -O2 -g -lpthread -O2 -g -lresolv -O2 -g -no-pie -static\n"
	"/usr/bin/ld: /tmp/go-link-2274280982/000025.o: in function `mygetgrouplist':\n"
	"/_/GOROOT/src/os/user/getgrouplist_unix.go:15: warning: Using 'getgrouplist' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /tmp/go-link-2274280982/000024.o: in function `mygetgrgid_r':\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:45: warning: Using 'getgrgid_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /tmp/go-link-2274280982/000024.o: in function `mygetgrnam_r':\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:54: warning: Using 'getgrnam_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /tmp/go-link-2274280982/000024.o: in function `mygetpwnam_r':\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:36: warning: Using 'getpwnam_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /tmp/go-link-2274280982/000024.o: in function `mygetpwuid_r':\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:27: warning: Using 'getpwuid_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /tmp/go-link-2274280982/000021.o: in function `_cgo_77133bf98b3a_C2func_getaddrinfo':\n"
	"/tmp/go-build/cgo_unix_cgo.cgo2.c:60: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: /tmp/go-link-2274280982/000001.o: in function `zver':\n"
	"/tmp/lds/gomod/main.go:5: undefined reference to `deflateInit_'\n"
	"/usr/bin/ld: /tmp/lds/gomod/main.go:5: undefined reference to `deflate'\n"
	"collect2: error: ld returned 1 exit status\n"
	"\n";

/* gold, a_nog.o: "OBJECT:SOURCE:function F: error: ..." */
static const char gold_obj[] =
	"a_nog.o:a.c:function use_deflate: error: undefined reference to 'deflate'\n"
	"a_nog.o:a.c:function use_dlopen: warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"collect2: error: ld returned 1 exit status\n";

/* gold, libsqlite3.a: function references, and references from data
 * ("ARCHIVE(member):DATASYMBOL: error: ..."). */
static const char gold_sqlite[] =
	"" SQ "(os_unix.o):function unixDlOpen: warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"" SQ "(fts5.o):function fts5Bm25Function: error: undefined reference to 'log'\n"
	"" SQ "(func.o):function logFunc: error: undefined reference to 'log'\n"
	"" SQ "(func.o):function logFunc: error: undefined reference to 'log'\n"
	"" SQ "(func.o):function logFunc: error: undefined reference to 'log'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'trunc'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'exp'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'pow'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'pow'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'fmod'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'acos'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'asin'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'atan'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'atan2'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'cos'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'sin'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'tan'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'cosh'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'sinh'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'tanh'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'acosh'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'asinh'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'atanh'\n"
	"" SQ "(func.o):aBuiltinFunc.4: error: undefined reference to 'sqrt'\n"
	"collect2: error: ld returned 1 exit status\n";

/* gold, a.o built with -g: gold names only the source line, no object. */
static const char gold_obj_g[] =
	"/tmp/lds/a.c:3: error: undefined reference to 'deflate'\n"
	"/tmp/lds/a.c:4: warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"collect2: error: ld returned 1 exit status\n";

/* gold, libmini.a's m.o built with -g. */
static const char gold_mini_g[] =
	"/tmp/lds/m.c:2: error: undefined reference to 'sqrt'\n"
	"/tmp/lds/m.c:2: error: undefined reference to 'log'\n"
	"collect2: error: ld returned 1 exit status\n";

/* go build of zdemo with -fuse-ld=gold. */
static const char gold_go[] =
	"# example.com/zdemo\n"
	"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n"
	"/usr/bin/gcc -m64 -Wl,--build-id=0x39d7f7e3071a8c9c0a363736e5eba976ce570568 -o $WORK/b001/exe/a.out "
	"-Wl,--export-dynamic-symbol=_cgo_panic -Wl,--export-dynamic-symbol=_cgo_topofstack "
	"-Wl,--export-dynamic-symbol=crosscall2 -Wl,--compress-debug-sections=zlib "
	"/tmp/go-link-3755453405/go.o /tmp/go-link-3755453405/000000.o /tmp/go-link-3755453405/000001.o "
	"/tmp/go-link-3755453405/000002.o /tmp/go-link-3755453405/000003.o /tmp/go-link-3755453405/000004.o "
	"/tmp/go-link-3755453405/000005.o /tmp/go-link-3755453405/000006.o /tmp/go-link-3755453405/000007.o "
	"/tmp/go-link-3755453405/000008.o /tmp/go-link-3755453405/000009.o /tmp/go-link-3755453405/000010.o "
	"/tmp/go-link-3755453405/000011.o /tmp/go-link-3755453405/000012.o /tmp/go-link-3755453405/000013.o "
	"/tmp/go-link-3755453405/000014.o /tmp/go-link-3755453405/000015.o /tmp/go-link-3755453405/000016.o "
	"/tmp/go-link-3755453405/000017.o /tmp/go-link-3755453405/000018.o /tmp/go-link-3755453405/000019.o "
	"/tmp/go-link-3755453405/000020.o /tmp/go-link-3755453405/000021.o /tmp/go-link-3755453405/000022.o "
	"/tmp/go-link-3755453405/000023.o /tmp/go-link-3755453405/000024.o /tmp/go-link-3755453405/000025.o "
	"-O2 -g -O2 -g -lpthread -O2 -g -lresolv -O2 -g -no-pie -static -fuse-ld=gold\n"
	"/tmp/lds/gomod/main.go:5: error: undefined reference to 'deflateInit_'\n"
	"/tmp/lds/gomod/main.go:5: error: undefined reference to 'deflate'\n"
	"/tmp/go-build/cgo-gcc-prolog:60: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/tmp/go-build/cgo-gcc-prolog:127: warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:45: warning: Using 'getgrgid_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:54: warning: Using 'getgrnam_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:36: warning: Using 'getpwnam_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/_/GOROOT/src/os/user/cgo_lookup_cgo.go:27: warning: Using 'getpwuid_r' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/_/GOROOT/src/os/user/getgrouplist_unix.go:15: warning: Using 'getgrouplist' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"collect2: error: ld returned 1 exit status\n"
	"\n";

/* gold: gcc -fuse-ld=gold mm.o -lfoo -lbar */
static const char gold_notfound[] =
	"/usr/bin/ld.gold: error: cannot find -lfoo\n"
	"/usr/bin/ld.gold: error: cannot find -lbar\n"
	"mm.o:mm.c:function main: error: undefined reference to 'lib_hypot'\n"
	"collect2: error: ld returned 1 exit status\n";

/* lld (gcc -fuse-ld=lld -B<dir>), a.o with -g: source line, then object. */
static const char lld_obj_g[] =
	"ld.lld: error: undefined symbol: deflate\n"
	">>> referenced by a.c:3 (/tmp/lds/a.c:3)\n"
	">>>               a.o:(use_deflate)\n"
	"collect2: error: ld returned 1 exit status\n";

/* lld, a_nog.o. */
static const char lld_obj[] =
	"ld.lld: error: undefined symbol: deflate\n"
	">>> referenced by a.c\n"
	">>>               a_nog.o:(use_deflate)\n"
	"collect2: error: ld returned 1 exit status\n";

/* lld via clang-14 -fuse-ld=lld, an archive member with -g: "in archive". */
static const char lld_archive_g[] =
	"ld.lld: error: undefined symbol: sqrt\n"
	">>> referenced by m.c:2 (/tmp/lds/m.c:2)\n"
	">>>               m.o:(lib_hypot) in archive ./libmini.a\n"
	"\n"
	"ld.lld: error: undefined symbol: log\n"
	">>> referenced by m.c:2 (/tmp/lds/m.c:2)\n"
	">>>               m.o:(lib_hypot) in archive ./libmini.a\n"
	"clang: error: linker command failed with exit code 1 (use -v to see invocation)\n";

/* lld, manyg.o (-g): three references shown, "referenced 5 more times". */
static const char lld_many_g[] =
	"ld.lld: error: undefined symbol: log\n"
	">>> referenced by many.c:2 (/tmp/lds/many.c:2)\n"
	">>>               manyg.o:(f)\n"
	">>> referenced by many.c:2 (/tmp/lds/many.c:2)\n"
	">>>               manyg.o:(f)\n"
	">>> referenced by many.c:2 (/tmp/lds/many.c:2)\n"
	">>>               manyg.o:(f)\n"
	">>> referenced 5 more times\n"
	"collect2: error: ld returned 1 exit status\n";

/* lld, libsqlite3.a (no debug info): one line per reference,
 * "referenced by MEMBER:(FUNCTION) in archive ARCHIVE". */
static const char lld_sqlite[] =
	"ld.lld: error: undefined symbol: log\n"
	">>> referenced by func.o:(logFunc) in archive " SQ "\n"
	">>> referenced by func.o:(logFunc) in archive " SQ "\n"
	">>> referenced by func.o:(logFunc) in archive " SQ "\n"
	">>> referenced 1 more times\n"
	"\n"
	"ld.lld: error: undefined symbol: trunc\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: exp\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: pow\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: fmod\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: acos\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: asin\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: atan\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: atan2\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: cos\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: sin\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: tan\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: cosh\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: sinh\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: tanh\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: acosh\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: asinh\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: atanh\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"\n"
	"ld.lld: error: undefined symbol: sqrt\n"
	">>> referenced by func.o:(aBuiltinFunc.4) in archive " SQ "\n"
	"collect2: error: ld returned 1 exit status\n";

/* go build of zdemo with lld. */
static const char lld_go[] =
	"# example.com/zdemo\n"
	"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n"
	"/usr/bin/gcc -m64 -Wl,--build-id=0x617b80875d63876452eebcb261b0517ff054ddbc -o $WORK/b001/exe/a.out "
	"-Wl,--export-dynamic-symbol=_cgo_panic -Wl,--export-dynamic-symbol=_cgo_topofstack "
	"-Wl,--export-dynamic-symbol=crosscall2 -Wl,--compress-debug-sections=zlib "
	"/tmp/go-link-597860238/go.o /tmp/go-link-597860238/000000.o /tmp/go-link-597860238/000001.o "
	"/tmp/go-link-597860238/000002.o /tmp/go-link-597860238/000003.o /tmp/go-link-597860238/000004.o "
	"/tmp/go-link-597860238/000005.o /tmp/go-link-597860238/000006.o /tmp/go-link-597860238/000007.o "
	"/tmp/go-link-597860238/000008.o /tmp/go-link-597860238/000009.o /tmp/go-link-597860238/000010.o "
	"/tmp/go-link-597860238/000011.o /tmp/go-link-597860238/000012.o /tmp/go-link-597860238/000013.o "
	"/tmp/go-link-597860238/000014.o /tmp/go-link-597860238/000015.o /tmp/go-link-597860238/000016.o "
	"/tmp/go-link-597860238/000017.o /tmp/go-link-597860238/000018.o /tmp/go-link-597860238/000019.o "
	"/tmp/go-link-597860238/000020.o /tmp/go-link-597860238/000021.o /tmp/go-link-597860238/000022.o "
	"/tmp/go-link-597860238/000023.o /tmp/go-link-597860238/000024.o /tmp/go-link-597860238/000025.o -O2 "
	"-g -O2 -g -lpthread -O2 -g -lresolv -O2 -g -no-pie -static -fuse-ld=lld -B/tmp/lds/lldbin\n"
	"ld.lld: error: undefined symbol: deflateInit_\n"
	">>> referenced by main.go:5 (/tmp/lds/gomod/main.go:5)\n"
	">>>               /tmp/go-link-597860238/000001.o:(_cgo_0638e15dd980_Cfunc_zver)\n"
	"\n"
	"ld.lld: error: undefined symbol: deflate\n"
	">>> referenced by main.go:5 (/tmp/lds/gomod/main.go:5)\n"
	">>>               /tmp/go-link-597860238/000001.o:(_cgo_0638e15dd980_Cfunc_zver)\n"
	"collect2: error: ld returned 1 exit status\n"
	"\n";

/* ld64.lld-14 -arch arm64 ... macz.o -lz: lld's format for Mach-O, an
 * object without debug info (one "referenced by OBJECT" line). */
static const char ld64_lld[] =
	"ld64.lld-14: error: library not found for -lz\n"
	"ld64.lld-14: error: undefined symbol: _log\n"
	">>> referenced by macz.o\n"
	"\n"
	"ld64.lld-14: error: undefined symbol: _deflate\n"
	">>> referenced by macz.o\n";

/* mold (gcc -fuse-ld=mold), a.o. */
static const char mold_obj[] =
	"mold: error: undefined symbol: deflate\n"
	">>> referenced by a.c\n"
	">>>               a.o:(use_deflate)\n"
	"collect2: error: ld returned 1 exit status\n";

/* mold, libmini.a(m.o). */
static const char mold_mini[] =
	"mold: error: undefined symbol: sqrt\n"
	">>> referenced by m.c\n"
	">>>               libmini.a(m.o):(lib_hypot)\n"
	"mold: error: undefined symbol: log\n"
	">>> referenced by m.c\n"
	">>>               libmini.a(m.o):(lib_hypot)\n"
	"collect2: error: ld returned 1 exit status\n";

/* mold 1.10.1 with several references to one symbol: it leaves out the newline
 * before the next ">>> referenced by", so an object line carries the next
 * reference's source line (and "referenced 5 more times") after it. */
static const char mold_many[] =
	"mold: error: undefined symbol: log\n"
	">>> referenced by many.c\n"
	">>>               manyg.o:(f)>>> referenced by many.c\n"
	">>>               manyg.o:(f)>>> referenced by many.c\n"
	">>>               manyg.o:(f)>>> referenced 5 more times\n"
	"\n"
	"collect2: error: ld returned 1 exit status\n";

/* mold, libsqlite3.a: references from data name the member without a
 * function; pow's two references share a line (see mold_many). */
static const char mold_sqlite[] =
	"mold: error: undefined symbol: asinh\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: log\n"
	">>> referenced by " MSQ "(fts5.o):(.text)\n"
	">>>               " MSQ "(fts5.o):(fts5Bm25Function)>>> referenced by " MSQ "(func.o):(.text)\n"
	">>>               " MSQ "(func.o):(logFunc)>>> referenced by " MSQ "(func.o):(.text)\n"
	">>>               " MSQ "(func.o):(logFunc)>>> referenced 1 more times\n"
	"\n"
	"mold: error: undefined symbol: sin\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: atanh\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: exp\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: cosh\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: trunc\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: atan\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: tan\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: sinh\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: fmod\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: acos\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: acosh\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: tanh\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: asin\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: sqrt\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: pow\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)>>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: cos\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"mold: error: undefined symbol: atan2\n"
	">>> referenced by " MSQ "(func.o):(.data.rel)\n"
	">>>               " MSQ "(func.o)\n"
	"collect2: error: ld returned 1 exit status\n";

/* go build of zdemo with mold. */
static const char mold_go[] =
	"# example.com/zdemo\n"
	"/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n"
	"/usr/bin/gcc -m64 -Wl,--build-id=0xf048372446f06f5a146565c2466bd33d8c6977cb -o $WORK/b001/exe/a.out "
	"-Wl,--export-dynamic-symbol=_cgo_panic -Wl,--export-dynamic-symbol=_cgo_topofstack "
	"-Wl,--export-dynamic-symbol=crosscall2 -Wl,--compress-debug-sections=zlib "
	"/tmp/go-link-2187917330/go.o /tmp/go-link-2187917330/000000.o /tmp/go-link-2187917330/000001.o "
	"/tmp/go-link-2187917330/000002.o /tmp/go-link-2187917330/000003.o /tmp/go-link-2187917330/000004.o "
	"/tmp/go-link-2187917330/000005.o /tmp/go-link-2187917330/000006.o /tmp/go-link-2187917330/000007.o "
	"/tmp/go-link-2187917330/000008.o /tmp/go-link-2187917330/000009.o /tmp/go-link-2187917330/000010.o "
	"/tmp/go-link-2187917330/000011.o /tmp/go-link-2187917330/000012.o /tmp/go-link-2187917330/000013.o "
	"/tmp/go-link-2187917330/000014.o /tmp/go-link-2187917330/000015.o /tmp/go-link-2187917330/000016.o "
	"/tmp/go-link-2187917330/000017.o /tmp/go-link-2187917330/000018.o /tmp/go-link-2187917330/000019.o "
	"/tmp/go-link-2187917330/000020.o /tmp/go-link-2187917330/000021.o /tmp/go-link-2187917330/000022.o "
	"/tmp/go-link-2187917330/000023.o /tmp/go-link-2187917330/000024.o /tmp/go-link-2187917330/000025.o "
	"-O2 -g -O2 -g -lpthread -O2 -g -lresolv -O2 -g -no-pie -static -fuse-ld=mold\n"
	"mold: error: undefined symbol: deflateInit_\n"
	">>> referenced by main.cgo2.c\n"
	">>>               /tmp/go-link-2187917330/000001.o:(_cgo_0638e15dd980_Cfunc_zver)\n"
	"mold: error: undefined symbol: deflate\n"
	">>> referenced by main.cgo2.c\n"
	">>>               /tmp/go-link-2187917330/000001.o:(_cgo_0638e15dd980_Cfunc_zver)\n"
	"collect2: error: ld returned 1 exit status\n"
	"\n";

/* cannot find: GNU ld 2.40 (-fuse-ld=bfd mm.o -lfoo -lbar), GNU ld with -static,
 * and with an incompatible archive in the way. */
static const char gnu_notfound[] =
	"/usr/bin/ld.bfd: cannot find -lfoo: No such file or directory\n"
	"/usr/bin/ld.bfd: cannot find -lbar: No such file or directory\n"
	"collect2: error: ld returned 1 exit status\n";
static const char gnu_notfound_static[] =
	"/usr/bin/ld: cannot find -lfoo: No such file or directory\n"
	"collect2: error: ld returned 1 exit status\n";
static const char gnu_notfound_incompatible[] =
	"/usr/bin/ld: skipping incompatible inc/libfoo.a when searching for -lfoo\n"
	"/usr/bin/ld: cannot find -lfoo: No such file or directory\n"
	"collect2: error: ld returned 1 exit status\n";

/* GNU ld: -l:NAME (gcc mm.o -l:libbar.a -lfoo). */
static const char gnu_notfound_colon[] =
	"/usr/bin/ld: cannot find -l:libbar.a: No such file or directory\n"
	"/usr/bin/ld: cannot find -lfoo: No such file or directory\n"
	"collect2: error: ld returned 1 exit status\n";

/* lld and mold spell "cannot find" their own way. */
static const char lld_notfound[] =
	"ld.lld: error: unable to find library -lfoo\n"
	"ld.lld: error: unable to find library -l:libbar.a\n"
	"collect2: error: ld returned 1 exit status\n";
static const char mold_notfound[] =
	"mold: fatal: library not found: foo\n"
	"collect2: error: ld returned 1 exit status\n";

/* Apple ld64 (classic), quoted from public reports:
 * lukeroth/gdal#75 (a cgo package, with "(maybe you meant: ...)" lines), */
static const char ld64_gdal[] =
	"# github.com/lukeroth/gdal\n"
	"Undefined symbols for architecture arm64:\n"
	"  \"_CPLGetConfigOption\", referenced from:\n"
	"      __cgo_20816c41b399_Cfunc_CPLGetConfigOption in _x003.o\n"
	"     (maybe you meant: __cgo_20816c41b399_Cfunc_CPLGetConfigOption)\n"
	"  \"_CPLSetConfigOption\", referenced from:\n"
	"      __cgo_20816c41b399_Cfunc_CPLSetConfigOption in _x003.o\n"
	"     (maybe you meant: __cgo_20816c41b399_Cfunc_CPLSetConfigOption)\n"
	"ld: symbol(s) not found for architecture arm64\n"
	"clang: error: linker command failed with exit code 1 (use -v to see invocation)\n";

/* partout-io/tunnelkit#270 (archive members: "libwg-go.a(000006.o)"), */
static const char ld64_tunnelkit[] =
	"Undefined symbols for architecture arm64:\n"
	"  \"_darwin_arm_init_mach_exception_handler\", referenced from:\n"
	"      _x_cgo_init in libwg-go.a(000006.o)\n"
	"  \"_darwin_arm_init_thread_exception_port\", referenced from:\n"
	"      _threadentry in libwg-go.a(000006.o)\n"
	"      _x_cgo_init in libwg-go.a(000006.o)\n"
	"ld: symbol(s) not found for architecture arm64\n"
	"clang: error: linker command failed with exit code 1 (use -v to see invocation)\n";

/* WowWeeLabs/MiP-iOS-SDK#16 (Objective-C names with a space, data references), */
static const char ld64_objc[] =
	"Undefined symbols for architecture x86_64:\n"
	"  \"_OBJC_CLASS_$_MipRobotSound\", referenced from:\n"
	"      objc-class-ref in ViewController.o\n"
	"  \"_MipRobotFinderNotificationID\", referenced from:\n"
	"      -[ViewController addNotificationObservers] in ViewController.o\n"
	"      -[ViewController removeNotificationObservers] in ViewController.o\n"
	"ld: symbol(s) not found for architecture x86_64\n"
	"clang: error: linker command failed with exit code 1 (use -v to see invocation)\n";

/* golang/go#63126 (C++ names, and "..." where ld64 stops listing references;
 * the report's excerpt starts inside the block, below its header). */
#define LD64_CXX_BODY                                                                       \
	"  \"___cxa_end_catch\", referenced from:\n"                                            \
	"      _faiss_get_last_error in libfaiss_c.a(error_impl.cpp.o)\n"                        \
	"      std::exception_ptr std::make_exception_ptr[abi:v15006]<std::runtime_error>"       \
	"(std::runtime_error) in libfaiss_c.a(Clustering_c.cpp.o)\n"                             \
	"      ...\n"                                                                             \
	"ld: symbol(s) not found for architecture arm64\n"

/* Apple's format written by hand for the a.c/zlib case (no macOS here to run it). */
static const char ld64_hand[] =
	"ld: warning: directory not found for option '-L/opt/homebrew/opt/zlib/lib'\n"
	"Undefined symbols for architecture arm64:\n"
	"  \"_deflate\", referenced from:\n"
	"      _use_deflate in a.o\n"
	"      _use_deflate in libzuser.a(z.o)\n"
	"  \"_dlopen\", referenced from:\n"
	"      _use_dlopen in a.o\n"
	"ld: symbol(s) not found for architecture arm64\n";

/* ------------------------------------------------------------- GNU ld */

START_TEST(test_gnu_ld_object)
{
	EXPECT("GNU ld, a.o (-g)", gnu_obj_g,
	       R(W, "dlopen", "a.o", "use_dlopen"),
	       R(U, "deflate", "a.o", "use_deflate"));
	EXPECT("GNU ld, a_nog.o", gnu_obj,
	       R(W, "dlopen", "a_nog.o", "use_dlopen"),
	       R(U, "deflate", "a_nog.o", "use_deflate"));
}
END_TEST

#define MATH_DATA(ref, fn)                                                                   \
	R(U, "trunc", ref, fn), R(U, "exp", ref, fn), R(U, "pow", ref, fn), R(U, "pow", ref, fn), \
	R(U, "fmod", ref, fn), R(U, "acos", ref, fn), R(U, "asin", ref, fn), R(U, "atan", ref, fn), \
	R(U, "atan2", ref, fn), R(U, "cos", ref, fn), R(U, "sin", ref, fn), R(U, "tan", ref, fn),  \
	R(U, "cosh", ref, fn), R(U, "sinh", ref, fn), R(U, "tanh", ref, fn), R(U, "acosh", ref, fn), \
	R(U, "asinh", ref, fn), R(U, "atanh", ref, fn), R(U, "sqrt", ref, fn)

START_TEST(test_gnu_ld_archive_members)
{
	EXPECT("GNU ld, libsqlite3.a", gnu_sqlite,
	       R(W, "dlopen", SQ "(os_unix.o)", "unixDlOpen"),
	       R(U, "log", SQ "(fts5.o)", "fts5Bm25Function"),
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       R(U, "log", SQ "(func.o)", "logFunc"),  /* /usr/bin/ld: (.text+0x1ed1): ... */
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       /* ARCHIVE(member):(.data.rel+0x13b8): undefined reference to `trunc' */
	       MATH_DATA(SQ "(func.o)", NULL));
}
END_TEST

START_TEST(test_gnu_ld_source_lines_and_more)
{
	EXPECT("GNU ld, libmini.a(m.o) with -g", gnu_mini_g,
	       R(U, "sqrt", "./libmini.a(m.o)", "lib_hypot"),
	       R(U, "log", "./libmini.a(m.o)", "lib_hypot"));
	/* "more undefined references to `log' follow" adds no record. */
	EXPECT("GNU ld, libmany.a", gnu_many,
	       R(U, "log", "./libmany.a(many.o)", "f"),
	       R(U, "log", "./libmany.a(many.o)", "f"),
	       R(U, "log", "./libmany.a(many.o)", "f"),
	       R(U, "log", "./libmany.a(many.o)", "f"),
	       R(U, "log", "./libmany.a(many.o)", "f"));
}
END_TEST

/* A Go build. A .go source line stands in for the referrer (gr_diag names the
 * Go package from its path); a .c line leaves the context line's object. */
#define GOLINK "/tmp/go-link-2274280982/"
#define USERSRC "/_/GOROOT/src/os/user/"
#define ZDEMO "/tmp/lds/gomod/main.go"

static const struct want gnu_go_want[] = {
	R(W, "getgrouplist", USERSRC "getgrouplist_unix.go", "mygetgrouplist"),
	R(W, "getgrgid_r", USERSRC "cgo_lookup_cgo.go", "mygetgrgid_r"),
	R(W, "getgrnam_r", USERSRC "cgo_lookup_cgo.go", "mygetgrnam_r"),
	R(W, "getpwnam_r", USERSRC "cgo_lookup_cgo.go", "mygetpwnam_r"),
	R(W, "getpwuid_r", USERSRC "cgo_lookup_cgo.go", "mygetpwuid_r"),
	R(W, "getaddrinfo", GOLINK "000021.o", "_cgo_77133bf98b3a_C2func_getaddrinfo"),
	R(U, "deflateInit_", ZDEMO, "zver"),
	R(U, "deflate", ZDEMO, "zver"),
};

/* Kinds, symbols and referrers (and the .c line's function); the functions
 * of the .go lines are test_gnu_ld_go_function's. */
START_TEST(test_gnu_ld_go)
{
	size_t nw = sizeof(gnu_go_want) / sizeof(gnu_go_want[0]), i;
	struct gr_ldmsgs *m = parse(gnu_go);

	ck_assert_msg(m != NULL, "GNU ld, Go: gr_ldmsg_parse returned NULL");
	ck_assert_msg(m->n == nw, "GNU ld, Go: %zu records, want %zu\n%s", m->n, nw, dump(m));
	for (i = 0; i < nw; i++) {
		const struct want *w = &gnu_go_want[i];
		ck_assert_msg(m->v[i].kind == w->kind && same(m->v[i].symbol, w->symbol) &&
		              same(m->v[i].referrer, w->referrer),
		              "GNU ld, Go: record %zu: want %s '%s' ref '%s'\n%s", i, kname(w->kind), w->symbol,
		              w->referrer, dump(m));
	}
	ck_assert_pstr_eq(m->v[5].function, gnu_go_want[5].function);
	gr_ldmsg_free(m);
}
END_TEST

/* GNU ld says which function each .go line is in ("000025.o: in function
 * `mygetgrouplist':"); the record keeps it. */
START_TEST(test_gnu_ld_go_function)
{
	expect("GNU ld, Go (functions)", gnu_go, gnu_go_want, sizeof(gnu_go_want) / sizeof(gnu_go_want[0]));
}
END_TEST

/* ------------------------------------------------------------- gold */

START_TEST(test_gold_object)
{
	EXPECT("gold, a_nog.o", gold_obj,
	       R(U, "deflate", "a_nog.o", "use_deflate"),
	       R(W, "dlopen", "a_nog.o", "use_dlopen"));
	EXPECT("gold, -lfoo -lbar", gold_notfound,
	       R(NF, "-lfoo", NULL, NULL),
	       R(NF, "-lbar", NULL, NULL),
	       R(U, "lib_hypot", "mm.o", "main"));
}
END_TEST

/* gold's references from data, "ARCHIVE(member):aBuiltinFunc.4: error:
 * undefined reference to 'trunc'": the name after the member is the data
 * object that holds the reference (lld prints "func.o:(aBuiltinFunc.4)");
 * NULL, as GNU ld gives for "(.data.rel+0x..)", is right too. */
START_TEST(test_gold_data_references)
{
#define GD(s) RN(U, s, SQ "(func.o)", "aBuiltinFunc.4")
	EXPECT("gold, libsqlite3.a", gold_sqlite,
	       R(W, "dlopen", SQ "(os_unix.o)", "unixDlOpen"),
	       R(U, "log", SQ "(fts5.o)", "fts5Bm25Function"),
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       GD("trunc"), GD("exp"), GD("pow"), GD("pow"), GD("fmod"), GD("acos"), GD("asin"),
	       GD("atan"), GD("atan2"), GD("cos"), GD("sin"), GD("tan"), GD("cosh"), GD("sinh"),
	       GD("tanh"), GD("acosh"), GD("asinh"), GD("atanh"), GD("sqrt"));
#undef GD
}
END_TEST

/* With debug info gold names only "SOURCE:LINE: error: undefined reference
 * to 'S'": no object, no function. The symbol is still undefined (and a .go
 * source stands in for the referrer, as with GNU ld). cgo's generated C
 * prolog is named "cgo-gcc-prolog", which is what gold says. */
START_TEST(test_gold_source_lines)
{
	EXPECT("gold, a.o (-g)", gold_obj_g,
	       R(U, "deflate", NULL, NULL),
	       R(W, "dlopen", NULL, NULL));
	EXPECT("gold, libmini.a(m.o) with -g", gold_mini_g,
	       R(U, "sqrt", NULL, NULL),
	       R(U, "log", NULL, NULL));
	EXPECT("gold, Go", gold_go,
	       R(U, "deflateInit_", ZDEMO, NULL),
	       R(U, "deflate", ZDEMO, NULL),
	       R(W, "getaddrinfo", "/tmp/go-build/cgo-gcc-prolog", NULL),
	       R(W, "getaddrinfo", "/tmp/go-build/cgo-gcc-prolog", NULL),
	       R(W, "getgrgid_r", USERSRC "cgo_lookup_cgo.go", NULL),
	       R(W, "getgrnam_r", USERSRC "cgo_lookup_cgo.go", NULL),
	       R(W, "getpwnam_r", USERSRC "cgo_lookup_cgo.go", NULL),
	       R(W, "getpwuid_r", USERSRC "cgo_lookup_cgo.go", NULL),
	       R(W, "getgrouplist", USERSRC "getgrouplist_unix.go", NULL));
}
END_TEST

/* ------------------------------------------------------------- lld */

START_TEST(test_lld_two_line_references)
{
	EXPECT("lld, a.o (-g)", lld_obj_g, R(U, "deflate", "a.o", "use_deflate"));
	EXPECT("lld, a_nog.o", lld_obj, R(U, "deflate", "a_nog.o", "use_deflate"));
	EXPECT("lld (clang), libmini.a(m.o) with -g", lld_archive_g,
	       R(U, "sqrt", "./libmini.a(m.o)", "lib_hypot"),
	       R(U, "log", "./libmini.a(m.o)", "lib_hypot"));
	EXPECT("lld, Go", lld_go,
	       R(U, "deflateInit_", "/tmp/go-link-597860238/000001.o", "_cgo_0638e15dd980_Cfunc_zver"),
	       R(U, "deflate", "/tmp/go-link-597860238/000001.o", "_cgo_0638e15dd980_Cfunc_zver"));
}
END_TEST

/* ">>> referenced 5 more times" is a count, not a referrer. */
START_TEST(test_lld_more_times)
{
	EXPECT("lld, manyg.o", lld_many_g,
	       R(U, "log", "manyg.o", "f"),
	       R(U, "log", "manyg.o", "f"),
	       R(U, "log", "manyg.o", "f"));
}
END_TEST

/* Without debug info lld prints one line per reference:
 * ">>> referenced by func.o:(logFunc) in archive ARCHIVE". */
START_TEST(test_lld_archive_members)
{
	EXPECT("lld, libsqlite3.a", lld_sqlite,
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       R(U, "log", SQ "(func.o)", "logFunc"),
	       MATH_DATA(SQ "(func.o)", "aBuiltinFunc.4"));
}
END_TEST

/* The same one-line form for an object (ld64.lld: ">>> referenced by macz.o").
 * The sample starts with "library not found for -lz", which is a record too
 * (test_cannot_find_lld_mold_ld64 expects it from the same text). */
START_TEST(test_lld_one_line_object)
{
	EXPECT("ld64.lld", ld64_lld,
	       R(NF, "-lz", NULL, NULL),
	       R(U, "_log", "macz.o", NULL),
	       R(U, "_deflate", "macz.o", NULL));
}
END_TEST

/* ------------------------------------------------------------- mold */

START_TEST(test_mold)
{
	EXPECT("mold, a.o", mold_obj, R(U, "deflate", "a.o", "use_deflate"));
	EXPECT("mold, libmini.a(m.o)", mold_mini,
	       R(U, "sqrt", "libmini.a(m.o)", "lib_hypot"),
	       R(U, "log", "libmini.a(m.o)", "lib_hypot"));
	EXPECT("mold, manyg.o (joined lines)", mold_many,
	       R(U, "log", "manyg.o", "f"),
	       R(U, "log", "manyg.o", "f"),
	       R(U, "log", "manyg.o", "f"));
	EXPECT("mold, Go", mold_go,
	       R(U, "deflateInit_", "/tmp/go-link-2187917330/000001.o", "_cgo_0638e15dd980_Cfunc_zver"),
	       R(U, "deflate", "/tmp/go-link-2187917330/000001.o", "_cgo_0638e15dd980_Cfunc_zver"));
}
END_TEST

/* A data reference's object line ("ARCHIVE(member)", no ":(function)") followed,
 * on the same line, by the next ">>> referenced by ...:(.data.rel)": the
 * referrer is the member, and there is no function. */
START_TEST(test_mold_archive_members)
{
	static const struct want w[] = {
		R(U, "asinh", MSQ "(func.o)", NULL),
		R(U, "log", MSQ "(fts5.o)", "fts5Bm25Function"),
		R(U, "log", MSQ "(func.o)", "logFunc"),
		R(U, "log", MSQ "(func.o)", "logFunc"),
		R(U, "sin", MSQ "(func.o)", NULL),
		R(U, "atanh", MSQ "(func.o)", NULL),
		R(U, "exp", MSQ "(func.o)", NULL),
		R(U, "cosh", MSQ "(func.o)", NULL),
		R(U, "trunc", MSQ "(func.o)", NULL),
		R(U, "atan", MSQ "(func.o)", NULL),
		R(U, "tan", MSQ "(func.o)", NULL),
		R(U, "sinh", MSQ "(func.o)", NULL),
		R(U, "fmod", MSQ "(func.o)", NULL),
		R(U, "acos", MSQ "(func.o)", NULL),
		R(U, "acosh", MSQ "(func.o)", NULL),
		R(U, "tanh", MSQ "(func.o)", NULL),
		R(U, "asin", MSQ "(func.o)", NULL),
		R(U, "sqrt", MSQ "(func.o)", NULL),
		R(U, "pow", MSQ "(func.o)", NULL),  /* the joined line */
		R(U, "pow", MSQ "(func.o)", NULL),
		R(U, "cos", MSQ "(func.o)", NULL),
		R(U, "atan2", MSQ "(func.o)", NULL),
	};

	expect("mold, libsqlite3.a", mold_sqlite, w, sizeof(w) / sizeof(w[0]));
}
END_TEST

/* ------------------------------------------------------------- ld64 */

START_TEST(test_ld64)
{
	EXPECT("ld64, gdal", ld64_gdal,
	       R(U, "_CPLGetConfigOption", "_x003.o", "__cgo_20816c41b399_Cfunc_CPLGetConfigOption"),
	       R(U, "_CPLSetConfigOption", "_x003.o", "__cgo_20816c41b399_Cfunc_CPLSetConfigOption"));
	EXPECT("ld64, tunnelkit", ld64_tunnelkit,
	       R(U, "_darwin_arm_init_mach_exception_handler", "libwg-go.a(000006.o)", "_x_cgo_init"),
	       R(U, "_darwin_arm_init_thread_exception_port", "libwg-go.a(000006.o)", "_threadentry"),
	       R(U, "_darwin_arm_init_thread_exception_port", "libwg-go.a(000006.o)", "_x_cgo_init"));
	EXPECT("ld64, Objective-C", ld64_objc,
	       R(U, "_OBJC_CLASS_$_MipRobotSound", "ViewController.o", "objc-class-ref"),
	       R(U, "_MipRobotFinderNotificationID", "ViewController.o", "-[ViewController addNotificationObservers]"),
	       R(U, "_MipRobotFinderNotificationID", "ViewController.o", "-[ViewController removeNotificationObservers]"));
	EXPECT("ld64, C++", "Undefined symbols for architecture arm64:\n" LD64_CXX_BODY,
	       R(U, "___cxa_end_catch", "libfaiss_c.a(error_impl.cpp.o)", "_faiss_get_last_error"),
	       R(U, "___cxa_end_catch", "libfaiss_c.a(Clustering_c.cpp.o)",
	         "std::exception_ptr std::make_exception_ptr[abi:v15006]<std::runtime_error>(std::runtime_error)"));
	/* Without the header line the block is not recognised: no guessing. */
	expect_none("ld64, C++ without its header", LD64_CXX_BODY);
	EXPECT("ld64, by hand", ld64_hand,
	       R(U, "_deflate", "a.o", "_use_deflate"),
	       R(U, "_deflate", "libzuser.a(z.o)", "_use_deflate"),
	       R(U, "_dlopen", "a.o", "_use_dlopen"));
}
END_TEST

/* A reference line without a name before " in " ("       in AppDelegate.o"):
 * the form Xcode 15's new linker (ld-prime) is reported to print for a
 * reference from data; not checked against a real ld-prime here. Whatever is
 * made of that line, the records before it must survive it. */
START_TEST(test_ld64_reference_without_name)
{
	EXPECT("ld-prime", "Undefined symbols for architecture arm64:\n"
	       "  \"_deflate\", referenced from:\n"
	       "      _use_deflate in a.o\n"
	       "  \"_OBJC_CLASS_$_FIRApp\", referenced from:\n"
	       "       in AppDelegate.o\n"
	       "ld: symbol(s) not found for architecture arm64\n",
	       R(U, "_deflate", "a.o", "_use_deflate"),
	       R(U, "_OBJC_CLASS_$_FIRApp", "AppDelegate.o", NULL));
}
END_TEST

/* ------------------------------------------------------------- cannot find */

START_TEST(test_cannot_find)
{
	EXPECT("GNU ld, -lfoo -lbar", gnu_notfound,
	       R(NF, "-lfoo", NULL, NULL),
	       R(NF, "-lbar", NULL, NULL));
	EXPECT("GNU ld -static, -lfoo", gnu_notfound_static, R(NF, "-lfoo", NULL, NULL));
	EXPECT("GNU ld, skipping incompatible", gnu_notfound_incompatible, R(NF, "-lfoo", NULL, NULL));
	/* Older binutils ended the line after the name (written by hand). */
	EXPECT("GNU ld 2.35", "/usr/bin/ld: cannot find -lfoo\ncollect2: error: ld returned 1 exit status\n",
	       R(NF, "-lfoo", NULL, NULL));
}
END_TEST

/* -l:NAME: the colon is part of the name, not the end of it. */
START_TEST(test_cannot_find_colon_name)
{
	EXPECT("GNU ld, -l:libbar.a", gnu_notfound_colon,
	       R(NF, "-l:libbar.a", NULL, NULL),
	       R(NF, "-lfoo", NULL, NULL));
}
END_TEST

/* lld: "unable to find library -lfoo"; mold: "library not found: foo";
 * ld64 (Apple's and ld64.lld): "library not found for -lz". */
START_TEST(test_cannot_find_lld_mold_ld64)
{
	EXPECT("lld", lld_notfound,
	       R(NF, "-lfoo", NULL, NULL),
	       R(NF, "-l:libbar.a", NULL, NULL));
	EXPECT("mold", mold_notfound, R(NF, "-lfoo", NULL, NULL));
	EXPECT("ld64", "ld: library not found for -lz\n"
	       "clang: error: linker command failed with exit code 1 (use -v to see invocation)\n",
	       R(NF, "-lz", NULL, NULL));
	EXPECT("ld64.lld", ld64_lld,
	       R(NF, "-lz", NULL, NULL),
	       R(U, "_log", "macz.o", NULL),
	       R(U, "_deflate", "macz.o", NULL));
}
END_TEST

/* ------------------------------------------------------------- noise */

/* Lines that come with every failed link, and other linker chatter: no
 * record. Real lines (GNU ld's warnings from `gcc ns.o` for an assembler file
 * without .note.GNU-stack and from `gcc tmpn.o` calling tmpnam; lld's
 * duplicate symbol and error limit; mold's duplicate symbol; go's lines, also
 * when gorelink-ld is the linker), except the bare "ld returned", the Go 1.19
 * path and the ld64 warning, written after them. */
START_TEST(test_noise)
{
	expect_none("collect2", "collect2: error: ld returned 1 exit status\n");
	expect_none("ld returned", "ld returned 1 exit status\n");
	expect_none("go", "# example.com/zdemo\n"
	            "/usr/local/go/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n");
	expect_none("go, gorelink-ld", "/usr/local/go/pkg/tool/linux_amd64/link: running "
	            "/tmp/gorelink-KWgz5q/gorelink-ld failed: exit status 1\n");
	expect_none("go 1.19", "/usr/lib/go-1.19/pkg/tool/linux_amd64/link: running gcc failed: exit status 1\n");
	expect_none("clang", "clang: error: linker command failed with exit code 1 (use -v to see invocation)\n");
	expect_none("ld64 trailer", "ld: symbol(s) not found for architecture arm64\n");
	expect_none("ld64 warning", "ld: warning: directory not found for option '-L/opt/homebrew/opt/zlib/lib'\n");
	expect_none("GNU ld, executable stack", "/usr/bin/ld: warning: ns.o: missing .note.GNU-stack section implies executable stack\n"
	            "/usr/bin/ld: NOTE: This behaviour is deprecated and will be removed in a future version of the linker\n");
	expect_none("GNU ld, skipping", "/usr/bin/ld: skipping incompatible inc/libfoo.a when searching for -lfoo\n");
	expect_none("GNU ld, tmpnam", "/usr/bin/ld: tmpn.o: in function `main':\n"
	            "tmpn.c:(.text+0x10): warning: the use of `tmpnam' is dangerous, better use `mkstemp'\n");
	expect_none("lld, duplicate symbol", "ld.lld: error: duplicate symbol: main\n"
	            ">>> defined at many.c:3 (/tmp/lds/many.c:3)\n"
	            ">>>            manyg.o:(main)\n"
	            ">>> defined at s.c\n"
	            ">>>            s.o:(.text+0x0)\n"
	            "collect2: error: ld returned 1 exit status\n");
	expect_none("lld, error limit", "ld.lld: error: too many errors emitted, stopping now (use -error-limit=0 to see all errors)\n");
	expect_none("mold, duplicate symbol", "mold: error: duplicate symbol: s.o: manyg.o: main\n");
	expect_none("GNU ld, more undefined references", "/usr/bin/ld: ./libmany.a(many.o):many.c:(.text+0xec): more undefined references to `log' follow\n");
}
END_TEST

/* ------------------------------------------------------------- odd input */

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The records of text are well-formed: a parse that does not crash gives
 * records with a symbol each. Returns how many there were. */
static size_t
sane(const char *what, const char *text)
{
	struct gr_ldmsgs *m = parse(text);
	size_t i, n;

	ck_assert_msg(m != NULL, "%s: gr_ldmsg_parse returned NULL", what);
	for (i = 0; i < m->n; i++) {
		ck_assert_msg(m->v[i].symbol != NULL, "%s: record %zu has no symbol", what, i);
		ck_assert_msg(m->v[i].kind == U || m->v[i].kind == W || m->v[i].kind == NF || m->v[i].kind == TR ||
		                  m->v[i].kind == TD || m->v[i].kind == GR_LDMSG_DSO_MISSING,
		              "%s: record %zu: kind %d",
		              what, i, (int)m->v[i].kind);
	}
	n = m->n;
	gr_ldmsg_free(m);
	return n;
}

START_TEST(test_odd_input)
{
	const size_t big = (size_t)1 << 20;
	char *sym = repeat('s', big), *text;
	struct gr_ldmsgs *m;

	expect_none("empty", "");
	expect_none("newlines", "\n\n\n");
	expect_none("CRLF noise", "collect2: error: ld returned 1 exit status\r\n\r\n");
	/* The last line has no newline. */
	EXPECT("GNU ld, no final newline", "/usr/bin/ld: a.o:(.text+0x5): undefined reference to `deflate'",
	       R(U, "deflate", "a.o", NULL));
	EXPECT("gold, no final newline", "a_nog.o:a.c:function use_deflate: error: undefined reference to 'deflate'",
	       R(U, "deflate", "a_nog.o", "use_deflate"));
	EXPECT("lld, no final newline", "ld.lld: error: undefined symbol: deflate\n>>> referenced by a.c\n"
	       ">>>               a_nog.o:(use_deflate)",
	       R(U, "deflate", "a_nog.o", "use_deflate"));
	EXPECT("ld64, no final newline", "Undefined symbols for architecture arm64:\n"
	       "  \"_deflate\", referenced from:\n      _use_deflate in a.o",
	       R(U, "_deflate", "a.o", "_use_deflate"));
	EXPECT("cannot find, no final newline", "/usr/bin/ld: cannot find -lfoo", R(NF, "-lfoo", NULL, NULL));
	/* Missing closing quotes, cut-off lines: no crash, no record without a symbol. */
	sane("GNU ld, no closing quote", "/usr/bin/ld: a.o:(.text+0x5): undefined reference to `deflate\n");
	sane("GNU ld, empty name", "/usr/bin/ld: a.o:(.text+0x5): undefined reference to `'\n");
	sane("GNU ld, quote at the end", "/usr/bin/ld: a.o:(.text+0x5): undefined reference to `");
	sane("GNU ld, open context", "/usr/bin/ld: a.o: in function `use_deflate\n(.text+0x5): undefined reference to `deflate'\n");
	sane("gold, no closing quote", "a.o:a.c:function f: error: undefined reference to 'deflate");
	sane("gold, no function end", "a.o:a.c:function f");
	sane("warning, no closing quote", "/usr/bin/ld: a.o: warning: Using 'dlopen");
	sane("lld, empty symbol", "ld.lld: error: undefined symbol: \n>>> referenced by a.c\n>>> a.o:(f)\n");
	sane("lld, bare >>>", "ld.lld: error: undefined symbol: x\n>>> \n>>>\n>>> :(\n>>> a.o:(\n>>>  in archive \n");
	sane("mold, old form", "mold: error: undefined symbol: a.o: \n");
	sane("ld64, no closing quote", "Undefined symbols for architecture arm64:\n  \"_x, referenced from:\n      _f in a.o\n");
	sane("ld64, only a header", "Undefined symbols for architecture arm64:");
	sane("ld64, reference before a symbol", "Undefined symbols for architecture arm64:\n      _f in a.o\n");
	sane("cannot find, nothing after", "/usr/bin/ld: cannot find ");
	sane("cannot find -l, nothing after", "/usr/bin/ld: cannot find -l");
	sane("parentheses", "((((((((:\n)))))))):in function `x'\n(:(:(:\n");
	sane("colons", ":::::: undefined reference to `x'\n: in function `f':\n:(.text): undefined reference to `y'\n");

	/* Very long lines: a 1 MiB symbol in each format, a 1 MiB line of noise. */
	text = malloc(big + 256);
	ck_assert_ptr_nonnull(text);
	snprintf(text, big + 256, "/usr/bin/ld: a.o:(.text+0x5): undefined reference to `%s'\n", sym);
	m = parse(text);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_uint_eq(strlen(m->v[0].symbol), big);
	gr_ldmsg_free(m);
	snprintf(text, big + 256, "ld.lld: error: undefined symbol: %s\n>>> referenced by a.c\n>>>               a.o:(f)\n", sym);
	m = parse(text);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_uint_eq(strlen(m->v[0].symbol), big);
	ck_assert_pstr_eq(m->v[0].referrer, "a.o");
	gr_ldmsg_free(m);
	snprintf(text, big + 256, "Undefined symbols for architecture arm64:\n  \"%s\", referenced from:\n      _f in a.o\n", sym);
	m = parse(text);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_uint_eq(strlen(m->v[0].symbol), big);
	gr_ldmsg_free(m);
	snprintf(text, big + 256, "/usr/bin/ld: cannot find -l%s: No such file or directory\n", sym);
	m = parse(text);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_uint_eq(strlen(m->v[0].symbol), big + 2);
	gr_ldmsg_free(m);
	/* A 1 MiB referrer (an object in a deep directory), and noise. */
	snprintf(text, big + 256, "/usr/bin/ld: %s.o: in function `f':\n(.text+0x5): undefined reference to `deflate'\n", sym);
	m = parse(text);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_uint_eq(strlen(m->v[0].referrer), big + 2);
	gr_ldmsg_free(m);
	expect_none("1 MiB of noise", sym);
	free(text);
	free(sym);

	/* Bytes of every value but NUL, and many short lines. */
	{
		size_t n = 1 << 16, i;
		unsigned int x = 12345;
		char *junk = malloc(n + 1);
		ck_assert_ptr_nonnull(junk);
		for (i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (char)(1 + (x >> 16) % 255);
		}
		junk[n] = '\0';
		sane("random bytes", junk);
		for (i = 0; i < n; i++)
			junk[i] = i % 7 == 6 ? '\n' : "`':()\" "[i % 7];
		sane("quotes and parentheses", junk);
		free(junk);
	}
}
END_TEST

/* Every prefix of every sample (a linker killed mid-line, a pipe cut short)
 * parses, from an exact-size buffer. */

/* --trace-symbol (issue 12: every caller of a glibc function, not only the
 * first). Real output, Debian 12, binutils 2.40, lld 14.0.6, gcc 12.2, of
 *   a.c  void *use_a(const char *p) { return dlopen(p, RTLD_NOW); }  in liba.a
 *   b.c  use_b: getaddrinfo + dlopen                                in libb.a
 *   m.c  main calling use_a and use_b
 * linked `gcc -static m.o -L. -la -lb -Wl,--trace-symbol=dlopen
 * -Wl,--trace-symbol=getaddrinfo` (-fuse-ld=gold; -fuse-ld=lld -B<ld.lld>).
 * GNU ld writes it on stderr, between its warnings (which it gives once per
 * symbol: liba's dlopen hides libb's); gold and lld on stdout. */
#define TLIBC "/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libc.a"
static const char gnu_trace[] =
	"/usr/bin/ld: ./liba.a(a.o): reference to dlopen\n"
	"/usr/bin/ld: ./libb.a(b.o): reference to getaddrinfo\n"
	"/usr/bin/ld: ./libb.a(b.o): reference to dlopen\n"
	"/usr/bin/ld: " TLIBC "(dlopen.o): definition of dlopen\n"
	"/usr/bin/ld: ./liba.a(a.o): in function `use_a':\n"
	"a.c:(.text+0x19): warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: " TLIBC "(dlopen.o): definition of dlopen\n"
	"/usr/bin/ld: " TLIBC "(getaddrinfo.o): definition of getaddrinfo\n"
	"/usr/bin/ld: ./libb.a(b.o): in function `use_b':\n"
	"b.c:(.text+0x25): warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: " TLIBC "(getaddrinfo.o): definition of getaddrinfo\n";

/* gold and lld (stdout; lld gives no glibc warning at all). */
static const char gold_trace[] =
	"./liba.a(a.o): reference to dlopen\n"
	"./libb.a(b.o): reference to getaddrinfo\n"
	"./libb.a(b.o): reference to dlopen\n"
	TLIBC "(dlopen.o): definition of dlopen\n"
	TLIBC "(getaddrinfo.o): definition of getaddrinfo\n";

/* mold has no Debian 12 package here: its form as mold's own test
 * (test/elf/trace-symbol.sh) checks it, "trace-symbol: FILE: reference to S". */
static const char mold_trace[] =
	"trace-symbol: ./liba.a(a.o): reference to dlopen\n"
	"trace-symbol: " TLIBC "(dlopen.o): definition of dlopen\n";

START_TEST(test_trace_symbol)
{
	EXPECT("gnu trace", gnu_trace,
	       R(TR, "dlopen", "./liba.a(a.o)", NULL),
	       R(TR, "getaddrinfo", "./libb.a(b.o)", NULL),
	       R(TR, "dlopen", "./libb.a(b.o)", NULL),
	       R(TD, "dlopen", TLIBC "(dlopen.o)", NULL),
	       R(W, "dlopen", "./liba.a(a.o)", "use_a"),
	       R(TD, "dlopen", TLIBC "(dlopen.o)", NULL),
	       R(TD, "getaddrinfo", TLIBC "(getaddrinfo.o)", NULL),
	       R(W, "getaddrinfo", "./libb.a(b.o)", "use_b"),
	       R(TD, "getaddrinfo", TLIBC "(getaddrinfo.o)", NULL));
	EXPECT("gold/lld trace", gold_trace,
	       R(TR, "dlopen", "./liba.a(a.o)", NULL),
	       R(TR, "getaddrinfo", "./libb.a(b.o)", NULL),
	       R(TR, "dlopen", "./libb.a(b.o)", NULL),
	       R(TD, "dlopen", TLIBC "(dlopen.o)", NULL),
	       R(TD, "getaddrinfo", TLIBC "(getaddrinfo.o)", NULL));
	EXPECT("mold trace", mold_trace,
	       R(TR, "dlopen", "./liba.a(a.o)", NULL),
	       R(TD, "dlopen", TLIBC "(dlopen.o)", NULL));
	/* Not traces: an undefined reference, a symbol with a space, no file. */
	EXPECT("not traces", "a.o: undefined reference to `dlopen'\n"
	       ": reference to dlopen\n"
	       "x.o: reference to two words\n",
	       R(U, "dlopen", "a.o", NULL));
}
END_TEST

/* Runs gr_ldmsg_drop_traces on a heap copy of text; the result must be want. */
static void
drop(const char *what, const char *text, const char *const *syms, size_t nsyms, const char *want)
{
	size_t n = strlen(text), got;
	char *copy = malloc(n + 1);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, n + 1);
	got = gr_ldmsg_drop_traces(copy, n, syms, nsyms);
	ck_assert_msg(got == strlen(want) && !memcmp(copy, want, got) && copy[got] == '\0',
	              "%s: kept (%zu bytes)\n%.*s\nwant (%zu bytes)\n%s", what, got, (int)got, copy, strlen(want), want);
	free(copy);
}

START_TEST(test_drop_traces)
{
	static const char *const both[] = { "dlopen", "getaddrinfo" };
	static const char *const dl[] = { "dlopen" };

	drop("gnu", gnu_trace, both, 2,
	     "/usr/bin/ld: ./liba.a(a.o): in function `use_a':\n"
	     "a.c:(.text+0x19): warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	     "/usr/bin/ld: ./libb.a(b.o): in function `use_b':\n"
	     "b.c:(.text+0x25): warning: Using 'getaddrinfo' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n");
	drop("gold, all", gold_trace, both, 2, "");
	/* Only the symbols gorelink traced: a user's own -Wl,-y stays. */
	drop("gold, dlopen only", gold_trace, dl, 1,
	     "./libb.a(b.o): reference to getaddrinfo\n"
	     TLIBC "(getaddrinfo.o): definition of getaddrinfo\n");
	drop("mold", mold_trace, dl, 1, "");
	/* mold's "keeps" lines and lld's "lazy definition" lines of a traced
	 * symbol go too; another symbol's stay. */
	drop("mold keeps, lld lazy",
	     "trace-symbol: x.o keeps " TLIBC "(dlopen.o) for dlopen\n"
	     TLIBC ": lazy definition of dlopen\n"
	     TLIBC ": lazy definition of getaddrinfo\n"
	     "trace-symbol: x.o keeps " TLIBC "(getaddrinfo.o) for getaddrinfo\n",
	     dl, 1,
	     TLIBC ": lazy definition of getaddrinfo\n"
	     "trace-symbol: x.o keeps " TLIBC "(getaddrinfo.o) for getaddrinfo\n");
	/* A last line without its newline is kept as it is. */
	drop("unterminated", "x.o: reference to dlopen", dl, 1, "x.o: reference to dlopen");
	drop("empty", "", dl, 1, "");
}
END_TEST

/* Run argv (gcc, ar; NULL-terminated) in dir, asserting it succeeds. */
static void
tool(const char *dir, const char *const *argv)
{
	struct gr_spawn_result r;
	struct gr_strvec v;
	struct gr_error e;
	char cwd[4096];

	gr_strvec_init(&v);
	for (; *argv; argv++)
		ck_assert_int_eq(gr_strvec_push(&v, *argv), 0);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_msg(gr_spawn_capture(gr_strvec_argv(&v), NULL, &r, &e) == GR_OK, "%s: %s (apt-get install gcc binutils)",
	              v.v[0], e.msg);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_msg(r.exited && r.code == 0, "%s failed: %s", v.v[0], r.err ? r.err : "");
	gr_spawn_result_free(&r);
	gr_strvec_deinit(&v);
}

/* lld and mold print none of glibc's warnings: gr_diag_glibc_warnings reads
 * the .gnu.warning.SYM sections of the libc.a in the dirs (here a stand-in
 * made at test time), and gr_diag_derive_warnings makes GNU ld's warning
 * from a mold trace: the first referrer in link order (of one archive, the
 * first member: b.o, though mold names a.o first), its function and line
 * (-g), in GNU ld's words; a symbol libc.a does not define (getaddrinfo
 * here) and one with no warning section get none. gr_diag_run then has the
 * finding GNU ld's warning gives, with the function. */
START_TEST(test_derive_warnings)
{
	char dir[256], libc[512], libx[512], msgs[4096];
	const char *dirs[1];
	struct gr_strvec w;
	struct gr_error e;
	struct gr_diag *d = NULL;
	char *made, *all;
	size_t i;

	gr_test_tmpdir(dir, sizeof(dir), "gr-derive");
	gr_test_put(dir, "dl.c", "__attribute__((section(\".gnu.warning.dlopen\"), used)) static const char w[] =\n"
	                         "  \"Using 'dlopen' in statically linked applications requires at runtime the shared libraries\";\n"
	                         "void *dlopen(const char *f, int m) { (void)f; (void)m; return 0; }\n");
	gr_test_put(dir, "other.c", "int getpid_like(void) { return 1; }\n");
	gr_test_put(dir, "a.c", "void *dlopen(const char *, int);\nint getaddrinfo(void);\n"
	                        "int a_load(void) { return dlopen(\"a\", 0) != 0; }\nint a_res(void) { return getaddrinfo(); }\n");
	gr_test_put(dir, "b.c", "void *dlopen(const char *, int);\n\n\nint b_load(void)\n{\n\treturn dlopen(\"b\", 0) != 0;\n}\n");
	tool(dir, (const char *const[]){ "gcc", "-g", "-O0", "-c", "dl.c", "other.c", "a.c", "b.c", NULL });
	tool(dir, (const char *const[]){ "ar", "rcs", "libc.a", "other.o", "dl.o", NULL });
	tool(dir, (const char *const[]){ "ar", "rcs", "libx.a", "b.o", "a.o", NULL });
	snprintf(libc, sizeof(libc), "%s/libc.a", dir);
	snprintf(libx, sizeof(libx), "%s/libx.a", dir);

	dirs[0] = dir;
	gr_strvec_init(&w);
	ck_assert_int_eq(gr_diag_glibc_warnings(gr_test_env(), dirs, 1, &w, &e), GR_OK);
	ck_assert_uint_eq(w.n, 3);
	ck_assert_str_eq(w.v[0], "dlopen");
	ck_assert_ptr_nonnull(strstr(w.v[1], "Using 'dlopen' in statically linked applications"));
	ck_assert_str_eq(w.v[2], "1");  /* the second member of libc.a */

	snprintf(msgs, sizeof(msgs),
	         "trace-symbol: %s(dl.o): definition of dlopen\n"
	         "trace-symbol: %s(a.o): reference to dlopen\n"
	         "trace-symbol: %s(a.o): reference to getaddrinfo\n"
	         "trace-symbol: %s(b.o): reference to dlopen\n",
	         libc, libx, libx, libx);
	made = gr_diag_derive_warnings(msgs, &w, (const char *const[]){ "gcc", "-o", "x", libx, NULL }, 4);
	ck_assert_ptr_nonnull(made);
	ck_assert_msg(strstr(made, "(b.o): in function `b_load':\n") != NULL, "derived:\n%s", made);
	ck_assert_msg(strstr(made, "b.c:6: warning: Using 'dlopen' in statically linked") != NULL, "derived:\n%s", made);
	ck_assert_msg(!strstr(made, "a.o") && !strstr(made, "getaddrinfo"), "derived:\n%s", made);

	/* With GNU ld's warning among the messages, the diagnosis is GNU ld's. */
	i = strlen(msgs) + strlen(made) + 1;
	ck_assert_ptr_nonnull(all = malloc(i));
	snprintf(all, i, "%s%s", msgs, made);
	ck_assert_int_eq(gr_diag_run(gr_test_env(), all, NULL, 0, &d, &e), GR_OK);
	ck_assert_uint_eq(d->nfindings, 2);  /* b.o (warned, with its function) and a.o (traced) */
	for (i = 0; i < d->nfindings; i++)
		ck_assert_str_eq(d->findings[i].symbol, "dlopen");
	ck_assert_ptr_nonnull(strstr(d->findings[0].source, "libx.a(b.o)"));
	ck_assert_str_eq(d->findings[0].function, "b_load");
	ck_assert_ptr_nonnull(strstr(d->findings[1].source, "libx.a(a.o)"));
	ck_assert_ptr_null(d->findings[1].function);
	gr_diag_free(d);
	/* Without the definition from libc.a: no warning (another archive's dlopen has none). */
	free(made);
	made = gr_diag_derive_warnings(strchr(msgs, '\n') + 1, &w, (const char *const[]){ "gcc", libx, NULL }, 2);
	ck_assert_ptr_nonnull(made);
	ck_assert_str_eq(made, "");
	free(made);
	free(all);
	gr_strvec_deinit(&w);
	gr_test_rmtree(dir);
}
END_TEST

/* What gr_diag makes of traced messages: every caller of a function glibc
 * warned about, plugin loaders, and the dlopen policy. The text is the GNU
 * ld form above, for the link of ImageMagick's MagickCore (which loads its
 * coders with libltdl) with libX11: GNU ld's one dlopen warning names
 * libX11, which hid MagickCore's plugin loading. Paths as Debian's. */
#define DL "/usr/lib/x86_64-linux-gnu/"
static const char magick_trace[] =
	"/usr/bin/ld: " DL "libX11.a(CrGlCur.o): reference to dlopen\n"
	"/usr/bin/ld: " DL "libMagickCore-6.Q16.a(libMagickCore_6_Q16_la-module.o): reference to lt_dlopenext\n"
	"/usr/bin/ld: " DL "libltdl.a(libltdl_libltdl_la-ltdl.o): reference to lt_dlopen\n"
	"/usr/bin/ld: " DL "libltdl.a(dlopen.o): reference to dlopen\n"
	"/usr/bin/ld: " DL "libc.a(nss_module.o): reference to dlopen\n"
	"/usr/bin/ld: " DL "libX11.a(CrGlCur.o): in function `open_library':\n"
	"(.text+0x1a): warning: Using 'dlopen' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
	"/usr/bin/ld: " DL "libc.a(dlopen.o): definition of dlopen\n";

static const struct gr_diag_finding *
diag_find(const struct gr_diag *d, const char *symbol, const char *source)
{
	size_t i;

	for (i = 0; i < d->nfindings; i++)
		if (!strcmp(d->findings[i].symbol, symbol) && !strcmp(d->findings[i].source, source))
			return &d->findings[i];
	return NULL;
}

START_TEST(test_diag_every_caller_and_policy)
{
	struct gr_diag *d = NULL;
	struct gr_error e;
	const struct gr_diag_finding *x11, *ltdl, *magick;
	size_t n;

	ck_assert_int_eq(gr_diag_run(gr_test_env(), magick_trace, NULL, 0, &d, &e), GR_OK);
	/* libX11 (the warning), libltdl.a (the trace), MagickCore's loader call;
	 * not libc.a's own, nor libltdl's internal lt_dlopen. */
	ck_assert_msg(d->nfindings == 3, "%zu findings", d->nfindings);
	x11 = diag_find(d, "dlopen", DL "libX11.a(CrGlCur.o)");
	ltdl = diag_find(d, "dlopen", DL "libltdl.a(dlopen.o)");
	magick = diag_find(d, "lt_dlopenext", DL "libMagickCore-6.Q16.a(libMagickCore_6_Q16_la-module.o)");
	ck_assert_ptr_nonnull(x11);
	ck_assert_ptr_nonnull(ltdl);
	ck_assert_ptr_nonnull(magick);
	ck_assert_str_eq(x11->function, "open_library");
	/* libX11's dlopen is optional: a finding only. */
	ck_assert_ptr_null(x11->fails);
	ck_assert(!x11->plugin_loader);
	/* libltdl's and the loader's caller fail a --static build. */
	ck_assert_ptr_nonnull(ltdl->fails);
	ck_assert_str_eq(ltdl->library, "libltdl.a");
	ck_assert(magick->plugin_loader);
	ck_assert_str_eq(magick->loader, "libltdl");
	ck_assert_str_eq(magick->library, "libMagickCore-6.Q16.a");
	ck_assert_ptr_nonnull(strstr(magick->fails, "libMagickCore-6.Q16.a"));
	ck_assert_ptr_nonnull(strstr(magick->remedy, "--allow-dynamic MagickCore-6.Q16"));
	gr_diag_free(d);

	/* Without the warning, a traced dlopen is no finding (glibc did not say
	 * it needs its shared objects: lld, musl); a loader's caller still is. */
	ck_assert_int_eq(gr_diag_run(gr_test_env(), "x.o: reference to dlopen\n"
	                             "y.a(m.o): reference to g_module_open\n", NULL, 0, &d, &e), GR_OK);
	ck_assert_msg(d->nfindings == 1 && !strcmp(d->findings[0].symbol, "g_module_open") &&
	              !strcmp(d->findings[0].loader, "GModule") && d->findings[0].fails,
	              "%zu findings", d->nfindings);
	gr_diag_free(d);

	/* Every traced symbol is one gr_diag knows. */
	ck_assert_ptr_nonnull(gr_diag_traced(&n));
	ck_assert_uint_gt(n, 30);
}
END_TEST

/* iconv_open from libstdc++'s locale code (every static C++ link): no
 * finding, by the warning or the trace; another caller the trace names still
 * is one, with a remedy that is no Go build tag. */
START_TEST(test_diag_iconv_libstdcxx)
{
	static const char cxx[] =
		"/usr/bin/ld: /usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a(numeric_members_cow.o): in function "
		"`std::__narrow_multibyte_chars(char const*, __locale_struct*)':\n"
		"(.text+0x92): warning: Using 'iconv_open' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
		"/usr/bin/ld: /usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a(numeric_members_cow.o): reference to iconv_open\n"
		"/usr/bin/ld: " DL "libc.a(iconv_open.o): definition of iconv_open\n";
	static const char both[] =
		"/usr/bin/ld: /usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a(numeric_members_cow.o): in function "
		"`std::__narrow_multibyte_chars(char const*, __locale_struct*)':\n"
		"(.text+0x92): warning: Using 'iconv_open' in statically linked applications requires at runtime the shared libraries from the glibc version used for linking\n"
		"/usr/bin/ld: /usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a(numeric_members_cow.o): reference to iconv_open\n"
		"/usr/bin/ld: ./libconv.a(conv.o): reference to iconv_open\n";
	struct gr_diag *d = NULL;
	struct gr_error e;
	const struct gr_diag_finding *f;

	ck_assert_int_eq(gr_diag_run(gr_test_env(), cxx, NULL, 0, &d, &e), GR_OK);
	ck_assert_msg(d->nfindings == 0, "%zu findings for libstdc++'s iconv_open", d->nfindings);
	gr_diag_free(d);
	ck_assert_int_eq(gr_diag_run(gr_test_env(), both, NULL, 0, &d, &e), GR_OK);
	ck_assert_msg(d->nfindings == 1, "%zu findings", d->nfindings);
	f = diag_find(d, "iconv_open", "./libconv.a(conv.o)");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->remedy, "gconv"));
	ck_assert_ptr_null(strstr(f->remedy, "build with -tags"));
	gr_diag_free(d);
}
END_TEST

START_TEST(test_diag_glibc_only)
{
	static const char *const yes[] = { "__snprintf_chk", "__vsnprintf_chk", "__isoc99_sscanf", "__isoc23_strtol",
	                                   "__libc_start_main", "fopen64", "lseek64", "__fxstat64", "mmap64" };
	static const char *const no[] = { "__stack_chk_fail", "snprintf", "crc64", "XXH64", "deflate", "64", "_chk",
	                                  "open6", "__chk" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(gr_diag_glibc_only(yes[i]), "%s is glibc's", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!gr_diag_glibc_only(no[i]), "%s is not glibc's only", no[i]);
}
END_TEST

/* ------------------------------------------------- DSO missing from command line */

/* A symbol that only a shared library another shared library loads defines
 * (its DT_NEEDED): m.c "int main(void) { return gra_threads() + omp_get_thread_num(); }"
 * (m.o without -g, mg.o with), libgrA.so built from "int gra_threads(void) { return
 * omp_get_max_threads(); }" with gcc -shared -fPIC -fopenmp (it needs libgomp.so.1),
 * linked `gcc -fuse-ld=X m.o -L. -lgrA` on Debian 12 (binutils 2.40, lld 14.0.6,
 * mold 1.10.1). Only GNU ld names the library; gold, lld and mold report a plain
 * undefined symbol, and the diagnosis looks for the library in the DT_NEEDED of the
 * link's shared libraries (gr_diag_dso_scan). */
static const char gnu_dso[] =
	"/usr/bin/ld.bfd: m.o: undefined reference to symbol 'omp_get_thread_num@@OMP_1.0'\n"
	"/usr/bin/ld.bfd: /lib/x86_64-linux-gnu/libgomp.so.1: error adding symbols: DSO missing from command line\n"
	"collect2: error: ld returned 1 exit status\n";
static const char gnu_dso_g[] =
	"/usr/bin/ld.bfd: mg.o: undefined reference to symbol 'omp_get_thread_num@@OMP_1.0'\n"
	"/usr/bin/ld.bfd: /lib/x86_64-linux-gnu/libgomp.so.1: error adding symbols: DSO missing from command line\n"
	"collect2: error: ld returned 1 exit status\n";
static const char gold_dso[] =
	"m.o:m.c:function main: error: undefined reference to 'omp_get_thread_num'\n"
	"collect2: error: ld returned 1 exit status\n";
static const char gold_dso_g[] =
	"/tmp/fixdso/dso/m.c:3: error: undefined reference to 'omp_get_thread_num'\n"
	"collect2: error: ld returned 1 exit status\n";
static const char lld_dso[] =
	"ld.lld: error: undefined symbol: omp_get_thread_num\n"
	">>> referenced by m.c\n"
	">>>               m.o:(main)\n"
	"collect2: error: ld returned 1 exit status\n";
static const char lld_dso_g[] =
	"ld.lld: error: undefined symbol: omp_get_thread_num\n"
	">>> referenced by m.c:3 (/tmp/fixdso/dso/m.c:3)\n"
	">>>               mg.o:(main)\n"
	"collect2: error: ld returned 1 exit status\n";
static const char mold_dso[] =
	"mold: error: undefined symbol: omp_get_thread_num\n"
	">>> referenced by m.c\n"
	">>>               m.o:(main)\n"
	"collect2: error: ld returned 1 exit status\n";
static const char mold_dso_g[] =
	"mold: error: undefined symbol: omp_get_thread_num\n"
	">>> referenced by m.c\n"
	">>>               mg.o:(main)\n"
	"collect2: error: ld returned 1 exit status\n";

/* One row of the table: a linker's real text and the one record it gives. */
static const struct dso_row {
	const char *linker, *text;
	enum gr_ldmsg_kind kind;
	const char *referrer, *function, *version, *dso;
} dso_rows[] = {
	{ "GNU ld", gnu_dso, GR_LDMSG_DSO_MISSING, "m.o", NULL, "@@OMP_1.0", "/lib/x86_64-linux-gnu/libgomp.so.1" },
	{ "GNU ld -g", gnu_dso_g, GR_LDMSG_DSO_MISSING, "mg.o", NULL, "@@OMP_1.0", "/lib/x86_64-linux-gnu/libgomp.so.1" },
	{ "gold", gold_dso, U, "m.o", "main", NULL, NULL },
	{ "gold -g", gold_dso_g, U, NULL, NULL, NULL, NULL },
	{ "lld", lld_dso, U, "m.o", "main", NULL, NULL },
	{ "lld -g", lld_dso_g, U, "mg.o", "main", NULL, NULL },
	{ "mold", mold_dso, U, "m.o", "main", NULL, NULL },
	{ "mold -g", mold_dso_g, U, "mg.o", "main", NULL, NULL },
};

START_TEST(test_dso_missing_each_linker)
{
	size_t i;

	for (i = 0; i < sizeof(dso_rows) / sizeof(dso_rows[0]); i++) {
		const struct dso_row *r = &dso_rows[i];
		struct gr_ldmsgs *m = parse(r->text);
		ck_assert_ptr_nonnull(m);
		ck_assert_msg(m->n == 1, "%s: %zu records, want 1\n%s", r->linker, m->n, dump(m));
		ck_assert_msg(m->v[0].kind == r->kind, "%s: kind %s, want %s", r->linker, kname(m->v[0].kind),
		              kname(r->kind));
		/* The name without its version: what the symbol index and the shared library know. */
		ck_assert_msg(same(m->v[0].symbol, "omp_get_thread_num"), "%s: symbol %s", r->linker, m->v[0].symbol);
		ck_assert_msg(same(m->v[0].referrer, r->referrer), "%s: referrer %s, want %s", r->linker,
		              m->v[0].referrer ? m->v[0].referrer : "NULL", r->referrer ? r->referrer : "NULL");
		ck_assert_msg(same(m->v[0].function, r->function), "%s: function %s, want %s", r->linker,
		              m->v[0].function ? m->v[0].function : "NULL", r->function ? r->function : "NULL");
		ck_assert_msg(same(m->v[0].version, r->version), "%s: version %s", r->linker,
		              m->v[0].version ? m->v[0].version : "NULL");
		ck_assert_msg(same(m->v[0].dso, r->dso), "%s: dso %s", r->linker, m->v[0].dso ? m->v[0].dso : "NULL");
		gr_ldmsg_free(m);
	}
}
END_TEST

/* GNU ld's two lines with other messages around and between them; the
 * library line belongs to the last "undefined reference to symbol"; a
 * version-less symbol (a library without a version script), the tool
 * prefix of a cross linker, an archive member as referrer (made up from the
 * real lines). */
START_TEST(test_dso_missing_variants)
{
	struct gr_ldmsgs *m = parse(
		"/usr/bin/x86_64-linux-gnu-ld: /tmp/w/libuse.a(u.o): undefined reference to symbol 'grb_value'\n"
		"/usr/bin/x86_64-linux-gnu-ld: /tmp/w/lib/libgrB.so.1: error adding symbols: DSO missing from command line\n"
		"collect2: error: ld returned 1 exit status\n");

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->n, 1);
	ck_assert_int_eq(m->v[0].kind, GR_LDMSG_DSO_MISSING);
	ck_assert_str_eq(m->v[0].symbol, "grb_value");
	ck_assert_ptr_null(m->v[0].version);
	ck_assert_str_eq(m->v[0].referrer, "/tmp/w/libuse.a(u.o)");
	ck_assert_str_eq(m->v[0].dso, "/tmp/w/lib/libgrB.so.1");
	gr_ldmsg_free(m);
	/* A library line without its symbol line: no record. */
	expect_none("dso alone", "/usr/bin/ld: /lib/x86_64-linux-gnu/libgomp.so.1: error adding symbols: DSO missing from command line\n");
	/* The symbol line alone (the output cut): a record without its library. */
	m = parse("/usr/bin/ld: m.o: undefined reference to symbol 'omp_get_thread_num@@OMP_1.0'\n");
	ck_assert_uint_eq(m->n, 1);
	ck_assert_ptr_null(m->v[0].dso);
	gr_ldmsg_free(m);
	/* An ordinary undefined reference next to it stays one. */
	EXPECT("mixed",
	       "/usr/bin/ld: a_nog.o: in function `use_deflate':\n"
	       "a.c:(.text+0x19): undefined reference to `deflate'\n"
	       "/usr/bin/ld: m.o: undefined reference to symbol 'omp_get_thread_num@@OMP_1.0'\n"
	       "/usr/bin/ld: /lib/x86_64-linux-gnu/libgomp.so.1: error adding symbols: DSO missing from command line\n",
	       R(U, "deflate", "a_nog.o", "use_deflate"),
	       R(GR_LDMSG_DSO_MISSING, "omp_get_thread_num", "m.o", NULL));
	/* Odd input: an empty name, no closing quote, a name that is all version. */
	expect_none("empty", "/usr/bin/ld: m.o: undefined reference to symbol ''\n");
	expect_none("unclosed", "/usr/bin/ld: m.o: undefined reference to symbol 'omp_get\n");
	expect_none("version only", "/usr/bin/ld: m.o: undefined reference to symbol '@@OMP_1.0'\n");
}
END_TEST

START_TEST(test_truncated_samples)
{
	static const char *const samples[] = {
		gnu_obj_g, gnu_obj, gnu_sqlite, gnu_mini_g, gnu_many, gnu_go, gold_obj, gold_sqlite, gold_obj_g,
		gold_mini_g, gold_go, gold_notfound, lld_obj_g, lld_obj, lld_archive_g, lld_many_g, lld_sqlite,
		lld_go, ld64_lld, mold_obj, mold_mini, mold_many, mold_sqlite, mold_go, gnu_notfound,
		gnu_notfound_static, gnu_notfound_incompatible, gnu_notfound_colon, lld_notfound, mold_notfound,
		ld64_gdal, ld64_tunnelkit, ld64_objc, ld64_hand, gnu_trace, gold_trace, mold_trace, "Undefined symbols for architecture arm64:\n" LD64_CXX_BODY,
		gnu_dso, gnu_dso_g, gold_dso, gold_dso_g, lld_dso, lld_dso_g, mold_dso, mold_dso_g,
	};
	size_t s, len;

	for (s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		size_t total = strlen(samples[s]);
		for (len = 0; len <= total; len++) {
			char *cut = malloc(len + 1), what[64];
			ck_assert_ptr_nonnull(cut);
			memcpy(cut, samples[s], len);
			cut[len] = '\0';
			snprintf(what, sizeof(what), "sample %zu cut at %zu of %zu", s, len, total);
			sane(what, cut);
			free(cut);
		}
	}
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_gnu_ld_object,
		test_gnu_ld_archive_members,
		test_gnu_ld_source_lines_and_more,
		test_gnu_ld_go,
		test_gnu_ld_go_function,
		test_gold_object,
		test_gold_data_references,
		test_gold_source_lines,
		test_lld_two_line_references,
		test_lld_more_times,
		test_lld_archive_members,
		test_lld_one_line_object,
		test_mold,
		test_mold_archive_members,
		test_ld64,
		test_ld64_reference_without_name,
		test_cannot_find,
		test_cannot_find_colon_name,
		test_cannot_find_lld_mold_ld64,
		test_noise,
		test_odd_input,
		test_truncated_samples,
		test_trace_symbol,
		test_drop_traces, test_derive_warnings,
		test_diag_every_caller_and_policy,
		test_diag_glibc_only,
		test_diag_iconv_libstdcxx,
		test_dso_missing_each_linker,
		test_dso_missing_variants,
	};

	return gr_test_run(gr_test_suite("ldmsg", "ldmsg", tests, sizeof(tests) / sizeof(tests[0]), 120), false);
}
