#define _XOPEN_SOURCE 700  /* nftw */
#include "gr_build.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "gr_bstate.h"
#include "gr_cache.h"
#include "gr_cxx.h"
#include "gr_embed.h"
#include "gr_file.h"
#include "gr_floorref.h"
#include "gr_gocache.h"
#include "gr_hash.h"
#include "gr_goflags.h"
#include "gr_kit.h"
#include "gr_manifest.h"
#include "gr_modgraph.h"
#include "gr_path.h"
#include "gr_pc.h"
#include "gr_preset.h"
#include "gr_rewrite.h"
#include "gr_spawn.h"
#include "gr_tccache.h"
#include "gr_sbom.h"
#include "gr_uptodate.h"

extern char **environ;

/* Everything one build holds while it runs. */
struct gr_b {
	const struct gr_build_opts *o;
	struct gr_build_result *res;
	struct gr_error *err;
	struct gr_goflags gf;
	struct gr_linkstate ls;
	struct gr_strvec env;        /* the environment go build runs with */
	char *helpdir;               /* private dir: helper links, state, report */
	char *guard;                 /* gorelink-guard in helpdir: go build runs under it */
	char *outdir;                /* OUT's directory while its name is go build's to choose */
	char *outtmpdir;             /* temporary dir beside OUT */
	char *tmpout;                /* the binary go build writes */
	char *gocc, *gocxx, *goos, *goarch, *cgo, *gopkgconfig;
	char *gocppflags;            /* go env CGO_CPPFLAGS: the user's, kept before gorelink's mark */
	bool goldflags_fuse;         /* go env CGO_LDFLAGS (the environment's or go env -w's) names -fuse-ld= */
	struct gr_strvec extld;      /* the user's -extld, split: the compiler gorelink-ld runs */
	struct gr_preset preset;     /* the preset asked for (or applied by itself), or empty */
	struct gr_strvec mods;       /* the module graph (go list -m all): paths, */
	struct gr_strvec modvers;    /* versions */
	struct gr_strvec moddirs;    /* and directories ("" when not downloaded) */
	char *name;                  /* the package's binary name, from go list */
	char *ld, *shim, *state;     /* gorelink-ld, gorelink-pkg-config and the link state in helpdir */
	bool cxx;                    /* go list: C++ files, or -lstdc++/-lc++ in #cgo LDFLAGS */
	bool cross, cxx_set;         /* a cross build; the user set CXX (environment or go env -w) */
	bool darwin;                 /* GOOS=darwin on a Mac: ld64's rules, only system dylibs left */
	struct timespec t0;
	/* No-op rebuilds (gr_uptodate): OUT was copied to tmpout for go build to
	 * judge (seeded), with the link report recorded for it and OUT's hash. */
	bool seeded;
	char *seed_report;
	size_t seed_len;
	ino_t seed_ino;              /* the copy's inode and size: go build leaves them when it links nothing */
	off_t seed_size;
	int64_t go_started;          /* when go build started (ns): what changed since is not recorded */
	char out_hash[65];
	/* OUT's hash taken in a thread beside the check and the manifest's work
	 * (gr_b_hash_start): the binary go build left is not written again. */
	pthread_t hash_thread;
	bool hashing;
	int hash_rc;
	char hash_hex[65];
	/* The seed is a stand-in of OUT (gr_uptodate_standin: its build ID, the
	 * rest a hole): go build judges it, gorelink checks OUT itself, whose
	 * identity (out_ident, taken before the record was looked up) must not
	 * change before the check is done. */
	bool standin;
	char out_ident[256];
	bool reused;                 /* the seed came from the output cache (a binary by its hash): */
	char reuse_hash[65];         /* its content hash */
	char *kit_abs, *kit_stage;   /* --relink-kit: DIR made absolute, and the kit's staging directory beside it */
	bool kit_placed, kit_old;    /* the kit is at DIR; the one it replaced is at kit_stage */
};

static double
gr_b_lap(struct gr_b *b)
{
	struct timespec now;
	double d;

	clock_gettime(CLOCK_MONOTONIC, &now);
	d = (double)(now.tv_sec - b->t0.tv_sec) + (double)(now.tv_nsec - b->t0.tv_nsec) / 1e9;
	b->t0 = now;
	return d;
}

static void
gr_b_log(struct gr_b *b, const char *step, const char *detail)
{
	double d = gr_b_lap(b);

	if (b->o->log)
		b->o->log(b->o->log_ctx, step, d, detail);
}

/* Fail with a message: the class of failure is the code (enum gr_build_error). */
static int gr_b_fail(struct gr_b *b, enum gr_build_error cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
gr_b_fail(struct gr_b *b, enum gr_build_error cls, const char *fmt, ...)
{
	va_list ap;

	b->err->code = (int)cls;
	b->err->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(b->err->msg, sizeof(b->err->msg), fmt, ap);
	va_end(ap);
	return (int)cls;
}

/* Fail with the message a library call left in err, as class cls. */
static int
gr_b_class(struct gr_b *b, enum gr_build_error cls)
{
	b->err->code = (int)cls;
	return (int)cls;
}

static int
gr_b_nomem(struct gr_b *b)
{
	gr_error_set(b->err, GR_ENOMEM, 0, "out of memory");
	return gr_b_class(b, GR_BUILD_EENV);
}

static char *
gr_b_join(const char *a, const char *sep, const char *c)
{
	size_t n = strlen(a) + strlen(sep) + strlen(c) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", a, sep, c);
	return s;
}

/* Whether go env CC (the compiler cgo and the link use: the environment's CC,
 * else go env -w's) names a musl toolchain (musl-gcc, *-linux-musl-gcc): then
 * net and os/user need no netgo/osusergo to link statically. */
static bool
gr_b_musl(const char *gocc)
{
	return gocc && strstr(gocc, "musl") != NULL;
}

/* This process's own peak resident memory (VmHWM), in KiB: getrusage would
 * also count what ran in this process before gorelink did. */
static long
gr_b_vmhwm(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = 0;

	if (!f) {
		struct rusage ru;
		return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void
gr_b_tick(void *ctx, double seconds)
{
	struct gr_b *b = ctx;

	b->o->progress(b->o->log_ctx, "go build", seconds);
}

/* ---- checking the flags ------------------------------------------------- */

/* -linkmode=internal, -extld and -extldflags in the user's -ldflags. */
static int
gr_b_check_ldflags(struct gr_b *b, struct gr_strvec *extld)
{
	struct gr_strvec keep;
	size_t i;
	int rc = GR_OK;

	gr_strvec_init(&keep);
	for (i = 0; i < b->gf.ldflags.n && rc == GR_OK; i++) {
		const char *f = b->gf.ldflags.v[i], *val = NULL;
		const char *name = f[0] == '-' ? (f[1] == '-' ? f + 2 : f + 1) : NULL;
		bool sep = false;
		if (name && (!strcmp(name, "linkmode") || !strcmp(name, "extld") ||
		             !strcmp(name, "extldflags")) && i + 1 < b->gf.ldflags.n) {
			val = b->gf.ldflags.v[i + 1];
			sep = true;
		} else if (name && strchr(name, '=')) {
			val = strchr(name, '=') + 1;
		}
		if (name && !strncmp(name, "linkmode", 8) && (name[8] == '=' || name[8] == '\0')) {
			if (val && strcmp(val, "external") != 0)
				rc = gr_b_fail(b, GR_BUILD_EUSAGE,
				               "-ldflags asks for -linkmode=%s, but gorelink links with the C toolchain (-linkmode=external); drop it",
				               val);
			i += sep;
			continue;  /* gorelink adds -linkmode=external itself */
		}
		if (name && !strncmp(name, "extld", 5) && (name[5] == '=' || name[5] == '\0')) {
			/* The user's linker becomes the compiler gorelink-ld runs. */
			if (val && gr_goflags_split(val, extld, b->err))
				{
				char why[sizeof(b->err->msg)];
				memcpy(why, b->err->msg, sizeof(why));
				rc = gr_b_fail(b, GR_BUILD_EUSAGE, "-extld: %s", why);
			}
			i += sep;
			continue;
		}
		if (name && !strncmp(name, "extldflags", 10) && val && b->o->mode == GR_LINK_THIRD_PARTY) {
			/* -static, or -Bstatic still in force where the link's own
			 * libraries (the C library) come: a static link. A -Bstatic
			 * span closed again by -Bdynamic or --pop-state is fine. */
			struct gr_strvec xf;
			struct gr_bstate st;
			size_t q;
			bool whole = false;
			gr_strvec_init(&xf);
			gr_bstate_init(&st, true);
			if (gr_goflags_split(val, &xf, b->err) == GR_OK) {
				for (q = 0; q < xf.n; q++)
					whole |= !strcmp(xf.v[q], "-static") || !strcmp(xf.v[q], "-static-pie");
				gr_bstate_driver_argv(&st, (const char *const *)xf.v, xf.n);
				if (whole || !st.dynamic)
					rc = gr_b_fail(b, GR_BUILD_EUSAGE,
					               "-extldflags '%s' asks for a static link, which contradicts --third-party", val);
			}
			gr_strvec_deinit(&xf);
		}
		if (gr_strvec_push(&keep, f) || (sep && gr_strvec_push(&keep, b->gf.ldflags.v[i + 1])))
			rc = gr_b_nomem(b);
		i += sep;
	}
	if (rc == GR_OK) {
		gr_strvec_deinit(&b->gf.ldflags);
		b->gf.ldflags = keep;
	} else {
		gr_strvec_deinit(&keep);
	}
	return rc;
}

static int
gr_b_check_buildmode(struct gr_b *b)
{
	const char *bm = b->gf.buildmode;

	if (!bm || !strcmp(bm, "default") || !strcmp(bm, "exe"))
		return b->o->mode == GR_LINK_STATIC_PIE && bm && !strcmp(bm, "exe")
		       ? gr_b_fail(b, GR_BUILD_EUSAGE,
		                   "-buildmode=exe contradicts --static-pie (a static PIE is -buildmode=pie)")
		       : GR_OK;
	if (!strcmp(bm, "pie")) {
		if (b->o->mode == GR_LINK_STATIC)
			return gr_b_fail(b, GR_BUILD_EUSAGE,
			                 "-buildmode=pie with --static: a static PIE is --static-pie");
		return GR_OK;
	}
	return gr_b_fail(b, GR_BUILD_EUSAGE,
	                 "-buildmode=%s: gorelink builds executables (exe or pie)", bm);
}

/* ---- asking go ------------------------------------------------------------ */

/* Run the go command with extra words, capturing its output. */
static int
gr_b_go_capture(struct gr_b *b, const char *const *words, size_t n, struct gr_spawn_result *r,
                bool ours)
{
	struct gr_strvec av;
	size_t i;
	int rc;

	gr_strvec_init(&av);
	if (gr_strvec_push(&av, b->o->go ? b->o->go : "go")) {
		gr_strvec_deinit(&av);
		return gr_b_nomem(b);
	}
	for (i = 0; i < n; i++)
		if (gr_strvec_push(&av, words[i])) {
			gr_strvec_deinit(&av);
			return gr_b_nomem(b);
		}
	rc = gr_spawn_capture(gr_strvec_argv(&av), ours ? gr_strvec_argv(&b->env) : NULL, r, b->err);
	if (rc) {
		if (b->err->sys_errno == ENOENT)
			gr_error_set(b->err, GR_EIO, ENOENT,
			             "cannot run %s: no such command (install Go, put it on PATH, or pass --go PATH)",
			             av.v[0]);
		rc = gr_b_class(b, GR_BUILD_EENV);
	}
	gr_strvec_deinit(&av);
	return rc;
}

/* The first line of text (for messages), in buf. */
static const char *
gr_b_first_line(const char *text, char *buf, size_t n)
{
	const char *nl;

	while (*text == '\n')
		text++;
	nl = strchr(text, '\n');
	snprintf(buf, n, "%.*s", (int)(nl ? (size_t)(nl - text) : strlen(text)), text);
	return buf;
}

/* Whether the user set the go environment variable name: in the process
 * environment, or with go env -w (a NAME= line in the file go env GOENV names). */
static bool
gr_b_go_env_set(const struct gr_env *env, const char *goenv, const char *name)
{
	const char *v = gr_env_get(env, name);
	char buf[4096];
	size_t l = strlen(name);
	FILE *f;
	bool set = false;

	if (v && *v)
		return true;
	if (goenv[0] != '/' || !(f = fopen(goenv, "r")))  /* GOENV=off: no file */
		return false;
	while (!set && fgets(buf, sizeof(buf), f))
		set = !strncmp(buf, name, l) && buf[l] == '=' && buf[l + 1] && buf[l + 1] != '\n';
	fclose(f);
	return set;
}

/* The names gr_b_go_env asks go env for, in the order of its answer's lines. */
static const char *const gr_b_goenv_words[] = { "env", "CC", "CXX", "CGO_ENABLED", "GOOS", "PKG_CONFIG",
                                                "GOARCH", "GOHOSTOS", "GOHOSTARCH", "GOENV", "CGO_CPPFLAGS",
                                                "CGO_LDFLAGS" };

/* go env's answer (r.out, a successful run's or the cache's; consumed),
 * read as gr_b_go_env asked. */
static int
gr_b_go_env_answer(struct gr_b *b, struct gr_spawn_result r)
{
	char *lines[11] = { NULL }, *p, target[128], host[128], goenv[4096];
	bool cross;
	int i;

	for (i = 0, p = r.out; i < 11 && p; i++) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lines[i] = p;
		p = nl ? nl + 1 : NULL;
	}
	if (!lines[10]) {
		gr_spawn_result_free(&r);
		return gr_b_fail(b, GR_BUILD_EENV, "go env printed less than asked for");
	}
	/* The environment's, else go env -w's: a -fuse-ld= there is the user's linker. */
	b->goldflags_fuse = strstr(lines[10], "-fuse-ld=") != NULL;
	b->gocc = strdup(lines[0]);
	b->gocxx = strdup(lines[1]);
	b->cgo = strdup(lines[2]);
	b->goos = strdup(lines[3]);
	b->goarch = strdup(lines[5]);
	/* go's own PKG_CONFIG (the environment, else go env -w, else pkg-config). */
	b->gopkgconfig = strdup(*lines[4] ? lines[4] : "pkg-config");
	/* The environment's, else go env -w's (go env CGO_CPPFLAGS has no default). */
	b->gocppflags = strdup(lines[9]);
	cross = strcmp(lines[3], lines[6]) != 0 || strcmp(lines[5], lines[7]) != 0;
	snprintf(target, sizeof(target), "%s/%s", lines[3], lines[5]);
	snprintf(host, sizeof(host), "%s/%s", lines[6], lines[7]);
	snprintf(goenv, sizeof(goenv), "%s", lines[8]);
	gr_spawn_result_free(&r);
	b->cross = cross;
	b->cxx_set = cross && gr_b_go_env_set(b->o->env, goenv, "CXX");
	if (!b->gocc || !b->gocxx || !b->cgo || !b->goos || !b->goarch || !b->gopkgconfig || !b->gocppflags)
		return gr_b_nomem(b);
	if (!strcmp(b->goos, "darwin")) {
		/* macOS has no static executables: third-party libraries from archives,
		 * libSystem and the frameworks dynamic (docs/macos.md). Only on a Mac,
		 * where the SDK and ld64 are. */
		struct utsname u;
		if (uname(&u) != 0 || strcmp(u.sysname, "Darwin") != 0)
			return gr_b_fail(b, GR_BUILD_EENV,
			                 "GOOS=darwin: building for macOS needs a Mac (its SDK and ld64); here, use pkgconf-rewrite --target arm64-apple-macos11 (see docs/macos.md)");
		if (b->o->mode == GR_LINK_STATIC_PIE)
			return gr_b_fail(b, GR_BUILD_EUSAGE,
			                 "GOOS=darwin: macOS has no static executables; drop --static-pie (third-party libraries are linked from archives)");
		b->darwin = true;
		b->ls.darwin = true;
		b->ls.mode = GR_LINK_THIRD_PARTY;
	} else if (strcmp(b->goos, "linux") != 0) {
		return gr_b_fail(b, GR_BUILD_EENV,
		                 "GOOS=%s: gorelink builds linux and darwin targets", b->goos);
	}
	if (cross) {
		/* cmd/go turns cgo off for a cross build unless CGO_ENABLED says
		 * otherwise; gorelink needs it, and a C cross compiler. */
		/* Unless the user set CC, or the Go toolchain was built with a C
		 * compiler for the target (CC_FOR_TARGET: go env CC is then not the
		 * plain default), the host's compiler would be used. It can build
		 * for 386 on amd64 (cmd/go adds -m32), and Apple's clang for either
		 * Mac architecture (-arch). */
		bool plain = !strcmp(b->gocc, "gcc") || !strcmp(b->gocc, "clang") || !strcmp(b->gocc, "cc");
		bool m32 = !strcmp(target, "linux/386") && !strcmp(host, "linux/amd64");
		if (!b->darwin && !m32 && plain && !gr_b_go_env_set(b->o->env, goenv, "CC"))
			return gr_b_fail(b, GR_BUILD_EENV,
			                 "cross-compiling for %s on %s: set CC to a C compiler for the target (for linux/arm64 on Debian: apt-get install gcc-aarch64-linux-gnu, then CC=aarch64-linux-gnu-gcc)",
			                 target, host);
		if (strcmp(b->cgo, "1") != 0 && !gr_b_go_env_set(b->o->env, goenv, "CGO_ENABLED")) {
			char *on = strdup("1");
			if (!on)
				return gr_b_nomem(b);
			free(b->cgo);
			b->cgo = on;
			gr_b_log(b, "cgo", "on (cmd/go's default is off for a cross build; gorelink links through CC)");
		}
	}
	if (!*b->gocc)
		return gr_b_fail(b, GR_BUILD_EENV, "go env CC is empty: set CC to a C compiler");
	{
		/* cgo compiles and links with it: say so now, not after go's own error. */
		struct gr_strvec w;
		char *where = NULL;
		gr_strvec_init(&w);
		if (gr_goflags_split(b->gocc, &w, b->err) == GR_OK && w.n)
			where = gr_path_which(w.v[0], b->o->env->path);
		if (!where) {
			int frc = gr_b_fail(b, GR_BUILD_EENV,
			                    "the C compiler '%s' (go env CC) is not installed: install gcc (apt-get install gcc) or set CC",
			                    w.n ? w.v[0] : b->gocc);
			gr_strvec_deinit(&w);
			return frc;
		}
		free(where);
		gr_strvec_deinit(&w);
	}
	if (strcmp(b->cgo, "1") != 0)
		return gr_b_fail(b, GR_BUILD_EENV,
		                 "cgo is off (CGO_ENABLED=%s): gorelink links through the C toolchain, which needs cgo; "
		                 "unset CGO_ENABLED or set CGO_ENABLED=1 (a pure-Go program built with CGO_ENABLED=0 is static already)",
		                 b->cgo);
	return GR_OK;
}

/* go env: the C compilers, the target, pkg-config, the cgo flags. Its answer
 * is kept in gorelink's cache by all it depends on (gr_gocache_goenv_key),
 * once this build accepted it: a build with the same inputs runs no go env. */
static int
gr_b_go_env(struct gr_b *b)
{
	const char *av[sizeof(gr_b_goenv_words) / sizeof(gr_b_goenv_words[0]) + 2];
	struct gr_spawn_result r;
	char line[512], how[128], *key, *copy = NULL;
	size_t i, n = sizeof(gr_b_goenv_words) / sizeof(gr_b_goenv_words[0]);
	int rc;

	av[0] = b->o->go ? b->o->go : "go";
	for (i = 0; i < n; i++)
		av[i + 1] = gr_b_goenv_words[i];
	av[n + 1] = NULL;
	/* Asked with the user's own environment (gorelink's sets CGO_ENABLED=1):
	 * the key is of that environment too. */
	key = gr_gocache_goenv_key(b->o->env, av, environ);
	memset(&r, 0, sizeof(r));
	if (key && gr_gocache_goenv_get(b->o->env, key, &r.out, &r.outlen)) {
		free(key);
		r.exited = true;
		return gr_b_go_env_answer(b, r);
	}
	if ((rc = gr_b_go_capture(b, gr_b_goenv_words, n, &r, false))) {
		free(key);
		return rc;
	}
	if (!gr_spawn_ok(&r)) {
		rc = gr_b_fail(b, GR_BUILD_EENV, "go env %s: %s", gr_spawn_describe(&r, how, sizeof(how)),
		               gr_b_first_line(r.err, line, sizeof(line)));
		gr_spawn_result_free(&r);
		free(key);
		return rc;
	}
	/* Kept only when go said nothing else (a warning is said on every run);
	 * out of memory: not kept. */
	if (key && r.out && (!r.err || !*r.err) && (copy = malloc(r.outlen + 1)))
		memcpy(copy, r.out, r.outlen + 1);
	if ((rc = gr_b_go_env_answer(b, r)) == GR_OK && copy)
		gr_gocache_goenv_put(b->o->env, key, copy, r.outlen);
	free(copy);
	free(key);
	return rc;
}

/* go list -test's test main: package main, import path PKG.test. */
static bool
gr_b_is_testmain(const char *name, const char *path)
{
	size_t n = strlen(path);
	return !strcmp(name, "main") && n > 5 && !strcmp(path + n - 5, ".test");
}

/* gorelink test: the package must have tests; its directory, and go test's
 * name for its binary: the import path's last element (the one before a
 * major-version element vN; the package name for go's command-line-arguments),
 * and ".test". */
static int
gr_b_test_root(struct gr_b *b, const char *pkgname, const char *path, const char *dir, bool tests, char **name)
{
	const char *end = path + strlen(path), *slash, *elem;
	size_t n;

	if (!tests)
		return gr_b_fail(b, GR_BUILD_EUSAGE, "%s has no test files: go test -c would write no binary", path);
	if (!strcmp(path, "command-line-arguments")) {
		elem = pkgname;
		n = strlen(pkgname);
	} else {
		for (slash = end; slash > path && slash[-1] != '/'; slash--)
			;
		slash = slash > path ? slash - 1 : NULL;
		elem = slash ? slash + 1 : path;
		if (slash && elem[0] == 'v' && elem[1] && strspn(elem + 1, "0123456789") == strlen(elem + 1)) {
			end = slash;
			for (slash = end; slash > path && slash[-1] != '/'; slash--)
				;
			slash = slash > path ? slash - 1 : NULL;
			elem = slash ? slash + 1 : path;
		}
		n = (size_t)(end - elem);
	}
	free(*name);
	free(b->res->pkg_dir);
	*name = malloc(n + 6);
	b->res->pkg_dir = strdup(dir);
	if (!*name || !b->res->pkg_dir)
		return gr_b_nomem(b);
	snprintf(*name, n + 6, "%.*s.test", (int)n, elem);
	return GR_OK;
}

/* go list: the package must be one main package; its default binary name and
 * whether any package in the build has C++ files (then CXX links). */
static int
gr_b_go_list(struct gr_b *b, char **name)
{
	const char **words;
	struct gr_spawn_result r;
	char *tags = NULL, *p, *line, buf[512], how[128];
	size_t i, nw = 0, roots = 0;
	int rc;

	*name = NULL;
	/* go list takes the same build flags as go build (-mod, -C, -overlay...). */
	words = calloc(8 + b->gf.pass.n, sizeof(*words));
	if (!words)
		return gr_b_nomem(b);
	words[nw++] = "list";
	for (i = 0; i < b->gf.pass.n; i++)
		words[nw++] = b->gf.pass.v[i];
	words[nw++] = "-deps";
	if (b->o->test)
		words[nw++] = "-test";  /* the test variants and their imports too */
	if (b->res->tags.n) {
		size_t len = 7;
		for (i = 0; i < b->res->tags.n; i++)
			len += strlen(b->res->tags.v[i]) + 1;
		if (!(tags = malloc(len))) {
			free(words);
			return gr_b_nomem(b);
		}
		snprintf(tags, len, "-tags=");
		for (i = 0; i < b->res->tags.n; i++) {
			size_t at = strlen(tags);
			snprintf(tags + at, len - at, "%s%s", i ? "," : "", b->res->tags.v[i]);
		}
		words[nw++] = tags;
	}
	words[nw++] = "-f";
	words[nw++] = "{{if not .DepOnly}}root\t{{.Name}}\t{{.ImportPath}}\t{{.Target}}\t{{.Dir}}\t"
	              "{{if or .TestGoFiles .XTestGoFiles}}tests{{end}}\n{{end}}{{if .CXXFiles}}cxx\n{{end}}"
	                   "{{range .CgoLDFLAGS}}{{if or (eq . \"-lstdc++\") (eq . \"-lc++\")}}cxx\n{{end}}{{end}}";
	words[nw++] = b->o->package;
	rc = gr_b_go_capture(b, words, nw, &r, true);
	free(tags);
	free(words);
	if (rc)
		return rc;
	if (!gr_spawn_ok(&r)) {
		rc = gr_b_fail(b, GR_BUILD_EGO, "%s: %s", b->o->package,
		               gr_b_first_line(r.err, buf, sizeof(buf)));
		(void)how;
		gr_spawn_result_free(&r);
		return rc;
	}
	for (line = r.out; line && *line; line = p) {
		p = strchr(line, '\n');
		if (p)
			*p++ = '\0';
		if (!strcmp(line, "cxx")) {
			b->cxx = true;
		} else if (!strncmp(line, "root\t", 5)) {
			char *f1 = line + 5, *f2 = strchr(f1, '\t'), *f3 = f2 ? strchr(f2 + 1, '\t') : NULL;
			char *f4 = f3 ? strchr(f3 + 1, '\t') : NULL, *f5 = f4 ? strchr(f4 + 1, '\t') : NULL;
			const char *base;
			if (!f2 || !f3 || !f4 || !f5) {
				roots++;
				continue;
			}
			/* Name, ImportPath, Target, Dir, "tests" or "". */
			*f2++ = '\0';
			*f3++ = '\0';
			*f4++ = '\0';
			*f5++ = '\0';
			if (b->o->test && (strstr(f2, " [") || gr_b_is_testmain(f1, f2)))
				continue;  /* go list -test: the test variants of the package, and its test main */
			roots++;
			if (b->o->test) {
				rc = gr_b_test_root(b, f1, f2, f4, !strcmp(f5, "tests"), name);
				if (rc)
					break;
				continue;
			}
			if (strcmp(f1, "main") != 0) {
				rc = gr_b_fail(b, GR_BUILD_EUSAGE,
				               "%s is package %s, not a main package: gorelink builds executables", f2, f1);
				break;
			}
			/* go build names the binary after the install target, or the import path. */
			base = *f3 ? strrchr(f3, '/') : strrchr(f2, '/');
			base = base ? base + 1 : (*f3 ? f3 : f2);
			free(*name);
			if (!(*name = strdup(base))) {
				rc = gr_b_nomem(b);
				break;
			}
		}
	}
	gr_spawn_result_free(&r);
	if (rc == GR_OK && roots != 1)
		rc = gr_b_fail(b, GR_BUILD_EUSAGE,
		               "%s names %s packages; gorelink %s one %spackage at a time",
		               b->o->package, roots ? "several" : "no", b->o->test ? "test builds" : "builds",
		               b->o->test ? "" : "main ");
	if (rc == GR_OK && !*name)
		rc = gr_b_fail(b, GR_BUILD_EGO, "go list printed nothing usable for %s", b->o->package);
	return rc;
}

/* ---- the environment and the helpers -------------------------------------- */

/* The -l names that stay dynamic, whose packages then contribute their
 * shared-link flags only (gorelink(1), "Partly dynamic builds"):
 * --allow-dynamic and the preset's, and in third-party mode the system
 * libraries. */
static int
gr_b_dynamic_names(const struct gr_b *b, struct gr_strvec *out)
{
	size_t i;

	if (gr_strvec_extend(out, &b->ls.allow))
		return GR_ENOMEM;
	if (b->ls.mode != GR_LINK_THIRD_PARTY || b->ls.darwin)
		return GR_OK;
	if (b->ls.system_libs.n)
		return gr_strvec_extend(out, &b->ls.system_libs) ? GR_ENOMEM : GR_OK;
	for (i = 0; i < gr_rw_ndefault_system_libs; i++)
		if (gr_strvec_push(out, gr_rw_default_system_libs[i]))
			return GR_ENOMEM;
	return GR_OK;
}

/* The names of gr_b_dynamic_names, each followed by a newline (malloc'd; "" when none). */
static char *
gr_b_dynamic_list(const struct gr_b *b)
{
	struct gr_strvec names;
	size_t i, len = 1;
	char *s = NULL;

	gr_strvec_init(&names);
	if (gr_b_dynamic_names(b, &names) == GR_OK) {
		for (i = 0; i < names.n; i++)
			len += strlen(names.v[i]) + 1;
		if ((s = malloc(len)) != NULL) {
			size_t at = 0;
			for (i = 0; i < names.n; i++)
				at += (size_t)snprintf(s + at, len - at, "%s\n", names.v[i]);
			s[at] = '\0';
		}
	}
	gr_strvec_deinit(&names);
	return s;
}

/* CGO_CPPFLAGS for go build: the user's (go env) and -DGORELINK_PKGCONFIG=KEY
 * (relink/gr_gocache), so that go keys the cgo packages it compiles for
 * gorelink on what gorelink-pkg-config answers: a package compiled by a plain
 * go build (dynamic pkg-config flags), or with other .pc files, is not reused,
 * and gorelink's packages are not reused by plain builds. Called with b->env
 * holding the user's environment, the one pkg-config runs with. */
static int
gr_b_cache_key(struct gr_b *b)
{
	struct gr_gocache_stats st;
	struct gr_strvec words;
	char *pcpath = NULL, *v = NULL, *flags, detail[128];
	int rc;

	gr_b_log(b, "go env", b->gocc);  /* the time up to here, apart from the key's */
	gr_strvec_init(&words);
	if (gr_goflags_split(b->gopkgconfig, &words, b->err) || !words.n) {
		gr_strvec_deinit(&words);
		return words.n ? gr_b_class(b, GR_BUILD_EENV)
		               : gr_b_fail(b, GR_BUILD_EENV, "go env PKG_CONFIG is empty");
	}
	if ((rc = gr_gocache_pc_path(b->o->env, gr_strvec_argv(&words), gr_strvec_argv(&b->env), &pcpath, b->err)) ||
	    (rc = gr_gocache_key_cached(b->o->env, gr_strvec_argv(&words), b->o->env->path, gr_strvec_argv(&b->env),
	                                pcpath, b->res->cache_key, &st, b->err))) {
		gr_strvec_deinit(&words);
		free(pcpath);
		return gr_b_class(b, GR_BUILD_EENV);
	}
	gr_strvec_deinit(&words);
	free(pcpath);
	if ((flags = gr_gocache_cppflags(b->gocppflags, b->res->cache_key)) != NULL) {
		/* The shim's answers drop the private dependencies of the libraries
		 * kept dynamic (GORELINK_DYNAMIC): those names are part of the key. */
		char *dyn = gr_b_dynamic_list(b), *f2 = NULL;
		if (dyn && *dyn) {
			/* gorelink's version too: what the shim leaves out may change with it. */
			unsigned long long h = gr_hash_bytes(gr_hash_bytes(GR_HASH_INIT, GR_VERSION, strlen(GR_VERSION)),
			                                     dyn, strlen(dyn));
			if ((f2 = malloc(strlen(flags) + 40)) != NULL)
				snprintf(f2, strlen(flags) + 40, "%s -DGORELINK_DYNAMIC=%016llx", flags, h);
			free(flags);
			flags = f2;
		} else if (!dyn) {
			free(flags);
			flags = NULL;
		}
		free(dyn);
	}
	if (!flags ||
	    !(v = gr_b_join("CGO_CPPFLAGS=", "", flags)) || gr_strvec_push(&b->env, v)) {
		free(flags);
		free(v);
		return gr_b_nomem(b);
	}
	free(flags);
	free(v);
	snprintf(detail, sizeof(detail), "%s: %zu .pc files, %lld bytes, in %zu directories",
	         b->res->cache_key, st.files, st.bytes, st.dirs);
	gr_b_log(b, "cache key", detail);
	return GR_OK;
}

/* environ without the names gorelink sets, then those. The helpers are
 * found through PATH by their fixed names, so that the -extld that Go records
 * (build info, the link's cache key) and PKG_CONFIG are the same on every run
 * and every machine: the binary and Go's build cache stay reproducible. Go
 * keys no package on PKG_CONFIG: the CGO_CPPFLAGS mark does that job. */
static int
gr_b_environment(struct gr_b *b, const char *state)
{
	static const char *const ours[] = { "PKG_CONFIG=", "GORELINK_REAL_PKG_CONFIG=",
	                                    "GORELINK_LINK_STATE=", "GORELINK_PKG_LOG=", "CGO_ENABLED=",
	                                    "PATH=", "TMPDIR=", "CGO_CPPFLAGS=", "GORELINK_DYNAMIC=" };
	const char *real = b->gopkgconfig, *path = b->o->env->path;
	char **e;
	char *v = NULL, *p2 = NULL;
	size_t i;
	int rc;

	for (e = environ; *e; e++) {
		bool skip = false;
		for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			if (!strncmp(*e, ours[i], strlen(ours[i])))
				skip = true;
		if (!skip && gr_strvec_push(&b->env, *e))
			return gr_b_nomem(b);
	}
	/* gorelink's mark in go's cache keys, from the environment pkg-config sees. */
	if ((rc = gr_b_cache_key(b)))
		return rc;
	/* The real pkg-config, found on the user's PATH before the helpers come first. */
	if (!(v = gr_b_join("GORELINK_REAL_PKG_CONFIG=", "", real && *real ? real : "pkg-config")) ||
	    gr_strvec_push(&b->env, v))
		goto nomem;
	free(v);
	if (!(p2 = gr_b_join(b->helpdir, path && *path ? ":" : "", path ? path : "")) ||
	    !(v = gr_b_join("PATH=", "", p2)) || gr_strvec_push(&b->env, v))
		goto nomem;
	free(v);
	free(p2);
	p2 = NULL;
	if (gr_strvec_push(&b->env, "PKG_CONFIG=gorelink-pkg-config"))
		return gr_b_nomem(b);
	/* The libraries kept dynamic: the shim leaves their private dependencies out. */
	{
		char *dyn = gr_b_dynamic_list(b);
		if (!dyn)
			return gr_b_nomem(b);
		if (*dyn && (!(v = gr_b_join("GORELINK_DYNAMIC=", "", dyn)) || gr_strvec_push(&b->env, v))) {
			free(dyn);
			goto nomem;
		}
		if (*dyn)
			free(v);
		v = NULL;
		free(dyn);
	}
	if (!(v = gr_b_join("GORELINK_PKG_LOG=", b->helpdir, "/pkgs")) || gr_strvec_push(&b->env, v))
		goto nomem;
	free(v);
	if (!(v = gr_b_join(GR_LINKSTATE_ENV, "=", state)) || gr_strvec_push(&b->env, v))
		goto nomem;
	free(v);
	if (gr_strvec_push(&b->env, "CGO_ENABLED=1"))
		return gr_b_nomem(b);
	/* go's work dir, cmd/link's go-link-* and the compiler's temporary files go
	 * inside the helper directory, so that they go with it even when go build
	 * is stopped before it can clean up (not a cache-key input for go). */
	if (!(v = gr_b_join("TMPDIR=", b->helpdir, "/tmp")) || gr_strvec_push(&b->env, v))
		goto nomem;
	free(v);
	return GR_OK;
nomem:
	free(v);
	free(p2);
	return gr_b_nomem(b);
}

/* This program's own path, for the helper links. */
static char *
gr_b_self(const struct gr_env *env)
{
	return env->self[0] ? strdup(env->self) : NULL;
}

/* A private directory with gorelink-ld, gorelink-pkg-config and
 * gorelink-guard (links to this program), the link state and the link report. */
static int
gr_b_helpers(struct gr_b *b, char **ld, char **shim, char **state)
{
	const char *tmp = b->o->env->tmpdir;
	char *self = gr_b_self(b->o->env);
	int e;

	*ld = *shim = *state = NULL;
	if (!self)
		return gr_b_fail(b, GR_BUILD_EENV, "cannot find this program's own path in /proc/self/exe");
	b->helpdir = gr_b_join(tmp && *tmp ? tmp : "/tmp", "/", "gorelink-XXXXXX");
	if (!b->helpdir || !mkdtemp(b->helpdir)) {
		e = errno;
		free(self);
		if (b->helpdir) {
			free(b->helpdir);
			b->helpdir = NULL;
			return gr_b_fail(b, GR_BUILD_EENV, "cannot make a temporary directory: %s", strerror(e));
		}
		return gr_b_nomem(b);
	}
	if (b->helpdir[0] != '/') {
		/* A relative TMPDIR: go build and the helpers run elsewhere (-C, the
		 * package's directory), so every path into it must be absolute. */
		char *abs = realpath(b->helpdir, NULL);
		if (!abs) {
			e = errno;
			rmdir(b->helpdir);
			free(self);
			return gr_b_fail(b, GR_BUILD_EENV, "%s: %s", b->helpdir, strerror(e));
		}
		free(b->helpdir);
		b->helpdir = abs;
	}
	*ld = gr_b_join(b->helpdir, "/", "gorelink-ld");
	*shim = gr_b_join(b->helpdir, "/", "gorelink-pkg-config");
	*state = gr_b_join(b->helpdir, "/", "state");
	b->ls.report = gr_b_join(b->helpdir, "/", "report");
	b->guard = gr_b_join(b->helpdir, "/", "gorelink-guard");
	if (!*ld || !*shim || !*state || !b->ls.report || !b->guard) {
		free(self);
		return gr_b_nomem(b);
	}
	{
		char *tmpdir = gr_b_join(b->helpdir, "/", "tmp");
		if (!tmpdir || mkdir(tmpdir, 0700) != 0) {
			e = tmpdir ? errno : ENOMEM;
			free(tmpdir);
			free(self);
			return gr_b_fail(b, GR_BUILD_EENV, "%s/tmp: %s", b->helpdir, strerror(e));
		}
		free(tmpdir);
	}
	{
		/* The pkg-config shims append to it (GORELINK_PKG_LOG); it starts with its version line. */
		char *log = gr_b_join(b->helpdir, "/", "pkgs");
		int lrc = log ? gr_pkglog_create(log, b->err) : GR_ENOMEM;
		b->ls.pkglog = log;  /* the link wrapper reads it: what #cgo pkg-config: accounts for */
		if (lrc) {
			free(self);
			return gr_b_class(b, GR_BUILD_EENV);
		}
	}
	if (symlink(self, *ld) != 0 || symlink(self, *shim) != 0 || symlink(self, b->guard) != 0) {
		e = errno;
		free(self);
		return gr_b_fail(b, GR_BUILD_EENV, "%s: %s", b->helpdir, strerror(e));
	}
	free(self);
	return GR_OK;
}

static int
gr_b_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
gr_b_cleanup(struct gr_b *b)
{
	if (b->tmpout)
		unlink(b->tmpout);
	if (b->outtmpdir)
		nftw(b->outtmpdir, gr_b_rm, 8, FTW_DEPTH | FTW_PHYS);
	if (b->helpdir)
		nftw(b->helpdir, gr_b_rm, 8, FTW_DEPTH | FTW_PHYS);
	gr_kit_remove(b->kit_stage);  /* a kit that did not go in place, or the one it replaced */
}

/* Whether the line [p, end) is cmd/link's dump of a failed external link:
 * the linker's path, gorelink-ld, then its arguments on one line. */
static bool
gr_b_is_dump(const char *p, const char *end)
{
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	size_t n = sp ? (size_t)(sp - p) : 0;

	return sp && n >= 11 && !memcmp(sp - 11, "gorelink-ld", 11) && (n == 11 || sp[-12] == '/');
}

int
gr_build_split_dump(const char *text, size_t len, char **brief, char **dump)
{
	const char *p = text, *end = text + len;
	static const char note[] = "(the link command: see -v or --json)\n";
	size_t nb = 0, nd = 0;

	*brief = malloc(len + sizeof(note) * 4 + 1);
	*dump = malloc(len + 1);
	if (!*brief || !*dump) {
		free(*brief);
		free(*dump);
		*brief = *dump = NULL;
		return GR_ENOMEM;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		if (gr_b_is_dump(p, nl ? nl : end)) {
			memcpy(*dump + nd, p, (size_t)(le - p));
			nd += (size_t)(le - p);
			/* One note, however many dumps (each link that failed has one). */
			if (nd == (size_t)(le - p)) {
				memcpy(*brief + nb, note, sizeof(note) - 1);
				nb += sizeof(note) - 1;
			}
		} else {
			memcpy(*brief + nb, p, (size_t)(le - p));
			nb += (size_t)(le - p);
		}
		p = le;
	}
	(*brief)[nb] = '\0';
	(*dump)[nd] = '\0';
	if (!nd) {
		free(*dump);
		*dump = NULL;
	}
	return GR_OK;
}

/* What go build wrote on stderr (in the file at fd), into the result: as
 * written, and without cmd/link's dump of the failed link command. */
static void
gr_b_go_stderr(struct gr_b *b, int fd)
{
	struct gr_build_result *res = b->res;
	char *text = NULL, *np;
	size_t len = 0, cap = 0;
	ssize_t got;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return;
	for (;;) {
		if (len + 4096 > cap) {
			if (!(np = realloc(text, cap = (cap ? cap * 2 : 8192)))) {
				free(text);
				return;
			}
			text = np;
		}
		got = read(fd, text + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	if (!text)
		return;
	text[len] = '\0';
	free(res->go_stderr);
	free(res->go_stderr_brief);
	free(res->link_dump);
	res->go_stderr = text;
	res->go_stderr_brief = res->link_dump = NULL;
	if (gr_build_split_dump(text, len, &res->go_stderr_brief, &res->link_dump) != GR_OK)
		res->go_stderr_brief = res->link_dump = NULL;
}

/* Run go build under gorelink-guard: if this process is killed outright
 * (SIGKILL), the guard sees the pipe close, kills go build's process group
 * and removes the helper directory and the temporary directory beside OUT. */
static int
gr_b_run_go(struct gr_b *b, struct gr_spawn_result *r)
{
	struct gr_strvec av;
	struct gr_spawn_watch w;
	int pfd[2], rc, e, efd;
	size_t i;
	char *epath;

	gr_strvec_init(&av);
	if (gr_strvec_push(&av, b->guard) || gr_strvec_push(&av, "--rm") || gr_strvec_push(&av, b->helpdir) ||
	    (b->outtmpdir && (gr_strvec_push(&av, "--rm") || gr_strvec_push(&av, b->outtmpdir))) ||
	    gr_strvec_push(&av, "--")) {
		gr_strvec_deinit(&av);
		return gr_b_nomem(b);
	}
	for (i = 0; i < b->res->go_argv.n; i++)
		if (gr_strvec_push(&av, b->res->go_argv.v[i])) {
			gr_strvec_deinit(&av);
			return gr_b_nomem(b);
		}
	if (pipe(pfd) != 0) {
		e = errno;
		gr_strvec_deinit(&av);
		return gr_error_set(b->err, GR_EIO, e, "cannot create a pipe: %s", strerror(e));
	}
	/* Only gorelink holds the write end: no other child may inherit it. */
	if (fcntl(pfd[1], F_SETFD, FD_CLOEXEC) != 0 || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) != 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		gr_strvec_deinit(&av);
		return gr_error_set(b->err, GR_EIO, e, "cannot set up a pipe: %s", strerror(e));
	}
	memset(&w, 0, sizeof(w));
	w.tick = b->o->progress ? gr_b_tick : NULL;
	w.ctx = b;
	w.stop = b->o->stop;
	w.fd3 = pfd[0];
	w.name = b->res->go_argv.v[0];
	/* go build's stderr goes to a file, shown by the caller once it is done
	 * (cmd/link's one-line dump of a failed link command set apart). */
	epath = gr_b_join(b->helpdir, "/", "go-stderr");
	efd = epath ? open(epath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	free(epath);
	w.fd2 = efd > 3 ? efd : -1;
	rc = gr_spawn_run_ticking(gr_strvec_argv(&av), gr_strvec_argv(&b->env), &w, r, b->err);
	if (efd >= 0) {
		gr_b_go_stderr(b, efd);
		close(efd);
	}
	close(pfd[0]);
	close(pfd[1]);
	gr_strvec_deinit(&av);
	return rc;
}

static int gr_b_note_dropped(struct gr_b *b, const char *const *pkgs, size_t n, struct gr_strvec *skip);

/* What the #cgo pkg-config: answers left out (the shim's GORELINK_DYNAMIC):
 * the packages cmd/go asked about, from the pkg-config log; when go build
 * reused its cgo results the shim did not run, and the packages an earlier
 * run of the same build recorded (cache kind "dynpkgs") stand in. */
static int
gr_b_dropped(struct gr_b *b)
{
	struct gr_strvec pkgs;
	struct gr_error e;
	char *key = NULL, *dyn = gr_b_dynamic_list(b), *data = NULL;
	size_t i, len = 0, klen;
	int rc = GR_OK;

	if (!dyn)
		return gr_b_nomem(b);
	if (!*dyn) {
		free(dyn);
		return GR_OK;
	}
	gr_strvec_init(&pkgs);
	if (b->ls.pkglog && gr_pkglog_read(b->ls.pkglog, &pkgs, &e) != GR_OK) {
		gr_strvec_deinit(&pkgs);
		gr_strvec_init(&pkgs);
	}
	/* The key: the .pc files' digest, the dynamic names, the package and go's flags. */
	klen = strlen(b->res->cache_key) + strlen(dyn) + strlen(b->o->package ? b->o->package : "") + 8;
	for (i = 0; i < b->o->ngoargs; i++)
		klen += strlen(b->o->goargs[i]) + 1;
	if ((key = malloc(klen)) != NULL) {
		size_t at = (size_t)snprintf(key, klen, "%s\n%s%s\n", b->res->cache_key, dyn,
		                             b->o->package ? b->o->package : "");
		for (i = 0; i < b->o->ngoargs && at < klen; i++)
			at += (size_t)snprintf(key + at, klen - at, "%s\n", b->o->goargs[i]);
	}
	if (pkgs.n && key) {
		size_t dl = 1;
		char *d;
		for (i = 0; i < pkgs.n; i++)
			dl += strlen(pkgs.v[i]) + 1;
		if ((d = malloc(dl)) != NULL) {
			size_t at = 0;
			d[0] = '\0';
			for (i = 0; i < pkgs.n && at < dl; i++)
				at += (size_t)snprintf(d + at, dl - at, "%s\n", pkgs.v[i]);
			(void)gr_cache_put(b->o->env, "dynpkgs", key, d, strlen(d), &e);  /* only costs the report */
			free(d);
		}
	} else if (key && gr_cache_get(b->o->env, "dynpkgs", key, &data, &len) == GR_OK) {
		char *p = data, *nl;
		while (!rc && (nl = strchr(p, '\n')) != NULL) {
			if (nl > p && gr_strvec_pushn(&pkgs, p, (size_t)(nl - p)))
				rc = GR_ENOMEM;
			p = nl + 1;
		}
	}
	/* All the packages together: a library that one cgo package's answer
	 * left out but another's links statically is not dropped from the link. */
	if (!rc && pkgs.n)
		rc = gr_b_note_dropped(b, (const char *const *)pkgs.v, pkgs.n, NULL);
	/* And what inferred closures left out (the link wrapper's report), each name once. */
	for (i = 0; !rc && i < b->res->link.ndropped; i++) {
		const struct gr_rec_dropped *d = &b->res->link.dropped[i];
		bool again = false;
		for (size_t k = 0; k < b->res->dropped.n && !again; k += 2)
			again = !strcmp(b->res->dropped.v[k], d->lib);
		if (!again && (gr_strvec_push(&b->res->dropped, d->lib) || gr_strvec_push(&b->res->dropped, d->via ? d->via : "?")))
			rc = GR_ENOMEM;
	}
	free(data);
	free(key);
	free(dyn);
	gr_strvec_deinit(&pkgs);
	return rc ? gr_b_nomem(b) : GR_OK;
}

/* What gorelink-ld recorded about the final link (no report: nothing was linked). */
static int
gr_b_read_report(struct gr_b *b, bool *linked)
{
	int rc;

	*linked = false;
	gr_link_report_deinit(&b->res->link);
	rc = gr_link_report_read(b->ls.report, &b->res->link, b->err);
	if (rc == GR_EIO && b->err->sys_errno == ENOENT)
		return GR_OK;
	if (rc)
		return gr_b_class(b, GR_BUILD_EENV);
	*linked = true;
	return GR_OK;
}

/* ---- verifying and moving into place ------------------------------------------ */

int
gr_build_third_party_allow(const char *const *names, size_t n, struct gr_strvec *out)
{
	static const char *const libc[] = {
		"libc.so.*", "libm.so.*", "libpthread.so.*", "libdl.so.*", "librt.so.*",
		"libresolv.so.*", "libutil.so.*", "libanl.so.*", "libcrypt.so.*", "libnsl.so.*",
		"libmvec.so.*", "libBrokenLocale.so.*", "libthread_db.so.*", "libnss_*.so.*",
		"libgcc_s.so.*", "libatomic.so.*", "libstdc++.so.*", "ld-linux*.so.*", "ld64.so.*", "ld.so.*",
	};
	size_t i;
	char buf[512];

	for (i = 0; i < sizeof(libc) / sizeof(libc[0]); i++)
		if (gr_strvec_push(out, libc[i]))
			return GR_ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "lib%s.so*", names[i]);
		if (gr_strvec_push(out, buf))
			return GR_ENOMEM;
	}
	return GR_OK;
}

static int gr_b_go_ask(struct gr_b *b, const char *const *words, size_t n, struct gr_spawn_result *r);
static char *gr_b_tags_word(struct gr_b *b, bool default_tags);

/* --max-version failed: the Go packages of the cgo objects the link wrapper
 * found referring to too-new symbols (go list -deps, cached; gr_floorref).
 * Without an answer they stay unnamed; only running out of memory is an error. */
static int
gr_b_floorref_packages(struct gr_b *b)
{
	struct gr_spawn_result r;
	struct gr_error e;
	char *tags;
	size_t i;
	bool cgo = false;
	int rc;

	for (i = 0; i < b->res->link.nfloorrefs; i++)
		cgo = cgo || !strcmp(b->res->link.floorrefs[i].kind, "cgo");
	if (!cgo)
		return GR_OK;
	if (!(tags = gr_b_tags_word(b, false)))
		return gr_b_nomem(b);
	{
		const char *words[] = { "list", "-deps", tags, "-f", GR_FLOORREF_GOLIST_FORMAT, b->o->package };
		rc = gr_b_go_ask(b, words, 6, &r);
	}
	free(tags);
	if (rc)
		return rc;
	if (gr_spawn_ok(&r) && r.out && gr_floorref_resolve(&b->res->link, r.out, &e) != GR_OK)
		rc = gr_b_nomem(b);
	gr_spawn_result_free(&r);
	return rc;
}

/* Whether every problem that fails the image is a symbol version above a --max-version. */
static bool
gr_b_only_versions(const struct gr_image *im)
{
	for (size_t i = 0; i < im->nproblems; i++)
		if (!im->problems[i].finding && strcmp(im->problems[i].code, "symbol-version") != 0)
			return false;
	return true;
}

/* The binary this build checks: OUT itself when go build judged a stand-in
 * of it up to date, else the one go build wrote. */
static const char *
gr_b_binary(const struct gr_b *b)
{
	return b->standin && b->res->up_to_date ? b->res->out : b->tmpout;
}

static int
gr_b_verify(struct gr_b *b)
{
	struct gr_strvec allow;
	struct gr_policy pol = { .allow = NULL, .nallow = 0, .maxver = b->o->maxver, .nmaxver = b->o->nmaxver };
	struct gr_report *r = NULL;
	struct stat st;
	enum gr_verdict want = b->o->mode == GR_LINK_STATIC_PIE ? GR_V_STATIC_PIE : GR_V_STATIC;
	int rc;

	gr_strvec_init(&allow);
	if (b->darwin) {
		/* The Mach-O check itself allows only the system's dylibs; --allow-dynamic adds. */
		size_t i;
		char buf[512];
		for (i = 0; i < b->ls.allow.n; i++) {
			snprintf(buf, sizeof(buf), "lib%s*.dylib", b->ls.allow.v[i]);
			if (gr_strvec_push(&allow, buf)) {
				gr_strvec_deinit(&allow);
				return gr_b_nomem(b);
			}
		}
		pol.allow = (const char *const *)allow.v;
		pol.nallow = allow.n;
	} else if (b->o->mode == GR_LINK_THIRD_PARTY) {
		size_t i;
		if (gr_build_third_party_allow(b->o->allow, b->o->nallow, &allow) ||
		    gr_build_third_party_allow((const char *const *)b->ls.allow.v, b->ls.allow.n, &allow)) {
			gr_strvec_deinit(&allow);
			return gr_b_nomem(b);
		}
		/* A shared library --fix named (-lNAME, -l:SONAME: one a library of
		 * the link loads anyway, or a system library) is allowed too. */
		for (i = 0; i < b->res->link.nfixes; i++) {
			const struct gr_rec_fix *x = &b->res->link.fixes[i];
			char buf[512];
			if (x->archive || !x->lname)
				continue;
			if (x->lname[0] == ':')
				snprintf(buf, sizeof(buf), "%s", x->lname + 1);
			else
				snprintf(buf, sizeof(buf), "lib%s.so*", x->lname);
			if (gr_strvec_push(&allow, buf)) {
				gr_strvec_deinit(&allow);
				return gr_b_nomem(b);
			}
		}
		pol.allow = (const char *const *)allow.v;
		pol.nallow = allow.n;
	}
	rc = gr_check_path(gr_b_binary(b), &pol, &r, b->err);
	gr_strvec_deinit(&allow);
	if (rc)
		return gr_b_class(b, GR_BUILD_EVERDICT);
	b->res->check = r;
	if (stat(gr_b_binary(b), &st) == 0)
		b->res->size = (long long)st.st_size;
	if (b->standin && b->res->up_to_date) {
		/* What was checked is what the record vouched for: OUT has not
		 * changed since before the record was looked up. */
		char now[256];
		gr_uptodate_ident(b->res->out, now, sizeof(now), NULL);
		if (strcmp(now, b->out_ident) != 0)
			return gr_b_fail(b, GR_BUILD_EENV, "%s changed while gorelink checked it; run the build again",
			                 b->res->out);
	}
	if (!r->pass && b->o->nmaxver && r->nimages == 1 && r->images[0].nproblems && gr_b_only_versions(&r->images[0]) &&
	    (rc = gr_b_floorref_packages(b)) == GR_OK)
		return gr_b_fail(b, GR_BUILD_EVERDICT, "the linked binary needs symbol versions newer than --max-version allows; see the check below");
	if (!r->pass || (!b->darwin && b->o->mode != GR_LINK_THIRD_PARTY && r->verdict != want))
		return gr_b_fail(b, GR_BUILD_EVERDICT,
		                 "the linked binary is %s, not what --%s promises; see the check below",
		                 gr_verdict_name(r->verdict), gr_link_mode_name(b->o->mode));
	return GR_OK;
}

/* OUT: -o (gorelink's or go build's), an existing directory taking go build's
 * default name inside it, or that name in the current directory. The name is
 * learnt from go build itself (it writes into a directory given as -o DIR/). */
static int
gr_b_out(struct gr_b *b)
{
	const char *o = b->o->out ? b->o->out : b->gf.out;
	struct stat st;

	if (o && !*o)
		return gr_b_fail(b, GR_BUILD_EUSAGE, "-o is empty: name the output file or directory");
	if (b->o->out && b->gf.out && strcmp(b->o->out, b->gf.out) != 0)
		return gr_b_fail(b, GR_BUILD_EUSAGE, "two outputs: -o %s and go build's -o %s", b->o->out,
		                 b->gf.out);
	if (o && !(stat(o, &st) == 0 && S_ISDIR(st.st_mode))) {
		b->res->out = strdup(o);
		return b->res->out ? GR_OK : gr_b_nomem(b);
	}
	b->outdir = strdup(o ? o : ".");
	return b->outdir ? GR_OK : gr_b_nomem(b);
}

/* A temporary directory beside OUT: the binary is renamed from there. */
static int
gr_b_outtmp(struct gr_b *b)
{
	char *dir = strdup(b->res->out ? b->res->out : b->outdir), *slash;
	int e;

	if (!dir)
		return gr_b_nomem(b);
	slash = b->res->out ? strrchr(dir, '/') : NULL;
	if (slash)
		slash[1] = '\0';
	b->outtmpdir = b->res->out ? gr_b_join(slash ? dir : "", "", ".gorelink-XXXXXX")
	                           : gr_b_join(dir, "/", ".gorelink-XXXXXX");
	if (!b->outtmpdir) {
		free(dir);
		return gr_b_nomem(b);
	}
	if (!mkdtemp(b->outtmpdir)) {
		e = errno;
		free(b->outtmpdir);
		b->outtmpdir = NULL;
		e = gr_b_fail(b, GR_BUILD_EENV, "cannot write in %s: %s (choose another -o)",
		              b->res->out ? (slash ? dir : ".") : b->outdir, strerror(e));
		free(dir);
		return e;
	}
	free(dir);
	/* Absolute, since go build resolves -o inside the directory of a -C DIR. */
	if (b->outtmpdir[0] != '/') {
		char *abs = realpath(b->outtmpdir, NULL);
		if (!abs) {
			e = errno;
			rmdir(b->outtmpdir);
			return gr_b_fail(b, GR_BUILD_EENV, "%s: %s", b->outtmpdir, strerror(e));
		}
		free(b->outtmpdir);
		b->outtmpdir = abs;
	}
	if (b->res->out) {
		slash = strrchr(b->res->out, '/');
		b->tmpout = gr_b_join(b->outtmpdir, "/", slash ? slash + 1 : b->res->out);
	} else {
		b->tmpout = gr_b_join(b->outtmpdir, "/", "");  /* go build -o DIR/ names it */
	}
	return b->tmpout ? GR_OK : gr_b_nomem(b);
}

/* After go build -o DIR/: the one binary it wrote names OUT. */
/* The first name in the output's temporary directory (malloc'd, or NULL)
 * and how many entries it holds in *n; -1 when it cannot be read (errno). */
static int
gr_b_outtmp_entry(const struct gr_b *b, char **name, size_t *n)
{
	DIR *d = opendir(b->outtmpdir);
	struct dirent *de;

	*name = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		(*n)++;
		if (!*name)
			*name = strdup(de->d_name);
	}
	closedir(d);
	return 0;
}

static int
gr_b_learn_name(struct gr_b *b)
{
	char *name;
	size_t n;

	if (gr_b_outtmp_entry(b, &name, &n) != 0)
		return gr_b_fail(b, GR_BUILD_EGO, "%s: %s", b->outtmpdir, strerror(errno));
	if (n != 1 || !name) {
		free(name);
		return gr_b_fail(b, GR_BUILD_EUSAGE,
		                 "%s built %zu binaries; gorelink builds one main package at a time", b->o->package, n);
	}
	free(b->tmpout);
	b->tmpout = gr_b_join(b->outtmpdir, "/", name);
	{
		size_t l = strlen(b->outdir);
		b->res->out = !strcmp(b->outdir, ".") ? strdup(name)
		              : gr_b_join(b->outdir, l && b->outdir[l - 1] == '/' ? "" : "/", name);
	}
	free(name);
	return b->tmpout && b->res->out ? GR_OK : gr_b_nomem(b);
}

/* o->install_version: GOBIN=OUTTMPDIR for go install, in place of any GOBIN
 * of the environment (the first of two would win). */
static int
gr_b_install_env(struct gr_b *b)
{
	char *v = gr_b_join("GOBIN=", "", b->outtmpdir);
	size_t i;

	if (!v)
		return gr_b_nomem(b);
	for (i = 0; i < b->env.n; i++)
		if (!strncmp(b->env.v[i], "GOBIN=", 6)) {
			free(b->env.v[i]);
			b->env.v[i] = v;
			return GR_OK;
		}
	i = gr_strvec_push(&b->env, v) ? 1 : 0;
	free(v);
	return i ? gr_b_nomem(b) : GR_OK;
}

/* After go install PACKAGE@VERSION: the one binary it wrote in GOBIN (the
 * temporary directory) becomes TMPOUT. */
static int
gr_b_installed(struct gr_b *b)
{
	char *name, *from;
	size_t n;
	int e;

	if (gr_b_outtmp_entry(b, &name, &n) != 0)
		return gr_b_fail(b, GR_BUILD_EGO, "%s: %s", b->outtmpdir, strerror(errno));
	if (n != 1 || !name) {
		free(name);
		return gr_b_fail(b, GR_BUILD_EGO, "go install %s@%s left %zu files in GOBIN, not one binary",
		                 b->o->package, b->o->install_version, n);
	}
	from = gr_b_join(b->outtmpdir, "/", name);
	free(name);
	if (!from)
		return gr_b_nomem(b);
	if (strcmp(from, b->tmpout) != 0 && rename(from, b->tmpout) != 0) {
		e = errno;
		free(from);
		return gr_b_fail(b, GR_BUILD_EENV, "rename to %s: %s", b->tmpout, strerror(e));
	}
	free(from);
	return GR_OK;
}

static int
gr_b_compose(struct gr_b *b, const char *ld)
{
	struct gr_goflags *gf = &b->gf;
	struct gr_strvec *av = &b->res->go_argv;
	char *ldflags = NULL, *joined = NULL, *tags = NULL, *extld = NULL;
	size_t i, len = 1;
	int rc = GR_OK;

	if (!(extld = gr_b_join("-extld=", "", ld)) ||
	    gr_strvec_push(&gf->ldflags, "-linkmode=external") || gr_strvec_push(&gf->ldflags, extld))
		goto nomem;
	if (!(joined = gr_goflags_join(&gf->ldflags))) {
		rc = gr_b_fail(b, GR_BUILD_EUSAGE, "-ldflags holds a field with both quote characters");
		goto out;
	}
	/* all=: Go 1.19 (Debian 12's) matches a pattern-less -ldflags to the
	 * command-line packages only once they are loaded, after it has computed
	 * the linker's implicit imports, so -linkmode=external did not add
	 * runtime/cgo to a program without cgo of its own, whose TLS check then
	 * aborts at start (SIGTRAP).  A user's own PATTERN=... is kept as it is. */
	if (!(ldflags = gr_b_join(strchr("-'\"", joined[0]) ? "all=" : "", "", joined)))
		goto nomem;
	for (i = 0; i < b->res->tags.n; i++)
		len += strlen(b->res->tags.v[i]) + 1;
	if (!(tags = malloc(len)))
		goto nomem;
	tags[0] = '\0';
	for (i = 0; i < b->res->tags.n; i++) {
		size_t at = strlen(tags);
		snprintf(tags + at, len - at, "%s%s", i ? "," : "", b->res->tags.v[i]);
	}
	if (gr_strvec_push(av, b->o->go ? b->o->go : "go") ||
	    gr_strvec_push(av, b->o->install_version ? "install" : b->o->test ? "test" : "build") ||
	    (b->o->test && gr_strvec_push(av, "-c")) || gr_strvec_extend(av, &gf->pass))
		goto nomem;
	if (b->res->tags.n && (gr_strvec_push(av, "-tags") || gr_strvec_push(av, tags)))
		goto nomem;
	if (gr_strvec_push(av, "-ldflags") || gr_strvec_push(av, ldflags))
		goto nomem;
	if (b->o->mode == GR_LINK_STATIC_PIE || (gf->buildmode && strcmp(gf->buildmode, "default"))) {
		char *bm = gr_b_join("-buildmode=", "", b->o->mode == GR_LINK_STATIC_PIE ? "pie" : gf->buildmode);
		if (!bm || gr_strvec_push(av, bm)) {
			free(bm);
			goto nomem;
		}
		free(bm);
	}
	if (b->o->install_version) {
		/* go install PACKAGE@VERSION writes $GOBIN/NAME: GOBIN is the private
		 * temporary directory (gr_b_installed renames NAME to TMPOUT). */
		if ((rc = gr_b_install_env(b)))
			goto out;
		free(tags);
		if (!(tags = gr_b_join(b->o->package, "@", b->o->install_version)) || gr_strvec_push(av, tags))
			goto nomem;
		goto out;
	}
	if (gr_strvec_push(av, "-o") || gr_strvec_push(av, b->tmpout) || gr_strvec_push(av, b->o->package))
		goto nomem;
	goto out;
nomem:
	rc = gr_b_nomem(b);
out:
	free(ldflags);
	free(joined);
	free(tags);
	free(extld);
	return rc;
}

/* ---- the phases of a build ------------------------------------------------ */

/* The flags: the user's, then the preset's and gorelink's; the tags and the
 * allowed names. */
static int
gr_b_flags(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	struct gr_build_result *res = b->res;
	struct gr_error *err = b->err;
	size_t i;
	int rc;

	if ((rc = gr_goflags_parse(o->env->goflags, o->goargs, o->ngoargs, &b->gf, err))) {
		return gr_b_class(b, GR_BUILD_EUSAGE);
	}
	if ((rc = gr_b_check_ldflags(b, &b->extld)) || (rc = gr_b_check_buildmode(b)))
		return rc;
	if (o->preset) {
		if (gr_preset_load(o->env, o->preset, o->preset_variant, &b->preset, err))
			return gr_b_class(b, GR_BUILD_EUSAGE);
		if (!(res->preset_path = strdup(b->preset.path)))
			return gr_b_nomem(b);
		{
			char opt[160], why[200];
			snprintf(why, sizeof(why), "%s given", gr_preset_option(o->preset, opt, sizeof(opt)));
			if (gr_strvec_push(&res->presets_applied, b->preset.name) ||
			    gr_strvec_push(&res->presets_applied, b->preset.module ? b->preset.module : "") ||
			    gr_strvec_push(&res->presets_applied, b->preset.variant) || gr_strvec_push(&res->presets_applied, why))
				return gr_b_nomem(b);
		}
	}
	if (gr_strvec_extend(&res->tags, &b->gf.tags))
		return gr_b_nomem(b);
	for (i = 0; i < b->preset.tags.n; i++)
		if (gr_goflags_add_tag(&b->gf, b->preset.tags.v[i]) || gr_strvec_push(&res->tags, b->preset.tags.v[i]))
			return gr_b_nomem(b);
	for (i = 0; i < o->nallow; i++)
		if (gr_strvec_push(&b->ls.allow, o->allow[i]))
			return gr_b_nomem(b);
	for (i = 0; i < b->preset.allow.n; i++)
		if (gr_strvec_push(&b->ls.allow, b->preset.allow.v[i]))
			return gr_b_nomem(b);
	for (i = 0; i < o->nstubs; i++)
		if (gr_strvec_push(&b->ls.stubs, o->stubs[i]))
			return gr_b_nomem(b);
	if (gr_strvec_extend(&b->ls.stubs, &b->preset.stubs))
		return gr_b_nomem(b);
	return GR_OK;
}

/* Record in res->dropped (name, via) the -l names of the packages' --static
 * closure that a partly dynamic link leaves out (gr_pc_graph_dropped), each
 * once; with skip non-NULL, also collect the names there. A package that
 * cannot be resolved drops nothing (pkg-config itself reports it). */
static int
gr_b_note_dropped(struct gr_b *b, const char *const *pkgs, size_t n, struct gr_strvec *skip)
{
	struct gr_strvec dyn, names, via;
	struct gr_pc_graph *g = NULL;
	struct gr_error e;
	size_t i, k;
	int rc = GR_OK;

	if (!n)
		return GR_OK;
	gr_strvec_init(&dyn);
	gr_strvec_init(&names);
	gr_strvec_init(&via);
	if (gr_b_dynamic_names(b, &dyn)) {
		rc = GR_ENOMEM;
	} else if (dyn.n && gr_pc_graph(b->o->env, pkgs, n, &g, &e) == GR_OK &&
	           gr_pc_graph_mark_dynamic(g, (const char *const *)dyn.v, dyn.n)) {
		rc = gr_pc_graph_dropped(g, (const char *const *)dyn.v, dyn.n, &names, &via);
		for (i = 0; !rc && i < names.n; i++) {
			bool again = false;
			for (k = 0; k < b->res->dropped.n && !again; k += 2)
				again = !strcmp(b->res->dropped.v[k], names.v[i]);
			if (!again && (gr_strvec_push(&b->res->dropped, names.v[i]) ||
			               gr_strvec_push(&b->res->dropped, via.v[i])))
				rc = GR_ENOMEM;
			if (!rc && skip && gr_strvec_push(skip, names.v[i]))
				rc = GR_ENOMEM;
		}
	}
	gr_pc_graph_free(g);
	gr_strvec_deinit(&dyn);
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&via);
	return rc;
}

/* The --static flags of pkg-config packages (--pkg, a preset's pkg lines) for
 * the final link, without the private dependencies of the libraries kept dynamic. */
static int
gr_b_add_pkgs(struct gr_b *b, const char *const *pkgs, size_t n)
{
	size_t i, k, j;

	for (k = 0; k < n; k++) {
		const char *q = pkgs[k];
		struct gr_pc_tokens *t = NULL;
		struct gr_strvec skip;
		if (gr_pc_resolve(b->o->env, &q, 1, &t, b->err))
			return gr_b_class(b, GR_BUILD_EUSAGE);
		gr_strvec_init(&skip);
		if (gr_b_note_dropped(b, &q, 1, &skip)) {
			gr_strvec_deinit(&skip);
			gr_pc_tokens_free(t);
			return gr_b_nomem(b);
		}
		for (i = 0; i < t->n; i++) {
			char who[1024];
			bool drop = false;
			for (j = 0; j < skip.n && !drop; j++)
				drop = !strncmp(t->v[i].text, "-l", 2) && !strcmp(t->v[i].text + 2, skip.v[j]);
			if (drop)
				continue;
			snprintf(who, sizeof(who), "--pkg %s%s%s", q, t->v[i].origin ? ": " : "",
			         t->v[i].origin ? t->v[i].origin : "");
			if (gr_strvec_push(&b->ls.extra, t->v[i].text) || gr_strvec_push(&b->ls.extra_origin, who)) {
				gr_strvec_deinit(&skip);
				gr_pc_tokens_free(t);
				return gr_b_nomem(b);
			}
		}
		gr_strvec_deinit(&skip);
		gr_pc_tokens_free(t);
	}
	return GR_OK;
}

/* The preset's lib lines, as --lib flags are (each -l still resolved). */
static int
gr_b_preset_libs(struct gr_b *b)
{
	char origin[200];

	snprintf(origin, sizeof(origin), "the preset %s", b->preset.name ? b->preset.name : "");
	for (size_t i = 0; i < b->preset.libs.n; i++)
		if (gr_strvec_push(&b->ls.extra, b->preset.libs.v[i]) || gr_strvec_push(&b->ls.extra_origin, origin))
			return gr_b_nomem(b);
	return GR_OK;
}

/* The flags the final link gains: --lib flags as they are (each -l is still
 * resolved), and the --static flags of --pkg and the preset's packages. */
static int
gr_b_link_extras(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	size_t i;
	int rc;

	for (i = 0; i < o->nlibs; i++)
		if (gr_strvec_push(&b->ls.extra, o->libs[i]) || gr_strvec_push(&b->ls.extra_origin, "--lib"))
			return gr_b_nomem(b);
	if ((rc = gr_b_add_pkgs(b, o->pkgs, o->npkgs)))
		return rc;
	if ((rc = gr_b_preset_libs(b)))
		return rc;
	return gr_b_add_pkgs(b, (const char *const *)b->preset.pkgs.v, b->preset.pkgs.n);
}

/* Add a warning for the CLI to show. */
static int
gr_b_warn(struct gr_b *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
gr_b_warn(struct gr_b *b, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gr_strvec_push(&b->res->warnings, msg) ? gr_b_nomem(b) : GR_OK;
}

/* The module-graph cache key of go WORDS... (NULL: not cached), malloc'd. */
static char *
gr_b_modgraph_key(struct gr_b *b, const char **words, size_t n)
{
	const char **av = calloc(n + 2, sizeof(*av));
	char *key;
	size_t i;

	if (!av)
		return NULL;
	av[0] = b->o->go ? b->o->go : "go";
	for (i = 0; i < n; i++)
		av[i + 1] = words[i];
	key = gr_modgraph_cache_key(b->o->env, av, gr_strvec_argv(&b->env));
	free(av);
	return key;
}

/* Run go WORDS with the build's own flags (gf.pass) after the first word;
 * its output in r. GR_OK also when go failed (r tells), else an error. */
static int
gr_b_go_ask(struct gr_b *b, const char *const *words, size_t n, struct gr_spawn_result *r)
{
	const char **w = calloc(n + b->gf.pass.n + 1, sizeof(*w));
	char *key;
	size_t i, nw = 0;
	int rc;

	if (!w)
		return gr_b_nomem(b);
	w[nw++] = words[0];
	for (i = 0; i < b->gf.pass.n; i++)
		w[nw++] = b->gf.pass.v[i];
	for (i = 1; i < n; i++)
		w[nw++] = words[i];
	/* go list's answers are cached by all they depend on (gr_modgraph). */
	key = gr_b_modgraph_key(b, w, nw);
	if (key && gr_modgraph_cache_get(b->o->env, key, r))
		rc = GR_OK;
	else if (!(rc = gr_b_go_capture(b, w, nw, r, true)))
		gr_modgraph_cache_put(b->o->env, key, r);
	free(key);
	free(w);
	return rc;
}

/* The -tags= word go build will get (the user's and the default tags), malloc'd. */
static char *
gr_b_tags_word(struct gr_b *b, bool default_tags)
{
	size_t i, len = sizeof("-tags=netgo,osusergo,");
	char *t;

	for (i = 0; i < b->gf.tags.n; i++)
		len += strlen(b->gf.tags.v[i]) + 1;
	if (!(t = malloc(len)))
		return NULL;
	snprintf(t, len, "-tags=");
	for (i = 0; i < b->gf.tags.n; i++) {
		size_t at = strlen(t);
		snprintf(t + at, len - at, "%s%s", i ? "," : "", b->gf.tags.v[i]);
	}
	if (default_tags) {
		size_t at = strlen(t);
		snprintf(t + at, len - at, "%snetgo,osusergo", b->gf.tags.n ? "," : "");
	}
	return t;
}

/* Apply preset name (its default variant) because module is in the build. */
static int
gr_b_auto_preset(struct gr_b *b, const char *name, const char *module)
{
	struct gr_build_result *res = b->res;
	char why[600];
	size_t i;
	int rc;

	if (gr_preset_load(b->o->env, name, NULL, &b->preset, b->err))
		return gr_b_class(b, GR_BUILD_EUSAGE);
	if (!(res->preset_path = strdup(b->preset.path)))
		return gr_b_nomem(b);
	for (i = 0; i < b->preset.tags.n; i++)
		if (gr_goflags_add_tag(&b->gf, b->preset.tags.v[i]))
			return gr_b_nomem(b);
	for (i = 0; i < b->preset.allow.n; i++)
		if (gr_strvec_push(&b->ls.allow, b->preset.allow.v[i]))
			return gr_b_nomem(b);
	if (gr_strvec_extend(&b->ls.stubs, &b->preset.stubs))
		return gr_b_nomem(b);
	if ((rc = gr_b_preset_libs(b)) ||
	    (rc = gr_b_add_pkgs(b, (const char *const *)b->preset.pkgs.v, b->preset.pkgs.n)))
		return rc;
	snprintf(why, sizeof(why), "module %s is in the build", module);
	res->preset_auto = true;
	if (gr_strvec_push(&res->presets_applied, name) || gr_strvec_push(&res->presets_applied, module) ||
	    gr_strvec_push(&res->presets_applied, b->preset.variant) || gr_strvec_push(&res->presets_applied, why))
		return gr_b_nomem(b);
	return GR_OK;
}

/* The module graph, before go build: the modules of go list -m all (cheap,
 * but every module go.mod requires); only when one of them has a preset and
 * no preset was named, go list -deps says whether a package of it is really
 * in the build (then its preset applies itself). The modules and their
 * presets' remedies go to the link state, to name findings from their C code. */
static int
gr_b_modgraph(struct gr_b *b, bool default_tags)
{
	static const char *const mwords[] = { "list", "-m", "-f", GR_MODGRAPH_MODULES_FORMAT, "all" };
	const struct gr_build_opts *o = b->o;
	struct gr_strvec pnames, pmods, built;
	struct gr_spawn_result r;
	size_t i, k;
	bool candidate = false;
	int rc = GR_OK;

	gr_strvec_init(&pnames);
	gr_strvec_init(&pmods);
	gr_strvec_init(&built);
	if ((rc = gr_b_go_ask(b, mwords, 5, &r)))
		goto out;
	/* No module graph (GOPATH mode, a broken go.mod): nothing applies itself;
	 * go build says what is wrong, if anything. */
	if (gr_spawn_ok(&r) && gr_modgraph_parse_modules(r.out, &b->mods, &b->modvers, &b->moddirs, b->err))
		rc = gr_b_class(b, GR_BUILD_EENV);
	gr_spawn_result_free(&r);
	if (rc || !b->mods.n)
		goto out;
	if (gr_preset_modules(o->env, &pnames, &pmods, b->err)) {
		rc = gr_b_class(b, GR_BUILD_EENV);
		goto out;
	}
	for (k = 0; k < pmods.n; k++)
		candidate = candidate || gr_modgraph_has(&b->mods, pmods.v[k]);
	if (candidate && !o->preset && !o->no_auto_presets) {
		char *tags = gr_b_tags_word(b, default_tags);
		const char *dwords[] = { "list", "-deps", tags, "-f", GR_MODGRAPH_DEPS_FORMAT, o->package };
		if (!tags) {
			rc = gr_b_nomem(b);
			goto out;
		}
		rc = gr_b_go_ask(b, dwords, 6, &r);
		free(tags);
		if (rc)
			goto out;
		if (gr_spawn_ok(&r) && gr_modgraph_parse_deps(r.out, &built, b->err))
			rc = gr_b_class(b, GR_BUILD_EENV);
		gr_spawn_result_free(&r);
		for (k = 0; k < pmods.n && rc == GR_OK; k++) {
			if (!gr_modgraph_has(&built, pmods.v[k]))
				continue;
			if (!b->res->preset_auto)
				rc = gr_b_auto_preset(b, pnames.v[k], pmods.v[k]);
			else
				rc = gr_b_warn(b, "module %s is in the build too, but one preset applies at a time: "
				               "its preset is not applied (name one with --preset %s, or --no-auto-presets)",
				               pmods.v[k], pnames.v[k]);
		}
		if (rc)
			goto out;
	}
	/* What the link wrapper names findings with: each module, its directory
	 * and, for a module with a preset that this build does not use, the remedy. */
	for (i = 0; i < b->mods.n; i++) {
		char remedy[1024] = "", opt[160];
		for (k = 0; k < pmods.n; k++) {
			struct gr_preset p;
			struct gr_error e;
			size_t t, at;
			if (strcmp(pmods.v[k], b->mods.v[i]) || (b->preset.name && !strcmp(b->preset.name, pnames.v[k])) ||
			    gr_preset_load(o->env, pnames.v[k], NULL, &p, &e) != GR_OK)
				continue;
			at = (size_t)snprintf(remedy, sizeof(remedy), "build with %s (the gorelink preset for %s",
			                      gr_preset_option(p.name, opt, sizeof(opt)), p.module);
			for (t = 0; t < p.tags.n && at < sizeof(remedy); t++)
				at += (size_t)snprintf(remedy + at, sizeof(remedy) - at, "%s%s", t ? "," : "; or -tags ", p.tags.v[t]);
			if (at < sizeof(remedy))
				snprintf(remedy + at, sizeof(remedy) - at, ")");
			gr_preset_deinit(&p);
			break;
		}
		if (gr_strvec_push(&b->ls.modules, b->mods.v[i]) || gr_strvec_push(&b->ls.modules, b->moddirs.v[i]) ||
		    gr_strvec_push(&b->ls.modules, remedy)) {
			rc = gr_b_nomem(b);
			goto out;
		}
	}
out:
	gr_strvec_deinit(&pnames);
	gr_strvec_deinit(&pmods);
	gr_strvec_deinit(&built);
	return rc;
}

/* An explicit preset whose module the built binary does not hold (its build
 * information, what go version -m prints, read in process: the modules that
 * gave it packages): a warning. */
static int
gr_b_check_explicit_preset(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	struct gr_strvec built;
	struct gr_error e;
	char opt[160], *info = NULL;
	bool in = false;
	int rc = GR_OK;

	if (!o->preset || !b->preset.module)
		return GR_OK;
	gr_strvec_init(&built);
	if (!b->mods.n || gr_modgraph_has(&b->mods, b->preset.module)) {
		/* Required by go.mod (or no graph): is a package of it in the binary? */
		rc = gr_manifest_go_modinfo(gr_b_binary(b), &info, &e);
		if (rc == GR_ENOMEM) {
			rc = gr_b_nomem(b);
		} else if (rc != GR_OK || !info) {
			rc = GR_OK;
			in = true;  /* no answer: no warning */
		} else {
			/* go version -m's form: each line after a tab */
			size_t n = 1, k, at = 0;
			char *lines;
			for (k = 0; info[k]; k++)
				n += info[k] == '\n';
			if (!(lines = malloc(strlen(info) + n + 1))) {
				rc = gr_b_nomem(b);
			} else {
				lines[at++] = '\t';
				for (k = 0; info[k]; k++) {
					lines[at++] = info[k];
					if (info[k] == '\n' && info[k + 1])
						lines[at++] = '\t';
				}
				lines[at] = '\0';
				if (gr_modgraph_parse_deps(lines, &built, b->err))
					rc = gr_b_class(b, GR_BUILD_EENV);
				else
					in = gr_modgraph_has(&built, b->preset.module);
				free(lines);
			}
		}
		free(info);
	}
	if (rc == GR_OK && !in)
		rc = gr_b_warn(b, "%s: module %s is not in the build of %s: the preset is for a program that uses it "
		               "(its tags and packages were applied anyway)",
		               gr_preset_option(b->preset.name, opt, sizeof(opt)), b->preset.module, o->package);
	gr_strvec_deinit(&built);
	return rc;
}

/* Whether CC (go env's, one string) is zig cc: its target is its -target, so
 * its C++ driver is chosen as in a cross build (zig c++ with that -target). */
static bool
gr_b_zig(const char *gocc)
{
	struct gr_strvec w;
	struct gr_error e;
	bool zig;

	gr_strvec_init(&w);
	zig = gocc && gr_goflags_split(gocc, &w, &e) == GR_OK && w.n && gr_toolchain_is_zig(gr_strvec_argv(&w));
	gr_strvec_deinit(&w);
	return zig;
}

/* A cross build's C++ driver (relink/gr_cxx): go env CXX when it builds for
 * CC's target, else the one named after CC (then CXX in go build's
 * environment too). With none, a build whose packages have C++ (go list)
 * stops here, and one without links with CC alone. */
static int
gr_b_cross_cxx(struct gr_b *b)
{
	struct gr_cxx_choice ch;
	struct gr_error e;
	char detail[1024];
	size_t i;
	int rc;

	rc = gr_cxx_choose(b->o->env, b->gocc, b->gocxx, b->cxx_set, &ch, &e);
	if (rc == GR_EUSAGE) {
		/* The user's CXX does not build for the target: an error when the
		 * build has C++; otherwise (many CI images export CXX=g++ for
		 * everything) CXX is passed over as if unset, and said so. */
		char *name = NULL, *why;
		if ((rc = gr_b_go_list(b, &name)) != GR_OK) {
			free(name);
			return rc;
		}
		free(name);
		if (b->cxx)
			return gr_b_fail(b, GR_BUILD_EENV, "%s", e.msg);
		if (!(why = gr_b_join("passed over (go list shows no C++): ", "", e.msg)))
			return gr_b_nomem(b);
		gr_b_log(b, "cxx", why);
		free(why);
		rc = gr_cxx_choose(b->o->env, b->gocc, b->gocxx, false, &ch, &e);
	}
	if (rc)
		return gr_b_fail(b, GR_BUILD_EENV, "%s", e.msg);
	if (!ch.cxx) {
		char *name = NULL;  /* b->name stays go build's to learn */
		rc = gr_b_go_list(b, &name);
		free(name);
		if (rc == GR_OK && b->cxx)
			rc = gr_b_fail(b, GR_BUILD_EENV, "the build has C++ (go list: C++ files or -lstdc++), but %s", ch.why);
		if (rc == GR_OK) {
			snprintf(detail, sizeof(detail), "none for %s; the link runs CC: %s", ch.cc_target, ch.why);
			gr_b_log(b, "cxx", detail);
			b->gocxx[0] = '\0';  /* gorelink-ld never links the target with the host's C++ driver */
		}
		gr_cxx_choice_deinit(&ch);
		return rc;
	}
	if (ch.derived) {
		/* In place of an empty CXX= the environment may hold (the first one counts). */
		char *v = gr_b_join("CXX=", "", ch.cxx);
		for (i = 0; v && i < b->env.n && strncmp(b->env.v[i], "CXX=", 4); i++)
			;
		if (v && i < b->env.n) {
			free(b->env.v[i]);
			b->env.v[i] = v;
		} else if (!v || gr_strvec_push(&b->env, v)) {
			free(v);
			gr_cxx_choice_deinit(&ch);
			return gr_b_nomem(b);
		} else {
			free(v);
		}
		snprintf(detail, sizeof(detail), "%s, named after CC (go env CXX %s does not build for %s)", ch.cxx,
		         *b->gocxx ? b->gocxx : "(empty)", ch.cc_target);
		gr_b_log(b, "cxx", detail);
		free(b->gocxx);
		b->gocxx = ch.cxx;
		ch.cxx = NULL;
	}
	gr_cxx_choice_deinit(&ch);
	return GR_OK;
}

/* Whether linker l's program is where the compiler driver looks (gr_linker_found). */
static bool
gr_b_linker_installed(const void *ctx, enum gr_linker l)
{
	const struct gr_b *b = ctx;
	return gr_linker_found(b->gocc, b->cross, b->o->env->compiler_path, b->o->env->path, l);
}

/* Where the user's own flags name the link's linker: -fuse-ld= in the
 * -ldflags go build runs with (-extldflags), in CGO_LDFLAGS of go build's
 * environment or in go env CC / CXX words; NULL: nowhere. */
static const char *
gr_b_own_fuse_ld(const struct gr_b *b)
{
	size_t i;

	for (i = 0; i < b->gf.ldflags.n; i++)
		if (strstr(b->gf.ldflags.v[i], "-fuse-ld="))
			return "-ldflags";
	for (i = 0; i < b->env.n; i++)
		if (!strncmp(b->env.v[i], "CGO_LDFLAGS=", 12) && strstr(b->env.v[i], "-fuse-ld="))
			return "CGO_LDFLAGS";
	if (b->goldflags_fuse)
		return "go env CGO_LDFLAGS";
	/* The compiler words: go env CC="gcc -fuse-ld=gold" (CXX for C++ links). */
	if (b->gocc && strstr(b->gocc, "-fuse-ld="))
		return "go env CC";
	if (b->gocxx && strstr(b->gocxx, "-fuse-ld="))
		return "go env CXX";
	return NULL;
}

/* --linker: choose the final link's linker (gr_linker_choose) into the link
 * state. No --linker is auto's choice (issue 15: gorelink's default), unless
 * the user's own flags name -fuse-ld= (gr_b_own_fuse_ld): that one is kept;
 * or the compiler is zig cc, which links with its own lld.
 * -v logs the choice (step "linker"). */
static int
gr_b_linker(struct gr_b *b)
{
	struct gr_linker_choice c;
	enum gr_linker req = b->o->linker;
	char detail[300];

	b->res->linker = gr_linker_name(GR_LINKER_DEFAULT);
	if (b->darwin) {
		if (req == GR_LINKER_DEFAULT || req == GR_LINKER_AUTO)
			return GR_OK;
		return gr_b_fail(b, GR_BUILD_EUSAGE, "--linker=%s: an Apple target links with ld64; drop --linker",
		                 gr_linker_name(req));
	}
	if (req == GR_LINKER_DEFAULT) {
		const char *own = gr_b_own_fuse_ld(b);
		/* zig cc links with its own lld and ignores -fuse-ld (it warns). */
		if (b->ls.cc.n && gr_toolchain_is_zig(gr_strvec_argv(&b->ls.cc))) {
			gr_b_log(b, "linker", "zig's own lld (zig cc ignores -fuse-ld): no --linker, so none chosen");
			return GR_OK;
		}
		if (own) {
			snprintf(detail, sizeof(detail), "the link's own -fuse-ld= (%s): no --linker, so kept", own);
			gr_b_log(b, "linker", detail);
			return GR_OK;
		}
		req = GR_LINKER_AUTO;
	}
	if (gr_linker_choose(req, b->o->mode, gr_b_musl(b->gocc), b->goarch, gr_b_linker_installed, b, &c))
		return gr_b_fail(b, GR_BUILD_EENV, "%s", c.why);
	b->res->linker = gr_linker_name(c.linker);
	snprintf(b->res->linker_why, sizeof(b->res->linker_why), "%s", c.why);
	if (c.linker != GR_LINKER_DEFAULT && !(b->ls.linker = strdup(gr_linker_name(c.linker))))
		return gr_b_nomem(b);
	/* No --linker: a -fuse-ld= the link brings itself (a #cgo LDFLAGS line
	 * allowed by CGO_LDFLAGS_ALLOW), unseen here, still wins in gorelink-ld. */
	b->ls.linker_soft = b->o->linker == GR_LINKER_DEFAULT;
	if (c.why[0])
		snprintf(detail, sizeof(detail), "%s (%s)", gr_linker_name(c.linker), c.why);
	else
		snprintf(detail, sizeof(detail), "%s", gr_linker_name(c.linker));
	gr_b_log(b, "linker", detail);
	return GR_OK;
}

/* What go says about itself; the helper directory, go build's environment,
 * the link state, the output's place and the go build command. */
/* --relink-kit=DIR: check DIR (gr_kit_prepare), make the staging directory
 * beside it and tell gorelink-ld (the link state's 'kit'), which writes the
 * kit there after the link; gr_b_install puts it in place. */
static int
gr_b_kit_stage(struct gr_b *b)
{
	const char *slash;
	int rc;

	if (!b->o->relink_kit)
		return GR_OK;
	if (b->darwin)
		return gr_b_fail(b, GR_BUILD_EUSAGE,
		                 "--relink-kit: not for Apple targets (cmd/link post-processes the linker's output there)");
	if ((rc = gr_kit_prepare(b->o->relink_kit, &b->kit_abs, &b->kit_stage, b->err)))
		return gr_b_class(b, rc == GR_EUSAGE ? GR_BUILD_EUSAGE : GR_BUILD_EENV);
	slash = b->res->out ? strrchr(b->res->out, '/') : NULL;
	if (!(b->ls.kit = strdup(b->kit_stage)) ||
	    (b->res->out && !(b->ls.kit_name = strdup(slash ? slash + 1 : b->res->out))))
		return gr_b_nomem(b);
	if (gr_linkstate_write(b->state, &b->ls, b->err))
		return gr_b_class(b, GR_BUILD_EENV);
	return GR_OK;
}

static int
gr_b_prepare(struct gr_b *b)
{
	size_t i;
	int rc;

	bool deftags;

	if ((rc = gr_b_helpers(b, &b->ld, &b->shim, &b->state)) || (rc = gr_b_go_env(b)) ||
	    (rc = gr_b_environment(b, b->state)))
		return rc;
	deftags = b->o->default_tags && b->o->mode != GR_LINK_THIRD_PARTY && !gr_b_musl(b->gocc);
	/* The module graph: a preset may apply itself (its tags before gorelink's). */
	if ((rc = gr_b_modgraph(b, deftags)))
		return rc;
	/* The preset's mode and CC (docs/presets.md): the CLI took them where the
	 * command line and the environment said nothing; a disagreement stops here. */
	if (b->preset.name && gr_preset_conflict(&b->preset, b->o->mode, b->gocc, !b->res->preset_auto, b->err))
		return gr_b_class(b, GR_BUILD_EENV);
	/* gorelink's tags, once go env has named the C compiler. */
	if (deftags)
		for (i = 0; i < 2; i++)
			if (gr_goflags_add_tag(&b->gf, i ? "osusergo" : "netgo"))
				return gr_b_nomem(b);
	gr_strvec_deinit(&b->res->tags);
	if (gr_strvec_extend(&b->res->tags, &b->gf.tags))
		return gr_b_nomem(b);
	if ((b->cross || gr_b_zig(b->gocc)) && !b->darwin && (rc = gr_b_cross_cxx(b)))
		return rc;
	/* The compiler gorelink-ld links with: -extld, else go env CC; gorelink-ld
	 * switches to go env CXX when the objects or archives it links hold C++. */
	if (b->extld.n) {
		if (gr_strvec_extend(&b->ls.cc, &b->extld))
			return gr_b_nomem(b);
	} else if (gr_goflags_split(b->gocc, &b->ls.cc, b->err) ||
	           (*b->gocxx && gr_goflags_split(b->gocxx, &b->ls.cxx, b->err))) {
		return gr_b_class(b, GR_BUILD_EENV);
	}
	if ((rc = gr_b_linker(b)))
		return rc;
	/* The manifest gorelink-ld embeds: the same cache entries and time as the driver's. */
	if (!b->o->no_manifest &&
	    ((*b->res->cache_key && !(b->ls.manifest_salt = strdup(b->res->cache_key))) ||
	     (b->o->source_date_epoch && !(b->ls.manifest_epoch = strdup(b->o->source_date_epoch)))))
		return gr_b_nomem(b);
	if (gr_linkstate_write(b->state, &b->ls, b->err))
		return gr_b_class(b, GR_BUILD_EENV);
	/* gorelink test: go list names the package's directory (testdata) and
	 * refuses a package without tests before go test -c would write nothing. */
	if (b->o->test && !b->name && (rc = gr_b_go_list(b, &b->name)))
		return rc;
	if ((rc = gr_b_out(b)) || (rc = gr_b_kit_stage(b)) || (rc = gr_b_outtmp(b)) || (rc = gr_b_compose(b, "gorelink-ld")))
		return rc;
	return GR_OK;
}

/* ---- no-op rebuilds (relink/gr_uptodate, gorelink(1) UP TO DATE) ---------- */

/* Whether an environment entry is left out of the no-op key: the helper
 * paths (new on every run; the user's PATH is in the key by itself) and
 * what a shell or make changes between runs without changing a build. */
static bool
gr_b_uptodate_volatile(const char *e)
{
	static const char *const skip[] = { "PATH=", "TMPDIR=", "GORELINK_LINK_STATE=", "GORELINK_PKG_LOG=",
	                                    "GORELINK_LINKER_MATRIX=", "GORELINK_OUTPUT_CACHE_MAX=",
	                                    "OLDPWD=", "SHLVL=", "_=", "SSH_", "TERM", "COLUMNS=", "LINES=",
	                                    "MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "MAKE_TERM", "DISPLAY=",
	                                    "WINDOWID=", "HISTFILE=", "PS1=" };
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strncmp(e, skip[i], strlen(skip[i])))
			return true;
	return false;
}

/* gorelink's own inputs to a build, as text (malloc'd): its version, the link
 * state without the helper paths (mode, compilers, --pkg/--lib extras,
 * --allow-dynamic, modules, --fix, --no-infer...), the go build command with
 * OUT for the temporary path, the options that decide the verdict, and the
 * environment. Go's own inputs are go's to judge (its build ID in OUT). out:
 * OUT's path, or the output cache's placeholder for it (nothing in the
 * binary depends on OUT's path: go links to its own temporary file). */
static char *
gr_b_uptodate_opts(struct gr_b *b, size_t *len, const char *out)
{
	const struct gr_build_opts *o = b->o;
	char *state = NULL, *text = NULL, *line, *save = NULL;
	size_t slen = 0, cap, at = 0, i;
	FILE *f = fopen(b->state, "r");

	if (!f)
		return NULL;
	if (gr_file_read_all(f, 1 << 24, &state, &slen) != GR_OK) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	cap = slen + 4096 + strlen(o->env->path ? o->env->path : "");
	for (i = 0; i < b->res->go_argv.n; i++)
		cap += strlen(b->res->go_argv.v[i]) + strlen(out) + 2;
	for (i = 0; i < b->env.n; i++)
		cap += strlen(b->env.v[i]) + 1;
	if (!(text = malloc(cap))) {
		free(state);
		return NULL;
	}
#define GR_B_PUT(...) (at += (size_t)snprintf(text + at, cap - at, __VA_ARGS__))
	GR_B_PUT("gorelink %s\nstate\n", GR_VERSION);
	for (line = strtok_r(state, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "report\t", 7) && strncmp(line, "pkglog\t", 7))
			GR_B_PUT("%s\n", line);
	GR_B_PUT("go\n");
	/* gr_b_compose's -o TMPOUT comes last but for the package: OUT instead. */
	for (i = 0; i < b->res->go_argv.n; i++)
		GR_B_PUT("%s%c", i + 2 == b->res->go_argv.n ? out : b->res->go_argv.v[i], 0);
	GR_B_PUT("\nverdict %d %d %d\npath %s\nenv\n", (int)o->mode, o->strict, o->accept_dlopen,
	         o->env->path ? o->env->path : "");
	for (i = 0; i < b->env.n; i++)
		if (!gr_b_uptodate_volatile(b->env.v[i]))
			GR_B_PUT("%s%c", b->env.v[i], 0);
#undef GR_B_PUT
	free(state);
	*len = at < cap ? at : cap - 1;
	return text;
}

/* The output cache's placeholder for OUT's path in the key (between
 * control characters: no OUT path a build is given is it). */
#define GR_B_OUTCACHE_OUT "\001gorelink-output-cache\001"

/* GORELINK_OUTPUT_CACHE_MAX's bound (bytes; 0: no output cache), and 0 for
 * a build the cache does not serve: -o DIR/ (the name is go build's), the
 * link manifest's (--sbom, --deny-licence: they read the link's trace) and
 * GORELINK_LINKER_MATRIX (it asks for links): a link runs. */
static uint64_t
gr_b_outcache_max(struct gr_b *b)
{
	const char *v = NULL;
	size_t i, nl = strlen("GORELINK_OUTPUT_CACHE_MAX=");

	if (b->outdir || b->ls.manifest || (b->o->env->linker_matrix && *b->o->env->linker_matrix))
		return 0;
	for (i = 0; i < b->env.n; i++)
		if (!strncmp(b->env.v[i], "GORELINK_OUTPUT_CACHE_MAX=", nl))
			v = b->env.v[i] + nl;
	return gr_uptodate_bin_max(v);
}

/* The output cache's key: the no-op key's inputs with OUT's path replaced
 * by the placeholder; false when there is none. */
static bool
gr_b_outcache_key(struct gr_b *b, char key[65])
{
	size_t olen;
	char *opts = gr_b_uptodate_opts(b, &olen, GR_B_OUTCACHE_OUT);
	bool ok = opts && gr_uptodate_key(opts, olen, key) == GR_OK;

	free(opts);
	return ok;
}

/* The mode go build gives a binary: 0777 less the umask (read from
 * /proc/self/status, not set and put back; 022 when it cannot be read). */
static mode_t
gr_b_outcache_mode(void)
{
	char line[256];
	unsigned mask = 022;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return (mode_t)(0777 & ~mask);
}

/* OUT is absent or not what its record says (gr_b_uptodate_seed decided the
 * build may be seeded): when the output cache holds a binary a build with
 * these inputs but another OUT produced, and no file its record names has
 * changed, copy it (verified by its content hash) to the temporary path go
 * build writes, as the no-op seed copies OUT: go build links only when Go's
 * inputs changed. */
static void
gr_b_outcache_seed(struct gr_b *b)
{
	char key[65], *why = NULL, detail[4200];
	struct stat st;

	if (!gr_b_outcache_max(b) || !gr_b_outcache_key(b, key))
		return;
	if (gr_uptodate_bin_lookup(b->o->env, key, b->reuse_hash, &b->seed_report, &b->seed_len, &why) != GR_OK) {
		/* Said only when there was a binary (no record: a first build, silent). */
		if (why) {
			snprintf(detail, sizeof(detail), "no: %s changed since the cached binary was built", why);
			gr_b_log(b, "outcache", detail);
		}
		free(why);
		return;
	}
	if (gr_uptodate_bin_get(b->o->env, b->reuse_hash, b->tmpout, gr_b_outcache_mode()) != 0 ||
	    stat(b->tmpout, &st) != 0) {
		gr_b_log(b, "outcache", "no: the cached binary is gone or not what its record says");
		free(b->seed_report);
		b->seed_report = NULL;
		return;
	}
	b->seed_ino = st.st_ino;
	b->seed_size = st.st_size;
	b->seeded = b->reused = true;
	b->go_started = gr_uptodate_now();
	gr_b_log(b, "outcache", b->reuse_hash);
}

/* Before go build: when gorelink's cache holds a record for OUT as it is
 * (its content hash) and these inputs, and no file the record names has
 * changed, copy OUT to the temporary path go build writes: go build then
 * judges Go's inputs by the build ID in it, as it does for its own -o, and
 * links only when they changed. Anything else: the build links as always. */
/* How old (ns) OUT's change time must be for a stand-in: a change within
 * one clock tick of the last could keep it (gr_uptodate's window is 2 s on
 * file systems with whole-second times). */
#define GR_B_STANDIN_AGE 2000000000LL

static void
gr_b_uptodate_seed(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	char key[65], *opts, *why = NULL, *cdir;
	size_t olen;
	struct stat st;
	int64_t ctime_ns = 0;

	/* What changes from here on may not be what the link reads: not recorded. */
	b->go_started = gr_uptodate_now();
	if (o->dry_run || o->nstubs || b->preset.stubs.n || !b->res->out || !b->tmpout || b->darwin || o->relink_kit ||
	    o->sbom || o->ndeny || o->install_version)
		return;  /* --sbom, --deny-licence: the manifest comes from a link that runs */
	cdir = gr_cache_dir(o->env);
	if (!cdir || !*cdir) {
		free(cdir);
		return;
	}
	free(cdir);
	if (stat(b->res->out, &st) != 0 || !S_ISREG(st.st_mode))
		return gr_b_outcache_seed(b);
	gr_uptodate_ident(b->res->out, b->out_ident, sizeof(b->out_ident), &ctime_ns);
	if (!(opts = gr_b_uptodate_opts(b, &olen, b->res->out)))
		return;
	if (gr_uptodate_key(opts, olen, key) != GR_OK) {
		free(opts);
		return;
	}
	free(opts);
	if (gr_uptodate_lookup(o->env, key, b->res->out, &b->seed_report, &b->seed_len, &why) != GR_OK) {
		char detail[4200];
		snprintf(detail, sizeof(detail), "no: %s%s", why ? why : "no record of OUT with these inputs",
		         why ? " changed since OUT was built" : "");
		gr_b_log(b, "no-op", detail);
		free(why);
		return gr_b_outcache_seed(b);
	}
	/* A stand-in when OUT's identity is old enough to tell any change before
	 * the check (GR_B_STANDIN_AGE); else, or where there can be none, a copy. */
	b->standin = ctime_ns && ctime_ns + GR_B_STANDIN_AGE < gr_uptodate_now() &&
	             gr_uptodate_standin(b->res->out, b->tmpout, st.st_mode & 07777) == 0;
	if ((!b->standin && gr_uptodate_copy(b->res->out, b->tmpout, st.st_mode & 07777) != 0) ||
	    stat(b->tmpout, &st) != 0) {
		free(b->seed_report);
		b->seed_report = NULL;
		b->standin = false;
		return;
	}
	b->seed_ino = st.st_ino;
	b->seed_size = st.st_size;
	b->seeded = true;
	b->go_started = gr_uptodate_now();
	gr_b_log(b, "no-op", "gorelink's inputs are unchanged; go build judges Go's");
}

/* go build linked nothing: it found the copy of OUT up to date. Take the
 * recorded link report as this build's (no link ran: links 0). */
static int
gr_b_uptodate_take(struct gr_b *b)
{
	struct stat st;
	bool linked;
	int rc;
	FILE *f;

	/* go build links only through gorelink-ld, which reports every link;
	 * it installs a new binary as a new file. The copy is still the copy. */
	if (stat(b->tmpout, &st) != 0 || st.st_ino != b->seed_ino || st.st_size != b->seed_size)
		return gr_b_fail(b, GR_BUILD_EGO, "go build left %s changed without linking", b->tmpout);
	if (!(f = fopen(b->ls.report, "w")) || fwrite(b->seed_report, 1, b->seed_len, f) != b->seed_len) {
		if (f)
			fclose(f);
		return gr_b_fail(b, GR_BUILD_EENV, "%s: %s", b->ls.report, strerror(errno));
	}
	if (fclose(f) != 0)
		return gr_b_fail(b, GR_BUILD_EENV, "%s: %s", b->ls.report, strerror(errno));
	if ((rc = gr_b_read_report(b, &linked)))
		return rc;
	b->res->link.links = 0;
	if (b->reused) {
		/* A new binary for OUT, from the output cache: checked and installed. */
		b->res->from_output_cache = true;
		gr_b_log(b, "outcache", "reused: go build linked nothing");
		return GR_OK;
	}
	b->res->up_to_date = true;
	gr_b_log(b, "no-op", "up to date: go build linked nothing");
	return GR_OK;
}

/* Add path to the record's paths, once. */
static int
gr_b_uptodate_path(struct gr_strvec *v, const char *path)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], path))
			return GR_OK;
	return gr_strvec_push(v, path);
}

/* Add path and its directory (a library that appears beside it, or before it
 * in the search, changes what the link finds). */
static int
gr_b_uptodate_file(struct gr_strvec *v, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (gr_b_uptodate_path(v, path))
		return GR_ENOMEM;
	if (slash && slash > path && (size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		return gr_b_uptodate_path(v, dir);
	}
	return GR_OK;
}

/* The paths in one word of the final link (PATH, -LDIR, -Wl,A,B, OPT=PATH)
 * into v: absolute ones outside the helper directory; GR_ENOTFOUND for a
 * relative one that names a file (the link read it from a directory the
 * record cannot tell: no record). */
static int
gr_b_uptodate_word(struct gr_strvec *v, const char *word, const char *helpdir, size_t hl)
{
	char *copy, *piece, *save = NULL, *p;
	struct stat st;
	int rc = GR_OK;

	if (!(copy = strdup(!strncmp(word, "-Wl,", 4) ? word + 4 : word)))
		return GR_ENOMEM;
	for (piece = strtok_r(copy, ",", &save); piece && rc == GR_OK; piece = strtok_r(NULL, ",", &save)) {
		for (int k = 0; k < 2 && rc == GR_OK; k++) {
			p = k ? strchr(piece, '=') : piece;
			if (!p || (k && !*++p))
				continue;
			if (!strncmp(p, "-L", 2) && p[2])
				p += 2;
			if (p[0] == '/') {
				if (strncmp(p, helpdir, hl) && strncmp(p, "/tmp/go-", 8) && gr_b_uptodate_file(v, p))
					rc = GR_ENOMEM;
			} else if (p[0] != '-' && stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
				rc = GR_ENOTFOUND;
			}
		}
	}
	free(copy);
	return rc;
}

/* The files and directories the final link depended on, beyond Go's inputs:
 * this program, the compiler and its linker, the toolchain's search
 * directories, every -L directory, and every archive and object of the link
 * outside go build's temporary directories. */
static int
gr_b_uptodate_paths(struct gr_b *b, struct gr_strvec *v)
{
	const struct gr_link_report *l = &b->res->link;
	const char *path = b->o->env->path;
	struct gr_toolchain tc;
	struct gr_error e2;
	bool hit;
	size_t i, hl = strlen(b->helpdir);
	/* Relative archives: found from a directory the record cannot tell. */
	char *w;

	if (b->o->env->self[0] && gr_b_uptodate_path(v, b->o->env->self))
		return GR_ENOMEM;
	for (i = 0; i < l->narchives; i++)
		if (l->archives[i][0] != '/')
			return GR_ENOTFOUND;
		else if (gr_b_uptodate_file(v, l->archives[i]))
			return GR_ENOMEM;
	for (i = 0; i < l->nfixes; i++)
		if (l->fixes[i].archive && l->fixes[i].archive[0] != '/')
			return GR_ENOTFOUND;
		else if (l->fixes[i].archive && gr_b_uptodate_file(v, l->fixes[i].archive))
			return GR_ENOMEM;
	for (i = 1; i < l->nargv; i++) {
		const char *a = l->argv[i];
		int rc;
		if (!strncmp(a, "-L", 2) && (a[2] || i + 1 < l->nargv))
			a = a[2] ? a + 2 : l->argv[++i];
		if ((rc = gr_b_uptodate_word(v, a, b->helpdir, hl)))
			return rc;
	}
	if (l->nargv && (w = gr_path_which(l->argv[0], path))) {
		int rc = gr_b_uptodate_path(v, w);
		free(w);
		if (rc)
			return GR_ENOMEM;
	}
	/* The toolchain's own search (cached by its identity: cheap). */
	gr_error_clear(&e2);
	memset(&tc, 0, sizeof(tc));
	if (l->nargv && gr_tccache_discover(b->o->env, (char *const *)b->ls.cc.v, &tc, &hit, &e2) == GR_OK) {
		struct gr_strvec *d[2] = { &tc.driver_dirs, &tc.ld_dirs };
		for (int k = 0; k < 2; k++)
			for (i = 0; i < d[k]->n; i++)
				if (d[k]->v[i][0] == '/' && gr_b_uptodate_path(v, d[k]->v[i])) {
					gr_toolchain_deinit(&tc);
					return GR_ENOMEM;
				}
		if (tc.ld && tc.ld[0] == '/' && gr_b_uptodate_path(v, tc.ld)) {
			gr_toolchain_deinit(&tc);
			return GR_ENOMEM;
		}
		gr_toolchain_deinit(&tc);
	} else {
		return GR_ENOTFOUND;  /* no toolchain search to record: no record */
	}
	return GR_OK;
}

/* Whether this build records its OUT: not a dry run, no --stub (its stubs
 * come from headers no record follows), not macOS, and a cache to keep it. */
static bool
gr_b_uptodate_records(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	char *cdir;
	bool yes;

	if (o->dry_run || o->nstubs || b->preset.stubs.n || b->darwin || o->relink_kit || o->install_version)
		return false;
	cdir = gr_cache_dir(o->env);
	yes = cdir && *cdir;
	free(cdir);
	return yes;
}

static void *
gr_b_hash_main(void *arg)
{
	struct gr_b *b = arg;

	b->hash_rc = gr_gocache_sha256_file(b->tmpout, b->hash_hex);
	return NULL;
}

/* Start hashing the binary go build left (tmpout) when the build will record
 * it (gr_b_uptodate_hash), beside the check and the manifest's work. */
static void
gr_b_hash_start(struct gr_b *b)
{
	b->hashing = false;
	if (b->o->dry_run || b->res->up_to_date || !b->tmpout || (b->reused && b->res->from_output_cache) ||
	    !gr_b_uptodate_records(b))
		return;
	b->hashing = pthread_create(&b->hash_thread, NULL, gr_b_hash_main, b) == 0;
}

/* Wait for gr_b_hash_start's thread, if one runs. */
static void
gr_b_hash_join(struct gr_b *b)
{
	if (b->hashing) {
		pthread_join(b->hash_thread, NULL);
		b->hashing = false;
	}
}

/* The checked binary's hash, before it is renamed to OUT (then it is OUT's
 * content as built, whatever happens to OUT later); "" when not recorded. */
static void
gr_b_uptodate_hash(struct gr_b *b)
{
	bool started = b->hashing;

	gr_b_hash_join(b);
	b->out_hash[0] = '\0';
	if (b->reused && b->res->from_output_cache && gr_b_uptodate_records(b))
		memcpy(b->out_hash, b->reuse_hash, sizeof(b->out_hash));  /* verified, and go build left it */
	else if (started && b->hash_rc == 0)
		memcpy(b->out_hash, b->hash_hex, sizeof(b->out_hash));
	else if (gr_b_uptodate_records(b) && gr_gocache_sha256_file(b->tmpout, b->out_hash) != 0)
		b->out_hash[0] = '\0';
}

/* After a link put OUT in place: record it (its hash, these inputs, the
 * paths the link depended on and the link report) for the next build. A
 * failure only costs the next build its no-op. */
static void
gr_b_uptodate_store(struct gr_b *b, const char *hash)
{
	const struct gr_build_opts *o = b->o;
	struct gr_strvec paths;
	struct gr_error e2;
	char key[65], *opts = NULL, *report = NULL;
	size_t olen, rlen = 0;
	FILE *f;

	/* With -o DIR/ the name is go build's to choose: no lookup can find it. */
	if (!hash[0] || b->outdir || !gr_b_uptodate_records(b))
		return;
	gr_strvec_init(&paths);
	gr_error_clear(&e2);
	if (!(opts = gr_b_uptodate_opts(b, &olen, b->res->out)) || gr_b_uptodate_paths(b, &paths) != GR_OK ||
	    !(f = fopen(b->ls.report, "r")))
		goto out;
	if (gr_file_read_all(f, 1 << 26, &report, &rlen) == GR_OK) {
		uint64_t max = gr_b_outcache_max(b);
		if (gr_uptodate_key(opts, olen, key) == GR_OK)
			(void)gr_uptodate_record(o->env, key, b->res->out, hash, &paths, b->go_started, report, rlen, &e2);
		/* The output cache: the binary (from OUT, just renamed there), then
		 * its record, so a record never names a binary not yet stored. */
		if (max && gr_b_outcache_key(b, key) &&
		    gr_uptodate_bin_put(o->env, b->res->out, hash, max, &e2) == GR_OK)
			(void)gr_uptodate_bin_record(o->env, key, hash, &paths, b->go_started, report, rlen, &e2);
	}
	fclose(f);
out:
	free(opts);
	free(report);
	gr_strvec_deinit(&paths);
}

/* Why go build failed, from the link report, else from go list. */
static int
gr_b_go_failed(struct gr_b *b, const struct gr_spawn_result *r)
{
	const struct gr_link_report *lr = &b->res->link;
	char how[128];

	if (lr->killed)
		return gr_b_fail(b, GR_BUILD_EGO, "the final link failed: %s; OUT is untouched", lr->killed);
	for (size_t i = 0; i < lr->nstubs; i++)
		if (lr->stubs[i].refused)
			return gr_b_fail(b, GR_BUILD_EMISSING,
			                 "--stub %s cannot stand in for %s (explained above); OUT is untouched",
			                 lr->stubs[i].lib, lr->stubs[i].function);
	/* An archive built for glibc in a musl link (gr_diag): no option adds what it needs. */
	for (size_t i = 0; i < lr->nundefined && !lr->nmissing; i++)
		if (!lr->undefined[i].lname && lr->undefined[i].archive && lr->undefined[i].option &&
		    !strncmp(lr->undefined[i].option, "built for glibc", 15))
			return gr_b_fail(b, GR_BUILD_EGO,
			                 "the link failed: %s was built for glibc, and this link's C library is another (explained above)",
			                 lr->undefined[i].archive);
	if (lr->nundefined && !lr->nmissing && b->o->fix && lr->nfixes) {
		/* What --fix added: archives, -l flags of libraries kept dynamic, or both. */
		size_t narch = 0;
		for (size_t i = 0; i < lr->nfixes; i++)
			narch += lr->fixes[i].archive != NULL;
		return gr_b_fail(b, GR_BUILD_EGO,
		                 "the link still fails on undefined symbols after --fix added %zu %s%s (-l%s%s): add the --pkg/--lib named above for what is left",
		                 lr->nfixes, narch == lr->nfixes ? "archive" : narch ? "input" : "-l flag",
		                 lr->nfixes == 1 ? "" : "s", lr->fixes[0].lname, lr->nfixes > 1 ? " and others" : "");
	}
	if (lr->nundefined && !lr->nmissing && b->o->fix)
		return gr_b_fail(b, GR_BUILD_EGO,
		                 "the link failed on undefined symbols (explained above) that --fix found no archive for: install the library that defines them, or add the --pkg/--lib named there");
	if (lr->nundefined && !lr->nmissing)
		return gr_b_fail(b, GR_BUILD_EGO,
		                 "the link failed on undefined symbols (explained above): add the --pkg/--lib named there, or use --fix");
	if (lr->nmissing && lr->missing[0].file)
		return gr_b_fail(b, GR_BUILD_EMISSING,
		                 "no file %s%s, which the link flags name by its path (explained above)",
		                 lr->missing[0].name, lr->nmissing > 1 ? " and other missing inputs" : "");
	if (lr->nmissing)
		return gr_b_fail(b, GR_BUILD_EMISSING,
		                 "no static archive for -l%s%s (explained above, with the way out in its summary)",
		                 lr->missing[0].name, lr->nmissing > 1 ? " and others" : "");
	if (gr_b_go_list(b, &b->name) == GR_OK) {
		/* A known toolchain limit the linker's messages show (relink/gr_cxx). */
		const char *limit = gr_cxx_known_limit(b->res->go_stderr);
		if (limit)
			return gr_b_fail(b, GR_BUILD_EGO, "go build %s: %s (the linker's messages are above)",
			                 gr_spawn_describe(r, how, sizeof(how)), limit);
		return gr_b_fail(b, GR_BUILD_EGO, "go build %s (its messages are above)",
		                 gr_spawn_describe(r, how, sizeof(how)));
	}
	return b->err->code;  /* go list named the cause: not a main package, not found... */
}

/* go build, with gorelink-ld as the linker, under gorelink-guard; then what
 * the link reported, and the binary's name. */
static int
gr_b_go_build(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	struct gr_spawn_result r;
	char how[128];
	bool linked;
	int rc;

	if (gr_b_run_go(b, &r))
		return gr_b_class(b, o->stop && *o->stop ? GR_BUILD_ESTOPPED : GR_BUILD_EENV);
	if (o->stop && *o->stop)
		return gr_b_fail(b, GR_BUILD_ESTOPPED, "interrupted; OUT is untouched");
	if ((rc = gr_b_read_report(b, &linked)))
		return rc;
	if ((rc = gr_b_dropped(b)))
		return rc;
	gr_b_log(b, "go build", gr_spawn_describe(&r, how, sizeof(how)));
	if (!gr_spawn_ok(&r))
		return gr_b_go_failed(b, &r);
	if (!linked && b->seeded)
		return gr_b_uptodate_take(b);
	if (!linked) {
		/* Nothing was linked: a package that is not main builds "successfully" without
		 * a binary, so let go list name that before blaming GOFLAGS. */
		if (gr_b_go_list(b, &b->name) != GR_OK)
			return b->err->code;
		return gr_b_fail(b, GR_BUILD_EGO,
		                 "go build linked without gorelink-ld (was -linkmode=external overridden in GOFLAGS?)");
	}
	if (o->install_version && b->res->out)
		return gr_b_installed(b);
	if (!b->res->out && (rc = gr_b_learn_name(b)))
		return rc;
	return GR_OK;
}

/* A binary the check rejected, kept as OUT.rejected when asked. */
static void
gr_b_keep_rejected(struct gr_b *b)
{
	struct gr_build_result *res = b->res;

	if (!b->o->keep_failed || !res->check)
		return;
	if (b->standin && res->up_to_date) {
		/* The stand-in holds OUT's headers only: the rejected binary is OUT's copy. */
		struct stat st;
		unlink(b->tmpout);
		if (stat(res->out, &st) != 0 || gr_uptodate_copy(res->out, b->tmpout, st.st_mode & 07777) != 0)
			return;
	}
	res->kept = gr_b_join(res->out, "", ".rejected");
	if (res->kept && rename(b->tmpout, res->kept) == 0) {
		free(b->tmpout);
		b->tmpout = NULL;
		const char *kp = gr_arena_strdup(&res->check->arena, res->kept);
		if (kp)
			res->check->path = kp;
	} else {
		free(res->kept);
		res->kept = NULL;
	}
}

/* Rename the verified binary to OUT. A stop request either comes before the
 * rename (OUT untouched) or after it (the build is complete): never between
 * the test and the rename. */
static int
gr_b_rename_into_place(struct gr_b *b)
{
	struct gr_build_result *res = b->res;
	sigset_t block, old;
	int e = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (b->o->stop && *b->o->stop) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return gr_b_fail(b, GR_BUILD_ESTOPPED, "interrupted; OUT is untouched");
	}
	if (rename(b->tmpout, res->out) != 0)
		e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (e)
		return gr_b_fail(b, GR_BUILD_EENV, "cannot put the binary at %s: %s", res->out, strerror(e));
	free(b->tmpout);
	b->tmpout = NULL;
	gr_b_log(b, "install", res->out);
	return GR_OK;
}

/* The dlopen policy of a --static build: a library that loads its plugins
 * through a plugin loader, or one known to need its plugins, would lose them
 * (a static binary cannot load them): that fails unless --accept-dlopen.
 * An optional dlopen (glibc's own, SQLite's extensions, a library's
 * optional modules) stays a finding. */
static int
gr_b_dlopen_policy(struct gr_b *b)
{
	const struct gr_link_report *l = &b->res->link;
	const char *first = NULL, *lib = NULL;
	bool first_loader = false;
	size_t i, n = 0;

	for (i = 0; i < l->nfindings; i++)
		if (l->findings[i].fails) {
			/* A plugin loader's caller says best who loses what. */
			if (!n++ || (l->findings[i].loader && !first_loader)) {
				first = l->findings[i].fails;
				first_loader = l->findings[i].loader != NULL;
			}
			if (!lib && l->findings[i].library && strncmp(l->findings[i].library, "libltdl.", 8) &&
			    strncmp(l->findings[i].library, "libgmodule", 10))
				lib = l->findings[i].library;
		}
	if (!n)
		return GR_OK;
	if (lib) {
		size_t ll = strlen(lib);
		const char *name = strncmp(lib, "lib", 3) ? lib : lib + 3;
		int nl = (int)(ll - (size_t)(name - lib) - (ll > 2 && !strcmp(lib + ll - 2, ".a") ? 2 : 0));
		return gr_b_fail(b, GR_BUILD_ESTRICT,
		                 "%s%s: a static binary cannot load plugins, so they would be missing at run time; OUT is untouched. "
		                 "Ways out: --allow-dynamic %.*s (keep that library dynamic), --third-party (the C library stays dynamic), "
		                 "or --accept-dlopen (build it anyway, without its plugins)",
		                 first, n > 1 ? " (and more: listed above)" : "", nl, name);
	}
	return gr_b_fail(b, GR_BUILD_ESTRICT,
	                 "%s%s: a static binary cannot load plugins, so they would be missing at run time; OUT is untouched. "
	                 "Ways out: --third-party (the C library stays dynamic), or --accept-dlopen (build it anyway, without its plugins)",
	                 first, n > 1 ? " (and more: listed above)" : "");
}

/* --relink-kit: the kit gorelink-ld wrote goes in place as DIR (exchanged
 * with a kit there), just before the binary; DIR is untouched on failure. */
static int
gr_b_kit_install(struct gr_b *b)
{
	const struct gr_link_report *l = &b->res->link;
	int rc;

	if (l->kit_error)
		return gr_b_fail(b, GR_BUILD_EENV, "the relink kit could not be written: %s; OUT and %s are untouched",
		                 l->kit_error, b->o->relink_kit);
	if (!l->kit_written || !gr_kit_complete(b->kit_stage))
		return gr_b_fail(b, GR_BUILD_EENV, "gorelink-ld wrote no relink kit; OUT and %s are untouched",
		                 b->o->relink_kit);
	if ((rc = gr_kit_postlink(b->kit_stage, b->tmpout, b->err)) ||
	    (rc = gr_kit_install(b->kit_stage, b->kit_abs, &b->kit_old, b->err)))
		return gr_b_class(b, GR_BUILD_EENV);
	b->kit_placed = true;
	gr_b_log(b, "kit", b->kit_abs);
	return GR_OK;
}

/* The binary could not go in place: the kit goes back as it was. */
static void
gr_b_kit_uninstall(struct gr_b *b)
{
	struct gr_error e;
	bool again;

	if (!b->kit_placed)
		return;
	if (b->kit_old)
		(void)gr_kit_install(b->kit_stage, b->kit_abs, &again, &e);  /* the exchange, undone */
	else
		(void)rename(b->kit_abs, b->kit_stage);
	b->kit_placed = false;
}

/* The link manifest (relink/gr_manifest, docs/sbom.md): what the final link
 * loaded (the link report's "loaded" records), the packages and licences of
 * its archives (cached), the Go side from the build info; --deny-licence, then --sbom
 * (written before OUT is put in place: a failure leaves OUT untouched). */
static int
gr_b_manifest(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	struct gr_build_result *res = b->res;
	const struct gr_link_report *l = &res->link;
	struct gr_manifest *m;
	char linker[16] = "";
	size_t i, k;
	int rc;

	if (!l->traced)
		return gr_b_fail(b, GR_BUILD_EENV, "the final link was not traced%s: no link manifest for %s%s",
		                 b->darwin ? " (Apple targets: not yet)" : "", o->sbom ? "--sbom" : "--deny-licence",
		                 o->sbom && o->ndeny ? " and --deny-licence" : "");
	if (!(m = malloc(sizeof(*m))))
		return gr_b_nomem(b);
	gr_manifest_init(m);
	res->manifest = m;
	/* The binary carries it (gorelink-ld built it from the same trace and
	 * embedded it, gr_linkwrap): read back, not built twice. */
	if (!o->no_manifest && !b->darwin) {
		struct gr_arena ea;
		struct gr_embed_manifest em;
		gr_arena_init(&ea);
		rc = gr_embed_read(b->tmpout, &ea, &em, b->err);
		gr_manifest_deinit(m);
		if (rc == GR_OK)
			rc = gr_manifest_from_embed(&em, m, b->err);
		gr_arena_deinit(&ea);
		if (rc != GR_OK)
			return gr_b_fail(b, GR_BUILD_EENV, "the manifest the binary carries: %s", b->err->msg);
		/* the SBOMs' time is the driver's: a bad SOURCE_DATE_EPOCH is a usage error */
		if (o->source_date_epoch && *o->source_date_epoch &&
		    (rc = gr_manifest_set_epoch(m, o->source_date_epoch, b->err)))
			return gr_b_fail(b, rc == GR_ENOMEM ? GR_BUILD_EENV : GR_BUILD_EUSAGE, "%s", b->err->msg);
		if (m->linker)
			snprintf(linker, sizeof(linker), "%s", m->linker);
	} else {
		gr_manifest_deinit(m);
		rc = gr_manifest_from_link(m, l, o->source_date_epoch, &b->ls.modules, b->tmpout, o->env, res->cache_key,
		                           b->err);
		if (rc)
			return gr_b_fail(b, rc == GR_EUSAGE ? GR_BUILD_EUSAGE : GR_BUILD_EENV, "%s", b->err->msg);
		sscanf(l->traced, "%15s", linker);
	}
	gr_b_log(b, "manifest", linker);
	for (i = 0; i < m->narchives; i++)
		for (k = 0; k < o->ndeny; k++) {
			const struct gr_manifest_archive *a = &m->archives[i];
			if (!gr_manifest_licence_matches(a->licence, o->deny[k]))
				continue;
			res->denied_archive = a->path;
			res->denied_package = a->deb_package ? a->deb_package : a->pc_package;
			res->denied_licence = a->licence;
			res->denied_by = o->deny[k];
			return gr_b_fail(b, GR_BUILD_ESTRICT,
			                 "--deny-licence %s: %s (%s%s) is licensed %s%s%s; OUT is untouched", o->deny[k], a->path,
			                 a->deb_package ? "Debian package " : a->pc_package ? "pkg-config package " : "no package",
			                 a->deb_package ? a->deb_package : a->pc_package ? a->pc_package : "", a->licence,
			                 a->licence_from ? ", from " : "", a->licence_from ? a->licence_from : "");
		}
	if (o->sbom) {
		if ((rc = gr_sbom_write(m, (enum gr_sbom_format)o->sbom_format, o->sbom, b->err)))
			return gr_b_fail(b, rc == GR_ENOMEM ? GR_BUILD_EENV : GR_BUILD_EENV, "--sbom: %s", b->err->msg);
		gr_b_log(b, "sbom", o->sbom);
	}
	return GR_OK;
}

/* Verify, then move into place (or keep it aside, or drop it for a dry run). */
static int
gr_b_install_checked(struct gr_b *b)
{
	const struct gr_build_opts *o = b->o;
	struct gr_build_result *res = b->res;
	int rc;

	rc = gr_b_verify(b);
	gr_b_log(b, "check", res->check ? gr_verdict_name(res->check->verdict) : "error");
	if (rc == GR_OK && o->strict && res->link.nfindings)
		rc = gr_b_fail(b, GR_BUILD_ESTRICT,
		               "--strict: the static link uses %zu glibc function%s that need the C library's shared objects at run time (listed above); OUT is untouched",
		               res->link.nfindings, res->link.nfindings == 1 ? "" : "s");
	if (rc == GR_OK && !o->accept_dlopen && o->mode != GR_LINK_THIRD_PARTY)
		rc = gr_b_dlopen_policy(b);
	if (rc == GR_OK && b->ls.manifest && !res->up_to_date)
		rc = gr_b_manifest(b);
	if (rc) {
		gr_b_hash_join(b);
		gr_b_keep_rejected(b);
		return rc;
	}
	if (res->up_to_date) {
		/* OUT stays as it is; the checked copy goes with the temporary directory. */
		if (res->check && !(res->check->path = gr_arena_strdup(&res->check->arena, res->out)))
			return gr_b_nomem(b);
		gr_b_log(b, "install", "skipped: up to date");
		return GR_OK;
	}
	if (o->dry_run) {
		/* Named for where it would go; the temporary copy is removed. */
		if (res->check && !(res->check->path = gr_arena_strdup(&res->check->arena, res->out)))
			return gr_b_nomem(b);
		gr_b_log(b, "install", "skipped (--dry-run)");
		return GR_OK;
	}
	gr_b_uptodate_hash(b);
	if (b->kit_stage && (rc = gr_b_kit_install(b)))
		return rc;
	if ((rc = gr_b_rename_into_place(b))) {
		gr_b_kit_uninstall(b);
		return rc;
	}
	if (b->kit_stage && !(res->kit = strdup(b->kit_abs)))
		return gr_b_nomem(b);
	gr_b_uptodate_store(b, b->out_hash);
	/* The verdict names the binary where it now is. */
	if (res->check && !(res->check->path = gr_arena_strdup(&res->check->arena, res->out)))
		return gr_b_nomem(b);
	return GR_OK;
}

/* gr_b_install_checked, with OUT's hash taken beside the check (gr_b_hash_start). */
static int
gr_b_install(struct gr_b *b)
{
	int rc;

	gr_b_hash_start(b);
	rc = gr_b_install_checked(b);
	gr_b_hash_join(b);
	return rc;
}

/* Free what the build held (its files are gone already: gr_b_cleanup). */
static void
gr_b_free(struct gr_b *b)
{
	free(b->name);
	free(b->seed_report);
	free(b->ld);
	free(b->shim);
	free(b->state);
	free(b->helpdir);
	free(b->kit_abs);
	free(b->kit_stage);
	free(b->guard);
	free(b->outtmpdir);
	free(b->outdir);
	free(b->tmpout);
	free(b->gocc);
	free(b->gocxx);
	free(b->goos);
	free(b->goarch);
	free(b->gopkgconfig);
	free(b->gocppflags);
	free(b->cgo);
	gr_strvec_deinit(&b->env);
	gr_strvec_deinit(&b->extld);
	gr_goflags_deinit(&b->gf);
	gr_linkstate_deinit(&b->ls);
	gr_preset_deinit(&b->preset);
	gr_strvec_deinit(&b->mods);
	gr_strvec_deinit(&b->modvers);
	gr_strvec_deinit(&b->moddirs);
}

int
gr_build_run(const struct gr_build_opts *o, struct gr_build_result *res, struct gr_error *err)
{
	struct gr_b b;
	int rc;

	memset(&b, 0, sizeof(b));
	memset(res, 0, sizeof(*res));
	gr_strvec_init(&res->go_argv);
	gr_strvec_init(&res->tags);
	gr_link_report_init(&res->link);
	gr_strvec_init(&b.env);
	gr_strvec_init(&b.extld);
	gr_strvec_init(&b.mods);
	gr_strvec_init(&b.modvers);
	gr_strvec_init(&b.moddirs);
	gr_strvec_init(&res->presets_applied);
	gr_strvec_init(&res->warnings);
	gr_strvec_init(&res->dropped);
	gr_goflags_init(&b.gf);
	gr_linkstate_init(&b.ls);
	b.o = o;
	b.res = res;
	b.err = err;
	clock_gettime(CLOCK_MONOTONIC, &b.t0);
	b.ls.mode = o->mode;
	b.ls.fix = o->fix;
	b.ls.no_infer = o->no_infer;
	for (size_t i = 0; i < o->nmaxver; i++)
		if (gr_strvec_push(&b.ls.maxver, o->maxver[i].name)) {
			gr_strvec_deinit(&b.ls.maxver);  /* out of memory: a failure names archives only */
			gr_strvec_init(&b.ls.maxver);
			break;
		}
	b.ls.no_manifest = o->no_manifest;
	b.ls.manifest = o->manifest || o->sbom || o->ndeny;

	if ((rc = gr_b_flags(&b)) == GR_OK && (rc = gr_b_link_extras(&b)) == GR_OK &&
	    (rc = gr_b_prepare(&b)) == GR_OK && (gr_b_uptodate_seed(&b), (rc = gr_b_go_build(&b)) == GR_OK) &&
	    (rc = gr_b_check_explicit_preset(&b)) == GR_OK)
		rc = gr_b_install(&b);
	gr_b_cleanup(&b);
	res->self_max_rss_kib = gr_b_vmhwm();
	gr_b_free(&b);
	return rc;
}

void
gr_build_result_deinit(struct gr_build_result *res)
{
	free(res->pkg_dir);
	gr_strvec_deinit(&res->go_argv);
	gr_strvec_deinit(&res->tags);
	gr_link_report_deinit(&res->link);
	gr_strvec_deinit(&res->presets_applied);
	gr_strvec_deinit(&res->warnings);
	gr_strvec_deinit(&res->dropped);
	free(res->out);
	free(res->kept);
	free(res->kit);
	free(res->preset_path);
	free(res->go_stderr);
	free(res->go_stderr_brief);
	free(res->link_dump);
	if (res->manifest) {
		gr_manifest_deinit(res->manifest);
		free(res->manifest);
	}
	gr_report_free(res->check);
	memset(res, 0, sizeof(*res));
}
