#include "gr_kv.h"

#include <stdlib.h>
#include <string.h>

void
gr_kv_raw(struct gr_kvbuf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		char *g;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		if (!(g = realloc(b->p, ncap))) {
			b->nomem = true;
			return;
		}
		b->p = g;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
gr_kv_put(struct gr_kvbuf *b, char tag, const char *v)
{
	char head[2] = { tag, '\t' };

	if (!v)
		return;
	gr_kv_raw(b, head, 2);
	/* The same escapes, appended a run at a time rather than a byte at a
	 * time: 45,000 of the 725,000 instructions of a warm `pkgconf-rewrite
	 * sqlite3` (issue 15). */
	gr_kv_field(b, v);
	gr_kv_raw(b, "\n", 1);
}

bool
gr_kv_next(char **cursor, char *tag, char **value, bool *bad)
{
	char *line = *cursor, *nl, *r, *w;

	*bad = false;
	if (!line || !*line)
		return false;
	nl = strchr(line, '\n');
	if (!nl || line[0] == '\n' || line[1] != '\t') {
		*bad = true;
		return false;
	}
	*nl = '\0';
	*cursor = nl + 1;
	*tag = line[0];
	/* Unescape in place. */
	for (r = w = line + 2; *r; r++) {
		if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	*value = line + 2;
	return true;
}

void
gr_kv_field(struct gr_kvbuf *b, const char *v)
{
	const char *p, *run;

	if (!v) {
		gr_kv_raw(b, "\\N", 2);
		return;
	}
	for (p = run = v; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n" : NULL;
		if (!esc)
			continue;
		gr_kv_raw(b, run, (size_t)(p - run));
		gr_kv_raw(b, esc, 2);
		run = p + 1;
	}
	gr_kv_raw(b, run, (size_t)(p - run));
}

void
gr_kv_record(struct gr_kvbuf *b, const char *kw, size_t n, const char *const *fields)
{
	size_t i;

	gr_kv_raw(b, kw, strlen(kw));
	for (i = 0; i < n; i++) {
		gr_kv_raw(b, "\t", 1);
		gr_kv_field(b, fields[i]);
	}
	gr_kv_raw(b, "\n", 1);
}

bool
gr_kv_unescape_field(char *f, char **out)
{
	char *rd, *w;

	if (!strcmp(f, "\\N")) {
		*out = NULL;
		return true;
	}
	for (rd = w = f; *rd; rd++) {
		if (*rd != '\\') {
			*w++ = *rd;
			continue;
		}
		rd++;
		if (*rd == '\\')
			*w++ = '\\';
		else if (*rd == 't')
			*w++ = '\t';
		else if (*rd == 'n')
			*w++ = '\n';
		else
			return false;
	}
	*w = '\0';
	*out = f;
	return true;
}
