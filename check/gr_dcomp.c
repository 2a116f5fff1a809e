#define _GNU_SOURCE  /* sched_getaffinity, CPU_COUNT */
#include "gr_dcomp.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_bytes.h"
#include "gr_elfsh.h"
#include "gr_file.h"

#define GR_DC_MAXTHREADS 8
#define GR_DC_LEVEL 1  /* libdeflate's fastest: the speed of a link is what this is for */

/* A section with bytes in the file at or after the first debug section. */
struct gr_dc_sec {
	size_t idx;          /* its index in the section table */
	uint64_t off, size;  /* where the linker put it */
	uint64_t align;      /* its sh_addralign (0 and 1: none) */
	uint64_t newoff;     /* where it goes */
	bool debug;          /* an uncompressed .debug_* section: compressed if that makes it smaller */
	unsigned char *z;    /* then its new bytes: the Chdr, then the zlib stream (NULL: it stays as it was) */
	size_t zlen;
	unsigned char *raw;  /* a debug section that stays as it was: its bytes, read by its thread */
};

/* The compressing threads' shared state: the debug sections, largest first,
 * each read from fd by the thread that compresses it. */
struct gr_dc_work {
	struct gr_dc_sec **order;
	size_t n, next;
	int fd;
	bool is64, be, oom;
	int ioerr;  /* a read failed: its errno, or GR_DC_SHORT */
	pthread_mutex_t mu;
};

#define GR_DC_NOMEM (-2)  /* gr_dc_one: an allocation failed */
#define GR_DC_SHORT (-1)  /* a read found the file shorter */

/* A read of path that failed with e (an errno, or GR_DC_SHORT). */
static int
gr_dc_read_error(int e, const char *path, struct gr_error *err)
{
	if (e > 0)
		return gr_error_set(err, GR_EIO, e, "%s: %s", path, strerror(e));
	return gr_error_set(err, GR_EIO, 0, "%s: the file shrank while it was being read", path);
}

/* All n bytes at off into buf. */
static int
gr_dc_pread(int fd, unsigned char *buf, size_t n, uint64_t off, const char *path, struct gr_error *err)
{
	if (gr_file_pread(fd, buf, n, off))
		return GR_OK;
	return gr_dc_read_error(errno ? errno : GR_DC_SHORT, path, err);
}

/* All n bytes of buf at off. */
static int
gr_dc_pwrite(int fd, const unsigned char *buf, size_t n, uint64_t off, const char *path, struct gr_error *err)
{
	if (gr_file_pwrite(fd, buf, n, off))
		return GR_OK;
	return gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
}

/* Read one section and compress it into s->z: the Chdr (ELFCOMPRESS_ZLIB,
 * its size and alignment), then the stream; kept only when smaller than the
 * section, its bytes in s->raw otherwise. 0, GR_DC_NOMEM, GR_DC_SHORT or a
 * read's errno. */
static int
gr_dc_one(struct libdeflate_compressor *c, const struct gr_dc_work *w, struct gr_dc_sec *s)
{
	size_t hl = w->is64 ? sizeof(Elf64_Chdr) : sizeof(Elf32_Chdr);
	size_t bound = libdeflate_zlib_compress_bound(c, (size_t)s->size), got;
	unsigned char *raw = malloc((size_t)s->size), *z;

	if (!raw)
		return GR_DC_NOMEM;
	if (!gr_file_pread(w->fd, raw, (size_t)s->size, s->off)) {  /* errno 0: the file ended */
		int e = errno ? errno : GR_DC_SHORT;
		free(raw);
		return e;
	}
	if (!(z = malloc(hl + bound))) {
		free(raw);
		return GR_DC_NOMEM;
	}
	memset(z, 0, hl);
	gr_bytes_put(z, ELFCOMPRESS_ZLIB, 4, w->be);
	if (w->is64) {
		gr_bytes_put(z + 8, s->size, 8, w->be);
		gr_bytes_put(z + 16, s->align ? s->align : 1, 8, w->be);
	} else {
		gr_bytes_put(z + 4, s->size, 4, w->be);
		gr_bytes_put(z + 8, s->align ? s->align : 1, 4, w->be);
	}
	got = libdeflate_zlib_compress(c, raw, (size_t)s->size, z + hl, bound);
	/* Smaller even after the Chdr's alignment padding: no section then ends
	 * later than it did, nor does the file (gr_dc_layout). */
	if (got == 0 || hl + got + (hl == sizeof(Elf64_Chdr) ? 7 : 3) >= s->size) {
		free(z);
		s->raw = raw;
		return 0;
	}
	free(raw);
	s->z = z;
	s->zlen = hl + got;
	return 0;
}

/* A compressing thread (and the calling one): the next section until none is
 * left; its compressor made for its first section. */
static void *
gr_dc_worker(void *arg)
{
	struct gr_dc_work *w = arg;
	struct libdeflate_compressor *c = NULL;
	size_t i;

	for (;;) {
		int e;
		pthread_mutex_lock(&w->mu);
		i = w->oom || w->ioerr ? w->n : w->next++;
		pthread_mutex_unlock(&w->mu);
		if (i >= w->n)
			break;
		e = !c && !(c = libdeflate_alloc_compressor(GR_DC_LEVEL)) ? GR_DC_NOMEM : gr_dc_one(c, w, w->order[i]);
		if (e) {
			pthread_mutex_lock(&w->mu);
			if (e == GR_DC_NOMEM)
				w->oom = true;
			else if (!w->ioerr)
				w->ioerr = e;
			pthread_mutex_unlock(&w->mu);
		}
	}
	if (c)
		libdeflate_free_compressor(c);
	return NULL;
}

/* Larger sections first (the index breaks ties): the threads end together. */
static int
gr_dc_bysize(const void *x, const void *y)
{
	const struct gr_dc_sec *a = *(const struct gr_dc_sec *const *)x, *b = *(const struct gr_dc_sec *const *)y;

	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int
gr_dc_byoff(const void *x, const void *y)
{
	const struct gr_dc_sec *a = x, *b = y;

	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* How many threads compress at once: threads, or (0) one per CPU this
 * process may run on (taskset, a container's cpuset); at most
 * GR_DC_MAXTHREADS and one per section. */
static unsigned
gr_dc_nthreads(unsigned threads, size_t nsecs)
{
	if (threads == 0) {
		cpu_set_t set;
		long cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus < 1 ? 1 : cpus > GR_DC_MAXTHREADS ? GR_DC_MAXTHREADS : (unsigned)cpus;
	}
	if (threads > GR_DC_MAXTHREADS)
		threads = GR_DC_MAXTHREADS;
	if (threads > nsecs)
		threads = (unsigned)nsecs;
	return threads ? threads : 1;
}

static bool
gr_dc_pow2(uint64_t v)
{
	return v == 0 || (v & (v - 1)) == 0;
}

static uint64_t
gr_dc_up(uint64_t v, uint64_t align)
{
	return align > 1 ? (v + align - 1) & ~(align - 1) : v;
}

/* The parsed file and what becomes of it. */
struct gr_dc_file {
	const char *path;
	int fd;
	uint64_t size;
	struct gr_elfsh h;      /* the ELF header */
	unsigned char *sh;      /* the section table, h.shnum * h.shentsize bytes */
	char *names;            /* the section name table, NUL-terminated once more */
	uint64_t namesz;
	struct gr_dc_sec *secs; /* the sections at or after start, in file order */
	size_t nsecs;
	uint64_t start;         /* the first debug section's offset */
};

/* Section i's header. */
static struct gr_elfsh_sec
gr_dc_sec(const struct gr_dc_file *f, uint64_t i)
{
	struct gr_elfsh_sec s;

	gr_elfsh_sec(&f->h, f->sh + i * f->h.shentsize, &s);
	return s;
}

/* The headers, the section table and its names, read and checked. */
static int
gr_dc_headers(struct gr_dc_file *f, struct gr_error *err)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	struct gr_elfsh_sec strtab;
	uint64_t i;
	int rc;

	if (f->size < sizeof(Elf32_Ehdr) ||
	    (rc = gr_dc_pread(f->fd, eh, f->size < sizeof(eh) ? sizeof(Elf32_Ehdr) : sizeof(eh), 0, f->path, err)))
		return f->size < sizeof(Elf32_Ehdr) ? gr_error_set(err, GR_ENOTBIN, 0, "%s: not an ELF file", f->path) : rc;
	if (!gr_elfsh_header(eh, f->size < sizeof(eh) ? sizeof(Elf32_Ehdr) : sizeof(eh), &f->h))
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: not an ELF file", f->path);
	/* A version of ELF other than the one there is: a layout not known. */
	if (f->h.ident_version != EV_CURRENT || f->h.version != EV_CURRENT)
		return gr_error_set(err, GR_ENOTBIN, 0, "%s: ELF version %u, not %u", f->path,
		                    f->h.ident_version != EV_CURRENT ? f->h.ident_version : (unsigned)f->h.version,
		                    (unsigned)EV_CURRENT);
	/* Extended numbering (e_shnum 0, e_shstrndx SHN_XINDEX, e_phnum PN_XNUM): not from a Go link. */
	if (!gr_elfsh_table_fits(&f->h, f->size) || f->h.shstrndx == SHN_UNDEF || f->h.shstrndx >= f->h.shnum ||
	    f->h.phnum == PN_XNUM)
		return gr_error_set(err, GR_EUSAGE, 0, "%s: no section header table that can be rewritten", f->path);
	if (f->h.phnum && (f->h.phentsize != gr_elfsh_phdr_size(&f->h) || f->h.phoff > f->size ||
	                   f->h.phnum > (f->size - f->h.phoff) / f->h.phentsize))
		return gr_error_set(err, GR_EFORMAT, 0, "%s: the program header table lies outside the file", f->path);
	if (!(f->sh = malloc((size_t)gr_elfsh_table_size(&f->h))))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	if ((rc = gr_dc_pread(f->fd, f->sh, (size_t)gr_elfsh_table_size(&f->h), f->h.shoff, f->path, err)))
		return rc;
	strtab = gr_dc_sec(f, f->h.shstrndx);
	f->namesz = strtab.size;
	if (strtab.type != SHT_STRTAB || strtab.offset > f->size || f->namesz > f->size - strtab.offset)
		return gr_error_set(err, GR_EFORMAT, 0, "%s: unreadable section name table", f->path);
	if (!(f->names = malloc((size_t)f->namesz + 1)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	f->names[f->namesz] = '\0';
	if ((rc = gr_dc_pread(f->fd, (unsigned char *)f->names, (size_t)f->namesz, strtab.offset, f->path, err)))
		return rc;
	/* Every section's bytes inside the file. */
	for (i = 1; i < f->h.shnum; i++) {
		struct gr_elfsh_sec s = gr_dc_sec(f, i);
		if (s.type != SHT_NOBITS && (s.offset > f->size || s.size > f->size - s.offset))
			return gr_error_set(err, GR_EFORMAT, 0, "%s: section %llu lies outside the file", f->path,
			                    (unsigned long long)i);
	}
	return GR_OK;
}

/* Whether the section s heads is an uncompressed debug section. */
static bool
gr_dc_is_debug(const struct gr_dc_file *f, const struct gr_elfsh_sec *s)
{
	return s->type == SHT_PROGBITS && !(s->flags & (SHF_ALLOC | SHF_COMPRESSED)) && s->size > 0 &&
	       s->name < f->namesz && !strncmp(f->names + s->name, ".debug_", 7);
}

/* start, the sections from it, and whether they can move: nothing allocated,
 * no segment and no header table from start on but the section table. */
static int
gr_dc_plan(struct gr_dc_file *f, unsigned *ndebug, struct gr_error *err)
{
	uint64_t i, end;
	size_t k;

	*ndebug = 0;
	f->start = UINT64_MAX;
	for (i = 1; i < f->h.shnum; i++) {
		struct gr_elfsh_sec hdr = gr_dc_sec(f, i);
		if (gr_dc_is_debug(f, &hdr)) {
			(*ndebug)++;
			if (hdr.offset < f->start)
				f->start = hdr.offset;
		}
	}
	if (!*ndebug)
		return GR_OK;
	if (!(f->secs = calloc((size_t)f->h.shnum, sizeof(*f->secs))))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	for (i = 1; i < f->h.shnum; i++) {
		struct gr_elfsh_sec hdr = gr_dc_sec(f, i);
		uint64_t off = hdr.offset, size = hdr.size, align = hdr.addralign;
		struct gr_dc_sec *s;
		/* NOBITS sections hold no bytes; an empty allocated one stays
		 * where it is (inside its segment's range, which ends by start),
		 * an empty other one moves with its neighbours (its offset inside
		 * the new file). */
		if (hdr.type == SHT_NOBITS)
			continue;
		if (size == 0 && (hdr.flags & SHF_ALLOC)) {
			if (off > f->start)
				return gr_error_set(err, GR_EUSAGE, 0,
				                    "%s: an allocated section (%llu) lies after the debug sections", f->path,
				                    (unsigned long long)i);
			continue;
		}
		if (off < f->start) {
			if (off + size > f->start)
				return gr_error_set(err, GR_EUSAGE, 0, "%s: section %llu overlaps the debug sections", f->path,
				                    (unsigned long long)i);
			continue;
		}
		if (hdr.flags & SHF_ALLOC)
			return gr_error_set(err, GR_EUSAGE, 0, "%s: an allocated section (%llu) lies after the debug sections",
			                    f->path, (unsigned long long)i);
		/* As a linker lays it out: its offset a multiple of its alignment,
		 * which is no larger than the file (so no new offset can overflow). */
		if (!gr_dc_pow2(align) || (align > 1 && (align > f->size || off % align != 0)))
			return gr_error_set(err, GR_EUSAGE, 0, "%s: section %llu's alignment (%llu) is not one its offset keeps",
			                    f->path, (unsigned long long)i, (unsigned long long)align);
		s = &f->secs[f->nsecs++];
		s->idx = (size_t)i;
		s->off = off;
		s->size = size;
		s->align = align;
		s->debug = gr_dc_is_debug(f, &hdr);
	}
	qsort(f->secs, f->nsecs, sizeof(*f->secs), gr_dc_byoff);
	for (k = 1, end = 0; k < f->nsecs; k++) {
		const struct gr_dc_sec *p = &f->secs[k - 1];
		if (p->off + p->size > end)
			end = p->off + p->size;
		if (f->secs[k].size && f->secs[k].off < end)
			return gr_error_set(err, GR_EUSAGE, 0, "%s: section %zu overlaps another", f->path, f->secs[k].idx);
	}
	/* The ELF header, the program headers and every segment's bytes before start. */
	if (f->start < (f->h.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)) ||
	    (f->h.phnum && f->h.phoff + (uint64_t)f->h.phnum * f->h.phentsize > f->start))
		return gr_error_set(err, GR_EUSAGE, 0, "%s: a header lies after the debug sections", f->path);
	for (i = 0; i < f->h.phnum; i++) {
		unsigned char ph[sizeof(Elf64_Phdr)];
		uint64_t off, filesz;
		uint32_t type;
		int rc;
		if ((rc = gr_dc_pread(f->fd, ph, (size_t)f->h.phentsize, f->h.phoff + i * f->h.phentsize, f->path, err)))
			return rc;
		gr_elfsh_seg(&f->h, ph, &type, &off, &filesz);
		if (filesz && (off > f->size || filesz > f->size - off || off + filesz > f->start))
			return gr_error_set(err, GR_EUSAGE, 0, "%s: a segment lies after the debug sections", f->path);
	}
	end = f->h.shoff + gr_elfsh_table_size(&f->h);
	if (f->h.shoff < f->start && end > f->start)
		return gr_error_set(err, GR_EUSAGE, 0, "%s: the section table overlaps the debug sections", f->path);
	for (k = 0; k < f->nsecs; k++)
		if (f->h.shoff >= f->start && f->h.shoff < f->secs[k].off + f->secs[k].size && end > f->secs[k].off)
			return gr_error_set(err, GR_EUSAGE, 0, "%s: the section table overlaps section %zu", f->path,
			                    f->secs[k].idx);
	return GR_OK;
}

/* The new bytes from start: sections moved down (compressed ones aligned for
 * their Chdr), then the section table when it was after them (its new place
 * in *shoff); *len bytes, malloc'd in *out; f->sh updated. */
static int
gr_dc_layout(struct gr_dc_file *f, unsigned char **out, uint64_t *len, uint64_t *shoff, struct gr_error *err)
{
	uint64_t pos = f->start, chalign = f->h.is64 ? 8 : 4;
	bool move_sh = f->h.shoff >= f->start;
	struct gr_elfsh_sec hdr;
	unsigned char *o;
	size_t k;

	for (k = 0; k < f->nsecs; k++) {
		struct gr_dc_sec *s = &f->secs[k];
		s->newoff = gr_dc_up(pos, s->z ? chalign : s->align);
		pos = s->newoff + (s->z ? s->zlen : s->size);
	}
	*shoff = move_sh ? gr_dc_up(pos, chalign) : f->h.shoff;
	*len = (move_sh ? *shoff + gr_elfsh_table_size(&f->h) : pos) - f->start;
	/* Nothing ends later than before (alignment padding aside): a file
	 * that would grow is not one a linker laid out. */
	if (f->start + *len > f->size + chalign)
		return gr_error_set(err, GR_EUSAGE, 0, "%s: the sections would not fit where they were", f->path);
	if (!f->h.is64 && f->start + *len > UINT32_MAX)
		return gr_error_set(err, GR_EUSAGE, 0, "%s: a 32-bit ELF file cannot grow past 4 GiB", f->path);
	if (!(o = calloc(1, *len ? (size_t)*len : 1)))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	for (k = 0; k < f->nsecs; k++) {
		struct gr_dc_sec *s = &f->secs[k];
		int rc;
		if (!s->z && !s->raw && (rc = gr_dc_pread(f->fd, o + (s->newoff - f->start), (size_t)s->size, s->off,
		                                          f->path, err))) {
			free(o);
			return rc;
		}
		hdr = gr_dc_sec(f, s->idx);
		if (s->z) {
			memcpy(o + (s->newoff - f->start), s->z, s->zlen);
			hdr.size = s->zlen;
			hdr.flags |= SHF_COMPRESSED;
			hdr.addralign = chalign;
		} else if (s->raw) {
			memcpy(o + (s->newoff - f->start), s->raw, (size_t)s->size);
		}
		hdr.offset = s->newoff;
		gr_elfsh_sec_put(&f->h, f->sh + s->idx * f->h.shentsize, &hdr);
	}
	if (move_sh)
		memcpy(o + (*shoff - f->start), f->sh, (size_t)gr_elfsh_table_size(&f->h));
	*out = o;
	return GR_OK;
}

static void
gr_dc_free(struct gr_dc_file *f)
{
	size_t k;

	for (k = 0; k < f->nsecs; k++) {
		free(f->secs[k].z);
		free(f->secs[k].raw);
	}
	free(f->secs);
	free(f->sh);
	free(f->names);
}

/* A compression under way: the file read and planned, threads started. */
struct gr_dcomp_job {
	struct gr_dc_file f;
	struct gr_dc_work w;
	struct gr_dcomp_stats st;
	char *path;                         /* f.path's copy */
	char id[GR_FILE_IDENTITY_MAX];      /* the file's identity when the job started */
	bool mu;                            /* w.mu made */
	pthread_t tid[GR_DC_MAXTHREADS];    /* the threads started */
	unsigned ntid;
};

static void
gr_dc_job_free(struct gr_dcomp_job *j)
{
	if (j->mu)
		pthread_mutex_destroy(&j->w.mu);
	if (j->f.fd >= 0)
		close(j->f.fd);
	free(j->w.order);
	free(j->path);
	gr_dc_free(&j->f);
	free(j);
}

/* Whether f's open file and the file at its path both still have the
 * identity id (gr_file_identity: device, inode, size, modification time). */
static bool
gr_dc_same(const struct gr_dc_file *f, const char *id)
{
	char a[GR_FILE_IDENTITY_MAX], b[GR_FILE_IDENTITY_MAX];
	struct stat sa, sb;

	return fstat(f->fd, &sa) == 0 && stat(f->path, &sb) == 0 &&
	       !strcmp(gr_file_identity(a, sizeof(a), &sa, false), id) &&
	       !strcmp(gr_file_identity(b, sizeof(b), &sb, false), id);
}

int
gr_dcomp_start(const char *path, unsigned threads, struct gr_dcomp_job **job, struct gr_error *err)
{
	struct gr_dcomp_job *j;
	struct gr_dc_file *f;
	struct stat sb;
	unsigned ndebug = 0, nt;
	size_t k;
	int rc;

	*job = NULL;
	if (!(j = calloc(1, sizeof(*j))))
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	f = &j->f;
	f->fd = -1;
	if (!(f->path = j->path = strdup(path))) {
		gr_dc_job_free(j);
		return gr_error_set(err, GR_ENOMEM, 0, "out of memory");
	}
	if ((f->fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(f->fd, &sb) != 0) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > ((off_t)4 << 30)) {
		rc = gr_error_set(err, GR_EIO, 0, "%s: not a regular file of at most 4 GiB", path);
		goto fail;
	}
	f->size = (uint64_t)sb.st_size;
	gr_file_identity(j->id, sizeof(j->id), &sb, false);
	j->st.before = j->st.after = f->size;
	if ((rc = gr_dc_headers(f, err)) || (rc = gr_dc_plan(f, &ndebug, err)))
		goto fail;
	j->st.sections = ndebug;
	if (!ndebug) {
		*job = j;
		return GR_OK;
	}
	/* The debug sections, largest first, for the threads. */
	if (!(j->w.order = malloc(ndebug * sizeof(*j->w.order)))) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory");
		goto fail;
	}
	for (k = 0; k < f->nsecs; k++)
		if (f->secs[k].debug)
			j->w.order[j->w.n++] = &f->secs[k];
	qsort(j->w.order, j->w.n, sizeof(*j->w.order), gr_dc_bysize);
	j->w.fd = f->fd;
	j->w.is64 = f->h.is64;
	j->w.be = f->h.be;
	if (pthread_mutex_init(&j->w.mu, NULL) != 0) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory (a mutex)");
		goto fail;
	}
	j->mu = true;
	/* All but one now; gr_dcomp_finish's caller is the last. A thread that
	 * cannot start leaves its share to the others. */
	nt = gr_dc_nthreads(threads, j->w.n);
	while (j->ntid + 1 < nt && pthread_create(&j->tid[j->ntid], NULL, gr_dc_worker, &j->w) == 0)
		j->ntid++;
	*job = j;
	return GR_OK;
fail:
	gr_dc_job_free(j);
	return rc;
}

int
gr_dcomp_finish(struct gr_dcomp_job *j, struct gr_dcomp_stats *st, bool *wrote, struct gr_error *err)
{
	struct gr_dc_file *f = &j->f;
	unsigned char *out = NULL, hdr[8];
	uint64_t len = 0, shoff = 0;
	bool touched = false;
	unsigned i;
	size_t k;
	int rc = GR_OK;

	if (j->w.n)
		gr_dc_worker(&j->w);
	for (i = 0; i < j->ntid; i++)
		pthread_join(j->tid[i], NULL);
	j->ntid = 0;
	/* The file the job read, still at its path and as it was: a file
	 * replaced (a relink renames over it) or changed meanwhile is not
	 * written, whatever the threads read. */
	if (j->w.n && !gr_dc_same(f, j->id)) {
		rc = gr_error_set(err, GR_EIO, 0, "%s: the file changed while its debug sections were being compressed",
		                  f->path);
		goto out;
	}
	if (j->w.oom) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "out of memory (compressing the debug sections)");
		goto out;
	}
	if (j->w.ioerr) {
		rc = gr_dc_read_error(j->w.ioerr, f->path, err);
		goto out;
	}
	for (k = 0; k < j->w.n; k++)
		j->st.compressed += j->w.order[k]->z != NULL;
	if (!j->st.compressed)
		goto out;

	/* Written from start on: the bytes, the file cut to its new end, then
	 * the section table's place (in the ELF header) or the table itself. */
	if ((rc = gr_dc_layout(f, &out, &len, &shoff, err)))
		goto out;
	touched = true;
	if ((rc = gr_dc_pwrite(f->fd, out, (size_t)len, f->start, f->path, err)))
		goto out;
	if (ftruncate(f->fd, (off_t)(f->start + len)) != 0) {
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", f->path, strerror(errno));
		goto out;
	}
	if (shoff != f->h.shoff) {
		size_t width, at = gr_elfsh_shoff_at(&f->h, &width);
		gr_bytes_put(hdr, shoff, (int)width, f->h.be);
		rc = gr_dc_pwrite(f->fd, hdr, width, at, f->path, err);
	} else {
		rc = gr_dc_pwrite(f->fd, f->sh, (size_t)gr_elfsh_table_size(&f->h), f->h.shoff, f->path, err);
	}
	if (rc == GR_OK)
		j->st.after = f->start + len;
out:
	if (f->fd >= 0 && close(f->fd) != 0 && rc == GR_OK && touched)
		rc = gr_error_set(err, GR_EIO, errno, "%s: %s", f->path, strerror(errno));
	f->fd = -1;
	if (rc == GR_OK)
		*st = j->st;
	else
		memset(st, 0, sizeof(*st));
	if (wrote)
		*wrote = touched;
	free(out);
	gr_dc_job_free(j);
	return rc;
}

void
gr_dcomp_cancel(struct gr_dcomp_job *j)
{
	unsigned i;

	if (!j)
		return;
	if (j->mu) {
		pthread_mutex_lock(&j->w.mu);
		j->w.next = j->w.n;  /* no section is taken after this */
		pthread_mutex_unlock(&j->w.mu);
	}
	for (i = 0; i < j->ntid; i++)
		pthread_join(j->tid[i], NULL);
	gr_dc_job_free(j);
}

int
gr_dcomp_elf(const char *path, unsigned threads, struct gr_dcomp_stats *st, bool *wrote, struct gr_error *err)
{
	struct gr_dcomp_job *j;
	int rc;

	memset(st, 0, sizeof(*st));
	if (wrote)
		*wrote = false;
	if ((rc = gr_dcomp_start(path, threads, &j, err)) != GR_OK)
		return rc;
	return gr_dcomp_finish(j, st, wrote, err);
}
