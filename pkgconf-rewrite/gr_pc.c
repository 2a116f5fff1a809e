#include "gr_pc.h"

#include "gr_pcindex.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpkgconf/libpkgconf.h>

#include "gr_hash.h"

#define GR_PC_MAXDEPTH 2000

/* What the libpkgconf callbacks fill in. */
struct gr_pc_run {
	struct gr_pc_tokens *toks;
	char errmsg[512];         /* the errors libpkgconf reported, joined */
	char warns[8][512];       /* warnings about malformed .pc files, "PATH[:LINE]: warning: ..." */
	size_t nwarns;
	const char *bad_warn;     /* the warning about a file the answer depends on, or NULL */
	bool shared;              /* the query runs on gr_pc_share_begin's client */
	bool nomem;
	bool keep_system;
};

/* The client gr_pc_share_begin keeps, with the packages it has read, for
 * the queries that follow: a .pc file is read once per process, not once per
 * query (--each asks about hundreds of packages whose closures overlap, and
 * an explanation asks again for the graph; issue 15). libpkgconf warns about
 * a malformed file only when it reads it, so the warnings are kept here for
 * every later query (gr_pc_warning_for). */
static struct {
	bool on;
	pkgconf_client_t client;
	char *sysroot;    /* the PKG_CONFIG_SYSROOT_DIR it was made with ("": none) */
	char **warns;     /* every warning about a malformed .pc file, in order */
	size_t nwarns, cap;
	struct gr_pc_run idle;  /* what the handlers fill in between queries */
} gr_pc_sh;

static bool
gr_pc_error_handler(const char *msg, const pkgconf_client_t *client, const void *data)
{
	struct gr_pc_run *run = (struct gr_pc_run *)(uintptr_t)data;
	size_t n;

	(void)client;
	/* Keep every message on one line: "requirement ... could not be satisfied;
	 * Package 'x' has version '1', required version is '>= 9'". */
	n = strlen(run->errmsg);
	if (n && n + 2 < sizeof(run->errmsg)) {
		run->errmsg[n++] = ';';
		run->errmsg[n++] = ' ';
		run->errmsg[n] = '\0';
	}
	snprintf(run->errmsg + n, sizeof(run->errmsg) - n, "%s", msg);
	for (n = strlen(run->errmsg); n && (run->errmsg[n - 1] == '\n' || run->errmsg[n - 1] == ' ' ||
	                                   run->errmsg[n - 1] == '.');)
		run->errmsg[--n] = '\0';
	for (n = 0; run->errmsg[n]; n++)
		if (run->errmsg[n] == '\n')
			run->errmsg[n] = ' ';
	return true;
}

/* libpkgconf warns about malformed .pc files (a field it cannot parse, a
 * missing Version) and then carries on without them: gorelink refuses. */
static bool
gr_pc_warn_handler(const char *msg, const pkgconf_client_t *client, const void *data)
{
	struct gr_pc_run *run = (struct gr_pc_run *)(uintptr_t)data;
	size_t n;

	(void)client;
	/* Only warnings that lose information count; libpkgconf also warns
	 * about harmless style (ICU's .pc files: "whitespace encountered..."). */
	if (!(strstr(msg, "does not declare") || strstr(msg, "skipping invalid") ||
	      strstr(msg, "unable to parse")))
		return true;
	if (run->shared) {
		char *w;
		if (gr_pc_sh.nwarns == gr_pc_sh.cap) {
			size_t nc = gr_pc_sh.cap ? gr_pc_sh.cap * 2 : 16;
			char **g = realloc(gr_pc_sh.warns, nc * sizeof(*g));
			if (!g) {
				run->nomem = true;
				return true;
			}
			gr_pc_sh.warns = g;
			gr_pc_sh.cap = nc;
		}
		if (!(w = malloc(sizeof(run->warns[0])))) {
			run->nomem = true;
			return true;
		}
		gr_pc_sh.warns[gr_pc_sh.nwarns++] = w;
		snprintf(w, sizeof(run->warns[0]), "%s", msg);
		for (n = 0; w[n]; n++)
			if (w[n] == '\n')
				w[n] = ' ';
		while (n && w[n - 1] == ' ')
			w[--n] = '\0';
	}
	if (run->nwarns == sizeof(run->warns) / sizeof(run->warns[0]))
		return true;
	snprintf(run->warns[run->nwarns], sizeof(run->warns[0]), "%s", msg);
	for (n = 0; run->warns[run->nwarns][n]; n++)
		if (run->warns[run->nwarns][n] == '\n')
			run->warns[run->nwarns][n] = ' ';
	while (n && run->warns[run->nwarns][n - 1] == ' ')
		run->warns[run->nwarns][--n] = '\0';
	run->nwarns++;
	return true;
}

/* The warnings a query can see: its own, or on the shared client every one so far. */
static size_t
gr_pc_nwarns(const struct gr_pc_run *run)
{
	return run->shared ? gr_pc_sh.nwarns : run->nwarns;
}

static const char *
gr_pc_warn_at(const struct gr_pc_run *run, size_t i)
{
	return run->shared ? gr_pc_sh.warns[i] : run->warns[i];
}

/* The warning about the file at path (it starts "PATH:"), or NULL. */
static const char *
gr_pc_warning_for(const struct gr_pc_run *run, const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < gr_pc_nwarns(run); i++) {
		const char *w = gr_pc_warn_at(run, i);
		if (strncmp(w, path, n) == 0 && w[n] == ':')
			return w;
	}
	return NULL;
}

/* The warning about NAME.pc in any directory, or NULL. */
static const char *
gr_pc_warning_for_name(const struct gr_pc_run *run, const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < gr_pc_nwarns(run); i++) {
		const char *w = gr_pc_warn_at(run, i), *colon = strchr(w, ':'), *slash;
		if (!colon)
			continue;
		for (slash = colon; slash > w && slash[-1] != '/'; slash--)
			;
		if ((size_t)(colon - slash) == namelen + 3 && strncmp(slash, name, namelen) == 0 &&
		    strncmp(slash + namelen, ".pc", 3) == 0)
			return w;
	}
	return NULL;
}

static struct gr_pc_tokens *
gr_pc_tokens_new(void)
{
	struct gr_pc_tokens *t = calloc(1, sizeof(*t));

	if (t)
		gr_arena_init(&t->arena);
	return t;
}

void
gr_pc_tokens_free(struct gr_pc_tokens *t)
{
	if (!t)
		return;
	gr_arena_deinit(&t->arena);
	free(t);
}

/* The n strings of parts one after the other in a, as gr_arena_printf with
 * "%s" for each would make them (NULL is "(null)"), without printf. */
static char *
gr_pc_cat(struct gr_arena *a, const char *const *parts, size_t n)
{
	size_t len = 0, i, l;
	char *t, *p;

	for (i = 0; i < n; i++)
		len += strlen(parts[i] ? parts[i] : "(null)");
	if (!(t = gr_arena_alloc(a, len + 1)))
		return NULL;
	for (p = t, i = 0; i < n; i++) {
		const char *s = parts[i] ? parts[i] : "(null)";
		l = strlen(s);
		memcpy(p, s, l);
		p += l;
	}
	*p = '\0';
	return t;
}

/* "-" + type + data for typed fragments; data alone for untyped ones. */
static char *
gr_pc_frag_text(struct gr_arena *a, const pkgconf_fragment_t *f)
{
	const char *d;
	size_t n;
	char *t;

	if (!f->type)
		return gr_arena_strdup(a, f->data);
	/* What gr_arena_printf(a, "-%c%s", ...) made, without printf: every token of every query comes here. */
	d = f->data ? f->data : "(null)";
	n = strlen(d);
	if ((t = gr_arena_alloc(a, n + 3)) != NULL) {
		t[0] = '-';
		t[1] = f->type;
		memcpy(t + 2, d, n + 1);
	}
	return t;
}

/* How many arguments fragment f prints as: a merged one prints one per blank-separated piece. */
static size_t
gr_pc_frag_words(const pkgconf_fragment_t *f)
{
	const char *p = f->data;
	size_t n = 0;

	if (!f->merged || !p)
		return 1;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ')
			p++;
	}
	return n ? n : 1;
}

/* Find which package, reached by which chain, declares fragment text. Breadth
 * first from the queried packages, so the shortest chain is named. The walk
 * does not depend on the text: it is made once per query (every package, its
 * chain and the texts of its Libs and Libs.private) and each fragment then
 * looks for the first package, in walk order, that declares it; the same
 * answer as a walk per fragment that stops there, without building the
 * chains and texts again for every fragment (issue 15). */
struct gr_pc_node {
	pkgconf_pkg_t *pkg;
	const char *chain;
	char **texts[2];   /* the fragment texts of Libs, Libs.private */
	size_t ntexts[2];
	const char *origin[2];  /* "CHAIN (Libs)", "CHAIN (Libs.private)", made when first asked */
};

/* A fragment text and the first field that has it, in walk order. */
struct gr_pc_hit {
	const char *text;  /* NULL: empty slot */
	size_t node;
	int field;
};

struct gr_pc_walk {
	struct gr_pc_node *nodes;  /* malloc'd; strings in the arena */
	size_t n;
	bool made;
	struct gr_pc_hit *hits;  /* every text's first field (open addressing, power of two; in the arena) */
	size_t nhits;
};

/* The fragment texts of list l into *out (arena), *n of them; false on out of memory. */
static bool
gr_pc_list_texts(struct gr_arena *a, pkgconf_list_t *l, char ***out, size_t *n)
{
	pkgconf_node_t *x;
	size_t k = 0;

	*n = 0;
	PKGCONF_FOREACH_LIST_ENTRY(l->head, x)
		k++;
	if (!(*out = gr_arena_alloc(a, (k ? k : 1) * sizeof(**out))))
		return false;
	PKGCONF_FOREACH_LIST_ENTRY(l->head, x)
		if (!((*out)[(*n)++] = gr_pc_frag_text(a, x->data)))
			return false;
	return true;
}

/* Walk every package world's queries reach, breadth first, once. */
static bool
gr_pc_walk_make(struct gr_arena *a, pkgconf_pkg_t *world, struct gr_pc_walk *w)
{
	static const char *const reqnames[2] = { "Requires", "Requires.private" };
	size_t head, cap = 0;
	pkgconf_node_t *n;

	w->made = true;
	/* Seed with the packages the queries matched. */
	PKGCONF_FOREACH_LIST_ENTRY(world->required.head, n) {
		pkgconf_dependency_t *d = n->data;
		if (!d->match)
			continue;
		if (w->n == cap) {
			struct gr_pc_node *g = realloc(w->nodes, (cap = cap ? cap * 2 : 16) * sizeof(*g));
			if (!g)
				return false;
			w->nodes = g;
		}
		memset(&w->nodes[w->n], 0, sizeof(w->nodes[w->n]));
		w->nodes[w->n].pkg = d->match;
		w->nodes[w->n++].chain = d->match->id;
	}
	for (head = 0; head < w->n; head++) {
		pkgconf_pkg_t *pkg = w->nodes[head].pkg;
		pkgconf_list_t *reqs[2] = { &pkg->required, &pkg->requires_private };
		int k;

		if (!gr_pc_list_texts(a, &pkg->libs, &w->nodes[head].texts[0], &w->nodes[head].ntexts[0]) ||
		    !gr_pc_list_texts(a, &pkg->libs_private, &w->nodes[head].texts[1], &w->nodes[head].ntexts[1]))
			return false;
		for (k = 0; k < 2; k++) {
			PKGCONF_FOREACH_LIST_ENTRY(reqs[k]->head, n) {
				pkgconf_dependency_t *d = n->data;
				size_t i;
				bool seen = false;
				if (!d->match)
					continue;
				for (i = 0; i < w->n && !seen; i++)
					seen = w->nodes[i].pkg == d->match;
				if (seen)
					continue;
				if (w->n == cap) {
					struct gr_pc_node *g = realloc(w->nodes, (cap *= 2) * sizeof(*g));
					if (!g)
						return false;
					w->nodes = g;
				}
				memset(&w->nodes[w->n], 0, sizeof(w->nodes[w->n]));
				w->nodes[w->n].pkg = d->match;
				/* nodes may have moved: index, not a pointer kept across realloc */
				w->nodes[w->n].chain = gr_pc_cat(a, (const char *const[]){ w->nodes[head].chain, " -> ",
				                                                          reqnames[k], " -> ", d->match->id }, 5);
				if (!w->nodes[w->n++].chain)
					return false;
			}
		}
	}
	return true;
}

/* Index every text of the walk by its first field (node order, then Libs
 * before Libs.private, then position): what the linear search found first. */
static bool
gr_pc_walk_index(struct gr_arena *a, struct gr_pc_walk *w)
{
	size_t i, j, total = 0, mask;
	int k;

	for (i = 0; i < w->n; i++)
		total += w->nodes[i].ntexts[0] + w->nodes[i].ntexts[1];
	for (w->nhits = 16; w->nhits < total * 2; w->nhits *= 2)
		;
	if (!(w->hits = gr_arena_alloc(a, w->nhits * sizeof(*w->hits))))
		return false;
	mask = w->nhits - 1;
	for (i = 0; i < w->n; i++)
		for (k = 0; k < 2; k++)
			for (j = 0; j < w->nodes[i].ntexts[k]; j++) {
				const char *t = w->nodes[i].texts[k][j];
				size_t h;
				for (h = gr_hash_str(t) & mask; w->hits[h].text && strcmp(w->hits[h].text, t); h = (h + 1) & mask)
					;
				if (!w->hits[h].text)
					w->hits[h] = (struct gr_pc_hit){ t, i, k };
			}
	return true;
}

static const char *
gr_pc_origin(struct gr_arena *a, pkgconf_pkg_t *world, struct gr_pc_walk *w, const char *text, bool *nomem)
{
	static const char *const fields[2] = { "Libs", "Libs.private" };
	struct gr_pc_node *nd;
	size_t h, mask;

	if (!w->made && (!gr_pc_walk_make(a, world, w) || !gr_pc_walk_index(a, w))) {
		*nomem = true;
		return NULL;
	}
	if (!w->hits)
		return NULL;
	mask = w->nhits - 1;
	for (h = gr_hash_str(text) & mask; w->hits[h].text; h = (h + 1) & mask)
		if (!strcmp(w->hits[h].text, text)) {
			nd = &w->nodes[w->hits[h].node];
			if (!nd->origin[w->hits[h].field] &&
			    !(nd->origin[w->hits[h].field] =
			          gr_pc_cat(a, (const char *const[]){ nd->chain, " (", fields[w->hits[h].field], ")" }, 4)))
				*nomem = true;
			return nd->origin[w->hits[h].field];
		}
	return NULL;
}

static bool
gr_pc_collect(pkgconf_client_t *client, pkgconf_pkg_t *world, void *data, int maxdepth)
{
	struct gr_pc_run *run = data;
	struct gr_pc_tokens *t = run->toks;
	pkgconf_list_t libs = PKGCONF_LIST_INITIALIZER;
	pkgconf_node_t *n;
	struct gr_pc_walk walk = { NULL, 0, false, NULL, 0 };
	size_t count = 0, i = 0;

	if (pkgconf_pkg_libs(client, world, &libs, maxdepth) != PKGCONF_PKG_ERRF_OK) {
		pkgconf_fragment_free(&libs);
		return false;
	}
	/* A warning about any package in the answer makes the answer wrong. */
	run->bad_warn = NULL;
	if (gr_pc_nwarns(run)) {
		pkgconf_pkg_t **seen = NULL;
		size_t nseen = 0, cap = 0, head = 0, k;
		PKGCONF_FOREACH_LIST_ENTRY(world->required.head, n) {
			pkgconf_dependency_t *d = n->data;
			if (d->match && nseen == cap) {
				pkgconf_pkg_t **g = realloc(seen, (cap = cap ? cap * 2 : 16) * sizeof(*g));
				if (!g) { free(seen); run->nomem = true; return false; }
				seen = g;
			}
			if (d->match)
				seen[nseen++] = d->match;
		}
		for (head = 0; head < nseen && !run->bad_warn; head++) {
			pkgconf_list_t *reqs[2] = { &seen[head]->required, &seen[head]->requires_private };
			if (seen[head]->filename)
				run->bad_warn = gr_pc_warning_for(run, seen[head]->filename);
			for (k = 0; k < 2; k++)
				PKGCONF_FOREACH_LIST_ENTRY(reqs[k]->head, n) {
					pkgconf_dependency_t *d = n->data;
					size_t q;
					bool dup = false;
					if (!d->match)
						continue;
					for (q = 0; q < nseen && !dup; q++)
						dup = seen[q] == d->match;
					if (dup)
						continue;
					if (nseen == cap) {
						pkgconf_pkg_t **g = realloc(seen, (cap *= 2) * sizeof(*g));
						if (!g) { free(seen); run->nomem = true; return false; }
						seen = g;
					}
					seen[nseen++] = d->match;
				}
		}
		free(seen);
	}
	/* A merged special fragment ("-framework A") is several words. */
	PKGCONF_FOREACH_LIST_ENTRY(libs.head, n) {
		const pkgconf_fragment_t *f = n->data;
		count += gr_pc_frag_words(f);
	}
	t->v = gr_arena_alloc(&t->arena, (count ? count : 1) * sizeof(*t->v));
	if (!t->v) {
		run->nomem = true;
		pkgconf_fragment_free(&libs);
		return false;
	}
	PKGCONF_FOREACH_LIST_ENTRY(libs.head, n) {
		pkgconf_fragment_t *f = n->data;
		const char *origin;
		char *text, *p;
		if (!run->keep_system && pkgconf_fragment_has_system_dir(client, f))
			continue;
		text = gr_pc_frag_text(&t->arena, f);
		if (!text) {
			run->nomem = true;
			break;
		}
		origin = gr_pc_origin(&t->arena, world, &walk, text, &run->nomem);
		if (run->nomem)
			break;
		if (!f->merged) {
			t->v[i].text = text;
			t->v[i++].origin = origin;
			continue;
		}
		/* pkg-config prints a merged fragment with its blanks unescaped, so
		 * each blank-separated piece is one argument (an escaped blank inside
		 * a piece is lost the same way). */
		for (p = text; *p && i < count; ) {
			char *w;
			while (*p == ' ')
				p++;
			if (!*p)
				break;
			w = p;
			while (*p && *p != ' ')
				p++;
			if (*p)
				*p++ = '\0';
			t->v[i].text = w;
			t->v[i++].origin = origin;
		}
	}
	t->n = i;
	free(walk.nodes);
	pkgconf_fragment_free(&libs);
	return !run->nomem;
}

/* env's PKG_CONFIG_SYSROOT_DIR, or "" (none). */
static const char *
gr_pc_sysroot(const struct gr_env *env)
{
	return env && env->pkg_config_sysroot_dir ? env->pkg_config_sysroot_dir : "";
}

/* Make c the client of a query with pkg-config --static --libs semantics. */
static void
gr_pc_client_init(pkgconf_client_t *c, const struct gr_env *env, struct gr_pc_run *run)
{
	/* libpkgconf 1.8 hands out one static default personality: never deinit it,
	 * or the next query in this process reads freed lists. */
	pkgconf_cross_personality_t *pers = pkgconf_cross_personality_default();
	const char *sysroot = gr_pc_sysroot(env);

	memset(c, 0, sizeof(*c));
	pkgconf_client_init(c, gr_pc_error_handler, run, pers);
	/* No trace handler: libpkgconf's default drops every message after
	 * formatting it, three quarters of a refused query's time (callgrind,
	 * issue 15); as in gr_pcindex. */
	c->trace_handler = NULL;
	pkgconf_client_set_warn_handler(c, gr_pc_warn_handler, run);
	if (*sysroot)
		pkgconf_client_set_sysroot_dir(c, sysroot);
	/* Exactly the flags pkgconf's own "--static --libs" sets: special fragments
	 * stay merged ("-framework A"), since that changes which duplicates
	 * libpkgconf drops; gr_pc_collect splits them into arguments again. */
	pkgconf_client_set_flags(c, PKGCONF_PKG_PKGF_SEARCH_PRIVATE |
	                            PKGCONF_PKG_PKGF_MERGE_PRIVATE_FRAGMENTS);
	pkgconf_client_dir_list_build(c, pers);
}

/* The client for a query: the shared one when it was made for env's sysroot,
 * else own, made now (gr_pc_client_done deinits it). */
static pkgconf_client_t *
gr_pc_client(const struct gr_env *env, pkgconf_client_t *own, struct gr_pc_run *run)
{
	if (gr_pc_sh.on && !strcmp(gr_pc_sh.sysroot, gr_pc_sysroot(env))) {
		run->shared = true;
		/* libpkgconf says "Package X was not found in the pkg-config search
		 * path" once per client: a fresh client's query says it again */
		gr_pc_sh.client.already_sent_notice = false;
		pkgconf_client_set_error_handler(&gr_pc_sh.client, gr_pc_error_handler, run);
		pkgconf_client_set_warn_handler(&gr_pc_sh.client, gr_pc_warn_handler, run);
		return &gr_pc_sh.client;
	}
	gr_pc_client_init(own, env, run);
	return own;
}

static void
gr_pc_client_done(pkgconf_client_t *c)
{
	if (c != &gr_pc_sh.client) {
		pkgconf_client_deinit(c);
		return;
	}
	pkgconf_client_set_error_handler(c, gr_pc_error_handler, &gr_pc_sh.idle);
	pkgconf_client_set_warn_handler(c, gr_pc_warn_handler, &gr_pc_sh.idle);
}

int
gr_pc_share_begin(const struct gr_env *env)
{
	gr_pc_share_end();
	if (!(gr_pc_sh.sysroot = strdup(gr_pc_sysroot(env))))
		return GR_ENOMEM;
	gr_pc_client_init(&gr_pc_sh.client, env, &gr_pc_sh.idle);
	gr_pc_sh.on = true;
	return GR_OK;
}

void
gr_pc_share_end(void)
{
	size_t i;

	if (gr_pc_sh.on)
		pkgconf_client_deinit(&gr_pc_sh.client);
	for (i = 0; i < gr_pc_sh.nwarns; i++)
		free(gr_pc_sh.warns[i]);
	free(gr_pc_sh.warns);
	free(gr_pc_sh.sysroot);
	memset(&gr_pc_sh, 0, sizeof(gr_pc_sh));
}

int
gr_pc_resolve(const struct gr_env *env, const char *const *queries, size_t nq,
              struct gr_pc_tokens **out, struct gr_error *err)
{
	pkgconf_client_t own, *client;
	pkgconf_list_t q = PKGCONF_LIST_INITIALIZER;
	struct gr_pc_run run;
	size_t i;
	bool ok;
	int rc = GR_OK;

	*out = NULL;
	memset(&run, 0, sizeof(run));
	run.toks = gr_pc_tokens_new();
	if (!run.toks)
		return gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	run.keep_system = env->pkg_config_allow_system_libs != NULL;
	client = gr_pc_client(env, &own, &run);
	for (i = 0; i < nq; i++)
		pkgconf_queue_push(&q, queries[i]);
	ok = pkgconf_queue_apply(client, &q, gr_pc_collect, GR_PC_MAXDEPTH, &run);
	if (run.nomem)
		rc = gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	else if (ok && run.bad_warn)
		rc = gr_error_set(err, GR_EFORMAT, 0, "pkg-config: malformed .pc file: %s", run.bad_warn);
	else if (!ok || run.errmsg[0]) {
		/* libpkgconf follows "was not found" with advice that is no use here;
		 * keep who required the package, unless it was the query itself. */
		char *semi = strstr(run.errmsg, "was not found") ? strchr(run.errmsg, ';') : NULL;
		const char *w = NULL;
		if (semi && strncmp(run.errmsg, "Package ", 8) == 0) {
			const char *name = run.errmsg + 8, *sp = strchr(name, ' ');
			if (sp)
				w = gr_pc_warning_for_name(&run, name, (size_t)(sp - name));
		}
		if (w) {
			rc = gr_error_set(err, GR_EFORMAT, 0, "pkg-config: malformed .pc file: %s", w);
			goto done;
		}
		char by[160] = "";
		const char *rb = strstr(run.errmsg, "required by '");
		if (rb && strncmp(rb + 13, "virtual:world'", 14) != 0) {
			const char *end = strchr(rb + 13, '\'');
			if (end)
				snprintf(by, sizeof(by), ", required by %.*s,", (int)(end - (rb + 13)), rb + 13);
		}
		if (semi)
			*semi = '\0';
		if (semi && by[0]) {
			char *wn = strstr(run.errmsg, " was not found");
			if (wn) {
				char tail[400];
				snprintf(tail, sizeof(tail), "%s%s", by, wn);
				snprintf(wn, sizeof(run.errmsg) - (size_t)(wn - run.errmsg), "%s", tail);
			}
		}
		rc = gr_error_set(err, semi ? GR_ENOTFOUND : GR_EFORMAT, 0, "pkg-config: %s%s",
		                  run.errmsg[0] ? run.errmsg : "the packages could not be resolved",
		                  semi ? " (set PKG_CONFIG_PATH, or install the package that ships its .pc file)" : "");
	}
done:
	pkgconf_queue_free(&q);
	gr_pc_client_done(client);
	if (rc) {
		gr_pc_tokens_free(run.toks);
		return rc;
	}
	*out = run.toks;
	return GR_OK;
}

int
gr_pc_split(const char *text, const char *what, struct gr_pc_tokens **out, struct gr_error *err)
{
	struct gr_pc_tokens *t;
	char **argv = NULL;
	int argc = 0, i;

	*out = NULL;
	/* pkgconf_argv_split returns -1 on an unterminated quote or trailing backslash. */
	if (pkgconf_argv_split(text, &argc, &argv) < 0) {
		/* An empty or blank string is no error: it has no arguments. */
		const char *p = text;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
			p++;
		if (*p)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: unbalanced quote or trailing backslash in the flags", what);
		argc = 0;
	}
	t = gr_pc_tokens_new();
	if (!t || !(t->v = gr_arena_alloc(&t->arena, ((size_t)argc + 1) * sizeof(*t->v)))) {
		if (argv)
			pkgconf_argv_free(argv);
		gr_pc_tokens_free(t);
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", what);
	}
	/* libpkgconf 1.8 yields an empty word for each extra blank (pkg-config's
	 * own output ends in one): an empty argument is never a link flag. */
	for (i = 0; i < argc; i++) {
		if (!argv[i][0])
			continue;
		t->v[t->n].text = gr_arena_strdup(&t->arena, argv[i]);
		if (!t->v[t->n].text) {
			pkgconf_argv_free(argv);
			gr_pc_tokens_free(t);
			return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", what);
		}
		t->n++;
	}
	if (argv)
		pkgconf_argv_free(argv);
	*out = t;
	return GR_OK;
}

int
gr_pc_packages_with_lib(const char *lname, struct gr_strvec *out, size_t *npublic,
                        struct gr_error *err)
{
	const struct gr_pcindex_ref *refs;
	struct gr_pcindex *ix;
	size_t n, npub, i;
	int rc;

	/* No environment here: the index without a sysroot and uncached. */
	if ((rc = gr_pcindex_open(NULL, &ix, err)) != GR_OK)
		return rc;
	/* Those that name it in Libs come first, then those that name it only in
	 * Libs.private: --pkg of either links it statically. */
	refs = gr_pcindex_lookup(ix, lname, &n, &npub);
	for (i = 0; i < n && rc == GR_OK; i++)
		rc = gr_strvec_push(out, refs[i].pkg->name);
	gr_pcindex_free(ix);
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	if (npublic)
		*npublic = npub;
	return GR_OK;
}

/* ---- the package graph: partly dynamic links ----------------------------- */

struct gr_pc_grun {
	struct gr_pc_graph *g;
	pkgconf_pkg_t **pkgs;     /* g->v[i] is pkgs[i] */
	size_t cap;
	bool nomem;
};

/* The node index of pkg, added (at the end) when new; (size_t)-1 when out of memory. */
static size_t
gr_pc_gnode_of(struct gr_pc_grun *run, pkgconf_pkg_t *pkg)
{
	struct gr_pc_graph *g = run->g;
	size_t i;

	for (i = 0; i < g->n; i++)
		if (run->pkgs[i] == pkg)
			return i;
	if (g->n == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 32;
		pkgconf_pkg_t **p = realloc(run->pkgs, cap * sizeof(*p));
		struct gr_pc_gnode *v;
		if (!p)
			return (size_t)-1;
		run->pkgs = p;
		v = gr_arena_alloc(&g->arena, cap * sizeof(*v));
		if (!v)
			return (size_t)-1;
		if (g->n)
			memcpy(v, g->v, g->n * sizeof(*v));
		g->v = v;
		run->cap = cap;
	}
	memset(&g->v[g->n], 0, sizeof(g->v[g->n]));
	g->v[g->n].id = gr_arena_strdup(&g->arena, pkg->id ? pkg->id : "?");
	if (!g->v[g->n].id)
		return (size_t)-1;
	run->pkgs[g->n] = pkg;
	return g->n++;
}

/* The -l names of a fragment list, into the arena. */
static bool
gr_pc_gnames(struct gr_arena *a, const pkgconf_list_t *l, const char ***out, size_t *n)
{
	pkgconf_node_t *nd;
	size_t c = 0, i = 0;

	PKGCONF_FOREACH_LIST_ENTRY(l->head, nd) {
		const pkgconf_fragment_t *f = nd->data;
		c += f->type == 'l' && f->data && f->data[0];
	}
	*out = gr_arena_alloc(a, (c ? c : 1) * sizeof(**out));
	if (!*out)
		return false;
	PKGCONF_FOREACH_LIST_ENTRY(l->head, nd) {
		const pkgconf_fragment_t *f = nd->data;
		if (f->type == 'l' && f->data && f->data[0] && !((*out)[i++] = gr_arena_strdup(a, f->data)))
			return false;
	}
	*n = i;
	return true;
}

/* The node indices of a dependency list (packages not matched are left out). */
static bool
gr_pc_gdeps(struct gr_pc_grun *run, const pkgconf_list_t *l, size_t **out, size_t *n)
{
	pkgconf_node_t *nd;
	size_t c = 0, i = 0, k;

	PKGCONF_FOREACH_LIST_ENTRY(l->head, nd) {
		const pkgconf_dependency_t *d = nd->data;
		c += d->match != NULL;
	}
	*out = gr_arena_alloc(&run->g->arena, (c ? c : 1) * sizeof(**out));
	if (!*out)
		return false;
	PKGCONF_FOREACH_LIST_ENTRY(l->head, nd) {
		const pkgconf_dependency_t *d = nd->data;
		size_t x;
		bool dup = false;
		if (!d->match)
			continue;
		if ((x = gr_pc_gnode_of(run, d->match)) == (size_t)-1)
			return false;
		for (k = 0; k < i && !dup; k++)
			dup = (*out)[k] == x;
		if (!dup)
			(*out)[i++] = x;
	}
	*n = i;
	return true;
}

static void
gr_pc_visit_nothing(pkgconf_client_t *client, pkgconf_pkg_t *pkg, void *data)
{
	(void)client;
	(void)pkg;
	(void)data;
}

static bool
gr_pc_graph_collect(pkgconf_client_t *client, pkgconf_pkg_t *world, void *data, int maxdepth)
{
	struct gr_pc_grun *run = data;
	pkgconf_node_t *nd;
	size_t i, nroots = 0;

	/* The traversal matches every Requires and Requires.private: the one
	 * pkgconf_pkg_libs makes (same depth, same flags, so the same errors),
	 * without collecting the fragments nobody reads here (issue 15). */
	if (pkgconf_pkg_traverse(client, world, gr_pc_visit_nothing, NULL, maxdepth, 0) != PKGCONF_PKG_ERRF_OK)
		return false;
	PKGCONF_FOREACH_LIST_ENTRY(world->required.head, nd)
		nroots++;
	run->g->roots = gr_arena_alloc(&run->g->arena, (nroots ? nroots : 1) * sizeof(size_t));
	if (!run->g->roots)
		goto nomem;
	PKGCONF_FOREACH_LIST_ENTRY(world->required.head, nd) {
		pkgconf_dependency_t *d = nd->data;
		size_t x;
		if (!d->match)
			continue;
		if ((x = gr_pc_gnode_of(run, d->match)) == (size_t)-1)
			goto nomem;
		run->g->roots[run->g->nroots++] = x;
	}
	/* Breadth first: a node's edges add the nodes after it. */
	for (i = 0; i < run->g->n; i++) {
		pkgconf_pkg_t *p = run->pkgs[i];
		const char **names;
		size_t nn, *deps, nd2;
		if (!gr_pc_gnames(&run->g->arena, &p->libs, &names, &nn))
			goto nomem;
		run->g->v[i].libs = names;
		run->g->v[i].nlibs = nn;
		if (!gr_pc_gnames(&run->g->arena, &p->libs_private, &names, &nn))
			goto nomem;
		run->g->v[i].priv = names;
		run->g->v[i].npriv = nn;
		if (!gr_pc_gdeps(run, &p->required, &deps, &nd2))
			goto nomem;
		run->g->v[i].req = deps;
		run->g->v[i].nreq = nd2;
		if (!gr_pc_gdeps(run, &p->requires_private, &deps, &nd2))
			goto nomem;
		run->g->v[i].rpriv = deps;
		run->g->v[i].nrpriv = nd2;
	}
	return true;
nomem:
	run->nomem = true;
	return false;
}

int
gr_pc_graph(const struct gr_env *env, const char *const *queries, size_t nq,
            struct gr_pc_graph **out, struct gr_error *err)
{
	pkgconf_client_t own, *client;
	pkgconf_list_t q = PKGCONF_LIST_INITIALIZER;
	struct gr_pc_run prun;
	struct gr_pc_grun run;
	size_t i;
	bool ok;
	int rc = GR_OK;

	*out = NULL;
	memset(&run, 0, sizeof(run));
	memset(&prun, 0, sizeof(prun));
	run.g = calloc(1, sizeof(*run.g));
	if (!run.g)
		return gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	gr_arena_init(&run.g->arena);
	client = gr_pc_client(env, &own, &prun);
	for (i = 0; i < nq; i++)
		pkgconf_queue_push(&q, queries[i]);
	ok = pkgconf_queue_apply(client, &q, gr_pc_graph_collect, GR_PC_MAXDEPTH, &run);
	if (run.nomem)
		rc = gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	else if (!ok)
		rc = gr_error_set(err, GR_ENOTFOUND, 0, "pkg-config: %s",
		                  prun.errmsg[0] ? prun.errmsg : "the packages could not be resolved");
	pkgconf_queue_free(&q);
	gr_pc_client_done(client);
	free(run.pkgs);
	if (rc) {
		gr_pc_graph_free(run.g);
		return rc;
	}
	*out = run.g;
	return GR_OK;
}

void
gr_pc_graph_free(struct gr_pc_graph *g)
{
	if (!g)
		return;
	gr_arena_deinit(&g->arena);
	free(g);
}

static bool
gr_pc_in(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

size_t
gr_pc_graph_mark_dynamic(struct gr_pc_graph *g, const char *const *names, size_t n)
{
	size_t i, k, c = 0;

	/* Its own library is the first -l of its Libs; a package whose Libs are
	 * all dynamic libraries (-lcrypt of libcrypt.pc) is dynamic too. A
	 * package that merely adds one (-lcfitsio -lm) is not. */
	for (i = 0; i < g->n; i++) {
		bool all = g->v[i].nlibs > 0;
		for (k = 0; k < g->v[i].nlibs && all; k++)
			all = gr_pc_in(g->v[i].libs[k], names, n);
		g->v[i].dynamic = g->v[i].dynamic || all || (g->v[i].nlibs && gr_pc_in(g->v[i].libs[0], names, n));
		c += g->v[i].dynamic;
	}
	return c;
}

/* Add name to sv unless it is there. */
static int
gr_pc_addname(struct gr_strvec *sv, const char *name)
{
	if (gr_pc_in(name, (const char *const *)sv->v, sv->n))
		return GR_OK;
	return gr_strvec_push(sv, name);
}

/* Walk from the nodes seeds (mixed: a dynamic node's private side is not
 * followed; else everything): seen[i] marks the nodes reached, names (may
 * be NULL) gets their -l names in the order met. */
static int
gr_pc_walk(const struct gr_pc_graph *g, const size_t *seeds, size_t nseeds, bool mixed, bool *seen,
           struct gr_strvec *names)
{
	size_t *queue = malloc((g->n ? g->n : 1) * sizeof(*queue)), head = 0, tail = 0, i, k;

	if (!queue)
		return GR_ENOMEM;
	for (i = 0; i < nseeds; i++)
		if (!seen[seeds[i]]) {
			seen[seeds[i]] = true;
			queue[tail++] = seeds[i];
		}
	while (head < tail) {
		const struct gr_pc_gnode *nd = &g->v[queue[head++]];
		bool priv = !(mixed && nd->dynamic);
		for (k = 0; names && k < nd->nlibs; k++)
			if (gr_pc_addname(names, nd->libs[k]))
				goto nomem;
		for (k = 0; names && priv && k < nd->npriv; k++)
			if (gr_pc_addname(names, nd->priv[k]))
				goto nomem;
		for (k = 0; k < nd->nreq; k++)
			if (!seen[nd->req[k]]) {
				seen[nd->req[k]] = true;
				queue[tail++] = nd->req[k];
			}
		for (k = 0; priv && k < nd->nrpriv; k++)
			if (!seen[nd->rpriv[k]]) {
				seen[nd->rpriv[k]] = true;
				queue[tail++] = nd->rpriv[k];
			}
	}
	free(queue);
	return GR_OK;
nomem:
	free(queue);
	return GR_ENOMEM;
}

int
gr_pc_graph_needed(const struct gr_pc_graph *g, struct gr_strvec *names, struct gr_strvec *closure)
{
	bool *seen = calloc(g->n ? g->n : 1, sizeof(*seen));
	int rc;

	if (!seen)
		return GR_ENOMEM;
	rc = gr_pc_walk(g, g->roots, g->nroots, true, seen, names);
	if (!rc && closure) {
		memset(seen, 0, (g->n ? g->n : 1) * sizeof(*seen));
		rc = gr_pc_walk(g, g->roots, g->nroots, false, seen, closure);
	}
	free(seen);
	return rc;
}

int
gr_pc_graph_dropped(const struct gr_pc_graph *g, const char *const *keep, size_t nkeep,
                    struct gr_strvec *names, struct gr_strvec *via)
{
	struct gr_strvec need, all, mine;
	bool *seen = calloc(g->n ? g->n : 1, sizeof(*seen)), *reach = calloc(g->n ? g->n : 1, sizeof(*reach));
	size_t i, k;
	int rc;

	gr_strvec_init(&need);
	gr_strvec_init(&all);
	gr_strvec_init(&mine);
	if (!seen || !reach) {
		rc = GR_ENOMEM;
		goto out;
	}
	if ((rc = gr_pc_graph_needed(g, &need, &all)))
		goto out;
	/* The dynamic packages the partly dynamic link reaches, the deepest
	 * first (breadth-first order, backwards): each names the dropped
	 * libraries its own whole closure holds, so a library is named with the
	 * nearest package kept dynamic that needs it (pcre2 with glib, not vips). */
	if ((rc = gr_pc_walk(g, g->roots, g->nroots, true, reach, NULL)))
		goto out;
	for (i = g->n; i-- > 0 && !rc;) {
		if (!reach[i] || !g->v[i].dynamic)
			continue;
		memset(seen, 0, g->n * sizeof(*seen));
		gr_strvec_deinit(&mine);
		gr_strvec_init(&mine);
		if ((rc = gr_pc_walk(g, &i, 1, false, seen, &mine)))
			break;
		for (k = 0; k < mine.n && !rc; k++)
			if (!gr_pc_in(mine.v[k], (const char *const *)need.v, need.n) && !gr_pc_in(mine.v[k], keep, nkeep) &&
			    !gr_pc_in(mine.v[k], (const char *const *)names->v, names->n))
				rc = gr_strvec_push(names, mine.v[k]) || gr_strvec_push(via, g->v[i].id) ? GR_ENOMEM : GR_OK;
	}
	/* Anything else of the closure the link does not need (none, as the
	 * walks go: kept for safety) is named without a package. */
	for (k = 0; k < all.n && !rc; k++)
		if (!gr_pc_in(all.v[k], (const char *const *)need.v, need.n) && !gr_pc_in(all.v[k], keep, nkeep) &&
		    !gr_pc_in(all.v[k], (const char *const *)names->v, names->n))
			rc = gr_strvec_push(names, all.v[k]) || gr_strvec_push(via, "?") ? GR_ENOMEM : GR_OK;
out:
	free(seen);
	free(reach);
	gr_strvec_deinit(&need);
	gr_strvec_deinit(&all);
	gr_strvec_deinit(&mine);
	return rc;
}

/* Set the dynamic marks: those of init, then the packages of the names in dyn. */
static void
gr_pc_remark(struct gr_pc_graph *g, const bool *init, const struct gr_strvec *dyn)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		g->v[i].dynamic = init[i];
	gr_pc_graph_mark_dynamic(g, (const char *const *)dyn->v, dyn->n);
}

/* Keep the dynamic packages' Requires dynamic too (their shared objects load
 * them): add each such name that has a shared library to dyn, allow and why. */
static int
gr_pc_suggest_requires(struct gr_pc_graph *g, int (*have)(void *ctx, const char *name), void *ctx,
                       const bool *reach, struct gr_strvec *dyn, struct gr_strvec *allow,
                       struct gr_strvec *why, bool *changed)
{
	size_t i, j;

	for (i = 0; i < g->n; i++) {
		if (!reach[i] || !g->v[i].dynamic)
			continue;
		for (j = 0; j < g->v[i].nreq; j++) {
			const struct gr_pc_gnode *r = &g->v[g->v[i].req[j]];
			char w[400];
			int h;
			/* Its own library: the first of its Libs. */
			if (r->dynamic || !r->nlibs || gr_pc_in(r->libs[0], (const char *const *)dyn->v, dyn->n))
				continue;
			h = have(ctx, r->libs[0]);
			if ((h & GR_PC_HAVE_DYNAMIC) || !(h & GR_PC_HAVE_SHARED))
				continue;  /* kept already, or an archive only: it stays static */
			snprintf(w, sizeof(w), "required by %s, whose shared library loads it", g->v[i].id);
			if (gr_strvec_push(dyn, r->libs[0]) || gr_strvec_push(allow, r->libs[0]) || gr_strvec_push(why, w))
				return GR_ENOMEM;
			*changed = true;
		}
	}
	return GR_OK;
}

int
gr_pc_graph_suggest(struct gr_pc_graph *g, int (*have)(void *ctx, const char *name), void *ctx,
                    struct gr_strvec *allow, struct gr_strvec *why, struct gr_strvec *runtime,
                    struct gr_strvec *impossible)
{
	struct gr_strvec need, dyn;
	size_t nn = g->n ? g->n : 1;
	bool *reach = calloc(nn, sizeof(*reach)), *init = calloc(nn, sizeof(*init)), *seen = calloc(nn, sizeof(*seen));
	bool changed = true;
	size_t i, k, rounds = 0;
	int rc = GR_OK;

	gr_strvec_init(&need);
	gr_strvec_init(&dyn);
	if (!reach || !init || !seen) {
		rc = GR_ENOMEM;
		goto out;
	}
	for (i = 0; i < g->n; i++)
		init[i] = g->v[i].dynamic;
	while (changed && !rc && rounds++ <= 2 * g->n + 2) {
		changed = false;
		gr_pc_remark(g, init, &dyn);
		memset(reach, 0, nn * sizeof(*reach));
		if ((rc = gr_pc_walk(g, g->roots, g->nroots, true, reach, NULL)))
			break;
		/* First the Requires of the dynamic packages (loaded with them anyway). */
		if ((rc = gr_pc_suggest_requires(g, have, ctx, reach, &dyn, allow, why, &changed)) || changed)
			continue;
		/* Then the first needed library without an archive (breadth first from
		 * the queries: the highest one, whose private side then goes). */
		gr_strvec_deinit(&need);
		gr_strvec_init(&need);
		if ((rc = gr_pc_graph_needed(g, &need, NULL)))
			break;
		for (k = 0; k < need.n && !changed && !rc; k++) {
			int h = have(ctx, need.v[k]);
			if (gr_pc_in(need.v[k], (const char *const *)dyn.v, dyn.n) || (h & (GR_PC_HAVE_ARCHIVE | GR_PC_HAVE_DYNAMIC)))
				continue;
			if (!(h & GR_PC_HAVE_SHARED)) {
				if (!gr_pc_in(need.v[k], (const char *const *)impossible->v, impossible->n))
					rc = gr_strvec_push(impossible, need.v[k]) ? GR_ENOMEM : GR_OK;
				continue;
			}
			if (gr_strvec_push(&dyn, need.v[k]) || gr_strvec_push(allow, need.v[k]) ||
			    gr_strvec_push(why, "no archive"))
				rc = GR_ENOMEM;
			changed = true;
		}
	}
	/* A name the final set no longer needs (a later one dropped it) is left out. */
	if (!rc) {
		gr_pc_remark(g, init, &dyn);
		gr_strvec_deinit(&need);
		gr_strvec_init(&need);
		rc = gr_pc_graph_needed(g, &need, NULL);
		for (i = 0; !rc && i < allow->n;) {
			if (gr_pc_in(allow->v[i], (const char *const *)need.v, need.n)) {
				i++;
				continue;
			}
			free(allow->v[i]);
			free(why->v[i]);
			memmove(&allow->v[i], &allow->v[i + 1], (allow->n - i - 1) * sizeof(*allow->v));
			memmove(&why->v[i], &why->v[i + 1], (why->n - i - 1) * sizeof(*why->v));
			allow->n--;
			why->n--;
			allow->v[allow->n] = NULL;
			why->v[why->n] = NULL;
		}
	}
	/* What loads at run time: the names kept dynamic (a raw -l of a
	 * Libs.private is no package), the dynamic packages the link reaches
	 * and their whole closures. */
	for (i = 0; !rc && i < allow->n; i++)
		rc = gr_pc_addname(runtime, allow->v[i]) ? GR_ENOMEM : GR_OK;
	if (!rc) {
		memset(reach, 0, nn * sizeof(*reach));
		rc = gr_pc_walk(g, g->roots, g->nroots, true, reach, NULL);
		for (i = 0; i < g->n && !rc; i++)
			if (reach[i] && g->v[i].dynamic)
				rc = gr_pc_walk(g, &i, 1, false, seen, runtime);
	}
out:
	free(reach);
	free(init);
	free(seen);
	gr_strvec_deinit(&need);
	gr_strvec_deinit(&dyn);
	return rc;
}
