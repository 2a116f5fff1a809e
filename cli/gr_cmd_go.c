#include "gr_cmd_go.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_cli.h"
#include "gr_cmd_build.h"
#include "gr_strvec.h"

/* go build's flags that take a value (as -flag VALUE or -flag=VALUE). */
static const char *const gr_go_value_flags[] = {
	"asmflags", "buildmode", "compiler", "gccgoflags", "gcflags", "installsuffix", "ldflags",
	"mod", "modfile", "overlay", "p", "pgo", "pkgdir", "tags", "toolexec", "coverpkg",
	"covermode", NULL,
};

/* Subcommands passed to the real go unchanged: they build nothing. */
static const char *const gr_go_passthrough[] = {
	"env", "version", "list", "mod", "help", "doc", "vet", "fmt", NULL,
};

void
gr_cmd_go_usage(FILE *f)
{
	fputs("Usage: gorelink go build [GO_BUILD_FLAGS...] [-o OUT] PACKAGE\n"
	      "       gorelink go env|version|list|mod|help|doc|vet|fmt [ARGS...]\n"
	      "       gorelink-go ...        (the same, under that name: a link to gorelink)\n"
	      "\n"
	      "A go command for tools that run `go build` themselves (goreleaser's\n"
	      "builds[].tool, Makefiles): `build` becomes gorelink's static build,\n"
	      "\n"
	      "    gorelink $GORELINK_FLAGS -o OUT PACKAGE -- GO_BUILD_FLAGS...\n"
	      "\n"
	      "with its link rewritten, its check, and its exit status (0 built and\n"
	      "checked; 1 a library has no archive or the binary failed the check; 2 go\n"
	      "build or the link failed; 64 usage). The subcommands above run the real go\n"
	      "(go on PATH) with the same arguments; any other (run, test, install, ...)\n"
	      "is refused (64): it would build without gorelink.\n"
	      "\n"
	      "GO_BUILD_FLAGS: go build's flags, as -flag VALUE, -flag=VALUE or a bare\n"
	      "boolean flag, before PACKAGE; exactly one PACKAGE (a directory, an import\n"
	      "path or a main .go file). -o OUT is gorelink's -o; the directories above\n"
	      "OUT are made, as go build does.\n"
	      "\n"
	      "Environment:\n"
	      "  GORELINK_FLAGS  gorelink's own options, split at blanks (no quoting),\n"
	      "                  e.g. \"--static --pkg zlib\" or \"--third-party --glibc 2.31\"\n"
	      "  GOOS, GOARCH, CC, CXX, CGO_*  as for go build and gorelink (a cross build\n"
	      "                  needs CC for the target)\n"
	      "See docs/goreleaser.md and gorelink(1).\n", f);
}

static bool
gr_go_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* Replace the process with the real go, same arguments. */
static int
gr_go_exec(int argc, char **argv, FILE *err)
{
	static char go[] = "go";
	char **v = calloc((size_t)argc + 1, sizeof *v);
	int i;

	if (!v) {
		gr_cli_diag(err, "go: out of memory");
		return GR_EXIT_ERROR;
	}
	v[0] = go;
	for (i = 1; i < argc; i++)
		v[i] = argv[i];
	fflush(NULL);
	execvp("go", v);
	gr_cli_diag(err, "go: cannot run go: %s (is it on PATH?)", strerror(errno));
	free(v);
	return GR_EXIT_ERROR;
}

/* Split GORELINK_FLAGS at blanks into sv; false (with a message) on a quote. */
static bool
gr_go_split_env(struct gr_strvec *sv, const char *s, FILE *err)
{
	while (s && *s) {
		size_t n;

		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n == 0)
			break;
		if (memchr(s, '"', n) || memchr(s, '\'', n) || memchr(s, '\\', n)) {
			gr_cli_diag(err, "go: GORELINK_FLAGS is split at blanks and takes no quotes or backslashes: '%.*s'",
			            (int)n, s);
			return false;
		}
		if (gr_strvec_pushn(sv, s, n) != 0) {
			gr_cli_diag(err, "go: out of memory");
			return false;
		}
		s += n;
	}
	return true;
}

/* Make the directories above OUT, as go build -o does; false (with a message) on failure. */
static bool
gr_go_mkdirs(const char *outpath, FILE *err)
{
	char *p = strdup(outpath), *s;
	bool ok = true;

	if (!p) {
		gr_cli_diag(err, "go: out of memory");
		return false;
	}
	for (s = strchr(p + 1, '/'); s && ok; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			gr_cli_diag(err, "go build: cannot make the directory %s for -o: %s", p, strerror(errno));
			ok = false;
		}
		*s = '/';
	}
	free(p);
	return ok;
}

/* `go build ARGS` (argv[0] is "build") as gorelink's build. */
static int
gr_go_build(int argc, char **argv, FILE *out, FILE *err)
{
	struct gr_strvec goflags, av;
	const char *outpath = NULL, *package = NULL;
	int i, rc = GR_EXIT_USAGE;
	bool oom = false;

	gr_strvec_init(&goflags);
	gr_strvec_init(&av);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq;
		size_t len;

		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (package) {
				gr_cli_diag(err, "go build: one package only (got '%s' and '%s'): "
				            "build each main package on its own", package, a);
				goto out;
			}
			package = a;
			continue;
		}
		if (package) {
			gr_cli_diag(err, "go build: flag '%s' after the package '%s': flags go first", a, package);
			goto out;
		}
		if (strcmp(a, "--") == 0) {
			gr_cli_diag(err, "go build: '--' is not accepted; flags, then one package");
			goto out;
		}
		name = a + (a[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if (len == 1 && name[0] == 'o') {
			if (!eq && i + 1 >= argc) {
				gr_cli_diag(err, "go build: -o needs a value");
				goto out;
			}
			outpath = eq ? eq + 1 : argv[++i];
			continue;
		}
		if (len == 1 && name[0] == 'C') {
			gr_cli_diag(err, "go build: -C is not accepted: run it in the directory instead");
			goto out;
		}
		oom |= gr_strvec_push(&goflags, a) != 0;
		if (!eq) {
			char nm[32];

			if (len < sizeof nm) {
				memcpy(nm, name, len);
				nm[len] = '\0';
				if (gr_go_in(gr_go_value_flags, nm)) {
					if (i + 1 >= argc) {
						gr_cli_diag(err, "go build: %s needs a value", a);
						goto out;
					}
					oom |= gr_strvec_push(&goflags, argv[++i]) != 0;
				}
			}
		}
	}
	if (!package) {
		gr_cli_diag(err, "go build: which package? give exactly one (e.g. '.'); "
		            "see 'gorelink go --help'");
		goto out;
	}
	oom |= gr_strvec_push(&av, "gorelink") != 0;
	if (!gr_go_split_env(&av, getenv("GORELINK_FLAGS"), err))
		goto out;
	if (outpath && !gr_go_mkdirs(outpath, err)) {
		rc = GR_EXIT_ERROR;
		goto out;
	}
	if (outpath) {
		oom |= gr_strvec_push(&av, "-o") != 0;
		oom |= gr_strvec_push(&av, outpath) != 0;
	}
	oom |= gr_strvec_push(&av, package) != 0;
	if (goflags.n) {
		oom |= gr_strvec_push(&av, "--") != 0;
		oom |= gr_strvec_extend(&av, &goflags) != 0;
	}
	if (oom) {
		gr_cli_diag(err, "go: out of memory");
		rc = GR_EXIT_ERROR;
		goto out;
	}
	rc = gr_cmd_build((int)av.n, av.v, out, err);
out:
	gr_strvec_deinit(&goflags);
	gr_strvec_deinit(&av);
	return rc;
}

int
gr_cmd_go(int argc, char **argv, FILE *out, FILE *err)
{
	const char *sub;

	if (argc < 2) {
		gr_cmd_go_usage(err);
		return GR_EXIT_USAGE;
	}
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		gr_cmd_go_usage(out);
		return GR_EXIT_OK;
	}
	if (strcmp(sub, "build") == 0)
		return gr_go_build(argc - 1, argv + 1, out, err);
	if (gr_go_in(gr_go_passthrough, sub))
		return gr_go_exec(argc, argv, err);
	gr_cli_diag(err, "go: '%s' is not accepted: gorelink go runs `build` through gorelink "
	            "and passes env, version, list, mod, help, doc, vet and fmt to go "
	            "(for tests: gorelink test); see 'gorelink go --help'", sub);
	return GR_EXIT_USAGE;
}
