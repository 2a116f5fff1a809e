/* Unit tests for partly dynamic links (gr_pc_graph): what a library kept
 * dynamic leaves out of the link, and the smallest --allow-dynamic set, on
 * .pc files made at test time. */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_pc.h"
#include "gr_rewrite.h"
#include "gr_toolchain.h"
#include "gr_test.h"

static char base[64];
static struct gr_env env;

/* base/NAME.pc with the fields given (NULL: left out). */
static void
pc(const char *name, const char *libs, const char *priv, const char *req, const char *reqpriv)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pc", base, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "Name: %s\nDescription: test\nVersion: 1\nLibs: %s\n", name, libs);
	if (priv)
		fprintf(f, "Libs.private: %s\n", priv);
	if (req)
		fprintf(f, "Requires: %s\n", req);
	if (reqpriv)
		fprintf(f, "Requires.private: %s\n", reqpriv);
	ck_assert_int_eq(fclose(f), 0);
}

/* top (the library kept dynamic) Requires pub, whose archive needs pubdep;
 * privately it needs priv1 (which needs deep and -lpriv1raw) and shared;
 * other, a second package of the link, needs shared too. */
static void
fresh(void)
{
	gr_test_fresh_tmpdir(base, sizeof(base), "gr-dynset");
	setenv("PKG_CONFIG_LIBDIR", base, 1);
	unsetenv("PKG_CONFIG_PATH");
	unsetenv("PKG_CONFIG_SYSROOT_DIR");
	memset(&env, 0, sizeof(env));
	env.cache_dir = "";
	pc("top", "-ltop", "-lm", "pub", "priv1, shared");
	pc("pub", "-lpub", NULL, NULL, "pubdep");
	pc("pubdep", "-lpubdep", NULL, NULL, NULL);
	pc("priv1", "-lpriv1", "-lpriv1raw", NULL, "deep");
	pc("deep", "-ldeep", NULL, NULL, NULL);
	pc("shared", "-lshared", NULL, NULL, NULL);
	pc("other", "-lother", NULL, NULL, "shared");
}

static bool
has(const struct gr_strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static struct gr_pc_graph *
graph(const char *const *q, size_t n)
{
	struct gr_pc_graph *g = NULL;
	struct gr_error e;

	ck_assert_msg(gr_pc_graph(&env, q, n, &g, &e) == GR_OK, "gr_pc_graph: %s", e.msg);
	return g;
}

START_TEST(test_dropped_private_side_only)
{
	static const char *const q[] = { "top", "other" };
	static const char *const dyn[] = { "top", "m" };
	struct gr_pc_graph *g;
	struct gr_strvec names, via, need, all;

	fresh();
	g = graph(q, 2);
	ck_assert_uint_eq(g->nroots, 2);
	ck_assert_uint_eq(gr_pc_graph_mark_dynamic(g, dyn, 2), 1);  /* top only: -lm is no package's own */
	gr_strvec_init(&names);
	gr_strvec_init(&via);
	gr_strvec_init(&need);
	gr_strvec_init(&all);
	ck_assert_int_eq(gr_pc_graph_needed(g, &need, &all), GR_OK);
	/* Its shared-link side stays: -ltop, and pub, a static library, with its own closure. */
	ck_assert(has(&need, "top") && has(&need, "pub") && has(&need, "pubdep"));
	/* shared is a private dependency of top, but other (static) needs it too: it stays. */
	ck_assert(has(&need, "shared") && has(&need, "other"));
	ck_assert(!has(&need, "priv1") && !has(&need, "deep") && !has(&need, "priv1raw") && !has(&need, "m"));
	ck_assert(has(&all, "priv1") && has(&all, "deep") && has(&all, "priv1raw") && has(&all, "m"));
	ck_assert_int_eq(gr_pc_graph_dropped(g, dyn, 2, &names, &via), GR_OK);
	ck_assert_uint_eq(names.n, 3);  /* -lm stays -l anyway: never named */
	ck_assert_str_eq(names.v[0], "priv1");
	ck_assert_str_eq(names.v[1], "priv1raw");
	ck_assert_str_eq(names.v[2], "deep");
	ck_assert_str_eq(via.v[0], "top");
	ck_assert_str_eq(via.v[2], "top");
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&via);
	gr_strvec_deinit(&need);
	gr_strvec_deinit(&all);
	gr_pc_graph_free(g);
	gr_test_rmtree(base);
}
END_TEST

/* What each name offers the suggestion: the names in noarch have no archive,
 * those in nothing have no shared library either. */
struct offer {
	const char *const *noarch;
	size_t nnoarch;
	const char *const *nothing;
	size_t nnothing;
};

static int
offer_have(void *ctx, const char *name)
{
	const struct offer *o = ctx;
	size_t i;
	int h = GR_PC_HAVE_ARCHIVE | GR_PC_HAVE_SHARED;

	if (!strcmp(name, "m"))
		return GR_PC_HAVE_DYNAMIC | GR_PC_HAVE_SHARED;
	for (i = 0; i < o->nnoarch; i++)
		if (!strcmp(o->noarch[i], name))
			h &= ~GR_PC_HAVE_ARCHIVE;
	for (i = 0; i < o->nnothing; i++)
		if (!strcmp(o->nothing[i], name))
			h = 0;
	return h;
}

/* Run the suggestion for the queries q; results into the vectors. */
static void
suggest(const char *const *q, size_t nq, const struct offer *o, struct gr_strvec *allow, struct gr_strvec *why,
        struct gr_strvec *runtime, struct gr_strvec *impossible)
{
	static const char *const sys[] = { "m" };
	struct gr_pc_graph *g = graph(q, nq);

	gr_strvec_init(allow);
	gr_strvec_init(why);
	gr_strvec_init(runtime);
	gr_strvec_init(impossible);
	gr_pc_graph_mark_dynamic(g, sys, 1);
	ck_assert_int_eq(gr_pc_graph_suggest(g, offer_have, (void *)(uintptr_t)o, allow, why, runtime, impossible), GR_OK);
	gr_pc_graph_free(g);
}

static void
done(struct gr_strvec *a, struct gr_strvec *b, struct gr_strvec *c, struct gr_strvec *d)
{
	gr_strvec_deinit(a);
	gr_strvec_deinit(b);
	gr_strvec_deinit(c);
	gr_strvec_deinit(d);
}

START_TEST(test_suggest_top_then_its_requires)
{
	/* top and deep have no archive: keeping top dynamic drops deep (its
	 * DT_NEEDED brings it), so deep is not in the set; pub, which top's
	 * shared object loads, is kept dynamic too (no second copy). */
	static const char *const q[] = { "top" };
	static const char *const noarch[] = { "top", "deep" };
	struct offer o = { noarch, 2, NULL, 0 };
	struct gr_strvec allow, why, runtime, impossible;

	fresh();
	suggest(q, 1, &o, &allow, &why, &runtime, &impossible);
	ck_assert_uint_eq(impossible.n, 0);
	ck_assert_uint_eq(allow.n, 2);
	ck_assert_str_eq(allow.v[0], "top");
	ck_assert_str_eq(why.v[0], "no archive");
	ck_assert_str_eq(allow.v[1], "pub");
	ck_assert_str_eq(why.v[1], "required by top, whose shared library loads it");
	/* At run time: top's and pub's whole closures. */
	ck_assert(has(&runtime, "top") && has(&runtime, "pub") && has(&runtime, "pubdep") &&
	          has(&runtime, "priv1") && has(&runtime, "deep") && has(&runtime, "shared"));
	done(&allow, &why, &runtime, &impossible);
	gr_test_rmtree(base);
}
END_TEST

START_TEST(test_suggest_lowest_needed_only)
{
	/* top has its archive; priv1 and deep have none: priv1 kept dynamic
	 * is enough (deep comes with it), top stays static. */
	static const char *const q[] = { "top" };
	static const char *const noarch[] = { "priv1", "deep" };
	struct offer o = { noarch, 2, NULL, 0 };
	struct gr_strvec allow, why, runtime, impossible;

	fresh();
	suggest(q, 1, &o, &allow, &why, &runtime, &impossible);
	ck_assert_uint_eq(impossible.n, 0);
	ck_assert_uint_eq(allow.n, 1);
	ck_assert_str_eq(allow.v[0], "priv1");
	ck_assert(has(&runtime, "priv1") && has(&runtime, "deep") && !has(&runtime, "top"));
	done(&allow, &why, &runtime, &impossible);
	/* A raw -l of a Libs.private without its archive is kept dynamic by its
	 * name (no package is): it is what then loads at run time. */
	{
		static const char *const raw[] = { "priv1raw" };
		struct offer o2 = { raw, 1, NULL, 0 };
		suggest(q, 1, &o2, &allow, &why, &runtime, &impossible);
		ck_assert_uint_eq(allow.n, 1);
		ck_assert_str_eq(allow.v[0], "priv1raw");
		ck_assert_uint_eq(runtime.n, 1);
		ck_assert_str_eq(runtime.v[0], "priv1raw");
		done(&allow, &why, &runtime, &impossible);
	}
	gr_test_rmtree(base);
}
END_TEST

START_TEST(test_suggest_shared_private_dep_kept_static_and_impossible)
{
	/* shared has neither an archive nor a shared library: top kept dynamic
	 * would drop it, but other links it statically: no set helps. */
	static const char *const q[] = { "top", "other" };
	static const char *const noarch[] = { "top" };
	static const char *const nothing[] = { "shared" };
	struct offer o = { noarch, 1, nothing, 1 };
	struct gr_strvec allow, why, runtime, impossible;

	fresh();
	suggest(q, 2, &o, &allow, &why, &runtime, &impossible);
	ck_assert_uint_eq(impossible.n, 1);
	ck_assert_str_eq(impossible.v[0], "shared");
	ck_assert(has(&allow, "top"));
	done(&allow, &why, &runtime, &impossible);
	/* Without other, top kept dynamic is the whole answer: shared goes with it. */
	{
		static const char *const q1[] = { "top" };
		suggest(q1, 1, &o, &allow, &why, &runtime, &impossible);
		ck_assert_uint_eq(impossible.n, 0);
		ck_assert_uint_eq(allow.n, 2);
		ck_assert_str_eq(allow.v[0], "top");
		ck_assert_str_eq(allow.v[1], "pub");
		done(&allow, &why, &runtime, &impossible);
	}
	gr_test_rmtree(base);
}
END_TEST

START_TEST(test_inferred_closure_of_a_dynamic_library)
{
	/* A bare -ltop (a #cgo LDFLAGS line) with --allow-dynamic top: inference
	 * brings top's package, and only its shared-link side reaches the link. */
	static const char *const allow[] = { "top" };
	static char gcc[] = "gcc";
	static char *cc[] = { gcc, NULL };
	const struct gr_pc_token in[] = { { "-ltop", NULL } };
	struct gr_infer_opts infer;
	struct gr_rw_opts o;
	struct gr_toolchain tc;
	struct gr_rw_result *r = NULL;
	struct gr_error e;
	size_t i;
	bool pub = false, priv = false;

	fresh();
	memset(&infer, 0, sizeof(infer));
	memset(&o, 0, sizeof(o));
	o.mode = GR_RW_THIRD_PARTY;
	o.system_libs = gr_rw_default_system_libs;
	o.nsystem_libs = gr_rw_ndefault_system_libs;
	o.allow_dynamic = allow;
	o.nallow_dynamic = 1;
	o.infer = &infer;
	o.infer_env = &env;
	ck_assert_int_eq(gr_toolchain_discover(gr_test_env(), cc, &tc, &e), GR_OK);
	(void)gr_rewrite(in, 1, &o, &tc, &r, &e);  /* GR_ENOTFOUND: the fixtures have no archives */
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(r->inferred);
	for (i = 0; i < r->ntokens; i++) {
		if (!r->tokens[i].lib)
			continue;
		pub = pub || !strcmp(r->tokens[i].lib, "pub");
		priv = priv || !strcmp(r->tokens[i].lib, "priv1") || !strcmp(r->tokens[i].lib, "deep") ||
		       !strcmp(r->tokens[i].lib, "priv1raw") || !strcmp(r->tokens[i].lib, "shared");
	}
	ck_assert_msg(pub, "top's Requires (pub) left the link");
	ck_assert_msg(!priv, "top's private dependencies were linked");
	gr_rw_result_free(r);
	gr_toolchain_deinit(&tc);
	gr_test_rmtree(base);
}
END_TEST

/* The tokens of resolving q, as "TEXT<origin>" joined by spaces (malloc'd); *rc the status, *msg the error. */
static char *
resolved(const char *q, int *rc, char *msg, size_t n)
{
	struct gr_pc_tokens *t = NULL;
	struct gr_error e;
	size_t i, len = 1;
	char *out;

	gr_error_clear(&e);
	*rc = gr_pc_resolve(&env, &q, 1, &t, &e);
	snprintf(msg, n, "%s", *rc ? e.msg : "");
	for (i = 0; t && i < t->n; i++)
		len += strlen(t->v[i].text) + (t->v[i].origin ? strlen(t->v[i].origin) : 0) + 3;
	ck_assert_ptr_nonnull(out = calloc(1, len));
	for (i = 0; t && i < t->n; i++) {
		strcat(out, t->v[i].text);
		strcat(out, "<");
		strcat(out, t->v[i].origin ? t->v[i].origin : "");
		strcat(out, "> ");
	}
	gr_pc_tokens_free(t);
	return out;
}

/* gr_pc_share_begin (issue 15): the queries of a run share one client and
 * give the answers separate clients give, again and again; a malformed .pc
 * file read by an earlier query still refuses every later query whose answer
 * depends on it (libpkgconf warns only when it reads the file). */
START_TEST(test_shared_client_same_answers)
{
	static const char *const qs[] = { "top", "usesbad", "other", "bad", "top", "usesbad", "priv1", "bad", "nosuch" };
	char *want[sizeof(qs) / sizeof(qs[0])], wmsg[sizeof(qs) / sizeof(qs[0])][8192], msg[8192], path[256];
	int wrc[sizeof(qs) / sizeof(qs[0])], rc, round;
	struct gr_pc_graph *g1 = NULL, *g2 = NULL;
	struct gr_error e;
	const char *top = "top";
	size_t i;
	FILE *f;

	fresh();
	snprintf(path, sizeof(path), "%s/bad.pc", base);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "Name: bad\nDescription: test\nVersion: 1\nLibs: -lbad \"unbalanced\n");
	ck_assert_int_eq(fclose(f), 0);
	pc("usesbad", "-lusesbad", NULL, NULL, "bad");
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		want[i] = resolved(qs[i], &wrc[i], wmsg[i], sizeof(wmsg[i]));
	ck_assert_int_eq(wrc[1], GR_EFORMAT);  /* the malformed file refuses its users */
	ck_assert_ptr_nonnull(strstr(wmsg[1], "bad.pc"));
	ck_assert_int_eq(wrc[0], GR_OK);
	ck_assert_int_eq(gr_pc_graph(&env, &top, 1, &g1, &e), GR_OK);
	ck_assert_int_eq(gr_pc_share_begin(&env), GR_OK);
	for (round = 0; round < 2; round++)
		for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
			char *got = resolved(qs[i], &rc, msg, sizeof(msg));
			ck_assert_msg(rc == wrc[i], "round %d, %s: status %d, alone %d (%s)", round, qs[i], rc, wrc[i], msg);
			ck_assert_str_eq(msg, wmsg[i]);
			ck_assert_str_eq(got, want[i]);
			free(got);
		}
	ck_assert_int_eq(gr_pc_graph(&env, &top, 1, &g2, &e), GR_OK);
	ck_assert_uint_eq(g2->n, g1->n);
	for (i = 0; i < g1->n; i++)
		ck_assert_str_eq(g2->v[i].id, g1->v[i].id);
	gr_pc_share_end();
	gr_pc_share_end();  /* twice is fine */
	gr_pc_graph_free(g1);
	gr_pc_graph_free(g2);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		free(want[i]);
	gr_test_rmtree(base);
}
END_TEST

int
main(void)
{
	const TTest *const tests[] = {
		test_shared_client_same_answers,
		test_dropped_private_side_only,
		test_suggest_top_then_its_requires,
		test_suggest_lowest_needed_only,
		test_suggest_shared_private_dep_kept_static_and_impossible,
		test_inferred_closure_of_a_dynamic_library,
	};
	return gr_test_run(gr_test_suite("dynset", "dynset", tests, sizeof(tests) / sizeof(tests[0]), 60), false);
}
