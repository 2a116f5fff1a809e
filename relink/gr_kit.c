#define _GNU_SOURCE  /* renameat2, RENAME_EXCHANGE */
#include "gr_kit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_dpkg.h"
#include "gr_file.h"
#include "gr_gocache.h"
#include "gr_json.h"
#include "gr_path.h"
#include "gr_spawn.h"
#include "gr_strvec.h"

#define GR_KIT_MARKER ".gorelink-kit"
#define GR_KIT_LINKOUT ".linker-output"  /* a copy of the linker's output, for gr_kit_postlink */

/* The CRC of POSIX cksum (polynomial 0x04C11DB7, the length appended, complemented). */
static uint32_t
gr_kit_cksum(const unsigned char *p, size_t n)
{
	static uint32_t tab[256];
	static bool ready;
	uint32_t crc = 0;
	size_t i;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			uint32_t c = (uint32_t)i << 24;
			for (int b = 0; b < 8; b++)
				c = c & 0x80000000u ? (c << 1) ^ 0x04C11DB7u : c << 1;
			tab[i] = c;
		}
		ready = true;
	}
	for (i = 0; i < n; i++)
		crc = (crc << 8) ^ tab[((crc >> 24) ^ p[i]) & 0xff];
	for (; n; n >>= 8)
		crc = (crc << 8) ^ tab[((crc >> 24) ^ n) & 0xff];
	return ~crc;
}

/* One input file of the link: copied into the kit, or left where a package put it. */
struct gr_kit_file {
	char *src;        /* the path as the link named it */
	char *kitpath;    /* its path in the kit ("obj/go.o", "lib/libgreet.a"), or NULL: left in place */
	bool archive;     /* an ar archive ("!<arch>\n") */
	bool thin;        /* a thin archive ("!<thin>\n") */
	long long size;
	char sha256[65];
	char *package, *version;  /* the Debian package that owns it, or NULL */
};

/* One word of the link in the kit: literal, the output, or pre + a file + post. */
struct gr_kit_word {
	enum { GR_KW_LITERAL, GR_KW_OUTPUT, GR_KW_FILE } kind;
	char *pre, *post; /* around the file's path (a -Wl,OPT=FILE word), "" for a whole word */
	size_t file;      /* index into files */
	const char *lit;  /* the literal word (borrowed from the request) */
};

struct gr_kit {
	const struct gr_kit_req *rq;
	struct gr_kit_file *files;
	size_t nfiles;
	struct gr_kit_word *words;
	size_t nwords;
	struct gr_kit_file *tools;  /* the toolchain: compiler, linker, the driver's own libraries */
	char **toolrole;
	size_t ntools;
	struct gr_dpkg *db;         /* dpkg's database, opened at the first question */
	bool db_tried;
	const char *output;         /* the link's -o: the linker's output, there after the link */
	long long out_size;
	char out_sha256[65];        /* its SHA-256 ("": not read) */
	uint32_t out_cksum;         /* its POSIX cksum CRC */
	struct gr_error *err;
};

/* ---- the Debian package of a file ---------------------------------------- */

/* The package that owns path and its version (malloc'd), or NULLs. */
static void
gr_kit_owner(struct gr_kit *k, const char *path, char **package, char **version)
{
	const struct gr_dpkg_pkg *p;
	struct gr_error e;

	*package = NULL;
	*version = NULL;
	if (!k->db_tried) {
		k->db_tried = true;
		if (gr_dpkg_open(k->rq->dpkg_admindir, &k->db, &e) != GR_OK)
			k->db = NULL;  /* no database: every input is copied into the kit */
	}
	if (!k->db || !(p = gr_dpkg_owner(k->db, path)))
		return;
	*package = strdup(p->name);
	*version = strdup(p->version);
	if (!*package || !*version) {
		free(*package);
		free(*version);
		*package = *version = NULL;  /* out of memory: copied, which is never wrong */
	}
}

/* ---- files ---------------------------------------------------------------- */

static int
gr_kit_nomem(struct gr_kit *k)
{
	return gr_error_set(k->err, GR_ENOMEM, 0, "relink kit: out of memory");
}

/* Read the whole file at path (malloc'd). */
static int
gr_kit_slurp(struct gr_kit *k, const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	struct gr_error re;
	char *p = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	*data = NULL;
	*len = 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return gr_error_set(k->err, GR_EIO, e, "relink kit: %s: %s", path, strerror(e));
	}
	rc = gr_file_read_fd(fd, path, (size_t)st.st_size, false, &p, len, &re);
	close(fd);
	if (rc == GR_ENOMEM)
		return gr_kit_nomem(k);
	if (rc)
		return gr_error_set(k->err, GR_EIO, re.sys_errno ? re.sys_errno : EIO, "relink kit: %s: %s",
		                    path, re.sys_errno ? strerror(re.sys_errno) : "changed while it was read");
	*data = (unsigned char *)p;
	return GR_OK;
}

/* Write len bytes to dir/rel (a new file, mode). */
static int
gr_kit_put(struct gr_kit *k, const char *rel, const void *data, size_t len, mode_t mode)
{
	char *path = gr_path_join(k->rq->dir, rel);
	const unsigned char *p = data;
	int fd, e = 0;

	if (!path)
		return gr_kit_nomem(k);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		e = errno;
	while (!e && len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fd >= 0 && !e && fchmod(fd, mode) != 0)  /* the umask does not decide the kit's bytes */
		e = errno;
	if (fd >= 0 && close(fd) != 0 && !e)
		e = errno;
	if (e) {
		gr_error_set(k->err, GR_EIO, e, "relink kit: %s: %s", path, strerror(e));
		free(path);
		return GR_EIO;
	}
	free(path);
	return GR_OK;
}

/* The index of the input file at src (added when new); SIZE_MAX when out of memory. */
static size_t
gr_kit_file_index(struct gr_kit *k, const char *src)
{
	struct gr_kit_file *nv;
	size_t i;

	for (i = 0; i < k->nfiles; i++)
		if (!strcmp(k->files[i].src, src))
			return i;
	if (!(nv = realloc(k->files, (k->nfiles + 1) * sizeof(*nv))))
		return SIZE_MAX;
	k->files = nv;
	memset(&nv[k->nfiles], 0, sizeof(*nv));
	if (!(nv[k->nfiles].src = strdup(src)))
		return SIZE_MAX;
	return k->nfiles++;
}

/* Whether s names a file the link reads: a path (a '/' in it, or an object's
 * or library's suffix) of a regular file. */
static bool
gr_kit_is_input(const char *s)
{
	struct stat st;
	size_t l = strlen(s);

	if (!l || s[0] == '-')
		return false;
	if (!strchr(s, '/') && !(l > 2 && (!strcmp(s + l - 2, ".o") || !strcmp(s + l - 2, ".a"))) &&
	    !strstr(s, ".so"))
		return false;
	return stat(s, &st) == 0 && S_ISREG(st.st_mode);
}

static int
gr_kit_add_word(struct gr_kit *k, struct gr_kit_word w)
{
	struct gr_kit_word *nv = realloc(k->words, (k->nwords + 1) * sizeof(*nv));

	if (!nv)
		return gr_kit_nomem(k);
	k->words = nv;
	nv[k->nwords++] = w;
	return GR_OK;
}

/* Take the link apart: the output, the input files (whole words, and the
 * files inside -Wl,A,B,OPT=FILE words), and the literal rest. */
static int
gr_kit_words(struct gr_kit *k)
{
	const struct gr_kit_req *rq = k->rq;
	size_t i;

	for (i = 0; i < rq->nargv; i++) {
		const char *a = rq->argv[i];
		struct gr_kit_word w = { GR_KW_LITERAL, NULL, NULL, 0, a };
		int rc;
		if (i > 0 && !strcmp(rq->argv[i - 1], "-o")) {
			w.kind = GR_KW_OUTPUT;
			k->output = a;
		} else if (i > 0 && gr_kit_is_input(a)) {
			w.kind = GR_KW_FILE;
			if ((w.file = gr_kit_file_index(k, a)) == SIZE_MAX || !(w.pre = strdup("")) || !(w.post = strdup("")))
				return gr_kit_nomem(k);
		} else if (i > 0 && !strncmp(a, "-Wl,", 4)) {
			/* The first piece that names a file (a linker script, a version script). */
			const char *p = a + 4;
			while (*p) {
				const char *end = strchr(p, ','), *eq;
				size_t n = end ? (size_t)(end - p) : strlen(p);
				char *piece = strndup(p, n);
				if (!piece)
					return gr_kit_nomem(k);
				eq = strchr(piece, '=');
				for (int t = 0; t < 2 && w.kind == GR_KW_LITERAL; t++) {
					const char *f = t ? (eq ? eq + 1 : NULL) : piece;
					if (!f || !gr_kit_is_input(f))
						continue;
					w.kind = GR_KW_FILE;
					w.file = gr_kit_file_index(k, f);
					w.pre = strndup(a, (size_t)(p - a) + (size_t)(f - piece));
					w.post = strdup(p + n);
					if (w.file == SIZE_MAX || !w.pre || !w.post) {
						free(piece);
						return gr_kit_nomem(k);
					}
				}
				free(piece);
				if (w.kind != GR_KW_LITERAL || !end)
					break;
				p = end + 1;
			}
		}
		if ((rc = gr_kit_add_word(k, w)))
			return rc;
	}
	return GR_OK;
}

/* The file's name in dir ("obj", "lib"): its base name, made unique with a
 * number ("2-libfoo.a") when another input has it. */
static char *
gr_kit_name(struct gr_kit *k, const char *dir, const char *src)
{
	const char *slash = strrchr(src, '/'), *base = slash ? slash + 1 : src;
	size_t cap = strlen(dir) + strlen(base) + 16;
	char *buf = malloc(cap);
	int n;

	if (!buf)
		return NULL;
	for (n = 1; n < 100000; n++) {
		size_t i;
		bool taken = false;
		if (n == 1)
			snprintf(buf, cap, "%s/%s", dir, base);
		else
			snprintf(buf, cap, "%s/%d-%s", dir, n, base);
		for (i = 0; i < k->nfiles && !taken; i++)
			taken = k->files[i].kitpath && !strcmp(k->files[i].kitpath, buf);
		if (!taken)
			return buf;
	}
	free(buf);
	return NULL;
}

/* Copy each input no package owns into the kit (objects to obj/, archives
 * to lib/), with its size and SHA-256; a package's file stays where it is. */
static int
gr_kit_files(struct gr_kit *k)
{
	size_t i;
	int rc;

	for (i = 0; i < k->nfiles; i++) {
		struct gr_kit_file *f = &k->files[i];
		unsigned char *data;
		size_t len;
		if ((rc = gr_kit_slurp(k, f->src, &data, &len)))
			return rc;
		f->size = (long long)len;
		f->archive = len >= 8 && (!memcmp(data, "!<arch>\n", 8) || !memcmp(data, "!<thin>\n", 8));
		f->thin = len >= 8 && !memcmp(data, "!<thin>\n", 8);
		gr_gocache_sha256(data, len, f->sha256);
		gr_kit_owner(k, f->src, &f->package, &f->version);
		if (!f->package) {
			if (f->thin) {
				free(data);
				return gr_error_set(k->err, GR_EUSAGE, 0,
				                    "relink kit: %s is a thin archive (its members stay outside it) that no Debian package owns: it cannot be copied into the kit",
				                    f->src);
			}
			if (!(f->kitpath = gr_kit_name(k, f->archive ? "lib" : "obj", f->src))) {
				free(data);
				return gr_kit_nomem(k);
			}
			rc = gr_kit_put(k, f->kitpath, data, len, 0644);
		}
		free(data);
		if (rc)
			return rc;
	}
	return GR_OK;
}

/* ---- the toolchain -------------------------------------------------------- */

/* Add a toolchain file (path resolved) with its role, package and checksum. */
static int
gr_kit_tool(struct gr_kit *k, const char *role, const char *path)
{
	struct gr_kit_file *nv;
	char **nr, *real = realpath(path, NULL);
	struct gr_kit_file f;
	unsigned char *data = NULL;
	size_t len = 0;
	struct gr_error e;

	if (!real)
		return GR_OK;  /* not there: nothing to name */
	memset(&f, 0, sizeof(f));
	f.src = real;
	for (size_t i = 0; i < k->ntools; i++)
		if (!strcmp(k->tools[i].src, real)) {
			free(real);
			return GR_OK;
		}
	{
		struct gr_error *saved = k->err;
		k->err = &e;
		if (gr_kit_slurp(k, real, &data, &len) == GR_OK) {
			f.size = (long long)len;
			gr_gocache_sha256(data, len, f.sha256);
		}
		k->err = saved;
		free(data);
	}
	gr_kit_owner(k, real, &f.package, &f.version);
	if (!(nv = realloc(k->tools, (k->ntools + 1) * sizeof(*nv)))) {
		free(real);
		return gr_kit_nomem(k);
	}
	k->tools = nv;
	if (!(nr = realloc(k->toolrole, (k->ntools + 1) * sizeof(*nr)))) {
		free(real);
		return gr_kit_nomem(k);
	}
	k->toolrole = nr;
	if (!(nr[k->ntools] = strdup(role))) {
		free(real);
		return gr_kit_nomem(k);
	}
	nv[k->ntools++] = f;
	return GR_OK;
}

/* The compiler driver's answer to one -print-... question (the link's own
 * -m32/-m64/-fuse-ld= words given too), or NULL. */
static char *
gr_kit_ask(struct gr_kit *k, const char *question)
{
	const struct gr_kit_req *rq = k->rq;
	struct gr_strvec av;
	struct gr_spawn_result r;
	struct gr_error e;
	char *ans = NULL;
	size_t i;
	int rc;

	gr_strvec_init(&av);
	rc = gr_strvec_push(&av, rq->argv[0]);
	for (i = 1; i < rq->nargv && !rc; i++)
		if (!strcmp(rq->argv[i], "-m32") || !strcmp(rq->argv[i], "-m64") || !strncmp(rq->argv[i], "-fuse-ld=", 9) ||
		    !strcmp(rq->argv[i], "-static") || !strcmp(rq->argv[i], "-static-pie"))
			rc = gr_strvec_push(&av, rq->argv[i]);
	if (rc || gr_strvec_push(&av, question) || gr_spawn_capture(gr_strvec_argv(&av), NULL, &r, &e) != GR_OK) {
		gr_strvec_deinit(&av);
		return NULL;
	}
	gr_strvec_deinit(&av);
	if (gr_spawn_ok(&r) && r.out) {
		size_t l = strcspn(r.out, "\n");
		r.out[l] = '\0';
		/* An answer without a directory: the driver runs it from PATH (ld). */
		if (r.out[0] == '/')
			ans = strdup(r.out);
		else if (r.out[0] && !strchr(r.out, '/') && strncmp(question, "-print-prog-name=", 17) == 0)
			ans = gr_path_which(r.out, rq->path);
	}
	gr_spawn_result_free(&r);
	return ans;
}

/* What the compiler driver brings to the link beyond its argv: the driver,
 * its linker, the C library and gcc's runtime (their packages must be the
 * same for the same bytes). */
static int
gr_kit_toolchain(struct gr_kit *k)
{
	const struct gr_kit_req *rq = k->rq;
	/* The start files and libraries the driver adds in each mode. */
	static const char *const st[] = { "crt1.o", "crti.o", "libc.a", "libgcc.a", "libgcc_eh.a", NULL };
	static const char *const spie[] = { "rcrt1.o", "crti.o", "libc.a", "libgcc.a", "libgcc_eh.a", NULL };
	static const char *const dyn[] = { "crt1.o", "crti.o", "libc.so.6", "libc_nonshared.a", "libgcc.a",
	                                   "libgcc_s.so.1", NULL };
	static const char *const dynpie[] = { "Scrt1.o", "crti.o", "libc.so.6", "libc_nonshared.a", "libgcc.a",
	                                      "libgcc_s.so.1", NULL };
	const char *const *files = st;
	const char *fuse = NULL;
	bool pie = false;
	char *p, q[64];
	size_t i;
	int rc = GR_OK;

	if (!(p = gr_path_which(rq->argv[0], rq->path)))
		return GR_OK;
	rc = gr_kit_tool(k, "compiler", p);
	free(p);
	for (i = 1; i < rq->nargv; i++) {
		if (!strncmp(rq->argv[i], "-fuse-ld=", 9))
			fuse = rq->argv[i] + 9;
		else if (!strcmp(rq->argv[i], "-pie"))
			pie = true;
		else if (!strcmp(rq->argv[i], "-no-pie"))
			pie = false;
	}
	if (rq->mode && !strcmp(rq->mode, "static-pie"))
		files = spie;
	else if (rq->mode && !strcmp(rq->mode, "third-party"))
		files = pie ? dynpie : dyn;
	snprintf(q, sizeof(q), "-print-prog-name=%s%s%.32s", fuse ? "ld." : "ld", fuse ? "" : "", fuse ? fuse : "");
	if (!rc && (p = gr_kit_ask(k, q)) != NULL) {
		rc = gr_kit_tool(k, "linker", p);
		free(p);
	}
	for (i = 0; !rc && files[i]; i++) {
		snprintf(q, sizeof(q), "-print-file-name=%s", files[i]);
		if ((p = gr_kit_ask(k, q)) != NULL) {
			rc = gr_kit_tool(k, "toolchain", p);
			free(p);
		}
	}
	return rc;
}

/* ---- the kit's files ------------------------------------------------------ */

/* A growable text buffer. */
struct gr_kit_buf {
	char *p;
	size_t n, cap;
	bool nomem;
};

static void
gr_kit_raw(struct gr_kit_buf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;
		while (b->n + n + 1 > cap)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->nomem = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
gr_kit_str(struct gr_kit_buf *b, const char *s)
{
	gr_kit_raw(b, s, strlen(s));
}

static void gr_kit_printf(struct gr_kit_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
gr_kit_printf(struct gr_kit_buf *b, const char *fmt, ...)
{
	char small[1024], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->nomem = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		gr_kit_raw(b, small, (size_t)n);
		return;
	}
	if (!(big = malloc((size_t)n + 1))) {
		b->nomem = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	gr_kit_raw(b, big, (size_t)n);
	free(big);
}

/* s single-quoted for sh ('\'' for each quote). */
static void
gr_kit_sq(struct gr_kit_buf *b, const char *s)
{
	gr_kit_raw(b, "'", 1);
	for (; *s; s++)
		if (*s == '\'')
			gr_kit_raw(b, "'\\''", 4);
		else
			gr_kit_raw(b, s, 1);
	gr_kit_raw(b, "'", 1);
}

/* The archives of the link (the files that are archives), in argv order. */
static size_t
gr_kit_archive_no(const struct gr_kit *k, size_t file)
{
	size_t i, n = 0;

	for (i = 0; i < file; i++)
		n += k->files[i].archive;
	return n + 1;
}

/* Where a file came from, or NULL for one in the build's private directory
 * (a new temporary name each build: not in the kit, which stays the same). */
static const char *
gr_kit_origin(const struct gr_kit *k, const struct gr_kit_file *f)
{
	const char *pd = k->rq->private_dir;
	size_t l = pd ? strlen(pd) : 0;

	if (l && !strncmp(f->src, pd, l) && f->src[l] == '/')
		return NULL;
	return f->src;
}

/* A file's kit path or original path, for people. */
static const char *
gr_kit_where(const struct gr_kit_file *f)
{
	return f->kitpath ? f->kitpath : f->src;
}

/* The base name of a path. */
static const char *
gr_kit_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* relink: a POSIX sh script that runs the link from the kit. */
static void
gr_kit_script(const struct gr_kit *k, struct gr_kit_buf *b)
{
	const char *name = k->rq->name && *k->rq->name ? k->rq->name : "a.out";
	size_t i;

	gr_kit_str(b, "#!/bin/sh\n"
	              "# Relink the binary from this kit (gorelink --relink-kit; see README).\n"
	              "# Usage: ./relink [-o OUT] [--linker-output] [ARCHIVE=FILE]...\n"
	              "#   -o OUT        where the binary goes (default: ./");
	gr_kit_str(b, name);
	gr_kit_str(b, ")\n"
	              "#   ARCHIVE=FILE  link FILE instead of ARCHIVE, named as archives.tsv lists it\n"
	              "#                 (its path) or by its file name when that is unique\n"
	              "#   --linker-output  leave the linker's output as it is: without it, a link of\n"
	              "#                 the same archives that gives the original linker output\n"
	              "#                 (cksum) gets the values Go wrote after the link (postlink)\n"
	              "set -eu\n"
	              "raw=0\n"
	              "replaced=0\n"
	              "kit=$(CDPATH= cd -- \"$(dirname -- \"$0\")\" && pwd)\n"
	              "out=");
	gr_kit_sq(b, name);
	gr_kit_str(b, "\n");
	for (i = 0; i < k->nfiles; i++) {
		const struct gr_kit_file *f = &k->files[i];
		if (!f->archive)
			continue;
		gr_kit_printf(b, "a%zu=", gr_kit_archive_no(k, i));
		if (f->kitpath) {
			gr_kit_str(b, "\"$kit\"/");
			gr_kit_sq(b, f->kitpath);
		} else {
			gr_kit_sq(b, f->src);
		}
		gr_kit_str(b, "\n");
	}
	gr_kit_str(b, "usage() { echo \"usage: $0 [-o OUT] [--linker-output] [ARCHIVE=FILE]...\" >&2; exit 64; }\n"
	              "while [ $# -gt 0 ]; do\n"
	              "\tcase $1 in\n"
	              "\t-o) [ $# -ge 2 ] || usage; out=$2; shift 2; continue ;;\n"
	              "\t--linker-output) raw=1; shift; continue ;;\n"
	              "\t-h|--help) usage ;;\n"
	              "\t?*=*) ;;\n"
	              "\t*) usage ;;\n"
	              "\tesac\n"
	              "\tname=${1%%=*}\n"
	              "\tfile=${1#*=}\n"
	              "\thit=0\n");
	for (i = 0; i < k->nfiles; i++) {
		const struct gr_kit_file *f = &k->files[i];
		size_t j, same = 0;
		if (!f->archive)
			continue;
		for (j = 0; j < k->nfiles; j++)
			same += k->files[j].archive && !strcmp(gr_kit_base(k->files[j].src), gr_kit_base(f->src));
		gr_kit_str(b, "\tif [ \"$name\" = ");
		gr_kit_sq(b, gr_kit_where(f));
		if (same == 1) {
			gr_kit_str(b, " ] || [ \"$name\" = ");
			gr_kit_sq(b, gr_kit_base(f->src));
		}
		gr_kit_printf(b, " ]; then a%zu=$file; hit=$((hit + 1)); fi\n", gr_kit_archive_no(k, i));
	}
	gr_kit_str(b, "\tif [ \"$hit\" -ne 1 ]; then\n"
	              "\t\techo \"$0: $name names $hit archives of the link (see $kit/archives.tsv)\" >&2\n"
	              "\t\texit 64\n"
	              "\tfi\n"
	              "\t[ -f \"$file\" ] || { echo \"$0: $file: no such file\" >&2; exit 66; }\n"
	              "\treplaced=1\n"
	              "\tshift\n"
	              "done\n");
	for (i = 0; i < k->nwords; i++) {
		const struct gr_kit_word *w = &k->words[i];
		const struct gr_kit_file *f = w->kind == GR_KW_FILE ? &k->files[w->file] : NULL;
		gr_kit_str(b, " \\\n\t");
		if (w->kind == GR_KW_OUTPUT) {
			gr_kit_str(b, "\"$out\"");
		} else if (w->kind == GR_KW_LITERAL) {
			gr_kit_sq(b, w->lit);
		} else if (f->archive && !*w->pre && !*w->post) {
			gr_kit_printf(b, "\"$a%zu\"", gr_kit_archive_no(k, w->file));
		} else if (f->kitpath) {
			if (*w->pre)
				gr_kit_sq(b, w->pre);
			gr_kit_str(b, "\"$kit\"/");
			gr_kit_sq(b, f->kitpath);
			if (*w->post)
				gr_kit_sq(b, w->post);
		} else {
			gr_kit_sq(b, w->lit);
		}
	}
	gr_kit_str(b, "\n");
	/* The same archives: the linker's output is the original's (cksum, POSIX)
	 * and gets the bytes Go wrote after the link (the postlink file). */
	gr_kit_str(b, "[ \"$raw$replaced\" = 00 ] && [ -f \"$kit/postlink\" ] || exit 0\n"
	              "set -- $(cksum < \"$out\")\n");
	gr_kit_printf(b, "if [ \"$1 $2\" != '%lu %lld' ]; then\n", (unsigned long)k->out_cksum, k->out_size);
	gr_kit_str(b, "\techo \"$0: note: $out is not the original linker output (another toolchain?); Go's post-link values (postlink) left out\" >&2\n"
	              "\texit 0\n"
	              "fi\n"
	              "while read -r off bytes; do\n"
	              "\tcase $off in '#'*) continue ;; esac\n"
	              "\tprintf \"$bytes\" | dd of=\"$out\" bs=1 seek=\"$off\" conv=notrunc 2>/dev/null\n"
	              "done < \"$kit/postlink\"\n");
}

/* One file as a JSON object. */
static void
gr_kit_json_file(const struct gr_kit *k, struct gr_json *j, const struct gr_kit_file *f, const char *role)
{
	gr_json_obj_begin(j, NULL);
	if (role)
		gr_json_str(j, "role", role);
	gr_json_str(j, "path", f->kitpath ? f->kitpath : f->src);
	gr_json_bool(j, "in_kit", f->kitpath != NULL);
	gr_json_str(j, "linked_as", gr_kit_origin(k, f));
	gr_json_int(j, "size", f->size);
	gr_json_str(j, "sha256", f->sha256[0] ? f->sha256 : NULL);
	gr_json_str(j, "package", f->package);
	gr_json_str(j, "version", f->version);
	gr_json_obj_end(j);
}

/* link.json: the link, machine-readable (docs/relink-kit.md). */
static void
gr_kit_json(const struct gr_kit *k, FILE *fp)
{
	struct gr_json j;
	size_t i;

	gr_json_init(&j, fp);
	gr_json_obj_begin(&j, NULL);
	gr_json_str(&j, "schema", GR_KIT_SCHEMA);
	gr_json_str(&j, "binary", k->rq->name && *k->rq->name ? k->rq->name : "a.out");
	gr_json_str(&j, "mode", k->rq->mode);
	gr_json_arr_begin(&j, "argv");
	for (i = 0; i < k->nwords; i++) {
		const struct gr_kit_word *w = &k->words[i];
		const struct gr_kit_file *f = w->kind == GR_KW_FILE ? &k->files[w->file] : NULL;
		if (w->kind == GR_KW_LITERAL || (f && !f->kitpath && !f->archive)) {
			gr_json_str(&j, NULL, w->lit);
			continue;
		}
		gr_json_obj_begin(&j, NULL);
		if (w->kind == GR_KW_OUTPUT) {
			gr_json_bool(&j, "output", true);
		} else {
			if (*w->pre)
				gr_json_str(&j, "prefix", w->pre);
			if (f->archive)
				gr_json_int(&j, "archive", (long long)gr_kit_archive_no(k, w->file) - 1);
			if (f->kitpath)
				gr_json_str(&j, "kit", f->kitpath);
			else
				gr_json_str(&j, "path", f->src);
			if (*w->post)
				gr_json_str(&j, "suffix", w->post);
		}
		gr_json_obj_end(&j);
	}
	gr_json_arr_end(&j);
	/* What the link wrote, before go's own steps after it (docs/relink-kit.md). */
	gr_json_obj_begin(&j, "linker_output");
	gr_json_int(&j, "size", k->out_sha256[0] ? k->out_size : -1);
	gr_json_str(&j, "sha256", k->out_sha256[0] ? k->out_sha256 : NULL);
	gr_json_obj_end(&j);
	gr_json_arr_begin(&j, "objects");
	for (i = 0; i < k->nfiles; i++)
		if (!k->files[i].archive)
			gr_kit_json_file(k, &j, &k->files[i], NULL);
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "archives");
	for (i = 0; i < k->nfiles; i++)
		if (k->files[i].archive)
			gr_kit_json_file(k, &j, &k->files[i], NULL);
	gr_json_arr_end(&j);
	gr_json_arr_begin(&j, "toolchain");
	for (i = 0; i < k->ntools; i++)
		gr_kit_json_file(k, &j, &k->tools[i], k->toolrole[i]);
	gr_json_arr_end(&j);
	gr_json_obj_end(&j);
	fputc('\n', fp);
}

/* archives.tsv: one archive a line: path (kit-relative or absolute), in kit, package, version, size, sha256. */
static void
gr_kit_tsv(const struct gr_kit *k, struct gr_kit_buf *b)
{
	size_t i;

	gr_kit_str(b, "# path\tin_kit\tpackage\tversion\tsize\tsha256\tlinked_as\n");
	for (i = 0; i < k->nfiles; i++) {
		const struct gr_kit_file *f = &k->files[i];
		if (!f->archive)
			continue;
		gr_kit_printf(b, "%s\t%s\t%s\t%s\t%lld\t%s\t%s\n", gr_kit_where(f), f->kitpath ? "yes" : "no",
		              f->package ? f->package : "-", f->version ? f->version : "-", f->size, f->sha256,
		              gr_kit_origin(k, f) ? f->src : "-");
	}
}

/* README: what the kit is and how to relink. */
static void
gr_kit_readme(const struct gr_kit *k, struct gr_kit_buf *b)
{
	const char *name = k->rq->name && *k->rq->name ? k->rq->name : "a.out";
	size_t i, nobj = 0, nown = 0;

	for (i = 0; i < k->nfiles; i++)
		nobj += !k->files[i].archive;
	gr_kit_printf(b, "Relink kit for %s\n", name);
	gr_kit_str(b, "=============");
	for (i = 0; i < strlen(name); i++)
		gr_kit_str(b, "=");
	gr_kit_printf(b, "\n\n"
	                 "%s was linked statically (gorelink, mode %s) from the objects and\n"
	                 "archives below. This kit lets you link it again yourself, for instance\n"
	                 "against a modified version of one of its libraries (as the GNU LGPL\n"
	                 "allows you to).\n\n",
	                 name, k->rq->mode);
	gr_kit_str(b, "Contents\n--------\n\n"
	              "  relink        the link command, as a POSIX sh script\n"
	              "  link.json     the same command, machine-readable (gorelink-relink-kit/1):\n"
	              "                each word, the kit's files, the archives and the toolchain\n"
	              "  archives.tsv  the archives of the link: path, whether the kit holds it,\n"
	              "                Debian package and version, size, SHA-256\n");
	gr_kit_printf(b, "  obj/          the %zu object%s of the final link: go.o (the Go code) and\n"
	                 "                cmd/link's numbered host objects (000000.o ..., the cgo code)\n",
	              nobj, nobj == 1 ? "" : "s");
	gr_kit_str(b, "  lib/          the archives no Debian package provides, copied\n\n");
	gr_kit_str(b, "Archives\n--------\n\n");
	for (i = 0; i < k->nfiles; i++) {
		const struct gr_kit_file *f = &k->files[i];
		if (!f->archive)
			continue;
		if (f->package) {
			nown++;
			gr_kit_printf(b, "  %s\n      from the Debian package %s %s\n", f->src, f->package,
			              f->version ? f->version : "");
		} else {
			gr_kit_printf(b, "  %s\n      in this kit (no Debian package provides %s)\n", f->kitpath,
			              gr_kit_origin(k, f) ? f->src : "it: gorelink made it for this build");
		}
	}
	gr_kit_str(b, "\nToolchain\n---------\n\n"
	              "The compiler driver links with its own start files, C library and runtime.\n"
	              "For the same bytes, install the same packages:\n\n");
	for (i = 0; i < k->ntools; i++) {
		const struct gr_kit_file *f = &k->tools[i];
		gr_kit_printf(b, "  %-13s %s", k->toolrole[i], f->src);
		if (f->package)
			gr_kit_printf(b, " (%s %s)", f->package, f->version ? f->version : "");
		gr_kit_str(b, "\n");
	}
	if (!k->ntools)
		gr_kit_str(b, "  (none found)\n");
	gr_kit_printf(b, "\nRelinking\n---------\n\n"
	                 "With the packages above installed (%zu archive%s come from them; apt-get\n"
	                 "install PACKAGE=VERSION), run from any directory:\n\n"
	                 "  /path/to/kit/relink -o %s\n\n"
	                 "To link a modified library instead of one of the archives, build its static\n"
	                 "archive and name the one it replaces, by its path as archives.tsv lists it\n"
	                 "or by its file name:\n\n"
	                 "  /path/to/kit/relink -o %s libz.a=/home/me/zlib/libz.a\n\n"
	                 "The replacement must provide what the program uses from the original (the\n"
	                 "same functions; the link fails on an undefined symbol otherwise).\n\n",
	              nown, nown == 1 ? "" : "s", name, name);
	gr_kit_str(b, "Identical output\n----------------\n\n"
	              "The command keeps every flag of the original link, including the GNU build\n"
	              "ID (-Wl,--build-id=0x...). With the same archives and toolchain, the link\n"
	              "gives the linker's output byte for byte (link.json's linker_output has its\n"
	              "size and SHA-256; relink --linker-output stops there). The binary that was\n"
	              "shipped differs from it in two values Go writes after the link:\n\n"
	              "  - the last part of the Go build ID, a hash of the binary's content, which\n"
	              "    go build writes (`go tool buildid FILE` shows it);\n"
	              "  - the checksum in go:fipsinfo (Go 1.24 and later), which cmd/link computes\n"
	              "    after the link; it is checked only in FIPS 140 mode\n"
	              "    (GODEBUG=fips140=on).\n\n"
	              "The file postlink holds those bytes and their offsets. When no archive is\n"
	              "replaced and the link gives the original linker output (its POSIX cksum),\n"
	              "relink writes them too: the result is the shipped binary, byte for byte.\n"
	              "With a replaced archive they are left as the linker wrote them: the program\n"
	              "runs the same, but its Go build ID is not a hash of the new content, and a\n"
	              "FIPS 140 mode self-check would fail.\n");
}

/* Write buf to dir/rel, or fail with out of memory. */
static int
gr_kit_put_buf(struct gr_kit *k, const char *rel, struct gr_kit_buf *b, mode_t mode)
{
	int rc;

	if (b->nomem) {
		free(b->p);
		return gr_kit_nomem(k);
	}
	rc = gr_kit_put(k, rel, b->p ? b->p : "", b->n, mode);
	free(b->p);
	memset(b, 0, sizeof(*b));
	return rc;
}

static int
gr_kit_mkdir(struct gr_kit *k, const char *rel)
{
	char *p = gr_path_join(k->rq->dir, rel);
	int e = 0;

	if (!p)
		return gr_kit_nomem(k);
	if (mkdir(p, 0755) != 0 || chmod(p, 0755) != 0)
		e = errno;
	if (e)
		gr_error_set(k->err, GR_EIO, e, "relink kit: %s: %s", p, strerror(e));
	free(p);
	return e ? GR_EIO : GR_OK;
}

static void
gr_kit_free(struct gr_kit *k)
{
	size_t i;

	for (i = 0; i < k->nfiles; i++) {
		free(k->files[i].src);
		free(k->files[i].kitpath);
		free(k->files[i].package);
		free(k->files[i].version);
	}
	for (i = 0; i < k->ntools; i++) {
		free(k->tools[i].src);
		free(k->tools[i].package);
		free(k->tools[i].version);
		free(k->toolrole[i]);
	}
	for (i = 0; i < k->nwords; i++) {
		free(k->words[i].pre);
		free(k->words[i].post);
	}
	gr_dpkg_free(k->db);
	free(k->files);
	free(k->tools);
	free(k->toolrole);
	free(k->words);
}

int
gr_kit_write(const struct gr_kit_req *rq, struct gr_error *err)
{
	struct gr_kit k;
	struct gr_kit_buf b = { NULL, 0, 0, false };
	char *jp = NULL;
	size_t jn = 0;
	FILE *jf;
	int rc;

	memset(&k, 0, sizeof(k));
	k.rq = rq;
	k.err = err;
	if (!rq->nargv)
		return gr_error_set(err, GR_EUSAGE, 0, "relink kit: no link command");
	if ((rc = gr_kit_words(&k)) || (rc = gr_kit_mkdir(&k, "obj")) || (rc = gr_kit_mkdir(&k, "lib")) ||
	    (rc = gr_kit_files(&k)) || (rc = gr_kit_toolchain(&k)))
		goto out;
	if (k.output) {
		unsigned char *data;
		size_t len;
		if ((rc = gr_kit_slurp(&k, k.output, &data, &len)))
			goto out;
		k.out_size = (long long)len;
		gr_gocache_sha256(data, len, k.out_sha256);
		k.out_cksum = gr_kit_cksum(data, len);
		/* For the driver's gr_kit_postlink, which removes it. */
		rc = gr_kit_put(&k, GR_KIT_LINKOUT, data, len, 0644);
		free(data);
		if (rc)
			goto out;
	}
	gr_kit_script(&k, &b);
	if ((rc = gr_kit_put_buf(&k, "relink", &b, 0755)))
		goto out;
	gr_kit_tsv(&k, &b);
	if ((rc = gr_kit_put_buf(&k, "archives.tsv", &b, 0644)))
		goto out;
	gr_kit_readme(&k, &b);
	if ((rc = gr_kit_put_buf(&k, "README", &b, 0644)))
		goto out;
	if (!(jf = open_memstream(&jp, &jn))) {
		rc = gr_kit_nomem(&k);
		goto out;
	}
	gr_kit_json(&k, jf);
	if (fclose(jf) != 0) {
		free(jp);
		rc = gr_kit_nomem(&k);
		goto out;
	}
	rc = gr_kit_put(&k, "link.json", jp, jn, 0644);
	free(jp);
	if (rc)
		goto out;
	/* Last: a kit with its marker is complete. */
	rc = gr_kit_put(&k, GR_KIT_MARKER, GR_KIT_SCHEMA "\n", sizeof(GR_KIT_SCHEMA), 0644);
out:
	gr_kit_free(&k);
	return rc;
}

/* ---- what Go writes after the link ---------------------------------------- */

int
gr_kit_postlink(const char *staging, const char *binary, struct gr_error *err)
{
	struct gr_kit_req rq;
	struct gr_kit k;
	struct gr_kit_buf b = { NULL, 0, 0, false };
	unsigned char *lo = NULL, *bin = NULL;
	size_t nlo = 0, nbin = 0, i;
	char *lpath = gr_path_join(staging, GR_KIT_LINKOUT);
	int rc;

	memset(&rq, 0, sizeof(rq));
	memset(&k, 0, sizeof(k));
	rq.dir = staging;
	k.rq = &rq;
	k.err = err;
	if (!lpath)
		return gr_kit_nomem(&k);
	if ((rc = gr_kit_slurp(&k, lpath, &lo, &nlo)) || (rc = gr_kit_slurp(&k, binary, &bin, &nbin)))
		goto out;
	gr_kit_str(&b, "# What Go wrote into the binary after the link (gorelink --relink-kit, docs/relink-kit.md):\n"
	               "# OFFSET BYTES (printf octal escapes), applied by relink to the original linker output\n");
	for (i = 0; nlo <= nbin && i < nlo;) {
		size_t j = i;
		if (lo[i] == bin[i]) {
			i++;
			continue;
		}
		while (j < nlo && lo[j] != bin[j])
			j++;
		gr_kit_printf(&b, "%zu ", i);
		for (; i < j; i++)
			gr_kit_printf(&b, "\\%03o", bin[i]);
		gr_kit_str(&b, "\n");
	}
	/* What was appended after the link (the manifest note, gr_embed), in
	 * lines of at most 4 KiB: dd writes each at its offset, past the end. */
	for (i = nlo; nlo <= nbin && i < nbin;) {
		size_t j = i + 4096 < nbin ? i + 4096 : nbin;
		gr_kit_printf(&b, "%zu ", i);
		for (; i < j; i++)
			gr_kit_printf(&b, "\\%03o", bin[i]);
		gr_kit_str(&b, "\n");
	}
	/* A binary shorter than the linker's output is not the linker's output
	 * plus a few values: no postlink (relink then leaves its output as it is). */
	if (b.nomem) {
		free(b.p);
		rc = gr_kit_nomem(&k);
		goto out;
	}
	if (nlo <= nbin)
		rc = gr_kit_put_buf(&k, "postlink", &b, 0644);
	else
		free(b.p);
	if (!rc && unlink(lpath) != 0)
		rc = gr_error_set(err, GR_EIO, errno, "relink kit: %s: %s", lpath, strerror(errno));
out:
	free(lo);
	free(bin);
	free(lpath);
	return rc;
}

/* ---- staging and installing ------------------------------------------------ */

bool
gr_kit_complete(const char *staging)
{
	char *m = gr_path_join(staging, GR_KIT_MARKER);
	struct stat st;
	bool yes = m && stat(m, &st) == 0 && S_ISREG(st.st_mode);

	free(m);
	return yes;
}

/* Whether path is a directory gorelink may replace: empty, or a kit it wrote. */
static bool
gr_kit_replaceable(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return false;
	if (gr_kit_complete(path))
		return true;
	if (!(d = opendir(path)))
		return false;
	while ((de = readdir(d)) != NULL && empty)
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

int
gr_kit_prepare(const char *dir, char **abs, char **staging, struct gr_error *err)
{
	char *cwd, *a, *slash, *st;
	struct stat sb;
	size_t l;

	*abs = NULL;
	*staging = NULL;
	if (!dir || !*dir)
		return gr_error_set(err, GR_EUSAGE, 0, "--relink-kit: give a directory");
	if (dir[0] == '/') {
		a = strdup(dir);
	} else {
		if (!(cwd = getcwd(NULL, 0)))
			return gr_error_set(err, GR_EIO, errno, "--relink-kit: the current directory: %s", strerror(errno));
		a = gr_path_join(cwd, dir);
		free(cwd);
	}
	if (!a)
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	for (l = strlen(a); l > 1 && a[l - 1] == '/'; l--)
		a[l - 1] = '\0';
	if (lstat(a, &sb) == 0) {
		DIR *d;
		struct dirent *de;
		bool empty = true;
		if (!S_ISDIR(sb.st_mode)) {
			gr_error_set(err, GR_EUSAGE, 0, "--relink-kit=%s: exists and is not a directory", dir);
			free(a);
			return GR_EUSAGE;
		}
		if (!gr_kit_complete(a)) {
			if ((d = opendir(a)) != NULL) {
				while ((de = readdir(d)) != NULL && empty)
					empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
				closedir(d);
			}
			if (!empty) {
				gr_error_set(err, GR_EUSAGE, 0,
				             "--relink-kit=%s: a directory that is neither empty nor a relink kit (no %s): gorelink replaces only a kit it wrote",
				             dir, GR_KIT_MARKER);
				free(a);
				return GR_EUSAGE;
			}
		}
	} else if (errno != ENOENT) {
		int e = errno;
		free(a);
		return gr_error_set(err, GR_EIO, e, "--relink-kit=%s: %s", dir, strerror(e));
	}
	slash = strrchr(a, '/');
	if (!slash || !slash[1] || !strcmp(slash + 1, ".") || !strcmp(slash + 1, "..")) {
		gr_error_set(err, GR_EUSAGE, 0, "--relink-kit=%s: name a directory by its own name (not / . or ..)", dir);
		free(a);
		return GR_EUSAGE;
	}
	l = strlen(a);
	if (!(st = malloc(l + 32))) {
		free(a);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	snprintf(st, l + 32, "%.*s/.%s.kit-XXXXXX", (int)(slash - a), a, slash + 1);
	if (slash == a)
		snprintf(st, l + 32, "/.%s.kit-XXXXXX", slash + 1);
	if (!mkdtemp(st)) {
		int e = errno;
		gr_error_set(err, GR_EIO, e, "--relink-kit=%s: cannot make a directory beside it (%s): %s", dir, st,
		             strerror(e));
		free(st);
		free(a);
		return GR_EIO;
	}
	chmod(st, 0755);
	*abs = a;
	*staging = st;
	return GR_OK;
}

int
gr_kit_install(const char *staging, const char *dir, bool *old, struct gr_error *err)
{
	struct stat sb;

	*old = false;
	if (lstat(dir, &sb) == 0) {
		/* DIR was checked before go build; what is there now is checked
		 * again (and once more after the exchange, which the user's files
		 * could have raced): only an empty directory or a kit is replaced. */
		if (!gr_kit_replaceable(dir))
			return gr_error_set(err, GR_EIO, 0,
			                    "--relink-kit=%s: no longer empty nor a relink kit (changed during the build): left as it is",
			                    dir);
		if (renameat2(AT_FDCWD, staging, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
			if (!gr_kit_replaceable(staging)) {
				(void)renameat2(AT_FDCWD, staging, AT_FDCWD, dir, RENAME_EXCHANGE);
				return gr_error_set(err, GR_EIO, 0,
				                    "--relink-kit=%s: changed during the build (no longer empty nor a relink kit): left as it is",
				                    dir);
			}
			*old = true;
			return GR_OK;
		}
		/* No exchange here (a file system without it): an empty directory
		 * is replaced by rename; a kit goes aside first. */
		if (rename(staging, dir) == 0)
			return GR_OK;
		{
			size_t l = strlen(staging);
			char *aside = malloc(l + 8);
			int e;
			if (!aside)
				return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
			snprintf(aside, l + 8, "%s.old", staging);
			if (rename(dir, aside) != 0) {
				e = errno;
				free(aside);
				return gr_error_set(err, GR_EIO, e, "cannot replace the relink kit %s: %s", dir, strerror(e));
			}
			if (rename(staging, dir) != 0) {
				e = errno;
				rename(aside, dir);
				free(aside);
				return gr_error_set(err, GR_EIO, e, "cannot put the relink kit at %s: %s", dir, strerror(e));
			}
			/* The old kit now where the staging directory was (removed with
			 * it); failing that, removed now. */
			if (rename(aside, staging) != 0)
				gr_kit_remove(aside);
			free(aside);
			*old = true;
			return GR_OK;
		}
	}
	if (rename(staging, dir) != 0)
		return gr_error_set(err, GR_EIO, errno, "cannot put the relink kit at %s: %s", dir, strerror(errno));
	return GR_OK;
}

static int
gr_kit_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
gr_kit_remove(const char *path)
{
	struct stat sb;

	if (path && lstat(path, &sb) == 0)
		nftw(path, gr_kit_rm, 8, FTW_DEPTH | FTW_PHYS);
}
