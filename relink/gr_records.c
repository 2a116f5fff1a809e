#include "gr_records.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_file.h"
#include "gr_kv.h"

#define GR_REC_VERSION "1"
#define GR_REC_STATE "gorelink-link-state"
#define GR_REC_REPORT "gorelink-link-report"
#define GR_REC_PKGLOG "gorelink-pkg-log"
#define GR_REC_MAXFIELDS 9

/* ---- framing: writing ----------------------------------------------------- */

/* One record: the keyword and n fields (gr_kv_record). */
static void
gr_rec_put(struct gr_kvbuf *b, const char *kw, size_t n, const char *const *fields)
{
	gr_kv_record(b, kw, n, fields);
}

/* A record of one field. */
static void
gr_rec_put1(struct gr_kvbuf *b, const char *kw, const char *v)
{
	gr_rec_put(b, kw, 1, &v);
}

/* The version line of a format. */
static void
gr_rec_header(struct gr_kvbuf *b, const char *magic)
{
	gr_kv_raw(b, magic, strlen(magic));
	gr_kv_raw(b, " " GR_REC_VERSION "\n", sizeof(GR_REC_VERSION) + 1);
}

/* Write the buffer to path through a temporary file beside it. */
static int
gr_rec_commit(const char *path, struct gr_kvbuf *b, const char *what, struct gr_error *err)
{
	size_t l = strlen(path);
	char *tmp;
	int fd, e = 0;
	size_t off = 0;

	if (b->nomem)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", what);
	if (!(tmp = malloc(l + 8)))
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", what);
	snprintf(tmp, l + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		e = errno;
		free(tmp);
		return gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e));
	}
	while (off < b->n && !e) {
		ssize_t w = write(fd, b->p + off, b->n - off);
		if (w < 0 && errno != EINTR)
			e = errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e)
		unlink(tmp);
	free(tmp);
	return e ? gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e)) : GR_OK;
}

/* ---- framing: reading ----------------------------------------------------- */

struct gr_rec_reader {
	const char *path;
	const char *what;     /* "link state", for messages */
	char *text, *cur;
	size_t line;          /* of the record last read */
	char *fields[GR_REC_MAXFIELDS];
	size_t nfields;
};

/* Read path and check its version line. */
static int
gr_rec_open(struct gr_rec_reader *r, const char *path, const char *magic, const char *what,
            struct gr_error *err)
{
	size_t ml = strlen(magic);
	FILE *f;
	char *nl;
	int rc;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->what = what;
	if (!(f = fopen(path, "r")))
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	rc = gr_file_read_all(f, (size_t)-1, &r->text, NULL);
	fclose(f);
	if (rc == GR_EIO)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	r->line = 1;
	nl = strchr(r->text, '\n');
	if (nl)
		*nl = '\0';
	if (!strncmp(r->text, magic, ml) && r->text[ml] == ' ') {
		if (strcmp(r->text + ml + 1, GR_REC_VERSION) != 0) {
			gr_error_set(err, GR_EFORMAT, 0,
			             "%s: %s version %.32s, but this gorelink reads version " GR_REC_VERSION
			             " (written by another gorelink?)", path, what, r->text + ml + 1);
			goto bad;
		}
		if (nl) {
			r->cur = nl + 1;
			return GR_OK;
		}
		gr_error_set(err, GR_EFORMAT, 0, "%s:1: truncated %s (the version line has no newline)", path, what);
		goto bad;
	}
	gr_error_set(err, GR_EFORMAT, 0, "%s:1: not a %s (its first line is not '%s " GR_REC_VERSION "')", path,
	             what, magic);
bad:
	free(r->text);
	r->text = NULL;
	return GR_EFORMAT;
}

static void
gr_rec_close(struct gr_rec_reader *r)
{
	free(r->text);
	r->text = NULL;
}

/* The next record: *kw is its keyword (NULL at the end), r->fields its fields. */
static int
gr_rec_next(struct gr_rec_reader *r, const char **kw, struct gr_error *err)
{
	char *line = r->cur, *nl, *p;

	*kw = NULL;
	r->nfields = 0;
	if (!line || !*line)
		return GR_OK;
	r->line++;
	if (!(nl = strchr(line, '\n')))
		return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: truncated %s (the last line has no newline)", r->path,
		                    r->line, r->what);
	*nl = '\0';
	r->cur = nl + 1;
	for (p = line; *p && *p != '\t'; p++)
		;
	if (p == line)
		return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: a record without a keyword", r->path, r->line);
	while (*p == '\t') {
		char *f = p + 1;
		*p = '\0';
		for (p = f; *p && *p != '\t'; p++)
			;
		if (r->nfields == GR_REC_MAXFIELDS)
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: too many fields", r->path, r->line);
		{
			char term = *p;
			*p = '\0';
			if (!gr_kv_unescape_field(f, &r->fields[r->nfields]))
				return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: a bad escape in field %zu", r->path, r->line,
				                    r->nfields + 1);
			*p = term;
		}
		r->nfields++;
	}
	*kw = line;
	return GR_OK;
}

/* The record has n fields, and those in the mask required (bit i: field i) are not NULL. */
static int
gr_rec_want(struct gr_rec_reader *r, const char *kw, size_t n, unsigned required, struct gr_error *err)
{
	size_t i;

	if (r->nfields != n)
		return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: '%s' has %zu field%s, not %zu", r->path, r->line, kw,
		                    r->nfields, r->nfields == 1 ? "" : "s", n);
	for (i = 0; i < n; i++)
		if ((required >> i & 1) && !r->fields[i])
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: '%s' field %zu is empty (\\N)", r->path, r->line,
			                    kw, i + 1);
	return GR_OK;
}

static int
gr_rec_unknown(struct gr_rec_reader *r, const char *kw, struct gr_error *err)
{
	return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: unknown record '%.64s' in a %s", r->path, r->line, kw,
	                    r->what);
}

/* ---- the link state ------------------------------------------------------- */

void
gr_linkstate_init(struct gr_linkstate *ls)
{
	memset(ls, 0, sizeof(*ls));
	gr_strvec_init(&ls->cc);
	gr_strvec_init(&ls->cxx);
	gr_strvec_init(&ls->extra);
	gr_strvec_init(&ls->extra_origin);
	gr_strvec_init(&ls->allow);
	gr_strvec_init(&ls->system_libs);
	gr_strvec_init(&ls->stubs);
	gr_strvec_init(&ls->modules);
	gr_strvec_init(&ls->maxver);
}

void
gr_linkstate_deinit(struct gr_linkstate *ls)
{
	gr_strvec_deinit(&ls->cc);
	gr_strvec_deinit(&ls->cxx);
	gr_strvec_deinit(&ls->extra);
	gr_strvec_deinit(&ls->extra_origin);
	gr_strvec_deinit(&ls->allow);
	gr_strvec_deinit(&ls->system_libs);
	gr_strvec_deinit(&ls->stubs);
	gr_strvec_deinit(&ls->modules);
	gr_strvec_deinit(&ls->maxver);
	free(ls->report);
	ls->report = NULL;
	free(ls->darwin_arch);
	ls->darwin_arch = NULL;
	free(ls->syslibroot);
	ls->syslibroot = NULL;
	free(ls->pkglog);
	ls->pkglog = NULL;
	free(ls->linker);
	ls->linker = NULL;
	free(ls->kit);
	ls->kit = NULL;
	free(ls->kit_name);
	ls->kit_name = NULL;
	free(ls->manifest_salt);
	ls->manifest_salt = NULL;
	free(ls->manifest_epoch);
	ls->manifest_epoch = NULL;
	ls->darwin = false;
	ls->no_infer = false;
	ls->no_manifest = false;
	ls->linker_soft = false;
}

const char *
gr_link_mode_name(enum gr_link_mode m)
{
	switch (m) {
	case GR_LINK_STATIC: return "static";
	case GR_LINK_STATIC_PIE: return "static-pie";
	case GR_LINK_THIRD_PARTY: return "third-party";
	}
	return "static";
}

static void
gr_rec_put_all(struct gr_kvbuf *b, const char *kw, const struct gr_strvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		gr_rec_put1(b, kw, v->v[i]);
}

int
gr_linkstate_write(const char *path, const struct gr_linkstate *ls, struct gr_error *err)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	size_t i;
	int rc;

	gr_rec_header(&b, GR_REC_STATE);
	gr_rec_put1(&b, "mode", gr_link_mode_name(ls->mode));
	gr_rec_put_all(&b, "cc", &ls->cc);
	gr_rec_put_all(&b, "cxx", &ls->cxx);
	for (i = 0; i < ls->extra.n; i++) {
		const char *f[2] = { ls->extra.v[i], i < ls->extra_origin.n ? ls->extra_origin.v[i] : "--pkg" };
		gr_rec_put(&b, "extra", 2, f);
	}
	gr_rec_put_all(&b, "allow", &ls->allow);
	gr_rec_put_all(&b, "system-lib", &ls->system_libs);
	gr_rec_put_all(&b, "stub", &ls->stubs);
	gr_rec_put_all(&b, "maxver", &ls->maxver);
	for (i = 0; i + 2 < ls->modules.n; i += 3)
		gr_rec_put(&b, "module", 3, (const char *const *)ls->modules.v + i);
	if (ls->report)
		gr_rec_put1(&b, "report", ls->report);
	if (ls->fix)
		gr_rec_put(&b, "fix", 0, NULL);
	if (ls->darwin)
		gr_rec_put1(&b, "darwin", ls->darwin_arch);
	if (ls->syslibroot)
		gr_rec_put1(&b, "syslibroot", ls->syslibroot);
	if (ls->no_infer)
		gr_rec_put(&b, "no-infer", 0, NULL);
	if (ls->no_manifest)
		gr_rec_put(&b, "no-manifest", 0, NULL);
	if (ls->pkglog)
		gr_rec_put1(&b, "pkglog", ls->pkglog);
	if (ls->linker)
		gr_rec_put1(&b, "linker", ls->linker);
	if (ls->linker_soft)
		gr_rec_put(&b, "linker-soft", 0, NULL);
	if (ls->kit)
		gr_rec_put(&b, "kit", 2, (const char *const[]){ ls->kit, ls->kit_name });
	if (ls->manifest)
		gr_rec_put(&b, "manifest", 0, NULL);
	if (ls->manifest_salt || ls->manifest_epoch)
		gr_rec_put(&b, "manifest-keys", 2, (const char *const[]){ ls->manifest_salt, ls->manifest_epoch });
	rc = gr_rec_commit(path, &b, "link state", err);
	free(b.p);
	return rc;
}

/* Replace *dst by a copy of s (NULL stays NULL); false when out of memory. */
static bool
gr_rec_set(char **dst, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		return false;
	free(*dst);
	*dst = d;
	return true;
}

/* One link-state record into ls. */
static int
gr_linkstate_record(struct gr_rec_reader *r, const char *kw, struct gr_linkstate *ls, struct gr_error *err)
{
	char **f = r->fields;
	struct gr_strvec *list = !strcmp(kw, "cc") ? &ls->cc : !strcmp(kw, "cxx") ? &ls->cxx :
	                         !strcmp(kw, "allow") ? &ls->allow : !strcmp(kw, "system-lib") ? &ls->system_libs :
	                         !strcmp(kw, "stub") ? &ls->stubs : !strcmp(kw, "maxver") ? &ls->maxver : NULL;
	bool ok = true;
	int rc;

	if (list) {
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		ok = gr_strvec_push(list, f[0]) == GR_OK;
	} else if (!strcmp(kw, "mode")) {
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		if (!strcmp(f[0], "static"))
			ls->mode = GR_LINK_STATIC;
		else if (!strcmp(f[0], "static-pie"))
			ls->mode = GR_LINK_STATIC_PIE;
		else if (!strcmp(f[0], "third-party"))
			ls->mode = GR_LINK_THIRD_PARTY;
		else
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: unknown mode '%.64s'", r->path, r->line, f[0]);
	} else if (!strcmp(kw, "extra")) {
		if ((rc = gr_rec_want(r, kw, 2, 3, err)))
			return rc;
		ok = gr_strvec_push(&ls->extra, f[0]) == GR_OK && gr_strvec_push(&ls->extra_origin, f[1]) == GR_OK;
	} else if (!strcmp(kw, "module")) {
		if ((rc = gr_rec_want(r, kw, 3, 7, err)))
			return rc;
		ok = gr_strvec_push(&ls->modules, f[0]) == GR_OK && gr_strvec_push(&ls->modules, f[1]) == GR_OK &&
		     gr_strvec_push(&ls->modules, f[2]) == GR_OK;
	} else if (!strcmp(kw, "report") || !strcmp(kw, "syslibroot") || !strcmp(kw, "pkglog")) {
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		ok = gr_rec_set(kw[0] == 'r' ? &ls->report : kw[0] == 's' ? &ls->syslibroot : &ls->pkglog, f[0]);
	} else if (!strcmp(kw, "linker")) {
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		ok = gr_rec_set(&ls->linker, f[0]);
	} else if (!strcmp(kw, "linker-soft")) {
		if ((rc = gr_rec_want(r, kw, 0, 0, err)))
			return rc;
		ls->linker_soft = true;
	} else if (!strcmp(kw, "kit")) {
		if ((rc = gr_rec_want(r, kw, 2, 1, err)))
			return rc;
		ok = gr_rec_set(&ls->kit, f[0]) && gr_rec_set(&ls->kit_name, f[1]);
	} else if (!strcmp(kw, "manifest")) {
		if ((rc = gr_rec_want(r, kw, 0, 0, err)))
			return rc;
		ls->manifest = true;
	} else if (!strcmp(kw, "manifest-keys")) {
		if ((rc = gr_rec_want(r, kw, 2, 0, err)))
			return rc;
		ok = gr_rec_set(&ls->manifest_salt, f[0]) && gr_rec_set(&ls->manifest_epoch, f[1]);
	} else if (!strcmp(kw, "fix") || !strcmp(kw, "no-infer")) {
		if ((rc = gr_rec_want(r, kw, 0, 0, err)))
			return rc;
		if (kw[0] == 'f')
			ls->fix = true;
		else
			ls->no_infer = true;
	} else if (!strcmp(kw, "no-manifest")) {
		if ((rc = gr_rec_want(r, kw, 0, 0, err)))
			return rc;
		ls->no_manifest = true;
	} else if (!strcmp(kw, "darwin")) {
		if ((rc = gr_rec_want(r, kw, 1, 0, err)))
			return rc;
		ls->darwin = true;
		ok = gr_rec_set(&ls->darwin_arch, f[0] && *f[0] ? f[0] : NULL);
	} else {
		return gr_rec_unknown(r, kw, err);
	}
	return ok ? GR_OK : gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", r->path);
}

int
gr_linkstate_read(const char *path, struct gr_linkstate *ls, struct gr_error *err)
{
	struct gr_rec_reader r;
	const char *kw;
	int rc;

	if ((rc = gr_rec_open(&r, path, GR_REC_STATE, "link state", err)))
		return rc;
	gr_linkstate_init(ls);
	while ((rc = gr_rec_next(&r, &kw, err)) == GR_OK && kw)
		if ((rc = gr_linkstate_record(&r, kw, ls, err)))
			break;
	gr_rec_close(&r);
	if (rc == GR_OK && ls->cc.n == 0)
		rc = gr_error_set(err, GR_EFORMAT, 0, "%s: a link state without a compiler ('cc' record)", path);
	if (rc)
		gr_linkstate_deinit(ls);
	return rc;
}

/* ---- the link report ------------------------------------------------------ */

void
gr_link_report_init(struct gr_link_report *r)
{
	memset(r, 0, sizeof(*r));
	gr_arena_init(&r->arena);
}

void
gr_link_report_deinit(struct gr_link_report *r)
{
	gr_arena_deinit(&r->arena);
	gr_link_report_init(r);
}

/* A copy in the report's arena; *ok cleared when out of memory (NULL stays NULL). */
static const char *
gr_rep_dup(struct gr_link_report *r, const char *s, bool *ok)
{
	const char *d = s ? gr_arena_strdup(&r->arena, s) : NULL;

	if (s && !d)
		*ok = false;
	return d;
}

/* Make room for one more element in an array of the report. */
#define GR_REP_GROW(r, arr, n, cap) \
	gr_arena_grow(&(r)->arena, (void **)&(r)->arr, (r)->n, &(r)->cap, sizeof(*(r)->arr))

static int
gr_rep_word(struct gr_link_report *r, const char ***arr, size_t *n, size_t *cap, const char *s)
{
	const char *d = gr_arena_strdup(&r->arena, s);

	if (!d || !gr_arena_grow(&r->arena, (void **)arr, *n, cap, sizeof(**arr)))
		return GR_ENOMEM;
	(*arr)[(*n)++] = d;
	return GR_OK;
}

int
gr_link_report_add_argv(struct gr_link_report *r, const char *word)
{
	return gr_rep_word(r, &r->argv, &r->nargv, &r->cargv, word);
}

int
gr_link_report_add_archive(struct gr_link_report *r, const char *path)
{
	return gr_rep_word(r, &r->archives, &r->narchives, &r->carchives, path);
}

int
gr_link_report_add_kept(struct gr_link_report *r, const char *lname)
{
	return gr_rep_word(r, &r->kept, &r->nkept, &r->ckept, lname);
}

int
gr_link_report_add_dropped(struct gr_link_report *r, const char *lib, const char *via)
{
	bool ok = true;
	struct gr_rec_dropped d = { gr_rep_dup(r, lib, &ok), gr_rep_dup(r, via, &ok) };

	if (!ok || !d.lib || !GR_REP_GROW(r, dropped, ndropped, cdropped))
		return GR_ENOMEM;
	r->dropped[r->ndropped++] = d;
	return GR_OK;
}

int
gr_link_report_add_floorref(struct gr_link_report *r, const struct gr_rec_floorref *x)
{
	bool ok = true;
	struct gr_rec_floorref d = { gr_rep_dup(r, x->symbol, &ok), gr_rep_dup(r, x->version, &ok),
	                             gr_rep_dup(r, x->kind, &ok),   gr_rep_dup(r, x->file, &ok),
	                             gr_rep_dup(r, x->member, &ok), gr_rep_dup(r, x->sources, &ok),
	                             gr_rep_dup(r, x->package, &ok), gr_rep_dup(r, x->module, &ok),
	                             gr_rep_dup(r, x->deb, &ok) };

	if (!ok || !d.symbol || !d.version || !d.kind || !GR_REP_GROW(r, floorrefs, nfloorrefs, cfloorrefs))
		return GR_ENOMEM;
	r->floorrefs[r->nfloorrefs++] = d;
	return GR_OK;
}

int
gr_link_report_add_loaded(struct gr_link_report *r, const struct gr_rec_loaded *x)
{
	bool ok = true;
	struct gr_rec_loaded d = { gr_rep_dup(r, x->kind, &ok), gr_rep_dup(r, x->path, &ok), gr_rep_dup(r, x->member, &ok),
	                           gr_rep_dup(r, x->sha256, &ok), gr_rep_dup(r, x->module, &ok),
	                           gr_rep_dup(r, x->source, &ok) };

	if (!ok || !d.kind || !d.path || !GR_REP_GROW(r, loaded, nloaded, cloaded))
		return GR_ENOMEM;
	r->loaded[r->nloaded++] = d;
	return GR_OK;
}

int
gr_link_report_set_traced(struct gr_link_report *r, const char *how)
{
	bool ok = true;

	r->traced = gr_rep_dup(r, how, &ok);
	return ok ? GR_OK : GR_ENOMEM;
}

int
gr_link_report_add_missing(struct gr_link_report *r, bool file, const char *name, const char *chain)
{
	bool ok = true;
	struct gr_rec_missing m = { file, gr_rep_dup(r, name, &ok), gr_rep_dup(r, chain, &ok) };

	if (!ok || !GR_REP_GROW(r, missing, nmissing, cmissing))
		return GR_ENOMEM;
	r->missing[r->nmissing++] = m;
	return GR_OK;
}

int
gr_link_report_add_undefined(struct gr_link_report *r, const struct gr_rec_undefined *u)
{
	bool ok = true;
	struct gr_rec_undefined c = { gr_rep_dup(r, u->lname, &ok), gr_rep_dup(r, u->pkg, &ok),
	                              gr_rep_dup(r, u->archive, &ok), gr_rep_dup(r, u->option, &ok) };

	if (!ok || !GR_REP_GROW(r, undefined, nundefined, cundefined))
		return GR_ENOMEM;
	r->undefined[r->nundefined++] = c;
	return GR_OK;
}

int
gr_link_report_add_finding(struct gr_link_report *r, const struct gr_rec_finding *f)
{
	bool ok = true;
	struct gr_rec_finding c = { gr_rep_dup(r, f->symbol, &ok), gr_rep_dup(r, f->source, &ok),
	                            gr_rep_dup(r, f->function, &ok), gr_rep_dup(r, f->remedy, &ok),
	                            gr_rep_dup(r, f->library, &ok), gr_rep_dup(r, f->loader, &ok),
	                            gr_rep_dup(r, f->fails, &ok) };

	if (!ok || !GR_REP_GROW(r, findings, nfindings, cfindings))
		return GR_ENOMEM;
	r->findings[r->nfindings++] = c;
	return GR_OK;
}

int
gr_link_report_add_fix(struct gr_link_report *r, const struct gr_rec_fix *x)
{
	bool ok = true;
	struct gr_rec_fix c = { gr_rep_dup(r, x->lname, &ok), gr_rep_dup(r, x->pkg, &ok),
	                        gr_rep_dup(r, x->archive, &ok), gr_rep_dup(r, x->flag ? x->flag : x->archive, &ok) };

	if (!ok || !GR_REP_GROW(r, fixes, nfixes, cfixes))
		return GR_ENOMEM;
	r->fixes[r->nfixes++] = c;
	return GR_OK;
}

int
gr_link_report_add_order(struct gr_link_report *r, const struct gr_rec_order *o)
{
	bool ok = true;
	struct gr_rec_order c = { gr_rep_dup(r, o->strategy, &ok), gr_rep_dup(r, o->needs, &ok),
	                          gr_rep_dup(r, o->provider, &ok) };

	if (!ok || !GR_REP_GROW(r, order, norder, corder))
		return GR_ENOMEM;
	r->order[r->norder++] = c;
	return GR_OK;
}

int
gr_link_report_add_stub(struct gr_link_report *r, const struct gr_rec_stub *x)
{
	bool ok = true;
	struct gr_rec_stub c = { gr_rep_dup(r, x->lib, &ok), gr_rep_dup(r, x->function, &ok), gr_rep_dup(r, x->ret, &ok),
	                         gr_rep_dup(r, x->type, &ok), gr_rep_dup(r, x->refused, &ok), NULL, x->ncallers };
	const char **callers = x->ncallers ? gr_arena_alloc(&r->arena, x->ncallers * sizeof(*callers)) : NULL;
	size_t i;

	if (x->ncallers && !callers)
		return GR_ENOMEM;
	for (i = 0; i < x->ncallers; i++)
		callers[i] = gr_rep_dup(r, x->callers[i], &ok);
	c.callers = callers;
	if (!ok || !GR_REP_GROW(r, stubs, nstubs, cstubs))
		return GR_ENOMEM;
	r->stubs[r->nstubs++] = c;
	return GR_OK;
}

/* Copy n strings into the report's arena (NULL when n is 0). */
static const char *const *
gr_rep_dupv(struct gr_link_report *r, const char *const *v, size_t n, bool *ok)
{
	const char **c;
	size_t i;

	if (!n)
		return NULL;
	if (!(c = gr_arena_alloc(&r->arena, n * sizeof(*c)))) {
		*ok = false;
		return NULL;
	}
	for (i = 0; i < n; i++)
		c[i] = gr_rep_dup(r, v[i], ok);
	return c;
}

int
gr_link_report_add_inferred(struct gr_link_report *r, const struct gr_rec_inferred *x)
{
	bool ok = true;
	struct gr_rec_inferred c = { gr_rep_dup(r, x->lname, &ok), gr_rep_dup(r, x->package, &ok),
	                             gr_rep_dup(r, x->rule, &ok), gr_rep_dup(r, x->why, &ok),
	                             gr_rep_dup(r, x->via, &ok), NULL, x->nalternatives, NULL, x->nadded };

	c.alternatives = gr_rep_dupv(r, x->alternatives, x->nalternatives, &ok);
	c.added = gr_rep_dupv(r, x->added, x->nadded, &ok);
	if (!ok || !GR_REP_GROW(r, inferred, ninferred, cinferred))
		return GR_ENOMEM;
	r->inferred[r->ninferred++] = c;
	return GR_OK;
}

int
gr_link_report_set_status(struct gr_link_report *r, int status, const char *killed)
{
	bool ok = true;

	r->has_status = true;
	r->status = status;
	r->killed = gr_rep_dup(r, killed, &ok);
	return ok ? GR_OK : GR_ENOMEM;
}

int
gr_link_report_set_kit(struct gr_link_report *r, const char *error)
{
	bool ok = true;

	r->kit_written = !error;
	r->kit_error = gr_rep_dup(r, error, &ok);
	return ok ? GR_OK : GR_ENOMEM;
}

int
gr_link_report_write(const char *path, const struct gr_link_report *r, struct gr_error *err)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	char num[32];
	size_t i;
	int rc;

	gr_rec_header(&b, GR_REC_REPORT);
	for (i = 0; i < r->nargv; i++)
		gr_rec_put1(&b, "argv", r->argv[i]);
	for (i = 0; i < r->nmissing; i++)
		gr_rec_put(&b, r->missing[i].file ? "missing-file" : "missing-lib", 2,
		           (const char *const[]){ r->missing[i].name, r->missing[i].chain });
	for (i = 0; i < r->nkept; i++)
		gr_rec_put1(&b, "kept", r->kept[i]);
	for (i = 0; i < r->narchives; i++)
		gr_rec_put1(&b, "archive", r->archives[i]);
	if (r->has_status) {
		snprintf(num, sizeof(num), "%d", r->status);
		gr_rec_put1(&b, "status", num);
	}
	if (r->killed)
		gr_rec_put1(&b, "killed", r->killed);
	for (i = 0; i < r->nundefined; i++) {
		const struct gr_rec_undefined *u = &r->undefined[i];
		gr_rec_put(&b, "undefined", 4, (const char *const[]){ u->lname, u->pkg, u->archive, u->option });
	}
	for (i = 0; i < r->nfindings; i++) {
		const struct gr_rec_finding *f = &r->findings[i];
		gr_rec_put(&b, "finding", 7, (const char *const[]){ f->symbol, f->source, f->function, f->remedy,
		                                                    f->library, f->loader, f->fails });
	}
	for (i = 0; i < r->nfixes; i++) {
		const struct gr_rec_fix *x = &r->fixes[i];
		gr_rec_put(&b, "fix", 4, (const char *const[]){ x->lname, x->pkg, x->archive, x->flag });
	}
	for (i = 0; i < r->norder; i++) {
		const struct gr_rec_order *o = &r->order[i];
		gr_rec_put(&b, "order", 3, (const char *const[]){ o->strategy, o->needs, o->provider });
	}
	for (i = 0; i < r->nstubs; i++) {
		/* The callers in one field, a newline between them (escaped as \n). */
		const struct gr_rec_stub *x = &r->stubs[i];
		struct gr_kvbuf cb = { NULL, 0, 0, false };
		size_t k;
		for (k = 0; k < x->ncallers; k++) {
			if (k)
				gr_kv_raw(&cb, "\n", 1);
			gr_kv_raw(&cb, x->callers[k], strlen(x->callers[k]));
		}
		gr_kv_raw(&cb, "", 1);
		if (cb.nomem)
			b.nomem = true;
		else
			gr_rec_put(&b, "stub", 6, (const char *const[]){ x->lib, x->function, x->ret, x->type, x->refused, cb.p });
		free(cb.p);
	}
	for (i = 0; i < r->ninferred; i++) {
		/* The alternatives and the added flags each in one field, a newline between them. */
		const struct gr_rec_inferred *x = &r->inferred[i];
		struct gr_kvbuf ab = { NULL, 0, 0, false }, fb = { NULL, 0, 0, false };
		size_t k;
		for (k = 0; k < x->nalternatives; k++) {
			if (k)
				gr_kv_raw(&ab, "\n", 1);
			gr_kv_raw(&ab, x->alternatives[k], strlen(x->alternatives[k]));
		}
		for (k = 0; k < x->nadded; k++) {
			if (k)
				gr_kv_raw(&fb, "\n", 1);
			gr_kv_raw(&fb, x->added[k], strlen(x->added[k]));
		}
		gr_kv_raw(&ab, "", 1);
		gr_kv_raw(&fb, "", 1);
		if (ab.nomem || fb.nomem)
			b.nomem = true;
		else
			gr_rec_put(&b, "inferred", 7,
			           (const char *const[]){ x->lname, x->package, x->rule, x->why, x->via, ab.p, fb.p });
		free(ab.p);
		free(fb.p);
	}
	for (i = 0; i < r->ndropped; i++)
		gr_rec_put(&b, "dropped", 2, (const char *const[]){ r->dropped[i].lib, r->dropped[i].via });
	for (i = 0; i < r->nfloorrefs; i++) {
		const struct gr_rec_floorref *x = &r->floorrefs[i];
		gr_rec_put(&b, "floorref", 9, (const char *const[]){ x->symbol, x->version, x->kind, x->file, x->member,
		                                                      x->sources, x->package, x->module, x->deb });
	}
	if (r->traced)
		gr_rec_put1(&b, "traced", r->traced);
	for (i = 0; i < r->nloaded; i++) {
		const struct gr_rec_loaded *x = &r->loaded[i];
		gr_rec_put(&b, "loaded", 6, (const char *const[]){ x->kind, x->path, x->member, x->sha256, x->module, x->source });
	}
	if (r->links) {
		snprintf(num, sizeof(num), "%u", r->links);
		gr_rec_put1(&b, "links", num);
	}
	if (r->kit_written || r->kit_error)
		gr_rec_put1(&b, "kit", r->kit_error);
	rc = gr_rec_commit(path, &b, "link report", err);
	free(b.p);
	return rc;
}

/* Split a field of newline-separated values in place into v (at most max); how many. */
static size_t
gr_rec_split_lines(char *p, const char **v, size_t max)
{
	size_t n = 0;

	while (p && *p && n < max) {
		char *nl = strchr(p, '\n');
		v[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* One link-report record into rep. */
static int
gr_link_report_record(struct gr_rec_reader *r, const char *kw, struct gr_link_report *rep, struct gr_error *err)
{
	char **f = r->fields;
	int rc;

	if (!strcmp(kw, "missing-lib") || !strcmp(kw, "missing-file")) {
		if ((rc = gr_rec_want(r, kw, 2, 1, err)))
			return rc;
		rc = gr_link_report_add_missing(rep, kw[8] == 'f', f[0], f[1]);
	} else if (!strcmp(kw, "argv") || !strcmp(kw, "archive") || !strcmp(kw, "kept") || !strcmp(kw, "killed")) {
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		if (!strcmp(kw, "argv"))
			rc = gr_link_report_add_argv(rep, f[0]);
		else if (!strcmp(kw, "archive"))
			rc = gr_link_report_add_archive(rep, f[0]);
		else if (!strcmp(kw, "kept"))
			rc = gr_link_report_add_kept(rep, f[0]);
		else
			rc = (rep->killed = gr_arena_strdup(&rep->arena, f[0])) ? GR_OK : GR_ENOMEM;
	} else if (!strcmp(kw, "status")) {
		char *end;
		long v;
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		errno = 0;
		v = strtol(f[0], &end, 10);
		if (errno || end == f[0] || *end || v < -1000000 || v > 1000000)
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: status '%.32s' is not a number", r->path, r->line,
			                    f[0]);
		rep->has_status = true;
		rep->status = (int)v;
	} else if (!strcmp(kw, "undefined") || !strcmp(kw, "finding")) {
		if ((rc = gr_rec_want(r, kw, kw[0] == 'u' ? 4 : 7, kw[0] == 'u' ? 8 : 11, err)))
			return rc;
		if (kw[0] == 'u') {
			struct gr_rec_undefined u = { f[0], f[1], f[2], f[3] };
			rc = gr_link_report_add_undefined(rep, &u);
		} else {
			struct gr_rec_finding x = { f[0], f[1], f[2], f[3], f[4], f[5], f[6] };
			rc = gr_link_report_add_finding(rep, &x);
		}
	} else if (!strcmp(kw, "fix")) {
		struct gr_rec_fix x;
		if ((rc = gr_rec_want(r, kw, 4, 9, err)))
			return rc;
		x = (struct gr_rec_fix){ f[0], f[1], f[2], f[3] };
		rc = gr_link_report_add_fix(rep, &x);
	} else if (!strcmp(kw, "stub")) {
		struct gr_rec_stub x;
		const char *callers[256];
		char *p = f[5];
		if ((rc = gr_rec_want(r, kw, 6, 0x2f, err)))
			return rc;
		x = (struct gr_rec_stub){ f[0], f[1], f[2], f[3], f[4], callers, 0 };
		while (p && *p && x.ncallers < sizeof(callers) / sizeof(*callers)) {
			char *nl = strchr(p, '\n');
			callers[x.ncallers++] = p;
			if (!nl)
				break;
			*nl = '\0';
			p = nl + 1;
		}
		rc = gr_link_report_add_stub(rep, &x);
	} else if (!strcmp(kw, "inferred")) {
		struct gr_rec_inferred x;
		const char *alts[256], *added[1024];
		if ((rc = gr_rec_want(r, kw, 7, 0x6f, err)))
			return rc;
		x = (struct gr_rec_inferred){ f[0], f[1], f[2], f[3], f[4], alts, 0, added, 0 };
		x.nalternatives = gr_rec_split_lines(f[5], alts, sizeof(alts) / sizeof(*alts));
		x.nadded = gr_rec_split_lines(f[6], added, sizeof(added) / sizeof(*added));
		rc = gr_link_report_add_inferred(rep, &x);
	} else if (!strcmp(kw, "floorref")) {
		struct gr_rec_floorref x;
		if ((rc = gr_rec_want(r, kw, 9, 7, err)))
			return rc;
		x = (struct gr_rec_floorref){ f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8] };
		rc = gr_link_report_add_floorref(rep, &x);
	} else if (!strcmp(kw, "traced")) {
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		rc = gr_link_report_set_traced(rep, f[0]);
	} else if (!strcmp(kw, "loaded")) {
		struct gr_rec_loaded x;
		if ((rc = gr_rec_want(r, kw, 6, 3, err)))
			return rc;
		if (strcmp(f[0], "object") && strcmp(f[0], "member") && strcmp(f[0], "shared"))
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: unknown loaded kind '%.32s'", r->path, r->line, f[0]);
		x = (struct gr_rec_loaded){ f[0], f[1], f[2], f[3], f[4], f[5] };
		rc = gr_link_report_add_loaded(rep, &x);
	} else if (!strcmp(kw, "dropped")) {
		if ((rc = gr_rec_want(r, kw, 2, 1, err)))
			return rc;
		rc = gr_link_report_add_dropped(rep, f[0], f[1]);
	} else if (!strcmp(kw, "links")) {
		char *end;
		unsigned long v;
		if ((rc = gr_rec_want(r, kw, 1, 1, err)))
			return rc;
		errno = 0;
		v = strtoul(f[0], &end, 10);
		if (errno || end == f[0] || *end || f[0][0] == '-' || v > 1000000)
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: links '%.32s' is not a number", r->path, r->line,
			                    f[0]);
		rep->links = (unsigned)v;
	} else if (!strcmp(kw, "kit")) {
		if ((rc = gr_rec_want(r, kw, 1, 0, err)))
			return rc;
		rc = gr_link_report_set_kit(rep, f[0]);
	} else if (!strcmp(kw, "order")) {
		struct gr_rec_order o;
		if ((rc = gr_rec_want(r, kw, 3, 7, err)))
			return rc;
		o = (struct gr_rec_order){ f[0], f[1], f[2] };
		rc = gr_link_report_add_order(rep, &o);
	} else {
		return gr_rec_unknown(r, kw, err);
	}
	return rc ? gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", r->path) : GR_OK;
}

int
gr_link_report_read(const char *path, struct gr_link_report *rep, struct gr_error *err)
{
	struct gr_rec_reader r;
	const char *kw;
	int rc;

	gr_link_report_init(rep);
	if ((rc = gr_rec_open(&r, path, GR_REC_REPORT, "link report", err)))
		return rc;
	while ((rc = gr_rec_next(&r, &kw, err)) == GR_OK && kw)
		if ((rc = gr_link_report_record(&r, kw, rep, err)))
			break;
	gr_rec_close(&r);
	return rc;
}

/* ---- the pkg-config log --------------------------------------------------- */

int
gr_pkglog_create(const char *path, struct gr_error *err)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	int rc;

	gr_rec_header(&b, GR_REC_PKGLOG);
	rc = gr_rec_commit(path, &b, "pkg-config log", err);
	free(b.p);
	return rc;
}

int
gr_pkglog_append(const char *path, const char *const *names, size_t n, struct gr_error *err)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	size_t i;
	ssize_t w = 0;
	int fd, e = 0;

	for (i = 0; i < n; i++)
		gr_rec_put1(&b, "pkg", names[i]);
	if (b.nomem) {
		free(b.p);
		return gr_error_set(err, GR_ENOMEM, 0, "pkg-config log: out of memory");
	}
	if (!b.n)
		return GR_OK;
	/* One write with O_APPEND: the shims cmd/go runs side by side never interleave a record. */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || (w = write(fd, b.p, b.n)) < 0 || (size_t)w != b.n)
		e = fd < 0 || w < 0 ? errno : EIO;
	if (fd >= 0 && close(fd) != 0 && !e)
		e = errno;
	free(b.p);
	return e ? gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e)) : GR_OK;
}

int
gr_pkglog_read(const char *path, struct gr_strvec *out, struct gr_error *err)
{
	struct gr_rec_reader r;
	const char *kw;
	int rc;

	if ((rc = gr_rec_open(&r, path, GR_REC_PKGLOG, "pkg-config log", err)))
		return rc;
	while ((rc = gr_rec_next(&r, &kw, err)) == GR_OK && kw) {
		if (strcmp(kw, "pkg") != 0)
			rc = gr_rec_unknown(&r, kw, err);
		else if (!(rc = gr_rec_want(&r, kw, 1, 1, err)) && gr_strvec_push(out, r.fields[0]))
			rc = gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
		if (rc)
			break;
	}
	gr_rec_close(&r);
	return rc;
}
