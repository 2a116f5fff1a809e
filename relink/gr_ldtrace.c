#include "gr_ldtrace.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_gocache.h"
#include "gr_hash.h"
#include "gr_manifest.h"
#include "gr_modgraph.h"

/* Whether the link's argv asks the linker for a trace of its own (-t, --trace,
 * through the compiler driver as -Wl, or -Xlinker): its lines are the user's. */
static bool
ldt_user_trace(const struct gr_strvec *argv)
{
	size_t i;

	for (i = 1; i < argv->n; i++) {
		const char *a = argv->v[i], *p;
		if (!strcmp(a, "-Xlinker") && i + 1 < argv->n) {
			const char *b = argv->v[i + 1];
			if (!strcmp(b, "-t") || !strcmp(b, "--trace") || !strcmp(b, "-trace"))
				return true;
			continue;
		}
		if (strncmp(a, "-Wl,", 4))
			continue;
		for (p = a + 3; p && *p; p = strchr(p + 1, ',')) {
			const char *w = p + 1, *end = strchr(w, ',');
			size_t n = end ? (size_t)(end - w) : strlen(w);
			if ((n == 2 && !strncmp(w, "-t", 2)) || (n == 7 && !strncmp(w, "--trace", 7)) ||
			    (n == 6 && !strncmp(w, "-trace", 6)))
				return true;
		}
	}
	return false;
}

int
gr_ldtrace_begin(struct gr_ldtrace *t, const char *linker, const char *out, struct gr_strvec *argv)
{
	memset(t, 0, sizeof(*t));
	t->keep = ldt_user_trace(argv);
	t->linker = !linker ? "bfd" : !strcmp(linker, "mold") ? "mold" : !strcmp(linker, "gold") ? "gold" :
	            !strcmp(linker, "lld") ? "lld" : "bfd";
	if (!strcmp(t->linker, "mold")) {
		char *flag;
		size_t n = strlen(out ? out : "a.out") + 16;
		if (!(t->map = malloc(n)))
			return GR_ENOMEM;
		snprintf(t->map, n, "%s.gorelink-map", out ? out : "a.out");
		n = strlen(t->map) + 10;
		if (!(flag = malloc(n)))
			return GR_ENOMEM;
		snprintf(flag, n, "-Wl,-Map=%s", t->map);
		if (gr_strvec_push(argv, flag)) {
			free(flag);
			return GR_ENOMEM;
		}
		free(flag);
		return GR_OK;
	}
	/* GNU ld names archive members only when -t is given twice. */
	return gr_strvec_push(argv, !strcmp(t->linker, "bfd") ? "-Wl,-t,-t" : "-Wl,--trace") ? GR_ENOMEM : GR_OK;
}

/* What the file at path is: 0 object, 2 shared library, 3 archive, -1 other or unreadable. */
static int
ldt_kind(const char *path)
{
	unsigned char h[18];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = read(fd, h, sizeof(h));
	close(fd);
	if (got >= 8 && !memcmp(h, "!<arch>\n", 8))
		return 3;
	if (got >= 8 && !memcmp(h, "!<thin>\n", 8))
		return 3;
	if (got == (ssize_t)sizeof(h) && !memcmp(h, "\177ELF", 4)) {
		unsigned type = h[5] == 2 ? (unsigned)h[16] << 8 | h[17] : (unsigned)h[17] << 8 | h[16];
		return type == 1 ? 0 : type == 3 ? 2 : -1;
	}
	return -1;
}

static bool
ldt_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The slot index of an input: FNV-1a of its kind, path and member. */
static size_t
ldt_hash(int kind, const char *path, size_t plen, const char *member, size_t mlen)
{
	unsigned char k = (unsigned char)kind, m = member ? 1 : 0;
	uint64_t h = gr_hash_bytes(GR_HASH_INIT, &k, 1);

	h = gr_hash_bytes(h, path, plen);
	h = gr_hash_bytes(h, &m, 1);
	return (size_t)gr_hash_bytes(h, member, member ? mlen : 0);
}

/* Whether t->v[i] is that input. */
static bool
ldt_same(const struct gr_ldtrace_input *x, int kind, const char *path, size_t plen, const char *member, size_t mlen)
{
	return x->kind == kind && strlen(x->path) == plen && !strncmp(x->path, path, plen) &&
	       (!member ? !x->member : x->member && strlen(x->member) == mlen && !strncmp(x->member, member, mlen));
}

/* Put entry i of t->v in the index (which has a free slot). */
static void
ldt_slot_put(struct gr_ldtrace *t, size_t i)
{
	const struct gr_ldtrace_input *x = &t->v[i];
	size_t at = ldt_hash(x->kind, x->path, strlen(x->path), x->member, x->member ? strlen(x->member) : 0) &
	            (t->nslot - 1);

	while (t->slot[at])
		at = (at + 1) & (t->nslot - 1);
	t->slot[at] = i + 1;
}

/* Index all of t->v with at least twice as many slots as entries; false
 * when memory runs out (the index is then dropped: ldt_add scans t->v). */
static bool
ldt_reindex(struct gr_ldtrace *t)
{
	size_t n = t->nslot ? t->nslot : 256, i;

	while (n < 2 * (t->n + 1))
		n *= 2;
	free(t->slot);
	t->nslot = 0;
	if (!(t->slot = calloc(n, sizeof(*t->slot))))
		return false;
	t->nslot = n;
	for (i = 0; i < t->n; i++)
		ldt_slot_put(t, i);
	return true;
}

/* Add an input unless t has it (found in the index: one hash and a compare
 * per line of the map, which names each member once per input section). */
static int
ldt_add(struct gr_ldtrace *t, int kind, const char *path, size_t plen, const char *member, size_t mlen)
{
	size_t i;

	if (t->nslot || (!t->n && ldt_reindex(t))) {
		for (i = ldt_hash(kind, path, plen, member, mlen) & (t->nslot - 1); t->slot[i]; i = (i + 1) & (t->nslot - 1))
			if (ldt_same(&t->v[t->slot[i] - 1], kind, path, plen, member, mlen))
				return GR_OK;
	} else {
		for (i = t->n; i-- > 0; )
			if (ldt_same(&t->v[i], kind, path, plen, member, mlen))
				return GR_OK;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct gr_ldtrace_input *g = realloc(t->v, nc * sizeof(*g));
		if (!g)
			return GR_ENOMEM;
		t->v = g;
		t->cap = nc;
	}
	t->v[t->n].kind = kind;
	t->v[t->n].path = strndup(path, plen);
	t->v[t->n].member = member ? strndup(member, mlen) : NULL;
	if (!t->v[t->n].path || (member && !t->v[t->n].member)) {
		free(t->v[t->n].path);
		free(t->v[t->n].member);
		return GR_ENOMEM;
	}
	t->n++;
	if (t->nslot) {
		if (2 * t->n > t->nslot) {
			if (!ldt_reindex(t)) {
				free(t->slot);
				t->slot = NULL;
				t->nslot = 0;
			}
		} else {
			ldt_slot_put(t, t->n - 1);
		}
	}
	return GR_OK;
}

/* Whether line (len bytes, no newline) is a trace line; adds what it names. */
static bool
ldt_line(struct gr_ldtrace *t, const char *line, size_t len, bool *oom)
{
	char buf[4096];
	const char *close, *open;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (buf[0] == '(' && (close = strchr(buf, ')')) && close[1]) {
		/* GNU ld: (ARCHIVE)MEMBER */
		char *a = strndup(buf + 1, (size_t)(close - buf - 1));
		bool is = a && ldt_is_file(a);
		if (is && ldt_add(t, GR_MANIFEST_MEMBER, a, strlen(a), close + 1, strlen(close + 1)))
			*oom = true;
		free(a);
		return is;
	}
	/* gold, lld: ARCHIVE(MEMBER), the archive the first prefix that is a file
	 * (a member's name may hold parentheses) */
	for (open = strchr(buf + 1, '('); buf[len - 1] == ')' && open; open = strchr(open + 1, '(')) {
		char *a = strndup(buf, (size_t)(open - buf));
		bool is = a && ldt_is_file(a);
		if (is && ldt_add(t, GR_MANIFEST_MEMBER, a, strlen(a), open + 1, (size_t)(buf + len - 1 - open - 1)))
			*oom = true;
		free(a);
		if (is)
			return true;
	}
	if (ldt_is_file(buf)) {
		int k = ldt_kind(buf);
		if ((k == 0 || k == 2) &&
		    ldt_add(t, k == 0 ? GR_MANIFEST_OBJECT : GR_MANIFEST_SHARED, buf, len, NULL, 0))
			*oom = true;
		return true;  /* an archive counts by its members; a linker script by what it names */
	}
	return false;
}

size_t
gr_ldtrace_take(struct gr_ldtrace *t, char *text, size_t n)
{
	size_t r = 0, w = 0;
	bool oom = false;

	/* mold's trace is its map file: its output is the user's and the diagnosis's. */
	if (!text || t->map)
		return n;
	while (r < n) {
		const char *nl = memchr(text + r, '\n', n - r);
		size_t end = nl ? (size_t)(nl - text) : n, next = nl ? end + 1 : n;
		if (!ldt_line(t, text + r, end - r, &oom) || t->keep) {
			memmove(text + w, text + r, next - r);
			w += next - r;
		}
		r = next;
	}
	text[w] = '\0';
	if (oom)
		t->oom = true;
	return w;
}

int
gr_ldtrace_read_map(struct gr_ldtrace *t, struct gr_error *err)
{
	FILE *f;
	char *line = NULL, *last = NULL;  /* the archive of the previous member line, a file or not */
	char *lastobj = NULL;             /* the previous object line's, an ELF object or not */
	size_t cap = 0;
	ssize_t got;
	int rc = GR_OK;
	bool last_is = false, lastobj_is = false;

	if (!t->map)
		return GR_OK;
	if (!(f = fopen(t->map, "r")))
		return gr_error_set(err, GR_EIO, 0, "cannot read the linker map %s", t->map);
	/* mold: "   VMA   SIZE  ALIGN   FILE:(SECTION)" for each input section */
	while ((got = getline(&line, &cap, f)) > 0 && rc == GR_OK) {
		char *p = line, *colon, *paren;
		while (*p == ' ')
			p++;
		if (strncmp(p, "0x", 2))
			continue;
		/* the fourth word onwards */
		{
			int words = 0;
			while (*p && words < 3) {
				while (*p && *p != ' ')
					p++;
				while (*p == ' ')
					p++;
				words++;
			}
		}
		if (!(colon = strstr(p, ":(")))
			continue;
		*colon = '\0';
		if (*p == '<' || !*p)
			continue;  /* <internal>, synthetic sections */
		if (colon[-1] == ')' && (paren = strrchr(p, '(')) && paren > p) {
			*paren = '\0';
			colon[-1] = '\0';
			/* each of a member's input sections has a line: the archive is
			 * looked at once per run of lines naming it */
			if (!last || strcmp(last, p)) {
				free(last);
				if (!(last = strdup(p))) {
					rc = GR_ENOMEM;
					break;
				}
				last_is = ldt_is_file(p);
			}
			if (last_is)
				rc = ldt_add(t, GR_MANIFEST_MEMBER, p, strlen(p), paren + 1, strlen(paren + 1));
		} else {
			/* an object's sections too: one look per run of lines */
			if (!lastobj || strcmp(lastobj, p)) {
				free(lastobj);
				if (!(lastobj = strdup(p))) {
					rc = GR_ENOMEM;
					break;
				}
				lastobj_is = ldt_is_file(p) && ldt_kind(p) == 0;
			}
			if (lastobj_is)
				rc = ldt_add(t, GR_MANIFEST_OBJECT, p, strlen(p), NULL, 0);
		}
	}
	free(line);
	free(last);
	free(lastobj);
	fclose(f);
	return rc == GR_OK ? GR_OK : gr_error_set(err, GR_ENOMEM, 0, "out of memory reading %s", t->map);
}

void
gr_ldtrace_overlap(struct gr_ldtrace *t, const struct gr_strvec *argv, const struct gr_strvec *modules)
{
	t->argv = argv;
	t->modules = modules;
	t->next = 1;  /* argv[0] is the compiler driver */
}

/* Whether the object at path is go.o, which nothing hashes (see gr_ldtrace_report). */
static bool
ldt_is_go_o(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, "go.o");
}

bool
gr_ldtrace_step(void *ctx)
{
	struct gr_ldtrace *t = ctx;

	while (t->argv && t->next < t->argv->n) {
		const char *a = t->argv->v[t->next], *prev = t->argv->v[t->next - 1];
		size_t l = strlen(a);
		struct gr_ldtrace_pre *p;
		t->next++;
		if (a[0] == '-' || l < 3 || strcmp(a + l - 2, ".o") || !strcmp(prev, "-o") || ldt_is_go_o(a) ||
		    !ldt_is_file(a) || ldt_kind(a) != 0)
			continue;
		if (t->npre == t->cpre) {
			size_t c = t->cpre ? 2 * t->cpre : 32;
			struct gr_ldtrace_pre *v = realloc(t->pre, c * sizeof(*v));
			if (!v)
				return false;  /* the report does it all */
			t->pre = v;
			t->cpre = c;
		}
		p = &t->pre[t->npre];
		if (!(p->path = strdup(a)))
			return false;
		if (gr_gocache_sha256_file(a, p->hex) != 0)
			p->hex[0] = '\0';
		p->source = NULL;
		if (t->modules && t->modules->n && (p->source = gr_modgraph_object_source(a)) &&
		    !(strlen(p->source) > 3 && !strcmp(p->source + strlen(p->source) - 3, ".go"))) {
			const char *rel = NULL;
			(void)gr_modgraph_match_in(t->modules, p->source, &rel, &t->names);  /* walks the trees */
		}
		t->npre++;
		return true;
	}
	return false;
}

/* The overlapped work's answers for path, or NULL. */
static const struct gr_ldtrace_pre *
ldt_pre(const struct gr_ldtrace *t, const char *path)
{
	size_t i;

	for (i = 0; i < t->npre; i++)
		if (!strcmp(t->pre[i].path, path))
			return &t->pre[i];
	return NULL;
}

int
gr_ldtrace_report(struct gr_ldtrace *t, const struct gr_strvec *modules, struct gr_link_report *rep)
{
	static const char *const kinds[] = { "object", "member", "shared" };
	char how[64];
	size_t i;
	int rc = GR_OK;

	if (t->oom)
		return GR_ENOMEM;  /* a manifest missing inputs would say less than the truth */
	snprintf(how, sizeof(how), "%s %s %s", t->linker, t->map ? "map" : "trace", GR_LDTRACE_VERSION);
	if (gr_link_report_set_traced(rep, how))
		return GR_ENOMEM;
	rep->nloaded = 0;  /* the last link's */
	for (i = 0; i < t->n && rc == GR_OK; i++) {
		const struct gr_ldtrace_input *in = &t->v[i];
		struct gr_rec_loaded x = { kinds[in->kind], in->path, in->member, NULL, NULL, NULL };
		char hex[65], *src = NULL;
		if (in->kind == GR_MANIFEST_OBJECT) {
			/* hashed while the link ran (gr_ldtrace_step), else now: the same bytes */
			const struct gr_ldtrace_pre *p = ldt_pre(t, in->path);
			/* cmd/link's go.o (megabytes: hashing it would cost more than the
			 * manifest's whole budget) is described by the Go build info */
			if (p && p->hex[0])
				x.sha256 = p->hex;
			else if (!ldt_is_go_o(in->path) && gr_gocache_sha256_file(in->path, hex) == 0)
				x.sha256 = hex;
			/* C code compiled from a Go module (cgo's numbered objects) */
			if (p && modules == t->modules)
				src = p->source ? strdup(p->source) : NULL;
			else if (modules && modules->n)
				src = gr_modgraph_object_source(in->path);
			if (modules && modules->n && src &&
			    !(strlen(src) > 3 && !strcmp(src + strlen(src) - 3, ".go"))) {  /* cmd/link's go.o */
				const char *rel = NULL;
				long at = gr_modgraph_match_in(modules, src, &rel, &t->names);
				if (at >= 0) {
					x.module = modules->v[at];
					x.source = rel ? rel : src;
				}
			}
		}
		if (gr_link_report_add_loaded(rep, &x))
			rc = GR_ENOMEM;
		free(src);
	}
	return rc;
}

void
gr_ldtrace_deinit(struct gr_ldtrace *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].member);
	}
	free(t->v);
	free(t->slot);
	for (i = 0; i < t->npre; i++) {
		free(t->pre[i].path);
		free(t->pre[i].source);
	}
	free(t->pre);
	gr_modgraph_names_deinit(&t->names);
	if (t->map) {
		unlink(t->map);
		free(t->map);
	}
	memset(t, 0, sizeof(*t));
}
