/* gr_toolchain: the library search dirs of the C compiler driver and its linker.
 *
 * Two spawns in the common case:
 *   CC... -### -x c /dev/null -o /dev/null   the link command the driver would run
 *   LD [-m EMUL] --verbose                   GNU ld's built-in script (SEARCH_DIR...)
 * gcc's collect2 is looked through the way collect2 itself picks ld (from the
 * COMPILER_PATH the driver prints, then PATH), so it costs no third spawn.
 * A third spawn happens only when the linker prints no script (LD --version,
 * to tell gold, whose dirs are built in, from lld and others, which have none)
 * or when the driver prints no COMPILER_PATH (CC... -print-prog-name=ld). */
#include "gr_toolchain.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_file.h"
#include "gr_kv.h"
#include "gr_path.h"
#include "gr_spawn.h"

/* A piece of captured output, not NUL-terminated. */
struct gr_tc_span {
	const char *p;
	size_t n;
};

/* What the link command of the -### output tells. */
struct gr_tc_link {
	struct gr_strvec argv;    /* the link command, unquoted */
	struct gr_tc_span cpath;  /* the COMPILER_PATH= value gcc prints, or {NULL, 0} */
	struct gr_tc_span multiarch; /* gcc's -imultiarch value, or {NULL, 0} */
};

static char gr_tc_opt_m[] = "-m";
static char gr_tc_opt_verbose[] = "--verbose";
static char gr_tc_opt_version[] = "--version";
static const char *const gr_tc_probe[] = { "-###", "-x", "c", "/dev/null", "-o", "/dev/null" };

#define GR_TC_NPROBE (sizeof(gr_tc_probe) / sizeof(gr_tc_probe[0]))

static int
gr_tc_nomem(struct gr_error *err, const char *what)
{
	return gr_error_set(err, GR_ENOMEM, ENOMEM, "%s: out of memory", what);
}

static bool
gr_tc_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether [p, p+n) contains word. */
static bool
gr_tc_contains(const char *p, size_t n, const char *word)
{
	size_t wl = strlen(word), i;

	for (i = 0; i + wl <= n; i++)
		if (memcmp(p + i, word, wl) == 0)
			return true;
	return false;
}

/* A NUL-terminated copy of [p, p+n), or NULL when out of memory. */
static char *
gr_tc_dup(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* The words of argv joined by spaces into buf, ending in "..." if cut, for messages. */
static const char *
gr_tc_cmdstr(char *const argv[], char *buf, size_t bufsz)
{
	size_t used = 0, i;
	int n;

	buf[0] = '\0';
	for (i = 0; argv[i]; i++) {
		n = snprintf(buf + used, bufsz - used, "%s%s", i ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= bufsz - used) {
			if (bufsz >= 4)
				memcpy(buf + bufsz - 4, "...", 4);
			break;
		}
		used += (size_t)n;
	}
	return buf;
}

/* The line of s most worth quoting in an error: the first that says "error",
 * else the first non-blank one ({NULL, 0} when s has none). gcc -### starts
 * its error output with "Using built-in specs.", so the very first line says little. */
static struct gr_tc_span
gr_tc_errline(const char *s)
{
	struct gr_tc_span first = { NULL, 0 }, line;
	const char *nl;

	while (*s) {
		nl = strchr(s, '\n');
		line.p = s;
		line.n = nl ? (size_t)(nl - s) : strlen(s);
		while (line.n && (line.p[line.n - 1] == '\r' || line.p[line.n - 1] == ' '))
			line.n--;
		if (line.n) {
			if (gr_tc_contains(line.p, line.n, "error"))
				return line;
			if (!first.p)
				first = line;
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	return first;
}

/* Record that argv ran but failed: how it ended and what it said. */
static int
gr_tc_failed(char *const argv[], const struct gr_spawn_result *res, struct gr_error *err)
{
	char cmd[160], how[96];
	struct gr_tc_span line = gr_tc_errline(res->err);

	if (!line.p)
		line = gr_tc_errline(res->out);
	gr_tc_cmdstr(argv, cmd, sizeof(cmd));
	gr_spawn_describe(res, how, sizeof(how));
	if (!line.p)
		return gr_error_set(err, GR_EIO, 0, "%s: %s without a message", cmd, how);
	if (line.n > 240)
		line.n = 240;
	return gr_error_set(err, GR_EIO, 0, "%s: %s: %.*s", cmd, how, (int)line.n, line.p);
}

/* Whether a failed posix_spawnp means "no such program here". */
static bool
gr_tc_unrunnable(int e)
{
	return e == ENOENT || e == EACCES || e == ENOEXEC || e == ENOTDIR || e == ELOOP ||
	       e == ENAMETOOLONG;
}

/* Run the compiler (argv[0] is CC's first word); a missing one suggests CC=. */
static int
gr_tc_run_cc(char *const argv[], struct gr_spawn_result *res, struct gr_error *err)
{
	int rc = gr_spawn_capture(argv, NULL, res, err), e = err->sys_errno;

	if (rc == GR_EIO && gr_tc_unrunnable(e))
		return gr_error_set(err, GR_EIO, e,
		                    "cannot run %s: %s (set CC to an installed C compiler, "
		                    "e.g. CC=gcc or CC=clang)", argv[0], strerror(e));
	return rc;
}

/* Run the compiler with argv for what it prints, cmd (cmdsz bytes) naming it
 * for messages: GR_OK with *res filled (the caller frees it), or the error
 * when it could not run or failed (*res already freed). */
static int
gr_tc_ask_cc(char *const argv[], char *cmd, size_t cmdsz, struct gr_spawn_result *res, struct gr_error *err)
{
	int rc;

	gr_tc_cmdstr(argv, cmd, cmdsz);
	if ((rc = gr_tc_run_cc(argv, res, err)) != GR_OK)
		return rc;
	if (!gr_spawn_ok(res)) {
		rc = gr_tc_failed(argv, res, err);
		gr_spawn_result_free(res);
	}
	return rc;
}

/* Scan one command line of -### output from p (its leading space); when buf is
 * not NULL, append its unquoted words to words, buf having room for the longest.
 * Quoting: gcc leaves words of [A-Za-z0-9_/.-] bare and double-quotes the rest,
 * clang quotes every word; both escape ", \ and $ inside quotes with \.
 * Returns where the next line starts, or NULL with *rc set. */
static const char *
gr_tc_words(const char *p, struct gr_strvec *words, char *buf, int *rc)
{
	size_t n;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return p;
		if (*p == '\n')
			return p + 1;
		n = 0;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p != '"') {
				if (buf)
					buf[n++] = *p;
				p++;
				continue;
			}
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (*p == '\0') {
					*rc = GR_EFORMAT;
					return NULL;
				}
				if (buf)
					buf[n++] = *p;
			}
			p++;
		}
		if (buf && gr_strvec_pushn(words, buf, n) != GR_OK) {
			*rc = GR_ENOMEM;
			return NULL;
		}
	}
}

/* Find the link command (the last command line) in the driver's error output, and
 * the COMPILER_PATH and -imultiarch gcc prints on the way. */
static int
gr_tc_parse_driver(const char *out, size_t outlen, const char *cmd, struct gr_tc_link *lk,
                   struct gr_error *err)
{
	const char *p = out, *last = NULL, *nl, *q;
	char *buf;
	int rc = GR_OK;

	while (*p) {
		if (*p == ' ') {
			last = p;
			p = gr_tc_words(p, NULL, NULL, &rc);
			if (!p)
				return gr_error_set(err, GR_EFORMAT, 0,
				                    "%s: a command it prints has an unterminated quote", cmd);
			continue;
		}
		nl = strchr(p, '\n');
		if (gr_tc_starts(p, "COMPILER_PATH=")) {
			lk->cpath.p = p + strlen("COMPILER_PATH=");
			lk->cpath.n = nl ? (size_t)(nl - lk->cpath.p) : strlen(lk->cpath.p);
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (!last)
		return gr_error_set(err, GR_EFORMAT, 0,
		                    "%s: printed no command lines (is it gcc or clang?)", cmd);

	buf = malloc(outlen + 1);
	if (!buf)
		return gr_tc_nomem(err, cmd);
	p = gr_tc_words(last, &lk->argv, buf, &rc);
	free(buf);
	if (!p)
		return rc == GR_ENOMEM ? gr_tc_nomem(err, cmd) :
		       gr_error_set(err, GR_EFORMAT, 0, "%s: its link command has an unterminated quote", cmd);
	if (lk->argv.n == 0)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: its link command is empty", cmd);

	/* gcc passes -imultiarch to cc1 (always bare: [A-Za-z0-9_-]). */
	q = strstr(out, " -imultiarch ");
	if (q) {
		q += strlen(" -imultiarch ");
		lk->multiarch.p = q;
		while (*q && *q != ' ' && *q != '\n' && *q != '"')
			q++;
		lk->multiarch.n = (size_t)(q - lk->multiarch.p);
		if (lk->multiarch.n == 0)
			lk->multiarch.p = NULL;
	}
	return GR_OK;
}

/* ld options whose value is the next word, so the value is not read as an option. */
static bool
gr_tc_takes_arg(const char *a)
{
	static const char *const opts[] = {
		"-o", "-m", "-z", "-T", "-e", "-u", "-y", "-Y", "-a", "-A", "-b", "-c", "-f", "-F",
		"-G", "-h", "-R", "-l", "-plugin", "--plugin", "-plugin-opt", "-dynamic-linker",
		"-rpath", "-rpath-link", "-soname", "-mllvm", "--output", "--script",
		"--sysroot",  /* ld takes "--sysroot DIR" but uses only --sysroot=DIR */
		NULL
	};
	size_t i;

	for (i = 0; opts[i]; i++)
		if (strcmp(a, opts[i]) == 0)
			return true;
	return false;
}

/* Fill driver_dirs, sysroot and emulation from the link command's words. */
static int
gr_tc_read_link(const struct gr_strvec *av, const char *cmd, struct gr_toolchain *tc,
                struct gr_error *err)
{
	const char *sysroot = NULL, *emul = NULL, *a;
	size_t i;

	for (i = 1; i < av->n; i++) {
		a = av->v[i];
		if (strcmp(a, "-L") == 0 || strcmp(a, "--library-path") == 0) {
			if (i + 1 == av->n)
				return gr_error_set(err, GR_EFORMAT, 0,
				                    "%s: its link command ends in %s without a directory", cmd, a);
			if (gr_strvec_push(&tc->driver_dirs, av->v[++i]) != GR_OK)
				return gr_tc_nomem(err, cmd);
		} else if (gr_tc_starts(a, "-L")) {
			if (gr_strvec_push(&tc->driver_dirs, a + 2) != GR_OK)
				return gr_tc_nomem(err, cmd);
		} else if (gr_tc_starts(a, "--library-path=")) {
			if (gr_strvec_push(&tc->driver_dirs, a + strlen("--library-path=")) != GR_OK)
				return gr_tc_nomem(err, cmd);
		} else if (gr_tc_starts(a, "--sysroot=")) {
			sysroot = a + strlen("--sysroot=");  /* ld: the last --sysroot= wins */
		} else if (gr_tc_takes_arg(a) && i + 1 < av->n) {
			i++;
		}
	}

	/* The emulation the way GNU ld's get_emulation finds it: every -m EMUL or
	 * -mEMUL, the last winning, -mips* and -m486 ignored (and lld's -mllvm). */
	for (i = 1; i < av->n; i++) {
		a = av->v[i];
		if (!gr_tc_starts(a, "-m"))
			continue;
		if (a[2] == '\0' || strcmp(a, "-mllvm") == 0) {
			if (i + 1 < av->n) {
				if (a[2] == '\0')
					emul = av->v[i + 1];
				i++;
			}
		} else if (!gr_tc_starts(a, "-mips") && strcmp(a, "-m486") != 0) {
			emul = a + 2;
		}
	}

	if (sysroot && !(tc->sysroot = strdup(sysroot)))
		return gr_tc_nomem(err, cmd);
	if (emul && !(tc->emulation = strdup(emul)))
		return gr_tc_nomem(err, cmd);
	return GR_OK;
}

/* collect2's find_a_file: the first DIR/name, DIR from the colon-separated
 * list (an empty entry meaning "./"), that exists, is no directory and may be
 * executed. NULL when none; *nomem tells an allocation failure. */
static char *
gr_tc_find(const char *list, size_t len, const char *name, bool *nomem)
{
	const char *end = list + len, *p = list, *q;
	size_t dl, nl = strlen(name);
	struct stat st;
	char *path;

	for (;;) {
		q = memchr(p, ':', (size_t)(end - p));
		if (!q)
			q = end;
		dl = (size_t)(q - p);
		path = malloc(dl + nl + 3);
		if (!path) {
			*nomem = true;
			return NULL;
		}
		if (dl == 0) {
			memcpy(path, "./", 2);
			dl = 2;
		} else {
			memcpy(path, p, dl);
			if (path[dl - 1] != '/')
				path[dl++] = '/';
		}
		memcpy(path + dl, name, nl + 1);
		if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode) && access(path, X_OK) == 0)
			return path;
		free(path);
		if (q == end)
			return NULL;
		p = q + 1;
	}
}

/* The name collect2 looks for: -fuse-ld= (the last wins), else "ld". */
static const char *
gr_tc_collect2_name(const struct gr_strvec *av)
{
	static const char *const uses[][2] = {
		{ "-fuse-ld=bfd", "ld.bfd" }, { "-fuse-ld=gold", "ld.gold" },
		{ "-fuse-ld=lld", "ld.lld" }, { "-fuse-ld=mold", "ld.mold" },
		{ "-fuse-ld=wild", "wild" },
	};
	const char *name = "ld";  /* also PLUGIN_LD_SUFFIX (-plugin) on Debian */
	size_t i, j;

	for (i = 1; i < av->n; i++)
		for (j = 0; j < sizeof(uses) / sizeof(uses[0]); j++)
			if (strcmp(av->v[i], uses[j][0]) == 0)
				name = uses[j][1];
	return name;
}

/* Without a printed COMPILER_PATH: ask the driver, CC... -print-prog-name=NAME. */
static int
gr_tc_print_prog_name(char *const cc[], const char *name, struct gr_toolchain *tc,
                      struct gr_error *err)
{
	struct gr_strvec av;
	struct gr_spawn_result res;
	char opt[64], cmd[160];
	size_t i, n;
	int rc;

	snprintf(opt, sizeof(opt), "-print-prog-name=%s", name);
	gr_strvec_init(&av);
	for (i = 0; cc[i]; i++)
		if (gr_strvec_push(&av, cc[i]) != GR_OK)
			goto nomem;
	if (gr_strvec_push(&av, opt) != GR_OK)
		goto nomem;
	rc = gr_tc_ask_cc(gr_strvec_argv(&av), cmd, sizeof(cmd), &res, err);
	gr_strvec_deinit(&av);
	if (rc != GR_OK)
		return rc;
	n = strcspn(res.out, "\r\n");
	if (n == 0) {
		rc = gr_error_set(err, GR_EFORMAT, 0, "%s: printed no program name", cmd);
		goto done;
	}
	tc->ld = gr_tc_dup(res.out, n);
	rc = tc->ld ? GR_OK : gr_tc_nomem(err, cmd);
done:
	gr_spawn_result_free(&res);
	return rc;
nomem:
	gr_strvec_deinit(&av);
	return gr_tc_nomem(err, "-print-prog-name");
}

/* The linker collect2 would run, found as collect2 finds it: real-ld, then
 * collect-ld, then ld (or ld.gold... for -fuse-ld=) in COMPILER_PATH, then
 * that name in PATH. */
static int
gr_tc_collect2_ld(const struct gr_env *env, char *const cc[], const struct gr_tc_link *lk,
                  const char *cmd, struct gr_toolchain *tc, struct gr_error *err)
{
	const char *name = gr_tc_collect2_name(&lk->argv), *path = env->path;
	bool nomem = false;

	if (!lk->cpath.p)
		return gr_tc_print_prog_name(cc, name, tc, err);
	tc->ld = gr_tc_find(lk->cpath.p, lk->cpath.n, "real-ld", &nomem);
	if (!tc->ld && !nomem)
		tc->ld = gr_tc_find(lk->cpath.p, lk->cpath.n, "collect-ld", &nomem);
	if (!tc->ld && !nomem)
		tc->ld = gr_tc_find(lk->cpath.p, lk->cpath.n, name, &nomem);
	if (!tc->ld && !nomem && path)
		tc->ld = gr_tc_find(path, strlen(path), name, &nomem);
	if (nomem)
		return gr_tc_nomem(err, cmd);
	if (!tc->ld)
		return gr_error_set(err, GR_EIO, ENOENT,
		                    "%s: its collect2 would find no %s in COMPILER_PATH or PATH",
		                    cmd, name);
	return GR_OK;
}

/* Parse "( arg, ... )" of a linker-script command at p: up to max args, each
 * quoted ("...", no escapes in ld's lexer) or bare. The count, or -1. */
static int
gr_tc_script_args(const char *p, const char *end, struct gr_tc_span *a, int max,
                  const char **next)
{
	const char *q;
	int n = 0;

#define GR_TC_SKIPWS() while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++
	GR_TC_SKIPWS();
	if (p == end || *p != '(')
		return -1;
	p++;
	GR_TC_SKIPWS();
	if (p < end && *p == ')') {
		*next = p + 1;
		return 0;
	}
	for (;;) {
		GR_TC_SKIPWS();
		if (p == end || n == max)
			return -1;
		if (*p == '"') {
			q = memchr(p + 1, '"', (size_t)(end - p - 1));
			if (!q)
				return -1;
			a[n].p = p + 1;
			a[n].n = (size_t)(q - p - 1);
			p = q + 1;
		} else {
			for (q = p; q < end && *q != ',' && *q != ')' && *q != ' ' && *q != '\t' &&
			            *q != '\n' && *q != '\r'; q++)
				;
			if (q == p)
				return -1;
			a[n].p = p;
			a[n].n = (size_t)(q - p);
			p = q;
		}
		n++;
		GR_TC_SKIPWS();
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == ')') {
			*next = p + 1;
			return n;
		}
		return -1;
	}
#undef GR_TC_SKIPWS
}

static bool
gr_tc_identc(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '$';
}

/* The built-in script of ld --verbose: the text between its two lines of
 * "=====", or all of out when they are missing. */
static void
gr_tc_script_region(const char *out, const char **start, const char **end)
{
	const char *p = out, *open = NULL;

	*start = out;
	*end = out + strlen(out);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= 10 && strspn(p, "=") >= 10) {
			if (!open) {
				open = nl ? nl + 1 : p + n;
			} else {
				*start = open;
				*end = p;
				return;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* Read SEARCH_DIR, OUTPUT_FORMAT and OUTPUT_ARCH from ld --verbose's script;
 * *found tells whether it had any. */
static int
gr_tc_parse_script(const char *out, const char *cmd, struct gr_toolchain *tc, bool *found,
                   struct gr_error *err)
{
	const char *start, *end, *p, *q, *next = NULL;
	struct gr_tc_span a[3];
	size_t kl;
	int n;

	*found = false;
	gr_tc_script_region(out, &start, &end);
	for (p = start; p < end;) {
		if (*p == '/' && p + 1 < end && p[1] == '*') {
			for (q = p + 2; q + 1 < end && !(q[0] == '*' && q[1] == '/'); q++)
				;
			p = q + 2;
			continue;
		}
		if (*p == '"') {
			q = memchr(p + 1, '"', (size_t)(end - p - 1));
			p = q ? q + 1 : end;
			continue;
		}
		if (!gr_tc_identc(*p) || (p > start && gr_tc_identc(p[-1]))) {
			p++;
			continue;
		}
		for (q = p; q < end && gr_tc_identc(*q); q++)
			;
		kl = (size_t)(q - p);
		if (kl == 10 && memcmp(p, "SEARCH_DIR", kl) == 0) {
			n = gr_tc_script_args(q, end, a, 1, &next);
			if (n != 1)
				goto bad;
			if (gr_strvec_pushn(&tc->ld_dirs, a[0].p, a[0].n) != GR_OK)
				return gr_tc_nomem(err, cmd);
		} else if (kl == 13 && memcmp(p, "OUTPUT_FORMAT", kl) == 0) {
			n = gr_tc_script_args(q, end, a, 3, &next);
			if (n != 1 && n != 3)
				goto bad;
			if (!tc->output_format) {  /* ld: the first OUTPUT_FORMAT counts */
				if (!(tc->output_format = gr_tc_dup(a[0].p, a[0].n)))
					return gr_tc_nomem(err, cmd);
				if (n == 3 && (!(tc->output_format_big = gr_tc_dup(a[1].p, a[1].n)) ||
				               !(tc->output_format_little = gr_tc_dup(a[2].p, a[2].n))))
					return gr_tc_nomem(err, cmd);
			}
		} else if (kl == 11 && memcmp(p, "OUTPUT_ARCH", kl) == 0) {
			n = gr_tc_script_args(q, end, a, 1, &next);
			if (n != 1)
				goto bad;
			free(tc->output_arch);  /* ld: the last OUTPUT_ARCH counts */
			if (!(tc->output_arch = gr_tc_dup(a[0].p, a[0].n)))
				return gr_tc_nomem(err, cmd);
		} else {
			p = q;
			continue;
		}
		*found = true;
		p = next;
		continue;
bad:
		{
			const char *l;
			int line = 1;
			for (l = out; l < p; l++)
				line += *l == '\n';
			return gr_error_set(err, GR_EFORMAT, 0, "%s: cannot parse %.*s(...) on line %d",
			                    cmd, (int)kl, p, line);
		}
	}
	return GR_OK;
}

/* gold prints no script; its built-in dirs (Debian's patch) are /lib/<multiarch>,
 * /usr/lib/<multiarch>, /lib and /usr/lib, under the sysroot like "=" dirs. */
static int
gr_tc_gold_dirs(const struct gr_tc_span *multiarch, const char *cmd, struct gr_toolchain *tc,
                struct gr_error *err)
{
	static const char *const dirs[] = { "=/lib/", "=/usr/lib/" };
	size_t i, n;
	char *d;

	for (i = 0; multiarch->p && i < 2; i++) {
		n = strlen(dirs[i]) + multiarch->n + 1;
		if (!(d = malloc(n)))
			return gr_tc_nomem(err, cmd);
		snprintf(d, n, "%s%.*s", dirs[i], (int)multiarch->n, multiarch->p);
		if (gr_strvec_push(&tc->ld_dirs, d) != GR_OK) {
			free(d);
			return gr_tc_nomem(err, cmd);
		}
		free(d);
	}
	if (gr_strvec_push(&tc->ld_dirs, "=/lib") != GR_OK ||
	    gr_strvec_push(&tc->ld_dirs, "=/usr/lib") != GR_OK)
		return gr_tc_nomem(err, cmd);
	return GR_OK;
}

/* Ask the linker for its built-in script (GNU ld) or its kind (gold, others). */
static int
gr_tc_ask_ld(const struct gr_tc_link *lk, struct gr_toolchain *tc, struct gr_error *err)
{
	char *argv[5], *vargv[3], cmd[160];
	struct gr_spawn_result res, ver;
	size_t n = 0, first;
	bool found;
	int rc, e;

	argv[n++] = tc->ld;
	if (tc->emulation) {
		argv[n++] = gr_tc_opt_m;
		argv[n++] = tc->emulation;
	}
	argv[n++] = gr_tc_opt_verbose;
	argv[n] = NULL;
	gr_tc_cmdstr(argv, cmd, sizeof(cmd));

	rc = gr_spawn_capture(argv, NULL, &res, err);
	if (rc != GR_OK) {
		e = err->sys_errno;
		if (rc == GR_EIO && gr_tc_unrunnable(e))
			return gr_error_set(err, GR_EIO, e, "cannot run %s, the linker of %s: %s",
			                    tc->ld, tc->cc.v[0], strerror(e));
		return rc;
	}
	if (gr_spawn_ok(&res)) {
		rc = gr_tc_parse_script(res.out, cmd, tc, &found, err);
		if (rc != GR_OK || found)
			goto done;
	}

	/* No script: gold, lld or mold, or GNU ld refusing the emulation. */
	vargv[0] = tc->ld;
	vargv[1] = gr_tc_opt_version;
	vargv[2] = NULL;
	rc = gr_spawn_capture(vargv, NULL, &ver, err);
	if (rc != GR_OK)
		goto done;
	first = strcspn(ver.out, "\n");
	if (gr_spawn_ok(&ver) && gr_tc_contains(ver.out, first, "GNU gold")) {
		rc = gr_tc_gold_dirs(&lk->multiarch, cmd, tc, err);
	} else if (gr_tc_starts(ver.out, "GNU ld")) {
		rc = gr_spawn_ok(&res) ?
		     gr_error_set(err, GR_EFORMAT, 0, "%s: printed no linker script", cmd) :
		     gr_tc_failed(argv, &res, err);
	}
	/* Anything else (lld, mold...): no default dirs to report. */
	gr_spawn_result_free(&ver);
done:
	gr_spawn_result_free(&res);
	return rc;
}

/* ---- zig cc: a driver that links in-process ---------------------------- */

/* The index of zig's "cc" or "c++" word in cc (NULL-terminated), or 0 when cc
 * is not zig's C or C++ driver: "zig cc" (the zig word first or after a
 * launcher such as ccache) or "PYTHON -m ziglang cc" (PyPI's ziglang). */
static size_t
gr_tc_zig_sub(char *const cc[])
{
	size_t i;
	const char *base;

	for (i = 0; cc[i] && cc[i + 1] && i < 3; i++) {
		base = strrchr(cc[i], '/');
		base = base ? base + 1 : cc[i];
		if ((strcmp(base, "zig") == 0 || (strcmp(cc[i], "ziglang") == 0 && i > 0 &&
		                                  strcmp(cc[i - 1], "-m") == 0)) &&
		    (strcmp(cc[i + 1], "cc") == 0 || strcmp(cc[i + 1], "c++") == 0))
			return i + 1;
	}
	return 0;
}

bool
gr_toolchain_is_zig(char *const cc[])
{
	return cc && cc[0] && gr_tc_zig_sub(cc) > 0;
}

/* The -target (or --target=, -target=) value among zig's words, or NULL (native). */
static const char *
gr_tc_zig_target(char *const cc[])
{
	const char *t = NULL;
	size_t i;

	for (i = 0; cc[i]; i++) {
		if ((strcmp(cc[i], "-target") == 0 || strcmp(cc[i], "--target") == 0) && cc[i + 1])
			t = cc[++i];
		else if (gr_tc_starts(cc[i], "--target="))
			t = cc[i] + strlen("--target=");
		else if (gr_tc_starts(cc[i], "-target="))
			t = cc[i] + strlen("-target=");
	}
	return t;
}

/* GNU ld's OUTPUT_FORMAT for the architecture a zig target names (so that
 * archives built for another machine are passed over), or NULL when unknown. */
static const char *
gr_tc_zig_format(const char *target)
{
	static const char *const fmts[][2] = {
		{ "x86_64", "elf64-x86-64" }, { "aarch64", "elf64-littleaarch64" },
		{ "aarch64_be", "elf64-bigaarch64" }, { "riscv64", "elf64-littleriscv" },
		{ "x86", "elf32-i386" }, { "i386", "elf32-i386" }, { "i686", "elf32-i386" },
		{ "arm", "elf32-littlearm" }, { "powerpc64le", "elf64-powerpcle" },
		{ "s390x", "elf64-s390" },
	};
	size_t i, n;

	if (!target)
		return NULL;
	n = strcspn(target, "-");
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (strlen(fmts[i][0]) == n && strncmp(target, fmts[i][0], n) == 0)
			return fmts[i][1];
	return NULL;
}

/* zig cc prints no link command for -### (it links with its own lld, in
 * process) and, for an explicit -target, searches no system directory by
 * itself; gorelink resolves archives in the directories that
 * CC... -print-search-dirs lists (clang's, from the gcc installation for the
 * target: the system's archives, which zig then links by path), its own
 * resource directory aside. No linker program, no emulation, no sysroot. */
static int
gr_tc_zig_discover(char *const cc[], struct gr_toolchain *tc, struct gr_error *err)
{
	struct gr_strvec av;
	struct gr_spawn_result res;
	const char *line, *p, *end, *q, *fmt, *target;
	char cmd[160], *dir;
	size_t i;
	int rc;

	/* The target without its glibc version (x86_64-linux-gnu.2.28 ->
	 * x86_64-linux-gnu): clang's -print-search-dirs refuses the version,
	 * and the directories do not depend on it. */
	gr_strvec_init(&av);
	target = gr_tc_zig_target(cc);
	for (i = 0; cc[i]; i++) {
		const char *dash = target && strstr(cc[i], target) == target ? strrchr(target, '-') : NULL;
		const char *dot = dash ? strchr(dash, '.') : NULL;
		if (dot ? gr_strvec_pushn(&av, cc[i], (size_t)(dot - cc[i])) != GR_OK : gr_strvec_push(&av, cc[i]) != GR_OK)
			goto nomem;
	}
	if (gr_strvec_push(&av, "-print-search-dirs") != GR_OK)
		goto nomem;
	rc = gr_tc_ask_cc(gr_strvec_argv(&av), cmd, sizeof(cmd), &res, err);
	gr_strvec_deinit(&av);
	if (rc != GR_OK)
		return rc;
	line = strstr(res.out, "libraries: =");
	if (!line || (line != res.out && line[-1] != '\n')) {
		rc = gr_error_set(err, GR_EFORMAT, 0, "%s: printed no \"libraries: =\" line", cmd);
		goto done;
	}
	p = line + strlen("libraries: =");
	end = p + strcspn(p, "\r\n");
	while (p < end) {
		q = memchr(p, ':', (size_t)(end - p));
		if (!q)
			q = end;
		/* Skip empty entries and clang's resource directory (zig's own). */
		if (q > p && !gr_tc_contains(p, (size_t)(q - p), "/lib/clang/")) {
			if (!(dir = gr_tc_dup(p, (size_t)(q - p))) || gr_strvec_push(&tc->driver_dirs, dir) != GR_OK) {
				free(dir);
				rc = gr_tc_nomem(err, cmd);
				goto done;
			}
			free(dir);
		}
		p = q + 1;
	}
	if (tc->driver_dirs.n == 0) {
		rc = gr_error_set(err, GR_EFORMAT, 0, "%s: lists no library directory", cmd);
		goto done;
	}
	fmt = gr_tc_zig_format(target);
	rc = fmt && !(tc->output_format = strdup(fmt)) ? gr_tc_nomem(err, cmd) : GR_OK;
done:
	gr_spawn_result_free(&res);
	return rc;
nomem:
	gr_strvec_deinit(&av);
	return gr_tc_nomem(err, cc[0]);
}

void
gr_toolchain_deinit(struct gr_toolchain *tc)
{
	gr_strvec_deinit(&tc->cc);
	gr_strvec_deinit(&tc->driver_dirs);
	gr_strvec_deinit(&tc->ld_dirs);
	free(tc->ld);
	free(tc->emulation);
	free(tc->sysroot);
	free(tc->output_format);
	free(tc->output_format_big);
	free(tc->output_format_little);
	free(tc->output_arch);
	memset(tc, 0, sizeof(*tc));
}

int
gr_toolchain_discover(const struct gr_env *env, char *const cc[], struct gr_toolchain *tc,
                      struct gr_error *err)
{
	struct gr_error scratch;
	struct gr_strvec av;
	struct gr_spawn_result res;
	struct gr_tc_link lk;
	char cmd[160];
	const char *base;
	size_t i;
	int rc;

	if (!err)
		err = &scratch;
	gr_error_clear(err);
	memset(tc, 0, sizeof(*tc));
	gr_strvec_init(&tc->cc);
	gr_strvec_init(&tc->driver_dirs);
	gr_strvec_init(&tc->ld_dirs);
	if (!cc || !cc[0] || !cc[0][0])
		return gr_error_set(err, GR_EUSAGE, 0, "no C compiler given (set CC, e.g. CC=gcc)");

	gr_strvec_init(&av);
	memset(&lk, 0, sizeof(lk));
	gr_strvec_init(&lk.argv);
	for (i = 0; cc[i]; i++)
		if (gr_strvec_push(&tc->cc, cc[i]) != GR_OK || gr_strvec_push(&av, cc[i]) != GR_OK)
			goto nomem;
	if (gr_tc_zig_sub(cc)) {
		gr_strvec_deinit(&av);
		rc = gr_tc_zig_discover(cc, tc, err);
		if (rc != GR_OK)
			gr_toolchain_deinit(tc);
		return rc;
	}
	for (i = 0; i < GR_TC_NPROBE; i++)
		if (gr_strvec_push(&av, gr_tc_probe[i]) != GR_OK)
			goto nomem;
	rc = gr_tc_ask_cc(gr_strvec_argv(&av), cmd, sizeof(cmd), &res, err);
	if (rc != GR_OK)
		goto fail;
	rc = gr_tc_parse_driver(res.err, res.errlen, cmd, &lk, err);
	if (rc == GR_OK)
		rc = gr_tc_read_link(&lk.argv, cmd, tc, err);
	if (rc == GR_OK) {
		base = strrchr(lk.argv.v[0], '/');
		base = base ? base + 1 : lk.argv.v[0];
		if (strcmp(base, "collect2") == 0)
			rc = gr_tc_collect2_ld(env, cc, &lk, cmd, tc, err);
		else if (!(tc->ld = strdup(lk.argv.v[0])))
			rc = gr_tc_nomem(err, cmd);
	}
	if (rc == GR_OK)
		rc = gr_tc_ask_ld(&lk, tc, err);
	gr_spawn_result_free(&res);  /* lk's spans point into it: free after gr_tc_ask_ld */
fail:
	gr_strvec_deinit(&lk.argv);
	gr_strvec_deinit(&av);
	if (rc != GR_OK)
		gr_toolchain_deinit(tc);
	return rc;
nomem:
	gr_strvec_deinit(&av);
	gr_toolchain_deinit(tc);
	return gr_tc_nomem(err, cc[0]);
}

/* ---- the C++ driver of a C compiler, and the target it builds for ------ */

char *
gr_toolchain_cxx_for_cc(const char *cc)
{
	static const char *const names[][2] = { { "gcc", "g++" }, { "clang", "clang++" }, { "cc", "c++" } };
	const char *base, *end, *ver, *d;
	size_t i;

	errno = 0;
	if (!cc)
		return NULL;
	base = strrchr(cc, '/');
	base = base ? base + 1 : cc;
	end = base + strlen(base);
	/* A version after the name: gcc-12, clang-15, clang-14.0. */
	for (d = end; d > base && ((d[-1] >= '0' && d[-1] <= '9') || d[-1] == '.'); d--)
		;
	ver = d < end && d - 1 > base && d[-1] == '-' && *d >= '0' && *d <= '9' ? d - 1 : end;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i][0]), pre, len;
		const char *at = ver - n;
		char *out;
		if ((size_t)(ver - base) < n || memcmp(at, names[i][0], n) != 0 || (at > base && at[-1] != '-'))
			continue;
		/* The prefix must be a target or a tool name, not a dangling '-'. */
		if (at > base && at - 1 == base)
			continue;
		pre = (size_t)(at - cc);
		len = pre + strlen(names[i][1]) + (size_t)(end - ver);
		if (!(out = malloc(len + 1))) {
			errno = ENOMEM;
			return NULL;
		}
		memcpy(out, cc, pre);
		memcpy(out + pre, names[i][1], strlen(names[i][1]));
		memcpy(out + pre + strlen(names[i][1]), ver, (size_t)(end - ver));
		out[len] = '\0';
		return out;
	}
	return NULL;
}

int
gr_toolchain_cxx_words(char *const cc[], size_t n, struct gr_strvec *out)
{
	static const char *const launchers[] = { "ccache", "sccache", "distcc", "icecc" };
	size_t i, at = 0;
	char *cxx;

	/* zig cc -> zig c++ (and python3 -m ziglang cc -> ... c++), flags kept. */
	if (n > 1 && (at = gr_tc_zig_sub(cc)) > 0 && at < n) {
		for (i = 0; i < n; i++)
			if (gr_strvec_push(out, i == at ? "c++" : cc[i]) != GR_OK)
				return GR_ENOMEM;
		return GR_OK;
	}
	at = 0;
	if (n > 1) {
		const char *base = strrchr(cc[0], '/');
		base = base ? base + 1 : cc[0];
		for (i = 0; i < sizeof(launchers) / sizeof(launchers[0]); i++)
			if (!strcmp(base, launchers[i]))
				at = 1;
	}
	if (at >= n)
		return GR_ENOTFOUND;
	if (!(cxx = gr_toolchain_cxx_for_cc(cc[at])))
		return errno == ENOMEM ? GR_ENOMEM : GR_ENOTFOUND;
	for (i = 0; i < n; i++)
		if (gr_strvec_push(out, i == at ? cxx : cc[i]) != GR_OK) {
			free(cxx);
			return GR_ENOMEM;
		}
	free(cxx);
	return GR_OK;
}

/* The fields of a triplet without its vendor: the second of four, or the
 * second of three when it is a known vendor ("x86_64-pc-linux-gnu",
 * "aarch64-unknown-linux-gnu", "arm-none-eabi"). */
static void
gr_tc_triplet_norm(const char *t, char *buf, size_t n)
{
	const char *f[8];
	size_t nf = 0, i, at = 0;
	const char *p = t;

	f[nf++] = p;
	while ((p = strchr(p, '-')) != NULL && nf < 8)
		f[nf++] = ++p;
	buf[0] = '\0';
	for (i = 0; i < nf; i++) {
		size_t l = i + 1 < nf ? (size_t)(f[i + 1] - f[i] - 1) : strlen(f[i]);
		if (i == 1 && (nf >= 4 || (nf == 3 && ((l == 7 && !strncmp(f[i], "unknown", 7)) ||
		                                         (l == 2 && !strncmp(f[i], "pc", 2)) ||
		                                         (l == 4 && !strncmp(f[i], "none", 4))))))
			continue;
		at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%.*s", at ? "-" : "", (int)l, f[i]);
		if (at >= n)
			return;
	}
}

/* Append "NAME dev ino size mtime ctime\n" (or "NAME missing\n") to b. */
static void
gr_tc_identity(struct gr_kvbuf *b, const char *name)
{
	struct stat st;
	char line[160], id[GR_FILE_IDENTITY_MAX];

	if (stat(name, &st) != 0)
		snprintf(line, sizeof(line), " missing\n");
	else
		snprintf(line, sizeof(line), " %s\n", gr_file_identity(id, sizeof(id), &st, true));
	gr_kv_raw(b, name, strlen(name));
	gr_kv_raw(b, line, strlen(line));
}

/* Whether a directory entry's name is a clang configuration file's (*.cfg). */
static int
gr_tc_is_cfg(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && !strcmp(d->d_name + n - 4, ".cfg");
}

/* Byte order of entry names (alphasort's order would follow the locale). */
static int
gr_tc_byname(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The identity of dir (gr_tc_identity: "missing" when it is not there) and
 * of each *.cfg file in it, in byte order of names. */
static void
gr_tc_cfg_dir(struct gr_kvbuf *b, const char *dir)
{
	struct dirent **ents = NULL;
	int n, i;

	gr_tc_identity(b, dir);
	errno = 0;
	if ((n = scandir(dir, &ents, gr_tc_is_cfg, gr_tc_byname)) < 0) {
		b->nomem |= errno == ENOMEM;  /* no directory: its line says so */
		return;
	}
	for (i = 0; i < n; i++) {
		char *f = b->nomem ? NULL : gr_path_join(dir, ents[i]->d_name);
		if (f)
			gr_tc_identity(b, f);
		else
			b->nomem = true;
		free(f);
		free(ents[i]);
	}
	free(ents);
}

/* Whether name (a path's last component) is ccache's or sccache's. */
static bool
gr_tc_is_ccache(const char *name)
{
	return !strcmp(name, "ccache") || !strcmp(name, "sccache");
}

/* The compiler a ccache symlink called name (ccache's own real path: launcher)
 * runs: the first executable name on path (NULL: /usr/bin:/bin) that is no
 * ccache, as ccache itself looks (CCACHE_PATH and ccache's compiler setting
 * aside), malloc'd; NULL with errno 0 when there is none, ENOMEM when out of memory. */
static char *
gr_tc_behind_ccache(const char *name, const char *launcher, const char *path)
{
	const char *p, *colon;

	for (p = path ? path : "/usr/bin:/bin"; *p; p = *colon ? colon + 1 : colon) {
		char *dir, *cand, *real, *slash;
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		if (colon == p)
			continue;  /* the current directory: not where a compiler is looked for here */
		if (!(dir = strndup(p, (size_t)(colon - p))))
			return NULL;
		cand = gr_path_join(dir, name);
		free(dir);
		if (!cand)
			return NULL;
		errno = 0;
		if (access(cand, X_OK) != 0 || !(real = realpath(cand, NULL))) {
			free(cand);
			if (errno == ENOMEM)
				return NULL;
			continue;
		}
		slash = strrchr(real, '/');
		if (strcmp(real, launcher) != 0 && !gr_tc_is_ccache(slash ? slash + 1 : real)) {
			free(cand);
			return real;
		}
		free(real);
		free(cand);
	}
	errno = 0;
	return NULL;
}

char *
gr_toolchain_config_state(const struct gr_env *env, const char *path, char *const a[], size_t na,
                          char *const b[], size_t nb)
{
	struct gr_kvbuf st = { NULL, 0, 0, false };
	char *real, *slash, *const *w, *behind = NULL;
	const char *invoked, *v;
	size_t i, k, n;

	errno = 0;
	if (!path || !(real = realpath(path, NULL)))
		return errno == ENOMEM ? NULL : strdup("");
	slash = strrchr(real, '/');
	invoked = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	/* A ccache symlink named after clang (/usr/lib/ccache/clang): the clang
	 * behind it, named, with its identity. */
	if (slash && gr_tc_is_ccache(slash + 1) && strstr(invoked, "clang")) {
		errno = 0;
		behind = gr_tc_behind_ccache(invoked, real, env ? env->path : NULL);
		free(real);
		if (!behind)
			return errno == ENOMEM ? NULL : strdup("");
		real = behind;
		gr_kv_raw(&st, "ccache runs ", strlen("ccache runs "));
		gr_tc_identity(&st, real);
		slash = strrchr(real, '/');
	}
	if (!slash || !strstr(slash + 1, "clang")) {
		free(real);
		if (st.nomem) {
			free(st.p);
			return NULL;
		}
		return st.p ? st.p : strdup("");
	}
	*slash = '\0';
	/* The directory of the real executable (a file created or removed there
	 * changes its identity) and each *.cfg in it (one edited in place does
	 * not change the directory's). */
	gr_tc_cfg_dir(&st, *real ? real : "/");
	/* The system and user directories of clang builds that have them
	 * (Fedora: /etc/clang) and those given with --config-system-dir= and
	 * --config-user-dir= words. */
	gr_tc_cfg_dir(&st, "/etc/clang");
	if (env && env->xdg_config_home && env->xdg_config_home[0] == '/') {
		char *d = gr_path_join(env->xdg_config_home, "clang");
		if (d)
			gr_tc_cfg_dir(&st, d);
		st.nomem |= !d;
		free(d);
	} else if (env && env->home && env->home[0]) {
		char *d = gr_path_join(env->home, ".config/clang");
		if (d)
			gr_tc_cfg_dir(&st, d);
		st.nomem |= !d;
		free(d);
	}
	/* Whether clang >= 16 loads its default configuration files at all. */
	v = env ? env->clang_no_default_config : NULL;
	gr_kv_raw(&st, "CLANG_NO_DEFAULT_CONFIG", strlen("CLANG_NO_DEFAULT_CONFIG"));
	if (v) {
		gr_kv_raw(&st, "=", 1);
		gr_kv_raw(&st, v, strcspn(v, "\n"));
		gr_kv_raw(&st, "\n", 1);
	} else {
		gr_kv_raw(&st, " unset\n", 7);
	}
	for (k = 0; k < 2 && !st.nomem; k++) {
		w = k ? b : a;
		n = k ? nb : na;
		for (i = 0; w && i < n && w[i] && !st.nomem; i++) {
			char *f;
			v = NULL;
			if (!strncmp(w[i], "--config-system-dir=", 20))
				gr_tc_cfg_dir(&st, w[i] + 20);
			else if (!strncmp(w[i], "--config-user-dir=", 18))
				gr_tc_cfg_dir(&st, w[i] + 18);
			if (!strcmp(w[i], "--config") && i + 1 < n && w[i + 1])
				v = w[++i];
			else if (!strncmp(w[i], "--config=", 9))
				v = w[i] + 9;
			if (!v)
				continue;
			if (strchr(v, '/'))
				gr_tc_identity(&st, v);
			else if (!(f = gr_path_join(real, v)))
				st.nomem = true;
			else {
				gr_tc_identity(&st, f);
				free(f);
			}
		}
	}
	free(real);
	if (st.nomem) {
		free(st.p);
		return NULL;
	}
	return st.p ? st.p : strdup("");
}

bool
gr_toolchain_same_target(const char *a, const char *b)
{
	char na[256], nb[256];

	if (!a || !b)
		return false;
	gr_tc_triplet_norm(a, na, sizeof(na));
	gr_tc_triplet_norm(b, nb, sizeof(nb));
	return !strcmp(na, nb);
}

/* Whether c may be in a target triplet. */
static bool
gr_tc_tripletc(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '+' || c == '-';
}

int
gr_toolchain_dumpmachine(const struct gr_env *env, char *const cc[], char **triplet,
                         struct gr_error *err)
{
	struct gr_error scratch;
	struct gr_strvec av;
	struct gr_spawn_result res;
	char *where = NULL;
	size_t i, n;
	int rc;

	if (!err)
		err = &scratch;
	gr_error_clear(err);
	*triplet = NULL;
	if (!cc || !cc[0] || !cc[0][0])
		return gr_error_set(err, GR_EUSAGE, 0, "no compiler given");
	gr_strvec_init(&av);
	errno = 0;
	where = gr_path_which(cc[0], env ? env->path : NULL);
	if (!where && errno == ENOMEM)
		return gr_tc_nomem(err, cc[0]);
	for (i = 0; cc[i]; i++)
		if (gr_strvec_push(&av, i || !where ? cc[i] : where) != GR_OK)
			goto nomem;
	if (gr_strvec_push(&av, "-dumpmachine") != GR_OK)
		goto nomem;
	free(where);
	where = NULL;
	rc = gr_spawn_capture(gr_strvec_argv(&av), NULL, &res, err);
	if (rc == GR_EIO && gr_tc_unrunnable(err->sys_errno))
		rc = gr_error_set(err, GR_EIO, err->sys_errno, "cannot run %s: %s", cc[0], strerror(err->sys_errno));
	if (rc != GR_OK) {
		gr_strvec_deinit(&av);
		return rc;
	}
	if (!gr_spawn_ok(&res)) {
		rc = gr_tc_failed(gr_strvec_argv(&av), &res, err);
		goto out;
	}
	/* One line of [A-Za-z0-9_.+-]. */
	for (n = 0; n < res.outlen && gr_tc_tripletc(res.out[n]); n++)
		;
	if (n == 0 || n > 200 || (n < res.outlen && res.out[n] != '\n')) {
		rc = gr_error_set(err, GR_EFORMAT, 0, "%s -dumpmachine printed no target triplet", cc[0]);
		goto out;
	}
	if (!(*triplet = gr_tc_dup(res.out, n)))
		rc = gr_tc_nomem(err, cc[0]);
out:
	gr_spawn_result_free(&res);
	gr_strvec_deinit(&av);
	return rc;
nomem:
	free(where);
	gr_strvec_deinit(&av);
	return gr_tc_nomem(err, cc[0]);
}
