#include "gr_diag.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gr_bfdcheck.h"
#include "gr_check.h"
#include "gr_ldmsg.h"
#include "gr_ldsearch.h"
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
		f->remedy = "glibc's iconv loads gconv modules at run time: --third-party, or build against musl";
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

int
gr_diag_run(const struct gr_env *env, const char *linker_messages, const char *const *dirs,
            size_t ndirs, struct gr_diag **out, struct gr_error *err)
{
	struct gr_diag *d = calloc(1, sizeof(*d));
	struct gr_ldmsgs *msgs = NULL;
	struct gr_symindex *ix = NULL;
	struct gr_dg_votes votes = { NULL, NULL, 0, 0 };
	struct gr_arena *a;
	size_t i, k, cap = 0, fcap = 0;
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
		if (msgs->v[i].kind == GR_LDMSG_UNDEFINED)
			any_undef = true;
	/* The index is only worth building when something is undefined. */
	if (any_undef && (rc = gr_symindex_build(env, dirs, ndirs, &ix, &d->index, err)))
		goto out;
	/* How many undefined references each archive could satisfy. */
	for (i = 0; i < msgs->n && any_undef; i++) {
		const struct gr_symarchive *const *prov;
		size_t np;
		if (msgs->v[i].kind != GR_LDMSG_UNDEFINED)
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
			struct gr_diag_finding f;
			bool dup = false;
			void *grown = d->findings;
			memset(&f, 0, sizeof(f));
			if (!gr_dg_finding(a, m, &f) || !(f.symbol = gr_arena_strdup(a, f.symbol)) || !(f.source = gr_arena_strdup(a, f.source)) ||
			    (f.function && !(f.function = gr_arena_strdup(a, f.function)))) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
				break;
			}
			for (k = 0; k < d->nfindings && !dup; k++)
				dup = !strcmp(d->findings[k].symbol, f.symbol) && !strcmp(d->findings[k].source, f.source);
			if (dup)
				continue;
			if (!gr_arena_grow(a, &grown, d->nfindings, &fcap, sizeof(*d->findings))) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
				break;
			}
			d->findings = grown;
			d->findings[d->nfindings++] = f;
		} else if (m->kind == GR_LDMSG_UNDEFINED) {
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
		/* Copy the provider out of the index, which is freed below. */
		{
			struct gr_symarchive *c = gr_arena_alloc(a, sizeof(*c));
			if (!c || !(c->path = gr_arena_strdup(a, d->groups[k].provider->path)) ||
			    !(c->lname = gr_arena_strdup(a, d->groups[k].provider->lname))) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
				break;
			}
			d->groups[k].provider = c;
		}
		/* The C library family comes with the compiler: it is named by -l, not a package. */
		if (gr_dg_in(gr_rw_default_system_libs, gr_rw_ndefault_system_libs, d->groups[k].provider->lname))
			continue;
		gr_strvec_init(&pk);
		/* Only running out of memory is an error: no package is an answer. */
		if (gr_pc_packages_with_lib(d->groups[k].provider->lname, &pk, &npub, &pe) == GR_ENOMEM)
			rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		else if (pk.n && (best = gr_dg_best_pkg(&pk, npub, d->groups[k].provider->lname)) &&
		         !(d->groups[k].pkg = gr_arena_strdup(a, best)))
			rc = gr_error_set(err, GR_ENOMEM, 0, "diagnosis: out of memory");
		gr_strvec_deinit(&pk);
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

void
gr_diag_free(struct gr_diag *d)
{
	if (!d)
		return;
	gr_arena_deinit(&d->arena);
	free(d);
}
