#include "gr_cmd_build.h"

#include <getopt.h>
#include <signal.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gr_build.h"
#include "gr_sbom.h"
#include "gr_cli.h"
#include "gr_cmd_check.h"
#include "gr_cmd_checkver.h"
#include "gr_cmd_pcrw.h"
#include "gr_json.h"
#include "gr_path.h"
#include "gr_preset.h"

extern char **environ;

#define GR_BUILD_SCHEMA "gorelink-build/1"

void
gr_cmd_build_usage(FILE *f)
{
	fputs("Usage: gorelink [OPTIONS] PACKAGE [-- GO_BUILD_FLAGS...]\n"
	      "\n"
	      "Build a Go main package that uses cgo into a static binary, and prove it:\n"
	      "go build runs with gorelink-ld as its external linker, which links every\n"
	      "library from its static archive (found with GNU ld's own rules); the result\n"
	      "is checked like `gorelink check` before it replaces OUT.\n"
	      "\n"
	      "Modes:\n"
	      "      --static            no interpreter, no shared library (the default);\n"
	      "                          adds the tags netgo,osusergo\n"
	      "      --static-pie        the same, as a static PIE (-buildmode=pie)\n"
	      "      --third-party       third-party libraries from archives; the C library\n"
	      "                          family and the gcc runtime stay dynamic\n"
	      "\n"
	      "Options:\n"
	      "  -o OUT                  where the binary goes (default: go build's name in the\n"
	      "                          current directory; a directory takes that name inside)\n"
	      "      --sqlite3[=VARIANT] the github.com/mattn/go-sqlite3 preset: bundled (the\n"
	      "                          default) or system: Debian's libsqlite3.a\n"
	      "      --preset NAME[=VARIANT]  any preset (docs/presets.md)\n"
	      "      --no-auto-presets   do not apply the preset of a module in the build by\n"
	      "                          itself (by default a module with a preset, e.g.\n"
	      "                          github.com/mattn/go-sqlite3, gets its default variant)\n"
	      "      --pkg NAME          link pkg-config package NAME's static libraries too\n"
	      "                          (repeatable; for cgo code that writes a bare -lfoo)\n"
	      "      --max-version NAME  the binary may need no symbol version of NAME's family\n"
	      "                          newer than NAME (GLIBC_2.28, GLIBCXX_3.4.25; repeatable,\n"
	      "                          one per family): checked before OUT is replaced, for\n"
	      "                          --third-party builds (a static binary needs none)\n"
	      "      --glibc X.Y         short for --max-version GLIBC_X.Y\n"
	      "      --allow-dynamic NAME  keep -lNAME dynamic (repeatable); implies --third-party:\n"
	      "                          the check accepts libNAME and the libc family\n"
	      "      --lib FLAG          add a link flag, e.g. --lib -lm (repeatable; -l become\n"
	      "                          archives like the others)\n"
	      "      --stub NAME         libNAME has no archive: link failing stubs of the functions\n"
	      "                          the link needs from it instead (repeatable; they return\n"
	      "                          -1 with errno ENOSYS, NULL or nothing: those code paths\n"
	      "                          fail at run time)\n"
	      "      --fix               when the link fails on undefined symbols, add the archives\n"
	      "                          that define them and link again (at most 3 times)\n"
	      "      --no-infer          do not infer the pkg-config package of a bare -lNAME\n"
	      "                          (by default its pkg-config --static closure is linked\n"
	      "                          right after it; see gorelink(1))\n"
	      "      --no-manifest       embed no manifest in the binary (by default an ELF\n"
	      "                          binary carries it in the note .note.gorelink.manifest,\n"
	      "                          a Mach-O one in __GORELINK,__manifest; docs/sbom.md)\n"
	      "      --linker=LINKER     the final link's linker: auto (the fastest installed\n"
	      "                          that can do the mode: mold, lld, gold, then bfd;\n"
	      "                          glibc's static-link warnings that mold and lld do not\n"
	      "                          print are made from their trace), bfd, gold, lld or mold\n"
	      "                          (-fuse-ld=LINKER; one that cannot do the mode falls\n"
	      "                          back to bfd, one that fails where bfd may not is\n"
	      "                          retried once with bfd). Default: auto, unless the\n"
	      "                          link's own -extldflags or CGO_LDFLAGS name -fuse-ld=;\n"
	      "                          --linker=bfd for GNU ld; see gorelink(1)\n"
	      "      --strict            fail when glibc warns that a function needs its shared\n"
	      "                          objects at run time (getaddrinfo, getpwnam, dlopen...)\n"
	      "      --accept-dlopen     a --static build whose library loads its plugins (through\n"
	      "                          libltdl, GModule, or a library known to need them)\n"
	      "                          fails by default: build it anyway, without the plugins\n"
	      "      --no-default-tags   do not add netgo,osusergo (not added for a musl go env CC)\n"
	      "      --go GO             the go command (default: go on PATH)\n"
	      "      --keep-failed       keep a binary that fails the check as OUT.rejected\n"
	      "      --dry-run           build and check, show the go command and the link,\n"
	      "                          leave OUT alone\n"
	      "      --relink-kit=DIR    also write the relink kit (the link's objects, its\n"
	      "                          command, the archives and their packages) to DIR, for\n"
	      "                          users to relink against a modified library (LGPL);\n"
	      "                          see docs/relink-kit.md\n"
	      "      --print-link        print the final linker command, quoted\n"
	      "      --sbom=FILE         write an SBOM of what the final link loaded (archives\n"
	      "                          and members, their Debian packages, versions, licences\n"
	      "                          and checksums, the Go modules) to FILE; docs/sbom.md\n"
	      "      --sbom-format=FMT   spdx-json (SPDX 2.3, the default) or cyclonedx-json\n"
	      "                          (CycloneDX 1.5)\n"
	      "      --deny-licence EXPR fail (exit 1, OUT untouched) when an archive's licence\n"
	      "                          holds the SPDX id EXPR (e.g. GPL-3.0-only; each id of\n"
	      "                          an AND/OR EXPR; repeatable)\n"
	      "      --json              a JSON report (schema gorelink-build/1)\n"
	      "  -v, --verbose           log each step with its time on stderr\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "GO_BUILD_FLAGS are go build's: -ldflags (merged with gorelink's; Go keeps only\n"
	      "the last one), -tags (merged), -trimpath, -buildmode=exe|pie, -o, and the rest\n"
	      "unchanged. GOFLAGS is honoured the same way.\n"
	      "\n"
	      "Up to date: when OUT already holds what this build produces (go build finds\n"
	      "its build ID current, and gorelink's options, archives and toolchain are as\n"
	      "they were when it built OUT, recorded in GORELINK_CACHE_DIR), nothing is\n"
	      "linked: OUT is checked again and left untouched (\"up to date: ...\").\n"
	      "\n"
	      "Environment: CC and CXX (through go env) are the compilers it links with\n"
	      "(CXX when the link holds C++); a musl CC (musl-gcc) needs no netgo/osusergo.\n"
	      "A cross build (GOOS/GOARCH other than the host's) needs CC for the target,\n"
	      "e.g. GOARCH=arm64 CC=aarch64-linux-gnu-gcc; cgo is turned on for it. Its CXX\n"
	      "must build for CC's target; unset, it is named after CC (aarch64-linux-gnu-g++).\n"
	      "\n"
	      "Exit status:\n"
	      "  0   built, checked and in place\n"
	      "  1   a library has no static archive, the binary failed the check, --strict\n"
	      "      refused a glibc warning, or a --static build would lose the plugins a\n"
	      "      library loads (without --accept-dlopen; OUT is untouched)\n"
	      "  2   could not build: go or the C compiler missing, CGO_ENABLED=0, a cross build\n"
	      "      without CC, go build or the link failed (undefined symbols are explained),\n"
	      "      OUT not writable\n"
	      "  64  usage error or conflicting flags\n"
	      "\n"
	      "Other commands (each with --help):\n"
	      "  gorelink check [OPTIONS] PATH...\n"
	      "      the verdict on a binary: static, static-pie, dynamic, and why\n"
	      "  gorelink pkgconf-rewrite [OPTIONS] PACKAGE...\n"
	      "      pkg-config's flags as the static archives ld would open\n"
	      "  gorelink index [OPTIONS] SYMBOL...\n"
	      "      which archive on the search path defines a symbol (else which shared library)\n"
	      "  gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]\n"
	      "      a package's static test binary (go test -c); --run runs it in an empty root\n"
	      "  gorelink rebuild [OPTIONS] BINARY\n"
	      "      the same Go program, module versions and flags as BINARY, rebuilt static\n"
	      "  gorelink go build [GO_BUILD_FLAGS...] [-o OUT] PACKAGE\n"
	      "      a go command whose build is this one (goreleaser's builds[].tool)\n"
	      "  gorelink presets [NAME...]\n"
	      "      the presets found: modules, variants, what each needs\n"
	      "See gorelink(1).\n", f);
}

/* SIGINT, SIGTERM, SIGHUP: the build stops its children and cleans up. */
static volatile int gr_cmd_build_stop;

static void
gr_cmd_build_signal(int sig)
{
	gr_cmd_build_stop = sig;
}

struct gr_cmd_build_log {
	FILE *err;
	bool tty;       /* stderr is a terminal: progress lines are rewritten in place */
	bool pending;   /* a progress line is showing */
};

static void
gr_cmd_build_progress(void *ctx, const char *step, double seconds)
{
	struct gr_cmd_build_log *l = ctx;

	if (!l->tty)
		return;
	fprintf(l->err, "\rgorelink: %s ... %.0fs", step, seconds);
	fflush(l->err);
	l->pending = true;
}

static void
gr_cmd_build_logger(void *ctx, const char *step, double seconds, const char *detail)
{
	struct gr_cmd_build_log *l = ctx;

	if (l->pending) {
		fputs("\r\033[K", l->err);
		l->pending = false;
	}
	fprintf(l->err, "gorelink: %-9s %6.2fs  ", step, seconds);
	gr_cli_put_escaped(l->err, detail ? detail : "", detail ? strlen(detail) : 0);
	fputc('\n', l->err);
}

static void
gr_cmd_build_quoted(FILE *f, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		gr_cli_put_quoted(f, v[i]);
	}
	fputc('\n', f);
}

/* "callers": every finding's source for symbol, in order (all the inputs
 * of the link that call it, not only the one glibc's warning named). */
static void
gr_cmd_build_json_callers(struct gr_json *j, const struct gr_link_report *l, const char *symbol)
{
	size_t i;

	gr_json_arr_begin(j, "callers");
	for (i = 0; i < l->nfindings; i++)
		if (!strcmp(l->findings[i].symbol, symbol))
			gr_json_str(j, NULL, l->findings[i].source);
	gr_json_arr_end(j);
}

/* A list of paths for people, each tidied (gr_path_lexical: "dir/.." collapsed). */
static void
gr_cmd_build_json_paths(struct gr_json *j, const char *key, const char *const *v, size_t n)
{
	size_t i;

	gr_json_arr_begin(j, key);
	for (i = 0; i < n; i++) {
		char *t = v[i] ? gr_path_lexical(v[i]) : NULL;
		gr_json_str(j, NULL, t ? t : v[i]);
		free(t);
	}
	gr_json_arr_end(j);
}

/* The link report's records, one object each (an absent field is null). */
static void
gr_cmd_build_json_records(struct gr_json *j, const struct gr_link_report *l)
{
	size_t i;

	gr_json_arr_begin(j, "missing");
	for (i = 0; i < l->nmissing; i++)
		gr_json_str(j, NULL, l->missing[i].name);
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "missing_chains");
	for (i = 0; i < l->nmissing; i++)
		if (l->missing[i].chain) {
			gr_json_obj_begin(j, NULL);
			gr_json_str(j, "missing", l->missing[i].name);
			gr_json_str(j, "chain", l->missing[i].chain);
			gr_json_obj_end(j);
		}
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "undefined");
	for (i = 0; i < l->nundefined; i++) {
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "lname", l->undefined[i].lname);
		gr_json_str(j, "pkg", l->undefined[i].pkg);
		gr_json_str(j, "archive", l->undefined[i].archive);
		gr_json_str(j, "option", l->undefined[i].option);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "findings");
	for (i = 0; i < l->nfindings; i++) {
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "symbol", l->findings[i].symbol);
		gr_json_str(j, "source", l->findings[i].source);
		gr_json_str(j, "function", l->findings[i].function);
		gr_json_str(j, "remedy", l->findings[i].remedy);
		gr_json_str(j, "library", l->findings[i].library);
		gr_json_str(j, "plugin_loader", l->findings[i].loader);
		gr_json_str(j, "fails", l->findings[i].fails);
		gr_cmd_build_json_callers(j, l, l->findings[i].symbol);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "fixes");
	for (i = 0; i < l->nfixes; i++) {
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "lname", l->fixes[i].lname);
		gr_json_str(j, "pkg", l->fixes[i].pkg);
		gr_json_str(j, "archive", l->fixes[i].archive);
		gr_json_str(j, "flag", l->fixes[i].flag);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "order");
	for (i = 0; i < l->norder; i++) {
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "strategy", l->order[i].strategy);
		gr_json_str(j, "needs", l->order[i].needs);
		gr_json_str(j, "provider", l->order[i].provider);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
	gr_json_arr_begin(j, "inferred");
	for (i = 0; i < l->ninferred; i++) {
		const struct gr_rec_inferred *x = &l->inferred[i];
		gr_cmd_pcrw_json_inferred(j, x->lname, x->package, x->rule, x->why, x->via, x->alternatives,
		                          x->nalternatives, x->added, x->nadded);
	}
	gr_json_arr_end(j);
	gr_json_int(j, "links", (long long)l->links);
	gr_json_arr_begin(j, "stubs");
	for (i = 0; i < l->nstubs; i++) {
		const struct gr_rec_stub *x = &l->stubs[i];
		gr_json_obj_begin(j, NULL);
		gr_json_str(j, "library", x->lib);
		gr_json_str(j, "function", x->function);
		gr_json_str(j, "returns", x->ret);
		gr_json_str(j, "type", x->type && *x->type ? x->type : NULL);
		gr_json_str(j, "refused", x->refused);
		gr_json_strs(j, "callers", x->callers, x->ncallers);
		gr_json_obj_end(j);
	}
	gr_json_arr_end(j);
}

static void
gr_cmd_build_json(FILE *out, const struct gr_build_opts *o, const struct gr_build_result *r,
                  int status, int built, const char *error, const struct gr_cmd_build_hooks *h)
{
	struct gr_json j;

	gr_json_init(&j, out);
	gr_json_obj_begin(&j, NULL);
	gr_json_str(&j, "schema", GR_BUILD_SCHEMA);
	gr_json_bool(&j, "ok", status == 0);
	gr_json_int(&j, "exit", status);
	gr_json_str(&j, "error", error);
	gr_json_str(&j, "mode", gr_link_mode_name(o->mode));
	gr_json_str(&j, "package", o->package);
	gr_json_str(&j, "out", built == 0 && !o->dry_run ? r->out : NULL);
	gr_json_bool(&j, "dry_run", o->dry_run);
	gr_json_bool(&j, "up_to_date", status == 0 && r->up_to_date);
	gr_json_bool(&j, "from_output_cache", status == 0 && r->from_output_cache);
	gr_json_str(&j, "kept", r->kept);
	gr_json_str(&j, "relink_kit", status == 0 ? r->kit : NULL);
	gr_json_str(&j, "preset", r->preset_path);
	gr_json_arr_begin(&j, "presets_applied");
	for (size_t i = 0; i + 3 < r->presets_applied.n; i += 4) {
		gr_json_obj_begin(&j, NULL);
		gr_json_str(&j, "name", r->presets_applied.v[i]);
		gr_json_str(&j, "module", *r->presets_applied.v[i + 1] ? r->presets_applied.v[i + 1] : NULL);
		gr_json_str(&j, "variant", r->presets_applied.v[i + 2]);
		gr_json_str(&j, "why", r->presets_applied.v[i + 3]);
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	gr_json_strs(&j, "warnings", (const char *const *)r->warnings.v, r->warnings.n);
	gr_json_arr_begin(&j, "dropped");
	for (size_t i = 0; i + 1 < r->dropped.n; i += 2) {
		gr_json_obj_begin(&j, NULL);
		gr_json_str(&j, "lib", r->dropped.v[i]);
		gr_json_str(&j, "via", strcmp(r->dropped.v[i + 1], "?") ? r->dropped.v[i + 1] : NULL);
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	gr_json_str(&j, "verdict", r->check ? gr_verdict_name(r->check->verdict) : NULL);
	if (r->check)
		gr_json_int(&j, "size", r->size);
	else
		gr_json_str(&j, "size", NULL);
	gr_json_int(&j, "self_max_rss_kib", r->self_max_rss_kib);
	gr_json_str(&j, "cache_key", r->cache_key[0] ? r->cache_key : NULL);
	gr_json_strs(&j, "tags", (const char *const *)r->tags.v, r->tags.n);
	gr_json_strs(&j, "go_command", (const char *const *)r->go_argv.v, r->go_argv.n);
	gr_json_strs(&j, "link_argv", r->link.argv, r->link.nargv);
	/* --linker: asked for, chosen, why, and the one the final link ran with. */
	{
		const char *used = gr_linker_in_argv(r->link.argv, r->link.nargv);
		const char *chosen = r->linker ? r->linker : gr_linker_name(GR_LINKER_DEFAULT);
		gr_json_obj_begin(&j, "linker");
		gr_json_str(&j, "requested", gr_linker_name(o->linker));
		gr_json_str(&j, "chosen", chosen);
		gr_json_str(&j, "why", r->linker_why[0] ? r->linker_why : NULL);
		gr_json_str(&j, "used", r->link.nargv ? (used ? used : gr_linker_name(GR_LINKER_DEFAULT)) : NULL);
		/* gorelink-ld's failover: gorelink chose a linker, and GNU ld linked last. */
		gr_json_bool(&j, "failover", r->link.nargv && used && !strcmp(used, "bfd") &&
		                                 strcmp(chosen, "bfd") != 0 && strcmp(chosen, "default") != 0);
		gr_json_obj_end(&j);
	}
	gr_cmd_build_json_paths(&j, "archives", r->link.archives, r->link.narchives);
	gr_json_str(&j, "link_failure_dump", r->link_dump);
	gr_cmd_build_json_records(&j, &r->link);
	gr_checkver_refs_json(&j, &r->link);
	/* Issue 16: the link manifest, with --sbom or --deny-licence (docs/build-json.md). */
	if (o->sbom || o->ndeny) {
		const struct gr_manifest *m = r->manifest;
		gr_json_obj_begin(&j, "manifest");
		gr_json_str(&j, "sbom", o->sbom);
		gr_json_str(&j, "sbom_format", !o->sbom ? NULL : o->sbom_format == GR_SBOM_CYCLONEDX_JSON ? "cyclonedx-json" : "spdx-json");
		gr_json_str(&j, "traced", r->link.traced);
		gr_json_arr_begin(&j, "archives");
		for (size_t i = 0; m && i < m->narchives; i++) {
			const struct gr_manifest_archive *a = &m->archives[i];
			gr_json_obj_begin(&j, NULL);
			gr_json_str(&j, "path", a->path);
			gr_json_int(&j, "members", (long long)a->nmembers);
			gr_json_str(&j, "deb_package", a->deb_package);
			gr_json_str(&j, "deb_version", a->deb_version);
			gr_json_str(&j, "pkg_config", a->pc_package);
			gr_json_str(&j, "licence", a->licence);
			gr_json_obj_end(&j);
		}
		gr_json_arr_end(&j);
		if (r->denied_archive) {
			gr_json_obj_begin(&j, "denied");
			gr_json_str(&j, "archive", r->denied_archive);
			gr_json_str(&j, "package", r->denied_package);
			gr_json_str(&j, "licence", r->denied_licence);
			gr_json_str(&j, "by", r->denied_by);
			gr_json_obj_end(&j);
		} else {
			gr_json_str(&j, "denied", NULL);
		}
		gr_json_obj_end(&j);
	}
	if (r->check)
		gr_cmd_check_json(&j, "check", r->check, true);
	else
		gr_json_str(&j, "check", NULL);
	if (h && h->json)
		h->json(h->ctx, &j);  /* gorelink test: "test" */
	else
		gr_json_str(&j, "test", NULL);
	gr_json_obj_end(&j);
	fputc('\n', out);
}

/* The exit status for what gr_build_run returned (docs/gorelink.1, EXIT STATUS). */
static int
gr_cmd_build_exit(int rc)
{
	switch (rc) {
	case GR_OK: return GR_EXIT_OK;
	case GR_BUILD_EMISSING: case GR_BUILD_EVERDICT: case GR_BUILD_ESTRICT: return GR_EXIT_FAIL;
	case GR_BUILD_EUSAGE: return GR_EXIT_USAGE;
	default: return GR_EXIT_ERROR;  /* GR_BUILD_EENV, GR_BUILD_EGO, GR_BUILD_ESTOPPED */
	}
}

/* What the command line asked for. */
struct gr_cmd_build_args {
	struct gr_env env;                   /* the environment o.env points to */
	struct gr_build_opts o;
	const char **pkgs, **allow, **libs, **stubs, **deny;  /* the arrays o points into */
	char *preset;                        /* --preset/--sqlite3's NAME=VARIANT, cut at '=' */
	bool json, print_link, verbose;
	struct gr_vermax *maxver;            /* --max-version/--glibc limits (o.maxver) */
	struct gr_arena varena;              /* their strings */
};

static void
gr_cmd_build_args_free(struct gr_cmd_build_args *a)
{
	free(a->preset);
	free(a->pkgs);
	free(a->allow);
	free(a->stubs);
	free(a->deny);
	free(a->libs);
	free(a->maxver);
	gr_arena_deinit(&a->varena);
	memset(a, 0, sizeof(*a));
}

/* --preset NAME[=VARIANT] or --sqlite3[=VARIANT] (sqlite: spec is --sqlite3's
 * optional VARIANT): -1 to go on, else the exit status. */
static int
gr_cmd_build_preset(struct gr_cmd_build_args *a, bool sqlite, const char *arg, FILE *err)
{
	const char *spec = sqlite ? (arg ? arg : "") : arg;
	char *eq;

	if (a->preset) {
		gr_cli_diag(err, "one preset at a time (%s, then %s)", a->o.preset, sqlite ? "sqlite3" : arg);
		return GR_EXIT_USAGE;
	}
	a->preset = sqlite ? (*spec ? gr_cli_concat("sqlite3=", spec) : strdup("sqlite3")) : strdup(spec);
	if (!a->preset) {
		gr_cli_diag(err, "out of memory");
		return GR_EXIT_ERROR;
	}
	eq = strchr(a->preset, '=');
	if (eq) {
		*eq = '\0';
		a->o.preset_variant = eq + 1;
	}
	a->o.preset = a->preset;
	return -1;
}

static int gr_cmd_build_operands(int argc, char **argv, struct gr_cmd_build_args *a, bool mode_set, FILE *err);

/* Read argv into a: -1 to build, else the exit status (--help, a usage error). */
static int
gr_cmd_build_parse(int argc, char **argv, FILE *out, FILE *err, struct gr_cmd_build_args *a)
{
	enum { OPT_STATIC = 256, OPT_PIE, OPT_THIRD, OPT_SQLITE, OPT_PRESET, OPT_PKG, OPT_ALLOW,
	       OPT_NOTAGS, OPT_GO, OPT_KEEP, OPT_DRY, OPT_PRINT, OPT_JSON, OPT_LIB, OPT_FIX, OPT_STRICT, OPT_STUB,
	       OPT_ACCEPT_DLOPEN, OPT_NOINFER, OPT_LINKER, OPT_KIT, OPT_SBOM, OPT_SBOM_FORMAT, OPT_DENY,
	       OPT_NOAUTO, OPT_MAXVER, OPT_GLIBC, OPT_NOMANIFEST };
	static const struct option longopts[] = {
		{ "static", no_argument, NULL, OPT_STATIC },
		{ "static-pie", no_argument, NULL, OPT_PIE },
		{ "third-party", no_argument, NULL, OPT_THIRD },
		{ "sqlite3", optional_argument, NULL, OPT_SQLITE },
		{ "preset", required_argument, NULL, OPT_PRESET },
		{ "pkg", required_argument, NULL, OPT_PKG },
		{ "allow-dynamic", required_argument, NULL, OPT_ALLOW },
		{ "no-default-tags", no_argument, NULL, OPT_NOTAGS },
		{ "go", required_argument, NULL, OPT_GO },
		{ "keep-failed", no_argument, NULL, OPT_KEEP },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "print-link", no_argument, NULL, OPT_PRINT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "lib", required_argument, NULL, OPT_LIB },
		{ "fix", no_argument, NULL, OPT_FIX },
		{ "stub", required_argument, NULL, OPT_STUB },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "accept-dlopen", no_argument, NULL, OPT_ACCEPT_DLOPEN },
		{ "no-infer", no_argument, NULL, OPT_NOINFER },
		{ "no-manifest", no_argument, NULL, OPT_NOMANIFEST },
		{ "linker", required_argument, NULL, OPT_LINKER },
		{ "relink-kit", required_argument, NULL, OPT_KIT },
		{ "sbom", required_argument, NULL, OPT_SBOM },
		{ "sbom-format", required_argument, NULL, OPT_SBOM_FORMAT },
		{ "deny-licence", required_argument, NULL, OPT_DENY },
		{ "deny-license", required_argument, NULL, OPT_DENY },
		{ "no-auto-presets", no_argument, NULL, OPT_NOAUTO },
		{ "max-version", required_argument, NULL, OPT_MAXVER },
		{ "glibc", required_argument, NULL, OPT_GLIBC },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool mode_set = false, sbom_format_set = false;
	int c, status;

	memset(a, 0, sizeof(*a));
	gr_arena_init(&a->varena);
	gr_env_from_environ(&a->env, environ);
	a->o.env = &a->env;
	a->o.mode = GR_LINK_STATIC;
	a->o.default_tags = true;
	a->pkgs = calloc((size_t)argc + 1, sizeof(*a->pkgs));
	a->allow = calloc((size_t)argc + 1, sizeof(*a->allow));
	a->libs = calloc((size_t)argc + 1, sizeof(*a->libs));
	a->stubs = calloc((size_t)argc + 1, sizeof(*a->stubs));
	a->deny = calloc((size_t)argc + 1, sizeof(*a->deny));
	a->maxver = calloc((size_t)argc + 1, sizeof(*a->maxver));
	a->o.maxver = a->maxver;
	if (!a->pkgs || !a->allow || !a->libs || !a->stubs || !a->deny || !a->maxver) {
		gr_cli_diag(err, "out of memory");
		return GR_EXIT_ERROR;
	}
	a->o.pkgs = a->pkgs;
	a->o.allow = a->allow;
	a->o.libs = a->libs;
	a->o.stubs = a->stubs;
	a->o.deny = a->deny;
	a->o.source_date_epoch = getenv("SOURCE_DATE_EPOCH");
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:vh", longopts, NULL)) != -1) {
		enum gr_link_mode m = a->o.mode;
		switch (c) {
		case OPT_STATIC: m = GR_LINK_STATIC; break;
		case OPT_PIE: m = GR_LINK_STATIC_PIE; break;
		case OPT_THIRD: m = GR_LINK_THIRD_PARTY; break;
		case OPT_SQLITE:
		case OPT_PRESET:
			if ((status = gr_cmd_build_preset(a, c == OPT_SQLITE, optarg, err)) >= 0)
				return status;
			continue;
		case OPT_PKG: a->pkgs[a->o.npkgs++] = optarg; continue;
		case OPT_LIB: a->libs[a->o.nlibs++] = optarg; continue;
		case OPT_FIX: a->o.fix = true; continue;
		case OPT_STUB:
			/* NAME as -l takes it ("systemd", also "-lsystemd"): a plain name, nothing else. */
			{
				const char *nm = optarg[0] == '-' && optarg[1] == 'l' ? optarg + 2 : optarg;
				if (!*nm || strchr(nm, '/') || nm[0] == ':' || nm[0] == '-') {
					gr_cli_diag(err, "--stub '%s': give the library's -l NAME (--stub systemd for libsystemd)", optarg);
					return GR_EXIT_USAGE;
				}
				a->stubs[a->o.nstubs++] = nm;
			}
			continue;
		case OPT_STRICT: a->o.strict = true; continue;
		case OPT_ACCEPT_DLOPEN: a->o.accept_dlopen = true; continue;
		case OPT_NOINFER: a->o.no_infer = true; continue;
		case OPT_NOMANIFEST: a->o.no_manifest = true; continue;
		case OPT_LINKER:
			if (gr_linker_parse(optarg, &a->o.linker)) {
				gr_cli_diag(err, "--linker=%s: give auto, bfd, gold, lld or mold", optarg);
				return GR_EXIT_USAGE;
			}
			continue;
		case OPT_SBOM:
			if (!*optarg) {
				gr_cli_diag(err, "--sbom: give the file to write");
				return GR_EXIT_USAGE;
			}
			a->o.sbom = optarg;
			continue;
		case OPT_SBOM_FORMAT:
			{
				enum gr_sbom_format f;
				if (gr_sbom_format_parse(optarg, &f)) {
					gr_cli_diag(err, "--sbom-format=%s: give spdx-json or cyclonedx-json", optarg);
					return GR_EXIT_USAGE;
				}
				a->o.sbom_format = (int)f;
				sbom_format_set = true;
			}
			continue;
		case OPT_DENY:
			if (!*optarg || strspn(optarg, " ()") == strlen(optarg)) {
				gr_cli_diag(err, "--deny-licence: give an SPDX licence id, e.g. GPL-3.0-only");
				return GR_EXIT_USAGE;
			}
			a->deny[a->o.ndeny++] = optarg;
			continue;
		case OPT_NOAUTO: a->o.no_auto_presets = true; continue;
		case OPT_KIT: a->o.relink_kit = optarg; continue;
		case OPT_MAXVER:
		case OPT_GLIBC:
			if (!gr_checkver_add_max(a->maxver, &a->o.nmaxver, optarg, c == OPT_GLIBC, &a->varena,
			                         c == OPT_GLIBC ? "--glibc" : "--max-version", err))
				return GR_EXIT_USAGE;
			continue;
		case OPT_ALLOW: a->allow[a->o.nallow++] = optarg[0] == '-' && optarg[1] == 'l' ? optarg + 2 : optarg; continue;
		case OPT_NOTAGS: a->o.default_tags = false; continue;
		case OPT_GO: a->o.go = optarg; continue;
		case OPT_KEEP: a->o.keep_failed = true; continue;
		case OPT_DRY: a->o.dry_run = true; continue;
		case OPT_PRINT: a->print_link = true; continue;
		case OPT_JSON: a->json = true; continue;
		case 'o':
			if (a->o.out && strcmp(a->o.out, optarg) != 0) {
				gr_cli_diag(err, "two outputs: -o %s and -o %s", a->o.out, optarg);
				return GR_EXIT_USAGE;
			}
			a->o.out = optarg;
			continue;
		case 'v': a->verbose = true; continue;
		case 'h':
			gr_cmd_build_usage(out);
			return GR_EXIT_OK;
		case ':':
			gr_cli_diag(err, "option '%s' needs an argument; see 'gorelink --help'", argv[optind - 1]);
			return GR_EXIT_USAGE;
		default:
			if (optopt && optopt < 256)
				gr_cli_diag(err, "unknown option '-%c'; see 'gorelink --help'", optopt);
			else
				gr_cli_diag(err, "unknown option '%s'; see 'gorelink --help'", argv[optind - 1]);
			return GR_EXIT_USAGE;
		}
		if (mode_set && m != a->o.mode) {
			gr_cli_diag(err, "--%s and --%s exclude each other: pick one mode", gr_link_mode_name(a->o.mode),
			            gr_link_mode_name(m));
			return GR_EXIT_USAGE;
		}
		a->o.mode = m;
		mode_set = true;
	}
	if (sbom_format_set && !a->o.sbom) {
		gr_cli_diag(err, "--sbom-format: give --sbom=FILE too");
		return GR_EXIT_USAGE;
	}
	return gr_cmd_build_operands(argc, argv, a, mode_set, err);
}

/* Whether go env -w set CC: a non-empty CC= line in the file go reads (GOENV,
 * else $XDG_CONFIG_HOME/go/env, else $HOME/.config/go/env; GOENV=off: none). */
static bool
gr_cmd_build_goenv_sets_cc(void)
{
	const char *genv = getenv("GOENV"), *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[4096], buf[4096];
	bool set = false;
	FILE *f;
	int n;

	if (genv && *genv)
		n = strcmp(genv, "off") ? snprintf(path, sizeof(path), "%s", genv) : -1;
	else if (xdg && *xdg == '/')
		n = snprintf(path, sizeof(path), "%s/go/env", xdg);
	else if (home && *home)
		n = snprintf(path, sizeof(path), "%s/.config/go/env", home);
	else
		n = -1;
	if (n < 0 || (size_t)n >= sizeof(path) || !(f = fopen(path, "r")))
		return false;
	while (!set && fgets(buf, sizeof(buf), f))
		set = !strncmp(buf, "CC=", 3) && buf[3] && buf[3] != '\n';
	fclose(f);
	return set;
}

/* A named preset's mode and CC (docs/presets.md, "Mode and compiler"): its
 * mode when the command line names none, its CC when neither the environment
 * nor go env -w sets one. A preset that does not load, or disagrees (with
 * go env -w's CC too), is left to the build, which reports it (in --json too). */
static bool
gr_cmd_build_preset_settings(struct gr_cmd_build_args *a, bool mode_set, FILE *err)
{
	struct gr_preset p;
	struct gr_error e;
	enum gr_link_mode m;

	if (!a->o.preset || gr_preset_load(&a->env, a->o.preset, a->o.preset_variant, &p, &e) != GR_OK)
		return mode_set;
	if (p.mode && !mode_set && gr_preset_mode_parse(p.mode, &m) == GR_OK) {
		a->o.mode = m;
		mode_set = true;
	}
	if (p.cc && (!a->env.cc || !*a->env.cc) && !gr_cmd_build_goenv_sets_cc() && setenv("CC", p.cc, 1) == 0) {
		gr_env_from_environ(&a->env, environ);  /* go env, go build and the link see it */
		gr_cli_diag(err, "the preset %s (variant %s) builds with CC=%s", p.name, p.variant, p.cc);
	}
	gr_preset_deinit(&p);
	return mode_set;
}

/* After the options: the mode --allow-dynamic implies, PACKAGE, and go build's flags after '--'. */
static int
gr_cmd_build_operands(int argc, char **argv, struct gr_cmd_build_args *a, bool mode_set, FILE *err)
{
	mode_set = gr_cmd_build_preset_settings(a, mode_set, err);
	/* Keeping a library dynamic keeps the C library dynamic too: --third-party. */
	if (a->o.nallow && !mode_set)
		a->o.mode = GR_LINK_THIRD_PARTY;
	if (a->o.nallow && a->o.mode != GR_LINK_THIRD_PARTY) {
		gr_cli_diag(err, "--allow-dynamic keeps -l%s dynamic, which a --%s binary cannot do; use it with --third-party (the default when it is given)",
		            a->o.allow[0], gr_link_mode_name(a->o.mode));
		return GR_EXIT_USAGE;
	}
	if (optind >= argc || !strcmp(argv[optind], "--") || (optind > 0 && !strcmp(argv[optind - 1], "--"))) {
		gr_cli_diag(err, "no PACKAGE given; see 'gorelink --help'");
		return GR_EXIT_USAGE;
	}
	a->o.package = argv[optind++];
	if (optind < argc) {
		if (strcmp(argv[optind], "--") != 0) {
			gr_cli_diag(err, "'%s' after PACKAGE %s: one package, and go build flags after '--'",
			            argv[optind], a->o.package);
			return GR_EXIT_USAGE;
		}
		optind++;
	}
	a->o.goargs = argv + optind;
	a->o.ngoargs = (size_t)(argc - optind);
	return -1;
}

/* SIGINT, SIGTERM and SIGHUP set gr_cmd_build_stop: the build stops its children and cleans up. */
static void
gr_cmd_build_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = gr_cmd_build_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Why the build failed, the check's verdict and the kept copy, on err. */
static void
gr_cmd_build_failure(FILE *err, const struct gr_build_opts *o, const struct gr_build_result *r,
                     const struct gr_error *e)
{
	gr_cli_diag(err, "%s", e->msg);
	if (r->check) {
		gr_cmd_check_line(err, r->check);
		gr_cmd_check_explain(err, r->check);
		if (r->link.nfloorrefs)
			gr_checkver_refs(err, r->check, o->maxver, o->nmaxver, &r->link);
		else
			gr_checkver_sources(err, r->check, o->maxver, o->nmaxver, r->link.archives,
			                    r->link.narchives, o->env);
	}
	if (r->kept)
		gr_cli_diag(err, "the rejected binary is kept as %s", r->kept);
}

/* The text report on out: the commands (dry run, --print-link), what --fix
 * added, and the verdict line of a binary that is in place. */
static void
gr_cmd_build_text(FILE *out, const struct gr_cmd_build_args *a, const struct gr_build_result *r, int status)
{
	const struct gr_build_opts *o = &a->o;
	size_t k, shown_archives = 0;

	if (o->dry_run && r->go_argv.n) {
		fputs("go command: ", out);
		gr_cmd_build_quoted(out, (const char *const *)r->go_argv.v, r->go_argv.n);
	}
	if ((a->print_link || o->dry_run) && r->link.nargv) {
		if (o->dry_run)
			fputs("link: ", out);
		gr_cmd_build_quoted(out, r->link.argv, r->link.nargv);
	}
	if (r->link.nfixes) {
		fputs("--fix added:", out);
		for (k = 0; k < r->link.nfixes; k++)
			fprintf(out, " -l%s", r->link.fixes[k].lname);
		fputs(" (to make it permanent, pass the options the diagnosis names)\n", out);
	}
	if (status == GR_EXIT_OK) {
		size_t shown = 0;
		for (k = 0; k < r->link.nstubs; k++)
			if (!r->link.stubs[k].refused)
				fprintf(out, "%s %s (lib%s)", shown++ ? "," : "--stub made these fail:", r->link.stubs[k].function,
				        r->link.stubs[k].lib);
		if (shown)
			fputs("; the code paths that call them fail at run time\n", out);
	}
	if (status != GR_EXIT_OK || !r->check)
		return;
	if (o->dry_run)
		fputs("would build: ", out);
	else if (r->up_to_date)
		fputs("up to date: ", out);
	else if (r->from_output_cache)
		fputs("from the output cache: ", out);
	gr_cmd_check_line(out, r->check);
	fprintf(out, "  %s, %lld bytes; tags:", gr_link_mode_name(o->mode), r->size);
	for (k = 0; k < r->tags.n; k++)
		fprintf(out, "%s%s", k ? "," : " ", r->tags.v[k]);
	fputs(r->tags.n ? "; archives:" : " none; archives:", out);
	/* Each archive once, in the order it first came, by its file name; then
	 * what --fix added (not among the -l flags' archives), marked. */
	for (k = 0; k < r->link.narchives + r->link.nfixes; k++) {
		bool fixed = k >= r->link.narchives;
		const char *ar = fixed ? r->link.fixes[k - r->link.narchives].archive : r->link.archives[k];
		const char *slash = ar ? strrchr(ar, '/') : NULL, *name = slash ? slash + 1 : ar;
		size_t m;
		bool dup = false;
		if (!name)
			continue;
		for (m = 0; m < k && !dup; m++) {
			const char *b = m >= r->link.narchives ? r->link.fixes[m - r->link.narchives].archive : r->link.archives[m];
			const char *bs = b ? strrchr(b, '/') : NULL;
			dup = b && !strcmp(bs ? bs + 1 : b, name);
		}
		if (!dup) {
			fprintf(out, " %s%s", name, fixed ? " (added by --fix)" : "");
			shown_archives++;
		}
	}
	fputs(shown_archives ? "\n" : " none\n", out);
}

int
gr_cmd_build(int argc, char **argv, FILE *out, FILE *err)
{
	return gr_cmd_build_with(argc, argv, out, err, NULL);
}

int
gr_cmd_build_with(int argc, char **argv, FILE *out, FILE *err, const struct gr_cmd_build_hooks *h)
{
	struct gr_cmd_build_args a;
	struct gr_build_result r;
	struct gr_error e;
	struct gr_cmd_build_log lg = { err, isatty(fileno(err)) != 0, false };
	int status, rc;

	memset(&r, 0, sizeof(r));
	gr_error_clear(&e);
	if ((status = gr_cmd_build_parse(argc, argv, out, err, &a)) >= 0)
		goto out;
	a.o.test = h && h->test;
	a.o.install_version = h ? h->install_version : NULL;
	if (a.verbose) {
		a.o.log = gr_cmd_build_logger;
		a.o.progress = gr_cmd_build_progress;
		a.o.log_ctx = &lg;
	}
	gr_cmd_build_catch_signals();
	a.o.stop = &gr_cmd_build_stop;
	rc = gr_build_run(&a.o, &r, &e);
	/* go build's own messages, as it wrote them with -v; else cmd/link's
	 * dump of the failed link command is left to -v and --json. */
	{
		const char *gs = a.verbose || !r.go_stderr_brief ? r.go_stderr : r.go_stderr_brief;
		if (gs && *gs) {
			if (lg.pending)
				fputs("\r\033[K", err);
			lg.pending = false;
			fputs(gs, err);
			fflush(err);
		}
	}
	/* A stop that came after OUT was renamed into place ends a complete build. */
	if (gr_cmd_build_stop && rc != GR_OK) {
		gr_cli_diag(err, "stopped by %s; temporary files removed, OUT untouched",
		            gr_cmd_build_stop == SIGINT ? "SIGINT" : gr_cmd_build_stop == SIGTERM ? "SIGTERM" : "SIGHUP");
		gr_build_result_deinit(&r);
		gr_cmd_build_args_free(&a);
		/* Die of the same signal, as a shell expects. */
		signal(gr_cmd_build_stop, SIG_DFL);
		raise(gr_cmd_build_stop);
		return 128 + gr_cmd_build_stop;
	}
	status = gr_cmd_build_exit(rc);
	if (a.verbose)
		for (size_t k = 0; k < r.link.ninferred; k++) {
			const struct gr_rec_inferred *x = &r.link.inferred[k];
			gr_cmd_pcrw_note_inferred(err, "gorelink", x->lname, x->package, x->why, x->via, x->alternatives,
			                          x->nalternatives, x->added, x->nadded);
		}
	/* A preset that applied itself, and the warnings: on stderr in both modes. */
	if (r.preset_auto && r.presets_applied.n >= 4)
		gr_cli_diag(err, "applied the preset %s (variant %s): %s (--no-auto-presets turns this off)",
		            r.presets_applied.v[0], r.presets_applied.v[2], r.presets_applied.v[3]);
	for (size_t i = 0; i < r.warnings.n; i++)
		gr_cli_diag(err, "warning: %s", r.warnings.v[i]);
	/* What the libraries kept dynamic took out of the link: one line (-v: each, and why). */
	if (r.dropped.n >= 2) {
		gr_cli_diag(err, "kept dynamic, so %zu librar%s not linked (the libraries kept dynamic load %s at run time):",
		            r.dropped.n / 2, r.dropped.n / 2 == 1 ? "y is" : "ies are", r.dropped.n / 2 == 1 ? "it" : "them");
		for (size_t i = 0; i + 1 < r.dropped.n; i += 2)
			fprintf(err, " -l%s", r.dropped.v[i]);
		fputc('\n', err);
		for (size_t i = 0; a.verbose && i + 1 < r.dropped.n; i += 2)
			fprintf(err, "  -l%s: only the private side of %s (kept dynamic) needs it\n",
			        r.dropped.v[i], r.dropped.v[i + 1]);
	}
	/* --linker: which one, when gorelink chose it (auto) or fell back. No
	 * --linker (auto by default) and -v say it in the log's step "linker". */
	if (r.linker_why[0] && a.o.linker != GR_LINKER_DEFAULT && !a.verbose)
		gr_cli_diag(err, "linker: %s (%s)", r.linker, r.linker_why);
	if (rc)
		gr_cmd_build_failure(err, &a.o, &r, &e);
	if (!a.json)
		gr_cmd_build_text(out, &a, &r, status);
	{
		const char *herr = NULL;
		int built = status;
		if (h && h->after)
			status = h->after(h->ctx, &a.o, &r, status, a.json, out, err, &herr);
		if (a.json)
			gr_cmd_build_json(out, &a.o, &r, status, built, rc ? e.msg : herr, h);
	}
out:
	gr_build_result_deinit(&r);
	gr_cmd_build_args_free(&a);
	return status;
}
