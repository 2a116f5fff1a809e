#include "gr_ldmsg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct gr_lp {
	struct gr_ldmsgs *m;
	size_t cap;
	bool nomem;
	char *ctx_ref, *ctx_fn;    /* GNU ld's "REF: in function `F':" context */
	char *lld_sym;             /* lld's and mold's "undefined symbol: S" block */
	char *pend_ref, *pend_fn;  /* its "referenced by" line, until the next says what it was */
	bool pend;
	char *mac_sym;             /* ld64's "\"S\", referenced from:" */
	bool in_mac;               /* inside ld64's "Undefined symbols" block */
};

/* An arena copy of s[0..n); NULL for an empty string or when memory runs out. */
static char *
gr_lp_dup(struct gr_lp *p, const char *s, size_t n)
{
	char *d;

	if (!n)
		return NULL;
	if (!(d = gr_arena_strndup(&p->m->arena, s, n)))
		p->nomem = true;
	return d;
}

/* The arena concatenation of a[0..an), b[0..bn) and c[0..cn). */
static char *
gr_lp_cat(struct gr_lp *p, const char *a, size_t an, const char *b, size_t bn, const char *c, size_t cn)
{
	char *r;

	if (!(r = gr_arena_alloc(&p->m->arena, an + bn + cn + 1))) {
		p->nomem = true;
		return NULL;
	}
	memcpy(r, a, an);
	memcpy(r + an, b, bn);
	memcpy(r + an + bn, c, cn);
	r[an + bn + cn] = '\0';
	return r;
}

/* "A(O)" in the arena: an archive member as GNU ld names it. */
static char *
gr_lp_member(struct gr_lp *p, const char *a, size_t an, const char *o, size_t on)
{
	char *r;

	if (!on)
		return gr_lp_dup(p, a, an);
	if (!an)
		return gr_lp_dup(p, o, on);
	if (!(r = gr_arena_alloc(&p->m->arena, an + on + 3))) {
		p->nomem = true;
		return NULL;
	}
	memcpy(r, a, an);
	r[an] = '(';
	memcpy(r + an + 1, o, on);
	r[an + 1 + on] = ')';
	r[an + on + 2] = '\0';
	return r;
}

static void
gr_lp_add(struct gr_lp *p, enum gr_ldmsg_kind k, char *sym, char *ref, char *fn)
{
	struct gr_ldmsgs *m = p->m;

	if (p->nomem || !sym || !*sym)
		return;
	{
		void *v = m->v;
		if (!gr_arena_grow(&m->arena, &v, m->n, &p->cap, sizeof(*m->v))) {
			p->nomem = true;
			return;
		}
		m->v = v;
	}
	m->v[m->n].kind = k;
	m->v[m->n].symbol = sym;
	m->v[m->n].referrer = ref;
	m->v[m->n].function = fn;
	m->v[m->n].version = NULL;
	m->v[m->n].dso = NULL;
	m->n++;
}

static bool
gr_lp_ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* A C, C++, Objective-C or assembler source name: no referrer by itself. */
static bool
gr_lp_csrc(const char *s, size_t n)
{
	static const char *const ext[] = { ".c", ".cc", ".cpp", ".cxx", ".c++", ".C", ".m", ".mm", ".s", ".S", ".h" };
	size_t i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (gr_lp_ends(s, n, ext[i]))
			return true;
	return false;
}

static bool
gr_lp_digits(const char *s, const char *end)
{
	if (s >= end)
		return false;
	for (; s < end; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The first ':' of s..end outside parentheses ("lib.a(m.o):..."), or end. */
static const char *
gr_lp_colon(const char *s, const char *end)
{
	size_t depth = 0;

	for (; s < end; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth)
			depth--;
		else if (*s == ':' && !depth)
			return s;
	}
	return end;
}

/* s[0..n) names a linker: ld, ld.bfd, ld.gold, ld.lld, ld64.lld-14, x86_64-linux-gnu-ld, mold... */
static bool
gr_lp_tool(const char *s, size_t n)
{
	static const char *const names[] = { "ld", "ld.bfd", "ld.gold", "gold", "ld.lld", "lld",
	                                     "ld64", "ld64.lld", "ld.mold", "mold" };
	size_t i, k = n;

	while (k && ((s[k - 1] >= '0' && s[k - 1] <= '9') || s[k - 1] == '.'))
		k--;
	if (k < n && k && s[k - 1] == '-')  /* a version: "-14" */
		n = k - 1;
	for (i = n; i && s[i - 1] != '-'; i--)  /* a target: "x86_64-linux-gnu-" */
		;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strlen(names[k]) == n - i && !memcmp(s + i, names[k], n - i))
			return true;
	return false;
}

/* Drop a leading "/usr/bin/ld: " (or another linker's name). */
static const char *
gr_lp_strip_tool(const char *line)
{
	const char *colon = strstr(line, ": "), *start = colon;

	if (!colon)
		return line;
	while (start > line && start[-1] != '/' && start[-1] != ' ')
		start--;
	return gr_lp_tool(start, (size_t)(colon - start)) ? colon + 2 : line;
}

/* s[0..n) without a trailing "(.section+0x12)", as gold writes it after an object. */
static size_t
gr_lp_strip_section(const char *s, size_t n)
{
	size_t i = n;

	if (!n || s[n - 1] != ')')
		return n;
	while (i && s[i - 1] != '(')
		i--;
	if (i && i < n && s[i] == '.')
		return i - 1;
	return n;
}

/* Referrer and function of LOC in GNU ld's or gold's "LOC: undefined reference to ...". */
static void
gr_lp_loc(struct gr_lp *p, const char *s, size_t n, char **ref, char **fn)
{
	const char *end = s + n, *c1 = gr_lp_colon(s, end), *f1 = c1 < end ? c1 + 1 : end;
	const char *c2 = gr_lp_colon(f1, end), *f;
	size_t n0 = (size_t)(c1 - s);

	*ref = *fn = NULL;
	/* GNU ld: "(.text+0x12)", in the context's function. */
	if (!n || *s == '(') {
		*ref = p->ctx_ref;
		*fn = p->ctx_fn;
		return;
	}
	/* gold's "function F": F may have colons of its own ("ns::f"). */
	for (f = f1; f < end;) {
		const char *c = gr_lp_colon(f, end);
		if ((size_t)(end - f) > 9 && !memcmp(f, "function ", 9)) {
			*ref = gr_lp_dup(p, s, n0);
			*fn = gr_lp_dup(p, f + 9, (size_t)(end - f - 9));
			return;
		}
		f = c < end ? c + 1 : end;
	}
	/* "OBJ", or gold's "OBJ(.text+0x12)" when it knows nothing more. */
	if (c1 == end) {
		size_t k = gr_lp_strip_section(s, n);
		*ref = gr_lp_csrc(s, k) ? NULL : gr_lp_dup(p, s, k);
		return;
	}
	/* "SRC:LINE" (GNU ld in the context, gold -g), "SRC:(.text+0x12)", "OBJ:(.data.rel+0x12)". */
	if (gr_lp_digits(f1, c2) || *f1 == '(') {
		bool line = *f1 != '(';
		/* A .go source is the referrer: gr_diag names the Go package from its path. */
		if (gr_lp_ends(s, n0, ".go")) {
			*ref = gr_lp_dup(p, s, n0);
			*fn = p->ctx_fn;
		} else if (p->ctx_ref && (line || gr_lp_csrc(s, n0))) {
			*ref = p->ctx_ref;
			*fn = p->ctx_fn;
		} else if (!gr_lp_csrc(s, n0)) {  /* a C source is no referrer; an object is */
			*ref = gr_lp_dup(p, s, n0);
		}
		return;
	}
	/* gold: "OBJ[:SRC]:SYM", a reference from the data object SYM. */
	*ref = gr_lp_dup(p, s, n0);
	f = c2 < end && (gr_lp_csrc(f1, (size_t)(c2 - f1)) || gr_lp_ends(f1, (size_t)(c2 - f1), ".go")) ? c2 + 1 : f1;
	if (f < end && *f != '(')
		*fn = gr_lp_dup(p, f, (size_t)(end - f));
}

/* The length of LOC in "LOC: [error: |warning: ]MESSAGE", mk pointing at MESSAGE. */
static size_t
gr_lp_locend(const char *s, const char *mk)
{
	static const char *const words[] = { "error", "warning" };
	const char *e = mk;
	size_t i;

	if (e - s >= 2 && e[-2] == ':' && e[-1] == ' ')
		e -= 2;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t w = strlen(words[i]);
		const char *b;
		if ((size_t)(e - s) < w || memcmp(e - w, words[i], w))
			continue;
		b = e - w;
		if (b == s)
			e = s;
		else if (b - s >= 2 && b[-2] == ':' && b[-1] == ' ')
			e = b - 2;
		break;
	}
	return (size_t)(e - s);
}

/* "cannot find -lfoo" (GNU ld, gold), "unable to find library -lfoo" (lld), ld64's and mold's "library not found". */
static bool
gr_lp_notfound(struct gr_lp *p, const char *s)
{
	static const char cf[] = "cannot find ", lld[] = "unable to find library -l", mac[] = "library not found for -l",
	                  mold[] = "library not found: ";
	const char *mk, *name, *e;
	bool bare = false;  /* mold names the library without its "-l" */
	size_t n;

	if ((mk = strstr(s, cf)) != NULL)
		name = mk + sizeof(cf) - 1;
	else if ((mk = strstr(s, lld)) != NULL)
		name = mk + sizeof(lld) - 3;
	else if ((mk = strstr(s, mac)) != NULL)
		name = mk + sizeof(mac) - 3;
	else if ((mk = strstr(s, mold)) != NULL) {
		name = mk + sizeof(mold) - 1;
		bare = true;
	} else
		return false;
	/* "-l:libbar.a: No such file or directory": the name ends at ": ". */
	e = strstr(name, ": ");
	n = e ? (size_t)(e - name) : strlen(name);
	/* Not a name: "cannot find entry symbol _start; defaulting to ...", a bare "-l". */
	if (!n || memchr(name, ' ', n) || (n == 2 && !bare && !memcmp(name, "-l", 2)))
		return true;
	gr_lp_add(p, GR_LDMSG_CANNOT_FIND, bare ? gr_lp_cat(p, "-l", 2, name, n, "", 0) : gr_lp_dup(p, name, n), NULL, NULL);
	return true;
}

/* --trace-symbol's "[trace-symbol: ]FILE: reference to S" or "...: definition of S"
 * in s[0..n) (the linker's name already stripped): its kind, FILE and S. */
static bool
gr_lp_trace_split(const char *s, size_t n, bool *def, const char **file, size_t *fn, const char **sym, size_t *sn)
{
	static const char ref[] = ": reference to ", dfn[] = ": definition of ", mold[] = "trace-symbol: ";
	const char *end = s + n, *mk = NULL, *q;
	size_t i;

	if (n > sizeof(mold) - 1 && !memcmp(s, mold, sizeof(mold) - 1))
		s += sizeof(mold) - 1;
	/* The last marker: a path may hold ": " but a symbol has no space. */
	for (q = s; q < end; q++)
		if ((size_t)(end - q) >= sizeof(ref) - 1 && !memcmp(q, ref, sizeof(ref) - 1)) {
			mk = q;
			*sym = q + sizeof(ref) - 1;
		} else if ((size_t)(end - q) >= sizeof(dfn) - 1 && !memcmp(q, dfn, sizeof(dfn) - 1)) {
			mk = q;
			*sym = q + sizeof(dfn) - 1;
		}
	if (!mk || mk == s)
		return false;
	*def = mk[2] == 'd';
	*sn = (size_t)(end - *sym);
	for (i = 0; i < *sn; i++)
		if ((*sym)[i] == ' ' || (*sym)[i] == '\t' || (*sym)[i] == '`' || (*sym)[i] == '\'')
			return false;
	*file = s;
	*fn = (size_t)(mk - s);
	return *sn > 0;
}

/* A --trace-symbol line: whether line was one. */
static bool
gr_lp_trace(struct gr_lp *p, const char *s)
{
	const char *file, *sym;
	size_t fn, sn;
	bool def;

	if (!gr_lp_trace_split(s, strlen(s), &def, &file, &fn, &sym, &sn))
		return false;
	gr_lp_add(p, def ? GR_LDMSG_TRACE_DEF : GR_LDMSG_TRACE_REF, gr_lp_dup(p, sym, sn), gr_lp_dup(p, file, fn), NULL);
	return true;
}

/* GNU ld's "DSO missing from command line": "REF: undefined reference to
 * symbol 'S@@VER'" (a record), then "DSO: error adding symbols: DSO missing
 * from command line" (its dso). Whether s was one of the two. */
static bool
gr_lp_dso(struct gr_lp *p, const char *s)
{
	static const char undef[] = "undefined reference to symbol ", missing[] = ": error adding symbols: DSO missing from command line";
	const char *mk, *q, *e, *at;
	char *ref, *fn, *sym;
	size_t i;

	if ((mk = strstr(s, missing)) != NULL) {
		/* The record it belongs to: the last one still without its library. */
		for (i = p->m->n; i > 0; i--) {
			struct gr_ldmsg *m = &p->m->v[i - 1];
			if (m->kind == GR_LDMSG_DSO_MISSING && !m->dso) {
				m->dso = gr_lp_dup(p, s, (size_t)(mk - s));
				break;
			}
			if (m->kind == GR_LDMSG_DSO_MISSING)
				break;
		}
		return true;
	}
	if (!(mk = strstr(s, undef)) || (mk[sizeof(undef) - 1] != '\'' && mk[sizeof(undef) - 1] != '`'))
		return false;
	q = mk + sizeof(undef);
	if (!(e = strchr(q, '\'')) || e == q)
		return true;
	/* "omp_get_thread_num@@OMP_1.0": the name, and its version apart. */
	for (at = q; at < e && *at != '@'; at++)
		;
	if (at == q || !(sym = gr_lp_dup(p, q, (size_t)(at - q))))
		return true;
	gr_lp_loc(p, s, gr_lp_locend(s, mk), &ref, &fn);
	gr_lp_add(p, GR_LDMSG_DSO_MISSING, sym, ref, fn);
	if (at < e && p->m->n && p->m->v[p->m->n - 1].symbol == sym)
		p->m->v[p->m->n - 1].version = gr_lp_dup(p, at, (size_t)(e - at));
	return true;
}

/* A GNU ld or gold line. */
static void
gr_lp_gnu(struct gr_lp *p, const char *line)
{
	static const char undef[] = "undefined reference to ", use[] = "warning: Using '", infn[] = ": in function ";
	const char *s = gr_lp_strip_tool(line), *mk, *q, *e;
	enum gr_ldmsg_kind k;
	char *sym, *ref, *fn;

	if (gr_lp_notfound(p, s) || gr_lp_trace(p, s) || gr_lp_dso(p, s))
		return;
	/* GNU ld: "REF: in function `F':" is the context of the lines after it. */
	if ((mk = strstr(s, infn)) != NULL && (mk[sizeof(infn) - 1] == '`' || mk[sizeof(infn) - 1] == '\'')) {
		q = mk + sizeof(infn);
		e = strrchr(q, '\'');
		p->ctx_ref = gr_lp_dup(p, s, (size_t)(mk - s));
		p->ctx_fn = e ? gr_lp_dup(p, q, (size_t)(e - q)) : NULL;
		return;
	}
	/* GNU ld quotes `S', gold 'S'; "more undefined references to `S' follow" is no record. */
	if ((mk = strstr(s, undef)) != NULL && (mk[sizeof(undef) - 1] == '`' || mk[sizeof(undef) - 1] == '\'')) {
		k = GR_LDMSG_UNDEFINED;
		q = mk + sizeof(undef);
	} else if ((mk = strstr(s, use)) != NULL) {
		k = GR_LDMSG_STATIC_WARNING;
		q = mk + sizeof(use) - 1;
	} else {
		return;
	}
	if (!(e = strchr(q, '\'')) || !(sym = gr_lp_dup(p, q, (size_t)(e - q))))
		return;
	gr_lp_loc(p, s, gr_lp_locend(s, mk), &ref, &fn);
	gr_lp_add(p, k, sym, ref, fn);
}

/* lld's and mold's "OBJ:(F)", "OBJ:(F) in archive A" or "OBJ" -> referrer and function. */
static void
gr_lp_lldref(struct gr_lp *p, const char *t, char **ref, char **fn)
{
	const char *ar = strstr(t, " in archive "), *end = ar ? ar : t + strlen(t), *open = strstr(t, ":("), *close;
	size_t on;

	if (open && open >= end)
		open = NULL;
	on = (size_t)((open ? open : end) - t);
	*fn = NULL;
	if (open) {
		for (close = end; close > open + 2 && close[-1] != ')'; close--)
			;
		/* "(.data.rel)", "(.text+0x12)": a section, not a function. */
		if (close > open + 2 && open[2] != '.')
			*fn = gr_lp_dup(p, open + 2, (size_t)(close - 1 - (open + 2)));
	}
	*ref = ar ? gr_lp_member(p, ar + 12, strlen(ar + 12), t, on) : gr_lp_dup(p, t, on);
}

/* A pending "referenced by" is a reference of its own (lld's one-line form). */
static void
gr_lp_flush(struct gr_lp *p)
{
	if (p->pend && p->lld_sym)
		gr_lp_add(p, GR_LDMSG_UNDEFINED, p->lld_sym, p->pend_ref, p->pend_fn);
	p->pend = false;
}

/* One ">>>" piece of an lld or mold block: "referenced by SRC" then "      OBJ:(F)", or "referenced by OBJ:(F)" alone. */
static void
gr_lp_lld(struct gr_lp *p, const char *t)
{
	size_t sp = strspn(t, " \t");
	char *ref, *fn;

	t += sp;
	if (!strncmp(t, "referenced by ", 14)) {
		gr_lp_flush(p);
		gr_lp_lldref(p, t + 14, &p->pend_ref, &p->pend_fn);
		p->pend = true;
	} else if (p->pend && sp >= 2 && *t) {
		/* The aligned object line: the "referenced by" line was the source. */
		p->pend = false;
		gr_lp_lldref(p, t, &ref, &fn);
		gr_lp_add(p, GR_LDMSG_UNDEFINED, p->lld_sym, ref, fn);
	} else {
		/* "referenced N more times", lld's "did you mean:" hints. */
		gr_lp_flush(p);
	}
}

/* ld64's "Undefined symbols" block ("  \"S\", referenced from:", "      F in FILE"): whether line was in it. */
static bool
gr_lp_mac(struct gr_lp *p, const char *buf)
{
	const char *q, *r, *t, *in = NULL, *x;

	if (strstr(buf, "Undefined symbols for architecture")) {
		p->in_mac = true;
		p->mac_sym = NULL;
		return true;
	}
	if (!p->in_mac)
		return false;
	if (buf[0] != ' ' && buf[0] != '\t') {
		p->in_mac = false;
		p->mac_sym = NULL;
		return false;
	}
	if ((q = strchr(buf, '"')) != NULL && (r = strstr(q, "referenced from")) != NULL) {
		const char *e = strchr(q + 1, '"');
		p->mac_sym = e && e < r ? gr_lp_dup(p, q + 1, (size_t)(e - q - 1)) : NULL;
		return true;
	}
	if (!p->mac_sym)
		return true;
	t = buf + strspn(buf, " \t");
	if (!strncmp(t, "in ", 3)) {
		gr_lp_add(p, GR_LDMSG_UNDEFINED, p->mac_sym, gr_lp_dup(p, t + 3, strlen(t + 3)), NULL);
		return true;
	}
	if (!strncmp(t, "(maybe you meant", 16))
		return true;
	/* The last " in ": C++ and Objective-C names have spaces. */
	for (x = strstr(t, " in "); x; x = strstr(x + 1, " in "))
		in = x;
	if (in)
		gr_lp_add(p, GR_LDMSG_UNDEFINED, p->mac_sym, gr_lp_dup(p, in + 4, strlen(in + 4)),
		          gr_lp_dup(p, t, (size_t)(in - t)));
	return true;
}

struct gr_ldmsgs *
gr_ldmsg_parse(const char *text)
{
	struct gr_ldmsgs *m = calloc(1, sizeof(*m));
	struct gr_lp p;
	const char *line = text, *nl;
	char *buf = NULL;
	size_t bufcap = 0;

	if (!m)
		return NULL;
	gr_arena_init(&m->arena);
	memset(&p, 0, sizeof(p));
	p.m = m;
	for (; *line && !p.nomem; line = *nl ? nl + 1 : nl) {
		const char *u;
		size_t n;
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		n = (size_t)(nl - line);
		if (n + 1 > bufcap) {
			char *g = realloc(buf, n + 1);
			if (!g) {
				p.nomem = true;
				break;
			}
			buf = g;
			bufcap = n + 1;
		}
		memcpy(buf, line, n);
		while (n && buf[n - 1] == '\r')
			n--;
		buf[n] = '\0';

		if (gr_lp_mac(&p, buf))
			continue;
		/* lld and mold: "error: undefined symbol: S", then ">>>" lines. */
		if ((u = strstr(buf, "undefined symbol: ")) != NULL) {
			const char *s = u + 18, *colon = strstr(s, ": ");
			gr_lp_flush(&p);
			p.lld_sym = NULL;
			if (colon)  /* old mold: "undefined symbol: REF: S" */
				gr_lp_add(&p, GR_LDMSG_UNDEFINED, gr_lp_dup(&p, colon + 2, strlen(colon + 2)),
				          gr_lp_dup(&p, s, (size_t)(colon - s)), NULL);
			else
				p.lld_sym = gr_lp_dup(&p, s, strlen(s));
			continue;
		}
		if (p.lld_sym && !strncmp(buf, ">>>", 3)) {
			/* mold 1.10 runs references together: "OBJ:(F)>>> referenced by ...". */
			char *t = buf + 3, *next;
			for (;;) {
				if ((next = strstr(t, ">>>")) != NULL)
					*next = '\0';
				gr_lp_lld(&p, t);
				if (!next)
					break;
				t = next + 3;
			}
			continue;
		}
		gr_lp_flush(&p);
		p.lld_sym = NULL;
		gr_lp_gnu(&p, buf);
	}
	gr_lp_flush(&p);
	free(buf);
	if (p.nomem) {
		gr_ldmsg_free(m);
		return NULL;
	}
	return m;
}

/* mold's "trace-symbol: FILE keeps ARCHIVE(MEMBER) for S", or lld's
 * "ARCHIVE: lazy definition of S" (a member not loaded), in s[0..n): S. */
static bool
gr_lp_mold_keeps(const char *s, size_t n, const char **sym, size_t *sn)
{
	static const char mold[] = "trace-symbol: ", keeps[] = " keeps ", for_[] = " for ", lazy[] = ": lazy definition of ";
	const char *end = s + n, *q, *f = NULL;

	for (q = s; q + sizeof(lazy) - 1 <= end; q++)
		if (!memcmp(q, lazy, sizeof(lazy) - 1)) {
			*sym = q + sizeof(lazy) - 1;
			*sn = (size_t)(end - *sym);
			return *sn > 0 && !memchr(*sym, ' ', *sn);
		}
	if (n <= sizeof(mold) - 1 || memcmp(s, mold, sizeof(mold) - 1))
		return false;
	for (q = s; q + sizeof(for_) - 1 <= end; q++)
		if (!memcmp(q, for_, sizeof(for_) - 1))
			f = q;
	for (q = s; f && q + sizeof(keeps) - 1 <= f; q++)
		if (!memcmp(q, keeps, sizeof(keeps) - 1))
			break;
	if (!f || q + sizeof(keeps) - 1 > f)
		return false;
	*sym = f + sizeof(for_) - 1;
	*sn = (size_t)(end - *sym);
	return *sn > 0 && !memchr(*sym, ' ', *sn);
}

size_t
gr_ldmsg_drop_traces(char *text, size_t n, const char *const *syms, size_t nsyms)
{
	size_t r = 0, w = 0;

	while (r < n) {
		const char *nl = memchr(text + r, '\n', n - r), *s, *file, *sym;
		size_t end = nl ? (size_t)(nl - text) : n, len = end - r, k, fn, sn, keep = len + (nl ? 1 : 0);
		bool def, drop = false;
		/* A whole line (ld ends each with a newline), as a string for the
		 * tool-name strip: its newline is put back below. */
		s = NULL;
		if (nl && len && !memchr(text + r, '\0', len)) {
			text[end] = '\0';
			s = gr_lp_strip_tool(text + r);
			text[end] = '\n';
		}
		if (s) {
			size_t sl = len - (size_t)(s - (text + r));
			while (sl && s[sl - 1] == '\r')
				sl--;
			if (gr_lp_trace_split(s, sl, &def, &file, &fn, &sym, &sn) || gr_lp_mold_keeps(s, sl, &sym, &sn))
				for (k = 0; k < nsyms && !drop; k++)
					drop = strlen(syms[k]) == sn && !memcmp(syms[k], sym, sn);
		}
		if (!drop) {
			memmove(text + w, text + r, keep);
			w += keep;
		}
		r += keep;
	}
	if (w < n)
		text[w] = '\0';
	return w;
}

void
gr_ldmsg_free(struct gr_ldmsgs *m)
{
	if (!m)
		return;
	gr_arena_deinit(&m->arena);
	free(m);
}
