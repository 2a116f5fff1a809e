#include "gr_infer.h"

#include <stdlib.h>
#include <string.h>

#include "gr_rewrite.h"

/* How deep closures of closures are followed (each name is inferred once anyway). */
#define GR_INFER_MAXDEPTH 8

struct gr_inf {
	const struct gr_env *env;
	const struct gr_infer_opts *o;
	struct gr_infer_result *r;
	struct gr_pcindex *ix;
	bool ix_failed;
	size_t ctok, cent;
	const char **seen;       /* names never to infer (again): accounted, explained, named by a closure's Libs */
	size_t nseen, cseen;
	struct gr_error *err;
};

bool
gr_infer_c_family(const char *lname)
{
	static const char *const cxx[] = { "stdc++", "supc++", "stdc++fs", "gfortran", "quadmath", "ssp",
	                                   "ssp_nonshared", "c_nonshared", "pthread_nonshared" };
	size_t i;

	for (i = 0; i < gr_rw_ndefault_system_libs; i++)
		if (!strcmp(lname, gr_rw_default_system_libs[i]))
			return true;
	for (i = 0; i < sizeof(cxx) / sizeof(cxx[0]); i++)
		if (!strcmp(lname, cxx[i]))
			return true;
	return false;
}

const char *
gr_infer_rule_id(enum gr_pcindex_rule rule)
{
	switch (rule) {
	case GR_PCINDEX_NONE: return "none";
	case GR_PCINDEX_ONLY: return "only";
	case GR_PCINDEX_SAME_NAME: return "same-name";
	case GR_PCINDEX_LIB_NAME: return "lib-name";
	case GR_PCINDEX_LOOSE_NAME: return "loose-name";
	case GR_PCINDEX_FEWEST_LIBS: return "fewest-libs";
	case GR_PCINDEX_NAME_ORDER: return "name-order";
	}
	return "none";
}

static bool
gr_inf_seen(const struct gr_inf *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nseen; i++)
		if (!strcmp(s->seen[i], name))
			return true;
	return false;
}

static int
gr_inf_mark(struct gr_inf *s, const char *name)
{
	const char *c;

	if (gr_inf_seen(s, name))
		return GR_OK;
	if (!(c = gr_arena_strdup(&s->r->arena, name)))
		return GR_ENOMEM;
	if (s->nseen == s->cseen) {
		size_t nc = s->cseen ? s->cseen * 2 : 32;
		const char **g = realloc(s->seen, nc * sizeof(*g));
		if (!g)
			return GR_ENOMEM;
		s->seen = g;
		s->cseen = nc;
	}
	s->seen[s->nseen++] = c;
	return GR_OK;
}

static int
gr_inf_push(struct gr_inf *s, const char *text, const char *origin)
{
	struct gr_infer_result *r = s->r;

	if (r->ntokens == s->ctok) {
		size_t nc = s->ctok ? s->ctok * 2 : 64;
		struct gr_pc_token *g = realloc(r->tokens, nc * sizeof(*g));
		if (!g)
			return GR_ENOMEM;
		r->tokens = g;
		s->ctok = nc;
	}
	r->tokens[r->ntokens].text = text;
	r->tokens[r->ntokens++].origin = origin;
	return GR_OK;
}

/* The NAME of -lNAME at in[i] (or "-l" "NAME": *used 2), or NULL. */
static const char *
gr_inf_lname(const struct gr_pc_token *in, size_t n, size_t i, size_t *used)
{
	*used = 1;
	if (strncmp(in[i].text, "-l", 2) != 0)
		return NULL;
	if (in[i].text[2])
		return in[i].text + 2;
	if (i + 1 < n) {
		*used = 2;
		return in[i + 1].text;
	}
	return NULL;
}

static bool
gr_inf_raw_origin(const struct gr_inf *s, const char *origin)
{
	size_t i;

	if (!origin)
		return true;
	for (i = 0; i < s->o->nraw_origins; i++)
		if (!strcmp(origin, s->o->raw_origins[i]))
			return true;
	return false;
}

static bool
gr_inf_ends(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static int gr_inf_walk(struct gr_inf *s, const struct gr_pc_token *in, size_t n, int depth, const char *via,
                       const char *tag);

/* Explain -lNAME: choose, resolve, insert the closure after it (then its own bare names). */
static int
gr_inf_one(struct gr_inf *s, const char *name, int depth, const char *via)
{
	struct gr_infer_result *r = s->r;
	struct gr_pcindex_choice c;
	struct gr_pc_tokens *t = NULL;
	struct gr_pc_token *clo = NULL;
	struct gr_infer_entry e;
	struct gr_error ignore;
	const char *q, *self;
	size_t i, nclo = 0, k;
	int rc;

	if (!s->ix && !s->ix_failed) {
		r->index_opened = true;
		if ((rc = gr_pcindex_open(s->env, &s->ix, s->err)) != GR_OK) {
			if (rc == GR_ENOMEM)
				return rc;
			s->ix_failed = true;  /* no index: nothing is inferred */
		}
	}
	if (!s->ix)
		return GR_OK;
	memset(&c, 0, sizeof(c));
	if (s->o->aliases) {
		/* The archive's other names count too: libpng.pc names -lpng16, not -lpng. */
		struct gr_strvec names;
		gr_strvec_init(&names);
		if (gr_strvec_push(&names, name) || s->o->aliases(s->o->aliases_ctx, name, &names)) {
			gr_strvec_deinit(&names);
			return gr_error_set(s->err, GR_ENOMEM, 0, "inferring the package of -l%s: out of memory", name);
		}
		rc = gr_pcindex_choose_names(s->ix, (const char *const *)names.v, names.n, &c, s->err);
		gr_strvec_deinit(&names);
	} else {
		rc = gr_pcindex_choose(s->ix, name, &c, s->err);
	}
	if (rc)
		return rc;
	/* A name a closure gives (depth > 0) is explained only by a package that
	 * is alone or named as the library: a tie broken by the count of -l or by
	 * name order is a guess the user did not ask for. */
	if (!c.pkg || (depth > 0 && c.rule != GR_PCINDEX_ONLY && c.rule != GR_PCINDEX_SAME_NAME &&
	               c.rule != GR_PCINDEX_LIB_NAME && c.rule != GR_PCINDEX_LOOSE_NAME)) {
		gr_pcindex_choice_deinit(&c);
		return GR_OK;
	}
	q = c.pkg->name;
	if ((rc = gr_pc_resolve(s->env, &q, 1, &t, &ignore)) != GR_OK) {
		gr_pcindex_choice_deinit(&c);
		if (rc == GR_ENOMEM)
			return gr_error_set(s->err, GR_ENOMEM, 0, "inferring the package of -l%s: out of memory", name);
		return GR_OK;  /* a package pkg-config refuses explains nothing */
	}
	memset(&e, 0, sizeof(e));
	rc = GR_ENOMEM;
	self = gr_arena_printf(&r->arena, "-l%s", name);
	e.lname = gr_arena_strdup(&r->arena, name);
	e.package = gr_arena_strdup(&r->arena, c.pkg->name);
	e.rule = c.rule;
	e.via = via ? gr_arena_strdup(&r->arena, via) : NULL;
	if (!self || !e.lname || !e.package || (via && !e.via))
		goto out;
	if (c.nalts) {
		const char **alts = gr_arena_alloc(&r->arena, c.nalts * sizeof(*alts));
		if (!alts)
			goto out;
		for (i = 0; i < c.nalts; i++)
			if (!(alts[i] = gr_arena_strdup(&r->arena, c.alts[i]->name)))
				goto out;
		e.alternatives = alts;
		e.nalternatives = c.nalts;
	}
	/* The package's own Libs account for their names; so do the Libs of every package in its closure. */
	for (i = 0; i < c.pkg->nlibs; i++)
		if (gr_inf_mark(s, c.pkg->libs[i]))
			goto out;
	clo = calloc(t->n + 1, sizeof(*clo));
	if (!clo)
		goto out;
	for (i = 0; i < t->n; i++) {
		size_t used;
		const char *ln = gr_inf_lname(t->v, t->n, i, &used);
		if (!strcmp(t->v[i].text, self))
			continue;  /* -lNAME itself is already there */
		if (ln && gr_inf_ends(t->v[i].origin, "(Libs)") && gr_inf_mark(s, ln))
			goto out;
		clo[nclo].text = gr_arena_strdup(&r->arena, t->v[i].text);
		clo[nclo].origin = t->v[i].origin ? gr_arena_strdup(&r->arena, t->v[i].origin) : NULL;
		if (!clo[nclo].text || (t->v[i].origin && !clo[nclo].origin))
			goto out;
		nclo++;
	}
	rc = GR_OK;
	if (!nclo)
		goto out;  /* nothing to add: not an inference worth listing */
	{
		const char **added = gr_arena_alloc(&r->arena, nclo * sizeof(*added));
		if (!added) {
			rc = GR_ENOMEM;
			goto out;
		}
		for (k = 0; k < nclo; k++)
			added[k] = clo[k].text;
		e.added = added;
		e.nadded = nclo;
	}
	if (r->nentries == s->cent) {
		size_t nc = s->cent ? s->cent * 2 : 8;
		struct gr_infer_entry *g = realloc(r->entries, nc * sizeof(*g));
		if (!g) {
			rc = GR_ENOMEM;
			goto out;
		}
		r->entries = g;
		s->cent = nc;
	}
	r->entries[r->nentries++] = e;
	{
		const char *tag = gr_arena_printf(&r->arena, "inferred for -l%s", name);
		rc = tag ? gr_inf_walk(s, clo, nclo, depth + 1, e.package, tag) : GR_ENOMEM;
	}
out:
	if (rc == GR_ENOMEM)
		gr_error_set(s->err, GR_ENOMEM, 0, "inferring the package of -l%s: out of memory", name);
	free(clo);
	gr_pc_tokens_free(t);
	gr_pcindex_choice_deinit(&c);
	return rc;
}

/* Copy in[0..n) to the result, explaining each bare -l as it comes. depth 0:
 * the input (raw flags are candidates); deeper: a closure (a -l named only
 * through a Libs.private is). */
static int
gr_inf_walk(struct gr_inf *s, const struct gr_pc_token *in, size_t n, int depth, const char *via, const char *tag)
{
	size_t i, used;
	int rc;

	for (i = 0; i < n; i += used) {
		const char *name = gr_inf_lname(in, n, i, &used);
		size_t k;
		for (k = 0; k < used; k++) {
			const char *origin = in[i + k].origin;
			if (depth > 0) {
				origin = gr_arena_printf(&s->r->arena, "%s: %s", tag,
				                         in[i + k].origin ? in[i + k].origin : "?");
				if (!origin)
					return gr_error_set(s->err, GR_ENOMEM, 0, "inference: out of memory");
			}
			if (gr_inf_push(s, in[i + k].text, origin))
				return gr_error_set(s->err, GR_ENOMEM, 0, "inference: out of memory");
		}
		if (!name || name[0] == ':' || !name[0] || gr_infer_c_family(name) || gr_inf_seen(s, name))
			continue;
		if (depth == 0 ? !gr_inf_raw_origin(s, in[i].origin)
		               : !gr_inf_ends(in[i].origin, "(Libs.private)") || depth >= GR_INFER_MAXDEPTH)
			continue;
		if (gr_inf_mark(s, name))
			return gr_error_set(s->err, GR_ENOMEM, 0, "inference: out of memory");
		if ((rc = gr_inf_one(s, name, depth, via)))
			return rc;
	}
	return GR_OK;
}

int
gr_infer_run(const struct gr_env *env, const struct gr_pc_token *in, size_t n, const struct gr_infer_opts *o,
             struct gr_infer_result **out, struct gr_error *err)
{
	static const struct gr_infer_opts none;
	struct gr_inf s;
	size_t i, used;
	int rc = GR_OK;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	s.env = env;
	s.o = o ? o : &none;
	s.err = err;
	if (!(s.r = calloc(1, sizeof(*s.r))))
		return gr_error_set(err, GR_ENOMEM, 0, "inference: out of memory");
	gr_arena_init(&s.r->arena);
	for (i = 0; i < s.o->naccounted && !rc; i++)
		rc = gr_inf_mark(&s, s.o->accounted[i]);
	/* Every -l a pkg-config answer gave is accounted for, wherever it stands. */
	for (i = 0; i < n && !rc; i += used) {
		const char *name = gr_inf_lname(in, n, i, &used);
		if (name && !gr_inf_raw_origin(&s, in[i].origin))
			rc = gr_inf_mark(&s, name);
	}
	if (rc)
		rc = gr_error_set(err, GR_ENOMEM, 0, "inference: out of memory");
	if (!rc)
		rc = gr_inf_walk(&s, in, n, 0, NULL, NULL);
	free(s.seen);
	gr_pcindex_free(s.ix);
	if (rc) {
		gr_infer_result_free(s.r);
		return rc;
	}
	*out = s.r;
	return GR_OK;
}

void
gr_infer_result_free(struct gr_infer_result *r)
{
	if (!r)
		return;
	free(r->tokens);
	free(r->entries);
	gr_arena_deinit(&r->arena);
	free(r);
}
