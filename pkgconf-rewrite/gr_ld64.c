#include "gr_ld64.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_macho.h"
#include "gr_sigbus.h"

#define GR_LD64_CPU_ARM64  0x0100000cu
#define GR_LD64_CPU_X86_64 0x01000007u
#define GR_LD64_MAXSLICES  64
#define GR_LD64_MAXMEMBERS 1000000u

static const char *const gr_ld64_defaults[] = { "/usr/lib", "/usr/local/lib" };

bool
gr_ld64_cputype(const char *arch, uint32_t *cputype)
{
	if (!strcmp(arch, "arm64") || !strcmp(arch, "aarch64") || !strcmp(arch, "arm64e")) {
		*cputype = GR_LD64_CPU_ARM64;
		return true;
	}
	if (!strcmp(arch, "x86_64") || !strcmp(arch, "x86_64h") || !strcmp(arch, "amd64")) {
		*cputype = GR_LD64_CPU_X86_64;
		return true;
	}
	return false;
}

bool
gr_ld64_triple_is_darwin(const char *triple, const char **arch)
{
	size_t n = strcspn(triple, "-");

	*arch = NULL;
	if (!strstr(triple, "apple") && !strstr(triple, "darwin") && !strstr(triple, "macos"))
		return false;
	if ((n == 5 && !strncmp(triple, "arm64", 5)) || (n == 7 && !strncmp(triple, "aarch64", 7)) ||
	    (n == 6 && !strncmp(triple, "arm64e", 6)))
		*arch = "arm64";
	else if ((n == 6 && !strncmp(triple, "x86_64", 6)) || (n == 7 && !strncmp(triple, "x86_64h", 7)))
		*arch = "x86_64";
	return true;
}

const char *
gr_ld64_kind_name(enum gr_ld64_kind k)
{
	switch (k) {
	case GR_LD64_TBD: return "tbd";
	case GR_LD64_DYLIB: return "dylib";
	case GR_LD64_SO: return "so";
	case GR_LD64_ARCHIVE: return "archive";
	case GR_LD64_OBJECT: return "object";
	case GR_LD64_NONE: break;
	}
	return "none";
}

static bool
gr_ld64_isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
gr_ld64_isfile(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int
gr_ld64_note(struct gr_arena *a, const char ***v, size_t *n, const char *note)
{
	const char **g;

	if (!note)
		return GR_ENOMEM;
	g = gr_arena_alloc(a, (*n + 1) * sizeof(*g));
	if (!g)
		return GR_ENOMEM;
	if (*n)
		memcpy(g, *v, *n * sizeof(*g));
	g[(*n)++] = note;
	*v = g;
	return GR_OK;
}

/* Append dir (re-rooted when R+dir exists) to the list; missing dirs get a note. */
static int
gr_ld64_add_dir(struct gr_ld64 *s, const char *dir, bool is_default, size_t cap)
{
	const char *use = dir;

	if (s->syslibroot && dir[0] == '/') {
		const char *rr = gr_arena_printf(&s->arena, "%s%s", s->syslibroot, dir);
		if (!rr)
			return GR_ENOMEM;
		if (gr_ld64_isdir(rr))
			use = rr;
		else if (is_default)
			return GR_OK;  /* with one SDK, defaults outside it are dropped */
	}
	if (!gr_ld64_isdir(use)) {
		if (is_default)
			return GR_OK;
		return gr_ld64_note(&s->arena, &s->notes, &s->nnotes,
		                    gr_arena_printf(&s->arena, "directory not found for option '-L%s'", dir));
	}
	if (s->ndirs == cap)
		return GR_EUSAGE;
	s->dirs[s->ndirs] = gr_arena_strdup(&s->arena, use);
	if (!s->dirs[s->ndirs])
		return GR_ENOMEM;
	s->is_default[s->ndirs++] = is_default;
	return GR_OK;
}

int
gr_ld64_init(struct gr_ld64 *s, const struct gr_ld64_opts *o, struct gr_error *err)
{
	size_t i, cap = o->ndirs + 2;
	const char *root = NULL;
	int rc = GR_OK;

	memset(s, 0, sizeof(*s));
	gr_arena_init(&s->arena);
	s->order = o->order;
	s->arch = o->arch ? o->arch : "arm64";
	if (!gr_ld64_cputype(s->arch, &s->cputype))
		return gr_error_set(err, GR_EUSAGE, 0,
		                    "unknown architecture '%s' for ld64 (arm64 or x86_64)", s->arch);
	/* The last -syslibroot wins; "/" means none. */
	for (i = 0; i < o->nsyslibroots; i++)
		root = o->syslibroots[i];
	if (root && strcmp(root, "/") != 0 && root[0]) {
		size_t l = strlen(root);
		while (l > 1 && root[l - 1] == '/')
			l--;
		if (!(s->syslibroot = gr_arena_strndup(&s->arena, root, l)))
			goto nomem;
	}
	s->dirs = gr_arena_alloc(&s->arena, cap * sizeof(*s->dirs));
	s->is_default = gr_arena_alloc(&s->arena, cap * sizeof(*s->is_default));
	if (!s->dirs || !s->is_default)
		goto nomem;
	for (i = 0; i < o->ndirs && rc == GR_OK; i++)
		rc = gr_ld64_add_dir(s, o->dirs[i], false, cap);
	for (i = 0; !o->no_defaults && i < 2 && rc == GR_OK; i++)
		rc = gr_ld64_add_dir(s, gr_ld64_defaults[i], true, cap);
	if (rc)
		goto nomem;
	return GR_OK;
nomem:
	gr_ld64_deinit(s);
	return gr_error_set(err, GR_ENOMEM, 0, "ld64 search: out of memory");
}

void
gr_ld64_deinit(struct gr_ld64 *s)
{
	gr_arena_deinit(&s->arena);
	memset(s, 0, sizeof(*s));
}

/* Set *f to dir/lib<name><suffix> if that exists. */
static int
gr_ld64_try(struct gr_ld64 *s, size_t di, const char *name, const char *suffix,
            enum gr_ld64_kind kind, struct gr_ld64_file *f)
{
	const char *p = gr_arena_printf(&s->arena, "%s/lib%s%s", s->dirs[di], name, suffix);

	if (!p)
		return GR_ENOMEM;
	if (gr_ld64_isfile(p)) {
		f->path = p;
		f->kind = kind;
		f->dir_index = di;
	}
	return GR_OK;
}

/* ld64's findFileWithSuffix: .tbd or .dylib; both → .tbd unless inside a *.sdk/ path. */
static int
gr_ld64_try_dylib(struct gr_ld64 *s, size_t di, const char *name, struct gr_ld64_file *f)
{
	struct gr_ld64_file tbd = { NULL, GR_LD64_NONE, (size_t)-1 };
	struct gr_ld64_file dy = { NULL, GR_LD64_NONE, (size_t)-1 };
	int rc;

	if ((rc = gr_ld64_try(s, di, name, ".tbd", GR_LD64_TBD, &tbd)) ||
	    (rc = gr_ld64_try(s, di, name, ".dylib", GR_LD64_DYLIB, &dy)))
		return rc;
	if (tbd.path && dy.path)
		*f = strstr(s->dirs[di], ".sdk/") ? dy : tbd;
	else if (tbd.path)
		*f = tbd;
	else if (dy.path)
		*f = dy;
	return GR_OK;
}

/* ld64's own choice for -lNAME (a plain name). */
static int
gr_ld64_find(struct gr_ld64 *s, const char *name, struct gr_ld64_file *f)
{
	size_t di, pass;
	int rc;

	if (s->order == GR_LD64_PATHS_FIRST) {
		for (di = 0; di < s->ndirs; di++) {
			if ((rc = gr_ld64_try_dylib(s, di, name, f)) || f->path)
				return rc;
			if ((rc = gr_ld64_try(s, di, name, ".so", GR_LD64_SO, f)) || f->path)
				return rc;
			if ((rc = gr_ld64_try(s, di, name, ".a", GR_LD64_ARCHIVE, f)) || f->path)
				return rc;
		}
		return GR_OK;
	}
	for (pass = 0; pass < 3; pass++)
		for (di = 0; di < s->ndirs; di++) {
			if (pass == 0)
				rc = gr_ld64_try_dylib(s, di, name, f);
			else if (pass == 1)
				rc = gr_ld64_try(s, di, name, ".so", GR_LD64_SO, f);
			else
				rc = gr_ld64_try(s, di, name, ".a", GR_LD64_ARCHIVE, f);
			if (rc || f->path)
				return rc;
		}
	return GR_OK;
}

int
gr_ld64_lib(struct gr_ld64 *s, const char *name, struct gr_ld64_result *res, struct gr_error *err)
{
	size_t di, l = strlen(name);
	int rc;

	memset(res, 0, sizeof(*res));
	res->found.dir_index = res->archive.dir_index = (size_t)-1;
	if (name[0] == ':')
		return gr_error_set(err, GR_EUSAGE, 0,
		                    "-l%s: Apple's ld64 has no -l:FILE syntax (it is GNU ld's); write -lNAME for libNAME.a, or name the file by its path",
		                    name);
	if (l == 0)
		return gr_error_set(err, GR_EUSAGE, 0, "-l with an empty library name");
	if (l > 2 && !strcmp(name + l - 2, ".o")) {
		/* -lfoo.o: dir/foo.o, undecorated. */
		for (di = 0; di < s->ndirs; di++) {
			const char *p = gr_arena_printf(&s->arena, "%s/%s", s->dirs[di], name);
			if (!p)
				goto nomem;
			if (gr_ld64_isfile(p)) {
				res->found.path = p;
				res->found.kind = GR_LD64_OBJECT;
				res->found.dir_index = di;
				break;
			}
		}
		return GR_OK;
	}
	if (gr_ld64_find(s, name, &res->found))
		goto nomem;
	/* The first archive for the arch along the same dirs. */
	for (di = 0; di < s->ndirs; di++) {
		struct gr_ld64_file a = { NULL, GR_LD64_NONE, (size_t)-1 };
		const char *note = NULL;
		struct gr_error cerr;
		if (gr_ld64_try(s, di, name, ".a", GR_LD64_ARCHIVE, &a))
			goto nomem;
		if (!a.path)
			continue;
		rc = gr_ld64_archive_check(a.path, s->cputype, &s->arena, &note, &cerr);
		if (rc == GR_OK) {
			res->archive = a;
			break;
		}
		if (rc == GR_ENOMEM)
			goto nomem;
		if (rc == GR_EIO) {
			/* ld64 stops on an archive it cannot open or read (this one may have shrunk
			 * while it was read): passing over it would not give ld64's answer. */
			*err = cerr;
			return rc;
		}
		if (rc != GR_ENOTFOUND && !(note = gr_arena_printf(&s->arena, "ignoring file %s: %s", a.path, cerr.msg)))
			goto nomem;
		if (gr_ld64_note(&s->arena, &res->notes, &res->nnotes, note))
			goto nomem;
	}
	return GR_OK;
nomem:
	return gr_error_set(err, GR_ENOMEM, 0, "ld64 search: out of memory");
}

/* ---- archive architecture ---------------------------------------------- */

static uint32_t
gr_ld64_rd32(const unsigned char *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Parse a decimal ar header field (space padded); false if malformed. */
static bool
gr_ld64_ar_num(const unsigned char *p, size_t n, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	while (i < n && p[i] == ' ')
		i++;
	if (i == n || p[i] < '0' || p[i] > '9')
		return false;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ')
			return false;
	return true;
}

/* The CPU types of the Mach-O members of the ar archive buf: *match set when one is
 * cputype, *other the first other CPU type met (0 if none). */
static int
gr_ld64_ar_scan(const unsigned char *buf, size_t len, const char *path, uint32_t cputype,
                bool *match, uint32_t *other, struct gr_error *err)
{
	size_t off = 8;
	unsigned long members = 0;

	*match = false;
	*other = 0;
	while (off < len) {
		const unsigned char *h;
		uint64_t size, namelen = 0;
		size_t data;

		if (len - off < 60)
			return gr_error_set(err, GR_EFORMAT, 0, "%s: truncated archive member header at offset %zu",
			                    path, off);
		h = buf + off;
		if (h[58] != '`' || h[59] != '\n')
			return gr_error_set(err, GR_EFORMAT, 0, "%s: bad archive member header at offset %zu",
			                    path, off);
		if (!gr_ld64_ar_num(h + 48, 10, &size))
			return gr_error_set(err, GR_EFORMAT, 0, "%s: bad member size at offset %zu", path, off);
		data = off + 60;
		if (size > len - data)
			return gr_error_set(err, GR_EFORMAT, 0,
			                    "%s: archive member at offset %zu (%llu bytes) extends past the end of the file",
			                    path, off, (unsigned long long)size);
		if (!memcmp(h, "#1/", 3)) {
			if (!gr_ld64_ar_num(h + 3, 13, &namelen) || namelen > size)
				return gr_error_set(err, GR_EFORMAT, 0, "%s: bad BSD member name length at offset %zu",
				                    path, off);
		}
		if (++members > GR_LD64_MAXMEMBERS)
			return gr_error_set(err, GR_EFORMAT, 0, "%s: more than %u archive members", path,
			                    GR_LD64_MAXMEMBERS);
		/* Symbol tables (__.SYMDEF, GNU "/" and "//") are neither Mach-O nor counted. */
		if (h[0] != '/') {
			const unsigned char *m = buf + data + namelen;
			size_t msize = (size_t)(size - namelen);
			if (msize >= 8 && gr_macho_is_thin(m, msize)) {
				bool be = gr_ld64_rd32(m, true) == 0xfeedfaceu || gr_ld64_rd32(m, true) == 0xfeedfacfu;
				uint32_t cpu = gr_ld64_rd32(m + 4, be);
				if (cpu == cputype) {
					*match = true;
					return GR_OK;
				}
				if (!*other)
					*other = cpu;
			}
		}
		off = data + (size_t)size;
		if (off & 1)
			off++;
	}
	return GR_OK;
}

/* The reads of a mapped archive, run under gr_sigbus_guard. */
struct gr_ld64_judge {
	const unsigned char *buf;
	size_t len;
	const char *path;
	uint32_t cputype;
	struct gr_arena *a;   /* the note's only allocation: the caller's arena */
	const char **note;
	struct gr_error *err;
};

static int
gr_ld64_judge(void *ctx)
{
	struct gr_ld64_judge *j = ctx;
	const unsigned char *buf = j->buf;
	const char *path = j->path;
	char want[32], got[32];
	const char *wname = gr_macho_arch_name(j->cputype, 0, want, sizeof(want));
	int rc;

	if (gr_ld64_rd32(buf, true) == 0xcafebabeu || gr_ld64_rd32(buf, true) == 0xcafebabfu) {
		struct gr_macho_slice sl[GR_LD64_MAXSLICES];
		size_t n, i;
		if ((rc = gr_macho_fat_slices(buf, j->len, path, sl, GR_LD64_MAXSLICES, &n, j->err)))
			return rc;
		for (i = 0; i < n; i++)
			if (sl[i].cputype == j->cputype)
				return GR_OK;  /* has the slice */
		*j->note = gr_arena_printf(j->a, "ignoring file %s, missing required architecture %s in file %s (%zu slice%s)",
		                           path, wname, path, n, n == 1 ? "" : "s");
		return *j->note ? GR_ENOTFOUND : gr_error_set(j->err, GR_ENOMEM, 0, "%s: out of memory", path);
	}
	if (memcmp(buf, "!<arch>\n", 8) == 0) {
		bool match;
		uint32_t other;
		if ((rc = gr_ld64_ar_scan(buf, j->len, path, j->cputype, &match, &other, j->err)))
			return rc;
		if (match || !other)
			return GR_OK;  /* its code is for the arch, or it holds no Mach-O to judge */
		*j->note = gr_arena_printf(j->a, "ignoring file %s, building for macOS-%s but attempting to link with file built for macOS-%s",
		                           path, wname, gr_macho_arch_name(other, 0, got, sizeof(got)));
		return *j->note ? GR_ENOTFOUND : gr_error_set(j->err, GR_ENOMEM, 0, "%s: out of memory", path);
	}
	return gr_error_set(j->err, GR_ENOTBIN, 0, "%s: not an archive (no !<arch> or universal header)", path);
}

int
gr_ld64_archive_check(const char *path, uint32_t cputype, struct gr_arena *a, const char **note,
                      struct gr_error *err)
{
	struct stat st;
	struct gr_ld64_judge j;
	unsigned char *buf;
	size_t len;
	int fd, rc;

	*note = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (st.st_size < 8) {
		close(fd);
		return gr_error_set(err, GR_EFORMAT, 0, "%s: too short for an archive (%lld bytes)",
		                    path, (long long)st.st_size);
	}
	len = (size_t)st.st_size;
	buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED)
		return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
	/* The file may shrink under the mapping: a read past its new end raises SIGBUS,
	 * which the guard turns into GR_EIO. Nothing leaks: the note is in a's arena. */
	j.buf = buf;
	j.len = len;
	j.path = path;
	j.cputype = cputype;
	j.a = a;
	j.note = note;
	j.err = err;
	rc = gr_sigbus_guard(gr_ld64_judge, &j, path, err);
	if (rc != GR_OK && rc != GR_ENOTFOUND)
		*note = NULL;
	munmap(buf, len);
	return rc;
}
