#include "gr_ldmsg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct gr_lp {
	struct gr_ldmsgs *m;
	size_t cap;
	bool nomem;
	char *ctx_ref, *ctx_fn;  /* GNU ld's "REF: in function `F':" context */
};

static char *
gr_lp_dup(struct gr_lp *p, const char *s, size_t n)
{
	char *d = gr_arena_strndup(&p->m->arena, s, n);

	if (!d)
		p->nomem = true;
	return d;
}

static void
gr_lp_add(struct gr_lp *p, enum gr_ldmsg_kind k, char *sym, char *ref, char *fn)
{
	struct gr_ldmsgs *m = p->m;

	if (p->nomem || !sym)
		return;
	if (m->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 32;
		struct gr_ldmsg *g = gr_arena_alloc(&m->arena, ncap * sizeof(*g));
		if (!g) {
			p->nomem = true;
			return;
		}
		if (m->n)
			memcpy(g, m->v, m->n * sizeof(*g));
		m->v = g;
		p->cap = ncap;
	}
	m->v[m->n].kind = k;
	m->v[m->n].symbol = sym;
	m->v[m->n].referrer = ref;
	m->v[m->n].function = fn;
	m->n++;
}

/* The text between open and close quote after marker in line, or NULL. */
static char *
gr_lp_quoted(struct gr_lp *p, const char *line, const char *marker, char close)
{
	const char *s = strstr(line, marker), *e;

	if (!s)
		return NULL;
	s += strlen(marker);
	e = strchr(s, close);
	return e ? gr_lp_dup(p, s, (size_t)(e - s)) : NULL;
}

/* Drop a leading "/usr/bin/ld: " (any "...ld: " or "ld.xxx: " prefix). */
static const char *
gr_lp_strip_tool(const char *line)
{
	const char *colon = strstr(line, ": ");

	if (colon) {
		const char *start = colon;
		while (start > line && start[-1] != '/' && start[-1] != ' ')
			start--;
		if ((colon - start == 2 && !strncmp(start, "ld", 2)) ||
		    (colon - start > 3 && !strncmp(start, "ld.", 3)) ||
		    (colon - start == 4 && !strncmp(start, "mold", 4)))
			return colon + 2;
	}
	return line;
}

/* "REF:(.text+0x12): ..." or "REF: in function ..." -> REF, when it names a file
 * (an object or an archive member), not a bare "(.text+0x12)" or a source file. */
static char *
gr_lp_referrer(struct gr_lp *p, const char *s)
{
	const char *e = s;
	int depth = 0;

	for (; *e; e++) {
		if (*e == '(')
			depth++;
		else if (*e == ')' && depth)
			depth--;
		else if (*e == ':' && depth == 0)
			break;
	}
	if (!*e || e == s || *s == '(')
		return NULL;
	/* A source file ("func.c") is no referrer; an object or archive member is. */
	if (e - s >= 2 && (!strncmp(e - 2, ".c", 2) || !strncmp(e - 2, ".S", 2)))
		return NULL;
	if (e - s >= 4 && !strncmp(e - 4, ".cpp", 4))
		return NULL;
	return gr_lp_dup(p, s, (size_t)(e - s));
}

static void
gr_lp_gnu(struct gr_lp *p, const char *line)
{
	const char *s = gr_lp_strip_tool(line), *infn;
	char *sym, *ref;

	/* gold: "REF:SRC:function F: error: undefined reference to 'S'" */
	if ((infn = strstr(s, ":function ")) != NULL && strstr(s, "reference to '")) {
		const char *fe = strchr(infn + 10, ':');
		sym = gr_lp_quoted(p, s, "reference to '", '\'');
		gr_lp_add(p, GR_LDMSG_UNDEFINED, sym, gr_lp_referrer(p, s),
		          fe ? gr_lp_dup(p, infn + 10, (size_t)(fe - (infn + 10))) : NULL);
		return;
	}
	if ((infn = strstr(s, ": in function `")) != NULL) {
		p->ctx_ref = gr_lp_referrer(p, s);
		p->ctx_fn = gr_lp_quoted(p, infn, "in function `", '\'');
		return;
	}
	if (strstr(s, ": in function ") || strstr(s, "): In function"))
		return;
	if ((sym = gr_lp_quoted(p, s, "undefined reference to `", '\'')) != NULL) {
		ref = gr_lp_referrer(p, s);
		gr_lp_add(p, GR_LDMSG_UNDEFINED, sym, ref ? ref : p->ctx_ref, ref ? NULL : p->ctx_fn);
		return;
	}
	if ((sym = gr_lp_quoted(p, s, "warning: Using '", '\'')) != NULL) {
		ref = gr_lp_referrer(p, s);
		if (strstr(s, ":function ")) {  /* gold */
			const char *f = strstr(s, ":function ") + 10, *fe = strchr(f, ':');
			gr_lp_add(p, GR_LDMSG_STATIC_WARNING, sym, ref,
			          fe ? gr_lp_dup(p, f, (size_t)(fe - f)) : NULL);
		} else {
			gr_lp_add(p, GR_LDMSG_STATIC_WARNING, sym, ref ? ref : p->ctx_ref, ref ? NULL : p->ctx_fn);
		}
		return;
	}
	if ((sym = gr_lp_quoted(p, s, "cannot find ", ':')) != NULL ||
	    (strstr(s, "cannot find -l") && (sym = gr_lp_dup(p, strstr(s, "cannot find ") + 12,
	                                                     strlen(strstr(s, "cannot find ") + 12))) != NULL)) {
		gr_lp_add(p, GR_LDMSG_CANNOT_FIND, sym, NULL, NULL);
		return;
	}
}

struct gr_ldmsgs *
gr_ldmsg_parse(const char *text)
{
	struct gr_ldmsgs *m = calloc(1, sizeof(*m));
	struct gr_lp p;
	const char *line = text, *nl;
	char *buf = NULL, *lld_sym = NULL, *mac_sym = NULL;
	size_t bufcap = 0;
	bool in_mac = false;

	if (!m)
		return NULL;
	gr_arena_init(&m->arena);
	memset(&p, 0, sizeof(p));
	p.m = m;
	for (; *line && !p.nomem; line = *nl ? nl + 1 : nl) {
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
		buf[n] = '\0';

		/* ld64: a block of "  "_sym", referenced from:" / "      _f in foo.o". */
		if (strstr(buf, "Undefined symbols for architecture")) {
			in_mac = true;
			continue;
		}
		if (in_mac) {
			char *q = strchr(buf, '"');
			if (q && strstr(buf, "referenced from")) {
				char *e = strchr(q + 1, '"');
				mac_sym = e ? gr_lp_dup(&p, q + 1, (size_t)(e - q - 1)) : NULL;
				continue;
			}
			if (mac_sym && strstr(buf, " in ")) {
				char *f = buf, *in = strstr(buf, " in ");
				while (*f == ' ' || *f == '\t')
					f++;
				gr_lp_add(&p, GR_LDMSG_UNDEFINED, mac_sym, gr_lp_dup(&p, in + 4, strlen(in + 4)),
				          gr_lp_dup(&p, f, (size_t)(in - f)));
				continue;
			}
			if (buf[0] != ' ')
				in_mac = false;
			else
				continue;
		}
		/* lld and mold: "error: undefined symbol: S" then ">>> referenced by" lines. */
		if (strstr(buf, "undefined symbol: ")) {
			const char *s = strstr(buf, "undefined symbol: ") + 18, *colon = strstr(s, ": ");
			if (colon && !strchr(s, ' ')) {
				lld_sym = NULL;
			} else if (colon) {  /* old mold: "undefined symbol: REF: S" */
				gr_lp_add(&p, GR_LDMSG_UNDEFINED, gr_lp_dup(&p, colon + 2, strlen(colon + 2)),
				          gr_lp_dup(&p, s, (size_t)(colon - s)), NULL);
				continue;
			}
			lld_sym = gr_lp_dup(&p, s, strlen(s));
			continue;
		}
		if (lld_sym && !strncmp(buf, ">>> ", 4)) {
			char *arch = strstr(buf, " in archive "), *t = buf + 4, *open, *close;
			while (*t == ' ')
				t++;
			if (!strncmp(t, "referenced by ", 14))
				continue;  /* the source line; the object follows */
			open = strstr(t, ":(");
			close = open ? strchr(open, ')') : NULL;
			if (arch) {
				size_t alen = strlen(arch + 12), mlen = open ? (size_t)(open - t) : strlen(t);
				char *ref = gr_arena_alloc(&m->arena, alen + mlen + 3);
				if (!ref) {
					p.nomem = true;
					break;
				}
				memcpy(ref, arch + 12, alen);
				ref[alen] = '(';
				memcpy(ref + alen + 1, t, mlen);
				ref[alen + 1 + mlen] = ')';
				ref[alen + mlen + 2] = '\0';
				gr_lp_add(&p, GR_LDMSG_UNDEFINED, lld_sym, ref,
				          open && close ? gr_lp_dup(&p, open + 2, (size_t)(close - open - 2)) : NULL);
			} else {
				gr_lp_add(&p, GR_LDMSG_UNDEFINED, lld_sym,
				          gr_lp_dup(&p, t, open ? (size_t)(open - t) : strlen(t)),
				          open && close ? gr_lp_dup(&p, open + 2, (size_t)(close - open - 2)) : NULL);
			}
			continue;
		}
		lld_sym = NULL;
		gr_lp_gnu(&p, buf);
	}
	free(buf);
	if (p.nomem) {
		gr_ldmsg_free(m);
		return NULL;
	}
	return m;
}

void
gr_ldmsg_free(struct gr_ldmsgs *m)
{
	if (!m)
		return;
	gr_arena_deinit(&m->arena);
	free(m);
}
