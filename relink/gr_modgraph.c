#include "gr_modgraph.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_file.h"
#include "gr_path.h"

#include <bfd.h>

/* Where os.UserConfigDir looks: XDG on Linux and the BSDs, Library on macOS. */
#ifdef __APPLE__
#define GR_MG_XDG 0
#else
#define GR_MG_XDG 1
#endif

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

/* One module directory's regular files (gr_modgraph_names): each name
 * gr_mg_find would find there, from one walk by its rules; unlisted holds the
 * directories of the walk it could not list (gr_mg_find still stats NAME in
 * them). */
struct gr_mg_dir {
	char *dir;
	struct gr_strvec names;
	struct gr_strvec unlisted;
	bool ok;  /* the walk completed (else: gr_mg_find itself) */
};

void
gr_modgraph_names_init(struct gr_modgraph_names *n)
{
	n->v = NULL;
	n->n = 0;
}

void
gr_modgraph_names_deinit(struct gr_modgraph_names *n)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		free(n->v[i].dir);
		gr_strvec_deinit(&n->v[i].names);
		gr_strvec_deinit(&n->v[i].unlisted);
	}
	free(n->v);
	gr_modgraph_names_init(n);
}

/* Add to d the names gr_mg_find(dir, NAME, depth) would find: each entry of
 * dir that stat(2) calls a regular file, then those of the directories below
 * it that it descends into. false when memory runs out. */
static bool
gr_mg_walk(struct gr_mg_dir *d, const char *dir, int depth)
{
	char p[4096];
	struct stat st;
	struct dirent *de;
	DIR *dh;
	bool ok = true;

	if (!(dh = opendir(dir)))
		return !gr_strvec_push(&d->unlisted, dir);
	while (ok && (de = readdir(dh)) != NULL) {
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p))
			continue;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && gr_strvec_push(&d->names, de->d_name))
			ok = false;
		if (ok && depth > 0 && de->d_name[0] != '.' && strcmp(de->d_name, "testdata") && lstat(p, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			ok = gr_mg_walk(d, p, depth - 1);
	}
	closedir(dh);
	return ok;
}

/* Whether dir (or below it, depth levels at most) holds a regular file named
 * name: gr_mg_find's answer, from the walk kept in names when there is one. */
static bool
gr_mg_find_in(struct gr_modgraph_names *names, const char *dir, const char *name, int depth)
{
	struct gr_mg_dir *d = NULL, *nv;
	char p[4096];
	struct stat st;
	size_t i;

	if (!names)
		return gr_mg_find(dir, name, depth);
	for (i = 0; i < names->n && !d; i++)
		if (!strcmp(names->v[i].dir, dir))
			d = &names->v[i];
	if (!d) {
		if (!(nv = realloc(names->v, (names->n + 1) * sizeof(*nv))))
			return gr_mg_find(dir, name, depth);
		names->v = nv;
		d = &names->v[names->n];
		memset(d, 0, sizeof(*d));
		if (!(d->dir = strdup(dir)))
			return gr_mg_find(dir, name, depth);
		names->n++;
		gr_strvec_init(&d->names);
		gr_strvec_init(&d->unlisted);
		d->ok = gr_mg_walk(d, dir, depth);
	}
	if (!d->ok)
		return gr_mg_find(dir, name, depth);
	for (i = 0; i < d->names.n; i++)
		if (!strcmp(d->names.v[i], name))
			return true;
	/* a directory that could not be listed: gr_mg_find stats the name there */
	for (i = 0; i < d->unlisted.n; i++)
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", d->unlisted.v[i], name) < sizeof(p) && stat(p, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return true;
	return false;
}

long
gr_modgraph_match(const struct gr_strvec *mods, const char *file, const char **rel)
{
	return gr_modgraph_match_in(mods, file, rel, NULL);
}

long
gr_modgraph_match_in(const struct gr_strvec *mods, const char *file, const char **rel, struct gr_modgraph_names *names)
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
			if (!*mods->v[i + 1] || !gr_mg_find_in(names, mods->v[i + 1], file, 3))
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

/* ---- the module-graph cache ------------------------------------------------ */

/* A growing string; ok turns false for good when memory runs out. */
struct gr_mg_buf {
	char *p;
	size_t n, cap;
	bool ok;
	bool racy;  /* a stamped file changed too recently for its stamp to tell */
};

/* A key holding this line is never stored: a file it stamps changed within
 * GR_MG_RACY seconds of the key (file times move in clock ticks of a few
 * milliseconds, so a second change in the same tick, same size, would keep
 * the stamp; git's "racy" entries). */
#define GR_MG_RACY_LINE "racy\n"
#define GR_MG_RACY 2

static void
gr_mg_add(struct gr_mg_buf *b, const char *s, size_t l)
{
	if (!b->ok)
		return;
	if (b->n + l + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *np;
		while (cap < b->n + l + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->ok = false;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, l);
	b->n += l;
	b->p[b->n] = '\0';
}

static void
gr_mg_addf(struct gr_mg_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int l;

	va_start(ap, fmt);
	l = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (l < 0) {
		b->ok = false;
		return;
	}
	if ((size_t)l < sizeof(small)) {
		gr_mg_add(b, small, (size_t)l);
		return;
	}
	{
		char *big = malloc((size_t)l + 1);
		if (!big) {
			b->ok = false;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)l + 1, fmt, ap);
		va_end(ap);
		gr_mg_add(b, big, (size_t)l);
		free(big);
	}
}

/* A file's identity and times: any write changes ctime, which no one can set. */
static void
gr_mg_stamp(struct gr_mg_buf *b, const char *what, const char *path, const struct stat *st)
{
	struct timespec now;
	char id[GR_FILE_IDENTITY_MAX];

	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || st->st_ctim.tv_sec >= now.tv_sec - GR_MG_RACY ||
	    st->st_mtim.tv_sec >= now.tv_sec - GR_MG_RACY)
		b->racy = true;
	gr_mg_addf(b, "%s %s %s\n", what, path, gr_file_identity(id, sizeof(id), st, true));
}

/* A small file's whole content (at most 16 MiB), malloc'd; NULL when absent
 * (*present false) or unreadable. */
static char *
gr_mg_slurp(const char *path, bool *present)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*present = fd >= 0 || errno != ENOENT;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20) ||
	    gr_file_read_fd(fd, path, (size_t)st.st_size, false, &buf, &got, NULL) != GR_OK)
		goto fail;
	close(fd);
	return buf;
fail:
	close(fd);
	*present = true;
	return NULL;
}

/* Add "what path SIZE\nCONTENT\n" (or "what path absent"); false when the
 * file is there but cannot be read (then nothing may be cached). */
static bool
gr_mg_content(struct gr_mg_buf *b, const char *what, const char *path, char **keep)
{
	bool present;
	char *c = gr_mg_slurp(path, &present);

	if (keep)
		*keep = NULL;
	if (!c) {
		if (present)
			return false;
		gr_mg_addf(b, "%s %s absent\n", what, path);
		return true;
	}
	gr_mg_addf(b, "%s %s %zu\n", what, path, strlen(c));
	gr_mg_add(b, c, strlen(c));
	gr_mg_add(b, "\n", 1);
	if (keep)
		*keep = c;
	else
		free(c);
	return true;
}

static int
gr_mg_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Stamp every .go file below dir, by name order (directories go ignores,
 * testdata and nested modules skipped, vendor and links to directories
 * followed, 64 levels at most); top: dir is the module's own root. false
 * when a directory cannot be read or is too deep (a link cycle). */
static bool
gr_mg_tree(struct gr_mg_buf *b, const char *dir, bool top, int depth)
{
	struct gr_strvec names;
	struct dirent *de;
	char p[4096];
	struct stat st;
	DIR *d;
	size_t i;
	bool ok = true;

	if (depth > 64)
		return false;
	if ((size_t)snprintf(p, sizeof(p), "%s/go.mod", dir) >= sizeof(p))
		return false;
	if (!top && lstat(p, &st) == 0)
		return true;  /* another module: not part of this one */
	if (!(d = opendir(dir)))
		return false;
	gr_strvec_init(&names);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && de->d_name[0] != '_' && gr_strvec_push(&names, de->d_name)) {
			ok = false;
			break;
		}
	closedir(d);
	/* readdir's order is the file system's: sort for a stable key. */
	if (ok && names.n > 1)
		qsort(names.v, names.n, sizeof(names.v[0]), gr_mg_cmp);
	for (i = 0; ok && i < names.n; i++) {
		const char *n = names.v[i];
		size_t l = strlen(n);
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, n) >= sizeof(p) || lstat(p, &st) != 0) {
			ok = false;
			break;
		}
		/* A link to a directory: go reaches a package through it by its path. */
		if (S_ISLNK(st.st_mode) && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			gr_mg_addf(b, "link %s\n", p);
		if (S_ISDIR(st.st_mode)) {
			if (strcmp(n, "testdata") != 0)
				ok = gr_mg_tree(b, p, false, depth + 1);
		} else if (l > 3 && !strcmp(n + l - 3, ".go")) {
			if (S_ISLNK(st.st_mode) && (stat(p, &st) != 0 || !S_ISREG(st.st_mode)))
				continue;  /* a dangling link: go skips it too */
			gr_mg_stamp(b, "go", p, &st);
		}
	}
	gr_strvec_deinit(&names);
	return ok;
}

/* The directory holding the go.mod that governs cwd (walking up), malloc'd; NULL if none. */
static char *
gr_mg_modroot(const char *cwd, const char *name)
{
	char *d = strdup(cwd), p[4096];
	struct stat st;

	while (d) {
		char *slash;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", strcmp(d, "/") ? d : "", name) < sizeof(p) &&
		    stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return d;
		if (!strcmp(d, "/") || !(slash = strrchr(d, '/')))
			break;
		if (slash == d)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(d);
	return NULL;
}

static const char *
gr_mg_envp(char *const *envp, const char *name)
{
	size_t l = strlen(name), i;

	for (i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], name, l) && envp[i][l] == '=')
			return envp[i] + l + 1;
	return NULL;
}

/* The local directories go.mod's replace directives name ("=> ./x", "=> ../y",
 * "=> /abs"), resolved against root, into dirs. */
static int
gr_mg_replaced(const char *gomod, const char *root, struct gr_strvec *dirs)
{
	const char *s = gomod;

	while (s && (s = strstr(s, "=>")) != NULL) {
		const char *w = s + 2, *e;
		char p[4096];
		s += 2;
		while (*w == ' ' || *w == '\t')
			w++;
		if (*w == '"' || *w == '`')
			w++;
		e = w + strcspn(w, " \t\r\n\"`");
		if (e == w || (*w != '.' && *w != '/'))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s%s%.*s", *w == '/' ? "" : root, *w == '/' ? "" : "/",
		                     (int)(e - w), w) >= sizeof(p))
			return -1;
		if (gr_strvec_push(dirs, p))
			return -1;
	}
	return 0;
}

char *
gr_modgraph_cache_key(const struct gr_env *env, const char *const *argv, char *const *envp)
{
	static const char *const keep[] = { "CGO_ENABLED", "HOME", "XDG_CONFIG_HOME" };
	struct gr_mg_buf b = { NULL, 0, 0, true, false };
	struct gr_strvec envs, repl;
	struct stat st;
	char cwd[4096], p[4096], *go = NULL, *root = NULL, *gomod = NULL;
	const char *v, *goenv, *home, *xdg;
	bool deps = false, ok = false;
	size_t i, k;

	gr_strvec_init(&envs);
	gr_strvec_init(&repl);
	if (!argv || !argv[0] || !getcwd(cwd, sizeof(cwd)))
		goto out;
	for (i = 1; argv[i]; i++) {
		if (strstr(argv[i], "-modfile") || !strcmp(argv[i], "-C") || !strncmp(argv[i], "-C=", 3))
			goto out;  /* another go.mod than the one found here, or another directory */
		deps = deps || !strcmp(argv[i], "-deps");
	}
	v = gr_mg_envp(envp, "GOFLAGS");
	if ((v && strstr(v, "-modfile")) || ((v = gr_mg_envp(envp, "GO111MODULE")) && !strcmp(v, "off")))
		goto out;
	/* A workspace (GOWORK set, or a go.work above): its modules' files would
	 * all count; not cached. */
	v = gr_mg_envp(envp, "GOWORK");
	if (v && *v ? strcmp(v, "off") != 0 : (root = gr_mg_modroot(cwd, "go.work")) != NULL)
		goto out;
	if (!(root = gr_mg_modroot(cwd, "go.mod")))
		goto out;  /* GOPATH mode */
	/* The go program: its path and file identity. */
	if (!(go = gr_path_which(argv[0], env->path)) || stat(go, &st) != 0)
		goto out;
	gr_mg_addf(&b, "gorelink-modgraph %d\n", GR_MODGRAPH_CACHE_VERSION);
	gr_mg_stamp(&b, "go", go, &st);
	for (i = 1; argv[i]; i++)
		gr_mg_addf(&b, "word %zu %s\n", strlen(argv[i]), argv[i]);
	gr_mg_addf(&b, "cwd %s\n", cwd);
	/* The environment go reads: GO* (not gorelink's own), a few more, sorted. */
	for (i = 0; envp && envp[i]; i++) {
		bool want = !strncmp(envp[i], "GO", 2) && strncmp(envp[i], "GORELINK_", 9) != 0;
		for (k = 0; !want && k < sizeof(keep) / sizeof(keep[0]); k++)
			want = !strncmp(envp[i], keep[k], strlen(keep[k])) && envp[i][strlen(keep[k])] == '=';
		if (want && gr_strvec_push(&envs, envp[i]))
			goto out;
	}
	if (envs.n > 1)
		qsort(envs.v, envs.n, sizeof(envs.v[0]), gr_mg_cmp);
	for (i = 0; i < envs.n; i++)
		gr_mg_addf(&b, "env %zu %s\n", strlen(envs.v[i]), envs.v[i]);
	/* go env -w's file: GOENV, else os.UserConfigDir()/go/env: XDG_CONFIG_HOME/go/env,
	 * else HOME/.config/go/env (on macOS HOME/Library/Application Support/go/env). */
	goenv = gr_mg_envp(envp, "GOENV");
	home = gr_mg_envp(envp, "HOME");
	xdg = gr_mg_envp(envp, "XDG_CONFIG_HOME");
	if (goenv && *goenv) {
		if (strcmp(goenv, "off") != 0 && !gr_mg_content(&b, "goenv", goenv, NULL))
			goto out;
	} else if (GR_MG_XDG && ((xdg && *xdg) || (home && *home))) {
		if ((size_t)snprintf(p, sizeof(p), "%s%s", xdg && *xdg ? xdg : home, xdg && *xdg ? "/go/env" : "/.config/go/env") >= sizeof(p))
			goto out;  /* a path cut short would stamp another file */
		if (!gr_mg_content(&b, "goenv", p, NULL))
			goto out;
	} else if (!GR_MG_XDG && home && *home) {
		if ((size_t)snprintf(p, sizeof(p), "%s/Library/Application Support/go/env", home) >= sizeof(p))
			goto out;  /* a path cut short would stamp another file */
		if (!gr_mg_content(&b, "goenv", p, NULL))
			goto out;
	}
	if (b.ok && b.p && (strstr(b.p, "-modfile") || strstr(b.p, "\nGOWORK=")))
		goto out;  /* go env -w GOFLAGS=-modfile=... or GOWORK=... */
	/* The main module. */
	gr_mg_addf(&b, "root %s\n", root);
	if ((size_t)snprintf(p, sizeof(p), "%s/go.mod", root) >= sizeof(p))
		goto out;  /* a path cut short would stamp another file */
	if (!gr_mg_content(&b, "file", p, &gomod) || !gomod)
		goto out;
	if ((size_t)snprintf(p, sizeof(p), "%s/go.sum", root) >= sizeof(p))
		goto out;  /* a path cut short would stamp another file */
	if (!gr_mg_content(&b, "file", p, NULL))
		goto out;
	if ((size_t)snprintf(p, sizeof(p), "%s/vendor/modules.txt", root) >= sizeof(p))
		goto out;  /* a path cut short would stamp another file */
	if (!gr_mg_content(&b, "file", p, NULL))
		goto out;
	if (gr_mg_replaced(gomod, root, &repl))
		goto out;
	for (i = 0; i < repl.n; i++) {
		if ((size_t)snprintf(p, sizeof(p), "%s/go.mod", repl.v[i]) >= sizeof(p))
			goto out;  /* a path cut short would stamp another file */
		if (!gr_mg_content(&b, "replace", p, NULL))
			goto out;
	}
	/* Which packages the build holds: the .go files, their imports and tags. */
	if (deps) {
		if (!gr_mg_tree(&b, root, true, 0))
			goto out;
		for (i = 0; i < repl.n; i++)
			if (stat(repl.v[i], &st) == 0 && S_ISDIR(st.st_mode) && !gr_mg_tree(&b, repl.v[i], true, 0))
				goto out;
	}
	if (b.racy)
		gr_mg_add(&b, GR_MG_RACY_LINE, strlen(GR_MG_RACY_LINE));
	ok = b.ok;
out:
	gr_strvec_deinit(&envs);
	gr_strvec_deinit(&repl);
	free(go);
	free(root);
	free(gomod);
	if (!ok) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Whether every module directory an answer names (go list -m's third field)
 * is a directory now; false also for a module not downloaded ("" dir), which
 * a later build fetches. */
static bool
gr_mg_dirs_exist(const char *text)
{
	char buf[8192], *line;
	struct stat st;

	while ((line = gr_mg_line(&text, buf, sizeof(buf))) != NULL) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2)
			continue;
		if (!t2[1] || stat(t2 + 1, &st) != 0 || !S_ISDIR(st.st_mode))
			return false;
	}
	return true;
}

bool
gr_modgraph_cache_get(const struct gr_env *env, const char *key, struct gr_spawn_result *r)
{
	char *data = NULL, *err;
	size_t len;

	memset(r, 0, sizeof(*r));
	if (!key || gr_cache_get(env, "modgraph", key, &data, &len) != GR_OK)
		return false;
	if (!gr_mg_dirs_exist(data) || !(err = strdup(""))) {
		free(data);
		return false;
	}
	r->exited = true;
	r->code = 0;
	r->out = data;
	r->outlen = len;
	r->err = err;
	r->errlen = 0;
	return true;
}

void
gr_modgraph_cache_put(const struct gr_env *env, const char *key, const struct gr_spawn_result *r)
{
	struct gr_error ignore;

	size_t kl = key ? strlen(key) : 0, rl = strlen(GR_MG_RACY_LINE);

	if (!key || (kl >= rl && !strcmp(key + kl - rl, GR_MG_RACY_LINE)) || !gr_spawn_ok(r) || !r->out ||
	    (r->err && *r->err) || !gr_mg_dirs_exist(r->out))
		return;
	(void)gr_cache_put(env, "modgraph", key, r->out, r->outlen, &ignore);
}
