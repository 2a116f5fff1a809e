#include "gr_dpkg.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gr_arena.h"
#include "gr_cache.h"
#include "gr_file.h"
#include "gr_hash.h"
#include "gr_path.h"

#define GR_DPKG_LIST_MAX ((size_t)256 << 20)  /* one info/PKG.list file, bytes */
#define GR_DPKG_STATUS_MAX ((size_t)1 << 30)  /* the status file, bytes */

struct gr_dpkg_slot {
	const char *path;  /* NULL: empty */
	uint32_t pkg;      /* index into pkgs */
};

struct gr_dpkg_div {
	const char *from;  /* the original path */
	const char *to;    /* where dpkg-divert moved it */
	const char *by;    /* the diverting package ("" for a local diversion: ":") */
};

/* One path of the index: its gr_hash_str and the package that owns it. */
struct gr_dpkg_ixent {
	uint64_t h;
	uint32_t pkg;
};

struct gr_dpkg {
	struct gr_arena arena;
	bool indexed;  /* answered from an index (ix) instead of the table (slots) */
	struct gr_dpkg_ixent *ix;  /* sorted by h then pkg */
	size_t nix;
	char *ixdata;   /* the cache entry the index's strings point into */
	char *admindir;  /* indexed: where to read a package's list to check an answer */
	char **lists;   /* indexed: each package's list text once read (NULL: not yet) */
	bool *nolist;   /* indexed: the package's list could not be read */
	struct gr_dpkg *full;  /* indexed: the database loaded when the index cannot answer alone */
	bool full_tried;
	int full_rc;           /* indexed: GR_OK, or why that load failed (answers may be missing) */
	struct gr_error full_err;
	char *key;  /* gr_dpkg_key taken just before the load (NULL: out of memory) */
	struct gr_dpkg *self;  /* indexed: db itself, which lookups update */
	struct gr_dpkg_pkg *pkgs;  /* sorted by name */
	size_t npkgs;
	struct gr_dpkg_slot *slots;  /* open addressing, power of two */
	size_t nslots, nused;
	struct gr_dpkg_div *divs;
	size_t ndivs;
	char **bufs;  /* the list files' text, which slots point into */
	size_t nbufs;
};

/* A status stanza's fields that matter here. */
struct gr_dpkg_stanza {
	const char *package, *arch, *version, *source;
};

static int
table_grow(struct gr_dpkg *db)
{
	size_t n = db->nslots ? db->nslots * 2 : 1 << 16, i;
	struct gr_dpkg_slot *s = calloc(n, sizeof(*s));

	if (!s)
		return GR_ENOMEM;
	for (i = 0; i < db->nslots; i++) {
		size_t j;
		if (!db->slots[i].path)
			continue;
		for (j = gr_hash_str(db->slots[i].path) & (n - 1); s[j].path; j = (j + 1) & (n - 1))
			;
		s[j] = db->slots[i];
	}
	free(db->slots);
	db->slots = s;
	db->nslots = n;
	return GR_OK;
}

/* Record path -> pkg unless the path is there already (the first package by name keeps it). */
static int
table_put(struct gr_dpkg *db, const char *path, uint32_t pkg)
{
	size_t j;

	if ((db->nused + 1) * 4 > db->nslots * 3 && table_grow(db) != GR_OK)
		return GR_ENOMEM;
	for (j = gr_hash_str(path) & (db->nslots - 1); db->slots[j].path; j = (j + 1) & (db->nslots - 1))
		if (!strcmp(db->slots[j].path, path)) {
			/* a diverted path keeps the package that is not the diverter: the
			 * file moved aside is that package's (lookup_one answers for the
			 * original path itself) */
			size_t i;
			for (i = 0; i < db->ndivs; i++)
				if (!strcmp(db->divs[i].from, path) &&
				    !strcmp(db->pkgs[db->slots[j].pkg].package, db->divs[i].by))
					db->slots[j].pkg = pkg;
			return GR_OK;
		}
	db->slots[j].path = path;
	db->slots[j].pkg = pkg;
	db->nused++;
	return GR_OK;
}

static const struct gr_dpkg_pkg *ix_get(const struct gr_dpkg *db, const char *path);

static const struct gr_dpkg_pkg *
table_get(const struct gr_dpkg *db, const char *path)
{
	size_t j;

	if (db && db->indexed)
		return ix_get(db, path);
	if (!db || !db->nslots)
		return NULL;
	for (j = gr_hash_str(path) & (db->nslots - 1); db->slots[j].path; j = (j + 1) & (db->nslots - 1))
		if (!strcmp(db->slots[j].path, path))
			return &db->pkgs[db->slots[j].pkg];
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_stanza(const void *a, const void *b)
{
	const struct gr_dpkg_stanza *x = a, *y = b;
	int c = strcmp(x->package, y->package);

	return c ? c : strcmp(x->arch, y->arch);
}

/* A formatted string, malloc'd; NULL when out of memory. */
static char *
dp_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* Read a whole file; GR_ENOTFOUND when it does not exist. */
static int
slurp(const char *path, size_t max, char **text, size_t *len, struct gr_error *err)
{
	FILE *f = fopen(path, "r");
	int rc;

	*text = NULL;
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return GR_ENOTFOUND;
		return gr_error_set(err, GR_EIO, errno, "cannot open %s", path);
	}
	rc = gr_file_read_all(f, max, text, len);
	fclose(f);
	if (rc == GR_ENOMEM)
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory reading %s", path);
	if (rc == GR_EUSAGE)
		return gr_error_set(err, GR_EFORMAT, 0, "%s is larger than %zu bytes", path, max);
	if (rc != GR_OK)
		return gr_error_set(err, GR_EIO, errno, "cannot read %s", path);
	if (len && memchr(*text, '\0', *len)) {
		free(*text);
		*text = NULL;
		return gr_error_set(err, GR_EFORMAT, 0, "%s holds a NUL byte", path);
	}
	return GR_OK;
}

/* Keep the stanza read so far (when it named a package) and start a new one. */
static int
flush_stanza(struct gr_dpkg *db, struct gr_dpkg_stanza *cur, struct gr_dpkg_stanza **v, size_t *n,
             size_t *cap)
{
	if (cur->package) {
		if (!gr_arena_grow(&db->arena, (void **)v, *n, cap, sizeof(**v)))
			return GR_ENOMEM;
		if (!cur->arch)
			cur->arch = "";
		if (!cur->version)
			cur->version = "";
		if (!cur->source)
			cur->source = cur->package;
		(*v)[(*n)++] = *cur;
	}
	memset(cur, 0, sizeof(*cur));
	return GR_OK;
}

/* One "Field: value" line of a stanza: keep the fields gr_dpkg reports. */
static int
parse_field(struct gr_dpkg *db, const char *line, struct gr_dpkg_stanza *cur)
{
	const char *colon = strchr(line, ':'), *val, *e, **slot = NULL;
	size_t k;

	if (!colon)
		return GR_OK;
	k = (size_t)(colon - line);
	if (k == 7 && !strncmp(line, "Package", k))
		slot = &cur->package;
	else if (k == 12 && !strncmp(line, "Architecture", k))
		slot = &cur->arch;
	else if (k == 7 && !strncmp(line, "Version", k))
		slot = &cur->version;
	else if (k == 6 && !strncmp(line, "Source", k))
		slot = &cur->source;
	if (!slot)
		return GR_OK;
	for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
		;
	e = val + strlen(val);
	while (e > val && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if (slot == &cur->source) {
		/* "Source: zlib (1:1.2.13.dfsg-1)": the name only */
		const char *sp = memchr(val, ' ', (size_t)(e - val));
		if (sp)
			e = sp;
	}
	return (*slot = gr_arena_strndup(&db->arena, val, (size_t)(e - val))) ? GR_OK : GR_ENOMEM;
}

/* Parse the status file into stanzas (arena copies), sorted by package then arch. */
static int
load_status(struct gr_dpkg *db, const char *file, struct gr_dpkg_stanza **out, size_t *nout,
            struct gr_error *err)
{
	char *text, *p;
	size_t len, n = 0, cap = 0;
	struct gr_dpkg_stanza *v = NULL, cur = { 0 };
	int rc = slurp(file, GR_DPKG_STATUS_MAX, &text, &len, err);

	*out = NULL;
	*nout = 0;
	if (rc == GR_ENOTFOUND)
		return GR_OK;
	if (rc != GR_OK)
		return rc;
	for (p = text;; ) {
		char *nl = strchr(p, '\n');
		char *line = p;

		if (nl)
			*nl = '\0';
		if (!*line) {
			if (flush_stanza(db, &cur, &v, &n, &cap) != GR_OK)
				goto nomem;
		} else if (*line != ' ' && *line != '\t' && parse_field(db, line, &cur) != GR_OK) {
			goto nomem;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (flush_stanza(db, &cur, &v, &n, &cap) != GR_OK)
		goto nomem;
	free(text);
	if (n)
		qsort(v, n, sizeof(*v), cmp_stanza);
	*out = v;
	*nout = n;
	return GR_OK;
nomem:
	free(text);
	return gr_error_set(err, GR_ENOMEM, 0, "out of memory reading %s", file);
}

static const struct gr_dpkg_stanza *
stanza_find(const struct gr_dpkg_stanza *v, size_t n, const char *package, const char *arch)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].package, package);
		if (!c && arch)
			c = strcmp(v[mid].arch, arch);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && !strcmp(v[lo].package, package) && (!arch || !strcmp(v[lo].arch, arch)))
		return &v[lo];
	return NULL;
}

/* The diversions file: triples of lines (original, diverted-to, package). */
static int
load_diversions(struct gr_dpkg *db, const char *file, struct gr_error *err)
{
	char *text, *p, *line[3];
	size_t len, cap = 0;
	int rc = slurp(file, GR_DPKG_LIST_MAX, &text, &len, err), k = 0;

	if (rc == GR_ENOTFOUND)
		return GR_OK;
	if (rc != GR_OK)
		return rc;
	for (p = text; *p; ) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line[k++] = p;
		if (k == 3) {
			struct gr_dpkg_div d;
			k = 0;
			d.from = gr_arena_strdup(&db->arena, line[0]);
			d.to = gr_arena_strdup(&db->arena, line[1]);
			d.by = gr_arena_strdup(&db->arena, line[2]);
			if (!d.from || !d.to || !d.by ||
			    !gr_arena_grow(&db->arena, (void **)&db->divs, db->ndivs, &cap, sizeof(*db->divs))) {
				free(text);
				return gr_error_set(err, GR_ENOMEM, 0, "out of memory reading %s", file);
			}
			db->divs[db->ndivs++] = d;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	return GR_OK;
}

/* gr_dpkg_key of admindir as a string, malloc'd; NULL when out of memory. */
static char *
key_text(const char *admindir)
{
	struct gr_kvbuf k = { NULL, 0, 0, false };

	gr_dpkg_key(admindir, &k);
	if (k.nomem || !k.p) {
		free(k.p);
		return NULL;
	}
	return k.p;
}

int
gr_dpkg_open(const char *admindir, struct gr_dpkg **out, struct gr_error *err)
{
	struct gr_dpkg *db = calloc(1, sizeof(*db));
	struct gr_dpkg_stanza *st = NULL;
	size_t nst = 0, nnames = 0, namecap = 0, i;
	char **names = NULL, *file = NULL;
	DIR *d = NULL;
	struct dirent *de;
	int rc;

	*out = NULL;
	if (!db)
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	gr_arena_init(&db->arena);
	if (!admindir)
		admindir = "/var/lib/dpkg";
	db->key = key_text(admindir);  /* before anything is read */
#define PATHF(...) (free(file), (file = dp_printf(__VA_ARGS__)) ? 0 : -1)
	if (PATHF("%s/status", admindir) < 0)
		goto toolong;
	if ((rc = load_status(db, file, &st, &nst, err)) != GR_OK)
		goto fail;
	if (PATHF("%s/diversions", admindir) < 0)
		goto toolong;
	if ((rc = load_diversions(db, file, err)) != GR_OK)
		goto fail;
	if (PATHF("%s/info", admindir) < 0)
		goto toolong;
	d = opendir(file);
	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR) {
			rc = gr_error_set(err, GR_EIO, errno, "cannot open directory %s", file);
			goto fail;
		}
	} else {
		while ((errno = 0, de = readdir(d))) {
			size_t k = strlen(de->d_name);
			if (k <= 5 || strcmp(de->d_name + k - 5, ".list"))
				continue;
			if (nnames == namecap) {
				size_t nc = namecap ? namecap * 2 : 256;
				char **g = realloc(names, nc * sizeof(*g));
				if (!g)
					goto nomem;
				names = g;
				namecap = nc;
			}
			if (!(names[nnames] = strndup(de->d_name, k - 5)))
				goto nomem;
			nnames++;
		}
		if (errno) {
			rc = gr_error_set(err, GR_EIO, errno, "cannot read directory %s", file);
			goto fail;
		}
	}
	if (nnames)
		qsort(names, nnames, sizeof(*names), cmp_str);
	if (nnames && (!(db->pkgs = calloc(nnames, sizeof(*db->pkgs))) ||
	               !(db->bufs = calloc(nnames, sizeof(*db->bufs)))))
		goto nomem;
	for (i = 0; i < nnames; i++) {
		struct gr_dpkg_pkg *pk = &db->pkgs[db->npkgs];
		const struct gr_dpkg_stanza *s;
		char *colon = strchr(names[i], ':'), *text, *p;
		size_t len;

		pk->name = gr_arena_strdup(&db->arena, names[i]);
		pk->package = gr_arena_strndup(&db->arena, names[i],
		                               colon ? (size_t)(colon - names[i]) : strlen(names[i]));
		if (!pk->name || !pk->package)
			goto nomem;
		s = stanza_find(st, nst, pk->package, colon ? colon + 1 : NULL);
		pk->arch = s ? s->arch : colon ? colon + 1 : "";
		pk->version = s ? s->version : "";
		pk->source = s ? s->source : pk->package;
		if (PATHF("%s/info/%s.list", admindir, names[i]) < 0)
			goto toolong;
		rc = slurp(file, GR_DPKG_LIST_MAX, &text, &len, err);
		if (rc == GR_ENOTFOUND)
			continue;  /* removed under us */
		if (rc != GR_OK)
			goto fail;
		db->bufs[db->nbufs++] = text;
		for (p = text; *p; ) {
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			if (*p == '/' && table_put(db, p, (uint32_t)db->npkgs) != GR_OK)
				goto nomem;
			if (!nl)
				break;
			p = nl + 1;
		}
		db->npkgs++;
	}
	rc = GR_OK;
	*out = db;
	db = NULL;
	goto done;
nomem:
	rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory loading dpkg's database under %s", admindir);
	goto fail;
toolong:
	rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory loading dpkg's database under %s", admindir);
fail:
done:
#undef PATHF
	if (d)
		closedir(d);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(file);
	gr_dpkg_free(db);
	return rc;
}

/* ---- The index kept in the cache directory (issue 15) ----
 *
 * Loading the database reads every info/ *.list (150,000 paths, a tenth of a
 * second). gr_dpkg_open_cached keeps what a load found in the cache directory
 * as an index: the packages, the diversions, and for every path the 64-bit
 * gr_hash_str and the package that owns it (the same choice the table makes).
 * Its key is gr_dpkg_key: the identity (device, inode, size, mtime, ctime) of
 * status, diversions and the info/ directory. dpkg writes a package's list
 * as LIST-new and renames it over LIST, and unlinks it on removal, each of
 * which changes info/'s mtime and ctime, and it replaces status by rename at
 * the end of every run: a package installed, upgraded or removed is another
 * key. (The key named every list's identity too until 2026-12-07: 984
 * fstatat and a listing of info/'s 3,600 entries per run, for the one change
 * it alone caught, a list edited in place by hand with status left alone.)
 * Such an edit is missed only where it adds a path: a path found in the
 * index is answered only after its package's own list is read and names it,
 * so a path taken out of a list (or moved to another) sends the lookup to
 * the whole database, loaded then; a path added to a list in place is "no
 * owner" until the next package operation, as the dpkg-owner answers (keyed
 * by gr_dpkg_key alone) always were. A hash that several paths share sends
 * the lookup to the whole database too. An index is not written while status,
 * diversions or info/ is younger than GR_DPKG_IX_SETTLE seconds (a second
 * change in the same clock tick could leave the identity as it was). */

#define GR_DPKG_IX_MAGIC "gr-dpkg-index 1\n"
#define GR_DPKG_IX_MAGIC_LEN 16
#define GR_DPKG_IX_BOM 0x01020304u
#define GR_DPKG_IX_HEAD (GR_DPKG_IX_MAGIC_LEN + 4 * 4)  /* magic, BOM, npkgs, ndivs, nix */
#define GR_DPKG_IX_SETTLE 2  /* seconds */

/* indexed: the whole database, loaded the first time the index cannot answer
 * alone; NULL when that load failed (db->full_rc says why). */
static struct gr_dpkg *
ix_full(struct gr_dpkg *db)
{
	struct gr_error e;

	if (!db->full_tried) {
		db->full_tried = true;
		/* a failed load (out of memory too) is kept: gr_dpkg_error reports
		 * it, so that a missing answer is not taken for "no owner" */
		if ((db->full_rc = gr_dpkg_open(db->admindir, &db->full, &e)) != GR_OK) {
			db->full = NULL;
			db->full_err = e;
		}
	}
	return db->full;
}

/* indexed: whether pkg's own list names path on a line of its own. */
static bool
ix_listed(struct gr_dpkg *db, uint32_t pkg, const char *path)
{
	size_t k = strlen(path), len;
	const char *t, *q;
	struct gr_error e;

	if (db->nolist[pkg])
		return false;
	if (!db->lists[pkg]) {
		char *file = dp_printf("%s/info/%s.list", db->admindir, db->pkgs[pkg].name), *text = NULL;
		if (!file || slurp(file, GR_DPKG_LIST_MAX, &text, &len, &e) != GR_OK || !text) {
			free(file);
			free(text);
			db->nolist[pkg] = true;
			return false;
		}
		free(file);
		db->lists[pkg] = text;
	}
	for (t = db->lists[pkg]; (q = strstr(t, path)) != NULL; t = q + 1)
		if ((q == db->lists[pkg] || q[-1] == '\n') && (q[k] == '\n' || q[k] == '\0'))
			return true;
	return false;
}

static const struct gr_dpkg_pkg *
ix_get(const struct gr_dpkg *cdb, const char *path)
{
	struct gr_dpkg *db = cdb->self;  /* the lists read and the full load are kept */
	uint64_t h = gr_hash_str(path);
	size_t lo = 0, hi = db->nix;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (db->ix[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == db->nix || db->ix[lo].h != h)
		return NULL;  /* no path of the database has this hash */
	if ((lo + 1 == db->nix || db->ix[lo + 1].h != h) && ix_listed(db, db->ix[lo].pkg, path))
		return &db->pkgs[db->ix[lo].pkg];
	return table_get(ix_full(db), path);
}

static bool
ix_settled(const struct stat *st, const struct timespec *now)
{
	time_t lim = now->tv_sec - GR_DPKG_IX_SETTLE;

	return st->st_mtim.tv_sec < lim && st->st_ctim.tv_sec < lim;
}

/* The index's key (see above); *settled false when a file it covers changed
 * too recently to write an index for it. GR_ENOTFOUND without an info/
 * directory (nothing worth an index), GR_ENOMEM. */
static int
ix_key(const char *admindir, struct gr_kvbuf *key, bool *settled)
{
	static const char *const part[] = { "status", "diversions", "info" };
	struct timespec now;
	struct stat st;
	char *file;
	size_t i;
	bool info = false;

	*settled = clock_gettime(CLOCK_REALTIME, &now) == 0;
	gr_kv_raw(key, "dpkg-index 2\n", 13);
	gr_dpkg_key(admindir, key);
	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		if (!(file = dp_printf("%s/%s", admindir, part[i])))
			return GR_ENOMEM;
		if (stat(file, &st) == 0) {
			if (!ix_settled(&st, &now))
				*settled = false;
			if (i == 2)
				info = S_ISDIR(st.st_mode);
		}
		free(file);
	}
	if (!info)
		return GR_ENOTFOUND;
	return key->nomem ? GR_ENOMEM : GR_OK;
}

static int
cmp_ixent(const void *a, const void *b)
{
	const struct gr_dpkg_ixent *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->pkg < y->pkg ? -1 : x->pkg > y->pkg;
}

static void
ix_u32(struct gr_kvbuf *b, uint32_t v)
{
	gr_kv_raw(b, (const char *)&v, 4);
}

/* Append s (with its NUL) to strs and its offset to b. */
static void
ix_str(struct gr_kvbuf *b, struct gr_kvbuf *strs, const char *s)
{
	ix_u32(b, (uint32_t)strs->n);
	gr_kv_raw(strs, s, strlen(s) + 1);
}

/* The index of a loaded database, in out (malloc'd); false when out of memory or too large. */
static bool
ix_build(const struct gr_dpkg *db, struct gr_kvbuf *out)
{
	struct gr_kvbuf strs = { NULL, 0, 0, false };
	struct gr_dpkg_ixent *v = NULL;
	size_t i, n = 0;
	bool ok = false;

	if (db->nused && !(v = malloc(db->nused * sizeof(*v))))
		return false;
	for (i = 0; i < db->nslots; i++)
		if (db->slots[i].path) {
			v[n].h = gr_hash_str(db->slots[i].path);
			v[n++].pkg = db->slots[i].pkg;
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_ixent);
	gr_kv_raw(out, GR_DPKG_IX_MAGIC, GR_DPKG_IX_MAGIC_LEN);
	ix_u32(out, GR_DPKG_IX_BOM);
	ix_u32(out, (uint32_t)db->npkgs);
	ix_u32(out, (uint32_t)db->ndivs);
	ix_u32(out, (uint32_t)n);
	gr_kv_raw(&strs, "", 1);  /* offset 0: "" */
	for (i = 0; i < db->npkgs; i++) {
		const struct gr_dpkg_pkg *p = &db->pkgs[i];
		ix_str(out, &strs, p->name);
		ix_str(out, &strs, p->package);
		ix_str(out, &strs, p->arch);
		ix_str(out, &strs, p->version);
		ix_str(out, &strs, p->source);
	}
	for (i = 0; i < db->ndivs; i++) {
		ix_str(out, &strs, db->divs[i].from);
		ix_str(out, &strs, db->divs[i].to);
		ix_str(out, &strs, db->divs[i].by);
	}
	for (i = 0; i < n; i++) {
		gr_kv_raw(out, (const char *)&v[i].h, 8);
		ix_u32(out, v[i].pkg);
	}
	ix_u32(out, (uint32_t)strs.n);
	if (!strs.nomem && strs.p)
		gr_kv_raw(out, strs.p, strs.n);
	ok = !out->nomem && !strs.nomem && strs.n < UINT32_MAX && db->npkgs < UINT32_MAX &&
	     db->ndivs < UINT32_MAX && n < UINT32_MAX;
	free(strs.p);
	free(v);
	return ok;
}

/* Whether db's index may fit in a cache entry for key: its fixed-size part,
 * a lower bound (the strings come on top; gr_cache_put checks the total). */
static bool
ix_fits(const struct gr_dpkg *db, const char *key)
{
	uint64_t need = (uint64_t)GR_DPKG_IX_HEAD + (uint64_t)db->npkgs * 20 + (uint64_t)db->ndivs * 12 +
	                (uint64_t)db->nused * 12 + 4;

	return need <= gr_cache_room(key);
}

static uint32_t
ix_get_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Read an index (data, len: from the cache) into db; db keeps data on GR_OK.
 * Everything is checked: counts against the length, offsets against the
 * strings, package numbers against the packages, the order of the hashes. */
static int
ix_load(struct gr_dpkg *db, char *data, size_t len, const char *admindir)
{
	uint32_t npkgs, ndivs, nix, nstr;
	uint64_t need;
	const char *p, *strs;
	size_t i;

	if (len < GR_DPKG_IX_HEAD + 4 || memcmp(data, GR_DPKG_IX_MAGIC, GR_DPKG_IX_MAGIC_LEN) ||
	    ix_get_u32(data + GR_DPKG_IX_MAGIC_LEN) != GR_DPKG_IX_BOM)
		return GR_EFORMAT;
	npkgs = ix_get_u32(data + GR_DPKG_IX_MAGIC_LEN + 4);
	ndivs = ix_get_u32(data + GR_DPKG_IX_MAGIC_LEN + 8);
	nix = ix_get_u32(data + GR_DPKG_IX_MAGIC_LEN + 12);
	need = (uint64_t)GR_DPKG_IX_HEAD + (uint64_t)npkgs * 20 + (uint64_t)ndivs * 12 + (uint64_t)nix * 12 + 4;
	if (need > len)
		return GR_EFORMAT;
	p = data + need - 4;
	nstr = ix_get_u32(p);
	if (need + nstr != len || nstr == 0)
		return GR_EFORMAT;
	strs = p + 4;
	if (strs[nstr - 1] != '\0')
		return GR_EFORMAT;
	p = data + GR_DPKG_IX_HEAD;
	if (npkgs && !(db->pkgs = calloc(npkgs, sizeof(*db->pkgs))))
		return GR_ENOMEM;
	if (npkgs && (!(db->lists = calloc(npkgs, sizeof(*db->lists))) ||
	              !(db->nolist = calloc(npkgs, sizeof(*db->nolist)))))
		return GR_ENOMEM;
	if (ndivs && !(db->divs = gr_arena_alloc(&db->arena, (size_t)ndivs * sizeof(*db->divs))))
		return GR_ENOMEM;
	if (nix && !(db->ix = malloc((size_t)nix * sizeof(*db->ix))))
		return GR_ENOMEM;
	if (!(db->admindir = strdup(admindir)))
		return GR_ENOMEM;
	for (i = 0; i < (size_t)npkgs * 5 + (size_t)ndivs * 3; i++, p += 4)
		if (ix_get_u32(p) >= nstr)
			return GR_EFORMAT;
	p = data + GR_DPKG_IX_HEAD;
	for (i = 0; i < npkgs; i++, p += 20) {
		db->pkgs[i].name = strs + ix_get_u32(p);
		db->pkgs[i].package = strs + ix_get_u32(p + 4);
		db->pkgs[i].arch = strs + ix_get_u32(p + 8);
		db->pkgs[i].version = strs + ix_get_u32(p + 12);
		db->pkgs[i].source = strs + ix_get_u32(p + 16);
	}
	for (i = 0; i < ndivs; i++, p += 12) {
		db->divs[i].from = strs + ix_get_u32(p);
		db->divs[i].to = strs + ix_get_u32(p + 4);
		db->divs[i].by = strs + ix_get_u32(p + 8);
	}
	for (i = 0; i < nix; i++, p += 12) {
		memcpy(&db->ix[i].h, p, 8);
		db->ix[i].pkg = ix_get_u32(p + 8);
		if (db->ix[i].pkg >= npkgs || (i && db->ix[i].h < db->ix[i - 1].h))
			return GR_EFORMAT;
	}
	db->npkgs = npkgs;
	db->ndivs = ndivs;
	db->nix = nix;
	db->ixdata = data;
	db->indexed = true;
	return GR_OK;
}

int
gr_dpkg_open_cached(const struct gr_env *env, const char *admindir, struct gr_dpkg **out,
                    struct gr_error *err)
{
	struct gr_kvbuf key = { NULL, 0, 0, false }, ix = { NULL, 0, 0, false };
	const char *ad = admindir ? admindir : "/var/lib/dpkg";
	struct gr_dpkg *db;
	struct gr_error e;
	bool settled = false;
	char *data = NULL, *dkey;
	size_t len;
	int rc;

	*out = NULL;
	/* the loaded key is taken before the index's key: a change in between
	 * shows as a key that is no longer the database's */
	dkey = env ? key_text(ad) : NULL;
	if (!env || ix_key(ad, &key, &settled) != GR_OK || key.nomem || !key.p) {
		free(dkey);
		free(key.p);
		return gr_dpkg_open(admindir, out, err);
	}
	if (gr_cache_get(env, "dpkg-index", key.p, &data, &len) == GR_OK) {
		if (!(db = calloc(1, sizeof(*db)))) {
			free(dkey);
			free(data);
			free(key.p);
			return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		}
		gr_arena_init(&db->arena);
		db->self = db;
		db->key = dkey;
		dkey = NULL;
		if (ix_load(db, data, len, ad) == GR_OK) {
			free(key.p);
			*out = db;
			return GR_OK;
		}
		free(data);  /* a damaged or foreign entry: the database is read */
		gr_dpkg_free(db);
	}
	free(dkey);  /* gr_dpkg_open takes its own */
	rc = gr_dpkg_open(admindir, &db, err);
	/* Written only for the database the key names (its key the same before
	 * and after the load). An index the cache would not read back (a database
	 * of some 300,000 paths and more) is neither built nor written: every run
	 * loads then. */
	dkey = rc == GR_OK ? key_text(ad) : NULL;
	if (rc == GR_OK && settled && dkey && db->key && !strcmp(dkey, db->key) &&
	    !strncmp(key.p + 13, dkey, strlen(dkey)) && ix_fits(db, key.p) && ix_build(db, &ix))
		gr_cache_put(env, "dpkg-index", key.p, ix.p, ix.n, &e);  /* a cache: a failed write is a miss later */
	free(dkey);
	free(ix.p);
	free(key.p);
	if (rc == GR_OK)
		*out = db;
	return rc;
}

bool
gr_dpkg_indexed(const struct gr_dpkg *db)
{
	return db && db->indexed;
}

const char *
gr_dpkg_loaded_key(const struct gr_dpkg *db)
{
	return db ? db->key : NULL;
}

int
gr_dpkg_error(const struct gr_dpkg *db, struct gr_error *err)
{
	if (!db || db->full_rc == GR_OK)
		return GR_OK;
	if (err)
		*err = db->full_err;
	return db->full_rc;
}

void
gr_dpkg_free(struct gr_dpkg *db)
{
	size_t i;

	if (!db)
		return;
	if (db->lists)
		for (i = 0; i < db->npkgs; i++)
			free(db->lists[i]);
	free(db->lists);
	free(db->nolist);
	free(db->ix);
	free(db->ixdata);
	free(db->admindir);
	free(db->key);
	gr_dpkg_free(db->full);
	for (i = 0; i < db->nbufs; i++)
		free(db->bufs[i]);
	free(db->bufs);
	free(db->slots);
	free(db->pkgs);
	gr_arena_deinit(&db->arena);
	free(db);
}

unsigned
gr_dpkg_count(const struct gr_dpkg *db)
{
	return db ? (unsigned)db->npkgs : 0;
}

/* The merged-/usr twin of path (/usr/lib/X <-> /lib/X), malloc'd; NULL when it has none. */
static char *
usr_alias(const char *path)
{
	static const char *const dirs[] = { "/lib/", "/lib32/", "/lib64/", "/libx32/", "/bin/", "/sbin/" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t k = strlen(dirs[i]);
		if (!strncmp(path, "/usr", 4) && !strncmp(path + 4, dirs[i], k))
			return strdup(path + 4);
		if (!strncmp(path, dirs[i], k))
			return dp_printf("/usr%s", path);
	}
	return NULL;
}

/* path or its /usr twin, following a diversion's target back to the original;
 * a package named not is passed over (NULL at the top level). */
static const struct gr_dpkg_pkg *
lookup_one(const struct gr_dpkg *db, const char *path, const char *not)
{
	int depth = not != NULL;
	const struct gr_dpkg_pkg *p = NULL;
	char *alias = usr_alias(path);
	const char *cand[2];
	size_t i, k, n = 0;
	bool found = false;

	cand[n++] = path;
	if (alias)
		cand[n++] = alias;
	/* a diverted original path: the file there is the diverter's */
	for (k = 0; k < n && !found; k++)
		for (i = 0; depth == 0 && i < db->ndivs && !found; i++)
			if (!strcmp(db->divs[i].from, cand[k]) && (p = gr_dpkg_find(db, db->divs[i].by)))
				found = true;
	for (k = 0; k < n && !found; k++)
		if ((p = table_get(db, cand[k])) && (!not || strcmp(p->package, not)))
			found = true;
	for (k = 0; k < n && !found; k++)
		for (i = 0; depth == 0 && i < db->ndivs && !found; i++)
			if (!strcmp(db->divs[i].to, cand[k])) {
				/* the diverted file is the one another package ships as the
				 * original; when only the diverter lists it, say nothing */
				p = lookup_one(db, db->divs[i].from, db->divs[i].by);
				found = true;
			}
	free(alias);
	return found ? p : NULL;
}

const struct gr_dpkg_pkg *
gr_dpkg_owner(const struct gr_dpkg *db, const char *path)
{
	const struct gr_dpkg_pkg *p = NULL;
	char *tidy, *real;

	if (!db || !path || path[0] != '/')
		return NULL;
	if ((tidy = gr_path_lexical(path))) {
		p = lookup_one(db, tidy, NULL);
		free(tidy);
	}
	if (!p && (real = realpath(path, NULL))) {
		p = lookup_one(db, real, NULL);
		free(real);
	}
	return p;
}

const struct gr_dpkg_pkg *
gr_dpkg_find(const struct gr_dpkg *db, const char *name)
{
	size_t i;

	if (!db || !name)
		return NULL;
	for (i = 0; i < db->npkgs; i++)
		if (!strcmp(db->pkgs[i].name, name))
			return &db->pkgs[i];
	for (i = 0; !strchr(name, ':') && i < db->npkgs; i++)
		if (!strcmp(db->pkgs[i].package, name))
			return &db->pkgs[i];
	return NULL;
}

char *
gr_dpkg_admindir(const char *a, const char *r)
{
	if (a && *a)
		return strdup(a);
	if (r && *r)
		return dp_printf("%s/var/lib/dpkg", r);
	return NULL;
}

void
gr_dpkg_key(const char *admindir, struct gr_kvbuf *key)
{
	static const char *const part[] = { "status", "diversions", "info" };
	size_t i;

	if (!admindir)
		admindir = "/var/lib/dpkg";
	gr_kv_put(key, 'A', admindir);
	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		char *p = dp_printf("%s/%s", admindir, part[i]), v[256], id[GR_FILE_IDENTITY_MAX];
		struct stat st;
		if (!p) {
			key->nomem = true;
			return;
		}
		if (stat(p, &st) != 0)
			snprintf(v, sizeof(v), "%s missing %d", part[i], errno);
		else
			snprintf(v, sizeof(v), "%s %s", part[i], gr_file_identity(id, sizeof(id), &st, true));
		free(p);
		gr_kv_put(key, 'D', v);
	}
}
