#define _GNU_SOURCE  /* sigabbrev_np */
#include "gr_cmd_test.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_build.h"
#include "gr_cli.h"
#include "gr_cmd_build.h"
#include "gr_env.h"
#include "gr_json.h"
#include "gr_sandbox.h"

extern char **environ;

void
gr_cmd_test_usage(FILE *f)
{
	fputs("Usage: gorelink test [OPTIONS] PACKAGE [-- GO_TEST_FLAGS...]\n"
	      "\n"
	      "Build PACKAGE's test binary (go test -c) with the same static link, check and\n"
	      "atomic output as a build (see 'gorelink --help' for the modes and options:\n"
	      "-o, --static-pie, --third-party, --sqlite3, --pkg, --json, -v ...); with --run,\n"
	      "run it too, inside an empty root made for the run, and exit with its status.\n"
	      "The default OUT is go test's name, PKG.test, in the current directory.\n"
	      "\n"
	      "Options (besides the build's):\n"
	      "      --run[=WHERE]       run the test binary: WHERE is auto (the default: the\n"
	      "                          empty root, else the host, with a warning), root (the\n"
	      "                          empty root or fail) or host (in the package directory)\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "The empty root is a tmpfs in a private mount namespace (and a user namespace\n"
	      "when not root) holding only the binary (/PKG.test), an empty writable /tmp\n"
	      "(TMPDIR=/tmp) and the package directory at its own path, empty but for its\n"
	      "testdata (bind-mounted), which is the working directory: no /dev, /proc or /etc.\n"
	      "A binary built for another machine (GOARCH=arm64 ...) runs under qemu-ARCH-static\n"
	      "from PATH (Debian: qemu-user-static; bind-mounted into the root, no binfmt_misc),\n"
	      "or not at all (exit 2).\n"
	      "\n"
	      "GO_TEST_FLAGS: -test.NAME flags (-test.run=X, -test.v, -test.timeout=5m ...) and\n"
	      "everything after -args go to the test binary (with --run); the rest to\n"
	      "go test -c, like a build's flags (-tags, -ldflags ...).\n"
	      "\n"
	      "Exit status: the build's (1, 2, 64; see 'gorelink --help'), else 0 when built\n"
	      "(and with --run, the test binary's: 0 passed, 1 a test failed, 2 a bad -test.\n"
	      "flag; 128+N killed by signal N); 2 also when it could not be started; 64 a\n"
	      "package without test files or a usage error.\n"
	      "See gorelink(1), TESTS.\n", f);
}

/* What the command line asked for and how the run went. */
struct gr_test {
	bool run;
	enum gr_sandbox_where where;
	char **binargs;          /* for the test binary */
	size_t nbinargs;
	const char *pkg_dir;     /* the build result's, while it lives */
	bool built, ran;
	struct gr_sandbox_result res;
	char *error;             /* why it could not run, or NULL */
	char result[96];         /* how a run that failed ended, for the JSON report's "error" */
	struct gr_env env;
};

/* Flags of the testing package that take no value (-test.v, not -test.v VALUE). */
static bool
gr_test_bool_flag(const char *name, size_t n)
{
	static const char *const bools[] = { "v", "short", "failfast", "benchmem", "fullpath", "paniconexit0", "artifacts" };
	size_t i;

	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (strlen(bools[i]) == n && !strncmp(bools[i], name, n))
			return true;
	return false;
}

/* A signal's name ("SIGSEGV"), into buf. */
static const char *
gr_test_signame(int sig, char *buf, size_t n)
{
	const char *a = sigabbrev_np(sig);
	if (a)
		snprintf(buf, n, "SIG%s", a);
	else
		snprintf(buf, n, "signal %d", sig);
	return buf;
}

static int
gr_test_after(void *ctx, const struct gr_build_opts *o, const struct gr_build_result *r, int status,
              bool json, FILE *out, FILE *err, const char **error)
{
	struct gr_test *t = ctx;
	struct gr_sandbox_opts so;
	struct gr_error e;
	char *bin, sig[32], wherebuf[sizeof(t->res.interpreter) + 64];
	const char *where;
	FILE *say = json ? err : out;

	t->pkg_dir = r->pkg_dir;
	t->built = status == 0;
	if (status != 0 || !t->run)
		return status;
	if (!r->out || !r->pkg_dir || !(bin = realpath(r->out, NULL))) {
		t->error = strdup("cannot run the test binary: its path or the package directory is unknown");
		gr_cli_diag(err, "%s", t->error ? t->error : "out of memory");
		*error = t->error;
		return GR_EXIT_ERROR;
	}
	memset(&so, 0, sizeof(so));
	so.env = &t->env;
	so.binary = bin;
	so.pkg_dir = r->pkg_dir;
	so.args = t->binargs;
	so.nargs = t->nbinargs;
	so.where = t->where;
	so.stdout_to_stderr = json;
	so.stop = o->stop;
	fflush(out);
	fflush(err);
	gr_error_clear(&e);
	if (gr_sandbox_run(&so, &t->res, &e) != GR_OK) {
		free(bin);
		t->error = strdup(e.msg);
		gr_cli_diag(err, "%s", e.msg);
		*error = t->error ? t->error : "out of memory";
		return GR_EXIT_ERROR;
	}
	free(bin);
	t->ran = true;
	if (t->res.fallback[0])
		gr_cli_diag(err, "warning: the empty root is unavailable (%s): the test binary ran on the host", t->res.fallback);
	if (t->res.interpreter[0]) {
		const char *q = strrchr(t->res.interpreter, '/');
		snprintf(wherebuf, sizeof(wherebuf), "%s under %s", t->res.in_root ? "in an empty root" : "on the host",
		         q ? q + 1 : t->res.interpreter);
		where = wherebuf;
	} else {
		where = t->res.in_root ? "in an empty root" : "on the host";
	}
	if (t->res.exited && t->res.code == 0)
		fprintf(say, "ok   %s %s (%.2fs)\n", r->out, where, t->res.seconds);
	else if (t->res.exited)
		fprintf(say, "FAIL %s %s: exit status %d (%.2fs)\n", r->out, where, t->res.code, t->res.seconds);
	else
		fprintf(say, "FAIL %s %s: killed by %s (%.2fs)\n", r->out, where,
		        gr_test_signame(t->res.code, sig, sizeof(sig)), t->res.seconds);
	fflush(say);
	if (t->res.exited)
		snprintf(t->result, sizeof(t->result), "the test binary exited with status %d", t->res.code);
	else
		snprintf(t->result, sizeof(t->result), "the test binary was killed by %s",
		         gr_test_signame(t->res.code, sig, sizeof(sig)));
	if (!t->res.exited || t->res.code)
		*error = t->result;
	return t->res.exited ? t->res.code : 128 + t->res.code;
}

static void
gr_test_json(void *ctx, struct gr_json *j)
{
	struct gr_test *t = ctx;
	char sig[32];
	size_t i;

	gr_json_obj_begin(j, "test");
	gr_json_str(j, "package_dir", t->pkg_dir);
	gr_json_bool(j, "run", t->run);
	gr_json_str(j, "ran_in", !t->ran ? NULL : t->res.in_root ? "empty-root" : "host");
	gr_json_str(j, "fallback", t->ran && t->res.fallback[0] ? t->res.fallback : NULL);
	gr_json_bool(j, "testdata", t->ran && t->res.testdata);
	gr_json_str(j, "interpreter", t->ran && t->res.interpreter[0] ? t->res.interpreter : NULL);
	gr_json_arr_begin(j, "args");
	for (i = 0; i < t->nbinargs; i++)
		gr_json_str(j, NULL, t->binargs[i]);
	gr_json_arr_end(j);
	if (t->ran && t->res.exited)
		gr_json_int(j, "exit", t->res.code);
	else
		gr_json_str(j, "exit", NULL);
	gr_json_str(j, "signal", t->ran && !t->res.exited ? gr_test_signame(t->res.code, sig, sizeof(sig)) : NULL);
	if (t->ran)
		gr_json_int(j, "milliseconds", (long long)(t->res.seconds * 1000.0 + 0.5));
	else
		gr_json_str(j, "milliseconds", NULL);
	gr_json_str(j, "error", t->error);
	gr_json_obj_end(j);
}

/* --run[=WHERE]: false when WHERE is none of auto, root, host. */
static bool
gr_test_where(const char *arg, struct gr_test *t)
{
	t->run = true;
	if (!arg[5] || !strcmp(arg + 5, "=auto"))
		t->where = GR_SANDBOX_AUTO;
	else if (!strcmp(arg + 5, "=root"))
		t->where = GR_SANDBOX_ROOT;
	else if (!strcmp(arg + 5, "=host"))
		t->where = GR_SANDBOX_HOST;
	else
		return false;
	return true;
}

int
gr_cmd_test(int argc, char **argv, FILE *out, FILE *err)
{
	struct gr_test t;
	struct gr_cmd_build_hooks h;
	char **bargv;
	int i, n = 0, status;
	bool dry = false, dashes = false, args = false;

	memset(&t, 0, sizeof(t));
	gr_env_from_environ(&t.env, environ);
	bargv = calloc((size_t)argc + 2, sizeof(*bargv));
	t.binargs = calloc((size_t)argc + 1, sizeof(*t.binargs));
	if (!bargv || !t.binargs) {
		free(bargv);
		free(t.binargs);
		gr_cli_diag(err, "out of memory");
		return GR_EXIT_ERROR;
	}
	bargv[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!dashes) {
			/* gorelink test's own options, before '--'; the rest is the build's. */
			if (!strcmp(a, "--")) {
				dashes = true;
				bargv[n++] = argv[i];
			} else if (!strncmp(a, "--run", 5) && (!a[5] || a[5] == '=')) {
				if (!gr_test_where(a, &t)) {
					gr_cli_diag(err, "%s: give --run, --run=auto, --run=root or --run=host", a);
					status = GR_EXIT_USAGE;
					goto out;
				}
			} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				gr_cmd_test_usage(out);
				status = GR_EXIT_OK;
				goto out;
			} else {
				dry = dry || !strcmp(a, "--dry-run");
				bargv[n++] = argv[i];
			}
			continue;
		}
		/* After '--': the test binary's flags, and go test -c's. */
		if (args) {
			t.binargs[t.nbinargs++] = argv[i];
		} else if (!strncmp(a, "-test.", 6) || !strncmp(a, "--test.", 7)) {
			/* -test.run X: its value too. */
			const char *name = a + (a[1] == '-' ? 7 : 6);
			t.binargs[t.nbinargs++] = argv[i];
			if (!strchr(name, '=') && !gr_test_bool_flag(name, strlen(name)) && i + 1 < argc)
				t.binargs[t.nbinargs++] = argv[++i];
		} else if (!strcmp(a, "-args") || !strcmp(a, "--args")) {
			args = true;
		} else {
			bargv[n++] = argv[i];
		}
	}
	if (t.nbinargs && !t.run) {
		gr_cli_diag(err, "%s is for the test binary: add --run to run it", t.binargs[0]);
		status = GR_EXIT_USAGE;
		goto out;
	}
	if (t.run && dry) {
		gr_cli_diag(err, "--run and --dry-run exclude each other: a dry run leaves no binary to run");
		status = GR_EXIT_USAGE;
		goto out;
	}
	memset(&h, 0, sizeof(h));
	h.test = true;
	h.after = gr_test_after;
	h.json = gr_test_json;
	h.ctx = &t;
	status = gr_cmd_build_with(n, bargv, out, err, &h);
out:
	free(t.error);
	free(t.binargs);
	free(bargv);
	return status;
}

/* gorelink-sandbox MODE MOUNT PKGDIR BINARY NAME INTERP [ARGS...], descriptor 3 the report pipe;
 * INTERP is the qemu-ARCH-static that runs BINARY (its host path), or "-". */
int
gr_cmd_test_sandbox(int argc, char **argv)
{
	struct gr_error e;
	char *path, **nargv, slashname[NAME_MAX + 2], slashinterp[NAME_MAX + 2];
	char *interp = NULL, *prog;
	bool testdata = false;
	int i, k = 0;

	if (argc < 7 || fcntl(GR_SANDBOX_FD, F_GETFD) < 0) {
		fputs(GR_SANDBOX_HELPER ": a helper of gorelink test, not a command\n", stderr);
		return 2;
	}
	if (strcmp(argv[6], "-") != 0)
		interp = argv[6];
	gr_error_clear(&e);
	if (!strcmp(argv[1], "root")) {
		const char *iname = interp && strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp;
		if (strlen(argv[5]) > NAME_MAX || (iname && strlen(iname) > NAME_MAX)) {
			dprintf(GR_SANDBOX_FD, "E%s: the name is too long\n", argv[5]);
			_exit(127);
		}
		if (gr_sandbox_enter(argv[2], argv[4], argv[3], argv[5], interp, &testdata, &e) != GR_OK) {
			dprintf(GR_SANDBOX_FD, "E%s\n", e.msg);
			_exit(127);
		}
		dprintf(GR_SANDBOX_FD, "R%d\n", testdata ? 1 : 0);
		snprintf(slashname, sizeof(slashname), "/%s", argv[5]);
		path = slashname;
		if (iname) {
			snprintf(slashinterp, sizeof(slashinterp), "/%s", iname);
			interp = slashinterp;
		}
		if (setenv("TMPDIR", "/tmp", 1) != 0) {
			dprintf(GR_SANDBOX_FD, "ETMPDIR: %s\n", strerror(errno));
			_exit(127);
		}
	} else {
		if (chdir(argv[3]) != 0) {
			dprintf(GR_SANDBOX_FD, "Xchdir %s: %s\n", argv[3], strerror(errno));
			_exit(127);
		}
		path = argv[4];
	}
	/* The binary's argv; under qemu, qemu's: qemu-ARCH-static BINARY ARGS... */
	if (!(nargv = calloc((size_t)argc, sizeof(*nargv)))) {
		dprintf(GR_SANDBOX_FD, "Xout of memory\n");
		_exit(127);
	}
	if (interp)
		nargv[k++] = interp;
	nargv[k++] = path;
	for (i = 7; i < argc; i++)
		nargv[k++] = argv[i];
	prog = interp ? interp : path;
	fcntl(GR_SANDBOX_FD, F_SETFD, FD_CLOEXEC);
	execv(prog, nargv);
	dprintf(GR_SANDBOX_FD, "X%s: %s\n", prog, strerror(errno));
	_exit(127);
}
