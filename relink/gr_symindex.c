#include "gr_symindex.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_arena.h"
#include "gr_bfdcheck.h"
#include "gr_cache.h"
#include "gr_ldscript.h"
#include "gr_strvec.h"

struct gr_symentry {
	const char *sym;
	const struct gr_symarchive **arch;  /* archives defining it, in search order */
	size_t n, cap;
};

struct gr_symindex {
	struct gr_arena arena;
	struct gr_symentry *tab;   /* open addressing */
	size_t cap, used;
	struct gr_symarchive **archs;
	size_t narchs, archcap;
	struct gr_strvec seen;     /* realpaths of the directories indexed */
	struct gr_strvec alias;    /* pairs: archive realpath, -l name (from linker scripts) */
};

static size_t
gr_six_hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int
gr_six_grow(struct gr_symindex *ix)
{
	size_t ncap = ix->cap ? ix->cap * 2 : 65536, i;
	struct gr_symentry *t = calloc(ncap, sizeof(*t));

	if (!t)
		return GR_ENOMEM;
	for (i = 0; i < ix->cap; i++) {
		size_t h;
		if (!ix->tab[i].sym)
			continue;
		for (h = gr_six_hash(ix->tab[i].sym) & (ncap - 1); t[h].sym; h = (h + 1) & (ncap - 1))
			;
		t[h] = ix->tab[i];
	}
	free(ix->tab);
	ix->tab = t;
	ix->cap = ncap;
	return GR_OK;
}

static struct gr_symentry *
gr_six_slot(const struct gr_symindex *ix, const char *sym)
{
	size_t h;

	if (!ix->cap)
		return NULL;
	for (h = gr_six_hash(sym) & (ix->cap - 1); ix->tab[h].sym; h = (h + 1) & (ix->cap - 1))
		if (!strcmp(ix->tab[h].sym, sym))
			return &ix->tab[h];
	return &ix->tab[h];
}

static int
gr_six_add(struct gr_symindex *ix, const char *sym, const struct gr_symarchive *a)
{
	struct gr_symentry *e;

	if ((ix->used + 1) * 2 > ix->cap && gr_six_grow(ix))
		return GR_ENOMEM;
	e = gr_six_slot(ix, sym);
	if (!e->sym) {
		if (!(e->sym = gr_arena_strdup(&ix->arena, sym)))
			return GR_ENOMEM;
		ix->used++;
	}
	if (e->n && e->arch[e->n - 1] == a)
		return GR_OK;  /* defined twice in one archive */
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 2;
		const struct gr_symarchive **g = gr_arena_alloc(&ix->arena, ncap * sizeof(*g));
		if (!g)
			return GR_ENOMEM;
		if (e->n)
			memcpy(g, e->arch, e->n * sizeof(*g));
		e->arch = g;
		e->cap = ncap;
	}
	e->arch[e->n++] = a;
	return GR_OK;
}

const struct gr_symarchive *const *
gr_symindex_lookup(const struct gr_symindex *ix, const char *sym, size_t *n)
{
	struct gr_symentry *e = gr_six_slot(ix, sym);

	*n = e && e->sym ? e->n : 0;
	return *n ? e->arch : NULL;
}

/* The symbols of one archive, from the cache or from its armap. */
static int
gr_six_symbols(const char *path, const struct stat *st, struct gr_strvec *syms, bool *cached,
               struct gr_error *err)
{
	char key[16640], *data = NULL, *p, *nl;
	size_t len, i;
	int rc;

	*cached = false;
	snprintf(key, sizeof(key), "symbols 1\n%s\n%llu %llu %lld %lld.%09ld", path,
	         (unsigned long long)st->st_dev, (unsigned long long)st->st_ino, (long long)st->st_size,
	         (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
	if (gr_cache_get("symbols", key, &data, &len) == GR_OK) {
		for (p = data; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (!nl)
				break;
			if (gr_strvec_pushn(syms, p, (size_t)(nl - p))) {
				free(data);
				return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
			}
		}
		free(data);
		*cached = true;
		return GR_OK;
	}
	if ((rc = gr_bfd_armap(path, syms, err)))
		return rc;
	/* Store for next time; a failure to store only costs time. */
	{
		size_t total = 1;
		char *buf, *w;
		struct gr_error ignore;
		for (i = 0; i < syms->n; i++)
			total += strlen(syms->v[i]) + 1;
		if ((buf = malloc(total)) != NULL) {
			for (w = buf, i = 0; i < syms->n; i++) {
				size_t l = strlen(syms->v[i]);
				memcpy(w, syms->v[i], l);
				w[l] = '\n';
				w += l + 1;
			}
			gr_cache_put("symbols", key, buf, (size_t)(w - buf), &ignore);
			free(buf);
		}
	}
	return GR_OK;
}

/* A lib*.a that is a linker script: its archive members reach the linker as -lNAME. */
static void
gr_six_script(struct gr_symindex *ix, const char *dir, const char *path, const char *lname)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char text[65536];
	ssize_t n;
	struct gr_ldscript *sc = NULL;
	struct gr_error e;
	size_t i;

	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n <= 0 || memcmp(text, "!<", 2) == 0 || gr_ldscript_parse(text, (size_t)n, path, &sc, &e))
		return;
	for (i = 0; i < sc->ninputs; i++) {
		char member[8192], *real;
		const char *m = sc->inputs[i].name;
		if (sc->inputs[i].is_lib)
			continue;
		if (m[0] == '/')
			snprintf(member, sizeof(member), "%s", m);
		else
			snprintf(member, sizeof(member), "%s/%s", dir, m);
		if ((real = realpath(member, NULL)) != NULL) {
			gr_strvec_push(&ix->alias, real);
			gr_strvec_push(&ix->alias, lname);
			free(real);
		}
	}
	gr_ldscript_free(sc);
}

static int
gr_six_dir(struct gr_symindex *ix, const char *dir, struct gr_symindex_stats *st, struct gr_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct gr_strvec names;
	size_t i, k;
	int rc = GR_OK;

	if (!d)
		return GR_OK;  /* ld skips directories that do not exist */
	gr_strvec_init(&names);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strncmp(de->d_name, "lib", 3) && !strcmp(de->d_name + l - 2, ".a"))
			if (gr_strvec_push(&names, de->d_name)) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
				break;
			}
	}
	closedir(d);
	/* Scripts first, so that the archives they name get their -l name. */
	for (k = 0; k < 2 && rc == GR_OK; k++)
		for (i = 0; i < names.n && rc == GR_OK; i++) {
			char path[8192], lname[512], *real;
			struct stat sb;
			struct gr_strvec syms;
			struct gr_symarchive *a;
			bool cached;
			size_t j, l = strlen(names.v[i]);
			snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
			snprintf(lname, sizeof(lname), "%.*s", (int)(l - 5), names.v[i] + 3);
			if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
				continue;
			gr_strvec_init(&syms);
			rc = gr_six_symbols(path, &sb, &syms, &cached, err);
			if (rc == GR_ENOTBIN || rc == GR_EIO) {
				if (k == 0)
					gr_six_script(ix, dir, path, lname);
				gr_strvec_deinit(&syms);
				rc = GR_OK;
				continue;
			}
			if (k == 0 || rc) {
				gr_strvec_deinit(&syms);
				continue;
			}
			real = realpath(path, NULL);
			for (j = 0; real && j + 1 < ix->alias.n; j += 2)
				if (!strcmp(ix->alias.v[j], real))
					snprintf(lname, sizeof(lname), "%s", ix->alias.v[j + 1]);
			free(real);
			a = gr_arena_alloc(&ix->arena, sizeof(*a));
			if (!a || !(a->path = gr_arena_strdup(&ix->arena, path)) ||
			    !(a->lname = gr_arena_strdup(&ix->arena, lname)))
				rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
			for (j = 0; rc == GR_OK && j < syms.n; j++)
				if (gr_six_add(ix, syms.v[j], a))
					rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
			st->archives++;
			st->symbols += syms.n;
			st->cached += cached;
			gr_strvec_deinit(&syms);
		}
	gr_strvec_deinit(&names);
	return rc;
}

int
gr_symindex_build(const char *const *dirs, size_t ndirs, struct gr_symindex **out,
                  struct gr_symindex_stats *st, struct gr_error *err)
{
	struct gr_symindex *ix = calloc(1, sizeof(*ix));
	size_t i, j;
	int rc = GR_OK;

	*out = NULL;
	memset(st, 0, sizeof(*st));
	if (!ix)
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	gr_arena_init(&ix->arena);
	gr_strvec_init(&ix->seen);
	gr_strvec_init(&ix->alias);
	for (i = 0; i < ndirs && rc == GR_OK; i++) {
		char *real = realpath(dirs[i], NULL);
		bool dup = false;
		if (!real)
			continue;
		for (j = 0; j < ix->seen.n && !dup; j++)
			dup = !strcmp(ix->seen.v[j], real);
		if (!dup && gr_strvec_push(&ix->seen, real) == GR_OK)
			rc = gr_six_dir(ix, real, st, err);
		free(real);
	}
	if (rc) {
		gr_symindex_free(ix);
		return rc;
	}
	*out = ix;
	return GR_OK;
}

void
gr_symindex_free(struct gr_symindex *ix)
{
	if (!ix)
		return;
	free(ix->tab);
	gr_strvec_deinit(&ix->seen);
	gr_strvec_deinit(&ix->alias);
	gr_arena_deinit(&ix->arena);
	free(ix);
}
