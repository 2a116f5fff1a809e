#define _GNU_SOURCE  /* copy_file_range */
#include "gr_uptodate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_file.h"
#include "gr_gocache.h"
#include "gr_path.h"

#define GR_UPTODATE_MAGIC "gorelink-uptodate 1\n"

/* How close (ns) to a build a change time is too close to tell apart from a
 * later change: the kernel's coarse clock on file systems with ns times, two
 * seconds where the times have whole seconds (FAT's are even coarser in
 * mtime, but a second-granular ctime is the common case). */
static int64_t
gr_ut_window(int64_t ctime_ns)
{
	return ctime_ns % 1000000000 ? 50000000 : 2000000000;
}

int
gr_uptodate_key(const char *opts, size_t n, char key[65])
{
	size_t ml = strlen(GR_UPTODATE_MAGIC);
	char *buf = malloc(n + ml);

	key[0] = '\0';
	if (!buf)
		return GR_ENOMEM;
	memcpy(buf, GR_UPTODATE_MAGIC, ml);
	memcpy(buf + ml, opts, n);
	gr_gocache_sha256(buf, ml + n, key);
	free(buf);
	return GR_OK;
}

void
gr_uptodate_ident(const char *path, char *buf, size_t n, int64_t *ctime_ns)
{
	struct stat st;
	char id[GR_FILE_IDENTITY_MAX];

	if (ctime_ns)
		*ctime_ns = 0;
	if (stat(path, &st) != 0) {
		snprintf(buf, n, "%s", errno == ENOENT || errno == ENOTDIR ? "absent" : "unreadable");
		return;
	}
	if (ctime_ns)
		*ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	snprintf(buf, n, "%s %o", gr_file_identity(id, sizeof(id), &st, true), (unsigned)st.st_mode);
}

int64_t
gr_uptodate_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The record's text: the written line, OUT and its hash (out NULL: the
 * output cache's binary, by its hash alone), the paths (each
 * with the identity it has now) and the report; NULL when it cannot be made
 * (started: paths changed at or after it, or too close to it, make none;
 * 0: no such test). */
static char *
gr_ut_text(const char *out, const char *out_hash, const char *const *paths, size_t npaths, int64_t started,
           const char *report, size_t len, size_t *tlen)
{
	size_t i, cap = strlen(GR_UPTODATE_MAGIC) + len + (out ? strlen(out) : 0) + 512, at = 0;
	char *buf, id[256];
	int64_t ct;

	if (out && strpbrk(out, "\t\n"))
		return NULL;
	for (i = 0; i < npaths; i++) {
		if (strpbrk(paths[i], "\t\n"))
			return NULL;
		cap += strlen(paths[i]) + sizeof(id) + 8;
	}
	if (!(buf = malloc(cap)))
		return NULL;
	at += (size_t)snprintf(buf + at, cap - at, "%swritten\t%" PRId64 "\n", GR_UPTODATE_MAGIC, gr_uptodate_now());
	if (out) {
		gr_uptodate_ident(out, id, sizeof(id), NULL);
		at += (size_t)snprintf(buf + at, cap - at, "out\t%s\t%s\t%s\n", out, id, out_hash);
	} else {
		/* The output cache's record: the binary by its content hash alone. */
		at += (size_t)snprintf(buf + at, cap - at, "bin\t%s\n", out_hash);
	}
	for (i = 0; i < npaths; i++) {
		gr_uptodate_ident(paths[i], id, sizeof(id), &ct);
		if (!strcmp(id, "unreadable") || (started && ct && ct + gr_ut_window(ct) >= started)) {
			free(buf);
			return NULL;
		}
		at += (size_t)snprintf(buf + at, cap - at, "id\t%s\t%s\n", paths[i], id);
	}
	at += (size_t)snprintf(buf + at, cap - at, "report\n");
	memcpy(buf + at, report, len);
	*tlen = at + len;
	return buf;
}

int
gr_uptodate_record(const struct gr_env *env, const char *key, const char *out, const char *out_hash,
                   const struct gr_strvec *paths, int64_t started, const char *report, size_t len,
                   struct gr_error *err)
{
	size_t tlen;
	char *text = gr_ut_text(out, out_hash, (const char *const *)paths->v, paths->n, started, report, len, &tlen);
	int rc;

	if (!text)
		return GR_OK;
	rc = gr_cache_put(env, GR_UPTODATE_KIND, key, text, tlen, err);
	free(text);
	return rc;
}

/* Split the line at p (NUL-terminated) at its TABs: up to n fields. */
static size_t
gr_ut_fields(char *p, char **f, size_t n)
{
	size_t k = 0;

	while (k < n) {
		f[k++] = p;
		if (!(p = strchr(p, '\t')))
			break;
		*p++ = '\0';
	}
	return k;
}

/* gr_uptodate_lookup, and with out NULL gr_uptodate_bin_lookup (the record
 * under GR_UPTODATE_BIN_KIND; its binary's hash into bin_hash). */
static int
gr_ut_lookup(const struct gr_env *env, const char *key, const char *out, char *bin_hash, char **report, size_t *len,
             char **why)
{
	char *data = NULL, *p, *nl, id[256], outid[256] = "", *f[4];
	size_t dlen = 0, ml = strlen(GR_UPTODATE_MAGIC), nf;
	struct gr_strvec paths;
	int64_t written = -1, ct = 0;
	bool hashed = false;
	char out_hash[65] = "";

	*report = NULL;
	*len = 0;
	if (why)
		*why = NULL;
	gr_strvec_init(&paths);
	if (gr_cache_get(env, out ? GR_UPTODATE_KIND : GR_UPTODATE_BIN_KIND, key, &data, &dlen) != GR_OK)
		return GR_ENOTFOUND;
	if (dlen < ml || memcmp(data, GR_UPTODATE_MAGIC, ml) != 0)
		goto miss;
	for (p = data + ml; p < data + dlen; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(data + dlen - p))))
			goto miss;
		*nl = '\0';
		if (!strcmp(p, "report")) {
			size_t rl = (size_t)(data + dlen - (nl + 1));
			if (!out_hash[0] || !(*report = malloc(rl + 1)))
				goto miss;
			memcpy(*report, nl + 1, rl);
			(*report)[rl] = '\0';
			*len = rl;
			if (!out)
				memcpy(bin_hash, out_hash, 65);
			if (hashed) {
				/* OUT was verified by content now; recorded again with this
				 * time, a later change shows in its identity. */
				struct gr_error e;
				size_t tlen;
				char *text = gr_ut_text(out, out_hash, (const char *const *)paths.v, paths.n, 0, *report,
				                        rl, &tlen);
				/* Only when OUT is still what was hashed (its identity now is
				 * the one verified), and its change time is old enough that a
				 * later change gets another one. */
				gr_uptodate_ident(out, id, sizeof(id), NULL);
				if (text && !strcmp(id, outid) && gr_uptodate_now() > ct + gr_ut_window(ct))
					(void)gr_cache_put(env, GR_UPTODATE_KIND, key, text, tlen, &e);
				free(text);
			}
			free(data);
			gr_strvec_deinit(&paths);
			return GR_OK;
		}
		nf = gr_ut_fields(p, f, 4);
		if (nf == 2 && !strcmp(f[0], "written")) {
			written = strtoll(f[1], NULL, 10);
		} else if (!out && nf == 2 && !strcmp(f[0], "bin") && written >= 0 && !out_hash[0]) {
			if (strlen(f[1]) != 64)
				goto miss;
			memcpy(out_hash, f[1], 65);
		} else if (out && nf == 4 && !strcmp(f[0], "out") && written >= 0) {
			if (strcmp(f[1], out) != 0 || strlen(f[3]) != 64)
				goto miss;
			gr_uptodate_ident(out, id, sizeof(id), &ct);
			if (strcmp(id, f[2]) != 0) {
				if (why)
					*why = strdup(out);
				goto miss;
			}
			memcpy(out_hash, f[3], 65);
			memcpy(outid, id, sizeof(outid));
			if (ct + gr_ut_window(ct) >= written) {
				/* Changed too close to the record to tell a later change by
				 * its identity: by its content. */
				char h[65];
				if (gr_gocache_sha256_file(out, h) != 0 || strcmp(h, out_hash) != 0) {
					if (why)
						*why = strdup(out);
					goto miss;
				}
				hashed = true;
			}
		} else if (nf == 3 && !strcmp(f[0], "id") && out_hash[0]) {
			gr_uptodate_ident(f[1], id, sizeof(id), NULL);
			if (strcmp(id, f[2]) != 0) {
				if (why)
					*why = strdup(f[1]);
				goto miss;
			}
			if (gr_strvec_push(&paths, f[1]))
				goto miss;
		} else {
			goto miss;
		}
	}
miss:
	free(data);
	free(*report);
	*report = NULL;
	*len = 0;
	gr_strvec_deinit(&paths);
	return GR_ENOTFOUND;
}

int
gr_uptodate_lookup(const struct gr_env *env, const char *key, const char *out, char **report, size_t *len,
                   char **why)
{
	return gr_ut_lookup(env, key, out, NULL, report, len, why);
}

int
gr_uptodate_copy(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t k;
	int in = open(from, O_RDONLY | O_CLOEXEC), out, e = 0;
	bool plain = false;

	if (in < 0)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
		e = errno;
		close(in);
		errno = e;
		return -1;
	}
	for (;;) {
		/* In the kernel where it can (no copy through user space), else read/write. */
		k = plain ? read(in, buf, sizeof(buf)) : copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (k == 0)
			break;
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && !plain && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
			plain = true;
			continue;
		}
		if (k < 0) {
			e = errno;
			break;
		}
		if (!plain)
			continue;
		for (ssize_t w, at = 0; at < k; at += w)
			if ((w = write(out, buf + at, (size_t)(k - at))) < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				e = errno;
				goto done;
			}
	}
done:
	close(in);
	if (close(out) != 0 && !e)
		e = errno;
	if (!e && fchmodat(AT_FDCWD, to, mode, 0) != 0)
		e = errno;
	if (e) {
		unlink(to);
		errno = e;
		return -1;
	}
	return 0;
}

/* An unsigned field of size n (2, 4 or 8) at p, in the file's byte order. */
static uint64_t
gr_ut_field(const unsigned char *p, int n, bool big)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

/* How many leading bytes of the ELF image buf (n bytes read of a file of
 * size bytes) go build's build ID reading needs: the header, the program
 * headers and every PT_NOTE segment; 0 when that is not all inside buf. */
static size_t
gr_ut_elf_head(const unsigned char *buf, size_t n, uint64_t size)
{
	uint64_t phoff, phentsize, phnum, end, off, filesz;
	bool c64, big;

	if (n < 52 || memcmp(buf, "\177ELF", 4) != 0 || (buf[4] != 1 && buf[4] != 2) || (buf[5] != 1 && buf[5] != 2))
		return 0;
	c64 = buf[4] == 2;
	big = buf[5] == 2;
	if (c64 && n < 64)
		return 0;
	phoff = gr_ut_field(buf + (c64 ? 32 : 28), c64 ? 8 : 4, big);
	phentsize = gr_ut_field(buf + (c64 ? 54 : 42), 2, big);
	phnum = gr_ut_field(buf + (c64 ? 56 : 44), 2, big);
	if (phentsize < (c64 ? 56u : 32u) || phnum == 0 || phnum >= 0xffff || phoff > n ||
	    phnum * phentsize > n - phoff)
		return 0;
	end = phoff + phnum * phentsize;
	for (uint64_t i = 0; i < phnum; i++) {
		const unsigned char *ph = buf + phoff + i * phentsize;
		if (gr_ut_field(ph, 4, big) != 4)  /* PT_NOTE */
			continue;
		off = gr_ut_field(ph + (c64 ? 8 : 4), c64 ? 8 : 4, big);
		filesz = gr_ut_field(ph + (c64 ? 32 : 16), c64 ? 8 : 4, big);
		if (off > n || filesz > n - off)
			return 0;
		if (off + filesz > end)
			end = off + filesz;
	}
	return end <= size ? (size_t)end : 0;
}

int
gr_uptodate_standin(const char *from, const char *to, mode_t mode)
{
	size_t max = 1 << 20, n = 0, head;
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t k;
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, e = 0;
	bool created = false;

	if (in < 0)
		return -1;
	if (fstat(in, &st) != 0) {
		e = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || !(buf = malloc(max))) {
		e = !S_ISREG(st.st_mode) ? EINVAL : errno;
		goto fail;
	}
	/* The first 64 KiB (where linkers put the headers and notes), else up to 1 MiB. */
	for (size_t want = 65536;; want = max) {
		while (n < want && (uint64_t)n < (uint64_t)st.st_size) {
			if ((k = pread(in, buf + n, want - n, (off_t)n)) < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			n += (size_t)k;
		}
		if ((head = gr_ut_elf_head(buf, n, (uint64_t)st.st_size)) || n < want || want == max)
			break;
	}
	if (!head) {
		e = EINVAL;
		goto fail;
	}
	/* At least what go reads at once (32 KiB), with room. */
	if (head < 65536)
		head = n < 65536 ? n : 65536;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
		e = errno;
		goto fail;
	}
	created = true;
	for (size_t at = 0; at < head;) {
		if ((k = write(out, buf + at, head - at)) < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			goto fail;
		}
		at += (size_t)k;
	}
	if (ftruncate(out, st.st_size) != 0 || close(out) != 0) {
		e = errno;
		out = -1;
		goto fail;
	}
	out = -1;
	if (fchmodat(AT_FDCWD, to, mode, 0) != 0) {
		e = errno;
		goto fail;
	}
	close(in);
	free(buf);
	return 0;
fail:
	if (out >= 0)
		close(out);
	close(in);
	free(buf);
	if (created)
		unlink(to);
	errno = e;
	return -1;
}

/* ---- the output cache: binaries by content, beside the no-op records ---- */

uint64_t
gr_uptodate_bin_max(const char *value)
{
	char *end;
	unsigned long long mb;

	if (!value || !*value)
		return (uint64_t)GR_UPTODATE_BIN_MAX_DEFAULT << 20;
	errno = 0;
	mb = strtoull(value, &end, 10);
	if (errno || *end || value[0] == '-' || mb > (UINT64_MAX >> 20))
		return (uint64_t)GR_UPTODATE_BIN_MAX_DEFAULT << 20;
	return (uint64_t)mb << 20;
}

int
gr_uptodate_bin_record(const struct gr_env *env, const char *key, const char *bin_hash, const struct gr_strvec *paths,
                       int64_t started, const char *report, size_t len, struct gr_error *err)
{
	size_t tlen;
	char *text;
	int rc;

	if (strlen(bin_hash) != 64 ||
	    !(text = gr_ut_text(NULL, bin_hash, (const char *const *)paths->v, paths->n, started, report, len, &tlen)))
		return GR_OK;
	rc = gr_cache_put(env, GR_UPTODATE_BIN_KIND, key, text, tlen, err);
	free(text);
	return rc;
}

int
gr_uptodate_bin_lookup(const struct gr_env *env, const char *key, char bin_hash[65], char **report, size_t *len,
                       char **why)
{
	bin_hash[0] = '\0';
	return gr_ut_lookup(env, key, NULL, bin_hash, report, len, why);
}

/* The directory of the cached binaries (malloc'd), or NULL: no cache. */
static char *
gr_ut_bindir(const struct gr_env *env)
{
	char *dir = gr_cache_dir(env), *p = NULL;

	if (dir && *dir)
		p = gr_path_join(dir, GR_UPTODATE_BIN_DIR);
	free(dir);
	return p;
}

/* mkdir -p dir (mode 0755; the umask applies), as gr_cache makes its own. */
static int
gr_ut_mkdirs(char *dir)
{
	char *slash;

	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			*slash = '/';
			return -1;
		}
		*slash = '/';
	}
	return mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* A cached binary's name: 64 lower-case hex digits. */
static bool
gr_ut_is_hash(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

struct gr_ut_bin {
	char name[65];
	int64_t used;  /* mtime (ns): touched on every use */
	uint64_t size;
};

static int
gr_ut_bin_older(const void *a, const void *b)
{
	const struct gr_ut_bin *x = a, *y = b;

	return x->used < y->used ? -1 : x->used > y->used ? 1 : strcmp(x->name, y->name);
}

/* Remove the least recently used binaries in dir until they hold at most
 * max bytes, never keep (the one just put); leftover temporary files of a
 * run that died an hour ago too. A binary that cannot be removed (another
 * user's, in a shared directory) ends the removing: it would otherwise take
 * every other entry with it. */
static void
gr_ut_evict(const char *dir, uint64_t max, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct gr_ut_bin *v = NULL, *nv;
	size_t n = 0, cap = 0, i;
	uint64_t total = 0;
	char path[4200];
	struct stat st;
	int64_t now = gr_uptodate_now();

	if (!d)
		return;
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!strncmp(de->d_name, ".tmp-", 5)) {
			if (stat(path, &st) == 0 && (int64_t)st.st_mtim.tv_sec * 1000000000 + 3600LL * 1000000000 < now)
				unlink(path);
			continue;
		}
		if (!gr_ut_is_hash(de->d_name) || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			if (!(nv = realloc(v, cap * sizeof(*v))))
				break;
			v = nv;
		}
		memcpy(v[n].name, de->d_name, 65);
		v[n].used = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		v[n].size = (uint64_t)st.st_size;
		total += v[n++].size;
	}
	closedir(d);
	if (total > max && n) {
		qsort(v, n, sizeof(*v), gr_ut_bin_older);
		for (i = 0; i < n && total > max; i++) {
			if (keep && !strcmp(v[i].name, keep))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, v[i].name);
			if (unlink(path) == 0 || errno == ENOENT)
				total -= v[i].size;
			else
				break;
		}
	}
	free(v);
}

int
gr_uptodate_bin_put(const struct gr_env *env, const char *from, const char *bin_hash, uint64_t max,
                    struct gr_error *err)
{
	char *dir, path[4200], tmp[4300];
	int rc = GR_OK;

	struct stat st;

	if (!max || !gr_ut_is_hash(bin_hash))
		return GR_OK;
	/* A binary larger than the whole cache is not kept (it would go at once). */
	if (stat(from, &st) != 0 || (uint64_t)st.st_size > max)
		return GR_ENOTFOUND;
	if (!(dir = gr_ut_bindir(env)))
		return GR_OK;
	snprintf(path, sizeof(path), "%s/%s", dir, bin_hash);
	if (utimensat(AT_FDCWD, path, NULL, 0) != 0) {
		/* Not there yet: copied under a name of this run's, then renamed, so
		 * a concurrent run sees the whole binary or none. */
		snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-%" PRId64, dir, (long)getpid(), gr_uptodate_now());
		if (gr_ut_mkdirs(dir) != 0 || gr_uptodate_copy(from, tmp, 0644) != 0) {
			int e = errno;
			rc = gr_error_set(err, GR_EIO, e, "output cache %s: %s", dir, strerror(e));
		} else if (rename(tmp, path) != 0) {
			int e = errno;
			unlink(tmp);
			rc = gr_error_set(err, GR_EIO, e, "output cache %s: %s", path, strerror(e));
		}
	}
	gr_ut_evict(dir, max, rc == GR_OK ? bin_hash : NULL);
	free(dir);
	return rc;
}

int
gr_uptodate_bin_get(const struct gr_env *env, const char *bin_hash, const char *to, mode_t mode)
{
	char *dir, path[4200], h[65];

	if (!gr_ut_is_hash(bin_hash) || !(dir = gr_ut_bindir(env)))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, bin_hash);
	free(dir);
	if (gr_uptodate_copy(path, to, mode) != 0)
		return -1;
	/* By its content, whatever its identity: a binary changed in the cache
	 * is not used, and goes (the next build that links puts it back). */
	if (gr_gocache_sha256_file(to, h) != 0) {
		unlink(to);  /* the copy could not be read: the entry may be good */
		return -1;
	}
	if (strcmp(h, bin_hash) != 0) {
		unlink(to);
		unlink(path);
		return -1;
	}
	(void)utimensat(AT_FDCWD, path, NULL, 0);  /* used now: the last to go */
	return 0;
}
