#include "gr_diag.h"

#include <bfd.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gr_bfdcheck.h"
#include "gr_cache.h"
#include "gr_check.h"
#include "gr_file.h"
#include "gr_ldmsg.h"
#include "gr_ldsearch.h"
#include "gr_modgraph.h"
#include "gr_path.h"
#include "gr_pc.h"
#include "gr_rewrite.h"
#include "gr_strvec.h"

static bool
gr_dg_in(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static bool
gr_dg_push(struct gr_arena *a, const char ***v, size_t *n, const char *s)
{
	void *grown = *v;

	if (gr_dg_in(*v, *n, s))
		return true;
	/* The group keeps no capacity: a copy one longer each time. */
	if (!gr_arena_grow(a, &grown, *n, NULL, sizeof(**v)))
		return false;
	*v = grown;
	(*v)[(*n)++] = s;
	return true;
}

static const char *const gr_dg_net[] = {
	"getaddrinfo", "gethostbyname", "gethostbyname2", "gethostbyname_r", "gethostbyname2_r",
	"gethostbyaddr", "gethostbyaddr_r", "getnameinfo", "getservbyname", "getservbyname_r",
	"getservbyport", "getservbyport_r", "getprotobyname", "getprotobynumber",
};
static const char *const gr_dg_user[] = {
	"getpwuid_r", "getpwnam_r", "getpwuid", "getpwnam", "getpwent", "getgrgid_r", "getgrnam_r",
	"getgrgid", "getgrnam", "getgrent", "getgrouplist", "initgroups", "getspnam",
};

/* The glibc functions a Go package's cgo code calls, which a build tag
 * replaces when that package is the caller. */
static const struct gr_dg_family {
	const char *const *syms;
	size_t nsyms;
	const char *pkg;         /* the Go package: "net", "os/user" */
	const char *go_source;   /* a Go object without a source line: most likely it */
	const char *go_remedy;   /* that package calls */
	const char *c_remedy;    /* C code calls */
} gr_dg_families[] = {
	{ gr_dg_net, sizeof(gr_dg_net) / sizeof(gr_dg_net[0]), "net", "Go package net (its cgo resolver)",
	  "build with -tags netgo (Go's own resolver; gorelink --static adds it), or link against musl, or --third-party to keep the C library dynamic",
	  "C code calls the C library's resolver itself (-tags netgo changes only Go's): static glibc answers it only where the same glibc's NSS modules are installed; link against musl, or --third-party to keep the C library dynamic" },
	{ gr_dg_user, sizeof(gr_dg_user) / sizeof(gr_dg_user[0]), "os/user", "Go package os/user (its cgo lookups)",
	  "build with -tags osusergo (Go reads /etc/passwd and /etc/group itself; gorelink --static adds it), or --third-party",
	  "C code calls the C library's user lookups itself (-tags osusergo changes only Go's): static glibc answers them only where the same glibc's NSS modules are installed; link against musl, or --third-party to keep the C library dynamic" },
};

/* Plugin loaders: a library that calls one loads its plugins (coders,
 * modules) at run time, which a static binary cannot. */
static const struct gr_dg_loader {
	const char *symbol;
	const char *via;      /* the loader, for the message */
	const char *archive;  /* the loader's own archive: its members call no plugin of theirs */
} gr_dg_loaders[] = {
	{ "lt_dlopen", "libltdl", "libltdl.a" },
	{ "lt_dlopenext", "libltdl", "libltdl.a" },
	{ "lt_dlopenadvise", "libltdl", "libltdl.a" },
	{ "g_module_open", "GModule", "libgmodule-2.0.a" },
	{ "g_module_open_full", "GModule", "libgmodule-2.0.a" },
};

/* Libraries whose dlopen is how they load plugins they need (their work is
 * done by them: ImageMagick's coders, GStreamer's elements, SASL's
 * mechanisms, gdk-pixbuf's loaders), by archive name prefix; with the
 * loaders' own archives. A dlopen from one of them fails a --static build. */
static const char *const gr_dg_plugin_libs[] = {
	"libltdl.a", "libgmodule-2.0.a", "libMagickCore", "libgstreamer-1.0.a", "libsasl2.a", "libgdk_pixbuf-2.0.a",
};

/* The glibc library family: their own references are glibc's business. */
static const char *const gr_dg_libc_archives[] = {
	"libc.a", "libdl.a", "libpthread.a", "libresolv.a", "libanl.a", "librt.a", "libm.a", "libc_nonshared.a",
	"libnss_files.a", "libnss_dns.a",
};

static const char *const gr_dg_dl[] = { "dlopen", "dlmopen", "iconv_open" };

const char *const *
gr_diag_traced(size_t *n)
{
	static const char *v[64];
	static size_t nv;
	size_t i, k;

	if (!nv) {
		for (k = 0; k < sizeof(gr_dg_families) / sizeof(gr_dg_families[0]); k++)
			for (i = 0; i < gr_dg_families[k].nsyms && nv < 64; i++)
				v[nv++] = gr_dg_families[k].syms[i];
		for (i = 0; i < sizeof(gr_dg_dl) / sizeof(gr_dg_dl[0]) && nv < 64; i++)
			v[nv++] = gr_dg_dl[i];
		for (i = 0; i < sizeof(gr_dg_loaders) / sizeof(gr_dg_loaders[0]) && nv < 64; i++)
			v[nv++] = gr_dg_loaders[i].symbol;
	}
	*n = nv;
	return v;
}

/* The archive's file name in "DIR/libX.a(member.o)" into buf ("libX.a"), or false: not an archive member. */
static bool
gr_dg_archive_of(const char *ref, char *buf, size_t n)
{
	const char *open = ref ? strchr(ref, '(') : NULL, *b;
	size_t l;

	if (!open || open - ref < 3 || memcmp(open - 2, ".a", 2) != 0)
		return false;
	for (b = open; b > ref && b[-1] != '/'; b--)
		;
	l = (size_t)(open - b);
	if (l + 1 > n)
		return false;
	memcpy(buf, b, l);
	buf[l] = '\0';
	return true;
}

/* libstdc++'s locale code (libstdc++.a(numeric_members*.o):
 * std::__narrow_multibyte_chars) refers to iconv_open in every static C++
 * link: it narrows a named locale's multibyte separators to ASCII, only for a
 * locale the program picks, and keeps them when the conversion cannot be
 * opened. Nothing can or need be done: no finding (gorelink-check(1) too). */
static bool
gr_dg_libstdcxx_iconv(const char *symbol, const char *referrer)
{
	char lib[256];

	return !strncmp(symbol, "iconv", 5) && gr_dg_archive_of(referrer, lib, sizeof(lib)) &&
	       !strcmp(lib, "libstdc++.a");
}

static bool
gr_dg_prefixed(const char *const *v, size_t nv, const char *s)
{
	size_t i;

	for (i = 0; i < nv; i++)
		if (!strncmp(s, v[i], strlen(v[i])))
			return true;
	return false;
}

/* The caller is part of the Go build (an object of go's link directory, or a .go source). */
static bool
gr_dg_goref(const char *ref)
{
	size_t rl = ref ? strlen(ref) : 0;

	return rl && ((rl > 3 && !strcmp(ref + rl - 3, ".go")) || strstr(ref, "go-link-") || strstr(ref, "/go.o") ||
	              strstr(ref, "cgo-gcc-prolog") || strstr(ref, "go-build"));
}

/* Which Go package or archive calls symbol, and what to do about it; false when out of memory. */
static bool
gr_dg_finding(struct gr_arena *a, const struct gr_ldmsg *m, struct gr_diag_finding *f)
{
	const char *ref = m->referrer ? m->referrer : "an object";
	size_t i, rl = strlen(ref);
	bool gofile = rl > 3 && !strcmp(ref + rl - 3, ".go");
	/* An object of the Go build without a source line: most likely Go's own
	 * net or os/user package (their cgo code is what calls these). */
	bool go = !gofile && (strstr(ref, "go-link-") != NULL || strstr(ref, "/go.o") != NULL ||
	                      strstr(ref, "cgo-gcc-prolog") != NULL || strstr(ref, "go-build") != NULL);

	/* The Go package of a .go caller ("net", "os/user", ...): with the
	 * family's, a build tag replaces the call; otherwise C code calls. */
	const char *gopkg = NULL;
	int gopl = 0;
	size_t k;

	f->symbol = m->symbol;
	f->function = m->function;
	f->source = ref;
	f->object = go ? ref : NULL;
	/* ".../src/os/user/cgo_lookup_cgo.go" (or "os/user/cgo_lookup_cgo.go" with
	 * -trimpath): the Go package is the path after src/. Go before 1.20 maps
	 * a standard package's directory (and with -trimpath any package's) to
	 * "/_/IMPORTPATH" in its cgo objects, newer Go GOROOT to "/_/GOROOT":
	 * "/_/os/user/cgo_lookup_unix.go" is package os/user. Another .go file is
	 * the user's own cgo code, named as it is. */
	if (gofile) {
		bool trimmed = !strncmp(ref, "/_/", 3) && strncmp(ref, "/_/GOROOT/", 10);
		const char *src = trimmed ? NULL : strstr(ref, "/src/"), *slash = strrchr(ref, '/');
		const char *dir = trimmed ? ref + 3 : src ? src + 5 : ref[0] != '/' ? ref : NULL;
		if (dir && slash > dir) {
			int pl = (int)(slash - dir);
			char *pkg = gr_arena_printf(a, "Go package %.*s (%s)", pl, dir, slash + 1);
			if (!pkg)
				return false;
			f->source = pkg;
			gopkg = dir;
			gopl = pl;
		}
	}
	for (k = 0; k < sizeof(gr_dg_families) / sizeof(gr_dg_families[0]); k++) {
		const struct gr_dg_family *fam = &gr_dg_families[k];
		bool own = gopkg && (size_t)gopl == strlen(fam->pkg) && !strncmp(gopkg, fam->pkg, (size_t)gopl);
		for (i = 0; i < fam->nsyms; i++)
			if (!strcmp(m->symbol, fam->syms[i])) {
				if (go)
					f->source = fam->go_source;
				f->remedy = go || own ? fam->go_remedy : fam->c_remedy;
				return true;
			}
	}
	if (!strncmp(m->symbol, "dl", 2)) {
		if (strstr(ref, "sqlite3"))
			f->remedy = "SQLite's extension loading: with go-sqlite3's bundled SQLite use -tags sqlite_omit_load_extension (gorelink --sqlite3); Debian's libsqlite3.a keeps it, so --sqlite3=system cannot drop it: use --sqlite3 (bundled), or --third-party";
		else
			f->remedy = "the library loads plugins at run time, which a static glibc binary cannot do safely: --third-party keeps the C library dynamic, or build against musl";
		return true;
	}
	if (!strncmp(m->symbol, "iconv", 5))
		f->remedy = "glibc's iconv loads a gconv module (a shared object) for every charset but its built-in ones "
		            "(UTF-8, UTF-16, UTF-32, UCS-2, UCS-4, ASCII): convert only between those, link GNU libiconv's "
		            "archive, --third-party to keep the C library dynamic, or build against musl "
		            "(-tags netgo,osusergo change nothing here)";
	else
		f->remedy = "glibc needs its shared libraries at run time for this: --third-party, or build against musl";
	return true;
}

/* The package most likely to be "the" library: named like it, else the first
 * that names it in Libs. One that brings it only through Libs.private and is
 * not named like it is another library's package (libzmq's Libs.private have
 * -lstdc++): --pkg would link all of that, so none is suggested (NULL). */
static const char *
gr_dg_best_pkg(const struct gr_strvec *pk, size_t npublic, const char *lname)
{
	size_t i, n = strlen(lname);

	for (i = 0; i < pk->n; i++)
		if (!strcmp(pk->v[i], lname) || (!strncmp(pk->v[i], "lib", 3) && !strcmp(pk->v[i] + 3, lname)))
			return pk->v[i];
	for (i = 0; i < pk->n; i++)
		if (strstr(pk->v[i], lname) && strlen(pk->v[i]) <= n + 4)
			return pk->v[i];
	return npublic ? pk->v[0] : NULL;
}

/* Whether package pkg is named like the library lname: "z", "libz". */
static bool
gr_dg_named_like(const char *pkg, const char *lname)
{
	return !strcmp(pkg, lname) || (!strncmp(pkg, "lib", 3) && !strcmp(pkg + 3, lname));
}

/* How likely package pkg (which names al[q]'s -l name; in Libs when public)
 * is to be "the" library of the archive that al[0..nal) all name: 0 named
 * like that -l name, 1 like another of the archive's names (libpng.pc lists
 * -lpng16 for libpng.a -> libpng16.a), 2 its name holds one, 3 it brings it
 * in Libs, 4 not at all. One that brings it only through Libs.private and is
 * not named like it is another library's package (libzmq's Libs.private have
 * -lstdc++): --pkg would link all of that, so it is not suggested. */
static int
gr_dg_pkg_rank(const char *pkg, bool public, const struct gr_symarchive *const *al, size_t nal, size_t q)
{
	size_t j;

	if (gr_dg_named_like(pkg, al[q]->lname))
		return 0;
	for (j = 0; j < nal; j++)
		if (gr_dg_named_like(pkg, al[j]->lname))
			return 1;
	for (j = 0; j < nal; j++)
		if (strstr(pkg, al[j]->lname) && strlen(pkg) <= strlen(al[j]->lname) + 4)
			return 2;
	return public ? 3 : 4;
}

/* The archives that define sym: as named, without ld64's and C's leading
 * underscore, or (a C++ name the linker printed demangled) demangled. */
static int
gr_dg_lookup(struct gr_symindex *ix, const char *sym, const struct gr_symarchive *const **prov,
             size_t *np, struct gr_error *err)
{
	*prov = gr_symindex_lookup(ix, sym, np);
	if (!*np && sym[0] == '_')
		*prov = gr_symindex_lookup(ix, sym + 1, np);
	if (!*np && strpbrk(sym, " :(<"))
		return gr_symindex_lookup_demangled(ix, sym, prov, np, err);
	return GR_OK;
}

/* A count per candidate archive (few: a linear list in the arena). */
struct gr_dg_votes {
	const struct gr_symarchive **who;
	size_t *count;
	size_t n, cap;
};

static bool
gr_dg_vote(struct gr_arena *a, struct gr_dg_votes *v, const struct gr_symarchive *who)
{
	size_t i, cap = v->cap;
	void *w = v->who, *c = v->count;

	for (i = 0; i < v->n; i++)
		if (v->who[i] == who) {
			v->count[i]++;
			return true;
		}
	if (!gr_arena_grow(a, &w, v->n, &cap, sizeof(*v->who)) ||
	    !gr_arena_grow(a, &c, v->n, &v->cap, sizeof(*v->count)))
		return false;
	v->who = w;
	v->count = c;
	v->who[v->n] = who;
	v->count[v->n++] = 1;
	return true;
}

static size_t
gr_dg_votes(const struct gr_dg_votes *v, const struct gr_symarchive *who)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->who[i] == who)
			return v->count[i];
	return 0;
}

/* The shared build of the archive at path: lib<x>.so beside lib<x>.a, else
 * its run-time lib<x>.so.<n> (the smallest name); into buf, or false. */
static bool
gr_dg_shared_twin(const char *archive, char *buf, size_t n)
{
	const char *slash = strrchr(archive, '/');
	size_t dl, bl, al = strlen(archive);
	char dir[4096], stem[256];
	struct stat st;

	if (!slash || al < 2 || strcmp(archive + al - 2, ".a") != 0)
		return false;
	dl = (size_t)(slash - archive);
	bl = al - 2 - dl - 1;  /* "libgit2" */
	if ((size_t)snprintf(buf, n, "%.*sso", (int)(al - 1), archive) < n && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
		return true;  /* ".../libgit2.so" */
	if ((size_t)snprintf(dir, sizeof(dir), "%.*s", (int)dl, archive) >= sizeof(dir) ||
	    (size_t)snprintf(stem, sizeof(stem), "%.*s", (int)bl, slash + 1) >= sizeof(stem))
		return false;
	return gr_ldsearch_runtime_in_dir(dir, stem, buf, n);
}

/* Symbols no archive defines: does the shared build of an archive that needs
 * them load a library that defines them? Then name it (g->shared). */
static int
gr_dg_shared(struct gr_arena *a, struct gr_diag_group *g, const char *const *dirs, size_t ndirs,
             struct gr_error *err)
{
	size_t i, k, q;

	for (i = 0; i < g->nneeders && !g->shared; i++) {
		const char *paren = strchr(g->needers[i], '(');
		char archive[4096], twin[4096];
		struct gr_report *r = NULL;
		struct gr_error e;
		int crc;
		if (!paren || (size_t)(paren - g->needers[i]) >= sizeof(archive))
			continue;
		snprintf(archive, sizeof(archive), "%.*s", (int)(paren - g->needers[i]), g->needers[i]);
		if (!gr_dg_shared_twin(archive, twin, sizeof(twin)))
			continue;
		if ((crc = gr_check_path(twin, NULL, &r, &e)) != GR_OK) {
			if (crc == GR_ENOMEM)
				return gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
			continue;  /* an unreadable shared build only means no answer */
		}
		for (k = 0; r->nimages && k < r->images[0].nneeded && !g->shared; k++) {
			const char *so = r->images[0].needed[k].name;
			char path[4096];
			for (q = 0; q < ndirs; q++) {
				struct stat st;
				if ((size_t)snprintf(path, sizeof(path), "%s/%s", dirs[q], so) >= sizeof(path) ||
				    stat(path, &st) != 0)
					continue;
				if (gr_bfd_dynamic_defines(path, g->symbols, g->nsymbols)) {
					if (!(g->shared = gr_arena_strdup(a, so)) || !(g->shared_via = gr_arena_strdup(a, twin))) {
						gr_report_free(r);
						return gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
					}
				}
				break;  /* the first file of that name is the one the loader takes */
			}
		}
		gr_report_free(r);
	}
	return GR_OK;
}

/* Append the finding about m's caller (plugin_loader: m's symbol is a
 * plugin loader's) unless it is there already; false when out of memory. */
static bool
gr_dg_add(struct gr_diag *d, size_t *fcap, const struct gr_ldmsg *m, bool plugin_loader)
{
	struct gr_arena *a = &d->arena;
	struct gr_diag_finding f;
	void *grown = d->findings;
	char lib[256];
	size_t k;

	memset(&f, 0, sizeof(f));
	if (plugin_loader) {
		f.symbol = m->symbol;
		f.source = m->referrer ? m->referrer : "an object";
		f.function = m->function;
	} else if (!gr_dg_finding(a, m, &f)) {
		return false;
	}
	f.plugin_loader = plugin_loader;
	if (!(f.symbol = gr_arena_strdup(a, f.symbol)) || !(f.source = gr_arena_strdup(a, f.source)) ||
	    (f.object && !(f.object = gr_arena_strdup(a, f.object))) ||
	    (f.function && !(f.function = gr_arena_strdup(a, f.function))) ||
	    (m->referrer && !(f.referrer = gr_arena_strdup(a, m->referrer))))
		return false;
	if (gr_dg_archive_of(m->referrer, lib, sizeof(lib)) && !(f.library = gr_arena_strdup(a, lib)))
		return false;
	for (k = 0; k < d->nfindings; k++)
		if (!strcmp(d->findings[k].symbol, f.symbol) && !strcmp(d->findings[k].source, f.source))
			return true;
	if (!gr_arena_grow(a, &grown, d->nfindings, fcap, sizeof(*d->findings)))
		return false;
	d->findings = grown;
	d->findings[d->nfindings++] = f;
	return true;
}

/* The name --allow-dynamic takes for an archive: "libMagickCore-6.Q16.a" -> "MagickCore-6.Q16". */
static int
gr_dg_lname_len(const char *lib, const char **name)
{
	size_t l = strlen(lib);

	*name = strncmp(lib, "lib", 3) ? lib : lib + 3;
	return (int)(l - (size_t)(*name - lib) - (l > 2 && !strcmp(lib + l - 2, ".a") ? 2 : 0));
}

/* Every other caller --trace-symbol names of a symbol glibc warned about;
 * the callers of plugin loaders; then which findings fail a --static build.
 * False when out of memory. */
static bool
gr_dg_traces(struct gr_diag *d, size_t *fcap, const struct gr_ldmsgs *msgs)
{
	struct gr_arena *a = &d->arena;
	size_t i, k, nwarned = d->nfindings;

	for (i = 0; i < msgs->n; i++) {
		const struct gr_ldmsg *m = &msgs->v[i];
		const struct gr_dg_loader *ld = NULL;
		bool warned = false, go_seen = false;
		char lib[256];
		if (m->kind != GR_LDMSG_TRACE_REF || !m->referrer)
			continue;
		/* glibc's own members: not a caller the user can do anything about. */
		if (gr_dg_archive_of(m->referrer, lib, sizeof(lib)) &&
		    gr_dg_in(gr_dg_libc_archives, sizeof(gr_dg_libc_archives) / sizeof(gr_dg_libc_archives[0]), lib))
			continue;
		if (gr_dg_libstdcxx_iconv(m->symbol, m->referrer))
			continue;
		for (k = 0; k < sizeof(gr_dg_loaders) / sizeof(gr_dg_loaders[0]); k++)
			if (!strcmp(m->symbol, gr_dg_loaders[k].symbol))
				ld = &gr_dg_loaders[k];
		if (ld) {
			/* The loader's own members call it too: not a library with plugins. */
			if (gr_dg_archive_of(m->referrer, lib, sizeof(lib)) && !strcmp(lib, ld->archive))
				continue;
			if (!gr_dg_add(d, fcap, m, true))
				return false;
			continue;
		}
		/* Only the symbols glibc warned about (the warning is the truth of
		 * whether the static glibc needs its shared objects for it). */
		for (k = 0; k < nwarned; k++)
			if (!d->findings[k].plugin_loader && !strcmp(d->findings[k].symbol, m->symbol)) {
				warned = true;
				go_seen = go_seen || gr_dg_goref(d->findings[k].referrer);
			}
		/* A Go object the warning named by its .go source already. */
		if (!warned || (go_seen && gr_dg_goref(m->referrer)))
			continue;
		{
			struct gr_ldmsg c = { GR_LDMSG_STATIC_WARNING, m->symbol, m->referrer, NULL, NULL, NULL };
			if (!gr_dg_add(d, fcap, &c, false))
				return false;
		}
	}
	/* A warning that named libstdc++'s locale code found the other callers
	 * above; it is no finding itself. */
	for (i = k = 0; i < d->nfindings; i++)
		if (d->findings[i].plugin_loader || !d->findings[i].referrer ||
		    !gr_dg_libstdcxx_iconv(d->findings[i].symbol, d->findings[i].referrer))
			d->findings[k++] = d->findings[i];
	d->nfindings = k;
	/* The policy: a plugin loader's caller, and the dlopen of a library that
	 * needs its plugins, fail a --static build by default. */
	for (k = 0; k < d->nfindings; k++) {
		struct gr_diag_finding *f = &d->findings[k];
		const char *name, *via = NULL;
		int nl;
		size_t j;
		if (f->plugin_loader) {
			for (j = 0; j < sizeof(gr_dg_loaders) / sizeof(gr_dg_loaders[0]); j++)
				if (!strcmp(f->symbol, gr_dg_loaders[j].symbol))
					via = gr_dg_loaders[j].via;
			f->loader = via;
			if (f->library) {
				nl = gr_dg_lname_len(f->library, &name);
				f->remedy = gr_arena_printf(a, "%s loads its plugins through %s (%s), which a static binary cannot do: "
				                            "what they provide (coders, modules, formats) is missing at run time; "
				                            "keep it dynamic (--allow-dynamic %.*s), or --third-party, or build %s with its plugins built in",
				                            f->library, via, f->symbol, nl, name, f->library);
				f->fails = gr_arena_printf(a, "%s loads its plugins through %s (%s)", f->library, via, f->symbol);
			} else {
				f->remedy = gr_arena_printf(a, "this code loads plugins through %s (%s), which a static binary cannot do: "
				                            "they are missing at run time; --third-party keeps the C library dynamic",
				                            via, f->symbol);
				f->fails = gr_arena_printf(a, "%s loads plugins through %s (%s)", f->source, via, f->symbol);
			}
			if (!f->remedy || !f->fails)
				return false;
		} else if ((!strcmp(f->symbol, "dlopen") || !strcmp(f->symbol, "dlmopen")) && f->library &&
		           gr_dg_prefixed(gr_dg_plugin_libs, sizeof(gr_dg_plugin_libs) / sizeof(gr_dg_plugin_libs[0]),
		                          f->library)) {
			if (!(f->fails = gr_arena_printf(a, "%s loads the plugins it needs with %s", f->library, f->symbol)))
				return false;
		}
	}
	return true;
}

/* glibc's large-file functions (their names without "64"); musl 1.2.4 and
 * other C libraries define none of them as a symbol. */
static const char *const gr_dg_lfs[] = {
	"fopen", "freopen", "tmpfile", "fseeko", "ftello", "fgetpos", "fsetpos", "open", "openat", "creat",
	"lseek", "pread", "pwrite", "preadv", "pwritev", "truncate", "ftruncate", "mmap", "stat", "fstat",
	"lstat", "fstatat", "statfs", "fstatfs", "statvfs", "fstatvfs", "readdir", "readdir_r", "scandir",
	"alphasort", "versionsort", "glob", "globfree", "ftw", "nftw", "getrlimit", "setrlimit", "prlimit",
	"sendfile", "lockf", "posix_fadvise", "posix_fallocate", "fallocate", "getdents", "mkstemp", "mkostemp",
	"mkstemps", "mkostemps", "__fxstat", "__xstat", "__lxstat", "__fxstatat", "aio_read", "aio_write",
};

bool
gr_diag_glibc_only(const char *sym)
{
	size_t n = strlen(sym), i;

	if ((!strncmp(sym, "__", 2) && n > 6 && !strcmp(sym + n - 4, "_chk")) || !strncmp(sym, "__isoc99_", 9) ||
	    !strncmp(sym, "__isoc23_", 9) || !strncmp(sym, "__libc_", 7))
		return true;
	if (n < 3 || strcmp(sym + n - 2, "64"))
		return false;
	for (i = 0; i < sizeof(gr_dg_lfs) / sizeof(gr_dg_lfs[0]); i++)
		if (strlen(gr_dg_lfs[i]) == n - 2 && !strncmp(sym, gr_dg_lfs[i], n - 2))
			return true;
	return false;
}

/* Record that m's archive member needs a symbol only glibc defines; false when out of memory. */
static bool
gr_dg_glibc_built(struct gr_diag *d, size_t *cap, const struct gr_ldmsg *m)
{
	struct gr_arena *a = &d->arena;
	struct gr_diag_glibc_built *g = NULL;
	const char *open = m->referrer ? strchr(m->referrer, '(') : NULL;
	char *archive, *s;
	size_t k;

	if (!open)
		archive = gr_arena_strdup(a, m->referrer ? m->referrer : "an object");
	else
		archive = gr_arena_strndup(a, m->referrer, (size_t)(open - m->referrer));
	if (!archive)
		return false;
	for (k = 0; k < d->nglibc_built && !g; k++)
		if (!strcmp(d->glibc_built[k].archive, archive))
			g = &d->glibc_built[k];
	if (!g) {
		void *grown = d->glibc_built;
		if (!gr_arena_grow(a, &grown, d->nglibc_built, cap, sizeof(*d->glibc_built)))
			return false;
		d->glibc_built = grown;
		g = &d->glibc_built[d->nglibc_built++];
		memset(g, 0, sizeof(*g));
		g->archive = archive;
	}
	if (!(s = gr_arena_strdup(a, m->symbol)) || !gr_dg_push(a, &g->symbols, &g->nsymbols, s))
		return false;
	if (m->referrer && (!(s = gr_arena_strdup(a, m->referrer)) || !gr_dg_push(a, &g->members, &g->nmembers, s)))
		return false;
	return true;
}

/* A symbol GNU ld reported as undefined: a DSO-missing record without its library is one too. */
static bool
gr_dg_undef(const struct gr_ldmsg *m)
{
	return m->kind == GR_LDMSG_UNDEFINED || (m->kind == GR_LDMSG_DSO_MISSING && !m->dso);
}

/* Whether a and b are the same file (by realpath); *nomem set when realpath ran out of memory. */
static bool
gr_dg_same_file(const char *a, const char *b, bool *nomem)
{
	char *ra, *rb = NULL;
	bool same;

	errno = 0;
	ra = realpath(a, NULL);
	if (ra)
		rb = realpath(b, NULL);
	if ((!ra || !rb) && errno == ENOMEM)
		*nomem = true;
	same = ra && rb && !strcmp(ra, rb);
	free(ra);
	free(rb);
	return same;
}

/* Name a new DSO entry: its soname, the name --allow-dynamic takes, the flag
 * that links it and its package. False when out of memory. */
static bool
gr_dg_dso_name(struct gr_diag *d, struct gr_diag_dso *x, const char *const *dirs, size_t ndirs)
{
	struct gr_arena *a = &d->arena;
	struct gr_report *r = NULL;
	struct gr_error e;
	struct gr_strvec pk;
	const char *base = strrchr(x->path, '/'), *so, *stem, *best;
	char name[256], try[4096];
	size_t i, n, npub = 0;
	int k;
	bool found = false, nomem = false;

	base = base ? base + 1 : x->path;
	so = base;
	k = gr_check_path(x->path, NULL, &r, &e);
	if (k == GR_ENOMEM)
		return false;
	if (k == GR_OK && r->nimages && r->images[0].soname)
		so = r->images[0].soname;
	x->soname = gr_arena_strdup(a, so);
	gr_report_free(r);
	if (!x->soname)
		return false;
	so = x->soname;
	/* "libgomp.so.1" -> "gomp"; "liblber-2.5.so.0" -> "lber-2.5", then "lber". */
	stem = strncmp(so, "lib", 3) ? so : so + 3;
	n = strstr(stem, ".so") ? (size_t)(strstr(stem, ".so") - stem) : strlen(stem);
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, stem, n);
	name[n] = '\0';
	/* The C library family's lib<NAME>.so may be a linker script (libm.so,
	 * libc.so) naming the same library: -lNAME is right for it. */
	found = gr_dg_in(gr_rw_default_system_libs, gr_rw_ndefault_system_libs, name);
	for (k = 0; k < 2 && !found && *name; k++) {
		for (i = 0; i < ndirs && !found; i++)
			if ((size_t)snprintf(try, sizeof(try), "%s/lib%s.so", dirs[i], name) < sizeof(try))
				found = gr_dg_same_file(try, x->path, &nomem);
		if (nomem)
			return false;
		if (!found && k == 0) {
			/* Without a "-<version>" tail. */
			char *dash = strrchr(name, '-');
			if (!dash || !dash[1] || strspn(dash + 1, "0123456789.") != strlen(dash + 1))
				break;
			*dash = '\0';
		}
	}
	if (found) {
		x->name = gr_arena_strdup(a, name);
		x->flag = gr_arena_printf(a, "-l%s", name);
	} else {
		/* The --allow-dynamic name is the file's stem even so: "lib<stem>.so*" matches it. */
		x->name = gr_arena_strndup(a, stem, n);
		x->flag = gr_arena_printf(a, "-l:%s", so);
	}
	if (!x->name || !x->flag)
		return false;
	/* The C library family comes with the compiler: it is named by -l, not a package. */
	if (gr_dg_in(gr_rw_default_system_libs, gr_rw_ndefault_system_libs, x->name))
		return true;
	gr_strvec_init(&pk);
	if (gr_pc_packages_with_lib(x->name, &pk, &npub, &e) == GR_ENOMEM)
		nomem = true;
	else if (pk.n && (best = gr_dg_best_pkg(&pk, npub, x->name)) && !(x->pkg = gr_arena_strdup(a, best)))
		nomem = true;
	gr_strvec_deinit(&pk);
	return !nomem;
}

/* Add sym (needed by needers[0..nneeders)) to the DSO entry of path (loaded
 * by via, or NULL), made when new. False when out of memory. */
static bool
gr_dg_dso_add(struct gr_diag *d, size_t *cap, const char *path, const char *via, const char *sym,
              const char *const *needers, size_t nneeders, const char *const *dirs, size_t ndirs)
{
	struct gr_arena *a = &d->arena;
	struct gr_diag_dso *x = NULL;
	const char *s;
	size_t i;

	for (i = 0; i < d->ndsos && !x; i++)
		if (!strcmp(d->dsos[i].path, path))
			x = &d->dsos[i];
	if (!x) {
		void *grown = d->dsos;
		if (!gr_arena_grow(a, &grown, d->ndsos, cap, sizeof(*d->dsos)))
			return false;
		d->dsos = grown;
		x = &d->dsos[d->ndsos];
		memset(x, 0, sizeof(*x));
		if (!(x->path = gr_arena_strdup(a, path)) || (via && !(x->via = gr_arena_strdup(a, via))) ||
		    !gr_dg_dso_name(d, x, dirs, ndirs))
			return false;
		d->ndsos++;
	}
	if (!(s = gr_arena_strdup(a, sym)) || !gr_dg_push(a, &x->symbols, &x->nsymbols, s))
		return false;
	for (i = 0; i < nneeders; i++)
		if (!(s = gr_arena_strdup(a, needers[i])) || !gr_dg_push(a, &x->needers, &x->nneeders, s))
			return false;
	return true;
}

/* path of the file name in the first of dirs (or dir2, when not NULL) that holds it, into buf. */
static bool
gr_dg_find_in(const char *file, const char *const *dirs, size_t ndirs, const char *dir2, char *buf, size_t n)
{
	struct stat st;
	size_t i;

	if (dir2 && (size_t)snprintf(buf, n, "%s/%s", dir2, file) < n && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	for (i = 0; i < ndirs; i++)
		if ((size_t)snprintf(buf, n, "%s/%s", dirs[i], file) < n && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	return false;
}

/* Whether s names a shared library file: "x.so" or "x.so.N...". */
static bool
gr_dg_is_so(const char *s)
{
	const char *p = strstr(s, ".so");

	while (p && p[3] && p[3] != '.')
		p = strstr(p + 1, ".so");
	return p != NULL;
}

int
gr_diag_dso_scan(struct gr_diag *d, const char *const *argv, size_t argc, const char *const *dirs, size_t ndirs,
                 struct gr_error *err)
{
	struct gr_strvec libs, cand, via;
	size_t i, k, g, q, cap = d->ndsos;
	char path[4096], dir[4096];
	bool nomem = false;
	int rc = GR_OK;

	if (!d->ngroups && !d->ndsos)
		return GR_OK;
	gr_strvec_init(&libs);
	gr_strvec_init(&cand);
	gr_strvec_init(&via);
	/* The link's shared libraries. */
	for (i = 0; i < argc && !rc; i++) {
		const char *t = argv[i];
		bool got = false;
		if (!strncmp(t, "-l:", 3) && t[3])
			got = gr_dg_is_so(t + 3) && gr_dg_find_in(t + 3, dirs, ndirs, NULL, path, sizeof(path));
		else if (!strncmp(t, "-l", 2) && t[2] && !gr_dg_in(gr_rw_default_system_libs, gr_rw_ndefault_system_libs, t + 2)) {
			char file[512];
			got = (size_t)snprintf(file, sizeof(file), "lib%s.so", t + 2) < sizeof(file) &&
			      gr_dg_find_in(file, dirs, ndirs, NULL, path, sizeof(path));
		} else if (t[0] != '-' && gr_dg_is_so(t) && (size_t)snprintf(path, sizeof(path), "%s", t) < sizeof(path)) {
			got = true;
		}
		if (got && !gr_dg_in((const char *const *)libs.v, libs.n, path))
			rc = gr_strvec_push(&libs, path);
	}
	/* What each loads, found beside it or in the search dirs. */
	for (i = 0; i < libs.n && !rc; i++) {
		struct gr_report *r = NULL;
		struct gr_error e;
		const char *slash = strrchr(libs.v[i], '/');
		int crc = gr_check_path(libs.v[i], NULL, &r, &e);
		if (crc == GR_ENOMEM)
			rc = GR_ENOMEM;
		if (crc != GR_OK)
			continue;  /* a linker script (libc.so), an unreadable file: nothing it loads */
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - libs.v[i]) : 1, slash ? libs.v[i] : ".");
		for (k = 0; r->nimages && k < r->images[0].nneeded && !rc; k++) {
			const char *so = r->images[0].needed[k].name;
			if (!so || strchr(so, '/') ||
			    !gr_dg_find_in(so, dirs, ndirs, dir, path, sizeof(path)) ||
			    gr_dg_in((const char *const *)cand.v, cand.n, path) ||
			    gr_dg_in((const char *const *)libs.v, libs.n, path))
				continue;
			if ((rc = gr_strvec_push(&cand, path)) == GR_OK)
				rc = gr_strvec_push(&via, libs.v[i]);
		}
		gr_report_free(r);
	}
	/* The library GNU ld named: which one of the link loads it. */
	for (g = 0; g < d->ndsos && !rc; g++)
		for (q = 0; q < cand.n && !d->dsos[g].via; q++)
			if (gr_dg_same_file(cand.v[q], d->dsos[g].path, &nomem) &&
			    !(d->dsos[g].via = gr_arena_strdup(&d->arena, via.v[q])))
				rc = GR_ENOMEM;
	if (nomem)
		rc = GR_ENOMEM;
	/* Each group's symbols that a loaded library defines move to its DSO entry. */
	for (g = 0; g < d->ngroups && !rc;) {
		struct gr_diag_group *grp = &d->groups[g];
		size_t w;
		for (q = 0; q < cand.n && !rc; q++) {
			if (!gr_bfd_dynamic_defines(cand.v[q], grp->symbols, grp->nsymbols))
				continue;
			for (k = 0, w = 0; k < grp->nsymbols; k++) {
				const char *sym = grp->symbols[k];
				if (gr_bfd_dynamic_defines(cand.v[q], &sym, 1)) {
					if (!gr_dg_dso_add(d, &cap, cand.v[q], via.v[q], sym, grp->needers, grp->nneeders, dirs, ndirs)) {
						rc = GR_ENOMEM;
						break;
					}
				} else {
					grp->symbols[w++] = sym;
				}
			}
			/* Each moved symbol took at least one of the group's references. */
			{
				size_t moved = grp->nsymbols - w;
				grp->nrefs = grp->nrefs >= moved + w ? grp->nrefs - moved : w;
			}
			grp->nsymbols = w;
			if (!w)
				break;
		}
		if (!rc && !grp->nsymbols) {
			memmove(grp, grp + 1, (d->ngroups - g - 1) * sizeof(*grp));
			d->ngroups--;
		} else {
			g++;
		}
	}
	gr_strvec_deinit(&libs);
	gr_strvec_deinit(&cand);
	gr_strvec_deinit(&via);
	return rc ? gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory") : GR_OK;
}

int
gr_diag_run(const struct gr_env *env, const char *linker_messages, const char *const *dirs,
            size_t ndirs, struct gr_diag **out, struct gr_error *err)
{
	struct gr_diag *d = calloc(1, sizeof(*d));
	struct gr_ldmsgs *msgs = NULL;
	struct gr_symindex *ix = NULL;
	struct gr_dg_votes votes = { NULL, NULL, 0, 0 };
	struct gr_arena *a;
	size_t i, k, cap = 0, fcap = 0, gcap = 0, dcap = 0;
	bool any_undef = false;
	int rc = GR_OK;

	*out = NULL;
	if (!d)
		return gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
	gr_arena_init(&d->arena);
	a = &d->arena;
	if (!(msgs = gr_ldmsg_parse(linker_messages))) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		goto out;
	}
	for (i = 0; i < msgs->n; i++)
		if (gr_dg_undef(&msgs->v[i]))
			any_undef = true;
	/* The index is only worth building when something is undefined. */
	if (any_undef && (rc = gr_symindex_build(env, dirs, ndirs, &ix, &d->index, err)))
		goto out;
	/* How many undefined references each archive could satisfy. */
	for (i = 0; i < msgs->n && any_undef; i++) {
		const struct gr_symarchive *const *prov;
		size_t np;
		if (!gr_dg_undef(&msgs->v[i]))
			continue;
		if ((rc = gr_dg_lookup(ix, msgs->v[i].symbol, &prov, &np, err)))
			goto out;
		for (k = 0; k < np; k++)
			if (!gr_dg_vote(a, &votes, prov[k])) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
				goto out;
			}
	}
	for (i = 0; i < msgs->n && rc == GR_OK; i++) {
		const struct gr_ldmsg *m = &msgs->v[i];
		if (m->kind == GR_LDMSG_STATIC_WARNING) {
			if (!gr_dg_add(d, &fcap, m, false))
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		} else if (m->kind == GR_LDMSG_DSO_MISSING && m->dso) {
			/* GNU ld named the library: no archive is the answer, naming it is. */
			if (!gr_dg_dso_add(d, &dcap, m->dso, NULL, m->symbol, &m->referrer, m->referrer ? 1 : 0, dirs, ndirs))
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		} else if (gr_dg_undef(m) && gr_diag_glibc_only(m->symbol)) {
			/* Only glibc defines it, and this link's C library does not: the
			 * archive was built for glibc (an archive another library has it in,
			 * such as libasan.a's interceptors, is not the answer). */
			if (!gr_dg_glibc_built(d, &gcap, m))
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		} else if (gr_dg_undef(m)) {
			const struct gr_symarchive *const *prov;
			const struct gr_symarchive *p = NULL;
			size_t np;
			struct gr_diag_group *g = NULL;
			const char *sym;
			void *grown = d->groups;
			if ((rc = gr_dg_lookup(ix, m->symbol, &prov, &np, err)))
				break;
			/* Of several archives that define it, the one that defines most of
			 * what is undefined (libcrypto.a for RAND_bytes, not gnutls's
			 * OpenSSL layer), else the first in search order. */
			for (k = 0; k < np; k++)
				if (!p || gr_dg_votes(&votes, prov[k]) > gr_dg_votes(&votes, p))
					p = prov[k];
			for (k = 0; k < d->ngroups && !g; k++)
				if (d->groups[k].provider == p)
					g = &d->groups[k];
			if (!g) {
				if (!gr_arena_grow(a, &grown, d->ngroups, &cap, sizeof(*d->groups))) {
					rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
					break;
				}
				d->groups = grown;
				g = &d->groups[d->ngroups++];
				memset(g, 0, sizeof(*g));
				g->provider = p;
			}
			g->nrefs++;
			if (!(sym = gr_arena_strdup(a, m->symbol)) || !gr_dg_push(a, &g->symbols, &g->nsymbols, sym) ||
			    (m->referrer && (!(sym = gr_arena_strdup(a, m->referrer)) ||
			                     !gr_dg_push(a, &g->needers, &g->nneeders, sym))))
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		}
	}
	/* Every caller, not only the first: --trace-symbol's references. */
	if (rc == GR_OK && !gr_dg_traces(d, &fcap, msgs))
		rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
	/* Symbols no archive defines: perhaps a shared library does. */
	for (k = 0; k < d->ngroups && rc == GR_OK; k++)
		if (!d->groups[k].provider)
			rc = gr_dg_shared(a, &d->groups[k], dirs, ndirs, err);
	/* Which pkg-config package brings each provider's -l. */
	for (k = 0; k < d->ngroups && rc == GR_OK; k++) {
		struct gr_strvec pk;
		struct gr_error pe;
		const char *best;
		size_t npub = 0;
		if (!d->groups[k].provider)
			continue;
		/* The -l name by which a package names the archive: a symlinked one
		 * (Debian's libpng.a -> libpng16.a) is indexed under each name, and
		 * the .pc that lists it uses one of them (libpng.pc: -lpng16; -lpng is
		 * only libwmf's). The best ranked package over all those names, the
		 * first name (search order) and package on a tie; the archive under
		 * the name that package lists. */
		{
			const struct gr_symarchive *use = d->groups[k].provider, *const *cand;
			size_t nal, q, j;
			int brank = 4;
			if (!(cand = gr_symindex_aliases(ix, use, &nal))) {
				cand = &use;  /* not from the index: cannot happen, but its own name then */
				nal = 1;
			}
			best = NULL;
			for (q = 0; q < nal && rc == GR_OK && brank > 0; q++) {
				/* The C library family comes with the compiler: it is named by -l, not a package. */
				if (gr_dg_in(gr_rw_default_system_libs, gr_rw_ndefault_system_libs, cand[q]->lname))
					continue;
				gr_strvec_init(&pk);
				npub = 0;
				/* Only running out of memory is an error: no package is an answer. */
				if (gr_pc_packages_with_lib(cand[q]->lname, &pk, &npub, &pe) == GR_ENOMEM)
					rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
				for (j = 0; j < pk.n && rc == GR_OK; j++) {
					int r = gr_dg_pkg_rank(pk.v[j], j < npub, cand, nal, q);
					if (r >= brank)
						continue;
					brank = r;
					use = cand[q];
					if (!(best = gr_arena_strdup(a, pk.v[j])))
						rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
				}
				gr_strvec_deinit(&pk);
			}
			/* Copy the provider out of the index, which is freed below. */
			if (rc == GR_OK) {
				struct gr_symarchive *c = gr_arena_alloc(a, sizeof(*c));
				if (!c || !(c->path = gr_arena_strdup(a, use->path)) ||
				    !(c->lname = gr_arena_strdup(a, use->lname)))
					rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
				else
					d->groups[k].provider = c;
			}
			d->groups[k].pkg = best;
		}
	}
out:
	gr_ldmsg_free(msgs);
	gr_symindex_free(ix);
	if (rc) {
		gr_diag_free(d);
		return rc;
	}
	*out = d;
	return GR_OK;
}

int
gr_diag_name_sources(struct gr_diag *d, const struct gr_strvec *modules, struct gr_error *err)
{
	struct gr_arena *a = &d->arena;
	struct gr_modgraph_names names;  /* each module tree walked once for the bare source names */
	size_t i, k;

	gr_modgraph_names_init(&names);
	for (i = 0; i < d->nfindings; i++) {
		struct gr_diag_finding *f = &d->findings[i];
		const char *rel = NULL, *base;
		char *file;
		long at;
		if (!f->object || !(file = gr_modgraph_object_source(f->object)))
			continue;
		/* cgo's own C files of a Go package (_cgo_export.c, x.cgo2.c) are Go code: keep the guess. */
		base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		if (strstr(base, ".cgo2.c") || !strncmp(base, "_cgo_", 5)) {
			free(file);
			continue;
		}
		at = gr_modgraph_match_in(modules, file, &rel, &names);
		if (at >= 0) {
			const char *mod = modules->v[at], *remedy = modules->v[at + 2];
			const char *c_remedy = f->remedy;
			/* C code calls it: a Go build tag for net or os/user does not help. */
			for (k = 0; k < sizeof(gr_dg_families) / sizeof(gr_dg_families[0]); k++)
				if (f->remedy == gr_dg_families[k].go_remedy)
					c_remedy = gr_dg_families[k].c_remedy;
			f->source = gr_arena_printf(a, "module %s, file %s", mod, rel);
			f->remedy = *remedy ? gr_arena_printf(a, "%s; otherwise: %s", remedy, c_remedy) : c_remedy;
		} else if (!strcmp(f->source, f->object)) {
			/* Not a module's file (the standard library's, a vendored one): name it instead of the object. */
			f->source = gr_arena_printf(a, "C file %s", file);
		}
		free(file);
		if (!f->source || !f->remedy) {
			gr_modgraph_names_deinit(&names);
			return gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		}
	}
	gr_modgraph_names_deinit(&names);
	return GR_OK;
}

void
gr_diag_free(struct gr_diag *d)
{
	if (!d)
		return;
	gr_arena_deinit(&d->arena);
	free(d);
}

/* ------------------------------------------------------------------
 * glibc's static-link warnings for linkers that print none (lld, mold).
 * GNU ld and gold print the text of a .gnu.warning.SYM section of an input
 * when SYM is referred to; glibc's libc.a has one in the member that
 * defines each function that needs its shared objects at run time. */

static void
gr_dw_bfd_quiet(const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
}

static void
gr_dw_bfd_ready(void)
{
	static bool ready;

	if (!ready) {
		bfd_init();
		bfd_set_error_handler(gr_dw_bfd_quiet);
		ready = true;
	}
}

/* Read the .gnu.warning.SYM sections of the archive at path into w
 * (triples SYM, MESSAGE, member index); GR_ENOMEM or GR_ENOTBIN. */
static int
gr_dw_read(const char *path, struct gr_strvec *w)
{
	bfd *ar, *m, *next;
	unsigned long idx = 0;
	int rc = GR_OK;

	gr_dw_bfd_ready();
	if (!(ar = bfd_openr(path, NULL)))
		return GR_ENOTBIN;
	if (!bfd_check_format(ar, bfd_archive)) {
		bfd_close(ar);
		return GR_ENOTBIN;
	}
	for (m = bfd_openr_next_archived_file(ar, NULL); m; m = next, idx++) {
		asection *s;
		if (bfd_check_format(m, bfd_object))
			for (s = m->sections; s && rc == GR_OK; s = s->next) {
				const char *name = bfd_section_name(s), *sym = name + 13;
				bfd_size_type size = bfd_section_size(s);
				char *text, num[32];
				size_t k, have = 0;
				if (strncmp(name, ".gnu.warning.", 13) || !*sym || strpbrk(sym, " \t\n") || !size || size > 4096)
					continue;
				for (k = 0; k < w->n && !have; k += 3)
					have = !strcmp(w->v[k], sym);
				if (have || !(text = calloc(1, (size_t)size + 1)))
					continue;
				if (bfd_get_section_contents(m, s, text, 0, size)) {
					/* NUL-terminated by calloc; one line, no tabs. */
					for (k = 0; text[k]; k++)
						if (text[k] == '\n' || text[k] == '\t' || text[k] == '\r')
							text[k] = ' ';
					while (k && text[k - 1] == ' ')
						text[--k] = '\0';
					snprintf(num, sizeof(num), "%lu", idx);
					if (k && (gr_strvec_push(w, sym) || gr_strvec_push(w, text) || gr_strvec_push(w, num)))
						rc = GR_ENOMEM;
				}
				free(text);
			}
		next = rc ? NULL : bfd_openr_next_archived_file(ar, m);
		bfd_close(m);
	}
	bfd_close(ar);
	return rc;
}

int
gr_diag_glibc_warnings(const struct gr_env *env, const char *const *dirs, size_t ndirs, struct gr_strvec *w,
                       struct gr_error *err)
{
	char key[8300], id[GR_FILE_IDENTITY_MAX], *data = NULL, *path = NULL;
	struct gr_error ignore;
	struct stat st;
	size_t i, len;
	int rc;

	for (i = 0; i < ndirs && !path; i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		if (!(path = gr_path_join(dirs[i], "libc.a")))
			return gr_error_set(err, GR_ENOMEM, 0, "glibc's warnings: out of memory");
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			path = NULL;
		}
	}
	if (!path)
		return GR_OK;  /* no libc.a: no warnings */
	snprintf(key, sizeof(key), "glibcwarn 1\n%.8000s\n%s", path, gr_file_identity(id, sizeof(id), &st, false));
	if (gr_cache_get(env, "glibcwarn", key, &data, &len) == GR_OK) {
		/* "glibcwarn\n", "SYM\tMESSAGE\tINDEX\n" lines, "end\n"; anything else is a miss. */
		char *p, *end = data + len, *nl;
		bool whole = false;
		rc = GR_OK;
		if (len >= 14 && !memchr(data, '\0', len) && !memcmp(data, "glibcwarn\n", 10) && !memcmp(end - 4, "end\n", 4)) {
			whole = true;
			for (p = data + 10; whole && rc == GR_OK && p < end - 4; p = nl + 1) {
				char *t1, *t2;
				nl = memchr(p, '\n', (size_t)(end - 4 - p) + 1);
				*nl = '\0';
				if (!(t1 = strchr(p, '\t')) || !(t2 = strchr(t1 + 1, '\t'))) {
					whole = false;
					break;
				}
				*t1 = *t2 = '\0';
				if (gr_strvec_push(w, p) || gr_strvec_push(w, t1 + 1) || gr_strvec_push(w, t2 + 1))
					rc = GR_ENOMEM;
			}
		}
		free(data);
		if (rc) {
			free(path);
			return gr_error_set(err, GR_ENOMEM, 0, "glibc's warnings: out of memory");
		}
		if (whole) {
			free(path);
			return GR_OK;
		}
		gr_strvec_deinit(w);
		gr_strvec_init(w);
	}
	rc = gr_dw_read(path, w);
	if (rc == GR_ENOMEM) {
		free(path);
		return gr_error_set(err, GR_ENOMEM, 0, "glibc's warnings: out of memory");
	}
	if (rc == GR_OK) {
		size_t total = 10 + 4 + 1;
		char *o;
		for (i = 0; i < w->n; i++)
			total += strlen(w->v[i]) + 1;
		if ((o = data = malloc(total)) != NULL) {
			memcpy(o, "glibcwarn\n", 10);
			o += 10;
			for (i = 0; i + 2 < w->n; i += 3)
				o += snprintf(o, total - (size_t)(o - data), "%s\t%s\t%s\n", w->v[i], w->v[i + 1], w->v[i + 2]);
			memcpy(o, "end\n", 4);
			o += 4;
			gr_cache_put(env, "glibcwarn", key, data, (size_t)(o - data), &ignore);  /* a failure only costs time */
			free(data);
		}
	}
	free(path);
	return GR_OK;  /* not an archive: no warnings */
}

/* ref "PATH(MEMBER)" with PATH ending in .a: PATH's length and MEMBER; false: an object. */
static bool
gr_dw_split(const char *ref, size_t *alen, const char **member, size_t *mlen)
{
	size_t n = strlen(ref);
	const char *open;

	if (n < 5 || ref[n - 1] != ')')
		return false;
	for (open = ref + n - 1; open > ref && *open != '('; open--)
		;
	if (open - ref < 3 || memcmp(open - 2, ".a", 2) != 0)
		return false;
	*alen = (size_t)(open - ref);
	*member = open + 1;
	*mlen = n - *alen - 2;
	return true;
}

/* Where file (an input as the linker named it) stands on argv: the index
 * of the word that names it (its path, tidied, or -lNAME / -l:FILE for its
 * file name), or LONG_MAX: not named (the compiler's own -lc). */
static long
gr_dw_argi(const char *const *argv, size_t argc, const char *file, size_t flen)
{
	char *f = strndup(file, flen), *lex = f ? gr_path_lexical(f) : NULL;
	const char *base;
	long at = LONG_MAX;
	size_t i, bl;

	if (!f || !lex) {
		free(f);
		free(lex);
		return LONG_MAX;
	}
	base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
	bl = strlen(base);
	for (i = 0; i < argc && at == LONG_MAX; i++) {
		const char *a = argv[i];
		char *la;
		if (!a)
			continue;
		if (!strcmp(a, f)) {
			at = (long)i;
		} else if (!strncmp(a, "-l:", 3)) {
			if (!strcmp(a + 3, base))
				at = (long)i;
		} else if (!strncmp(a, "-l", 2)) {
			size_t nl = strlen(a + 2);
			if (bl == nl + 5 && !strncmp(base, "lib", 3) && !strncmp(base + 3, a + 2, nl) && !strcmp(base + 3 + nl, ".a"))
				at = (long)i;
		} else if (a[0] != '-' && (la = gr_path_lexical(a)) != NULL) {
			if (!strcmp(la, lex))
				at = (long)i;
			free(la);
		}
	}
	free(f);
	free(lex);
	return at;
}

/* The index of member (mlen bytes) in the archive at path, or LONG_MAX. */
static long
gr_dw_member_pos(const char *path, const char *member, size_t mlen)
{
	bfd *ar, *m, *next;
	long idx = 0, at = LONG_MAX;

	gr_dw_bfd_ready();
	if (!(ar = bfd_openr(path, NULL)))
		return LONG_MAX;
	if (bfd_check_format(ar, bfd_archive))
		for (m = bfd_openr_next_archived_file(ar, NULL); m; m = next, idx++) {
			const char *name = bfd_get_filename(m);
			if (name && strlen(name) == mlen && !memcmp(name, member, mlen))
				at = idx;
			next = at == LONG_MAX ? bfd_openr_next_archived_file(ar, m) : NULL;
			bfd_close(m);
		}
	bfd_close(ar);
	return at;
}

struct gr_dw_line {
	const char *s;   /* the line in the copy */
	size_t len;
	bool trace;      /* a --trace-symbol line */
	long argi, mem;  /* gr_diag_sort_traces' key */
	size_t at;       /* where it was printed */
};

static int
gr_dw_line_cmp(const void *pa, const void *pb)
{
	const struct gr_dw_line *a = pa, *b = pb;

	if (a->argi != b->argi)
		return a->argi < b->argi ? -1 : 1;
	if (a->mem != b->mem)
		return a->mem < b->mem ? -1 : 1;
	return a->at < b->at ? -1 : a->at > b->at;
}

char *
gr_diag_sort_traces(const char *messages, const char *const *argv, size_t argc)
{
	size_t n = 0, nt = 0, ns = 0, i, j, k, len = strlen(messages);
	bool eol = len && messages[len - 1] == '\n';
	struct gr_dw_line *l, *srt;
	struct { char *ref; long mem; } *known;
	const char *p, *nl;
	char *out = NULL, *o;

	for (p = messages; *p; p = nl + 1) {
		n++;
		if (!(nl = strchr(p, '\n')))
			break;
	}
	l = calloc(n + 1, sizeof(*l));
	srt = calloc(n + 1, sizeof(*srt));
	known = calloc(n + 1, sizeof(*known));
	if (!l || !srt || !known || !(out = malloc(len + 1)))
		goto nomem;
	for (i = 0, p = messages; i < n; i++, p = nl ? nl + 1 : p) {
		struct gr_ldmsgs *m;
		char *one;
		nl = strchr(p, '\n');
		l[i].s = p;
		l[i].len = nl ? (size_t)(nl - p) : strlen(p);
		l[i].at = i;
		if (!(one = strndup(p, l[i].len)))
			goto nomem;
		m = gr_ldmsg_parse(one);
		free(one);
		if (!m)
			goto nomem;
		if (m->n == 1 && m->v[0].referrer &&
		    (m->v[0].kind == GR_LDMSG_TRACE_REF || m->v[0].kind == GR_LDMSG_TRACE_DEF)) {
			const char *ref = m->v[0].referrer, *mem;
			size_t alen, mlen;
			l[i].trace = true;
			l[i].mem = LONG_MAX;
			if (gr_dw_split(ref, &alen, &mem, &mlen)) {
				l[i].argi = gr_dw_argi(argv, argc, ref, alen);
				/* A member's index, looked up once per member. */
				for (k = 0; k < nt && strcmp(known[k].ref, ref) != 0; k++)
					;
				if (k < nt) {
					l[i].mem = known[k].mem;
				} else {
					char *path = strndup(ref, alen);
					if (!path || !(known[nt].ref = strdup(ref))) {
						free(path);
						gr_ldmsg_free(m);
						goto nomem;
					}
					l[i].mem = known[nt++].mem = gr_dw_member_pos(path, mem, mlen);
					free(path);
				}
			} else {
				l[i].argi = gr_dw_argi(argv, argc, ref, strlen(ref));
			}
			srt[ns++] = l[i];
		}
		gr_ldmsg_free(m);
	}
	/* The trace lines sorted, put back into the trace lines' places. */
	qsort(srt, ns, sizeof(*srt), gr_dw_line_cmp);
	for (i = j = 0, o = out; i < n; i++) {
		const struct gr_dw_line *x = l[i].trace ? &srt[j++] : &l[i];
		memcpy(o, x->s, x->len);
		o += x->len;
		if (i + 1 < n || eol)
			*o++ = '\n';
	}
	*o = '\0';
	for (k = 0; k < nt; k++)
		free(known[k].ref);
	free(known);
	free(srt);
	free(l);
	return out;
nomem:
	for (k = 0; k < nt; k++)
		free(known[k].ref);
	free(known);
	free(srt);
	free(l);
	free(out);
	return NULL;
}

/* A growing string; nomem once memory ran out. */
struct gr_dw_buf {
	char *s;
	size_t n, cap;
	bool nomem;
};

static void
gr_dw_printf(struct gr_dw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	if (b->nomem)
		return;
	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	if (b->n + (size_t)need + 1 > b->cap) {
		size_t cap = (b->n + (size_t)need + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->nomem = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

/* GNU ld's warning for sym from ref (ldmain.c's warning_find_reloc and
 * ldmisc.c's %C): at ref's first relocation against sym, in section order,
 * "REF: in function `F':" then "FILE:LINE: warning: MSG" (or
 * "(SECTION+0xOFF)" without a line, "REF:..." without a function); without
 * such a relocation "REF: warning: MSG". Appended to b. */
static void
gr_dw_locate(struct gr_dw_buf *b, const char *ref, const char *sym, const char *msg)
{
	bfd *ar = NULL, *abfd = NULL, *m, *next;
	asymbol **syms = NULL;
	const char *member;
	size_t alen, mlen;
	long size, n;
	bool found = false;

	gr_dw_bfd_ready();
	if (gr_dw_split(ref, &alen, &member, &mlen)) {
		char *path = strndup(ref, alen);
		if (path && (ar = bfd_openr(path, NULL)) != NULL && bfd_check_format(ar, bfd_archive))
			for (m = bfd_openr_next_archived_file(ar, NULL); m && !abfd; m = next) {
				const char *name = bfd_get_filename(m);
				if (name && strlen(name) == mlen && !memcmp(name, member, mlen)) {
					abfd = m;
					break;
				}
				next = bfd_openr_next_archived_file(ar, m);
				bfd_close(m);
			}
		free(path);
	} else {
		abfd = bfd_openr(ref, NULL);
	}
	if (abfd && bfd_check_format(abfd, bfd_object) && (size = bfd_get_symtab_upper_bound(abfd)) > 0 &&
	    (syms = malloc((size_t)size)) != NULL && (n = bfd_canonicalize_symtab(abfd, syms)) >= 0) {
		asection *s;
		for (s = abfd->sections; s && !found; s = s->next) {
			long rs = bfd_get_reloc_upper_bound(abfd, s), rc, k;
			arelent **rel;
			if (rs <= 0 || !(rel = malloc((size_t)rs)))
				continue;
			rc = bfd_canonicalize_reloc(abfd, s, rel, syms);
			for (k = 0; k < rc && rel[k] && !found; k++) {
				const char *file = NULL, *func = NULL;
				unsigned int line = 0;
				bool at;
				if (!rel[k]->sym_ptr_ptr || !*rel[k]->sym_ptr_ptr ||
				    strcmp(bfd_asymbol_name(*rel[k]->sym_ptr_ptr), sym) != 0)
					continue;
				found = true;
				at = bfd_find_nearest_line(abfd, s, syms, rel[k]->address, &file, &func, &line);
				if (at && func) {
					char *dm = bfd_demangle(abfd, func, 1 | 2);  /* DMGL_PARAMS | DMGL_ANSI, as ld prints it */
					gr_dw_printf(b, "%s: in function `%s':\n", ref, dm ? dm : func);
					free(dm);
				} else {
					gr_dw_printf(b, "%s:", ref);
				}
				if (at && file)
					gr_dw_printf(b, "%s:", file);
				if (at && file && line)
					gr_dw_printf(b, "%u", line);
				else
					gr_dw_printf(b, "(%s+0x%lx)", bfd_section_name(s), (unsigned long)rel[k]->address);
				gr_dw_printf(b, ": warning: %s\n", msg);
			}
			free(rel);
		}
	}
	if (!found)
		gr_dw_printf(b, "%s: warning: %s\n", ref, msg);
	free(syms);
	if (abfd)
		bfd_close(abfd);
	if (ar)
		bfd_close(ar);
}

/* The name GNU ld gives the archive at path (as mold names it: a real,
 * tidied path), found for argv's word that names it: that word itself for
 * a path, the first of dirs that holds the file for -lNAME or -l:FILE
 * (DIR/FILE, DIR as given). Malloc'd; NULL: keep path. */
static char *
gr_dw_gnu_name(const char *path, size_t plen, const char *const *argv, size_t argc, const char *const *dirs,
               size_t ndirs)
{
	long at = gr_dw_argi(argv, argc, path, plen);
	char *p = strndup(path, plen), *rp = p ? realpath(p, NULL) : NULL, *out = NULL;
	const char *a, *file;
	size_t i;

	if (at == LONG_MAX || !rp) {
		free(p);
		free(rp);
		return NULL;
	}
	a = argv[at];
	if (strncmp(a, "-l", 2) != 0) {
		out = strcmp(a, p) ? strdup(a) : NULL;
	} else {
		file = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		for (i = 0; i < ndirs && !out; i++) {
			size_t dl = strlen(dirs[i]);
			size_t cl = dl + strlen(file) + 2;
			char *c = malloc(cl), *rc;
			if (!c)
				break;
			snprintf(c, cl, "%.*s/%s", (int)(dl > 1 && dirs[i][dl - 1] == '/' ? dl - 1 : dl), dirs[i], file);
			if ((rc = realpath(c, NULL)) != NULL && !strcmp(rc, rp) && strcmp(c, p) != 0)
				out = c;
			else
				free(c);
			free(rc);
			if (rc && !out)
				break;  /* the first file of that name is the one the linker takes */
		}
	}
	free(p);
	free(rp);
	return out;
}

char *
gr_diag_gnu_trace_names(const char *messages, const char *const *argv, size_t argc, const char *const *dirs,
                        size_t ndirs)
{
	static const char mold[] = "trace-symbol: ", ref[] = ": reference to ", dfn[] = ": definition of ";
	struct gr_dw_buf b = { NULL, 0, 0, false };
	struct gr_strvec seen;  /* pairs: mold's archive path, GNU ld's name ("" for the same) */
	const char *line = messages ? messages : "", *nl;

	gr_strvec_init(&seen);
	gr_dw_printf(&b, "%s", "");
	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		size_t len, alen, mlen, k;
		const char *mk, *mem, *from = NULL;
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		mk = NULL;
		if (len > sizeof(mold) - 1 && !memcmp(line, mold, sizeof(mold) - 1)) {
			const char *q;
			for (q = line; q < line + len; q++)
				if (!strncmp(q, ref, sizeof(ref) - 1) || !strncmp(q, dfn, sizeof(dfn) - 1))
					mk = q;
		}
		if (mk) {
			char *refr = strndup(line + sizeof(mold) - 1, (size_t)(mk - line) - (sizeof(mold) - 1));
			if (refr && gr_dw_split(refr, &alen, &mem, &mlen)) {
				for (k = 0; k + 1 < seen.n && !from; k += 2)
					if (strlen(seen.v[k]) == alen && !memcmp(seen.v[k], refr, alen))
						from = seen.v[k + 1];
				if (!from) {
					char *g = gr_dw_gnu_name(refr, alen, argv, argc, dirs, ndirs);
					if (gr_strvec_pushn(&seen, refr, alen) || gr_strvec_push(&seen, g ? g : ""))
						b.nomem = true;
					free(g);
					from = seen.n ? seen.v[seen.n - 1] : "";
				}
				if (*from) {
					gr_dw_printf(&b, "%s%s%.*s\n", mold, from, (int)(len - alen - (sizeof(mold) - 1)),
					             line + sizeof(mold) - 1 + alen);
					free(refr);
					continue;
				}
			}
			free(refr);
		}
		gr_dw_printf(&b, "%.*s\n", (int)len, line);
	}
	gr_strvec_deinit(&seen);
	if (b.nomem) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

char *
gr_diag_derive_warnings(const char *messages, const struct gr_strvec *w, const char *const *argv, size_t argc)
{
	struct gr_ldmsgs *msgs = gr_ldmsg_parse(messages ? messages : "");
	struct gr_dw_buf b = { NULL, 0, 0, false };
	struct { size_t wi; long order; const char *ref; } *items = NULL, t;
	size_t i, k, ni = 0;

	if (!msgs || !(items = calloc(w->n / 3 + 1, sizeof(*items)))) {
		gr_ldmsg_free(msgs);
		return NULL;
	}
	for (i = 0; i + 2 < w->n; i += 3) {
		const char *sym = w->v[i], *best = NULL;
		long bargi = LONG_MAX, bmem = LONG_MAX;
		bool def = false;
		char lib[256];
		for (k = 0; k < msgs->n; k++) {
			const struct gr_ldmsg *m = &msgs->v[k];
			const char *mem;
			size_t alen, mlen;
			long argi, pos = LONG_MAX;
			if (!m->referrer || strcmp(m->symbol, sym) != 0)
				continue;
			if (m->kind == GR_LDMSG_TRACE_DEF) {
				/* The C library's own definition carries the warning; another archive's does not. */
				def = def || (gr_dg_archive_of(m->referrer, lib, sizeof(lib)) && !strcmp(lib, "libc.a"));
				continue;
			}
			if (m->kind != GR_LDMSG_TRACE_REF || (best && !strcmp(best, m->referrer)))
				continue;
			/* GNU ld names the first input that referred to it: the first on
			 * the command line; of one archive, the first member. */
			if (gr_dw_split(m->referrer, &alen, &mem, &mlen)) {
				argi = gr_dw_argi(argv, argc, m->referrer, alen);
				if (best && argi == bargi) {
					size_t balen, bmlen;
					const char *bm;
					char *path = strndup(m->referrer, alen);
					if (gr_dw_split(best, &balen, &bm, &bmlen) && balen == alen && !memcmp(best, m->referrer, alen) &&
					    path) {
						if (bmem == LONG_MAX)
							bmem = gr_dw_member_pos(path, bm, bmlen);
						pos = gr_dw_member_pos(path, mem, mlen);
					}
					free(path);
				}
			} else {
				argi = gr_dw_argi(argv, argc, m->referrer, strlen(m->referrer));
			}
			if (!best || argi < bargi || (argi == bargi && pos < bmem)) {
				best = m->referrer;
				bargi = argi;
				bmem = pos;
			}
		}
		if (def && best) {
			items[ni].wi = i;
			items[ni].order = atol(w->v[i + 2]);
			items[ni].ref = best;
			ni++;
		}
	}
	/* GNU ld warns as it loads each defining member: libc.a's member order. */
	for (i = 1; i < ni; i++)
		for (k = i; k > 0 && items[k - 1].order > items[k].order; k--) {
			t = items[k];
			items[k] = items[k - 1];
			items[k - 1] = t;
		}
	gr_dw_printf(&b, "%s", "");
	for (i = 0; i < ni; i++)
		gr_dw_locate(&b, items[i].ref, w->v[items[i].wi], w->v[items[i].wi + 1]);
	free(items);
	gr_ldmsg_free(msgs);
	if (b.nomem) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
