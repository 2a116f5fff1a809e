#include "gr_pc.h"

#include "gr_pcindex.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpkgconf/libpkgconf.h>

#define GR_PC_MAXDEPTH 2000

/* What the libpkgconf callbacks fill in. */
struct gr_pc_run {
	struct gr_pc_tokens *toks;
	char errmsg[512];         /* the errors libpkgconf reported, joined */
	char warns[8][512];       /* warnings about malformed .pc files, "PATH[:LINE]: warning: ..." */
	size_t nwarns;
	int bad_warn;             /* the warning about a file the answer depends on, or -1 */
	bool nomem;
	bool keep_system;
};

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
	if (run->nwarns == sizeof(run->warns) / sizeof(run->warns[0]) ||
	    !(strstr(msg, "does not declare") || strstr(msg, "skipping invalid") ||
	      strstr(msg, "unable to parse")))
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

/* The warning about the file at path (it starts "PATH:"), or -1. */
static int
gr_pc_warning_for(const struct gr_pc_run *run, const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < run->nwarns; i++)
		if (strncmp(run->warns[i], path, n) == 0 && run->warns[i][n] == ':')
			return (int)i;
	return -1;
}

/* The warning about NAME.pc in any directory, or -1. */
static int
gr_pc_warning_for_name(const struct gr_pc_run *run, const char *name, size_t namelen)
{
	size_t i;

	for (i = 0; i < run->nwarns; i++) {
		const char *colon = strchr(run->warns[i], ':'), *slash;
		if (!colon)
			continue;
		for (slash = colon; slash > run->warns[i] && slash[-1] != '/'; slash--)
			;
		if ((size_t)(colon - slash) == namelen + 3 && strncmp(slash, name, namelen) == 0 &&
		    strncmp(slash + namelen, ".pc", 3) == 0)
			return (int)i;
	}
	return -1;
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

/* "-" + type + data for typed fragments; data alone for untyped ones. */
static char *
gr_pc_frag_text(struct gr_arena *a, const pkgconf_fragment_t *f)
{
	return f->type ? gr_arena_printf(a, "-%c%s", f->type, f->data) : gr_arena_strdup(a, f->data);
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
 * first from the queried packages, so the shortest chain is named. */
struct gr_pc_node {
	pkgconf_pkg_t *pkg;
	const char *chain;
};

static const char *
gr_pc_origin(struct gr_arena *a, pkgconf_pkg_t *world, const char *text, bool *nomem)
{
	struct gr_pc_node *queue = NULL;
	size_t head = 0, tail = 0, cap = 0;
	const char *found = NULL;
	pkgconf_node_t *n;

	/* Seed with the packages the queries matched. */
	PKGCONF_FOREACH_LIST_ENTRY(world->required.head, n) {
		pkgconf_dependency_t *d = n->data;
		if (!d->match)
			continue;
		if (tail == cap) {
			cap = cap ? cap * 2 : 16;
			struct gr_pc_node *g = realloc(queue, cap * sizeof(*g));
			if (!g)
				goto nomem;
			queue = g;
		}
		queue[tail].pkg = d->match;
		queue[tail].chain = d->match->id;
		tail++;
	}
	while (head < tail && !found) {
		struct gr_pc_node cur = queue[head++];
		static const char *const fields[2] = { "Libs", "Libs.private" };
		pkgconf_list_t *lists[2] = { &cur.pkg->libs, &cur.pkg->libs_private };
		pkgconf_list_t *reqs[2] = { &cur.pkg->required, &cur.pkg->requires_private };
		static const char *const reqnames[2] = { "Requires", "Requires.private" };
		int k;

		for (k = 0; k < 2 && !found; k++) {
			PKGCONF_FOREACH_LIST_ENTRY(lists[k]->head, n) {
				pkgconf_fragment_t *f = n->data;
				char *t = gr_pc_frag_text(a, f);
				if (!t)
					goto nomem;
				if (strcmp(t, text) == 0) {
					found = gr_arena_printf(a, "%s (%s)", cur.chain, fields[k]);
					if (!found)
						goto nomem;
					break;
				}
			}
		}
		for (k = 0; k < 2 && !found; k++) {
			PKGCONF_FOREACH_LIST_ENTRY(reqs[k]->head, n) {
				pkgconf_dependency_t *d = n->data;
				size_t i;
				bool seen = false;
				if (!d->match)
					continue;
				for (i = 0; i < tail && !seen; i++)
					seen = queue[i].pkg == d->match;
				if (seen)
					continue;
				if (tail == cap) {
					cap *= 2;
					struct gr_pc_node *g = realloc(queue, cap * sizeof(*g));
					if (!g)
						goto nomem;
					queue = g;
				}
				queue[tail].pkg = d->match;
				queue[tail].chain = gr_arena_printf(a, "%s -> %s -> %s", cur.chain, reqnames[k],
				                                    d->match->id);
				if (!queue[tail].chain)
					goto nomem;
				tail++;
			}
		}
	}
	free(queue);
	return found;
nomem:
	free(queue);
	*nomem = true;
	return NULL;
}

static bool
gr_pc_collect(pkgconf_client_t *client, pkgconf_pkg_t *world, void *data, int maxdepth)
{
	struct gr_pc_run *run = data;
	struct gr_pc_tokens *t = run->toks;
	pkgconf_list_t libs = PKGCONF_LIST_INITIALIZER;
	pkgconf_node_t *n;
	size_t count = 0, i = 0;

	if (pkgconf_pkg_libs(client, world, &libs, maxdepth) != PKGCONF_PKG_ERRF_OK) {
		pkgconf_fragment_free(&libs);
		return false;
	}
	/* A warning about any package in the answer makes the answer wrong. */
	run->bad_warn = -1;
	if (run->nwarns) {
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
		for (head = 0; head < nseen && run->bad_warn < 0; head++) {
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
		origin = gr_pc_origin(&t->arena, world, text, &run->nomem);
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
	pkgconf_fragment_free(&libs);
	return !run->nomem;
}

int
gr_pc_resolve(const struct gr_env *env, const char *const *queries, size_t nq,
              struct gr_pc_tokens **out, struct gr_error *err)
{
	pkgconf_cross_personality_t *pers;
	pkgconf_client_t client;
	pkgconf_list_t q = PKGCONF_LIST_INITIALIZER;
	struct gr_pc_run run;
	const char *sysroot;
	size_t i;
	bool ok;
	int rc = GR_OK;

	*out = NULL;
	memset(&run, 0, sizeof(run));
	run.bad_warn = -1;
	run.toks = gr_pc_tokens_new();
	if (!run.toks)
		return gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	run.keep_system = env->pkg_config_allow_system_libs != NULL;
	/* libpkgconf 1.8 hands out one static default personality: never deinit it,
	 * or the next query in this process reads freed lists. */
	pers = pkgconf_cross_personality_default();
	memset(&client, 0, sizeof(client));
	pkgconf_client_init(&client, gr_pc_error_handler, &run, pers);
	pkgconf_client_set_warn_handler(&client, gr_pc_warn_handler, &run);
	if ((sysroot = env->pkg_config_sysroot_dir) != NULL && *sysroot)
		pkgconf_client_set_sysroot_dir(&client, sysroot);
	/* Exactly the flags pkgconf's own "--static --libs" sets: special fragments
	 * stay merged ("-framework A"), since that changes which duplicates
	 * libpkgconf drops; gr_pc_collect splits them into arguments again. */
	pkgconf_client_set_flags(&client, PKGCONF_PKG_PKGF_SEARCH_PRIVATE |
	                                  PKGCONF_PKG_PKGF_MERGE_PRIVATE_FRAGMENTS);
	pkgconf_client_dir_list_build(&client, pers);
	for (i = 0; i < nq; i++)
		pkgconf_queue_push(&q, queries[i]);
	ok = pkgconf_queue_apply(&client, &q, gr_pc_collect, GR_PC_MAXDEPTH, &run);
	if (run.nomem)
		rc = gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	else if (ok && run.bad_warn >= 0)
		rc = gr_error_set(err, GR_EFORMAT, 0, "pkg-config: malformed .pc file: %s",
		                  run.warns[run.bad_warn]);
	else if (!ok || run.errmsg[0]) {
		/* libpkgconf follows "was not found" with advice that is no use here;
		 * keep who required the package, unless it was the query itself. */
		char *semi = strstr(run.errmsg, "was not found") ? strchr(run.errmsg, ';') : NULL;
		int w = -1;
		if (semi && strncmp(run.errmsg, "Package ", 8) == 0) {
			const char *name = run.errmsg + 8, *sp = strchr(name, ' ');
			if (sp)
				w = gr_pc_warning_for_name(&run, name, (size_t)(sp - name));
		}
		if (w >= 0) {
			rc = gr_error_set(err, GR_EFORMAT, 0, "pkg-config: malformed .pc file: %s", run.warns[w]);
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
	pkgconf_client_deinit(&client);
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
