#define _GNU_SOURCE
#include "gr_rebuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_file.h"
#include "gr_goinfo.h"
#include "gr_path.h"
#include "gr_spawn.h"

#define GR_RB_MAXBIN ((size_t)1 << 31)

/* Whole file into a malloc'd buffer. */
static int
gr_rb_slurp(const char *path, unsigned char **buf, size_t *len, struct gr_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	struct stat st;
	struct gr_error re;
	char *p;

	*buf = NULL;
	if (fd < 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > GR_RB_MAXBIN) {
		close(fd);
		return gr_error_set(err, GR_EIO, 0, "%s: not a regular file of at most 2 GiB", path);
	}
	rc = gr_file_read_fd(fd, path, (size_t)st.st_size, false, &p, len, &re);
	close(fd);
	if (rc == GR_ENOMEM)
		return gr_error_set(err, GR_ENOMEM, 0, "%s: out of memory", path);
	if (rc)
		return gr_error_set(err, GR_EIO, re.sys_errno, "%s: read failed", path);
	*buf = (unsigned char *)p;
	return GR_OK;
}

char *
gr_rebuild_unquote(struct gr_arena *a, const char *s)
{
	size_t n = strlen(s), i, o = 0;
	char *r;

	if (n >= 2 && s[0] == '`' && s[n - 1] == '`')
		return gr_arena_strndup(a, s + 1, n - 2);
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return gr_arena_strdup(a, s);
	if (!(r = gr_arena_alloc(a, n)))
		return NULL;
	for (i = 1; i + 1 < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 2 < n) {
			c = s[++i];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			default: break;  /* \" \\ and anything else: the character itself */
			}
		}
		r[o++] = c;
	}
	r[o] = '\0';
	return r;
}

/* Split line (len l) at tabs into up to max fields (arena copies). */
static size_t
gr_rb_fields(struct gr_arena *a, const char *s, size_t l, const char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		const char *t = memchr(s, '\t', l);
		size_t k = t ? (size_t)(t - s) : l;
		if (!(f[n++] = gr_arena_strndup(a, s, k)))
			return (size_t)-1;
		if (!t)
			break;
		s += k + 1;
		l -= k + 1;
	}
	return n;
}

static int
gr_rb_parse(const char *s, struct gr_arena *a, struct gr_rebuild_info *bi, struct gr_error *err)
{
	size_t n = strlen(s), cdeps = 0, cset = 0, cval = 0;
	struct gr_rebuild_mod *last = NULL;

	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t l = nl ? (size_t)(nl - s) : n;
		const char *f[4] = {"", "", "", ""};
		size_t k = gr_rb_fields(a, s, l, f, 4);

		if (k == (size_t)-1)
			return gr_error_set(err, GR_ENOMEM, 0, "build info: out of memory");
		if (!strcmp(f[0], "path")) {
			bi->path = f[1];
		} else if (!strcmp(f[0], "mod") || !strcmp(f[0], "dep")) {
			struct gr_rebuild_mod *m = &bi->main;
			if (f[0][0] == 'd') {
				if (!gr_arena_grow(a, (void **)&bi->deps, bi->ndeps, &cdeps, sizeof(*bi->deps)))
					return gr_error_set(err, GR_ENOMEM, 0, "build info: out of memory");
				m = &bi->deps[bi->ndeps++];
				memset(m, 0, sizeof(*m));
			}
			m->path = f[1];
			m->version = f[2];
			m->sum = f[3];
			last = m;
		} else if (!strcmp(f[0], "=>") && last) {
			last->rpath = f[1];
			last->rversion = f[2];
			last->rsum = f[3];
		} else if (!strcmp(f[0], "build") && k >= 2) {
			/* build\tKEY=VALUE: the value may hold tabs; take the rest of the line. */
			const char *kv = s + 6, *eq;
			size_t kl = l - 6;
			char *key, *val;
			if (!(eq = memchr(kv, '=', kl)))
				eq = kv + kl;
			key = gr_arena_strndup(a, kv, (size_t)(eq - kv));
			val = gr_arena_strndup(a, eq < kv + kl ? eq + 1 : "", eq < kv + kl ? kl - (size_t)(eq - kv) - 1 : 0);
			if (!key || !val || !(val = gr_rebuild_unquote(a, val)))
				return gr_error_set(err, GR_ENOMEM, 0, "build info: out of memory");
			cval = cset;
			if (!gr_arena_grow(a, (void **)&bi->keys, bi->nsettings, &cset, sizeof(*bi->keys)) ||
			    !gr_arena_grow(a, (void **)&bi->values, bi->nsettings, &cval, sizeof(*bi->values)))
				return gr_error_set(err, GR_ENOMEM, 0, "build info: out of memory");
			bi->keys[bi->nsettings] = key;
			bi->values[bi->nsettings++] = val;
		}
		s += l;
		n -= l;
		if (n) {
			s++;
			n--;
		}
	}
	return GR_OK;
}

int
gr_rebuild_read(const char *path, struct gr_arena *a, struct gr_rebuild_info *bi, struct gr_error *err)
{
	unsigned char *buf;
	size_t len = 0;
	struct gr_goinfo *gi = NULL;
	int rc;

	memset(bi, 0, sizeof(*bi));
	if ((rc = gr_rb_slurp(path, &buf, &len, err)))
		return rc;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		free(buf);
		return gr_error_set(err, GR_EIO, 0, "libelf: %s", elf_errmsg(-1));
	}
	rc = gr_goinfo_elf(buf, len, a, &gi, err);
	free(buf);
	if (rc)
		return rc;
	if (!gi || !gi->go_version || !gi->modinfo || !gi->modinfo[0])
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
		                    "no Go build info (not a Go binary, built before Go 1.18, "
		                    "with -buildinfo=false, or from a file rather than a package)");
	bi->go_version = gi->go_version;
	if ((rc = gr_rb_parse(gi->modinfo, a, bi, err)))
		return rc;
	if (!bi->path || !bi->main.path)
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
		                    "its build info names no main module (built outside module mode)");
	return GR_OK;
}

const char *
gr_rebuild_setting(const struct gr_rebuild_info *bi, const char *key)
{
	size_t i;

	for (i = 0; i < bi->nsettings; i++)
		if (!strcmp(bi->keys[i], key))
			return bi->values[i];
	return NULL;
}

int
gr_rebuild_refuse(const struct gr_rebuild_info *bi, struct gr_error *err)
{
	const char *v;
	size_t i;

	if ((v = gr_rebuild_setting(bi, "vcs.modified")) && !strcmp(v, "true"))
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
		                    "built from a dirty tree (vcs.modified=true, revision %s): its source "
		                    "is in no module version",
		                    (v = gr_rebuild_setting(bi, "vcs.revision")) ? v : "unknown");
	if (!bi->main.version || !bi->main.version[0] || !strcmp(bi->main.version, "(devel)"))
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
		                    "main module %s is (devel): built from a local directory, not from a "
		                    "module version (go install %s@VERSION)", bi->main.path, bi->main.path);
	if ((v = gr_rebuild_setting(bi, "CGO_ENABLED")) && strcmp(v, "1") != 0)
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
		                    "built with CGO_ENABLED=%s: Go linked it without a C linker, it needs "
		                    "no relinking", v);
	if (bi->main.rpath)
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0, "the main module %s is replaced", bi->main.path);
	/* Words given to the go command: none may read as an option. */
	if (bi->main.path[0] == '-' || bi->main.version[0] == '-')
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0, "the main module %s@%s reads as an option",
		                    bi->main.path, bi->main.version);
	if (bi->path[0] == '-')
		return gr_error_set(err, GR_REBUILD_EREFUSED, 0, "the main package %s reads as an option", bi->path);
	for (i = 0; i < bi->ndeps; i++)
		if ((bi->deps[i].path && bi->deps[i].path[0] == '-') ||
		    (bi->deps[i].version && bi->deps[i].version[0] == '-') ||
		    (bi->deps[i].rpath && bi->deps[i].rpath[0] == '-') ||
		    (bi->deps[i].rversion && bi->deps[i].rversion[0] == '-'))
			return gr_error_set(err, GR_REBUILD_EREFUSED, 0, "dependency %s reads as an option",
			                    bi->deps[i].path ? bi->deps[i].path : "?");
	for (i = 0; i < bi->ndeps; i++)
		if (bi->deps[i].rpath && (!bi->deps[i].rversion || !bi->deps[i].rversion[0]))
			return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
			                    "dependency %s is replaced by the directory %s: no module version "
			                    "to fetch", bi->deps[i].path, bi->deps[i].rpath);
	return GR_OK;
}

/* Whether a C compiler or linker flag word from a build info is one the
 * rebuild may pass on: definitions, include and library paths, optimisation,
 * debug, warning, code generation (-f, -m; not -fplugin), -std=, -pthread, and
 * -Wl, linker options without a plugin. Not: -wrapper, -specs, -B, -fplugin,
 * -Wl,-plugin, -fuse-ld=/--ld-path (another program), response files (@). */
static bool
gr_rb_cflag_ok(const char *w)
{
	static const char *const prefixes[] = {"-D", "-U", "-I", "-O", "-g", "-std=", "-l", "-L", NULL};
	size_t i;

	if (w[0] != '-')
		return w[0] != '@' && w[0] != '\0';  /* an operand: a path, not a response file */
	for (i = 0; prefixes[i]; i++)
		if (!strncmp(w, prefixes[i], strlen(prefixes[i])))
			return true;
	if (!strcmp(w, "-pthread") || !strcmp(w, "-pipe") || !strncmp(w, "-static", 7))
		return true;
	if (!strncmp(w, "-f", 2))
		return strncmp(w, "-fplugin", 8) != 0 && strncmp(w, "-fuse-ld", 8) != 0;
	if (!strncmp(w, "-m", 2))
		return true;
	if (!strncmp(w, "-Wl,", 4))
		return !strstr(w, "plugin") && !strstr(w, "-B") && !strstr(w, "@");
	if (!strncmp(w, "-W", 2))  /* warnings; not -Wp, -Wa, (options for other programs) */
		return w[2] != '\0' && w[3] != ',';
	return false;
}

/* Whether an -ldflags word is one cmd/link takes without running anything:
 * -s, -w, -X NAME=VALUE, -buildid, -B, -compressdwarf, -checklinkname, and
 * the link gorelink itself asks for. */
static bool
gr_rb_ldflag_ok(const char *w, bool *value_next)
{
	static const char *const ok[] = {"-s", "-w", "-X", "-B", "-buildid", "-compressdwarf", "-checklinkname",
	                                 "-linkmode", "-extld", NULL};
	const char *name = w + (w[0] == '-' && w[1] == '-' ? 2 : 1), *eq = strchr(w, '=');
	size_t i, nl = eq ? (size_t)(eq - name) : strlen(name);

	if (*value_next) {  /* the value of the word before */
		*value_next = false;
		return true;
	}
	if (w[0] != '-')
		return false;
	for (i = 0; ok[i]; i++)
		if (strlen(ok[i] + 1) == nl && !strncmp(name, ok[i] + 1, nl))
			break;
	if (!ok[i])
		return false;
	if (!strcmp(ok[i], "-linkmode"))
		return eq && !strcmp(eq + 1, "external");
	if (!strcmp(ok[i], "-extld"))
		return eq && !strcmp(eq + 1, "gorelink-ld");
	*value_next = !eq && (!strcmp(ok[i], "-X") || !strcmp(ok[i], "-B") || !strcmp(ok[i], "-buildid"));
	return true;
}

int
gr_rebuild_refuse_flags(const struct gr_rebuild_info *bi, struct gr_error *err)
{
	static const char *const ckeys[] = {"CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS",
	                                    "-ldflags", NULL};
	size_t k;

	for (k = 0; ckeys[k]; k++) {
		const char *v = gr_rebuild_setting(bi, ckeys[k]), *p;
		bool ld = !strcmp(ckeys[k], "-ldflags"), next = false;
		char word[512];
		if (!v)
			continue;
		if (strpbrk(v, "'\"`\\"))
			return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
			                    "build setting %s=%s: quoted words are not checked (--trust-build-flags rebuilds with them)",
			                    ckeys[k], v);
		for (p = v; *p;) {
			size_t n = strcspn(p, " \t\n");
			bool ok;
			if (!n) {
				p++;
				continue;
			}
			if (n >= sizeof(word))
				n = sizeof(word) - 1;
			memcpy(word, p, n);
			word[n] = '\0';
			p += strcspn(p, " \t\n");
			/* -ldflags=all=... (a package pattern): the flags after it */
			if (ld && !strncmp(word, "all=", 4))
				memmove(word, word + 4, strlen(word + 4) + 1);
			ok = ld ? gr_rb_ldflag_ok(word, &next) : gr_rb_cflag_ok(word);
			if (!ok)
				return gr_error_set(err, GR_REBUILD_EREFUSED, 0,
				                    "build setting %s holds %s, which the rebuild would pass to the %s: "
				                    "a binary's build info is not trusted input (--trust-build-flags rebuilds with it)",
				                    ckeys[k], word, ld ? "Go linker" : "C compiler or linker");
		}
	}
	return GR_OK;
}

/* Run go with words (after "go -C dir"), capturing; GR_REBUILD_EFETCH with
 * go's stderr when it fails. */
static char *gr_rb_json_field(const char *json, const char *key);

static int
gr_rb_go(const char *go, const char *dir, const struct gr_strvec *words, const char *what,
         struct gr_spawn_result *r, struct gr_error *err)
{
	struct gr_strvec av;
	char how[128];
	size_t i;
	int rc = GR_OK;

	gr_strvec_init(&av);
	if (gr_strvec_push(&av, go) || gr_strvec_push(&av, "-C") || gr_strvec_push(&av, dir)) {
		gr_strvec_deinit(&av);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	for (i = 0; i < words->n; i++)
		if (gr_strvec_push(&av, words->v[i])) {
			gr_strvec_deinit(&av);
			return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		}
	memset(r, 0, sizeof(*r));
	if ((rc = gr_spawn_capture(gr_strvec_argv(&av), NULL, r, err))) {
		gr_strvec_deinit(&av);
		return gr_error_set(err, GR_REBUILD_EFETCH, err->sys_errno, "%s: %s", go, err->msg);
	}
	if (!gr_spawn_ok(r)) {
		/* -json puts the reason in the output's "Error"; otherwise it is on stderr. */
		char *jerr = r->out ? gr_rb_json_field(r->out, "Error") : NULL;
		const char *why = jerr ? jerr : r->err ? r->err : "";
		size_t l = strlen(why);
		while (l && why[l - 1] == '\n')
			l--;
		if (strstr(why, "flag provided but not defined: -C"))
			rc = gr_error_set(err, GR_REBUILD_EFETCH, 0,
			                  "%s is older than Go 1.20 (it has no -C flag): gorelink rebuild needs Go 1.20 "
			                  "or later (--go); a binary an older Go built is rebuilt with a newer one, and "
			                  "the differences that follow are listed as kind toolchain", go);
		else
			rc = gr_error_set(err, GR_REBUILD_EFETCH, 0, "%s %s: %s: %.*s", go, what,
			                  gr_spawn_describe(r, how, sizeof(how)), (int)l, why);
		free(jerr);
		gr_spawn_result_free(r);
	}
	gr_strvec_deinit(&av);
	return rc;
}

/* The string value of "Key": "..." in go's -json output (escapes \n, \t, and
 * any other character as itself; \uXXXX is not decoded), malloc'd, or NULL. */
static char *
gr_rb_json_field(const char *json, const char *key)
{
	char pat[64];
	const char *p, *e;
	char *r, *o;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	if (!(p = strstr(json, pat)))
		return NULL;
	p += strlen(pat);
	for (e = p; *e && *e != '"'; e++)
		if (*e == '\\' && e[1])
			e++;
	if (*e != '"' || !(r = o = malloc((size_t)(e - p) + 1)))
		return NULL;
	for (; p < e; p++) {
		if (*p == '\\') {
			p++;
			*o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return r;
}

/* Copy the tree at src into dst (created), files 0644 (0755 when
 * executable), directories 0755: the module cache is read-only. */
static int
gr_rb_copy(const char *src, const char *dst, struct gr_error *err)
{
	DIR *d;
	struct dirent *e;
	int rc = GR_OK;

	if (mkdir(dst, 0755) != 0 && errno != EEXIST)
		return gr_error_set(err, GR_REBUILD_EFETCH, errno, "mkdir %s: %s", dst, strerror(errno));
	if (!(d = opendir(src)))
		return gr_error_set(err, GR_REBUILD_EFETCH, errno, "%s: %s", src, strerror(errno));
	while (!rc && (e = readdir(d))) {
		char *s = NULL, *t = NULL;
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!(s = gr_path_join(src, e->d_name)) || !(t = gr_path_join(dst, e->d_name))) {
			free(s);
			rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
			break;
		}
		if (lstat(s, &st) != 0) {
			rc = gr_error_set(err, GR_REBUILD_EFETCH, errno, "%s: %s", s, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = gr_rb_copy(s, t, err);
		} else if (S_ISREG(st.st_mode)) {
			int in = open(s, O_RDONLY | O_CLOEXEC);
			int out = in < 0 ? -1 : open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			                             (st.st_mode & 0111) ? 0755 : 0644);
			char buf[65536];
			ssize_t r = 0;
			while (out >= 0 && (r = read(in, buf, sizeof(buf))) > 0)
				if (write(out, buf, (size_t)r) != r) {
					r = -1;
					break;
				}
			if (in < 0 || out < 0 || r < 0)
				rc = gr_error_set(err, GR_REBUILD_EFETCH, errno, "copy %s to %s: %s", s, t,
				                  strerror(errno));
			if (out >= 0 && close(out) != 0 && !rc)
				rc = gr_error_set(err, GR_REBUILD_EFETCH, errno, "%s: %s", t, strerror(errno));
			if (in >= 0)
				close(in);
		}
		/* Module zips hold only files and directories: anything else is skipped. */
		free(s);
		free(t);
	}
	closedir(d);
	return rc;
}

/* The build settings that become go build flags (key, flag; "" flag: -KEY as
 * a boolean). */
static const char *const gr_rb_flagkeys[] = {"-tags", "-ldflags", "-gcflags", "-asmflags", NULL};
static const char *const gr_rb_boolkeys[] = {"-trimpath", "-race", "-msan", "-asan", NULL};
/* The build settings that are environment variables of the build. */
static const char *const gr_rb_envkeys[] = {
	"GOOS", "GOARCH", "GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64",
	"GORISCV64", "GOWASM", "GOEXPERIMENT", "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS",
	"CGO_FFLAGS", "CGO_LDFLAGS", NULL,
};

static int
gr_rb_push2(struct gr_strvec *v, const char *a, const char *b)
{
	char *s;
	int rc;

	if (asprintf(&s, "%s%s", a, b) < 0)
		return GR_ENOMEM;
	rc = gr_strvec_push(v, s);
	free(s);
	return rc;
}

static int
gr_rb_flags(const struct gr_rebuild_info *bi, struct gr_rebuild_plan *p)
{
	size_t i;
	const char *v;

	for (i = 0; gr_rb_flagkeys[i]; i++)
		if ((v = gr_rebuild_setting(bi, gr_rb_flagkeys[i])) && *v) {
			char *k = NULL;
			int rc = asprintf(&k, "%s=", gr_rb_flagkeys[i]) < 0 ? GR_ENOMEM
			         : gr_rb_push2(&p->goargs, k, v);
			free(k);
			if (rc)
				return GR_ENOMEM;
		}
	for (i = 0; gr_rb_boolkeys[i]; i++)
		if ((v = gr_rebuild_setting(bi, gr_rb_boolkeys[i])) && !strcmp(v, "true") &&
		    gr_strvec_push(&p->goargs, gr_rb_boolkeys[i]))
			return GR_ENOMEM;
	for (i = 0; gr_rb_envkeys[i]; i++) {
		v = gr_rebuild_setting(bi, gr_rb_envkeys[i]);
		if (v && *v) {
			char *k = NULL;
			int rc = asprintf(&k, "%s=", gr_rb_envkeys[i]) < 0 ? GR_ENOMEM
			         : gr_rb_push2(&p->setenv, k, v);
			free(k);
			if (rc)
				return GR_ENOMEM;
		} else if (!strncmp(gr_rb_envkeys[i], "CGO_", 4) || !strcmp(gr_rb_envkeys[i], "GOEXPERIMENT")) {
			/* Recorded empty (or not at all): the default, whatever this environment says. */
			if (gr_strvec_push(&p->unsetenv, gr_rb_envkeys[i]))
				return GR_ENOMEM;
		}
	}
	/* go.sum gains the pinned versions' sums; no workspace may interfere; the
	 * copy is the module proxy's, not a checkout: no version-control stamp from
	 * a repository that happens to hold the temporary directory (go install
	 * MOD@VERSION stamps none either). */
	if (gr_strvec_push(&p->setenv, "GOFLAGS=-mod=mod -buildvcs=false") || gr_strvec_push(&p->setenv, "GOWORK=off") ||
	    gr_strvec_push(&p->setenv, "CGO_ENABLED=1"))
		return GR_ENOMEM;
	p->pie = (v = gr_rebuild_setting(bi, "-buildmode")) && !strcmp(v, "pie");
	/* cmd/go leaves -ldflags and the CGO_*FLAGS out of a -trimpath build's info. */
	if ((v = gr_rebuild_setting(bi, "-trimpath")) && !strcmp(v, "true") &&
	    !gr_rebuild_setting(bi, "-ldflags") && !gr_rebuild_setting(bi, "CGO_CFLAGS") &&
	    gr_strvec_push(&p->warnings,
	                   "built with -trimpath: Go records neither its -ldflags nor its CGO_*FLAGS "
	                   "then, so the rebuild has none (an -X value or C flag of the original is lost, "
	                   "and the comparison cannot see it)"))
		return GR_ENOMEM;
	return GR_OK;
}

/* The version of path in buildlist ("PATH VERSION" lines), in the arena, or NULL. */
static const char *
gr_rb_listed(struct gr_arena *a, const char *buildlist, const char *path)
{
	size_t pl = strlen(path);
	const char *l;

	for (l = buildlist; l && *l;) {
		const char *nl = strchr(l, '\n'), *e = nl ? nl : l + strlen(l);
		if ((size_t)(e - l) > pl && !strncmp(l, path, pl) && l[pl] == ' ')
			return gr_arena_strndup(a, l + pl + 1, (size_t)(e - l) - pl - 1);
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* Whether go mod edit -json lists a non-empty "key": [ ... ] (not null). */
static bool
gr_rb_json_list(const char *json, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	for (p = json; p && (p = strstr(p, pat));) {
		p += strlen(pat);
		p += strspn(p, " \t\r\n");
		if (*p == '[') {
			p++;
			p += strspn(p, " \t\r\n");
			return *p != ']';
		}
	}
	return false;
}

const char *
gr_rebuild_install_why_not(const struct gr_rebuild_info *bi, const char *buildlist, const char *gomod_json,
                           const char *hostos, const char *hostarch, struct gr_arena *a)
{
	const char *v, *r = NULL, *spec = gr_arena_printf(a, "%s@%s", bi->main.path, bi->main.version);
	size_t i;

	if (!spec)
		return "out of memory";
	if (gr_rb_json_list(gomod_json, "Replace") || gr_rb_json_list(gomod_json, "Exclude"))
		return (r = gr_arena_printf(a, "the go.mod of %s has %s directives, which go install %s refuses",
		                            spec, gr_rb_json_list(gomod_json, "Replace") ? "replace" : "exclude", spec))
		       ? r : "out of memory";
	if ((v = gr_rebuild_setting(bi, "GOOS")) && hostos && *hostos && strcmp(v, hostos) != 0)
		r = gr_arena_printf(a, "a cross build (GOOS=%s on a %s host): go install puts none in GOBIN", v, hostos);
	else if ((v = gr_rebuild_setting(bi, "GOARCH")) && hostarch && *hostarch && strcmp(v, hostarch) != 0)
		r = gr_arena_printf(a, "a cross build (GOARCH=%s on a %s host): go install puts none in GOBIN", v,
		                    hostarch);
	if (r)
		return r;
	for (i = 0; i < bi->ndeps; i++) {
		const struct gr_rebuild_mod *m = &bi->deps[i];
		const char *sel;
		if (m->rpath)
			r = gr_arena_printf(a, "dependency %s@%s is replaced by %s%s%s in the binary (a build in a "
			                    "checkout or a workspace); go install %s replaces nothing",
			                    m->path, m->version, m->rpath, m->rversion && *m->rversion ? "@" : "",
			                    m->rversion ? m->rversion : "", spec);
		else if (!(sel = buildlist ? gr_rb_listed(a, buildlist, m->path) : NULL))
			r = gr_arena_printf(a, "dependency %s@%s of the binary is not in the build list of %s",
			                    m->path, m->version, spec);
		else if (strcmp(sel, m->version) != 0)
			r = gr_arena_printf(a, "dependency %s is %s in the binary, but go install %s selects %s "
			                    "(the module's own go.mod)", m->path, m->version, spec, sel);
		if (r)
			return r;
	}
	return NULL;
}

/* Decide p->install: go install MOD@VERSION when it selects what bi records
 * (gr_rebuild_install_why_not), from the unmodified copy; a go command that
 * fails here is a reason for the copy, not an error. GR_ENOMEM only. */
static int
gr_rb_method(const struct gr_rebuild_info *bi, const char *go, struct gr_rebuild_plan *p)
{
	static const char *const envw[] = {"env", "GOHOSTOS", "GOHOSTARCH", NULL};
	static const char *const editw[] = {"mod", "edit", "-json", NULL};
	static const char *const listw[] = {"list", "-mod=mod", "-m", "-f", "{{.Path}} {{.Version}}", "all", NULL};
	const char *const *cmds[] = {envw, editw, listw};
	char *outs[3] = {NULL, NULL, NULL}, host[2][64] = {"", ""};
	const char *why = NULL;
	struct gr_arena a;
	struct gr_error e;
	size_t k, i;
	int rc = GR_OK;

	gr_arena_init(&a);
	for (k = 0; k < 3 && !why; k++) {
		struct gr_strvec w;
		struct gr_spawn_result r;
		gr_strvec_init(&w);
		for (i = 0; cmds[k][i]; i++)
			if (gr_strvec_push(&w, cmds[k][i])) {
				gr_strvec_deinit(&w);
				rc = GR_ENOMEM;
				goto out;
			}
		gr_error_clear(&e);
		if (gr_rb_go(go, k ? p->workdir : p->tmp, &w, cmds[k][0][0] == 'l' ? "list -m all" : cmds[k][0][0] == 'e'
		             ? "env" : "mod edit -json", &r, &e) != GR_OK) {
			why = gr_arena_printf(&a, "deciding on go install: %s", e.msg);
		} else {
			outs[k] = r.out;
			r.out = NULL;
			gr_spawn_result_free(&r);
		}
		gr_strvec_deinit(&w);
	}
	if (!why && outs[0])
		sscanf(outs[0], "%63s %63s", host[0], host[1]);
	if (!why)
		why = gr_rebuild_install_why_not(bi, outs[2] ? outs[2] : "", outs[1], host[0], host[1], &a);
	if (why && !(p->copy_why = strdup(why)))
		rc = GR_ENOMEM;
	p->install = !why;
out:
	for (k = 0; k < 3; k++)
		free(outs[k]);
	gr_arena_deinit(&a);
	return rc;
}

int
gr_rebuild_prepare(const struct gr_rebuild_info *bi, const char *go, const char *tmpdir,
                   struct gr_rebuild_plan *p, struct gr_error *err)
{
	struct gr_strvec w;
	struct gr_spawn_result r;
	char *dir = NULL, *spec = NULL, *spec_what = NULL;
	size_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	gr_strvec_init(&p->goargs);
	gr_strvec_init(&p->setenv);
	gr_strvec_init(&p->unsetenv);
	gr_strvec_init(&p->pinned);
	gr_strvec_init(&p->warnings);
	gr_strvec_init(&w);
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	if (asprintf(&p->tmp, "%s/gorelink-rebuild.XXXXXX", tmpdir) < 0) {
		p->tmp = NULL;
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	if (!mkdtemp(p->tmp)) {
		rc = gr_error_set(err, GR_REBUILD_EFETCH, errno, "mkdtemp %s: %s", p->tmp, strerror(errno));
		free(p->tmp);
		p->tmp = NULL;
		return rc;
	}
	if (asprintf(&spec, "%s@%s", bi->main.path, bi->main.version) < 0 ||
	    asprintf(&p->workdir, "%s/src", p->tmp) < 0) {
		free(spec);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	/* go mod download -json MOD@VERSION: verified against go.sum's database
	 * like go install MOD@VERSION; Dir is its read-only copy in the module cache. */
	if (asprintf(&spec_what, "mod download -json %s", spec) < 0) {
		spec_what = NULL;
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		goto out;
	}
	if (gr_strvec_push(&w, "mod") || gr_strvec_push(&w, "download") || gr_strvec_push(&w, "-json") ||
	    gr_strvec_push(&w, spec)) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		goto out;
	}
	if ((rc = gr_rb_go(go, p->tmp, &w, spec_what, &r, err)))
		goto out;
	dir = r.out ? gr_rb_json_field(r.out, "Dir") : NULL;
	p->fetched_sum = r.out ? gr_rb_json_field(r.out, "Sum") : NULL;
	gr_spawn_result_free(&r);
	if (!dir) {
		rc = gr_error_set(err, GR_REBUILD_EFETCH, 0, "go mod download %s: no Dir in its output", spec);
		goto out;
	}
	if ((rc = gr_rb_copy(dir, p->workdir, err)))
		goto out;
	/* go install MOD@VERSION or go build in the copy: decided on the copy as fetched. */
	if (gr_rb_method(bi, go, p)) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		goto out;
	}
	/* Pin every dependency, and its replacement, to what the binary records. */
	gr_strvec_deinit(&w);
	gr_strvec_init(&w);
	if (gr_strvec_push(&w, "mod") || gr_strvec_push(&w, "edit")) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < bi->ndeps; i++) {
		const struct gr_rebuild_mod *m = &bi->deps[i];
		char *a = NULL;
		if (asprintf(&a, "-require=%s@%s", m->path, m->version) < 0 || gr_strvec_push(&w, a) ||
		    gr_strvec_push(&p->pinned, a + 9)) {
			free(a);
			rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
			goto out;
		}
		free(a);
		if (m->rpath) {
			if (asprintf(&a, "-replace=%s@%s=%s@%s", m->path, m->version, m->rpath, m->rversion) < 0 ||
			    gr_strvec_push(&w, a)) {
				free(a);
				rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
				goto out;
			}
			free(a);
		}
	}
	if (w.n > 2) {
		if ((rc = gr_rb_go(go, p->workdir, &w, "mod edit (pinning the dependencies)", &r, err)))
			goto out;
		gr_spawn_result_free(&r);
	}
	if (gr_rb_flags(bi, p))
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
out:
	free(dir);
	free(spec);
	free(spec_what);
	gr_strvec_deinit(&w);
	return rc;
}

static int
gr_rb_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Make every directory under path writable (go marks its copies read-only). */
static int
gr_rb_chmod(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

void
gr_rebuild_plan_free(struct gr_rebuild_plan *p)
{
	if (p->tmp) {
		nftw(p->tmp, gr_rb_chmod, 16, FTW_PHYS);
		nftw(p->tmp, gr_rb_rm, 16, FTW_DEPTH | FTW_PHYS);
	}
	free(p->tmp);
	free(p->workdir);
	free(p->fetched_sum);
	free(p->copy_why);
	gr_strvec_deinit(&p->goargs);
	gr_strvec_deinit(&p->setenv);
	gr_strvec_deinit(&p->unsetenv);
	gr_strvec_deinit(&p->pinned);
	gr_strvec_deinit(&p->warnings);
	memset(p, 0, sizeof(*p));
}

/* Split s at any of seps into arena words. */
static size_t
gr_rb_words(struct gr_arena *a, const char *s, const char *seps, const char **w, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		size_t k;
		s += strspn(s, seps);
		if (!*s)
			break;
		k = strcspn(s, seps);
		if (!(w[n] = gr_arena_strndup(a, s, k)))
			return (size_t)-1;
		n++;
		s += k;
	}
	return n;
}

#define GR_RB_MAXW 256

/* Whether new is old plus only words gorelink adds: keep(word) false. */
static bool
gr_rb_same_but(struct gr_arena *a, const char *old, const char *new, const char *seps,
               bool (*ours)(const char *w))
{
	const char *ow[GR_RB_MAXW], *nw[GR_RB_MAXW];
	size_t on = gr_rb_words(a, old, seps, ow, GR_RB_MAXW);
	size_t nn = gr_rb_words(a, new, seps, nw, GR_RB_MAXW);
	size_t i, j = 0;

	if (on == (size_t)-1 || nn == (size_t)-1 || on == GR_RB_MAXW || nn == GR_RB_MAXW)
		return false;
	/* In order: new minus gorelink's words is old. */
	for (i = 0; i < nn; i++) {
		if (ours(nw[i]))
			continue;
		if (j >= on || strcmp(nw[i], ow[j]) != 0)
			return false;
		j++;
	}
	return j == on;
}

static bool
gr_rb_ours_ld(const char *w)
{
	return !strcmp(w, "-linkmode=external") || !strncmp(w, "-extld=", 7) ||
	       !strncmp(w, "-extldflags=", 12);
}

static bool
gr_rb_ours_tag(const char *w)
{
	return !strcmp(w, "netgo") || !strcmp(w, "osusergo");
}

static bool
gr_rb_ours_cpp(const char *w)
{
	return !strncmp(w, "-DGORELINK_PKGCONFIG=", 21);
}

/* ldflags without the all= pattern gorelink writes. */
static const char *
gr_rb_ld_plain(const char *v)
{
	return !strncmp(v, "all=", 4) ? v + 4 : v;
}

static int
gr_rb_add(struct gr_arena *a, struct gr_rebuild_diff **d, size_t *n, size_t *cap, const char *what,
          const char *o, const char *nv, const char *kind, const char *why)
{
	if (!what || !gr_arena_grow(a, (void **)d, *n, cap, sizeof(**d)))
		return GR_ENOMEM;
	(*d)[*n].what = what;
	(*d)[*n].old_v = o;
	(*d)[*n].new_v = nv;
	(*d)[*n].kind = kind;
	(*d)[*n].why = why;
	(*n)++;
	return GR_OK;
}

/* The class of a differing build setting, and why. */
/* Whether every tag of old is in new (a superset, any order). */
static bool
gr_rb_tags_superset(struct gr_arena *a, const char *old, const char *new)
{
	const char *ow[GR_RB_MAXW], *nw[GR_RB_MAXW];
	size_t on = gr_rb_words(a, old, ",", ow, GR_RB_MAXW);
	size_t nn = gr_rb_words(a, new, ",", nw, GR_RB_MAXW);
	size_t i, j;

	if (on == (size_t)-1 || nn == (size_t)-1 || on == GR_RB_MAXW || nn == GR_RB_MAXW)
		return false;
	for (i = 0; i < on; i++) {
		for (j = 0; j < nn && strcmp(ow[i], nw[j]); j++)
			;
		if (j == nn)
			return false;
	}
	return true;
}

static const char *
gr_rb_setting_kind(struct gr_arena *a, const char *key, const char *o, const char *nv, bool preset_tags,
                   bool other_go, const char **why)
{
	/* Settings that follow from the Go release (and the go.mod go line). */
	if (other_go && (!strcmp(key, "DefaultGODEBUG") || (!strcmp(key, "-buildmode") && !*o && !strcmp(nv, "exe")))) {
		*why = "another Go release: it records this setting differently (DefaultGODEBUG from Go 1.21, "
		       "-buildmode=exe from Go 1.20)";
		return "toolchain";
	}
	if (!strcmp(key, "-ldflags") &&
	    gr_rb_same_but(a, gr_rb_ld_plain(o), gr_rb_ld_plain(nv), " \t", gr_rb_ours_ld)) {
		*why = "gorelink links externally through gorelink-ld (-linkmode=external -extld=...)";
		return "linkage";
	}
	if (!strcmp(key, "-tags") && gr_rb_same_but(a, o, nv, ",", gr_rb_ours_tag)) {
		*why = "the static modes add netgo,osusergo (Go's own resolver and user lookup, "
		       "instead of glibc's, which need shared objects at run time)";
		return "linkage";
	}
	if (!strcmp(key, "-tags") && preset_tags && gr_rb_tags_superset(a, o, nv)) {
		*why = "the preset asked for adds its tags (and the static modes netgo,osusergo)";
		return "preset";
	}
	if (!strcmp(key, "CGO_CPPFLAGS") && gr_rb_same_but(a, o, nv, " \t", gr_rb_ours_cpp)) {
		*why = "gorelink's cache mark -DGORELINK_PKGCONFIG= (go build's cache must tell a static "
		       "link's cgo objects apart)";
		return "linkage";
	}
	if (!strcmp(key, "-buildmode") && !strcmp(o, "exe") && !strcmp(nv, "pie")) {
		*why = "--static-pie builds a static PIE";
		return "linkage";
	}
	if (!strncmp(key, "vcs", 3)) {
		*why = "the original was stamped from a version-control checkout; the rebuild is "
		       "from the module proxy's copy of the version";
		return "source";
	}
	*why = "a setting that is not the link's";
	return "unexpected";
}

int
gr_rebuild_compare(const struct gr_rebuild_info *old, const struct gr_rebuild_info *new,
                   const char *fetched_sum, const char *copy_why, bool preset_tags, struct gr_arena *a,
                   struct gr_rebuild_diff **d, size_t *n, struct gr_error *err)
{
	size_t cap = 0, i, j;
	int rc = GR_OK;
	bool other_go = strcmp(old->go_version, new->go_version) != 0;

	*d = NULL;
	*n = 0;
#define ADD(what, o, nv, kind, why)                                            \
	do {                                                                   \
		if ((rc = gr_rb_add(a, d, n, &cap, what, o, nv, kind, why)))   \
			goto nomem;                                            \
	} while (0)
	if (other_go)
		ADD("go", old->go_version, new->go_version, "toolchain",
		    "built with the installed Go, not the original's: install that version to match it");
	if (!old->path || !new->path || strcmp(old->path, new->path) != 0)
		ADD("path", old->path, new->path, "unexpected", "a different main package");
	if (strcmp(old->main.path, new->main.path ? new->main.path : "") != 0) {
		ADD("mod", old->main.path, new->main.path, "unexpected", "a different main module");
	} else if (strcmp(old->main.version, new->main.version) != 0 ||
	           strcmp(old->main.sum, new->main.sum) != 0) {
		const char *o = gr_arena_printf(a, "%s%s%s", old->main.version, old->main.sum[0] ? " " : "",
		                                old->main.sum);
		const char *nv = gr_arena_printf(a, "%s%s%s", new->main.version, new->main.sum[0] ? " " : "",
		                                 new->main.sum);
		if (!strcmp(new->main.version, "(devel)") && fetched_sum && old->main.sum[0] &&
		    !strcmp(fetched_sum, old->main.sum))
			ADD("mod", o, nv, "source",
			    gr_arena_printf(a, "built from the module proxy's %s@%s, whose sum %s is the "
			                    "original's; go build stamps a copy (devel)%s%s",
			                    old->main.path, old->main.version, fetched_sum,
			                    copy_why ? ", and it is no go install: " : "", copy_why ? copy_why : ""));
		else if (!strcmp(new->main.version, "(devel)") && fetched_sum && !old->main.sum[0])
			ADD("mod", o, nv, "source",
			    gr_arena_printf(a, "built from the module proxy's %s@%s (sum %s); the original "
			                    "records no sum to compare it with%s%s",
			                    old->main.path, old->main.version, fetched_sum,
			                    copy_why ? "; go build stamps a copy (devel), and it is no go install: " : "",
			                    copy_why ? copy_why : ""));
		else
			ADD("mod", o, nv, "unexpected",
			    gr_arena_printf(a, "the module proxy's %s@%s has sum %s",
			                    old->main.path, old->main.version, fetched_sum ? fetched_sum : "?"));
	}
	for (i = 0; i < old->ndeps; i++) {
		const struct gr_rebuild_mod *o = &old->deps[i], *m = NULL;
		for (j = 0; j < new->ndeps && !m; j++)
			if (!strcmp(new->deps[j].path, o->path))
				m = &new->deps[j];
		if (!m) {
			ADD(gr_arena_printf(a, "dep %s", o->path), o->version, NULL, "unexpected",
			    "the rebuild does not use this module");
			continue;
		}
		if (strcmp(o->version, m->version) || strcmp(o->sum, m->sum) ||
		    (!o->rpath) != (!m->rpath) ||
		    (o->rpath && (strcmp(o->rpath, m->rpath) || strcmp(o->rversion, m->rversion) ||
		                  strcmp(o->rsum, m->rsum))))
			ADD(gr_arena_printf(a, "dep %s", o->path),
			    gr_arena_printf(a, "%s %s%s%s", o->version, o->sum, o->rpath ? " => " : "",
			                    o->rpath ? o->rpath : ""),
			    gr_arena_printf(a, "%s %s%s%s", m->version, m->sum, m->rpath ? " => " : "",
			                    m->rpath ? m->rpath : ""),
			    "unexpected", "a different version, sum or replacement");
	}
	for (j = 0; j < new->ndeps; j++) {
		bool seen = false;
		for (i = 0; i < old->ndeps && !seen; i++)
			seen = !strcmp(new->deps[j].path, old->deps[i].path);
		if (!seen)
			ADD(gr_arena_printf(a, "dep %s", new->deps[j].path), NULL, new->deps[j].version,
			    "unexpected", "a module the original does not use");
	}
	for (i = 0; i < old->nsettings; i++) {
		const char *nv = gr_rebuild_setting(new, old->keys[i]), *why, *kind;
		if (nv && !strcmp(nv, old->values[i]))
			continue;
		kind = gr_rb_setting_kind(a, old->keys[i], old->values[i], nv ? nv : "", preset_tags, other_go, &why);
		ADD(gr_arena_printf(a, "build %s", old->keys[i]), old->values[i], nv, kind, why);
	}
	for (j = 0; j < new->nsettings; j++) {
		const char *why, *kind;
		if (gr_rebuild_setting(old, new->keys[j]))
			continue;
		kind = gr_rb_setting_kind(a, new->keys[j], "", new->values[j], preset_tags, other_go, &why);
		ADD(gr_arena_printf(a, "build %s", new->keys[j]), NULL, new->values[j], kind, why);
	}
#undef ADD
	return GR_OK;
nomem:
	return gr_error_set(err, GR_ENOMEM, 0, "comparing build info: out of memory");
}

bool
gr_rebuild_unexpected(const struct gr_rebuild_diff *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(d[i].kind, "unexpected"))
			return true;
	return false;
}
