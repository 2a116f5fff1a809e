#include "gr_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_file.h"
#include "gr_path.h"

#define GR_CACHE_MAGIC "gorelink-cache 1\n"
#define GR_CACHE_MAX (4u << 20)

char *
gr_cache_dir(const struct gr_env *env)
{
	const char *d = env->cache_dir, *base;
	size_t n;
	char *p;

	if (d)
		return *d ? strdup(d) : NULL;
	if ((base = env->xdg_cache_home) != NULL && base[0] == '/') {
		n = strlen(base) + sizeof("/gorelink");
		if ((p = malloc(n)) != NULL)
			snprintf(p, n, "%s/gorelink", base);
		return p;
	}
	if ((base = env->home) != NULL && base[0] == '/') {
		n = strlen(base) + sizeof("/.cache/gorelink");
		if ((p = malloc(n)) != NULL)
			snprintf(p, n, "%s/.cache/gorelink", base);
		return p;
	}
	return NULL;
}

static uint64_t
gr_cache_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

/* DIR/KIND/HASH, malloc'd; *kinddir gets DIR/KIND when asked. */
static char *
gr_cache_path(const struct gr_env *env, const char *kind, const char *key, char **kinddir)
{
	char *dir = gr_cache_dir(env), *p = NULL, *k = NULL;
	size_t n;

	if (!dir)
		return NULL;
	n = strlen(dir) + strlen(kind) + 2 + 17;
	p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s/%016llx", dir, kind, (unsigned long long)gr_cache_hash(key));
	if (kinddir && p) {
		if (!(k = gr_path_join(dir, kind))) {
			free(p);
			p = NULL;
		}
		*kinddir = k;
	}
	free(dir);
	return p;
}

size_t
gr_cache_room(const char *key)
{
	size_t head = strlen(GR_CACHE_MAGIC) + strlen(key) + 1;

	return head < GR_CACHE_MAX ? GR_CACHE_MAX - head : 0;
}

int
gr_cache_get(const struct gr_env *env, const char *kind, const char *key, char **data,
             size_t *len)
{
	char *path = gr_cache_path(env, kind, key, NULL), *buf = NULL;
	size_t klen = strlen(key), mlen = strlen(GR_CACHE_MAGIC), got = 0, head;
	struct stat st;
	int fd = -1, rc = GR_ENOTFOUND;

	*data = NULL;
	*len = 0;
	if (!path)
		return GR_ENOTFOUND;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > GR_CACHE_MAX)
		goto out;
	if (gr_file_read_fd(fd, path, (size_t)st.st_size, true, &buf, &got, NULL) != GR_OK)
		goto out;
	/* MAGIC, the key, a newline, then the data: anything else is a miss. */
	head = mlen + klen + 1;
	if (got < head || memcmp(buf, GR_CACHE_MAGIC, mlen) != 0 ||
	    memcmp(buf + mlen, key, klen) != 0 || buf[mlen + klen] != '\n')
		goto out;
	memmove(buf, buf + head, got - head + 1);
	*data = buf;
	*len = got - head;
	buf = NULL;
	rc = GR_OK;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return rc;
}

/* mkdir -p for the cache's own two levels (mode 0755; the umask applies). */
static int
gr_cache_mkdirs(char *dir)
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

static int
gr_cache_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
gr_cache_put(const struct gr_env *env, const char *kind, const char *key, const char *data,
             size_t len, struct gr_error *err)
{
	char *kinddir = NULL, *path = gr_cache_path(env, kind, key, &kinddir), *tmp = NULL;
	size_t n;
	int fd = -1, rc = GR_OK, e;

	if (!path)
		return GR_ENOTFOUND;  /* no cache directory: nothing to do */
	if (len > gr_cache_room(key)) {
		/* gr_cache_get would never read it back: not written at all */
		rc = gr_error_set(err, GR_EUSAGE, 0, "cache %s: an entry of %zu bytes is over the %u-byte limit",
		                  kinddir, len + strlen(GR_CACHE_MAGIC) + strlen(key) + 1, GR_CACHE_MAX);
		goto out;
	}
	if (gr_cache_mkdirs(kinddir) != 0) {
		e = errno;
		rc = gr_error_set(err, GR_EIO, e, "cache %s: %s", kinddir, strerror(e));
		goto out;
	}
	n = strlen(kinddir) + sizeof("/.tmp-XXXXXX");
	if (!(tmp = malloc(n))) {
		rc = gr_error_set(err, GR_ENOMEM, 0, "cache: out of memory");
		goto out;
	}
	snprintf(tmp, n, "%s/.tmp-XXXXXX", kinddir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = errno;
		rc = gr_error_set(err, GR_EIO, e, "cache %s: %s", kinddir, strerror(e));
		goto out;
	}
	/* Readable by whoever shares the directory; never executable. */
	if (fchmod(fd, 0644) != 0 ||
	    gr_cache_write_all(fd, GR_CACHE_MAGIC, strlen(GR_CACHE_MAGIC)) != 0 ||
	    gr_cache_write_all(fd, key, strlen(key)) != 0 || gr_cache_write_all(fd, "\n", 1) != 0 ||
	    gr_cache_write_all(fd, data, len) != 0 || close(fd) != 0) {
		e = errno;
		fd = -1;
		unlink(tmp);
		rc = gr_error_set(err, GR_EIO, e, "cache %s: %s", tmp, strerror(e));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		rc = gr_error_set(err, GR_EIO, e, "cache %s: %s", path, strerror(e));
	}
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(kinddir);
	free(path);
	return rc;
}
