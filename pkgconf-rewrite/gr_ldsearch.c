#include "gr_ldsearch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_file.h"
#include "gr_kv.h"
#include "gr_ldscript.h"

#define GR_LDS_BUCKETS 4096
#define GR_LDS_CAND_BUCKETS 512  /* the judged candidates: a few per package (one page: issue 15) */
#define GR_LDS_MAXDEPTH 16
#define GR_LDS_MAXSCRIPT (1u << 20)

struct gr_ldsearch_entry {
	struct gr_ldsearch_entry *next;
	size_t hash;  /* gr_lds_hash_full(path): compared before the path */
	const char *path;
	struct gr_cand_info info;
	struct gr_ldscript *script;  /* parsed, for GR_CAND_SCRIPT */
	char *script_error;          /* why it did not parse, for GR_CAND_SCRIPT */
};

/* One directory's names that may be run-time libraries ("lib*.so.*"), sorted,
 * read once per run; the directory by identity, so that /usr/lib/x and
 * /usr/lib/gcc/.../../../x share one listing. */
struct gr_lds_rtdir {
	dev_t dev;
	ino_t ino;
	struct timespec mtim;  /* a directory that changed is read again */
	const char **names;
	size_t n;
};

/* One archive lib<stem>.a that gr_ldsearch_elsewhere's walk found below a search dir. */
struct gr_lds_afile {
	const char *stem;  /* NAME of lib<NAME>.a */
	const char *path;  /* the directory walked to + "/" + the file name */
};

/* One walk of gr_ldsearch_elsewhere, kept for the run: it depends only on the
 * search dirs, the depth and the bound, never on the names asked for, so every
 * lib*.a it meets (below depth 0) is kept, sorted by stem then path. */
struct gr_lds_walkrec {
	struct gr_lds_walkrec *next;
	const char **dirs;  /* the key: the search dirs, in order */
	size_t ndirs;
	int depth;
	size_t maxdirs;
	struct gr_lds_afile *files;  /* in the cache's arena */
	size_t nfiles;
};

/* One directory as gr_ldsearch_elsewhere's walk sees it, listed once per run
 * (by path): whether it is a directory (stat), its identity, and, in readdir's
 * order (the walk's order and bound hang on it), its subdirectories and its
 * lib*.a files. */
struct gr_lds_listing {
	struct gr_lds_listing *next;
	const char *path;
	bool isdir;                   /* stat succeeded and says directory */
	dev_t dev;
	ino_t ino;
	struct timespec mtim, ctim;   /* the directory's, for the walk kept in the cache directory */
	struct timespec seen;         /* the clock just before the stat */
	bool unsure;                  /* stat failed for a reason that may pass (not ENOENT, ENOTDIR) */
	struct gr_lds_dirents *ents;  /* its entries (shared by every path to it); NULL when not a dir */
};

/* A directory's entries, by identity: read once however many paths lead to it. */
struct gr_lds_dirents {
	struct gr_lds_dirents *next;
	dev_t dev;
	ino_t ino;
	bool readable;  /* opendir succeeded */
	bool unsure;    /* opendir failed for a reason that may pass (not EACCES, ENOENT, ENOTDIR), or readdir did */
	struct gr_lds_lentry *entries;
	size_t n;
};

struct gr_lds_lentry {
	const char *name;
	bool isdir;
};

/* One realpath answer, kept for the run: path -> its realpath, or NULL with the errno. */
struct gr_lds_rpath {
	struct gr_lds_rpath *next;
	const char *path;
	const char *real;  /* NULL: realpath failed with err */
	int err;
};

struct gr_ldsearch_cache {
	struct gr_arena arena;  /* owns the entries */
	struct gr_ldsearch_entry *buckets[GR_LDS_CAND_BUCKETS];
	struct gr_lds_rtdir *rt;  /* run-time listings (malloc'd array; names in arena) */
	size_t nrt;
	struct gr_lds_walkrec *walks;  /* gr_ldsearch_elsewhere's walks (in arena) */
	struct gr_lds_listing *listings[GR_LDS_BUCKETS];  /* the paths those walks looked at */
	struct gr_lds_dirents *dirents;                   /* the directories they listed */
	struct gr_lds_rpath *rpaths[GR_LDS_BUCKETS];  /* gr_ldsearch_cache_realpath's answers */
	struct gr_ldsearch_cache_stats stats;
	gr_ldsearch_classify_fn classify;  /* NULL: gr_bfd_classify */
	void *classify_ctx;
	const struct gr_env *store;  /* the cache directory's env for the walks, or NULL */
};

struct gr_ldsearch_cache *
gr_ldsearch_cache_new(void)
{
	/* Its own zeroed pages (mmap), not calloc's: calloc cleared all 96 KB of
	 * tables in the heap, 98,000 instructions and 23 page faults of a warm
	 * `pkgconf-rewrite sqlite3`, which touches a few of them (issue 15). */
	struct gr_ldsearch_cache *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
	                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (c == MAP_FAILED)
		return NULL;
	gr_arena_init(&c->arena);
	return c;
}

void
gr_ldsearch_cache_free(struct gr_ldsearch_cache *c)
{
	size_t b;
	struct gr_ldsearch_entry *e;

	if (!c)
		return;
	for (b = 0; b < GR_LDS_CAND_BUCKETS; b++)
		for (e = c->buckets[b]; e; e = e->next)
			gr_ldscript_free(e->script);
	for (b = 0; b < c->nrt; b++)
		free(c->rt[b].names);
	free(c->rt);
	gr_arena_deinit(&c->arena);
	munmap(c, sizeof(*c));
}

void
gr_ldsearch_cache_set_store(struct gr_ldsearch_cache *c, const struct gr_env *env)
{
	c->store = env;
}

void
gr_ldsearch_cache_set_classify(struct gr_ldsearch_cache *c, gr_ldsearch_classify_fn fn, void *ctx)
{
	c->classify = fn;
	c->classify_ctx = ctx;
}

/* Growable lists used while one search runs; they live in the arena. */
struct gr_ldlist {
	struct gr_ldfile *v;
	size_t n, cap;
};

struct gr_strlist {
	const char **v;
	size_t n, cap;
};

static int
gr_lds_nomem(struct gr_error *err)
{
	return gr_error_set(err, GR_ENOMEM, 0, "library search: out of memory");
}

static bool
gr_strlist_push(struct gr_arena *a, struct gr_strlist *l, const char *s)
{
	void *v = l->v;

	if (!s || !gr_arena_grow(a, &v, l->n, &l->cap, sizeof(*l->v)))
		return false;
	l->v = v;
	l->v[l->n++] = s;
	return true;
}

static bool
gr_ldlist_push(struct gr_arena *a, struct gr_ldlist *l, const struct gr_ldfile *f)
{
	void *v = l->v;

	if (!gr_arena_grow(a, &v, l->n, &l->cap, sizeof(*l->v)))
		return false;
	l->v = v;
	l->v[l->n++] = *f;
	return true;
}

/* "=/usr/lib" and "$SYSROOT/usr/lib" take the sysroot (or lose the prefix without one). */
static const char *
gr_lds_sysrooted(struct gr_arena *a, const char *sysroot, const char *p)
{
	const char *rest = NULL;
	size_t sl, rl;
	char *t;

	if (p[0] == '=')
		rest = p + 1;
	else if (strncmp(p, "$SYSROOT", 8) == 0)
		rest = p + 8;
	if (!rest)
		return gr_arena_strdup(a, p);
	sl = sysroot ? strlen(sysroot) : 0;
	rl = strlen(rest);
	if ((t = gr_arena_alloc(a, sl + rl + 1)) != NULL) {
		memcpy(t, sysroot ? sysroot : "", sl);
		memcpy(t + sl, rest, rl + 1);
	}
	return t;
}

int
gr_ldsearch_init(struct gr_ldsearch *s, const char *const *cmdline_dirs, size_t ncmdline,
                 const char *const *ld_dirs, size_t nld, const struct gr_toolchain *tc,
                 const char *sysroot, bool nostdlib, struct gr_ldsearch_cache *shared,
                 struct gr_error *err)
{
	size_t i, n = ncmdline + nld, k = 0;

	memset(s, 0, sizeof(*s));
	gr_arena_init(&s->arena);
	if (tc)
		n += tc->driver_dirs.n + (nostdlib ? 0 : tc->ld_dirs.n);
	/* ld treats a "/" sysroot as none (Debian's 158_ld_system_root.patch). */
	if (sysroot && *sysroot && strcmp(sysroot, "/") != 0) {
		if (!(s->sysroot = gr_arena_strdup(&s->arena, sysroot)))
			goto nomem;
	}
	s->dirs = gr_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*s->dirs));
	s->sources = gr_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*s->sources));
	s->cache = shared ? shared : gr_ldsearch_cache_new();
	s->own_cache = !shared;
	if (!s->dirs || !s->sources || !s->cache)
		goto nomem;
	for (i = 0; i < ncmdline; i++, k++) {
		s->sources[k] = GR_DIR_CMDLINE;
		if (!(s->dirs[k] = gr_lds_sysrooted(&s->arena, s->sysroot, cmdline_dirs[i])))
			goto nomem;
	}
	for (i = 0; tc && i < tc->driver_dirs.n; i++, k++) {
		s->sources[k] = GR_DIR_DRIVER;
		if (!(s->dirs[k] = gr_arena_strdup(&s->arena, tc->driver_dirs.v[i])))
			goto nomem;
	}
	for (i = 0; i < nld; i++, k++) {
		s->sources[k] = GR_DIR_LDARG;
		if (!(s->dirs[k] = gr_lds_sysrooted(&s->arena, s->sysroot, ld_dirs[i])))
			goto nomem;
	}
	for (i = 0; tc && !nostdlib && i < tc->ld_dirs.n; i++, k++) {
		s->sources[k] = GR_DIR_LINKER;
		if (!(s->dirs[k] = gr_lds_sysrooted(&s->arena, s->sysroot, tc->ld_dirs.v[i])))
			goto nomem;
	}
	s->ndirs = k;
	s->capdirs = n;
	s->nostdlib = nostdlib;
	if (tc) {
		s->target.output_format = tc->output_format;
		s->target.output_arch = tc->output_arch;
	}
	return GR_OK;
nomem:
	gr_ldsearch_deinit(s);
	return gr_lds_nomem(err);
}

void
gr_ldsearch_deinit(struct gr_ldsearch *s)
{
	if (s->own_cache)
		gr_ldsearch_cache_free(s->cache);
	gr_arena_deinit(&s->arena);
	memset(s, 0, sizeof(*s));
}

/* A hash of the string p for the tables of one process (never stored): eight
 * bytes at a time, as every candidate path (some 60,000 in --each) is hashed. */
static size_t
gr_lds_hash_full(const char *p)
{
	size_t n = strlen(p);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (size_t)h;
}

static size_t
gr_lds_hash(const char *p)
{
	return gr_lds_hash_full(p) % GR_LDS_BUCKETS;
}

/* Read a script candidate (bounded) and parse it. */
static int
gr_lds_parse_script(struct gr_ldsearch *s, struct gr_ldsearch_entry *e, struct gr_error *err)
{
	int fd = open(e->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	struct gr_error perr;
	int rc = GR_OK;

	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 0 || (size_t)st.st_size > GR_LDS_MAXSCRIPT) {
		e->script_error = gr_arena_printf(&s->cache->arena, "%s: %s", e->path,
		                                  fd < 0 ? strerror(errno) : "too large for a linker script");
		goto out;
	}
	if (gr_file_read_fd(fd, e->path, (size_t)st.st_size, true, &text, &got, NULL) != GR_OK) {
		rc = gr_lds_nomem(err);
		goto out;
	}
	gr_error_clear(&perr);
	if (gr_ldscript_parse(text, got, e->path, &e->script, &perr) != GR_OK) {
		if (perr.code == GR_ENOMEM)
			rc = gr_lds_nomem(err);
		e->script = NULL;
		e->script_error = gr_arena_strdup(&s->cache->arena, perr.msg);
	}
out:
	if (rc == GR_OK && !e->script && !e->script_error)
		rc = gr_lds_nomem(err);
	free(text);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Classify path once per search object. */
static int
gr_lds_classify(struct gr_ldsearch *s, const char *path, struct gr_ldsearch_entry **out,
                struct gr_error *err)
{
	size_t full = gr_lds_hash_full(path), h = full % GR_LDS_CAND_BUCKETS;
	struct gr_ldsearch_entry *e;
	int rc;

	/* Candidates share long prefixes (/usr/lib/gcc/x86_64-linux-gnu/12/../../..): the hash first. */
	for (e = s->cache->buckets[h]; e; e = e->next)
		if (e->hash == full && strcmp(e->path, path) == 0) {
			*out = e;
			return GR_OK;
		}
	e = gr_arena_alloc(&s->cache->arena, sizeof(*e));
	if (!e || !(e->path = gr_arena_strdup(&s->cache->arena, path)))
		return gr_lds_nomem(err);
	e->hash = full;
	rc = s->cache->classify ? s->cache->classify(s->cache->classify_ctx, path, &s->target, &e->info, err)
	                        : gr_bfd_classify(path, &s->target, &e->info, err);
	if (rc)
		return rc;
	if (e->info.kind == GR_CAND_SCRIPT && (rc = gr_lds_parse_script(s, e, err)))
		return rc;
	e->next = s->cache->buckets[h];
	s->cache->buckets[h] = e;
	*out = e;
	return GR_OK;
}

/* Whether a script's OUTPUT_FORMAT names another target: then ld skips it. */
static bool
gr_lds_script_foreign(const struct gr_ldsearch *s, const struct gr_ldscript *sc)
{
	return sc && sc->noutput_format > 0 && s->target.output_format &&
	       strcmp(sc->output_format[0], s->target.output_format) != 0;
}

/* Append a directory to the search list. dirs and sources run in parallel with
 * one capacity: sources grows from a copy of it, then dirs updates capdirs. */
static int
gr_lds_add_dir(struct gr_ldsearch *s, const char *dir, struct gr_error *err)
{
	const char *d = gr_lds_sysrooted(&s->arena, s->sysroot, dir);
	void *dirs = s->dirs, *sources = s->sources;
	size_t srccap = s->capdirs;

	if (!d || !gr_arena_grow(&s->arena, &sources, s->ndirs, &srccap, sizeof(*s->sources)) ||
	    !gr_arena_grow(&s->arena, &dirs, s->ndirs, &s->capdirs, sizeof(*s->dirs)))
		return gr_lds_nomem(err);
	s->dirs = dirs;
	s->sources = sources;
	s->dirs[s->ndirs] = d;
	s->sources[s->ndirs++] = GR_DIR_SCRIPT;
	return GR_OK;
}

struct gr_lds_ctx {
	struct gr_ldsearch *s;
	struct gr_strlist notes;
	struct gr_ldlist members;
	int depth;
};

static int gr_lds_expand(struct gr_lds_ctx *c, struct gr_ldsearch_entry *script, bool static_mode,
                         int group, struct gr_error *err);

/* One candidate of a -l search: GR_OK and *hit when ld takes it. */
static int
gr_lds_try(struct gr_lds_ctx *c, const char *path, const char *lname, bool static_mode,
           struct gr_ldsearch_entry **hit, struct gr_error *err)
{
	struct gr_ldsearch_entry *e = NULL;
	int rc;

	*hit = NULL;
	if ((rc = gr_lds_classify(c->s, path, &e, err)))
		return rc;
	switch (e->info.kind) {
	case GR_CAND_UNOPENABLE:
		return GR_OK;
	case GR_CAND_INCOMPATIBLE:
		if (!gr_strlist_push(&c->s->arena, &c->notes,
		        gr_arena_printf(&c->s->arena, "skipping incompatible %s (%s, %s) when searching for -l%s",
		                        path, e->info.format, e->info.arch, lname)))
			return gr_lds_nomem(err);
		return GR_OK;
	case GR_CAND_SCRIPT:
		if (!e->script)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s is neither an object nor an archive, so ld reads it as a linker script, and that fails: %s",
			                    path, e->script_error);
		if (gr_lds_script_foreign(c->s, e->script)) {
			if (!gr_strlist_push(&c->s->arena, &c->notes,
			        gr_arena_printf(&c->s->arena, "skipping incompatible %s (linker script for %s) when searching for -l%s",
			                        path, e->script->output_format[0], lname)))
				return gr_lds_nomem(err);
			return GR_OK;
		}
		break;
	case GR_CAND_SHARED:
		if (static_mode)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "-l%s found %s, a shared object, where only an archive will do (ld: attempted static link of dynamic object)",
			                    lname, path);
		break;
	default:
		break;
	}
	*hit = e;
	return GR_OK;
}

/* dir + "/" + pre + name + post: in buf when it fits, else in the arena; NULL when out of memory. */
static const char *
gr_lds_candidate(struct gr_arena *a, char *buf, size_t n, const char *dir, const char *pre, const char *name,
                 const char *post)
{
	size_t dl = strlen(dir), pl = strlen(pre), nl = strlen(name), sl = strlen(post);

	if (dl + pl + nl + sl + 2 > n)
		return gr_arena_printf(a, "%s/%s%s%s", dir, pre, name, post);
	memcpy(buf, dir, dl);
	buf[dl] = '/';
	memcpy(buf + dl + 1, pre, pl);
	memcpy(buf + dl + 1 + pl, name, nl);
	memcpy(buf + dl + 1 + pl + nl, post, sl + 1);
	return buf;
}

/* The -l search proper, appending the result (or the script's members) to c. */
static int
gr_lds_search(struct gr_lds_ctx *c, const char *name, bool static_mode, int group,
              struct gr_ldfile *found, struct gr_error *err)
{
	struct gr_ldsearch *s = c->s;
	bool colon = name[0] == ':';
	size_t i;
	int rc, pass;

	for (i = 0; i < s->ndirs; i++) {
		/* Per directory: lib<name>.so unless static, then lib<name>.a; -l:file is dir/file. */
		for (pass = static_mode ? 1 : 0; pass < 2; pass++) {
			struct gr_ldsearch_entry *hit;
			const char *path;
			char buf[1024];
			/* Built in buf (the cache keeps its own copy): this runs for every dir of every -l. */
			if (!(path = gr_lds_candidate(&s->arena, buf, sizeof(buf), s->dirs[i], colon ? "" : "lib",
			                              colon ? name + 1 : name, colon ? "" : pass == 0 ? ".so" : ".a")))
				return gr_lds_nomem(err);
			if ((rc = gr_lds_try(c, path, name, static_mode, &hit, err)))
				return rc;
			if (!hit)
				continue;
			found->path = hit->path;
			found->kind = hit->info.kind;
			found->dir_index = i;
			found->as_needed = false;
			found->group = group;
			if (hit->info.kind == GR_CAND_SCRIPT)
				return gr_lds_expand(c, hit, static_mode, group, err);
			return GR_OK;
		}
	}
	return gr_error_set(err, GR_ENOTFOUND, 0, "cannot find -l%s", name);
}

static bool
gr_lds_inside(const char *path, const char *root)
{
	char *rp = root ? realpath(path, NULL) : NULL, *rr = rp ? realpath(root, NULL) : NULL;
	size_t n;
	bool inside = false;

	if (rp && rr) {
		n = strlen(rr);
		inside = strncmp(rp, rr, n) == 0 && (rp[n] == '/' || rp[n] == '\0');
	}
	free(rp);
	free(rr);
	return inside;
}

/* Resolve one name written inside a script, as ld's ldlang/ldfile do. */
static int
gr_lds_script_name(struct gr_lds_ctx *c, struct gr_ldsearch_entry *script,
                   const struct gr_ldscript_input *in, bool static_mode, int group,
                   struct gr_error *err)
{
	struct gr_ldsearch *s = c->s;
	struct gr_ldsearch_entry *hit = NULL;
	struct gr_ldfile f;
	const char *cands[3];
	size_t ncands = 0, i;
	int rc;

	memset(&f, 0, sizeof(f));
	f.dir_index = (size_t)-1;
	f.group = group;
	f.as_needed = in->as_needed;
	if (in->is_lib) {
		size_t first = c->members.n;
		if ((rc = gr_lds_search(c, in->name, static_mode, group, &f, err)))
			return rc;
		if (c->members.n == first) {
			f.group = group;
			f.as_needed = in->as_needed;
			if (!gr_ldlist_push(&s->arena, &c->members, &f))
				return gr_lds_nomem(err);
		}
		return GR_OK;
	}
	if (in->name[0] == '=' || strncmp(in->name, "$SYSROOT", 8) == 0) {
		cands[ncands++] = gr_lds_sysrooted(&s->arena, s->sysroot, in->name);
	} else if (in->name[0] == '/') {
		/* Absolute names take the sysroot only when the script itself lies inside it. */
		if (s->sysroot && gr_lds_inside(script->path, s->sysroot))
			cands[ncands++] = gr_arena_printf(&s->arena, "%s%s", s->sysroot, in->name);
		else
			cands[ncands++] = gr_arena_strdup(&s->arena, in->name);
	} else {
		/* Relative: next to the script, then the current directory, then every search dir. */
		const char *slash = strrchr(script->path, '/');
		if (slash)
			cands[ncands++] = gr_arena_printf(&s->arena, "%.*s/%s", (int)(slash - script->path),
			                                  script->path, in->name);
		cands[ncands++] = gr_arena_strdup(&s->arena, in->name);
	}
	for (i = 0; i < ncands && !hit; i++) {
		if (!cands[i])
			return gr_lds_nomem(err);
		if ((rc = gr_lds_try(c, cands[i], in->name, static_mode,
		                     &hit, err)))
			return rc;
	}
	for (i = 0; !hit && in->name[0] != '/' && in->name[0] != '=' &&
	            strncmp(in->name, "$SYSROOT", 8) != 0 && i < s->ndirs; i++) {
		const char *p = gr_arena_printf(&s->arena, "%s/%s", s->dirs[i], in->name);
		if (!p)
			return gr_lds_nomem(err);
		if ((rc = gr_lds_try(c, p, in->name, static_mode, &hit, err)))
			return rc;
		if (hit)
			f.dir_index = i;
	}
	if (!hit)
		/* ld stops the link here too: this is no missing archive but a broken script. */
		return gr_error_set(err, GR_EFORMAT, 0, "cannot find %s, named in the linker script %s",
		                    in->name, script->path);
	f.path = hit->path;
	f.kind = hit->info.kind;
	if (hit->info.kind == GR_CAND_SCRIPT)
		return gr_lds_expand(c, hit, static_mode, group, err);
	if (!gr_ldlist_push(&s->arena, &c->members, &f))
		return gr_lds_nomem(err);
	return GR_OK;
}

static int
gr_lds_expand(struct gr_lds_ctx *c, struct gr_ldsearch_entry *script, bool static_mode, int group,
              struct gr_error *err)
{
	size_t i;
	int rc;

	if (++c->depth > GR_LDS_MAXDEPTH)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: linker scripts nest more than %d deep",
		                    script->path, GR_LDS_MAXDEPTH);
	/* ld adds a script's SEARCH_DIRs to the end of its list as it reads it
	 * (not under its own -nostdlib); later searches see them too. */
	for (i = 0; !c->s->nostdlib && i < script->script->nsearch_dirs; i++)
		if ((rc = gr_lds_add_dir(c->s, script->script->search_dirs[i], err)))
			return rc;
	for (i = 0; i < script->script->ninputs; i++) {
		const struct gr_ldscript_input *in = &script->script->inputs[i];
		int g = group ? group : in->group;
		if ((rc = gr_lds_script_name(c, script, in, static_mode, g, err)))
			return rc;
	}
	c->depth--;
	return GR_OK;
}

int
gr_ldsearch_lib(struct gr_ldsearch *s, const char *name, bool static_mode,
                struct gr_ldresult *res, struct gr_error *err)
{
	struct gr_lds_ctx c;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.s = s;
	res->found.dir_index = (size_t)-1;
	rc = gr_lds_search(&c, name, static_mode, 0, &res->found, err);
	res->notes = c.notes.v;
	res->nnotes = c.notes.n;
	res->members = c.members.v;
	res->nmembers = c.members.n;
	return rc;
}

/* dir + "/" + name, malloc'd. */
static char *
gr_lds_join_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p = malloc(dl + nl + 2);

	if (p) {
		memcpy(p, dir, dl);
		p[dl] = '/';
		memcpy(p + dl + 1, name, nl + 1);
	}
	return p;
}

/* What follows lib<NAME> in a run-time library's file name: ".so.<digit>..."
 * (libz.so.1), or "-<digit>...so.<digit>..." with the version in the name
 * (liblber-2.5.so.0). */
static bool
gr_lds_runtime_tail(const char *t)
{
	const char *so;

	if (!strncmp(t, ".so.", 4))
		return t[4] >= '0' && t[4] <= '9';
	if (t[0] != '-' || t[1] < '0' || t[1] > '9' || !(so = strstr(t, ".so.")))
		return false;
	for (t++; t < so; t++)
		if ((*t < '0' || *t > '9') && *t != '.')
			return false;
	return so[4] >= '0' && so[4] <= '9';
}

bool
gr_ldsearch_runtime_in_dir(const char *dir, const char *stem, char *buf, size_t n)
{
	size_t sl = strlen(stem);
	char best[256] = "";
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	/* The smallest name, so that the answer does not hang on readdir's order. */
	while ((de = readdir(d)) != NULL)
		if (!strncmp(de->d_name, stem, sl) && gr_lds_runtime_tail(de->d_name + sl) &&
		    strlen(de->d_name) < sizeof(best) && (!best[0] || strcmp(de->d_name, best) < 0))
			snprintf(best, sizeof(best), "%s", de->d_name);
	closedir(d);
	return best[0] && (size_t)snprintf(buf, n, "%s/%s", dir, best) < n;
}

bool
gr_ldsearch_shared_name(const char *base, char *buf, size_t n)
{
	size_t i, l = strlen(base);

	if (l < 7 || strncmp(base, "lib", 3) != 0)
		return false;
	/* The first place where the rest is ".so" or a run-time tail: "libfoo-bar.so.1" is foo-bar. */
	for (i = 4; i < l; i++)
		if ((base[i] == '.' || base[i] == '-') && (!strcmp(base + i, ".so") || gr_lds_runtime_tail(base + i)))
			return i - 3 < n && (size_t)snprintf(buf, n, "%.*s", (int)(i - 3), base + 3) < n;
	return false;
}

static int
gr_lds_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* dir's listing of possible run-time libraries, read once per cache (NULL:
 * not a readable directory, or out of memory). */
static const struct gr_lds_rtdir *
gr_lds_rtdir(struct gr_ldsearch_cache *c, const char *dir)
{
	struct gr_lds_rtdir *r = NULL, *nv;
	struct dirent *de;
	struct stat st;
	size_t i, cap = 0;
	DIR *d;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	for (i = 0; i < c->nrt && !r; i++)
		if (c->rt[i].dev == st.st_dev && c->rt[i].ino == st.st_ino)
			r = &c->rt[i];
	if (r && r->mtim.tv_sec == st.st_mtim.tv_sec && r->mtim.tv_nsec == st.st_mtim.tv_nsec)
		return r;
	if (!r) {
		if (!(nv = realloc(c->rt, (c->nrt + 1) * sizeof(*nv))))
			return NULL;
		c->rt = nv;
		r = &c->rt[c->nrt++];
		memset(r, 0, sizeof(*r));
		r->dev = st.st_dev;
		r->ino = st.st_ino;
	}
	free(r->names);
	r->names = NULL;
	r->n = 0;
	r->mtim = st.st_mtim;
	if (!(d = opendir(dir)))
		return r;  /* unreadable: an empty listing, like the scan that finds nothing */
	while ((de = readdir(d)) != NULL) {
		const char **nn;
		char *name;
		if (strncmp(de->d_name, "lib", 3) || !strstr(de->d_name, ".so."))
			continue;
		if (r->n == cap) {
			if (!(nn = realloc(r->names, (cap = cap ? cap * 2 : 64) * sizeof(*nn))))
				break;
			r->names = nn;
		}
		if (!(name = gr_arena_strdup(&c->arena, de->d_name)))
			break;
		r->names[r->n++] = name;
	}
	closedir(d);
	if (r->n)
		qsort(r->names, r->n, sizeof(*r->names), gr_lds_strcmp);
	return r;
}

bool
gr_ldsearch_runtime_only(const struct gr_ldsearch *s, const char *name, char *buf, size_t n)
{
	char prefix[512];
	size_t i, pl;

	if (name[0] == ':' || (size_t)snprintf(prefix, sizeof(prefix), "lib%s", name) >= sizeof(prefix))
		return false;
	pl = strlen(prefix);
	for (i = 0; i < s->ndirs; i++) {
		const struct gr_lds_rtdir *r = s->cache ? gr_lds_rtdir(s->cache, s->dirs[i]) : NULL;
		size_t lo = 0, hi;
		if (!s->cache) {
			if (gr_ldsearch_runtime_in_dir(s->dirs[i], prefix, buf, n))
				return true;
			continue;
		}
		if (!r)
			continue;
		/* The first name not below prefix; the names that start with it follow, smallest first. */
		for (hi = r->n; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(r->names[mid], prefix) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < r->n && !strncmp(r->names[lo], prefix, pl); lo++)
			if (gr_lds_runtime_tail(r->names[lo] + pl) && strlen(r->names[lo]) < 256) {
				/* As gr_ldsearch_runtime_in_dir: a path that does not fit is no answer from this dir. */
				if ((size_t)snprintf(buf, n, "%s/%s", s->dirs[i], r->names[lo]) < n)
					return true;
				break;
			}
	}
	return false;
}

/* Symbolic links followed at most, as the kernel's MAXSYMLINKS. */
#define GR_LDS_MAXLINKS 40

static const struct gr_lds_rpath *gr_lds_realpath(struct gr_ldsearch_cache *c, const char *path, int links);

/* Keep realpath's answer for path (real NULL: it failed with err); the entry, or NULL when out of memory. */
static const struct gr_lds_rpath *
gr_lds_rpath_put(struct gr_ldsearch_cache *c, size_t h, const char *path, char *real, int err)
{
	struct gr_lds_rpath *r = gr_arena_alloc(&c->arena, sizeof(*r));

	if (!r || !(r->path = gr_arena_strdup(&c->arena, path)) || (real && !(r->real = gr_arena_strdup(&c->arena, real)))) {
		free(real);
		return NULL;
	}
	free(real);
	r->err = err;
	r->next = c->rpaths[h];
	c->rpaths[h] = r;
	return r;
}

/* realpath(path) by its parts: the directory's answer (kept), then the last
 * component alone (lstat, and readlink when it is a symbolic link). The
 * kernel resolves a path component by component, so realpath(dir/name) is
 * realpath(realpath(dir)/name) for a name other than "", "." and ".."; any
 * other shape, and a link chain longer than GR_LDS_MAXLINKS, goes to realpath
 * itself. links: links followed so far. Returns the answer (malloc'd), or
 * NULL with errno. */
static char *
gr_lds_realpath_parts(struct gr_ldsearch_cache *c, const char *path, int links)
{
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : NULL;
	const struct gr_lds_rpath *dr, *tr;
	char *dir, *full, target[4096];
	struct stat st;
	ssize_t tl;
	int e;

	if (path[0] != '/' || !name || !*name || !strcmp(name, ".") || !strcmp(name, "..") || links > GR_LDS_MAXLINKS)
		return realpath(path, NULL);
	if (!(dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path))))
		return NULL;
	dr = gr_lds_realpath(c, dir, links);
	e = errno;
	free(dir);
	if (!dr) {
		errno = e;
		return NULL;  /* out of memory */
	}
	if (!dr->real) {
		errno = dr->err;
		return NULL;
	}
	/* "/" + name, or realpath(dir) + "/" + name. */
	if (!(full = gr_lds_join_path(strcmp(dr->real, "/") ? dr->real : "", name)))
		return NULL;
	if (lstat(full, &st) != 0) {
		e = errno;
		free(full);
		errno = e;
		return NULL;
	}
	if (!S_ISLNK(st.st_mode))
		return full;
	tl = readlink(full, target, sizeof(target) - 1);
	if (tl <= 0 || (size_t)tl >= sizeof(target) - 1) {
		/* Gone in between, or a target too long for the buffer: realpath decides. */
		free(full);
		return realpath(path, NULL);
	}
	target[tl] = '\0';
	free(full);
	/* A relative target is read from the link's own (resolved) directory. */
	if (target[0] == '/')
		full = strdup(target);
	else
		full = gr_lds_join_path(strcmp(dr->real, "/") ? dr->real : "", target);
	if (!full)
		return NULL;
	tr = gr_lds_realpath(c, full, links + 1);
	e = errno;
	free(full);
	if (!tr) {
		errno = e;
		return NULL;
	}
	if (!tr->real) {
		errno = tr->err;
		return NULL;
	}
	return strdup(tr->real);
}

/* The kept answer for path, computed at the first question; NULL when out of memory. */
static const struct gr_lds_rpath *
gr_lds_realpath(struct gr_ldsearch_cache *c, const char *path, int links)
{
	size_t h = gr_lds_hash(path);
	struct gr_lds_rpath *r;
	char *real;
	int e;

	for (r = c->rpaths[h]; r; r = r->next)
		if (!strcmp(r->path, path)) {
			c->stats.realpath_hits++;
			return r;
		}
	c->stats.realpath_misses++;
	errno = 0;
	real = gr_lds_realpath_parts(c, path, links);
	e = errno;
	if (!real && e == ENOMEM)
		return NULL;  /* not an answer about the file: not kept */
	return gr_lds_rpath_put(c, h, path, real, real ? 0 : e);
}

char *
gr_ldsearch_cache_realpath(struct gr_ldsearch_cache *c, const char *path)
{
	const struct gr_lds_rpath *r;
	char *out;

	if (!c)
		return realpath(path, NULL);
	if (!(r = gr_lds_realpath(c, path, 0))) {
		errno = ENOMEM;
		return NULL;
	}
	if (!r->real) {
		errno = r->err;
		return NULL;
	}
	out = strdup(r->real);
	return out;
}

void
gr_ldsearch_cache_get_stats(const struct gr_ldsearch_cache *c, struct gr_ldsearch_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c)
		*st = c->stats;
}

/* Files by stem, then by path (bytewise, as the walk's answer is the smallest path). */
static int
gr_lds_afile_cmp(const void *a, const void *b)
{
	const struct gr_lds_afile *x = a, *y = b;
	int c = strcmp(x->stem, y->stem);

	return c ? c : strcmp(x->path, y->path);
}

/* A directory to look into below a search dir. */
struct gr_lds_walk {
	char *path;
	int depth;
};

/* Add the entry nm (len bytes, d_type type) of directory path to r when the
 * walk uses it (a subdirectory or a lib*.a); false when out of memory. */
static bool
gr_lds_dirent_add(struct gr_ldsearch_cache *c, struct gr_lds_dirents *r, size_t *cap, const char *path,
                  const char *nm, size_t len, unsigned char type)
{
	bool isdir = type == DT_DIR;
	void *v = r->entries;

	if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
		return true;
	if (type == DT_UNKNOWN) {
		struct stat ls;
		char *p = gr_lds_join_path(path, nm);
		if (!p)
			return false;
		isdir = lstat(p, &ls) == 0 && S_ISDIR(ls.st_mode);
		free(p);
	}
	/* Only what a walk uses: subdirectories and lib*.a. */
	if (!isdir && (len < 6 || strncmp(nm, "lib", 3) || strcmp(nm + len - 2, ".a")))
		return true;
	if (!gr_arena_grow(&c->arena, &v, r->n, cap, sizeof(*r->entries)) ||
	    !(((struct gr_lds_lentry *)v)[r->n].name = gr_arena_strndup(&c->arena, nm, len))) {
		if (v)
			r->entries = v;
		return false;
	}
	r->entries = v;
	r->entries[r->n++].isdir = isdir;
	return true;
}

/* The entries of the open directory fd (path) into r, read with getdents64
 * itself (readdir's own system call, in the same order, without fdopendir's
 * fstat and fcntl); fd is closed. False when out of memory. */
static bool
gr_lds_dirents_fd(struct gr_ldsearch_cache *c, struct gr_lds_dirents *r, const char *path, int fd)
{
	enum { GR_LDS_DBUF = 32768 };  /* readdir's own buffer size */
	unsigned char *buf = malloc(GR_LDS_DBUF);
	size_t cap = 0;

	if (!buf) {
		close(fd);
		return false;
	}
	r->readable = true;
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, GR_LDS_DBUF);
		size_t off = 0;
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r->unsure = got < 0;
			break;
		}
		/* struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name */
		while (off < (size_t)got) {
			size_t rest = (size_t)got - off, reclen;
			const char *nm;
			const char *nul;
			if (rest < 20)
				break;
			{
				/* d_reclen in the host's byte order */
				unsigned short rl;
				memcpy(&rl, buf + off + 16, sizeof(rl));
				reclen = rl;
			}
			if (reclen < 20 || reclen > rest)
				break;
			nm = (const char *)buf + off + 19;
			if (!(nul = memchr(nm, '\0', reclen - 19)))
				break;
			if (!gr_lds_dirent_add(c, r, &cap, path, nm, (size_t)(nul - nm), buf[off + 18])) {
				free(buf);
				close(fd);
				return false;
			}
			off += reclen;
		}
		if (off != (size_t)got) {
			r->unsure = true;  /* a record the kernel would not write: nothing kept */
			break;
		}
	}
	free(buf);
	close(fd);
	return true;
}

/* The entries of the directory path (identity dev, ino), read at the first
 * question (kept in c), from fd when it is open on path (it is closed);
 * NULL when out of memory. */
static struct gr_lds_dirents *
gr_lds_dirents(struct gr_ldsearch_cache *c, const char *path, dev_t dev, ino_t ino, int fd)
{
	struct gr_lds_dirents *r;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	for (r = c->dirents; r; r = r->next)
		if (r->dev == dev && r->ino == ino) {
			c->stats.listing_hits++;
			if (fd >= 0)
				close(fd);
			return r;
		}
	c->stats.listings++;
	if (!(r = gr_arena_alloc(&c->arena, sizeof(*r)))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	r->dev = dev;
	r->ino = ino;
	if (fd >= 0) {
		if (!gr_lds_dirents_fd(c, r, path, fd))
			return NULL;
	} else if ((d = opendir(path)) == NULL) {
		/* What the credentials (in the walk's key) and the directory's
		 * identity decide is an answer; anything else (EMFILE, ENOMEM, EIO)
		 * may not come again, and the walk is not kept (gr_lds_walk_store). */
		r->unsure = errno != EACCES && errno != ENOENT && errno != ENOTDIR;
	} else {
		r->readable = true;
		for (;;) {
			errno = 0;
			if (!(de = readdir(d))) {
				r->unsure = errno != 0;
				break;
			}
			if (!gr_lds_dirent_add(c, r, &cap, path, de->d_name, strlen(de->d_name), de->d_type)) {
				closedir(d);
				return NULL;
			}
		}
		closedir(d);
	}
	r->next = c->dirents;
	c->dirents = r;
	return r;
}

/* What the walk needs of path: stat's answer, and the directory's entries,
 * each looked up once per run (kept in c); NULL when out of memory. */
static const struct gr_lds_listing *
gr_lds_listing(struct gr_ldsearch_cache *c, const char *path)
{
	size_t h = gr_lds_hash(path);
	struct gr_lds_listing *l;
	struct stat st;
	int fd;

	for (l = c->listings[h]; l; l = l->next)
		if (!strcmp(l->path, path)) {
			c->stats.listing_hits += l->ents != NULL;
			return l;
		}
	if (!(l = gr_arena_alloc(&c->arena, sizeof(*l))) || !(l->path = gr_arena_strdup(&c->arena, path)))
		return NULL;
	if (clock_gettime(CLOCK_REALTIME, &l->seen) != 0)
		l->unsure = true;
	/* A directory opened at once (its identity from fstat), as opendir
	 * opens it; anything else: stat, as before. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY)) >= 0 &&
	    (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		l->isdir = true;
		l->dev = st.st_dev;
		l->ino = st.st_ino;
		l->mtim = st.st_mtim;
		l->ctim = st.st_ctim;
		if (!(l->ents = gr_lds_dirents(c, path, st.st_dev, st.st_ino, fd)))
			return NULL;
	} else if (stat(path, &st) != 0) {
		/* What the credentials and the parents' identities decide is an
		 * answer; anything else may pass (gr_lds_walk_store keeps nothing). */
		if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
			l->unsure = true;
	} else if (S_ISDIR(st.st_mode)) {
		l->isdir = true;
		l->dev = st.st_dev;
		l->ino = st.st_ino;
		l->mtim = st.st_mtim;
		l->ctim = st.st_ctim;
		if (!(l->ents = gr_lds_dirents(c, path, st.st_dev, st.st_ino, -1)))
			return NULL;
	}
	l->next = c->listings[h];
	c->listings[h] = l;
	return l;
}

/* The walks kept in the cache directory (kind "ld-walk", gr_ldsearch_cache_set_store). */
#define GR_LDS_WALK_KIND "ld-walk"
/* A directory whose mtime or ctime is this young (seconds) may change again in
 * the same clock tick without its identity changing: its walk is not kept. */
#define GR_LDS_WALK_SETTLE 2

/* The key of the walk of s's dirs with depth and maxdirs: the format, the
 * credentials (what opendir may read depends on them), the bounds and the
 * search dirs; malloc'd, or NULL. */
static char *
gr_lds_walk_key(const struct gr_ldsearch *s, int depth, size_t maxdirs)
{
	struct gr_kvbuf b = {0};
	char v[96];
	gid_t *g = NULL;
	int ng = getgroups(0, NULL), i;
	size_t k;

	if (ng < 0 || (ng > 0 && (!(g = malloc((size_t)ng * sizeof(*g))) || (ng = getgroups(ng, g)) < 0))) {
		free(g);
		return NULL;
	}
	gr_kv_raw(&b, "ld-walk 1\n", 10);
	snprintf(v, sizeof(v), "u %lu %lu", (unsigned long)geteuid(), (unsigned long)getegid());
	gr_kv_raw(&b, v, strlen(v));
	for (i = 0; i < ng; i++) {
		snprintf(v, sizeof(v), " %lu", (unsigned long)g[i]);
		gr_kv_raw(&b, v, strlen(v));
	}
	free(g);
	snprintf(v, sizeof(v), "\nw %d %zu\n", depth, maxdirs);
	gr_kv_raw(&b, v, strlen(v));
	for (k = 0; k < s->ndirs; k++)
		gr_kv_put(&b, 's', s->dirs[k]);
	if (b.nomem) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* gr_kv_put(b, tag, v), with v copied whole when it needs no escape (the usual path). */
static void
gr_lds_kv_line(struct gr_kvbuf *b, char tag, const char *v)
{
	char head[2] = { tag, '\t' };

	if (strpbrk(v, "\\\n\t")) {
		gr_kv_put(b, tag, v);
		return;
	}
	gr_kv_raw(b, head, 2);
	gr_kv_raw(b, v, strlen(v));
	gr_kv_raw(b, "\n", 1);
}

/* Keep the walk w in the cache directory: each path it looked at (ls, in the
 * walk's order) with what stat said (a directory's device, inode, mtime and
 * ctime), then the files found. Not kept when a directory is too young. */
static void
gr_lds_walk_store(const struct gr_ldsearch *s, const struct gr_lds_walkrec *w,
                  const struct gr_lds_listing *const *ls, size_t nq)
{
	struct gr_kvbuf b = {0};
	struct gr_error e;
	char *key = NULL, head[160];
	size_t i;

	if (!s->cache->store)
		return;
	for (i = 0; i < nq && !b.nomem; i++) {
		const struct gr_lds_listing *l = ls[i];
		char *line;
		size_t hl, pl;
		/* A stat, opendir or readdir that failed for a reason that may pass:
		 * what the walk saw is no answer to keep. */
		if (l->unsure || (l->ents && l->ents->unsure))
			goto out;
		if (!l->isdir) {
			gr_lds_kv_line(&b, 'n', l->path);
			continue;
		}
		/* Young when it was looked at (the listing may be older than this
		 * walk: listings are kept for the run). */
		if (l->mtim.tv_sec >= l->seen.tv_sec - GR_LDS_WALK_SETTLE ||
		    l->ctim.tv_sec >= l->seen.tv_sec - GR_LDS_WALK_SETTLE)
			goto out;
		snprintf(head, sizeof(head), "%llu %llu %lld.%09ld %lld.%09ld ", (unsigned long long)l->dev,
		         (unsigned long long)l->ino, (long long)l->mtim.tv_sec, (long)l->mtim.tv_nsec,
		         (long long)l->ctim.tv_sec, (long)l->ctim.tv_nsec);
		hl = strlen(head);
		pl = strlen(l->path);
		if (!(line = malloc(hl + pl + 1)))
			goto out;
		memcpy(line, head, hl);
		memcpy(line + hl, l->path, pl + 1);
		gr_lds_kv_line(&b, 'd', line);
		free(line);
	}
	for (i = 0; i < w->nfiles; i++)
		gr_lds_kv_line(&b, 'f', w->files[i].path);
	snprintf(head, sizeof(head), "%zu %zu", nq, w->nfiles);
	gr_kv_put(&b, 'e', head);
	if (!b.nomem && (key = gr_lds_walk_key(s, w->depth, w->maxdirs)) != NULL && b.n <= gr_cache_room(key)) {
		gr_error_clear(&e);
		(void)gr_cache_put(s->cache->store, GR_LDS_WALK_KIND, key, b.p, b.n, &e);  /* a cache that cannot be written is no error */
	}
out:
	free(key);
	free(b.p);
}

/* The walk of s's dirs with depth and maxdirs as kept in the cache directory,
 * when every path it looked at is still what it was (a directory with the same
 * device, inode, mtime and ctime, or still no directory): *out in the cache's
 * arena, or NULL (no entry, a stale or damaged one, out of memory). */
static void
gr_lds_walk_load(const struct gr_ldsearch *s, int depth, size_t maxdirs, struct gr_lds_walkrec **out)
{
	struct gr_arena *a = &s->cache->arena;
	struct gr_lds_walkrec *w;
	char *key, *data = NULL, *cur, *val, tag;
	size_t len, i, cap = 0, npaths = 0, nq, nf;
	bool bad = false, done = false;
	int end;

	*out = NULL;
	if (!s->cache->store || !(key = gr_lds_walk_key(s, depth, maxdirs)))
		return;
	if (gr_cache_get(s->cache->store, GR_LDS_WALK_KIND, key, &data, &len) != GR_OK) {
		free(key);
		return;
	}
	free(key);
	if (!(w = gr_arena_alloc(a, sizeof(*w))) || !(w->dirs = gr_arena_alloc(a, (s->ndirs ? s->ndirs : 1) * sizeof(*w->dirs))))
		goto out;
	memset(w->dirs, 0, (s->ndirs ? s->ndirs : 1) * sizeof(*w->dirs));
	for (i = 0; i < s->ndirs; i++)
		if (!(w->dirs[i] = gr_arena_strdup(a, s->dirs[i])))
			goto out;
	w->ndirs = s->ndirs;
	w->depth = depth;
	w->maxdirs = maxdirs;
	w->files = NULL;
	w->nfiles = 0;
	cur = data;
	while (!done && gr_kv_next(&cur, &tag, &val, &bad)) {
		struct stat st;
		unsigned long long dev, ino;
		long long ms, cs;
		long mns, cns;
		const char *base;
		size_t bl;
		void *v;
		switch (tag) {
		case 'n':  /* no directory then: none now either */
			if (stat(val, &st) == 0 && S_ISDIR(st.st_mode))
				goto out;
			npaths++;
			break;
		case 'd':
			end = -1;
			/* the numbers, one blank, then the path (which may itself start with a blank) */
			if (sscanf(val, "%llu %llu %lld.%ld %lld.%ld%n", &dev, &ino, &ms, &mns, &cs, &cns, &end) != 6 ||
			    end <= 0 || val[end] != ' ' || !val[++end])
				goto out;
			if (stat(val + end, &st) != 0 || !S_ISDIR(st.st_mode) || (unsigned long long)st.st_dev != dev ||
			    (unsigned long long)st.st_ino != ino || (long long)st.st_mtim.tv_sec != ms ||
			    st.st_mtim.tv_nsec != mns || (long long)st.st_ctim.tv_sec != cs || st.st_ctim.tv_nsec != cns)
				goto out;
			npaths++;
			break;
		case 'f':
			base = strrchr(val, '/');
			base = base ? base + 1 : val;
			bl = strlen(base);
			if (bl < 6 || strncmp(base, "lib", 3) || strcmp(base + bl - 2, ".a"))
				goto out;
			v = w->files;
			if (!gr_arena_grow(a, &v, w->nfiles, &cap, sizeof(*w->files)))
				goto out;
			w->files = v;
			if (!(w->files[w->nfiles].stem = gr_arena_strndup(a, base + 3, bl - 5)) ||
			    !(w->files[w->nfiles].path = gr_arena_strdup(a, val)))
				goto out;
			w->nfiles++;
			break;
		case 'e':  /* the end: as many paths and files as were written */
			end = -1;
			if (sscanf(val, "%zu %zu%n", &nq, &nf, &end) != 2 || end <= 0 || val[end] || nq != npaths ||
			    nf != w->nfiles)
				goto out;
			done = true;
			break;
		default:
			goto out;
		}
	}
	if (!done || bad || *cur)
		goto out;
	if (w->nfiles)
		qsort(w->files, w->nfiles, sizeof(*w->files), gr_lds_afile_cmp);
	w->next = s->cache->walks;
	s->cache->walks = w;
	*out = w;
out:
	free(data);
}

/* Record every lib*.a below the search dirs of s (not in them), down to depth
 * levels, at most maxdirs directories: the walk gr_ldsearch_elsewhere answers
 * from. GR_OK with *out (in the cache's arena), or GR_ENOMEM. */
static int
gr_lds_walk_record(const struct gr_ldsearch *s, int depth, size_t maxdirs, struct gr_lds_walkrec **out)
{
	struct gr_arena *a = &s->cache->arena;
	struct gr_lds_walkrec *w;
	struct gr_lds_walk *q = NULL;
	const struct gr_lds_listing **ls = NULL;  /* what each path of q was (for the cache directory) */
	struct { dev_t dev; ino_t ino; } *seen = NULL;
	size_t nq = 0, head, nseen = 0, i, k, cap = 0;
	int rc = GR_OK;

	*out = NULL;
	if (!(w = gr_arena_alloc(a, sizeof(*w))) || !(w->dirs = gr_arena_alloc(a, (s->ndirs ? s->ndirs : 1) * sizeof(*w->dirs))))
		return GR_ENOMEM;
	for (i = 0; i < s->ndirs; i++)
		if (!(w->dirs[i] = gr_arena_strdup(a, s->dirs[i])))
			return GR_ENOMEM;
	w->ndirs = s->ndirs;
	w->depth = depth;
	w->maxdirs = maxdirs;
	/* Breadth first, search dir by search dir: the bound stops at the deep ends. */
	if (!(q = malloc((maxdirs + 1) * sizeof(*q))) || !(seen = malloc((maxdirs + 1) * sizeof(*seen))) ||
	    !(ls = calloc(maxdirs + 1, sizeof(*ls)))) {
		free(q);
		free(seen);
		return GR_ENOMEM;
	}
	/* Every allocation failure is an error: a walk that skipped a directory would be kept. */
	for (i = 0; i < s->ndirs && nq < maxdirs && rc == GR_OK; i++)
		if ((q[nq].path = strdup(s->dirs[i])) != NULL)
			q[nq++].depth = 0;
		else
			rc = GR_ENOMEM;
	for (head = 0; head < nq && rc == GR_OK; head++) {
		const struct gr_lds_listing *cur = gr_lds_listing(s->cache, q[head].path);
		bool dup = false;
		size_t e;
		if (!cur) {
			rc = GR_ENOMEM;
			break;
		}
		ls[head] = cur;
		if (!cur->isdir)
			continue;
		for (k = 0; k < nseen && !dup; k++)
			dup = seen[k].dev == cur->dev && seen[k].ino == cur->ino;
		if (dup || nseen >= maxdirs)
			continue;
		seen[nseen].dev = cur->dev;
		seen[nseen++].ino = cur->ino;
		for (e = 0; e < cur->ents->n && rc == GR_OK; e++) {
			const char *nm = cur->ents->entries[e].name;
			size_t l = strlen(nm);
			struct gr_lds_afile *f;
			void *v;
			if (cur->ents->entries[e].isdir) {
				if (q[head].depth < depth && nq < maxdirs) {
					if (!(q[nq].path = gr_lds_join_path(q[head].path, nm)))
						rc = GR_ENOMEM;
					else
						q[nq++].depth = q[head].depth + 1;
				}
				continue;
			}
			/* Only below a search dir: in one, ld would have found it. */
			if (!q[head].depth)
				continue;
			v = w->files;
			if (!gr_arena_grow(a, &v, w->nfiles, &cap, sizeof(*w->files))) {
				rc = GR_ENOMEM;
				break;
			}
			w->files = v;
			f = &w->files[w->nfiles];
			if (!(f->stem = gr_arena_strndup(a, nm + 3, l - 5)) ||
			    !(f->path = gr_arena_printf(a, "%s/%s", q[head].path, nm))) {
				rc = GR_ENOMEM;
				break;
			}
			w->nfiles++;
		}
	}
	if (rc == GR_OK && w->nfiles)
		qsort(w->files, w->nfiles, sizeof(*w->files), gr_lds_afile_cmp);
	if (rc == GR_OK)
		gr_lds_walk_store(s, w, ls, nq);
	for (i = 0; i < nq; i++)
		free(q[i].path);
	free(q);
	free(seen);
	free(ls);
	if (rc)
		return rc;
	w->next = s->cache->walks;
	s->cache->walks = w;
	*out = w;
	return GR_OK;
}

/* The recorded walk of s's search dirs with depth and maxdirs, or NULL. */
static struct gr_lds_walkrec *
gr_lds_walk_find(const struct gr_ldsearch *s, int depth, size_t maxdirs)
{
	struct gr_lds_walkrec *w;
	size_t i;

	for (w = s->cache->walks; w; w = w->next) {
		if (w->depth != depth || w->maxdirs != maxdirs || w->ndirs != s->ndirs)
			continue;
		for (i = 0; i < s->ndirs && !strcmp(w->dirs[i], s->dirs[i]); i++)
			;
		if (i == s->ndirs)
			return w;
	}
	return NULL;
}

int
gr_ldsearch_elsewhere(const struct gr_ldsearch *s, const char *const *names, size_t n, int depth,
                      size_t maxdirs, char **found)
{
	struct gr_lds_walkrec *w;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		found[i] = NULL;
	if (!n)
		return GR_OK;
	/* The walk does not depend on names: it is made once per run for these dirs. */
	if ((w = gr_lds_walk_find(s, depth, maxdirs)) != NULL) {
		s->cache->stats.walk_hits++;
	} else if (gr_lds_walk_load(s, depth, maxdirs, &w), w != NULL) {
		s->cache->stats.walk_loads++;
	} else {
		s->cache->stats.walks++;
		if ((rc = gr_lds_walk_record(s, depth, maxdirs, &w)) != GR_OK)
			return rc;
	}
	for (i = 0; i < n; i++) {
		size_t lo = 0, hi = w->nfiles;
		if (!*names[i])
			continue;
		/* The first file of this stem: the smallest path, as the files are sorted. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(w->files[mid].stem, names[i]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < w->nfiles && !strcmp(w->files[lo].stem, names[i]) && !(found[i] = strdup(w->files[lo].path))) {
			for (i = 0; i < n; i++) {
				free(found[i]);
				found[i] = NULL;
			}
			return GR_ENOMEM;
		}
	}
	return GR_OK;
}
