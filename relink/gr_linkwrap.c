#include "gr_linkwrap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_chain.h"
#include "gr_dcomp.h"
#include "gr_elf.h"
#include "gr_elfver.h"
#include "gr_embed.h"
#include "gr_extld.h"
#include "gr_floorref.h"
#include "gr_gocache.h"
#include "gr_json.h"
#include "gr_kit.h"
#include "gr_kv.h"
#include "gr_ldmsg.h"
#include "gr_linker.h"
#include "gr_path.h"
#include "gr_pc.h"
#include "gr_ldtrace.h"
#include "gr_manifest.h"
#include "gr_spawn.h"
#include "gr_stub.h"
#include "gr_symindex.h"
#include "gr_toolchain.h"

/* A diagnostic of the wrapper's own: "PROG: message" with control characters as \xNN. */
static void gr_lw_diag(const struct gr_linkwrap *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
gr_lw_diag(const struct gr_linkwrap *w, const char *fmt, ...)
{
	char msg[8192 + 256];
	const unsigned char *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(w->msg, "%s: ", w->prog ? w->prog : "gorelink-ld");
	for (p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(w->msg, "\\x%02x", *p);
		else
			fputc(*p, w->msg);
	}
	fputc('\n', w->msg);
}

int
gr_linkwrap_report(const struct gr_linkstate *ls, const struct gr_strvec *final, const struct gr_rw_result *rw,
                   int status, struct gr_link_report *rep, struct gr_error *err)
{
	char line[1024];
	size_t i, k;
	int rc = GR_OK;

	if (!ls->report)
		return GR_OK;
	for (i = 0; final && i < final->n && !rc; i++)
		rc = gr_link_report_add_argv(rep, final->v[i]);
	for (i = 0; rw && i < rw->ntokens && !rc; i++) {
		const struct gr_rw_token *t = &rw->tokens[i];
		if (t->kind == GR_RW_OTHER && t->missing) {
			char *c = gr_chain_text(t->origin, t->input);
			rc = gr_link_report_add_missing(rep, true, t->input, c);  /* an input file that is not there */
			free(c);
		}
		if (t->kind != GR_RW_LIBRARY || rc)
			continue;
		if (t->missing) {
			char *c, flag[4096];
			snprintf(flag, sizeof(flag), "-l%s", t->lib);
			c = gr_chain_text(t->origin, flag);
			rc = gr_link_report_add_missing(rep, false, t->lib, c);
			free(c);
		}
		else if (t->kept)
			rc = gr_link_report_add_kept(rep, t->lib);
		else
			for (k = 0; k < t->noutput && !rc; k++)
				if (t->output[k][0] == '/')
					rc = gr_link_report_add_archive(rep, t->output[k]);
	}
	for (i = 0; rw && rw->inferred && i < rw->inferred->nentries && !rc; i++) {
		const struct gr_infer_entry *x = &rw->inferred->entries[i];
		rc = gr_link_report_add_inferred(rep, &(struct gr_rec_inferred){
			x->lname, x->package, gr_infer_rule_id(x->rule), gr_pcindex_rule_text(x->rule), x->via,
			x->alternatives, x->nalternatives, x->added, x->nadded });
	}
	for (i = 0; rw && rw->inferred && i < rw->inferred->ndropped && !rc; i++)
		rc = gr_link_report_add_dropped(rep, rw->inferred->dropped[i], rw->inferred->dropped_via[i]);
	/* 128+N: gr_lw_run_captured saw the compiler die of signal N. */
	line[0] = '\0';
	if (status > 128 && final && final->n) {
		struct gr_spawn_result sr = { .exited = false, .code = status - 128 };
		char how[128];
		snprintf(line, sizeof(line), "%s %s", final->v[0], gr_spawn_describe(&sr, how, sizeof(how)));
	}
	if (!rc)
		rc = gr_link_report_set_status(rep, status, *line ? line : NULL);
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", ls->report);
	return gr_link_report_write(ls->report, rep, err);
}

/* The key under which a link's library origins are cached: its -l words as
 * cmd/link passed them, which a rebuild from go's cache passes again. */
static char *
gr_lw_origin_key(const struct gr_rw_result *rw)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	size_t i;

	gr_kv_raw(&b, "origins 1\n", 10);
	for (i = 0; i < rw->ntokens; i++)
		if (rw->tokens[i].kind == GR_RW_LIBRARY)
			gr_kv_put(&b, 'l', rw->tokens[i].input);
	gr_kv_raw(&b, "", 1);  /* the terminating NUL */
	if (b.nomem) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Give the libraries without an origin the ones a cached record names. */
static void
gr_lw_origins_cached(const struct gr_env *env, struct gr_rw_result *rw, const char *key)
{
	char *data = NULL, *cur, *v, tag;
	const char *lib = NULL;
	size_t i, len;
	bool bad = false;

	if (!key || gr_cache_get(env, "origins", key, &data, &len) != GR_OK)
		return;
	for (cur = data; gr_kv_next(&cur, &tag, &v, &bad);) {
		if (tag == 'l') {
			lib = v;
			continue;
		}
		if (tag != 'o' || !lib)
			continue;
		for (i = 0; i < rw->ntokens; i++)
			if (rw->tokens[i].lib && !rw->tokens[i].origin && !strcmp(rw->tokens[i].lib, lib))
				rw->tokens[i].origin = gr_arena_strdup(&rw->arena, v);
		lib = NULL;
	}
	free(data);
}

/* Libraries that came from #cgo pkg-config: arrive without their package chain;
 * find it again from the packages cmd/go asked the pkg-config shim about. When
 * go build reused its cached cgo results for some or all packages, the shim
 * did not run for them: the chains an earlier run of the same link recorded
 * fill the gaps, and the record is updated with what this run learnt. */
void
gr_linkwrap_origins(const struct gr_env *env, struct gr_rw_result *rw, const char *log)
{
	struct gr_strvec pkgs;
	struct gr_pc_tokens *t = NULL;
	struct gr_kvbuf keep = { NULL, 0, 0, false };
	struct gr_error e;
	char *key = gr_lw_origin_key(rw);
	size_t i, k;
	bool learnt = false;

	gr_strvec_init(&pkgs);
	/* No log (or an unreadable one): no chains from it. */
	if (log && *log && gr_pkglog_read(log, &pkgs, &e) != GR_OK) {
		gr_strvec_deinit(&pkgs);
		gr_strvec_init(&pkgs);
	}
	if (pkgs.n && gr_pc_resolve(env, (const char *const *)pkgs.v, pkgs.n, &t, &e) == GR_OK) {
		for (i = 0; i < rw->ntokens; i++) {
			struct gr_rw_token *tk = &rw->tokens[i];
			char want[600];
			bool file = tk->kind == GR_RW_OTHER && tk->missing;  /* an input file that is not there */
			if (tk->origin || !(file || (tk->kind == GR_RW_LIBRARY && tk->lib)))
				continue;
			snprintf(want, sizeof(want), "%s%s", file ? "" : "-l", file ? tk->input : tk->lib);
			for (k = 0; k < t->n; k++)
				if (t->v[k].origin && !strcmp(t->v[k].text, want)) {
					tk->origin = gr_arena_printf(&rw->arena, "#cgo pkg-config: %s", t->v[k].origin);
					learnt = learnt || tk->origin;
					break;
				}
		}
	}
	gr_lw_origins_cached(env, rw, key);
	/* Store every chain known now (this run's and the record's), for the next run. */
	for (i = 0; learnt && i < rw->ntokens; i++)
		if (rw->tokens[i].lib && rw->tokens[i].origin && !strncmp(rw->tokens[i].origin, "#cgo pkg-config: ", 17)) {
			gr_kv_put(&keep, 'l', rw->tokens[i].lib);
			gr_kv_put(&keep, 'o', rw->tokens[i].origin);
		}
	if (key && keep.n && !keep.nomem)
		gr_cache_put(env, "origins", key, keep.p, keep.n, &e);
	free(keep.p);
	free(key);
	gr_pc_tokens_free(t);
	gr_strvec_deinit(&pkgs);
}

/* Run a link with its output captured, then shown as if it ran directly.
 * traced: the link ran with --trace-symbol; *traces gets its stderr and
 * stdout for the diagnosis, and the tracing lines are not shown (nor those
 * of extra[0..nextra), the symbols traced for glibc's warnings). */
static int
gr_lw_run_captured(const struct gr_linkwrap *w, char *const *argv, struct gr_spawn_result *res, bool traced,
                   char **traces, const char *const *extra, size_t nextra, struct gr_ldtrace *lt)
{
	struct gr_error e;
	char how[128];

	*traces = NULL;
	/* While the link runs: the manifest's work on its inputs (gr_ldtrace_step).
	 * Done when the compiler driver has exited: mold's forked child may
	 * still be tearing down (3 ms on examples/sqlite3). */
	if (gr_spawn_capture_while(argv, NULL, lt ? gr_ldtrace_step : NULL, lt, true, res, &e)) {
		gr_lw_diag(w, "%s", e.msg);
		return 127;
	}
	/* The manifest's trace lines (gr_ldtrace) are gorelink's, not the user's,
	 * nor the diagnosis's: taken out first. */
	if (lt && res->out)
		res->outlen = gr_ldtrace_take(lt, res->out, res->outlen);
	if (traced) {
		size_t ntr;
		const char *const *tr = gr_diag_traced(&ntr);
		/* GNU ld writes them on stderr, gold, lld and mold on stdout. */
		if ((*traces = malloc(res->errlen + res->outlen + 2)) != NULL) {
			memcpy(*traces, res->err ? res->err : "", res->errlen);
			(*traces)[res->errlen] = '\n';
			memcpy(*traces + res->errlen + 1, res->out ? res->out : "", res->outlen);
			(*traces)[res->errlen + 1 + res->outlen] = '\0';
		}
		if (res->err)
			res->errlen = gr_ldmsg_drop_traces(res->err, res->errlen, tr, ntr);
		if (res->out)
			res->outlen = gr_ldmsg_drop_traces(res->out, res->outlen, tr, ntr);
		if (res->err && nextra)
			res->errlen = gr_ldmsg_drop_traces(res->err, res->errlen, extra, nextra);
		if (res->out && nextra)
			res->outlen = gr_ldmsg_drop_traces(res->out, res->outlen, extra, nextra);
	}
	fwrite(res->out, 1, res->outlen, w->out);
	fwrite(res->err, 1, res->errlen, w->msg);
	fflush(w->out);
	if (res->exited)
		return res->code;
	gr_lw_diag(w, "%s %s", argv[0], gr_spawn_describe(res, how, sizeof(how)));
	return 128 + res->code;
}

/* path tidied for a message (gr_path_lexical) into buf; path itself when it does not fit. */
static const char *
gr_lw_tidy(const char *path, char *buf, size_t bufsz)
{
	char *t = path ? gr_path_lexical(path) : NULL;

	if (!t || strlen(t) >= bufsz) {
		free(t);
		return path;
	}
	memcpy(buf, t, strlen(t) + 1);
	free(t);
	return buf;
}

static void
gr_lw_list(FILE *f, const char *const *v, size_t n, size_t max)
{
	size_t i;

	char tidy[4096];

	for (i = 0; i < n && i < max; i++)
		fprintf(f, "%s%s", i ? ", " : "", gr_lw_tidy(v[i], tidy, sizeof(tidy)));
	if (n > max)
		fprintf(f, ", ... (%zu in all)", n);
}

/* Archives built for glibc in a link with another C library (CC=musl-gcc):
 * which, what they need, and the ways out; recorded as undefined groups
 * whose option says what to do. */
static void
gr_lw_explain_glibc_built(const struct gr_linkwrap *w, const struct gr_diag *d, struct gr_link_report *rep)
{
	size_t i, k, at = 0;
	char cc[512] = "CC";

	/* CC whole (zig cc -target x86_64-linux-musl names its C library by its -target). */
	for (k = 0; k < w->ls->cc.n && at < sizeof(cc); k++)
		at += (size_t)snprintf(cc + at, sizeof(cc) - at, "%s%s", k ? " " : "", w->ls->cc.v[k]);
	for (i = 0; i < d->nglibc_built; i++) {
		const struct gr_diag_glibc_built *g = &d->glibc_built[i];
		fprintf(w->msg, "gorelink: %s was built for glibc: ", g->archive);
		gr_lw_list(w->msg, g->members, g->nmembers, 3);
		fputs(" need ", w->msg);
		gr_lw_list(w->msg, g->symbols, g->nsymbols, 6);
		fprintf(w->msg, ", which only glibc defines, and this link's C library (%s) does not.\n"
		        "    Build the library against that C library (e.g. configure it with CC=%s%s%s), or use the glibc toolchain\n"
		        "    (without CC=%s%s%s: gorelink --static adds the tags netgo,osusergo), or --third-party under glibc\n",
		        cc, w->ls->cc.n > 1 ? "\"" : "", cc, w->ls->cc.n > 1 ? "\"" : "",
		        w->ls->cc.n > 1 ? "\"" : "", cc, w->ls->cc.n > 1 ? "\"" : "");
		gr_link_report_add_undefined(rep, &(struct gr_rec_undefined){ NULL, NULL, g->archive,
		                                                                "built for glibc: rebuild it against this C library, or use the glibc toolchain" });
	}
}

/* Distinct (a, b) pairs of messages, their paths tidied, with how often each came. */
struct gr_lw_msgs {
	struct gr_lw_msg {
		char *a, *b;
		size_t count;
	} *v;
	size_t n;
};

/* Count the pair (a, b) compared tidied (gr_path_lexical); true when it is new. */
static bool
gr_lw_msgs_add(struct gr_lw_msgs *m, const char *a, const char *b)
{
	char *la = gr_path_lexical(a), *lb = gr_path_lexical(b);
	struct gr_lw_msg *nv;
	size_t i;

	if (!la || !lb) {
		free(la);
		free(lb);
		return true;  /* out of memory: no line, but the record */
	}
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].a, la) && !strcmp(m->v[i].b, lb)) {
			m->v[i].count++;
			free(la);
			free(lb);
			return false;
		}
	if (!(nv = realloc(m->v, (m->n + 1) * sizeof(*nv)))) {
		free(la);
		free(lb);
		return true;
	}
	m->v = nv;
	m->v[m->n++] = (struct gr_lw_msg){ la, lb, 1 };
	return true;
}

static void
gr_lw_msgs_free(struct gr_lw_msgs *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].a);
		free(m->v[i].b);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

/* " (N times)" for a message that came N > 1 times, else "". */
static const char *
gr_lw_times(size_t n, char *buf, size_t bufsz)
{
	if (n < 2)
		return "";
	snprintf(buf, bufsz, " (%zu times)", n);
	return buf;
}

/* Whether arg is on the link's command line already. */
static bool
gr_lw_on_line(const struct gr_strvec *final, const char *arg)
{
	size_t k;

	for (k = 0; k < final->n; k++)
		if (!strcmp(final->v[k], arg))
			return true;
	return false;
}

/* Whether -lNAME stays dynamic in this link: a system library in third-party
 * mode (the state's, else the default list), or an --allow-dynamic name. */
static bool
gr_lw_kept_dynamic(const struct gr_linkstate *ls, const char *name)
{
	size_t i;

	for (i = 0; i < ls->allow.n; i++)
		if (!strcmp(ls->allow.v[i], name))
			return true;
	if (ls->mode != GR_LINK_THIRD_PARTY)
		return false;
	if (ls->system_libs.n) {
		for (i = 0; i < ls->system_libs.n; i++)
			if (!strcmp(ls->system_libs.v[i], name))
				return true;
		return false;
	}
	for (i = 0; i < gr_rw_ndefault_system_libs; i++)
		if (!strcmp(gr_rw_default_system_libs[i], name))
			return true;
	return false;
}

/* Whether everything --fix added is an archive. */
static bool
gr_lw_fixes_all_archives(const struct gr_link_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nfixes; i++)
		if (!rep->fixes[i].archive)
			return false;
	return true;
}

/* Symbols only a shared library defines that another one loads ("DSO
 * missing from command line"): which, from which package, and the options
 * that name it; recorded as undefined groups whose option says what to add. */
static void
gr_lw_explain_dsos(const struct gr_linkwrap *w, const struct gr_diag *d, bool failed, struct gr_link_report *rep)
{
	size_t i, k;

	for (i = 0; i < d->ndsos; i++) {
		const struct gr_diag_dso *x = &d->dsos[i];
		char option[1024], tidy[4096];
		fputs("gorelink: ", w->msg);
		gr_lw_list(w->msg, x->symbols, x->nsymbols, 6);
		if (x->nneeders) {
			fputs(", needed by ", w->msg);
			for (k = 0; k < x->nneeders && k < 3; k++)
				fprintf(w->msg, "%s%s", k ? ", " : "", gr_lw_tidy(x->needers[k], tidy, sizeof(tidy)));
			if (x->nneeders > 3)
				fprintf(w->msg, ", ... (%zu in all)", x->nneeders);
		}
		fprintf(w->msg, ", %s only in the shared library %s (%s%s%s)", x->nsymbols == 1 ? "is defined" : "are defined",
		        gr_lw_tidy(x->path, tidy, sizeof(tidy)), x->flag, x->pkg ? ", pkg-config " : "", x->pkg ? x->pkg : "");
		if (x->via)
			fprintf(w->msg, ", which %s loads", gr_lw_tidy(x->via, tidy, sizeof(tidy)));
		fputs("; the link does not name it (\"DSO missing from command line\": a linker takes symbols only from\n"
		      "    the libraries the link names, not from those they load):", w->msg);
		/* Kept dynamic already: naming it is enough; else keep it dynamic too. */
		if (gr_lw_kept_dynamic(w->ls, x->name))
			snprintf(option, sizeof(option), "--lib %s", x->flag);
		else
			snprintf(option, sizeof(option), "--allow-dynamic %s --lib %s", x->name, x->flag);
		fprintf(w->msg, " add %s%s\n", option, failed && !w->ls->fix ? " (or run gorelink again with --fix)" : "");
		gr_link_report_add_undefined(rep, &(struct gr_rec_undefined){ x->flag + 2, x->pkg, NULL, option });
	}
}

/* Explain the undefined symbols and glibc's warnings; record them for gorelink. */
static void
gr_lw_explain(const struct gr_linkwrap *w, const struct gr_diag *d, bool failed, struct gr_link_report *rep)
{
	size_t i, refs = 0, syms = 0;

	gr_lw_explain_glibc_built(w, d, rep);
	gr_lw_explain_dsos(w, d, failed, rep);
	for (i = 0; i < d->ngroups; i++) {
		refs += d->groups[i].nrefs;
		syms += d->groups[i].nsymbols;
	}
	if (d->ngroups) {
		fprintf(w->msg, "gorelink: %zu undefined reference%s to %zu symbol%s:\n", refs, refs == 1 ? "" : "s",
		        syms, syms == 1 ? "" : "s");
		for (i = 0; i < d->ngroups; i++) {
			const struct gr_diag_group *g = &d->groups[i];
			char what[512], line[1024], tidy[4096];
			fputs("  ", w->msg);
			gr_lw_list(w->msg, g->symbols, g->nsymbols, 8);
			if (g->nneeders) {
				size_t k;
				fputs(", needed by ", w->msg);
				for (k = 0; k < g->nneeders && k < 3; k++)
					fprintf(w->msg, "%s%s", k ? ", " : "", gr_lw_tidy(g->needers[k], tidy, sizeof(tidy)));
				if (g->nneeders > 3)
					fprintf(w->msg, ", ... (%zu in all)", g->nneeders);
			}
			fputs(":\n", w->msg);
			if (!g->provider && g->shared) {
				/* "libgssapi_krb5.so.2" -> "gssapi_krb5" */
				const char *so = g->shared, *dot = strstr(so, ".so");
				int nl = (int)((dot ? dot : so + strlen(so)) - so) - (strncmp(so, "lib", 3) ? 0 : 3);
				const char *name = strncmp(so, "lib", 3) ? so : so + 3;
				fprintf(w->msg, "    no archive in the linker's search path defines them, but %s does: %s (the shared build) loads it;\n"
				        "    install its static archive (lib%.*s.a), or link it dynamically: --allow-dynamic %.*s --lib -l:%s\n",
				        so, g->shared_via, nl, name, nl, name, so);
				snprintf(line, sizeof(line), "--allow-dynamic %.*s --lib -l:%s", nl, name, so);
				gr_link_report_add_undefined(rep, &(struct gr_rec_undefined){ NULL, NULL, NULL, line });
				continue;
			}
			if (!g->provider) {
				fputs("    no archive in the linker's search path defines them: install the library that does\n", w->msg);
				gr_link_report_add_undefined(rep, &(struct gr_rec_undefined){ NULL, NULL, NULL, g->symbols[0] });
				continue;
			}
			if (g->pkg)
				snprintf(what, sizeof(what), "--pkg %s", g->pkg);
			else
				snprintf(what, sizeof(what), "--lib -l%s", g->provider->lname);
			fprintf(w->msg, "    defined in %s (-l%s%s%s): add %s\n", gr_lw_tidy(g->provider->path, tidy, sizeof(tidy)),
			        g->provider->lname,
			        g->pkg ? ", pkg-config " : "", g->pkg ? g->pkg : "", what);
			gr_link_report_add_undefined(rep, &(struct gr_rec_undefined){ g->provider->lname, g->pkg,
			                                                                g->provider->path, what });
		}
		if (failed && !w->ls->fix)
			fputs("  (or run gorelink again with --fix to add them)\n", w->msg);
		else if (failed && rep->nfixes)
			fprintf(w->msg, "  (--fix added %zu %s%s and linked again; these are still undefined: add what is named above by hand)\n",
			        rep->nfixes, gr_lw_fixes_all_archives(rep) ? "archive" : "librar",
			        gr_lw_fixes_all_archives(rep) ? (rep->nfixes == 1 ? "" : "s") : (rep->nfixes == 1 ? "y" : "ies"));
		else if (failed)
			fputs("  (--fix found no archive to add for these: add what is named above by hand)\n", w->msg);
	}
	for (i = 0; i < d->nfindings; i++) {
		const struct gr_diag_finding *f = &d->findings[i];
		if (f->plugin_loader)
			fprintf(w->msg, "gorelink: plugin loader %s (%s) in a static binary, called by %s%s%s: %s\n", f->symbol,
			        f->loader, f->source, f->function ? " in " : "", f->function ? f->function : "", f->remedy);
		else
			fprintf(w->msg, "gorelink: %s in a static glibc binary, called by %s%s%s: %s\n", f->symbol, f->source,
			        f->function ? " in " : "", f->function ? f->function : "", f->remedy);
		gr_link_report_add_finding(rep, &(struct gr_rec_finding){ f->symbol, f->source, f->function, f->remedy,
		                                                           f->library, f->loader, f->fails });
	}
}

/* Where path (compared by realpath) stands in argv, or -1. */
static long
gr_lw_find(const struct gr_strvec *argv, const char *path)
{
	char *want = realpath(path, NULL);
	long at = -1;
	size_t i;

	for (i = 0; i < argv->n && at < 0; i++) {
		char *have;
		if (argv->v[i][0] != '/')
			continue;
		if (!strcmp(argv->v[i], path)) {
			at = (long)i;
			break;
		}
		have = want ? realpath(argv->v[i], NULL) : NULL;
		if (have && !strcmp(have, want))
			at = (long)i;
		free(have);
	}
	free(want);
	return at;
}

static bool gr_lw_group_span(const struct gr_linkwrap *w, struct gr_strvec *final, long lo, long hi, const char *how);

/* GNU ld scans each archive once, where it stands: an archive that needs one
 * linked earlier fails. Find such pairs from the diagnosis and put the span
 * from the first provider to the last needer inside --start-group/--end-group
 * (ld then rescans it until nothing new is defined). True when argv changed. */
static bool
gr_lw_group_order(const struct gr_linkwrap *w, const struct gr_diag *d, struct gr_strvec *final,
                  struct gr_link_report *rep)
{
	long lo = -1, hi = -1;
	size_t i, k;
	struct gr_lw_msgs seen = { NULL, 0 };
	char times[32];

	for (i = 0; i < d->ngroups; i++) {
		const struct gr_diag_group *g = &d->groups[i];
		long pa;
		if (!g->provider || (pa = gr_lw_find(final, g->provider->path)) < 0)
			continue;
		for (k = 0; k < g->nneeders; k++) {
			const char *open = strchr(g->needers[k], '(');
			char *arch;
			long pn;
			if (!open)
				continue;
			arch = strndup(g->needers[k], (size_t)(open - g->needers[k]));
			pn = arch ? gr_lw_find(final, arch) : -1;
			if (pn > pa) {
				/* Each member of the needer that refers to the provider is a pair of its own: one line each. */
				if (gr_lw_msgs_add(&seen, arch, g->provider->path))
					gr_link_report_add_order(rep, &(struct gr_rec_order){ "group", arch, g->provider->path });
				if (lo < 0 || pa < lo)
					lo = pa;
				if (pn > hi)
					hi = pn;
			}
			free(arch);
		}
	}
	for (i = 0; i < seen.n; i++)
		fprintf(w->msg, "gorelink: link order: %s needs %s, which comes earlier, and GNU ld scans each archive once%s\n",
		        seen.v[i].a, seen.v[i].b, gr_lw_times(seen.v[i].count, times, sizeof(times)));
	gr_lw_msgs_free(&seen);
	if (lo < 0)
		return false;
	return gr_lw_group_span(w, final, lo, hi, "and linking again");
}

/* Put final's span lo..hi in --start-group/--end-group and say so on w->msg
 * (how: what follows). True when argv changed. */
static bool
gr_lw_group_span(const struct gr_linkwrap *w, struct gr_strvec *final, long lo, long hi, const char *how)
{
	size_t i;
	struct gr_strvec grouped;

	/* A group from an earlier round: one that holds the span already changes
	 * nothing; otherwise it is widened to cover both (one group, not nested). */
	{
		long s = -1, e = -1;
		for (i = 0; i < final->n; i++) {
			if (s < 0 && !strcmp(final->v[i], "-Wl,--start-group"))
				s = (long)i;
			else if (s >= 0 && e < 0 && !strcmp(final->v[i], "-Wl,--end-group"))
				e = (long)i;
		}
		if (s >= 0 && e > s + 1) {
			const char *lop = final->v[lo], *hip = final->v[hi], *first = final->v[s + 1], *last = final->v[e - 1];
			struct gr_strvec flat;
			long a, b;
			if (s < lo && hi < e)
				return false;
			gr_strvec_init(&flat);
			for (i = 0; i < final->n; i++)
				if ((long)i != s && (long)i != e && gr_strvec_push(&flat, final->v[i])) {
					gr_strvec_deinit(&flat);
					return false;
				}
			a = gr_lw_find(&flat, lop);
			b = gr_lw_find(&flat, first);
			lo = a < b ? a : b;
			a = gr_lw_find(&flat, hip);
			b = gr_lw_find(&flat, last);
			hi = a > b ? a : b;
			gr_strvec_deinit(final);
			*final = flat;
			if (lo < 0 || hi < lo)
				return false;
		}
	}
	gr_strvec_init(&grouped);
	for (i = 0; i < final->n; i++) {
		if ((long)i == lo && gr_strvec_push(&grouped, "-Wl,--start-group"))
			break;
		if (gr_strvec_push(&grouped, final->v[i]))
			break;
		if ((long)i == hi && gr_strvec_push(&grouped, "-Wl,--end-group"))
			break;
	}
	if (grouped.n != final->n + 2) {
		gr_strvec_deinit(&grouped);
		return false;
	}
	{
		char t1[4096], t2[4096];
		fprintf(w->msg, "gorelink: grouped the archives from %s to %s with --start-group/--end-group (not reordered: the order the flags gave is kept) %s\n",
		        gr_lw_tidy(final->v[lo], t1, sizeof(t1)), gr_lw_tidy(final->v[hi], t2, sizeof(t2)), how);
	}
	gr_strvec_deinit(final);
	*final = grouped;
	return true;
}

/* An archive of the C library family (libc.a, libm.a, libgcc.a, ...): the
 * plan does not read it, to stay cheap; the driver links it last anyway. */
static bool
gr_lw_libc_family(const char *path)
{
	static const char *const fam[] = { "c", "m", "pthread", "dl", "rt", "resolv", "util", "anl", "crypt",
		                           "c_nonshared", "mvec", "gcc", "gcc_eh", "stdc++", "supc++", "atomic" };
	const char *b = strrchr(path, '/');
	size_t i, l;

	b = b ? b + 1 : path;
	if (strncmp(b, "lib", 3))
		return false;
	b += 3;
	l = strlen(b);
	if (l < 3 || strcmp(b + l - 2, ".a"))
		return false;
	l -= 2;
	for (i = 0; i < sizeof(fam) / sizeof(*fam); i++)
		if (strlen(fam[i]) == l && !strncmp(b, fam[i], l))
			return true;
	return !strncmp(b, "m-", 2) || !strncmp(b, "mvec-", 5);  /* libm-2.36.a, via libm.a */
}

static int
gr_lw_strcmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* One archive of the final link, for the plan. */
struct gr_lw_parch {
	long pos;                   /* where it stands in argv */
	long group;                 /* the --start-group it is in (its position), or -1 */
	struct gr_strvec defs, undefs;
};

/* Whether archive a defines sym. */
static bool
gr_lw_defines(const struct gr_lw_parch *a, const char *sym)
{
	return a->defs.n && bsearch(&sym, a->defs.v, a->defs.n, sizeof(*a->defs.v), gr_lw_strcmp);
}

/* Plan the order before the first link: read the archives' own symbols
 * (gr_symindex_archive, cached), and where an archive needs a symbol that only
 * an archive before it defines (GNU ld scans each archive once, where it
 * stands), group the span from the first such provider to the last such
 * needer, say so once, and record it as "planned". The user's order is kept
 * where it links. True when argv changed. */
static bool
gr_lw_plan(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep)
{
	struct gr_lw_parch *v = NULL;
	struct gr_lw_msgs seen = { NULL, 0 };
	struct gr_error e;
	size_t n = 0, i, j, k;
	long lo = -1, hi = -1, group = -1;
	bool changed = false, nomem = false;

	if (!(v = calloc(final->n + 1, sizeof(*v))))
		return false;
	for (i = 0; i < final->n; i++) {
		const char *a = final->v[i];
		size_t l = strlen(a);
		if (!strcmp(a, "-Wl,--start-group") || !strcmp(a, "--start-group") || !strcmp(a, "-("))
			group = (long)i;
		else if (!strcmp(a, "-Wl,--end-group") || !strcmp(a, "--end-group") || !strcmp(a, "-)"))
			group = -1;
		if (a[0] != '/' || l < 3 || strcmp(a + l - 2, ".a") || gr_lw_libc_family(a))
			continue;
		gr_strvec_init(&v[n].defs);
		gr_strvec_init(&v[n].undefs);
		e.code = GR_OK;
		if (gr_symindex_archive(w->env, a, &v[n].defs, &v[n].undefs, &e) != GR_OK) {
			/* Unreadable: not planned; the link says what it is. */
			gr_strvec_deinit(&v[n].defs);
			gr_strvec_deinit(&v[n].undefs);
			nomem = nomem || e.code == GR_ENOMEM;
			continue;
		}
		v[n].pos = (long)i;
		v[n].group = group;
		n++;
	}
	for (j = 0; j < n && !nomem; j++) {
		const struct gr_lw_parch *a = &v[j];
		for (k = 0; k < a->undefs.n; k++) {
			const char *sym = a->undefs.v[k];
			long prov = -1;
			bool later = gr_lw_defines(a, sym);
			for (i = 0; i < n && !later; i++) {
				if (i == j || !gr_lw_defines(&v[i], sym))
					continue;
				if (i > j || (a->group >= 0 && v[i].group == a->group))
					later = true;  /* found where ld looks: after it, or in its group */
				else if (prov < 0)
					prov = (long)i;  /* the first archive before it that defines it */
			}
			if (later || prov < 0)
				continue;
			if (gr_lw_msgs_add(&seen, final->v[a->pos], final->v[v[prov].pos]))
				gr_link_report_add_order(rep, &(struct gr_rec_order){ "planned", final->v[a->pos],
				                                                        final->v[v[prov].pos] });
			if (lo < 0 || v[prov].pos < lo)
				lo = v[prov].pos;
			if (a->pos > hi)
				hi = a->pos;
		}
	}
	for (i = 0; i < seen.n; i++)
		fprintf(w->msg, "gorelink: link order: %s needs %s, which comes before it, and GNU ld scans each archive once\n",
		        seen.v[i].a, seen.v[i].b);
	gr_lw_msgs_free(&seen);
	if (lo >= 0)
		changed = gr_lw_group_span(w, final, lo, hi, "before linking");
	for (i = 0; i < n; i++) {
		gr_strvec_deinit(&v[i].defs);
		gr_strvec_deinit(&v[i].undefs);
	}
	free(v);
	return changed;
}

/* gorelink-ld's compression of the output's debug sections (gr_dcomp):
 * started as soon as the final link has succeeded, so that its threads run
 * while the link's manifest and diagnosis are made, and ended by gr_lw_dcomp. */
struct gr_lw_dcjob {
	bool started;
	int rc;                    /* gr_dcomp_start's answer */
	struct gr_error e;         /* and its error */
	struct gr_dcomp_job *job;  /* when rc is GR_OK */
};

static int gr_lw_link(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep, bool plan,
                      struct gr_lw_dcjob *dj);

/* GORELINK_LINKER_MATRIX=DIR: after a final link that succeeded, the same
 * link once more with each installed linker (bfd, gold, lld, mold; gold not
 * for -static-pie) and that linker's own --trace (given twice: GNU ld lists
 * members; mold's link map, -M): DIR/LINKER, the binary, and
 * DIR/LINKER.trace, its output. The
 * evidence that each linker opens the same archives and makes a binary that
 * runs (tests/relink_e2e.py); nothing is said, a failure is in the trace. */
static void
gr_lw_matrix(const struct gr_linkwrap *w, const struct gr_strvec *final)
{
	static const enum gr_linker all[] = { GR_LINKER_BFD, GR_LINKER_GOLD, GR_LINKER_LLD, GR_LINKER_MOLD };
	const char *dir = w->env->linker_matrix, *cc = w->ls->cc.n ? w->ls->cc.v[0] : NULL, *base;
	struct utsname u;
	bool cross = false;
	size_t k, i;

	/* zig cc links with its own lld in its own process: no -fuse-ld, no --trace. */
	if (!dir || !*dir || w->ls->darwin || (w->ls->cc.n && gr_toolchain_is_zig(w->ls->cc.v)))
		return;
	/* A cross build: the compiler's name starts with another machine's
	 * triple ("aarch64-linux-gnu-gcc"; "musl-gcc" is no triple). */
	base = cc && strrchr(cc, '/') ? strrchr(cc, '/') + 1 : cc;
	if (base && strchr(base, '-') && strchr(strchr(base, '-') + 1, '-') && uname(&u) == 0)
		cross = strncmp(base, u.machine, strlen(u.machine)) != 0 || base[strlen(u.machine)] != '-';
	for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		const char *name = gr_linker_name(all[k]);
		struct gr_spawn_result res;
		struct gr_strvec v;
		struct gr_error e;
		char out[4096], trace[4200], tmp[4300];
		bool fuse = false, ok = true;
		struct timespec t0, t1;
		FILE *f;
		const char *skip = NULL;
		if ((size_t)snprintf(out, sizeof(out), "%s/%s", dir, name) >= sizeof(out))
			continue;
		snprintf(trace, sizeof(trace), "%s.trace", out);
		snprintf(tmp, sizeof(tmp), "%s.tmp", trace);
		/* What auto passes over is not linked: said in the trace file. */
		if (!gr_linker_found(cc, cross, w->env->compiler_path, w->env->path, all[k]))
			skip = cross ? "the cross compiler driver does not find it" : "not installed";
		else if (!(skip = gr_linker_cannot(all[k], w->ls->mode)) && cc && strstr(cc, "musl"))
			skip = gr_linker_cannot_musl(all[k], w->ls->mode);
		if (skip) {
			if ((f = fopen(tmp, "w")) != NULL) {
				fprintf(f, "# %s: skipped: %s\n", name, skip);
				if (fclose(f) == 0)
					rename(tmp, trace);
				else
					remove(tmp);
			}
			continue;
		}
		gr_strvec_init(&v);
		for (i = 0; i < final->n && ok; i++) {
			const char *a = final->v[i];
			if (!strncmp(a, "-fuse-ld=", 9)) {
				a = gr_linker_flag(all[k]);
				fuse = true;
			} else if (i > 0 && !strcmp(final->v[i - 1], "-o")) {
				a = out;
			} else if (!strncmp(a, "-o", 2) && a[2]) {
				/* "-oFILE", as gr_lw_output reads it: the real output is not theirs */
				ok = !gr_strvec_push(&v, "-o");
				a = out;
			}
			ok = ok && !gr_strvec_push(&v, a);
		}
		if (ok && !fuse)
			ok = !gr_strvec_push(&v, gr_linker_flag(all[k]));
		/* mold 1.10's --trace names every member of every archive, loaded or
		 * not: its link map names the members it loaded. */
		if (ok)
			ok = !gr_strvec_push(&v, all[k] == GR_LINKER_MOLD ? "-Wl,-M" : "-Wl,--trace,--trace");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (ok && !gr_spawn_capture(gr_strvec_argv(&v), NULL, &res, &e)) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((f = fopen(tmp, "w")) != NULL) {
				fprintf(f, "# %s: %s in %.3f s\n", name, res.exited && res.code == 0 ? "linked" : "failed",
				        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
				fwrite(res.out ? res.out : "", 1, res.outlen, f);
				fwrite(res.err ? res.err : "", 1, res.errlen, f);
				if (fclose(f) == 0)
					rename(tmp, trace);
				else
					remove(tmp);
			}
			gr_spawn_result_free(&res);
		}
		gr_strvec_deinit(&v);
	}
}

/* Record in rep who refers to the symbols above the state's --max-version limits. */
static void
gr_lw_floorrefs(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep)
{
	struct gr_vermax *max = calloc(w->ls->maxver.n + 1, sizeof(*max));
	struct gr_error e;
	const char *why;
	size_t i, n = 0;

	if (!max) {
		gr_lw_diag(w, "--max-version: out of memory");
		return;
	}
	for (i = 0; i < w->ls->maxver.n; i++)
		if (gr_elfver_parse_max(w->ls->maxver.v[i], &max[n], &why))
			n++;
	if (gr_floorref_scan(w->env, final->v, final->n, max, n, rep, &e) != GR_OK)
		gr_lw_diag(w, "%s", e.msg);
	free(max);
}

/* The final link pointed at GNU ld: each -fuse-ld= of another linker becomes
 * -fuse-ld=bfd, and when that linker was gorelink's mold (not the link's own,
 * gr_extld_linker_own), cmd/link's own --build-id word comes back
 * (gr_extld_mold_build_id_undo: the padding is for mold only). False when
 * nothing changed or out of memory. */
static bool
gr_lw_to_bfd(const struct gr_linkwrap *w, struct gr_strvec *final)
{
	bool own = gr_extld_linker_own(w->ls, final->v, final->n), mold = false, changed = false;
	size_t i;

	for (i = 0; i < final->n; i++)
		if (!strncmp(final->v[i], "-fuse-ld=", 9) && strcmp(final->v[i] + 9, "bfd") != 0) {
			char *bfd = strdup("-fuse-ld=bfd");
			if (!bfd)
				return false;
			mold |= !strcmp(final->v[i] + 9, "mold");
			free(final->v[i]);
			final->v[i] = bfd;
			changed = true;
		}
	if (mold && !own)
		gr_extld_mold_build_id_undo(final);
	return changed;
}

/* --linker: a final link that failed with another linker than GNU ld, and
 * not on undefined symbols the diagnosis understood (d: NULL or without
 * groups), runs once more with -fuse-ld=bfd (after mold: cmd/link's own --build-id
 * word, gr_extld_mold_build_id_undo), said on w->msg. True when final changed. */
static bool
gr_lw_failover(const struct gr_linkwrap *w, struct gr_strvec *final, const struct gr_diag *d)
{
	size_t i;

	if (!w->ls->linker || w->ls->darwin || (d && (d->ngroups || d->ndsos || d->nglibc_built)))
		return false;
	for (i = 0; i < final->n; i++)
		if (!strncmp(final->v[i], "-fuse-ld=", 9) && strcmp(final->v[i] + 9, "bfd") != 0) {
			fprintf(w->msg, "gorelink: the final link with %s failed; linking once more with GNU ld (-fuse-ld=bfd)\n",
			        final->v[i] + 9);
			return gr_lw_to_bfd(w, final);
		}
	return false;
}

/* --linker: a final link by another linker than GNU ld that succeeded but
 * said it ignored an option of the link (mold: "unknown command line option:
 * -z stack-size=N", lld: "unknown -z value: X"; err, errlen: its stderr) made
 * a binary without what the option asks for: it runs once more with
 * -fuse-ld=bfd (and cmd/link's own --build-id word, gr_extld_mold_build_id_undo),
 * said on w->msg; never a -fuse-ld= that is the link's own (gr_extld_linker_own).
 * True when final changed. */
static bool
gr_lw_ignored_option(const struct gr_linkwrap *w, struct gr_strvec *final, const char *err, size_t errlen)
{
	static const char *const said[] = { "unknown command line option: ", "unknown -z value: " };
	const char *used = gr_linker_in_argv((const char *const *)final->v, final->n), *at = NULL;
	char *text;
	size_t k, len;

	if (!w->ls->linker || w->ls->darwin || !err || !used || !strcmp(used, "bfd"))
		return false;
	/* The user's own -fuse-ld= (kept under a soft choice) is theirs to change. */
	if (gr_extld_linker_own(w->ls, final->v, final->n))
		return false;
	if (!(text = strndup(err, errlen)))
		return false;
	for (k = 0; !at && k < sizeof(said) / sizeof(said[0]); k++)
		at = strstr(text, said[k]);
	if (!at) {
		free(text);
		return false;
	}
	len = strcspn(at, "\n");
	fprintf(w->msg, "gorelink: %s ignored an option of the link (%.*s); linking once more with GNU ld (-fuse-ld=bfd)\n",
	        used, (int)(len > 200 ? 200 : len), at);
	free(text);
	return gr_lw_to_bfd(w, final);
}

/* ---- the manifest the binary carries (issue 16: check/gr_embed, docs/sbom.md) ---- */

/* The payload the output carries (gr_manifest_embed_json): after a traced
 * ELF link, the manifest of what it loaded (gr_manifest_from_link on the
 * report's "loaded" records, the Go side read from the output at outp); for
 * an Apple link (before it: ld64 is not traced) or a link whose trace failed,
 * the archives of the final command line only. Packages and licences either
 * way. *blob malloc'd, *len bytes. */
static int
gr_lw_manifest_blob(const struct gr_linkwrap *w, const struct gr_strvec *final, const struct gr_link_report *rep,
                    const char *outp, char **blob, size_t *len, struct gr_error *err)
{
	struct gr_manifest m;
	size_t i;
	int rc;

	if (rep && rep->traced) {
		rc = gr_manifest_from_link(&m, rep, w->ls->manifest_epoch, &w->ls->modules, outp, w->env,
		                           w->ls->manifest_salt, err);
		if (rc == GR_EUSAGE) {  /* a SOURCE_DATE_EPOCH that is not one: the driver says so when it matters */
			gr_manifest_deinit(&m);
			rc = gr_manifest_from_link(&m, rep, NULL, &w->ls->modules, outp, w->env, w->ls->manifest_salt, err);
		}
	} else {
		gr_manifest_init(&m);
		rc = GR_OK;
		if (w->ls->manifest_epoch && *w->ls->manifest_epoch)
			(void)gr_manifest_set_epoch(&m, w->ls->manifest_epoch, err);
		for (i = 0; i < final->n && rc == GR_OK; i++) {
			const char *a = final->v[i];
			size_t l = strlen(a);
			if (a[0] == '-' || l < 3 || strcmp(a + l - 2, ".a") != 0 || (i && !strcmp(final->v[i - 1], "-o")))
				continue;
			if (gr_manifest_add(&m, GR_MANIFEST_MEMBER, a, NULL, NULL, NULL, NULL))
				rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		}
		if (rc == GR_OK)
			rc = gr_manifest_resolve_cached(&m, w->env, NULL, w->ls->manifest_salt, err);
	}
	if (rc == GR_OK)
		rc = gr_manifest_embed_json(&m, blob, len, err);
	gr_manifest_deinit(&m);
	return rc;
}

/* The final link's output: its last -o (a.out without one). */
static const char *
gr_lw_output(const struct gr_strvec *final)
{
	const char *o = "a.out";
	size_t i;

	for (i = 0; i < final->n; i++)
		if (!strcmp(final->v[i], "-o") && i + 1 < final->n)
			o = final->v[++i];
		else if (!strncmp(final->v[i], "-o", 2) && final->v[i][2])
			o = final->v[i] + 2;
	return o;
}

/* Whether the program word names (found on PATH when it has no '/') is an
 * ELF executable, not a script. */
static bool
gr_lw_elf_program(const struct gr_linkwrap *w, const char *word)
{
	char *path = strchr(word, '/') ? strdup(word) : gr_path_which(word, w->env->path);
	bool elf = path && gr_elf_file_is(path);

	free(path);
	return elf;
}

/* A mold link's objects in a linker script (gr_linker_input_script), written
 * beside the output: argv (the one spawned, from final) becomes *out, and
 * *script names the file to remove after the link. Only when argv runs gcc,
 * cc or clang itself (gr_toolchain_cxx_for_cc knows its name, and it is an
 * ELF program): a wrapper (ccache, a script given as -extld or first on
 * PATH) sees the objects as cmd/link named them. False: argv as it is (another linker or driver,
 * GORELINK_NO_INPUT_SCRIPT, a sysroot, no run of objects, or the script
 * could not be written). */
static bool
gr_lw_input_script(const struct gr_linkwrap *w, const struct gr_strvec *final, char *const *argv,
                   struct gr_strvec *out, char **script)
{
	const char *lk = gr_linker_in_argv((const char *const *)final->v, final->n), *o = gr_lw_output(final);
	char *path, *text = NULL, *word, *cxx;
	size_t n = 0, k, tl, pl;
	int fd;
	bool ok;

	*script = NULL;
	if (!w->input_script || w->ls->darwin || !lk || strcmp(lk, "mold") ||
	    (w->env->no_input_script && *w->env->no_input_script))
		return false;
	if (!(cxx = gr_toolchain_cxx_for_cc(argv[0])))
		return false;
	free(cxx);
	if (!gr_lw_elf_program(w, argv[0]))
		return false;  /* a script named gcc is a wrapper too */
	while (argv[n])
		n++;
	pl = strlen(o) + sizeof(".gorelink-inputs-XXXXXX");
	if (!(path = malloc(pl)))
		return false;
	snprintf(path, pl, "%s.gorelink-inputs-XXXXXX", o);
	/* The run first, the file only for a link that has one: out names the
	 * template until mkstemp has made the name. */
	if (gr_linker_input_script((const char *const *)argv, n, path, out, &text) != GR_OK) {
		free(path);
		return false;
	}
	for (k = 0; k < out->n && strcmp(out->v[k], path); k++)
		;
	ok = k < out->n && (fd = mkstemp(path)) >= 0;
	if (ok) {
		tl = strlen(text);
		ok = write(fd, text, tl) == (ssize_t)tl;
		ok = close(fd) == 0 && ok;
		if (!ok || !(word = strdup(path))) {
			unlink(path);
			ok = false;
		} else {
			free(out->v[k]);
			out->v[k] = word;
		}
	}
	free(text);
	if (!ok) {
		gr_strvec_deinit(out);
		free(path);
		return false;
	}
	*script = path;
	return true;
}

/* Write the -sectcreate file (gorelink-manifest.sect in the directory of
 * near: len bytes) and give its path in *file (malloc'd). */
static int
gr_lw_sect_file(const char *near, const unsigned char *bytes, size_t len, char **file, struct gr_error *err)
{
	const char *sl = strrchr(near, '/');
	int dl = sl ? (int)(sl - near) + 1 : 0;
	size_t n = (size_t)dl + sizeof("gorelink-manifest.sect");
	FILE *f;
	int bad;

	if (!(*file = malloc(n)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	snprintf(*file, n, "%.*sgorelink-manifest.sect", dl, near);
	if (!(f = fopen(*file, "wb")))
		return gr_error_set(err, GR_EIO, errno, "%s: %s", *file, strerror(errno));
	bad = fwrite(bytes, 1, len, f) != len;
	if (fclose(f) != 0 || bad)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", *file, strerror(errno));
	return GR_OK;
}

/* Unless --no-manifest: an ELF output gains the manifest note after the link
 * (before cmd/link copies it and gorelink checks it); an Apple link gains
 * -sectcreate __GORELINK __manifest FILE before it (post-link edits would break
 * its code signature; the archives are those of the command line; FILE is
 * gorelink-manifest.sect beside the link report, else the output). after:
 * which of the two moments this is. GR_OK, or err set (said on w->msg). */
static int
gr_lw_manifest(const struct gr_linkwrap *w, struct gr_strvec *final, const struct gr_link_report *rep, bool after)
{
	struct gr_error e;
	char *blob = NULL, *file = NULL;
	unsigned char *bytes = NULL;
	size_t len = 0, blen = 0;
	const char *outp = gr_lw_output(final);
	int rc;

	if (w->ls->no_manifest || after == w->ls->darwin)
		return GR_OK;
	if ((rc = gr_lw_manifest_blob(w, final, after ? rep : NULL, outp, &blob, &len, &e)) == GR_OK) {
		if (after) {
			rc = gr_embed_elf_append(outp, blob, len, &e);
		} else if ((rc = gr_embed_blob(blob, len, &bytes, &blen, &e)) == GR_OK &&
		           (rc = gr_lw_sect_file(w->ls->report ? w->ls->report : outp, bytes, blen, &file, &e)) == GR_OK) {
			if (gr_strvec_push(final, "-Xlinker") || gr_strvec_push(final, "-sectcreate") ||
			    gr_strvec_push(final, "-Xlinker") || gr_strvec_push(final, GR_EMBED_MACHO_SEGMENT) ||
			    gr_strvec_push(final, "-Xlinker") || gr_strvec_push(final, GR_EMBED_MACHO_SECTION) ||
			    gr_strvec_push(final, "-Xlinker") || gr_strvec_push(final, file))
				rc = gr_error_set(&e, GR_ENOMEM, 0, "out of memory");
		}
	}
	if (rc)
		gr_lw_diag(w, "cannot embed the manifest: %s (--no-manifest builds without it)", e.msg);
	free(blob);
	free(bytes);
	free(file);
	return rc;
}

/* cmd/link's request for zlib-compressed debug sections, as it writes it. */
#define GR_LW_ZLIB "-Wl,--compress-debug-sections=zlib"
#define GR_LW_NONE "-Wl,--compress-debug-sections=none"

/* Where final asks the linker for zlib-compressed debug sections in the one
 * way cmd/link does (its only mention of --compress-debug-sections), when
 * gorelink-ld is to compress them after the link instead: an ELF link, no
 * relink kit (its relink runs the line as it is), GORELINK_DEBUG_COMPRESSION
 * not "linker". -1 otherwise. */
static long
gr_lw_dcomp_arg(const struct gr_linkwrap *w, const struct gr_strvec *final)
{
	long at = -1;
	size_t i;

	if (w->ls->darwin || w->ls->kit ||
	    (w->env->debug_compression && !strcmp(w->env->debug_compression, "linker")))
		return -1;
	for (i = 0; i < final->n; i++)
		if (strstr(final->v[i], "compress-debug-sections")) {
			if (at >= 0 || strcmp(final->v[i], GR_LW_ZLIB))
				return -1;
			at = (long)i;
		}
	return at;
}

/* Set final's argument at to s. */
static bool
gr_lw_set_arg(struct gr_strvec *final, long at, const char *s)
{
	char *c = strdup(s);

	if (!c)
		return false;
	free(final->v[at]);
	final->v[at] = c;
	return true;
}

/* Start dj's compression of final's output, unless it was started. */
static void
gr_lw_dcomp_begin(struct gr_lw_dcjob *dj, const struct gr_strvec *final)
{
	if (dj->started)
		return;
	dj->started = true;
	dj->rc = gr_dcomp_start(gr_lw_output(final), 0, &dj->job, &dj->e);
}

/* What a report held before a link: the fallback's second link records
 * its findings, undefined symbols and missing inputs anew. */
struct gr_lw_marks {
	size_t nfindings, nundefined, nmissing;
};

/* The link's debug sections compressed by gorelink-ld (gr_dcomp), the linker
 * having been told none: libdeflate on every CPU instead of the linker's zlib
 * (docs/gorelink.1, "Debug sections"). When the output cannot be rewritten
 * and is as the linker left it, it links again with the linker compressing
 * (final's "=none" back to "=zlib"): what the first link recorded in rep is
 * taken back to marks, and what it printed is not printed again (the second
 * link's messages are, when it fails). dj: the compression gr_lw_link
 * started after the link (started here when it did not), ended here. The
 * link's status. */
static int
gr_lw_dcomp(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep,
            const struct gr_lw_marks *marks, struct gr_lw_dcjob *dj)
{
	struct gr_linkwrap quiet = *w;
	struct gr_dcomp_stats st;
	struct gr_error e;
	bool wrote = false;
	char *said = NULL;
	size_t saidlen = 0, i;
	int status;

	gr_lw_dcomp_begin(dj, final);
	if (dj->rc != GR_OK) {
		e = dj->e;
	} else {
		int rc = gr_dcomp_finish(dj->job, &st, &wrote, &e);
		dj->job = NULL;
		if (rc == GR_OK)
			return 0;
	}
	if (wrote) {
		gr_lw_diag(w, "compressing the debug sections of %s: %s", gr_lw_output(final), e.msg);
		return 1;
	}
	for (i = 0; i < final->n && strcmp(final->v[i], GR_LW_NONE); i++)
		;
	if (i == final->n || !gr_lw_set_arg(final, (long)i, GR_LW_ZLIB)) {
		gr_lw_diag(w, "out of memory");
		return 1;
	}
	gr_lw_diag(w, "the debug sections could not be compressed after the link (%s): linking again, the linker compressing them",
	           e.msg);
	rep->nfindings = marks->nfindings;
	rep->nundefined = marks->nundefined;
	rep->nmissing = marks->nmissing;
	if ((quiet.msg = open_memstream(&said, &saidlen)) == NULL)
		quiet.msg = w->msg;
	status = gr_lw_link(&quiet, final, rep, false, NULL);
	if (quiet.msg != w->msg) {
		fclose(quiet.msg);
		if (status != 0 && said)
			fwrite(said, 1, saidlen, w->msg);
		free(said);
	}
	return status;
}

int
gr_linkwrap_link(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep)
{
	struct gr_lw_dcjob dj = { false, GR_OK, { 0 }, NULL };
	struct gr_lw_marks marks;
	int status;
	long dz;

	if (gr_lw_manifest(w, final, rep, false) != GR_OK)
		return 1;
	dz = gr_lw_dcomp_arg(w, final);
	if (dz >= 0 && !gr_lw_set_arg(final, dz, GR_LW_NONE))
		dz = -1;
	marks = (struct gr_lw_marks){ rep->nfindings, rep->nundefined, rep->nmissing };
	status = gr_lw_link(w, final, rep, true, dz >= 0 ? &dj : NULL);
	if (status == 0 && dz >= 0) {
		status = gr_lw_dcomp(w, final, rep, &marks, &dj);
	} else {
		/* (gr_lw_link ends with a link that succeeded when it started one:
		 * a job left means a later failure; nothing is written) */
		gr_dcomp_cancel(dj.job);
	}

	/* --max-version: who refers to each symbol the output needs too new a
	 * version of, while cmd/link's objects still exist (gr_floorref). */
	if (status == 0 && w->ls->maxver.n && !w->ls->darwin)
		gr_lw_floorrefs(w, final, rep);
	/* --relink-kit: the link's objects are in cmd/link's directory until it
	 * ends; the kit takes them now (gr_kit), the driver puts it in place. */
	if (status == 0 && final->n && w->ls->kit && !w->ls->darwin) {
		struct gr_error ke;
		/* The report is in the build's private directory: name nothing there. */
		char *pd = w->ls->report ? strdup(w->ls->report) : NULL, *slash = pd ? strrchr(pd, '/') : NULL;
		struct gr_kit_req kq = { w->ls->kit, w->ls->kit_name, gr_link_mode_name(w->ls->mode),
		                         (const char *const *)final->v, final->n, w->env->path, NULL, NULL };
		if (slash && slash > pd) {
			*slash = '\0';
			kq.private_dir = pd;
		}
		if (gr_link_report_set_kit(rep, gr_kit_write(&kq, &ke) == GR_OK ? NULL : ke.msg) != GR_OK)
			gr_lw_diag(w, "relink kit: out of memory");
		free(pd);
	}
	/* After the kit's copy of the linker's output: the note is among the
	 * bytes its postlink file adds back (gr_kit_postlink). */
	if (status == 0 && gr_lw_manifest(w, final, rep, true) != GR_OK)
		return 1;
	return status;
}

int
gr_linkwrap_link_unplanned(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep)
{
	return gr_lw_link(w, final, rep, false, NULL);
}

/* The final link, planned (plan: gr_lw_plan first), then diagnosed: archives
 * in the wrong order are grouped and linked again; with --fix, up to three
 * more tries with the archives that define the missing symbols appended. */
static int
gr_lw_link(const struct gr_linkwrap *w, struct gr_strvec *final, struct gr_link_report *rep, bool plan,
           struct gr_lw_dcjob *dj)
{
	int status = 0, regroups = 0, fixes = 0;
	/* A static glibc link traces the functions with findings and the plugin
	 * loaders: GNU ld warns once per symbol, --trace-symbol names every input
	 * that refers to it (gr_diag). Not in the link the report records. */
	bool trace = !w->ls->darwin && (w->ls->mode == GR_LINK_STATIC || w->ls->mode == GR_LINK_STATIC_PIE);
	/* lld and mold print none of glibc's static-link warnings: every symbol
	 * with one (libc.a's .gnu.warning.SYM) is traced too, and GNU ld's
	 * warnings are made from the trace (gr_diag_derive_warnings). */
	struct gr_strvec gw;
	const char **extra = NULL;
	size_t nextra = 0;
	bool gw_read = false;

	gr_strvec_init(&gw);

	/* zig cc's linker takes no --trace-symbol nor --trace (and its libc is
	 * its own): no findings from a trace, a manifest of archives only. */
	bool zig = w->ls->cc.n && gr_toolchain_is_zig(w->ls->cc.v);
	if (zig)
		trace = false;

	/* ld64 searches every archive wherever it stands: only GNU-style linkers
	 * need a plan. GORELINK_NO_ORDER_PLAN (set, not empty): only the repair
	 * after a failed link, as before the plan (gorelink(1), ENVIRONMENT). */
	if (plan && !w->ls->darwin && !(w->env->no_order_plan && *w->env->no_order_plan))
		gr_lw_plan(w, final, rep);
	for (;;) {
		struct gr_spawn_result res;
		struct gr_diag *d = NULL;
		struct gr_error e;
		struct gr_strvec run;
		char *traces = NULL;
		size_t i, added = 0;
		bool oom = false;  /* --fix could not add what it found */
		struct gr_ldtrace lt = { 0 };
		bool traced_run = false;  /* run carries the manifest's trace flags */
		bool redo = false;        /* the linker ignored an option: link with GNU ld (gr_lw_ignored_option) */
		enum gr_linker lk = GR_LINKER_DEFAULT;
		bool derive = trace && !gr_linker_parse(gr_linker_in_argv((const char *const *)final->v, final->n), &lk) &&
		              gr_linker_no_glibc_warnings(lk) != NULL;
		gr_strvec_init(&run);
		if (derive && !gw_read) {
			size_t ntr, k;
			const char *const *tr = gr_diag_traced(&ntr);
			gw_read = true;
			if (gr_diag_glibc_warnings(w->env, w->dirs, w->ndirs, &gw, &e) != GR_OK)
				gr_lw_diag(w, "%s", e.msg);
			if (gw.n && (extra = calloc(gw.n / 3 + 1, sizeof(*extra))) != NULL)
				for (i = 0; i + 2 < gw.n; i += 3) {
					for (k = 0; k < ntr && strcmp(tr[k], gw.v[i]); k++)
						;
					if (k == ntr)
						extra[nextra++] = gw.v[i];
				}
		}
		if (trace) {
			size_t ntr, nall;
			const char *const *tr = gr_diag_traced(&ntr);
			static const char opt[] = ",--trace-symbol=";
			char *flag = NULL;
			size_t fl = 3, at;
			nall = ntr + (derive ? nextra : 0);
			for (i = 0; i < nall; i++)
				fl += sizeof(opt) - 1 + strlen(i < ntr ? tr[i] : extra[i - ntr]);
			if ((flag = malloc(fl + 1)) != NULL) {
				memcpy(flag, "-Wl", 3);
				for (i = 0, at = 3; i < nall; i++) {
					const char *sym = i < ntr ? tr[i] : extra[i - ntr];
					size_t sl = strlen(sym);
					memcpy(flag + at, opt, sizeof(opt) - 1);
					memcpy(flag + at + sizeof(opt) - 1, sym, sl);
					at += sizeof(opt) - 1 + sl;
				}
				flag[at] = '\0';
			}
			for (i = 0; i < final->n && flag; i++)
				if (gr_strvec_push(&run, final->v[i]))
					break;
			if (!flag || i < final->n || gr_strvec_push(&run, flag)) {
				gr_strvec_deinit(&run);
				trace = false;
			}
			free(flag);
		}
		/* The manifest: what this link loads, from the linker's own trace
		 * (for --sbom and --deny-licence, and for the manifest the output
		 * carries unless --no-manifest). */
		if ((w->ls->manifest || !w->ls->no_manifest) && !w->ls->darwin && !zig) {
			for (i = 0; !trace && i < final->n; i++)
				if (gr_strvec_push(&run, final->v[i]))
					break;
			if ((!trace && i < final->n) ||
			    gr_ldtrace_begin(&lt, gr_linker_in_argv((const char *const *)final->v, final->n),
			                     gr_lw_output(final), &run) != GR_OK) {
				gr_lw_diag(w, "out of memory: the link manifest is not recorded");
				gr_ldtrace_deinit(&lt);
				if (!trace)
					gr_strvec_deinit(&run);
			} else {
				traced_run = true;
				gr_ldtrace_overlap(&lt, final, &w->ls->modules);
			}
		}
		{
			/* mold reads the objects from a script: the same link, less
			 * of its start (gr_linker_input_script); run stays the argv
			 * the messages are read against. */
			char *const *spawn = gr_strvec_argv(trace || traced_run ? &run : final), *script;
			struct gr_strvec scripted;
			gr_strvec_init(&scripted);
			if (gr_lw_input_script(w, final, spawn, &scripted, &script))
				spawn = gr_strvec_argv(&scripted);
			status = gr_lw_run_captured(w, spawn, &res, trace, &traces, extra, derive ? nextra : 0,
			                            traced_run ? &lt : NULL);
			if (script) {
				unlink(script);
				free(script);
			}
			gr_strvec_deinit(&scripted);
		}
		/* An option the linker ignored: GNU ld links instead (issue 15). */
		redo = status == 0 && gr_lw_ignored_option(w, final, res.err, res.err ? res.errlen : 0);
		/* A link that succeeded ends this loop: its debug sections start
		 * compressing now (dj), beside the work on its messages and manifest. */
		if (dj && status == 0 && !redo)
			gr_lw_dcomp_begin(dj, final);
		/* GNU ld's warnings from lld's or mold's trace; the extra symbols'
		 * other callers are not GNU ld's findings: their lines go. */
		if (derive && traces && lk == GR_LINKER_MOLD) {
			char *named = gr_diag_gnu_trace_names(traces, (const char *const *)run.v, run.n, w->dirs, w->ndirs);
			if (named) {
				free(traces);
				traces = named;
			}
		}
		/* One order for the trace lines, whichever linker printed them (mold's
		 * threads print them in an order that changes from run to run). */
		if (traces) {
			char *sorted = gr_diag_sort_traces(traces, (const char *const *)run.v, run.n);
			if (sorted) {
				free(traces);
				traces = sorted;
			}
		}
		if (derive && traces) {
			char *made = gr_diag_derive_warnings(traces, &gw, (const char *const *)run.v, run.n), *all;
			size_t tl = gr_ldmsg_drop_traces(traces, strlen(traces), extra, nextra);
			if (made && (all = malloc(tl + strlen(made) + 2)) != NULL) {
				memcpy(all, traces, tl);
				all[tl] = '\n';
				memcpy(all + tl + 1, made, strlen(made) + 1);
				free(traces);
				traces = all;
			}
			free(made);
		}
		gr_strvec_deinit(&run);
		rep->links++;
		/* A link that succeeded ends this loop: what it loaded is the manifest. */
		if (traced_run && status == 0 && !redo) {
			if (gr_ldtrace_read_map(&lt, &e) != GR_OK)
				gr_lw_diag(w, "the link manifest: %s", e.msg);
			else if (gr_ldtrace_report(&lt, &w->ls->modules, rep) != GR_OK)
				gr_lw_diag(w, "out of memory: the link manifest is not recorded");
		}
		if (traced_run)
			gr_ldtrace_deinit(&lt);
		if ((traces || res.err) && gr_diag_run(w->env, traces ? traces : res.err, w->dirs, w->ndirs, &d, &e) != GR_OK)
			gr_lw_diag(w, "no diagnosis: %s", e.msg);
		if (d && gr_diag_name_sources(d, &w->ls->modules, &e) != GR_OK)  /* while go-link-* still exists */
			gr_lw_diag(w, "%s", e.msg);
		/* A partly dynamic link: a symbol only a library that a shared library
		 * of the link loads defines (gold, lld and mold say only "undefined"). */
		if (d && status != 0 && !w->ls->darwin && w->ls->mode == GR_LINK_THIRD_PARTY &&
		    gr_diag_dso_scan(d, (const char *const *)final->v, final->n, w->dirs, w->ndirs, &e) != GR_OK)
			gr_lw_diag(w, "%s", e.msg);
		free(traces);
		gr_spawn_result_free(&res);
		if (redo) {
			gr_diag_free(d);
			continue;
		}
		if (!d) {
			if (status != 0 && gr_lw_failover(w, final, NULL))
				continue;
			if (status == 0)
				gr_lw_matrix(w, final);
			gr_strvec_deinit(&gw);
			free(extra);
			return status;
		}
		/* Each repair is bounded: at most 3 regroupings and 3 --fix rounds. */
		if (status != 0 && regroups < 3 && gr_lw_group_order(w, d, final, rep)) {
			regroups++;
			gr_diag_free(d);
			continue;
		}
		if (status != 0 && w->ls->fix && fixes < 3) {
			fixes++;
			/* A shared library the link loads but does not name: name it. */
			for (i = 0; i < d->ndsos; i++) {
				const struct gr_diag_dso *x = &d->dsos[i];
				if (gr_lw_on_line(final, x->flag))
					continue;
				if (gr_strvec_push(final, x->flag) ||
				    gr_link_report_add_fix(rep, &(struct gr_rec_fix){ x->flag + 2, x->pkg, NULL, x->flag })) {
					oom = true;
					break;
				}
				fprintf(w->msg, "gorelink: --fix: adding %s (%s, which %s loads) and linking again\n", x->flag,
				        x->soname, x->via ? x->via : "a library of the link");
				added++;
			}
			for (i = 0; i < d->ngroups && !oom; i++) {
				const struct gr_diag_group *g = &d->groups[i];
				char flag[512];
				const char *add;
				if (!g->provider)
					continue;
				/* A library kept dynamic (third-party mode's system libraries,
				 * --allow-dynamic names) stays -lNAME: its archive (glibc's
				 * libm-2.36.a, then libc.a) in a dynamic link breaks the binary. */
				add = g->provider->path;
				if (gr_lw_kept_dynamic(w->ls, g->provider->lname) &&
				    (size_t)snprintf(flag, sizeof(flag), "-l%s", g->provider->lname) < sizeof(flag))
					add = flag;
				/* Already on the line: an order problem, which adding it again would hide. */
				if (gr_lw_on_line(final, add))
					continue;
				if (gr_strvec_push(final, add) ||
				    gr_link_report_add_fix(rep, &(struct gr_rec_fix){ g->provider->lname, g->pkg,
				                                                        add == flag ? NULL : g->provider->path, add })) {
					oom = true;
					break;
				}
				if (add == flag) {
					fprintf(w->msg, "gorelink: --fix: adding %s (kept dynamic in --%s mode) and linking again\n", flag,
					        gr_link_mode_name(w->ls->mode));
				} else {
					char t[4096];
					fprintf(w->msg, "gorelink: --fix: adding %s (-l%s) and linking again\n",
					        gr_lw_tidy(g->provider->path, t, sizeof(t)), g->provider->lname);
				}
				added++;
			}
		}
		if (oom) {
			gr_lw_diag(w, "--fix: out of memory; not linking again");
			added = 0;
		}
		if (status != 0 && !added && gr_lw_failover(w, final, d)) {
			gr_diag_free(d);
			continue;
		}
		if (status == 0 || !added) {
			gr_lw_explain(w, d, status != 0, rep);
			if (status == 0)
				gr_lw_matrix(w, final);
			gr_diag_free(d);
			gr_strvec_deinit(&gw);
			free(extra);
			return status;
		}
		gr_diag_free(d);
	}
}

/* Whether lib is one of the state's --stub names. */
static bool
gr_lw_stubbed(const struct gr_linkstate *ls, const char *lib)
{
	size_t i;

	for (i = 0; lib && i < ls->stubs.n; i++)
		if (!strcmp(ls->stubs.v[i], lib))
			return true;
	return false;
}

/* The archive standing in for -lNAME, or NULL. */
static const char *
gr_lw_stub_for(const struct gr_stub_plan *p, const char *lib)
{
	size_t i;

	for (i = 0; i < p->nlibs; i++)
		if (!strcmp(p->libs[i], lib))
			return p->archives[i];
	return NULL;
}

/* Copy in to out with "-lNAME" and "-l NAME" of a stubbed library replaced by its archive. */
static int
gr_lw_stub_subst(const struct gr_stub_plan *p, char *const *in, size_t n, struct gr_strvec *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = NULL;
		if (!strncmp(in[i], "-l", 2) && in[i][2])
			a = gr_lw_stub_for(p, in[i] + 2);
		else if (!strcmp(in[i], "-l") && i + 1 < n && (a = gr_lw_stub_for(p, in[i + 1])) != NULL)
			i++;
		if (gr_strvec_push(out, a ? a : in[i]))
			return GR_ENOMEM;
	}
	return GR_OK;
}

/* Print the list of callers (at most max). */
static void
gr_lw_callers(FILE *f, const char *const *v, size_t n, size_t max)
{
	if (!n) {
		fputs("no caller found", f);
		return;
	}
	fputs("called by ", f);
	gr_lw_list(f, v, n, max);
}

int
gr_linkwrap_stub(const struct gr_linkwrap *w, const struct gr_toolchain *tc, char *const *args, size_t n,
                 const char *dir, struct gr_strvec *final, struct gr_rw_result **rw, struct gr_link_report *rep,
                 struct gr_error *err)
{
	const struct gr_linkstate *ls = w->ls;
	struct gr_strvec libs, inputs, args2, out;
	struct gr_stub_plan *plan = NULL;
	struct gr_rw_result *rw2 = NULL;
	struct gr_linkstate ls2;
	struct gr_stub_req rq;
	char *sub = NULL, tidy[4096];
	size_t i, k;
	int rc = GR_OK;

	gr_strvec_init(&libs);
	gr_strvec_init(&inputs);
	gr_strvec_init(&args2);
	gr_strvec_init(&out);
	for (i = 0; i < (*rw)->ntokens && !rc; i++) {
		const struct gr_rw_token *t = &(*rw)->tokens[i];
		size_t l;
		bool dup = false;
		if (t->kind == GR_RW_LIBRARY && t->missing && gr_lw_stubbed(ls, t->lib)) {
			for (k = 0; k < libs.n && !dup; k++)
				dup = !strcmp(libs.v[k], t->lib);
			if (!dup)
				rc = gr_strvec_push(&libs, t->lib);
		} else if (t->kind == GR_RW_LIBRARY && !t->missing && !t->kept) {
			for (k = 0; k < t->noutput && !rc; k++)
				if (t->output[k][0] == '/' && (l = strlen(t->output[k])) > 2 && !strcmp(t->output[k] + l - 2, ".a"))
					rc = gr_strvec_push(&inputs, t->output[k]);
		} else if (t->kind == GR_RW_OTHER && !t->missing && t->input[0] != '-' && (l = strlen(t->input)) > 2 &&
		           (!strcmp(t->input + l - 2, ".o") || !strcmp(t->input + l - 2, ".a"))) {
			rc = gr_strvec_push(&inputs, t->input);
		}
	}
	if (rc) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
		goto out;
	}
	if (!libs.n) {
		rc = GR_ENOTFOUND;  /* nothing for --stub to do: the caller explains what is missing */
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	rq.env = w->env;
	rq.libs = (const char *const *)libs.v;
	rq.nlibs = libs.n;
	rq.inputs = (const char *const *)inputs.v;
	rq.ninputs = inputs.n;
	rq.dirs = (const char *const *)(*rw)->search.dirs;
	rq.ndirs = (*rw)->search.ndirs;
	if ((rc = gr_stub_plan(&rq, &plan, err))) {
		if (rc == GR_ENOTFOUND) {
			/* No shared library to read the symbols from: say so, refuse. */
			fprintf(w->msg, "gorelink: %s\n", err->msg);
			rc = GR_EUSAGE;
		}
		goto out;
	}
	for (i = 0; i < plan->nfns; i++) {
		const struct gr_stub_fn *f = &plan->fns[i];
		struct gr_rec_stub x = { f->lib, f->sym, gr_stub_ret_name(f->ret), f->type, f->why, f->callers, f->ncallers };
		if (gr_link_report_add_stub(rep, &x)) {
			rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
			goto out;
		}
	}
	if (plan->nrefused) {
		for (k = 0; k < plan->nlibs; k++) {
			fprintf(w->msg, "gorelink: --stub %s: cannot stand in for what the link needs from %s:\n", plan->libs[k],
			        plan->shared[k]);
			for (i = 0; i < plan->nfns; i++) {
				const struct gr_stub_fn *f = &plan->fns[i];
				if (!f->why || strcmp(f->lib, plan->libs[k]))
					continue;
				fprintf(w->msg, "  %s: %s; ", f->sym, f->why);
				gr_lw_callers(w->msg, f->callers, f->ncallers, 3);
				fputc('\n', w->msg);
			}
		}
		fputs("  (a stub function returns failure: -1 with errno ENOSYS, NULL, or nothing; data and other returns have no failure value)\n",
		      w->msg);
		rc = gr_error_set(err, GR_EUSAGE, 0, "--stub: %zu symbol%s cannot be stubbed", plan->nrefused,
		                  plan->nrefused == 1 ? "" : "s");
		goto out;
	}
	if (!(sub = malloc(strlen(dir) + 16))) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
		goto out;
	}
	snprintf(sub, strlen(dir) + 16, "%s/stub.XXXXXX", dir);
	if (!mkdtemp(sub)) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", sub, strerror(errno));
		goto out;
	}
	if ((rc = gr_stub_build(w->env, &ls->cc, sub, plan, err)))
		goto out;
	for (k = 0; k < plan->nlibs; k++) {
		size_t nf = 0;
		for (i = 0; i < plan->nfns; i++)
			nf += !strcmp(plan->fns[i].lib, plan->libs[k]);
		fprintf(w->msg,
		        "gorelink: --stub %s: %zu function%s of %s replaced by stubs that fail (this build trades what they do for a static binary):\n",
		        plan->libs[k], nf, nf == 1 ? "" : "s", gr_lw_tidy(plan->shared[k], tidy, sizeof(tidy)));
		for (i = 0; i < plan->nfns; i++) {
			const struct gr_stub_fn *f = &plan->fns[i];
			if (strcmp(f->lib, plan->libs[k]))
				continue;
			fprintf(w->msg, "  %s %s(...) %s; ", f->type, f->sym,
			        f->ret == GR_STUB_RET_INT ? "returns -1, errno ENOSYS" :
			        f->ret == GR_STUB_RET_PTR ? "returns NULL" : "does nothing");
			gr_lw_callers(w->msg, f->callers, f->ncallers, 3);
			fputc('\n', w->msg);
		}
	}
	/* The link again, each -lNAME now its stub archive, where it stood. */
	ls2 = *ls;
	gr_strvec_init(&ls2.extra);
	/* The libraries the flags bring (a .pc or an inferred closure) too. */
	ls2.stub_lib = plan->libs;
	ls2.stub_archive = plan->archives;
	ls2.nstub = plan->nlibs;
	if (gr_lw_stub_subst(plan, args, n, &args2) ||
	    gr_lw_stub_subst(plan, ls->extra.v, ls->extra.n, &ls2.extra)) {
		gr_strvec_deinit(&ls2.extra);
		rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
		goto out;
	}
	rc = gr_extld_rewrite(w->env, &ls2, tc, args2.v, args2.n, &out, &rw2, err);
	gr_strvec_deinit(&ls2.extra);
	if (rc && rc != GR_ENOTFOUND) {
		gr_rw_result_free(rw2);
		goto out;
	}
	gr_rw_result_free(*rw);
	*rw = rw2;
	gr_strvec_deinit(final);
	*final = out;
	gr_strvec_init(&out);
out:
	free(sub);
	gr_stub_plan_free(plan);
	gr_strvec_deinit(&libs);
	gr_strvec_deinit(&inputs);
	gr_strvec_deinit(&args2);
	gr_strvec_deinit(&out);
	return rc;
}
