#include "gr_stub.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bfd.h>

#include "gr_file.h"
#include "gr_hash.h"
#include "gr_ldsearch.h"
#include "gr_spawn.h"
#include "gr_symindex.h"

#define GR_STUB_MAXHEADER (8u << 20)  /* a header larger than this is not read */

const char *
gr_stub_ret_name(enum gr_stub_ret r)
{
	switch (r) {
	case GR_STUB_RET_INT: return "int";
	case GR_STUB_RET_PTR: return "pointer";
	case GR_STUB_RET_VOID: return "void";
	case GR_STUB_RET_UNKNOWN: break;
	}
	return "unknown";
}

/* ---- the prototype scanner ------------------------------------------------ */

static bool
gr_st_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool
gr_st_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* A copy of text (len bytes) with comments, string and character literals and
 * preprocessor lines blanked to spaces (same length, NUL-terminated). */
static char *
gr_st_clean(const char *text, size_t len)
{
	char *c = malloc(len + 1);
	size_t i = 0;
	bool bol = true;  /* only blanks since the line began */

	if (!c)
		return NULL;
	memcpy(c, text, len);
	c[len] = '\0';
	while (i < len) {
		char ch = c[i];
		if (ch == '\n') {
			bol = true;
			i++;
			continue;
		}
		if (ch == '/' && i + 1 < len && c[i + 1] == '*') {
			size_t j = i + 2;
			while (j + 1 < len && !(c[j] == '*' && c[j + 1] == '/'))
				j++;
			j = j + 1 < len ? j + 2 : len;
			for (; i < j; i++)
				if (c[i] != '\n')
					c[i] = ' ';
			continue;
		}
		if (ch == '/' && i + 1 < len && c[i + 1] == '/') {
			while (i < len && c[i] != '\n')
				c[i++] = ' ';
			continue;
		}
		if (ch == '#' && bol) {
			/* A preprocessor line, with its backslash continuations. */
			while (i < len && !(c[i] == '\n' && (i == 0 || text[i - 1] != '\\'))) {
				if (c[i] != '\n')
					c[i] = ' ';
				i++;
			}
			continue;
		}
		if (ch == '"' || ch == '\'') {
			char q = ch;
			c[i++] = ' ';
			while (i < len && c[i] != q && c[i] != '\n') {
				if (c[i] == '\\' && i + 1 < len && c[i + 1] != '\n')
					c[i++] = ' ';
				c[i++] = ' ';
			}
			if (i < len && c[i] == q)
				c[i++] = ' ';
			bol = false;
			continue;
		}
		if (!isspace((unsigned char)ch))
			bol = false;
		i++;
	}
	return c;
}

/* Whether w (l bytes) is one of the n words. */
static bool
gr_st_word_in(const char *w, size_t l, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(words[i]) == l && !memcmp(words[i], w, l))
			return true;
	return false;
}

/* A word that makes the text before a name no declaration. */
static bool
gr_st_statement_word(const char *w, size_t l)
{
	static const char *const words[] = { "return", "if", "while", "for", "switch", "case", "else", "do",
	                                     "sizeof", "goto", "typedef", "default", "break", "continue" };

	return gr_st_word_in(w, l, words, sizeof(words) / sizeof(*words));
}

/* A word dropped from a return type: storage classes, qualifiers, inline. */
static bool
gr_st_dropped_word(const char *w, size_t l)
{
	static const char *const words[] = { "extern", "static", "inline", "const", "volatile", "restrict",
	                                     "register", "auto", "_Noreturn", "noreturn", "__inline",
	                                     "__inline__", "__extension__", "__restrict", "__const" };

	return gr_st_word_in(w, l, words, sizeof(words) / sizeof(*words));
}

/* An attribute macro: __attribute__, _sd_public_, __THROW, __wur, DBUS_EXPORT,
 * G_GNUC_CONST: starting with '_' (not C's _Bool or _Complex), or all capitals
 * and digits with a '_'. */
static bool
gr_st_attribute_word(const char *w, size_t l)
{
	size_t i;
	bool under = false;

	if (w[0] == '_')
		return !(l == 5 && !memcmp(w, "_Bool", 5)) && !(l == 8 && !memcmp(w, "_Complex", 8)) &&
		       !(l == 10 && !memcmp(w, "_Imaginary", 10)) && !(l == 7 && !memcmp(w, "_Atomic", 7));
	for (i = 0; i < l; i++) {
		if (w[i] == '_')
			under = true;
		else if (!isupper((unsigned char)w[i]) && !isdigit((unsigned char)w[i]))
			return false;
	}
	return under;
}

/* Whether the return type words (space-separated) are a signed integer type. */
static bool
gr_st_signed(const char *words)
{
	static const char *const typedefs[] = { "ssize_t", "off_t", "off64_t", "pid_t", "int8_t", "int16_t",
	                                        "int32_t", "int64_t", "intptr_t", "intmax_t", "ptrdiff_t",
	                                        "time_t", "int_least8_t", "int_least16_t", "int_least32_t",
	                                        "int_least64_t", "int_fast8_t", "int_fast16_t", "int_fast32_t",
	                                        "int_fast64_t", "suseconds_t", "id_t" };
	const char *p = words;
	bool any = false, sign = false, chr = false;
	size_t i;

	for (i = 0; i < sizeof(typedefs) / sizeof(*typedefs); i++)
		if (!strcmp(words, typedefs[i]))
			return true;
	while (*p) {
		size_t l = strcspn(p, " ");
		if ((l == 3 && !memcmp(p, "int", 3)) || (l == 4 && !memcmp(p, "long", 4)) ||
		    (l == 5 && !memcmp(p, "short", 5)))
			any = true;
		else if (l == 6 && !memcmp(p, "signed", 6))
			any = sign = true;
		else if (l == 4 && !memcmp(p, "char", 4))
			chr = true;
		else
			return false;
		p += l;
		while (*p == ' ')
			p++;
	}
	/* A plain char may be unsigned: only "signed char" is known to hold -1. */
	return any && (!chr || sign);
}

/* Classify the declaration whose name starts at c[at], the segment before it
 * starting at c[from]: false when it is no declaration. */
static bool
gr_st_classify(const char *c, size_t from, size_t at, enum gr_stub_ret *ret, char *type, size_t typesz)
{
	char words[512];
	size_t i = from, wl = 0, stars = 0;

	words[0] = '\0';
	while (i < at) {
		unsigned char ch = (unsigned char)c[i];
		if (isspace(ch)) {
			i++;
			continue;
		}
		if (ch == '*') {
			stars++;
			i++;
			continue;
		}
		if (gr_st_ident_start(ch)) {
			size_t s = i, l;
			while (i < at && gr_st_ident((unsigned char)c[i]))
				i++;
			l = i - s;
			if (gr_st_statement_word(c + s, l))
				return false;
			if (gr_st_attribute_word(c + s, l)) {
				/* Its arguments, if any: a balanced group. */
				size_t j = i;
				while (j < at && isspace((unsigned char)c[j]))
					j++;
				if (j < at && c[j] == '(') {
					int depth = 0;
					for (; j < at; j++) {
						if (c[j] == '(')
							depth++;
						else if (c[j] == ')' && --depth == 0)
							break;
					}
					if (j >= at)
						return false;
					i = j + 1;
				}
				continue;
			}
			if (gr_st_dropped_word(c + s, l))
				continue;
			if (wl + l + 2 >= sizeof(words))
				return false;
			if (wl)
				words[wl++] = ' ';
			memcpy(words + wl, c + s, l);
			wl += l;
			words[wl] = '\0';
			continue;
		}
		return false;  /* '(' without an attribute, '=', ',', ...: no declaration */
	}
	if (!wl)
		return false;  /* "name(...)" alone: a call, or an old-style declaration */
	if (stars) {
		*ret = GR_STUB_RET_PTR;
		snprintf(type, typesz, "void *");
	} else if (!strcmp(words, "void")) {
		*ret = GR_STUB_RET_VOID;
		snprintf(type, typesz, "void");
	} else {
		*ret = gr_st_signed(words) ? GR_STUB_RET_INT : GR_STUB_RET_UNKNOWN;
		snprintf(type, typesz, "%s", words);
	}
	return true;
}

bool
gr_stub_proto_find(const char *text, size_t len, const char *name, enum gr_stub_ret *ret, char *type,
                   size_t typesz)
{
	size_t nl = strlen(name), i;
	char *c;
	bool found = false;

	*ret = GR_STUB_RET_UNKNOWN;
	if (typesz)
		type[0] = '\0';
	if (!nl || !(c = gr_st_clean(text, len)))
		return false;
	for (i = 0; !found && i + nl <= len; i++) {
		size_t j, from;
		if (c[i] != name[0] || memcmp(c + i, name, nl) != 0)
			continue;
		if ((i > 0 && gr_st_ident((unsigned char)c[i - 1])) || (i + nl < len && gr_st_ident((unsigned char)c[i + nl])))
			continue;
		for (j = i + nl; j < len && isspace((unsigned char)c[j]); j++)
			;
		if (j >= len || c[j] != '(')
			continue;
		/* The statement starts after the last ';', '{' or '}'. */
		for (from = i; from > 0 && c[from - 1] != ';' && c[from - 1] != '{' && c[from - 1] != '}'; from--)
			;
		found = gr_st_classify(c, from, i, ret, type, typesz);
	}
	free(c);
	return found;
}

/* ---- symbol selection ----------------------------------------------------- */

/* A set of strings (not owned), each with an index: open addressing. */
struct gr_st_set {
	const char **keys;
	size_t *vals;
	size_t cap, n;
};

/* Where key is, or the empty slot it would go in. */
static size_t
gr_st_slot(const struct gr_st_set *s, const char *key)
{
	size_t i = (size_t)gr_hash_str(key) & (s->cap - 1);

	while (s->keys[i] && strcmp(s->keys[i], key) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool
gr_st_get(const struct gr_st_set *s, const char *key, size_t *val)
{
	size_t i;

	if (!s->cap)
		return false;
	i = gr_st_slot(s, key);
	if (!s->keys[i])
		return false;
	if (val)
		*val = s->vals[i];
	return true;
}

/* Add key with val unless present; false when out of memory. */
static bool
gr_st_put(struct gr_st_set *s, const char *key, size_t val)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024, k;
		struct gr_st_set g = { calloc(ncap, sizeof(char *)), calloc(ncap, sizeof(size_t)), ncap, s->n };
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return false;
		}
		for (k = 0; k < s->cap; k++)
			if (s->keys[k]) {
				size_t j = gr_st_slot(&g, s->keys[k]);
				g.keys[j] = s->keys[k];
				g.vals[j] = s->vals[k];
			}
		free(s->keys);
		free(s->vals);
		*s = g;
	}
	i = gr_st_slot(s, key);
	if (!s->keys[i]) {
		s->keys[i] = key;
		s->vals[i] = val;
		s->n++;
	}
	return true;
}

static void
gr_st_set_free(struct gr_st_set *s)
{
	free(s->keys);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}

static int
gr_st_need_cmp(const void *x, const void *y)
{
	return strcmp(((const struct gr_stub_need *)x)->sym, ((const struct gr_stub_need *)y)->sym);
}

struct gr_st_sel {
	struct gr_st_set def, und;     /* und: index into refs */
	struct gr_stub_need *refs;     /* every symbol referred to, with its callers */
	size_t nrefs, caprefs;
	size_t *ccap;                  /* capacity of each refs[i].callers */
	struct gr_arena *arena;
};

/* Link unit u: its definitions and references join the sets. */
static bool
gr_st_pull(struct gr_st_sel *s, const struct gr_stub_unit *u)
{
	size_t i, k;

	for (i = 0; i < u->ndefs; i++)
		if (!gr_st_put(&s->def, u->defs[i], 0))
			return false;
	for (i = 0; i < u->nundefs; i++) {
		struct gr_stub_need *r;
		if (!gr_st_get(&s->und, u->undefs[i], &k)) {
			if (s->nrefs == s->caprefs) {
				size_t ncap = s->caprefs ? s->caprefs * 2 : 256;
				struct gr_stub_need *g = realloc(s->refs, ncap * sizeof(*g));
				size_t *c = realloc(s->ccap, ncap * sizeof(*c));
				if (g)
					s->refs = g;
				if (c)
					s->ccap = c;
				if (!g || !c)
					return false;
				s->caprefs = ncap;
			}
			k = s->nrefs++;
			s->refs[k] = (struct gr_stub_need){ u->undefs[i], NULL, 0 };
			s->ccap[k] = 0;
			if (!gr_st_put(&s->und, u->undefs[i], k))
				return false;
		}
		r = &s->refs[k];
		if (r->ncallers && !strcmp(r->callers[r->ncallers - 1], u->label))
			continue;
		if (!gr_arena_grow(s->arena, (void **)&r->callers, r->ncallers, &s->ccap[k], sizeof(*r->callers)))
			return false;
		r->callers[r->ncallers++] = u->label;
	}
	return true;
}

int
gr_stub_select(const struct gr_stub_unit *units, size_t n, struct gr_stub_needs **out, struct gr_error *err)
{
	struct gr_stub_needs *nd = calloc(1, sizeof(*nd));
	struct gr_st_sel s;
	bool *pulled = calloc(n + 1, sizeof(bool)), changed = true, ok = true;
	size_t i, k;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if (!nd || !pulled) {
		free(nd);
		free(pulled);
		return gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
	}
	gr_arena_init(&nd->arena);
	s.arena = &nd->arena;
	for (i = 0; i < n && ok; i++)
		if (!units[i].member) {
			pulled[i] = true;
			ok = gr_st_pull(&s, &units[i]);
		}
	while (changed && ok) {
		changed = false;
		for (i = 0; i < n && ok; i++) {
			bool wanted = false;
			if (pulled[i])
				continue;
			for (k = 0; k < units[i].ndefs && !wanted; k++)
				wanted = gr_st_get(&s.und, units[i].defs[k], NULL) && !gr_st_get(&s.def, units[i].defs[k], NULL);
			if (wanted) {
				pulled[i] = changed = true;
				ok = gr_st_pull(&s, &units[i]);
			}
		}
	}
	for (i = 0; i < s.nrefs && ok; i++) {
		struct gr_stub_need c = s.refs[i];
		if (gr_st_get(&s.def, c.sym, NULL))
			continue;
		if (!(c.sym = gr_arena_strdup(&nd->arena, c.sym)) ||
		    !gr_arena_grow(&nd->arena, (void **)&nd->v, nd->n, &nd->cap, sizeof(*nd->v))) {
			ok = false;
			break;
		}
		for (k = 0; k < c.ncallers && ok; k++)
			ok = (c.callers[k] = gr_arena_strdup(&nd->arena, c.callers[k])) != NULL;
		nd->v[nd->n++] = c;
	}
	free(pulled);
	free(s.refs);
	free(s.ccap);
	gr_st_set_free(&s.def);
	gr_st_set_free(&s.und);
	if (!ok) {
		gr_stub_needs_free(nd);
		return gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
	}
	if (nd->n)
		qsort(nd->v, nd->n, sizeof(*nd->v), gr_st_need_cmp);
	*out = nd;
	return GR_OK;
}

const struct gr_stub_need *
gr_stub_needs_find(const struct gr_stub_needs *nd, const char *sym)
{
	struct gr_stub_need key = { sym, NULL, 0 };

	if (!nd || !nd->n)
		return NULL;
	return bsearch(&key, nd->v, nd->n, sizeof(*nd->v), gr_st_need_cmp);
}

void
gr_stub_needs_free(struct gr_stub_needs *nd)
{
	if (!nd)
		return;
	gr_arena_deinit(&nd->arena);
	free(nd);
}

/* ---- reading inputs with libbfd ------------------------------------------- */

static void
gr_st_bfd_quiet(const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
}

static void
gr_st_bfd_init(void)
{
	static bool ready;

	if (!ready) {
		bfd_init();
		bfd_set_error_handler(gr_st_bfd_quiet);
		ready = true;
	}
}

struct gr_st_units {
	struct gr_arena arena;
	struct gr_stub_unit *v;
	size_t n, cap;
};

/* The unit of one object bfd (its symbol table); false when out of memory. */
static bool
gr_st_read_object(struct gr_st_units *us, bfd *b, const char *label, bool member)
{
	long size, n, i;
	asymbol **syms;
	const char **defs, **undefs;
	size_t nd = 0, nu = 0;
	struct gr_stub_unit *u;

	if ((size = bfd_get_symtab_upper_bound(b)) <= 0)
		return true;  /* no symbols: nothing to add */
	if (!(syms = malloc((size_t)size)))
		return false;
	n = bfd_canonicalize_symtab(b, syms);
	if (n <= 0) {
		free(syms);
		return true;
	}
	defs = gr_arena_alloc(&us->arena, (size_t)n * sizeof(*defs));
	undefs = gr_arena_alloc(&us->arena, (size_t)n * sizeof(*undefs));
	if (!defs || !undefs) {
		free(syms);
		return false;
	}
	for (i = 0; i < n; i++) {
		const char *name = bfd_asymbol_name(syms[i]);
		asection *sec = bfd_asymbol_section(syms[i]);
		flagword f = syms[i]->flags;
		const char *copy;
		if (!name || !*name || !sec)
			continue;
		if (bfd_is_und_section(sec)) {
			if (f & BSF_WEAK)
				continue;  /* a weak reference does not fail the link */
			if (!(copy = gr_arena_strdup(&us->arena, name)))
				goto nomem;
			undefs[nu++] = copy;
		} else if (bfd_is_com_section(sec) || (f & (BSF_GLOBAL | BSF_WEAK | BSF_GNU_UNIQUE))) {
			if (!(copy = gr_arena_strdup(&us->arena, name)))
				goto nomem;
			defs[nd++] = copy;
		}
	}
	free(syms);
	if (!gr_arena_grow(&us->arena, (void **)&us->v, us->n, &us->cap, sizeof(*us->v)))
		return false;
	u = &us->v[us->n++];
	u->label = gr_arena_strdup(&us->arena, label);
	u->member = member;
	u->defs = defs;
	u->ndefs = nd;
	u->undefs = undefs;
	u->nundefs = nu;
	return u->label != NULL;
nomem:
	free(syms);
	return false;
}

/* The units of the file at path: an object, or each member of an archive. */
static bool
gr_st_read_file(struct gr_st_units *us, const char *path)
{
	bfd *b, *m, *next;
	bool ok = true;

	if (!(b = bfd_openr(path, NULL)))
		return true;
	if (bfd_check_format(b, bfd_archive)) {
		/* As nm walks an archive: each member is closed once the next is open. */
		for (m = bfd_openr_next_archived_file(b, NULL); m && ok; m = next) {
			char label[8192];
			snprintf(label, sizeof(label), "%s(%s)", path, bfd_get_filename(m));
			if (bfd_check_format(m, bfd_object))
				ok = gr_st_read_object(us, m, label, true);
			next = ok ? bfd_openr_next_archived_file(b, m) : NULL;
			bfd_close(m);
		}
	} else if (bfd_check_format(b, bfd_object) && (bfd_get_file_flags(b) & DYNAMIC) == 0) {
		ok = gr_st_read_object(us, b, path, false);
	}
	bfd_close(b);
	return ok;
}

int
gr_stub_undefined(const char *const *paths, size_t n, struct gr_stub_needs **out, struct gr_error *err)
{
	struct gr_st_units us;
	size_t i;
	int rc;

	*out = NULL;
	memset(&us, 0, sizeof(us));
	gr_arena_init(&us.arena);
	gr_st_bfd_init();
	for (i = 0; i < n; i++)
		if (!gr_st_read_file(&us, paths[i])) {
			gr_arena_deinit(&us.arena);
			return gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory reading %s", paths[i]);
		}
	rc = gr_stub_select(us.v, us.n, out, err);
	gr_arena_deinit(&us.arena);
	return rc;
}

int
gr_stub_exports(const char *path, struct gr_strvec *funcs, struct gr_strvec *data, struct gr_error *err)
{
	bfd *b;
	long size, n, i;
	asymbol **dyn;
	int rc = GR_OK;

	gr_st_bfd_init();
	if (!(b = bfd_openr(path, NULL)))
		return gr_error_set(err, GR_EIO, errno, "%s: cannot be opened", path);
	if (!bfd_check_format(b, bfd_object) || !(bfd_get_file_flags(b) & DYNAMIC) ||
	    (size = bfd_get_dynamic_symtab_upper_bound(b)) <= 0) {
		bfd_close(b);
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not a shared library with a dynamic symbol table", path);
	}
	if (!(dyn = malloc((size_t)size))) {
		bfd_close(b);
		return gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
	}
	n = bfd_canonicalize_dynamic_symtab(b, dyn);
	for (i = 0; i < n && !rc; i++) {
		const char *name = bfd_asymbol_name(dyn[i]);
		asection *sec = bfd_asymbol_section(dyn[i]);
		flagword f = dyn[i]->flags;
		if (!name || !*name || !sec || bfd_is_und_section(sec) || !(f & (BSF_GLOBAL | BSF_WEAK | BSF_GNU_UNIQUE)))
			continue;
		if ((f & (BSF_FUNCTION | BSF_GNU_INDIRECT_FUNCTION)) && !(f & BSF_THREAD_LOCAL))
			rc = gr_strvec_push(funcs, name);
		else
			rc = gr_strvec_push(data, name);
	}
	free(dyn);
	bfd_close(b);
	return rc ? gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory") : GR_OK;
}

/* ---- the plan ------------------------------------------------------------- */

static int
gr_st_strcmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool
gr_st_in(const struct gr_strvec *sorted, const char *s)
{
	return sorted->n && bsearch(&s, sorted->v, sorted->n, sizeof(*sorted->v), gr_st_strcmp);
}

/* libNAME's shared library along dirs, as -lNAME finds it in dynamic mode
 * (libNAME.so, else the run-time libNAME.so.N), whose dynamic symbols read. */
static bool
gr_st_shared(const struct gr_stub_req *rq, const char *name, char *buf, size_t n, struct gr_strvec *funcs,
             struct gr_strvec *data, struct gr_error *err, int *rc)
{
	char stem[512];
	size_t i;

	*rc = GR_OK;
	snprintf(stem, sizeof(stem), "lib%s", name);
	for (i = 0; i < rq->ndirs; i++) {
		struct gr_error e;
		int r;
		snprintf(buf, n, "%s/%s.so", rq->dirs[i], stem);
		/* A libNAME.so that is a linker script (libc.so) tells nothing: its run-time file does. */
		if (access(buf, R_OK) == 0 && (r = gr_stub_exports(buf, funcs, data, &e)) != GR_ENOTBIN) {
			if (r)
				*rc = gr_error_set(err, r, e.sys_errno, "%s", e.msg);
			return r == GR_OK;
		}
		if (gr_ldsearch_runtime_in_dir(rq->dirs[i], stem, buf, n) &&
		    (r = gr_stub_exports(buf, funcs, data, &e)) != GR_ENOTBIN) {
			if (r)
				*rc = gr_error_set(err, r, e.sys_errno, "%s", e.msg);
			return r == GR_OK;
		}
	}
	return false;
}

/* Add the -I directories pkg-config gives for pkg (and its includedir) to dirs. */
static void
gr_st_pkgconfig_dirs(const char *pkg, struct gr_strvec *dirs)
{
	static const char *const how[2] = { "--cflags-only-I", "--variable=includedir" };
	size_t k;

	for (k = 0; k < 2; k++) {
		struct gr_strvec av;
		struct gr_spawn_result res;
		struct gr_error e;
		char *p, *save = NULL;
		int rc;
		gr_strvec_init(&av);
		if (gr_strvec_push(&av, "pkg-config") || gr_strvec_push(&av, how[k]) || gr_strvec_push(&av, pkg)) {
			gr_strvec_deinit(&av);
			return;
		}
		rc = gr_spawn_capture(gr_strvec_argv(&av), NULL, &res, &e);
		gr_strvec_deinit(&av);
		if (rc != GR_OK)
			return;
		if (gr_spawn_ok(&res) && res.out)
			for (p = strtok_r(res.out, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save)) {
				const char *d = k == 0 ? (strncmp(p, "-I", 2) ? NULL : p + 2) : p;
				if (d && *d == '/')
					(void)gr_strvec_push(dirs, d);
			}
		gr_spawn_result_free(&res);
	}
}

/* Add dir/NAME to out for each entry NAME of dir that is a *.h name (headers)
 * or a subdirectory not starting with '.' (!headers); the added ones sorted,
 * so that the answer is the same everywhere. */
static void
gr_st_list(const char *dir, bool headers, struct gr_strvec *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t from = out->n;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[8192];
		struct stat st;
		size_t l = strlen(de->d_name);
		if (headers ? !(l > 2 && !strcmp(de->d_name + l - 2, ".h")) : de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (headers || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
			(void)gr_strvec_push(out, path);
	}
	closedir(d);
	if (out->n > from)
		qsort(out->v + from, out->n - from, sizeof(*out->v), gr_st_strcmp);
}

/* The headers that may declare libNAME's functions: in the include
 * directories (given, else pkg-config's for libNAME or NAME, and
 * /usr/include), their *.h; in a directory pkg-config named, also one level
 * below; in the others, below only in NAME/, libNAME/ and NAME without its
 * version (dbus-1 -> dbus). */
static void
gr_st_headers(const struct gr_stub_req *rq, const char *name, struct gr_strvec *files, struct gr_strvec *where)
{
	struct gr_strvec dirs;
	size_t i, j, given;
	char lib[512], bare[512];

	gr_strvec_init(&dirs);
	for (i = 0; i < rq->ninclude_dirs; i++)
		(void)gr_strvec_push(&dirs, rq->include_dirs[i]);
	if (!rq->include_dirs) {
		snprintf(lib, sizeof(lib), "lib%s", name);
		gr_st_pkgconfig_dirs(lib, &dirs);
		gr_st_pkgconfig_dirs(name, &dirs);
	}
	given = dirs.n;
	if (!rq->include_dirs)
		(void)gr_strvec_push(&dirs, "/usr/include");
	snprintf(lib, sizeof(lib), "lib%s", name);
	snprintf(bare, sizeof(bare), "%s", name);
	for (j = strlen(bare); j > 0 && (isdigit((unsigned char)bare[j - 1]) || bare[j - 1] == '-' || bare[j - 1] == '.'); j--)
		bare[j - 1] = '\0';
	for (i = 0; i < dirs.n; i++) {
		bool dup = false;
		for (j = 0; j < i && !dup; j++)
			dup = !strcmp(dirs.v[j], dirs.v[i]);
		if (dup)
			continue;
		(void)gr_strvec_push(where, dirs.v[i]);
		gr_st_list(dirs.v[i], true, files);
		if (i < given && strcmp(dirs.v[i], "/usr/include") != 0) {
			struct gr_strvec sub;
			gr_strvec_init(&sub);
			gr_st_list(dirs.v[i], false, &sub);
			for (j = 0; j < sub.n; j++)
				gr_st_list(sub.v[j], true, files);
			gr_strvec_deinit(&sub);
		} else {
			const char *subs[3] = { name, lib, bare };
			for (j = 0; j < 3; j++) {
				char path[8192];
				if (!*subs[j] || (j == 2 && !strcmp(bare, name)))
					continue;
				snprintf(path, sizeof(path), "%s/%s", dirs.v[i], subs[j]);
				gr_st_list(path, true, files);
			}
		}
	}
	gr_strvec_deinit(&dirs);
}

static bool
gr_st_c_identifier(const char *s)
{
	if (!gr_st_ident_start((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!gr_st_ident((unsigned char)*s))
			return false;
	return true;
}

/* Add a function entry to p. */
static bool
gr_st_add(struct gr_stub_plan *p, const char *lib, const char *sym, enum gr_stub_ret ret, const char *type,
          const char *why, const struct gr_stub_need *need)
{
	struct gr_stub_fn f;

	if (!gr_arena_grow(&p->arena, (void **)&p->fns, p->nfns, &p->cap, sizeof(*p->fns)))
		return false;
	f.lib = gr_arena_strdup(&p->arena, lib);
	f.sym = gr_arena_strdup(&p->arena, sym);
	f.ret = ret;
	f.type = gr_arena_strdup(&p->arena, type ? type : "");
	f.why = why ? gr_arena_strdup(&p->arena, why) : NULL;
	f.callers = need->callers;  /* owned by the needs, copied below */
	f.ncallers = need->ncallers;
	if (f.ncallers) {
		const char **c = gr_arena_alloc(&p->arena, f.ncallers * sizeof(*c));
		size_t i;
		if (!c)
			return false;
		for (i = 0; i < f.ncallers; i++)
			if (!(c[i] = gr_arena_strdup(&p->arena, need->callers[i])))
				return false;
		f.callers = c;
	}
	if (!f.lib || !f.sym || !f.type || (why && !f.why))
		return false;
	p->fns[p->nfns++] = f;
	if (why)
		p->nrefused++;
	return true;
}

/* The return kinds of one library's candidates, from its headers. */
static int
gr_st_prototypes(const struct gr_stub_req *rq, struct gr_stub_plan *p, size_t first, struct gr_error *err)
{
	struct gr_strvec files, where;
	size_t i, k;
	int rc = GR_OK;

	gr_strvec_init(&files);
	gr_strvec_init(&where);
	gr_st_headers(rq, p->fns[first].lib, &files, &where);
	for (i = 0; i < files.n; i++) {
		FILE *f = fopen(files.v[i], "r");
		char *text = NULL;
		size_t len = 0;
		if (!f)
			continue;
		if (gr_file_read_all(f, GR_STUB_MAXHEADER, &text, &len) != GR_OK)
			text = NULL;
		fclose(f);
		for (k = first; text && k < p->nfns; k++) {
			struct gr_stub_fn *fn = &p->fns[k];
			enum gr_stub_ret ret;
			char type[512];
			if (fn->why || fn->type[0] || !strstr(text, fn->sym))
				continue;
			if (gr_stub_proto_find(text, len, fn->sym, &ret, type, sizeof(type))) {
				fn->ret = ret;
				if (!(fn->type = gr_arena_strdup(&p->arena, type)))
					rc = GR_ENOMEM;
				if (ret == GR_STUB_RET_UNKNOWN &&
				    !(fn->why = gr_arena_printf(&p->arena, "returns %s (%s): no failure value known", type,
				                                files.v[i])))
					rc = GR_ENOMEM;
			}
		}
		free(text);
	}
	for (k = first; k < p->nfns && !rc; k++) {
		struct gr_stub_fn *fn = &p->fns[k];
		if (!fn->why && !fn->type[0]) {
			char list[1024] = "";
			for (i = 0; i < where.n; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", where.v[i]);
			if (!(fn->why = gr_arena_printf(&p->arena, "no prototype found in the headers under %s", list)))
				rc = GR_ENOMEM;
		}
		if (fn->why)
			p->nrefused++;
	}
	gr_strvec_deinit(&files);
	gr_strvec_deinit(&where);
	return rc ? gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory") : GR_OK;
}

int
gr_stub_plan(const struct gr_stub_req *rq, struct gr_stub_plan **out, struct gr_error *err)
{
	struct gr_stub_plan *p = calloc(1, sizeof(*p));
	struct gr_stub_needs *nd = NULL;
	struct gr_symindex *ix = NULL;
	struct gr_symindex_stats st;
	struct gr_strvec taken;
	size_t li, i;
	int rc;

	*out = NULL;
	if (!p)
		return gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
	gr_arena_init(&p->arena);
	gr_strvec_init(&taken);
	p->libs = gr_arena_alloc(&p->arena, (rq->nlibs + 1) * sizeof(*p->libs));
	p->shared = gr_arena_alloc(&p->arena, (rq->nlibs + 1) * sizeof(*p->shared));
	p->archives = gr_arena_alloc(&p->arena, (rq->nlibs + 1) * sizeof(*p->archives));
	if (!p->libs || !p->shared || !p->archives) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
		goto out;
	}
	if ((rc = gr_stub_undefined(rq->inputs, rq->ninputs, &nd, err)))
		goto out;
	/* "No archive provides it": an archive in the search path defines it (libc's own). */
	if ((rc = gr_symindex_build(rq->env, rq->dirs, rq->ndirs, &ix, &st, err)))
		goto out;
	for (li = 0; li < rq->nlibs && !rc; li++) {
		struct gr_strvec funcs, data;
		char so[8192];
		size_t first = p->nfns;
		gr_strvec_init(&funcs);
		gr_strvec_init(&data);
		if (!gr_st_shared(rq, rq->libs[li], so, sizeof(so), &funcs, &data, err, &rc)) {
			if (!rc)
				rc = gr_error_set(err, GR_ENOTFOUND, 0,
				                  "--stub %s: no lib%s.so or lib%s.so.N in the linker's search path: a stub is made from the shared library's symbol table",
				                  rq->libs[li], rq->libs[li], rq->libs[li]);
			gr_strvec_deinit(&funcs);
			gr_strvec_deinit(&data);
			break;
		}
		if (funcs.n)
			qsort(funcs.v, funcs.n, sizeof(*funcs.v), gr_st_strcmp);
		if (data.n)
			qsort(data.v, data.n, sizeof(*data.v), gr_st_strcmp);
		p->libs[p->nlibs] = gr_arena_strdup(&p->arena, rq->libs[li]);
		p->shared[p->nlibs] = gr_arena_strdup(&p->arena, so);
		p->archives[p->nlibs++] = NULL;
		for (i = 0; i < nd->n && !rc; i++) {
			const struct gr_stub_need *need = &nd->v[i];
			size_t nprov;
			bool isdata = gr_st_in(&data, need->sym), ok = true;
			char why[9000];
			if (gr_st_in(&taken, need->sym) || (!isdata && !gr_st_in(&funcs, need->sym)))
				continue;
			gr_symindex_lookup(ix, need->sym, &nprov);
			if (nprov)
				continue;
			if (isdata) {
				snprintf(why, sizeof(why), "a data symbol in %s: a stub can only stand in for functions", so);
				ok = gr_st_add(p, rq->libs[li], need->sym, GR_STUB_RET_UNKNOWN, "", why, need);
			} else if (!gr_st_c_identifier(need->sym)) {
				ok = gr_st_add(p, rq->libs[li], need->sym, GR_STUB_RET_UNKNOWN, "", "not a C identifier", need);
			} else {
				ok = gr_st_add(p, rq->libs[li], need->sym, GR_STUB_RET_UNKNOWN, "", NULL, need);
			}
			if (!ok || gr_strvec_push(&taken, need->sym))
				rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
			if (taken.n > 1)
				qsort(taken.v, taken.n, sizeof(*taken.v), gr_st_strcmp);
		}
		gr_strvec_deinit(&funcs);
		gr_strvec_deinit(&data);
		/* Refused ones were counted as added; the rest get their prototypes now. */
		if (!rc && p->nfns > first) {
			size_t k, before = 0;
			for (k = first; k < p->nfns; k++)
				before += p->fns[k].why != NULL;
			p->nrefused -= before;
			rc = gr_st_prototypes(rq, p, first, err);
		}
		if (!p->libs[p->nlibs - 1] || !p->shared[p->nlibs - 1])
			rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
	}
out:
	gr_strvec_deinit(&taken);
	gr_symindex_free(ix);
	gr_stub_needs_free(nd);
	if (rc) {
		gr_stub_plan_free(p);
		return rc;
	}
	*out = p;
	return GR_OK;
}

bool
gr_stub_source(const struct gr_stub_fn *f, char *buf, size_t n)
{
	int w;

	if (f->why)
		return false;
	switch (f->ret) {
	case GR_STUB_RET_INT:
		w = snprintf(buf, n,
		             "/* gorelink --stub %s: %s fails (the static build has no lib%s). */\n"
		             "#include <errno.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <sys/types.h>\n#include <time.h>\n"
		             "%s %s(void);\n%s %s(void) { errno = ENOSYS; return -1; }\n",
		             f->lib, f->sym, f->lib, f->type, f->sym, f->type, f->sym);
		break;
	case GR_STUB_RET_PTR:
		w = snprintf(buf, n,
		             "/* gorelink --stub %s: %s fails (the static build has no lib%s). */\n"
		             "#include <stddef.h>\nvoid *%s(void);\nvoid *%s(void) { return NULL; }\n",
		             f->lib, f->sym, f->lib, f->sym, f->sym);
		break;
	case GR_STUB_RET_VOID:
		w = snprintf(buf, n,
		             "/* gorelink --stub %s: %s does nothing (the static build has no lib%s). */\n"
		             "void %s(void);\nvoid %s(void) { }\n",
		             f->lib, f->sym, f->lib, f->sym, f->sym);
		break;
	default:
		return false;
	}
	return w > 0 && (size_t)w < n;
}

/* Run argv; its stderr into err when it fails. */
static int
gr_st_run(char *const *argv, struct gr_error *err)
{
	struct gr_spawn_result res;
	char how[128];
	int rc;

	if ((rc = gr_spawn_capture(argv, NULL, &res, err)))
		return rc;
	if (!gr_spawn_ok(&res)) {
		rc = gr_error_set(err, GR_EIO, 0, "stub: %s %s: %.400s", argv[0], gr_spawn_describe(&res, how, sizeof(how)),
		                  res.err ? res.err : "");
	}
	gr_spawn_result_free(&res);
	return rc;
}

int
gr_stub_build(const struct gr_env *env, const struct gr_strvec *cc, const char *dir, struct gr_stub_plan *plan,
              struct gr_error *err)
{
	size_t li, k;
	int rc = GR_OK;

	(void)env;  /* cc and ar are found through the process's PATH, as the link's compiler is */
	if (plan->nrefused)
		return gr_error_set(err, GR_EUSAGE, 0, "stub: %zu function%s refused", plan->nrefused,
		                    plan->nrefused == 1 ? "" : "s");
	for (li = 0; li < plan->nlibs && !rc; li++) {
		struct gr_strvec ar;
		char sub[8192], tmp[8400], final[8400];
		snprintf(sub, sizeof(sub), "%s/lib%s-stub", dir, plan->libs[li]);
		if (mkdir(sub, 0700) != 0 && errno != EEXIST)
			return gr_error_set(err, GR_EIO, errno, "%s: %s", sub, strerror(errno));
		snprintf(tmp, sizeof(tmp), "%s/lib%s-stub.a.tmp", dir, plan->libs[li]);
		snprintf(final, sizeof(final), "%s/lib%s-stub.a", dir, plan->libs[li]);
		unlink(tmp);
		gr_strvec_init(&ar);
		if (gr_strvec_push(&ar, "ar") || gr_strvec_push(&ar, "rcsD") || gr_strvec_push(&ar, tmp))
			rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
		for (k = 0; k < plan->nfns && !rc; k++) {
			const struct gr_stub_fn *f = &plan->fns[k];
			char src[8600], obj[8600], text[4096];
			struct gr_strvec cv;
			FILE *fp;
			if (strcmp(f->lib, plan->libs[li]) != 0)
				continue;
			snprintf(src, sizeof(src), "%s/%s.c", sub, f->sym);
			snprintf(obj, sizeof(obj), "%s/%s.o", sub, f->sym);
			if (!gr_stub_source(f, text, sizeof(text))) {
				rc = gr_error_set(err, GR_EUSAGE, 0, "stub: no source for %s", f->sym);
				break;
			}
			if (!(fp = fopen(src, "w")) || fputs(text, fp) < 0 || fclose(fp) != 0) {
				rc = gr_error_set(err, GR_EIO, errno, "%s: %s", src, strerror(errno));
				break;
			}
			gr_strvec_init(&cv);
			if (gr_strvec_extend(&cv, cc) || gr_strvec_push(&cv, "-c") || gr_strvec_push(&cv, "-O2") ||
			    gr_strvec_push(&cv, "-fPIC") || gr_strvec_push(&cv, "-w") || gr_strvec_push(&cv, "-o") ||
			    gr_strvec_push(&cv, obj) || gr_strvec_push(&cv, src) || gr_strvec_push(&ar, obj))
				rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
			else
				rc = gr_st_run(gr_strvec_argv(&cv), err);
			gr_strvec_deinit(&cv);
		}
		if (!rc)
			rc = gr_st_run(gr_strvec_argv(&ar), err);
		if (!rc && rename(tmp, final) != 0)
			rc = gr_error_set(err, GR_EIO, errno, "%s: %s", final, strerror(errno));
		if (!rc && !(plan->archives[li] = gr_arena_strdup(&plan->arena, final)))
			rc = gr_error_set(err, GR_ENOMEM, 0, "stub: out of memory");
		gr_strvec_deinit(&ar);
	}
	return rc;
}

void
gr_stub_plan_free(struct gr_stub_plan *p)
{
	if (!p)
		return;
	gr_arena_deinit(&p->arena);
	free(p);
}
