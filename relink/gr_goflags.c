#include "gr_goflags.h"

#include <stdlib.h>
#include <string.h>

/* go build flags that take a value (as -flag=V or -flag V). */
static const char *const gr_go_value_flags[] = {
	"o", "p", "asmflags", "buildmode", "compiler", "gccgoflags", "gcflags", "installsuffix",
	"ldflags", "mod", "modfile", "overlay", "pgo", "pkgdir", "tags", "toolexec", "coverpkg",
	"covermode", "C", "exec", "reuse",
};

void
gr_goflags_init(struct gr_goflags *gf)
{
	memset(gf, 0, sizeof(*gf));
	gr_strvec_init(&gf->pass);
	gr_strvec_init(&gf->ldflags);
	gr_strvec_init(&gf->tags);
}

void
gr_goflags_deinit(struct gr_goflags *gf)
{
	gr_strvec_deinit(&gf->pass);
	gr_strvec_deinit(&gf->ldflags);
	gr_strvec_deinit(&gf->tags);
	free(gf->out);
	free(gf->buildmode);
	memset(gf, 0, sizeof(*gf));
}

static bool
gr_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int
gr_goflags_split(const char *s, struct gr_strvec *out, struct gr_error *err)
{
	const char *p = s;

	for (;;) {
		const char *start;
		while (*p && gr_is_space(*p))
			p++;
		if (!*p)
			return GR_OK;
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			const char *end = strchr(p, q);
			if (!end)
				return gr_error_set(err, GR_EUSAGE, 0, "unterminated %c quote in '%s'", q, s);
			if (gr_strvec_pushn(out, p, (size_t)(end - p)))
				return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
			p = end + 1;
			if (*p && !gr_is_space(*p))
				return gr_error_set(err, GR_EUSAGE, 0, "a quoted field must end at whitespace in '%s'", s);
			continue;
		}
		start = p;
		while (*p && !gr_is_space(*p))
			p++;
		if (gr_strvec_pushn(out, start, (size_t)(p - start)))
			return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
}

char *
gr_goflags_join(const struct gr_strvec *fields)
{
	size_t i, n = 1;
	char *s, *w;

	for (i = 0; i < fields->n; i++)
		n += strlen(fields->v[i]) + 3;
	if (!(s = malloc(n)))
		return NULL;
	w = s;
	for (i = 0; i < fields->n; i++) {
		const char *f = fields->v[i];
		size_t l = strlen(f);
		bool space = !*f;
		const char *p;
		char q = 0;
		for (p = f; *p; p++)
			if (gr_is_space(*p) || *p == '\'' || *p == '"')
				space = true;
		if (space)
			q = strchr(f, '\'') ? '"' : '\'';
		if (q && strchr(f, q)) {
			free(s);
			return NULL;
		}
		if (i)
			*w++ = ' ';
		if (q)
			*w++ = q;
		memcpy(w, f, l);
		w += l;
		if (q)
			*w++ = q;
	}
	*w = '\0';
	return s;
}

int
gr_goflags_add_tag(struct gr_goflags *gf, const char *tag)
{
	size_t i;

	if (!*tag)
		return GR_OK;
	for (i = 0; i < gf->tags.n; i++)
		if (!strcmp(gf->tags.v[i], tag))
			return GR_OK;
	return gr_strvec_push(&gf->tags, tag);
}

/* "a,b c" -> tags a, b, c (old space-separated and new comma-separated forms). */
static int
gr_goflags_tags(struct gr_goflags *gf, const char *v)
{
	const char *p = v;

	while (*p) {
		const char *start;
		char *t;
		int rc;
		while (*p == ',' || gr_is_space(*p))
			p++;
		start = p;
		while (*p && *p != ',' && !gr_is_space(*p))
			p++;
		if (p == start)
			break;
		if (!(t = strndup(start, (size_t)(p - start))))
			return GR_ENOMEM;
		rc = gr_goflags_add_tag(gf, t);
		free(t);
		if (rc)
			return rc;
	}
	return GR_OK;
}

static bool
gr_goflags_takes_value(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(gr_go_value_flags) / sizeof(gr_go_value_flags[0]); i++)
		if (strlen(gr_go_value_flags[i]) == len && !strncmp(gr_go_value_flags[i], name, len))
			return true;
	return false;
}

static int
gr_goflags_setstr(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? GR_OK : GR_ENOMEM;
}

/* One pass over flags; from_env: GOFLAGS, whose -ldflags a command-line one replaces. */
static int
gr_goflags_walk(char *const *args, size_t n, bool from_env, struct gr_goflags *gf,
                struct gr_error *err)
{
	size_t i;
	int rc = GR_OK;

	for (i = 0; i < n && rc == GR_OK; i++) {
		const char *a = args[i], *name, *eq, *val = NULL;
		size_t nlen;
		if (a[0] != '-' || !a[1])
			return gr_error_set(err, GR_EUSAGE, 0,
			                    "'%s' after -- is not a go build flag; give the package before --", a);
		name = a[1] == '-' ? a + 2 : a + 1;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		if (eq)
			val = eq + 1;
		else if (gr_goflags_takes_value(name, nlen)) {
			if (i + 1 >= n)
				return gr_error_set(err, GR_EUSAGE, 0, "go build flag %s needs a value", a);
			val = args[++i];
		}
		if (nlen == 7 && !strncmp(name, "ldflags", 7)) {
			gr_strvec_deinit(&gf->ldflags);
			gf->has_ldflags = true;
			rc = gr_goflags_split(val, &gf->ldflags, err);
			continue;
		}
		if (nlen == 4 && !strncmp(name, "tags", 4)) {
			rc = gr_goflags_tags(gf, val);
			continue;
		}
		if (nlen == 1 && name[0] == 'o') {
			rc = gr_goflags_setstr(&gf->out, val);
			continue;
		}
		if (nlen == 9 && !strncmp(name, "buildmode", 9)) {
			rc = gr_goflags_setstr(&gf->buildmode, val);
			continue;
		}
		if (from_env)
			continue;  /* go build applies the rest of GOFLAGS itself */
		if (gr_strvec_push(&gf->pass, a) || (val && !eq && gr_strvec_push(&gf->pass, val)))
			rc = GR_ENOMEM;
	}
	if (rc == GR_ENOMEM)
		return gr_error_set(err, GR_ENOMEM, 0, "go build flags: out of memory");
	return rc;
}

int
gr_goflags_parse(const char *goflags_env, char *const *args, size_t n, struct gr_goflags *gf,
                 struct gr_error *err)
{
	struct gr_strvec env;
	int rc = GR_OK;

	gr_strvec_init(&env);
	/* GOFLAGS is split as current go splits it (cmd/go/internal/base/goflags.go,
	 * cmd/internal/quoted.Split): whitespace-separated, '...' or "..." around
	 * a field, no escapes.  Go 1.19's plain whitespace split gives the same
	 * fields for every GOFLAGS without quotes; with quotes go 1.19 fails. */
	if (goflags_env && *goflags_env) {
		rc = gr_goflags_split(goflags_env, &env, err);
		if (rc == GR_OK && env.n)
			rc = gr_goflags_walk(env.v, env.n, true, gf, err);
		if (rc == GR_EUSAGE) {
			char why[sizeof(err->msg)];
			memcpy(why, err->msg, sizeof(why));
			rc = gr_error_set(err, GR_EUSAGE, 0, "GOFLAGS: %s", why);
		}
	}
	gr_strvec_deinit(&env);
	if (rc == GR_OK)
		rc = gr_goflags_walk(args, n, false, gf, err);
	return rc;
}
