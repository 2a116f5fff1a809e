#include "gr_pcindex.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpkgconf/libpkgconf.h>

#include "gr_cache.h"
#include "gr_kv.h"

/* The format of a cache entry and of what libpkgconf makes of a .pc file. */
#define GR_PCX_VERSION "pcindex 1 libpkgconf " LIBPKGCONF_VERSION_STR
/* A directory or .pc changed less than this many seconds before the scan
 * could change again within the same timestamp: such an index is not stored. */
#define GR_PCX_RACY_S 2

/* A .pc file found by the scan. */
struct gr_pcx_file {
	const char *name;      /* "foo.pc" */
	size_t dir;            /* index into the search dirs */
	int stat_errno;        /* stat's errno, or 0 */
	bool regular;
	bool shadowed;         /* the same name in an earlier dir */
};

/* Everything being built; the arrays live in ix->arena. */
struct gr_pcx_build {
	struct gr_pcindex *ix;
	const char **dirs;
	size_t ndirs;
	struct gr_pcx_file *files;
	size_t nfiles, capfiles;
	struct gr_kvbuf key;    /* the cache key: version, sysroot, the search dirs */
	struct gr_kvbuf stamp;  /* the version line and every dir's and .pc's identity */
	bool racy;
	bool nomem;
	struct gr_pcindex_pkg *pkgs;
	size_t npkgs, cappkgs;
	struct gr_pcindex_skip *skipped;
	size_t nskipped, capskipped;
	char warn[1024];        /* the first warning that loses information, for the file being parsed */
};

static bool
gr_pcx_error_handler(const char *msg, const pkgconf_client_t *client, const void *data)
{
	(void)msg;
	(void)client;
	(void)data;
	return true;
}

/* libpkgconf warns and goes on: a missing field makes it drop the file, a
 * fragment list it cannot split is left empty. Either loses information. */
static bool
gr_pcx_warn_handler(const char *msg, const pkgconf_client_t *client, const void *data)
{
	struct gr_pcx_build *b = (struct gr_pcx_build *)(uintptr_t)data;
	size_t n;

	(void)client;
	if (b->warn[0] || !(strstr(msg, "does not declare") || strstr(msg, "skipping invalid") ||
	                    strstr(msg, "unable to parse") || strstr(msg, "truncating")))
		return true;
	snprintf(b->warn, sizeof(b->warn), "%s", msg);
	for (n = 0; b->warn[n]; n++)
		if (b->warn[n] == '\n' || b->warn[n] == '\t')
			b->warn[n] = ' ';
	while (n && b->warn[n - 1] == ' ')
		b->warn[--n] = '\0';
	return true;
}

static int
gr_pcx_cmp_names(const void *x, const void *y)
{
	return strcmp(((const struct gr_pcx_file *)x)->name, ((const struct gr_pcx_file *)y)->name);
}

/* Files by name, then by place in the search: the first of equal names wins. */
static int
gr_pcx_cmp_byname(const void *x, const void *y)
{
	const struct gr_pcx_file *const *p = x, *const *q = y;
	int c = strcmp((*p)->name, (*q)->name);

	return c ? c : *p < *q ? -1 : *p > *q;
}

static void
gr_pcx_stamp_line(struct gr_pcx_build *b, char tag, const struct stat *st, long long count, int e)
{
	char line[160];

	if (e)
		snprintf(line, sizeof(line), "error %d", e);
	else if (count >= 0)
		snprintf(line, sizeof(line), "%llu %llu %lld.%09ld %lld", (unsigned long long)st->st_dev,
		         (unsigned long long)st->st_ino, (long long)st->st_mtim.tv_sec,
		         (long)st->st_mtim.tv_nsec, count);
	else
		snprintf(line, sizeof(line), "%llu %llu %lld.%09ld %lld %o", (unsigned long long)st->st_dev,
		         (unsigned long long)st->st_ino, (long long)st->st_mtim.tv_sec,
		         (long)st->st_mtim.tv_nsec, (long long)st->st_size, (unsigned)st->st_mode);
	gr_kv_put(&b->stamp, tag, line);
}

/* List dir i's .pc files, sorted, with its identity and theirs in the stamp. */
static void
gr_pcx_scan_dir(struct gr_pcx_build *b, size_t i, time_t now)
{
	struct gr_arena *a = &b->ix->arena;
	struct dirent *de;
	struct stat st;
	long long count = 0;
	size_t first = b->nfiles, k;
	DIR *d;
	int e;

	gr_kv_put(&b->stamp, 'D', b->dirs[i]);
	/* A dir libpkgconf lists but that cannot be read has nothing in it for
	 * libpkgconf either; its state is part of the stamp all the same. */
	if (!(d = opendir(b->dirs[i])) || fstat(dirfd(d), &st) != 0) {
		e = errno ? errno : EIO;
		if (d)
			closedir(d);
		gr_pcx_stamp_line(b, 'd', NULL, 0, e);
		return;
	}
	while (errno = 0, (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		count++;
		/* libpkgconf reads every name ending in ".pc" (one that is only ".pc"
		 * would be a package without a name: not one anybody can ask for). */
		if (n <= 3 || strcmp(de->d_name + n - 3, ".pc") != 0)
			continue;
		if (!gr_arena_grow(a, (void **)&b->files, b->nfiles, &b->capfiles, sizeof(*b->files))) {
			b->nomem = true;
			break;
		}
		memset(&b->files[b->nfiles], 0, sizeof(b->files[0]));
		b->files[b->nfiles].dir = i;
		if (!(b->files[b->nfiles].name = gr_arena_strdup(a, de->d_name))) {
			b->nomem = true;
			break;
		}
		b->nfiles++;
	}
	/* A listing cut short is not the dir's contents: say so in the stamp (so
	 * it matches no stored entry) and never store it. */
	e = errno;
	if (st.st_mtim.tv_sec >= now - GR_PCX_RACY_S)
		b->racy = true;
	gr_pcx_stamp_line(b, 'd', &st, count, 0);
	if (e) {
		gr_pcx_stamp_line(b, 'd', NULL, 0, e);
		b->racy = true;
	}
	qsort(b->files + first, b->nfiles - first, sizeof(*b->files), gr_pcx_cmp_names);
	/* Each file's identity: an edit in place leaves the dir's mtime alone. */
	for (k = first; k < b->nfiles; k++) {
		struct gr_pcx_file *f = &b->files[k];
		struct stat fst;
		gr_kv_put(&b->stamp, 'F', f->name);
		if (fstatat(dirfd(d), f->name, &fst, 0) != 0) {
			f->stat_errno = errno ? errno : EIO;
			gr_pcx_stamp_line(b, 'f', NULL, 0, f->stat_errno);
			continue;
		}
		f->regular = S_ISREG(fst.st_mode);
		if (fst.st_mtim.tv_sec >= now - GR_PCX_RACY_S)
			b->racy = true;
		gr_pcx_stamp_line(b, 'f', &fst, -1, 0);
	}
	closedir(d);
}

/* Mark the later of equal names (pkg-config opens the first dir's). */
static void
gr_pcx_shadow(struct gr_pcx_build *b)
{
	struct gr_pcx_file **byname;
	size_t k;

	if (b->nfiles < 2)
		return;
	if (!(byname = malloc(b->nfiles * sizeof(*byname)))) {
		b->nomem = true;
		return;
	}
	for (k = 0; k < b->nfiles; k++)
		byname[k] = &b->files[k];
	qsort(byname, b->nfiles, sizeof(*byname), gr_pcx_cmp_byname);
	for (k = 1; k < b->nfiles; k++)
		if (!strcmp(byname[k]->name, byname[k - 1]->name))
			byname[k]->shadowed = true;
	free(byname);
}

/* Append lname to arr unless it is there already. */
static bool
gr_pcx_addlib(struct gr_arena *a, const char ***arr, size_t *n, size_t *cap, const char *lname)
{
	size_t i;
	char *c;

	for (i = 0; i < *n; i++)
		if (!strcmp((*arr)[i], lname))
			return true;
	if (!gr_arena_grow(a, (void **)arr, *n, cap, sizeof(**arr)) || !(c = gr_arena_strdup(a, lname)))
		return false;
	(*arr)[(*n)++] = c;
	return true;
}

static struct gr_pcindex_pkg *
gr_pcx_newpkg(struct gr_pcx_build *b, const char *name, const char *path)
{
	struct gr_arena *a = &b->ix->arena;
	struct gr_pcindex_pkg *p;

	if (!gr_arena_grow(a, (void **)&b->pkgs, b->npkgs, &b->cappkgs, sizeof(*b->pkgs)))
		return NULL;
	p = &b->pkgs[b->npkgs];
	memset(p, 0, sizeof(*p));
	if (!(p->name = gr_arena_strdup(a, name)) || !(p->path = gr_arena_strdup(a, path)))
		return NULL;
	b->npkgs++;
	return p;
}

static bool
gr_pcx_skip(struct gr_pcx_build *b, const char *path, const char *why)
{
	struct gr_arena *a = &b->ix->arena;
	struct gr_pcindex_skip *s;

	if (!gr_arena_grow(a, (void **)&b->skipped, b->nskipped, &b->capskipped, sizeof(*b->skipped)))
		return false;
	s = &b->skipped[b->nskipped];
	if (!(s->path = gr_arena_strdup(a, path)) || !(s->why = gr_arena_strdup(a, why)))
		return false;
	b->nskipped++;
	return true;
}

/* Add the -l names of a fragment list. */
static bool
gr_pcx_addlist(struct gr_arena *a, const pkgconf_list_t *l, const char *const **out, size_t *n)
{
	const char **arr = (const char **)(uintptr_t)*out;
	size_t cap = *n;
	pkgconf_node_t *node;

	PKGCONF_FOREACH_LIST_ENTRY(l->head, node) {
		const pkgconf_fragment_t *f = node->data;
		if (f->type == 'l' && f->data && f->data[0] && !gr_pcx_addlib(a, &arr, n, &cap, f->data))
			return false;
	}
	*out = arr;
	return true;
}

/* Parse every file the scan found with libpkgconf. */
static void
gr_pcx_parse_all(struct gr_pcx_build *b, pkgconf_client_t *client)
{
	struct gr_arena *a = &b->ix->arena;
	size_t k;

	for (k = 0; k < b->nfiles && !b->nomem; k++) {
		const struct gr_pcx_file *f = &b->files[k];
		struct gr_pcindex_pkg *p;
		pkgconf_pkg_t *pkg;
		char *path, *name;
		FILE *fp;
		if (f->shadowed)
			continue;
		path = gr_arena_printf(a, "%s/%s", b->dirs[f->dir], f->name);
		name = gr_arena_strndup(a, f->name, strlen(f->name) - 3);
		if (!path || !name) {
			b->nomem = true;
			break;
		}
		if (f->stat_errno || !f->regular) {
			if (!gr_pcx_skip(b, path, f->stat_errno ? strerror(f->stat_errno) : "not a regular file"))
				b->nomem = true;
			continue;
		}
		if (!(fp = fopen(path, "r"))) {
			if (!gr_pcx_skip(b, path, strerror(errno)))
				b->nomem = true;
			continue;
		}
		b->warn[0] = '\0';
		pkg = pkgconf_pkg_new_from_file(client, path, fp);  /* closes fp */
		if (!pkg || b->warn[0]) {
			if (!gr_pcx_skip(b, path, b->warn[0] ? b->warn : "libpkgconf refused the file"))
				b->nomem = true;
			if (pkg)
				pkgconf_pkg_unref(client, pkg);
			continue;
		}
		if (!(p = gr_pcx_newpkg(b, name, path)) ||
		    !gr_pcx_addlist(a, &pkg->libs, &p->libs, &p->nlibs) ||
		    !gr_pcx_addlist(a, &pkg->libs_private, &p->libs_private, &p->nlibs_private))
			b->nomem = true;
		pkgconf_pkg_unref(client, pkg);
	}
}

/* The end line: "end" and how many lines come between the stamp and it. */
static void
gr_pcx_end_line(char *buf, size_t cap, size_t nlines)
{
	snprintf(buf, cap, "end %zu", nlines);
}

static void
gr_pcx_serialize(struct gr_pcx_build *b, struct gr_kvbuf *out)
{
	char end[48];
	size_t i, k, nlines = 0;

	gr_kv_raw(out, b->stamp.p, b->stamp.n);
	for (i = 0; i < b->npkgs; i++) {
		nlines += 2 + b->pkgs[i].nlibs + b->pkgs[i].nlibs_private;
		gr_kv_put(out, 'P', b->pkgs[i].name);
		gr_kv_put(out, 'p', b->pkgs[i].path);
		for (k = 0; k < b->pkgs[i].nlibs; k++)
			gr_kv_put(out, 'l', b->pkgs[i].libs[k]);
		for (k = 0; k < b->pkgs[i].nlibs_private; k++)
			gr_kv_put(out, 'q', b->pkgs[i].libs_private[k]);
	}
	for (i = 0; i < b->nskipped; i++) {
		gr_kv_put(out, 'S', b->skipped[i].path);
		gr_kv_put(out, 's', b->skipped[i].why);
	}
	gr_pcx_end_line(end, sizeof(end), nlines + 2 * b->nskipped);
	gr_kv_put(out, 'E', end);
}

/* Read a stored entry after its stamp; false when it is malformed (an
 * unknown or misplaced tag, an empty value, no end line or one that counts
 * another number of lines, anything after it). */
static bool
gr_pcx_deserialize(struct gr_pcx_build *b, char *cur)
{
	struct gr_arena *a = &b->ix->arena;
	struct gr_pcindex_pkg *p = NULL;
	size_t caplibs = 0, cappriv = 0, nlines = 0;
	char tag, *v, *name, end[48];
	bool bad = false;

	while (gr_kv_next(&cur, &tag, &v, &bad)) {
		if (!*v)
			return false;
		nlines += tag == 'E' ? 0 : tag == 'P' || tag == 'S' ? 2 : 1;
		switch (tag) {
		case 'P':  /* the name, then its path on the next line */
			name = v;
			if (!gr_kv_next(&cur, &tag, &v, &bad) || tag != 'p' || !*v)
				return false;
			if (!(p = gr_pcx_newpkg(b, name, v))) {
				b->nomem = true;
				return false;
			}
			caplibs = cappriv = 0;
			break;
		case 'l':
		case 'q': {
			const char **arr;
			if (!p)
				return false;
			arr = (const char **)(uintptr_t)(tag == 'l' ? p->libs : p->libs_private);
			if (!gr_pcx_addlib(a, &arr, tag == 'l' ? &p->nlibs : &p->nlibs_private,
			                   tag == 'l' ? &caplibs : &cappriv, v)) {
				b->nomem = true;
				return false;
			}
			if (tag == 'l')
				p->libs = arr;
			else
				p->libs_private = arr;
			break;
		}
		case 'S':  /* the path, then why on the next line */
			name = v;
			p = NULL;
			if (!gr_kv_next(&cur, &tag, &v, &bad) || tag != 's' || !*v)
				return false;
			if (!gr_pcx_skip(b, name, v)) {
				b->nomem = true;
				return false;
			}
			break;
		case 'E':
			/* the end line, after as many lines as were written, and nothing after it */
			gr_pcx_end_line(end, sizeof(end), nlines);
			return !strcmp(v, end) && (!cur || !*cur);
		default:
			return false;
		}
	}
	return false;
}

static int
gr_pcx_cmp_refs(const void *x, const void *y)
{
	const struct gr_pcindex_ref *p = x, *q = y;
	int c = strcmp(p->lname, q->lname);

	if (c)
		return c;
	if (p->private_only != q->private_only)
		return p->private_only ? 1 : -1;
	return p->pkg < q->pkg ? -1 : p->pkg > q->pkg;
}

/* Every (lname, package) pair, sorted for gr_pcindex_lookup. */
static bool
gr_pcx_refs(struct gr_pcx_build *b)
{
	struct gr_pcindex_ref *refs;
	size_t i, k, j, n = 0;

	for (i = 0; i < b->npkgs; i++)
		n += b->pkgs[i].nlibs + b->pkgs[i].nlibs_private;
	if (!(refs = gr_arena_alloc(&b->ix->arena, (n ? n : 1) * sizeof(*refs))))
		return false;
	n = 0;
	for (i = 0; i < b->npkgs; i++) {
		const struct gr_pcindex_pkg *p = &b->pkgs[i];
		for (k = 0; k < p->nlibs; k++)
			refs[n++] = (struct gr_pcindex_ref){ p->libs[k], p, false };
		for (k = 0; k < p->nlibs_private; k++) {
			bool public = false;
			for (j = 0; j < p->nlibs && !public; j++)
				public = !strcmp(p->libs[j], p->libs_private[k]);
			if (!public)
				refs[n++] = (struct gr_pcindex_ref){ p->libs_private[k], p, true };
		}
	}
	qsort(refs, n, sizeof(*refs), gr_pcx_cmp_refs);
	b->ix->refs = refs;
	b->ix->nrefs = n;
	return true;
}

const struct gr_pcindex_ref *
gr_pcindex_lookup(const struct gr_pcindex *ix, const char *lname, size_t *n, size_t *npublic)
{
	size_t lo = 0, hi = ix->nrefs, end;

	*n = 0;
	if (npublic)
		*npublic = 0;
	/* The first ref whose lname is not below lname. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->refs[mid].lname, lname) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < ix->nrefs && !strcmp(ix->refs[end].lname, lname); end++)
		if (npublic && !ix->refs[end].private_only)
			(*npublic)++;
	*n = end - lo;
	return *n ? &ix->refs[lo] : NULL;
}

/* s without a leading "lib" (any case), in lower-case letters only. */
static void
gr_pcx_loose(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	if (!strncasecmp(s, "lib", 3))
		s += 3;
	for (; *s && n + 1 < cap; s++)
		if (isalpha((unsigned char)*s))
			out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
}

/* How well a package's name matches the library's: the rule that holds, or 0. */
static enum gr_pcindex_rule
gr_pcx_name_rule(const char *name, const char *lname)
{
	char ln[256], pn[256];

	if (!strcmp(name, lname))
		return GR_PCINDEX_SAME_NAME;
	/* "lib" before or after: "libssl" for -lssl, "zlib" for -lz (not cairo-pdf, whose Libs are -lz too). */
	if ((!strncmp(name, "lib", 3) && !strcmp(name + 3, lname)) ||
	    (!strncmp(lname, "lib", 3) && !strcmp(lname + 3, name)) ||
	    (strlen(name) == strlen(lname) + 3 && !strncmp(name, lname, strlen(lname)) &&
	     !strcmp(name + strlen(lname), "lib")))
		return GR_PCINDEX_LIB_NAME;
	gr_pcx_loose(name, pn, sizeof(pn));
	gr_pcx_loose(lname, ln, sizeof(ln));
	if (ln[0] && !strcmp(ln, pn))
		return GR_PCINDEX_LOOSE_NAME;
	return GR_PCINDEX_NONE;
}

/* The closest name rule of p against any of names[0..n) (NONE: none holds). */
static enum gr_pcindex_rule
gr_pcx_name_rule_any(const char *name, const char *const *names, size_t n)
{
	enum gr_pcindex_rule best = GR_PCINDEX_NONE, r;
	size_t i;

	for (i = 0; i < n; i++)
		if ((r = gr_pcx_name_rule(name, names[i])) != GR_PCINDEX_NONE && (best == GR_PCINDEX_NONE || r < best))
			best = r;
	return best;
}

/* Which of rule rp and rq comes first: -1, 1, or 0 (the same); *rule: the one that decides. */
static int
gr_pcx_rule_cmp(enum gr_pcindex_rule rp, enum gr_pcindex_rule rq, enum gr_pcindex_rule *rule)
{
	if (rp == rq)
		return 0;
	*rule = rp == GR_PCINDEX_NONE ? rq : rq == GR_PCINDEX_NONE ? rp : rp < rq ? rp : rq;
	return rp == GR_PCINDEX_NONE ? 1 : rq == GR_PCINDEX_NONE ? -1 : rp < rq ? -1 : 1;
}

/* Which of p and q comes first for names[0] (with names[1..n) the other
 * names of its archive); *rule: the rule that decides. */
static int
gr_pcx_rank(const struct gr_pcindex_pkg *p, const struct gr_pcindex_pkg *q, const char *const *names, size_t n,
            enum gr_pcindex_rule *rule)
{
	int c;

	/* A matching name first, the closest match first (NONE is 0: last). */
	if ((c = gr_pcx_rule_cmp(gr_pcx_name_rule(p->name, names[0]), gr_pcx_name_rule(q->name, names[0]), rule)))
		return c;
	/* Then a name matching another name of the archive (libpng16 for -lpng16). */
	if (n > 1 && (c = gr_pcx_rule_cmp(gr_pcx_name_rule_any(p->name, names + 1, n - 1),
	                                  gr_pcx_name_rule_any(q->name, names + 1, n - 1), rule)))
		return c;
	/* lname is one of each one's Libs: the fewer others, the less it brings. */
	if (p->nlibs != q->nlibs) {
		*rule = GR_PCINDEX_FEWEST_LIBS;
		return p->nlibs < q->nlibs ? -1 : 1;
	}
	*rule = GR_PCINDEX_NAME_ORDER;
	c = strcmp(p->name, q->name);
	return c ? c : p < q ? -1 : p > q;
}

int
gr_pcindex_choose(const struct gr_pcindex *ix, const char *lname, struct gr_pcindex_choice *c,
                  struct gr_error *err)
{
	return gr_pcindex_choose_names(ix, &lname, 1, c, err);
}

int
gr_pcindex_choose_names(const struct gr_pcindex *ix, const char *const *names, size_t nnames,
                        struct gr_pcindex_choice *c, struct gr_error *err)
{
	const struct gr_pcindex_ref *refs;
	const struct gr_pcindex_pkg **v = NULL;
	size_t n, npub, i, k, q, nv = 0;

	memset(c, 0, sizeof(*c));
	/* The packages whose Libs name any of the names, each once, in the order found. */
	for (k = 0; k < nnames; k++) {
		refs = gr_pcindex_lookup(ix, names[k], &n, &npub);
		if (!npub)
			continue;
		{
			const struct gr_pcindex_pkg **g = realloc(v, (nv + npub) * sizeof(*v));
			if (!g) {
				free(v);
				return gr_error_set(err, GR_ENOMEM, 0, "pkg-config index: out of memory");
			}
			v = g;
		}
		for (i = 0; i < npub; i++) {
			for (q = 0; q < nv && v[q] != refs[i].pkg; q++)
				;
			if (q == nv)
				v[nv++] = refs[i].pkg;
		}
	}
	if (!nv) {
		free(v);
		return GR_OK;
	}
	/* Few packages name one library: insertion sort by the rules. */
	for (i = 1; i < nv; i++) {
		const struct gr_pcindex_pkg *x = v[i];
		enum gr_pcindex_rule r;
		size_t j;
		for (j = i; j > 0 && gr_pcx_rank(x, v[j - 1], names, nnames, &r) < 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	c->pkg = v[0];
	c->rule = GR_PCINDEX_ONLY;
	if (nv > 1)
		gr_pcx_rank(v[0], v[1], names, nnames, &c->rule);
	/* The alternatives are the rest, best first, in the same array. */
	memmove(v, v + 1, (nv - 1) * sizeof(*v));
	c->nalts = nv - 1;
	if (c->nalts)
		c->alts = v;
	else
		free(v);
	return GR_OK;
}

const char *
gr_pcindex_rule_text(enum gr_pcindex_rule rule)
{
	switch (rule) {
	case GR_PCINDEX_NONE: return "no package's Libs name it";
	case GR_PCINDEX_ONLY: return "the only package whose Libs name it";
	case GR_PCINDEX_SAME_NAME: return "its name is the library's";
	case GR_PCINDEX_LIB_NAME: return "its name is the library's with or without \"lib\"";
	case GR_PCINDEX_LOOSE_NAME: return "its name is the library's in letters";
	case GR_PCINDEX_FEWEST_LIBS: return "the fewest other -l in its Libs";
	case GR_PCINDEX_NAME_ORDER: return "first in name order";
	}
	return "?";
}

void
gr_pcindex_choice_deinit(struct gr_pcindex_choice *c)
{
	free(c->alts);
	memset(c, 0, sizeof(*c));
}

void
gr_pcindex_free(struct gr_pcindex *ix)
{
	if (!ix)
		return;
	gr_arena_deinit(&ix->arena);
	free(ix);
}

/* The search dirs libpkgconf builds, the key and the stamp; false when out of memory. */
static bool
gr_pcx_dirs(struct gr_pcx_build *b, pkgconf_client_t *client, const char *sysroot)
{
	struct gr_arena *a = &b->ix->arena;
	pkgconf_node_t *n;
	size_t cap = 0;

	gr_kv_put(&b->key, 'V', GR_PCX_VERSION);
	gr_kv_put(&b->key, sysroot ? 'r' : 'u', sysroot ? sysroot : "");
	PKGCONF_FOREACH_LIST_ENTRY(client->dir_list.head, n) {
		const pkgconf_path_t *pn = n->data;
		char *d;
		if (!pn->path)
			continue;
		if (!gr_arena_grow(a, (void **)&b->dirs, b->ndirs, &cap, sizeof(*b->dirs)) ||
		    !(d = gr_arena_strdup(a, pn->path)))
			return false;
		b->dirs[b->ndirs++] = d;
		gr_kv_put(&b->key, 'd', d);
	}
	gr_kv_put(&b->stamp, 'V', GR_PCX_VERSION);
	return !b->key.nomem;
}

int
gr_pcindex_open(const struct gr_env *env, struct gr_pcindex **out, struct gr_error *err)
{
	pkgconf_cross_personality_t *pers = pkgconf_cross_personality_default();
	const char *sysroot = env && env->pkg_config_sysroot_dir && *env->pkg_config_sysroot_dir
	                      ? env->pkg_config_sysroot_dir : NULL;
	struct gr_pcx_build b;
	struct gr_kvbuf data = { NULL, 0, 0, false };
	pkgconf_client_t client;
	struct timespec now;
	char *cached = NULL;
	size_t len, i;
	bool hit = false;
	int rc = GR_OK;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	if (!(b.ix = calloc(1, sizeof(*b.ix))))
		return gr_error_set(err, GR_ENOMEM, 0, "pkg-config index: out of memory");
	gr_arena_init(&b.ix->arena);
	/* The client as gr_pc's package scan sets it up: its dir list is the search path. */
	memset(&client, 0, sizeof(client));
	pkgconf_client_init(&client, gr_pcx_error_handler, &b, pers);
	/* libpkgconf installs a default trace handler that drops every message,
	 * after formatting it: half the time of parsing a .pc (callgrind). With
	 * none, pkgconf_trace returns at once. */
	client.trace_handler = NULL;
	pkgconf_client_set_warn_handler(&client, gr_pcx_warn_handler, &b);
	if (sysroot)
		pkgconf_client_set_sysroot_dir(&client, sysroot);
	pkgconf_client_set_flags(&client, PKGCONF_PKG_PKGF_DONT_MERGE_SPECIAL_FRAGMENTS);
	pkgconf_client_dir_list_build(&client, pers);
	if (!gr_pcx_dirs(&b, &client, sysroot))
		b.nomem = true;
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < b.ndirs && !b.nomem; i++)
		gr_pcx_scan_dir(&b, i, now.tv_sec);
	if (b.stamp.nomem)
		b.nomem = true;
	/* A stored entry counts when its stamp is this one: same dirs, same files. */
	if (!b.nomem && env && gr_cache_get(env, "pcindex", b.key.p, &cached, &len) == GR_OK) {
		if (len > b.stamp.n && !memcmp(cached, b.stamp.p, b.stamp.n)) {
			hit = gr_pcx_deserialize(&b, cached + b.stamp.n);
			if (!hit) {
				/* Start again from nothing: a damaged entry is a miss. */
				b.npkgs = b.cappkgs = b.nskipped = b.capskipped = 0;
				b.pkgs = NULL;
				b.skipped = NULL;
			}
		}
		free(cached);
	}
	if (!hit && !b.nomem) {
		gr_pcx_shadow(&b);
		if (!b.nomem)
			gr_pcx_parse_all(&b, &client);
	}
	pkgconf_client_deinit(&client);
	if (b.nomem || !gr_pcx_refs(&b)) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "pkg-config index: out of memory");
		goto out;
	}
	b.ix->dirs = b.dirs;
	b.ix->ndirs = b.ndirs;
	b.ix->pkgs = b.pkgs;
	b.ix->npkgs = b.npkgs;
	b.ix->skipped = b.skipped;
	b.ix->nskipped = b.nskipped;
	b.ix->from_cache = hit;
	/* Only a cache write error remains possible: the index is as good without it. */
	if (!hit && env && !b.racy) {
		struct gr_error ignore;
		gr_pcx_serialize(&b, &data);
		if (!data.nomem && gr_cache_put(env, "pcindex", b.key.p, data.p, data.n, &ignore) == GR_OK)
			b.ix->stored = true;
	}
out:
	free(data.p);
	free(b.key.p);
	free(b.stamp.p);
	if (rc) {
		gr_pcindex_free(b.ix);
		return rc;
	}
	*out = b.ix;
	return GR_OK;
}
