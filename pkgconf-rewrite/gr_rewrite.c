#include "gr_rewrite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_bstate.h"

const char *const gr_rw_default_system_libs[] = {
	/* glibc */
	"c", "m", "pthread", "dl", "rt", "resolv", "util", "anl", "crypt", "nsl", "mvec",
	"BrokenLocale", "thread_db", "nss_files", "nss_dns",
	/* the gcc runtime */
	"gcc", "gcc_s", "gcc_eh", "atomic",
};
const size_t gr_rw_ndefault_system_libs =
	sizeof(gr_rw_default_system_libs) / sizeof(gr_rw_default_system_libs[0]);

const char *const gr_rw_darwin_system_libs[] = {
	/* libSystem and the names the SDK aliases to it */
	"System", "c", "m", "pthread", "dl", "resolv",
	/* the C++ and Objective-C runtimes */
	"c++", "objc",
};
const size_t gr_rw_ndarwin_system_libs =
	sizeof(gr_rw_darwin_system_libs) / sizeof(gr_rw_darwin_system_libs[0]);

/* What a first pass over the flags finds before any -l is searched. */
struct gr_rw_scan {
	const char **dirs;     /* every driver-level -L, in order, wherever it stands */
	size_t ndirs;
	const char **lddirs;   /* every -L given to the linker itself (-Wl,-L, -Xlinker -L) */
	size_t nlddirs;
	const char *sysroot;   /* the last --sysroot, at either level */
	const char *driver_sysroot;  /* the last compiler-driver --sysroot */
	bool initial_static;   /* -static or -static-pie anywhere */
	bool nostdlib;         /* ld's own -nostdlib */
};

struct gr_rw {
	const struct gr_rw_opts *o;
	struct gr_rw_result *r;
	struct gr_bstate st;       /* -Bstatic/-Bdynamic at the current position */
	size_t cap;
	struct gr_error *err;
	bool darwin;               /* ld64's rules */
	const char *variant;       /* darwin: the -VARIANT-l of the library being handled, or NULL */
	const char *stubdir;       /* darwin: SYSLIBROOT/usr/lib/, whose files are system stubs */
	const struct gr_pc_token *in;  /* the flags walked, and how many: */
	size_t nin;                    /* whether a -lNAME is among them */
};

static bool
gr_rw_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool
gr_rw_in(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* --allow-dynamic NAME covers -lNAME and -l:libNAME.so[.N...] (the run-time
 * file, named when the development link libNAME.so is not installed). */
static bool
gr_rw_allowed(const char *name, const struct gr_rw_opts *o)
{
	size_t i, l;

	if (gr_rw_in(name, o->allow_dynamic, o->nallow_dynamic))
		return true;
	if (strncmp(name, ":lib", 4) != 0)
		return false;
	for (i = 0; i < o->nallow_dynamic; i++) {
		l = strlen(o->allow_dynamic[i]);
		if (!strncmp(name + 4, o->allow_dynamic[i], l) && !strncmp(name + 4 + l, ".so", 3) &&
		    (name[7 + l] == '\0' || name[7 + l] == '.'))
			return true;
	}
	return false;
}

/* Split "-Wl,a,b,c" at every comma, as gcc does. */
static int
gr_rw_wl_split(struct gr_arena *a, const char *tok, const char ***parts, size_t *n)
{
	const char *p = tok + 4, *comma;
	size_t cap = 1, k = 0;
	const char **v;

	for (comma = p; (comma = strchr(comma, ',')) != NULL; comma++)
		cap++;
	v = gr_arena_alloc(a, cap * sizeof(*v));
	if (!v)
		return GR_ENOMEM;
	for (;;) {
		comma = strchr(p, ',');
		v[k] = comma ? gr_arena_strndup(a, p, (size_t)(comma - p)) : gr_arena_strdup(a, p);
		if (!v[k])
			return GR_ENOMEM;
		k++;
		if (!comma)
			break;
		p = comma + 1;
	}
	*parts = v;
	*n = k;
	return GR_OK;
}

/* ---- pass 1 ------------------------------------------------------------ */

struct gr_rw_scanner {
	struct gr_arena *a;
	struct gr_rw_scan *sc;
	size_t cap, ldcap;
	bool pending_L;  /* the last ld argument was "-L" or "--library-path" */
};

/* Append d to *v (n used of *cap; cap NULL: *v holds exactly n, grown by a copy). */
static int
gr_rw_push_str(struct gr_arena *a, const char ***v, size_t *n, size_t *cap, const char *d)
{
	void *grown = *v;

	if (!d || !gr_arena_grow(a, &grown, *n, cap, sizeof(**v)))
		return GR_ENOMEM;
	*v = grown;
	(*v)[(*n)++] = d;
	return GR_OK;
}

/* One ld argument seen in pass 1 (from -Wl, or -Xlinker). */
static int
gr_rw_scan_ld(struct gr_rw_scanner *z, const char *x)
{
	struct gr_rw_scan *sc = z->sc;

	if (z->pending_L) {
		z->pending_L = false;
		return gr_rw_push_str(z->a, &sc->lddirs, &sc->nlddirs, &z->ldcap, x);
	}
	if (!strcmp(x, "-L") || !strcmp(x, "--library-path")) {
		z->pending_L = true;
	} else if (gr_rw_prefix(x, "-L")) {
		return gr_rw_push_str(z->a, &sc->lddirs, &sc->nlddirs, &z->ldcap, x + 2);
	} else if (gr_rw_prefix(x, "--library-path=")) {
		return gr_rw_push_str(z->a, &sc->lddirs, &sc->nlddirs, &z->ldcap, x + 15);
	} else if (gr_rw_prefix(x, "--sysroot=")) {
		sc->sysroot = x + 10;
	} else if (!strcmp(x, "-nostdlib")) {
		sc->nostdlib = true;
	}
	return GR_OK;
}

static int
gr_rw_scan(struct gr_arena *a, const struct gr_pc_token *in, size_t n, struct gr_rw_scan *sc)
{
	struct gr_rw_scanner z;
	size_t i, k, nparts;
	const char **parts;
	int rc = GR_OK;

	memset(sc, 0, sizeof(*sc));
	memset(&z, 0, sizeof(z));
	z.a = a;
	z.sc = sc;
	for (i = 0; i < n && rc == GR_OK; i++) {
		const char *t = in[i].text;
		if (!strcmp(t, "-L") && i + 1 < n) {
			rc = gr_rw_push_str(a, &sc->dirs, &sc->ndirs, &z.cap, in[++i].text);
		} else if (gr_rw_prefix(t, "-L")) {
			rc = gr_rw_push_str(a, &sc->dirs, &sc->ndirs, &z.cap, t + 2);
		} else if (!strcmp(t, "-static") || !strcmp(t, "-static-pie")) {
			sc->initial_static = true;
		} else if (gr_rw_prefix(t, "--sysroot=")) {
			sc->sysroot = sc->driver_sysroot = t + 10;
		} else if (!strcmp(t, "--sysroot") && i + 1 < n) {
			sc->sysroot = sc->driver_sysroot = in[++i].text;
		} else if (!strcmp(t, "-Xlinker") && i + 1 < n) {
			rc = gr_rw_scan_ld(&z, in[++i].text);
		} else if (gr_rw_prefix(t, "-Wl,")) {
			if ((rc = gr_rw_wl_split(a, t, &parts, &nparts)))
				break;
			for (k = 0; k < nparts && rc == GR_OK; k++)
				rc = gr_rw_scan_ld(&z, parts[k]);
		}
	}
	return rc;
}

const char *
gr_rewrite_driver_sysroot(const struct gr_pc_token *in, size_t n)
{
	const char *root = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (gr_rw_prefix(in[i].text, "--sysroot="))
			root = in[i].text + 10;
		else if (!strcmp(in[i].text, "--sysroot") && i + 1 < n)
			root = in[++i].text;
	}
	return root;
}

int
gr_rewrite_driver_toolchain_flags(const char *const *args, size_t n, struct gr_strvec *out)
{
	const char *root = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = args[i];
		if (gr_rw_prefix(a, "--sysroot=")) {
			root = a + 10;
		} else if (!strcmp(a, "--sysroot") && i + 1 < n) {
			root = args[++i];
		} else if ((a[0] == '-' && a[1] == 'm' && a[2]) || gr_rw_prefix(a, "--target=") ||
		           gr_rw_prefix(a, "-fuse-ld=") || (gr_rw_prefix(a, "-B") && a[2])) {
			/* -m32, -mx32, -march=..., -B/dir/, --target=...: they change the
			 * driver's multilib dirs, its linker, or its target. */
			if (gr_strvec_push(out, a))
				return GR_ENOMEM;
		} else if ((!strcmp(a, "-B") || !strcmp(a, "-target")) && i + 1 < n) {
			if (gr_strvec_push(out, a) || gr_strvec_push(out, args[i + 1]))
				return GR_ENOMEM;
			i++;
		}
	}
	if (root) {
		size_t l = strlen(root) + sizeof("--sysroot=");
		char *opt = malloc(l);
		int rc;
		if (!opt)
			return GR_ENOMEM;
		snprintf(opt, l, "--sysroot=%s", root);
		rc = gr_strvec_push(out, opt);
		free(opt);
		if (rc)
			return GR_ENOMEM;
	}
	return GR_OK;
}

/* ---- pass 2 ------------------------------------------------------------ */

static struct gr_rw_token *
gr_rw_token_new(struct gr_rw *w, const char *input, const char *origin, enum gr_rw_kind kind)
{
	struct gr_rw_result *r = w->r;
	struct gr_rw_token *t;
	void *grown = r->tokens;

	if (!gr_arena_grow(&r->arena, &grown, r->ntokens, &w->cap, sizeof(*r->tokens)))
		return NULL;
	r->tokens = grown;
	t = &r->tokens[r->ntokens++];
	memset(t, 0, sizeof(*t));
	t->input = input;
	t->origin = origin;
	t->kind = kind;
	t->res.found.dir_index = (size_t)-1;
	return t;
}

/* Append an output argument to token t (and to the rewritten argv). */
static int
gr_rw_emit(struct gr_rw *w, struct gr_rw_token *t, const char *arg)
{
	int rc = gr_rw_push_str(&w->r->arena, &t->output, &t->noutput, NULL, arg);

	return rc ? rc : gr_strvec_push(&w->r->argv, arg);
}

/* A library reference: keep it, or replace it by the archive(s) ld would open. */
static int gr_rw_emit_all(struct gr_rw *w, struct gr_rw_token *t, const char *const *args, size_t n);

static int gr_rw_library_darwin(struct gr_rw *w, const char *input, const char *origin,
                                const char *name, const char *const *kept, size_t nkept);

static int gr_rw_add_note(struct gr_arena *a, struct gr_rw_token *t, const char *note);

static int gr_rw_resolve(struct gr_rw *w, struct gr_rw_token *t, const char *const *kept, size_t nkept);

/* Whether library token t (named name) stays as written, and why. */
static void
gr_rw_keep(struct gr_rw_token *t, const char *name, const struct gr_rw_opts *o)
{
	if (gr_rw_allowed(name, o)) {
		t->kept = true;
		t->kept_why = "--allow-dynamic";
	} else if (o->mode == GR_RW_THIRD_PARTY && gr_rw_in(name, o->system_libs, o->nsystem_libs)) {
		t->kept = true;
		t->kept_why = "system library";
		} else if (gr_rw_in(name, o->driver_libs, o->ndriver_libs)) {
		t->kept = true;
		t->kept_why = "the compiler's own C library";
	}
}

/* kept/nkept: the argument(s) exactly as written, output when the -l stays. */
static int
gr_rw_library(struct gr_rw *w, const char *input, const char *origin, const char *name,
              const char *const *kept, size_t nkept)
{
	if (w->darwin)
		return gr_rw_library_darwin(w, input, origin, name, kept, nkept);

	struct gr_rw_result *r = w->r;
	const struct gr_rw_opts *o = w->o;
	struct gr_rw_token *t = gr_rw_token_new(w, input, origin, GR_RW_LIBRARY);

	if (!t || !(t->lib = gr_arena_strdup(&r->arena, name)))
		return GR_ENOMEM;
	t->dynamic_state = w->st.dynamic && w->st.explicit_dynamic;
	for (size_t i = 0; i < o->nreplace; i++)
		if (!strcmp(o->replace_lib[i], name)) {
			/* A stand-in chosen by the caller: no search. The result keeps
			 * its own copy (it outlives the caller's strings). */
			const char *path = gr_arena_strdup(&r->arena, o->replace_path[i]);
			if (!path)
				return GR_ENOMEM;
			t->res.found.path = path;
			t->res.found.kind = GR_CAND_ARCHIVE;
			t->res.found.dir_index = (size_t)-1;
			return gr_rw_emit(w, t, path);
		}
	gr_rw_keep(t, name, o);
	if (t->kept && !strcmp(t->kept_why, "--allow-dynamic") && name[0] != ':' && nkept == 1 &&
	    kept[0][0] == '-' && kept[0][1] == 'l' && !strcmp(kept[0] + 2, name)) {
		/* -lNAME kept dynamic, but ld finds nothing for it when only the
		 * run-time libNAME.so.N is installed (no development link): name
		 * that file, as the user asked for the library to stay dynamic. */
		struct gr_ldresult dyn;
		struct gr_error derr;
		char rt[4096];
		const char *base, *arg, *note;
		if (gr_ldsearch_lib(&r->search, name, false, &dyn, &derr) == GR_ENOTFOUND &&
		    gr_ldsearch_runtime_only(&r->search, name, rt, sizeof(rt))) {
			base = strrchr(rt, '/') + 1;
			if (!(arg = gr_arena_printf(&r->arena, "-l:%s", base)) ||
			    !(note = gr_arena_printf(&r->arena, "lib%s.so is not installed (no development package): the run-time %s is linked by name (-l:%s)",
			                             name, rt, base)) ||
			    gr_rw_add_note(&r->arena, t, note))
				return GR_ENOMEM;
			return gr_rw_emit(w, t, arg);
		}
	}
	if (t->kept)
		return gr_rw_emit_all(w, t, kept, nkept);
	return gr_rw_resolve(w, t, kept, nkept);
}

/* Library token t (not kept): the archive ld -static opens for -l<t->lib>, or
 * missing, with kept/nkept in the argv then. */
static int
gr_rw_resolve(struct gr_rw *w, struct gr_rw_token *t, const char *const *kept, size_t nkept)
{
	struct gr_rw_result *r = w->r;
	const char *name = t->lib;
	struct gr_error serr;
	size_t i;
	int rc, open_group = 0;

	gr_error_clear(&serr);
	rc = gr_ldsearch_lib(&r->search, name, true, &t->res, &serr);
	if (rc == GR_ENOTFOUND) {
		struct gr_ldresult dyn;
		struct gr_error derr;
		t->missing = true;
		r->nmissing++;
		/* What ld would take without -static: a .so, or a script such as libgcc_s.so. */
		if (t->shared_path)
			t->shared_alternative = t->shared_path;
		else if (gr_ldsearch_lib(&r->search, name, false, &dyn, &derr) == GR_OK &&
		         (dyn.found.kind == GR_CAND_SHARED || dyn.found.kind == GR_CAND_SCRIPT))
			t->shared_alternative = dyn.found.path;
		/* Nothing reaches stdout on this path; keep the argv complete anyway. */
		return gr_rw_emit_all(w, t, kept, nkept);
	}
	if (rc) {
		*w->err = serr;
		return rc;
	}
	if (t->res.found.kind != GR_CAND_SCRIPT)
		return gr_rw_emit(w, t, t->res.found.path);
	/* A linker script: its members, with its GROUPs as --start-group/--end-group. */
	for (i = 0; i < t->res.nmembers; i++) {
		const struct gr_ldfile *m = &t->res.members[i];
		if (m->group != open_group) {
			if (open_group && (rc = gr_rw_emit(w, t, "-Wl,--end-group")))
				return rc;
			if (m->group && (rc = gr_rw_emit(w, t, "-Wl,--start-group")))
				return rc;
			open_group = m->group;
		}
		if ((rc = gr_rw_emit(w, t, m->path)))
			return rc;
	}
	if (open_group && (rc = gr_rw_emit(w, t, "-Wl,--end-group")))
		return rc;
	return GR_OK;
}

static int
gr_rw_emit_all(struct gr_rw *w, struct gr_rw_token *t, const char *const *args, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = gr_rw_emit(w, t, args[i])))
			return rc;
	return GR_OK;
}

/* Compiler-driver options whose value is the next argument (so that word is
 * no input file); -l, -L, -Xlinker and --sysroot are handled before. */
static const char *const gr_rw_valued_opts[] = {
	"-o", "-x", "-T", "-u", "-e", "-z", "-B", "-I", "-isystem", "-iquote", "-idirafter",
	"-include", "-imacros", "-MF", "-MT", "-MQ", "-Xassembler", "-Xpreprocessor",
	"-aux-info", "--param", "-target", "-specs",
	/* Apple's, which a .pc for macOS may hold: passed on as they are elsewhere. */
	"-framework", "-weak_framework", "-needed_framework", "-reexport_framework", "-F", "-arch",
	"-isysroot", "-syslibroot", "-weak_library", "-needed_library", "-reexport_library",
	"-force_load", "-load_hidden",
};

/* Whether in[i] is a bare word the driver hands to ld as an input file: no
 * option, no option's value, no @response file. */
static bool
gr_rw_input_word(const struct gr_pc_token *in, size_t i)
{
	const char *a = in[i].text;

	return a[0] != '-' && a[0] != '@' && a[0] != '\0' &&
	       !(i > 0 && gr_rw_in(in[i - 1].text, gr_rw_valued_opts,
	                           sizeof(gr_rw_valued_opts) / sizeof(gr_rw_valued_opts[0])));
}

/* Whether -lNAME stands among the flags walked (a --lib -lNAME of gorelink's). */
static bool
gr_rw_names_l(const struct gr_rw *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->nin; i++)
		if (!strncmp(w->in[i].text, "-l", 2) && !strcmp(w->in[i].text + 2, name))
			return true;
	return false;
}

/* A bare archive name (norm.pc's "libprotokit.a", no directory) that is not
 * there, under inference or with -lNAME in the flags too: linked as -lNAME
 * (the archive it finds, or -lNAME where that stays dynamic), with a note.
 * *done false: -lNAME finds no archive either, and nothing was emitted. */
static int
gr_rw_bare_archive(struct gr_rw *w, const char *path, const char *origin, const char *name, bool *done)
{
	struct gr_rw_result *r = w->r;
	struct gr_rw_token *t;
	struct gr_ldresult lr;
	struct gr_error e;
	const char *larg, *note;
	int rc;

	*done = false;
	if (gr_ldsearch_lib(&r->search, name, true, &lr, &e) != GR_OK)
		return GR_OK;
	*done = true;
	if (!(larg = gr_arena_printf(&r->arena, "-l%s", name)))
		return GR_ENOMEM;
	if ((rc = gr_rw_library(w, path, origin, name, &larg, 1)))
		return rc;
	t = &r->tokens[r->ntokens - 1];
	t->bare_archive = true;
	if (!(note = gr_arena_printf(&r->arena, "%s is a bare archive name (ld would open it in the current directory, where there is none): "
	                             "linked as -l%s finds it (%s), %s",
	                             path, name, lr.found.path,
	                             w->o->infer ? "inferred" : "since -l is given for it too")) ||
	    gr_rw_add_note(&r->arena, t, note))
		return GR_ENOMEM;
	return GR_OK;
}

/* An input file named by its path (not an option) that does not exist: ld
 * opens it as given, relative to the current directory, and fails ("cannot
 * find libprotokit.a" for Debian's norm.pc, whose Libs.private name the
 * archive by file name). Missing, like a library without an archive; a note
 * names what -lNAME would have found. A bare libNAME.a that -lNAME finds is
 * linked so instead under inference, or when -lNAME is given too. */
static int
gr_rw_missing_file(struct gr_rw *w, const char *path, const char *origin)
{
	struct gr_rw_result *r = w->r;
	struct gr_rw_token *t;
	const char *base = strrchr(path, '/'), *note;
	char buf[256];
	size_t bl;

	base = base ? base + 1 : path;
	bl = strlen(base);
	/* The -lNAME the word may have meant: libNAME.a, libNAME.so[.N], or a
	 * plain word such as superlu.pc's "blas". */
	if (w->darwin)
		buf[0] = '\0';
	else if (bl > 5 && !strncmp(base, "lib", 3) && !strcmp(base + bl - 2, ".a"))
		snprintf(buf, sizeof(buf), "%.*s", (int)(bl - 5), base + 3);
	else if (!gr_ldsearch_shared_name(base, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "%s", base == path && !strchr(base, '.') ? base : "");
	if (buf[0] && base == path && bl > 5 && !strcmp(base + bl - 2, ".a") &&
	    (w->o->infer || gr_rw_names_l(w, buf))) {
		bool done;
		int rc = gr_rw_bare_archive(w, path, origin, buf, &done);
		if (rc || done)
			return rc;
	}
	if (!(t = gr_rw_token_new(w, path, origin, GR_RW_OTHER)))
		return GR_ENOMEM;
	t->missing = true;
	r->nmissing++;
	if (buf[0]) {
		struct gr_ldresult lr;
		struct gr_error e;
		if (gr_ldsearch_lib(&r->search, buf, true, &lr, &e) == GR_OK) {
			if (!(note = gr_arena_printf(&r->arena, "-l%s would find %s", buf, lr.found.path)) ||
			    gr_rw_add_note(&r->arena, t, note))
				return GR_ENOMEM;
		}
	}
	return gr_rw_emit(w, t, path);
}

/* A shared library named by its path (gdal.pc's /lib/x86_64-linux-gnu/libexpat.so.1.8.10):
 * ld -static refuses it ("attempted static link of dynamic object"). It
 * stays when its -lNAME is kept (a system library in third-party mode,
 * --allow-dynamic); otherwise the archive -lNAME finds replaces it, as if
 * the flags had said -lNAME, and without one it is missing. */
static int
gr_rw_shared_path(struct gr_rw *w, const char *path, const char *origin)
{
	struct gr_rw_result *r = w->r;
	struct gr_rw_token *t = gr_rw_token_new(w, path, origin, GR_RW_LIBRARY);
	const char *base = strrchr(path, '/'), *note;
	char name[256];
	int rc;

	if (!t)
		return GR_ENOMEM;
	base = base ? base + 1 : path;
	t->shared_path = path;
	if (!gr_ldsearch_shared_name(base, name, sizeof(name))) {
		/* No lib<NAME>.so name: nothing to search for, nothing to keep by name. */
		if (!(t->lib = gr_arena_printf(&r->arena, ":%s", base)))
			return GR_ENOMEM;
		t->missing = true;
		t->shared_alternative = path;
		r->nmissing++;
		return gr_rw_emit(w, t, path);
	}
	if (!(t->lib = gr_arena_strdup(&r->arena, name)))
		return GR_ENOMEM;
	gr_rw_keep(t, name, w->o);
	if (t->kept)
		return gr_rw_emit(w, t, path);
	if ((rc = gr_rw_resolve(w, t, &path, 1)))
		return rc;
	if (t->missing)
		return GR_OK;
	if (!(note = gr_arena_printf(&r->arena, "%s is a shared library named by its path; %s, which -l%s finds, is linked instead",
	                             path, t->res.found.path, name)))
		return GR_ENOMEM;
	return gr_rw_add_note(&r->arena, t, note);
}

/* An input file named by its path: ld opens it as given, relative to the
 * directory of the link. Missing when it is not there; a shared library is
 * handled as gr_rw_shared_path says; anything else passes. */
static int gr_rw_pass(struct gr_rw *w, const char *input, const char *origin, enum gr_rw_kind kind,
                      const char *const *args, size_t nargs);

static int
gr_rw_input(struct gr_rw *w, const char *path, const char *origin)
{
	struct gr_cand_info ci;
	struct gr_error e;
	const char *base = strrchr(path, '/');
	char name[256];
	int rc;

	if (access(path, F_OK) != 0)
		return gr_rw_missing_file(w, path, origin);
	base = base ? base + 1 : path;
	if ((rc = gr_bfd_classify(path, &w->r->search.target, &ci, &e))) {
		*w->err = e;
		return rc;
	}
	/* A linker script under a shared library's name (libc.so) leads ld to one too. */
	if (ci.kind == GR_CAND_SHARED ||
	    (ci.kind == GR_CAND_SCRIPT && gr_ldsearch_shared_name(base, name, sizeof(name))))
		return gr_rw_shared_path(w, path, origin);
	return gr_rw_pass(w, path, origin, GR_RW_OTHER, &path, 1);
}

/* Emit a pass-through token. */
static int
gr_rw_pass(struct gr_rw *w, const char *input, const char *origin, enum gr_rw_kind kind,
           const char *const *args, size_t nargs)
{
	struct gr_rw_token *t = gr_rw_token_new(w, input, origin, kind);

	return t ? gr_rw_emit_all(w, t, args, nargs) : GR_ENOMEM;
}

static const char *const gr_rw_darwin_variants[] = {
	"weak", "needed", "reexport", "hidden", "upward", "lazy",
};

/* ld64's -VARIANT-lNAME ("-weak-lfoo"): NAME, with *variant set; else NULL. */
static const char *
gr_rw_darwin_variant_lib(const char *a, const char **variant)
{
	size_t i, l;

	for (i = 0; i < sizeof(gr_rw_darwin_variants) / sizeof(gr_rw_darwin_variants[0]); i++) {
		l = strlen(gr_rw_darwin_variants[i]);
		if (a[0] == '-' && !strncmp(a + 1, gr_rw_darwin_variants[i], l) && !strncmp(a + 1 + l, "-l", 2) &&
		    a[l + 3]) {
			*variant = gr_rw_darwin_variants[i];
			return a + l + 3;
		}
	}
	return NULL;
}

/* The library an ld argument names ("-lfoo", "--library=foo"), or NULL. */
static const char *
gr_rw_ld_lib(const char *a)
{
	if (gr_rw_prefix(a, "-l") && a[2])
		return a + 2;
	if (gr_rw_prefix(a, "--library=") && a[10])
		return a + 10;
	return NULL;
}

/* Whether a part is "-l" or "--library", whose value is the next ld argument. */
static bool
gr_rw_lib_flag(const char *p)
{
	return !strcmp(p, "-l") || !strcmp(p, "--library");
}

/* Pass parts [from, to) of a -Wl token on as one -Wl token, applying their state. */
static int
gr_rw_wl_segment(struct gr_rw *w, const char *const *parts, size_t from, size_t to,
                 const char *origin)
{
	struct gr_arena *a = &w->r->arena;
	size_t i, len = 4;
	bool state = false;
	char *tok;

	if (from >= to)
		return GR_OK;
	for (i = from; i < to; i++) {
		if (gr_bstate_ld(&w->st, parts[i]))
			state = true;
		len += strlen(parts[i]) + 1;
	}
	tok = gr_arena_alloc(a, len);
	if (!tok)
		return GR_ENOMEM;
	memcpy(tok, "-Wl,", 4);
	len = 4;
	for (i = from; i < to; i++) {
		size_t l = strlen(parts[i]);
		if (i > from)
			tok[len++] = ',';
		memcpy(tok + len, parts[i], l);
		len += l;
	}
	tok[len] = '\0';
	return gr_rw_pass(w, tok, origin, state ? GR_RW_LINKER_STATE : GR_RW_OTHER,
	                  (const char *const *)&tok, 1);
}

/* -Wl,...: state changes apply in order; a -l inside is rewritten where it stands. */
static int
gr_rw_wl(struct gr_rw *w, const char *tok, const char *origin)
{
	struct gr_arena *a = &w->r->arena;
	const char **parts;
	size_t n, i, seg = 0;
	int rc;

	if ((rc = gr_rw_wl_split(a, tok, &parts, &n)))
		return rc;
	/* A library name must be inside the token: "-Wl,-l -Wl,foo" is refused
	 * rather than passed on unresolved. */
	if (gr_rw_lib_flag(parts[n - 1]))
		return gr_error_set(w->err, GR_EUSAGE, 0,
		                    "'%s' ends in %s, whose library name is in the next argument; write -lNAME or -Wl,-l,NAME",
		                    tok, parts[n - 1]);
	for (i = 0; i < n; i++) {
		const char *v;
		if (gr_rw_ld_lib(parts[i]) || gr_rw_lib_flag(parts[i]) ||
		    (w->darwin && gr_rw_darwin_variant_lib(parts[i], &v)))
			break;
	}
	if (i == n) {
		bool state = false;
		for (i = 0; i < n; i++)
			if (gr_bstate_ld(&w->st, parts[i]))
				state = true;
		return gr_rw_pass(w, tok, origin, state ? GR_RW_LINKER_STATE : GR_RW_OTHER, &tok, 1);
	}
	for (i = 0; i < n; i++) {
		const char *lib = gr_rw_ld_lib(parts[i]);
		size_t used = 1;
		const char *written;
		w->variant = NULL;
		if (!lib && w->darwin)
			lib = gr_rw_darwin_variant_lib(parts[i], &w->variant);
		if (!lib && gr_rw_lib_flag(parts[i]) && i + 1 < n) {
			lib = parts[i + 1];
			used = 2;
		}
		if (!lib)
			continue;
		if ((rc = gr_rw_wl_segment(w, parts, seg, i, origin)))
			return rc;
		written = used == 2 ? gr_arena_printf(a, "-Wl,%s,%s", parts[i], lib) : gr_arena_printf(a, "-Wl,%s", parts[i]);
		if (!written)
			return GR_ENOMEM;
		if ((rc = gr_rw_library(w, written, origin, lib, &written, 1)))
			return rc;
		i += used - 1;
		seg = i + 1;
	}
	return gr_rw_wl_segment(w, parts, seg, n, origin);
}

static int
gr_rw_walk(struct gr_rw *w, const struct gr_pc_token *in, size_t n)
{
	struct gr_arena *a = &w->r->arena;
	size_t i;
	int rc = GR_OK;

	w->in = in;
	w->nin = n;
	for (i = 0; i < n && rc == GR_OK; i++) {
		const char *t = in[i].text, *origin = in[i].origin, *vlib;
		w->variant = NULL;
		if (w->darwin && (vlib = gr_rw_darwin_variant_lib(t, &w->variant)) != NULL) {
			rc = gr_rw_library(w, t, origin, vlib, &t, 1);
		} else if (w->darwin && (!strcmp(t, "-framework") || !strcmp(t, "-weak_framework") ||
		                         !strcmp(t, "-needed_framework") || !strcmp(t, "-reexport_framework") ||
		                         !strcmp(t, "-F") || !strcmp(t, "-isysroot") || !strcmp(t, "-syslibroot") ||
		                         !strcmp(t, "-arch") || !strcmp(t, "-weak_library") ||
		                         !strcmp(t, "-needed_library") || !strcmp(t, "-reexport_library") ||
		                         !strcmp(t, "-force_load") || !strcmp(t, "-load_hidden")) && i + 1 < n) {
			const char *args[2] = { t, in[i + 1].text };
			const char *two = gr_arena_printf(a, "%s %s", t, in[i + 1].text);
			if (!two)
				return GR_ENOMEM;
			rc = gr_rw_pass(w, two, origin,
			                !strcmp(t, "-isysroot") || !strcmp(t, "-syslibroot") ? GR_RW_LINKER_STATE :
			                !strcmp(t, "-F") ? GR_RW_SEARCH_DIR : GR_RW_OTHER, args, 2);
			i++;
		} else if (!strcmp(t, "-l") && i + 1 < n) {
			const char *args[2] = { t, in[i + 1].text };
			const char *two = gr_arena_printf(a, "-l %s", in[i + 1].text);
			if (!two)
				return GR_ENOMEM;
			rc = gr_rw_library(w, two, origin, in[i + 1].text, args, 2);
			i++;
		} else if (gr_rw_prefix(t, "-l") && t[2]) {
			rc = gr_rw_library(w, t, origin, t + 2, &t, 1);
		} else if ((!strcmp(t, "-L") || !strcmp(t, "--sysroot")) && i + 1 < n) {
			const char *args[2] = { t, in[i + 1].text };
			const char *two = gr_arena_printf(a, "%s %s", t, in[i + 1].text);
			if (!two)
				return GR_ENOMEM;
			rc = gr_rw_pass(w, two, origin, t[1] == 'L' ? GR_RW_SEARCH_DIR : GR_RW_LINKER_STATE,
			                args, 2);
			i++;
		} else if (gr_rw_prefix(t, "-L")) {
			rc = gr_rw_pass(w, t, origin, GR_RW_SEARCH_DIR, &t, 1);
		} else if (!strcmp(t, "-static") || !strcmp(t, "-static-pie") || gr_rw_prefix(t, "--sysroot=")) {
			rc = gr_rw_pass(w, t, origin, GR_RW_LINKER_STATE, &t, 1);
		} else if (!strcmp(t, "-Xlinker") && i + 1 < n) {
			const char *x = in[i + 1].text, *lib = gr_rw_ld_lib(x);
			if (!lib && w->darwin)
				lib = gr_rw_darwin_variant_lib(x, &w->variant);
			const char *two = gr_arena_printf(a, "-Xlinker %s", x);
			if (!two)
				return GR_ENOMEM;
			if (gr_rw_lib_flag(x)) {
				/* "-Xlinker -l -Xlinker foo": the name is the next -Xlinker's. */
				const char *four, *args[4];
				if (!(i + 3 < n && !strcmp(in[i + 2].text, "-Xlinker")))
					return gr_error_set(w->err, GR_EUSAGE, 0,
					                    "'-Xlinker %s' is not followed by '-Xlinker NAME'; write -lNAME", x);
				args[0] = t;
				args[1] = x;
				args[2] = in[i + 2].text;
				args[3] = in[i + 3].text;
				four = gr_arena_printf(a, "-Xlinker %s -Xlinker %s", x, in[i + 3].text);
				if (!four)
					return GR_ENOMEM;
				rc = gr_rw_library(w, four, origin, in[i + 3].text, args, 4);
				i += 3;
			} else if (lib) {
				const char *args[2] = { t, x };
				rc = gr_rw_library(w, two, origin, lib, args, 2);
				i++;
			} else {
				const char *args[2] = { t, x };
				bool state = gr_bstate_ld(&w->st, x);
				rc = gr_rw_pass(w, two, origin, state ? GR_RW_LINKER_STATE : GR_RW_OTHER, args, 2);
				i++;
			}
		} else if (gr_rw_prefix(t, "-Wl,")) {
			rc = gr_rw_wl(w, t, origin);
		} else if (!w->darwin && gr_rw_input_word(in, i) && (t[0] == '/' || origin || w->o->link_runs_here)) {
			rc = gr_rw_input(w, t, origin);
		} else {
			rc = gr_rw_pass(w, t, origin, GR_RW_OTHER, &t, 1);
		}
	}
	return rc;
}

/* Walk the flags with w (its result and error set up), then hand the result
 * over: GR_ENOTFOUND, with *out filled, when some KIND library has no archive. */
static int
gr_rw_run(struct gr_rw *w, const struct gr_pc_token *in, size_t n, const char *kind,
          struct gr_rw_result **out)
{
	struct gr_rw_result *r = w->r;
	struct gr_error *err = w->err;
	int rc;

	gr_error_clear(err);
	rc = gr_rw_walk(w, in, n);
	if (rc) {
		if (rc == GR_ENOMEM || err->code == GR_OK)
			gr_error_set(err, rc, 0, "rewrite: out of memory");
		gr_rw_result_free(r);
		return rc;
	}
	*out = r;
	if (r->nmissing)
		return gr_error_set(err, GR_ENOTFOUND, 0, "%zu %slibrar%s ha%s no static archive", r->nmissing, kind,
		                    r->nmissing == 1 ? "y" : "ies", r->nmissing == 1 ? "s" : "ve");
	return GR_OK;
}

static int gr_rewrite_gnu(const struct gr_pc_token *in, size_t n, const struct gr_rw_opts *o,
                          const struct gr_toolchain *tc, struct gr_rw_result **out, struct gr_error *err);

/* Inference's aliases (gr_infer_opts): the other -l name of the archive
 * -lNAME finds when that is a symbolic link to lib<OTHER>.a which -lOTHER
 * finds as well (Debian's libpng.a -> libpng16.a: "png16"). ctx: the search. */
static int
gr_rw_aliases(void *ctx, const char *lname, struct gr_strvec *out)
{
	struct gr_ldsearch *sr = ctx;
	struct gr_ldresult lr, lo;
	struct gr_error e;
	struct stat ls, a, b;
	char *real, other[256];
	const char *base;
	size_t bl;
	int rc = GR_OK;

	if ((rc = gr_ldsearch_lib(sr, lname, true, &lr, &e)) != GR_OK)
		return rc == GR_ENOMEM ? GR_ENOMEM : GR_OK;
	if (lr.found.kind != GR_CAND_ARCHIVE || lstat(lr.found.path, &ls) != 0 || !S_ISLNK(ls.st_mode))
		return GR_OK;
	errno = 0;
	if (!(real = realpath(lr.found.path, NULL)))
		return errno == ENOMEM ? GR_ENOMEM : GR_OK;
	base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
	bl = strlen(base);
	if (bl > 5 && bl - 5 < sizeof(other) && !strncmp(base, "lib", 3) && !strcmp(base + bl - 2, ".a")) {
		snprintf(other, sizeof(other), "%.*s", (int)(bl - 5), base + 3);
		/* A name -lOTHER reaches, and reaches as this very file. */
		if (strcmp(other, lname) && (rc = gr_ldsearch_lib(sr, other, true, &lo, &e)) == GR_OK &&
		    stat(lr.found.path, &a) == 0 && stat(lo.found.path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			rc = gr_strvec_push(out, other);
		else if (rc != GR_ENOMEM)
			rc = GR_OK;
	}
	free(real);
	return rc;
}

/* An inferred closure of a package kept dynamic, or one that requires one
 * privately: leave out the -l names that only its private side needs
 * (gr_pc_graph_dropped; --allow-dynamic, and the system libraries in
 * third-party mode), as the pkg-config answers do (gorelink(1), PARTLY
 * DYNAMIC BUILDS). Only the flags inference inserted are touched. */
static int
gr_rw_drop_inferred(const struct gr_rw_opts *o, struct gr_infer_result *ir)
{
	struct gr_strvec dyn, pkgs, names, via;
	struct gr_pc_graph *g = NULL;
	struct gr_error e;
	size_t i, k, n = 0;
	int rc = GR_OK;

	gr_strvec_init(&dyn);
	gr_strvec_init(&pkgs);
	gr_strvec_init(&names);
	gr_strvec_init(&via);
	for (i = 0; !rc && i < o->nallow_dynamic; i++)
		rc = gr_strvec_push(&dyn, o->allow_dynamic[i]);
	for (i = 0; !rc && o->mode == GR_RW_THIRD_PARTY && i < o->nsystem_libs; i++)
		rc = gr_strvec_push(&dyn, o->system_libs[i]);
	for (i = 0; !rc && i < o->ndriver_libs; i++)
		rc = gr_strvec_push(&dyn, o->driver_libs[i]);
	for (i = 0; !rc && i < ir->nentries; i++) {
		bool again = false;
		for (k = 0; k < pkgs.n && !again; k++)
			again = !strcmp(pkgs.v[k], ir->entries[i].package);
		/* The roots: packages of bare -l flags of the input (an entry with
		 * a via came from a closure's Libs.private, which the graph has). */
		if (!again && ir->entries[i].package && !ir->entries[i].via)
			rc = gr_strvec_push(&pkgs, ir->entries[i].package);
	}
	if (rc || !dyn.n || !pkgs.n || gr_pc_graph(o->infer_env, (const char *const *)pkgs.v, pkgs.n, &g, &e) != GR_OK ||
	    !gr_pc_graph_mark_dynamic(g, (const char *const *)dyn.v, dyn.n))
		goto out;
	if ((rc = gr_pc_graph_dropped(g, (const char *const *)dyn.v, dyn.n, &names, &via)) || !names.n)
		goto out;
	for (i = 0; i < ir->ntokens; i++) {
		const struct gr_pc_token *t = &ir->tokens[i];
		bool drop = false;
		for (k = 0; k < names.n && !drop; k++)
			drop = t->origin && !strncmp(t->origin, "inferred for -l", 15) && !strncmp(t->text, "-l", 2) &&
			       !strcmp(t->text + 2, names.v[k]);
		if (!drop)
			ir->tokens[n++] = *t;
	}
	ir->ntokens = n;
	/* Each inference lists what it added: not what was left out again. */
	for (i = 0; i < ir->nentries; i++) {
		struct gr_infer_entry *x = &ir->entries[i];
		const char **kept = x->nadded ? gr_arena_alloc(&ir->arena, x->nadded * sizeof(*kept)) : NULL;
		size_t j, m = 0;
		if (x->nadded && !kept) {
			rc = GR_ENOMEM;
			goto out;
		}
		for (j = 0; j < x->nadded; j++) {
			bool gone = false;
			for (k = 0; k < names.n && !gone; k++)
				gone = !strncmp(x->added[j], "-l", 2) && !strcmp(x->added[j] + 2, names.v[k]);
			if (!gone)
				kept[m++] = x->added[j];
		}
		if (x->nadded) {
			x->added = kept;
			x->nadded = m;
		}
	}
	/* Said, for the report (gorelink's "dropped"), each name once. */
	ir->dropped = gr_arena_alloc(&ir->arena, names.n * sizeof(*ir->dropped));
	ir->dropped_via = gr_arena_alloc(&ir->arena, names.n * sizeof(*ir->dropped_via));
	if (!ir->dropped || !ir->dropped_via) {
		rc = GR_ENOMEM;
		goto out;
	}
	for (i = 0; i < names.n; i++) {
		const char *nm = gr_arena_strdup(&ir->arena, names.v[i]);
		const char *vv = i < via.n ? gr_arena_strdup(&ir->arena, via.v[i]) : NULL;
		if (!nm || (i < via.n && !vv)) {
			rc = GR_ENOMEM;
			goto out;
		}
		ir->dropped[ir->ndropped] = nm;
		ir->dropped_via[ir->ndropped++] = vv;
	}
out:
	gr_pc_graph_free(g);
	gr_strvec_deinit(&dyn);
	gr_strvec_deinit(&pkgs);
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&via);
	return rc ? GR_ENOMEM : GR_OK;
}

int
gr_rewrite(const struct gr_pc_token *in, size_t n, const struct gr_rw_opts *o,
           const struct gr_toolchain *tc, struct gr_rw_result **out, struct gr_error *err)
{
	struct gr_infer_result *ir = NULL;
	struct gr_infer_opts io;
	struct gr_ldsearch as;
	struct gr_rw_scan sc;
	struct gr_arena sa;
	struct gr_error ignore;
	bool have_search = false;
	int rc;

	*out = NULL;
	if (!o->infer || o->darwin)
		return gr_rewrite_gnu(in, n, o, tc, out, err);
	/* The search the rewrite will do, for the names of symlinked archives. */
	io = *o->infer;
	gr_arena_init(&sa);
	if ((rc = gr_rw_scan(&sa, in, n, &sc))) {
		gr_arena_deinit(&sa);
		return gr_error_set(err, rc, 0, "rewrite: out of memory");
	}
	rc = gr_ldsearch_init(&as, sc.dirs, sc.ndirs, sc.lddirs, sc.nlddirs, tc,
	                      sc.sysroot ? sc.sysroot : (tc ? tc->sysroot : NULL), sc.nostdlib, o->cache, &ignore);
	if (rc == GR_ENOMEM) {
		gr_arena_deinit(&sa);
		return gr_error_set(err, GR_ENOMEM, 0, "rewrite: out of memory");
	}
	if (rc == GR_OK) {
		have_search = true;
		io.aliases = gr_rw_aliases;
		io.aliases_ctx = &as;
	}
	/* The bare -l flags gain their packages' closures first; those go through the rewrite as any flag. */
	rc = gr_infer_run(o->infer_env, in, n, &io, &ir, err);
	if (have_search)
		gr_ldsearch_deinit(&as);
	gr_arena_deinit(&sa);
	if (rc)
		return rc;
	if (ir->nentries && gr_rw_drop_inferred(o, ir)) {
		gr_infer_result_free(ir);
		return gr_error_set(err, GR_ENOMEM, 0, "rewrite: out of memory");
	}
	rc = gr_rewrite_gnu(ir->tokens, ir->ntokens, o, tc, out, err);
	if (*out)
		(*out)->inferred = ir;  /* the tokens' strings live in it */
	else
		gr_infer_result_free(ir);
	return rc;
}

static int
gr_rewrite_gnu(const struct gr_pc_token *in, size_t n, const struct gr_rw_opts *o,
               const struct gr_toolchain *tc, struct gr_rw_result **out, struct gr_error *err)
{
	struct gr_rw_result *r;
	struct gr_rw_scan sc;
	struct gr_rw w;
	const char *sysroot;
	int rc;

	*out = NULL;
	if (o->darwin)
		return gr_rewrite_darwin(in, n, o, o->darwin, out, err);
	r = calloc(1, sizeof(*r));
	if (!r)
		return gr_error_set(err, GR_ENOMEM, 0, "rewrite: out of memory");
	gr_arena_init(&r->arena);
	gr_strvec_init(&r->argv);
	if ((rc = gr_rw_scan(&r->arena, in, n, &sc))) {
		gr_rw_result_free(r);
		return gr_error_set(err, rc, 0, "rewrite: out of memory");
	}
	sysroot = sc.sysroot ? sc.sysroot : (tc ? tc->sysroot : NULL);
	if ((rc = gr_ldsearch_init(&r->search, sc.dirs, sc.ndirs, sc.lddirs, sc.nlddirs, tc, sysroot,
	                            sc.nostdlib, o->cache, err))) {
		gr_rw_result_free(r);
		return rc;
	}
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.r = r;
	w.err = err;
	/* About a token per flag: sized once rather than doubled from 8 (each
	 * doubling a zeroed copy in the arena). Out of memory here: grown as before. */
	if (n < (size_t)-1 / sizeof(*r->tokens) - 8 &&
	    (r->tokens = gr_arena_alloc(&r->arena, (n + 8) * sizeof(*r->tokens))) != NULL)
		w.cap = n + 8;
	gr_bstate_init(&w.st, !sc.initial_static);
	return gr_rw_run(&w, in, n, "", out);
}

/* ---- darwin (Apple ld64) ------------------------------------------------- */

/* What the ld64 search needs, from every level of the flags. */
struct gr_rw_dscan {
	const char **dirs;
	size_t ndirs, cap;
	const char **roots;       /* --syslibroot, then each -syslibroot/-isysroot/--sysroot in order */
	size_t nroots, rcap;
	const char *arch;         /* the last -arch */
	bool no_defaults;         /* -Z */
	bool dylibs_first;        /* the last of -search_dylibs_first/-search_paths_first */
	bool pending_L, pending_root, pending_arch;
};

/* One ld64 argument seen in the darwin scan. */
static int
gr_rw_dscan_ld(struct gr_arena *a, struct gr_rw_dscan *z, const char *x)
{
	if (z->pending_L) {
		z->pending_L = false;
		return gr_rw_push_str(a, &z->dirs, &z->ndirs, &z->cap, x);
	}
	if (z->pending_root) {
		z->pending_root = false;
		return gr_rw_push_str(a, &z->roots, &z->nroots, &z->rcap, x);
	}
	if (z->pending_arch) {
		z->pending_arch = false;
		z->arch = x;
		return GR_OK;
	}
	if (!strcmp(x, "-L"))
		z->pending_L = true;
	else if (gr_rw_prefix(x, "-L"))
		return gr_rw_push_str(a, &z->dirs, &z->ndirs, &z->cap, x + 2);
	else if (!strcmp(x, "-syslibroot"))
		z->pending_root = true;
	else if (!strcmp(x, "-arch"))
		z->pending_arch = true;
	else if (!strcmp(x, "-Z"))
		z->no_defaults = true;
	else if (!strcmp(x, "-search_dylibs_first"))
		z->dylibs_first = true;
	else if (!strcmp(x, "-search_paths_first"))
		z->dylibs_first = false;
	return GR_OK;
}

static int
gr_rw_dscan(struct gr_arena *a, const struct gr_pc_token *in, size_t n, const char *syslibroot,
            struct gr_rw_dscan *z)
{
	size_t i, k, nparts;
	const char **parts;
	int rc = GR_OK;

	memset(z, 0, sizeof(*z));
	if (syslibroot && (rc = gr_rw_push_str(a, &z->roots, &z->nroots, &z->rcap, syslibroot)))
		return rc;
	for (i = 0; i < n && rc == GR_OK; i++) {
		const char *t = in[i].text;
		if ((!strcmp(t, "-L") || !strcmp(t, "-isysroot") || !strcmp(t, "-syslibroot") ||
		     !strcmp(t, "--sysroot") || !strcmp(t, "-arch")) && i + 1 < n) {
			const char *v = in[++i].text;
			if (t[1] == 'L')
				rc = gr_rw_push_str(a, &z->dirs, &z->ndirs, &z->cap, v);
			else if (t[1] == 'a')
				z->arch = v;
			else
				rc = gr_rw_push_str(a, &z->roots, &z->nroots, &z->rcap, v);
		} else if (gr_rw_prefix(t, "-L")) {
			rc = gr_rw_push_str(a, &z->dirs, &z->ndirs, &z->cap, t + 2);
		} else if (gr_rw_prefix(t, "--sysroot=")) {
			rc = gr_rw_push_str(a, &z->roots, &z->nroots, &z->rcap, t + 10);
		} else if (!strcmp(t, "-Xlinker") && i + 1 < n) {
			rc = gr_rw_dscan_ld(a, z, in[++i].text);
		} else if (gr_rw_prefix(t, "-Wl,")) {
			if ((rc = gr_rw_wl_split(a, t, &parts, &nparts)))
				break;
			for (k = 0; k < nparts && rc == GR_OK; k++)
				rc = gr_rw_dscan_ld(a, z, parts[k]);
		} else if (!strcmp(t, "-Z") || !strcmp(t, "-search_dylibs_first") ||
		           !strcmp(t, "-search_paths_first")) {
			rc = gr_rw_dscan_ld(a, z, t);
		}
	}
	return rc;
}

/* Append a note to a token's search result (notes are copied, not grown in place). */
static int
gr_rw_add_note(struct gr_arena *a, struct gr_rw_token *t, const char *note)
{
	return gr_rw_push_str(a, &t->res.notes, &t->res.nnotes, NULL, note);
}

/* A darwin library: system ones stay, third-party ones become their archive. */
static int
gr_rw_library_darwin(struct gr_rw *w, const char *input, const char *origin, const char *name,
                     const char *const *kept, size_t nkept)
{
	struct gr_rw_result *r = w->r;
	const struct gr_rw_opts *o = w->o;
	struct gr_rw_token *t = gr_rw_token_new(w, input, origin, GR_RW_LIBRARY);
	struct gr_ld64_result lr;
	const char *const *sys = o->system_libs ? o->system_libs : gr_rw_darwin_system_libs;
	size_t nsys = o->system_libs ? o->nsystem_libs : gr_rw_ndarwin_system_libs;
	const char *note;
	int rc;

	if (!t || !(t->lib = gr_arena_strdup(&r->arena, name)))
		return GR_ENOMEM;
	t->variant = w->variant;
	if (gr_rw_in(name, o->allow_dynamic, o->nallow_dynamic)) {
		t->kept = true;
		t->kept_why = "--allow-dynamic";
	} else if (gr_rw_in(name, sys, nsys)) {
		t->kept = true;
		t->kept_why = "system library";
	}
	if (t->kept)
		return gr_rw_emit_all(w, t, kept, nkept);
	if ((rc = gr_ld64_lib(&r->ld64, name, &lr, w->err)))
		return rc;
	t->res.notes = lr.notes;
	t->res.nnotes = lr.nnotes;
	if (lr.found.path && lr.found.kind != GR_LD64_ARCHIVE && lr.found.kind != GR_LD64_OBJECT) {
		t->shared_alternative = lr.found.path;
		/* A stub or dylib in the SDK's /usr/lib is the system's. */
		if (gr_rw_prefix(lr.found.path, w->stubdir)) {
			t->kept = true;
			t->kept_why = "system library (SDK stub)";
			t->res.found.path = lr.found.path;
			t->res.found.kind = GR_CAND_SHARED;
			t->res.found.dir_index = lr.found.dir_index;
			return gr_rw_emit_all(w, t, kept, nkept);
		}
	}
	if (lr.found.kind == GR_LD64_OBJECT) {
		/* -lfoo.o names an object: it links statically as it is. */
		t->res.found.path = lr.found.path;
		t->res.found.kind = GR_CAND_OBJECT;
		t->res.found.dir_index = lr.found.dir_index;
		return gr_rw_emit(w, t, lr.found.path);
	}
	if (!lr.archive.path) {
		t->missing = true;
		r->nmissing++;
		return gr_rw_emit_all(w, t, kept, nkept);
	}
	t->res.found.path = lr.archive.path;
	t->res.found.kind = GR_CAND_ARCHIVE;
	t->res.found.dir_index = lr.archive.dir_index;
	if (t->shared_alternative) {
		note = gr_arena_printf(&r->arena, "ld64 would take %s for -l%s; the archive is named by path instead",
		                       t->shared_alternative, name);
		if ((rc = gr_rw_add_note(&r->arena, t, note)))
			return rc;
	}
	if (t->variant && strcmp(t->variant, "hidden") != 0 && strcmp(t->variant, "lazy") != 0) {
		note = gr_arena_printf(&r->arena, "-%s-l%s: an archive is linked in, so the %s dylib load command does not apply",
		                       t->variant, name, t->variant);
		if ((rc = gr_rw_add_note(&r->arena, t, note)))
			return rc;
	}
	if (t->variant && !strcmp(t->variant, "hidden")) {
		/* -hidden-lx is a static library with its symbols hidden: ld64's -load_hidden PATH. */
		const char *arg = gr_arena_printf(&r->arena, "-Wl,-load_hidden,%s", lr.archive.path);
		return gr_rw_emit(w, t, arg);
	}
	return gr_rw_emit(w, t, lr.archive.path);
}

int
gr_rewrite_darwin(const struct gr_pc_token *in, size_t n, const struct gr_rw_opts *o,
                  const struct gr_rw_darwin *d, struct gr_rw_result **out, struct gr_error *err)
{
	struct gr_rw_result *r;
	struct gr_rw_dscan z;
	struct gr_ld64_opts lo;
	struct gr_rw w;
	size_t i;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return gr_error_set(err, GR_ENOMEM, 0, "rewrite: out of memory");
	gr_arena_init(&r->arena);
	gr_strvec_init(&r->argv);
	r->darwin = true;
	if ((rc = gr_rw_dscan(&r->arena, in, n, d->syslibroot, &z))) {
		gr_rw_result_free(r);
		return gr_error_set(err, rc, 0, "rewrite: out of memory");
	}
	memset(&lo, 0, sizeof(lo));
	lo.dirs = z.dirs;
	lo.ndirs = z.ndirs;
	lo.syslibroots = z.roots;
	lo.nsyslibroots = z.nroots;
	lo.order = z.dylibs_first ? GR_LD64_DYLIBS_FIRST : GR_LD64_PATHS_FIRST;
	lo.no_defaults = z.no_defaults;
	lo.arch = d->arch ? d->arch : z.arch ? z.arch : "arm64";
	if ((rc = gr_ld64_init(&r->ld64, &lo, err))) {
		gr_rw_result_free(r);
		return rc;
	}
	/* The search dirs, also where GNU ld's would be, for reports. */
	gr_arena_init(&r->search.arena);
	r->search.dirs = gr_arena_alloc(&r->search.arena, (r->ld64.ndirs + 1) * sizeof(*r->search.dirs));
	r->search.sources = gr_arena_alloc(&r->search.arena, (r->ld64.ndirs + 1) * sizeof(*r->search.sources));
	if (!r->search.dirs || !r->search.sources) {
		gr_rw_result_free(r);
		return gr_error_set(err, GR_ENOMEM, 0, "rewrite: out of memory");
	}
	for (i = 0; i < r->ld64.ndirs; i++) {
		r->search.dirs[i] = r->ld64.dirs[i];
		r->search.sources[i] = r->ld64.is_default[i] ? GR_DIR_LINKER : GR_DIR_CMDLINE;
	}
	r->search.ndirs = r->search.capdirs = r->ld64.ndirs;
	r->search.sysroot = r->ld64.syslibroot;
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.r = r;
	w.err = err;
	w.darwin = true;
	gr_bstate_init(&w.st, true);
	w.stubdir = gr_arena_printf(&r->arena, "%s/usr/lib/", r->ld64.syslibroot ? r->ld64.syslibroot : "");
	if (!w.stubdir) {
		gr_rw_result_free(r);
		return gr_error_set(err, GR_ENOMEM, 0, "rewrite: out of memory");
	}
	return gr_rw_run(&w, in, n, "third-party ", out);
}

int
gr_rewrite_darwin_argv(const char *const *argv, size_t n, const struct gr_rw_opts *o,
                       const struct gr_rw_darwin *d, struct gr_rw_result **out, struct gr_error *err)
{
	struct gr_pc_token *toks;
	size_t i;
	int rc;

	*out = NULL;
	toks = calloc(n ? n : 1, sizeof(*toks));
	if (!toks)
		return gr_error_set(err, GR_ENOMEM, 0, "rewrite: out of memory");
	for (i = 0; i < n; i++)
		toks[i].text = argv[i];
	rc = gr_rewrite_darwin(toks, n, o, d, out, err);
	free(toks);
	return rc;
}

void
gr_rw_result_free(struct gr_rw_result *r)
{
	if (!r)
		return;
	gr_ldsearch_deinit(&r->search);
	gr_ld64_deinit(&r->ld64);
	gr_infer_result_free(r->inferred);
	gr_strvec_deinit(&r->argv);
	gr_arena_deinit(&r->arena);
	free(r);
}
