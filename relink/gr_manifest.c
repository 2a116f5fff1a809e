#include "gr_manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "gr_cache.h"
#include "gr_embed.h"
#include "gr_json.h"
#include "gr_records.h"
#include "gr_file.h"
#include "gr_gocache.h"
#include "gr_kv.h"
#include "gr_path.h"
#include "gr_pcindex.h"
#include "gr_sigbus.h"

#define GR_MF_TEXT_MAX ((size_t)4 << 20)  /* a .pc or copyright file, bytes */

void
gr_manifest_init(struct gr_manifest *m)
{
	memset(m, 0, sizeof(*m));
	gr_arena_init(&m->arena);
}

void
gr_manifest_deinit(struct gr_manifest *m)
{
	gr_arena_deinit(&m->arena);
	memset(m, 0, sizeof(*m));
}

/* ---- adding inputs --------------------------------------------------------- */

static const char *
mf_dup(struct gr_manifest *m, const char *s, bool *ok)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = gr_arena_strdup(&m->arena, s)))
		*ok = false;
	return d;
}

/* path tidied into the arena. */
static const char *
mf_tidy(struct gr_manifest *m, const char *path)
{
	char *t = gr_path_lexical(path);
	const char *d;

	if (!t)
		return NULL;
	d = gr_arena_strdup(&m->arena, t);
	free(t);
	return d;
}

/* An object of go build's temporary link directory (.../go-link-NNN/go.o) by its base name. */
static const char *
mf_object_name(struct gr_manifest *m, const char *path)
{
	const char *slash = strrchr(path, '/'), *dir;

	if (slash && slash > path) {
		for (dir = slash - 1; dir > path && dir[-1] != '/'; dir--)
			;
		if (!strncmp(dir, "go-link-", 8))
			return gr_arena_strdup(&m->arena, slash + 1);
	}
	return mf_tidy(m, path);
}

/* Index where s is or would go in the sorted array v of n strings; *found set. */
static size_t
mf_bsearch(const char *const *v, size_t n, size_t stride, const char *s, bool *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(*(const char *const *)((const char *)v + mid * stride), s);
		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Insert s into the sorted string array *v (n used, cap *cap) unless there. */
static int
mf_insert_str(struct gr_manifest *m, const char ***v, size_t *n, size_t *cap, const char *s)
{
	bool found;
	size_t at = mf_bsearch(*v, *n, sizeof(**v), s, &found);
	const char *d;

	if (found)
		return GR_OK;
	if (!(d = gr_arena_strdup(&m->arena, s)) || !gr_arena_grow(&m->arena, (void **)v, *n, cap, sizeof(**v)))
		return GR_ENOMEM;
	memmove(*v + at + 1, *v + at, (*n - at) * sizeof(**v));
	(*v)[at] = d;
	(*n)++;
	return GR_OK;
}

int
gr_manifest_add(struct gr_manifest *m, enum gr_manifest_kind kind, const char *path, const char *member,
                const char *sha256, const char *module, const char *source)
{
	bool found, ok = true;
	size_t at;
	const char *name;

	if (!path)
		return GR_OK;
	if (kind == GR_MANIFEST_SHARED) {
		if (!(name = mf_tidy(m, path)))
			return GR_ENOMEM;
		return mf_insert_str(m, &m->shared, &m->nshared, &m->cshared, name);
	}
	if (kind == GR_MANIFEST_OBJECT) {
		struct gr_manifest_object o = { 0 };
		if (!(name = mf_object_name(m, path)))
			return GR_ENOMEM;
		at = mf_bsearch((const char *const *)(void *)m->objects, m->nobjects, sizeof(*m->objects), name, &found);
		if (found)
			return GR_OK;
		o.name = name;
		o.sha256 = mf_dup(m, sha256, &ok);
		o.module = mf_dup(m, module, &ok);
		o.source = mf_dup(m, source, &ok);
		if (!ok || !gr_arena_grow(&m->arena, (void **)&m->objects, m->nobjects, &m->cobjects, sizeof(*m->objects)))
			return GR_ENOMEM;
		memmove(m->objects + at + 1, m->objects + at, (m->nobjects - at) * sizeof(*m->objects));
		m->objects[at] = o;
		m->nobjects++;
		return GR_OK;
	}
	if (!(name = mf_tidy(m, path)))
		return GR_ENOMEM;
	at = mf_bsearch((const char *const *)(void *)m->archives, m->narchives, sizeof(*m->archives), name, &found);
	if (!found) {
		struct gr_manifest_archive a = { 0 };
		a.path = name;
		a.sha256 = mf_dup(m, sha256, &ok);
		a.module = mf_dup(m, module, &ok);
		a.licence = "NOASSERTION";
		if (!ok ||
		    !gr_arena_grow(&m->arena, (void **)&m->archives, m->narchives, &m->carchives, sizeof(*m->archives)))
			return GR_ENOMEM;
		memmove(m->archives + at + 1, m->archives + at, (m->narchives - at) * sizeof(*m->archives));
		m->archives[at] = a;
		m->narchives++;
	}
	if (member && *member) {
		struct gr_manifest_archive *a = &m->archives[at];
		return mf_insert_str(m, &a->members, &a->nmembers, &a->cmembers, member);
	}
	return GR_OK;
}

/* ---- licences --------------------------------------------------------------- */

/* Names whose SPDX id is certain: DEP-5 short names (and SPDX ids in any case). */
static const struct {
	const char *name, *spdx;
} mf_licences[] = {
	{ "GPL-1", "GPL-1.0-only" }, { "GPL-1+", "GPL-1.0-or-later" },
	{ "GPL-2", "GPL-2.0-only" }, { "GPL-2+", "GPL-2.0-or-later" },
	{ "GPL-3", "GPL-3.0-only" }, { "GPL-3+", "GPL-3.0-or-later" },
	{ "LGPL-2", "LGPL-2.0-only" }, { "LGPL-2+", "LGPL-2.0-or-later" },
	{ "LGPL-2.1", "LGPL-2.1-only" }, { "LGPL-2.1+", "LGPL-2.1-or-later" },
	{ "LGPL-3", "LGPL-3.0-only" }, { "LGPL-3+", "LGPL-3.0-or-later" },
	{ "AGPL-3", "AGPL-3.0-only" }, { "AGPL-3+", "AGPL-3.0-or-later" },
	{ "GPL-2.0", "GPL-2.0-only" }, { "GPL-3.0", "GPL-3.0-only" },
	{ "LGPL-2.0", "LGPL-2.0-only" }, { "LGPL-3.0", "LGPL-3.0-only" },
	{ "GPL-2.0+", "GPL-2.0-or-later" }, { "GPL-3.0+", "GPL-3.0-or-later" },
	{ "LGPL-2.1+", "LGPL-2.1-or-later" }, { "LGPL-3.0+", "LGPL-3.0-or-later" },
	{ "Expat", "MIT" },
	{ "BSD-2-clause", "BSD-2-Clause" }, { "BSD-3-clause", "BSD-3-Clause" }, { "BSD-4-clause", "BSD-4-Clause" },
	{ "public-domain", "LicenseRef-public-domain" },
	/* SPDX ids as they are spelled */
	{ "GPL-1.0-only", "GPL-1.0-only" }, { "GPL-1.0-or-later", "GPL-1.0-or-later" },
	{ "GPL-2.0-only", "GPL-2.0-only" }, { "GPL-2.0-or-later", "GPL-2.0-or-later" },
	{ "GPL-3.0-only", "GPL-3.0-only" }, { "GPL-3.0-or-later", "GPL-3.0-or-later" },
	{ "LGPL-2.0-only", "LGPL-2.0-only" }, { "LGPL-2.0-or-later", "LGPL-2.0-or-later" },
	{ "LGPL-2.1-only", "LGPL-2.1-only" }, { "LGPL-2.1-or-later", "LGPL-2.1-or-later" },
	{ "LGPL-3.0-only", "LGPL-3.0-only" }, { "LGPL-3.0-or-later", "LGPL-3.0-or-later" },
	{ "AGPL-3.0-only", "AGPL-3.0-only" }, { "AGPL-3.0-or-later", "AGPL-3.0-or-later" },
	{ "MIT", "MIT" }, { "Zlib", "Zlib" }, { "ISC", "ISC" }, { "Apache-2.0", "Apache-2.0" },
	{ "Apache-1.1", "Apache-1.1" }, { "OpenSSL", "OpenSSL" }, { "curl", "curl" },
	{ "MPL-1.1", "MPL-1.1" }, { "MPL-2.0", "MPL-2.0" }, { "CC0-1.0", "CC0-1.0" }, { "BSL-1.0", "BSL-1.0" },
	{ "X11", "X11" }, { "Unlicense", "Unlicense" }, { "0BSD", "0BSD" }, { "bzip2-1.0.6", "bzip2-1.0.6" },
	{ "Python-2.0", "Python-2.0" }, { "PSF-2.0", "PSF-2.0" }, { "libpng-2.0", "libpng-2.0" },
	{ "Libpng", "Libpng" }, { "IJG", "IJG" }, { "FTL", "FTL" }, { "Unicode-DFS-2016", "Unicode-DFS-2016" },
	{ "BSD-2-Clause", "BSD-2-Clause" }, { "BSD-3-Clause", "BSD-3-Clause" }, { "BSD-4-Clause", "BSD-4-Clause" },
	{ "Artistic-1.0", "Artistic-1.0" }, { "Artistic-2.0", "Artistic-2.0" },
	{ "GPL-2.0-with-classpath-exception", "GPL-2.0-with-classpath-exception" },
	{ "LicenseRef-public-domain", "LicenseRef-public-domain" },
};

/* SPDX exception ids gorelink knows, for "WITH". */
static const char *const mf_exceptions[] = {
	"Classpath-exception-2.0", "GCC-exception-3.1", "GCC-exception-2.0", "LLVM-exception",
	"Autoconf-exception-3.0", "Autoconf-exception-2.0", "Bison-exception-2.2", "Libtool-exception",
	"Font-exception-2.0",
};

/* The SPDX id of one licence name (n bytes), appended to b. */
static void
mf_spdx_id(struct gr_kvbuf *b, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(mf_licences) / sizeof(mf_licences[0]); i++)
		if (strlen(mf_licences[i].name) == n && !strncasecmp(mf_licences[i].name, name, n)) {
			gr_kv_raw(b, mf_licences[i].spdx, strlen(mf_licences[i].spdx));
			return;
		}
	if (n > 11 && !strncmp(name, "LicenseRef-", 11)) {
		gr_kv_raw(b, name, n);
		return;
	}
	gr_kv_raw(b, "LicenseRef-", 11);
	for (i = 0; i < n; i++) {
		char c = isalnum((unsigned char)name[i]) || name[i] == '.' || name[i] == '-' ? name[i] : '-';
		if (name[i] == '+')
			gr_kv_raw(b, "-or-later", 9);
		else
			gr_kv_raw(b, &c, 1);
	}
}

/* Whether the n bytes at s are the word w, case aside. */
static bool
mf_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && !strncasecmp(s, w, n);
}

const char *
gr_manifest_spdx(struct gr_arena *a, const char *expr)
{
	struct gr_kvbuf b = { 0 };
	const char *p = expr, *r, *last_id = NULL;
	bool need_space = false, any = false;
	size_t last_at = 0, last_len = 0;

	if (!expr)
		return gr_arena_strdup(a, "NOASSERTION");
	while (*p) {
		const char *t;
		size_t n;
		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		if (*p == '(' || *p == ')') {
			if (*p == '(' && need_space)
				gr_kv_raw(&b, " ", 1);
			gr_kv_raw(&b, p, 1);
			need_space = *p == ')';
			p++;
			continue;
		}
		for (t = p; *t && !isspace((unsigned char)*t) && *t != ',' && *t != '(' && *t != ')'; t++)
			;
		n = (size_t)(t - p);
		if (need_space)
			gr_kv_raw(&b, " ", 1);
		need_space = true;
		if (mf_word(p, n, "and") || mf_word(p, n, "or")) {
			gr_kv_raw(&b, mf_word(p, n, "and") ? "AND" : "OR", mf_word(p, n, "and") ? 3 : 2);
		} else if (mf_word(p, n, "with")) {
			/* "with OpenSSL exception": a known SPDX exception id, else a LicenseRef for it */
			const char *e = t, *end;
			size_t i, k;
			while (isspace((unsigned char)*e))
				e++;
			for (end = e; *end && *end != ',' && *end != ')'; end++) {
				if (isspace((unsigned char)*end)) {
					const char *w = end;
					while (isspace((unsigned char)*w))
						w++;
					if (!strncasecmp(w, "and ", 4) || !strncasecmp(w, "or ", 3))
						break;
				}
			}
			k = (size_t)(end - e);
			while (k && isspace((unsigned char)e[k - 1]))
				k--;
			for (i = 0; i < sizeof(mf_exceptions) / sizeof(mf_exceptions[0]); i++)
				if (mf_word(e, k, mf_exceptions[i]))
					break;
			if (i < sizeof(mf_exceptions) / sizeof(mf_exceptions[0])) {
				gr_kv_raw(&b, "WITH ", 5);
				gr_kv_raw(&b, mf_exceptions[i], strlen(mf_exceptions[i]));
			} else if (last_id && !b.nomem) {
				/* an exception SPDX has no id for: the licence and it become one
				 * LicenseRef (SPDX 2.3 allows only listed exceptions after WITH) */
				char name[512];
				int nl = snprintf(name, sizeof(name), "%.*s-with-%.*s", (int)last_len, last_id, (int)k, e);
				b.n = last_at;
				b.p[b.n] = '\0';
				gr_kv_raw(&b, "LicenseRef-", 11);
				mf_spdx_id(&b, name, nl > 0 && (size_t)nl < sizeof(name) ? (size_t)nl : 0);
				if (!strncmp(b.p + last_at + 11, "LicenseRef-", 11)) {
					memmove(b.p + last_at, b.p + last_at + 11, b.n - last_at - 11 + 1);
					b.n -= 11;
				}
			}
			p = end;
			any = true;
			continue;
		} else {
			last_at = b.n;
			last_id = p;
			last_len = n;
			mf_spdx_id(&b, p, n);
			any = true;
		}
		p = t;
	}
	if (!any) {
		free(b.p);
		return gr_arena_strdup(a, "NOASSERTION");
	}
	r = b.nomem ? NULL : gr_arena_strdup(a, b.p);
	free(b.p);
	return r;
}

/* The ids of an SPDX expression: words other than AND, OR, WITH and parentheses. */
static size_t
mf_ids(const char *expr, const char **ids, size_t *lens, size_t max)
{
	size_t n = 0;
	const char *p = expr;

	while (p && *p) {
		const char *t;
		size_t k;
		if (isspace((unsigned char)*p) || *p == '(' || *p == ')') {
			p++;
			continue;
		}
		for (t = p; *t && !isspace((unsigned char)*t) && *t != '(' && *t != ')'; t++)
			;
		k = (size_t)(t - p);
		if (!mf_word(p, k, "AND") && !mf_word(p, k, "OR") && !mf_word(p, k, "WITH") && n < max) {
			ids[n] = p;
			lens[n++] = k;
		}
		p = t;
	}
	return n;
}

bool
gr_manifest_licence_matches(const char *expr, const char *deny)
{
	const char *e[64], *d[64];
	size_t el[64], dl[64], ne = mf_ids(expr, e, el, 64), nd = mf_ids(deny, d, dl, 64), i, j;

	if (!nd)
		return false;
	for (i = 0; i < nd; i++) {
		for (j = 0; j < ne; j++)
			if (el[j] == dl[i] && !strncasecmp(e[j], d[i], dl[i]))
				break;
		if (j == ne)
			return false;
	}
	return true;
}

/* Read a whole file (bounded); NULL when it cannot be read. */
static char *
mf_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;

	if (!f)
		return NULL;
	if (gr_file_read_all(f, GR_MF_TEXT_MAX, &text, NULL) != GR_OK)
		text = NULL;
	fclose(f);
	return text;
}

/* The value of "Field:" on the line at p (up to its end), trimmed, into the arena. */
static const char *
mf_field_value(struct gr_arena *a, const char *p)
{
	const char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	for (e = p; *e && *e != '\n'; e++)
		;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	return gr_arena_strndup(a, p, (size_t)(e - p));
}

const char *
gr_manifest_deb_licence(struct gr_arena *a, const char *root, const char *pkg, const char *file_hint,
                        const char **from)
{
	char path[4096], *text, *p;
	const char *header = NULL, *first = NULL, *star = NULL, *hinted = NULL, *colon;
	const char *files = NULL;
	bool in_header = true, dep5 = false;
	size_t plen;

	*from = NULL;
	if (!pkg)
		return "NOASSERTION";
	colon = strchr(pkg, ':');
	plen = colon ? (size_t)(colon - pkg) : strlen(pkg);
	if ((size_t)snprintf(path, sizeof(path), "%s/%.*s/copyright", root ? root : "/usr/share/doc", (int)plen, pkg) >=
	    sizeof(path))
		return "NOASSERTION";
	if (!(text = mf_slurp(path)))
		return "NOASSERTION";
	for (p = text; *p; ) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool blank = true;
		size_t i;
		for (i = 0; i < len; i++)
			if (!isspace((unsigned char)p[i]))
				blank = false;
		if (blank) {
			if (!in_header || header || dep5)
				in_header = false;
			files = NULL;
		} else if (!strncasecmp(p, "Format:", 7)) {
			dep5 = strstr(p, "copyright-format") && (!nl || strstr(p, "copyright-format") < nl);
		} else if (!strncasecmp(p, "Files:", 6)) {
			in_header = false;
			files = mf_field_value(a, p + 6);
		} else if (!strncasecmp(p, "License:", 8)) {
			const char *v = mf_field_value(a, p + 8);
			if (v && *v) {
				if (in_header && !header)
					header = v;
				if (files) {
					if (!first)
						first = v;
					if (!star && !strcmp(files, "*"))
						star = v;
					if (!hinted && file_hint) {
						/* an exact file name among the patterns */
						const char *q = files;
						size_t hl = strlen(file_hint);
						while ((q = strstr(q, file_hint)))
							if ((q == files || isspace((unsigned char)q[-1]) || q[-1] == '/') &&
							    (!q[hl] || isspace((unsigned char)q[hl])))
								break;
							else
								q++;
						if (q)
							hinted = v;
					}
				}
			}
			files = NULL;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	if (!dep5)
		return "NOASSERTION";
	{
		const char *v = hinted ? hinted : star ? star : first ? first : header;
		if (!v)
			return "NOASSERTION";
		*from = gr_arena_strdup(a, path);
		v = gr_manifest_spdx(a, v);
		return v ? v : "NOASSERTION";
	}
}

static void mf_rec_fields(struct gr_kvbuf *b, size_t n, const char *const *fields);
static size_t mf_split(char *line, char **f, size_t max);

/* asprintf without _GNU_SOURCE. */
static int asprintf_compat(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
asprintf_compat(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(*out = malloc((size_t)n + 1)))
		return -1;
	va_start(ap, fmt);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- resolving --------------------------------------------------------------- */

/* The -l name of an archive path: "libz.a" -> "z"; NULL when not lib*.a. */
static char *
mf_lname(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n < 6 || strncmp(b, "lib", 3) || strcmp(b + n - 2, ".a"))
		return NULL;
	return strndup(b + 3, n - 5);
}

/* A .pc file's Version: and License: lines (variables aside: a value holding '$' is left out). */
static void
mf_pc_fields(struct gr_arena *a, const char *pcpath, const char **version, const char **licence)
{
	char *text = mf_slurp(pcpath), *p;

	*version = *licence = NULL;
	if (!text)
		return;
	for (p = text; *p; ) {
		char *nl = strchr(p, '\n');
		if (!strncmp(p, "Version:", 8) && !*version)
			*version = mf_field_value(a, p + 8);
		else if (!strncmp(p, "License:", 8) && !*licence)
			*licence = mf_field_value(a, p + 8);
		if (!nl)
			break;
		p = nl + 1;
	}
	if (*version && (strchr(*version, '$') || !**version))
		*version = NULL;
	if (*licence && (strchr(*licence, '$') || !**licence))
		*licence = NULL;
	free(text);
}

/* gr_manifest_resolve for the archives and objects whose done flag is false (done NULL: all). */
static int
mf_resolve(struct gr_manifest *m, const struct gr_env *env, const struct gr_dpkg *db, const bool *adone,
           const bool *odone, struct gr_error *err)
{
	struct gr_pcindex *ix = NULL;
	struct gr_error e;
	size_t i;

	if (env && m->narchives && gr_pcindex_open(env, &ix, &e) != GR_OK)
		ix = NULL;  /* no pkg-config side: the archives keep their other facts */
	for (i = 0; i < m->narchives; i++) {
		struct gr_manifest_archive *a = &m->archives[i];
		if (adone && adone[i])
			continue;
		const struct gr_dpkg_pkg *p = db ? gr_dpkg_owner(db, a->path) : NULL;
		char hex[65], *lname;
		const char *pclic = NULL;
		if (!a->sha256 && gr_gocache_sha256_file(a->path, hex) == 0 &&
		    !(a->sha256 = gr_arena_strdup(&m->arena, hex)))
			goto nomem;
		if (p && (!(a->deb_package = gr_arena_strdup(&m->arena, p->name)) ||
		          !(a->deb_version = gr_arena_strdup(&m->arena, p->version)) ||
		          !(a->deb_source = gr_arena_strdup(&m->arena, p->source))))
			goto nomem;
		if (ix && (lname = mf_lname(a->path))) {
			struct gr_pcindex_choice c;
			/* only a package named after the library (zlib for libz.a, libxml-2.0 for
			 * libxml2.a): one that merely lists -lgcc among its Libs does not name it */
			if (gr_pcindex_choose(ix, lname, &c, &e) == GR_OK && c.pkg &&
			    (c.rule == GR_PCINDEX_SAME_NAME || c.rule == GR_PCINDEX_LIB_NAME || c.rule == GR_PCINDEX_LOOSE_NAME)) {
				if (!(a->pc_package = gr_arena_strdup(&m->arena, c.pkg->name))) {
					gr_pcindex_choice_deinit(&c);
					free(lname);
					goto nomem;
				}
				mf_pc_fields(&m->arena, c.pkg->path, &a->pc_version, &pclic);
				if (pclic) {
					a->licence = gr_manifest_spdx(&m->arena, pclic);
					a->licence_from = gr_arena_strdup(&m->arena, c.pkg->path);
				}
			}
			gr_pcindex_choice_deinit(&c);
			free(lname);
		}
		if (!pclic && a->deb_package) {
			const char *b = strrchr(a->path, '/');
			a->licence = gr_manifest_deb_licence(&m->arena, NULL, a->deb_package, b ? b + 1 : a->path,
			                                     &a->licence_from);
		}
		if (!a->licence)
			goto nomem;
	}
	for (i = 0; i < m->nobjects; i++) {
		struct gr_manifest_object *o = &m->objects[i];
		const struct gr_dpkg_pkg *p = db && o->name[0] == '/' ? gr_dpkg_owner(db, o->name) : NULL;
		char hex[65];
		if (odone && odone[i])
			continue;
		if (!o->sha256 && o->name[0] == '/' && gr_gocache_sha256_file(o->name, hex) == 0 &&
		    !(o->sha256 = gr_arena_strdup(&m->arena, hex)))
			goto nomem;
		if (p && (!(o->deb_package = gr_arena_strdup(&m->arena, p->name)) ||
		          !(o->deb_version = gr_arena_strdup(&m->arena, p->version))))
			goto nomem;
	}
	gr_pcindex_free(ix);
	return GR_OK;
nomem:
	gr_pcindex_free(ix);
	return gr_error_set(err, GR_ENOMEM, 0, "out of memory resolving the link manifest");
}

int
gr_manifest_resolve(struct gr_manifest *m, const struct gr_env *env, const struct gr_dpkg *db,
                    struct gr_error *err)
{
	return mf_resolve(m, env, db, NULL, NULL, err);
}

/* The cache key of what path resolves to: its identity, dpkg's status file's, salt. NULL: not cached. */
static char *
mf_cache_key(const char *path, const char *status, const char *salt)
{
	struct stat st, ss;
	char *k = NULL;

	if (!path || path[0] != '/' || stat(path, &st) != 0)
		return NULL;
	if (stat(status, &ss) != 0)
		memset(&ss, 0, sizeof(ss));
	if (asprintf_compat(&k, "gorelink-manifest-cache %d\n%s\n%ju %jd %jd.%09ld %jd.%09ld\n%ju %jd %jd.%09ld\n%s\n",
	                    GR_MANIFEST_CACHE_VERSION, path, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
	                    (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (intmax_t)st.st_ctim.tv_sec,
	                    st.st_ctim.tv_nsec, (uintmax_t)ss.st_ino, (intmax_t)ss.st_size, (intmax_t)ss.st_mtim.tv_sec,
	                    ss.st_mtim.tv_nsec, salt ? salt : "") < 0)
		return NULL;
	return k;
}

/* Read a cached entry's n fields (TAB-separated, escaped) into out (arena copies); false when malformed. */
static bool
mf_cache_fields(struct gr_manifest *m, char *data, const char **out, size_t n)
{
	char *f[16];
	size_t i, got;
	char *nl = strchr(data, '\n');

	if (!nl || nl[1] || n > 16)
		return false;
	*nl = '\0';
	got = mf_split(data, f, 16);
	if (got != n)
		return false;
	for (i = 0; i < n; i++) {
		char *v;
		if (!gr_kv_unescape_field(f[i], &v))
			return false;
		out[i] = v ? gr_arena_strdup(&m->arena, v) : NULL;
		if (v && !out[i])
			return false;
	}
	return true;
}

int
gr_manifest_resolve_cached(struct gr_manifest *m, const struct gr_env *env, const char *admindir, const char *salt,
                           struct gr_error *err)
{
	char status[4096];
	bool *adone = calloc(m->narchives + 1, sizeof(bool)), *odone = calloc(m->nobjects + 1, sizeof(bool));
	char **akey = calloc(m->narchives + 1, sizeof(char *)), **okey = calloc(m->nobjects + 1, sizeof(char *));
	struct gr_dpkg *db = NULL;
	size_t i, miss = 0, dlen;
	int rc = GR_OK;

	if (!adone || !odone || !akey || !okey) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory resolving the link manifest");
		goto out;
	}
	snprintf(status, sizeof(status), "%s/status", admindir ? admindir : "/var/lib/dpkg");
	for (i = 0; i < m->narchives; i++) {
		struct gr_manifest_archive *a = &m->archives[i];
		char *data = NULL;
		const char *f[8];
		if ((akey[i] = mf_cache_key(a->path, status, salt)) &&
		    gr_cache_get(env, "manifest", akey[i], &data, &dlen) == GR_OK && mf_cache_fields(m, data, f, 8) && f[6]) {
			a->sha256 = f[0];
			a->deb_package = f[1];
			a->deb_version = f[2];
			a->deb_source = f[3];
			a->pc_package = f[4];
			a->pc_version = f[5];
			a->licence = f[6];
			a->licence_from = f[7];
			adone[i] = true;
		} else {
			miss++;
		}
		free(data);
	}
	for (i = 0; i < m->nobjects; i++) {
		struct gr_manifest_object *o = &m->objects[i];
		char *data = NULL;
		const char *f[3];
		if (o->name[0] != '/') {
			odone[i] = true;  /* go build's own objects: nothing to look up */
			continue;
		}
		if ((okey[i] = mf_cache_key(o->name, status, salt)) &&
		    gr_cache_get(env, "manifest", okey[i], &data, &dlen) == GR_OK && mf_cache_fields(m, data, f, 3)) {
			o->sha256 = f[0];
			o->deb_package = f[1];
			o->deb_version = f[2];
			odone[i] = true;
		} else {
			miss++;
		}
		free(data);
	}
	if (!miss)
		goto out;
	if ((rc = gr_dpkg_open(admindir, &db, err)) != GR_OK)
		goto out;
	if ((rc = mf_resolve(m, env, db, adone, odone, err)) != GR_OK)
		goto out;
	/* what was looked up now, for the next build */
	for (i = 0; i < m->narchives; i++) {
		const struct gr_manifest_archive *a = &m->archives[i];
		struct gr_kvbuf b = { 0 };
		struct gr_error e;
		if (adone[i] || !akey[i])
			continue;
		mf_rec_fields(&b, 8, (const char *const[]){ a->sha256, a->deb_package, a->deb_version, a->deb_source,
		                                           a->pc_package, a->pc_version, a->licence, a->licence_from });
		if (!b.nomem)
			(void)gr_cache_put(env, "manifest", akey[i], b.p, b.n, &e);
		free(b.p);
	}
	for (i = 0; i < m->nobjects; i++) {
		const struct gr_manifest_object *o = &m->objects[i];
		struct gr_kvbuf b = { 0 };
		struct gr_error e;
		if (odone[i] || !okey[i])
			continue;
		mf_rec_fields(&b, 3, (const char *const[]){ o->sha256, o->deb_package, o->deb_version });
		if (!b.nomem)
			(void)gr_cache_put(env, "manifest", okey[i], b.p, b.n, &e);
		free(b.p);
	}
out:
	gr_dpkg_free(db);
	for (i = 0; akey && i < m->narchives; i++)
		free(akey[i]);
	for (i = 0; okey && i < m->nobjects; i++)
		free(okey[i]);
	free(akey);
	free(okey);
	free(adone);
	free(odone);
	return rc;
}

/* ---- the Go side ------------------------------------------------------------- */

/* Split a line at TABs into at most max fields (in place); the count. */
static size_t
mf_split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		char *t = strchr(p, '\t');
		f[n++] = p;
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

int
gr_manifest_set_go(struct gr_manifest *m, const char *text, const char *go_version, struct gr_error *err)
{
	char *copy = strdup(text ? text : ""), *p, *f[6];
	struct gr_manifest_gomod *last = NULL;
	bool ok = true, first = true;

	if (!copy)
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory reading build info");
	if (go_version)
		m->go_version = mf_dup(m, go_version, &ok);
	for (p = copy; *p && ok; ) {
		char *nl = strchr(p, '\n'), *line = p;
		size_t n;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : p + strlen(p);
		if (first && *line != '\t') {
			/* go version -m's "FILE: go1.22.1" */
			const char *v = strstr(line, ": go");
			first = false;
			if (v && !m->go_version)
				m->go_version = mf_dup(m, v + 2, &ok);
			if (v)
				continue;
		}
		first = false;
		while (*line == '\t' || *line == ' ')
			line++;
		n = mf_split(line, f, 6);
		if (n >= 2 && !strcmp(f[0], "path")) {
			m->go_path = mf_dup(m, f[1], &ok);
		} else if (n >= 3 && (!strcmp(f[0], "mod") || !strcmp(f[0], "dep"))) {
			struct gr_manifest_gomod g = { 0 };
			g.path = mf_dup(m, f[1], &ok);
			g.version = mf_dup(m, f[2], &ok);
			g.sum = n >= 4 && *f[3] ? mf_dup(m, f[3], &ok) : NULL;
			if (!strcmp(f[0], "mod")) {
				m->main = g;
				last = &m->main;
			} else {
				bool found;
				size_t at = mf_bsearch((const char *const *)(void *)m->deps, m->ndeps, sizeof(*m->deps),
				                       g.path ? g.path : "", &found);
				if (!ok || !gr_arena_grow(&m->arena, (void **)&m->deps, m->ndeps, &m->cdeps, sizeof(*m->deps))) {
					ok = false;
					break;
				}
				memmove(m->deps + at + 1, m->deps + at, (m->ndeps - at) * sizeof(*m->deps));
				m->deps[at] = g;
				m->ndeps++;
				last = &m->deps[at];
			}
		} else if (n >= 2 && !strcmp(f[0], "=>") && last) {
			last->replace = n >= 3 && *f[2] ? gr_arena_printf(&m->arena, "%s %s", f[1], f[2]) : mf_dup(m, f[1], &ok);
			if (!last->replace)
				ok = false;
			last->replace_sum = n >= 4 && *f[3] ? mf_dup(m, f[3], &ok) : NULL;
			last = NULL;
		} else if (n >= 2 && !strcmp(f[0], "build")) {
			const char *s;
			if (n >= 3)  /* a value holding a TAB came apart */
				f[1][strlen(f[1])] = '\t';
			s = mf_dup(m, f[1], &ok);
			if (!ok ||
			    !gr_arena_grow(&m->arena, (void **)&m->settings, m->nsettings, &m->csettings, sizeof(*m->settings)))
				ok = false;
			else
				m->settings[m->nsettings++] = s;
		}
	}
	free(copy);
	return ok ? GR_OK : gr_error_set(err, GR_ENOMEM, 0, "out of memory reading build info");
}

int
gr_manifest_set_epoch(struct gr_manifest *m, const char *epoch, struct gr_error *err)
{
	char *end, buf[32];
	long long v;
	time_t t;
	struct tm tm;

	errno = 0;
	v = epoch ? strtoll(epoch, &end, 10) : -1;
	if (!epoch || errno || end == epoch || *end || v < 0 || v > 253402300799LL)
		return gr_error_set(err, GR_EUSAGE, 0, "SOURCE_DATE_EPOCH '%.32s' is not a number of seconds",
		                    epoch ? epoch : "");
	t = (time_t)v;
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return gr_error_set(err, GR_EUSAGE, 0, "SOURCE_DATE_EPOCH '%.32s' is out of range", epoch);
	if (!(m->created = gr_arena_strdup(&m->arena, buf)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	return GR_OK;
}

const char *
gr_manifest_created(const struct gr_manifest *m)
{
	size_t i;

	if (m->created)
		return m->created;
	for (i = 0; i < m->nsettings; i++)
		if (!strncmp(m->settings[i], "vcs.time=", 9) && strlen(m->settings[i]) == 9 + 20 &&
		    m->settings[i][9 + 19] == 'Z')
			return m->settings[i] + 9;
	return "1970-01-01T00:00:00Z";
}

/* A uvarint-prefixed string at *q (before end); false when cut short. */
static bool
mf_lstring(const unsigned char **q, const unsigned char *end, const unsigned char **s, size_t *n)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*q < end && shift < 64) {
		unsigned char b = *(*q)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (v > (uint64_t)(end - *q))
				return false;
			*s = *q;
			*n = (size_t)v;
			*q += v;
			return true;
		}
		shift += 7;
	}
	return false;
}

/* Where the build info's two strings are in a file's bytes (mf_buildinfo_scan). */
struct mf_scan {
	const unsigned char *data;  /* the bytes: maybe a mapping */
	size_t len;
	bool found;                 /* a blob with inline strings */
	size_t voff, vn;            /* the Go version: offset and length */
	size_t moff, mn;            /* the module info text (between its sentinels) */
	char *ver, *mod;            /* mf_buildinfo_copy's destinations: allocated by the caller */
};

/* The build info blob in s->data: the offsets and lengths of its strings in
 * *s (s->found false without a blob). Only reads the bytes (run under
 * gr_sigbus_guard: allocates nothing). Returns GR_OK. */
static int
mf_buildinfo_scan(void *ctx)
{
	static const unsigned char magic[14] = "\xff Go buildinf:";
	struct mf_scan *s = ctx;
	const unsigned char *data = s->data;
	size_t off, len = s->len;

	s->found = false;
	/* the blob is 16-byte aligned in its section: magic (14), pointer size,
	 * flags, 16 more bytes; then (flag 2, Go 1.18+) two strings inline */
	for (off = 0; off + 32 <= len; off += 16) {
		const unsigned char *p = data + off, *q, *vs, *ms;
		size_t vn, mn;
		if (p[0] != magic[0] || memcmp(p, magic, sizeof(magic)) || !(p[15] & 2))
			continue;
		q = p + 32;
		if (!mf_lstring(&q, data + len, &vs, &vn) || !mf_lstring(&q, data + len, &ms, &mn))
			continue;
		s->found = true;
		s->voff = (size_t)(vs - data);
		s->vn = vn;
		/* the module info between its two 16-byte sentinels */
		s->moff = mn >= 33 ? (size_t)(ms - data) + 16 : 0;
		s->mn = mn >= 33 ? mn - 32 : 0;
		return GR_OK;
	}
	return GR_OK;
}

/* Copy the strings mf_buildinfo_scan found into s->ver and s->mod (allocated
 * by the caller, NUL-terminated here). Run under gr_sigbus_guard. GR_OK. */
static int
mf_buildinfo_copy(void *ctx)
{
	struct mf_scan *s = ctx;

	if (s->ver) {
		memcpy(s->ver, s->data + s->voff, s->vn);
		s->ver[s->vn] = '\0';
	}
	if (s->mod) {
		memcpy(s->mod, s->data + s->moff, s->mn);
		s->mod[s->mn] = '\0';
	}
	return GR_OK;
}

/* The Go version and the module info text of the build info blob in data
 * (len bytes, a mapping of path's file or memory): *go_version and *modinfo
 * malloc'd (either NULL when the blob has none; both NULL without a blob).
 * The bytes are read under gr_sigbus_guard and nothing is allocated there:
 * a file that shrank under its mapping is GR_EIO (err set), not a crash.
 * GR_OK, GR_EIO (err set) or GR_ENOMEM (err not set). */
static int
mf_buildinfo(const char *data, size_t len, const char *path, char **go_version, char **modinfo,
             struct gr_error *err)
{
	struct mf_scan s;
	int rc;

	*go_version = *modinfo = NULL;
	memset(&s, 0, sizeof(s));
	s.data = (const unsigned char *)data;
	s.len = len;
	if ((rc = gr_sigbus_guard(mf_buildinfo_scan, &s, path, err)) != GR_OK || !s.found)
		return rc;
	if ((s.vn && !(s.ver = malloc(s.vn + 1))) || (s.mn && !(s.mod = malloc(s.mn + 1)))) {
		free(s.ver);
		return GR_ENOMEM;
	}
	if ((rc = gr_sigbus_guard(mf_buildinfo_copy, &s, path, err)) != GR_OK) {
		free(s.ver);
		free(s.mod);
		return rc;
	}
	*go_version = s.ver;
	*modinfo = s.mod;
	return GR_OK;
}

/* The build info of the file at path (mf_buildinfo), the file mapped (read
 * whole when it cannot be; the mapping read under gr_sigbus_guard, unmapped
 * outside it). GR_OK, GR_EIO (also: the file shrank while it was read) or
 * GR_ENOMEM (err set); *late: the memory ran out after the file was read,
 * copying the strings. */
static int
mf_buildinfo_file(const char *path, char **go_version, char **modinfo, bool *late, struct gr_error *err)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	void *map = MAP_FAILED;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	*go_version = *modinfo = NULL;
	*late = false;
	if (fd < 0)
		return gr_error_set(err, GR_EIO, errno, "cannot read %s", path);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < ((uint64_t)1 << 31))
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map != MAP_FAILED) {
		close(fd);
		rc = mf_buildinfo(map, (size_t)st.st_size, path, go_version, modinfo, err);
		munmap(map, (size_t)st.st_size);
	} else {
		FILE *f = fdopen(fd, "rb");
		if (!f) {
			close(fd);
			return gr_error_set(err, GR_EIO, errno, "cannot read %s", path);
		}
		rc = gr_file_read_all(f, (size_t)1 << 31, &data, &len);
		fclose(f);
		if (rc == GR_ENOMEM)
			return gr_error_set(err, GR_ENOMEM, 0, "out of memory reading %s", path);
		if (rc != GR_OK)
			return gr_error_set(err, GR_EIO, errno, "cannot read %s", path);
		rc = mf_buildinfo(data, len, path, go_version, modinfo, err);
		free(data);
	}
	if (rc != GR_ENOMEM)
		return rc;  /* GR_EIO: the file shrank while it was read (err set) */
	*late = true;
	return gr_error_set(err, GR_ENOMEM, 0, "out of memory reading %s", path);
}

int
gr_manifest_read_go(struct gr_manifest *m, const char *path, struct gr_error *err)
{
	char *ver = NULL, *text = NULL;
	bool late;
	int rc;

	if ((rc = mf_buildinfo_file(path, &ver, &text, &late, err)) != GR_OK)
		return late ? GR_OK : rc;  /* out of memory copying the strings: no Go side */
	if (ver && !(m->go_version = gr_arena_strdup(&m->arena, ver))) {
		free(ver);
		free(text);
		return GR_OK;
	}
	free(ver);
	rc = text ? gr_manifest_set_go(m, text, NULL, err) : GR_OK;
	free(text);
	return rc;  /* no build info: no Go side */
}

int
gr_manifest_go_modinfo(const char *path, char **text, struct gr_error *err)
{
	char *ver = NULL;
	bool late;
	int rc = mf_buildinfo_file(path, &ver, text, &late, err);

	free(ver);
	return rc;
}

/* ---- the compact form -------------------------------------------------------- */

static void
mf_rec(struct gr_kvbuf *b, const char *kw, size_t n, const char *const *fields)
{
	gr_kv_record(b, kw, n, fields);
}

/* n fields, TAB-separated, then a newline (a cache entry). */
static void
mf_rec_fields(struct gr_kvbuf *b, size_t n, const char *const *fields)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			gr_kv_raw(b, "\t", 1);
		gr_kv_field(b, fields[i]);
	}
	gr_kv_raw(b, "\n", 1);
}

static void
mf_rec_mod(struct gr_kvbuf *b, const char *kw, const struct gr_manifest_gomod *g)
{
	mf_rec(b, kw, 5, (const char *const[]){ g->path, g->version, g->sum, g->replace, g->replace_sum });
}

int
gr_manifest_compact(const struct gr_manifest *m, char **out, size_t *len, struct gr_error *err)
{
	struct gr_kvbuf b = { 0 };
	size_t i, j;

	*out = NULL;
	*len = 0;
	gr_kv_raw(&b, GR_MANIFEST_FORMAT "\n", sizeof(GR_MANIFEST_FORMAT));
	if (m->linker)
		mf_rec(&b, "linker", 1, &m->linker);
	if (m->created)
		mf_rec(&b, "created", 1, &m->created);
	if (m->go_version)
		mf_rec(&b, "go", 1, &m->go_version);
	if (m->go_path)
		mf_rec(&b, "path", 1, &m->go_path);
	if (m->main.path)
		mf_rec_mod(&b, "mod", &m->main);
	for (i = 0; i < m->ndeps; i++)
		mf_rec_mod(&b, "dep", &m->deps[i]);
	for (i = 0; i < m->nsettings; i++)
		mf_rec(&b, "build", 1, &m->settings[i]);
	for (i = 0; i < m->narchives; i++) {
		const struct gr_manifest_archive *a = &m->archives[i];
		mf_rec(&b, "archive", 10,
		       (const char *const[]){ a->path, a->sha256, a->deb_package, a->deb_version, a->deb_source,
		                              a->pc_package, a->pc_version, a->licence, a->licence_from, a->module });
		for (j = 0; j < a->nmembers; j++)
			mf_rec(&b, "member", 1, &a->members[j]);
	}
	for (i = 0; i < m->nobjects; i++) {
		const struct gr_manifest_object *o = &m->objects[i];
		mf_rec(&b, "object", 6,
		       (const char *const[]){ o->name, o->sha256, o->module, o->source, o->deb_package, o->deb_version });
	}
	for (i = 0; i < m->nshared; i++)
		mf_rec(&b, "shared", 1, &m->shared[i]);
	gr_kv_raw(&b, "end\n", 4);
	if (b.nomem) {
		free(b.p);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory writing the link manifest");
	}
	*out = b.p;
	*len = b.n;
	return GR_OK;
}

int
gr_manifest_parse(const char *text, size_t len, struct gr_manifest *m, struct gr_error *err)
{
	char *copy, *p, *f[16];
	size_t line = 1, n, i, fl = strlen(GR_MANIFEST_FORMAT);
	struct gr_manifest_archive *cur = NULL;
	bool ended = false;
	int rc = GR_OK;

	gr_manifest_init(m);
	if (!text || len < fl + 1 || memcmp(text, GR_MANIFEST_FORMAT, fl) || text[fl] != '\n') {
		const char *nl = text ? memchr(text, '\n', len) : NULL;
		if (text && nl && (size_t)(nl - text) > 18 && !memcmp(text, "gorelink-manifest/", 18))
			return gr_error_set(err, GR_EFORMAT, 0, "manifest line 1: version %.*s, but this gorelink reads "
			                    GR_MANIFEST_FORMAT, (int)((nl - text) > 64 ? 64 : nl - text), text);
		return gr_error_set(err, GR_EFORMAT, 0, "manifest line 1: not a gorelink manifest (want '%s')",
		                    GR_MANIFEST_FORMAT);
	}
	if (memchr(text, '\0', len))
		return gr_error_set(err, GR_EFORMAT, 0, "manifest: holds a NUL byte");
	if (!(copy = malloc(len + 1)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory reading a manifest");
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (p = copy + fl + 1; *p; ) {
		char *nl = strchr(p, '\n'), *l = p, *kw;
		line++;
		if (!nl) {
			rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: truncated (no newline)", line);
			break;
		}
		*nl = '\0';
		p = nl + 1;
		if (ended) {
			rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: text after 'end'", line);
			break;
		}
		n = mf_split(l, f, 16);
		kw = f[0];
		for (i = 1; i < n; i++)
			if (!gr_kv_unescape_field(f[i], &f[i])) {
				rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: a bad escape", line);
				goto out;
			}
#define WANT(k) do { if (n != (k) + 1) { rc = gr_error_set(err, GR_EFORMAT, 0, \
		"manifest line %zu: '%s' wants %d fields, not %zu", line, kw, (k), n - 1); goto out; } } while (0)
#define DUP(s) ((s) ? gr_arena_strdup(&m->arena, (s)) : NULL)
		if (!strcmp(kw, "end")) {
			WANT(0);
			ended = true;
		} else if (!strcmp(kw, "linker")) {
			WANT(1);
			m->linker = DUP(f[1]);
		} else if (!strcmp(kw, "created")) {
			WANT(1);
			m->created = DUP(f[1]);
		} else if (!strcmp(kw, "go")) {
			WANT(1);
			m->go_version = DUP(f[1]);
		} else if (!strcmp(kw, "path")) {
			WANT(1);
			m->go_path = DUP(f[1]);
		} else if (!strcmp(kw, "mod") || !strcmp(kw, "dep")) {
			struct gr_manifest_gomod g;
			WANT(5);
			if (!f[1]) {
				rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: a module without a path", line);
				goto out;
			}
			g = (struct gr_manifest_gomod){ DUP(f[1]), DUP(f[2]), DUP(f[3]), DUP(f[4]), DUP(f[5]) };
			if (!g.path)
				goto nomem;
			if (kw[0] == 'm') {
				m->main = g;
			} else {
				if (!gr_arena_grow(&m->arena, (void **)&m->deps, m->ndeps, &m->cdeps, sizeof(*m->deps)))
					goto nomem;
				m->deps[m->ndeps++] = g;
			}
		} else if (!strcmp(kw, "build")) {
			WANT(1);
			if (!f[1] || !gr_arena_grow(&m->arena, (void **)&m->settings, m->nsettings, &m->csettings,
			                            sizeof(*m->settings)))
				goto nomem;
			if (!(m->settings[m->nsettings++] = DUP(f[1])))
				goto nomem;
		} else if (!strcmp(kw, "archive")) {
			struct gr_manifest_archive a = { 0 };
			WANT(10);
			if (!f[1] || !f[8]) {
				rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: an archive without its path or licence", line);
				goto out;
			}
			a.path = DUP(f[1]);
			a.sha256 = DUP(f[2]);
			a.deb_package = DUP(f[3]);
			a.deb_version = DUP(f[4]);
			a.deb_source = DUP(f[5]);
			a.pc_package = DUP(f[6]);
			a.pc_version = DUP(f[7]);
			a.licence = DUP(f[8]);
			a.licence_from = DUP(f[9]);
			a.module = DUP(f[10]);
			if (!a.path || !a.licence ||
			    !gr_arena_grow(&m->arena, (void **)&m->archives, m->narchives, &m->carchives, sizeof(*m->archives)))
				goto nomem;
			m->archives[m->narchives++] = a;
			cur = &m->archives[m->narchives - 1];
		} else if (!strcmp(kw, "member")) {
			WANT(1);
			if (!cur || !f[1]) {
				rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: a member outside an archive", line);
				goto out;
			}
			if (!gr_arena_grow(&m->arena, (void **)&cur->members, cur->nmembers, &cur->cmembers,
			                   sizeof(*cur->members)) ||
			    !(cur->members[cur->nmembers++] = DUP(f[1])))
				goto nomem;
		} else if (!strcmp(kw, "object")) {
			struct gr_manifest_object o;
			WANT(6);
			if (!f[1]) {
				rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: an object without a name", line);
				goto out;
			}
			o = (struct gr_manifest_object){ DUP(f[1]), DUP(f[2]), DUP(f[3]), DUP(f[4]), DUP(f[5]), DUP(f[6]) };
			if (!o.name ||
			    !gr_arena_grow(&m->arena, (void **)&m->objects, m->nobjects, &m->cobjects, sizeof(*m->objects)))
				goto nomem;
			m->objects[m->nobjects++] = o;
		} else if (!strcmp(kw, "shared")) {
			WANT(1);
			if (!f[1] ||
			    !gr_arena_grow(&m->arena, (void **)&m->shared, m->nshared, &m->cshared, sizeof(*m->shared)) ||
			    !(m->shared[m->nshared++] = DUP(f[1])))
				goto nomem;
		} else {
			rc = gr_error_set(err, GR_EFORMAT, 0, "manifest line %zu: unknown record '%.32s'", line, kw);
			goto out;
		}
#undef WANT
#undef DUP
	}
	if (rc == GR_OK && !ended)
		rc = gr_error_set(err, GR_EFORMAT, 0, "manifest: truncated (no 'end' record)");
	goto out;
nomem:
	rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory reading a manifest");
out:
	free(copy);
	return rc;
}

/* ---- the construction from a link, and the payload a binary carries ---- */

int
gr_manifest_from_link(struct gr_manifest *m, const struct gr_link_report *l, const char *epoch,
                      const struct gr_strvec *modules, const char *binary, const struct gr_env *env,
                      const char *salt, struct gr_error *err)
{
	char linker[16] = "";
	size_t i, k;
	int rc;

	gr_manifest_init(m);
	if (l->traced)
		sscanf(l->traced, "%15s", linker);
	if (*linker && !(m->linker = gr_arena_strdup(&m->arena, linker)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	for (i = 0; i < l->nloaded; i++) {
		const struct gr_rec_loaded *x = &l->loaded[i];
		enum gr_manifest_kind kind = !strcmp(x->kind, "member") ? GR_MANIFEST_MEMBER :
		                             !strcmp(x->kind, "shared") ? GR_MANIFEST_SHARED : GR_MANIFEST_OBJECT;
		if (gr_manifest_add(m, kind, x->path, x->member, x->sha256, x->module, x->source))
			return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	if (epoch && *epoch && (rc = gr_manifest_set_epoch(m, epoch, err)))
		return rc;
	/* an archive shipped inside a Go module (confluent-kafka-go's librdkafka) */
	for (i = 0; modules && i < m->narchives; i++)
		for (k = 0; k + 2 < modules->n; k += 3) {
			const char *dir = modules->v[k + 1];
			size_t dl = strlen(dir);
			if (dl && !strncmp(m->archives[i].path, dir, dl) && m->archives[i].path[dl] == '/' &&
			    !(m->archives[i].module = gr_arena_strdup(&m->arena, modules->v[k])))
				return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		}
	/* the Go side: what go version -m would print, read in process */
	if (binary && (rc = gr_manifest_read_go(m, binary, err)))
		return rc;
	/* dpkg's database and the .pc index are read only for what the cache
	 * does not know (the .pc files' digest, go build's mark, keys it too) */
	return gr_manifest_resolve_cached(m, env, NULL, salt, err);
}

static void
mf_json_mod(struct gr_json *j, const char *key, const struct gr_manifest_gomod *g)
{
	gr_json_obj_begin(j, key);
	gr_json_str(j, "path", g->path);
	gr_json_str(j, "version", g->version);
	if (g->sum)
		gr_json_str(j, "sum", g->sum);
	if (g->replace)
		gr_json_str(j, "replace", g->replace);
	if (g->replace_sum)
		gr_json_str(j, "replace_sum", g->replace_sum);
	gr_json_obj_end(j);
}

/* key: s, when s is not NULL. */
static void
mf_json_opt(struct gr_json *j, const char *key, const char *s)
{
	if (s)
		gr_json_str(j, key, s);
}

int
gr_manifest_embed_json(const struct gr_manifest *m, char **out, size_t *len, struct gr_error *err)
{
	struct gr_json j;
	char *compact = NULL;
	size_t clen, i, k;
	FILE *f;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = gr_manifest_compact(m, &compact, &clen, err)))
		return rc;
	if (!(f = open_memstream(out, len))) {
		free(compact);
		return gr_error_set(err, GR_ENOMEM, errno, "out of memory");
	}
	gr_json_init(&j, f);
	gr_json_obj_begin(&j, NULL);
	gr_json_str(&j, "format", GR_MANIFEST_FORMAT);
	mf_json_opt(&j, "linker", m->linker);
	mf_json_opt(&j, "created", m->created);
	mf_json_opt(&j, "go", m->go_version);
	mf_json_opt(&j, "path", m->go_path);
	if (m->main.path)
		mf_json_mod(&j, "mod", &m->main);
	gr_json_arr_begin(&j, "deps");
	for (i = 0; i < m->ndeps; i++)
		mf_json_mod(&j, NULL, &m->deps[i]);
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "archives");
	for (i = 0; i < m->narchives; i++) {
		const struct gr_manifest_archive *a = &m->archives[i];
		gr_json_obj_begin(&j, NULL);
		gr_json_str(&j, "path", a->path);
		mf_json_opt(&j, "sha256", a->sha256);
		gr_json_arr_begin(&j, "members");
		for (k = 0; k < a->nmembers; k++)
			gr_json_str(&j, NULL, a->members[k]);
		gr_json_arr_end(&j);
		mf_json_opt(&j, "deb_package", a->deb_package);
		mf_json_opt(&j, "deb_version", a->deb_version);
		mf_json_opt(&j, "deb_source", a->deb_source);
		mf_json_opt(&j, "pc_package", a->pc_package);
		mf_json_opt(&j, "pc_version", a->pc_version);
		mf_json_opt(&j, "licence", a->licence);
		mf_json_opt(&j, "licence_from", a->licence_from);
		mf_json_opt(&j, "module", a->module);
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "objects");
	for (i = 0; i < m->nobjects; i++) {
		const struct gr_manifest_object *o = &m->objects[i];
		gr_json_obj_begin(&j, NULL);
		gr_json_str(&j, "name", o->name);
		mf_json_opt(&j, "sha256", o->sha256);
		mf_json_opt(&j, "module", o->module);
		mf_json_opt(&j, "source", o->source);
		mf_json_opt(&j, "deb_package", o->deb_package);
		mf_json_opt(&j, "deb_version", o->deb_version);
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "shared");
	for (i = 0; i < m->nshared; i++)
		gr_json_str(&j, NULL, m->shared[i]);
	gr_json_arr_end(&j);
	gr_json_str(&j, "compact", compact);
	gr_json_obj_end(&j);
	free(compact);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return gr_error_set(err, GR_ENOMEM, errno, "out of memory");
	}
	return GR_OK;
}

int
gr_manifest_from_embed(const struct gr_embed_manifest *em, struct gr_manifest *m, struct gr_error *err)
{
	size_t i;

	for (i = 0; i < em->nmembers; i++)
		if (!strcmp(em->members[i].key, "compact") && em->members[i].type == 's')
			return gr_manifest_parse(em->members[i].str, strlen(em->members[i].str), m, err);
	gr_manifest_init(m);
	return gr_error_set(err, GR_EFORMAT, 0, "the embedded manifest (%s) has no compact form",
	                    em->format ? em->format : "no format");
}
