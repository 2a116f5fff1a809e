#define _GNU_SOURCE
#include "gr_cmd_rebuild.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_cli.h"
#include "gr_cmd_build.h"
#include "gr_json.h"
#include "gr_path.h"
#include "gr_rebuild.h"

#define GR_REBUILD_SCHEMA "gorelink-rebuild/1"

void
gr_cmd_rebuild_usage(FILE *f)
{
	fputs("Usage: gorelink rebuild [OPTIONS] BINARY [-- GORELINK_OPTIONS...]\n"
	      "\n"
	      "Rebuild an existing Go binary static: the same main module at the same version\n"
	      "(fetched through the module proxy, as go install MOD@VERSION does), every\n"
	      "dependency pinned to the version the binary records, and its -tags, -ldflags,\n"
	      "-gcflags, -trimpath, CGO_* flags, GOOS/GOARCH and GOAMD64-style settings.\n"
	      "When go install PKG@VERSION selects the binary's dependency versions, that is\n"
	      "the build (GOBIN private), and the main module line is the original's; else\n"
	      "go build in a copy pinned to them, stamped (devel), and the reason is said.\n"
	      "The new binary's build info is compared with the old one's: every difference\n"
	      "is listed, and only the link's (and a copy's (devel) stamp) may differ.\n"
	      "\n"
	      "Options:\n"
	      "  -o OUT                  where the new binary goes (default: BINARY's name in the\n"
	      "                          current directory; never BINARY itself unless -o says so;\n"
	      "                          a directory takes that name inside)\n"
	      "      --static            no interpreter, no shared library (the default)\n"
	      "      --static-pie        a static PIE (the default for a -buildmode=pie binary)\n"
	      "      --third-party       the C library family stays dynamic\n"
	      "      --go GO             the go command (default: go on PATH)\n"
	      "      --dry-run           rebuild and compare, leave OUT alone\n"
	      "      --json              a JSON report (schema gorelink-rebuild/1) on stdout; the\n"
	      "                          build's own report goes to stderr\n"
	      "  -v, --verbose           log the build's steps on stderr\n"
	      "      --trust-build-flags rebuild with recorded CGO_*FLAGS and -ldflags words outside\n"
	      "                          the allowlist (a binary's build info is not trusted input)\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "GORELINK_OPTIONS are the build's (gorelink --help), e.g. --pkg NAME, --sqlite3.\n"
	      "\n"
	      "Refused (exit 3): a binary without Go build info, one built from a dirty tree\n"
	      "(vcs.modified=true), from a local directory (main module version (devel)),\n"
	      "with CGO_ENABLED=0, or with a dependency replaced by a directory.\n"
	      "\n"
	      "Exit status:\n"
	      "  0   rebuilt, checked, in place; only expected differences\n"
	      "  1   the build info differs beyond the link (OUT untouched), or the build's 1\n"
	      "  2   could not fetch or build (go mod download, go build, the link...)\n"
	      "  3   refused: the binary cannot be rebuilt from a module version\n"
	      "  64  usage error\n"
	      "See gorelink(1), section REBUILD.\n", f);
}

/* Set or unset what the plan says, remembering the old values. */
struct gr_cmd_rb_env {
	char *name[64];
	char *old[64];
	size_t n;
};

static void
gr_cmd_rb_env_save(struct gr_cmd_rb_env *e, const char *name)
{
	const char *v;

	if (e->n >= 64)
		return;
	e->name[e->n] = strdup(name);
	v = getenv(name);
	e->old[e->n] = v ? strdup(v) : NULL;
	e->n++;
}

static void
gr_cmd_rb_env_apply(struct gr_cmd_rb_env *e, const struct gr_rebuild_plan *p)
{
	size_t i;

	for (i = 0; i < p->setenv.n; i++) {
		char *kv = strdup(p->setenv.v[i]), *eq;
		if (!kv || !(eq = strchr(kv, '='))) {
			free(kv);
			continue;
		}
		*eq = '\0';
		gr_cmd_rb_env_save(e, kv);
		setenv(kv, eq + 1, 1);
		free(kv);
	}
	for (i = 0; i < p->unsetenv.n; i++) {
		gr_cmd_rb_env_save(e, p->unsetenv.v[i]);
		unsetenv(p->unsetenv.v[i]);
	}
}

static void
gr_cmd_rb_env_restore(struct gr_cmd_rb_env *e)
{
	while (e->n > 0) {
		e->n--;
		if (e->name[e->n]) {
			if (e->old[e->n])
				setenv(e->name[e->n], e->old[e->n], 1);
			else
				unsetenv(e->name[e->n]);
		}
		free(e->name[e->n]);
		free(e->old[e->n]);
	}
}

static void
gr_cmd_rb_json_list(struct gr_json *j, const char *key, const struct gr_strvec *v)
{
	size_t i;

	gr_json_arr_begin(j, key);
	for (i = 0; v && i < v->n; i++)
		gr_json_str(j, NULL, v->v[i]);
	gr_json_arr_end(j);
}

struct gr_cmd_rb {
	const char *binary, *out, *error;
	const struct gr_rebuild_info *old;
	const struct gr_rebuild_plan *plan;
	const struct gr_rebuild_diff *diffs;
	size_t ndiffs;
	bool refused, dry_run, placed, compared;
	int status;
};

static void
gr_cmd_rb_json(FILE *f, const struct gr_cmd_rb *r)
{
	struct gr_json j;
	size_t i, unexpected = 0;

	for (i = 0; i < r->ndiffs; i++)
		unexpected += !strcmp(r->diffs[i].kind, "unexpected");
	gr_json_init(&j, f);
	gr_json_obj_begin(&j, NULL);
	gr_json_str(&j, "schema", GR_REBUILD_SCHEMA);
	gr_json_bool(&j, "ok", r->status == 0);
	gr_json_int(&j, "exit", r->status);
	gr_json_str(&j, "error", r->error);
	gr_json_bool(&j, "refused", r->refused);
	gr_json_str(&j, "binary", r->binary);
	gr_json_str(&j, "out", r->placed ? r->out : NULL);
	gr_json_bool(&j, "dry_run", r->dry_run);
	gr_json_str(&j, "go_version", r->old ? r->old->go_version : NULL);
	gr_json_str(&j, "package", r->old ? r->old->path : NULL);
	gr_json_str(&j, "module", r->old ? r->old->main.path : NULL);
	gr_json_str(&j, "version", r->old ? r->old->main.version : NULL);
	gr_json_str(&j, "fetched_sum", r->plan ? r->plan->fetched_sum : NULL);
	gr_json_str(&j, "method", r->plan ? (r->plan->install ? "install" : "build") : NULL);
	gr_json_str(&j, "method_why", r->plan ? r->plan->copy_why : NULL);
	gr_cmd_rb_json_list(&j, "pinned", r->plan ? &r->plan->pinned : NULL);
	gr_cmd_rb_json_list(&j, "go_flags", r->plan ? &r->plan->goargs : NULL);
	gr_cmd_rb_json_list(&j, "env", r->plan ? &r->plan->setenv : NULL);
	gr_cmd_rb_json_list(&j, "unset_env", r->plan ? &r->plan->unsetenv : NULL);
	gr_cmd_rb_json_list(&j, "warnings", r->plan ? &r->plan->warnings : NULL);
	gr_json_bool(&j, "compared", r->compared);
	gr_json_int(&j, "unexpected", (long long)unexpected);
	gr_json_arr_begin(&j, "differences");
	for (i = 0; i < r->ndiffs; i++) {
		gr_json_obj_begin(&j, NULL);
		gr_json_str(&j, "what", r->diffs[i].what);
		gr_json_str(&j, "old", r->diffs[i].old_v);
		gr_json_str(&j, "new", r->diffs[i].new_v);
		gr_json_str(&j, "kind", r->diffs[i].kind);
		gr_json_str(&j, "why", r->diffs[i].why);
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	gr_json_obj_end(&j);
	fputc('\n', f);
}

/* Where the new binary goes: absolute, a directory taking BINARY's name. */
static char *
gr_cmd_rb_out(const char *binary, const char *o)
{
	char *b = strdup(binary), *name, *r = NULL, cwd[4096];
	struct stat st;

	if (!b)
		return NULL;
	name = basename(b);
	if (!o) {
		r = strdup(name);
	} else if (stat(o, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = gr_path_join(o, name);
	} else {
		r = strdup(o);
	}
	free(b);
	if (r && r[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		char *a = gr_path_join(cwd, r);
		free(r);
		r = a;
	}
	return r;
}

/* A value in quotes, or (none) when absent. */
static void
gr_cmd_rb_value(FILE *f, const char *v)
{
	if (!v) {
		fputs("(none)", f);
		return;
	}
	fputc('"', f);
	gr_cli_put_escaped(f, v, strlen(v));
	fputc('"', f);
}

static void
gr_cmd_rb_show(FILE *f, const struct gr_rebuild_diff *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fprintf(f, "  %-10s  %s: ", d[i].kind, d[i].what);
		gr_cmd_rb_value(f, d[i].old_v);
		fputs(" -> ", f);
		gr_cmd_rb_value(f, d[i].new_v);
		fprintf(f, "\n              %s\n", d[i].why);
	}
}

int
gr_cmd_rebuild(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option longopts[] = {
		{"static", no_argument, NULL, 's'},
		{"static-pie", no_argument, NULL, 'p'},
		{"third-party", no_argument, NULL, 't'},
		{"go", required_argument, NULL, 'g'},
		{"dry-run", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		{"trust-build-flags", no_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *mode = NULL, *go = "go", *o = NULL;
	bool json = false, verbose = false, trust = false;
	struct gr_cmd_rb r;
	struct gr_arena a;
	struct gr_error e;
	struct gr_rebuild_info old, new;
	struct gr_rebuild_plan plan;
	struct gr_rebuild_diff *diffs = NULL;
	struct gr_cmd_rb_env saved;
	struct gr_strvec bav;
	struct gr_cmd_build_hooks hooks;
	struct stat st_in, st_out;
	char *outpath = NULL, *tmpout = NULL, *dirc = NULL;
	int c, rc, cwd = -1;
	size_t i;
	bool have_plan = false, preset_tags = false;

	memset(&r, 0, sizeof(r));
	memset(&saved, 0, sizeof(saved));
	gr_strvec_init(&bav);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o = optarg; break;
		case 's': mode = "--static"; break;
		case 'p': mode = "--static-pie"; break;
		case 't': mode = "--third-party"; break;
		case 'g': go = optarg; break;
		case 'n': r.dry_run = true; break;
		case 'j': json = true; break;
		case 'v': verbose = true; break;
		case 'T': trust = true; break;
		case 'h':
			gr_cmd_rebuild_usage(out);
			return GR_EXIT_OK;
		case ':':
			gr_cli_diag(err, "option '%s' needs an argument; see 'gorelink rebuild --help'",
			            argv[optind - 1]);
			return GR_EXIT_USAGE;
		default:
			gr_cli_diag(err, "unknown option '%s'; see 'gorelink rebuild --help'", argv[optind - 1]);
			return GR_EXIT_USAGE;
		}
	}
	if (optind >= argc || !strcmp(argv[optind], "--")) {
		gr_cli_diag(err, "rebuild: which binary? see 'gorelink rebuild --help'");
		return GR_EXIT_USAGE;
	}
	r.binary = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") != 0) {
		gr_cli_diag(err, "rebuild: one binary at a time ('%s' after '%s')", argv[optind], r.binary);
		return GR_EXIT_USAGE;
	}
	if (optind < argc)
		optind++;  /* "--": the rest are the build's options */

	gr_arena_init(&a);
	gr_error_clear(&e);
	r.status = GR_EXIT_OK;
	if ((rc = gr_rebuild_read(r.binary, &a, &old, &e)) || (r.old = &old, rc = gr_rebuild_refuse(&old, &e)) ||
	    (!trust && (rc = gr_rebuild_refuse_flags(&old, &e)))) {
		r.refused = rc == GR_REBUILD_EREFUSED;
		r.status = r.refused ? GR_EXIT_REFUSED : GR_EXIT_ERROR;
		r.error = e.msg;
		if (!json)
		{
			if (r.refused)
				gr_cli_diag(err, "rebuild: %s: refused: %s", r.binary, e.msg);
			else
				gr_cli_diag(err, "rebuild: %s", e.msg);
		}
		goto done;
	}
	if (!(outpath = gr_cmd_rb_out(r.binary, o))) {
		r.status = GR_EXIT_ERROR;
		r.error = "out of memory";
		goto done;
	}
	r.out = outpath;
	if (!o && stat(r.binary, &st_in) == 0 && stat(outpath, &st_out) == 0 && st_in.st_dev == st_out.st_dev &&
	    st_in.st_ino == st_out.st_ino) {
		r.status = GR_EXIT_USAGE;
		r.error = "the default output is BINARY itself: name the output with -o (-o BINARY to replace it)";
		if (!json)
			gr_cli_diag(err, "rebuild: %s", r.error);
		goto done;
	}
	dirc = strdup(outpath);
	if (!dirc || asprintf(&tmpout, "%s/.%s.rebuild-%ld", dirname(dirc), basename(outpath), (long)getpid()) < 0) {
		tmpout = NULL;
		r.status = GR_EXIT_ERROR;
		r.error = "out of memory";
		goto done;
	}
	if (!json)
		fprintf(err, "gorelink: rebuilding %s@%s (package %s, %s)\n", old.main.path, old.main.version,
		        old.path, old.go_version);
	if ((rc = gr_rebuild_prepare(&old, go, getenv("TMPDIR"), &plan, &e))) {
		have_plan = true;
		r.status = GR_EXIT_ERROR;
		r.error = e.msg;
		if (!json)
			gr_cli_diag(err, "rebuild: %s", e.msg);
		goto done;
	}
	have_plan = true;
	r.plan = &plan;
	for (i = 0; !json && i < plan.warnings.n; i++)
		fprintf(err, "gorelink: warning: %s\n", plan.warnings.v[i]);
	if (!json && plan.install)
		fprintf(err, "gorelink: building with go install %s@%s (the module's own dependency versions are "
		        "the binary's)\n", old.path, old.main.version);
	else if (!json)
		fprintf(err, "gorelink: building with go build in a pinned copy (its main module reads (devel)): %s\n",
		        plan.copy_why);
	if (!mode)
		mode = plan.pie ? "--static-pie" : "--static";
	/* gorelink [MODE] [-v] -o TMPOUT [GORELINK_OPTIONS] PACKAGE -- GO_FLAGS, in the copy. */
	/* No preset applies itself: a preset's tags would change the program. */
	if (gr_strvec_push(&bav, "gorelink") || gr_strvec_push(&bav, mode) ||
	    gr_strvec_push(&bav, "--no-auto-presets") ||
	    (verbose && gr_strvec_push(&bav, "-v")) || gr_strvec_push(&bav, "--go") || gr_strvec_push(&bav, go) || gr_strvec_push(&bav, "-o") || gr_strvec_push(&bav, tmpout)) {
		r.status = GR_EXIT_ERROR;
		r.error = "out of memory";
		goto done;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (gr_strvec_push(&bav, argv[i]))
			goto nomem;
		if (!strncmp(argv[i], "--sqlite3", 9) || !strncmp(argv[i], "--preset", 8))
			preset_tags = true;
	}
	if (gr_strvec_push(&bav, old.path) || gr_strvec_push(&bav, "--"))
		goto nomem;
	for (i = 0; i < plan.goargs.n; i++)
		if (gr_strvec_push(&bav, plan.goargs.v[i]))
			goto nomem;
	if ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || chdir(plan.workdir) != 0) {
		r.status = GR_EXIT_ERROR;
		r.error = "cannot enter the module copy";
		if (!json)
			gr_cli_diag(err, "rebuild: %s: %s", plan.workdir, strerror(errno));
		goto done;
	}
	gr_cmd_rb_env_apply(&saved, &plan);
	/* go install PACKAGE@VERSION stamps the main module as the original's go
	 * install did; the copy is where gorelink's go list runs, pinned alike. */
	memset(&hooks, 0, sizeof(hooks));
	hooks.install_version = plan.install ? old.main.version : NULL;
	rc = gr_cmd_build_with((int)bav.n, bav.v, json ? err : out, err, &hooks);
	gr_cmd_rb_env_restore(&saved);
	if (fchdir(cwd) != 0) {
		r.status = GR_EXIT_ERROR;
		r.error = "cannot return to the working directory";
		goto done;
	}
	if (rc != 0) {
		r.status = rc;
		r.error = "the build failed (its messages are above)";
		goto done;
	}
	if ((rc = gr_rebuild_read(tmpout, &a, &new, &e)) ||
	    (rc = gr_rebuild_compare(&old, &new, plan.fetched_sum, plan.copy_why, preset_tags, &a, &diffs, &r.ndiffs, &e))) {
		r.status = GR_EXIT_ERROR;
		r.error = e.msg;
		if (!json)
			gr_cli_diag(err, "rebuild: %s", e.msg);
		goto done;
	}
	r.diffs = diffs;
	r.compared = true;
	if (strcmp(old.go_version, new.go_version) != 0) {
		char *w = NULL;
		if (asprintf(&w, "%s was built with %s, the rebuild with the installed %s: the differences of "
		             "kind toolchain follow from that; with that Go installed (GOTOOLCHAIN=%s) they go away",
		             r.binary, old.go_version, new.go_version, old.go_version) >= 0) {
			if (!json)
				fprintf(err, "gorelink: warning: %s\n", w);
			gr_strvec_push(&plan.warnings, w);
			free(w);
		}
	}
	if (gr_rebuild_unexpected(diffs, r.ndiffs)) {
		r.status = GR_EXIT_FAIL;
		r.error = "the new binary's build info differs beyond the link; OUT left alone";
	} else if (!r.dry_run) {
		if (rename(tmpout, outpath) != 0) {
			r.status = GR_EXIT_ERROR;
			r.error = "cannot move the new binary into place";
			if (!json)
				gr_cli_diag(err, "rebuild: rename %s to %s: %s", tmpout, outpath, strerror(errno));
			goto done;
		}
		r.placed = true;
	}
	if (!json) {
		FILE *f = r.status ? err : out;
		fprintf(f, "%s: %s from %s@%s; build info compared with %s: %zu difference%s%s\n",
		        r.dry_run ? tmpout : outpath,
		        r.status ? "NOT placed: rebuilt" : r.dry_run ? "dry run: rebuilt" : "rebuilt",
		        old.main.path, old.main.version, r.binary, r.ndiffs, r.ndiffs == 1 ? "" : "s",
		        r.status ? ", some unexpected" : r.ndiffs ? ", all expected" : "");
		gr_cmd_rb_show(f, diffs, r.ndiffs);
	}
	goto done;
nomem:
	r.status = GR_EXIT_ERROR;
	r.error = "out of memory";
done:
	if (cwd >= 0)
		close(cwd);
	if (tmpout)
		unlink(tmpout);
	if (json)
		gr_cmd_rb_json(out, &r);
	if (have_plan)
		gr_rebuild_plan_free(&plan);
	rc = r.status;
	gr_strvec_deinit(&bav);
	free(outpath);
	free(tmpout);
	free(dirc);
	gr_arena_deinit(&a);
	return rc;
}
