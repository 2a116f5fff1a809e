#include "gr_uptodate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_cache.h"
#include "gr_gocache.h"

#define GR_UPTODATE_MAGIC "gorelink-uptodate 1\n"

void
gr_uptodate_key(const char *opts, size_t n, const char *out_hash, char key[65])
{
	char *buf = malloc(n + 64 + 32);
	char h[65];

	if (!buf) {
		/* No memory: a key no record has (the lookup misses, the build links). */
		snprintf(key, 65, "%064d", 0);
		return;
	}
	memcpy(buf, GR_UPTODATE_MAGIC, strlen(GR_UPTODATE_MAGIC));
	memcpy(buf + strlen(GR_UPTODATE_MAGIC), out_hash, 64);
	memcpy(buf + strlen(GR_UPTODATE_MAGIC) + 64, opts, n);
	gr_gocache_sha256(buf, strlen(GR_UPTODATE_MAGIC) + 64 + n, h);
	free(buf);
	memcpy(key, h, 65);
}

void
gr_uptodate_ident(const char *path, char *buf, size_t n)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(buf, n, "%s", errno == ENOENT || errno == ENOTDIR ? "absent" : "unreadable");
		return;
	}
	snprintf(buf, n, "%llu %llu %lld %lld.%09ld %lld.%09ld %o", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	         st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, (unsigned)st.st_mode);
}

int
gr_uptodate_record(const struct gr_env *env, const char *key, const struct gr_strvec *paths,
                   const char *report, size_t len, struct gr_error *err)
{
	size_t i, cap = strlen(GR_UPTODATE_MAGIC) + len + 16, at = 0;
	char *buf, id[256];
	int rc;

	for (i = 0; i < paths->n; i++) {
		if (strpbrk(paths->v[i], "\t\n"))
			return GR_OK;
		cap += strlen(paths->v[i]) + sizeof(id) + 8;
	}
	if (!(buf = malloc(cap)))
		return gr_error_set(err, GR_ENOMEM, ENOMEM, "out of memory");
	at += (size_t)snprintf(buf + at, cap - at, "%s", GR_UPTODATE_MAGIC);
	for (i = 0; i < paths->n; i++) {
		gr_uptodate_ident(paths->v[i], id, sizeof(id));
		if (!strcmp(id, "unreadable")) {
			free(buf);
			return GR_OK;  /* nothing to compare with later: no record */
		}
		at += (size_t)snprintf(buf + at, cap - at, "id\t%s\t%s\n", paths->v[i], id);
	}
	at += (size_t)snprintf(buf + at, cap - at, "report\n");
	memcpy(buf + at, report, len);
	at += len;
	rc = gr_cache_put(env, GR_UPTODATE_KIND, key, buf, at, err);
	free(buf);
	return rc;
}

int
gr_uptodate_lookup(const struct gr_env *env, const char *key, char **report, size_t *len, char **why)
{
	char *data = NULL, *p, *nl, id[256];
	size_t dlen = 0, ml = strlen(GR_UPTODATE_MAGIC);

	*report = NULL;
	*len = 0;
	if (why)
		*why = NULL;
	if (gr_cache_get(env, GR_UPTODATE_KIND, key, &data, &dlen) != GR_OK)
		return GR_ENOTFOUND;
	if (dlen < ml || memcmp(data, GR_UPTODATE_MAGIC, ml) != 0)
		goto miss;
	for (p = data + ml; p < data + dlen; p = nl + 1) {
		char *tab;
		if (!(nl = memchr(p, '\n', (size_t)(data + dlen - p))))
			goto miss;
		*nl = '\0';
		if (!strcmp(p, "report")) {
			size_t rl = (size_t)(data + dlen - (nl + 1));
			if (!(*report = malloc(rl + 1)))
				goto miss;
			memcpy(*report, nl + 1, rl);
			(*report)[rl] = '\0';
			*len = rl;
			free(data);
			return GR_OK;
		}
		if (strncmp(p, "id\t", 3) || !(tab = strchr(p + 3, '\t')))
			goto miss;
		*tab = '\0';
		gr_uptodate_ident(p + 3, id, sizeof(id));
		if (strcmp(id, tab + 1) != 0) {
			if (why)
				*why = strdup(p + 3);
			goto miss;
		}
	}
miss:
	free(data);
	return GR_ENOTFOUND;
}

int
gr_uptodate_copy(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t k;
	int in = open(from, O_RDONLY | O_CLOEXEC), out, e = 0;

	if (in < 0)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
		e = errno;
		close(in);
		errno = e;
		return -1;
	}
	while ((k = read(in, buf, sizeof(buf))) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			e = errno;
			break;
		}
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
