#include "gr_pc.h"

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
	char errmsg[512];         /* the first error libpkgconf reported */
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
	PKGCONF_FOREACH_LIST_ENTRY(libs.head, n)
		count++;
	t->v = gr_arena_alloc(&t->arena, (count ? count : 1) * sizeof(*t->v));
	if (!t->v) {
		run->nomem = true;
		pkgconf_fragment_free(&libs);
		return false;
	}
	PKGCONF_FOREACH_LIST_ENTRY(libs.head, n) {
		pkgconf_fragment_t *f = n->data;
		if (!run->keep_system && pkgconf_fragment_has_system_dir(client, f))
			continue;
		t->v[i].text = gr_pc_frag_text(&t->arena, f);
		if (!t->v[i].text) {
			run->nomem = true;
			break;
		}
		t->v[i].origin = gr_pc_origin(&t->arena, world, t->v[i].text, &run->nomem);
		if (run->nomem)
			break;
		i++;
	}
	t->n = i;
	pkgconf_fragment_free(&libs);
	return !run->nomem;
}

int
gr_pc_resolve(const char *const *queries, size_t nq, struct gr_pc_tokens **out,
              struct gr_error *err)
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
	run.toks = gr_pc_tokens_new();
	if (!run.toks)
		return gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	run.keep_system = getenv("PKG_CONFIG_ALLOW_SYSTEM_LIBS") != NULL;
	/* libpkgconf 1.8 hands out one static default personality: never deinit it,
	 * or the next query in this process reads freed lists. */
	pers = pkgconf_cross_personality_default();
	memset(&client, 0, sizeof(client));
	pkgconf_client_init(&client, gr_pc_error_handler, &run, pers);
	if ((sysroot = getenv("PKG_CONFIG_SYSROOT_DIR")) != NULL && *sysroot)
		pkgconf_client_set_sysroot_dir(&client, sysroot);
	/* pkg-config --static, keeping every fragment separate. */
	pkgconf_client_set_flags(&client, PKGCONF_PKG_PKGF_SEARCH_PRIVATE |
	                                  PKGCONF_PKG_PKGF_MERGE_PRIVATE_FRAGMENTS |
	                                  PKGCONF_PKG_PKGF_DONT_MERGE_SPECIAL_FRAGMENTS);
	pkgconf_client_dir_list_build(&client, pers);
	for (i = 0; i < nq; i++)
		pkgconf_queue_push(&q, queries[i]);
	ok = pkgconf_queue_apply(&client, &q, gr_pc_collect, GR_PC_MAXDEPTH, &run);
	if (run.nomem)
		rc = gr_error_set(err, GR_ENOMEM, 0, "pkg-config: out of memory");
	else if (!ok || run.errmsg[0]) {
		/* libpkgconf follows "was not found" with advice that is no use here. */
		char *semi = strstr(run.errmsg, "was not found") ? strchr(run.errmsg, ';') : NULL;
		if (semi)
			*semi = '\0';
		rc = gr_error_set(err, semi ? GR_ENOTFOUND : GR_EFORMAT, 0, "pkg-config: %s%s",
		                  run.errmsg[0] ? run.errmsg : "the packages could not be resolved",
		                  semi ? " (set PKG_CONFIG_PATH, or install the package that ships its .pc file)" : "");
	}
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
	for (i = 0; i < argc; i++) {
		t->v[i].text = gr_arena_strdup(&t->arena, argv[i]);
		if (!t->v[i].text) {
			pkgconf_argv_free(argv);
			gr_pc_tokens_free(t);
			return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", what);
		}
	}
	t->n = (size_t)argc;
	if (argv)
		pkgconf_argv_free(argv);
	*out = t;
	return GR_OK;
}
