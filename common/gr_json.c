#include "gr_json.h"

#define GR_JSON_MAXDEPTH ((int)(sizeof(((struct gr_json *)0)->need_comma) / sizeof(bool)) - 1)

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one. */
static int
gr_json_utf8(const unsigned char *p)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;  /* no overlongs, no surrogates */
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;  /* up to U+10FFFF */
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* Strings are written as valid UTF-8; a byte that is not part of valid UTF-8
 * (file names can hold any byte) becomes the escape \udcXX, Python's
 * surrogateescape convention, so the exact bytes can be recovered. */
static void
gr_json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', f);
	while (*p) {
		switch (*p) {
		case '"': fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		case '\b': fputs("\\b", f); p++; continue;
		case '\f': fputs("\\f", f); p++; continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
			p++;
		} else if ((n = gr_json_utf8(p)) == 0) {
			fprintf(f, "\\udc%02x", *p);
			p++;
		} else {
			fwrite(p, 1, (size_t)n, f);
			p += n;
		}
	}
	fputc('"', f);
}

/* Write the separator and, inside an object, the member name. */
static void
gr_json_lead(struct gr_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		gr_json_escape(j->f, key);
		fputc(':', j->f);
	}
}

void
gr_json_init(struct gr_json *j, FILE *f)
{
	int i;

	j->f = f;
	j->depth = 0;
	for (i = 0; i <= GR_JSON_MAXDEPTH; i++)
		j->need_comma[i] = false;
}

static void
gr_json_open(struct gr_json *j, const char *key, int c)
{
	gr_json_lead(j, key);
	fputc(c, j->f);
	if (j->depth < GR_JSON_MAXDEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void
gr_json_close(struct gr_json *j, int c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		j->need_comma[0] = false;  /* top-level values are separate documents */
}

void
gr_json_obj_begin(struct gr_json *j, const char *key)
{
	gr_json_open(j, key, '{');
}

void
gr_json_obj_end(struct gr_json *j)
{
	gr_json_close(j, '}');
}

void
gr_json_arr_begin(struct gr_json *j, const char *key)
{
	gr_json_open(j, key, '[');
}

void
gr_json_arr_end(struct gr_json *j)
{
	gr_json_close(j, ']');
}

void
gr_json_str(struct gr_json *j, const char *key, const char *s)
{
	gr_json_lead(j, key);
	if (s)
		gr_json_escape(j->f, s);
	else
		fputs("null", j->f);
}

void
gr_json_strs(struct gr_json *j, const char *key, const char *const *v, size_t n)
{
	size_t i;

	gr_json_arr_begin(j, key);
	for (i = 0; i < n; i++)
		gr_json_str(j, NULL, v[i]);
	gr_json_arr_end(j);
}

void
gr_json_bool(struct gr_json *j, const char *key, bool v)
{
	gr_json_lead(j, key);
	fputs(v ? "true" : "false", j->f);
}

void
gr_json_int(struct gr_json *j, const char *key, long long v)
{
	gr_json_lead(j, key);
	fprintf(j->f, "%lld", v);
}

void
gr_json_raw(struct gr_json *j, const char *key, const char *text)
{
	gr_json_lead(j, key);
	fputs(text, j->f);
}
