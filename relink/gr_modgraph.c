#include "gr_modgraph.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
gr_modgraph_object_source(const char *path, const char *function)
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
	/* The function's line information names its file with the directory. */
	for (i = 0; function && i < n && !out; i++) {
		asymbol *s = syms[i];
		const char *file = NULL, *fn = NULL;
		unsigned int line = 0;
		if (!s->section || bfd_is_und_section(s->section) || !(s->flags & BSF_FUNCTION) ||
		    strcmp(bfd_asymbol_name(s), function) != 0)
			continue;
		if (bfd_find_nearest_line(b, s->section, syms, s->value, &file, &fn, &line) && file && *file)
			out = strdup(file);
	}
	/* Without debug information: the source's name, as the compiler wrote it. */
	for (i = 0; i < n && !out; i++)
		if ((syms[i]->flags & BSF_FILE) && *bfd_asymbol_name(syms[i]))
			out = strdup(bfd_asymbol_name(syms[i]));
out:
	free(syms);
	bfd_close(b);
	return out;
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
	/* A bare name (no debug information: STT_FILE): the one module whose
	 * directory holds a file of that name at its top. */
	if (at < 0 && *file && !strchr(file, '/')) {
		size_t found = 0;
		for (i = 0; i + 2 < mods->n; i += 3) {
			char p[4096];
			struct stat st;
			if (!*mods->v[i + 1] ||
			    (size_t)snprintf(p, sizeof(p), "%s/%s", mods->v[i + 1], file) >= sizeof(p) ||
			    stat(p, &st) != 0 || !S_ISREG(st.st_mode))
				continue;
			if (found++)
				return -1;  /* two modules have one: say neither */
			at = (long)i;
			*rel = file;
		}
	}
	return at;
}
