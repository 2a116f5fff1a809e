#include "gr_linkstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_file.h"
#include "gr_kv.h"

void
gr_linkstate_init(struct gr_linkstate *ls)
{
	memset(ls, 0, sizeof(*ls));
	gr_strvec_init(&ls->cc);
	gr_strvec_init(&ls->cxx);
	gr_strvec_init(&ls->extra);
	gr_strvec_init(&ls->extra_origin);
	gr_strvec_init(&ls->allow);
	gr_strvec_init(&ls->system_libs);
}

void
gr_linkstate_deinit(struct gr_linkstate *ls)
{
	gr_strvec_deinit(&ls->cc);
	gr_strvec_deinit(&ls->cxx);
	gr_strvec_deinit(&ls->extra);
	gr_strvec_deinit(&ls->extra_origin);
	gr_strvec_deinit(&ls->allow);
	gr_strvec_deinit(&ls->system_libs);
	free(ls->report);
	ls->report = NULL;
	free(ls->darwin_arch);
	ls->darwin_arch = NULL;
	free(ls->syslibroot);
	ls->syslibroot = NULL;
	ls->darwin = false;
}

const char *
gr_link_mode_name(enum gr_link_mode m)
{
	switch (m) {
	case GR_LINK_STATIC: return "static";
	case GR_LINK_STATIC_PIE: return "static-pie";
	case GR_LINK_THIRD_PARTY: return "third-party";
	}
	return "static";
}

int
gr_linkstate_write(const char *path, const struct gr_linkstate *ls, struct gr_error *err)
{
	struct gr_kvbuf b = { NULL, 0, 0, false };
	size_t i;
	FILE *f;
	int rc = GR_OK;

	gr_kv_put(&b, 'M', gr_link_mode_name(ls->mode));
	for (i = 0; i < ls->cc.n; i++)
		gr_kv_put(&b, 'c', ls->cc.v[i]);
	for (i = 0; i < ls->cxx.n; i++)
		gr_kv_put(&b, 'C', ls->cxx.v[i]);
	for (i = 0; i < ls->extra.n; i++) {
		gr_kv_put(&b, 'x', ls->extra.v[i]);
		if (i < ls->extra_origin.n)
			gr_kv_put(&b, 'o', ls->extra_origin.v[i]);
	}
	for (i = 0; i < ls->allow.n; i++)
		gr_kv_put(&b, 'a', ls->allow.v[i]);
	for (i = 0; i < ls->system_libs.n; i++)
		gr_kv_put(&b, 's', ls->system_libs.v[i]);
	gr_kv_put(&b, 'r', ls->report);
	if (ls->fix)
		gr_kv_put(&b, 'f', "1");
	if (ls->darwin)
		gr_kv_put(&b, 'D', ls->darwin_arch ? ls->darwin_arch : "");
	if (ls->syslibroot)
		gr_kv_put(&b, 'R', ls->syslibroot);
	if (b.nomem) {
		free(b.p);
		return gr_error_set(err, GR_ENOMEM, 0, "link state: out of memory");
	}
	f = fopen(path, "w");
	if (!f || fwrite(b.p, 1, b.n, f) != b.n || fclose(f) != 0) {
		int e = errno;
		rc = gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e));
	}
	free(b.p);
	return rc;
}

int
gr_linkstate_read(const char *path, struct gr_linkstate *ls, struct gr_error *err)
{
	FILE *f = fopen(path, "r");
	char *text, *cur, *v, tag;
	bool bad = false, ok = true;
	int rc;

	if (!f)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	rc = gr_file_read_all(f, (size_t)-1, &text, NULL);
	fclose(f);
	if (rc == GR_EIO)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	gr_linkstate_init(ls);
	for (cur = text; ok && gr_kv_next(&cur, &tag, &v, &bad);) {
		switch (tag) {
		case 'M':
			if (!strcmp(v, "static-pie"))
				ls->mode = GR_LINK_STATIC_PIE;
			else if (!strcmp(v, "third-party"))
				ls->mode = GR_LINK_THIRD_PARTY;
			else
				ls->mode = GR_LINK_STATIC;
			break;
		case 'c': ok = gr_strvec_push(&ls->cc, v) == GR_OK; break;
		case 'C': ok = gr_strvec_push(&ls->cxx, v) == GR_OK; break;
		case 'x':
			ok = gr_strvec_push(&ls->extra, v) == GR_OK && gr_strvec_push(&ls->extra_origin, "--pkg") == GR_OK;
			break;
		case 'o':
			/* The origin of the extra flag just read. */
			if (ls->extra_origin.n) {
				char *d = strdup(v);
				ok = d != NULL;
				if (d) {
					free(ls->extra_origin.v[ls->extra_origin.n - 1]);
					ls->extra_origin.v[ls->extra_origin.n - 1] = d;
				}
			} else {
				bad = true;
				ok = false;
			}
			break;
		case 'a': ok = gr_strvec_push(&ls->allow, v) == GR_OK; break;
		case 's': ok = gr_strvec_push(&ls->system_libs, v) == GR_OK; break;
		case 'r': free(ls->report); ok = (ls->report = strdup(v)) != NULL; break;
		case 'f': ls->fix = true; break;
		case 'D':
			ls->darwin = true;
			free(ls->darwin_arch);
			ls->darwin_arch = NULL;
			ok = !*v || (ls->darwin_arch = strdup(v)) != NULL;
			break;
		case 'R': free(ls->syslibroot); ok = (ls->syslibroot = strdup(v)) != NULL; break;
		default: bad = true; ok = false;
		}
	}
	free(text);
	if (!ok && !bad) {
		gr_linkstate_deinit(ls);
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	}
	if (bad || ls->cc.n == 0) {
		gr_linkstate_deinit(ls);
		return gr_error_set(err, GR_EFORMAT, 0, "%s: malformed link state", path);
	}
	return GR_OK;
}
