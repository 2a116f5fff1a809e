#include "gr_cmd_checkver.h"

#include <stdlib.h>
#include <string.h>

#include "gr_cli.h"
#include "gr_floorref.h"
#include "gr_strvec.h"
#include "gr_symindex.h"

bool
gr_checkver_add_max(struct gr_vermax *max, size_t *nmax, const char *arg, bool glibc,
                    struct gr_arena *a, const char *opt, FILE *err)
{
	struct gr_vermax m;
	const char *why = NULL, *name = arg;
	size_t i;

	if (glibc && !(name = gr_arena_printf(a, "GLIBC_%s", arg))) {
		gr_cli_diag(err, "out of memory");
		return false;
	}
	if (glibc && !(arg[0] >= '0' && arg[0] <= '9')) {
		gr_cli_diag(err, "%s '%s': expected a glibc version such as 2.28", opt, arg);
		return false;
	}
	if (!gr_elfver_parse_max(name, &m, &why)) {
		gr_cli_diag(err, "%s '%s': %s", opt, arg, why);
		return false;
	}
	for (i = 0; i < *nmax; i++)
		if (max[i].family_len == m.family_len && !memcmp(max[i].name, m.name, m.family_len)) {
			gr_cli_diag(err, "%s '%s': a limit for %.*s was given already (%s); give one per family",
			            opt, arg, (int)m.family_len, m.name, max[i].name);
			return false;
		}
	max[(*nmax)++] = m;
	return true;
}

/* The family as text: "GLIBC_", or the whole name when it is unnumbered. */
static void
gr_checkver_family(struct gr_json *j, const struct gr_verneed *v)
{
	char buf[256];
	size_t n = v->family_len < sizeof(buf) - 1 ? v->family_len : sizeof(buf) - 1;

	memcpy(buf, v->name, n);
	buf[n] = '\0';
	gr_json_str(j, "family", buf);
}

void
gr_checkver_json(struct gr_json *j, const struct gr_verinfo *vi)
{
	size_t i, k, s;

	if (!vi) {
		gr_json_str(j, "versions", NULL);
		return;
	}
	gr_json_obj_begin(j, "versions");
	gr_json_arr_begin(j, "needed");
	for (i = 0; i < vi->nlibs; i++) {
		const struct gr_verlib *l = &vi->libs[i];
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "file", l->file);
		gr_json_arr_begin(j, "versions");
		for (k = 0; k < l->nvers; k++)
			gr_json_str(j, NULL, l->vers[k].name);
		gr_json_arr_end(j);
		gr_json_arr_begin(j, "floors");
		for (k = 0; k < l->nvers; k++) {
			const struct gr_verneed *v = &l->vers[k];
			if (!v->floor)
				continue;
			gr_json_obj_begin(j, NULL);
			gr_checkver_family(j, v);
			gr_json_str(j, "version", v->name);
			gr_json_bool(j, "numbered", v->numbered);
			gr_json_bool(j, "weak", v->weak);
			gr_json_arr_begin(j, "symbols");
			for (s = 0; s < v->nsymbols; s++) {
				gr_json_obj_begin(j, NULL);
				gr_json_str(j, "name", v->symbols[s].name);
				gr_json_bool(j, "weak", v->symbols[s].weak);
				gr_json_obj_end(j);
			}
			gr_json_arr_end(j);
			gr_json_obj_end(j);
		}
		gr_json_arr_end(j);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "defined");
	for (i = 0; i < vi->ndefined; i++)
		gr_json_str(j, NULL, vi->defined[i]);
	gr_json_arr_end(j);
	gr_json_obj_end(j);
}

void
gr_checkver_print(FILE *f, const struct gr_verinfo *vi)
{
	size_t i, k, s;

	if (!vi)
		return;
	for (i = 0; i < vi->nlibs; i++) {
		const struct gr_verlib *l = &vi->libs[i];
		bool first = true;
		fprintf(f, "  versions: %s", l->file);
		for (k = 0; k < l->nvers; k++) {
			const struct gr_verneed *v = &l->vers[k];
			size_t shown = v->nsymbols < 4 ? v->nsymbols : 4;
			if (!v->floor)
				continue;
			fprintf(f, "%s %s%s", first ? "" : ",", v->name, v->weak ? " (weak version)" : "");
			first = false;
			for (s = 0; s < shown; s++)
				fprintf(f, "%s%s%s", s ? ", " : " (", v->symbols[s].name,
				        v->symbols[s].weak ? " weak" : "");
			if (v->nsymbols > shown)
				fprintf(f, " and %zu more", v->nsymbols - shown);
			if (shown)
				fputc(')', f);
		}
		fputc('\0', f);
	}
}

static int
gr_checkver_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append name to *list (sep-separated, malloc'd); false when out of memory. */
static bool
gr_checkver_join(char **list, const char *name, const char *sep)
{
	size_t n = *list ? strlen(*list) : 0, l = strlen(name), sl = strlen(sep);
	char *grown = realloc(*list, n + l + sl + 1);

	if (!grown)
		return false;
	if (n) {
		memcpy(grown + n, sep, sl);
		n += sl;
	}
	memcpy(grown + n, name, l + 1);
	*list = grown;
	return true;
}

/* Append name to *list (", "-separated, malloc'd); false when out of memory. */
static bool
gr_checkver_append(char **list, const char *name)
{
	return gr_checkver_join(list, name, ", ");
}

void
gr_checkver_sources(FILE *err, const struct gr_report *r, const struct gr_vermax *max,
                    size_t nmax, const char *const *archives, size_t narchives,
                    const struct gr_env *env)
{
	struct gr_strvec *undefs;
	char **found, *nowhere = NULL;
	const struct gr_verinfo *vi;
	const struct gr_vermax *limit;
	size_t i, k, s, q, m;

	if (!r || r->nimages != 1 || !(vi = r->images[0].versions) || !nmax)
		return;
	undefs = calloc(narchives + 1, sizeof(*undefs));
	found = calloc(narchives + 1, sizeof(*found));
	if (!undefs || !found) {
		free(undefs);
		free(found);
		return;
	}
	for (q = 0; q < narchives; q++) {
		struct gr_strvec defs;
		struct gr_error e;
		bool dup = false;
		gr_strvec_init(&defs);
		gr_strvec_init(&undefs[q]);
		gr_error_clear(&e);
		for (m = 0; m < q && !dup; m++)
			dup = archives[m] && archives[q] && !strcmp(archives[m], archives[q]);
		if (archives[q] && !dup)
			(void)gr_symindex_archive(env, archives[q], &defs, &undefs[q], &e);
		gr_strvec_deinit(&defs);
	}
	for (i = 0; i < vi->nlibs; i++)
		for (k = 0; k < vi->libs[i].nvers; k++) {
			const struct gr_verneed *v = &vi->libs[i].vers[k];
			if (v->weak || !gr_elfver_too_new(v, max, nmax, &limit))
				continue;
			for (s = 0; s < v->nsymbols; s++) {
				const char *sym = v->symbols[s].name;
				bool any = false;
				for (q = 0; q < narchives; q++) {
					if (!undefs[q].n || !bsearch(&sym, undefs[q].v, undefs[q].n, sizeof(*undefs[q].v),
					                             gr_checkver_strcmp))
						continue;
					any = true;
					(void)gr_checkver_append(&found[q], sym);
				}
				if (!any)
					(void)gr_checkver_append(&nowhere, sym);
			}
		}
	for (q = 0; q < narchives; q++)
		if (found[q])
			gr_cli_diag(err, "%s refers to the symbols that need too new a version: %s", archives[q], found[q]);
	if (nowhere)
		gr_cli_diag(err, "no linked archive refers to %s: the Go program's cgo code, the Go runtime's or the C start-up files do",
		            nowhere);
	for (q = 0; q < narchives; q++) {
		gr_strvec_deinit(&undefs[q]);
		free(found[q]);
	}
	free(nowhere);
	free(undefs);
	free(found);
}

/* Whether the too-new symbol sym of version ver appears among link's references. */
static bool
gr_checkver_referred(const struct gr_link_report *link, const char *sym, const char *ver)
{
	size_t i;

	for (i = 0; i < link->nfloorrefs; i++)
		if (!strcmp(link->floorrefs[i].symbol, sym) && !strcmp(link->floorrefs[i].version, ver))
			return true;
	return false;
}

void
gr_checkver_refs(FILE *err, const struct gr_report *r, const struct gr_vermax *max, size_t nmax,
                 const struct gr_link_report *link)
{
	const struct gr_verinfo *vi;
	const struct gr_vermax *limit;
	char *nowhere = NULL;
	size_t i, k, s;

	for (i = 0; i < link->nfloorrefs;) {
		const struct gr_rec_floorref *f = &link->floorrefs[i];
		char *line = NULL, text[8192];
		size_t end;
		for (end = i; end < link->nfloorrefs && !strcmp(link->floorrefs[end].symbol, f->symbol) &&
		              !strcmp(link->floorrefs[end].version, f->version); end++)
			;
		for (k = i; k < end; k++) {
			const struct gr_rec_floorref *x = &link->floorrefs[k];
			bool seen = false;
			size_t m;
			/* One entry a Go package, its C files together; each other place once. */
			for (m = i; m < k && !seen; m++) {
				const struct gr_rec_floorref *y = &link->floorrefs[m];
				seen = !strcmp(x->kind, "cgo") && !strcmp(y->kind, "cgo") && x->package && y->package
				           ? !strcmp(x->package, y->package)
				           : !strcmp(gr_floorref_text(x, text, sizeof(text)),
				                     gr_floorref_text(y, text + 4096, sizeof(text) - 4096));
			}
			if (seen)
				continue;
			if (!strcmp(x->kind, "cgo") && x->package) {
				size_t files = 0, at;
				for (m = k; m < end; m++)
					files += !strcmp(link->floorrefs[m].kind, "cgo") && link->floorrefs[m].package &&
					         !strcmp(link->floorrefs[m].package, x->package);
				at = (size_t)snprintf(text, sizeof(text), "Go package %s (%s%s, C file%s", x->package,
				                      x->module ? "module " : "standard library", x->module ? x->module : "",
				                      files > 1 ? "s" : "");
				for (m = k, files = 0; m < end && at < sizeof(text); m++) {
					const struct gr_rec_floorref *y = &link->floorrefs[m];
					if (strcmp(y->kind, "cgo") || !y->package || strcmp(y->package, x->package))
						continue;
					at += (size_t)snprintf(text + at, sizeof(text) - at, "%s %s", files++ ? "," : "",
					                       y->member ? y->member : "?");
				}
				if (at + 2 < sizeof(text))
					memcpy(text + at, ")", 2);
			} else {
				gr_floorref_text(x, text, sizeof(text));
			}
			(void)gr_checkver_join(&line, text, "; ");
		}
		if (line)
			gr_cli_diag(err, "%s (%s) is referred to by: %s", f->symbol, f->version, line);
		free(line);
		i = end;
	}
	if (!r || r->nimages != 1 || !(vi = r->images[0].versions))
		return;
	for (i = 0; i < vi->nlibs; i++)
		for (k = 0; k < vi->libs[i].nvers; k++) {
			const struct gr_verneed *v = &vi->libs[i].vers[k];
			if (v->weak || !gr_elfver_too_new(v, max, nmax, &limit))
				continue;
			for (s = 0; s < v->nsymbols; s++)
				if (!gr_checkver_referred(link, v->symbols[s].name, v->name))
					(void)gr_checkver_append(&nowhere, v->symbols[s].name);
		}
	if (nowhere)
		gr_cli_diag(err, "no input of the link was found to refer to %s", nowhere);
	free(nowhere);
}

void
gr_checkver_refs_json(struct gr_json *j, const struct gr_link_report *link)
{
	size_t i;
	char text[8192];

	if (!link->nfloorrefs) {
		gr_json_str(j, "version_refs", NULL);
		return;
	}
	gr_json_arr_begin(j, "version_refs");
	for (i = 0; i < link->nfloorrefs; i++) {
		const struct gr_rec_floorref *f = &link->floorrefs[i];
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "symbol", f->symbol);
		gr_json_str(j, "version", f->version);
		gr_json_str(j, "kind", f->kind);
		gr_json_str(j, "file", f->file);
		gr_json_str(j, "member", f->member);
		gr_json_str(j, "package", f->package);
		gr_json_str(j, "module", f->module);
		gr_json_str(j, "deb_package", f->deb);
		gr_json_str(j, "text", gr_floorref_text(f, text, sizeof(text)));
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
}
