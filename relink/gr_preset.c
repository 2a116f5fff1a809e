#include "gr_preset.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_path.h"

/* The install's preset directory relative to its bin directory (CMake
 * computes it from the install dirs); no absolute path is compiled in. */
#ifndef GR_PRESET_REL
#define GR_PRESET_REL "../share/gorelink/presets"
#endif
/* The build tree's copy, next to the programs built there. */
#define GR_PRESET_BUILD_REL "share/gorelink/presets"

int
gr_preset_dirs(const struct gr_env *env, struct gr_strvec *dirs, struct gr_error *err)
{
	const char *p = env->preset_path;
	char *self = gr_env_self_dir(env);
	int i;

	while (p && *p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		if (n && gr_strvec_pushn(dirs, p, n))
			goto nomem;
		p = colon ? colon + 1 : NULL;
	}
	for (i = 0; self && i < 2; i++) {
		const char *rel = i ? GR_PRESET_BUILD_REL : GR_PRESET_REL;
		char *d = gr_path_join(self, rel);
		if (!d)
			goto nomem;
		if (gr_strvec_push(dirs, d)) {
			free(d);
			goto nomem;
		}
		free(d);
	}
	free(self);
	return GR_OK;
nomem:
	free(self);
	return gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
}

void
gr_preset_deinit(struct gr_preset *p)
{
	free(p->name);
	free(p->variant);
	free(p->module);
	free(p->path);
	free(p->needs);
	free(p->deflt);
	gr_strvec_deinit(&p->variants);
	gr_strvec_deinit(&p->tags);
	gr_strvec_deinit(&p->pkgs);
	gr_strvec_deinit(&p->allow);
	gr_strvec_deinit(&p->stubs);
	gr_strvec_deinit(&p->libs);
	free(p->mode);
	free(p->cc);
	memset(p, 0, sizeof(*p));
}

static bool
gr_preset_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* Parse the file; take the lines of the chosen variant (or of all variants
 * when variant is NULL, only to find the default first). */
static int
gr_preset_parse(FILE *f, const char *path, const char *variant, struct gr_preset *p,
                char **deflt, bool *found, struct gr_error *err)
{
	char line[1024];
	size_t lineno = 0;
	const char *cur = NULL;
	char curbuf[128];

	*found = false;
	while (fgets(line, sizeof(line), f)) {
		char *key = line, *val, *end;
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: line too long", path, lineno);
		while (*key == ' ' || *key == '\t')
			key++;
		if (*key == '#' || *key == '\n' || !*key)
			continue;
		for (end = key + strlen(key); end > key && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		val = key;
		while (*val && *val != ' ' && *val != '\t')
			val++;
		if (*val)
			*val++ = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		if (!*val)
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: '%s' needs a value", path, lineno, key);
		if (!strcmp(key, "variant")) {
			if (strlen(val) >= sizeof(curbuf))
				return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: variant name too long", path, lineno);
			memcpy(curbuf, val, strlen(val) + 1);
			cur = curbuf;
			if (variant && !strcmp(variant, val))
				*found = true;
			if (!variant) {
				bool seen = false;
				for (size_t k = 0; k < p->variants.n && !seen; k++)
					seen = !strcmp(p->variants.v[k], val);
				if (!seen && gr_strvec_push(&p->variants, val))
					return GR_ENOMEM;
			}
			continue;
		}
		if (!strcmp(key, "module") || !strcmp(key, "default")) {
			if (cur)
				return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: '%s' belongs before the first variant",
				                    path, lineno, key);
			/* Said twice, the last one counts (the first is freed). */
			char **dst = !strcmp(key, "module") ? &p->module : deflt;
			free(*dst);
			if (!(*dst = strdup(val)))
				return GR_ENOMEM;
			continue;
		}
		if (strcmp(key, "tags") && strcmp(key, "pkg") && strcmp(key, "allow-dynamic") && strcmp(key, "needs") &&
		    strcmp(key, "stub") && strcmp(key, "lib") && strcmp(key, "mode") && strcmp(key, "cc"))
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: unknown key '%s' (module, default, variant, tags, pkg, allow-dynamic, stub, lib, mode, cc, needs)",
			                    path, lineno, key);
		if (!cur)
			return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: '%s' outside a variant", path, lineno, key);
		/* Checked in every variant, chosen or not. */
		if (!strcmp(key, "mode")) {
			enum gr_link_mode m;
			if (gr_preset_mode_parse(val, &m))
				return gr_error_set(err, GR_EFORMAT, 0, "%s:%zu: mode '%s': give static, static-pie or third-party",
				                    path, lineno, val);
		}
		if (!strcmp(key, "stub")) {
			char copy[1024];
			memcpy(copy, val, strlen(val) + 1);
			for (char *t = strtok(copy, " \t"); t; t = strtok(NULL, " \t"))
				if (strchr(t, '/') || t[0] == ':' || t[0] == '-')
					return gr_error_set(err, GR_EFORMAT, 0,
					                    "%s:%zu: stub '%s': give the library's -l NAME (stub systemd for libsystemd)",
					                    path, lineno, t);
		}
		if (!variant || strcmp(cur, variant))
			continue;
		if (!strcmp(key, "mode") || !strcmp(key, "cc")) {
			/* One value (cc: the whole command); said twice, the last one counts. */
			char **dst = !strcmp(key, "mode") ? &p->mode : &p->cc;
			free(*dst);
			if (!(*dst = strdup(val)))
				return GR_ENOMEM;
			continue;
		}
		if (!strcmp(key, "needs")) {
			/* Free text, not a list; several lines join with a space. */
			size_t old = p->needs ? strlen(p->needs) : 0;
			char *n = realloc(p->needs, old + strlen(val) + 2);
			if (!n)
				return GR_ENOMEM;
			if (old)
				n[old++] = ' ';
			memcpy(n + old, val, strlen(val) + 1);
			p->needs = n;
			continue;
		}
		/* Values are space-separated lists. */
		for (char *t = strtok(val, " \t"); t; t = strtok(NULL, " \t")) {
			struct gr_strvec *dst = !strcmp(key, "tags") ? &p->tags : !strcmp(key, "pkg") ? &p->pkgs :
			                        !strcmp(key, "stub") ? &p->stubs : !strcmp(key, "lib") ? &p->libs : &p->allow;
			if (gr_strvec_push(dst, t))
				return GR_ENOMEM;
		}
	}
	return ferror(f) ? gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno)) : GR_OK;
}

static int
gr_preset_load2(const struct gr_env *env, const char *name, const char *variant, bool describe,
                struct gr_preset *p, struct gr_error *err)
{
	struct gr_strvec dirs;
	char *path = NULL, *deflt = NULL, *chosen = NULL;
	FILE *f = NULL;
	size_t i;
	bool found = false;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!gr_preset_name_ok(name))
		return gr_error_set(err, GR_EUSAGE, 0, "preset name '%s' is not a-z, 0-9, - or _", name);
	gr_strvec_init(&dirs);
	if ((rc = gr_preset_dirs(env, &dirs, err)))
		goto out;
	for (i = 0; i < dirs.n && !f; i++) {
		size_t n = strlen(dirs.v[i]) + strlen(name) + sizeof("/.preset");
		free(path);
		if (!(path = malloc(n))) {
			rc = gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
			goto out;
		}
		snprintf(path, n, "%s/%s.preset", dirs.v[i], name);
		f = fopen(path, "r");
	}
	if (!f) {
		rc = gr_error_set(err, GR_ENOTFOUND, 0, "unknown preset '%s' (no %s.preset in %s%s); see docs/presets.md",
		                  name, name, dirs.n ? dirs.v[0] : "any preset directory", dirs.n > 1 ? " or the others" : "");
		goto out;
	}
	/* First pass: the default variant; second: the chosen variant's lines. */
	rc = gr_preset_parse(f, path, NULL, p, &deflt, &found, err);
	if (rc == GR_OK && describe) {
		p->deflt = deflt;
		deflt = NULL;
		if (!(p->name = strdup(name)) || !(p->path = strdup(path)))
			rc = gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
		goto out;
	}
	if (rc == GR_OK && !variant && !deflt)
		rc = gr_error_set(err, GR_EFORMAT, 0, "%s: no variant given and no default", path);
	if (rc == GR_OK && !(chosen = strdup(variant ? variant : deflt)))
		rc = GR_ENOMEM;
	if (rc == GR_OK) {
		rewind(f);
		free(p->module);
		p->module = NULL;
		p->deflt = deflt;
		deflt = NULL;
		gr_strvec_deinit(&p->variants);
		rc = gr_preset_parse(f, path, chosen, p, &deflt, &found, err);
		/* The second pass read the default again: keep the first. */
		free(deflt);
		deflt = NULL;
	}
	variant = chosen;
	if (rc == GR_OK && !found)
		rc = gr_error_set(err, GR_ENOTFOUND, 0, "preset '%s' has no variant '%s' (see %s)", name, variant, path);
	if (rc == GR_ENOMEM && !err->msg[0])
		gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
	if (rc == GR_OK && (!(p->name = strdup(name)) || !(p->variant = strdup(variant)) ||
	                    !(p->path = strdup(path))))
		rc = gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
out:
	if (f)
		fclose(f);
	free(path);
	free(deflt);
	free(chosen);
	gr_strvec_deinit(&dirs);
	if (rc)
		gr_preset_deinit(p);
	return rc;
}

int
gr_preset_load(const struct gr_env *env, const char *name, const char *variant, struct gr_preset *p,
               struct gr_error *err)
{
	return gr_preset_load2(env, name, variant, false, p, err);
}

int
gr_preset_describe(const struct gr_env *env, const char *name, struct gr_preset *p, struct gr_error *err)
{
	return gr_preset_load2(env, name, NULL, true, p, err);
}

static int
gr_preset_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
gr_preset_names(const struct gr_env *env, struct gr_strvec *names, struct gr_error *err)
{
	struct gr_strvec dirs, seen;
	size_t i;
	int rc;

	gr_strvec_init(&dirs);
	gr_strvec_init(&seen);
	if ((rc = gr_preset_dirs(env, &dirs, err)))
		goto out;
	for (i = 0; i < dirs.n; i++) {
		DIR *d = opendir(dirs.v[i]);
		struct dirent *de;
		if (!d)
			continue;
		while ((de = readdir(d)) != NULL) {
			size_t l = strlen(de->d_name);
			if (l <= 7 || strcmp(de->d_name + l - 7, ".preset") != 0)
				continue;
			if (gr_strvec_pushn(&seen, de->d_name, l - 7)) {
				closedir(d);
				rc = gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
				goto out;
			}
		}
		closedir(d);
	}
	qsort(seen.v, seen.n, sizeof(*seen.v), gr_preset_cmp);
	for (i = 0; i < seen.n; i++) {
		/* Sorted: a repeated name follows its first. */
		if ((i && !strcmp(seen.v[i - 1], seen.v[i])) || !gr_preset_name_ok(seen.v[i]))
			continue;
		if (gr_strvec_push(names, seen.v[i])) {
			rc = gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
			goto out;
		}
	}
out:
	gr_strvec_deinit(&dirs);
	gr_strvec_deinit(&seen);
	return rc;
}

int
gr_preset_modules(const struct gr_env *env, struct gr_strvec *names, struct gr_strvec *modules,
                  struct gr_error *err)
{
	struct gr_strvec seen;
	size_t i;
	int rc;

	gr_strvec_init(&seen);
	if ((rc = gr_preset_names(env, &seen, err)))
		goto out;
	for (i = 0; i < seen.n; i++) {
		struct gr_preset p;
		struct gr_error e;
		/* Its default variant: a file without one cannot apply itself. */
		int lrc = gr_preset_load(env, seen.v[i], NULL, &p, &e);
		if (lrc != GR_OK) {
			if (lrc == GR_ENOMEM) {
				rc = gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
				goto out;
			}
			continue;
		}
		if (p.module && (gr_strvec_push(names, p.name) || gr_strvec_push(modules, p.module))) {
			gr_preset_deinit(&p);
			rc = gr_error_set(err, GR_ENOMEM, 0, "presets: out of memory");
			goto out;
		}
		gr_preset_deinit(&p);
	}
out:
	gr_strvec_deinit(&seen);
	return rc;
}

int
gr_preset_mode_parse(const char *name, enum gr_link_mode *m)
{
	if (!strcmp(name, "static"))
		*m = GR_LINK_STATIC;
	else if (!strcmp(name, "static-pie"))
		*m = GR_LINK_STATIC_PIE;
	else if (!strcmp(name, "third-party"))
		*m = GR_LINK_THIRD_PARTY;
	else
		return GR_EFORMAT;
	return GR_OK;
}

/* The first word of a command (into buf), and where its file name starts. */
static const char *
gr_preset_cmd_word(const char *cmd, char *buf, size_t n, const char **base)
{
	size_t l;

	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	l = strcspn(cmd, " \t");
	if (l >= n)
		l = n - 1;
	memcpy(buf, cmd, l);
	buf[l] = '\0';
	*base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
	return buf;
}

int
gr_preset_conflict(const struct gr_preset *p, enum gr_link_mode mode, const char *cc, bool named,
                   struct gr_error *err)
{
	char opt[160], how[200];
	enum gr_link_mode want;

	if (named)
		snprintf(how, sizeof(how), "%s=%s", gr_preset_option(p->name, opt, sizeof(opt)), p->variant);
	else
		snprintf(how, sizeof(how), "the preset %s (variant %s, applied by itself)", p->name, p->variant);
	if (p->mode && gr_preset_mode_parse(p->mode, &want) == GR_OK && want != mode)
		return gr_error_set(err, GR_EUSAGE, 0,
		                    "%s builds --%s, but this build is --%s: the command line and the preset disagree on the mode; drop --%s%s (%s)",
		                    how, gr_link_mode_name(want), gr_link_mode_name(mode), gr_link_mode_name(mode),
		                    named ? ", or choose another variant" : ", name the preset, or use --no-auto-presets",
		                    p->path);
	if (p->cc) {
		char a[512], b[512];
		const char *ab, *bb;
		gr_preset_cmd_word(p->cc, a, sizeof(a), &ab);
		gr_preset_cmd_word(cc ? cc : "", b, sizeof(b), &bb);
		if (strcmp(a, b) && strcmp(ab, bb))
			return gr_error_set(err, GR_EUSAGE, 0,
			                    "%s builds with CC=%s, but this build's C compiler is %s (CC or go env CC): the environment and the preset disagree on the compiler; unset CC (or go env -u CC)%s (%s)",
			                    how, p->cc, cc && *cc ? cc : "(none)",
			                    named ? " to let the preset set it, or choose another variant" : ", name the preset, or use --no-auto-presets",
			                    p->path);
	}
	return GR_OK;
}

const char *
gr_preset_option(const char *name, char *buf, size_t n)
{
	if (!strcmp(name, "sqlite3"))
		snprintf(buf, n, "--sqlite3");
	else
		snprintf(buf, n, "--preset %s", name);
	return buf;
}
