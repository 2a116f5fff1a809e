#include "gr_extld.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gr_bfdcheck.h"
#include "gr_bstate.h"
#include "gr_cache.h"
#include "gr_file.h"
#include "gr_kv.h"
#include "gr_path.h"
#include "gr_pc.h"

#define GR_EXTLD_MAXRESP (64u << 20)

static const char *
gr_extld_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

const char *
gr_extld_discovery_path(const char *path, const char *statepath)
{
	const char *slash = statepath ? strrchr(statepath, '/') : NULL;
	size_t n;

	if (!path || !slash || slash == statepath)
		return path;
	n = (size_t)(slash - statepath);
	/* "HELPDIR:REST" with REST not empty: REST. */
	if (strncmp(path, statepath, n) == 0 && path[n] == ':' && path[n + 1])
		return path + n + 1;
	return path;
}

bool
gr_extld_is_final(char *const *args, size_t n)
{
	size_t i;
	bool out = false, goo = false;

	for (i = 0; i < n; i++) {
		const char *a = args[i];
		size_t l = strlen(a);
		if (l >= 9 && strcmp(a + l - 9, "trivial.c") == 0)
			return false;
		if (!strcmp(a, "-x") && i + 2 < n && !strcmp(args[i + 1], "c") && !strcmp(args[i + 2], "-"))
			return false;
		if (!strcmp(a, "-o") && i + 1 < n)
			out = true;
		if (!strcmp(gr_extld_base(a), "go.o"))
			goo = true;
	}
	return out && goo;
}

static void
gr_extld_utf8(char **w, unsigned long c)
{
	char *p = *w;

	if (c < 0x80) {
		*p++ = (char)c;
	} else if (c < 0x800) {
		*p++ = (char)(0xc0 | (c >> 6));
		*p++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*p++ = (char)(0xe0 | (c >> 12));
		*p++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*p++ = (char)(0x80 | (c & 0x3f));
	} else {
		*p++ = (char)(0xf0 | (c >> 18));
		*p++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*p++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*p++ = (char)(0x80 | (c & 0x3f));
	}
	*w = p;
}

static int
gr_extld_hex(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int
gr_extld_unquote(const char *s, size_t len, char **out)
{
	char *buf, *w;
	size_t i;

	*out = NULL;
	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return GR_EFORMAT;
	/* Decoding never grows the text: \u escapes are six bytes for at most three. */
	buf = malloc(len);
	if (!buf)
		return GR_ENOMEM;
	w = buf;
	for (i = 1; i < len - 1; i++) {
		char c = s[i];
		unsigned long v = 0;
		int k, digits;
		if (c == '"')
			goto bad;
		if (c != '\\') {
			*w++ = c;
			continue;
		}
		if (++i >= len - 1)
			goto bad;
		switch (s[i]) {
		case 'a': *w++ = '\a'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'v': *w++ = '\v'; break;
		case '\\': *w++ = '\\'; break;
		case '"': *w++ = '"'; break;
		case '\'': *w++ = '\''; break;
		case 'x': case 'u': case 'U':
			digits = s[i] == 'x' ? 2 : s[i] == 'u' ? 4 : 8;
			if (i + (size_t)digits > len - 2)
				goto bad;
			for (k = 1; k <= digits; k++) {
				int h = gr_extld_hex((unsigned char)s[i + (size_t)k]);
				if (h < 0)
					goto bad;
				v = v * 16 + (unsigned long)h;
			}
			i += (size_t)digits;
			if (digits == 2)
				*w++ = (char)v;
			else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
				goto bad;
			else
				gr_extld_utf8(&w, v);
			break;
		default:
			if (s[i] >= '0' && s[i] <= '7') {
				if (i + 2 > len - 2)
					goto bad;
				for (k = 0; k < 3; k++) {
					if (s[i + (size_t)k] < '0' || s[i + (size_t)k] > '7')
						goto bad;
					v = v * 8 + (unsigned long)(s[i + (size_t)k] - '0');
				}
				if (v > 255)
					goto bad;
				i += 2;
				*w++ = (char)v;
				break;
			}
			goto bad;
		}
	}
	*w = '\0';
	*out = buf;
	return GR_OK;
bad:
	free(buf);
	return GR_EFORMAT;
}

/* Append the arguments of response file path to out. */
static int
gr_extld_response(const char *path, struct gr_strvec *out, struct gr_error *err)
{
	FILE *f = fopen(path, "r");
	char *text, *line, *nl;
	size_t lineno = 0;
	int rc;

	if (!f)
		return gr_error_set(err, GR_EIO, errno, "response file %s: %s", path, strerror(errno));
	rc = gr_file_read_all(f, GR_EXTLD_MAXRESP, &text, NULL);
	fclose(f);
	if (rc == GR_EIO)
		return gr_error_set(err, GR_EIO, errno, "response file %s: %s", path, strerror(errno));
	if (rc)
		return gr_error_set(err, GR_ENOMEM, 0, "response file %s: too large", path);
	for (line = text; rc == GR_OK && *line; line = nl + 1) {
		char *arg;
		lineno++;
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		if (nl > line) {
			rc = gr_extld_unquote(line, (size_t)(nl - line), &arg);
			if (rc == GR_EFORMAT)
				rc = gr_error_set(err, GR_EFORMAT, 0, "response file %s:%zu: not a Go quoted string",
				                  path, lineno);
			else if (rc)
				rc = gr_error_set(err, rc, 0, "response file %s: out of memory", path);
			else {
				if (gr_strvec_push(out, arg))
					rc = gr_error_set(err, GR_ENOMEM, 0, "response file %s: out of memory", path);
				free(arg);
			}
		}
		if (!*nl)
			break;
	}
	free(text);
	return rc;
}

int
gr_extld_expand(char *const *args, size_t n, struct gr_strvec *out, struct gr_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (args[i][0] == '@' && args[i][1]) {
			if ((rc = gr_extld_response(args[i] + 1, out, err)))
				return rc;
		} else if (gr_strvec_push(out, args[i])) {
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
		}
	}
	return GR_OK;
}

/* Flags that contradict a static link: dropped. */
static bool
gr_extld_drop(enum gr_link_mode mode, const char *a)
{
	if (mode == GR_LINK_THIRD_PARTY)
		return false;
	if (!strcmp(a, "-rdynamic") || !strncmp(a, "-Wl,--dynamic-linker,", 21) ||
	    !strncmp(a, "-Wl,-dynamic-linker,", 20))
		return true;
	return mode == GR_LINK_STATIC_PIE && (!strcmp(a, "-pie") || !strcmp(a, "-no-pie") ||
	                                      !strcmp(a, "-nopie") || !strcmp(a, "-static"));
}

/* Whether the archive at path is C++ (gr_bfd_archive_needs_cxx), cached
 * under its identity: the answer costs a walk over every member. */
static bool
gr_extld_archive_cxx(const struct gr_env *env, const char *path)
{
	struct stat st;
	struct gr_error ignore;
	char key[16640], *data;
	size_t len;
	bool cxx;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	snprintf(key, sizeof(key), "cxx 1\n%s\n%llu %llu %lld %lld.%09ld", path,
	         (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, (long long)st.st_size,
	         (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	if (gr_cache_get(env, "cxx", key, &data, &len) == GR_OK) {
		bool ok = len == 2 && (data[0] == '0' || data[0] == '1') && data[1] == '\n';
		cxx = data[0] == '1';
		free(data);
		if (ok)
			return cxx;
	}
	cxx = gr_bfd_archive_needs_cxx(path);
	gr_cache_put(env, "cxx", key, cxx ? "1\n" : "0\n", 2, &ignore);  /* a failure only costs time */
	return cxx;
}

/* Whether the link holds C++: an object that refers to the C++ runtime (a
 * cgo package with .cc files), or an archive a -l became that does (a C
 * library written in C++, whose pkg-config flags leave -lstdc++ to the
 * shared library's DT_NEEDED: ICU under libxml2). glibc's and gcc's own
 * libraries are not looked into. */
static bool
gr_extld_holds_cxx(const struct gr_env *env, char *const *args, size_t n,
                   const struct gr_rw_result *rw)
{
	size_t i, k, j;

	for (i = 0; i < n; i++) {
		size_t l = strlen(args[i]);
		if (l > 2 && !strcmp(args[i] + l - 2, ".o") && args[i][0] == '/' && gr_bfd_needs_cxx(args[i]))
			return true;
	}
	for (i = 0; i < rw->ntokens; i++) {
		const struct gr_rw_token *t = &rw->tokens[i];
		bool sys = false;
		if (t->kind != GR_RW_LIBRARY || t->kept || t->missing || !t->lib)
			continue;
		for (j = 0; j < gr_rw_ndefault_system_libs && !sys; j++)
			sys = !strcmp(t->lib, gr_rw_default_system_libs[j]);
		for (k = 0; k < t->noutput && !sys; k++) {
			size_t l = strlen(t->output[k]);
			if (l > 2 && t->output[k][0] == '/' && !strcmp(t->output[k] + l - 2, ".a") &&
			    gr_extld_archive_cxx(env, t->output[k]))
				return true;
		}
	}
	return false;
}

/* Whether name is among v's. */
static bool
gr_extld_has(const struct gr_strvec *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], name))
			return true;
	return false;
}

/* The -l names the packages in the pkg-config log (what cmd/go asked the
 * shim about) bring with --static: a #cgo pkg-config: answer accounts for
 * them. When go build reuses its cached cgo results the shim does not run
 * for those packages: the names an earlier run of a link with the same -l
 * words (args) recorded (cache kind "accounted") are added, and the record
 * is updated with this run's. No log, an unreadable one or a package that
 * does not resolve: no names from it. GR_OK or GR_ENOMEM. */
static int
gr_extld_accounted(const struct gr_env *env, const char *log, char *const *args, size_t n,
                   struct gr_strvec *out)
{
	struct gr_strvec pkgs;
	struct gr_kvbuf key = { NULL, 0, 0, false }, keep = { NULL, 0, 0, false };
	struct gr_error e;
	char *data = NULL, *cur, *v, tag;
	size_t i, k, len, fromlog;
	bool bad = false;
	int rc = GR_OK;

	gr_strvec_init(&pkgs);
	if (log && *log && gr_pkglog_read(log, &pkgs, &e) == GR_ENOMEM)
		rc = GR_ENOMEM;
	/* Each package alone: one that does not resolve (any more) loses only its own names. */
	for (k = 0; k < pkgs.n && !rc; k++) {
		struct gr_pc_tokens *t = NULL;
		const char *q = pkgs.v[k];
		int prc = gr_pc_resolve(env, &q, 1, &t, &e);
		if (prc == GR_ENOMEM)
			rc = GR_ENOMEM;
		for (i = 0; prc == GR_OK && t && i < t->n && !rc; i++)
			if (!strncmp(t->v[i].text, "-l", 2) && t->v[i].text[2] && !gr_extld_has(out, t->v[i].text + 2))
				rc = gr_strvec_push(out, t->v[i].text + 2);
		gr_pc_tokens_free(t);
	}
	gr_strvec_deinit(&pkgs);
	fromlog = out->n;
	/* The record of the same link: its -l words as cmd/link passed them. */
	gr_kv_raw(&key, "accounted 1\n", 12);
	for (i = 0; i < n; i++)
		if (!strncmp(args[i], "-l", 2))
			gr_kv_put(&key, 'l', args[i]);
	gr_kv_raw(&key, "", 1);
	if (!rc && !key.nomem && gr_cache_get(env, "accounted", key.p, &data, &len) == GR_OK) {
		for (cur = data; !rc && gr_kv_next(&cur, &tag, &v, &bad);)
			if (tag == 'a' && *v && !gr_extld_has(out, v))
				rc = gr_strvec_push(out, v);
		free(data);
	}
	if (!rc && fromlog && !key.nomem) {
		for (i = 0; i < out->n; i++)
			gr_kv_put(&keep, 'a', out->v[i]);
		if (!keep.nomem)
			gr_cache_put(env, "accounted", key.p, keep.p, keep.n, &e);  /* a failure only costs the record */
	}
	free(keep.p);
	free(key.p);
	return rc ? GR_ENOMEM : GR_OK;
}

int
gr_extld_rewrite(const struct gr_env *env, const struct gr_linkstate *ls,
                 const struct gr_toolchain *tc, char *const *args, size_t n, struct gr_strvec *out,
                 struct gr_rw_result **rw, struct gr_error *err)
{
	struct gr_pc_token *toks;
	struct gr_rw_opts o;
	struct gr_infer_opts infer;
	struct gr_strvec accounted;
	size_t i, k = 0;
	int rc;

	*rw = NULL;
	memset(&infer, 0, sizeof(infer));
	gr_strvec_init(&accounted);
	toks = calloc(n + ls->extra.n + 1, sizeof(*toks));
	if (!toks)
		return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	for (i = 0; i < n; i++)
		toks[k++].text = args[i];
	for (i = 0; i < ls->extra.n; i++) {
		toks[k].text = ls->extra.v[i];
		toks[k++].origin = i < ls->extra_origin.n ? ls->extra_origin.v[i] : "--pkg";
	}
	memset(&o, 0, sizeof(o));
	o.mode = ls->mode == GR_LINK_THIRD_PARTY ? GR_RW_THIRD_PARTY : GR_RW_STATIC;
	o.link_runs_here = true;  /* the wrapper runs the link itself, from here */
	if (ls->system_libs.n) {
		o.system_libs = (const char *const *)ls->system_libs.v;
		o.nsystem_libs = ls->system_libs.n;
	} else {
		o.system_libs = gr_rw_default_system_libs;
		o.nsystem_libs = gr_rw_ndefault_system_libs;
	}
	o.allow_dynamic = (const char *const *)ls->allow.v;
	o.nallow_dynamic = ls->allow.n;
	/* zig cc links its own C library (musl, or glibc stubs of the version
	 * its -target names) and runtime: -lc, -lm, -lpthread... stay for it,
	 * never the system's glibc archives. */
	if (ls->cc.n && gr_toolchain_is_zig(ls->cc.v)) {
		o.driver_libs = gr_rw_default_system_libs;
		o.ndriver_libs = gr_rw_ndefault_system_libs;
	}
	o.replace_lib = ls->stub_lib;
	o.replace_path = ls->stub_archive;
	o.nreplace = ls->nstub;
	/* A bare -lNAME (cgo LDFLAGS, --lib, -extldflags) gains its package's
	 * closure; the -l names the #cgo pkg-config: answers gave are accounted for. */
	if (!ls->no_infer && !ls->darwin) {
		static const char *const raw[] = { "--lib" };
		infer.raw_origins = raw;
		infer.nraw_origins = 1;
		if ((rc = gr_extld_accounted(env, ls->pkglog, args, n, &accounted))) {
			free(toks);
			return gr_error_set(err, rc, 0, "link arguments: out of memory");
		}
		infer.accounted = (const char *const *)accounted.v;
		infer.naccounted = accounted.n;
		o.infer = &infer;
		o.infer_env = env;
	}
	if (ls->darwin) {
		/* Apple targets: ld64's search, third-party libraries from archives,
		 * the system's dylibs and frameworks as they are, never -static. */
		struct gr_rw_darwin d = { ls->darwin_arch, ls->syslibroot };
		o.mode = GR_RW_THIRD_PARTY;
		if (!ls->system_libs.n) {
			o.system_libs = NULL;
			o.nsystem_libs = 0;
		}
		rc = gr_rewrite_darwin(toks, k, &o, &d, rw, err);
	} else {
		rc = gr_rewrite(toks, k, &o, tc, rw, err);
	}
	free(toks);
	gr_strvec_deinit(&accounted);
	if (rc)
		return rc;
	/* C++ in the link: link with go env CXX, as cmd/go would have chosen it
	 * for a package with C++ files; its driver adds libstdc++ where it
	 * belongs. Only when that program exists (CXX=g++ without g++ installed
	 * leaves the diagnosis to name -lstdc++). */
	{
		bool cxx = false;
		char *where;
		if (ls->cxx.n && gr_extld_holds_cxx(env, args, n, *rw)) {
			errno = 0;
			if ((where = gr_path_which(ls->cxx.v[0], env->path)) != NULL)
				cxx = true;
			else if (errno == ENOMEM)
				return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
			free(where);
		}
		if (gr_strvec_extend(out, cxx ? &ls->cxx : &ls->cc))
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	}
	for (i = 0; i < (*rw)->argv.n; i++) {
		const char *a = (*rw)->argv.v[i];
		/* --linker: gorelink's choice replaces the link's own -fuse-ld=. */
		if (ls->linker && !ls->darwin && !strncmp(a, "-fuse-ld=", 9))
			continue;
		if (!(!ls->darwin && gr_extld_drop(ls->mode, a)) && gr_strvec_push(out, a))
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	}
	/* --linker: the compiler driver runs ld.NAME; every -l is an archive's
	 * path by now, so GNU ld's search is kept whichever linker reads them. */
	if (ls->linker && !ls->darwin) {
		size_t fl = strlen(ls->linker) + 10;
		char *flag = malloc(fl);
		if (!flag)
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
		snprintf(flag, fl, "-fuse-ld=%s", ls->linker);
		rc = gr_strvec_push(out, flag);
		free(flag);
		if (rc)
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	}
	/* A -Bdynamic the flags left in force would make the driver's own -lc,
	 * -lgcc... that follow them look for shared libraries: end in -Bstatic. */
	if (ls->darwin)
		return GR_OK;
	if (ls->mode != GR_LINK_THIRD_PARTY) {
		struct gr_bstate bs;
		gr_bstate_init(&bs, true);
		gr_bstate_driver_argv(&bs, (const char *const *)out->v, out->n);
		if (bs.explicit_dynamic && gr_strvec_push(out, "-Wl,-Bstatic"))
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	}
	if (ls->mode == GR_LINK_STATIC && gr_strvec_push(out, "-static"))
		return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	if (ls->mode == GR_LINK_STATIC_PIE && gr_strvec_push(out, "-static-pie"))
		return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	return GR_OK;
}
