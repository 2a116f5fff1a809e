#include "gr_json.h"

#define GR_JSON_MAXDEPTH ((int)(sizeof(((struct gr_json *)0)->need_comma) / sizeof(bool)) - 1)

static void
gr_json_escape(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
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
