#include "gr_cmd_presets.h"

#include <stdbool.h>
#include <string.h>

#include "gr_cli.h"
#include "gr_env.h"
#include "gr_preset.h"
#include "gr_strvec.h"

extern char **environ;

static void
gr_cmd_presets_usage(FILE *f)
{
	fputs("Usage: gorelink presets [NAME...]\n"
	      "\n"
	      "List the presets gorelink finds (every NAME.preset in $GORELINK_PRESET_PATH,\n"
	      "then the installed and the build tree's preset directories; the first file of\n"
	      "a name wins), or only the NAMEs given: for each, its file, the Go module it\n"
	      "applies itself to, the option that names it, and every variant with its build\n"
	      "tags, pkg-config packages, libraries allowed to stay dynamic, libraries\n"
	      "stubbed, link flags added, its mode and C compiler, and what it needs (the\n"
	      "preset's `needs` line: Debian packages, and whether the result is fully\n"
	      "static on Debian 12). See docs/presets.md.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help  this text\n"
	      "\n"
	      "Exit status: 0 every preset listed loads, 2 a preset file is malformed or\n"
	      "unreadable (named on stderr; the others are still listed), 64 usage error\n"
	      "or an unknown NAME.\n", f);
}

/* " WHAT A B C" after a ":" (first) or a ";" (the others); nothing for an empty list. */
static void
gr_cmd_presets_list(FILE *out, const char *what, const struct gr_strvec *v, bool *first)
{
	if (!v->n)
		return;
	fprintf(out, "%s %s", *first ? ":" : ";", what);
	for (size_t i = 0; i < v->n; i++)
		fprintf(out, " %s", v->v[i]);
	*first = false;
}

/* Print one preset; returns GR_OK or the error that stopped it (in err). */
static int
gr_cmd_presets_one(const struct gr_env *env, const char *name, FILE *out, struct gr_error *err)
{
	struct gr_preset d;
	char opt[160];
	int rc;

	if ((rc = gr_preset_describe(env, name, &d, err)))
		return rc;
	fprintf(out, "%s  %s\n", name, d.path);
	fprintf(out, "  module  %s\n", d.module ? d.module : "(none: applied only when named)");
	fprintf(out, "  option  %s[=VARIANT]\n", gr_preset_option(name, opt, sizeof(opt)));
	for (size_t i = 0; i < d.variants.n; i++) {
		struct gr_preset p;
		bool deflt = d.deflt && !strcmp(d.deflt, d.variants.v[i]);
		if ((rc = gr_preset_load(env, name, d.variants.v[i], &p, err)))
			break;
		fprintf(out, "  variant %s%s", p.variant, deflt ? " (default)" : "");
		bool first = true;
		gr_cmd_presets_list(out, "tags", &p.tags, &first);
		gr_cmd_presets_list(out, "pkg", &p.pkgs, &first);
		gr_cmd_presets_list(out, "allow-dynamic", &p.allow, &first);
		gr_cmd_presets_list(out, "stub", &p.stubs, &first);
		gr_cmd_presets_list(out, "lib", &p.libs, &first);
		if (p.mode) {
			fprintf(out, "%s mode %s", first ? ":" : ";", p.mode);
			first = false;
		}
		if (p.cc) {
			fprintf(out, "%s cc %s", first ? ":" : ";", p.cc);
			first = false;
		}
		if (first)
			fputs(": nothing added", out);
		fputc('\n', out);
		fprintf(out, "    needs: %s\n", p.needs ? p.needs : "(not said)");
		gr_preset_deinit(&p);
	}
	gr_preset_deinit(&d);
	return rc;
}

int
gr_cmd_presets(int argc, char **argv, FILE *out, FILE *err)
{
	struct gr_env env;
	struct gr_strvec names;
	struct gr_error e;
	int i, status = GR_EXIT_OK, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			gr_cmd_presets_usage(out);
			return GR_EXIT_OK;
		}
		if (!strcmp(argv[i], "--"))
			break;
		if (argv[i][0] == '-') {
			fprintf(err, "gorelink presets: unknown option '%s'\n", argv[i]);
			return GR_EXIT_USAGE;
		}
	}
	gr_env_from_environ(&env, environ);
	gr_strvec_init(&names);
	memset(&e, 0, sizeof(e));
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") && gr_strvec_push(&names, argv[i]))
			goto nomem;
	if (!names.n && (rc = gr_preset_names(&env, &names, &e))) {
		gr_cli_diag(err, "%s", e.msg);
		gr_strvec_deinit(&names);
		return GR_EXIT_ERROR;
	}
	for (size_t k = 0; k < names.n; k++) {
		memset(&e, 0, sizeof(e));
		if (k)
			fputc('\n', out);
		rc = gr_cmd_presets_one(&env, names.v[k], out, &e);
		if (rc == GR_ENOMEM)
			goto nomem;
		if (rc) {
			gr_cli_diag(err, "%s", e.msg);
			if (rc == GR_EUSAGE || (rc == GR_ENOTFOUND && argc > 1))
				status = GR_EXIT_USAGE;
			else if (status == GR_EXIT_OK)
				status = GR_EXIT_ERROR;
		}
	}
	gr_strvec_deinit(&names);
	return status;
nomem:
	fputs("gorelink presets: out of memory\n", err);
	gr_strvec_deinit(&names);
	return GR_EXIT_ERROR;
}
