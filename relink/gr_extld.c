#include "gr_extld.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_bfdcheck.h"
#include "gr_bstate.h"
#include "gr_cache.h"
#include "gr_elf.h"
#include "gr_elfsh.h"
#include "gr_file.h"
#include "gr_kv.h"
#include "gr_path.h"
#include "gr_pc.h"
#include "gr_spawn.h"
#include "gr_toolchain.h"

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
	char key[16640], id[GR_FILE_IDENTITY_MAX], *data;
	size_t len;
	bool cxx;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	snprintf(key, sizeof(key), "cxx 1\n%s\n%s", path, gr_file_identity(id, sizeof(id), &st, false));
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

/* The host's own kind of ELF relocatable object, which the BFD gorelink is
 * linked with always reads: gr_extld_elf_needs_cxx answers for it alone. */
#if defined(__x86_64__) && defined(__LP64__)
#define GR_EXTLD_HOST_EM EM_X86_64
#elif defined(__aarch64__) && defined(__AARCH64EL__) && defined(__LP64__)
#define GR_EXTLD_HOST_EM EM_AARCH64
#endif

int
gr_extld_elf_needs_cxx(const char *path)
{
#ifdef GR_EXTLD_HOST_EM
	unsigned char eh[sizeof(Elf64_Ehdr)], *sh = NULL;
	struct gr_elfsh h;
	struct gr_elfsh_sec s, t;
	Elf64_Sym *syms = NULL;
	char *str = NULL;
	struct stat st;
	uint64_t size, nsyms, i, k;
	size_t symtab = 0, nsymtab = 0;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(eh) ||
	    !gr_file_pread(fd, eh, sizeof(eh), 0))
		goto out;
	size = (uint64_t)st.st_size;
	/* The host's own kind only: its Elf64_Sym is the file's. A section
	 * table at 0 or over the ELF header: BFD's to answer (it refuses it). */
	if (!gr_elfsh_header(eh, sizeof(eh), &h) || !h.is64 || h.be || h.ident_version != EV_CURRENT ||
	    h.type != ET_REL || h.machine != GR_EXTLD_HOST_EM || h.version != EV_CURRENT ||
	    h.shstrndx == SHN_XINDEX || !gr_elfsh_table_fits(&h, size) || h.shoff < sizeof(Elf64_Ehdr))
		goto out;
	if (!(sh = malloc((size_t)gr_elfsh_table_size(&h))) ||
	    !gr_file_pread(fd, sh, (size_t)gr_elfsh_table_size(&h), h.shoff))
		goto out;
	for (k = 0; k < h.shnum; k++) {
		gr_elfsh_sec(&h, sh + k * h.shentsize, &s);
		if (s.type == SHT_SYMTAB) {
			symtab = (size_t)k;
			nsymtab++;
		}
	}
	/* No symbol table, or more than one: BFD's to answer. */
	if (nsymtab != 1)
		goto out;
	{
		gr_elfsh_sec(&h, sh + symtab * h.shentsize, &s);
		if (s.entsize != sizeof(Elf64_Sym) || s.size % sizeof(Elf64_Sym) || s.offset > size ||
		    s.size > size - s.offset || s.link == 0 || s.link >= h.shnum)
			goto out;
		gr_elfsh_sec(&h, sh + (size_t)s.link * h.shentsize, &t);
		if (t.type != SHT_STRTAB || t.size == 0 || t.offset > size || t.size > size - t.offset)
			goto out;
		nsyms = s.size / sizeof(Elf64_Sym);
		if (!(syms = malloc(s.size ? (size_t)s.size : 1)) || !(str = malloc((size_t)t.size)) ||
		    !gr_file_pread(fd, syms, (size_t)s.size, s.offset) ||
		    !gr_file_pread(fd, str, (size_t)t.size, t.offset) || str[t.size - 1] != '\0')
			goto out;
		/* As gr_bfd_refs_cxx over BFD's symbols (every entry but the first;
		 * undefined: section index SHN_UNDEF; no leading character on ELF). */
		rc = 0;
		for (i = 1; i < nsyms && !rc; i++) {
			const char *name;
			if (syms[i].st_shndx != SHN_UNDEF)
				continue;
			if (syms[i].st_name >= t.size) {
				rc = -1;  /* BFD would read no name: its answer */
				break;
			}
			name = str + syms[i].st_name;
			if (!strncmp(name, "_Z", 2) || !strncmp(name, "__cxa_", 6) || !strcmp(name, "__gxx_personality_v0"))
				rc = 1;
		}
	}
out:
	free(sh);
	free(syms);
	free(str);
	close(fd);
	return rc;
#else
	(void)path;
	return -1;
#endif
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
		int fast;
		if (l <= 2 || strcmp(args[i] + l - 2, ".o") || args[i][0] != '/')
			continue;
		/* cmd/link's go.o and cgo objects: their symbol tables read
		 * directly (BFD's symbols for go.o cost milliseconds). */
		if ((fast = gr_extld_elf_needs_cxx(args[i])) == 1 || (fast < 0 && gr_bfd_needs_cxx(args[i])))
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

/* The linker option opt ("--build-id[=STYLE]") as gr_extld_mold_build_id
 * wants it: *fixed a new string (malloc'd), or NULL when opt is fine as it
 * is. 0, or -1: out of memory. */
static int
gr_extld_mold_id_opt(const char *opt, char **fixed)
{
	static const char hex0x[] = "--build-id=0x";
	size_t hex;

	*fixed = NULL;
	/* sha1, the default style: 20 bytes, as cmd/link's. md5 (16 bytes),
	 * which GNU ld, gold, lld and mold all know: a fallback to GNU ld
	 * (gr_extld_mold_build_id_undo) still writes a build ID. */
	if (!strcmp(opt, "--build-id") || !strcmp(opt, "--build-id=sha1"))
		return (*fixed = strdup("--build-id=md5")) ? 0 : -1;
	if (strncmp(opt, hex0x, sizeof(hex0x) - 1) != 0)
		return 0;
	hex = strlen(opt + sizeof(hex0x) - 1);
	if (hex % 2 || hex / 2 % 8 != 4 || strspn(opt + sizeof(hex0x) - 1, "0123456789abcdefABCDEF") != hex)
		return 0;
	if (!(*fixed = malloc(strlen(opt) + 9)))
		return -1;
	memcpy(*fixed, opt, strlen(opt));
	memcpy(*fixed + strlen(opt), "00000000", 9);
	return 0;
}

int
gr_extld_mold_build_id(struct gr_strvec *argv)
{
	bool any = false;
	size_t i;

	for (i = 0; i < argv->n; i++) {
		const char *a = argv->v[i], *opt;
		size_t pre;
		char *fixed, *word;
		/* -Wl,--build-id... (one option), or -Xlinker --build-id... */
		if (!strncmp(a, "-Wl,--build-id", 14) && !strchr(a + 4, ','))
			pre = 4;
		else if (i > 0 && !strcmp(argv->v[i - 1], "-Xlinker") && !strncmp(a, "--build-id", 10))
			pre = 0;
		else
			continue;
		opt = a + pre;
		if (strcmp(opt, "--build-id") != 0 && strncmp(opt, "--build-id=", 11) != 0)
			continue;
		any = true;
		if (gr_extld_mold_id_opt(opt, &fixed))
			return -1;
		if (!fixed)
			continue;
		word = malloc(pre + strlen(fixed) + 1);
		if (!word) {
			free(fixed);
			return -1;
		}
		memcpy(word, a, pre);
		memcpy(word + pre, fixed, strlen(fixed) + 1);
		free(fixed);
		free(argv->v[i]);
		argv->v[i] = word;
	}
	return !any && gr_strvec_push(argv, "-Wl,--build-id=md5") ? -1 : 0;
}

/* The linker option word at argv[i] that names --build-id: its option part
 * (after "-Wl,", or the word after -Xlinker), or NULL. */
static const char *
gr_extld_build_id_opt(char *const *argv, size_t i)
{
	const char *a = argv[i];

	if (!strncmp(a, "-Wl,--build-id=", 15) && !strchr(a + 4, ','))
		return a + 4;
	if (i > 0 && !strcmp(argv[i - 1], "-Xlinker") && !strncmp(a, "--build-id=", 11))
		return a;
	return NULL;
}

void
gr_extld_mold_build_id_undo(struct gr_strvec *argv)
{
	static const char hex0x[] = "--build-id=0x";
	size_t i, hex;

	for (i = 0; i < argv->n; i++) {
		const char *opt = gr_extld_build_id_opt(argv->v, i);
		char *h;
		if (!opt || strncmp(opt, hex0x, sizeof(hex0x) - 1) != 0)
			continue;
		h = argv->v[i] + (opt - argv->v[i]) + sizeof(hex0x) - 1;
		hex = strlen(h);
		if (hex == 48 && strspn(h, "0123456789abcdefABCDEF") == hex && !strcmp(h + 40, "00000000"))
			h[40] = '\0';  /* shortening in place: nothing to allocate */
	}
}

bool
gr_extld_linker_own(const struct gr_linkstate *ls, char *const *argv, size_t n)
{
	const char *last = NULL;
	size_t i, count = 0;

	if (!ls->linker || ls->darwin)
		return true;
	if (!ls->linker_soft)
		return false;
	for (i = 0; i < ls->cc.n; i++)
		if (!strncmp(ls->cc.v[i], "-fuse-ld=", 9))
			return true;
	for (i = 0; i < ls->cxx.n; i++)
		if (!strncmp(ls->cxx.v[i], "-fuse-ld=", 9))
			return true;
	for (i = 0; i < n; i++)
		if (!strncmp(argv[i], "-fuse-ld=", 9)) {
			last = argv[i] + 9;
			count++;
		}
	/* gorelink's choice is the one -fuse-ld= left, naming ls->linker. */
	return count != 1 || strcmp(last, ls->linker) != 0;
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
	const char *linker;
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
	/* --linker: gorelink's choice replaces the link's own -fuse-ld=; with no
	 * --linker (a soft choice), the link's own one is kept. */
	linker = ls->darwin ? NULL : ls->linker;
	for (i = 0; linker && ls->linker_soft && i < (*rw)->argv.n; i++)
		if (!strncmp((*rw)->argv.v[i], "-fuse-ld=", 9))
			linker = NULL;
	/* The compiler words' own (go env CC="gcc -fuse-ld=gold") too. */
	for (i = 0; linker && ls->linker_soft && i < ls->cc.n; i++)
		if (!strncmp(ls->cc.v[i], "-fuse-ld=", 9))
			linker = NULL;
	for (i = 0; linker && ls->linker_soft && i < ls->cxx.n; i++)
		if (!strncmp(ls->cxx.v[i], "-fuse-ld=", 9))
			linker = NULL;
	for (i = 0; i < (*rw)->argv.n; i++) {
		const char *a = (*rw)->argv.v[i];
		if (linker && !strncmp(a, "-fuse-ld=", 9))
			continue;
		if (!(!ls->darwin && gr_extld_drop(ls->mode, a)) && gr_strvec_push(out, a))
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
	}
	/* --linker: the compiler driver runs ld.NAME; every -l is an archive's
	 * path by now, so GNU ld's search is kept whichever linker reads them. */
	if (linker) {
		size_t fl = strlen(linker) + 10;
		char *flag = malloc(fl);
		if (!flag)
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
		snprintf(flag, fl, "-fuse-ld=%s", linker);
		rc = gr_strvec_push(out, flag);
		free(flag);
		if (rc)
			return gr_error_set(err, GR_ENOMEM, 0, "link arguments: out of memory");
		if (!strcmp(linker, "mold") && gr_extld_mold_build_id(out))
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

/* ---- cmd/link's probe links (linkerFlagSupported), answered from the cache -- */

/* What every Go since 1.x writes into trivial.c for its probes. */
static const char gr_probe_src[] = "int main() { return 0; }";

bool
gr_extld_probe_shape(char *const *args, size_t n, size_t *dirlen)
{
	const char *last, *slash;
	size_t i, dl, outs = 0;

	if (n < 3)
		return false;
	last = args[n - 1];
	slash = strrchr(last, '/');
	if (last[0] != '/' || !slash || slash == last || strcmp(slash + 1, "trivial.c"))
		return false;
	dl = (size_t)(slash - last);
	for (i = 0; i + 1 < n; i++) {
		const char *a = args[i];
		if (!strcmp(a, "-o")) {
			const char *o = i + 2 < n ? args[i + 1] : NULL;
			if (!o || strncmp(o, last, dl) || strcmp(o + dl, "/a.out"))
				return false;
			outs++;
			i++;
			continue;
		}
		if (a[0] != '-' || strchr(a, '/') || strchr(a, '@') || !strncmp(a, "-B", 2) ||
		    !strncmp(a, "-specs", 6) || !strncmp(a, "--specs", 7) || !strcmp(a, "-wrapper") ||
		    !strncmp(a, "-fplugin", 8) || !strncmp(a, "-fprofile", 9) || !strcmp(a, "-x") ||
		    !strcmp(a, "-") || !strcmp(a, "-o"))
			return false;
	}
	if (outs != 1)
		return false;
	*dirlen = dl;
	return true;
}

/* Whether a piece of an option (between ',' and '=') names a file in cwd:
 * such an option reads a file the key does not cover. */
static bool
gr_probe_names_file(const char *a)
{
	char piece[4096];
	const char *p = a, *e;
	struct stat st;

	while (*p) {
		e = p + strcspn(p, ",=");
		if (e > p && *p != '-' && (size_t)(e - p) < sizeof(piece)) {
			memcpy(piece, p, (size_t)(e - p));
			piece[e - p] = '\0';
			if (lstat(piece, &st) == 0)
				return true;
		}
		p = *e ? e + 1 : e;
	}
	return false;
}

/* The identity of a file: path, then device, inode, size, modification and change times. */
static void
gr_probe_file(struct gr_kvbuf *b, char tag, const char *path)
{
	struct stat st;
	char line[192], id[GR_FILE_IDENTITY_MAX];

	if (stat(path, &st) != 0)
		return;
	gr_kv_put(b, tag, path);
	snprintf(line, sizeof(line), "%s\n", gr_file_identity(id, sizeof(id), &st, true));
	gr_kv_raw(b, line, strlen(line));
}

/* The identity of each of names in each ':'-separated dir of list (a leading
 * '=' skipped). A directory that is none (stat fails, or no directory) holds
 * none of them, and one already looked into under another name (the same
 * device and inode: "/usr/lib/gcc/T/12/../../../T/" and "/usr/lib/T/") holds
 * the same files: both skipped (the key still changes when either stops
 * being so: the directory's names are in the key, and then its files are). */
static void
gr_probe_dirs(struct gr_kvbuf *b, char tag, const char *list, const char *const *names, size_t nn)
{
	char path[4096];
	const char *p = list, *e;
	struct { dev_t dev; ino_t ino; } seen[64];
	size_t i, nseen = 0;

	if (*p == '=')
		p++;
	while (*p) {
		struct stat st;
		bool skip = false;
		e = p + strcspn(p, ":\n");
		if (e > p && (size_t)(e - p) < sizeof(path)) {
			memcpy(path, p, (size_t)(e - p));
			path[e - p] = '\0';
			if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
				skip = true;
			} else {
				for (i = 0; i < nseen && !skip; i++)
					skip = seen[i].dev == st.st_dev && seen[i].ino == st.st_ino;
				if (!skip && nseen < sizeof(seen) / sizeof(seen[0])) {
					seen[nseen].dev = st.st_dev;
					seen[nseen].ino = st.st_ino;
					nseen++;
				}
			}
		}
		for (i = 0; i < nn && e > p && !skip; i++)
			if (snprintf(path, sizeof(path), "%.*s/%s", (int)(e - p), p, names[i]) < (int)sizeof(path))
				gr_probe_file(b, tag, path);
			else
				b->nomem = true;  /* cannot name it: no key */
		if (*e != ':')
			break;
		p = e + 1;
	}
}

/* Whether envp's NAME=value entry is one the driver, its linker or their messages read. */
static bool
gr_probe_env_wanted(const char *kv)
{
	static const char *const exact[] = { "LIBRARY_PATH=", "COMPILER_PATH=", "SYSROOT=", "LANG=",
	                                      "LANGUAGE=", "CPATH=", "C_INCLUDE_PATH=", "DEPENDENCIES_OUTPUT=",
	                                      "SUNPRO_DEPENDENCIES=", "SOURCE_DATE_EPOCH=" };
	static const char *const prefix[] = { "GCC_", "COLLECT_", "LD_", "LC_", "CCACHE_", "ZIG_" };
	size_t i;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strncmp(kv, exact[i], strlen(exact[i])))
			return true;
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (!strncmp(kv, prefix[i], strlen(prefix[i])) && strchr(kv, '='))
			return true;
	return false;
}

/* Whether real (a compiler word's real path) is a driver whose
 * -print-search-dirs answer may be kept under its own identity: an ELF
 * executable that is no compiler launcher. A script, or ccache, sccache,
 * distcc or icecc, runs another compiler that its identity does not name
 * (a masquerade symlink, a wrapper choosing its compiler from a file): its
 * answer is asked on every probe, as before the answers were kept. */
static bool
gr_probe_real_driver(const char *real)
{
	static const char *const launchers[] = { "ccache", "sccache", "distcc", "icecc" };
	const char *base = strrchr(real, '/');
	size_t i;

	base = base ? base + 1 : real;
	for (i = 0; i < sizeof(launchers) / sizeof(launchers[0]); i++)
		if (strstr(base, launchers[i]))
			return false;
	return gr_elf_file_is(real);
}

/* The driver's -print-search-dirs for the words sd (the compiler words, the
 * probe's driver flags, -print-search-dirs), into *out (malloc'd): from env's
 * cache (kind "searchdirs") when the same words asked it before with the same
 * driver and environment, or from the driver (kept when it answers as gcc
 * does: a first line "install: "). comp is the compiler's part of the probe
 * key (each word, where path finds it, that file's identity and real path,
 * clang's configuration state); what else the answer depends on is in the
 * key too: cwd, path and envp's variables the driver reads (LIBRARY_PATH,
 * COMPILER_PATH, GCC_EXEC_PREFIX, LANG, LC_*...). gcc's print_search_dirs
 * lists its prefixes without looking whether they exist (build_search_list
 * with check_dir false); the one file whose existence changes them, a specs
 * file in a programs or libraries directory, is in the probe key's file
 * identities (gr_probe_dirs), which are taken on every probe. keep false
 * (the driver is a script or a launcher: gr_probe_real_driver): the driver
 * is asked, and nothing is read from or written to the cache. GR_OK, or
 * GR_ENOTFOUND: the driver failed or said no programs: and libraries: lines. */
static int
gr_probe_search_dirs(const struct gr_env *env, const char *path, char *const *envp, const char *cwd,
                     const struct gr_kvbuf *comp, bool keep, char *const *sd, char **out)
{
	struct gr_kvbuf key = { NULL, 0, 0, false }, val = { NULL, 0, 0, false };
	struct gr_spawn_result res;
	struct gr_error ignore;
	char *data = NULL, *cur, *v, tag;
	size_t i, len;
	bool bad = false;

	*out = NULL;
	gr_kv_raw(&key, "searchdirs 1\n", strlen("searchdirs 1\n"));
	gr_kv_put(&key, 'd', cwd);
	gr_kv_put(&key, 'P', path ? path : "");
	for (i = 0; envp && envp[i]; i++)
		if (gr_probe_env_wanted(envp[i]))
			gr_kv_put(&key, 'e', envp[i]);
	if (comp->p)
		gr_kv_raw(&key, comp->p, comp->n);
	for (i = 0; sd[i]; i++)
		gr_kv_put(&key, 'a', sd[i]);
	if (!keep)
		key.nomem = true;  /* no key: nothing read, nothing kept */
	if (!key.nomem && key.p && gr_cache_get(env, "searchdirs", key.p, &data, &len) == GR_OK) {
		cur = data;
		if (strlen(data) == len && gr_kv_next(&cur, &tag, &v, &bad) && tag == 'o' && !bad &&
		    !strncmp(v, "install: ", 9) && strstr(v, "\nprograms: ") && strstr(v, "\nlibraries: ") &&
		    (*out = strdup(v)) != NULL) {
			char *o = *out;
			if (gr_kv_next(&cur, &tag, &v, &bad) && tag == 'E' && !strcmp(v, "end") && !bad &&
			    (!cur || !*cur)) {
				free(data);
				free(key.p);
				return GR_OK;
			}
			free(o);
			*out = NULL;
		}
	}
	free(data);
	if (gr_spawn_capture(sd, NULL, &res, &ignore) != GR_OK) {
		free(key.p);
		return GR_ENOTFOUND;
	}
	if (!gr_spawn_ok(&res) || !res.out || strlen(res.out) != res.outlen) {
		gr_spawn_result_free(&res);
		free(key.p);
		return GR_ENOTFOUND;
	}
	/* gcc's answer (clang's has no install: line and depends on which gcc
	 * installations exist): kept. */
	if (!strncmp(res.out, "install: ", 9) && strstr(res.out, "\nprograms: ") &&
	    strstr(res.out, "\nlibraries: ") && !key.nomem && key.p) {
		gr_kv_put(&val, 'o', res.out);
		gr_kv_put(&val, 'E', "end");
		if (!val.nomem && val.p)
			gr_cache_put(env, "searchdirs", key.p, val.p, val.n, &ignore);  /* a failure only costs time */
	}
	free(val.p);
	free(key.p);
	*out = res.out;
	res.out = NULL;
	gr_spawn_result_free(&res);
	return GR_OK;
}

/* gr_path_which of each of names[0..nn) in path, into found[] (malloc'd or
 * NULL), walking path once: a directory that is none (stat fails, or no
 * directory) or one already walked under another name (the same device and
 * inode: /bin and /usr/bin) finds nothing gr_path_which would find first,
 * and is skipped. 0, or -1: out of memory (found[] all NULL). */
static int
gr_probe_which_all(const char *path, const char *const *names, size_t nn, char **found)
{
	struct { dev_t dev; ino_t ino; } seen[64];
	const char *p, *colon;
	size_t i, left = nn, nseen = 0;

	for (i = 0; i < nn; i++) {
		found[i] = NULL;
		/* A name with a slash is not looked for in path (as gr_path_which). */
		if (!*names[i] || strchr(names[i], '/')) {
			left--;
			if (*names[i] && access(names[i], X_OK) == 0 && !(found[i] = strdup(names[i])))
				goto nomem;
		}
	}
	for (p = path ? path : "/usr/bin:/bin"; *p && left; p = *colon ? colon + 1 : colon) {
		char dir[4096];
		struct stat st;
		bool skip = false;
		size_t dl;
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		/* An empty PATH entry means the current directory. */
		dl = colon == p ? 1 : (size_t)(colon - p);
		if (dl >= sizeof(dir))
			goto nomem;  /* cannot name it: no key */
		memcpy(dir, colon == p ? "." : p, dl);
		dir[dl] = '\0';
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		for (i = 0; i < nseen && !skip; i++)
			skip = seen[i].dev == st.st_dev && seen[i].ino == st.st_ino;
		if (skip)
			continue;
		if (nseen < sizeof(seen) / sizeof(seen[0])) {
			seen[nseen].dev = st.st_dev;
			seen[nseen].ino = st.st_ino;
			nseen++;
		}
		for (i = 0; i < nn; i++) {
			size_t n = dl + strlen(names[i]) + 2;
			char *cand;
			if (found[i] || !*names[i] || strchr(names[i], '/'))
				continue;
			if (!(cand = malloc(n)))
				goto nomem;
			snprintf(cand, n, "%s/%s", dir, names[i]);
			if (access(cand, X_OK) == 0) {
				found[i] = cand;
				left--;
			} else {
				free(cand);
			}
		}
	}
	return 0;
nomem:
	for (i = 0; i < nn; i++) {
		free(found[i]);
		found[i] = NULL;
	}
	return -1;
}

/* Build the cache key of the probe; GR_ENOTFOUND when it cannot be keyed. */
static int
gr_probe_key(const struct gr_env *env, const char *path, char *const *envp, const char *cwd, char *const cc[],
             char *const *args, size_t n, size_t dl, struct gr_kvbuf *key, struct gr_error *err)
{
	static const char *const progs[] = { "cc1", "as", "collect2", "ld", "ld.bfd", "ld.gold", "ld.lld",
	                                     "ld.mold", "lto-wrapper", "liblto_plugin.so", "specs" };
	static const char *const libs[] = { "crt1.o", "Scrt1.o", "crti.o", "crtn.o", "crtbegin.o",
	                                    "crtbeginS.o", "crtend.o", "crtendS.o", "libc.so", "libc.a",
	                                    "libc_nonshared.a", "libgcc.a", "libgcc_s.so", "libgcc_s.so.1",
	                                    "libgcc_eh.a", "libc.so.6", "specs" };
	struct gr_strvec sd;
	struct gr_kvbuf comp = { NULL, 0, 0, false };
	bool keep_dirs = true;
	char *src = NULL, *where, *dirs = NULL, fuse[64] = "";
	size_t i, srclen = 0;
	FILE *f;
	const char *line, *prog = NULL, *lib = NULL;
	int rc;

	/* trivial.c: a regular file holding exactly what Go writes. */
	{
		struct stat st;
		if (lstat(args[n - 1], &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != strlen(gr_probe_src))
			return GR_ENOTFOUND;
		if (!(f = fopen(args[n - 1], "r")))
			return GR_ENOTFOUND;
		rc = gr_file_read_all(f, 4096, &src, &srclen);
		fclose(f);
		if (rc != GR_OK || srclen != strlen(gr_probe_src) || memcmp(src, gr_probe_src, srclen)) {
			free(src);
			return GR_ENOTFOUND;
		}
	}
	for (i = 0; i + 1 < n; i++) {
		if (!strcmp(args[i], "-o")) {
			i++;
			continue;
		}
		if (gr_probe_names_file(args[i])) {
			free(src);
			return GR_ENOTFOUND;
		}
		if (!strncmp(args[i], "-fuse-ld=", 9) && strlen(args[i]) < sizeof(fuse) - 4)
			snprintf(fuse, sizeof(fuse), "ld.%s", args[i] + 9);
	}
	gr_kv_raw(key, "probe 2\n", strlen("probe 2\n"));
	gr_kv_put(key, 'd', cwd);
	for (i = 0; i + 1 < n; i++) {
		if (!strcmp(args[i], "-o")) {
			gr_kv_put(key, 'a', "-o");
			gr_kv_put(key, 'a', args[++i] + dl);  /* "/a.out": the directory is new each time */
			continue;
		}
		gr_kv_put(key, 'a', args[i]);
	}
	gr_kv_put(key, 'a', args[n - 1] + dl);
	gr_kv_put(key, 's', src);
	free(src);
	gr_kv_put(key, 'P', path ? path : "");
	for (i = 0; envp && envp[i]; i++)
		if (gr_probe_env_wanted(envp[i]))
			gr_kv_put(key, 'e', envp[i]);
	/* The compiler's part: each word, where path finds it, that file's
	 * identity and real path (gcc finds its own installation from where it
	 * is: make_relative_prefix), and clang's configuration state. */
	for (i = 0; cc[i]; i++) {
		errno = 0;
		where = gr_path_which(cc[i], path);
		if (!where && errno == ENOMEM)
			comp.nomem = true;
		gr_kv_put(&comp, 'w', cc[i]);
		if (where) {
			/* clang's configuration files, read from its own directory. */
			char *cfg = gr_toolchain_config_state(env, where, cc, SIZE_MAX, args, n - 1);
			char *real = realpath(where, NULL);
			gr_probe_file(&comp, 'f', where);
			gr_kv_put(&comp, 'R', real ? real : "");
			/* The driver that runs (the first word) must be itself. */
			if (i == 0 && (!real || !gr_probe_real_driver(real)))
				keep_dirs = false;
			free(real);
			if (!cfg)
				comp.nomem = true;
			else if (*cfg)
				gr_kv_put(&comp, 'C', cfg);
			free(cfg);
		} else if (i == 0) {
			keep_dirs = false;
		}
		free(where);
	}
	if (comp.nomem)
		key->nomem = true;
	else if (comp.p)
		gr_kv_raw(key, comp.p, comp.n);
	/* Where the driver finds its programs and start files: asked with the
	 * probe's own driver flags (-m64, -fuse-ld=...). */
	gr_strvec_init(&sd);
	rc = GR_OK;
	for (i = 0; cc[i] && !rc; i++)
		rc = gr_strvec_push(&sd, cc[i]);
	if (!rc)
		rc = gr_rewrite_driver_toolchain_flags((const char *const *)args, n - 1, &sd);
	if (!rc)
		rc = gr_strvec_push(&sd, "-print-search-dirs");
	if (rc || comp.nomem) {
		gr_strvec_deinit(&sd);
		free(comp.p);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	rc = gr_probe_search_dirs(env, path, envp, cwd, &comp, keep_dirs, gr_strvec_argv(&sd), &dirs);
	gr_strvec_deinit(&sd);
	free(comp.p);
	if (rc != GR_OK)
		return GR_ENOTFOUND;
	gr_kv_put(key, 'D', dirs);
	for (line = dirs; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, "programs: ", 10))
			prog = line + 10;
		else if (!strncmp(line, "libraries: ", 11))
			lib = line + 11;
	}
	if (!prog || !lib) {
		free(dirs);
		return GR_ENOTFOUND;
	}
	gr_probe_dirs(key, 'p', prog, progs, sizeof(progs) / sizeof(progs[0]));
	gr_probe_dirs(key, 'l', lib, libs, sizeof(libs) / sizeof(libs[0]));
	if (*fuse) {
		const char *one[] = { fuse };
		gr_probe_dirs(key, 'p', prog, one, 1);
	}
	free(dirs);
	/* And the programs the driver falls back to in PATH. */
	{
		const char *names[sizeof(progs) / sizeof(progs[0]) + 1];
		char *found[sizeof(progs) / sizeof(progs[0]) + 1];
		size_t nn = 0;
		for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
			names[nn++] = progs[i];
		if (*fuse)
			names[nn++] = fuse;
		if (gr_probe_which_all(path, names, nn, found))
			key->nomem = true;
		for (i = 0; i < nn; i++) {
			if (found[i])
				gr_probe_file(key, 'q', found[i]);
			free(found[i]);
		}
	}
	if (key->nomem || !key->p)
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	return GR_OK;
}

/* Parse a cached answer: status, stdout, stderr, end, nothing else. */
static bool
gr_probe_parse(char *data, struct gr_extld_probe *ans)
{
	static const char order[] = "xorE";
	char *cur = data, *v, tag, *end;
	bool bad = false;
	long st;
	size_t i;

	for (i = 0; order[i]; i++) {
		if (!gr_kv_next(&cur, &tag, &v, &bad) || tag != order[i])
			return false;
		switch (tag) {
		case 'x':
			errno = 0;
			st = strtol(v, &end, 10);
			if (!*v || *end || errno || st < 0 || st > 255)
				return false;
			ans->status = (int)st;
			break;
		case 'o':
		case 'r':
			if (!(tag == 'o' ? (ans->out = strdup(v)) : (ans->err = strdup(v))))
				return false;
			*(tag == 'o' ? &ans->outlen : &ans->errlen) = strlen(v);
			break;
		case 'E':
			if (strcmp(v, "end"))
				return false;
			break;
		}
	}
	return !bad && (!cur || !*cur);
}

void
gr_extld_probe_free(struct gr_extld_probe *ans)
{
	free(ans->out);
	free(ans->err);
	memset(ans, 0, sizeof(*ans));
}

int
gr_extld_probe(const struct gr_env *env, const char *path, char *const *envp, const char *cwd,
               char *const cc[], char *const *args, size_t n, struct gr_extld_probe *ans, bool *hit,
               struct gr_error *err)
{
	struct gr_kvbuf key = { NULL, 0, 0, false }, val = { NULL, 0, 0, false };
	struct gr_spawn_result res;
	struct gr_strvec av;
	struct gr_error ignore;
	char *data = NULL, *dir;
	size_t dl, len, i;
	char code[16];
	int rc;

	memset(ans, 0, sizeof(*ans));
	*hit = false;
	if (!cc || !cc[0] || !cwd || !gr_extld_probe_shape(args, n, &dl))
		return GR_ENOTFOUND;
	/* No cache, no answer from it: the probe goes through as it always did. */
	if (!(dir = gr_cache_dir(env)))
		return GR_ENOTFOUND;
	free(dir);
	/* A key that cannot be made (a path too long to name, no memory): no
	 * answer from the cache, and the probe runs as it always did; failing it
	 * would tell cmd/link the flag is not supported. */
	if (gr_probe_key(env, path, envp, cwd, cc, args, n, dl, &key, err) != GR_OK) {
		free(key.p);
		return GR_ENOTFOUND;
	}
	if (gr_cache_get(env, "probe", key.p, &data, &len) == GR_OK) {
		if (gr_probe_parse(data, ans)) {
			*hit = true;
			free(data);
			free(key.p);
			return GR_OK;
		}
		gr_extld_probe_free(ans);
	}
	free(data);
	gr_strvec_init(&av);
	rc = GR_OK;
	for (i = 0; cc[i] && !rc; i++)
		rc = gr_strvec_push(&av, cc[i]);
	for (i = 0; i < n && !rc; i++)
		rc = gr_strvec_push(&av, args[i]);
	if (rc) {
		gr_strvec_deinit(&av);
		free(key.p);
		return GR_ENOTFOUND;  /* as above: the probe runs uncached */
	}
	rc = gr_spawn_capture(gr_strvec_argv(&av), NULL, &res, err);
	gr_strvec_deinit(&av);
	if (rc != GR_OK) {
		free(key.p);
		return rc;
	}
	ans->status = res.exited ? res.code : 128 + res.code;
	ans->out = res.out ? res.out : strdup("");
	ans->outlen = res.out ? res.outlen : 0;
	ans->err = res.err ? res.err : strdup("");
	ans->errlen = res.err ? res.errlen : 0;
	if (!ans->out || !ans->err) {
		gr_extld_probe_free(ans);
		free(key.p);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	/* Kept: a normal exit whose output is text the entry holds exactly, and
	 * that is a success or the rejection of a flag cmd/link looks for
	 * ("unrecognized", "unknown"): a failure for another reason (no space,
	 * a killed linker) may not come again, and its answer would drop the
	 * flag from every later final link. */
	if (res.exited && strlen(ans->out) == ans->outlen && strlen(ans->err) == ans->errlen &&
	    (res.code == 0 || strstr(ans->out, "unrecognized") || strstr(ans->out, "unknown") ||
	     strstr(ans->err, "unrecognized") || strstr(ans->err, "unknown"))) {
		snprintf(code, sizeof(code), "%d", res.code);
		gr_kv_put(&val, 'x', code);
		gr_kv_put(&val, 'o', ans->out);
		gr_kv_put(&val, 'r', ans->err);
		gr_kv_put(&val, 'E', "end");
		if (!val.nomem && val.p)
			gr_cache_put(env, "probe", key.p, val.p, val.n, &ignore);
	}
	free(val.p);
	free(key.p);
	return GR_OK;
}
