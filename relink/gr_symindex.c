#include "gr_symindex.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bfd.h>
#include <gelf.h>
#include <libelf.h>

#include "gr_arena.h"
#include "gr_bfdcheck.h"
#include "gr_cache.h"
#include "gr_file.h"
#include "gr_ldscript.h"
#include "gr_strvec.h"

/* One archive: its symbols, sorted, pointing into its own buffer. */
struct gr_symarch {
	struct gr_symarchive pub;
	char *buf;
	const char **syms;
	size_t n;
	const char **dm;   /* its C++ symbols demangled, sorted (arena); after the first demangled lookup */
	size_t ndm;
	dev_t dev;         /* the file's identity: symlinked names share it */
	ino_t ino;
};

struct gr_symindex {
	struct gr_arena arena;
	struct gr_symarch **archs;  /* in search order */
	size_t narchs, archcap;
	const struct gr_symarchive **hits;  /* the last lookup's answer */
	struct gr_strvec seen;     /* realpaths of the directories indexed */
	struct gr_strvec alias;    /* pairs: archive realpath, -l name (from linker scripts) */
	bool demangled;            /* every archive's dm is filled */
	const struct gr_env *env;  /* where the cache is */
};

static int
gr_six_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

const struct gr_symarchive *const *
gr_symindex_lookup(const struct gr_symindex *ix, const char *sym, size_t *n)
{
	size_t i, k = 0;

	*n = 0;
	if (!ix || !ix->hits)
		return NULL;
	for (i = 0; i < ix->narchs; i++) {
		const struct gr_symarch *a = ix->archs[i];
		if (a->n && bsearch(&sym, a->syms, a->n, sizeof(*a->syms), gr_six_cmp))
			ix->hits[k++] = &a->pub;
	}
	*n = k;
	return k ? ix->hits : NULL;
}

const struct gr_symarchive *const *
gr_symindex_aliases(const struct gr_symindex *ix, const struct gr_symarchive *a, size_t *n)
{
	const struct gr_symarch *self = NULL;
	size_t i, k = 0;

	*n = 0;
	if (!ix || !ix->hits || !a)
		return NULL;
	for (i = 0; i < ix->narchs && !self; i++)
		if (&ix->archs[i]->pub == a)
			self = ix->archs[i];
	if (!self)
		return NULL;
	ix->hits[k++] = a;
	for (i = 0; i < ix->narchs; i++) {
		const struct gr_symarch *o = ix->archs[i];
		if (o != self && o->dev == self->dev && o->ino == self->ino)
			ix->hits[k++] = &o->pub;
	}
	*n = k;
	return ix->hits;
}

/* One spelling for closing template brackets: libiberty (GNU ld, gold)
 * prints "> >", LLVM's demangler (lld, ld64) ">>". In place. */
static void
gr_six_norm(char *s)
{
	char *r = s, *w = s;

	for (; *r; r++) {
		if (*r == ' ' && w > s && w[-1] == '>' && r[1] == '>')
			continue;
		*w++ = *r;
	}
	*w = '\0';
}

/* Fill a->dm with the demangled forms of a's C++ symbols, sorted. */
static int
gr_six_demangle(struct gr_arena *arena, struct gr_symarch *a)
{
	size_t i, k = 0;

	for (i = 0; i < a->n; i++)
		if (!strncmp(a->syms[i], "_Z", 2) || !strncmp(a->syms[i], "__Z", 3))
			k++;
	a->ndm = 0;
	if (!k)
		return GR_OK;
	if (!(a->dm = gr_arena_alloc(arena, k * sizeof(*a->dm))))
		return GR_ENOMEM;
	for (i = 0; i < a->n; i++) {
		const char *s = a->syms[i];
		char *d;
		if (strncmp(s, "_Z", 2) && strncmp(s, "__Z", 3))
			continue;
		/* Mach-O names carry a leading underscore that ld64 drops when it prints. */
		if (!(d = gr_bfd_demangle(s[1] == '_' ? s + 1 : s)))
			continue;
		gr_six_norm(d);
		a->dm[a->ndm] = gr_arena_strdup(arena, d);
		free(d);
		if (!a->dm[a->ndm])
			return GR_ENOMEM;
		a->ndm++;
	}
	qsort(a->dm, a->ndm, sizeof(*a->dm), gr_six_cmp);
	return GR_OK;
}

int
gr_symindex_lookup_demangled(struct gr_symindex *ix, const char *name,
                             const struct gr_symarchive *const **out, size_t *n,
                             struct gr_error *err)
{
	size_t i, k = 0;
	char *norm;

	*out = NULL;
	*n = 0;
	if (!ix || !ix->hits)
		return GR_OK;
	for (i = 0; i < ix->narchs && !ix->demangled; i++)
		if (gr_six_demangle(&ix->arena, ix->archs[i]) != GR_OK)
			return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	ix->demangled = true;
	if (!(norm = strdup(name)))
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	gr_six_norm(norm);
	for (i = 0; i < ix->narchs; i++) {
		const struct gr_symarch *a = ix->archs[i];
		if (a->ndm && bsearch(&norm, a->dm, a->ndm, sizeof(*a->dm), gr_six_cmp))
			ix->hits[k++] = &a->pub;
	}
	free(norm);
	*n = k;
	*out = k ? ix->hits : NULL;
	return GR_OK;
}

/* Parse a body "count N\n", N strictly sorted symbol lines, "end\n" (len bytes
 * at a->buf, modified in place) into a->syms: GR_EFORMAT when it is anything
 * else (a damaged or truncated cache entry), GR_ENOMEM. */
static int
gr_six_parse(struct gr_symarch *a, size_t len)
{
	char *p = a->buf, *end = a->buf + len, *nl, *q;
	unsigned long long n;
	size_t k;

	if (memchr(a->buf, '\0', len) || len < 6 + 2 + 4 || strncmp(p, "count ", 6) != 0 ||
	    p[6] < '0' || p[6] > '9')
		return GR_EFORMAT;
	errno = 0;
	n = strtoull(p + 6, &q, 10);
	if (errno || *q != '\n' || n > len / 2)  /* a symbol line takes two bytes at least */
		return GR_EFORMAT;
	p = q + 1;
	if (!(a->syms = malloc((n ? (size_t)n : 1) * sizeof(*a->syms))))
		return GR_ENOMEM;
	for (k = 0; k < n; k++) {
		if (p >= end || !(nl = memchr(p, '\n', (size_t)(end - p))) || nl == p)
			goto bad;
		*nl = '\0';
		if (k && strcmp(a->syms[k - 1], p) >= 0)
			goto bad;  /* unsorted or repeated: bsearch would miss */
		a->syms[k] = p;
		p = nl + 1;
	}
	if ((size_t)(end - p) != 4 || memcmp(p, "end\n", 4) != 0)
		goto bad;
	a->n = k;
	return GR_OK;
bad:
	free(a->syms);
	a->syms = NULL;
	a->n = 0;
	return GR_EFORMAT;
}

/* Whether sorted symbol i goes in the index: once (two members may define it),
 * and not an empty name or one holding a newline, which no lookup names. */
static bool
gr_six_keep(const struct gr_strvec *syms, size_t i)
{
	const char *v = syms->v[i];

	return *v && !strchr(v, '\n') && (!i || strcmp(v, syms->v[i - 1]) != 0);
}

/* The symbols of one archive, sorted, from the cache or from its armap. */
static int
gr_six_symbols(const struct gr_env *env, const char *path, const struct stat *st,
               struct gr_symarch *a, bool *cached, struct gr_error *err)
{
	char key[16640], id[GR_FILE_IDENTITY_MAX], *data = NULL;
	size_t len, i, total = 32 + 4 + 1, m = 0;
	struct gr_strvec syms;
	struct gr_error ignore;
	char *w;
	int rc;

	*cached = false;
	snprintf(key, sizeof(key), "symbols 3\n%s\n%s", path, gr_file_identity(id, sizeof(id), st, false));
	if (gr_cache_get(env, "symbols", key, &data, &len) == GR_OK) {
		a->buf = data;
		rc = gr_six_parse(a, len);
		if (rc == GR_OK) {
			*cached = true;
			return GR_OK;
		}
		if (rc == GR_ENOMEM)
			return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
		/* A malformed entry is a miss: read the armap and store it afresh. */
		free(a->buf);
		a->buf = NULL;
	}
	gr_strvec_init(&syms);
	if ((rc = gr_bfd_armap(path, &syms, err))) {
		gr_strvec_deinit(&syms);
		return rc;
	}
	if (syms.n)
		qsort(syms.v, syms.n, sizeof(*syms.v), gr_six_cmp);
	for (i = 0; i < syms.n; i++) {
		total += strlen(syms.v[i]) + 1;
		if (gr_six_keep(&syms, i))
			m++;
	}
	if (!(a->buf = malloc(total))) {
		gr_strvec_deinit(&syms);
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	}
	w = a->buf + snprintf(a->buf, 32, "count %zu\n", m);
	for (i = 0; i < syms.n; i++) {
		size_t l = strlen(syms.v[i]);
		if (!gr_six_keep(&syms, i))
			continue;
		memcpy(w, syms.v[i], l);
		w[l] = '\n';
		w += l + 1;
	}
	memcpy(w, "end\n", 5);
	w += 4;
	gr_strvec_deinit(&syms);
	len = (size_t)(w - a->buf);
	/* Store for next time (before parsing, which splits the lines in place);
	 * a failure to store only costs time. */
	gr_cache_put(env, "symbols", key, a->buf, len, &ignore);
	rc = gr_six_parse(a, len);
	if (rc == GR_ENOMEM)
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	if (rc)  /* cannot happen: gr_six_keep leaves only what parses */
		return gr_error_set(err, GR_EFORMAT, 0, "%s: symbol index entry malformed", path);
	return GR_OK;
}

/* A lib*.a that is a linker script: its archive members reach the linker as -lNAME.
 * A script that cannot be read or parsed lends nothing; GR_ENOMEM is an error. */
static int
gr_six_script(struct gr_symindex *ix, const char *dir, const char *path, const char *lname,
              struct gr_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char text[65536];
	ssize_t n;
	struct gr_ldscript *sc = NULL;
	struct gr_error e;
	size_t i;
	int rc = GR_OK;

	if (fd < 0)
		return GR_OK;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n <= 0 || memcmp(text, "!<", 2) == 0)
		return GR_OK;
	if ((rc = gr_ldscript_parse(text, (size_t)n, path, &sc, &e)) != GR_OK)
		return rc == GR_ENOMEM ? gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory") : GR_OK;
	for (i = 0; i < sc->ninputs && rc == GR_OK; i++) {
		char member[8192], *real;
		const char *m = sc->inputs[i].name;
		if (sc->inputs[i].is_lib)
			continue;
		if (m[0] == '/')
			snprintf(member, sizeof(member), "%s", m);
		else
			snprintf(member, sizeof(member), "%s/%s", dir, m);
		if ((real = realpath(member, NULL)) != NULL) {
			/* Both or neither: the list is read in pairs. */
			if (gr_strvec_push(&ix->alias, real) != GR_OK ||
			    gr_strvec_push(&ix->alias, lname) != GR_OK)
				rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
			free(real);
		}
	}
	gr_ldscript_free(sc);
	return rc;
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
	/* In name order, not readdir's: the same answer on every file system. */
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), gr_six_cmp);
	/* Scripts first, so that the archives they name get their -l name. */
	for (k = 0; k < 2 && rc == GR_OK; k++)
		for (i = 0; i < names.n && rc == GR_OK; i++) {
			char path[8192], lname[512], *real;
			struct stat sb;
			struct gr_symarch *a;
			bool cached;
			size_t j, l = strlen(names.v[i]);
			snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
			snprintf(lname, sizeof(lname), "%.*s", (int)(l - 5), names.v[i] + 3);
			if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
				continue;
			if (k == 0) {
				/* First pass: only the linker scripts, which lend their -l name. */
				char head[8] = "";
				int fd = open(path, O_RDONLY | O_CLOEXEC);
				ssize_t got = fd >= 0 ? read(fd, head, sizeof(head)) : -1;
				if (fd >= 0)
					close(fd);
				if (got > 0 && (got < 8 || (memcmp(head, "!<arch>\n", 8) && memcmp(head, "!<thin>\n", 8))))
					rc = gr_six_script(ix, dir, path, lname, err);
				continue;
			}
			a = calloc(1, sizeof(*a));
			if (!a) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
				break;
			}
			rc = gr_six_symbols(ix->env, path, &sb, a, &cached, err);
			if (rc) {
				free(a->buf);
				free(a->syms);
				free(a);
				if (rc == GR_ENOTBIN || rc == GR_EIO)
					rc = GR_OK;
				continue;
			}
			real = realpath(path, NULL);
			for (j = 0; real && j + 1 < ix->alias.n; j += 2)
				if (!strcmp(ix->alias.v[j], real))
					snprintf(lname, sizeof(lname), "%s", ix->alias.v[j + 1]);
			free(real);
			if (ix->narchs == ix->archcap) {
				size_t ncap = ix->archcap ? ix->archcap * 2 : 64;
				struct gr_symarch **g = realloc(ix->archs, ncap * sizeof(*g));
				if (!g) {
					free(a->buf);
					free(a->syms);
					free(a);
					rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
					break;
				}
				ix->archs = g;
				ix->archcap = ncap;
			}
			ix->archs[ix->narchs++] = a;
			a->dev = sb.st_dev;
			a->ino = sb.st_ino;
			if (!(a->pub.path = gr_arena_strdup(&ix->arena, path)) ||
			    !(a->pub.lname = gr_arena_strdup(&ix->arena, lname)))
				rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
			st->archives++;
			st->symbols += a->n;
			st->cached += cached;
		}
	gr_strvec_deinit(&names);
	return rc;
}

int
gr_symindex_build(const struct gr_env *env, const char *const *dirs, size_t ndirs,
                  struct gr_symindex **out, struct gr_symindex_stats *st, struct gr_error *err)
{
	struct gr_symindex *ix = calloc(1, sizeof(*ix));
	size_t i, j;
	int rc = GR_OK;

	*out = NULL;
	memset(st, 0, sizeof(*st));
	if (!ix)
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	ix->env = env;
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
		if (!dup && gr_strvec_push(&ix->seen, real) != GR_OK)
			rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
		else if (!dup)
			rc = gr_six_dir(ix, real, st, err);
		free(real);
	}
	if (rc == GR_OK && !(ix->hits = calloc(ix->narchs + 1, sizeof(*ix->hits))))
		rc = gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	if (rc) {
		gr_symindex_free(ix);
		return rc;
	}
	*out = ix;
	return GR_OK;
}

/* libbfd reports problems by printing; library code stays quiet. */
static void
gr_six_bfd_quiet(const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
}

/* One reference: an undefined symbol of member mi (borrowed from a strvec). */
struct gr_six_ref {
	const char *sym;
	size_t mi;
};

static int
gr_six_ref_cmp(const void *x, const void *y)
{
	const struct gr_six_ref *a = x, *b = y;
	int c = strcmp(a->sym, b->sym);

	return c ? c : (a->mi > b->mi) - (a->mi < b->mi);
}

/* The undefined symbols of one archive member, pushed to out. */
static int
gr_six_member_undefs(bfd *b, struct gr_strvec *out)
{
	long size, n, i;
	asymbol **syms;
	int rc = GR_OK;

	if (!bfd_check_format(b, bfd_object) || (size = bfd_get_symtab_upper_bound(b)) <= 0)
		return GR_OK;
	if (!(syms = malloc((size_t)size)))
		return GR_ENOMEM;
	n = bfd_canonicalize_symtab(b, syms);
	for (i = 0; i < n && rc == GR_OK; i++) {
		const char *name = bfd_asymbol_name(syms[i]);
		/* A weak undefined symbol pulls no archive member in: not one the link needs. */
		if (name && *name && !strpbrk(name, "\n\t") && !(syms[i]->flags & BSF_WEAK) &&
		    bfd_is_und_section(bfd_asymbol_section(syms[i])))
			rc = gr_strvec_push(out, name);
	}
	free(syms);
	return rc;
}

/* Append s (l bytes) to the growing buffer *buf (*len used, *cap allocated). */
static bool
gr_six_put(char **buf, size_t *len, size_t *cap, const char *s, size_t l)
{
	if (*len + l + 1 > *cap) {
		size_t ncap = (*cap ? *cap : 4096);
		char *g;
		while (ncap < *len + l + 1)
			ncap *= 2;
		if (!(g = realloc(*buf, ncap)))
			return false;
		*buf = g;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, l);
	*len += l;
	(*buf)[*len] = '\0';
	return true;
}

/* Read the archive at path with libbfd: the cache text of its undefined
 * symbols ("undefs 2", see gr_six_undefs_text), malloc'd in *out. */
static int
gr_six_undefs_read(const char *path, char **out, size_t *outlen, struct gr_error *err)
{
	struct gr_strvec names, syms;
	struct gr_six_ref *refs = NULL;
	size_t *first = NULL, nmem = 0, fcap = 0, i, k, len = 0, cap = 0;
	char *buf = NULL, num[64];
	bfd *ar, *m, *next;
	int rc = GR_OK;

	*out = NULL;
	bfd_init();
	bfd_set_error_handler(gr_six_bfd_quiet);
	if (!(ar = bfd_openr(path, NULL)))
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: cannot be read", path);
	if (!bfd_check_format(ar, bfd_archive)) {
		bfd_close(ar);
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an archive", path);
	}
	gr_strvec_init(&names);
	gr_strvec_init(&syms);
	/* As nm walks an archive: each member is closed once the next is open.
	 * first[k]: where member k's symbols start in syms. */
	for (m = bfd_openr_next_archived_file(ar, NULL); m; m = next) {
		if (rc == GR_OK && nmem == fcap) {
			size_t ncap = fcap ? fcap * 2 : 64;
			size_t *g = realloc(first, (ncap + 1) * sizeof(*g));
			if (!g)
				rc = GR_ENOMEM;
			else {
				first = g;
				fcap = ncap;
			}
		}
		if (rc == GR_OK) {
			const char *mn = bfd_get_filename(m);
			char *clean = strdup(mn && *mn ? mn : "?");
			first[nmem] = syms.n;
			if (!clean || gr_strvec_push(&names, clean))
				rc = GR_ENOMEM;
			free(clean);
			if (rc == GR_OK) {
				char *c;
				/* One line each in the cache: a name's newline or TAB becomes '?'. */
				for (c = names.v[names.n - 1]; *c; c++)
					if (*c == '\n' || *c == '\t')
						*c = '?';
				nmem++;
				rc = gr_six_member_undefs(m, &syms);
			}
		}
		next = rc ? NULL : bfd_openr_next_archived_file(ar, m);
		bfd_close(m);
	}
	bfd_close(ar);
	if (rc == GR_OK && first)
		first[nmem] = syms.n;
	if (rc == GR_OK && syms.n && !(refs = malloc(syms.n * sizeof(*refs))))
		rc = GR_ENOMEM;
	for (k = 0; rc == GR_OK && k < nmem; k++)
		for (i = first[k]; i < first[k + 1]; i++)
			refs[i] = (struct gr_six_ref){ syms.v[i], k };
	if (rc == GR_OK && syms.n)
		qsort(refs, syms.n, sizeof(*refs), gr_six_ref_cmp);
	/* "undefs 2", "members N", N member names, then each symbol once with
	 * the members that refer to it: "SYM\tI,J", "end". */
	snprintf(num, sizeof(num), "undefs 2\nmembers %zu\n", nmem);
	if (rc == GR_OK && !gr_six_put(&buf, &len, &cap, num, strlen(num)))
		rc = GR_ENOMEM;
	for (k = 0; rc == GR_OK && k < nmem; k++)
		if (!gr_six_put(&buf, &len, &cap, names.v[k], strlen(names.v[k])) || !gr_six_put(&buf, &len, &cap, "\n", 1))
			rc = GR_ENOMEM;
	for (i = 0; rc == GR_OK && i < syms.n; i++) {
		bool same = i && !strcmp(refs[i].sym, refs[i - 1].sym);
		if (same && refs[i].mi == refs[i - 1].mi)
			continue;
		if (!same && ((i && !gr_six_put(&buf, &len, &cap, "\n", 1)) ||
		              !gr_six_put(&buf, &len, &cap, refs[i].sym, strlen(refs[i].sym)))) {
			rc = GR_ENOMEM;
			break;
		}
		snprintf(num, sizeof(num), "%c%zu", same ? ',' : '\t', refs[i].mi);
		if (!gr_six_put(&buf, &len, &cap, num, strlen(num)))
			rc = GR_ENOMEM;
	}
	if (rc == GR_OK && ((syms.n && !gr_six_put(&buf, &len, &cap, "\n", 1)) || !gr_six_put(&buf, &len, &cap, "end\n", 4)))
		rc = GR_ENOMEM;
	free(refs);
	free(first);
	gr_strvec_deinit(&names);
	gr_strvec_deinit(&syms);
	if (rc) {
		free(buf);
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	}
	*out = buf;
	*outlen = len;
	return GR_OK;
}

/* Sort v and drop repeats, in place. */
static void
gr_six_uniq(struct gr_strvec *v)
{
	size_t i, k = 0;

	if (!v->n)
		return;
	qsort(v->v, v->n, sizeof(*v->v), gr_six_cmp);
	for (i = 0; i < v->n; i++) {
		if (k && !strcmp(v->v[k - 1], v->v[i])) {
			free(v->v[i]);
			continue;
		}
		v->v[k++] = v->v[i];
	}
	v->n = k;
}

/* A parsed "undefs 2" text: member names and symbol lines, pointing into it. */
struct gr_six_utext {
	char **members;
	size_t nmembers;
	char **syms;      /* "SYM" (the TAB replaced by NUL; the list follows) */
	size_t nsyms;
};

/* Parse text (len bytes, split in place) into u; false when it is not a
 * whole, well-formed "undefs 2" entry (symbols strictly sorted, member
 * indices ascending and below the member count). u's arrays are malloc'd. */
static bool
gr_six_utext_parse(char *text, size_t len, struct gr_six_utext *u)
{
	char *p = text, *end = text + len, *nl, *q;
	unsigned long long n;
	size_t k;

	memset(u, 0, sizeof(*u));
	if (len < 9 + 10 + 4 || memchr(text, '\0', len) || memcmp(text, "undefs 2\nmembers ", 17) ||
	    memcmp(end - 4, "end\n", 4) || (end - 4 != text && end[-5] != '\n'))
		return false;
	p = text + 17;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	n = strtoull(p, &q, 10);
	if (errno || *q != '\n' || n > len)
		return false;
	p = q + 1;
	if (!(u->members = malloc((n ? n : 1) * sizeof(*u->members))))
		return false;
	for (k = 0; k < n; k++) {
		if (p >= end - 4 || !(nl = memchr(p, '\n', (size_t)(end - 4 - p))))
			goto bad;
		*nl = '\0';
		u->members[k] = p;
		p = nl + 1;
	}
	u->nmembers = n;
	/* Count the symbol lines, then check each. */
	for (q = p, k = 0; q < end - 4; q = nl + 1) {
		if (!(nl = memchr(q, '\n', (size_t)(end - 4 - q))))
			goto bad;
		k++;
	}
	if (!(u->syms = malloc((k ? k : 1) * sizeof(*u->syms))))
		goto bad;
	for (; p < end - 4; p = nl + 1) {
		char *tab, *d;
		unsigned long long last = 0, v;
		bool any = false;
		nl = memchr(p, '\n', (size_t)(end - 4 - p));
		*nl = '\0';
		if (!(tab = strchr(p, '\t')) || tab == p)
			goto bad;
		*tab = '\0';
		for (d = tab + 1; *d;) {
			if (*d < '0' || *d > '9')
				goto bad;
			errno = 0;
			v = strtoull(d, &q, 10);
			if (errno || v >= n || (any && v <= last) || (*q && *q != ','))
				goto bad;
			any = true;
			last = v;
			d = *q ? q + 1 : q;
			if (*q && !*d)
				goto bad;
		}
		if (!any || (u->nsyms && strcmp(u->syms[u->nsyms - 1], p) >= 0))
			goto bad;
		u->syms[u->nsyms++] = p;
	}
	return true;
bad:
	free(u->members);
	free(u->syms);
	memset(u, 0, sizeof(*u));
	return false;
}

/* The "undefs 2" cache text of the archive at path (from the cache, or read
 * with libbfd and stored), parsed into u; *text owns what u points into. */
static int
gr_six_undefs_text(const struct gr_env *env, const char *path, const struct stat *st, char **text,
                   struct gr_six_utext *u, struct gr_error *err)
{
	char key[16640], id[GR_FILE_IDENTITY_MAX], *data = NULL;
	size_t len;
	struct gr_error ignore;
	int rc;

	*text = NULL;
	snprintf(key, sizeof(key), "undefs 2\n%s\n%s", path, gr_file_identity(id, sizeof(id), st, false));
	if (gr_cache_get(env, "undefs", key, &data, &len) == GR_OK) {
		if (gr_six_utext_parse(data, len, u)) {
			*text = data;
			return GR_OK;
		}
		free(data);  /* a damaged entry is a miss */
	}
	if ((rc = gr_six_undefs_read(path, &data, &len, err)))
		return rc;
	gr_cache_put(env, "undefs", key, data, len, &ignore);  /* a failure only costs time */
	if (!gr_six_utext_parse(data, len, u)) {
		free(data);
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	}
	*text = data;
	return GR_OK;
}

/* The undefined symbols of the archive at path, from the cache or from its members. */
static int
gr_six_undefs(const struct gr_env *env, const char *path, const struct stat *st, struct gr_strvec *out,
              struct gr_error *err)
{
	struct gr_six_utext u;
	char *text;
	size_t i;
	int rc;

	if ((rc = gr_six_undefs_text(env, path, st, &text, &u, err)))
		return rc;
	for (i = 0; i < u.nsyms && rc == GR_OK; i++)
		rc = gr_strvec_push(out, u.syms[i]);
	free(u.members);
	free(u.syms);
	free(text);
	return rc ? gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory") : GR_OK;
}

int
gr_symindex_members(const struct gr_env *env, const char *path, struct gr_symmembers **out,
                    struct gr_error *err)
{
	struct gr_symmembers *m;
	struct gr_six_utext u;
	struct stat sb;
	char *text;
	size_t i, k;
	int rc;

	*out = NULL;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return gr_error_set(err, GR_ENOTBIN, errno, "%s: not a regular file", path);
	if ((rc = gr_six_undefs_text(env, path, &sb, &text, &u, err)))
		return rc;
	if (!(m = calloc(1, sizeof(*m)))) {
		rc = GR_ENOMEM;
		goto out;
	}
	gr_arena_init(&m->arena);
	m->members = gr_arena_alloc(&m->arena, (u.nmembers + 1) * sizeof(*m->members));
	m->syms = gr_arena_alloc(&m->arena, (u.nsyms + 1) * sizeof(*m->syms));
	m->refs = gr_arena_alloc(&m->arena, (u.nsyms + 1) * sizeof(*m->refs));
	m->nrefs = gr_arena_alloc(&m->arena, (u.nsyms + 1) * sizeof(*m->nrefs));
	if (!m->members || !m->syms || !m->refs || !m->nrefs)
		rc = GR_ENOMEM;
	for (k = 0; rc == GR_OK && k < u.nmembers; k++)
		if (!(m->members[k] = gr_arena_strdup(&m->arena, u.members[k])))
			rc = GR_ENOMEM;
	m->nmembers = u.nmembers;
	for (i = 0; rc == GR_OK && i < u.nsyms; i++) {
		/* The parse left "SYM\0I,J,K": the list after the NUL. */
		const char *list = u.syms[i] + strlen(u.syms[i]) + 1, *c;
		size_t n = 1, at = 0;
		size_t *idx;
		for (c = list; *c; c++)
			n += *c == ',';
		if (!(m->syms[i] = gr_arena_strdup(&m->arena, u.syms[i])) ||
		    !(idx = gr_arena_alloc(&m->arena, n * sizeof(*idx)))) {
			rc = GR_ENOMEM;
			break;
		}
		for (c = list; *c && at < n;) {
			char *e;
			idx[at++] = (size_t)strtoull(c, &e, 10);
			c = *e ? e + 1 : e;
		}
		m->refs[i] = idx;
		m->nrefs[i] = at;
		m->nsyms = i + 1;
	}
out:
	free(u.members);
	free(u.syms);
	free(text);
	if (rc) {
		gr_symmembers_free(m);
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	}
	*out = m;
	return GR_OK;
}

int
gr_symindex_object_undefs(const char *path, struct gr_strvec *out, struct gr_error *err)
{
	bfd *b;
	int rc;

	bfd_init();
	bfd_set_error_handler(gr_six_bfd_quiet);
	if (!(b = bfd_openr(path, NULL)))
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: cannot be read", path);
	if (!bfd_check_format(b, bfd_object)) {
		bfd_close(b);
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an object file", path);
	}
	rc = gr_six_member_undefs(b, out);
	bfd_close(b);
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	gr_six_uniq(out);
	return GR_OK;
}

const size_t *
gr_symmembers_lookup(const struct gr_symmembers *m, const char *sym, size_t *n)
{
	const char **hit;

	*n = 0;
	if (!m || !m->nsyms || !(hit = bsearch(&sym, m->syms, m->nsyms, sizeof(*m->syms), gr_six_cmp)))
		return NULL;
	*n = m->nrefs[hit - m->syms];
	return m->refs[hit - m->syms];
}

void
gr_symmembers_free(struct gr_symmembers *m)
{
	if (!m)
		return;
	gr_arena_deinit(&m->arena);
	free(m);
}

int
gr_symindex_archive(const struct gr_env *env, const char *path, struct gr_strvec *defs,
                    struct gr_strvec *undefs, struct gr_error *err)
{
	struct gr_symarch a;
	struct stat sb;
	bool cached;
	size_t i;
	int rc;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return gr_error_set(err, GR_ENOTBIN, errno, "%s: not a regular file", path);
	memset(&a, 0, sizeof(a));
	if ((rc = gr_six_symbols(env, path, &sb, &a, &cached, err)))
		return rc;
	for (i = 0; i < a.n && rc == GR_OK; i++)
		rc = gr_strvec_push(defs, a.syms[i]);
	free(a.buf);
	free(a.syms);
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	return gr_six_undefs(env, path, &sb, undefs, err);
}

/* ---- shared libraries ----------------------------------------------------- */

/* One file of a directory under one of its names. */
struct gr_six_so {
	char *name;     /* "libsystemd.so.0" */
	dev_t dev;
	ino_t ino;
};

static int
gr_six_so_cmp(const void *x, const void *y)
{
	const struct gr_six_so *a = x, *b = y;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	/* The shortest name first (lib<name>.so before lib<name>.so.0), then by name. */
	if (strlen(a->name) != strlen(b->name))
		return strlen(a->name) < strlen(b->name) ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Whether a directory entry is a shared library by name: lib*.so or lib*.so.*. */
static bool
gr_six_so_name(const char *n)
{
	const char *so;

	if (strncmp(n, "lib", 3) != 0 || !(so = strstr(n + 3, ".so")) || so == n + 3)
		return false;
	return so[3] == '\0' || so[3] == '.';
}

/* Which of syms the ELF shared object at path defines in .dynsym: set in
 * found[] (nsyms of them); its DT_SONAME into soname (or ""). False: no ELF
 * shared object, or unreadable; out of memory never happens here (libelf's
 * own allocations failing read as unreadable). */
static bool
gr_six_so_read(const char *path, const char *const *syms, size_t nsyms, bool *found, char *soname, size_t sn)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	bool ok = false;

	soname[0] = '\0';
	if (fd < 0)
		return false;
	/* ELF_C_READ: libelf reads what is asked with read(), not mmap, so a file
	 * truncated under us is an error, not SIGBUS. */
	if (!(elf = elf_begin(fd, ELF_C_READ, NULL))) {
		close(fd);
		return false;
	}
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || eh.e_type != ET_DYN)
		goto out;
	ok = true;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *data;
		size_t i, n;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_DYNAMIC) ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		n = data->d_size / sh.sh_entsize;
		for (i = 0; i < n && i <= (size_t)0x7fffffff; i++) {
			const char *name;
			if (sh.sh_type == SHT_DYNAMIC) {
				GElf_Dyn d;
				if (gelf_getdyn(data, (int)i, &d) && d.d_tag == DT_SONAME &&
				    (name = elf_strptr(elf, sh.sh_link, (size_t)d.d_un.d_val)) != NULL)
					snprintf(soname, sn, "%s", name);
				continue;
			}
			GElf_Sym sym;
			size_t k;
			int bind;
			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_name)
				continue;
			bind = GELF_ST_BIND(sym.st_info);
			if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE)
				continue;
			/* elf_strptr checks the offset against the string table and its NUL. */
			if (!(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			for (k = 0; k < nsyms; k++)
				if (!found[k] && !strcmp(name, syms[k]))
					found[k] = true;
		}
	}
out:
	elf_end(elf);
	close(fd);
	return ok;
}

/* The files of one directory that are shared libraries by name, with their identity, sorted by it. */
static int
gr_six_so_list(const char *dir, struct gr_six_so **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct gr_six_so *v = NULL;
	size_t cap = 0, k = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return GR_OK;  /* ld skips directories that do not exist */
	while ((de = readdir(d)) != NULL) {
		char path[8192];
		struct stat sb;
		if (!gr_six_so_name(de->d_name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (k == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct gr_six_so *g = realloc(v, ncap * sizeof(*g));
			if (!g)
				goto nomem;
			v = g;
			cap = ncap;
		}
		if (!(v[k].name = strdup(de->d_name)))
			goto nomem;
		v[k].dev = sb.st_dev;
		v[k].ino = sb.st_ino;
		k++;
	}
	closedir(d);
	if (k)
		qsort(v, k, sizeof(*v), gr_six_so_cmp);
	*out = v;
	*n = k;
	return GR_OK;
nomem:
	closedir(d);
	while (k)
		free(v[--k].name);
	free(v);
	return GR_ENOMEM;
}

/* Record a hit: sym, found in the file named by names[0..nn) (one identity) of dir. */
static int
gr_six_so_hit(struct gr_symshared *s, size_t *cap, size_t sym, size_t diri, const char *dir,
              const struct gr_six_so *names, size_t nn, const char *soname)
{
	struct gr_symshared_hit h;
	void *grown = s->hits;
	const char *dev = NULL;
	char rt[8192];
	struct stat sb;
	size_t i, l;

	memset(&h, 0, sizeof(h));
	h.sym = sym;
	h.dir = diri;
	/* The development link: lib<name>.so, which -l<name> finds. */
	for (i = 0; i < nn && !dev; i++) {
		l = strlen(names[i].name);
		if (l > 6 && !strcmp(names[i].name + l - 3, ".so"))
			dev = names[i].name;
	}
	if (!(h.path = gr_arena_printf(&s->arena, "%s/%s", dir, dev ? dev : names[0].name)))
		return GR_ENOMEM;
	if (dev && !(h.lname = gr_arena_strndup(&s->arena, dev + 3, strlen(dev) - 6)))
		return GR_ENOMEM;
	if (!(h.soname = gr_arena_strdup(&s->arena, *soname ? soname : names[0].name)))
		return GR_ENOMEM;
	h.runtime = h.path;
	if (*soname && !strchr(soname, '/') && (size_t)snprintf(rt, sizeof(rt), "%s/%s", dir, soname) < sizeof(rt) &&
	    stat(rt, &sb) == 0 && sb.st_dev == names[0].dev && sb.st_ino == names[0].ino &&
	    !(h.runtime = gr_arena_strdup(&s->arena, rt)))
		return GR_ENOMEM;
	if (!gr_arena_grow(&s->arena, &grown, s->nhits, cap, sizeof(*s->hits)))
		return GR_ENOMEM;
	s->hits = grown;
	s->hits[s->nhits++] = h;
	return GR_OK;
}

static int
gr_six_hit_cmp(const void *x, const void *y)
{
	const struct gr_symshared_hit *a = x, *b = y;

	if (a->sym != b->sym)
		return a->sym < b->sym ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	return strcmp(a->path, b->path);
}

int
gr_symindex_shared(const char *const *dirs, size_t ndirs, const char *const *syms, size_t nsyms,
                   struct gr_symshared **out, struct gr_error *err)
{
	struct gr_symshared *s = calloc(1, sizeof(*s));
	struct gr_strvec seen;
	bool *found = calloc(nsyms ? nsyms : 1, sizeof(*found));
	size_t i, j, k, cap = 0;
	int rc = GR_OK;

	*out = NULL;
	gr_strvec_init(&seen);
	if (!s || !found) {
		free(s);
		free(found);
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	}
	gr_arena_init(&s->arena);
	if (elf_version(EV_CURRENT) == EV_NONE) {
		free(found);
		*out = s;  /* libelf unusable: no shared library answers */
		return GR_OK;
	}
	for (i = 0; i < ndirs && rc == GR_OK; i++) {
		char *real = realpath(dirs[i], NULL);
		struct gr_six_so *v = NULL;
		size_t n = 0;
		bool dup = false;
		if (!real)
			continue;
		for (j = 0; j < seen.n && !dup; j++)
			dup = !strcmp(seen.v[j], real);
		if (dup || gr_strvec_push(&seen, real) != GR_OK || (rc = gr_six_so_list(real, &v, &n)) != GR_OK) {
			if (!dup && rc == GR_OK)
				rc = GR_ENOMEM;
			free(real);
			continue;
		}
		/* Each identity once: names [j, k) are one file. */
		for (j = 0; j < n && rc == GR_OK; j = k) {
			char soname[512];
			for (k = j + 1; k < n && v[k].dev == v[j].dev && v[k].ino == v[j].ino; k++)
				;
			memset(found, 0, nsyms * sizeof(*found));
			{
				char path[8192];
				snprintf(path, sizeof(path), "%s/%s", real, v[j].name);
				if (!gr_six_so_read(path, syms, nsyms, found, soname, sizeof(soname)))
					continue;
			}
			s->libraries++;
			for (size_t q = 0; q < nsyms && rc == GR_OK; q++)
				if (found[q])
					rc = gr_six_so_hit(s, &cap, q, i, real, v + j, k - j, soname);
		}
		for (j = 0; j < n; j++)
			free(v[j].name);
		free(v);
		free(real);
	}
	free(found);
	gr_strvec_deinit(&seen);
	if (rc) {
		gr_symshared_free(s);
		return gr_error_set(err, GR_ENOMEM, 0, "symbol index: out of memory");
	}
	/* By symbol, each in search order, in a directory by name (insertion: few hits). */
	for (i = 1; i < s->nhits; i++)
		for (j = i; j > 0 && gr_six_hit_cmp(&s->hits[j - 1], &s->hits[j]) > 0; j--) {
			struct gr_symshared_hit t = s->hits[j];
			s->hits[j] = s->hits[j - 1];
			s->hits[j - 1] = t;
		}
	*out = s;
	return GR_OK;
}

void
gr_symshared_free(struct gr_symshared *s)
{
	if (!s)
		return;
	gr_arena_deinit(&s->arena);
	free(s);
}

void
gr_symindex_free(struct gr_symindex *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->narchs; i++) {
		free(ix->archs[i]->buf);
		free(ix->archs[i]->syms);
		free(ix->archs[i]);
	}
	free(ix->archs);
	free((void *)ix->hits);
	gr_strvec_deinit(&ix->seen);
	gr_strvec_deinit(&ix->alias);
	gr_arena_deinit(&ix->arena);
	free(ix);
}
