#include "gr_modgraph.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <bfd.h>

/* The next line of *p (NUL-terminated in a copy), or NULL at the end. */
static char *
gr_mg_line(const char **p, char *buf, size_t n)
{
	const char *s = *p, *nl;
	size_t l;

	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	l = nl ? (size_t)(nl - s) : strlen(s);
	*p = nl ? nl + 1 : s + l;
	if (l >= n)
		l = n - 1;  /* a longer line is cut: no module path is that long */
	memcpy(buf, s, l);
	buf[l] = '\0';
	return buf;
}

int
gr_modgraph_parse_modules(const char *text, struct gr_strvec *paths, struct gr_strvec *versions,
                          struct gr_strvec *dirs, struct gr_error *err)
{
	char buf[8192], *line;

	while ((line = gr_mg_line(&text, buf, sizeof(buf))) != NULL) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t1 || !t2 || t1 == line)
			continue;  /* not a line of the template */
		*t1++ = '\0';
		*t2++ = '\0';
		if (gr_strvec_push(paths, line) || gr_strvec_push(versions, t1) || gr_strvec_push(dirs, t2))
			return gr_error_set(err, GR_ENOMEM, 0, "module graph: out of memory");
	}
	return GR_OK;
}

bool
gr_modgraph_has(const struct gr_strvec *mods, const char *path)
{
	size_t i;

	for (i = 0; i < mods->n; i++)
		if (!strcmp(mods->v[i], path))
			return true;
	return false;
}

int
gr_modgraph_parse_deps(const char *text, struct gr_strvec *mods, struct gr_error *err)
{
	char buf[8192], *line;

	while ((line = gr_mg_line(&text, buf, sizeof(buf))) != NULL) {
		char *m = line, *end;
		while (*m == ' ' || *m == '\t')
			m++;
		/* go version -m: "\tdep\tPATH\tVERSION\tSUM", "\tmod\tPATH\t..." */
		if ((!strncmp(m, "dep\t", 4) || !strncmp(m, "mod\t", 4)) && m != line)
			m += 4;
		else if (m != line)
			continue;  /* another line of go version -m */
		end = m + strcspn(m, "\t ");
		*end = '\0';
		if (!*m || strchr(m, ':') || gr_modgraph_has(mods, m))
			continue;  /* the standard library, or "path: go1.x" */
		if (gr_strvec_push(mods, m))
			return gr_error_set(err, GR_ENOMEM, 0, "module graph: out of memory");
	}
	return GR_OK;
}

/* libbfd reports problems by printing; library code stays quiet. */
static void
gr_mg_bfd_quiet(const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
}

char *
gr_modgraph_object_source(const char *path)
{
	static bool ready;
	bfd *b;
	asymbol **syms = NULL;
	long size, n, i;
	char *out = NULL;

	if (!ready) {
		bfd_init();
		bfd_set_error_handler(gr_mg_bfd_quiet);
		ready = true;
	}
	if (!(b = bfd_openr(path, NULL)))
		return NULL;
	if (!bfd_check_format(b, bfd_object) || (size = bfd_get_symtab_upper_bound(b)) <= 0 ||
	    !(syms = malloc((size_t)size)) || (n = bfd_canonicalize_symtab(b, syms)) <= 0)
		goto out;
	/* The source's name, as the compiler wrote it (STT_FILE). libbfd's line
	 * lookup (bfd_find_nearest_line) would give its directory too, but leaks
	 * a buffer of the object's size on large objects (binutils 2.40). */
	for (i = 0; i < n && !out; i++)
		if ((syms[i]->flags & BSF_FILE) && *bfd_asymbol_name(syms[i]))
			out = strdup(bfd_asymbol_name(syms[i]));
out:
	free(syms);
	bfd_close(b);
	return out;
}

/* Whether dir, or a directory below it (depth levels at most), holds a
 * regular file named name; hidden directories and testdata are skipped. */
static bool
gr_mg_find(const char *dir, const char *name, int depth)
{
	char p[4096];
	struct stat st;
	struct dirent *de;
	DIR *d;
	bool hit = false;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) < sizeof(p) && stat(p, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	if (depth <= 0 || !(d = opendir(dir)))
		return false;
	while (!hit && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "testdata") ||
		    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p) ||
		    lstat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		hit = gr_mg_find(p, name, depth - 1);
	}
	closedir(d);
	return hit;
}

long
gr_modgraph_match(const struct gr_strvec *mods, const char *file, const char **rel)
{
	size_t i, best = 0;
	long at = -1;

	*rel = NULL;
	for (i = 0; i + 2 < mods->n; i += 3) {
		const char *path = mods->v[i], *dir = mods->v[i + 1], *r = NULL;
		size_t dl = strlen(dir), pl = strlen(path), len = 0;
		if (dl && !strncmp(file, dir, dl) && file[dl] == '/') {
			r = file + dl + 1;
			len = dl;
		} else if (pl && !strncmp(file, path, pl) && (file[pl] == '@' || file[pl] == '/')) {
			/* -trimpath: cgo's -ffile-prefix-map makes it PATH@VERSION/FILE. */
			const char *slash = file[pl] == '/' ? file + pl : strchr(file + pl, '/');
			if (slash) {
				r = slash + 1;
				len = pl;
			}
		}
		if (r && *r && len > best) {
			best = len;
			at = (long)i;
			*rel = r;
		}
	}
	/* A bare name (STT_FILE): the one module whose directory (or a directory
	 * below it, at most 3 levels down) holds a file of that name. */
	if (at < 0 && *file && !strchr(file, '/')) {
		size_t found = 0;
		for (i = 0; i + 2 < mods->n && found < 2; i += 3) {
			if (!*mods->v[i + 1] || !gr_mg_find(mods->v[i + 1], file, 3))
				continue;
			if (found++ == 0)
				at = (long)i;
		}
		if (found != 1)
			return -1;  /* none, or two modules have one: say neither */
		*rel = file;
	}
	return at;
}
