#include "gr_floorref.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_arena.h"
#include "gr_check.h"
#include "gr_dpkg.h"
#include "gr_modgraph.h"
#include "gr_path.h"
#include "gr_spawn.h"
#include "gr_symindex.h"

/* A too-new symbol and its version. */
struct gr_fr_want {
	const char *sym;
	const char *version;
};

/* A reference found, with its place in the scan (for a stable order). */
struct gr_fr_ref {
	struct gr_rec_floorref r;
	size_t want;   /* index into the wanted symbols (sorted by name) */
	size_t seq;
};

struct gr_fr {
	struct gr_arena arena;
	struct gr_fr_want *want;
	size_t nwant, cwant;
	struct gr_fr_ref *refs;
	size_t nrefs, crefs;
	bool nomem;
};

static int
gr_fr_want_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gr_fr_want *)a)->sym, ((const struct gr_fr_want *)b)->sym);
}

static int
gr_fr_ref_cmp(const void *a, const void *b)
{
	const struct gr_fr_ref *x = a, *y = b;

	if (x->want != y->want)
		return x->want < y->want ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The wanted symbol named sym (a "@VERSION" suffix ignored), or NULL. */
static const struct gr_fr_want *
gr_fr_find(const struct gr_fr *fr, const char *sym)
{
	struct gr_fr_want key;
	char buf[1024];
	const char *at = strchr(sym, '@');

	if (at) {
		if ((size_t)(at - sym) >= sizeof(buf))
			return NULL;
		memcpy(buf, sym, (size_t)(at - sym));
		buf[at - sym] = '\0';
		sym = buf;
	}
	key.sym = sym;
	key.version = NULL;
	return fr->nwant ? bsearch(&key, fr->want, fr->nwant, sizeof(*fr->want), gr_fr_want_cmp) : NULL;
}

/* Record that kind/file/member refers to the wanted symbol w. */
static void
gr_fr_add(struct gr_fr *fr, const struct gr_fr_want *w, const char *kind, const char *file, const char *member,
          const char *sources)
{
	struct gr_fr_ref *x;

	if (!gr_arena_grow(&fr->arena, (void **)&fr->refs, fr->nrefs, &fr->crefs, sizeof(*fr->refs))) {
		fr->nomem = true;
		return;
	}
	x = &fr->refs[fr->nrefs];
	memset(x, 0, sizeof(*x));
	x->r.symbol = w->sym;
	x->r.version = w->version;
	x->r.kind = kind;
	if (file) {
		/* As the link named it, tidied: ".../12/../../../x86_64-linux-gnu/libz.a" -> "/usr/lib/x86_64-linux-gnu/libz.a" */
		char *t = gr_path_lexical(file);
		x->r.file = gr_arena_strdup(&fr->arena, t ? t : file);
		free(t);
	}
	x->r.member = member ? gr_arena_strdup(&fr->arena, member) : NULL;
	x->r.sources = sources;
	x->want = (size_t)(w - fr->want);
	x->seq = fr->nrefs;
	if ((file && !x->r.file) || (member && !x->r.member))
		fr->nomem = true;
	else
		fr->nrefs++;
}

/* The first bytes of path: 'a' an ar archive, 'o' an ELF relocatable object, 0 else. */
static char
gr_fr_kind(const char *path)
{
	unsigned char h[18];
	struct stat sb;
	ssize_t n;
	int fd;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n >= 8 && (!memcmp(h, "!<arch>\n", 8) || !memcmp(h, "!<thin>\n", 8)))
		return 'a';
	/* e_type ET_REL (1), either byte order */
	if (n >= 18 && !memcmp(h, "\177ELF", 4) && ((h[5] == 1 && h[16] == 1 && h[17] == 0) || (h[5] == 2 && h[16] == 0 && h[17] == 1)))
		return 'o';
	return 0;
}

/* The archive at path: each member that refers to a wanted symbol. */
static void
gr_fr_archive(const struct gr_env *env, struct gr_fr *fr, const char *path, const char *kind, const char *shown)
{
	struct gr_symmembers *m = NULL;
	struct gr_error e;
	size_t i, k, n;

	if (gr_symindex_members(env, path, &m, &e) != GR_OK) {
		if (e.code == GR_ENOMEM)
			fr->nomem = true;
		return;
	}
	for (i = 0; i < fr->nwant; i++) {
		const size_t *idx = gr_symmembers_lookup(m, fr->want[i].sym, &n);
		for (k = 0; k < n; k++)
			gr_fr_add(fr, &fr->want[i], kind, shown, m->members[idx[k]], NULL);
	}
	gr_symmembers_free(m);
}

/* The object at path: a reference when it refers to a wanted symbol. */
static void
gr_fr_object(struct gr_fr *fr, const char *path, const char *kind, const char *file, const char *member,
             const char *sources)
{
	struct gr_strvec u;
	struct gr_error e;
	size_t i;

	gr_strvec_init(&u);
	if (gr_symindex_object_undefs(path, &u, &e) != GR_OK) {
		if (e.code == GR_ENOMEM)
			fr->nomem = true;
		gr_strvec_deinit(&u);
		return;
	}
	for (i = 0; i < u.n; i++) {
		const struct gr_fr_want *w = gr_fr_find(fr, u.v[i]);
		if (w)
			gr_fr_add(fr, w, kind, file, member, sources);
	}
	gr_strvec_deinit(&u);
}

static const char *
gr_fr_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* cmd/link's numbered host objects: "000000.o" ... */
static bool
gr_fr_hostobj(const char *path)
{
	const char *b = gr_fr_base(path);
	size_t i;

	for (i = 0; i < 6; i++)
		if (b[i] < '0' || b[i] > '9')
			return false;
	return !strcmp(b + 6, ".o");
}

/* cmd/link's host objects of argv, in order: each one's C source file (its
 * STT_FILE symbol) and those of its package's objects (each package's
 * objects come together, the first one cgo's _cgo_export.c). */
static void
gr_fr_hostobjs(struct gr_fr *fr, char *const *argv, size_t argc, const bool *input)
{
	struct gr_strvec srcs;
	size_t i, k, start = 0, *idx;
	size_t n = 0;

	gr_strvec_init(&srcs);
	if (!(idx = calloc(argc + 1, sizeof(*idx)))) {
		fr->nomem = true;
		return;
	}
	for (i = 0; i < argc; i++) {
		char *src;
		if (!input[i] || !gr_fr_hostobj(argv[i]))
			continue;
		src = gr_modgraph_object_source(argv[i]);
		if (gr_strvec_push(&srcs, src ? gr_fr_base(src) : "?")) {
			free(src);
			fr->nomem = true;
			break;
		}
		free(src);
		idx[n++] = i;
	}
	for (k = 0; k <= n && !fr->nomem; k++) {
		if (k < n && (k == start || strcmp(srcs.v[k], "_cgo_export.c")))
			continue;
		/* srcs[start..k) is one package's objects */
		{
			size_t len = 1, j;
			char *joined, *w;
			for (j = start; j < k; j++)
				len += strlen(srcs.v[j]) + 1;
			if (!(joined = w = gr_arena_alloc(&fr->arena, len))) {
				fr->nomem = true;
				break;
			}
			*w = '\0';
			for (j = start; j < k; j++) {
				size_t l = strlen(srcs.v[j]);
				if (j > start)
					*w++ = '\n';
				memcpy(w, srcs.v[j], l + 1);
				w += l;
			}
			for (j = start; j < k; j++)
				gr_fr_object(fr, argv[idx[j]], "cgo", NULL, srcs.v[j], joined);
		}
		start = k;
	}
	free(idx);
	gr_strvec_deinit(&srcs);
}

/* Split a -### line's words ("a" "b c" ...) into out. */
static int
gr_fr_words(const char *line, struct gr_strvec *out)
{
	const char *p = line;

	while (*p) {
		char buf[8192];
		size_t n = 0;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (n + 1 < sizeof(buf))
					buf[n++] = *p;
			}
			if (*p)
				p++;
		} else {
			for (; *p && *p != ' '; p++)
				if (n + 1 < sizeof(buf))
					buf[n++] = *p;
		}
		buf[n] = '\0';
		if (gr_strvec_push(out, buf))
			return GR_ENOMEM;
	}
	return GR_OK;
}

/* Whether argv holds word. */
static bool
gr_fr_has(char *const *argv, size_t argc, const char *word)
{
	size_t i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], word))
			return true;
	return false;
}

/* The C toolchain's own inputs of the link (the linker command that
 * `CC ... -###` prints): its start-up objects and libgcc's archives. */
static void
gr_fr_toolchain(const struct gr_env *env, struct gr_fr *fr, char *const *argv, size_t argc, struct gr_strvec *files)
{
	struct gr_strvec run, words, dirs;
	struct gr_spawn_result res;
	struct gr_error e;
	const char *line = NULL, *p;
	char *text = NULL;
	size_t i, k;

	gr_strvec_init(&run);
	gr_strvec_init(&words);
	gr_strvec_init(&dirs);
	memset(&res, 0, sizeof(res));
	for (i = 0; i < argc; i++)
		if (gr_strvec_push(&run, argv[i]))
			goto nomem;
	if (gr_strvec_push(&run, "-###"))
		goto nomem;
	if (gr_spawn_capture(gr_strvec_argv(&run), NULL, &res, &e) != GR_OK || !gr_spawn_ok(&res) || !res.err)
		goto out;
	/* The last line that names a start-up object is the linker's. */
	if (!(text = strdup(res.err)))
		goto nomem;
	for (p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
		if (strstr(p, "crt1.o") || strstr(p, "crti.o") || strstr(p, "crtbegin"))
			line = p;
	if (!line || gr_fr_words(line, &words))
		goto out;
	for (i = 1; i < words.n; i++)
		if (!strncmp(words.v[i], "-L", 2) && words.v[i][2] && gr_strvec_push(&dirs, words.v[i] + 2))
			goto nomem;
	for (i = 1; i < words.n && !fr->nomem; i++) {
		const char *w = words.v[i];
		char path[8192] = "", *real;
		size_t l = strlen(w);
		if (w[0] == '/' && l > 2 && !strcmp(w + l - 2, ".o") && !gr_fr_has(argv, argc, w))
			snprintf(path, sizeof(path), "%s", w);
		else if (!strcmp(w, "-lgcc") || !strcmp(w, "-lgcc_eh"))
			for (k = 0; k < dirs.n && !path[0]; k++) {
				snprintf(path, sizeof(path), "%s/lib%s.a", dirs.v[k], w + 2);
				if (access(path, R_OK) != 0)
					path[0] = '\0';
			}
		if (!path[0] || !(real = realpath(path, NULL)))
			continue;
		if (!gr_fr_has(files->v, files->n, real)) {
			char kind = gr_fr_kind(real);
			size_t before = fr->nrefs;
			if (kind == 'a')
				gr_fr_archive(env, fr, real, "toolchain", real);
			else if (kind == 'o')
				gr_fr_object(fr, real, "toolchain", real, NULL, NULL);
			if (gr_strvec_push(files, real))
				fr->nomem = true;
			(void)before;
		}
		free(real);
	}
	goto out;
nomem:
	fr->nomem = true;
out:
	free(text);
	gr_spawn_result_free(&res);
	gr_strvec_deinit(&run);
	gr_strvec_deinit(&words);
	gr_strvec_deinit(&dirs);
}

/* The Debian package of each toolchain reference's file ("libc6-dev" for
 * crt1.o), from dpkg's database (/var/lib/dpkg, the toolchain's own; none
 * when there is no database). */
static void
gr_fr_debs(struct gr_fr *fr)
{
	struct gr_dpkg *db = NULL;
	struct gr_error e;
	size_t i;

	for (i = 0; i < fr->nrefs; i++)
		if (!strcmp(fr->refs[i].r.kind, "toolchain") && fr->refs[i].r.file && !fr->refs[i].r.deb)
			break;
	if (i == fr->nrefs)
		return;  /* nothing to ask: the database is not read */
	if (gr_dpkg_open(NULL, &db, &e) != GR_OK)
		db = NULL;
	for (i = 0; db && i < fr->nrefs; i++) {
		struct gr_rec_floorref *r = &fr->refs[i].r;
		const struct gr_dpkg_pkg *p;
		if (strcmp(r->kind, "toolchain") || r->deb || !r->file || !(p = gr_dpkg_owner(db, r->file)))
			continue;
		if (!(r->deb = gr_arena_strndup(&fr->arena, p->package, strlen(p->package))))
			fr->nomem = true;
	}
	gr_dpkg_free(db);
}

int
gr_floorref_scan(const struct gr_env *env, char *const *argv, size_t argc, const struct gr_vermax *max,
                 size_t nmax, struct gr_link_report *rep, struct gr_error *err)
{
	struct gr_policy pol = { .allow = NULL, .nallow = 0, .macos_min = 0, .maxver = max, .nmaxver = nmax };
	struct gr_report *r = NULL;
	const struct gr_verinfo *vi;
	const struct gr_vermax *limit;
	const char *out = NULL;
	struct gr_strvec files;
	struct gr_fr fr;
	struct gr_error e;
	bool *input = NULL;
	size_t i, k, s;
	int rc = GR_OK;

	if (!nmax)
		return GR_OK;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strncmp(argv[i], "-o", 2) && argv[i][2])
			out = argv[i] + 2;
	}
	if (!out || gr_check_path(out, &pol, &r, &e) != GR_OK)
		return GR_OK;  /* nothing to read: the driver's check says what is wrong */
	memset(&fr, 0, sizeof(fr));
	gr_arena_init(&fr.arena);
	gr_strvec_init(&files);
	if (r->nimages != 1 || !(vi = r->images[0].versions))
		goto done;
	for (i = 0; i < vi->nlibs; i++)
		for (k = 0; k < vi->libs[i].nvers; k++) {
			const struct gr_verneed *v = &vi->libs[i].vers[k];
			if (v->weak || !gr_elfver_too_new(v, max, nmax, &limit))
				continue;
			for (s = 0; s < v->nsymbols; s++) {
				if (!gr_arena_grow(&fr.arena, (void **)&fr.want, fr.nwant, &fr.cwant, sizeof(*fr.want)) ||
				    !(fr.want[fr.nwant].sym = gr_arena_strdup(&fr.arena, v->symbols[s].name)) ||
				    !(fr.want[fr.nwant].version = gr_arena_strdup(&fr.arena, v->name))) {
					fr.nomem = true;
					goto done;
				}
				fr.nwant++;
			}
		}
	if (!fr.nwant)
		goto done;
	qsort(fr.want, fr.nwant, sizeof(*fr.want), gr_fr_want_cmp);
	/* The link's own inputs: archives and objects named on its command line. */
	if (!(input = calloc(argc + 1, sizeof(*input)))) {
		fr.nomem = true;
		goto done;
	}
	for (i = 1; i < argc && !fr.nomem; i++) {
		char kind, *real;
		if (argv[i][0] == '-') {
			if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "-Xlinker") || !strcmp(argv[i], "-L") ||
			    !strcmp(argv[i], "-l") || !strcmp(argv[i], "-T"))
				i++;
			continue;
		}
		if (!(kind = gr_fr_kind(argv[i])) || !(real = realpath(argv[i], NULL)))
			continue;
		if (gr_fr_has(files.v, files.n, real)) {
			free(real);
			continue;  /* an archive named twice (a group) */
		}
		if (gr_strvec_push(&files, real))
			fr.nomem = true;
		free(real);
		input[i] = true;
		if (kind == 'a')
			gr_fr_archive(env, &fr, argv[i], "archive", argv[i]);
		else if (!strcmp(gr_fr_base(argv[i]), "go.o"))
			gr_fr_object(&fr, argv[i], "go", NULL, "go.o", NULL);
		else if (!gr_fr_hostobj(argv[i]))
			gr_fr_object(&fr, argv[i], "object", argv[i], NULL, NULL);
	}
	if (!fr.nomem)
		gr_fr_hostobjs(&fr, argv, argc, input);
	if (!fr.nomem)
		gr_fr_toolchain(env, &fr, argv, argc, &files);
	if (!fr.nomem)
		gr_fr_debs(&fr);
	if (!fr.nomem && fr.nrefs)
		qsort(fr.refs, fr.nrefs, sizeof(*fr.refs), gr_fr_ref_cmp);
	for (i = 0; i < fr.nrefs && !fr.nomem; i++)
		if (gr_link_report_add_floorref(rep, &fr.refs[i].r))
			fr.nomem = true;
done:
	if (fr.nomem)
		rc = gr_error_set(err, GR_ENOMEM, 0, "--max-version: out of memory naming who needs which symbol");
	free(input);
	gr_strvec_deinit(&files);
	gr_arena_deinit(&fr.arena);
	gr_report_free(r);
	return rc;
}

/* ---- the driver's half: Go packages of cgo objects ------------------------- */

/* Whether the space-separated list files names src, a cgo object's source:
 * "x.cgo2.c" is cgo's output for x.go, "_cgo_export.c" that of any cgo package. */
static bool
gr_fr_pkg_has(const char *files, const char *src)
{
	const char *p = files;
	size_t sl = strlen(src);
	bool cgo2 = sl > 7 && !strcmp(src + sl - 7, ".cgo2.c");

	while (*p) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == sl && !memcmp(p, src, l))
			return true;
		if (cgo2 && l > 3 && !memcmp(p + l - 3, ".go", 3) && l - 3 == sl - 7 && !memcmp(p, src, l - 3))
			return true;
		if (!strcmp(src, "_cgo_export.c") && l > 3 && !memcmp(p + l - 3, ".go", 3))
			return true;
		p += l;
		while (*p == ' ')
			p++;
	}
	return false;
}

int
gr_floorref_resolve(struct gr_link_report *rep, const char *text, struct gr_error *err)
{
	size_t i;

	for (i = 0; i < rep->nfloorrefs; i++) {
		struct gr_rec_floorref *f = &rep->floorrefs[i];
		const char *p, *nl, *best = NULL;
		size_t bestlen = 0, bestscore = 0;
		if (strcmp(f->kind, "cgo") || !f->member || f->package)
			continue;
		for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
			const char *t1, *t2, *files;
			char *line;
			size_t len, score = 0;
			nl = strchr(p, '\n');
			len = nl ? (size_t)(nl - p) : strlen(p);
			if (!(line = strndup(p, len)))
				return gr_error_set(err, GR_ENOMEM, 0, "--max-version: out of memory");
			if (!(t1 = strchr(line, '\t')) || !(t2 = strchr(t1 + 1, '\t'))) {
				free(line);
				continue;
			}
			files = t2 + 1;
			if (gr_fr_pkg_has(files, f->member)) {
				const char *s = f->sources;
				score = 1;
				/* the other objects of its package count towards it */
				while (s && *s) {
					const char *e = strchr(s, '\n');
					char one[1024];
					size_t l = e ? (size_t)(e - s) : strlen(s);
					snprintf(one, sizeof(one), "%.*s", (int)(l < sizeof(one) ? l : sizeof(one) - 1), s);
					if (strcmp(one, "_cgo_export.c") && gr_fr_pkg_has(files, one))
						score++;
					s += l;
					if (*s)
						s++;
				}
			}
			if (score > bestscore) {
				bestscore = score;
				best = p;
				bestlen = len;
			}
			free(line);
		}
		if (best) {
			const char *t1 = memchr(best, '\t', bestlen), *t2 = t1 ? memchr(t1 + 1, '\t', bestlen - (size_t)(t1 + 1 - best)) : NULL;
			if (!t1 || !t2)
				continue;
			f->package = gr_arena_strndup(&rep->arena, best, (size_t)(t1 - best));
			f->module = t2 > t1 + 1 ? gr_arena_strndup(&rep->arena, t1 + 1, (size_t)(t2 - t1 - 1)) : NULL;
			if (!f->package || (t2 > t1 + 1 && !f->module))
				return gr_error_set(err, GR_ENOMEM, 0, "--max-version: out of memory");
		}
	}
	return GR_OK;
}

const char *
gr_floorref_text(const struct gr_rec_floorref *f, char *buf, size_t n)
{
	if (!strcmp(f->kind, "archive"))
		snprintf(buf, n, "%s(%s)", f->file ? f->file : "?", f->member ? f->member : "?");
	else if (!strcmp(f->kind, "go"))
		snprintf(buf, n, "Go code (go.o)");
	else if (!strcmp(f->kind, "cgo") && f->package && f->module)
		snprintf(buf, n, "Go package %s (module %s, C file %s)", f->package, f->module, f->member);
	else if (!strcmp(f->kind, "cgo") && f->package)
		snprintf(buf, n, "Go package %s (standard library, C file %s)", f->package, f->member);
	else if (!strcmp(f->kind, "cgo"))
		snprintf(buf, n, "a Go package's C file %s", f->member ? f->member : "?");
	else if (!strcmp(f->kind, "toolchain"))
		snprintf(buf, n, "the C toolchain's %s%s%s%s%s%s%s", f->file ? f->file : "?", f->member ? "(" : "",
		         f->member ? f->member : "", f->member ? ")" : "", f->deb ? " (Debian package " : "",
		         f->deb ? f->deb : "", f->deb ? ")" : "");
	else
		snprintf(buf, n, "%s", f->file ? f->file : "?");
	return buf;
}
